/*
 * qemu-instr test library: where a library's callbacks run among other
 * libraries' on the same events
 *
 * Arguments: name=NAME, log=FILE (appended to: the libraries of a test
 * share it), prio=N (qi_ctrl_event_set_priority()), and dangling-if (a
 * qi_gen_exec_if() that no call follows, which must guard nothing of
 * the next library).  At the first translated instruction the library
 * logs "trans NAME" and emits an execution-time call; at the first
 * instruction it runs, "exec NAME".  Its fini logs "fini NAME".
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <qemu-instr/qemu-instr.h>

static const char *name = "?";
static int log_fd = -1;
static int trans_logged, exec_logged;
static bool dangling_if;
static QIScoreboard *sb;

/* One write per line: the libraries share the file */
static void log_line(const char *what)
{
    char line[128];
    int n = snprintf(line, sizeof(line), "%s %s\n", what, name);

    if (write(log_fd, line, n) != n) {
        abort();
    }
}

static void insn_exec(QICPU vcpu, uint64_t pc)
{
    if (!__atomic_exchange_n(&exec_logged, 1, __ATOMIC_RELAXED)) {
        log_line("exec");
    }
}

static void insn_trans(QICPU vcpu, QITCGv_cpu vcpu_exec, uint64_t pc,
                       uint32_t size, const uint8_t *bytes)
{
    if (__atomic_exchange_n(&trans_logged, 1, __ATOMIC_RELAXED)) {
        return;
    }
    log_line("trans");
    qi_gen_regs(vcpu_exec, QI_REGS_NONE);
    qi_event_gen_guest_insn_before_exec(vcpu_exec, pc);
    if (dangling_if) {
        /* Never true; no call follows it in this callback */
        qi_gen_exec_if(vcpu_exec, sb, 0, QI_COND_EQ, 12345);
        qi_gen_regs(vcpu_exec, QI_REGS_WRITE);
    }
}

static void fini(void *data)
{
    log_line("fini");
    close(log_fd);
}

int qi_init(int argc, const char **argv)
{
    int prio = QI_PRIORITY_DEFAULT;
    int i;

    for (i = 0; i < argc; i++) {
        if (strncmp(argv[i], "name=", 5) == 0) {
            name = argv[i] + 5;
        } else if (strncmp(argv[i], "log=", 4) == 0) {
            log_fd = open(argv[i] + 4, O_WRONLY | O_APPEND | O_CREAT |
                          O_CLOEXEC, 0644);
        } else if (strncmp(argv[i], "prio=", 5) == 0) {
            prio = atoi(argv[i] + 5);
        } else if (strcmp(argv[i], "dangling-if") == 0) {
            dangling_if = true;
        } else {
            return 1;
        }
    }
    sb = qi_scoreboard_new(sizeof(uint64_t));
    if (log_fd < 0 || !sb) {
        return 1;
    }
    /* Far from the guest's descriptors */
    i = fcntl(log_fd, F_DUPFD_CLOEXEC, 300);
    close(log_fd);
    log_fd = i;
    qi_set_fini(fini, NULL);
    return !(qi_ctrl_event_set_priority(
                 qi_ctrl_event_name("guest_insn_before_trans"),
                 (void *)insn_trans, prio) &&
             qi_ctrl_event_set_priority(
                 qi_ctrl_event_name("guest_insn_before_exec"),
                 (void *)insn_exec, prio));
}
