/* concur predict RUNS.csv: Amdahl / Karp-Flatt predictions for more cores
 * and the I/O rounds model's time for N URLs at W workers (predict.h), as
 * Markdown, a runs-like CSV or JSON, with an optional gnuplot PNG. All
 * input is read and checked before anything is printed. */
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "json.h"
#include "num.h"
#include "predict.h"
#include "report.h"
#include "runs.h"
#include "scaling.h"

static const char usage[] =
    "Usage: concur predict [options] RUNS.csv [RUNS.csv...]\n"
    "\n"
    "From a worker sweep measured on one machine, predicts with 95% intervals:\n"
    "  cpu (every experiment but io): speedup and time on P cores from the\n"
    "      Amdahl fit (the serial fraction's interval carried through), and\n"
    "      the speedup with the Karp-Flatt metric of the largest measured count;\n"
    "  io (with --urls and --workers): the time for N URLs at W workers from\n"
    "      seconds = latency * ceil(N/W) + cost * N/W + setup * W, fitted to the\n"
    "      sync and each parallel variant's runs (needs the items column); a\n"
    "      term the runs cannot determine is left out, and said so.\n"
    "\n"
    "  --cores P[,P...]        core counts for cpu (default 4,8,16,32,64)\n"
    "  --urls N[,N...]         io: list sizes to predict\n"
    "  --workers W[,W...]      io: worker counts to predict\n"
    "  --format F              table (default; a Markdown table, md is an\n"
    "                          alias), csv or json; csv is runs-like:\n"
    "                          experiment,variant,workers,run,seconds,predicted_seconds,\n"
    "                          low,high,speedup,speedup_low,speedup_high,items,model\n"
    "                          (seconds = predicted_seconds, run = 1)\n"
    "  --plot FILE.png         measured points (95% CI) and the predicted curve\n"
    "                          with its band (gnuplot): io when --urls is given,\n"
    "                          else the cpu speedup\n"
    "  -h, --help              this help\n"
    "\n"
    "Exit status: 0 predicted, 1 the plot failed (gnuplot missing or failing),\n"
    "2 bad usage or input (FILE:LINE for bad CSV). With --plot, the table is\n"
    "printed only once the plot is drawn.\n";

#define MAX_LIST 64
#define MAX_COUNT UINT64_C(1000000000)


struct list {
    uint64_t v[MAX_LIST];
    size_t n;
};

struct options {
    enum report_format format;
    struct list cores, urls, workers;
    const char *plot;
    char **files;
    int nfiles;
};

/* A,B,C: each a whole number from 1 to MAX_COUNT. */
static enum cc_status parse_list(const char *what, const char *text, struct list *out,
                                 struct cc_err *err)
{
    return num_parse_list(what, text, MAX_COUNT, out->v, MAX_LIST, &out->n, err);
}

static enum cc_status parse_options(int argc, char **argv, struct options *o, bool *help,
                                    struct cc_err *err)
{
    static const struct option options[] = {
        {"cores", required_argument, NULL, 'c'},
        {"urls", required_argument, NULL, 'u'},
        {"workers", required_argument, NULL, 'w'},
        {"format", required_argument, NULL, 'f'},
        {"plot", required_argument, NULL, 'p'},
        {"help", no_argument, NULL, 'h'},
        {0},
    };
    static const uint64_t default_cores[] = {4, 8, 16, 32, 64};
    enum cc_status status = CC_OK;
    int opt;

