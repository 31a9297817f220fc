/* concur stats FILE.csv [FILE.csv...]: the group table of runs CSV, with
 * intervals, speedups and Amdahl fits, as Markdown, CSV or JSON. All input
 * is read and checked before anything is printed, so bad input leaves
 * stdout empty. */
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "json.h"
#include "num.h"
#include "report.h"
#include "runs.h"
#include "stats.h"
#include "scaling.h"

static const char usage[] =
    "Usage: concur stats [options] FILE.csv [FILE.csv...]\n"
    "\n"
    "Reads runs CSV (columns experiment, variant, workers, run, seconds in any\n"
    "order, others ignored; '-' reads standard input), pools the runs of all\n"
    "files by experiment, variant and workers, and prints per group: n, mean,\n"
    "sd, median, min, max, cv, the 95% CI of the mean (Student t), Tukey\n"
    "outliers (flagged and kept), the speedup against the baseline with its\n"
    "95% Fieller interval, efficiency and Karp-Flatt; per worker sweep, the\n"
    "serial fraction of Amdahl's law (least squares) with its 95% interval.\n"
    "Runs with ok=0 are left out of the statistics and counted as failed;\n"
    "groups marked oversubscribed=1 are shown but left out of the Amdahl fits.\n"
    "\n"
    "  --baseline VARIANT[:WORKERS]  the baseline of each experiment (default:\n"
    "                          its serial or sync group with the fewest workers;\n"
    "                          without one, each sweep's baseline_workers group,\n"
    "                          else its group with the fewest workers)\n"
    "  --by COLUMN             also group by this column (e.g. decomposition)\n"
    "  --drop-outliers         leave Tukey outliers out of the statistics\n"
    "  --predict P[,P...]      Amdahl's predicted speedup at these worker counts\n"
    "  --format F              table (default; a Markdown table, md is an\n"
    "                          alias), csv or json\n"
    "  -h, --help              this help\n"
    "\n"
    "Exit status: 0 done, 1 no successful run at all (every run has ok=0),\n"
    "2 bad usage or input (FILE:LINE for bad CSV).\n";


struct options {
    enum report_format format;
    struct scaling_options scaling;
    const char *by;
    char *baseline;               /* owned copy of VARIANT */
    uint64_t predict[64];
};

#define MAX_WORKERS UINT64_C(1000000000)

/* VARIANT or VARIANT:WORKERS; the last ':' separates, so a variant name may
 * itself hold one when WORKERS is given. */
static enum cc_status parse_baseline(const char *text, struct options *o, struct cc_err *err)
{
    const char *colon = strrchr(text, ':');
    size_t len = colon ? (size_t)(colon - text) : strlen(text);
    if (len == 0)
        return cc_error(err, CC_EINPUT, "--baseline: '%s' names no variant", text);
    free(o->baseline);
    if (!(o->baseline = strndup(text, len)))
        return cc_error(err, CC_ESYS, "out of memory");
    o->scaling.baseline = o->baseline;
    o->scaling.baseline_workers = 0;
    if (colon) {
        enum cc_status status = num_parse_u64("--baseline workers", colon + 1, MAX_WORKERS,
                                              &o->scaling.baseline_workers, err);
        if (status != CC_OK)
            return status;
        if (o->scaling.baseline_workers == 0)
            return cc_error(err, CC_EINPUT, "--baseline: workers '%s' must be at least 1", colon + 1);
    }
    return CC_OK;
}

/* P[,P...], each a whole number >= 1. */
static enum cc_status parse_predict(const char *text, struct options *o, struct cc_err *err)
{
    size_t n;
    enum cc_status status = num_parse_list("--predict", text, MAX_WORKERS, o->predict,
                                           sizeof o->predict / sizeof o->predict[0], &n, err);
    if (status != CC_OK)
        return status;
    o->scaling.predict = o->predict;
    o->scaling.npredict = n;
    return CC_OK;
}

