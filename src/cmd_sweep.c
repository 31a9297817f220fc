/* concur sweep: runs a command at several worker counts, repeatedly, in an
 * order that spreads machine drift over every point, and writes the runs
 * CSV that stats, compare and predict read. The plan (LIST, order, {W})
 * lives in sweep.c, running one step in sweep_run.c; this file parses
 * options, checks the whole plan before anything runs, and writes rows. */
#include <errno.h>
#include <getopt.h>
#include <libgen.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <signal.h>
#include <unistd.h>

#include "atomic_file.h"
#include "cli.h"
#include "grow.h"
#include "num.h"
#include "report.h"
#include "runs.h"
#include "sweep.h"
#include "sweep_run.h"

#define MAX_REPEAT 100000
#define MAX_ENV 256
#define MAX_TIMEOUT_S (7.0 * 24 * 3600)

static const char usage[] =
    "Usage: concur sweep --workers LIST [options] -- COMMAND [ARG...]\n"
    "\n"
    "Runs COMMAND at every worker count of LIST, R times each, and writes one\n"
    "row per timed run: the runs CSV that 'concur stats', 'compare' and\n"
    "'predict' read. {W} in ARGs and in --env values becomes the worker count:\n"
    "  concur sweep --workers 1,2,4 --env OMP_NUM_THREADS={W} -- ./my_omp_prog\n"
    "  concur sweep --workers 1-4 -- mpirun -np {W} ./my_mpi_prog\n"
    "\n"
    "  --workers LIST     worker counts: N, ranges A-B and stepped ranges A-B:S,\n"
    "                     comma-separated (1,2,4 1-8 1,2,4-16:4); each once\n"
    "  --repeat R         timed runs per point (default 3)\n"
    "  --warmup K         untimed runs per point before its first timed run\n"
    "                     (default 1); not written\n"
    "  --order O          interleaved (default: 1,2,4,4,2,1,1,2,4,...: linear\n"
    "                     drift cancels over each pair of rounds; use an even\n"
    "                     --repeat), blocked (1,1,1,2,2,2,...: drift lands on\n"
    "                     the last points), random (shuffled by --seed)\n"
    "  --seed N           the shuffle of --order random (default: from the clock,\n"
    "                     printed on stderr and in the table/JSON meta)\n"
    "  --env NAME=VALUE   set in the command's environment ({W} replaced)\n"
    "  --experiment NAME  the experiment column (default: sweep)\n"
    "  --variant NAME     the variant column (default: the command's file name)\n"
    "  --baseline-workers W  the baseline_workers column (default: the smallest\n"
    "                     count of LIST); must be in LIST\n"
    "  --time T           wall (default): the whole process, monotonic clock;\n"
    "                     reported: the mean seconds of the runs CSV the command\n"
    "                     prints on stdout (concur cpu/io --format csv)\n"
    "  --timeout DUR      stop a run after DUR (e.g. 30s, 5m): its process group\n"
    "                     gets SIGTERM, then SIGKILL; the run fails\n"
    "  --out FILE         also write the runs CSV to FILE, atomically, at the end\n"
    "                     (and on interruption, with the finished runs)\n"
    "  --format F         stdout: csv (default), json or table (md and text\n"
    "                     are aliases of table)\n"
    "  --show-output      the command's stdout to stderr (default: /dev/null);\n"
    "                     its stderr is kept, its stdin is /dev/null\n"
    "  --allow-constant   run several worker counts although nothing uses {W}\n"
    "  -h, --help         this help\n"
    "\n"
    "Columns: experiment,variant,workers,run,seconds,ok,exit_status,sequence,\n"
    "user_s,sys_s,max_rss_kib,oversubscribed,baseline_workers. sequence is the\n"
    "order in which the runs happened (warm-ups count); user_s, sys_s and\n"
    "max_rss_kib are of the process tree the command waits for; oversubscribed\n"
    "is 1 when the point uses more CPUs than concur may run on (W, or W x\n"
    "OMP_NUM_THREADS for mpirun/mpiexec/srun -n {W}; with --time reported, the\n"
    "command's own oversubscribed column).\n"
    "\n"
    "Exit status: 0 every run succeeded; 1 some run failed (non-zero exit,\n"
    "timeout, ok=0 in its CSV); 2 bad usage (nothing run, no file created);\n"
    "130/143 stopped by SIGINT/SIGTERM (finished runs kept).\n";

