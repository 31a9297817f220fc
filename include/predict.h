/* concur predict: from a sweep measured on one machine, the time and
 * speedup on more cores, or for more URLs at other worker counts, with
 * 95% intervals. Computation only; the command-line layer prints.
 *
 * CPU (every experiment but io): scaling.h's Amdahl fit per sweep. At P
 * cores (relative to the baseline's workers, as in scaling.h)
 *   speedup   S(P) = 1 / (f + (1 - f) / P), interval from f's interval
 *             (clamped to [0, 1]: S falls as f grows);
 *   seconds   baseline mean / S(P), interval [ci_low / S_high,
 *             ci_high / S_low] with the baseline's 95% CI of the mean;
 *   karp_flatt the speedup with f replaced by the Karp-Flatt metric at the
 *             largest measured count (a second opinion: it rises with P
 *             when overhead grows, which Amdahl's constant f cannot show).
 *
 * I/O (experiment io, which needs the items column): N requests at W
 * workers go in ceil(N/W) rounds of one latency each, each worker spends a
 * per-request cost on its N/W requests, and every run starts W workers
 * (threads, connections) at a cost each:
 *   seconds = latency * ceil(N/W) + cost * N/W + setup * W
 * fitted by least squares over every run of a variant together with the
 * sync runs (W = 1: N rounds), stats_fit_linear; the interval is that of
 * the mean response. A term the runs cannot determine is left out (0):
 * setup when fewer distinct worker counts were measured than terms; cost
 * when every measured W divides N (ceil(N/W) = N/W: latency cannot be told
 * from cost, and "latency" is then latency + cost per round). A term the
 * fit makes negative (lost in the noise of the others) is left out too,
 * setup before cost, and the rest refitted. */
#ifndef CONCUR_PREDICT_H
#define CONCUR_PREDICT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "runs.h"
#include "stats.h"
#include "status.h"
#include "scaling.h"

struct predict_point {
    const char *experiment, *variant;
    uint64_t workers;
    uint64_t items;                 /* io: N; 0 for cpu */
    double seconds, low, high;      /* predicted time and its interval */
    double speedup, speedup_low, speedup_high;  /* cpu: Amdahl; io: NAN */
    double karp_flatt_speedup;      /* cpu; NAN for io */
};

/* The terms of the io model, in the order of their columns. */
enum predict_io_term {
    IO_LATENCY,     /* seconds per round of W requests */
    IO_COST,        /* seconds per request, for each worker's N/W */
    IO_SETUP,       /* seconds per worker started */
    IO_TERMS
};

/* The rounds model of one io variant. */
struct predict_io_model {
    const char *variant;
    bool used[IO_TERMS];        /* the terms fitted (latency always) */
    double coef[IO_TERMS];      /* 0 for a term left out */
    double se[IO_TERMS];        /* standard errors; 0 for a term left out */
    struct stats_linear fit;    /* over the used terms, in their order */
    size_t runs;
};

/* The model's time for n requests at w workers, and its interval. */
void predict_io_time(const struct predict_io_model *m, uint64_t n, uint64_t w,
                     double *seconds, double *low, double *high);

/* Fits the rounds model to the io runs of `variant` plus the sync runs.
 * Groups carry N in their --by value (read with by column "items").
 * CC_EINPUT when there are too few runs even for the latency alone. */
enum cc_status predict_io_fit(const struct runs *r, const char *variant,
                              struct predict_io_model *m, struct cc_err *err);

/* The CPU predictions from a scaling table built with the cores as its predict
 * list: one point per (fit, core count), appended to out (room for
 * s->nfits * s->npredict); returns how many. */
size_t predict_cpu(const struct scaling *s, struct predict_point out[]);

/* ---- the whole prediction of `concur predict` ---------------------------
 * From the runs read, the cpu points of every non-io sweep (scaling.h's
 * Amdahl fit), and with list sizes and worker counts the rounds model of
 * every parallel io variant and its points at each (N, W). */

/* What to predict; the arrays stay the caller's. urls and workers go
 * together: both empty, or both given. */
struct predict_request {
    const uint64_t *cores;      /* cpu: core counts */
    size_t ncores;
    const uint64_t *urls;       /* io: list sizes N */
    size_t nurls;
    const uint64_t *workers;    /* io: worker counts W */
    size_t nworkers;
};

/* Everything predicted, with the models behind it, for the writers and the
 * plot (plot.h). */
struct predict_result {
    struct predict_request request;  /* as asked */
    const struct runs *runs;    /* the input, grouped by the SPEC key */
    struct runs *io_runs;       /* the same runs grouped by items, for the io
                                   model; NULL without urls */
    struct scaling *scaling;    /* the Amdahl fits (io sweeps among them,
                                   but no io point comes from them) */
    struct predict_point *points; /* cpu points (items 0), then io points */
    size_t npoints;
    struct predict_io_model *models;  /* one per parallel io variant */
    size_t nmodels;
};

/* Predicts what req asks from runs (borrowed: it must outlive *out). The
 * io model regroups the runs in memory (runs_regroup): runs must have kept
 * their records (runs_load_kept), and so runs read from standard input
 * serve. CC_EINPUT when the io runs lack the items column or
 * a parallel variant, or when nothing can be predicted. *out is to be
 * freed with predict_free whatever the status. */
enum cc_status predict_build(const struct runs *runs, const struct predict_request *req,
                             struct predict_result *out, struct cc_err *err);

void predict_free(struct predict_result *p);

#endif
