/*
 * qemu-instr: loading and unloading instrumentation libraries
 *
 * Copyright (c) 2026 qemu-instr developers
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Dynamic mode opens libraries with dlopen(), checks the API version
 * they were built for and calls their qi_init(); unloading stops the
 * vCPUs, calls the library's fini, resets the callbacks it set and closes
 * it.  Static mode starts the library linked into QEMU.
 */

#include "qemu/osdep.h"
#include <dlfcn.h>
#include "elf.h"
#include "qapi/error.h"
#include "qapi/util.h"
#include "qemu/cutils.h"
#include "qemu/error-report.h"
#include "qemu/id.h"
#include "qemu/lockable.h"
#include "qemu/option.h"
#include "qemu/rcu.h"
#include "instrument/instrument.h"
#include "qemu-instr/control.h"
#include "internal.h"

typedef int (*InstrInitFn)(int argc, const char **argv);

QemuMutex instr_lock;
InstrLibraryList instr_libraries =
    QTAILQ_HEAD_INITIALIZER(instr_libraries);

/* Libraries given with -instr, loaded by instr_init() */
typedef struct InstrOption {
    char *path;
    char *id;
    bool stats;
    GPtrArray *args;
} InstrOption;

static GPtrArray *instr_options;

static void __attribute__((constructor)) instr_lock_init(void)
{
    qemu_mutex_init(&instr_lock);
}

static InstrLibrary *instr_library_find_locked(const char *id)
{
    InstrLibrary *lib;

    QTAILQ_FOREACH(lib, &instr_libraries, next) {
        if (strcmp(lib->id, id) == 0) {
            return lib;
        }
    }
    return NULL;
}

InstrLibrary *instr_library_of_locked(QILibrary *self)
{
    InstrLibrary *lib;

    QTAILQ_FOREACH(lib, &instr_libraries, next) {
        if (self && lib->info == self) {
            return lib;
        }
    }
    return NULL;
}

InstrLibrary *instr_library_at_locked(const void *addr)
{
    InstrLibrary *lib;
    Dl_info info;

    if (!dladdr(addr, &info)) {
        return NULL;
    }
    QTAILQ_FOREACH(lib, &instr_libraries, next) {
        if (lib->base == info.dli_fbase) {
            return lib;
        }
    }
    return NULL;
}

static InstrLibrary *instr_library_new(const char *path, int argc,
                                       char **argv, const char *id)
{
    static uintptr_t serial;
    InstrLibrary *lib = g_new0(InstrLibrary, 1);
    int i;

    lib->serial = qatomic_fetch_inc(&serial);
    lib->path = g_strdup(path);
    lib->id = g_strdup(id);
    lib->argc = argc;
    lib->argv = g_new0(char *, argc + 1);
    for (i = 0; i < argc; i++) {
        lib->argv[i] = g_strdup(argv[i]);
    }
    lib->info = &lib->legacy;
    lib->legacy.api_version = QI_API_VERSION;
    lib->legacy.qemu = lib;
    if (qi_ctrl_dynamic()) {
        lib->events = g_new0(InstrLibEvent, QI_EVENT_COUNT);
    }
    return lib;
}

static void instr_library_free(InstrLibrary *lib)
{
    g_free(lib->events);
    g_free(lib->id);
    g_free(lib->path);
    g_strfreev(lib->argv);
    g_free(lib);
}

/*
 * Wait until no thread runs a callback it may have read before: the
 * vCPUs are stopped, the other threads call them under RCU.  Not from
 * a read-side critical section, which cannot wait for itself.
 */
static void instr_callbacks_quiesce(void)
{
    if (!get_ptr_rcu_reader()->depth) {
        synchronize_rcu();
    }
}

/*
 * Stop @lib's memory trace, handing over its last records, and remove
 * its callbacks.
 */
static void instr_library_detach(InstrLibrary *lib)
{
    instr_mem_trace_release(lib);
    instr_events_detach(lib);
}

/* Once no callback of @lib runs: call its fini once, free its data */
static void instr_library_finish(InstrLibrary *lib)
{
    if (!lib->finished) {
        lib->finished = true;
        if (lib->fini) {
            lib->fini(lib->fini_data);
        }
    }
    instr_scoreboard_release(lib);
}

