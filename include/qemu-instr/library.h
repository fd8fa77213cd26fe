/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * qemu-instr: what a library tells QEMU about itself
 *
 * Copyright (c) 2026 qemu-instr developers
 *
 * Included by the other qemu-instr headers; a library need not include
 * it itself.
 */

#ifndef QEMU_INSTR_LIBRARY_H
#define QEMU_INSTR_LIBRARY_H

#include "qemu-instr/config.h"
#include "qemu-instr/types.h"
#include "qemu-instr/events-list.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * DOC: Build identity
 *
 * A library built with these headers carries the identity of the QEMU
 * build they come from: its version, its mode and its instrumentable
 * events with the argument types of their callbacks, in order.  The
 * QI_EVENT_<NAME> identifiers and the typed setters depend on all of
 * it, so QEMU refuses a library built for another build, and says what
 * differs.
 *
 * A library that uses only the generic API (events by name, with
 * qi_ctrl_event_name() and qi_ctrl_event_set()) may declare itself
 * portable: define QI_PORTABLE before including any qemu-instr header.
 * It then loads into any QEMU of the same API version.  The headers
 * then leave out what is particular to one build: QI_EVENT_<NAME>,
 * qi_event_set_<name>(), qi_event_gen_<name>_exec() and the callback
 * types.
 */

/*
 * The priority of qi_ctrl_event_set() and the typed setters (see
 * qi_ctrl_event_set_priority())
 */
#define QI_PRIORITY_DEFAULT 0

/* QILibrary.flags: the library uses no build-specific API */
#define QI_LIBRARY_PORTABLE 1

/**
 * struct QILibrary - A library's identity and its handle in QEMU.
 * @api_version: QI_API_VERSION of the headers it was built with.
 * @flags: QI_LIBRARY_PORTABLE, or 0.
 * @qemu_version: QEMU version of the build (QI_QEMU_VERSION).
 * @mode: "dynamic" or "static".
 * @events: QI_BUILD_EVENTS of the build: "name(type,...);" per event.
 * @qemu: QEMU's handle of the loaded library; QEMU sets it.
 *
 * The headers define one, qi_library, in every library: QEMU reads it at
 * load time, and the API's inline functions pass it to QEMU (QI_SELF),
 * so that QEMU knows which library each call comes from, wherever the
 * call's code lives.  Helper libraries that a library links against
 * share the library's (ELF symbol lookup finds the library's first).
 */
typedef struct QILibrary {
    int api_version;
    unsigned int flags;
    const char *qemu_version;
    const char *mode;
    const char *events;
    void *qemu;
} QILibrary;

/* Weak, so that QEMU can tell whether a static library defines it */
extern QILibrary qi_library __attribute__((weak, visibility("default")));

#ifndef QEMU_OSDEP_H
/* Not in QEMU itself */
#ifdef QI_PORTABLE
#define QI_LIBRARY_FLAGS QI_LIBRARY_PORTABLE
#else
#define QI_LIBRARY_FLAGS 0
#endif
QILibrary qi_library = {
    QI_API_VERSION, QI_LIBRARY_FLAGS, QI_QEMU_VERSION,
#ifdef QI_TYPE_STATIC
    "static",
#else
    "dynamic",
#endif
    QI_BUILD_EVENTS, 0
};
#define QI_SELF (&qi_library)
#endif

#ifdef __cplusplus
}
#endif

#endif /* QEMU_INSTR_LIBRARY_H */
