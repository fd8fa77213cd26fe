/*
 * qemu-instr test oracle: guest memory accesses, loads and stores apart
 *
 * A TCG plugin (QEMU's own API, independent of qemu-instr) counting what
 * tests/plugin/libmem.so counts with callback=on, split by direction.
 * It registers one callback for both directions and classifies with
 * qemu_plugin_mem_is_store(): QEMU 7.2 stops at the first callback whose
 * direction does not match an access made by a helper, so separate
 * per-direction callbacks would miss accesses.  An atomic
 * read-modify-write is one access, a store.  Prints "loads N stores N".
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include <inttypes.h>
#include <stdio.h>
#include <glib.h>

#include <qemu-plugin.h>

QEMU_PLUGIN_EXPORT int qemu_plugin_version = QEMU_PLUGIN_VERSION;

static uint64_t loads, stores;

static void vcpu_mem(unsigned int cpu_index, qemu_plugin_meminfo_t info,
                     uint64_t vaddr, void *udata)
{
    if (qemu_plugin_mem_is_store(info)) {
        __atomic_fetch_add(&stores, 1, __ATOMIC_RELAXED);
    } else {
        __atomic_fetch_add(&loads, 1, __ATOMIC_RELAXED);
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
    g_autofree char *out = g_strdup_printf("loads %" PRIu64 " stores %"
                                           PRIu64 "\n", loads, stores);

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
