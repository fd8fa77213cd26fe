#
# qemu-instr tests: generated hostile input
#
# This work is licensed under the terms of the GNU GPL, version 2 or later.
# See the COPYING file in the top-level directory.
#
# SPDX-License-Identifier: GPL-2.0-or-later

"""Generated -instr option strings, monitor instr-load arguments, event
selection files and trace-events mutations: none may crash, hang, leak
a file descriptor, or leave a library loaded after a failed load.

The cases are drawn from a seeded generator (QI_FUZZ_SEED, default 1),
so a failure is reproducible; QI_FUZZ_SCALE multiplies the counts."""

import concurrent.futures
import io
import os
import random
import re
import subprocess
import sys
import traceback

from qemu_proc import SystemGuest, SANITIZER_ENV, QMPError
from qitest import run, expect, expect_eq

SEED = int(os.environ.get('QI_FUZZ_SEED', '1'))
SCALE = float(os.environ.get('QI_FUZZ_SCALE', '1'))


def count(env, n):
    """n cases, fewer on the sanitizers' slower build."""
    return max(1, int(n * SCALE / (10 if env.sanitized else 1)))


def words(rng):
    """Strings a user (or a script gone wrong) may pass."""
    return rng.choice([
        '', ' ', 'a', 'x=y', 'out=', ',', ',,', '=', '==', 'a,b', 'a,,b',
        'on', 'off', 'yes', 'no', 'true', '1', '0', '-1', 'maybe', 'refuse',
        'instr0', 'id', 'file', 'arg', 'stats', '\t', '"', "'", '\\',
        'é', '\u2603', 'a' * rng.randint(100, 5000), '%s%n%x', '\x7f',
        '../..', '/', '.', 'file=x', 'arg=arg=', 'id=a,id=b',
    ])


class Files:
    """The files the fuzz cases name: libraries good and bad, and
    things that are no library."""

    def __init__(self, env):
        self.accept = env.lib('accept')
        self.refuse = env.lib('refuse')
        self.noinit = env.lib('noinit')
        self.noversion = env.lib('version', headers=False)
        self.text = env.tmp('fuzz-text.so')
        with open(self.text, 'w') as fobj:
            fobj.write('not a library\n')
        self.directory = env.workdir
        self.libraries = [self.accept, self.refuse, self.noinit,
                          self.noversion]

    def path(self, rng):
        return rng.choice([
            self.accept, self.accept, self.refuse, self.noinit,
            self.noversion, self.text, self.directory, '/dev/null',
            '/nonexistent/lib.so', '', 'lib.so', self.accept + ',x',
            self.accept + '\x00', '/' * rng.randint(1, 300) + 'x',
            'x' * 5000, os.path.relpath(self.accept), words(rng)])


def mutate(rng, text):
    """text with a few characters deleted, doubled or replaced."""
    chars = list(text)
    for _ in range(rng.randint(1, 3)):
        if not chars:
            break
        i = rng.randrange(len(chars))
        op = rng.randrange(3)
        if op == 0:
            del chars[i]
        elif op == 1:
            chars.insert(i, chars[i])
        else:
            chars[i] = rng.choice(',=\\"\' \x01\xffa')
    return ''.join(chars)


def instr_option(rng, files):
    """One -instr value."""
    params = []
    if rng.random() < 0.8:
        params.append(rng.choice(['file=', '', 'File=', 'file ='])
                      + files.path(rng))
    for _ in range(rng.randint(0, 4)):
        key = rng.choice(['arg', 'arg', 'id', 'stats', 'bogus', '', 'file',
                          'arg ', 'ARG'])
        value = rng.choice([words(rng), words(rng).replace(',', ',,'),
                            'refuse', 'a1', '1a', 'on', 'off'])
        params.append(key if rng.random() < 0.05 else key + '=' + value)
    rng.shuffle(params)
    text = ','.join(params)
    return mutate(rng, text) if rng.random() < 0.3 else text


def tiny_guest(env):
    """A static x86-64 program that only exits: QEMU's start and exit are
    all a case costs."""
    path = env.tmp('exit0')
    if not os.path.exists(path):
        src = env.tmp('exit0.S')
        with open(src, 'w') as fobj:
            fobj.write('.globl _start\n_start:\n'
                       '    mov $60, %eax\n    xor %edi, %edi\n'
                       '    syscall\n')
        run(['cc', '-static', '-nostdlib', '-o', path, src])
    return path


