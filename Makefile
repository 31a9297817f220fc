# concur — build, test, run.
#
#   make            build bin/concur
#   make run        the main job (installs missing packages when root)
#   make check      every test (unit, command line, MPI; then the timing-
#                   sensitive ones again under load: make cli-load)
#   make asan       the test suite under AddressSanitizer + UBSan
#   make ubsan      the same built with clang, implicit conversions checked
#   make fuzz       each libFuzzer target FUZZ_SECONDS (20) seconds (clang)
#   make tsan       the threaded tests under ThreadSanitizer
#   make bench      performance comparisons against baselines and peers
#   make man        the manual pages in build/man/ (help2man, from --help)
#   make install    PREFIX=/usr/local DESTDIR=
#   V=1             show full commands
#   TEST_JOBS=N     make check/cli: N test files at a time (2; 1: one by one)

PKG_CONFIG ?= pkg-config
BATS_FLAGS ?= --print-output-on-failure
MPICC      ?= mpicc
PREFIX     ?= /usr/local
BINDIR     ?= $(PREFIX)/bin
MANDIR     ?= $(PREFIX)/share/man

# Build flavours live side by side: build/<flavour>/ and bin/<flavour>/.
SANITIZER ?=
ifeq ($(SANITIZER),)
  FLAVOUR :=
  SAN_FLAGS :=
else ifeq ($(SANITIZER),address)
  # GCC's "undefined" leaves out float-cast-overflow (a double too large for
  # the integer it is cast to): named on its own. Every finding stops the test.
  FLAVOUR := asan/
  SAN_FLAGS := -fsanitize=address,undefined,float-cast-overflow -fno-omit-frame-pointer \
	-fno-sanitize-recover=all
else ifeq ($(SANITIZER),undefined)
  # clang only (make ubsan): also the implicit conversions that lose value
  # (an integer truncated or its sign changed without a cast), which are
  # not undefined behaviour in C but are wrong numbers here.
  FLAVOUR := ubsan/
  SAN_FLAGS := -fsanitize=address,undefined,float-cast-overflow,implicit-conversion,local-bounds \
	-fno-omit-frame-pointer -fno-sanitize-recover=all
else ifeq ($(SANITIZER),thread)
  FLAVOUR := tsan/
  SAN_FLAGS := -fsanitize=thread -fno-omit-frame-pointer
else
  $(error SANITIZER must be empty, 'address', 'undefined' or 'thread', not '$(SANITIZER)')
endif

OBJDIR := build/$(FLAVOUR)
BINOUT := bin/$(FLAVOUR)
CONCUR := $(BINOUT)concur

LIBS_PC := gsl libcurl libmicrohttpd openssl gnutls

# The project's own flags; CFLAGS, CPPFLAGS and LDFLAGS stay the user's.
# -falign-loops=64: the kernel's speed otherwise depends on where the linker
# happens to place its inner loop (about 20% either way).
CONCUR_CFLAGS := -std=gnu11 -O2 -g -fopenmp -falign-loops=64 \
	-Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
	-Wformat=2 -Wundef -Wcast-align -Wpointer-arith \
	-Werror=implicit-function-declaration -Werror=vla \
	$(SAN_FLAGS)
CONCUR_VERSION := 0.1.0
CONCUR_CPPFLAGS = -Iinclude -D_GNU_SOURCE -DCONCUR_VERSION=\"$(CONCUR_VERSION)\" -MMD -MP $(PC_CFLAGS)
CONCUR_LDFLAGS := -fopenmp $(SAN_FLAGS)

# Evaluated once, and only when something is compiled (never for `make deps`).
PC_CFLAGS = $(eval PC_CFLAGS := $(shell $(PKG_CONFIG) --cflags $(LIBS_PC)))$(PC_CFLAGS)
PC_LIBS   = $(eval PC_LIBS := $(shell $(PKG_CONFIG) --libs $(LIBS_PC)))$(PC_LIBS)

