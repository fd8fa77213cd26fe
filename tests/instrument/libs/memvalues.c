/*
 * qemu-instr test library: sum and xor of every value loaded and stored
 *
 * guest_mem_after_trans asks for the _exec call at every access; the
 * _exec callback, which also gets the accesses helpers make (without a
 * _trans decision), adds the value to the totals of its direction, as
 * plugins/memvalues.c does with qemu_plugin_mem_get_value(): values
 * zero-extended, a 16-byte one as its two halves, both added to the sum
 * and both xored.  Arguments: out=FILE, where qi_fini() writes
 *
 *   memvalues: loads N sum 0xS xor 0xX stores N sum 0xS xor 0xX wide N
 *   bad N
 *
 * where wide counts the 16-byte accesses and bad the values that do
 * not fit their access (bits above the access's size, or a value_hi
 * for an access of less than 16 bytes).  The totals are plain globals:
 * the test runs single-threaded guest programs (one vCPU); a threaded
 * one would need them per vCPU (a scoreboard, qemu-instr/inline.h).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <qemu-instr/qemu-instr.h>

typedef struct {
    uint64_t count;
    uint64_t sum;
    uint64_t xor;
} Totals;

static Totals loads, stores;
static uint64_t wide, bad;
static const char *out;

static void mem_after_exec(QICPU vcpu, uint64_t vaddr, QIMemInfo info,
                           uint64_t value, uint64_t value_hi)
{
    Totals *t = info.store ? &stores : &loads;

    if (info.size_shift == 4) {
        wide++;
    } else if (value_hi ||
               (info.size_shift < 3 && value >> (8 << info.size_shift))) {
        bad++;
    }
    t->count++;
    t->sum += value + value_hi;
    t->xor ^= value ^ value_hi;
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
    fprintf(f, "memvalues: loads %" PRIu64 " sum 0x%" PRIx64 " xor 0x%"
            PRIx64 " stores %" PRIu64 " sum 0x%" PRIx64 " xor 0x%" PRIx64
            " wide %" PRIu64 "\nbad %" PRIu64 "\n",
            loads.count, loads.sum, loads.xor,
            stores.count, stores.sum, stores.xor, wide, bad);
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
