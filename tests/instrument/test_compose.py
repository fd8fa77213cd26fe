#
# qemu-instr tests: several libraries on the same events
#
# This work is licensed under the terms of the GNU GPL, version 2 or later.
# See the COPYING file in the top-level directory.
#
# SPDX-License-Identifier: GPL-2.0-or-later

"""Libraries that set the same events each count what they count alone,
in the order of their priorities; unloading one leaves the others'
counts exact."""

import os
import subprocess

from qitest import run, expect, expect_eq, expect_in
from test_contrib import example, icount_rows, prog, read
from test_exec import ENV, oracle_args, read_oracles, parse_counts, KINDS


def counter(env, copy):
    """A copy of the test library icount.c of its own (a library loaded
    twice from one file would be refused)."""
    return env.lib('icount', '-DCOPY=%d' % copy)


def expect_exact(want, counters, icount, trace):
    """The counts of the oracles (want) are those of each (name, file) of
    counters, of the icount example's file and of the memtrace
    example's."""
    for name, path in counters:
        got = parse_counts(read(path))
        for kind in KINDS:
            expect_eq(want[kind], got[kind], '%s: %s' % (name, kind))
    expect_eq((want['insns'], want['blocks']),
              icount_rows(read(icount)).get('total'),
              'icount example: total (insns, blocks)')
    kinds = [line.split()[4] for line in read(trace).splitlines()]
    expect_eq((want['loads'], want['stores']),
              (kinds.count('load'), kinds.count('store')),
              'memtrace example: (loads, stores)')


def test_compose_same_events(env):
    """Two copies of the counting test library, the icount example and
    the memtrace example in one run: each count equals the oracles'."""
    env.require_event('guest_mem_before_exec')
    log = env.tmp('compose.plugins')
    a, b = env.tmp('compose-a.txt'), env.tmp('compose-b.txt')
    icount, trace = env.tmp('compose-icount.txt'), env.tmp('compose-mem.txt')
    run([env.qemu_user()] + oracle_args(env, log) +
        ['-instr', 'file=%s,arg=out=%s' % (counter(env, 1), a),
         '-instr', 'file=%s,arg=out=%s' % (example(env, 'icount'), icount),
         '-instr', 'file=%s,arg=out=%s' % (counter(env, 2), b),
         '-instr', 'file=%s,arg=out=%s' % (example(env, 'memtrace'), trace),
         prog(env)], env=ENV, stdout=subprocess.DEVNULL)
    want = read_oracles(log)
    expect_exact(want, [('first copy', a), ('second copy', b)], icount,
                 trace)
    print('    4 libraries: insns %d blocks %d accesses %d each' %
          (want['insns'], want['blocks'], want['accesses']))


def test_compose_unload_one(env):
    """A library that unloads itself half-way leaves the icount example,
    the memtrace example and a second counter exact, whichever was
    loaded first; its own fini still runs."""
    env.require_event('guest_mem_before_exec')
    for first in (True, False):
        log = env.tmp('unload-one.plugins')
        gone, stay = env.tmp('unload-gone.txt'), env.tmp('unload-stay.txt')
        icount = env.tmp('unload-icount.txt')
        trace = env.tmp('unload-mem.txt')
        for path in (gone, stay, icount, trace):
            if os.path.exists(path):
                os.unlink(path)
        leaving = ['-instr', 'file=%s,arg=out=%s,arg=unload-after=20000'
                   % (counter(env, 3), gone)]
        staying = ['-instr', 'file=%s,arg=out=%s' % (counter(env, 4), stay),
                   '-instr', 'file=%s,arg=out=%s'
                   % (example(env, 'icount'), icount),
                   '-instr', 'file=%s,arg=out=%s'
                   % (example(env, 'memtrace'), trace)]
        run([env.qemu_user()] + oracle_args(env, log) +
            (leaving + staying if first else staying + leaving) +
            [prog(env)], env=ENV, stdout=subprocess.DEVNULL)
        want = read_oracles(log)
        got = parse_counts(read(gone))
        expect(20000 <= got['insns'] < want['insns'],
               'the leaving library to count from 20000 instructions to '
               'fewer than %d' % want['insns'], got['insns'])
        expect_exact(want, [('staying copy', stay)], icount, trace)
    print('    exact after an unload at instruction 20000, both orders')


