/*
 * qemu-instr example: log every executed instruction and its memory
 * accesses, as QEMU's contrib/plugins/execlog.c does
 *
 * Copyright (c) 2026 qemu-instr developers
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Writes one line per executed instruction, in the format of QEMU's
 * execlog TCG plugin, so that the two logs can be diffed:
 *
 *   0, 0x401000, 0xe5894855, "pushq %rbp", store, 0x7ffce3e8
 *
 * that is: vCPU index, pc, the first 4 bytes of the instruction as a
 * little-endian number, its disassembly, then ", load" or ", store" and
 * the address of each memory access it makes.  In system mode the
 * address is the physical one followed by ", RAM" (the plugin names the
 * device of an MMIO access there; use mmio.c to see those).
 *
 * Build:  cc -shared -fPIC -O2 $(pkg-config --cflags qemu-instr glib-2.0) \
 *            -o libexeclog.so execlog.c
 * Run:    qemu-x86_64 -instr ./libexeclog.so,arg=out=exec.log PROGRAM
 *
 * Arguments (each may be given several times):
 *   out=FILE        write the log to FILE (default: stderr)
 *   ifilter=PREFIX  only log instructions whose disassembly starts with
 *                   PREFIX (e.g. "ifilter=call")
 *   afilter=ADDR    only log the instruction at hexadecimal address ADDR
 * With filters, an instruction is logged if any filter matches.
 */

#include <inttypes.h>
#include <stdio.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <glib.h>
#include <qemu-instr/qemu-instr.h>
#include <qemu-instr/inline.h>

/*
 * Each vCPU builds its current line, which it ends when its next
 * instruction starts, and collects ended lines in a buffer of its own
 * that it writes out when full: no lock and no formatting per
 * instruction.
 */
#define OUT_SIZE (64 * 1024)

typedef struct VCPULog {
    int index;
    char prefix[16];            /* "index, " */
    size_t prefix_len;
    bool logging;               /* the current instruction is logged */
    GString *line;
    size_t used;                /* of out */
    char out[OUT_SIZE];
} VCPULog;

/* What an instruction's line starts with, made when it is translated */
typedef struct InsnText {
    size_t len;
    char text[];                /* "0xpc, 0xopcode, "disassembly"" */
} InsnText;

static FILE *out;
static GPtrArray *imatches;     /* char *, disassembly prefixes */
static GArray *amatches;        /* uint64_t, instruction addresses */

/* pc -> InsnText, for logged instructions */
static GHashTable *insn_text;
/* Every InsnText made: code translated before may still pass it */
static GPtrArray *texts;
static GMutex lock;             /* insn_text, vcpus and out */
static GPtrArray *vcpus;        /* VCPULog *, by vCPU index */
/* Each vCPU's VCPULog *, reached with one load from a callback */
static QIScoreboard *logs;

static void flush(VCPULog *v)
{
    g_mutex_lock(&lock);
    fwrite(v->out, 1, v->used, out);
    g_mutex_unlock(&lock);
    v->used = 0;
}

static VCPULog *vcpu_log(QICPU vcpu)
{
    VCPULog **slot = qi_scoreboard_get(logs, vcpu);
    int index;

    if (*slot) {
        return *slot;
    }
    index = qi_vcpu_index(vcpu);
    g_mutex_lock(&lock);
    while (vcpus->len <= index) {
        VCPULog *v = g_new0(VCPULog, 1);

        v->index = vcpus->len;
        v->prefix_len = snprintf(v->prefix, sizeof(v->prefix), "%d, ",
                                 v->index);
        v->line = g_string_sized_new(256);
        g_ptr_array_add(vcpus, v);
    }
    *slot = g_ptr_array_index(vcpus, index);
    g_mutex_unlock(&lock);
    return *slot;
}

static bool wanted(uint64_t pc, const char *disas)
{
    guint i;

    if (!imatches && !amatches) {
        return true;
    }
    for (i = 0; imatches && i < imatches->len; i++) {
        if (g_str_has_prefix(disas, g_ptr_array_index(imatches, i))) {
            return true;
        }
    }
    for (i = 0; amatches && i < amatches->len; i++) {
        if (g_array_index(amatches, uint64_t, i) == pc) {
            return true;
        }
    }
    return false;
}

