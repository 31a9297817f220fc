#!/usr/bin/env bats
# concur cpu: every variant gives the exact reference total; errors exit 2.

load helpers

# The result column of every data row of a runs CSV.
results() {
    awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
             { print $col["result"] }' <<<"$1" | sort -u
}

column_values() {
    awk -F, -v name="$2" 'NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
             { print $col[name] }' <<<"$1" | sort -u
}

exact_reference() {
    [ "$status" -eq 0 ]
    [ "$(results "$output")" = "$REFERENCE_TOTAL" ]
    [ "$(column_values "$output" ok)" = 1 ]
}

@test "serial gives the exact reference total" {
    run "$CONCUR" cpu --mode serial --repeat 2 --format csv
    exact_reference
    [ "$(wc -l <<<"$output")" -eq 3 ] # header + 2 runs; the warm-up is not recorded
    [ "$(head -1 <<<"$output" | cut -d, -f1-7)" = "experiment,variant,workers,run,seconds,result,ok" ]
}

@test "omp: both decompositions and both schedules are exact" {
    for decomp in numbers range; do
        for schedule in static dynamic; do
            run --separate-stderr "$CONCUR" cpu --mode omp --workers 3 --decomp $decomp --schedule $schedule --repeat 2 --format csv
            exact_reference
            [ "$(column_values "$output" threads)" = 3 ]
            [ "$(column_values "$output" schedule)" = $schedule ]
        done
    done
}

@test "every kernel path gives the exact total" {
    for path in generic avx2 avx512 avx512ifma; do
        run "$CONCUR" cpu --kernel $path --repeat 1 --format csv
        if [ "$status" -eq 2 ]; then # the CPU lacks it
            [[ "$output" == *"kernel '$path' is not supported by this CPU"* ]]
            continue
        fi
        exact_reference
        [ "$(column_values "$output" kernel)" = $path ]
    done
}

@test "--kernel avx512ifma on a CPU without IFMA: exit 2, one line, nothing on stdout" {
    grep -qw avx512ifma /proc/cpuinfo && skip "this CPU has IFMA"
    refused "kernel 'avx512ifma' is not supported by this CPU" cpu --kernel avx512ifma
}

# Beyond 2^31 the wide blocks take over; serial and omp alike.
@test "numbers beyond 2^32 are exact on the kernel's wide path" {
    local want
    want=$(python3 -c "print(sum(n * (n - 1) * (2 * n - 1) // 6 for n in (4300000000, 4300000001)))")
    for mode in "serial" "omp --decomp range"; do
        # shellcheck disable=SC2086 # the mode and its options, split
        run "$CONCUR" cpu --mode $mode --base 4300000000 --count 2 --repeat 1 --warmup 0 --format csv
        [ "$status" -eq 0 ]
        [ "$(results "$output")" = "$want" ]
    done
}

@test "a long cpu run shows its progress on a terminal" {
    command -v script >/dev/null || skip "script (util-linux) not installed"
    run env CONCUR_PROGRESS_DELAY=0 script -qec "'$CONCUR' cpu --base 3000000000 --count 1 --repeat 1 --warmup 0" /dev/null
    [ "$status" -eq 0 ]
    [[ "$output" == *"concur cpu: "*"% of 3.0e9 squares"* ]]
    [[ "$output" == *8999999995500000000500000000* ]]
}

@test "mpi with 1, 2 and 4 ranks and every distribution is exact" {
    for np in 1 2 4; do
        for dist in block cyclic dynamic; do
            run mpirun_np $np "$CONCUR" cpu --mode mpi --dist $dist --repeat 2 --format csv
            exact_reference
            [ "$(column_values "$output" workers)" = $np ]
            [ "$(wc -l <<<"$output")" -eq 3 ] # rank 0 alone prints
            [ "$(column_values "$output" oversubscribed)" = $((np > $(nproc) ? 1 : 0)) ]
        done
    done
}

@test "mpi with the range decomposition is exact" {
    run mpirun_np 2 "$CONCUR" cpu --mode mpi --decomp range --dist cyclic --repeat 1 --format csv
    exact_reference
}

@test "mpi runs as a singleton without mpirun" {
    run "$CONCUR" cpu --mode mpi --repeat 1 --format csv
    exact_reference
    [ "$(column_values "$output" ranks)" = 1 ]
}

