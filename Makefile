# qemu-instr: QEMU 10.0 with trace-event instrumentation.
#
#   make            configure (with defaults) if needed, then build QEMU
#                   and the example libraries of contrib/instrument
#   make examples   build only the examples, in BUILD/examples
#   make demo       build qemu-x86_64 only, then run an example library on
#                   a real program (make builds the rest)
#   make check      build what the tests need, then run tests/instrument/run
#   make check-sanitizers
#                   the same tests on an ASan+UBSan build, BUILD/qemu-sanitizers
#   make check-qemu QEMU's own unit tests, x86_64 qtests and TCG tests
#   make check-series
#                   build qemu-x86_64 after each patch of patches/series
#   make check-full check, check-sanitizers, check-qemu and check-series
#                   (what CI runs)
#   make bench      build vanilla QEMU and qemu-instr side by side in
#                   BUILD-bench/ and compare them (docs/bench.md)
#   make install    install (honours DESTDIR)
#   make export     turn edits made in BUILD/src into overlay files and patches
#   make prepare    re-prepare BUILD/src from the overlay and patches/
#   make clean      remove QEMU's build products
#   make distclean  remove BUILD (refused if BUILD/src has edits not exported)
#
# BUILD=DIR selects the build directory [build].

BUILD ?= build
NINJA = ninja -C $(BUILD)/qemu

# Used when make configures by itself: also instrument the device events
# the tests and the examples use.
CONFIGURE_FLAGS ?= --with-instrument-events=$(CURDIR)/tests/instrument/events.list

# Cache hits across build directories and clones: paths relative to
# BUILD, and (QEMU builds with -g) no working directory in the hash
export CCACHE_BASEDIR ?= $(abspath $(BUILD))
export CCACHE_NOHASHDIR ?= 1

.PHONY: all examples demo check check-sanitizers check-qemu check-series \
	check-full \
	bench install export prepare clean distclean

all: $(BUILD)/config.status
	$(NINJA)
	$(EXAMPLES)

# contrib/instrument/Makefile, against the build's headers; installed
# under QEMU's prefix, in lib/qemu-instr and share/qemu-instr/examples
QEMU_OPTION = $(shell python3 -c 'import json, sys; print([o["value"] \
	for o in json.load(open(sys.argv[1])) if o["name"] == sys.argv[2]][0])' \
	$(BUILD)/qemu/meson-info/intro-buildoptions.json $(1))
EXAMPLES = mkdir -p $(BUILD)/examples && $(MAKE) -C contrib/instrument \
	SRCDIR=$(CURDIR)/contrib/instrument/ OUT=$(abspath $(BUILD))/examples/ \
	QI_CFLAGS="-I$(abspath $(BUILD))/src/include -I$(abspath $(BUILD))/qemu/include"

examples: $(BUILD)/config.status
	$(EXAMPLES)

$(BUILD)/config.status:
	mkdir -p $(BUILD) && cd $(BUILD) && $(CURDIR)/configure $(CONFIGURE_FLAGS)

# The main job: count the system calls of gzip compressing this README.
# Only what it needs is built first; make builds the rest.
demo: $(BUILD)/config.status
	$(NINJA) qemu-x86_64
	cc -shared -fPIC -O2 -Wall -I$(BUILD)/src/include -I$(BUILD)/qemu/include \
	   -o $(BUILD)/libsyscount.so contrib/instrument/syscount.c
	$(BUILD)/qemu/qemu-x86_64 -instr $(BUILD)/libsyscount.so,arg=out=$(BUILD)/syscount.txt \
	   /bin/gzip -9 -c README.md > $(BUILD)/README.md.gz
	@echo "gzip under qemu-x86_64 with contrib/instrument/syscount.c:"
	@cat $(BUILD)/syscount.txt

# What the tests run: the emulators and QEMU's plugins as oracles
CHECK_TARGETS = qemu-x86_64 qemu-aarch64 qemu-system-x86_64 \
	$(patsubst %,tests/tcg/plugins/lib%.so,bb insn mem syscall)

