/* concur classify: runs a command repeatedly, measures where its time goes,
 * and says whether it is CPU-bound, I/O-bound, mixed or fast enough, with the
 * evidence and the advice that follows. The measuring and the verdict live
 * in classify.c; this file parses options and prints. */
#include <getopt.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "classify.h"
#include "cli.h"
#include "json.h"
#include "num.h"
#include "report.h"
#include "stats.h"

/* More runs only while the interval crosses a threshold, and only up to
 * this many runs in all and this much time spent running the command. */
#define MAX_RUNS 10
#define EXTRA_RUNS_BUDGET_S 20.0

static const char usage[] =
    "Usage: concur classify [options] -- COMMAND [ARGS...]\n"
    "\n"
    "Runs COMMAND (looked up in PATH) N times and says whether it is CPU-bound,\n"
    "I/O-bound (waiting), mixed, or already fast enough, with the evidence and\n"
    "the advice. Per run: wall time; user and system CPU time, context switches,\n"
    "block I/O and max RSS of the process tree (the command and the children it\n"
    "waits for); run-queue wait of every thread of the process tree (sampled\n"
    "while it runs); storage bytes of the command's own process; system-wide\n"
    "CPU and I/O pressure (PSI) during the run.\n"
    "\n"
    "Verdict (utilisation = (user + sys) / wall; demand = utilisation plus the\n"
    "run-queue wait / wall, the time it wanted a CPU; means over the runs):\n"
    "  fast-enough  mean wall below 0.1 s, whatever it does\n"
    "  cpu-bound    demand >= 0.8 (above 1: more than one core busy)\n"
    "  io-bound     utilisation <= 0.3 and it blocks (voluntary switches);\n"
    "               waiting on the disk when it moved >= 1 MiB of block I/O\n"
    "  mixed        anything between\n"
    "A verdict ends in \", contended\" (JSON: \"contended\": true) when the tree\n"
    "waited for a CPU for 10% of the wall time or more: the machine was busy.\n"
    "\n"
    "  --repeat N      runs (default 3, at most 1000); while the 95% interval of\n"
    "                  the demand crosses 0.8 (or the utilisation's 0.3), more\n"
    "                  runs follow, up to 10 in all and 20 s of running\n"
    "  --format F      table (default; text is an alias) or json\n"
    "  --show-output   keep the command's stdout and stderr (default: /dev/null);\n"
    "                  its stdin is always /dev/null\n"
    "  -h, --help      this help\n"
    "\n"
    "The command runs in a process group of its own: SIGINT and SIGTERM sent\n"
    "to concur are passed on to it, and concur exits 130 or 143 once the\n"
    "command has ended (nothing is printed).\n"
    "\n"
    "Exit status: 0 classified; 1 classified, but the command exited non-zero\n"
    "(or was killed) in some run; 2 bad usage, or the command cannot be run;\n"
    "130, 143 interrupted by SIGINT, SIGTERM.\n";

struct classify_options {
    uint64_t repeat;
    enum report_format format; /* table (the verdict as text) or json */
    bool show_output;
    char **command; /* NULL-terminated, from argv */
};

static enum cc_status parse_options(int argc, char **argv, struct classify_options *o, bool *help,
                                    struct cc_err *err)
{
    static const struct option options[] = {
        {"repeat", required_argument, NULL, 'r'},
        {"format", required_argument, NULL, 'f'},
        {"show-output", no_argument, NULL, 's'},
        {"help", no_argument, NULL, 'h'},
        {0},
    };
    enum cc_status status;
    int opt;

