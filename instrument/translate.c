/*
 * qemu-instr: guest execution events at translation time
 *
 * Copyright (c) 2026 qemu-instr developers
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * A _trans callback runs once the instruction (or block) is translated,
 * when its size and bytes are known; the ops it emits with
 * qi_event_gen_<name>_exec() go to the start of the instruction (or
 * block), through tcg_ctx->emit_before_op as plugin-gen.c inserts its
 * callbacks, so the _exec event comes before the instruction runs.
 */

#include "qemu/osdep.h"
#include "qemu/lockable.h"
#include "cpu.h"
#include "exec/exec-all.h"
#include "exec/translation-block.h"
#include "tcg/tcg.h"
#include "tcg/tcg-op.h"
#include "tcg/tcg-temp-internal.h"
#include "instrument/tcg.h"
#include "qemu-instr/inline.h"
#include "trace/trace-root.h"
#include "exec/tb-flush.h"
#include "internal.h"

#define HELPER_H "instrument/helpers.h"
#include "exec/helper-proto.h.inc"
#include "exec/helper-gen.h.inc"
#undef HELPER_H

/*
 * Translation is per thread; so are the places being instrumented: the
 * op after which the block's execution-time calls go (NULL: first), and
 * the instruction's insn_start op.
 */
static __thread TCGOp *instr_tb_mark;
static __thread TCGOp *instr_insn_mark;
static __thread uint64_t instr_insn_pc;
static __thread int instr_insn_num;
/* Memory trace records the block being translated appends */
static __thread uint32_t instr_tb_records;
/* In its guest_tb_before_trans callback: the block's instruction count */
static __thread uint32_t instr_gen_tb_insns;
static void instr_tb_adds_commit(TranslationBlock *tb);

/*
 * What the running _trans callback asked for its next execution-time
 * calls (qi_gen_regs(), qi_gen_exec_if()), and the site's values that
 * qi_event_gen_<name>_exec() passes (instr_tcg_site_value()).
 */
#define INSTR_MAX_CONDS 4
static __thread int instr_gen_access;
static __thread TCGLabel *instr_gen_skip[INSTR_MAX_CONDS];
static __thread int instr_gen_nconds;
static __thread bool instr_gen_conds_allowed;
static __thread TCGv_i64 instr_site_values[2];
/* guest_mem_after: the address of the access, kept across it */
static __thread TCGv instr_mem_after_addr;

/* A field of the vCPU's CPUNegativeOffsetState, from env (cpu_env()) */
#define INSTR_CPU_FIELD(field) \
    (offsetof(CPUState, neg.field) - sizeof(CPUState))
#define INSTR_MEM_TRACE(field) INSTR_CPU_FIELD(instr_mem_trace.field)

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
#define instr_trans_wanted(ID) trace_event_get_state_backends(TRACE_ ## ID)

/* Before a _trans event: its callback starts with the defaults */
static void instr_trans_begin(bool conds_allowed)
{
    instr_gen_access = QI_REGS_READ;
    instr_gen_nconds = 0;
    instr_gen_conds_allowed = conds_allowed;
}

/* After it: a condition not followed by a call guards nothing */
static void instr_trans_end(void)
{
    instr_tcg_exec_end();
}

void instr_trans_next(void)
{
    instr_tcg_exec_end();
    instr_gen_access = QI_REGS_READ;
}

int instr_tcg_exec_begin(void)
{
    instr_tcg_exec_emitted();
    return instr_gen_access;
}

void instr_tcg_exec_end(void)
{
    while (instr_gen_nconds) {
        gen_set_label(instr_gen_skip[--instr_gen_nconds]);
    }
}

TCGv_i64 instr_tcg_site_value(int n)
{
    assert(n < ARRAY_SIZE(instr_site_values) && instr_site_values[n]);
    return instr_site_values[n];
}

TCGv_ptr instr_tcg_vcpu(void)
{
    TCGv_ptr cpu = tcg_temp_ebb_new_ptr();

    tcg_gen_addi_ptr(cpu, tcg_env, -(intptr_t)sizeof(CPUState));
    return cpu;
}

