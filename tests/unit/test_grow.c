/* grow: the one way concur makes room in a growable array. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "grow.h"

/* From nothing, the first capacity; then doubling, only when needed. */
static void doubles_from_first_only_when_full(void **state)
{
    (void)state;
    size_t cap = 0;
    int *a = grow(NULL, &cap, 1, sizeof *a, 4);
    assert_non_null(a);
    assert_int_equal(cap, 4);
    for (int i = 0; i < 4; i++)
        a[i] = i;
    assert_ptr_equal(grow(a, &cap, 4, sizeof *a, 4), a); /* room: unchanged */
    assert_int_equal(cap, 4);
    a = grow(a, &cap, 5, sizeof *a, 4);
    assert_non_null(a);
    assert_int_equal(cap, 8);
    for (int i = 0; i < 4; i++)
        assert_int_equal(a[i], i); /* kept */
    free(a);
}

/* A need far beyond the capacity doubles until it fits. */
static void a_large_need_doubles_until_it_fits(void **state)
{
    (void)state;
    size_t cap = 0;
    char *p = grow(NULL, &cap, 1000, 1, 16);
    assert_non_null(p);
    assert_int_equal(cap, 1024);
    free(p);
}

/* A size that overflows is refused: NULL, the array and capacity as they
 * were (the caller still owns it). */
static void an_overflowing_size_is_refused_untouched(void **state)
{
    (void)state;
    size_t cap = 0;
    double *a = grow(NULL, &cap, 2, sizeof *a, 2);
    assert_non_null(a);
    a[1] = 42.0;
    assert_null(grow(a, &cap, SIZE_MAX / 4, sizeof *a, 2));
    assert_int_equal(cap, 2);
    assert_null(grow(a, &cap, SIZE_MAX, 1, 2));
    assert_int_equal(cap, 2);
    assert_true(a[1] == 42.0);
    free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(doubles_from_first_only_when_full),
        cmocka_unit_test(a_large_need_doubles_until_it_fits),
        cmocka_unit_test(an_overflowing_size_is_refused_untouched),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
