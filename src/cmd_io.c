/* concur io: the I/O-bound experiment. Downloads a URL list in one of the
 * engine's modes, R timed repetitions after K warm-ups, one runs row per
 * repetition; the per-URL outcome of the last repetition goes to --log.
 *
 * Output: the runs (csv, json or table) on stdout; the notes' line
 * "Downloaded 160 in 2.4 seconds" and, on a terminal, progress on stderr,
 * so stdout stays machine-readable in every format. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "autotune.h"
#include "cleanup.h"
#include "cli.h"
#include "cli_autotune.h"
#include "clock.h"
#include "fetch.h"
#include "mpi_env.h"
#include "num.h"
#include "report.h"
#include "runs.h"
#include "tls_trust.h"
#include "urllist.h"

static const char usage[] =
    "Usage: concur io --mode sync|threads|multi|mpi --urls FILE|- [options]\n"
    "\n"
    "Downloads every URL of FILE ('-': standard input; one URL a line, '#'\n"
    "comments and blank lines ignored) and prints one row per timed run:\n"
    "experiment,variant,workers,run,seconds,items,bytes,errors,ranks,requests_per_s,\n"
    "oversubscribed (1 when more MPI ranks share a node than it has CPUs; waiting\n"
    "transfers and threads use no CPU, so W alone never oversubscribes).\n"
    "\n"
    "  --mode MODE            sync: one reused handle; threads: W threads;\n"
    "                         multi: one thread, curl multi, W in flight;\n"
    "                         mpi: the list split across MPI ranks\n"
    "  --urls FILE            the URL list, '-' for standard input\n"
    "  --workers W            threads / transfers in flight (default 10; sync: 1;\n"
    "                         mpi: per rank, curl multi; without it one handle a rank)\n"
    "  --workers auto         threads, multi: find the fewest workers within\n"
    "                         --tolerance of the best time (doubling, then bisection,\n"
    "                         Welch tests; candidates 1 .. the number of URLs); rows\n"
    "                         for every probed count, a column chosen (1: the choice)\n"
    "  --tolerance PCT        for --workers auto (default 5)\n"
    "  --dist block|cyclic    mpi: how the list is split across the ranks (default\n"
    "                         block; --split is an alias)\n"
    "  --repeat R             timed runs (default 1; --workers auto: 3 per count)\n"
    "  --warmup K             untimed runs first (default 0; auto: before each count)\n"
    "  --format FMT           csv (default), json or table (md and text are\n"
    "                         aliases of table)\n"
    "  --log FILE             per-URL CSV of the last run, replacing FILE at the\n"
    "                         end (atomically; not the --urls file):\n"
    "                         url,status,bytes,seconds,attempts,error\n"
    "  --retry N              retry transient failures N times (default 0)\n"
    "  --save DIR             keep each body in DIR (atomic, safe names; a body\n"
    "                         replaces the one saved before from the same URL)\n"
    "  --connect-timeout DUR  default 10s\n"
    "  --timeout DUR          whole transfer, default 60s\n"
    "  --max-size BYTES       largest body, default 100MiB\n"
    "  --max-redirs N         default 10\n"
    "  --protocols LIST       default http,https\n"
    "  --share                threads: one shared DNS + connection cache\n"
    "  --cacert FILE          trust the CA certificates (PEM) in FILE instead of\n"
    "                         the system store (like curl's --cacert)\n"
    "  --capath DIR           trust the hashed CA directory DIR instead (with\n"
    "                         --cacert: both); the trust is loaded once per process\n"
    "                         and shared by every connection; verification stays on"
    "  -q, --quiet            no 'Downloaded' line and no progress on stderr\n"
    "  -h, --help             this help\n"
    "\n"
    "Exit status: 0 all downloaded, 1 some URL failed, 2 bad usage or input.\n";

#define DEFAULT_WORKERS 10
/* Seconds an MPI rank waits after removing its temporary files before it
 * dies of a signal (cleanup.h); mpirun's SIGKILL comes 1 s after SIGTERM. */
#define CLEANUP_MPI_GRACE 0.3
#define MAX_WORKERS 10000

