/*
 * qemu-instr: the execution-time callbacks running on a vCPU's thread
 *
 * Copyright (c) 2026 qemu-instr developers
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * The register API (qi_reg_*(), qi_vcpu_set_pc()) needs to know which
 * callback calls it: the TCG helpers of _exec events (tcg-events.c),
 * the system call hooks and the discontinuity events say so with
 * instr_exec_enter() and instr_exec_leave().  Translated code does not
 * keep the guest's program counter (nor, on some targets, other state
 * such as x86's lazy flags) up to date at every instruction: the first
 * register access of a helper's callback brings it up to date from the
 * helper's return address, as an exception would, and the helper puts
 * the program counter back when the callback returns, since the rest of
 * the block may still count on its old value (CF_PCREL).
 *
 * TCG emits most guest loads and stores inline, and raises
 * guest_mem_{before,after}_trans for each (translate.c).  Helpers
 * (atomics, and instructions too complex to translate inline) access
 * guest memory at execution time, where no translation-time decision
 * exists: they raise the _exec events directly (instr_mem_exec()).
 */

#include "qemu/osdep.h"
#include "cpu.h"
#include "exec/exec-all.h"
#include "exec/gdbstub.h"
#include "accel/tcg/cpu-ops.h"
#include "tcg/insn-start-words.h"
#include "instrument/instrument.h"
#include "instrument/tcg.h"
#include "trace/trace-root.h"
#include "internal.h"

__thread bool instr_tb_running;
__thread InstrExecContext instr_exec_context;

/*
 * Bring @cpu's state up to date for the instruction whose code called
 * the running helper, without leaving the block: what
 * cpu_restore_state() does, minus the icount adjustment, which only
 * holds when the block is abandoned.
 */
static void instr_exec_sync(CPUState *cpu, InstrExecContext *ctx)
{
    uint64_t data[TARGET_INSN_START_WORDS];
    TranslationBlock *tb;
    int pc = instr_reg_pc(cpu);

    ctx->synced = true;
    tb = tcg_tb_lookup(ctx->ra);
    if (!tb || !cpu_unwind_state_data(cpu, ctx->ra, data)) {
        return;
    }
    if (pc >= 0) {
        g_byte_array_set_size(ctx->saved_pc, 0);
        gdb_read_register(cpu, ctx->saved_pc, pc);
    }
    cpu->cc->tcg_ops->restore_state_to_opc(cpu, tb, data);
}

void instr_exec_leave_synced(CPUState *cpu)
{
    InstrExecContext *ctx = &instr_exec_context;
    int pc = instr_reg_pc(cpu);

    if (pc >= 0 && ctx->saved_pc->len) {
        gdb_write_register(cpu, ctx->saved_pc->data, pc);
        g_byte_array_set_size(ctx->saved_pc, 0);
    }
    ctx->synced = false;
    ctx->cpu = NULL;
}

InstrExecContext *instr_exec_context_of(CPUState *cpu, bool sync)
{
    InstrExecContext *ctx = &instr_exec_context;

    if (!cpu || ctx->cpu != cpu) {
        return NULL;
    }
    if (sync && ctx->kind == INSTR_EXEC_TB && !ctx->synced) {
        if (!ctx->saved_pc) {
            ctx->saved_pc = g_byte_array_new();
        }
        instr_exec_sync(cpu, ctx);
    }
    return ctx;
}

G_NORETURN void instr_exec_redirect(CPUState *cpu, uint64_t pc)
{
    InstrExecContext *ctx = &instr_exec_context;

    /* Abandon the block as an exception does, icount included */
    cpu_restore_state(cpu, ctx->ra);
    if (ctx->saved_pc) {
        g_byte_array_set_size(ctx->saved_pc, 0);
    }
    ctx->synced = false;
    ctx->cpu = NULL;
    cpu_set_pc(cpu, pc);
    cpu_loop_exit(cpu);
}

void instr_mem_exec(CPUArchState *env, uint64_t vaddr, MemOpIdx oi,
                    bool store, uint64_t value, uint64_t value_hi)
{
    CPUState *cpu = env_cpu(env);
    uint32_t info;

    if (!instr_tb_running) {
        return;
    }
    info = instr_mem_info(oi, store);
    instr_exec_enter(cpu, QI_REGS_READ, 0);
    instr_exec_context.kind = INSTR_EXEC_HELPER;
    trace_guest_mem_before_exec(cpu, vaddr, info);
    trace_guest_mem_after_exec(cpu, vaddr, info,
                               instr_mem_value(oi, value), value_hi);
    instr_exec_leave(cpu);
}

