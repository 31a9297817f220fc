/* JSON out: escaping, UTF-8 repair (one U+FFFD per maximal invalid
 * subsequence), numbers that read back exactly, numeric cells. */
#include <float.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "json.h"

/* What one writer call puts out, as a string (free it). */
#define CAPTURE(call)                                    \
    ({                                                   \
        char *text_ = NULL;                              \
        size_t size_ = 0;                                \
        FILE *out = open_memstream(&text_, &size_);      \
        call;                                            \
        fclose(out);                                     \
        text_;                                           \
    })

static void assert_string_out(const char *in, size_t len, const char *want)
{
    char *got = CAPTURE(json_string_n(out, in, len));
    assert_string_equal(got, want);
    free(got);
}
#define STRING_OUT(lit, want) assert_string_out(lit, sizeof lit - 1, want)

static void escapes_quotes_backslashes_and_controls(void **state)
{
    (void)state;
    STRING_OUT("plain", "\"plain\"");
    STRING_OUT("a\"b\\c", "\"a\\\"b\\\\c\"");
    STRING_OUT("\n\r\t\b\f", "\"\\n\\r\\t\\b\\f\"");
    STRING_OUT("\x01\x1f\x7f", "\"\\u0001\\u001f\\u007f\"");
    STRING_OUT("a\0b", "\"a\\u0000b\"");
    char *got = CAPTURE(json_string(out, NULL));
    assert_string_equal(got, "\"\"");
    free(got);
}

static void valid_utf8_is_copied(void **state)
{
    (void)state;
    /* 2-, 3- and 4-byte forms and the edges of each range */
    STRING_OUT("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"");
    STRING_OUT("\xc2\x80\xdf\xbf\xe0\xa0\x80\xed\x9f\xbf\xee\x80\x80\xef\xbf\xbf\xf0\x90\x80\x80\xf4\x8f\xbf\xbf",
               "\"\xc2\x80\xdf\xbf\xe0\xa0\x80\xed\x9f\xbf\xee\x80\x80\xef\xbf\xbf\xf0\x90\x80\x80\xf4\x8f\xbf\xbf\"");
}

static void invalid_utf8_becomes_replacement_characters(void **state)
{
    (void)state;
    STRING_OUT("Latin-1 caf\xe9", "\"Latin-1 caf\\ufffd\"");
    STRING_OUT("\xff\xfe", "\"\\ufffd\\ufffd\"");
    STRING_OUT("\x80", "\"\\ufffd\"");                         /* lone continuation */
    STRING_OUT("\xc3", "\"\\ufffd\"");                         /* cut at the end */
    STRING_OUT("\xe2\x82x", "\"\\ufffdx\"");                   /* one for the truncated sequence */
    STRING_OUT("\xf0\x9f\x98", "\"\\ufffd\"");
    STRING_OUT("\xc0\xaf", "\"\\ufffd\\ufffd\"");              /* overlong '/' */
    STRING_OUT("\xe0\x80\xaf", "\"\\ufffd\\ufffd\\ufffd\"");   /* overlong */
    STRING_OUT("\xed\xa0\x80", "\"\\ufffd\\ufffd\\ufffd\"");   /* surrogate U+D800 */
    STRING_OUT("\xf4\x90\x80\x80", "\"\\ufffd\\ufffd\\ufffd\\ufffd\""); /* above U+10FFFF */
    STRING_OUT("\xf5\xc3\xa9", "\"\\ufffd\xc3\xa9\"");         /* the valid part survives */
}

static void utf8_validity_names_the_first_bad_byte(void **state)
{
    (void)state;
    size_t bad = 99;
    assert_true(json_utf8_valid("caf\xc3\xa9", 5, &bad));
    assert_int_equal(bad, 99);
    assert_false(json_utf8_valid("ab\xe9z", 4, &bad));
    assert_int_equal(bad, 2);
    assert_false(json_utf8_valid("\xc3", 1, &bad));
    assert_int_equal(bad, 0);
    assert_true(json_utf8_valid("", 0, NULL));
}

static void assert_number_out(double v, const char *want)
{
    char *got = CAPTURE(json_number(out, v));
    assert_string_equal(got, want);
    free(got);
}

static void numbers_shortest_exact_or_null(void **state)
{
    (void)state;
    assert_number_out(0.55, "0.55");
    assert_number_out(0.1 + 0.2, "0.30000000000000004");
    assert_number_out(1.0 / 3.0, "0.3333333333333333");
    assert_number_out(1e300, "1e+300");
    assert_number_out(-0.0, "-0");
    assert_number_out(5e-324, "5e-324");
    assert_number_out(DBL_MAX, "1.7976931348623157e+308");
    assert_number_out(NAN, "null");
    assert_number_out(INFINITY, "null");
    assert_number_out(-INFINITY, "null");
}

static void numbers_read_back_exactly(void **state)
{
    (void)state;
    uint64_t x = 88172645463325252u;
    for (int i = 0; i < 100000; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;   /* xorshift64: any bit pattern */
        double v;
        memcpy(&v, &x, sizeof v);
        if (!isfinite(v))
            continue;
        char *got = CAPTURE(json_number(out, v));
        assert_true(strtod(got, NULL) == v);
        free(got);
    }
}

static void assert_cell_out(const char *cell, const char *want)
{
    char *got = CAPTURE(json_number_text(out, cell));
    assert_string_equal(got, want);
    free(got);
}

static void numeric_cells(void **state)
{
    (void)state;
    assert_cell_out("18446744073709551615", "18446744073709551615");  /* every digit kept */
    assert_cell_out("-0.25e-3", "-0.25e-3");
    assert_cell_out("1.", "1");
    assert_cell_out("+5", "5");
    assert_cell_out(".5", "0.5");
    assert_cell_out("0x10", "16");
    assert_cell_out("007", "7");
    assert_cell_out("", "null");
    assert_cell_out("nan", "null");
    assert_cell_out("inf", "null");
    assert_cell_out("1e999", "null");
    assert_cell_out("12abc", "null");
}

static void keys_are_escaped(void **state)
{
    (void)state;
    char *got = CAPTURE(json_key(out, "k\"\xff"));
    assert_string_equal(got, "\"k\\\"\\ufffd\": ");
    free(got);
}

/* A further member: separator, escaped key, the number or null. */
static void key_numbers_follow_a_member(void **state)
{
    (void)state;
    char *got = CAPTURE(json_key_number(out, "mean", 0.55));
    assert_string_equal(got, ", \"mean\": 0.55");
    free(got);
    got = CAPTURE(json_key_number(out, "s\"d", NAN));
    assert_string_equal(got, ", \"s\\\"d\": null");
    free(got);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(escapes_quotes_backslashes_and_controls),
        cmocka_unit_test(valid_utf8_is_copied),
        cmocka_unit_test(invalid_utf8_becomes_replacement_characters),
        cmocka_unit_test(utf8_validity_names_the_first_bad_byte),
        cmocka_unit_test(numbers_shortest_exact_or_null),
        cmocka_unit_test(numbers_read_back_exactly),
        cmocka_unit_test(numeric_cells),
        cmocka_unit_test(keys_are_escaped),
        cmocka_unit_test(key_numbers_follow_a_member),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
