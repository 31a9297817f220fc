#!/usr/bin/env bats
# The documentation that ships with concur: the manual pages (generated from
# each command's --help by scripts/make-man), --help on every script, and
# shellcheck over every shell script.

load helpers

ROOT=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)

# The commands that `concur --help` lists.
commands() {
    "$CONCUR" --help | awk '/^commands:/ {on = 1; next} on && /^$/ {exit} on {print $1}'
}

# The options that a --help on stdin lists, one a line: the option words at
# the start of its option lines ("  --kernel PATH", "  -v, --verbose").
help_options() {
    grep -E '^  -' | grep -oE '^  -[^ ]+(, -[^ ]+)?' | tr ',' '\n' | tr -d ' ' | sort -u
}

# A page as man shows it, plain ASCII; troff's warnings on stderr.
render() {
    LC_ALL=C MANWIDTH=80 man --warnings -l "$1"
}

@test "make-man writes a page for concur and for every command" {
    run "$ROOT/scripts/make-man" "$CONCUR" "$TMP/man"
    [ "$status" -eq 0 ]
    [ -s "$TMP/man/concur.1" ]
    local cmd n=0
    for cmd in $(commands); do
        [ -s "$TMP/man/concur-$cmd.1" ] || { echo "no page for $cmd"; return 1; }
        n=$((n + 1))
    done
    [ "$n" -ge 10 ]
    # concur(1) points at every command's page.
    run render "$TMP/man/concur.1"
    for cmd in $(commands); do
        grep -q "concur-$cmd(1)" <<<"$output" || { echo "concur(1) lacks concur-$cmd(1)"; return 1; }
    done
}

@test "every manual page renders with man -l without a warning" {
    "$ROOT/scripts/make-man" "$CONCUR" "$TMP/man"
    local page
    for page in "$TMP"/man/*.1; do
        run --separate-stderr render "$page"
        [ "$status" -eq 0 ]
        [ -n "$output" ]
        [ -z "$stderr" ] || { echo "$page: $stderr"; return 1; }
    done
}

@test "every option that --help lists appears in its manual page" {
    "$ROOT/scripts/make-man" "$CONCUR" "$TMP/man"
    local cmd opt text missing=
    for cmd in $(commands); do
        text=$(render "$TMP/man/concur-$cmd.1" 2>/dev/null)
        grep -q "^NAME" <<<"$text"
        for opt in $("$CONCUR" "$cmd" --help | help_options); do
            grep -qE -- "(^|[^-[:alnum:]])$opt([^-[:alnum:]]|\$)" <<<"$text" || missing+=" $cmd:$opt"
        done
    done
    [ -z "$missing" ] || { echo "missing:$missing"; return 1; }
    # The extraction itself finds options (a test that cannot fail is none).
    [ "$("$CONCUR" io --help | help_options | grep -c -- '--cacert')" -eq 1 ]
}

# help2man takes a SYNOPSIS only from a line that starts "Usage:" (and
# "  or:" lines right under it); without one the usage line lands in the
# DESCRIPTION.
@test "every manual page has a SYNOPSIS naming its command" {
    "$ROOT/scripts/make-man" "$CONCUR" "$TMP/man"
    local page text synopsis missing=
    for page in "$TMP"/man/*.1; do
        text=$(render "$page" 2>/dev/null)
        synopsis=$(awk '/^SYNOPSIS/ {on = 1; next} /^[A-Z]/ {on = 0} on' <<<"$text")
        grep -q 'concur' <<<"$synopsis" || missing+=" ${page##*/}"
        grep -qi '^ *usage:' <<<"$text" && missing+=" ${page##*/}(usage-in-text)"
    done
    [ -z "$missing" ] || { echo "no SYNOPSIS:$missing"; return 1; }
}

# How to run one script of jobs/, scripts/, analysis/ or data/ with ARGS.
run_script() {
    local script=$1
    shift
    case $script in
        *.gp) gnuplot -c "$script" "$@" ;;
        *) if [ -x "$script" ]; then "$script" "$@"; else bash "$script" "$@"; fi ;;
    esac
}

@test "--help and -h on every script print its usage on stdout and exit 0" {
    local script opt bad=
    cd "$ROOT"
    export -f run_script
    for script in jobs/* scripts/* analysis/* data/*; do
        case $script in *.txt | *.png | *.md) continue ;; esac
        for opt in --help -h; do
            # Should a script ignore the option, it must not start its work.
            status=0
            output=$(DRY_RUN=1 CHECK_ONLY=1 RESULTS="$TMP/results" CONCUR_RESULTS="$TMP/results" \
                timeout 60 bash -c 'run_script "$@"' _ "$script" "$opt" 2>"$TMP/stderr" </dev/null) || status=$?
            if [ "$status" -ne 0 ] || [ -z "$output" ] || [ -s "$TMP/stderr" ]; then
                bad+=" $script $opt (exit $status, $(wc -l <<<"$output") lines out, $(wc -l <"$TMP/stderr") err);"
            fi
        done
    done
    [ -z "$bad" ] || { echo "bad:$bad"; return 1; }
    [ ! -e "$TMP/results" ]
}

# Every shell script of the tree: the ones with a sh or bash shebang or a
# shellcheck shell= directive, and the sourced *.sh and *.bash files.
shell_scripts() {
    local f
    for f in jobs/* scripts/* analysis/* data/* tests/cli/*.bash tests/slurm/* .ci/*; do
        [ -f "$f" ] || continue
        case $f in
            *.sh | *.bash) echo "$f" ;;
            *) if head -n 1 "$f" | grep -qE '^#!.*[/ ](ba)?sh$' || grep -q '^# shellcheck shell=' "$f"; then echo "$f"; fi ;;
        esac
    done
}

@test "every shell script is shellcheck-clean (default severity)" {
    command -v shellcheck >/dev/null || skip "shellcheck is not installed (scripts/ensure-deps installs it)"
    cd "$ROOT"
    local scripts
    mapfile -t scripts < <(shell_scripts)
    [ "${#scripts[@]}" -ge 25 ]
    run shellcheck -x "${scripts[@]}"
    [ "$status" -eq 0 ]
}
