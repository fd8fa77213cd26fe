/*
 * qemu-instr: public API to control the callbacks of the events
 * (qemu-instr/control.h)
 *
 * Copyright (c) 2026 qemu-instr developers
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include <dlfcn.h>
#include "qemu/lockable.h"
#include "trace/control.h"
#include "qemu-instr/control.h"
#include "internal.h"

/* Public handles are QEMU's TraceEvent, whatever the header calls them */
static inline TraceEvent *to_trace(QIEvent *ev)
{
    return (TraceEvent *)ev;
}

static InstrEvent *to_instr(QIEvent *ev)
{
    return ev ? instr_event_find_trace(trace_event_get_name(to_trace(ev)))
              : NULL;
}

bool qi_ctrl_dynamic(void)
{
#ifdef CONFIG_TRACE_INSTRUMENT_DYNAMIC
    return true;
#else
    return false;
#endif
}

QIEvent *qi_ctrl_event_id(QIEventID id)
{
    InstrEvent *ie = instr_event_find(id);

    return ie ? (QIEvent *)ie->trace : NULL;
}

QIEvent *qi_ctrl_event_name(const char *name)
{
    return name ? (QIEvent *)trace_event_name(name) : NULL;
}

QIEvent *qi_ctrl_event_pattern(const char *pattern, QIEvent *prev)
{
    uint32_t after = prev ? trace_event_get_id(to_trace(prev)) : 0;
    TraceEventIter iter;
    TraceEvent *ev;

    if (!pattern) {
        return NULL;
    }
    /* Events are iterated in increasing id order */
    trace_event_iter_init_all(&iter);
    while ((ev = trace_event_iter_next(&iter)) != NULL) {
        if (prev && trace_event_get_id(ev) <= after) {
            continue;
        }
        if (g_pattern_match_simple(pattern, trace_event_get_name(ev))) {
            return (QIEvent *)ev;
        }
    }
    return NULL;
}

const char *qi_ctrl_event_get_name(QIEvent *ev)
{
    return ev ? trace_event_get_name(to_trace(ev)) : NULL;
}

QIEventID qi_ctrl_event_get_id(QIEvent *ev)
{
    InstrEvent *ie = to_instr(ev);

    return ie ? ie->id : QI_EVENT_COUNT;
}

bool qi_ctrl_event_is_available(QIEvent *ev)
{
    return to_instr(ev) != NULL;
}

QILibrary *instr_caller_library(const void *caller)
{
    InstrLibrary *lib;

    QEMU_LOCK_GUARD(&instr_lock);
    lib = instr_library_at_locked(caller);
    return lib ? lib->info : NULL;
}

/* The library's own qi_event_<name>(), or NULL */
static InstrEventFn instr_auto_callback(InstrEvent *ie, QILibrary *self)
{
    g_autofree char *symbol = g_strdup_printf(
        "qi_event_%s", trace_event_get_name(ie->trace));
    InstrLibrary *lib;

    QEMU_LOCK_GUARD(&instr_lock);
    lib = instr_library_of_locked(self);
    if (!lib || !lib->handle) {
        return NULL;
    }
    return (InstrEventFn)dlsym(lib->handle, symbol);
}

bool qi_ctrl_event_set_by(QILibrary *self, QIEvent *ev, void *cb,
                          int priority)
{
    InstrEvent *ie = to_instr(ev);
    InstrEventFn fn;

    if (!ie) {
        return false;
    }
    if (cb == QI_CTRL_INSTR_NOP) {
        fn = ie->nop;
    } else if (cb == QI_CTRL_INSTR_AUTO) {
        fn = instr_auto_callback(ie, self);
    } else {
        fn = (InstrEventFn)cb;
    }
    return instr_event_set(self, ie->id, fn, priority);
}

void qi_set_fini_by(QILibrary *self, void (*fn)(void *data), void *data)
{
    InstrLibrary *lib;

    QEMU_LOCK_GUARD(&instr_lock);
    lib = instr_library_of_locked(self);
    if (lib) {
        lib->fini = fn;
        lib->fini_data = data;
    }
}

bool qi_unload_self_by(QILibrary *self)
{
    InstrLibrary *lib;

    WITH_QEMU_LOCK_GUARD(&instr_lock) {
        lib = instr_library_of_locked(self);
    }
    return instr_unload_later(lib);
}

bool qi_ctrl_count_calls_by(QILibrary *self)
{
    InstrLibrary *lib;

    WITH_QEMU_LOCK_GUARD(&instr_lock) {
        lib = instr_library_of_locked(self);
    }
    return instr_library_count_calls(lib);
}

/*
 * API versions 1 and 2: the caller tells the library
 */

bool qi_ctrl_event_set(QIEvent *ev, void *cb)
{
    return qi_ctrl_event_set_by(
        instr_caller_library(__builtin_return_address(0)), ev, cb,
        QI_PRIORITY_DEFAULT);
}

void qi_set_fini(void (*fn)(void *data), void *data)
{
    qi_set_fini_by(instr_caller_library(__builtin_return_address(0)),
                   fn, data);
}

bool qi_unload_self(void)
{
    return qi_unload_self_by(
        instr_caller_library(__builtin_return_address(0)));
}
