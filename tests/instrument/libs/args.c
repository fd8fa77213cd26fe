/*
 * qemu-instr test library: record the arguments qi_init() got
 *
 * The first argument is out=FILE; qi_init() writes "argc N" and one line
 * per argument (all of them, the first included) to FILE.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include <stdio.h>
#include <string.h>
#include <qemu-instr/qemu-instr.h>

int qi_init(int argc, const char **argv)
{
    FILE *f;
    int i;

    if (argc < 1 || strncmp(argv[0], "out=", 4) != 0) {
        return 1;
    }
    f = fopen(argv[0] + 4, "w");
    if (!f) {
        return 1;
    }
    fprintf(f, "argc %d\n", argc);
    for (i = 0; i < argc; i++) {
        fprintf(f, "%s\n", argv[i]);
    }
    fclose(f);
    return 0;
}
