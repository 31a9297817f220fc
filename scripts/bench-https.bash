# make bench, the HTTPS part (sourced by scripts/bench, which defines the
# io_* helpers): the notes' 160 downloads from `concur serve --tls` at
# 100 ms latency, every client trusting the same bundle (the system CA store
# plus the server's self-signed certificate, so that the real cost of a
# trust store is in the measurement), whole processes in A/B rounds (each
# round runs every client once, the order rotating), with client CPU
# (user + sys of GNU time) per new TLS connection.
#
# BENCH_TLS_ROUNDS (default 3) rounds at each W of BENCH_TLS_WIDTHS
# (default "10 30 160"); then 10,000 HTTPS URLs at W = 1,000 with peak RSS.
# shellcheck shell=bash
# shellcheck disable=SC2154 # concur, here and the io_* settings are scripts/bench's

# Run rather than sourced: this header; it only works inside scripts/bench.
if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
    sed -n '1,/^[^#]/s/^# \{0,1\}//p' "$0" | grep -v '^shellcheck '
    case ${1:-} in -h|--help) exit 0 ;; *) exit 2 ;; esac
fi

tls_rounds=${BENCH_TLS_ROUNDS:-3}
# concur's connect timeout (10 s by default) covers the TLS handshake; on a
# busy shared machine, and with libcurl parsing the bundle for every
# connection (the "before" rows), 160 handshakes can take longer than that.
tls_timeouts="--connect-timeout 120s --timeout 300s"
read -r -a tls_widths <<<"${BENCH_TLS_WIDTHS:-10 30 160}"
tls_http_base=
tls_http_pid=

# Where libcurl's system store is: the bundle every client gets, plus ours.
tls_system_bundle() {
    local f
    for f in /etc/ssl/certs/ca-certificates.crt /etc/pki/tls/certs/ca-bundle.crt /etc/ssl/cert.pem; do
        [ -r "$f" ] && { echo "$f"; return; }
    done
}

# A second, plain HTTP server with the same latency, for HTTPS/HTTP ratios.
tls_start_http_server() {
    "$concur" serve --latency "${io_latency_ms}ms" --port 0 --port-file "$io_tmp/http.port" \
        >"$io_tmp/http.out" 2>/dev/null &
    tls_http_pid=$!
    local _
    for _ in $(seq 200); do
        [ -s "$io_tmp/http.port" ] && break
        sleep 0.05
    done
    tls_http_base=$(head -n 1 "$io_tmp/http.out")
    "$here/data/make-url-list" "$tls_http_base" "$io_count" >"$io_tmp/http.list"
}

# The clients, each a function of W: name, then the command run by `tls_run`.
tls_cmd() { # client W
    local w=$2 b=$io_tmp/bundle.pem half=$((($2 + 1) / 2))
    case "$1" in
        concur-sync) echo "$concur io --mode sync --urls $io_tmp/plain -q --cacert $b $tls_timeouts" ;;
        concur-threads) echo "$concur io --mode threads --workers $w --urls $io_tmp/plain -q --cacert $b $tls_timeouts" ;;
        concur-multi) echo "$concur io --mode multi --workers $w --urls $io_tmp/plain -q --cacert $b $tls_timeouts" ;;
        concur-mpi) echo "mpirun --oversubscribe -np 2 $concur io --mode mpi --dist cyclic --workers $half --urls $io_tmp/plain -q --cacert $b $tls_timeouts" ;;
        concur-threads-libcurl) echo "env CONCUR_TLS_TRUST=libcurl $concur io --mode threads --workers $w --urls $io_tmp/plain -q --cacert $b --capath /etc/ssl/certs $tls_timeouts" ;;
        concur-multi-libcurl) echo "env CONCUR_TLS_TRUST=libcurl $concur io --mode multi --workers $w --urls $io_tmp/plain -q --cacert $b --capath /etc/ssl/certs $tls_timeouts" ;;
        concur-threads-http) echo "$concur io --mode threads --workers $w --urls $io_tmp/http.list -q" ;;
        concur-multi-http) echo "$concur io --mode multi --workers $w --urls $io_tmp/http.list -q" ;;
        curl) echo "curl -s --fail --cacert $b --parallel --parallel-immediate --parallel-max $w -K $io_tmp/curl.cfg" ;;
        wget2) echo "wget2 -q --no-config --ca-certificate=$b --max-threads=$w -P $io_tmp/out -i $io_tmp/unique" ;;
        aria2c) echo "aria2c -q --ca-certificate=$b -j $w -d $io_tmp/out -i $io_tmp/aria2.in --file-allocation=none" ;;
        python-requests) echo "env REQUESTS_CA_BUNDLE=$b $io_python $here/bench/io_sync.py $io_tmp/plain" ;;
        python-threads) echo "env REQUESTS_CA_BUNDLE=$b $io_python $here/bench/io_threads.py $io_tmp/plain $w" ;;
        python-aiohttp) echo "env SSL_CERT_FILE=$b $io_python $here/bench/io_aiohttp.py $io_tmp/plain" ;;
    esac
}

