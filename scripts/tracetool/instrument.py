# -*- coding: utf-8 -*-

"""
Trace-event instrumentation (qemu-instr): event selection and the code
shared by the formats that generate instrumentation stubs.

An event with the 'instrument' property gets a user callback:

- dynamic mode: trace_<name>() tests one entry of a callback table and
  calls through it when a library has set it, or runs the tracing
  backend as vanilla QEMU does otherwise.  The entry is the event's
  dispatcher, qi_event_<name>_dispatch(), which calls the callback of
  every library that set one, in order, under RCU (see
  instr_dispatch_begin()); execution events, which only vCPU threads
  raise, call a single callback directly;
- static mode: trace_<name>() calls the user's qi_event_<name>()
  directly; a weak default runs the tracing backend.

Both modes also define qi_event_<name>_nop() and qi_event_<name>_trace()
(the latter runs the configured tracing backend, so that a callback can
chain to it) and the typed setter qi_event_set_<name>_by(), which the
library's qi_event_set_<name>() calls with its QILibrary; the
qi_event_set_<name>() symbol itself is the setter of libraries built for
API versions 1 and 2.
"""

__author__     = "qemu-instr developers"
__license__    = "GPL version 2 or (at your option) any later version"


import fnmatch
import os
import sys


MODES = ("none", "dynamic", "static")

# Set by tracetool.py from --instrument=MODE
MODE = "none"


def enabled():
    """Whether QEMU is built with instrumentation (dynamic or static)."""
    return MODE != "none"


def is_instrumented(event):
    """Whether 'event' gets instrumentation stubs in this build."""
    return enabled() and "instrument" in event.properties


def check_properties(event):
    """Reject property combinations that cannot work."""
    if "instrument" in event.properties and "disable" in event.properties:
        raise ValueError("event '%s' has both the 'instrument' and the "
                         "'disable' property: remove one of them"
                         % event.name)
    if isinstance(event.fmt, list) and "tcg" not in event.properties:
        raise ValueError("event '%s' has two formats but not the 'tcg' "
                         "property" % event.name)
    if "tcg" in event.properties:
        if "instrument" not in event.properties:
            raise ValueError("'tcg' event '%s' needs the 'instrument' "
                             "property" % event.name)
        if not isinstance(event.fmt, list):
            raise ValueError("'tcg' event '%s' needs two formats: "
                             "translation time, then execution time"
                             % event.name)


def expand(event):
    """The events tracetool generates code for, from one read event.

    A 'tcg' event becomes <name>_trans, raised while QEMU translates guest
    code, with the TCG handle of the vCPU (vcpu_exec) and all the event's
    arguments; and <name>_exec, raised when the generated code runs, with
    as many leading arguments as its format has conversions.  The _trans
    callback emits the _exec call with qi_event_gen_<name>_exec().
    Without instrumentation there is no 'tcg' event at all.
    """
    from tracetool import Arguments, Event

    if "tcg" not in event.properties:
        return [event]
    if not enabled():
        return []
    props = [p for p in event.properties if p != "tcg"]
    fmt_trans, fmt_exec = event.fmt
    n_exec = len(Event._FMT.findall(fmt_exec))
    if n_exec > len(event.args):
        raise ValueError("the execution-time format of '%s' has more "
                         "conversions than the event has arguments"
                         % event.name)
    trans_args, trans_public = _tcg_args(event.args, 0)
    exec_args, exec_public = _tcg_args(event.args[:n_exec], 2)
    trans = Event(event.name + "_trans", props + ["tcg-trans"],
                  '"tcg_cpu=%p "' + fmt_trans,
                  Arguments([("void *", "__tcg_cpu")] + trans_args),
                  event.lineno, event.filename, orig=event)
    exec_ = Event(event.name + "_exec", props + ["tcg-exec"], fmt_exec,
                  Arguments(exec_args), event.lineno, event.filename,
                  orig=event)
    trans = transform_vcpu(trans)
    exec_ = transform_vcpu(exec_)
    trans.qi_public = trans_public
    exec_.qi_public = exec_public
    exec_.qi_decl_types = dict((n, t) for t, n in event.args)
    trans.event_exec = exec_
    exec_.event_trans = trans
    return [trans, exec_]


