#!/usr/bin/env bats
# concur sweep: concur's own commands, shell commands, an OpenMP and an MPI
# program compiled here; the order effect on a drifting command; failures,
# timeouts, signals, and every refused plan (exit 2, nothing created).

load helpers

COLUMNS_CSV=experiment,variant,workers,run,seconds,ok,exit_status,sequence,user_s,sys_s,max_rss_kib,oversubscribed,baseline_workers

# py EXPR FILE: evaluates a Python expression over `rows` (the CSV's rows as
# dicts) and prints it.
py() {
    python3 -c '
import csv, statistics, sys
rows = list(csv.DictReader(open(sys.argv[2])))
print(eval(sys.argv[1]))' "$1" "$2"
}

@test "help names every option and the columns" {
    run "$CONCUR" sweep --help
    [ "$status" -eq 0 ]
    for opt in --workers --repeat --warmup --order --seed --env --experiment --variant \
        --baseline-workers --time --timeout --out --format --show-output --allow-constant; do
        [[ "$output" == *"$opt"* ]] || { echo "missing $opt"; false; }
    done
    [[ "$output" == *"oversubscribed,baseline_workers"* ]]
    run "$CONCUR" --help
    [[ "$output" == *"sweep"* ]]
}

@test "a shell command: the contract's columns, {W} replaced, interleaved order, sequence" {
    run --separate-stderr "$CONCUR" sweep --workers 1,2,3 --repeat 2 --warmup 1 \
        --experiment shell --variant echo -- sh -c 'echo "$0" >>"$1"' {W} "$TMP/seen"
    [ "$status" -eq 0 ]
    printf '%s\n' "$output" >"$TMP/runs.csv"
    [ "$(head -1 "$TMP/runs.csv")" = "$COLUMNS_CSV" ]
    [ "$(wc -l <"$TMP/runs.csv")" -eq 7 ]
    # warm-ups 1,2,3 then serpentine rounds 1,2,3,3,2,1
    [ "$(tr '\n' ' ' <"$TMP/seen")" = "1 2 3 1 2 3 3 2 1 " ]
    [ "$(py '[r["workers"] for r in rows]' "$TMP/runs.csv")" = "['1', '2', '3', '3', '2', '1']" ]
    [ "$(py '[r["run"] for r in rows]' "$TMP/runs.csv")" = "['1', '1', '1', '2', '2', '2']" ]
    [ "$(py '[r["sequence"] for r in rows]' "$TMP/runs.csv")" = "['4', '5', '6', '7', '8', '9']" ]
    [ "$(py 'set((r["experiment"], r["variant"], r["ok"], r["exit_status"], r["baseline_workers"]) for r in rows)' "$TMP/runs.csv")" = "{('shell', 'echo', '1', '0', '1')}" ]
    [ "$(py 'all(float(r["seconds"]) > 0 and int(r["max_rss_kib"]) > 0 for r in rows)' "$TMP/runs.csv")" = True ]
    # concur stats reads it unchanged
    run "$CONCUR" stats --format csv "$TMP/runs.csv"
    [ "$status" -eq 0 ]
}

@test "blocked order runs each point's repetitions back to back" {
    run "$CONCUR" sweep --workers 1,2 --repeat 2 --warmup 1 --order blocked -- \
        sh -c 'echo "$0" >>"$1"' {W} "$TMP/seen"
    [ "$status" -eq 0 ]
    [ "$(tr '\n' ' ' <"$TMP/seen")" = "1 1 1 2 2 2 " ]
}

