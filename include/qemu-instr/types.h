/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * qemu-instr: basic types of the trace-event instrumentation API
 *
 * Copyright (c) 2026 qemu-instr developers
 *
 * Only standard C types: a library needs no QEMU header but these.
 */

#ifndef QEMU_INSTR_TYPES_H
#define QEMU_INSTR_TYPES_H

#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * DOC: API version
 *
 * QI_API_VERSION is the version of the API these headers describe and
 * QI_API_VERSION_MIN the oldest version a library may have been built
 * against and still run on a QEMU built from these headers.  Including
 * any qemu-instr header defines the symbol qi_api_version in the
 * library, so that QEMU can refuse, with a clear message, a library
 * built for an API it does not have.
 *
 * Version 2 adds what changes the guest (qi_reg_write(),
 * qi_vcpu_set_pc(), the qi_syscall_*() calls), the guest_mem_after and
 * guest_discon events, per-vCPU scoreboards, conditional execution-time
 * calls and qi_log().  Version 3 lets several libraries set callbacks
 * on one event (qi_ctrl_event_set_priority()), and gives each library
 * its build identity and handle (qemu-instr/library.h).  Version 4
 * counts instructions exactly at block cost (qi_gen_vcpu_add_insns()),
 * calls the callbacks of QI_REGS_NONE execution-time calls straight
 * from translated code, and reads scoreboard entries inline
 * (qi_scoreboard_get()).  Libraries built for versions 1 to 3 load
 * unchanged.
 */
#define QI_API_VERSION 4
#define QI_API_VERSION_MIN 1

#ifndef QEMU_OSDEP_H
/* Not in QEMU itself: QEMU reads the library's copy at load time. */
extern const int qi_api_version
    __attribute__((weak, visibility("default")));
const int qi_api_version = QI_API_VERSION;
#endif

/**
 * DOC: QICPU
 *
 * ``QICPU`` is the opaque handle of a virtual CPU, the first argument of
 * the callbacks of per-vCPU events.  It is valid for the lifetime of the
 * vCPU; pass it back to the API.
 */
typedef struct QICPUOpaque *QICPU;

/**
 * DOC: TCG handles
 *
 * ``QITCGv_cpu`` is the TCG value of the vCPU in code being translated,
 * ``QITCGv`` a TCG value of the guest (e.g. an address).  The _trans
 * callbacks of execution events get them, and pass them back to
 * qi_event_gen_<name>_exec(); they are only valid during that callback.
 */
typedef struct QITCGvCPUOpaque *QITCGv_cpu;
typedef struct QITCGvOpaque *QITCGv;

/**
 * struct QIMemInfo - What a guest memory access does.
 * @size_shift: The access is ``1 << size_shift`` bytes (0 to 4; 16-byte
 *              accesses exist on some targets).
 * @sign_extend: Whether a load sign-extends the value.
 * @endianness: 0 for a little-endian access, 1 for big-endian.
 * @store: Whether the access writes memory (an atomic read-modify-write
 *         is two accesses, a load and then a store, as in TCG plugins).
 *
 * Passed by value to the callbacks of guest_mem_before and
 * guest_mem_after, and back to qi_event_gen_guest_mem_before_exec() and
 * qi_event_gen_guest_mem_after_exec().
 */
typedef struct QIMemInfo {
    unsigned int size_shift:3;
    unsigned int sign_extend:1;
    unsigned int endianness:1;
    unsigned int store:1;
} QIMemInfo;

/**
 * enum QIDisconKind - What took a vCPU off its sequential path.
 * @QI_DISCON_INTERRUPT: An asynchronous interrupt (system mode).
 * @QI_DISCON_EXCEPTION: A synchronous exception: a fault, a trap, a
 *                       software interrupt or, in user mode, any guest
 *                       exception that QEMU handles for the guest
 *                       (system calls, faults that become signals).
 * @QI_DISCON_HOSTCALL: A call to the host made by the guest
 *                      (semihosting), in system mode.
 * @QI_DISCON_SIGNAL: A signal delivered to a guest handler (user mode).
 *
 * The @kind argument of guest_discon.
 */
enum QIDisconKind {
    QI_DISCON_INTERRUPT = 1,
    QI_DISCON_EXCEPTION = 2,
    QI_DISCON_HOSTCALL = 3,
    QI_DISCON_SIGNAL = 4,
};

/**
 * typedef QIEvent - Opaque handle of a trace event.
 *
 * Handles are valid for the lifetime of QEMU.  The same handle works with
 * the control API (qemu-instr/control.h) and the tracing API
 * (qemu-instr/trace.h), so QITraceEvent is another name for it.
 */
typedef struct QIEvent QIEvent;
typedef struct QIEvent QITraceEvent;

#ifdef __cplusplus
}
#endif

#endif /* QEMU_INSTR_TYPES_H */
