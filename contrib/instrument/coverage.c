/*
 * qemu-instr example: line coverage of a user-mode program, for lcov
 *
 * Copyright (c) 2026 qemu-instr developers
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Records which instructions of the guest run, and how often, and
 * writes at the end an lcov tracefile: for each source line of the
 * program's debug information, how many times its code ran (0 for the
 * lines that never did).  genhtml (Debian's lcov package) renders it:
 *
 *   cc -g -O1 -static -o prog prog.c
 *   qemu-x86_64 -instr ./libcoverage.so,arg=binary=./prog,\
 *       arg=out=prog.info ./prog
 *   genhtml -o html prog.info
 *
 * Addresses become lines through binutils: "objdump --dwarf=decodedline"
 * lists the addresses that start a line, "addr2line" names their file
 * and line; both run once, when QEMU exits.  A line counts the
 * executions of the most executed of its addresses.  Code without debug
 * information (a static libc, usually) is left out.
 *
 * Build:  cc -shared -fPIC -O2 $(pkg-config --cflags qemu-instr glib-2.0) \
 *            -o libcoverage.so coverage.c
 *
 * Arguments:
 *   binary=PATH    the guest program (required)
 *   out=FILE       write the tracefile to FILE [coverage.info]
 *   base=ADDR      its load address (hexadecimal) if it is a PIE [0]
 */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <glib.h>
#include <qemu-instr/qemu-instr.h>

typedef struct Block {
    uint64_t count;
    guint n_insns;
    uint64_t insns[];           /* the address of each instruction */
} Block;

static const char *out = "coverage.info";
static const char *binary;
static uint64_t base;
static bool active;

static GMutex lock;
static GHashTable *blocks;      /* pc -> Block, the latest translation */
static GPtrArray *all_blocks;   /* every Block, for the totals */

/* Instructions come before their block, on the translating thread */
static __thread GArray *pending;

void qi_event_guest_insn_before_trans(QICPU vcpu, QITCGv_cpu vcpu_exec,
                                      uint64_t pc, uint32_t size,
                                      const uint8_t *bytes)
{
    if (!active) {
        return;
    }
    if (!pending) {
        pending = g_array_new(false, false, sizeof(uint64_t));
    }
    g_array_append_val(pending, pc);
}

void qi_event_guest_tb_before_trans(QICPU vcpu, QITCGv_cpu vcpu_exec,
                                    uint64_t pc, uint32_t n_insns,
                                    uint32_t size)
{
    Block *b;
    guint i;

    if (!active || !pending) {
        return;
    }
    b = g_malloc0(sizeof(Block) + pending->len * sizeof(uint64_t));
    /* Keep what belongs to this block (a translation may be restarted) */
    for (i = 0; i < pending->len; i++) {
        uint64_t insn = g_array_index(pending, uint64_t, i);

        if (insn >= pc && insn < pc + size) {
            b->insns[b->n_insns++] = insn;
        }
    }
    g_array_set_size(pending, 0);
    g_mutex_lock(&lock);
    g_hash_table_insert(blocks, g_memdup2(&pc, sizeof(pc)), b);
    g_ptr_array_add(all_blocks, b);
    g_mutex_unlock(&lock);
    qi_event_gen_guest_tb_before_exec(vcpu_exec, pc);
}

void qi_event_guest_tb_before_exec(QICPU vcpu, uint64_t pc)
{
    Block *b;

    g_mutex_lock(&lock);
    b = g_hash_table_lookup(blocks, &pc);
    g_mutex_unlock(&lock);
    __atomic_fetch_add(&b->count, 1, __ATOMIC_RELAXED);
}