struct io_options {
    enum fetch_mode mode;
    bool mode_set;
    const char *urls;
    bool workers_set;
    bool workers_auto;     /* --workers auto */
    double tolerance;      /* its tolerance, a fraction */
    bool tolerance_set;
    bool repeat_set;
    uint64_t repeat;
    uint64_t warmup;
    enum report_format format;
    const char *log_path;
    const char *save_dir;
    const char *cacert, *capath;
    enum mpi_split split;
    const char *split_option; /* "--dist" or its alias "--split" when given */
    bool quiet;
    struct fetch_options fetch;
};

enum { OPT_MODE = 256, OPT_URLS, OPT_WORKERS, OPT_SPLIT, OPT_DIST, OPT_REPEAT, OPT_WARMUP,
       OPT_FORMAT, OPT_LOG, OPT_RETRY, OPT_SAVE, OPT_CONNECT_TIMEOUT, OPT_TIMEOUT,
       OPT_MAX_SIZE, OPT_MAX_REDIRS, OPT_PROTOCOLS, OPT_SHARE, OPT_TOLERANCE,
       OPT_CACERT, OPT_CAPATH };

static const struct option long_options[] = {
    {"mode", required_argument, NULL, OPT_MODE},
    {"urls", required_argument, NULL, OPT_URLS},
    {"workers", required_argument, NULL, OPT_WORKERS},
    {"dist", required_argument, NULL, OPT_DIST},
    {"split", required_argument, NULL, OPT_SPLIT}, /* the old name of --dist */
    {"repeat", required_argument, NULL, OPT_REPEAT},
    {"warmup", required_argument, NULL, OPT_WARMUP},
    {"format", required_argument, NULL, OPT_FORMAT},
    {"log", required_argument, NULL, OPT_LOG},
    {"retry", required_argument, NULL, OPT_RETRY},
    {"save", required_argument, NULL, OPT_SAVE},
    {"connect-timeout", required_argument, NULL, OPT_CONNECT_TIMEOUT},
    {"timeout", required_argument, NULL, OPT_TIMEOUT},
    {"max-size", required_argument, NULL, OPT_MAX_SIZE},
    {"max-redirs", required_argument, NULL, OPT_MAX_REDIRS},
    {"protocols", required_argument, NULL, OPT_PROTOCOLS},
    {"share", no_argument, NULL, OPT_SHARE},
    {"cacert", required_argument, NULL, OPT_CACERT},
    {"capath", required_argument, NULL, OPT_CAPATH},
    {"tolerance", required_argument, NULL, OPT_TOLERANCE},
    {"quiet", no_argument, NULL, 'q'},
    {"help", no_argument, NULL, 'h'},
    {0},
};

static enum cc_status parse_positive(const char *what, const char *text, uint64_t max,
                                     uint64_t *out, struct cc_err *err)
{
    enum cc_status status = num_parse_u64(what, text, max, out, err);
    if (status == CC_OK && *out == 0)
        return cc_error(err, CC_EINPUT, "%s: '%s' must be at least 1", what, text);
    return status;
}

/* A duration that libcurl can use: positive, at most a day. */
static enum cc_status parse_timeout(const char *what, const char *text, double *out,
                                    struct cc_err *err)
{
    enum cc_status status = num_parse_duration(what, text, 86400.0, out, err);
    if (status == CC_OK && *out < 0.001)
        return cc_error(err, CC_EINPUT, "%s: '%s' must be at least 1ms", what, text);
    return status;
}

/* --dist (cpu's name for the same choice) or its alias --split: messages
 * name the option as it was given. */
static enum cc_status parse_split(const char *option, const char *text, enum mpi_split *out,
                                  struct cc_err *err)
{
    if (!strcmp(text, "block"))
        *out = MPI_SPLIT_BLOCK;
    else if (!strcmp(text, "cyclic"))
        *out = MPI_SPLIT_CYCLIC;
    else
        return cc_error(err, CC_EINPUT, "%s: unknown value '%s' (block, cyclic)", option, text);
    return CC_OK;
}

static const char *split_name(enum mpi_split split)
{
    return split == MPI_SPLIT_BLOCK ? "block" : "cyclic";
}

static enum cc_status parse_one(int opt, const char *arg, struct io_options *o, struct cc_err *err)
{
    uint64_t value;
    enum cc_status status = CC_OK;