static void instr_fini_adapter(void *data)
{
    void (*fini)(void) = data;

    fini();
}

static char *instr_new_id_locked(void)
{
    unsigned n;

    for (n = 0;; n++) {
        char *id = g_strdup_printf("instr%u", n);

        if (!instr_library_find_locked(id)) {
            return id;
        }
        g_free(id);
    }
}

static const char *instr_elf_machine_name(unsigned machine)
{
    switch (machine) {
    case EM_386:
        return "i386";
    case EM_X86_64:
        return "x86-64";
    case EM_ARM:
        return "arm";
    case EM_AARCH64:
        return "aarch64";
    case EM_PPC64:
        return "ppc64";
    case EM_S390:
        return "s390x";
    case EM_RISCV:
        return "riscv";
    default:
        return "an unknown machine";
    }
}

/*
 * glibc's dlopen() says "No such file or directory" for a library of
 * another architecture: tell it from QEMU's own ELF header.
 */
static char *instr_elf_mismatch(const char *abspath)
{
    const unsigned char *self;
    unsigned char header[EI_NIDENT + 4];
    unsigned file_machine, self_machine;
    Dl_info info;
    FILE *f;
    size_t n;

    if (!dladdr((void *)instr_elf_mismatch, &info) || !info.dli_fbase) {
        return NULL;
    }
    self = info.dli_fbase;
    f = fopen(abspath, "rb");
    if (!f) {
        return NULL;
    }
    n = fread(header, 1, sizeof(header), f);
    fclose(f);
    if (n < sizeof(header) || memcmp(header, ELFMAG, SELFMAG) != 0) {
        return NULL;
    }
    if (header[EI_CLASS] != self[EI_CLASS]) {
        return g_strdup_printf("it is a %s-bit library, and this QEMU is "
                               "%s-bit",
                               header[EI_CLASS] == ELFCLASS32 ? "32" : "64",
                               self[EI_CLASS] == ELFCLASS32 ? "32" : "64");
    }
    /* e_machine follows e_type, in the file's byte order */
    if (header[EI_DATA] == ELFDATA2LSB) {
        file_machine = header[EI_NIDENT + 2] | header[EI_NIDENT + 3] << 8;
        self_machine = self[EI_NIDENT + 2] | self[EI_NIDENT + 3] << 8;
    } else {
        file_machine = header[EI_NIDENT + 2] << 8 | header[EI_NIDENT + 3];
        self_machine = self[EI_NIDENT + 2] << 8 | self[EI_NIDENT + 3];
    }
    if (header[EI_DATA] != self[EI_DATA] || file_machine != self_machine) {
        return g_strdup_printf("it is built for %s (ELF machine %u), and "
                               "this QEMU runs on %s (ELF machine %u)",
                               instr_elf_machine_name(file_machine),
                               file_machine,
                               instr_elf_machine_name(self_machine),
                               self_machine);
    }
    return NULL;
}

/* The library's own qi_library, NULL if it was built for API 1 or 2 */
static QILibrary *instr_find_identity(void *handle, const Dl_info *own)
{
    QILibrary *info = dlsym(handle, "qi_library");
    Dl_info where;

    /* Not one of a library it links against */
    if (!info || !dladdr(info, &where) ||
        where.dli_fbase != own->dli_fbase) {
        return NULL;
    }
    return info;
}

static bool instr_check_version(const char *path, int version, Error **errp)
{
    ERRP_GUARD();

    if (version < QI_API_VERSION_MIN) {
        error_setg(errp, "'%s' was built for qemu-instr API version %d, "
                   "older than the oldest this QEMU supports (%d)",
                   path, version, QI_API_VERSION_MIN);
        error_append_hint(errp, "Rebuild it against this QEMU's headers.\n");
        return false;
    }
    if (version > QI_API_VERSION) {
        error_setg(errp, "'%s' was built for qemu-instr API version %d, "
                   "newer than this QEMU's (%d)",
                   path, version, QI_API_VERSION);
        error_append_hint(errp, "Use a newer QEMU, or rebuild the library "
                          "against this QEMU's headers.\n");
        return false;
    }
    return true;
}