    *o = (struct classify_options){.repeat = 3, .format = REPORT_TABLE};
    /* '+': the first operand starts the command, whose own options must not
     * be taken for ours ("--" ends ours explicitly). */
    while ((opt = getopt_long(argc, argv, "+:h", options, NULL)) != -1) {
        switch (opt) {
        case 'r':
            status = num_parse_u64("--repeat", optarg, 1000, &o->repeat, err);
            if (status != CC_OK)
                return status;
            if (o->repeat == 0)
                return cc_error(err, CC_EINPUT, "--repeat: must be at least 1, not '%s'", optarg);
            break;
        case 'f':
            status = report_parse_format(
                optarg, REPORT_FORMAT_BIT(REPORT_TABLE) | REPORT_FORMAT_BIT(REPORT_JSON), &o->format,
                err);
            if (status != CC_OK)
                return status;
            break;
        case 's':
            o->show_output = true;
            break;
        case 'h':
            *help = true;
            return CC_OK;
        default:
            return cli_option_error("classify", opt, argv, options, err);
        }
    }
    if (optind >= argc)
        return cc_error(err, CC_EINPUT,
                        "no command given (usage: concur classify [options] -- COMMAND [ARGS...])");
    o->command = argv + optind;
    return CC_OK;
}

/* ------------------------------------------------------------------------
 * Running. */

static enum cc_status run_all(const struct classify_options *o, struct classify_run **runs_out,
                              size_t *n_out, struct classify_result *result, struct cc_err *err)
{
    size_t cap = o->repeat > MAX_RUNS ? (size_t)o->repeat : MAX_RUNS;
    struct classify_run *runs = calloc(cap, sizeof *runs);
    if (!runs)
        return cc_error(err, CC_ESYS, "out of memory");
    enum cc_status status = CC_OK;
    double spent = 0;
    size_t n = 0;
    while (n < cap) {
        status = classify_run_once(o->command, o->show_output, &runs[n], err);
        if (status != CC_OK)
            break;
        spent += runs[n].wall_s;
        n++;
        if (n < o->repeat)
            continue;
        if ((status = classify_decide(runs, n, result, err)) != CC_OK)
            break;
        if (!classify_needs_more(result) || spent >= EXTRA_RUNS_BUDGET_S)
            break;
    }
    *runs_out = runs;
    *n_out = n;
    return status;
}

/* ------------------------------------------------------------------------
 * Text. */

static const char *verdict_kind(const struct classify_result *r)
{
    switch (r->verdict) {
    case CLASSIFY_FAST:
        return "fast enough";
    case CLASSIFY_CPU:
        return r->utilisation.mean > CLASSIFY_PARALLEL ? "CPU-bound (parallel)" : "CPU-bound";
    case CLASSIFY_IO:
        return r->wait == CLASSIFY_WAIT_DISK
                   ? "I/O-bound (waiting on the disk)"
                   : "I/O-bound (waiting: network, timers or other processes)";
    case CLASSIFY_MIXED:
        break;
    }
    return "mixed";
}

/* The verdict, with ", contended" when the machine was busy: timing-based
 * figures are then less sure, and the verdict says so. */
static const char *verdict_title(char *buf, size_t size, const struct classify_result *r)
{
    snprintf(buf, size, "%s%s", verdict_kind(r), r->contended ? ", contended (the machine was busy)" : "");
    return buf;
}

/* "%.*f" of v, or "n/a" when the kernel did not offer it. */
static const char *fixed(char *buf, size_t size, int digits, double v)
{
    if (isfinite(v))
        snprintf(buf, size, "%.*f", digits, v);
    else
        snprintf(buf, size, "n/a");
    return buf;
}

static void print_command(FILE *out, char **command)
{
    for (char **a = command; *a; a++)
        fprintf(out, "%s%s", a == command ? "" : " ", *a);
}

/* How the last failing run ended: "exit status 3" or "killed by signal 9". */
static const char *failure(char *buf, size_t size, const struct classify_result *r)
{
    if (r->last_signal)
        snprintf(buf, size, "killed by signal %d", r->last_signal);
    else
        snprintf(buf, size, "exit status %d", r->last_exit_code);
    return buf;
}

