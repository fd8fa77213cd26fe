/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * qemu-instr: work done inline by translated code, without a call
 *
 * Copyright (c) 2026 qemu-instr developers
 *
 * A _trans callback may emit, instead of (or besides) an execution-time
 * callback, code that does the work itself each time the guest code
 * runs: add to a counter, or append a record of a memory access to a
 * buffer of the vCPU that the library gets in batches.  Both modes
 * support it; it is what makes counting and tracing cost a few host
 * instructions per event rather than a call.
 */

#ifndef QEMU_INSTR_INLINE_H
#define QEMU_INSTR_INLINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "qemu-instr/types.h"
#include "qemu-instr/library.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * qi_gen_add_u64() - Add to a counter each time the code runs.
 * @vcpu_exec: The vCPU value the _trans callback got.
 * @counter: The counter, in the library's memory.
 * @value: What to add.
 *
 * Valid in a _trans callback.  The add is not atomic: with several vCPUs
 * running in parallel (MTTCG, guest threads), concurrent adds to one
 * counter may be lost, as with TCG plugins' inline operations.  Give
 * each vCPU its own counter where exact counts matter there.
 */
void qi_gen_add_u64(QITCGv_cpu vcpu_exec, uint64_t *counter, uint64_t value);

/**
 * enum QIRegAccess - What an execution-time call may do with registers.
 * @QI_REGS_READ: Read them, and redirect (qi_vcpu_set_pc()): the
 *                default.  TCG stores the registers it keeps in host
 *                registers before the call.
 * @QI_REGS_WRITE: Also write them (qi_reg_write()): TCG loads them
 *                 again after the call.
 * @QI_REGS_NONE: Neither: the cheapest call, for callbacks that only
 *                count or record their arguments.  Translated code calls
 *                the library's callback itself, with no QEMU function
 *                in between: the callback must not read or write
 *                registers or redirect the vCPU (those calls fail), and
 *                a change of the event's callback (another one, or
 *                none) drops the translated code, so the old callback
 *                may still run until the vCPU leaves its current block.
 */
typedef enum QIRegAccess {
    QI_REGS_READ = 0,
    QI_REGS_WRITE = 1,
    QI_REGS_NONE = 2,
} QIRegAccess;

/**
 * qi_gen_regs() - Set what the next execution-time calls may do with
 * registers.
 * @vcpu_exec: The vCPU value the _trans callback got.
 * @access: What the _exec callbacks may do.
 *
 * Valid in a _trans callback.  Applies to the qi_event_gen_<name>_exec()
 * calls the callback makes after it, until it returns; each _trans
 * callback starts with %QI_REGS_READ.
 */
void qi_gen_regs(QITCGv_cpu vcpu_exec, QIRegAccess access);

/**
 * DOC: Scoreboards
 *
 * A scoreboard is per-vCPU storage: an entry of a fixed size for each
 * vCPU index, zeroed when the scoreboard is made.  Translated code adds
 * to a vCPU's entry without atomics and without losing counts, since
 * only that vCPU's thread writes it (qi_gen_vcpu_add_u64()); the library
 * sums the entries when it wants a total (qi_scoreboard_sum_u64()).  An
 * entry outlives its vCPU: in user mode, a thread that exits leaves its
 * counts, and a new thread given the same index goes on from them.
 * Entries never move, so a callback may keep a pointer to its vCPU's.
 */

/**
 * struct QIScoreboard - Handle of a scoreboard.
 * @offset: Private: where its entries are in the vCPUs' areas, for the
 *          inline qi_scoreboard_get().  QEMU's own fields follow.
 */
typedef struct QIScoreboard {
    size_t offset;
} QIScoreboard;

/*
 * Private: where a vCPU (what QICPU points to) keeps the address of its
 * scoreboard area, for the inline qi_scoreboard_get()
 */
extern const size_t qi_scoreboard_vcpu_offset;

/**
 * QI_SCOREBOARD_MAX_SIZE - Bytes per vCPU that all the scoreboards of a
 * QEMU process may take together.
 */
