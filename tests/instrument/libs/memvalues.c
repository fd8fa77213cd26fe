/*
 * qemu-instr test library: sum and xor of every value loaded and stored
 *
 * guest_mem_after_trans asks for the _exec call at every access; the
 * _exec callback, which also gets the accesses helpers make (without a
 * _trans decision), adds the value to the totals of its direction, as
 * plugins/memvalues.c does with qemu_plugin_mem_get_value() (see
 * memvalues.h).  Arguments: out=FILE, where qi_fini() writes the totals.
 * The test runs single-threaded guest programs (one vCPU); a threaded
 * one would need the totals per vCPU (a scoreboard, qemu-instr/inline.h).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include <stdio.h>
#include <string.h>
#include <qemu-instr/qemu-instr.h>
#include "memvalues.h"

static MemValues values;
static const char *out;

static void mem_after_exec(QICPU vcpu, uint64_t vaddr, QIMemInfo info,
                           uint64_t value, uint64_t value_hi)
{
    memvalues_add(&values, info, value, value_hi);
}

static void mem_after_trans(QICPU vcpu, QITCGv_cpu vcpu_exec, QITCGv vaddr,
                            QIMemInfo info)
{
    /* The callback reads no register: the cheapest call */
    qi_gen_regs(vcpu_exec, QI_REGS_NONE);
    qi_event_gen_guest_mem_after_exec(vcpu_exec, vaddr, info);
}

void qi_fini(void)
{
    FILE *f = fopen(out, "w");

    if (!f) {
        perror(out);
        return;
    }
    memvalues_print(f, &values);
    fclose(f);
}

int qi_init(int argc, const char **argv)
{
    if (argc != 1 || strncmp(argv[0], "out=", 4) != 0) {
        fprintf(stderr, "memvalues: usage: arg=out=FILE\n");
        return 1;
    }
    out = argv[0] + 4;
    return !(qi_event_set_guest_mem_after_trans(mem_after_trans) &&
             qi_event_set_guest_mem_after_exec(mem_after_exec));
}
