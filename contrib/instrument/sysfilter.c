/*
 * qemu-instr example: a seccomp-like filter of the guest's system calls
 *
 * Copyright (c) 2026 qemu-instr developers
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Allows or denies each system call of a user-mode guest by a policy
 * file.  A denied call is skipped (qi_syscall_skip()): neither QEMU nor
 * the host's kernel sees it, and the guest gets an error, EPERM unless
 * the policy says another.  Like seccomp's SECCOMP_RET_ERRNO, but from
 * outside the guest, and for any guest QEMU runs.
 *
 * The policy has one rule per line; '#' starts a comment, and blank
 * lines are ignored:
 *
 *   # no new directories, no files removed
 *   default allow
 *   deny mkdir
 *   deny mkdirat
 *   deny unlinkat EACCES
 *   deny 87                    # unlink, by its x86_64 number
 *
 * - "default allow" or "default deny [ERRNO]", before any other rule,
 *   says what happens to a call no rule names; without it, "default
 *   allow".
 * - "allow CALL" and "deny CALL [ERRNO]" say it for CALL, a name or a
 *   number (decimal, or hexadecimal with 0x).  ERRNO is a name (EACCES)
 *   or a number; the default is EPERM.  A call has one rule; one named
 *   both by name and by number follows the later line.
 *
 * Names are Linux's, for x86_64 and aarch64 guests (syscall-names.h,
 * from asm/unistd.h), and are matched to the guest's own numbers at its
 * first call: "openat" is 257 on x86_64 and 56 on aarch64.  A name only
 * one of them has ("open", "mkdir": x86_64 only) matches nothing on the
 * other.  On other targets give numbers, in the target's numbering: a
 * policy that names calls there cannot be applied, and then every call
 * is denied, not allowed.  A "default deny" policy must allow what the
 * guest needs to start and to end (exit_group, and exit for threads):
 * "strace -f -c PROGRAM" run natively lists it.
 *
 * Build:  cc -shared -fPIC -O2 $(pkg-config --cflags qemu-instr) \
 *            -o libsysfilter.so sysfilter.c
 * Run:    qemu-x86_64 -instr ./libsysfilter.so,arg=policy=policy.txt PROGRAM
 *
 * Arguments:
 *   policy=FILE  the policy (required); a line it cannot read makes the
 *                load fail, with FILE:LINE and why
 *   log=on       write a line to QEMU's log (standard error, or the file
 *                of -D) for each denied call:
 *                  sysfilter: denied mkdir (83) on vcpu 0: EPERM
 */

#define _GNU_SOURCE             /* getline(), strerrorname_np() */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <qemu-instr/qemu-instr.h>

#include "syscall-names.h"

/* A line of the policy */
typedef struct Rule {
    char *name;                 /* NULL: by number */
    uint64_t num;
    bool deny;
    int err;
    int line;
} Rule;

/* A rule matched to the guest's numbers, sorted by number */
typedef struct Verdict {
    uint64_t num;
    bool deny;
    int err;
    int line;
} Verdict;

static bool active, log_denied;
static char *policy;
static Rule *rules;
static size_t n_rules;
static bool default_deny;
static int default_err = EPERM;

/* From the guest's first call on */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static bool resolved;
static const SyscallNames *names;
static Verdict *verdicts;
static size_t n_verdicts;

static long lookup(const char *const *table, size_t count, const char *name)
{
    size_t i;

    for (i = 0; i < count; i++) {
        if (table[i] && strcmp(table[i], name) == 0) {
            return i;
        }
    }
    return -1;
}

/* Any target's number of @name, or -1 */
static long lookup_any(const char *name)
{
    long num = lookup(names_x86_64, sizeof(names_x86_64) /
                      sizeof(names_x86_64[0]), name);

    return num >= 0 ? num : lookup(names_aarch64, sizeof(names_aarch64) /
                                   sizeof(names_aarch64[0]), name);
}

static int by_number(const void *a, const void *b)
{
    const Verdict *x = a, *y = b;

    return x->num < y->num ? -1 : x->num > y->num;
}

static int by_number_then_line(const void *a, const void *b)
{
    const Verdict *x = a, *y = b;

    return by_number(a, b) ? by_number(a, b) : x->line - y->line;
}

