#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
#
# qemu-instr: run QEMU system emulators for the tests (stdlib only)
#
# Copyright (c) 2026 qemu-instr developers
#
# Starts qemu-system-x86_64 on the tiny test guest of guest/ (loaded with
# -bios, no firmware), with its serial output, QMP and HMP monitors in a
# temporary directory, and checks the guest's output against
# guest/reference.py:
#
#     with SystemGuest(qemu) as g:          # starts QEMU
#         g.wait_rounds(5)
#         g.qmp.cmd('query-status')
#         g.hmp.cmd('info status')
#         g.check_rounds(min_rounds=5)
#         g.shutdown()
#
#     python3 qemu_proc.py --selftest QEMU [--bios PATH]
#         checks this module against a QEMU binary and prints OK.

"""Helpers to run QEMU system emulators and talk to their monitors."""

import argparse
import atexit
import ctypes
import importlib.util
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
GUEST_DIR = os.path.join(HERE, 'guest')
DEFAULT_GUEST_BIN = os.path.join(GUEST_DIR, 'guest.bin')

SYSTEM_ARGS = ['-nodefaults', '-machine', 'pc', '-accel', 'tcg',
               '-global', 'apic-common.vapic=off', '-no-reboot',
               '-display', 'none']

# Pinned environment for guest programs whose counts or times are compared:
# the same program then executes the same instructions (DESIGN section 7)
PINNED_ENV = {'PATH': '/usr/bin:/bin', 'LANG': 'C', 'PYTHONHASHSEED': '0',
              'PERL_HASH_SEED': '0', 'PERL_PERTURB_KEYS': '0'}
# A sanitized QEMU's settings (make check-sanitizers) survive pinning
SANITIZER_ENV = {name: os.environ[name] for name in
                 ('ASAN_OPTIONS', 'UBSAN_OPTIONS', 'LSAN_OPTIONS')
                 if name in os.environ}
PINNED_ENV.update(SANITIZER_ENV)

_POLL = 0.02                    # seconds between two polls


class QMPError(Exception):
    """A QMP command returned an error."""

    def __init__(self, cmd, error_class, desc):
        super().__init__('%s: %s: %s' % (cmd, error_class, desc))
        self.cmd = cmd
        self.error_class = error_class
        self.desc = desc


class MonitorTimeout(TimeoutError):
    """A monitor did not answer in time."""


class GuestError(AssertionError):
    """The guest did not behave as expected."""


def _deadline(timeout):
    return None if timeout is None else time.monotonic() + timeout


def _remaining(deadline, what):
    if deadline is None:
        return None
    left = deadline - time.monotonic()
    if left <= 0:
        raise MonitorTimeout('timed out waiting for %s' % what)
    return left


def _connect_unix(path, timeout, proc, what):
    """Connect to the unix socket path, retrying until it appears."""
    deadline = _deadline(timeout)
    while True:
        if proc is not None and proc.poll() is not None:
            raise ConnectionError('%s: QEMU exited with code %d'
                                  % (what, proc.returncode))
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            sock.connect(path)
            return sock
        except (FileNotFoundError, ConnectionRefusedError):
            sock.close()
        if deadline is not None and time.monotonic() >= deadline:
            raise MonitorTimeout('%s: cannot connect to %s' % (what, path))
        time.sleep(_POLL)


