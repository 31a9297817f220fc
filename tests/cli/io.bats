#!/usr/bin/env bats
# concur io: every mode against the test server, the fault matrix, retries,
# --save, scale, MPI and bad usage.

load helpers
load io_helpers
# check_reference, check_faults and check_mpi are in io_helpers.bash
# (io_tls.bats runs them over HTTPS).

@test "sync: the reference list, exact" { check_reference "$CONCUR" io --mode sync; }
@test "threads: the reference list, exact" { check_reference "$CONCUR" io --mode threads --workers 8; }
@test "threads --share: the reference list, exact" { check_reference "$CONCUR" io --mode threads --workers 8 --share; }
@test "multi: the reference list, exact" { check_reference "$CONCUR" io --mode multi --workers 8; }
@test "mpi as a singleton: the reference list, exact" { check_reference "$CONCUR" io --mode mpi; }
@test "mpi singleton with a multi per rank: the reference list, exact" { check_reference "$CONCUR" io --mode mpi --workers 8; }


@test "sync: the fault matrix" { check_faults sync; }
@test "threads: the fault matrix" { check_faults threads; }
@test "multi: the fault matrix" { check_faults multi; }
@test "mpi: the fault matrix" { check_faults mpi; }

@test "an announced 1 TiB body is refused at the default 100 MiB limit, unread" {
    start_server
    echo "$SERVER_URL/fault/huge" >"$TMP/urls"
    run "$CONCUR" io --mode multi --urls "$TMP/urls" --log "$TMP/log.csv" --timeout 20s -q
    [ "$status" -eq 1 ]
    [[ "$(cat "$TMP/log.csv")" == *",0,"*"body larger than the maximum size (104857600 bytes)"* ]]
}

@test "a body whose announced length exceeds --max-size is refused before it is read" {
    # 100000 bytes announced, --max-size 1000: libcurl refuses it on the
    # Content-Length (CURLOPT_MAXFILESIZE_LARGE, in bytes), so no body byte
    # is received. Were the limit set in the wrong unit (1000 KiB), the
    # write callback would stop it only after the first block had arrived.
    start_server
    echo "$SERVER_URL/bytes/100000" >"$TMP/urls"
    for mode in sync threads multi; do
        run io_in_mode "$mode" --urls "$TMP/urls" --max-size 1000 --log "$TMP/log.csv" -q
        [ "$status" -eq 1 ]
        [[ "$(log_line "$TMP/log.csv" /bytes/100000)" == *",200,0,"*"body larger than the maximum size (1000 bytes)" ]]
    done
}

@test "--max-size is also checked as the body arrives, when no size is announced" {
    # concur serve always announces its sizes; libcurl's file:// does not
    # enforce a size limit, so this body reaches concur's own check.
    head -c 100000 /dev/zero >"$TMP/big"
    head -c 65536 /dev/zero >"$TMP/exact"
    printf '%s\n' "file://$TMP/big" "file://$TMP/exact" >"$TMP/urls"
    run "$CONCUR" io --mode sync --urls "$TMP/urls" --protocols http,https,file \
        --max-size 64KiB --log "$TMP/log.csv" -q
    [ "$status" -eq 1 ]
    [[ "$(log_line "$TMP/log.csv" /big)" == *"body larger than the maximum size (65536 bytes)" ]]
    [[ "$(log_line "$TMP/log.csv" /exact)" == *",65536,"*",1," ]]
}

@test "comments, blank lines and whitespace are ignored; - reads standard input" {
    start_server
    run --separate-stderr bash -c "printf '# a comment\n\n   \n  %s/bytes/10  \n\t%s/bytes/20\r\n  # indented comment\n' '$SERVER_URL' '$SERVER_URL' |
        '$CONCUR' io --mode multi --urls - --log '$TMP/log.csv'"
    [ "$status" -eq 0 ]
    [ "$(csv_value /dev/stdin 1 items <<<"$output")" -eq 2 ]
    [ "$(csv_value /dev/stdin 1 bytes <<<"$output")" -eq 30 ]
    [ "$(sed -n 2p "$TMP/log.csv" | cut -d, -f1)" = "$SERVER_URL/bytes/10" ]
}

