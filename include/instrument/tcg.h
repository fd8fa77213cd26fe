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

void instr_insn_start(DisasContextBase *db);
void instr_insn_end(DisasContextBase *db, CPUState *cpu);
void instr_tb_end(DisasContextBase *db, CPUState *cpu);

/* Called by qi_event_gen_<name>_exec(): translated code raises events */
void instr_tcg_exec_emitted(void);

/*
 * A guest memory access: tcg_gen_qemu_{ld,st}_*() call instr_mem_trans()
 * before emitting the access; the helpers that access guest memory
 * themselves (atomics, cpu_{ld,st}*_mmu()) call instr_mem_exec() once
 * done.
 */
void instr_mem_trans(TCGTemp *vaddr, MemOpIdx oi, bool store);
void instr_mem_exec(CPUState *cpu, uint64_t vaddr, MemOpIdx oi, bool store);

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

static inline void instr_mem_trans(TCGTemp *vaddr, MemOpIdx oi, bool store)
{
}

static inline void instr_mem_exec(CPUState *cpu, uint64_t vaddr,
                                  MemOpIdx oi, bool store)
{
}

static inline void instr_tb_exec(bool running)
{
}

#endif /* CONFIG_TRACE_INSTRUMENT */

#endif /* INSTRUMENT_TCG_H */