@test "hybrid: ranks x threads, exact" {
    run --separate-stderr mpirun_np 2 --bind-to none "$CONCUR" cpu --mode hybrid --workers 2 --decomp range --repeat 1 --format csv
    exact_reference
    [ "$(column_values "$output" workers)" = 4 ]
    run --separate-stderr mpirun_np 2 --bind-to none "$CONCUR" cpu --mode hybrid --workers 2 --dist dynamic --repeat 1 --format csv
    exact_reference
}

@test "json output carries the runs and the kernel path" {
    run --separate-stderr "$CONCUR" cpu --repeat 2 --format json
    [ "$status" -eq 0 ]
    python3 -c '
import json, sys
doc = json.loads(sys.argv[1])
assert len(doc["runs"]) == 2, doc
assert doc["runs"][0]["result"] == "833337833344750010830"
assert doc["runs"][0]["ok"] == 1 and doc["runs"][0]["seconds"] > 0
assert doc["meta"]["kernel"] in ("generic", "avx2", "avx512", "avx512ifma")
' "$output"
}

@test "the table names the kernel path and the expected total" {
    run "$CONCUR" cpu --repeat 1
    [ "$status" -eq 0 ]
    [[ "$output" == *"# kernel: "* ]]
    [[ "$output" == *"# expected: $REFERENCE_TOTAL"* ]]
}

@test "a wrong total gives ok=0 and exit status 1" {
    CONCUR_TEST_CORRUPT_RESULT=1 run --separate-stderr "$CONCUR" cpu --repeat 2 --format csv
    [ "$status" -eq 1 ]
    [ "$(sed -n 2p <<<"$output" | cut -d, -f7)" = 0 ]
    [ "$(sed -n 3p <<<"$output" | cut -d, -f7)" = 1 ]
    [[ "$stderr" == *"differs from the closed form"* ]]
}

# Bad usage: exit 2, one line naming the value, nothing on stdout.
usage_error() { refused "$1" cpu "${@:2}"; }

@test "bad --mode" { usage_error "--mode: unknown value 'fast'" --mode fast; }
@test "bad --count" { usage_error "--count: '-3' is negative" --count -3; }
@test "zero --count" { usage_error "--count: '0'" --count 0; }
@test "bad --base" { usage_error "--base: '1e6' is an exponent form" --base 1e6; }
@test "--base past the 128-bit limit" { usage_error "10069012961345" --base 10069012961345 --count 2; }
@test "a total past 128 bits" { usage_error "exceeds 128 bits" --base 10069012961344 --count 2; }
@test "zero --workers" { usage_error "--workers: '0'" --mode omp --workers 0; }
@test "bad --decomp" { usage_error "--decomp: unknown value 'diagonal'" --decomp diagonal; }
@test "bad --schedule" { usage_error "--schedule: unknown value 'guided'" --schedule guided; }
@test "bad --dist" { usage_error "--dist: unknown value 'random'" --dist random; }
@test "bad --format" { usage_error "--format: unknown format 'xml'" --format xml; }
@test "zero --repeat" { usage_error "--repeat: '0'" --repeat 0; }
@test "unknown option" { usage_error "unknown option '--frobnicate'" --frobnicate; }
@test "option without its value" { usage_error "option '--count' needs a value" --count; }
@test "stray argument" { usage_error "unexpected argument 'extra'" extra; }
@test "serial with several workers" { usage_error "--mode serial runs one worker" --workers 2; }
@test "mpi --workers that differ from the ranks" { usage_error "start 3 with mpirun -np 3" --mode mpi --workers 3; }

@test "under mpirun every rank exits 2 together on bad options, one message" {
    run --separate-stderr mpirun_np 2 "$CONCUR" cpu --mode mpi --count 1e6
    [ "$status" -eq 2 ]
    [ -z "$output" ]
    [ "$(grep -c "exponent form" <<<"$stderr")" -eq 1 ]
}

@test "under mpirun a one-process mode is refused on every rank" {
    run --separate-stderr mpirun_np 2 "$CONCUR" cpu --mode omp
    [ "$status" -eq 2 ]
    [ "$(grep -c "runs in one process" <<<"$stderr")" -eq 1 ]
}

