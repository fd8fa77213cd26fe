/*
 * qemu-instr: qi_log() (qemu-instr/control.h)
 *
 * Copyright (c) 2026 qemu-instr developers
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * A library's text goes to QEMU's log file (-D), or else to a copy of
 * QEMU's standard error taken at start-up: in user mode the guest shares
 * QEMU's file descriptors and may close or redirect 2 (coreutils
 * programs close it at exit).  Each call is one write(), of whole lines.
 */

#include "qemu/osdep.h"
#include "qemu/log.h"
#include "qemu/thread.h"
#include "qemu-instr/control.h"
#include "internal.h"

static int instr_log_fd = -1;

void instr_log_init(void)
{
    /* A high number: guests pick the lowest free ones */
    if (instr_log_fd < 0) {
        instr_log_fd = fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 256);
    }
}

static void instr_log_write(int fd, const char *text, size_t len)
{
    while (len) {
        ssize_t n = write(fd, text, len);

        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            return;
        }
        text += n;
        len -= n;
    }
}

void qi_log(const char *fmt, ...)
{
    g_autoptr(GString) text = g_string_new(NULL);
    FILE *file;
    va_list ap;

    va_start(ap, fmt);
    g_string_append_vprintf(text, fmt, ap);
    va_end(ap);
    if (!text->len || text->str[text->len - 1] != '\n') {
        g_string_append_c(text, '\n');
    }

    file = qemu_log_trylock();
    if (file && file != stderr) {
        fputs(text->str, file);
        qemu_log_unlock(file);
        return;
    }
    if (file) {
        qemu_log_unlock(file);
    }
    instr_log_write(instr_log_fd >= 0 ? instr_log_fd : STDERR_FILENO,
                    text->str, text->len);
}
