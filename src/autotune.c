/* --workers auto: doubling, then bisection, with the statistics deciding
 * whether a count really improves on the one before (autotune.h). */
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "autotune.h"
#include "clock.h"
#include "grow.h"
#include "pressure.h"

struct search {
    const struct autotune_options *o;
    struct autotune_result *r;
    size_t capacity;
};

void autotune_free(struct autotune_result *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->npoints; i++)
        free(r->points[i].seconds);
    free(r->points);
    free(r);
}

const struct autotune_point *autotune_find(const struct autotune_result *r, unsigned workers)
{
    for (size_t i = 0; i < r->npoints; i++)
        if (r->points[i].workers == workers)
            return &r->points[i];
    return NULL;
}

unsigned autotune_knee(const unsigned workers[], const double means[], size_t n,
                       double tolerance)
{
    double best = INFINITY;
    for (size_t i = 0; i < n; i++)
        if (means[i] < best)
            best = means[i];
    unsigned knee = 0;
    for (size_t i = 0; i < n; i++)
        if (means[i] <= best * (1 + tolerance) && (knee == 0 || workers[i] < knee))
            knee = workers[i];
    return knee;
}

/* Inserts a slot for a new count, keeping the points ordered by workers. */
static struct autotune_point *new_point(struct search *s, unsigned workers, struct cc_err *err)
{
    struct autotune_result *r = s->r;
    struct autotune_point *points = grow(r->points, &s->capacity, r->npoints + 1, sizeof *points, 16);
    if (!points) {
        cc_error(err, CC_ESYS, "out of memory");
        return NULL;
    }
    r->points = points;
    size_t at = 0;
    while (at < r->npoints && r->points[at].workers < workers)
        at++;
    memmove(&r->points[at + 1], &r->points[at], (r->npoints - at) * sizeof *r->points);
    r->npoints++;
    r->points[at] = (struct autotune_point){.workers = workers};
    r->points[at].seconds = calloc((size_t)s->o->repeat * AUTOTUNE_MAX_ROUNDS, sizeof(double));
    if (!r->points[at].seconds) {
        cc_error(err, CC_ESYS, "out of memory");
        return NULL;
    }
    return &r->points[at];
}

/* `repeat` more timed runs at p's count, and its summary afresh. */
static enum cc_status more_runs(struct search *s, struct autotune_point *p, struct cc_err *err)
{
    for (unsigned k = 0; k < s->o->repeat; k++) {
        enum cc_status status = s->o->run(s->o->ctx, p->workers, &p->seconds[p->n], err);
        if (status != CC_OK)
            return status;
        p->n++;
        s->r->runs++;
    }
    return stats_summarize(p->seconds, p->n, &p->s, err);
}

/* Warm-ups, then `repeat` timed runs at this count, summarized. */
static enum cc_status probe(struct search *s, unsigned workers, const struct autotune_point **out,
                            struct cc_err *err)
{
    const struct autotune_options *o = s->o;
    double seconds;
    enum cc_status status;

    if ((*out = autotune_find(s->r, workers)))
        return CC_OK;
    if (s->r->npoints >= AUTOTUNE_MAX_PROBES)
        return cc_error(err, CC_EFAIL, "--workers auto: no answer after %d probed counts",
                        AUTOTUNE_MAX_PROBES);
    for (unsigned k = 0; k < o->warmup; k++)
        if ((status = o->run(o->ctx, workers, &seconds, err)) != CC_OK)
            return status;
    struct autotune_point *p = new_point(s, workers, err);
    if (!p)
        return CC_ESYS;
    *out = p;
    return more_runs(s, p, err);
}

/* True when `next` is really faster than `prev`: significant by Welch (or,
 * with a single run each or no spread, by the means alone) and by more than
 * the tolerance, so that a tiny but consistent gain does not keep the
 * doubling going. A gain in the means that the test cannot confirm yet gets
 * more runs on both sides (up to AUTOTUNE_MAX_ROUNDS times repeat) before
 * it counts as none: with two or three runs a single slow run would
 * otherwise stop the search early. */
static enum cc_status improves(struct search *s, unsigned prev_w, unsigned next_w, bool *yes,
                               struct cc_err *err)
{
    size_t cap = (size_t)s->o->repeat * AUTOTUNE_MAX_ROUNDS;
    for (;;) {
        struct autotune_point *prev = (struct autotune_point *)autotune_find(s->r, prev_w);
        struct autotune_point *next = (struct autotune_point *)autotune_find(s->r, next_w);
        struct stats_welch w;
        enum cc_status status = stats_welch_test(&prev->s, &next->s, &w, err);
        if (status != CC_OK)
            return status;
        bool gain = next->s.mean < prev->s.mean * (1 - s->o->tolerance);
        bool significant = isnan(w.p) || w.p < AUTOTUNE_ALPHA;
        *yes = gain && significant;
        if (!gain || significant || (prev->n >= cap && next->n >= cap))
            return CC_OK;
        if (prev->n < cap && (status = more_runs(s, prev, err)) != CC_OK)
            return status;
        if (next->n < cap && (status = more_runs(s, next, err)) != CC_OK)
            return status;
    }
}

