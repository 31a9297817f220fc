/* classify: the verdict on synthetic measurements whose answer is known,
 * and one real run of small commands for the measuring side. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "classify.h"

#define assert_close(got, want, rel)                                                               \
    do {                                                                                           \
        double g_ = (got), w_ = (want);                                                            \
        double tol_ = (rel) * (w_ != 0 ? fabs(w_) : 1);                                            \
        if (!(fabs(g_ - w_) <= tol_))                                                              \
            fail_msg("%s = %.17g, expected %.17g (rel. tolerance %g)", #got, g_, w_,               \
                     (double)(rel));                                                               \
    } while (0)

/* A run of wall seconds with cpu seconds of user time and vol voluntary
 * switches; the optional figures present and zero. */
static struct classify_run run_of(double wall, double cpu, double vol)
{
    struct classify_run r;
    memset(&r, 0, sizeof r);
    r.wall_s = wall;
    r.user_s = cpu;
    r.voluntary = vol;
    return r;
}

static struct classify_result decide(const struct classify_run *runs, size_t n)
{
    struct classify_result r;
    struct cc_err err;
    assert_int_equal(classify_decide(runs, n, &r, &err), CC_OK);
    return r;
}

static void clear_cpu_bound(void **state)
{
    (void)state;
    struct classify_run runs[] = {run_of(2.0, 1.96, 1), run_of(2.0, 1.94, 1), run_of(2.0, 1.98, 2)};
    struct classify_result r = decide(runs, 3);
    assert_int_equal(r.verdict, CLASSIFY_CPU);
    assert_int_equal(r.wait, CLASSIFY_WAIT_NONE);
    assert_false(r.uncertain);
    assert_false(classify_needs_more(&r));
    assert_close(r.utilisation.mean, 0.98, 1e-12);
    assert_string_equal(classify_verdict_name(r.verdict), "cpu-bound");
    assert_non_null(strstr(classify_advice(&r), "OpenMP"));
}

/* Two busy threads: utilisation near 2, still CPU-bound, and the advice
 * says it already runs in parallel. */
static void parallel_cpu_above_one(void **state)
{
    (void)state;
    struct classify_run runs[] = {run_of(1.0, 1.9, 3), run_of(1.0, 1.92, 3), run_of(1.0, 1.88, 3)};
    struct classify_result r = decide(runs, 3);
    assert_int_equal(r.verdict, CLASSIFY_CPU);
    assert_true(r.utilisation.mean > CLASSIFY_PARALLEL);
    assert_true(r.utilisation.ci_low > 1.0);
    assert_close(r.off_cpu_share, 0.0, 0); /* never negative */
    assert_non_null(strstr(classify_advice(&r), "already parallel"));
}

static void clear_io_bound(void **state)
{
    (void)state;
    struct classify_run runs[] = {run_of(1.0, 0.02, 30), run_of(1.1, 0.02, 31),
                                  run_of(1.0, 0.03, 29)};
    struct classify_result r = decide(runs, 3);
    assert_int_equal(r.verdict, CLASSIFY_IO);
    assert_int_equal(r.wait, CLASSIFY_WAIT_OTHER);
    assert_string_equal(classify_wait_name(r.wait), "other");
    assert_close(r.voluntary_per_s, 30.0 / (3.1 / 3), 1e-12);
    assert_true(r.off_cpu_share > 0.97);
    assert_non_null(strstr(classify_advice(&r), "event loop"));
}

/* The same waiting with 8 MiB of block reads a run: waiting on the disk. */
static void io_bound_on_disk(void **state)
{
    (void)state;
    struct classify_run runs[] = {run_of(1.0, 0.05, 300), run_of(1.0, 0.05, 300)};
    runs[0].block_in = runs[1].block_in = 16384;
    struct classify_result r = decide(runs, 2);
    assert_int_equal(r.verdict, CLASSIFY_IO);
    assert_int_equal(r.wait, CLASSIFY_WAIT_DISK);
    assert_string_equal(classify_wait_name(r.wait), "disk");
}