void qi_gen_regs(QITCGv_cpu vcpu_exec, QIRegAccess access)
{
    if (access == QI_REGS_READ || access == QI_REGS_WRITE ||
        access == QI_REGS_NONE) {
        instr_gen_access = access;
    }
}

/*
 * Emit at the start of what @mark ends (the ops before the block's first
 * instruction, or an instruction's insn_start), not at the end of the
 * ops: see instr_emit_end().
 */
static void instr_emit_after(TCGOp *mark)
{
    tcg_ctx->emit_before_op = mark ? QTAILQ_NEXT(mark, link)
                                   : QTAILQ_FIRST(&tcg_ctx->ops);
}

static void instr_emit_end(void)
{
    tcg_ctx->emit_before_op = NULL;
}

/*
 * A block QEMU translates to run again the instruction whose device
 * access could not be done in the middle of a block (cpu_io_recompile()):
 * the instruction, its block and its accesses' _before events already
 * ran in the block that gave up, only the access and what follows it
 * had not.  As for TCG plugins, such a block raises only the
 * guest_mem_after events.
 */
static bool instr_tb_rerun(void)
{
    return tb_cflags(tcg_ctx->gen_tb) & CF_MEMI_ONLY;
}

void instr_insn_start(DisasContextBase *db)
{
    if (db->num_insns == 1) {
        instr_tb_mark = QTAILQ_PREV(db->insn_start, link);
        instr_tb_records = 0;
    }
    instr_insn_mark = db->insn_start;
    instr_insn_pc = db->pc_next;
    instr_insn_num = db->num_insns;
}

void instr_insn_end(DisasContextBase *db, CPUState *cpu)
{
    uint32_t size = db->pc_next - instr_insn_pc;
    uint8_t bytes[16] = { 0 };

    /*
     * The translator may drop the instruction to put it in the next block
     * (e.g. i386 when it crosses a page), removing its ops, our mark among
     * them: it is not part of this block.
     */
    if (db->num_insns < instr_insn_num || size == 0 || instr_tb_rerun() ||
        !instr_trans_wanted(GUEST_INSN_BEFORE_TRANS)) {
        return;
    }
    /* The bytes the translator read, as plugins get them */
    if (!translator_st(db, bytes, instr_insn_pc, MIN(size, sizeof(bytes)))) {
        cpu_memory_rw_debug(cpu, instr_insn_pc, bytes,
                            MIN(size, sizeof(bytes)), false);
    }
    instr_emit_after(instr_insn_mark);
    instr_trans_begin(true);
    trace_guest_insn_before_trans(cpu, tcg_env, instr_insn_pc, size, bytes);
    instr_trans_end();
    instr_emit_end();
}

/*
 * On entry to a block that appends memory trace records: reserve them,
 * and make room unless they fit.
 */
static void instr_gen_mem_trace_check(uint32_t n)
{
    TCGv_ptr pos = tcg_temp_ebb_new_ptr();
    TCGv_ptr end = tcg_temp_ebb_new_ptr();
    TCGv_i64 pos64 = tcg_temp_ebb_new_i64();
    TCGv_i64 end64 = tcg_temp_ebb_new_i64();
    TCGLabel *fits = gen_new_label();

    tcg_gen_st_i32(tcg_constant_i32(n), tcg_env, INSTR_MEM_TRACE(reserved));
    tcg_gen_ld_ptr(pos, tcg_env, INSTR_MEM_TRACE(pos));
    tcg_gen_ld_ptr(end, tcg_env, INSTR_MEM_TRACE(end));
    tcg_gen_addi_ptr(pos, pos, n * sizeof(QIMemRecord));
    tcg_gen_extu_ptr_i64(pos64, pos);
    tcg_gen_extu_ptr_i64(end64, end);
    tcg_temp_free_ptr(pos);
    tcg_temp_free_ptr(end);
    tcg_gen_brcond_i64(TCG_COND_LEU, pos64, end64, fits);
    tcg_temp_free_i64(pos64);
    tcg_temp_free_i64(end64);
    gen_helper_instr_mem_trace_room(tcg_env, tcg_constant_i32(n));
    gen_set_label(fits);
}

