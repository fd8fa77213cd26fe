#
# qemu-instr tests: per-vCPU counters (scoreboards) under MTTCG against
# libinsn's, in the same run
#
# This work is licensed under the terms of the GNU GPL, version 2 or later.
# See the COPYING file in the top-level directory.
#
# SPDX-License-Identifier: GPL-2.0-or-later

"""qi_gen_vcpu_add_u64() counts exactly with vCPUs running in parallel."""

import os
import re
import shutil

from qemu_proc import PINNED_ENV as ENV, SystemGuest, load_reference
from qitest import run, expect, expect_eq
from test_discon import guest_image, wait_serial

THREADS = 4


def threads_program(env):
    """workload/threads.c (4 threads at once) for x86_64 linux-user."""
    path = env.tmp('threads-x86_64')
    if not os.path.exists(path):
        cc = 'x86_64-linux-gnu-gcc'
        if not shutil.which(cc):
            env.skip('%s is not installed (build-aux/install-deps '
                     'installs it)' % cc)
        run([cc, '-static', '-pthread', '-O2', '-Wall', '-Werror', '-o',
             path, os.path.join(env.tests, 'workload', 'threads.c')])
    return path


def counting_args(env, ours, log):
    """libinsn (inline: a per-vCPU scoreboard of its own, exact) logging
    to log, vcpucount writing to ours."""
    return ['-d', 'plugin', '-D', log,
            '-plugin', env.plugin('insn') + ',inline=on',
            '-instr', 'file=%s,arg=out=%s' % (env.lib('vcpucount'), ours)]


def read_counts(ours, log):
    """(ours, libinsn's): ({vcpu index: insns}, total) each, and the racy
    total of ours.  vCPUs that ran nothing are left out (libinsn lists
    every index below its vCPU count)."""
    with open(ours) as fobj:
        text = fobj.read()
    total = re.search(r'^total (\d+)\nracy (\d+)$', text, re.M)
    expect(total, 'lines "total N" and "racy N" from vcpucount', text)
    mine = {int(i): int(n) for i, n in
            re.findall(r'^vcpu (\d+) insns (\d+)$', text, re.M)}
    with open(log) as fobj:
        text = fobj.read()
    insn_total = re.search(r'^total insns: (\d+)$', text, re.M)
    expect(insn_total, 'a line "total insns: N" from libinsn', text)
    theirs = {int(i): int(n) for i, n in
              re.findall(r'^cpu (\d+) insns: (\d+)$', text, re.M)}
    return (({i: n for i, n in mine.items() if n}, int(total.group(1))),
            ({i: n for i, n in theirs.items() if n},
             int(insn_total.group(1))),
            int(total.group(2)))


def expect_counts(ours, log, vcpus, what):
    (mine, total), (theirs, insn_total), racy = read_counts(ours, log)
    expect_eq(insn_total, total, '%s: total, as libinsn counts it' % what)
    expect_eq(theirs, mine, '%s: instructions per vCPU index' % what)
    expect_eq(sum(mine.values()), total, '%s: the sum of the entries' % what)
    expect(len(mine) >= vcpus, '%s: at least %d vCPUs that ran code'
           % (what, vcpus), mine)
    # The shared counter's adds are not atomic: vCPUs running at once
    # lose some of each other's.  For the record only.
    print('    %s: %d instructions on %d vCPUs, libinsn %d; the racy '
          'counter %d (%+d)' % (what, total, len(mine), insn_total, racy,
                                racy - total))


def test_scoreboard_user_threads(env):
    """Four guest threads working at once under qemu-x86_64 (MTTCG, a
    vCPU each, plus the main thread's): the scoreboard's counts per
    vCPU and in total equal libinsn's."""
    env.require_mode('dynamic')
    env.require_event('guest_insn_before_trans')
    prog = threads_program(env)
    ours, log = env.tmp('threads.vcpucount'), env.tmp('threads.insn')
    proc = run([env.qemu_user()] + counting_args(env, ours, log) + [prog],
               env=ENV)
    want = ''.join('thread %d sum=' % i for i in range(THREADS))
    expect_eq(want, re.sub(r'[0-9a-f]{8}\n', '', proc.stdout),
              'a sum per thread')
    if os.uname().machine == 'x86_64':
        expect_eq(run([prog]).stdout, proc.stdout, 'the native sums')
    expect_counts(ours, log, THREADS + 1, '%d threads' % THREADS)


def test_scoreboard_system_smp(env):
    """guest/smp.S on -smp 4 with MTTCG: the four processors compute at
    once; the scoreboard's counts per vCPU and in total equal libinsn's,
    counted from reset to exit."""
    env.require_mode('dynamic')
    env.require_event('guest_insn_before_trans')
    ours, log = env.tmp('smp.vcpucount'), env.tmp('smp.insn')
    args = ['-accel', 'tcg,thread=multi'] + counting_args(env, ours, log)
    with SystemGuest(env.qemu_system(), args=args, smp=4,
                     bios=guest_image(env, 'smp')) as vm:
        wait_serial(vm, ' cpus\n')
        serial = vm.serial()
        vm.shutdown()
    ref = load_reference()
    want = ''.join('smp: cpu %d sum=%08x\n' % (i, ref.round_sum(i + 1))
                   for i in range(4))
    expect_eq('smp: start\n' + want + 'smp: done 4 cpus\n', serial,
              'the guest output')
    expect_counts(ours, log, 4, 'system, -smp 4')
