/*
 * qemu-instr test library: qi_init() refuses to start after setting a
 * callback, which QEMU must reset
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include <qemu-instr/qemu-instr.h>

static void on_cpu_reset(QICPU vcpu)
{
}

int qi_init(int argc, const char **argv)
{
    qi_event_set_guest_cpu_reset(on_cpu_reset);
    return 3;
}
