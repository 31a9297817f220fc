#include "stats.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_fit.h>
#include <gsl/gsl_multifit.h>
#include <gsl/gsl_sort_double.h>
#include <gsl/gsl_statistics_double.h>

void stats_init(void)
{
    gsl_set_error_handler_off();
}

/* The two-sided STATS_LEVEL quantile of Student's t with df degrees of
 * freedom. GSL's inverse CDFs report failure as NAN (with the handler off),
 * which is then passed on as "undefined". */
static double t_quantile(double df)
{
    if (!(df > 0))
        return NAN;
    return gsl_cdf_tdist_Pinv(0.5 + STATS_LEVEL / 2, df);
}

static void summary_undefined(struct stats_summary *s, size_t n)
{
    s->n = n;
    s->mean = s->sd = s->median = s->min = s->max = s->cv = NAN;
    s->ci_low = s->ci_high = s->q1 = s->q3 = NAN;
    s->fence_low = s->fence_high = NAN;
    s->outliers = 0;
    s->log_mean = s->log_sd = NAN;
}

/* The sd of sorted values that are so large (near DBL_MAX) that squared
 * deviations overflow: the same computed on values scaled by the largest,
 * which leaves the result unchanged in exact arithmetic. */
static double sd_scaled(double sorted[], size_t n, double mean)
{
    double scale = fmax(fabs(sorted[0]), fabs(sorted[n - 1]));
    if (!(scale > 0) || !isfinite(scale))
        return NAN;
    double *y = malloc(n * sizeof *y);
    if (!y)
        return NAN;
    for (size_t i = 0; i < n; i++)
        y[i] = sorted[i] / scale;
    double sd = scale * gsl_stats_sd_m(y, 1, n, mean / scale);
    free(y);
    return isfinite(sd) ? sd : NAN;
}

/* The mean and sd of the logs, for the intervals that must stay > 0. */
static void log_moments(const double sorted[], size_t n, struct stats_summary *s)
{
    if (!(sorted[0] > 0))
        return;
    double m = 0, q = 0;
    for (size_t i = 0; i < n; i++) {  /* Welford: no large intermediate sums */
        double d = log(sorted[i]) - m;
        m += d / (double)(i + 1);
        q += d * (log(sorted[i]) - m);
    }
    s->log_mean = m;
    if (n >= 2)
        s->log_sd = sqrt(q / (double)(n - 1));
}

/* Quartiles and fences need at least 4 values to say anything: with fewer,
 * every value is within 1.5 IQR of a quartile it helped to make. */
static void tukey(const double sorted[], size_t n, struct stats_summary *s)
{
    if (n < 4)
        return;
    s->q1 = gsl_stats_quantile_from_sorted_data(sorted, 1, n, 0.25);
    s->q3 = gsl_stats_quantile_from_sorted_data(sorted, 1, n, 0.75);
    double iqr = s->q3 - s->q1;
    s->fence_low = s->q1 - STATS_TUKEY_K * iqr;
    s->fence_high = s->q3 + STATS_TUKEY_K * iqr;
    for (size_t i = 0; i < n; i++)
        if (sorted[i] < s->fence_low || sorted[i] > s->fence_high)
            s->outliers++;
}

enum cc_status stats_summarize(const double data[], size_t n,
                               struct stats_summary *s, struct cc_err *err)
{
    summary_undefined(s, n);
    if (n == 0)
        return CC_OK;

    double *sorted = malloc(n * sizeof *sorted);
    if (!sorted)
        return cc_error(err, CC_ESYS, "out of memory");
    memcpy(sorted, data, n * sizeof *sorted);
    gsl_sort(sorted, 1, n);

