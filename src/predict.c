/* concur predict's models and the prediction built from them (predict.h). */
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "num.h"
#include "predict.h"

static double rounds(uint64_t n, uint64_t w)
{
    return (double)((n + w - 1) / w);
}

/* The regressors of n requests at w workers, one per term. */
static void io_terms(uint64_t n, uint64_t w, double out[IO_TERMS])
{
    out[IO_LATENCY] = rounds(n, w);
    out[IO_COST] = (double)n / (double)w;
    out[IO_SETUP] = (double)w;
}

void predict_io_time(const struct predict_io_model *m, uint64_t n, uint64_t w,
                     double *seconds, double *low, double *high)
{
    double all[IO_TERMS], x[IO_TERMS], half;
    size_t k = 0;
    io_terms(n, w, all);
    for (int t = 0; t < IO_TERMS; t++)
        if (m->used[t])
            x[k++] = all[t];
    stats_linear_predict(&m->fit, x, seconds, &half);
    *low = *seconds - half;
    *high = *seconds + half;
    /* A time is > 0: where the model's interval reaches 0 or below it
     * gives no lower bound (NAN, printed "<= high"), and a predicted time
     * that is not > 0 is no prediction at all. */
    if (!(*low > 0))
        *low = NAN;
    if (!(*seconds > 0))
        *seconds = NAN;
    if (!(*high > 0))
        *high = NAN;
}

static bool io_group(const struct runs_group *g, const char *variant)
{
    return !strcmp(g->experiment, RUNS_EXPERIMENT_IO)
           && (!strcmp(g->variant, variant) || !strcmp(g->variant, RUNS_VARIANT_SYNC));
}

/* Fits the used terms; the coefficients of the others are 0. */
static enum cc_status fit_terms(struct predict_io_model *m, double *const col[IO_TERMS],
                                const double y[], size_t n, struct cc_err *err)
{
    const double *x[IO_TERMS];
    size_t k = 0;
    for (int t = 0; t < IO_TERMS; t++)
        if (m->used[t])
            x[k++] = col[t];
    enum cc_status status = stats_fit_linear(x, k, y, n, &m->fit, err);
    k = 0;
    for (int t = 0; t < IO_TERMS; t++) {
        m->coef[t] = m->used[t] ? m->fit.c[k] : 0;
        m->se[t] = m->used[t] ? sqrt(m->fit.cov[k][k]) : 0;
        k += m->used[t];
    }
    return status;
}

/* The term to leave out when the fit made one negative, or -1. */
static int negative_term(const struct predict_io_model *m)
{
    if (m->used[IO_SETUP] && m->coef[IO_SETUP] < 0)
        return IO_SETUP;
    if (m->used[IO_COST] && m->coef[IO_COST] < 0)
        return IO_COST;
    if (m->coef[IO_LATENCY] < 0)
        return m->used[IO_SETUP] ? IO_SETUP : m->used[IO_COST] ? IO_COST : -1;
    return -1;
}

static size_t distinct_workers(const struct runs *r, const char *variant)
{
    size_t count = 0;
    for (size_t i = 0; i < r->ngroups; i++) {
        if (!io_group(&r->groups[i], variant))
            continue;
        bool seen = false;
        for (size_t j = 0; j < i && !seen; j++)
            seen = io_group(&r->groups[j], variant) && r->groups[j].workers == r->groups[i].workers;
        count += !seen;
    }
    return count;
}

/* The columns of every run of the variant (and sync); CC_EINPUT naming a
 * group without a count of URLs. */
static enum cc_status io_columns(const struct runs *r, const char *variant, double *const col[IO_TERMS],
                                 double y[], struct cc_err *err)
{
    size_t k = 0;
    for (size_t i = 0; i < r->ngroups; i++) {
        const struct runs_group *g = &r->groups[i];
        uint64_t items;
        if (!io_group(g, variant))
            continue;
        if (!g->by || num_parse_u64("items", g->by, UINT64_MAX, &items, err) != CC_OK || items == 0)
            return cc_error(err, CC_EINPUT, "io %s, %llu workers: items '%s' is not a count of URLs",
                            g->variant, (unsigned long long)g->workers, g->by ? g->by : "");
        for (size_t j = 0; j < g->n; j++, k++) {
            double x[IO_TERMS];
            io_terms(items, g->workers, x);
            for (int t = 0; t < IO_TERMS; t++)
                col[t][k] = x[t];
            y[k] = g->seconds[j];
        }
    }
    return CC_OK;
}