@test "requests_per_s is undefined when no URL was downloaded" {
    # it read 9152.7 (URLs per second, failed ones counted)
    printf '%s\n' "http://127.0.0.1:1/a" "http://127.0.0.1:1/b" >"$TMP/urls"
    run --separate-stderr "$CONCUR" io --mode sync --urls "$TMP/urls"
    [ "$status" -eq 1 ]
    [ "$(csv_value /dev/stdin 1 errors <<<"$output")" -eq 2 ]
    [[ "${lines[1]}" == *",2,0,2,1,,0" ]]   # items, bytes, errors, ranks, no rate, oversubscribed
    run --separate-stderr "$CONCUR" io --mode sync --urls "$TMP/urls" --format json
    [[ "$output" == *'"requests_per_s": null'* ]]
}

@test "oversubscribed: waiting transfers are not CPUs, so a sweep over io marks no point" {
    # concur sweep marked threads and multi at W > CPUs oversubscribed, and the
    # Amdahl fit then left every io point out
    start_server
    for i in 1 2 3 4 5 6; do echo "$SERVER_URL/bytes/10"; done >"$TMP/urls"
    run --separate-stderr "$CONCUR" sweep --workers 1,64 --repeat 1 --warmup 0 --time reported \
        --experiment io --variant threads -- "$CONCUR" io --mode threads --workers {W} --urls "$TMP/urls"
    [ "$status" -eq 0 ]
    [ "$(csv_value /dev/stdin 1 oversubscribed <<<"$output")" = 0 ]
    [ "$(csv_value /dev/stdin 2 oversubscribed <<<"$output")" = 0 ]
    run --separate-stderr "$CONCUR" io --mode multi --workers 64 --urls "$TMP/urls"
    [ "$(csv_value /dev/stdin 1 oversubscribed <<<"$output")" = 0 ]
}

@test "malformed lines are one error each, the rest complete" {
    start_server
    printf '%s\n' "$SERVER_URL/bytes/10" "no-scheme.example/x" "http://with space/x" \
        "http://" "$SERVER_URL/bytes/5" >"$TMP/urls"
    run --separate-stderr "$CONCUR" io --mode sync --urls "$TMP/urls" --log "$TMP/log.csv"
    [ "$status" -eq 1 ]
    [ "$(csv_value /dev/stdin 1 errors <<<"$output")" -eq 3 ]
    [ "$(csv_value /dev/stdin 1 bytes <<<"$output")" -eq 15 ]
    grep -q '^no-scheme.example/x,0,0,.*,0,line 2: not a URL: no scheme' "$TMP/log.csv"
    grep -q '^http://with space/x,.*line 3: not a URL: whitespace' "$TMP/log.csv"
    grep -q '^http://,.*line 4: not a URL: no host' "$TMP/log.csv"
}

# /status/503 never recovers: N retries make N+1 attempts, in every mode.
check_retry_503() {
    start_server
    echo "$SERVER_URL/status/503" >"$TMP/urls"
    echo "$SERVER_URL/bytes/10" >>"$TMP/urls"
    run --separate-stderr io_in_mode "$1" --urls "$TMP/urls" --log "$TMP/log.csv" --retry 2
    [ "$status" -eq 1 ]
    # bytes: the last attempt's error page, counted in the log, not in the runs
    [[ "$(log_line "$TMP/log.csv" /status/503)" == *",503,"*",3,HTTP status 503" ]]
    [[ "$(log_line "$TMP/log.csv" /bytes/10)" == *",200,10,"*",1," ]]
}

@test "sync: --retry 2 makes 3 attempts at a 503" { check_retry_503 sync; }
@test "threads: --retry 2 makes 3 attempts at a 503" { check_retry_503 threads; }
@test "multi: --retry 2 makes 3 attempts at a 503" { check_retry_503 multi; }
@test "mpi: --retry 2 makes 3 attempts at a 503" { check_retry_503 mpi; }

@test "without --retry a 503 is one attempt" {
    start_server
    echo "$SERVER_URL/status/503" >"$TMP/urls"
    run "$CONCUR" io --mode multi --urls "$TMP/urls" --log "$TMP/log.csv" -q
    [ "$status" -eq 1 ]
    [[ "$(log_line "$TMP/log.csv" /status/503)" == *",1,HTTP status 503" ]]
}

