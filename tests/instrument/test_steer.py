#
# qemu-instr tests: libraries that change the guest (API 2) in linux-user
#
# This work is licensed under the terms of the GNU GPL, version 2 or later.
# See the COPYING file in the top-level directory.
#
# SPDX-License-Identifier: GPL-2.0-or-later

"""Register writes, FP/SIMD reads, the PC, redirects, system call skips
and changes, signals as guest_discon, qi_log() and bad input, each
against what the guest program prints or what an outside tool sees."""

import os
import re
import shutil
import signal
import subprocess

from qemu_proc import PINNED_ENV as ENV
from qitest import HERE, Skip, run, expect, expect_eq, expect_in

# Per guest architecture: gdb's names of the PC, the first argument and
# result registers and an FP/SIMD register; Linux system call numbers
ARCHS = {
    'x86_64': {'pc': 'rip', 'arg': 'rdi', 'fp': 'xmm0',
               'write': 1, 'getpid': 39},
    'aarch64': {'pc': 'pc', 'arg': 'x0', 'fp': 'v0',
                'write': 64, 'getpid': 172},
}


def guest_program(env, name, arch):
    """steer/<name>.c built statically (not PIE: its addresses are those
    of nm) for linux-user guests of arch, as Env.workload() builds."""
    path = env.tmp('steer-%s-%s' % (name, arch))
    if not os.path.exists(path):
        cc = '%s-linux-gnu-gcc' % arch
        if not shutil.which(cc):
            env.skip('%s is not installed (build-aux/install-deps '
                     'installs it)' % cc)
        run([cc, '-static', '-O2', '-Wall', '-Werror', '-o', path,
             os.path.join(HERE, 'steer', name + '.c')])
    return path


def symbols(path):
    """{name: address} of the symbols of an ELF file, from nm."""
    syms = {}
    for line in run(['nm', path]).stdout.split('\n'):
        fields = line.split()
        if len(fields) == 3:
            syms[fields[2]] = int(fields[0], 16)
    return syms


def parse_values(path):
    """({name: int} of the "name NUMBER" lines, [the other lines]) of a
    test library's output file ("fp HEX" lines are among the others)."""
    values, others = {}, []
    with open(path) as fobj:
        for line in fobj.read().split('\n'):
            m = re.match(r'^(\w+) (-?(?:0x[0-9a-f]+|\d+))$', line)
            if m and m.group(1) != 'fp':
                values[m.group(1)] = int(m.group(2), 0)
            elif line:
                others.append(line)
    return values, others


def parse_signals(lines):
    """{signal number: {count, from, to, tos_differ}} of the "signal"
    lines of libs/sigcount.c."""
    signals = {}
    for line in lines:
        m = re.match(r'^signal (\d+) count (\d+) from (0x[0-9a-f]+) '
                     r'to (0x[0-9a-f]+) tos_differ (\d+)$', line)
        expect(m, 'a line "signal N count N from HEX to HEX tos_differ N"',
               line)
        signals[int(m.group(1))] = dict(zip(
            ('count', 'from', 'to', 'tos_differ'),
            [int(x, 0) for x in m.groups()[1:]]))
    return signals


def expect_values(want, got, what):
    for name, value in want.items():
        expect_eq(value, got.get(name), '%s: %s' % (what, name))


def instr(lib, *args):
    """An -instr option: lib with arg= values."""
    return ['-instr', ','.join(['file=' + lib] +
                               ['arg=' + a for a in args])]


def guest(env, arch, qemu_args, argv, **kwargs):
    """Run argv under qemu-<arch> with qemu_args, pinned; the
    CompletedProcess."""
    return run([env.qemu_user(arch)] + qemu_args + argv, env=ENV, **kwargs)


def int32(x):
    """x as the guest's 32-bit int arithmetic leaves it."""
    x &= 0xffffffff
    return x - (1 << 32) if x & 0x80000000 else x


def f_oracle(x):
    """What steer/regs.c's f() computes."""
    return int32(3 * x * x + 7)


# Register write: f's argument register, at f's first instruction

F_ARGS = [0, 1, 5, -4, 100]
F_ADD = 1000


