/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * qemu-instr: the state of the guest (vCPUs, memory, registers,
 * disassembly, translated code)
 *
 * Copyright (c) 2026 qemu-instr developers
 *
 * Every function reports failure by its return value; none crashes on an
 * unmapped address, a bad register number or a NULL vCPU.
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
 * (@buf is then undefined), or @vcpu or @buf is NULL.
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
 * Return: true on success, false if part of the range is not mapped, or
 * @vcpu or @buf is NULL.
 */
bool qi_mem_write_virt(QICPU vcpu, uint64_t vaddr, const void *buf,
                       size_t size);

/**
 * qi_mem_read_phys() - Read guest physical memory.
 * @paddr: Guest physical address.
 * @buf: Where to store the bytes.
 * @size: Number of bytes.
 *
 * System mode only.  Valid anywhere; reads RAM and ROM (device registers
 * are read as a device access would, with its side effects).
 *
 * Return: true on success, false if part of the range is not backed by
 * memory, or in user mode (it has no physical address space).
 */
bool qi_mem_read_phys(uint64_t paddr, void *buf, size_t size);

/**
 * qi_mem_write_phys() - Write guest physical memory.
 * @paddr: Guest physical address.
 * @buf: The bytes to write.
 * @size: Number of bytes.
 *
 * As qi_mem_read_phys(), for writing; ROM is not written.
 *
 * Return: true on success, false if part of the range is not backed by
 * writable memory, or in user mode.
 */
bool qi_mem_write_phys(uint64_t paddr, const void *buf, size_t size);

/**
 * qi_mem_virt_to_phys() - Translate a guest virtual address.
 * @vcpu: The vCPU whose page tables to use.
 * @vaddr: Guest virtual address.
 * @paddr: Where to store the guest physical address.
 *
 * System mode only.  Valid where qi_mem_read_virt() is: walks @vcpu's
 * current page tables, without raising guest faults.
 *
 * Return: true on success, false if @vaddr is not mapped, @vcpu is NULL
 * or in user mode.
 */
bool qi_mem_virt_to_phys(QICPU vcpu, uint64_t vaddr, uint64_t *paddr);

/**
 * qi_reg_count() - Number of registers qi_reg_read() can read.
 * @vcpu: vCPU handle.
 *
 * Registers are numbered as the target's gdb stub numbers its core
 * registers, from 0 (e.g. x86_64: rax is 0, rip 16; aarch64: x0 is 0,
 * pc 32).  Valid anywhere.
 *
 * Return: the number of registers, or -1 if @vcpu is NULL.
 */
int qi_reg_count(QICPU vcpu);

/**
 * qi_reg_name() - Name of a register.
 * @vcpu: vCPU handle.
 * @reg: Register number.
 *
 * Valid anywhere.
 *
 * Return: gdb's name of the register (a static string), or NULL if @reg
 * is not a register number of @vcpu or @vcpu is NULL.
 */
const char *qi_reg_name(QICPU vcpu, int reg);

/**
 * qi_reg_size() - Size of a register.
 * @vcpu: vCPU handle.
 * @reg: Register number.
 *
 * Valid anywhere.
 *
 * Return: the register's size in bytes, or -1 if @reg is not a register
 * number of @vcpu or @vcpu is NULL.
 */
int qi_reg_size(QICPU vcpu, int reg);

/**
 * qi_reg_find() - Number of a register, by name.
 * @vcpu: vCPU handle.
 * @name: gdb's name of the register (e.g. "rsp", "x30").
 *
 * Valid anywhere.
 *
 * Return: the register number, or -1 if @vcpu has no such register or
 * @vcpu is NULL.
 */
int qi_reg_find(QICPU vcpu, const char *name);

/**
 * qi_reg_read() - Read a register of a vCPU.
 * @vcpu: vCPU handle.
 * @reg: Register number.
 * @buf: Where to store the value, in the guest's byte order.
 * @size: Size of @buf; at least qi_reg_size().
 *
 * Valid in execution-time callbacks (_exec events and events raised by
 * running guest code, e.g. guest_user_syscall) on @vcpu's thread: the
 * value is the register's when the event was raised.  Translated code
 * does not keep the program counter register up to date on every target
 * (x86 writes it only when it leaves a chain of blocks): use the pc
 * argument of the events.  At translation time the values belong to no
 * particular instruction.
 *
 * Return: the number of bytes stored, or -1 if @reg is not a register
 * number of @vcpu, @size is too small or @vcpu is NULL.
 */
int qi_reg_read(QICPU vcpu, int reg, void *buf, size_t size);

/**
 * qi_disas() - Disassemble one guest instruction.
 * @vcpu: The vCPU whose address space and mode to use.
 * @vaddr: Guest virtual address of the instruction.
 * @size: Size of the instruction in bytes (the size argument of
 *        guest_insn_before_trans).
 * @buf: Where to store the text, NUL-terminated.
 * @bufsize: Size of @buf; the text is cut to fit.
 *
 * Valid where qi_mem_read_virt() is, typically in the callback of
 * guest_insn_before_trans.  Uses QEMU's disassembler for the target
 * (capstone when QEMU was built with it).
 *
 * Return: the length of the whole text (as snprintf() does), or -1 if
 * the instruction's bytes are not mapped or @vcpu is NULL.
 */
int qi_disas(QICPU vcpu, uint64_t vaddr, uint32_t size, char *buf,
             size_t bufsize);

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
