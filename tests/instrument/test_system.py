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


def lib_info(env, libid, path, args, events, stats=False, calls=None,
             exec_sites=0):
    """What query-instr lists of a library of API version QI_API_VERSION
    with callbacks of events (priority 0), calls per event if it counts
    them."""
    callbacks = []
    for event in events:
        cb = {'event': event, 'priority': 0}
        if stats:
            cb['calls'] = calls[event]
        callbacks.append(cb)
    return {'id': libid, 'path': path, 'args': args,
            'api-version': build_info(env, [])['api-version'],
            'portable': False, 'stats': stats, 'callbacks': callbacks,
            'exec-sites': exec_sites}


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
            expect_eq([lib_info(env, libid, lib, ['out=' + out],
                                ['serial_write'])],
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
        expect_eq([lib_info(env, 'boot', env.lib('serial'), ['out=' + out],
                            ['serial_write'])],
                  vm.qmp.cmd('query-instr')['libraries'], 'query-instr')
        vm.qmp.cmd('instr-unload', id='boot')
        check_capture(vm, out, 'boot library')
        vm.check_rounds()


def test_introspection(env):
    """query-instr, info instr and instr-events: which library is attached
    to which event, in which order; with stats=on, how many times each
    callback was called: the serial callback once per byte the guest
    printed, the execution-time one as often as a second library that
    counts its own calls."""
    env.require_mode('dynamic')
    env.require_event('serial_write')
    serial, counter = env.lib('serial'), env.lib('order')
    out, log = env.tmp('intro-serial.txt'), env.tmp('intro-order.log')
    with SystemGuest(env.qemu_system(), bios=env.guest_bin()) as vm:
        vm.wait_rounds(1)
        vm.qmp.cmd('instr-load', path=serial, args=['out=' + out],
                   id='uart', stats=True)
        vm.qmp.cmd('instr-load', path=counter, id='first',
                   args=['name=first', 'log=' + log, 'prio=-1'])
        wait_capture(out)
        events = vm.qmp.cmd('instr-events', pattern='guest_insn_before_*')
        expect_eq([{'name': 'guest_insn_before_trans',
                    'libraries': ['first']},
                   {'name': 'guest_insn_before_exec',
                    'libraries': ['first']}], events, 'instr-events')
        expect_eq([{'name': 'serial_write', 'libraries': ['uart']}],
                  vm.qmp.cmd('instr-events', pattern='serial_write'),
                  'instr-events serial_write')
        vm.qmp.cmd('stop')
        libs = vm.qmp.cmd('query-instr')['libraries']
        expect_eq(['uart', 'first'], [l['id'] for l in libs], 'load order')
        uart = libs[0]
        expect_eq(True, uart['stats'], 'uart: stats')
        expect_eq(['serial_write'], [c['event'] for c in uart['callbacks']],
                  'uart: callbacks')
        vm.qmp.cmd('instr-unload', id='uart')
        vm.qmp.cmd('cont')
        # A call per byte written to the UART's transmit register, which
        # the library keeps, and per write to another register
        calls, data = uart['callbacks'][0]['calls'], len(captured(out))
        expect(data <= calls <= data + 16, 'serial_write calls: the %d '
               'bytes captured, and a few register writes' % data, calls)
        first = libs[1]
        expect_eq([{'event': 'guest_insn_before_trans', 'priority': -1},
                   {'event': 'guest_insn_before_exec', 'priority': -1}],
                  first['callbacks'], 'first: callbacks, without calls')
        expect_eq(1, first['exec-sites'], 'first: execution-time calls')
        info = vm.hmp.cmd('info instr')
        expect_in('first: %s name=first log=%s prio=-1\n'
                  '    guest_insn_before_trans, priority -1\n'
                  '    guest_insn_before_exec, priority -1\n'
                  '    1 execution-time calls emitted\n' % (counter, log),
                  info, 'info instr')
        vm.qmp.cmd('instr-unload', id='first')
        expect_eq([], vm.qmp.cmd('instr-events',
                                 pattern='guest_insn_before_*')[0]
                  ['libraries'], 'instr-events after the unloads')
        vm.check_rounds()


def test_stats_exec_calls(env):
    """stats=on at start-up: the calls of the icount test library's
    execution-time callbacks, which it counts too, are what it counted."""
    env.require_mode('dynamic')
    out = env.tmp('stats-icount.txt')
    args = ['-instr', 'file=%s,arg=out=%s,id=count,stats=on'
            % (env.lib('icount'), out)]
    with SystemGuest(env.qemu_system(), args=args,
                     bios=env.guest_bin()) as vm:
        vm.wait_rounds(2)
        vm.qmp.cmd('stop')
        calls = dict((c['event'], c['calls']) for c in
                     vm.qmp.cmd('query-instr')['libraries'][0]['callbacks'])
        vm.qmp.cmd('instr-unload', id='count')
        with open(out) as fobj:
            got = dict(zip(('insns', 'blocks', 'loads', 'stores'),
                           [int(x) for x in fobj.read().split()[1::2]]))
        expect_eq(got['insns'], calls['guest_insn_before_exec'],
                  'guest_insn_before_exec calls')
        expect_eq(got['blocks'], calls['guest_tb_before_exec'],
                  'guest_tb_before_exec calls')
        expect_eq(got['loads'] + got['stores'],
                  calls['guest_mem_before_exec'],
                  'guest_mem_before_exec calls')
        expect(calls['guest_insn_before_trans'] > 0, 'trans calls counted',
               calls)
    print('    %d instructions, %d blocks, %d accesses, as counted'
          % (got['insns'], got['blocks'], got['loads'] + got['stores']))


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
