# hardshim — a hardened, minimal OCI runtime wrapper.
# `make` builds build/hardshim; `make check` installs what the tests need, prepares the machine
# and runs every suite; `make demo` shows hardshim at work on a real container.

PREFIX     ?= /usr/local
BINDIR     ?= $(PREFIX)/bin
DATADIR    ?= $(PREFIX)/share
MANDIR     ?= $(DATADIR)/man
SYSCONFDIR ?= /etc
DESTDIR    ?=

BUILD    ?= build
SANITIZE ?= 0
# WERROR=0: warnings stay warnings (for a packager whose newer compiler warns about more).
WERROR   ?= 1
CC       ?= cc
PKG_CONFIG ?= pkg-config
# "RELEASE+gCOMMIT": the VERSION file, and the commit when built from a git checkout.
HS_VERSION ?= $(shell cat VERSION)$(shell git rev-parse --short=12 HEAD 2>/dev/null | sed 's/^/+g/')

# The libraries below are compiled against (headers) and linked into the core from their static
# archives (no library is loaded at run time: docs/architecture.md, "The core, one static
# program"). libnftnl calls libmnl, which Debian ships without a static archive: the libmnl
# functions libnftnl.a calls are hardshim's own (src/egress/mnl.c). libaudit needs libcap-ng and
# libselinux needs libpcre2-8: those orders. libnftables: only the unit tests load it (listings).
DL_PKGS := libseccomp libcap-ng libapparmor libselinux libnftables libnftnl audit nettle
PKG_CFLAGS := $(shell $(PKG_CONFIG) --cflags $(DL_PKGS) yajl 2>/dev/null)
LIBDIR := $(shell $(PKG_CONFIG) --variable=libdir nettle 2>/dev/null)
YAJL_STATIC := $(shell $(PKG_CONFIG) --variable=libdir yajl 2>/dev/null)/libyajl_s.a
LINKED_STATIC := $(foreach a,seccomp apparmor selinux pcre2-8 nftnl audit cap-ng nettle,$(LIBDIR)/lib$(a).a)

WARNINGS := -Wall -Wextra -Wshadow -Wformat=2 -Wstrict-prototypes \
	-Wmissing-prototypes -Wimplicit-fallthrough -Wno-unused-parameter
ifeq ($(WERROR),1)
WARNINGS += -Werror
endif
# -fPIC: the objects go into the PIE core, the static-pie front and the tests.
HARDEN   := -fstack-protector-strong -fPIC -D_FORTIFY_SOURCE=2
CFLAGS   ?= -O2 -g
override CFLAGS += -std=gnu11 $(WARNINGS) $(HARDEN) -fvisibility=hidden -D_GNU_SOURCE \
	-Iinclude $(PKG_CFLAGS) -DHS_SYSCONFDIR='"$(SYSCONFDIR)"' -MMD -MP
override LDFLAGS += -pie -Wl,-z,relro,-z,now -Wl,--as-needed
# --exclude-libs: those archives' symbols are never exported, whatever the link exports.
LDLIBS   := -Wl,--exclude-libs,ALL $(YAJL_STATIC) $(LINKED_STATIC)
# The core: -static-pie (glibc's libc.a too: no PT_INTERP, no ld.so, no shared object), PIE and
# full RELRO kept. The sanitizer build's core is a dynamic PIE program with the same archives:
# ASan cannot be linked static, and valgrind (scripts/memcheck.sh runs the unit tests, dynamic
# in every build) replaces only a shared libc's malloc.
CORE_LDFLAGS := $(filter-out -pie,$(LDFLAGS)) -static-pie

ifeq ($(SANITIZE),1)
BUILD := build-san
# The front's objects keep the plain build's flags (below: it is the plain build's front).
PLAIN_CFLAGS := $(CFLAGS)
PLAIN_LDFLAGS := $(LDFLAGS)
override CFLAGS := $(filter-out -D_FORTIFY_SOURCE=2,$(CFLAGS)) -O1 -fno-omit-frame-pointer \
	-fsanitize=address,undefined -fno-sanitize-recover=undefined
