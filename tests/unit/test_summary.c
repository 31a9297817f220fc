/* summary: baselines, speedups, efficiency and Amdahl fits over runs. */
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
#include "summary.h"

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
    struct summary_options o = {.predict = predict, .npredict = 1};
    struct runs *r = runs_from(amdahl_runs);
    struct summary *s;
    struct cc_err err;
    assert_int_equal(summary_build(r, &o, &s, &err), CC_OK);
    assert_int_equal(s->nrows, 5);
    const struct summary_row *base = &s->rows[0];
    assert_string_equal(base->group->variant, "serial");
    assert_ptr_equal(base->baseline, base);
    assert_close(base->speedup.ratio, 1, 0);
    assert_close(base->speedup.low, 1, 0);

    const struct summary_row *p4 = &s->rows[3];
    assert_int_equal(p4->group->workers, 4);
    assert_close(p4->speedup.ratio, 10 / 3.25, 1e-15);
    assert_close(p4->speedup.low, 10 / 3.25, 1e-15);  /* no spread: exact */
    assert_close(p4->efficiency, 10 / 3.25 / 4, 1e-15);
    assert_close(p4->karp_flatt, 0.1, 1e-14);

    assert_int_equal(s->nfits, 1);
    const struct summary_fit *fit = &s->fits[0];
    assert_string_equal(fit->sweep->variant, "omp");
    assert_int_equal(fit->amdahl.points, 4);
    assert_close(fit->amdahl.f, 0.1, 1e-12);
    assert_int_equal(fit->predictions[0].workers, 64);
    assert_close(fit->predictions[0].speedup, 1 / (0.1 + 0.9 / 64), 1e-11);
    summary_free(s);
    runs_free(r);
}

/* A baseline with 2 workers: p = workers / 2, so the 4-worker group has
 * p = 2 and efficiency = speedup / 2. */
static void chosen_baseline_and_relative_workers(void **state)
{
    (void)state;
    struct summary_options o = {.baseline = "omp", .baseline_workers = 2};
    struct runs *r = runs_from(amdahl_runs);
    struct summary *s;
    struct cc_err err;
    assert_int_equal(summary_build(r, &o, &s, &err), CC_OK);
    const struct summary_row *p4 = &s->rows[3];
    assert_int_equal(p4->baseline->group->workers, 2);
    assert_close(p4->speedup.ratio, 5.5 / 3.25, 1e-15);
    assert_close(p4->efficiency, 5.5 / 3.25 / 2, 1e-15);
    summary_free(s);

    o.baseline_workers = 3;
    assert_int_equal(summary_build(r, &o, &s, &err), CC_EINPUT);
    assert_string_equal(err.msg, "--baseline: unknown baseline 'omp:3': no group has variant 'omp' with 3 workers");
    o.baseline = "mpi";
    o.baseline_workers = 0;
    assert_int_equal(summary_build(r, &o, &s, &err), CC_EINPUT);
    assert_string_equal(err.msg, "--baseline: unknown baseline 'mpi': no group has variant 'mpi'");
    runs_free(r);
}

static void experiment_without_baseline(void **state)
{
    (void)state;
    struct summary_options o = {0};
    struct runs *r = runs_from("experiment,variant,workers,run,seconds\ngpu,cuda,1,1,1\ngpu,cuda,2,1,0.5\n");
    struct summary *s;
    struct cc_err err;
    assert_int_equal(summary_build(r, &o, &s, &err), CC_OK);
    assert_int_equal(s->nno_baseline, 1);
    assert_string_equal(s->no_baseline[0], "gpu");
    assert_true(isnan(s->rows[1].speedup.ratio));
    assert_int_equal(s->nfits, 0);
    summary_free(s);
    runs_free(r);
}

/* {1, 2, 3, 4, 100}: Tukey flags 100 (see test_stats); kept by default,
 * left out with drop_outliers (mean 2.5 of the other four). */
static void outliers_flagged_or_dropped(void **state)
{
    (void)state;
    struct summary_options o = {0};
    struct runs *r = runs_from("experiment,variant,workers,run,seconds\n"
                               "cpu,serial,1,1,1\ncpu,serial,1,2,100\ncpu,serial,1,3,2\n"
                               "cpu,serial,1,4,3\ncpu,serial,1,5,4\n");
    struct summary *s;
    struct cc_err err;
    assert_int_equal(summary_build(r, &o, &s, &err), CC_OK);
    assert_int_equal(s->rows[0].outliers, 1);
    assert_close(s->rows[0].outlier_values[0], 100, 0);
    assert_int_equal(s->rows[0].s.n, 5);
    assert_close(s->rows[0].s.mean, 22, 1e-15);
    summary_free(s);
    o.drop_outliers = true;
    assert_int_equal(summary_build(r, &o, &s, &err), CC_OK);
    assert_int_equal(s->rows[0].outliers, 1);
    assert_int_equal(s->rows[0].s.n, 4);
    assert_close(s->rows[0].s.mean, 2.5, 1e-15);
    summary_free(s);
    runs_free(r);
}

int main(void)
{
    stats_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(speedups_and_amdahl_on_exact_data),
        cmocka_unit_test(chosen_baseline_and_relative_workers),
        cmocka_unit_test(experiment_without_baseline),
        cmocka_unit_test(outliers_flagged_or_dropped),
    };
    return cmocka_run_group_tests_name("summary", tests, NULL, NULL);
}
