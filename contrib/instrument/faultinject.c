/*
 * qemu-instr example: inject a fault, flipping one bit of a register or
 * of memory at the Nth execution of an instruction
 *
 * Copyright (c) 2026 qemu-instr developers
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Flips one bit, once, just before the instruction at a given guest
 * address starts for the Nth time: the instruction and all that follows
 * see the flipped value.  The bit is one of a register (any register of
 * the target's gdb description: rdi, xmm0, x0, v3, ...) or of a byte of
 * guest memory.  A flipped register bit lasts until the guest writes the
 * register again; a flipped memory bit until it writes the byte again.
 * Flipping a bit of the program counter (rip, pc) makes the vCPU go on
 * at the address that bit gives, instead of running the instruction.
 *
 * Executions are counted per vCPU (each guest thread is one in user
 * mode), exactly, by the translated code itself; only the Nth calls
 * back into the library, so the run costs an add and a compare at that
 * one address and nothing elsewhere.  An execution is a start of the
 * instruction, as QEMU's libinsn plugin counts them (every iteration of
 * an x86 rep instruction starts it again).  The first vCPU that reaches
 * its Nth execution injects the fault; there is one per run.
 *
 * One line says what was done, as soon as it is done (a fault may well
 * kill the guest), or when the library is unloaded or QEMU exits if
 * nothing was: in the file of out=, else in QEMU's log (its standard
 * error, or the file of -D), with "faultinject: " before it:
 *
 *   injected rdi bit 2 at 0x401615 execution 3 of vcpu 0: 0x3 -> 0x7
 *   injected mem 0x4a40d0 bit 7 at 0x401615 execution 4 of vcpu 0: 0x3 -> 0x83
 *   not injected: 0x401615 ran 5 times, at most 5 on one vCPU (n=6)
 *
 * Values are the register's as a number (bit 0 is its least significant
 * bit, on the little-endian targets: x86, aarch64, riscv, ...) or the
 * byte's.  Find an address with nm or objdump, e.g. the first
 * instruction of a function of a static, non-PIE guest:
 *
 *   nm prog | grep ' T scaled$'
 *
 * Build:  cc -shared -fPIC -O2 $(pkg-config --cflags qemu-instr) \
 *            -o libfaultinject.so faultinject.c
 * Run:    qemu-x86_64 -instr ./libfaultinject.so,arg=addr=0x401615,arg=n=3,\
 *            arg=reg=rdi,arg=bit=2 ./prog
 *
 * Arguments:
 *   addr=ADDR    the guest address of the instruction, in hexadecimal
 *                (0x optional); required
 *   n=N          inject at the Nth execution (default 1)
 *   reg=NAME     flip a bit of register NAME (gdb's name), or
 *   mem=ADDR     flip a bit of the byte at guest virtual address ADDR
 *                (hexadecimal)
 *   bit=B        the bit: 0 to the register's size in bits - 1, or 0 to 7
 *                for mem=; required
 *   out=FILE     write the line to FILE instead of QEMU's log
 *
 * Registers are only known once the vCPUs exist, after qi_init(): an
 * unknown register, or a bit beyond its size, is reported (in QEMU's
 * log, and in the file of out=) when the first instruction is
 * translated, and the library unloads itself, injecting nothing.  A
 * byte of guest code may be flipped (even in user mode, where the guest
 * cannot write its code): translations are then dropped, and the code
 * runs flipped from its next execution on; the block running at the
 * time ends as it was translated.
 */

#define _GNU_SOURCE             /* vasprintf() */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <qemu-instr/qemu-instr.h>

/* What to do, from the arguments */
static bool active;
static uint64_t addr, n = 1, mem, bit;
static const char *reg_name;    /* NULL: mem= */
static FILE *out;

/* The scoreboard's entry: one counter, at offset 0 */
static QIScoreboard *sb;

/* Resolved at the first translation: -1 before, -2 on error */
static int reg = -1;
static int reg_size;
static bool reg_pc;

/* Set by the vCPU that injects, or on an error: one fault per run */
static int done;
static char *result;            /* the line that says what was done */

