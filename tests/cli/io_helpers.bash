# Shared set-up for the `concur io` tests: load after helpers.
#
# SERVER_ARGS and IO_ARGS (arrays, empty unless a test file sets them) are
# added to every `concur serve` of start_server and every `concur io` of
# io_in_mode: io_tls.bats runs the same checks over HTTPS with them.
#
# start_server [SERVE OPTIONS]: starts `concur serve` (the binary under
# test) on a free port of 127.0.0.1 and sets SERVER_URL (no trailing slash)
# and SERVER_PID; teardown stops it by PID and fails the test if the server
# did not stop cleanly or a sanitizer complained about it.

# For shellcheck: the tests read the variables set here, bats' run sets
# status, output, lines and stderr, and start_server's options are optional.
# shellcheck disable=SC2034,SC2154,SC2119,SC2120

# Under the sanitizers a finding must not pass for a failed download
# (exit 1): it exits 99.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}exitcode=99"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}exitcode=99:print_stacktrace=1"

start_server() {
    rm -f "$TMP/server.port" "$TMP/server.pid"
    # fd 3 closed: bats waits for it, and the server outlives this function.
    "$CONCUR" serve --port 0 --port-file "$TMP/server.port" \
        --pid-file "$TMP/server.pid" "${SERVER_ARGS[@]}" "$@" >"$TMP/server.out" 2>"$TMP/server.err" 3>&- &
    SERVER_PID=$!
    local tries=0
    until [ -s "$TMP/server.port" ]; do
        tries=$((tries + 1))
        if [ "$tries" -gt 200 ] || ! kill -0 "$SERVER_PID" 2>/dev/null; then
            echo "test server did not start:" >&2
            cat "$TMP/server.err" >&2
            return 1
        fi
        sleep 0.05
    done
    SERVER_URL="http://127.0.0.1:$(cat "$TMP/server.port")"
    [[ " ${SERVER_ARGS[*]} $* " != *" --tls "* ]] || SERVER_URL="https://${SERVER_URL#http://}"
}

# start_hostile BEHAVIOUR: starts tests/cli/hostile_server.py (behaviours
# that concur serve has no reason to offer) on a free port and sets
# HOSTILE_URL (no trailing slash) and HOSTILE_PID; teardown stops it.
start_hostile() {
    rm -f "$TMP/hostile.port"
    python3 "$BATS_TEST_DIRNAME/hostile_server.py" "$1" "$TMP/hostile.port" 3>&- &
    HOSTILE_PID=$!
    local tries=0
    until [ -s "$TMP/hostile.port" ]; do
        tries=$((tries + 1))
        if [ "$tries" -gt 200 ] || ! kill -0 "$HOSTILE_PID" 2>/dev/null; then
            echo "hostile server did not start" >&2
            return 1
        fi
        sleep 0.05
    done
    HOSTILE_URL="http://127.0.0.1:$(cat "$TMP/hostile.port")"
}

# A server that crashed or did not stop, or that a sanitizer complained
# about, fails the test.
teardown() {
    local started=${SERVER_PID:-} ok=0
    if [ -n "${HOSTILE_PID:-}" ]; then
        kill "$HOSTILE_PID" 2>/dev/null || true
        wait "$HOSTILE_PID" 2>/dev/null || true
        HOSTILE_PID=
    fi
    stop_server
    if [ -n "$started" ]; then
        [ "$SERVER_STATUS" -eq 0 ] || ok=1
        ! grep -q 'Sanitizer\|runtime error' "$TMP/server.err" || ok=1
        [ "$ok" -eq 0 ] || { echo "server exit status $SERVER_STATUS:" >&2; cat "$TMP/server.err" >&2; }
    fi
    rm -rf "$TMP"
    return "$ok"
}

# The reference list of the notes: two resources alternating, 80 times each.
REFERENCE_ITEMS=160
REFERENCE_BYTES=2703360 # 80*32768 + 80*1024

reference_list() {
    local i
    for i in $(seq 80); do
        echo "$SERVER_URL/bytes/32768"
        echo "$SERVER_URL/bytes/1024"
    done
}

# The value of column NAME in CSV row ROW (1 = first data row) of FILE.
csv_value() {
    local file=$1 row=$2 name=$3
    awk -F, -v row="$row" -v name="$name" '
        NR == 1 { for (i = 1; i <= NF; i++) if ($i == name) col = i; next }
        NR == row + 1 { print $col }' "$file"
}

# The log line of the URL ending in SUFFIX (the first one).
log_line() {
    local file=$1 suffix=$2
    awk -F, -v s="$suffix" 'NR > 1 && substr($1, length($1) - length(s) + 1) == s { print; exit }' "$file"
}

# Runs concur io in MODE (mpi: as a singleton) with the remaining arguments.
io_in_mode() {
    local mode=$1; shift
    local workers=()
    case "$mode" in
        threads|multi) workers=(--workers 8) ;;
    esac
    "$CONCUR" io --mode "$mode" "${workers[@]}" "${IO_ARGS[@]}" "$@"
}