/* The label a branch op jumps to, or NULL if @op is not a branch */
static TCGLabel *instr_op_branch_label(TCGOp *op)
{
    switch (op->opc) {
    case INDEX_op_br:
        return arg_label(op->args[0]);
    case INDEX_op_brcond_i32:
    case INDEX_op_brcond_i64:
        return arg_label(op->args[3]);
    case INDEX_op_brcond2_i32:
        return arg_label(op->args[5]);
    default:
        return NULL;
    }
}

/*
 * A block may loop inside itself (i386's REP string instructions run up
 * to 65535 iterations in one pass), running its memory trace sites more
 * than once: the room reserved on entry does not bound what it appends.
 * Check again at each loop head, the set_label op of a backward branch:
 * from one check to the next, each site runs at most once.  A label
 * starts a basic block, so nothing of the translator's lives across the
 * check there.
 */
static void instr_gen_mem_trace_loop_checks(uint32_t n)
{
    int nb = tcg_ctx->nb_labels;
    g_autofree TCGOp **label_op = g_new0(TCGOp *, nb);
    g_autofree bool *head = g_new0(bool, nb);
    TCGOp *op;
    int i;

    QTAILQ_FOREACH(op, &tcg_ctx->ops, link) {
        TCGLabel *l = instr_op_branch_label(op);

        if (op->opc == INDEX_op_set_label) {
            l = arg_label(op->args[0]);
            label_op[l->id] = op;
        } else if (l && label_op[l->id]) {
            head[l->id] = true;
        }
    }
    for (i = 0; i < nb; i++) {
        if (head[i]) {
            instr_emit_after(label_op[i]);
            instr_gen_mem_trace_check(n);
        }
    }
    instr_emit_end();
}

void instr_tb_end(DisasContextBase *db, CPUState *cpu)
{
    if (instr_tb_records) {
        instr_gen_mem_trace_loop_checks(instr_tb_records);
    }
    instr_emit_after(instr_tb_mark);
    /* First on entry: the _exec callbacks may add records too */
    if (instr_tb_records) {
        instr_gen_mem_trace_check(instr_tb_records);
    }
    if (instr_trans_wanted(GUEST_TB_BEFORE_TRANS) && !instr_tb_rerun()) {
        instr_trans_begin(true);
        instr_gen_tb_insns = db->num_insns;
        trace_guest_tb_before_trans(cpu, tcg_env, db->pc_first,
                                    db->num_insns,
                                    db->pc_next - db->pc_first);
        instr_gen_tb_insns = 0;
        instr_trans_end();
    }
    instr_emit_end();
    instr_tb_adds_commit(db->tb);
}

/* The guest address of an access, as the target's translator made it */
#if TARGET_LONG_BITS == 32
#define instr_temp_tcgv_tl temp_tcgv_i32
#define instr_temp_ebb_new_tl tcg_temp_ebb_new_i32
#define instr_temp_free_tl tcg_temp_free_i32
#else
#define instr_temp_tcgv_tl temp_tcgv_i64
#define instr_temp_ebb_new_tl tcg_temp_ebb_new_i64
#define instr_temp_free_tl tcg_temp_free_i64
#endif

TCGv_i64 instr_tcg_u64(TCGTemp *v)
{
    TCGv_i64 v64 = tcg_temp_ebb_new_i64();

    tcg_gen_extu_tl_i64(v64, instr_temp_tcgv_tl(v));
    return v64;
}

void instr_mem_trans(TCGTemp *vaddr, MemOpIdx oi, bool store)
{
    instr_mem_after_addr = NULL;
    if (instr_trans_wanted(GUEST_MEM_AFTER_TRANS)) {
        /* The access may overwrite its address (e.g. a load into it) */
        instr_mem_after_addr = instr_temp_ebb_new_tl();
        tcg_gen_mov_tl(instr_mem_after_addr, instr_temp_tcgv_tl(vaddr));
    }
    if (!instr_trans_wanted(GUEST_MEM_BEFORE_TRANS) || instr_tb_rerun()) {
        return;
    }
    /* No branches in the middle of a guest instruction: no conditions */
    instr_trans_begin(false);
    trace_guest_mem_before_trans(tcg_ctx->cpu, tcg_env,
                                 instr_temp_tcgv_tl(vaddr),
                                 instr_mem_info(oi, store));
    instr_trans_end();
}

