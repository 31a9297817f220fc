#!/usr/bin/env bats
# concur serve: the embedded latency server. Every test starts its own server
# on a free port and stops it by PID.

load helpers

# Starts `concur serve --port 0` in the background with the given options;
# sets SERVER_PID, PORT and URL once the port file is there (bounded wait).
start_server() {
    # 3>&-: bats waits for fd 3 to close; the server must not hold it
    # SERVE_PREFIX: a command to run it under (prlimit), or nothing
    "${SERVE_PREFIX[@]}" "$CONCUR" serve --port 0 --port-file "$TMP/port" --pid-file "$TMP/pid" "$@" \
        >"$TMP/stdout" 2>"$TMP/stderr" 3>&- &
    SERVER_PID=$!
    local i
    for i in $(seq 200); do
        [ -s "$TMP/port" ] && break
        kill -0 "$SERVER_PID" 2>/dev/null || break
        sleep 0.05
    done
    if [ ! -s "$TMP/port" ]; then
        cat "$TMP/stderr" >&2
        return 1
    fi
    PORT=$(cat "$TMP/port")
    URL="http://127.0.0.1:$PORT"
}

# A server that crashed, or that a sanitizer complained about, fails the test.
teardown() {
    local was_running=${SERVER_PID:-}
    if [ -n "${SLOW_PID:-}" ]; then
        kill "$SLOW_PID" 2>/dev/null || true
        wait "$SLOW_PID" 2>/dev/null || true
    fi
    stop_server
    local ok=0
    if [ -n "$was_running" ]; then
        [ "$SERVER_STATUS" -eq 0 ] || ok=1
        ! grep -q 'Sanitizer\|runtime error' "$TMP/stderr" || ok=1
        [ "$ok" -eq 0 ] || cat "$TMP/stderr" >&2
    fi
    rm -rf "$TMP"
    return "$ok"
}

# curl with a bound on time, never following redirects unless asked.
fetch() {
    curl -sS --max-time 20 "$@"
}

@test "serve prints its URL as the first line and writes the port and pid files" {
    start_server
    [ "$(head -n 1 "$TMP/stdout")" = "http://127.0.0.1:$PORT/" ]
    [[ "$PORT" =~ ^[0-9]+$ ]]
    [ "$(cat "$TMP/pid")" = "$SERVER_PID" ]
    run fetch "$URL/"
    [ "$status" -eq 0 ]
    [[ "$output" == *"/bytes/N"* ]]
}

@test "/bytes/N gives exactly N bytes, the same bytes every time" {
    start_server
    fetch -o "$TMP/a" -D "$TMP/headers" "$URL/bytes/32768"
    fetch -o "$TMP/b" "$URL/bytes/32768"
    [ "$(stat -c %s "$TMP/a")" -eq 32768 ]
    cmp "$TMP/a" "$TMP/b"
    grep -qi '^content-length: 32768' "$TMP/headers"
    [ "$(fetch "$URL/bytes/0" | wc -c)" -eq 0 ]
    # a shorter body is the start of a longer one: one deterministic stream
    fetch -o "$TMP/c" "$URL/bytes/1000"
    cmp -n 1000 "$TMP/a" "$TMP/c"
}

@test "/bytes/N above the limit and non-numeric N answer 400 naming the value" {
    start_server
    run fetch -w '\n%{http_code}' "$URL/bytes/1073741825"
    [ "${lines[1]}" = 400 ]
    [[ "${lines[0]}" == *"'1073741825' exceeds the limit"* ]]
    run fetch -o /dev/null -w '%{http_code}' "$URL/bytes/abc"
    [ "$output" = 400 ]
}

@test "/status/CODE answers that status" {
    start_server
    run fetch -w '\n%{http_code}' "$URL/status/418"
    [ "${lines[1]}" = 418 ]
    [[ "${lines[0]}" == "418"* ]]
    run fetch -o /dev/null -w '%{http_code}' "$URL/status/503"
    [ "$output" = 503 ]
    run fetch -o /dev/null -w '%{http_code}' "$URL/status/99"
    [ "$output" = 400 ]
}

@test "unknown paths answer 404" {
    start_server
    run fetch -o /dev/null -w '%{http_code}' "$URL/nowhere"
    [ "$output" = 404 ]
    run fetch -o /dev/null -w '%{http_code}' "$URL/bytes"
    [ "$output" = 404 ]
}