static void mixed_between_thresholds(void **state)
{
    (void)state;
    struct classify_run runs[] = {run_of(1.0, 0.5, 20), run_of(1.0, 0.55, 20),
                                  run_of(1.0, 0.52, 20)};
    struct classify_result r = decide(runs, 3);
    assert_int_equal(r.verdict, CLASSIFY_MIXED);
    assert_false(r.uncertain);
    assert_false(r.contended);
    assert_null(classify_wait_name(r.wait));
}

/* Half the wall on the CPU and almost all the rest runnable in the run
 * queue (a busy machine): it wanted the CPU, so CPU-bound, contended. */
static void contended_cpu_bound(void **state)
{
    (void)state;
    struct classify_run runs[] = {run_of(1.0, 0.5, 1), run_of(1.0, 0.55, 1), run_of(1.0, 0.6, 1)};
    for (size_t i = 0; i < 3; i++)
        runs[i].runq_wait_s = 0.95 - runs[i].user_s;
    struct classify_result r = decide(runs, 3);
    assert_close(r.utilisation.mean, 0.55, 1e-12);
    assert_close(r.demand.mean, 0.95, 1e-12);
    assert_int_equal(r.verdict, CLASSIFY_CPU);
    assert_true(r.contended);
}

/* Waiting in the run queue for a tenth of the wall or more is contention,
 * whatever the verdict (here mixed); less is not. */
static void contended_by_run_queue_share(void **state)
{
    (void)state;
    struct classify_run runs[] = {run_of(1.0, 0.5, 50), run_of(1.0, 0.5, 50)};
    for (size_t i = 0; i < 2; i++)
        runs[i].runq_wait_s = 0.15;
    struct classify_result r = decide(runs, 2);
    assert_int_equal(r.verdict, CLASSIFY_MIXED);
    assert_true(r.contended);
    for (size_t i = 0; i < 2; i++)
        runs[i].runq_wait_s = 0.05;
    r = decide(runs, 2);
    assert_int_equal(r.verdict, CLASSIFY_MIXED);
    assert_false(r.contended);
}

/* Thousands of wake-ups gather run-queue wait (a direct-I/O disk reader
 * measured 0.24 utilisation, 0.31 demand): the I/O threshold reads the
 * utilisation, so this is still I/O-bound, on the disk. */
static void wakeup_latency_is_still_io(void **state)
{
    (void)state;
    struct classify_run runs[] = {run_of(0.4, 0.096, 3500), run_of(0.4, 0.096, 3500)};
    for (size_t i = 0; i < 2; i++) {
        runs[i].runq_wait_s = 0.028;
        runs[i].read_bytes = 200e6;
    }
    struct classify_result r = decide(runs, 2);
    assert_true(r.demand.mean > CLASSIFY_IO_BOUND);
    assert_int_equal(r.verdict, CLASSIFY_IO);
    assert_int_equal(r.wait, CLASSIFY_WAIT_DISK);
}

/* Off the CPU without a single voluntary switch: preempted, not waiting. */
static void preempted_is_not_io(void **state)
{
    (void)state;
    struct classify_run runs[] = {run_of(1.0, 0.1, 0), run_of(1.0, 0.1, 0)};
    assert_int_equal(decide(runs, 2).verdict, CLASSIFY_MIXED);
}

/* Under 0.1 s of wall: fast enough whatever the utilisation, and no
 * "uncertain" even when the utilisation scatters across the thresholds. */
static void fast_enough(void **state)
{
    (void)state;
    struct classify_run runs[] = {run_of(0.002, 0.0001, 1), run_of(0.002, 0.002, 1),
                                  run_of(0.003, 0.001, 2)};
    struct classify_result r = decide(runs, 3);
    assert_int_equal(r.verdict, CLASSIFY_FAST);
    assert_false(r.uncertain);
    assert_false(classify_needs_more(&r));
    assert_non_null(strstr(classify_advice(&r), "You can stop here"));
}

/* The 95% interval by hand: 0.9, 1.0, 1.1 have mean 1 and sd 0.1;
 * t(0.975, 2) = 4.302652729911275, so 1 -+ 4.3027 * 0.1 / sqrt(3). The
 * interval crosses 0.8: uncertain, more runs wanted. */