/* ------------------------------------------------------------------------
 * Markdown. */

#define MD_DIGITS 4      /* significant digits of ratios in the tables */
#define MD_TIME_DIGITS 6 /* of times: runs often differ in the 4th digit */

static void md_interval(FILE *out, double low, double high, int digits)
{
    char a[32], b[32];
    if (!isfinite(low) || !isfinite(high))
        fputs(" - |", out);
    else
        fprintf(out, " [%s, %s] |", cli_md_number(a, sizeof a, digits, low),
                cli_md_number(b, sizeof b, digits, high));
}

static void md_cell(FILE *out, double v, int digits)
{
    char buf[32];
    fprintf(out, " %s |", cli_md_number(buf, sizeof buf, digits, v));
}

/* The --by column's heading, when there is one. */
static void md_by_header(FILE *out, const struct runs *r)
{
    if (r->by_column)
        fprintf(out, " %s |", r->by_column);
}

/* Each baseline once, in table order; one chosen per sweep (no serial or
 * sync group) is named with the rule that chose it. */
static void md_baselines(FILE *out, const struct scaling *s)
{
    fputs("Baselines:", out);
    for (size_t i = 0; i < s->nrows; i++) {
        const struct scaling_row *b = s->rows[i].baseline;
        bool seen = false;
        for (size_t j = 0; j < i && !seen; j++)
            seen = s->rows[j].baseline == b;
        if (!b || seen)
            continue;
        bool per_sweep = !strcmp(s->rows[i].baseline_rule, "baseline_workers")
            || !strcmp(s->rows[i].baseline_rule, "fewest workers");
        fprintf(out, " %s%s%s: %s with %" PRIu64 " worker%s%s%s%s;", b->group->experiment,
                per_sweep ? " " : "", per_sweep ? b->group->variant : "",
                b->group->variant, b->group->workers, b->group->workers == 1 ? "" : "s",
                per_sweep ? " (" : "", per_sweep ? s->rows[i].baseline_rule : "", per_sweep ? ")" : "");
    }
    for (size_t e = 0; e < s->nno_baseline; e++)
        fprintf(out, " %s: none;", s->no_baseline[e]);
    fputs("\n\n", out);
}

static void md_groups(FILE *out, const struct runs *r, const struct scaling *s)
{
    bool failed = r->failed > 0;
    fputs("| experiment | variant |", out);
    md_by_header(out, r);
    fprintf(out, " workers | n |%s mean (s) | sd (s) | median (s) | min (s) "
                 "| max (s) | cv | 95%% CI of mean (s) | outliers | speedup | speedup 95%% CI "
                 "| efficiency | Karp-Flatt |\n",
            failed ? " failed |" : "");
    fprintf(out, "|---|---|%s---:|---:|%s---:|---:|---:|---:|---:|---:|---|---:|---:|---|---:|---:|\n",
            r->by_column ? "---|" : "", failed ? "---:|" : "");
    for (size_t i = 0; i < s->nrows; i++) {
        const struct scaling_row *row = &s->rows[i];
        const struct runs_group *g = row->group;
        cli_md_key(out, g->experiment, g->variant, g->by);
        fprintf(out, " %" PRIu64 "%s | %zu |", g->workers, g->oversubscribed ? " (oversubscribed)" : "",
                row->s.n);
        if (failed)
            fprintf(out, " %zu |", g->failed);
        md_cell(out, row->s.mean, MD_TIME_DIGITS);
        md_cell(out, row->s.sd, MD_DIGITS);
        md_cell(out, row->s.median, MD_TIME_DIGITS);
        md_cell(out, row->s.min, MD_TIME_DIGITS);
        md_cell(out, row->s.max, MD_TIME_DIGITS);
        md_cell(out, row->s.cv, MD_DIGITS - 1);
        md_interval(out, row->s.ci_low, row->s.ci_high, MD_TIME_DIGITS);
        fprintf(out, " %zu |", row->outliers);
        md_cell(out, row->speedup.ratio, MD_DIGITS);
        md_interval(out, row->speedup.low, row->speedup.high, MD_DIGITS);
        md_cell(out, row->efficiency, MD_DIGITS - 1);
        md_cell(out, row->karp_flatt, MD_DIGITS - 1);
        fputc('\n', out);
    }
}