@test "query strings are ignored by routing" {
    start_server
    fetch -o "$TMP/plain" "$URL/bytes/1024"
    fetch -o "$TMP/query" "$URL/bytes/1024?i=7"
    cmp "$TMP/plain" "$TMP/query"
    run fetch -o /dev/null -w '%{http_code}' "$URL/status/418?i=3&x=y"
    [ "$output" = 418 ]
}

# within T LOW HIGH: LOW <= T < HIGH. The waits are of a second or more and
# the upper bounds leave most of a second to spare, far more than a request
# on loopback takes on a busy machine, yet below what a wait applied twice
# would give: they catch that, not a slow machine.
within() {
    awk -v t="$1" -v low="$2" -v high="$3" 'BEGIN { exit !(t >= low && t < high) }' ||
        { echo "time $1 not in [$2, $3)"; false; }
}

@test "--latency is applied before every response, once" {
    run_alone # a time window (helpers.bash)
    start_server --latency 1s
    run fetch -o /dev/null -w '%{time_total}' "$URL/bytes/10"
    [ "$status" -eq 0 ]
    within "$output" 1.0 1.8
    run fetch -o /dev/null -w '%{http_code} %{time_total}' "$URL/nowhere"
    [ "${output%% *}" = 404 ]
    within "${output#* }" 1.0 1.8
}

@test "/delay/SECONDS adds to the latency, each once" {
    run_alone # a time window (helpers.bash)
    start_server --latency 1s
    run fetch -o /dev/null -w '%{http_code} %{time_total}' "$URL/delay/1"
    [ "${output%% *}" = 200 ]
    within "${output#* }" 2.0 2.8
    run fetch -o /dev/null -w '%{http_code}' "$URL/delay/61"
    [ "$output" = 400 ]
}

@test "/drip spreads its bytes over the duration" {
    run_alone # a time window (helpers.bash)
    start_server
    run fetch -o "$TMP/drip" -w '%{http_code} %{time_total}' "$URL/drip?numbytes=20&duration=1&i=1"
    [ "$status" -eq 0 ]
    [ "${output%% *}" = 200 ]
    within "${output#* }" 0.95 1.8
    [ "$(stat -c %s "$TMP/drip")" -eq 20 ]
    run fetch -o /dev/null -w '%{http_code}' "$URL/drip?numbytes=lots"
    [ "$output" = 400 ]
}

@test "keep-alive: one curl fetching two URLs reuses the connection" {
    start_server
    run curl -sv --max-time 20 -o /dev/null -o /dev/null "$URL/bytes/10" "$URL/bytes/20"
    [ "$status" -eq 0 ]
    [[ "$output" == *"Re-using existing connection"* ]]
}

@test "/fault/reset breaks the transfer mid-body with a reset" {
    start_server
    run curl -sS --max-time 20 -o "$TMP/partial" "$URL/fault/reset"
    [ "$status" -eq 56 ] # a receive error, not just a short body (18)
    [[ "$output" == *"Connection reset by peer"* ]]
    [ "$(stat -c %s "$TMP/partial")" -eq 16384 ]
    # the server goes on serving
    run fetch -o /dev/null -w '%{http_code}' "$URL/bytes/1"
    [ "$output" = 200 ]
}

@test "/fault/hang is never answered and does not block other requests" {
    start_server
    curl -s --max-time 1 -o /dev/null "$URL/fault/hang" 3>&- &
    local hung=$!
    sleep 0.2
    run fetch -o /dev/null -w '%{http_code}' "$URL/bytes/10"
    [ "$output" = 200 ]
    local rc=0
    wait "$hung" || rc=$?
    [ "$rc" -eq 28 ]
    # still serving after the client gave up
    run fetch -o /dev/null -w '%{http_code}' "$URL/status/204"
    [ "$output" = 204 ]
}

@test "/fault/redirect-loop redirects to itself forever" {
    start_server
    run fetch -o /dev/null -w '%{http_code} %{redirect_url}' "$URL/fault/redirect-loop"
    [ "$output" = "302 $URL/fault/redirect-loop" ]
    run curl -s --max-time 20 -o /dev/null -L --max-redirs 5 "$URL/fault/redirect-loop"
    [ "$status" -eq 47 ]
}

@test "/fault/huge advertises a body beyond any sane limit" {
    start_server
    run curl -s --max-time 20 -o /dev/null --max-filesize 100000000 "$URL/fault/huge"
    [ "$status" -eq 63 ]
    run curl -s --max-time 20 -I "$URL/fault/huge"
    [[ "$output" == *"1099511627776"* ]]
}

