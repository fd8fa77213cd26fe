/*
 * qemu-instr test library for static mode: events whose callback is
 * inlined into QEMU (defined in events-post.h)
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef EVENTS_PRE_H
#define EVENTS_PRE_H

#define QI_EVENT_GUEST_USER_SYSCALL_RET_INLINE 1

#endif /* EVENTS_PRE_H */