/* The output of a shell command, NULL if it failed */
static char *command_output(const char *cmd)
{
    GString *s = g_string_new(NULL);
    char buf[4096];
    size_t n;
    FILE *p = popen(cmd, "r");

    if (!p) {
        return NULL;
    }
    while ((n = fread(buf, 1, sizeof(buf), p)) > 0) {
        g_string_append_len(s, buf, n);
    }
    if (pclose(p) != 0) {
        qi_log("coverage: '%s' failed", cmd);
        g_string_free(s, true);
        return NULL;
    }
    return g_string_free(s, false);
}

/* The addresses where lines start, from the DWARF line table */
static GArray *line_addresses(const char *quoted)
{
    g_autofree char *cmd = g_strdup_printf("objdump --dwarf=decodedline %s",
                                           quoted);
    g_autofree char *text = command_output(cmd);
    GArray *addrs = g_array_new(false, false, sizeof(uint64_t));
    g_auto(GStrv) lines = text ? g_strsplit(text, "\n", -1) : NULL;
    int i;

    /* "prog.c    23    0x401615    2    x": name, line, address, ... */
    for (i = 0; lines && lines[i]; i++) {
        g_auto(GStrv) f = g_strsplit_set(g_strstrip(lines[i]), " \t", -1);
        int n = 0, j;
        uint64_t addr;

        for (j = 0; f[j]; j++) {
            if (*f[j] && ++n == 3 && g_str_has_prefix(f[j], "0x")) {
                addr = g_ascii_strtoull(f[j], NULL, 16);
                g_array_append_val(addrs, addr);
            }
        }
    }
    return addrs;
}

static int by_line(gconstpointer a, gconstpointer b)
{
    return GPOINTER_TO_INT(a) - GPOINTER_TO_INT(b);
}

static void write_tracefile(FILE *f, GHashTable *counts)
{
    g_autofree char *quoted = g_shell_quote(binary);
    g_autofree char *tmp = g_strdup_printf("%s.addrs", out);
    g_autofree char *cmd = g_strdup_printf("addr2line -e %s < %s", quoted,
                                           tmp);
    g_autoptr(GArray) addrs = line_addresses(quoted);
    /* file -> (line -> count) */
    g_autoptr(GHashTable) files = g_hash_table_new_full(
        g_str_hash, g_str_equal, g_free, (GDestroyNotify)g_hash_table_unref);
    g_autofree char *text = NULL;
    g_auto(GStrv) lines = NULL;
    g_autoptr(GList) names = NULL;
    FILE *a = fopen(tmp, "w");
    guint i;

    if (!a) {
        qi_log("coverage: %s: %s", tmp, strerror(errno));
        return;
    }
    for (i = 0; i < addrs->len; i++) {
        fprintf(a, "0x%" PRIx64 "\n", g_array_index(addrs, uint64_t, i));
    }
    fclose(a);
    text = command_output(cmd);
    unlink(tmp);
    lines = text ? g_strsplit(text, "\n", -1) : NULL;

    /* addr2line answers "path:line" or "path:line (discriminator N)" */
    for (i = 0; lines && lines[i] && i < addrs->len; i++) {
        uint64_t addr = g_array_index(addrs, uint64_t, i) + base;
        uint64_t count = GPOINTER_TO_SIZE(g_hash_table_lookup(counts, &addr));
        char *colon = strrchr(lines[i], ':');
        GHashTable *file;
        gpointer key, old;
        int line;

        if (!colon || g_str_has_prefix(lines[i], "??")) {
            continue;
        }
        *colon = 0;
        line = atoi(colon + 1);
        if (line <= 0) {
            continue;
        }
        file = g_hash_table_lookup(files, lines[i]);
        if (!file) {
            file = g_hash_table_new(NULL, NULL);
            g_hash_table_insert(files, g_strdup(lines[i]), file);
        }
        key = GINT_TO_POINTER(line);
        old = g_hash_table_lookup(file, key);
        if (!g_hash_table_contains(file, key) ||
            count > GPOINTER_TO_SIZE(old)) {
            g_hash_table_insert(file, key, GSIZE_TO_POINTER(count));
        }
    }

    names = g_list_sort(g_hash_table_get_keys(files), (GCompareFunc)strcmp);
    fprintf(f, "TN:\n");
    for (GList *n = names; n; n = n->next) {
        GHashTable *file = g_hash_table_lookup(files, n->data);
        g_autoptr(GList) nums = g_list_sort(g_hash_table_get_keys(file),
                                            by_line);
        int hit = 0;

        fprintf(f, "SF:%s\n", (char *)n->data);
        for (GList *l = nums; l; l = l->next) {
            size_t count = GPOINTER_TO_SIZE(g_hash_table_lookup(file,
                                                                l->data));

            fprintf(f, "DA:%d,%zu\n", GPOINTER_TO_INT(l->data), count);
            hit += count > 0;
        }
        fprintf(f, "LF:%u\nLH:%d\nend_of_record\n", g_list_length(nums), hit);
    }
}

