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
    s->min = sorted[0];
    s->max = sorted[n - 1];
    if (n >= 2) {
        /* Two passes: deviations from the mean, never sum(x^2) - n m^2. */
        s->sd = gsl_stats_sd_m(sorted, 1, n, s->mean);
        s->cv = s->mean != 0 ? s->sd / s->mean : NAN;
        double half = t_quantile((double)(n - 1)) * s->sd / sqrt((double)n);
        s->ci_low = s->mean - half;
        s->ci_high = s->mean + half;
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

/* The squared standard error of a mean. */
static double mean_variance(const struct stats_summary *s)
{
    return s->sd * s->sd / (double)s->n;
}

enum cc_status stats_ratio_fieller(const struct stats_summary *num,
                                   const struct stats_summary *den,
                                   struct stats_ratio *out, struct cc_err *err)
{
    (void)err;
    double a = num->mean, b = den->mean;
    out->ratio = b != 0 ? a / b : NAN;
    out->low = out->high = out->df = NAN;
    if (num->n < 2 || den->n < 2 || !isfinite(out->ratio))
        return CC_OK;

    double va = mean_variance(num), vb = mean_variance(den), r = out->ratio;
    double spread = va + r * r * vb;
    if (spread == 0) {  /* both samples constant: the ratio is exact */
        out->low = out->high = r;
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
    out->low = fmin(x1, x2);
    out->high = fmax(x1, x2);
    return CC_OK;
}

enum cc_status stats_welch_test(const struct stats_summary *a,
                                const struct stats_summary *b,
                                struct stats_welch *out, struct cc_err *err)
{
    out->t = out->df = out->p = NAN;
    if (a->n < 2 || b->n < 2)
        return CC_OK;
    double va = mean_variance(a), vb = mean_variance(b), diff = b->mean - a->mean;
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
    if (!isfinite(out->p))
        return cc_error(err, CC_ESYS, "Welch test: GSL could not evaluate t=%g with df=%g",
                        out->t, out->df);
    if (out->p > 1)
        out->p = 1;
    return CC_OK;
}

enum cc_status stats_amdahl_fit(const double workers[], const double speedup[],
                                size_t n, struct stats_amdahl *fit, struct cc_err *err)
{
    fit->points = n;
    fit->f = fit->se = fit->low = fit->high = fit->rss = NAN;

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
        fit->low = fit->f - half;
        fit->high = fit->f + half;
    }
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
    if (!(p > 1))
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