/* "name(types);" entries of a QI_BUILD_EVENTS string, by name */
static GHashTable *instr_build_events(const char *events, GPtrArray *order)
{
    GHashTable *by_name = g_hash_table_new_full(g_str_hash, g_str_equal,
                                                g_free, g_free);
    g_auto(GStrv) entries = g_strsplit(events, ";", -1);
    int i;

    for (i = 0; entries[i]; i++) {
        char *paren = strchr(entries[i], '(');

        if (!*entries[i]) {
            continue;
        }
        if (!paren) {
            paren = entries[i] + strlen(entries[i]);
        }
        g_ptr_array_add(order, g_strndup(entries[i], paren - entries[i]));
        g_hash_table_insert(by_name,
                            g_strndup(entries[i], paren - entries[i]),
                            g_strdup(paren));
    }
    return by_name;
}

/* Up to 4 names of @names, for a message */
static void instr_list_names(GString *s, GPtrArray *names)
{
    guint i;

    for (i = 0; i < names->len && i < 4; i++) {
        g_string_append_printf(s, "%s%s", i ? ", " : "",
                               (char *)g_ptr_array_index(names, i));
    }
    if (names->len > 4) {
        g_string_append_printf(s, " and %u more", names->len - 4);
    }
}

/* What differs between the library's event list and QEMU's */
static char *instr_events_diff(const char *theirs_s, const char *ours_s)
{
    g_autoptr(GPtrArray) theirs_order = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GPtrArray) ours_order = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GHashTable) theirs = instr_build_events(theirs_s, theirs_order);
    g_autoptr(GHashTable) ours = instr_build_events(ours_s, ours_order);
    g_autoptr(GPtrArray) only_theirs = g_ptr_array_new();
    g_autoptr(GPtrArray) only_ours = g_ptr_array_new();
    GString *s = g_string_new(NULL);
    const char *other_args = NULL;
    guint i;

    for (i = 0; i < theirs_order->len; i++) {
        char *name = g_ptr_array_index(theirs_order, i);
        const char *args = g_hash_table_lookup(ours, name);

        if (!args) {
            g_ptr_array_add(only_theirs, name);
        } else if (!other_args &&
                   strcmp(args, g_hash_table_lookup(theirs, name)) != 0) {
            other_args = name;
        }
    }
    for (i = 0; i < ours_order->len; i++) {
        char *name = g_ptr_array_index(ours_order, i);

        if (!g_hash_table_contains(theirs, name)) {
            g_ptr_array_add(only_ours, name);
        }
    }
    if (only_theirs->len) {
        g_string_append(s, "it was built for events ");
        instr_list_names(s, only_theirs);
        g_string_append(s, only_ours->len ? ", this QEMU has "
                                          : ", which this QEMU does not have");
        instr_list_names(s, only_ours);
    } else if (only_ours->len) {
        g_string_append(s, "this QEMU also has events ");
        instr_list_names(s, only_ours);
        g_string_append(s, ", which its build did not have");
    } else if (other_args) {
        g_string_append_printf(s, "event %s has arguments %s in its build, "
                               "%s in this QEMU", other_args,
                               (char *)g_hash_table_lookup(theirs, other_args),
                               (char *)g_hash_table_lookup(ours, other_args));
    } else {
        g_string_append(s, "its build has the same events in another order");
    }
    return g_string_free(s, false);
}

/*
 * Whether the library was built for this QEMU: its version, its mode and
 * its events (QEMU_INSTR_LIBRARY_H), unless it says it is portable.
 */
