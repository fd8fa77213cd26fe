/*
 * qemu-instr: hooks of trace-event instrumentation into user-mode system
 * call emulation
 *
 * Copyright (c) 2026 qemu-instr developers
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * do_syscall() raises guest_user_syscall and guest_user_syscall_ret
 * through record_syscall_start() and record_syscall_return(); their
 * callbacks may skip the call, change its number, arguments or result,
 * or redirect the vCPU (qemu-instr/state.h).  Without instrumentation
 * only the events remain.
 */

#ifndef INSTRUMENT_SYSCALL_H
#define INSTRUMENT_SYSCALL_H

#include "trace/trace-root.h"

#ifdef CONFIG_TRACE_INSTRUMENT

#include <setjmp.h>

/* What the callbacks of the system call running on this thread asked */
typedef struct InstrSyscall {
    sigjmp_buf redirect;    /* qi_vcpu_set_pc(): do_syscall() returns */
    uint64_t args[7];       /* number, arguments 1 to 6 */
    uint32_t changed;       /* bit n: args[n] was set */
    bool skip;
    int64_t ret;            /* of a skipped call */
    bool ret_changed;
    int64_t new_ret;
} InstrSyscall;

extern __thread InstrSyscall instr_syscall;

/* Raise guest_user_syscall, guest_user_syscall_ret */
void instr_syscall_start(CPUState *cpu, int num, uint64_t arg1,
                         uint64_t arg2, uint64_t arg3, uint64_t arg4,
                         uint64_t arg5, uint64_t arg6, uint64_t arg7,
                         uint64_t arg8);
void instr_syscall_return(CPUState *cpu, int num, uint64_t ret);

/*
 * In do_syscall(), before the events: true when a callback redirected
 * the vCPU, which then needs no result (-QEMU_ESIGRETURN).
 */
#define instr_syscall_redirected() \
    unlikely(sigsetjmp(instr_syscall.redirect, 0) != 0)

/* What follows is for do_syscall(), with its target's abi_long */
#ifdef COMPILING_PER_TARGET

/* After guest_user_syscall: the call's new values; true to skip it */
static inline bool instr_syscall_skipped(int *num, abi_long *arg1,
                                         abi_long *arg2, abi_long *arg3,
                                         abi_long *arg4, abi_long *arg5,
                                         abi_long *arg6, abi_long *ret)
{
    InstrSyscall *s = &instr_syscall;
    abi_long *args[] = { arg1, arg2, arg3, arg4, arg5, arg6 };
    bool skip = s->skip;
    int i;

    if (likely(!s->changed && !skip)) {
        return false;
    }
    if (s->changed & 1) {
        *num = s->args[0];
    }
    for (i = 1; i <= ARRAY_SIZE(args); i++) {
        if (s->changed & (1u << i)) {
            *args[i - 1] = s->args[i];
        }
    }
    if (skip) {
        *ret = s->ret;
    }
    s->changed = 0;
    s->skip = false;
    return skip;
}

/* After guest_user_syscall_ret: the result the guest sees */
static inline abi_long instr_syscall_result(abi_long ret)
{
    if (unlikely(instr_syscall.ret_changed)) {
        instr_syscall.ret_changed = false;
        return instr_syscall.new_ret;
    }
    return ret;
}

#endif /* COMPILING_PER_TARGET */

#else

static inline void instr_syscall_start(CPUState *cpu, int num,
                                       uint64_t arg1, uint64_t arg2,
                                       uint64_t arg3, uint64_t arg4,
                                       uint64_t arg5, uint64_t arg6,
                                       uint64_t arg7, uint64_t arg8)
{
    trace_guest_user_syscall(cpu, num, arg1, arg2, arg3, arg4, arg5, arg6,
                             arg7, arg8);
}

static inline void instr_syscall_return(CPUState *cpu, int num,
                                        uint64_t ret)
{
    trace_guest_user_syscall_ret(cpu, num, ret);
}

#define instr_syscall_redirected() false

static inline bool instr_syscall_skipped(int *num, abi_long *arg1,
                                         abi_long *arg2, abi_long *arg3,
                                         abi_long *arg4, abi_long *arg5,
                                         abi_long *arg6, abi_long *ret)
{
    return false;
}

static inline abi_long instr_syscall_result(abi_long ret)
{
    return ret;
}

#endif /* CONFIG_TRACE_INSTRUMENT */

#endif /* INSTRUMENT_SYSCALL_H */