enum cc_status predict_io_fit(const struct runs *r, const char *variant,
                              struct predict_io_model *m, struct cc_err *err)
{
    size_t n = 0;
    for (size_t i = 0; i < r->ngroups; i++)
        if (io_group(&r->groups[i], variant))
            n += r->groups[i].n;
    double *buffer = malloc((IO_TERMS + 1) * (n ? n : 1) * sizeof *buffer);
    if (!buffer)
        return cc_error(err, CC_ESYS, "out of memory");
    double *col[IO_TERMS], *y = buffer + IO_TERMS * n;
    for (int t = 0; t < IO_TERMS; t++)
        col[t] = buffer + (size_t)t * n;

    *m = (struct predict_io_model){.variant = variant, .runs = n,
                                   .used = {[IO_LATENCY] = true, [IO_COST] = true, [IO_SETUP] = true}};
    enum cc_status status = io_columns(r, variant, col, y, err);
    if (status == CC_OK) {
        m->used[IO_COST] = !stats_proportional(col[IO_LATENCY], col[IO_COST], n);
        size_t terms = 2 + m->used[IO_COST];  /* with setup */
        m->used[IO_SETUP] = distinct_workers(r, variant) >= terms && n > terms;
        status = fit_terms(m, col, y, n, err);
        int t;
        while (status == CC_OK && (t = negative_term(m)) >= 0) {
            m->used[t] = false;
            status = fit_terms(m, col, y, n, err);
        }
        if (status == CC_EINPUT) {
            char why[sizeof err->msg];
            memcpy(why, err->msg, sizeof why);
            status = cc_error(err, CC_EINPUT, "io %s: %s", variant, why);
        }
    }
    free(buffer);
    return status;
}

/* The Karp-Flatt metric of the sweep's row with the most workers. */
static double last_karp_flatt(const struct scaling *s, const struct scaling_fit *fit)
{
    double e = NAN;
    uint64_t most = 0;
    for (size_t i = 0; i < s->nrows; i++) {
        const struct scaling_row *row = &s->rows[i];
        if (row->group->sweep == fit->sweep->sweep && row->group->workers > most
            && isfinite(row->karp_flatt) && !row->group->oversubscribed) {
            most = row->group->workers;
            e = row->karp_flatt;
        }
    }
    return e;
}

size_t predict_cpu(const struct scaling *s, struct predict_point out[])
{
    size_t n = 0;
    for (size_t i = 0; i < s->nfits; i++) {
        const struct scaling_fit *fit = &s->fits[i];
        const struct stats_summary *base = &fit->baseline->s;
        double e = last_karp_flatt(s, fit);
        for (size_t k = 0; k < s->npredict; k++) {
            const struct scaling_prediction *pr = &fit->predictions[k];
            double p = (double)pr->workers / (double)fit->baseline->group->workers;
            out[n++] = (struct predict_point){
                .experiment = fit->sweep->experiment, .variant = fit->sweep->variant,
                .workers = pr->workers,
                .seconds = base->mean / pr->speedup,
                .low = base->ci_low / pr->high, .high = base->ci_high / pr->low,
                .speedup = pr->speedup, .speedup_low = pr->low, .speedup_high = pr->high,
                /* e below 0 (a superlinear point) is clamped as f is */
                .karp_flatt_speedup = isnan(e) ? NAN : stats_amdahl_speedup(e < 0 ? 0 : e > 1 ? 1 : e, p),
            };
        }
    }
    return n;
}

/* ---- the whole prediction -------------------------------------------- */

void predict_free(struct predict_result *p)
{
    free(p->points);
    free(p->models);
    scaling_free(p->scaling);
    runs_free(p->io_runs);
    *p = (struct predict_result){0};
}

/* The scaling table of the non-io sweeps' predictions: scaling.h fits every
 * sweep; io sweeps are left out here (their model is the rounds model). */
