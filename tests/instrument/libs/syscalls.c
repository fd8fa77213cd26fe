/*
 * qemu-instr test library: count guest system calls
 *
 * Arguments: out=FILE (required): where qi_fini() writes the counts,
 * one line "syscalls N returns N" and one "nr COUNT" per syscall number.
 * The two events are set in the two ways the API offers (typed setter,
 * QI_CTRL_INSTR_AUTO).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <qemu-instr/qemu-instr.h>

#define MAX_NR 1024

static unsigned long calls[MAX_NR], n_calls, n_returns;
static const char *out;

static void on_syscall(QICPU vcpu, uint64_t num, uint64_t a1, uint64_t a2,
                       uint64_t a3, uint64_t a4, uint64_t a5, uint64_t a6,
                       uint64_t a7, uint64_t a8)
{
    __atomic_fetch_add(&n_calls, 1, __ATOMIC_RELAXED);
    if (num < MAX_NR) {
        __atomic_fetch_add(&calls[num], 1, __ATOMIC_RELAXED);
    }
}

void qi_event_guest_user_syscall_ret(QICPU vcpu, uint64_t num, uint64_t ret)
{
    __atomic_fetch_add(&n_returns, 1, __ATOMIC_RELAXED);
}

void qi_fini(void)
{
    FILE *f = fopen(out, "w");
    unsigned i;

    if (!f) {
        perror(out);
        return;
    }
    fprintf(f, "syscalls %lu returns %lu\n", n_calls, n_returns);
    for (i = 0; i < MAX_NR; i++) {
        if (calls[i]) {
            fprintf(f, "%u %lu\n", i, calls[i]);
        }
    }
    fclose(f);
}

int qi_init(int argc, const char **argv)
{
    QIEvent *ev = qi_ctrl_event_id(QI_EVENT_GUEST_USER_SYSCALL_RET);

    if (argc != 1 || strncmp(argv[0], "out=", 4) != 0) {
        fprintf(stderr, "syscalls: usage: arg=out=FILE\n");
        return 1;
    }
    out = argv[0] + 4;
    if (!qi_event_set_guest_user_syscall(on_syscall) ||
        !qi_ctrl_event_set(ev, QI_CTRL_INSTR_AUTO)) {
        return 2;
    }
    return 0;
}
