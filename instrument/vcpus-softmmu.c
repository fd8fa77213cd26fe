/*
 * qemu-instr: stopping the vCPUs around an unload, system emulation
 *
 * Copyright (c) 2026 qemu-instr developers
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qemu/main-loop.h"
#include "sysemu/cpus.h"
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
    if (!first_cpu || !qemu_mutex_iothread_locked() ||
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
