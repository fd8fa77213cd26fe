/*
 * qemu-instr: public API on the tracing state of the events
 * (qemu-instr/trace.h)
 *
 * Copyright (c) 2026 qemu-instr developers
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "trace/control.h"
#include "qemu-instr/trace.h"

QEMU_BUILD_BUG_ON(sizeof(TraceEventIter) > sizeof(QITraceEventIter));

static inline TraceEvent *to_trace(QITraceEvent *ev)
{
    return (TraceEvent *)ev;
}

QITraceEvent *qi_trace_event_name(const char *name)
{
    return name ? (QITraceEvent *)trace_event_name(name) : NULL;
}

void qi_trace_event_iter_init(QITraceEventIter *iter, const char *pattern)
{
    if (!iter) {
        return;
    }
    if (pattern) {
        trace_event_iter_init_pattern((TraceEventIter *)iter, pattern);
    } else {
        trace_event_iter_init_all((TraceEventIter *)iter);
    }
}

QITraceEvent *qi_trace_event_iter_next(QITraceEventIter *iter)
{
    if (!iter) {
        return NULL;
    }
    return (QITraceEvent *)trace_event_iter_next((TraceEventIter *)iter);
}

const char *qi_trace_event_get_name(QITraceEvent *ev)
{
    return ev ? trace_event_get_name(to_trace(ev)) : NULL;
}

bool qi_trace_event_get_state_static(QITraceEvent *ev)
{
    return ev && trace_event_get_state_static(to_trace(ev));
}

bool qi_trace_event_get_state_dynamic(QITraceEvent *ev)
{
    return ev && trace_event_get_state_dynamic(to_trace(ev));
}

bool qi_trace_event_set_state_dynamic(QITraceEvent *ev, bool state)
{
    if (!qi_trace_event_get_state_static(ev)) {
        return false;
    }
    trace_event_set_state_dynamic(to_trace(ev), state);
    return true;
}
