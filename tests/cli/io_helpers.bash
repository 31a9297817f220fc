# Shared set-up for the `concur io` tests: load after helpers.
#
# start_server [SERVE OPTIONS]: starts `concur serve` (the binary under
# test) on a free port of 127.0.0.1 and sets SERVER_URL (no trailing slash)
# and SERVER_PID; teardown stops it by PID and fails the test if the server
# did not stop cleanly or a sanitizer complained about it.

# Under the sanitizers a finding must not pass for a failed download
# (exit 1): it exits 99.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}exitcode=99"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}exitcode=99:print_stacktrace=1"

start_server() {
    rm -f "$TMP/server.port" "$TMP/server.pid"
    # fd 3 closed: bats waits for it, and the server outlives this function.
    "$CONCUR" serve --port 0 --port-file "$TMP/server.port" \
        --pid-file "$TMP/server.pid" "$@" >"$TMP/server.out" 2>"$TMP/server.err" 3>&- &
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
    "$CONCUR" io --mode "$mode" "${workers[@]}" "$@"
}
