/* stats: known answers from published data and from computations made
 * independently of GSL, each with its source.
 *
 * "mpmath" below means Python's mpmath 1.3 at 30 digits: the t distribution
 * through the regularized incomplete beta function,
 *   P(T > t) = betainc(df/2, 1/2, 0, df/(df+t^2), regularized=True) / 2,
 * and quantiles by findroot on it; sums and quadratics done in mpf. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <stdlib.h>

#include <cmocka.h>

#include "stats.h"

/* |got - want| <= rel * |want| (or <= rel when want is 0). */
#define assert_close(got, want, rel)                                                      \
    do {                                                                                  \
        double g_ = (got), w_ = (want);                                                   \
        double tol_ = (rel) * (w_ != 0 ? fabs(w_) : 1);                                   \
        if (!(fabs(g_ - w_) <= tol_))                                                     \
            fail_msg("%s = %.17g, expected %.17g (rel. tolerance %g)", #got, g_, w_, (double)(rel)); \
    } while (0)

static struct stats_summary summarize(const double *x, size_t n)
{
    struct stats_summary s;
    struct cc_err err;
    assert_int_equal(stats_summarize(x, n, &s, &err), CC_OK);
    return s;
}

/* NIST StRD univariate summary statistics, certified values
 * (https://www.itl.nist.gov/div898/strd/univ/): NumAcc1 is 10000001,
 * 10000003, 10000002 (mean 10000002, sd 1). NumAcc2..4 are 1001 values: X.2
 * followed by 500 pairs X.1, X.3, with X = 1, 1000000 and 10000000; each has
 * mean X.2 and sd 0.1 exactly. NumAcc4 is the stiff one: a spread of 0.1 on
 * an offset of 1e7 leaves 8 significant digits for the deviations. */
static void nist_numacc1(void **state)
{
    (void)state;
    const double x[] = {10000001, 10000003, 10000002};
    struct stats_summary s = summarize(x, 3);
    assert_close(s.mean, 10000002, 1e-15);
    assert_close(s.sd, 1, 1e-15);
    assert_close(s.median, 10000002, 0);
}

static void numacc(double offset, double mean_tol, double sd_tol)
{
    double *x = malloc(1001 * sizeof *x);
    assert_non_null(x);
    x[0] = offset + 0.2;
    for (size_t i = 1; i < 1001; i += 2) {
        x[i] = offset + 0.1;
        x[i + 1] = offset + 0.3;
    }
    struct stats_summary s = summarize(x, 1001);
    assert_close(s.mean, offset + 0.2, mean_tol);
    assert_close(s.sd, 0.1, sd_tol);
    assert_close(s.median, offset + 0.2, mean_tol);
    free(x);
}

static void nist_numacc2(void **state) { (void)state; numacc(1, 1e-15, 1e-12); }
static void nist_numacc3(void **state) { (void)state; numacc(1000000, 1e-15, 1e-9); }
/* The certified sd is 0.1 for the decimal data; the doubles nearest to
 * 1000000.1 and 10000000.1 are off by up to half an ulp (5.8e-11 and 9.3e-10),
 * a relative error of 6e-10 and 9e-9 in each deviation of 0.1, which bounds
 * what any method can get (GSL gets 3.5e-10 and 5.6e-9). */
static void nist_numacc4(void **state) { (void)state; numacc(10000000, 1e-15, 1e-8); }

/* A one-pass textbook variance, sum(x^2)/n - mean^2, loses everything on
 * this data (1e9 + tiny spread): 1e18 swamps the 1e-2 deviations. By hand:
 * deviations -1/8, 0, +1/8 (all exact in binary), variance (2/64)/2, sd 1/8. */
static void large_offset_tiny_spread(void **state)
{
    (void)state;
    const double x[] = {1e9 + 0.25, 1e9 + 0.375, 1e9 + 0.5};
    struct stats_summary s = summarize(x, 3);
    assert_close(s.mean, 1e9 + 0.375, 1e-16);
    assert_close(s.sd, 0.125, 1e-12);
}

/* {0.98, 1.00, 1.02}: mean 1, sd 0.02 (by hand: deviations -0.02, 0, 0.02,
 * variance 0.0008 / 2). t(0.975, 2) = 4.30265272974946385 (mpmath; tables
 * give 4.303). Half-width 4.30265272974946385 * 0.02 / sqrt(3). */
static void small_interval_by_hand(void **state)
{
    (void)state;
    const double x[] = {1.02, 0.98, 1.00};
    struct stats_summary s = summarize(x, 3);
    double half = 4.30265272974946385 * 0.02 / sqrt(3);
    assert_close(s.mean, 1, 1e-15);
    assert_close(s.sd, 0.02, 1e-13);
    assert_close(s.median, 1, 1e-15);
    assert_close(s.min, 0.98, 0);
    assert_close(s.max, 1.02, 0);
    assert_close(s.cv, 0.02, 1e-13);
    assert_close(s.ci_low, 1 - half, 1e-12);
    assert_close(s.ci_high, 1 + half, 1e-12);
    assert_int_equal(s.outliers, 0);
}

/* Ten values 1..10: mean 5.5, sd sqrt(110/12) = 3.0276503540974917 (sum of
 * squared deviations 82.5 over 9), t(0.975, 9) = 2.26215716279820554
 * (mpmath; tables 2.262). */
static void interval_of_ten(void **state)
{
    (void)state;
    const double x[] = {3, 1, 4, 10, 5, 9, 2, 6, 8, 7};
    struct stats_summary s = summarize(x, 10);
    double sd = sqrt(82.5 / 9), half = 2.26215716279820554 * sd / sqrt(10);
    assert_close(s.mean, 5.5, 1e-15);
    assert_close(s.sd, sd, 1e-14);
    assert_close(s.median, 5.5, 1e-15);
    assert_close(s.ci_low, 5.5 - half, 1e-12);
    assert_close(s.ci_high, 5.5 + half, 1e-12);
}

static void single_run_has_no_spread(void **state)
{
    (void)state;
    const double x[] = {0.5};
    struct stats_summary s = summarize(x, 1);
    assert_int_equal(s.n, 1);
    assert_close(s.mean, 0.5, 0);
    assert_close(s.median, 0.5, 0);
    assert_close(s.min, 0.5, 0);
    assert_close(s.max, 0.5, 0);
    assert_true(isnan(s.sd));
    assert_true(isnan(s.cv));
    assert_true(isnan(s.ci_low));
    assert_true(isnan(s.ci_high));
    assert_int_equal(s.outliers, 0);
}

static void no_runs_leave_everything_undefined(void **state)
{
    (void)state;
    struct stats_summary s = summarize(NULL, 0);
    assert_int_equal(s.n, 0);
    assert_true(isnan(s.mean));
    assert_true(isnan(s.median));
    assert_true(isnan(s.min));
}

/* {1, 2, 3, 4, 100}: quartiles by linear interpolation (R's type 7, GSL's
 * quantile_from_sorted_data) at positions 0.25 * 4 = 1 and 0.75 * 4 = 3 of
 * the sorted data: Q1 = 2, Q3 = 4, IQR 2, fences -1 and 7; only 100 is out. */
static void tukey_fences(void **state)
{
    (void)state;
    const double x[] = {100, 1, 2, 3, 4};
    bool out[5];
    double kept[5];
    struct stats_summary s = summarize(x, 5);
    assert_close(s.q1, 2, 0);
    assert_close(s.q3, 4, 0);
    assert_close(s.fence_low, -1, 0);
    assert_close(s.fence_high, 7, 0);
    assert_int_equal(s.outliers, 1);
    assert_int_equal(stats_flag_outliers(x, 5, &s, out), 1);
    assert_true(out[0]);
    assert_false(out[1] || out[2] || out[3] || out[4]);
    assert_int_equal(stats_drop_outliers(x, 5, &s, kept), 4);
    assert_close(kept[0], 1, 0);
    assert_close(kept[3], 4, 0);
}

static void no_outliers_below_four_values(void **state)
{
    (void)state;
    const double x[] = {1, 1, 1000};
    struct stats_summary s = summarize(x, 3);
    assert_int_equal(s.outliers, 0);
    assert_true(isnan(s.fence_high));
}

/* Speedup of {0.54, 0.55, 0.56} against the baseline {0.98, 1.00, 1.02}:
 * 1 / 0.55 = 1.8181818...; Fieller's interval solved in mpmath from the
 * quadratic (b^2 - t^2 vb) r^2 - 2ab r + (a^2 - t^2 va) = 0 with
 * va = 0.02^2/3, vb = 0.01^2/3, Welch-Satterthwaite df 3.96420599813319264
 * and t(0.975, df) = 2.78635996092427259: [1.74063119454508941,
 * 1.89884607049703521]. */
static void fieller_speedup_by_hand(void **state)
{
    (void)state;
    const double base[] = {0.98, 1.00, 1.02}, fast[] = {0.54, 0.55, 0.56};
    struct stats_summary a = summarize(base, 3), b = summarize(fast, 3);
    struct stats_ratio r;
    struct cc_err err;
    assert_int_equal(stats_ratio_fieller(&a, &b, &r, &err), CC_OK);
    assert_close(r.ratio, 1 / 0.55, 1e-14);
    assert_close(r.df, 3.96420599813319264, 1e-12);
    assert_close(r.low, 1.74063119454508941, 1e-9);
    assert_close(r.high, 1.89884607049703521, 1e-9);
}

/* A denominator whose mean is not clearly away from 0 ({0.1, 1, 5}: mean
 * 2.03, standard error 1.5, t about 4) has no bounded Fieller interval. */
static void fieller_unbounded_is_undefined(void **state)
{
    (void)state;
    const double num[] = {1, 1.1, 0.9}, den[] = {0.1, 1, 5};
    struct stats_summary a = summarize(num, 3), b = summarize(den, 3);
    struct stats_ratio r;
    struct cc_err err;
    assert_int_equal(stats_ratio_fieller(&a, &b, &r, &err), CC_OK);
    assert_true(isfinite(r.ratio));
    assert_true(isnan(r.low) && isnan(r.high));
}

static void fieller_needs_two_runs_each(void **state)
{
    (void)state;
    const double one[] = {1}, three[] = {1, 2, 3};
    struct stats_summary a = summarize(one, 1), b = summarize(three, 3);
    struct stats_ratio r;
    struct cc_err err;
    assert_int_equal(stats_ratio_fieller(&a, &b, &r, &err), CC_OK);
    assert_close(r.ratio, 0.5, 1e-15);
    assert_true(isnan(r.low) && isnan(r.high));
}

/* Welch: A = {0.98, 1.00, 1.02}, B = {0.89, 0.90, 0.91}. By hand:
 * t = -0.1 / sqrt(0.0004/3 + 0.0001/3) = -7.74596669241483377,
 * df = (5e-4/3)^2 / ((4e-4/3)^2/2 + (1e-4/3)^2/2) = 50/17 = 2.94117647058823529;
 * two-sided p = 0.00479799969912805185 (mpmath). */
static void welch_against_mpmath(void **state)
{
    (void)state;
    const double a[] = {0.98, 1.00, 1.02}, b[] = {0.89, 0.90, 0.91};
    struct stats_summary sa = summarize(a, 3), sb = summarize(b, 3);
    struct stats_welch w;
    struct cc_err err;
    assert_int_equal(stats_welch_test(&sa, &sb, &w, &err), CC_OK);
    assert_close(w.t, -7.74596669241483377, 1e-12);
    assert_close(w.df, 50.0 / 17, 1e-12);
    assert_close(w.p, 0.00479799969912805185, 1e-9);
}

/* Equal samples: t = 0, p = 1 (exactly: P(|T| > 0) = 1). */
static void welch_identical_samples(void **state)
{
    (void)state;
    const double a[] = {1, 2, 3, 4};
    struct stats_summary s = summarize(a, 4);
    struct stats_welch w;
    struct cc_err err;
    assert_int_equal(stats_welch_test(&s, &s, &w, &err), CC_OK);
    assert_close(w.t, 0, 0);
    assert_close(w.p, 1, 1e-15);
}

static void welch_without_spread(void **state)
{
    (void)state;
    const double a[] = {2, 2, 2}, b[] = {3, 3, 3};
    struct stats_summary sa = summarize(a, 3), sb = summarize(b, 3);
    struct stats_welch w;
    struct cc_err err;
    assert_int_equal(stats_welch_test(&sa, &sb, &w, &err), CC_OK);
    assert_close(w.p, 0, 0);
    assert_int_equal(stats_welch_test(&sa, &sa, &w, &err), CC_OK);
    assert_close(w.p, 1, 0);
    struct stats_summary one = summarize(b, 1);
    assert_int_equal(stats_welch_test(&sa, &one, &w, &err), CC_OK);
    assert_true(isnan(w.p));
}

/* Exact Amdahl data, f = 0.1: S(p) = 1 / (0.1 + 0.9 / p). */
static void amdahl_recovers_exact_fraction(void **state)
{
    (void)state;
    const double p[] = {1, 2, 4, 8, 16};
    double s[5];
    for (size_t i = 0; i < 5; i++)
        s[i] = 1 / (0.1 + 0.9 / p[i]);
    struct stats_amdahl fit;
    struct cc_err err;
    assert_int_equal(stats_amdahl_fit(p, s, 5, &fit, &err), CC_OK);
    assert_int_equal(fit.points, 5);
    assert_close(fit.f, 0.1, 1e-12);
    assert_true(fit.se < 1e-12);
    assert_close(fit.low, 0.1, 1e-10);
    assert_close(fit.high, 0.1, 1e-10);
    assert_close(stats_amdahl_speedup(fit.f, 64), 1 / (0.1 + 0.9 / 64), 1e-12);
}

/* Two noisy points: S(2) = 1/0.55, S(4) = 1/0.3275. By hand, x = 1 - 1/p =
 * {0.5, 0.75}, y = 1/S - 1/p = {0.05, 0.0775}: f = sum(xy)/sum(x^2) =
 * 0.083125 / 0.8125 = 0.102307692307692308; residuals -0.0011538461538,
 * 0.00076923076923, rss = 1.92307692307692e-6 (= 1/520000), se =
 * sqrt(rss / 1 / 0.8125) = 0.00153846153846154 (= 1/650); t(0.975, 1) =
 * 12.7062047361747 (mpmath; tables 12.706). */
static void amdahl_standard_error_by_hand(void **state)
{
    (void)state;
    const double p[] = {2, 4}, s[] = {1 / 0.55, 1 / 0.3275};
    struct stats_amdahl fit;
    struct cc_err err;
    assert_int_equal(stats_amdahl_fit(p, s, 2, &fit, &err), CC_OK);
    assert_close(fit.f, 0.083125 / 0.8125, 1e-12);
    assert_close(fit.rss, 1.0 / 520000, 1e-9);
    assert_close(fit.se, 1.0 / 650, 1e-9);
    assert_close(fit.low, 0.083125 / 0.8125 - 12.7062047361747 / 650, 1e-9);
    assert_close(fit.high, 0.083125 / 0.8125 + 12.7062047361747 / 650, 1e-9);
}

static void amdahl_single_point_has_no_interval(void **state)
{
    (void)state;
    const double p[] = {4}, s[] = {1 / (0.2 + 0.8 / 4)};
    struct stats_amdahl fit;
    struct cc_err err;
    assert_int_equal(stats_amdahl_fit(p, s, 1, &fit, &err), CC_OK);
    assert_close(fit.f, 0.2, 1e-12);
    assert_true(isnan(fit.se) && isnan(fit.low));
}

static void amdahl_needs_more_than_one_worker(void **state)
{
    (void)state;
    const double p[] = {1, 1}, s[] = {1, 0.9};
    struct stats_amdahl fit;
    struct cc_err err;
    assert_int_equal(stats_amdahl_fit(p, s, 2, &fit, &err), CC_EINPUT);
}

/* One column through the origin, by hand: x = {1, 2, 3}, y = {1, 2.1, 2.9}:
 * c = sum xy / sum x^2 = 13.9 / 14, rss = 0.0192857..., var c = rss / (n - 1)
 * / sum x^2 = 6.8877...e-4; at x = 4 the mean response 4c, half-width
 * t(0.975, 2) 4 sqrt(var c) = 4.302652729911275 x 0.104978... = 0.451684... */
static void linear_one_column_by_hand(void **state)
{
    (void)state;
    const double x0[] = {1, 2, 3}, y[] = {1, 2.1, 2.9};
    const double *x[] = {x0};
    struct stats_linear fit;
    struct cc_err err;
    assert_int_equal(stats_fit_linear(x, 1, y, 3, &fit, &err), CC_OK);
    assert_close(fit.c[0], 13.9 / 14, 1e-15);
    assert_close(fit.rss, 0.019285714285714302, 1e-14);
    assert_close(fit.cov[0][0], 0.0006887755102040822, 1e-13);
    double at = 4, value, half;
    stats_linear_predict(&fit, &at, &value, &half);
    assert_close(value, 3.971428571428571, 1e-15);
    assert_close(half, 0.45168444551467335, 1e-9);
}

/* Three columns and exact data: the coefficients come back, nothing left. */
static void linear_three_columns_exact(void **state)
{
    (void)state;
    const double x0[] = {160, 32, 16, 11, 8, 6, 1}, x1[] = {160, 32, 16, 160.0 / 15, 8, 160.0 / 30, 1};
    const double x2[] = {1, 5, 10, 15, 20, 30, 160};
    double y[7];
    for (int i = 0; i < 7; i++)
        y[i] = 0.05 * x0[i] + 0.002 * x1[i] + 1e-4 * x2[i];
    const double *x[] = {x0, x1, x2};
    struct stats_linear fit;
    struct cc_err err;
    assert_int_equal(stats_fit_linear(x, 3, y, 7, &fit, &err), CC_OK);
    assert_close(fit.c[0], 0.05, 1e-12);
    assert_close(fit.c[1], 0.002, 1e-12);
    assert_close(fit.c[2], 1e-4, 1e-12);
    assert_true(fit.rss < 1e-20);
    assert_close(fit.dof, 4, 0);
}

static void linear_needs_more_points_than_parameters(void **state)
{
    (void)state;
    const double x0[] = {1, 2}, x1[] = {3, 5}, y[] = {1, 2};
    const double *x[] = {x0, x1};
    struct stats_linear fit;
    struct cc_err err;
    assert_int_equal(stats_fit_linear(x, 2, y, 2, &fit, &err), CC_EINPUT);
    assert_non_null(strstr(err.msg, "2 points for 2 parameters, needs at least 3"));
    assert_true(stats_proportional(x0, (const double[]){2, 4}, 2));
    assert_false(stats_proportional(x0, x1, 2));
}

/* Karp-Flatt of an exact Amdahl speedup is its serial fraction:
 * S(4) = 1 / (0.1 + 0.9/4) = 1/0.325, e = (0.325 - 0.25) / 0.75 = 0.1. */
/* Issue 10: two runs with a huge spread gave the time interval
 * [-0.17, 2.37]. The lower end is then that of the t-interval of the log
 * times, exp(mean log - t(0.975, 1) sd log / sqrt 2) (numbers by Python's
 * statistics module), > 0; the upper end stays Student's. */
static void time_interval_stays_positive(void **state)
{
    (void)state;
    const double x[] = {0.1, 2.0};
    struct stats_summary s = summarize(x, 2);
    assert_close(s.ci_low, 2.426265100921993e-09, 1e-9);
    assert_close(s.ci_high, 1.05 + 12.706204736174698 * s.sd / sqrt(2), 1e-12);
    assert_true(s.ci_low > 0 && s.ci_low <= s.mean && s.mean <= s.ci_high);

    const double z[] = {0, 2};   /* a run of 0 s: the bound is 0 itself */
    s = summarize(z, 2);
    assert_true(s.ci_low == 0 && s.ci_high > 1);
}

/* A noisy baseline over a precise time: Fieller's set reached below 0
 * (the baseline's mean is not significantly above 0); the lower end is
 * then the log-scale one, > 0 and below the estimate. */
static void speedup_interval_stays_positive(void **state)
{
    (void)state;
    const double base[] = {0.1, 2.0}, t[] = {1.0, 1.01, 0.99};
    struct stats_summary a = summarize(base, 2), b = summarize(t, 3);
    struct stats_ratio r;
    struct cc_err err;
    assert_int_equal(stats_ratio_fieller(&a, &b, &r, &err), CC_OK);
    assert_close(r.ratio, 1.05, 1e-12);
    assert_true(r.low > 0 && r.low <= r.ratio && r.ratio <= r.high);
}

/* Issue 11 item 12: times near DBL_MAX overflowed the squares (sd inf,
 * Welch "GSL could not evaluate t=-0 with df=-nan"). Scaled, they give
 * the sd of {1, 1.5, 1.2} times 1e308 and a defined test. */
static void times_near_dbl_max(void **state)
{
    (void)state;
    const double big[] = {1e308, 1.5e308, 1.2e308}, small[] = {1, 2, 3};
    struct stats_summary a = summarize(big, 3), b = summarize(small, 3);
    assert_close(a.sd, 0.2516611478423583e308, 1e-12);
    struct stats_welch w;
    struct stats_ratio r;
    struct cc_err err;
    assert_int_equal(stats_welch_test(&a, &b, &w, &err), CC_OK);
    assert_true(isfinite(w.t) && isfinite(w.df) && w.p >= 0 && w.p < 0.05);
    assert_close(w.df, 2, 1e-9);   /* b's variance is nothing beside a's */
    assert_int_equal(stats_ratio_fieller(&b, &a, &r, &err), CC_OK);
    assert_close(r.ratio, 2 / 1.2333333333333333e308, 1e-12);
    assert_true(r.low > 0 && r.low <= r.ratio && r.ratio <= r.high);
}

/* Superlinear speedups fit f < 0: clamped to 0 (and said: clamped, with the
 * fitted value kept), its interval within [0, 1]. */
static void amdahl_fraction_is_clamped(void **state)
{
    (void)state;
    const double p[] = {2, 4, 8}, sp[] = {2.1, 4.5, 9.5};
    struct stats_amdahl fit;
    struct cc_err err;
    assert_int_equal(stats_amdahl_fit(p, sp, 3, &fit, &err), CC_OK);
    assert_true(fit.f_fit < 0);
    assert_true(fit.clamped);
    assert_true(fit.f == 0);
    assert_true(fit.low == 0 && fit.high >= 0 && fit.high <= 1);
}

static void karp_flatt(void **state)
{
    (void)state;
    assert_close(stats_karp_flatt(1 / 0.325, 4), 0.1, 1e-14);
    assert_close(stats_karp_flatt(2, 2), 0, 0);      /* perfect speedup */
    assert_close(stats_karp_flatt(1, 8), 1, 1e-15);   /* no speedup at all */
    assert_true(isnan(stats_karp_flatt(1, 1)));
}

int main(void)
{
    stats_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(nist_numacc1),
        cmocka_unit_test(nist_numacc2),
        cmocka_unit_test(nist_numacc3),
        cmocka_unit_test(nist_numacc4),
        cmocka_unit_test(large_offset_tiny_spread),
        cmocka_unit_test(small_interval_by_hand),
        cmocka_unit_test(interval_of_ten),
        cmocka_unit_test(single_run_has_no_spread),
        cmocka_unit_test(no_runs_leave_everything_undefined),
        cmocka_unit_test(tukey_fences),
        cmocka_unit_test(no_outliers_below_four_values),
        cmocka_unit_test(fieller_speedup_by_hand),
        cmocka_unit_test(fieller_unbounded_is_undefined),
        cmocka_unit_test(fieller_needs_two_runs_each),
        cmocka_unit_test(welch_against_mpmath),
        cmocka_unit_test(welch_identical_samples),
        cmocka_unit_test(welch_without_spread),
        cmocka_unit_test(amdahl_recovers_exact_fraction),
        cmocka_unit_test(amdahl_standard_error_by_hand),
        cmocka_unit_test(amdahl_single_point_has_no_interval),
        cmocka_unit_test(amdahl_needs_more_than_one_worker),
        cmocka_unit_test(karp_flatt),
        cmocka_unit_test(linear_one_column_by_hand),
        cmocka_unit_test(linear_three_columns_exact),
        cmocka_unit_test(linear_needs_more_points_than_parameters),
        cmocka_unit_test(time_interval_stays_positive),
        cmocka_unit_test(speedup_interval_stays_positive),
        cmocka_unit_test(times_near_dbl_max),
        cmocka_unit_test(amdahl_fraction_is_clamped),
    };
    return cmocka_run_group_tests_name("stats", tests, NULL, NULL);
}
