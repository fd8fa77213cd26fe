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
import subprocess

from qitest import HERE, run, expect, expect_eq, expect_in
from test_exec import oracle_args, parse_counts, read_oracles, expect_counts

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
                     got.strip())
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
                         fobj.read().strip())
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