class _Monitor:
    """A buffered unix-socket connection."""

    what = 'monitor'

    def __init__(self, path, timeout, proc):
        self.path = path
        self.timeout = timeout
        self.proc = proc
        self._buf = b''
        self._sock = _connect_unix(path, timeout, proc, self.what)

    def _timeout(self, timeout):
        return self.timeout if timeout is None else timeout

    def _recv(self, deadline):
        """Append more data to the buffer; False on end of file."""
        if self._sock is None:
            raise ConnectionError('%s: connection closed' % self.what)
        self._sock.settimeout(_remaining(deadline, self.what))
        try:
            data = self._sock.recv(65536)
        except socket.timeout:
            raise MonitorTimeout('timed out waiting for %s' % self.what)
        if not data:
            return False
        self._buf += data
        return True

    def _read_until(self, sep, deadline, start=0):
        """Return the index of sep in the buffer (searched from start)."""
        while True:
            i = self._buf.find(sep, start)
            if i >= 0:
                return i
            if not self._recv(deadline):
                raise ConnectionError('%s: connection closed by QEMU'
                                      % self.what)

    def _send(self, data, deadline):
        """Send data by deadline (the socket keeps the timeout of the
        last receive, or none at all after a poll, otherwise)."""
        if self._sock is None:
            raise ConnectionError('%s: connection closed' % self.what)
        self._sock.settimeout(_remaining(deadline, self.what))
        try:
            self._sock.sendall(data)
        except socket.timeout:
            raise MonitorTimeout('timed out sending to %s' % self.what)

    def close(self):
        if self._sock is not None:
            self._sock.close()
            self._sock = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class QMP(_Monitor):
    """A QMP monitor on a unix socket, in command mode once created.

    Asynchronous events received so far are kept in .events.
    """

    what = 'QMP'

    def __init__(self, path, timeout=10.0, proc=None):
        super().__init__(path, timeout, proc)
        self.events = []
        self._id = 0
        try:
            deadline = _deadline(timeout)
            self.greeting = self._read_msg(deadline)
            if 'QMP' not in self.greeting:
                raise ConnectionError('QMP: unexpected greeting %r'
                                      % self.greeting)
            self.cmd('qmp_capabilities')
        except BaseException:
            self.close()
            raise

    def _read_msg(self, deadline):
        i = self._read_until(b'\n', deadline)
        line, self._buf = self._buf[:i], self._buf[i + 1:]
        return json.loads(line.decode('utf-8', 'replace'))

    def _poll_events(self):
        """Read the events already received, without waiting."""
        if self._sock is None:
            return
        while True:
            self._sock.settimeout(0)
            try:
                data = self._sock.recv(65536)
            except (BlockingIOError, socket.timeout):
                break
            except OSError:
                return
            if not data:
                break
            self._buf += data
        while b'\n' in self._buf:
            msg = self._read_msg(None)
            if 'event' in msg:
                self.events.append(msg)

    def cmd(self, name, arguments=None, timeout=None, **kwargs):
        """Run the QMP command name; return its 'return' value.

        Keyword arguments are added to arguments, with '_' in their names
        replaced by '-'.  Raises QMPError if the command fails.
        """
        args = dict(arguments or {})
        for key, value in kwargs.items():
            args[key.replace('_', '-')] = value
        self._id += 1
        req = {'execute': name, 'id': self._id}
        if args:
            req['arguments'] = args
        deadline = _deadline(self._timeout(timeout))
        self._send(json.dumps(req).encode() + b'\n', deadline)
        while True:
            msg = self._read_msg(deadline)
            if 'event' in msg:
                self.events.append(msg)
            elif msg.get('id') != self._id:
                continue                # the answer to a timed-out command
            elif 'error' in msg:
                err = msg['error']
                raise QMPError(name, err.get('class'), err.get('desc'))
            else:
                return msg.get('return')

    def get_events(self, name=None, clear=True):
        """Return the events received so far (only those called name).

        With clear, they are removed from .events.
        """
        self._poll_events()
        found, rest = [], []
        for event in self.events:
            if name is None or event['event'] == name:
                found.append(event)
            else:
                rest.append(event)
        if clear:
            self.events = rest
        return found

    def wait_event(self, name, timeout=None):
        """Wait for an event called name, remove it and return it."""
        deadline = _deadline(self._timeout(timeout))
        while True:
            found = self.get_events(name, clear=False)
            if found:
                self.events.remove(found[0])
                return found[0]
            msg = self._read_msg(deadline)
            if 'event' in msg:
                self.events.append(msg)

    def hmp(self, line):
        """Run an HMP command through QMP; return its output.

        Carriage returns are removed, as HMP.cmd() does.
        """
        out = self.cmd('human-monitor-command', command_line=line)
        return out.replace('\r', '')


_ESCAPE = re.compile(r'\x1b\[[0-?]*[ -/]*[@-~]|\x1b[@-Z\\-_]')


