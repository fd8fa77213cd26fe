/*
 * qemu-instr test library: write registers, read and write FP/SIMD
 * registers, redirect, and check the PC (guest: tests/instrument/steer/
 * regs.c; the test knows the addresses from nm)
 *
 * - addr=HEX reg=NAME add=N: at the instruction at addr= (f's first),
 *   add N to register reg= (f's argument register) before the instruction
 *   runs, so that the program prints f(x + N) where it printed f(x);
 * - fp=HEX fpreg=NAME [fpset=HEX32]: at fp= (fp_probe, which stores the
 *   register), read register fpreg= (xmm0, v0, or z0 whose low 16 bytes
 *   alias v0) and record its low 16 bytes; with fpset=, then replace them
 *   with those 16 bytes (memory order), which the probe then stores;
 * - check=HEX ret=N: at the first instruction of check(), return from it
 *   at once with N in the result register (rax / x0): pop the return
 *   address from the stack (x86_64) or take it from x30 (aarch64), and
 *   qi_vcpu_set_pc() there;
 * - always: at every instruction, the program counter reads as the
 *   event's pc; exactly one register is the PC (qi_reg_is_pc()), named
 *   pcreg=.
 *
 * Arguments: out=FILE pcreg=NAME, and the optional ones above.
 * qi_fini() writes "name value" lines to out=FILE, and one line
 * "fp HEX" per probe run.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <qemu-instr/qemu-instr.h>
#include "outfile.h"

#define MAX_FP 64
#define REG_MAX 4096            /* bytes: more than any register here */

static FILE *out_file;
static const char *out, *pcreg, *argreg, *fpreg;
static uint64_t f_addr, fp_addr, check_addr;
static int64_t add, ret;
static uint8_t fpset[16];
static bool have_fpset;

static int pcnum = -1, pc_regs;
static unsigned long pc_checked, pc_mismatches, pc_unreadable;
static uint64_t first_bad_pc, first_bad_value;
static unsigned long writes, redirects, errors;
static uint8_t fp_seen[MAX_FP][16];
static unsigned long fp_runs;

static bool read64(QICPU vcpu, int reg, uint64_t *value)
{
    /* Little-endian guests (x86_64, aarch64) on a little-endian host */
    return reg >= 0 && qi_reg_read(vcpu, reg, value, 8) == 8;
}

static bool write64(QICPU vcpu, int reg, uint64_t value)
{
    return reg >= 0 && qi_reg_write(vcpu, reg, &value, 8) == 8;
}

static void find_pc(QICPU vcpu)
{
    int i, n = qi_reg_count(vcpu);

    for (i = 0; i < n; i++) {
        if (qi_reg_is_pc(vcpu, i)) {
            pc_regs++;
            pcnum = i;
        }
    }
    if (pc_regs != 1 || strcmp(qi_reg_name(vcpu, pcnum), pcreg) ||
        qi_reg_find(vcpu, pcreg) != pcnum) {
        errors++;
    }
}

static void check_pc(QICPU vcpu, uint64_t pc)
{
    uint64_t value;

    if (pcnum < 0) {
        find_pc(vcpu);
    }
    pc_checked++;
    if (!read64(vcpu, pcnum, &value)) {
        pc_unreadable++;
    } else if (value != pc) {
        if (!pc_mismatches++) {
            first_bad_pc = pc;
            first_bad_value = value;
        }
    }
}

static void write_arg(QICPU vcpu)
{
    int reg = qi_reg_find(vcpu, argreg);
    uint64_t value;

    if (read64(vcpu, reg, &value) && write64(vcpu, reg, value + add)) {
        writes++;
    } else {
        errors++;
    }
}

static void fp_probe(QICPU vcpu)
{
    int reg = qi_reg_find(vcpu, fpreg);
    int size = qi_reg_size(vcpu, reg);
    uint8_t buf[REG_MAX];

    if (size < 16 || size > REG_MAX ||
        qi_reg_read(vcpu, reg, buf, sizeof(buf)) != size) {
        errors++;
        return;
    }
    if (fp_runs < MAX_FP) {
        memcpy(fp_seen[fp_runs], buf, 16);
    }
    fp_runs++;
    if (have_fpset) {
        memcpy(buf, fpset, 16);
        if (qi_reg_write(vcpu, reg, buf, size) != size) {
            errors++;
        }
    }
}

