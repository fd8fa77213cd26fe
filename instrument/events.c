/*
 * qemu-instr: registry of the instrumentable events, and their callbacks
 *
 * Copyright (c) 2026 qemu-instr developers
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Linked into every QEMU program that uses trace events: the generated
 * trace_<name>() of an instrumented event reads instr_event_cb[].
 *
 * Each library has its own callback of each event (InstrLibrary.events).
 * What trace_<name>() calls is the event's dispatcher, which calls the
 * callbacks of every library in order (an InstrEventChain, read under
 * RCU); or, for the events only vCPU threads raise, the one callback
 * directly when there is one.  An unload stops the vCPUs, removes the
 * library's callbacks and waits for an RCU grace period: then no thread
 * runs them.
 */

#include "qemu/osdep.h"
#include <dlfcn.h>
#include "qemu/error-report.h"
#include "qemu/lockable.h"
#include "qemu/notify.h"
#include "qemu/rcu.h"
#include "trace/control.h"
#include "qemu-instr/control.h"
#include "qemu-instr/inline.h"
#include "internal.h"

InstrEventFn instr_event_cb[QI_EVENT_COUNT];

/* The callbacks of an event, in call order, and their call counters */
typedef struct InstrEventChain {
    struct rcu_head rcu;
    unsigned n;
    uint64_t **calls;           /* n entries, after fn */
    InstrEventFn fn[];
} InstrEventChain;

static InstrEventChain *instr_event_chain[QI_EVENT_COUNT];

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

/*
 * Dispatch
 */

/*
 * Threads QEMU does not register with RCU (the thread pool's workers,
 * say) are registered the first time they raise an event, until they
 * exit.
 */
static __thread Notifier instr_rcu_exit;

static void instr_rcu_thread_exit(Notifier *n, void *data)
{
    rcu_unregister_thread();
}

static void instr_rcu_register(void)
{
    rcu_register_thread();
    instr_rcu_exit.notify = instr_rcu_thread_exit;
    qemu_thread_atexit_add(&instr_rcu_exit);
}

InstrEventFn *instr_dispatch_begin(QIEventID id, unsigned *n,
                                   uint64_t ***calls)
{
    InstrEventChain *chain;

    if (unlikely(!get_ptr_rcu_reader()->node.le_prev)) {
        instr_rcu_register();
    }
    rcu_read_lock();
    chain = qatomic_rcu_read(&instr_event_chain[id]);
    if (!chain) {
        *n = 0;
        return NULL;
    }
    if (calls) {
        *calls = chain->calls;
    }
    *n = chain->n;
    return chain->fn;
}

void instr_dispatch_end(void)
{
    rcu_read_unlock();
}

/*
 * Setting callbacks
 */

typedef struct InstrAttach {
    InstrLibrary *lib;
    InstrEventFn fn;
    int priority;
    unsigned order;
} InstrAttach;

static gint instr_attach_cmp(gconstpointer a, gconstpointer b)
{
    const InstrAttach *x = a, *y = b;

    if (x->priority != y->priority) {
        return x->priority < y->priority ? -1 : 1;
    }
    return x->order < y->order ? -1 : x->order > y->order;
}

/* The libraries' callbacks of @ie, in call order (InstrAttach) */
static GArray *instr_event_attached_locked(InstrEvent *ie)
{
    GArray *all = g_array_new(false, false, sizeof(InstrAttach));
    InstrLibrary *lib;

    QTAILQ_FOREACH(lib, &instr_libraries, next) {
        InstrLibEvent *le = lib->events ? &lib->events[ie->id] : NULL;

        if (le && le->fn) {
            InstrAttach a = { lib, le->fn, le->priority, all->len };

            g_array_append_val(all, a);
        }
    }
    g_array_sort(all, instr_attach_cmp);
    return all;
}

/* Publish what trace_<name>() calls, from every library's callback */
static void instr_event_update_locked(InstrEvent *ie)
{
    g_autoptr(GArray) all = instr_event_attached_locked(ie);
    InstrEventChain *chain = NULL, *old;
    InstrEventFn cb = NULL;
    bool counted = false;
    unsigned i;

    if (all->len) {
        chain = g_malloc(sizeof(*chain) + all->len *
                         (sizeof(InstrEventFn) + sizeof(uint64_t *)));
        chain->n = all->len;
        chain->calls = (uint64_t **)&chain->fn[all->len];
        for (i = 0; i < all->len; i++) {
            InstrAttach *a = &g_array_index(all, InstrAttach, i);

            chain->fn[i] = a->fn;
            chain->calls[i] = a->lib->stats ? &a->lib->events[ie->id].calls
                                            : NULL;
            counted |= a->lib->stats;
        }
        if (counted) {
            cb = ie->dispatch_stats;
        } else {
            cb = ie->direct && chain->n == 1 ? chain->fn[0] : ie->dispatch;
        }
    }
    /* The chain before the dispatcher that reads it */
    old = qatomic_xchg(&instr_event_chain[ie->id], chain);
    qatomic_set(&instr_event_cb[ie->id], cb);
    if (old) {
        g_free_rcu(old, rcu);
    }
}

