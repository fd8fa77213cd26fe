/*
 * qemu-instr test library for static mode: count guest system calls
 *
 * The same source builds as a dynamic library too (QI_TYPE_DYNAMIC).
 * Also counts executed instructions, blocks, loads and stores through
 * the guest execution events, and uses API 2 (x86_64 guests):
 * instructions again on a scoreboard, the values of every access, and
 * the signals the guest takes.  Arguments (-instr arg=...):
 *
 * - out=FILE: qi_fini() writes "syscalls N returns N insns N blocks N
 *   loads N stores N mode static|dynamic", then "exact N" (the
 *   scoreboard's instruction count), "signal SIG TO_PC" per signal, and
 *   the totals of memvalues.h; without it, nothing;
 * - log: qi_fini() also logs the first line with qi_log();
 * - skipfd=FD: skip every write to fd FD, as if it wrote all of it;
 * - pid=N: getpid returns N;
 * - addr=HEX add=N: at the instruction at HEX, add N to rdi;
 * - check=HEX ret=N: at the instruction at HEX, the first of a
 *   function, return from it with N in rax.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <qemu-instr/config.h>
#ifdef QI_TYPE_STATIC
/* What QEMU's trace headers see: the inlined callbacks */
#include "events-pre.h"
#include "events-post.h"
#endif
#include <qemu-instr/qemu-instr.h>
#include "counter.h"
#include "../libs/memvalues.h"

#define MAX_SIGNALS 16

unsigned long counter_returns;
int64_t counter_pid;
static unsigned long calls, insns, blocks, loads, stores;
static const char *out;
static bool log_totals;
static int64_t skip_fd = -1;
static uint64_t f_addr, check_addr;     /* 0: off */
static int64_t add, ret;
static QIScoreboard *exact;
static MemValues values;
static uint64_t signals[MAX_SIGNALS][2];
static unsigned n_signals;

void qi_event_guest_insn_before_trans(QICPU vcpu, QITCGv_cpu vcpu_exec,
                                      uint64_t pc, uint32_t size,
                                      const uint8_t *bytes)
{
    qi_gen_vcpu_add_u64(vcpu_exec, exact, 0, 1);
    if (pc == f_addr || pc == check_addr) {
        qi_gen_regs(vcpu_exec, QI_REGS_WRITE);
    }
    qi_event_gen_guest_insn_before_exec(vcpu_exec, pc);
}

static uint64_t reg64(QICPU vcpu, const char *name)
{
    uint64_t value = 0;

    qi_reg_read(vcpu, qi_reg_find(vcpu, name), &value, sizeof(value));
    return value;
}

static void set_reg64(QICPU vcpu, const char *name, uint64_t value)
{
    if (qi_reg_write(vcpu, qi_reg_find(vcpu, name), &value,
                     sizeof(value)) != sizeof(value)) {
        qi_log("counter: cannot write %s", name);
    }
}

void qi_event_guest_insn_before_exec(QICPU vcpu, uint64_t pc)
{
    __atomic_fetch_add(&insns, 1, __ATOMIC_RELAXED);
    if (pc == f_addr) {
        set_reg64(vcpu, "rdi", reg64(vcpu, "rdi") + add);
    } else if (pc == check_addr) {
        uint64_t sp = reg64(vcpu, "rsp"), to = 0;

        /* Pop the return address, as the function's ret would */
        if (!qi_mem_read_virt(vcpu, sp, &to, sizeof(to))) {
            qi_log("counter: cannot read the return address");
            return;
        }
        set_reg64(vcpu, "rax", ret);
        set_reg64(vcpu, "rsp", sp + 8);
        qi_vcpu_set_pc(vcpu, to);
        qi_log("counter: qi_vcpu_set_pc() returned");
    }
}

void qi_event_guest_tb_before_trans(QICPU vcpu, QITCGv_cpu vcpu_exec,
                                    uint64_t pc, uint32_t n_insns,
                                    uint32_t size)
{
    qi_event_gen_guest_tb_before_exec(vcpu_exec, pc);
}

void qi_event_guest_tb_before_exec(QICPU vcpu, uint64_t pc)
{
    __atomic_fetch_add(&blocks, 1, __ATOMIC_RELAXED);
}

void qi_event_guest_mem_before_trans(QICPU vcpu, QITCGv_cpu vcpu_exec,
                                     QITCGv vaddr, QIMemInfo info)
{
    qi_event_gen_guest_mem_before_exec(vcpu_exec, vaddr, info);
}

void qi_event_guest_mem_before_exec(QICPU vcpu, uint64_t vaddr,
                                    QIMemInfo info)
{
    __atomic_fetch_add(info.store ? &stores : &loads, 1, __ATOMIC_RELAXED);
}

void qi_event_guest_mem_after_trans(QICPU vcpu, QITCGv_cpu vcpu_exec,
                                    QITCGv vaddr, QIMemInfo info)
{
    qi_gen_regs(vcpu_exec, QI_REGS_NONE);
    qi_event_gen_guest_mem_after_exec(vcpu_exec, vaddr, info);
}

