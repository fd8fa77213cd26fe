/*
 * qemu-instr benchmark library: the jobs of `make bench`, one at a time
 *
 * The same source builds as a dynamic library and into a static QEMU.
 * Arguments (-instr arg=...):
 *   job=NAME   what to do (default: nothing):
 *     insn-inline, insn-cb    count instructions (inline add / callback)
 *     insn-sb                 the same on a scoreboard (per-vCPU inline add)
 *     insn-exact              the same with one add per block, exact
 *                             (qi_gen_vcpu_add_insns())
 *     insn-noop, insn-noop-read
 *                             a callback per instruction that does nothing,
 *                             emitted with QI_REGS_NONE (called from the
 *                             translated code) or QI_REGS_READ (through
 *                             the event's helper)
 *     insn-every              a QI_REGS_NONE callback that only counts its
 *                             calls, on 1 instruction in every=K of each
 *                             block (those whose index in the block is a
 *                             multiple of K)
 *     uart-noop               a callback on the device event serial_write
 *                             (a guest's write to a 16550 UART register)
 *                             that only counts its calls; needs a build
 *                             where serial_write is instrumentable
 *     bb-inline, bb-cb        count blocks (and, inline, instructions)
 *     mem-inline, mem-cb      count memory accesses
 *     memtrace                every access to the library, through the
 *                             inline-filled trace buffer
 *     memtrace-cb             the same through a callback per access
 *     execlog                 contrib/plugins/execlog.c's log, to log=FILE
 *     values-cb               sum and xor of the values loaded and stored
 *                             (guest_mem_after), per direction
 *   out=FILE   where qi_fini() writes the counts
 *   log=FILE   execlog's output
 *   entries=N  records per vCPU buffer of the memtrace job (default:
 *              qi_mem_trace_set()'s)
 *   every=K    insn-every's K (default: 1)
 * Every job also counts, at translation, the blocks guest_tb_before_trans
 * reports and their bytes of guest code (static mode raises it for every
 * job, dynamic mode for the jobs that ask for it: bb-*, insn-exact,
 * insn-every).
 * The upstream plugins doing the same jobs are tests/tcg/plugins/lib{insn,bb,
 * mem}.so, tests/instrument/plugins/memtrace.c, memvalues.c and
 * contrib/plugins/execlog.c.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <glib.h>
#include <qemu-instr/qemu-instr.h>

enum Job {
    JOB_NONE, JOB_INSN_INLINE, JOB_INSN_CB, JOB_BB_INLINE, JOB_BB_CB,
    JOB_MEM_INLINE, JOB_MEM_CB, JOB_MEMTRACE, JOB_MEMTRACE_CB, JOB_EXECLOG,
    JOB_INSN_SB, JOB_VALUES_CB, JOB_INSN_EXACT, JOB_INSN_NOOP,
    JOB_INSN_NOOP_READ, JOB_INSN_EVERY, JOB_UART_NOOP,
};

static const char *const job_names[] = {
    [JOB_NONE] = "none",
    [JOB_INSN_INLINE] = "insn-inline", [JOB_INSN_CB] = "insn-cb",
    [JOB_BB_INLINE] = "bb-inline", [JOB_BB_CB] = "bb-cb",
    [JOB_MEM_INLINE] = "mem-inline", [JOB_MEM_CB] = "mem-cb",
    [JOB_MEMTRACE] = "memtrace", [JOB_MEMTRACE_CB] = "memtrace-cb",
    [JOB_EXECLOG] = "execlog",
    [JOB_INSN_SB] = "insn-sb", [JOB_VALUES_CB] = "values-cb",
    [JOB_INSN_EXACT] = "insn-exact", [JOB_INSN_NOOP] = "insn-noop",
    [JOB_INSN_NOOP_READ] = "insn-noop-read",
    [JOB_INSN_EVERY] = "insn-every", [JOB_UART_NOOP] = "uart-noop",
};

static enum Job job;
static const char *out;
static FILE *log_file;
static uint64_t insns, blocks, accesses;
/* Translation: blocks and their guest code; insn-every's sites */
static uint64_t translated, code_bytes, sites;
/* uart-noop: serial_write events */
static uint64_t events;
/* insn-every: K, and where translation is in the current block */
static unsigned int every = 1;
static __thread unsigned int insn_index;
static __thread uint64_t next_pc;
static QIScoreboard *scoreboard;
/* values-cb: what tests/instrument/plugins/memvalues.c adds up */
static uint64_t value_sum[2], value_xor[2];

