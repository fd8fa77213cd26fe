#
# qemu-instr tests: the tools of contrib/instrument that change what the
# guest does (faultinject, sysfilter), each against an oracle
#
# This work is licensed under the terms of the GNU GPL, version 2 or later.
# See the COPYING file in the top-level directory.
#
# SPDX-License-Identifier: GPL-2.0-or-later

"""faultinject against Python's arithmetic, sysfilter against strace."""

import os
import re
import shutil
import subprocess

from qitest import HERE, run, expect, expect_eq, expect_in
from test_contrib import example, read
from test_exec import ENV

TOOLS = ('faultinject', 'sysfilter')

# The register of a function's first argument, at its first instruction
ARG_REG = {'x86_64': 'rdi', 'aarch64': 'x0'}


def test_tools_bad_arguments(env):
    """Each tool refuses an unknown argument, saying which."""
    env.require_mode('dynamic')
    for name in TOOLS:
        proc = run([env.qemu_user(), '-instr',
                    'file=%s,arg=bogus=1' % example(env, name), '/bin/true'],
                   check=False)
        expect_eq(1, proc.returncode, '%s: exit status' % name)
        expect_in("%s: unknown argument 'bogus=1'" % name, proc.stderr,
                  '%s: stderr' % name)


def fault_prog(env, arch):
    """tests/instrument/contrib/fault.c built statically for arch, and
    the addresses of its scaled() and scale, from nm."""
    path = env.tmp('fault-' + arch)
    if not os.path.exists(path):
        cc = 'cc' if arch == 'x86_64' else '%s-linux-gnu-gcc' % arch
        if not shutil.which(cc):
            env.skip('%s is not installed (build-aux/install-deps installs '
                     'it)' % cc)
        run([cc, '-static', '-O1', '-Wall', '-Werror', '-o', path,
             os.path.join(HERE, 'contrib', 'fault.c')])
    syms = run(['nm', path]).stdout
    addrs = [int(re.search(r'^([0-9a-f]+) [TD] %s$' % name, syms,
                           re.M).group(1), 16) for name in ('scaled', 'scale')]
    return [path] + addrs


def run_faultinject(env, arch, prog, args):
    """The numbers prog prints under qemu-<arch> with faultinject and
    args, and the lines faultinject writes with out=."""
    out = env.tmp('faultinject.txt')
    opt = ','.join(['file=' + example(env, 'faultinject'), 'arg=out=' + out] +
                   ['arg=' + a for a in args])
    proc = run([env.qemu_user(arch), '-instr', opt, prog], env=ENV)
    return [int(n) for n in proc.stdout.split()], read(out).splitlines()


def test_tools_faultinject(env):
    """faultinject flips the bit it is told to, at the execution it is
    told to, in a register or in memory: fault.c prints scaled(i) =
    i * 3 for i = 1 to 5, and with the fault it prints what Python
    computes from the flipped argument (that call's line only) or the
    flipped factor (every line from that call on), on x86_64 and
    aarch64; beyond the last call nothing changes.  Its line says what
    it did."""
    env.require_event('guest_insn_before_exec')
    calls = range(1, 6)
    for arch in ('x86_64', 'aarch64'):
        if arch != 'x86_64' and not (
                shutil.which('%s-linux-gnu-gcc' % arch) and
                os.access(os.path.join(env.build, 'qemu-' + arch), os.X_OK)):
            print('    %s: no cross compiler or no qemu-%s, not run'
                  % (arch, arch))
            continue
        prog, scaled, scale = fault_prog(env, arch)
        reg = ARG_REG[arch]
        # (arguments, n, what, value before, after, the lines expected):
        # the argument register at the first instruction of the nth call
        # (n=1 by default), the factor in memory from the nth call on
        cases = []
        for n, bit in ((3, 2), (1, 40)):
            cases.append(((['n=%d' % n] if n > 1 else []) +
                          ['reg=' + reg, 'bit=%d' % bit],
                          n, '%s bit %d' % (reg, bit), n, n ^ (1 << bit),
                          [(i ^ (1 << bit) if i == n else i) * 3
                           for i in calls]))
        cases.append((['n=4', 'mem=%x' % scale, 'bit=7'], 4,
                      'mem 0x%x bit 7' % scale, 3, 3 ^ (1 << 7),
                      [i * (3 ^ (1 << 7) if i >= 4 else 3) for i in calls]))
        for args, n, what, before, after, want in cases:
            args = ['addr=0x%x' % scaled] + args
            got, record = run_faultinject(env, arch, prog, args)
            expect_eq(want, got, '%s %s: what the guest prints'
                      % (arch, ' '.join(args)))
            expect_eq(['injected %s at 0x%x execution %d of vcpu 0: '
                       '0x%x -> 0x%x' % (what, scaled, n, before, after)],
                      record, '%s %s: faultinject\'s line'
                      % (arch, ' '.join(args)))
        got, record = run_faultinject(env, arch, prog,
                                      ['addr=%x' % scaled, 'n=6',
                                       'reg=' + reg, 'bit=0'])
        expect_eq([i * 3 for i in calls], got, '%s n=6: what the guest '
                  'prints' % arch)
        expect_eq(['not injected: 0x%x ran 5 times, at most 5 on one vCPU '
                   '(n=6)' % scaled], record, '%s n=6: faultinject\'s line'
                  % arch)
        print('    %s: scaled at 0x%x, scale at 0x%x: %d faults as '
              'computed' % (arch, scaled, scale, len(cases)))


