#!/usr/bin/env bats
# concur predict: Amdahl predictions from a fixture whose serial fraction is
# known, the io rounds model on exact synthetic runs, the runs-like CSV, the
# plot, and bad input.

load helpers

FIX=$BATS_TEST_DIRNAME/../fixtures

# io runs with seconds = 0.02 * ceil(160/W) + 0.001 * 160/W + SETUP * W
# exactly (SETUP: the first argument, default 0).
exact_io_runs() {
    echo "experiment,variant,workers,run,seconds,items,bytes,errors"
    local w r
    for w in 1 5 10 20 30; do
        for r in 1 2 3; do
            awk -v w="$w" -v r="$r" -v s="${1:-0}" 'BEGIN { n = 160; c = int((n + w - 1) / w)
                printf "io,%s,%d,%d,%.12f,160,0,0\n", (w == 1 ? "sync" : "threads"), w, r,
                       0.02 * c + 0.001 * n / w + s * w }'
        done
    done
}

@test "cpu: Amdahl with f = 0.1 gives the exact speedup and time on more cores" {
    # cpu_runs.csv: serial mean 1 s; omp 2 and 4 workers at exactly f = 0.1.
    run --separate-stderr "$CONCUR" predict "$FIX/cpu_runs.csv" --cores 4,8,64
    [ "$status" -eq 0 ]
    [[ "$output" == *"- cpu omp: f = 0.1 [0.1, 0.1] from 2 worker counts"* ]]
    # S(8) = 1 / (0.1 + 0.9/8) = 4.70588, time 1 / S = 0.2125.
    [[ "$output" == *"| cpu | omp | 8 | 4.706 | [4.706, 4.706] | 0.2125 | [0.2019, 0.2231] | 4.706 |"* ]]
    [[ "$output" == *"| cpu | omp | 64 | 8.767 |"* ]]
}

@test "io: the rounds model recovers latency and cost and predicts N at W exactly" {
    exact_io_runs >"$TMP/io.csv"
    run --separate-stderr "$CONCUR" predict "$TMP/io.csv" --urls 320 --workers 40,320
    [ "$status" -eq 0 ]
    [[ "$output" == *"- io threads: latency 0.02 s"*"cost per request 0.001 s"* ]]
    # 320 URLs at 40 workers: 8 rounds x 20 ms + 8 x 1 ms = 0.168 s.
    [[ "$output" == *"| io | threads | 320 | 40 | 0.168 | [0.168, 0.168] |"* ]]
    [[ "$output" == *"| io | threads | 320 | 320 | 0.021 | [0.021, 0.021] |"* ]]
}

@test "io: a cost per worker started is found and predicts many workers" {
    exact_io_runs 0.0001 >"$TMP/io.csv"
    run --separate-stderr "$CONCUR" predict "$TMP/io.csv" --urls 320 --workers 40,320
    [ "$status" -eq 0 ]
    [[ "$output" == *"- io threads: latency 0.02 s"*"cost per request 0.001 s"*"setup per worker 0.0001 s"* ]]
    # 320 at 40: 0.168 s + 40 x 0.1 ms; 320 at 320: 20 + 1 + 32 ms.
    [[ "$output" == *"| io | threads | 320 | 40 | 0.172 | [0.172, 0.172] |"* ]]
    [[ "$output" == *"| io | threads | 320 | 320 | 0.053 | [0.053, 0.053] |"* ]]
    run --separate-stderr "$CONCUR" predict "$TMP/io.csv" --urls 320 --workers 40 --format json
    python3 -c 'import json, sys; d = json.loads(sys.argv[1])
m = [x for x in d["models"] if x["model"] == "io-rounds"][0]
assert abs(m["setup"] - 1e-4) < 1e-12 and m["setup_fitted"] and not m["reduced"], m' "$output"
}

@test "io: without runs that determine it, the setup term is left out and said so" {
    exact_io_runs | awk -F, 'NR == 1 || $3 == 1 || $3 == 30' >"$TMP/io.csv"
    run --separate-stderr "$CONCUR" predict "$TMP/io.csv" --urls 160 --workers 30
    [ "$status" -eq 0 ]
    [[ "$output" == *"no setup term (too few worker counts, or lost in the noise)"* ]]
    [[ "$output" == *"| io | threads | 160 | 30 | 0.1253 |"* ]]
}

