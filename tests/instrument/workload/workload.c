/*
 * qemu-instr test workload: deterministic work for any linux-user target
 *
 * Built statically with the host compiler and with Debian's cross
 * compilers (gcc-aarch64-linux-gnu), so the counting tests run the same
 * program on each target.  Exercises what the memory event must see:
 * plain loads and stores of every size, signed loads, libc's string
 * and memory functions (vector code on most targets), atomic
 * read-modify-writes and compare-and-swap, and system calls.
 * Prints one checksum line.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define N 20000

static uint32_t crc_table[256];

static void crc_init(void)
{
    uint32_t i, j, c;

    for (i = 0; i < 256; i++) {
        for (c = i, j = 0; j < 8; j++) {
            c = c & 1 ? 0xedb88320u ^ (c >> 1) : c >> 1;
        }
        crc_table[i] = c;
    }
}

static uint32_t crc32(const uint8_t *p, size_t n)
{
    uint32_t c = 0xffffffffu;

    while (n--) {
        c = crc_table[(c ^ *p++) & 0xff] ^ (c >> 8);
    }
    return c ^ 0xffffffffu;
}

static int cmp_i32(const void *a, const void *b)
{
    int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;

    return (x > y) - (x < y);
}

int main(void)
{
    static int32_t v[N];
    static int16_t h[N];
    static int8_t b[N];
    static char text[N * 8];
    uint64_t sum = 0, counter = 0, expected;
    uint32_t seed = 12345;
    size_t len = 0;
    char *copy;
    int i;

    crc_init();
    for (i = 0; i < N; i++) {
        seed = seed * 1103515245u + 12345u;
        v[i] = (int32_t)seed;
        h[i] = (int16_t)(seed >> 7);
        b[i] = (int8_t)(seed >> 13);
    }
    qsort(v, N, sizeof(v[0]), cmp_i32);
    for (i = 0; i < N; i++) {
        sum += (uint64_t)(v[i] ^ h[i] ^ b[i]);
        len += snprintf(text + len, sizeof(text) - len, "%d,",
                        h[i] + b[i]);
    }
    copy = malloc(len + 1);
    memcpy(copy, text, len + 1);
    memset(text, 0, sizeof(text));
    sum += strlen(copy) + (strchr(copy, '9') - copy);
    sum += crc32((const uint8_t *)copy, len);
    free(copy);

    for (i = 0; i < N; i++) {
        __atomic_fetch_add(&counter, (uint64_t)i, __ATOMIC_SEQ_CST);
        expected = counter;
        __atomic_compare_exchange_n(&counter, &expected, expected ^ 1, 0,
                                    __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
    }
    sum += counter;
    printf("workload %016llx\n", (unsigned long long)sum);
    return 0;
}
