#!/usr/bin/env bats
# Each test runs in its own process: its exports are meant to stay there.
# shellcheck disable=SC2030,SC2031
# The jobs/ Slurm scripts on a real Slurm (tests/slurm/cluster: one host,
# nodes n1 and n2). Every job is checked by what it wrote — the exact totals
# in runs.csv, the row counts, ok=1, provenance.json — and not only by its
# exit code: a broken node can report COMPLETED for a job that never ran.
# Needs `scripts/ensure-deps slurm`; `make check-slurm` runs it.

bats_require_minimum_version 1.5.0

setup_file() {
    # slurmd runs jobs as their users: it must be root.
    [[ $(id -u) -eq 0 ]] || skip "a Slurm node needs root"
    ROOT=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
    CONCUR=${CONCUR:-$ROOT/bin/concur}
    # A short path: munge's and slurmstepd's sockets live below it.
    CLUSTER_DIR=$(mktemp -d /tmp/concur-slurm.XXXXXX)
    SLURM_CONF=$("$ROOT/tests/slurm/cluster" up "$CLUSTER_DIR")
    # Results under a folder with a space: the scripts must quote everything.
    RESULTS="$BATS_FILE_TMPDIR/results with space"
    mkdir -p "$RESULTS"
    export ROOT CONCUR CLUSTER_DIR SLURM_CONF RESULTS
}

teardown_file() {
    [[ -n ${CLUSTER_DIR:-} ]] || return 0
    "$ROOT/tests/slurm/cluster" down "$CLUSTER_DIR"
    if [[ -n ${KEEP_CLUSTER:-} ]]; then
        echo "# cluster logs kept in $CLUSTER_DIR" >&3
    else
        rm -rf "$CLUSTER_DIR"
    fi
}

setup() {
    # Submitted from the repository, as the README says: the scripts find
    # jobs/lib.sh through SLURM_SUBMIT_DIR (Slurm runs a spool copy).
    cd "$ROOT" || return 1
}

# submit SCRIPT [sbatch options...] [-- script arguments...]: submits
# jobs/SCRIPT (start_job alone does not wait), waits (bounded)
# until it ends, and sets JOB_ID, JOB_STATE, JOB_EXIT (scontrol's
# ExitCode=N:S), JOB_OUT (the job's output) and JOB_DIR (its results folder).
start_job() {
    local script=$1 options=()
    shift
    while [[ $# -gt 0 && $1 != -- ]]; do options+=("$1"); shift; done
    [[ ${1:-} == -- ]] && shift
    JOB_ID=$(sbatch --parsable --output="$RESULTS/slurm-%j.out" "${options[@]}" "jobs/$script" "$@")
}

submit() {
    start_job "$@"
    wait_job
}

wait_job() {
    local line i
    for ((i = 0; i < 1200; i++)); do
        line=$(scontrol -o show job "$JOB_ID")
        JOB_STATE=$(sed -n 's/.* JobState=\([A-Z_]*\).*/\1/p' <<<"$line")
        case $JOB_STATE in
            PENDING | CONFIGURING | RUNNING | COMPLETING | "") sleep 0.1 ;;
            *) break ;;
        esac
    done
    JOB_EXIT=$(sed -n 's/.* ExitCode=\([0-9:]*\).*/\1/p' <<<"$line")
    JOB_OUT=$(cat "$RESULTS/slurm-$JOB_ID.out" 2>/dev/null || true)
    JOB_DIR=$(find "$RESULTS" -maxdepth 1 -type d -name "*-$JOB_ID" | head -n 1)
    echo "job $JOB_ID: $JOB_STATE $JOB_EXIT; results: $JOB_DIR" >&2
    echo "$JOB_OUT" >&2
}

