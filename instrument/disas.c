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
#include "qemu-instr/state.h"

int qi_disas(QICPU vcpu, uint64_t vaddr, uint32_t size, char *buf,
             size_t bufsize)
{
    g_autofree uint8_t *bytes = NULL;
    g_autofree char *text = NULL;

    if (!vcpu || size == 0 || size > 64) {
        return -1;
    }
    /* The disassembler prints junk for bytes it cannot read */
    bytes = g_malloc(size);
    if (!qi_mem_read_virt(vcpu, vaddr, bytes, size)) {
        return -1;
    }
    text = plugin_disas((CPUState *)vcpu, vaddr, size);
    return buf || !bufsize ? snprintf(buf, bufsize, "%s", text) : -1;
}
