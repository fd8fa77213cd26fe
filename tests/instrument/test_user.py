#
# qemu-instr tests: libraries in user-mode emulation (qemu-x86_64)
#
# This work is licensed under the terms of the GNU GPL, version 2 or later.
# See the COPYING file in the top-level directory.
#
# SPDX-License-Identifier: GPL-2.0-or-later

"""Libraries loaded with -instr and QEMU_INSTR on real programs."""

import gzip
import os
import re

from qemu_proc import SANITIZER_ENV
from qitest import run, expect, expect_eq

# Clean environment: reproducible guest runs
ENV = dict({'PATH': '/usr/bin:/bin', 'LANG': 'C'}, **SANITIZER_ENV)


def make_input(path, size=400000):
    """Deterministic, compressible text."""
    with open(path, 'w') as fobj:
        x = 12345
        while fobj.tell() < size:
            x = (x * 1103515245 + 12345) & 0x7fffffff
            fobj.write('line %d value %d %s\n' % (x % 1000, x, 'abc' * (x % 7)))


def parse_ours(path):
    with open(path) as fobj:
        lines = fobj.read().split('\n')
    m = re.match(r'syscalls (\d+) returns (\d+)', lines[0])
    expect(m, 'a first line "syscalls N returns N"', lines[0])
    counts = {}
    for line in lines[1:]:
        if line:
            nr, n = line.split()
            counts[int(nr)] = int(n)
    return int(m.group(1)), int(m.group(2)), counts


def parse_oracle(path):
    """Calls per syscall number from QEMU's libsyscall.so."""
    counts = {}
    with open(path) as fobj:
        for line in fobj:
            m = re.match(r'^(\d+)\s+(\d+)\s+\d+$', line)
            if m:
                counts[int(m.group(1))] = int(m.group(2))
    expect(counts, 'a syscall table from libsyscall.so', 'none')
    return counts


def test_syscalls_match_oracle(env):
    """gzip under -instr: syscall counts equal libsyscall.so's, same run."""
    env.require_mode('dynamic')
    qemu = env.qemu_user()
    oracle = env.plugin('syscall')
    inp, out, log = env.tmp('in.txt'), env.tmp('ours.txt'), env.tmp('oracle.txt')
    make_input(inp)
    gz = env.tmp('in.txt.gz')
    with open(gz, 'wb') as fobj:
        run([qemu, '-d', 'plugin', '-D', log, '-plugin', oracle,
             '-instr', 'file=%s,arg=out=%s' % (env.lib('syscalls'), out),
             '/bin/gzip', '-c', inp], stdout=fobj, env=ENV)
    with gzip.open(gz, 'rb') as fobj, open(inp, 'rb') as orig:
        expect(fobj.read() == orig.read(), 'gzip output that decompresses '
               'to the input', 'something else')

    calls, returns, ours = parse_ours(out)
    theirs = parse_oracle(log)
    expect_eq(theirs, ours, 'per-syscall counts')
    expect_eq(sum(theirs.values()), calls, 'total syscalls')
    # exit_group (231) never returns
    expect_eq(calls - ours.get(231, 0), returns, 'returns')


def test_env_var(env):
    """QEMU_INSTR loads a library like -instr does."""
    env.require_mode('dynamic')
    out = env.tmp('env.txt')
    run([env.qemu_user(), '/bin/true'],
        env=dict(ENV, QEMU_INSTR='file=%s,arg=out=%s'
                 % (env.lib('syscalls'), out)))
    calls, returns, _ = parse_ours(out)
    expect(calls > 5 and returns == calls - 1,
           'a few syscalls, all but exit_group returning',
           '%d calls, %d returns' % (calls, returns))


def test_arguments_and_several_libraries(env):
    """arg= values reach qi_init() in order; two libraries at once; the
    short form without file=."""
    env.require_mode('dynamic')
    args_out, sys_out = env.tmp('args.txt'), env.tmp('sys2.txt')
    run([env.qemu_user(),
         '-instr', '%s,arg=out=%s,arg=b c,arg=,arg=x=y,id=first'
         % (env.lib('args'), args_out),
         '-instr', 'file=%s,arg=out=%s' % (env.lib('syscalls'), sys_out),
         '/bin/true'], env=ENV)
    with open(args_out) as fobj:
        got = fobj.read()
    expect_eq('argc 4\nout=%s\nb c\n\nx=y\n' % args_out, got, 'arguments')
    expect(os.path.getsize(sys_out) > 0, 'the second library to run',
           'no output')
