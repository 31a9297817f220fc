/* urllist: comments, blank lines, whitespace, malformed lines, bad files. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "urllist.h"

static enum cc_status parse_text(const char *text, struct url_list *list, struct cc_err *err)
{
    size_t length = strlen(text);
    char *copy = malloc(length + 1);
    assert_non_null(copy);
    memcpy(copy, text, length + 1);
    return urllist_parse(copy, length, "test", list, err);
}

static void comments_blank_lines_and_whitespace_are_skipped(void **state)
{
    (void)state;
    struct url_list list;
    struct cc_err err;
    assert_int_equal(parse_text("# header\n\n  http://a/x  \r\n\t\n   # indented\nhttps://b/y", &list, &err), CC_OK);
    assert_int_equal(list.count, 2);
    assert_string_equal(list.entries[0].url, "http://a/x");
    assert_int_equal(list.entries[0].line, 3);
    assert_null(list.entries[0].invalid);
    assert_string_equal(list.entries[1].url, "https://b/y");
    assert_int_equal(list.entries[1].line, 6);
    urllist_free(&list);
}

static void malformed_lines_are_kept_with_their_reason(void **state)
{
    (void)state;
    struct url_list list;
    struct cc_err err;
    assert_int_equal(parse_text("http://ok/\nno-scheme/x\nhttp://a b/\nhttp://\n1http://x/\n", &list, &err), CC_OK);
    assert_int_equal(list.count, 5);
    assert_null(list.entries[0].invalid);
    assert_non_null(strstr(list.entries[1].invalid, "no scheme"));
    assert_non_null(strstr(list.entries[2].invalid, "whitespace"));
    assert_non_null(strstr(list.entries[3].invalid, "no host"));
    assert_non_null(strstr(list.entries[4].invalid, "no scheme"));
    urllist_free(&list);
}

static void check_accepts_urls_with_schemes(void **state)
{
    (void)state;
    assert_null(urllist_check("http://127.0.0.1:8080/bytes/10?x=1#f"));
    assert_null(urllist_check("svn+ssh://host/repo"));
    assert_null(urllist_check("file:///etc/hostname"));
    assert_non_null(urllist_check("http:///path"));
    assert_non_null(urllist_check("http://host/a\tb"));
    assert_non_null(urllist_check("://host/"));
}

static void a_list_without_urls_is_bad_input(void **state)
{
    (void)state;
    struct url_list list;
    struct cc_err err;
    assert_int_equal(parse_text("# nothing\n\n   \n", &list, &err), CC_EINPUT);
    assert_non_null(strstr(err.msg, "no URLs"));
    assert_int_equal(parse_text("", &list, &err), CC_EINPUT);
}

static void a_nul_byte_is_bad_input(void **state)
{
    (void)state;
    struct url_list list;
    struct cc_err err;
    char *text = malloc(8);
    assert_non_null(text);
    memcpy(text, "http://\0x", 8);
    assert_int_equal(urllist_parse(text, 8, "bin", &list, &err), CC_EINPUT);
    assert_non_null(strstr(err.msg, "NUL"));
}

static void a_missing_file_names_the_path(void **state)
{
    (void)state;
    struct url_list list;
    struct cc_err err;
    assert_int_equal(urllist_load("/nonexistent/list.txt", &list, &err), CC_EINPUT);
    assert_non_null(strstr(err.msg, "/nonexistent/list.txt"));
}

static void a_byte_order_mark_is_skipped(void **state)
{
    (void)state;
    struct url_list list;
    struct cc_err err;
    assert_int_equal(parse_text("\xEF\xBB\xBFhttp://a/x\r\nhttp://b/y\r\n", &list, &err), CC_OK);
    assert_int_equal(list.count, 2);
    assert_string_equal(list.entries[0].url, "http://a/x");
    assert_null(list.entries[0].invalid);
    assert_string_equal(list.entries[1].url, "http://b/y");
    urllist_free(&list);
}

static void a_long_list_grows(void **state)
{
    (void)state;
    struct url_list list;
    struct cc_err err;
    size_t n = 5000, size = n * 16 + 1, used = 0;
    char *text = malloc(size);
    assert_non_null(text);
    for (size_t i = 0; i < n; i++)
        used += (size_t)snprintf(text + used, size - used, "http://h/%05zu\n", i);
    assert_int_equal(urllist_parse(text, used, "long", &list, &err), CC_OK);
    assert_int_equal(list.count, n);
    assert_string_equal(list.entries[n - 1].url, "http://h/04999");
    urllist_free(&list);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(comments_blank_lines_and_whitespace_are_skipped),
        cmocka_unit_test(malformed_lines_are_kept_with_their_reason),
        cmocka_unit_test(check_accepts_urls_with_schemes),
        cmocka_unit_test(a_list_without_urls_is_bad_input),
        cmocka_unit_test(a_nul_byte_is_bad_input),
        cmocka_unit_test(a_missing_file_names_the_path),
        cmocka_unit_test(a_byte_order_mark_is_skipped),
        cmocka_unit_test(a_long_list_grows),
    };
    return cmocka_run_group_tests_name("urllist", tests, NULL, NULL);
}
