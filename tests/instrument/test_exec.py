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
import shutil
import subprocess

from qemu_proc import PINNED_ENV as ENV, SystemGuest
from qitest import Skip, run, expect, expect_eq

PROGRAMS = [
    ('gzip', ['/bin/gzip', '-9', '-c', '{input}']),
    ('python3', ['/usr/bin/python3', '-S', '-c',
                 'print(sum(i * i for i in range(20000)))']),
    ('perl', ['/usr/bin/perl', '-e',
              'my %h; $h{$_ % 97} += $_ for 1..20000; print scalar(keys %h)']),
]


def mem_plugin(env, build, track):
    """libmem.so of build, copied to a file of its own for track= (r or
    w): a plugin loaded twice from one file shares one set of globals."""
    key = ('libmem', build or env.build, track)
    if key not in env._libs:
        path = env.tmp('libmem-%s-%d.so' % (track, len(env._libs)))
        shutil.copyfile(env.plugin('mem', build), path)
        env._libs[key] = path
    return env._libs[key]


def oracle_args(env, log, build=None):
    """QEMU options: libinsn, libbb and libmem (all accesses, loads only,
    stores only) of build (default: the one under test) logging to log.

    QEMU 7.2's track= filter was wrong (track=r counted only the stores),
    so a plugin of ours (memsplit.c) used to split the accesses; QEMU
    10.0's is right (gzip of test_user_counts: track=r 22268541 +
    track=w 4839724 = 27108265, what track=rw counts, in one run), so
    libmem's own filter splits them now."""
    return ['-d', 'plugin', '-D', log,
            '-plugin', env.plugin('insn', build) + ',inline=on',
            '-plugin', env.plugin('bb', build) + ',inline=on',
            '-plugin', env.plugin('mem', build) + ',callback=on',
            '-plugin', mem_plugin(env, build, 'r') + ',callback=on,track=r',
            '-plugin', mem_plugin(env, build, 'w') + ',callback=on,track=w']


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
    insn = re.search(r'^total insns: (\d+)$', text, re.M)
    bb = re.search(r"^Total: bb's: (\d+), insns: (\d+)$", text, re.M)
    # The three libmem lines say the same "mem accesses: N": QEMU runs
    # the plugins' exit callbacks last loaded first (plugins/core.c adds
    # each at the head of the list), so stores, loads, then all accesses
    mem = re.findall(r'^mem accesses: (\d+)$', text, re.M)
    expect(insn and bb and len(mem) == 3,
           'counts from libinsn, libbb and three libmem', text)
    stores, loads, accesses = [int(n) for n in mem]
    expect_eq(accesses, loads + stores,
              'libmem: loads (track=r) + stores (track=w) = accesses')
    return dict(zip(KINDS, [int(insn.group(1)), int(bb.group(1)),
                            loads, stores, accesses]))


def read_counts(ours, log):
    """({kind: count} of icount, {kind: count} of the oracles) from the
    files of counting_args()."""
    with open(ours) as fobj:
        return parse_counts(fobj.read()), read_oracles(log)


def expect_counts(got, want, what):
    for kind in KINDS:
        expect_eq(want[kind], got[kind], '%s: %s' % (what, kind))
    # For the record: the counts each run agreed on
    print('    %s: %s' % (what, ' '.join('%s %d' % (k, got[k])
                                          for k in KINDS)))


def counts(env, argv, name):
    """Counts of icount and of the oracles for one run of argv."""
    ours, log = env.tmp(name + '.icount'), env.tmp(name + '.plugins')
    run([env.qemu_user()] + counting_args(env, ours, log) + argv, env=ENV,
        stdout=subprocess.DEVNULL)
    return read_counts(ours, log)


# The C compiler proper, compiling a generated source file
CC1 = '/usr/lib/gcc/x86_64-linux-gnu/12/cc1'


def cc1_input(env):
    path = env.tmp('cc1-input.c')
    with open(path, 'w') as fobj:
        for i in range(20):
            fobj.write('struct s%d { int a[%d]; long b; };\n'
                       'long f%d(struct s%d *p, int n)\n'
                       '{\n    long t = p->b;\n'
                       '    for (int i = 0; i < n && i < %d; i++) {\n'
                       '        t = t * %d + p->a[i] / (i + 1);\n    }\n'
                       '    return t;\n}\n' % (i, i + 2, i, i, i + 2,
                                                 i + 3))
    return path


def test_user_counts(env):
    """gzip, python3, perl, cc1 (GCC's compiler proper) and a static
    workload: executed instructions as libinsn (inline) counts them,
    executed blocks as libbb (inline), memory accesses as libmem
    (callback), loads and stores as libmem with track=r and track=w."""
    env.require_mode('dynamic')
    if not env.instrumented('guest_mem_before_exec'):
        env.skip('no guest execution events in this build')
    inp = env.tmp('exec-input.txt')
    with open(inp, 'w') as fobj:
        fobj.write(''.join('line %d %s\n' % (i, 'xyz' * (i % 9))
                           for i in range(20000)))
    programs = PROGRAMS + [
        ('cc1', [CC1, '-quiet', '-O2', cc1_input(env), '-o',
                 env.tmp('cc1-output.s')]),
        ('workload', [env.workload('x86_64')])]
    for name, argv in programs:
        if not os.path.exists(argv[0]):
            continue
        got, want = counts(env, [a.replace('{input}', inp) for a in argv],
                           name)
        expect_counts(got, want, name)


