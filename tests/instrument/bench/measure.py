#
# qemu-instr benchmark: interleaved runs, medians, ratios
#
# This work is licensed under the terms of the GNU GPL, version 2 or later.
# See the COPYING file in the top-level directory.
#
# SPDX-License-Identifier: GPL-2.0-or-later

"""Run every configuration side by side: round r runs each cell once (A B
C ... A B C ...), so that a noisy neighbour slows every configuration of
a round alike.  A cell's time is the CPU time (user + system) of the
emulator process and its children, steadier than wall time on a shared
machine; the median over the rounds is what the tables use, with min and
max beside it."""

import os
import subprocess
import tempfile
import time


def wait_usage(proc, timeout=None):
    """Wait for proc (a Popen); return (user + system seconds, peak
    resident set size in KiB) of it and its children."""
    deadline = None if timeout is None else time.monotonic() + timeout
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG if deadline
                                      else 0)
        if pid:
            break
        if time.monotonic() > deadline:
            proc.kill()
            deadline = None
        time.sleep(0.01)
    proc.returncode = os.waitstatus_to_exitcode(status)
    return usage.ru_utime + usage.ru_stime, usage.ru_maxrss


def cpu_time(argv, stdout, env=None, timeout=600):
    """Run argv; return (user + system seconds of it, wall seconds, peak
    RSS in KiB).  Its output goes to the file object stdout."""
    start = time.monotonic()
    with open(os.devnull) as null, tempfile.TemporaryFile() as errf:
        proc = subprocess.Popen(argv, stdin=null, stdout=stdout,
                                stderr=errf, env=env)
        cpu, rss = wait_usage(proc, timeout)
        errf.seek(0)
        err = errf.read().decode(errors='replace')
    wall = time.monotonic() - start
    if proc.returncode != 0:
        raise RuntimeError('%s failed (%d): %s' % (' '.join(argv),
                                                   proc.returncode,
                                                   err[-2000:]))
    return cpu, wall, rss


def interleave(cells, rounds, log=print):
    """cells: {key: callable returning seconds}.  Returns {key: [seconds
    per round]}."""
    times = {key: [] for key in cells}
    for r in range(rounds):
        for key, fn in cells.items():
            times[key].append(fn())
        log('round %d/%d done' % (r + 1, rounds))
    return times