    switch (opt) {
    case OPT_MODE:
        o->mode_set = true;
        return fetch_parse_mode(arg, &o->mode, err);
    case OPT_URLS: o->urls = arg; return CC_OK;
    case OPT_WORKERS:
        o->workers_set = true;
        if (!strcmp(arg, "auto")) {
            o->workers_auto = true;
            return CC_OK;
        }
        o->workers_auto = false;
        status = parse_positive("--workers", arg, MAX_WORKERS, &value, err);
        o->fetch.workers = (unsigned)value;
        return status;
    case OPT_DIST:
    case OPT_SPLIT:
        o->split_option = opt == OPT_DIST ? "--dist" : "--split";
        return parse_split(o->split_option, arg, &o->split, err);
    case OPT_TOLERANCE:
        o->tolerance_set = true;
        return cli_parse_tolerance(arg, &o->tolerance, err);
    case OPT_REPEAT: o->repeat_set = true; return parse_positive("--repeat", arg, 1000000, &o->repeat, err);
    case OPT_WARMUP: return num_parse_u64("--warmup", arg, 1000000, &o->warmup, err);
    case OPT_FORMAT: return report_parse_format(arg, REPORT_FORMATS_ALL, &o->format, err);
    case OPT_LOG: o->log_path = arg; return CC_OK;
    case OPT_RETRY:
        status = num_parse_u64("--retry", arg, 100, &value, err);
        o->fetch.retries = (unsigned)value;
        return status;
    case OPT_SAVE: o->save_dir = arg; return CC_OK;
    case OPT_CONNECT_TIMEOUT: return parse_timeout("--connect-timeout", arg, &o->fetch.connect_timeout, err);
    case OPT_TIMEOUT: return parse_timeout("--timeout", arg, &o->fetch.timeout, err);
    case OPT_MAX_SIZE:
        status = num_parse_bytes("--max-size", arg, UINT64_C(1) << 50, &o->fetch.max_size, err);
        if (status == CC_OK && o->fetch.max_size == 0)
            return cc_error(err, CC_EINPUT, "--max-size: '%s' must be at least 1 byte", arg);
        return status;
    case OPT_MAX_REDIRS:
        status = num_parse_u64("--max-redirs", arg, 1000, &value, err);
        o->fetch.max_redirs = (long)value;
        return status;
    case OPT_PROTOCOLS: o->fetch.protocols = arg; return CC_OK;
    case OPT_SHARE: o->fetch.share = true; return CC_OK;
    case OPT_CACERT: o->cacert = arg; return CC_OK;
    case OPT_CAPATH: o->capath = arg; return CC_OK;
    case 'q': o->quiet = true; return CC_OK;
    }
    return CC_EINPUT;
}

/* After getopt (cli.h's contract): the operands (none), the combinations
 * that the options alone cannot express, and the defaults that depend on
 * them. */
static enum cc_status finish_options(struct io_options *o, int noperands, char **operands,
                                     struct cc_err *err)
{
    if (noperands > 0)
        return cc_error(err, CC_EINPUT, "unexpected argument '%s'", operands[0]);
    if (!o->mode_set)
        return cc_error(err, CC_EINPUT, "--mode is required (" FETCH_MODE_CHOICES ")");
    if (!o->urls)
        return cc_error(err, CC_EINPUT, "--urls is required (a file, or - for standard input)");
    if (o->workers_auto && o->mode != FETCH_THREADS && o->mode != FETCH_MULTI)
        return cc_error(err, CC_EINPUT, "--workers auto: only for --mode threads or multi, not %s",
                        fetch_mode_name(o->mode));
    if (o->tolerance_set && !o->workers_auto)
        return cc_error(err, CC_EINPUT, "--tolerance: only with --workers auto");
    if (o->workers_auto && !o->repeat_set)
        o->repeat = 3;  /* the Welch test needs spread: two runs at least */
    if (o->mode == FETCH_SYNC && o->workers_set && o->fetch.workers != 1)
        return cc_error(err, CC_EINPUT, "--workers %u: sync mode has exactly one worker",
                        o->fetch.workers);
    if (o->fetch.share && o->mode != FETCH_THREADS)
        return cc_error(err, CC_EINPUT, "--share: only for --mode threads");
    if (o->split_option && o->mode != FETCH_MPI)
        return cc_error(err, CC_EINPUT, "%s: only for --mode mpi", o->split_option);
    if (!o->workers_set)
        o->fetch.workers = (o->mode == FETCH_THREADS || o->mode == FETCH_MULTI) ? DEFAULT_WORKERS : 1;
    o->fetch.split = o->split;
    /* mpi: --workers W makes each rank run multi with W in flight. */
    o->fetch.rank_multi = o->mode == FETCH_MPI && o->workers_set;
    return CC_OK;
}