@test "/flaky/KEY/N: 503 for the first N requests of KEY, then 200 ok" {
    start_server
    local codes=() i
    for i in 1 2 3 4; do
        codes+=("$(fetch -o "$TMP/body$i" -D "$TMP/headers$i" -w '%{http_code}' "$URL/flaky/a/2?retry-after=7")")
    done
    [ "${codes[*]}" = "503 503 200 200" ]
    grep -qi '^retry-after: 7' "$TMP/headers1"
    grep -q 'failure 2 of 2' "$TMP/body2"
    ! grep -qi '^retry-after' "$TMP/headers3"
    [ "$(cat "$TMP/body3")" = ok ]
    # another key has its own count; no retry-after, no header
    fetch -o /dev/null -D "$TMP/headers" "$URL/flaky/b/1"
    grep -q '^HTTP/1.1 503' "$TMP/headers"
    ! grep -qi '^retry-after' "$TMP/headers"
    run fetch -o /dev/null -w '%{http_code}' "$URL/flaky/b/1"
    [ "$output" = 200 ]
    run fetch -o /dev/null -w '%{http_code}' "$URL/flaky/c/0"
    [ "$output" = 200 ]
}

@test "/flaky: bad keys, counts and retry-after answer 400 and count nothing" {
    start_server
    run fetch -w '\n%{http_code}' "$URL/flaky/d/1?retry-after=soon"
    [ "${lines[1]}" = 400 ]
    [[ "${lines[0]}" == *"'soon'"* ]]
    run fetch -o /dev/null -w '%{http_code}' "$URL/flaky/d/1"
    [ "$output" = 503 ] # the refused request did not count
    run fetch -o /dev/null -w '%{http_code}' "$URL/flaky/d"
    [ "$output" = 400 ]
    run fetch -o /dev/null -w '%{http_code}' "$URL/flaky/a%2Fb/1"
    [ "$output" = 400 ]
    run fetch -o /dev/null -w '%{http_code}' "$URL/flaky/d/many"
    [ "$output" = 400 ]
}

@test "/flaky counts concurrent requests exactly once each" {
    start_server --latency 50ms
    local args=() i
    for i in $(seq 50); do
        args+=(-o /dev/null -w '%{http_code}\n' "$URL/flaky/many/30?i=$i")
    done
    run curl -s --max-time 30 --parallel --parallel-immediate --parallel-max 50 "${args[@]}"
    [ "$status" -eq 0 ]
    [ "$(printf '%s\n' "$output" | grep -c '^503$')" -eq 30 ]
    [ "$(printf '%s\n' "$output" | grep -c '^200$')" -eq 20 ]
}

@test "200 concurrent delayed requests all complete" {
    start_server --latency 100ms
    local args=() i
    for i in $(seq 200); do
        args+=(-o /dev/null -w '%{http_code}\n' "$URL/bytes/1024?i=$i")
    done
    run curl -s --max-time 30 --parallel --parallel-immediate --parallel-max 200 "${args[@]}"
    [ "$status" -eq 0 ]
    [ "$(printf '%s\n' "$output" | grep -c '^200$')" -eq 200 ]
}

@test "SIGTERM stops it with exit 0, removing only its own files" {
    touch "$TMP/keep"
    start_server --latency 2s
    # a waiting request and a hung one must not keep it from stopping
    curl -s --max-time 10 -o /dev/null "$URL/bytes/10" 3>&- &
    curl -s --max-time 10 -o /dev/null "$URL/fault/hang" 3>&- &
    sleep 0.3
    stop_server
    [ "$SERVER_STATUS" -eq 0 ]
    [ ! -e "$TMP/port" ]
    [ ! -e "$TMP/pid" ]
    [ -e "$TMP/keep" ]
    [ -z "$(ls "$TMP" | grep -v '^keep$\|^stdout$\|^stderr$')" ]
    wait
}

@test "SIGINT stops it too, and a pid file taken over by another process is kept" {
    start_server
    echo 999999 >"$TMP/pid"
    kill -INT "$SERVER_PID"
    local rc=0
    wait "$SERVER_PID" || rc=$?
    SERVER_PID=
    [ "$rc" -eq 0 ]
    [ "$(cat "$TMP/pid")" = 999999 ]
    [ ! -e "$TMP/port" ]
}

@test "--verbose logs one line per response on stderr" {
    start_server --verbose
    fetch -o /dev/null "$URL/status/201?i=1"
    stop_server
    grep -q '^GET /status/201 201$' "$TMP/stderr"
}