    *o = (struct options){.format = REPORT_TABLE};
    memcpy(o->cores.v, default_cores, sizeof default_cores);
    o->cores.n = sizeof default_cores / sizeof default_cores[0];
    while (status == CC_OK && (opt = getopt_long(argc, argv, ":h", options, NULL)) != -1) {
        switch (opt) {
        case 'c': status = parse_list("--cores", optarg, &o->cores, err); break;
        case 'u': status = parse_list("--urls", optarg, &o->urls, err); break;
        case 'w': status = parse_list("--workers", optarg, &o->workers, err); break;
        case 'f': status = report_parse_format(optarg, REPORT_FORMATS_ALL, &o->format, err); break;
        case 'p':
            o->plot = optarg;
            status = cli_check_output_file("--plot", optarg, err);
            break;
        case 'h': *help = true; return CC_OK;
        default: return cli_option_error("predict", opt, argv, options, err);
        }
    }
    if (status != CC_OK)
        return status;
    if (optind == argc)
        return cc_error(err, CC_EINPUT, "no runs CSV given (see 'concur predict --help')");
    if ((o->urls.n > 0) != (o->workers.n > 0))
        return cc_error(err, CC_EINPUT, "--urls and --workers go together (the io prediction needs both)");
    o->files = argv + optind;
    o->nfiles = argc - optind;
    /* The io model reads the files a second time, grouped by items. */
    for (int i = 0; i < o->nfiles && o->urls.n; i++)
        if (!strcmp(o->files[i], "-"))
            return cc_error(err, CC_EINPUT, "--urls: the runs must come from files, not '-' (they are read twice)");
    return CC_OK;
}

/* Everything predicted, with the models behind it, for the writers. */
struct prediction {
    struct runs *runs;          /* plain grouping */
    struct runs *io_runs;       /* grouped by items, for the io model */
    struct scaling *scaling;
    struct predict_point *points;
    size_t npoints;
    struct predict_io_model *models;
    size_t nmodels;
};

static void prediction_free(struct prediction *p)
{
    free(p->points);
    free(p->models);
    scaling_free(p->scaling);
    runs_free(p->runs);
    runs_free(p->io_runs);
}

/* The scaling table of the non-io sweeps' predictions: scaling.h fits every
 * sweep; io sweeps are left out here (their model is the rounds model). */
static enum cc_status cpu_points(const struct options *o, struct prediction *p, struct cc_err *err)
{
    struct scaling_options so = {.predict = o->cores.v, .npredict = o->cores.n};
    enum cc_status status = scaling_build(p->runs, &so, &p->scaling, err);
    if (status != CC_OK)
        return status;
    size_t room = p->scaling->nfits * o->cores.n + o->urls.n * o->workers.n * p->runs->nsweeps + 1;
    if (!(p->points = calloc(room, sizeof *p->points)))
        return cc_error(err, CC_ESYS, "out of memory");
    size_t n = predict_cpu(p->scaling, p->points);
    for (size_t i = 0; i < n; i++)  /* keep the non-io ones */
        if (strcmp(p->points[i].experiment, RUNS_EXPERIMENT_IO))
            p->points[p->npoints++] = p->points[i];
    return CC_OK;
}

static enum cc_status io_points(const struct options *o, struct prediction *p, struct cc_err *err)
{
    if (o->urls.n == 0)
        return CC_OK;
    enum cc_status status = runs_load("items", o->files, (size_t)o->nfiles, &p->io_runs, err);
    if (status == CC_EINPUT) {
        char why[sizeof err->msg];
        memcpy(why, err->msg, sizeof why);
        return cc_error(err, status, "--urls: the io model needs the runs of `concur io` (%s)", why);
    }
    if (status != CC_OK)
        return status;
    struct runs *r = p->io_runs;
    if (!(p->models = calloc(r->ngroups + 1, sizeof *p->models)))
        return cc_error(err, CC_ESYS, "out of memory");
    for (size_t i = 0; i < r->ngroups; i++) {
        const struct runs_group *g = &r->groups[i];
        bool seen = false;
        for (size_t m = 0; m < p->nmodels; m++)
            seen |= !strcmp(p->models[m].variant, g->variant);
        if (strcmp(g->experiment, RUNS_EXPERIMENT_IO) || !strcmp(g->variant, RUNS_VARIANT_SYNC) || seen)
            continue;
        if ((status = predict_io_fit(r, g->variant, &p->models[p->nmodels], err)) != CC_OK)
            return status;
        p->nmodels++;
    }
    if (p->nmodels == 0)
        return cc_error(err, CC_EINPUT, "--urls: no io runs of a parallel variant (threads, multi, mpi) to fit");
    for (size_t m = 0; m < p->nmodels; m++)
        for (size_t u = 0; u < o->urls.n; u++)
            for (size_t w = 0; w < o->workers.n; w++) {
                struct predict_point *pt = &p->points[p->npoints++];
                *pt = (struct predict_point){
                    .experiment = RUNS_EXPERIMENT_IO, .variant = p->models[m].variant,
                    .workers = o->workers.v[w], .items = o->urls.v[u],
                    .speedup = NAN, .speedup_low = NAN, .speedup_high = NAN,
                    .karp_flatt_speedup = NAN,
                };
                predict_io_time(&p->models[m], pt->items, pt->workers, &pt->seconds, &pt->low, &pt->high);
            }
    return CC_OK;
}