static void finish(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * Say what was done, at once: a fault may well kill the guest.  The
 * line is kept, to tell fini whether there was one.
 */
static void finish(const char *fmt, ...)
{
    va_list ap;

    free(result);
    va_start(ap, fmt);
    if (vasprintf(&result, fmt, ap) < 0) {
        result = NULL;
    }
    va_end(ap);
    if (!result) {
        return;
    }
    if (out) {
        fprintf(out, "%s\n", result);
        fflush(out);
    } else {
        qi_log("faultinject: %s", result);
    }
}

/* The @size bytes of a little-endian value, as a hexadecimal number */
static char *format_value(const uint8_t *val, int size)
{
    char *text = malloc(2 * size + 3), *p = text;
    int i = size - 1;

    if (!text) {
        return NULL;
    }
    while (i > 0 && !val[i]) {
        i--;
    }
    p += sprintf(p, "0x%x", val[i]);
    while (i-- > 0) {
        p += sprintf(p, "%02x", val[i]);
    }
    return text;
}

/* Once per run, at the first translation: the register, by name */
static bool resolve_reg(QICPU vcpu)
{
    int r = __atomic_load_n(&reg, __ATOMIC_ACQUIRE);
    int size;

    if (r != -1) {
        return r >= 0;
    }
    r = qi_reg_find(vcpu, reg_name);
    size = qi_reg_size(vcpu, r);
    if (r < 0 || bit >= (uint64_t)size * 8) {
        /* One vCPU reports it, however many translate at once */
        if (!__atomic_exchange_n(&done, 1, __ATOMIC_SEQ_CST)) {
            if (r < 0) {
                finish("not injected: reg=%s: the guest has no register of "
                       "that name", reg_name);
            } else {
                finish("not injected: bit=%" PRIu64 ": %s has %d bits",
                       bit, reg_name, size * 8);
            }
            if (out) {
                qi_log("faultinject: %s", result);
            }
            qi_unload_self();
        }
        __atomic_store_n(&reg, -2, __ATOMIC_RELEASE);
        return false;
    }
    reg_size = size;
    reg_pc = qi_reg_is_pc(vcpu, r);
    __atomic_store_n(&reg, r, __ATOMIC_RELEASE);
    return true;
}

void qi_event_guest_insn_before_trans(QICPU vcpu, QITCGv_cpu vcpu_exec,
                                      uint64_t pc, uint32_t size,
                                      const uint8_t *bytes)
{
    if (!active || (reg_name && !resolve_reg(vcpu)) || pc != addr) {
        return;
    }
    /*
     * Count first, then test: at its Nth execution the vCPU's counter is
     * already N.  TCG reloads the registers after a call that may write
     * them (the program counter is moved, not written).
     */
    qi_gen_vcpu_add_u64(vcpu_exec, sb, 0, 1);
    if (reg_name && !reg_pc) {
        qi_gen_regs(vcpu_exec, QI_REGS_WRITE);
    }
    if (qi_gen_exec_if(vcpu_exec, sb, 0, QI_COND_EQ, n)) {
        qi_event_gen_guest_insn_before_exec(vcpu_exec, pc);
    }
}

static void inject_reg(QICPU vcpu, uint64_t count)
{
    uint8_t *val = calloc(1, reg_size);
    char *before = NULL, *after = NULL;
    uint64_t pc = 0;

    if (!val || qi_reg_read(vcpu, reg, val, reg_size) != reg_size) {
        finish("not injected: cannot read %s", reg_name);
        goto out;
    }
    before = format_value(val, reg_size);
    val[bit / 8] ^= 1u << (bit % 8);
    after = format_value(val, reg_size);
    if (reg_pc) {
        memcpy(&pc, val, reg_size < 8 ? reg_size : 8);
        /* On success qi_vcpu_set_pc() does not return: say it first */
        finish("injected %s bit %" PRIu64 " at 0x%" PRIx64 " execution %"
               PRIu64 " of vcpu %d: %s -> %s", reg_name, bit, addr, count,
               qi_vcpu_index(vcpu), before, after);
        free(val);
        free(before);
        free(after);
        qi_vcpu_set_pc(vcpu, pc);
        finish("not injected: QEMU cannot move the vCPU to 0x%" PRIx64, pc);
        return;
    }
    if (qi_reg_write(vcpu, reg, val, reg_size) != reg_size) {
        finish("not injected: QEMU cannot write %s", reg_name);
    } else {
        finish("injected %s bit %" PRIu64 " at 0x%" PRIx64 " execution %"
               PRIu64 " of vcpu %d: %s -> %s", reg_name, bit, addr, count,
               qi_vcpu_index(vcpu), before, after);
    }
out:
    free(val);
    free(before);
    free(after);
}

static void inject_mem(QICPU vcpu, uint64_t count)
{
    uint8_t before, after;

    if (!qi_mem_read_virt(vcpu, mem, &before, 1)) {
        finish("not injected: guest address 0x%" PRIx64 " is not mapped",
               mem);
        return;
    }
    after = before ^ (1u << bit);
    if (!qi_mem_write_virt(vcpu, mem, &after, 1)) {
        finish("not injected: guest address 0x%" PRIx64 " is not writable",
               mem);
        return;
    }
    /* The byte may be code, translated already */
    qi_flush_translations();
    finish("injected mem 0x%" PRIx64 " bit %" PRIu64 " at 0x%" PRIx64
           " execution %" PRIu64 " of vcpu %d: 0x%x -> 0x%x", mem, bit, addr,
           count, qi_vcpu_index(vcpu), before, after);
}

void qi_event_guest_insn_before_exec(QICPU vcpu, uint64_t pc)
{
    uint64_t *count = qi_scoreboard_get(sb, vcpu);

    if (__atomic_exchange_n(&done, 1, __ATOMIC_SEQ_CST)) {
        return;                 /* another vCPU injected first */
    }
    if (reg_name) {
        inject_reg(vcpu, *count);
    } else {
        inject_mem(vcpu, *count);
    }
}

static void fini(void *data)
{
    uint64_t total, most = 0, *count;
    int i;

    if (!result) {
        total = qi_scoreboard_sum_u64(sb, 0);
        for (i = 0; (count = qi_scoreboard_get_index(sb, i)); i++) {
            most = *count > most ? *count : most;
        }
        finish("not injected: 0x%" PRIx64 " ran %" PRIu64 " times, at most %"
               PRIu64 " on one vCPU (n=%" PRIu64 ")", addr, total, most, n);
    }
    if (out) {
        fclose(out);
    }
    free(result);
    qi_scoreboard_free(sb);
}

/* An unsigned number in @base (10, or 16 with an optional 0x): all of @s */
static bool parse_u64(const char *s, int base, uint64_t *value)
{
    char *end;

    if (base == 16 && (strncmp(s, "0x", 2) == 0 || strncmp(s, "0X", 2) == 0)) {
        s += 2;
    }
    if (!(base == 16 ? isxdigit((unsigned char)*s)
                     : isdigit((unsigned char)*s))) {
        return false;
    }
    errno = 0;
    *value = strtoull(s, &end, base);
    return !*end && !errno;
}

static bool bind(QIEventID id)
{
    return qi_ctrl_event_set(qi_ctrl_event_id(id), QI_CTRL_INSTR_AUTO);
}

int qi_init(int argc, const char **argv)
{
    const char *path = NULL;
    bool have_addr = false, have_mem = false, have_bit = false;
    int i;

    for (i = 0; i < argc; i++) {
        const char *arg = argv[i], *val = strchr(arg, '=');
        const char *want = NULL;

        val = val ? val + 1 : "";
        if (strncmp(arg, "addr=", 5) == 0) {
            have_addr = parse_u64(val, 16, &addr);
            want = have_addr ? NULL : "a hexadecimal address";
        } else if (strncmp(arg, "n=", 2) == 0) {
            want = parse_u64(val, 10, &n) && n ? NULL
                   : "a decimal number, 1 or more";
        } else if (strncmp(arg, "reg=", 4) == 0) {
            reg_name = val;
            want = *val ? NULL : "a register name";
        } else if (strncmp(arg, "mem=", 4) == 0) {
            have_mem = parse_u64(val, 16, &mem);
            want = have_mem ? NULL : "a hexadecimal address";
        } else if (strncmp(arg, "bit=", 4) == 0) {
            have_bit = parse_u64(val, 10, &bit);
            want = have_bit ? NULL : "a decimal bit number";
        } else if (strncmp(arg, "out=", 4) == 0) {
            path = val;
        } else {
            qi_log("faultinject: unknown argument '%s' (expected addr=, n=, "
                   "reg=, mem=, bit= or out=)", arg);
            return 1;
        }
        if (want) {
            qi_log("faultinject: bad argument '%s' (expected %s)", arg, want);
            return 1;
        }
    }
    /* Static mode runs this without -instr too: then stay out of the way */
    if (!qi_ctrl_dynamic() && argc == 0) {
        return 0;
    }
    if (!have_addr) {
        qi_log("faultinject: addr=ADDR, the guest address of the "
               "instruction, is required");
        return 1;
    }
    if (!reg_name == !have_mem) {
        qi_log("faultinject: one of reg=NAME and mem=ADDR is required, "
               "not both");
        return 1;
    }
    if (!have_bit) {
        qi_log("faultinject: bit=B, the bit to flip, is required");
        return 1;
    }
    if (have_mem && bit > 7) {
        qi_log("faultinject: bit=%" PRIu64 " is not a bit of a byte (mem= "
               "flips one of bits 0 to 7)", bit);
        return 1;
    }
    sb = qi_scoreboard_new(sizeof(uint64_t));
    if (!sb) {
        qi_log("faultinject: cannot make a scoreboard");
        return 1;
    }
    out = path ? fopen(path, "w") : NULL;
    if (path && !out) {
        qi_log("faultinject: cannot open %s: %s", path, strerror(errno));
        qi_scoreboard_free(sb);
        return 1;
    }
    if (qi_ctrl_dynamic() &&
        !(bind(QI_EVENT_GUEST_INSN_BEFORE_TRANS) &&
          bind(QI_EVENT_GUEST_INSN_BEFORE_EXEC))) {
        qi_log("faultinject: cannot set the guest instruction events");
        if (out) {
            fclose(out);
        }
        qi_scoreboard_free(sb);
        return 1;
    }
    active = true;
    qi_set_fini(fini, NULL);
    return 0;
}
