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
#include <sys/mman.h>
#include "qemu/lockable.h"
#include "cpu.h"
#include "exec/exec-all.h"
#include "tcg/tcg.h"
#include "tcg/tcg-op.h"
#include "exec/helper-proto.h"
#include "exec/helper-gen.h"
#include "instrument/tcg.h"
#include "qemu-instr/inline.h"
#include "trace/trace-root.h"
#include "internal.h"

/* Translation is per thread; so are the places being instrumented */
static __thread TCGOp *instr_tb_mark;
static __thread TCGOp *instr_insn_mark;
static __thread uint64_t instr_insn_pc;
static __thread int instr_insn_num;
/* Memory trace records the block being translated appends */
static __thread uint32_t instr_tb_records;

/* A field of the vCPU's memory trace buffer, from env */
#define INSTR_MEM_TRACE(field) \
    (offsetof(ArchCPU, parent_obj.instr_mem_trace.field) - \
     offsetof(ArchCPU, env))

/* Whether translated code may call _exec callbacks (see unload) */
static bool instr_exec_emitted;

void instr_tcg_exec_emitted(void)
{
    qatomic_set(&instr_exec_emitted, true);
}

/*
 * Translated code calls a helper more than 2 GiB away (QEMU's own code,
 * when the code buffer is mapped far from the executable, as on x86-64
 * Linux) through the constant pool: an indirect call per call site.
 * With one _exec call per instruction or access, thousands of indirect
 * call sites defeat the CPU's branch predictors: an execution-time
 * callback cost 2.8 times what the same call costs direct (sqlite3,
 * instruction counting; docs/instrumentation.txt, "Performance").  So
 * the helpers of execution-time calls are reached through a stub near
 * the code buffer: a direct call, then one shared indirect jump that
 * predicts well.  Stubs are never freed: translated code may use them
 * until QEMU exits.
 */
#if defined(__x86_64__)
#define INSTR_STUB_SIZE 16
#define INSTR_STUB_PAGE 4096

/*
 * Stubs are only appended, under the lock; translation looks them up
 * without it (instr_stubs_used is published after the stub is written).
 */
static QemuMutex instr_stub_lock;
static uint8_t *instr_stubs;
static size_t instr_stubs_used;
static bool instr_stubs_unavailable;

static bool instr_stub_reachable(const void *stub, const void *from)
{
    intptr_t d = (intptr_t)stub - (intptr_t)from;

    return d > INT32_MIN / 2 && d < INT32_MAX / 2;
}

static void *instr_stub_find(void *fn)
{
    size_t used = qatomic_load_acquire(&instr_stubs_used);
    size_t i;

    for (i = 0; i < used; i += INSTR_STUB_SIZE) {
        if (ldq_he_p(instr_stubs + i + 8) == (uintptr_t)fn) {
            return instr_stubs + i;
        }
    }
    return NULL;
}

