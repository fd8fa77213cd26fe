#
# qemu-instr tests: the example libraries of contrib/instrument, each fed
# to the tool that consumes its output or checked against an oracle
#
# This work is licensed under the terms of the GNU GPL, version 2 or later.
# See the COPYING file in the top-level directory.
#
# SPDX-License-Identifier: GPL-2.0-or-later

"""contrib/instrument examples against upstream's plugins and real tools."""

import difflib
import os
import re
import shutil
import subprocess

from qemu_proc import SystemGuest
from qitest import HERE, run, expect, expect_eq, expect_in
from test_discon import guest_image, wait_serial
from test_exec import ENV, oracle_args, read_oracles

CONTRIB = os.path.join(os.path.dirname(os.path.dirname(HERE)), 'contrib',
                       'instrument')
EXAMPLES = ('icount', 'memtrace', 'execlog', 'strace', 'hotblocks',
            'coverage', 'mmio')


def glib_flags():
    return run(['pkg-config', '--cflags', '--libs',
                'glib-2.0']).stdout.split()


def example(env, name):
    """contrib/instrument/<name>.c built as a dynamic library, warnings
    as errors."""
    env.require_mode('dynamic')
    key = ('contrib', name)
    if key not in env._libs:
        out = env.tmp('lib%s.so' % name)
        run(['cc', '-shared', '-fPIC', '-O2', '-Wall', '-Werror', '-o', out,
             os.path.join(CONTRIB, name + '.c')] + env.cflags() +
            glib_flags())
        env._libs[key] = out
    return env._libs[key]


def prog(env):
    """tests/instrument/contrib/prog.c, static, with debug information."""
    path = env.tmp('prog')
    if not os.path.exists(path):
        run(['cc', '-static', '-g', '-O1', '-o', path,
             os.path.join(HERE, 'contrib', 'prog.c')])
    return path


def run_example(env, name, args, argv, qemu_args=()):
    """Run argv under qemu-x86_64 with example name and arguments args
    (the guest's stdout discarded)."""
    opt = ','.join(['file=' + example(env, name)] +
                   ['arg=' + a for a in args])
    return run([env.qemu_user()] + list(qemu_args) + ['-instr', opt] + argv,
               env=ENV, stdout=subprocess.DEVNULL)


def read(path):
    with open(path) as fobj:
        return fobj.read()


def expect_same_lines(want, got, what):
    """want and got, lists of lines, are equal; else show the first
    difference with some context."""
    if want != got:
        diff = list(difflib.unified_diff(want, got, 'expected', 'got',
                                         lineterm='', n=2))
        raise AssertionError('%s: %d lines expected, %d got; first '
                             'difference:\n%s' % (what, len(want), len(got),
                                                  '\n'.join(diff[:20])))


def test_contrib_bad_arguments(env):
    """Every example refuses an unknown argument, saying which."""
    env.require_mode('dynamic')
    for name in EXAMPLES:
        proc = run([env.qemu_user(), '-instr',
                    'file=%s,arg=bogus=1' % example(env, name), '/bin/true'],
                   check=False)
        expect_eq(1, proc.returncode, '%s: exit status' % name)
        expect_in("%s: unknown argument 'bogus=1'" % name, proc.stderr,
                  '%s: stderr' % name)
    proc = run([env.qemu_user(), '-instr', 'file=%s,arg=range=20-10'
                % example(env, 'memtrace'), '/bin/true'], check=False)
    expect_in("memtrace: bad range '20-10'", proc.stderr)
    proc = run([env.qemu_user(), '-instr', 'file=%s,arg=afilter=xyz'
                % example(env, 'execlog'), '/bin/true'], check=False)
    expect_in('execlog: afilter=xyz is not a hexadecimal address',
              proc.stderr)


def icount_rows(text):
    """{'0': (insns, blocks), ..., 'total': (insns, blocks)} of icount's
    table."""
    return dict((m.group(1), (int(m.group(2)), int(m.group(3))))
                for m in re.finditer(r'^ *(\S+) +(\d+) +(\d+)$', text, re.M))


def libbb_insns(log):
    """The instructions libbb counts: each block's, in full, when it
    starts."""
    m = re.search(r"^Total: bb's: \d+, insns: (\d+)$", read(log), re.M)
    expect(m, "libbb's total", read(log))
    return int(m.group(1))


