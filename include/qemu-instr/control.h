/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * qemu-instr: control which code runs on the instrumentable events
 *
 * Copyright (c) 2026 qemu-instr developers
 */

#ifndef QEMU_INSTR_CONTROL_H
#define QEMU_INSTR_CONTROL_H

#include <stdbool.h>
#include <stddef.h>

#include "qemu-instr/config.h"
#include "qemu-instr/types.h"
#include "qemu-instr/events-list.h"
#include "qemu-instr/library.h"
/* Per event: qi_event_set_<name>(), qi_event_gen_<name>_exec() */
#include "qemu-instr/events.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * DOC: Library entry points
 *
 * A dynamic library defines ``int qi_init(int argc, const char **argv)``.
 * QEMU calls it once, right after loading the library, with the
 * ``arg=`` values of ``-instr`` (or the arguments of ``instr-load``) in
 * @argv and their number in @argc.  It returns 0 to accept, anything else
 * to refuse: QEMU then resets the callbacks the library set and unloads
 * it, and the load fails with an error naming the code.
 *
 * The library may also define ``void qi_fini(void)``, or register a
 * function with qi_set_fini(); QEMU calls it before it unloads the
 * library (``instr-unload``) or when QEMU exits, once no callback of
 * the library runs any more, in any thread, nor will.
 *
 * A dynamic library without qi_init() may name its init function
 * ``main`` instead, with the same arguments and meaning (the form of the
 * first qemu-instr manual).
 *
 * In static mode qi_init() and qi_fini() are optional; qi_init() runs at
 * start-up with the ``arg=`` values of ``-instr``.
 *
 * In dynamic mode these prototypes are not declared here, so that both
 * the ``int`` and the historical ``void`` return type compile; return 0
 * on success.  Static mode links them into QEMU and declares them.
 */
#ifdef QI_TYPE_STATIC
int qi_init(int argc, const char **argv);
void qi_fini(void);
#endif

/**
 * qi_ctrl_dynamic() - Whether callbacks can be changed at run time.
 *
 * Return: true in dynamic mode, false in static mode.
 */
bool qi_ctrl_dynamic(void);

/**
 * qi_ctrl_event_id() - Get an instrumentable event by identifier.
 * @id: Event identifier (QI_EVENT_<NAME>).
 *
 * Return: the event, or NULL if @id is out of range or the event is not
 * compiled into this QEMU binary (e.g. a device event in linux-user).
 */
QIEvent *qi_ctrl_event_id(QIEventID id);

/**
 * qi_ctrl_event_name() - Get a trace event by name.
 * @name: Event name, e.g. "guest_cpu_enter".
 *
 * Return: the event, or NULL if there is no such event in this binary.
 */
QIEvent *qi_ctrl_event_name(const char *name);

/**
 * qi_ctrl_event_pattern() - Iterate over the events matching a pattern.
 * @pattern: Glob pattern on event names ('*' and '?').
 * @ev: NULL to get the first match, or the previous match.
 *
 * Covers every trace event of this binary, instrumentable or not; use
 * qi_ctrl_event_is_available() to tell them apart.
 *
 * Return: the next event after @ev whose name matches @pattern, or NULL.
 */
QIEvent *qi_ctrl_event_pattern(const char *pattern, QIEvent *ev);

/**
 * qi_ctrl_event_get_name() - Name of an event.
 * @ev: Event handle.
 *
 * Return: the event's name, or NULL if @ev is NULL.
 */
const char *qi_ctrl_event_get_name(QIEvent *ev);

/**
 * qi_ctrl_event_get_id() - Identifier of an instrumentable event.
 * @ev: Event handle.
 *
 * Return: the event's QIEventID, or QI_EVENT_COUNT if @ev is NULL or not
 * instrumentable.
 */
QIEventID qi_ctrl_event_get_id(QIEvent *ev);

/**
 * qi_ctrl_event_is_available() - Whether an event can be instrumented.
 * @ev: Event handle (NULL is allowed).
 *
 * Return: true if the event has the "instrument" property in this build
 * (QEMU calls its callback), false otherwise.
 */
bool qi_ctrl_event_is_available(QIEvent *ev);

/**
 * QI_CTRL_INSTR_AUTO - qi_ctrl_event_set() value: the library's own
 * qi_event_<name>() if it defines one, else the default.
 */
#define QI_CTRL_INSTR_AUTO ((void *)1)

/**
 * QI_CTRL_INSTR_NOP - qi_ctrl_event_set() value: qi_event_<name>_nop(),
 * i.e. ignore the event (no tracing either).
 */
#define QI_CTRL_INSTR_NOP ((void *)2)

/* What the functions below call, with the library's QILibrary */
bool qi_ctrl_event_set_by(QILibrary *self, QIEvent *ev, void *cb,
                          int priority);
void qi_set_fini_by(QILibrary *self, void (*fn)(void *data), void *data);
bool qi_unload_self_by(QILibrary *self);
bool qi_ctrl_count_calls_by(QILibrary *self);