/*
 * Discontinuities (guest_discon): cpu_exec() calls instr_discon_from()
 * before it delivers an exception or an interrupt, and
 * instr_discon_exception() or instr_discon_interrupt() once the vCPU is
 * at the handler; a target that gives interrupts a
 * number outside cpu->exception_index (x86's vectors) reports it with
 * instr_discon_num() in between.  linux-user reports the exceptions
 * that leave cpu_exec() for cpu_loop(), and signals delivered to the
 * guest.
 */

typedef struct InstrDiscon {
    uint64_t from;
    int64_t num;
} InstrDiscon;

static __thread InstrDiscon instr_discon_state;

#define instr_discon_wanted() trace_event_get_state_backends(TRACE_GUEST_DISCON)

void instr_discon_from(CPUState *cpu)
{
    if (instr_discon_wanted()) {
        instr_discon_state.from = cpu->cc->get_pc(cpu);
        instr_discon_state.num = cpu->exception_index;
    }
}

void instr_discon_num(CPUState *cpu, int num)
{
    instr_discon_state.num = num;
}

/* Exceptions that are calls to the host (semihosting), per target */
static uint32_t instr_discon_kind(uint32_t kind, int64_t num)
{
#if defined(EXCP_SEMIHOST)
    if (kind == QI_DISCON_EXCEPTION && num == EXCP_SEMIHOST) {
        return QI_DISCON_HOSTCALL;
    }
#elif defined(EXCP_SEMIHOSTING)
    if (kind == QI_DISCON_EXCEPTION && num == EXCP_SEMIHOSTING) {
        return QI_DISCON_HOSTCALL;
    }
#endif
    return kind;
}

static void instr_discon_raise(CPUState *cpu, InstrExecKind ctx_kind,
                               uint32_t kind, uint64_t num, uint64_t from,
                               uint64_t to)
{
    instr_exec_enter(cpu, QI_REGS_WRITE, 0);
    instr_exec_context.kind = ctx_kind;
    trace_guest_discon(cpu, instr_discon_kind(kind, num), num, from, to);
    instr_exec_leave(cpu);
}

static void instr_discon(CPUState *cpu, uint32_t kind)
{
    InstrDiscon *d = &instr_discon_state;

    if (instr_discon_wanted()) {
        /*
         * Most targets choose the number of an interrupt in
         * cpu_exec_interrupt(), and leave it in cpu->exception_index
         */
        int64_t num = d->num >= 0 ? d->num : cpu->exception_index;

        /*
         * Work that delivers nothing, or nothing with a number (x86's
         * APIC poll, start-up IPI and SMM entry), is no interrupt
         */
        if (num >= 0) {
            instr_discon_raise(cpu, INSTR_EXEC_DISCON, kind, num, d->from,
                               cpu->cc->get_pc(cpu));
        }
    }
}

void instr_discon_exception(CPUState *cpu)
{
    instr_discon(cpu, QI_DISCON_EXCEPTION);
}

void instr_discon_interrupt(CPUState *cpu)
{
    instr_discon(cpu, QI_DISCON_INTERRUPT);
}

void instr_discon_user(CPUState *cpu)
{
    if (instr_discon_wanted()) {
        uint64_t pc = cpu->cc->get_pc(cpu);

        instr_discon_raise(cpu, INSTR_EXEC_SIGNAL, QI_DISCON_EXCEPTION,
                           cpu->exception_index, pc, pc);
    }
}

void instr_discon_signal(CPUState *cpu, int sig, uint64_t handler)
{
    if (instr_discon_wanted()) {
        instr_discon_raise(cpu, INSTR_EXEC_SIGNAL, QI_DISCON_SIGNAL, sig,
                           cpu->cc->get_pc(cpu), handler);
    }
}

void instr_discon_redirect(CPUState *cpu, uint64_t pc)
{
    instr_exec_context.cpu = NULL;
    cpu_set_pc(cpu, pc);
    cpu_loop_exit(cpu);
}