# A URL that fails twice, then succeeds; and one whose server asks for a
# one-second pause through Retry-After.
check_recovery() {
    run_alone # a time window (helpers.bash)
    start_server
    local key="k$RANDOM$1"
    printf '%s\n' "$SERVER_URL/flaky/$key/2" "$SERVER_URL/flaky/${key}ra/1?retry-after=1" \
        "$SERVER_URL/bytes/10" >"$TMP/urls"
    run --separate-stderr io_in_mode "$1" --urls "$TMP/urls" --log "$TMP/log.csv" --retry 3
    [ "$status" -eq 0 ]
    [[ "$(log_line "$TMP/log.csv" "/flaky/$key/2")" == *",200,2,"*",3," ]]
    local line
    line=$(log_line "$TMP/log.csv" "retry-after=1")
    [[ "$line" == *",200,2,"*",2," ]]
    # Retry-After honoured: the URL's time includes the second's wait, once
    # (the bound leaves most of a second for a busy machine, less than a
    # second wait applied twice would add).
    awk -F, '{ exit !($4 >= 1.0 && $4 < 1.8) }' <<<"$line"
}

@test "sync: a transient failure recovers, Retry-After honoured" { check_recovery sync; }
@test "threads: a transient failure recovers, Retry-After honoured" { check_recovery threads; }
@test "multi: a transient failure recovers, Retry-After honoured" { check_recovery multi; }
@test "mpi: a transient failure recovers, Retry-After honoured" { check_recovery mpi; }

@test "multi: a URL waiting for its retry does not hold up the others" {
    run_alone # times each URL (helpers.bash)
    start_server
    { echo "$SERVER_URL/flaky/w$RANDOM/1?retry-after=2"; for i in $(seq 20); do echo "$SERVER_URL/bytes/$i"; done; } >"$TMP/urls"
    run "$CONCUR" io --mode multi --workers 1 --urls "$TMP/urls" --log "$TMP/log.csv" --retry 1 -q
    [ "$status" -eq 0 ]
    # With one handle, the others ran while the first URL waited: each of
    # them took far less than the two seconds of the wait.
    run awk -F, 'NR > 2 && $4 >= 1.0' "$TMP/log.csv"
    [ -z "$output" ]
}