#ifndef QEMU_OSDEP_H
/**
 * qi_ctrl_event_set_priority() - Set the callback of an event, in order.
 * @ev: Event handle.
 * @cb: A function with the event's callback type (see qemu-instr/events.h),
 *      QI_CTRL_INSTR_AUTO, QI_CTRL_INSTR_NOP, or NULL to remove the
 *      library's callback.
 * @priority: Where the callback runs among the other libraries' on the
 *            same event: lower first; libraries of equal priority in the
 *            order they were loaded.
 *
 * Every library has its own callback of each event, and QEMU calls all
 * of them, in this order; an event no library has a callback for runs
 * the tracing backend, as QEMU does without instrumentation.  A _trans
 * callback emits execution-time calls of its own library's _exec
 * callback: at one site, they run in the order of the _trans callbacks.
 * Takes effect at once for every vCPU and thread.  May be called from
 * qi_init(), from a callback, or from any thread of the library.  When
 * the library is unloaded, its callbacks are removed; the other
 * libraries' stay.
 *
 * @cb must be in a loaded object: the library, a library it links
 * against, or QEMU's qi_event_<name>_nop() and qi_event_<name>_trace().
 *
 * Return: true on success; false in static mode (QEMU's log says why),
 * or if @ev is NULL or not instrumentable, or if @cb is not code.
 */
static inline bool qi_ctrl_event_set_priority(QIEvent *ev, void *cb,
                                              int priority)
{
    return qi_ctrl_event_set_by(QI_SELF, ev, cb, priority);
}

/**
 * qi_ctrl_event_set() - Set the callback of an instrumentable event.
 * @ev: Event handle.
 * @cb: A function with the event's callback type (see qemu-instr/events.h),
 *      QI_CTRL_INSTR_AUTO, QI_CTRL_INSTR_NOP, or NULL to remove the
 *      library's callback.
 *
 * qi_ctrl_event_set_priority() with QI_PRIORITY_DEFAULT.
 *
 * Return: true on success; false in static mode, or if @ev is NULL or not
 * instrumentable, or if @cb is not code.
 */
static inline bool qi_ctrl_event_set(QIEvent *ev, void *cb)
{
    return qi_ctrl_event_set_by(QI_SELF, ev, cb, QI_PRIORITY_DEFAULT);
}

/**
 * qi_set_fini() - Register the library's finalization function.
 * @fn: Function to call before the library is unloaded or QEMU exits.
 * @data: Argument passed to @fn.
 *
 * Overrides the library's qi_fini() symbol, if any.  Call it from the
 * library (normally from qi_init()).
 */
static inline void qi_set_fini(void (*fn)(void *data), void *data)
{
    qi_set_fini_by(QI_SELF, fn, data);
}

/**
 * qi_unload_self() - Ask QEMU to unload the calling library.
 *
 * For a library that has done its job, e.g. after a number of
 * instructions.  Call it from a callback, from qi_init() (the library
 * then starts, and is unloaded once qi_init() returns 0), or from any
 * thread of the library while vCPUs exist.
 *
 * The unload is deferred: the function returns at once, and the callbacks
 * of the library may still run until the caller has returned and every
 * vCPU has left the current block.  Then QEMU unloads the library as
 * instr-unload does: it removes its callbacks, calls its fini function
 * and closes it.  In system mode that happens in the main loop; in user
 * mode, on the calling vCPU's thread.  Calling it again before the
 * unload does nothing.
 *
 * Return: true if the unload is scheduled (or already was); false in
 * static mode, from the library's fini, or before any vCPU exists
 * outside qi_init().
 */
static inline bool qi_unload_self(void)
{
    return qi_unload_self_by(QI_SELF);
}

/**
 * qi_ctrl_count_calls() - Count the calls of the library's callbacks.
 *
 * From now on QEMU counts how many times it calls each callback of the
 * calling library, as ``-instr ...,stats=on`` and instr-load's "stats"
 * do; "info instr" and query-instr show the counts.  Call it from
 * qi_init(), before the library emits execution-time calls: the calls
 * emitted before are not counted.  Counting costs an atomic add per call
 * made outside translated code, and an inline per-vCPU add per
 * execution-time call; libraries that do not count pay nothing.
 *
 * Return: true; false in static mode, or if the scoreboards have no room
 * for the counters (QI_EVENT_COUNT 64-bit words per vCPU).
 */
static inline bool qi_ctrl_count_calls(void)
{
    return qi_ctrl_count_calls_by(QI_SELF);
}
#else
/* API versions 1 and 2: QEMU finds the library from the caller */
bool qi_ctrl_event_set(QIEvent *ev, void *cb);
void qi_set_fini(void (*fn)(void *data), void *data);
bool qi_unload_self(void);
#endif

/**
 * qi_log() - Write to QEMU's log.
 * @fmt: printf() format.
 * @...: Its arguments.
 *
 * Writes to the log file of ``-D FILE`` when QEMU has it open, otherwise
 * to QEMU's standard error as it was when QEMU started.  QEMU opens the
 * file when a log item is enabled (``-d``), and always when it is built
 * with the "log" trace backend (the default).  In user mode the
 * output survives a guest that closes or redirects its (shared) file
 * descriptor 2, as coreutils programs do at exit.  Each call writes its
 * text at once, with a newline added if it does not end with one, so
 * the lines of different threads never interleave.  Valid anywhere,
 * including qi_fini().
 */
void qi_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#ifdef __cplusplus
}
#endif

#endif /* QEMU_INSTR_CONTROL_H */
