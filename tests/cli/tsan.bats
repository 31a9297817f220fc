#!/usr/bin/env bats
# make tsan: the pthread-based paths under ThreadSanitizer. CONCUR is the
# -fsanitize=thread build (bin/tsan/concur), used both for `concur io` and
# for the `concur serve` it talks to (libmicrohttpd's thread and our timer
# thread share the suspended connections and the /flaky table).
#
# OpenMP paths are not run here: gcc's libgomp is not instrumented, so
# TSan cannot see its barriers and locks and reports every `omp critical`
# as a race (see doc/testing.md).

load helpers
load io_helpers

# A finding stops the process at once with a status no test expects.
export TSAN_OPTIONS="${TSAN_OPTIONS:+$TSAN_OPTIONS:}halt_on_error=1:exitcode=66"

# Runs concur io with the arguments, against the reference list plus
# anything in $TMP/extra; it must exit 0 with no ThreadSanitizer report.
io_clean() {
    reference_list >"$TMP/urls"
    [ ! -e "$TMP/extra" ] || cat "$TMP/extra" >>"$TMP/urls"
    run --separate-stderr "$CONCUR" io --urls "$TMP/urls" --log "$TMP/log.csv" --repeat 2 "$@"
    if [ "$status" -ne 0 ] || [[ "$stderr" == *ThreadSanitizer* ]]; then
        echo "exit status $status" >&2
        printf '%s\n' "$stderr" >&2
        return 1
    fi
    [ "$(csv_value /dev/stdin 2 bytes <<<"$output")" -ge "$REFERENCE_BYTES" ]
}

@test "tsan: threads, each with its own handle" {
    start_server --latency 10ms
    io_clean --mode threads --workers 8
}

@test "tsan: threads with --share (one locked DNS and connection cache)" {
    start_server --latency 10ms
    io_clean --mode threads --workers 8 --share
}

@test "tsan: threads --share --retry against /flaky, Retry-After honoured" {
    start_server
    local i
    for i in $(seq 12); do
        echo "$SERVER_URL/flaky/t$i/2"
        echo "$SERVER_URL/flaky/ra$i/1?retry-after=0"
    done >"$TMP/extra"
    # the second run finds every key recovered: one attempt each
    io_clean --mode threads --workers 8 --share --retry 3
    [ "$(grep -c '/flaky/.*,200,2,' "$TMP/log.csv")" -eq 24 ]
}

@test "tsan: threads --retry against /flaky, first attempts logged" {
    start_server
    local i
    for i in $(seq 12); do echo "$SERVER_URL/flaky/n$i/2"; done >"$TMP/extra"
    run --separate-stderr "$CONCUR" io --mode threads --workers 6 --retry 3 \
        --urls "$TMP/extra" --log "$TMP/log.csv" -q
    [ "$status" -eq 0 ]
    [[ "$stderr" != *ThreadSanitizer* ]]
    [ "$(grep -c ',200,2,.*,3,$' "$TMP/log.csv")" -eq 12 ]
}

@test "tsan: multi, many transfers in flight" {
    start_server --latency 10ms
    io_clean --mode multi --workers 40
}

@test "tsan: multi --retry against /flaky" {
    start_server
    local i
    for i in $(seq 12); do echo "$SERVER_URL/flaky/m$i/1?retry-after=0"; done >"$TMP/extra"
    io_clean --mode multi --workers 16 --retry 2
}

@test "tsan: the server alone under 200 concurrent delayed requests and faults" {
    start_server --latency 50ms
    local args=() i
    for i in $(seq 200); do
        args+=(-o /dev/null -w '%{http_code}\n' "$SERVER_URL/bytes/1024?i=$i")
    done
    args+=(-o /dev/null "$SERVER_URL/fault/reset" -o /dev/null "$SERVER_URL/drip?numbytes=50&duration=0.2")
    run curl -s --max-time 30 --parallel --parallel-immediate --parallel-max 210 "${args[@]}"
    [ "$(printf '%s\n' "$output" | grep -c '^200$')" -ge 200 ]
    # a hung request, and the server stopped while it waits (teardown)
    curl -s --max-time 5 -o /dev/null "$SERVER_URL/fault/hang" 3>&- &
    sleep 0.3
}

@test "tsan: threads over TLS, one trust store shared by every connection" {
    start_server --latency 10ms --tls --cert-out "$TMP/cert.pem"
    io_clean --mode threads --workers 8 --cacert "$TMP/cert.pem"
    # a bundle whose certificates are decoded when first asked for, by
    # whichever thread verifies first
    cat /etc/ssl/certs/ca-certificates.crt "$TMP/cert.pem" >"$TMP/bundle.pem"
    io_clean --mode threads --workers 8 --cacert "$TMP/bundle.pem"
    # the system store, loaded lazily by whichever thread connects first
    # (it does not trust this server: every URL fails verification)
    run --separate-stderr "$CONCUR" io --mode threads --workers 8 --urls "$TMP/urls" -q
    [ "$status" -eq 1 ]
    [[ "$stderr" != *ThreadSanitizer* ]]
}