# What each client must have done.
tls_verify() { # client
    case "$1" in
        concur-*) ! grep -q failed "$io_tmp/run.err" && [ "$(csv_column errors <"$io_tmp/run.out" | sort -u)" = 0 ] ;;
        wget2|aria2c) verify_files ;;
        python-*) verify_python ;;
        *) true ;;
    esac
}

# One whole-process run under GNU time: appends "client W seconds cpu rss"
# to $io_tmp/tls.rows, or "client W failed".
tls_run() { # client W
    local client=$1 w=$2 cmd
    cmd=$(tls_cmd "$client" "$w")
    io_prepare
    # shellcheck disable=SC2086 # the command is a plain word list
    if /usr/bin/time -f '%e %U %S %M' -o "$io_tmp/time" $cmd >"$io_tmp/run.out" 2>"$io_tmp/run.err" &&
        tls_verify "$client"; then
        awk -v c="$client" -v w="$w" '{ printf "%s %s %s %.3f %s\n", c, w, $1, $2 + $3, $4 }' \
            "$io_tmp/time" >>"$io_tmp/tls.rows"
    else
        echo "bench: https: failed: $cmd" >&2
        tail -n 3 "$io_tmp/run.err" >&2
        echo "$client $w failed" >>"$io_tmp/tls.rows"
    fi
}

# Rounds at W: every client once per round, the order rotating.
tls_rounds_at() { # W clients...
    local w=$1; shift
    local clients=("$@") n=$# r k
    for ((r = 0; r < tls_rounds; r++)); do
        for ((k = 0; k < n; k++)); do
            tls_run "${clients[$(((k + r) % n))]}" "$w"
        done
    done
}

# Median of field F (3: seconds, 4: cpu, 5: rss) of a client at W, or failed.
tls_median() { # client W field
    if grep -q "^$1 $2 failed" "$io_tmp/tls.rows"; then echo failed; return; fi
    awk -v c="$1" -v w="$2" -v f="$3" '$1 == c && $2 == w { print $f }' "$io_tmp/tls.rows" | median
}

tls_label() {
    case "$1" in
        concur-sync) echo "concur sync" ;;
        concur-threads) echo "**concur threads**" ;;
        concur-multi) echo "**concur multi**" ;;
        concur-mpi) echo "concur mpi, 2 ranks × W/2" ;;
        concur-threads-libcurl) echo "concur threads, libcurl loads the CAs (before)" ;;
        concur-multi-libcurl) echo "concur multi, libcurl loads the CAs (before)" ;;
        curl) echo "curl --parallel" ;;
        wget2) echo "wget2" ;;
        aria2c) echo "aria2c" ;;
        python-requests) echo "Python requests (the notes' sync)" ;;
        python-threads) echo "Python ThreadPoolExecutor + requests" ;;
        python-aiohttp) echo "Python aiohttp (all tasks, 100 connections)" ;;
    esac
}