@test "random order: the same seed, the same order; the seed is in the meta" {
    local i
    for i in 1 2; do
        run --separate-stderr "$CONCUR" sweep --workers 1-4 --repeat 3 --warmup 0 --order random --seed 7 \
            --out "$TMP/r$i.csv" -- sh -c 'echo "$0" >>"$1"' {W} "$TMP/seen$i"
        [ "$status" -eq 0 ]
    done
    cmp "$TMP/seen1" "$TMP/seen2"
    [ "$(sort "$TMP/seen1" | uniq -c | awk '{print $1}' | sort -u)" = 3 ]
    [ "$(tr -d '\n' <"$TMP/seen1")" != 123412341234 ]
    run "$CONCUR" sweep --workers 1,2 --repeat 1 --order random --seed 7 --format table -- true {W}
    [[ "$output" == *"# seed: 7"* ]]
    # without --seed, the one chosen is printed so the order can be repeated
    run --separate-stderr "$CONCUR" sweep --workers 1,2 --repeat 1 --order random -- true {W}
    [ "$status" -eq 0 ]
    [[ "$stderr" == *"--order random --seed "* ]]
}

@test "--env values get {W}; the command's stdout stays out of the CSV" {
    run --separate-stderr "$CONCUR" sweep --workers 2,5 --repeat 1 --env SWEEP_T=t{W} --env OTHER=x -- \
        sh -c 'echo noise; test "$SWEEP_T" = "t$0" && test "$OTHER" = x' {W}
    [ "$status" -eq 0 ]
    [[ "$output" != *noise* ]]
    printf '%s\n' "$output" >"$TMP/runs.csv"
    [ "$(py '[r["ok"] for r in rows]' "$TMP/runs.csv")" = "['1', '1']" ]
    run --separate-stderr "$CONCUR" sweep --workers 1 --repeat 1 --show-output -- sh -c 'echo shown'
    [ "$status" -eq 0 ]
    [[ "$stderr" == *shown* ]]
}

@test "the command's stdin is /dev/null and it runs in a process group of its own" {
    run "$CONCUR" sweep --workers 1 --repeat 1 --warmup 0 -- \
        sh -c 'cat >"$0"; ps -o pgid= -p $$ >"$0.pgid"; echo $$ >"$0.pid"' "$TMP/in" <<<"not for the command"
    [ "$status" -eq 0 ]
    [ ! -s "$TMP/in" ]
    [ "$(tr -d ' ' <"$TMP/in.pgid")" = "$(cat "$TMP/in.pid")" ]
}

@test "concur cpu, --time reported and --time wall: both readable, kernel time below process time" {
    run --separate-stderr "$CONCUR" sweep --workers 1,2 --repeat 2 --time reported --experiment cpu \
        --variant omp-kernel --out "$TMP/reported.csv" -- \
        "$CONCUR" cpu --mode omp --workers {W} --format csv --base 2000000 --repeat 2
    [ "$status" -eq 0 ]
    run --separate-stderr "$CONCUR" sweep --workers 1,2 --repeat 2 --time wall --experiment cpu \
        --variant omp-process --out "$TMP/wall.csv" -- \
        "$CONCUR" cpu --mode omp --workers {W} --format csv --base 2000000 --repeat 2
    [ "$status" -eq 0 ]
    [ "$(py 'len(rows)' "$TMP/reported.csv")" = 4 ]
    [ "$(py 'all(r["ok"] == "1" for r in rows)' "$TMP/reported.csv")" = True ]
    # one kernel run is a part of the process that ran it twice
    local total='sum(float(r["seconds"]) for r in rows)'
    python3 -c 'import sys; sys.exit(not float(sys.argv[1]) < float(sys.argv[2]))' \
        "$(py "$total" "$TMP/reported.csv")" "$(py "$total" "$TMP/wall.csv")"
    run "$CONCUR" stats --format csv "$TMP/reported.csv" "$TMP/wall.csv"
    [ "$status" -eq 0 ]
}

