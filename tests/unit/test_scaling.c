/* scaling: baselines, speedups, efficiency and Amdahl fits over runs. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "runs.h"
#include "stats.h"
#include "scaling.h"

#define assert_close(got, want, rel)                                                      \
    do {                                                                                  \
        double g_ = (got), w_ = (want);                                                   \
        if (!(fabs(g_ - w_) <= (rel) * (w_ != 0 ? fabs(w_) : 1)))                         \
            fail_msg("%s = %.17g, expected %.17g", #got, g_, w_);                         \
    } while (0)

static struct runs *runs_from(const char *text)
{
    struct runs *r = runs_alloc(NULL);
    struct cc_err err;
    FILE *in = tmpfile();
    assert_non_null(r);
    assert_non_null(in);
    fputs(text, in);
    rewind(in);
    if (runs_read_stream(r, in, "t.csv", &err) != CC_OK)
        fail_msg("%s", err.msg);
    fclose(in);
    runs_sort(r);
    return r;
}

/* Times that follow Amdahl's law exactly with f = 0.1 and T(1) = 10 s,
 * two identical runs each: T(p) = 10 (0.1 + 0.9 / p) = 1 + 9 / p, so
 * T(2) = 5.5, T(4) = 3.25, T(8) = 2.125 (all exact in binary). */
static const char amdahl_runs[] =
    "experiment,variant,workers,run,seconds\n"
    "cpu,serial,1,1,10\ncpu,serial,1,2,10\n"
    "cpu,omp,1,1,10\ncpu,omp,1,2,10\n"
    "cpu,omp,2,1,5.5\ncpu,omp,2,2,5.5\n"
    "cpu,omp,4,1,3.25\ncpu,omp,4,2,3.25\n"
    "cpu,omp,8,1,2.125\ncpu,omp,8,2,2.125\n";

static void speedups_and_amdahl_on_exact_data(void **state)
{
    (void)state;
    const uint64_t predict[] = {64};
    struct scaling_options o = {.predict = predict, .npredict = 1};
    struct runs *r = runs_from(amdahl_runs);
    struct scaling *s;
    struct cc_err err;
    assert_int_equal(scaling_build(r, &o, &s, &err), CC_OK);
    assert_int_equal(s->nrows, 5);
    const struct scaling_row *base = &s->rows[0];
    assert_string_equal(base->group->variant, "serial");
    assert_ptr_equal(base->baseline, base);
    assert_close(base->speedup.ratio, 1, 0);
    assert_close(base->speedup.low, 1, 0);

    const struct scaling_row *p4 = &s->rows[3];
    assert_int_equal(p4->group->workers, 4);
    assert_close(p4->speedup.ratio, 10 / 3.25, 1e-15);
    assert_close(p4->speedup.low, 10 / 3.25, 1e-15);  /* no spread: exact */
    assert_close(p4->efficiency, 10 / 3.25 / 4, 1e-15);
    assert_close(p4->karp_flatt, 0.1, 1e-14);

    assert_int_equal(s->nfits, 1);
    const struct scaling_fit *fit = &s->fits[0];
    assert_string_equal(fit->sweep->variant, "omp");
    assert_int_equal(fit->amdahl.points, 4);
    assert_close(fit->amdahl.f, 0.1, 1e-12);
    assert_int_equal(fit->predictions[0].workers, 64);
    assert_close(fit->predictions[0].speedup, 1 / (0.1 + 0.9 / 64), 1e-11);
    scaling_free(s);
    runs_free(r);
}

/* A baseline with 2 workers: p = workers / 2, so the 4-worker group has
 * p = 2 and efficiency = speedup / 2. */
static void chosen_baseline_and_relative_workers(void **state)
{
    (void)state;
    struct scaling_options o = {.baseline = "omp", .baseline_workers = 2};
    struct runs *r = runs_from(amdahl_runs);
    struct scaling *s;
    struct cc_err err;
    assert_int_equal(scaling_build(r, &o, &s, &err), CC_OK);
    const struct scaling_row *p4 = &s->rows[3];
    assert_int_equal(p4->baseline->group->workers, 2);
    assert_close(p4->speedup.ratio, 5.5 / 3.25, 1e-15);
    assert_close(p4->efficiency, 5.5 / 3.25 / 2, 1e-15);
    scaling_free(s);

    o.baseline_workers = 3;
    assert_int_equal(scaling_build(r, &o, &s, &err), CC_EINPUT);
    assert_string_equal(err.msg, "--baseline: unknown baseline 'omp:3': no group has variant 'omp' with 3 workers");
    o.baseline = "mpi";
    o.baseline_workers = 0;
    assert_int_equal(scaling_build(r, &o, &s, &err), CC_EINPUT);
    assert_string_equal(err.msg, "--baseline: unknown baseline 'mpi': no group has variant 'mpi'");
    runs_free(r);
}