/* Match the rules to the numbers of @vcpu's target, once */
static void resolve(QICPU vcpu)
{
    size_t i, j;

    pthread_mutex_lock(&lock);
    if (resolved) {
        pthread_mutex_unlock(&lock);
        return;
    }
    names = syscall_names(vcpu);
    verdicts = calloc(n_rules ? n_rules : 1, sizeof(*verdicts));
    for (i = 0; i < n_rules; i++) {
        Verdict *v = &verdicts[n_verdicts];

        if (!rules[i].name) {
            v->num = rules[i].num;
        } else if (!names) {
            qi_log("sysfilter: %s:%d: the guest's system calls have no "
                   "names here (only x86_64 and aarch64 do): denying every "
                   "call", policy, rules[i].line);
            default_deny = true;
            default_err = EPERM;
            n_verdicts = 0;
            break;
        } else {
            long num = lookup(names->names, names->count, rules[i].name);

            if (num < 0) {
                continue;       /* not a call of this target */
            }
            v->num = num;
        }
        v->deny = rules[i].deny;
        v->err = rules[i].err;
        v->line = rules[i].line;
        n_verdicts++;
    }
    /* Of two rules for one call (by name and by number), the later */
    qsort(verdicts, n_verdicts, sizeof(*verdicts), by_number_then_line);
    for (i = j = 0; i < n_verdicts; i++) {
        if (j && verdicts[j - 1].num == verdicts[i].num) {
            j--;
        }
        verdicts[j++] = verdicts[i];
    }
    n_verdicts = j;
    __atomic_store_n(&resolved, true, __ATOMIC_RELEASE);
    pthread_mutex_unlock(&lock);
}

void qi_event_guest_user_syscall(QICPU vcpu, uint64_t num, uint64_t a1,
                                 uint64_t a2, uint64_t a3, uint64_t a4,
                                 uint64_t a5, uint64_t a6, uint64_t a7,
                                 uint64_t a8)
{
    Verdict key = { .num = num }, *v;
    bool deny;
    int err;

    if (!active) {
        return;
    }
    if (!__atomic_load_n(&resolved, __ATOMIC_ACQUIRE)) {
        resolve(vcpu);
    }
    v = bsearch(&key, verdicts, n_verdicts, sizeof(*verdicts), by_number);
    deny = v ? v->deny : default_deny;
    err = v ? v->err : default_err;
    if (!deny) {
        return;
    }
    if (!qi_syscall_skip(vcpu, -err)) {
        qi_log("sysfilter: cannot skip system call %" PRIu64 ": it runs",
               num);
        return;
    }
    if (log_denied) {
        const char *name = syscall_name(names, num);
        const char *ename = strerrorname_np(err);
        char number[24];

        if (!ename) {
            snprintf(number, sizeof(number), "errno %d", err);
            ename = number;
        }
        qi_log("sysfilter: denied %s (%" PRIu64 ") on vcpu %d: %s",
               name ? name : "system call", num, qi_vcpu_index(vcpu), ename);
    }
}

/* ERRNO of a rule: a name (EACCES) or a number; 0 if neither */
static int parse_errno(const char *s)
{
    char *end;
    long err;
    int i;

    if (isdigit((unsigned char)*s)) {
        err = strtol(s, &end, 10);
        return !*end && err > 0 && err < 4096 ? err : 0;
    }
    for (i = 1; i < 4096; i++) {
        const char *name = strerrorname_np(i);

        if (name && strcmp(name, s) == 0) {
            return i;
        }
    }
    return 0;
}

static bool parse_number(const char *s, uint64_t *value)
{
    char *end;

    if (!isdigit((unsigned char)*s)) {
        return false;
    }
    errno = 0;
    *value = strtoull(s, &end, 0);
    return !*end && !errno;
}

