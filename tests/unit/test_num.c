/* Strict parsing (every bad input class) and exact 128-bit formatting. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "num.h"

#define U128_MAX (~(u128)0)

static void format_known_values(void **state)
{
    (void)state;
    char buf[NUM_U128_BUFSIZE];
    assert_string_equal(num_format_u128(0, buf), "0");
    assert_string_equal(num_format_u128(7, buf), "7");
    assert_string_equal(num_format_u128(UINT64_MAX, buf), "18446744073709551615");
    assert_string_equal(num_format_u128((u128)UINT64_MAX + 1, buf), "18446744073709551616");
    assert_string_equal(num_format_u128(U128_MAX, buf), "340282366920938463463374607431768211455");
}

static void parse_and_format_round_trip(void **state)
{
    (void)state;
    const char *texts[] = {"0", "1", "10", "18446744073709551616",
                           "340282366920938463463374607431768211455"};
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        u128 v;
        char buf[NUM_U128_BUFSIZE];
        assert_int_equal(num_parse_u128("N", texts[i], U128_MAX, &v, NULL), CC_OK);
        assert_string_equal(num_format_u128(v, buf), texts[i]);
    }
}

static void underscores_as_in_python(void **state)
{
    (void)state;
    uint64_t v;
    assert_int_equal(num_parse_u64("N", "5_000_000", UINT64_MAX, &v, NULL), CC_OK);
    assert_int_equal(v, 5000000);
    assert_int_equal(num_parse_u64("N", "1_2_3", UINT64_MAX, &v, NULL), CC_OK);
    assert_int_equal(v, 123);
    assert_int_equal(num_parse_u64("N", "007", UINT64_MAX, &v, NULL), CC_OK);
    assert_int_equal(v, 7);
}

/* Each refused text, and a fragment its message must contain. */
static const struct {
    const char *text, *reason;
} refused[] = {
    {"", "empty value"},
    {"-1", "'-1' is negative"},
    {"+1", "'+1' has a sign"},
    {"-", "'-' has a sign"},
    {"abc", "'abc' is not a number"},
    {"12abc", "'12abc' is not a number"},
    {" 12", "' 12' is not a number"},
    {"12 ", "'12 ' is not a number"},
    {"1e6", "'1e6' is an exponent form"},
    {"1E6", "'1E6' is an exponent form"},
    {"2.5", "'2.5' is not a whole number"},
    {"0x1f", "'0x1f' is hexadecimal"},
    {"_1", "'_1' misplaces '_'"},
    {"1_", "'1_' misplaces '_'"},
    {"1__0", "'1__0' misplaces '_'"},
    {"18446744073709551616", "does not fit in 64 bits"},
    {"340282366920938463463374607431768211456", "too large"},
};

static void every_bad_input_class_is_refused(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
        struct cc_err err = {""};
        uint64_t v = 42;
        assert_int_equal(num_parse_u64("N", refused[i].text, UINT64_MAX, &v, &err), CC_EINPUT);
        assert_int_equal(v, 42); /* nothing written on failure */
        if (!strstr(err.msg, refused[i].reason))
            fail_msg("'%s': message '%s' lacks '%s'", refused[i].text, err.msg, refused[i].reason);
        assert_non_null(strstr(err.msg, "N: "));
    }
}

static void limit_is_named(void **state)
{
    (void)state;
    struct cc_err err;
    uint64_t v;
    assert_int_equal(num_parse_u64("--count", "101", 100, &v, &err), CC_EINPUT);
    assert_string_equal(err.msg, "--count: '101' exceeds the limit 100");
    assert_int_equal(num_parse_u64("--count", "100", 100, &v, &err), CC_OK);
    assert_int_equal(v, 100);
}

static void durations(void **state)
{
    (void)state;
    double s;
    struct cc_err err;
    assert_int_equal(num_parse_duration("--latency", "100ms", 60, &s, NULL), CC_OK);
    assert_true(s > 0.0999999 && s < 0.1000001);
    assert_int_equal(num_parse_duration("--latency", "0.25s", 60, &s, NULL), CC_OK);
    assert_true(s == 0.25);
    assert_int_equal(num_parse_duration("--latency", "2", 60, &s, NULL), CC_OK);
    assert_true(s == 2.0);
    assert_int_equal(num_parse_duration("--latency", "1m", 60, &s, NULL), CC_OK);
    assert_true(s == 60.0);
    assert_int_equal(num_parse_duration("--latency", "fast", 60, &s, &err), CC_EINPUT);
    assert_non_null(strstr(err.msg, "'fast'"));
    assert_int_equal(num_parse_duration("--latency", "5h", 60, &s, &err), CC_EINPUT);
    assert_non_null(strstr(err.msg, "unknown unit 'h'"));
    assert_int_equal(num_parse_duration("--latency", "-1s", 60, &s, &err), CC_EINPUT);
    assert_int_equal(num_parse_duration("--latency", "2m", 60, &s, &err), CC_EINPUT);
    assert_non_null(strstr(err.msg, "exceeds"));
    assert_int_equal(num_parse_duration("--latency", "", 60, &s, &err), CC_EINPUT);
}

/* The shortest form that reads back: fewer digits than %.17g where they
 * suffice, all 17 where they are needed, the shortest for subnormals too. */