/* f's interval within [0, 1]: "f <= x" when it reaches down to 0. */
static void md_fraction_interval(FILE *out, const struct stats_amdahl *a)
{
    char buf[32];
    if (a->low == 0 && a->high > 0)
        fprintf(out, " f <= %s |", cli_md_number(buf, sizeof buf, MD_DIGITS, a->high));
    else
        md_interval(out, a->low, a->high, MD_DIGITS);
}

/* What the fits left out or changed, under their table. */
static void md_fit_notes(FILE *out, const struct scaling *s)
{
    char buf[32];
    for (size_t i = 0; i < s->nfits; i++) {
        const struct scaling_fit *fit = &s->fits[i];
        if (fit->amdahl.clamped)
            fprintf(out, "\n%s %s%s%s: least squares gave f = %s, outside [0, 1]: clamped to %g.\n",
                    fit->sweep->experiment, fit->sweep->variant, fit->sweep->by ? " " : "",
                    fit->sweep->by ? fit->sweep->by : "",
                    cli_md_number(buf, sizeof buf, MD_DIGITS, fit->amdahl.f_fit), fit->amdahl.f);
    }
    if (s->oversubscribed)
        fprintf(out, "\n%zu oversubscribed group%s (more workers than CPUs: time-sharing, not a "
                     "serial fraction) shown in the table but left out of the fits.\n",
                s->oversubscribed, s->oversubscribed == 1 ? "" : "s");
}

static void md_fits(FILE *out, const struct runs *r, const struct scaling *s)
{
    if (s->nfits == 0) {
        md_fit_notes(out, s);
        return;
    }
    fputs("\nAmdahl's law per sweep, S(p) = 1 / (f + (1 - f) / p), serial fraction f by least squares:\n\n",
          out);
    fputs("| experiment | variant |", out);
    md_by_header(out, r);
    fputs(" points | f | s.e. | f 95% CI |", out);
    for (size_t k = 0; k < s->npredict; k++)
        fprintf(out, " S(%" PRIu64 ") [95%% CI] |", s->fits[0].predictions[k].workers);
    fprintf(out, "\n|---|---|%s---:|---:|---:|---|", r->by_column ? "---|" : "");
    for (size_t k = 0; k < s->npredict; k++)
        fputs("---|", out);
    fputc('\n', out);
    for (size_t i = 0; i < s->nfits; i++) {
        const struct scaling_fit *fit = &s->fits[i];
        cli_md_key(out, fit->sweep->experiment, fit->sweep->variant, fit->sweep->by);
        fprintf(out, " %zu |", fit->amdahl.points);
        md_cell(out, fit->amdahl.f, MD_DIGITS);
        md_cell(out, fit->amdahl.se, MD_DIGITS - 1);
        md_fraction_interval(out, &fit->amdahl);
        for (size_t k = 0; k < s->npredict; k++) {
            const struct scaling_prediction *pr = &fit->predictions[k];
            char a[32], b[32], c[32];
            fprintf(out, " %s", cli_md_number(a, sizeof a, MD_DIGITS, pr->speedup));
            if (isfinite(pr->low) && isfinite(pr->high))
                fprintf(out, " [%s, %s]", cli_md_number(b, sizeof b, MD_DIGITS, pr->low),
                        cli_md_number(c, sizeof c, MD_DIGITS, pr->high));
            fputs(" |", out);
        }
        fputc('\n', out);
    }
    md_fit_notes(out, s);
}

