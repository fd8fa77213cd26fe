/*
 * qemu-instr: x86 system test guest that takes interrupts and exceptions
 *
 * Copyright (c) 2026 qemu-instr developers
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Boots like guest.S ("-bios ints.bin", no firmware: real mode at
 * f000:fff0, fast A20, flat GDT, 32-bit protected mode, COM1 at 115200
 * 8N1), prints "ints: start", builds an IDT whose 256 gates lead, each
 * through a stub of its own, to one handler, and then takes, in this
 * order:
 *
 *   vector  how                          kind
 *   03      int3                         trap (software, i=1 in -d int)
 *   04      into with OF set             trap (software, i=1)
 *   06      ud2                          fault
 *   00      div by zero                  fault
 *   0d      mov to %ds of selector 0x28  fault, error code 0x0028
 *   40      int $0x40, three times       software interrupt (i=1)
 *   21      int $0x21                    software interrupt (i=1) on a
 *                                        vector of the PIC's range
 *   20      IRQ0 of the PIT, TICKS times hardware interrupt (i=0)
 *
 * The faults resume after the faulting instruction (the handler moves
 * the return address to the one the code stored in RESUME).  For the
 * timer it routes the local APIC's LINT0 to the 8259 PICs as a BIOS
 * does, programs the PICs (vectors 0x20-0x2f, every line masked but
 * IRQ0) and PIT channel 0 (rate generator, about 1 kHz), runs "sti;
 * hlt" until the handler has counted TICKS / 2 IRQ0s, then computes
 * with interrupts on until it has counted TICKS: the first half
 * interrupt a halted CPU, the second half running code.  The handler
 * sends each its EOI, and masks IRQ0 at the last one.  Then it
 * prints the vectors it took, in order, and "ints: done", and halts
 * with interrupts off:
 *
 *   ints: start
 *   ints: stubs 000f0190 size 12
 *   ints: exceptions ok
 *   ints: ticks 32
 *   ints: vectors 03 04 06 00 0d 40 40 40 21 20 20 ... 20
 *   ints: done
 *
 * A vector the guest does not expect prints "ints: unexpected vector
 * XX" and halts.  The handler of vector V starts at the address the
 * "stubs" line prints plus V times its size: where the vCPU goes when
 * it takes V.  The test (test_discon.py) compares the list with
 * QEMU's -d int log and with a library's guest_discon events; the
 * guest's own list is a third witness.
 *
 * Only the boot processor runs: with -smp N the others stay in their
 * wait-for-SIPI state.
 *
 * GNU as syntax, assembled without the C preprocessor (as --32).
 */

        .equ    BAD_SEL, 0x28           /* beyond the GDT's limit */
        .equ    STACK_TOP, 0x80000      /* conventional RAM, grows down */
        .equ    PIC1, 0x20
        .equ    PIC2, 0xa0
        .equ    PIC_BASE, 0x20          /* IRQ0-7: 0x20-0x27, IRQ8-15: 0x28- */
        .equ    PIT_CH0, 0x40
        .equ    PIT_CMD, 0x43
        .equ    PIT_DIVISOR, 1193       /* 1.193182 MHz / 1193: ~1 kHz */
        .equ    TICKS, 32
        .equ    LAPIC_SVR, 0xfee000f0   /* local APIC registers */
        .equ    LAPIC_LVT0, 0xfee00350

        /* Variables in RAM (the image is ROM) */
        .equ    IDT, 0x1000             /* 256 gates of 8 bytes */
        .equ    RESUME, 0x2000          /* where a fault returns to, or 0 */
        .equ    TICK_COUNT, 0x2004      /* IRQ0s taken */
        .equ    SEQ_LEN, 0x2008         /* vectors taken so far */
        .equ    SEQ, 0x2100             /* the vectors, one byte each */
        .equ    SEQ_MAX, 0x100

        .include "boot.inc"
        movl    $STACK_TOP, %esp

        call    serial_init
        movl    $msg_start, %esi
        call    puts
        movl    $msg_stubs, %esi        /* "ints: stubs XXXXXXXX size N\n" */
        call    puts
        movl    $stubs, %eax
        call    puthex
        movl    $msg_size, %esi
        call    puts
        movl    $STUB_SIZE, %eax
        call    putdec
        movb    $'\n', %al
        call    putc

        movl    $0, RESUME
        movl    $0, TICK_COUNT
        movl    $0, SEQ_LEN
        call    idt_init
        lidtl   idt_desc

        /* Exceptions and software interrupts, with interrupts off */
        int3                            /* #BP */
        movl    $0x7fffffff, %eax
        addl    $1, %eax                /* sets OF */
        into                            /* #OF */
        movl    $1f, RESUME
        ud2                             /* #UD */
