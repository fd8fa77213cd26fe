/*
 * qemu-instr example: count the guest's system calls
 *
 * Copyright (c) 2026 qemu-instr developers
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Counts every system call a user-mode guest makes, and how many failed,
 * per system call; prints a table, by name on x86_64 and aarch64 guests
 * (syscall-names.h), when the library is unloaded or QEMU exits.
 *
 * Build:  cc -shared -fPIC -O2 $(pkg-config --cflags qemu-instr) \
 *            -o libsyscount.so syscount.c
 * Run:    qemu-x86_64 -instr ./libsyscount.so,arg=out=counts.txt PROGRAM
 *
 * Arguments: out=FILE writes the table to FILE (default: QEMU's log, see
 * qi_log(): the -D file, or QEMU's standard error, which survives a guest
 * program that closes its own before it exits).
 */

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <qemu-instr/qemu-instr.h>

#include "syscall-names.h"

#define MAX_NR 1024

static uint64_t calls[MAX_NR], errors[MAX_NR];
static const char *out;
/* Of the guest's target, known from its first call */
static const SyscallNames *names;

void qi_event_guest_user_syscall(QICPU vcpu, uint64_t num, uint64_t a1,
                                 uint64_t a2, uint64_t a3, uint64_t a4,
                                 uint64_t a5, uint64_t a6, uint64_t a7,
                                 uint64_t a8)
{
    if (!__atomic_load_n(&names, __ATOMIC_RELAXED)) {
        __atomic_store_n(&names, syscall_names(vcpu), __ATOMIC_RELAXED);
    }
    if (num < MAX_NR) {
        __atomic_fetch_add(&calls[num], 1, __ATOMIC_RELAXED);
    }
}

void qi_event_guest_user_syscall_ret(QICPU vcpu, uint64_t num, uint64_t ret)
{
    /* Linux returns -errno, from -4095 to -1 */
    if (num < MAX_NR && ret >= (uint64_t)-4095) {
        __atomic_fetch_add(&errors[num], 1, __ATOMIC_RELAXED);
    }
}

/* One line of the table, to the file or, without out=, to QEMU's log */
static void put(FILE *f, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void put(FILE *f, const char *fmt, ...)
{
    char line[128];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    if (f) {
        fprintf(f, "%s\n", line);
    } else {
        qi_log("%s", line);
    }
}

void qi_fini(void)
{
    FILE *f = NULL;
    uint64_t total = 0, failed = 0;
    int nr;

    if (out) {
        f = fopen(out, "w");
        if (!f) {
            qi_log("%s: %s", out, strerror(errno));
            return;
        }
    }
    for (nr = 0; nr < MAX_NR; nr++) {
        total += calls[nr];
        failed += errors[nr];
    }
    put(f, "syscount: %" PRIu64 " system calls, %" PRIu64 " failed",
        total, failed);
    put(f, "%-18s %6s %10s %10s", "syscall", "number", "calls", "errors");
    for (nr = 0; nr < MAX_NR; nr++) {
        if (calls[nr]) {
            const char *name = syscall_name(names, nr);

            put(f, "%-18s %6d %10" PRIu64 " %10" PRIu64,
                name ? name : "?", nr, calls[nr], errors[nr]);
        }
    }
    if (f) {
        fclose(f);
    }
}

int qi_init(int argc, const char **argv)
{
    int i;

    for (i = 0; i < argc; i++) {
        if (strncmp(argv[i], "out=", 4) == 0) {
            out = argv[i] + 4;
        } else {
            qi_log("syscount: unknown argument '%s' (expected out=FILE)",
                   argv[i]);
            return 1;
        }
    }
    /*
     * Bind qi_event_guest_user_syscall{,_ret} above; a static build
     * calls them directly.
     */
    if (!qi_ctrl_dynamic()) {
        return 0;
    }
    return !(qi_ctrl_event_set(qi_ctrl_event_name("guest_user_syscall"),
                               QI_CTRL_INSTR_AUTO) &&
             qi_ctrl_event_set(qi_ctrl_event_name("guest_user_syscall_ret"),
                               QI_CTRL_INSTR_AUTO));
}
