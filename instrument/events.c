/*
 * qemu-instr: callback table and registry of the instrumentable events
 *
 * Copyright (c) 2026 qemu-instr developers
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Linked into every QEMU program that uses trace events: the generated
 * trace_<name>() of an instrumented event reads instr_event_cb[].
 */

#include "qemu/osdep.h"
#include <dlfcn.h>
#include "trace/control.h"
#include "qemu-instr/control.h"
#include "internal.h"

InstrEventFn instr_event_cb[QI_EVENT_COUNT];

/* Return address of whoever set each callback, to find its library */
static void *instr_event_setter[QI_EVENT_COUNT];

static InstrEvent *instr_events[QI_EVENT_COUNT];
static GHashTable *instr_events_by_name;

void instr_register_events(InstrEvent *events, size_t n)
{
    size_t i;

    if (!instr_events_by_name) {
        instr_events_by_name = g_hash_table_new(g_str_hash, g_str_equal);
    }
    for (i = 0; i < n; i++) {
        instr_events[events[i].id] = &events[i];
        g_hash_table_insert(instr_events_by_name,
                            (gpointer)trace_event_get_name(events[i].trace),
                            &events[i]);
    }
}

InstrEvent *instr_event_find(QIEventID id)
{
    return (unsigned)id < QI_EVENT_COUNT ? instr_events[id] : NULL;
}

InstrEvent *instr_event_find_trace(const char *name)
{
    if (!name || !instr_events_by_name) {
        return NULL;
    }
    return g_hash_table_lookup(instr_events_by_name, name);
}

bool instr_event_set(QIEventID id, InstrEventFn fn, void *caller)
{
    if (!qi_ctrl_dynamic() || !instr_event_find(id)) {
        return false;
    }
    qatomic_set(&instr_event_setter[id], fn ? caller : NULL);
    qatomic_set(&instr_event_cb[id], fn);
    return true;
}

void instr_events_reset_owned(const void *base)
{
    unsigned id;

    for (id = 0; id < QI_EVENT_COUNT; id++) {
        void *setter = qatomic_read(&instr_event_setter[id]);
        Dl_info info;

        if (setter && dladdr(setter, &info) && info.dli_fbase == base) {
            qatomic_set(&instr_event_cb[id], NULL);
            qatomic_set(&instr_event_setter[id], NULL);
        }
    }
}