static void print_text(FILE *out, const struct classify_options *o, const struct classify_result *r)
{
    char a[32], b[32], c[32], title[128];
    const struct stats_summary *u = &r->utilisation;

    fputs("command: ", out);
    print_command(out, o->command);
    fprintf(out, "\nverdict: %s\n", verdict_title(title, sizeof title, r));
    fprintf(out, "  runs                %zu\n", r->runs);
    fprintf(out, "  wall                %s s (mean)\n", fixed(a, sizeof a, 3, r->wall_s));
    fprintf(out, "  user + sys          %s + %s s (process tree)\n",
            fixed(a, sizeof a, 3, r->user_s), fixed(b, sizeof b, 3, r->sys_s));
    fprintf(out, "  CPU utilisation     %s, 95%% interval %s .. %s  ((user + sys) / wall)\n",
            fixed(a, sizeof a, 3, u->mean), fixed(b, sizeof b, 3, u->ci_low),
            fixed(c, sizeof c, 3, u->ci_high));
    fprintf(
        out,
        "  CPU demand          %s, 95%% interval %s .. %s  (utilisation + run-queue wait / wall)\n",
        fixed(a, sizeof a, 3, r->demand.mean), fixed(b, sizeof b, 3, r->demand.ci_low),
        fixed(c, sizeof c, 3, r->demand.ci_high));
    fprintf(out, "  off the CPU         %s%% of the wall time\n",
            fixed(a, sizeof a, 1, 100 * r->off_cpu_share));
    fprintf(out, "  voluntary switches  %s a run, %s per second (blocking, waiting)\n",
            fixed(a, sizeof a, 1, r->voluntary), fixed(b, sizeof b, 1, r->voluntary_per_s));
    fprintf(out, "  involuntary         %s a run (preempted)\n",
            fixed(a, sizeof a, 1, r->involuntary));
    fprintf(out, "  block I/O           %s in, %s out (512-byte blocks a run)\n",
            fixed(a, sizeof a, 0, r->block_in), fixed(b, sizeof b, 0, r->block_out));
    fprintf(out, "  max RSS             %s KiB\n", fixed(a, sizeof a, 0, r->max_rss_kib));
    fprintf(out, "  run-queue wait      %s s (every thread of the process tree, schedstat)\n",
            fixed(a, sizeof a, 3, r->runq_wait_s));
    fprintf(out, "  storage read/write  %s / %s bytes, %s read calls (the command's process)\n",
            fixed(a, sizeof a, 0, r->read_bytes), fixed(b, sizeof b, 0, r->write_bytes),
            fixed(c, sizeof c, 0, r->syscr));
    fprintf(out, "  pressure, system    cpu %s s, io %s s stalled (PSI 'some', whole machine)\n",
            fixed(a, sizeof a, 3, r->psi_cpu_s), fixed(b, sizeof b, 3, r->psi_io_s));
    fprintf(out,
            "thresholds: fast enough below %g s wall; CPU-bound at demand >= %g; "
            "I/O-bound at utilisation <= %g with voluntary switches; mixed between\n",
            CLASSIFY_FAST_WALL_S, CLASSIFY_CPU_BOUND, CLASSIFY_IO_BOUND);
    if (r->contended)
        fprintf(out,
                "note: the machine was busy: the command waited %s s a run for a CPU; "
                "that counts as wanting the CPU, not as I/O%s\n",
                fixed(a, sizeof a, 3, r->runq_wait_s),
                r->verdict == CLASSIFY_CPU ? "" : "; on an idle machine the verdict may differ");
    if (r->uncertain)
        fprintf(out,
                "note: after %zu runs the 95%% interval still crosses a threshold; "
                "the verdict follows the mean\n",
                r->runs);
    if (r->failed_runs) {
        char how[64];
        fprintf(out, "note: the command failed (%s) in %zu of %zu runs\n",
                failure(how, sizeof how, r), r->failed_runs, r->runs);
    }
    fprintf(out, "advice: %s\n", classify_advice(r));
}

/* ------------------------------------------------------------------------
 * JSON. */