/*
 * The execution-time call gets, instead of the pc, the instruction's
 * InsnText (0 for one that is not logged): the value an _exec event
 * passes is the _trans callback's to choose, like a plugin's udata.
 */
void qi_event_guest_insn_before_exec(QICPU vcpu, uint64_t data)
{
    VCPULog *v = vcpu_log(vcpu);
    const InsnText *t = (const InsnText *)(uintptr_t)data;

    /* Only reached for other instructions when filtering */
    v->logging = t != NULL;
    if (!t) {
        return;
    }
    if (v->line->len) {
        g_string_append_c(v->line, '\n');
        if (v->used + v->line->len > OUT_SIZE) {
            flush(v);
        }
        if (v->line->len > OUT_SIZE) {
            /* A string instruction's thousands of accesses */
            g_mutex_lock(&lock);
            fwrite(v->line->str, 1, v->line->len, out);
            g_mutex_unlock(&lock);
        } else {
            memcpy(v->out + v->used, v->line->str, v->line->len);
            v->used += v->line->len;
        }
        g_string_truncate(v->line, 0);
    }
    g_string_append_len(v->line, v->prefix, v->prefix_len);
    g_string_append_len(v->line, t->text, t->len);
}

void qi_event_guest_insn_before_trans(QICPU vcpu, QITCGv_cpu vcpu_exec,
                                      uint64_t pc, uint32_t size,
                                      const uint8_t *bytes)
{
    char disas[256];
    InsnText *t = NULL;

    if (!out) {
        return;                 /* static mode, no -instr arg= */
    }
    if (qi_disas(vcpu, pc, size, disas, sizeof(disas)) < 0) {
        snprintf(disas, sizeof(disas), "(unknown)");
    }
    if (wanted(pc, disas)) {
        /* bytes holds 16, zero-padded: the plugin reads 4 as well */
        uint32_t opcode = bytes[0] | bytes[1] << 8 | bytes[2] << 16 |
                          (uint32_t)bytes[3] << 24;
        g_autofree char *text = g_strdup_printf("0x%" PRIx64 ", 0x%" PRIx32
                                                ", \"%s\"", pc, opcode,
                                                disas);
        size_t len = strlen(text);

        /* Code translated again reuses the text it had */
        g_mutex_lock(&lock);
        t = g_hash_table_lookup(insn_text, &pc);
        if (!t || t->len != len || memcmp(t->text, text, len)) {
            uint64_t *key = g_new(uint64_t, 1);

            t = g_malloc(sizeof(*t) + len + 1);
            t->len = len;
            memcpy(t->text, text, len + 1);
            *key = pc;
            g_ptr_array_add(texts, t);
            g_hash_table_replace(insn_text, key, t);
        }
        g_mutex_unlock(&lock);
    } else if (!imatches && !amatches) {
        return;
    }
    /* With filters, the others must end the previous one's accesses */
    qi_gen_regs(vcpu_exec, QI_REGS_NONE);
    qi_event_gen_guest_insn_before_exec(vcpu_exec, (uintptr_t)t);
}

static void append_hex(GString *line, uint64_t value)
{
    char buf[24];
    int i = sizeof(buf);

    /* As "0x%08" PRIx64 prints it */
    do {
        buf[--i] = "0123456789abcdef"[value & 15];
        value >>= 4;
    } while (value || sizeof(buf) - i < 8);
    buf[--i] = 'x';
    buf[--i] = '0';
    g_string_append_len(line, buf + i, sizeof(buf) - i);
}

/* Also raised, with no _trans, for the accesses QEMU's helpers make */
void qi_event_guest_mem_before_exec(QICPU vcpu, uint64_t vaddr,
                                    QIMemInfo info)
{
    VCPULog *v;
    uint64_t paddr;

    if (!out) {
        return;
    }
    v = vcpu_log(vcpu);
    if (!v->logging) {
        return;
    }
    g_string_append(v->line, info.store ? ", store, " : ", load, ");
    /* Only succeeds in system mode */
    if (qi_mem_virt_to_phys(vcpu, vaddr, &paddr)) {
        append_hex(v->line, paddr);
        g_string_append(v->line, ", RAM");
    } else {
        append_hex(v->line, vaddr);
    }
}

