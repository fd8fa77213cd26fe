/*
 * qemu-instr: public API on the state of the guest (qemu-instr/state.h)
 *
 * Copyright (c) 2026 qemu-instr developers
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "exec/cpu-common.h"
#include "hw/core/cpu.h"
#include "qemu-instr/state.h"
#include "internal.h"

static inline CPUState *to_cpu(QICPU vcpu)
{
    return (CPUState *)vcpu;
}

int qi_vcpu_index(QICPU vcpu)
{
    return vcpu ? to_cpu(vcpu)->cpu_index : -1;
}

bool qi_mem_read_virt(QICPU vcpu, uint64_t vaddr, void *buf, size_t size)
{
    return vcpu && cpu_memory_rw_debug(to_cpu(vcpu), vaddr, buf, size,
                                       false) == 0;
}

bool qi_mem_write_virt(QICPU vcpu, uint64_t vaddr, const void *buf,
                       size_t size)
{
    return vcpu && cpu_memory_rw_debug(to_cpu(vcpu), vaddr, (void *)buf,
                                       size, true) == 0;
}

void qi_flush_translations(void)
{
    instr_translations_flush(true);
}
