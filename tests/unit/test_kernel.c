/* The kernel against the closed form, on every path this CPU can run. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "kernel.h"

static u128 u128_from(uint64_t hi, uint64_t lo)
{
    return (u128)hi << 64 | lo;
}

/* Known answers computed with Python's exact integers:
 * n*(n-1)*(2*n-1)//6 and sum(i*i for i in range(n)). */
static void closed_form_known_answers(void **state)
{
    (void)state;
    assert_true(kernel_sumsq_closed(0) == 0);
    assert_true(kernel_sumsq_closed(1) == 0);
    assert_true(kernel_sumsq_closed(2) == 1);
    assert_true(kernel_sumsq_closed(3) == 5);
    /* 41666654166667500000 = 2 * 2^64 + 4773166019248396768 */
    assert_true(kernel_sumsq_closed(5000000) == u128_from(2, UINT64_C(4773166019248396768)));
    /* The limit: 340282366920839261491266184731045101920, just below 2^128. */
    u128 at_limit = kernel_sumsq_closed(KERNEL_MAX_N);
    assert_true(at_limit == u128_from(UINT64_C(18446744073704173866), UINT64_C(5833968840479834464)));
}

/* One step past the limit the true sum exceeds 2^128: the limit is exact. */
static void limit_is_the_largest_that_fits(void **state)
{
    (void)state;
    u128 at_limit = kernel_sumsq_closed(KERNEL_MAX_N);
    u128 last_square = (u128)KERNEL_MAX_N * KERNEL_MAX_N;
    assert_true(at_limit + last_square < at_limit); /* wraps: does not fit */
}

static const enum kernel_path paths[] = {KERNEL_GENERIC, KERNEL_AVX2, KERNEL_AVX512};

static void check_all_paths(uint64_t lo, uint64_t hi)
{
    u128 expected = kernel_sumsq_closed(hi) - kernel_sumsq_closed(lo);
    for (size_t p = 0; p < sizeof paths / sizeof paths[0]; p++) {
        if (!kernel_path_supported(paths[p]))
            continue;
        assert_int_equal(kernel_select(kernel_path_name(paths[p]), NULL), CC_OK);
        if (kernel_sumsq_range(lo, hi) != expected)
            fail_msg("path %s wrong for [%llu, %llu)", kernel_path_name(paths[p]),
                     (unsigned long long)lo, (unsigned long long)hi);
    }
    kernel_select("auto", NULL);
}

static void small_n_every_path(void **state)
{
    (void)state;
    for (uint64_t n = 0; n < 200; n++)
        check_all_paths(0, n);
}

static void around_32_bits(void **state)
{
    (void)state;
    uint64_t two32 = UINT64_C(1) << 32;
    check_all_paths(two32 - 1000, two32 - 1); /* ends at 2^32 - 1 */
    check_all_paths(two32 - 1000, two32);
    check_all_paths(two32 - 1000, two32 + 1);
    check_all_paths(two32 - 5, two32 + 1000);
    /* the vector-to-scalar handover at 2^31 */
    check_all_paths((UINT64_C(1) << 31) - 777, (UINT64_C(1) << 31) + 777);
}

static void reference_numbers(void **state)
{
    (void)state;
    for (uint64_t n = 5000000; n < 5000020; n++)
        check_all_paths(0, n);
}

/* Random ranges (fixed seed, reproducible) across the magnitudes where the
 * block length changes: small i, i near 2^24..2^31, and above. */
static void random_ranges(void **state)
{
    (void)state;
    srand(20261125);
    for (int k = 0; k < 60; k++) {
        unsigned bits = 8 + (unsigned)(rand() % 28);
        uint64_t lo = ((uint64_t)rand() << 20 ^ (uint64_t)rand()) % (UINT64_C(1) << bits);
        uint64_t len = (uint64_t)(rand() % 100000);
        check_all_paths(lo, lo + len);
    }
}

static void unsupported_and_unknown_paths_are_refused(void **state)
{
    (void)state;
    struct cc_err err;
    assert_int_equal(kernel_select("sse9", &err), CC_EINPUT);
    assert_non_null(strstr(err.msg, "'sse9'"));
    if (!kernel_path_supported(KERNEL_AVX512)) {
        assert_int_equal(kernel_select("avx512", &err), CC_EINPUT);
        assert_non_null(strstr(err.msg, "not supported"));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(closed_form_known_answers),
        cmocka_unit_test(limit_is_the_largest_that_fits),
        cmocka_unit_test(small_n_every_path),
        cmocka_unit_test(around_32_bits),
        cmocka_unit_test(reference_numbers),
        cmocka_unit_test(random_ranges),
        cmocka_unit_test(unsupported_and_unknown_paths_are_refused),
    };
    return cmocka_run_group_tests_name("kernel", tests, NULL, NULL);
}