def test_tools_faultinject_errors(env):
    """faultinject refuses bad arguments with one line saying what is
    wrong; a register the guest lacks, or a bit beyond it, is only known
    once the guest runs: it says so then, and the guest runs as without
    it."""
    env.require_event('guest_insn_before_exec')
    lib = example(env, 'faultinject')
    for args, message in (
            (['addr=zz', 'reg=rdi', 'bit=1'],
             "bad argument 'addr=zz' (expected a hexadecimal address)"),
            (['addr=401000', 'n=0', 'reg=rdi', 'bit=1'],
             "bad argument 'n=0' (expected a decimal number, 1 or more)"),
            (['reg=rdi', 'bit=1'], 'addr=ADDR, the guest address of the '
             'instruction, is required'),
            (['addr=401000', 'bit=1'],
             'one of reg=NAME and mem=ADDR is required, not both'),
            (['addr=401000', 'reg=rdi', 'mem=404000', 'bit=1'],
             'one of reg=NAME and mem=ADDR is required, not both'),
            (['addr=401000', 'reg=rdi'], 'bit=B, the bit to flip, is '
             'required'),
            (['addr=401000', 'mem=404000', 'bit=8'], 'bit=8 is not a bit of '
             'a byte')):
        proc = run([env.qemu_user(), '-instr', ','.join(
            ['file=' + lib] + ['arg=' + a for a in args]), '/bin/true'],
            check=False)
        expect_eq(1, proc.returncode, '%s: exit status' % ' '.join(args))
        expect_in('faultinject: ' + message, proc.stderr,
                  '%s: stderr' % ' '.join(args))
    prog, scaled, _ = fault_prog(env, 'x86_64')
    for args, message in ((['reg=xyz', 'bit=1'], 'reg=xyz: the guest has '
                           'no register of that name'),
                          (['reg=rdi', 'bit=64'], 'bit=64: rdi has 64 bits')):
        proc = run([env.qemu_user(), '-instr', ','.join(
            ['file=' + lib, 'arg=addr=%x' % scaled] +
            ['arg=' + a for a in args]), prog], env=ENV)
        expect_eq('3 6 9 12 15', ' '.join(proc.stdout.split()),
                  '%s: what the guest prints' % ' '.join(args))
        expect_in('faultinject: not injected: ' + message, proc.stderr,
                  '%s: stderr' % ' '.join(args))


def run_sysfilter(env, policy, argv, args=(), trace=None):
    """Run argv under qemu-x86_64 with sysfilter, policy (the text of
    the policy file) and args, under strace -f writing to trace if
    given; the guest's exit status is not checked."""
    path = env.tmp('policy.txt')
    with open(path, 'w') as fobj:
        fobj.write(policy)
    cmd = [env.qemu_user(), '-instr', ','.join(
        ['file=' + example(env, 'sysfilter'), 'arg=policy=' + path] +
        ['arg=' + a for a in args])] + argv
    if trace:
        cmd = [shutil.which('strace'), '-f', '-o', trace] + cmd
    return run(cmd, env=ENV, check=False)


def host_mkdirs(trace, path):
    """The mkdir and mkdirat calls of path in the output of strace -f."""
    return [line for line in read(trace).splitlines()
            if re.match(r'(\d+ +)?mkdir(at)?\(', line) and
            '"%s"' % path in line]


