/* The download engine without a server: save names, option parsing, and
 * every mode against a refused port (failures recorded per URL, retries
 * counted, no descriptor left open). */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fetch.h"
#include "num.h"

static void save_name_of(const char *url, char *name)
{
    fetch_save_name(url, name, FETCH_SAVE_NAME_SIZE);
}

static void save_names_stay_inside_the_directory(void **state)
{
    (void)state;
    static const char *const urls[] = {
        "http://h/../../etc/passwd", "http://h/a/..", "http://h/..", "http://h/.bashrc",
        "http://h/%2e%2e%2fx", "http://h/a%2Fb", "http://h/", "http://h:8080", "/abs/path",
        "http://h/sp ace/tab\tx",
    };
    for (size_t i = 0; i < sizeof urls / sizeof urls[0]; i++) {
        char name[FETCH_SAVE_NAME_SIZE];
        save_name_of(urls[i], name);
        assert_null(strchr(name, '/'));
        assert_true(name[0] != '.' && name[0] != '\0');
        assert_null(strstr(name, ".."));
        for (const char *p = name; *p; p++)
            assert_non_null(strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-", *p));
    }
}

static void save_names_keep_the_last_segment_and_differ_per_url(void **state)
{
    (void)state;
    char a[FETCH_SAVE_NAME_SIZE], b[FETCH_SAVE_NAME_SIZE], c[FETCH_SAVE_NAME_SIZE];
    save_name_of("http://h/files/report.pdf", a);
    save_name_of("http://h/other/report.pdf", b);
    save_name_of("http://h/files/report.pdf", c);
    assert_int_equal(strncmp(a, "report.pdf-", 11), 0);
    assert_int_equal(strlen(a), 11 + 16);
    assert_string_not_equal(a, b);
    assert_string_equal(a, c);
    save_name_of("http://example.org:8080", a);
    assert_int_equal(strncmp(a, "example.org-", 12), 0);
    save_name_of("http://h/..", a);
    assert_int_equal(strncmp(a, "index-", 6), 0);
}

static void modes_and_sizes_parse(void **state)
{
    (void)state;
    enum fetch_mode mode;
    struct cc_err err;
    uint64_t bytes;
    assert_int_equal(fetch_parse_mode("multi", &mode, &err), CC_OK);
    assert_int_equal(mode, FETCH_MULTI);
    assert_int_equal(fetch_parse_mode("fast", &mode, &err), CC_EINPUT);
    assert_non_null(strstr(err.msg, "'fast'"));
    assert_int_equal(num_parse_bytes("--max-size", "100MiB", UINT64_MAX, &bytes, &err), CC_OK);
    assert_int_equal(bytes, UINT64_C(104857600));
    assert_int_equal(num_parse_bytes("--max-size", "4096", UINT64_MAX, &bytes, &err), CC_OK);
    assert_int_equal(bytes, 4096);
    assert_int_equal(num_parse_bytes("--max-size", "2K", UINT64_MAX, &bytes, &err), CC_OK);
    assert_int_equal(bytes, 2048);
    assert_int_equal(num_parse_bytes("--max-size", "1.5MiB", UINT64_MAX, &bytes, &err), CC_EINPUT);
    assert_int_equal(num_parse_bytes("--max-size", "10XB", UINT64_MAX, &bytes, &err), CC_EINPUT);
    assert_non_null(strstr(err.msg, "unknown unit"));
    assert_int_equal(num_parse_bytes("--max-size", "2GiB", UINT64_C(1) << 30, &bytes, &err), CC_EINPUT);
    assert_int_equal(num_parse_bytes("--max-size", "-1", UINT64_MAX, &bytes, &err), CC_EINPUT);
}

static size_t open_descriptors(void)
{
    size_t count = 0;
    DIR *dir = opendir("/proc/self/fd");
    assert_non_null(dir);
    while (readdir(dir))
        count++;
    closedir(dir);
    return count;
}

/* n URLs to a port nobody listens on, every tenth line malformed. */
static struct url_entry *refused_list(size_t n)
{
    struct url_entry *entries = calloc(n, sizeof *entries);
    assert_non_null(entries);
    for (size_t i = 0; i < n; i++) {
        bool bad = i % 10 == 9;
        entries[i] = (struct url_entry){
            .url = bad ? "not a url" : "http://127.0.0.1:1/refused",
            .invalid = bad ? "not a URL" : NULL,
            .line = i + 1,
        };
    }
    return entries;
}

static void every_mode_records_each_failure_and_leaks_nothing(void **state)
{
    (void)state;
    static const enum fetch_mode modes[] = {FETCH_SYNC, FETCH_THREADS, FETCH_MULTI};
    size_t n = 300;
    struct url_entry *entries = refused_list(n);
    struct fetch_result *results = calloc(n, sizeof *results);
    struct fetch_options o;
    struct cc_err err;
    assert_non_null(results);
    fetch_options_default(&o);
    o.workers = 50;
    o.retries = 1;

    for (size_t m = 0; m < sizeof modes / sizeof modes[0]; m++) {
        /* sync waits out every backoff in turn: a shorter list */
        n = modes[m] == FETCH_SYNC ? 20 : 300;
        size_t before = open_descriptors();
        assert_int_equal(fetch_run(modes[m], &o, entries, n, results, NULL, &err), CC_OK);
        assert_int_equal(open_descriptors(), before);
        for (size_t i = 0; i < n; i++) {
            assert_false(results[i].ok);
            if (entries[i].invalid) {
                assert_int_equal(results[i].attempts, 0);
                assert_non_null(strstr(results[i].error, "line"));
            } else {
                /* a refused connection is transient: retried once */
                assert_int_equal(results[i].attempts, 2);
                assert_non_null(strstr(results[i].error, "Couldn't connect"));
                /* the backoff before the retry is part of the URL's time */
                assert_true(results[i].seconds >= 0.1);
            }
        }
    }
    free(results);
    free(entries);
}

static void unknown_protocols_are_bad_input(void **state)
{
    (void)state;
    struct fetch_options o;
    struct cc_err err;
    fetch_options_default(&o);
    assert_int_equal(fetch_check_options(&o, &err), CC_OK);
    o.protocols = "http,gopher2";
    assert_int_equal(fetch_check_options(&o, &err), CC_EINPUT);
    assert_non_null(strstr(err.msg, "gopher2"));
}

static int init(void **state)
{
    (void)state;
    return fetch_global_init(NULL) == CC_OK ? 0 : -1;
}

static int cleanup(void **state)
{
    (void)state;
    fetch_global_cleanup();
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(save_names_stay_inside_the_directory),
        cmocka_unit_test(save_names_keep_the_last_segment_and_differ_per_url),
        cmocka_unit_test(modes_and_sizes_parse),
        cmocka_unit_test(every_mode_records_each_failure_and_leaks_nothing),
        cmocka_unit_test(unknown_protocols_are_bad_input),
    };
    return cmocka_run_group_tests_name("fetch", tests, init, cleanup);
}
