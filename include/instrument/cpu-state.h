/*
 * qemu-instr: the per-vCPU state of trace-event instrumentation that
 * CPUState holds (in CPUNegativeOffsetState, next to env)
 *
 * Copyright (c) 2026 qemu-instr developers
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef INSTRUMENT_CPU_STATE_H
#define INSTRUMENT_CPU_STATE_H

/*
 * The memory trace buffer (instrument/inline.c), filled by translated
 * code: records from @base to @pos are pending, the block being run may
 * still add @reserved of them before @end.
 */
typedef struct InstrMemTrace {
    void *pos;
    void *end;
    void *base;
    uint32_t reserved;
} InstrMemTrace;

#endif /* INSTRUMENT_CPU_STATE_H */
