#
# qemu-instr tests: the build identity a library carries
#
# This work is licensed under the terms of the GNU GPL, version 2 or later.
# See the COPYING file in the top-level directory.
#
# SPDX-License-Identifier: GPL-2.0-or-later

"""QEMU refuses a library built for another QEMU version, mode or event
selection, saying what differs, unless the library is portable."""

import os
import re
import shlex
import subprocess

from qitest import run, expect, expect_eq, expect_in
from test_errors import check_startup_error


def other_build_headers(env, name, drop=(), add=()):
    """The generated headers (events-list.h, events.h) of a build that
    differs from this one only in its event selection: this build's
    selection without the events of drop, with those of add.  Made with
    the commands of this build's build.ninja; returns the include
    directory to put before this build's."""
    inc = env.tmp('headers-' + name)
    os.makedirs(os.path.join(inc, 'qemu-instr'), exist_ok=True)
    with open(os.path.join(env.build, 'build.ninja')) as fobj:
        ninja = fobj.read()
    for hdr in ('events-list.h', 'events.h'):
        m = re.search(r'^build include/qemu-instr/%s: CUSTOM_COMMAND[^\n]*\n'
                      r' COMMAND = ([^\n]*)$' % re.escape(hdr), ninja, re.M)
        expect(m, 'the command that makes %s in build.ninja' % hdr, 'none')
        cmd = shlex.split(m.group(1))
        sel = [a for a in cmd if a.startswith('--instrument-events=')]
        expect(sel, 'a build with --with-instrument-events', cmd)
        with open(sel[0].split('=', 1)[1]) as fobj:
            lines = [l for l in fobj.read().splitlines()
                     if l.split('#')[0].strip() not in drop]
        selection = os.path.join(inc, 'selection')
        with open(selection, 'w') as fobj:
            fobj.write('\n'.join(lines + list(add)) + '\n')
        cmd = [('--instrument-events=' + selection) if a == sel[0] else a
               for a in cmd]
        # The output is the last argument
        cmd[-1] = os.path.join(inc, 'qemu-instr', hdr)
        run(cmd, cwd=env.build)
    return inc


def lib_for(env, name, inc, *cflags):
    """tests/instrument/libs/<name>.c built against the headers of inc."""
    out = env.tmp('lib%s-%s.so' % (name, os.path.basename(inc)))
    run(['cc', '-shared', '-fPIC', '-O2', '-Wall', '-Werror', '-o', out,
         os.path.join(os.path.dirname(__file__), 'libs', name + '.c'),
         '-I' + os.path.join(env.src, 'include'), '-I' + inc,
         '-I' + os.path.join(env.build, 'include')] + list(cflags))
    return out


def test_identity_refusals(env):
    """Another QEMU version, another mode, or another event selection
    (headers made by this build's commands with another selection file):
    refused at start-up, with what differs."""
    env.require_mode('dynamic')
    env.require_event('serial_write')
    qemu = env.qemu_user()
    version = run([qemu, '--version']).stdout.split()[2]
    check_startup_error(qemu, ['-instr', env.lib(
        'identity', '-DQEMU_VERSION="9.9.9"', '-DMODE="dynamic"',
        headers=False), '/bin/true'],
        "was built for QEMU 9.9.9, this QEMU is %s" % version)
    check_startup_error(qemu, ['-instr', env.lib(
        'identity', '-DQEMU_VERSION="%s"' % version, '-DMODE="static"',
        headers=False), '/bin/true'],
        'was built for a QEMU with static instrumentation, this QEMU has '
        'dynamic instrumentation')
    fewer = other_build_headers(env, 'fewer', drop=['serial_write'])
    check_startup_error(qemu, ['-instr', lib_for(env, 'icount', fewer)
                               + ',arg=out=' + env.tmp('x'), '/bin/true'],
                        'was built for another QEMU build: this QEMU also '
                        'has events serial_write, which its build did not '
                        'have')
    more = other_build_headers(env, 'more', add=['qemu_vfree'])
    check_startup_error(qemu, ['-instr', lib_for(env, 'icount', more)
                               + ',arg=out=' + env.tmp('x'), '/bin/true'],
                        'was built for another QEMU build: it was built for '
                        'events qemu_vfree, which this QEMU does not have')


def test_identity_portable(env):
    """A portable library built for another event selection loads and
    counts what the same source built for this build counts; with an
    event identifier it does not compile."""
    env.require_mode('dynamic')
    env.require_event('guest_user_syscall')
    more = other_build_headers(env, 'portable', add=['qemu_vfree'])
    counts = []
    for lib in (env.lib('portable'), lib_for(env, 'portable', more)):
        out = env.tmp('portable.txt')
        run([env.qemu_user(), '-instr', '%s,arg=out=%s' % (lib, out),
             '/bin/true'], stdout=subprocess.DEVNULL)
        with open(out) as fobj:
            counts.append(fobj.read())
    expect(re.match(r'syscalls [1-9]\d*\n$', counts[0]),
           'syscalls N', counts[0])
    expect_eq(counts[0], counts[1], 'the portable library of another build')
    proc = run(['cc', '-shared', '-fPIC', '-o', env.tmp('no.so'),
                os.path.join(os.path.dirname(__file__), 'libs',
                             'portable.c'), '-DUSE_ID'] + env.cflags(),
               check=False)
    expect(proc.returncode != 0, 'QI_EVENT_* not to compile with '
           'QI_PORTABLE', proc.returncode)
    expect_in('QI_EVENT_GUEST_USER_SYSCALL', proc.stderr)
