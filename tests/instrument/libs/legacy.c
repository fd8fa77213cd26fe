/*
 * qemu-instr test library: a library built for API version 2
 *
 * Built without the qemu-instr headers (which are version 3's): it
 * declares the version 2 functions it calls itself, as its headers did,
 * and QEMU tells which library called from the return address.  Counts
 * instructions and blocks; out=FILE gets "insns N blocks N loads 0
 * stores 0" at fini.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

typedef struct QICPUOpaque *QICPU;
typedef struct QITCGvCPUOpaque *QITCGv_cpu;
typedef struct QIEvent QIEvent;

const int qi_api_version = 2;

QIEvent *qi_ctrl_event_name(const char *name);
bool qi_ctrl_event_set(QIEvent *ev, void *cb);
void qi_set_fini(void (*fn)(void *data), void *data);
void qi_event_gen_guest_insn_before_exec(QITCGv_cpu vcpu_exec, uint64_t pc);
void qi_event_gen_guest_tb_before_exec(QITCGv_cpu vcpu_exec, uint64_t pc);
int qi_init(int argc, const char **argv);

static uint64_t insns, blocks;
static const char *out;

static void insn_exec(QICPU vcpu, uint64_t pc)
{
    __atomic_fetch_add(&insns, 1, __ATOMIC_RELAXED);
}

static void insn_trans(QICPU vcpu, QITCGv_cpu vcpu_exec, uint64_t pc,
                       uint32_t size, const uint8_t *bytes)
{
    qi_event_gen_guest_insn_before_exec(vcpu_exec, pc);
}

static void tb_exec(QICPU vcpu, uint64_t pc)
{
    __atomic_fetch_add(&blocks, 1, __ATOMIC_RELAXED);
}

static void tb_trans(QICPU vcpu, QITCGv_cpu vcpu_exec, uint64_t pc,
                     uint32_t n_insns, uint32_t size)
{
    qi_event_gen_guest_tb_before_exec(vcpu_exec, pc);
}

static void fini(void *data)
{
    FILE *f = fopen(out, "w");

    if (f) {
        fprintf(f, "insns %llu blocks %llu loads 0 stores 0\n",
                (unsigned long long)insns, (unsigned long long)blocks);
        fclose(f);
    }
}

static bool set(const char *name, void *cb)
{
    return qi_ctrl_event_set(qi_ctrl_event_name(name), cb);
}

int qi_init(int argc, const char **argv)
{
    if (argc != 1 || strncmp(argv[0], "out=", 4) != 0) {
        return 1;
    }
    out = argv[0] + 4;
    qi_set_fini(fini, NULL);
    return !(set("guest_insn_before_trans", (void *)insn_trans) &&
             set("guest_insn_before_exec", (void *)insn_exec) &&
             set("guest_tb_before_trans", (void *)tb_trans) &&
             set("guest_tb_before_exec", (void *)tb_exec));
}