    /* gsl_stats_mean is a running mean, m += (x - m) / (i + 1): no large
     * intermediate sum, so a large offset does not swamp a tiny spread. */
    s->mean = gsl_stats_mean(sorted, 1, n);
    s->median = gsl_stats_median_from_sorted_data(sorted, 1, n);
    if (!isfinite(s->median))  /* (a + b) / 2 overflowed near DBL_MAX */
        s->median = sorted[(n - 1) / 2] + (sorted[n / 2] - sorted[(n - 1) / 2]) / 2;
    s->min = sorted[0];
    s->max = sorted[n - 1];
    if (n >= 2) {
        /* Two passes: deviations from the mean, never sum(x^2) - n m^2. */
        s->sd = gsl_stats_sd_m(sorted, 1, n, s->mean);
        if (!isfinite(s->sd))
            s->sd = sd_scaled(sorted, n, s->mean);
        s->cv = s->mean != 0 ? s->sd / s->mean : NAN;
    }
    log_moments(sorted, n, s);
    if (n >= 2) {
        double t = t_quantile((double)(n - 1));
        double half = t * s->sd / sqrt((double)n);
        s->ci_low = s->mean - half;
        s->ci_high = s->mean + half;
        if (!(s->ci_low > 0) && sorted[0] >= 0)
            s->ci_low = sorted[0] > 0 ? exp(s->log_mean - t * s->log_sd / sqrt((double)n)) : 0;
        if (!isfinite(s->ci_high))
            s->ci_low = s->ci_high = NAN;
    }
    tukey(sorted, n, s);
    free(sorted);
    return CC_OK;
}

static bool outside_fences(double v, const struct stats_summary *s)
{
    /* Comparisons with NAN fences are false: nothing is an outlier then. */
    return v < s->fence_low || v > s->fence_high;
}

size_t stats_flag_outliers(const double data[], size_t n,
                           const struct stats_summary *s, bool outside[])
{
    size_t count = 0;
    for (size_t i = 0; i < n; i++) {
        outside[i] = outside_fences(data[i], s);
        count += outside[i];
    }
    return count;
}

size_t stats_drop_outliers(const double data[], size_t n,
                           const struct stats_summary *s, double kept[])
{
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (!outside_fences(data[i], s))
            kept[m++] = data[i];
    return m;
}

/* A scale for a sample's mean and sd: computing on values divided by it
 * keeps squares of times near DBL_MAX finite. */
static double scale_of(const struct stats_summary *s)
{
    double m = fmax(fabs(s->mean), isfinite(s->sd) ? s->sd : 0);
    return m > 0 && isfinite(m) ? m : 1;
}

/* The squared standard error of a mean scaled by c. */
static double scaled_variance(const struct stats_summary *s, double c)
{
    double sd = s->sd / c;
    return sd * sd / (double)s->n;
}

/* The lower end of the STATS_LEVEL interval of the ratio of geometric
 * means (Welch on the logs): > 0, the stand-in when Fieller's lower end is
 * not. 0 when a value is 0 (the ratio can then be 0). */
static double log_ratio_low(const struct stats_summary *num, const struct stats_summary *den)
{
    if (isnan(num->log_mean) || isnan(den->log_mean))
        return 0;
    double va = num->log_sd * num->log_sd / (double)num->n;
    double vb = den->log_sd * den->log_sd / (double)den->n;
    double se2 = va + vb;
    if (!(se2 > 0))
        return exp(num->log_mean - den->log_mean);
    double df = se2 * se2 / (va * va / (double)(num->n - 1) + vb * vb / (double)(den->n - 1));
    double low = exp(num->log_mean - den->log_mean - t_quantile(df) * sqrt(se2));
    return isfinite(low) ? low : 0;
}

enum cc_status stats_ratio_fieller(const struct stats_summary *num,
                                   const struct stats_summary *den,
                                   struct stats_ratio *out, struct cc_err *err)
{
    (void)err;
    out->ratio = den->mean != 0 ? num->mean / den->mean : NAN;
    out->low = out->high = out->df = NAN;
    if (!isfinite(out->ratio))
        out->ratio = NAN;
    if (num->n < 2 || den->n < 2 || !isfinite(out->ratio) || !isfinite(num->sd)
        || !isfinite(den->sd))
        return CC_OK;

