/*
 * qemu-instr test library: accepts any arguments and does nothing,
 * unless one of them is "refuse": then qi_init() refuses after setting
 * callbacks
 *
 * The fuzz test loads it with generated arguments; it writes no file.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include <string.h>
#include <qemu-instr/qemu-instr.h>

static void on_syscall(QICPU vcpu, uint64_t num, uint64_t arg1, uint64_t arg2,
                       uint64_t arg3, uint64_t arg4, uint64_t arg5,
                       uint64_t arg6, uint64_t arg7, uint64_t arg8)
{
}

int qi_init(int argc, const char **argv)
{
    int i;

    qi_ctrl_event_set(qi_ctrl_event_name("guest_user_syscall"),
                      (void *)on_syscall);
    for (i = 0; i < argc; i++) {
        if (strcmp(argv[i], "refuse") == 0) {
            return 1;
        }
    }
    return 0;
}