/* @val: the value loaded or stored, as an i64 zero-extended from the size */
static TCGv_i64 instr_mem_value_i64(TCGTemp *val, MemOp op)
{
    TCGv_i64 v = tcg_temp_ebb_new_i64();
    unsigned bits = 8 << (op & MO_SIZE);

    if (val->base_type == TCG_TYPE_I32) {
        tcg_gen_extu_i32_i64(v, temp_tcgv_i32(val));
    } else {
        tcg_gen_mov_i64(v, temp_tcgv_i64(val));
    }
    if (bits < 64) {
        tcg_gen_extract_i64(v, v, 0, bits);
    }
    return v;
}

static void instr_mem_after_trans(TCGTemp *lo, TCGTemp *hi, MemOpIdx oi,
                                  bool store)
{
    TCGv addr = instr_mem_after_addr;

    if (!addr) {
        return;
    }
    instr_mem_after_addr = NULL;
    instr_site_values[0] = instr_mem_value_i64(lo, get_memop(oi));
    instr_site_values[1] = hi ? temp_tcgv_i64(hi) : tcg_constant_i64(0);
    instr_trans_begin(false);
    trace_guest_mem_after_trans(tcg_ctx->cpu, tcg_env, addr,
                                instr_mem_info(oi, store));
    instr_trans_end();
    tcg_temp_free_i64(instr_site_values[0]);
    instr_site_values[0] = instr_site_values[1] = NULL;
    instr_temp_free_tl(addr);
}

void instr_mem_after(TCGTemp *val, MemOpIdx oi, bool store)
{
    instr_mem_after_trans(val, NULL, oi, store);
}

void instr_mem_after_i128(TCGv_i128 val, MemOpIdx oi, bool store)
{
    TCGv_i64 lo, hi;

    if (!instr_mem_after_addr) {
        return;
    }
    lo = tcg_temp_ebb_new_i64();
    hi = tcg_temp_ebb_new_i64();
    tcg_gen_extr_i128_i64(lo, hi, val);
    instr_mem_after_trans(tcgv_i64_temp(lo), tcgv_i64_temp(hi), oi, store);
    tcg_temp_free_i64(lo);
    tcg_temp_free_i64(hi);
}

/*
 * Counters in one page share the constant their address is an offset
 * from: two adds in a block (blocks and instructions) then materialize
 * one address, not two.
 */
#define INSTR_COUNTER_BASE_ALIGN 4096

void qi_gen_add_u64(QITCGv_cpu vcpu_exec, uint64_t *counter, uint64_t value)
{
    uintptr_t base = QEMU_ALIGN_DOWN((uintptr_t)counter,
                                     INSTR_COUNTER_BASE_ALIGN);
    TCGv_ptr ptr = tcg_constant_ptr(base);
    TCGv_i64 val = tcg_temp_ebb_new_i64();
    tcg_target_long offset = (uintptr_t)counter - base;

    tcg_gen_ld_i64(val, ptr, offset);
    tcg_gen_addi_i64(val, val, value);
    tcg_gen_st_i64(val, ptr, offset);
    tcg_temp_free_i64(val);
    instr_tcg_exec_emitted();
}

/* The running vCPU's entry of a scoreboard, at @offset */
static TCGv_ptr instr_gen_vcpu_entry(size_t offset)
{
    TCGv_ptr ptr = tcg_temp_ebb_new_ptr();

    tcg_gen_ld_ptr(ptr, tcg_env, INSTR_CPU_FIELD(instr_scoreboard));
    tcg_gen_addi_ptr(ptr, ptr, offset);
    return ptr;
}

