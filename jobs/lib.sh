# jobs/lib.sh — shared by the job scripts in jobs/ (sourced, never run).
#
#   job_init NAME         scheduler facts, defaults, the common checks
#   check_* NAME VALUE    a parameter's check: exit 2, one line, nothing made
#   job_setting KEY VAL   a setting for provenance.json
#   job_started           the results folder, provenance.json, signal traps
#   add_sweep ARGS...     one `concur sweep` of the job (point: jobs/point)
#   run_sweeps            runs them (one, or in serpentine rounds)
#   run_step CMD...       runs one step, appends its rows to runs.csv
#   job_finish            provenance.json, the verdict; returns the exit status
#
# Environment shared by every job script (defaults in brackets):
#   CONCUR    the concur binary [<repository>/bin/concur]
#   RESULTS   the folder that holds the results folders [<repository>/results]
#   DRY_RUN   1: print each command (shell-quoted) instead of running it [0]
#   CHECK_ONLY  1: check the parameters, create and run nothing [0]
#   LAUNCHER  srun or mpirun [srun under Slurm, mpirun otherwise]
#   MPIRUN_FLAGS  extra words for mpirun, split on blanks (never eval'd) []
# shellcheck shell=bash

# header_usage FILE: FILE's header comment (its usage and parameters), the
# comment marks and #SBATCH/#PBS directives left out.
header_usage() {
    sed -n '1,/^[^#]/{/^#!/d;/^#[A-Za-z]/d;/^#/!d;s/^# \{0,1\}//;p}' "$1"
}

# job_help "$@": with -h or --help first, the running job script's header
# on stdout and exit 0 (every job script calls it before anything else).
job_help() {
    [[ ${1:-} == -h || ${1:-} == --help ]] || return 0
    header_usage "$0"
    exit 0
}

# Open MPI refuses root without these; harmless for other users.
if [[ $(id -u) -eq 0 ]]; then
    export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
fi
# Readable MPI_Abort messages instead of a garbled aggregate.
export OMPI_MCA_orte_base_help_aggregate=${OMPI_MCA_orte_base_help_aggregate:-0}

job_log() { echo "${JOB_NAME:-job}: $*" >&2; }
job_die() { job_log "$*"; exit 2; }

dry_run() { [[ ${DRY_RUN:-0} == 1 ]]; }

# One command as a shell would read it back: each word quoted with %q.
print_cmd() {
    local line
    line=$(printf '%q ' "$@")
    printf '%s\n' "${line% }"
}

job_scheduler() {
    if [[ -n ${SLURM_JOB_ID:-} ]]; then
        echo slurm
    elif [[ -n ${PBS_JOBID:-} ]]; then
        echo pbs
    else
        echo none
    fi
}

# Tasks (MPI slots) and nodes of the allocation; this machine without one.
job_tasks() {
    case $JOB_SCHED in
        slurm) echo "${SLURM_NTASKS:-${SLURM_NPROCS:-1}}" ;;
        pbs) wc -l <"$PBS_NODEFILE" | tr -d ' ' ;;
        none) nproc ;;
    esac
}

job_nodes() {
    case $JOB_SCHED in
        slurm) echo "${SLURM_JOB_NUM_NODES:-${SLURM_NNODES:-1}}" ;;
        pbs) sort -u "$PBS_NODEFILE" | wc -l | tr -d ' ' ;;
        none) echo 1 ;;
    esac
}

job_hosts() {
    case $JOB_SCHED in
        slurm) scontrol show hostnames "${SLURM_JOB_NODELIST:-}" 2>/dev/null || echo "${SLURM_JOB_NODELIST:-}" ;;
        pbs) sort -u "$PBS_NODEFILE" ;;
        none) hostname ;;
    esac
}

# 1 2 4 8 ... up to N, and N itself: the default rank sweep.
powers_upto() {
    local n=$1 p=1 out=()
    while ((p < n)); do out+=("$p"); p=$((p * 2)); done
    out+=("$n")
    echo "${out[*]}"
}

