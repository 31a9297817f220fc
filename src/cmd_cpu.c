/* concur cpu: the CPU-bound experiment. Runs the workload with the chosen
 * variant, warm-up rounds first, then R timed repetitions, each verified
 * against the closed form; one row per timed run. */
#include <getopt.h>
#include <omp.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "autotune.h"
#include "cli.h"
#include "cli_autotune.h"
#include "cpu.h"
#include "kernel.h"
#include "mpi_env.h"
#include "report.h"

static const char usage[] =
    "Usage: concur cpu [--mode serial|omp|mpi|hybrid] [options]\n"
    "  or:  mpirun -np P concur cpu --mode mpi|hybrid [options]\n"
    "\n"
    "Sums of squares of --count numbers from --base (the notes' workload is\n"
    "20 numbers from 5,000,000), exact in 128 bits, each run verified against\n"
    "the closed form.\n"
    "\n"
    "  --mode M          serial (default), omp, mpi, hybrid (MPI ranks x OpenMP threads)\n"
    "  --count N         how many numbers (default 20)\n"
    "  --base N          the first number (default 5000000)\n"
    "  --workers W       OpenMP threads (omp; per rank for hybrid; default: the\n"
    "                    CPUs this process may use, or OMP_NUM_THREADS); for mpi,\n"
    "                    the ranks come from mpirun and W must match if given\n"
    "  --workers auto    omp: find the fewest threads within --tolerance of the\n"
    "                    best time (1 .. the CPUs available; doubling, then\n"
    "                    bisection, Welch tests); rows for every probed count,\n"
    "                    a column chosen (1: the choice); the curve on stderr\n"
    "  --tolerance PCT   for --workers auto (default 5)\n"
    "  --decomp D        numbers (one number per task, like Pool.map; default) or\n"
    "                    range (each number's range split across all workers)\n"
    "  --schedule S      omp/hybrid: static (default) or dynamic\n"
    "  --dist D          mpi/hybrid: block (default), cyclic, or dynamic\n"
    "                    (manager/worker: rank 0 hands out tasks and works too)\n"
    "  --repeat R        timed runs (default 5)\n"
    "  --warmup K        untimed runs first (default 1)\n"
    "  --format F        table (default; md and text are aliases), csv (the\n"
    "                    runs CSV) or json\n"
    "  --kernel PATH     auto (default), generic, avx2, avx512, avx512ifma\n"
    "  --experiment NAME the experiment column (default cpu), to tell\n"
    "                    workloads apart in one runs CSV\n"
    "  -h, --help        this help\n"
    "\n"
    "Exit status: 0 all runs exact, 1 a result was wrong, 2 bad usage.\n";

struct cpu_options {
    struct cpu_plan plan;
    enum decomposition decomp;
    enum report_format format;
    const char *experiment;
    uint64_t count, base, repeat, warmup, workers;
    bool workers_given;
    bool workers_auto;    /* --workers auto */
    double tolerance;     /* its tolerance, a fraction */
    bool tolerance_given;
    bool decomp_given, schedule_given, dist_given; /* checked against the mode */
};

static enum cc_status parse_choice(const char *option, const char *text,
                                   const char *const names[], int n, int *out,
                                   struct cc_err *err)
{
    char list[128] = "";
    for (int i = 0; i < n; i++) {
        if (!strcmp(text, names[i])) {
            *out = i;
            return CC_OK;
        }
        strncat(list, names[i], sizeof list - strlen(list) - 1);
        strncat(list, i + 1 < n ? ", " : "", sizeof list - strlen(list) - 1);
    }
    return cc_error(err, CC_EINPUT, "%s: unknown value '%s' (%s)", option, text, list);
}

/* After getopt (cli.h's contract): the operands (none), the values and
 * combinations the options alone cannot check. Options that mean nothing in
 * the chosen mode are refused rather than ignored (and recorded in the CSV
 * as if they had been used). */
static enum cc_status finish_options(const struct cpu_options *o, int noperands, char **operands,
                                     struct cc_err *err)
{
    enum cpu_mode m = o->plan.mode;
    const char *mode = cpu_mode_name(m);