static void fini(void *data)
{
    /* instruction address -> executions */
    g_autoptr(GHashTable) counts = g_hash_table_new_full(g_int64_hash,
                                                         g_int64_equal,
                                                         g_free, NULL);
    FILE *f;
    guint i, j;

    if (!active) {
        return;
    }
    for (i = 0; i < all_blocks->len; i++) {
        Block *b = g_ptr_array_index(all_blocks, i);

        for (j = 0; b->count && j < b->n_insns; j++) {
            gsize old = GPOINTER_TO_SIZE(g_hash_table_lookup(counts,
                                                             &b->insns[j]));

            g_hash_table_insert(counts, g_memdup2(&b->insns[j],
                                                  sizeof(uint64_t)),
                                GSIZE_TO_POINTER(old + b->count));
        }
    }
    f = fopen(out, "w");
    if (!f) {
        qi_log("coverage: cannot open %s: %s", out, strerror(errno));
        return;
    }
    write_tracefile(f, counts);
    fclose(f);
}

int qi_init(int argc, const char **argv)
{
    int i;

    for (i = 0; i < argc; i++) {
        if (g_str_has_prefix(argv[i], "out=")) {
            out = argv[i] + 4;
        } else if (g_str_has_prefix(argv[i], "binary=")) {
            binary = argv[i] + 7;
        } else if (g_str_has_prefix(argv[i], "base=")) {
            char *end;

            base = g_ascii_strtoull(argv[i] + 5, &end, 16);
            if (end == argv[i] + 5 || *end) {
                qi_log("coverage: base=%s is not a hexadecimal address",
                       argv[i] + 5);
                return 1;
            }
        } else {
            qi_log("coverage: unknown argument '%s' (expected "
                   "binary=PATH, out=FILE or base=ADDR)", argv[i]);
            return 1;
        }
    }
    if (!qi_ctrl_dynamic() && argc == 0) {
        return 0;               /* static mode, QEMU run without -instr */
    }
    if (!binary || access(binary, R_OK) != 0) {
        qi_log("coverage: binary=PATH must name the guest program "
               "(%s)", binary ? strerror(errno) : "missing");
        return 1;
    }
    active = true;
    blocks = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free,
                                   NULL);
    all_blocks = g_ptr_array_new();
    qi_set_fini(fini, NULL);
    if (qi_ctrl_dynamic() &&
        !(qi_ctrl_event_set(qi_ctrl_event_id(
                                QI_EVENT_GUEST_INSN_BEFORE_TRANS),
                            QI_CTRL_INSTR_AUTO) &&
          qi_ctrl_event_set(qi_ctrl_event_id(QI_EVENT_GUEST_TB_BEFORE_TRANS),
                            QI_CTRL_INSTR_AUTO) &&
          qi_ctrl_event_set(qi_ctrl_event_id(QI_EVENT_GUEST_TB_BEFORE_EXEC),
                            QI_CTRL_INSTR_AUTO))) {
        qi_log("coverage: cannot set the guest execution events");
        return 1;
    }
    return 0;
}