@test "--format csv is a runs-like CSV that stats and compare read" {
    exact_io_runs >"$TMP/io.csv"
    run --separate-stderr "$CONCUR" predict "$TMP/io.csv" --urls 320 --workers 40 --format csv
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = "experiment,variant,workers,run,seconds,predicted_seconds,low,high,speedup,speedup_low,speedup_high,items,model" ]
    [[ "${lines[1]}" == io,threads,40,1,0.168* ]]
    printf '%s\n' "$output" >"$TMP/pred.csv"
    local predicted=${lines[1]#io,threads,40,1,}
    predicted=${predicted%%,*}
    # stats reads the predicted time as a run of io threads at 40 workers
    run --separate-stderr "$CONCUR" stats --format csv "$TMP/pred.csv"
    [ "$status" -eq 0 ]
    [ "${lines[1]}" = "io,threads,40,1,0,$predicted,,$predicted,$predicted,$predicted,,,,0,1,1,1,1,,1,0" ]
    # compare sees the same single run on both sides: equal means, no verdict
    run --separate-stderr "$CONCUR" compare --format csv "$TMP/pred.csv" "$TMP/pred.csv"
    [ "$status" -eq 0 ]
    [ "${lines[1]}" = "io,threads,40,1,$predicted,,1,$predicted,,1,,,,,,insufficient data" ]
}

@test "a noisy sweep: every predicted time and speedup lies inside its interval" {
    # cpu_noisy.csv: four runs per point around f = 0.1, so the intervals
    # have width and bounds given in the wrong order show.
    run --separate-stderr "$CONCUR" predict --format json --cores 4,16,64 "$FIX/cpu_noisy.csv"
    [ "$status" -eq 0 ]
    python3 -c '
import json, sys
d = json.loads(sys.argv[1])
assert len(d["predictions"]) == 3, d
for p in d["predictions"]:
    assert p["low"] < p["predicted_seconds"] < p["high"], p
    assert p["speedup_low"] < p["speedup"] < p["speedup_high"], p
    assert p["low"] > 0 and p["speedup_low"] > 0, p
m = d["models"][0]
assert 0 < m["f_ci95_low"] < m["f"] < m["f_ci95_high"] < 1, m' "$output"
}

@test "intervals stay in their domain: times and speedups > 0, f within [0, 1]" {
    # cpu_wide.csv: two runs a point with a huge spread; the time interval
    # of the baseline was [-11.0, 13.1] and predict printed negative times.
    run --separate-stderr "$CONCUR" predict --format json "$FIX/cpu_wide.csv"
    [ "$status" -eq 0 ]
    python3 -c '
import json, sys
d = json.loads(sys.argv[1])
for m in d["models"]:
    assert 0 <= m["f_ci95_low"] <= m["f"] <= m["f_ci95_high"] <= 1, m
    assert m["f_clamped"] == (m["variant"] == "mpi") and m["oversubscribed_left_out"] == 0, m
for p in d["predictions"]:
    for k in "predicted_seconds low high speedup speedup_low speedup_high karp_flatt_speedup".split():
        assert p[k] is None or p[k] > 0, (k, p)' "$output"
    run --separate-stderr "$CONCUR" predict "$FIX/cpu_wide.csv"
    [[ "$output" != *"[-"* && "$output" != *", -"* && "$output" != *"| -"[0-9]* ]]
    [[ "$output" == *"- cpu mpi: f = 0, f <= 1 from 2 worker counts (least squares gave -0.241, clamped to [0, 1])"* ]]
}

@test "--format json has the models and the predictions" {
    run --separate-stderr "$CONCUR" predict "$FIX/cpu_runs.csv" --cores 8 --format json
    [ "$status" -eq 0 ]
    python3 -c 'import json, sys; d = json.loads(sys.argv[1])
m = [x for x in d["models"] if x["variant"] == "omp"][0]
assert abs(m["f"] - 0.1) < 1e-9, m
p = [x for x in d["predictions"] if x["variant"] == "omp"][0]
assert p["workers"] == 8 and abs(p["predicted_seconds"] - 0.2125) < 1e-9, p' "$output"
}

@test "--plot writes a PNG for cpu and for io" {
    run "$CONCUR" predict "$FIX/cpu_runs.csv" --plot "$TMP/cpu.png"
    [ "$status" -eq 0 ]
    [ "$(head -c 4 "$TMP/cpu.png" | tail -c 3)" = "PNG" ]
    run "$CONCUR" predict "$FIX/io_runs.csv" --urls 160 --workers 10,160 --plot "$TMP/io.png"
    [ "$status" -eq 0 ]
    [[ "$output" == *"latency + cost per round"*"cannot tell latency from cost"* ]]
    [ "$(head -c 4 "$TMP/io.png" | tail -c 3)" = "PNG" ]
}

