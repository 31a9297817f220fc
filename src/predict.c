/* concur predict's models (predict.h). */
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

void predict_io_time(const struct predict_io_model *m, uint64_t n, uint64_t w,
                     double *seconds, double *low, double *high)
{
    double half;
    stats_linear2_predict(&m->fit, rounds(n, w), (double)n / (double)w, seconds, &half);
    *low = *seconds - half;
    *high = *seconds + half;
}

static bool io_group(const struct runs_group *g, const char *variant)
{
    return !strcmp(g->experiment, "io") && (!strcmp(g->variant, variant) || !strcmp(g->variant, "sync"));
}

enum cc_status predict_io_fit(const struct runs *r, const char *variant,
                              struct predict_io_model *m, struct cc_err *err)
{
    size_t n = 0;
    for (size_t i = 0; i < r->ngroups; i++)
        if (io_group(&r->groups[i], variant))
            n += r->groups[i].n;
    double *x = malloc(3 * (n ? n : 1) * sizeof *x);
    if (!x)
        return cc_error(err, CC_ESYS, "out of memory");
    double *per = x + n, *y = per + n;
    enum cc_status status = CC_OK;
    size_t k = 0;
    for (size_t i = 0; i < r->ngroups && status == CC_OK; i++) {
        const struct runs_group *g = &r->groups[i];
        uint64_t items;
        if (!io_group(g, variant))
            continue;
        if (!g->by || num_parse_u64("items", g->by, UINT64_MAX, &items, err) != CC_OK || items == 0) {
            status = cc_error(err, CC_EINPUT, "io %s, %llu workers: items '%s' is not a count of URLs",
                              g->variant, (unsigned long long)g->workers, g->by ? g->by : "");
            break;
        }
        for (size_t j = 0; j < g->n; j++, k++) {
            x[k] = rounds(items, g->workers);
            per[k] = (double)items / (double)g->workers;
            y[k] = g->seconds[j];
        }
    }
    m->variant = variant;
    m->runs = n;
    if (status == CC_OK) {
        status = stats_fit_linear2(x, per, y, n, &m->fit, err);
        /* A negative latency or cost has no meaning: the runs cannot tell
         * the two apart (nearly proportional columns), and the constrained
         * optimum lies on the boundary. Fit the rounds alone then. */
        if (status == CC_OK && !m->fit.reduced && (m->fit.c0 < 0 || m->fit.c1 < 0))
            status = stats_fit_linear2(x, x, y, n, &m->fit, err);
        if (status == CC_EINPUT) {
            char why[sizeof err->msg];
            memcpy(why, err->msg, sizeof why);
            status = cc_error(err, CC_EINPUT, "io %s: %s", variant, why);
        }
    }
    free(x);
    return status;
}

/* The Karp-Flatt metric of the sweep's row with the most workers. */
static double last_karp_flatt(const struct summary *s, const struct summary_fit *fit)
{
    double e = NAN;
    uint64_t most = 0;
    for (size_t i = 0; i < s->nrows; i++) {
        const struct summary_row *row = &s->rows[i];
        if (row->group->sweep == fit->sweep->sweep && row->group->workers > most
            && isfinite(row->karp_flatt)) {
            most = row->group->workers;
            e = row->karp_flatt;
        }
    }
    return e;
}

size_t predict_cpu(const struct summary *s, struct predict_point out[])
{
    size_t n = 0;
    for (size_t i = 0; i < s->nfits; i++) {
        const struct summary_fit *fit = &s->fits[i];
        const struct stats_summary *base = &fit->baseline->s;
        double e = last_karp_flatt(s, fit);
        for (size_t k = 0; k < s->npredict; k++) {
            const struct summary_prediction *pr = &fit->predictions[k];
            double p = (double)pr->workers / (double)fit->baseline->group->workers;
            out[n++] = (struct predict_point){
                .experiment = fit->sweep->experiment, .variant = fit->sweep->variant,
                .workers = pr->workers,
                .seconds = base->mean / pr->speedup,
                .low = base->ci_low / pr->high, .high = base->ci_high / pr->low,
                .speedup = pr->speedup, .speedup_low = pr->low, .speedup_high = pr->high,
                .karp_flatt_speedup = isnan(e) ? NAN : stats_amdahl_speedup(e, p),
            };
        }
    }
    return n;
}