# One table row: seconds, against wget2 and curl at the same W, CPU per
# new TLS connection (one per worker: min(W, 160); aiohttp: 100).
tls_row() { # client W connections
    local c=$1 w=$2 conns=$3 s cpu ws cs
    s=$(tls_median "$c" "$w" 3)
    if [ "$s" = failed ]; then
        echo "| $(tls_label "$c") | $w | failed | | | | |"
        return
    fi
    cpu=$(tls_median "$c" "$w" 4)
    ws=$(tls_median wget2 "$w" 3)
    cs=$(tls_median curl "$w" 3)
    local vw="–" vc="–"
    [[ $ws == failed || $ws == nan ]] || vw=$(fmt 2 "$(ratio "$s" "$ws")")
    [[ $cs == failed || $cs == nan ]] || vc=$(fmt 2 "$(ratio "$s" "$cs")")
    echo "| $(tls_label "$c") | $w | $(fmt 3 "$s") | $vw | $vc | $(fmt 2 "$cpu") |" \
         "$(fmt 2 "$(awk -v c="$cpu" -v n="$conns" 'BEGIN { print 1000 * c / n }')") |"
}

tls_scale() {
    local n=10000 w=1000 out timeouts
    read -r -a timeouts <<<"$tls_timeouts"
    "$here/data/make-url-list" "$io_base" "$n" >"$io_tmp/scale"
    if out=$( (ulimit -n 4096 2>/dev/null || true
        /usr/bin/time -f '%M %e %U %S' "$concur" io --mode multi --workers "$w" --urls "$io_tmp/scale" \
            --cacert "$io_tmp/bundle.pem" --log "$io_tmp/scale.log" "${timeouts[@]}" -q 2>&1 >/dev/null) ); then
        local rss_kib secs user sys
        read -r rss_kib secs user sys <<<"${out##*$'\n'}"
        echo "Scale: $n HTTPS URLs at W = $w in multi mode (whole process, trusting the bundle, $tls_timeouts):" \
            "no error, $(fmt 2 "$secs") s against an ideal of $(fmt 1 "$(io_ideal "$n" "$w")") s," \
            "peak RSS $(fmt 1 "$(awk -v k="$rss_kib" 'BEGIN { print k / 1024 }')") MiB," \
            "client CPU $(fmt 2 "$(awk -v u="$user" -v s="$sys" 'BEGIN { print u + s }')") s."
    else
        echo "Scale: $n HTTPS URLs at W = $w in multi mode failed:" \
            "$(awk -F, 'NR > 1 && $6 != "" { n++; e = $6 } END { print n " errors, e.g. " e }' "$io_tmp/scale.log" 2>/dev/null)"
    fi
    echo
}