def transform_vcpu(event):
    """Add the implicit first argument of an event with the 'vcpu'
    property: the CPUState of the vCPU that raised it (QEMU 7.2's
    tracetool did this upstream; QEMU 8.1 dropped it with per-vCPU
    tracing, and instrumentation brings it back)."""
    from tracetool import Arguments
    if "vcpu" in event.properties:
        event.args = Arguments([("void *", "__cpu"), event.args])
        event.fmt = '"cpu=%p "' + event.fmt
        # The tracing backends still skip the state check of 'vcpu'
        # events, which QEMU 7.2's per-vCPU wrapper made: drop the
        # property, so that they check it like any other event's.
        event.properties = [p for p in event.properties if p != "vcpu"]
        event.qi_vcpu = True
    return event


def has_vcpu(event):
    """Whether the event's first argument is the implicit vCPU."""
    return getattr(event, "qi_vcpu", False)


# Argument types of 'tcg' events that QEMU and the library see
# differently: trace-events type -> (QEMU's type at translation time, the
# library's, QEMU's at execution time, the library's).  QEMU's types are
# what tracing backends print.
#
# "TCGv_i64" is a value of the site that only the execution-time event
# has (e.g. the value a memory access loaded): no translation-time
# argument, nor an argument of qi_event_gen_<name>_exec(), which passes
# the site's TCG value (instr_tcg_site_value()).
TCG_TYPES = {
    "TCGv": ("void *", "QITCGv", "uint64_t", "uint64_t"),
    "QIMemInfo": ("uint32_t", "QIMemInfo", "uint32_t", "QIMemInfo"),
    "TCGv_i64": (None, None, "uint64_t", "uint64_t"),
}


def extra_types(properties):
    """Argument types an event with 'properties' may have besides the
    standard C ones."""
    return list(TCG_TYPES) if "tcg" in properties else []


# Conversions of QEMU's value to the library's and back, when not a cast
PUBLIC_CONV = {
    "QIMemInfo": ("instr_mem_info_unpack(%s)", "instr_mem_info_pack(%s)"),
}


def _tcg_args(args, time):
    """QEMU's (type, name) of a 'tcg' event's arguments at translation
    (time 0) or execution time (2), and {name: library's type}."""
    qemu = []
    public = {}
    for type_, name in args:
        types = TCG_TYPES.get(type_.strip())
        if types and types[time] is None:
            continue
        if types:
            qemu.append((types[time], name))
            if types[time + 1] != types[time]:
                public[name] = types[time + 1]
        else:
            qemu.append((type_, name))
    return qemu, public


def read_selection(path):
    """Read an event selection file.

    One event name or glob per line ('guest_*', 'virtio_blk_*', 'all');
    '#' starts a comment.  Returns a list of (lineno, pattern).
    """
    patterns = []
    with open(path, "rb") as fobj:
        for lineno, line in enumerate(fobj, 1):
            try:
                line = line.decode("utf-8")
            except UnicodeDecodeError as e:
                raise ValueError("%s:%d: not valid UTF-8 (%s)"
                                 % (path, lineno, e.reason)) from None
            line = line.split("#", 1)[0].strip()
            if line:
                patterns.append((lineno, line))
    return patterns


def select(events, patterns, path, strict=True):
    """Add the 'instrument' property to the events that 'patterns' match.

    A disabled event named explicitly is an error; globs silently skip
    disabled events.  With 'strict', so is a pattern that matches no
    event ('events' must then be every event of the build).
    """
    for lineno, pattern in patterns:
        glob = "*" if pattern == "all" else pattern
        is_glob = any(c in glob for c in "*?[")
        matched = False
        for event in events:
            if not fnmatch.fnmatchcase(event.name, glob):
                continue
            matched = True
            if "disable" in event.properties:
                if is_glob:
                    continue
                raise ValueError("%s:%d: event '%s' has the 'disable' "
                                 "property and cannot be instrumented"
                                 % (path, lineno, event.name))
            if "instrument" not in event.properties:
                event.properties.append("instrument")
        if strict and not matched:
            raise ValueError("%s:%d: '%s' matches no trace event"
                             % (path, lineno, pattern))