static enum cc_status cpu_points(struct predict_result *p, struct cc_err *err)
{
    const struct predict_request *q = &p->request;
    struct scaling_options so = {.predict = q->cores, .npredict = q->ncores};
    enum cc_status status = scaling_build(p->runs, &so, &p->scaling, err);
    if (status != CC_OK)
        return status;
    size_t room = p->scaling->nfits * q->ncores + q->nurls * q->nworkers * p->runs->nsweeps + 1;
    if (!(p->points = calloc(room, sizeof *p->points)))
        return cc_error(err, CC_ESYS, "out of memory");
    size_t n = predict_cpu(p->scaling, p->points);
    for (size_t i = 0; i < n; i++)  /* keep the non-io ones */
        if (strcmp(p->points[i].experiment, RUNS_EXPERIMENT_IO))
            p->points[p->npoints++] = p->points[i];
    return CC_OK;
}

/* The io runs grouped by their count of URLs, for the rounds model. */
static enum cc_status io_runs(struct predict_result *p, struct cc_err *err)
{
    enum cc_status status = runs_regroup(p->runs, "items", &p->io_runs, err);
    if (status == CC_EINPUT) {
        char why[sizeof err->msg];
        memcpy(why, err->msg, sizeof why);
        return cc_error(err, status, "--urls: the io model needs the runs of `concur io` (%s)", why);
    }
    return status;
}

/* The rounds model of each parallel io variant (sync is every model's
 * W = 1), in order of first appearance. */
static enum cc_status io_models(struct predict_result *p, struct cc_err *err)
{
    const struct runs *r = p->io_runs;
    if (!(p->models = calloc(r->ngroups + 1, sizeof *p->models)))
        return cc_error(err, CC_ESYS, "out of memory");
    for (size_t i = 0; i < r->ngroups; i++) {
        const struct runs_group *g = &r->groups[i];
        bool seen = false;
        for (size_t m = 0; m < p->nmodels; m++)
            seen |= !strcmp(p->models[m].variant, g->variant);
        if (strcmp(g->experiment, RUNS_EXPERIMENT_IO) || !strcmp(g->variant, RUNS_VARIANT_SYNC) || seen)
            continue;
        enum cc_status status = predict_io_fit(r, g->variant, &p->models[p->nmodels], err);
        if (status != CC_OK)
            return status;
        p->nmodels++;
    }
    if (p->nmodels == 0)
        return cc_error(err, CC_EINPUT, "--urls: no io runs of a parallel variant (threads, multi, mpi) to fit");
    return CC_OK;
}

/* Every model at every (N, W) asked, after the cpu points. */
static void io_points(struct predict_result *p)
{
    const struct predict_request *q = &p->request;
    for (size_t m = 0; m < p->nmodels; m++)
        for (size_t u = 0; u < q->nurls; u++)
            for (size_t w = 0; w < q->nworkers; w++) {
                struct predict_point *pt = &p->points[p->npoints++];
                *pt = (struct predict_point){
                    .experiment = RUNS_EXPERIMENT_IO, .variant = p->models[m].variant,
                    .workers = q->workers[w], .items = q->urls[u],
                    .speedup = NAN, .speedup_low = NAN, .speedup_high = NAN,
                    .karp_flatt_speedup = NAN,
                };
                predict_io_time(&p->models[m], pt->items, pt->workers, &pt->seconds, &pt->low, &pt->high);
            }
}

enum cc_status predict_build(const struct runs *runs, const struct predict_request *req,
                             struct predict_result *out, struct cc_err *err)
{
    *out = (struct predict_result){.request = *req, .runs = runs};
    enum cc_status status = cpu_points(out, err);
    if (status == CC_OK && req->nurls) {
        if ((status = io_runs(out, err)) == CC_OK && (status = io_models(out, err)) == CC_OK)
            io_points(out);
    }
    if (status == CC_OK && out->npoints == 0)
        return cc_error(err, CC_EINPUT, "nothing to predict: no sweep with a baseline and more than one "
                        "worker count%s", req->nurls ? "" : " (for io, give --urls and --workers)");
    return status;
}
