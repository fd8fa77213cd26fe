/*
 * qemu-instr example: trace every guest memory access to a file
 *
 * Copyright (c) 2026 qemu-instr developers
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Writes one line per load or store the guest makes: vCPU index, address
 * of the instruction, address accessed, size in bytes, kind.
 *
 *   0 0x401d45 0x4000800748 8 store
 *
 * The translated code appends the accesses to a buffer of its vCPU
 * itself (qemu-instr/inline.h), and the library formats them a buffer at
 * a time, so tracing costs no call per access.  Accesses made by QEMU's
 * helpers (atomic read-modify-writes, some string and vector
 * instructions) are reported by the runtime without their instruction:
 * their pc is 0.
 *
 * Build:  cc -shared -fPIC -O2 $(pkg-config --cflags qemu-instr) \
 *            -o libmemtrace.so memtrace.c
 * Run:    qemu-x86_64 -instr ./libmemtrace.so,arg=out=mem.txt PROGRAM
 *
 * Arguments:
 *   out=FILE       write the trace to FILE (default: stderr)
 *   kind=load|store|all
 *                  which accesses to trace [all]; decided when code is
 *                  translated, so the others cost nothing
 *   range=LO-HI    only accesses with LO <= address < HI (hexadecimal);
 *                  may be given several times
 */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <qemu-instr/qemu-instr.h>
#include <qemu-instr/inline.h>

#define MAX_RANGES 16

static FILE *out;
static bool loads = true, stores = true;
static struct {
    uint64_t lo, hi;
} ranges[MAX_RANGES];
static int n_ranges;

static bool wanted(uint64_t vaddr)
{
    int i;

    for (i = 0; i < n_ranges; i++) {
        if (vaddr >= ranges[i].lo && vaddr < ranges[i].hi) {
            return true;
        }
    }
    return n_ranges == 0;
}

/* Runs on the vCPU's thread (or with every vCPU stopped, at the end) */
static void batch(QICPU vcpu, const QIMemRecord *rec, size_t n, void *data)
{
    int index = qi_vcpu_index(vcpu);
    size_t i;

    flockfile(out);
    for (i = 0; i < n; i++) {
        if (wanted(rec[i].vaddr)) {
            fprintf(out, "%d 0x%" PRIx64 " 0x%" PRIx64 " %d %s\n", index,
                    rec[i].pc, rec[i].vaddr, 1 << rec[i].info.size_shift,
                    rec[i].info.store ? "store" : "load");
        }
    }
    funlockfile(out);
}

void qi_event_guest_mem_before_trans(QICPU vcpu, QITCGv_cpu vcpu_exec,
                                     QITCGv vaddr, QIMemInfo info)
{
    if (out && (info.store ? stores : loads)) {
        qi_gen_mem_trace(vcpu_exec, vaddr, info);
    }
}

/* The accesses of helpers, which have no _trans event */
void qi_event_guest_mem_before_exec(QICPU vcpu, uint64_t vaddr,
                                    QIMemInfo info)
{
    if (out && (info.store ? stores : loads)) {
        qi_mem_trace_add(vcpu, vaddr, 0, info);
    }
}

static void fini(void *data)
{
    /* The runtime has handed over the last records before this runs */
    if (out && out != stderr) {
        fclose(out);
    }
}

static bool parse_range(const char *s)
{
    char *end;

    if (n_ranges == MAX_RANGES) {
        return false;
    }
    errno = 0;
    ranges[n_ranges].lo = strtoull(s, &end, 16);
    if (end == s || *end != '-') {
        return false;
    }
    s = end + 1;
    ranges[n_ranges].hi = strtoull(s, &end, 16);
    if (end == s || *end || errno ||
        ranges[n_ranges].hi <= ranges[n_ranges].lo) {
        return false;
    }
    n_ranges++;
    return true;
}

static bool bind(QIEventID id)
{
    return qi_ctrl_event_set(qi_ctrl_event_id(id), QI_CTRL_INSTR_AUTO);
}

int qi_init(int argc, const char **argv)
{
    const char *path = NULL;
    int i;

    for (i = 0; i < argc; i++) {
        if (strncmp(argv[i], "out=", 4) == 0) {
            path = argv[i] + 4;
        } else if (strcmp(argv[i], "kind=load") == 0) {
            stores = false;
        } else if (strcmp(argv[i], "kind=store") == 0) {
            loads = false;
        } else if (strcmp(argv[i], "kind=all") == 0) {
            loads = stores = true;
        } else if (strncmp(argv[i], "range=", 6) == 0) {
            if (!parse_range(argv[i] + 6)) {
                qi_log("memtrace: bad range '%s' (expected "
                       "range=LO-HI in hexadecimal, LO < HI, at most %d)",
                       argv[i] + 6, MAX_RANGES);
                return 1;
            }
        } else {
            qi_log("memtrace: unknown argument '%s' (expected "
                   "out=FILE, kind=load|store|all or range=LO-HI)",
                   argv[i]);
            return 1;
        }
    }
    if (!qi_ctrl_dynamic() && argc == 0) {
        return 0;               /* static mode, QEMU run without -instr */
    }
    if (!qi_mem_trace_set(batch, NULL, 0)) {
        qi_log("memtrace: another library traces memory");
        return 1;
    }
    out = path ? fopen(path, "w") : stderr;
    if (!out) {
        qi_log("memtrace: cannot open %s: %s", path, strerror(errno));
        return 1;
    }
    qi_set_fini(fini, NULL);
    if (qi_ctrl_dynamic() &&
        !(bind(QI_EVENT_GUEST_MEM_BEFORE_TRANS) &&
          bind(QI_EVENT_GUEST_MEM_BEFORE_EXEC))) {
        qi_log("memtrace: cannot set the memory events");
        return 1;
    }
    return 0;
}