static enum cc_status predict_all(const struct options *o, struct prediction *p, struct cc_err *err)
{
    enum cc_status status = runs_load(NULL, o->files, (size_t)o->nfiles, &p->runs, err);
    if (status == CC_OK)
        status = cpu_points(o, p, err);
    if (status == CC_OK)
        status = io_points(o, p, err);
    if (status == CC_OK && p->npoints == 0)
        return cc_error(err, CC_EINPUT, "nothing to predict: no sweep with a baseline and more than one "
                        "worker count%s", o->urls.n ? "" : " (for io, give --urls and --workers)");
    return status;
}

/* ---- writers ---------------------------------------------------------- */

/* One io model: its fitted terms with their standard errors, and what
 * the runs could not determine. */
static void write_md_io_model(FILE *out, const struct predict_io_model *m)
{
    static const char *const names[IO_TERMS] = {"latency", "cost per request", "setup per worker"};
    char a[32], b[32];
    const char *sep = " ";

    fprintf(out, "- io %s:", m->variant);
    for (int t = 0; t < IO_TERMS; t++) {
        if (!m->used[t])
            continue;
        const char *name = t == IO_LATENCY && !m->used[IO_COST] ? "latency + cost per round" : names[t];
        fprintf(out, "%s%s %s s (se %s)", sep, name, cli_md_number(a, sizeof a, 4, m->coef[t]),
                cli_md_number(b, sizeof b, 2, m->se[t]));
        sep = ", ";
    }
    fprintf(out, ", from %zu runs", m->runs);
    if (!m->used[IO_COST])
        fputs("; these runs cannot tell latency from cost", out);
    if (!m->used[IO_SETUP])
        fputs("; no setup term (too few worker counts, or lost in the noise)", out);
    fputc('\n', out);
}

