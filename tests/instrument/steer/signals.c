/*
 * qemu-instr test program: take one SIGSEGV and one SIGALRM
 * (tests/instrument/test_steer.py)
 *
 * poke() stores to a PROT_NONE page: its first instruction faults, and
 * the SIGSEGV handler leaves with siglongjmp.  A 10 ms one-shot timer
 * then raises SIGALRM, awaited with sigsuspend (no busy loop, no race
 * with pause()).  Prints the handlers' addresses (what guest_discon
 * must report as to_pc) and how many times each ran.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/time.h>

/* void poke(void *p): store to *p with the function's first instruction */
void poke(void *p);

#if defined(__x86_64__)
asm(".text\n"
    ".globl poke\n"
    ".type poke, @function\n"
    "poke:\n"
    "    movl $1, (%rdi)\n"
    "    ret\n"
    ".size poke, .-poke\n");
#elif defined(__aarch64__)
asm(".text\n"
    ".globl poke\n"
    ".type poke, %function\n"
    "poke:\n"
    "    str wzr, [x0]\n"
    "    ret\n"
    ".size poke, .-poke\n");
#else
#error "signals.c: x86_64 and aarch64 only"
#endif

static sigjmp_buf after_segv;
/* volatile sig_atomic_t: written by the handlers, read by main */
static volatile sig_atomic_t segv_ran, alrm_ran;

static void on_segv(int sig)
{
    segv_ran++;
    siglongjmp(after_segv, 1);
}

static void on_alrm(int sig)
{
    alrm_ran++;
}

int main(void)
{
    struct itimerval timer = { .it_value = { .tv_usec = 10000 } };
    struct sigaction sa;
    sigset_t block, old;
    void *page;

    page = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (page == MAP_FAILED) {
        perror("mmap");
        return 1;
    }
    memset(&sa, 0, sizeof(sa));
    sigemptyset(&sa.sa_mask);
    sa.sa_handler = on_segv;
    sigaction(SIGSEGV, &sa, NULL);
    sa.sa_handler = on_alrm;
    sigaction(SIGALRM, &sa, NULL);

    if (!sigsetjmp(after_segv, 1)) {
        poke(page);
    }

    sigemptyset(&block);
    sigaddset(&block, SIGALRM);
    sigprocmask(SIG_BLOCK, &block, &old);
    if (setitimer(ITIMER_REAL, &timer, NULL)) {
        perror("setitimer");
        return 1;
    }
    while (!alrm_ran) {
        sigsuspend(&old);
    }
    sigprocmask(SIG_SETMASK, &old, NULL);

    printf("segv_handler %p\nalrm_handler %p\npoke %p\nsegv %d alrm %d\n",
           (void *)(uintptr_t)on_segv, (void *)(uintptr_t)on_alrm,
           (void *)(uintptr_t)poke, (int)segv_ran, (int)alrm_ran);
    return 0;
}
