#
# qemu-instr tests: loading and unloading under load, and libraries that
# unload themselves
#
# This work is licensed under the terms of the GNU GPL, version 2 or later.
# See the COPYING file in the top-level directory.
#
# SPDX-License-Identifier: GPL-2.0-or-later

"""instr-load/instr-unload cycles on a busy MTTCG guest; qi_unload_self()."""

import hashlib
import random
import re
import shutil
import struct
import threading
import time

from qemu_proc import SystemGuest, PINNED_ENV
from qitest import run, expect, expect_eq, expect_in

# The words of tests/instrument/libs/stress.c's shared file
WORDS = ('loads', 'finis', 'active', 'trans', 'exec', 'inline', 'late',
         'self')
CYCLES = 1000
# Cycles before the first memory reading: caches, arenas and the code
# buffer have reached their working size
WARMUP = 100


class Counters:
    """The file a stress library records its calls in, of words."""

    def __init__(self, path, words=WORDS):
        self.path = path
        self.words = words
        with open(path, 'wb') as fobj:
            fobj.write(bytes(8 * len(words)))

    def read(self):
        with open(self.path, 'rb') as fobj:
            values = struct.unpack('<%dQ' % len(self.words), fobj.read())
        return dict(zip(self.words, values))


def wait_for(cond, what, timeout=10.0):
    deadline = time.monotonic() + timeout
    while not cond():
        if time.monotonic() > deadline:
            raise AssertionError('timed out waiting for ' + what)
        time.sleep(0.001)


def memory(pid):
    """(resident KiB, number of mappings) of process pid."""
    with open('/proc/%d/status' % pid) as fobj:
        rss = [int(line.split()[1]) for line in fobj
               if line.startswith('VmRSS:')][0]
    with open('/proc/%d/maps' % pid) as fobj:
        maps = len(fobj.readlines())
    return rss, maps


def stopped_calling(shm, what, settle=0.05):
    """Nothing of the unloaded library runs any more: no callback while
    inactive, and the call counts stay still while the guest runs on."""
    before = shm.read()
    expect_eq(0, before['active'], what + ': library active')
    expect_eq(0, before['late'], what + ': callbacks after fini')
    time.sleep(settle)
    after = shm.read()
    expect_eq((before['trans'], before['exec']),
              (after['trans'], after['exec']),
              what + ': (trans, exec) calls after unload returned')


def load_unload(vm, lib, arg, cycle):
    """One cycle, over QMP on even cycles and HMP on odd ones."""
    if cycle % 2 == 0:
        libid = vm.qmp.cmd('instr-load', path=lib, args=[arg])['id']
        return libid, lambda: vm.qmp.cmd('instr-unload', id=libid)
    libid = vm.hmp.cmd('instr-load %s %s' % (lib, arg)).strip()
    return libid, lambda: vm.hmp.cmd('instr-unload %s' % libid)


def test_load_unload_cycles_mttcg(env):
    """1,000 load/unload cycles, alternately over QMP and HMP, of a library
    with translation- and execution-time callbacks and inline code, on a
    -smp 4 MTTCG guest: each cycle's callbacks run, none runs after the
    unload returned, memory does not grow, and the guest's sums are
    right."""
    env.require_mode('dynamic')
    lib = env.lib('stress')
    shm = Counters(env.tmp('stress-cycles.bin'))
    arg = 'shm=' + shm.path
    with SystemGuest(env.qemu_system(), args=['-accel', 'tcg,thread=multi'],
                     smp=4, bios=env.guest_bin()) as vm:
        vm.wait_rounds(2)
        start = time.monotonic()
        for cycle in range(CYCLES):
            if cycle == WARMUP:
                mem_warm = memory(vm.proc.pid)
            before = shm.read()['exec']
            libid, unload = load_unload(vm, lib, arg, cycle)
            expect_eq('instr0', libid, 'cycle %d: id' % cycle)
            wait_for(lambda: shm.read()['exec'] > before,
                     'cycle %d: an execution-time callback' % cycle)
            expect_eq('', unload() or '', 'cycle %d: unload reply' % cycle)
            counts = shm.read()
            expect_eq((cycle + 1, cycle + 1), (counts['loads'],
                                               counts['finis']),
                      'cycle %d: (loads, finis)' % cycle)
            if cycle % 100 == 99:
                stopped_calling(shm, 'cycle %d' % cycle)
            else:
                expect_eq(0, counts['late'], 'callbacks after fini')
        elapsed = time.monotonic() - start
        mem_end = memory(vm.proc.pid)
        counts = shm.read()
        rounds = len(vm.rounds())
        vm.wait_rounds(rounds + 2)
        vm.check_rounds()
        expect_eq([], vm.qmp.cmd('query-instr')['libraries'], 'libraries loaded')
        # Under the sanitizers, LeakSanitizer checks at exit
        expect_eq(0, vm.shutdown(timeout=120), 'exit status of QEMU')
    print('    %d cycles in %.1f s: %d trans, %d exec, %d inline calls; '
          'rounds %d; after %d cycles: RSS %d KiB, %d mappings; after %d: '
          'RSS %d KiB, %d mappings'
          % (CYCLES, elapsed, counts['trans'], counts['exec'],
             counts['inline'], rounds, WARMUP, mem_warm[0], mem_warm[1],
             CYCLES, mem_end[0], mem_end[1]))
    expect(counts['inline'] > 0, 'inline code to have run', counts)
    if env.sanitized:
        # AddressSanitizer keeps freed memory in quarantine
        return
    # A leaked mapping per cycle (the library, its file) would add 900
    expect_eq(mem_warm[1], mem_end[1], 'mappings after the warm-up')
    # 900 cycles: 2 MiB allows 2.3 KiB per cycle, less than one library
    # structure with its argument strings and its code's pages
    expect(mem_end[0] - mem_warm[0] < 2048,
           'RSS to grow by less than 2048 KiB over %d cycles'
           % (CYCLES - WARMUP),
           '%d KiB -> %d KiB' % (mem_warm[0], mem_end[0]))