    if (noperands > 0)
        return cc_error(err, CC_EINPUT, "unexpected argument '%s'", operands[0]);
    if (o->count == 0)
        return cc_error(err, CC_EINPUT, "--count: '0' must be at least 1");
    if (o->repeat == 0)
        return cc_error(err, CC_EINPUT, "--repeat: '0' must be at least 1");
    if (o->workers_auto && m != CPU_OMP)
        return cc_error(err, CC_EINPUT, "--workers auto: only for --mode omp");
    if (o->tolerance_given && !o->workers_auto)
        return cc_error(err, CC_EINPUT, "--tolerance: only with --workers auto");
    if (o->workers_auto && o->repeat < 2)
        return cc_error(err, CC_EINPUT, "--repeat: --workers auto needs at least 2 runs a count for its tests");
    if (o->workers_given && o->workers == 0)
        return cc_error(err, CC_EINPUT, "--workers: '0' must be at least 1");
    if (o->schedule_given && m != CPU_OMP && m != CPU_HYBRID)
        return cc_error(err, CC_EINPUT, "--schedule: only for --mode omp or hybrid, not %s", mode);
    if (o->dist_given && m != CPU_MPI && m != CPU_HYBRID)
        return cc_error(err, CC_EINPUT, "--dist: only for --mode mpi or hybrid, not %s", mode);
    if (o->decomp_given && m == CPU_SERIAL)
        return cc_error(err, CC_EINPUT, "--decomp: only for --mode omp, mpi or hybrid (serial sums each number whole)");
    return CC_OK;
}

static enum cc_status parse_options(int argc, char **argv, struct cpu_options *o,
                                    bool *help, struct cc_err *err)
{
    static const struct option options[] = {
        {"mode", required_argument, NULL, 'm'},
        {"count", required_argument, NULL, 'c'},
        {"base", required_argument, NULL, 'b'},
        {"workers", required_argument, NULL, 'w'},
        {"decomp", required_argument, NULL, 'd'},
        {"schedule", required_argument, NULL, 's'},
        {"dist", required_argument, NULL, 'D'},
        {"repeat", required_argument, NULL, 'r'},
        {"warmup", required_argument, NULL, 'W'},
        {"format", required_argument, NULL, 'f'},
        {"kernel", required_argument, NULL, 'k'},
        {"experiment", required_argument, NULL, 'e'},
        {"tolerance", required_argument, NULL, 'T'},
        {"help", no_argument, NULL, 'h'},
        {0},
    };
    enum cc_status status = CC_OK;
    int opt, choice;

    *o = (struct cpu_options){.count = 20, .base = 5000000, .repeat = 5, .warmup = 1,
                              .format = REPORT_TABLE, .experiment = "cpu",
                              .tolerance = AUTOTUNE_DEFAULT_TOLERANCE};
    while (status == CC_OK && (opt = getopt_long(argc, argv, ":h", options, NULL)) != -1) {
        switch (opt) {
        case 'm':
            if ((status = parse_choice("--mode", optarg, cpu_mode_names, CPU_NMODES, &choice, err)) == CC_OK)
                o->plan.mode = (enum cpu_mode)choice;
            break;
        case 'd':
            if ((status = parse_choice("--decomp", optarg, decomposition_names, NDECOMPOSITIONS, &choice, err)) == CC_OK)
                o->decomp = (enum decomposition)choice;
            o->decomp_given = true;
            break;
        case 's':
            if ((status = parse_choice("--schedule", optarg, cpu_schedule_names, CPU_NSCHEDULES, &choice, err)) == CC_OK)
                o->plan.schedule = (enum cpu_schedule)choice;
            o->schedule_given = true;
            break;
        case 'D':
            if ((status = parse_choice("--dist", optarg, cpu_distribution_names, CPU_NDISTRIBUTIONS, &choice, err)) == CC_OK)
                o->plan.dist = (enum cpu_distribution)choice;
            o->dist_given = true;
            break;
        case 'c': status = num_parse_u64("--count", optarg, WORKLOAD_MAX_COUNT, &o->count, err); break;
        case 'b': status = num_parse_u64("--base", optarg, KERNEL_MAX_N, &o->base, err); break;
        case 'r': status = num_parse_u64("--repeat", optarg, 1000000, &o->repeat, err); break;
        case 'W': status = num_parse_u64("--warmup", optarg, 1000000, &o->warmup, err); break;
        case 'w':
            o->workers_auto = !strcmp(optarg, "auto");
            if (!o->workers_auto)
                status = num_parse_u64("--workers", optarg, CPU_MAX_THREADS, &o->workers, err);
            o->workers_given = !o->workers_auto;
            break;
        case 'T':
            status = cli_parse_tolerance(optarg, &o->tolerance, err);
            o->tolerance_given = true;
            break;
        case 'f': status = report_parse_format(optarg, REPORT_FORMATS_ALL, &o->format, err); break;
        case 'k': status = kernel_select(optarg, err); break;
        case 'e':
            o->experiment = optarg;
            if (!*optarg || strpbrk(optarg, ",\"\r\n"))
                status = cc_error(err, CC_EINPUT, "--experiment: '%s' must be a non-empty name without commas or quotes", optarg);
            break;
        case 'h': *help = true; return CC_OK;
        default: return cli_option_error("cpu", opt, argv, options, err);
        }
    }
    if (status != CC_OK)
        return status;
    return finish_options(o, argc - optind, argv + optind, err);
}

