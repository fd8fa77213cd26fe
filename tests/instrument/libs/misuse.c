/*
 * qemu-instr test library: call the API with invalid arguments
 *
 * Each check is one line "ok NAME" or "FAIL NAME" in out=FILE: the API
 * must return its documented error value, never crash.  qi_init() runs
 * the checks once, then the first guest_tb_before_exec callback runs
 * them again from a vCPU; the file ends with "done N" (checks made).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include <stdio.h>
#include <string.h>
#include <qemu-instr/qemu-instr.h>

static FILE *out;
static int checks;
static int ran_in_callback;

#define CHECK(cond) \
    do { \
        fprintf(out, "%s %s\n", (cond) ? "ok" : "FAIL", #cond); \
        checks++; \
    } while (0)

static char long_pattern[65536];

static void misuse(QICPU vcpu)
{
    QITraceEventIter iter;
    QIEvent *ev;
    uint64_t paddr;
    char buf[16];

    /* Unknown event ids, in range and out */
    CHECK(qi_ctrl_event_id(QI_EVENT_COUNT) == NULL);
    CHECK(qi_ctrl_event_id((QIEventID)-1) == NULL);
    CHECK(qi_ctrl_event_id((QIEventID)0x7fffffff) == NULL);
    CHECK(qi_event_set_guest_tb_before_exec(NULL) ||
          !qi_ctrl_dynamic());

    /* NULL handles and names */
    CHECK(qi_ctrl_event_name(NULL) == NULL);
    CHECK(qi_ctrl_event_name("") == NULL);
    CHECK(qi_ctrl_event_name("no_such_event") == NULL);
    CHECK(qi_ctrl_event_get_name(NULL) == NULL);
    CHECK(qi_ctrl_event_get_id(NULL) == QI_EVENT_COUNT);
    CHECK(!qi_ctrl_event_is_available(NULL));
    CHECK(!qi_ctrl_event_set(NULL, NULL));
    CHECK(!qi_ctrl_event_set(NULL, QI_CTRL_INSTR_AUTO));
    CHECK(!qi_ctrl_event_set(NULL, QI_CTRL_INSTR_NOP));

    /* An event that exists but is not instrumentable */
    ev = qi_ctrl_event_name("qi_test_not_instrumented");
    if (!ev) {
        ev = qi_ctrl_event_pattern("*", NULL);
        while (ev && qi_ctrl_event_is_available(ev)) {
            ev = qi_ctrl_event_pattern("*", ev);
        }
    }
    CHECK(ev != NULL && !qi_ctrl_event_is_available(ev));
    CHECK(qi_ctrl_event_get_id(ev) == QI_EVENT_COUNT);
    CHECK(!qi_ctrl_event_set(ev, QI_CTRL_INSTR_NOP));

    /* Bad patterns */
    CHECK(qi_ctrl_event_pattern(NULL, NULL) == NULL);
    CHECK(qi_ctrl_event_pattern("", NULL) == NULL);
    CHECK(qi_ctrl_event_pattern("[", NULL) == NULL);
    CHECK(qi_ctrl_event_pattern("no_such_*", NULL) == NULL);
    CHECK(qi_ctrl_event_pattern(long_pattern, NULL) == NULL);
    CHECK(qi_ctrl_event_pattern("guest_*", NULL) != NULL);

    /* Tracing control */
    CHECK(qi_trace_event_name(NULL) == NULL);
    CHECK(qi_trace_event_get_name(NULL) == NULL);
    CHECK(!qi_trace_event_get_state_static(NULL));
    CHECK(!qi_trace_event_get_state_dynamic(NULL));
    CHECK(!qi_trace_event_set_state_dynamic(NULL, true));
    qi_trace_event_iter_init(&iter, "[");
    CHECK(qi_trace_event_iter_next(&iter) == NULL);
    qi_trace_event_iter_init(&iter, long_pattern);
    CHECK(qi_trace_event_iter_next(&iter) == NULL);
    qi_trace_event_iter_init(NULL, "*");
    CHECK(qi_trace_event_iter_next(NULL) == NULL);

    /* Guest state with no or a wrong vCPU */
    CHECK(qi_vcpu_index(NULL) == -1);
    CHECK(!qi_mem_read_virt(NULL, 0, buf, sizeof(buf)));
    CHECK(!qi_mem_write_virt(NULL, 0, buf, sizeof(buf)));
    CHECK(!qi_mem_virt_to_phys(NULL, 0, &paddr));
    CHECK(qi_reg_count(NULL) == -1);
    CHECK(qi_reg_name(NULL, 0) == NULL);
    CHECK(qi_reg_find(NULL, "rip") == -1);
    CHECK(qi_reg_read(NULL, 0, buf, sizeof(buf)) == -1);
    if (vcpu) {
        CHECK(!qi_mem_read_virt(vcpu, 0, NULL, sizeof(buf)));
        CHECK(!qi_mem_virt_to_phys(vcpu, 0, NULL));
        CHECK(qi_reg_name(vcpu, -1) == NULL);
        CHECK(qi_reg_name(vcpu, 1 << 30) == NULL);
        CHECK(qi_reg_find(vcpu, NULL) == -1);
        CHECK(qi_reg_read(vcpu, 0, NULL, 8) == -1);
        CHECK(qi_disas(vcpu, 0, 16, NULL, 64) == -1);
    }
    CHECK(!qi_mem_read_phys(UINT64_MAX - 4, buf, sizeof(buf)));

    /* Memory traces: no vCPU, absurd sizes */
    qi_mem_trace_add(NULL, 0, 0, (QIMemInfo){ 0 });
    qi_mem_trace_flush(NULL);
    CHECK(!qi_mem_trace_set((QIMemTraceFn)misuse, NULL, SIZE_MAX));
    CHECK(qi_mem_trace_set(NULL, NULL, 0));
}

static void tb_exec(QICPU vcpu, uint64_t pc)
{
    if (!__atomic_exchange_n(&ran_in_callback, 1, __ATOMIC_RELAXED)) {
        misuse(vcpu);
        fprintf(out, "done %d\n", checks);
        fflush(out);
    }
}

static void tb_trans(QICPU vcpu, QITCGv_cpu vcpu_exec, uint64_t pc,
                     uint32_t n_insns, uint32_t size)
{
    qi_event_gen_guest_tb_before_exec(vcpu_exec, pc);
}

int qi_init(int argc, const char **argv)
{
    if (argc != 1 || strncmp(argv[0], "out=", 4) != 0) {
        return 1;
    }
    out = fopen(argv[0] + 4, "w");
    if (!out) {
        return 1;
    }
    memset(long_pattern, '*', sizeof(long_pattern) - 2);
    long_pattern[sizeof(long_pattern) - 2] = '#';     /* in no name */
    misuse(NULL);
    /* qi_set_fini() from outside the library's own code is ignored */
    qi_set_fini(NULL, NULL);
    return !(qi_event_set_guest_tb_before_trans(tb_trans) &&
             qi_event_set_guest_tb_before_exec(tb_exec));
}
