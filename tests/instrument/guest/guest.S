/*
 * qemu-instr: tiny x86 system test guest (needs no firmware)
 *
 * Copyright (c) 2026 qemu-instr developers
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Loaded with "-bios guest.bin": QEMU maps the 64 KiB image at the top
 * of the first MiB (0xF0000) and just below 4 GiB; the CPU starts in
 * real mode at f000:fff0, the last 16 bytes of the image.  From there
 * the guest enables A20 (fast A20 gate), loads a flat GDT, enters
 * 32-bit protected mode, sets COM1 (0x3f8) to 115200 8N1 and prints
 * "guest: start".  It then loops forever over rounds N = 1, 2, 3...:
 *
 *   compute(N):
 *     x = N; for i in 0..16383: x = x * 1664525 + 1013904223; buf[i] = x
 *     for i in 0..16383:                      (one stirring pass)
 *         x = buf[i]; j = x >> 18; buf[j] = rol(buf[j], 5) ^ x
 *     return the 32-bit FNV-1a hash of the 65536 bytes of buf
 *
 * where buf is 16384 little-endian 32-bit words at 1 MiB and all the
 * arithmetic is modulo 2^32.  Each round runs compute(N) REPEAT times,
 * prints "round N mismatch" if the results differ, then prints
 * "round N sum=XXXXXXXX" (N in decimal, the first result in 8 lowercase
 * hex digits).  reference.py computes the same lines in Python.
 *
 * Application processors are never woken up: with -smp N they stay in
 * their wait-for-SIPI state.
 *
 * GNU as syntax, assembled without the C preprocessor (as --32).
 */

        .equ    STACK_TOP, 0x80000      /* conventional RAM, grows down */
        .equ    BUF, 0x100000           /* 1 MiB: needs A20 */
        .equ    BUF_SIZE, 0x10000       /* 64 KiB */
        .equ    BUF_WORDS, BUF_SIZE / 4
        .equ    REPEAT, 64
        .equ    LCG_MUL, 1664525
        .equ    LCG_ADD, 1013904223
        .equ    FNV_BASIS, 0x811c9dc5
        .equ    FNV_PRIME, 16777619

        .include "boot.inc"
        movl    $STACK_TOP, %esp

        call    serial_init
        movl    $msg_start, %esi
        call    puts

        movl    $1, %ebp                /* round number N */
        subl    $12, %esp               /* 0: count, 4: sum, 8: mismatch */
round_loop:
        movl    %ebp, %eax
        call    compute
        movl    %eax, 4(%esp)
        movl    $0, 8(%esp)
        movl    $REPEAT - 1, (%esp)
1:      movl    %ebp, %eax
        call    compute
        cmpl    4(%esp), %eax
        je      2f
        movl    $1, 8(%esp)
2:      decl    (%esp)
        jnz     1b

        cmpl    $0, 8(%esp)
        je      3f
        movl    $msg_round, %esi        /* "round N mismatch\n" */
        call    puts
        movl    %ebp, %eax
        call    putdec
        movl    $msg_mismatch, %esi
        call    puts
3:      movl    $msg_round, %esi        /* "round N sum=XXXXXXXX\n" */
        call    puts
        movl    %ebp, %eax
        call    putdec
        movl    $msg_sum, %esi
        call    puts
        movl    4(%esp), %eax
        call    puthex
        movb    $'\n', %al
        call    putc

        incl    %ebp
        jmp     round_loop

/*
 * compute: %eax = seed N; returns the FNV-1a hash of the buffer in %eax.
 * Clobbers %ebx, %ecx, %edx, %esi, %edi.
 */
compute:
        movl    $BUF, %edi              /* fill with the LCG */
        movl    $BUF_WORDS, %ecx
1:      imull   $LCG_MUL, %eax, %eax
        addl    $LCG_ADD, %eax
        movl    %eax, (%edi)
        addl    $4, %edi
        decl    %ecx
        jnz     1b

        movl    $BUF, %esi              /* one stirring pass */
        xorl    %ecx, %ecx
2:      movl    (%esi,%ecx,4), %eax     /* x = buf[i] */
        movl    %eax, %edx
        shrl    $18, %edx               /* j = x >> 18 */
        movl    (%esi,%edx,4), %ebx
        roll    $5, %ebx
        xorl    %eax, %ebx
        movl    %ebx, (%esi,%edx,4)     /* buf[j] = rol(buf[j], 5) ^ x */
        incl    %ecx
        cmpl    $BUF_WORDS, %ecx
        jb      2b

        movl    $FNV_BASIS, %eax        /* FNV-1a, one byte at a time */
        movl    $BUF, %esi
        movl    $BUF + BUF_SIZE, %edi
3:      xorb    (%esi), %al
        imull   $FNV_PRIME, %eax, %eax
        incl    %esi
        cmpl    %edi, %esi
        jb      3b
        ret

        .include "serial.inc"

/* ---- data (read-only: the image is ROM) ---- */

msg_start:      .asciz  "guest: start\n"
msg_round:      .asciz  "round "
msg_mismatch:   .asciz  " mismatch\n"
msg_sum:        .asciz  " sum="
