/*
 * qemu-instr example: print the guest's system calls, as strace does
 *
 * Copyright (c) 2026 qemu-instr developers
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Writes one line per system call of a user-mode guest, when it returns,
 * with its name, its six argument registers and its result:
 *
 *   openat(-100, "/dev/null", 1, 0, 0, 0) = 3
 *   read(3, 0x4000800b40, 832, 0, 0, 0) = -1 EBADF (Bad file descriptor)
 *   exit_group(0, 0, 0, 0, 0, 0) = ?
 *
 * Arguments print as signed decimals when small, else in hexadecimal;
 * the path of the calls that take one is read from guest memory.  Lines
 * of a vCPU other than 0 (another guest thread) start with "[vcpu N]".
 * A call that never returns (exit_group, a successful execve) ends with
 * "= ?".  Names are known for x86_64 and aarch64 guests (the tables of
 * syscall-names.h come from Linux's asm/unistd.h); others show
 * "syscall_N".  Error names are the host's, the same numbers on these
 * targets.
 *
 * Build:  cc -shared -fPIC -O2 $(pkg-config --cflags qemu-instr) \
 *            -o libstrace.so strace.c
 * Run:    qemu-x86_64 -instr ./libstrace.so,arg=out=strace.txt PROGRAM
 *
 * Arguments:
 *   out=FILE     write the calls to FILE (default: stderr)
 */

#define _GNU_SOURCE             /* strerrorname_np() */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <qemu-instr/qemu-instr.h>
#include <qemu-instr/state.h>

#include "syscall-names.h"

/* Calls with a path argument, and which one it is */
static const struct {
    const char *name;
    int arg;
} path_args[] = {
    { "open", 0 }, { "openat", 1 }, { "creat", 0 }, { "execve", 0 },
    { "execveat", 1 }, { "stat", 0 }, { "lstat", 0 }, { "newfstatat", 1 },
    { "statx", 1 }, { "access", 0 }, { "faccessat", 1 },
    { "faccessat2", 1 }, { "readlink", 0 }, { "readlinkat", 1 },
    { "unlink", 0 }, { "unlinkat", 1 }, { "mkdir", 0 }, { "mkdirat", 1 },
    { "rmdir", 0 }, { "chdir", 0 }, { "rename", 0 }, { "renameat", 1 },
    { "renameat2", 1 }, { "truncate", 0 }, { "statfs", 0 },
};

typedef struct VCPUCall {
    int index;
    bool pending;               /* between a call and its return */
    char line[512];
} VCPUCall;

static FILE *out;
static const SyscallNames *names;

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static VCPUCall **vcpus;
static int n_vcpus;
static __thread VCPUCall *cur;

static VCPUCall *vcpu_call(QICPU vcpu)
{
    int index = qi_vcpu_index(vcpu);

    if (!cur || cur->index != index) {
        pthread_mutex_lock(&lock);
        if (index >= n_vcpus) {
            vcpus = realloc(vcpus, (index + 1) * sizeof(*vcpus));
            while (n_vcpus <= index) {
                vcpus[n_vcpus] = calloc(1, sizeof(VCPUCall));
                vcpus[n_vcpus]->index = n_vcpus;
                n_vcpus++;
            }
        }
        cur = vcpus[index];
        pthread_mutex_unlock(&lock);
    }
    return cur;
}

/* The first call tells the target */
static void pick_names(QICPU vcpu)
{
    pthread_mutex_lock(&lock);
    if (!names) {
        names = syscall_names(vcpu);
    }
    pthread_mutex_unlock(&lock);
}

