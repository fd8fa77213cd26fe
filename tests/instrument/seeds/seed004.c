#include <stdio.h>
#include <assert.h>

/* get event declarations */
#include <qemu-instr/events.h>

/* enumerate events and manipulate their instrumentation callbacks */
#include <qemu-instr/control.h>

/* manipulate the dynamic tracing state of events */
#include <qemu-instr/trace.h>

/* define instrumentation callbacks during event execution:
 * qi_event_${event}
 */

/* called every time QEMU traces event 'qemu_anon_ram_alloc' */
void qi_event_qemu_anon_ram_alloc(size_t size, void *ptr)
{
    fprintf(stderr, "qemu_anon_ram_alloc! [instrument]\n");

    /* call the original tracing routine */
    qi_event_qemu_anon_ram_alloc_trace(size, ptr);

    /* disable instrumentation and tracing after 10 calls */
    static int c = 0;
    if (c++ > 10) {
        QIEvent *ev = qi_ctrl_event_id(QI_EVENT_QEMU_ANON_RAM_ALLOC);
        qi_ctrl_event_set(ev, QI_CTRL_INSTR_NOP);
        qi_trace_event_set_state_dynamic(ev, false);
    }
}



/* mandatory initialization callback */
void qi_init(int argc, const char *argv)
{
    int i;
    fprintf(stderr, "init!\n");
    fprintf(stderr, " argc :: %d\n", argc);
    for (i = 0; i < argc; i++) {
        fprintf(stderr, " -> %s\n", argv[i]);
    }

    /* iterate on all trace events */
    QIEvent *ev = NULL;
    while ((ev = qi_ctrl_event_pattern("*", ev)) != NULL) {

        /* auto-instrument all events instrumentable at execution time */
        if (qi_ctrl_event_is_available(ev)) {

            printf("[exec] instrumenting '%s'\n",
                   qi_ctrl_event_get_name(ev));

            /* auto-detect instrumentation routines */
            bool instrumented = qi_ctrl_event_set(ev, QI_CTRL_INSTR_AUTO);
            assert(instrumented);

            /* activate tracing for that event
             * (otherwise qi_event_${event}_trace does nothing when using
             * the 'stderr' backend)
             */
            qi_trace_event_set_state_dynamic(ev, true);
        }
    }
}

/* mandatory finalization callback */
void qi_fini(void)
{
    fprintf(stderr, "fini!\n");

    /* ensure all tracing is disabled */
    QIEvent *ev = NULL;
    while ((ev = qi_ctrl_event_pattern("*", ev)) != NULL) {
        qi_trace_event_set_state_dynamic(ev, false);
    }

    /* instrumentation callbacks are automatically reset by QEMU */
}
