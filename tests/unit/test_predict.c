/* The prediction models on synthetic runs whose parameters are known. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "predict.h"

#define LATENCY 0.02
#define COST 0.001

static double cost = COST, setup = 0;

static double model(uint64_t n, uint64_t w)
{
    return LATENCY * (double)((n + w - 1) / w) + cost * (double)n / (double)w + setup * (double)w;
}

/* Runs of sync and threads at the given counts, N = 160, exact times. */
static struct runs *exact_runs(const uint64_t *workers, size_t nw)
{
    char text[4096];
    size_t len = (size_t)snprintf(text, sizeof text, "experiment,variant,workers,run,seconds,items\n");
    for (int r = 1; r <= 3; r++)
        len += (size_t)snprintf(text + len, sizeof text - len, "io,sync,1,%d,%.17g,160\n", r, model(160, 1));
    for (size_t i = 0; i < nw; i++)
        for (int r = 1; r <= 3; r++)
            len += (size_t)snprintf(text + len, sizeof text - len, "io,threads,%llu,%d,%.17g,160\n",
                                    (unsigned long long)workers[i], r, model(160, workers[i]));
    FILE *in = fmemopen(text, len, "r");
    assert_non_null(in);
    struct runs *runs = runs_alloc("items");
    struct cc_err err;
    assert_int_equal(runs_read_stream(runs, in, "exact", &err), CC_OK);
    fclose(in);
    runs_sort(runs);
    return runs;
}

static void io_model_recovers_latency_and_cost(void **state)
{
    (void)state;
    const uint64_t w[] = {5, 10, 20, 30};
    struct runs *r = exact_runs(w, 4);
    struct predict_io_model m;
    struct cc_err err;
    assert_int_equal(predict_io_fit(r, "threads", &m, &err), CC_OK);
    assert_true(m.used[IO_COST]);
    assert_true(fabs(m.coef[IO_LATENCY] - LATENCY) < 1e-12);
    assert_true(fabs(m.coef[IO_COST] - COST) < 1e-12);
    assert_true(fabs(m.coef[IO_SETUP]) < 1e-12);  /* none in these runs */
    assert_int_equal(m.runs, 15);
    double t, lo, hi;
    predict_io_time(&m, 320, 40, &t, &lo, &hi);
    assert_true(fabs(t - 0.168) < 1e-12);  /* 8 rounds x 20 ms + 8 x 1 ms */
    assert_true(lo <= t && t <= hi && hi - lo < 1e-9);
    predict_io_time(&m, 1000, 7, &t, &lo, &hi);
    assert_true(fabs(t - model(1000, 7)) < 1e-12);
    runs_free(r);
}

static void io_model_reduced_when_counts_divide_n(void **state)
{
    (void)state;
    const uint64_t w[] = {5, 10, 20};  /* all divide 160 */
    struct runs *r = exact_runs(w, 3);
    struct predict_io_model m;
    struct cc_err err;
    assert_int_equal(predict_io_fit(r, "threads", &m, &err), CC_OK);
    assert_false(m.used[IO_COST]);
    assert_true(fabs(m.coef[IO_LATENCY] - (LATENCY + COST)) < 1e-12);
    double t, lo, hi;
    predict_io_time(&m, 160, 16, &t, &lo, &hi);
    assert_true(fabs(t - 10 * (LATENCY + COST)) < 1e-12);
    runs_free(r);
}

static void io_model_never_negative(void **state)
{
    (void)state;
    const uint64_t w[] = {5, 10, 30, 48};
    cost = -0.001;  /* what an unconstrained fit would report */
    struct runs *r = exact_runs(w, 4);
    cost = COST;
    struct predict_io_model m;
    struct cc_err err;
    assert_int_equal(predict_io_fit(r, "threads", &m, &err), CC_OK);
    assert_false(m.used[IO_COST]);
    assert_true(m.coef[IO_LATENCY] > 0);
    assert_true(m.coef[IO_COST] == 0);
    runs_free(r);
}

/* Starting W workers costs setup x W: the model finds it, and predicts
 * many workers with it. */
static void io_model_recovers_setup(void **state)
{
    (void)state;
    const uint64_t w[] = {5, 10, 30, 48};
    setup = 1e-4;
    struct runs *r = exact_runs(w, 4);
    struct predict_io_model m;
    struct cc_err err;
    assert_int_equal(predict_io_fit(r, "threads", &m, &err), CC_OK);
    assert_true(m.used[IO_COST] && m.used[IO_SETUP]);
    assert_true(fabs(m.coef[IO_LATENCY] - LATENCY) < 1e-12);
    assert_true(fabs(m.coef[IO_COST] - COST) < 1e-12);
    assert_true(fabs(m.coef[IO_SETUP] - 1e-4) < 1e-12);
    double t, lo, hi;
    predict_io_time(&m, 160, 160, &t, &lo, &hi);
    assert_true(fabs(t - (0.02 + 0.001 + 0.016)) < 1e-12);
    assert_true(lo <= t && t <= hi);
    setup = 0;
    runs_free(r);
}

/* Two worker counts (sync and one) cannot determine three terms: setup is
 * left out and the others are fitted as before. */
static void io_model_setup_needs_three_counts(void **state)
{
    (void)state;
    const uint64_t w[] = {30};
    struct runs *r = exact_runs(w, 1);
    struct predict_io_model m;
    struct cc_err err;
    assert_int_equal(predict_io_fit(r, "threads", &m, &err), CC_OK);
    assert_true(m.used[IO_COST]);
    assert_false(m.used[IO_SETUP]);
    assert_true(m.coef[IO_SETUP] == 0 && m.se[IO_SETUP] == 0);
    assert_true(fabs(m.coef[IO_LATENCY] - LATENCY) < 1e-12);
    runs_free(r);
}

/* A negative setup (noise) is left out, the rest refitted. */
static void io_model_negative_setup_left_out(void **state)
{
    (void)state;
    const uint64_t w[] = {5, 10, 30, 48};
    setup = -1e-5;
    struct runs *r = exact_runs(w, 4);
    setup = 0;
    struct predict_io_model m;
    struct cc_err err;
    assert_int_equal(predict_io_fit(r, "threads", &m, &err), CC_OK);
    assert_false(m.used[IO_SETUP]);
    assert_true(m.coef[IO_LATENCY] > 0);
    runs_free(r);
}

static void io_model_needs_items(void **state)
{
    (void)state;
    const char text[] = "experiment,variant,workers,run,seconds,items\nio,threads,4,1,1.0,x\n";
    FILE *in = fmemopen((void *)text, strlen(text), "r");
    struct runs *r = runs_alloc("items");
    struct cc_err err;
    assert_int_equal(runs_read_stream(r, in, "bad", &err), CC_OK);
    fclose(in);
    struct predict_io_model m;
    assert_int_equal(predict_io_fit(r, "threads", &m, &err), CC_EINPUT);
    assert_non_null(strstr(err.msg, "items 'x'"));
    runs_free(r);
}

int main(void)
{
    stats_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(io_model_recovers_latency_and_cost),
        cmocka_unit_test(io_model_reduced_when_counts_divide_n),
        cmocka_unit_test(io_model_never_negative),
        cmocka_unit_test(io_model_recovers_setup),
        cmocka_unit_test(io_model_setup_needs_three_counts),
        cmocka_unit_test(io_model_negative_setup_left_out),
        cmocka_unit_test(io_model_needs_items),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
