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

/**
 * qi_mem_trace_set() - Start (or stop) collecting a memory trace.
 * @fn: Receives the records; NULL stops the trace.
 * @data: Passed to @fn.
 * @entries: Records per vCPU buffer; 0 for the default (16384), at most
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
bool qi_mem_trace_set(QIMemTraceFn fn, void *data, size_t entries);

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