# Each bad option: exit 2, one line on stderr naming the value, nothing on stdout.
bad_option() {
    local reason=$1; shift
    run --separate-stderr timeout 10 "$CONCUR" serve "$@"
    [ "$status" -eq 2 ]
    [ -z "$output" ]
    [ "$(printf '%s\n' "$stderr" | wc -l)" -eq 1 ]
    [[ "$stderr" == *"$reason"* ]]
}

@test "a port above 65535 is refused" { bad_option "'70000'" --port 70000; }
@test "a latency without a number is refused" { bad_option "'fast'" --latency fast; }
@test "a latency above 60 s is refused" { bad_option "'2m'" --latency 2m; }
@test "a bind address that is not an address is refused" { bad_option "'nothere'" --bind nothere; }
@test "an address of another machine is refused" { bad_option "192.0.2.1" --bind 192.0.2.1; }
@test "an unexpected argument is refused" { bad_option "'extra'" extra; }

@test "a port in use exits 1 with a clear message" {
    start_server
    run --separate-stderr timeout 10 "$CONCUR" serve --port "$PORT"
    [ "$status" -eq 1 ]
    [ -z "$output" ]
    [[ "$stderr" == *"127.0.0.1:$PORT"*"already in use"* ]]
}

@test "serve --help lists the routes" {
    run "$CONCUR" serve --help
    [ "$status" -eq 0 ]
    [[ "$output" == *"/fault/redirect-loop"* ]]
    [[ "$output" == *"/flaky/KEY/N"* ]]
    [[ "$output" == *"--latency"* ]]
    # every option starts its own line
    [ "$(grep -c -- '^  -h, --help' <<<"$output")" -eq 1 ]
    [ "$(grep -c -- '^  --cert-out FILE' <<<"$output")" -eq 1 ]
}

@test "data/make-url-list gives the reference list for a server, all of it served" {
    start_server
    run "$BATS_TEST_DIRNAME/../../data/make-url-list" "$URL/"
    [ "$status" -eq 0 ]
    [ "${#lines[@]}" -eq 160 ]
    [ "${lines[0]}" = "$URL/bytes/32768" ]
    [ "${lines[1]}" = "$URL/bytes/1024" ]
    [ "$(printf '%s\n' "${lines[@]}" | sort | uniq -c | awk '{print $1}' | sort -u)" = 80 ]
    local args=() url
    for url in "${lines[@]}"; do args+=(-o /dev/null -w '%{http_code} %{size_download}\n' "$url"); done
    run curl -s --max-time 30 --parallel --parallel-max 20 "${args[@]}"
    [ "$status" -eq 0 ]
    [ "$(printf '%s\n' "$output" | awk '$1 == 200 { n++; b += $2 } END { print n, b }')" = "160 2703360" ]
}

@test "data/make-url-list --unique makes every URL distinct; bad arguments exit 2" {
    run "$BATS_TEST_DIRNAME/../../data/make-url-list" --unique http://127.0.0.1:1 4
    [ "$status" -eq 0 ]
    [ "${lines[3]}" = "http://127.0.0.1:1/bytes/1024?i=4" ]
    run "$BATS_TEST_DIRNAME/../../data/make-url-list" ftp://example.org
    [ "$status" -eq 2 ]
    run "$BATS_TEST_DIRNAME/../../data/make-url-list" http://127.0.0.1:1 many
    [ "$status" -eq 2 ]
}

@test "data/reference-urls-internet.txt is the notes' list: two sites x 80" {
    local list="$BATS_TEST_DIRNAME/../../data/reference-urls-internet.txt"
    [ "$(grep -cv '^#' "$list")" -eq 160 ]
    [ "$(grep -c '^https://www.jython.org$' "$list")" -eq 80 ]
    [ "$(grep -c '^http://olympus.realpython.org/dice$' "$list")" -eq 80 ]
}

@test "a port file that cannot be written exits 2 naming the file, before the URL" {
    run --separate-stderr timeout 10 "$CONCUR" serve --port 0 --port-file "$TMP/no/such/dir/port"
    [ "$status" -eq 2 ]
    [ -z "$output" ]
    [[ "$stderr" == *"cannot create '$TMP/no/such/dir/port'"* ]]
}