static int cpus_available(void)
{
    return cpu_cpus_available();
}

/* Threads per rank: --workers, else OMP_NUM_THREADS, else the CPUs this
 * process may run on (under mpirun, the ones its rank is bound to). */
static int default_threads(void)
{
    if (getenv("OMP_NUM_THREADS"))
        return omp_get_max_threads();
    return cpus_available();
}

/* Checks the mode against the ranks and fills in the threads. */
static enum cc_status settle_plan(struct cpu_options *o, int ranks, struct cc_err *err)
{
    struct cpu_plan *plan = &o->plan;
    const char *mode = cpu_mode_name(plan->mode);

    if ((plan->mode == CPU_SERIAL || plan->mode == CPU_OMP) && ranks > 1)
        return cc_error(err, CC_EINPUT, "--mode %s runs in one process, but mpirun started %d ranks; use --mode mpi or hybrid", mode, ranks);
    if (plan->mode == CPU_SERIAL && o->workers_given && o->workers != 1)
        return cc_error(err, CC_EINPUT, "--workers: '%llu' but --mode serial runs one worker", (unsigned long long)o->workers);
    if (plan->mode == CPU_MPI && o->workers_given && o->workers != (uint64_t)ranks)
        return cc_error(err, CC_EINPUT, "--workers: '%llu' but %d rank%s running; start %llu with mpirun -np %llu",
                        (unsigned long long)o->workers, ranks, ranks == 1 ? " is" : "s are",
                        (unsigned long long)o->workers, (unsigned long long)o->workers);
    if (plan->mode == CPU_SERIAL || plan->mode == CPU_MPI)
        plan->threads = 1;
    else
        plan->threads = o->workers_given ? (int)o->workers : default_threads();
    /* --workers is capped when parsed; the environment is not. */
    if (plan->threads > CPU_MAX_THREADS)
        return cc_error(err, CC_EINPUT, "OMP_NUM_THREADS: %d threads, more than %d (the most concur runs, as for --workers)",
                        plan->threads, CPU_MAX_THREADS);
    plan->pin_threads = getenv("OMP_PROC_BIND") == NULL;
    return CC_OK;
}

static uint64_t range_parts(const struct cpu_options *o, int ranks)
{
    uint64_t parts = (uint64_t)ranks * (uint64_t)o->plan.threads;
    bool dynamic = o->plan.schedule == SCHED_DYNAMIC || o->plan.dist == DIST_DYNAMIC;
    return dynamic ? 4 * parts : parts;
}

static const struct report_column columns[] = {
    {"experiment", false}, {"variant", false}, {"workers", true}, {"run", true},
    {"seconds", true}, {"result", false}, {"ok", true}, {"ranks", true},
    {"threads", true}, {"decomposition", false}, {"schedule", false},
    {"distribution", false}, {"kernel", false}, {"squares", true},
    {"squares_per_ns", true}, {"oversubscribed", true},
    {"chosen", true},  /* --workers auto only: the last column */
};
#define NCOLUMNS (sizeof columns / sizeof columns[0] - 1)

