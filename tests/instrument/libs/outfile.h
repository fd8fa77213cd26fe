/*
 * qemu-instr test libraries: the file of out=, opened by qi_init()
 *
 * Opened at once: a guest that closes fd 1 (coreutils at exit) would
 * otherwise hand that number to the file, and strace would see the
 * library's writes as the guest's writes to fd 1.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef OUTFILE_H
#define OUTFILE_H

#include <stdio.h>

/* The file, or NULL (with the reason on stderr) */
static inline FILE *outfile_open(const char *path)
{
    FILE *f = path ? fopen(path, "w") : NULL;

    if (path && !f) {
        perror(path);
    }
    return f;
}

#endif /* OUTFILE_H */
