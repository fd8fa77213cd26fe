/*
 * qemu-instr: the parts of qemu-instr/state.h that depend on the mode,
 * system mode: physical memory and system calls
 *
 * Copyright (c) 2026 qemu-instr developers
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "exec/address-spaces.h"
#include "exec/memory.h"
#include "exec/target_page.h"
#include "hw/core/cpu.h"
#include "qemu-instr/state.h"
#include "internal.h"

bool qi_mem_read_phys(uint64_t paddr, void *buf, size_t size)
{
    return buf && address_space_read(&address_space_memory, paddr,
                                     MEMTXATTRS_UNSPECIFIED, buf,
                                     size) == MEMTX_OK;
}

bool qi_mem_write_phys(uint64_t paddr, const void *buf, size_t size)
{
    return buf && address_space_write(&address_space_memory, paddr,
                                      MEMTXATTRS_UNSPECIFIED, buf,
                                      size) == MEMTX_OK;
}

bool qi_mem_virt_to_phys(QICPU vcpu, uint64_t vaddr, uint64_t *paddr)
{
    uint64_t mask = ~(uint64_t)(qemu_target_page_size() - 1);
    MemTxAttrs attrs;
    hwaddr page;

    if (!vcpu || !paddr) {
        return false;
    }
    page = cpu_get_phys_page_attrs_debug((CPUState *)vcpu, vaddr & mask,
                                         &attrs);
    if (page == -1) {
        return false;
    }
    *paddr = page | (vaddr & ~mask);
    return true;
}

/* System calls: a system-mode guest has no events of them */

bool qi_syscall_skip(QICPU vcpu, int64_t ret)
{
    return false;
}

bool qi_syscall_set_arg(QICPU vcpu, int n, uint64_t value)
{
    return false;
}

bool qi_syscall_set_ret(QICPU vcpu, int64_t ret)
{
    return false;
}

void instr_syscall_redirect(CPUState *cpu, uint64_t pc)
{
    g_assert_not_reached();
}