static bool instr_check_build(const char *path, const QILibrary *info,
                              Error **errp)
{
    ERRP_GUARD();
    const char *mode = qi_ctrl_dynamic() ? "dynamic" : "static";
    const char *version = info->qemu_version ? info->qemu_version : "";
    const char *events = info->events ? info->events : "";
    g_autofree char *diff = NULL;

    if (info->flags & QI_LIBRARY_PORTABLE) {
        return true;
    }
    if (strcmp(version, QI_QEMU_VERSION) != 0) {
        error_setg(errp, "'%s' was built for QEMU %s, this QEMU is %s",
                   path, version, QI_QEMU_VERSION);
    } else if (!info->mode || strcmp(info->mode, mode) != 0) {
        error_setg(errp, "'%s' was built for a QEMU with %s "
                   "instrumentation, this QEMU has %s instrumentation",
                   path, info->mode ? info->mode : "no", mode);
    } else if (strcmp(events, QI_BUILD_EVENTS) != 0) {
        diff = instr_events_diff(events, QI_BUILD_EVENTS);
        error_setg(errp, "'%s' was built for another QEMU build: %s",
                   path, diff);
    } else {
        return true;
    }
    error_append_hint(errp, "Rebuild it against this QEMU's headers; a "
                      "library that uses only event names may define "
                      "QI_PORTABLE to load into any build.\n");
    return false;
}

/*
 * The library's init function: qi_init(), or else the library's own
 * main() (the first manual's form).  @info describes the library's
 * object.
 */
static InstrInitFn instr_find_init(void *handle, const Dl_info *info)
{
    void *init = dlsym(handle, "qi_init");
    Dl_info main_info;

    if (!init) {
        /* Only the library's own: never a main() of another object */
        init = dlsym(handle, "main");
        if (!init || !dladdr(init, &main_info) ||
            main_info.dli_fbase != info->dli_fbase) {
            return NULL;
        }
    }
    return (InstrInitFn)init;
}

/*
 * Unload the library of serial number @data, if still loaded (the
 * library and the monitor may both ask); called while no vCPU runs guest
 * code.
 */
static void instr_unload_stopped(void *data)
{
    InstrLibrary *lib;

    WITH_QEMU_LOCK_GUARD(&instr_lock) {
        QTAILQ_FOREACH(lib, &instr_libraries, next) {
            if (lib->serial == (uintptr_t)data) {
                break;
            }
        }
    }
    if (!lib) {
        return;
    }
    instr_library_detach(lib);
    instr_callbacks_quiesce();
    instr_library_finish(lib);
    /* Synchronous here: translated code can refer to the library's data */
    instr_translations_flush(false);
    WITH_QEMU_LOCK_GUARD(&instr_lock) {
        QTAILQ_REMOVE(&instr_libraries, lib, next);
    }
    lib->info->qemu = NULL;
    dlclose(lib->handle);
    instr_library_free(lib);
}

bool instr_library_count_calls(InstrLibrary *lib)
{
    if (!lib || !lib->events) {
        return false;
    }
    if (!qatomic_read(&lib->stats_sb)) {
        QIScoreboard *sb = qi_scoreboard_new_by(
            lib->info, QI_EVENT_COUNT * sizeof(uint64_t));

        if (!sb) {
            return false;
        }
        qatomic_set(&lib->stats_sb, sb);
    }
    instr_events_count(lib);
    return true;
}

