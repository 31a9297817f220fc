#!/usr/bin/env bats
# concur classify: concur's own variants and a few standard programs get the
# right verdict; JSON is valid; every error path has its exit status.

load helpers
load io_helpers

# The verdicts time the command: no other test runs meanwhile (make cli runs
# tests in parallel; helpers.bash, run_alone).
RUN_ALONE=1

# A field of the JSON on stdin, by a Python expression on `d`.
json_field() {
    python3 -c 'import json, sys; d = json.load(sys.stdin); print(eval(sys.argv[1]))' "$1"
}

# Busy loops pinned to CPU $1, $2 of them, ended by PID in teardown.
BUSY_PIDS=()
start_busy() {
    local i
    for ((i = 0; i < $2; i++)); do
        taskset -c "$1" sh -c 'while :; do :; done' &
        BUSY_PIDS+=($!)
    done
}

teardown() {
    [ ${#BUSY_PIDS[@]} -eq 0 ] || kill "${BUSY_PIDS[@]}" 2>/dev/null || true
    stop_server # the I/O-bound test's, which was left running
    rm -rf "$TMP"
}

first_cpu() { python3 -c 'import os; print(min(os.sched_getaffinity(0)))'; }

classify_json() {
    run --separate-stderr "$CONCUR" classify --format json -- "$@"
}

@test "concur cpu --mode serial is CPU-bound" {
    classify_json "$CONCUR" cpu --mode serial --base 100000000 --repeat 3
    [ "$status" -eq 0 ]
    [ "$(json_field 'd["verdict"]' <<<"$output")" = cpu-bound ]
    [ "$(json_field 'd["cpu_demand"]["mean"] >= 0.8' <<<"$output")" = True ]
    [ "$(json_field 'd["runs"] >= 3' <<<"$output")" = True ]
}

@test "concur cpu --mode omp on 2 threads is CPU-bound, more than one core used (or wanted, contended)" {
    classify_json "$CONCUR" cpu --mode omp --workers 2 --base 100000000 --repeat 10
    [ "$status" -eq 0 ]
    [ "$(json_field 'd["verdict"]' <<<"$output")" = cpu-bound ]
    # Both threads busy: more than one core used, or, on a busy machine
    # (contended), more than one core wanted (the run-queue wait of both).
    [ "$(json_field 'd["cpu_utilisation"]["mean"] > 1 or (d["contended"] and d["cpu_demand"]["mean"] > 1)' <<<"$output")" = True ]
}

@test "concur io --mode sync against a 50 ms server is I/O-bound" {
    start_server --latency 50ms
    local i
    for i in $(seq 10); do
        echo "$SERVER_URL/bytes/32768"
        echo "$SERVER_URL/bytes/1024"
    done >"$TMP/urls"
    classify_json "$CONCUR" io --mode sync --urls "$TMP/urls"
    [ "$status" -eq 0 ]
    [ "$(json_field 'd["verdict"]' <<<"$output")" = io-bound ]
    [ "$(json_field 'd["waiting_on"]' <<<"$output")" = other ]
    [ "$(json_field 'd["cpu_utilisation"]["ci95_high"] < 0.3' <<<"$output")" = True ]
    [ "$(json_field 'd["voluntary_switches"] >= 20' <<<"$output")" = True ]
    [[ "$(json_field 'd["advice"]' <<<"$output")" == *"event loop"* ]]
}

@test "sleep 0.3 is I/O-bound (waiting), not fast enough" {
    run "$CONCUR" classify -- sleep 0.3
    [ "$status" -eq 0 ]
    [[ "$output" == *"verdict: I/O-bound"* ]]
    [[ "$output" == *"advice: I/O-bound"* ]]
    [[ "$output" == *"thresholds: fast enough below 0.1 s wall"* ]]
}

@test "a shell busy loop is CPU-bound" {
    classify_json sh -c 'i=0; while [ $i -lt 300000 ]; do i=$((i+1)); done'
    [ "$status" -eq 0 ]
    [ "$(json_field 'd["verdict"]' <<<"$output")" = cpu-bound ]
}

@test "sha256sum of 200 MB of zeros (a pipeline: the process tree) is CPU-bound" {
    classify_json sh -c 'head -c 200M /dev/zero | sha256sum'
    [ "$status" -eq 0 ]
    [ "$(json_field 'd["verdict"]' <<<"$output")" = cpu-bound ]
    # The work is in sh's children: only counted because the tree is.
    [ "$(json_field 'd["user_s"] > 0.2' <<<"$output")" = True ]
}

@test "true is fast enough" {
    run "$CONCUR" classify -- true
    [ "$status" -eq 0 ]
    [[ "$output" == *"verdict: fast enough"* ]]
    [[ "$output" == *"You can stop here"* ]]
}

@test "the JSON has every documented key" {
    run --separate-stderr "$CONCUR" classify --repeat 2 --format json -- sleep 0.15
    [ "$status" -eq 0 ]
    json_field '(all(k in d for k in ["verdict", "advice", "runs", "wall_s", "user_s", "sys_s",
        "cpu_utilisation", "voluntary_switches", "involuntary_switches", "block_in",
        "block_out", "max_rss_kib", "runqueue_wait_s", "pressure_cpu_some_s",
        "pressure_io_some_s", "read_bytes", "write_bytes", "cpu_demand", "thresholds",
        "contended", "uncertain"])
        and sorted(d["cpu_utilisation"]) == ["ci95_high", "ci95_low", "mean"]
        and d["runs"] >= 2 and d["command"] == ["sleep", "0.15"]) or sys.exit(1)' <<<"$output"
}

