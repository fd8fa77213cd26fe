/*
 * qemu-instr test oracle: sum and xor of every value loaded and stored
 *
 * A TCG plugin (QEMU 10.0's API) with a memory callback on every access
 * of every instruction, loads and stores alike, that reads the value
 * with qemu_plugin_mem_get_value().  Upstream gives the value at the
 * access's size (u8 to u64, or u128 as two halves), so each is taken
 * zero-extended: a 16-byte value counts as its two 64-bit halves, both
 * added to the sum and both xored.  Prints at exit, through QEMU's log
 * (run it with -d plugin -D FILE):
 *
 *   memvalues: loads N sum 0xS xor 0xX stores N sum 0xS xor 0xX wide N
 *
 * where the sums are modulo 2^64 and wide counts the 16-byte accesses
 * (to show that a run had some).  The totals are plain globals: the
 * test runs single-threaded guest programs (one vCPU); a threaded one
 * would need them per vCPU (a scoreboard), summed at exit.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include <inttypes.h>
#include <stdio.h>
#include <glib.h>

#include <qemu-plugin.h>

QEMU_PLUGIN_EXPORT int qemu_plugin_version = QEMU_PLUGIN_VERSION;

typedef struct {
    uint64_t count;
    uint64_t sum;
    uint64_t xor;
} Totals;

static Totals loads, stores;
static uint64_t wide;           /* 16-byte accesses, for the record */

static void mem_cb(unsigned int cpu_index, qemu_plugin_meminfo_t info,
                   uint64_t vaddr, void *udata)
{
    qemu_plugin_mem_value value = qemu_plugin_mem_get_value(info);
    Totals *t = qemu_plugin_mem_is_store(info) ? &stores : &loads;
    uint64_t lo, hi = 0;

    switch (value.type) {
    case QEMU_PLUGIN_MEM_VALUE_U8:
        lo = value.data.u8;
        break;
    case QEMU_PLUGIN_MEM_VALUE_U16:
        lo = value.data.u16;
        break;
    case QEMU_PLUGIN_MEM_VALUE_U32:
        lo = value.data.u32;
        break;
    case QEMU_PLUGIN_MEM_VALUE_U64:
        lo = value.data.u64;
        break;
    case QEMU_PLUGIN_MEM_VALUE_U128:
        lo = value.data.u128.low;
        hi = value.data.u128.high;
        wide++;
        break;
    default:
        g_assert_not_reached();
    }
    t->count++;
    t->sum += lo + hi;
    t->xor ^= lo ^ hi;
}

static void tb_trans(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
    size_t n = qemu_plugin_tb_n_insns(tb);
    size_t i;

    for (i = 0; i < n; i++) {
        qemu_plugin_register_vcpu_mem_cb(qemu_plugin_tb_get_insn(tb, i),
                                         mem_cb, QEMU_PLUGIN_CB_NO_REGS,
                                         QEMU_PLUGIN_MEM_RW, NULL);
    }
}

static void at_exit(qemu_plugin_id_t id, void *data)
{
    g_autofree char *text = g_strdup_printf(
        "memvalues: loads %" PRIu64 " sum 0x%" PRIx64 " xor 0x%" PRIx64
        " stores %" PRIu64 " sum 0x%" PRIx64 " xor 0x%" PRIx64
        " wide %" PRIu64 "\n",
        loads.count, loads.sum, loads.xor,
        stores.count, stores.sum, stores.xor, wide);

    qemu_plugin_outs(text);
}

QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id,
                                           const qemu_info_t *info,
                                           int argc, char **argv)
{
    qemu_plugin_register_vcpu_tb_trans_cb(id, tb_trans);
    qemu_plugin_register_atexit_cb(id, at_exit, NULL);
    return 0;
}
