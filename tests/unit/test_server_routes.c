/* Unit tests for the server's pure helpers: routes, drip parameters, body
 * content and listen addresses. The server itself is tested through
 * `concur serve` in tests/cli/serve.bats. */
#include <float.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "server_routes.h"

static struct server_route route_of(const char *path, enum cc_status expected)
{
    struct server_route route;
    struct cc_err err = {{0}};
    assert_int_equal(server_route_parse(path, &route, &err), expected);
    return route;
}

static void test_fixed_routes(void **state)
{
    (void)state;
    assert_int_equal(route_of("/", CC_OK).kind, ROUTE_INDEX);
    assert_int_equal(route_of("/drip", CC_OK).kind, ROUTE_DRIP);
    assert_int_equal(route_of("/fault/reset", CC_OK).kind, ROUTE_FAULT_RESET);
    assert_int_equal(route_of("/fault/hang", CC_OK).kind, ROUTE_FAULT_HANG);
    assert_int_equal(route_of("/fault/redirect-loop", CC_OK).kind, ROUTE_FAULT_REDIRECT_LOOP);
    assert_int_equal(route_of("/fault/huge", CC_OK).kind, ROUTE_FAULT_HUGE);
}

static void test_unknown_paths_are_not_found(void **state)
{
    (void)state;
    assert_int_equal(route_of("/nope", CC_OK).kind, ROUTE_NOT_FOUND);
    assert_int_equal(route_of("", CC_OK).kind, ROUTE_NOT_FOUND);
    assert_int_equal(route_of("/bytes", CC_OK).kind, ROUTE_NOT_FOUND);
    assert_int_equal(route_of("/fault/hang/", CC_OK).kind, ROUTE_NOT_FOUND);
    assert_int_equal(route_of("/fault", CC_OK).kind, ROUTE_NOT_FOUND);

    char long_path[2000];
    memset(long_path, 'a', sizeof long_path - 1);
    long_path[0] = '/';
    long_path[sizeof long_path - 1] = '\0';
    assert_int_equal(route_of(long_path, CC_OK).kind, ROUTE_NOT_FOUND);
}

static void test_bytes(void **state)
{
    (void)state;
    struct server_route r = route_of("/bytes/1024", CC_OK);
    assert_int_equal(r.kind, ROUTE_BYTES);
    assert_int_equal(r.bytes, 1024);
    assert_int_equal(route_of("/bytes/0", CC_OK).bytes, 0);
    assert_int_equal(route_of("/bytes/1073741824", CC_OK).bytes, SERVER_BYTES_MAX);
}

static void test_bad_bytes_are_refused_with_the_value(void **state)
{
    (void)state;
    struct server_route r;
    struct cc_err err = {{0}};
    assert_int_equal(server_route_parse("/bytes/1073741825", &r, &err), CC_EINPUT);
    assert_non_null(strstr(err.msg, "1073741825"));
    assert_int_equal(server_route_parse("/bytes/abc", &r, &err), CC_EINPUT);
    assert_non_null(strstr(err.msg, "'abc'"));
    assert_int_equal(server_route_parse("/bytes/-1", &r, &err), CC_EINPUT);
    assert_int_equal(server_route_parse("/bytes/", &r, &err), CC_EINPUT);
}

static void test_query_strings_are_ignored(void **state)
{
    (void)state;
    struct server_route r = route_of("/bytes/1024?i=7", CC_OK);
    assert_int_equal(r.kind, ROUTE_BYTES);
    assert_int_equal(r.bytes, 1024);
    assert_int_equal(route_of("/?i=1", CC_OK).kind, ROUTE_INDEX);
    assert_int_equal(route_of("/fault/hang?i=3&x=y", CC_OK).kind, ROUTE_FAULT_HANG);
    assert_int_equal(route_of("/drip?numbytes=5", CC_OK).kind, ROUTE_DRIP);
    assert_int_equal(route_of("/status/418#frag", CC_OK).status, 418);
}

