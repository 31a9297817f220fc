#!/usr/bin/env bats
# Each test runs in its own process: its exports are meant to stay there.
# shellcheck disable=SC2030,SC2031
# bats sets stderr (run --separate-stderr).
# shellcheck disable=SC2154
# jobs/: the batch scripts without a scheduler — dry runs, local runs with
# tiny sizes, results folders with spaces, PBS through its environment, and
# jobs/merge. tests/slurm/ runs the same scripts on a real Slurm.

load helpers

JOBS=$BATS_TEST_DIRNAME/../../jobs
FIXTURES=$BATS_TEST_DIRNAME/../fixtures/jobs
export CONCUR
# The stand-in concur hands sweep and merge to the real one.
export CONCUR_REAL=$CONCUR

# Tiny workloads: the tests check results, never speed.
tiny() {
    export BASE=1000000 COUNT=6 COUNT_PER_RANK=3 REPEAT=2 WARMUP=0
}

# The closed form of COUNT numbers from BASE.
expected_total() {
    python3 -c 'import sys
b, c = int(sys.argv[1]), int(sys.argv[2])
print(sum(n * (n - 1) * (2 * n - 1) // 6 for n in range(b, b + c)))' "$1" "$2"
}

column() {
    awk -F, -v name="$1" 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next } { print $c[name] }' "$2"
}

# The sweeps a dry run prints: one `concur sweep` line each.
sweeps() { grep -c "^$CONCUR sweep " <<<"$1"; }

# The one results folder under $1.
only_dir() {
    local dirs=("$1"/*/)
    [ "${#dirs[@]}" -eq 1 ]
    echo "${dirs[0]%/}"
}

@test "dry run: cpu-strong prints one quoted concur sweep over the rank counts" {
    DRY_RUN=1 RANKS="1 2 4" RESULTS="$TMP/with space" run --separate-stderr bash "$JOBS/cpu-strong.sbatch"
    [ "$status" -eq 0 ]
    [ "$(sweeps "$output")" -eq 1 ]
    [[ $output == *"$CONCUR sweep --repeat 5 --warmup 1 --workers 1\\,2\\,4 --experiment cpu --variant mpi --time reported -- "* ]]
    [[ $output == *" -- mpirun -np \\{W\\} --map-by node $CONCUR cpu --mode mpi --count 20 --base 500000000 "*"--repeat 1 --warmup 0 --format csv"* ]]
    [[ ${lines[0]} == *"$TMP/with\\ space/cpu-strong-"* ]]
    [ ! -e "$TMP/with space" ] # a dry run writes nothing

    DRY_RUN=1 LAUNCHER=srun RANKS="2 8" run --separate-stderr bash "$JOBS/cpu-strong.sbatch"
    [ "$status" -eq 0 ]
    [[ $output == *"--workers 2\\,8 "* ]]
    [[ $output == *"srun --mpi=pmix --nodes=\\{NODES\\} --ntasks=\\{W\\} $CONCUR cpu --mode mpi"* ]]
}

@test "dry run: cpu-weak scales --count with the ranks" {
    DRY_RUN=1 RANKS="1 2 4" COUNT_PER_RANK=5 run --separate-stderr bash "$JOBS/cpu-weak.sbatch"
    [ "$status" -eq 0 ]
    [ "$(sweeps "$output")" -eq 1 ]
    [[ $output == *"--count-per-worker 5 -- "*" cpu --mode mpi --count \\{COUNT\\} "* ]]
}

@test "dry run: cpu-hybrid sets the OpenMP environment and the binding" {
    # helpers.bash sets OMP_PROC_BIND=false; the scripts' own default is wanted.
    OMP_PROC_BIND='' DRY_RUN=1 LAUNCHER=srun RANKS=2 THREADS="1 4" run --separate-stderr bash "$JOBS/cpu-hybrid.sbatch"
    [ "$status" -eq 0 ]
    # one sweep over the ranks per thread count, in rounds (REPEAT 5 x 2)
    [ "$(sweeps "$output")" -eq 10 ]
    [[ $output == *"--variant hybrid-4t --time reported --env OMP_NUM_THREADS=4 --env OMP_PROC_BIND=close --env OMP_PLACES=cores -- "* ]]
    [[ $output == *"srun --mpi=pmix --nodes=\\{NODES\\} --ntasks=\\{W\\} --cpus-per-task=4 --cpu-bind=cores $CONCUR cpu --mode hybrid --workers 4"* ]]
    OMP_PROC_BIND='' DRY_RUN=1 LAUNCHER=mpirun RANKS=2 THREADS=3 run --separate-stderr bash "$JOBS/cpu-hybrid.sbatch"
    [ "$(sweeps "$output")" -eq 1 ]
    [[ $output == *"--variant hybrid --time reported --env OMP_NUM_THREADS=3 --env OMP_PROC_BIND=false --env OMP_PLACES=cores -- "* ]]
    [[ $output == *"mpirun -np \\{W\\} --bind-to none -x OMP_NUM_THREADS"* ]]
}

@test "dry run: io-sweep starts the server and sweeps modes and workers" {
    DRY_RUN=1 RESULTS="$TMP/a b" run --separate-stderr bash "$JOBS/io-sweep.sbatch"
    [ "$status" -eq 0 ]
    [[ $output == *"$CONCUR serve --port 0 --latency 100ms --port-file $TMP/a\\ b/io-sweep-"* ]]
    # one sweep per mode, in rounds: REPEAT (3) x 4
    [ "$(sweeps "$output")" -eq 12 ]
    [ "$(grep -c ' io --mode sync ' <<<"$output")" -eq 3 ]
    [ "$(grep -c ' io --mode threads ' <<<"$output")" -eq 3 ]
    [ "$(grep -c ' --warmup 1 ' <<<"$output")" -eq 4 ] # the warm-ups in the first round
    grep ' io --mode multi ' <<<"$output" | grep -q -- '--workers 1\\,5\\,10\\,15\\,20\\,30\\,160 --experiment io --variant multi '
    grep -q -- '--workers 1\\,2 --experiment io --variant mpi .* mpirun -np \\{W\\} .* io --mode mpi ' <<<"$output"
}

@test "dry run: the PBS editions use PBS_NODEFILE and PBS_JOBID" {
    printf 'node1\nnode1\nnode2\nnode2\n' >"$TMP/nodefile"
    cd "$TMP"
    DRY_RUN=1 PBS_JOBID=77.server PBS_NODEFILE="$TMP/nodefile" PBS_O_WORKDIR="$BATS_TEST_DIRNAME/../.." \
        run --separate-stderr bash "$JOBS/cpu-strong.pbs"
    [ "$status" -eq 0 ]
    [[ ${lines[0]} == *"/cpu-strong-77.server;"* ]]
    [[ $output == *"--workers 1\\,2\\,4 "*"mpirun -np \\{W\\} --hostfile $TMP/nodefile --map-by node "* ]]
    for script in cpu-weak cpu-hybrid io-sweep; do
        DRY_RUN=1 PBS_JOBID=77.server PBS_NODEFILE="$TMP/nodefile" PBS_O_WORKDIR="$BATS_TEST_DIRNAME/../.." \
            run --separate-stderr bash "$JOBS/$script.pbs"
        [ "$status" -eq 0 ]
        [[ $output == *"--hostfile $TMP/nodefile"* ]]
    done
    # the user's command through the environment (qsub -v COMMAND=...)
    DRY_RUN=1 PBS_JOBID=77.server PBS_NODEFILE="$TMP/nodefile" PBS_O_WORKDIR="$BATS_TEST_DIRNAME/../.." \
        COMMAND="mpirun -np {W} ./prog" run --separate-stderr bash "$JOBS/sweep.pbs"
    [ "$status" -eq 0 ]
    [[ ${lines[0]} == *"/sweep-77.server;"* ]]
    [[ $output == *"--workers 1\\,2\\,4 --order interleaved --experiment sweep --time wall -- mpirun -np \\{W\\} ./prog"* ]]
}

@test "lists and names are checked, never evaluated" {
    DRY_RUN=1 RANKS="1 \$(touch $TMP/pwned)" run --separate-stderr bash "$JOBS/cpu-strong.sbatch"
    [ "$status" -eq 2 ]
    [[ $stderr == *"RANKS: '\$(touch"* ]]
    # shellcheck disable=SC2016 # the text must reach the script unexpanded
    DRY_RUN=1 COUNT_PER_RANK='a[$(touch pwned)]' run --separate-stderr bash "$JOBS/cpu-weak.sbatch"
    [ "$status" -eq 2 ]
    DRY_RUN=1 LAUNCHER=aprun run --separate-stderr bash "$JOBS/cpu-strong.sbatch"
    [ "$status" -eq 2 ]
    [[ $stderr == *"LAUNCHER: 'aprun'"* ]]
    SLURM_JOB_ID='' LAUNCHER=srun run --separate-stderr bash "$JOBS/cpu-strong.sbatch"
    [ "$status" -eq 2 ]
    [[ $stderr == *"LAUNCHER=srun needs a Slurm job"* ]]
    [ ! -e "$TMP/pwned" ] && [ ! -e pwned ]
}

# refused_job SCRIPT NAME=VALUE...: the job refuses its parameters before it
# runs anything: exit 2, nothing on stdout, one line on stderr that names
# the parameter (the first NAME) and its value (its last word, for a list),
# and no results folder.
refused_job() {
    local script=$1 name=${2%%=*} value=${2##* }
    shift
    run --separate-stderr env "$@" RESULTS="$TMP/results" bash "$JOBS/$script"
    [ "$status" -eq 2 ] || { echo "$script $*: exit $status: $stderr"; false; }
    [ -z "$output" ]
    [ "$(printf '%s\n' "$stderr" | wc -l)" -eq 1 ] || { echo "stderr: $stderr"; false; }
    [[ $stderr == *"$name"*"${value#*=}"* ]] || { echo "stderr: $stderr"; false; }
    [ ! -e "$TMP/results" ]
}

@test "bad parameters: exit 2 naming the parameter, before any folder exists" {
    export BASE=1000000 COUNT=6 REPEAT=1 WARMUP=0
    refused_job cpu-strong.sbatch BASE=-1
    refused_job cpu-strong.sbatch BASE=10069012961345 # past what concur sums exactly
    refused_job cpu-strong.sbatch REPEAT=0
    refused_job cpu-strong.sbatch WARMUP=-1
    refused_job cpu-strong.sbatch COUNT=0
    refused_job cpu-strong.sbatch DIST=foo
    refused_job cpu-strong.sbatch DECOMP=rows
    refused_job cpu-strong.sbatch RANKS=0
    refused_job cpu-strong.sbatch RANKS="1 $(($(nproc) + 1))" # more ranks than mpirun has slots here
    refused_job cpu-strong.sbatch MAP_BY="node --foo"
    refused_job cpu-strong.sbatch DRY_RUN=yes
    refused_job cpu-strong.sbatch CONCUR="$TMP/no concur"
    refused_job cpu-weak.sbatch COUNT_PER_RANK=0
    refused_job cpu-hybrid.sbatch THREADS="2 0"
    refused_job cpu-hybrid.sbatch OMP_PROC_BIND=tight
    refused_job cpu-hybrid.sbatch OMP_PLACES="cores; x"
    refused_job cpu-hybrid.sbatch MPI_BIND='--bind-to $(x)'
    refused_job io-sweep.sbatch WORKERS="5 0"
    refused_job io-sweep.sbatch MODES=foo
    refused_job io-sweep.sbatch MODES=" "
    refused_job io-sweep.sbatch LATENCY=fast
    refused_job io-sweep.sbatch NURLS=0
    refused_job io-sweep.sbatch URLS="$TMP/no such list"
    refused_job cpu-suite.sbatch CORES=0
    refused_job cpu-suite.sbatch OVERSUBSCRIBE=2
    refused_job cpu-suite.sbatch REFERENCE=yes
    # the PBS editions check the same way
    printf '%s\n' "$(hostname)" >"$TMP/nodefile"
    refused_job cpu-strong.pbs BASE=-1 PBS_JOBID=7.pbs PBS_NODEFILE="$TMP/nodefile"
    refused_job cpu-strong.pbs RANKS=2 PBS_JOBID=7.pbs PBS_NODEFILE="$TMP/nodefile"
}

@test "run-local checks every job's parameters before the first one runs" {
    export BASE=1000000 COUNT=6 REPEAT=1 WARMUP=0 RANKS=1
    # cpu-strong is fine, cpu-weak is not: neither runs
    COUNT_PER_RANK=0 RESULTS="$TMP/results" run --separate-stderr "$JOBS/run-local" cpu-strong cpu-weak
    [ "$status" -eq 2 ]
    [ "$stderr" = "cpu-weak: COUNT_PER_RANK: '0' is not a positive integer" ]
    [ ! -e "$TMP/results" ]
    CHECK_ONLY=1 RESULTS="$TMP/results" run --separate-stderr "$JOBS/run-local" cpu-strong cpu-weak
    [ "$status" -eq 0 ]
    [ ! -e "$TMP/results" ]
}

@test "run-local: exact runs.csv and valid provenance.json, in a folder with spaces" {
    tiny
    export RESULTS="$TMP/my results"
    run --separate-stderr "$JOBS/run-local" cpu-strong
    [ "$status" -eq 0 ]
    dir=$(only_dir "$RESULTS")
    [[ $(basename "$dir") == cpu-strong-2* ]]
    [ "$(wc -l <"$dir/runs.csv")" -eq 5 ] # header + 2 rank counts x 2 runs
    [ "$(column ok "$dir/runs.csv" | sort -u)" = 1 ]
    [ "$(column workers "$dir/runs.csv" | tr '\n' ' ')" = "1 2 2 1 " ] # interleaved (serpentine)
    [ "$(column run "$dir/runs.csv" | tr '\n' ' ')" = "1 1 2 2 " ]
    [ "$(column baseline_workers "$dir/runs.csv" | sort -u)" = 1 ]
    # concur's own rows, every total exact
    [ "$(wc -l <"$dir/details.csv")" -eq 5 ]
    [ "$(column result "$dir/details.csv" | sort -u)" = "$(expected_total 1000000 6)" ]
    [ "$(column ranks "$dir/details.csv" | tr '\n' ' ')" = "1 2 2 1 " ]
    python3 -m json.tool "$dir/provenance.json" >/dev/null
    python3 - "$dir/provenance.json" <<'EOF'
import json, sys
doc = json.load(open(sys.argv[1]))
assert doc["scheduler"] == "none" and doc["slurm_job_id"] is None, doc
assert doc["ranks"] == [1, 2] and doc["launcher"] == "mpirun", doc
assert doc["settings"]["count"] == "6" and doc["settings"]["base"] == "1000000", doc
assert doc["cores_online"] >= 1 and doc["cpu_model"], doc
assert doc["compiler"] and doc["exit_status"] == 0 and doc["finished"], doc
assert len(doc["git_revision"] or "x" * 40) == 40, doc
EOF
}

@test "a strong-scaling job's runs.csv gives speedups with no options" {
    "$CONCUR" stats --help | grep -q baseline_workers || skip "this concur stats does not read baseline_workers yet"
    tiny
    RANKS="1 2" RESULTS="$TMP/r" run --separate-stderr "$JOBS/run-local" cpu-strong
    [ "$status" -eq 0 ]
    dir=$(only_dir "$TMP/r")
    "$CONCUR" stats --format json "$dir/runs.csv" 2>"$TMP/warnings" | python3 -c '
import json, sys
groups = json.load(sys.stdin)["groups"]
assert [g["speedup"] is not None for g in groups] == [True, True], groups'
    [ ! -s "$TMP/warnings" ]
}

@test "run-local: every CPU sweep, and a second run never overwrites the first" {
    tiny
    export RESULTS="$TMP/r"
    run --separate-stderr "$JOBS/run-local" cpu-strong cpu-weak cpu-hybrid
    [ "$status" -eq 0 ]
    weak=("$RESULTS"/cpu-weak-*)
    # the count grows with the ranks (jobs/point's {COUNT})
    [ "$(column result "${weak[0]}/details.csv" | sed -n '1p;2p' | tr '\n' ' ')" = \
        "$(expected_total 1000000 3) $(expected_total 1000000 6) " ]
    [ "$(column squares "${weak[0]}/details.csv" | sort -u | wc -l)" -eq 2 ]
    hybrid=("$RESULTS"/cpu-hybrid-*)
    [ "$(column variant "${hybrid[0]}/runs.csv" | sort -u)" = hybrid ]
    [ "$(column ok "${hybrid[0]}/runs.csv" | sort -u)" = 1 ]
    [ "$(column result "${hybrid[0]}/details.csv" | sort -u)" = "$(expected_total 1000000 6)" ]
    RANKS=1 run --separate-stderr "$JOBS/run-local" cpu-strong
    RANKS=1 run --separate-stderr "$JOBS/run-local" cpu-strong
    [ "$(find "$RESULTS" -maxdepth 1 -name 'cpu-strong-*' | wc -l)" -eq 3 ]
}

@test "a run with ok=0 makes the job fail, its rows kept" {
    tiny
    export RESULTS=$TMP RANKS=1
    CONCUR_TEST_CORRUPT_RESULT=1 run --separate-stderr bash "$JOBS/cpu-strong.sbatch"
    [ "$status" -eq 1 ]
    dir=$(only_dir "$TMP")
    # every run is a process of its own, whose first run is corrupted
    [ "$(column ok "$dir/runs.csv" | tr '\n' ' ')" = "0 0 " ]
    [ "$(column ok "$dir/details.csv" | tr '\n' ' ')" = "0 0 " ]
    [[ $stderr == *"FAILED: 1 of 1 steps failed, 2 runs report a failure"* ]]
    grep -q '"exit_status": 1' "$dir/provenance.json"
}

@test "a PBS job (its environment, a spool copy of the script) writes its results" {
    tiny
    printf '%s\n%s\n' "$(hostname)" "$(hostname)" >"$TMP/nodefile"
    cp "$JOBS/cpu-weak.pbs" "$TMP/spool copy.pbs" # PBS runs a copy, elsewhere
    cd "$TMP"
    PBS_JOBID=42.pbs PBS_NODEFILE="$TMP/nodefile" PBS_O_WORKDIR="$BATS_TEST_DIRNAME/../.." \
        RESULTS="$TMP/out" run --separate-stderr bash "$TMP/spool copy.pbs"
    [ "$status" -eq 0 ]
    [ -f "$TMP/out/cpu-weak-42.pbs/runs.csv" ]
    [ "$(column ok "$TMP/out/cpu-weak-42.pbs/runs.csv" | sort -u)" = 1 ]
    grep -q '"pbs_jobid": "42.pbs"' "$TMP/out/cpu-weak-42.pbs/provenance.json"
    python3 -m json.tool "$TMP/out/cpu-weak-42.pbs/provenance.json" >/dev/null
}

@test "io-sweep with a stand-in concur: 160 URLs, server stopped afterwards" {
    export CONCUR=$FIXTURES/stand-in-concur LATENCY=0 WORKERS="1 5" RANKS="1 2" REPEAT=2 RESULTS="$TMP/io dir"
    run --separate-stderr bash "$JOBS/io-sweep.sbatch"
    [ "$status" -eq 0 ]
    dir=$(only_dir "$RESULTS")
    [ "$(wc -l <"$dir/runs.csv")" -eq 15 ] # 2 rounds of sync, threads x2, multi x2, mpi x2
    # serpentine rounds: forward, then backward (sweeps and their points)
    [ "$(column variant "$dir/runs.csv" | tr '\n' ' ')" = \
        "sync threads threads multi multi mpi mpi mpi mpi multi multi threads threads sync " ]
    [ "$(column workers "$dir/runs.csv" | tr '\n' ' ')" = "1 1 5 1 5 1 2 2 1 5 1 5 1 1 " ]
    [ "$(column run "$dir/runs.csv" | tr '\n' ' ')" = "1 1 1 1 1 1 1 2 2 2 2 2 2 2 " ]
    [ "$(column baseline_workers "$dir/runs.csv" | tr '\n' ' ')" = "1 1 1 1 1 1 1 1 1 1 1 1 1 1 " ]
    # sequence: the order the runs happened in, warm-ups counted, rising
    [ "$(column sequence "$dir/runs.csv" | sort -n -c && echo sorted)" = sorted ]
    [ "$(column items "$dir/details.csv" | sort -u)" = 160 ]
    [ "$(column bytes "$dir/details.csv" | sort -u)" = $((80 * 32768 + 80 * 1024)) ]
    [ "$(sed -n '1s|.*/||p; 2s|.*/||p' "$dir/urls.txt" | tr '\n' ' ')" = "32768 1024 " ]
    [ ! -e "$dir/server.port" ] # removed by the server as it stopped
    run ! pgrep -f -- "$dir/server.port"
}

@test "io-sweep stops its server when the job is terminated" {
    export CONCUR=$FIXTURES/stand-in-concur LATENCY=0 MODES=sync REPEAT=20 RESULTS="$TMP/io"
    bash "$JOBS/io-sweep.sbatch" 2>/dev/null &
    job=$!
    for ((i = 0; i < 100; i++)); do
        port_file=$(find "$RESULTS" -name server.port 2>/dev/null | head -n 1)
        [ -n "$port_file" ] && [ -s "$port_file" ] && break
        sleep 0.1
    done
    server=$(cat "$(dirname "$port_file")/server.pid")
    kill -TERM "$job"
    status=0
    wait "$job" || status=$?
    [ "$status" -eq 143 ]
    run ! kill -0 "$server"
}

@test "SIGTERM ends a job at once: finished runs kept, provenance completed" {
    # A step that would run for minutes (1000 runs): Slurm's TERM at the time
    # limit must not wait for it.
    export CONCUR=$FIXTURES/stand-in-concur LATENCY=0 MODES=sync REPEAT=1000 WARMUP=0 RESULTS="$TMP/io"
    bash "$JOBS/io-sweep.sbatch" 2>"$TMP/log" &
    job=$!
    for ((i = 0; i < 600; i++)); do
        runs=$(find "$RESULTS" -name .step.csv 2>/dev/null | head -n 1)
        [ -n "$runs" ] && [ "$(wc -l <"$runs")" -ge 3 ] && break # header + 2 runs
        sleep 0.1
    done
    [ "$(wc -l <"$runs")" -ge 3 ]
    dir=$(dirname "$runs")
    server=$(cat "$dir/server.pid")
    kill -TERM "$job"
    t0=$SECONDS
    status=0
    wait "$job" || status=$?
    [ "$status" -eq 143 ]
    [ $((SECONDS - t0)) -le 5 ] # within a second; generous on a busy machine
    [ "$(wc -l <"$dir/runs.csv")" -ge 3 ] # the finished runs of the step
    [ ! -e "$dir/.step.csv" ]
    grep -q 'interrupted by SIGTERM' "$TMP/log"
    python3 - "$dir/provenance.json" <<'EOF'
import json, sys
doc = json.load(open(sys.argv[1]))
assert doc["exit_status"] == 143 and doc["interrupted"] is True, doc
assert doc["signal"] == "SIGTERM" and doc["finished"], doc
EOF
    run ! kill -0 "$server"
}

@test "the real io-sweep with concur io and concur serve" {
    export LATENCY=1ms WORKERS="1 5" RANKS=1 REPEAT=1 RESULTS="$TMP/real io"
    run --separate-stderr bash "$JOBS/io-sweep.sbatch"
    [ "$status" -eq 0 ]
    dir=$(only_dir "$RESULTS")
    [ "$(column ok "$dir/runs.csv" | sort -u)" = 1 ]
    [ "$(column items "$dir/details.csv" | sort -u)" = 160 ]
    [ "$(column errors "$dir/details.csv" | sort -u)" = 0 ]
}

@test "merge: two folders, the header once" {
    run --separate-stderr "$JOBS/merge" "$FIXTURES/cpu-strong-101" "$FIXTURES/cpu-strong-102"
    [ "$status" -eq 0 ]
    [ "${#lines[@]}" -eq 6 ]
    [ "$(grep -c '^experiment,' <<<"$output")" -eq 1 ]
    [ "${lines[0]}" = "$(head -n 1 "$FIXTURES/cpu-strong-101/runs.csv")" ]
    [ "$(cut -d, -f3 <<<"$output" | tail -n +2 | tr '\n' ' ')" = "1 1 2 2 4 " ]
}

@test "merge --label -o: a job column, written to a file (with spaces)" {
    run --separate-stderr "$JOBS/merge" --label -o "$TMP/all runs.csv" "$FIXTURES/cpu-strong-101" "$FIXTURES/cpu-strong-102/runs.csv"
    [ "$status" -eq 0 ]
    [ -z "$output" ]
    [[ $(head -n 1 "$TMP/all runs.csv") == *,kernel,squares,squares_per_ns,job ]]
    [ "$(column job "$TMP/all runs.csv" | uniq | tr '\n' ' ')" = "cpu-strong-101 cpu-strong-102 " ]
}

@test "merge refuses folders whose headers differ, and writes nothing" {
    run --separate-stderr "$JOBS/merge" -o "$TMP/out.csv" "$FIXTURES/cpu-strong-101" "$FIXTURES/io-sweep-103"
    [ "$status" -eq 2 ]
    [[ $stderr == *"io-sweep-103/runs.csv' has other columns than"* ]]
    [[ $stderr == *"experiment,variant,workers,run,seconds,items,bytes,errors"* ]]
    [ ! -e "$TMP/out.csv" ]
    run --separate-stderr "$JOBS/merge" "$FIXTURES/cpu-strong-101" "$FIXTURES/io-sweep-103"
    [ "$status" -eq 2 ]
    [ -z "$output" ]
    run --separate-stderr "$JOBS/merge" "$TMP/nowhere"
    [ "$status" -eq 2 ]
    [[ $stderr == *"no such folder"* ]]
}

@test "sweep.sbatch: the user's command at every worker count, a speedup table" {
    cat >"$TMP/my prog" <<'EOF'
#!/bin/sh
# W workers share the work: $1 is W
echo "workers $1, OMP_NUM_THREADS=$OMP_NUM_THREADS" >>"$(dirname "$0")/calls"
EOF
    chmod +x "$TMP/my prog"
    RESULTS="$TMP/r" WORKERS="1 2,3" REPEAT=2 WARMUP=0 ENV='OMP_NUM_THREADS={W}' \
        run --separate-stderr "$JOBS/run-local" sweep -- "$TMP/my prog" '{W}'
    [ "$status" -eq 0 ]
    dir=$(only_dir "$TMP/r")
    [[ $(basename "$dir") == sweep-2* ]]
    [ "$(column workers "$dir/runs.csv" | tr '\n' ' ')" = "1 2 3 3 2 1 " ]
    [ "$(column variant "$dir/runs.csv" | sort -u)" = "my prog" ]
    [ "$(column baseline_workers "$dir/runs.csv" | sort -u)" = 1 ]
    [ "$(sort -u "$TMP/calls" | tr '\n' ';')" = "workers 1, OMP_NUM_THREADS=1;workers 2, OMP_NUM_THREADS=2;workers 3, OMP_NUM_THREADS=3;" ]
    python3 - "$dir/provenance.json" <<'EOF'
import json, sys
doc = json.load(open(sys.argv[1]))
assert doc["settings"]["workers"] == "1,2,3" and doc["exit_status"] == 0, doc
assert "my\\ prog" in doc["settings"]["command"], doc
EOF
    # the same through the environment, as sbatch --export would give it
    RESULTS="$TMP/r2" WORKERS=1-2 REPEAT=1 COMMAND="$JOBS/point {W} -- true" \
        run --separate-stderr bash "$JOBS/sweep.sbatch"
    [ "$status" -eq 0 ]
    [ "$(column variant "$(only_dir "$TMP/r2")/runs.csv" | sort -u)" = point ]
}

@test "sweep.sbatch: a failing run fails the job, a bad plan stops it before any folder" {
    RESULTS="$TMP/r" WORKERS="1 2" REPEAT=1 WARMUP=0 run --separate-stderr \
        bash "$JOBS/sweep.sbatch" -- sh -c 'exit $(($1 - 1))' sh '{W}'
    [ "$status" -eq 1 ]
    dir=$(only_dir "$TMP/r")
    [ "$(column ok "$dir/runs.csv" | tr '\n' ' ')" = "1 0 " ]
    grep -q '"exit_status": 1' "$dir/provenance.json"

    refused_job sweep.sbatch COMMAND=""
    refused_job sweep.sbatch COMMAND="$TMP/nothing" WORKERS=1
    refused_job sweep.sbatch COMMAND="true" WORKERS="1 2" # no {W}
    refused_job sweep.sbatch WORKERS="2 0" COMMAND="true {W}"
    refused_job sweep.sbatch WORKERS="1-x" COMMAND="true {W}"
    refused_job sweep.sbatch ORDER=sideways COMMAND="true {W}"
    refused_job sweep.sbatch TIME=cpu COMMAND="true {W}"
    refused_job sweep.sbatch TIMEOUT=soon COMMAND="true {W}"
    refused_job sweep.sbatch ENV="=x" COMMAND="true {W}"
    refused_job sweep.sbatch REPEAT=0 COMMAND="true {W}"
}

@test "jobs/point: {COUNT} and {NODES} from W, concur's rows kept once" {
    run --separate-stderr "$JOBS/point" 3 --count-per-worker 5 --nodes-upto 2 -- echo "n={NODES}" "c={COUNT}"
    [ "$status" -eq 0 ]
    [ "$output" = "n=2 c=15" ]
    printf 'a,b\n1,2\n' >"$TMP/out.csv"
    for w in 1 2; do
        run --separate-stderr "$JOBS/point" "$w" --rows "$TMP/rows.csv" -- cat "$TMP/out.csv"
        [ "$status" -eq 0 ]
        [ "$output" = "$(cat "$TMP/out.csv")" ] # passed on unchanged
    done
    [ "$(cat "$TMP/rows.csv")" = "$(printf 'a,b\n1,2\n1,2')" ]
    run --separate-stderr "$JOBS/point" 1 --rows "$TMP/rows.csv" -- false
    [ "$status" -eq 1 ]
    run --separate-stderr "$JOBS/point" x -- true
    [ "$status" -eq 2 ]
}

@test "concur merge: quoted fields kept, --renumber, --append, --count" {
    printf 'experiment,variant,workers,run,seconds,ok,sequence,note\ne,"v,1",1,1,0.5,1,2,"say ""hi"""\ne,"v,1",2,1,0.3,0,3,\n' >"$TMP/a.csv"
    run --separate-stderr "$CONCUR" merge "$TMP/a.csv" "$TMP/a.csv"
    [ "$status" -eq 0 ]
    [ "${#lines[@]}" -eq 5 ]
    [ "${lines[1]}" = 'e,"v,1",1,1,0.5,1,2,"say ""hi"""' ]
    run --separate-stderr "$CONCUR" merge --renumber "$TMP/a.csv" "$TMP/a.csv"
    [ "$(cut -d, -f5,8 <<<"${lines[3]}")" = "2,5" ] # run 2 of workers 1, sequence 3 + 2
    [ "$(cut -d, -f5,8 <<<"${lines[4]}")" = "2,6" ]
    "$CONCUR" merge --append --renumber -o "$TMP/all.csv" "$TMP/a.csv"
    "$CONCUR" merge --append --renumber -o "$TMP/all.csv" "$TMP/a.csv"
    [ "$(cat "$TMP/all.csv")" = "$(printf '%s\n' "${lines[@]}")" ]
    run --separate-stderr "$CONCUR" merge --count "$TMP/all.csv"
    [ "$output" = "4 2" ]
    printf 'experiment,variant,workers,run,seconds,ok,sequence,note\ne,v,1\n' >"$TMP/short.csv"
    run --separate-stderr "$CONCUR" merge -o "$TMP/x.csv" "$TMP/a.csv" "$TMP/short.csv"
    [ "$status" -eq 2 ]
    [[ $stderr == *"short.csv:2: 3 fields, the header has 8"* ]]
    [ ! -e "$TMP/x.csv" ]
    run --separate-stderr "$CONCUR" merge --append "$TMP/a.csv"
    [ "$status" -eq 2 ]
    # one column by name, quoting understood, from standard input too
    run --separate-stderr "$CONCUR" merge --column variant - <"$TMP/a.csv"
    [ "$output" = "$(printf 'v,1\nv,1')" ]
    run --separate-stderr "$CONCUR" merge --column nothing "$TMP/a.csv"
    [ "$status" -eq 2 ]
    [ "$stderr" = "concur merge: --column: no column 'nothing'" ]
}
