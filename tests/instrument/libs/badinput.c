/*
 * qemu-instr test library: API 2 calls that must fail cleanly (bad
 * register numbers and sizes, writes where writing is not allowed, the
 * PC written, redirects and syscall changes from the wrong callback,
 * NULL vCPUs), each from the callback where it is wrong
 *
 * Contexts, each checked the first time it is reached: qi_init();
 * guest_insn_before_trans; guest_insn_before_exec emitted with
 * QI_REGS_READ, QI_REGS_NONE and QI_REGS_WRITE (at the first three
 * instructions translated); guest_user_syscall; guest_user_syscall_ret;
 * guest_discon for a signal and for an exception; qi_fini(), outside any
 * callback, with a vCPU saved from one.
 *
 * The failing calls are given values the guest already has (the
 * register's own value, the call's own argument, the current PC) so that
 * a call wrongly accepted cannot derail the guest before it is reported;
 * a few valid calls of the same kind show that the context itself works.
 * qi_vcpu_set_pc() does not return on success: a check still pending at
 * the next callback (or at fini) failed.
 *
 * Arguments: out=FILE.  qi_fini() writes one "FAIL CONTEXT: CHECK" line
 * per failed check, "contexts NAME..." (those reached, in a fixed
 * order), then "ok N bad N".
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <qemu-instr/qemu-instr.h>

enum {
    CTX_INIT, CTX_TRANS, CTX_EXEC_READ, CTX_EXEC_NONE, CTX_EXEC_WRITE,
    CTX_SYSCALL, CTX_SYSCALL_RET, CTX_SIGNAL, CTX_EXCEPTION, CTX_FINI,
    CTX_COUNT
};

static const char *const ctx_names[CTX_COUNT] = {
    "init", "trans", "exec_read", "exec_none", "exec_write", "syscall",
    "syscall_ret", "signal", "exception", "fini",
};

/* Modes of the first three instructions translated, by their pc */
static const QIRegAccess modes[3] = {
    QI_REGS_READ, QI_REGS_NONE, QI_REGS_WRITE
};
static uint64_t mode_pc[3];
static int modes_given;

static const char *out;
static FILE *fails;             /* FAIL lines, copied to out at fini */
static char fails_buf[16384];
static unsigned long ok, bad;
static bool reached[CTX_COUNT];
static const char *pending;     /* a qi_vcpu_set_pc() check under way */
static int pending_ctx;
static QICPU saved_vcpu;
static QIScoreboard *sb;
static uint8_t buf[65536], other[65536];   /* larger than any register */

static void check(int ctx, bool cond, const char *what)
{
    if (cond) {
        ok++;
    } else {
        bad++;
        fprintf(fails, "FAIL %s: %s\n", ctx_names[ctx], what);
    }
}

#define CHECK(ctx, cond) check((ctx), (cond), #cond)

/* Whether to check ctx now: the first time only */
static bool enter(int ctx)
{
    if (pending) {
        check(pending_ctx, false, pending);
        pending = NULL;
    }
    if (reached[ctx]) {
        return false;
    }
    reached[ctx] = true;
    return true;
}

/* qi_vcpu_set_pc(vcpu, pc) must return false */
static void check_no_set_pc(int ctx, QICPU vcpu, uint64_t pc,
                            const char *what)
{
    pending = what;
    pending_ctx = ctx;
    check(ctx, !qi_vcpu_set_pc(vcpu, pc), what);
    pending = NULL;
}

static int pc_reg(QICPU vcpu)
{
    int i, n = qi_reg_count(vcpu);

    for (i = 0; i < n; i++) {
        if (qi_reg_is_pc(vcpu, i)) {
            return i;
        }
    }
    return -1;
}

static int fp_reg(QICPU vcpu)
{
    static const char *const names[] = { "xmm0", "v0", "z0" };
    int i, reg;

    for (i = 0; i < 3; i++) {
        reg = qi_reg_find(vcpu, names[i]);
        if (reg >= 0) {
            return reg;
        }
    }
    return -1;
}

