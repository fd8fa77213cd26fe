/*
 * qemu-instr test library: print a total from fini with qi_log()
 *
 * Counts guest system calls and, from its fini function, logs one line
 * "logtotal: N system calls (TAG)" without a trailing newline (qi_log()
 * adds it).  Under qemu-x86_64, /bin/echo closes fd 2 before it exits:
 * the line must reach QEMU's own stderr all the same, or the -D file.
 *
 * Arguments: tag=TEXT.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include <string.h>
#include <qemu-instr/qemu-instr.h>

static unsigned long calls;
static const char *tag = "";

static void on_syscall(QICPU vcpu, uint64_t num, uint64_t a1, uint64_t a2,
                       uint64_t a3, uint64_t a4, uint64_t a5, uint64_t a6,
                       uint64_t a7, uint64_t a8)
{
    __atomic_fetch_add(&calls, 1, __ATOMIC_RELAXED);
}

static void fini(void *data)
{
    qi_log("logtotal: %lu system calls (%s)", calls, tag);
}

int qi_init(int argc, const char **argv)
{
    if (argc == 1 && !strncmp(argv[0], "tag=", 4)) {
        tag = argv[0] + 4;
    } else if (argc != 0) {
        return 1;
    }
    qi_set_fini(fini, NULL);
    return !qi_event_set_guest_user_syscall(on_syscall);
}
