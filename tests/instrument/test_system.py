#
# qemu-instr tests: loading and unloading libraries while a system guest
# runs, over HMP and QMP
#
# This work is licensed under the terms of the GNU GPL, version 2 or later.
# See the COPYING file in the top-level directory.
#
# SPDX-License-Identifier: GPL-2.0-or-later

"""instr-load / instr-unload / reload on a running guest."""

import os
import re
import time

from qemu_proc import SystemGuest, load_reference
from qitest import run, expect, expect_eq, expect_in
from test_steer import instr, parse_values, symbols

ROUND = re.compile(rb'round \d+ sum=[0-9a-f]{8}\n')


def captured(path):
    with open(path, 'rb') as fobj:
        return fobj.read()


def check_capture(vm, path, what):
    """The UART bytes the library saw are a piece of the guest's output,
    with at least one whole round line, and nothing more arrives once it
    is unloaded."""
    data = captured(path)
    expect(ROUND.search(data), '%s: a whole "round N sum=..." line' % what,
           repr(data[:200]))
    n = len(vm.rounds())
    vm.wait_rounds(n + 3)
    expect_eq(len(data), len(captured(path)),
              '%s: bytes captured after unload' % what)
    # The event fires before the UART passes the byte on: compare once
    # the guest has printed more
    with open(vm.serial_path, 'rb') as fobj:
        serial = fobj.read()
    expect(data in serial, '%s: bytes that the guest printed' % what,
           '%r\n     serial: %r' % (data, serial[-3000:]))


def wait_capture(path, nbytes=200, timeout=20):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if os.path.exists(path) and os.path.getsize(path) >= nbytes:
            return
        time.sleep(0.05)
    raise AssertionError('expected: %d bytes captured in %s\n     got: %d'
                         % (nbytes, path, os.path.getsize(path)
                            if os.path.exists(path) else 0))


def test_hmp_load_unload_reload(env):
    """HMP: load, info instr, unload, reload; the guest's result holds."""
    env.require_mode('dynamic')
    env.require_event('serial_write')
    lib = env.lib('serial')
    with SystemGuest(env.qemu_system(), bios=env.guest_bin()) as vm:
        vm.wait_rounds(2)
        info = build_info(env, [])
        expect_in('qemu-instr on QEMU %s, %s mode, API %d (libraries of API '
                  '%d and later load)\nNo instrumentation library loaded' %
                  (info['qemu-version'], info['mode'], info['api-version'],
                   info['api-version-min']),
                  vm.hmp.cmd('info instr'), 'info instr')
        for i, idopt in enumerate(['-i uart ', '']):
            out = env.tmp('hmp-serial-%d.txt' % i)
            reply = vm.hmp.cmd('instr-load %s%s out=%s' % (idopt, lib, out))
            libid = reply.strip()
            expect_eq('uart' if idopt else 'instr0', libid, 'printed id')
            expect_in('%s: %s out=%s' % (libid, lib, out),
                      vm.hmp.cmd('info instr'), 'info instr')
            wait_capture(out)
            expect_eq('', vm.hmp.cmd('instr-unload %s' % libid),
                      'instr-unload reply')
            expect_in('No instrumentation library loaded',
                      vm.hmp.cmd('info instr'), 'info instr')
            check_capture(vm, out, 'load %d' % i)
        vm.check_rounds()


def build_info(env, libraries):
    """What query-instr returns: the build's mode, the QEMU version it
    was built on, the API versions of its headers, and libraries."""
    with open(os.path.join(env.src, 'include', 'qemu-instr',
                           'types.h')) as fobj:
        api = dict(re.findall(r'#define (QI_API_VERSION\w*) (\d+)',
                              fobj.read()))
    return {'mode': env.mode, 'qemu-version': env.config('QEMU_VERSION')[1:-1],
            'api-version': int(api['QI_API_VERSION']),
            'api-version-min': int(api['QI_API_VERSION_MIN']),
            'libraries': libraries}