def expect_icount(env, qemu, argv, name, args, early_exits=False):
    """icount with args on argv under qemu counts, in total and for
    vCPU 0, libinsn's instructions and libbb's blocks of the same run;
    with early_exits, the program leaves blocks in the middle (libbb's
    instructions, counted by block, are more)."""
    ours, log = env.tmp('icount.txt'), env.tmp('icount.plugins')
    opt = ','.join(['file=' + example(env, 'icount'), 'arg=out=' + ours] +
                   ['arg=' + a for a in args])
    run([qemu] + oracle_args(env, log) + ['-instr', opt] + argv, env=ENV,
        stdout=subprocess.DEVNULL)
    rows, want = icount_rows(read(ours)), read_oracles(log)
    what = 'icount %s, %s' % (' '.join(args) or 'callbacks', name)
    expect_eq((want['insns'], want['blocks']), rows.get('total'),
              '%s: total (insns, blocks)' % what)
    expect_eq(rows['total'], rows.get('0'), '%s: vCPU 0' % what)
    if early_exits:
        expect(libbb_insns(log) > want['insns'],
               '%s: blocks left in the middle (libbb counts more '
               'instructions than libinsn)' % name,
               (libbb_insns(log), want['insns']))
    print('    %s: insns %d blocks %d' % ((what,) + rows['total']))


def test_contrib_icount(env):
    """icount's per-vCPU and total counts equal libinsn's instructions
    and libbb's blocks, with callbacks and with inline=on (one add per
    block for the instructions, corrected when a block is left early):
    on a program, and on workload/faults.c, which leaves blocks in the
    middle in every way it can (faults recovered with siglongjmp(), a
    store that faults and runs again, a trap instruction, signals,
    longjmp()), on x86_64 and aarch64."""
    env.require_event('guest_tb_before_exec')
    for args in ([], ['inline=on']):
        expect_icount(env, env.qemu_user(), [prog(env)], 'prog', args)
        expect_icount(env, env.qemu_user(), [env.workload('x86_64', 'faults')],
                      'faults', args, early_exits=True)
        expect_icount(env, env.qemu_user('aarch64'),
                      [env.workload('aarch64', 'faults')], 'aarch64 faults',
                      args, early_exits=True)


def test_contrib_icount_system(env):
    """In system mode, on guest/ints.S, which takes faults in the middle
    of blocks (ud2, a divide error, a #GP) and timer interrupts: icount
    inline=on counts libinsn's instructions and libbb's blocks."""
    env.require_event('guest_tb_before_exec')
    ours, log = env.tmp('icount-ints.txt'), env.tmp('icount-ints.plugins')
    args = oracle_args(env, log) + [
        '-instr', 'file=%s,arg=out=%s,arg=inline=on' %
        (example(env, 'icount'), ours)]
    with SystemGuest(env.qemu_system(), args=args,
                     bios=guest_image(env, 'ints')) as vm:
        wait_serial(vm, 'ints: done\n')
        vm.shutdown()
    rows, want = icount_rows(read(ours)), read_oracles(log)
    expect_eq((want['insns'], want['blocks']), rows.get('total'),
              'icount inline=on, ints guest: total (insns, blocks)')
    expect(libbb_insns(log) > want['insns'],
           'ints guest: blocks left in the middle',
           (libbb_insns(log), want['insns']))
    print('    ints guest: insns %d blocks %d' % rows['total'])