static void write_md(FILE *out, const struct runs *r, const struct scaling *s, bool dropped)
{
    md_baselines(out, s);
    md_groups(out, r, s);
    md_fits(out, r, s);
    fprintf(out, "\nMeans with 95%% Student-t intervals; outliers outside Tukey's fences "
                 "(1.5 IQR beyond the quartiles) are %s; speedup = baseline mean / mean with "
                 "Fieller's 95%% interval; efficiency = speedup / p; '-' = undefined.\n",
            dropped ? "left out (--drop-outliers)" : "counted and kept");
}

/* ------------------------------------------------------------------------
 * CSV: the group table only; the fits need a nested shape (JSON, md). */

static void write_csv(FILE *out, const struct runs *r, const struct scaling *s)
{
    fputs("experiment,variant,", out);
    if (r->by_column) {
        report_csv_field(out, r->by_column);
        fputc(',', out);
    }
    fputs("workers,n,failed,mean,sd,median,min,max,cv,ci95_low,ci95_high,outliers,"
          "speedup,speedup_ci95_low,speedup_ci95_high,efficiency,karp_flatt,baseline,oversubscribed\n",
          out);
    for (size_t i = 0; i < s->nrows; i++) {
        const struct scaling_row *row = &s->rows[i];
        const struct runs_group *g = row->group;
        const double v[] = {row->s.mean, row->s.sd, row->s.median, row->s.min, row->s.max,
                            row->s.cv, row->s.ci_low, row->s.ci_high};
        const double w[] = {row->speedup.ratio, row->speedup.low, row->speedup.high,
                            row->efficiency, row->karp_flatt};
        report_csv_field(out, g->experiment);
        fputc(',', out);
        report_csv_field(out, g->variant);
        fputc(',', out);
        if (g->by) {
            report_csv_field(out, g->by);
            fputc(',', out);
        }
        fprintf(out, "%" PRIu64 ",%zu,%zu", g->workers, row->s.n, g->failed);
        for (size_t k = 0; k < sizeof v / sizeof v[0]; k++) {
            fputc(',', out);
            cli_csv_number(out, v[k]);
        }
        fprintf(out, ",%zu", row->outliers);
        for (size_t k = 0; k < sizeof w / sizeof w[0]; k++) {
            fputc(',', out);
            cli_csv_number(out, w[k]);
        }
        fprintf(out, ",%d,%d\n", row->baseline == row, g->oversubscribed);
    }
}

/* ------------------------------------------------------------------------
 * JSON. */

static void json_group_key(FILE *out, const struct runs *r, const struct runs_group *g)
{
    fputs("\"experiment\": ", out);
    json_string(out, g->experiment);
    fputs(", \"variant\": ", out);
    json_string(out, g->variant);
    if (r->by_column) {
        fputs(", ", out);
        json_string(out, r->by_column);
        fputs(": ", out);
        json_string(out, g->by);
    }
}

static void json_row(FILE *out, const struct runs *r, const struct scaling_row *row)
{
    const struct runs_group *g = row->group;
    fputs("    {", out);
    json_group_key(out, r, g);
    fprintf(out, ", \"workers\": %" PRIu64 ", \"n\": %zu, \"failed\": %zu", g->workers, row->s.n, g->failed);
    json_key_number(out, "mean", row->s.mean);
    json_key_number(out, "sd", row->s.sd);
    json_key_number(out, "median", row->s.median);
    json_key_number(out, "min", row->s.min);
    json_key_number(out, "max", row->s.max);
    json_key_number(out, "cv", row->s.cv);
    json_key_number(out, "ci95_low", row->s.ci_low);
    json_key_number(out, "ci95_high", row->s.ci_high);
    fprintf(out, ", \"outliers\": %zu, \"outlier_values\": [", row->outliers);
    for (size_t k = 0; k < row->outliers; k++) {
        fputs(k ? ", " : "", out);
        json_number(out, row->outlier_values[k]);
    }
    fputc(']', out);
    json_key_number(out, "speedup", row->speedup.ratio);
    json_key_number(out, "speedup_ci95_low", row->speedup.low);
    json_key_number(out, "speedup_ci95_high", row->speedup.high);
    json_key_number(out, "efficiency", row->efficiency);
    json_key_number(out, "karp_flatt", row->karp_flatt);
    fprintf(out, ", \"baseline\": %s, \"oversubscribed\": %s, \"baseline_rule\": ",
            row->baseline == row ? "true" : "false", g->oversubscribed ? "true" : "false");
    if (row->baseline)
        json_string(out, row->baseline_rule);
    else
        fputs("null", out);
    fputc('}', out);
}

