/* clock: monotonic seconds. Only properties that hold on a busy machine:
 * never backwards, and a sleep of d shows as at least d. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <cmocka.h>

#include "clock.h"

static void never_goes_backwards(void **state)
{
    (void)state;
    double last = clock_now();
    for (int i = 0; i < 100000; i++) {
        double now = clock_now();
        assert_true(now >= last);
        last = now;
    }
}

static void counts_seconds(void **state)
{
    (void)state;
    struct timespec d = {0, 20 * 1000 * 1000};
    double start = clock_now();
    while (nanosleep(&d, &d) != 0)
        ;
    /* nanosleep sleeps at least that long on the same monotonic time base;
     * how much longer depends on the load, so no upper bound. */
    assert_true(clock_now() - start >= 0.020 - 1e-6);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(never_goes_backwards),
        cmocka_unit_test(counts_seconds),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
