/* Runs output: CSV quoting, JSON escaping and nulls, the table's metadata. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "report.h"

static const struct report_column columns[] = {{"name", false}, {"seconds", true}};

/* Runs one report into memory and returns what it wrote (free it). */
static char *render(enum report_format format, const char *const rows[][2], size_t n)
{
    char *text = NULL;
    size_t size = 0;
    FILE *out = open_memstream(&text, &size);
    struct report *r = report_open(out, format, columns, 2);
    report_meta(r, "kernel", "avx2");
    for (size_t i = 0; i < n; i++)
        assert_int_equal(report_row(r, rows[i]), CC_OK);
    assert_int_equal(report_close(r), CC_OK);
    fclose(out);
    return text;
}

static void csv_quotes_only_where_needed(void **state)
{
    (void)state;
    const char *const rows[][2] = {{"plain", "1.5"}, {"a,b \"c\"", "2"}, {"line\nbreak", "3"}};
    char *text = render(REPORT_CSV, rows, 3);
    assert_string_equal(text, "name,seconds\nplain,1.5\n\"a,b \"\"c\"\"\",2\n\"line\nbreak\",3\n");
    free(text);
}

static void json_escapes_and_nulls(void **state)
{
    (void)state;
    const char *const rows[][2] = {{"q\"\\\t", "nan"}, {"x", ""}, {"y", "0.25"}};
    char *text = render(REPORT_JSON, rows, 3);
    assert_non_null(strstr(text, "\"meta\": {\"kernel\": \"avx2\"}"));
    assert_non_null(strstr(text, "{\"name\": \"q\\\"\\\\\\t\", \"seconds\": null}"));
    assert_non_null(strstr(text, "{\"name\": \"x\", \"seconds\": null}"));
    assert_non_null(strstr(text, "{\"name\": \"y\", \"seconds\": 0.25}"));
    free(text);
}

/* Bytes that are not UTF-8 (a Latin-1 cell, an URL with raw bytes) came out
 * raw and made the whole document undecodable. */
static void json_replaces_bytes_that_are_not_utf8(void **state)
{
    (void)state;
    const char *const rows[][2] = {{"caf\xe9 \xc3\xa9", "1"}, {"x\x01\x7f", "0x10"}};
    char *text = render(REPORT_JSON, rows, 2);
    assert_non_null(strstr(text, "{\"name\": \"caf\\ufffd \xc3\xa9\", \"seconds\": 1}"));
    assert_non_null(strstr(text, "{\"name\": \"x\\u0001\\u007f\", \"seconds\": 16}"));
    assert_null(strchr(text, '\xe9'));
    free(text);
}

static void json_without_rows_is_valid(void **state)
{
    (void)state;
    char *text = render(REPORT_JSON, NULL, 0);
    assert_string_equal(text, "{\"meta\": {\"kernel\": \"avx2\"},\n \"runs\": []}\n");
    free(text);
}

static void table_aligns_and_describes(void **state)
{
    (void)state;
    const char *const rows[][2] = {{"serial", "1.5"}, {"omp", "10.25"}};
    char *text = render(REPORT_TABLE, rows, 2);
    assert_string_equal(text, "# kernel: avx2\n"
                              "name    seconds\n"
                              "serial      1.5\n"
                              "omp       10.25\n");
    free(text);
}

/* Metadata known only at the end (an interruption): after the rows in JSON
 * and the table, nowhere in CSV, which readers must take as it is. */
static char *render_with_trailer(enum report_format format)
{
    char *text = NULL;
    size_t size = 0;
    FILE *out = open_memstream(&text, &size);
    struct report *r = report_open(out, format, columns, 2);
    report_meta(r, "kernel", "avx2");
    assert_int_equal(report_row(r, (const char *const[]){"a", "1"}), CC_OK);
    report_meta(r, "late", "dropped"); /* meta after a row is refused */
    report_trailer(r, "interrupted", "SIGTERM");
    assert_int_equal(report_close(r), CC_OK);
    fclose(out);
    return text;
}