@test "cpu --help describes the modes" {
    run "$CONCUR" cpu --help
    [ "$status" -eq 0 ]
    [[ "$output" == *"--mode M"* ]]
    [[ "$output" == *"hybrid"* ]]
}

@test "omp with fewer numbers than threads splits each number, exact" {
    run --separate-stderr "$CONCUR" cpu --mode omp --workers 2 --count 1 --repeat 1 --format csv
    [ "$status" -eq 0 ]
    [ "$(results "$output")" = 41666654166667500000 ]
}

@test "--experiment labels the runs" {
    run --separate-stderr "$CONCUR" cpu --experiment cpu-reference --repeat 1 --format csv
    [ "$status" -eq 0 ]
    [ "$(column_values "$output" experiment)" = cpu-reference ]
}

@test "bad --experiment" { usage_error "--experiment: 'a,b'" --experiment a,b; }

# Limits: OMP_NUM_THREADS has the cap of --workers (100,000 threads made
# libgomp overflow the main thread's stack: a segfault).
@test "OMP_NUM_THREADS past the cap of --workers is refused, not a crash" {
    OMP_NUM_THREADS=100000 refused "OMP_NUM_THREADS: 100000 threads, more than 4096" cpu --mode omp --repeat 1 --format csv
    OMP_NUM_THREADS=100000 refused "more than 4096" cpu --mode hybrid --repeat 1 --format csv
    refused "--workers: '4097'" cpu --mode omp --workers 4097
}

@test "OMP_NUM_THREADS at the cap runs" {
    OMP_NUM_THREADS=4096 run --separate-stderr "$CONCUR" cpu --mode omp --count 1 --base 1000 --repeat 1 --warmup 0 --format csv
    [ "$status" -eq 0 ]
    [ "$(column_values "$output" threads)" = 4096 ]
}

# Options that the mode does not use are refused, not silently ignored.
@test "--schedule outside omp and hybrid" { usage_error "--schedule: only for --mode omp or hybrid, not serial" --mode serial --schedule dynamic; }
@test "--schedule with mpi" { usage_error "--schedule: only for --mode omp or hybrid, not mpi" --mode mpi --schedule static; }
@test "--dist outside mpi and hybrid" { usage_error "--dist: only for --mode mpi or hybrid, not omp" --mode omp --dist cyclic; }
@test "--dist with serial" { usage_error "--dist: only for --mode mpi or hybrid, not serial" --dist block; }
@test "--decomp with serial" { usage_error "--decomp: only for --mode omp, mpi or hybrid" --decomp range; }

# The hybrid warning counts the threads of the node (ranks on it x threads)
# and advises a wider binding only where the binding is the cause.
@test "hybrid oversubscription is counted per node, without --bind-to none advice when given" {
    local cpus
    cpus=$(nproc)
    run --separate-stderr mpirun_np 2 --bind-to none "$CONCUR" cpu --mode hybrid --workers "$cpus" --count 2 --repeat 1 --warmup 0 --format csv
    [ "$status" -eq 0 ]
    [[ "$stderr" == *"warning: $((2 * cpus)) threads on this node (2 ranks x $cpus threads) share its $cpus CPU"*"(oversubscribed)"* ]]
    [[ "$stderr" != *"--bind-to none"* ]]
    run --separate-stderr mpirun_np 1 --bind-to none "$CONCUR" cpu --mode hybrid --workers "$((cpus + 1))" --count 2 --repeat 1 --warmup 0 --format csv
    [ "$status" -eq 0 ]
    [[ "$stderr" == *"warning: $((cpus + 1)) threads share $cpus CPU"*"(oversubscribed)"* ]]
    [[ "$stderr" != *"--bind-to none"* ]]
}

@test "hybrid: a rank bound to fewer CPUs than its threads gets the binding advice" {
    [ "$(nproc)" -ge 2 ] || skip "needs 2 CPUs"
    run --separate-stderr mpirun_np 1 --bind-to core "$CONCUR" cpu --mode hybrid --workers 2 --count 2 --repeat 1 --warmup 0 --format csv
    [ "$status" -eq 0 ]
    [[ "$stderr" == *"warning: 2 threads share the 1 CPU each rank may use; give each rank its cores with mpirun --bind-to none"* ]]
}
