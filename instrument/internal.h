/*
 * qemu-instr: private declarations shared by the files of instrument/
 *
 * Copyright (c) 2026 qemu-instr developers
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef INSTRUMENT_INTERNAL_H
#define INSTRUMENT_INTERNAL_H

#include "qemu/queue.h"
#include "qemu/thread.h"
#include "instrument/dispatch.h"
#include "qemu-instr/inline.h"

/* A library's callback of one event */
typedef struct InstrLibEvent {
    InstrEventFn fn;        /* read by its execution-time calls */
    int priority;
    uint64_t calls;         /* counted by the dispatcher (stats) */
    bool direct;            /* translated code calls fn itself */
} InstrLibEvent;

/* A loaded instrumentation library (or the static one) */
typedef struct InstrLibrary {
    uintptr_t serial;       /* tells apart libraries loaded with one id */
    char *id;
    char *path;
    int argc;
    char **argv;            /* argc entries, then NULL */
    void *handle;           /* dlopen() handle, NULL for the static library */
    const void *base;       /* load address: tells its code apart */
    QILibrary *info;        /* its qi_library, or legacy */
    QILibrary legacy;       /* for a library built for API version 1 or 2 */
    InstrLibEvent *events;  /* QI_EVENT_COUNT entries; dynamic mode only */
    uint64_t exec_sites;    /* execution-time calls emitted */
    bool stats;             /* its calls are counted */
    QIScoreboard *stats_sb; /* calls counted at execution-time sites */
    void (*fini)(void *data);
    void *fini_data;
    bool finished;          /* fini has run */
    bool starting;          /* qi_init() is running */
    bool unload_requested;  /* qi_unload_self() was called */
    bool unloading;         /* the unload has started */
    QTAILQ_ENTRY(InstrLibrary) next;
} InstrLibrary;

/* Loaded libraries, in load order; protected by instr_lock */
typedef QTAILQ_HEAD(, InstrLibrary) InstrLibraryList;
extern InstrLibraryList instr_libraries;
extern QemuMutex instr_lock;

/**
 * instr_load: load a library and call its qi_init()
 * @path: the library's file
 * @argc: number of arguments
 * @argv: arguments for qi_init()
 * @id: identifier to give it, or NULL to pick one
 * @stats: count the calls of its callbacks
 * @trusted: false for the monitor's requests, which -instr-policy limits
 * @errp: pointer to a NULL-initialized error object
 *
 * Returns: the library's identifier (for the caller to free), NULL on
 * error.
 */
char *instr_load(const char *path, int argc, char **argv, const char *id,
                 bool stats, bool trusted, Error **errp);

/*
 * Count the calls of @lib's callbacks from now on (stats=on,
 * qi_ctrl_count_calls()); false if @lib is static or the scoreboards
 * are full.
 */
bool instr_library_count_calls(InstrLibrary *lib);

/**
 * instr_policy_check: whether -instr-policy lets the monitor load a library
 * @path: the library's file, as the monitor gave it
 * @abspath: its real path (realpath()), or NULL for the checks that do
 *           not need it
 * @errp: pointer to a NULL-initialized error object
 *
 * Refusals are also reported on QEMU's standard error.
 */
bool instr_policy_check(const char *path, const char *abspath, Error **errp);

/**
 * instr_unload: finalize and unload a library
 * @id: the library's identifier
 * @errp: pointer to a NULL-initialized error object
 *
 * Removes the library's callbacks, waits until no thread runs one, calls
 * its fini, drops the translated code that refers to it and closes it,
 * all while no vCPU runs guest code: no callback of the library runs
 * once it returns.  System mode:
 * call it with the BQL held (it waits for the vCPUs with the BQL
 * released).
 */
bool instr_unload(const char *id, Error **errp);

/**
 * instr_unload_later: unload a library once the callback that asks for
 * it has returned
 * @lib: the library, NULL if the caller is in none
 *
 * Returns: false if @lib is NULL, static, finalized, or the unload
 * cannot be scheduled (no vCPU to stop yet).
 */
bool instr_unload_later(InstrLibrary *lib);

/*
 * Memory trace buffers (inline.c): make room for @n records in @cpu's,
 * handing its pending ones to the trace; and, with the vCPUs stopped,
 * flush every vCPU's and stop the trace if @lib set it.
 */
void instr_mem_trace_room(CPUState *cpu, uint32_t n);
void instr_mem_trace_release(InstrLibrary *lib);

