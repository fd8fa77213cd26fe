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
 * With inline=on the translated code adds to one counter itself, which
 * is several times faster but gives totals only and, like TCG plugins'
 * inline counters, may lose counts when vCPUs run in parallel; it adds
 * a block's instructions when the block starts, so a block cut short by
 * a fault counts in full.
 *
 * Build:  cc -shared -fPIC -O2 $(pkg-config --cflags qemu-instr) \
 *            -o libicount.so icount.c
 * Run:    qemu-x86_64 -instr ./libicount.so,arg=out=icount.txt PROGRAM
 *
 * Arguments:
 *   out=FILE     write the table to FILE (default: stderr)
 *   inline=on    count in the translated code, totals only
 */

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <qemu-instr/qemu-instr.h>
#include <qemu-instr/inline.h>

typedef struct VCPUCounts {
    uint64_t insns, blocks;
} VCPUCounts;

static bool active, inline_mode;
static const char *out;
static uint64_t inline_insns, inline_blocks;

/* Per vCPU, by index; grown under the lock, read through a cache */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static VCPUCounts **vcpus;
static int n_vcpus;
static __thread VCPUCounts *cur;
static __thread int cur_index = -1;

static VCPUCounts *vcpu_counts(QICPU vcpu)
{
    int index = qi_vcpu_index(vcpu);

    if (index != cur_index) {
        pthread_mutex_lock(&lock);
        if (index >= n_vcpus) {
            vcpus = realloc(vcpus, (index + 1) * sizeof(*vcpus));
            while (n_vcpus <= index) {
                vcpus[n_vcpus++] = calloc(1, sizeof(VCPUCounts));
            }
        }
        cur = vcpus[index];
        cur_index = index;
        pthread_mutex_unlock(&lock);
    }
    return cur;
}

void qi_event_guest_insn_before_trans(QICPU vcpu, QITCGv_cpu vcpu_exec,
                                      uint64_t pc, uint32_t size,
                                      const uint8_t *bytes)
{
    if (active && !inline_mode) {
        qi_event_gen_guest_insn_before_exec(vcpu_exec, pc);
    }
}

void qi_event_guest_insn_before_exec(QICPU vcpu, uint64_t pc)
{
    /* Each vCPU's counters are only written by its own thread */
    vcpu_counts(vcpu)->insns++;
}

void qi_event_guest_tb_before_trans(QICPU vcpu, QITCGv_cpu vcpu_exec,
                                    uint64_t pc, uint32_t n_insns,
                                    uint32_t size)
{
    if (!active) {
        return;
    }
    if (inline_mode) {
        qi_gen_add_u64(vcpu_exec, &inline_blocks, 1);
        qi_gen_add_u64(vcpu_exec, &inline_insns, n_insns);
    } else {
        qi_event_gen_guest_tb_before_exec(vcpu_exec, pc);
    }
}

void qi_event_guest_tb_before_exec(QICPU vcpu, uint64_t pc)
{
    vcpu_counts(vcpu)->blocks++;
}

static void fini(void *data)
{
    FILE *f;
    uint64_t insns = inline_insns, blocks = inline_blocks;
    int i;

    if (!active) {
        return;
    }
    f = out ? fopen(out, "w") : stderr;
    if (!f) {
        fprintf(stderr, "icount: cannot open %s: %s\n", out, strerror(errno));
        return;
    }
    fprintf(f, "%-5s %10s %10s\n", "vcpu", "insns", "blocks");
    for (i = 0; i < n_vcpus; i++) {
        fprintf(f, "%5d %10" PRIu64 " %10" PRIu64 "\n", i, vcpus[i]->insns,
                vcpus[i]->blocks);
        insns += vcpus[i]->insns;
        blocks += vcpus[i]->blocks;
    }
    fprintf(f, "%-5s %10" PRIu64 " %10" PRIu64 "\n", "total", insns, blocks);
    if (f != stderr) {
        fclose(f);
    }
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
            fprintf(stderr, "icount: unknown argument '%s' (expected "
                    "out=FILE or inline=on|off)\n", argv[i]);
            return 1;
        }
    }
    /* Static mode runs this without -instr too: then stay out of the way */
    active = qi_ctrl_dynamic() || argc > 0;
    qi_set_fini(fini, NULL);
    if (qi_ctrl_dynamic() &&
        !(bind(QI_EVENT_GUEST_INSN_BEFORE_TRANS) &&
          bind(QI_EVENT_GUEST_INSN_BEFORE_EXEC) &&
          bind(QI_EVENT_GUEST_TB_BEFORE_TRANS) &&
          bind(QI_EVENT_GUEST_TB_BEFORE_EXEC))) {
        fprintf(stderr, "icount: cannot set the guest execution events\n");
        return 1;
    }
    return 0;
}
