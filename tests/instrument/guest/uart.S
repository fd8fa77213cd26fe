/*
 * qemu-instr: x86 system test guest that writes to its UART in a loop
 *
 * Copyright (c) 2026 qemu-instr developers
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Boots like guest.S ("-bios uart.bin", no firmware: real mode at
 * f000:fff0, fast A20, flat GDT, 32-bit protected mode), then writes
 * the byte 'u' to COM1's transmit holding register (port 0x3f8)
 * WRITES times in a tight loop, and nothing else: the port is left as
 * reset put it (DLAB clear, so register 0 is the THR) and the line
 * status register is never polled (QEMU's UART sends each byte to its
 * character backend at once).  Each write raises QEMU's trace event
 * serial_write once: tests/instrument/bench/run times the dispatch of a
 * device event with it, under -serial null.
 *
 * It then writes EXIT_VALUE to port 0xf4, where
 * "-device isa-debug-exit,iobase=0xf4,iosize=0x04" makes QEMU exit
 * with status EXIT_VALUE * 2 + 1 (without that device the guest halts
 * instead, with interrupts off).
 *
 * GNU as syntax, assembled without the C preprocessor (as --32).
 */

        .equ    STACK_TOP, 0x80000      /* conventional RAM, grows down */
        .equ    COM1_THR, 0x3f8
        .equ    DEBUG_EXIT, 0xf4
        .equ    EXIT_VALUE, 0x2a        /* QEMU exits with status 85 */
        /* About 1 s of CPU under vanilla qemu-system-x86_64 */
        .equ    WRITES, 8000000

        .include "boot.inc"
        movl    $STACK_TOP, %esp

        movw    $COM1_THR, %dx
        movb    $'u', %al
        movl    $WRITES, %ecx
1:      outb    %al, %dx
        decl    %ecx
        jnz     1b

        movw    $DEBUG_EXIT, %dx
        movb    $EXIT_VALUE, %al
        outb    %al, %dx
2:      cli
        hlt
        jmp     2b