/* Calls that fail the same way anywhere: NULL vCPUs and buffers */
static void check_null(int ctx, QICPU vcpu)
{
    CHECK(ctx, qi_reg_count(NULL) == -1);
    CHECK(ctx, qi_reg_name(NULL, 0) == NULL);
    CHECK(ctx, qi_reg_size(NULL, 0) == -1);
    CHECK(ctx, qi_reg_find(NULL, "rax") == -1);
    CHECK(ctx, !qi_reg_is_pc(NULL, 0));
    CHECK(ctx, qi_reg_read(NULL, 0, buf, sizeof(buf)) == -1);
    CHECK(ctx, qi_reg_write(NULL, 0, buf, 8) == -1);
    CHECK(ctx, !qi_syscall_skip(NULL, 0));
    CHECK(ctx, !qi_syscall_set_arg(NULL, 1, 0));
    CHECK(ctx, !qi_syscall_set_ret(NULL, 0));
    check_no_set_pc(ctx, NULL, 0x1000, "!qi_vcpu_set_pc(NULL, 0x1000)");
    if (vcpu) {
        CHECK(ctx, qi_reg_read(vcpu, 0, NULL, sizeof(buf)) == -1);
        CHECK(ctx, qi_reg_write(vcpu, 0, NULL, qi_reg_size(vcpu, 0)) == -1);
        CHECK(ctx, qi_reg_find(vcpu, NULL) == -1);
    }
}

/* Out-of-range register numbers and short buffers, where reading works */
static void check_numbers(int ctx, QICPU vcpu)
{
    int n = qi_reg_count(vcpu);
    int i, size, named = 0, readable = 0, size0 = qi_reg_size(vcpu, 0);
    const int bad_regs[] = { n, n + 1, -1, INT_MAX, INT_MIN };

    CHECK(ctx, n > 0);
    CHECK(ctx, size0 > 0);
    for (i = 0; i < 5; i++) {
        check(ctx, qi_reg_name(vcpu, bad_regs[i]) == NULL &&
              qi_reg_size(vcpu, bad_regs[i]) == -1 &&
              !qi_reg_is_pc(vcpu, bad_regs[i]) &&
              qi_reg_read(vcpu, bad_regs[i], buf, sizeof(buf)) == -1 &&
              qi_reg_write(vcpu, bad_regs[i], buf, 8) == -1,
              "bad register number rejected by name/size/is_pc/read/write");
    }
    CHECK(ctx, qi_reg_read(vcpu, 0, buf, size0 - 1) == -1);
    CHECK(ctx, qi_reg_read(vcpu, 0, buf, 0) == -1);
    CHECK(ctx, qi_reg_read(vcpu, 0, buf, size0) == size0);
    CHECK(ctx, qi_reg_read(vcpu, 0, buf, sizeof(buf)) == size0);
    /* Every number either names a readable register or names none */
    for (i = 0; i < n; i++) {
        const char *name = qi_reg_name(vcpu, i);

        size = qi_reg_size(vcpu, i);
        if (name) {
            named++;
            if (size > 0 && qi_reg_read(vcpu, i, buf, sizeof(buf)) == size &&
                qi_reg_find(vcpu, name) >= 0) {
                readable++;
            }
        } else {
            check(ctx, size == -1 && qi_reg_read(vcpu, i, buf,
                                                 sizeof(buf)) == -1,
                  "an unnamed number has no size and reads as -1");
        }
    }
    check(ctx, named > 0 && readable == named,
          "every named register reads qi_reg_size() bytes");
    CHECK(ctx, pc_reg(vcpu) >= 0);
}

/* Writes that must fail even where writing is allowed */
static void check_bad_writes(int ctx, QICPU vcpu, uint64_t pc)
{
    int pcnum = pc_reg(vcpu), fp = fp_reg(vcpu);
    int size0 = qi_reg_size(vcpu, 0), fpsize = qi_reg_size(vcpu, fp);
    uint64_t pcval = pc;

    if (pcnum >= 0) {
        qi_reg_read(vcpu, pcnum, &pcval, 8);
    }
    CHECK(ctx, qi_reg_write(vcpu, pcnum, &pcval, 8) == -1);
    CHECK(ctx, qi_reg_read(vcpu, 0, buf, sizeof(buf)) == size0);
    CHECK(ctx, qi_reg_write(vcpu, 0, buf, size0 - 1) == -1);
    CHECK(ctx, qi_reg_write(vcpu, 0, buf, size0 + 1) == -1);
    CHECK(ctx, qi_reg_write(vcpu, 0, buf, 0) == -1);
    CHECK(ctx, fp >= 0 && fpsize >= 16);
    CHECK(ctx, qi_reg_read(vcpu, fp, other, sizeof(other)) == fpsize);
    CHECK(ctx, qi_reg_write(vcpu, fp, other, 8) == -1);
    CHECK(ctx, qi_reg_write(vcpu, fp, other, fpsize - 1) == -1);
}

/* Writes that must fail where writing is not allowed */
static void check_no_writes(int ctx, QICPU vcpu)
{
    int size0 = qi_reg_size(vcpu, 0);

    memset(buf, 0, sizeof(buf));
    qi_reg_read(vcpu, 0, buf, sizeof(buf));
    CHECK(ctx, qi_reg_write(vcpu, 0, buf, size0) == -1);
}

