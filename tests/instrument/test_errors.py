#
# qemu-instr tests: every error a user can cause when loading libraries
#
# This work is licensed under the terms of the GNU GPL, version 2 or later.
# See the COPYING file in the top-level directory.
#
# SPDX-License-Identifier: GPL-2.0-or-later

"""Clear messages at start-up (exit 1) and in the monitor (guest runs)."""

import os

from qemu_proc import SystemGuest, QMPError
from qitest import run, expect, expect_eq, expect_in


def bad_libraries(env):
    """(description, -instr value, expected message) of each bad library."""
    text = env.tmp('not-a-library.so')
    with open(text, 'w') as fobj:
        fobj.write('this is not an ELF file\n' * 100)
    return [
        ('missing file', 'file=' + env.tmp('missing.so'),
         'cannot open instrumentation library'),
        ('not a library', 'file=' + text, 'invalid ELF header'),
        ('no qi_init', 'file=' + env.lib('noinit'),
         'does not define qi_init()'),
        ('no API version', 'file=' + env.lib('version', headers=False),
         'does not define qi_api_version'),
        ('API version too new', 'file=' + env.lib('version', '-DVERSION=99',
                                                  headers=False),
         'built for qemu-instr API version 99, newer than this QEMU'),
        ('API version too old', 'file=' + env.lib('version', '-DVERSION=0',
                                                  headers=False),
         'built for qemu-instr API version 0, older than the oldest'),
        ('qi_init refuses', 'file=' + env.lib('refuse'),
         'refused to start: qi_init() returned 3'),
        ('a directory', 'file=' + env.workdir, 'Is a directory'),
        ('an empty file', 'file=' + empty_file(env), 'file too short'),
        ('wrong architecture', 'file=' + aarch64_library(env),
         'it is built for aarch64 (ELF machine 183), and this QEMU runs '
         'on x86-64 (ELF machine 62)'),
        ('wrong ELF class', 'file=' + elf32_library(env),
         'it is a 32-bit library, and this QEMU is 64-bit'),
        ('non-UTF-8 path', 'file=' + env.tmp('\udcff\udcfe.so'),
         "cannot open instrumentation library '%s'"
         % env.tmp('\ufffd\ufffd.so')),
    ]


def empty_file(env):
    path = env.tmp('empty.so')
    open(path, 'w').close()
    return path


def aarch64_library(env):
    """A qemu-instr library built for aarch64 (or the test is skipped)."""
    path = env.tmp('libaarch64.so')
    if not os.path.exists(path):
        src = os.path.join(env.tests, 'libs', 'refuse.c')
        cc = 'aarch64-linux-gnu-gcc'
        if not run(['sh', '-c', 'command -v ' + cc], check=False).stdout:
            env.skip(cc + ' is not installed (build-aux/install-deps '
                     'installs it)')
        run([cc, '-shared', '-fPIC', '-o', path, src] + env.cflags())
    return path


def elf32_library(env):
    """A library whose ELF header says 32-bit (EI_CLASS = ELFCLASS32)."""
    path = env.tmp('libelf32.so')
    with open(env.lib('refuse'), 'rb') as fobj:
        data = bytearray(fobj.read())
    data[4] = 1
    with open(path, 'wb') as fobj:
        fobj.write(data)
    return path


BAD_OPTIONS = [
    ('empty file', 'file=', "'file' needs a library path"),
    ('unknown key', 'file=x.so,colour=red', "unknown parameter 'colour'"),
    ('file twice', 'file=a.so,file=b.so', "'file' given twice"),
    ('no file', 'arg=1', "missing 'file='"),
    ('bad id', 'file=x.so,id=1x', "expects an identifier"),
    ('id twice', 'file=x.so,id=a,id=b', "'id' given twice"),
    ('empty string', '', "missing 'file='"),
    ('only a comma', ',', "'file' needs a library path"),
    ('empty key', 'file=x.so,=1', "unknown parameter ''"),
    ('arg without a value', 'file=x.so,arg', "'arg' needs a value"),
]


def check_startup_error(qemu, args, message):
    # Non-UTF-8 bytes are passed as the surrogates os.fsencode() takes
    proc = run([qemu] + [os.fsencode(arg) for arg in args], check=False,
               timeout=60)
    expect_eq(1, proc.returncode, 'exit status of %s' % ' '.join(args))
    expect_in(message, proc.stderr, 'stderr')
    # Not ours: AddressSanitizer on QEMU's coroutines (check-sanitizers)
    lines = [line for line in proc.stderr.split('\n') if line.strip() and
             "WARNING: ASan doesn't fully support makecontext" not in line]
    expect(len(lines) <= 2, 'one message (and at most one hint)',
           proc.stderr)


