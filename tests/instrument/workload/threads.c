/*
 * qemu-instr test workload: four guest threads working at once
 *
 * Each thread fills a buffer of its own with a linear congruential
 * sequence seeded by its number, stirs it and hashes it (FNV-1a), a
 * few rounds, while the others do the same: under qemu-x86_64 each
 * thread is a vCPU, and with MTTCG they run in parallel on the host,
 * so a counter that translated code adds to without atomics loses
 * counts where a per-vCPU one does not.  The threads share nothing but
 * their start: they wait on a barrier, so that all four run together.
 * Prints one line per thread, "thread I sum=XXXXXXXX", in order.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>

#define THREADS 4
#define WORDS 16384
#define ROUNDS 16

static pthread_barrier_t start;
static uint32_t sums[THREADS];

static uint32_t compute(uint32_t *buf, uint32_t seed)
{
    uint32_t x = seed, h = 0x811c9dc5u;
    const uint8_t *p = (const uint8_t *)buf;
    size_t i;

    for (i = 0; i < WORDS; i++) {
        x = x * 1664525u + 1013904223u;
        buf[i] = x;
    }
    for (i = 0; i < WORDS; i++) {
        uint32_t j = buf[i] >> 18, y = buf[j];

        buf[j] = ((y << 5) | (y >> 27)) ^ buf[i];
    }
    for (i = 0; i < WORDS * sizeof(*buf); i++) {
        h = (h ^ p[i]) * 16777619u;
    }
    return h;
}

static void *thread_main(void *arg)
{
    static uint32_t bufs[THREADS][WORDS];
    uintptr_t n = (uintptr_t)arg;
    uint32_t sum = 0;
    int r;

    pthread_barrier_wait(&start);
    for (r = 0; r < ROUNDS; r++) {
        sum += compute(bufs[n], n + r + 1);
    }
    sums[n] = sum;
    return NULL;
}

int main(void)
{
    pthread_t threads[THREADS];
    uintptr_t i;

    pthread_barrier_init(&start, NULL, THREADS);
    for (i = 0; i < THREADS; i++) {
        if (pthread_create(&threads[i], NULL, thread_main, (void *)i)) {
            perror("pthread_create");
            return 1;
        }
    }
    for (i = 0; i < THREADS; i++) {
        pthread_join(threads[i], NULL);
    }
    for (i = 0; i < THREADS; i++) {
        printf("thread %u sum=%08x\n", (unsigned)i, (unsigned)sums[i]);
    }
    return 0;
}
