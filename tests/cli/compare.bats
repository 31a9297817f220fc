#!/usr/bin/env bats
# concur compare: verdicts on clearly different and clearly equal data, the
# exit status for regressions, groups in one file only, bad input.

load helpers

FIX=$BATS_TEST_DIRNAME/../fixtures

@test "B at half the time is faster in every group" {
    run --separate-stderr "$CONCUR" compare "$FIX/compare_a.csv" "$FIX/compare_faster.csv"
    [ "$status" -eq 0 ]
    [ "$(grep -c '| faster |' <<< "$output")" -eq 3 ]
    [[ "$output" == *"| cpu | serial | 1 | 5 | 1 | 5 | 0.5 | 0.5 |"*"| -50.0% |"* ]]
}

@test "the same data, reshuffled, shows no significant difference" {
    run "$CONCUR" compare --format csv "$FIX/compare_a.csv" "$FIX/compare_same.csv"
    [ "$status" -eq 0 ]
    [ "$(grep -c ',no significant difference$' <<< "$output")" -eq 3 ]
}

@test "compare --format csv: Welch's t and p for a known case" {
    run "$CONCUR" compare --format csv "$FIX/compare_a.csv" "$FIX/compare_faster.csv"
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = "experiment,variant,workers,n_a,mean_a,sd_a,n_b,mean_b,sd_b,ratio,ratio_ci95_low,ratio_ci95_high,t,df,p,verdict" ]
    # serial: equal sd sqrt(0.001/4) in both, t = -0.5 / sqrt(2 * 0.00025 / 5)
    # = -50, df = 8; p = 2.834410645e-11 (mpmath, betainc as in test_stats.c)
    [[ "${lines[1]}" == "cpu,serial,1,5,1,"*",0.5,"*",faster" ]]
    python3 -c '
import sys
f = sys.argv[1].split(",")
t, df, p = float(f[12]), float(f[13]), float(f[14])
assert abs(t + 50) < 1e-9 and abs(df - 8) < 1e-9, (t, df)
assert abs(p / 2.83441064509178633e-11 - 1) < 1e-6, p
' "${lines[1]}"
}

@test "--fail-if-slower exits 1 on a significant regression beyond the limit" {
    run --separate-stderr "$CONCUR" compare --fail-if-slower 5% "$FIX/compare_a.csv" "$FIX/compare_slower.csv"
    [ "$status" -eq 1 ]
    [[ "$output" == *"| cpu | omp | 4 |"*"| +20.0% |"*"slower (regression) |"* ]]
    [[ "$stderr" == *"cpu omp with 4 workers is 20.0% slower"*"beyond --fail-if-slower 5%"* ]]
}

@test "--fail-if-slower tolerates a slowdown within the limit" {
    run "$CONCUR" compare --fail-if-slower 25 "$FIX/compare_a.csv" "$FIX/compare_slower.csv"
    [ "$status" -eq 0 ]
    [[ "$output" == *"| slower |"* ]]
}

@test "without --fail-if-slower a slower B still exits 0" {
    run --separate-stderr "$CONCUR" compare "$FIX/compare_a.csv" "$FIX/compare_slower.csv"
    [ "$status" -eq 0 ]
    [ -z "$stderr" ]
    # the verdict is still given: omp 4 is 20% slower, not a regression
    [[ "$output" == *"| cpu | omp | 4 |"*"| +20.0% |"*"| slower |"* ]]
    [[ "$output" != *regression* ]]
}

@test "times near 1e308: undefined is printed as undefined, never nan or inf" {
    # The squares of such times overflowed: exit 1 with "GSL could not
    # evaluate t=-0 with df=-nan". compare_huge.csv: serial 1-1.5e308.
    for fmt in md csv json; do
        run --separate-stderr "$CONCUR" compare --format "$fmt" --fail-if-slower 5 "$FIX/compare_a.csv" "$FIX/compare_huge.csv"
        [ "$status" -eq 1 ]   # B is slower beyond 5%: a regression, said so
        [[ "$stderr" == *"cpu serial with 1 workers is far slower"* ]]
        [[ "$output$stderr" != *[Nn][Aa][Nn]* && "$output$stderr" != *[Ii][Nn][Ff]* ]]
    done
    [[ "$output" == *'"verdict": "slower"'* ]]
    run --separate-stderr "$CONCUR" compare "$FIX/compare_huge.csv" "$FIX/compare_huge.csv"
    [ "$status" -eq 0 ]
    [[ "$output" == *"| cpu | serial | 1 | 3 | 1.23333e+308 | 3 | 1.23333e+308 | 1 | [0.6159, 1.624] | +0.0% | 1 | no significant difference |"* ]]
    [[ "$output$stderr" != *[Nn][Aa][Nn]* && "$output$stderr" != *[Ii][Nn][Ff]* ]]
}