1:      movl    $1f, RESUME
        xorl    %ecx, %ecx
        movl    $1, %eax
        xorl    %edx, %edx
        divl    %ecx                    /* #DE */
1:      movl    $1f, RESUME
        movw    $BAD_SEL, %ax
        movw    %ax, %ds                /* #GP(0x28) */
1:      int     $0x40
        int     $0x40
        int     $0x40
        int     $0x21                   /* software, in the PIC's range */

        movl    $msg_exc_bad, %esi
        cmpl    $9, SEQ_LEN
        jne     2f
        movl    $msg_exc_ok, %esi
2:      call    puts

        /* Timer interrupts */
        call    pic_init
        call    pit_init
3:      sti
        hlt                             /* sti's shadow: no IRQ before it */
        cli
        cmpl    $TICKS / 2, TICK_COUNT
        jb      3b
        sti                             /* the rest interrupt running code */
        movl    $1, %eax
4:      imull   $1664525, %eax, %eax
        addl    $1013904223, %eax
        cmpl    $TICKS, TICK_COUNT
        jb      4b
        cli

        movl    $msg_ticks, %esi
        call    puts
        movl    TICK_COUNT, %eax
        call    putdec
        movb    $'\n', %al
        call    putc

        movl    $msg_vectors, %esi      /* "ints: vectors 03 04 ...\n" */
        call    puts
        xorl    %ebx, %ebx
5:      cmpl    SEQ_LEN, %ebx
        jae     6f
        movb    $' ', %al
        call    putc
        movzbl  SEQ(%ebx), %eax
        call    puthex2
        incl    %ebx
        jmp     5b
6:      movb    $'\n', %al
        call    putc

        movl    $msg_done, %esi
        call    puts
halt:   cli
        hlt
        jmp     halt

/* ---- IDT ---- */

/*
 * One stub of STUB_SIZE bytes per vector: push a zero error code where
 * the CPU pushes none, push the vector, jump to the common handler.
 * Encoded by hand so that every stub has the same size.
 */
        .equ    STUB_SIZE, 12
        .p2align 4
stubs:
        .set    vec, 0
        .rept   256
        .if     vec == 8 || (vec >= 10 && vec <= 14) || vec == 17 || vec == 21 || vec == 29 || vec == 30
        nop                             /* the CPU pushed an error code */
        nop
        .else
        .byte   0x6a, 0x00              /* pushl $0 */
        .endif
        .byte   0x68                    /* pushl $vec */
        .long   vec
        .byte   0xe9                    /* jmp interrupt_common */
        .long   interrupt_common - (. + 4)
        .set    vec, vec + 1
        .endr

/* idt_init: 32-bit interrupt gates (IF cleared on entry), DPL 0. */
idt_init:
        movl    $IDT, %edi
        movl    $stubs, %eax
        movl    $256, %ecx
1:      movl    %eax, %edx
        andl    $0xffff, %edx
        orl     $CODE_SEL << 16, %edx
        movl    %edx, (%edi)            /* offset 15..0, selector */
        movl    %eax, %edx
        andl    $0xffff0000, %edx
        orl     $0x8e00, %edx           /* present, DPL 0, 32-bit intr gate */
        movl    %edx, 4(%edi)           /* offset 31..16, type */
        addl    $STUB_SIZE, %eax
        addl    $8, %edi
        decl    %ecx
        jnz     1b
        ret

/*
 * The stack holds the vector, the error code (or 0), then what the CPU
 * pushed: EIP, CS, EFLAGS.  Records the vector; a fault goes on at
 * RESUME; IRQ0 counts a tick and gets its EOI.
 */
interrupt_common:
        pushal                          /* 32 bytes */
        movl    32(%esp), %eax          /* the vector */
        movl    SEQ_LEN, %ebx
        cmpl    $SEQ_MAX, %ebx
        jae     1f
        movb    %al, SEQ(%ebx)
        incl    SEQ_LEN