@test "--time reported: the command's oversubscribed column wins; ok=0 rows and no CSV fail the run" {
    cat >"$TMP/report" <<'EOF'
#!/bin/sh
# prints a runs CSV: $1 = ok of the second row, $2 = oversubscribed
echo 'experiment,variant,workers,run,seconds,ok,oversubscribed'
echo "x,y,1,1,0.5,1,$2"
echo "x,y,1,2,1.5,$1,$2"
EOF
    chmod +x "$TMP/report"
    run --separate-stderr "$CONCUR" sweep --workers 1,64 --repeat 1 --time reported --out "$TMP/a.csv" -- "$TMP/report" 1 0 {W}
    [ "$status" -eq 0 ]
    [ "$(py '[(r["workers"], r["seconds"], r["oversubscribed"]) for r in rows]' "$TMP/a.csv")" = \
        "[('1', '1.000000000', '0'), ('64', '1.000000000', '0')]" ]
    run --separate-stderr "$CONCUR" sweep --workers 1 --repeat 1 --time reported --out "$TMP/b.csv" -- "$TMP/report" 0 1
    [ "$status" -eq 1 ]
    [[ "$stderr" == *"1 of its 2 rows say ok=0"* ]]
    [ "$(py '[(r["ok"], r["oversubscribed"]) for r in rows]' "$TMP/b.csv")" = "[('0', '1')]" ]
    run --separate-stderr "$CONCUR" sweep --workers 1 --repeat 1 --time reported --out "$TMP/c.csv" -- echo 'not,a,runs,csv'
    [ "$status" -eq 1 ]
    [[ "$stderr" == *"no runs CSV on stdout"* ]]
    [ "$(py '[r["ok"] for r in rows]' "$TMP/c.csv")" = "['0']" ]
}

@test "oversubscribed: W above the CPUs available, and W x OMP_NUM_THREADS under mpirun" {
    local cpus
    cpus=$(nproc)
    run --separate-stderr "$CONCUR" sweep --workers "1,$((cpus + 1))" --repeat 1 --warmup 0 -- true {W}
    [ "$status" -eq 0 ]
    printf '%s\n' "$output" >"$TMP/runs.csv"
    [ "$(py '[r["oversubscribed"] for r in rows]' "$TMP/runs.csv")" = "['0', '1']" ]
    [[ "$stderr" == *"workers $((cpus + 1)) use more than the $cpus CPU"* ]]
    # taskset: one CPU only, so 1 rank x 2 threads is already too many
    run --separate-stderr taskset -c 0 "$CONCUR" sweep --workers 1 --repeat 1 --warmup 0 \
        --env OMP_NUM_THREADS=2 -- mpirun -np {W} true
    printf '%s\n' "$output" >"$TMP/mpi.csv"
    [ "$(py '[r["oversubscribed"] for r in rows]' "$TMP/mpi.csv")" = "['1']" ]
}

@test "a small OpenMP program compiled here, swept with OMP_NUM_THREADS={W}" {
    cat >"$TMP/omp.c" <<'EOF'
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
int main(int argc, char **argv)
{
    int want = atoi(argv[1]), got = 0;
    double sum = 0;
#pragma omp parallel reduction(+ : sum)
    {
#pragma omp single
        got = omp_get_num_threads();
        for (long i = 0; i < 2000000; i++)
            sum += (double)(i % 7);
    }
    printf("%d %g\n", got, sum);
    return got == want ? 0 : 3;
}
EOF
    cc -fopenmp -O1 -o "$TMP/omp" "$TMP/omp.c"
    run --separate-stderr "$CONCUR" sweep --workers 1-3 --repeat 2 --env OMP_NUM_THREADS={W} \
        --experiment omp-prog --out "$TMP/omp.csv" -- "$TMP/omp" {W}
    [ "$status" -eq 0 ]
    [ "$(py 'len(rows)' "$TMP/omp.csv")" = 6 ]
    [ "$(py 'all(r["ok"] == "1" for r in rows)' "$TMP/omp.csv")" = True ]
    # three threads use CPU time of the tree: user_s is measured
    [ "$(py 'all(float(r["user_s"]) > 0 for r in rows if r["workers"] == "3")' "$TMP/omp.csv")" = True ]
    [ "$(py '[r["oversubscribed"] for r in rows if r["workers"] == "1"]' "$TMP/omp.csv")" = "['0', '0']" ]
}

