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

# make cli runs several test files at a time (bats --jobs); the tests that
# time something (a verdict, a latency window, a drift) must run alone all
# the same. Every test holds a shared lock on a file of the bats run while
# it runs (share_the_machine, from setup); run_alone trades it for an
# exclusive one, which waits until the tests running then have ended and
# keeps the others from starting until this one ends. A gate lock, taken
# before either, keeps a waiting run_alone ahead of the tests that start
# after it (flock alone would let them starve it). RUN_ALONE=1 in a file:
# every test of it runs alone. Without bats --jobs the locks never wait.
#
# Each lock is held by a small process of its own (hold_lock) that lets go
# when the test's process ends: a lock held through a descriptor of the
# test would be inherited by whatever it starts, and a process it leaves
# behind would hold up the whole suite.
share_the_machine() {
    [ -n "${BATS_RUN_TMPDIR:-}" ] || return 0
    TEST_PID=$BASHPID
    if [ -n "${RUN_ALONE:-}" ]; then
        run_alone
        return
    fi
    hold_lock gate -x || return 1
    local gate=$LOCK_HOLDER
    hold_lock alone -s || return 1
    SHARED_HOLDER=$LOCK_HOLDER
    kill "$gate" 2>/dev/null || true
}

# run_alone: the rest of this test runs with no other test running (call
# it first thing in the test). The shared lock goes first, so that two
# tests asking at once cannot wait for each other.
run_alone() {
    [ -n "${TEST_PID:-}" ] || return 0
    [ -z "${SHARED_HOLDER:-}" ] || kill "$SHARED_HOLDER" 2>/dev/null || true
    hold_lock gate -x && hold_lock alone -x
}

# hold_lock NAME -s|-x: waits for the lock NAME of this bats run and starts
# a process that holds it until the test's process ends (LOCK_HOLDER: its
# PID, to let go earlier). Bounded: 15 minutes.
hold_lock() {
    local lock=$BATS_RUN_TMPDIR/concur-$1.lock mark=$BATS_RUN_TMPDIR/concur-$1.$TEST_PID$2
    rm -f "$mark" "$mark.failed"
    # Not a child of the test (the subshell's background job): a test's
    # bare `wait` must not wait for it. -o: flock alone holds the lock, and
    # lets go when tail ends, with the test's process (--pid) or killed;
    # 3>&-: bats waits for fd 3 to close.
    # shellcheck disable=SC2016 # expanded by sh
    ( { flock -o "$2" -w 900 "$lock" \
            sh -c 'echo $$ >"$1.pid"; mv "$1.pid" "$1"; exec tail --pid="$2" -s 0.1 -f /dev/null' _ "$mark" "$TEST_PID" ||
            : >"$mark.failed"; } </dev/null >/dev/null 2>&1 3>&- & )
    until [ -s "$mark" ]; do
        [ ! -e "$mark.failed" ] || {
            echo "helpers.bash: no $1 lock after 15 minutes: a test of this run still holds it" >&2
            return 1
        }
        sleep 0.02
    done
    LOCK_HOLDER=$(cat "$mark")
    rm -f "$mark"
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