static void describe(struct report *r, const struct cpu_options *o,
                     const struct workload *w, int ranks)
{
    char text[64], total[NUM_U128_BUFSIZE];
    const char *bind = getenv("OMP_PROC_BIND");

    report_meta(r, "kernel", kernel_path_name(kernel_current()));
    snprintf(text, sizeof text, "%llu numbers from %llu", (unsigned long long)w->count,
             (unsigned long long)w->base);
    report_meta(r, "workload", text);
    snprintf(text, sizeof text, "%llu", (unsigned long long)w->squares);
    report_meta(r, "squares", text);
    report_meta(r, "expected", num_format_u128(w->expected, total));
    snprintf(text, sizeof text, "%d ranks x %d threads", ranks, o->plan.threads);
    report_meta(r, "workers", text);
    snprintf(text, sizeof text, "%d", cpus_available());
    report_meta(r, "cpus_available", text);
    report_meta(r, "binding", bind ? bind : "concur pins each thread to one CPU (OMP_PROC_BIND unset)");
}

/* chosen: "" outside --workers auto (the column is not there). */
static enum cc_status record(struct report *r, const struct cpu_options *o,
                             const struct workload *w, int ranks, uint64_t run,
                             const struct cpu_outcome *out, const char *chosen)
{
    char workers[24], runs[24], seconds[32], result[NUM_U128_BUFSIZE], rank_s[16],
        threads[16], squares[24], rate[32];
    const struct cpu_plan *p = &o->plan;
    /* More workers on this node than it has CPUs: the point measures
     * time-sharing, not parallelism. */
    bool oversubscribed = (long)mpi_env_local_size() * p->threads > sysconf(_SC_NPROCESSORS_ONLN);
    bool threaded = p->mode == CPU_OMP || p->mode == CPU_HYBRID;
    bool distributed = p->mode == CPU_MPI || p->mode == CPU_HYBRID;

    snprintf(workers, sizeof workers, "%d", ranks * p->threads);
    snprintf(runs, sizeof runs, "%llu", (unsigned long long)run);
    snprintf(seconds, sizeof seconds, "%.9f", out->seconds);
    snprintf(rank_s, sizeof rank_s, "%d", ranks);
    snprintf(threads, sizeof threads, "%d", p->threads);
    snprintf(squares, sizeof squares, "%llu", (unsigned long long)w->squares);
    snprintf(rate, sizeof rate, "%.3f", out->seconds > 0 ? (double)w->squares / out->seconds / 1e9 : 0.0);
    const char *values[NCOLUMNS + 1] = {
        o->experiment, cpu_mode_name(p->mode), workers, runs, seconds,
        num_format_u128(out->total, result), out->total == w->expected ? "1" : "0",
        rank_s, threads, decomposition_name(o->decomp),
        threaded ? cpu_schedule_name(p->schedule) : "",
        distributed ? cpu_distribution_name(p->dist) : "",
        kernel_path_name(kernel_current()), squares, rate, oversubscribed ? "1" : "0",
        chosen,
    };
    return report_row(r, values);
}

/* Threads beyond CPUs, said once on rank 0. Two cases: the node has more
 * threads (ranks on it x threads) than CPUs, and the runs measure
 * time-sharing, whatever the binding; or the node has room but the rank is
 * bound to fewer CPUs than its threads, and only then does widening the
 * launcher's binding help (a rank that already has every CPU of the node,
 * as with --bind-to none, gets no such advice). */