class HMP(_Monitor):
    """A human monitor (HMP) on a unix socket.

    Over a socket HMP echoes the command with terminal redraw escapes:
    the reply starts after the first CRLF and ends at the next prompt.
    """

    what = 'HMP'
    PROMPT = b'(qemu) '

    def __init__(self, path, timeout=10.0, proc=None):
        super().__init__(path, timeout, proc)
        try:
            i = self._read_until(self.PROMPT, _deadline(timeout))
            self.banner = self._clean(self._buf[:i])
            self._buf = self._buf[i + len(self.PROMPT):]
        except BaseException:
            self.close()
            raise

    @staticmethod
    def _clean(data):
        text = _ESCAPE.sub('', data.decode('utf-8', 'replace'))
        return text.replace('\r', '')

    def cmd(self, line, timeout=None):
        """Run an HMP command line; return its output.

        The output is '' when the command prints nothing, otherwise text
        ending in a newline, without escape sequences or carriage returns.
        """
        if '\n' in line or '\r' in line:
            raise ValueError('HMP command with a newline: %r' % line)
        deadline = _deadline(self._timeout(timeout))
        self._send(line.encode() + b'\n', deadline)
        start = self._read_until(b'\r\n', deadline) + 2
        end = self._read_until(self.PROMPT, deadline, start)
        reply = self._clean(self._buf[start:end])
        self._buf = self._buf[end + len(self.PROMPT):]
        if reply and not reply.endswith('\n'):
            reply += '\n'
        return reply


_reference = None


def load_reference():
    """Import guest/reference.py and return the module."""
    global _reference
    if _reference is None:
        spec = importlib.util.spec_from_file_location(
            'qi_guest_reference', os.path.join(GUEST_DIR, 'reference.py'))
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        _reference = module
    return _reference


def build_guest(outdir):
    """Build guest.bin in outdir (make -f); return its path."""
    res = subprocess.run(['make', '-s', '-f',
                          os.path.join(GUEST_DIR, 'Makefile')],
                         cwd=outdir, stdin=subprocess.DEVNULL,
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                         universal_newlines=True)
    if res.returncode != 0:
        raise RuntimeError('building the test guest failed:\n' + res.stdout)
    return os.path.join(outdir, 'guest.bin')


def _pdeathsig_fn():
    """Return a preexec_fn killing the child when its parent dies."""
    if not sys.platform.startswith('linux'):
        return None
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        prctl = libc.prctl
    except (OSError, AttributeError):
        return None
    parent = os.getpid()
    pr_set_pdeathsig = 1

    def preexec():
        prctl(pr_set_pdeathsig, signal.SIGKILL, 0, 0, 0)
        if os.getppid() != parent:      # the parent died before prctl
            os._exit(1)
    return preexec


_live_guests = set()


@atexit.register
def _cleanup_live_guests():
    for guest in list(_live_guests):
        guest.cleanup()


_ROUND = re.compile(r'round (\d+) sum=([0-9a-f]{8})$')


def _tail(text, lines=10):
    return '\n'.join(text.splitlines()[-lines:])