def check_exit(proc, what):
    expect(proc.returncode in (0, 1), '%s: exit status 0 or 1' % what,
           '%d, stderr:\n%s' % (proc.returncode, proc.stderr[-2000:]))
    for bad in ('AddressSanitizer', 'runtime error:', 'LeakSanitizer',
                'Segmentation fault', 'Traceback'):
        expect(bad not in proc.stderr, '%s: no %s' % (what, bad),
               proc.stderr[-2000:])


def test_fuzz_instr_option(env):
    """Generated -instr values, one to three per run of qemu-x86_64: each
    run exits 0 (the libraries loaded) or 1 with a message, within 30 s,
    and never crashes."""
    env.require_mode('dynamic')
    qemu, guest, files = env.qemu_user(), tiny_guest(env), Files(env)
    rng = random.Random(SEED)
    cases = []
    for _ in range(count(env, 10000)):
        argv = [qemu]
        for _ in range(rng.choice([1, 1, 1, 2, 3])):
            argv += ['-instr', instr_option(rng, files)]
        cases.append(argv + [guest])

    def one(argv):
        # Arguments with NUL cannot reach exec(): drop what follows one
        argv = [a.split('\x00')[0] for a in argv]
        proc = subprocess.run(argv, stdin=subprocess.DEVNULL,
                              capture_output=True, timeout=30,
                              env=dict(os.environ, **SANITIZER_ENV),
                              cwd=env.workdir, errors='replace', text=True)
        return argv, proc

    status = {0: 0, 1: 0}
    with concurrent.futures.ThreadPoolExecutor(os.cpu_count() or 2) as pool:
        for argv, proc in pool.map(one, cases):
            check_exit(proc, ' '.join(repr(a) for a in argv[1:-1]))
            if proc.returncode == 1:
                lines = [l for l in proc.stderr.splitlines() if l.strip()]
                expect(1 <= len(lines) <= 2,
                       'one message (and at most one hint): %r' % argv[1:-1],
                       proc.stderr)
            status[proc.returncode] += 1
    print('    %d runs of qemu-x86_64: %d loaded and ran, %d refused'
          % (len(cases), status[0], status[1]))


def fd_count(pid):
    return len(os.listdir('/proc/%d/fd' % pid))


def mapped(pid, paths):
    """The paths of paths that process pid has mapped."""
    with open('/proc/%d/maps' % pid) as fobj:
        maps = fobj.read()
    return [p for p in paths if p in maps]


def qmp_case(rng, files):
    """Arguments of one QMP instr-load, some of the wrong type."""
    args = {}
    if rng.random() < 0.95:
        args['path'] = rng.choice([files.path(rng), files.path(rng),
                                   42, None, ['x'], {'a': 1}])
    if rng.random() < 0.5:
        args['args'] = rng.choice([[words(rng) for _ in
                                    range(rng.randint(0, 5))],
                                   'notalist', [1, 2], [None]])
    if rng.random() < 0.4:
        args['id'] = rng.choice(['a1', 'fuzz', '1a', '', 'a b', 'x' * 300,
                                 'instr0', 7, words(rng)])
    if rng.random() < 0.3:
        args['stats'] = rng.choice([True, False, 'yes', 1])
    if rng.random() < 0.05:
        args['bogus'] = 1
    return args


def hmp_case(rng, files):
    """One HMP instr-load command line."""
    parts = ['instr-load']
    if rng.random() < 0.3:
        parts += ['-i', rng.choice(['a1', '1a', 'fuzz', '-i', '""'])]
    if rng.random() < 0.95:
        parts.append(files.path(rng).replace('\x00', ''))
    for _ in range(rng.randint(0, 4)):
        parts.append(rng.choice([words(rng), '"a b"', "'unbalanced",
                                 '"', 'x\\', 'refuse']))
    line = ' '.join(parts)
    line = mutate(rng, line) if rng.random() < 0.2 else line
    return line.replace('\n', ' ').replace('\r', ' ').replace('\x00', '')


