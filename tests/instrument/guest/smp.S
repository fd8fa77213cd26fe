/*
 * qemu-instr: x86 system test guest that runs code on every processor
 *
 * Copyright (c) 2026 qemu-instr developers
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Boots like guest.S ("-bios smp.bin", no firmware: real mode at
 * f000:fff0, fast A20, flat GDT, 32-bit protected mode, COM1 at 115200
 * 8N1).  The boot processor prints "smp: start", reads the number of
 * processors N from fw_cfg (FW_CFG_NB_CPUS, what -smp says) and wakes
 * the others with an INIT and a start-up IPI to all but itself, of
 * vector 0xf0: they start in real mode at f000:0000, the start of this
 * image, and take the same path to protected mode, where the APIC's
 * BSP flag (IA32_APIC_BASE bit 8) sends them their own way.
 *
 * Once all N have arrived, each processor, of local APIC id I, runs
 * guest.S's compute(I + 1) ROUNDS times on a buffer of its own (at
 * 1 MiB + I * 64 KiB), all at the same time, and stores the result;
 * the others then halt, and the boot processor prints:
 *
 *   smp: start
 *   smp: cpu 0 sum=XXXXXXXX       (reference.round_sum(1))
 *   ...
 *   smp: cpu N-1 sum=XXXXXXXX     (reference.round_sum(N))
 *   smp: done N cpus
 *
 * and halts with interrupts off.  Nothing here raises an interrupt or
 * an exception.  Works for N up to MAX_CPUS (APIC ids 0 to N-1).
 *
 * GNU as syntax, assembled without the C preprocessor (as --32).
 */

        .equ    STACK_TOP, 0x80000      /* conventional RAM, grows down */
        .equ    STACK_SIZE, 0x1000      /* per processor */
        .equ    MAX_CPUS, 16
        .equ    BUF, 0x100000           /* 1 MiB: needs A20 */
        .equ    BUF_SIZE, 0x10000       /* 64 KiB per processor */
        .equ    BUF_WORDS, BUF_SIZE / 4
        .equ    ROUNDS, 32
        .equ    LCG_MUL, 1664525
        .equ    LCG_ADD, 1013904223
        .equ    FNV_BASIS, 0x811c9dc5
        .equ    FNV_PRIME, 16777619
        .equ    FW_CFG_SEL, 0x510
        .equ    FW_CFG_DATA, 0x511
        .equ    FW_CFG_NB_CPUS, 0x05
        .equ    MSR_APIC_BASE, 0x1b
        .equ    APIC_BASE_BSP, 0x100
        .equ    LAPIC_ID, 0xfee00020
        .equ    LAPIC_SVR, 0xfee000f0
        .equ    LAPIC_ICR_LO, 0xfee00300
        .equ    LAPIC_ICR_HI, 0xfee00310
        .equ    ICR_INIT_OTHERS, 0x000c4500     /* all but self, INIT */
        .equ    ICR_SIPI_OTHERS, 0x000c4600     /* all but self, SIPI */
        .equ    SIPI_VECTOR, 0xf0       /* starts at 0xf000:0000 */

        /* Variables in RAM (the image is ROM) */
        .equ    NCPUS, 0x2000           /* processors, as fw_cfg says */
        .equ    ARRIVED, 0x2004         /* processors in protected mode */
        .equ    GO, 0x2008              /* set when all have arrived */
        .equ    DONE, 0x200c            /* processors done computing */
        .equ    RESULTS, 0x2100         /* a 32-bit sum per processor */

        .include "boot.inc"
        movl    LAPIC_ID, %ebp
        shrl    $24, %ebp               /* %ebp: this processor's APIC id */
        movl    %ebp, %eax
        imull   $STACK_SIZE, %eax, %eax
        movl    $STACK_TOP, %esp
        subl    %eax, %esp

        movl    $MSR_APIC_BASE, %ecx
        rdmsr
        testl   $APIC_BASE_BSP, %eax
        jz      ap_main