/* Parses argv into o: CC_OK (with *help set for --help) or CC_EINPUT with
 * the reason. */
static enum cc_status parse_options(int argc, char **argv, struct io_options *o, bool *help,
                                    struct cc_err *err)
{
    int opt;

    *o = (struct io_options){.repeat = 1, .format = REPORT_CSV, .split = MPI_SPLIT_BLOCK,
                             .tolerance = AUTOTUNE_DEFAULT_TOLERANCE};
    fetch_options_default(&o->fetch);
    while ((opt = getopt_long(argc, argv, ":qh", long_options, NULL)) != -1) {
        if (opt == 'h') {
            *help = true;
            return CC_OK;
        }
        if (opt == '?' || opt == ':')
            return cli_option_error("io", opt, argv, long_options, err);
        enum cc_status status = parse_one(opt, optarg, o, err);
        if (status != CC_OK)
            return status;
    }
    return finish_options(o, argc - optind, argv + optind, err);
}

struct totals {
    size_t items, ok, errors;
    uint64_t bytes;  /* body bytes of the successful transfers */
};

/* One invocation's state; in MPI mode only rank 0 (root) prints. */
struct io_run {
    struct io_options *o;
    struct url_list list;
    struct fetch_result *results;
    FILE *log;
    char *log_temp;         /* written here, renamed to --log at the end; NULL: in place */
    bool root;
    int ranks;
    double progress_shown;  /* when progress was last drawn; 0: never */
    struct totals auto_totals; /* --workers auto: the last run's */
    unsigned auto_max_workers; /* --workers auto: what the descriptor limit allows */
    struct report *auto_report; /* --workers auto: where auto_row writes */
};

/* Progress on a terminal: "  120/160 URLs", redrawn at most 10 times a second. */
static void show_progress(void *ctx, size_t done, size_t total)
{
    struct io_run *r = ctx;
    double now = clock_now();

    if (done < total && now - r->progress_shown < 0.1)
        return;
    r->progress_shown = now;
    fprintf(stderr, "\r  %zu/%zu URLs", done, total);
    fflush(stderr);
}

static void clear_progress(struct io_run *r)
{
    if (r->progress_shown > 0) {
        fputs("\r\033[K", stderr);
        r->progress_shown = 0;
    }
}

static enum cc_status run_once(struct io_run *r, double *seconds, struct cc_err *err)
{
    struct io_options *o = r->o;
    enum cc_status status;

    status = fetch_run(o->mode, &o->fetch, r->list.entries, r->list.count, r->results, seconds, err);
    clear_progress(r);
    return status;
}

static struct totals count_results(const struct io_run *r)
{
    struct totals t = {.items = r->list.count};
    for (size_t i = 0; i < r->list.count; i++) {
        if (r->results[i].ok) {
            t.ok++;
            t.bytes += r->results[i].bytes;
        } else {
            t.errors++;
        }
    }
    return t;
}

static const struct report_column columns[] = {
    {"experiment", false}, {"variant", false}, {"workers", true}, {"run", true},
    {"seconds", true}, {"items", true}, {"bytes", true}, {"errors", true},
    {"ranks", true}, {"requests_per_s", true}, {"oversubscribed", true},
    {"chosen", true},  /* --workers auto only: the last column */
};
#define N_COLUMNS (sizeof columns / sizeof columns[0] - 1)

/* Transfers that can be in flight at once, over all ranks. */
static unsigned total_workers(const struct io_run *r)
{
    if (r->o->mode == FETCH_MPI)
        return (unsigned)r->ranks * (r->o->workers_set ? r->o->fetch.workers : 1);
    return r->o->fetch.workers;
}

