/* The scaling table behind `concur stats`, `concur compare` and `concur
 * predict`: runs grouped (runs.h), each group summarized (stats.h's
 * summary), speedups against a baseline per experiment, and an Amdahl fit
 * per worker sweep. Computation only; the command-line layer prints it.
 *
 * Worker counts enter speedup, efficiency, Karp-Flatt and Amdahl relative to
 * the baseline's workers, p = workers / baseline workers: with the usual
 * one-worker baseline that is simply workers.
 *
 * The baseline (runs.h): --baseline when given; else the experiment's
 * serial or sync group; else, per sweep, the group its baseline_workers
 * column names, or its group with the fewest workers. So every sweep has
 * one and a speedup table, with no option needed.
 *
 * Groups marked oversubscribed (more workers than CPUs) are shown with
 * their speedups but left out of the Amdahl fit and of predict's
 * Karp-Flatt: time-sharing a core is not a serial fraction. */
#ifndef CONCUR_SCALING_H
#define CONCUR_SCALING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "runs.h"
#include "stats.h"
#include "status.h"

struct scaling_options {
    const char *baseline;     /* variant, NULL for the SPEC default */
    uint64_t baseline_workers; /* 0: the baseline variant's fewest workers */
    bool drop_outliers;       /* leave Tukey outliers out of the statistics */
    const uint64_t *predict;  /* worker counts for Amdahl's predictions */
    size_t npredict;
};

struct scaling_row {
    const struct runs_group *group;
    struct stats_summary s;        /* of the values used (outliers left out
                                      when dropping) */
    size_t outliers;               /* flagged, and dropped when asked */
    double *outlier_values;        /* the flagged values, in file order */
    const struct scaling_row *baseline; /* NULL: its experiment has none */
    const char *baseline_rule;     /* how it was chosen, for the output:
                                      "--baseline", "serial/sync",
                                      "baseline_workers", "fewest workers" */
    struct stats_ratio speedup;    /* baseline mean / this mean */
    double efficiency;             /* speedup / p */
    double karp_flatt;             /* NAN at p <= 1 or without a speedup */
};

struct scaling_prediction {
    uint64_t workers;
    double speedup, low, high;     /* low/high from f's interval, f clamped
                                      to [0, 1] */
};

struct scaling_fit {
    const struct runs_group *sweep;    /* its first group: names the sweep */
    const struct scaling_row *baseline;
    struct stats_amdahl amdahl;
    size_t oversubscribed;             /* groups left out of the fit */
    struct scaling_prediction *predictions; /* npredict of them */
};

struct scaling {
    struct scaling_row *rows;      /* in runs_sort's order */
    size_t nrows;
    struct scaling_fit *fits;
    size_t nfits;
    size_t npredict;
    const char **no_baseline;      /* experiments without a baseline */
    size_t nno_baseline;
    size_t oversubscribed;         /* groups left out of the fits, all
                                      sweeps (fitted or not) together */
};

/* Builds the table from r (already sorted with runs_sort). Fails with
 * CC_EINPUT when a chosen baseline matches no group in any experiment. */
enum cc_status scaling_build(const struct runs *r, const struct scaling_options *o,
                             struct scaling **out, struct cc_err *err);

void scaling_free(struct scaling *s);

/* The row of the group with the same key as g in s, or NULL. */
const struct scaling_row *scaling_find(const struct scaling *s, const struct runs_group *g);

#endif
