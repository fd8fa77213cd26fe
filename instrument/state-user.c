/*
 * qemu-instr: guest physical memory (qemu-instr/state.h), user mode
 *
 * Copyright (c) 2026 qemu-instr developers
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * A user-mode guest has no physical address space.
 */

#include "qemu/osdep.h"
#include "qemu-instr/state.h"

bool qi_mem_read_phys(uint64_t paddr, void *buf, size_t size)
{
    return false;
}

bool qi_mem_write_phys(uint64_t paddr, const void *buf, size_t size)
{
    return false;
}

bool qi_mem_virt_to_phys(QICPU vcpu, uint64_t vaddr, uint64_t *paddr)
{
    return false;
}
