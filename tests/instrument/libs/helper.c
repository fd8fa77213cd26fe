/*
 * qemu-instr test library: its callbacks live in a helper library it
 * links against (helper-lib.c, -lqihelper)
 *
 * Arguments: out=FILE, which gets "insns N" at fini.  Also checks that a
 * callback outside any loaded object is refused.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <qemu-instr/qemu-instr.h>

bool helper_attach(void);
uint64_t helper_count(void);

static const char *out;

static void fini(void *data)
{
    FILE *f = fopen(out, "w");

    if (f) {
        fprintf(f, "insns %" PRIu64 "\n", helper_count());
        fclose(f);
    }
}

int qi_init(int argc, const char **argv)
{
    if (argc != 1 || strncmp(argv[0], "out=", 4) != 0) {
        return 1;
    }
    out = argv[0] + 4;
    if (qi_ctrl_event_set(qi_ctrl_event_name("guest_insn_before_exec"),
                          (void *)0x1234)) {
        return 1;
    }
    qi_set_fini(fini, NULL);
    return !helper_attach();
}
