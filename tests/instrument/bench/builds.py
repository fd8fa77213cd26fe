#
# qemu-instr benchmark: the QEMU builds compared
#
# This work is licensed under the terms of the GNU GPL, version 2 or later.
# See the COPYING file in the top-level directory.
#
# SPDX-License-Identifier: GPL-2.0-or-later

"""Five builds from the same pristine QEMU 10.0 tarball, configured with
the same options, in BUILD-bench/<name>:

  vanilla   QEMU 10.0 as released (plus the one build fix every build of
            Debian's firmware-less tarball needs), with TCG plugins
  none      qemu-instr, --with-trace-instrument=none
  dynamic   qemu-instr, --with-trace-instrument=dynamic
  static    qemu-instr, --with-trace-instrument=static, with the benchmark
            library (bench/lib/bench.c) compiled in
  static-execlog
            the same with the shipped execlog example
            (contrib/instrument/execlog.c) compiled in instead

The instrumented ones instrument what "make" builds by default: the
guest events and tests/instrument/events.list (a device event among
them, the UART's serial_write).  Each builds qemu-x86_64 and
qemu-system-x86_64; vanilla also the upstream plugins the jobs are
compared with.  Later runs are incremental, and configure again when
the options changed.
"""

import os
import shutil
import subprocess

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))
LIBDIR = os.path.join(HERE, 'lib')
PLUGINDIR = os.path.join(os.path.dirname(HERE), 'plugins')

# The build fix vanilla needs too: Debian's tarball has no firmware blobs
VANILLA_PATCHES = ['pc-bios-tolerate-missing-blobs.patch']

# Only what the benchmark runs: an emulator without the optional
# features (display, network backends, block drivers) builds in half the
# time and runs guest code the same
CONFIGURE_ARGS = ['--target-list=x86_64-linux-user,x86_64-softmmu',
                  '--without-default-features', '--enable-tcg',
                  '--enable-plugins', '--enable-capstone', '--disable-docs',
                  '--disable-tools', '--disable-install-blobs',
                  '--disable-download']


def configure_python():
    """A python3 that has meson (QEMU 10.0's configure needs it): the
    first in PATH, else the system's."""
    for python in ('python3', '/usr/bin/python3'):
        if subprocess.run([python, '-c', 'import mesonbuild'],
                          stderr=subprocess.DEVNULL).returncode == 0:
            return shutil.which(python) or python
    return 'python3'

EVENTS = ['--with-instrument-events=' +
          os.path.join(os.path.dirname(HERE), 'events.list')]
# Where the static-execlog build takes its library from: a directory
# holding only the example (static mode compiles every *.c there)
EXECLOG_DIR = 'static-execlog-lib'

MODES = {
    'vanilla': [],
    'none': ['--with-trace-instrument=none'],
    'dynamic': ['--with-trace-instrument=dynamic'] + EVENTS,
    'static': ['--with-trace-instrument=static',
               '--with-trace-instrument-path=' + LIBDIR] + EVENTS,
    'static-execlog': ['--with-trace-instrument=static',
                       '--with-trace-instrument-path=@EXECLOG@'] + EVENTS,
}

TARGETS = ['qemu-x86_64', 'qemu-system-x86_64']
VANILLA_TARGETS = ['tests/tcg/plugins/libinsn.so', 'tests/tcg/plugins/libbb.so',
                   'tests/tcg/plugins/libmem.so']


def run(cmd, log, **kwargs):
    """Run cmd with its output appended to the file log; raise on error."""
    with open(log, 'a') as out:
        out.write('$ %s\n' % ' '.join(cmd))
        out.flush()
        proc = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=out,
                              stderr=subprocess.STDOUT, **kwargs)
    if proc.returncode != 0:
        with open(log) as fobj:
            tail = fobj.read()[-3000:]
        raise RuntimeError('%s failed (see %s):\n%s'
                           % (' '.join(cmd), log, tail))


