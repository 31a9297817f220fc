#!/usr/bin/env bats
# concur stats: the group table in md, csv and json, and every bad input.

load helpers

FIX=$BATS_TEST_DIRNAME/../fixtures

# Runs a python3 check on JSON read from the file $1.
json_check() {
    python3 -c "import json, sys; d = json.load(open(sys.argv[1])); $2" "$1"
}

@test "stats prints a Markdown table by default" {
    run --separate-stderr "$CONCUR" stats "$FIX/cpu_runs.csv"
    [ "$status" -eq 0 ]
    [ -z "$stderr" ]
    [[ "$output" == *"Baselines: cpu: serial with 1 worker;"* ]]
    [[ "$output" == *"| experiment | variant | workers | n | mean (s) |"* ]]
    # serial {1.00, 1.02, 0.98}: mean 1, sd 0.02, t(0.975,2) = 4.302653
    [[ "$output" == *"| cpu | serial | 1 | 3 | 1 | 0.02 | 1 | 0.98 | 1.02 | 0.02 | [0.950317, 1.04968] | 0 | 1 | [1, 1] | 1 | - |"* ]]
    # omp 2: speedup 1/0.55 with Fieller's interval (see test_stats.c)
    [[ "$output" == *"| cpu | omp | 2 | 3 | 0.55 |"*"| 1.818 | [1.741, 1.899] | 0.909 | 0.1 |"* ]]
    # one run: no sd, no intervals
    [[ "$output" == *"| cpu | mpi | 2 | 1 | 0.6 | - | 0.6 | 0.6 | 0.6 | - | - | 0 | 1.667 | - | 0.833 | 0.2 |"* ]]
    [[ "$output" == *"Amdahl's law per sweep"* ]]
}

@test "stats --format json has every SPEC key, numbers, and null where undefined" {
    "$CONCUR" stats --format json --predict 64,256,1024 "$FIX/cpu_runs.csv" > "$TMP/out.json"
    python3 -m json.tool "$TMP/out.json" > /dev/null
    ! grep -qi nan "$TMP/out.json"
    json_check "$TMP/out.json" '
keys = "experiment variant workers n mean sd median min max ci95_low ci95_high speedup speedup_ci95_low speedup_ci95_high efficiency".split()
g = d["groups"]
assert len(g) == 4, g
for row in g:
    for k in keys:
        assert k in row, k
    for k in keys[3:]:
        assert row[k] is None or isinstance(row[k], (int, float)), (k, row[k])
mpi = [r for r in g if r["variant"] == "mpi"][0]
assert mpi["n"] == 1 and mpi["sd"] is None and mpi["ci95_low"] is None and mpi["speedup_ci95_low"] is None
serial = [r for r in g if r["variant"] == "serial"][0]
assert serial["speedup"] == 1 and serial["baseline"] is True and serial["karp_flatt"] is None
assert abs(serial["ci95_low"] - (1 - 4.302652729749464 * 0.02 / 3 ** 0.5)) < 1e-9
omp = [f for f in d["amdahl"] if f["variant"] == "omp"][0]
assert omp["points"] == 2 and 0.09 < omp["serial_fraction"] < 0.11
assert [p["workers"] for p in omp["predictions"]] == [64, 256, 1024]
'
}

@test "stats --format csv writes one header and a row per group" {
    run --separate-stderr "$CONCUR" stats --format csv "$FIX/cpu_runs.csv"
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = "experiment,variant,workers,n,failed,mean,sd,median,min,max,cv,ci95_low,ci95_high,outliers,speedup,speedup_ci95_low,speedup_ci95_high,efficiency,karp_flatt,baseline,oversubscribed" ]
    [ "${#lines[@]}" -eq 5 ]
    [[ "${lines[1]}" == "cpu,serial,1,3,0,1,0.02"*",1,0.98,1.02,0.02"*",0.95031724576499"*",1.04968275423500"*",0,1,1,1,1,,1,0" ]]
    # undefined values are empty fields, never "nan"
    [[ "${lines[4]}" == "cpu,mpi,2,1,0,0.6,,0.6,0.6,0.6,,,,0,"* ]]
    [[ "$output" != *nan* ]]
}