void qi_event_guest_mem_before_trans(QICPU vcpu, QITCGv_cpu vcpu_exec,
                                     QITCGv vaddr, QIMemInfo info)
{
    if (!out) {
        return;
    }
    qi_gen_regs(vcpu_exec, QI_REGS_NONE);
    qi_event_gen_guest_mem_before_exec(vcpu_exec, vaddr, info);
}

/* The plugin prints each vCPU's last line, an empty one if it has none */
static void fini(void *data)
{
    guint i;

    if (!out) {
        return;
    }

    /* Every vCPU is stopped: what they collected, then their last lines */
    for (i = 0; i < vcpus->len; i++) {
        flush(g_ptr_array_index(vcpus, i));
    }
    for (i = 0; i < vcpus->len; i++) {
        VCPULog *v = g_ptr_array_index(vcpus, i);

        fprintf(out, "%s\n", v->line->str);
    }
    if (out != stderr) {
        fclose(out);
    }
}

int qi_init(int argc, const char **argv)
{
    const char *path = NULL;
    int i;

    for (i = 0; i < argc; i++) {
        if (g_str_has_prefix(argv[i], "out=")) {
            path = argv[i] + 4;
        } else if (g_str_has_prefix(argv[i], "ifilter=")) {
            if (!imatches) {
                imatches = g_ptr_array_new();
            }
            g_ptr_array_add(imatches, g_strdup(argv[i] + 8));
        } else if (g_str_has_prefix(argv[i], "afilter=")) {
            char *end;
            uint64_t v = g_ascii_strtoull(argv[i] + 8, &end, 16);

            if (end == argv[i] + 8 || *end) {
                qi_log("execlog: afilter=%s is not a hexadecimal address",
                       argv[i] + 8);
                return 1;
            }
            if (!amatches) {
                amatches = g_array_new(false, true, sizeof(uint64_t));
            }
            g_array_append_val(amatches, v);
        } else {
            qi_log("execlog: unknown argument '%s' (expected "
                   "out=FILE, ifilter=PREFIX or afilter=ADDR)", argv[i]);
            return 1;
        }
    }
    if (!qi_ctrl_dynamic() && argc == 0) {
        return 0;               /* static mode, QEMU run without -instr */
    }
    out = path ? fopen(path, "w") : stderr;
    if (!out) {
        qi_log("execlog: cannot open %s: %s", path, strerror(errno));
        return 1;
    }
    logs = qi_scoreboard_new(sizeof(VCPULog *));
    if (!logs) {
        qi_log("execlog: cannot make a scoreboard");
        return 1;
    }
    insn_text = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free,
                                      NULL);
    texts = g_ptr_array_new_with_free_func(g_free);
    vcpus = g_ptr_array_new();
    qi_set_fini(fini, NULL);
    /* Dynamic mode: bind the qi_event_*() above (static mode calls them) */
    return qi_ctrl_dynamic() &&
           !(qi_ctrl_event_set(qi_ctrl_event_id(
                                   QI_EVENT_GUEST_INSN_BEFORE_TRANS),
                               QI_CTRL_INSTR_AUTO) &&
             qi_ctrl_event_set(qi_ctrl_event_id(
                                   QI_EVENT_GUEST_INSN_BEFORE_EXEC),
                               QI_CTRL_INSTR_AUTO) &&
             qi_ctrl_event_set(qi_ctrl_event_id(
                                   QI_EVENT_GUEST_MEM_BEFORE_TRANS),
                               QI_CTRL_INSTR_AUTO) &&
             qi_ctrl_event_set(qi_ctrl_event_id(
                                   QI_EVENT_GUEST_MEM_BEFORE_EXEC),
                               QI_CTRL_INSTR_AUTO));
}