def test_contrib_icount_static(env):
    """The same icount.c, compiled into a static-mode qemu-x86_64 (its
    directory holds only it), counts what libinsn and libbb count in
    that QEMU; without -instr it stays idle."""
    env.require_event('guest_tb_before_exec')
    # A fixed directory: the side build is configured with it once
    src = env.build.rstrip('/') + '-static-icount-src'
    os.makedirs(src, exist_ok=True)
    with open(os.path.join(CONTRIB, 'icount.c'), 'rb') as fobj:
        text = fobj.read()
    dst = os.path.join(src, 'icount.c')
    if not os.path.exists(dst) or open(dst, 'rb').read() != text:
        with open(dst, 'wb') as fobj:
            fobj.write(text)
    build = env.side_build('static-icount',
                           ['--enable-plugins',
                            '--with-trace-instrument=static',
                            '--with-trace-instrument-path=' + src],
                           ['qemu-x86_64'] + ['tests/tcg/plugins/lib%s.so' % p
                                              for p in ('insn', 'bb', 'mem')])
    qemu = os.path.join(build, 'qemu-x86_64')
    ours, log = env.tmp('icount-static.txt'), env.tmp('icount-static.log')
    run([qemu] + oracle_args(env, log, build) + ['-instr', 'arg=out=' + ours,
                                                 prog(env)],
        env=ENV, stdout=subprocess.DEVNULL)
    rows, want = icount_rows(read(ours)), read_oracles(log)
    expect_eq((want['insns'], want['blocks']), rows.get('total'),
              'static icount: total (insns, blocks)')
    proc = run([qemu, prog(env)], env=ENV, stdout=subprocess.DEVNULL)
    expect_eq('', proc.stderr, 'static icount without -instr: its output')
    print('    static: insns %d blocks %d' % rows['total'])


def test_contrib_memtrace(env):
    """memtrace writes one line per access libmem sees, loads and stores
    as libmem's track=r and track=w count them; kind= and range= keep
    exactly the lines the full trace has of that kind or range."""
    env.require_event('guest_mem_before_exec')
    ours, log = env.tmp('memtrace.txt'), env.tmp('memtrace.plugins')
    run_example(env, 'memtrace', ['out=' + ours], [prog(env)],
                oracle_args(env, log))
    full, want = read(ours).splitlines(), read_oracles(log)
    fields = [line.split() for line in full]
    expect(all(len(f) == 5 and f[3] in ('1', '2', '4', '8', '16') and
               f[4] in ('load', 'store') for f in fields),
           'lines "vcpu pc vaddr size load|store"', full[:3])
    kinds = [f[4] for f in fields]
    expect_eq((want['loads'], want['stores']),
              (kinds.count('load'), kinds.count('store')),
              'memtrace: (loads, stores)')

    # The page of the first store into the program's static data (at
    # the same address in every run, unlike its stack: QEMU 10.0's
    # linux-user maps that where the host's mmap() puts it), and stores
    # only
    first = int([f for f in fields if f[4] == 'store' and
                 int(f[2], 16) < 0x10000000][0][2], 16)
    lo, hi = first & ~0xfff, (first & ~0xfff) + 0x1000
    sub = env.tmp('memtrace-range.txt')
    run_example(env, 'memtrace', ['out=' + sub, 'kind=store',
                                  'range=%x-%x' % (lo, hi)], [prog(env)])
    expect_same_lines([line for line, f in zip(full, fields)
                       if f[4] == 'store' and lo <= int(f[2], 16) < hi],
                      read(sub).splitlines(), 'memtrace kind=store range=')
    print('    %d accesses, %d stores in [%x, %x)'
          % (len(full), len(read(sub).splitlines()), lo, hi))


def execlog_plugin(env):
    """QEMU's contrib/plugins/execlog.c, built from the tree under test."""
    if not os.path.exists(os.path.join(env.build, 'tests', 'tcg', 'plugins')):
        env.skip('QEMU was built without TCG plugins')
    key = ('plugin', 'execlog')
    if key not in env._libs:
        out = env.tmp('libexeclog-plugin.so')
        run(['cc', '-shared', '-fPIC', '-O2', '-Wall', '-o', out,
             os.path.join(env.src, 'contrib', 'plugins', 'execlog.c'),
             '-I' + os.path.join(env.src, 'include', 'qemu')] +
            glib_flags())
        env._libs[key] = out
    return env._libs[key]


def insn_sizes(binary):
    """{address: length} of the instructions of binary, from objdump."""
    sizes = {}
    proc = run(['objdump', '-d', '-w', binary])
    for m in re.finditer(r'^ *([0-9a-f]+):\t([0-9a-f ]+)\t', proc.stdout,
                         re.M):
        sizes[int(m.group(1), 16)] = len(m.group(2).split())
    return sizes


