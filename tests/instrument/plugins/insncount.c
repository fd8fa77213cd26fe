/*
 * qemu-instr benchmark: counting instructions with the cheapest plugin
 * callback
 *
 * A callback per instruction that adds one to the vCPU's slot of a
 * scoreboard, registered with QEMU_PLUGIN_CB_NO_REGS: the least a TCG
 * plugin can do per call, and less than tests/tcg/plugins/libinsn.so
 * does.  Prints "insns: N", as libinsn does.  With noop=on the callback
 * does nothing at all (and it counts nothing): what a call from
 * translated code costs a plugin, for the per-call table of make bench.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include <inttypes.h>
#include <stdio.h>
#include <glib.h>

#include <qemu-plugin.h>

QEMU_PLUGIN_EXPORT int qemu_plugin_version = QEMU_PLUGIN_VERSION;

static struct qemu_plugin_scoreboard *counts;
static qemu_plugin_u64 insns;

static bool noop;

static void insn_exec(unsigned int cpu_index, void *udata)
{
    qemu_plugin_u64_add(insns, cpu_index, 1);
}

static void insn_noop(unsigned int cpu_index, void *udata)
{
}

static void tb_trans(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
    size_t n = qemu_plugin_tb_n_insns(tb);
    size_t i;

    for (i = 0; i < n; i++) {
        qemu_plugin_register_vcpu_insn_exec_cb(qemu_plugin_tb_get_insn(tb, i),
                                               noop ? insn_noop : insn_exec,
                                               QEMU_PLUGIN_CB_NO_REGS, NULL);
    }
}

static void at_exit(qemu_plugin_id_t id, void *data)
{
    g_autofree char *text = g_strdup_printf("insns: %" PRIu64 "\n",
                                            qemu_plugin_u64_sum(insns));

    qemu_plugin_outs(text);
    qemu_plugin_scoreboard_free(counts);
}

QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id,
                                           const qemu_info_t *info,
                                           int argc, char **argv)
{
    noop = argc == 1 && g_strcmp0(argv[0], "noop=on") == 0;
    if (argc > (noop ? 1 : 0)) {
        fprintf(stderr, "insncount: the only argument is noop=on\n");
        return -1;
    }
    counts = qemu_plugin_scoreboard_new(sizeof(uint64_t));
    insns = qemu_plugin_scoreboard_u64(counts);
    qemu_plugin_register_vcpu_tb_trans_cb(id, tb_trans);
    qemu_plugin_register_atexit_cb(id, at_exit, NULL);
    return 0;
}