static void warn_about_binding(const struct cpu_plan *plan)
{
    long node_cpus = sysconf(_SC_NPROCESSORS_ONLN);
    int local = mpi_env_local_size(), rank_cpus = cpus_available();
    long node_threads = (long)local * plan->threads;

    /* One thread a rank: oversubscribing ranks takes mpirun's --oversubscribe,
     * which says it already (and the CSV's oversubscribed column records it). */
    if (plan->threads <= 1)
        return;
    if (node_cpus > 0 && node_threads > node_cpus) {
        if (local > 1)
            fprintf(stderr, "concur cpu: warning: %ld threads on this node (%d ranks x %d threads) "
                            "share its %ld CPU%s (oversubscribed)\n",
                    node_threads, local, plan->threads, node_cpus, node_cpus == 1 ? "" : "s");
        else
            fprintf(stderr, "concur cpu: warning: %d threads share %ld CPU%s (oversubscribed)\n",
                    plan->threads, node_cpus, node_cpus == 1 ? "" : "s");
    } else if (plan->threads > rank_cpus) {
        fprintf(stderr, "concur cpu: warning: %d threads share the %d CPU%s %s may use%s\n",
                plan->threads, rank_cpus, rank_cpus == 1 ? "" : "s",
                mpi_env_launched() ? "each rank" : "this process",
                mpi_env_launched() ? "; give each rank its cores with mpirun --bind-to none "
                                     "or --map-by slot:PE=<threads>" : "");
    }
}

/* Warm-up, then the timed runs; every rank runs, rank 0 records. */
static enum cc_status run_all(const struct cpu_options *o, const struct workload *w,
                              int rank, int ranks, bool *all_exact, struct cc_err *err)
{
    struct report *r = NULL;
    struct cpu_outcome out;
    enum cc_status status = CC_OK;
    struct cpu_plan plan = o->plan;
    /* One process shows its kernel's progress on a terminal; MPI ranks
     * each see only their share, and rank 0 counts runs instead. */
    if (ranks == 1 && (plan.mode == CPU_SERIAL || plan.mode == CPU_OMP)) {
        u128 all = (u128)w->squares * (o->warmup + o->repeat);
        plan.progress = progress_start("cpu", "squares", all > UINT64_MAX ? UINT64_MAX : (uint64_t)all);
    }
    bool show_progress = rank == 0 && !plan.progress && isatty(STDERR_FILENO) &&
                         o->format != REPORT_TABLE;

    if (rank == 0) {
        r = report_open(stdout, o->format, columns, NCOLUMNS);
        if (!r)
            return cc_error(err, CC_ESYS, "out of memory");
        describe(r, o, w, ranks);
        warn_about_binding(&o->plan);
    }
    for (uint64_t k = 0; k < o->warmup && status == CC_OK; k++)
        status = mpi_env_agree(cpu_run(&plan, w, &out, err));
    for (uint64_t run = 1; run <= o->repeat && status == CC_OK; run++) {
        status = mpi_env_agree(cpu_run(&plan, w, &out, err));
        if (status != CC_OK || rank != 0)
            continue;
        if (run == 1 && getenv("CONCUR_TEST_CORRUPT_RESULT"))
            out.total += 1; /* lets the tests see that verification bites */
        if (out.total != w->expected)
            *all_exact = false;
        if (show_progress)
            fprintf(stderr, "\rconcur cpu: run %llu/%llu", (unsigned long long)run,
                    (unsigned long long)o->repeat);
        progress_clear(plan.progress); /* a CSV row may go to the same terminal */
        if (record(r, o, w, ranks, run, &out, "") != CC_OK)
            status = cc_error(err, CC_ESYS, "out of memory");
    }
    progress_stop(plan.progress);
    if (show_progress)
        fputs("\n", stderr);
    if (rank == 0 && report_close(r) != CC_OK && status == CC_OK)
        status = cc_error(err, CC_ESYS, "cannot write the results: standard output failed");
    return status;
}

struct auto_ctx {
    struct cpu_options *o;
    struct workload *w;
    struct report *r; /* the rows, once the search is done */
};

/* One verified run at `workers` threads, for the search. The range
 * decomposition splits each number by the thread count: re-made per count.
 * A wrong total ends the search: its time measures nothing. */
static enum cc_status auto_run(void *ctx, unsigned workers, double *seconds, struct cc_err *err)
{
    struct auto_ctx *c = ctx;
    struct cpu_outcome out;
    enum cc_status status;

    if (c->o->decomp == DECOMP_RANGE && c->o->plan.threads != (int)workers) {
        workload_free(c->w);
        c->o->plan.threads = (int)workers;
        status = workload_init(c->w, c->o->base, c->o->count, c->o->decomp,
                               range_parts(c->o, 1), err);
        if (status != CC_OK)
            return status;
    }
    c->o->plan.threads = (int)workers;
    if ((status = cpu_run(&c->o->plan, c->w, &out, err)) != CC_OK)
        return status;
    if (out.total != c->w->expected)
        return cc_error(err, CC_EFAIL, "--workers auto: a result differs from the closed form at %u threads", workers);
    *seconds = out.seconds;
    return CC_OK;
}