static void write_md(FILE *out, const struct options *o, const struct prediction *p)
{
    char a[32], b[32], c[32], d[32], e[32], f[32], g[32];
    bool cpu = false;
    for (size_t i = 0; i < p->npoints; i++)
        cpu |= p->points[i].items == 0;
    if (cpu) {
        fprintf(out, "Amdahl fit per sweep (serial fraction f, 95%% CI):\n\n");
        for (size_t i = 0; i < p->scaling->nfits; i++) {
            const struct scaling_fit *fit = &p->scaling->fits[i];
            if (!strcmp(fit->sweep->experiment, RUNS_EXPERIMENT_IO))
                continue;
            fprintf(out, "- %s %s: f = %s", fit->sweep->experiment, fit->sweep->variant,
                    cli_md_number(a, sizeof a, 4, fit->amdahl.f));
            if (fit->amdahl.low == 0 && fit->amdahl.high > 0)  /* [0, 1] holds f */
                fprintf(out, ", f <= %s", cli_md_number(b, sizeof b, 4, fit->amdahl.high));
            else
                fprintf(out, " [%s, %s]", cli_md_number(b, sizeof b, 4, fit->amdahl.low),
                        cli_md_number(c, sizeof c, 4, fit->amdahl.high));
            fprintf(out, " from %zu worker counts", fit->amdahl.points);
            if (fit->amdahl.clamped)
                fprintf(out, " (least squares gave %s, clamped to [0, 1])",
                        cli_md_number(d, sizeof d, 4, fit->amdahl.f_fit));
            if (fit->oversubscribed)
                fprintf(out, "; %zu oversubscribed group%s left out", fit->oversubscribed,
                        fit->oversubscribed == 1 ? "" : "s");
            fputc('\n', out);
        }
        fprintf(out, "\n| experiment | variant | cores | speedup | 95%% CI | seconds | 95%% CI | Karp-Flatt speedup |\n"
                     "|---|---|---:|---:|---|---:|---|---:|\n");
        for (size_t i = 0; i < p->npoints; i++) {
            const struct predict_point *pt = &p->points[i];
            if (pt->items)
                continue;
            cli_md_key(out, pt->experiment, pt->variant, NULL);
            fprintf(out, " %" PRIu64 " | %s | [%s, %s] | %s | [%s, %s] | %s |\n", pt->workers,
                    cli_md_number(a, sizeof a, 4, pt->speedup), cli_md_number(b, sizeof b, 4, pt->speedup_low),
                    cli_md_number(c, sizeof c, 4, pt->speedup_high), cli_md_number(d, sizeof d, 4, pt->seconds),
                    cli_md_number(e, sizeof e, 4, pt->low), cli_md_number(f, sizeof f, 4, pt->high),
                    cli_md_number(g, sizeof g, 4, pt->karp_flatt_speedup));
        }
    }
    if (p->nmodels == 0)
        return;
    fprintf(out, "%sI/O model seconds = latency x ceil(N/W) + cost x N/W + setup x W "
                 "(least squares, 95%% CI):\n\n", cpu ? "\n" : "");
    for (size_t m = 0; m < p->nmodels; m++)
        write_md_io_model(out, &p->models[m]);
    fprintf(out, "\n| experiment | variant | urls | workers | seconds | 95%% CI |\n|---|---|---:|---:|---:|---|\n");
    for (size_t i = 0; i < p->npoints; i++) {
        const struct predict_point *pt = &p->points[i];
        if (!pt->items)
            continue;
        cli_md_key(out, pt->experiment, pt->variant, NULL);
        fprintf(out, " %" PRIu64 " | %" PRIu64 " | %s |", pt->items, pt->workers,
                cli_md_number(a, sizeof a, 4, pt->seconds));
        if (isnan(pt->low) && isfinite(pt->high))  /* no lower bound above 0 */
            fprintf(out, " <= %s |\n", cli_md_number(c, sizeof c, 4, pt->high));
        else
            fprintf(out, " [%s, %s] |\n", cli_md_number(b, sizeof b, 4, pt->low),
                    cli_md_number(c, sizeof c, 4, pt->high));
    }
    (void)o;
}

static void write_csv(FILE *out, const struct prediction *p)
{
    fputs("experiment,variant,workers,run,seconds,predicted_seconds,low,high,speedup,speedup_low,"
          "speedup_high,items,model\n", out);
    for (size_t i = 0; i < p->npoints; i++) {
        const struct predict_point *pt = &p->points[i];
        report_csv_field(out, pt->experiment);
        fputc(',', out);
        report_csv_field(out, pt->variant);
        fprintf(out, ",%" PRIu64 ",1,", pt->workers);
        const double v[] = {pt->seconds, pt->seconds, pt->low, pt->high, pt->speedup,
                            pt->speedup_low, pt->speedup_high};
        for (size_t k = 0; k < sizeof v / sizeof v[0]; k++) {
            cli_csv_number(out, v[k]);
            fputc(',', out);
        }
        if (pt->items)
            fprintf(out, "%" PRIu64 ",io-rounds\n", pt->items);
        else
            fputs(",amdahl\n", out);
    }
}