#define QI_SCOREBOARD_MAX_SIZE (1u << 20)

/* What qi_scoreboard_new() calls, with the library's QILibrary */
QIScoreboard *qi_scoreboard_new_by(QILibrary *self, size_t size);

/**
 * qi_scoreboard_new() - Make a scoreboard.
 * @size: Bytes of each vCPU's entry, rounded up to a multiple of 8.
 *
 * Valid anywhere.  Entries are 8-byte aligned and zeroed.
 *
 * The scoreboard belongs to the calling library: unloading it frees it.
 *
 * Return: the scoreboard, or NULL if @size is 0 or the scoreboards of
 * the process would exceed QI_SCOREBOARD_MAX_SIZE per vCPU.
 */
#ifndef QEMU_OSDEP_H
static inline QIScoreboard *qi_scoreboard_new(size_t size)
{
    return qi_scoreboard_new_by(QI_SELF, size);
}
#else
QIScoreboard *qi_scoreboard_new(size_t size);
#endif

/**
 * qi_scoreboard_free() - Free a scoreboard.
 * @sb: The scoreboard, or NULL.
 *
 * Call it from the library's fini function (the unload then drops the
 * translated code that adds to it), or after qi_flush_translations() has
 * taken effect: code emitted with qi_gen_vcpu_add_u64() keeps writing
 * where the entries were.  Scoreboards a library did not free are freed
 * when it is unloaded.
 */
void qi_scoreboard_free(QIScoreboard *sb);

/**
 * qi_scoreboard_get() - A vCPU's entry of a scoreboard.
 * @sb: The scoreboard.
 * @vcpu: The vCPU.
 *
 * Valid anywhere; the pointer stays valid until the scoreboard is freed.
 * Inline: a few loads, no call, so that a callback on every instruction
 * can afford it.
 *
 * Return: the entry, or NULL if @sb or @vcpu is NULL.
 */
#ifndef QEMU_OSDEP_H
static inline void *qi_scoreboard_get(QIScoreboard *sb, QICPU vcpu)
{
    unsigned char *area;

    if (!sb || !vcpu) {
        return NULL;
    }
    area = *(unsigned char **)((unsigned char *)vcpu +
                               qi_scoreboard_vcpu_offset);
    return area ? area + sb->offset : NULL;
}
#else
void *qi_scoreboard_get(QIScoreboard *sb, QICPU vcpu);
#endif

/**
 * qi_scoreboard_get_index() - The entry of a vCPU index.
 * @sb: The scoreboard.
 * @vcpu_index: The vCPU index (qi_vcpu_index()), current or past.
 *
 * Valid anywhere.
 *
 * Return: the entry, or NULL if @sb is NULL or no vCPU ever had that
 * index.
 */
void *qi_scoreboard_get_index(QIScoreboard *sb, int vcpu_index);

/**
 * qi_scoreboard_sum_u64() - Sum a counter over every vCPU.
 * @sb: The scoreboard.
 * @offset: Offset of the uint64_t counter in the entry (8-byte aligned).
 *
 * Valid anywhere.  While vCPUs run, each entry is read once, as it is
 * then.
 *
 * Return: the sum over every vCPU index there has been, or 0 if @sb is
 * NULL or @offset is out of the entry.
 */
uint64_t qi_scoreboard_sum_u64(QIScoreboard *sb, size_t offset);

/**
 * qi_gen_vcpu_add_u64() - Add to the running vCPU's counter each time
 * the code runs.
 * @vcpu_exec: The vCPU value the _trans callback got.
 * @sb: The scoreboard.
 * @offset: Offset of the uint64_t counter in the entry (8-byte aligned).
 * @value: What to add.
 *
 * Valid in a _trans callback.  Exact under MTTCG and with guest threads:
 * the vCPU that runs the code adds to its own entry.  Costs one load
 * more than qi_gen_add_u64().  Does nothing if @offset is out of the
 * entry or not aligned.
 */
