/*
 * qemu-instr test library: a portable library, which names its events
 *
 * Counts system calls through guest_user_syscall, bound by name; out=FILE
 * gets "syscalls N" at fini.  With -DUSE_ID it uses an event identifier,
 * which a portable library cannot: it must not compile.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#define QI_PORTABLE 1

#include <stdio.h>
#include <string.h>
#include <qemu-instr/qemu-instr.h>

static unsigned long syscalls;
static const char *out;

void qi_event_guest_user_syscall(QICPU vcpu, uint64_t num, uint64_t arg1,
                                 uint64_t arg2, uint64_t arg3, uint64_t arg4,
                                 uint64_t arg5, uint64_t arg6, uint64_t arg7,
                                 uint64_t arg8)
{
    __atomic_fetch_add(&syscalls, 1, __ATOMIC_RELAXED);
}

static void fini(void *data)
{
    FILE *f = fopen(out, "w");

    if (f) {
        fprintf(f, "syscalls %lu\n", syscalls);
        fclose(f);
    }
}

int qi_init(int argc, const char **argv)
{
    if (argc != 1 || strncmp(argv[0], "out=", 4) != 0) {
        return 1;
    }
    out = argv[0] + 4;
    qi_set_fini(fini, NULL);
#ifdef USE_ID
    return !qi_ctrl_event_set(qi_ctrl_event_id(QI_EVENT_GUEST_USER_SYSCALL),
                              QI_CTRL_INSTR_AUTO);
#else
    return !qi_ctrl_event_set(qi_ctrl_event_name("guest_user_syscall"),
                              QI_CTRL_INSTR_AUTO);
#endif
}
