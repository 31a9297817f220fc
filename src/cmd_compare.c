/* concur compare A.csv B.csv: is B faster than A? For every group in both
 * files the ratio of mean times B/A with Fieller's 95% interval, Welch's
 * t-test and a verdict at alpha = 0.05; groups in only one file are listed.
 * With --fail-if-slower the exit status flags a regression for scripts. */
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

#define ALPHA 0.05

static const char usage[] =
    "Usage: concur compare [options] A.csv B.csv\n"
    "\n"
    "Compares two sets of runs CSV group by group (experiment, variant,\n"
    "workers): the ratio of mean times B/A with its 95% Fieller interval, the\n"
    "p-value of Welch's t-test and a verdict at alpha = 0.05: B is faster,\n"
    "slower, or shows no significant difference. Groups found in only one\n"
    "file are listed as such. Runs with ok=0 are left out.\n"
    "\n"
    "  --fail-if-slower PCT   exit 1 when a group is significantly slower in B\n"
    "                         and its mean time grew by more than PCT percent\n"
    "                         (5% or 5)\n"
    "  --by COLUMN            also group by this column\n"
    "  --drop-outliers        leave Tukey outliers out of the statistics\n"
    "  --format F             table (default; a Markdown table, md is an\n"
    "                         alias), csv or json\n"
    "  -h, --help             this help\n";


enum verdict { V_FASTER, V_SLOWER, V_SAME, V_INSUFFICIENT, V_ONLY_A, V_ONLY_B };

static const char *const verdict_names[] = {
    "faster", "slower", "no significant difference", "insufficient data", "only in A", "only in B",
};

struct options {
    enum report_format format;
    const char *by;
    bool drop_outliers;
    double fail_if_slower;   /* a fraction; NAN when not asked */
};

struct line {
    const struct scaling_row *a, *b;  /* either may be NULL: only in one file */
    struct stats_ratio ratio;         /* B / A */
    struct stats_welch welch;
    enum verdict verdict;
    bool regression;                  /* slower beyond --fail-if-slower */
};

static enum cc_status judge(struct line *l, const struct options *o, struct cc_err *err)
{
    enum cc_status status;
    if ((status = stats_ratio_fieller(&l->b->s, &l->a->s, &l->ratio, err)) != CC_OK)
        return status;
    if ((status = stats_welch_test(&l->a->s, &l->b->s, &l->welch, err)) != CC_OK)
        return status;
    if (isnan(l->welch.p))
        l->verdict = V_INSUFFICIENT;
    else if (l->welch.p >= ALPHA)
        l->verdict = V_SAME;
    else
        l->verdict = l->b->s.mean < l->a->s.mean ? V_FASTER : V_SLOWER;
    l->regression = l->verdict == V_SLOWER && !isnan(o->fail_if_slower)
        && l->ratio.ratio - 1 > o->fail_if_slower;
    return CC_OK;
}

/* Lines in A's table order, then B's groups that A lacks. */
static enum cc_status match(const struct scaling *a, const struct scaling *b, const struct options *o,
                            struct line *lines, size_t *nlines, struct cc_err *err)
{
    size_t n = 0;
    for (size_t i = 0; i < a->nrows; i++) {
        struct line *l = &lines[n++];
        memset(l, 0, sizeof *l);
        l->a = &a->rows[i];
        l->b = scaling_find(b, l->a->group);
        l->ratio.ratio = l->ratio.low = l->ratio.high = NAN;
        l->welch.t = l->welch.df = l->welch.p = NAN;
        l->verdict = V_ONLY_A;
        if (l->b) {
            enum cc_status status = judge(l, o, err);
            if (status != CC_OK)
                return status;
        }
    }
    for (size_t i = 0; i < b->nrows; i++) {
        if (scaling_find(a, b->rows[i].group))
            continue;
        struct line *l = &lines[n++];
        memset(l, 0, sizeof *l);
        l->b = &b->rows[i];
        l->ratio.ratio = l->ratio.low = l->ratio.high = NAN;
        l->welch.t = l->welch.df = l->welch.p = NAN;
        l->verdict = V_ONLY_B;
    }
    *nlines = n;
    return CC_OK;
}