def check_regwrite(env, arch):
    env.require_mode('dynamic')
    prog = guest_program(env, 'regs', arch)
    argv = [prog, 'f'] + [str(x) for x in F_ARGS]
    regs = ARCHS[arch]
    plain = guest(env, arch, [], argv)
    expect_eq(''.join('f %d %d\n' % (x, f_oracle(x)) for x in F_ARGS),
              plain.stdout, 'program output without a library')

    out = env.tmp('regwrite-%s.txt' % arch)
    proc = guest(env, arch, instr(
        env.lib('regwrite'), 'out=' + out, 'pcreg=' + regs['pc'],
        'addr=%x' % symbols(prog)['f'], 'reg=' + regs['arg'],
        'add=%d' % F_ADD), argv)
    # main prints its own x, and f's result for the argument changed
    expect_eq(''.join('f %d %d\n' % (x, f_oracle(x + F_ADD))
                      for x in F_ARGS),
              proc.stdout, 'program output with %s += %d at f'
              % (regs['arg'], F_ADD))
    got, _ = parse_values(out)
    expect_values({'writes': len(F_ARGS), 'errors': 0, 'pc_regs': 1,
                   'pc_mismatches': 0, 'pc_unreadable': 0}, got, arch)


def test_regwrite_user(env):
    """qemu-x86_64: rdi += 1000 at f's first instruction; the program
    prints f(x + 1000) where it printed f(x), as computed here."""
    check_regwrite(env, 'x86_64')


def test_regwrite_user_aarch64(env):
    """qemu-aarch64: the same with x0."""
    check_regwrite(env, 'aarch64')


# FP/SIMD: read at fp_probe what the program loaded, write what it stores

FP_IN = ['00112233445566778899aabbccddeeff',
         '0123456789abcdeffedcba9876543210',
         '8000000000000001deadbeefcafef00d']
FP_SET = 'f0e1d2c3b4a5968778695a4b3c2d1e0f'


def check_fp(env, arch, fpreg, cpu_args=()):
    env.require_mode('dynamic')
    prog = guest_program(env, 'regs', arch)
    argv = [prog, 'fp'] + FP_IN
    cpu_args = list(cpu_args)
    plain = guest(env, arch, cpu_args, argv)
    expect_eq(''.join('fp %s %s\n' % (v, v) for v in FP_IN), plain.stdout,
              'program output without a library')

    out = env.tmp('regwrite-fp-%s-%s.txt' % (arch, fpreg))
    proc = guest(env, arch, cpu_args + instr(
        env.lib('regwrite'), 'out=' + out, 'pcreg=' + ARCHS[arch]['pc'],
        'fp=%x' % symbols(prog)['fp_probe'], 'fpreg=' + fpreg,
        'fpset=' + FP_SET), argv)
    got, lines = parse_values(out)
    expect_values({'fp_runs': len(FP_IN), 'errors': 0,
                   'pc_mismatches': 0}, got, '%s %s' % (arch, fpreg))
    expect_eq(['fp ' + v for v in FP_IN], lines,
              '%s read at fp_probe (what the program loaded)' % fpreg)
    expect_eq(''.join('fp %s %s\n' % (v, FP_SET) for v in FP_IN),
              proc.stdout, 'program output with %s set at fp_probe'
              % fpreg)


def test_fp_read_user(env):
    """qemu-x86_64: xmm0 read before the store of fp_probe holds the 16
    bytes the program loaded; written, it is what the program stores."""
    check_fp(env, 'x86_64', 'xmm0')


def test_fp_read_user_aarch64(env):
    """qemu-aarch64: the same with v0 (without SVE), and with z0 (the
    default CPU has SVE: gdb describes z0..z31, whose low 16 bytes are
    v0..v31, instead of v0..v31)."""
    check_fp(env, 'aarch64', 'v0', ['-cpu', 'max,sve=off'])
    check_fp(env, 'aarch64', 'z0')


# The PC, at every instruction

def insn_oracle(env, log):
    """QEMU options for libinsn (inline) logging to log, or None when
    QEMU's test plugins were not built."""
    try:
        return ['-d', 'plugin', '-D', log,
                '-plugin', env.plugin('insn') + ',inline=on']
    except Skip:
        return None