# A name that is safe as one path component.
safe_name() { tr -c 'A-Za-z0-9._-' '_' <<<"$1" | sed 's/_$//'; }

# ---------------------------------------------------------------------------
# Parameter checks. Each refuses a bad value with exit 2 and one line that
# names the parameter and the value, before any results folder exists (the
# scripts check everything first, then call job_started).

# The largest count a parameter may hold: the values take part in bash
# arithmetic (64-bit), and concur refuses more than this anyway.
JOB_MAX_COUNT=1000000000000

# check_counts NAME VALUE...: a list of positive integers (it becomes
# arguments, never code).
check_counts() {
    local name=$1 value
    shift
    [[ $# -gt 0 ]] || job_die "$name: empty list"
    for value in "$@"; do
        [[ $value =~ ^[1-9][0-9]*$ ]] || job_die "$name: '$value' is not a positive integer"
        ((${#value} <= 13 && value <= JOB_MAX_COUNT)) || job_die "$name: '$value' is too large"
    done
}

# check_whole NAME VALUE: a whole number >= 0.
check_whole() {
    [[ $2 =~ ^[0-9]+$ ]] || job_die "$1: '$2' is not a whole number (0, 1, 2, ...)"
    ((${#2} <= 13 && 10#$2 <= JOB_MAX_COUNT)) || job_die "$1: '$2' is too large"
}

# check_choice NAME VALUE CHOICE...: one of the choices.
check_choice() {
    local name=$1 value=$2 choice
    shift 2
    for choice in "$@"; do [[ $value == "$choice" ]] && return 0; done
    local list=$*
    job_die "$name: '$value' is not one of ${list// /, }"
}

# check_flag NAME VALUE: 0 or 1.
check_flag() {
    [[ $2 == 0 || $2 == 1 ]] || job_die "$1: '$2' is neither 0 nor 1"
}

# check_duration NAME VALUE: what concur's --latency and --timeout accept
# (digits, an optional fraction, a unit ns, us, ms, s or m; none: seconds).
check_duration() {
    [[ $2 =~ ^([0-9]+(\.[0-9]*)?|\.[0-9]+)(ns|us|ms|s|m)?$ ]] ||
        job_die "$1: '$2' is not a duration (e.g. 100ms, 0.25s, 2s)"
}

# check_word NAME VALUE: an option value for mpirun or srun (--map-by,
# --cpu-bind): letters, digits and : = , . _ - only.
check_word() {
    [[ $2 =~ ^[A-Za-z0-9:=,._-]+$ ]] || job_die "$1: '$2' is not a valid value (letters, digits, : = , . _ -)"
}

# check_workload BASE LAST_COUNT: the numbers BASE .. BASE+COUNT-1 stay
# within what concur sums exactly (KERNEL_MAX_N, include/kernel.h); COUNT at
# most concur's 1,000,000 (WORKLOAD_MAX_COUNT).
check_workload() {
    local base=$1 count=$2 name=${3:-COUNT}
    check_whole BASE "$base"
    ((count <= 1000000)) || job_die "$name: '$count' numbers is more than concur's 1000000"
    ((10#$base + count - 1 <= 10069012961345)) ||
        job_die "BASE: '$base' with $count numbers reaches past 10069012961345, the largest n concur sums exactly"
}

# check_omp_env BIND PLACES: OMP_PROC_BIND (true, false, or a list of close,
# spread, master, primary) and OMP_PLACES (an abstract name with an optional
# (count), or an explicit list such as {0:4},{4:4}).
check_omp_env() {
    [[ $1 =~ ^(true|false|((close|spread|master|primary)(,(close|spread|master|primary))*))$ ]] ||
        job_die "OMP_PROC_BIND: '$1' is not true, false or a list of close, spread, primary"
    [[ $2 =~ ^((threads|cores|sockets|ll_caches|numa_domains)(\([0-9]+\))?|[{}0-9:,!-]+)$ ]] ||
        job_die "OMP_PLACES: '$2' is not threads, cores, sockets, ll_caches, numa_domains or a list of places"
}

# check_common: the parameters every job script has.
check_common() {
    check_counts REPEAT "$REPEAT"
    check_whole WARMUP "$WARMUP"
}

# Where the ranks have to fit: the job's tasks under a scheduler; without
# one, mpirun's slots on this host (its cores), unless MPIRUN_FLAGS lets
# mpirun oversubscribe. A dry run only prints: it checks the tasks alone.
check_ranks_fit() {
    local p tasks
    if [[ $JOB_SCHED == none ]]; then
        [[ $LAUNCHER == mpirun ]] && ! dry_run || return 0
        [[ " ${MPIRUN_EXTRA[*]} " == *" --oversubscribe "* ]] && return 0
        tasks=$(nproc)
        for p in "$@"; do
            ((p <= tasks)) ||
                job_die "RANKS: $p ranks but this machine has $tasks cores (mpirun would refuse; MPIRUN_FLAGS=--oversubscribe to run them anyway)"
        done
        return 0
    fi
    tasks=$(job_tasks)
    for p in "$@"; do
        ((p <= tasks)) || job_die "RANKS: $p ranks but the job has $tasks tasks (ask for more with --ntasks)"
    done
}

# results/<name>-<job id or UTC timestamp>[-N]: mkdir without -p on the last
# component is atomic, so two jobs never share (or overwrite) a folder.
make_results_dir() {
    local parent=$1 stem=$2 dir n=1
    dir=$parent/$stem
    if dry_run; then
        echo "$dir"
        return
    fi
    mkdir -p "$parent"
    until mkdir "$dir" 2>/dev/null; do
        [[ -d $parent ]] || job_die "cannot create '$parent'"
        dir=$parent/$stem-$n
        n=$((n + 1))
        ((n < 1000)) || job_die "cannot create a results folder under '$parent'"
    done
    echo "$dir"
}

# job_init NAME: sets JOB_NAME, JOB_SCHED, JOB_STEM, CONCUR, LAUNCHER and
# checks the common parameters; creates nothing (job_started does, once the
# script has checked its own parameters). JOB_ROOT (the repository) must be
# set by the caller.
job_init() {
    local id
    JOB_SCRIPT=$1
    JOB_SCHED=$(job_scheduler)
    case $JOB_SCHED in
        slurm) JOB_NAME=${SLURM_JOB_NAME:-$1}; id=$SLURM_JOB_ID ;;
        pbs) JOB_NAME=${PBS_JOBNAME:-$1}; id=$PBS_JOBID ;;
        none) JOB_NAME=$1; id=$(date -u +%Y%m%dT%H%M%SZ) ;;
    esac
    # sbatch names a job after its script file unless told otherwise.
    JOB_NAME=${JOB_NAME%.sbatch}
    JOB_NAME=${JOB_NAME%.pbs}
    JOB_STARTED=$(date -u +%Y-%m-%dT%H:%M:%SZ)
    check_flag DRY_RUN "${DRY_RUN:-0}"
    check_flag CHECK_ONLY "${CHECK_ONLY:-0}"
    CONCUR=${CONCUR:-$JOB_ROOT/bin/concur}
    RESULTS=${RESULTS:-$JOB_ROOT/results}
    if [[ -z ${LAUNCHER:-} ]]; then
        if [[ $JOB_SCHED == slurm ]]; then LAUNCHER=srun; else LAUNCHER=mpirun; fi
    fi
    [[ $LAUNCHER == srun || $LAUNCHER == mpirun ]] ||
        job_die "LAUNCHER: '$LAUNCHER' is neither srun nor mpirun"
    if [[ $LAUNCHER == srun && $JOB_SCHED != slurm ]] && ! dry_run; then
        job_die "LAUNCHER=srun needs a Slurm job (sbatch, or salloc); use LAUNCHER=mpirun here"
    fi
    read -r -a MPIRUN_EXTRA <<<"${MPIRUN_FLAGS:-}"
    if ! dry_run; then
        [[ -x $CONCUR && ! -d $CONCUR ]] || job_die "CONCUR: '$CONCUR' is not an executable (run make, or set CONCUR)"
    fi
    [[ ! -e $RESULTS || -d $RESULTS ]] || job_die "RESULTS: '$RESULTS' exists and is not a folder"
    JOB_STEM=$(safe_name "$JOB_NAME")-$(safe_name "$id")
    JOB_DIR=$RESULTS/$JOB_STEM
    JOB_RUNS=$JOB_DIR/runs.csv
    JOB_STEP=0
    JOB_FAILED=0
    JOB_SETTINGS=()
    JOB_CHILD=
    JOB_STEP_OUT=
    job_setting concur "$CONCUR"
    job_setting launcher "$LAUNCHER"
    job_setting mpirun_flags "${MPIRUN_FLAGS:-}"
}

job_setting() { JOB_SETTINGS+=("$1=$2"); }

# mpi_launch P NODES [launcher options...]: fills LAUNCH with the words that
# start P ranks on NODES nodes (srun --mpi=pmix, or mpirun).
mpi_launch() {
    local ranks=$1 nodes=$2
    shift 2
    if [[ $LAUNCHER == srun ]]; then
        LAUNCH=(srun --mpi=pmix --nodes="$nodes" --ntasks="$ranks" "$@")
    else
        LAUNCH=(mpirun -np "$ranks")
        [[ $JOB_SCHED == pbs ]] && LAUNCH+=(--hostfile "$PBS_NODEFILE")
        LAUNCH+=("$@" "${MPIRUN_EXTRA[@]}")
    fi
}

# Appends one step's CSV (FILE) to runs.csv with concur merge: the header
# once, and only when it matches the header already there (else the step's
# rows are kept as step-N.csv); run and sequence go on counting, so that
# the rounds of run_sweeps read as one sweep.
append_runs() {
    local file=$1
    [[ -s $file ]] || { job_log "step $JOB_STEP wrote no runs"; return 1; }
    if ! "$CONCUR" merge --append --renumber -o "$JOB_RUNS" "$file" >&2; then
        cp "$file" "$JOB_DIR/step-$JOB_STEP.csv"
        job_log "step $JOB_STEP: its rows do not fit runs.csv; kept as step-$JOB_STEP.csv"
        return 1
    fi
}

# run_step CMD...: one step of the job (a concur sweep, or any command that
# prints a runs CSV). A failing step is reported and the job goes on (the
# other points are still worth having); job_finish turns it into the job's
# exit status. The step runs in the background and the script waits for it,
# so that a signal is taken at once (bash runs a trap only once a foreground
# command has ended) and job_interrupted can stop it.
run_step() {
    local status=0
    JOB_STEP=$((JOB_STEP + 1))
    if dry_run; then
        print_cmd "$@"
        return 0
    fi
    print_cmd "$@" >>"$JOB_DIR/commands.txt"
    job_log "step $JOB_STEP: $(print_cmd "$@")"
    JOB_STEP_OUT=$JOB_DIR/.step.csv
    "$@" >"$JOB_STEP_OUT" &
    JOB_CHILD=$!
    wait "$JOB_CHILD" || status=$?
    JOB_CHILD=
    # Rows that did arrive are kept even when the step failed (ok=0 runs).
    append_runs "$JOB_STEP_OUT" || { ((status)) || status=1; }
    rm -f "$JOB_STEP_OUT"
    JOB_STEP_OUT=
    if [[ $status -ne 0 ]]; then
        job_log "step $JOB_STEP failed (exit $status): $(print_cmd "$@")"
        JOB_FAILED=$((JOB_FAILED + 1))
    fi
}

# 1,2,4: a list as concur sweep --workers takes it.
comma_list() {
    local IFS=,
    echo "$*"
}

# point [jobs/point options]: sets POINT, the words that start one run of a
# point through jobs/point (its concur rows kept in details.csv; {COUNT}
# and {NODES} for what {W} alone cannot say), up to and with `--`.
point() {
    # shellcheck disable=SC2034 # used by the job scripts
    POINT=("$JOB_ROOT/jobs/point" "{W}" --rows "$JOB_DIR/details.csv" "$@" --)
}

# The sweeps of a job. add_sweep ARGS... registers one `concur sweep`: its
# options after --repeat/--warmup (--workers LIST, --experiment, --variant,
# --time, ...), `--`, and the command with {W}. run_sweeps runs them:
#  - one sweep: one concur sweep, REPEAT timed runs of every point in
#    interleaved order (1,2,4,1,2,4,...), WARMUP warm-ups per point first;
#  - several (variants with other commands: serial and omp, sync and
#    threads): REPEAT rounds, each running every sweep once per point, the
#    warm-ups in the first round. A baseline (serial, sync) thus runs in
#    the same conditions as the rest, interleaved with it, and the drift of
#    a busy machine spreads over every variant instead of landing on one.
#    concur merge --renumber numbers the runs of the rounds 1..REPEAT.
JOB_SWEEP_WORDS=()
JOB_SWEEP_SIZES=()
add_sweep() {
    JOB_SWEEP_SIZES+=("$#")
    JOB_SWEEP_WORDS+=("$@")
}

run_sweeps() {
    local n=${#JOB_SWEEP_SIZES[@]} i k r warm offsets=() order=() words
    if ((n == 1)); then
        run_step "$CONCUR" sweep --repeat "$REPEAT" --warmup "$WARMUP" "${JOB_SWEEP_WORDS[@]}"
        return
    fi
    offsets[0]=0
    for ((i = 1; i < n; i++)); do offsets[i]=$((offsets[i - 1] + JOB_SWEEP_SIZES[i - 1])); done
    for ((r = 1; r <= REPEAT; r++)); do
        warm=0
        ((r == 1)) && warm=$WARMUP
        # Serpentine, as concur sweep's own interleaved order: odd rounds
        # run the sweeps and their points forward, even rounds backward, so
        # that a linear drift cancels over each pair of rounds.
        order=()
        for ((i = 0; i < n; i++)); do
            if ((r % 2)); then order+=("$i"); else order+=($((n - 1 - i))); fi
        done
        for i in "${order[@]}"; do
            words=("${JOB_SWEEP_WORDS[@]:offsets[i]:JOB_SWEEP_SIZES[i]}")
            if ((r % 2 == 0)); then
                for ((k = 0; k + 1 < ${#words[@]}; k++)); do
                    [[ ${words[k]} == -- ]] && break
                    [[ ${words[k]} == --workers ]] && words[k + 1]=$(reverse_list "${words[k + 1]}")
                done
            fi
            run_step "$CONCUR" sweep --repeat 1 --warmup "$warm" "${words[@]}"
        done
    done
}

# 4,2,1 from 1,2,4 (a list of counts; ranges A-B expanded first).
reverse_list() {
    local item items=() out=() a b
    IFS=, read -r -a items <<<"$1"
    for item in "${items[@]}"; do
        if [[ $item =~ ^([0-9]+)-([0-9]+)$ ]]; then
            a=${BASH_REMATCH[1]} b=${BASH_REMATCH[2]}
            while ((a <= b)); do out=("$a" "${out[@]}"); a=$((a + 1)); done
        else
            out=("$item" "${out[@]}")
        fi
    done
    comma_list "${out[@]}"
}

# JOB_COUNTS: "ROWS FAILED" of runs.csv (failed: ok other than 1), by
# concur merge --count.
job_counts() {
    local counts
    if [[ -s $JOB_RUNS ]] && counts=$("$CONCUR" merge --count "$JOB_RUNS" 2>/dev/null); then
        echo "$counts"
    else
        echo "0 0"
    fi
}

job_rows() {
    local rows _
    read -r rows _ <<<"$(job_counts)"
    echo "$rows"
}

# ---------------------------------------------------------------------------
# provenance.json, written by hand: plain bash, so that it works on compute
# nodes without Python.

# A JSON string (RFC 8259): bytes that are not UTF-8 become U+FFFD,
# quote, backslash and every control character escaped; null when empty.
json_str() {
    local s c
    if [[ -z ${1-} ]]; then printf 'null'; return; fi
    s=$(LC_ALL=C tr -d '\000-\010\013\014\016-\037' <<<"$1")
    # Not UTF-8 (a Latin-1 job name, a setting in another encoding): each
    # byte above ASCII becomes U+FFFD, so that the file stays valid JSON
    # (doc/commands.md: the JSON policy; iconv is part of every libc).
    if ! iconv -f UTF-8 -t UTF-8 <<<"$s" >/dev/null 2>&1; then
        local LC_ALL=C   # bytes, not characters, for the pattern below
        s=${s//[$'\200'-$'\377']/$'\357\277\275'}
    fi
    s=${s//\\/\\\\}
    s=${s//\"/\\\"}
    s=${s//$'\t'/\\t}
    s=${s//$'\r'/\\r}
    s=${s//$'\n'/\\n}
    while [[ $s =~ [$'\001'-$'\037'] ]]; do
        c=${BASH_REMATCH[0]}
        s=${s//"$c"/$(printf '\\u%04x' "'$c")}
    done
    printf '"%s"' "$s"
}

# A JSON list of strings, or of numbers when every word is one.
json_list() {
    local word sep='' numbers=1
    for word in "$@"; do [[ $word =~ ^[0-9]+$ ]] || numbers=0; done
    printf '['
    for word in "$@"; do
        if ((numbers)); then printf '%s%s' "$sep" "$word"; else printf '%s%s' "$sep" "$(json_str "$word")"; fi
        sep=', '
    done
    printf ']'
}

# A JSON object from KEY=VALUE words (values as strings).
json_object() {
    local pair sep=''
    printf '{'
    for pair in "$@"; do
        printf '%s%s: %s' "$sep" "$(json_str "${pair%%=*}")" "$(json_str "${pair#*=}")"
        sep=', '
    done
    printf '}'
}

# The first line of a command's output, or nothing.
first_line() { { "$@" 2>/dev/null || true; } | head -n 1; }

cpu_model() {
    local model
    model=$(awk -F': *' '/^model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null || true)
    echo "${model:-$(uname -m)}"
}

git_dirty() {
    local changes
    changes=$(git -C "$JOB_ROOT" status --porcelain --untracked-files=no 2>/dev/null) || { echo null; return; }
    if [[ -n $changes ]]; then echo true; else echo false; fi
}

# Scheduler variables worth keeping, those that are set.
scheduler_env() {
    local name
    for name in SLURM_JOB_ID SLURM_JOB_NAME SLURM_JOB_NODELIST SLURM_JOB_NUM_NODES \
        SLURM_NTASKS SLURM_CPUS_PER_TASK SLURM_CPUS_ON_NODE SLURM_JOB_CPUS_PER_NODE \
        SLURM_JOB_PARTITION SLURM_CLUSTER_NAME SLURM_SUBMIT_DIR \
        PBS_JOBID PBS_JOBNAME PBS_QUEUE PBS_O_WORKDIR PBS_NODEFILE PBS_NUM_NODES PBS_NP; do
        [[ -n ${!name:-} ]] && echo "$name=${!name}"
    done
    return 0
}

# How the binary was built (compiler, flags, library versions, kernel path),
# as concur reports it; null for a binary without --build-info.
build_info() {
    local info
    info=$("$CONCUR" --build-info 2>/dev/null) || info=
    [[ $info == "{"*"}" ]] && printf '%s' "$info" || printf 'null'
}

# The facts that do not change while the job runs (versions, hosts, CPU),
# gathered once at the start: the final write after a signal is then quick.
provenance_facts() {
    local hosts env ranks
    mapfile -t hosts < <(job_hosts)
    mapfile -t env < <(scheduler_env)
    read -r -a ranks <<<"${JOB_RANKS:-}"
    JOB_FACTS=$(
        printf '  "tool": "concur",\n'
        printf '  "concur_version": %s,\n' "$(json_str "$(first_line "$CONCUR" --version)")"
        printf '  "job_name": %s,\n' "$(json_str "$JOB_NAME")"
        printf '  "script": %s,\n' "$(json_str "$JOB_SCRIPT")"
        printf '  "scheduler": %s,\n' "$(json_str "$JOB_SCHED")"
        printf '  "slurm_job_id": %s,\n' "$(json_str "${SLURM_JOB_ID:-}")"
        printf '  "slurm_job_nodelist": %s,\n' "$(json_str "${SLURM_JOB_NODELIST:-}")"
        printf '  "pbs_jobid": %s,\n' "$(json_str "${PBS_JOBID:-}")"
        printf '  "hostname": %s,\n' "$(json_str "$(hostname)")"
        printf '  "hosts": %s,\n' "$(json_list "${hosts[@]}")"
        printf '  "cpu_model": %s,\n' "$(json_str "$(cpu_model)")"
        printf '  "cores_online": %s,\n' "$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo null)"
        printf '  "cores_usable": %s,\n' "$(nproc 2>/dev/null || echo null)"
        printf '  "nodes": %s,\n' "$(job_nodes)"
        printf '  "tasks": %s,\n' "$(job_tasks)"
        printf '  "ranks": %s,\n' "$(json_list "${ranks[@]}")"
        printf '  "launcher": %s,\n' "$(json_str "$LAUNCHER")"
        printf '  "omp": %s,\n' "$(json_object "OMP_NUM_THREADS=${OMP_NUM_THREADS:-}" \
            "OMP_PROC_BIND=${OMP_PROC_BIND:-}" "OMP_PLACES=${OMP_PLACES:-}")"
        printf '  "compiler": %s,\n' "$(json_str "$(first_line mpicc --version)")"
        printf '  "build": %s,\n' "$(build_info)"
        printf '  "mpirun": %s,\n' "$(json_str "$(first_line mpirun --version)")"
        printf '  "git_revision": %s,\n' "$(json_str "$(first_line git -C "$JOB_ROOT" rev-parse HEAD)")"
        printf '  "git_dirty": %s,\n' "$(git_dirty)"
        printf '  "scheduler_env": %s,' "$(json_object "${env[@]}")"
    )
}

provenance_write() {
    local file=$1 status=$2 finished=${3:-} interrupted=false
    # null while the job runs; then whether a signal ended it.
    [[ $status == null ]] && interrupted=null
    [[ -n ${JOB_INTERRUPTED:-} ]] && interrupted=true
    [[ -n ${JOB_FACTS:-} ]] || provenance_facts
    {
        printf '{\n%s\n' "$JOB_FACTS"
        printf '  "settings": %s,\n' "$(json_object "${JOB_SETTINGS[@]}")"
        printf '  "started": %s,\n' "$(json_str "$JOB_STARTED")"
        printf '  "finished": %s,\n' "$(json_str "$finished")"
        printf '  "steps": %s,\n' "$JOB_STEP"
        printf '  "failed_steps": %s,\n' "$JOB_FAILED"
        printf '  "interrupted": %s,\n' "$interrupted"
        printf '  "signal": %s,\n' "$(json_str "${JOB_INTERRUPTED:+SIG$JOB_INTERRUPTED}")"
        printf '  "exit_status": %s\n' "$status"
        printf '}\n'
    } >"$file.tmp"
    mv "$file.tmp" "$file"
}

# Call once the parameters are checked: creates the results folder and
# writes provenance.json at once, so that an interrupted job's folder still
# says what ran. CHECK_ONLY=1 stops here: the parameters are good (exit 0),
# nothing was created. From here on SIGTERM (what Slurm and PBS send at the
# time limit) and SIGINT end the job within a second: job_interrupted.
job_started() {
    if [[ ${CHECK_ONLY:-0} == 1 ]]; then
        job_log "parameters checked; nothing run (CHECK_ONLY=1)"
        exit 0
    fi
    JOB_DIR=$(make_results_dir "$RESULTS" "$JOB_STEM")
    JOB_RUNS=$JOB_DIR/runs.csv
    job_setting results "$JOB_DIR"
    if dry_run; then
        echo "# $JOB_NAME: results would go to $(print_cmd "$JOB_DIR"); nothing runs (DRY_RUN=1)"
        return 0
    fi
    job_log "results: $JOB_DIR"
    trap 'job_interrupted TERM 143' TERM
    trap 'job_interrupted INT 130' INT
    provenance_write "$JOB_DIR/provenance.json" null
}

# The end of an interrupted job: the running step is stopped (TERM to it;
# concur sweep stops its command's process group and writes the runs it
# finished), its rows are kept in runs.csv, provenance.json records the
# signal and the exit status. Bounded: KILL after JOB_GRACE_TENTHS tenths of a second.
JOB_GRACE_TENTHS=8
job_interrupted() {
    local signal=$1 status=$2 i
    trap '' TERM INT
    JOB_INTERRUPTED=$signal
    job_log "interrupted by SIG$signal: stopping"
    if [[ -n $JOB_CHILD ]]; then
        kill -TERM "$JOB_CHILD" 2>/dev/null || true
        for ((i = 0; i < JOB_GRACE_TENTHS; i++)); do
            kill -0 "$JOB_CHILD" 2>/dev/null || break
            sleep 0.1
        done
        kill -KILL "$JOB_CHILD" 2>/dev/null || true
        wait "$JOB_CHILD" 2>/dev/null || true
        JOB_CHILD=
        if [[ -n $JOB_STEP_OUT && -s $JOB_STEP_OUT ]]; then append_runs "$JOB_STEP_OUT" || true; fi
        rm -f "$JOB_STEP_OUT"
    fi
    JOB_FAILED=$((JOB_FAILED + 1))
    provenance_write "$JOB_DIR/provenance.json" "$status" "$(date -u +%Y-%m-%dT%H:%M:%SZ)"
    job_log "interrupted: $(job_rows) runs kept in $JOB_RUNS"
    exit "$status"
}

# The verdict: non-zero if a step failed, a run reported ok=0 (or errors), or
# nothing was recorded at all.
job_finish() {
    local bad status=0 rows
    dry_run && return 0
    read -r rows bad <<<"$(job_counts)"
    if ((JOB_FAILED > 0 || bad > 0 || rows == 0)); then
        status=1
        job_log "FAILED: $JOB_FAILED of $JOB_STEP steps failed, $bad runs report a failure, $rows runs recorded"
    else
        job_log "done: $rows runs in $JOB_RUNS"
    fi
    provenance_write "$JOB_DIR/provenance.json" "$status" "$(date -u +%Y-%m-%dT%H:%M:%SZ)"
    return "$status"
}

# Run rather than sourced (`bash jobs/lib.sh --help`): say what it is.
if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
    header_usage "$0"
    exit 0
fi