static const struct runs_group *line_group(const struct line *l)
{
    return l->a ? l->a->group : l->b->group;
}

static double mean_of(const struct scaling_row *row)
{
    return row ? row->s.mean : NAN;
}

static size_t n_of(const struct scaling_row *row)
{
    return row ? row->s.n : 0;
}

/* ------------------------------------------------------------------------ */

/* The change B/A - 1 in percent; "-" when undefined or beyond a double
 * (B/A near DBL_MAX), never "inf" or "nan". */
static const char *change_text(char *buf, size_t size, double ratio)
{
    double change = 100 * (ratio - 1);
    if (isfinite(change))
        snprintf(buf, size, "%+.1f%%", change);
    else
        snprintf(buf, size, "-");
    return buf;
}

static void write_md(FILE *out, const char *by, const struct line *lines, size_t n,
                     const char *fa, const char *fb)
{
    char buf[7][32];
    fprintf(out, "A: %s\nB: %s\n\n", fa, fb);
    fputs("| experiment | variant |", out);
    if (by)
        fprintf(out, " %s |", by);
    fputs(" workers | n A | mean A (s) | n B | mean B (s) | B/A | B/A 95% CI | change | p (Welch) | verdict |\n",
          out);
    fprintf(out, "|---|---|%s---:|---:|---:|---:|---:|---:|---|---:|---:|---|\n", by ? "---|" : "");
    for (size_t i = 0; i < n; i++) {
        const struct line *l = &lines[i];
        const struct runs_group *g = line_group(l);
        cli_md_key(out, g->experiment, g->variant, g->by);
        fprintf(out, " %" PRIu64 " | %zu | %s | %zu | %s | %s |", g->workers, n_of(l->a),
                cli_md_number(buf[0], 32, 6, mean_of(l->a)), n_of(l->b),
                cli_md_number(buf[1], 32, 6, mean_of(l->b)),
                cli_md_number(buf[2], 32, 4, l->ratio.ratio));
        if (isfinite(l->ratio.low) && isfinite(l->ratio.high))
            fprintf(out, " [%s, %s] |", cli_md_number(buf[3], 32, 4, l->ratio.low),
                    cli_md_number(buf[4], 32, 4, l->ratio.high));
        else
            fputs(" - |", out);
        fprintf(out, " %s |", change_text(buf[6], sizeof buf[6], l->ratio.ratio));
        fprintf(out, " %s | %s%s |\n", cli_md_number(buf[5], 32, 3, l->welch.p),
                verdict_names[l->verdict], l->regression ? " (regression)" : "");
    }
    fputs("\nB/A is the ratio of mean times (below 1: B is faster) with Fieller's 95% interval; "
          "verdicts from Welch's t-test at alpha = 0.05.\n", out);
}

static void write_csv(FILE *out, const char *by, const struct line *lines, size_t n)
{
    fputs("experiment,variant,", out);
    if (by) {
        report_csv_field(out, by);
        fputc(',', out);
    }
    fputs("workers,n_a,mean_a,sd_a,n_b,mean_b,sd_b,ratio,ratio_ci95_low,ratio_ci95_high,t,df,p,verdict\n", out);
    for (size_t i = 0; i < n; i++) {
        const struct line *l = &lines[i];
        const struct runs_group *g = line_group(l);
        const double v[] = {l->ratio.ratio, l->ratio.low, l->ratio.high, l->welch.t, l->welch.df, l->welch.p};
        report_csv_field(out, g->experiment);
        fputc(',', out);
        report_csv_field(out, g->variant);
        fputc(',', out);
        if (g->by) {
            report_csv_field(out, g->by);
            fputc(',', out);
        }
        fprintf(out, "%" PRIu64 ",%zu,", g->workers, n_of(l->a));
        cli_csv_number(out, mean_of(l->a));
        fputc(',', out);
        cli_csv_number(out, l->a ? l->a->s.sd : NAN);
        fprintf(out, ",%zu,", n_of(l->b));
        cli_csv_number(out, mean_of(l->b));
        fputc(',', out);
        cli_csv_number(out, l->b ? l->b->s.sd : NAN);
        for (size_t k = 0; k < sizeof v / sizeof v[0]; k++) {
            fputc(',', out);
            cli_csv_number(out, v[k]);
        }
        fprintf(out, ",%s\n", verdict_names[l->verdict]);
    }
}