# Two programs from src/: concur-mpi links MPI (the files below, compiled
# and linked through the MPI wrapper so that MPI is found wherever it lives);
# concur does not and links mpi_none.c instead, which hands whatever needs
# MPI over to concur-mpi (include/mpi_env.h says why).
SRCS        := $(wildcard src/*.c)
OBJS        := $(SRCS:src/%.c=$(OBJDIR)%.o)
# The MPI objects: a concern's MPI half is named <concern>_mpi.c.
MPI_OBJS    := $(filter %_mpi.o,$(OBJS)) $(OBJDIR)mpi_env.o
NO_MPI_OBJS := $(OBJDIR)mpi_none.o
SHARED_OBJS := $(filter-out $(MPI_OBJS) $(NO_MPI_OBJS),$(OBJS))
LIB_OBJS    := $(filter-out $(OBJDIR)main.o,$(SHARED_OBJS)) $(MPI_OBJS)
CONCUR_MPI  := $(BINOUT)concur-mpi

UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(BINOUT)tests/%)

ifeq ($(V),1)
  Q :=
else
  Q := @
endif

# Open MPI's wrapper compiles with $(CC) underneath.
export OMPI_CC := $(CC)
export MPICH_CC := $(CC)

# The manual pages, generated from each command's --help (scripts/make-man,
# help2man) into build/man/, never committed. The plain build makes them
# when help2man is there (scripts/ensure-deps installs it); make install
# needs them.
MAN_OUT   := build/man
MAN_STAMP := $(MAN_OUT)/.stamp
HAVE_HELP2MAN = $(shell command -v help2man >/dev/null 2>&1 && echo yes)
MAN_ALL    = $(if $(FLAVOUR),,$(if $(HAVE_HELP2MAN),$(MAN_STAMP)))

.SECONDARY:
.PHONY: all deps run check test unit cli cli-load asan tsan bench man install uninstall clean flags
all: $(CONCUR) $(CONCUR_MPI) $(MAN_ALL)

# Rebuild everything when the flags change (git's GIT-CFLAGS trick).
FLAGS_FILE := $(OBJDIR).flags
FLAGS_NOW = $(CC) $(CONCUR_CFLAGS) $(CFLAGS) $(CPPFLAGS) $(PC_CFLAGS)
$(FLAGS_FILE): flags
	@mkdir -p $(@D)
	@echo '$(FLAGS_NOW)' | cmp -s - $@ || echo '$(FLAGS_NOW)' > $@

# The flags, for `concur --build-info` (provenance of every results folder).
$(OBJDIR)buildinfo.o: CPPFLAGS += -DCONCUR_BUILD_FLAGS='"$(strip $(CONCUR_CFLAGS) $(CFLAGS))"'

COMPILER = $(CC)
$(MPI_OBJS): COMPILER = $(MPICC)

$(OBJDIR)%.o: src/%.c $(FLAGS_FILE)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(COMPILER) $(CONCUR_CPPFLAGS) $(CPPFLAGS) $(CONCUR_CFLAGS) $(CFLAGS) -c -o $@ $<

$(CONCUR): $(SHARED_OBJS) $(NO_MPI_OBJS)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  LINK    $@")
	$(Q)$(CC) $(CONCUR_LDFLAGS) $(LDFLAGS) -o $@ $^ $(PC_LIBS) -lm

$(CONCUR_MPI): $(SHARED_OBJS) $(MPI_OBJS)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  LINK    $@")
	$(Q)$(MPICC) $(CONCUR_LDFLAGS) $(LDFLAGS) -o $@ $^ $(PC_LIBS) -lm

$(OBJDIR)tests/%.o: tests/unit/%.c $(FLAGS_FILE)
	@mkdir -p $(@D)
	$(Q)$(CC) $(CONCUR_CPPFLAGS) $(CPPFLAGS) $(CONCUR_CFLAGS) $(CFLAGS) $$($(PKG_CONFIG) --cflags cmocka) -c -o $@ $<

$(BINOUT)tests/%: $(OBJDIR)tests/%.o $(LIB_OBJS)
	@mkdir -p $(@D)
	$(Q)$(MPICC) $(CONCUR_LDFLAGS) $(LDFLAGS) -o $@ $^ $(PC_LIBS) $$($(PKG_CONFIG) --libs cmocka) -lm

# make bench's kernel-rate: every kernel path beside bare loops of the same
# instructions (bench/kernel_rate.c), linked with the kernel alone.
KERNEL_OBJS := $(addprefix $(OBJDIR),kernel.o kernel_avx2.o kernel_avx512.o kernel_ifma.o kernel_model.o status.o)
KERNEL_RATE := $(BINOUT)bench/kernel-rate

$(OBJDIR)bench/%.o: bench/%.c $(FLAGS_FILE)
	@mkdir -p $(@D)
	$(Q)$(CC) $(CONCUR_CPPFLAGS) $(CPPFLAGS) $(CONCUR_CFLAGS) $(CFLAGS) -c -o $@ $<

$(KERNEL_RATE): $(OBJDIR)bench/kernel_rate.o $(KERNEL_OBJS)
	@mkdir -p $(@D)
	$(Q)$(CC) $(CONCUR_LDFLAGS) $(LDFLAGS) -o $@ $^

man: $(MAN_STAMP)
$(MAN_STAMP): bin/concur scripts/make-man
	@$(if $(Q),echo "  MAN     $(MAN_OUT)/")
	$(Q)scripts/make-man bin/concur $(MAN_OUT)
	@touch $@

-include $(OBJS:.o=.d) $(UNIT_BINS:$(BINOUT)tests/%=$(OBJDIR)tests/%.d) $(OBJDIR)bench/kernel_rate.d

# ---------------------------------------------------------------------------
# Set-up, tests, the main job.

deps:
	@scripts/ensure-deps

# clang too, so that make check runs the fuzz targets (fuzz-check).
check:
	@scripts/ensure-deps build fuzz
	@$(MAKE) --no-print-directory test
	@$(MAKE) --no-print-directory fuzz-check

test: unit cli cli-load

unit: $(UNIT_BINS)
	@scripts/run-unit $(UNIT_BINS)

# The command-line tests, TEST_JOBS files at a time (bats --jobs, with GNU
# parallel), the tests of each file one after another: most of them wait on
# a server, a sleep or mpirun rather than compute. Not within files: bats
# hands its slots to a file's tests by polling once a second, which costs
# more than it gains on tests of a fraction of a second. The tests that time
# something run alone all the same (run_alone and RUN_ALONE in
# tests/cli/helpers.bash). TEST_JOBS=1, or no GNU parallel: one at a time.
TEST_JOBS ?= 2
HAVE_PARALLEL = $(shell command -v parallel >/dev/null 2>&1 && echo yes)
BATS_JOBS = $(if $(and $(filter-out 0 1,$(TEST_JOBS)),$(HAVE_PARALLEL)),--jobs $(TEST_JOBS) --no-parallelize-within-files)
cli: all
	@CONCUR=$(abspath $(CONCUR)) bats $(BATS_FLAGS) $(BATS_JOBS) tests/cli

# The timing-sensitive tests once more, with busy loops on every CPU: a
# verdict that depends on an idle machine fails here (scripts/under-load).
# Only the verdicts (the knee searches take minutes under load; they run
# once in `cli`), so that the suite stays within its ten minutes.
LOAD_TESTS := tests/cli/classify.bats tests/cli/autotune.bats
LOAD_FILTER := CPU-bound|I/O-bound|contended
cli-load: all
	@CONCUR=$(abspath $(CONCUR)) scripts/under-load bats $(BATS_FLAGS) -f '$(LOAD_FILTER)' $(LOAD_TESTS)

asan: deps
	@$(MAKE) --no-print-directory SANITIZER=address test

tsan: deps
	@$(MAKE) --no-print-directory SANITIZER=thread all
	@CONCUR=$(abspath bin/tsan/concur) bats tests/cli/tsan.bats

run: deps
	@$(MAKE) --no-print-directory all
	@scripts/run-main $(abspath $(CONCUR))

# The peers too (wget2, aria2, python3-requests, python3-aiohttp ...).
bench:
	@scripts/ensure-deps bench
	@$(MAKE) --no-print-directory all $(KERNEL_RATE)
	@scripts/bench $(abspath $(CONCUR))

# Only concur goes on PATH; it finds concur-mpi in ../libexec/concur/.
HELPERDIR = $(BINDIR)/../libexec/concur
# The manual pages go to MANDIR/man1 (PREFIX/share/man/man1).
install: all man
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(HELPERDIR) $(DESTDIR)$(MANDIR)/man1
	install -m 755 $(CONCUR) $(DESTDIR)$(BINDIR)/concur
	install -m 755 $(CONCUR_MPI) $(DESTDIR)$(HELPERDIR)/concur-mpi
	install -m 644 $(MAN_OUT)/concur.1 $(MAN_OUT)/concur-*.1 $(DESTDIR)$(MANDIR)/man1/

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/concur $(DESTDIR)$(HELPERDIR)/concur-mpi
	rm -f $(DESTDIR)$(MANDIR)/man1/concur.1 $(DESTDIR)$(MANDIR)/man1/concur-*.1

clean:
	rm -rf build bin

# ---------------------------------------------------------------------------
# Sanitizers with clang, and fuzzing (doc/testing.md, "Fuzzing and sanitizers").

FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 20
FUZZ_CHECK_SECONDS ?= 5
FUZZ_FLAGS   ?=
FUZZ_TARGETS := $(patsubst tests/fuzz/fuzz_%.c,%,$(wildcard tests/fuzz/fuzz_*.c))
FUZZ_BINS    := $(FUZZ_TARGETS:%=bin/fuzz/fuzz_%)
# The concur modules the targets exercise: parsing, formatting and the
# statistics commands (GSL), no MPI, curl or microhttpd; compiled apart, with
# clang and the fuzzer's coverage instrumentation.
FUZZ_MODULES := grow num urllist runs server_routes json report status \
	cli cmd_stats cmd_compare scaling stats
FUZZ_OBJS    := $(FUZZ_MODULES:%=build/fuzz/%.o)
FUZZ_CFLAGS  := -std=gnu11 -g -O1 -fno-omit-frame-pointer -Wall -Wextra -Iinclude -D_GNU_SOURCE \
	-DCONCUR_VERSION=\"$(CONCUR_VERSION)\" \
	-fsanitize=address,undefined,float-cast-overflow -fno-sanitize-recover=all -MMD -MP
HAVE_CLANG    = $(shell command -v $(FUZZ_CC) >/dev/null 2>&1 && echo yes)

.PHONY: ubsan fuzz fuzz-build fuzz-check
ubsan: deps
	@scripts/ensure-deps fuzz
	@$(MAKE) --no-print-directory CC=$(FUZZ_CC) SANITIZER=undefined test

build/fuzz/%.o: src/%.c
	@mkdir -p $(@D)
	@$(if $(Q),echo "  FUZZCC  $<")
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) $(PC_CFLAGS) -fsanitize=fuzzer-no-link -c -o $@ $<

bin/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_OBJS)
	@mkdir -p $(@D) build/fuzz
	@$(if $(Q),echo "  FUZZLD  $@")
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -MF build/fuzz/fuzz_$*.d -Itests/fuzz -fsanitize=fuzzer \
		-o $@ $< $(FUZZ_OBJS) $$($(PKG_CONFIG) --libs gsl) -lpthread -lm

-include $(FUZZ_OBJS:.o=.d) $(FUZZ_TARGETS:%=build/fuzz/fuzz_%.d)

fuzz-build: $(FUZZ_BINS)

# Each target from its seed corpus for FUZZ_SECONDS; what it learns goes to
# build/fuzz/corpus/ (not the tree), a crash to build/fuzz/TARGET-crash-*.
fuzz: deps
	@scripts/ensure-deps fuzz
	@$(MAKE) --no-print-directory fuzz-build
	@scripts/run-fuzz $(FUZZ_SECONDS) $(FUZZ_FLAGS) -- $(FUZZ_TARGETS)

# make check: a short run of every target when clang is there, one target
# per CPU at a time (each target is one process on one core).
FUZZ_CHECK_JOBS ?= $(shell nproc 2>/dev/null || echo 1)
fuzz-check:
ifeq ($(HAVE_CLANG),yes)
	@$(MAKE) --no-print-directory fuzz-build
	@FUZZ_JOBS=$(FUZZ_CHECK_JOBS) scripts/run-fuzz $(FUZZ_CHECK_SECONDS) $(FUZZ_FLAGS) -- $(FUZZ_TARGETS)
else
	@echo "fuzz-check: $(FUZZ_CC) not found, fuzz targets skipped (scripts/ensure-deps fuzz installs it)"
endif

# The jobs/ Slurm scripts on a real one- and two-node Slurm started on this
# host (tests/slurm/cluster); installs slurmctld, slurmd and munge when root.
.PHONY: check-slurm
check-slurm:
	@scripts/ensure-deps slurm
	@$(MAKE) --no-print-directory all
	@CONCUR=$(abspath $(CONCUR)) bats $(BATS_FLAGS) tests/slurm
