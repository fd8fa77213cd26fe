/*
 * qemu-instr: the parts of qemu-instr/state.h that depend on the mode,
 * user mode: physical memory and system calls
 *
 * Copyright (c) 2026 qemu-instr developers
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * A user-mode guest has no physical address space.
 */

#include "qemu/osdep.h"
#include "hw/core/cpu.h"
#include "qemu-instr/state.h"
#include "qemu-instr/inline.h"
#include "instrument/tcg.h"
#include "internal.h"
#include "instrument/syscall.h"

bool qi_mem_read_phys(uint64_t paddr, void *buf, size_t size)
{
    return false;
}

bool qi_mem_write_phys(uint64_t paddr, const void *buf, size_t size)
{
    return false;
}

bool qi_mem_virt_to_phys(QICPU vcpu, uint64_t vaddr, uint64_t *paddr)
{
    return false;
}

/*
 * System calls: instr_syscall_start() and instr_syscall_return() raise
 * the events with the callbacks' context set; include/instrument/
 * syscall.h applies what the callbacks asked to do_syscall()'s values.
 */

__thread InstrSyscall instr_syscall;

void instr_syscall_start(CPUState *cpu, int num, uint64_t arg1,
                         uint64_t arg2, uint64_t arg3, uint64_t arg4,
                         uint64_t arg5, uint64_t arg6, uint64_t arg7,
                         uint64_t arg8)
{
    InstrExecContext *ctx = &instr_exec_context;

    instr_syscall.changed = 0;
    instr_syscall.skip = false;
    instr_exec_enter(cpu, QI_REGS_WRITE, 0);
    ctx->kind = INSTR_EXEC_SYSCALL;
    trace_guest_user_syscall(cpu, num, arg1, arg2, arg3, arg4, arg5, arg6,
                             arg7, arg8);
    instr_exec_leave(cpu);
}

void instr_syscall_return(CPUState *cpu, int num, uint64_t ret)
{
    InstrExecContext *ctx = &instr_exec_context;

    instr_syscall.ret_changed = false;
    instr_exec_enter(cpu, QI_REGS_WRITE, 0);
    ctx->kind = INSTR_EXEC_SYSCALL_RET;
    trace_guest_user_syscall_ret(cpu, num, ret);
    instr_exec_leave(cpu);
}

/* The system call event running on @vcpu's thread, of @kind */
static bool instr_syscall_in(QICPU vcpu, InstrExecKind kind)
{
    InstrExecContext *ctx = instr_exec_context_of((CPUState *)vcpu, false);

    return ctx && ctx->kind == kind;
}

bool qi_syscall_skip(QICPU vcpu, int64_t ret)
{
    if (!instr_syscall_in(vcpu, INSTR_EXEC_SYSCALL)) {
        return false;
    }
    instr_syscall.skip = true;
    instr_syscall.ret = ret;
    return true;
}

bool qi_syscall_set_arg(QICPU vcpu, int n, uint64_t value)
{
    if (n < 0 || n >= ARRAY_SIZE(instr_syscall.args) ||
        !instr_syscall_in(vcpu, INSTR_EXEC_SYSCALL)) {
        return false;
    }
    instr_syscall.args[n] = value;
    instr_syscall.changed |= 1u << n;
    return true;
}

bool qi_syscall_set_ret(QICPU vcpu, int64_t ret)
{
    if (!instr_syscall_in(vcpu, INSTR_EXEC_SYSCALL_RET)) {
        return false;
    }
    instr_syscall.ret_changed = true;
    instr_syscall.new_ret = ret;
    return true;
}

void instr_syscall_redirect(CPUState *cpu, uint64_t pc)
{
    instr_exec_context.cpu = NULL;
    instr_syscall.changed = 0;
    instr_syscall.skip = false;
    instr_syscall.ret_changed = false;
    cpu_set_pc(cpu, pc);
    siglongjmp(instr_syscall.redirect, 1);
}
