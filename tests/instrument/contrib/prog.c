/*
 * qemu-instr test program for the contrib/instrument examples
 *
 * Small enough for a full execution log: one clearly hottest function
 * (hot_loop), a cold one, libc string functions, an atomic
 * read-modify-write, and a few file system calls.  Built statically, with
 * debug information, by tests/instrument/test_contrib.py.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static volatile unsigned long sink;

static __attribute__((noinline)) unsigned long hot_loop(unsigned long n)
{
    unsigned long i, s = 0;

    for (i = 0; i < n; i++) {
        s += i * i ^ (s >> 3);
    }
    return s;
}

static __attribute__((noinline)) unsigned long cold(unsigned long x)
{
    return x * 3 + 1;
}

int main(int argc, char **argv)
{
    char buf[64], copy[64];
    int fd;

    if (argc > 5) {
        sink = cold(argc);      /* never runs: a line coverage leaves out */
    }
    sink = hot_loop(10000);
    memset(buf, 'x', sizeof(buf));
    memcpy(copy, buf, sizeof(copy));
    __atomic_fetch_add(&sink, copy[3], __ATOMIC_SEQ_CST);
    fd = open("/dev/null", O_WRONLY);
    if (fd >= 0) {
        write(fd, copy, sizeof(copy));
        close(fd);
    }
    printf("%lu\n", sink);
    return 0;
}