# The reference list in one mode: exact items, bytes and per-URL status.
check_reference() {
    start_server
    reference_list >"$TMP/urls"
    run --separate-stderr "$@" --urls "$TMP/urls" --log "$TMP/log.csv" --repeat 2
    # on failure, the first lines of the log say why
    [ "$status" -eq 0 ] || { head -n 4 "$TMP/log.csv"; false; }
    [ "$(csv_value /dev/stdin 1 items <<<"$output")" -eq "$REFERENCE_ITEMS" ]
    [ "$(csv_value /dev/stdin 1 bytes <<<"$output")" -eq "$REFERENCE_BYTES" ]
    [ "$(csv_value /dev/stdin 1 errors <<<"$output")" -eq 0 ]
    [ "$(csv_value /dev/stdin 2 bytes <<<"$output")" -eq "$REFERENCE_BYTES" ]
    [ "${#lines[@]}" -eq 3 ] # header and two runs
    [[ "$stderr" == *"Downloaded 160 in "*" seconds"* ]]
    # The log: one line per URL in list order, each 200 with its exact size.
    [ "$(wc -l <"$TMP/log.csv")" -eq 161 ]
    run awk -F, 'NR > 1 && !($2 == 200 && $3 == (NR % 2 == 0 ? 32768 : 1024) && $5 == 1 && $6 == "")' "$TMP/log.csv"
    [ -z "$output" ]
}

# Every fault is one error for its URL, with its reason; the rest complete.
check_faults() {
    start_server
    cat >"$TMP/urls" <<URLS
$SERVER_URL/bytes/100
$SERVER_URL/status/404
$SERVER_URL/fault/reset
$SERVER_URL/fault/hang
$SERVER_URL/fault/redirect-loop
$SERVER_URL/fault/huge
http://127.0.0.1:1/refused
this is not a url
$SERVER_URL/status/500
file:///etc/passwd
$SERVER_URL/bytes/200
URLS
    run --separate-stderr io_in_mode "$1" --urls "$TMP/urls" --log "$TMP/log.csv" \
        --timeout 1s --max-size 64KiB
    [ "$status" -eq 1 ]
    [ "$(csv_value /dev/stdin 1 items <<<"$output")" -eq 11 ]
    [ "$(csv_value /dev/stdin 1 errors <<<"$output")" -eq 9 ]
    [ "$(csv_value /dev/stdin 1 bytes <<<"$output")" -eq 300 ]
    [[ "$(log_line "$TMP/log.csv" /bytes/100)" == *",200,100,"*",1," ]]
    [[ "$(log_line "$TMP/log.csv" /bytes/200)" == *",200,200,"*",1," ]]
    [[ "$(log_line "$TMP/log.csv" /status/404)" == *",404,"*"HTTP status 404" ]]
    [[ "$(log_line "$TMP/log.csv" /status/500)" == *",500,"*"HTTP status 500" ]]
    [[ "$(log_line "$TMP/log.csv" /fault/reset)" == *"Connection reset by peer"* ]]
    [[ "$(log_line "$TMP/log.csv" /fault/hang)" == *"Timeout was reached"* ]]
    [[ "$(log_line "$TMP/log.csv" /fault/redirect-loop)" == *"redirects"* ]]
    [[ "$(log_line "$TMP/log.csv" /fault/huge)" == *"body larger than the maximum size (65536 bytes)"* ]]
    [[ "$(log_line "$TMP/log.csv" /refused)" == *"Couldn't connect to server"* ]]
    [[ "$(grep '^this is not a url' "$TMP/log.csv")" == *",0,line 8: not a URL: no scheme"* ]]
    [[ "$(grep '^file:' "$TMP/log.csv")" == *"protocol 'file' not allowed by --protocols http,https"* ]]
    [[ "$stderr" == *"Downloaded 2 of 11 in "* ]]
}

# MPI under mpirun: the list split over ranks, totals and per-URL log exact.
check_mpi() {
    local np=$1; shift
    start_server
    reference_list >"$TMP/urls"
    run --separate-stderr mpirun_np "$np" "$CONCUR" io --mode mpi --urls "$TMP/urls" \
        --log "$TMP/log.csv" "$@"
    [ "$status" -eq 0 ]
    [ "${#lines[@]}" -eq 2 ] # only rank 0 prints
    [ "$(csv_value /dev/stdin 1 items <<<"$output")" -eq "$REFERENCE_ITEMS" ]
    [ "$(csv_value /dev/stdin 1 bytes <<<"$output")" -eq "$REFERENCE_BYTES" ]
    [ "$(csv_value /dev/stdin 1 ranks <<<"$output")" -eq "$np" ]
    run awk -F, 'NR > 1 && !($2 == 200 && $3 == (NR % 2 == 0 ? 32768 : 1024))' "$TMP/log.csv"
    [ -z "$output" ]
    [ "$(wc -l <"$TMP/log.csv")" -eq 161 ]
}
