/* The prediction models, and the whole prediction of predict_build, on
 * synthetic runs whose parameters are known. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
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

/* ---- predict_build: the whole prediction from runs read once ---------- */

/* A set as `concur predict` reads it (runs_load_kept): the SPEC key only,
 * no items grouping, the records kept. */
static struct runs *read_plain(const char *text)
{
    FILE *in = fmemopen((void *)text, strlen(text), "r");
    assert_non_null(in);
    struct runs *r = runs_alloc(NULL);
    struct cc_err err;
    runs_keep_records(r);
    if (runs_read_stream(r, in, "in.csv", &err) != CC_OK)
        fail_msg("unexpected error: %s", err.msg);
    fclose(in);
    runs_sort(r);
    return r;
}

/* cpu runs at f = 0.1 exactly (serial 1 s; omp 0.55 s at 2, 0.325 s at 4)
 * and io runs of sync, threads and multi at N = 160 from the rounds model,
 * in one input with an items column (empty for cpu). */
static char *mixed_runs(void)
{
    static const uint64_t w[] = {5, 10, 20, 30};
    static const char *const parallel[] = {"threads", "multi"};
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    assert_non_null(out);
    fputs("experiment,variant,workers,run,seconds,items\n"
          "cpu,serial,1,1,1,\ncpu,serial,1,2,1,\ncpu,omp,2,1,0.55,\ncpu,omp,2,2,0.55,\n"
          "cpu,omp,4,1,0.325,\ncpu,omp,4,2,0.325,\n", out);
    for (int r = 1; r <= 2; r++)
        fprintf(out, "io,sync,1,%d,%.17g,160\n", r, model(160, 1));
    for (size_t v = 0; v < 2; v++)
        for (size_t i = 0; i < 4; i++)
            for (int r = 1; r <= 2; r++)
                fprintf(out, "io,%s,%llu,%d,%.17g,160\n", parallel[v], (unsigned long long)w[i], r,
                        model(160, w[i]));
    assert_int_equal(fclose(out), 0);
    return text;
}

static void build_predicts_cpu_then_io(void **state)
{
    (void)state;
    char *text = mixed_runs();
    struct runs *r = read_plain(text);
    static const uint64_t cores[] = {8, 64}, urls[] = {320}, workers[] = {40, 320};
    const struct predict_request req = {.cores = cores, .ncores = 2, .urls = urls, .nurls = 1,
                                        .workers = workers, .nworkers = 2};
    struct predict_result p;
    struct cc_err err;
    if (predict_build(r, &req, &p, &err) != CC_OK)
        fail_msg("unexpected error: %s", err.msg);

    assert_ptr_equal(p.runs, r);
    assert_int_equal(p.request.ncores, 2);
    /* the io model's own grouping, made from the runs read */
    assert_non_null(p.io_runs);
    assert_string_equal(p.io_runs->by_column, "items");
    assert_int_equal(p.nmodels, 2);
    assert_string_equal(p.models[0].variant, "threads");
    assert_string_equal(p.models[1].variant, "multi");
    /* cpu first (omp only: io sweeps have no Amdahl points), then io */
    assert_int_equal(p.npoints, 2 + 2 * 1 * 2);
    for (size_t i = 0; i < 2; i++) {
        const struct predict_point *pt = &p.points[i];
        double s = 1 / (0.1 + 0.9 / (double)cores[i]);
        assert_string_equal(pt->experiment, "cpu");
        assert_string_equal(pt->variant, "omp");
        assert_int_equal(pt->workers, cores[i]);
        assert_int_equal(pt->items, 0);
        assert_true(fabs(pt->speedup - s) < 1e-9);
        assert_true(fabs(pt->seconds - 1 / s) < 1e-9);
    }
    for (size_t i = 2; i < p.npoints; i++) {
        const struct predict_point *pt = &p.points[i];
        assert_string_equal(pt->experiment, "io");
        assert_string_equal(pt->variant, p.models[(i - 2) / 2].variant);
        assert_int_equal(pt->items, 320);
        assert_int_equal(pt->workers, workers[(i - 2) % 2]);
        assert_true(fabs(pt->seconds - model(320, pt->workers)) < 1e-9);
        assert_true(isnan(pt->speedup) && isnan(pt->karp_flatt_speedup));
    }
    /* 320 URLs at 40 workers: 8 rounds x 20 ms + 8 x 1 ms */
    assert_true(fabs(p.points[2].seconds - 0.168) < 1e-9);

    /* without list sizes: the cpu points alone, no io grouping */
    predict_free(&p);
    const struct predict_request cpu_only = {.cores = cores, .ncores = 2};
    assert_int_equal(predict_build(r, &cpu_only, &p, &err), CC_OK);
    assert_int_equal(p.npoints, 2);
    assert_int_equal(p.nmodels, 0);
    assert_null(p.io_runs);
    predict_free(&p);
    runs_free(r);
    free(text);
}

/* What predict_build refuses, with the reason (and freed all the same). */
static void assert_build_refused(const char *text, const struct predict_request *req,
                                 const char *reason)
{
    struct runs *r = read_plain(text);
    struct predict_result p;
    struct cc_err err;
    assert_int_equal(predict_build(r, req, &p, &err), CC_EINPUT);
    if (!strstr(err.msg, reason))
        fail_msg("message '%s' lacks '%s'", err.msg, reason);
    predict_free(&p);
    runs_free(r);
}

static void build_refuses_with_the_reason(void **state)
{
    (void)state;
    static const uint64_t cores[] = {8}, urls[] = {100}, workers[] = {4};
    const struct predict_request cpu = {.cores = cores, .ncores = 1};
    const struct predict_request io = {.cores = cores, .ncores = 1, .urls = urls, .nurls = 1,
                                       .workers = workers, .nworkers = 1};
    /* the io model needs items, and names where it is missing */
    assert_build_refused("experiment,variant,workers,run,seconds\nio,sync,1,1,1\nio,threads,4,1,0.5\n",
                         &io, "needs the runs of `concur io` (in.csv:1: missing column 'items'");
    /* sync alone: no parallel variant to fit */
    assert_build_refused("experiment,variant,workers,run,seconds,items\nio,sync,1,1,1,10\n",
                         &io, "no io runs of a parallel variant");
    /* one worker count: no fit, and for cpu only the hint */
    assert_build_refused("experiment,variant,workers,run,seconds\ncpu,serial,1,1,1\n",
                         &cpu, "nothing to predict: no sweep with a baseline and more than one worker "
                               "count (for io, give --urls and --workers)");
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
        cmocka_unit_test(build_predicts_cpu_then_io),
        cmocka_unit_test(build_refuses_with_the_reason),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