static void test_delay(void **state)
{
    (void)state;
    struct server_route r = route_of("/delay/2", CC_OK);
    assert_int_equal(r.kind, ROUTE_DELAY);
    assert_true(r.delay == 2.0);
    assert_true(route_of("/delay/0.5", CC_OK).delay == 0.5);
    assert_true(route_of("/delay/250ms", CC_OK).delay == 0.25);
    route_of("/delay/61", CC_EINPUT);
    route_of("/delay/soon", CC_EINPUT);
}

static void test_status(void **state)
{
    (void)state;
    struct server_route r = route_of("/status/418", CC_OK);
    assert_int_equal(r.kind, ROUTE_STATUS);
    assert_int_equal(r.status, 418);
    assert_int_equal(route_of("/status/200", CC_OK).status, 200);
    assert_int_equal(route_of("/status/599", CC_OK).status, 599);
    route_of("/status/199", CC_EINPUT);
    route_of("/status/100", CC_EINPUT);
    route_of("/status/600", CC_EINPUT);
    route_of("/status/teapot", CC_EINPUT);
}

static void test_flaky(void **state)
{
    (void)state;
    struct server_route r = route_of("/flaky/job-1.a_B/2?retry-after=1", CC_OK);
    assert_int_equal(r.kind, ROUTE_FLAKY);
    assert_string_equal(r.key, "job-1.a_B");
    assert_int_equal(r.failures, 2);
    assert_int_equal(route_of("/flaky/k/0", CC_OK).failures, 0);
    assert_int_equal(route_of("/flaky/k/1000000", CC_OK).failures, SERVER_FLAKY_FAILURES_MAX);

    char key[SERVER_FLAKY_KEY_MAX + 16];
    memset(key, 'k', sizeof key);
    snprintf(key + SERVER_FLAKY_KEY_MAX, 16, "/3");
    char path[sizeof key + 16];
    snprintf(path, sizeof path, "/flaky/%s", key);
    assert_int_equal(route_of(path, CC_OK).failures, 3); /* the longest key */
}

static void test_bad_flaky_routes_name_the_problem(void **state)
{
    (void)state;
    struct server_route r;
    struct cc_err err = {{0}};
    assert_int_equal(server_route_parse("/flaky/k", &r, &err), CC_EINPUT);
    assert_non_null(strstr(err.msg, "'k' lacks the /N"));
    assert_int_equal(server_route_parse("/flaky/k/x", &r, &err), CC_EINPUT);
    assert_non_null(strstr(err.msg, "'x'"));
    assert_int_equal(server_route_parse("/flaky/a b/1", &r, &err), CC_EINPUT);
    assert_non_null(strstr(err.msg, "'a b'"));
    route_of("/flaky//1", CC_EINPUT);
    route_of("/flaky/k/", CC_EINPUT);
    route_of("/flaky/k/1/2", CC_EINPUT);
    route_of("/flaky/../1", CC_OK); /* dots are key characters, never a path */
    route_of("/flaky/k/1000001", CC_EINPUT);

    char path[128];
    memset(path, 'k', sizeof path);
    memcpy(path, "/flaky/", 7);
    snprintf(path + 7 + SERVER_FLAKY_KEY_MAX + 1, 8, "/1"); /* one character too long */
    route_of(path, CC_EINPUT);
}

static void test_flaky_retry_after(void **state)
{
    (void)state;
    long seconds = 0;
    struct cc_err err;
    assert_int_equal(server_flaky_retry_after(NULL, &seconds, &err), CC_OK);
    assert_int_equal(seconds, -1);
    assert_int_equal(server_flaky_retry_after("0", &seconds, &err), CC_OK);
    assert_int_equal(seconds, 0);
    assert_int_equal(server_flaky_retry_after("3600", &seconds, &err), CC_OK);
    assert_int_equal(seconds, 3600);
    assert_int_equal(server_flaky_retry_after("3601", &seconds, &err), CC_EINPUT);
    assert_int_equal(server_flaky_retry_after("1.5", &seconds, &err), CC_EINPUT);
    assert_int_equal(server_flaky_retry_after("soon", &seconds, &err), CC_EINPUT);
    assert_non_null(strstr(err.msg, "'soon'"));
}

