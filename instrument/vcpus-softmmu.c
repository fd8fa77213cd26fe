/*
 * qemu-instr: stopping the vCPUs around an unload, system emulation
 *
 * Copyright (c) 2026 qemu-instr developers
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qemu/main-loop.h"
#include "block/aio.h"
#include "system/cpus.h"
#include "hw/core/cpu.h"
#include "internal.h"

/*
 * Called from the main loop (monitor commands, exit) with the BQL held:
 * pause_all_vcpus() drops it while it waits, so vCPUs blocked on it can
 * reach their stop point.  Once it returns no vCPU runs guest code, and
 * so no vCPU runs a callback.
 */
bool instr_vcpus_pause(void)
{
    if (!first_cpu || !bql_locked() ||
        qemu_in_vcpu_thread()) {
        return false;
    }
    pause_all_vcpus();
    return true;
}

void instr_vcpus_resume(void)
{
    /* Leaves them stopped when the VM is (e.g. 'stop' or -S) */
    resume_all_vcpus();
}

typedef struct InstrStoppedWork {
    InstrStoppedFn *fn;
    void *data;
    QemuEvent done;
} InstrStoppedWork;

static void instr_stopped_work(CPUState *cpu, run_on_cpu_data arg)
{
    InstrStoppedWork *work = arg.host_ptr;

    /* An exclusive section, without the BQL */
    work->fn(work->data);
    qemu_event_set(&work->done);
}

/*
 * The vCPUs leave guest code for the exclusive section at their next
 * exit from translated code, even when the VM is stopped; some may need
 * the BQL to get there, so wait without it.
 */
void instr_vcpus_run_stopped(InstrStoppedFn *fn, void *data)
{
    InstrStoppedWork work = { .fn = fn, .data = data };

    g_assert(bql_locked() && !qemu_in_vcpu_thread());
    if (!first_cpu) {
        fn(data);
        return;
    }
    qemu_event_init(&work.done, false);
    async_safe_run_on_cpu(first_cpu, instr_stopped_work,
                          RUN_ON_CPU_HOST_PTR(&work));
    bql_unlock();
    qemu_event_wait(&work.done);
    bql_lock();
    qemu_event_destroy(&work.done);
}

typedef struct InstrLaterWork {
    InstrStoppedFn *fn;
    void *data;
} InstrLaterWork;

static void instr_later_bh(void *opaque)
{
    g_autofree InstrLaterWork *later = opaque;

    instr_vcpus_run_stopped(later->fn, later->data);
}

/*
 * Through the main loop: the caller may be a callback in a vCPU thread
 * or in the main loop itself, which must have returned first.
 */
bool instr_vcpus_run_later(InstrStoppedFn *fn, void *data)
{
    InstrLaterWork *later = g_new(InstrLaterWork, 1);

    later->fn = fn;
    later->data = data;
    aio_bh_schedule_oneshot(qemu_get_aio_context(), instr_later_bh, later);
    return true;
}
