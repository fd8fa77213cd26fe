/*
 * qemu-instr test library: guest_discon in linux-user (guest:
 * tests/instrument/steer/signals.c)
 *
 * Counts the signals delivered to guest handlers (QI_DISCON_SIGNAL) per
 * signal number, with the from and to PCs of the first delivery, and
 * the exceptions that go back to QEMU's cpu_loop (QI_DISCON_EXCEPTION:
 * every system call, and the fault at fault=HEX, which must report it
 * as from_pc), against guest_user_syscall.  linux-user has no
 * interrupts or host calls.
 *
 * Arguments: out=FILE [fault=HEX].  qi_fini() writes "name value" lines
 * and one "signal NUM count N from HEX to HEX tos_differ N" per signal.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <qemu-instr/qemu-instr.h>
#include "outfile.h"

#define MAX_SIG 128

static FILE *out_file;
static const char *out;
static uint64_t fault_pc;
static unsigned long sig_count[MAX_SIG], sig_tos_differ[MAX_SIG];
static uint64_t sig_from[MAX_SIG], sig_to[MAX_SIG];
static unsigned long exceptions, exc_moved, exc_at_fault, syscalls;
static unsigned long interrupts, hostcalls, bad_kind, bad_signum;

static void on_discon(QICPU vcpu, uint32_t kind, uint64_t num,
                      uint64_t from_pc, uint64_t to_pc)
{
    switch (kind) {
    case QI_DISCON_SIGNAL:
        if (num >= MAX_SIG) {
            bad_signum++;
        } else if (sig_count[num]++ == 0) {
            sig_from[num] = from_pc;
            sig_to[num] = to_pc;
        } else if (sig_to[num] != to_pc) {
            sig_tos_differ[num]++;
        }
        break;
    case QI_DISCON_EXCEPTION:
        exceptions++;
        if (to_pc != from_pc) {
            exc_moved++;
        }
        if (fault_pc && from_pc == fault_pc) {
            exc_at_fault++;
        }
        break;
    case QI_DISCON_INTERRUPT:
        interrupts++;
        break;
    case QI_DISCON_HOSTCALL:
        hostcalls++;
        break;
    default:
        bad_kind++;
    }
}

static void on_syscall(QICPU vcpu, uint64_t num, uint64_t a1, uint64_t a2,
                       uint64_t a3, uint64_t a4, uint64_t a5, uint64_t a6,
                       uint64_t a7, uint64_t a8)
{
    syscalls++;
}

static void fini(void *data)
{
    FILE *f = out_file;
    int i;

    fprintf(f, "exceptions %lu\nexc_moved %lu\nexc_at_fault %lu\n"
            "syscalls %lu\ninterrupts %lu\nhostcalls %lu\nbad_kind %lu\n"
            "bad_signum %lu\n", exceptions, exc_moved, exc_at_fault,
            syscalls, interrupts, hostcalls, bad_kind, bad_signum);
    for (i = 0; i < MAX_SIG; i++) {
        if (sig_count[i]) {
            fprintf(f, "signal %d count %lu from 0x%" PRIx64 " to 0x%"
                    PRIx64 " tos_differ %lu\n", i, sig_count[i],
                    sig_from[i], sig_to[i], sig_tos_differ[i]);
        }
    }
    fclose(f);
}

int qi_init(int argc, const char **argv)
{
    int i;

    for (i = 0; i < argc; i++) {
        if (!strncmp(argv[i], "out=", 4)) {
            out = argv[i] + 4;
        } else if (!strncmp(argv[i], "fault=", 6)) {
            fault_pc = strtoull(argv[i] + 6, NULL, 16);
        } else {
            return 1;
        }
    }
    out_file = outfile_open(out);
    if (!out_file) {
        return 1;
    }
    qi_set_fini(fini, NULL);
    return !(qi_event_set_guest_discon(on_discon) &&
             qi_event_set_guest_user_syscall(on_syscall));
}
