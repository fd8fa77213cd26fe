/*
 * qemu-instr test library: count executed instructions, blocks, loads
 * and stores
 *
 * The _trans callbacks ask for an _exec call at every instruction, block
 * and memory access; the _exec callbacks count.  Arguments: out=FILE,
 * where qi_fini() writes "insns N blocks N loads N stores N"; and
 * unload-after=N, to call qi_unload_self() at the Nth instruction.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <qemu-instr/qemu-instr.h>

static uint64_t insns, blocks, loads, stores;
static uint64_t unload_after;
static const char *out;

static void insn_exec(QICPU vcpu, uint64_t pc)
{
    if (__atomic_add_fetch(&insns, 1, __ATOMIC_RELAXED) == unload_after) {
        qi_unload_self();
    }
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

static void mem_exec(QICPU vcpu, uint64_t vaddr, QIMemInfo info)
{
    __atomic_fetch_add(info.store ? &stores : &loads, 1, __ATOMIC_RELAXED);
}

static void mem_trans(QICPU vcpu, QITCGv_cpu vcpu_exec, QITCGv vaddr,
                      QIMemInfo info)
{
    qi_event_gen_guest_mem_before_exec(vcpu_exec, vaddr, info);
}

static void fini(void *data)
{
    FILE *f = fopen(out, "w");

    if (f) {
        fprintf(f, "insns %llu blocks %llu loads %llu stores %llu\n",
                (unsigned long long)insns, (unsigned long long)blocks,
                (unsigned long long)loads, (unsigned long long)stores);
        fclose(f);
    }
}

int qi_init(int argc, const char **argv)
{
    if (argc < 1 || strncmp(argv[0], "out=", 4) != 0) {
        return 1;
    }
    out = argv[0] + 4;
    if (argc == 2 && strncmp(argv[1], "unload-after=", 13) == 0) {
        unload_after = strtoull(argv[1] + 13, NULL, 0);
    } else if (argc != 1) {
        return 1;
    }
    qi_set_fini(fini, NULL);
    return !(qi_event_set_guest_insn_before_trans(insn_trans) &&
             qi_event_set_guest_insn_before_exec(insn_exec) &&
             qi_event_set_guest_tb_before_trans(tb_trans) &&
             qi_event_set_guest_tb_before_exec(tb_exec) &&
             qi_event_set_guest_mem_before_trans(mem_trans) &&
             qi_event_set_guest_mem_before_exec(mem_exec));
}
