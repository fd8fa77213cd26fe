/*
 * qemu-instr: guest memory accesses made by helpers
 *
 * Copyright (c) 2026 qemu-instr developers
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * TCG emits most guest loads and stores inline, and raises
 * guest_mem_before_trans for each (translate.c).  Helpers (atomics, and
 * instructions too complex to translate inline) access guest memory at
 * execution time, where no translation-time decision exists: they raise
 * guest_mem_before_exec directly.
 */

#include "qemu/osdep.h"
#include "cpu.h"
#include "exec/exec-all.h"
#include "instrument/tcg.h"
#include "trace/trace-root.h"
#include "internal.h"

__thread bool instr_tb_running;

void instr_mem_exec(CPUState *cpu, uint64_t vaddr, MemOpIdx oi, bool store)
{
    if (instr_tb_running) {
        trace_guest_mem_before_exec(cpu, vaddr, instr_mem_info(oi, store));
    }
}