enum sweep_time { TIME_WALL, TIME_REPORTED };

struct sweep_options {
    uint64_t *workers;
    size_t npoints;
    uint64_t repeat, warmup, seed, baseline;
    bool seed_given, allow_constant, show_output;
    enum sweep_order order;
    enum sweep_time time;
    enum report_format format;
    const char *env[MAX_ENV];
    size_t nenv;
    const char *experiment, *variant, *out;
    double timeout_s;
    char **command; /* NULL-terminated, from argv */
    const char *workers_text, *baseline_text; /* as given, read after getopt */
};

static enum cc_status parse_env(const char *text, struct sweep_options *o, struct cc_err *err)
{
    const char *eq = strchr(text, '=');
    if (!eq || eq == text)
        return cc_error(err, CC_EINPUT, "--env: '%s' is not NAME=VALUE", text);
    for (const char *p = text; p < eq; p++)
        if (!(*p == '_' || (*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
              (p > text && *p >= '0' && *p <= '9')))
            return cc_error(err, CC_EINPUT, "--env: '%.*s' is not a variable name", (int)(eq - text), text);
    if (o->nenv == MAX_ENV)
        return cc_error(err, CC_EINPUT, "--env: more than %d variables", MAX_ENV);
    o->env[o->nenv++] = text;
    return CC_OK;
}

static enum cc_status parse_name(const char *what, const char *text, const char **out,
                                 struct cc_err *err)
{
    if (!*text)
        return cc_error(err, CC_EINPUT, "%s: empty name", what);
    *out = text;
    return CC_OK;
}

/* After getopt (cli.h's contract): --workers (required) and
 * --baseline-workers (one of its counts; by default the fewest), --seed
 * against --order, and the command, the operands. */
static enum cc_status finish_options(struct sweep_options *o, int noperands, char **operands,
                                     struct cc_err *err)
{
    const char *list = o->workers_text, *baseline = o->baseline_text;
    enum cc_status status;

    if (!list)
        return cc_error(err, CC_EINPUT, "--workers: missing (e.g. --workers 1,2,4)");
    if ((status = sweep_parse_list(list, &o->workers, &o->npoints, err)) != CC_OK)
        return status;
    if (o->seed_given && o->order != SWEEP_RANDOM)
        return cc_error(err, CC_EINPUT, "--seed: only --order random uses a seed");
    if (noperands == 0)
        return cc_error(err, CC_EINPUT,
                        "no command given (usage: concur sweep --workers LIST [options] -- COMMAND [ARG...])");
    o->command = operands;
    o->baseline = o->workers[0];
    for (size_t i = 1; i < o->npoints; i++)
        if (o->workers[i] < o->baseline)
            o->baseline = o->workers[i];
    if (baseline) {
        if ((status = num_parse_u64("--baseline-workers", baseline, SWEEP_MAX_WORKERS, &o->baseline, err)) != CC_OK)
            return status;
        bool listed = false;
        for (size_t i = 0; i < o->npoints; i++)
            listed |= o->workers[i] == o->baseline;
        if (!listed)
            return cc_error(err, CC_EINPUT, "--baseline-workers: %s is not in --workers %s", baseline, list);
    }
    return CC_OK;
}

static enum cc_status parse_options(int argc, char **argv, struct sweep_options *o, bool *help,
                                    struct cc_err *err)
{
    static const struct option options[] = {
        {"workers", required_argument, NULL, 'w'},
        {"repeat", required_argument, NULL, 'r'},
        {"warmup", required_argument, NULL, 'k'},
        {"order", required_argument, NULL, 'o'},
        {"seed", required_argument, NULL, 's'},
        {"env", required_argument, NULL, 'e'},
        {"experiment", required_argument, NULL, 'x'},
        {"variant", required_argument, NULL, 'v'},
        {"baseline-workers", required_argument, NULL, 'b'},
        {"time", required_argument, NULL, 't'},
        {"timeout", required_argument, NULL, 'T'},
        {"out", required_argument, NULL, 'O'},
        {"format", required_argument, NULL, 'f'},
        {"show-output", no_argument, NULL, 'S'},
        {"allow-constant", no_argument, NULL, 'C'},
        {"help", no_argument, NULL, 'h'},
        {0},
    };
    enum cc_status status = CC_OK;
    int opt;