@test "--bind ::1 listens on IPv6 loopback, the URL in brackets" {
    [ -e /proc/net/if_inet6 ] || skip "no IPv6 on this machine"
    start_server --bind ::1
    [ "$(head -n 1 "$TMP/stdout")" = "http://[::1]:$PORT/" ]
    run fetch -g -o /dev/null -w '%{http_code}' "http://[::1]:$PORT/status/201"
    [ "$output" = 201 ]
}

# raw_status REQUEST: sends REQUEST (printf escapes: \r, \n, \x01, \0) on a
# connection of its own and prints the status line of the answer.
raw_status() {
    timeout 10 bash -c 'exec 5<>"/dev/tcp/127.0.0.1/$1" && printf "$2" >&5 && head -n 1 <&5' - "$PORT" "$1" |
        tr -d '\r'
}

@test "malformed requests are answered 400, 405 or 501, not served" {
    start_server --verbose
    [ "$(raw_status 'GET /bytes/3 HTTP/1.1\r\nHost: x\r\n\r\n')" = "HTTP/1.1 200 OK" ]
    [ "$(raw_status 'HEAD /bytes/3 HTTP/1.1\r\nHost: x\r\n\r\n')" = "HTTP/1.1 200 OK" ]
    [ "$(raw_status 'GET /bytes/3 HTTP/1.0\r\n\r\n')" = "HTTP/1.1 200 OK" ]
    # a method that is no token, a NUL in the target, HTTP/1.1 without Host
    [ "$(raw_status 'FOO\x01 /bytes/3 HTTP/1.1\r\nHost: x\r\n\r\n')" = "HTTP/1.1 400 Bad Request" ]
    [ "$(raw_status 'GET /bytes/3\0/x HTTP/1.1\r\nHost: x\r\n\r\n')" = "HTTP/1.1 400 Bad Request" ]
    [ "$(raw_status 'GET /bytes/3 HTTP/1.1\r\n\r\n')" = "HTTP/1.1 400 Bad Request" ]
    # HTTP's other methods, and methods nobody knows
    [ "$(raw_status 'POST /bytes/3 HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nab')" = "HTTP/1.1 405 Method Not Allowed" ]
    [ "$(raw_status 'BREW /bytes/3 HTTP/1.1\r\nHost: x\r\n\r\n')" = "HTTP/1.1 501 Not Implemented" ]
    run curl -sS --max-time 20 -X DELETE -D - -o /dev/null "$URL/bytes/3"
    [[ "$output" == *"405"*"Allow: GET, HEAD"* ]]
    # the access log never prints a malformed method raw
    ! grep -q $'\x01' "$TMP/stderr"
    grep -q '^- /bytes/3 400$' "$TMP/stderr"
}

@test "a request that does not arrive whole within --request-timeout is cut off" {
    start_server --request-timeout 1s
    # a request line, then a header byte every 0.2 s for up to 20 s: the
    # server closes the connection (the idle timeout alone never would)
    run timeout 30 python3 -c '
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")
start = time.monotonic()
try:
    while time.monotonic() - start < 20:
        s.sendall(b"X")
        s.settimeout(0.2)
        try:
            if s.recv(100) == b"":
                print("closed"); sys.exit(0)
        except socket.timeout:
            pass
except OSError:
    print("closed"); sys.exit(0)
print("still open")' "$PORT"
    [ "$output" = closed ]
    # a well-behaved client on a kept-alive connection is unaffected
    run curl -sS --max-time 20 -o /dev/null -o /dev/null -w '%{http_code}\n' "$URL/bytes/1" "$URL/delay/1.5"
    [ "$output" = $'200\n200' ]
}

@test "hundreds of slowloris clients at the connection limit do not starve a normal request" {
    # 256 descriptors: about 190 connections; 300 clients trickle headers
    # and reconnect at once when cut off. The normal request waits in the
    # listen queue until a deadline frees a slot, seconds at most.
    SERVE_PREFIX=(prlimit --nofile=256)
    start_server --request-timeout 1s
    python3 "$BATS_TEST_DIRNAME/slow_clients.py" "$PORT" 300 "$TMP/slow.ready" 3>&- &
    SLOW_PID=$!
    for i in $(seq 200); do [ -e "$TMP/slow.ready" ] && break; sleep 0.05; done
    [ -e "$TMP/slow.ready" ]
    for i in 1 2 3; do
        run curl -sS --max-time 30 -o /dev/null -w '%{http_code}' "$URL/bytes/10?$i"
        [ "$output" = 200 ]
    done
}

@test "a request timeout that is no duration is refused" { bad_option "'soon'" --request-timeout soon; }
