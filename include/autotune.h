/* --workers auto: the smallest worker count whose time is within a
 * tolerance of the best, found with far fewer runs than a full sweep.
 *
 * The search knows nothing about what it times: the caller hands it a
 * callback that runs the work once at W workers and returns the seconds, so
 * a unit test can replace the work by a fake cost curve.
 *
 * Search (every probed count is run `repeat` times after `warmup` untimed
 * runs, and summarized with stats.h):
 *   1. doubling  W = 1, 2, 4, ... (the last step clamped to max_workers)
 *                while the time keeps improving significantly: the Welch
 *                test says W is faster than the previous count (p < 0.05,
 *                or, without spread, the means differ) AND by more than the
 *                tolerance. A gain in the means that Welch cannot confirm
 *                yet gets more runs on both sides (at most 3 x repeat)
 *                first. The first count that does not improve ends it.
 *   2. bisection best = the lowest mean probed; hi = the smallest probed
 *                count within the tolerance of best (mean <= best *
 *                (1 + tolerance)), lo = the largest probed count below hi;
 *                probe the midpoint until hi - lo = 1. Then, when the
 *                Welch test cannot tell lo from the best (the means may be
 *                noise), both get `repeat` more runs (at most 3 x repeat in
 *                all) and the bracket is drawn again. The choice is hi.
 * This assumes the curve falls and then levels off (or rises): the usual
 * shape of time against workers. A plateau that drops again later is
 * missed; the reported curve shows what was seen.
 *
 * Every figure is a time, so a busy machine bends the curve: the search
 * reads the system's CPU pressure (pressure.h) over its run and calls
 * itself contended when some task waited for a CPU for AUTOTUNE_CONTENDED
 * of the time or more (its own threads included); the report says so. */
#ifndef CONCUR_AUTOTUNE_H
#define CONCUR_AUTOTUNE_H

#include <stdbool.h>
#include <stddef.h>

#include "stats.h"
#include "status.h"

#define AUTOTUNE_DEFAULT_TOLERANCE 0.05
#define AUTOTUNE_ALPHA 0.05
/* A guard against a search that would not end on a pathological curve. */
#define AUTOTUNE_MAX_PROBES 64
/* A count may get up to this many times `repeat` runs when noise leaves a
 * decision open. */
#define AUTOTUNE_MAX_ROUNDS 3
/* CPU pressure ("some") over the search's wall time from which the search
 * says it was contended. */
#define AUTOTUNE_CONTENDED 0.1
/* A shorter search says nothing about pressure: a few milliseconds within
 * one scheduler slice were seen to read 0% on a loaded CPU. */
#define AUTOTUNE_PRESSURE_MIN_S 0.1

/* Runs the work once at `workers` and stores its time in *seconds. A non-OK
 * status ends the search and is returned as is. */
typedef enum cc_status (*autotune_run_fn)(void *ctx, unsigned workers, double *seconds,
                                          struct cc_err *err);

struct autotune_options {
    unsigned max_workers;  /* candidates are 1 .. max_workers */
    double tolerance;      /* e.g. 0.05: within 5% of the best time */
    unsigned repeat;       /* timed runs per probed count, at least 1 */
    unsigned warmup;       /* untimed runs before each probed count */
    autotune_run_fn run;
    void *ctx;
};

struct autotune_point {
    unsigned workers;
    double *seconds;       /* n values, in run order */
    size_t n;
    struct stats_summary s;
};

struct autotune_result {
    struct autotune_point *points;  /* every probed count, by workers */
    size_t npoints;
    unsigned chosen;                /* the answer */
    unsigned best;                  /* the count with the lowest mean */
    size_t runs;                    /* timed runs spent (warm-ups not counted) */
    size_t full_sweep_runs;         /* max_workers * repeat */
    double cpu_pressure;            /* share of the search's wall time some task
                                       waited for a CPU (system-wide); NAN: unknown */
    bool contended;                 /* cpu_pressure >= AUTOTUNE_CONTENDED */
};

/* Runs the search. *out is allocated on success (free with autotune_free);
 * CC_EINPUT for bad options. */
enum cc_status autotune_search(const struct autotune_options *o,
                               struct autotune_result **out, struct cc_err *err);

void autotune_free(struct autotune_result *r);

/* The point of r at exactly this count, or NULL. */
const struct autotune_point *autotune_find(const struct autotune_result *r, unsigned workers);

/* The tolerance rule alone, on a full curve: the smallest workers[i] whose
 * mean is at most min(means) * (1 + tolerance). n >= 1. Tests use it to
 * find the knee of a full sweep. */
unsigned autotune_knee(const unsigned workers[], const double means[], size_t n,
                       double tolerance);

#endif
