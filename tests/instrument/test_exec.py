#
# qemu-instr tests: guest execution events against QEMU's TCG plugins
#
# This work is licensed under the terms of the GNU GPL, version 2 or later.
# See the COPYING file in the top-level directory.
#
# SPDX-License-Identifier: GPL-2.0-or-later

"""Instruction and block counts equal libinsn's and libbb's, same run."""

import os
import re
import subprocess

from qemu_proc import SystemGuest
from qitest import run, expect, expect_eq

# Pinned environment: same program, same execution (DESIGN section 7)
ENV = {'PATH': '/usr/bin:/bin', 'LANG': 'C', 'PYTHONHASHSEED': '0',
       'PERL_HASH_SEED': '0', 'PERL_PERTURB_KEYS': '0'}

PROGRAMS = [
    ('gzip', ['/bin/gzip', '-9', '-c', '{input}']),
    ('python3', ['/usr/bin/python3', '-S', '-c',
                 'print(sum(i * i for i in range(20000)))']),
    ('perl', ['/usr/bin/perl', '-e',
              'my %h; $h{$_ % 97} += $_ for 1..20000; print scalar(keys %h)']),
]


def oracle_args(env, log, build=None):
    """QEMU options: libinsn, libbb, libmem and memsplit (loads and
    stores apart) of build (default: the one under test) logging to log."""
    return ['-d', 'plugin', '-D', log,
            '-plugin', env.plugin('insn', build) + ',inline=on',
            '-plugin', env.plugin('bb', build) + ',inline=on',
            '-plugin', env.plugin('mem', build) + ',callback=on',
            '-plugin', env.test_plugin('memsplit')]


def counting_args(env, ours, log):
    """QEMU options: icount writing to ours, the oracles to log."""
    return oracle_args(env, log) + [
        '-instr', 'file=%s,arg=out=%s' % (env.lib('icount'), ours)]


KINDS = ('insns', 'blocks', 'loads', 'stores', 'accesses')


def parse_counts(text):
    """{kind: count} from "insns N blocks N loads N stores N" in text."""
    m = re.search(r'insns (\d+) blocks (\d+) loads (\d+) stores (\d+)',
                  text)
    expect(m, 'counts "insns N blocks N loads N stores N"', text)
    got = dict(zip(KINDS, [int(x) for x in m.groups()]))
    got['accesses'] = got['loads'] + got['stores']
    return got


def read_oracles(log):
    """{kind: count} of the oracles of oracle_args()."""
    with open(log) as fobj:
        text = fobj.read()
    insn = re.search(r'^insns: (\d+)$', text, re.M)
    bb = re.search(r"^bb's: (\d+), insns: (\d+)$", text, re.M)
    mem = re.search(r'^callback mem accesses: (\d+)$', text, re.M)
    split = re.search(r'^loads (\d+) stores (\d+)$', text, re.M)
    expect(insn and bb and mem and split,
           'counts from libinsn, libbb, libmem and memsplit', text)
    return dict(zip(KINDS, [int(insn.group(1)), int(bb.group(1)),
                            int(split.group(1)), int(split.group(2)),
                            int(mem.group(1))]))


def read_counts(ours, log):
    """({kind: count} of icount, {kind: count} of the oracles) from the
    files of counting_args()."""
    with open(ours) as fobj:
        return parse_counts(fobj.read()), read_oracles(log)


def expect_counts(got, want, what):
    for kind in KINDS:
        expect_eq(want[kind], got[kind], '%s: %s' % (what, kind))


def counts(env, argv, name):
    """Counts of icount and of the oracles for one run of argv."""
    ours, log = env.tmp(name + '.icount'), env.tmp(name + '.plugins')
    run([env.qemu_user()] + counting_args(env, ours, log) + argv, env=ENV,
        stdout=subprocess.DEVNULL)
    return read_counts(ours, log)


def test_user_counts(env):
    """gzip, python3, perl: executed instructions as libinsn (inline)
    counts them, executed blocks as libbb (inline), memory accesses as
    libmem (callback), loads and stores as memsplit."""
    env.require_mode('dynamic')
    if not env.instrumented('guest_mem_before_exec'):
        env.skip('no guest execution events in this build')
    inp = env.tmp('exec-input.txt')
    with open(inp, 'w') as fobj:
        fobj.write(''.join('line %d %s\n' % (i, 'xyz' * (i % 9))
                           for i in range(20000)))
    for name, argv in PROGRAMS:
        if not os.path.exists(argv[0]):
            continue
        got, want = counts(env, [a.replace('{input}', inp) for a in argv],
                           name)
        expect_counts(got, want, name)


def test_unload_with_exec_calls(env):
    """Unloading a library whose calls are in translated code: the guest
    runs on, its result intact; loading it again counts again."""
    env.require_mode('dynamic')
    if not env.instrumented('guest_mem_before_exec'):
        env.skip('no guest execution events in this build')
    with SystemGuest(env.qemu_system(), bios=env.guest_bin()) as vm:
        vm.wait_rounds(2)
        for i in range(2):
            out = env.tmp('sys-icount-%d.txt' % i)
            libid = vm.qmp.cmd('instr-load', path=env.lib('icount'),
                               args=['out=' + out])['id']
            n = len(vm.rounds())
            vm.wait_rounds(n + 2)
            vm.qmp.cmd('instr-unload', id=libid)
            with open(out) as fobj:
                m = re.match(r'insns (\d+) blocks (\d+) ', fobj.read())
            expect(m and int(m.group(1)) > 100000 and
                   int(m.group(1)) > int(m.group(2)) > 1000,
                   'many instructions and blocks counted',
                   m.group(0) if m else 'nothing')
        n = len(vm.rounds())
        vm.wait_rounds(n + 3)
        vm.check_rounds()


def test_system_counts_mttcg(env):
    """A system guest on four vCPU threads (MTTCG): instructions and
    blocks equal libinsn's and libbb's, counted from start to exit."""
    env.require_mode('dynamic')
    if not env.instrumented('guest_mem_before_exec'):
        env.skip('no guest execution events in this build')
    ours, log = env.tmp('mttcg.icount'), env.tmp('mttcg.plugins')
    with SystemGuest(env.qemu_system(), args=counting_args(env, ours, log),
                     smp=4, bios=env.guest_bin()) as vm:
        vm.wait_rounds(2)
        vm.check_rounds()
        vm.shutdown()
    got, want = read_counts(ours, log)
    expect_counts(got, want, 'system, -smp 4')


def test_state_memory_and_index(env):
    """qemu-instr/state.h: reading each translated instruction back from
    guest memory gives the event's bytes; unmapped addresses and NULL
    vCPUs fail cleanly; the only vCPU has index 0."""
    env.require_mode('dynamic')
    if not env.instrumented('guest_mem_before_exec'):
        env.skip('no guest execution events in this build')
    out = env.tmp('state.txt')
    run([env.qemu_user(), '-instr',
         'file=%s,arg=out=%s' % (env.lib('state'), out), '/bin/true'],
        env=ENV)
    with open(out) as fobj:
        m = re.match(r'checked (\d+) mismatches (\d+) unmapped (\d+) '
                     r'index (\d+)$', fobj.read().strip())
    expect(m and int(m.group(1)) > 1000, 'many instructions checked',
           m.group(0) if m else 'nothing')
    expect_eq(('0', '1', '0'), m.group(2, 3, 4),
              '(mismatches, unmapped reads refused, bad indexes)')