static void shortest_double_forms(void **state)
{
    (void)state;
    char buf[NUM_DOUBLE_BUFSIZE];
    assert_string_equal(num_format_double(0.55, buf), "0.55");
    assert_string_equal(num_format_double(1.0, buf), "1");
    assert_string_equal(num_format_double(0.1 + 0.2, buf), "0.30000000000000004");
    assert_string_equal(num_format_double(123456789012.5, buf), "123456789012.5");
    assert_string_equal(num_format_double(4.9406564584124654e-324, buf), "5e-324");
    assert_string_equal(num_format_double(-2.2250738585072014e-308, buf), "-2.2250738585072014e-308");
    assert_true(strtod(num_format_double(-2.2250738585072014e-308, buf), NULL) == -2.2250738585072014e-308);
}

/* Percentages: 5, 5% and 2.5% alike, as a fraction; anything strtod would
 * bend (signs, exponents, blanks, a second '.') refused with the text named. */
static void percentages(void **state)
{
    (void)state;
    struct cc_err err;
    double v;
    assert_int_equal(num_parse_percent("--p", "5", 100, &v, &err), CC_OK);
    assert_true(v == 0.05);
    assert_int_equal(num_parse_percent("--p", "5%", 100, &v, &err), CC_OK);
    assert_true(v == 0.05);
    assert_int_equal(num_parse_percent("--p", "2.5%", 100, &v, &err), CC_OK);
    assert_true(v == 0.025);
    assert_int_equal(num_parse_percent("--p", "0", 100, &v, &err), CC_OK);
    assert_true(v == 0);
    assert_int_equal(num_parse_percent("--p", "100%", 100, &v, &err), CC_OK);
    assert_true(v == 1);
    assert_int_equal(num_parse_percent("--p", "250", INFINITY, &v, &err), CC_OK);
    assert_true(v == 2.5);

    static const char *const bad[] = {"", "%", ".", "-5", "+5", "1e1", " 5", "5 ", "5%%",
                                      "1.2.3", "five", "5x", "nan", "inf"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        v = 42;
        assert_int_equal(num_parse_percent("--p", bad[i], INFINITY, &v, &err), CC_EINPUT);
        assert_true(v == 42);
        char want[64];
        snprintf(want, sizeof want, "--p: '%s' is not a percentage (e.g. 5%%)", bad[i]);
        assert_string_equal(err.msg, want);
    }
    assert_int_equal(num_parse_percent("--tolerance", "100.5", 100, &v, &err), CC_EINPUT);
    assert_string_equal(err.msg, "--tolerance: '100.5' is not a percentage from 0 to 100");
}

/* Comma lists: each value checked as num_parse_u64 would, zero refused, the
 * count bounded by the caller's array. */
static void comma_lists(void **state)
{
    (void)state;
    struct cc_err err;
    uint64_t v[3];
    size_t n = 99;
    assert_int_equal(num_parse_list("--cores", "4,8,1_000", 1000, v, 3, &n, &err), CC_OK);
    assert_int_equal(n, 3);
    assert_int_equal(v[0], 4);
    assert_int_equal(v[1], 8);
    assert_int_equal(v[2], 1000);
    assert_int_equal(num_parse_list("--cores", "7", 1000, v, 3, &n, &err), CC_OK);
    assert_int_equal(n, 1);
    assert_int_equal(v[0], 7);

    assert_int_equal(num_parse_list("--cores", "1,2,3,4", 1000, v, 3, &n, &err), CC_EINPUT);
    assert_string_equal(err.msg, "--cores: more than 3 values");
    assert_int_equal(num_parse_list("--cores", "4,0", 1000, v, 3, &n, &err), CC_EINPUT);
    assert_string_equal(err.msg, "--cores: '0'; each value must be at least 1");
    assert_int_equal(num_parse_list("--cores", "4,1001", 1000, v, 3, &n, &err), CC_EINPUT);
    assert_non_null(strstr(err.msg, "'1001'"));
    assert_int_equal(num_parse_list("--cores", "4,,8", 1000, v, 3, &n, &err), CC_EINPUT);
    assert_int_equal(num_parse_list("--cores", "4,", 1000, v, 3, &n, &err), CC_EINPUT);
    assert_int_equal(num_parse_list("--cores", "", 1000, v, 3, &n, &err), CC_EINPUT);
    assert_int_equal(num_parse_list("--cores", "-4", 1000, v, 3, &n, &err), CC_EINPUT);
    assert_int_equal(num_parse_list("--cores", "123456789012345678901234567890123", UINT64_MAX, v,
                                    3, &n, &err),
                     CC_EINPUT);
    assert_non_null(strstr(err.msg, "is too long"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(format_known_values),
        cmocka_unit_test(shortest_double_forms),
        cmocka_unit_test(parse_and_format_round_trip),
        cmocka_unit_test(underscores_as_in_python),
        cmocka_unit_test(every_bad_input_class_is_refused),
        cmocka_unit_test(limit_is_named),
        cmocka_unit_test(durations),
        cmocka_unit_test(percentages),
        cmocka_unit_test(comma_lists),
    };
    return cmocka_run_group_tests_name("num", tests, NULL, NULL);
}