/*
 * The memory trace: what tests/instrument/plugins/memtrace.c does with
 * each access, so that both sides do the same work per access.
 */
#define ENTRIES 4096

typedef struct Entry {
    uint64_t vaddr;
    uint32_t info;
    uint32_t vcpu;
} Entry;

static __thread Entry buf[ENTRIES];
static __thread unsigned int used;
static uint64_t total, sum;

static uint32_t info_bits(QIMemInfo info)
{
    uint32_t bits;

    memcpy(&bits, &info, sizeof(bits));
    return bits;
}

static void consume(void)
{
    uint64_t s = 0;
    unsigned int i;

    for (i = 0; i < used; i++) {
        s += buf[i].vaddr ^ buf[i].info ^ buf[i].vcpu;
    }
    __atomic_fetch_add(&sum, s, __ATOMIC_RELAXED);
    __atomic_fetch_add(&total, used, __ATOMIC_RELAXED);
    used = 0;
}

static void record(QICPU vcpu, uint64_t vaddr, uint32_t info)
{
    buf[used].vaddr = vaddr;
    buf[used].info = info;
    buf[used].vcpu = qi_vcpu_index(vcpu);
    if (++used == ENTRIES) {
        consume();
    }
}

/* The buffered trace hands over records in batches */
static void trace_batch(QICPU vcpu, const QIMemRecord *rec, size_t n,
                        void *data)
{
    uint64_t s = 0;
    uint32_t index = qi_vcpu_index(vcpu);
    size_t i;

    for (i = 0; i < n; i++) {
        s += rec[i].vaddr ^ info_bits(rec[i].info) ^ index;
    }
    __atomic_fetch_add(&sum, s, __ATOMIC_RELAXED);
    __atomic_fetch_add(&total, n, __ATOMIC_RELAXED);
}

/*
 * The execution log: one line per instruction, "vcpu, 0xpc, 0xopcode,
 * "disassembly"", then ", load|store, 0xaddr" per access, as
 * contrib/plugins/execlog.c prints it.
 */
static GHashTable *insn_text;       /* pc -> "0xpc, 0xopcode, "disas"" */
static GMutex insn_text_lock;
static __thread GString *last_exec;

static void execlog_insn(QICPU vcpu, uint64_t pc)
{
    const char *text;

    if (!last_exec) {
        last_exec = g_string_new(NULL);
    }
    if (last_exec->len) {
        g_string_append_c(last_exec, '\n');
        fwrite(last_exec->str, 1, last_exec->len, log_file);
    }
    g_mutex_lock(&insn_text_lock);
    text = g_hash_table_lookup(insn_text, GUINT_TO_POINTER(pc));
    g_mutex_unlock(&insn_text_lock);
    g_string_printf(last_exec, "%d, %s", qi_vcpu_index(vcpu), text);
}

static void execlog_mem(uint64_t vaddr, QIMemInfo info)
{
    if (last_exec) {
        g_string_append_printf(last_exec, ", %s, 0x%08" PRIx64,
                               info.store ? "store" : "load", vaddr);
    }
}

static void execlog_trans(QICPU vcpu, uint64_t pc, uint32_t size,
                          const uint8_t *bytes)
{
    char disas[128];
    uint32_t opcode;

    memcpy(&opcode, bytes, sizeof(opcode));
    qi_disas(vcpu, pc, size, disas, sizeof(disas));
    g_mutex_lock(&insn_text_lock);
    g_hash_table_replace(insn_text, GUINT_TO_POINTER(pc),
                         g_strdup_printf("0x%" PRIx64 ", 0x%" PRIx32
                                         ", \"%s\"", pc, opcode, disas));
    g_mutex_unlock(&insn_text_lock);
}