@test "columns in another order and extra columns give the same table" {
    "$CONCUR" stats --format csv "$FIX/cpu_runs.csv" > "$TMP/a.csv"
    "$CONCUR" stats --format csv "$FIX/cpu_runs_reordered.csv" > "$TMP/b.csv"
    cmp "$TMP/a.csv" "$TMP/b.csv"
}

@test "several files are pooled by group" {
    run "$CONCUR" stats --format csv "$FIX/cpu_runs.csv" "$FIX/cpu_runs_more.csv" "$FIX/io_runs.csv"
    [ "$status" -eq 0 ]
    [[ "$output" == *$'\n'"cpu,omp,4,4,0,0.325625,"* ]]   # 3 runs + 1 from the second file
    [[ "$output" == *$'\n'"cpu,omp,8,3,0,0.2,"* ]]
    [[ "$output" == *$'\n'"io,sync,1,3,0,16.2,"*",1,0"$'\n'* ]]   # io's own baseline
    [[ "$output" == *$'\n'"io,threads,10,3,"* ]]
}

@test "stats reads standard input for '-'" {
    run "$CONCUR" stats --format csv - < "$FIX/cpu_runs.csv"
    [ "$status" -eq 0 ]
    [ "${#lines[@]}" -eq 5 ]
}

@test "--baseline VARIANT:WORKERS changes the reference" {
    run "$CONCUR" stats --format csv --baseline omp:2 "$FIX/cpu_runs.csv"
    [ "$status" -eq 0 ]
    [[ "${lines[2]}" == "cpu,omp,2,3,0,0.55,"*",1,1,1,1,,1,0" ]]
    [[ "${lines[1]}" == "cpu,serial,1,"*",0,0" ]]
}

@test "failed runs (ok=0) are left out, counted and reported" {
    run --separate-stderr "$CONCUR" stats "$FIX/cpu_failed.csv"
    [ "$status" -eq 0 ]
    [[ "$stderr" == *"1 run with ok=0 left out of the statistics (first at $FIX/cpu_failed.csv:5)"* ]]
    [[ "$output" == *"| failed |"* ]]
    [[ "$output" == *"| cpu | omp | 2 | 1 | 1 | 0.55 |"* ]]
}

@test "outliers are flagged and kept, or dropped on request" {
    run "$CONCUR" stats --format json "$FIX/cpu_outlier.csv"
    [ "$status" -eq 0 ]
    [[ "$output" == *'"n": 6'*'"outliers": 1, "outlier_values": [3.5]'* ]]
    run "$CONCUR" stats --format json --drop-outliers "$FIX/cpu_outlier.csv"
    [ "$status" -eq 0 ]
    [[ "$output" == *'"n": 5'*'"mean": 1,'*'"outliers": 1, "outlier_values": [3.5]'* ]]
}

@test "--by extends the grouping key" {
    run "$CONCUR" stats --by decomposition --format json "$FIX/cpu_decomposition.csv"
    [ "$status" -eq 0 ]
    [[ "$output" == *'"variant": "omp", "decomposition": "split", "workers": 2'* ]]
    [[ "$output" == *'"variant": "omp", "decomposition": "per-number", "workers": 2'* ]]
}

@test "without a serial or sync group each sweep's fewest workers are its baseline" {
    printf 'experiment,variant,workers,run,seconds\ngpu,cuda,2,1,1\ngpu,cuda,4,1,0.5\n' > "$TMP/gpu.csv"
    run --separate-stderr "$CONCUR" stats "$TMP/gpu.csv"
    [ "$status" -eq 0 ]
    [ -z "$stderr" ]
    [[ "$output" == *"Baselines: gpu cuda: cuda with 2 workers (fewest workers);"* ]]
    [[ "$output" == *"| gpu | cuda | 4 | 1 | 0.5 |"*"| 2 | - | 1 | 0 |"* ]]
}

@test "the baseline_workers column names the baseline; one that names no group warns" {
    printf 'experiment,variant,workers,run,seconds,baseline_workers\nx,y,1,1,4,2\nx,y,2,1,2,2\nx,y,4,1,1,2\n' > "$TMP/b.csv"
    run --separate-stderr "$CONCUR" stats --format json "$TMP/b.csv"
    [ "$status" -eq 0 ]
    [ -z "$stderr" ]
    json_check <(echo "$output") '
g = d["groups"]
assert [r["speedup"] for r in g] == [0.5, 1, 2], g
assert g[1]["baseline"] is True and g[1]["baseline_rule"] == "baseline_workers"'
    printf 'experiment,variant,workers,run,seconds,baseline_workers\nx,y,1,1,4,3\nx,y,2,1,2,3\n' > "$TMP/c.csv"
    run --separate-stderr "$CONCUR" stats --format json "$TMP/c.csv"
    [ "$status" -eq 0 ]
    [[ "$stderr" == *"experiment 'x' has no baseline group"* ]]
    [[ "$output" == *'"speedup": null'* ]]
}

