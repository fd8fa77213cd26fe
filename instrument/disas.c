/*
 * qemu-instr: disassembly of guest instructions (qemu-instr/state.h)
 *
 * Copyright (c) 2026 qemu-instr developers
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "cpu.h"
#include "disas/disas.h"
#include "disas/disas-internal.h"
#include "qemu-instr/state.h"

/* The disassembler reads the bytes qi_disas() read from the guest */
static int instr_disas_read(bfd_vma addr, bfd_byte *buf, int length,
                            struct disassemble_info *info)
{
    if (addr < info->buffer_vma ||
        addr - info->buffer_vma + length > info->buffer_length) {
        return -1;
    }
    memcpy(buf, info->buffer + (addr - info->buffer_vma), length);
    return 0;
}

int qi_disas(QICPU vcpu, uint64_t vaddr, uint32_t size, char *buf,
             size_t bufsize)
{
    g_autofree uint8_t *bytes = NULL;
    g_autofree char *text = NULL;
    GString *ds;
    CPUDebug s;

    if (!vcpu || size == 0 || size > 64) {
        return -1;
    }
    /* The disassembler prints junk for bytes it cannot read */
    bytes = g_malloc(size);
    if (!qi_mem_read_virt(vcpu, vaddr, bytes, size)) {
        return -1;
    }
    ds = g_string_new(NULL);
    disas_initialize_debug_target(&s, (CPUState *)vcpu);
    s.info.read_memory_func = instr_disas_read;
    s.info.buffer = bytes;
    s.info.buffer_vma = vaddr;
    s.info.buffer_length = size;
    s.info.fprintf_func = disas_gstring_printf;
    s.info.stream = (FILE *)ds;     /* as plugin_disas() does */
    if (s.info.cap_arch < 0 || !cap_disas_plugin(&s.info, vaddr, size)) {
        if (s.info.print_insn) {
            s.info.print_insn(vaddr, &s.info);
        }
    }
    text = g_string_free(ds, false);
    return buf || !bufsize ? snprintf(buf, bufsize, "%s", text) : -1;
}
