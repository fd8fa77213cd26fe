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

from qitest import HERE, run, expect, expect_eq, expect_in

LIBDIR = os.path.join(HERE, 'static-lib')


def static_build(env):
    """qemu-x86_64 built with the static test library."""
    build = env.side_build('static', ['--enable-plugins',
                                      '--with-trace-instrument=static',
                                      '--with-trace-instrument-path=' +
                                      LIBDIR],
                           ['qemu-x86_64', 'tests/plugin/libinsn.so'])
    return os.path.join(build, 'qemu-x86_64')


def test_static_library(env):
    """The compiled-in library counts syscalls like the dynamic one, and
    executed instructions like libinsn.so."""
    qemu = static_build(env)
    ours, log = env.tmp('static.txt'), env.tmp('static-insn.log')
    libinsn = os.path.join(os.path.dirname(qemu), 'tests', 'plugin',
                           'libinsn.so')
    run([qemu, '-d', 'plugin', '-D', log, '-plugin', libinsn + ',inline=on',
         '-instr', 'arg=out=' + ours, '/bin/true'])
    with open(ours) as fobj:
        got = fobj.read()
    m = re.match(r'syscalls (\d+) returns (\d+) insns (\d+) mode static$',
                 got.strip())
    expect(m, '"syscalls N returns N insns N mode static"', got)
    calls, returns = int(m.group(1)), int(m.group(2))
    with open(log) as fobj:
        oracle = re.search(r'^insns: (\d+)$', fobj.read(), re.M)
    expect_eq(int(oracle.group(1)) if oracle else None, int(m.group(3)),
              'instructions (libinsn.so)')
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
            m = re.match(r'syscalls (\d+) returns (\d+) insns \d+ mode '
                         r'dynamic$', fobj.read().strip())
        expect(m and (int(m.group(1)), int(m.group(2))) == (calls, returns),
               'the same syscall counts in dynamic mode (%d, %d)'
               % (calls, returns), m.group(0) if m else 'nothing')


def test_static_errors(env):
    """A static QEMU refuses to load libraries, with a reason."""
    qemu = static_build(env)
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
