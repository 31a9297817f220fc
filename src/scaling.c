#include "scaling.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Summarizes one group; with drop, a second summary of the values inside
 * the first one's fences replaces it (the fences themselves come from all
 * the values, so dropping is done once, not repeated until nothing is
 * left). */
static enum cc_status summarize_row(struct scaling_row *row, bool drop, struct cc_err *err)
{
    const struct runs_group *g = row->group;
    enum cc_status status = stats_summarize(g->seconds, g->n, &row->s, err);
    if (status != CC_OK || g->n == 0)
        return status;

    row->outliers = row->s.outliers;
    if (row->outliers == 0)
        return CC_OK;
    row->outlier_values = malloc(g->n * sizeof *row->outlier_values);
    double *kept = malloc(g->n * sizeof *kept);
    bool *outside = malloc(g->n * sizeof *outside);
    if (!row->outlier_values || !kept || !outside) {
        status = cc_error(err, CC_ESYS, "out of memory");
        goto out;
    }
    stats_flag_outliers(g->seconds, g->n, &row->s, outside);
    size_t k = 0;
    for (size_t i = 0; i < g->n; i++)
        if (outside[i])
            row->outlier_values[k++] = g->seconds[i];
    if (drop) {
        size_t m = stats_drop_outliers(g->seconds, g->n, &row->s, kept);
        status = stats_summarize(kept, m, &row->s, err);
        row->s.outliers = row->outliers;
    }
out:
    free(kept);
    free(outside);
    return status;
}

static double relative_workers(const struct scaling_row *row)
{
    return (double)row->group->workers / (double)row->baseline->group->workers;
}

static enum cc_status speedup_row(struct scaling_row *row, struct cc_err *err)
{
    row->speedup.ratio = row->speedup.low = row->speedup.high = row->speedup.df = NAN;
    row->efficiency = row->karp_flatt = NAN;
    /* A baseline that took no measurable time gives no speedup: 0 / t is
     * not a slowdown of the work, and 0 / 0 is nothing. */
    if (!row->baseline || row->s.n == 0 || row->baseline->s.n == 0 || !(row->baseline->s.mean > 0))
        return CC_OK;
    if (row->baseline == row) {
        /* Against itself the speedup is 1 by definition, not an estimate. */
        row->speedup.ratio = row->speedup.low = row->speedup.high = 1;
    } else {
        enum cc_status status = stats_ratio_fieller(&row->baseline->s, &row->s, &row->speedup, err);
        if (status != CC_OK)
            return status;
        if (!(row->speedup.ratio > 0) || !isfinite(row->speedup.ratio)) {
            row->speedup.ratio = row->speedup.low = row->speedup.high = NAN;
            return CC_OK;  /* no speedup: no efficiency, no Karp-Flatt */
        }
    }
    double p = relative_workers(row);
    row->efficiency = row->speedup.ratio / p;
    row->karp_flatt = stats_karp_flatt(row->speedup.ratio, p);
    return CC_OK;
}

/* The experiments in table order, each once; names point into the runs. */
static size_t list_experiments(const struct scaling *s, const char **names)
{
    size_t n = 0;
    for (size_t i = 0; i < s->nrows; i++) {
        const char *e = s->rows[i].group->experiment;
        size_t j = 0;
        while (j < n && strcmp(names[j], e))
            j++;
        if (j == n)
            names[n++] = e;
    }
    return n;
}

static enum cc_status choose_baselines(const struct runs *r, const struct scaling_options *o,
                                       struct scaling *s, struct cc_err *err)
{
    const char **names = malloc((s->nrows ? s->nrows : 1) * sizeof *names);
    if (!names)
        return cc_error(err, CC_ESYS, "out of memory");
    size_t nexp = list_experiments(s, names);
    size_t found = 0;
    for (size_t e = 0; e < nexp; e++) {
        const struct runs_group *base = runs_baseline(r, names[e], o->baseline, o->baseline_workers);
        const struct scaling_row *brow = base ? scaling_find(s, base) : NULL;
        bool missing = false;
        if (brow)
            found++;
        for (size_t i = 0; i < s->nrows; i++) {
            struct scaling_row *row = &s->rows[i];
            if (strcmp(row->group->experiment, names[e]))
                continue;
            row->baseline = brow;
            row->baseline_rule = o->baseline ? "--baseline" : "serial/sync";
            if (!brow && !o->baseline) {
                /* No serial or sync group: each sweep is its own reference. */
                const struct runs_group *own = runs_sweep_baseline(r, row->group);
                row->baseline = own ? scaling_find(s, own) : NULL;
                row->baseline_rule = own && own->baseline_workers ? "baseline_workers" : "fewest workers";
            }
            missing |= !row->baseline;
        }
        if (missing)
            s->no_baseline[s->nno_baseline++] = names[e];
    }
    free(names);
    if (o->baseline && found == 0) {
        if (o->baseline_workers)
            return cc_error(err, CC_EINPUT,
                            "--baseline: unknown baseline '%s:%llu': no group has variant '%s' with %llu workers",
                            o->baseline, (unsigned long long)o->baseline_workers, o->baseline,
                            (unsigned long long)o->baseline_workers);
        return cc_error(err, CC_EINPUT, "--baseline: unknown baseline '%s': no group has variant '%s'",
                        o->baseline, o->baseline);
    }
    return CC_OK;
}