/* chosen: "" outside --workers auto (the column is not there). */
static enum cc_status add_row(struct io_run *r, struct report *report, uint64_t run,
                              double seconds, const struct totals *t, const char *chosen)
{
    char workers[24], number[24], secs[32], items[24], bytes[24], errors[24], ranks[24], rate[32];
    /* Processes competing for CPUs, not waiting transfers: only ranks count
     * (concur sweep and the Amdahl fits read this column). */
    bool oversubscribed = mpi_env_local_size() > sysconf(_SC_NPROCESSORS_ONLN);

    snprintf(workers, sizeof workers, "%u", total_workers(r));
    snprintf(number, sizeof number, "%llu", (unsigned long long)run);
    snprintf(secs, sizeof secs, "%.6f", seconds);
    snprintf(items, sizeof items, "%zu", t->items);
    snprintf(bytes, sizeof bytes, "%llu", (unsigned long long)t->bytes);
    snprintf(errors, sizeof errors, "%zu", t->errors);
    snprintf(ranks, sizeof ranks, "%d", r->ranks);
    /* downloads per second; undefined (empty) when none succeeded */
    snprintf(rate, sizeof rate, t->ok && seconds > 0 ? "%.1f" : "", (double)t->ok / seconds);
    const char *const values[N_COLUMNS + 1] = {
        RUNS_EXPERIMENT_IO, fetch_mode_name(r->o->mode), workers, number, secs, items, bytes, errors, ranks, rate,
        oversubscribed ? "1" : "0", chosen,
    };
    return report_row(report, values);
}

/* The notes' line, on stderr so that stdout holds only the runs. */
static void downloaded_line(const struct io_run *r, double seconds, const struct totals *t)
{
    if (r->o->quiet)
        return;
    if (t->errors == 0)
        fprintf(stderr, "Downloaded %zu in %.3f seconds\n", t->ok, seconds);
    else
        fprintf(stderr, "Downloaded %zu of %zu in %.3f seconds (%zu failed)\n",
                t->ok, t->items, seconds, t->errors);
}

static void write_log(const struct io_run *r)
{
    FILE *log = r->log;
    fputs("url,status,bytes,seconds,attempts,error\n", log);
    for (size_t i = 0; i < r->list.count; i++) {
        const struct fetch_result *res = &r->results[i];
        report_csv_field(log, r->list.entries[i].url);
        fprintf(log, ",%ld,%llu,%.6f,%u,", res->status, (unsigned long long)res->bytes,
                res->seconds, res->attempts);
        report_csv_field(log, res->error);
        fputc('\n', log);
    }
}

/* --log is written to a temporary file beside it and renamed over it at
 * the end, so that a run that fails or is killed leaves an existing log
 * as it was. A path that exists as something other than a regular file (a
 * link, /dev/null, a pipe) is written in place instead, as a rename would
 * replace the link or the device. */
static bool log_atomic(const char *path)
{
    struct stat st;
    if (lstat(path, &st) != 0)
        return errno == ENOENT;
    return S_ISREG(st.st_mode);
}

/* The log must not be the URL list (the same file by device and inode,
 * whatever the names: a link, "-" redirected from it). */
static enum cc_status check_log_not_list(const struct io_options *o, struct cc_err *err)
{
    struct stat log, list;
    bool from_stdin = !strcmp(o->urls, "-");

    if (stat(o->log_path, &log) != 0)
        return CC_OK; /* a new file cannot be the list */
    if ((from_stdin ? fstat(STDIN_FILENO, &list) : stat(o->urls, &list)) != 0)
        return CC_OK;
    if (log.st_dev == list.st_dev && log.st_ino == list.st_ino)
        return cc_error(err, CC_EINPUT, "--log %s: is the URL list (--urls %s); it would be replaced",
                        o->log_path, o->urls);
    return CC_OK;
}

static enum cc_status log_open(struct io_run *r, struct cc_err *err)
{
    const char *path = r->o->log_path;