/* The qi_syscall_*() calls, outside the one callback each is valid in */
static void check_no_syscall(int ctx, QICPU vcpu, bool skip, bool arg,
                             bool ret)
{
    if (skip) {
        CHECK(ctx, !qi_syscall_skip(vcpu, 0));
    }
    if (arg) {
        CHECK(ctx, !qi_syscall_set_arg(vcpu, 1, 0));
    }
    if (ret) {
        CHECK(ctx, !qi_syscall_set_ret(vcpu, 0));
    }
}

static int mode_of(uint64_t pc)
{
    int i;

    for (i = 0; i < modes_given; i++) {
        if (mode_pc[i] == pc) {
            return i;
        }
    }
    if (modes_given < 3) {
        mode_pc[modes_given] = pc;
        return modes_given++;
    }
    return -1;
}

static void insn_trans(QICPU vcpu, QITCGv_cpu vcpu_exec, uint64_t pc,
                       uint32_t size, const uint8_t *bytes)
{
    int m;

    if (enter(CTX_TRANS)) {
        check_null(CTX_TRANS, vcpu);
        check_no_writes(CTX_TRANS, vcpu);
        check_no_set_pc(CTX_TRANS, vcpu, pc, "!qi_vcpu_set_pc(vcpu, pc)");
        check_no_syscall(CTX_TRANS, vcpu, true, true, true);
        /* Conditions that emit nothing: the calls below stay plain */
        CHECK(CTX_TRANS, !qi_gen_exec_if(vcpu_exec, NULL, 0, QI_COND_EQ, 0));
        CHECK(CTX_TRANS, !qi_gen_exec_if(vcpu_exec, sb, 8, QI_COND_EQ, 0));
        CHECK(CTX_TRANS, !qi_gen_exec_if(vcpu_exec, sb, 4, QI_COND_EQ, 0));
        CHECK(CTX_TRANS, !qi_gen_exec_if(vcpu_exec, sb, 0, (QICond)99, 0));
    }
    m = mode_of(pc);
    if (m >= 0) {
        qi_gen_regs(vcpu_exec, modes[m]);
        qi_event_gen_guest_insn_before_exec(vcpu_exec, pc);
    }
}

static void insn_exec(QICPU vcpu, uint64_t pc)
{
    int m = mode_of(pc);

    if (m == 0 && enter(CTX_EXEC_READ)) {
        saved_vcpu = vcpu;
        check_null(CTX_EXEC_READ, vcpu);
        check_numbers(CTX_EXEC_READ, vcpu);
        check_no_writes(CTX_EXEC_READ, vcpu);
        check_no_syscall(CTX_EXEC_READ, vcpu, true, true, true);
    } else if (m == 1 && enter(CTX_EXEC_NONE)) {
        CHECK(CTX_EXEC_NONE, qi_reg_read(vcpu, 0, buf, sizeof(buf)) == -1);
        check_no_writes(CTX_EXEC_NONE, vcpu);
        check_no_set_pc(CTX_EXEC_NONE, vcpu, pc, "!qi_vcpu_set_pc(vcpu, pc)");
        check_no_syscall(CTX_EXEC_NONE, vcpu, true, true, true);
    } else if (m == 2 && enter(CTX_EXEC_WRITE)) {
        int size0 = qi_reg_size(vcpu, 0);

        check_bad_writes(CTX_EXEC_WRITE, vcpu, pc);
        /* The register's own value: writing works here */
        CHECK(CTX_EXEC_WRITE, qi_reg_read(vcpu, 0, buf, size0) == size0 &&
              qi_reg_write(vcpu, 0, buf, size0) == size0);
        check_no_syscall(CTX_EXEC_WRITE, vcpu, true, true, true);
    }
}

static void on_syscall(QICPU vcpu, uint64_t num, uint64_t a1, uint64_t a2,
                       uint64_t a3, uint64_t a4, uint64_t a5, uint64_t a6,
                       uint64_t a7, uint64_t a8)
{
    if (!enter(CTX_SYSCALL)) {
        return;
    }
    check_null(CTX_SYSCALL, vcpu);
    check_numbers(CTX_SYSCALL, vcpu);
    check_bad_writes(CTX_SYSCALL, vcpu, 0);
    CHECK(CTX_SYSCALL, !qi_syscall_set_ret(vcpu, 0));
    CHECK(CTX_SYSCALL, !qi_syscall_set_arg(vcpu, 7, 0));
    CHECK(CTX_SYSCALL, !qi_syscall_set_arg(vcpu, 8, a8));
    CHECK(CTX_SYSCALL, !qi_syscall_set_arg(vcpu, -1, num));
    CHECK(CTX_SYSCALL, !qi_syscall_set_arg(vcpu, INT_MAX, 0));
    /* Valid: the call's own number and first argument */
    CHECK(CTX_SYSCALL, qi_syscall_set_arg(vcpu, 0, num));
    CHECK(CTX_SYSCALL, qi_syscall_set_arg(vcpu, 1, a1));
}

