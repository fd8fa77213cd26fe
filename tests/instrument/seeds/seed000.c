#include <stdio.h>
#include <assert.h>

#include <qemu-instr/control.h>         /* manipulate events */
#include <qemu-instr/trace.h>           /* manipulate tracing */

/* the address for the memory access is not known at translation time */
void guest_mem_before_trans(QICPU vcpu_trans, QITCGv_cpu vcpu_exec,
                            QITCGv vaddr, QIMemInfo info)
{
    printf("%s: %p %p %p %d %d %d %d\n", __func__, vcpu_trans, vcpu_exec, vaddr,
           1 << info.size_shift, info.sign_extend, info.endianness, info.store);
    if (info.store) {
        /* generate at execution time only for memory writes */
        qi_event_gen_guest_mem_before_exec(vcpu_exec, vaddr, info);
    }
}

/* called when QEMU executes a memory access */
void guest_mem_before_exec(QICPU vcpu, uint64_t vaddr, QIMemInfo info)
{
    if (info.store) {
        /* if called by TCG code, we'll only get writes (see above) */
        printf("%s: %p %lx %d %d %d %d\n", __func__, vcpu, vaddr,
               1 << info.size_shift, info.sign_extend, info.endianness, info.store);
    }
}

/* called every time QEMU hotplugs a CPU */
void guest_cpu_enter(QICPU vcpu)
{
    printf("%s: %p\n", __func__, vcpu);

    /* disable instrumentation and tracing after the first call */
    static bool found = false;
    if (found) {
        qi_event_set_guest_cpu_enter(NULL);
        QITraceEvent *ev = qi_trace_event_name("guest_cpu_enter");
        assert(ev);
        qi_trace_event_set_state_dynamic(ev, true);
    } else {
        found = true;
    }
}

static void fini(void *data)
{
    /* diable all tracing events */
    QITraceEventIter iter;
    qi_trace_event_iter_init(&iter, NULL);
    QITraceEvent *ev;
    while ((ev = qi_trace_event_iter_next(&iter)) != NULL) {
        if (qi_trace_event_get_state_static(ev)) {
            qi_trace_event_set_state_dynamic(ev, false);
        }
    }

    /* instrumentation callbacks are automatically reset by QEMU */
}

/* mandatory initialization function */
int main(int argc, const char **argv)
{
    int i;
    printf("init!\n");
    printf("    argc :: %d\n", argc);
    for (i = 0; i < argc; i++) {
        printf("            -> %s\n", argv[i]);
    }

    qi_set_fini(fini, NULL);

    /* instrument and trace events */
    QITraceEvent *ev;

    qi_event_set_guest_cpu_enter(guest_cpu_enter);
    ev = qi_trace_event_name("guest_cpu_enter");
    assert(ev);
    qi_trace_event_set_state_dynamic(ev, true);

    qi_event_set_guest_mem_before_trans(guest_mem_before_trans);
    ev = qi_trace_event_name("guest_mem_before_trans");
    assert(ev);
    qi_trace_event_set_state_dynamic(ev, true);

    qi_event_set_guest_mem_before_exec(guest_mem_before_exec);
    ev = qi_trace_event_name("guest_mem_before_exec");
    assert(ev);
    qi_trace_event_set_state_dynamic(ev, true);

    return 0;
}