/* No serial or sync group: each sweep is its own reference, at its fewest
 * workers (issue 10: a strong-scaling job of mpi runs only had no
 * speedups). */
static void sweep_without_serial_uses_its_fewest_workers(void **state)
{
    (void)state;
    struct scaling_options o = {0};
    struct runs *r = runs_from("experiment,variant,workers,run,seconds\n"
                               "gpu,cuda,2,1,1\ngpu,cuda,4,1,0.5\ngpu,hip,1,1,3\ngpu,hip,2,1,1\n");
    struct scaling *s;
    struct cc_err err;
    assert_int_equal(scaling_build(r, &o, &s, &err), CC_OK);
    assert_int_equal(s->nno_baseline, 0);
    assert_int_equal(s->rows[1].baseline->group->workers, 2);
    assert_string_equal(s->rows[1].baseline->group->variant, "cuda");
    assert_string_equal(s->rows[1].baseline_rule, "fewest workers");
    assert_close(s->rows[1].speedup.ratio, 2, 1e-15);
    assert_close(s->rows[1].efficiency, 1, 1e-15);   /* p = 4 / 2 */
    assert_string_equal(s->rows[3].baseline->group->variant, "hip");
    assert_close(s->rows[3].speedup.ratio, 3, 1e-15);
    scaling_free(s);
    runs_free(r);
}

/* The baseline_workers column (written by concur sweep) names the baseline;
 * one that names no measured count leaves the sweep without one. */
static void baseline_workers_column_names_the_baseline(void **state)
{
    (void)state;
    struct scaling_options o = {0};
    struct runs *r = runs_from("experiment,variant,workers,run,seconds,baseline_workers\n"
                               "app,run,1,1,4,2\napp,run,2,1,2,2\napp,run,4,1,1,2\n");
    struct scaling *s;
    struct cc_err err;
    assert_int_equal(scaling_build(r, &o, &s, &err), CC_OK);
    assert_int_equal(s->rows[0].baseline->group->workers, 2);
    assert_string_equal(s->rows[0].baseline_rule, "baseline_workers");
    assert_close(s->rows[0].speedup.ratio, 0.5, 1e-15);
    assert_close(s->rows[2].speedup.ratio, 2, 1e-15);
    scaling_free(s);
    runs_free(r);

    r = runs_from("experiment,variant,workers,run,seconds,baseline_workers\n"
                  "app,run,1,1,4,3\napp,run,2,1,2,3\n");
    assert_int_equal(scaling_build(r, &o, &s, &err), CC_OK);
    assert_int_equal(s->nno_baseline, 1);
    assert_string_equal(s->no_baseline[0], "app");
    assert_true(isnan(s->rows[1].speedup.ratio));
    scaling_free(s);
    runs_free(r);
}

/* The oversubscribed point is shown but not fitted: with it, time-sharing
 * would read as a serial fraction (issue 10: f = 0.167 for mpi). */
static void oversubscribed_points_are_not_fitted(void **state)
{
    (void)state;
    struct scaling_options o = {0};
    struct runs *r = runs_from("experiment,variant,workers,run,seconds,oversubscribed\n"
                               "cpu,serial,1,1,10,0\ncpu,serial,1,2,10,0\n"
                               "cpu,mpi,2,1,5.5,0\ncpu,mpi,2,2,5.5,0\n"
                               "cpu,mpi,4,1,3.25,0\ncpu,mpi,4,2,3.25,0\n"
                               "cpu,mpi,8,1,9,1\ncpu,mpi,8,2,9,1\n");
    struct scaling *s;
    struct cc_err err;
    assert_int_equal(scaling_build(r, &o, &s, &err), CC_OK);
    assert_true(s->rows[3].group->oversubscribed);
    assert_close(s->rows[3].speedup.ratio, 10.0 / 9, 1e-15);  /* shown */
    assert_int_equal(s->nfits, 1);
    assert_int_equal(s->fits[0].amdahl.points, 2);
    assert_int_equal(s->fits[0].oversubscribed, 1);
    assert_int_equal(s->oversubscribed, 1);
    assert_close(s->fits[0].amdahl.f, 0.1, 1e-12);
    scaling_free(s);
    runs_free(r);
}

