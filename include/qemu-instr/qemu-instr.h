/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * qemu-instr: the whole trace-event instrumentation API
 *
 * Copyright (c) 2026 qemu-instr developers
 *
 * Build a library with ``pkg-config --cflags qemu-instr``; see
 * docs/instrumentation.txt in QEMU's sources.
 */

#ifndef QEMU_INSTR_QEMU_INSTR_H
#define QEMU_INSTR_QEMU_INSTR_H

#include "qemu-instr/config.h"
#include "qemu-instr/types.h"
#include "qemu-instr/events-list.h"
#include "qemu-instr/events.h"
#include "qemu-instr/control.h"
#include "qemu-instr/trace.h"
#include "qemu-instr/state.h"
#include "qemu-instr/inline.h"

#endif /* QEMU_INSTR_QEMU_INSTR_H */
