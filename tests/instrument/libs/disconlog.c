/*
 * qemu-instr test library: log every discontinuity (guest_discon)
 *
 * Arguments: out=FILE (required), where each guest_discon event writes
 * a line "discon VCPU KIND NUM FROM TO" (vCPU index and kind in
 * decimal, the number and both guest addresses in hex), in the order
 * the events come; qi_fini() then writes "total N".
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <qemu-instr/qemu-instr.h>

static FILE *out;
static uint64_t total;

static void on_discon(QICPU vcpu, uint32_t kind, uint64_t num,
                      uint64_t from_pc, uint64_t to_pc)
{
    /* One fprintf per event: stdio locks the stream, lines stay whole */
    fprintf(out, "discon %d %" PRIu32 " %" PRIx64 " %" PRIx64 " %" PRIx64
            "\n", qi_vcpu_index(vcpu), kind, num, from_pc, to_pc);
    __atomic_fetch_add(&total, 1, __ATOMIC_RELAXED);
}

void qi_fini(void)
{
    fprintf(out, "total %" PRIu64 "\n", total);
    fclose(out);
}

int qi_init(int argc, const char **argv)
{
    if (argc != 1 || strncmp(argv[0], "out=", 4) != 0) {
        fprintf(stderr, "disconlog: usage: arg=out=FILE\n");
        return 1;
    }
    out = fopen(argv[0] + 4, "w");
    if (!out) {
        perror(argv[0] + 4);
        return 1;
    }
    if (!qi_event_set_guest_discon(on_discon)) {
        fclose(out);
        return 1;
    }
    return 0;
}
