/*
 * qemu-instr test libraries: sum and xor of the values of guest memory
 * accesses, as tests/instrument/plugins/memvalues.c adds them up
 * (libs/memvalues.c, and static-lib/counter.c in static mode)
 *
 * Values are zero-extended; a 16-byte one counts as its two 64-bit
 * halves, both added to the sum and both xored.  wide counts the
 * 16-byte accesses, bad the values that do not fit their access (bits
 * above the access's size, or a value_hi for an access of less than 16
 * bytes).  Plain globals: for single-threaded guest programs.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef MEMVALUES_H
#define MEMVALUES_H

#include <inttypes.h>
#include <stdio.h>
#include <qemu-instr/types.h>

typedef struct MemValues {
    uint64_t count[2], sum[2], xor[2];
    uint64_t wide, bad;
} MemValues;

static inline void memvalues_add(MemValues *mv, QIMemInfo info,
                                 uint64_t value, uint64_t value_hi)
{
    int dir = info.store;

    if (info.size_shift == 4) {
        mv->wide++;
    } else if (value_hi ||
               (info.size_shift < 3 && value >> (8 << info.size_shift))) {
        mv->bad++;
    }
    mv->count[dir]++;
    mv->sum[dir] += value + value_hi;
    mv->xor[dir] ^= value ^ value_hi;
}

/*
 * The lines tests/instrument/test_values.py reads:
 *   memvalues: loads N sum 0xS xor 0xX stores N sum 0xS xor 0xX wide N
 *   bad N
 */
static inline void memvalues_print(FILE *f, const MemValues *mv)
{
    fprintf(f, "memvalues: loads %" PRIu64 " sum 0x%" PRIx64 " xor 0x%"
            PRIx64 " stores %" PRIu64 " sum 0x%" PRIx64 " xor 0x%" PRIx64
            " wide %" PRIu64 "\nbad %" PRIu64 "\n",
            mv->count[0], mv->sum[0], mv->xor[0],
            mv->count[1], mv->sum[1], mv->xor[1], mv->wide, mv->bad);
}

#endif /* MEMVALUES_H */
