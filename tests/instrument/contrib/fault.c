/*
 * qemu-instr test program for contrib/instrument/faultinject.c
 *
 * Prints scaled(i) = i * scale for i = 1 to 5, scale being 3.  A bit
 * flipped in the argument register at the first instruction of
 * scaled(), at its Nth call, changes the Nth line only; one flipped in
 * scale changes every line from the Nth on.  Built statically (so not
 * as a PIE: scaled and scale are where nm says) for x86_64 and aarch64
 * by tests/instrument/test_contrib.py.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include <stdio.h>

volatile unsigned long scale = 3;

/* noipa: called for real, with its argument in a register */
__attribute__((noipa)) unsigned long scaled(unsigned long x)
{
    return x * scale;
}

int main(void)
{
    unsigned long i;

    for (i = 1; i <= 5; i++) {
        printf("%lu\n", scaled(i));
    }
    return 0;
}