void instr_tcg_count(QILibrary *self, QIEventID id)
{
    InstrLibrary *lib = self ? self->qemu : NULL;
    QIScoreboard *sb = lib ? qatomic_read(&lib->stats_sb) : NULL;

    if (sb) {
        qi_gen_vcpu_add_u64(NULL, sb, id * sizeof(uint64_t), 1);
    }
}

void qi_gen_vcpu_add_u64(QITCGv_cpu vcpu_exec, QIScoreboard *sb,
                         size_t offset, uint64_t value)
{
    TCGv_ptr ptr;
    TCGv_i64 val;

    if (!instr_scoreboard_offset(sb, offset, &offset)) {
        return;
    }
    ptr = instr_gen_vcpu_entry(0);
    val = tcg_temp_ebb_new_i64();
    tcg_gen_ld_i64(val, ptr, offset);
    tcg_gen_addi_i64(val, val, value);
    tcg_gen_st_i64(val, ptr, offset);
    tcg_temp_free_i64(val);
    tcg_temp_free_ptr(ptr);
    instr_tcg_exec_emitted();
}

/*
 * Exact instruction counts at the cost of an add per block
 * (qi_gen_vcpu_add_insns()): the block adds what all its instructions
 * add on entry; when it is left early, cpu_restore_state_from_tb() says
 * how many of them did not start, and instr_tb_restore() takes their
 * share back.  QEMU restores the state only to leave the block (its
 * -icount counts the same way).  The adds of each block are kept in
 * instr_tb_adds from its translation on.  Every translation replaces the
 * entry of its TranslationBlock, so one left by a block that QEMU dropped
 * (a duplicate, or after a flush) never outlives the next block at the
 * same address, the only one that can run there.
 */
typedef struct InstrTbAdd {
    size_t offset;              /* in the vCPU's scoreboard area */
    uint64_t per_insn;
} InstrTbAdd;

static QemuMutex instr_tb_adds_lock;
static GHashTable *instr_tb_adds;   /* TranslationBlock -> GArray of adds */
static bool instr_tb_adds_used;     /* once an entry was made */
static __thread GArray *instr_tb_adds_pending;

static void __attribute__((constructor)) instr_tb_adds_init(void)
{
    qemu_mutex_init(&instr_tb_adds_lock);
    instr_tb_adds = g_hash_table_new_full(NULL, NULL, NULL,
                                          (GDestroyNotify)g_array_unref);
}

static void instr_tb_adds_commit(TranslationBlock *tb)
{
    GArray *adds = instr_tb_adds_pending;

    instr_tb_adds_pending = NULL;
    if (!adds && !qatomic_read(&instr_tb_adds_used)) {
        return;
    }
    QEMU_LOCK_GUARD(&instr_tb_adds_lock);
    if (adds) {
        qatomic_set(&instr_tb_adds_used, true);
        g_hash_table_insert(instr_tb_adds, tb, adds);
    } else {
        g_hash_table_remove(instr_tb_adds, tb);
    }
}

void instr_tb_restore(CPUState *cpu, TranslationBlock *tb, int insns_left)
{
    uint8_t *area = cpu->neg.instr_scoreboard;
    GArray *adds;
    int i;

    /* The instruction being left started: it counts */
    if (likely(!qatomic_read(&instr_tb_adds_used)) || insns_left <= 1 ||
        !area) {
        return;
    }
    QEMU_LOCK_GUARD(&instr_tb_adds_lock);
    adds = g_hash_table_lookup(instr_tb_adds, tb);
    for (i = 0; adds && i < adds->len; i++) {
        InstrTbAdd *add = &g_array_index(adds, InstrTbAdd, i);
        uint64_t *counter = (uint64_t *)(area + add->offset);

        /* Only this vCPU's thread writes its entry */
        qatomic_set__nocheck(counter, qatomic_read__nocheck(counter) -
                             add->per_insn * (insns_left - 1));
    }
}

