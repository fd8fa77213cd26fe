/*
 * qemu-instr example: every device register access of a system guest
 *
 * Copyright (c) 2026 qemu-instr developers
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Logs each read and write the guest makes to a device's registers,
 * memory-mapped or port I/O, through QEMU's memory_region_ops_read and
 * memory_region_ops_write trace events, one line each:
 *
 *   0 write serial 0x3f8 1 0x67
 *   0 read serial 0x3fd 1 0x60
 *
 * (vCPU index or -1 when no vCPU made the access, read/write, the
 * device's memory region, the address in its address space, memory or
 * I/O ports, the size in bytes, the value) and, when the library is
 * unloaded or QEMU exits, a summary per register:
 *
 *   # device address reads writes
 *   # serial 0x3f8 0 1287
 *
 * TCG plugins cannot see these: they see the guest's instructions and
 * memory accesses, not what the devices are asked and answer.  The
 * events must be instrumentable: configure QEMU with an event list
 * (--with-instrument-events=FILE) that has memory_region_ops_read and
 * memory_region_ops_write.
 *
 * Build:  cc -shared -fPIC -O2 $(pkg-config --cflags qemu-instr) \
 *            -o libmmio.so mmio.c $(pkg-config --cflags --libs glib-2.0)
 * Run:    qemu-system-x86_64 -instr ./libmmio.so,arg=out=mmio.txt ...
 *
 * Arguments:
 *   out=FILE       write to FILE (default: stderr)
 *   device=NAME    only the accesses to memory regions named NAME
 *                  (repeatable)
 *   kind=read|write|all
 *                  only reads, only writes, or both (default)
 *   log=off        print the summary only
 */

#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <glib.h>
#include <qemu-instr/qemu-instr.h>

/* Built against a QEMU whose event selection lacks them: refuse to load */
#if defined(QI_EVENT_MEMORY_REGION_OPS_READ_ENABLED) && \
    defined(QI_EVENT_MEMORY_REGION_OPS_WRITE_ENABLED)
#define HAVE_EVENTS 1
#else
#define HAVE_EVENTS 0
#endif

typedef struct RegCount {
    uint64_t reads, writes;
} RegCount;

static bool active, want_read = true, want_write = true, want_log = true;
static FILE *out;
static GPtrArray *devices;          /* names to keep; empty: all */
static GHashTable *counts;          /* "name 0xaddr" -> RegCount */
static GMutex lock;

#if HAVE_EVENTS
static bool wanted(const char *name)
{
    guint i;

    if (!devices->len) {
        return true;
    }
    for (i = 0; i < devices->len; i++) {
        if (strcmp(name, g_ptr_array_index(devices, i)) == 0) {
            return true;
        }
    }
    return false;
}

static void record_access(bool write, int cpu_index, uint64_t addr,
                          uint64_t value, unsigned size, const char *name)
{
    g_autofree char *key = NULL;
    RegCount *c;

    if (!active || !(write ? want_write : want_read) || !wanted(name)) {
        return;
    }
    key = g_strdup_printf("%s 0x%" PRIx64, name, addr);
    /* vCPUs and I/O threads raise the events */
    g_mutex_lock(&lock);
    c = g_hash_table_lookup(counts, key);
    if (!c) {
        c = g_new0(RegCount, 1);
        g_hash_table_insert(counts, g_steal_pointer(&key), c);
    }
    if (write) {
        c->writes++;
    } else {
        c->reads++;
    }
    if (want_log) {
        fprintf(out, "%d %s %s 0x%" PRIx64 " %u 0x%" PRIx64 "\n", cpu_index,
                write ? "write" : "read", name, addr, size, value);
    }
    g_mutex_unlock(&lock);
}

void qi_event_memory_region_ops_read(int cpu_index, void *mr, uint64_t addr,
                                     uint64_t value, unsigned size,
                                     const char *name)
{
    record_access(false, cpu_index, addr, value, size, name);
}

void qi_event_memory_region_ops_write(int cpu_index, void *mr, uint64_t addr,
                                      uint64_t value, unsigned size,
                                      const char *name)
{
    record_access(true, cpu_index, addr, value, size, name);
}
#endif


static void fini(void *data)
{
    GList *keys, *k;

    if (!active) {
        return;
    }
    g_mutex_lock(&lock);
    active = false;
    keys = g_list_sort(g_hash_table_get_keys(counts), (GCompareFunc)strcmp);
    fprintf(out, "# device address reads writes\n");
    for (k = keys; k; k = k->next) {
        RegCount *c = g_hash_table_lookup(counts, k->data);

        fprintf(out, "# %s %" PRIu64 " %" PRIu64 "\n", (char *)k->data,
                c->reads, c->writes);
    }
    g_list_free(keys);
    if (out != stderr) {
        fclose(out);
    } else {
        fflush(out);
    }
    g_mutex_unlock(&lock);
}

static bool parse(const char *arg, const char **path)
{
    if (g_str_has_prefix(arg, "out=")) {
        *path = arg + 4;
    } else if (g_str_has_prefix(arg, "device=") && arg[7]) {
        g_ptr_array_add(devices, g_strdup(arg + 7));
    } else if (strcmp(arg, "kind=read") == 0) {
        want_read = true;
        want_write = false;
    } else if (strcmp(arg, "kind=write") == 0) {
        want_read = false;
        want_write = true;
    } else if (strcmp(arg, "kind=all") == 0) {
        want_read = want_write = true;
    } else if (strcmp(arg, "log=off") == 0) {
        want_log = false;
    } else if (strcmp(arg, "log=on") == 0) {
        want_log = true;
    } else {
        return false;
    }
    return true;
}

int qi_init(int argc, const char **argv)
{
    const char *path = NULL;
    int i;

    devices = g_ptr_array_new_with_free_func(g_free);
    for (i = 0; i < argc; i++) {
        if (!parse(argv[i], &path)) {
            qi_log("mmio: unknown argument '%s' (out=FILE, "
                   "device=NAME, kind=read|write|all, log=on|off)",
                   argv[i]);
            return 1;
        }
    }
    out = path ? fopen(path, "w") : stderr;
    if (!out) {
        qi_log("mmio: cannot write %s", path);
        return 1;
    }
    counts = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    if (!HAVE_EVENTS) {
        qi_log("mmio: built against a QEMU where memory_region_ops_"
               "read/write are not instrumentable (configure it with "
               "--with-instrument-events=FILE listing them)");
        return 1;
    }
    qi_set_fini(fini, NULL);
#if HAVE_EVENTS
    if (qi_ctrl_dynamic() &&
        !(qi_ctrl_event_set(qi_ctrl_event_id(QI_EVENT_MEMORY_REGION_OPS_READ),
                            QI_CTRL_INSTR_AUTO) &&
          qi_ctrl_event_set(qi_ctrl_event_id(QI_EVENT_MEMORY_REGION_OPS_WRITE),
                            QI_CTRL_INSTR_AUTO))) {
        qi_log("mmio: cannot set the memory region callbacks "
               "(qemu-system-* only)");
        return 1;
    }
#endif
    /* Static mode runs this without -instr too: then stay out of the way */
    active = qi_ctrl_dynamic() || argc > 0;
    return 0;
}
