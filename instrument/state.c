/*
 * qemu-instr: public API on the state of the guest (qemu-instr/state.h)
 *
 * Copyright (c) 2026 qemu-instr developers
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Physical memory is in state-softmmu.c and state-user.c, disassembly
 * (per target) in disas.c.
 */

#include "qemu/osdep.h"
#include "qemu/thread.h"
#include "exec/cpu-common.h"
#include "exec/gdbstub.h"
#include "hw/core/cpu.h"
#include "qemu-instr/state.h"
#include "instrument/tcg.h"
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
    return vcpu && buf &&
           cpu_memory_rw_debug(to_cpu(vcpu), vaddr, buf, size, false) == 0;
}

bool qi_mem_write_virt(QICPU vcpu, uint64_t vaddr, const void *buf,
                       size_t size)
{
    return vcpu && buf &&
           cpu_memory_rw_debug(to_cpu(vcpu), vaddr, (void *)buf, size,
                               true) == 0;
}

/*
 * Registers: every register the gdb stub describes for the vCPU (its
 * core registers and the features its class adds: FP/SIMD, system
 * registers, ...), numbered as gdb numbers them.  Sizes are what the
 * stub reads.
 */

typedef struct InstrReg {
    const char *name;       /* gdbstub's, lives as long as QEMU */
    int size;
} InstrReg;

typedef struct InstrRegTable {
    GArray *regs;           /* of InstrReg, indexed by register number */
    int pc;                 /* the program counter's number, or -1 */
} InstrRegTable;

/*
 * gdb's names of the program counter, by target: the first one the vCPU
 * has is its program counter.
 */
static const char *const instr_pc_names[] = {
    "rip", "eip", "pc", "nip", "pswa", "iaoq_f", "rpc", "npc",
};

static int instr_reg_table_pc(InstrRegTable *table)
{
    int i, j;

    for (i = 0; i < ARRAY_SIZE(instr_pc_names); i++) {
        for (j = 0; j < table->regs->len; j++) {
            InstrReg *reg = &g_array_index(table->regs, InstrReg, j);

            if (reg->name && !strcmp(reg->name, instr_pc_names[i])) {
                return j;
            }
        }
    }
    return -1;
}

static InstrRegTable *instr_reg_table_new(CPUState *cpu)
{
    g_autoptr(GArray) descs = gdb_get_register_list(cpu);
    g_autoptr(GByteArray) value = g_byte_array_new();
    InstrRegTable *table = g_new0(InstrRegTable, 1);
    int i;

    table->regs = g_array_new(false, true, sizeof(InstrReg));
    for (i = 0; i < descs->len; i++) {
        GDBRegDesc *desc = &g_array_index(descs, GDBRegDesc, i);
        InstrReg *reg;

        if (desc->gdb_reg < 0 || !desc->name) {
            continue;
        }
        if (table->regs->len <= desc->gdb_reg) {
            g_array_set_size(table->regs, desc->gdb_reg + 1);
        }
        reg = &g_array_index(table->regs, InstrReg, desc->gdb_reg);
        g_byte_array_set_size(value, 0);
        reg->size = gdb_read_register(cpu, value, desc->gdb_reg);
        reg->name = reg->size > 0 ? desc->name : NULL;
    }
    table->pc = instr_reg_table_pc(table);
    return table;
}

/* The register table of @vcpu's class, built once per class */
static InstrRegTable *instr_reg_table(QICPU vcpu)
{
    static QemuMutex lock;
    static GHashTable *tables;
    static gsize init;
    CPUClass *cc = CPU_GET_CLASS(to_cpu(vcpu));
    InstrRegTable *table;

    /* Before the vCPU is realized, gdbstub knows none of its registers */
    if (!to_cpu(vcpu)->gdb_regs) {
        return NULL;
    }
    if (g_once_init_enter(&init)) {
        qemu_mutex_init(&lock);
        tables = g_hash_table_new(NULL, NULL);
        g_once_init_leave(&init, 1);
    }
    qemu_mutex_lock(&lock);
    table = g_hash_table_lookup(tables, cc);
    if (!table) {
        table = instr_reg_table_new(to_cpu(vcpu));
        g_hash_table_insert(tables, cc, table);
    }
    qemu_mutex_unlock(&lock);
    return table;
}

static InstrReg *instr_reg(QICPU vcpu, int reg)
{
    InstrRegTable *table;
    InstrReg *r;

    if (!vcpu || reg < 0) {
        return NULL;
    }
    table = instr_reg_table(vcpu);
    if (!table || reg >= table->regs->len) {
        return NULL;
    }
    r = &g_array_index(table->regs, InstrReg, reg);
    return r->name ? r : NULL;
}