/* The library whose code contains @addr (caller holds instr_lock) */
InstrLibrary *instr_library_at_locked(const void *addr);

/*
 * The loaded library @self describes, NULL if none (caller holds
 * instr_lock)
 */
InstrLibrary *instr_library_of_locked(QILibrary *self);

/* Remove every callback of @lib (events.c) */
void instr_events_detach(InstrLibrary *lib);

/*
 * Count the calls of @lib's callbacks from now on; the calls of its
 * callback of event @id so far (events.c).
 */
void instr_events_count(InstrLibrary *lib);
uint64_t instr_event_calls(InstrLibrary *lib, QIEventID id);

/*
 * Add to @ids the identifiers of the libraries whose callbacks @ie
 * calls, in call order (caller holds instr_lock)
 */
void instr_event_libraries_locked(InstrEvent *ie, GPtrArray *ids);

/* Look up a registered event; NULL when not compiled into this binary */
InstrEvent *instr_event_find(QIEventID id);
InstrEvent *instr_event_find_trace(const char *name);

/*
 * Stop every vCPU, so that none runs library code; false when there was
 * nothing to stop.  Per emulation mode: vcpus-softmmu.c, vcpus-user.c.
 */
bool instr_vcpus_pause(void);
void instr_vcpus_resume(void);

typedef void InstrStoppedFn(void *data);

/*
 * Run @fn(@data) while no vCPU runs guest code (in an exclusive section
 * when there are vCPUs), and return once it has run.  System mode: call
 * it with the BQL held, outside any vCPU thread.
 */
void instr_vcpus_run_stopped(InstrStoppedFn *fn, void *data);

/*
 * Run @fn(@data) like instr_vcpus_run_stopped(), but later, once the
 * caller (a callback, say) has returned; false if that cannot be arranged
 * (no vCPU exists yet).
 */
bool instr_vcpus_run_later(InstrStoppedFn *fn, void *data);

/*
 * Drop translated code (translate.c): all of it after a load, what has
 * execution-time calls after an unload.
 */
void instr_translations_flush(bool loaded);

#include "exec/memop.h"
#include "exec/memopidx.h"

/* The QIMemInfo of an access, as QEMU's tracing carries it */
static inline uint32_t instr_mem_info(MemOpIdx oi, bool store)
{
    MemOp op = get_memop(oi);
    QIMemInfo info = {
        .size_shift = op & MO_SIZE,
        .sign_extend = !!(op & MO_SIGN),
        .endianness = (op & MO_BSWAP) == MO_BE,
        .store = store,
    };

    return instr_mem_info_pack(info);
}

/* A loaded or stored value, zero-extended from the access's size */
static inline uint64_t instr_mem_value(MemOpIdx oi, uint64_t value)
{
    unsigned bits = 8 << (get_memop(oi) & MO_SIZE);

    return bits < 64 ? value & ((1ULL << bits) - 1) : value;
}

/*
 * Registers (state.c): the number of @cpu's program counter register,
 * -1 if it has none the API knows.
 */
int instr_reg_pc(CPUState *cpu);

/*
 * Scoreboards (inline.c): @offset in an entry of @sb, as an offset in
 * the vCPU's scoreboard area; false if out of the entry or unaligned.
 * The scoreboards @lib made are freed.
 */
bool instr_scoreboard_offset(QIScoreboard *sb, size_t offset, size_t *abs);
void instr_scoreboard_release(InstrLibrary *lib);

/* qi_log() (log.c): keep a copy of QEMU's standard error */
void instr_log_init(void);

typedef struct InstrExecContext InstrExecContext;

/*
 * The execution-time callback of @cpu running on this thread, NULL if
 * none (exec.c); with @sync, its state brought up to date first.
 */
InstrExecContext *instr_exec_context_of(CPUState *cpu, bool sync);

/*
 * qi_vcpu_set_pc() from the callback of an _exec event (exec.c), of a
 * system call event (syscall-user.c) or of guest_discon (exec.c).
 */
G_NORETURN void instr_exec_redirect(CPUState *cpu, uint64_t pc);
G_NORETURN void instr_syscall_redirect(CPUState *cpu, uint64_t pc);
G_NORETURN void instr_discon_redirect(CPUState *cpu, uint64_t pc);

#endif /* INSTRUMENT_INTERNAL_H */