https_part() {
    io_tmp=$(mktemp -d "${TMPDIR:-/tmp}/concur-bench-https.XXXXXX")
    trap 'io_cleanup; tls_stop_http' EXIT
    trap 'exit 130' INT TERM
    if [ ! -x /usr/bin/time ]; then
        echo "## HTTPS: skipped, /usr/bin/time (GNU time) is not installed."
        return
    fi
    # The server cuts off a connection whose request has not arrived 5 s
    # after it opened (a slow-client defence): a client that parses the CA
    # bundle for every connection (curl --parallel, the "before" rows) opens
    # 160 connections in more than that, so here it waits as long as they do.
    io_start_server --tls --cert-out "$io_tmp/cert.pem" --request-timeout 300s
    tls_start_http_server
    io_make_lists
    local system
    system=$(tls_system_bundle)
    cat ${system:+"$system"} "$io_tmp/cert.pem" >"$io_tmp/bundle.pem"

    local have_requests=0 have_aiohttp=0
    "$io_python" -c 'import requests' 2>/dev/null && have_requests=1
    "$io_python" -c 'import aiohttp' 2>/dev/null && have_aiohttp=1
    local peers=(curl)
    command -v wget2 >/dev/null && peers+=(wget2)
    command -v aria2c >/dev/null && peers+=(aria2c)
    [ "$have_requests" = 0 ] || peers+=(python-threads)
    local concurs=(concur-threads concur-multi concur-mpi)

    echo "## HTTPS: $io_count downloads at ${io_latency_ms} ms latency"
    echo
    echo "The notes' list from \`concur serve --tls --latency ${io_latency_ms}ms\` (GnuTLS, a fresh"
    echo "self-signed ECDSA P-256 certificate) on 127.0.0.1; every client trusts the same bundle:"
    echo "the system store ($system, $(grep -c 'BEGIN CERT' "$io_tmp/bundle.pem") certificates with the server's)."
    echo "Whole processes under GNU time, $tls_rounds rounds at each W, every client once a"
    echo "round, the order rotating (A/B on a shared machine: compare ratios, not seconds)."
    echo "**seconds**: median wall time; **× wget2**, **× curl**: against those at the same W;"
    echo "**CPU s**: median user + sys of the client; **ms/conn**: that over its new TLS"
    echo "connections (one per worker: min(W, $io_count))."
    echo "\"libcurl loads the CAs (before)\": the same binary with CONCUR_TLS_TRUST=libcurl and"
    echo "the system store's directory too (--capath /etc/ssl/certs), which is what concur did"
    echo "before: libcurl parses the bundle for every new connection."
    echo "Peers: $(curl --version | head -n 1 | cut -d' ' -f1-5), $(wget2 --version 2>/dev/null | head -n 1 | sed 's/ - .*//'),"
    echo "$(aria2c --version 2>/dev/null | head -n 1), $("$io_python" --version 2>&1)."
    echo

    # W = 1 first: 16 s a run, one run each.
    local saved=$tls_rounds
    tls_rounds=1
    local sync_clients=(concur-sync)
    [ "$have_requests" = 0 ] || sync_clients+=(python-requests)
    tls_rounds_at 1 "${sync_clients[@]}"
    tls_rounds=$saved
    local w conns
    for w in "${tls_widths[@]}"; do
        local extra=(concur-multi-http concur-threads-http)
        [ "$w" -lt "$io_count" ] || extra=(concur-threads-libcurl concur-multi-libcurl)
        tls_rounds_at "$w" "${concurs[@]}" "${peers[@]}" "${extra[@]}"
    done
    [ "$have_aiohttp" = 0 ] || tls_rounds_at 100 python-aiohttp concur-multi wget2 curl

    echo "| client | W | seconds | × wget2 | × curl | CPU s | ms/conn |"
    echo "|---|---:|---:|---:|---:|---:|---:|"
    tls_row concur-sync 1 1
    [ "$have_requests" = 0 ] || tls_row python-requests 1 1
    for w in "${tls_widths[@]}"; do
        conns=$((w < io_count ? w : io_count))
        local c
        for c in "${concurs[@]}" "${peers[@]}"; do
            tls_row "$c" "$w" "$conns"
        done
        [ "$w" -lt "$io_count" ] || { tls_row concur-threads-libcurl "$w" "$conns"; tls_row concur-multi-libcurl "$w" "$conns"; }
    done
    if [ "$have_aiohttp" = 1 ]; then
        tls_row concur-multi 100 100
        tls_row python-aiohttp 100 100
    fi
    echo

    echo "HTTPS against plain HTTP (the same server code, same latency, in the same rounds):"
    echo
    echo "| concur | W | HTTP s | HTTPS s | HTTPS / HTTP |"
    echo "|---|---:|---:|---:|---:|"
    for w in "${tls_widths[@]}"; do
        [ "$w" -lt "$io_count" ] || continue
        local m h s
        for m in multi threads; do
            h=$(tls_median "concur-$m-http" "$w" 3)
            s=$(tls_median "concur-$m" "$w" 3)
            if [[ $h == failed || $s == failed ]]; then
                echo "| $m | $w | $h | $s | |"
            else
                echo "| $m | $w | $(fmt 3 "$h") | $(fmt 3 "$s") | $(fmt 3 "$(ratio "$s" "$h")") |"
            fi
        done
    done
    echo

    tls_scale
    [ "$have_requests" = 1 ] || echo "Skipped the notes' requests programs: $io_python has no requests${bench_deps_note:+ ($bench_deps_note)}."
    [ "$have_aiohttp" = 1 ] || echo "Skipped the notes' aiohttp program: $io_python has no aiohttp${bench_deps_note:+ ($bench_deps_note)}."
    command -v wget2 >/dev/null || echo "Skipped wget2: not installed${bench_deps_note:+ ($bench_deps_note)}."
    command -v aria2c >/dev/null || echo "Skipped aria2c: not installed${bench_deps_note:+ ($bench_deps_note)}."
    echo
    tls_stop_http
    io_cleanup
    trap - EXIT INT TERM
}

tls_stop_http() {
    if [ -n "$tls_http_pid" ]; then
        kill "$tls_http_pid" 2>/dev/null || true
        wait "$tls_http_pid" 2>/dev/null || true
        tls_http_pid=
    fi
}