static void write_json(FILE *out, const struct prediction *p)
{
    fputs("{\"models\": [", out);
    size_t k = 0;
    for (size_t i = 0; p->scaling && i < p->scaling->nfits; i++) {
        const struct scaling_fit *fit = &p->scaling->fits[i];
        if (!strcmp(fit->sweep->experiment, RUNS_EXPERIMENT_IO))
            continue;
        fputs(k++ ? ",\n  {\"model\": \"amdahl\", \"experiment\": " : "\n  {\"model\": \"amdahl\", \"experiment\": ", out);
        json_string(out, fit->sweep->experiment);
        fputs(", \"variant\": ", out);
        json_string(out, fit->sweep->variant);
        json_key_number(out, "f", fit->amdahl.f);
        json_key_number(out, "f_ci95_low", fit->amdahl.low);
        json_key_number(out, "f_ci95_high", fit->amdahl.high);
        json_key_number(out, "f_fit", fit->amdahl.f_fit);
        fprintf(out, ", \"f_clamped\": %s, \"oversubscribed_left_out\": %zu}",
                fit->amdahl.clamped ? "true" : "false", fit->oversubscribed);
    }
    for (size_t m = 0; m < p->nmodels; m++) {
        fputs(k++ ? ",\n  {\"model\": \"io-rounds\", \"experiment\": \"io\", \"variant\": "
                  : "\n  {\"model\": \"io-rounds\", \"experiment\": \"io\", \"variant\": ", out);
        json_string(out, p->models[m].variant);
        const struct predict_io_model *model = &p->models[m];
        json_key_number(out, "latency", model->coef[IO_LATENCY]);
        json_key_number(out, "latency_se", model->se[IO_LATENCY]);
        json_key_number(out, "cost", model->coef[IO_COST]);
        json_key_number(out, "cost_se", model->se[IO_COST]);
        json_key_number(out, "setup", model->coef[IO_SETUP]);
        json_key_number(out, "setup_se", model->se[IO_SETUP]);
        fprintf(out, ", \"reduced\": %s, \"setup_fitted\": %s", model->used[IO_COST] ? "false" : "true",
                model->used[IO_SETUP] ? "true" : "false");
        fputc('}', out);
    }
    fputs("],\n \"predictions\": [", out);
    for (size_t i = 0; i < p->npoints; i++) {
        const struct predict_point *pt = &p->points[i];
        fputs(i ? ",\n  {\"experiment\": " : "\n  {\"experiment\": ", out);
        json_string(out, pt->experiment);
        fputs(", \"variant\": ", out);
        json_string(out, pt->variant);
        fprintf(out, ", \"workers\": %" PRIu64, pt->workers);
        json_key_number(out, "items", pt->items ? (double)pt->items : NAN);
        json_key_number(out, "predicted_seconds", pt->seconds);
        json_key_number(out, "low", pt->low);
        json_key_number(out, "high", pt->high);
        json_key_number(out, "speedup", pt->speedup);
        json_key_number(out, "speedup_low", pt->speedup_low);
        json_key_number(out, "speedup_high", pt->speedup_high);
        json_key_number(out, "karp_flatt_speedup", pt->karp_flatt_speedup);
        fputc('}', out);
    }
    fputs("]}\n", out);
}

/* ---- the plot ---------------------------------------------------------- */

/* Points of a curve: every count up to 1024 (the io model is a staircase),
 * geometric steps beyond. */
static uint64_t next_count(uint64_t w)
{
    return w < 1024 ? w + 1 : w + w / 32;
}

static uint64_t largest(const struct list *l, uint64_t at_least)
{
    for (size_t i = 0; i < l->n; i++)
        if (l->v[i] > at_least)
            at_least = l->v[i];
    return at_least;
}

static double or_point(double bound, double point)
{
    return isnan(bound) ? point : bound;
}

/* Speedup against cores for the first cpu sweep: measured points with their
 * Fieller intervals, Amdahl's curve with the band of f's interval. */