@test "a small MPI program compiled here, swept with mpirun -np {W}" {
    cat >"$TMP/mpi.c" <<'EOF'
#include <mpi.h>
#include <stdlib.h>
int main(int argc, char **argv)
{
    int size, want = atoi(argv[1]);
    MPI_Init(&argc, &argv);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    int one = 1, total = 0;
    MPI_Allreduce(&one, &total, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD);
    MPI_Finalize();
    return total == want && size == want ? 0 : 3;
}
EOF
    mpicc -o "$TMP/mpi" "$TMP/mpi.c"
    run --separate-stderr "$CONCUR" sweep --workers 1,2,3 --repeat 1 --warmup 0 --timeout 120s \
        --experiment mpi-prog --out "$TMP/mpi.csv" -- mpirun --oversubscribe -np {W} "$TMP/mpi" {W}
    [ "$status" -eq 0 ] || { echo "$stderr"; false; }
    [ "$(py '[(r["workers"], r["ok"]) for r in rows]' "$TMP/mpi.csv")" = "[('1', '1'), ('2', '1'), ('3', '1')]" ]
    [ "$(py '[r["variant"] for r in rows][0]' "$TMP/mpi.csv")" = mpirun ]
    # the ranks are mpirun's children: their memory is in the tree's peak
    [ "$(py 'all(int(r["max_rss_kib"]) > 0 for r in rows)' "$TMP/mpi.csv")" = True ]
    # 3 ranks on fewer CPUs is marked
    if [ "$(nproc)" -lt 3 ]; then
        [ "$(py '[r["oversubscribed"] for r in rows][2]' "$TMP/mpi.csv")" = 1 ]
    fi
}

@test "a failing run: ok=0 with its exit status, the others kept, exit 1" {
    run --separate-stderr "$CONCUR" sweep --workers 1,2,3 --repeat 2 --out "$TMP/runs.csv" -- sh -c 'test "$0" -ne 2 || exit 7' {W}
    [ "$status" -eq 1 ]
    [ "$(py '[(r["workers"], r["ok"], r["exit_status"]) for r in rows][:3]' "$TMP/runs.csv")" = \
        "[('1', '1', '0'), ('2', '0', '7'), ('3', '1', '0')]" ]
    [[ "$stderr" == *"warning: warm-up 1 of workers 2 failed: exit status 7"* ]]
    [[ "$stderr" == *"workers 2 run 1: exit status 7"* ]]
    [[ "$stderr" == *"2 of 6 timed runs failed"* ]]
    # a command killed by a signal
    run --separate-stderr "$CONCUR" sweep --workers 1 --repeat 1 --warmup 0 -- sh -c 'kill -KILL $$'
    [ "$status" -eq 1 ]
    [[ "$stderr" == *"killed by signal 9"* ]]
    [[ "$output" == *",0,137,"* ]]
}

@test "--timeout kills the run's whole process group and records a failure" {
    run --separate-stderr "$CONCUR" sweep --workers 1 --repeat 1 --warmup 0 --timeout 300ms --out "$TMP/runs.csv" -- \
        sh -c 'sleep 60 & echo $! >"$0"; sleep 60' "$TMP/bgpid"
    [ "$status" -eq 1 ]
    [[ "$stderr" == *"timed out after 0.3 s"* ]]
    [ "$(py '[(r["ok"], r["exit_status"]) for r in rows]' "$TMP/runs.csv")" = "[('0', '143')]" ]
    [ "$(py 'float(rows[0]["seconds"]) >= 0.3' "$TMP/runs.csv")" = True ]
    # the shell's background child went with the group
    local i
    for i in $(seq 50); do kill -0 "$(cat "$TMP/bgpid")" 2>/dev/null || break; sleep 0.1; done
    ! kill -0 "$(cat "$TMP/bgpid")" 2>/dev/null
}

