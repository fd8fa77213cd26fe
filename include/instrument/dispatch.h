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
#include "qemu-instr/library.h"

/* Generic callback type: cast to the event's own type before a call */
typedef void (*InstrEventFn)(void);

/* What tracetool registers for each instrumentable event */
typedef struct InstrEvent {
    QIEventID id;
    struct TraceEvent *trace;
    InstrEventFn nop;
    InstrEventFn backend;       /* qi_event_<name>_trace() */
    InstrEventFn dispatch;      /* calls every library's callback */
    InstrEventFn dispatch_stats; /* and counts the calls */
    bool direct;                /* only vCPU threads raise it */
} InstrEvent;

/*
 * What trace_<name>() calls: NULL for the default (tracing backend), the
 * event's dispatcher, or the one callback of an event only vCPU threads
 * raise.  Only dynamic mode reads it; static mode calls qi_event_<name>().
 */
extern InstrEventFn instr_event_cb[QI_EVENT_COUNT];

static inline InstrEventFn instr_event_get(QIEventID id)
{
    return qatomic_read(&instr_event_cb[id]);
}

/**
 * instr_event_set: set a library's callback of an event
 * @self: the library
 * @id: event
 * @fn: callback, or NULL for none
 * @priority: its place among the libraries' callbacks, lower first
 *
 * Returns: true on success, false in static mode or if @self is not a
 * loaded library (a message says so if @fn is not code).
 */
bool instr_event_set(QILibrary *self, QIEventID id, InstrEventFn fn,
                     int priority);

/*
 * Dynamic mode: where an execution-time helper that the library @self
 * emitted finds its callback of event @id; what the event calls
 * (instr_event_cb[@id]) if @self is not a loaded library.
 */
void *instr_event_cell(QILibrary *self, QIEventID id);

/*
 * Dynamic mode: the callback of event @id that translated code may call
 * itself, for an execution-time call of QI_REGS_NONE that the library
 * @self emits: its own, if it has one and is built for API version 4 or
 * later; NULL otherwise (the call goes through the event's helper).
 * Changing the callback then drops the translated code.
 */
void *instr_event_direct(QILibrary *self, QIEventID id);

/*
 * The QILibrary of the library whose code contains @caller, the return
 * address of a setter that a library built for API version 1 or 2
 * called; NULL if none.
 */
QILibrary *instr_caller_library(const void *caller);

/*
 * The dispatcher of event @id, around the calls of its @n callbacks
 * (the returned array): an RCU read-side critical section.  With
 * @calls, *@calls gets the callbacks' call counters (NULL for a library
 * that does not count).
 */
InstrEventFn *instr_dispatch_begin(QIEventID id, unsigned *n,
                                   uint64_t ***calls);
void instr_dispatch_end(void);

/*
 * Between two libraries' callbacks of a _trans event: the next starts
 * with the defaults of qi_gen_regs() and qi_gen_exec_if().
 */
void instr_trans_next(void);

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