def opcode_masked(lines, sizes):
    """The plugin prints the first 4 bytes of each instruction, reading
    past the end of one that is shorter: those bytes are left over from
    earlier translations.  Keep only the instruction's own bytes."""
    out = []
    for line in lines:
        f = line.split(', ', 3)
        if len(f) == 4 and f[1].startswith('0x') and \
           sizes.get(int(f[1], 16), 4) < 4:
            f[2] = '0x%x' % (int(f[2], 16) &
                             ((1 << (8 * sizes[int(f[1], 16)])) - 1))
        out.append(', '.join(f))
    return out


def test_contrib_execlog(env):
    """execlog's log is the execlog plugin's, line for line (the
    plugin's bytes past the end of short instructions aside), in full
    and with ifilter= and afilter=; both in one run, as QEMU 10.0's
    linux-user puts the guest's stack and mappings at host mmap()
    addresses, which vary from run to run."""
    env.require_event('guest_mem_before_exec')
    binary = prog(env)
    sizes = insn_sizes(binary)
    # An instruction of main() for afilter=: the first one, from the
    # symbol table
    syms = run(['nm', binary]).stdout
    main = re.search(r'^([0-9a-f]+) T main$', syms, re.M).group(1)
    for args in ([], ['ifilter=call', 'ifilter=rep'],
                 ['afilter=' + main, 'ifilter=lock']):
        log, ours = env.tmp('execlog.plugin'), env.tmp('execlog.txt')
        run_example(env, 'execlog', ['out=' + ours] + args, [binary],
                    ['-d', 'plugin', '-D', log, '-plugin',
                     ','.join([execlog_plugin(env)] + args)])
        want = opcode_masked(read(log).split('\n'), sizes)
        got = opcode_masked(read(ours).split('\n'), sizes)
        expect(len(got) > 5, 'a log', got)
        expect_same_lines(want, got, 'execlog %s' % ' '.join(args))
        print('    %s: %d identical lines' % (' '.join(args) or 'all',
                                              len(got)))


def syscall_names(lines, native):
    """The system call names of strace's or our strace's lines."""
    names = []
    for line in lines:
        if native:
            line = re.sub(r'^\d+ +', '', line)
        line = re.sub(r'^\[vcpu \d+\] ', '', line)
        m = re.match(r'([a-z0-9_]+)\(', line)
        if m:
            names.append(m.group(1))
    return names


def test_contrib_strace(env):
    """strace sees the system calls the real strace -f sees when the
    program runs natively, in the same order (but the execve that
    starts it, which QEMU does itself)."""
    env.require_event('guest_user_syscall_ret')
    if not shutil.which('strace'):
        env.skip('strace is not installed (build-aux/install-deps)')
    binary = prog(env)
    real, ours = env.tmp('strace.native'), env.tmp('strace.txt')
    run(['strace', '-f', '-o', real, binary], env=ENV,
        stdout=subprocess.DEVNULL)
    run_example(env, 'strace', ['out=' + ours], [binary])
    want = syscall_names(read(real).splitlines(), True)
    expect_eq('execve', want[0], 'first native call')
    text = read(ours)
    expect_same_lines(want[1:], syscall_names(text.splitlines(), False),
                      'strace: system call names')
    expect_in('openat(-100, "/dev/null", 1, 0, ', text)
    expect(re.search(r'^exit_group\(0, .*\) = \?$', text, re.M),
           'exit_group(0, ...) = ?', text[-300:])
    print('    %d system calls' % len(want[1:]))


def test_contrib_hotblocks(env):
    """callgrind_annotate reads hotblocks' profile without a warning and
    puts the program's hot loop first; the totals are libinsn's
    instructions and libbb's blocks."""
    env.require_event('guest_tb_before_exec')
    if not shutil.which('callgrind_annotate'):
        env.skip('callgrind_annotate is not installed (valgrind)')
    binary = prog(env)
    ours, log = env.tmp('callgrind.out'), env.tmp('hotblocks.plugins')
    run_example(env, 'hotblocks', ['out=' + ours, 'binary=' + binary],
                [binary], oracle_args(env, log))
    want = read_oracles(log)
    proc = run(['callgrind_annotate', ours])
    expect_eq('', proc.stderr, 'callgrind_annotate warnings')
    total = re.search(r'^([\d,]+) \(100.0%\) +([\d,]+) \(100.0%\) +'
                      r'PROGRAM TOTALS', proc.stdout, re.M)
    expect(total, 'a PROGRAM TOTALS line', proc.stdout[:1500])
    expect_eq((want['insns'], want['blocks']),
              tuple(int(x.replace(',', '')) for x in total.groups()),
              'totals (Ir, Bx)')
    fns = re.findall(r'^ *[\d,]+ \([ \d.]+%\) +[\d,]+ \([ \d.]+%\) +'
                     r'\S*:(\S+) \[', proc.stdout, re.M)
    expect(fns and fns[0] == 'hot_loop', 'hot_loop first',
           proc.stdout[-1500:])
    print('    Ir %d Bx %d, first of %d functions: %s'
          % (want['insns'], want['blocks'], len(fns), fns[0]))


