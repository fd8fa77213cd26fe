/*
 * qemu-instr: which libraries the monitor may load (-instr-policy)
 *
 * Copyright (c) 2026 qemu-instr developers
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Loading a library runs its code in QEMU: anyone with the monitor can
 * run code on the host as QEMU's user.  -instr-policy, fixed at start-up,
 * limits that: monitor=off refuses every instr-load, dir=DIR only accepts
 * libraries inside DIR.  Libraries given with -instr are trusted.
 */

#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qemu/error-report.h"
#include "qemu/option.h"
#include "instrument/instrument.h"
#include "internal.h"

static bool instr_policy_set;
static bool instr_monitor_off;
static char *instr_allowed_dir;     /* real path, without a trailing '/' */

static QemuOptsList instr_policy_opts = {
    .name = "instr-policy",
    .head = QTAILQ_HEAD_INITIALIZER(instr_policy_opts.head),
    .desc = {
        {
            .name = "monitor",
            .type = QEMU_OPT_BOOL,
            .help = "whether instr-load may load libraries",
        }, {
            .name = "dir",
            .type = QEMU_OPT_STRING,
            .help = "the directory instr-load may load libraries from",
        },
        { /* end of list */ }
    },
};

void instr_policy_parse(const char *optarg)
{
    QemuOpts *opts;
    const char *dir;

    if (instr_policy_set) {
        error_report("given twice (there is one policy, "
                     "fixed at start-up)");
        exit(1);
    }
    instr_policy_set = true;
    opts = qemu_opts_parse_noisily(&instr_policy_opts, optarg, false);
    if (!opts) {
        exit(1);
    }
    instr_monitor_off = !qemu_opt_get_bool(opts, "monitor", true);
    dir = qemu_opt_get(opts, "dir");
    if (dir && instr_monitor_off) {
        error_report("'dir' allows libraries that "
                     "'monitor=off' refuses: give one or the other");
        exit(1);
    }
    if (dir) {
        instr_allowed_dir = realpath(dir, NULL);
        if (!instr_allowed_dir) {
            error_report("dir '%s': %s", dir, strerror(errno));
            exit(1);
        }
        if (!g_file_test(instr_allowed_dir, G_FILE_TEST_IS_DIR)) {
            error_report("dir '%s' is not a directory", dir);
            exit(1);
        }
    }
    qemu_opts_del(opts);
}

/* @abspath has no symbolic link, "." or ".." component (realpath()) */
static bool instr_in_allowed_dir(const char *abspath)
{
    size_t len = strlen(instr_allowed_dir);

    /* "/" is the only real path that ends with '/' */
    if (len == 1) {
        return true;
    }
    return strncmp(abspath, instr_allowed_dir, len) == 0 &&
           abspath[len] == '/';
}

bool instr_policy_check(const char *path, const char *abspath, Error **errp)
{
    ERRP_GUARD();

    if (instr_monitor_off) {
        error_setg(errp, "cannot load '%s': loading instrumentation "
                   "libraries from the monitor is disabled "
                   "(-instr-policy monitor=off)", path);
    } else if (abspath && instr_allowed_dir &&
               !instr_in_allowed_dir(abspath)) {
        error_setg(errp, "cannot load '%s': only libraries in '%s' may be "
                   "loaded from the monitor (-instr-policy dir=)", path,
                   instr_allowed_dir);
    } else {
        return true;
    }
    /* Logged for the host: warn_report() would print to an HMP monitor */
    fprintf(stderr, "%s: warning: instr-load refused: %s\n",
            g_get_prgname(), error_get_pretty(*errp));
    return false;
}