/* The stub jumping to @fn, or NULL if there is none within reach */
static void *instr_stub(void *fn)
{
    const uint8_t *buf = tcg_splitwx_to_rx(tcg_ctx->code_gen_buffer);
    const uint8_t *end = buf + tcg_ctx->code_gen_buffer_size;
    uint8_t *stub = instr_stub_find(fn);

    if (stub) {
        return stub;
    }
    QEMU_LOCK_GUARD(&instr_stub_lock);
    if (instr_stubs_unavailable) {
        return NULL;
    }
    if (!instr_stubs) {
        void *hint = (void *)(((uintptr_t)buf - 16 * INSTR_STUB_PAGE) &
                              -(uintptr_t)INSTR_STUB_PAGE);
        void *page = mmap(hint, INSTR_STUB_PAGE,
                          PROT_READ | PROT_WRITE | PROT_EXEC,
                          MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

        /* Not within reach: plain calls, and no more tries */
        if (page != MAP_FAILED && (!instr_stub_reachable(page, buf) ||
                                   !instr_stub_reachable(page, end))) {
            munmap(page, INSTR_STUB_PAGE);
            page = MAP_FAILED;
        }
        if (page == MAP_FAILED) {
            instr_stubs_unavailable = true;
            return NULL;
        }
        instr_stubs = page;
    }
    /* Another thread may have added it meanwhile */
    stub = instr_stub_find(fn);
    if (stub || instr_stubs_used == INSTR_STUB_PAGE) {
        return stub;
    }
    /* jmp *2(%rip); int3; int3; .quad fn */
    stub = instr_stubs + instr_stubs_used;
    stq_he_p(stub + 8, (uintptr_t)fn);
    memcpy(stub, "\xff\x25\x02\x00\x00\x00\xcc\xcc", 8);
    qatomic_store_release(&instr_stubs_used,
                          instr_stubs_used + INSTR_STUB_SIZE);
    return stub;
}

static void __attribute__((constructor)) instr_stub_init(void)
{
    qemu_mutex_init(&instr_stub_lock);
}

void instr_tcg_call_near(void)
{
    TCGOp *op = tcg_last_op();
    /* The called function, as tcg_call_func() finds it */
    uint64_t *fn = &op->args[TCGOP_CALLO(op) + TCGOP_CALLI(op)];
    void *stub;

    assert(op->opc == INDEX_op_call);
    stub = instr_stub((void *)(uintptr_t)*fn);
    if (stub) {
        *fn = (uintptr_t)stub;
    }
}
#else
void instr_tcg_call_near(void)
{
}
#endif

/*
 * Whether a callback or the tracing backend wants the _trans event: with
 * no library loaded, translation does no extra work (e.g. reading the
 * instruction's bytes).  Static mode always calls the library.
 */
#define instr_trans_wanted(ID) trace_event_get_state_backends(TRACE_ ## ID)

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
    instr_tb_records = 0;
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

/*
 * On entry to a block that appends memory trace records: reserve them,
 * and make room unless they fit.
 */
static void instr_gen_mem_trace_check(uint32_t n)
{
    TCGv_ptr pos = tcg_temp_new_ptr();
    TCGv_ptr end = tcg_temp_new_ptr();
    TCGv_i64 pos64 = tcg_temp_new_i64();
    TCGv_i64 end64 = tcg_temp_new_i64();
    TCGLabel *fits = gen_new_label();

    tcg_gen_st_i32(tcg_constant_i32(n), cpu_env, INSTR_MEM_TRACE(reserved));
    tcg_gen_ld_ptr(pos, cpu_env, INSTR_MEM_TRACE(pos));
    tcg_gen_ld_ptr(end, cpu_env, INSTR_MEM_TRACE(end));
    tcg_gen_addi_ptr(pos, pos, n * sizeof(QIMemRecord));
    tcg_gen_extu_ptr_i64(pos64, pos);
    tcg_gen_extu_ptr_i64(end64, end);
    tcg_gen_brcond_i64(TCG_COND_LEU, pos64, end64, fits);
    gen_helper_instr_mem_trace_room(cpu_env, tcg_constant_i32(n));
    instr_tcg_call_near();
    gen_set_label(fits);
    tcg_temp_free_ptr(pos);
    tcg_temp_free_ptr(end);
    tcg_temp_free_i64(pos64);
    tcg_temp_free_i64(end64);
}

void instr_tb_end(DisasContextBase *db, CPUState *cpu)
{
    TCGOp *last = tcg_last_op();

    /* First on entry: the _exec callbacks may add records too */
    if (instr_tb_records) {
        instr_gen_mem_trace_check(instr_tb_records);
    }
    if (instr_trans_wanted(GUEST_TB_BEFORE_TRANS)) {
        trace_guest_tb_before_trans(cpu, cpu_env, db->pc_first,
                                    db->num_insns,
                                    db->pc_next - db->pc_first);
    }
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

void qi_gen_add_u64(QITCGv_cpu vcpu_exec, uint64_t *counter, uint64_t value)
{
    TCGv_ptr ptr = tcg_constant_ptr(counter);
    TCGv_i64 val = tcg_temp_new_i64();

    tcg_gen_ld_i64(val, ptr, 0);
    tcg_gen_addi_i64(val, val, value);
    tcg_gen_st_i64(val, ptr, 0);
    tcg_temp_free_i64(val);
    instr_tcg_exec_emitted();
}

void qi_gen_mem_trace(QITCGv_cpu vcpu_exec, QITCGv vaddr, QIMemInfo info)
{
    TCGv_ptr pos = tcg_temp_new_ptr();
    TCGv_i64 addr = tcg_temp_new_i64();
    uint32_t bits;

    QEMU_BUILD_BUG_ON(sizeof(info) != sizeof(bits));
    memcpy(&bits, &info, sizeof(bits));
    tcg_gen_ld_ptr(pos, cpu_env, INSTR_MEM_TRACE(pos));
    tcg_gen_extu_tl_i64(addr, (TCGv)vaddr);
    tcg_gen_st_i64(addr, pos, offsetof(QIMemRecord, vaddr));
    tcg_gen_st_i64(tcg_constant_i64(instr_insn_pc), pos,
                   offsetof(QIMemRecord, pc));
    tcg_gen_st_i32(tcg_constant_i32(bits), pos, offsetof(QIMemRecord, info));
    tcg_gen_addi_ptr(pos, pos, sizeof(QIMemRecord));
    tcg_gen_st_ptr(pos, cpu_env, INSTR_MEM_TRACE(pos));
    tcg_temp_free_ptr(pos);
    tcg_temp_free_i64(addr);
    instr_tb_records++;
    instr_tcg_exec_emitted();
}

void HELPER(instr_mem_trace_room)(CPUArchState *env, uint32_t n)
{
    instr_mem_trace_room(env_cpu(env), n);
}

void instr_translations_flush(bool loaded)
{
    /*
     * After a load, code translated before must be translated again for
     * the library's _trans callbacks to see it.  After an unload, drop
     * the code that refers to the library: _exec calls go through QEMU's
     * dispatch, but inline counters and memory trace records point into
     * its data.  Unloads run in an exclusive section, where tb_flush()
     * flushes at once, before the library is closed.
     */
    bool emitted = qatomic_xchg(&instr_exec_emitted, false);
    CPUState *cpu = current_cpu ? current_cpu : first_cpu;

    /* At once in an exclusive section (unload), else when vCPUs can */
    if (cpu && (loaded || emitted)) {
        tb_flush(cpu);
    }
}
