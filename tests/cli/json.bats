#!/usr/bin/env bats
# JSON output stays valid JSON and valid UTF-8 whatever the input holds:
# bytes that are not UTF-8 (Latin-1 text, cut sequences) come out as U+FFFD,
# control characters escaped (doc/commands.md: the JSON policy).

load helpers

# Strict: json.load on a UTF-8 stdin fails on a raw byte that is not UTF-8.
valid_json() {
    python3 -c 'import io, json, sys; json.load(io.TextIOWrapper(sys.stdin.buffer, encoding="utf-8", errors="strict"))'
}

# A runs CSV whose variant is Latin-1 ("café" as 63 61 66 E9), whose
# experiment holds a control character and a cut UTF-8 sequence.
hostile_runs() {
    {
        printf 'experiment,variant,workers,run,seconds,ok\n'
        for w in 1 2 4; do
            for run in 1 2 3; do
                printf 'cpu\001\342\202,caf\351,%s,%s,%s.%s,1\n' "$w" "$run" "$((8 / w))" "$run"
            done
        done
    } >"$1"
}

@test "stats --format json: bytes that are not UTF-8 become U+FFFD, controls are escaped" {
    hostile_runs "$TMP/runs.csv"
    run --separate-stderr "$CONCUR" stats --format json "$TMP/runs.csv"
    [ "$status" -eq 0 ]
    valid_json <<<"$output"
    python3 -c 'import json, sys; d = json.load(sys.stdin); g = d["groups"][0]
assert g["variant"] == "caf\ufffd", g["variant"]; assert g["experiment"] == "cpu\x01\ufffd", g["experiment"]' <<<"$output"
    # Markdown keeps the bytes as they came.
    run --separate-stderr "$CONCUR" stats "$TMP/runs.csv"
    [ "$status" -eq 0 ]
    [[ $output == *$'caf\351'* ]]
}

@test "compare --format json: valid JSON from CSV cells that are not UTF-8" {
    hostile_runs "$TMP/a.csv"
    hostile_runs "$TMP/b.csv"
    run --separate-stderr "$CONCUR" compare --format json "$TMP/a.csv" "$TMP/b.csv"
    [ "$status" -eq 0 ]
    valid_json <<<"$output"
    [[ $output == *'caf\ufffd'* ]]
}

@test "compare --format json: file names that are not UTF-8 are replaced too" {
    hostile_runs "$TMP/a"$'\377'.csv
    hostile_runs "$TMP/b.csv"
    run --separate-stderr "$CONCUR" compare --format json "$TMP/a"$'\377'.csv "$TMP/b.csv"
    [ "$status" -eq 0 ]
    valid_json <<<"$output"
}

@test "predict --format json: valid JSON from CSV cells that are not UTF-8" {
    hostile_runs "$TMP/runs.csv"
    sed -i '2,4s/caf\xe9/serial/' "$TMP/runs.csv"   # the baseline an Amdahl fit needs
    run --separate-stderr "$CONCUR" predict --format json "$TMP/runs.csv" --cores 8
    [ "$status" -eq 0 ]
    valid_json <<<"$output"
    [[ $output == *'caf\ufffd'* ]]
}

@test "io --format json: a URL list named in bytes that are not UTF-8 stays valid JSON" {
    printf 'http://127.0.0.1:1/caf\351\nno-scheme-\377\001\n' >"$TMP/urls"$'\351'
    run --separate-stderr "$CONCUR" io --mode sync --urls "$TMP/urls"$'\351' --format json
    [ "$status" -eq 1 ]
    valid_json <<<"$output"
    [[ $output == *'urls\ufffd"'* ]]
}

@test "classify --format json: command arguments that are not UTF-8 stay valid JSON" {
    run --separate-stderr "$CONCUR" classify --format json --repeat 1 -- true $'caf\351' $'tab\there'
    [ "$status" -eq 0 ]
    valid_json <<<"$output"
    python3 -c 'import json, sys; d = json.load(sys.stdin)
assert d["command"] == ["true", "caf\ufffd", "tab\there"], d["command"]' <<<"$output"
}

@test "provenance.json (jobs/lib.sh): settings that are not UTF-8 stay valid JSON" {
    run bash -c 'source "$1"; printf "{\"name\": %s, \"settings\": %s, \"hosts\": %s}" \
        "$(json_str "$2")" "$(json_object "k=$2")" "$(json_list "$2" "é")"' \
        _ "$BATS_TEST_DIRNAME/../../jobs/lib.sh" $'caf\351\001'
    [ "$status" -eq 0 ]
    valid_json <<<"$output"
    python3 -c 'import json, sys; d = json.load(sys.stdin)
assert d == {"name": "caf\ufffd", "settings": {"k": "caf\ufffd"}, "hosts": ["caf\ufffd", "é"]}, d' <<<"$output"
}