static void print_json(FILE *out, const struct classify_options *o, const struct classify_result *r)
{
    fputs("{\"command\":[", out);
    for (char **a = o->command; *a; a++) {
        if (a != o->command)
            fputc(',', out);
        json_string(out, *a);
    }
    fputs("],\"verdict\":", out);
    json_string(out, classify_verdict_name(r->verdict));
    fputs(",\"waiting_on\":", out);
    const char *wait = classify_wait_name(r->wait);
    if (wait)
        json_string(out, wait);
    else
        fputs("null", out);
    fputs(",\"advice\":", out);
    json_string(out, classify_advice(r));
    fprintf(out, ",\"runs\":%zu", r->runs);
    json_key_number(out, "wall_s", r->wall_s);
    json_key_number(out, "user_s", r->user_s);
    json_key_number(out, "sys_s", r->sys_s);
    fputs(",\"cpu_utilisation\":{\"mean\":", out);
    json_number(out, r->utilisation.mean);
    json_key_number(out, "ci95_low", r->utilisation.ci_low);
    json_key_number(out, "ci95_high", r->utilisation.ci_high);
    fputc('}', out);
    fputs(",\"cpu_demand\":{\"mean\":", out);
    json_number(out, r->demand.mean);
    json_key_number(out, "ci95_low", r->demand.ci_low);
    json_key_number(out, "ci95_high", r->demand.ci_high);
    fputc('}', out);
    json_key_number(out, "off_cpu_share", r->off_cpu_share);
    json_key_number(out, "voluntary_switches", r->voluntary);
    json_key_number(out, "voluntary_switches_per_s", r->voluntary_per_s);
    json_key_number(out, "involuntary_switches", r->involuntary);
    json_key_number(out, "block_in", r->block_in);
    json_key_number(out, "block_out", r->block_out);
    json_key_number(out, "max_rss_kib", r->max_rss_kib);
    json_key_number(out, "runqueue_wait_s", r->runq_wait_s);
    json_key_number(out, "read_bytes", r->read_bytes);
    json_key_number(out, "write_bytes", r->write_bytes);
    json_key_number(out, "read_calls", r->syscr);
    json_key_number(out, "pressure_cpu_some_s", r->psi_cpu_s);
    json_key_number(out, "pressure_io_some_s", r->psi_io_s);
    fprintf(out, ",\"uncertain\":%s,\"contended\":%s", r->uncertain ? "true" : "false",
            r->contended ? "true" : "false");
    fprintf(out, ",\"failed_runs\":%zu,\"exit_status\":%d", r->failed_runs, r->last_exit_code);
    fputs(",\"thresholds\":{\"fast_wall_s\":", out);
    json_number(out, CLASSIFY_FAST_WALL_S);
    json_key_number(out, "cpu_bound", CLASSIFY_CPU_BOUND);
    json_key_number(out, "io_bound", CLASSIFY_IO_BOUND);
    json_key_number(out, "disk_bytes", CLASSIFY_DISK_BYTES);
    fputs("}}\n", out);
}

int cmd_classify(int argc, char **argv)
{
    struct classify_options o;
    struct cc_err err;
    bool help = false;
    enum cc_status status = parse_options(argc, argv, &o, &help, &err);
    int rc;
    if (cli_options_done("classify", status, help, usage, &err, &rc))
        return rc;

    stats_init();
    struct classify_run *runs = NULL;
    struct classify_result result;
    size_t n = 0;
    status = run_all(&o, &runs, &n, &result, &err);
    free(runs);
    int sig = classify_interrupted();
    if (sig) {
        /* Like a shell: 128 + the signal (130 for SIGINT, 143 for SIGTERM). */
        fprintf(stderr, "concur classify: interrupted by %s; passed on to the command's process group\n",
                sig == SIGINT ? "SIGINT" : sig == SIGTERM ? "SIGTERM" : "a signal");
        return 128 + sig;
    }
    if (status != CC_OK)
        return cli_exit_status("classify", status, &err);

    if (o.format == REPORT_JSON)
        print_json(stdout, &o, &result);
    else
        print_text(stdout, &o, &result);
    if (fflush(stdout) == EOF)
        return cli_exit_status("classify", cc_error(&err, CC_ESYS, "writing the output failed"), &err);
    if (result.failed_runs) {
        char how[64];
        fprintf(stderr, "concur classify: '%s' failed (%s) in %zu of %zu runs\n", o.command[0],
                failure(how, sizeof how, &result), result.failed_runs, result.runs);
        return 1;
    }
    return 0;
}
