#!/usr/bin/env bats
# --format: one vocabulary (table, csv, json) for every command; md and text
# are aliases of table and give the same output as table.

load helpers

FIX=$BATS_TEST_DIRNAME/../fixtures

# Runs concur with --format $1 and then with --format $2 (the rest of the
# arguments after them) and requires the same exit status and stdout.
same_output() {
    local a=$1 b=$2
    shift 2
    run --separate-stderr "$CONCUR" "${@:1:1}" --format "$a" "${@:2}"
    local status_a=$status output_a=$output
    run --separate-stderr "$CONCUR" "${@:1:1}" --format "$b" "${@:2}"
    [ "$status" -eq "$status_a" ]
    [ -n "$output" ]
    [ "$output" = "$output_a" ]
}

# Measured times differ from run to run: numbers become N, runs of blanks
# one blank (a table's widths follow its numbers).
shape() {
    sed -E 's/[0-9][0-9.,%]*/N/g; s/ +/ /g'
}

@test "stats: md is table" { same_output md table stats "$FIX/cpu_runs.csv"; }
@test "stats: table is the default" {
    run "$CONCUR" stats "$FIX/cpu_runs.csv"
    local default=$output
    same_output table table stats "$FIX/cpu_runs.csv"
    [ "$output" = "$default" ]
}
@test "compare: md is table" {
    same_output md table compare "$FIX/compare_a.csv" "$FIX/compare_faster.csv"
}
@test "predict: md is table" { same_output md table predict "$FIX/cpu_runs.csv"; }
@test "stats: text is table too" { same_output text table stats "$FIX/cpu_runs.csv"; }

@test "cpu: md and text are table" {
    for alias in md text; do
        "$CONCUR" cpu --mode serial --count 1000 --repeat 1 --format "$alias" | shape > "$TMP/alias"
        "$CONCUR" cpu --mode serial --count 1000 --repeat 1 --format table | shape > "$TMP/table"
        grep -q '^experiment variant workers' "$TMP/table"
        diff "$TMP/alias" "$TMP/table"
    done
}

# classify's report: the label of each line (its verdict and notes follow
# the machine's load).
labels() {
    grep -v '^note:' | awk '{print $1}'
}

@test "classify: text is table" {
    "$CONCUR" classify --repeat 1 --format text -- true | labels > "$TMP/text"
    "$CONCUR" classify --repeat 1 --format table -- true | labels > "$TMP/table"
    grep -qx 'verdict:' "$TMP/table"
    diff "$TMP/text" "$TMP/table"
}

@test "classify has no csv and says which formats it has" {
    run --separate-stderr "$CONCUR" classify --format csv -- true
    [ "$status" -eq 2 ]
    [ -z "$output" ]
    [ "$stderr" = "concur classify: --format: unknown format 'csv' (table or json)" ]
}

@test "every command lists the same unknown-format message" {
    for cmd in stats compare predict; do
        run --separate-stderr "$CONCUR" "$cmd" --format xml "$FIX/cpu_runs.csv" "$FIX/cpu_runs.csv"
        [ "$status" -eq 2 ]
        [ "$stderr" = "concur $cmd: --format: unknown format 'xml' (table, csv or json)" ]
    done
    run --separate-stderr "$CONCUR" cpu --format xml
    [ "$status" -eq 2 ]
    [ "$stderr" = "concur cpu: --format: unknown format 'xml' (table, csv or json)" ]
}

@test "every command's --help names table" {
    for cmd in cpu io sweep stats compare predict classify; do
        run "$CONCUR" "$cmd" --help
        [ "$status" -eq 0 ]
        [[ "$output" == *"--format"*"table"* ]]
    done
}