static bool cpu_plot_data(FILE *f, const struct options *o, const struct prediction *p)
{
    const struct scaling_fit *fit = NULL;
    for (size_t i = 0; p->scaling && i < p->scaling->nfits && !fit; i++)
        if (strcmp(p->scaling->fits[i].sweep->experiment, RUNS_EXPERIMENT_IO))
            fit = &p->scaling->fits[i];
    if (!fit)
        return false;
    double base = (double)fit->baseline->group->workers;
    uint64_t most = largest(&o->cores, 1);
    fputs("$measured << EOD\n", f);
    for (size_t i = 0; i < p->scaling->nrows; i++) {
        const struct scaling_row *row = &p->scaling->rows[i];
        if (row->group->sweep != fit->sweep->sweep)
            continue;
        double s = row->speedup.ratio;
        fprintf(f, "%.9g %.9g %.9g %.9g\n", (double)row->group->workers / base, s,
                or_point(row->speedup.low, s), or_point(row->speedup.high, s));
        if (row->group->workers > most)
            most = row->group->workers;
    }
    fputs("EOD\n$curve << EOD\n", f);
    for (uint64_t w = 1; w <= most; w = next_count(w)) {
        double pw = (double)w / base;
        double s = stats_amdahl_speedup(fit->amdahl.f, pw);
        double lo = isnan(fit->amdahl.high) ? s : stats_amdahl_speedup(fit->amdahl.high < 0 ? 0 : fit->amdahl.high > 1 ? 1 : fit->amdahl.high, pw);
        double hi = isnan(fit->amdahl.low) ? s : stats_amdahl_speedup(fit->amdahl.low < 0 ? 0 : fit->amdahl.low > 1 ? 1 : fit->amdahl.low, pw);
        fprintf(f, "%.9g %.9g %.9g %.9g\n", pw, s, lo, hi);
    }
    fputs("EOD\n", f);
    /* Names stay out of gnuplot code: they could hold quotes. */
    fprintf(f, "set title 'speedup against cores: Amdahl f = %.4g (95%% band)'\n"
               "set ylabel 'speedup'\nset xlabel 'cores (relative to the baseline)'\n",
            fit->amdahl.f);
    fputs("plot x with lines dt 2 lc rgb '#888888' title 'ideal', "
          "$curve using 1:3:4 with filledcurves fs transparent solid 0.25 lc rgb '#1f77b4' title 'predicted 95%', "
          "$curve using 1:2 with lines lw 2 lc rgb '#1f77b4' title 'Amdahl', "
          "$measured using 1:2:3:4 with yerrorbars pt 7 lc rgb '#d62728' title 'measured (95% CI)'\n", f);
    return true;
}

/* Time against workers for the first io variant at the first --urls N. */
static bool io_plot_data(FILE *f, const struct options *o, const struct prediction *p)
{
    if (p->nmodels == 0)
        return false;
    const struct predict_io_model *m = &p->models[0];
    uint64_t n = o->urls.v[0], most = largest(&o->workers, 1);
    fputs("$measured << EOD\n", f);
    for (size_t i = 0; i < p->io_runs->ngroups; i++) {
        const struct runs_group *g = &p->io_runs->groups[i];
        uint64_t items;
        struct stats_summary s;
        struct cc_err ignored;
        if (strcmp(g->experiment, RUNS_EXPERIMENT_IO) || (strcmp(g->variant, m->variant) && strcmp(g->variant, RUNS_VARIANT_SYNC))
            || num_parse_u64(NULL, g->by, UINT64_MAX, &items, &ignored) != CC_OK || items != n
            || stats_summarize(g->seconds, g->n, &s, &ignored) != CC_OK)
            continue;
        fprintf(f, "%" PRIu64 " %.9g %.9g %.9g\n", g->workers, s.mean, or_point(s.ci_low, s.mean),
                or_point(s.ci_high, s.mean));
        if (g->workers > most)
            most = g->workers;
    }
    fputs("EOD\n$curve << EOD\n", f);
    for (uint64_t w = 1; w <= most; w = next_count(w)) {
        double t, lo, hi;
        predict_io_time(m, n, w, &t, &lo, &hi);
        fprintf(f, "%" PRIu64 " %.9g %.9g %.9g\n", w, t, lo, hi);
    }
    fputs("EOD\n", f);
    fprintf(f, "set title 'io: %" PRIu64 " URLs, %.3g s per round, %.3g s per request, %.3g s per worker'\n",
            n, m->coef[IO_LATENCY], m->coef[IO_COST], m->coef[IO_SETUP]);
    fputs("set ylabel 'seconds'\nset xlabel 'workers'\nset logscale y\n", f);
    fputs("plot $curve using 1:3:4 with filledcurves fs transparent solid 0.25 lc rgb '#1f77b4' title 'predicted 95%', "
          "$curve using 1:2 with lines lw 2 lc rgb '#1f77b4' title 'rounds model', "
          "$measured using 1:2:3:4 with yerrorbars pt 7 lc rgb '#d62728' title 'measured (95% CI)'\n", f);
    return true;
}