def test_user_counts_aarch64(env):
    """The static workload built with gcc-aarch64-linux-gnu, under
    qemu-aarch64: the same counts as the oracles."""
    env.require_mode('dynamic')
    qemu = env.qemu_user('aarch64')
    ours, log = env.tmp('aarch64.icount'), env.tmp('aarch64.plugins')
    proc = run([qemu] + counting_args(env, ours, log) +
               [env.workload('aarch64')], env=ENV)
    native = run([env.workload('x86_64')]) if os.uname().machine == \
        'x86_64' else None
    if native:
        expect_eq(native.stdout, proc.stdout, 'the same checksum as x86_64')
    got, want = read_counts(ours, log)
    expect_counts(got, want, 'aarch64 workload')


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


def test_direct_callback_switch(env):
    """A callback that translated code calls itself (QI_REGS_NONE, API 4)
    replaced by another from inside it: every instruction reaches one of
    them, as libinsn counts them, and the first runs at most until its
    block ends (TCG's largest block is 512 instructions)."""
    env.require_mode('dynamic')
    env.require_event('guest_insn_before_exec')
    ours, log = env.tmp('switchcb.txt'), env.tmp('switchcb.plugins')
    run([env.qemu_user()] + oracle_args(env, log) +
        ['-instr', 'file=%s,arg=out=%s,arg=switch=100000' %
         (env.lib('switchcb'), ours), env.workload('x86_64')], env=ENV,
        stdout=subprocess.DEVNULL)
    with open(ours) as fobj:
        m = re.match(r'first (\d+) second (\d+) late (\d+)$', fobj.read())
    expect(m, '"first N second N late N"', ours)
    first, second, late = [int(x) for x in m.groups()]
    want = read_oracles(log)['insns']
    expect_eq(100000, first, 'calls of the first callback before the switch')
    expect_eq(want, first + second + late,
              'instructions: both callbacks together, and libinsn')
    expect(second > 0 and late < 512, 'the second callback takes over '
           'within a block', (first, second, late))
    print('    first %d, late %d, second %d' % (first, late, second))


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


def read_state(path):
    """{name: value} of the state library's output."""
    with open(path) as fobj:
        pairs = [line.split(' ', 1) for line in fobj.read().splitlines()]
    return {k: int(v) if v.isdigit() else v for k, v in pairs}


def expect_state(got, what, sysreg=True):
    expect(got['checked'] > 100, '%s: many instructions checked' % what,
           got)
    zero = ['mismatches', 'phys_mismatches', 'api_bad', 'bad_index',
            'disas_empty', 'disas_sys_bad', 'sysreg_bad']
    expect_eq([0] * len(zero), [got[k] for k in zero],
              '%s: no failure in %s' % (what, zero))
    expect_eq(1, got['api_ok'], '%s: error returns' % what)
    if sysreg:
        expect(got['disas_sys'] > 0 and got['sysreg_ok'] > 5,
               '%s: system calls disassembled, their number read from a '
               'register before they run' % what, got)


USER_STATE_ARGS = {
    'x86_64': ['pcreg=rip', 'sysreg=rax', 'sysbytes=0f05',
               'sysname=syscall'],
    'aarch64': ['pcreg=pc', 'sysreg=x8', 'sysbytes=010000d4',
                'sysname=svc'],
}


def test_state_user(env):
    """qemu-instr/state.h in user mode, x86_64 and aarch64: instructions
    read back from memory, disassembled; system call numbers read from a
    register at execution time; every error path."""
    env.require_mode('dynamic')
    if not env.instrumented('guest_insn_before_exec'):
        env.skip('no guest execution events in this build')
    for arch, args in USER_STATE_ARGS.items():
        out = env.tmp('state-%s.txt' % arch)
        try:
            qemu = env.qemu_user(arch)
            prog = env.workload(arch)
        except Skip:
            if arch == 'x86_64':
                raise
            continue  # test_user_counts_aarch64 reports the reason
        run([qemu, '-instr', 'file=%s,%s' % (
            env.lib('state'), ','.join('arg=' + a
                                       for a in ['out=' + out] + args)),
             prog], env=ENV)
        got = read_state(out)
        expect_state(got, arch)
        expect_eq(0, got['phys_checked'], '%s: no physical addresses'
                  % arch)


def test_state_system(env):
    """qemu-instr/state.h in system mode: instructions read back by
    virtual and by physical address, disassembled; error paths."""
    env.require_mode('dynamic')
    if not env.instrumented('guest_insn_before_exec'):
        env.skip('no guest execution events in this build')
    out = env.tmp('state-system.txt')
    with SystemGuest(env.qemu_system(), args=[
            '-instr', 'file=%s,arg=out=%s,arg=pcreg=rip'
            % (env.lib('state'), out)], bios=env.guest_bin()) as vm:
        vm.wait_rounds(2)
        vm.check_rounds()
        vm.shutdown()
    got = read_state(out)
    expect_state(got, 'system', sysreg=False)
    expect_eq(got['checked'], got['phys_checked'],
              'every instruction read by physical address')