static bool bad(int line, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Say what is wrong with line @line of the policy; false */
static bool bad(int line, const char *fmt, ...)
{
    va_list ap;
    char *msg;

    va_start(ap, fmt);
    if (vasprintf(&msg, fmt, ap) < 0) {
        msg = NULL;
    }
    va_end(ap);
    qi_log("sysfilter: %s:%d: %s", policy, line, msg ? msg : fmt);
    free(msg);
    return false;
}

/* The optional ERRNO of "deny" at @word (or NULL) into *@err */
static bool parse_err(const char *word, int *err, int line)
{
    if (word) {
        *err = parse_errno(word);
        if (!*err) {
            return bad(line, "'%s' is not an errno: a name (EPERM, EACCES, "
                       "...) or a number from 1 to 4095", word);
        }
    }
    return true;
}

/* A line of the policy, cut into @n_words words (the first 4 at most) */
static bool parse_rule(char **words, int n_words, int line)
{
    static int default_line;
    Rule rule = { .err = EPERM, .line = line };
    const char *what = words[0], *call = words[1];
    bool by_name;
    size_t i;

    if (strcmp(what, "default") == 0) {
        if (default_line) {
            return bad(line, "a second 'default' line (the first is line "
                       "%d)", default_line);
        }
        if (n_rules) {
            return bad(line, "'default' comes before the rules (line %d has "
                       "one)", rules[0].line);
        }
        default_line = line;
        if (n_words == 2 && strcmp(call, "allow") == 0) {
            return true;
        }
        if (n_words <= 3 && n_words >= 2 && strcmp(call, "deny") == 0) {
            default_deny = true;
            return parse_err(words[2], &default_err, line);
        }
        return bad(line, "expected 'default allow' or 'default deny "
                   "[ERRNO]'");
    }
    if (strcmp(what, "allow") == 0) {
        rule.deny = false;
    } else if (strcmp(what, "deny") == 0) {
        rule.deny = true;
    } else {
        return bad(line, "expected 'allow', 'deny' or 'default', not '%s'",
                   what);
    }
    if (n_words < 2) {
        return bad(line, "'%s' needs a system call, by name or number", what);
    }
    if (n_words > (rule.deny ? 3 : 2)) {
        return bad(line, "unexpected '%s' after '%s %s'",
                   words[rule.deny ? 3 : 2], what, call);
    }
    if (rule.deny && !parse_err(words[2], &rule.err, line)) {
        return false;
    }
    by_name = !isdigit((unsigned char)*call);
    if (!by_name && !parse_number(call, &rule.num)) {
        return bad(line, "'%s' is not a system call number", call);
    }
    if (by_name && lookup_any(call) < 0) {
        return bad(line, "unknown system call '%s' (names are those of "
                   "x86_64 and aarch64 Linux)", call);
    }
    for (i = 0; i < n_rules; i++) {
        if (by_name ? rules[i].name && strcmp(rules[i].name, call) == 0
                    : !rules[i].name && rules[i].num == rule.num) {
            return bad(line, "a second rule for '%s' (the first is line %d)",
                       call, rules[i].line);
        }
    }
    if (by_name) {
        rule.name = strdup(call);
    }
    rules = realloc(rules, (n_rules + 1) * sizeof(*rules));
    rules[n_rules++] = rule;
    return true;
}

/* Read the policy into rules[] and the default; false after saying why */
static bool read_policy(void)
{
    FILE *f = fopen(policy, "r");
    char *buf = NULL;
    size_t cap = 0;
    bool ok = true;
    int line = 0;

    if (!f) {
        qi_log("sysfilter: cannot open %s: %s", policy, strerror(errno));
        return false;
    }
    while (ok && getline(&buf, &cap, f) >= 0) {
        /* Three words at most: a fourth is enough to say what is wrong */
        char *words[4] = { NULL }, *save, *w;
        int n = 0;

        line++;
        buf[strcspn(buf, "#")] = 0;
        for (w = strtok_r(buf, " \t\r\n", &save); w && n < 4;
             w = strtok_r(NULL, " \t\r\n", &save)) {
            words[n++] = w;
        }
        if (n) {
            ok = parse_rule(words, n, line);
        }
    }
    if (ok && ferror(f)) {
        qi_log("sysfilter: cannot read %s: %s", policy, strerror(errno));
        ok = false;
    }
    free(buf);
    fclose(f);
    return ok;
}

static void free_rules(void)
{
    size_t i;

    for (i = 0; i < n_rules; i++) {
        free(rules[i].name);
    }
    free(rules);
    rules = NULL;
    n_rules = 0;
}

static void fini(void *data)
{
    free_rules();
    free(verdicts);
    free(policy);
}

int qi_init(int argc, const char **argv)
{
    const char *path = NULL;
    int i;

    for (i = 0; i < argc; i++) {
        if (strncmp(argv[i], "policy=", 7) == 0) {
            path = argv[i] + 7;
        } else if (strcmp(argv[i], "log=on") == 0) {
            log_denied = true;
        } else if (strcmp(argv[i], "log=off") == 0) {
            log_denied = false;
        } else {
            qi_log("sysfilter: unknown argument '%s' (expected policy=FILE "
                   "or log=on|off)", argv[i]);
            return 1;
        }
    }
    /* Static mode runs this without -instr too: then stay out of the way */
    if (!qi_ctrl_dynamic() && argc == 0) {
        return 0;
    }
    if (!path || !*path) {
        qi_log("sysfilter: policy=FILE is required");
        return 1;
    }
    policy = strdup(path);
    if (!read_policy()) {
        fini(NULL);
        return 1;
    }
    if (qi_ctrl_dynamic() &&
        !qi_ctrl_event_set(qi_ctrl_event_id(QI_EVENT_GUEST_USER_SYSCALL),
                           QI_CTRL_INSTR_AUTO)) {
        qi_log("sysfilter: cannot set the system call event");
        fini(NULL);
        return 1;
    }
    active = true;
    qi_set_fini(fini, NULL);
    return 0;
}
