/*
 * qemu-instr test library: a library built for another API version
 *
 * Built without the qemu-instr headers, with -DVERSION=N to claim API
 * version N, or without -DVERSION to define no version at all.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifdef VERSION
const int qi_api_version = VERSION;
#endif

int qi_init(int argc, const char **argv);

int qi_init(int argc, const char **argv)
{
    return 0;
}