def instrumented_events(events):
    """The events of 'events' that get instrumentation stubs."""
    return [e for e in events if is_instrumented(e)]


def event_doc(event):
    """The comment block above 'event' in its trace-events file.

    Returns (description lines, {argument: description}).  Argument
    lines look like '# @name: text'; '@prefix*' applies to every
    argument starting with 'prefix'.
    """
    try:
        with open(event.filename, "r") as fobj:
            lines = fobj.read().split("\n")[:event.lineno - 1]
    except OSError:
        return [], {}
    block = []
    for line in reversed(lines):
        if not line.startswith("#"):
            break
        block.insert(0, line[1:].strip())
    # Only the paragraph run right above the event documents it
    while block and block[0] == "":
        block.pop(0)
    desc = []
    params = {}
    for line in block:
        if line.startswith("@") and ":" in line:
            name, text = line[1:].split(":", 1)
            for arg in event.args.names():
                if name == arg or (name.endswith("*") and
                                   arg.startswith(name[:-1])):
                    params[arg] = text.strip()
        else:
            desc.append(line)
    while desc and desc[-1] == "":
        desc.pop()
    while desc and desc[0] == "":
        desc.pop(0)
    return desc, params


#
# Names
#

def qi_id(event):
    return "QI_EVENT_%s" % event.name.upper()


def qi_fn(event, suffix=""):
    return "qi_event_%s%s" % (event.name, suffix)


def qi_setter(event):
    return "qi_event_set_%s" % event.name


def is_direct(event):
    """Whether only vCPU threads, in translated code or translating it,
    raise 'event': an unload stops them all, so that a single callback
    can be called without the dispatcher's RCU."""
    return "tcg-trans" in event.properties or "tcg-exec" in event.properties


def signature(event):
    """'name(type,type)': the event as the library's callback sees it,
    for the build identity of qemu-instr/library.h."""
    return "%s(%s)" % (event.name,
                       ",".join(" ".join(t.split()) for t, _ in
                                _public(event)))


def qi_cb_type(event):
    return "qi_event_%s_cb_t" % event.name


def c_decl(type_, name):
    """'void *', 'p' -> 'void *p' (QEMU style)."""
    type_ = type_.replace("*", " *").replace(" *  *", " **")
    type_ = " ".join(type_.split()).replace("* *", "**")
    return type_ + name if type_.endswith("*") else type_ + " " + name


def _public(event):
    """(type, name) of the callback arguments as the public API has them.

    The implicit vCPU argument of 'vcpu' events becomes 'QICPU vcpu', the
    TCG handle of _trans events 'QITCGv_cpu vcpu_exec'; every other
    argument keeps its (standard C) type and name.
    """
    public = getattr(event, "qi_public", {})
    args = [(public.get(n, t), n) for t, n in event.args]
    if has_vcpu(event):
        args[0] = ("QICPU", "vcpu")
    if "tcg-trans" in event.properties:
        args[1] = ("QITCGv_cpu", "vcpu_exec")
    return args


def public_types(event):
    """The library's type of each argument of 'event'."""
    return [t for t, _ in _public(event)]


def _convert(event, to_public):
    """Argument names of 'event' converted from QEMU's types to the
    library's ('to_public') or back."""
    public = getattr(event, "qi_public", {})
    names = []
    for (type_, name), (_, pname) in zip(event.args, _public(event)):
        if name not in public:
            names.append(name if to_public else pname)
        elif public[name] in PUBLIC_CONV:
            conv = PUBLIC_CONV[public[name]][0 if to_public else 1]
            names.append(conv % name)
        else:
            names.append("(%s)%s" % (public[name] if to_public else type_,
                                     name))
    return ", ".join(names)


def public_args(event):
    args = [c_decl(t, n) for t, n in _public(event)]
    return ", ".join(args) if args else "void"


def call_names(event):
    """Arguments of trace_<name>(), as the library's callback takes them."""
    return _convert(event, True)


def public_names(event):
    """Arguments of the library's callback, as QEMU's tracing takes them."""
    return _convert(event, False)


def qi_gen(event):
    """qi_event_gen_<name>_exec() of a _exec event."""
    return "qi_event_gen_%s" % event.name


