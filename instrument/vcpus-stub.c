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
#include "internal.h"

bool instr_vcpus_pause(void)
{
    return false;
}

void instr_vcpus_resume(void)
{
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
