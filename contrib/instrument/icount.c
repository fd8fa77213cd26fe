/*
 * qemu-instr example: count the instructions and blocks the guest runs
 *
 * Copyright (c) 2026 qemu-instr developers
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Counts executed instructions and translation blocks, per vCPU and in
 * total, and writes a table when the library is unloaded or QEMU exits:
 *
 *   vcpu      insns     blocks
 *      0     178204      38419
 *   total    178204      38419
 *
 * Every instruction is counted when it starts, so an instruction that
 * faults counts, and the rest of its block does not: the figures are
 * those of QEMU's tests/tcg/plugins/libinsn.so and the "bb's" of libbb.so.
 * The counts are kept in a scoreboard (qemu-instr/inline.h): each vCPU
 * has its own entry, which only its thread writes, so they are exact
 * with vCPUs running in parallel, without atomics.  With inline=on the
 * translated code adds to the running vCPU's entry itself, without a
 * call, which is several times faster: one add per block for its
 * instructions (qi_gen_vcpu_add_insns(), which QEMU corrects when a fault
 * cuts the block short, so the count stays exact) and one for the block.
 *
 * Build:  cc -shared -fPIC -O2 $(pkg-config --cflags qemu-instr) \
 *            -o libicount.so icount.c
 * Run:    qemu-x86_64 -instr ./libicount.so,arg=out=icount.txt PROGRAM
 *
 * Arguments:
 *   out=FILE     write the table to FILE (default: QEMU's log, see
 *                qi_log(): the -D file, or QEMU's standard error)
 *   inline=on    count in the translated code
 */

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <qemu-instr/qemu-instr.h>
#include <qemu-instr/inline.h>

/* A vCPU's entry of the scoreboard */
typedef struct VCPUCounts {
    uint64_t insns, blocks;
} VCPUCounts;

static bool active, inline_mode;
static const char *out;
static QIScoreboard *counts;

void qi_event_guest_insn_before_trans(QICPU vcpu, QITCGv_cpu vcpu_exec,
                                      uint64_t pc, uint32_t size,
                                      const uint8_t *bytes)
{
    if (active && !inline_mode) {
        /* The callback reads no register: the cheapest call */
        qi_gen_regs(vcpu_exec, QI_REGS_NONE);
        qi_event_gen_guest_insn_before_exec(vcpu_exec, pc);
    }
}

void qi_event_guest_insn_before_exec(QICPU vcpu, uint64_t pc)
{
    /* Each vCPU's entry is only written by its own thread */
    VCPUCounts *c = qi_scoreboard_get(counts, vcpu);

    c->insns++;
}

void qi_event_guest_tb_before_trans(QICPU vcpu, QITCGv_cpu vcpu_exec,
                                    uint64_t pc, uint32_t n_insns,
                                    uint32_t size)
{
    if (!active) {
        return;
    }
    if (inline_mode) {
        qi_gen_vcpu_add_u64(vcpu_exec, counts,
                            offsetof(VCPUCounts, blocks), 1);
        qi_gen_vcpu_add_insns(vcpu_exec, counts,
                              offsetof(VCPUCounts, insns), 1);
    } else {
        qi_gen_regs(vcpu_exec, QI_REGS_NONE);
        qi_event_gen_guest_tb_before_exec(vcpu_exec, pc);
    }
}

void qi_event_guest_tb_before_exec(QICPU vcpu, uint64_t pc)
{
    VCPUCounts *c = qi_scoreboard_get(counts, vcpu);

    c->blocks++;
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

static void fini(void *data)
{
    FILE *f = NULL;
    const VCPUCounts *c;
    int i;

    if (!active) {
        return;
    }
    if (out) {
        f = fopen(out, "w");
        if (!f) {
            qi_log("icount: cannot open %s: %s", out, strerror(errno));
            return;
        }
    }
    put(f, "%-5s %10s %10s", "vcpu", "insns", "blocks");
    /* vCPU indexes are given from 0 up, lowest free first */
    for (i = 0; (c = qi_scoreboard_get_index(counts, i)) != NULL; i++) {
        put(f, "%5d %10" PRIu64 " %10" PRIu64, i, c->insns, c->blocks);
    }
    put(f, "%-5s %10" PRIu64 " %10" PRIu64, "total",
        qi_scoreboard_sum_u64(counts, offsetof(VCPUCounts, insns)),
        qi_scoreboard_sum_u64(counts, offsetof(VCPUCounts, blocks)));
    if (f) {
        fclose(f);
    }
    qi_scoreboard_free(counts);
    counts = NULL;
}

static bool bind(QIEventID id)
{
    return qi_ctrl_event_set(qi_ctrl_event_id(id), QI_CTRL_INSTR_AUTO);
}

int qi_init(int argc, const char **argv)
{
    int i;

    for (i = 0; i < argc; i++) {
        if (strncmp(argv[i], "out=", 4) == 0) {
            out = argv[i] + 4;
        } else if (strcmp(argv[i], "inline=on") == 0) {
            inline_mode = true;
        } else if (strcmp(argv[i], "inline=off") == 0) {
            inline_mode = false;
        } else {
            qi_log("icount: unknown argument '%s' (expected "
                   "out=FILE or inline=on|off)", argv[i]);
            return 1;
        }
    }
    /* Static mode runs this without -instr too: then stay out of the way */
    if (!qi_ctrl_dynamic() && argc == 0) {
        return 0;
    }
    counts = qi_scoreboard_new(sizeof(VCPUCounts));
    if (!counts) {
        qi_log("icount: cannot make a scoreboard");
        return 1;
    }
    active = true;
    qi_set_fini(fini, NULL);
    if (qi_ctrl_dynamic() &&
        !(bind(QI_EVENT_GUEST_INSN_BEFORE_TRANS) &&
          bind(QI_EVENT_GUEST_INSN_BEFORE_EXEC) &&
          bind(QI_EVENT_GUEST_TB_BEFORE_TRANS) &&
          bind(QI_EVENT_GUEST_TB_BEFORE_EXEC))) {
        qi_log("icount: cannot set the guest execution events");
        return 1;
    }
    return 0;
}