def order_log(env, libs):
    """Run /bin/true with the order test library once per (name, args)
    of libs, in that load order; the lines they logged."""
    log = env.tmp('order.log')
    if os.path.exists(log):
        os.unlink(log)
    argv = [env.qemu_user()]
    for i, (name, args) in enumerate(libs):
        argv += ['-instr', ','.join(
            ['file=' + env.lib('order', '-DCOPY=%d' % i),
             'arg=name=' + name, 'arg=log=' + log] +
            ['arg=' + a for a in args])]
    run(argv + ['/bin/true'], env=ENV)
    return read(log).splitlines()


def test_compose_order(env):
    """Callbacks run in load order; a lower priority runs first, at
    translation time and at one execution-time site; a condition that
    one library left without a call guards nothing of the next."""
    env.require_event('guest_insn_before_exec')
    expect_eq(['trans a', 'trans b', 'exec a', 'exec b', 'fini a',
               'fini b'],
              order_log(env, [('a', []), ('b', [])]), 'load order')
    expect_eq(['trans b', 'trans a', 'exec b', 'exec a', 'fini a',
               'fini b'],
              order_log(env, [('a', ['prio=10']), ('b', ['prio=-5'])]),
              'priorities')
    expect_eq(['trans a', 'trans b', 'exec a', 'exec b', 'fini a',
               'fini b'],
              order_log(env, [('a', ['dangling-if']), ('b', [])]),
              'a dangling qi_gen_exec_if() of the first library')


def test_compose_legacy_library(env):
    """A library built for API version 2, whose calls QEMU attributes by
    their return address, counts as it did with API 2.  (Its _trans
    callbacks reach qi_event_gen_*() by a tail call, so that its
    execution-time calls run every library's callback: see "Limits".)"""
    env.require_event('guest_mem_before_exec')
    log = env.tmp('legacy.plugins')
    old = env.tmp('legacy-old.txt')
    run([env.qemu_user()] + oracle_args(env, log) +
        ['-instr', 'file=%s,arg=out=%s' % (env.lib('legacy'), old),
         prog(env)], env=ENV, stdout=subprocess.DEVNULL)
    want, got = read_oracles(log), parse_counts(read(old))
    for kind in ('insns', 'blocks'):
        expect_eq(want[kind], got[kind], 'API 2 library: %s' % kind)


def test_compose_helper_library(env):
    """Callbacks that live in a helper library the library links against,
    set by the helper itself, belong to the library: they count, and
    a callback outside any loaded object is refused with a message."""
    env.require_event('guest_insn_before_exec')
    helper = env.tmp('libqihelper.so')
    run(['cc', '-shared', '-fPIC', '-O2', '-Wall', '-Werror', '-o', helper,
         os.path.join(os.path.dirname(__file__), 'libs', 'helper-lib.c')] +
        env.cflags())
    lib = env.lib('helper', '-L' + os.path.dirname(helper), '-lqihelper',
                  '-Wl,-rpath,' + os.path.dirname(helper))
    log, out = env.tmp('helper.plugins'), env.tmp('helper.txt')
    proc = run([env.qemu_user()] + oracle_args(env, log) +
               ['-instr', 'file=%s,arg=out=%s' % (lib, out), prog(env)],
               env=ENV, stdout=subprocess.DEVNULL)
    want = read_oracles(log)
    expect_eq('insns %d\n' % want['insns'], read(out),
              'the helper library\'s count')
    expect_in("cannot set the callback of 'guest_insn_before_exec' to "
              "0x1234: it is not in any loaded library", proc.stderr)