def test_contrib_coverage(env):
    """genhtml renders coverage's tracefile; each line counts as often
    as the execlog plugin saw the most executed address of that line
    run (the addresses of a line from objdump and addr2line); the
    never-called function shows as not covered."""
    env.require_event('guest_tb_before_exec')
    if not shutil.which('genhtml'):
        env.skip('genhtml is not installed (lcov)')
    binary = prog(env)
    info = env.tmp('prog.info')
    run_example(env, 'coverage', ['out=' + info, 'binary=' + binary],
                [binary])
    text = read(info)
    got = {}
    for m in re.finditer(r'^DA:(\d+),(\d+)$', text, re.M):
        got[int(m.group(1))] = int(m.group(2))
    expect_in('SF:' + os.path.join(HERE, 'contrib', 'prog.c'), text,
              'tracefile')

    # Oracle: executions of each address in the plugin's log
    log = env.tmp('coverage.plugin')
    run([env.qemu_user(), '-d', 'plugin', '-D', log, '-plugin',
         execlog_plugin(env), binary], env=ENV, stdout=subprocess.DEVNULL)
    runs = {}
    for line in read(log).split('\n'):
        f = line.split(', ', 2)
        if len(f) == 3:
            runs[int(f[1], 16)] = runs.get(int(f[1], 16), 0) + 1
    rows = sorted(set(int(a, 16) for a in re.findall(
        r'^prog\.c +\d+ +(0x[0-9a-f]+)', run(['objdump', '--dwarf='
                                              'decodedline', binary]).stdout,
        re.M)))
    where = run(['addr2line', '-e', binary] + ['0x%x' % a for a in rows])
    want = {}
    for addr, loc in zip(rows, where.stdout.split('\n')):
        line = int(loc.split(':')[-1].split()[0])
        want[line] = max(want.get(line, 0), runs.get(addr, 0))
    expect_eq(want, got, 'DA line counts')
    src = read(os.path.join(HERE, 'contrib', 'prog.c')).split('\n')
    cold = [i + 1 for i, s in enumerate(src) if 'return x * 3 + 1' in s][0]
    expect_eq(0, got.get(cold), 'executions of cold() (line %d)' % cold)

    html = env.tmp('coverage-html')
    proc = run(['genhtml', '-q', '-o', html, info])
    expect_eq('', proc.stderr, 'genhtml warnings')
    page = [p for p in run(['find', html, '-name', 'prog.c.gcov.html']
                           ).stdout.split()]
    expect(page, 'an HTML page for prog.c', os.listdir(html))
    expect_in('lineNoCov', read(page[0]), 'prog.c.gcov.html')
    print('    %d lines, %d covered' % (len(got),
                                        sum(1 for c in got.values() if c)))