    *o = (struct sweep_options){.repeat = 3, .warmup = 1, .experiment = "sweep"};
    /* '+': the first operand starts the command, whose own options must not
     * be taken for ours ("--" ends ours explicitly). */
    while (status == CC_OK && (opt = getopt_long(argc, argv, "+:h", options, NULL)) != -1) {
        switch (opt) {
        case 'w': o->workers_text = optarg; break;
        case 'r':
            status = num_parse_u64("--repeat", optarg, MAX_REPEAT, &o->repeat, err);
            if (status == CC_OK && o->repeat == 0)
                status = cc_error(err, CC_EINPUT, "--repeat: must be at least 1, not '%s'", optarg);
            break;
        case 'k': status = num_parse_u64("--warmup", optarg, MAX_REPEAT, &o->warmup, err); break;
        case 'o': status = sweep_parse_order(optarg, &o->order, err); break;
        case 's':
            status = num_parse_u64("--seed", optarg, UINT64_MAX, &o->seed, err);
            o->seed_given = true;
            break;
        case 'e': status = parse_env(optarg, o, err); break;
        case 'x': status = parse_name("--experiment", optarg, &o->experiment, err); break;
        case 'v': status = parse_name("--variant", optarg, &o->variant, err); break;
        case 'b': o->baseline_text = optarg; break;
        case 't':
            if (!strcmp(optarg, "wall"))
                o->time = TIME_WALL;
            else if (!strcmp(optarg, "reported"))
                o->time = TIME_REPORTED;
            else
                status = cc_error(err, CC_EINPUT, "--time: unknown value '%s' (wall or reported)", optarg);
            break;
        case 'T':
            status = num_parse_duration("--timeout", optarg, MAX_TIMEOUT_S, &o->timeout_s, err);
            if (status == CC_OK && o->timeout_s <= 0)
                status = cc_error(err, CC_EINPUT, "--timeout: '%s' must be above 0", optarg);
            break;
        case 'O': status = parse_name("--out", optarg, &o->out, err); break;
        case 'f': status = report_parse_format(optarg, REPORT_FORMATS_ALL, &o->format, err); break;
        case 'S': o->show_output = true; break;
        case 'C': o->allow_constant = true; break;
        case 'h':
            *help = true;
            return CC_OK;
        default:
            return cli_option_error("sweep", opt, argv, options, err);
        }
    }
    if (status != CC_OK)
        return status;
    return finish_options(o, argc - optind, argv + optind, err);
}

/* ------------------------------------------------------------------------
 * Checking the plan: everything a run could trip on, before the first. */

static bool uses_placeholder(const struct sweep_options *o)
{
    for (char **a = o->command; *a; a++)
        if (sweep_has_placeholder(*a))
            return true;
    for (size_t i = 0; i < o->nenv; i++)
        if (sweep_has_placeholder(strchr(o->env[i], '=') + 1))
            return true;
    return false;
}

/* The --out file's folder must exist and take a new file (the temporary
 * that is renamed over FILE); nothing is created here. */
static enum cc_status check_out(const char *path, struct cc_err *err)
{
    struct stat st;
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
        return cc_error(err, CC_EINPUT, "--out: '%s' is a folder", path);
    char *copy = strdup(path);
    if (!copy)
        return cc_error(err, CC_ESYS, "out of memory");
    const char *dir = dirname(copy);
    enum cc_status status = CC_OK;
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
        status = cc_error(err, CC_EINPUT, "--out: '%s': folder '%s' does not exist", path, dir);
    else if (access(dir, W_OK | X_OK) != 0)
        status = cc_error(err, CC_EINPUT, "--out: '%s': folder '%s' is not writable", path, dir);
    free(copy);
    return status;
}

static enum cc_status check_plan(const struct sweep_options *o, struct cc_err *err)
{
    if (o->npoints > 1 && !o->allow_constant && !uses_placeholder(o))
        return cc_error(err, CC_EINPUT,
                        "the command uses no {W} in its arguments or --env values, so %zu worker counts "
                        "would run the same thing (put {W} where the worker count goes, or --allow-constant)",
                        o->npoints);
    /* The program may itself depend on W ({W} in its name): check each. */
    for (size_t i = 0; i < o->npoints; i++) {
        char *program = sweep_substitute(o->command[0], o->workers[i]);
        if (!program)
            return cc_error(err, CC_ESYS, "out of memory");
        enum cc_status status = sweep_find_program(program, err);
        free(program);
        if (status != CC_OK)
            return status;
        if (!sweep_has_placeholder(o->command[0]))
            break;
    }
    if (o->out)
        return check_out(o->out, err);
    return CC_OK;
}

/* ------------------------------------------------------------------------
 * Running. */

static const struct report_column columns[] = {
    {"experiment", false}, {"variant", false}, {"workers", true}, {"run", true},
    {"seconds", true}, {"ok", true}, {"exit_status", true}, {"sequence", true},
    {"user_s", true}, {"sys_s", true}, {"max_rss_kib", true}, {"oversubscribed", true},
    {"baseline_workers", true},
};
#define NCOLUMNS (sizeof columns / sizeof columns[0])

enum { C_WORKERS = 2, C_RUN, C_SECONDS, C_OK, C_EXIT, C_SEQUENCE, C_USER, C_SYS, C_RSS, C_OVER, C_BASE };

/* One point's command and environment, {W} replaced. */
struct point_cmd {
    char **argv;
    char **env;
    size_t nargs;
    bool oversubscribed;
};

static void point_free(struct point_cmd *p, size_t nenv)
{
    if (p->argv)
        for (size_t i = 0; i < p->nargs; i++)
            free(p->argv[i]);
    if (p->env)
        for (size_t i = 0; i < nenv; i++)
            free(p->env[i]);
    free(p->argv);
    free(p->env);
}

static enum cc_status point_build(const struct sweep_options *o, uint64_t w, long cpus,
                                  struct point_cmd *p, struct cc_err *err)
{
    memset(p, 0, sizeof *p);
    while (o->command[p->nargs])
        p->nargs++;
    p->argv = calloc(p->nargs + 1, sizeof *p->argv);
    p->env = calloc(o->nenv + 1, sizeof *p->env);
    if (!p->argv || !p->env)
        return cc_error(err, CC_ESYS, "out of memory");
    bool launcher_uses_w = false;
    for (size_t i = 0; i < p->nargs; i++) {
        if (!(p->argv[i] = sweep_substitute(o->command[i], w)))
            return cc_error(err, CC_ESYS, "out of memory");
        launcher_uses_w |= i > 0 && sweep_has_placeholder(o->command[i]);
    }
    const char *threads = getenv("OMP_NUM_THREADS");
    for (size_t i = 0; i < o->nenv; i++) {
        if (!(p->env[i] = sweep_substitute(o->env[i], w)))
            return cc_error(err, CC_ESYS, "out of memory");
        if (!strncmp(p->env[i], "OMP_NUM_THREADS=", 16))
            threads = p->env[i] + 16;
    }
    p->oversubscribed = sweep_cpus_used(p->argv[0], launcher_uses_w, w, threads) > (uint64_t)cpus;
    return CC_OK;
}

/* The CPUs this process may run on (its affinity mask), what a sweep's
 * points share. */
static long cpus_available(void)
{
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) == 0)
        return CPU_COUNT(&set);
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? n : 1;
}

