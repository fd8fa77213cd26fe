/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * qemu-instr: the tracing state of QEMU's trace events
 *
 * Copyright (c) 2026 qemu-instr developers
 *
 * Tracing and instrumentation are independent: a callback runs whatever
 * the tracing state; the tracing state decides what the tracing backend
 * (and so qi_event_<name>_trace()) records.
 */

#ifndef QEMU_INSTR_TRACE_H
#define QEMU_INSTR_TRACE_H

#include <stdbool.h>
#include <stddef.h>

#include "qemu-instr/types.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * struct QITraceEventIter - Iterator over trace events.
 * @opaque: Private to QEMU.
 *
 * Initialize with qi_trace_event_iter_init().
 */
typedef struct QITraceEventIter {
    uintptr_t opaque[4];
} QITraceEventIter;

/**
 * qi_trace_event_name() - Get a trace event by name.
 * @name: Event name.
 *
 * Return: the event, or NULL if there is no such event in this binary.
 */
QITraceEvent *qi_trace_event_name(const char *name);

/**
 * qi_trace_event_iter_init() - Start iterating over trace events.
 * @iter: Iterator to initialize (NULL does nothing).
 * @pattern: Glob pattern on event names, or NULL for all events.
 */
void qi_trace_event_iter_init(QITraceEventIter *iter, const char *pattern);

/**
 * qi_trace_event_iter_next() - Next trace event of an iteration.
 * @iter: Iterator.
 *
 * Return: the next matching event, or NULL at the end (or if @iter is
 * NULL).
 */
QITraceEvent *qi_trace_event_iter_next(QITraceEventIter *iter);

/**
 * qi_trace_event_get_name() - Name of a trace event.
 * @ev: Event handle.
 *
 * Return: the name, or NULL if @ev is NULL.
 */
const char *qi_trace_event_get_name(QITraceEvent *ev);

/**
 * qi_trace_event_get_state_static() - Whether tracing is compiled in.
 * @ev: Event handle.
 *
 * Return: false for events with the "disable" property (and for NULL).
 */
bool qi_trace_event_get_state_static(QITraceEvent *ev);

/**
 * qi_trace_event_get_state_dynamic() - Whether the event is being traced.
 * @ev: Event handle.
 *
 * Return: the run-time tracing state (false for NULL).
 */
bool qi_trace_event_get_state_dynamic(QITraceEvent *ev);

/**
 * qi_trace_event_set_state_dynamic() - Enable or disable tracing an event.
 * @ev: Event handle.
 * @state: New tracing state.
 *
 * For events with the "vcpu" property this applies to every vCPU.  Call it
 * from qi_init(), qi_fini() or a callback; concurrent calls on the same
 * event from several threads are not serialized.
 *
 * Return: true on success, false if @ev is NULL or its tracing is not
 * compiled in (see qi_trace_event_get_state_static()).
 */
bool qi_trace_event_set_state_dynamic(QITraceEvent *ev, bool state);

#ifdef __cplusplus
}
#endif

#endif /* QEMU_INSTR_TRACE_H */