def check_pc(env, arch, argv, name):
    log = env.tmp('pc-%s.plugins' % name)
    out = env.tmp('pc-%s.txt' % name)
    oracle = insn_oracle(env, log)
    guest(env, arch, (oracle or []) + instr(
        env.lib('regwrite'), 'out=' + out, 'pcreg=' + ARCHS[arch]['pc']),
        argv, stdout=subprocess.DEVNULL)
    got, _ = parse_values(out)
    expect_values({'pc_regs': 1, 'pc_mismatches': 0, 'pc_unreadable': 0,
                   'errors': 0}, got, name)
    if oracle:
        with open(log) as fobj:
            m = re.search(r'^total insns: (\d+)$', fobj.read(), re.M)
        expect(m, 'a total from libinsn', 'none')
        # Every instruction executed had its PC checked
        expect_eq(int(m.group(1)), got['pc_checked'],
                  '%s: PCs checked (libinsn\'s instructions)' % name)
    else:
        expect(got['pc_checked'] > 10000, 'many PCs checked',
               got['pc_checked'])
    print('    %s: %d PCs checked' % (name, got['pc_checked']))


def test_pc_user(env):
    """qemu-x86_64, the static program and /bin/echo (dynamic): at every
    instruction, the one register qi_reg_is_pc() names (rip) reads as
    the event's pc, mid-block included; libinsn counts the instructions
    checked."""
    env.require_mode('dynamic')
    check_pc(env, 'x86_64', [guest_program(env, 'regs', 'x86_64'), 'f',
                             '1', '2'], 'regs-x86_64')
    check_pc(env, 'x86_64', ['/bin/echo', 'hi'], 'echo')


def test_pc_user_aarch64(env):
    """qemu-aarch64: the same with pc."""
    env.require_mode('dynamic')
    check_pc(env, 'aarch64', [guest_program(env, 'regs', 'aarch64'), 'f',
                              '1', '2'], 'regs-aarch64')


# Redirect: return early from check() with a chosen result

CHECK_RET = -42


def check_redirect(env, arch):
    env.require_mode('dynamic')
    prog = guest_program(env, 'regs', arch)
    plain = guest(env, arch, [], [prog, 'check'])
    expect_eq('check 7 ran 1\n', plain.stdout,
              'program output without a library')

    out = env.tmp('redirect-%s.txt' % arch)
    proc = guest(env, arch, instr(
        env.lib('regwrite'), 'out=' + out, 'pcreg=' + ARCHS[arch]['pc'],
        'check=%x' % symbols(prog)['check'], 'ret=%d' % CHECK_RET),
        [prog, 'check'])
    # The chosen result, and check()'s body never ran
    expect_eq('check %d ran 0\n' % CHECK_RET, proc.stdout,
              'program output with check() redirected')
    got, _ = parse_values(out)
    expect_values({'redirects': 1, 'errors': 0, 'pc_mismatches': 0}, got,
                  arch)


def test_redirect_user(env):
    """qemu-x86_64: at check()'s first instruction, rax = -42, pop the
    return address and qi_vcpu_set_pc() to it; the program prints -42 and
    check() did not run."""
    check_redirect(env, 'x86_64')


def test_redirect_user_aarch64(env):
    """qemu-aarch64: the same with x0 and x30."""
    check_redirect(env, 'aarch64')


# System calls: skip, change an argument, change a result

# Any system call that writes to fd 1
WRITE_1 = re.compile(r'\b(write|writev|pwrite64|pwritev|pwritev2)\(1,')


def strace_writes(env, qemu_args, argv, name):
    """Run argv under qemu-x86_64 under real strace; (CompletedProcess,
    strace's lines of writes to fd 1)."""
    strace = shutil.which('strace')
    if not strace:
        env.skip('strace is not installed')
    log = env.tmp('strace-%s.txt' % name)
    proc = run([strace, '-f', '-qq', '-o', log, '-e',
                'trace=write,writev,pwrite64,pwritev,pwritev2',
                env.qemu_user()] + qemu_args + argv, env=ENV, check=False)
    with open(log) as fobj:
        return proc, [line for line in fobj if WRITE_1.search(line)]


def test_syscall_skip_user(env):
    """qemu-x86_64 /bin/echo hello, every write to fd 1 skipped with its
    length as result: nothing on stdout, exit status 0, and real strace
    sees no write to fd 1 from QEMU, where it sees echo's write without
    the library; guest_user_syscall_ret still reports the result."""
    env.require_mode('dynamic')
    argv = ['/bin/echo', 'hello']
    plain, writes = strace_writes(env, [], argv, 'plain')
    expect_eq('hello\n', plain.stdout, 'stdout without a library')
    expect(writes, 'strace to see echo\'s write to fd 1 without a library',
           'no such write')

    out = env.tmp('sysskip.txt')
    proc, skipped = strace_writes(env, instr(
        env.lib('sysskip'), 'out=' + out, 'write=1', 'skipfd=1'), argv,
        'skip')
    expect_eq(0, proc.returncode, 'exit status (stderr: %r)' % proc.stderr)
    expect_eq('', proc.stdout, 'stdout')
    expect_eq([], skipped, 'writes to fd 1 in strace\'s log')
    got, _ = parse_values(out)
    expect_values({'skipped': len(writes), 'skip_ret_ok': len(writes),
                   'skip_ret_bad': 0, 'errors': 0}, got, 'sysskip')