/* What --time reported reads from the command's stdout. */
struct reported {
    bool readable;
    double seconds;  /* mean over its successful rows */
    size_t rows, failed;
    bool oversubscribed, has_oversubscribed;
    struct cc_err err;
};

/* Reads the command's runs CSV with runs.c's reader (RFC 4180, by header
 * name). The oversubscribed column, where the command writes one, is read
 * as the grouping column (--by) of a second reading. */
static void read_reported(const char *text, size_t len, struct reported *rep)
{
    memset(rep, 0, sizeof *rep);
    for (int pass = 0; pass < 2; pass++) {
        FILE *in = fmemopen((void *)text, len, "r");
        struct runs *r = in ? runs_alloc(pass == 0 ? "oversubscribed" : NULL) : NULL;
        if (!r) {
            if (in)
                fclose(in);
            cc_error(&rep->err, CC_ESYS, "out of memory");
            return;
        }
        enum cc_status status = len ? runs_read_stream(r, in, "the command's output", &rep->err)
                                    : cc_error(&rep->err, CC_EINPUT, "the command printed nothing on stdout");
        fclose(in);
        if (status == CC_OK) {
            double sum = 0;
            size_t n = 0;
            for (size_t g = 0; g < r->ngroups; g++) {
                for (size_t i = 0; i < r->groups[g].n; i++)
                    sum += r->groups[g].seconds[i];
                n += r->groups[g].n;
                if (pass == 0 && !strcmp(r->groups[g].by, "1"))
                    rep->oversubscribed = true;
            }
            rep->readable = true;
            rep->has_oversubscribed = pass == 0;
            rep->rows = r->rows;
            rep->failed = r->failed;
            rep->seconds = n ? sum / (double)n : 0;
            if (!r->rows) {
                rep->readable = false;
                cc_error(&rep->err, CC_EINPUT, "the command's runs CSV has no rows");
            }
        }
        runs_free(r);
        if (status == CC_OK || len == 0)
            return;
    }
}

