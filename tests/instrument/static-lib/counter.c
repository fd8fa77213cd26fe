/*
 * qemu-instr test library for static mode: count guest system calls
 *
 * The same source builds as a dynamic library too (QI_TYPE_DYNAMIC).
 * Also counts executed instructions, blocks, loads and stores through
 * the guest execution events.  Arguments (-instr arg=...): out=FILE,
 * where qi_fini() writes "syscalls N returns N insns N blocks N loads N
 * stores N mode static|dynamic"; without it, nothing.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include <stdio.h>
#include <string.h>
#include <qemu-instr/config.h>
#ifdef QI_TYPE_STATIC
/* What QEMU's trace headers see: the inlined callbacks */
#include "events-pre.h"
#include "events-post.h"
#endif
#include <qemu-instr/qemu-instr.h>
#include "counter.h"

unsigned long counter_returns;
static unsigned long calls, insns, blocks, loads, stores;
static const char *out;

void qi_event_guest_insn_before_trans(QICPU vcpu, QITCGv_cpu vcpu_exec,
                                      uint64_t pc, uint32_t size,
                                      const uint8_t *bytes)
{
    qi_event_gen_guest_insn_before_exec(vcpu_exec, pc);
}

void qi_event_guest_insn_before_exec(QICPU vcpu, uint64_t pc)
{
    __atomic_fetch_add(&insns, 1, __ATOMIC_RELAXED);
}

void qi_event_guest_tb_before_trans(QICPU vcpu, QITCGv_cpu vcpu_exec,
                                    uint64_t pc, uint32_t n_insns,
                                    uint32_t size)
{
    qi_event_gen_guest_tb_before_exec(vcpu_exec, pc);
}

void qi_event_guest_tb_before_exec(QICPU vcpu, uint64_t pc)
{
    __atomic_fetch_add(&blocks, 1, __ATOMIC_RELAXED);
}

void qi_event_guest_mem_before_trans(QICPU vcpu, QITCGv_cpu vcpu_exec,
                                     QITCGv vaddr, QIMemInfo info)
{
    qi_event_gen_guest_mem_before_exec(vcpu_exec, vaddr, info);
}

void qi_event_guest_mem_before_exec(QICPU vcpu, uint64_t vaddr,
                                    QIMemInfo info)
{
    __atomic_fetch_add(info.store ? &stores : &loads, 1, __ATOMIC_RELAXED);
}

void qi_event_guest_user_syscall(QICPU vcpu, uint64_t num, uint64_t a1,
                                 uint64_t a2, uint64_t a3, uint64_t a4,
                                 uint64_t a5, uint64_t a6, uint64_t a7,
                                 uint64_t a8)
{
    __atomic_fetch_add(&calls, 1, __ATOMIC_RELAXED);
}

#ifndef QI_EVENT_GUEST_USER_SYSCALL_RET_INLINE
/* Dynamic mode: the same work as the inlined static version */
void qi_event_guest_user_syscall_ret(QICPU vcpu, uint64_t num, uint64_t ret)
{
    __atomic_fetch_add(&counter_returns, 1, __ATOMIC_RELAXED);
}
#endif

void qi_fini(void)
{
    FILE *f = out ? fopen(out, "w") : NULL;

    if (f) {
        fprintf(f, "syscalls %lu returns %lu insns %lu blocks %lu loads %lu "
                "stores %lu mode %s\n", calls, counter_returns, insns, blocks,
                loads, stores, qi_ctrl_dynamic() ? "dynamic" : "static");
        fclose(f);
    }
}

int qi_init(int argc, const char **argv)
{
    /* Static mode calls it at every start, without arguments if no -instr */
    if (argc > 1 || (argc == 1 && strncmp(argv[0], "out=", 4) != 0)) {
        fprintf(stderr, "counter: usage: -instr arg=out=FILE\n");
        return 1;
    }
    out = argc ? argv[0] + 4 : NULL;
#ifdef QI_TYPE_DYNAMIC
    qi_ctrl_event_set(qi_ctrl_event_id(QI_EVENT_GUEST_USER_SYSCALL),
                      QI_CTRL_INSTR_AUTO);
    qi_ctrl_event_set(qi_ctrl_event_id(QI_EVENT_GUEST_USER_SYSCALL_RET),
                      QI_CTRL_INSTR_AUTO);
    qi_ctrl_event_set(qi_ctrl_event_id(QI_EVENT_GUEST_INSN_BEFORE_TRANS),
                      QI_CTRL_INSTR_AUTO);
    qi_ctrl_event_set(qi_ctrl_event_id(QI_EVENT_GUEST_INSN_BEFORE_EXEC),
                      QI_CTRL_INSTR_AUTO);
    qi_ctrl_event_set(qi_ctrl_event_id(QI_EVENT_GUEST_TB_BEFORE_TRANS),
                      QI_CTRL_INSTR_AUTO);
    qi_ctrl_event_set(qi_ctrl_event_id(QI_EVENT_GUEST_TB_BEFORE_EXEC),
                      QI_CTRL_INSTR_AUTO);
    qi_ctrl_event_set(qi_ctrl_event_id(QI_EVENT_GUEST_MEM_BEFORE_TRANS),
                      QI_CTRL_INSTR_AUTO);
    qi_ctrl_event_set(qi_ctrl_event_id(QI_EVENT_GUEST_MEM_BEFORE_EXEC),
                      QI_CTRL_INSTR_AUTO);
#endif
    return 0;
}