def test_syscall_set_arg_user(env):
    """qemu-x86_64 /bin/echo moved, the fd of its writes changed from 1
    to 2 (qi_syscall_set_arg): the text moves from stdout to stderr."""
    env.require_mode('dynamic')
    out = env.tmp('sysmove.txt')
    proc = guest(env, 'x86_64', instr(
        env.lib('sysskip'), 'out=' + out, 'write=1', 'movefd=1:2'),
        ['/bin/echo', 'moved'])
    expect_eq('', proc.stdout, 'stdout')
    expect_in('moved\n', proc.stderr, 'stderr')
    got, _ = parse_values(out)
    expect_values({'moved': 1, 'errors': 0}, got, 'sysskip')


def check_set_ret(env, arch):
    env.require_mode('dynamic')
    prog = guest_program(env, 'regs', arch)
    plain = guest(env, arch, [], [prog, 'pid'])
    expect(re.match(r'^pid \d+\n$', plain.stdout) and
           plain.stdout != 'pid 4242\n', 'a pid other than 4242',
           repr(plain.stdout))
    out = env.tmp('syspid-%s.txt' % arch)
    proc = guest(env, arch, instr(
        env.lib('sysskip'), 'out=' + out,
        'getpid=%d' % ARCHS[arch]['getpid'], 'pid=4242'), [prog, 'pid'])
    expect_eq('pid 4242\n', proc.stdout, 'program output')
    got, _ = parse_values(out)
    expect_values({'pids': 1, 'errors': 0}, got, arch)


def test_syscall_set_ret_user(env):
    """qemu-x86_64: getpid's result set to 4242 from
    guest_user_syscall_ret; the program prints 4242."""
    check_set_ret(env, 'x86_64')


def test_syscall_set_ret_user_aarch64(env):
    """qemu-aarch64: the same (getpid is 172 there)."""
    check_set_ret(env, 'aarch64')


# Signals, as guest_discon

def check_signals(env, arch):
    env.require_mode('dynamic')
    prog = guest_program(env, 'signals', arch)
    syms = symbols(prog)
    plain = guest(env, arch, [], [prog])
    want = ('segv_handler 0x%x\nalrm_handler 0x%x\npoke 0x%x\n'
            'segv 1 alrm 1\n' % (syms['on_segv'], syms['on_alrm'],
                                 syms['poke']))
    expect_eq(want, plain.stdout, 'program output (addresses from nm)')

    out = env.tmp('signals-%s.txt' % arch)
    proc = guest(env, arch, instr(env.lib('sigcount'), 'out=' + out,
                                  'fault=%x' % syms['poke']), [prog])
    expect_eq(want, proc.stdout, 'program output with the library')
    got, lines = parse_values(out)
    signals = parse_signals(lines)
    expect_eq([signal.SIGSEGV, signal.SIGALRM], sorted(signals),
              'signals delivered')
    # One delivery each, to the handler the program installed; SIGSEGV
    # comes from poke()'s store, SIGALRM from wherever the guest was
    segv, alrm = signals[signal.SIGSEGV], signals[signal.SIGALRM]
    expect_values({'count': 1, 'from': syms['poke'], 'to': syms['on_segv'],
                   'tos_differ': 0}, segv, 'SIGSEGV')
    expect_values({'count': 1, 'to': syms['on_alrm'], 'tos_differ': 0},
                  alrm, 'SIGALRM')
    expect_values({'interrupts': 0, 'hostcalls': 0, 'bad_kind': 0,
                   'bad_signum': 0, 'exc_moved': 0, 'exc_at_fault': 1},
                  got, arch)
    # Every system call, and the fault, go back to cpu_loop
    expect(got['exceptions'] >= got['syscalls'] + 1 and
           got['syscalls'] > 5,
           'an exception per system call and one for the fault',
           '%d exceptions, %d system calls'
           % (got['exceptions'], got['syscalls']))