override LDFLAGS += -fsanitize=address,undefined
CORE_LDFLAGS := $(LDFLAGS)
endif

SRCS := $(sort $(shell find src -name '*.c' ! -path src/main.c ! -path 'src/front/*'))
OBJS := $(SRCS:%.c=$(BUILD)/obj/%.o)
LIB  := $(BUILD)/libhardshim.a
# The executable is the front (src/front/front.c: the fast path), built -static-pie; everything
# else is the core, a -static-pie executable too (src/front/core.c; a dynamic PIE in the sanitizer
# build) the front execs from its own
# directory by a name that carries the core's build id (docs/architecture.md, "The front and
# the core").
BIN  := $(BUILD)/hardshim
FRONT_OBJ := $(BUILD)/obj/src/front/front.o
FRONT_LIB := $(LIB)
CORE_OBJ  := $(BUILD)/obj/src/front/core.o
CORE_EXE  := $(BUILD)/obj/hardshim-core
CORE_ID_H := $(BUILD)/core-id.h
FRONT_LDFLAGS := $(filter-out -pie,$(LDFLAGS)) -static-pie
ifeq ($(SANITIZE),1)
# The sanitizer build's front is the plain build's: static-pie, without the sanitizers, from
# objects of its own (obj-plain/). The core (every command but a cached fast path) carries
# ASan and UBSan. The library functions the front calls are the core's too, and run under
# ASan/UBSan and valgrind in the unit tests; src/front/front.c's own lines run under no
# sanitizer. An ASan front would add a second sanitizer start to every command the
# integration suite runs (~35 ms of CPU, ~650 page faults: HACKING.md "The whole suite").
FRONT_OBJ := $(BUILD)/obj-plain/src/front/front.o
FRONT_PLAIN_OBJS := $(SRCS:%.c=$(BUILD)/obj-plain/%.o)
FRONT_LIB := $(BUILD)/libhardshim-plain.a
FRONT_LDFLAGS := $(filter-out -pie,$(PLAIN_LDFLAGS)) -static-pie
# LeakSanitizer's roots without the sanitizers' runtimes (src/front/lsan-roots.c).
CORE_SAN_OBJ := $(BUILD)/obj/src/front/lsan-roots.o
endif

