#
# qemu-instr tests: the code tracetool generates, against golden files
#
# Regenerate the golden files after an intended change with
#   QI_GOLDEN_UPDATE=1 tests/instrument/run --build BUILD -k tracetool
# and review the diff.
#
# This work is licensed under the terms of the GNU GPL, version 2 or later.
# See the COPYING file in the top-level directory.
#
# SPDX-License-Identifier: GPL-2.0-or-later

"""tracetool: golden output per mode and format; errors with file:line."""

import difflib
import os
import shutil
import sys

from qitest import HERE, run, expect, expect_eq, expect_in

DATA = os.path.join(HERE, 'tracetool')
FORMATS = [('h', 'trace-qi_test.h'), ('c', 'trace-qi_test.c'),
           ('qi-events-h', 'events.h'), ('qi-events-list-h', 'events-list.h'),
           ('qi-tcg-helper-h', 'helpers.h'), ('qi-tcg-c', 'tcg-events.c')]


def tracetool(env, cwd, mode, fmt, out, selection=True, check=True):
    cmd = [sys.executable, os.path.join(env.src, 'scripts', 'tracetool.py'),
           '--backends=log', '--group=qi_test', '--format=' + fmt]
    if mode != 'none':
        cmd += ['--instrument=' + mode]
        if selection:
            cmd += ['--instrument-events=selection']
    return run(cmd + ['trace-events', out], cwd=cwd, check=check)


def golden(env, mode):
    work = env.tmp('tracetool-' + mode)
    os.makedirs(work, exist_ok=True)
    for name in ('trace-events', 'selection'):
        shutil.copy(os.path.join(DATA, name), work)
    failures = []
    for fmt, out in FORMATS:
        if mode == 'none' and fmt.startswith('qi-') and fmt != 'qi-tcg-helper-h':
            continue
        tracetool(env, work, mode, fmt, out)
        ref = os.path.join(DATA, mode, out)
        with open(os.path.join(work, out)) as fobj:
            got = fobj.read()
        if os.environ.get('QI_GOLDEN_UPDATE'):
            os.makedirs(os.path.dirname(ref), exist_ok=True)
            with open(ref, 'w') as fobj:
                fobj.write(got)
            continue
        with open(ref) as fobj:
            want = fobj.read()
        if got != want:
            failures.append(''.join(difflib.unified_diff(
                want.splitlines(True), got.splitlines(True),
                'expected/' + os.path.join(mode, out), 'got/' + out)))
    expect(not failures, 'output identical to the golden files',
           'differences:\n' + '\n'.join(failures))


def test_golden_none(env):
    """Without instrumentation the output is vanilla tracetool's (the
    golden files of 'none' were checked against QEMU 10.0.13's tracetool,
    on the events it reads: the same but for the 'vcpu' events' implicit
    vCPU argument, which 10.0 no longer adds; it has no 'tcg' events)."""
    golden(env, 'none')


def test_golden_dynamic(env):
    golden(env, 'dynamic')


def test_golden_static(env):
    golden(env, 'static')


def test_public_headers_self_contained(env):
    """Each public header compiles alone, in C99 and in C++."""
    env.require_mode('dynamic', 'static')
    src = env.tmp('selfcontained.c')
    for hdr in ['qemu-instr.h', 'control.h', 'trace.h', 'state.h',
                'events.h', 'events-list.h', 'config.h', 'types.h']:
        with open(src, 'w') as fobj:
            fobj.write('#include <qemu-instr/%s>\nint unit;\n' % hdr)
        for compiler in (['cc', '-std=c99', '-pedantic'],
                         ['c++', '-x', 'c++']):
            run(compiler + ['-Wall', '-Werror', '-c', '-o', '/dev/null', src]
                + env.cflags())


def test_property_errors(env):
    """Misused properties are reported with file and line."""
    work = env.tmp('tracetool-errors')
    os.makedirs(work, exist_ok=True)
    cases = [('disable instrument bad_event(int x) "x %d"',
              "event 'bad_event' has both the 'instrument' and the "
              "'disable' property"),
             ('vcpu tcg bad_event(int x) "x %d", "x %d"',
              "'tcg' event 'bad_event' needs the 'instrument' property"),
             ('vcpu tcg instrument bad_event(int x) "x %d"',
              "'tcg' event 'bad_event' needs two formats"),
             ('vcpu tcg instrument bad_event(int x) "x %d", "x %d y %d"',
              "the execution-time format of 'bad_event' has more "
              "conversions than the event has arguments"),
             ('instrument', 'malformed event: expected [PROPERTIES] '
              'NAME(ARGUMENTS) "FORMAT"'),
             ('instrument bad_event(int x', 'malformed event'),
             ('instrument bad_event(int x) "x %d" \udcff',
              'not valid UTF-8 (invalid start byte)')]
    for line, message in cases:
        with open(os.path.join(work, 'trace-events'), 'wb') as fobj:
            fobj.write(os.fsencode('ok_event(int x) "x %d"\n' + line + '\n'))
        proc = tracetool(env, work, 'dynamic', 'h', 'out.h',
                         selection=False, check=False)
        expect_eq(1, proc.returncode, 'exit status for %s' % line)
        expect_in("Error at trace-events:2: " + message, proc.stderr)
        expect('Traceback' not in proc.stderr, 'no Python traceback',
               proc.stderr)


def test_selection_errors(env):
    """A selection that matches nothing, or names a disabled event."""
    check = os.path.join(env.src, 'scripts', 'tracetool', 'instrument.py')
    events = os.path.join(DATA, 'trace-events')
    sel = env.tmp('selection')
    cases = [('qi_test_alloc\nnosuch_event\n',
              "selection:2: 'nosuch_event' matches no trace event"),
             ('zz_*\n', "selection:1: 'zz_*' matches no trace event"),
             ('qi_test_disabled\n', "selection:1: event 'qi_test_disabled' "
              "has the 'disable' property"),
             ('qi_test_alloc\n\udcff\n', 'selection:2: not valid UTF-8')]
    for text, message in cases:
        with open(sel, 'wb') as fobj:
            fobj.write(os.fsencode(text))
        proc = run([sys.executable, check, sel, events], check=False)
        expect_eq(1, proc.returncode, 'exit status for %r' % text)
        expect_in(message, proc.stderr)
        expect('Traceback' not in proc.stderr, 'no Python traceback',
               proc.stderr)
    # 'all' and globs skip disabled events silently
    with open(sel, 'w') as fobj:
        fobj.write('all\nqi_test_*\n')
    run([sys.executable, check, sel, events])
