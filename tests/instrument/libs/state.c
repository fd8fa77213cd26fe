/*
 * qemu-instr test library: qemu-instr/state.h against what events say
 *
 * - translation time: every instruction read back from guest memory (by
 *   virtual address, and in system mode by physical address through
 *   qi_mem_virt_to_phys()) equals the event's bytes; every instruction
 *   disassembles, and those whose bytes are sysbytes= disassemble to a
 *   text containing sysname=;
 * - execution time: the vCPU index is 0; when a system call instruction
 *   is about to run, the register sysreg= already holds the number that
 *   guest_user_syscall then reports (user mode: a register written by
 *   translated code, read from an _exec callback);
 * - errors: unmapped addresses, NULL vCPUs, bad register numbers and
 *   short buffers fail cleanly.
 *
 * Arguments: out=FILE pcreg=NAME [sysreg=NAME sysbytes=HEX sysname=TEXT];
 * pcreg= only names a register for the API checks.
 * qi_fini() writes "name value" pairs, one per line.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <qemu-instr/qemu-instr.h>

static unsigned long checked, mismatches, api_ok, api_bad, bad_index;
static unsigned long phys_checked, phys_mismatches;
static unsigned long disas_empty, disas_sys, disas_sys_bad;
static unsigned long sysreg_ok, sysreg_bad;
static uint64_t first_pc;
static __thread uint64_t pending_sysreg = ~0ULL;
static const char *out, *pcreg, *sysreg, *sysname;
static uint8_t sysbytes[16];
static size_t sysbytes_len;
static char disas_sample[128];

static void check_api(QICPU vcpu, uint64_t pc)
{
    uint8_t buf[64];
    uint64_t paddr;
    int pcnum = qi_reg_find(vcpu, pcreg);
    int n = qi_reg_count(vcpu);
    bool ok = n > 0 && pcnum >= 0 && pcnum < n &&
              !strcmp(qi_reg_name(vcpu, pcnum), pcreg) &&
              qi_reg_size(vcpu, pcnum) == 8 &&
              qi_reg_read(vcpu, pcnum, buf, 8) == 8 &&
              /* errors */
              qi_reg_count(NULL) == -1 && qi_reg_name(vcpu, n) == NULL &&
              qi_reg_name(vcpu, -1) == NULL && qi_reg_size(vcpu, n) == -1 &&
              qi_reg_find(vcpu, "no-such-register") == -1 &&
              qi_reg_find(vcpu, NULL) == -1 &&
              qi_reg_read(vcpu, n, buf, sizeof(buf)) == -1 &&
              qi_reg_read(vcpu, pcnum, buf, 4) == -1 &&
              qi_reg_read(NULL, pcnum, buf, 8) == -1 &&
              qi_disas(NULL, pc, 1, (char *)buf, sizeof(buf)) == -1 &&
              !qi_mem_read_virt(NULL, pc, buf, 1) &&
              !qi_mem_virt_to_phys(NULL, pc, &paddr) &&
              qi_vcpu_index(NULL) == -1;

    if (qi_mem_virt_to_phys(vcpu, pc, &paddr)) {
        /* System mode: nothing at the top of the physical space */
        ok = ok && qi_mem_read_phys(paddr, buf, 1) &&
             !qi_mem_read_phys(~0ULL - 4096, buf, 1);
    } else {
        /* User mode: no physical address space; page 0 is not mapped */
        ok = ok && !qi_mem_read_phys(0, buf, 1) &&
             !qi_mem_write_phys(0, buf, 1) &&
             !qi_mem_read_virt(vcpu, 0, buf, 1);
    }
    if (ok) {
        api_ok++;
    } else {
        api_bad++;
    }
}

