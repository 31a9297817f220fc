/* The kernel against the closed form, on every path this CPU can run. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "kernel.h"
#include "kernel_impl.h"

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

static const enum kernel_path paths[] = {KERNEL_GENERIC, KERNEL_AVX2, KERNEL_AVX512,
                                        KERNEL_AVX512IFMA};

/* The paths this CPU lacks, named once per test binary. */
static void note_skipped_paths(void)
{
    for (size_t p = 0; p < sizeof paths / sizeof paths[0]; p++)
        if (!kernel_path_supported(paths[p]))
            print_message("[  SKIPPED ] kernel path %s: this CPU lacks its instructions "
                          "(its algorithm is still checked through its scalar model)\n",
                          kernel_path_name(paths[p]));
}

/* The AVX-512 and IFMA lane algorithms in portable C, on any CPU. */
static void check_models(uint64_t lo, uint64_t hi)
{
    u128 expected = kernel_sumsq_closed(hi) - kernel_sumsq_closed(lo);
    if (kernel_range_with(&kernel_impl_ifma_model, lo, hi) != expected)
        fail_msg("IFMA model wrong for [%llu, %llu)", (unsigned long long)lo,
                 (unsigned long long)hi);
    if (kernel_range_with(&kernel_impl_avx512_model, lo, hi) != expected)
        fail_msg("AVX-512 model wrong for [%llu, %llu)", (unsigned long long)lo,
                 (unsigned long long)hi);
}

static void check_all_paths(uint64_t lo, uint64_t hi)
{
    u128 expected = kernel_sumsq_closed(hi) - kernel_sumsq_closed(lo);
    check_models(lo, hi);
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

/* The narrow IFMA block ends at 2^26 (i*i no longer fits 52 bits); the
 * AVX2/AVX-512 split blocks take over at 2^29 and never cross a multiple of
 * 2^22. */
static void around_26_and_29_bits(void **state)
{
    (void)state;
    uint64_t two26 = UINT64_C(1) << 26, two29 = UINT64_C(1) << 29;
    check_all_paths(two26 - 300000, two26 + 300000);
    check_all_paths(two26 - 1, two26 + 1);
    check_all_paths(two29 - 200000, two29 + 200000);
    check_all_paths(two29 + (UINT64_C(5) << 22) - 1000, two29 + (UINT64_C(5) << 22) + 1000);
}

/* The largest squares: the wide blocks, exact to the 128-bit limit. */
static void near_the_limit(void **state)
{
    (void)state;
    check_all_paths(KERNEL_MAX_N - 600000, KERNEL_MAX_N);
    check_all_paths(KERNEL_MAX_N - 1, KERNEL_MAX_N);
    /* across a multiple of 2^22 just below the limit */
    uint64_t edge = KERNEL_MAX_N >> KERNEL_SPLIT_BITS << KERNEL_SPLIT_BITS;
    check_all_paths(edge - 70000, edge + 70000);
    /* a whole 2^22 span of the split blocks at the top (real paths only:
     * the scalar model takes a while over 4M squares) */
    uint64_t whole = edge - (UINT64_C(1) << KERNEL_SPLIT_BITS);
    u128 expected = kernel_sumsq_closed(edge) - kernel_sumsq_closed(whole);
    for (size_t p = 0; p < sizeof paths / sizeof paths[0]; p++) {
        if (!kernel_path_supported(paths[p]))
            continue;
        assert_int_equal(kernel_select(kernel_path_name(paths[p]), NULL), CC_OK);
        if (kernel_sumsq_range(whole, edge) != expected)
            fail_msg("path %s wrong for a whole span below the limit", kernel_path_name(paths[p]));
    }
    kernel_select("auto", NULL);
}

/* The emulated instructions against products worked out by hand: only the
 * low 52 bits of each operand count, and the halves are bits 0..51 and
 * 52..103 of the product. */
static void ifma_emulation(void **state)
{
    (void)state;
    uint64_t low52 = (UINT64_C(1) << 52) - 1;
    /* (2^52-1)^2 = 2^104 - 2^53 + 1: low half 1, high half 2^52 - 2 */
    assert_true(kernel_model_madd52lo(0, low52, low52) == 1);
    assert_true(kernel_model_madd52hi(0, low52, low52) == low52 - 1);
    /* bits above 52 of an operand are ignored */
    assert_true(kernel_model_madd52lo(5, UINT64_C(1) << 52 | 3, 7) == 5 + 21);
    /* 2^26 * 2^26 = 2^52: nothing in the low half, 1 in the high half */
    assert_true(kernel_model_madd52lo(0, UINT64_C(1) << 26, UINT64_C(1) << 26) == 0);
    assert_true(kernel_model_madd52hi(0, UINT64_C(1) << 26, UINT64_C(1) << 26) == 1);
    /* the accumulator wraps modulo 2^64 */
    assert_true(kernel_model_madd52lo(UINT64_MAX, 1, 1) == 0);
}

static void reference_numbers(void **state)
{
    (void)state;
    for (uint64_t n = 5000000; n < 5000020; n++)
        check_all_paths(0, n);
}

/* Random ranges (fixed seed, reproducible) across the magnitudes where the
 * block length changes: small i, i near 2^24..2^31, and above, up to 2^43. */
static void random_ranges(void **state)
{
    (void)state;
    srand(20261125);
    for (int k = 0; k < 60; k++) {
        unsigned bits = 8 + (unsigned)(rand() % 36); /* up to 2^43 */
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
    if (!kernel_path_supported(KERNEL_AVX512IFMA)) {
        assert_int_equal(kernel_select("avx512ifma", &err), CC_EINPUT);
        assert_non_null(strstr(err.msg, "'avx512ifma' is not supported"));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(closed_form_known_answers),
        cmocka_unit_test(limit_is_the_largest_that_fits),
        cmocka_unit_test(small_n_every_path),
        cmocka_unit_test(around_32_bits),
        cmocka_unit_test(around_26_and_29_bits),
        cmocka_unit_test(near_the_limit),
        cmocka_unit_test(ifma_emulation),
        cmocka_unit_test(reference_numbers),
        cmocka_unit_test(random_ranges),
        cmocka_unit_test(unsupported_and_unknown_paths_are_refused),
    };
    note_skipped_paths();
    return cmocka_run_group_tests_name("kernel", tests, NULL, NULL);
}