static void json_fit(FILE *out, const struct runs *r, const struct scaling_fit *fit, size_t npredict)
{
    fputs("    {", out);
    json_group_key(out, r, fit->sweep);
    fprintf(out, ", \"points\": %zu", fit->amdahl.points);
    json_key_number(out, "serial_fraction", fit->amdahl.f);
    json_key_number(out, "serial_fraction_se", fit->amdahl.se);
    json_key_number(out, "serial_fraction_ci95_low", fit->amdahl.low);
    json_key_number(out, "serial_fraction_ci95_high", fit->amdahl.high);
    json_key_number(out, "serial_fraction_fit", fit->amdahl.f_fit);
    fprintf(out, ", \"serial_fraction_clamped\": %s, \"oversubscribed_left_out\": %zu",
            fit->amdahl.clamped ? "true" : "false", fit->oversubscribed);
    json_key_number(out, "residual_ss", fit->amdahl.rss);
    fputs(", \"predictions\": [", out);
    for (size_t k = 0; k < npredict; k++) {
        const struct scaling_prediction *pr = &fit->predictions[k];
        fprintf(out, "%s{\"workers\": %" PRIu64, k ? ", " : "", pr->workers);
        json_key_number(out, "speedup", pr->speedup);
        json_key_number(out, "speedup_ci95_low", pr->low);
        json_key_number(out, "speedup_ci95_high", pr->high);
        fputc('}', out);
    }
    fputs("]}", out);
}

static void write_json(FILE *out, const struct runs *r, const struct scaling *s, bool dropped)
{
    fprintf(out, "{\"methods\": {\"mean_ci\": \"student-t 95%%, lower end on log times when <= 0\", "
                 "\"outliers\": \"tukey 1.5 IQR, %s\", "
                 "\"speedup_ci\": \"fieller 95%%, lower end of the geometric-mean ratio when <= 0\", "
                 "\"amdahl\": \"least squares of 1/S - 1/p = f (1 - 1/p), f clamped to [0, 1], "
                 "oversubscribed groups left out\"},\n",
            dropped ? "dropped" : "kept");
    fprintf(out, " \"runs\": %zu, \"failed_runs\": %zu, \"duplicate_runs\": %zu, "
                 "\"oversubscribed_left_out\": %zu,\n \"groups\": [\n",
            r->rows, r->failed, r->duplicate_runs, s->oversubscribed);
    for (size_t i = 0; i < s->nrows; i++) {
        json_row(out, r, &s->rows[i]);
        fputs(i + 1 < s->nrows ? ",\n" : "\n", out);
    }
    fputs(" ],\n \"amdahl\": [\n", out);
    for (size_t i = 0; i < s->nfits; i++) {
        json_fit(out, r, &s->fits[i], s->npredict);
        fputs(i + 1 < s->nfits ? ",\n" : "\n", out);
    }
    fputs(" ]}\n", out);
}

/* ------------------------------------------------------------------------ */