/* Writes a gnuplot script (data inline) and runs `gnuplot -c SCRIPT FILE`:
 * the output path arrives as ARG1, never spliced into gnuplot code. */
static enum cc_status predict_plot(const struct options *o, const struct prediction *p,
                                   struct cc_err *err)
{
    char script[] = "/tmp/concur-predict-XXXXXX";
    int fd = mkstemp(script);
    if (fd < 0)
        return cc_error(err, CC_ESYS, "--plot: cannot create a temporary script: %m");
    FILE *f = fdopen(fd, "w");
    if (!f) {
        close(fd);
        unlink(script);
        return cc_error(err, CC_ESYS, "--plot: %m");
    }
    fputs("set terminal pngcairo size 900,600 enhanced font 'Sans,11'\nset output ARG1\n"
          "set key top left box opaque\nset grid\nset logscale x 2\n", f);
    bool any = o->urls.n ? io_plot_data(f, o, p) : cpu_plot_data(f, o, p);
    bool written = fclose(f) == 0;
    enum cc_status status = CC_OK;
    if (!any)
        status = cc_error(err, CC_EINPUT, "--plot: no %s prediction to draw", o->urls.n ? RUNS_EXPERIMENT_IO : "cpu");
    else if (!written)
        status = cc_error(err, CC_ESYS, "--plot: cannot write the script");
    if (status == CC_OK) {
        pid_t pid = fork();
        if (pid == 0) {
            execlp("gnuplot", "gnuplot", "-c", script, o->plot, (char *)NULL);
            _exit(127);
        }
        int ws = 0;
        if (pid < 0 || waitpid(pid, &ws, 0) < 0)
            status = cc_error(err, CC_ESYS, "--plot: cannot run gnuplot: %m");
        else if (!WIFEXITED(ws) || WEXITSTATUS(ws) != 0)
            status = cc_error(err, CC_ESYS, "--plot %s: gnuplot failed%s", o->plot,
                              WIFEXITED(ws) && WEXITSTATUS(ws) == 127 ? " (is gnuplot installed?)" : "");
    }
    unlink(script);
    return status;
}

int cmd_predict(int argc, char **argv)
{
    struct options o;
    struct cc_err err;
    struct prediction p = {0};

    bool help = false;

    enum cc_status status = parse_options(argc, argv, &o, &help, &err);
    int rc;
    if (cli_options_done("predict", status, help, usage, &err, &rc))
        return rc;
    stats_init();
    status = predict_all(&o, &p, &err);
    /* The plot before the table: when it fails, nothing is on stdout. */
    if (status == CC_OK && o.plot)
        status = predict_plot(&o, &p, &err);
    if (status == CC_OK) {
        if (o.format == REPORT_TABLE)
            write_md(stdout, &o, &p);
        else if (o.format == REPORT_CSV)
            write_csv(stdout, &p);
        else
            write_json(stdout, &p);
        if (fflush(stdout) != 0 || ferror(stdout))
            status = cc_error(&err, CC_ESYS, "cannot write the prediction to standard output");
    }
    prediction_free(&p);
    return cli_exit_status("predict", status, &err);
}