# Starts a sweep of 0.2 s runs in the background (output in $TMP), waits
# for two finished rows, and sends it signal $1.
interrupt_sweep() {
    "$CONCUR" sweep --workers 1,2 --repeat 100 --warmup 0 --out "$TMP/runs.csv" --format "$2" -- \
        sh -c 'echo $$ >"$1"; sleep 0.2' {W} "$TMP/child" >"$TMP/stdout" 2>"$TMP/stderr" &
    SWEEP_PID=$!
    local i
    for i in $(seq 300); do
        [ "$(grep -c '"workers"\|^sweep,' "$TMP/stdout" 2>/dev/null)" -ge 2 ] && break
        sleep 0.05
    done
    kill "-$1" "$SWEEP_PID"
    SWEEP_STATUS=0
    wait "$SWEEP_PID" || SWEEP_STATUS=$?
}

@test "SIGTERM: the running command's group stopped, finished rows kept in --out, exit 143" {
    interrupt_sweep TERM csv
    [ "$SWEEP_STATUS" -eq 143 ]
    grep -q 'interrupted by SIGTERM' "$TMP/stderr"
    # --out holds exactly the rows stdout got, and they are whole runs
    cmp "$TMP/stdout" "$TMP/runs.csv"
    [ "$(py 'len(rows) >= 2 and all(r["ok"] == "1" for r in rows)' "$TMP/runs.csv")" = True ]
    [ "$(py 'len(rows) < 200' "$TMP/runs.csv")" = True ]
    ! kill -0 "$(cat "$TMP/child")" 2>/dev/null
    # no temporary left beside it
    [ "$(ls "$TMP" | grep -c 'runs.csv.tmp')" -eq 0 ]
}

@test "SIGINT: exit 130, the interruption recorded in the JSON" {
    interrupt_sweep INT json
    [ "$SWEEP_STATUS" -eq 130 ]
    python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["end"]["interrupted"] == "SIGINT", d.get("end")
assert len(d["runs"]) >= 2' "$TMP/stdout"
    [ "$(py 'len(rows) >= 2' "$TMP/runs.csv")" = True ]
}

@test "--out is replaced whole at the end: an earlier file stays until then" {
    echo old >"$TMP/runs.csv"
    run "$CONCUR" sweep --workers 1 --repeat 1 --warmup 0 --out "$TMP/runs.csv" --format table -- true
    [ "$status" -eq 0 ]
    [ "$(head -1 "$TMP/runs.csv")" = "$COLUMNS_CSV" ]
    [[ "$output" == *"# order: interleaved"* ]]
    [ "$(ls "$TMP")" = runs.csv ]
}

# The order effect. Each run of this command sleeps 0.2 s plus 4 ms for
# every run before it (a counter in a file): the machine "drifts" and the
# true speedup is 1 at every W. Blocked order puts the late, slow runs all on
# W=2; interleaved rounds are serpentine (1,2,2,1,...), so at an even
# --repeat both points see the same mean drift. Trimmed means (the middle 6
# of 10): one stall of a busy machine (0.5 s was seen) moves a plain mean of
# 10 runs by 20%, and serpentine rounds place each point's runs
# symmetrically in the sweep, so a symmetric trim keeps the cancellation.
@test "order effect: blocked order biases the speedup of a drifting command, interleaved does not" {
    run_alone # times a sleeping command (helpers.bash)
    cat >"$TMP/drift" <<'EOF'
#!/bin/sh
c=$(cat "$1" 2>/dev/null || echo 0)
echo $((c + 1)) >"$1"
sleep "$(printf '0.%03d' $((200 + 4 * c)))"
EOF
    chmod +x "$TMP/drift"
    local order
    for order in blocked interleaved; do
        rm -f "$TMP/counter"
        run "$CONCUR" sweep --workers 1,2 --repeat 10 --warmup 0 --order $order --out "$TMP/$order.csv" -- \
            "$TMP/drift" "$TMP/counter" {W}
        [ "$status" -eq 0 ]
    done
    speedup='(lambda m: m("1") / m("2"))(lambda w: statistics.mean(sorted(float(r["seconds"]) for r in rows if r["workers"] == w)[2:-2]))'
    blocked=$(py "$speedup" "$TMP/blocked.csv")
    interleaved=$(py "$speedup" "$TMP/interleaved.csv")
    echo "speedup of W=2: blocked $blocked, interleaved $interleaved (true: 1)"
    python3 -c 'import sys; b, i = map(float, sys.argv[1:]); sys.exit(not (abs(b - 1) > 0.10 and abs(i - 1) < 0.05))' \
        "$blocked" "$interleaved"
}

