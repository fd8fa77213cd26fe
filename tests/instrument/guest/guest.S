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

        .equ    CODE_SEL, 0x08
        .equ    DATA_SEL, 0x10
        .equ    STACK_TOP, 0x80000      /* conventional RAM, grows down */
        .equ    BUF, 0x100000           /* 1 MiB: needs A20 */
        .equ    BUF_SIZE, 0x10000       /* 64 KiB */
        .equ    BUF_WORDS, BUF_SIZE / 4
        .equ    REPEAT, 64
        .equ    LCG_MUL, 1664525
        .equ    LCG_ADD, 1013904223
        .equ    FNV_BASIS, 0x811c9dc5
        .equ    FNV_PRIME, 16777619
        .equ    COM1, 0x3f8

        .text

/* ---- 16-bit real mode: entered from the reset vector at f000:fff0 ---- */

        .code16
        .globl  image_start
image_start:
start16:
        cli
        cld
        movw    $0xf000, %ax            /* the image is at 0xF0000 */
        movw    %ax, %ds

        inb     $0x92, %al              /* fast A20 gate */
        orb     $0x02, %al
        andb    $0xfe, %al              /* but no fast reset */
        outb    %al, $0x92

        lgdtl   %ds:(gdt_desc - image_start)
        movl    %cr0, %eax
        orl     $1, %eax                /* CR0.PE */
        movl    %eax, %cr0
        ljmpl   $CODE_SEL, $start32

/* ---- 32-bit protected mode, flat segments ---- */

        .code32
start32:
        movw    $DATA_SEL, %ax
        movw    %ax, %ds
        movw    %ax, %es
        movw    %ax, %fs
        movw    %ax, %gs
        movw    %ax, %ss
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

/* ---- COM1 ---- */

        .macro  outport port, value
        movw    $\port, %dx
        movb    $\value, %al
        outb    %al, %dx
        .endm

serial_init:
        outport COM1 + 1, 0x00          /* IER: no interrupts */
        outport COM1 + 3, 0x80          /* LCR: DLAB */
        outport COM1 + 0, 0x01          /* DLL: 115200 baud */
        outport COM1 + 1, 0x00          /* DLM */
        outport COM1 + 3, 0x03          /* LCR: 8N1 */
        outport COM1 + 2, 0xc7          /* FCR: enable and clear FIFOs */
        outport COM1 + 4, 0x03          /* MCR: DTR, RTS */
        ret

/* putc: %al = character.  Preserves everything. */
putc:
        pushl   %edx
        pushl   %eax
        movw    $COM1 + 5, %dx
1:      inb     %dx, %al                /* LSR: wait for THRE */
        testb   $0x20, %al
        jz      1b
        popl    %eax
        movw    $COM1, %dx
        outb    %al, %dx
        popl    %edx
        ret

/* puts: %esi = NUL-terminated string.  Clobbers %eax, %esi. */
puts:
1:      lodsb
        testb   %al, %al
        jz      2f
        call    putc
        jmp     1b
2:      ret

/* putdec: %eax = unsigned number, printed in decimal.  Clobbers %eax. */
putdec:
        pushl   %ebx
        pushl   %ecx
        pushl   %edx
        movl    $10, %ebx
        xorl    %ecx, %ecx
1:      xorl    %edx, %edx
        divl    %ebx
        addl    $'0', %edx
        pushl   %edx
        incl    %ecx
        testl   %eax, %eax
        jnz     1b
2:      popl    %eax
        call    putc
        decl    %ecx
        jnz     2b
        popl    %edx
        popl    %ecx
        popl    %ebx
        ret

/* puthex: %eax = number, printed as 8 lowercase hex digits.  Clobbers %eax. */
puthex:
        pushl   %ebx
        pushl   %ecx
        movl    %eax, %ebx
        movl    $8, %ecx
1:      roll    $4, %ebx
        movl    %ebx, %eax
        andl    $15, %eax
        movb    hex_digits(%eax), %al
        call    putc
        decl    %ecx
        jnz     1b
        popl    %ecx
        popl    %ebx
        ret

/* ---- data (read-only: the image is ROM) ---- */

msg_start:      .asciz  "guest: start\n"
msg_round:      .asciz  "round "
msg_mismatch:   .asciz  " mismatch\n"
msg_sum:        .asciz  " sum="
hex_digits:     .ascii  "0123456789abcdef"

/* Flat 4 GiB segments; accessed bits preset so the CPU never writes ROM. */
        .p2align 3
gdt:
        .quad   0
        .quad   0x00cf9b000000ffff      /* CODE_SEL: 32-bit code, DPL 0 */
        .quad   0x00cf93000000ffff      /* DATA_SEL: 32-bit data, DPL 0 */
gdt_end:
gdt_desc:
        .word   gdt_end - gdt - 1
        .long   gdt

/* ---- reset vector: placed at 0xFFFF0 (f000:fff0) by guest.ld ---- */

        .section .reset, "ax"
        .code16
        .globl  reset
reset:
        ljmp    $0xf000, $(start16 - image_start)