bool qi_gen_vcpu_add_insns(QITCGv_cpu vcpu_exec, QIScoreboard *sb,
                           size_t offset, uint64_t per_insn)
{
    InstrTbAdd add = { .per_insn = per_insn };

    if (!instr_gen_tb_insns ||
        !instr_scoreboard_offset(sb, offset, &add.offset)) {
        return false;
    }
    qi_gen_vcpu_add_u64(vcpu_exec, sb, offset,
                        per_insn * instr_gen_tb_insns);
    if (!instr_tb_adds_pending) {
        instr_tb_adds_pending = g_array_new(false, false,
                                            sizeof(InstrTbAdd));
    }
    g_array_append_val(instr_tb_adds_pending, add);
    return true;
}

bool qi_gen_exec_if(QITCGv_cpu vcpu_exec, QIScoreboard *sb, size_t offset,
                    QICond cond, uint64_t value)
{
    /* The inverse: branch over the call when the condition fails */
    static const TCGCond skip[] = {
        [QI_COND_EQ] = TCG_COND_NE, [QI_COND_NE] = TCG_COND_EQ,
        [QI_COND_LT] = TCG_COND_GEU, [QI_COND_LE] = TCG_COND_GTU,
        [QI_COND_GT] = TCG_COND_LEU, [QI_COND_GE] = TCG_COND_LTU,
    };
    TCGv_ptr ptr;
    TCGv_i64 val;
    TCGLabel *label;

    if ((unsigned)cond >= ARRAY_SIZE(skip) || !instr_gen_conds_allowed ||
        instr_gen_nconds == INSTR_MAX_CONDS ||
        !instr_scoreboard_offset(sb, offset, &offset)) {
        return false;
    }
    ptr = instr_gen_vcpu_entry(0);
    val = tcg_temp_ebb_new_i64();
    label = gen_new_label();
    tcg_gen_ld_i64(val, ptr, offset);
    tcg_temp_free_ptr(ptr);
    tcg_gen_brcondi_i64(skip[cond], val, value, label);
    tcg_temp_free_i64(val);
    instr_gen_skip[instr_gen_nconds++] = label;
    instr_tcg_exec_emitted();
    return true;
}

void qi_gen_mem_trace(QITCGv_cpu vcpu_exec, QITCGv vaddr, QIMemInfo info)
{
    TCGv_ptr pos = tcg_temp_ebb_new_ptr();
    TCGv_i64 addr = tcg_temp_ebb_new_i64();
    uint32_t bits;

    QEMU_BUILD_BUG_ON(sizeof(info) != sizeof(bits));
    memcpy(&bits, &info, sizeof(bits));
    tcg_gen_ld_ptr(pos, tcg_env, INSTR_MEM_TRACE(pos));
    tcg_gen_extu_tl_i64(addr, (TCGv)vaddr);
    tcg_gen_st_i64(addr, pos, offsetof(QIMemRecord, vaddr));
    tcg_gen_st_i64(tcg_constant_i64(instr_insn_pc), pos,
                   offsetof(QIMemRecord, pc));
    tcg_gen_st_i32(tcg_constant_i32(bits), pos, offsetof(QIMemRecord, info));
    tcg_gen_addi_ptr(pos, pos, sizeof(QIMemRecord));
    tcg_gen_st_ptr(pos, tcg_env, INSTR_MEM_TRACE(pos));
    tcg_temp_free_ptr(pos);
    tcg_temp_free_i64(addr);
    instr_tb_records++;
    instr_tcg_exec_emitted();
}

void HELPER(instr_mem_trace_room)(CPUArchState *env, uint32_t n)
{
    instr_mem_trace_room(env_cpu(env), n);
}

static void instr_tb_flush_work(CPUState *cpu, run_on_cpu_data data)
{
    tb_flush(cpu);              /* exclusive: at once */
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

    if (!cpu || !(loaded || emitted)) {
        return;
    }
    /*
     * At once in an exclusive section (unload).  Anywhere else, as safe
     * work: with a single TCG thread, 10.0's tb_flush() takes any caller
     * for the one translating, and flushes under the vCPU running (from
     * the monitor) or under the very block running (from a callback).
     */
    if (cpu_in_exclusive_context(cpu)) {
        tb_flush(cpu);
    } else {
        async_safe_run_on_cpu(cpu, instr_tb_flush_work, RUN_ON_CPU_NULL);
    }
}
