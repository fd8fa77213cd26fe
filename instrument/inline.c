/*
 * qemu-instr: per-vCPU data that translated code fills: memory trace
 * buffers and scoreboards
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
#include <sys/mman.h>
#include "qemu/atomic.h"
#include "qemu/bitmap.h"
#include "qemu/error-report.h"
#include "qemu/lockable.h"
#include "hw/core/cpu.h"
#include "qemu-instr/inline.h"
#include "instrument/instrument.h"
#include "internal.h"

/* 24 KiB: the records stay in the L1 data cache until read */
#define INSTR_MEM_TRACE_ENTRIES 1024

/* The trace; set by one library at a time, under instr_lock */
static QIMemTraceFn instr_trace_fn;
static void *instr_trace_data;
static size_t instr_trace_entries = INSTR_MEM_TRACE_ENTRIES;
static InstrLibrary *instr_trace_owner;

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

void instr_mem_trace_release(InstrLibrary *lib)
{
    CPUState *cpu;

    if (!lib || qatomic_read(&instr_trace_owner) != lib) {
        return;
    }
    /* The vCPUs are stopped: their buffers are ours */
    CPU_FOREACH(cpu) {
        instr_mem_trace_drain(cpu);
    }
    WITH_QEMU_LOCK_GUARD(&instr_lock) {
        qatomic_set(&instr_trace_fn, NULL);
        instr_trace_owner = NULL;
    }
}

bool qi_mem_trace_set_by(QILibrary *self, QIMemTraceFn fn, void *data,
                         size_t entries)
{
    InstrLibrary *lib;

    if (entries > QI_MEM_TRACE_MAX_ENTRIES) {
        return false;
    }
    QEMU_LOCK_GUARD(&instr_lock);
    lib = instr_library_of_locked(self);
    if (!lib || (instr_trace_owner && instr_trace_owner != lib)) {
        return false;
    }
    instr_trace_data = data;
    qatomic_set(&instr_trace_entries,
                entries ? entries : INSTR_MEM_TRACE_ENTRIES);
    qatomic_set(&instr_trace_fn, fn);
    instr_trace_owner = fn ? lib : NULL;
    return true;
}