# The order effect without timing noise: the command reports (--time
# reported) 100 s plus 1 s per run before it, warm-ups included, so every
# mean is exact. Over each pair of serpentine rounds the drift cancels:
# at an even --repeat every point has the same mean; at an odd one the
# unpaired last round leaves point p of W=1,2,4 p/repeat steps behind W=1
# (plain rounds 1,2,4,1,2,4 would leave it p steps behind at any repeat).
@test "order effect, exactly: serpentine rounds cancel linear drift at an even --repeat" {
    cat >"$TMP/ramp" <<'EOF'
#!/bin/sh
c=$(cat "$1" 2>/dev/null || echo 0)
echo $((c + 1)) >"$1"
echo experiment,variant,workers,run,seconds,ok
echo "ramp,ramp,1,1,$((100 + c)),1"
EOF
    chmod +x "$TMP/ramp"
    lags='(lambda m: (round(m("2") - m("1"), 6), round(m("4") - m("1"), 6)))(lambda w: statistics.mean(float(r["seconds"]) for r in rows if r["workers"] == w))'
    local case order repeat expected
    for case in "interleaved 4 (0.0, 0.0)" "interleaved 10 (0.0, 0.0)" "interleaved 3 (0.333333, 0.666667)" \
        "blocked 4 (5.0, 10.0)"; do
        read -r order repeat expected <<<"$case"
        rm -f "$TMP/counter"
        run "$CONCUR" sweep --workers 1,2,4 --repeat $repeat --warmup 1 --order $order --time reported \
            --out "$TMP/runs.csv" -- "$TMP/ramp" "$TMP/counter" {W}
        [ "$status" -eq 0 ]
        echo "$order --repeat $repeat: W=2 and W=4 behind W=1 by $(py "$lags" "$TMP/runs.csv") s (expected $expected)"
        [ "$(py "$lags" "$TMP/runs.csv")" = "$expected" ]
    done
}

# ------------------------------------------------------------------------
# Refused plans: exit 2, one line naming the value, nothing run or created.

# refused_here REASON ARGS...: as `refused`, run in an empty folder with
# --out inside it and a command that would leave a mark; nothing may appear.
refused_here() {
    local reason=$1; shift
    rm -rf "$TMP/empty"
    mkdir "$TMP/empty"
    cd "$TMP/empty"
    refused "$reason" sweep "$@"
    [ -z "$(ls -A "$TMP/empty")" ]
    cd "$TMP"
}

@test "refused: empty LIST, W <= 0, bad items" {
    refused_here "--workers: empty list" --workers '' --out o.csv -- touch mark{W}
    refused_here "'0' is 0" --workers 0,1 --out o.csv -- touch mark{W}
    refused_here "'-1' is not a count or range" --workers -1 --out o.csv -- touch mark{W}
    refused_here "'4-2' runs backwards" --workers 4-2 --out o.csv -- touch mark{W}
    refused_here "--workers: missing" --out o.csv -- touch mark{W}
}