@test "a faster B never fails --fail-if-slower" {
    run "$CONCUR" compare --fail-if-slower 0% "$FIX/compare_a.csv" "$FIX/compare_faster.csv"
    [ "$status" -eq 0 ]
}

@test "groups in only one file are listed" {
    run "$CONCUR" compare "$FIX/compare_a.csv" "$FIX/compare_slower.csv"
    [[ "$output" == *"| cpu | omp | 2 | 5 | 0.52 | 0 | - |"*"| only in A |"* ]]
    [[ "$output" == *"| cpu | omp | 8 | 0 | - | 2 | 0.205 |"*"| only in B |"* ]]
}

@test "compare --format json is valid, with lists of one-sided groups" {
    "$CONCUR" compare --format json --fail-if-slower 5% "$FIX/compare_a.csv" "$FIX/compare_slower.csv" > "$TMP/out.json" || [ $? -eq 1 ]
    python3 -m json.tool "$TMP/out.json" > /dev/null
    ! grep -qi nan "$TMP/out.json"
    python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["alpha"] == 0.05 and d["fail_if_slower"] == 0.05 and d["regressions"] == 1
g = {(x["variant"], x["workers"]): x for x in d["groups"]}
assert set(g) == {("serial", 1), ("omp", 4)}
for x in g.values():
    for k in "n_a mean_a sd_a n_b mean_b sd_b ratio ratio_ci95_low ratio_ci95_high t df p verdict".split():
        assert k in x, k
assert g[("omp", 4)]["verdict"] == "slower" and g[("omp", 4)]["regression"] is True
assert abs(g[("omp", 4)]["ratio"] - 1.2) < 1e-9
assert d["only_in_a"] == [{"experiment": "cpu", "variant": "omp", "workers": 2}]
assert d["only_in_b"] == [{"experiment": "cpu", "variant": "omp", "workers": 8}]
' "$TMP/out.json"
}

@test "a single run per group gives no verdict" {
    printf 'experiment,variant,workers,run,seconds\ncpu,serial,1,1,1\n' > "$TMP/one.csv"
    run "$CONCUR" compare --format json "$TMP/one.csv" "$TMP/one.csv"
    [ "$status" -eq 0 ]
    [[ "$output" == *'"p": null, "verdict": "insufficient data"'* ]]
}

@test "compare --help" {
    run "$CONCUR" compare --help
    [ "$status" -eq 0 ]
    [[ "$output" == *"--fail-if-slower PCT"* ]]
}

bad_compare() { refused "$1" compare "${@:2}"; }

@test "compare needs exactly two files" {
    bad_compare "expected two runs CSV, got 1" "$FIX/compare_a.csv"
    bad_compare "expected two runs CSV, got 3" "$FIX/compare_a.csv" "$FIX/compare_a.csv" "$FIX/compare_a.csv"
}

@test "compare names the bad file and line" {
    printf 'experiment,variant,workers,run,seconds\ncpu,serial,1,1,-2\n' > "$TMP/bad.csv"
    bad_compare "$TMP/bad.csv:2: seconds: '-2' is negative" "$FIX/compare_a.csv" "$TMP/bad.csv"
}

@test "compare refuses an unreadable file" {
    bad_compare "$TMP/none.csv: cannot open" "$TMP/none.csv" "$FIX/compare_a.csv"
}

@test "compare refuses a bad percentage" {
    bad_compare "--fail-if-slower: 'five' is not a percentage" --fail-if-slower five "$FIX/compare_a.csv" "$FIX/compare_a.csv"
    bad_compare "--fail-if-slower: '-5%' is not a percentage" --fail-if-slower -5% "$FIX/compare_a.csv" "$FIX/compare_a.csv"
}

@test "compare --by cannot name a column of the key itself" {
    bad_compare "--by: 'variant' is already part of the grouping key" --by variant "$FIX/compare_a.csv" "$FIX/compare_a.csv"
}

@test "a B/A interval stays above 0 when B has two runs with a huge spread" {
    # it printed [-11.12, 13.28] for serial: cpu_wide.csv has 0.1 and 2.0 s
    run --separate-stderr "$CONCUR" compare --format json "$FIX/cpu_noisy.csv" "$FIX/cpu_wide.csv"
    [ "$status" -eq 0 ]
    python3 -c '
import json, sys
d = json.loads(sys.argv[1])
assert len(d["groups"]) == 3, d
for g in d["groups"]:
    assert 0 < g["ratio_ci95_low"] <= g["ratio"] <= g["ratio_ci95_high"], g' "$output"
    run "$CONCUR" compare "$FIX/cpu_noisy.csv" "$FIX/cpu_wide.csv"
    [[ "$output" == *"| cpu | serial | 1 | 4 | 1.005 | 2 | 1.05 | 1.045 | [2.433e-09, 13.28] |"* ]]
}
