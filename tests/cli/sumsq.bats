#!/usr/bin/env bats
# concur sumsq: exact values and every class of bad input.

load helpers

@test "sumsq prints one exact value per line" {
    run "$CONCUR" sumsq 0 1 2 3 5000000
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = 0 ]
    [ "${lines[1]}" = 0 ]
    [ "${lines[2]}" = 1 ]
    [ "${lines[3]}" = 5 ]
    [ "${lines[4]}" = 41666654166667500000 ]
    [ "${#lines[@]}" -eq 5 ]
}

@test "sumsq is exact above 2^32, where i*i no longer fits 64 bits" {
    run "$CONCUR" sumsq 4294967297
    [ "$status" -eq 0 ]
    [ "$output" = 26409387513978151235418587136 ]
}

@test "sumsq accepts '_' separators as in Python literals" {
    run "$CONCUR" sumsq 5_000_000
    [ "$status" -eq 0 ]
    [ "$output" = 41666654166667500000 ]
}

@test "every kernel path this CPU has gives the same values" {
    for path in generic avx2 avx512 avx512ifma; do
        run "$CONCUR" sumsq --kernel "$path" 1 17 5000000 100000007
        if [ "$status" -eq 2 ]; then
            [[ "$output" == *"not supported by this CPU"* ]]
            continue
        fi
        [ "$status" -eq 0 ]
        [ "${lines[3]}" = 333333398333337550000091 ] # python3: sum(i*i for i in range(100000007))
    done
}

# Each bad input: exit 2, one line on stderr naming the value, nothing on stdout.
bad_input() { refused "$2" sumsq 7 "$1"; }

@test "negative N is refused" { bad_input -5 "'-5' is negative"; }
@test "empty N is refused" { bad_input "" "empty value"; }
@test "non-numeric N is refused" { bad_input abc "'abc' is not a number"; }
@test "exponent form is refused" { bad_input 1e6 "'1e6' is an exponent form"; }
@test "fraction is refused" { bad_input 2.5 "'2.5' is not a whole number"; }
@test "sign is refused" { bad_input +5 "'+5' has a sign"; }
@test "hexadecimal is refused" { bad_input 0x10 "'0x10' is hexadecimal"; }
@test "misplaced underscore is refused" { bad_input 1__000 "'1__000' misplaces '_'"; }
@test "trailing garbage is refused" { bad_input 12ab "'12ab' is not a number"; }
@test "N above the 128-bit limit is refused with the limit named" {
    bad_input 10069012961346 "'10069012961346' exceeds the limit 10069012961345"
}
@test "N above 64 bits is refused" {
    bad_input 18446744073709551616 "does not fit in 64 bits"
}
@test "N above 128 bits is refused" {
    bad_input 999999999999999999999999999999999999999999 "too large"
}

@test "sumsq without N is a usage error" {
    run "$CONCUR" sumsq
    [ "$status" -eq 2 ]
    [[ "$output" == *"no N given"* ]]
}

@test "unknown kernel path is refused" {
    run "$CONCUR" sumsq --kernel sse9 4
    [ "$status" -eq 2 ]
    [[ "$output" == *"unknown path 'sse9'"* ]]
}

@test "sumsq --help describes the limit" {
    run "$CONCUR" sumsq --help
    [ "$status" -eq 0 ]
    [[ "$output" == *10069012961345* ]]
}

@test "unknown command exits 2" {
    run "$CONCUR" frobnicate
    [ "$status" -eq 2 ]
    [[ "$output" == *"unknown command 'frobnicate'"* ]]
}

# How many times the function's disassembly in the binary holds the
# instruction (the vector paths are compiled in whatever the CPU has).
count_in_function() {
    objdump -d --no-show-raw-insn "$CONCUR" | awk "/<$1>:/,/^\$/" | grep -c "$2" || true
}

@test "the AVX2 kernel really multiplies (no closed form in the binary)" {
    command -v objdump >/dev/null || skip "objdump not installed"
    [ "$(count_in_function kernel_block_avx2 vpmuludq)" -ge 4 ]
    # beyond 2^29: l*l and H*l by fused multiply-adds in doubles
    [ "$(count_in_function kernel_wide_avx2 'vfmadd...pd')" -ge 8 ]
}

@test "the AVX-512 and IFMA kernels really multiply (in the binary, whatever this CPU)" {
    command -v objdump >/dev/null || skip "objdump not installed"
    [ "$(count_in_function kernel_block_avx512 vpmuludq)" -ge 4 ]
    [ "$(count_in_function kernel_wide_avx512 vpmuludq)" -ge 8 ]
    [ "$(count_in_function kernel_block_ifma vpmadd52luq)" -ge 12 ]
    [ "$(count_in_function kernel_wide_ifma vpmadd52luq)" -ge 8 ]
    [ "$(count_in_function kernel_wide_ifma vpmadd52huq)" -ge 8 ]
}

@test "a kernel path this CPU lacks is refused: exit 2, one line" {
    local path flag
    for path in avx512ifma avx512; do
        flag=$([ $path = avx512 ] && echo avx512f || echo avx512ifma)
        if grep -qw "$flag" /proc/cpuinfo; then continue; fi
        refused "kernel '$path' is not supported by this CPU" sumsq --kernel $path 5
    done
}

# The wide path (from 2^29) on all threads, against Python's integers.
@test "sumsq beyond 2^32 on all CPUs equals Python's exact integers" {
    local n=4300000123
    run "$CONCUR" sumsq "$n"
    [ "$status" -eq 0 ]
    [ "$output" = "$(python3 -c "n = $n; print(n * (n - 1) * (2 * n - 1) // 6)")" ]
    run "$CONCUR" sumsq --workers 3 1000 "$n" 77
    [ "$status" -eq 0 ]
    [ "${lines[1]}" = "$(python3 -c "n = $n; print(n * (n - 1) * (2 * n - 1) // 6)")" ]
    [ "${lines[2]}" = "$(python3 -c "print(sum(i * i for i in range(77)))")" ]
}

@test "sumsq --workers must be a count from 1" {
    refused "--workers: '0' must be at least 1" sumsq --workers 0 5
    refused "'x' is not a number" sumsq --workers x 5
    OMP_NUM_THREADS=100000 refused "OMP_NUM_THREADS: '100000' exceeds 4096 threads" sumsq 5
    run env OMP_NUM_THREADS=3 "$CONCUR" sumsq 5
    [ "$status" -eq 0 ]
    [ "$output" = 30 ]
}

@test "sumsq shows progress on a terminal, and nothing when stderr is not one" {
    command -v script >/dev/null || skip "script (util-linux) not installed"
    # a pseudo-terminal; the delay before the line appears is 0 here
    run env CONCUR_PROGRESS_DELAY=0 script -qec "'$CONCUR' sumsq 3000000000" /dev/null
    [ "$status" -eq 0 ]
    [[ "$output" == *"concur sumsq: "*"% of 3.0e9 squares"* ]]
    [[ "$output" == *8999999995500000000500000000* ]]
    run --separate-stderr env CONCUR_PROGRESS_DELAY=0 "$CONCUR" sumsq 3000000000
    [ "$status" -eq 0 ]
    [ -z "$stderr" ]
    [ "$output" = 8999999995500000000500000000 ]
}

@test "sumsq says its estimate up front for very long work" {
    # at the limit: minutes on any CPU; stopped once the estimate is out
    run --separate-stderr timeout 3 "$CONCUR" sumsq --workers 1 10069012961345
    [ "$status" -eq 124 ]
    [[ "$stderr" == *"1.0e13 squares on 1 thread, kernel "*": about "*" (estimate)"* ]]
}