@test "refused: no command, a command that cannot run" {
    refused_here "no command given" --workers 1 --out o.csv
    refused_here "cannot run 'no-such-program-xyz': not found in PATH" --workers 1 --out o.csv -- no-such-program-xyz
    echo 'echo hi' >"$TMP/notexec"
    refused_here "cannot run '$TMP/notexec': not executable" --workers 1 --out o.csv -- "$TMP/notexec"
    refused_here "cannot run '/etc': not a regular file" --workers 1 --out o.csv -- /etc
}

@test "refused: several W but no {W} anywhere, unless --allow-constant" {
    refused_here "uses no {W}" --workers 1,2 --out o.csv -- touch mark
    run "$CONCUR" sweep --workers 1,2 --repeat 1 --warmup 0 --allow-constant -- true
    [ "$status" -eq 0 ]
    # one W needs none; {W} in --env alone is enough
    run "$CONCUR" sweep --workers 3 --repeat 1 --warmup 0 -- true
    [ "$status" -eq 0 ]
    run "$CONCUR" sweep --workers 1,2 --repeat 1 --warmup 0 --env X={W} -- true
    [ "$status" -eq 0 ]
}

@test "refused: --baseline-workers not in LIST; in LIST it is the column" {
    refused_here "--baseline-workers: 3 is not in --workers 1,2,4" --workers 1,2,4 --baseline-workers 3 --out o.csv -- touch {W}
    run --separate-stderr "$CONCUR" sweep --workers 1,2,4 --baseline-workers 2 --repeat 1 --warmup 0 -- true {W}
    [ "$status" -eq 0 ]
    printf '%s\n' "$output" >"$TMP/runs.csv"
    [ "$(py 'set(r["baseline_workers"] for r in rows)' "$TMP/runs.csv")" = "{'2'}" ]
    run --separate-stderr "$CONCUR" sweep --workers 8,2,4 --repeat 1 --warmup 0 -- true {W}
    printf '%s\n' "$output" >"$TMP/runs.csv"
    [ "$(py 'set(r["baseline_workers"] for r in rows)' "$TMP/runs.csv")" = "{'2'}" ]
}

@test "refused: bad option values and --out places" {
    refused_here "--repeat: must be at least 1" --workers 1 --repeat 0 --out o.csv -- touch mark
    refused_here "--order: unknown order 'sideways'" --workers 1 --order sideways --out o.csv -- touch mark
    refused_here "--seed: only --order random" --workers 1 --seed 3 --out o.csv -- touch mark
    refused_here "--time: unknown value 'cpu'" --workers 1 --time cpu --out o.csv -- touch mark
    refused_here "--timeout: '0' must be above 0" --workers 1 --timeout 0 --out o.csv -- touch mark
    refused_here "--env: 'FOO' is not NAME=VALUE" --workers 1 --env FOO --out o.csv -- touch mark
    refused_here "--env: '1X' is not a variable name" --workers 1 --env 1X=2 --out o.csv -- touch mark
    refused_here "--format: unknown format 'xml'" --workers 1 --format xml --out o.csv -- touch mark
    refused_here "folder 'nodir' does not exist" --workers 1 --out nodir/o.csv -- touch mark
    rm -rf "$TMP/empty"
    mkdir "$TMP/empty"
    refused "is a folder" sweep --workers 1 --out "$TMP/empty" -- touch "$TMP/empty/mark"
    [ -z "$(ls -A "$TMP/empty")" ]
}

@test "refused: an unknown option, with a pointer to --help" {
    mkdir "$TMP/empty"
    cd "$TMP/empty"
    run --separate-stderr "$CONCUR" sweep --workers 1 --bogus --out o.csv -- touch mark
    [ "$status" -eq 2 ]
    [ -z "$output" ]
    [[ "$stderr" == *"--bogus"* ]]
    [ -z "$(ls -A "$TMP/empty")" ]
}