struct sweep_state {
    const struct sweep_options *o;
    struct point_cmd *points;
    struct report *report;
    char **rows;  /* every finished row's cells, for --out */
    size_t rowcap; /* rows there is room for */
    size_t nrows;
    size_t failed;
    bool progress;
};

static enum cc_status keep_row(struct sweep_state *s, const char *const cells[], struct cc_err *err)
{
    /* a row is NCOLUMNS cells: the capacity counts rows */
    char **rows = grow(s->rows, &s->rowcap, s->nrows + 1, NCOLUMNS * sizeof *rows, 64);
    if (!rows)
        return cc_error(err, CC_ESYS, "out of memory");
    s->rows = rows;
    for (size_t c = 0; c < NCOLUMNS; c++)
        if (!(s->rows[s->nrows * NCOLUMNS + c] = strdup(cells[c])))
            return cc_error(err, CC_ESYS, "out of memory");
    s->nrows++;
    return CC_OK;
}

/* The stderr line of a failed run (a warning for a warm-up): how it ended.
 * rep is what --time reported read, NULL otherwise. */
static void say_failed(const struct sweep_state *s, const struct sweep_step *step,
                       const struct sweep_outcome *out, const struct reported *rep)
{
    char why[700];
    if (out->timed_out)
        snprintf(why, sizeof why, "timed out after %g s (process group killed)", s->o->timeout_s);
    else if (out->term_signal)
        snprintf(why, sizeof why, "killed by signal %d", out->term_signal);
    else if (out->exit_status)
        snprintf(why, sizeof why, "exit status %d", out->exit_status);
    else if (rep && !rep->readable)
        snprintf(why, sizeof why, "no runs CSV on stdout: %s", rep->err.msg);
    else if (rep)
        snprintf(why, sizeof why, "%zu of its %zu rows say ok=0", rep->failed, rep->rows);
    else
        snprintf(why, sizeof why, "failed");
    unsigned long long w = s->o->workers[step->point], run = step->run;
    const char *clear = s->progress ? "\r\033[K" : "";
    if (step->warmup)
        fprintf(stderr, "%sconcur sweep: warning: warm-up %llu of workers %llu failed: %s\n", clear, run, w, why);
    else
        fprintf(stderr, "%sconcur sweep: workers %llu run %llu: %s\n", clear, w, run, why);
}