/*
 * What the no-op callbacks do, so that their calls can be checked: a
 * plain increment (no locked instruction, as insn-cb's), which relaxed
 * atomics keep defined; exact with one vCPU, as the benchmark runs them.
 */
static inline void count_call(uint64_t *counter)
{
    __atomic_store_n(counter, __atomic_load_n(counter, __ATOMIC_RELAXED) + 1,
                     __ATOMIC_RELAXED);
}

/*
 * Callbacks
 */

void qi_event_guest_insn_before_trans(QICPU vcpu, QITCGv_cpu vcpu_exec,
                                      uint64_t pc, uint32_t size,
                                      const uint8_t *bytes)
{
    switch (job) {
    case JOB_INSN_INLINE:
        qi_gen_add_u64(vcpu_exec, &insns, 1);
        break;
    case JOB_INSN_SB:
        qi_gen_vcpu_add_u64(vcpu_exec, scoreboard, 0, 1);
        break;
    case JOB_EXECLOG:
        execlog_trans(vcpu, pc, size, bytes);
        /* fall through */
    case JOB_INSN_CB:
    case JOB_INSN_NOOP:
        /* As the plugins' callbacks: no register access */
        qi_gen_regs(vcpu_exec, QI_REGS_NONE);
        /* fall through */
    case JOB_INSN_NOOP_READ:
        qi_event_gen_guest_insn_before_exec(vcpu_exec, pc);
        break;
    case JOB_INSN_EVERY:
        /* A new block, or the translation of one started again */
        if (pc != next_pc) {
            insn_index = 0;
        }
        next_pc = pc + size;
        if (insn_index++ % every == 0) {
            __atomic_fetch_add(&sites, 1, __ATOMIC_RELAXED);
            qi_gen_regs(vcpu_exec, QI_REGS_NONE);
            qi_event_gen_guest_insn_before_exec(vcpu_exec, pc);
        }
        break;
    default:
        break;
    }
}

void qi_event_guest_insn_before_exec(QICPU vcpu, uint64_t pc)
{
    if (job == JOB_INSN_EVERY) {
        count_call(&insns);
    } else if (job >= JOB_INSN_NOOP) {
        return;
    } else if (job == JOB_EXECLOG) {
        execlog_insn(vcpu, pc);
    } else {
        insns++;
    }
}

void qi_event_guest_tb_before_trans(QICPU vcpu, QITCGv_cpu vcpu_exec,
                                    uint64_t pc, uint32_t n_insns,
                                    uint32_t size)
{
    __atomic_fetch_add(&translated, 1, __ATOMIC_RELAXED);
    __atomic_fetch_add(&code_bytes, size, __ATOMIC_RELAXED);
    /* Whether QEMU raises this before or after the block's instructions */
    insn_index = 0;
    if (job == JOB_INSN_EXACT) {
        qi_gen_vcpu_add_insns(vcpu_exec, scoreboard, 0, 1);
    } else if (job == JOB_BB_INLINE) {
        qi_gen_add_u64(vcpu_exec, &blocks, 1);
        qi_gen_add_u64(vcpu_exec, &insns, n_insns);
    } else if (job == JOB_BB_CB) {
        qi_gen_regs(vcpu_exec, QI_REGS_NONE);
        qi_event_gen_guest_tb_before_exec(vcpu_exec, pc);
    }
}

void qi_event_guest_tb_before_exec(QICPU vcpu, uint64_t pc)
{
    blocks++;
}

void qi_event_guest_mem_before_trans(QICPU vcpu, QITCGv_cpu vcpu_exec,
                                     QITCGv vaddr, QIMemInfo info)
{
    switch (job) {
    case JOB_MEM_INLINE:
        qi_gen_add_u64(vcpu_exec, &accesses, 1);
        break;
    case JOB_MEMTRACE:
        qi_gen_mem_trace(vcpu_exec, vaddr, info);
        break;
    case JOB_MEM_CB:
    case JOB_MEMTRACE_CB:
    case JOB_EXECLOG:
        qi_gen_regs(vcpu_exec, QI_REGS_NONE);
        qi_event_gen_guest_mem_before_exec(vcpu_exec, vaddr, info);
        break;
    default:
        break;
    }
}

