#
# qemu-instr tests: every error a user can cause when loading libraries
#
# This work is licensed under the terms of the GNU GPL, version 2 or later.
# See the COPYING file in the top-level directory.
#
# SPDX-License-Identifier: GPL-2.0-or-later

"""Clear messages at start-up (exit 1) and in the monitor (guest runs)."""

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
    ]


BAD_OPTIONS = [
    ('empty file', 'file=', "'file' needs a library path"),
    ('unknown key', 'file=x.so,colour=red', "unknown parameter 'colour'"),
    ('file twice', 'file=a.so,file=b.so', "'file' given twice"),
    ('no file', 'arg=1', "missing 'file='"),
    ('bad id', 'file=x.so,id=1x', "expects an identifier"),
]


def check_startup_error(qemu, args, message):
    proc = run([qemu] + args, check=False, timeout=60)
    expect_eq(1, proc.returncode, 'exit status of %s' % ' '.join(args))
    expect_in(message, proc.stderr, 'stderr')
    lines = [line for line in proc.stderr.split('\n') if line.strip()]
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
            expect_qmp_error(vm, message, 'instr-load', path=path)
            expect_in(message, vm.hmp.cmd('instr-load %s' % path),
                      'HMP reply')
        expect_eq([], vm.qmp.cmd('query-instr'), 'libraries loaded')

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
