#
# qemu-instr tests: --with-trace-instrument=none builds a vanilla QEMU
#
# Builds qemu-x86_64 without instrumentation (in BUILD-none next to the
# build under test; incremental on later runs).
#
# This work is licensed under the terms of the GNU GPL, version 2 or later.
# See the COPYING file in the top-level directory.
#
# SPDX-License-Identifier: GPL-2.0-or-later

"""No instrumentation code at all in a 'none' build."""

import os
import re

from qitest import run, expect, expect_eq, expect_in


def none_build(env):
    return env.side_build('none', ['--with-trace-instrument=none'],
                          ['qemu-x86_64'])


def test_none_build(env):
    """No qi_*/instr_* symbol, no public headers, -instr refused; guest
    programs run as usual."""
    build = none_build(env)
    qemu = os.path.join(build, 'qemu-x86_64')
    syms = run(['nm', qemu]).stdout
    ours = re.findall(r' [A-Za-z] ((?:qi|instr)_\w+)$', syms, re.M)
    expect_eq([], ours, 'instrumentation symbols')
    gen = os.path.join(build, 'include', 'qemu-instr')
    expect_eq([], os.listdir(gen) if os.path.isdir(gen) else [],
              'generated qemu-instr headers')
    with open(os.path.join(build, 'trace', 'trace-root.h')) as fobj:
        expect('instr' not in fobj.read(), 'a vanilla trace-root.h',
               'instrumentation code in it')

    proc = run([qemu, '-instr', 'x.so', '/bin/true'], check=False)
    expect_eq(1, proc.returncode, 'exit status of -instr')
    expect_in('built without trace-event instrumentation', proc.stderr)

    out = run([qemu, '/bin/sh', '-c', 'echo hello; exit 3'], check=False)
    expect_eq((3, 'hello\n'), (out.returncode, out.stdout),
              'a guest program')
