#
# qemu-instr tests: the values of guest memory accesses (guest_mem_after)
# against a TCG plugin that reads them with qemu_plugin_mem_get_value()
#
# This work is licensed under the terms of the GNU GPL, version 2 or later.
# See the COPYING file in the top-level directory.
#
# SPDX-License-Identifier: GPL-2.0-or-later

"""Sum and xor of the loaded and stored values equal a plugin's."""

import os
import re
import subprocess

from qemu_proc import PINNED_ENV as ENV
from test_user import make_input
from qitest import run, expect, expect_eq

# plugins/memvalues.c and libs/memvalues.c print the same line
VALUES = re.compile(r'^memvalues: loads (\d+) sum 0x([0-9a-f]+) xor '
                    r'0x([0-9a-f]+) stores (\d+) sum 0x([0-9a-f]+) xor '
                    r'0x([0-9a-f]+) wide (\d+)$', re.M)
FIELDS = ('loads', 'load sum', 'load xor', 'stores', 'store sum',
          'store xor', 'wide')

SQL = ("CREATE TABLE t(a INTEGER PRIMARY KEY, b TEXT, c REAL);"
       "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n "
       "WHERE i < 3000) INSERT INTO t SELECT i, printf('row %d %x', "
       "i * 7919 % 3001, i * i), i / 7.0 FROM n;"
       "CREATE INDEX tb ON t(b);"
       "SELECT count(*), sum(a), total(c), max(b) FROM t "
       "WHERE b LIKE 'row 1%';"
       "SELECT b FROM t ORDER BY b DESC LIMIT 3;"
       "UPDATE t SET c = c * 2 WHERE a % 3 = 0;"
       "SELECT sum(c) FROM t;"
       "DELETE FROM t WHERE a % 5 = 0;"
       "SELECT count(*) FROM t;")


def parse(text, what):
    """{field: number} of a memvalues line."""
    m = VALUES.search(text)
    expect(m, '%s: a line "memvalues: loads N sum 0xS xor 0xX stores N '
           'sum 0xS xor 0xX wide N"' % what, text[-1000:])
    bases = (10, 16, 16, 10, 16, 16, 10)
    return dict(zip(FIELDS, [int(x, b) for x, b in zip(m.groups(), bases)]))


def compare(env, qemu, argv, name):
    """Run argv under qemu with both the plugin and our library, in the
    same process, and compare their totals."""
    env.require_mode('dynamic')
    env.require_event('guest_mem_after_exec')
    ours, log = env.tmp(name + '.values'), env.tmp(name + '.plugin')
    run([qemu, '-d', 'plugin', '-D', log,
         '-plugin', env.test_plugin('memvalues'),
         '-instr', 'file=%s,arg=out=%s' % (env.lib('memvalues'), ours)] +
        argv, env=ENV, stdout=subprocess.DEVNULL)
    with open(log) as fobj:
        want = parse(fobj.read(), 'the plugin')
    with open(ours) as fobj:
        text = fobj.read()
    got = parse(text, 'memvalues.so')
    for field in FIELDS:
        expect_eq(want[field], got[field], '%s: %s' % (name, field))
    bad = re.search(r'^bad (\d+)$', text, re.M)
    expect(bad and bad.group(1) == '0', 'no value wider than its access '
           '(and no value_hi below 16 bytes)', text)
    # 16-byte accesses (SSE, NEON) carry value_hi: the runs must have some
    expect(got['wide'] > 0, '%s: some 16-byte accesses' % name, got)
    print('    %s: %s' % (name, ' '.join(
        '%s %s' % (f.replace(' ', '_'), hex(got[f]) if ' ' in f else got[f])
        for f in FIELDS)))


def test_values_gzip(env):
    """gzip -c of a 400 KB text, under qemu-x86_64."""
    inp = env.tmp('values-input.txt')
    make_input(inp)
    compare(env, env.qemu_user(), ['/bin/gzip', '-c', inp], 'gzip')


def test_values_sqlite3(env):
    """sqlite3 running a small SQL script in memory, under qemu-x86_64."""
    if not os.path.exists('/usr/bin/sqlite3'):
        env.skip('sqlite3 is not installed (build-aux/install-deps '
                 'installs it)')
    compare(env, env.qemu_user(), ['/usr/bin/sqlite3', ':memory:', SQL],
            'sqlite3')


def test_values_workload(env):
    """The static workload (every access size, signed loads, atomics and
    compare-and-swap, which helpers make), under qemu-x86_64."""
    compare(env, env.qemu_user(), [env.workload('x86_64')],
            'workload-x86_64')


def test_values_aarch64(env):
    """The static workload built for aarch64, under qemu-aarch64."""
    compare(env, env.qemu_user('aarch64'), [env.workload('aarch64')],
            'workload-aarch64')
