#!/usr/bin/env bats
# analysis/: the documented cluster workflow (job folders without a serial
# group), --baseline, the plots' data (oversubscribed points, clipped
# intervals, tics) and CSV read by a parser, never split on commas.

load helpers

ROOT=$BATS_TEST_DIRNAME/../..
JOBS=$BATS_TEST_DIRNAME/../fixtures/jobs
FIX=$BATS_TEST_DIRNAME/../fixtures
export CONCUR

is_png() {
    [ "$(head -c 8 "$1" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ]
}

@test "the cluster workflow: strong-scaling job folders give a speedup table, plot and sentences" {
    # Two cpu-strong jobs of mpi runs only (1 worker; 2 and 4 workers): no
    # serial group. It gave "no baseline group", an empty plot, no sentence.
    run --separate-stderr "$ROOT/analysis/analyze" --out "$TMP/X" "$JOBS/cpu-strong-101" "$JOBS/cpu-strong-102"
    [ "$status" -eq 0 ]
    [[ "$stderr" != *"no baseline"* ]]
    python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
s = {g["workers"]: g["speedup"] for g in d["groups"]}
assert s[1] == 1 and abs(s[2] - 0.705 / 0.3575) < 1e-9 and abs(s[4] - 0.705 / 0.19) < 1e-9, s
assert all(g["baseline_rule"] == "fewest workers" for g in d["groups"])' "$TMP/X/stats.json"
    is_png "$TMP/X/cpu-speedup.png"
    is_png "$TMP/X/cpu-time.png"
    run "$ROOT/analysis/explain" "$TMP/X/stats.csv" 2
    [ "$status" -eq 0 ]
    [[ "$output" == *"**cpu mpi**: against mpi with 1 worker, 4 workers gave a speedup of 3.71x, efficiency 0.93."* ]]
}

@test "analyze --baseline is passed to stats; one naming no group is exit 2 before any file" {
    run --separate-stderr "$ROOT/analysis/analyze" --baseline mpi:2 --out "$TMP/X" "$JOBS/cpu-strong-101" "$JOBS/cpu-strong-102"
    [ "$status" -eq 0 ]
    grep -q '^Baselines: cpu: mpi with 2 workers;' "$TMP/X/stats.md"
    run --separate-stderr "$ROOT/analysis/analyze" --baseline omp --out "$TMP/Y" "$JOBS/cpu-strong-101"
    [ "$status" -eq 2 ]
    [[ "$stderr" == *"unknown baseline 'omp'"* ]]
    [ ! -e "$TMP/Y" ]
    run --separate-stderr "$ROOT/analysis/analyze" --baseline
    [ "$status" -eq 2 ]
}

# A noisy cpu sweep with an oversubscribed point, as the plots see it.
wide_runs() {
    mkdir -p "$TMP/in"
    { sed '1s/$/,oversubscribed/; 2,$s/$/,0/' "$FIX/cpu_wide.csv"
      echo "cpu,mpi,3,1,0.4,1"; echo "cpu,mpi,3,2,0.42,1"; } >"$TMP/in/runs.csv"
}

@test "plots: oversubscribed points marked, wide intervals clipped and marked, tics at the workers" {
    wide_runs
    "$CONCUR" stats --format csv "$TMP/in/runs.csv" >"$TMP/stats.csv"
    mkdir "$TMP/w"
    run python3 "$ROOT/analysis/plotdata.py" "$TMP/stats.csv" "$TMP/w"
    [ "$status" -eq 0 ]
    [ "$output" = "0"$'\t'"cpu"$'\t'"cpu" ]
    grep -qx 'set xtics ("1" 1, "2" 2, "3" 3, "4" 4)' "$TMP/w/0.gp"
    grep -qx 'has_over = 1; i_over = 3' "$TMP/w/0.gp"
    grep -qx 'has_sclip = 1; i_sclip = 4' "$TMP/w/0.gp"
    grep -qx 'nb = 1' "$TMP/w/0.gp"
    # the y range comes from the points (speedups 1 to 7.78, ideal 4), not
    # from the intervals (down to 8e-09 and up to 110)
    python3 -c '
import re, sys
p = dict(re.findall(r"(\w+) = ([-\d.e+]+)", open(sys.argv[1]).read()))
assert abs(float(p["s_ymin"]) - 0.5) < 1e-9 and abs(float(p["s_ymax"]) - 2 * 1.05 / 0.135) < 1e-6, p' "$TMP/w/0.gp"
    # the oversubscribed block (its first line names its columns, then the
    # block) holds the 3-worker point
    run awk '/^workers speedup mean "over"$/ { on = 1; next } on && NF { print; exit }' "$TMP/w/0.dat"
    [[ "$output" == "3 2.56"* ]]
    run --separate-stderr "$ROOT/analysis/analyze" --out "$TMP/X" "$TMP/in"
    [ "$status" -eq 0 ]
    is_png "$TMP/X/cpu-speedup.png"
    grep -q '1 oversubscribed group' "$TMP/X/stats.md"
    run "$ROOT/analysis/explain" "$TMP/X/stats.csv" 2
    [[ "$output" == *"oversubscribed"*"left out of the Amdahl fit"* ]]
    [[ "$output" != *"CI 0.00"* ]]
}

@test "speedup.gp finds its columns by name: a block with its columns reordered plots the same" {
    wide_runs
    "$CONCUR" stats --format csv "$TMP/in/runs.csv" >"$TMP/stats.csv"
    mkdir "$TMP/w"
    python3 "$ROOT/analysis/plotdata.py" "$TMP/stats.csv" "$TMP/w" >/dev/null
    grep -qx 'workers speedup speedup_low speedup_high mean mean_low mean_high "mpi"' "$TMP/w/0.dat"
    # every variant's columns in another order, header and rows alike
    python3 -c '
import shlex, sys
order = [0, 4, 5, 6, 1, 2, 3]
blocks = open(sys.argv[1]).read().split("\n\n\n")
for k, b in enumerate(blocks):
    lines = b.split("\n")
    if lines[0].startswith("workers speedup speedup_low"):
        head = shlex.split(lines[0])
        lines[0] = " ".join(head[i] for i in order) + " \"%s\"" % head[7]
        lines[1:] = [" ".join(l.split()[i] for i in order) if l else l for l in lines[1:]]
    blocks[k] = "\n".join(lines)
open(sys.argv[2], "w").write("\n\n\n".join(blocks))' "$TMP/w/0.dat" "$TMP/w/moved.dat"
    ! cmp -s "$TMP/w/0.dat" "$TMP/w/moved.dat"
    gnuplot -c "$ROOT/analysis/speedup.gp" "$TMP/w/0.dat" "$TMP/w/0.gp" "$TMP/w/a" cpu
    gnuplot -c "$ROOT/analysis/speedup.gp" "$TMP/w/moved.dat" "$TMP/w/0.gp" "$TMP/w/b" cpu
    cmp "$TMP/w/a-time.png" "$TMP/w/b-time.png"
    cmp "$TMP/w/a-speedup.png" "$TMP/w/b-speedup.png"
}

@test "names with commas and quotes go through analyze and explain whole" {
    mkdir "$TMP/in"
    printf '%s\n' 'experiment,variant,workers,run,seconds' '"my, app","v ""1""",1,1,2' \
        '"my, app","v ""1""",2,1,1' >"$TMP/in/runs.csv"
    run --separate-stderr "$ROOT/analysis/analyze" --out "$TMP/X" "$TMP/in"
    [ "$status" -eq 0 ]
    is_png "$TMP/X/my__app-speedup.png"
    run "$ROOT/analysis/explain" "$TMP/X/stats.csv" 2
    [[ "$output" == *'**my, app v "1"**: against v "1" with 1 worker, 2 workers gave a speedup of 2.00x, efficiency 1.00.'* ]]
}

@test "analysis/ reads CSV and JSON with parsers, never awk -F, or sed" {
    run grep -nE 'awk +-F *,|awk.*-F,|sed .*\.json|cut -d *,' "$ROOT"/analysis/*
    [ "$status" -eq 1 ]
}
