/*
 * qemu-instr: programs without vCPUs (tools) have nothing to stop
 *
 * Copyright (c) 2026 qemu-instr developers
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "internal.h"

bool instr_vcpus_pause(void)
{
    return false;
}

void instr_vcpus_resume(void)
{
}

void instr_translations_flush(bool loaded)
{
}
