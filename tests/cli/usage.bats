#!/usr/bin/env bats
# The command line of every subcommand: getopt's complaints are concur's
# one line (exit 2, "concur CMD:" first, nothing on stdout), and output
# files named by options are checked before any work.

load helpers

FIX=$BATS_TEST_DIRNAME/../fixtures

# Every subcommand `concur --help` lists (so that a new one is covered).
subcommands() {
    "$CONCUR" --help | awk '/^commands:/ { on = 1; next } on && /^  [a-z]/ { print $1 } on && /^$/ { exit }'
}

# one_line_refusal CMD REASON ARGS...: exit 2, nothing on stdout, exactly one
# stderr line that starts "concur CMD: " and contains REASON.
one_line_refusal() {
    local cmd=$1 reason=$2; shift 2
    run --separate-stderr timeout 20 "$CONCUR" "$cmd" "$@"
    [ "$status" -eq 2 ] || { echo "concur $cmd $*: status $status"; false; }
    [ -z "$output" ] || { echo "concur $cmd $*: stdout: $output"; false; }
    [ "$(printf '%s\n' "$stderr" | wc -l)" -eq 1 ] || { echo "concur $cmd $*: stderr: $stderr"; false; }
    [[ "$stderr" == "concur $cmd: "*"$reason"* ]] || { echo "concur $cmd $*: stderr: $stderr"; false; }
}

@test "every subcommand is listed" {
    [ "$(subcommands | wc -l)" -ge 8 ]
    subcommands | grep -qx classify
}

@test "every subcommand refuses an unknown option in one line, exit 2" {
    local cmd
    for cmd in $(subcommands); do
        one_line_refusal "$cmd" "unknown option '--bogus'" --bogus
        one_line_refusal "$cmd" "unknown option '--bogus'" --bogus=1
        one_line_refusal "$cmd" "unknown option '-5'" -5
        one_line_refusal "$cmd" "option '--help' takes no value" --help=yes
    done
}

@test "a missing option value is one line, exit 2" {
    one_line_refusal sumsq "option '--kernel' needs a value" --kernel
    one_line_refusal cpu "option '--count' needs a value" --count
    one_line_refusal io "option '--urls' needs a value" --urls
    one_line_refusal serve "option '--port' needs a value" --port
    one_line_refusal stats "option '--format' needs a value" --format
    one_line_refusal compare "option '--format' needs a value" --format
    one_line_refusal predict "option '--format' needs a value" --format
    one_line_refusal classify "option '--format' needs a value" --format
}

@test "sumsq: a negative number is an unknown option, one line" {
    one_line_refusal sumsq "unknown option '-5'" -5
}

@test "serve --port-file in a missing directory: exit 2 before the URL is printed" {
    one_line_refusal serve "--port-file: cannot create '$TMP/no/port'" --port 0 --port-file "$TMP/no/port"
    one_line_refusal serve "--pid-file: cannot create '$TMP/no/pid'" --port 0 --pid-file "$TMP/no/pid"
    one_line_refusal serve "--pid-file: '$TMP' is a directory" --port 0 --pid-file "$TMP"
}

@test "predict --plot in a missing directory: exit 2 before anything is printed" {
    one_line_refusal predict "--plot: cannot create '$TMP/no/x.png'" --plot "$TMP/no/x.png" "$FIX/cpu_runs.csv"
}

@test "predict --plot that fails (no gnuplot) prints no table, exit 1" {
    run --separate-stderr env PATH=/nonexistent "$CONCUR" predict --plot "$TMP/x.png" "$FIX/cpu_runs.csv"
    [ "$status" -eq 1 ]
    [ -z "$output" ]
    [[ "$stderr" == *"gnuplot failed (is gnuplot installed?)"* ]]
}

@test "predict --help lists every exit status" {
    run "$CONCUR" predict --help
    [ "$status" -eq 0 ]
    [[ "$output" == *"Exit status: 0 predicted, 1 the plot failed"*"2 bad usage"* ]]
}
