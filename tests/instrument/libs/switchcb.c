/*
 * qemu-instr test library: change the callback of calls made straight
 * from translated code
 *
 * Counts instructions with a callback per instruction emitted with
 * QI_REGS_NONE, which translated code calls itself (API 4).  At the
 * switch=N-th instruction the first callback sets a second one in its
 * place; then the translated code that calls the first is dropped.  The
 * first may still run until its vCPU leaves the block it is in; no
 * instruction is counted twice or missed.  Arguments: out=FILE, where
 * qi_fini() writes "first N second N late N": late is how many calls
 * the first callback got after the switch.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <qemu-instr/qemu-instr.h>
#include <qemu-instr/inline.h>

static uint64_t first, second, late, switch_at;
static const char *out;

static void second_exec(QICPU vcpu, uint64_t pc)
{
    second++;
}

static void first_exec(QICPU vcpu, uint64_t pc)
{
    if (first >= switch_at) {
        late++;
        return;
    }
    if (++first == switch_at &&
        !qi_event_set_guest_insn_before_exec(second_exec)) {
        fprintf(stderr, "switchcb: cannot set the second callback\n");
        abort();
    }
}

static void insn_trans(QICPU vcpu, QITCGv_cpu vcpu_exec, uint64_t pc,
                       uint32_t size, const uint8_t *bytes)
{
    qi_gen_regs(vcpu_exec, QI_REGS_NONE);
    qi_event_gen_guest_insn_before_exec(vcpu_exec, pc);
}

static void fini(void *data)
{
    FILE *f = fopen(out, "w");

    if (f) {
        fprintf(f, "first %llu second %llu late %llu\n",
                (unsigned long long)first, (unsigned long long)second,
                (unsigned long long)late);
        fclose(f);
    }
}

int qi_init(int argc, const char **argv)
{
    if (argc != 2 || strncmp(argv[0], "out=", 4) != 0 ||
        strncmp(argv[1], "switch=", 7) != 0) {
        return 1;
    }
    out = argv[0] + 4;
    switch_at = strtoull(argv[1] + 7, NULL, 0);
    qi_set_fini(fini, NULL);
    return !(qi_event_set_guest_insn_before_trans(insn_trans) &&
             qi_event_set_guest_insn_before_exec(first_exec));
}
