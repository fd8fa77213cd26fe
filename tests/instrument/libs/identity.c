/*
 * qemu-instr test library: a library that says it was built for another
 * QEMU
 *
 * Built without the qemu-instr headers, with -DQEMU_VERSION="..." and
 * -DMODE="..." to claim them in its qi_library.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

typedef struct QILibrary {
    int api_version;
    unsigned int flags;
    const char *qemu_version;
    const char *mode;
    const char *events;
    void *qemu;
} QILibrary;

const int qi_api_version = 3;
QILibrary qi_library = { 3, 0, QEMU_VERSION, MODE, "", 0 };

int qi_init(int argc, const char **argv);

int qi_init(int argc, const char **argv)
{
    return 0;
}
