/*
 * qemu-instr: HMP commands instr-load, instr-unload and info instr
 *
 * Copyright (c) 2026 qemu-instr developers
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Thin wrappers over the QMP commands.
 */

#include "qemu/osdep.h"
#include "monitor/hmp.h"
#include "monitor/monitor.h"
#include "qapi/error.h"
#include "qapi/qapi-commands-instrument.h"
#include "qobject/qdict.h"

void hmp_instr_load(Monitor *mon, const QDict *qdict)
{
    const char *path = qdict_get_str(qdict, "path");
    const char *argstr = qdict_get_try_str(qdict, "args");
    const char *id = qdict_get_try_str(qdict, "id");
    g_autoptr(InstrLoadResult) res = NULL;
    g_auto(GStrv) argv = NULL;
    strList *args = NULL, **tail = &args;
    Error *err = NULL;
    int i;

    /* Arguments split like a shell does, so that quotes work */
    if (argstr && !g_shell_parse_argv(argstr, NULL, &argv, NULL)) {
        error_setg(&err, "cannot parse the library arguments '%s'", argstr);
        hmp_handle_error(mon, err);
        return;
    }
    for (i = 0; argv && argv[i]; i++) {
        QAPI_LIST_APPEND(tail, g_strdup(argv[i]));
    }
    res = qmp_instr_load(path, args != NULL, args, id, false, false, &err);
    qapi_free_strList(args);
    if (hmp_handle_error(mon, err)) {
        return;
    }
    monitor_printf(mon, "%s\n", res->id);
}

void hmp_instr_unload(Monitor *mon, const QDict *qdict)
{
    Error *err = NULL;

    qmp_instr_unload(qdict_get_str(qdict, "id"), &err);
    hmp_handle_error(mon, err);
}

void hmp_info_instr(Monitor *mon, const QDict *qdict)
{
    g_autoptr(InstrInfo) info = qmp_query_instr(NULL);
    InstrLibraryInfoList *elem;
    strList *arg;

    monitor_printf(mon, "qemu-instr on QEMU %s, %s mode, API %" PRId64
                   " (libraries of API %" PRId64 " and later load)\n",
                   info->qemu_version, InstrMode_str(info->mode),
                   info->api_version, info->api_version_min);
    if (!info->libraries) {
        monitor_printf(mon, "No instrumentation library loaded\n");
        return;
    }
    for (elem = info->libraries; elem; elem = elem->next) {
        InstrLibraryInfo *lib = elem->value;
        InstrCallbackList *cb;

        monitor_printf(mon, "%s: %s", lib->id, lib->path);
        for (arg = lib->args; arg; arg = arg->next) {
            monitor_printf(mon, " %s", arg->value);
        }
        monitor_printf(mon, "\n");
        for (cb = lib->callbacks; cb; cb = cb->next) {
            monitor_printf(mon, "    %s", cb->value->event);
            if (cb->value->priority) {
                monitor_printf(mon, ", priority %" PRId64,
                               cb->value->priority);
            }
            if (cb->value->has_calls) {
                monitor_printf(mon, ": %" PRIu64 " calls", cb->value->calls);
            }
            monitor_printf(mon, "\n");
        }
        if (lib->exec_sites) {
            monitor_printf(mon, "    %" PRIu64 " execution-time calls "
                           "emitted\n", lib->exec_sites);
        }
    }
}