void instr_event_libraries_locked(InstrEvent *ie, GPtrArray *ids)
{
    g_autoptr(GArray) all = instr_event_attached_locked(ie);
    unsigned i;

    for (i = 0; i < all->len; i++) {
        g_ptr_array_add(ids, g_array_index(all, InstrAttach, i).lib->id);
    }
}

/* Whether @fn can be an event's callback: code of a loaded object */
static bool instr_callback_valid(InstrEvent *ie, InstrEventFn fn)
{
    Dl_info info, self;

    if (fn == ie->nop || fn == ie->backend) {
        return true;
    }
    if (!dladdr((void *)fn, &info) || !info.dli_fbase) {
        return false;
    }
    /* Not QEMU's own code, but for the functions above */
    return !dladdr((void *)instr_callback_valid, &self) ||
           self.dli_fbase != info.dli_fbase;
}

bool instr_event_set(QILibrary *self, QIEventID id, InstrEventFn fn,
                     int priority)
{
    InstrEvent *ie = instr_event_find(id);
    InstrLibrary *lib;

    if (!qi_ctrl_dynamic() || !ie) {
        return false;
    }
    if (fn && !instr_callback_valid(ie, fn)) {
        error_report("qemu-instr: cannot set the callback of '%s' to %p: "
                     "it is not in any loaded library",
                     trace_event_get_name(ie->trace), fn);
        return false;
    }
    QEMU_LOCK_GUARD(&instr_lock);
    lib = instr_library_of_locked(self);
    if (!lib || !lib->events || lib->finished) {
        return false;
    }
    if (lib->events[id].fn != fn) {
        qatomic_set(&lib->events[id].fn, fn);
        smp_mb();   /* fn before direct: pairs with instr_event_direct() */
        if (qatomic_read(&lib->events[id].direct)) {
            /* Translated code may call the old one itself: drop it */
            instr_translations_flush(true);
        }
    }
    lib->events[id].priority = priority;
    instr_event_update_locked(ie);
    return true;
}

void *instr_event_cell(QILibrary *self, QIEventID id)
{
    InstrLibrary *lib = self ? self->qemu : NULL;

    /*
     * The library is loaded: its _trans callback is running.  A library
     * of API version 1 or 2 that reached qi_event_gen_<name>_exec() by a
     * tail call cannot be told: its calls run what the event runs, every
     * library's callback, as in those versions.
     */
    if (!lib || !lib->events) {
        return &instr_event_cb[id];
    }
    qatomic_inc(&lib->exec_sites);
    return &lib->events[id].fn;
}

void *instr_event_direct(QILibrary *self, QIEventID id)
{
    InstrLibrary *lib = self ? self->qemu : NULL;
    InstrLibEvent *le;
    void *fn;

    if (!lib || !lib->events || lib->info->api_version < 4) {
        return NULL;
    }
    /*
     * No lock: translation may not wait for an unload that waits for it.
     * Either instr_event_set() sees direct and drops the code, or this
     * sees its callback.
     */
    le = &lib->events[id];
    qatomic_set(&le->direct, true);
    smp_mb();   /* direct before fn: pairs with instr_event_set() */
    fn = qatomic_read(&le->fn);
    return fn;
}

void instr_events_count(InstrLibrary *lib)
{
    unsigned id;

    QEMU_LOCK_GUARD(&instr_lock);
    lib->stats = true;
    for (id = 0; lib->events && id < QI_EVENT_COUNT; id++) {
        if (lib->events[id].fn) {
            instr_event_update_locked(instr_events[id]);
        }
    }
}

uint64_t instr_event_calls(InstrLibrary *lib, QIEventID id)
{
    uint64_t n = qatomic_read(&lib->events[id].calls);

    if (lib->stats_sb) {
        n += qi_scoreboard_sum_u64(lib->stats_sb, id * sizeof(uint64_t));
    }
    return n;
}

void instr_events_detach(InstrLibrary *lib)
{
    unsigned id;

    QEMU_LOCK_GUARD(&instr_lock);
    for (id = 0; lib->events && id < QI_EVENT_COUNT; id++) {
        if (lib->events[id].fn) {
            /* Its execution-time calls now run the tracing backend */
            qatomic_set(&lib->events[id].fn, NULL);
            instr_event_update_locked(instr_events[id]);
        }
    }
}
