#
# qemu-instr tests: the environment every test gets, and assertions that
# say what they expected and what they got
#
# This work is licensed under the terms of the GNU GPL, version 2 or later.
# See the COPYING file in the top-level directory.
#
# SPDX-License-Identifier: GPL-2.0-or-later

"""Test environment and helpers for qemu-instr tests."""

import json
import os
import re
import shutil
import subprocess

HERE = os.path.dirname(os.path.abspath(__file__))


class Skip(Exception):
    """Raised by Env.skip()."""


class Env:
    """What a test needs to know about the build under test."""

    def __init__(self, build, workdir):
        build = os.path.abspath(build)
        # The project's build directory holds the QEMU one in qemu/
        if os.path.isdir(os.path.join(build, 'qemu', 'meson-info')):
            build = os.path.join(build, 'qemu')
        self.build = build
        self.tests = HERE
        info = os.path.join(self.build, 'meson-info', 'meson-info.json')
        with open(info) as fobj:
            self.src = json.load(fobj)['directories']['source']
        self.workdir = workdir
        self._libs = {}
        self._config = None
        self._sanitized = None

    # Build facts

    def config(self, name):
        """Value of a #define in the build's config-host.h ('1' if the
        define has no value), or None."""
        if self._config is None:
            self._config = {}
            with open(os.path.join(self.build, 'config-host.h')) as fobj:
                for line in fobj:
                    m = re.match(r'#define (\w+)\s*(.*)', line)
                    if m:
                        self._config[m.group(1)] = m.group(2).strip() or '1'
        return self._config.get(name)

    def configure_python(self):
        """The python3 QEMU's configure ran with for this build (the base
        interpreter of its pyvenv): QEMU 10.0's configure needs meson and
        pycotap from it, which the first python3 in PATH may lack."""
        home = None
        with open(os.path.join(self.build, 'pyvenv', 'pyvenv.cfg')) as fobj:
            for line in fobj:
                key, _, value = line.partition('=')
                if key.strip() == 'executable':
                    return value.strip()
                if key.strip() == 'home':
                    home = value.strip()
        return os.path.join(home, 'python3')

    @property
    def mode(self):
        """'dynamic', 'static' or 'none'."""
        if self.config('CONFIG_TRACE_INSTRUMENT_DYNAMIC'):
            return 'dynamic'
        if self.config('CONFIG_TRACE_INSTRUMENT_STATIC'):
            return 'static'
        return 'none'

    @property
    def sanitized(self):
        """Whether the emulators are built with AddressSanitizer (make
        check-sanitizers)."""
        if self._sanitized is None:
            path = os.path.join(self.build, 'qemu-x86_64')
            with open(path, 'rb') as fobj:
                self._sanitized = b'__asan_init' in fobj.read()
        return self._sanitized

    def instrumented(self, event):
        """Whether the build instruments trace event 'event'."""
        path = os.path.join(self.build, 'include', 'qemu-instr',
                            'events-list.h')
        if not os.path.exists(path):
            return False
        with open(path) as fobj:
            return ('QI_EVENT_%s,' % event.upper()) in fobj.read()

    def binary(self, name):
        """Path of a QEMU binary of the build; skips the test if absent."""
        path = os.path.join(self.build, name)
        if not os.access(path, os.X_OK):
            self.skip('%s was not built' % name)
        return path

    def qemu_user(self, arch='x86_64'):
        return self.binary('qemu-' + arch)

    def qemu_system(self):
        return self.binary('qemu-system-x86_64')

    def plugin(self, name, build=None):
        """Path of QEMU's test plugin tests/tcg/plugins/lib<name>.so, of build
        (default: the build under test)."""
        path = os.path.join(build or self.build, 'tests', 'tcg', 'plugins',
                            'lib%s.so' % name)
        if not os.path.exists(path):
            self.skip('oracle plugin lib%s.so was not built '
                      '(configure with --enable-plugins)' % name)
        return path

    def test_plugin(self, name):
        """Build tests/instrument/plugins/<name>.c, a TCG plugin, against
        this build's qemu-plugin.h."""
        if not os.path.exists(os.path.join(self.build, 'tests', 'tcg',
                                           'plugins')):
            self.skip('QEMU was built without TCG plugins '
                      '(configure with --enable-plugins)')
        key = ('plugin', name)
        if key not in self._libs:
            out = self.tmp('plugin-%s.so' % name)
            glib = run(['pkg-config', '--cflags', '--libs', 'glib-2.0'])
            run(['cc', '-shared', '-fPIC', '-O2', '-Wall', '-Werror',
                 '-o', out, os.path.join(HERE, 'plugins', name + '.c'),
                 '-I', os.path.join(self.src, 'include', 'qemu')] +
                glib.stdout.split())
            self._libs[key] = out
        return self._libs[key]

    def require_mode(self, *modes):
        if self.mode not in modes:
            self.skip('needs a %s build (this one is %s)'
                      % (' or '.join(modes), self.mode))

    def require_event(self, event):
        if not self.instrumented(event):
            self.skip('event %s is not instrumented in this build (configure '
                      'with --with-instrument-events=%s)'
                      % (event, os.path.join(HERE, 'events.list')))

    # Helpers

    def skip(self, reason):
        raise Skip(reason)

    def tmp(self, name):
        """A path in this run's scratch directory."""
        return os.path.join(self.workdir, name)

    def cflags(self):
        """Compiler flags to build a library against this build's headers."""
        return ['-I' + os.path.join(self.src, 'include'),
                '-I' + os.path.join(self.build, 'include')]

    def lib(self, name, *cflags, headers=True):
        """Build tests/instrument/libs/<name>.c into a shared library.

        Extra arguments go to the compiler; with headers=False the library
        is built without the qemu-instr headers.
        """
        key = (name, cflags, headers)
        if key not in self._libs:
            out = self.tmp('lib%s-%d.so' % (name, len(self._libs)))
            cmd = ['cc', '-shared', '-fPIC', '-O2', '-Wall', '-Werror',
                   '-o', out, os.path.join(HERE, 'libs', name + '.c')]
            cmd += list(cflags) + (self.cflags() if headers else [])
            run(cmd)
            self._libs[key] = out
        return self._libs[key]

    def side_build(self, name, configure_args, targets):
        """Build targets of a second QEMU from the same source, configured
        with configure_args, in BUILD-<name> (incremental on later runs);
        return its directory."""
        if os.environ.get('QI_TEST_SIDE_BUILDS') == 'no':
            self.skip('side builds are off (QI_TEST_SIDE_BUILDS=no); '
                      'make check runs this test')
        build = self.build.rstrip('/') + '-' + name
        if not os.path.exists(os.path.join(build, 'build.ninja')):
            os.makedirs(build, exist_ok=True)
            cc = 'ccache cc' if shutil.which('ccache') else 'cc'
            run([os.path.join(self.src, 'configure'), '--cc=' + cc,
                 '--python=' + self.configure_python(),
                 '--target-list=x86_64-linux-user', '--disable-docs',
                 '--disable-tools', '--disable-download'] +
                list(configure_args), cwd=build, timeout=1200)
        run(['ninja'] + list(targets), cwd=build, timeout=3000)
        return build

    def workload(self, arch, name='workload'):
        """tests/instrument/workload/<name>.c built statically for
        linux-user guests of arch, with Debian's cross compiler (the host
        compiler for the host's architecture)."""
        path = self.tmp('%s-%s' % (name, arch))
        if not os.path.exists(path):
            cc = '%s-linux-gnu-gcc' % arch
            if not shutil.which(cc):
                self.skip('%s is not installed (build-aux/install-deps '
                          'installs it)' % cc)
            run([cc, '-static', '-O2', '-Wall', '-Werror', '-o', path,
                 os.path.join(HERE, 'workload', name + '.c')])
        return path

    def guest_bin(self):
        """The system test guest image, built on first use."""
        path = self.tmp('guest.bin')
        if not os.path.exists(path):
            run(['make', '-s', '-f', os.path.join(HERE, 'guest', 'Makefile')],
                cwd=self.workdir)
        return path


def run(cmd, check=True, timeout=600, **kwargs):
    """Run a command; return its CompletedProcess (text output captured).

    stdin is /dev/null; an AssertionError carries the output on failure.
    """
    kwargs.setdefault('stdout', subprocess.PIPE)
    kwargs.setdefault('stderr', subprocess.PIPE)
    proc = subprocess.run(cmd, stdin=subprocess.DEVNULL, text=True,
                          errors='replace', timeout=timeout, **kwargs)
    if check and proc.returncode != 0:
        raise AssertionError('command failed with status %d: %s\n%s%s'
                             % (proc.returncode, ' '.join(cmd),
                                proc.stdout or '', proc.stderr or ''))
    return proc


def expect(cond, expected, got):
    """Fail with what was expected and what came instead."""
    if not cond:
        raise AssertionError('expected: %s\n     got: %s' % (expected, got))


def expect_eq(expected, got, what=''):
    expect(expected == got, '%s%r' % (what + ' ' if what else '', expected),
           repr(got))


def expect_in(needle, haystack, what='output'):
    expect(needle in haystack, '%s containing %r' % (what, needle),
           repr(haystack[-2000:]))
