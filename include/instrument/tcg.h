/*
 * qemu-instr: hooks of the guest execution events into the translator
 *
 * Copyright (c) 2026 qemu-instr developers
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * translator_loop() calls these unconditionally; without instrumentation
 * they compile to nothing.  Each raises the _trans event of a guest
 * execution event once the instruction or block is translated, and has
 * the execution-time calls its callback emits placed at the start of the
 * instruction or block.
 */

#ifndef INSTRUMENT_TCG_H
#define INSTRUMENT_TCG_H

#include "exec/translator.h"
#include "exec/memopidx.h"
#include "tcg/tcg.h"

#ifdef CONFIG_TRACE_INSTRUMENT
#include "qemu-instr/library.h"

void instr_insn_start(DisasContextBase *db);
void instr_insn_end(DisasContextBase *db, CPUState *cpu);
void instr_tb_end(DisasContextBase *db, CPUState *cpu);

/*
 * cpu_restore_state_from_tb(): @cpu leaves @tb in the middle, with
 * @insns_left of its instructions not done, the one it is in included
 */
void instr_tb_restore(CPUState *cpu, TranslationBlock *tb, int insns_left);

/*
 * qi_event_gen_<name>_exec() (tcg-events.c) emits the call of a helper
 * between these: begin returns the QIRegAccess the _trans callback asked
 * for (qi_gen_regs()) and opens the condition of qi_gen_exec_if(), end
 * closes it.  instr_tcg_site_value(n) is the TCG value of the site that
 * the event's nth "TCGv_i64" argument passes (e.g. the value a memory
 * access loaded).
 */
int instr_tcg_exec_begin(void);
void instr_tcg_exec_end(void);
TCGv_i64 instr_tcg_site_value(int n);

/*
 * A call of QI_REGS_NONE calls the callback itself: instr_tcg_vcpu() is
 * its first argument (the CPUState of env), instr_tcg_u64() a guest
 * address as the uint64_t it takes (new temps, for the caller to free).
 * A callback that takes a small struct (QIMemInfo) gets it as the bits
 * that instr_mem_info_pack() gives, where the host passes it so.
 */
TCGv_ptr instr_tcg_vcpu(void);
TCGv_i64 instr_tcg_u64(TCGTemp *v);
#if !HOST_BIG_ENDIAN && (defined(__x86_64__) || defined(__aarch64__))
#define INSTR_DIRECT_STRUCT_ARGS 1
#else
#define INSTR_DIRECT_STRUCT_ARGS 0
#endif

/*
 * Dynamic mode, between them: count the call at execution time if the
 * library @self counts its calls (event @id)
 */
void instr_tcg_count(QILibrary *self, QIEventID id);

/* Translated code may raise _exec events or refer to library data */
void instr_tcg_exec_emitted(void);

/*
 * The execution-time callback running on this thread (exec.c), for the
 * register API: helpers of _exec events (INSTR_EXEC_TB, with the host
 * return address into the block), helpers' memory accesses
 * (INSTR_EXEC_HELPER), system call events and discontinuities.
 */
typedef enum InstrExecKind {
    INSTR_EXEC_TB,
    INSTR_EXEC_HELPER,
    INSTR_EXEC_SYSCALL,
    INSTR_EXEC_SYSCALL_RET,
    INSTR_EXEC_DISCON,
    INSTR_EXEC_SIGNAL,
} InstrExecKind;

typedef struct InstrExecContext {
    CPUState *cpu;              /* NULL outside a callback */
    InstrExecKind kind;
    int access;                 /* QIRegAccess */
    uintptr_t ra;
    bool synced;                /* state brought up to date from @ra */
    GByteArray *saved_pc;       /* the PC register before that */
} InstrExecContext;

extern __thread InstrExecContext instr_exec_context;

void instr_exec_leave_synced(CPUState *cpu);

static inline void instr_exec_enter(CPUState *cpu, int access, uintptr_t ra)
{
    InstrExecContext *ctx = &instr_exec_context;

    ctx->cpu = cpu;
    ctx->kind = INSTR_EXEC_TB;
    ctx->access = access;
    ctx->ra = ra;
}

static inline void instr_exec_leave(CPUState *cpu)
{
    if (unlikely(instr_exec_context.synced)) {
        instr_exec_leave_synced(cpu);
    }
    instr_exec_context.cpu = NULL;
}

/*
 * A guest memory access: tcg_gen_qemu_{ld,st}_*() call instr_mem_trans()
 * before emitting the access and instr_mem_after() (with the value
 * loaded or stored) after it; the helpers that access guest memory
 * themselves (atomics, cpu_{ld,st}*_mmu()) call instr_mem_exec() once
 * done.
 */
void instr_mem_trans(TCGTemp *vaddr, MemOpIdx oi, bool store);
void instr_mem_after(TCGTemp *val, MemOpIdx oi, bool store);
void instr_mem_after_i128(TCGv_i128 val, MemOpIdx oi, bool store);
void instr_mem_exec(CPUArchState *env, uint64_t vaddr, MemOpIdx oi,
                    bool store, uint64_t value, uint64_t value_hi);

/*
 * Whether this thread runs translated code: accesses QEMU makes outside
 * it (e.g. reading descriptor tables to set up a vCPU or deliver an
 * interrupt) are not the guest's instructions' and raise no event.
 */
extern __thread bool instr_tb_running;

static inline void instr_tb_exec(bool running)
{
    instr_tb_running = running;
}

#else

static inline void instr_insn_start(DisasContextBase *db)
{
}

static inline void instr_insn_end(DisasContextBase *db, CPUState *cpu)
{
}

static inline void instr_tb_end(DisasContextBase *db, CPUState *cpu)
{
}

static inline void instr_tb_restore(CPUState *cpu, TranslationBlock *tb,
                                    int insns_left)
{
}

static inline void instr_mem_trans(TCGTemp *vaddr, MemOpIdx oi, bool store)
{
}

static inline void instr_mem_after(TCGTemp *val, MemOpIdx oi, bool store)
{
}

static inline void instr_mem_after_i128(TCGv_i128 val, MemOpIdx oi,
                                        bool store)
{
}

static inline void instr_mem_exec(CPUArchState *env, uint64_t vaddr,
                                  MemOpIdx oi, bool store, uint64_t value,
                                  uint64_t value_hi)
{
}

static inline void instr_tb_exec(bool running)
{
}

#endif /* CONFIG_TRACE_INSTRUMENT */

#endif /* INSTRUMENT_TCG_H */
