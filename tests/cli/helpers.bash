# Shared set-up for the command-line tests: load with `load helpers`.
# CONCUR is the binary under test (the Makefile sets it; the sanitizer build
# points it at its own binary).

# For shellcheck: the tests read the variables set here, and bats' run sets
# status, output, lines and stderr.
# shellcheck disable=SC2034,SC2154

bats_require_minimum_version 1.5.0

CONCUR=${CONCUR:-$BATS_TEST_DIRNAME/../../bin/concur}
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
# Readable MPI_Abort messages, and no hunting for network interfaces.
export OMPI_MCA_orte_base_help_aggregate=0
export OMPI_MCA_btl=self,vader
# The sanitizer build: MPI and libcurl keep memory until exit by design.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0}
# Thread binding as in doc/commands.md's advice; tests only check results.
export OMP_PROC_BIND=${OMP_PROC_BIND:-false}

# The reference workload of the notes: 20 numbers from 5,000,000.
REFERENCE_TOTAL=833337833344750010830

setup() {
    share_the_machine
    TMP=$(mktemp -d "${BATS_TMPDIR:-/tmp}/concur-test.XXXXXX")
}

# make cli runs several tests at a time (bats --jobs); the tests that time
# something (a verdict, a latency window, a drift) must run alone all the
# same. Every test holds a shared lock on a file of the bats run while it
# runs (share_the_machine, from setup); run_alone trades it for an
# exclusive one, which waits until the tests running then have ended and
# keeps the others from starting until this one ends (the lock goes with
# the test's process). A gate lock, taken before either, keeps a waiting
# run_alone ahead of the tests that start after it: flock alone would let
# them starve it. RUN_ALONE=1 in a file: every test of it runs alone.
# Without bats --jobs (one test at a time) the locks cost nothing.
share_the_machine() {
    [ -n "${BATS_RUN_TMPDIR:-}" ] || return 0
    exec {ALONE_FD}>>"$BATS_RUN_TMPDIR/concur-alone.lock" {GATE_FD}>>"$BATS_RUN_TMPDIR/concur-alone.gate"
    if [ -n "${RUN_ALONE:-}" ]; then
        run_alone
        return
    fi
    flock "$GATE_FD"
    flock -s "$ALONE_FD"
    flock -u "$GATE_FD"
}

# run_alone: the rest of this test runs with no other test running (call
# it first thing in the test). The shared lock goes first, so that two
# tests asking at once cannot wait for each other.
run_alone() {
    [ -n "${ALONE_FD:-}" ] || return 0
    flock -u "$ALONE_FD"
    flock "$GATE_FD"
    # Bounded: a process left over from an earlier test (it inherited the
    # lock) must fail this test, not hang the suite.
    flock -w 900 "$ALONE_FD" || {
        echo "run_alone: other tests still hold $BATS_RUN_TMPDIR/concur-alone.lock after 15 minutes:" >&2
        { command -v fuser >/dev/null && fuser -v "$BATS_RUN_TMPDIR/concur-alone.lock"; } >&2 || true
        return 1
    }
}

teardown() {
    rm -rf "$TMP"
}

# Stops a test server (SERVER_PID) by PID (SIGTERM, a bounded wait, SIGKILL as a last
# resort) and sets SERVER_STATUS to its exit status.
stop_server() {
    SERVER_STATUS=0
    [ -n "${SERVER_PID:-}" ] || return 0
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    local i
    for i in $(seq 100); do
        kill -0 "$SERVER_PID" 2>/dev/null || break
        sleep 0.05
    done
    kill -KILL "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" || SERVER_STATUS=$?
    SERVER_PID=
}

# refused REASON ARGS...: concur ARGS is bad usage or input: exit 2, nothing
# on stdout, one line on stderr that contains REASON (shown if it does not).
refused() {
    local reason=$1; shift
    run --separate-stderr "$CONCUR" "$@"
    [ "$status" -eq 2 ]
    [ -z "$output" ]
    [ "$(printf '%s\n' "$stderr" | wc -l)" -eq 1 ]
    [[ "$stderr" == *"$reason"* ]] || { echo "stderr: $stderr"; false; }
}

# mpirun with as many ranks as asked, oversubscribed on small machines.
mpirun_np() {
    local np=$1; shift
    timeout 120 mpirun --oversubscribe -np "$np" "$@"
}