class SystemGuest:
    """qemu-system-x86_64 running the test guest of guest/.

    start(), or entering a with block, runs QEMU with its files in a new
    temporary directory: serial.out (.serial_path), qemu.log (.log_path:
    QEMU's stdout and stderr), qmp.sock and hmp.sock, and connects .qmp
    (QMP) and .hmp (HMP).  Without bios, the guest is guest/guest.bin,
    built in the temporary directory if it is missing.  env adds to
    (None: removes from) the environment QEMU inherits.  With
    die_with_parent, QEMU is killed when the thread that started it ends.
    Leaving a with block calls cleanup(), which kills QEMU and removes the
    directory (unless keep_tmp).
    """

    def __init__(self, qemu, args=(), bios=None, smp=None, env=None,
                 timeout=10.0, keep_tmp=False, die_with_parent=True,
                 tmp_prefix='qi-guest-'):
        self.qemu = qemu
        self.args = list(args)
        self.bios = bios
        self.smp = smp
        self.env = env
        self.timeout = timeout
        self.keep_tmp = keep_tmp
        self.die_with_parent = die_with_parent
        self.tmp_prefix = tmp_prefix
        self.tmpdir = None
        self.serial_path = None
        self.log_path = None
        self.qmp_path = None
        self.hmp_path = None
        self.cmdline = None
        self.proc = None
        self.qmp = None
        self.hmp = None
        self.exitcode = None
        self._log_file = None

    def __enter__(self):
        try:
            return self.start()
        except BaseException:
            self.cleanup()
            raise

    def __exit__(self, *exc):
        self.cleanup()

    def start(self):
        """Start QEMU and connect the monitors; return self.

        Does nothing if QEMU was already started (when entering a with
        block).  Raises RuntimeError, with QEMU's output, if it fails.
        """
        if self.proc is not None:
            return self
        self.tmpdir = tempfile.mkdtemp(prefix=self.tmp_prefix)
        self.serial_path = os.path.join(self.tmpdir, 'serial.out')
        self.log_path = os.path.join(self.tmpdir, 'qemu.log')
        self.qmp_path = os.path.join(self.tmpdir, 'qmp.sock')
        self.hmp_path = os.path.join(self.tmpdir, 'hmp.sock')
        _live_guests.add(self)
        bios = self.bios
        if bios is None:
            bios = DEFAULT_GUEST_BIN
            if not os.path.exists(bios):
                bios = build_guest(self.tmpdir)
        cmd = [self.qemu] + SYSTEM_ARGS
        if self.smp:
            cmd += ['-smp', str(self.smp)]
        cmd += ['-bios', bios,
                '-serial', 'file:' + self.serial_path,
                '-qmp', 'unix:%s,server=on,wait=off' % self.qmp_path,
                '-monitor', 'unix:%s,server=on,wait=off' % self.hmp_path]
        cmd += self.args
        self.cmdline = cmd
        env = None
        if self.env is not None:
            env = dict(os.environ)
            for key, value in self.env.items():
                if value is None:
                    env.pop(key, None)
                else:
                    env[key] = value
        self._log_file = open(self.log_path, 'wb')
        self.proc = subprocess.Popen(
            cmd, stdin=subprocess.DEVNULL, stdout=self._log_file,
            stderr=subprocess.STDOUT, env=env,
            preexec_fn=_pdeathsig_fn() if self.die_with_parent else None)
        try:
            self.qmp = QMP(self.qmp_path, self.timeout, self.proc)
            self.hmp = HMP(self.hmp_path, self.timeout, self.proc)
        except (OSError, ValueError) as e:
            self.kill()
            raise RuntimeError('QEMU failed to start (%s)\n$ %s\n%s'
                               % (e, ' '.join(cmd), self.log())) from e
        return self

    def _check_started(self):
        if self.proc is None:
            raise RuntimeError('SystemGuest not started (call start())')

    def alive(self):
        """Whether QEMU is running."""
        return self.proc is not None and self.proc.poll() is None

    @staticmethod
    def _read(path):
        try:
            with open(path, 'rb') as f:
                return f.read().decode('utf-8', 'replace')
        except (FileNotFoundError, TypeError):
            return ''

    def log(self):
        """Return what QEMU printed so far (stdout and stderr)."""
        return self._read(self.log_path)

    def serial(self):
        """Return what the guest printed so far on its serial port."""
        return self._read(self.serial_path)

    def _lines(self):
        """The complete lines of the serial output."""
        return self.serial().split('\n')[:-1]

    def rounds(self):
        """Return the (round, sum) pairs printed so far, as integers."""
        found = []
        for line in self._lines():
            m = _ROUND.match(line)
            if m:
                found.append((int(m.group(1)), int(m.group(2), 16)))
        return found

    def _fail(self, msg):
        raise GuestError('%s\n--- serial (tail) ---\n%s\n'
                         '--- QEMU log (tail) ---\n%s'
                         % (msg, _tail(self.serial()), _tail(self.log())))

    def wait_rounds(self, n, timeout=30.0):
        """Wait until the guest printed at least n rounds; return them."""
        self._check_started()
        deadline = time.monotonic() + timeout
        while True:
            found = self.rounds()
            if len(found) >= n:
                return found
            if not self.alive():
                self._fail('QEMU exited with code %s after %d of %d rounds'
                           % (self.proc.poll(), len(found), n))
            if time.monotonic() >= deadline:
                self._fail('timed out after %gs with %d of %d rounds'
                           % (timeout, len(found), n))
            time.sleep(_POLL)

    def check_rounds(self, min_rounds=1, max_sums=None):
        """Check the serial output against guest/reference.py.

        It must be 'guest: start', then rounds 1, 2, ... in order (at
        least min_rounds) with the reference sums; with max_sums, only
        the sums of the first max_sums rounds and of the last are
        compared.  Returns the list of (round, sum).
        """
        ref = load_reference()
        lines = self._lines()
        if not lines or lines[0] != 'guest: start':
            self._fail("the guest did not print 'guest: start'")
        found = []
        for line in lines[1:]:
            m = _ROUND.match(line)
            if not m:
                if line.endswith(' mismatch'):
                    self._fail('%s: the repeated computations differ' % line)
                self._fail('unexpected guest output: %r' % line)
            n, value = int(m.group(1)), int(m.group(2), 16)
            if n != len(found) + 1:
                self._fail('round %d printed after round %d'
                           % (n, len(found)))
            found.append((n, value))
        if len(found) < min_rounds:
            self._fail('only %d rounds, expected at least %d'
                       % (len(found), min_rounds))
        for i, (n, value) in enumerate(found):
            if max_sums is not None and max_sums <= i < len(found) - 1:
                continue
            if value != ref.round_sum(n):
                self._fail('round %d: sum %08x, expected %08x'
                           % (n, value, ref.round_sum(n)))
        return found

    def _close_monitors(self):
        for mon in (self.qmp, self.hmp):
            if mon is not None:
                mon.close()

    def shutdown(self, timeout=None):
        """Quit QEMU (QMP quit, then kill); return its exit code."""
        if self.proc is None:
            return self.exitcode
        if timeout is None:
            timeout = self.timeout
        if self.alive() and self.qmp is not None:
            try:
                self.qmp.cmd('quit', timeout=timeout)
            except (OSError, QMPError, ValueError):
                pass
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self._close_monitors()
        self.exitcode = self.proc.returncode
        return self.exitcode

    def kill(self):
        """Kill QEMU at once."""
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        self._close_monitors()
        self.exitcode = self.proc.returncode

    def cleanup(self):
        """Kill QEMU and remove the temporary directory (unless keep_tmp)."""
        self.kill()
        if self._log_file is not None:
            self._log_file.close()
            self._log_file = None
        if self.tmpdir is not None and not self.keep_tmp:
            shutil.rmtree(self.tmpdir, ignore_errors=True)
        _live_guests.discard(self)