char *instr_load(const char *path, int argc, char **argv, const char *id,
                 bool stats, bool trusted, Error **errp)
{
    ERRP_GUARD();
    g_autofree char *abspath = NULL;
    g_autofree char *newid = NULL;
    QILibrary *identity;
    InstrLibrary *lib;
    InstrInitFn init;
    const int *version;
    void *handle;
    void *fini;
    Dl_info info;
    int rc;

    if (!qi_ctrl_dynamic()) {
        error_setg(errp, "cannot load '%s': this QEMU was built with static "
                   "instrumentation, its library is compiled in", path);
        return NULL;
    }
    if (!path || !*path) {
        error_setg(errp, "no instrumentation library given");
        return NULL;
    }
    if (id && !id_wellformed(id)) {
        error_setg(errp, "invalid instrumentation library id '%s'", id);
        error_append_hint(errp, "Identifiers consist of letters, digits, "
                          "'-', '.', '_', starting with a letter.\n");
        return NULL;
    }

    if (!trusted && !instr_policy_check(path, NULL, errp)) {
        return NULL;
    }
    abspath = realpath(path, NULL);
    if (!abspath) {
        error_setg_errno(errp, errno, "cannot open instrumentation library "
                         "'%s'", path);
        return NULL;
    }
    /* dlopen() what was checked: a path without symbolic links */
    if (!trusted && !instr_policy_check(path, abspath, errp)) {
        return NULL;
    }
    WITH_QEMU_LOCK_GUARD(&instr_lock) {
        if (id && instr_library_find_locked(id)) {
            error_setg(errp, "an instrumentation library with id '%s' is "
                       "already loaded", id);
            return NULL;
        }
        QTAILQ_FOREACH(lib, &instr_libraries, next) {
            if (strcmp(lib->path, abspath) == 0) {
                error_setg(errp, "'%s' is already loaded, with id '%s'",
                           path, lib->id);
                return NULL;
            }
        }
    }
    handle = dlopen(abspath, RTLD_NOW | RTLD_LOCAL);
    if (!handle) {
        const char *why = dlerror();
        g_autofree char *arch = instr_elf_mismatch(abspath);

        error_setg(errp, "cannot load instrumentation library '%s': %s",
                   path, arch ? arch : why);
        return NULL;
    }
    version = dlsym(handle, "qi_api_version");
    if (!version || !dladdr(version, &info)) {
        error_setg(errp, "'%s' is not a qemu-instr library: it does not "
                   "define qi_api_version", path);
        error_append_hint(errp, "Build it with the qemu-instr headers "
                          "(pkg-config --cflags qemu-instr).\n");
        goto err_close;
    }
    identity = instr_find_identity(handle, &info);
    if (!instr_check_version(path, identity ? identity->api_version
                                            : *version, errp) ||
        (identity && !instr_check_build(path, identity, errp))) {
        goto err_close;
    }
    init = instr_find_init(handle, &info);
    if (!init) {
        error_setg(errp, "'%s' is not a qemu-instr library: it does not "
                   "define qi_init()", path);
        goto err_close;
    }

    WITH_QEMU_LOCK_GUARD(&instr_lock) {
        if (!id) {
            id = newid = instr_new_id_locked();
        }
        lib = instr_library_new(abspath, argc, argv, id);
        lib->handle = handle;
        lib->base = info.dli_fbase;
        if (identity) {
            lib->info = identity;
            identity->qemu = lib;
        } else {
            lib->legacy.api_version = *version;
        }
        lib->starting = true;
        fini = dlsym(handle, "qi_fini");
        if (fini) {
            lib->fini = instr_fini_adapter;
            lib->fini_data = fini;
        }
        QTAILQ_INSERT_TAIL(&instr_libraries, lib, next);
    }
    if (stats && !instr_library_count_calls(lib)) {
        error_setg(errp, "cannot count the calls of '%s': the scoreboards "
                   "are full", path);
        lib->finished = true;
        instr_vcpus_run_stopped(instr_unload_stopped, (void *)lib->serial);
        return NULL;
    }

    /* Unlocked: qi_init() calls back into the API */
    rc = init(lib->argc, (const char **)lib->argv);
    WITH_QEMU_LOCK_GUARD(&instr_lock) {
        lib->starting = false;
    }
    if (rc != 0) {
        error_setg(errp, "instrumentation library '%s' refused to start: "
                   "qi_init() returned %d", path, rc);
        /* Unloaded as instr-unload does, without its fini */
        lib->finished = true;
        instr_vcpus_run_stopped(instr_unload_stopped, (void *)lib->serial);
        return NULL;
    }
    instr_translations_flush(true);
    g_free(newid);
    newid = g_strdup(lib->id);
    if (lib->unload_requested) {
        /* qi_init() succeeded and asked to be unloaded: a one-shot tool */
        instr_vcpus_run_stopped(instr_unload_stopped, (void *)lib->serial);
    }
    return g_steal_pointer(&newid);

err_close:
    dlclose(handle);
    return NULL;
}

