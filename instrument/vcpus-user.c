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