static void on_syscall_ret(QICPU vcpu, uint64_t num, uint64_t ret)
{
    if (!enter(CTX_SYSCALL_RET)) {
        return;
    }
    check_null(CTX_SYSCALL_RET, vcpu);
    check_bad_writes(CTX_SYSCALL_RET, vcpu, 0);
    check_no_syscall(CTX_SYSCALL_RET, vcpu, true, true, false);
    CHECK(CTX_SYSCALL_RET, !qi_syscall_skip(vcpu, ret));
    /* Valid: the call's own result */
    CHECK(CTX_SYSCALL_RET, qi_syscall_set_ret(vcpu, ret));
}

static void on_discon(QICPU vcpu, uint32_t kind, uint64_t num,
                      uint64_t from_pc, uint64_t to_pc)
{
    if (kind == QI_DISCON_SIGNAL && enter(CTX_SIGNAL)) {
        check_null(CTX_SIGNAL, vcpu);
        check_bad_writes(CTX_SIGNAL, vcpu, from_pc);
        /* Signal deliveries cannot be redirected */
        check_no_set_pc(CTX_SIGNAL, vcpu, to_pc,
                        "!qi_vcpu_set_pc(vcpu, to_pc)");
        check_no_syscall(CTX_SIGNAL, vcpu, true, true, true);
    } else if (kind == QI_DISCON_EXCEPTION && enter(CTX_EXCEPTION)) {
        check_null(CTX_EXCEPTION, vcpu);
        check_numbers(CTX_EXCEPTION, vcpu);
        check_bad_writes(CTX_EXCEPTION, vcpu, from_pc);
        check_no_syscall(CTX_EXCEPTION, vcpu, true, true, true);
    }
}

static void fini(void *data)
{
    FILE *f;
    int i;

    enter(CTX_FINI);
    check_null(CTX_FINI, NULL);
    if (saved_vcpu) {
        /* A vCPU that exists, outside any of its callbacks */
        check_no_writes(CTX_FINI, saved_vcpu);
        check_no_syscall(CTX_FINI, saved_vcpu, true, true, true);
    }
    fflush(fails);
    f = fopen(out, "w");
    if (!f) {
        perror(out);
        return;
    }
    fputs(fails_buf, f);
    fprintf(f, "contexts");
    for (i = 0; i < CTX_COUNT; i++) {
        if (reached[i]) {
            fprintf(f, " %s", ctx_names[i]);
        }
    }
    fprintf(f, "\nok %lu bad %lu\n", ok, bad);
    fclose(f);
    fclose(fails);
    qi_scoreboard_free(sb);
}

int qi_init(int argc, const char **argv)
{
    if (argc != 1 || strncmp(argv[0], "out=", 4)) {
        return 1;
    }
    out = argv[0] + 4;
    fails = fmemopen(fails_buf, sizeof(fails_buf) - 1, "w");
    if (!fails) {
        return 1;
    }
    enter(CTX_INIT);
    check_null(CTX_INIT, NULL);
    CHECK(CTX_INIT, qi_scoreboard_new(0) == NULL);
    CHECK(CTX_INIT, qi_scoreboard_new(QI_SCOREBOARD_MAX_SIZE + 8) == NULL);
    CHECK(CTX_INIT, qi_scoreboard_get(NULL, NULL) == NULL);
    CHECK(CTX_INIT, qi_scoreboard_get_index(NULL, 0) == NULL);
    CHECK(CTX_INIT, qi_scoreboard_sum_u64(NULL, 0) == 0);
    sb = qi_scoreboard_new(8);
    CHECK(CTX_INIT, sb != NULL);
    CHECK(CTX_INIT, qi_scoreboard_get(sb, NULL) == NULL);
    CHECK(CTX_INIT, qi_scoreboard_get_index(sb, 1 << 20) == NULL);
    CHECK(CTX_INIT, qi_scoreboard_sum_u64(sb, 8) == 0);
    qi_set_fini(fini, NULL);
    return !(qi_event_set_guest_insn_before_trans(insn_trans) &&
             qi_event_set_guest_insn_before_exec(insn_exec) &&
             qi_event_set_guest_user_syscall(on_syscall) &&
             qi_event_set_guest_user_syscall_ret(on_syscall_ret) &&
             qi_event_set_guest_discon(on_discon));
}