static void test_flaky_table_counts_per_key_and_forgets_the_oldest(void **state)
{
    (void)state;
    struct server_flaky_table *t = server_flaky_new(2);
    assert_non_null(t);
    assert_int_equal(server_flaky_hit(t, "a"), 0);
    assert_int_equal(server_flaky_hit(t, "a"), 1);
    assert_int_equal(server_flaky_hit(t, "b"), 0);
    assert_int_equal(server_flaky_hit(t, "a"), 2); /* a is now the newer */
    assert_int_equal(server_flaky_hit(t, "c"), 0); /* full: b is forgotten */
    assert_int_equal(server_flaky_hit(t, "a"), 3);
    assert_int_equal(server_flaky_hit(t, "b"), 0); /* starts over; c goes */
    assert_int_equal(server_flaky_hit(t, "a"), 4);
    assert_int_equal(server_flaky_hit(t, "c"), 0);
    server_flaky_free(t);
    server_flaky_free(NULL);
}

static void test_drip_defaults_and_values(void **state)
{
    (void)state;
    struct server_drip d;
    struct cc_err err;
    assert_int_equal(server_drip_parse(NULL, NULL, &d, &err), CC_OK);
    assert_int_equal(d.bytes, SERVER_DRIP_BYTES);
    assert_true(d.seconds == SERVER_DRIP_SECONDS);
    assert_int_equal(server_drip_parse("100", "0.5", &d, &err), CC_OK);
    assert_int_equal(d.bytes, 100);
    assert_true(d.seconds == 0.5);
    assert_int_equal(server_drip_parse("7", "300ms", &d, &err), CC_OK);
    assert_true(d.seconds == 0.3);
}

static void test_bad_drip_parameters_name_the_value(void **state)
{
    (void)state;
    struct server_drip d;
    struct cc_err err;
    assert_int_equal(server_drip_parse("many", NULL, &d, &err), CC_EINPUT);
    assert_non_null(strstr(err.msg, "numbytes"));
    assert_non_null(strstr(err.msg, "'many'"));
    assert_int_equal(server_drip_parse(NULL, "forever", &d, &err), CC_EINPUT);
    assert_non_null(strstr(err.msg, "'forever'"));
    assert_int_equal(server_drip_parse(NULL, "61", &d, &err), CC_EINPUT);
    assert_int_equal(server_drip_parse("1073741825", NULL, &d, &err), CC_EINPUT);
}

static void test_drip_due_spreads_bytes_over_the_duration(void **state)
{
    (void)state;
    struct server_drip d = {.bytes = 10, .seconds = 2.0};
    assert_int_equal(server_drip_due(&d, 0.0), 0);
    assert_int_equal(server_drip_due(&d, 0.1), 0);
    assert_int_equal(server_drip_due(&d, 0.2), 1);
    assert_int_equal(server_drip_due(&d, 1.0), 5);
    assert_int_equal(server_drip_due(&d, 1.99), 9);
    assert_int_equal(server_drip_due(&d, 2.0), 10);
    assert_int_equal(server_drip_due(&d, 100.0), 10);
    assert_int_equal(server_drip_due(&d, -1.0), 0);

    struct server_drip at_once = {.bytes = 5, .seconds = 0.0};
    assert_int_equal(server_drip_due(&at_once, 0.0), 5);
}

