/*
 * qemu-instr test library for static mode: the inlined callback
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef EVENTS_POST_H
#define EVENTS_POST_H

#include <qemu-instr/events.h>
#include <qemu-instr/state.h>
#include "counter.h"

static inline void qi_event_guest_user_syscall_ret(QICPU vcpu, uint64_t num,
                                                   uint64_t ret)
{
    __atomic_fetch_add(&counter_returns, 1, __ATOMIC_RELAXED);
    if (num == COUNTER_GETPID && counter_pid) {
        qi_syscall_set_ret(vcpu, counter_pid);
    }
}

#endif /* EVENTS_POST_H */