@test "--show-output keeps the command's output; without it, it is dropped" {
    run --separate-stderr "$CONCUR" classify --repeat 1 -- echo hello-from-the-command
    [ "$status" -eq 0 ]
    # (the "command:" line names it; a line of its own is the command's)
    ! grep -qx hello-from-the-command <<<"$output" || false
    run --separate-stderr "$CONCUR" classify --repeat 1 --show-output -- echo hello-from-the-command
    [ "$status" -eq 0 ]
    grep -qx hello-from-the-command <<<"$output"
}

@test "a command that fails is still classified, and the exit status is 1" {
    run --separate-stderr "$CONCUR" classify -- sh -c 'sleep 0.2; exit 3'
    [ "$status" -eq 1 ]
    [[ "$output" == *"verdict: I/O-bound"* ]]
    # 3 runs, or more when a busy machine leaves the verdict uncertain
    local n
    n=$(awk '$1 == "runs" { print $2 }' <<<"$output")
    [ "$n" -ge 3 ]
    [[ "$output" == *"note: the command failed (exit status 3) in $n of $n runs"* ]]
    [ "$stderr" = "concur classify: 'sh' failed (exit status 3) in $n of $n runs" ]
}

@test "bad usage exits 2 with one line" {
    run --separate-stderr "$CONCUR" classify
    [ "$status" -eq 2 ] && [ -z "$output" ]
    [[ "$stderr" == "concur classify: no command given"* ]]

    run --separate-stderr "$CONCUR" classify --
    [ "$status" -eq 2 ] && [ -z "$output" ]
    [[ "$stderr" == "concur classify: no command given"* ]]

    run --separate-stderr "$CONCUR" classify --repeat 0 -- true
    [ "$status" -eq 2 ] && [ -z "$output" ]
    [ "$stderr" = "concur classify: --repeat: must be at least 1, not '0'" ]

    run --separate-stderr "$CONCUR" classify --repeat many -- true
    [ "$status" -eq 2 ] && [ -z "$output" ]
    [[ "$stderr" == *"--repeat"*"many"* ]]

    run --separate-stderr "$CONCUR" classify --format xml -- true
    [ "$status" -eq 2 ] && [ -z "$output" ]
    [[ "$stderr" == *"--format"*"xml"* ]]

    run --separate-stderr "$CONCUR" classify --bogus -- true
    [ "$status" -eq 2 ] && [ -z "$output" ]
    [[ "$stderr" == *"--bogus"* ]]
}

