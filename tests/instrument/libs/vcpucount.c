/*
 * qemu-instr test library: count instructions per vCPU (a scoreboard)
 * and in one shared counter
 *
 * guest_insn_before_trans emits, for every instruction, two inline adds
 * and no call: one to the running vCPU's entry of a scoreboard
 * (qi_gen_vcpu_add_u64(), exact under MTTCG) and one to a single global
 * counter (qi_gen_add_u64(), not atomic: vCPUs running at once may lose
 * each other's adds).  Arguments: out=FILE, where qi_fini() writes one
 * line "vcpu I insns N" per vCPU index that ever ran, then "total N"
 * (the scoreboard's sum) and "racy N" (the global counter).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <qemu-instr/qemu-instr.h>

/* Highest vCPU index looked for at fini (user mode: one per thread) */
#define MAX_VCPUS 4096

static QIScoreboard *counts;
static uint64_t racy;
static const char *out;

static void insn_trans(QICPU vcpu, QITCGv_cpu vcpu_exec, uint64_t pc,
                       uint32_t size, const uint8_t *bytes)
{
    qi_gen_vcpu_add_u64(vcpu_exec, counts, 0, 1);
    qi_gen_add_u64(vcpu_exec, &racy, 1);
}

void qi_fini(void)
{
    FILE *f = fopen(out, "w");
    const uint64_t *entry;
    int i;

    if (!f) {
        perror(out);
        return;
    }
    for (i = 0; i < MAX_VCPUS; i++) {
        entry = qi_scoreboard_get_index(counts, i);
        if (entry) {
            fprintf(f, "vcpu %d insns %" PRIu64 "\n", i, *entry);
        }
    }
    fprintf(f, "total %" PRIu64 "\nracy %" PRIu64 "\n",
            qi_scoreboard_sum_u64(counts, 0), racy);
    fclose(f);
    qi_scoreboard_free(counts);
}

int qi_init(int argc, const char **argv)
{
    if (argc != 1 || strncmp(argv[0], "out=", 4) != 0) {
        fprintf(stderr, "vcpucount: usage: arg=out=FILE\n");
        return 1;
    }
    out = argv[0] + 4;
    counts = qi_scoreboard_new(sizeof(uint64_t));
    if (!counts) {
        return 1;
    }
    return !qi_event_set_guest_insn_before_trans(insn_trans);
}
