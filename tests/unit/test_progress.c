/* The progress line's numbers for people. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "progress.h"

static void durations(void **state)
{
    (void)state;
    char buf[32];
    progress_format_duration(0.44, buf, sizeof buf);
    assert_string_equal(buf, "0.4 s");
    progress_format_duration(12.6, buf, sizeof buf);
    assert_string_equal(buf, "13 s");
    progress_format_duration(200, buf, sizeof buf);
    assert_string_equal(buf, "3 min 20 s");
    progress_format_duration(7500, buf, sizeof buf);
    assert_string_equal(buf, "2 h 5 min");
}

static void counts(void **state)
{
    (void)state;
    char buf[32];
    progress_format_count(999999, buf, sizeof buf);
    assert_string_equal(buf, "999999");
    progress_format_count(3e9, buf, sizeof buf);
    assert_string_equal(buf, "3.0e9");
    progress_format_count(10069012961345.0, buf, sizeof buf);
    assert_string_equal(buf, "1.0e13");
    progress_format_count(9.97e12, buf, sizeof buf); /* rounds up to the next power */
    assert_string_equal(buf, "1.0e13");
}

/* Every call accepts NULL: what progress_start gives when stderr is not a
 * terminal. */
static void null_is_no_progress(void **state)
{
    (void)state;
    progress_add(NULL, 5);
    progress_clear(NULL);
    progress_stop(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(durations),
        cmocka_unit_test(counts),
        cmocka_unit_test(null_is_no_progress),
    };
    return cmocka_run_group_tests_name("progress", tests, NULL, NULL);
}