/* Generated calls, and the accesses helpers make (no _trans for those) */
void qi_event_guest_mem_before_exec(QICPU vcpu, uint64_t vaddr,
                                    QIMemInfo info)
{
    switch (job) {
    case JOB_MEM_INLINE:
    case JOB_MEM_CB:
        accesses++;
        break;
    case JOB_MEMTRACE:
        qi_mem_trace_add(vcpu, vaddr, 0, info);
        break;
    case JOB_MEMTRACE_CB:
        record(vcpu, vaddr, info_bits(info));
        break;
    case JOB_EXECLOG:
        execlog_mem(vaddr, info);
        break;
    default:
        break;
    }
}

/* Static mode calls it for every job: only values-cb asks for _exec */
void qi_event_guest_mem_after_trans(QICPU vcpu, QITCGv_cpu vcpu_exec,
                                    QITCGv vaddr, QIMemInfo info)
{
    if (job == JOB_VALUES_CB) {
        qi_gen_regs(vcpu_exec, QI_REGS_NONE);
        qi_event_gen_guest_mem_after_exec(vcpu_exec, vaddr, info);
    }
}

void qi_event_guest_mem_after_exec(QICPU vcpu, uint64_t vaddr,
                                   QIMemInfo info, uint64_t value,
                                   uint64_t value_hi)
{
    /* Also the accesses helpers make, which have no _trans decision */
    if (job != JOB_VALUES_CB) {
        return;
    }
    accesses++;
    value_sum[info.store] += value + value_hi;
    value_xor[info.store] ^= value ^ value_hi;
}

#ifdef QI_EVENT_SERIAL_WRITE_ENABLED
/* Bound in dynamic mode for uart-noop only: static mode calls it always */
void qi_event_serial_write(uint16_t addr, uint8_t value)
{
    if (job == JOB_UART_NOOP) {
        count_call(&events);
    }
}
#endif

void qi_fini(void)
{
    FILE *f;

    if (job == JOB_MEMTRACE_CB) {
        consume();
    }
    if (log_file) {
        if (last_exec && last_exec->len) {
            fprintf(log_file, "%s\n", last_exec->str);
        }
        fclose(log_file);
        log_file = NULL;
    }
    if (job == JOB_INSN_SB || job == JOB_INSN_EXACT) {
        insns = qi_scoreboard_sum_u64(scoreboard, 0);
    } else if (job == JOB_VALUES_CB) {
        sum = value_sum[0] ^ value_sum[1] ^ value_xor[0] ^ value_xor[1];
    }
    f = out ? fopen(out, "w") : NULL;
    if (f) {
        fprintf(f, "job %s insns %" PRIu64 " blocks %" PRIu64 " accesses %"
                PRIu64 " traced %" PRIu64 " sum %" PRIx64 " events %" PRIu64
                " translated %" PRIu64 " code %" PRIu64 " sites %" PRIu64
                "\n", job_names[job], insns, blocks, accesses, total, sum,
                events, translated, code_bytes, sites);
        fclose(f);
    }
}

#ifdef QI_TYPE_DYNAMIC
static void noop_exec(QICPU vcpu, uint64_t pc)
{
}

static void enable(int id)
{
    qi_ctrl_event_set(qi_ctrl_event_id(id), QI_CTRL_INSTR_AUTO);
}
#endif

