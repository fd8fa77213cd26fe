/*
 * qemu-instr test program: a guest whose registers and control flow the
 * test libraries change (tests/instrument/test_steer.py)
 *
 *   regs f X...      print "f X Y" for each X, where Y = f(X) = 3X^2 + 7:
 *                    libs/regwrite.c changes f's argument register at
 *                    its first instruction
 *   regs fp HEX...   for each 32-digit HEX, load those 16 bytes (in
 *                    memory order) into xmm0 / v0, then store the register
 *                    back at fp_probe; print "fp IN OUT" in hex
 *   regs check       print "check R ran N": check() returns 7 and counts
 *                    its runs; a library returns early from it instead
 *   regs pid         print "pid P", P from the getpid system call
 *
 * Built statically (not PIE), so the test reads the addresses of f,
 * fp_probe and check with nm, and gives them to the library.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

/* void fp_roundtrip(const void *in, void *out): in -> FP register -> out */
void fp_roundtrip(const void *in, void *out);

#if defined(__x86_64__)
asm(".text\n"
    ".globl fp_roundtrip\n"
    ".type fp_roundtrip, @function\n"
    "fp_roundtrip:\n"
    "    movdqu (%rdi), %xmm0\n"
    ".globl fp_probe\n"
    "fp_probe:\n"
    "    movdqu %xmm0, (%rsi)\n"
    "    ret\n"
    ".size fp_roundtrip, .-fp_roundtrip\n");
#elif defined(__aarch64__)
asm(".text\n"
    ".globl fp_roundtrip\n"
    ".type fp_roundtrip, %function\n"
    "fp_roundtrip:\n"
    "    ldr q0, [x0]\n"
    ".globl fp_probe\n"
    "fp_probe:\n"
    "    str q0, [x1]\n"
    "    ret\n"
    ".size fp_roundtrip, .-fp_roundtrip\n");
#else
#error "regs.c: x86_64 and aarch64 only"
#endif

/* noipa: neither inlined nor cloned, its result not propagated */
__attribute__((noipa)) int f(int x)
{
    return 3 * x * x + 7;
}

/* volatile: each run of check() stores, whatever the optimizer knows */
static volatile int check_ran;

__attribute__((noipa)) int check(void)
{
    check_ran++;
    return 7;
}

static int parse_hex16(const char *hex, unsigned char *bytes)
{
    int i;

    if (strlen(hex) != 32) {
        return -1;
    }
    for (i = 0; i < 16; i++) {
        char byte[3] = { hex[2 * i], hex[2 * i + 1], 0 };

        bytes[i] = strtoul(byte, NULL, 16);
    }
    return 0;
}

static void print_hex16(const unsigned char *bytes)
{
    int i;

    for (i = 0; i < 16; i++) {
        printf("%02x", bytes[i]);
    }
}

int main(int argc, char **argv)
{
    int i;

    if (argc >= 2 && !strcmp(argv[1], "f")) {
        for (i = 2; i < argc; i++) {
            int x = atoi(argv[i]);

            printf("f %d %d\n", x, f(x));
        }
    } else if (argc >= 2 && !strcmp(argv[1], "fp")) {
        for (i = 2; i < argc; i++) {
            unsigned char in[16], out[16];

            if (parse_hex16(argv[i], in)) {
                fprintf(stderr, "regs: %s: not 32 hex digits\n", argv[i]);
                return 2;
            }
            memset(out, 0, sizeof(out));
            fp_roundtrip(in, out);
            printf("fp ");
            print_hex16(in);
            printf(" ");
            print_hex16(out);
            printf("\n");
        }
    } else if (argc == 2 && !strcmp(argv[1], "check")) {
        int r = check();

        printf("check %d ran %d\n", r, check_ran);
    } else if (argc == 2 && !strcmp(argv[1], "pid")) {
        /* The system call itself: libc may cache getpid() */
        printf("pid %ld\n", (long)syscall(SYS_getpid));
    } else {
        fprintf(stderr, "usage: regs f X... | fp HEX... | check | pid\n");
        return 2;
    }
    return 0;
}
