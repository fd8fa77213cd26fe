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

import resource
import subprocess
import time


def cpu_time(argv, stdout, env=None, timeout=600):
    """Run argv; return (user + system seconds of it, wall seconds, exit
    status).  Its output goes to the file object stdout."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.monotonic()
    proc = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=stdout,
                          stderr=subprocess.PIPE, env=env, timeout=timeout)
    wall = time.monotonic() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime -
                                                before.ru_stime)
    if proc.returncode != 0:
        raise RuntimeError('%s failed (%d): %s' % (' '.join(argv),
                                                   proc.returncode,
                                                   proc.stderr[-2000:]))
    return cpu, wall


def interleave(cells, rounds, log=print):
    """cells: {key: callable returning seconds}.  Returns {key: [seconds
    per round]}."""
    times = {key: [] for key in cells}
    for r in range(rounds):
        for key, fn in cells.items():
            times[key].append(fn())
        log('round %d/%d done' % (r + 1, rounds))
    return times