1:      cmpl    $PIC_BASE, %eax
        je      irq0
        cmpl    $0x03, %eax             /* the traps return after the */
        je      out                     /* instruction */
        cmpl    $0x04, %eax
        je      out
        cmpl    $0x40, %eax
        je      out
        cmpl    $0x21, %eax
        je      out
        cmpl    $0x00, %eax             /* the faults to RESUME */
        je      fault
        cmpl    $0x06, %eax
        je      fault
        cmpl    $0x0d, %eax
        je      fault
unexpected:
        movl    %eax, %ebx
        movl    $msg_unexpected, %esi
        call    puts
        movl    %ebx, %eax
        call    puthex2
        movb    $'\n', %al
        call    putc
        jmp     halt
fault:
        movl    RESUME, %ebx
        testl   %ebx, %ebx
        jz      unexpected
        movl    %ebx, 40(%esp)          /* the return EIP */
        movl    $0, RESUME
        jmp     out
irq0:
        incl    TICK_COUNT
        cmpl    $TICKS, TICK_COUNT
        jb      1f
        movb    $0xff, %al              /* the last one: mask IRQ0 */
        outb    %al, $PIC1 + 1
1:      movb    $0x20, %al              /* non-specific EOI */
        outb    %al, $PIC1
out:
        popal
        addl    $8, %esp                /* vector, error code */
        iretl

/* ---- 8259 PICs and PIT ---- */

/*
 * The local APIC comes out of reset enabled with LINT0 masked, which
 * keeps the PIC's interrupts from the CPU: do what a BIOS does, and
 * make LINT0 an unmasked ExtINT line (the APIC must be software-enabled
 * first, or the write keeps the mask).
 */
pic_init:
        movl    $0x1ff, LAPIC_SVR       /* APIC on, spurious vector 0xff */
        movl    $0x700, LAPIC_LVT0      /* LINT0: ExtINT */
        movb    $0x11, %al              /* ICW1: edge, cascade, ICW4 */
        outb    %al, $PIC1
        outb    %al, $PIC2
        movb    $PIC_BASE, %al          /* ICW2: vector bases */
        outb    %al, $PIC1 + 1
        movb    $PIC_BASE + 8, %al
        outb    %al, $PIC2 + 1
        movb    $0x04, %al              /* ICW3: slave on IRQ2 */
        outb    %al, $PIC1 + 1
        movb    $0x02, %al
        outb    %al, $PIC2 + 1
        movb    $0x01, %al              /* ICW4: 8086 mode */
        outb    %al, $PIC1 + 1
        outb    %al, $PIC2 + 1
        movb    $0xfe, %al              /* OCW1: only IRQ0 */
        outb    %al, $PIC1 + 1
        movb    $0xff, %al
        outb    %al, $PIC2 + 1
        ret

pit_init:
        movb    $0x34, %al              /* channel 0, lo/hi, mode 2 */
        outb    %al, $PIT_CMD
        movb    $PIT_DIVISOR & 0xff, %al
        outb    %al, $PIT_CH0
        movb    $PIT_DIVISOR >> 8, %al
        outb    %al, $PIT_CH0
        ret

        .include "serial.inc"

/* puthex2: %al = byte, printed as 2 lowercase hex digits.  Clobbers %eax. */
puthex2:
        pushl   %ebx
        movzbl  %al, %ebx
        movl    %ebx, %eax
        shrl    $4, %eax
        movb    hex_digits(%eax), %al
        call    putc
        andl    $15, %ebx
        movb    hex_digits(%ebx), %al
        call    putc
        popl    %ebx
        ret

/* ---- data (read-only: the image is ROM) ---- */

msg_start:      .asciz  "ints: start\n"
msg_stubs:      .asciz  "ints: stubs "
msg_size:       .asciz  " size "
msg_exc_ok:     .asciz  "ints: exceptions ok\n"
msg_exc_bad:    .asciz  "ints: exceptions wrong\n"
msg_ticks:      .asciz  "ints: ticks "
msg_vectors:    .asciz  "ints: vectors"
msg_done:       .asciz  "ints: done\n"
msg_unexpected: .asciz  "ints: unexpected vector "


        .p2align 1
idt_desc:
        .word   256 * 8 - 1
        .long   IDT
