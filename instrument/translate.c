/*
 * qemu-instr: guest execution events at translation time
 *
 * Copyright (c) 2026 qemu-instr developers
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * A _trans callback runs once the instruction (or block) is translated,
 * when its size and bytes are known; the ops it emits with
 * qi_event_gen_<name>_exec() are then moved to the start of the
 * instruction (or block), so the _exec event comes before it runs.
 */

#include "qemu/osdep.h"
#include "cpu.h"
#include "exec/exec-all.h"
#include "tcg/tcg.h"
#include "instrument/tcg.h"
#include "trace/trace-root.h"
#include "internal.h"

/* Translation is per thread; so are the places being instrumented */
static __thread TCGOp *instr_tb_mark;
static __thread TCGOp *instr_insn_mark;
static __thread uint64_t instr_insn_pc;
static __thread int instr_insn_num;

/* Whether translated code may call _exec callbacks (see unload) */
static bool instr_exec_emitted;

void instr_tcg_exec_emitted(void)
{
    qatomic_set(&instr_exec_emitted, true);
}

/*
 * Whether a callback or the tracing backend wants the _trans event: with
 * no library loaded, translation does no extra work (e.g. reading the
 * instruction's bytes).  Static mode always calls the library.
 */
#ifdef CONFIG_TRACE_INSTRUMENT_DYNAMIC
#define instr_trans_wanted(ID) \
    (instr_event_get(QI_EVENT_ ## ID) || \
     trace_event_get_state_backends(TRACE_ ## ID))
#else
#define instr_trans_wanted(ID) true
#endif

/* Move the ops emitted after @last to right after @mark */
static void instr_move_ops(TCGOp *last, TCGOp *mark)
{
    TCGOp *op = last ? QTAILQ_NEXT(last, link)
                     : QTAILQ_FIRST(&tcg_ctx->ops);

    if (last == mark) {
        return;
    }
    while (op) {
        TCGOp *next = QTAILQ_NEXT(op, link);

        QTAILQ_REMOVE(&tcg_ctx->ops, op, link);
        if (mark) {
            QTAILQ_INSERT_AFTER(&tcg_ctx->ops, mark, op, link);
        } else {
            QTAILQ_INSERT_HEAD(&tcg_ctx->ops, op, link);
        }
        mark = op;
        op = next;
    }
}

void instr_tb_start(DisasContextBase *db)
{
    instr_tb_mark = tcg_last_op();
}

void instr_insn_start(DisasContextBase *db)
{
    instr_insn_mark = tcg_last_op();
    instr_insn_pc = db->pc_next;
    instr_insn_num = db->num_insns;
}

void instr_insn_end(DisasContextBase *db, CPUState *cpu)
{
    uint32_t size = db->pc_next - instr_insn_pc;
    uint8_t bytes[16] = { 0 };
    TCGOp *last = tcg_last_op();

    /*
     * The translator may drop the instruction to put it in the next block
     * (e.g. i386 when it crosses a page), removing its ops, our mark among
     * them: it is not part of this block.
     */
    if (db->num_insns < instr_insn_num || size == 0 ||
        !instr_trans_wanted(GUEST_INSN_BEFORE_TRANS)) {
        return;
    }
    cpu_memory_rw_debug(cpu, instr_insn_pc, bytes, MIN(size, sizeof(bytes)),
                        false);
    trace_guest_insn_before_trans(cpu, cpu_env, instr_insn_pc, size, bytes);
    instr_move_ops(last, instr_insn_mark);
}

void instr_tb_end(DisasContextBase *db, CPUState *cpu)
{
    TCGOp *last = tcg_last_op();

    if (!instr_trans_wanted(GUEST_TB_BEFORE_TRANS)) {
        return;
    }
    trace_guest_tb_before_trans(cpu, cpu_env, db->pc_first, db->num_insns,
                                db->pc_next - db->pc_first);
    instr_move_ops(last, instr_tb_mark);
}

void instr_mem_trans(TCGv vaddr, MemOpIdx oi, bool store)
{
    if (!instr_trans_wanted(GUEST_MEM_BEFORE_TRANS)) {
        return;
    }
    trace_guest_mem_before_trans(tcg_ctx->cpu, cpu_env, vaddr,
                                 instr_mem_info(oi, store));
}

void instr_translations_flush(bool loaded)
{
    /*
     * After a load, code translated before must be translated again for
     * the library's _trans callbacks to see it.  After an unload, this
     * only drops calls nobody wants any more: translated code raises
     * _exec events through QEMU's dispatch, so a stale block cannot call
     * into an unloaded library.
     */
    bool emitted = qatomic_xchg(&instr_exec_emitted, false);

    if (first_cpu && (loaded || emitted)) {
        tb_flush(first_cpu);
    }
}
