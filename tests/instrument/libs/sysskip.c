/*
 * qemu-instr test library: skip system calls, change their arguments and
 * results (linux-user)
 *
 * - write=NR skipfd=FD: skip every write (system call number NR) to fd
 *   FD, giving the guest the length it asked for (arg3), as if written;
 *   guest_user_syscall_ret must still come, with that result;
 * - write=NR movefd=FROM:TO: make every write to fd FROM one to fd TO
 *   (qi_syscall_set_arg());
 * - getpid=NR pid=P: make every getpid (number NR) return P
 *   (qi_syscall_set_ret()).
 *
 * Syscall numbers are the guest's (x86_64: write 1, getpid 39; aarch64:
 * write 64, getpid 172).  qi_fini() writes "name value" lines to out=FILE.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <qemu-instr/qemu-instr.h>
#include "outfile.h"

static FILE *out_file;
static const char *out;
static uint64_t nr_write = ~0ULL, nr_getpid = ~0ULL;
static int64_t skip_fd = -1, move_from = -1, move_to = -1, pid;
static unsigned long skipped, moved, pids, skip_ret_ok, skip_ret_bad;
static unsigned long errors;

/* The result a skipped call must return with, or -1 (one guest thread) */
static int64_t pending_ret = -1;

static void on_syscall(QICPU vcpu, uint64_t num, uint64_t a1, uint64_t a2,
                       uint64_t a3, uint64_t a4, uint64_t a5, uint64_t a6,
                       uint64_t a7, uint64_t a8)
{
    if (num != nr_write) {
        return;
    }
    if (skip_fd >= 0 && (int64_t)a1 == skip_fd) {
        if (qi_syscall_skip(vcpu, a3)) {
            skipped++;
            pending_ret = a3;
        } else {
            errors++;
        }
    } else if (move_from >= 0 && (int64_t)a1 == move_from) {
        if (qi_syscall_set_arg(vcpu, 1, move_to)) {
            moved++;
        } else {
            errors++;
        }
    }
}

static void on_syscall_ret(QICPU vcpu, uint64_t num, uint64_t ret)
{
    if (pending_ret >= 0) {
        if (num == nr_write && (int64_t)ret == pending_ret) {
            skip_ret_ok++;
        } else {
            skip_ret_bad++;
        }
        pending_ret = -1;
    }
    if (num == nr_getpid && pid) {
        if (qi_syscall_set_ret(vcpu, pid)) {
            pids++;
        } else {
            errors++;
        }
    }
}

static void fini(void *data)
{
    FILE *f = out_file;

    fprintf(f, "skipped %lu\nskip_ret_ok %lu\nskip_ret_bad %lu\n"
            "moved %lu\npids %lu\nerrors %lu\n",
            skipped, skip_ret_ok, skip_ret_bad, moved, pids, errors);
    fclose(f);
}

int qi_init(int argc, const char **argv)
{
    char *end;
    int i;

    for (i = 0; i < argc; i++) {
        const char *a = argv[i];

        if (!strncmp(a, "out=", 4)) {
            out = a + 4;
        } else if (!strncmp(a, "write=", 6)) {
            nr_write = strtoull(a + 6, NULL, 0);
        } else if (!strncmp(a, "getpid=", 7)) {
            nr_getpid = strtoull(a + 7, NULL, 0);
        } else if (!strncmp(a, "skipfd=", 7)) {
            skip_fd = strtoll(a + 7, NULL, 0);
        } else if (!strncmp(a, "movefd=", 7)) {
            move_from = strtoll(a + 7, &end, 0);
            if (*end != ':') {
                return 1;
            }
            move_to = strtoll(end + 1, NULL, 0);
        } else if (!strncmp(a, "pid=", 4)) {
            pid = strtoll(a + 4, NULL, 0);
        } else {
            return 1;
        }
    }
    out_file = outfile_open(out);
    if (!out_file) {
        return 1;
    }
    qi_set_fini(fini, NULL);
    return !(qi_event_set_guest_user_syscall(on_syscall) &&
             qi_event_set_guest_user_syscall_ret(on_syscall_ret));
}
