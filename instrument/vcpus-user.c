/*
 * qemu-instr: stopping the vCPUs around an unload, user-mode emulation
 *
 * Copyright (c) 2026 qemu-instr developers
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "hw/core/cpu.h"
#include "internal.h"

/*
 * Every guest thread is a vCPU.  From one of them (e.g. at exit_group)
 * take the exclusive section: the others stop at their next exit from
 * generated code.
 */
bool instr_vcpus_pause(void)
{
    if (!current_cpu) {
        return false;
    }
    start_exclusive();
    return true;
}

void instr_vcpus_resume(void)
{
    end_exclusive();
}

/* Only at start-up, before the first vCPU, or from a vCPU thread */
void instr_vcpus_run_stopped(InstrStoppedFn *fn, void *data)
{
    bool paused = instr_vcpus_pause();

    fn(data);
    if (paused) {
        instr_vcpus_resume();
    }
}

typedef struct InstrLaterWork {
    InstrStoppedFn *fn;
    void *data;
} InstrLaterWork;

static void instr_later_work(CPUState *cpu, run_on_cpu_data arg)
{
    g_autofree InstrLaterWork *later = arg.host_ptr;

    /* An exclusive section: the other vCPUs are stopped */
    later->fn(later->data);
}

/* The vCPU runs it when it leaves translated code (cpu_exec_end) */
bool instr_vcpus_run_later(InstrStoppedFn *fn, void *data)
{
    CPUState *cpu = current_cpu ? current_cpu : first_cpu;
    InstrLaterWork *later;

    if (!cpu) {
        return false;
    }
    later = g_new(InstrLaterWork, 1);
    later->fn = fn;
    later->data = data;
    async_safe_run_on_cpu(cpu, instr_later_work, RUN_ON_CPU_HOST_PTR(later));
    return true;
}
