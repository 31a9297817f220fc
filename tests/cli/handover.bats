#!/usr/bin/env bats
# concur links no MPI; whatever needs MPI continues in concur-mpi, found
# beside it or in ../libexec/concur/ (include/mpi_env.h). These tests check the split itself; every
# MPI test elsewhere runs through the hand-over.

load helpers
load io_helpers

CONCUR_MPI=$(dirname "$CONCUR")/concur-mpi

# A copy of concur alone in a folder, without concur-mpi beside it.
lone_concur() {
    cp "$CONCUR" "$TMP/concur"
    LONE=$TMP/concur
}

@test "concur links no MPI library, concur-mpi does" {
    run ldd "$CONCUR"
    [ "$status" -eq 0 ]
    ! grep -E 'libmpi|libopen-(rte|pal)' <<<"$output"
    run ldd "$CONCUR_MPI"
    grep -q libmpi <<<"$output"
}

@test "the hand-over keeps the arguments and standard input" {
    start_server
    reference_list >"$TMP/urls"
    run --separate-stderr "$CONCUR" io --mode mpi --format json \
        --urls - <"$TMP/urls"
    [ "$status" -eq 0 ]
    grep -q "\"items\": $REFERENCE_ITEMS, \"bytes\": $REFERENCE_BYTES, \"errors\": 0" <<<"$output"
}

# The CPUs of a run, as cpu reports them (json meta).
cpus_available() {
    python3 -c 'import json, sys; print(json.load(sys.stdin)["meta"]["cpus_available"])'
}

@test "the hand-over keeps the CPUs that libgomp bound at load (OMP_PROC_BIND)" {
    # libgomp pins the initial thread to its first place as it loads, and
    # exec keeps that pin: without undoing it, hybrid saw one CPU.
    export OMP_PROC_BIND=close OMP_PLACES=cores
    omp=$("$CONCUR" cpu --mode omp --workers 2 --format json | cpus_available)
    run --separate-stderr "$CONCUR" cpu --mode hybrid --workers 2 --format json
    [ "$status" -eq 0 ]
    [ "$(cpus_available <<<"$output")" = "$omp" ]
    [[ "$stderr" != *"share 1 CPU"* ]] || [ "$omp" -lt 2 ]
}

@test "--build-info names the MPI library" {
    run --separate-stderr "$CONCUR" --build-info
    [ "$status" -eq 0 ]
    grep -q '"mpi": "Open MPI v[0-9]' <<<"$output"
    [ -z "$stderr" ]
}

@test "without concur-mpi, the modes that need no MPI still work" {
    lone_concur
    run --separate-stderr "$LONE" cpu --mode omp --workers 2 --format csv
    [ "$status" -eq 0 ]
    grep -q ",$REFERENCE_TOTAL," <<<"$output"
    start_server
    reference_list >"$TMP/urls"
    run --separate-stderr "$LONE" io --mode multi --urls "$TMP/urls" -q
    [ "$status" -eq 0 ]
}

@test "without concur-mpi, an MPI mode says what is missing and exits 1" {
    lone_concur
    for args in "cpu --mode mpi" "cpu --mode hybrid" "io --mode mpi --urls /dev/null"; do
        run --separate-stderr "$LONE" $args
        [ "$status" -eq 1 ]
        [ -z "$output" ]
        grep -q "MPI needs $TMP/concur-mpi, which cannot be started: No such file" <<<"$stderr"
    done
}

@test "without concur-mpi, --build-info warns and leaves the MPI version empty" {
    lone_concur
    run --separate-stderr "$LONE" --build-info
    [ "$status" -eq 0 ]
    grep -q '"mpi": ""' <<<"$output"
    grep -q "warning: MPI needs $TMP/concur-mpi" <<<"$stderr"
}

# The installed layout: concur in PREFIX/bin, concur-mpi in
# PREFIX/libexec/concur; an MPI mode works through it, also under mpirun.
check_installed() {
    local prefix=$1
    [ -x "$prefix/bin/concur" ]
    [ ! -e "$prefix/bin/concur-mpi" ]
    [ -x "$prefix/libexec/concur/concur-mpi" ]
    run --separate-stderr "$prefix/bin/concur" cpu --mode mpi --format csv
    [ "$status" -eq 0 ]
    grep -q ",$REFERENCE_TOTAL," <<<"$output"
    run --separate-stderr mpirun_np 2 "$prefix/bin/concur" cpu --mode hybrid --workers 2 --format csv
    [ "$status" -eq 0 ]
    grep -q ",$REFERENCE_TOTAL," <<<"$output"
}

@test "concur finds concur-mpi in ../libexec/concur/" {
    mkdir -p "$TMP/prefix/bin" "$TMP/prefix/libexec/concur"
    cp "$CONCUR" "$TMP/prefix/bin/concur"
    cp "$CONCUR_MPI" "$TMP/prefix/libexec/concur/concur-mpi"
    check_installed "$TMP/prefix"
}

@test "make install puts concur on PATH, concur-mpi in libexec/concur, the manual pages in share/man/man1" {
    ! "$CONCUR" --build-info | grep -q fsanitize= || skip "make install installs the plain build"
    make -s -C "$BATS_TEST_DIRNAME/../.." install DESTDIR="$TMP/dest" PREFIX=/opt/concur >/dev/null
    check_installed "$TMP/dest/opt/concur"
    # man concur, and man concur-CMD for every command concur lists.
    local man1=$TMP/dest/opt/concur/share/man/man1 cmd
    LC_ALL=C MANWIDTH=80 man -l "$man1/concur.1" | grep -q '^NAME'
    for cmd in $("$CONCUR" --help | awk '/^commands:/ {on = 1; next} on && /^$/ {exit} on {print $1}'); do
        LC_ALL=C MANWIDTH=80 man -l "$man1/concur-$cmd.1" | grep -q "concur-$cmd - "
    done
    MANPATH=$TMP/dest/opt/concur/share/man LC_ALL=C MANWIDTH=80 man concur-io | grep -q -- '--cacert'
    make -s -C "$BATS_TEST_DIRNAME/../.." uninstall DESTDIR="$TMP/dest" PREFIX=/opt/concur >/dev/null
    [ ! -e "$TMP/dest/opt/concur/bin/concur" ]
    [ ! -e "$TMP/dest/opt/concur/libexec/concur/concur-mpi" ]
    [ -z "$(ls -A "$man1")" ]
}
