/*
 * qemu-instr test workload: blocks left in the middle
 *
 * Built like workload.c, statically for each linux-user target.  Every
 * way a guest leaves a translated block before its last instruction, in
 * a loop, with work between: a load from an unmapped page that a
 * SIGSEGV handler leaves with siglongjmp(), a store to a read-only page
 * whose handler makes it writable so that the store runs again, an
 * integer division by zero (SIGFPE, x86 only: other targets do not
 * trap), a trap instruction (__builtin_trap(): SIGILL or SIGTRAP),
 * signals raised by the program itself (raise(), kill()), a timer
 * signal arriving while it computes, and a plain longjmp() out of
 * nested calls.  Prints one line of what it took and a checksum.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/time.h>
#include <unistd.h>

#define ROUNDS 200

static sigjmp_buf recover;
static jmp_buf nested;
/* Written by signal handlers */
static volatile sig_atomic_t segv, fpe, trap, usr, alrm;
/* volatile: the compiler must not see through the jumps around them */
static volatile uint64_t sink;
static volatile int jump = 1;
static char *ro_page;
static long page_size;

static void on_segv(int sig, siginfo_t *si, void *uc)
{
    segv++;
    if ((char *)si->si_addr >= ro_page &&
        (char *)si->si_addr < ro_page + page_size) {
        /* The store runs again, and succeeds */
        mprotect(ro_page, page_size, PROT_READ | PROT_WRITE);
        return;
    }
    siglongjmp(recover, 1);
}

static void on_fpe(int sig)
{
    fpe++;
    siglongjmp(recover, 1);
}

static void on_trap(int sig)
{
    trap++;
    siglongjmp(recover, 1);
}

static void on_usr(int sig)
{
    usr++;
}

static void on_alrm(int sig)
{
    alrm++;
}

static void handle(int sig, void (*fn)(int))
{
    struct sigaction sa;

    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = fn;
    sigemptyset(&sa.sa_mask);
    sigaction(sig, &sa, NULL);
}

/* Work around the fault, so that it sits in the middle of a block */
static uint64_t mix(uint64_t x, int i)
{
    return (x ^ (x >> 7)) * 0x9e3779b97f4a7c15ull + i;
}

static void deep(int depth, uint64_t x)
{
    if (depth == 0) {
        sink = x;
        if (jump) {
            longjmp(nested, 1);
        }
        return;
    }
    deep(depth - 1, mix(x, depth));
    sink ^= x;
}

int main(void)
{
#if defined(__x86_64__) || defined(__i386__)
    volatile int zero = 0;      /* a division the compiler cannot fold */
#endif
    volatile char *unmapped;    /* loads the compiler must make */
    uint64_t x = 1;
    struct sigaction sa;
    struct itimerval timer = { { 0, 2000 }, { 0, 2000 } };
    int i, j;

    page_size = sysconf(_SC_PAGESIZE);
    unmapped = mmap(NULL, page_size, PROT_NONE,
                    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    ro_page = mmap(NULL, page_size, PROT_READ,
                   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (unmapped == MAP_FAILED || ro_page == MAP_FAILED) {
        perror("mmap");
        return 1;
    }
    memset(&sa, 0, sizeof(sa));
    sa.sa_sigaction = on_segv;
    sa.sa_flags = SA_SIGINFO;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGSEGV, &sa, NULL);
    handle(SIGFPE, on_fpe);
    handle(SIGILL, on_trap);
    handle(SIGTRAP, on_trap);
    handle(SIGUSR1, on_usr);
    handle(SIGALRM, on_alrm);
    setitimer(ITIMER_REAL, &timer, NULL);

    for (i = 0; i < ROUNDS; i++) {
        x = mix(x, i);
        if (!sigsetjmp(recover, 1)) {
            x = mix(x, unmapped[i % 64]);
        }
        x = mix(x, i);
        ro_page[i % 64] = (char)x;
        mprotect(ro_page, page_size, PROT_READ);
        x = mix(x, ro_page[i % 64]);
#if defined(__x86_64__) || defined(__i386__)
        if (!sigsetjmp(recover, 1)) {
            x = mix(x, (int)x / zero);
        }
#endif
        x = mix(x, i);
        if (!sigsetjmp(recover, 1)) {
            x = mix(x, i);
            __builtin_trap();
        }
        x = mix(x, i);
        if (i % 2) {
            raise(SIGUSR1);
        } else {
            kill(getpid(), SIGUSR1);
        }
        if (!setjmp(nested)) {
            deep(10, x);
        }
        x = mix(x, sink);
        for (j = 0; j < 2000; j++) {
            x = mix(x, j);
        }
    }
    timer.it_value.tv_usec = timer.it_interval.tv_usec = 0;
    setitimer(ITIMER_REAL, &timer, NULL);
    /* The timer's signals depend on time: not part of the checksum */
    printf("faults: segv %d fpe %d trap %d usr %d alarm %s checksum "
           "%016llx\n", (int)segv, (int)fpe, (int)trap, (int)usr,
           alrm ? "yes" : "no", (unsigned long long)x);
    return 0;
}