void qi_gen_vcpu_add_u64(QITCGv_cpu vcpu_exec, QIScoreboard *sb,
                         size_t offset, uint64_t value);

/**
 * qi_gen_vcpu_add_insns() - Count the instructions of a block exactly,
 * with one add per block.
 * @vcpu_exec: The vCPU value the _trans callback got.
 * @sb: The scoreboard.
 * @offset: Offset of the uint64_t counter in the entry (8-byte aligned).
 * @per_insn: What each instruction adds (1 to count them).
 *
 * Valid in a guest_tb_before_trans callback.  Each time the block runs,
 * the running vCPU's counter gets @per_insn for each of its instructions
 * that starts: what qi_gen_vcpu_add_u64() of @per_insn in every
 * guest_insn_before_trans callback of the block would add, so the count
 * equals that of a callback on every instruction (and of TCG plugins'
 * libinsn).  It costs one add per block: the block adds all of its
 * instructions on entry, and when it is left in the middle (an
 * instruction faults or needs QEMU's help, a callback redirects the
 * vCPU), QEMU takes back what the instructions that did not start
 * added.  An instruction that starts counts, even if it faults.
 * So the counter runs ahead inside the block: what a callback reads
 * there, or qi_gen_exec_if() tests, includes the instructions of the
 * block still to come.  It is exact each time the block is left.
 *
 * Return: false, with nothing emitted, if @sb is NULL, @offset is out of
 * the entry or not aligned, or the callback is not a
 * guest_tb_before_trans one.
 */
bool qi_gen_vcpu_add_insns(QITCGv_cpu vcpu_exec, QIScoreboard *sb,
                           size_t offset, uint64_t per_insn);

/**
 * enum QICond - How qi_gen_exec_if() compares a counter with a value.
 * @QI_COND_EQ: equal.
 * @QI_COND_NE: not equal.
 * @QI_COND_LT: less than (unsigned).
 * @QI_COND_LE: less than or equal (unsigned).
 * @QI_COND_GT: greater than (unsigned).
 * @QI_COND_GE: greater than or equal (unsigned).
 */
typedef enum QICond {
    QI_COND_EQ,
    QI_COND_NE,
    QI_COND_LT,
    QI_COND_LE,
    QI_COND_GT,
    QI_COND_GE,
} QICond;

/**
 * qi_gen_exec_if() - Make the next execution-time call conditional.
 * @vcpu_exec: The vCPU value the _trans callback got.
 * @sb: The scoreboard.
 * @offset: Offset of a uint64_t counter in the entry (8-byte aligned).
 * @cond: The comparison.
 * @value: What the running vCPU's counter is compared with.
 *
 * Valid in guest_tb_before_trans and guest_insn_before_trans callbacks
 * (not in guest_mem_*_trans ones, whose code runs in the middle of an
 * access).  The next qi_event_gen_<name>_exec() call the callback makes
 * is only called when ``counter cond value`` holds, tested inline each
 * time the code runs (TCG plugins' conditional callbacks; Pin's
 * InsertIfCall).  For instance, add 1 with qi_gen_vcpu_add_u64() and
 * call only at the Nth execution.  Up to four conditions in a row guard
 * the same call, which runs when all of them hold; a condition that no
 * call follows in the same callback guards nothing.  The counter is
 * read when the call would run: an add emitted before the condition is
 * seen by it.
 *
 * Return: false, with nothing emitted, if @sb is NULL, @offset is out
 * of the entry or not aligned, @cond is not a QICond, the callback is
 * not one of those above, or four conditions already wait for a call.
 */
bool qi_gen_exec_if(QITCGv_cpu vcpu_exec, QIScoreboard *sb, size_t offset,
                    QICond cond, uint64_t value);

/**
 * struct QIMemRecord - One guest memory access in a memory trace.
 * @vaddr: The guest virtual address accessed.
 * @pc: The guest address of the instruction that made the access (0 for
 *      records the library added with qi_mem_trace_add() without one).
 * @info: What the access does.
 * @reserved: Zero.
 */