    if (!log_atomic(path)) {
        if (!(r->log = fopen(path, "w")))
            return cc_error(err, CC_EINPUT, "--log %s: cannot create: %m", path);
        return CC_OK;
    }
    if (asprintf(&r->log_temp, "%s.concur-%ld.tmp", path, (long)getpid()) < 0) {
        r->log_temp = NULL;
        return cc_error(err, CC_ESYS, "out of memory");
    }
    int flags = O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC;
    int fd = open(r->log_temp, flags, 0666);
    if (fd < 0 && errno == EEXIST && unlink(r->log_temp) == 0) /* left by a killed process with our pid */
        fd = open(r->log_temp, flags, 0666);
    if (fd < 0)
        return cc_error(err, CC_EINPUT, "--log %s: cannot create %s: %m", path, r->log_temp);
    cleanup_set_path(r->log_temp);
    if (!(r->log = fdopen(fd, "w"))) {
        close(fd);
        return cc_error(err, CC_ESYS, "out of memory");
    }
    return CC_OK;
}

/* The log written: on disk, then under its name. */
static enum cc_status log_commit(struct io_run *r, struct cc_err *err)
{
    bool ok = fflush(r->log) == 0 && !ferror(r->log);
    if (ok && r->log_temp)
        ok = fsync(fileno(r->log)) == 0;
    ok &= fclose(r->log) == 0;
    r->log = NULL;
    if (ok && r->log_temp)
        ok = rename(r->log_temp, r->o->log_path) == 0;
    if (!ok)
        return cc_error(err, CC_ESYS, "--log %s: cannot write: %m", r->o->log_path);
    return CC_OK;
}

/* A log not committed: an existing one stays as it was. */
static void log_discard(struct io_run *r)
{
    if (r->log)
        fclose(r->log);
    r->log = NULL;
    if (r->log_temp) {
        cleanup_set_path(NULL);
        unlink(r->log_temp);  /* ENOENT once renamed */
        free(r->log_temp);
        r->log_temp = NULL;
    }
}

static void describe_run(struct io_run *r, struct report *report)
{
    char text[64];
    report_meta(report, "urls", r->o->urls);
    snprintf(text, sizeof text, "%zu", r->list.count);
    report_meta(report, "items", text);
    if (r->o->mode == FETCH_MPI)
        report_meta(report, "split", split_name(r->o->split));
    snprintf(text, sizeof text, "%u", r->o->fetch.retries);
    report_meta(report, "retry", text);
    report_meta(report, "libcurl", fetch_library_version());
}

/* The repetitions: warm-ups unrecorded, then one row per timed run.
 * CC_EFAIL when some URL failed in a timed run. */
static enum cc_status run_all(struct io_run *r, struct cc_err *err)
{
    struct report *report = NULL;
    enum cc_status status = CC_OK;
    bool failed = false;
    double seconds;

    if (r->root) {
        report = report_open(stdout, r->o->format, columns, N_COLUMNS);
        if (!report)
            return cc_error(err, CC_ESYS, "out of memory");
        describe_run(r, report);
    }
    for (uint64_t k = 0; k < r->o->warmup && status == CC_OK; k++)
        status = run_once(r, &seconds, err);
    for (uint64_t run = 1; run <= r->o->repeat && status == CC_OK; run++) {
        status = run_once(r, &seconds, err);
        if (status != CC_OK)
            break;
        if (!r->root) /* only rank 0 holds every result */
            continue;
        struct totals t = count_results(r);
        failed |= t.errors > 0;
        if (add_row(r, report, run, seconds, &t, "") != CC_OK)
            status = cc_error(err, CC_ESYS, "cannot write the runs");
        downloaded_line(r, seconds, &t);
    }
    if (report && report_close(report) != CC_OK && status == CC_OK)
        status = cc_error(err, CC_ESYS, "cannot write the runs to standard output");
    if (status == CC_OK && r->log) {
        write_log(r);
        status = log_commit(r, err);
    }
    if (status == CC_OK && failed)
        status = cc_error(err, CC_EFAIL, "some URLs failed (see the errors column%s)",
                          r->log ? " and the log" : "; --log FILE names them");
    /* Under MPI only rank 0 knows; every rank exits with its verdict. */
    return mpi_env_agree(status);
}

/* One timed download of the list at W workers, for the search; a failed
 * URL ends it, since its time would not measure the work. */
