#!/usr/bin/env bats
# HTTPS: `concur serve --tls` and `concur io` trusting its certificate
# (--cacert, --capath): every mode with exact bytes, the fault matrix,
# verification failures, and bad usage. The checks of io.bats run here with
# SERVER_ARGS and IO_ARGS (io_helpers.bash) set for TLS.

load helpers
load io_helpers

setup() {
    share_the_machine # helpers.bash: make cli runs tests in parallel
    TMP=$(mktemp -d "${BATS_TMPDIR:-/tmp}/concur-test.XXXXXX")
    CERT=$TMP/server-cert.pem
    SERVER_ARGS=(--tls --cert-out "$CERT")
    IO_ARGS=(--cacert "$CERT")
}

# A key and a self-signed certificate for another name: example.com.
other_certificate() {
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 \
        -subj /CN=example.com -addext subjectAltName=DNS:example.com \
        -keyout "$TMP/other.key" -out "$TMP/other.pem" 2>/dev/null
}

@test "serve --tls: an https URL, the certificate written before the port file" {
    start_server
    [[ "$SERVER_URL" == https://127.0.0.1:* ]]
    [[ "$(head -n 1 "$TMP/server.out")" == "$SERVER_URL/" ]]
    run openssl x509 -in "$CERT" -noout -ext subjectAltName
    [[ "$output" == *"IP Address:127.0.0.1"* && "$output" == *"DNS:localhost"* ]]
    # curl (OpenSSL) trusts exactly that certificate, by IP and by name
    [ "$(curl -s --cacert "$CERT" "$SERVER_URL/bytes/1000" | wc -c)" -eq 1000 ]
    [ "$(curl -s --cacert "$CERT" "${SERVER_URL/127.0.0.1/localhost}/bytes/7" | wc -c)" -eq 7 ]
}

@test "serve --tls: every route answers over TLS" {
    start_server
    local c=(curl -s --cacert "$CERT" -o /dev/null -w '%{http_code} %{size_download}\n')
    [ "$("${c[@]}" "$SERVER_URL/")" = "200 $(curl -s --cacert "$CERT" "$SERVER_URL/" | wc -c)" ]
    [ "$("${c[@]}" "$SERVER_URL/bytes/70000")" = "200 70000" ]
    [ "$("${c[@]}" "$SERVER_URL/delay/0.1")" = "200 8" ]
    [ "$("${c[@]}" "$SERVER_URL/status/418")" = "418 5" ]
    [ "$("${c[@]}" "$SERVER_URL/drip?numbytes=50&duration=0.2")" = "200 50" ]
    [[ "$("${c[@]}" "$SERVER_URL/flaky/tls/1?retry-after=1")" == "503 "* ]]
    [ "$("${c[@]}" "$SERVER_URL/flaky/tls/1")" = "200 2" ]
    [ "$("${c[@]}" "$SERVER_URL/nothing")" = "404 18" ]
}

@test "serve --tls --cert --key serves the given certificate" {
    other_certificate
    SERVER_ARGS=(--tls --cert "$TMP/other.pem" --key "$TMP/other.key" --cert-out "$TMP/out.pem")
    start_server
    cmp "$TMP/other.pem" "$TMP/out.pem"
    run curl -s --cacert "$TMP/other.pem" --resolve "example.com:${SERVER_URL##*:}:127.0.0.1" \
        "https://example.com:${SERVER_URL##*:}/bytes/10"
    [ "${#output}" -eq 10 ]
}

@test "tls sync: the reference list, exact" { check_reference "$CONCUR" io --mode sync --cacert "$CERT"; }
@test "tls threads: the reference list, exact" { check_reference "$CONCUR" io --mode threads --workers 8 --cacert "$CERT"; }
@test "tls threads --share: the reference list, exact" { check_reference "$CONCUR" io --mode threads --workers 8 --share --cacert "$CERT"; }
@test "tls multi: the reference list, exact" { check_reference "$CONCUR" io --mode multi --workers 8 --cacert "$CERT"; }
@test "tls mpi as a singleton: the reference list, exact" { check_reference "$CONCUR" io --mode mpi --workers 4 --cacert "$CERT"; }
@test "tls mpi with 1 rank under mpirun" { check_mpi 1 --cacert "$CERT"; }
@test "tls mpi with 2 ranks, cyclic, a multi handle per rank" { check_mpi 2 --split cyclic --workers 4 --cacert "$CERT"; }

@test "tls sync: the fault matrix" { check_faults sync; }
@test "tls threads: the fault matrix" { check_faults threads; }
@test "tls multi: the fault matrix" { check_faults multi; }
@test "tls mpi: the fault matrix" { check_faults mpi; }

@test "tls: --capath, a hashed directory, is trusted too" {
    start_server
    mkdir "$TMP/cas"
    cp "$CERT" "$TMP/cas/server.pem"
    openssl rehash "$TMP/cas"
    reference_list >"$TMP/urls"
    IO_ARGS=(--capath "$TMP/cas")
    run --separate-stderr io_in_mode threads --urls "$TMP/urls" -q
    [ "$status" -eq 0 ]
    [ "$(csv_value /dev/stdin 1 bytes <<<"$output")" -eq "$REFERENCE_BYTES" ]
}

# Verification stays on: each URL fails with its reason, exit 1.
check_untrusted() { # mode reason-pattern io-args...
    local mode=$1 reason=$2; shift 2
    IO_ARGS=("$@")
    printf '%s\n' "$SERVER_URL/bytes/10" "$SERVER_URL/bytes/20" >"$TMP/urls"
    run --separate-stderr io_in_mode "$mode" --urls "$TMP/urls" --log "$TMP/log.csv"
    [ "$status" -eq 1 ]
    [ "$(csv_value /dev/stdin 1 errors <<<"$output")" -eq 2 ]
    [ "$(grep -c "$reason" "$TMP/log.csv")" -eq 2 ]
}

@test "tls: the system store does not trust the self-signed certificate (every mode)" {
    start_server
    local mode
    for mode in sync threads multi mpi; do
        check_untrusted "$mode" 'SSL certificate problem: self-signed certificate'
    done
}

@test "tls: a wrong CA fails verification (every mode)" {
    other_certificate
    start_server
    local mode
    for mode in sync threads multi mpi; do
        check_untrusted "$mode" 'SSL certificate problem' --cacert "$TMP/other.pem"
    done
}

@test "tls: a trusted certificate for another name fails the host check" {
    other_certificate
    SERVER_ARGS=(--tls --cert "$TMP/other.pem" --key "$TMP/other.key")
    start_server
    local mode
    for mode in sync threads multi; do
        check_untrusted "$mode" "no alternative certificate subject name matches target host name '127.0.0.1'" \
            --cacert "$TMP/other.pem"
    done
}

@test "tls mpi with 2 ranks: an untrusted server is exit 1 on every rank" {
    start_server
    printf '%s\n' "$SERVER_URL/bytes/1" "$SERVER_URL/bytes/2" >"$TMP/urls"
    run --separate-stderr mpirun_np 2 "$CONCUR" io --mode mpi --urls "$TMP/urls" --log "$TMP/log.csv"
    [ "$status" -eq 1 ]
    [ "$(grep -c 'SSL certificate problem' "$TMP/log.csv")" -eq 2 ]
}

# Bad usage: exit 2, one line naming the value, nothing on stdout.
bad_io() { # pattern args...
    local pattern=$1; shift
    echo "http://127.0.0.1:1/x" >"$TMP/urls"
    run --separate-stderr "$CONCUR" io --mode multi --urls "$TMP/urls" "$@"
    [ "$status" -eq 2 ]
    [ -z "$output" ]
    [ "$(wc -l <<<"$stderr")" -eq 1 ]
    [[ "$stderr" == *"$pattern"* ]]
}

@test "io --cacert to a missing file exits 2 naming it, before any transfer" {
    bad_io "--cacert $TMP/missing.pem: cannot open" --cacert "$TMP/missing.pem"
}
@test "io --cacert to a directory or a file without certificates exits 2" {
    bad_io "--cacert $TMP: not a regular file" --cacert "$TMP"
    : >"$TMP/empty.pem"
    bad_io "$TMP/empty.pem" --cacert "$TMP/empty.pem"
}
@test "io --capath to a missing directory exits 2 naming it" {
    bad_io "--capath $TMP/nowhere: cannot open" --capath "$TMP/nowhere"
}
@test "mpi with 2 ranks: --cacert missing is exit 2 with one message" {
    echo "http://127.0.0.1:1/x" >"$TMP/urls"
    run --separate-stderr mpirun_np 2 "$CONCUR" io --mode mpi --urls "$TMP/urls" --cacert "$TMP/missing.pem"
    [ "$status" -eq 2 ]
    [ "$(grep -c 'missing.pem: cannot open' <<<"$stderr")" -eq 1 ]
}

bad_serve() { # pattern args...
    local pattern=$1; shift
    run --separate-stderr "$CONCUR" serve --port 0 "$@"
    [ "$status" -eq 2 ]
    [ -z "$output" ]
    [[ "$stderr" == *"$pattern"* ]]
}

@test "serve: --cert, --key and --cert-out need --tls; --cert and --key go together" {
    bad_serve "--cert-out: only with --tls" --cert-out "$TMP/c.pem"
    bad_serve "--cert: only with --tls" --cert "$TMP/c.pem" --key "$TMP/k.pem"
    bad_serve "--cert $TMP/c.pem: needs --key" --tls --cert "$TMP/c.pem"
    bad_serve "--key $TMP/k.pem: needs --cert" --tls --key "$TMP/k.pem"
    [ ! -e "$TMP/c.pem" ]
}

@test "serve --tls: a missing, non-PEM or mismatched certificate or key exits 2 naming it" {
    other_certificate
    bad_serve "--cert $TMP/none.pem: cannot open" --tls --cert "$TMP/none.pem" --key "$TMP/other.key"
    bad_serve "--key $TMP/none.key: cannot open" --tls --cert "$TMP/other.pem" --key "$TMP/none.key"
    echo "not a certificate" >"$TMP/junk.pem"
    bad_serve "--cert $TMP/junk.pem: not a PEM certificate" --tls --cert "$TMP/junk.pem" --key "$TMP/other.key"
    openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$TMP/stranger.key" 2>/dev/null
    bad_serve "--key $TMP/stranger.key: not the key of the certificate" \
        --tls --cert "$TMP/other.pem" --key "$TMP/stranger.key"
}

@test "io-sweep TLS=1 (make run's HTTPS sweep): https, trusting system store + certificate, rows io-https" {
    export LATENCY=1ms WORKERS="1 5" MODES="sync multi mpi" RANKS=1 REPEAT=1 WARMUP=0 TLS=1 \
        RESULTS="$TMP/sweep" CONCUR
    run --separate-stderr bash "$BATS_TEST_DIRNAME/../../jobs/io-sweep.sbatch"
    [ "$status" -eq 0 ]
    local dir
    dir=$(echo "$RESULTS"/io-sweep-https-*)
    [ -d "$dir" ]
    [ "$(grep -c '^https://127.0.0.1:' "$dir/urls.txt")" -eq 160 ]
    [ "$(grep -c 'BEGIN CERTIFICATE' "$dir/trust.pem")" -gt 1 ]
    [ "$(cut -d, -f1 "$dir/runs.csv" | tail -n +2 | sort -u)" = io-https ]
    [ "$(tail -n +2 "$dir/runs.csv" | wc -l)" -eq 4 ]
    [ "$(cut -d, -f6 "$dir/runs.csv" | sort -u | tr '\n' ' ')" = "1 ok " ]  # the sweep's ok column
    [ "$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "errors") c = i; next } { print $c }' \
        "$dir/details.csv" | sort -u)" = 0 ]    # concur io's own rows
    grep -q -- '--cacert .*trust.pem' "$dir/commands.txt"
}