@test "a command that cannot be run exits 2 naming it" {
    run --separate-stderr "$CONCUR" classify -- concur-no-such-command --flag
    [ "$status" -eq 2 ] && [ -z "$output" ]
    [ "$stderr" = "concur classify: cannot run 'concur-no-such-command': No such file or directory" ]
}

@test "--help describes the thresholds and exits 0" {
    run "$CONCUR" classify --help
    [ "$status" -eq 0 ]
    [[ "$output" == *"Usage: concur classify"* ]]
    [[ "$output" == *"demand >= 0.8"* ]]
}

# gone PID: the process has ended (a zombie left to PID 1 counts as ended).
gone() {
    local i stat
    for i in $(seq 50); do
        stat=$(ps -o stat= -p "$1" 2>/dev/null || true)
        [[ -z "$stat" || "$stat" == Z* ]] && return 0
        sleep 0.1
    done
    echo "process $1 still runs: $stat"
    kill -KILL "$1" 2>/dev/null || true
    return 1
}

# interrupt SIGNAL: starts classify on a shell whose child sleeps (a
# grandchild of concur), sends SIGNAL to concur alone, and sets STATUS and
# SLEEPER (the sleep's PID).
interrupt() {
    # Background jobs of a script ignore SIGINT; python puts it back to the
    # default before concur starts, as an interactive shell would.
    python3 -c 'import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_DFL); os.execv(sys.argv[1], sys.argv[1:])' \
        "$CONCUR" classify -- sh -c 'sleep 30; echo unreachable' 2>"$TMP/stderr" &
    local pid=$! i shell=
    SLEEPER=
    for i in $(seq 100); do
        shell=$(pgrep -P "$pid" -x sh || true)
        [ -z "$shell" ] || SLEEPER=$(pgrep -P "$shell" -x sleep || true)
        [ -z "$SLEEPER" ] || break
        sleep 0.1
    done
    [ -n "$SLEEPER" ]
    kill "-$1" "$pid"
    STATUS=0
    wait "$pid" || STATUS=$?
}

@test "SIGTERM to classify ends the command's whole process group, exit 143" {
    interrupt TERM
    [ "$STATUS" -eq 143 ]
    gone "$SLEEPER"
    [ "$(cat "$TMP/stderr")" = "concur classify: interrupted by SIGTERM; passed on to the command's process group" ]
}

@test "SIGINT to classify ends the command's whole process group, exit 130" {
    interrupt INT
    [ "$STATUS" -eq 130 ]
    gone "$SLEEPER"
    [[ "$(cat "$TMP/stderr")" == *"interrupted by SIGINT"* ]]
}

# A CPU-bound grandchild (the shell in between only waits) shares its CPU
# with a busy loop: it waits for the CPU about half the time. Only the run
# queue of the whole tree shows that it wanted the CPU all along.
@test "contended: a CPU-bound grandchild sharing its CPU is cpu-bound, contended" {
    local cpu
    cpu=$(first_cpu)
    start_busy "$cpu" 1
    classify_json taskset -c "$cpu" sh -c 'sh -c "i=0; while [ \$i -lt 200000 ]; do i=\$((i+1)); done"; true'
    [ "$status" -eq 0 ]
    [ "$(json_field 'd["verdict"]' <<<"$output")" = cpu-bound ]
    [ "$(json_field 'd["contended"]' <<<"$output")" = True ]
    [ "$(json_field 'd["runqueue_wait_s"] >= 0.1 * d["wall_s"]' <<<"$output")" = True ]
    run --separate-stderr "$CONCUR" classify --repeat 1 -- taskset -c "$cpu" sh -c 'sh -c "i=0; while [ \$i -lt 200000 ]; do i=\$((i+1)); done"; true'
    [ "$status" -eq 0 ]
    [[ "$output" == *"verdict: CPU-bound, contended (the machine was busy)"* ]]
    [[ "$output" == *"note: the machine was busy: the command waited"* ]]
}
