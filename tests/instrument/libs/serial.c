/*
 * qemu-instr test library: capture what a system guest writes to its
 * UART, through the device-level trace event serial_write
 *
 * Arguments: out=FILE (required): FILE is emptied, then every byte
 * written to the transmit register is written to it as it happens.
 * qi_fini() writes nothing, so the file stops growing at unload.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <qemu-instr/qemu-instr.h>

static int fd = -1;
static bool dlab;

static void on_serial_write(uint16_t addr, uint8_t value)
{
    /*
     * Register 0 is the transmit holding register, or the divisor latch
     * while the line control register (3) has DLAB (bit 7) set.
     */
    if (addr == 3) {
        dlab = value & 0x80;
    } else if (addr == 0 && !dlab && write(fd, &value, 1) != 1) {
        perror("serial");
    }
}

static void fini(void *data)
{
    close(fd);
}

int qi_init(int argc, const char **argv)
{
    if (argc != 1 || strncmp(argv[0], "out=", 4) != 0) {
        fprintf(stderr, "serial: usage: out=FILE\n");
        return 1;
    }
    fd = open(argv[0] + 4, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) {
        perror(argv[0] + 4);
        return 1;
    }
    qi_set_fini(fini, NULL);
    return qi_event_set_serial_write(on_serial_write) ? 0 : 1;
}