static void trailer_after_the_rows(void **state)
{
    (void)state;
    char *text = render_with_trailer(REPORT_JSON);
    assert_string_equal(text, "{\"meta\": {\"kernel\": \"avx2\"},\n \"runs\": [\n"
                              "  {\"name\": \"a\", \"seconds\": 1}\n ],\n \"end\": {\"interrupted\": \"SIGTERM\"}}\n");
    free(text);
    text = render_with_trailer(REPORT_CSV);
    assert_string_equal(text, "name,seconds\na,1\n");
    free(text);
    text = render_with_trailer(REPORT_TABLE);
    assert_non_null(strstr(text, "a           1\n# interrupted: SIGTERM\n"));
    assert_null(strstr(text, "late"));
    free(text);
}

static void unknown_format_is_named(void **state)
{
    (void)state;
    enum report_format f;
    struct cc_err err;
    assert_int_equal(report_parse_format("xml", REPORT_FORMATS_ALL, &f, &err), CC_EINPUT);
    assert_string_equal(err.msg, "--format: unknown format 'xml' (table, csv or json)");
    assert_int_equal(report_parse_format("json", REPORT_FORMATS_ALL, &f, &err), CC_OK);
    assert_int_equal(f, REPORT_JSON);
    assert_int_equal(report_parse_format("csv", REPORT_FORMATS_ALL, &f, &err), CC_OK);
    assert_int_equal(f, REPORT_CSV);
    assert_int_equal(report_parse_format("table", REPORT_FORMATS_ALL, &f, &err), CC_OK);
    assert_int_equal(f, REPORT_TABLE);
}

/* md and text are aliases of table wherever table is accepted. */
static void parse_format_aliases(void **state)
{
    (void)state;
    enum report_format f = REPORT_CSV;
    struct cc_err err;
    assert_int_equal(report_parse_format("md", REPORT_FORMATS_ALL, &f, &err), CC_OK);
    assert_int_equal(f, REPORT_TABLE);
    f = REPORT_CSV;
    assert_int_equal(report_parse_format("text", REPORT_FORMATS_ALL, &f, &err), CC_OK);
    assert_int_equal(f, REPORT_TABLE);
    assert_int_equal(report_parse_format("Table", REPORT_FORMATS_ALL, &f, &err), CC_EINPUT);
}

/* A command that writes only some formats refuses the others, listing its own. */
static void parse_format_subset(void **state)
{
    (void)state;
    enum report_format f;
    struct cc_err err;
    unsigned some = REPORT_FORMAT_BIT(REPORT_TABLE) | REPORT_FORMAT_BIT(REPORT_JSON);
    assert_int_equal(report_parse_format("csv", some, &f, &err), CC_EINPUT);
    assert_string_equal(err.msg, "--format: unknown format 'csv' (table or json)");
    assert_int_equal(report_parse_format("text", some, &f, &err), CC_OK);
    assert_int_equal(f, REPORT_TABLE);
    assert_int_equal(report_parse_format("json", REPORT_FORMAT_BIT(REPORT_JSON), &f, &err), CC_OK);
    assert_int_equal(report_parse_format("md", REPORT_FORMAT_BIT(REPORT_JSON), &f, &err), CC_EINPUT);
    assert_string_equal(err.msg, "--format: unknown format 'md' (json)");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(csv_quotes_only_where_needed),
        cmocka_unit_test(parse_format_aliases),
        cmocka_unit_test(parse_format_subset),
        cmocka_unit_test(json_escapes_and_nulls),
        cmocka_unit_test(json_replaces_bytes_that_are_not_utf8),
        cmocka_unit_test(json_without_rows_is_valid),
        cmocka_unit_test(table_aligns_and_describes),
        cmocka_unit_test(trailer_after_the_rows),
        cmocka_unit_test(unknown_format_is_named),
    };
    return cmocka_run_group_tests_name("report", tests, NULL, NULL);
}
