/*
 * qemu-instr: per-event callback table of the instrumentable trace events
 *
 * Copyright (c) 2026 qemu-instr developers
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Included by the trace-<group>.h and trace-<group>.c files tracetool
 * generates; the rest of QEMU does not need it.
 */

#ifndef INSTRUMENT_DISPATCH_H
#define INSTRUMENT_DISPATCH_H

#include "qemu/atomic.h"
#include "qemu-instr/events-list.h"
#include "qemu-instr/types.h"

/* Generic callback type: cast to the event's own type before a call */
typedef void (*InstrEventFn)(void);

/* What tracetool registers for each instrumentable event */
typedef struct InstrEvent {
    QIEventID id;
    struct TraceEvent *trace;
    InstrEventFn nop;
} InstrEvent;

/*
 * The callback of each event, NULL for the default (tracing backend).
 * Only dynamic mode reads it; static mode calls qi_event_<name>().
 */
extern InstrEventFn instr_event_cb[QI_EVENT_COUNT];

static inline InstrEventFn instr_event_get(QIEventID id)
{
    return qatomic_read(&instr_event_cb[id]);
}

/**
 * instr_event_set: set the callback of an event
 * @id: event
 * @fn: callback, or NULL for the default
 * @caller: return address of the public setter's caller, to tell which
 *          library set the callback (see instr_library_reset_events())
 *
 * Returns: true on success, false in static mode.
 */
bool instr_event_set(QIEventID id, InstrEventFn fn, void *caller);

/*
 * QIMemInfo travels through QEMU's tracing as an integer (the tracing
 * backends print it): bits 0-2 size_shift, 3 sign_extend, 4 endianness,
 * 5 store.
 */
static inline uint32_t instr_mem_info_pack(QIMemInfo info)
{
    return info.size_shift | info.sign_extend << 3 |
           info.endianness << 4 | info.store << 5;
}

static inline QIMemInfo instr_mem_info_unpack(uint32_t raw)
{
    QIMemInfo info = {
        .size_shift = raw & 7,
        .sign_extend = (raw >> 3) & 1,
        .endianness = (raw >> 4) & 1,
        .store = (raw >> 5) & 1,
    };

    return info;
}

/* Called by the generated trace-<group>.c at start-up */
void instr_register_events(InstrEvent *events, size_t n);

#endif /* INSTRUMENT_DISPATCH_H */