static void redirect(QICPU vcpu)
{
    int sp = qi_reg_find(vcpu, "rsp");
    uint64_t sp_value, ra;

    if (sp >= 0) {
        /* x86_64: the call pushed the return address; pop it */
        if (!read64(vcpu, sp, &sp_value) ||
            !qi_mem_read_virt(vcpu, sp_value, &ra, 8) ||
            !write64(vcpu, sp, sp_value + 8) ||
            !write64(vcpu, qi_reg_find(vcpu, "rax"), ret)) {
            errors++;
            return;
        }
    } else {
        /* aarch64: bl left it in the link register */
        if (!read64(vcpu, qi_reg_find(vcpu, "x30"), &ra) ||
            !write64(vcpu, qi_reg_find(vcpu, "x0"), ret)) {
            errors++;
            return;
        }
    }
    /* Counted first: on success qi_vcpu_set_pc() does not return */
    redirects++;
    qi_vcpu_set_pc(vcpu, ra);
    redirects--;
    errors++;
}

static void insn_trans(QICPU vcpu, QITCGv_cpu vcpu_exec, uint64_t pc,
                       uint32_t size, const uint8_t *bytes)
{
    if (pc == f_addr || pc == fp_addr || pc == check_addr) {
        qi_gen_regs(vcpu_exec, QI_REGS_WRITE);
    }
    /* Every instruction, for the PC check */
    qi_event_gen_guest_insn_before_exec(vcpu_exec, pc);
}

static void insn_exec(QICPU vcpu, uint64_t pc)
{
    check_pc(vcpu, pc);
    if (pc == f_addr) {
        write_arg(vcpu);
    }
    if (pc == fp_addr) {
        fp_probe(vcpu);
    }
    if (pc == check_addr) {
        redirect(vcpu);
    }
}

static void fini(void *data)
{
    FILE *f = out_file;
    unsigned long i;
    int j;

    fprintf(f, "pc_regs %d\npc_checked %lu\npc_mismatches %lu\n"
            "pc_unreadable %lu\nfirst_bad_pc 0x%" PRIx64 "\n"
            "first_bad_value 0x%" PRIx64 "\nwrites %lu\nredirects %lu\n"
            "fp_runs %lu\nerrors %lu\n",
            pc_regs, pc_checked, pc_mismatches, pc_unreadable, first_bad_pc,
            first_bad_value, writes, redirects, fp_runs, errors);
    for (i = 0; i < fp_runs && i < MAX_FP; i++) {
        fprintf(f, "fp ");
        for (j = 0; j < 16; j++) {
            fprintf(f, "%02x", fp_seen[i][j]);
        }
        fprintf(f, "\n");
    }
    fclose(f);
}

static bool parse_hex16(const char *hex, uint8_t *bytes)
{
    int i;

    if (strlen(hex) != 32) {
        return false;
    }
    for (i = 0; i < 16; i++) {
        char byte[3] = { hex[2 * i], hex[2 * i + 1], 0 };

        bytes[i] = strtoul(byte, NULL, 16);
    }
    return true;
}

int qi_init(int argc, const char **argv)
{
    int i;

    for (i = 0; i < argc; i++) {
        const char *a = argv[i];

        if (!strncmp(a, "out=", 4)) {
            out = a + 4;
        } else if (!strncmp(a, "pcreg=", 6)) {
            pcreg = a + 6;
        } else if (!strncmp(a, "addr=", 5)) {
            f_addr = strtoull(a + 5, NULL, 16);
        } else if (!strncmp(a, "reg=", 4)) {
            argreg = a + 4;
        } else if (!strncmp(a, "add=", 4)) {
            add = strtoll(a + 4, NULL, 0);
        } else if (!strncmp(a, "fp=", 3)) {
            fp_addr = strtoull(a + 3, NULL, 16);
        } else if (!strncmp(a, "fpreg=", 6)) {
            fpreg = a + 6;
        } else if (!strncmp(a, "fpset=", 6)) {
            if (!parse_hex16(a + 6, fpset)) {
                return 1;
            }
            have_fpset = true;
        } else if (!strncmp(a, "check=", 6)) {
            check_addr = strtoull(a + 6, NULL, 16);
        } else if (!strncmp(a, "ret=", 4)) {
            ret = strtoll(a + 4, NULL, 0);
        } else {
            return 1;
        }
    }
    if (!pcreg || (f_addr && !argreg) || (fp_addr && !fpreg)) {
        return 1;
    }
    out_file = outfile_open(out);
    if (!out_file) {
        return 1;
    }
    qi_set_fini(fini, NULL);
    return !(qi_event_set_guest_insn_before_trans(insn_trans) &&
             qi_event_set_guest_insn_before_exec(insn_exec));
}
