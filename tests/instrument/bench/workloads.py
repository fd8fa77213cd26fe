#
# qemu-instr benchmark: the guest workloads and their generated inputs
#
# This work is licensed under the terms of the GNU GPL, version 2 or later.
# See the COPYING file in the top-level directory.
#
# SPDX-License-Identifier: GPL-2.0-or-later

"""Real programs from Debian's packages, on inputs generated here with a
fixed seed, sized to run 1 to 5 s under vanilla qemu-x86_64 on the
machines this project runs on.  Each workload is (name, argv); argv may
read files that prepare() writes into a work directory."""

import os
import random
import subprocess

CC1 = '/usr/lib/gcc/x86_64-linux-gnu/12/cc1'


def _text(rng, lines):
    words = ['qemu', 'instr', 'trace', 'event', 'guest', 'block', 'memory',
             'insn', 'vcpu', 'static', 'dynamic', 'library', 'callback']
    return ''.join(' '.join(rng.choice(words) for _ in range(rng.randint(
        3, 12))) + ' %d\n' % rng.randint(0, 1 << 30) for _ in range(lines))


def _sql(rng, rows):
    out = ['CREATE TABLE t (id INTEGER PRIMARY KEY, k INTEGER, v TEXT);',
           'BEGIN;']
    for i in range(rows):
        out.append("INSERT INTO t VALUES (%d, %d, '%08x');"
                   % (i, rng.randint(0, 999), rng.getrandbits(32)))
    out += ['COMMIT;', 'CREATE INDEX tk ON t (k);',
            'SELECT k, count(*), max(v) FROM t GROUP BY k ORDER BY 2 DESC '
            'LIMIT 5;',
            'SELECT sum(length(v) * k) FROM t WHERE k % 7 = 3;',
            'UPDATE t SET v = upper(v) WHERE id % 3 = 0;',
            'SELECT count(DISTINCT v) FROM t;']
    return '\n'.join(out) + '\n'


PY_SCRIPT = '''
def sieve(n):
    flags = bytearray([1]) * (n + 1)
    for i in range(2, int(n ** 0.5) + 1):
        if flags[i]:
            flags[i * i::i] = bytearray(len(flags[i * i::i]))
    return sum(flags) - 2

def fib_memo(n, memo={}):
    if n < 2:
        return n
    if n not in memo:
        memo[n] = fib_memo(n - 1) + fib_memo(n - 2)
    return memo[n]

d = {}
for i in range(@N@):
    d[str(i * 7919 % 100003)] = i
print(sieve(@N@ * 5), fib_memo(300) % 1000003, len(d),
      sum(sorted(d.values())[:100]))
'''

# Input sizes at scale 1: about 1 s of CPU each under vanilla qemu-x86_64
SIZES = {'gzip': 110000, 'sqlite3': 24000, 'python3': 600000}

# A real C source file for the compiler: the workload of the tests
C_SOURCE = os.path.join(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))), 'workload', 'workload.c')


# The execution log writes a line per instruction: it runs on these,
# at this fraction of the size
EXECLOG_WORKLOADS = ('gzip', 'sqlite3')
EXECLOG_SCALE = 0.002


def prepare(workdir, scale=1.0, suffix=''):
    """Write the inputs into workdir; return [(name, argv)].  Each
    program writes its result to stdout."""
    rng = random.Random(20261122)
    path = lambda name: os.path.join(workdir, name + suffix)
    files = {
        'gzip-input.txt': _text(rng, int(SIZES['gzip'] * scale)),
        'sqlite-script.sql': _sql(rng, int(SIZES['sqlite3'] * scale)),
        'python-script.py': PY_SCRIPT.replace('@N@', str(int(
            SIZES['python3'] * scale))),
    }
    for name, text in files.items():
        with open(path(name), 'w') as fobj:
            fobj.write(text)
    # cc1 compiles what the host's gcc -E made of it
    subprocess.run(['gcc', '-E', '-o', path('cc1-input.i'), C_SOURCE],
                   check=True)
    return [
        ('gzip', ['/bin/gzip', '-9', '-n', '-c', path('gzip-input.txt')]),
        ('sqlite3', ['/usr/bin/sqlite3', ':memory:', '.read ' +
                     path('sqlite-script.sql')]),
        ('python3', ['/usr/bin/python3', '-S', path('python-script.py')]),
        ('cc1', [CC1, '-quiet', '-fpreprocessed', '-O2', path('cc1-input.i'),
                 '-o', '-']),
    ]


# The per-call table: a loop of simple instructions, a few per block, so
# that the time a callback on every instruction adds is mostly its calls
MICRO_SOURCE = r'''
#include <stdio.h>
int main(void)
{
    unsigned long x = 1;
    long i;

    for (i = 0; i < @N@; i++) {
        x = (x ^ (x >> 3)) + i;
    }
    printf("%lu\n", x);
    return 0;
}
'''
MICRO_ITERATIONS = 60000000


def prepare_micro(workdir, scale=1.0):
    """Build the per-call loop; return (name, argv)."""
    src = os.path.join(workdir, 'micro.c')
    exe = os.path.join(workdir, 'micro')
    with open(src, 'w') as fobj:
        fobj.write(MICRO_SOURCE.replace('@N@', str(int(MICRO_ITERATIONS *
                                                       scale))))
    subprocess.run(['gcc', '-O1', '-static', '-o', exe, src], check=True)
    return ('micro', [exe])