static enum cc_status auto_run(void *ctx, unsigned workers, double *seconds, struct cc_err *err)
{
    struct io_run *r = ctx;
    r->o->fetch.workers = workers;
    enum cc_status status = run_once(r, seconds, err);
    if (status != CC_OK)
        return status;
    struct totals t = count_results(r);
    if (t.errors > 0)
        return cc_error(err, CC_EFAIL, "--workers auto: %zu of %zu URLs failed at %u workers%s",
                        t.errors, t.items, workers, r->log ? " (see the log)" : "; --log FILE names them");
    r->auto_totals = t;
    return CC_OK;
}

/* One probed run as a row (ctx: the io_run, its report in auto_report). */
static enum cc_status auto_row(void *ctx, unsigned workers, size_t run, double seconds,
                               const char *chosen, struct cc_err *err)
{
    struct io_run *r = ctx;
    r->o->fetch.workers = workers;
    if (add_row(r, r->auto_report, run, seconds, &r->auto_totals, chosen) != CC_OK)
        return cc_error(err, CC_ESYS, "cannot write the runs");
    return CC_OK;
}

/* --workers auto: the search, then every probed run as a row. */
static enum cc_status run_auto(struct io_run *r, struct cc_err *err)
{
    struct io_options *o = r->o;
    struct autotune_options ao = {
        .max_workers = r->list.count < MAX_WORKERS ? (unsigned)r->list.count : MAX_WORKERS,
        .tolerance = o->tolerance, .repeat = (unsigned)o->repeat, .warmup = (unsigned)o->warmup,
        .run = auto_run, .ctx = r,
    };
    struct autotune_result *a = NULL;
    if (r->auto_max_workers && ao.max_workers > r->auto_max_workers)
        ao.max_workers = r->auto_max_workers;
    if (ao.max_workers == 0)
        ao.max_workers = 1;
    enum cc_status status = autotune_search(&ao, &a, err);
    if (r->log && r->list.count)
        write_log(r);
    if (status != CC_OK) {
        struct cc_err ignored;
        if (r->log && r->list.count) /* the log says which URLs failed */
            log_commit(r, &ignored);
        return status;
    }
    struct report *report = report_open(stdout, o->format, columns, N_COLUMNS + 1);
    if (!report) {
        autotune_free(a);
        return cc_error(err, CC_ESYS, "out of memory");
    }
    describe_run(r, report);
    r->auto_report = report;
    status = cli_autotune_write(report, a, o->tolerance, auto_row, r, err);
    r->auto_report = NULL;
    if (report_close(report) != CC_OK && status == CC_OK)
        status = cc_error(err, CC_ESYS, "cannot write the runs to standard output");
    if (!o->quiet)
        cli_autotune_print(stderr, "io", a, o->tolerance);
    if (status == CC_OK && r->log)
        status = log_commit(r, err);
    autotune_free(a);
    return status;
}

/* Enough file descriptors for the workers (per process: per rank in MPI
 * mode), found before any transfer instead of as thousands of failed
 * connections; the soft limit is raised to the hard one when needed. For
 * --workers auto, the candidates stop where the limit does. */
static enum cc_status fit_descriptors(struct io_run *r, struct cc_err *err)
{
    struct io_options *o = r->o;
    enum fetch_mode engine = fetch_process_mode(o->mode, &o->fetch);
    size_t urls = r->list.count ? r->list.count : 1;
    unsigned workers = o->workers_auto ? MAX_WORKERS : o->fetch.workers;

    if (workers > urls) /* never more workers than URLs run */
        workers = (unsigned)urls;
    if (!o->workers_auto)
        return fetch_fit_descriptors(engine, o->save_dir != NULL, workers, NULL, err);
    enum cc_status status = fetch_fit_descriptors(engine, o->save_dir != NULL, workers,
                                                  &r->auto_max_workers, err);
    if (r->auto_max_workers > 0)
        return CC_OK; /* fewer candidates than the URLs would allow */
    return status;
}

/* --save DIR: a directory in which files can be created, found before
 * any transfer (by creating and removing one), not once per URL. */
static enum cc_status open_save_dir(struct io_options *o, struct cc_err *err)
{
    char probe[64];

