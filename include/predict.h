/* concur predict: from a sweep measured on one machine, the time and
 * speedup on more cores, or for more URLs at other worker counts, with
 * 95% intervals. Computation only; the command-line layer prints.
 *
 * CPU (every experiment but io): summary.h's Amdahl fit per sweep. At P
 * cores (relative to the baseline's workers, as in summary.h)
 *   speedup   S(P) = 1 / (f + (1 - f) / P), interval from f's interval
 *             (clamped to [0, 1]: S falls as f grows);
 *   seconds   baseline mean / S(P), interval [ci_low / S_high,
 *             ci_high / S_low] with the baseline's 95% CI of the mean;
 *   karp_flatt the speedup with f replaced by the Karp-Flatt metric at the
 *             largest measured count (a second opinion: it rises with P
 *             when overhead grows, which Amdahl's constant f cannot show).
 *
 * I/O (experiment io, which needs the items column): N requests at W
 * workers go in ceil(N/W) rounds of one latency each, and each worker
 * spends a per-request cost on its N/W requests:
 *   seconds = latency * ceil(N/W) + cost * N/W
 * fitted by least squares over every run of a variant together with the
 * sync runs (W = 1: N rounds), stats_fit_linear2; the interval is that of
 * the mean response. When every measured W divides N, ceil(N/W) = N/W and
 * latency cannot be told from cost (or when the fit makes either negative,
 * which happens when the per-request cost is lost in the noise of the
 * latency): the model is then
 *   seconds = per_round * ceil(N/W),  per_round = latency + cost
 * (reported as latency, with cost 0 and the fit marked reduced). */
#ifndef CONCUR_PREDICT_H
#define CONCUR_PREDICT_H

#include <stddef.h>
#include <stdint.h>

#include "runs.h"
#include "stats.h"
#include "status.h"
#include "summary.h"

struct predict_point {
    const char *experiment, *variant;
    uint64_t workers;
    uint64_t items;                 /* io: N; 0 for cpu */
    double seconds, low, high;      /* predicted time and its interval */
    double speedup, speedup_low, speedup_high;  /* cpu: Amdahl; io: NAN */
    double karp_flatt_speedup;      /* cpu; NAN for io */
};

/* The rounds model of one io variant. */
struct predict_io_model {
    const char *variant;
    struct stats_linear2 fit;       /* c0: latency per round, c1: cost per request */
    size_t runs;
};

/* The model's time for n requests at w workers, and its interval. */
void predict_io_time(const struct predict_io_model *m, uint64_t n, uint64_t w,
                     double *seconds, double *low, double *high);

/* Fits the rounds model to the io runs of `variant` plus the sync runs.
 * Groups carry N in their --by value (read with by column "items").
 * CC_EINPUT when the runs cannot determine both parameters. */
enum cc_status predict_io_fit(const struct runs *r, const char *variant,
                              struct predict_io_model *m, struct cc_err *err);

/* The CPU predictions from a summary built with the cores as its predict
 * list: one point per (fit, core count), appended to out (room for
 * s->nfits * s->npredict); returns how many. */
size_t predict_cpu(const struct summary *s, struct predict_point out[]);

#endif