    /* On scaled values: the interval of (a ca) / (b cb) is that of a / b
     * times ca / cb. */
    double ca = scale_of(num), cb = scale_of(den), unit = ca / cb;
    double a = num->mean / ca, b = den->mean / cb;
    double va = scaled_variance(num, ca), vb = scaled_variance(den, cb), r = a / b;
    double spread = va + r * r * vb;
    if (spread == 0) {  /* both samples constant: the ratio is exact */
        out->low = out->high = out->ratio;
        out->df = (double)(num->n + den->n - 2);
        return CC_OK;
    }
    /* Welch-Satterthwaite for a - r b, the quantity Fieller's interval
     * pivots on, evaluated at the estimate. */
    out->df = spread * spread
        / (va * va / (double)(num->n - 1) + r * r * r * r * vb * vb / (double)(den->n - 1));
    double t = t_quantile(out->df);
    double quad = b * b - t * t * vb;  /* > 0: the denominator's mean is
                                          significantly away from 0 */
    if (!(quad > 0))
        return CC_OK;
    double root = t * sqrt(a * a * vb + va * quad);
    double x1 = (a * b - root) / quad, x2 = (a * b + root) / quad;
    out->low = fmin(x1, x2) * unit;
    out->high = fmax(x1, x2) * unit;
    if (!isfinite(out->low) || !isfinite(out->high)) {
        out->low = out->high = NAN;
        return CC_OK;
    }
    /* Fieller's set reaches 0 or below when the numerator's mean is not
     * significantly above 0; a ratio of times cannot be, so the lower end
     * is taken on the log scale then. */
    if (!(out->low > 0) && num->mean >= 0 && den->mean > 0)
        out->low = fmin(log_ratio_low(num, den), out->ratio);
    return CC_OK;
}

enum cc_status stats_welch_test(const struct stats_summary *a,
                                const struct stats_summary *b,
                                struct stats_welch *out, struct cc_err *err)
{
    out->t = out->df = out->p = NAN;
    if (a->n < 2 || b->n < 2 || !isfinite(a->sd) || !isfinite(b->sd))
        return CC_OK;
    /* t and df do not change when both samples are scaled alike; scaling
     * keeps the squares of times near DBL_MAX finite. */
    double c = fmax(scale_of(a), scale_of(b));
    double va = scaled_variance(a, c), vb = scaled_variance(b, c);
    double diff = b->mean / c - a->mean / c;
    double se2 = va + vb;
    if (se2 == 0) {  /* no spread at all: equal or certainly different */
        out->df = (double)(a->n + b->n - 2);
        out->t = diff == 0 ? 0 : copysign(INFINITY, diff);
        out->p = diff == 0 ? 1 : 0;
        return CC_OK;
    }
    out->t = diff / sqrt(se2);
    out->df = se2 * se2 / (va * va / (double)(a->n - 1) + vb * vb / (double)(b->n - 1));
    out->p = 2 * gsl_cdf_tdist_Q(fabs(out->t), out->df);
    if (!isfinite(out->p)) {
        if (isfinite(out->t) && isfinite(out->df))
            return cc_error(err, CC_ESYS, "Welch test: GSL could not evaluate t=%g with df=%g",
                            out->t, out->df);
        out->t = out->df = out->p = NAN;  /* undefined, said as such */
    }
    if (out->p > 1)
        out->p = 1;
    return CC_OK;
}

static double clamp01(double v)
{
    return v < 0 ? 0 : v > 1 ? 1 : v;
}

enum cc_status stats_amdahl_fit(const double workers[], const double speedup[],
                                size_t n, struct stats_amdahl *fit, struct cc_err *err)
{
    fit->points = n;
    fit->f = fit->f_fit = fit->se = fit->low = fit->high = fit->rss = NAN;
    fit->clamped = false;

    /* 1/S = f + (1 - f)/p  <=>  1/S - 1/p = f (1 - 1/p): a line through the
     * origin in x = 1 - 1/p, y = 1/S - 1/p, so f is one linear parameter and
     * f and 1 - f stay tied together (a free two-parameter line in 1/p
     * would not respect that). */
    double *x = malloc(2 * (n ? n : 1) * sizeof *x);
    if (!x)
        return cc_error(err, CC_ESYS, "out of memory");
    double *y = x + n;
    bool spread = false;
    for (size_t i = 0; i < n; i++) {
        x[i] = 1 - 1 / workers[i];
        y[i] = 1 / speedup[i] - 1 / workers[i];
        spread |= workers[i] > 1;
    }
    enum cc_status status = CC_OK;
    if (!spread) {
        status = cc_error(err, CC_EINPUT, "Amdahl fit: no worker count above 1");
        goto out;
    }
    double cov11, rss;
    int gsl = gsl_fit_mul(x, 1, y, 1, n, &fit->f, &cov11, &rss);
    if (gsl) {
        status = cc_error(err, CC_ESYS, "Amdahl fit: %s", gsl_strerror(gsl));
        goto out;
    }
    fit->rss = rss;
    if (n >= 2) {  /* gsl_fit_mul estimates the scatter with n - 1 dof */
        fit->se = sqrt(cov11);
        double half = t_quantile((double)(n - 1)) * fit->se;
        fit->low = clamp01(fit->f - half);
        fit->high = clamp01(fit->f + half);
    }
    /* A serial fraction outside [0, 1] is noise around 0 (or 1), not a
     * fraction of the work: clamp it, and keep the fitted value to say so. */
    fit->f_fit = fit->f;
    fit->f = clamp01(fit->f);
    fit->clamped = fit->f != fit->f_fit;
out:
    free(x);
    return status;
}