def gen_args(event):
    """Arguments of qi_event_gen_<name>_exec(): the TCG handle of the vCPU,
    then the values to pass to the _exec callback."""
    decl = getattr(event, "qi_decl_types", {})
    args = ["QITCGv_cpu vcpu_exec"]
    args += [c_decl("QITCGv" if decl.get(n, "").strip() == "TCGv" else t, n)
             for t, n in _public(event)[1:] if not is_site_value(event, n)]
    return ", ".join(args)


def is_site_value(event, name):
    """Whether argument 'name' of a _exec event is a value of the site
    that qi_event_gen_<name>_exec() passes itself ("TCGv_i64")."""
    decl = getattr(event, "qi_decl_types", {})
    return decl.get(name, "").strip() == "TCGv_i64"


# TCG helper argument type of each C type an _exec argument may have
HELPER_TYPES = {
    "uint64_t": "i64", "int64_t": "s64", "uint32_t": "i32",
    "int32_t": "s32", "int": "s32", "unsigned": "i32", "uint16_t": "i32",
    "int16_t": "s32", "uint8_t": "i32", "int8_t": "s32", "bool": "i32",
    "size_t": "i64",
}


def helper_type(type_):
    if "*" in type_:
        return "ptr"
    if type_ == "TCGv":
        return "tl"
    try:
        return HELPER_TYPES[type_.strip()]
    except KeyError:
        raise ValueError("type '%s' cannot be passed to an execution-time "
                         "callback" % type_)


def helper_name(event):
    return "instr_%s" % event.name


# (suffix, TCG call flags, QIRegAccess) of the helpers of a _exec event
HELPER_VARIANTS = (("", "TCG_CALL_NO_WG"), ("_rw", "0"),
                   ("_noregs", "TCG_CALL_NO_RWG"))
HELPER_ACCESS = ("QI_REGS_READ", "QI_REGS_WRITE", "QI_REGS_NONE")


def exec_helper_args(event):
    """(helper type, name, TCG value emitted, QEMU's C type in the
    helper) of each argument of a _exec event after the vCPU."""
    decl = getattr(event, "qi_decl_types", {})
    public = getattr(event, "qi_public", {})
    result = []
    for type_, name in list(event.args)[1:]:
        if is_site_value(event, name):
            nth = sum(1 for _, n, _, _ in result if is_site_value(event, n))
            result.append(("i64", name, "instr_tcg_site_value(%d)" % nth,
                           "uint64_t"))
            continue
        if decl.get(name, "").strip() == "TCGv":
            # A TCG value of the guest: its value when the code runs
            result.append(("tl", name, "(TCGv)%s" % name, "target_ulong"))
            continue
        htype = helper_type(type_)
        if name in public and public[name] in PUBLIC_CONV:
            value = PUBLIC_CONV[public[name]][1] % name
        else:
            value = ("(void *)" if htype == "ptr" else "") + name
        result.append((htype, name, "%s(%s)" % (TCG_CONSTANT[htype], value),
                       HELPER_CTYPES[htype]))
    return result


TCG_CONSTANT = {"i64": "tcg_constant_i64", "s64": "tcg_constant_i64",
                "i32": "tcg_constant_i32", "s32": "tcg_constant_i32",
                "ptr": "tcg_constant_ptr"}

HELPER_CTYPES = {"i64": "uint64_t", "s64": "int64_t", "i32": "uint32_t",
                 "s32": "int32_t", "ptr": "void *"}


#
# trace-<group>.h
#

def generate_h_begin(events, group):
    """Includes needed by the instrumented trace_<name>() wrappers."""
    from tracetool import out
    if not instrumented_events(events):
        return
    if MODE == "static":
        out('#include "instrument/static-pre.h"')
    out('#include "qemu-instr/events.h"',
        '#include "instrument/dispatch.h"',
        '')


def generate_h_end(events, group):
    from tracetool import out
    if MODE == "static" and instrumented_events(events):
        out('#include "instrument/static-post.h"',
            '')


def generate_backend_dstate(event):
    """The part of TRACE_<NAME>_BACKEND_DSTATE() that says whether the
    event is instrumented: QEMU's code that computes an event's arguments
    only when trace_event_get_state_backends() says the event is wanted
    must run for the instrumentation library too."""
    from tracetool import out
    if not is_instrumented(event):
        return
    if MODE == "static":
        # qi_event_<name>() is always called
        out('    %(id)s_ENABLED || \\', id=qi_id(event))
    else:
        out('    instr_event_get(%(id)s) || \\', id=qi_id(event))


