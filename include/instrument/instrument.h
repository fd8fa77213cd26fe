/*
 * qemu-instr: hooks of trace-event instrumentation into QEMU's start-up
 * and exit
 *
 * Copyright (c) 2026 qemu-instr developers
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Core files call these unconditionally; without instrumentation
 * (--with-trace-instrument=none) they compile to nothing.
 */

#ifndef INSTRUMENT_INSTRUMENT_H
#define INSTRUMENT_INSTRUMENT_H

#include "qemu/error-report.h"

#ifdef CONFIG_TRACE_INSTRUMENT

/**
 * instr_opt_parse: parse one -instr option
 * @optarg: "file=PATH[,arg=ARG]...[,id=ID]"
 *
 * Reports the error and exits on a malformed option.  Libraries are
 * loaded later, by instr_init().
 */
void instr_opt_parse(const char *optarg);

/**
 * instr_policy_parse: parse the -instr-policy option (system emulation)
 * @optarg: "[monitor=on|off][,dir=DIR]"
 *
 * Reports the error and exits on a malformed option, or if given twice.
 */
void instr_policy_parse(const char *optarg);

/**
 * instr_init: load the libraries given with -instr, or start the static
 * instrumentation library
 * @errp: pointer to a NULL-initialized error object
 *
 * Call once, before the vCPUs are created.
 */
void instr_init(Error **errp);

/**
 * instr_exit: let every library finish before QEMU exits
 *
 * Calls each library's finalization function; the libraries stay mapped,
 * since threads may still be running.
 */
void instr_exit(void);

/**
 * instr_vcpu_enter: a vCPU is realized
 * @cpu: the vCPU, with its index
 *
 * Points the vCPU at its scoreboard entries (see qemu-instr/inline.h).
 */
void instr_vcpu_enter(CPUState *cpu);

/**
 * instr_vcpu_exit: a vCPU goes away
 * @cpu: the vCPU; called on its own thread where it has one
 *
 * Hands the records still in the vCPU's memory trace buffer to the
 * library (see qemu-instr/inline.h), then frees the buffer.
 */
void instr_vcpu_exit(CPUState *cpu);

/*
 * Discontinuities (guest_discon, instrument/exec.c): cpu_exec() calls
 * instr_discon_from() before it delivers an exception or an interrupt,
 * instr_discon_exception() or instr_discon_interrupt() once the vCPU is
 * at the handler, and in user mode instr_discon_user() for the
 * exceptions it hands to cpu_loop().  An interrupt's number is
 * cpu->exception_index, unless the target passes one of its own with
 * instr_discon_num() (x86's vectors).  Signal delivery to a guest
 * handler calls instr_discon_signal().
 */
void instr_discon_from(CPUState *cpu);
void instr_discon_num(CPUState *cpu, int num);
void instr_discon_exception(CPUState *cpu);
void instr_discon_interrupt(CPUState *cpu);
void instr_discon_user(CPUState *cpu);
void instr_discon_signal(CPUState *cpu, int sig, uint64_t handler);

#else

static inline void instr_opt_parse(const char *optarg)
{
    error_report("-instr: this QEMU was built without trace-event "
                 "instrumentation (--with-trace-instrument=none)");
    exit(1);
}

static inline void instr_policy_parse(const char *optarg)
{
    error_report("-instr-policy: this QEMU was built without trace-event "
                 "instrumentation (--with-trace-instrument=none)");
    exit(1);
}

static inline void instr_init(Error **errp)
{
}

static inline void instr_exit(void)
{
}

static inline void instr_vcpu_enter(CPUState *cpu)
{
}

static inline void instr_discon_from(CPUState *cpu)
{
}

static inline void instr_discon_num(CPUState *cpu, int num)
{
}

static inline void instr_discon_exception(CPUState *cpu)
{
}

static inline void instr_discon_interrupt(CPUState *cpu)
{
}

static inline void instr_discon_user(CPUState *cpu)
{
}

static inline void instr_discon_signal(CPUState *cpu, int sig,
                                       uint64_t handler)
{
}

static inline void instr_vcpu_exit(CPUState *cpu)
{
}

#endif /* CONFIG_TRACE_INSTRUMENT */

#endif /* INSTRUMENT_INSTRUMENT_H */
