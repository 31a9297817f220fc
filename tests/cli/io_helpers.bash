# Shared set-up for the `concur io` tests: load after helpers.
#
# start_server [--latency SECONDS]: starts the test HTTP server on a free
# port of 127.0.0.1 and sets SERVER_URL (no trailing slash) and SERVER_PID;
# teardown stops it by PID. The server is tests/cli/fake_server.py, a
# stand-in for `concur serve` with the same routes; switching to the
# embedded server is the one SERVER_COMMAND line below (and SERVER_EXTRAS=0
# if it lacks the stand-in's extra /flaky route).

# Under the sanitizers a finding must not pass for a failed download
# (exit 1): it exits 99.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}exitcode=99"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}exitcode=99:print_stacktrace=1"

SERVER_COMMAND=(python3 "$BATS_TEST_DIRNAME/fake_server.py")
SERVER_EXTRAS=1

start_server() {
    rm -f "$TMP/server.port" "$TMP/server.pid"
    # fd 3 closed: bats waits for it, and the server outlives this function.
    "${SERVER_COMMAND[@]}" --port 0 --port-file "$TMP/server.port" \
        --pid-file "$TMP/server.pid" "$@" >"$TMP/server.out" 2>&1 3>&- &
    local tries=0
    until [ -s "$TMP/server.port" ] && [ -s "$TMP/server.pid" ]; do
        tries=$((tries + 1))
        if [ "$tries" -gt 200 ]; then
            echo "test server did not start:" >&2
            cat "$TMP/server.out" >&2
            return 1
        fi
        sleep 0.05
    done
    SERVER_PID=$(cat "$TMP/server.pid")
    SERVER_URL="http://127.0.0.1:$(cat "$TMP/server.port")"
}

stop_server() {
    if [ -n "${SERVER_PID:-}" ]; then
        kill "$SERVER_PID" 2>/dev/null || true
        SERVER_PID=
    fi
}

teardown() {
    stop_server
    rm -rf "$TMP"
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