def generate_h_wrapper(event):
    """trace_<name>() for an instrumented event."""
    from tracetool import out
    names = call_names(event)
    generate_h_call(event)
    out('',
        'static inline void %(api)s(%(args)s)',
        '{',
        api=event.api(),
        args=event.args)
    # Errors in the callback's arguments point at the event's declaration
    line = ('#line %(lineno)d "%(filename)s"',
            '%(indent)s%(call)s(%(names)s);',
            '#line %(out_next_lineno)d "%(out_filename)s"')
    if MODE == "static":
        out(*line, lineno=event.lineno, filename=event.filename,
            indent='    ', call=qi_fn(event), names=names)
    elif "tcg-exec" in event.properties:
        # The execution-time helpers call the callback of the library
        # that emitted them: instr_call_<name>() with its callback
        out('    %(call)s(instr_event_get(%(id)s), %(names)s);',
            call=instr_call(event), id=qi_id(event),
            names=", ".join(event.args.names()))
    else:
        out('    %(cb_t)s cb =',
            '        (%(cb_t)s)instr_event_get(%(id)s);',
            '',
            cb_t=qi_cb_type(event),
            id=qi_id(event))
        _h_call(event, 'cb')
    out('}')


def instr_call(event):
    return "instr_call_%s" % event.name


def _h_call(event, cb):
    """Call 'cb' if not NULL, else run the tracing backend."""
    from tracetool import out
    names = call_names(event)
    out('    if (unlikely(%s)) {' % cb)
    out('#line %(lineno)d "%(filename)s"',
        '        %(cb)s(%(names)s);',
        '#line %(out_next_lineno)d "%(out_filename)s"',
        lineno=event.lineno, filename=event.filename, cb=cb, names=names)
    # The backends' code out of line: a call site, such as the
    # execution-time helpers, stays a load, a test and a tail call
    out('    } else if (%(dstate)s()) {',
        '        %(trace)s(%(names)s);',
        '    }',
        dstate=event.api(event.QEMU_BACKEND_DSTATE),
        trace=qi_fn(event, "_trace"), names=names)


def generate_h_call(event):
    """instr_call_<name>() of a dynamic _exec event: trace_<name>() with
    the callback to call, the emitting library's in the helpers."""
    from tracetool import out
    if MODE != "dynamic" or "tcg-exec" not in event.properties:
        return
    out('',
        'static inline void %(call)s(InstrEventFn fn, %(args)s)',
        '{',
        '    %(cb_t)s cb = (%(cb_t)s)fn;',
        '',
        call=instr_call(event), args=event.args, cb_t=qi_cb_type(event))
    _h_call(event, 'cb')
    out('}')


#
# trace-<group>.c
#