/* Issue 11 item 13: a baseline of 0 s has no speedup (not 0 with [0, 0]),
 * and no efficiency or Karp-Flatt either. */
static void zero_second_baseline_gives_undefined_speedup(void **state)
{
    (void)state;
    struct scaling_options o = {0};
    struct runs *r = runs_from("experiment,variant,workers,run,seconds\n"
                               "cpu,serial,1,1,0\ncpu,serial,1,2,0\n"
                               "cpu,omp,2,1,1\ncpu,omp,2,2,1.1\n");
    struct scaling *s;
    struct cc_err err;
    assert_int_equal(scaling_build(r, &o, &s, &err), CC_OK);
    for (size_t i = 0; i < 2; i++) {
        const struct scaling_row *row = &s->rows[i];
        assert_true(isnan(row->speedup.ratio));
        assert_true(isnan(row->speedup.low) && isnan(row->speedup.high));
        assert_true(isnan(row->efficiency));
        assert_true(isnan(row->karp_flatt));
    }
    scaling_free(s);
    runs_free(r);
}

/* A speedup too large for a double is undefined, and so is its
 * Karp-Flatt metric (it read -1: 1/inf = 0). */
static void karp_flatt_undefined_without_speedup(void **state)
{
    (void)state;
    struct scaling_options o = {0};
    struct runs *r = runs_from("experiment,variant,workers,run,seconds\n"
                               "cpu,serial,1,1,1e308\ncpu,omp,2,1,0.01\n");
    struct scaling *s;
    struct cc_err err;
    assert_int_equal(scaling_build(r, &o, &s, &err), CC_OK);
    assert_true(isnan(s->rows[1].speedup.ratio));
    assert_true(isnan(s->rows[1].karp_flatt));
    assert_true(isnan(s->rows[1].efficiency));
    scaling_free(s);
    runs_free(r);
}

/* {1, 2, 3, 4, 100}: Tukey flags 100 (see test_stats); kept by default,
 * left out with drop_outliers (mean 2.5 of the other four). */
static void outliers_flagged_or_dropped(void **state)
{
    (void)state;
    struct scaling_options o = {0};
    struct runs *r = runs_from("experiment,variant,workers,run,seconds\n"
                               "cpu,serial,1,1,1\ncpu,serial,1,2,100\ncpu,serial,1,3,2\n"
                               "cpu,serial,1,4,3\ncpu,serial,1,5,4\n");
    struct scaling *s;
    struct cc_err err;
    assert_int_equal(scaling_build(r, &o, &s, &err), CC_OK);
    assert_int_equal(s->rows[0].outliers, 1);
    assert_close(s->rows[0].outlier_values[0], 100, 0);
    assert_int_equal(s->rows[0].s.n, 5);
    assert_close(s->rows[0].s.mean, 22, 1e-15);
    scaling_free(s);
    o.drop_outliers = true;
    assert_int_equal(scaling_build(r, &o, &s, &err), CC_OK);
    assert_int_equal(s->rows[0].outliers, 1);
    assert_int_equal(s->rows[0].s.n, 4);
    assert_close(s->rows[0].s.mean, 2.5, 1e-15);
    scaling_free(s);
    runs_free(r);
}

int main(void)
{
    stats_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(speedups_and_amdahl_on_exact_data),
        cmocka_unit_test(chosen_baseline_and_relative_workers),
        cmocka_unit_test(sweep_without_serial_uses_its_fewest_workers),
        cmocka_unit_test(baseline_workers_column_names_the_baseline),
        cmocka_unit_test(oversubscribed_points_are_not_fitted),
        cmocka_unit_test(zero_second_baseline_gives_undefined_speedup),
        cmocka_unit_test(karp_flatt_undefined_without_speedup),
        cmocka_unit_test(outliers_flagged_or_dropped),
    };
    return cmocka_run_group_tests_name("scaling", tests, NULL, NULL);
}