def test_fuzz_monitor_load(env):
    """Generated instr-load argument sets, over QMP and HMP, on a running
    guest: each loads (and is unloaded) or fails with an error; after
    every failure no library is loaded, no descriptor is left open and
    no file of a refused library is mapped; the guest runs on."""
    env.require_mode('dynamic')
    files = Files(env)
    rng = random.Random(SEED)
    loaded = refused = 0
    with SystemGuest(env.qemu_system(), bios=env.guest_bin()) as vm:
        vm.wait_rounds(2)
        pid = vm.proc.pid
        fds = fd_count(pid)
        n = count(env, 10000)
        for i in range(n):
            what = None
            if i % 2 == 0:
                args = qmp_case(rng, files)
                what = 'QMP instr-load %r' % args
                try:
                    libid = vm.qmp.cmd('instr-load', args)['id']
                except QMPError:
                    libid = None
            else:
                line = hmp_case(rng, files)
                what = 'HMP %r' % line
                # Mostly through QMP's human-monitor-command: the HMP
                # socket's line editor redraws the line at each
                # character, which takes seconds for the long ones, and
                # takes control characters as editing keys
                if i % 20 == 1 and len(line) < 200 and line.isprintable():
                    reply = vm.hmp.cmd(line, timeout=30)
                else:
                    reply = vm.qmp.hmp(line)
                lines = reply.splitlines()
                if len(lines) == 1 and re.match(r'^[A-Za-z][\w.-]*$',
                                                lines[0]):
                    libid = lines[0]
                else:
                    expect(reply.strip(), what + ': an error message',
                           reply)
                    libid = None
            if libid:
                loaded += 1
                vm.qmp.cmd('instr-unload', id=libid)
            else:
                refused += 1
                expect_eq([], vm.qmp.cmd('query-instr')['libraries'],
                          what + ': libraries loaded after it')
            if i % 250 == 0 or i == n - 1:
                expect(vm.alive(), what + ': QEMU alive', vm.log())
                expect_eq(fds, fd_count(pid), what + ': open descriptors')
                expect_eq([], mapped(pid, files.libraries),
                          what + ': libraries still mapped')
        rounds = len(vm.rounds())
        vm.wait_rounds(rounds + 2)
        vm.check_rounds()
        expect_eq(0, vm.shutdown(timeout=120), 'exit status of QEMU')
    print('    %d monitor loads: %d loaded and unloaded, %d refused'
          % (n, loaded, refused))


# The trace-events files the selection test matches against: the guest
# events and a few hundred of QEMU's (every file would make each case
# ten times slower, and test nothing more)
SELECTION_FILES = ['trace-events', 'util/trace-events', 'block/trace-events',
                   'hw/char/trace-events', 'system/trace-events',
                   'accel/tcg/trace-events', 'linux-user/trace-events']


def trace_event_files(env):
    return [os.path.join(env.src, f) for f in SELECTION_FILES
            if os.path.exists(os.path.join(env.src, f))]


def tracetool_module(env):
    path = os.path.join(env.src, 'scripts')
    if path not in sys.path:
        sys.path.insert(0, path)
    import tracetool
    import tracetool.instrument
    return tracetool


def selection_text(rng, names, disabled):
    lines = []
    for _ in range(rng.randint(0, 8)):
        lines.append(rng.choice([
            rng.choice(names), rng.choice(names), rng.choice(disabled),
            'guest_*', 'virtio_*', '*', 'all', '?', '[a-z]*', '[', '**',
            'no_such_event', '# comment', '', '   ', '\t' + rng.choice(names),
            rng.choice(names) + ' # why', rng.choice(names) + ' extra',
            words(rng), rng.choice(names)[:rng.randint(1, 8)] + '*']))
    text = '\n'.join(lines).encode('utf-8', 'surrogateescape')
    if rng.random() < 0.1:
        text += rng.choice([b'\xff\xfe', b'\x00', b'\r\n', b'\xc3'])
    return text