def test_user_startup_errors(env):
    """qemu-x86_64 -instr with a bad library or option exits with a reason."""
    env.require_mode('dynamic')
    qemu = env.qemu_user()
    for what, opt, message in bad_libraries(env) + BAD_OPTIONS:
        check_startup_error(qemu, ['-instr', opt, '/bin/true'], message)


def test_system_startup_errors(env):
    """qemu-system-x86_64 -instr with a bad library exits with a reason."""
    env.require_mode('dynamic')
    qemu = env.qemu_system()
    for what, opt, message in bad_libraries(env) + BAD_OPTIONS:
        check_startup_error(qemu, ['-nodefaults', '-display', 'none',
                                   '-machine', 'none', '-instr', opt],
                            message)


def expect_qmp_error(vm, message, name, **args):
    try:
        vm.qmp.cmd(name, arguments=args)
    except QMPError as err:
        expect_eq('GenericError', err.error_class, 'error class')
        expect_in(message, err.desc, 'QMP error')
    else:
        raise AssertionError('%s %r succeeded' % (name, args))


def test_monitor_errors(env):
    """instr-load/instr-unload errors over QMP and HMP; the guest runs on."""
    env.require_mode('dynamic')
    with SystemGuest(env.qemu_system(), bios=env.guest_bin()) as vm:
        vm.wait_rounds(2)
        for what, opt, message in bad_libraries(env):
            path = opt[len('file='):]
            if what == 'non-UTF-8 path':
                continue    # QMP is JSON: UTF-8 only
            expect_qmp_error(vm, message, 'instr-load', path=path)
            expect_in(message, vm.hmp.cmd('instr-load %s' % path),
                      'HMP reply')
        expect_eq([], vm.qmp.cmd('query-instr')['libraries'], 'libraries loaded')

        unknown = "no instrumentation library with id 'nosuchid'"
        expect_in(unknown, vm.hmp.cmd('instr-unload nosuchid'), 'HMP reply')
        expect_qmp_error(vm, unknown, 'instr-unload', id='nosuchid')

        # Taken id, library already loaded, invalid id, double unload
        lib = env.lib('args')
        out = env.tmp('args-mon.txt')
        expect_eq({'id': 'one'}, vm.qmp.cmd('instr-load', path=lib,
                                            args=['out=' + out], id='one'))
        expect_qmp_error(vm, "with id 'one' is already loaded", 'instr-load',
                         path=env.lib('syscalls'), id='one')
        expect_qmp_error(vm, "is already loaded, with id 'one'",
                         'instr-load', path=lib)
        expect_qmp_error(vm, "invalid instrumentation library id '1bad'",
                         'instr-load', path=env.lib('syscalls'), id='1bad')
        vm.qmp.cmd('instr-unload', id='one')
        expect_qmp_error(vm, "no instrumentation library with id 'one'",
                         'instr-unload', id='one')

        n = len(vm.rounds())
        vm.wait_rounds(n + 2)
        vm.check_rounds()


def test_odd_arguments(env):
    """Huge and non-UTF-8 arguments reach qi_init() intact."""
    env.require_mode('dynamic')
    out = env.tmp('args-odd.txt')
    huge = 'x' * 100000
    odd = os.fsdecode(b'\xff\xfe-not-utf-8')
    comma = 'a,b'
    opt = 'file=%s,arg=out=%s,arg=%s,arg=%s,arg=%s' % (
        env.lib('args'), out, huge, odd, comma.replace(',', ',,'))
    run([env.qemu_user(), '-instr', os.fsencode(opt), '/bin/true'])
    with open(out, 'rb') as fobj:
        lines = fobj.read().split(b'\n')
    expect_eq([b'argc 4', os.fsencode('out=' + out), huge.encode(),
               os.fsencode(odd), comma.encode(), b''], lines,
              'arguments qi_init() got')