def test_signals_user(env):
    """qemu-x86_64: a program taking SIGSEGV and SIGALRM; guest_discon
    reports each signal once, to the handler address the program prints
    (and nm gives), SIGSEGV from the faulting instruction."""
    check_signals(env, 'x86_64')


def test_signals_user_aarch64(env):
    """qemu-aarch64: the same."""
    check_signals(env, 'aarch64')


# qi_log()

# A whole line: qi_log() adds the newline the library left out
LOG_LINE = re.compile(r'^logtotal: (\d+) system calls \(tag 1\)\n', re.M)


def syscall_count(env, argv):
    """System calls of argv under qemu-x86_64, as libs/syscalls.c counts
    them in a pinned run."""
    out = env.tmp('logtotal-oracle.txt')
    guest(env, 'x86_64', instr(env.lib('syscalls'), 'out=' + out), argv)
    with open(out) as fobj:
        m = re.match(r'syscalls (\d+) ', fobj.read())
    expect(m, 'a count from libs/syscalls.c', 'none')
    return int(m.group(1))


def test_log_stderr(env):
    """qemu-x86_64 /bin/echo hi (which closes fd 2 at exit): the line the
    library's fini logs with qi_log() is on QEMU's stderr, whole, with
    the system call count of libs/syscalls.c."""
    env.require_mode('dynamic')
    argv = ['/bin/echo', 'hi']
    proc = guest(env, 'x86_64', instr(env.lib('logtotal'), 'tag=tag 1'),
                 argv)
    expect_eq('hi\n', proc.stdout, 'stdout')
    lines = LOG_LINE.findall(proc.stderr)
    expect(len(lines) == 1, 'one line "logtotal: N system calls (tag 1)"'
           ' on stderr', repr(proc.stderr))
    expect_eq(syscall_count(env, argv), int(lines[0]), 'logged count')


def test_log_file(env):
    """The same with -D FILE: the line is in FILE, not on stderr."""
    env.require_mode('dynamic')
    log = env.tmp('logtotal.log')
    proc = guest(env, 'x86_64', ['-D', log] + instr(
        env.lib('logtotal'), 'tag=tag 1'), ['/bin/echo', 'hi'])
    expect_eq('hi\n', proc.stdout, 'stdout')
    expect(not LOG_LINE.search(proc.stderr), 'nothing logged on stderr',
           repr(proc.stderr))
    expect(os.path.exists(log), 'a log file %s' % log, 'none')
    with open(log) as fobj:
        text = fobj.read()
    expect(len(LOG_LINE.findall(text)) == 1,
           'one line "logtotal: N system calls (tag 1)" in the log file',
           repr(text[-2000:]))


# Bad input

BAD_CONTEXTS = ('init trans exec_read exec_none exec_write syscall '
                'syscall_ret signal exception fini')


def check_bad_input(env, arch):
    env.require_mode('dynamic')
    prog = guest_program(env, 'signals', arch)
    plain = guest(env, arch, [], [prog], check=False)
    out = env.tmp('badinput-%s.txt' % arch)
    proc = guest(env, arch, instr(env.lib('badinput'), 'out=' + out),
                 [prog], check=False)
    expect_eq((plain.returncode, plain.stdout),
              (proc.returncode, proc.stdout),
              'exit status and output as without the library')
    got, lines = parse_values(out)
    fails = [line for line in lines if line.startswith('FAIL')]
    expect_eq([], fails, 'failed checks')
    expect_eq(['contexts ' + BAD_CONTEXTS],
              [line for line in lines if line.startswith('contexts')],
              'contexts checked')
    m = re.search(r'^ok (\d+) bad (\d+)$', '\n'.join(lines), re.M)
    expect(m and int(m.group(2)) == 0 and int(m.group(1)) > 100,
           '"ok N bad 0" with many checks', m and m.group(0))


def test_bad_input_user(env):
    """qemu-x86_64: out-of-range register numbers, writes to the PC, of
    the wrong size, from a call without QI_REGS_WRITE or from _trans,
    set_pc from _trans, QI_REGS_NONE and signal delivery, syscall calls
    outside their callback, bad syscall argument numbers, short buffers
    and NULL vCPUs all fail by return value (libs/badinput.c), and the
    program runs as without the library."""
    check_bad_input(env, 'x86_64')


def test_bad_input_user_aarch64(env):
    """qemu-aarch64: the same."""
    check_bad_input(env, 'aarch64')