check: $(BUILD)/config.status
	$(NINJA) $(CHECK_TARGETS)
	@test -x tests/instrument/run || \
	  { echo "make: tests/instrument/run does not exist yet" >&2; exit 1; }
	tests/instrument/run --build=$(abspath $(BUILD))

# The same tests on the emulators built with AddressSanitizer and
# UndefinedBehaviorSanitizer, in BUILD/qemu-sanitizers (configured like
# BUILD/qemu), QEMU's --enable-asan --enable-ubsan.  Tests of other builds
# (the side builds) are skipped: make check runs them.  No address space
# randomization: the guest's addresses are compared between runs, and
# ASan's shadow memory takes linux-user's usual guest base.
SAN_BUILD = $(BUILD)/qemu-sanitizers
SAN_CONFIGURE = --enable-asan --enable-ubsan
SAN_ENV = ASAN_OPTIONS=halt_on_error=1:detect_leaks=1:abort_on_error=0 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	LSAN_OPTIONS=suppressions=$(CURDIR)/tests/instrument/lsan.supp \
	QI_TEST_SIDE_BUILDS=no

check-sanitizers: $(BUILD)/config.status
	$(NINJA) build.ninja
	test -f $(SAN_BUILD)/build.ninja || { mkdir -p $(SAN_BUILD) && \
	  cd $(SAN_BUILD) && sh $(abspath $(BUILD))/qemu/config.status $(SAN_CONFIGURE); }
	ninja -C $(SAN_BUILD) $(CHECK_TARGETS)
	$(SAN_ENV) setarch $$(uname -m) -R tests/instrument/run --build=$(abspath $(SAN_BUILD))

# QEMU's own unit tests, x86_64 qtests and x86_64 TCG tests (with the
# plugins) on BUILD/qemu: build-aux/check-qemu, which lists what it
# excludes and why
check-qemu: $(BUILD)/config.status
	$(NINJA)
	build-aux/check-qemu --build=$(BUILD)

# The patch queue bisects: qemu-x86_64 builds after every patch, in
# BUILD/series (build-aux/check-series), and the changed-line count
check-series: $(BUILD)/config.status
	build-aux/check-series --build=$(BUILD)

# Everything CI runs: the README's test command
check-full: check check-sanitizers check-qemu check-series

# Vanilla QEMU 10.0 and qemu-instr in each mode, on real programs and on
# the test guest; writes docs/bench.md and docs/bench.json.  BENCH_FLAGS
# go to tests/instrument/bench/run (e.g. --rounds=7).
bench: $(BUILD)/config.status
	tests/instrument/bench/run --build=$(abspath $(BUILD)) $(BENCH_FLAGS)

install: all
	DESTDIR=$(if $(DESTDIR),$(abspath $(DESTDIR))) $(NINJA) install
	$(EXAMPLES) install DESTDIR=$(if $(DESTDIR),$(abspath $(DESTDIR))) \
	  prefix=$(call QEMU_OPTION,prefix) \
	  libdir=$(call QEMU_OPTION,prefix)/$(call QEMU_OPTION,libdir) \
	  datadir=$(call QEMU_OPTION,prefix)/$(call QEMU_OPTION,datadir)

export:
	build-aux/qi-export --build=$(BUILD)

prepare:
	if test -d $(BUILD)/src/.git; then build-aux/qi-tree prepare --build=$(BUILD); \
	else mkdir -p $(BUILD) && cd $(BUILD) && $(CURDIR)/configure --prepare-only; fi

clean:
	if test -f $(BUILD)/qemu/build.ninja; then $(NINJA) clean; fi

distclean:
	if test -d $(BUILD)/src/.git; then build-aux/qi-export --check --build=$(BUILD) >/dev/null || \
	  { echo "make: $(BUILD)/src has edits that are not exported: make export first" >&2; exit 1; }; fi
	rm -rf $(BUILD)
