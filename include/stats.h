/* Statistics over repeated runs: the only module that uses GSL.
 *
 * Pure computation on arrays of doubles; no I/O. A value that is undefined
 * (the sd of one run, an interval that does not exist) is NAN; the output
 * layer writes it as null or "-". GSL's own error handler is switched off
 * by stats_init: every GSL status is checked here and turned into a
 * cc_status.
 *
 * Methods (doc/commands.md's "concur stats" section explains them to users):
 *   mean, sd, median, quartiles  gsl_stats_* (running-mean recurrences, not
 *                                one-pass sums of squares) on sorted data;
 *   95% CI of the mean           mean -+ t(0.975, n-1) * sd / sqrt(n); when
 *                                that lower end is <= 0 (a few runs with a
 *                                huge spread), the lower end of the same
 *                                t-interval on log times instead: it bounds
 *                                the geometric mean, which is never above
 *                                the mean, so it is a valid (conservative)
 *                                lower bound, and it is > 0 (0 when a run
 *                                took 0 s);
 *   outliers                     Tukey's fences, Q1 - 1.5 IQR and Q3 + 1.5 IQR,
 *                                quartiles as gsl_stats_quantile_from_sorted_data
 *                                (linear interpolation); none below 4 values;
 *   ratio of two means           Fieller's interval for independent samples,
 *                                Welch-Satterthwaite degrees of freedom;
 *                                when its lower end is <= 0, that of the
 *                                ratio of geometric means (log scale,
 *                                Welch) instead, so a ratio of times stays
 *                                > 0; computed on scaled values, so times
 *                                near DBL_MAX do not overflow;
 *   Welch t-test                 two-sided p from gsl_cdf_tdist_Q;
 *   Amdahl                       least squares of 1/S - 1/p = f (1 - 1/p), a
 *                                line through the origin (gsl_fit_mul); f
 *                                and its interval clamped to [0, 1];
 *   Karp-Flatt                   e = (1/S - 1/p) / (1 - 1/p). */
#ifndef CONCUR_STATS_H
#define CONCUR_STATS_H

#include <stdbool.h>
#include <stddef.h>

#include "status.h"

/* Tukey's constant: 1.5 interquartile ranges beyond the quartiles. */
#define STATS_TUKEY_K 1.5
/* The two-sided confidence level of every interval. */
#define STATS_LEVEL 0.95

/* Turns GSL's abort-on-error handler off, once, before any GSL call. */
void stats_init(void);

struct stats_summary {
    size_t n;
    double mean, sd, median, min, max;
    double cv;                   /* sd / mean */
    double ci_low, ci_high;      /* STATS_LEVEL interval of the mean */
    double q1, q3;               /* quartiles */
    double fence_low, fence_high;
    size_t outliers;             /* values outside the fences */
    double log_mean, log_sd;     /* of log(value); NAN when a value is 0
                                    (log_sd also below 2 values) */
};

/* Summarizes n values (any order; n may be 0, which leaves everything
 * undefined). */
enum cc_status stats_summarize(const double data[], size_t n,
                               struct stats_summary *s, struct cc_err *err);

/* Marks outside[i] for each value outside s's fences; returns the count. */
size_t stats_flag_outliers(const double data[], size_t n,
                           const struct stats_summary *s, bool outside[]);

/* Copies the values inside the fences to kept[] (room for n); returns how
 * many. */
size_t stats_drop_outliers(const double data[], size_t n,
                           const struct stats_summary *s, double kept[]);

struct stats_ratio {
    double ratio;      /* num.mean / den.mean */
    double low, high;  /* Fieller interval; NAN when it is unbounded or a
                          sample has fewer than 2 values */
    double df;         /* degrees of freedom used for t */
};

/* The ratio of the means of two independent samples, num.mean / den.mean,
 * with Fieller's STATS_LEVEL interval: the set of rho with
 * (a - rho b)^2 <= t^2 (va + rho^2 vb), where a, b are the means and va, vb
 * their squared standard errors. */
enum cc_status stats_ratio_fieller(const struct stats_summary *num,
                                   const struct stats_summary *den,
                                   struct stats_ratio *out, struct cc_err *err);

struct stats_welch {
    double t;    /* (mean_b - mean_a) / standard error of the difference */
    double df;   /* Welch-Satterthwaite */
    double p;    /* two-sided */
};

/* Welch's unequal-variance t-test of a against b; NAN p when either sample
 * has fewer than 2 values. */
enum cc_status stats_welch_test(const struct stats_summary *a,
                                const struct stats_summary *b,
                                struct stats_welch *out, struct cc_err *err);

struct stats_amdahl {
    size_t points;     /* worker counts used */
    double f;          /* serial fraction, clamped to [0, 1] */
    double f_fit;      /* the least-squares value before clamping */
    bool clamped;      /* f != f_fit */
    double se;         /* its standard error; NAN with one point */
    double low, high;  /* STATS_LEVEL interval of f, clamped to [0, 1];
                          NAN with one point */
    double rss;        /* residual sum of squares of 1/S */
};

/* Fits Amdahl's law S(p) = 1 / (f + (1 - f) / p) to speedups at worker
 * counts p. Needs at least one p > 1; CC_EINPUT otherwise. */
enum cc_status stats_amdahl_fit(const double workers[], const double speedup[],
                                size_t n, struct stats_amdahl *fit,
                                struct cc_err *err);

/* Least squares of y = c[0] x_0 + ... + c[k-1] x_(k-1) (no intercept, at
 * most STATS_LINEAR_MAX regressors) with the parameters' covariance
 * sigma^2 (X'X)^-1 (gsl_multifit_linear). */
#define STATS_LINEAR_MAX 3
struct stats_linear {
    size_t n, k;
    double c[STATS_LINEAR_MAX];
    double cov[STATS_LINEAR_MAX][STATS_LINEAR_MAX];
    double dof;        /* n - k */
    double rss;
};

/* x[j] is the j-th regressor's column of n values. Needs n > k (one degree
 * of freedom for the scatter): CC_EINPUT otherwise. The columns must be
 * linearly independent; stats_proportional tells when two are not. */
enum cc_status stats_fit_linear(const double *const x[], size_t k, const double y[], size_t n,
                                struct stats_linear *fit, struct cc_err *err);

/* True when x1 is a constant multiple of x0 (zeros of x1 aside). */
bool stats_proportional(const double x0[], const double x1[], size_t n);

/* The fitted y at the point x (k values) and the half-width of its
 * STATS_LEVEL interval (the mean response: t(dof) times the standard error
 * from the covariance). */
void stats_linear_predict(const struct stats_linear *fit, const double x[], double *y,
                          double *half);

/* Amdahl's speedup on p workers for serial fraction f. */
double stats_amdahl_speedup(double f, double p);

/* The Karp-Flatt experimentally determined serial fraction; NAN at p <= 1. */
double stats_karp_flatt(double speedup, double p);

#endif