@test "--save keeps every body under its own safe name, atomically" {
    start_server
    mkdir "$TMP/out" "$TMP/outside"
    printf '%s\n' "$SERVER_URL/bytes/10" "$SERVER_URL/bytes/10?again" "$SERVER_URL/bytes/10?../../outside/x" \
        "$SERVER_URL/bytes/.." "$SERVER_URL/a/%2e%2e/%2e%2e/bytes/7" "$SERVER_URL/status/404" \
        "$SERVER_URL/fault/reset" >"$TMP/urls"
    run "$CONCUR" io --mode threads --workers 4 --urls "$TMP/urls" --save "$TMP/out" -q
    [ "$status" -eq 1 ]
    # Three bodies named "10-<hash>", distinct, and the server's index page
    # (libcurl asks for /bytes/.. as /) as "index-<hash>"; nothing else,
    # nothing hidden.
    [ "$(ls "$TMP/out" | grep -c '^10-[0-9a-f]\{16\}$')" -eq 3 ]
    [ "$(ls "$TMP/out" | grep -c '^index-[0-9a-f]\{16\}$')" -eq 1 ]
    [ "$(ls -A "$TMP/out" | wc -l)" -eq 4 ]
    for f in "$TMP"/out/10-*; do [ "$(stat -c %s "$f")" -eq 10 ]; done
    [ -z "$(ls -A "$TMP/outside")" ]
    [ -z "$(find "$TMP" -newer "$TMP/urls" -type f ! -path "$TMP/out/*" ! -name 'server.*')" ]
}

@test "--save replaces a planted link instead of following it" {
    start_server
    mkdir "$TMP/out"
    echo "$SERVER_URL/bytes/10" >"$TMP/urls"
    run "$CONCUR" io --mode sync --urls "$TMP/urls" --save "$TMP/out" -q
    [ "$status" -eq 0 ]
    name=$(ls "$TMP/out")
    echo secret >"$TMP/target"
    rm "$TMP/out/$name"
    ln -s "$TMP/target" "$TMP/out/$name"
    run "$CONCUR" io --mode sync --urls "$TMP/urls" --save "$TMP/out" -q
    [ "$status" -eq 0 ]
    [ "$(cat "$TMP/target")" = secret ]
    [ ! -L "$TMP/out/$name" ]
    [ "$(stat -c %s "$TMP/out/$name")" -eq 10 ]
}

# interrupt_save SIGNAL COMMAND...: starts COMMAND (a concur io writing
# --save "$TMP/out" and --log "$TMP/log.csv") on 20 URLs that wait 10 s,
# sends SIGNAL once its temporary files exist, and checks that it died of
# it leaving no temporary file behind and the old log as it was.
interrupt_save() {
    local sig=$1; shift
    start_server
    mkdir "$TMP/out"
    for i in $(seq 20); do echo "$SERVER_URL/delay/10?$i"; done >"$TMP/urls"
    echo "the old log" >"$TMP/log.csv"
    # a background job of a script ignores SIGINT: give it the default back
    env --default-signal=INT "$@" --urls "$TMP/urls" --save "$TMP/out" --log "$TMP/log.csv" -q \
        >/dev/null 2>"$TMP/err" 3>&- &
    local pid=$! i
    for i in $(seq 400); do
        [ "$(ls -A "$TMP/out" | grep -c '\.part$')" -ge "${PARTS:-1}" ] && break
        sleep 0.05
    done
    [ "$(ls -A "$TMP/out" | grep -c '\.part$')" -ge "${PARTS:-1}" ]
    kill -"$sig" "$pid"
    for i in $(seq 400); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
    kill -KILL "$pid" 2>/dev/null && { echo "still running 20 s after SIG$sig"; false; }
    local rc=0
    wait "$pid" || rc=$?
    [ "$rc" -ne 0 ]
    [ -z "$(ls -A "$TMP/out")" ] || { ls -A "$TMP/out"; false; }
    [ "$(cat "$TMP/log.csv")" = "the old log" ]
    [ -z "$(ls "$TMP" | grep 'log\.csv\.')" ]
}

@test "sync: SIGINT during --save leaves no temporary file and the old log" {
    interrupt_save INT "$CONCUR" io --mode sync
}
@test "threads: SIGTERM during --save leaves no temporary file and the old log" {
    PARTS=8 interrupt_save TERM "$CONCUR" io --mode threads --workers 8
}
@test "multi: SIGINT during --save leaves no temporary file and the old log" {
    PARTS=8 interrupt_save INT "$CONCUR" io --mode multi --workers 8
}
@test "mpi singleton: SIGTERM during --save leaves no temporary file and the old log" {
    PARTS=4 interrupt_save TERM "$CONCUR" io --mode mpi --workers 4
}
@test "mpi with 2 ranks: SIGTERM and SIGINT to mpirun during --save leave no temporary file" {
    PARTS=8 interrupt_save TERM mpirun --oversubscribe -np 2 "$CONCUR" io --mode mpi --workers 4
    stop_server
    rm -rf "$TMP/out"
    PARTS=8 interrupt_save INT mpirun --oversubscribe -np 2 "$CONCUR" io --mode mpi --workers 4
}

@test "--log replaces an existing log when the run ends, leaving nothing beside it" {
    # (a run killed before its end leaves the old log: see the SIGINT tests)
    echo "http://127.0.0.1:1/" >"$TMP/urls"
    echo "the old log" >"$TMP/log.csv"
    run -1 "$CONCUR" io --mode sync --urls "$TMP/urls" --log "$TMP/log.csv" -q
    [[ "$(head -1 "$TMP/log.csv")" == url,status,* ]]
    [ "$(ls "$TMP")" = "$(printf 'log.csv\nurls')" ]
}

@test "--log naming the URL list is refused, by file identity, not by name" {
    echo "http://127.0.0.1:1/" >"$TMP/urls"
    cp "$TMP/urls" "$TMP/expected"
    ln -s urls "$TMP/link"
    ln "$TMP/urls" "$TMP/hard"
    bad_usage "--log $TMP/urls: is the URL list (--urls $TMP/urls)" --mode sync --urls "$TMP/urls" --log "$TMP/urls"
    bad_usage "--log $TMP/link: is the URL list" --mode sync --urls "$TMP/urls" --log "$TMP/link"
    bad_usage "--log $TMP/urls: is the URL list (--urls $TMP/hard)" --mode sync --urls "$TMP/hard" --log "$TMP/urls"
    bad_usage "--log $TMP/urls: is the URL list (--urls $TMP/./urls)" --mode multi --urls "$TMP/./urls" --log "$TMP/urls"
    run --separate-stderr "$CONCUR" io --mode sync --urls - --log "$TMP/urls" <"$TMP/urls"
    [ "$status" -eq 2 ]
    [[ "$stderr" == *"is the URL list (--urls -)"* ]]
    cmp "$TMP/urls" "$TMP/expected"
}

@test "--log /dev/null is written in place, not replaced" {
    echo "http://127.0.0.1:1/" >"$TMP/urls"
    run -1 "$CONCUR" io --mode sync --urls "$TMP/urls" --log /dev/null -q
    [ -c /dev/null ]
}

@test "--save into a directory where no file can be created is exit 2 before any transfer" {
    start_server
    echo "$SERVER_URL/bytes/10" >"$TMP/urls"
    # /proc: a directory that even root cannot create files in
    bad_usage "--save /proc: cannot create files there" --mode sync --urls "$TMP/urls" --save /proc
    bad_usage "--save $TMP/urls: not a directory" --mode sync --urls "$TMP/urls" --save "$TMP/urls"
    run --separate-stderr mpirun_np 2 "$CONCUR" io --mode mpi --urls "$TMP/urls" --save /proc
    [ "$status" -eq 2 ]
    [[ "$stderr" == *"--save /proc: cannot create files there"* ]]
}

@test "--save replaces the body saved before under the same name" {
    start_server
    mkdir "$TMP/out"
    echo "$SERVER_URL/bytes/10" >"$TMP/urls"
    run -0 "$CONCUR" io --mode sync --urls "$TMP/urls" --save "$TMP/out" -q
    name=$(ls "$TMP/out")
    echo "an older body" >"$TMP/out/$name"
    run -0 "$CONCUR" io --mode sync --urls "$TMP/urls" --save "$TMP/out" -q
    [ "$(ls "$TMP/out")" = "$name" ]
    [ "$(stat -c %s "$TMP/out/$name")" -eq 10 ]
}

# The descriptor limit (issue: W workers failing thousands of transfers as
# "Couldn't connect ... after 0 ms" once the limit ran out). A worker of
# threads mode holds 3 descriptors (its socket, and the wake-up pair of the
# multi handle inside curl_easy_perform), a transfer of multi mode 1.

@test "threads: more workers than the descriptor limit allows are refused up front, with the need" {
    start_server
    for i in $(seq 600); do echo "$SERVER_URL/bytes/$((i % 50 + 1))"; done >"$TMP/urls"
    # ulimit -n sets the hard limit too: 300 threads need about 950
    run --separate-stderr bash -c 'ulimit -n 400 && exec "$@"' - \
        "$CONCUR" io --mode threads --workers 300 --urls "$TMP/urls" --log "$TMP/log.csv"
    [ "$status" -eq 2 ]
    [ -z "$output" ]
    [[ "$stderr" == *"--workers 300: threads mode needs about "*" file descriptors (3 per worker), but the limit is 400"* ]]
    [ ! -e "$TMP/log.csv" ]
    # what the message allows runs without an error
    local most=${stderr##*use at most }
    most=${most%% workers*}
    [ "$most" -ge 100 ]
    run --separate-stderr bash -c 'ulimit -n 400 && exec "$@"' - \
        "$CONCUR" io --mode threads --workers "$most" --urls "$TMP/urls"
    [ "$status" -eq 0 ]
    [ "$(csv_value /dev/stdin 1 errors <<<"$output")" -eq 0 ]
}

@test "multi: a soft descriptor limit below what W needs is raised to the hard one" {
    start_server
    for i in $(seq 2000); do echo "$SERVER_URL/bytes/$((i % 50 + 1))"; done >"$TMP/urls"
    [ "$(ulimit -Hn)" = unlimited ] || [ "$(ulimit -Hn)" -ge 1100 ] || skip "hard descriptor limit below 1100"
    run --separate-stderr bash -c 'ulimit -Sn 256 && exec "$@"' - \
        "$CONCUR" io --mode multi --workers 1000 --urls "$TMP/urls"
    [ "$status" -eq 0 ]
    [ "$(csv_value /dev/stdin 1 errors <<<"$output")" -eq 0 ]
}

@test "multi: a hard descriptor limit below what W needs is exit 2 naming the limit and the need" {
    echo "http://127.0.0.1:1/" >"$TMP/one"
    for i in $(seq 1000); do echo "http://127.0.0.1:1/$i"; done >"$TMP/urls"
    run --separate-stderr bash -c 'ulimit -n 256 && exec "$@"' - \
        "$CONCUR" io --mode multi --workers 1000 --urls "$TMP/urls"
    [ "$status" -eq 2 ]
    [ -z "$output" ]
    [[ "$stderr" == *"--workers 1000: multi mode needs about 10"*" file descriptors (1 per worker), but the limit is 256"*"use at most "* ]]
    # W beyond the number of URLs needs only what the URLs use
    run bash -c 'ulimit -n 256 && exec "$@"' - "$CONCUR" io --mode multi --workers 1000 --urls "$TMP/one" -q
    [ "$status" -eq 1 ]
    # --save needs one more a transfer
    run --separate-stderr bash -c 'ulimit -n 256 && exec "$@"' - \
        "$CONCUR" io --mode multi --workers 200 --urls "$TMP/urls" --save "$TMP"
    [ "$status" -eq 2 ]
    [[ "$stderr" == *"(2 per worker with --save)"* ]]
}

@test "multi: 2000 URLs at W=200, no errors and no descriptor leak across runs" {
    start_server
    for i in $(seq 2000); do echo "$SERVER_URL/bytes/$((i % 50 + 1))"; done >"$TMP/urls"
    "$CONCUR" io --mode multi --workers 200 --urls "$TMP/urls" --repeat 4 -q >"$TMP/runs.csv" &
    local pid=$! max=0 count
    while kill -0 "$pid" 2>/dev/null; do
        count=$(ls "/proc/$pid/fd" 2>/dev/null | wc -l)
        [ "$count" -gt "$max" ] && max=$count
        sleep 0.05
    done
    wait "$pid"
    # 200 connections and a few files; a leak of a descriptor per URL or
    # per run would show as thousands.
    [ "$max" -le 260 ]
    [ "$(wc -l <"$TMP/runs.csv")" -eq 5 ]
    run awk -F, 'NR > 1 && !($6 == 2000 && $8 == 0)' "$TMP/runs.csv"
    [ -z "$output" ]
}

@test "multi: 2000 URLs at W=200 leak no memory (LeakSanitizer, make asan)" {
    grep -q __asan_init "$CONCUR" || skip "not the AddressSanitizer build (make asan runs this)"
    start_server
    for i in $(seq 2000); do echo "$SERVER_URL/bytes/$((i % 50 + 1))"; done >"$TMP/urls"
    # Leak detection is off elsewhere because Open MPI keeps memory until
    # exit; multi mode never starts MPI, so here it can be on.
    ASAN_OPTIONS="$ASAN_OPTIONS:detect_leaks=1" run --separate-stderr \
        "$CONCUR" io --mode multi --workers 200 --urls "$TMP/urls" --repeat 3 -q
    [ "$status" -eq 0 ]
    [[ "$stderr" != *LeakSanitizer* ]]
    [ "${#lines[@]}" -eq 4 ]
}


@test "mpi with 1 rank under mpirun" { check_mpi 1; }
@test "mpi with 2 ranks, block split" { check_mpi 2 --split block; }
@test "mpi with 2 ranks, cyclic split" { check_mpi 2 --split cyclic; }
@test "mpi with 2 ranks, --dist block" { check_mpi 2 --dist block; }
@test "mpi with 2 ranks, --dist cyclic" { check_mpi 2 --dist cyclic; }

# --dist is the name cpu uses too; --split stays as its alias.
@test "mpi: --dist and --split choose the same split" {
    start_server
    reference_list >"$TMP/urls"
    local opt
    for opt in --dist --split; do
        run --separate-stderr mpirun_np 2 "$CONCUR" io --mode mpi "$opt" cyclic --urls "$TMP/urls" --format table
        [ "$status" -eq 0 ]
        [[ "$output" == *"# split: cyclic"* ]]
    done
}
@test "mpi with 4 ranks, a multi handle per rank" { check_mpi 4 --workers 5; }
@test "mpi with 4 ranks, cyclic, reading standard input" {
    start_server
    reference_list >"$TMP/urls"
    run --separate-stderr mpirun_np 4 "$CONCUR" io --mode mpi --split cyclic --urls - <"$TMP/urls"
    [ "$status" -eq 0 ]
    [ "$(csv_value /dev/stdin 1 bytes <<<"$output")" -eq "$REFERENCE_BYTES" ]
}

@test "mpi with 3 ranks: repetitions and warm-ups run on every rank" {
    start_server
    reference_list >"$TMP/urls"
    run --separate-stderr mpirun_np 3 "$CONCUR" io --mode mpi --urls "$TMP/urls" --warmup 1 --repeat 3
    [ "$status" -eq 0 ]
    [ "${#lines[@]}" -eq 4 ]
    [ "$(csv_value /dev/stdin 3 run <<<"$output")" -eq 3 ]
    [ "$(csv_value /dev/stdin 3 bytes <<<"$output")" -eq "$REFERENCE_BYTES" ]
}

@test "mpi with 2 ranks: a failed URL gives exit 1 on every rank" {
    start_server
    printf '%s\n' "$SERVER_URL/bytes/1" "$SERVER_URL/status/404" "$SERVER_URL/bytes/2" >"$TMP/urls"
    run --separate-stderr mpirun_np 2 "$CONCUR" io --mode mpi --split cyclic --urls "$TMP/urls" --repeat 2
    [ "$status" -eq 1 ]
    [ "$(csv_value /dev/stdin 1 errors <<<"$output")" -eq 1 ]
    [ "$(csv_value /dev/stdin 2 errors <<<"$output")" -eq 1 ]
    # every rank exits 1, so mpirun names no rank with another status
    [[ "$stderr" != *"Exit code:    0"* ]]
}

@test "mpi with 2 ranks: a missing list is exit 2 with one message" {
    run --separate-stderr mpirun_np 2 "$CONCUR" io --mode mpi --urls "$TMP/missing"
    [ "$status" -eq 2 ]
    [ -z "$output" ]
    [ "$(grep -c 'cannot open' <<<"$stderr")" -eq 1 ]
}

@test "mpi with 2 ranks: bad usage is exit 2 with one message" {
    run --separate-stderr mpirun_np 2 "$CONCUR" io --mode mpi --urls "$TMP/urls" --workers 0
    [ "$status" -eq 2 ]
    [ -z "$output" ]
    [ "$(grep -c "'0' must be at least 1" <<<"$stderr")" -eq 1 ]
}

@test "warm-up runs are not recorded" {
    start_server
    echo "$SERVER_URL/bytes/3" >"$TMP/urls"
    run --separate-stderr "$CONCUR" io --mode sync --urls "$TMP/urls" --warmup 2 --repeat 3
    [ "$status" -eq 0 ]
    [ "${#lines[@]}" -eq 4 ]
    [ "$(csv_value /dev/stdin 3 run <<<"$output")" -eq 3 ]
    [ "$(grep -c Downloaded <<<"$stderr")" -eq 3 ]
}

@test "json and table formats" {
    start_server
    echo "$SERVER_URL/bytes/3" >"$TMP/urls"
    run --separate-stderr "$CONCUR" io --mode multi --urls "$TMP/urls" --format json
    [ "$status" -eq 0 ]
    python3 -c 'import json,sys; d=json.loads(sys.argv[1]); r=d["runs"][0]; assert r["experiment"]=="io" and r["bytes"]==3 and r["items"]==1, r' "$output"
    run --separate-stderr "$CONCUR" io --mode multi --urls "$TMP/urls" --format table
    [ "$status" -eq 0 ]
    [[ "$output" == *experiment*variant*workers* ]]
}

@test "--protocols widens what may be read; the default refuses file://" {
    printf 'line one\nline two\n' >"$TMP/source"
    echo "file://$TMP/source" >"$TMP/urls"
    mkdir "$TMP/out"
    run -1 "$CONCUR" io --mode sync --urls "$TMP/urls" --save "$TMP/out" --log "$TMP/log.csv" -q
    [[ "$(log_line "$TMP/log.csv" /source)" == *",0,0,"*",1,\"protocol 'file' not allowed by --protocols http,https\"" ]]
    [ -z "$(ls -A "$TMP/out")" ]
    # widened: the file's very content is read, counted and saved
    run -0 --separate-stderr "$CONCUR" io --mode sync --urls "$TMP/urls" --protocols http,https,file \
        --save "$TMP/out" --log "$TMP/log.csv" -q
    [ "$(csv_value /dev/stdin 1 bytes <<<"$output")" -eq 18 ]
    [[ "$(log_line "$TMP/log.csv" /source)" == *",0,18,"*",1," ]]
    cmp "$TMP/source" "$TMP"/out/source-*
}

@test "a protocol libcurl does not know is named as unsupported, not as blocked" {
    echo "gopher2://example/" >"$TMP/urls"
    run -1 "$CONCUR" io --mode sync --urls "$TMP/urls" --log "$TMP/log.csv" -q
    [[ "$(cat "$TMP/log.csv")" == *'Unsupported protocol: Protocol ""gopher2"" not supported'* ]]
}

@test "the error of a URL is its final cause, not libcurl's message from a silent retry" {
    # The reused connection is reset when the second request arrives;
    # libcurl silently reconnects, and that attempt times out. Its error
    # buffer still holds the reset.
    start_hostile reset-then-hang
    printf '%s\n' "$HOSTILE_URL/first" "$HOSTILE_URL/second" >"$TMP/urls"
    run -1 "$CONCUR" io --mode sync --urls "$TMP/urls" --timeout 1s --log "$TMP/log.csv" -q
    [[ "$(log_line "$TMP/log.csv" /first)" == *",200,2,"*",1," ]]
    [[ "$(log_line "$TMP/log.csv" /second)" == *",1,Timeout was reached" ]]
}

@test "a 1 MiB response header is reported as too large, not as out of memory" {
    start_hostile big-header
    echo "$HOSTILE_URL/x" >"$TMP/urls"
    run -1 "$CONCUR" io --mode sync --urls "$TMP/urls" --log "$TMP/log.csv" -q
    [[ "$(log_line "$TMP/log.csv" /x)" == *",1,response header too large (libcurl accepts at most 100 KiB)" ]]
}

# Bad usage: exit 2, one line naming the value, nothing on stdout.
bad_usage() { refused "$1" io "${@:2}"; }

@test "bad options exit 2 with the value named" {
    echo "http://127.0.0.1:1/" >"$TMP/urls"
    bad_usage "--workers: '0' must be at least 1" --mode multi --workers 0 --urls "$TMP/urls"
    bad_usage "unknown mode 'fast'" --mode fast --urls "$TMP/urls"
    bad_usage "$TMP/missing: cannot open" --mode sync --urls "$TMP/missing"
    bad_usage "--urls is required" --mode sync
    bad_usage "--mode is required" --urls "$TMP/urls"
    bad_usage "unknown format 'xml'" --mode sync --urls "$TMP/urls" --format xml
    bad_usage "--max-size: '10XB' has an unknown unit" --mode sync --urls "$TMP/urls" --max-size 10XB
    bad_usage "--timeout: '-1'" --mode sync --urls "$TMP/urls" --timeout -1
    bad_usage "--retry: 'abc' is not a number" --mode sync --urls "$TMP/urls" --retry abc
    bad_usage "--split: unknown value 'diagonal' (block, cyclic)" --mode mpi --urls "$TMP/urls" --split diagonal
    bad_usage "--dist: unknown value 'diagonal' (block, cyclic)" --mode mpi --urls "$TMP/urls" --dist diagonal
    bad_usage "--share: only for --mode threads" --mode multi --urls "$TMP/urls" --share
    bad_usage "--workers 5: sync mode has exactly one worker" --mode sync --workers 5 --urls "$TMP/urls"
    bad_usage "--save $TMP/nodir" --mode sync --urls "$TMP/urls" --save "$TMP/nodir"
    bad_usage "--protocols: 'gopher2'" --mode sync --urls "$TMP/urls" --protocols gopher2
    bad_usage "unexpected argument 'extra'" --mode sync --urls "$TMP/urls" extra
    bad_usage "--repeat: '0' must be at least 1" --mode sync --urls "$TMP/urls" --repeat 0
    printf '# only a comment\n\n' >"$TMP/empty"
    bad_usage "no URLs" --mode sync --urls "$TMP/empty"
}

@test "io --help describes the modes and the defaults" {
    run "$CONCUR" io --help
    [ "$status" -eq 0 ]
    [[ "$output" == *"sync|threads|multi|mpi"* ]]
    [[ "$output" == *"100MiB"* ]]
}

@test "--split outside --mode mpi is refused, like --share outside threads" {
    echo "http://127.0.0.1:1/" >"$TMP/urls"
    local mode
    for mode in sync threads multi; do
        bad_usage "--split: only for --mode mpi" --mode "$mode" --urls "$TMP/urls" --split cyclic
        bad_usage "--dist: only for --mode mpi" --mode "$mode" --urls "$TMP/urls" --dist cyclic
    done
}

@test "io --help names --dist, with --split as its alias" {
    run "$CONCUR" io --help
    [ "$status" -eq 0 ]
    [[ "$output" == *"--dist block|cyclic"* ]]
    [[ "$output" == *"--split is an alias"* ]]
}