def test_monitor_bad_arguments(env):
    """Missing, wrongly typed and unknown monitor arguments are errors;
    the guest runs on."""
    env.require_mode('dynamic')
    lib = env.lib('args')
    with SystemGuest(env.qemu_system(), bios=env.guest_bin()) as vm:
        vm.wait_rounds(2)
        for message, name, args in [
                ("Parameter 'path' is missing", 'instr-load', {}),
                ("Invalid parameter type for 'path', expected: string",
                 'instr-load', {'path': 42}),
                ("Invalid parameter type for 'args', expected: array",
                 'instr-load', {'path': lib, 'args': 'out=x'}),
                ("Invalid parameter type for 'args[0]', expected: string",
                 'instr-load', {'path': lib, 'args': [1]}),
                ("Invalid parameter type for 'id', expected: string",
                 'instr-load', {'path': lib, 'id': ['a']}),
                ("Parameter 'colour' is unexpected", 'instr-load',
                 {'path': lib, 'colour': 'red'}),
                ('no instrumentation library given', 'instr-load',
                 {'path': ''}),
                ("Parameter 'id' is missing", 'instr-unload', {}),
                ("Invalid parameter type for 'id', expected: string",
                 'instr-unload', {'id': 7}),
                ("Parameter 'x' is unexpected", 'query-instr', {'x': 1})]:
            expect_qmp_error(vm, message, name, **args)
        for line, message in [
                ('instr-load', 'instr-load: filename expected'),
                ('instr-unload', 'instr-unload: string expected'),
                ('instr-load %s "out=unterminated' % lib,
                 "cannot parse the library arguments"),
                ('instr-load -i 1x %s' % lib,
                 "invalid instrumentation library id '1x'"),
                ('instr-unload no such',
                 'instr-unload: extraneous characters at the end of line')]:
            expect_in(message, vm.hmp.cmd(line), 'HMP reply to ' + line)
        # A 1 MiB argument over QMP: QEMU's JSON parser takes seconds to
        # read it, more on a loaded machine
        out = env.tmp('args-huge.txt')
        huge = 'y' * (1 << 20)
        vm.qmp.cmd('instr-load', path=lib, args=['out=' + out, huge],
                   id='huge', timeout=120)
        with open(out) as fobj:
            expect_eq('argc 2\nout=%s\n%s\n' % (out, huge), fobj.read(),
                      'arguments of the 1 MiB load')
        vm.qmp.cmd('instr-unload', id='huge')
        expect_eq([], vm.qmp.cmd('query-instr')['libraries'], 'libraries loaded')
        n = len(vm.rounds())
        vm.wait_rounds(n + 2)
        vm.check_rounds()


def check_misuse(path, what):
    with open(path) as fobj:
        lines = fobj.read().split('\n')
    failed = [line for line in lines if line.startswith('FAIL')]
    expect_eq([], failed, what + ': failed checks')
    done = [line for line in lines if line.startswith('done ')]
    expect_eq(1, len(done), what + ': "done N" lines')
    # Every check printed a line, in qi_init() and in the callback
    oks = len([line for line in lines if line.startswith('ok ')])
    expect(oks == int(done[0].split()[1]) > 80,
           what + ': over 80 checks (qi_init() and a callback), all ok',
           '%d ok lines, %s' % (oks, done[0]))


def test_api_misuse_user(env):
    """The API called with NULL, unknown ids and bad patterns returns its
    error values (tests/instrument/libs/misuse.c); the program runs."""
    env.require_mode('dynamic')
    out = env.tmp('misuse-user.txt')
    proc = run([env.qemu_user(), '-instr', 'file=%s,arg=out=%s'
                % (env.lib('misuse'), out), '/bin/echo', 'still here'])
    expect_eq('still here\n', proc.stdout, 'program output')
    check_misuse(out, 'qemu-x86_64')


def test_api_misuse_system(env):
    """The same, loaded over QMP into a running system guest."""
    env.require_mode('dynamic')
    out = env.tmp('misuse-system.txt')
    with SystemGuest(env.qemu_system(), bios=env.guest_bin()) as vm:
        vm.wait_rounds(2)
        vm.qmp.cmd('instr-load', path=env.lib('misuse'),
                   args=['out=' + out], id='misuse')
        n = len(vm.rounds())
        vm.wait_rounds(n + 2)
        vm.qmp.cmd('instr-unload', id='misuse')
        vm.check_rounds()
    check_misuse(out, 'qemu-system-x86_64')


BAD_POLICIES = [
    ('monitor=off,dir=/', "'dir' allows libraries that 'monitor=off' "
     "refuses"),
    ('dir=/nonexistent-dir', "dir '/nonexistent-dir': No such file or "
     "directory"),
    ('dir=/etc/passwd', "dir '/etc/passwd' is not a directory"),
    ('colour=red', "Invalid parameter 'colour'"),
    ('monitor=maybe', "Parameter 'monitor' expects 'on' or 'off'"),
]