def test_contrib_out_of_tree(env):
    """contrib/instrument's Makefile and meson.build, the documented
    minimal builds of an out-of-tree library, build every example
    against an installation (headers, qemu-instr.pc), and what they
    build loads."""
    env.require_mode('dynamic')
    from test_examples import installed_cflags
    # installs into env.tmp('install'): a qemu-instr.pc for that place
    include = [f[2:] for f in installed_cflags(env) if f.startswith('-I')]
    pcdir = env.tmp('oot-pkgconfig')
    os.makedirs(pcdir, exist_ok=True)
    with open(os.path.join(pcdir, 'qemu-instr.pc'), 'w') as fobj:
        fobj.write('Name: qemu-instr\nDescription: test copy\nVersion: 1\n'
                   'Cflags: %s\n' % ' '.join('-I' + i for i in include))
    pkg_env = dict(os.environ, PKG_CONFIG_PATH=pcdir)
    names = sorted(f[:-2] for f in os.listdir(CONTRIB) if f.endswith('.c'))

    out = env.tmp('oot-make') + '/'
    os.makedirs(out, exist_ok=True)
    run(['make', '-C', CONTRIB, 'SRCDIR=' + CONTRIB + '/', 'OUT=' + out,
         'CFLAGS=-O2 -Wall -Werror'], env=pkg_env)
    expect_eq(['lib%s.so' % n for n in names], sorted(os.listdir(out)),
              'libraries built by contrib/instrument/Makefile')

    if shutil.which('meson'):
        mdir = env.tmp('oot-meson')
        run(['meson', 'setup', mdir, CONTRIB], env=pkg_env)
        run(['ninja', '-C', mdir], env=pkg_env)
        built = sorted(f for f in os.listdir(mdir) if f.endswith('.so'))
        expect(set('lib%s.so' % n for n in EXAMPLES) <= set(built),
               'every example built by meson.build', built)
    ours = env.tmp('oot-icount.txt')
    run([env.qemu_user(), '-instr', 'file=%slibicount.so,arg=out=%s'
         % (out, ours), '/bin/true'])
    expect_in('total', read(ours), 'icount output')


COM1 = 0x3f8
MMIO_LINE = re.compile(r'^(-?\d+) (read|write) (\S+) 0x([0-9a-f]+) (\d) '
                       r'0x([0-9a-f]+)$')


def test_contrib_mmio(env):
    """mmio on the system guest: the bytes written to the UART's transmit
    register (COM1, I/O port 0x3f8) are exactly what the guest printed,
    its line status reads say the transmitter is empty, and the summary
    counts the lines."""
    env.require_event('memory_region_ops_read')
    env.require_event('memory_region_ops_write')
    out = env.tmp('mmio.txt')
    opt = 'file=%s,arg=out=%s,arg=device=serial' % (example(env, 'mmio'),
                                                     out)
    with SystemGuest(env.qemu_system(), args=['-instr', opt],
                     bios=env.guest_bin()) as vm:
        vm.wait_rounds(3)
        vm.check_rounds()
        expect_eq(vm.shutdown(), 0, 'QEMU\'s exit status')
        with open(vm.serial_path, 'rb') as fobj:
            serial = fobj.read()
    lines = read(out).splitlines()
    log = [line for line in lines if not line.startswith('#')]
    summary = lines[len(log):]
    expect(log and summary and summary[0] == '# device address reads writes',
           'access lines, then the summary', lines[-5:])
    parsed = []
    for line in log:
        m = MMIO_LINE.match(line)
        expect(m, 'an access line "cpu read|write device 0xADDRESS size '
               '0xVALUE"', line)
        expect_eq(m.group(3), 'serial', 'device (device=serial)')
        parsed.append((m.group(2), int(m.group(4), 16), int(m.group(6), 16)))
    # The transmit register is base + 0 while the line control register
    # (base + 3) has DLAB (bit 7) clear; with it set, it is the divisor
    dlab, sent = False, bytearray()
    for kind, addr, value in parsed:
        if kind == 'write' and addr == COM1 + 3:
            dlab = bool(value & 0x80)
        elif kind == 'write' and addr == COM1 and not dlab:
            sent.append(value)
    expect_eq(bytes(sent), serial, 'bytes written to the transmit register')
    lsr = [v for k, a, v in parsed if k == 'read' and a == COM1 + 5]
    expect(lsr and all(v & 0x20 for v in lsr),
           'line status reads, each with "transmitter empty" (0x20)',
           lsr[:10])
    counted = {}
    for kind, addr, _ in parsed:
        key = '# serial 0x%x' % addr
        reads, writes = counted.get(key, (0, 0))
        counted[key] = ((reads + 1, writes) if kind == 'read'
                        else (reads, writes + 1))
    expect_eq(sorted(summary[1:]),
              sorted('%s %d %d' % (k, r, w) for k, (r, w) in
                     counted.items()), 'summary of the access lines')