# Man pages: scdoc sources in man/, rendered to roff in the build dir (checked by `man -l` in
# tests/e2e/install.bats). Defined before any rule names them: make expands a prerequisite
# list when it reads the rule.
MAN_SRCS  := $(sort $(wildcard man/*.scd))
MAN_PAGES := $(MAN_SRCS:man/%.scd=$(BUILD)/man/%)

UNIT_SRCS    := $(sort $(wildcard tests/unit/test-*.c))
UNIT_SUPPORT := $(sort $(wildcard tests/unit/support/*.c))
UNIT_BINS    := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/%)
UNIT_OBJS    := $(UNIT_SRCS:%.c=$(BUILD)/obj/%.o)
UNIT_SUPPORT_OBJS := $(UNIT_SUPPORT:%.c=$(BUILD)/obj/%.o)
TEST_HELPERS := $(sort $(wildcard tests/helpers/*.c))
HELPER_BINS  := $(TEST_HELPERS:tests/helpers/%.c=$(BUILD)/helpers/%)

.PHONY: pkg-config-ok coverage-doc man seccomp-profile seccomp-profile-check all deps prepare test-build check unit integration redteam e2e demo bench install lint fuzz clean oracle

all: $(BIN)

# A missing library must stop the build with pkg-config's own words and the way out, not as a
# missing header three hundred lines later (PKG_CFLAGS above stays quiet: `make deps` and
# `make clean` must work on a machine without the packages).
pkg-config-ok:
	@$(PKG_CONFIG) --exists --print-errors $(DL_PKGS) yajl || { \
		echo "hardshim: the build needs these libraries' -dev packages:" \
			"sh scripts/install-deps.sh --build" >&2; exit 1; }
	@[ -f "$(YAJL_STATIC)" ] || { \
		echo "hardshim: yajl's static library $(YAJL_STATIC) is missing (libyajl-dev)" >&2; \
		exit 1; }
	@for a in $(LINKED_STATIC); do [ -f "$$a" ] || { \
		echo "hardshim: the static library $$a is missing (its -dev package:" \
			"sh scripts/install-deps.sh --build)" >&2; exit 1; }; done

$(BUILD)/obj/%.o: %.c | pkg-config-ok
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(CFLAGS) -c $< -o $@

$(LIB): $(OBJS)
	@mkdir -p $(dir $@)
	@echo "  AR      $@"
	@rm -f $@ && $(AR) rcs $@ $^

# The core: every object, and its main (src/front/core.c).
$(CORE_EXE): $(CORE_OBJ) $(CORE_SAN_OBJ) $(LIB)
	@echo "  LD      $@"
	@$(CC) $(CORE_LDFLAGS) -o $@ $(CORE_OBJ) $(CORE_SAN_OBJ) -Wl,--whole-archive $(LIB) \
		-Wl,--no-whole-archive $(LDLIBS)

# The core's GNU build id: compiled into the front, which runs only the core with that id, and
# in the name of the core's copy beside the front (an older build's copy is removed).
$(CORE_ID_H): $(CORE_EXE)
	@id=$$(readelf -n $< | awk '/Build ID:/ { print $$3 }'); \
	[ -n "$$id" ] || { echo "hardshim: $< has no build id" >&2; exit 1; }; \
	printf '#define HS_CORE_ID "%s"\n' "$$id" >$@ && \
	rm -f $(BUILD)/hardshim-core-* && cp $< $(BUILD)/hardshim-core-$$id && \
	echo "  CORE    $(BUILD)/hardshim-core-$$id"

$(FRONT_OBJ): $(CORE_ID_H)
$(FRONT_OBJ): override CFLAGS += -I$(BUILD)

# The front: only the archive's objects it needs (no --whole-archive) and libc, static.
$(BIN): $(FRONT_OBJ) $(FRONT_LIB)
	@echo "  LD      $@"
	@$(CC) $(FRONT_LDFLAGS) -o $@ $(FRONT_OBJ) $(FRONT_LIB) $(YAJL_STATIC)

# The sanitizer build's front, compiled as the plain build compiles (see FRONT_OBJ above).
$(BUILD)/obj-plain/%.o: %.c | pkg-config-ok
	@mkdir -p $(dir $@)
	@echo "  CC      $< (the front's)"
	@$(CC) $(PLAIN_CFLAGS) -I$(BUILD) -c $< -o $@
$(BUILD)/obj-plain/src/util/version.o: $(BUILD)/version.txt
$(BUILD)/obj-plain/src/util/version.o: PLAIN_CFLAGS += -DHS_VERSION='"$(HS_VERSION)"'

$(BUILD)/libhardshim-plain.a: $(FRONT_PLAIN_OBJS)
	@echo "  AR      $@"
	@rm -f $@ && $(AR) rcs $@ $^

# Only src/util/version.c knows the version; it is rebuilt when the version changes (the stamp
# is rewritten only then).
$(BUILD)/version.txt: FORCE
	@mkdir -p $(dir $@)
	@echo '$(HS_VERSION)' | cmp -s - $@ || echo '$(HS_VERSION)' >$@
FORCE:
$(BUILD)/obj/src/util/version.o: $(BUILD)/version.txt
$(BUILD)/obj/src/util/version.o: override CFLAGS += -DHS_VERSION='"$(HS_VERSION)"'

# Unit tests and their harness are compiled one file at a time, like the sources, so that each
# object has its dependency file (-MMD): a changed header rebuilds the tests that include it.
$(BUILD)/obj/tests/unit/%.o: tests/unit/%.c | pkg-config-ok
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(CFLAGS) -Wno-missing-prototypes -Itests/unit/support -c $< -o $@

$(BUILD)/tests/%: $(BUILD)/obj/tests/unit/%.o $(UNIT_SUPPORT_OBJS) $(LIB)
	@mkdir -p $(dir $@)
	@echo "  LD      $@"
	@$(CC) $(LDFLAGS) -o $@ $< $(UNIT_SUPPORT_OBJS) -Wl,--whole-archive $(LIB) \
		-Wl,--no-whole-archive $(LDLIBS) -lcmocka

# test-elf-file runs this: the policy cache's build id in a -static-pie program (no PT_PHDR),
# compiled and linked as the front is (the plain objects and flags in the sanitizer build).
ELF_SELF_STATIC := $(BUILD)/tests/elf-self-static
$(ELF_SELF_STATIC): tests/unit/static/elf-self.c $(FRONT_LIB)
	@mkdir -p $(dir $@)
	@echo "  LD      $@"
	@$(CC) $(filter-out -MMD -MP,$(if $(PLAIN_CFLAGS),$(PLAIN_CFLAGS),$(CFLAGS))) -o $@ $< \
		$(FRONT_LIB) $(FRONT_LDFLAGS)
$(BUILD)/tests/test-elf-file: | $(ELF_SELF_STATIC)

# Small programs the integration tests run inside containers or use as fake runtimes.
$(BUILD)/helpers/%: tests/helpers/%.c
	@mkdir -p $(dir $@)
	@echo "  LD      $@"
	@$(CC) -O2 -static -Wall -o $@ $<

# docs/coverage.md: who owns each input, from the ownership table (src/policy/owners.c).
coverage-doc: $(BUILD)/tests/test-owners
	@$(BUILD)/tests/test-owners --markdown >docs/coverage.md.new && mv docs/coverage.md.new docs/coverage.md
	@echo "  GEN     docs/coverage.md"

# The unit tests' objects are named here so that they are never intermediate: make keeps them,
# and rebuilds a missing one (with its dependency file) instead of trusting an older binary.
test-build: $(BIN) $(UNIT_BINS) $(ELF_SELF_STATIC) $(HELPER_BINS) $(MAN_PAGES) $(UNIT_OBJS) $(UNIT_SUPPORT_OBJS)

deps:
	sh scripts/install-deps.sh

prepare: deps
	sh scripts/prepare-host.sh

# The whole suite, as CI and a new user run it. SUITES narrows it (e.g. SUITES="unit integration").
check: prepare
	$(MAKE) -j$$(nproc) test-build fuzz-build
	BUILD=$(BUILD) sh tests/run.sh $(SUITES)

unit integration redteam e2e: test-build
	BUILD=$(BUILD) sh tests/run.sh $@

demo: prepare
	$(MAKE) all
	sh scripts/demo.sh

# The parser-differential oracle (Go, offline, Debian's runtime-spec sources); the json-corpus
# suite builds it on demand too.
oracle:
	sh scripts/build-oracle.sh $(BUILD)

# Static analysis (scripts/lint.sh): cppcheck, clang-tidy, shellcheck, clang-format.
lint:
	sh scripts/lint.sh

bench: prepare
	$(MAKE) test-build
	BUILD=$(BUILD) sh tests/bench/run.sh

$(BUILD)/man/%: man/%.scd
	@mkdir -p $(dir $@)
	scdoc <$< >$@

man: $(MAN_PAGES)

install: $(BIN) $(MAN_PAGES)
	for m in $(MAN_PAGES); do \
		install -D -m 0644 $$m $(DESTDIR)$(MANDIR)/man$${m##*.}/$$(basename $$m) || exit 1; \
	done
	# The core first, under its build id, then the front renamed over the old one: a caller
	# that starts the old front meanwhile still finds the old core. Then the earlier builds'
	# cores go, once no old front is still starting (scripts/prune-cores.sh says how).
	id=$$(sed -n 's/^#define HS_CORE_ID "\(.*\)"$$/\1/p' $(CORE_ID_H)) && [ -n "$$id" ] && \
	install -D -m 0755 $(BUILD)/hardshim-core-$$id $(DESTDIR)$(BINDIR)/hardshim-core-$$id && \
	install -D -m 0755 $(BIN) $(DESTDIR)$(BINDIR)/.hardshim.new && \
	mv -f $(DESTDIR)$(BINDIR)/.hardshim.new $(DESTDIR)$(BINDIR)/hardshim && \
	sh scripts/prune-cores.sh $(DESTDIR)$(BINDIR) $$id
	# The shipped policy is always installed as policy.json.default; policy.json only when there
	# is none, so a reinstall never overwrites the administrator's edited policy.
	install -D -m 0644 profiles/policy/default.json $(DESTDIR)$(SYSCONFDIR)/hardshim/policy.json.default
	[ -e $(DESTDIR)$(SYSCONFDIR)/hardshim/policy.json ] || \
		install -D -m 0644 profiles/policy/default.json $(DESTDIR)$(SYSCONFDIR)/hardshim/policy.json
	install -D -m 0644 profiles/logrotate/hardshim $(DESTDIR)$(SYSCONFDIR)/logrotate.d/hardshim
	install -D -m 0644 profiles/apparmor/hardshim-default $(DESTDIR)$(SYSCONFDIR)/apparmor.d/hardshim-default
	install -d $(DESTDIR)$(DATADIR)/containers/oci/hooks.d
	for h in hooks/*.json.in; do \
		sed 's|@BINDIR@|$(BINDIR)|g' $$h >$(DESTDIR)$(DATADIR)/containers/oci/hooks.d/$$(basename $$h .in) && \
		chmod 0644 $(DESTDIR)$(DATADIR)/containers/oci/hooks.d/$$(basename $$h .in) || exit 1; \
	done

# hardshim's default seccomp profile: regenerate the JSON and C table from the commented source,
# or check that the committed ones match it.
seccomp-profile:
	python3 scripts/gen-seccomp.py
seccomp-profile-check:
	python3 scripts/gen-seccomp.py --check

clean:
	rm -rf build build-san build-fuzz

-include $(OBJS:.o=.d) $(FRONT_OBJ:.o=.d) $(CORE_OBJ:.o=.d) $(CORE_SAN_OBJ:.o=.d) \
	$(FRONT_PLAIN_OBJS:.o=.d) $(UNIT_OBJS:.o=.d) $(UNIT_SUPPORT_OBJS:.o=.d)

# Fuzzing (tests/fuzz/): libFuzzer harnesses under ASan+UBSan, built with clang into build-fuzz/.
# `make fuzz FUZZ_SECONDS=1800` for a long run; `make check` runs each briefly (suite "fuzz").
FUZZ_SECONDS ?= 30
FUZZ_DIR     := build-fuzz
FUZZ_CFLAGS  := -std=gnu11 -g -O1 -fno-omit-frame-pointer -D_GNU_SOURCE -Iinclude $(PKG_CFLAGS) \
	-DHS_SYSCONFDIR='"$(SYSCONFDIR)"' -fsanitize=fuzzer-no-link,address,undefined -MMD -MP
# The fuzzers use the invented host only, not the cmocka fixtures beside it.
FUZZ_OBJS    := $(SRCS:%.c=$(FUZZ_DIR)/obj/%.o) $(FUZZ_DIR)/obj/tests/unit/support/fake-host.o
FUZZ_BINS    := $(patsubst tests/fuzz/%.c,$(FUZZ_DIR)/%,$(wildcard tests/fuzz/fuzz-*.c))

$(FUZZ_DIR)/obj/%.o: %.c | pkg-config-ok
	@mkdir -p $(dir $@)
	@echo "  FUZZCC  $<"
	@clang $(FUZZ_CFLAGS) -Itests/unit/support -c $< -o $@

$(FUZZ_DIR)/fuzz-%: tests/fuzz/fuzz-%.c $(FUZZ_OBJS)
	@echo "  LD      $@"
	@clang $(FUZZ_CFLAGS) -Itests/unit/support -fsanitize=fuzzer -o $@ $< $(FUZZ_OBJS) \
		$(YAJL_STATIC) $(LINKED_STATIC)

fuzz-build: $(FUZZ_BINS)
# Header dependencies of the fuzz objects and of each harness (one source per binary).
-include $(FUZZ_OBJS:.o=.d) $(FUZZ_BINS:=.d)
# Keep the objects: without this make deletes them as intermediates and rebuilds all each time.
.SECONDARY: $(FUZZ_OBJS)

fuzz: fuzz-build
	FUZZ_SECONDS=$(FUZZ_SECONDS) sh tests/fuzz/run.sh
