/* Workload totals and task decompositions. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "kernel.h"
#include "workload.h"

static void reference_total(void **state)
{
    (void)state;
    struct workload w;
    char text[NUM_U128_BUFSIZE];
    assert_int_equal(workload_init(&w, 5000000, 20, DECOMP_NUMBERS, 1, NULL), CC_OK);
    /* python3: sum(sum(i*i for i in range(5_000_000 + x)) for x in range(20)) */
    assert_string_equal(num_format_u128(w.expected, text), "833337833344750010830");
    assert_int_equal(w.ntasks, 20);
    assert_int_equal(w.squares, 100000190);
    workload_free(&w);
}

/* The range parts of each number tile [0, n) exactly: no gap, no overlap. */
static void range_parts_tile_each_number(void **state)
{
    (void)state;
    struct workload w;
    assert_int_equal(workload_init(&w, 1000, 3, DECOMP_RANGE, 7, NULL), CC_OK);
    assert_int_equal(w.ntasks, 21);
    for (size_t i = 0; i < 3; i++) {
        const struct task *parts = &w.tasks[i * 7];
        assert_int_equal(parts[0].lo, 0);
        for (size_t p = 1; p < 7; p++)
            assert_int_equal(parts[p].lo, parts[p - 1].hi);
        assert_int_equal(parts[6].hi, 1000 + i);
    }
    u128 total = 0;
    for (size_t t = 0; t < w.ntasks; t++)
        total += kernel_sumsq_range(w.tasks[t].lo, w.tasks[t].hi);
    assert_true(total == w.expected);
    workload_free(&w);
}

static void more_parts_than_squares(void **state)
{
    (void)state;
    struct workload w;
    assert_int_equal(workload_init(&w, 2, 2, DECOMP_RANGE, 8, NULL), CC_OK);
    u128 total = 0;
    for (size_t t = 0; t < w.ntasks; t++)
        total += kernel_sumsq_range(w.tasks[t].lo, w.tasks[t].hi);
    assert_true(total == w.expected);
    assert_true(total == 1 + 5);
    workload_free(&w);
}

static void refused_workloads(void **state)
{
    (void)state;
    struct workload w;
    struct cc_err err;
    assert_int_equal(workload_init(&w, 5, 0, DECOMP_NUMBERS, 1, &err), CC_EINPUT);
    assert_non_null(strstr(err.msg, "--count"));
    /* the last number passes the 128-bit limit */
    assert_int_equal(workload_init(&w, KERNEL_MAX_N, 2, DECOMP_NUMBERS, 1, &err), CC_EINPUT);
    assert_non_null(strstr(err.msg, "10069012961345"));
    /* every number fits, their total does not */
    assert_int_equal(workload_init(&w, KERNEL_MAX_N - 1, 2, DECOMP_NUMBERS, 1, &err), CC_EINPUT);
    assert_non_null(strstr(err.msg, "exceeds 128 bits"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(reference_total),
        cmocka_unit_test(range_parts_tile_each_number),
        cmocka_unit_test(more_parts_than_squares),
        cmocka_unit_test(refused_workloads),
    };
    return cmocka_run_group_tests_name("workload", tests, NULL, NULL);
}
