/*
 * qemu-instr benchmark: a full memory trace as a TCG plugin does it
 *
 * Every access (vCPU, address, info) is delivered to a callback that
 * appends it to a buffer; a full buffer is consumed (folded into a
 * checksum, standing for writing it out).  The qemu-instr side of the
 * benchmark does the same work per access.  Prints "accesses N sum X".
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include <inttypes.h>
#include <stdio.h>
#include <glib.h>

#include <qemu-plugin.h>

QEMU_PLUGIN_EXPORT int qemu_plugin_version = QEMU_PLUGIN_VERSION;

#define ENTRIES 4096

typedef struct Entry {
    uint64_t vaddr;
    uint32_t info;
    uint32_t vcpu;
} Entry;

static __thread Entry buf[ENTRIES];
static __thread unsigned int used;
static uint64_t total, sum;

static void consume(void)
{
    uint64_t s = 0;
    unsigned int i;

    for (i = 0; i < used; i++) {
        s += buf[i].vaddr ^ buf[i].info ^ buf[i].vcpu;
    }
    __atomic_fetch_add(&sum, s, __ATOMIC_RELAXED);
    __atomic_fetch_add(&total, used, __ATOMIC_RELAXED);
    used = 0;
}

static void vcpu_mem(unsigned int cpu_index, qemu_plugin_meminfo_t info,
                     uint64_t vaddr, void *udata)
{
    buf[used].vaddr = vaddr;
    buf[used].info = info;
    buf[used].vcpu = cpu_index;
    if (++used == ENTRIES) {
        consume();
    }
}

static void vcpu_tb_trans(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
    size_t i;

    for (i = 0; i < qemu_plugin_tb_n_insns(tb); i++) {
        qemu_plugin_register_vcpu_mem_cb(qemu_plugin_tb_get_insn(tb, i),
                                         vcpu_mem, QEMU_PLUGIN_CB_NO_REGS,
                                         QEMU_PLUGIN_MEM_RW, NULL);
    }
}

static void plugin_exit(qemu_plugin_id_t id, void *p)
{
    g_autofree char *out = NULL;

    consume();
    out = g_strdup_printf("accesses %" PRIu64 " sum %" PRIx64 "\n", total,
                          sum);
    qemu_plugin_outs(out);
}

QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id,
                                           const qemu_info_t *info,
                                           int argc, char **argv)
{
    qemu_plugin_register_vcpu_tb_trans_cb(id, vcpu_tb_trans);
    qemu_plugin_register_atexit_cb(id, plugin_exit, NULL);
    return 0;
}
