/* The worker-count search against fake cost curves: no real work, exact
 * and reproducible. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "autotune.h"
#include "cli_autotune.h"
#include "report.h"

struct fake {
    double (*cost)(unsigned w);
    double noise;        /* relative, uniform in [-noise, +noise] */
    unsigned seed;
    size_t calls;
};

static enum cc_status fake_run(void *ctx, unsigned workers, double *seconds, struct cc_err *err)
{
    (void)err;
    struct fake *f = ctx;
    f->calls++;
    double u = 0;
    if (f->noise > 0) {
        f->seed = f->seed * 1103515245u + 12345u;  /* a fixed LCG: same curve every time */
        u = ((double)((f->seed >> 8) & 0xffff) / 65535.0) * 2 - 1;
    }
    *seconds = f->cost(workers) * (1 + f->noise * u);
    return CC_OK;
}

/* The reference I/O list: 160 URLs, 20 ms each, 0.1 ms of work per URL. */
static double io_curve(unsigned w)
{
    return ceil(160.0 / w) * 0.020 + 0.0001 * 160.0 / w;
}

/* Amdahl with f = 0.1 on up to 12 cores, then oversubscribed. */
static double amdahl_curve(unsigned w)
{
    double p = w <= 12 ? w : 12;
    return 10 * (0.1 + 0.9 / p) + (w > 12 ? 0.05 * (w - 12) : 0);
}

static double flat_curve(unsigned w)
{
    (void)w;
    return 1.0;
}

/* Halves from 1 to 2 workers; 4 is consistently faster than 2, but by 2%,
 * less than a 5% tolerance; 8 and more would be far faster. The doubling
 * must stop at 4 (a gain within the tolerance is no gain), so 8 is never
 * probed, and the choice is 2. */
static double small_gain_curve(unsigned w)
{
    return w == 1 ? 1.0 : w < 4 ? 0.5 : w < 8 ? 0.49 : 0.3;
}

static struct autotune_result *search(struct fake *f, unsigned max, unsigned repeat, double tol)
{
    struct autotune_options o = {.max_workers = max, .tolerance = tol, .repeat = repeat,
                                 .run = fake_run, .ctx = f};
    struct autotune_result *r = NULL;
    struct cc_err err;
    assert_int_equal(autotune_search(&o, &r, &err), CC_OK);
    assert_non_null(r);
    return r;
}

static unsigned full_sweep_knee(double (*cost)(unsigned), unsigned max, double tol)
{
    unsigned *w = malloc(max * sizeof *w);
    double *m = malloc(max * sizeof *m);
    for (unsigned i = 0; i < max; i++) {
        w[i] = i + 1;
        m[i] = cost(i + 1);
    }
    unsigned knee = autotune_knee(w, m, max, tol);
    free(w);
    free(m);
    return knee;
}

static void io_knee_found_with_few_runs(void **state)
{
    (void)state;
    struct fake f = {.cost = io_curve};
    struct autotune_result *r = search(&f, 200, 3, 0.05);
    assert_int_equal(r->chosen, full_sweep_knee(io_curve, 200, 0.05));
    assert_int_equal(r->chosen, 160);
    assert_true(r->runs < r->full_sweep_runs / 5);
    assert_int_equal(f.calls, r->runs);
    autotune_free(r);
}

static void amdahl_knee_found(void **state)
{
    (void)state;
    struct fake f = {.cost = amdahl_curve};
    struct autotune_result *r = search(&f, 64, 3, 0.05);
    assert_int_equal(r->chosen, full_sweep_knee(amdahl_curve, 64, 0.05));
    assert_int_equal(r->best, 12);
    autotune_free(r);
}

static void flat_curve_gives_one_worker(void **state)
{
    (void)state;
    struct fake f = {.cost = flat_curve};
    struct autotune_result *r = search(&f, 64, 3, 0.05);
    assert_int_equal(r->chosen, 1);
    assert_int_equal(r->npoints, 2);  /* 1 and 2: no gain, stop */
    autotune_free(r);
}

static void noisy_curve_with_few_runs(void **state)
{
    (void)state;
    /* 3% noise, 3 runs a count: the choice stays on the knee's plateau
     * (within the tolerance of the true best), never far below it. */
    struct fake f = {.cost = io_curve, .noise = 0.03, .seed = 7};
    struct autotune_result *r = search(&f, 200, 3, 0.05);
    assert_true(io_curve(r->chosen) <= io_curve(160) * 1.10);
    assert_true(r->runs < r->full_sweep_runs / 5);
    autotune_free(r);
}

static void gain_within_tolerance_stops_doubling(void **state)
{
    (void)state;
    /* Exact, and with 0.5% noise (4 is then significantly faster by
     * Welch, and still by less than the tolerance). */
    for (int noisy = 0; noisy < 2; noisy++) {
        struct fake f = {.cost = small_gain_curve, .noise = noisy ? 0.005 : 0, .seed = 11};
        struct autotune_result *r = search(&f, 64, 5, 0.05);
        assert_non_null(autotune_find(r, 4));
        assert_null(autotune_find(r, 8));
        assert_int_equal(r->chosen, 2);
        autotune_free(r);
    }
}

