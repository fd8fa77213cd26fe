#
# qemu-instr tests: static mode, a library compiled into QEMU
#
# Builds qemu-x86_64 in static mode with tests/instrument/static-lib (in
# BUILD-static next to the build under test; incremental on later runs).
#
# This work is licensed under the terms of the GNU GPL, version 2 or later.
# See the COPYING file in the top-level directory.
#
# SPDX-License-Identifier: GPL-2.0-or-later

"""Static instrumentation: build, direct calls, inlined callbacks."""

import os
import re
import signal
import subprocess

from qemu_proc import PINNED_ENV as ENV
from qitest import HERE, run, expect, expect_eq, expect_in
from test_exec import oracle_args, parse_counts, read_oracles, expect_counts
from test_steer import (guest_program, symbols, parse_values, f_oracle,
                        F_ARGS, F_ADD, CHECK_RET)
from test_user import make_input
from test_values import parse as parse_memvalues, FIELDS as MEM_FIELDS

LIBDIR = os.path.join(HERE, 'static-lib')


def static_build(env):
    """The directory of a qemu-x86_64 built with the static test library,
    with the oracle plugins."""
    return env.side_build('static', ['--enable-plugins',
                                     '--with-trace-instrument=static',
                                     '--with-trace-instrument-path=' +
                                     LIBDIR],
                          ['qemu-x86_64'] +
                          ['tests/tcg/plugins/lib%s.so' % p
                           for p in ('insn', 'bb', 'mem')])


def test_static_library(env):
    """The compiled-in library counts syscalls like the dynamic one, and
    executed instructions, blocks, loads and stores like the oracles, on
    /bin/true and on gzip."""
    build = static_build(env)
    qemu = os.path.join(build, 'qemu-x86_64')
    inp = env.tmp('static-input.txt')
    with open(inp, 'w') as fobj:
        fobj.write(''.join('%d %s\n' % (i, 'abc' * (i % 7))
                           for i in range(5000)))
    for name, argv in [('true', ['/bin/true']),
                       ('gzip', ['/bin/gzip', '-9', '-c', inp])]:
        ours, log = env.tmp('static-%s.txt' % name), env.tmp(
            'static-%s.log' % name)
        run([qemu] + oracle_args(env, log, build) +
            ['-instr', 'arg=out=' + ours] + argv, stdout=subprocess.DEVNULL)
        with open(ours) as fobj:
            got = fobj.read()
        m = re.match(r'syscalls (\d+) returns (\d+) .* mode static$',
                     got.split('\n')[0])
        expect(m, '"syscalls N returns N ... mode static"', got)
        expect_counts(parse_counts(got), read_oracles(log),
                      'static, ' + name)
        if name == 'true':
            calls, returns = int(m.group(1)), int(m.group(2))
    # exit_group does not return; the inlined callback counted the others
    expect(calls > 5 and returns == calls - 1,
           'a few syscalls, all but exit_group returning',
           '%d calls, %d returns' % (calls, returns))

    # Same source, dynamic library, dynamic QEMU: same counts
    if env.mode == 'dynamic':
        lib = env.tmp('libcounter.so')
        run(['cc', '-shared', '-fPIC', '-O2', '-Wall', '-Werror', '-o', lib,
             os.path.join(LIBDIR, 'counter.c')] + env.cflags())
        dyn = env.tmp('dynamic.txt')
        run([env.qemu_user(), '-instr', 'file=%s,arg=out=%s' % (lib, dyn),
             '/bin/true'])
        with open(dyn) as fobj:
            m = re.match(r'syscalls (\d+) returns (\d+) .* mode dynamic$',
                         fobj.readline().strip())
        expect(m and (int(m.group(1)), int(m.group(2))) == (calls, returns),
               'the same syscall counts in dynamic mode (%d, %d)'
               % (calls, returns), m.group(0) if m else 'nothing')


def test_static_errors(env):
    """A static QEMU refuses to load libraries, with a reason."""
    qemu = os.path.join(static_build(env), 'qemu-x86_64')
    for opt, key in [('file=/tmp/x.so', 'file'), ('arg=x,id=lib', 'id')]:
        proc = run([qemu, '-instr', opt, '/bin/true'], check=False)
        expect_eq(1, proc.returncode, 'exit status')
        expect_in("built with static instrumentation: '%s=' cannot load"
                  % key, proc.stderr)
    run([qemu, '/bin/true'])  # qi_init() runs without arguments too
    proc = run([qemu, '-instr', 'arg=bogus', '/bin/true'], check=False)
    expect_eq(1, proc.returncode, 'exit status when qi_init() refuses')
    expect_in('static instrumentation library refused to start: qi_init() '
              'returned 1', proc.stderr)


