#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
#
# qemu-instr: reference model of the x86 system test guest (guest.S)
#
# Copyright (c) 2026 qemu-instr developers
#
# Computes in Python exactly what guest.S computes, so that tests can
# check the guest's serial output:
#
#     round_sum(n)    the 32-bit sum printed for round n (memoized)
#     round_line(n)   the line printed for round n, without the newline:
#                     "round N sum=XXXXXXXX"
#
#     python3 reference.py N [M]    prints the lines of rounds N..M

"""Reference model of the round sums printed by the test guest."""

import functools
import struct
import sys

BUF_WORDS = 16384               # 64 KiB buffer of 32-bit words
LCG_MUL = 1664525
LCG_ADD = 1013904223
FNV_BASIS = 0x811c9dc5
FNV_PRIME = 16777619
MASK = 0xffffffff


def _rol(x, n):
    return ((x << n) | (x >> (32 - n))) & MASK


@functools.lru_cache(maxsize=None)
def round_sum(n):
    """Return the sum the guest prints for round n."""
    buf = [0] * BUF_WORDS
    x = n & MASK
    for i in range(BUF_WORDS):              # fill with the LCG seeded by n
        x = (x * LCG_MUL + LCG_ADD) & MASK
        buf[i] = x
    for i in range(BUF_WORDS):              # one stirring pass
        x = buf[i]
        j = x >> 18
        buf[j] = _rol(buf[j], 5) ^ x
    h = FNV_BASIS                           # FNV-1a over the bytes
    for b in struct.pack('<%dI' % BUF_WORDS, *buf):
        h = ((h ^ b) * FNV_PRIME) & MASK
    return h


def round_line(n):
    """Return the line the guest prints for round n (no newline)."""
    return 'round %d sum=%08x' % (n, round_sum(n))


def main(argv):
    if len(argv) not in (2, 3):
        sys.stderr.write('usage: %s N [M]\n' % argv[0])
        return 2
    first = int(argv[1])
    last = int(argv[2]) if len(argv) == 3 else first
    for n in range(first, last + 1):
        print(round_line(n))
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