def qmp_load_unload_reload(env, smp=None):
    env.require_mode('dynamic')
    env.require_event('serial_write')
    lib = env.lib('serial')
    args = ['-accel', 'tcg,thread=multi'] if smp else []
    with SystemGuest(env.qemu_system(), args=args, smp=smp,
                     bios=env.guest_bin()) as vm:
        vm.wait_rounds(2)
        expect_eq(build_info(env, []), vm.qmp.cmd('query-instr'),
                  'query-instr with no library')
        for i in range(3):
            out = env.tmp('qmp-serial-smp%s-%d.txt' % (smp or 1, i))
            res = vm.qmp.cmd('instr-load', path=lib, args=['out=' + out])
            libid = res['id']
            expect_eq([{'id': libid, 'path': lib, 'args': ['out=' + out]}],
                      vm.qmp.cmd('query-instr')['libraries'], 'query-instr')
            wait_capture(out)
            expect_eq({}, vm.qmp.cmd('instr-unload', id=libid),
                      'instr-unload reply')
            expect_eq([], vm.qmp.cmd('query-instr')['libraries'], 'query-instr')
            check_capture(vm, out, 'load %d' % i)
        vm.check_rounds()
        expect_eq('running', vm.qmp.cmd('query-status')['status'], 'status')


def test_qmp_load_unload_reload(env):
    """QMP: load, query-instr, unload, reload; the guest's result holds."""
    qmp_load_unload_reload(env)


def test_qmp_load_unload_mttcg(env):
    """The same with four vCPU threads (MTTCG): unload stops them all."""
    qmp_load_unload_reload(env, smp=4)


def test_command_line_library_unloads(env):
    """A library given with -instr id=... unloads like any other."""
    env.require_mode('dynamic')
    env.require_event('serial_write')
    out = env.tmp('cmdline-serial.txt')
    args = ['-instr', 'file=%s,arg=out=%s,id=boot' % (env.lib('serial'), out)]
    with SystemGuest(env.qemu_system(), args=args,
                     bios=env.guest_bin()) as vm:
        wait_capture(out)
        expect_in(b'guest: start', captured(out), 'captured output')
        expect_eq([{'id': 'boot', 'path': env.lib('serial'),
                    'args': ['out=' + out]}],
                  vm.qmp.cmd('query-instr')['libraries'], 'query-instr')
        vm.qmp.cmd('instr-unload', id='boot')
        check_capture(vm, out, 'boot library')
        vm.check_rounds()


# Added to the round number where compute() starts
SEED_ADD = 1000


def test_regwrite_system(env):
    """The x86_64 system guest: libs/regwrite.c adds SEED_ADD to rax at
    compute()'s first instruction, where eax is the round's seed, so the
    guest prints for round N the sum reference.py computes for round
    N + SEED_ADD; and rip reads as the event's pc at every instruction
    of protected mode (in real mode gdb's rip is the offset in CS, not
    the address: the instructions before start32)."""
    env.require_mode('dynamic')
    image = env.guest_bin()
    syms = symbols(os.path.join(os.path.dirname(image), 'guest.elf'))
    out = env.tmp('regwrite-system.txt')
    args = instr(env.lib('regwrite'), 'out=' + out, 'pcreg=rip',
                 'addr=%x' % syms['compute'], 'reg=rax',
                 'add=%d' % SEED_ADD)
    with SystemGuest(env.qemu_system(), args=args, bios=image) as vm:
        rounds = vm.wait_rounds(1, timeout=120)
        vm.shutdown()
    ref = load_reference()
    expect_eq([(n, ref.round_sum(n + SEED_ADD)) for n, _ in rounds],
              rounds, 'round sums of the seeds changed')
    got, _ = parse_values(out)
    expect_eq(0, got['errors'], 'errors')
    expect(got['writes'] >= 64 * len(rounds), 'a write per compute() call',
           got['writes'])
    # Real mode: the reset vector (at 0xfffffff0, CS base 0xffff0000)
    # and the instructions from start16 to start32's far jump
    real = 1 + len(real_mode_insns(image, syms))
    expect(got['pc_checked'] > 1000000 and got['pc_mismatches'] == real and
           got['first_bad_pc'] == 0xfffffff0,
           'rip equal to the pc but at the %d real-mode instructions, '
           'from the reset vector on' % real, got)


def real_mode_insns(image, syms):
    """Addresses of the instructions of guest.S from start16 to start32
    (the 16-bit code), from objdump."""
    elf = os.path.join(os.path.dirname(image), 'guest.elf')
    text = run(['objdump', '-d', '-M', 'i8086', '--start-address=0x%x'
                % syms['start16'], '--stop-address=0x%x' % syms['start32'],
                elf]).stdout
    # "addr:\tbytes\tmnemonic": not the lines of an instruction's
    # bytes that go on without a mnemonic
    return [int(a, 16) for a in
            re.findall(r'^\s*([0-9a-f]+):\t[^\t]*\t\S', text, re.M)]