def vanilla_source(build, bench):
    """Pristine QEMU (the qi-pristine tag of BUILD/src) plus
    VANILLA_PATCHES, unpacked once into BENCH/vanilla-src."""
    src = os.path.join(bench, 'vanilla-src')
    stamp = os.path.join(src, '.qi-vanilla')
    if os.path.exists(stamp):
        return src
    shutil.rmtree(src, ignore_errors=True)
    os.makedirs(src)
    log = os.path.join(bench, 'vanilla-src.log')
    archive = subprocess.run(['git', '-C', os.path.join(build, 'src'),
                              'archive', 'qi-pristine'],
                             stdout=subprocess.PIPE, check=True).stdout
    subprocess.run(['tar', '-x', '-C', src], input=archive, check=True)
    for patch in VANILLA_PATCHES:
        # Not git apply: inside the repository's work tree, it would
        # take the paths as relative to the repository and skip them
        run(['patch', '-p1', '--forward', '-i',
             os.path.join(REPO, 'patches', patch)], log, cwd=src)
    open(stamp, 'w').close()
    return src


def execlog_library(bench):
    """BENCH/static-execlog-lib holding contrib/instrument/execlog.c,
    copied only when it changed (a copy rebuilds the library)."""
    lib = os.path.join(bench, EXECLOG_DIR)
    os.makedirs(lib, exist_ok=True)
    src = os.path.join(REPO, 'contrib', 'instrument', 'execlog.c')
    dst = os.path.join(lib, 'execlog.c')
    with open(src, 'rb') as fobj:
        text = fobj.read()
    if not os.path.exists(dst) or open(dst, 'rb').read() != text:
        with open(dst, 'wb') as fobj:
            fobj.write(text)
    return lib


def build(name, build_dir, bench, log=print):
    """Configure (when new, or when its options changed) and build one
    configuration; return its dir."""
    src = (vanilla_source(build_dir, bench) if name == 'vanilla'
           else os.path.join(build_dir, 'src'))
    out = os.path.join(bench, name)
    logfile = os.path.join(bench, name + '.log')
    env = dict(os.environ, CCACHE_BASEDIR=bench, CCACHE_NOHASHDIR='1')
    cc = 'ccache cc' if shutil.which('ccache') else 'cc'
    args = [os.path.join(src, 'configure'), '--cc=' + cc,
            '--python=' + configure_python()] + CONFIGURE_ARGS + [
        a.replace('@EXECLOG@', execlog_library(bench)) if '@EXECLOG@' in a
        else a for a in MODES[name]]
    stamp = os.path.join(out, '.qi-configure-args')
    old = open(stamp).read() if os.path.exists(stamp) else None
    if (not os.path.exists(os.path.join(out, 'build.ninja')) or
            old != '\n'.join(args)):
        os.makedirs(out, exist_ok=True)
        log('configuring %s (log: %s)' % (name, logfile))
        run(args, logfile, cwd=out, env=env)
    with open(stamp, 'w') as fobj:
        fobj.write('\n'.join(args))
    log('building %s' % name)
    targets = TARGETS + (VANILLA_TARGETS if name == 'vanilla' else [])
    run(['ninja'] + targets, logfile, cwd=out, env=env)
    return out


def glib_flags(what):
    return subprocess.run(['pkg-config', what, 'glib-2.0'], check=True,
                          stdout=subprocess.PIPE,
                          text=True).stdout.split()


def plugin(vanilla, src, name, out):
    """Build an upstream-API plugin (tests/instrument/plugins/NAME.c, or
    a path) against vanilla's qemu-plugin.h."""
    path = name if name.endswith('.c') else os.path.join(PLUGINDIR,
                                                         name + '.c')
    lib = os.path.join(out, 'lib%s.so' % os.path.basename(path)[:-2])
    subprocess.run(['cc', '-shared', '-fPIC', '-O2', '-Wall', '-o', lib,
                    '-I' + os.path.join(src, 'include', 'qemu'), path] +
                   glib_flags('--cflags') + glib_flags('--libs'), check=True)
    return lib


def instr_library(build_dir, dynamic, out,
                  source=os.path.join(LIBDIR, 'bench.c')):
    """A qemu-instr library (bench/lib/bench.c, or source) for the
    dynamic build."""
    # Not lib<name>.so: the plugins of the same name (execlog) live there
    lib = os.path.join(out, 'libinstr-%s.so' % os.path.basename(source)[:-2])
    subprocess.run(['cc', '-shared', '-fPIC', '-O2', '-Wall', '-Werror',
                    '-o', lib, '-I' + os.path.join(build_dir, 'src',
                                                   'include'),
                    '-I' + os.path.join(dynamic, 'include'),
                    source] +
                   glib_flags('--cflags') + glib_flags('--libs'), check=True)
    return lib