@test "stats --help describes the methods" {
    run "$CONCUR" stats --help
    [ "$status" -eq 0 ]
    [[ "$output" == *"--baseline VARIANT[:WORKERS]"* ]]
    [[ "$output" == *"Fieller"* ]]
}

# Each bad input: exit 2, nothing on stdout, one line on stderr with the reason.
bad_stats() { refused "$1" stats "${@:2}"; }

csv() { printf "$@" > "$TMP/bad.csv"; }
HEAD='experiment,variant,workers,run,seconds\n'

@test "missing required column" {
    csv 'experiment,variant,workers,run\ncpu,serial,1,1\n'
    bad_stats "$TMP/bad.csv:1: missing required column 'seconds'" "$TMP/bad.csv"
}
@test "non-numeric seconds" {
    csv "${HEAD}cpu,serial,1,1,1.0\ncpu,serial,1,2,fast\n"
    bad_stats "$TMP/bad.csv:3: seconds: 'fast' is not a number" "$TMP/bad.csv"
}
@test "negative seconds" {
    csv "${HEAD}cpu,serial,1,1,-0.5\n"
    bad_stats "$TMP/bad.csv:2: seconds: '-0.5' is negative" "$TMP/bad.csv"
}
@test "NaN seconds" {
    csv "${HEAD}cpu,serial,1,1,nan\n"
    bad_stats "$TMP/bad.csv:2: seconds: 'nan' is not a number" "$TMP/bad.csv"
}
@test "non-integer workers" {
    csv "${HEAD}cpu,omp,2.5,1,1\n"
    bad_stats "$TMP/bad.csv:2: workers: '2.5' is not a whole number" "$TMP/bad.csv"
}
@test "zero workers" {
    csv "${HEAD}cpu,omp,0,1,1\n"
    bad_stats "$TMP/bad.csv:2: workers: '0' must be at least 1" "$TMP/bad.csv"
}
@test "empty file" {
    : > "$TMP/bad.csv"
    bad_stats "$TMP/bad.csv:1: empty file" "$TMP/bad.csv"
}
@test "header only" {
    csv "$HEAD"
    bad_stats "$TMP/bad.csv:1: header only, no runs" "$TMP/bad.csv"
}
@test "ragged row" {
    csv "${HEAD}cpu,serial,1,1,1\ncpu,serial,1,2\n"
    bad_stats "$TMP/bad.csv:3: 4 fields, but the header has 5" "$TMP/bad.csv"
}
@test "unterminated quote" {
    csv "${HEAD}cpu,\"serial,1,1,1\n"
    bad_stats "$TMP/bad.csv:2: unterminated quoted field" "$TMP/bad.csv"
}
@test "ok other than 0 or 1" {
    csv 'experiment,variant,workers,run,seconds,ok\ncpu,serial,1,1,1,maybe\n'
    bad_stats "$TMP/bad.csv:2: ok: 'maybe' must be 1 or 0" "$TMP/bad.csv"
}
@test "the bad line of the second file is named" {
    csv "${HEAD}cpu,serial,1,1,1\ncpu,serial,1,2,x\n"
    bad_stats "$TMP/bad.csv:3: seconds: 'x' is not a number" "$FIX/cpu_runs.csv" "$TMP/bad.csv"
}
@test "unreadable file" {
    bad_stats "$TMP/missing.csv: cannot open: No such file or directory" "$TMP/missing.csv"
}
@test "a directory is not a runs CSV" {
    bad_stats "$TMP:1: read error" "$TMP"
}
@test "unknown baseline variant" {
    bad_stats "unknown baseline 'hybrid': no group has variant 'hybrid'" --baseline hybrid "$FIX/cpu_runs.csv"
}
@test "unknown baseline worker count" {
    bad_stats "unknown baseline 'omp:3': no group has variant 'omp' with 3 workers" --baseline omp:3 "$FIX/cpu_runs.csv"
}
@test "bad baseline worker count" {
    bad_stats "'x' is not a number" --baseline omp:x "$FIX/cpu_runs.csv"
}
@test "missing --by column" {
    bad_stats "$FIX/cpu_runs.csv:1: missing column 'schedule' named by --by" --by schedule "$FIX/cpu_runs.csv"
}
@test "unknown format" {
    bad_stats "--format: unknown format 'xml' (table, csv or json)" --format xml "$FIX/cpu_runs.csv"
}
@test "bad --predict list" {
    bad_stats "--predict: '0'; each value must be at least 1" --predict 64,0 "$FIX/cpu_runs.csv"
    bad_stats "--predict: empty value" --predict 64,,256 "$FIX/cpu_runs.csv"
}
@test "no file given" {
    bad_stats "no runs CSV given"
}
@test "--by cannot name a column of the key itself" {
    bad_stats "--by: 'workers' is already part of the grouping key" --by workers "$FIX/cpu_runs.csv"
}

