/* The plan of a sweep: LIST syntax and its refusals, {W} substitution, the
 * three orders, and the CPUs a point uses. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "sweep.h"

/* Parses text and checks it gives exactly the counts expected. */
static void check_list(const char *text, const uint64_t *expected, size_t n)
{
    uint64_t *list = NULL;
    size_t got = 0;
    struct cc_err err = {""};
    assert_int_equal(sweep_parse_list(text, &list, &got, &err), CC_OK);
    assert_int_equal(got, n);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(list[i], expected[i]);
    free(list);
}

static void lists_counts_ranges_and_steps(void **state)
{
    (void)state;
    check_list("1", (const uint64_t[]){1}, 1);
    check_list("1,2,4", (const uint64_t[]){1, 2, 4}, 3);
    check_list("1-4", (const uint64_t[]){1, 2, 3, 4}, 4);
    check_list("4-16:4", (const uint64_t[]){4, 8, 12, 16}, 4);
    check_list("4-15:4", (const uint64_t[]){4, 8, 12}, 3);
    check_list("1,2,4-16:4", (const uint64_t[]){1, 2, 4, 8, 12, 16}, 6);
    check_list("3-3", (const uint64_t[]){3}, 1);
    check_list("8,1", (const uint64_t[]){8, 1}, 2); /* the order written */
    check_list("1_000", (const uint64_t[]){1000}, 1);
}

/* Each refused LIST, and a fragment its message must contain. */
static const struct {
    const char *text, *reason;
} refused[] = {
    {"", "empty list"},
    {"0", "'0' is 0"},
    {"1,0", "'0' is 0"},
    {"1,,2", "empty item"},
    {"1,", "empty item"},
    {"-3", "'-3' is not a count or range"},
    {"4-2", "'4-2' runs backwards"},
    {"1-8:0", "'1-8:0' is 0"},
    {"2:2", "a step needs a range"},
    {"1,2,1", "1 is listed twice"},
    {"1-4,3", "3 is listed twice"},
    {"x", "'x' is not a number"},
    {"1.5", "'1.5' is not a whole number"},
    {"1-x", "in '1-x': 'x' is not a number"},
    {"1-", "in '1-': empty value"},
    {"2000000", "exceeds the limit"},
    {"1-100000", "more than 4096 points"},
};

static void bad_lists_are_refused_by_name(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
        struct cc_err err = {""};
        uint64_t *list = (uint64_t *)&err; /* must stay untouched */
        size_t n = 42;
        assert_int_equal(sweep_parse_list(refused[i].text, &list, &n, &err), CC_EINPUT);
        if (!strstr(err.msg, refused[i].reason))
            fail_msg("'%s': message '%s' lacks '%s'", refused[i].text, err.msg, refused[i].reason);
        assert_ptr_equal(list, (uint64_t *)&err);
        assert_int_equal(n, 42);
    }
}

static void placeholder_is_replaced_everywhere(void **state)
{
    (void)state;
    char *s = sweep_substitute("-np {W} x{W}y {W}", 16);
    assert_string_equal(s, "-np 16 x16y 16");
    free(s);
    s = sweep_substitute("OMP_NUM_THREADS={W}", 1000000);
    assert_string_equal(s, "OMP_NUM_THREADS=1000000");
    free(s);
    s = sweep_substitute("no placeholder {w} {W", 3);
    assert_string_equal(s, "no placeholder {w} {W");
    free(s);
    s = sweep_substitute("", 3);
    assert_string_equal(s, "");
    free(s);
    assert_true(sweep_has_placeholder("a{W}b"));
    assert_false(sweep_has_placeholder("a{w}b"));
}

/* The steps as "P.R" (point, run; 'w' before a warm-up) joined by spaces. */
static void check_schedule(size_t npoints, uint64_t repeat, uint64_t warmup, enum sweep_order order,
                           uint64_t seed, const char *expected)
{
    struct sweep_step *steps;
    size_t n;
    struct cc_err err = {""};
    assert_int_equal(sweep_schedule(npoints, repeat, warmup, order, seed, &steps, &n, &err), CC_OK);
    assert_int_equal(n, npoints * (repeat + warmup));
    char text[512] = "";
    for (size_t i = 0; i < n; i++)
        snprintf(text + strlen(text), sizeof text - strlen(text), "%s%s%zu.%llu", i ? " " : "",
                 steps[i].warmup ? "w" : "", steps[i].point, (unsigned long long)steps[i].run);
    free(steps);
    assert_string_equal(text, expected);
}

/* Interleaved rounds are serpentine (every second one backwards); warm-up
 * rounds stay plain, before the first timed round. */
static void interleaved_alternates_points(void **state)
{
    (void)state;
    check_schedule(3, 3, 0, SWEEP_INTERLEAVED, 0, "0.1 1.1 2.1 2.2 1.2 0.2 0.3 1.3 2.3");
    check_schedule(2, 2, 1, SWEEP_INTERLEAVED, 0, "w0.1 w1.1 0.1 1.1 1.2 0.2");
    check_schedule(3, 1, 2, SWEEP_INTERLEAVED, 0, "w0.1 w1.1 w2.1 w0.2 w1.2 w2.2 0.1 1.1 2.1");
    check_schedule(1, 2, 0, SWEEP_INTERLEAVED, 0, "0.1 0.2");
}