static void insn_trans(QICPU vcpu, QITCGv_cpu vcpu_exec, uint64_t pc,
                       uint32_t size, const uint8_t *bytes)
{
    uint8_t buf[16];
    uint32_t n = size < sizeof(buf) ? size : sizeof(buf);
    char text[128];
    uint64_t paddr;
    int len;

    if (checked++ == 0) {
        check_api(vcpu, pc);
        first_pc = pc;
        qi_event_gen_guest_insn_before_exec(vcpu_exec, pc);
    }
    if (!qi_mem_read_virt(vcpu, pc, buf, n) || memcmp(buf, bytes, n)) {
        mismatches++;
    }
    if (qi_mem_virt_to_phys(vcpu, pc, &paddr)) {
        phys_checked++;
        /* Within one page: the next page may be elsewhere */
        n = n < 4096 - (pc & 4095) ? n : 4096 - (pc & 4095);
        if (!qi_mem_read_phys(paddr, buf, n) || memcmp(buf, bytes, n)) {
            phys_mismatches++;
        }
    }
    len = qi_disas(vcpu, pc, size, text, sizeof(text));
    if (len <= 0) {
        disas_empty++;
    } else if (!disas_sample[0]) {
        snprintf(disas_sample, sizeof(disas_sample), "%s", text);
    }
    if (sysbytes_len && size == sysbytes_len &&
        !memcmp(bytes, sysbytes, size)) {
        disas_sys++;
        if (len <= 0 || !strstr(text, sysname)) {
            disas_sys_bad++;
        }
        if (sysreg) {
            qi_event_gen_guest_insn_before_exec(vcpu_exec, pc);
        }
    }
}

static uint64_t read_reg64(QICPU vcpu, const char *name)
{
    uint64_t value = 0;

    if (qi_reg_read(vcpu, qi_reg_find(vcpu, name), &value, 8) != 8) {
        return ~0ULL - 1;
    }
    return value;               /* little-endian guests on any host here */
}

static void insn_exec(QICPU vcpu, uint64_t pc)
{
    if (qi_vcpu_index(vcpu) != 0) {
        bad_index++;
    }
    if (pc != first_pc && sysreg) {
        pending_sysreg = read_reg64(vcpu, sysreg);
    }
}

static void syscall(QICPU vcpu, uint64_t num, uint64_t a1, uint64_t a2,
                    uint64_t a3, uint64_t a4, uint64_t a5, uint64_t a6,
                    uint64_t a7, uint64_t a8)
{
    /* The system call instruction ran; vsyscalls have none */
    if (pending_sysreg == num) {
        sysreg_ok++;
    } else if (pending_sysreg != ~0ULL) {
        sysreg_bad++;
    }
    pending_sysreg = ~0ULL;
}

static void fini(void *data)
{
    FILE *f = fopen(out, "w");

    if (f) {
        fprintf(f, "checked %lu\nmismatches %lu\nphys_checked %lu\n"
                "phys_mismatches %lu\napi_ok %lu\napi_bad %lu\n"
                "bad_index %lu\ndisas_empty %lu\ndisas_sys %lu\n"
                "disas_sys_bad %lu\nsysreg_ok %lu\nsysreg_bad %lu\n"
                "disas_sample %s\n",
                checked, mismatches, phys_checked, phys_mismatches, api_ok,
                api_bad, bad_index, disas_empty, disas_sys, disas_sys_bad,
                sysreg_ok, sysreg_bad, disas_sample);
        fclose(f);
    }
}

int qi_init(int argc, const char **argv)
{
    int i;

    for (i = 0; i < argc; i++) {
        if (!strncmp(argv[i], "out=", 4)) {
            out = argv[i] + 4;
        } else if (!strncmp(argv[i], "pcreg=", 6)) {
            pcreg = argv[i] + 6;
        } else if (!strncmp(argv[i], "sysreg=", 7)) {
            sysreg = argv[i] + 7;
        } else if (!strncmp(argv[i], "sysname=", 8)) {
            sysname = argv[i] + 8;
        } else if (!strncmp(argv[i], "sysbytes=", 9)) {
            const char *hex = argv[i] + 9;

            while (hex[0] && hex[1] && sysbytes_len < sizeof(sysbytes)) {
                char byte[3] = { hex[0], hex[1], 0 };

                sysbytes[sysbytes_len++] = strtoul(byte, NULL, 16);
                hex += 2;
            }
        } else {
            return 1;
        }
    }
    if (!out || !pcreg || (sysbytes_len && !sysname)) {
        return 1;
    }
    qi_set_fini(fini, NULL);
    return !(qi_event_set_guest_insn_before_trans(insn_trans) &&
             qi_event_set_guest_insn_before_exec(insn_exec) &&
             (!sysreg || qi_event_set_guest_user_syscall(syscall)));
}