static enum cc_status record(struct sweep_state *s, const struct sweep_step *step, size_t sequence,
                             const struct sweep_outcome *out, struct cc_err *err)
{
    const struct sweep_options *o = s->o;
    uint64_t w = o->workers[step->point];
    bool ok = !out->timed_out && out->exit_status == 0;
    double seconds = out->wall_s;
    bool oversubscribed = s->points[step->point].oversubscribed;
    struct reported rep, *reported = NULL;
    if (o->time == TIME_REPORTED && !out->timed_out) {
        reported = &rep;
        read_reported(out->output ? out->output : "", out->output_len, &rep);
        if (!rep.readable || rep.failed)
            ok = false;
        if (rep.readable && rep.rows > rep.failed)
            seconds = rep.seconds; /* else the wall time: a number stats reads */
        if (rep.has_oversubscribed)
            oversubscribed = rep.oversubscribed;
    }
    if (!ok) {
        say_failed(s, step, out, reported);
        s->failed++;
    }
    char cells[NCOLUMNS][40];
    const char *values[NCOLUMNS] = {o->experiment, o->variant};
    snprintf(cells[C_WORKERS], 40, "%llu", (unsigned long long)w);
    snprintf(cells[C_RUN], 40, "%llu", (unsigned long long)step->run);
    snprintf(cells[C_SECONDS], 40, "%.9f", seconds);
    snprintf(cells[C_OK], 40, "%d", ok);
    snprintf(cells[C_EXIT], 40, "%d", out->exit_status);
    snprintf(cells[C_SEQUENCE], 40, "%zu", sequence);
    snprintf(cells[C_USER], 40, "%.6f", out->user_s);
    snprintf(cells[C_SYS], 40, "%.6f", out->sys_s);
    snprintf(cells[C_RSS], 40, "%.0f", out->max_rss_kib);
    snprintf(cells[C_OVER], 40, "%d", oversubscribed);
    snprintf(cells[C_BASE], 40, "%llu", (unsigned long long)o->baseline);
    for (size_t c = C_WORKERS; c < NCOLUMNS; c++)
        values[c] = cells[c];
    enum cc_status status = report_row(s->report, values);
    if (status != CC_OK)
        return cc_error(err, status, "writing a row: %s", strerror(errno));
    return keep_row(s, values, err);
}

static void show_progress(const struct sweep_state *s, size_t done, size_t total,
                          const struct sweep_step *step)
{
    if (!s->progress)
        return;
    fprintf(stderr, "\r\033[Kconcur sweep: run %zu/%zu: workers %llu %s %llu", done + 1, total,
            (unsigned long long)s->o->workers[step->point], step->warmup ? "warm-up" : "run",
            (unsigned long long)step->run);
    fflush(stderr);
}