/* Points move when the array grows: keep counts, look points up afresh. */
static enum cc_status doubling(struct search *s, struct cc_err *err)
{
    const struct autotune_point *p;
    enum cc_status status = probe(s, 1, &p, err);
    unsigned prev = 1, w = 1;

    while (status == CC_OK && w < s->o->max_workers) {
        w = w > s->o->max_workers / 2 ? s->o->max_workers : 2 * w;
        if ((status = probe(s, w, &p, err)) != CC_OK)
            break;
        bool better;
        status = improves(s, prev, w, &better, err);
        if (status != CC_OK || !better)
            break;
        prev = w;
    }
    return status;
}

/* best, hi and lo over the probed points (autotune.h, step 2). */
static void bracket(struct autotune_result *r, double tolerance, unsigned *lo, unsigned *hi)
{
    double best = INFINITY;
    for (size_t i = 0; i < r->npoints; i++)
        if (r->points[i].s.mean < best) {
            best = r->points[i].s.mean;
            r->best = r->points[i].workers;
        }
    *lo = 0;
    *hi = 0;
    for (size_t i = 0; i < r->npoints && !*hi; i++) {
        if (r->points[i].s.mean <= best * (1 + tolerance))
            *hi = r->points[i].workers;
        else
            *lo = r->points[i].workers;
    }
}

/* lo is outside the tolerance by its mean; when the Welch test cannot tell
 * it from the best, the means may only be noise: both get more runs (up to
 * AUTOTUNE_MAX_ROUNDS times repeat), then the bracket is drawn again.
 * Sets *again when it added runs. */
static enum cc_status settle(struct search *s, unsigned lo, bool *again, struct cc_err *err)
{
    struct autotune_point *a = (struct autotune_point *)autotune_find(s->r, lo);
    struct autotune_point *b = (struct autotune_point *)autotune_find(s->r, s->r->best);
    size_t cap = (size_t)s->o->repeat * AUTOTUNE_MAX_ROUNDS;
    struct stats_welch w;

    *again = false;
    if (!a || !b || a == b || (a->n >= cap && b->n >= cap))
        return CC_OK;
    enum cc_status status = stats_welch_test(&b->s, &a->s, &w, err);
    if (status != CC_OK || isnan(w.p) || w.p < AUTOTUNE_ALPHA)
        return status;
    if (a->n < cap && (status = more_runs(s, a, err)) != CC_OK)
        return status;
    if (b->n < cap && (status = more_runs(s, b, err)) != CC_OK)
        return status;
    *again = true;
    return CC_OK;
}

static enum cc_status bisection(struct search *s, struct cc_err *err)
{
    unsigned lo, hi;
    const struct autotune_point *p;
    enum cc_status status = CC_OK;
    bool again = true;

    while (status == CC_OK && again) {
        bracket(s->r, s->o->tolerance, &lo, &hi);
        if (lo > 0 && hi - lo > 1) {
            status = probe(s, lo + (hi - lo) / 2, &p, err);
            continue;
        }
        /* Bracket closed: make sure its lower end really is worse. */
        status = lo > 0 ? settle(s, lo, &again, err) : CC_OK;
        if (lo == 0)
            again = false;
    }
    s->r->chosen = hi;
    return status;
}

enum cc_status autotune_search(const struct autotune_options *o,
                               struct autotune_result **out, struct cc_err *err)
{
    *out = NULL;
    if (o->max_workers < 1 || o->repeat < 1 || !(o->tolerance >= 0) || !o->run)
        return cc_error(err, CC_EINPUT, "--workers auto: needs at least one worker and one run");
    struct search s = {.o = o, .r = calloc(1, sizeof *s.r)};
    if (!s.r)
        return cc_error(err, CC_ESYS, "out of memory");
    s.r->full_sweep_runs = (size_t)o->max_workers * o->repeat;
    double psi0 = pressure_some_s("cpu"), t0 = clock_now();
    enum cc_status status = doubling(&s, err);
    if (status == CC_OK)
        status = bisection(&s, err);
    double wall = clock_now() - t0;
    s.r->cpu_pressure = wall >= AUTOTUNE_PRESSURE_MIN_S ? (pressure_some_s("cpu") - psi0) / wall : NAN;
    s.r->contended = s.r->cpu_pressure >= AUTOTUNE_CONTENDED;
    if (status != CC_OK) {
        autotune_free(s.r);
        return status;
    }
    *out = s.r;
    return CC_OK;
}