static void json_group_key(FILE *out, const char *by, const struct runs_group *g)
{
    fputs("{\"experiment\": ", out);
    json_string(out, g->experiment);
    fputs(", \"variant\": ", out);
    json_string(out, g->variant);
    if (by) {
        fputs(", ", out);
        json_string(out, by);
        fputs(": ", out);
        json_string(out, g->by);
    }
    fprintf(out, ", \"workers\": %" PRIu64, g->workers);
}

static void json_list(FILE *out, const char *key, const char *by, const struct line *lines, size_t n,
                      enum verdict which)
{
    bool first = true;
    fputc(' ', out);
    json_key(out, key);
    fputc('[', out);
    for (size_t i = 0; i < n; i++) {
        if (lines[i].verdict != which)
            continue;
        fputs(first ? "" : ", ", out);
        first = false;
        json_group_key(out, by, line_group(&lines[i]));
        fputc('}', out);
    }
    fputs("]", out);
}

static void write_json(FILE *out, const struct options *o, const struct line *lines, size_t n,
                       const char *fa, const char *fb, size_t regressions)
{
    fputs("{\"a\": ", out);
    json_string(out, fa);
    fputs(", \"b\": ", out);
    json_string(out, fb);
    fprintf(out, ", \"alpha\": %g", ALPHA);
    json_key_number(out, "fail_if_slower", o->fail_if_slower);
    fprintf(out, ", \"regressions\": %zu,\n \"groups\": [\n", regressions);
    bool first = true;
    for (size_t i = 0; i < n; i++) {
        const struct line *l = &lines[i];
        if (!l->a || !l->b)
            continue;
        fputs(first ? "  " : ",\n  ", out);
        first = false;
        json_group_key(out, o->by, l->a->group);
        fprintf(out, ", \"n_a\": %zu", l->a->s.n);
        json_key_number(out, "mean_a", l->a->s.mean);
        json_key_number(out, "sd_a", l->a->s.sd);
        fprintf(out, ", \"n_b\": %zu", l->b->s.n);
        json_key_number(out, "mean_b", l->b->s.mean);
        json_key_number(out, "sd_b", l->b->s.sd);
        json_key_number(out, "ratio", l->ratio.ratio);
        json_key_number(out, "ratio_ci95_low", l->ratio.low);
        json_key_number(out, "ratio_ci95_high", l->ratio.high);
        json_key_number(out, "t", l->welch.t);
        json_key_number(out, "df", l->welch.df);
        json_key_number(out, "p", l->welch.p);
        fputs(", \"verdict\": ", out);
        json_string(out, verdict_names[l->verdict]);
        fprintf(out, ", \"regression\": %s}", l->regression ? "true" : "false");
    }
    fputs("\n ],\n", out);
    json_list(out, "only_in_a", o->by, lines, n, V_ONLY_A);
    fputs(",\n", out);
    json_list(out, "only_in_b", o->by, lines, n, V_ONLY_B);
    fputs("}\n", out);
}

/* ------------------------------------------------------------------------ */

static enum cc_status parse_options(int argc, char **argv, struct options *o, bool *help,
                                    struct cc_err *err)
{
    static const struct option options[] = {
        {"fail-if-slower", required_argument, NULL, 's'},
        {"by", required_argument, NULL, 'y'},
        {"drop-outliers", no_argument, NULL, 'd'},
        {"format", required_argument, NULL, 'f'},
        {"help", no_argument, NULL, 'h'},
        {0},
    };
    enum cc_status status = CC_OK;
    int opt;