void qi_event_guest_mem_after_exec(QICPU vcpu, uint64_t vaddr,
                                   QIMemInfo info, uint64_t value,
                                   uint64_t value_hi)
{
    memvalues_add(&values, info, value, value_hi);
}

void qi_event_guest_discon(QICPU vcpu, uint32_t kind, uint64_t num,
                           uint64_t from_pc, uint64_t to_pc)
{
    if (kind == QI_DISCON_SIGNAL && n_signals < MAX_SIGNALS) {
        signals[n_signals][0] = num;
        signals[n_signals++][1] = to_pc;
    }
}

void qi_event_guest_user_syscall(QICPU vcpu, uint64_t num, uint64_t a1,
                                 uint64_t a2, uint64_t a3, uint64_t a4,
                                 uint64_t a5, uint64_t a6, uint64_t a7,
                                 uint64_t a8)
{
    __atomic_fetch_add(&calls, 1, __ATOMIC_RELAXED);
    if (num == 1 && a1 == skip_fd && !qi_syscall_skip(vcpu, a3)) {
        qi_log("counter: qi_syscall_skip() failed");
    }
}

#ifndef QI_EVENT_GUEST_USER_SYSCALL_RET_INLINE
/* Dynamic mode: the same work as the inlined static version */
void qi_event_guest_user_syscall_ret(QICPU vcpu, uint64_t num, uint64_t ret)
{
    __atomic_fetch_add(&counter_returns, 1, __ATOMIC_RELAXED);
    if (num == COUNTER_GETPID && counter_pid) {
        qi_syscall_set_ret(vcpu, counter_pid);
    }
}
#endif

void qi_fini(void)
{
    FILE *f = out ? fopen(out, "w") : NULL;
    const char *mode = qi_ctrl_dynamic() ? "dynamic" : "static";
    unsigned i;

    if (log_totals) {
        qi_log("counter: syscalls %lu insns %lu mode %s", calls, insns, mode);
    }
    if (f) {
        fprintf(f, "syscalls %lu returns %lu insns %lu blocks %lu loads %lu "
                "stores %lu mode %s\n", calls, counter_returns, insns, blocks,
                loads, stores, mode);
        fprintf(f, "exact %" PRIu64 "\n", qi_scoreboard_sum_u64(exact, 0));
        for (i = 0; i < n_signals; i++) {
            fprintf(f, "signal %" PRIu64 " %" PRIx64 "\n", signals[i][0],
                    signals[i][1]);
        }
        memvalues_print(f, &values);
        fclose(f);
    }
    qi_scoreboard_free(exact);
}

static bool parse_arg(const char *arg)
{
    const char *value = strchr(arg, '=');
    size_t len = value ? (size_t)(value - arg) : strlen(arg);

#define KEY(name) (len == strlen(name) && !strncmp(arg, name, len))
    if (!value) {
        log_totals = KEY("log");
        return log_totals;
    }
    value++;
    if (KEY("out")) {
        out = value;
    } else if (KEY("skipfd")) {
        skip_fd = strtoll(value, NULL, 0);
    } else if (KEY("pid")) {
        counter_pid = strtoll(value, NULL, 0);
    } else if (KEY("addr")) {
        f_addr = strtoull(value, NULL, 16);
    } else if (KEY("add")) {
        add = strtoll(value, NULL, 0);
    } else if (KEY("check")) {
        check_addr = strtoull(value, NULL, 16);
    } else if (KEY("ret")) {
        ret = strtoll(value, NULL, 0);
    } else {
        return false;
    }
#undef KEY
    return true;
}

int qi_init(int argc, const char **argv)
{
    int i;

    /* Static mode calls it at every start, without arguments if no -instr */
    for (i = 0; i < argc; i++) {
        if (!parse_arg(argv[i])) {
            fprintf(stderr, "counter: usage: -instr arg=out=FILE[,arg=log]"
                    "[,arg=skipfd=FD][,arg=pid=N][,arg=addr=HEX,arg=add=N]"
                    "[,arg=check=HEX,arg=ret=N]\n");
            return 1;
        }
    }
    exact = qi_scoreboard_new(sizeof(uint64_t));
    if (!exact) {
        return 1;
    }
#ifdef QI_TYPE_DYNAMIC
    static const QIEventID events[] = {
        QI_EVENT_GUEST_USER_SYSCALL, QI_EVENT_GUEST_USER_SYSCALL_RET,
        QI_EVENT_GUEST_INSN_BEFORE_TRANS, QI_EVENT_GUEST_INSN_BEFORE_EXEC,
        QI_EVENT_GUEST_TB_BEFORE_TRANS, QI_EVENT_GUEST_TB_BEFORE_EXEC,
        QI_EVENT_GUEST_MEM_BEFORE_TRANS, QI_EVENT_GUEST_MEM_BEFORE_EXEC,
        QI_EVENT_GUEST_MEM_AFTER_TRANS, QI_EVENT_GUEST_MEM_AFTER_EXEC,
        QI_EVENT_GUEST_DISCON,
    };

    for (i = 0; i < (int)(sizeof(events) / sizeof(events[0])); i++) {
        qi_ctrl_event_set(qi_ctrl_event_id(events[i]), QI_CTRL_INSTR_AUTO);
    }
#endif
    return 0;
}