/* API versions 1 and 2: the caller tells the library */
bool qi_mem_trace_set(QIMemTraceFn fn, void *data, size_t entries)
{
    return qi_mem_trace_set_by(
        instr_caller_library(__builtin_return_address(0)), fn, data, entries);
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

/*
 * Scoreboards: each vCPU index has an area of QI_SCOREBOARD_MAX_SIZE
 * bytes, mapped once and never moved (untouched pages cost nothing),
 * that its CPUState points to while the vCPU exists (instr_scoreboard);
 * a scoreboard is a range of the same offsets in every area.  Ranges are
 * handed out in 8-byte units from a bitmap, under instr_sb_lock.
 */

#define INSTR_SB_UNITS (QI_SCOREBOARD_MAX_SIZE / 8)

typedef struct InstrScoreboard {
    QIScoreboard pub;           /* .offset: in each area */
    size_t size;                /* of an entry */
    InstrLibrary *owner;        /* the library that made it */
} InstrScoreboard;

/* What the inline qi_scoreboard_get() of the libraries reads */
const size_t qi_scoreboard_vcpu_offset = offsetof(CPUState,
                                                  neg.instr_scoreboard);

static InstrScoreboard *instr_sb(QIScoreboard *sb)
{
    return container_of(sb, InstrScoreboard, pub);
}

static QemuMutex instr_sb_lock;
static GPtrArray *instr_sb_areas;   /* by vCPU index */
static GPtrArray *instr_sb_list;    /* the live scoreboards */
static unsigned long instr_sb_used[BITS_TO_LONGS(INSTR_SB_UNITS)];

static void __attribute__((constructor)) instr_sb_init(void)
{
    qemu_mutex_init(&instr_sb_lock);
    instr_sb_areas = g_ptr_array_new();
    instr_sb_list = g_ptr_array_new();
}

static void *instr_sb_area_locked(int index, bool create)
{
    void *area;

    if (index < instr_sb_areas->len &&
        g_ptr_array_index(instr_sb_areas, index)) {
        return g_ptr_array_index(instr_sb_areas, index);
    }
    if (!create) {
        return NULL;
    }
    area = mmap(NULL, QI_SCOREBOARD_MAX_SIZE, PROT_READ | PROT_WRITE,
                MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (area == MAP_FAILED) {
        error_report("qemu-instr: cannot map the scoreboards of vCPU %d: %s",
                     index, strerror(errno));
        exit(1);
    }
    if (instr_sb_areas->len <= index) {
        g_ptr_array_set_size(instr_sb_areas, index + 1);
    }
    g_ptr_array_index(instr_sb_areas, index) = area;
    return area;
}

void instr_vcpu_enter(CPUState *cpu)
{
    QEMU_LOCK_GUARD(&instr_sb_lock);
    cpu->neg.instr_scoreboard = instr_sb_area_locked(cpu->cpu_index, true);
}

QIScoreboard *qi_scoreboard_new_by(QILibrary *self, size_t size)
{
    size_t units = DIV_ROUND_UP(size, 8);
    InstrLibrary *owner;
    InstrScoreboard *sb;
    unsigned long start;

    if (!size || units > INSTR_SB_UNITS) {
        return NULL;
    }
    WITH_QEMU_LOCK_GUARD(&instr_lock) {
        owner = instr_library_of_locked(self);
    }
    QEMU_LOCK_GUARD(&instr_sb_lock);
    start = bitmap_find_next_zero_area(instr_sb_used, INSTR_SB_UNITS, 0,
                                       units, 0);
    if (start + units > INSTR_SB_UNITS) {
        return NULL;
    }
    bitmap_set(instr_sb_used, start, units);
    sb = g_new0(InstrScoreboard, 1);
    sb->pub.offset = start * 8;
    sb->size = units * 8;
    sb->owner = owner;
    g_ptr_array_add(instr_sb_list, sb);
    return &sb->pub;
}

/* API versions 1 and 2: the caller tells the library */
QIScoreboard *qi_scoreboard_new(size_t size)
{
    return qi_scoreboard_new_by(
        instr_caller_library(__builtin_return_address(0)), size);
}

/* Zero the entries of @sb in every area and give its range back */
static void instr_scoreboard_free_locked(InstrScoreboard *sb)
{
    int i;

    for (i = 0; i < instr_sb_areas->len; i++) {
        uint8_t *area = g_ptr_array_index(instr_sb_areas, i);

        if (area) {
            memset(area + sb->pub.offset, 0, sb->size);
        }
    }
    bitmap_clear(instr_sb_used, sb->pub.offset / 8, sb->size / 8);
    g_ptr_array_remove_fast(instr_sb_list, sb);
    g_free(sb);
}

void qi_scoreboard_free(QIScoreboard *sb)
{
    if (sb) {
        QEMU_LOCK_GUARD(&instr_sb_lock);
        instr_scoreboard_free_locked(instr_sb(sb));
    }
}

void instr_scoreboard_release(InstrLibrary *lib)
{
    int i;

    QEMU_LOCK_GUARD(&instr_sb_lock);
    for (i = instr_sb_list->len - 1; i >= 0; i--) {
        InstrScoreboard *sb = g_ptr_array_index(instr_sb_list, i);

        if (sb->owner == lib) {
            instr_scoreboard_free_locked(sb);
        }
    }
}

bool instr_scoreboard_offset(QIScoreboard *sb, size_t offset, size_t *abs)
{
    if (!sb || offset % 8 || offset + 8 > instr_sb(sb)->size) {
        return false;
    }
    *abs = sb->offset + offset;
    return true;
}

void *qi_scoreboard_get(QIScoreboard *sb, QICPU vcpu)
{
    CPUState *cpu = (CPUState *)vcpu;

    if (!sb || !cpu || !cpu->neg.instr_scoreboard) {
        return NULL;
    }
    return (uint8_t *)cpu->neg.instr_scoreboard + sb->offset;
}

void *qi_scoreboard_get_index(QIScoreboard *sb, int vcpu_index)
{
    uint8_t *area;

    if (!sb || vcpu_index < 0) {
        return NULL;
    }
    QEMU_LOCK_GUARD(&instr_sb_lock);
    area = instr_sb_area_locked(vcpu_index, false);
    return area ? area + sb->offset : NULL;
}

uint64_t qi_scoreboard_sum_u64(QIScoreboard *sb, size_t offset)
{
    uint64_t sum = 0;
    size_t abs;
    int i;

    if (!instr_scoreboard_offset(sb, offset, &abs)) {
        return 0;
    }
    QEMU_LOCK_GUARD(&instr_sb_lock);
    for (i = 0; i < instr_sb_areas->len; i++) {
        uint8_t *area = g_ptr_array_index(instr_sb_areas, i);

        if (area) {
            sum += qatomic_read__nocheck((uint64_t *)(area + abs));
        }
    }
    return sum;
}
