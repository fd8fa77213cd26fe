/*
 * qemu-instr test library for static mode: shared declarations
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef COUNTER_H
#define COUNTER_H

#include <stdint.h>

/* getpid's number on x86_64 */
#define COUNTER_GETPID 39

extern unsigned long counter_returns;
/* What getpid returns, or 0 for its own result */
extern int64_t counter_pid;

#endif /* COUNTER_H */