    o->fetch.save_dirfd = open(o->save_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (o->fetch.save_dirfd < 0)
        return cc_error(err, CC_EINPUT, "--save %s: not a directory that can be opened: %m", o->save_dir);
    snprintf(probe, sizeof probe, ".concur-%ld-probe.part", (long)getpid());
    int fd = openat(o->fetch.save_dirfd, probe, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0 && errno != EEXIST)
        return cc_error(err, CC_EINPUT, "--save %s: cannot create files there: %m", o->save_dir);
    if (fd >= 0)
        close(fd);
    unlinkat(o->fetch.save_dirfd, probe, 0);
    return CC_OK;
}

/* Everything a run needs, checked before the first transfer; in MPI mode
 * every rank ends up with the same verdict. */
static enum cc_status prepare(struct io_run *r, struct cc_err *err)
{
    struct io_options *o = r->o;
    enum cc_status status;

    status = fetch_load_urls(o->mode, o->urls, &r->list, err);
    if (status != CC_OK)
        return status;
    status = fetch_check_options(&o->fetch, err);
    if (status == CC_OK)
        status = fit_descriptors(r, err);
    if (status == CC_OK)
        status = tls_trust_new(o->cacert, o->capath, &o->fetch.trust, err);
    if (status == CC_OK && r->root && o->log_path)
        status = check_log_not_list(o, err);
    if (status == CC_OK && (o->save_dir || (r->root && o->log_path))) {
        /* before the first temporary file: a signal removes them */
        if (o->save_dir)
            cleanup_add_hook(fetch_save_abandon);
        if (r->ranks > 1)
            cleanup_set_grace(CLEANUP_MPI_GRACE);
        status = cleanup_on_signal(err);
    }
    if (status == CC_OK && o->save_dir)
        status = open_save_dir(o, err);
    if (status == CC_OK && r->root && o->log_path)
        status = log_open(r, err);
    if (status == CC_OK && !(r->results = calloc(r->list.count, sizeof *r->results)))
        status = cc_error(err, CC_ESYS, "out of memory for %zu results", r->list.count);
    enum cc_status agreed = mpi_env_agree(status);
    if (agreed != status)
        cc_error(err, agreed, "another MPI rank failed to prepare");
    return agreed;
}

static void release(struct io_run *r)
{
    if (r->o->fetch.save_dirfd >= 0)
        close(r->o->fetch.save_dirfd);
    log_discard(r);
    free(r->results);
    urllist_free(&r->list);
    tls_trust_free(r->o->fetch.trust);
}

static enum cc_status io_main(struct io_options *o, bool *root, struct cc_err *err)
{
    struct io_run r = {.o = o, .root = true, .ranks = 1};
    enum cc_status status;

    if (o->mode == FETCH_MPI) {
        if ((status = mpi_env_init(false, err)) != CC_OK)
            return status;
        r.ranks = mpi_env_size();
        r.root = *root = mpi_env_rank() == 0;
    }
    if (r.root && !o->quiet && isatty(STDERR_FILENO)) {
        o->fetch.progress = show_progress;
        o->fetch.progress_ctx = &r;
    }
    status = prepare(&r, err);
    if (status == CC_OK)
        status = o->workers_auto ? run_auto(&r, err) : run_all(&r, err);
    release(&r);
    return status;
}

/* Rank 0 speaks before MPI_Finalize: once any rank has exited with an
 * error, mpirun may tear the job down before a later message gets out. */
static int finish(bool root, enum cc_status status, const struct cc_err *err)
{
    int rc = root ? cli_exit_status("io", status, err) : cc_exit_code(status);
    fflush(stdout);
    mpi_env_finalize();
    return rc;
}

int cmd_io(int argc, char **argv)
{
    struct io_options o;
    struct cc_err err;
    bool root = true;

    bool help = false;

    enum cc_status status = parse_options(argc, argv, &o, &help, &err);
    if (status == CC_OK && help) {
        fputs(usage, stdout);
        return 0;
    }
    if (status != CC_OK) {
        /* Under mpirun every rank parsed the same arguments: rank 0 alone
         * says what is wrong, and all exit 2. */
        if (mpi_env_launched() && mpi_env_init(false, NULL) == CC_OK)
            root = mpi_env_rank() == 0;
        return finish(root, status, &err);
    }
    /* Once, before any thread exists. */
    status = fetch_global_init(&err);
    if (status == CC_OK)
        status = io_main(&o, &root, &err);
    fetch_global_cleanup();
    return finish(root, status, &err);
}
