/*
 * qemu-instr example: execution counts per block, as a callgrind profile
 *
 * Copyright (c) 2026 qemu-instr developers
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Counts how often each translation block runs and writes, at the end, a
 * profile in callgrind's format: per block, the instructions it ran (Ir,
 * its executions times its length) and its executions (Bx), under the
 * function of the guest program that holds it.  callgrind_annotate
 * (Debian's valgrind package) and KCachegrind read it:
 *
 *   qemu-x86_64 -instr ./libhotblocks.so,arg=out=callgrind.out,\
 *       arg=binary=./prog ./prog
 *   callgrind_annotate callgrind.out
 *
 * Function names come from the ELF symbol table of binary= (a 64-bit ELF
 * of the host's byte order, as x86_64 and aarch64 guests are); a block
 * outside every function is named by its address.  For a
 * position-independent program, base= gives the address it was loaded
 * at.  Without binary=, every block is named by its address.
 *
 * Build:  cc -shared -fPIC -O2 $(pkg-config --cflags qemu-instr glib-2.0) \
 *            -o libhotblocks.so hotblocks.c
 *
 * Arguments:
 *   out=FILE       write the profile to FILE [callgrind.out.qemu]
 *   binary=PATH    the guest program, for its symbols
 *   base=ADDR      its load address (hexadecimal) if it is a PIE [0]
 */

#include <stdint.h>             /* before <elf.h>, which needs it */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <glib.h>
#include <qemu-instr/qemu-instr.h>

typedef struct Block {
    uint64_t pc;
    uint32_t n_insns;
    uint64_t count;
    char *fn;                   /* its function, set by fini */
} Block;

typedef struct Symbol {
    uint64_t addr, size;
    char *name;
} Symbol;

static const char *out = "callgrind.out.qemu";
static const char *binary;
static uint64_t base;
static bool active;

static GMutex lock;
static GHashTable *blocks;      /* pc -> Block */

static void free_block(gpointer data)
{
    Block *b = data;

    g_free(b->fn);
    g_free(b);
}

