# concur — build, test, run.
#
#   make            build bin/concur
#   make run        the main job (installs missing packages when root)
#   make check      every test (unit, command line, MPI)
#   make asan       the test suite under AddressSanitizer + UBSan
#   make tsan       the threaded tests under ThreadSanitizer
#   make bench      performance comparisons against baselines and peers
#   make install    PREFIX=/usr/local DESTDIR=
#   V=1             show full commands

PKG_CONFIG ?= pkg-config
BATS_FLAGS ?= --print-output-on-failure
MPICC      ?= mpicc
PREFIX     ?= /usr/local
BINDIR     ?= $(PREFIX)/bin

# Build flavours live side by side: build/<flavour>/ and bin/<flavour>/.
SANITIZER ?=
ifeq ($(SANITIZER),)
  FLAVOUR :=
  SAN_FLAGS :=
else ifeq ($(SANITIZER),address)
  FLAVOUR := asan/
  SAN_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
else ifeq ($(SANITIZER),thread)
  FLAVOUR := tsan/
  SAN_FLAGS := -fsanitize=thread -fno-omit-frame-pointer
else
  $(error SANITIZER must be empty, 'address' or 'thread', not '$(SANITIZER)')
endif

OBJDIR := build/$(FLAVOUR)
BINOUT := bin/$(FLAVOUR)
CONCUR := $(BINOUT)concur

LIBS_PC := gsl libcurl libmicrohttpd

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
MPI_OBJS    := $(addprefix $(OBJDIR),mpi_env.o mpi_cpu.o mpi_fetch.o)
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

.SECONDARY:
.PHONY: all deps run check test unit cli asan tsan bench install uninstall clean flags
all: $(CONCUR) $(CONCUR_MPI)

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

-include $(OBJS:.o=.d) $(UNIT_BINS:$(BINOUT)tests/%=$(OBJDIR)tests/%.d) $(OBJDIR)bench/kernel_rate.d

# ---------------------------------------------------------------------------
# Set-up, tests, the main job.

deps:
	@scripts/ensure-deps

check: deps
	@$(MAKE) --no-print-directory test

test: unit cli

unit: $(UNIT_BINS)
	@scripts/run-unit $(UNIT_BINS)

cli: all
	@CONCUR=$(abspath $(CONCUR)) bats $(BATS_FLAGS) tests/cli

asan: deps
	@$(MAKE) --no-print-directory SANITIZER=address test

tsan: deps
	@$(MAKE) --no-print-directory SANITIZER=thread all
	@CONCUR=$(abspath bin/tsan/concur) bats tests/cli/tsan.bats

run: deps
	@$(MAKE) --no-print-directory all
	@scripts/run-main $(abspath $(CONCUR))

bench: deps
	@$(MAKE) --no-print-directory all $(KERNEL_RATE)
	@scripts/bench $(abspath $(CONCUR))

# Only concur goes on PATH; it finds concur-mpi in ../libexec/concur/.
HELPERDIR = $(BINDIR)/../libexec/concur
install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(HELPERDIR)
	install -m 755 $(CONCUR) $(DESTDIR)$(BINDIR)/concur
	install -m 755 $(CONCUR_MPI) $(DESTDIR)$(HELPERDIR)/concur-mpi

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/concur $(DESTDIR)$(HELPERDIR)/concur-mpi

clean:
	rm -rf build bin

# The jobs/ Slurm scripts on a real one- and two-node Slurm started on this
# host (tests/slurm/cluster); installs slurmctld, slurmd and munge when root.
.PHONY: check-slurm
check-slurm:
	@scripts/ensure-deps slurm
	@$(MAKE) --no-print-directory all
	@CONCUR=$(abspath $(CONCUR)) bats $(BATS_FLAGS) tests/slurm