@test "predict - reads the runs once from standard input, and answers as for the file" {
    # The io model groups the runs again by items: it used to read the files
    # a second time, and so refused '-'.
    exact_io_runs 0.0001 >"$TMP/io.csv"
    local format
    for format in table csv json; do
        run --separate-stderr "$CONCUR" predict "$TMP/io.csv" --urls 320 --workers 40,320 --format "$format"
        [ "$status" -eq 0 ]
        local from_file=$output
        run --separate-stderr "$CONCUR" predict - --urls 320 --workers 40,320 --format "$format" <"$TMP/io.csv"
        [ "$status" -eq 0 ]
        [ -z "$stderr" ]
        [ "$output" = "$from_file" ]
    done
    [[ "$output" == *'"setup_fitted": true'* ]]
    # a file and a pipe (no seeking back) pooled: the sync runs from the
    # file, the threads runs from standard input
    head -4 "$TMP/io.csv" >"$TMP/sync.csv"
    { head -1 "$TMP/io.csv"; tail -n +5 "$TMP/io.csv"; } >"$TMP/threads.csv"
    run --separate-stderr "$CONCUR" predict "$TMP/sync.csv" "$TMP/threads.csv" --urls 320 --workers 40
    [ "$status" -eq 0 ]
    local from_files=$output
    run --separate-stderr bash -c 'cat "$1" | "$CONCUR" predict "$2" - --urls 320 --workers 40' \
        _ "$TMP/threads.csv" "$TMP/sync.csv"
    [ "$status" -eq 0 ]
    [ "$output" = "$from_files" ]
    [[ "$output" == *"| io | threads | 320 | 40 | 0.172 |"* ]]
    # a bad row on standard input is named as such
    printf 'experiment,variant,workers,run,seconds\nio,sync,1,1,x\n' >"$TMP/bad.csv"
    run --separate-stderr "$CONCUR" predict - --urls 10 --workers 2 <"$TMP/bad.csv"
    [ "$status" -eq 2 ]
    [[ "$stderr" == *"<stdin>:2: seconds: 'x'"* ]]
    # runs without items on standard input: the io model says what is missing
    run --separate-stderr "$CONCUR" predict - --urls 100 --workers 4 <"$FIX/cpu_runs.csv"
    [ "$status" -eq 2 ]
    [[ "$stderr" == *"needs the runs of \`concur io\` (<stdin>:1: missing column 'items'"* ]]
    [ -z "$output" ]
}

@test "bad input exits 2 with the reason" {
    printf 'experiment,variant,workers,run,seconds\ncpu,serial,1,1,1.0\ncpu,omp,x,1,0.5\n' >"$TMP/bad.csv"
    run --separate-stderr "$CONCUR" predict "$TMP/bad.csv"
    [ "$status" -eq 2 ]
    [[ "$stderr" == *"$TMP/bad.csv:3: workers: 'x'"* ]]
    [ -z "$output" ]
    run --separate-stderr "$CONCUR" predict "$FIX/cpu_runs.csv" --cores 4,0
    [ "$status" -eq 2 ]
    [[ "$stderr" == *"--cores: '0'; each value must be at least 1"* ]]
    run --separate-stderr "$CONCUR" predict "$FIX/cpu_runs.csv" --cores 4,x
    [ "$status" -eq 2 ]
    [[ "$stderr" == *"--cores"*"'x'"* ]]
    run --separate-stderr "$CONCUR" predict "$FIX/cpu_runs.csv" --urls 100
    [ "$status" -eq 2 ]
    [[ "$stderr" == *"--urls and --workers go together"* ]]
    run --separate-stderr "$CONCUR" predict "$FIX/cpu_runs.csv" --urls 100 --workers 4
    [ "$status" -eq 2 ]
    [[ "$stderr" == *"--urls: the io model needs the runs of \`concur io\`"*"missing column 'items'"* ]]
    printf 'experiment,variant,workers,run,seconds\ncpu,serial,1,1,1.0\n' >"$TMP/one.csv"
    run --separate-stderr "$CONCUR" predict "$TMP/one.csv"
    [ "$status" -eq 2 ]
    [[ "$stderr" == *"nothing to predict"* ]]
    run --separate-stderr "$CONCUR" predict
    [ "$status" -eq 2 ]
}

@test "cpu: oversubscribed groups are left out of the fit and of Karp-Flatt, and said so" {
    {
        echo "experiment,variant,workers,run,seconds,oversubscribed"
        echo "cpu,serial,1,1,10,0"; echo "cpu,serial,1,2,10,0"
        echo "cpu,mpi,2,1,5.5,0"; echo "cpu,mpi,2,2,5.5,0"
        echo "cpu,mpi,3,1,9,1"; echo "cpu,mpi,3,2,9,1"
    } > "$TMP/over.csv"
    run --separate-stderr "$CONCUR" predict --cores 8 "$TMP/over.csv"
    [ "$status" -eq 0 ]
    # f = 0.1 from the 2-worker point alone; Karp-Flatt of 2 workers, 0.1 too
    [[ "$output" == *"- cpu mpi: f = 0.1 [-, -] from 1 worker counts; 1 oversubscribed group left out"* ]]
    # with the 3-rank point, Karp-Flatt would say 0.85 and S(8) = 1.15
    [[ "$output" == *"| cpu | mpi | 8 | 4.706 | [-, -] | 2.125 | [-, -] | 4.706 |"* ]]
}