static void one_worker_only(void **state)
{
    (void)state;
    struct fake f = {.cost = io_curve};
    struct autotune_result *r = search(&f, 1, 2, 0.05);
    assert_int_equal(r->chosen, 1);
    assert_int_equal(r->runs, 2);
    autotune_free(r);
}

static void bad_options_rejected(void **state)
{
    (void)state;
    struct autotune_options o = {.max_workers = 0, .repeat = 1, .run = fake_run};
    struct autotune_result *r;
    struct cc_err err;
    assert_int_equal(autotune_search(&o, &r, &err), CC_EINPUT);
    assert_null(r);
}

static void knee_rule(void **state)
{
    (void)state;
    unsigned w[] = {1, 2, 4, 8};
    double m[] = {8, 4.05, 4.0, 3.9};
    assert_int_equal(autotune_knee(w, m, 4, 0.05), 2);
    assert_int_equal(autotune_knee(w, m, 4, 0.0), 8);
}

/* Issue 10: two runs with a large spread printed "95% CI [-0.0145487,
 * 0.354412]". Every point's interval of the mean time stays above 0 and
 * holds its mean (stats.h: the log-scale lower end). */
static double rising_curve(unsigned w)
{
    return 0.1 * w;
}

static void wide_runs_keep_time_intervals_positive(void **state)
{
    (void)state;
    /* a rising curve: the doubling stops at once, two runs per point */
    struct fake f = {.cost = rising_curve, .noise = 0.95, .seed = 7};
    struct autotune_result *r = search(&f, 64, 2, 0.05);
    size_t checked = 0, student_negative = 0;
    for (size_t i = 0; i < r->npoints; i++) {
        const struct autotune_point *p = &r->points[i];
        if (p->n < 2 || isnan(p->s.ci_low))
            continue;
        assert_true(p->s.ci_low > 0);
        assert_true(p->s.ci_low <= p->s.mean && p->s.mean <= p->s.ci_high);
        checked++;
        /* the case of the issue: Student's lower end would be <= 0 */
        student_negative += p->s.mean - (p->s.ci_high - p->s.mean) <= 0;
    }
    assert_true(checked >= 2);
    assert_true(student_negative >= 1);
    autotune_free(r);
}

/* cli_autotune_write: every timed run of every probed count, in probe
 * order, the chosen count's rows marked "1"; the first failing row ends it. */
struct seen {
    char text[256];
    size_t rows, fail_at;
};

static enum cc_status note_row(void *ctx, unsigned workers, size_t run, double seconds,
                               const char *chosen, struct cc_err *err)
{
    struct seen *s = ctx;
    size_t len = strlen(s->text);
    if (++s->rows == s->fail_at)
        return cc_error(err, CC_ESYS, "row %zu failed", s->rows);
    snprintf(s->text + len, sizeof s->text - len, "%u/%zu/%g/%s ", workers, run, seconds, chosen);
    return CC_OK;
}

static void rows_of_every_probed_run(void **state)
{
    (void)state;
    double one[] = {1.0, 1.1}, two[] = {0.5}, four[] = {0.4, 0.45};
    struct autotune_point points[] = {
        {.workers = 1, .seconds = one, .n = 2},
        {.workers = 2, .seconds = two, .n = 1},
        {.workers = 4, .seconds = four, .n = 2},
    };
    struct autotune_result a = {.points = points, .npoints = 3, .chosen = 2, .best = 4,
                                .runs = 5, .full_sweep_runs = 8, .cpu_pressure = NAN};
    static const struct report_column columns[] = {{"x", false}};
    FILE *out = tmpfile();
    assert_non_null(out);
    struct report *r = report_open(out, REPORT_CSV, columns, 1);
    struct seen seen = {.fail_at = 0};
    struct cc_err err;
    assert_int_equal(cli_autotune_write(r, &a, 0.05, note_row, &seen, &err), CC_OK);
    assert_string_equal(seen.text, "1/1/1/0 1/2/1.1/0 2/1/0.5/1 4/1/0.4/0 4/2/0.45/0 ");

    struct seen failing = {.fail_at = 3};
    assert_int_equal(cli_autotune_write(r, &a, 0.05, note_row, &failing, &err), CC_ESYS);
    assert_int_equal(failing.rows, 3);
    assert_string_equal(err.msg, "row 3 failed");
    assert_int_equal(report_close(r), CC_OK);
    fclose(out);
}

int main(void)
{
    stats_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(io_knee_found_with_few_runs),
        cmocka_unit_test(amdahl_knee_found),
        cmocka_unit_test(flat_curve_gives_one_worker),
        cmocka_unit_test(noisy_curve_with_few_runs),
        cmocka_unit_test(gain_within_tolerance_stops_doubling),
        cmocka_unit_test(one_worker_only),
        cmocka_unit_test(bad_options_rejected),
        cmocka_unit_test(knee_rule),
        cmocka_unit_test(rows_of_every_probed_run),
        cmocka_unit_test(wide_runs_keep_time_intervals_positive),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