def self_unload_system(env, smp):
    lib = env.lib('stress')
    shm = Counters(env.tmp('stress-self-%d.bin' % smp))
    args = ['-accel', 'tcg,thread=multi'] if smp > 1 else []
    with SystemGuest(env.qemu_system(), args=args, smp=smp,
                     bios=env.guest_bin()) as vm:
        vm.wait_rounds(2)
        vm.qmp.cmd('instr-load', path=lib,
                   args=['shm=' + shm.path, 'unload-after=10000'], id='self')
        wait_for(lambda: vm.qmp.cmd('query-instr')['libraries'] == [],
                 'the library to unload itself')
        counts = shm.read()
        expect_eq((1, 1, 1), (counts['loads'], counts['finis'],
                              counts['self']), '(loads, finis, self)')
        expect(counts['exec'] >= 10000, 'at least 10000 exec calls', counts)
        stopped_calling(shm, 'self-unload')
        # It can be loaded again, and then unloaded from the monitor
        vm.qmp.cmd('instr-load', path=lib, args=['shm=' + shm.path],
                   id='self')
        vm.qmp.cmd('instr-unload', id='self')
        expect_eq(2, shm.read()['finis'], 'finis after reload and unload')
        rounds = len(vm.rounds())
        vm.wait_rounds(rounds + 2)
        vm.check_rounds()


def test_self_unload_system(env):
    """qi_unload_self() from an execution-time callback, one vCPU."""
    env.require_mode('dynamic')
    self_unload_system(env, 1)


def test_self_unload_mttcg(env):
    """qi_unload_self() from a callback while four vCPUs run it."""
    env.require_mode('dynamic')
    self_unload_system(env, 4)


def test_self_unload_user(env):
    """qi_unload_self() in qemu-x86_64, from a callback and from qi_init();
    the program's output is unchanged."""
    env.require_mode('dynamic')
    lib = env.lib('stress')
    workload = env.workload('x86_64')
    expected = run([workload], env=PINNED_ENV).stdout
    for extra, exec_range in [('unload-after=5000', (5000, 5000)),
                              ('unload-now', (0, 0))]:
        shm = Counters(env.tmp('stress-user.bin'))
        proc = run([env.qemu_user(), '-instr', 'file=%s,arg=shm=%s,arg=%s'
                    % (lib, shm.path, extra), workload], env=PINNED_ENV)
        expect_eq(expected, proc.stdout, extra + ': program output')
        counts = shm.read()
        expect_eq((1, 1, 1, 0), (counts['loads'], counts['finis'],
                                 counts['self'], counts['late']),
                  extra + ': (loads, finis, self, late)')
        # The vCPU stops at the end of the block that asked
        expect(exec_range[0] <= counts['exec'] <= exec_range[1],
               '%s: exec calls in %s' % (extra, exec_range), counts['exec'])



def valgrind_records(text):
    """(kind, stack text) of each loss record of a valgrind report."""
    records = []
    for block in re.split(r'==\d+== \n', text):
        m = re.search(r'are (definitely|indirectly|possibly) lost|'
                      r'are (still reachable)', block)
        if m and 'in loss record' in block:
            records.append((m.group(1) or m.group(2), block))
    return records


# Allocations that live until exit by design: the -instr options and the
# event registry
KEPT = re.compile(r'instr_opt_parse|instr_opt_add|instr_register_events')


