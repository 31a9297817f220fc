/* concur predict RUNS.csv: Amdahl / Karp-Flatt predictions for more cores
 * and the I/O rounds model's time for N URLs at W workers. The command-line
 * layer: options, reading the runs (once; "-" is standard input), then
 * predict.h predicts, plot.h draws the optional PNG, and this file writes
 * Markdown, a runs-like CSV or JSON. All input is read and checked before
 * anything is printed. */
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "json.h"
#include "num.h"
#include "plot.h"
#include "predict.h"
#include "report.h"
#include "runs.h"
#include "scaling.h"

static const char usage[] =
    "Usage: concur predict [options] RUNS.csv [RUNS.csv...]\n"
    "\n"
    "From a worker sweep measured on one machine (runs CSV as for stats; '-'\n"
    "reads standard input), predicts with 95% intervals:\n"
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
    return CC_OK;
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

static void write_md(FILE *out, const struct predict_result *p)
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
}

static void write_csv(FILE *out, const struct predict_result *p)
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

static void write_json(FILE *out, const struct predict_result *p)
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

int cmd_predict(int argc, char **argv)
{
    struct options o;
    struct cc_err err;
    struct runs *runs = NULL;
    struct predict_result p = {0};

    bool help = false;

    enum cc_status status = parse_options(argc, argv, &o, &help, &err);
    int rc;
    if (cli_options_done("predict", status, help, usage, &err, &rc))
        return rc;
    stats_init();
    status = runs_load_kept(NULL, o.files, (size_t)o.nfiles, &runs, &err);
    if (status == CC_OK) {
        const struct predict_request req = {
            .cores = o.cores.v, .ncores = o.cores.n, .urls = o.urls.v, .nurls = o.urls.n,
            .workers = o.workers.v, .nworkers = o.workers.n,
        };
        status = predict_build(runs, &req, &p, &err);
    }
    /* The plot before the table: when it fails, nothing is on stdout. */
    if (status == CC_OK && o.plot)
        status = plot_prediction(&p, o.plot, &err);
    if (status == CC_OK) {
        if (o.format == REPORT_TABLE)
            write_md(stdout, &p);
        else if (o.format == REPORT_CSV)
            write_csv(stdout, &p);
        else
            write_json(stdout, &p);
        if (fflush(stdout) != 0 || ferror(stdout))
            status = cc_error(&err, CC_ESYS, "cannot write the prediction to standard output");
    }
    predict_free(&p);
    runs_free(runs);
    return cli_exit_status("predict", status, &err);
}