void qi_event_guest_tb_before_trans(QICPU vcpu, QITCGv_cpu vcpu_exec,
                                    uint64_t pc, uint32_t n_insns,
                                    uint32_t size)
{
    Block *b;

    if (!active) {
        return;
    }
    g_mutex_lock(&lock);
    b = g_hash_table_lookup(blocks, &pc);
    if (!b) {
        b = g_new0(Block, 1);
        b->pc = pc;
        g_hash_table_insert(blocks, &b->pc, b);
    }
    /* A retranslation may end elsewhere: keep the latest length */
    b->n_insns = n_insns;
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

/* The function symbols of binary, sorted by address */
static GArray *read_symbols(const char *path)
{
    GArray *syms = g_array_new(false, false, sizeof(Symbol));
    const Elf64_Ehdr *eh;
    const Elf64_Shdr *sh;
    struct stat st;
    uint8_t *map;
    int fd, i;

    fd = open(path, O_RDONLY);
    if (fd < 0 || fstat(fd, &st) < 0) {
        qi_log("hotblocks: %s: %s", path, strerror(errno));
        return syms;
    }
    map = mmap(NULL, st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    eh = (const Elf64_Ehdr *)map;
    if (map == MAP_FAILED || st.st_size < sizeof(*eh) ||
        memcmp(eh->e_ident, ELFMAG, SELFMAG) ||
        eh->e_ident[EI_CLASS] != ELFCLASS64 ||
        eh->e_shoff + eh->e_shnum * sizeof(*sh) > st.st_size) {
        qi_log("hotblocks: %s is not a 64-bit ELF file", path);
        return syms;
    }
    sh = (const Elf64_Shdr *)(map + eh->e_shoff);
    for (i = 0; i < eh->e_shnum; i++) {
        const Elf64_Sym *sym = (const Elf64_Sym *)(map + sh[i].sh_offset);
        const char *str = (const char *)map + sh[sh[i].sh_link].sh_offset;
        size_t j, n = sh[i].sh_size / sizeof(*sym);

        if (sh[i].sh_type != SHT_SYMTAB) {
            continue;
        }
        for (j = 0; j < n; j++) {
            Symbol s = {
                .addr = sym[j].st_value + base,
                .size = sym[j].st_size,
                .name = g_strdup(str + sym[j].st_name),
            };

            if (ELF64_ST_TYPE(sym[j].st_info) == STT_FUNC && s.size) {
                g_array_append_val(syms, s);
            } else {
                g_free(s.name);
            }
        }
    }
    munmap(map, st.st_size);
    return syms;
}

static int by_addr(const void *a, const void *b)
{
    const Symbol *x = a, *y = b;

    return x->addr < y->addr ? -1 : x->addr > y->addr;
}

static int by_fn_then_pc(const void *a, const void *b)
{
    const Block *x = *(Block * const *)a, *y = *(Block * const *)b;
    int c = strcmp(x->fn, y->fn);

    return c ? c : (x->pc < y->pc ? -1 : x->pc > y->pc);
}

static char *fn_of(GArray *syms, uint64_t pc)
{
    Symbol *s;
    guint lo = 0, hi = syms->len;

    /* The last symbol starting at or before pc */
    while (lo < hi) {
        guint mid = (lo + hi) / 2;

        if (g_array_index(syms, Symbol, mid).addr <= pc) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    s = lo ? &g_array_index(syms, Symbol, lo - 1) : NULL;
    if (s && pc < s->addr + s->size) {
        return g_strdup(s->name);
    }
    return g_strdup_printf("0x%" PRIx64, pc);
}

static void write_profile(FILE *f)
{
    GArray *syms = binary ? read_symbols(binary)
                          : g_array_new(false, false, sizeof(Symbol));
    GPtrArray *list = g_ptr_array_new();
    GHashTableIter iter;
    gpointer value;
    uint64_t ir = 0, bx = 0;
    const char *fn = NULL;
    guint i;

    g_hash_table_iter_init(&iter, blocks);
    while (g_hash_table_iter_next(&iter, NULL, &value)) {
        g_ptr_array_add(list, value);
    }
    g_array_sort(syms, by_addr);
    for (i = 0; i < list->len; i++) {
        Block *b = g_ptr_array_index(list, i);

        b->fn = fn_of(syms, b->pc);
        ir += b->count * b->n_insns;
        bx += b->count;
    }
    g_ptr_array_sort(list, by_fn_then_pc);

    fprintf(f, "# callgrind format\nversion: 1\ncreator: qemu-instr "
            "hotblocks\ncmd: %s\npositions: instr\nevents: Ir Bx\n"
            "summary: %" PRIu64 " %" PRIu64 "\n\nob=%s\nfl=???\n",
            binary ? binary : "guest", ir, bx, binary ? binary : "guest");
    for (i = 0; i < list->len; i++) {
        Block *b = g_ptr_array_index(list, i);

        if (!b->count) {
            continue;
        }
        if (!fn || strcmp(fn, b->fn)) {
            fn = b->fn;
            fprintf(f, "fn=%s\n", fn);
        }
        fprintf(f, "0x%" PRIx64 " %" PRIu64 " %" PRIu64 "\n", b->pc,
                b->count * b->n_insns, b->count);
    }
    fprintf(f, "totals: %" PRIu64 " %" PRIu64 "\n", ir, bx);

    for (i = 0; i < syms->len; i++) {
        g_free(g_array_index(syms, Symbol, i).name);
    }
    g_array_free(syms, true);
    g_ptr_array_free(list, true);
}

static void fini(void *data)
{
    FILE *f;

    if (active) {
        f = fopen(out, "w");
        if (f) {
            write_profile(f);
            fclose(f);
        } else {
            qi_log("hotblocks: cannot open %s: %s", out, strerror(errno));
        }
    }
    /* Blocks and their function names: nothing outlives an unload */
    g_hash_table_destroy(blocks);
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
                qi_log("hotblocks: base=%s is not a hexadecimal address",
                       argv[i] + 5);
                return 1;
            }
        } else {
            qi_log("hotblocks: unknown argument '%s' (expected "
                   "out=FILE, binary=PATH or base=ADDR)", argv[i]);
            return 1;
        }
    }
    if (binary && access(binary, R_OK) != 0) {
        qi_log("hotblocks: binary=%s: %s", binary, strerror(errno));
        return 1;
    }
    /* Static mode runs this without -instr too: then stay out of the way */
    active = qi_ctrl_dynamic() || argc > 0;
    blocks = g_hash_table_new_full(g_int64_hash, g_int64_equal, NULL,
                                   free_block);
    qi_set_fini(fini, NULL);
    if (qi_ctrl_dynamic() &&
        !(qi_ctrl_event_set(qi_ctrl_event_id(QI_EVENT_GUEST_TB_BEFORE_TRANS),
                            QI_CTRL_INSTR_AUTO) &&
          qi_ctrl_event_set(qi_ctrl_event_id(QI_EVENT_GUEST_TB_BEFORE_EXEC),
                            QI_CTRL_INSTR_AUTO))) {
        qi_log("hotblocks: cannot set the block events");
        return 1;
    }
    return 0;
}