@test "a '|' in a variant name cannot break the Markdown table" {
    printf 'experiment,variant,workers,run,seconds\ncpu,"a|b",1,1,1\n' > "$TMP/pipe.csv"
    run "$CONCUR" stats --baseline 'a|b' "$TMP/pipe.csv"
    [ "$status" -eq 0 ]
    [[ "$output" == *'| cpu | a\|b | 1 | 1 |'* ]]
}

@test "the fence factor is 1.5 IQR: a value between 1.5 and 3 IQR is flagged" {
    # cpu_outlier_mild.csv: quartiles 0.9925 and 1.0175, IQR 0.025; 1.07 is
    # beyond Q3 + 1.5 IQR = 1.055 but within Q3 + 3 IQR = 1.0925.
    run --separate-stderr "$CONCUR" stats --format json "$FIX/cpu_outlier_mild.csv"
    [ "$status" -eq 0 ]
    [[ "$output" == *'"n": 6'*'"outliers": 1, "outlier_values": [1.07]'* ]]
}

@test "intervals stay in their domain on two runs with a huge spread" {
    # cpu_wide.csv printed the time interval [-11.0209, 13.1209], speedup
    # intervals [-36.81, 44] and f intervals [-3.119, 3.993].
    run --separate-stderr "$CONCUR" stats --format json "$FIX/cpu_wide.csv"
    [ "$status" -eq 0 ]
    json_check <(echo "$output") '
for g in d["groups"]:
    for k in "ci95_low ci95_high speedup speedup_ci95_low speedup_ci95_high".split():
        assert g[k] is None or g[k] > 0, (k, g)
    assert g["ci95_low"] <= g["mean"] <= g["ci95_high"], g
    if g["speedup_ci95_low"] is not None:
        assert g["speedup_ci95_low"] <= g["speedup"] <= g["speedup_ci95_high"], g
for f in d["amdahl"]:
    for k in "serial_fraction serial_fraction_ci95_low serial_fraction_ci95_high".split():
        assert 0 <= f[k] <= 1, (k, f)
mpi = [f for f in d["amdahl"] if f["variant"] == "mpi"][0]
assert mpi["serial_fraction_clamped"] is True and mpi["serial_fraction_fit"] < 0, mpi'
    run --separate-stderr "$CONCUR" stats "$FIX/cpu_wide.csv"
    [[ "$output" != *"[-"* && "$output" != *", -"[0-9]* ]]
    [[ "$output" == *"| cpu | mpi | 2 | 0 | 0.119 | f <= 1 |"* ]]
    [[ "$output" == *"cpu mpi: least squares gave f = -0.241, outside [0, 1]: clamped to 0."* ]]
}