def test_valgrind_user_load_unload(env):
    """valgrind memcheck of qemu-x86_64 loading the stress library, which
    unloads itself after 1,000 blocks: no error, no lost block from
    instrument/, and nothing the load allocated left once it unloaded."""
    env.require_mode('dynamic')
    if env.sanitized:
        env.skip('valgrind cannot run a QEMU built with AddressSanitizer')
    if not shutil.which('valgrind'):
        env.skip('valgrind is not installed (build-aux/install-deps '
                 'installs it)')
    lib = env.lib('stress')
    shm = Counters(env.tmp('stress-valgrind.bin'))
    log = env.tmp('valgrind.txt')
    run(['valgrind', '--leak-check=full', '--show-leak-kinds=all',
         '--errors-for-leak-kinds=definite', '--num-callers=40',
         '--error-exitcode=9', '--log-file=' + log,
         env.qemu_user(), '-instr', 'file=%s,arg=shm=%s,arg=unload-after=1000'
         % (lib, shm.path), '/bin/true'], timeout=600)
    counts = shm.read()
    expect_eq((1, 1, 1), (counts['loads'], counts['finis'], counts['self']),
              '(loads, finis, self-unloads)')
    with open(log) as fobj:
        text = fobj.read()
    expect_in('ERROR SUMMARY: 0 errors', text, 'valgrind report')
    records = valgrind_records(text)
    expect(records, 'loss records in the report', text[-2000:])
    ours = []
    for kind, stack in records:
        if '/instrument/' not in stack and 'libstress' not in stack:
            continue
        if kind != 'still reachable' or not KEPT.search(stack):
            ours.append(stack)
    print('    valgrind: %d loss records, none from instrument/ but the '
          '-instr options and the event registry' % len(records))
    expect_eq([], ours, 'loss records from instrument/')


# The words of tests/instrument/libs/blockcount.c's shared file
BLOCK_WORDS = ('loads', 'finis', 'active', 'calls', 'late', 'inside',
               'races')


def sha256(path):
    with open(path, 'rb') as fobj:
        return hashlib.sha256(fobj.read()).hexdigest()


def test_unload_iothread_soak(env):
    """1,000 load/unload cycles of a library on block-layer events while
    backup jobs copy a disk image in the main loop (the thread pool does
    their I/O), on a running guest: no callback after fini, no fini
    beside a callback, no crash (and, under the sanitizers, no error),
    and the copies equal the data.

    Not in an I/O thread: QEMU 10.0 asserts in bdrv_insert_node() when a
    backup job starts on nodes moved there with x-blockdev-set-iothread,
    and a virtio-blk device only moves its node once a guest driver
    starts it, which the test guest has not."""
    env.require_mode('dynamic')
    for name in ('bdrv_co_preadv_part', 'bdrv_co_pwritev_part',
                 'thread_pool_submit_aio', 'thread_pool_complete_aio'):
        env.require_event(name)
    lib = env.lib('blockcount')
    shm = Counters(env.tmp('blockcount.bin'), BLOCK_WORDS)
    src, dst = env.tmp('soak-src.img'), env.tmp('soak-dst.img')
    rng = random.Random(1)
    with open(src, 'wb') as fobj:
        fobj.write(bytes(rng.getrandbits(8) for _ in range(1 << 20)) * 16)
    with open(dst, 'wb') as fobj:
        fobj.truncate(16 << 20)
    data = sha256(src)
    args = []
    for node, path in (('src', src), ('dst', dst)):
        args += ['-blockdev', 'driver=file,filename=%s,node-name=%s-file'
                 % (path, node),
                 '-blockdev', 'driver=raw,file=%s-file,node-name=%s'
                 % (node, node)]
    with SystemGuest(env.qemu_system(), args=args,
                     bios=env.guest_bin()) as vm:
        vm.wait_rounds(2)
        stop, jobs, failures = threading.Event(), [0], []

        def backups():
            try:
                while not stop.is_set():
                    job = 'backup%d' % jobs[0]
                    vm.qmp.cmd('blockdev-backup', job_id=job, device='src',
                               target='dst', sync='full')
                    wait_for(lambda: all(j['id'] != job for j in
                                         vm.qmp.cmd('query-jobs')),
                             job, timeout=60)
                    jobs[0] += 1
            except Exception as err:    # reported by the test's thread
                failures.append(err)

        worker = threading.Thread(target=backups)
        worker.start()
        start = time.monotonic()
        try:
            for cycle in range(CYCLES):
                libid = vm.hmp.cmd('instr-load %s shm=%s'
                                   % (lib, shm.path)).strip()
                expect_eq('instr0', libid, 'cycle %d: id' % cycle)
                expect_eq('', vm.hmp.cmd('instr-unload instr0'),
                          'cycle %d: unload reply' % cycle)
                if failures:
                    break
        finally:
            stop.set()
            worker.join()
        elapsed = time.monotonic() - start
        if failures:
            raise failures[0]
        counts = shm.read()
        expect_eq((CYCLES, CYCLES, 0, 0, 0, 0),
                  (counts['loads'], counts['finis'], counts['active'],
                   counts['late'], counts['inside'], counts['races']),
                  '(loads, finis, active, late, inside, races)')
        expect(counts['calls'] > CYCLES, 'block-layer callbacks to run',
               counts['calls'])
        rounds = len(vm.rounds())
        vm.wait_rounds(rounds + 2)
        vm.check_rounds()
        expect_eq(0, vm.shutdown(timeout=120), 'exit status of QEMU')
    expect_eq((data, data), (sha256(src), sha256(dst)),
              'checksums of the source and of its last copy')
    print('    %d cycles in %.1f s beside %d backup jobs: %d callbacks, '
          'none late' % (CYCLES, elapsed, jobs[0], counts['calls']))