static void test_drip_next_waits_then_sends_in_steps(void **state)
{
    (void)state;
    /* few bytes: one at a time, each at its own time */
    struct server_drip slow = {.bytes = 10, .seconds = 2.0};
    struct server_drip_step s = server_drip_next(&slow, 0, 0.0);
    assert_int_equal(s.send, 0);
    assert_true(fabs(s.wake_at - 0.2) < 1e-9);
    s = server_drip_next(&slow, 0, s.wake_at);
    assert_int_equal(s.send, 1);
    s = server_drip_next(&slow, 3, 2.0);
    assert_int_equal(s.send, 7);

    /* many bytes: steps of SERVER_DRIP_STEP seconds' worth, never per byte */
    struct server_drip fast = {.bytes = 1000000, .seconds = 2.0};
    s = server_drip_next(&fast, 0, 0.001);
    assert_int_equal(s.send, 0);
    assert_true(fabs(s.wake_at - SERVER_DRIP_STEP) < 1e-9);
    s = server_drip_next(&fast, 0, s.wake_at);
    assert_int_equal(s.send, 5000);
    s = server_drip_next(&fast, 5000, 0.011);
    assert_int_equal(s.send, 0);
    s = server_drip_next(&fast, 999000, 1.9995);
    assert_int_equal(s.send, 0);
    assert_true(fabs(s.wake_at - 2.0) < 1e-9);
    s = server_drip_next(&fast, 999000, 2.0);
    assert_int_equal(s.send, 1000);

    /* no duration: everything at once */
    struct server_drip at_once = {.bytes = 5, .seconds = 0.0};
    assert_int_equal(server_drip_next(&at_once, 0, 0.0).send, 5);
}

/* Durations the parser would refuse, or that only just pass it (a drip of
 * "0.000...1" seconds), must not overflow the pacing's arithmetic: a step
 * never holds more than the whole body, a wait is finite, and what cannot
 * be paced is sent at once. (Before the fix, a tiny duration overflowed a
 * double-to-integer cast: UB that -fsanitize=float-cast-overflow reports.) */
static void test_drip_pacing_survives_extreme_durations(void **state)
{
    (void)state;
    const double durations[] = {1e-36, 5e-324, 1e-300, 1e-9, 1e300, DBL_MAX,
                                INFINITY, NAN, -1.0, -INFINITY, 0.0};
    const uint64_t sizes[] = {1, 10, SERVER_BYTES_MAX};
    const double elapsed[] = {0.0, 1e-300, 1e-36, 0.5, 1e300, INFINITY, NAN, -1.0};

    for (size_t d = 0; d < sizeof durations / sizeof durations[0]; d++) {
        for (size_t b = 0; b < sizeof sizes / sizeof sizes[0]; b++) {
            struct server_drip drip = {.bytes = sizes[b], .seconds = durations[d]};
            for (size_t e = 0; e < sizeof elapsed / sizeof elapsed[0]; e++) {
                assert_true(server_drip_due(&drip, elapsed[e]) <= drip.bytes);
                for (uint64_t pos = 0; pos < drip.bytes; pos += drip.bytes / 2 + 1) {
                    struct server_drip_step s = server_drip_next(&drip, pos, elapsed[e]);
                    assert_true(s.send <= drip.bytes - pos);
                    if (s.send == 0)
                        assert_true(isfinite(s.wake_at) && s.wake_at >= 0);
                }
            }
            /* a duration that cannot pace (not a positive finite number)
             * sends everything at once */
            if (!(durations[d] > 0) || !isfinite(durations[d]))
                assert_int_equal(server_drip_next(&drip, 0, 0.0).send, drip.bytes);
        }
    }
    /* a tiny duration: the whole body is one step, due at once after it */
    struct server_drip tiny = {.bytes = 10, .seconds = 1e-36};
    struct server_drip_step s = server_drip_next(&tiny, 0, 0.0);
    assert_true(s.send == 10 || s.wake_at <= 1e-36);
    assert_int_equal(server_drip_next(&tiny, 0, 1e-3).send, 10);
}