double stats_amdahl_speedup(double f, double p)
{
    return 1 / (f + (1 - f) / p);
}

double stats_karp_flatt(double speedup, double p)
{
    if (!(p > 1) || !(speedup > 0) || !isfinite(speedup))
        return NAN;
    return (1 / speedup - 1 / p) / (1 - 1 / p);
}

/* True when x0 and x1 are proportional: one parameter could absorb the
 * other, so neither is determined. */
bool stats_proportional(const double x0[], const double x1[], size_t n)
{
    double r = NAN;
    for (size_t i = 0; i < n; i++) {
        if (x1[i] == 0)
            continue;
        double q = x0[i] / x1[i];
        if (isnan(r))
            r = q;
        else if (fabs(q - r) > 1e-12 * fabs(r))
            return false;
    }
    return true;
}

enum cc_status stats_fit_linear(const double *const x[], size_t k, const double y[], size_t n,
                                struct stats_linear *fit, struct cc_err *err)
{
    *fit = (struct stats_linear){.n = n, .k = k, .dof = NAN, .rss = NAN};
    if (k == 0 || k > STATS_LINEAR_MAX)
        return cc_error(err, CC_EINPUT, "linear fit: %zu parameters (1 to %d)", k, STATS_LINEAR_MAX);
    if (n <= k)
        return cc_error(err, CC_EINPUT, "linear fit: %zu points for %zu parameters, needs at least %zu",
                        n, k, k + 1);
    gsl_matrix *X = gsl_matrix_alloc(n, k), *cov = gsl_matrix_alloc(k, k);
    gsl_vector *Y = gsl_vector_alloc(n), *c = gsl_vector_alloc(k);
    gsl_multifit_linear_workspace *work = gsl_multifit_linear_alloc(n, k);
    enum cc_status status = CC_OK;
    if (!X || !cov || !Y || !c || !work) {
        status = cc_error(err, CC_ESYS, "out of memory");
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        for (size_t j = 0; j < k; j++)
            gsl_matrix_set(X, i, j, x[j][i]);
        gsl_vector_set(Y, i, y[i]);
    }
    double chisq;
    int gsl = gsl_multifit_linear(X, Y, c, cov, &chisq, work);
    if (gsl) {
        status = cc_error(err, CC_ESYS, "linear fit: %s", gsl_strerror(gsl));
        goto out;
    }
    for (size_t i = 0; i < k; i++) {
        fit->c[i] = gsl_vector_get(c, i);
        for (size_t j = 0; j < k; j++)
            fit->cov[i][j] = gsl_matrix_get(cov, i, j);
    }
    fit->dof = (double)(n - k);
    fit->rss = chisq;
out:
    gsl_multifit_linear_free(work);
    gsl_vector_free(c);
    gsl_vector_free(Y);
    gsl_matrix_free(cov);
    gsl_matrix_free(X);
    return status;
}

void stats_linear_predict(const struct stats_linear *fit, const double x[], double *y,
                          double *half)
{
    double value = 0, var = 0;
    for (size_t i = 0; i < fit->k; i++) {
        value += fit->c[i] * x[i];
        for (size_t j = 0; j < fit->k; j++)
            var += x[i] * x[j] * fit->cov[i][j];
    }
    *y = value;
    *half = t_quantile(fit->dof) * sqrt(var > 0 ? var : 0);
}