static double clamp01(double f)
{
    return f < 0 ? 0 : f > 1 ? 1 : f;
}

static void predict(struct scaling_fit *fit, const struct scaling_options *o)
{
    double base = (double)fit->baseline->group->workers;
    for (size_t k = 0; k < o->npredict; k++) {
        struct scaling_prediction *pr = &fit->predictions[k];
        double p = (double)o->predict[k] / base;
        pr->workers = o->predict[k];
        pr->speedup = stats_amdahl_speedup(fit->amdahl.f, p);
        /* S(p) falls as f grows (p > 1), so f's upper bound gives S's lower;
         * f outside [0, 1] has no meaning as a fraction of the work. */
        pr->low = isnan(fit->amdahl.high) ? NAN : stats_amdahl_speedup(clamp01(fit->amdahl.high), p);
        pr->high = isnan(fit->amdahl.low) ? NAN : stats_amdahl_speedup(clamp01(fit->amdahl.low), p);
    }
}

/* One Amdahl fit for the sweep of rows[first .. end), when it has a speedup
 * at more workers than its baseline. The baseline row itself is left out:
 * its speedup is 1 by definition, not a measurement. */
static enum cc_status fit_sweep(struct scaling *s, size_t first, size_t end,
                                const struct scaling_options *o, struct cc_err *err)
{
    const struct scaling_row *base = s->rows[first].baseline;
    if (!base)
        return CC_OK;
    double *p = malloc(2 * (end - first) * sizeof *p);
    if (!p)
        return cc_error(err, CC_ESYS, "out of memory");
    double *speedup = p + (end - first);
    size_t n = 0, oversubscribed = 0;
    bool above = false;
    for (size_t i = first; i < end; i++) {
        const struct scaling_row *row = &s->rows[i];
        if (row == base || !(row->speedup.ratio > 0) || !isfinite(row->speedup.ratio))
            continue;
        if (row->group->oversubscribed) {
            oversubscribed++;
            continue;
        }
        p[n] = relative_workers(row);
        speedup[n] = row->speedup.ratio;
        above |= p[n] > 1;
        n++;
    }
    enum cc_status status = CC_OK;
    s->oversubscribed += oversubscribed;
    if (above) {
        struct scaling_fit *fit = &s->fits[s->nfits];
        fit->sweep = s->rows[first].group;
        fit->baseline = base;
        fit->oversubscribed = oversubscribed;
        fit->predictions = calloc(o->npredict ? o->npredict : 1, sizeof *fit->predictions);
        if (!fit->predictions) {
            status = cc_error(err, CC_ESYS, "out of memory");
        } else if ((status = stats_amdahl_fit(p, speedup, n, &fit->amdahl, err)) == CC_OK) {
            predict(fit, o);
            s->nfits++;
        } else {
            free(fit->predictions);
        }
    }
    free(p);
    return status;
}

enum cc_status scaling_build(const struct runs *r, const struct scaling_options *o,
                             struct scaling **out, struct cc_err *err)
{
    enum cc_status status = CC_OK;
    struct scaling *s = calloc(1, sizeof *s);
    size_t n = r->ngroups ? r->ngroups : 1;
    if (!s || !(s->rows = calloc(n, sizeof *s->rows)) || !(s->fits = calloc(n, sizeof *s->fits))
        || !(s->no_baseline = calloc(n, sizeof *s->no_baseline))) {
        scaling_free(s);
        return cc_error(err, CC_ESYS, "out of memory");
    }
    s->nrows = r->ngroups;
    s->npredict = o->npredict;
    for (size_t i = 0; i < s->nrows; i++) {
        s->rows[i].group = &r->groups[i];
        if ((status = summarize_row(&s->rows[i], o->drop_outliers, err)) != CC_OK)
            goto fail;
    }
    if ((status = choose_baselines(r, o, s, err)) != CC_OK)
        goto fail;
    for (size_t i = 0; i < s->nrows; i++)
        if ((status = speedup_row(&s->rows[i], err)) != CC_OK)
            goto fail;
    /* runs_sort keeps each sweep's groups together. */
    for (size_t first = 0, end; first < s->nrows; first = end) {
        for (end = first + 1; end < s->nrows && s->rows[end].group->sweep == s->rows[first].group->sweep; end++)
            ;
        if ((status = fit_sweep(s, first, end, o, err)) != CC_OK)
            goto fail;
    }
    *out = s;
    return CC_OK;
fail:
    scaling_free(s);
    return status;
}

void scaling_free(struct scaling *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->nrows; i++)
        free(s->rows[i].outlier_values);
    for (size_t i = 0; i < s->nfits; i++)
        free(s->fits[i].predictions);
    free(s->rows);
    free(s->fits);
    free(s->no_baseline);
    free(s);
}

const struct scaling_row *scaling_find(const struct scaling *s, const struct runs_group *g)
{
    for (size_t i = 0; i < s->nrows; i++)
        if (runs_same_group(s->rows[i].group, g))
            return &s->rows[i];
    return NULL;
}
