#
# qemu-instr tests: interrupts and exceptions of a system guest
# (guest_discon) against QEMU's own -d int log
#
# This work is licensed under the terms of the GNU GPL, version 2 or later.
# See the COPYING file in the top-level directory.
#
# SPDX-License-Identifier: GPL-2.0-or-later

"""guest_discon in system mode: the same vectors as QEMU's -d int."""

import os
import re
import time

from qemu_proc import SystemGuest
from qitest import run, expect, expect_eq

QI_DISCON_INTERRUPT = 1
QI_DISCON_EXCEPTION = 2

# What guest/ints.S takes, in order: (vector, software) where software
# is -d int's i= field (1 for int3, into and int n).  Then TICKS IRQ0s
# of the PIT, which the guest's PICs deliver at vector PIC_BASE.
EXCEPTIONS = [(0x03, 1), (0x04, 1), (0x06, 0), (0x00, 0), (0x0d, 0),
              (0x40, 1), (0x40, 1), (0x40, 1), (0x21, 1)]
TICKS = 32
PIC_BASE = 0x20

# x86's do_interrupt_all() logs, in protected mode, one line per
# interrupt or exception it delivers, before it delivers it:
#   "     9: v=20 e=0000 i=0 cpl=0 IP=0008:00000000000f00da
#    pc=00000000000f00da SP=0010:... env->regs[R_EAX]=..."
# (one line; a register dump and "check_exception" lines come between)
INT_LINE = re.compile(r'^\s*\d+: v=([0-9a-f]+) e=([0-9a-f]+) i=(\d) '
                      r'cpl=\d+ IP=[0-9a-f]+:[0-9a-f]+ pc=([0-9a-f]+) ',
                      re.M)
OUR_LINE = re.compile(r'^discon (-?\d+) (\d+) ([0-9a-f]+) ([0-9a-f]+) '
                      r'([0-9a-f]+)$', re.M)


def guest_image(env, name):
    """guest/<name>.S's image (ints, smp), built on first use."""
    path = env.tmp(name + '.bin')
    if not os.path.exists(path):
        run(['make', '-s', '-f', os.path.join(env.tests, 'guest', 'Makefile'),
             name + '.bin'], cwd=env.workdir)
    return path


def wait_serial(vm, text, timeout=60):
    """Wait until the guest printed text; fail on "unexpected"."""
    deadline = time.monotonic() + timeout
    while text not in vm.serial():
        if 'unexpected' in vm.serial():
            vm._fail('the guest took a vector it did not expect')
        if not vm.alive():
            vm._fail('QEMU exited with code %s' % vm.proc.poll())
        if time.monotonic() > deadline:
            vm._fail('timed out waiting for %r' % text)
        time.sleep(0.05)


def read_int_log(path):
    """[(vector, error code, software, pc)] of QEMU's -d int log."""
    with open(path, errors='replace') as fobj:
        return [(int(v, 16), int(e, 16), int(i), int(pc, 16))
                for v, e, i, pc in INT_LINE.findall(fobj.read())]


def read_ours(path):
    """([(vcpu, kind, num, from_pc, to_pc)], total) of disconlog."""
    with open(path) as fobj:
        text = fobj.read()
    total = re.search(r'^total (\d+)$', text, re.M)
    expect(total, 'a last line "total N" (qi_fini ran)', text[-500:])
    return ([tuple(int(x, 10 if n < 2 else 16) for n, x in enumerate(m))
             for m in OUR_LINE.findall(text)], int(total.group(1)))


def expected_kind(vector, software):
    """The kind the -d int fields call for: software interrupts (int n,
    int3, into: i=1) and the CPU's exceptions are exceptions, even on
    a vector of the PIC's range (int $0x21); what the PIC delivers
    (i=0, vectors PIC_BASE to PIC_BASE + 15) is an interrupt."""
    if not software and PIC_BASE <= vector < PIC_BASE + 16:
        return QI_DISCON_INTERRUPT
    return QI_DISCON_EXCEPTION


def test_discon_system_matches_int_log(env):
    """guest/ints.S takes int3, into, ud2, a divide error, a #GP, int
    $0x40 three times, int $0x21, then 32 PIT interrupts (half of them
    in hlt, half in running code).  A library's guest_discon events are
    the entries of QEMU's own -d int log of the same run, one for one:
    the vector, the kind its fields say (i=1 or a CPU exception:
    exception; a PIC vector with i=0: interrupt), from_pc the pc= it
    logs (the faulting or int instruction; for an interrupt, the next
    to run), and to_pc the handler of the vector's IDT gate."""
    env.require_mode('dynamic')
    env.require_event('guest_discon')
    ours, log = env.tmp('discon-ints.txt'), env.tmp('discon-ints.int')
    args = ['-d', 'int', '-D', log, '-instr',
            'file=%s,arg=out=%s' % (env.lib('disconlog'), ours)]
    with SystemGuest(env.qemu_system(), args=args,
                     bios=guest_image(env, 'ints')) as vm:
        wait_serial(vm, 'ints: done\n')
        serial = vm.serial()
        vm.shutdown()

    # The guest's own account
    expect('ints: exceptions ok\n' in serial and
           'ints: ticks %d\n' % TICKS in serial,
           'the guest to take its exceptions and %d ticks' % TICKS, serial)
    stubs = re.search(r'^ints: stubs ([0-9a-f]{8}) size (\d+)$', serial,
                      re.M)
    taken = re.search(r'^ints: vectors((?: [0-9a-f]{2})*)$', serial, re.M)
    expect(stubs and taken, 'the "stubs" and "vectors" lines', serial)
    base, size = int(stubs.group(1), 16), int(stubs.group(2))
    want = EXCEPTIONS + [(PIC_BASE, 0)] * TICKS
    expect_eq([v for v, _ in want], [int(v, 16) for v in
                                     taken.group(1).split()],
              'vectors the guest counted')

    # QEMU's account
    logged = read_int_log(log)
    expect_eq(want, [(v, i) for v, _, i, _ in logged],
              '(vector, i=) of the -d int log')
    expect_eq(0x28, logged[4][1], 'the #GP error code in the log')

    # Ours: the same, one for one
    events, total = read_ours(ours)
    expect_eq(len(events), total, 'events logged and counted')
    want = [(0, expected_kind(v, i), v, pc, base + v * size)
            for v, _, i, pc in logged]
    expect_events(want, events)
    print('    %d events: %d exceptions, %d interrupts, as -d int logs'
          % (len(events),
             sum(e[1] == QI_DISCON_EXCEPTION for e in events),
             sum(e[1] == QI_DISCON_INTERRUPT for e in events)))


def show(event):
    return 'vcpu %d kind %d num %x from %x to %x' % event


def expect_events(want, got):
    """The events of got are those of want, in order; otherwise say
    where they part, with the events around."""
    if want == got:
        return
    n = next((i for i, (a, b) in enumerate(zip(want, got)) if a != b),
             min(len(want), len(got)))
    lo = max(0, n - 2)
    raise AssertionError(
        'expected: %d guest_discon events as -d int logs them\n'
        '     got: %d, differing from event %d on\n'
        '  expected events %d-:\n%s\n  got:\n%s'
        % (len(want), len(got), n, lo,
           '\n'.join('    ' + show(e) for e in want[lo:n + 4]),
           '\n'.join('    ' + show(e) for e in got[lo:n + 4])))
