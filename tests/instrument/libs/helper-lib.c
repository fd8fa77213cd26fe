/*
 * qemu-instr test library: a helper library that an instrumentation
 * library links against (helper.c), holding its callbacks and setting
 * them itself
 *
 * Its calls of the API pass qi_library as every library's do; ELF
 * symbol lookup finds the instrumentation library's, so QEMU counts
 * them as that library's.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include <qemu-instr/qemu-instr.h>

bool helper_attach(void);
uint64_t helper_count(void);

static uint64_t insns;

static void insn_exec(QICPU vcpu, uint64_t pc)
{
    __atomic_fetch_add(&insns, 1, __ATOMIC_RELAXED);
}

static void insn_trans(QICPU vcpu, QITCGv_cpu vcpu_exec, uint64_t pc,
                       uint32_t size, const uint8_t *bytes)
{
    qi_gen_regs(vcpu_exec, QI_REGS_NONE);
    qi_event_gen_guest_insn_before_exec(vcpu_exec, pc);
}

bool helper_attach(void)
{
    return qi_event_set_guest_insn_before_trans(insn_trans) &&
           qi_event_set_guest_insn_before_exec(insn_exec);
}

uint64_t helper_count(void)
{
    return insns;
}
