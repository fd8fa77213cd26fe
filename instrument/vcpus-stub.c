/*
 * qemu-instr: programs without vCPUs (tools) have nothing to stop, no
 * translated code and no guest state
 *
 * Copyright (c) 2026 qemu-instr developers
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * A static instrumentation library is linked into every program; these
 * let it link into the tools too.  Tools never call qi_init(), so no
 * library code runs there: every function of the API that needs an
 * emulator has a stub here, failing as it would without a vCPU.
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

void instr_mem_trace_release(InstrLibrary *lib)
{
}

void qi_gen_add_u64(QITCGv_cpu vcpu_exec, uint64_t *counter, uint64_t value)
{
}

bool qi_mem_trace_set_by(QILibrary *self, QIMemTraceFn fn, void *data,
                         size_t entries)
{
    return false;
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

void instr_scoreboard_release(InstrLibrary *lib)
{
}

/* No vCPU ever has a scoreboard area here */
const size_t qi_scoreboard_vcpu_offset;

QIScoreboard *qi_scoreboard_new_by(QILibrary *self, size_t size)
{
    return NULL;
}

QIScoreboard *qi_scoreboard_new(size_t size)
{
    return NULL;
}

void instr_trans_next(void)
{
}

void qi_scoreboard_free(QIScoreboard *sb)
{
}

void *qi_scoreboard_get(QIScoreboard *sb, QICPU vcpu)
{
    return NULL;
}

void *qi_scoreboard_get_index(QIScoreboard *sb, int vcpu_index)
{
    return NULL;
}

uint64_t qi_scoreboard_sum_u64(QIScoreboard *sb, size_t offset)
{
    return 0;
}

void qi_gen_regs(QITCGv_cpu vcpu_exec, QIRegAccess access)
{
}

void qi_gen_vcpu_add_u64(QITCGv_cpu vcpu_exec, QIScoreboard *sb,
                         size_t offset, uint64_t value)
{
}

bool qi_gen_exec_if(QITCGv_cpu vcpu_exec, QIScoreboard *sb, size_t offset,
                    QICond cond, uint64_t value)
{
    return false;
}

bool qi_gen_vcpu_add_insns(QITCGv_cpu vcpu_exec, QIScoreboard *sb,
                           size_t offset, uint64_t per_insn)
{
    return false;
}

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

int qi_reg_count(QICPU vcpu)
{
    return -1;
}

const char *qi_reg_name(QICPU vcpu, int reg)
{
    return NULL;
}

int qi_reg_size(QICPU vcpu, int reg)
{
    return -1;
}

int qi_reg_find(QICPU vcpu, const char *name)
{
    return -1;
}

bool qi_reg_is_pc(QICPU vcpu, int reg)
{
    return false;
}

int qi_reg_read(QICPU vcpu, int reg, void *buf, size_t size)
{
    return -1;
}

int qi_reg_write(QICPU vcpu, int reg, const void *buf, size_t size)
{
    return -1;
}

bool qi_vcpu_set_pc(QICPU vcpu, uint64_t pc)
{
    return false;
}

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

int qi_disas(QICPU vcpu, uint64_t vaddr, uint32_t size, char *buf,
             size_t bufsize)
{
    return -1;
}
