#
# qemu-instr tests: the project's configure and tree tooling
#
# This work is licensed under the terms of the GNU GPL, version 2 or later.
# See the COPYING file in the top-level directory.
#
# SPDX-License-Identifier: GPL-2.0-or-later

"""configure misuse, prepare/export round trip, meson-level checks."""

import os
import re
import shutil

from qitest import HERE, run, expect, expect_in

REPO = os.path.dirname(os.path.dirname(HERE))


def test_tree_tooling(env):
    """build-aux/test-tree.sh: configure's checks and the patch round trip."""
    script = os.path.join(REPO, 'build-aux', 'test-tree.sh')
    if not os.path.exists(script):
        env.skip('not run from a qemu-instr checkout')
    proc = run([script], check=False, timeout=1200)
    last = proc.stdout.strip().split('\n')[-1]
    m = re.match(r'(\d+) passed, (\d+) failed', last)
    expect(m and m.group(2) == '0' and proc.returncode == 0,
           'test-tree.sh to pass', proc.stdout[-3000:] + proc.stderr[-2000:])


def qemu_configure(env, build, *args):
    os.makedirs(build, exist_ok=True)
    return run([os.path.join(env.src, 'configure'),
                '--python=' + env.configure_python(),
                '--target-list=x86_64-linux-user', '--disable-docs',
                '--disable-tools', '--disable-download'] +
               list(args), cwd=build, check=False, timeout=600)


def test_configure_stops_on_bad_selection(env):
    """QEMU's configure stops when a selected event does not exist, or a
    static build has no library; one message says why."""
    sel = env.tmp('bad-selection')
    with open(sel, 'w') as fobj:
        fobj.write('guest_*\nno_such_event_anywhere\n')
    build = env.tmp('conf-bad-selection')
    proc = qemu_configure(env, build, '--with-instrument-events=' + sel)
    expect(proc.returncode != 0, 'configure to fail', 'success')
    expect_in("%s:2: 'no_such_event_anywhere' matches no trace event" % sel,
              proc.stdout + proc.stderr, 'configure output')
    shutil.rmtree(build, ignore_errors=True)

    build = env.tmp('conf-static-nopath')
    proc = qemu_configure(env, build, '--with-trace-instrument=static')
    expect(proc.returncode != 0, 'configure to fail', 'success')
    expect_in('--with-trace-instrument=static needs '
              '--with-trace-instrument-path=DIR', proc.stdout + proc.stderr,
              'configure output')
    shutil.rmtree(build, ignore_errors=True)