def static_counter(env, args, argv, name, qemu_args=()):
    """Run argv under the static qemu-x86_64, the compiled-in counter.c
    given args; (its stdout, {name: value} and other lines of out=)."""
    qemu = os.path.join(static_build(env), 'qemu-x86_64')
    out = env.tmp('static-%s.txt' % name)
    opt = ','.join('arg=' + a for a in ['out=' + out] + list(args))
    proc = run([qemu] + list(qemu_args) + ['-instr', opt] + argv, env=ENV)
    values, lines = parse_values(out)
    return proc, values, lines


def test_static_api2_counts(env):
    """API 2 in static mode, on gzip: the scoreboard's exact instruction
    count equals libinsn's, and the sum and xor of the values loaded and
    stored equal those of a TCG plugin reading qemu_plugin_mem_get_value()
    in the same run."""
    build = static_build(env)
    inp = env.tmp('static-values-input.txt')
    make_input(inp)
    log = env.tmp('static-api2.log')
    proc, values, lines = static_counter(
        env, [], ['/bin/gzip', '-c', inp], 'api2',
        ['-d', 'plugin', '-D', log,
         '-plugin', os.path.join(build, 'tests', 'tcg', 'plugins',
                                 'libinsn.so'),
         '-plugin', env.test_plugin('memvalues')])
    with open(log) as fobj:
        text = fobj.read()
    insns = re.search(r'^total insns: (\d+)$', text, re.M)
    expect(insns, 'libinsn\'s "total insns: N"', text[-500:])
    expect_eq(int(insns.group(1)), values.get('exact'),
              'the scoreboard\'s count, as libinsn\'s')
    want = parse_memvalues(text, 'the plugin')
    got = parse_memvalues('\n'.join(lines + ['bad %d' % values['bad']]),
                          'counter.c')
    for field in MEM_FIELDS:
        expect_eq(want[field], got[field], 'static: ' + field)
    expect_eq(0, values['bad'], 'values that do not fit their access')
    print('    %d instructions; %d loads, %d stores' %
          (values['exact'], got['loads'], got['stores']))


def test_static_steer(env):
    """API 2 in static mode: a register write, a redirect, a getpid
    result, a skipped write, signals and qi_log(), each checked against
    what the guest prints (as test_steer.py does in dynamic mode)."""
    static_build(env)
    prog = guest_program(env, 'regs', 'x86_64')
    syms = symbols(prog)
    proc, _, _ = static_counter(env, ['addr=%x' % syms['f'],
                                      'add=%d' % F_ADD],
                                [prog, 'f'] + [str(x) for x in F_ARGS],
                                'regwrite')
    expect_eq(''.join('f %d %d\n' % (x, f_oracle(x + F_ADD))
                      for x in F_ARGS), proc.stdout,
              'f() of the changed argument')
    proc, _, _ = static_counter(env, ['check=%x' % syms['check'],
                                      'ret=%d' % CHECK_RET],
                                [prog, 'check'], 'redirect')
    expect_eq('check %d ran 0\n' % CHECK_RET, proc.stdout,
              'check() returning early')
    proc, _, _ = static_counter(env, ['pid=4242'], [prog, 'pid'], 'pid')
    expect_eq('pid 4242\n', proc.stdout, 'the getpid result')

    log = env.tmp('static-log.txt')
    proc, _, lines = static_counter(env, ['skipfd=1', 'log'],
                                    ['/bin/echo', 'hello'], 'skip',
                                    ['-D', log])
    expect_eq('', proc.stdout, 'echo\'s output with its writes skipped')
    m = re.match(r'syscalls (\d+) returns \d+ insns (\d+) ', lines[0])
    expect(m, '"syscalls N returns N insns N ..."', lines[0])
    with open(log) as fobj:
        text = fobj.read()
    expect_in('counter: syscalls %s insns %s mode static\n' % m.groups(),
              text, 'the -D file (qi_fini()\'s qi_log() line)')

    prog = guest_program(env, 'signals', 'x86_64')
    syms = symbols(prog)
    _, _, lines = static_counter(env, [], [prog], 'signals')
    expect_eq(['signal %d %x' % (signal.SIGSEGV, syms['on_segv']),
               'signal %d %x' % (signal.SIGALRM, syms['on_alrm'])],
              [l for l in lines if l.startswith('signal ')],
              'the signals delivered, and their handlers')