def test_policy_startup_errors(env):
    """-instr-policy misuse exits with one message."""
    env.require_mode('dynamic')
    args = ['-nodefaults', '-display', 'none', '-machine', 'none']
    for opt, message in BAD_POLICIES:
        check_startup_error(env.qemu_system(), args + ['-instr-policy', opt],
                            message)
    check_startup_error(env.qemu_system(), args + [
        '-instr-policy', 'monitor=off', '-instr-policy', 'monitor=on'],
        'given twice (there is one policy, fixed at start-up)')


def expect_refused(vm, path, message):
    """instr-load of path is refused over QMP and HMP, and logged."""
    logged = "warning: instr-load refused: cannot load '%s': " % path
    expect_qmp_error(vm, message, 'instr-load', path=path)
    expect_eq(1, vm.log().count(logged), 'QMP refusal logged once')
    reply = vm.hmp.cmd('instr-load ' + path)
    expect_in(message, reply, 'HMP reply')
    expect(logged not in reply, 'one message in the HMP reply', reply)
    expect_eq(2, vm.log().count(logged), 'HMP refusal logged too')


def test_policy_monitor_off(env):
    """monitor=off: every instr-load is refused; -instr still loads, and
    instr-unload still works."""
    env.require_mode('dynamic')
    lib = env.lib('args')
    out = env.tmp('policy-off.txt')
    args = ['-instr-policy', 'monitor=off',
            '-instr', 'file=%s,arg=out=%s,id=boot' % (lib, out)]
    with SystemGuest(env.qemu_system(), args=args,
                     bios=env.guest_bin()) as vm:
        vm.wait_rounds(2)
        expect_eq(['boot'], [lib['id'] for lib in vm.qmp.cmd('query-instr')['libraries']],
                  'libraries loaded')
        expect_refused(vm, env.lib('syscalls'), "cannot load '%s': loading "
                       "instrumentation libraries from the monitor is "
                       "disabled (-instr-policy monitor=off)"
                       % env.lib('syscalls'))
        vm.qmp.cmd('instr-unload', id='boot')
        expect_refused(vm, lib, 'is disabled (-instr-policy monitor=off)')
        expect_eq([], vm.qmp.cmd('query-instr')['libraries'], 'libraries loaded')
        n = len(vm.rounds())
        vm.wait_rounds(n + 2)
        vm.check_rounds()


def test_policy_dir(env):
    """dir=DIR: only libraries whose real path is in DIR load; symbolic
    links and '..' do not get around it."""
    env.require_mode('dynamic')
    allowed = env.tmp('allowed')
    os.makedirs(allowed, exist_ok=True)
    inside = os.path.join(allowed, 'libargs.so')
    with open(env.lib('args'), 'rb') as src, open(inside, 'wb') as dst:
        dst.write(src.read())
    outside = env.lib('syscalls')
    link_out = os.path.join(allowed, 'link-out.so')     # in DIR, to outside
    link_in = env.tmp('link-in.so')                     # outside, to DIR
    for link, target in [(link_out, outside), (link_in, inside)]:
        if not os.path.lexists(link):
            os.symlink(target, link)
    # A sibling whose name starts like DIR's
    sibling = env.tmp('allowed-not')
    os.makedirs(sibling, exist_ok=True)
    in_sibling = os.path.join(sibling, 'lib.so')
    with open(outside, 'rb') as src, open(in_sibling, 'wb') as dst:
        dst.write(src.read())
    # Through a symbolic link to DIR itself
    with SystemGuest(env.qemu_system(),
                     args=['-instr-policy', 'dir=' + allowed],
                     bios=env.guest_bin()) as vm:
        vm.wait_rounds(2)
        message = ("only libraries in '%s' may be loaded from the monitor "
                   "(-instr-policy dir=)" % allowed)
        for path in [outside, link_out, in_sibling,
                     os.path.join(allowed, '..', 'allowed-not', 'lib.so')]:
            expect_refused(vm, path, message)
        for i, path in enumerate([inside, link_in,
                                  os.path.join(allowed, '.', 'libargs.so')]):
            out = env.tmp('policy-dir-%d.txt' % i)
            vm.qmp.cmd('instr-load', path=path, args=['out=' + out], id='ok')
            expect_eq([inside], [lib['path'] for lib in
                                 vm.qmp.cmd('query-instr')['libraries']], 'loaded')
            vm.qmp.cmd('instr-unload', id='ok')
            expect(os.path.exists(out), 'the library ran', out)
        n = len(vm.rounds())
        vm.wait_rounds(n + 2)
        vm.check_rounds()