int qi_reg_count(QICPU vcpu)
{
    InstrRegTable *table = vcpu ? instr_reg_table(vcpu) : NULL;

    return table ? table->regs->len : -1;
}

const char *qi_reg_name(QICPU vcpu, int reg)
{
    InstrReg *r = instr_reg(vcpu, reg);

    return r ? r->name : NULL;
}

int qi_reg_size(QICPU vcpu, int reg)
{
    InstrReg *r = instr_reg(vcpu, reg);

    return r ? r->size : -1;
}

int qi_reg_find(QICPU vcpu, const char *name)
{
    int i, n = qi_reg_count(vcpu);

    for (i = 0; name && i < n; i++) {
        const char *reg = qi_reg_name(vcpu, i);

        if (reg && !strcmp(reg, name)) {
            return i;
        }
    }
    return -1;
}

int instr_reg_pc(CPUState *cpu)
{
    InstrRegTable *table = instr_reg_table((QICPU)cpu);

    return table ? table->pc : -1;
}

bool qi_reg_is_pc(QICPU vcpu, int reg)
{
    return instr_reg(vcpu, reg) && instr_reg_pc(to_cpu(vcpu)) == reg;
}

/*
 * Whether the callback running on @vcpu's thread may read (or with
 * @write, write) its registers.  Outside any execution-time callback
 * (translation, guest_cpu_enter, ...), reads see the state as it is,
 * but not while translated code runs on the thread, whose state is not
 * up to date there: in the callback of a QI_REGS_NONE call (called
 * without a context) or of a device event raised in the middle of a
 * block.
 */
static bool instr_reg_access(QICPU vcpu, bool write)
{
    InstrExecContext *ctx = instr_exec_context_of(to_cpu(vcpu), true);

    if (!ctx) {
        return !write && !instr_tb_running;
    }
    switch (ctx->kind) {
    case INSTR_EXEC_TB:
        return write ? ctx->access == QI_REGS_WRITE
                     : ctx->access != QI_REGS_NONE;
    case INSTR_EXEC_HELPER:
        return !write;
    default:
        return true;
    }
}

int qi_reg_read(QICPU vcpu, int reg, void *buf, size_t size)
{
    g_autoptr(GByteArray) value = NULL;
    InstrReg *r = instr_reg(vcpu, reg);
    int len;

    if (!r || !buf || size < r->size || !instr_reg_access(vcpu, false)) {
        return -1;
    }
    value = g_byte_array_sized_new(r->size);
    len = gdb_read_register(to_cpu(vcpu), value, reg);
    if (len <= 0 || len > size) {
        return -1;
    }
    memcpy(buf, value->data, len);
    return len;
}

int qi_reg_write(QICPU vcpu, int reg, const void *buf, size_t size)
{
    g_autoptr(GByteArray) old = NULL;
    InstrReg *r = instr_reg(vcpu, reg);
    int len;

    if (!r || !buf || size != r->size || qi_reg_is_pc(vcpu, reg) ||
        !instr_reg_access(vcpu, true)) {
        return -1;
    }
    /* Registers gdb cannot write: nothing written, or not all of it */
    old = g_byte_array_sized_new(r->size);
    gdb_read_register(to_cpu(vcpu), old, reg);
    len = gdb_write_register(to_cpu(vcpu), (uint8_t *)buf, reg);
    if (len != r->size) {
        if (len > 0) {
            gdb_write_register(to_cpu(vcpu), old->data, reg);
        }
        return -1;
    }
    return len;
}

bool qi_vcpu_set_pc(QICPU vcpu, uint64_t pc)
{
    InstrExecContext *ctx = instr_exec_context_of(to_cpu(vcpu), false);

    if (!ctx) {
        return false;
    }
    switch (ctx->kind) {
    case INSTR_EXEC_TB:
        if (ctx->access == QI_REGS_NONE) {
            return false;
        }
        instr_exec_redirect(to_cpu(vcpu), pc);
    case INSTR_EXEC_SYSCALL:
    case INSTR_EXEC_SYSCALL_RET:
        instr_syscall_redirect(to_cpu(vcpu), pc);
    case INSTR_EXEC_DISCON:
        instr_discon_redirect(to_cpu(vcpu), pc);
    default:
        return false;
    }
}

void qi_flush_translations(void)
{
    instr_translations_flush(true);
}