int qi_init(int argc, const char **argv)
{
    const char *log = NULL;
    size_t entries = 0;
    int i, j;

    for (i = 0; i < argc; i++) {
        if (g_str_has_prefix(argv[i], "job=")) {
            for (j = 0; j < G_N_ELEMENTS(job_names); j++) {
                if (strcmp(argv[i] + 4, job_names[j]) == 0) {
                    job = j;
                    break;
                }
            }
            if (j == G_N_ELEMENTS(job_names)) {
                fprintf(stderr, "bench: unknown job '%s'\n", argv[i] + 4);
                return 1;
            }
        } else if (g_str_has_prefix(argv[i], "out=")) {
            out = argv[i] + 4;
        } else if (g_str_has_prefix(argv[i], "log=")) {
            log = argv[i] + 4;
        } else if (g_str_has_prefix(argv[i], "entries=")) {
            entries = strtoul(argv[i] + 8, NULL, 0);
        } else if (g_str_has_prefix(argv[i], "every=")) {
            every = strtoul(argv[i] + 6, NULL, 0);
            if (every == 0) {
                fprintf(stderr, "bench: every= must be at least 1\n");
                return 1;
            }
        } else {
            fprintf(stderr, "bench: usage: arg=job=NAME[,arg=out=FILE]"
                    "[,arg=log=FILE][,arg=entries=N][,arg=every=K]\n");
            return 1;
        }
    }
    if (job == JOB_UART_NOOP) {
#ifdef QI_EVENT_SERIAL_WRITE_ENABLED
        QIEvent *ev = qi_ctrl_event_id(QI_EVENT_SERIAL_WRITE);
#else
        QIEvent *ev = NULL;
#endif

        if (!qi_ctrl_event_is_available(ev)) {
            fprintf(stderr, "bench: serial_write is not instrumentable in "
                    "this QEMU (configure with --with-instrument-events)\n");
            return 1;
        }
    }
    if (job == JOB_EXECLOG) {
        log_file = fopen(log ? log : "/dev/null", "w");
        if (!log_file) {
            perror("bench: log");
            return 1;
        }
        insn_text = g_hash_table_new_full(NULL, NULL, NULL, g_free);
    }
    if (job == JOB_INSN_SB || job == JOB_INSN_EXACT) {
        scoreboard = qi_scoreboard_new(sizeof(uint64_t));
    }
    if (job == JOB_MEMTRACE && !qi_mem_trace_set(trace_batch, NULL, entries)) {
        fprintf(stderr, "bench: another library traces memory\n");
        return 1;
    }
#ifdef QI_TYPE_DYNAMIC
    switch (job) {
    case JOB_INSN_INLINE:
    case JOB_INSN_SB:
        enable(QI_EVENT_GUEST_INSN_BEFORE_TRANS);
        break;
    case JOB_VALUES_CB:
        enable(QI_EVENT_GUEST_MEM_AFTER_TRANS);
        enable(QI_EVENT_GUEST_MEM_AFTER_EXEC);
        break;
    case JOB_INSN_NOOP:
        /* A callback that is only a return, as the plugin's */
        enable(QI_EVENT_GUEST_INSN_BEFORE_TRANS);
        qi_event_set_guest_insn_before_exec(noop_exec);
        break;
    case JOB_INSN_CB:
    case JOB_INSN_NOOP_READ:
        enable(QI_EVENT_GUEST_INSN_BEFORE_TRANS);
        enable(QI_EVENT_GUEST_INSN_BEFORE_EXEC);
        break;
    case JOB_BB_INLINE:
    case JOB_INSN_EXACT:
        enable(QI_EVENT_GUEST_TB_BEFORE_TRANS);
        break;
    case JOB_BB_CB:
        enable(QI_EVENT_GUEST_TB_BEFORE_TRANS);
        enable(QI_EVENT_GUEST_TB_BEFORE_EXEC);
        break;
    case JOB_INSN_EVERY:
        enable(QI_EVENT_GUEST_TB_BEFORE_TRANS);
        enable(QI_EVENT_GUEST_INSN_BEFORE_TRANS);
        enable(QI_EVENT_GUEST_INSN_BEFORE_EXEC);
        break;
    case JOB_UART_NOOP:
#ifdef QI_EVENT_SERIAL_WRITE_ENABLED
        enable(QI_EVENT_SERIAL_WRITE);
#endif
        break;
    case JOB_EXECLOG:
        enable(QI_EVENT_GUEST_INSN_BEFORE_TRANS);
        enable(QI_EVENT_GUEST_INSN_BEFORE_EXEC);
        /* fall through */
    case JOB_MEM_INLINE:
    case JOB_MEM_CB:
    case JOB_MEMTRACE:
    case JOB_MEMTRACE_CB:
        enable(QI_EVENT_GUEST_MEM_BEFORE_TRANS);
        enable(QI_EVENT_GUEST_MEM_BEFORE_EXEC);
        break;
    case JOB_NONE:
        break;
    }
#endif
    return 0;
}
