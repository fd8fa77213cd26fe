/*
 * qemu-instr test library for static mode: shared declarations
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef COUNTER_H
#define COUNTER_H

extern unsigned long counter_returns;

#endif /* COUNTER_H */