/* Runs the steps in order until the end or a stop signal. */
static enum cc_status run_steps(struct sweep_state *s, const struct sweep_step *steps, size_t n,
                                size_t *done, struct cc_err *err)
{
    const struct sweep_options *o = s->o;
    enum cc_status status = CC_OK;
    for (*done = 0; *done < n && !sweep_signals_poll(); ++*done) {
        const struct sweep_step *step = &steps[*done];
        const struct point_cmd *p = &s->points[step->point];
        struct sweep_child child = {
            .argv = p->argv, .env = p->env, .nenv = o->nenv, .timeout_s = o->timeout_s,
            .out = o->time == TIME_REPORTED ? SWEEP_STDOUT_CAPTURE
                 : o->show_output ? SWEEP_STDOUT_STDERR : SWEEP_STDOUT_NULL,
        };
        struct sweep_outcome out;
        show_progress(s, *done, n, step);
        if ((status = sweep_run_step(&child, &out, err)) != CC_OK)
            break;
        if (out.stopped) { /* unfinished: no row */
            sweep_outcome_free(&out);
            break;
        }
        if (!step->warmup)
            status = record(s, step, *done + 1, &out, err);
        else if (out.exit_status || out.timed_out)
            say_failed(s, step, &out, NULL);
        sweep_outcome_free(&out);
        if (status != CC_OK)
            break;
    }
    if (s->progress)
        fputs("\r\033[K", stderr);
    return status;
}

/* The kept rows, replacing path whole: a reader sees the old file or the
 * whole new one, never half (atomic_file.h). */
static enum cc_status write_out(const struct sweep_state *s, const char *path, struct cc_err *err)
{
    struct atomic_file a;
    enum cc_status status = atomic_file_open(&a, "--out", path, err);
    if (status != CC_OK)
        return status;
    struct report *r = report_open(a.out, REPORT_CSV, columns, NCOLUMNS);
    status = r ? CC_OK : cc_error(err, CC_ESYS, "--out: out of memory");
    for (size_t i = 0; status == CC_OK && i < s->nrows; i++)
        status = report_row(r, (const char *const *)&s->rows[i * NCOLUMNS]);
    if (r && report_close(r) != CC_OK && status == CC_OK)
        status = cc_error(err, CC_ESYS, "--out: cannot write '%s'", path);
    if (status != CC_OK) {
        atomic_file_abort(&a);
        return status;
    }
    return atomic_file_commit(&a, err);
}

/* The command as a shell would read it back: words with anything but
 * plain characters in single quotes. */
static void command_text(char **argv, char *buf, size_t size)
{
    size_t used = 0;
    buf[0] = '\0';
    for (char **a = argv; *a && used < size; a++) {
        bool plain = **a && strspn(*a, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                       "0123456789_-+=/.,:@%{}") == strlen(*a);
        used += (size_t)snprintf(buf + used, size - used, "%s%s", a == argv ? "" : " ", plain ? "" : "'");
        for (const char *p = *a; *p && used < size; p++)
            used += (size_t)snprintf(buf + used, size - used, *p == '\'' ? "'\\''" : "%c", *p);
        if (!plain && used < size)
            used += (size_t)snprintf(buf + used, size - used, "'");
    }
}

static void add_meta(struct report *r, const struct sweep_options *o, long cpus)
{
    char buf[1024];
    command_text(o->command, buf, sizeof buf);
    report_meta(r, "command", buf);
    report_meta(r, "order", sweep_order_name(o->order));
    if (o->order == SWEEP_RANDOM) {
        snprintf(buf, sizeof buf, "%llu", (unsigned long long)o->seed);
        report_meta(r, "seed", buf);
    }
    snprintf(buf, sizeof buf, "%llu timed + %llu warm-up per point", (unsigned long long)o->repeat,
             (unsigned long long)o->warmup);
    report_meta(r, "runs", buf);
    report_meta(r, "time", o->time == TIME_WALL ? "wall" : "reported");
    snprintf(buf, sizeof buf, "%ld", cpus);
    report_meta(r, "cpus_available", buf);
}

