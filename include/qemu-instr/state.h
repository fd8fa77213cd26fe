/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * qemu-instr: the state of the guest (first part: vCPUs, virtual memory,
 * translated code)
 *
 * Copyright (c) 2026 qemu-instr developers
 *
 * Every function reports failure by its return value; none crashes on an
 * unmapped address or a NULL vCPU.
 */

#ifndef QEMU_INSTR_STATE_H
#define QEMU_INSTR_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "qemu-instr/types.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * qi_vcpu_index() - Index of a vCPU.
 * @vcpu: vCPU handle, as a callback got it.
 *
 * Valid anywhere.  vCPUs are numbered from 0; in user mode each guest
 * thread is a vCPU.
 *
 * Return: the index, or -1 if @vcpu is NULL.
 */
int qi_vcpu_index(QICPU vcpu);

/**
 * qi_mem_read_virt() - Read guest memory at a virtual address.
 * @vcpu: The vCPU whose address space (page tables) to use.
 * @vaddr: Guest virtual address.
 * @buf: Where to store the bytes.
 * @size: Number of bytes.
 *
 * Valid in the callbacks of events raised on @vcpu's thread, at
 * translation and at execution time.  Reads through the vCPU's current
 * translation, without raising guest faults.
 *
 * Return: true on success, false if part of the range is not mapped
 * (@buf is then undefined) or @vcpu is NULL.
 */
bool qi_mem_read_virt(QICPU vcpu, uint64_t vaddr, void *buf, size_t size);

/**
 * qi_mem_write_virt() - Write guest memory at a virtual address.
 * @vcpu: The vCPU whose address space (page tables) to use.
 * @vaddr: Guest virtual address.
 * @buf: The bytes to write.
 * @size: Number of bytes.
 *
 * Valid where qi_mem_read_virt() is.  Writing guest code does not
 * retranslate it: call qi_flush_translations() after.
 *
 * Return: true on success, false if part of the range is not mapped or
 * @vcpu is NULL.
 */
bool qi_mem_write_virt(QICPU vcpu, uint64_t vaddr, const void *buf,
                       size_t size);

/**
 * qi_flush_translations() - Drop all translated guest code.
 *
 * The code is translated again before it next runs, so _trans callbacks
 * are raised again (e.g. after a library changed its mind about what to
 * instrument).  Valid anywhere; the flush happens before any vCPU runs
 * guest code again, possibly after this function returns.
 */
void qi_flush_translations(void);

#ifdef __cplusplus
}
#endif

#endif /* QEMU_INSTR_STATE_H */