bool instr_unload(const char *id, Error **errp)
{
    InstrLibrary *lib;
    uintptr_t serial;

    WITH_QEMU_LOCK_GUARD(&instr_lock) {
        lib = instr_library_find_locked(id);
        if (!lib) {
            error_setg(errp, "no instrumentation library with id '%s'", id);
            return false;
        }
        if (!lib->handle) {
            error_setg(errp, "'%s' is the static instrumentation library, "
                       "compiled into QEMU: it cannot be unloaded", id);
            return false;
        }
        if (lib->starting) {
            error_setg(errp, "instrumentation library '%s' is still "
                       "loading: its qi_init() has not returned", id);
            return false;
        }
        if (lib->unloading) {
            error_setg(errp, "instrumentation library '%s' is already "
                       "being unloaded", id);
            return false;
        }
        lib->unloading = true;
        serial = lib->serial;
    }
    instr_vcpus_run_stopped(instr_unload_stopped, (void *)serial);
    return true;
}

bool instr_unload_later(InstrLibrary *lib)
{
    uintptr_t serial;
    bool starting;

    WITH_QEMU_LOCK_GUARD(&instr_lock) {
        if (!lib || !lib->handle || lib->finished) {
            return false;
        }
        if (lib->unload_requested) {
            return true;
        }
        lib->unload_requested = true;
        starting = lib->starting;
        serial = lib->serial;
    }
    /* From qi_init(): instr_load() unloads it once qi_init() returns */
    if (starting) {
        return true;
    }
    if (!instr_vcpus_run_later(instr_unload_stopped, (void *)serial)) {
        WITH_QEMU_LOCK_GUARD(&instr_lock) {
            lib->unload_requested = false;
        }
        return false;
    }
    return true;
}

/*
 * Command line
 */

static QemuOptsList instr_opts = {
    .name = "instr",
    .implied_opt_name = "file",
    .head = QTAILQ_HEAD_INITIALIZER(instr_opts.head),
    .desc = {
        /* file, id and any number of arg: parsed by instr_opt_add() */
        { /* end of list */ }
    },
};

static int instr_opt_add(void *opaque, const char *name, const char *value,
                         Error **errp)
{
    InstrOption *opt = opaque;

    if (strcmp(name, "file") == 0) {
        if (opt->path) {
            error_setg(errp, "-instr: 'file' given twice");
            return -1;
        }
        if (!*value) {
            error_setg(errp, "-instr: 'file' needs a library path");
            return -1;
        }
        opt->path = g_strdup(value);
    } else if (strcmp(name, "arg") == 0) {
        g_ptr_array_add(opt->args, g_strdup(value));
    } else if (strcmp(name, "stats") == 0) {
        if (!qapi_bool_parse(name, value, &opt->stats, errp)) {
            error_prepend(errp, "-instr: ");
            return -1;
        }
    } else {
        error_setg(errp, "-instr: unknown parameter '%s' (expected file, "
                   "arg, id or stats)", name);
        return -1;
    }
    return 0;
}

/*
 * What QemuOpts would take silently: a second id= (it keeps the first),
 * and a parameter without a value after the first one (it makes "arg"
 * mean "arg=on", with a deprecation warning).  This splits @optarg the
 * way get_opt_name_value() does.
 */
static bool instr_opt_check(const char *optarg, Error **errp)
{
    const char *p = optarg;
    bool has_id = false;
    int i;

    for (i = 0; *p; i++) {
        g_autofree char *value = NULL;
        size_t len = strcspn(p, "=,");

        if (p[len] != '=') {
            if (i > 0) {
                error_setg(errp, "-instr: '%.*s' needs a value ('%.*s=...')",
                           (int)len, p, (int)len, p);
                return false;
            }
            /* the implied file= */
            p = get_opt_value(p, &value);
        } else {
            if (len == 2 && strncmp(p, "id", 2) == 0) {
                if (has_id) {
                    error_setg(errp, "-instr: 'id' given twice");
                    return false;
                }
                has_id = true;
            }
            p = get_opt_value(p + len + 1, &value);
        }
        if (*p) {
            p++;
        }
    }
    return true;
}

