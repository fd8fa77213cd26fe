# qemu-instr: QEMU 7.2 with trace-event instrumentation.
#
#   make            configure (with defaults) if needed, then build
#   make check      build, then run tests/instrument/run
#   make install    install (honours DESTDIR)
#   make export     turn edits made in BUILD/src into overlay files and patches
#   make prepare    re-prepare BUILD/src from the overlay and patches/
#   make clean      remove QEMU's build products
#   make distclean  remove BUILD (refused if BUILD/src has edits not exported)
#
# BUILD=DIR selects the build directory [build].

BUILD ?= build
NINJA = ninja -C $(BUILD)/qemu

.PHONY: all check install export prepare clean distclean

all: $(BUILD)/config.status
	$(NINJA)

$(BUILD)/config.status:
	mkdir -p $(BUILD) && cd $(BUILD) && $(CURDIR)/configure

check: all
	@test -x tests/instrument/run || \
	  { echo "make: tests/instrument/run does not exist yet" >&2; exit 1; }
	tests/instrument/run --build=$(abspath $(BUILD))

install: all
	DESTDIR=$(if $(DESTDIR),$(abspath $(DESTDIR))) $(NINJA) install

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