def selftest(qemu, bios=None):
    """Check this module and the guest against qemu; raise on failure."""
    with tempfile.TemporaryDirectory(prefix='qi-selftest-') as tmp:
        if bios is None:
            bios = DEFAULT_GUEST_BIN
            if not os.path.exists(bios):
                bios = build_guest(tmp)
        with SystemGuest(qemu, bios=bios) as g:
            g.wait_rounds(10)
            status = g.qmp.cmd('query-status')
            if status.get('status') != 'running':
                raise GuestError('query-status: %r' % status)
            out = g.hmp.cmd('info status')
            if out != 'VM status: running\n':
                raise GuestError('HMP info status: %r' % out)
            out = g.qmp.hmp('info status')
            if 'VM status: running' not in out:
                raise GuestError('QMP human-monitor-command: %r' % out)
            try:
                g.qmp.cmd('qi-no-such-command')
            except QMPError as e:
                if e.error_class != 'CommandNotFound':
                    raise
            else:
                raise GuestError('an unknown QMP command succeeded')
            found = g.check_rounds(min_rounds=10)
            code = g.shutdown()
            if code != 0:
                raise GuestError('QEMU exited with code %s' % code)
    return len(found)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument('--selftest', metavar='QEMU', required=True,
                        help='check this module with the QEMU binary')
    parser.add_argument('--bios', metavar='PATH',
                        help='guest image [guest/guest.bin, built in a '
                             'temporary directory if missing]')
    opts = parser.parse_args(argv)
    selftest(opts.selftest, opts.bios)
    print('OK')
    return 0


if __name__ == '__main__':
    sys.exit(main())
