#
# qemu-instr tests: published examples, built against the installed
# headers with pkg-config
#
# This work is licensed under the terms of the GNU GPL, version 2 or later.
# See the COPYING file in the top-level directory.
#
# SPDX-License-Identifier: GPL-2.0-or-later

"""The design documents' examples compile against an installation."""

import glob
import os
import re

from qemu_proc import SystemGuest
from qitest import HERE, run, expect, expect_eq, expect_in


def installed_cflags(env):
    """Install the headers (meson's 'devel' tag) into a scratch prefix and
    return what pkg-config says a library needs."""
    dest = env.tmp('install')
    if not os.path.isdir(dest):
        run(['meson', 'install', '--no-rebuild', '--destdir', dest,
             '--tags', 'devel'], cwd=env.build)
    pcs = glob.glob(os.path.join(dest, '**', 'qemu-instr.pc'),
                    recursive=True)
    expect(len(pcs) == 1, 'one installed qemu-instr.pc', pcs)
    # <prefix>/lib[/<multiarch>]/pkgconfig/qemu-instr.pc
    prefix = os.path.dirname(os.path.dirname(os.path.dirname(pcs[0])))
    if os.path.basename(os.path.dirname(prefix)) == 'lib':
        prefix = os.path.dirname(prefix)
    prefix = os.path.dirname(prefix)
    expect(os.path.isfile(os.path.join(prefix, 'include', 'qemu-instr',
                                       'qemu-instr.h')),
           'headers under the pkg-config prefix', prefix)
    proc = run(['pkg-config', '--define-variable=prefix=' + prefix,
                '--cflags', 'qemu-instr'],
               env=dict(os.environ,
                        PKG_CONFIG_PATH=os.path.dirname(pcs[0])))
    return proc.stdout.split()


def test_seed004_dynamic_example(env):
    """The 2017 manual's dynamic example, event renamed, loads and runs."""
    env.require_mode('dynamic')
    env.require_event('qemu_anon_ram_alloc')
    lib = env.tmp('libseed004.so')
    proc = run(['cc', '-shared', '-fPIC', '-O3', '-Wall', '-o', lib,
                os.path.join(HERE, 'seeds', 'seed004.c')]
               + installed_cflags(env))
    # Its only defect: qi_init()'s argv is declared "const char *"
    warnings = [line for line in proc.stderr.split('\n')
                if 'warning:' in line]
    expect(all('-Wformat' in w for w in warnings),
           'no warning but -Wformat on the argv typo', warnings)

    with SystemGuest(env.qemu_system(), args=['-instr', 'file=' + lib],
                     bios=env.guest_bin()) as vm:
        vm.wait_rounds(2)
        vm.check_rounds()
        vm.shutdown()
        log = vm.log()
    for line in ['init!', " argc :: 0",
                 "[exec] instrumenting 'qemu_anon_ram_alloc'",
                 "[exec] instrumenting 'guest_cpu_enter'",
                 'qemu_anon_ram_alloc! [instrument]',
                 # its qi_event_..._trace() reached the tracing backend
                 'qemu_anon_ram_alloc size ',
                 'fini!']:
        expect_in(line, log, 'QEMU output')


def test_seed000_example(env):
    """The first manual's example, unchanged: main() as init, arguments,
    guest_cpu_enter, guest_mem_before_trans asking for the execution-time
    call on stores only (as many as libmem counts with track=w),
    qi_set_fini(), trace-event iteration."""
    env.require_mode('dynamic')
    env.require_event('guest_mem_before_exec')
    lib = env.tmp('libseed000.so')
    proc = run(['cc', '-shared', '-fPIC', '-O3', '-Wall', '-o', lib,
                os.path.join(HERE, 'seeds', 'seed000.c')]
               + installed_cflags(env))
    expect_eq('', proc.stderr, 'compiler warnings')
    log = env.tmp('seed000.plugins')
    proc = run([env.qemu_user(), '-d', 'plugin', '-D', log,
                '-plugin', env.plugin('mem') + ',callback=on,track=w',
                '-instr', 'file=%s,arg=foo,arg=bar' % lib, '/bin/true'])
    out = proc.stdout.split('\n')
    expect_eq(['init!', '    argc :: 2', '            -> foo',
               '            -> bar'], out[:4], 'first lines')
    enter = [line for line in out if line.startswith('guest_cpu_enter: ')]
    expect_eq(1, len(enter), 'guest_cpu_enter lines')
    trans = [line.split() for line in out
             if line.startswith('guest_mem_before_trans: ')]
    # name, vcpu, vcpu_exec, vaddr, size, sign, endianness, store
    expect(trans and all(len(t) == 8 and t[4] in ('1', '2', '4', '8', '16')
                         and t[6] == '0' for t in trans),
           'translated accesses, little-endian', trans[:3])
    expect_eq({'0', '1'}, set(t[7] for t in trans),
              'loads and stores translated')
    execs = [line.split() for line in out
             if line.startswith('guest_mem_before_exec: ')]
    expect(all(e[6] == '1' for e in execs), 'only stores executed',
           [e for e in execs if e[6] != '1'][:3])
    with open(log) as fobj:
        m = re.search(r'^mem accesses: (\d+)$', fobj.read(), re.M)
    expect(m, 'a count from libmem', 'none')
    expect_eq(int(m.group(1)), len(execs), 'executed stores (libmem track=w)')
