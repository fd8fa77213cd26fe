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
 * DOC: Registers
 *
 * Registers are those the target's gdb stub describes: its core
 * registers and every feature the vCPU adds (FP/SIMD, vector, system
 * registers), numbered as gdb numbers them, from 0 (e.g. x86_64: rax is
 * 0, rip 16; aarch64: x0 is 0, pc 32); find the others by name with
 * qi_reg_find().  Values are in the guest's byte order, as gdb transfers
 * them.  The vector registers of an aarch64 vCPU with SVE (the default
 * "-cpu max" of qemu-aarch64) are z0 to z31, whose first 16 bytes are
 * v0 to v31; without SVE they are v0 to v31.
 *
 * Reading is valid in every execution-time callback on the vCPU's
 * thread: _exec events (unless emitted with %QI_REGS_NONE),
 * guest_user_syscall, guest_user_syscall_ret, guest_discon, and the
 * events QEMU raises between blocks (guest_cpu_*).  The value is the
 * register's when the event was raised; the program counter reads as
 * the address of the instruction the event belongs to, on every target
 * (QEMU brings it up to date on demand, at the first register access of
 * a callback).  At translation time values belong to no particular
 * instruction.
 *
 * Writing (qi_reg_write()) is valid in the callbacks of _exec events
 * emitted with %QI_REGS_WRITE (see qi_gen_regs()), of the system call
 * events and of guest_discon.  A write takes effect for the instruction
 * that runs next (from a guest_insn_before_exec callback: the
 * instruction itself).  The program counter is read-only: move it with
 * qi_vcpu_set_pc().
 */

/**
 * qi_reg_count() - Number of register numbers of a vCPU.
 * @vcpu: vCPU handle.
 *
 * Valid anywhere.  A few numbers below the count may name no register
 * (qi_reg_name() returns NULL for them).
 *
 * Return: one more than the highest register number, or -1 if @vcpu is
 * NULL or not realized yet.
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
 * @name: gdb's name of the register (e.g. "rsp", "x30", "xmm0", "v0").
 *
 * Valid anywhere.
 *
 * Return: the register number, or -1 if @vcpu has no such register or
 * @vcpu is NULL.
 */
int qi_reg_find(QICPU vcpu, const char *name);

/**
 * qi_reg_is_pc() - Whether a register is the program counter.
 * @vcpu: vCPU handle.
 * @reg: Register number.
 *
 * Valid anywhere.
 *
 * Return: true if @reg is @vcpu's program counter (read-only to
 * qi_reg_write()), false otherwise.
 */
bool qi_reg_is_pc(QICPU vcpu, int reg);

/**
 * qi_reg_read() - Read a register of a vCPU.
 * @vcpu: vCPU handle.
 * @reg: Register number.
 * @buf: Where to store the value, in the guest's byte order.
 * @size: Size of @buf; at least qi_reg_size().
 *
 * Valid where the "Registers" section says, on @vcpu's thread.
 *
 * Return: the number of bytes stored, or -1 if @reg is not a register
 * number of @vcpu, @size is too small, @vcpu or @buf is NULL, or the
 * callback's call was emitted with %QI_REGS_NONE.
 */
int qi_reg_read(QICPU vcpu, int reg, void *buf, size_t size);

/**
 * qi_reg_write() - Write a register of a vCPU.
 * @vcpu: vCPU handle.
 * @reg: Register number.
 * @buf: The value, in the guest's byte order.
 * @size: Size of @buf: qi_reg_size() bytes.
 *
 * Valid where the "Registers" section says, on @vcpu's thread.  Nothing
 * changes when it fails.
 *
 * Return: the number of bytes written, or -1 if @reg is not a register
 * number of @vcpu or is the program counter or a register the target
 * does not let gdb write, @size is not the register's size, @vcpu or
 * @buf is NULL, or the calling callback may not write registers (a
 * _trans callback, an _exec call not emitted with %QI_REGS_WRITE, a
 * callback of another vCPU or outside any callback).
 */