typedef struct QIMemRecord {
    uint64_t vaddr;
    uint64_t pc;
    QIMemInfo info;
    uint32_t reserved;
} QIMemRecord;

/**
 * typedef QIMemTraceFn - Receives a batch of memory trace records.
 * @vcpu: The vCPU that made the accesses.
 * @records: The accesses, oldest first; valid until the function returns.
 * @n: How many.
 * @data: The pointer given to qi_mem_trace_set().
 *
 * Called on the vCPU's thread when its buffer is full or flushed; when
 * the library is unloaded or QEMU exits, with every vCPU stopped, on the
 * thread doing it.
 */
typedef void (*QIMemTraceFn)(QICPU vcpu, const QIMemRecord *records,
                             size_t n, void *data);

/**
 * QI_MEM_TRACE_MAX_ENTRIES - Largest buffer qi_mem_trace_set() accepts.
 */
#define QI_MEM_TRACE_MAX_ENTRIES (1u << 24)

/* What qi_mem_trace_set() calls, with the library's QILibrary */
bool qi_mem_trace_set_by(QILibrary *self, QIMemTraceFn fn, void *data,
                         size_t entries);

/**
 * qi_mem_trace_set() - Start (or stop) collecting a memory trace.
 * @fn: Receives the records; NULL stops the trace.
 * @data: Passed to @fn.
 * @entries: Records per vCPU buffer; 0 for the default (1024), at most
 *           QI_MEM_TRACE_MAX_ENTRIES.
 *
 * Valid anywhere; one trace exists at a time, owned by the library that
 * set it.  Records are only appended by code translated with
 * qi_gen_mem_trace() and by qi_mem_trace_add().  Stopping drops nothing
 * already recorded only if the vCPUs are flushed first; unloading the
 * library flushes them before its qi_fini().
 *
 * Return: false if another library's trace is active, or @entries is too
 * large.
 */
#ifndef QEMU_OSDEP_H
static inline bool qi_mem_trace_set(QIMemTraceFn fn, void *data,
                                    size_t entries)
{
    return qi_mem_trace_set_by(QI_SELF, fn, data, entries);
}
#else
bool qi_mem_trace_set(QIMemTraceFn fn, void *data, size_t entries);
#endif

/**
 * qi_gen_mem_trace() - Record a guest memory access each time it runs.
 * @vcpu_exec: The vCPU value the _trans callback got.
 * @vaddr: The address value guest_mem_before_trans got.
 * @info: The access, as guest_mem_before_trans got it.
 *
 * Valid in the guest_mem_before_trans callback.  Each time the access
 * runs, translated code appends a &QIMemRecord (with the instruction's
 * pc) to the vCPU's buffer, without calling out: a block checks once, on
 * entry, that its records fit, and hands a full buffer to the trace's
 * function.  Accesses made by helpers (atomics, some complex
 * instructions) have no _trans event: add them from
 * guest_mem_before_exec with qi_mem_trace_add().
 */
void qi_gen_mem_trace(QITCGv_cpu vcpu_exec, QITCGv vaddr, QIMemInfo info);

/**
 * qi_mem_trace_add() - Append a record to the vCPU's memory trace buffer.
 * @vcpu: The vCPU, as the callback got it.
 * @vaddr: The address.
 * @pc: The instruction's address, or 0 if unknown.
 * @info: The access.
 *
 * Valid in execution-time callbacks, on the vCPU's thread.  Does
 * nothing if no trace is set.
 */
void qi_mem_trace_add(QICPU vcpu, uint64_t vaddr, uint64_t pc,
                      QIMemInfo info);

/**
 * qi_mem_trace_flush() - Hand the vCPU's pending records to the trace.
 * @vcpu: The vCPU, as the callback got it.
 *
 * Valid in callbacks running on the vCPU's thread (e.g. at a system
 * call, to see the accesses before it).
 */
void qi_mem_trace_flush(QICPU vcpu);

#ifdef __cplusplus
}
#endif

#endif /* QEMU_INSTR_INLINE_H */
