/*
 * qemu-instr: the memory trace buffers that translated code fills
 *
 * Copyright (c) 2026 qemu-instr developers
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Each vCPU has a buffer of QIMemRecords (CPUState's instr_mem_trace).
 * Code emitted by qi_gen_mem_trace() (translate.c) appends to it inline;
 * each block first checks that all its records fit and calls
 * instr_mem_trace_room() when they do not, which hands the pending
 * records to the library's function.  Records from C (helpers' accesses
 * through qi_mem_trace_add()) leave room for what the running block
 * reserved.
 */

#include "qemu/osdep.h"
#include <dlfcn.h>
#include "qemu/atomic.h"
#include "qemu/lockable.h"
#include "hw/core/cpu.h"
#include "qemu-instr/inline.h"
#include "instrument/instrument.h"
#include "internal.h"

#define INSTR_MEM_TRACE_ENTRIES 16384

/* The trace; set by one library at a time, under instr_lock */
static QIMemTraceFn instr_trace_fn;
static void *instr_trace_data;
static size_t instr_trace_entries = INSTR_MEM_TRACE_ENTRIES;
static const void *instr_trace_setter;

static size_t instr_mem_trace_pending(InstrMemTrace *t)
{
    return ((uint8_t *)t->pos - (uint8_t *)t->base) / sizeof(QIMemRecord);
}

static size_t instr_mem_trace_capacity(InstrMemTrace *t)
{
    return ((uint8_t *)t->end - (uint8_t *)t->base) / sizeof(QIMemRecord);
}

/* Hand the pending records of @cpu to the trace (if any), empty it */
static void instr_mem_trace_drain(CPUState *cpu)
{
    InstrMemTrace *t = &cpu->neg.instr_mem_trace;
    QIMemTraceFn fn = qatomic_read(&instr_trace_fn);
    size_t n = instr_mem_trace_pending(t);

    t->pos = t->base;
    if (n && fn) {
        fn((QICPU)cpu, t->base, n, instr_trace_data);
    }
}

void instr_mem_trace_room(CPUState *cpu, uint32_t n)
{
    InstrMemTrace *t = &cpu->neg.instr_mem_trace;
    size_t want = MAX(qatomic_read(&instr_trace_entries), (size_t)n + 1);

    instr_mem_trace_drain(cpu);
    if (instr_mem_trace_capacity(t) != want) {
        g_free(t->base);
        t->base = t->pos = g_new0(QIMemRecord, want);
        t->end = (QIMemRecord *)t->base + want;
    }
}

void instr_vcpu_exit(CPUState *cpu)
{
    InstrMemTrace *t = &cpu->neg.instr_mem_trace;

    instr_mem_trace_drain(cpu);
    g_free(t->base);
    t->base = t->pos = t->end = NULL;
}

void instr_mem_trace_release(const void *base)
{
    CPUState *cpu;
    Dl_info info;

    if (!instr_trace_setter || !dladdr(instr_trace_setter, &info) ||
        info.dli_fbase != base) {
        return;
    }
    /* The vCPUs are stopped: their buffers are ours */
    CPU_FOREACH(cpu) {
        instr_mem_trace_drain(cpu);
    }
    WITH_QEMU_LOCK_GUARD(&instr_lock) {
        qatomic_set(&instr_trace_fn, NULL);
        instr_trace_setter = NULL;
    }
}

bool qi_mem_trace_set(QIMemTraceFn fn, void *data, size_t entries)
{
    const void *caller = __builtin_return_address(0);
    Dl_info mine, theirs;

    if (entries > QI_MEM_TRACE_MAX_ENTRIES) {
        return false;
    }
    QEMU_LOCK_GUARD(&instr_lock);
    if (instr_trace_setter && instr_trace_setter != caller &&
        (!dladdr(instr_trace_setter, &theirs) || !dladdr(caller, &mine) ||
         theirs.dli_fbase != mine.dli_fbase)) {
        return false;
    }
    instr_trace_data = data;
    qatomic_set(&instr_trace_entries,
                entries ? entries : INSTR_MEM_TRACE_ENTRIES);
    qatomic_set(&instr_trace_fn, fn);
    instr_trace_setter = fn ? caller : NULL;
    return true;
}

void qi_mem_trace_add(QICPU vcpu, uint64_t vaddr, uint64_t pc,
                      QIMemInfo info)
{
    CPUState *cpu = (CPUState *)vcpu;
    InstrMemTrace *t;
    QIMemRecord *r;

    if (!cpu || !qatomic_read(&instr_trace_fn)) {
        return;
    }
    t = &cpu->neg.instr_mem_trace;
    if (instr_mem_trace_capacity(t) - instr_mem_trace_pending(t) <
        t->reserved + 1) {
        instr_mem_trace_room(cpu, t->reserved + 1);
    }
    r = t->pos;
    *r = (QIMemRecord) { .vaddr = vaddr, .pc = pc, .info = info };
    t->pos = r + 1;
}

void qi_mem_trace_flush(QICPU vcpu)
{
    if (vcpu) {
        instr_mem_trace_drain((CPUState *)vcpu);
    }
}