bsp_main:
        call    serial_init
        movl    $msg_start, %esi
        call    puts

        movw    $FW_CFG_SEL, %dx        /* N = FW_CFG_NB_CPUS (16 bits) */
        movw    $FW_CFG_NB_CPUS, %ax
        outw    %ax, %dx
        movw    $FW_CFG_DATA, %dx
        inb     %dx, %al
        movb    %al, %bl
        inb     %dx, %al
        movb    %al, %bh
        movzwl  %bx, %eax
        cmpl    $MAX_CPUS, %eax
        jbe     1f
        movl    $MAX_CPUS, %eax
1:      movl    %eax, NCPUS
        movl    $1, ARRIVED
        movl    $0, GO
        movl    $0, DONE

        cmpl    $1, NCPUS
        je      3f
        movl    $0x1ff, LAPIC_SVR       /* APIC on, spurious vector 0xff */
        movl    $0, LAPIC_ICR_HI
        movl    $ICR_INIT_OTHERS, LAPIC_ICR_LO
        call    icr_wait
        movl    $ICR_SIPI_OTHERS | SIPI_VECTOR, LAPIC_ICR_LO
        call    icr_wait
2:      pause                           /* wait for every processor */
        movl    ARRIVED, %eax
        cmpl    NCPUS, %eax
        jb      2b
3:      movl    $1, GO

        call    work

4:      pause                           /* wait until all are done */
        movl    DONE, %eax
        cmpl    NCPUS, %eax
        jb      4b

        xorl    %ebp, %ebp              /* "smp: cpu I sum=XXXXXXXX\n" */
5:      movl    $msg_cpu, %esi
        call    puts
        movl    %ebp, %eax
        call    putdec
        movl    $msg_sum, %esi
        call    puts
        movl    RESULTS(,%ebp,4), %eax
        call    puthex
        movb    $'\n', %al
        call    putc
        incl    %ebp
        cmpl    NCPUS, %ebp
        jb      5b

        movl    $msg_done, %esi         /* "smp: done N cpus\n" */
        call    puts
        movl    NCPUS, %eax
        call    putdec
        movl    $msg_cpus, %esi
        call    puts
        jmp     halt

ap_main:
        lock incl ARRIVED
1:      pause
        cmpl    $0, GO
        je      1b
        call    work
halt:   cli
        hlt
        jmp     halt

/* icr_wait: until the local APIC has sent the IPI (delivery status). */
icr_wait:
1:      testl   $0x1000, LAPIC_ICR_LO
        jnz     1b
        ret

/* work: %ebp = APIC id; compute(id + 1) ROUNDS times, store, count. */
work:
        movl    $ROUNDS, %ecx
1:      pushl   %ecx
        movl    %ebp, %eax
        incl    %eax
        call    compute
        popl    %ecx
        decl    %ecx
        jnz     1b
        movl    %eax, RESULTS(,%ebp,4)
        lock incl DONE
        ret

/*
 * compute: %eax = seed N, %ebp = APIC id; returns in %eax the FNV-1a
 * hash of the processor's buffer after guest.S's fill and stirring pass
 * (the same sum as guest.S's round N).  Clobbers %ebx, %ecx, %edx,
 * %esi, %edi.
 */
compute:
        movl    %ebp, %edi              /* this processor's buffer */
        shll    $16, %edi
        addl    $BUF, %edi
        pushl   %edi
        movl    $BUF_WORDS, %ecx        /* fill with the LCG */
1:      imull   $LCG_MUL, %eax, %eax
        addl    $LCG_ADD, %eax
        movl    %eax, (%edi)
        addl    $4, %edi
        decl    %ecx
        jnz     1b

        movl    (%esp), %esi            /* one stirring pass */
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
        popl    %esi
        leal    BUF_SIZE(%esi), %edi
3:      xorb    (%esi), %al
        imull   $FNV_PRIME, %eax, %eax
        incl    %esi
        cmpl    %edi, %esi
        jb      3b
        ret

        .include "serial.inc"

/* ---- data (read-only: the image is ROM) ---- */

msg_start:      .asciz  "smp: start\n"
msg_cpu:        .asciz  "smp: cpu "
msg_sum:        .asciz  " sum="
msg_done:       .asciz  "smp: done "
msg_cpus:       .asciz  " cpus\n"