static void test_methods_served_refused_or_malformed(void **state)
{
    (void)state;
    assert_int_equal(server_method_status("GET"), 0);
    assert_int_equal(server_method_status("HEAD"), 0);
    assert_int_equal(server_method_status("POST"), 405);
    assert_int_equal(server_method_status("DELETE"), 405);
    assert_int_equal(server_method_status("PATCH"), 405);
    assert_int_equal(server_method_status("BREW"), 501);
    assert_int_equal(server_method_status("get"), 501); /* case-sensitive */
    assert_int_equal(server_method_status("M-SEARCH"), 501);
    assert_int_equal(server_method_status("FOO\x01"), 400);
    assert_int_equal(server_method_status("G(ET"), 400);
    assert_int_equal(server_method_status("GET\x7f"), 400);
    assert_int_equal(server_method_status("G\xc3\xa9T"), 400);
    assert_int_equal(server_method_status(""), 400);
    assert_int_equal(server_method_status(NULL), 400);
}

static void test_body_content_is_deterministic_and_seekable(void **state)
{
    (void)state;
    char whole[1000], again[1000], pieces[1000];
    server_fill_bytes(0, whole, sizeof whole);
    server_fill_bytes(0, again, sizeof again);
    assert_memory_equal(whole, again, sizeof whole);

    /* any split gives the same stream: a body can be sent in any blocks */
    server_fill_bytes(0, pieces, 3);
    server_fill_bytes(3, pieces + 3, 500);
    server_fill_bytes(503, pieces + 503, sizeof pieces - 503);
    assert_memory_equal(whole, pieces, sizeof whole);

    /* printable and not a short repeating pattern */
    for (size_t i = 0; i < sizeof whole; i++)
        assert_true(whole[i] >= '-' && whole[i] <= 'z');
    assert_memory_not_equal(whole, whole + 64, 64);
    assert_memory_not_equal(whole, whole + 8, 8);
}

static void test_bind_addresses(void **state)
{
    (void)state;
    struct sockaddr_storage addr;
    socklen_t len;
    struct cc_err err;
    assert_int_equal(server_parse_bind("127.0.0.1", 80, &addr, &len, &err), CC_OK);
    assert_int_equal(addr.ss_family, AF_INET);
    assert_int_equal(server_parse_bind("localhost", 0, &addr, &len, &err), CC_OK);
    assert_int_equal(addr.ss_family, AF_INET);
    assert_int_equal(server_parse_bind("::1", 0, &addr, &len, &err), CC_OK);
    assert_int_equal(addr.ss_family, AF_INET6);
    assert_int_equal(server_parse_bind("0.0.0.0", 0, &addr, &len, &err), CC_OK);
    assert_int_equal(server_parse_bind("nothere", 0, &addr, &len, &err), CC_EINPUT);
    assert_non_null(strstr(err.msg, "'nothere'"));
    assert_int_equal(server_parse_bind("127.0.0.256", 0, &addr, &len, &err), CC_EINPUT);
    assert_int_equal(server_parse_bind("", 0, &addr, &len, &err), CC_EINPUT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fixed_routes),
        cmocka_unit_test(test_unknown_paths_are_not_found),
        cmocka_unit_test(test_bytes),
        cmocka_unit_test(test_bad_bytes_are_refused_with_the_value),
        cmocka_unit_test(test_query_strings_are_ignored),
        cmocka_unit_test(test_delay),
        cmocka_unit_test(test_status),
        cmocka_unit_test(test_flaky),
        cmocka_unit_test(test_bad_flaky_routes_name_the_problem),
        cmocka_unit_test(test_flaky_retry_after),
        cmocka_unit_test(test_flaky_table_counts_per_key_and_forgets_the_oldest),
        cmocka_unit_test(test_drip_defaults_and_values),
        cmocka_unit_test(test_bad_drip_parameters_name_the_value),
        cmocka_unit_test(test_drip_due_spreads_bytes_over_the_duration),
        cmocka_unit_test(test_drip_next_waits_then_sends_in_steps),
        cmocka_unit_test(test_drip_pacing_survives_extreme_durations),
        cmocka_unit_test(test_methods_served_refused_or_malformed),
        cmocka_unit_test(test_body_content_is_deterministic_and_seekable),
        cmocka_unit_test(test_bind_addresses),
    };
    return cmocka_run_group_tests_name("server", tests, NULL, NULL);
}