int qi_reg_write(QICPU vcpu, int reg, const void *buf, size_t size);

/**
 * qi_vcpu_set_pc() - Continue at another guest address.
 * @vcpu: The vCPU the calling callback runs on.
 * @pc: Guest virtual address to continue at.
 *
 * Valid in the callbacks of _exec events (unless emitted with
 * %QI_REGS_NONE) and of guest_user_syscall, guest_user_syscall_ret and
 * guest_discon in system mode, on @vcpu's thread.  Not valid in the
 * guest_mem_before_exec and guest_mem_after_exec calls of the accesses
 * that helpers make (which have no _trans event), nor in guest_discon
 * in user mode (exceptions QEMU handles itself, and signals: write the
 * registers there instead).  From an
 * _exec callback the rest of the block is abandoned, like an exception
 * would: the current instruction (of guest_insn_before_exec: the
 * instruction the event comes before) does not run, and execution goes
 * on at @pc with the registers as they are, including the writes of
 * qi_reg_write().  From guest_user_syscall the system call is skipped
 * and, like from guest_user_syscall_ret, no result is written to the
 * guest's registers: set the return register with qi_reg_write() if the
 * guest expects one.  From guest_discon the vCPU goes to @pc instead of
 * the handler QEMU chose.
 *
 * To skip a function, call it at the function's first instruction with
 * the return address (read from the stack or link register), after
 * setting the result register and, where the call pushed it, popping
 * the return address.
 *
 * Return: does not return on success.  False, with nothing changed, if
 * the calling callback may not redirect, or @vcpu is NULL.
 */
bool qi_vcpu_set_pc(QICPU vcpu, uint64_t pc);

/**
 * DOC: System calls
 *
 * In user mode, the callbacks of guest_user_syscall may skip the call
 * or change its number and arguments, and those of
 * guest_user_syscall_ret may change its result.  A skipped call never
 * reaches the host's kernel, and QEMU does not emulate it either;
 * guest_user_syscall_ret is still raised, with the result given.  When
 * several calls of a callback change the same thing, the last one wins.
 * System mode has no such events: these functions return false there.
 */

/**
 * qi_syscall_skip() - Skip the system call being made.
 * @vcpu: The vCPU the guest_user_syscall callback runs on.
 * @ret: The result the guest sees, in the guest's convention: on Linux
 *       targets a negative errno for an error (e.g. -EPERM, with the
 *       guest's errno numbers, which are the host's on x86_64 and
 *       aarch64).
 *
 * Valid in guest_user_syscall callbacks.
 *
 * Return: true on success; false outside a guest_user_syscall callback
 * on @vcpu's thread.
 */
bool qi_syscall_skip(QICPU vcpu, int64_t ret);

/**
 * qi_syscall_set_arg() - Change the number or an argument of the
 * system call being made.
 * @vcpu: The vCPU the guest_user_syscall callback runs on.
 * @n: 0 for the system call's number, 1 to 6 for its arguments.
 * @value: The new value.
 *
 * Valid in guest_user_syscall callbacks.  QEMU emulates the call with
 * the new values; the guest's registers keep the old ones.
 *
 * Return: true on success; false if @n is out of range, or outside a
 * guest_user_syscall callback on @vcpu's thread.
 */
bool qi_syscall_set_arg(QICPU vcpu, int n, uint64_t value);

/**
 * qi_syscall_set_ret() - Change the result of a system call.
 * @vcpu: The vCPU the guest_user_syscall_ret callback runs on.
 * @ret: The result the guest sees (a negative errno for an error).
 *
 * Valid in guest_user_syscall_ret callbacks.  Later callbacks of the
 * event still get the original result.
 *
 * Return: true on success; false outside a guest_user_syscall_ret
 * callback on @vcpu's thread.
 */
bool qi_syscall_set_ret(QICPU vcpu, int64_t ret);

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