/* One probed run as a row; all of them were verified. */
static enum cc_status auto_row(void *ctx, unsigned workers, size_t run, double seconds,
                               const char *chosen, struct cc_err *err)
{
    struct auto_ctx *c = ctx;
    struct cpu_outcome out = {.total = c->w->expected, .seconds = seconds};
    c->o->plan.threads = (int)workers;
    if (record(c->r, c->o, c->w, 1, run, &out, chosen) != CC_OK)
        return cc_error(err, CC_ESYS, "out of memory");
    return CC_OK;
}

/* --workers auto (omp, one process): the search, then every probed run as
 * a row. */
static enum cc_status run_auto(struct cpu_options *o, struct workload *w, struct cc_err *err)
{
    struct auto_ctx ctx = {.o = o, .w = w};
    struct autotune_options ao = {
        .max_workers = (unsigned)cpus_available(), .tolerance = o->tolerance,
        .repeat = (unsigned)o->repeat, .warmup = (unsigned)o->warmup,
        .run = auto_run, .ctx = &ctx,
    };
    struct autotune_result *a = NULL;
    enum cc_status status = autotune_search(&ao, &a, err);
    if (status != CC_OK)
        return status;
    struct report *r = report_open(stdout, o->format, columns, NCOLUMNS + 1);
    if (!r) {
        autotune_free(a);
        return cc_error(err, CC_ESYS, "out of memory");
    }
    o->plan.threads = (int)a->chosen;
    describe(r, o, w, 1);
    ctx.r = r;
    status = cli_autotune_write(r, a, o->tolerance, auto_row, &ctx, err);
    if (report_close(r) != CC_OK && status == CC_OK)
        status = cc_error(err, CC_ESYS, "cannot write the results: standard output failed");
    cli_autotune_print(stderr, "cpu", a, o->tolerance);
    autotune_free(a);
    return status;
}

static bool needs_mpi(const struct cpu_options *o)
{
    return o->plan.mode == CPU_MPI || o->plan.mode == CPU_HYBRID || mpi_env_launched();
}

int cmd_cpu(int argc, char **argv)
{
    struct cpu_options o;
    struct workload w = {0};
    struct cc_err err = {""};
    bool help = false, all_exact = true;

    enum cc_status status = parse_options(argc, argv, &o, &help, &err);
    if (help) {
        fputs(usage, stdout);
        return 0;
    }
    /* Under a launcher MPI starts even for bad options, so that every rank
     * reaches the same verdict and they all exit together. */
    if ((status == CC_OK && needs_mpi(&o)) || mpi_env_launched()) {
        struct cc_err mpi_err;
        enum cc_status started = mpi_env_init(o.plan.mode == CPU_HYBRID, &mpi_err);
        if (started != CC_OK && status == CC_OK) {
            status = started;
            err = mpi_err;
        }
    }
    int rank = mpi_env_rank(), ranks = mpi_env_size();
    if (status == CC_OK)
        status = settle_plan(&o, ranks, &err);
    if (status == CC_OK)
        status = workload_init(&w, o.base, o.count, o.decomp, range_parts(&o, ranks), &err);
    status = mpi_env_agree(status);
    if (status == CC_OK && o.workers_auto)
        status = run_auto(&o, &w, &err);
    else if (status == CC_OK)
        status = run_all(&o, &w, rank, ranks, &all_exact, &err);
    workload_free(&w);

    /* Rank 0 speaks before MPI_Finalize: once any rank has exited with an
     * error, mpirun may tear the job down before a later message gets out. */
    int rc = cc_exit_code(status);
    if (rank == 0 && status == CC_OK && !all_exact) {
        fputs("concur cpu: a result differs from the closed form (ok=0 rows)\n", stderr);
        rc = 1;
    } else if (rank == 0) {
        rc = cli_exit_status("cpu", status, &err);
    }
    fflush(stdout);
    mpi_env_finalize();
    return rc;
}
