/*
 * qemu-instr test library: callbacks of block-layer events, which I/O
 * threads, the main loop and the thread pool raise, recorded in a file
 * that outlives the library
 *
 * Argument: shm=FILE, a file of BLOCK_WORDS 64-bit words that this
 * library maps shared.  Each callback spins for a few microseconds, so
 * that an unload finds callbacks under way if it can.  A callback while
 * the library is not between qi_init() and its fini counts as late, a
 * fini while a callback runs as a race; the fini unmaps the file, so a
 * callback after it would also crash QEMU.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include <qemu-instr/qemu-instr.h>

enum {
    BLOCK_LOADS,        /* qi_init() calls */
    BLOCK_FINIS,        /* fini calls */
    BLOCK_ACTIVE,       /* 1 between qi_init() and fini */
    BLOCK_CALLS,        /* callbacks */
    BLOCK_LATE,         /* callbacks while not active */
    BLOCK_INSIDE,       /* callbacks running now */
    BLOCK_RACES,        /* finis while a callback ran */
    BLOCK_WORDS
};

static uint64_t *shm;

static void hit(void)
{
    struct timespec t0, t;

    __atomic_fetch_add(&shm[BLOCK_INSIDE], 1, __ATOMIC_SEQ_CST);
    if (!__atomic_load_n(&shm[BLOCK_ACTIVE], __ATOMIC_ACQUIRE)) {
        __atomic_fetch_add(&shm[BLOCK_LATE], 1, __ATOMIC_RELAXED);
    }
    __atomic_fetch_add(&shm[BLOCK_CALLS], 1, __ATOMIC_RELAXED);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    do {
        clock_gettime(CLOCK_MONOTONIC, &t);
    } while ((t.tv_sec - t0.tv_sec) * 1000000000L +
             (t.tv_nsec - t0.tv_nsec) < 5000);
    __atomic_fetch_sub(&shm[BLOCK_INSIDE], 1, __ATOMIC_SEQ_CST);
}

static void on_rw(void *bs, int64_t offset, int64_t bytes, unsigned int flags)
{
    hit();
}

static void on_submit(void *pool, void *req, void *opaque)
{
    hit();
}

static void on_complete(void *pool, void *req, void *opaque, int ret)
{
    hit();
}

static void fini(void *data)
{
    __atomic_store_n(&shm[BLOCK_ACTIVE], 0, __ATOMIC_SEQ_CST);
    if (__atomic_load_n(&shm[BLOCK_INSIDE], __ATOMIC_SEQ_CST)) {
        __atomic_fetch_add(&shm[BLOCK_RACES], 1, __ATOMIC_RELAXED);
    }
    __atomic_fetch_add(&shm[BLOCK_FINIS], 1, __ATOMIC_RELAXED);
    munmap(shm, BLOCK_WORDS * sizeof(uint64_t));
    shm = NULL;
}

static bool set(const char *name, void *cb)
{
    return qi_ctrl_event_set(qi_ctrl_event_name(name), cb);
}

int qi_init(int argc, const char **argv)
{
    int fd;

    if (argc != 1 || strncmp(argv[0], "shm=", 4) != 0) {
        return 1;
    }
    fd = open(argv[0] + 4, O_RDWR);
    if (fd < 0) {
        return 2;
    }
    shm = mmap(NULL, BLOCK_WORDS * sizeof(uint64_t), PROT_READ | PROT_WRITE,
               MAP_SHARED, fd, 0);
    close(fd);
    if (shm == MAP_FAILED) {
        return 3;
    }
    __atomic_fetch_add(&shm[BLOCK_LOADS], 1, __ATOMIC_RELAXED);
    __atomic_store_n(&shm[BLOCK_ACTIVE], 1, __ATOMIC_SEQ_CST);
    qi_set_fini(fini, NULL);
    return !(set("bdrv_co_preadv_part", (void *)on_rw) &&
             set("bdrv_co_pwritev_part", (void *)on_rw) &&
             set("thread_pool_submit_aio", (void *)on_submit) &&
             set("thread_pool_complete_aio", (void *)on_complete)) * 4;
}