def test_tools_sysfilter(env):
    """A mkdir the policy denies fails in the guest with the policy's
    errno, and never reaches the host: real strace of the whole
    qemu-x86_64 process shows no mkdir of the directory, which does not
    exist; log=on says what was denied.  Without the rule the same
    command makes the directory, and strace sees the call."""
    env.require_event('guest_user_syscall')
    if not shutil.which('strace'):
        env.skip('strace is not installed (build-aux/install-deps)')
    target, trace = env.tmp('sysfilter-dir'), env.tmp('sysfilter.strace')
    argv = ['/bin/mkdir', target]
    for rule, errno_name, text in (('deny mkdir', 'EPERM',
                                    'Operation not permitted'),
                                   ('deny mkdir EROFS', 'EROFS',
                                    'Read-only file system')):
        policy = '# no new directories\n%s\ndeny mkdirat\n' % rule
        proc = run_sysfilter(env, policy, argv, ['log=on'], trace)
        expect_eq(1, proc.returncode, '%s: mkdir\'s exit status' % rule)
        expect_in("mkdir: cannot create directory '%s': %s" % (target, text),
                  proc.stderr, '%s: stderr' % rule)
        expect_in('sysfilter: denied mkdir (83) on vcpu 0: ' + errno_name,
                  proc.stderr, '%s: stderr' % rule)
        expect(not os.path.exists(target), 'no %s' % target, 'it exists')
        expect_eq([], host_mkdirs(trace, target),
                  '%s: mkdir calls of qemu-x86_64 (strace)' % rule)
    proc = run_sysfilter(env, '# nothing denied\n', argv, ['log=on'], trace)
    expect_eq(0, proc.returncode, 'no rule: mkdir\'s exit status')
    expect_eq('', proc.stderr, 'no rule: stderr')
    expect(os.path.isdir(target), 'the directory %s' % target, 'none')
    expect_eq(1, len(host_mkdirs(trace, target)),
              'no rule: mkdir calls of qemu-x86_64 (strace)')
    os.rmdir(target)


def test_tools_sysfilter_default_deny(env):
    """A "default deny" policy that allows the system calls the real
    strace sees /bin/cat make natively lets it run under sysfilter as
    it does without: the same output, no call denied."""
    env.require_event('guest_user_syscall')
    if not shutil.which('strace'):
        env.skip('strace is not installed (build-aux/install-deps)')
    text = os.path.join(HERE, 'contrib', 'fault.c')
    real = env.tmp('sysfilter-cat.strace')
    run(['strace', '-f', '-o', real, '/bin/cat', text], env=ENV,
        stdout=subprocess.DEVNULL)
    calls = sorted(set(m.group(1) for m in re.finditer(
        r'^\d+ +([a-z0-9_]+)\(', read(real), re.M)))
    expect('exit_group' in calls and 'read' in calls,
           'read and exit_group among the calls', calls)
    policy = 'default deny\n' + ''.join('allow %s\n' % c for c in calls)
    proc = run_sysfilter(env, policy, ['/bin/cat', text], ['log=on'])
    expect_eq(0, proc.returncode, 'cat\'s exit status')
    expect_eq(read(text), proc.stdout, 'what cat prints')
    expect_eq('', proc.stderr, 'stderr (denied calls)')
    print('    %d system calls allowed' % len(calls))


def test_tools_sysfilter_bad_policy(env):
    """A policy line sysfilter cannot read makes the load fail, with the
    file, the line and why."""
    env.require_mode('dynamic')
    path = env.tmp('policy.txt')
    for policy, line, message in (
            ('allow read\ndeny opnat\n', 2, "unknown system call 'opnat'"),
            ('deny read\ndefault deny\n', 2, "'default' comes before the "
             'rules (line 1 has one)'),
            ('default allow\n# twice\ndefault deny\n', 3,
             "a second 'default' line (the first is line 1)"),
            ('permit read\n', 1, "expected 'allow', 'deny' or 'default', "
             "not 'permit'"),
            ('deny\n', 1, "'deny' needs a system call, by name or number"),
            ('deny read EFOO\n', 1, "'EFOO' is not an errno"),
            ('allow read EPERM\n', 1, "unexpected 'EPERM' after 'allow "
             "read'"),
            ('deny 0x1g\n', 1, "'0x1g' is not a system call number"),
            ('deny 1\n\ndeny read\ndeny 0x1\n', 4, "a second rule for '0x1' "
             '(the first is line 1)')):
        proc = run_sysfilter(env, policy, ['/bin/true'])
        expect_eq(1, proc.returncode, '%r: exit status' % policy)
        expect_in('sysfilter: %s:%d: %s' % (path, line, message), proc.stderr,
                  '%r: stderr' % policy)
    missing = env.tmp('no-such-policy')
    proc = run([env.qemu_user(), '-instr', 'file=%s,arg=policy=%s' % (
        example(env, 'sysfilter'), missing), '/bin/true'], check=False)
    expect_eq(1, proc.returncode, 'a missing policy: exit status')
    expect_in('sysfilter: cannot open %s: No such file or directory'
              % missing, proc.stderr)