void instr_opt_parse(const char *optarg)
{
    InstrOption *opt = g_new0(InstrOption, 1);
    QemuOpts *opts;

    instr_opt_check(optarg, &error_fatal);
    opt->args = g_ptr_array_new_with_free_func(g_free);
    opts = qemu_opts_parse_noisily(&instr_opts, optarg, true);
    if (!opts) {
        exit(1);
    }
    /* QemuOpts keeps id= for itself, and checks it is an identifier */
    opt->id = g_strdup(qemu_opts_id(opts));
    qemu_opt_foreach(opts, instr_opt_add, opt, &error_fatal);
    qemu_opts_del(opts);
    if (!opt->path && qi_ctrl_dynamic()) {
        error_report("-instr: missing 'file=' (the library to load)");
        exit(1);
    }
    if ((opt->path || opt->id) && !qi_ctrl_dynamic()) {
        error_report("-instr: this QEMU was built with static "
                     "instrumentation: '%s=' cannot load a library; use "
                     "'arg=' to pass arguments to the compiled-in one",
                     opt->path ? "file" : "id");
        exit(1);
    }
    if (!instr_options) {
        instr_options = g_ptr_array_new();
    }
    g_ptr_array_add(instr_options, opt);
}

#ifdef CONFIG_TRACE_INSTRUMENT_STATIC
/*
 * Entry points of the static library (control.h), if it defines them,
 * and the qi_library its headers define (library.h, a weak declaration)
 */
#pragma weak qi_init
#pragma weak qi_fini

static void instr_init_static(GPtrArray *args, Error **errp)
{
    InstrLibrary *lib;
    Dl_info info;
    int rc = 0;

    lib = instr_library_new(CONFIG_TRACE_INSTRUMENT_PATH, args->len,
                            (char **)args->pdata, "static");
    if (&qi_library) {
        lib->info = &qi_library;
        qi_library.qemu = lib;
    }
    /* The library's code is QEMU's own */
    if (dladdr((void *)instr_init, &info)) {
        lib->base = info.dli_fbase;
    }
    if (qi_fini) {
        lib->fini = instr_fini_adapter;
        lib->fini_data = qi_fini;
    }
    WITH_QEMU_LOCK_GUARD(&instr_lock) {
        QTAILQ_INSERT_TAIL(&instr_libraries, lib, next);
    }
    if (qi_init) {
        rc = qi_init(lib->argc, (const char **)lib->argv);
    }
    if (rc != 0) {
        error_setg(errp, "static instrumentation library refused to start: "
                   "qi_init() returned %d", rc);
    }
}
#endif

void instr_init(Error **errp)
{
    g_autoptr(GPtrArray) args = g_ptr_array_new_with_free_func(g_free);
    guint i, j;

    /* Before the guest can close or redirect QEMU's standard error */
    instr_log_init();

    for (i = 0; instr_options && i < instr_options->len; i++) {
        InstrOption *opt = g_ptr_array_index(instr_options, i);

        if (opt->path) {
            /* The command line is trusted: no -instr-policy check */
            g_autofree char *id = instr_load(opt->path, opt->args->len,
                                             (char **)opt->args->pdata,
                                             opt->id, opt->stats, true,
                                             errp);
            if (!id) {
                return;
            }
        }
        /* Static mode: the arguments of every -instr, in order */
        for (j = 0; !opt->path && j < opt->args->len; j++) {
            g_ptr_array_add(args, g_strdup(g_ptr_array_index(opt->args, j)));
        }
    }
#ifdef CONFIG_TRACE_INSTRUMENT_STATIC
    instr_init_static(args, errp);
#endif
}

void instr_exit(void)
{
    InstrLibrary *lib;
    bool paused = instr_vcpus_pause();

    /*
     * Not under instr_lock: fini may call the API.  Nothing loads or
     * unloads libraries any more.  Every fini runs once no callback of
     * any library runs, in any thread.
     */
    QTAILQ_FOREACH(lib, &instr_libraries, next) {
        instr_library_detach(lib);
    }
    instr_callbacks_quiesce();
    QTAILQ_FOREACH(lib, &instr_libraries, next) {
        instr_library_finish(lib);
    }
    /* linux-user leaves with _exit(): keep what the libraries printed */
    fflush(NULL);
    if (paused) {
        instr_vcpus_resume();
    }
}