static void append(VCPUCall *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void append(VCPUCall *c, const char *fmt, ...)
{
    size_t len = strlen(c->line);
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(c->line + len, sizeof(c->line) - len, fmt, ap);
    va_end(ap);
}

static void append_value(VCPUCall *c, uint64_t v)
{
    if ((int64_t)v > -65536 && (int64_t)v < 65536) {
        append(c, "%" PRId64, (int64_t)v);
    } else if (v >> 32 == 0 && (int32_t)v < 0 && (int32_t)v > -65536) {
        append(c, "%" PRId32, (int32_t)v);  /* an int, e.g. AT_FDCWD */
    } else {
        append(c, "0x%" PRIx64, v);
    }
}

/* A guest string, quoted and escaped, cut at 64 bytes */
static void append_path(VCPUCall *c, QICPU vcpu, uint64_t addr)
{
    char s[65];
    int i;

    for (i = 0; i < 64; i++) {
        if (!qi_mem_read_virt(vcpu, addr + i, &s[i], 1)) {
            append_value(c, addr);
            return;
        }
        if (!s[i]) {
            break;
        }
    }
    append(c, "\"");
    for (s[i] = 0, i = 0; s[i]; i++) {
        append(c, s[i] >= 32 && s[i] < 127 && s[i] != '"' && s[i] != '\\'
               ? "%c" : "\\x%02x", (unsigned char)s[i]);
    }
    append(c, i == 64 ? "\"..." : "\"");
}

static void finish(VCPUCall *c, const char *result)
{
    if (c->index) {
        fprintf(out, "[vcpu %d] %s = %s\n", c->index, c->line, result);
    } else {
        fprintf(out, "%s = %s\n", c->line, result);
    }
    c->pending = false;
}

void qi_event_guest_user_syscall(QICPU vcpu, uint64_t num, uint64_t a1,
                                 uint64_t a2, uint64_t a3, uint64_t a4,
                                 uint64_t a5, uint64_t a6, uint64_t a7,
                                 uint64_t a8)
{
    uint64_t args[6] = { a1, a2, a3, a4, a5, a6 };
    const char *name;
    VCPUCall *c;
    int path = -1;
    size_t i;

    if (!out) {
        return;
    }
    if (!names) {
        pick_names(vcpu);
    }
    c = vcpu_call(vcpu);
    if (c->pending) {
        finish(c, "?");         /* e.g. a signal handler's sigreturn */
    }
    c->pending = true;
    name = syscall_name(names, num);
    if (name) {
        snprintf(c->line, sizeof(c->line), "%s(", name);
        for (i = 0; i < sizeof(path_args) / sizeof(path_args[0]); i++) {
            if (strcmp(name, path_args[i].name) == 0) {
                path = path_args[i].arg;
            }
        }
    } else {
        snprintf(c->line, sizeof(c->line), "syscall_%" PRIu64 "(", num);
    }
    for (i = 0; i < 6; i++) {
        if (i) {
            append(c, ", ");
        }
        if (i == path) {
            append_path(c, vcpu, args[i]);
        } else {
            append_value(c, args[i]);
        }
    }
    append(c, ")");
}

void qi_event_guest_user_syscall_ret(QICPU vcpu, uint64_t num, uint64_t ret)
{
    VCPUCall *c;
    char result[128];

    if (!out) {
        return;
    }
    c = vcpu_call(vcpu);
    if (!c->pending) {
        return;                 /* the library was loaded during the call */
    }
    /* Linux returns -errno, from -4095 to -1 */
    if (ret >= (uint64_t)-4095) {
        int err = -(int64_t)ret;
        const char *name = strerrorname_np(err);

        snprintf(result, sizeof(result), "-1 %s (%s)", name ? name : "E?",
                 strerror(err));
    } else if (ret < 65536) {
        snprintf(result, sizeof(result), "%" PRIu64, ret);
    } else {
        snprintf(result, sizeof(result), "0x%" PRIx64, ret);
    }
    finish(c, result);
}

static void fini(void *data)
{
    int i;

    if (!out) {
        return;
    }
    for (i = 0; i < n_vcpus; i++) {
        if (vcpus[i]->pending) {
            finish(vcpus[i], "?");
        }
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
        if (strncmp(argv[i], "out=", 4) == 0) {
            path = argv[i] + 4;
        } else {
            qi_log("strace: unknown argument '%s' (expected out=FILE)",
                   argv[i]);
            return 1;
        }
    }
    if (!qi_ctrl_dynamic() && argc == 0) {
        return 0;               /* static mode, QEMU run without -instr */
    }
    out = path ? fopen(path, "w") : stderr;
    if (!out) {
        qi_log("strace: cannot open %s: %s", path, strerror(errno));
        return 1;
    }
    /* Each line is written whole: no buffering across guest threads */
    setvbuf(out, NULL, _IOLBF, 0);
    qi_set_fini(fini, NULL);
    if (qi_ctrl_dynamic() &&
        !(qi_ctrl_event_set(qi_ctrl_event_id(QI_EVENT_GUEST_USER_SYSCALL),
                            QI_CTRL_INSTR_AUTO) &&
          qi_ctrl_event_set(qi_ctrl_event_id(QI_EVENT_GUEST_USER_SYSCALL_RET),
                            QI_CTRL_INSTR_AUTO))) {
        qi_log("strace: cannot set the system call events");
        return 1;
    }
    return 0;
}
