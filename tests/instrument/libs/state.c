/*
 * qemu-instr test library: read guest memory through qemu-instr/state.h
 *
 * At translation time, reads every instruction back from guest memory and
 * compares with the bytes the event gives; at execution time, checks the
 * vCPU index.  Arguments: out=FILE, where qi_fini() writes "checked N
 * mismatches N unmapped N index N".
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include <stdio.h>
#include <string.h>
#include <qemu-instr/qemu-instr.h>

static unsigned long checked, mismatches, unmapped_ok, bad_index;
static const char *out;

static void insn_trans(QICPU vcpu, QITCGv_cpu vcpu_exec, uint64_t pc,
                       uint32_t size, const uint8_t *bytes)
{
    uint8_t buf[16];
    uint32_t n = size < sizeof(buf) ? size : sizeof(buf);

    checked++;
    if (!qi_mem_read_virt(vcpu, pc, buf, n) || memcmp(buf, bytes, n)) {
        mismatches++;
    }
    /* Page 0 is never mapped for a user-mode guest */
    if (checked == 1 && !qi_mem_read_virt(vcpu, 0, buf, 1) &&
        !qi_mem_read_virt(NULL, pc, buf, 1)) {
        unmapped_ok++;
    }
    if (checked == 1) {
        qi_event_gen_guest_insn_before_exec(vcpu_exec, pc);
    }
}

static void insn_exec(QICPU vcpu, uint64_t pc)
{
    if (qi_vcpu_index(vcpu) != 0 || qi_vcpu_index(NULL) != -1) {
        bad_index++;
    }
}

static void fini(void *data)
{
    FILE *f = fopen(out, "w");

    if (f) {
        fprintf(f, "checked %lu mismatches %lu unmapped %lu index %lu\n",
                checked, mismatches, unmapped_ok, bad_index);
        fclose(f);
    }
}

int qi_init(int argc, const char **argv)
{
    if (argc != 1 || strncmp(argv[0], "out=", 4) != 0) {
        return 1;
    }
    out = argv[0] + 4;
    qi_set_fini(fini, NULL);
    return !(qi_event_set_guest_insn_before_trans(insn_trans) &&
             qi_event_set_guest_insn_before_exec(insn_exec));
}
