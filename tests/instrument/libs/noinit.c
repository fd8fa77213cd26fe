/*
 * qemu-instr test library: built with the headers, but no qi_init()
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include <qemu-instr/qemu-instr.h>

int not_an_entry_point(void);

int not_an_entry_point(void)
{
    return 0;
}