def test_fuzz_event_selection(env):
    """Generated --with-instrument-events files against the trace-events
    files of SELECTION_FILES, in the selection code configure runs: each is
    taken, or refused with a message naming the file; a sample through
    the command configure runs exits 1 with one line."""
    env.require_mode('dynamic', 'static')
    tt = tracetool_module(env)
    events = []
    for path in trace_event_files(env):
        with open(path, 'rb') as fobj:
            events.extend(tt.read_events(fobj, path))
    props = [list(e.properties) for e in events]
    names = [e.name for e in events]
    disabled = [e.name for e in events if 'disable' in e.properties] or \
        names
    rng = random.Random(SEED)
    sel = env.tmp('fuzz.selection')
    taken = refused = 0
    n = count(env, 10000)
    for i in range(n):
        with open(sel, 'wb') as fobj:
            fobj.write(selection_text(rng, names, disabled))
        try:
            tt.instrument.select(events, tt.instrument.read_selection(sel),
                                 sel)
            taken += 1
        except ValueError as err:
            expect(str(err).startswith(sel + ':'),
                   'a message naming the file and line', str(err))
            refused += 1
        except Exception:
            with open(sel, 'rb') as fobj:
                raise AssertionError('selection %r: %s' % (
                    fobj.read(), traceback.format_exc()))
        for e, p in zip(events, props):
            e.properties[:] = p
        if i % 1000 == 0:
            proc = run([sys.executable, os.path.join(
                env.src, 'scripts', 'tracetool', 'instrument.py'), sel] +
                trace_event_files(env), check=False)
            expect(proc.returncode in (0, 1), 'instrument.py: exit 0 or 1',
                   proc.stderr)
            if proc.returncode:
                expect_eq(1, len(proc.stderr.strip().splitlines()),
                          'instrument.py: one line of error')
    print('    %d selection files: %d taken, %d refused' % (n, taken,
                                                             refused))


# trace-events edits of the tracetool mutation test
TYPES = ['int', 'uint64_t', 'TCGv', 'TCGv_i64', 'QIMemInfo', 'float',
         'void', 'void *', 'const char *', 'struct x', 'int[2]', '...',
         'size_t', 'bool', 'uint8_t', 'char']
PROPS = ['tcg', 'vcpu', 'instrument', 'disable', 'bogus', 'tcg tcg']


def mutate_events(rng, lines):
    lines = list(lines)
    events = [i for i, l in enumerate(lines)
              if l.strip() and not l.startswith('#')]
    for _ in range(rng.randint(1, 3)):
        i = rng.choice(events)
        line = lines[i]
        op = rng.randrange(8)
        if op == 0:
            lines[i] = rng.choice(PROPS) + ' ' + line
        elif op == 1:
            lines[i] = re.sub(r'\(([^,)]*)', '(' + rng.choice(TYPES) + ' a',
                              line, count=1)
        elif op == 2:
            lines[i] = line.replace('"', '"%d ', 1)
        elif op == 3:
            lines[i] = line + ', "%d"'
        elif op == 4:
            lines[i] = line.replace(')', '', 1)
        elif op == 5:
            lines.insert(i, line)
        elif op == 6:
            lines[i] = mutate(rng, line)
        else:
            lines[i] = re.sub(r'"[^"]*"', '"%m"' if rng.random() < 0.5
                              else '"x\\n"', line, count=1)
    return lines


def test_fuzz_tracetool(env):
    """Mutations of the tracetool test input (every kind of event), run
    through every format in both modes: each is generated, or refused
    with tracetool's error; none raises anything else."""
    env.require_mode('dynamic', 'static')
    tt = tracetool_module(env)
    here = os.path.dirname(os.path.abspath(__file__))
    with open(os.path.join(here, 'tracetool', 'trace-events')) as fobj:
        base = fobj.read().splitlines()
    formats = ['h', 'c', 'qi-events-h', 'qi-events-list-h',
               'qi-tcg-helper-h', 'qi-tcg-c']
    rng = random.Random(SEED)
    ok = refused = 0
    n = count(env, 2000)
    saved = tt.instrument.MODE
    try:
        for _ in range(n):
            text = ('\n'.join(mutate_events(rng, base)) + '\n').encode(
                'utf-8', 'surrogateescape')
            mode = rng.choice(['dynamic', 'static', 'none'])
            for fmt in formats:
                tt.instrument.MODE = mode
                try:
                    events = tt.read_events(io.BytesIO(text), 'trace-events')
                    tt.out_fobj, tt.out_lineno = io.StringIO(), 1
                    tt.generate(events, 'qi_test', fmt, ['log'])
                    ok += 1
                except (ValueError, tt.TracetoolError):
                    refused += 1
                except Exception:
                    raise AssertionError('%s mode, format %s, input:\n%s\n%s'
                                         % (mode, fmt, text.decode(
                                             'utf-8', 'replace'),
                                            traceback.format_exc()))
    finally:
        tt.instrument.MODE = saved
        tt.out_fobj = sys.stdout
    print('    %d mutations x %d formats: %d generated, %d refused'
          % (n, len(formats), ok, refused))