/* What the serpentine is for: under drift linear in the sequence, every
 * point's timed runs have the same mean position when repeat is even (so
 * the same mean drift), and with an odd repeat the last point lags the
 * first by (points - 1) / repeat steps, not points - 1. */
static void interleaved_cancels_linear_drift(void **state)
{
    (void)state;
    for (uint64_t repeat = 1; repeat <= 6; repeat++) {
        struct sweep_step *steps;
        size_t n;
        assert_int_equal(sweep_schedule(4, repeat, 1, SWEEP_INTERLEAVED, 0, &steps, &n, NULL), CC_OK);
        uint64_t sum[4] = {0, 0, 0, 0};
        for (size_t i = 0; i < n; i++)
            if (!steps[i].warmup)
                sum[steps[i].point] += i;
        free(steps);
        for (size_t p = 1; p < 4; p++)
            assert_int_equal(sum[p] - sum[0], repeat % 2 ? p : 0);
    }
}

static void blocked_keeps_a_point_together(void **state)
{
    (void)state;
    check_schedule(3, 2, 0, SWEEP_BLOCKED, 0, "0.1 0.2 1.1 1.2 2.1 2.2");
    check_schedule(2, 2, 1, SWEEP_BLOCKED, 0, "w0.1 0.1 0.2 w1.1 1.1 1.2");
}

/* Field by field: the padding after warmup is not set, so memcmp of two
 * schedules differs by chance. */
static bool same_steps(const struct sweep_step *a, const struct sweep_step *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (a[i].point != b[i].point || a[i].run != b[i].run || a[i].warmup != b[i].warmup)
            return false;
    return true;
}

/* Random: warm-ups first, every timed run exactly once, runs of a point
 * numbered in the order they happen, the same order for the same seed and
 * another for another seed. */
static void random_is_a_seeded_permutation(void **state)
{
    (void)state;
    struct sweep_step *a, *b, *c;
    size_t n;
    assert_int_equal(sweep_schedule(4, 5, 1, SWEEP_RANDOM, 42, &a, &n, NULL), CC_OK);
    assert_int_equal(sweep_schedule(4, 5, 1, SWEEP_RANDOM, 42, &b, &n, NULL), CC_OK);
    assert_int_equal(sweep_schedule(4, 5, 1, SWEEP_RANDOM, 43, &c, &n, NULL), CC_OK);
    assert_int_equal(n, 24);
    assert_true(same_steps(a, b, n));
    assert_false(same_steps(a, c, n));
    uint64_t next[4] = {0, 0, 0, 0};
    bool interleaved = true;
    for (size_t i = 0; i < n; i++) {
        if (i < 4) {
            assert_true(a[i].warmup);
            assert_int_equal(a[i].point, i);
            continue;
        }
        assert_false(a[i].warmup);
        assert_int_equal(a[i].run, ++next[a[i].point]);
        interleaved &= a[i].point == (i - 4) % 4;
    }
    for (size_t p = 0; p < 4; p++)
        assert_int_equal(next[p], 5);
    assert_false(interleaved);
    free(a);
    free(b);
    free(c);
}

static void orders_by_name(void **state)
{
    (void)state;
    enum sweep_order o;
    struct cc_err err = {""};
    assert_int_equal(sweep_parse_order("blocked", &o, &err), CC_OK);
    assert_int_equal(o, SWEEP_BLOCKED);
    assert_string_equal(sweep_order_name(SWEEP_RANDOM), "random");
    assert_int_equal(sweep_parse_order("Interleaved", &o, &err), CC_EINPUT);
    assert_non_null(strstr(err.msg, "'Interleaved'"));
}

static void cpus_used_by_a_point(void **state)
{
    (void)state;
    assert_int_equal(sweep_cpus_used("./prog", false, 4, NULL), 4);
    assert_int_equal(sweep_cpus_used("./prog", false, 4, "8"), 4);
    assert_int_equal(sweep_cpus_used("mpirun", true, 4, NULL), 4);
    assert_int_equal(sweep_cpus_used("/usr/bin/mpirun", true, 4, "2"), 8);
    assert_int_equal(sweep_cpus_used("srun", true, 3, "4,2"), 12);
    assert_int_equal(sweep_cpus_used("mpiexec", true, 3, "0"), 3);
    assert_int_equal(sweep_cpus_used("mpirun", false, 3, "4"), 3); /* ranks fixed */
    assert_true(sweep_is_launcher("mpiexec"));
    assert_false(sweep_is_launcher("mpirun-wrapper"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(lists_counts_ranges_and_steps),
        cmocka_unit_test(bad_lists_are_refused_by_name),
        cmocka_unit_test(placeholder_is_replaced_everywhere),
        cmocka_unit_test(interleaved_alternates_points),
        cmocka_unit_test(interleaved_cancels_linear_drift),
        cmocka_unit_test(blocked_keeps_a_point_together),
        cmocka_unit_test(random_is_a_seeded_permutation),
        cmocka_unit_test(orders_by_name),
        cmocka_unit_test(cpus_used_by_a_point),
    };
    return cmocka_run_group_tests_name("sweep", tests, NULL, NULL);
}