    *o = (struct options){.format = REPORT_TABLE, .fail_if_slower = NAN};
    while (status == CC_OK && (opt = getopt_long(argc, argv, ":h", options, NULL)) != -1) {
        switch (opt) {
        case 's': status = num_parse_percent("--fail-if-slower", optarg, INFINITY, &o->fail_if_slower, err); break;
        case 'y': status = cli_parse_by_column(optarg, &o->by, err); break;
        case 'd': o->drop_outliers = true; break;
        case 'f': status = report_parse_format(optarg, REPORT_FORMATS_ALL, &o->format, err); break;
        case 'h': *help = true; return CC_OK;
        default: return cli_option_error("compare", opt, argv, options, err);
        }
    }
    if (status == CC_OK && argc - optind != 2)
        status = cc_error(err, CC_EINPUT, "expected two runs CSV, got %d (usage: concur compare A.csv B.csv)",
                          argc - optind);
    return status;
}

/* Reads one side into its runs and scaling table. */
static enum cc_status load(const char *path, const struct options *o, struct runs **runs,
                           struct scaling **table, struct cc_err *err)
{
    struct scaling_options so = {.drop_outliers = o->drop_outliers};
    char *paths[] = {(char *)path};
    enum cc_status status = runs_load(o->by, paths, 1, runs, err);
    if (status != CC_OK)
        return status;
    status = scaling_build(*runs, &so, table, err);
    if (status == CC_OK)
        cli_warn_failed_runs("compare", *runs, "");
    return status;
}

static void warn_regressions(const struct line *lines, size_t n, double limit)
{
    for (size_t i = 0; i < n; i++) {
        if (!lines[i].regression)
            continue;
        const struct runs_group *g = line_group(&lines[i]);
        char change[32];
        change_text(change, sizeof change, lines[i].ratio.ratio);
        fprintf(stderr, "concur compare: %s %s%s%s with %" PRIu64 " workers is %s slower (p = %.3g), "
                        "beyond --fail-if-slower %g%%\n",
                g->experiment, g->variant, g->by ? " " : "", g->by ? g->by : "", g->workers,
                change[0] == '+' ? change + 1 : "far", lines[i].welch.p, 100 * limit);
    }
}

int cmd_compare(int argc, char **argv)
{
    struct options o;
    struct cc_err err;
    struct runs *ra = NULL, *rb = NULL;
    struct scaling *sa = NULL, *sb = NULL;
    struct line *lines = NULL;
    bool help = false;
    int rc = 0;

    enum cc_status status = parse_options(argc, argv, &o, &help, &err);
    if (cli_options_done("compare", status, help, usage, &err, &rc))
        return rc;
    const char *fa = argv[optind], *fb = argv[optind + 1];

    stats_init();
    if ((status = load(fa, &o, &ra, &sa, &err)) != CC_OK
        || (status = load(fb, &o, &rb, &sb, &err)) != CC_OK) {
        rc = cli_exit_status("compare", status, &err);
        goto out;
    }
    size_t nlines = 0;
    if (!(lines = calloc(sa->nrows + sb->nrows, sizeof *lines))) {
        rc = cli_exit_status("compare", cc_error(&err, CC_ESYS, "out of memory"), &err);
        goto out;
    }
    if ((status = match(sa, sb, &o, lines, &nlines, &err)) != CC_OK) {
        rc = cli_exit_status("compare", status, &err);
        goto out;
    }
    size_t regressions = 0;
    for (size_t i = 0; i < nlines; i++)
        regressions += lines[i].regression;
    switch (o.format) {
    case REPORT_TABLE: write_md(stdout, o.by, lines, nlines, fa, fb); break;
    case REPORT_CSV: write_csv(stdout, o.by, lines, nlines); break;
    case REPORT_JSON: write_json(stdout, &o, lines, nlines, fa, fb, regressions); break;
    }
    if (fflush(stdout) || ferror(stdout)) {
        rc = cli_exit_status("compare", cc_error(&err, CC_ESYS, "cannot write the output"), &err);
        goto out;
    }
    warn_regressions(lines, nlines, o.fail_if_slower);
    rc = regressions ? 1 : 0;
out:
    free(lines);
    scaling_free(sa);
    scaling_free(sb);
    runs_free(ra);
    runs_free(rb);
    return rc;
}
