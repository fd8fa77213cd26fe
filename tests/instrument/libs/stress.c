/*
 * qemu-instr test library: callbacks at translation and execution time
 * whose every call is recorded in a file that outlives the library
 *
 * Arguments: shm=FILE, a file of STRESS_WORDS 64-bit words that this
 * library maps shared (the test reads it while QEMU runs), and optionally
 * unload-after=N: call qi_unload_self() from the Nth execution callback,
 * or unload-now: call it from qi_init().
 * A callback that runs while the library is not between qi_init() and its
 * fini counts as late.  The fini unmaps the file, so a callback after the
 * unload would also crash QEMU.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <qemu-instr/qemu-instr.h>

enum {
    STRESS_LOADS,       /* qi_init() calls */
    STRESS_FINIS,       /* fini calls */
    STRESS_ACTIVE,      /* 1 between qi_init() and fini */
    STRESS_TRANS,       /* translation-time callbacks */
    STRESS_EXEC,        /* execution-time callbacks */
    STRESS_INLINE,      /* blocks counted by inline code, added at fini */
    STRESS_LATE,        /* callbacks while not active */
    STRESS_SELF,        /* qi_unload_self() calls that returned true */
    STRESS_WORDS
};

static uint64_t *shm;
static uint64_t inline_blocks;
static uint64_t unload_after;

static void count(int word)
{
    if (!__atomic_load_n(&shm[STRESS_ACTIVE], __ATOMIC_ACQUIRE)) {
        __atomic_fetch_add(&shm[STRESS_LATE], 1, __ATOMIC_RELAXED);
    }
    __atomic_fetch_add(&shm[word], 1, __ATOMIC_RELAXED);
}

static void tb_exec(QICPU vcpu, uint64_t pc)
{
    count(STRESS_EXEC);
    if (unload_after && shm[STRESS_EXEC] >= unload_after &&
        __atomic_exchange_n(&unload_after, 0, __ATOMIC_RELAXED) &&
        qi_unload_self()) {
        __atomic_fetch_add(&shm[STRESS_SELF], 1, __ATOMIC_RELAXED);
    }
}

static void tb_trans(QICPU vcpu, QITCGv_cpu vcpu_exec, uint64_t pc,
                     uint32_t n_insns, uint32_t size)
{
    count(STRESS_TRANS);
    qi_event_gen_guest_tb_before_exec(vcpu_exec, pc);
    qi_gen_add_u64(vcpu_exec, &inline_blocks, 1);
}

static void fini(void *data)
{
    __atomic_fetch_add(&shm[STRESS_INLINE], inline_blocks, __ATOMIC_RELAXED);
    __atomic_fetch_add(&shm[STRESS_FINIS], 1, __ATOMIC_RELAXED);
    __atomic_store_n(&shm[STRESS_ACTIVE], 0, __ATOMIC_RELEASE);
    munmap(shm, STRESS_WORDS * sizeof(uint64_t));
    shm = NULL;
}

int qi_init(int argc, const char **argv)
{
    const char *path = NULL;
    bool now = false;
    int fd, i;

    for (i = 0; i < argc; i++) {
        if (strncmp(argv[i], "shm=", 4) == 0) {
            path = argv[i] + 4;
        } else if (strncmp(argv[i], "unload-after=", 13) == 0) {
            unload_after = strtoull(argv[i] + 13, NULL, 0);
        } else if (strcmp(argv[i], "unload-now") == 0) {
            now = true;
        } else {
            return 1;
        }
    }
    fd = path ? open(path, O_RDWR) : -1;
    if (fd < 0) {
        return 2;
    }
    shm = mmap(NULL, STRESS_WORDS * sizeof(uint64_t), PROT_READ | PROT_WRITE,
               MAP_SHARED, fd, 0);
    close(fd);
    if (shm == MAP_FAILED) {
        return 3;
    }
    __atomic_fetch_add(&shm[STRESS_LOADS], 1, __ATOMIC_RELAXED);
    __atomic_store_n(&shm[STRESS_ACTIVE], 1, __ATOMIC_RELEASE);
    qi_set_fini(fini, NULL);
    if (!(qi_event_set_guest_tb_before_trans(tb_trans) &&
          qi_event_set_guest_tb_before_exec(tb_exec))) {
        return 4;
    }
    if (now && qi_unload_self()) {
        shm[STRESS_SELF]++;
    }
    return 0;
}