/* On failure o->baseline may hold a copy: the caller frees it either way. */
static enum cc_status parse_options(int argc, char **argv, struct options *o, bool *help,
                                    struct cc_err *err)
{
    static const struct option options[] = {
        {"baseline", required_argument, NULL, 'b'},
        {"by", required_argument, NULL, 'y'},
        {"drop-outliers", no_argument, NULL, 'd'},
        {"predict", required_argument, NULL, 'p'},
        {"format", required_argument, NULL, 'f'},
        {"help", no_argument, NULL, 'h'},
        {0},
    };
    enum cc_status status = CC_OK;
    int opt;

    *o = (struct options){.format = REPORT_TABLE};
    while (status == CC_OK && (opt = getopt_long(argc, argv, ":h", options, NULL)) != -1) {
        switch (opt) {
        case 'b': status = parse_baseline(optarg, o, err); break;
        case 'y': status = cli_parse_by_column(optarg, &o->by, err); break;
        case 'd': o->scaling.drop_outliers = true; break;
        case 'p': status = parse_predict(optarg, o, err); break;
        case 'f': status = report_parse_format(optarg, REPORT_FORMATS_ALL, &o->format, err); break;
        case 'h': *help = true; return CC_OK;
        default: return cli_option_error("stats", opt, argv, options, err);
        }
    }
    if (status != CC_OK)
        return status;
    if (optind >= argc)
        return cc_error(err, CC_EINPUT, "no runs CSV given (usage: concur stats FILE.csv [FILE.csv...])");
    return CC_OK;
}

static void warn_about(const struct runs *r, const struct scaling *s)
{
    cli_warn_failed_runs("stats", r, "; see the 'failed' column");
    if (r->duplicate_runs)
        fprintf(stderr, "concur stats: warning: %zu run number%s repeated within a group of one file "
                        "(first at %s): a file or rows given twice?\n",
                r->duplicate_runs, r->duplicate_runs == 1 ? "" : "s", r->first_duplicate);
    for (size_t e = 0; e < s->nno_baseline; e++)
        fprintf(stderr, "concur stats: warning: experiment '%s' has no baseline group; "
                        "its speedups are undefined (choose one with --baseline)\n",
                s->no_baseline[e]);
}

/* True when some group kept a successful run. */
static bool any_valid(const struct scaling *s)
{
    for (size_t i = 0; i < s->nrows; i++)
        if (s->rows[i].s.n > 0)
            return true;
    return false;
}

int cmd_stats(int argc, char **argv)
{
    struct options o;
    struct cc_err err;
    struct runs *runs = NULL;
    struct scaling *table = NULL;
    bool help = false;
    int rc = 0;

    enum cc_status status = parse_options(argc, argv, &o, &help, &err);
    if (status != CC_OK || help) {
        rc = cli_exit_status("stats", status, &err);
        if (help)
            fputs(usage, stdout);
        goto out;
    }

    stats_init();
    if ((status = runs_load(o.by, argv + optind, (size_t)(argc - optind), &runs, &err)) != CC_OK) {
        rc = cli_exit_status("stats", status, &err);
        goto out;
    }
    if ((status = scaling_build(runs, &o.scaling, &table, &err)) != CC_OK) {
        rc = cli_exit_status("stats", status, &err);
        goto out;
    }
    warn_about(runs, table);
    switch (o.format) {
    case REPORT_TABLE: write_md(stdout, runs, table, o.scaling.drop_outliers); break;
    case REPORT_CSV: write_csv(stdout, runs, table); break;
    case REPORT_JSON: write_json(stdout, runs, table, o.scaling.drop_outliers); break;
    }
    if (fflush(stdout) || ferror(stdout))
        rc = cli_exit_status("stats", cc_error(&err, CC_ESYS, "cannot write the output"), &err);
    else if (!any_valid(table)) {
        fprintf(stderr, "concur stats: no successful run: all %zu runs have ok=0; "
                        "nothing to summarize\n", runs->rows);
        rc = 1;
    }
out:
    scaling_free(table);
    runs_free(runs);
    free(o.baseline);
    return rc;
}
