#!/usr/bin/env bats
# The main job (make run), analysis/ and its sentences.

load helpers

ROOT=$BATS_TEST_DIRNAME/../..
FIXTURES=$BATS_TEST_DIRNAME/../fixtures/results

# The values of one column of a CSV, by its name.
column() {
    awk -F, -v name="$1" 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next } { print $c[name] }' "$2"
}

is_png() {
    [ "$(head -c 8 "$1" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ]
}

# Every row of a CSV has as many fields as its header (no quoted commas here).
csv_is_whole() {
    awk -F, 'NR == 1 { n = NF; next } NF != n { bad++ } END { exit bad > 0 }' "$1"
}

@test "analyze: the fixture folders give the expected table and PNG plots" {
    run "$ROOT/analysis/analyze" --out "$TMP/out dir" "$FIXTURES/demo" "$FIXTURES/demo-io"
    [ "$status" -eq 0 ]
    # hand-checked: serial mean 1.0, omp mean 0.5, speedup 2, efficiency 1
    run awk -F, 'NR > 1 && $2 == "omp" { printf "%s %.4f %.4f %.4f\n", $3, $6, $15, $18 }' "$TMP/out dir/stats.csv"
    [ "$output" = "2 0.5000 2.0000 1.0000" ]
    run awk -F, 'NR > 1 && $2 == "threads" && $3 == 10 { printf "%.4f %.4f\n", $6, $15 }' "$TMP/out dir/stats.csv"
    [ "$output" = "1.6000 10.0000" ]
    for png in cpu-time cpu-speedup io-time io-speedup; do
        is_png "$TMP/out dir/$png.png"
    done
    grep -q '^| cpu | omp | 2 |' "$TMP/out dir/stats.md"
    python3 -m json.tool "$TMP/out dir/stats.json" >/dev/null
}

@test "analyze: bad usage exits 2 naming the folder" {
    run "$ROOT/analysis/analyze" "$TMP/nothing here"
    [ "$status" -eq 2 ]
    [[ "$output" == *"'$TMP/nothing here' is not a folder"* ]]
    mkdir "$TMP/empty"
    run "$ROOT/analysis/analyze" "$TMP/empty"
    [ "$status" -eq 2 ]
    [[ "$output" == *"no runs*.csv"* ]]
}

@test "explain reads the result: CPU-bound, I/O-bound, the knee" {
    "$ROOT/analysis/analyze" --out "$TMP" "$FIXTURES/demo" "$FIXTURES/demo-io"
    run "$ROOT/analysis/explain" "$TMP/stats.csv" 2
    [ "$status" -eq 0 ]
    [[ "$output" == *"CPU-bound work"*"OpenMP with 2 threads: speedup 2.00x"* ]]
    [[ "$output" == *"as well as processes do"* ]]
    [[ "$output" == *"I/O-bound work"*"sync took 16.00 s"* ]]
    [[ "$output" == *"More threads stop paying after 30"* ]]
}

small_run() {
    CONCUR_RESULTS="$TMP/res ults" CPU_BASE=100000 CPU_REPEAT=1 IO_LATENCY=1ms IO_REPEAT=1 \
        IO_WORKERS="5 160" "$ROOT/scripts/run-main" "$CONCUR" "$@"
}

@test "make run with tiny sizes writes the whole results folder" {
    run small_run
    [ "$status" -eq 0 ]
    dir=$(ls -d "$TMP/res ults"/*/)
    [ -s "$dir/summary.md" ]
    grep -q 'CPU-bound work' "$dir/summary.md"
    grep -q 'I/O-bound work' "$dir/summary.md"
    for png in cpu-time cpu-speedup io-time io-speedup io-https-time io-https-speedup; do is_png "$dir/$png.png"; done
    python3 -c '
import json, sys
p = json.load(open(sys.argv[1]))
assert set(p) == {"cpu-suite", "io-sweep", "io-sweep-https"}, p.keys()
assert p["cpu-suite"]["build"]["kernel"] in ("generic", "avx2", "avx512", "avx512ifma")
assert p["io-sweep"]["settings"]["latency"] == "1ms"
' "$dir/provenance.json"
    csv_is_whole "$dir"/cpu-suite-*/runs.csv
    for io in "$dir"/io-sweep-*/; do csv_is_whole "$io/runs.csv"; done
    # every cpu run exact, every download complete
    [ "$(column ok "$dir"/cpu-suite-*/runs.csv | sort -u)" = 1 ]
    [ "$(column ok "$dir"/cpu-suite-*/details.csv | sort -u)" = 1 ]
    for io in "$dir"/io-sweep-*/; do # over HTTP and over HTTPS
        [ "$(column ok "$io/runs.csv" | sort -u)" = 1 ]
        [ "$(column errors "$io/details.csv" | sort -u)" = 0 ]
        [ "$(column variant "$io/runs.csv" | uniq | tr '\n' ' ')" = "sync threads multi mpi " ]
    done
    [ "$(column experiment "$dir"/io-sweep-https-*/runs.csv | sort -u)" = io-https ]
    # serial, omp and the rest interleaved: every round runs every point
    [ "$(column variant "$dir"/cpu-suite-*/runs.csv | head -n 4 | tr '\n' ' ')" = "serial omp omp mpi " ]
    [ "$(column run "$dir"/cpu-suite-*/runs.csv | sort -u)" = 1 ] # CPU_REPEAT=1
    # the serial baseline has the OpenMP binding the others get
    grep -q -- '--variant serial --time reported --env OMP_PROC_BIND=close --env OMP_PLACES=cores ' "$dir"/cpu-suite-*/commands.txt
}

@test "make run refuses bad parameters before it creates its results folder" {
    for setting in CPU_BASE=-1 CPU_REPEAT=0 IO_LATENCY=fast "IO_WORKERS=5 0" IO_REPEAT=x FULL=2; do
        run --separate-stderr env "$setting" CONCUR_RESULTS="$TMP/r" "$ROOT/scripts/run-main" "$CONCUR"
        [ "$status" -eq 2 ] || { echo "$setting: exit $status: $stderr"; false; }
        [ -z "$output" ]
        [ "$(printf '%s\n' "$stderr" | wc -l)" -eq 1 ]
        value=${setting##* }
        [[ $stderr == *"${setting%%=*}: '${value#*=}'"* ]] || { echo "$setting: $stderr"; false; }
        [ ! -e "$TMP/r" ]
    done
    run --separate-stderr env CONCUR_RESULTS="$TMP/r" "$ROOT/scripts/run-main" "$TMP/no concur"
    [ "$status" -eq 2 ]
    [ ! -e "$TMP/r" ]
}

@test "two runs never share a results folder" {
    # Both start within the same second, so both want the same folder name.
    # Each has its folder once it says "make run: cpu-suite ..." (the
    # folder comes first): the rest of the runs adds nothing here, and
    # SIGTERM ends them (the interruption tests below check how).
    local i pids=()
    for i in 1 2; do
        CONCUR_RESULTS="$TMP/r" CPU_BASE=1000 CPU_REPEAT=1 IO_LATENCY=0 IO_REPEAT=1 IO_WORKERS=160 \
            "$ROOT/scripts/run-main" "$CONCUR" >/dev/null 2>"$TMP/err$i" 3>&- &
        pids+=($!)
    done
    started() { grep -l '^make run: cpu-suite' "$TMP/err1" "$TMP/err2" 2>/dev/null | wc -l; }
    for _ in $(seq 600); do
        [ "$(started)" -eq 2 ] && break
        sleep 0.1
    done
    kill -TERM "${pids[@]}" 2>/dev/null || true
    for i in "${pids[@]}"; do wait "$i" || true; done
    [ "$(started)" -eq 2 ]
    [ "$(ls "$TMP/r" | wc -l)" -eq 2 ]
}

# Starts a small run whose I/O suite takes long, waits until its server is
# up, sends SIGNAL to make run and checks what it leaves behind. Ctrl-C is
# emulated by a SIGINT to a process whose SIGINT is not ignored (a shell
# ignores it in the background jobs it starts).
interrupt_run() {
    local signal=$1 expected=$2
    CONCUR_RESULTS="$TMP/r" CPU_BASE=100000 CPU_REPEAT=1 IO_LATENCY=200ms IO_REPEAT=5 IO_WORKERS="5 160" \
        python3 -c 'import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_DFL); os.execv(sys.argv[1], sys.argv[1:])' \
        "$ROOT/scripts/run-main" "$CONCUR" >"$TMP/out" 2>&1 &
    main=$!
    for _ in $(seq 300); do
        ls "$TMP"/r/*/io-sweep-*/server.pid >/dev/null 2>&1 && break
        sleep 0.1
    done
    server=$(cat "$TMP"/r/*/io-sweep-*/server.pid)
    sleep 1
    kill -"$signal" "$main"
    local rc=0
    wait "$main" || rc=$?
    [ "$rc" -eq "$expected" ]
    # the server is gone, the CPU suite's runs are whole and analysed
    for _ in $(seq 100); do kill -0 "$server" 2>/dev/null || break; sleep 0.1; done
    ! kill -0 "$server" 2>/dev/null
    ! pgrep -f "$TMP/r/.*urls.txt" >/dev/null
    dir=$(ls -d "$TMP"/r/*/)
    csv_is_whole "$dir"/cpu-suite-*/runs.csv
    [ -s "$dir/summary.md" ]
    grep -q 'CPU-bound work' "$dir/summary.md"
}

@test "Ctrl-C stops the server and everything else, and leaves readable results" {
    interrupt_run INT 130
}

@test "SIGTERM does the same" {
    interrupt_run TERM 143
}