static int finish(struct sweep_state *s, size_t done, size_t total, enum cc_status status,
                  struct cc_err *err)
{
    const struct sweep_options *o = s->o;
    int sig = sweep_stop_signal();
    if (sig)
        report_trailer(s->report, "interrupted", sig == SIGINT ? "SIGINT" : "SIGTERM");
    if (report_close(s->report) != CC_OK && status == CC_OK)
        status = cc_error(err, CC_ESYS, "writing the output: %s", strerror(errno));
    s->report = NULL;
    enum cc_status out_status = o->out ? write_out(s, o->out, err) : CC_OK;
    if (out_status != CC_OK && status == CC_OK)
        status = out_status;
    if (sig)
        fprintf(stderr, "concur sweep: interrupted by %s after %zu of %zu runs; %zu finished rows kept%s%s\n",
                sig == SIGINT ? "SIGINT" : "SIGTERM", done, total, s->nrows,
                o->out ? " in " : "", o->out ? o->out : "");
    if (status != CC_OK)
        return cli_exit_status("sweep", status, err);
    if (sig)
        return 128 + sig;
    if (s->failed) {
        fprintf(stderr, "concur sweep: %zu of %zu timed runs failed (ok=0)\n", s->failed, s->nrows);
        return 1;
    }
    return 0;
}

int cmd_sweep(int argc, char **argv)
{
    struct sweep_options o;
    struct cc_err err = {""};
    bool help = false;
    enum cc_status status = parse_options(argc, argv, &o, &help, &err);
    if (help) {
        free(o.workers);
        fputs(usage, stdout);
        return 0;
    }
    if (status == CC_OK)
        status = check_plan(&o, &err);
    if (status != CC_OK) {
        free(o.workers);
        return cli_exit_status("sweep", status, &err);
    }
    if (!o.variant) {
        const char *slash = strrchr(o.command[0], '/');
        o.variant = slash && slash[1] ? slash + 1 : o.command[0];
    }
    if (o.order == SWEEP_RANDOM && !o.seed_given) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        o.seed = ((uint64_t)ts.tv_sec * UINT64_C(1000000000) + (uint64_t)ts.tv_nsec) ^ (uint64_t)getpid();
        fprintf(stderr, "concur sweep: --order random --seed %llu\n", (unsigned long long)o.seed);
    }

    long cpus = cpus_available();
    struct sweep_step *steps = NULL;
    size_t nsteps = 0, done = 0;
    struct sweep_state s = {.o = &o, .progress = isatty(2)};
    s.points = calloc(o.npoints, sizeof *s.points);
    if (!s.points)
        status = cc_error(&err, CC_ESYS, "out of memory");
    for (size_t i = 0; status == CC_OK && i < o.npoints; i++)
        status = point_build(&o, o.workers[i], cpus, &s.points[i], &err);
    if (status == CC_OK)
        status = sweep_schedule(o.npoints, o.repeat, o.warmup, o.order, o.seed, &steps, &nsteps, &err);
    if (status == CC_OK && !(s.report = report_open(stdout, o.format, columns, NCOLUMNS)))
        status = cc_error(&err, CC_ESYS, "out of memory");
    if (status == CC_OK)
        status = sweep_signals_install(&err);
    int code;
    if (status != CC_OK) {
        report_close(s.report);
        code = cli_exit_status("sweep", status, &err);
    } else {
        add_meta(s.report, &o, cpus);
        /* --time reported: the command's own oversubscribed column decides
         * (concur io's transfers are no CPUs), and concur warns itself. */
        for (size_t i = 0; o.time != TIME_REPORTED && i < o.npoints; i++)
            if (s.points[i].oversubscribed)
                fprintf(stderr, "concur sweep: warning: workers %llu use more than the %ld CPU%s available "
                        "(oversubscribed=1)\n", (unsigned long long)o.workers[i], cpus, cpus == 1 ? "" : "s");
        status = run_steps(&s, steps, nsteps, &done, &err);
        code = finish(&s, done, nsteps, status, &err);
    }
    for (size_t i = 0; s.points && i < o.npoints; i++)
        point_free(&s.points[i], o.nenv);
    for (size_t i = 0; i < s.nrows * NCOLUMNS; i++)
        free(s.rows[i]);
    free(s.rows);
    free(s.points);
    free(steps);
    free(o.workers);
    return code;
}
