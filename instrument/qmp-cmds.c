/*
 * qemu-instr: QMP commands instr-load, instr-unload and query-instr
 *
 * Copyright (c) 2026 qemu-instr developers
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qemu/lockable.h"
#include "qapi/error.h"
#include "qapi/qapi-commands-instrument.h"
#include "qemu-instr/control.h"
#include "internal.h"

InstrLoadResult *qmp_instr_load(const char *path, bool has_args,
                                strList *args, const char *id, Error **errp)
{
    g_autoptr(GPtrArray) argv = g_ptr_array_new();
    InstrLoadResult *res;
    char *newid;
    strList *arg;

    for (arg = args; arg; arg = arg->next) {
        g_ptr_array_add(argv, arg->value);
    }
    newid = instr_load(path, argv->len, (char **)argv->pdata,
                       id, false, errp);
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
        InstrLibraryInfo *li = g_new0(InstrLibraryInfo, 1);
        strList **argt = &li->args;
        int i;

        li->id = g_strdup(lib->id);
        li->path = g_strdup(lib->path);
        for (i = 0; i < lib->argc; i++) {
            QAPI_LIST_APPEND(argt, g_strdup(lib->argv[i]));
        }
        QAPI_LIST_APPEND(tail, li);
    }
    return info;
}
