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
 * Registers: the gdb stub's core registers of the vCPU's class, named
 * and sized by its target description (gdb-xml/, built into QEMU).
 */

typedef struct InstrReg {
    char *name;
    int size;
} InstrReg;

typedef struct InstrRegTable {
    GArray *regs;           /* of InstrReg, indexed by register number */
    int next;               /* number of the next <reg> while parsing */
} InstrRegTable;

static void instr_reg_start(GMarkupParseContext *context,
                            const char *element, const char **names,
                            const char **values, gpointer data,
                            GError **error)
{
    InstrRegTable *table = data;
    const char *name = NULL, *bitsize = NULL, *regnum = NULL;
    InstrReg *reg;
    int i;

    if (strcmp(element, "reg") != 0) {
        return;
    }
    for (i = 0; names[i]; i++) {
        if (!strcmp(names[i], "name")) {
            name = values[i];
        } else if (!strcmp(names[i], "bitsize")) {
            bitsize = values[i];
        } else if (!strcmp(names[i], "regnum")) {
            regnum = values[i];
        }
    }
    if (regnum) {
        table->next = atoi(regnum);
    }
    if (!name || !bitsize || table->next < 0 || table->next > 4096) {
        return;
    }
    if (table->regs->len <= table->next) {
        g_array_set_size(table->regs, table->next + 1);
    }
    reg = &g_array_index(table->regs, InstrReg, table->next++);
    reg->name = g_strdup(name);
    reg->size = atoi(bitsize) / 8;
}

static const char *instr_xml_find(const char *file)
{
    int i;

    for (i = 0; file && xml_builtin[i][0]; i++) {
        if (!strcmp(xml_builtin[i][0], file)) {
            return xml_builtin[i][1];
        }
    }
    return NULL;
}

static InstrRegTable *instr_reg_table_new(CPUClass *cc)
{
    static const GMarkupParser parser = {
        .start_element = instr_reg_start,
    };
    InstrRegTable *table = g_new0(InstrRegTable, 1);
    const char *xml = instr_xml_find(cc->gdb_core_xml_file);
    GMarkupParseContext *context;

    table->regs = g_array_new(false, true, sizeof(InstrReg));
    if (xml) {
        context = g_markup_parse_context_new(&parser, 0, table, NULL);
        g_markup_parse_context_parse(context, xml, -1, NULL);
        g_markup_parse_context_free(context);
    }
    /* Only the core registers are read through the CPU class */
    if (table->regs->len > cc->gdb_num_core_regs) {
        g_array_set_size(table->regs, cc->gdb_num_core_regs);
    }
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

    if (g_once_init_enter(&init)) {
        qemu_mutex_init(&lock);
        tables = g_hash_table_new(NULL, NULL);
        g_once_init_leave(&init, 1);
    }
    qemu_mutex_lock(&lock);
    table = g_hash_table_lookup(tables, cc);
    if (!table) {
        table = instr_reg_table_new(cc);
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
    if (reg >= table->regs->len) {
        return NULL;
    }
    r = &g_array_index(table->regs, InstrReg, reg);
    return r->name ? r : NULL;
}

int qi_reg_count(QICPU vcpu)
{
    return vcpu ? instr_reg_table(vcpu)->regs->len : -1;
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

int qi_reg_read(QICPU vcpu, int reg, void *buf, size_t size)
{
    g_autoptr(GByteArray) value = NULL;
    InstrReg *r = instr_reg(vcpu, reg);
    CPUClass *cc;
    int len;

    if (!r || !buf || size < r->size) {
        return -1;
    }
    cc = CPU_GET_CLASS(to_cpu(vcpu));
    value = g_byte_array_sized_new(r->size);
    len = cc->gdb_read_register(to_cpu(vcpu), value, reg);
    if (len <= 0 || len > size) {
        return -1;
    }
    memcpy(buf, value->data, len);
    return len;
}

void qi_flush_translations(void)
{
    instr_translations_flush(true);
}
