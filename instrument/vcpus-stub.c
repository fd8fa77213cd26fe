/*
 * qemu-instr: programs without vCPUs (tools) have nothing to stop, no
 * translated code and no guest state
 *
 * Copyright (c) 2026 qemu-instr developers
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * A static instrumentation library is linked into every program; these
 * let it link into the tools too.
 */

#include "qemu/osdep.h"
#include "qemu-instr/state.h"
#include "qemu-instr/inline.h"
#include "internal.h"

bool instr_vcpus_pause(void)
{
    return false;
}

void instr_vcpus_resume(void)
{
}

void instr_vcpus_run_stopped(InstrStoppedFn *fn, void *data)
{
    fn(data);
}

bool instr_vcpus_run_later(InstrStoppedFn *fn, void *data)
{
    return false;
}

void instr_translations_flush(bool loaded)
{
}

int qi_vcpu_index(QICPU vcpu)
{
    return -1;
}

bool qi_mem_read_virt(QICPU vcpu, uint64_t vaddr, void *buf, size_t size)
{
    return false;
}

bool qi_mem_write_virt(QICPU vcpu, uint64_t vaddr, const void *buf,
                       size_t size)
{
    return false;
}

void qi_flush_translations(void)
{
}

void instr_mem_trace_release(const void *base)
{
}

void qi_gen_add_u64(QITCGv_cpu vcpu_exec, uint64_t *counter, uint64_t value)
{
}

bool qi_mem_trace_set(QIMemTraceFn fn, void *data, size_t entries)
{
    return false;
}

void qi_gen_mem_trace(QITCGv_cpu vcpu_exec, QITCGv vaddr, QIMemInfo info)
{
}

void qi_mem_trace_add(QICPU vcpu, uint64_t vaddr, uint64_t pc,
                      QIMemInfo info)
{
}

void qi_mem_trace_flush(QICPU vcpu)
{
}