def generate_c(events, group):
    """The stubs and the registration of a group's instrumented events."""
    from tracetool import out
    events = instrumented_events(events)
    if not events:
        return

    out('',
        '/* Instrumentation stubs (qemu-instr, %s mode) */' % MODE)
    for e in events:
        pargs = public_args(e)
        out('',
            'void %(nop)s(%(args)s)',
            '{',
            '}',
            '',
            'void %(trace)s(%(args)s)',
            '{',
            nop=qi_fn(e, "_nop"),
            trace=qi_fn(e, "_trace"),
            args=pargs)
        out('    %(nocheck)s(%(names)s);',
            nocheck=e.api(e.QEMU_TRACE_NOCHECK),
            names=public_names(e))
        out('}',
            '',
            'bool %(setter)s_by(QILibrary *self, %(cb_t)s cb)',
            '{',
            '    return instr_event_set(self, %(id)s, (InstrEventFn)cb,',
            '                           QI_PRIORITY_DEFAULT);',
            '}',
            '',
            '/* API versions 1 and 2: the caller tells the library */',
            'bool %(setter)s(%(cb_t)s cb)',
            '{',
            '    return instr_event_set(instr_caller_library(',
            '                               __builtin_return_address(0)),',
            '                           %(id)s, (InstrEventFn)cb,',
            '                           QI_PRIORITY_DEFAULT);',
            '}',
            setter=qi_setter(e),
            cb_t=qi_cb_type(e),
            id=qi_id(e))
        if MODE == "dynamic":
            _c_dispatch(e)
        if MODE == "static":
            out('',
                '#ifndef %(inline)s',
                '/* Runs when the static library does not define it */',
                'void __attribute__((weak)) %(fn)s(%(args)s)',
                '{',
                '    %(trace)s(%(names)s);',
                '}',
                '#endif',
                inline="QI_EVENT_%s_INLINE" % e.name.upper(),
                fn=qi_fn(e),
                args=pargs,
                trace=qi_fn(e, "_trace"),
                names=", ".join(n for _, n in _public(e)))

    out('',
        'static InstrEvent instr_%s_events[] = {' % group.lower())
    for e in events:
        out('    {',
            '        .id = %(id)s,',
            '        .trace = &%(trace)s,',
            '        .nop = (InstrEventFn)%(nop)s,',
            '        .backend = (InstrEventFn)%(backend)s,',
            id=qi_id(e),
            trace=e.api(e.QEMU_EVENT),
            nop=qi_fn(e, "_nop"),
            backend=qi_fn(e, "_trace"))
        if MODE == "dynamic":
            out('        .dispatch = (InstrEventFn)%s,' % qi_fn(e, "_dispatch"),
                '        .dispatch_stats = (InstrEventFn)%s,'
                % qi_fn(e, "_dispatch_stats"))
        if MODE == "dynamic" and is_direct(e):
            out('        .direct = true,')
        out('    },')
    out('};',
        '',
        'static void instr_%(group)s_register_events(void)',
        '{',
        '    instr_register_events(instr_%(group)s_events,',
        '                          ARRAY_SIZE(instr_%(group)s_events));',
        '}',
        'trace_init(instr_%(group)s_register_events)',
        group=group.lower())


def _c_dispatch(event):
    """qi_event_<name>_dispatch(): every library's callback, in order;
    qi_event_<name>_dispatch_stats(): the same, counting the calls of the
    libraries that count them (their counters, NULL for the others)."""
    from tracetool import out
    names = ", ".join(n for _, n in _public(event))
    for stats in (False, True):
        out('',
            'static void %(fn)s(%(args)s)',
            '{',
            '    InstrEventFn *fn;',
            fn=qi_fn(event, "_dispatch_stats" if stats else "_dispatch"),
            args=public_args(event))
        if stats:
            out('    uint64_t **calls;')
        out('    unsigned i, n;',
            '',
            '    fn = instr_dispatch_begin(%s, &n, %s);' % (
                qi_id(event), "&calls" if stats else "NULL"),
            '    for (i = 0; i < n; i++) {')
        if stats:
            out('        if (calls[i]) {',
                '            qatomic_inc(calls[i]);',
                '        }')
        out('        ((%s)fn[i])(%s);' % (qi_cb_type(event), names))
        if "tcg-trans" in event.properties:
            # Each library's qi_gen_*() settings are its own
            out('        instr_trans_next();')
        out('    }',
            '    instr_dispatch_end();',
            '}')


def generate_c_begin(events, group):
    from tracetool import out
    if instrumented_events(events):
        out('#include "qemu-instr/events.h"',
            '#include "instrument/dispatch.h"')


#
# Command line: check a selection file against trace-events files
#

def main(argv):
    """Usage: instrument.py SELECTION TRACE-EVENTS...

    Exits with one message on stderr when SELECTION does not apply
    (a pattern matching nothing, a disabled event named explicitly,
    an event with both 'instrument' and 'disable').
    """
    sys.path.insert(0, os.path.dirname(os.path.dirname(__file__)))
    import tracetool

    if len(argv) < 3:
        sys.stderr.write(main.__doc__)
        return 2
    global MODE
    MODE = "dynamic"
    try:
        events = []
        for path in argv[2:]:
            with open(path, "r") as fobj:
                events.extend(tracetool.read_events(fobj, path))
        select(events, read_selection(argv[1]), argv[1])
    except (OSError, ValueError) as err:
        sys.stderr.write("%s\n" % err)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