@test "oversubscribed groups are shown and marked but not fitted, and counted" {
    {
        echo "experiment,variant,workers,run,seconds,ok,oversubscribed"
        echo "cpu,serial,1,1,10,1,0"; echo "cpu,serial,1,2,10,1,0"
        echo "cpu,mpi,2,1,5.5,1,0"; echo "cpu,mpi,2,2,5.5,1,0"
        echo "cpu,mpi,3,1,9,1,1"; echo "cpu,mpi,3,2,9.2,1,1"
    } > "$TMP/over.csv"
    run --separate-stderr "$CONCUR" stats "$TMP/over.csv"
    [ "$status" -eq 0 ]
    [[ "$output" == *"| cpu | mpi | 3 (oversubscribed) | 2 |"* ]]
    [[ "$output" == *"| cpu | mpi | 1 | 0.1 |"* ]]   # f from the 2-worker point alone
    [[ "$output" == *"1 oversubscribed group (more workers than CPUs"*"left out of the fits."* ]]
    run --separate-stderr "$CONCUR" stats --format json "$TMP/over.csv"
    json_check <(echo "$output") '
assert d["oversubscribed_left_out"] == 1
assert [g["oversubscribed"] for g in d["groups"]] == [False, False, True]
f = d["amdahl"][0]
assert f["points"] == 1 and f["oversubscribed_left_out"] == 1 and abs(f["serial_fraction"] - 0.1) < 1e-12, f'
    run --separate-stderr "$CONCUR" stats --format csv "$TMP/over.csv"
    [[ "${lines[3]}" == "cpu,mpi,3,2,0,9.1,"*",0,1" ]]
}

@test "every run failed (ok=0): the table, an error line and exit 1" {
    printf 'experiment,variant,workers,run,seconds,ok\ncpu,serial,1,1,1,0\ncpu,omp,2,1,0.5,0\n' > "$TMP/failed.csv"
    run --separate-stderr "$CONCUR" stats "$TMP/failed.csv"
    [ "$status" -eq 1 ]
    [[ "$stderr" == *"no successful run: all 2 runs have ok=0"* ]]
    [[ "$output" == *"| cpu | omp | 2 | 0 | 1 |"* ]]
}

@test "a run number repeated within a group of one file is warned about" {
    printf 'experiment,variant,workers,run,seconds\ncpu,serial,1,1,1\ncpu,serial,1,2,1.1\ncpu,serial,1,1,1\n' > "$TMP/dup.csv"
    run --separate-stderr "$CONCUR" stats "$TMP/dup.csv"
    [ "$status" -eq 0 ]
    [[ "$stderr" == *"warning: 1 run number repeated within a group of one file (first at $TMP/dup.csv:4: run 1, also at line 2)"* ]]
    # the same numbers in two files are two jobs' runs: pooled, no warning
    printf 'experiment,variant,workers,run,seconds\ncpu,serial,1,1,1\n' > "$TMP/one.csv"
    printf 'experiment,variant,workers,run,seconds\ncpu,serial,1,1,1.2\n' > "$TMP/two.csv"
    run --separate-stderr "$CONCUR" stats "$TMP/one.csv" "$TMP/two.csv"
    [ "$status" -eq 0 ]
    [ -z "$stderr" ]
}

@test "a baseline of 0 s gives undefined speedup, efficiency and Karp-Flatt" {
    printf 'experiment,variant,workers,run,seconds\ncpu,serial,1,1,0\ncpu,serial,1,2,0\ncpu,omp,2,1,1\ncpu,omp,2,2,1.1\n' > "$TMP/zero.csv"
    run --separate-stderr "$CONCUR" stats --format csv "$TMP/zero.csv"
    [ "$status" -eq 0 ]
    [[ "${lines[1]}" == "cpu,serial,1,2,0,0,0,0,0,0,,0,0,0,,,,,,1,0" ]]
    [[ "${lines[2]}" == "cpu,omp,2,2,0,1.05,"*",0,,,,,,0,0" ]]
}

@test "bad oversubscribed or baseline_workers values exit 2 naming FILE:LINE" {
    printf 'experiment,variant,workers,run,seconds,oversubscribed\ncpu,omp,2,1,1,yes\n' > "$TMP/o.csv"
    run --separate-stderr "$CONCUR" stats "$TMP/o.csv"
    [ "$status" -eq 2 ]
    [ -z "$output" ]
    [ "$stderr" = "concur stats: $TMP/o.csv:2: oversubscribed: 'yes' must be 1 or 0" ]
    printf 'experiment,variant,workers,run,seconds,baseline_workers\ncpu,omp,2,1,1,0\n' > "$TMP/b.csv"
    run --separate-stderr "$CONCUR" stats "$TMP/b.csv"
    [ "$status" -eq 2 ]
    [ "$stderr" = "concur stats: $TMP/b.csv:2: baseline_workers: '0' must be at least 1" ]
}