# The closed form of the workload: COUNT numbers from BASE.
expected_total() {
    python3 -c 'import sys
b, c = int(sys.argv[1]), int(sys.argv[2])
print(sum(n * (n - 1) * (2 * n - 1) // 6 for n in range(b, b + c)))' "$1" "$2"
}

# The values of one column of runs.csv (the sweep's rows, one per timed
# run), one per row, in order; detail: of details.csv (concur's own rows:
# every run, warm-ups included, with the totals, ranks and threads).
column() {
    awk -F, -v name="$1" 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next } { print $c[name] }' "${2:-$JOB_DIR/runs.csv}"
}
detail() { column "$1" "$JOB_DIR/details.csv"; }

job_succeeded() {
    [ "$JOB_STATE" = COMPLETED ]
    [ "$JOB_EXIT" = 0:0 ]
    [ -n "$JOB_DIR" ]
    [ -f "$JOB_DIR/runs.csv" ]
    python3 -m json.tool "$JOB_DIR/provenance.json" >/dev/null
}

# Rows, exact totals and ok=1 for a fixed workload over a rank sweep.
fixed_workload_rows() {
    local rows=$1 total
    total=$(expected_total "$BASE" "$COUNT")
    [ "$(($(wc -l <"$JOB_DIR/runs.csv") - 1))" -eq "$rows" ]
    [ "$(detail result | sort -u)" = "$total" ]
    [ "$(column ok | sort -u)" = 1 ]
    [ "$(detail ok | sort -u)" = 1 ]
}

provenance() {
    python3 -c 'import json, sys
doc = json.load(open(sys.argv[1]))
value = doc
for key in sys.argv[2].split("."):
    value = value[key]
print(json.dumps(value) if isinstance(value, (list, dict)) else value)' "$JOB_DIR/provenance.json" "$1"
}

@test "cpu-strong with srun --mpi=pmix: exact totals for 1 and 2 ranks" {
    export BASE=1000000 COUNT=6 REPEAT=2 RANKS="1 2" LAUNCHER=srun
    submit cpu-strong.sbatch --ntasks=2
    job_succeeded
    fixed_workload_rows 4
    [ "$(column workers | tr '\n' ' ')" = "1 2 2 1 " ] # interleaved (serpentine)
    [ "$(column baseline_workers | sort -u)" = 1 ]
    [ "$(detail ranks | tr '\n' ' ')" = "1 2 1 2 2 1 " ] # a warm-up each, then 2 runs
    [ "$(provenance slurm_job_id)" = "$JOB_ID" ]
    [ "$(provenance slurm_job_nodelist)" = n1 ]
    [ "$(provenance launcher)" = srun ]
    [ "$(provenance hosts)" = '["n1"]' ]
    [ "$(provenance ranks)" = '[1, 2]' ]
    [ "$(provenance exit_status)" = 0 ]
    grep -q -- ' sweep .* srun --mpi=pmix --nodes=\\{NODES\\} --ntasks=\\{W\\} ' "$JOB_DIR/commands.txt"
    [[ $JOB_DIR == "$RESULTS/cpu-strong-$JOB_ID" ]]
}

@test "cpu-strong with mpirun inside the allocation" {
    export BASE=1000000 COUNT=6 REPEAT=2 RANKS="1 2" LAUNCHER=mpirun
    submit cpu-strong.sbatch --ntasks=2
    job_succeeded
    fixed_workload_rows 4
    [ "$(provenance launcher)" = mpirun ]
    grep -q -- ' mpirun -np \\{W\\} ' "$JOB_DIR/commands.txt"
}

@test "cpu-weak: the count grows with the ranks, each total exact" {
    export BASE=1000000 COUNT_PER_RANK=3 REPEAT=1 RANKS="1 2"
    submit cpu-weak.sbatch --ntasks=2
    job_succeeded
    [ "$(column workers | tr '\n' ' ')" = "1 2 " ]
    [ "$(column ok | sort -u)" = 1 ]
    # details: the warm-ups of 1 and 2 ranks, then the timed runs
    [ "$(detail ranks | tr '\n' ' ')" = "1 2 1 2 " ]
    [ "$(detail result | sed -n 3p)" = "$(expected_total "$BASE" 3)" ]
    [ "$(detail result | sed -n 4p)" = "$(expected_total "$BASE" 6)" ]
    [ "$(detail ok | sort -u)" = 1 ]
    [ "$(detail squares | sed -n 4p)" -eq "$(python3 -c 'print(sum(range(1000000, 1000006)))')" ]
}

@test "cpu-hybrid: threads from --cpus-per-task, srun and mpirun" {
    export BASE=1000000 COUNT=6 REPEAT=1
    for launcher in srun mpirun; do
        LAUNCHER=$launcher submit cpu-hybrid.sbatch --ntasks=1 --cpus-per-task=2
        job_succeeded
        fixed_workload_rows 1
        [ "$(detail threads | sort -u)" = 2 ]
        [ "$(column variant)" = hybrid ]
        [ "$(provenance settings.threads)" = 2 ]
    done
    # srun binds the rank, so the threads are bound too; mpirun does not.
    [ "$(provenance settings.omp_proc_bind)" = false ]
    grep -q -- '--bind-to none' "$JOB_DIR/commands.txt"
}

@test "two nodes: cpu-strong and cpu-hybrid spread over n1 and n2" {
    export BASE=1000000 COUNT=6 REPEAT=1 RANKS=2
    submit cpu-strong.sbatch --partition=two --nodes=2 --ntasks=2
    job_succeeded
    fixed_workload_rows 1
    [ "$(provenance slurm_job_nodelist)" = "n[1-2]" ]
    [ "$(provenance hosts)" = '["n1", "n2"]' ]
    grep -q -- '--nodes-upto 2 -- srun --mpi=pmix --nodes=\\{NODES\\} --ntasks=\\{W\\}' "$JOB_DIR/commands.txt"

    LAUNCHER=mpirun submit cpu-strong.sbatch --partition=two --nodes=2 --ntasks=2
    job_succeeded
    fixed_workload_rows 1

    RANKS='' submit cpu-hybrid.sbatch --partition=two --nodes=2 --ntasks=2 --cpus-per-task=2
    job_succeeded
    fixed_workload_rows 1
    [ "$(column workers)" = 2 ] # the ranks, 2 threads each
    [ "$(detail ranks | sort -u)" = 2 ]
    [ "$(detail threads | sort -u)" = 2 ]
    [ "$(detail workers | sort -u)" = 4 ] # concur's own count: ranks x threads
}

@test "io-sweep: the server in the job, 160 URLs per run, stopped afterwards" {
    export LATENCY=10ms WORKERS="1 5" RANKS="1 2" REPEAT=1
    submit io-sweep.sbatch --ntasks=2
    job_succeeded
    # sync, threads x2, multi x2, mpi x2
    [ "$(($(wc -l <"$JOB_DIR/runs.csv") - 1))" -eq 7 ]
    [ "$(column ok | sort -u)" = 1 ]
    [ "$(detail items | sort -u)" = 160 ]
    [ "$(detail errors | sort -u)" = 0 ]
    [ "$(detail bytes | sort -u)" = $((80 * 32768 + 80 * 1024)) ]
    [ "$(wc -l <"$JOB_DIR/urls.txt")" -eq 160 ]
    [ "$(sort -u "$JOB_DIR/urls.txt" | sed 's|.*/bytes/||' | sort -n | tr '\n' ' ')" = "1024 32768 " ]
    run ! pgrep -f -- "$JOB_DIR/server.port"
}

@test "io-sweep's server, URL list and sweep with a stand-in concur" {
    # tests/fixtures/jobs/stand-in-concur has the interfaces of concur serve
    # and concur io: the job's own logic is tested while io lands elsewhere.
    export CONCUR_REAL=$CONCUR CONCUR=$ROOT/tests/fixtures/jobs/stand-in-concur
    export LATENCY=0 WORKERS="1 5" RANKS="1 2" REPEAT=1 LAUNCHER=srun
    submit io-sweep.sbatch --ntasks=2
    job_succeeded
    [ "$(($(wc -l <"$JOB_DIR/runs.csv") - 1))" -eq 7 ]
    [ "$(detail items | sort -u)" = 160 ]
    [ "$(column workers | tr '\n' ' ')" = "1 1 5 1 5 1 2 " ]
    [ "$(column variant | uniq | tr '\n' ' ')" = "sync threads multi mpi " ]
    [ "$(detail bytes | sort -u)" = $((80 * 32768 + 80 * 1024)) ]
    grep -q -- ' srun --mpi=pmix --nodes=1 --ntasks=\\{W\\} .* io --mode mpi ' "$JOB_DIR/commands.txt"
    [ ! -e "$JOB_DIR/server.port" ]
    run ! pgrep -f -- "$JOB_DIR/server.port"
}

@test "a run with a wrong total (ok=0) fails the job, its rows kept" {
    export BASE=1000000 COUNT=6 REPEAT=2 RANKS="1 2" CONCUR_TEST_CORRUPT_RESULT=1
    submit cpu-strong.sbatch --ntasks=2
    [ "$JOB_STATE" = FAILED ]
    [ "$JOB_EXIT" = 1:0 ]
    # every run is a process of its own, whose first run is corrupted
    [ "$(column ok | tr '\n' ' ')" = "0 0 0 0 " ]
    [ "$(detail ok | sort -u)" = 0 ]
    [ "$(provenance exit_status)" = 1 ]
    [[ $JOB_OUT == *"FAILED: 1 of 1 steps failed, 4 runs report a failure"* ]]
}

@test "a failing step fails the job even when later steps pass" {
    # srun refuses a step with more CPUs per task than the job was given.
    export BASE=1000000 COUNT=6 REPEAT=1 THREADS="4 1" LAUNCHER=srun
    submit cpu-hybrid.sbatch --ntasks=1 --cpus-per-task=1
    [ "$JOB_STATE" = FAILED ]
    [ "$JOB_EXIT" = 1:0 ]
    # one round: hybrid-4t (refused: ok=0), then hybrid-1t
    [ "$(column variant | tr '\n' ' ')" = "hybrid-4t hybrid-1t " ]
    [ "$(column ok | tr '\n' ' ')" = "0 1 " ]
    [ "$(detail result | sort -u)" = "$(expected_total "$BASE" "$COUNT")" ]
    [ "$(detail threads | sort -u)" = 1 ]
    [[ $JOB_OUT == *"step 1 failed"* ]]
    [ "$(provenance failed_steps)" = 1 ]
}

@test "bad parameters stop the job before it runs anything" {
    export RANKS="1 x"
    submit cpu-strong.sbatch --ntasks=1
    [ "$JOB_STATE" = FAILED ]
    [ "$JOB_EXIT" = 2:0 ]
    [[ $JOB_OUT == *"RANKS: 'x' is not a positive integer"* ]]
    [ -z "$JOB_DIR" ] # no results folder
    export RANKS="1 4"
    submit cpu-strong.sbatch --ntasks=2
    [ "$JOB_EXIT" = 2:0 ]
    [[ $JOB_OUT == *"RANKS: 4 ranks but the job has 2 tasks"* ]]
    [ -z "$JOB_DIR" ]
}

@test "sweep.sbatch: the user's command under srun, one row per run" {
    export WORKERS="1 2" REPEAT=2 TIME=reported
    submit sweep.sbatch --ntasks=2 -- srun --mpi=pmix -n '{W}' "$CONCUR" cpu --mode mpi --count 6 --base 1000000 \
        --repeat 1 --warmup 0 --format csv
    job_succeeded
    [ "$(column workers | tr '\n' ' ')" = "1 2 2 1 " ]
    [ "$(column ok | sort -u)" = 1 ]
    [ "$(column variant | sort -u)" = srun ]
    [ "$(provenance settings.workers)" = 1,2 ]
    [[ $JOB_DIR == "$RESULTS/sweep-$JOB_ID" ]]
}

@test "SIGTERM at the time limit: the job ends at once, its finished runs kept" {
    # What Slurm does at the time limit: TERM to every process of the job.
    export CONCUR_REAL=$CONCUR CONCUR=$ROOT/tests/fixtures/jobs/stand-in-concur
    export LATENCY=0 MODES=sync REPEAT=1000 WARMUP=0
    start_job io-sweep.sbatch --ntasks=1
    local dir='' i
    for ((i = 0; i < 600; i++)); do
        dir=$(find "$RESULTS" -maxdepth 1 -type d -name "*-$JOB_ID" | head -n 1)
        [ -n "$dir" ] && [ -f "$dir/.step.csv" ] && [ "$(wc -l <"$dir/.step.csv")" -ge 3 ] && break
        sleep 0.1
    done
    scancel --signal=TERM --full "$JOB_ID"
    wait_job
    [ "$(($(wc -l <"$JOB_DIR/runs.csv") - 1))" -ge 2 ]
    [ "$(column ok | sort -u)" = 1 ]
    [ "$(provenance interrupted)" = True ]
    [ "$(provenance signal)" = SIGTERM ]
    [ "$(provenance exit_status)" = 143 ]
    [ ! -e "$JOB_DIR/server.port" ] # the server stopped too
}