static void interval_and_uncertainty(void **state)
{
    (void)state;
    struct classify_run runs[] = {run_of(1.0, 0.9, 1), run_of(1.0, 1.0, 1), run_of(1.0, 1.1, 1)};
    struct classify_result r = decide(runs, 3);
    assert_close(r.utilisation.mean, 1.0, 1e-12);
    assert_close(r.utilisation.ci_low, 0.7515862288156248, 1e-9);
    assert_close(r.utilisation.ci_high, 1.2484137711843752, 1e-9);
    assert_int_equal(r.verdict, CLASSIFY_CPU);
    assert_true(r.uncertain);
    assert_true(classify_needs_more(&r));
}

/* One run: no interval (NAN), so nothing to be uncertain about. */
static void single_run(void **state)
{
    (void)state;
    struct classify_run one = run_of(1.0, 0.99, 1);
    struct classify_result r = decide(&one, 1);
    assert_int_equal(r.verdict, CLASSIFY_CPU);
    assert_true(isnan(r.utilisation.ci_low));
    assert_false(r.uncertain);
}

/* A figure one run lacks (NAN) is unavailable in the summary; failed runs
 * are counted and the last exit status kept. */
static void missing_figures_and_failures(void **state)
{
    (void)state;
    struct classify_run runs[] = {run_of(1.0, 0.9, 1), run_of(1.0, 0.9, 1)};
    runs[0].psi_io_s = NAN;
    runs[1].exit_code = 3;
    struct classify_result r = decide(runs, 2);
    assert_true(isnan(r.psi_io_s));
    assert_close(r.psi_cpu_s, 0.0, 0);
    assert_int_equal(r.failed_runs, 1);
    assert_int_equal(r.last_exit_code, 3);
}

static void no_runs_is_an_error(void **state)
{
    (void)state;
    struct classify_result r;
    struct cc_err err;
    assert_int_equal(classify_decide(NULL, 0, &r, &err), CC_EINPUT);
}

/* The measuring side on real commands. */
static void run_once_real(void **state)
{
    (void)state;
    struct classify_run run;
    struct cc_err err;
    char *ok[] = {"true", NULL};
    assert_int_equal(classify_run_once(ok, false, &run, &err), CC_OK);
    assert_int_equal(run.exit_code, 0);
    assert_true(run.wall_s > 0 && run.wall_s < 5);
    assert_true(run.max_rss_kib > 0);

    char *fails[] = {"sh", "-c", "exit 3", NULL};
    assert_int_equal(classify_run_once(fails, false, &run, &err), CC_OK);
    assert_int_equal(run.exit_code, 3);
    assert_int_equal(run.term_signal, 0);

    char *killed[] = {"sh", "-c", "kill -9 $$", NULL};
    assert_int_equal(classify_run_once(killed, false, &run, &err), CC_OK);
    assert_int_equal(run.term_signal, 9);
    assert_int_equal(run.exit_code, 137);

    char *missing[] = {"concur-no-such-command", NULL};
    assert_int_equal(classify_run_once(missing, false, &run, &err), CC_EINPUT);
    assert_non_null(strstr(err.msg, "concur-no-such-command"));
}

int main(void)
{
    stats_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(clear_cpu_bound),
        cmocka_unit_test(parallel_cpu_above_one),
        cmocka_unit_test(clear_io_bound),
        cmocka_unit_test(io_bound_on_disk),
        cmocka_unit_test(mixed_between_thresholds),
        cmocka_unit_test(contended_cpu_bound),
        cmocka_unit_test(contended_by_run_queue_share),
        cmocka_unit_test(wakeup_latency_is_still_io),
        cmocka_unit_test(preempted_is_not_io),
        cmocka_unit_test(fast_enough),
        cmocka_unit_test(interval_and_uncertainty),
        cmocka_unit_test(single_run),
        cmocka_unit_test(missing_figures_and_failures),
        cmocka_unit_test(no_runs_is_an_error),
        cmocka_unit_test(run_once_real),
    };
    return cmocka_run_group_tests_name("classify", tests, NULL, NULL);
}
