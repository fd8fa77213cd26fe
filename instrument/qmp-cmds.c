/*
 * qemu-instr: QMP commands instr-load, instr-unload, query-instr and
 * instr-events
 *
 * Copyright (c) 2026 qemu-instr developers
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qemu/lockable.h"
#include "qapi/error.h"
#include "qapi/qapi-commands-instrument.h"
#include "trace/control.h"
#include "qemu-instr/control.h"
#include "internal.h"

InstrLoadResult *qmp_instr_load(const char *path, bool has_args,
                                strList *args, const char *id,
                                bool has_stats, bool stats, Error **errp)
{
    g_autoptr(GPtrArray) argv = g_ptr_array_new();
    InstrLoadResult *res;
    char *newid;
    strList *arg;

    for (arg = args; arg; arg = arg->next) {
        g_ptr_array_add(argv, arg->value);
    }
    newid = instr_load(path, argv->len, (char **)argv->pdata,
                       id, has_stats && stats, false, errp);
    if (!newid) {
        return NULL;
    }
    res = g_new0(InstrLoadResult, 1);
    res->id = newid;
    return res;
}

void qmp_instr_unload(const char *id, Error **errp)
{
    instr_unload(id, errp);
}

/* What query-instr says of @lib (caller holds instr_lock) */
static InstrLibraryInfo *instr_library_info_locked(InstrLibrary *lib)
{
    InstrLibraryInfo *li = g_new0(InstrLibraryInfo, 1);
    InstrCallbackList **cbt = &li->callbacks;
    strList **argt = &li->args;
    unsigned id;
    int i;

    li->id = g_strdup(lib->id);
    li->path = g_strdup(lib->path);
    for (i = 0; i < lib->argc; i++) {
        QAPI_LIST_APPEND(argt, g_strdup(lib->argv[i]));
    }
    li->api_version = lib->info->api_version;
    li->portable = lib->info->flags & QI_LIBRARY_PORTABLE;
    li->stats = lib->stats;
    li->exec_sites = qatomic_read(&lib->exec_sites);
    for (id = 0; lib->events && id < QI_EVENT_COUNT; id++) {
        InstrEvent *ie = instr_event_find(id);
        InstrCallback *cb;

        if (!ie || !lib->events[id].fn) {
            continue;
        }
        cb = g_new0(InstrCallback, 1);
        cb->event = g_strdup(trace_event_get_name(ie->trace));
        cb->priority = lib->events[id].priority;
        cb->has_calls = lib->stats;
        cb->calls = lib->stats ? instr_event_calls(lib, id) : 0;
        QAPI_LIST_APPEND(cbt, cb);
    }
    return li;
}

InstrInfo *qmp_query_instr(Error **errp)
{
    InstrInfo *info = g_new0(InstrInfo, 1);
    InstrLibraryInfoList **tail = &info->libraries;
    InstrLibrary *lib;

    info->mode = qi_ctrl_dynamic() ? INSTR_MODE_DYNAMIC : INSTR_MODE_STATIC;
    info->qemu_version = g_strdup(QEMU_VERSION);
    info->api_version = QI_API_VERSION;
    info->api_version_min = QI_API_VERSION_MIN;

    QEMU_LOCK_GUARD(&instr_lock);
    QTAILQ_FOREACH(lib, &instr_libraries, next) {
        QAPI_LIST_APPEND(tail, instr_library_info_locked(lib));
    }
    return info;
}

InstrEventInfoList *qmp_instr_events(const char *pattern, Error **errp)
{
    InstrEventInfoList *list = NULL, **tail = &list;
    unsigned id;

    QEMU_LOCK_GUARD(&instr_lock);
    for (id = 0; id < QI_EVENT_COUNT; id++) {
        InstrEvent *ie = instr_event_find(id);
        g_autoptr(GPtrArray) ids = g_ptr_array_new();
        const char *name;
        InstrEventInfo *ei;
        strList **libt;
        guint i;

        if (!ie) {
            continue;
        }
        name = trace_event_get_name(ie->trace);
        if (pattern && !g_pattern_match_simple(pattern, name)) {
            continue;
        }
        ei = g_new0(InstrEventInfo, 1);
        ei->name = g_strdup(name);
        libt = &ei->libraries;
        instr_event_libraries_locked(ie, ids);
        for (i = 0; i < ids->len; i++) {
            QAPI_LIST_APPEND(libt, g_strdup(g_ptr_array_index(ids, i)));
        }
        QAPI_LIST_APPEND(tail, ei);
    }
    return list;
}
