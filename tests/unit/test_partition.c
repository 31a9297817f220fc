/* partition: block sizes differ by at most one and follow each other in
 * order; cyclic covers every index once; more parts than items. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "partition.h"

#define MAX_ITEMS 40
#define MAX_PARTS 50

/* Every index below n is taken by exactly one part, none at or past n. */
static void assert_covers_once(bool cyclic, size_t n, size_t parts)
{
    unsigned seen[MAX_ITEMS] = {0};
    for (size_t p = 0; p < parts; p++) {
        struct partition_share s = partition_share(cyclic, n, p, parts);
        for (size_t k = 0; k < s.count; k++) {
            size_t i = partition_index(&s, k);
            assert_true(i < n);
            seen[i]++;
        }
    }
    for (size_t i = 0; i < n; i++)
        assert_int_equal(seen[i], 1);
}

static void block_sizes_differ_by_at_most_one_and_are_contiguous(void **state)
{
    (void)state;
    for (size_t n = 0; n <= MAX_ITEMS; n++) {
        for (size_t parts = 1; parts <= MAX_PARTS; parts++) {
            size_t next = 0, smallest = SIZE_MAX, largest = 0;
            for (size_t p = 0; p < parts; p++) {
                struct partition_share s = partition_share(false, n, p, parts);
                assert_int_equal(s.stride, 1);
                if (s.count > 0)
                    assert_int_equal(s.first, next);
                next += s.count;
                smallest = s.count < smallest ? s.count : smallest;
                largest = s.count > largest ? s.count : largest;
            }
            assert_int_equal(next, n);
            assert_true(largest - smallest <= 1);
            assert_covers_once(false, n, parts);
        }
    }
}

static void cyclic_covers_every_index_once(void **state)
{
    (void)state;
    for (size_t n = 0; n <= MAX_ITEMS; n++)
        for (size_t parts = 1; parts <= MAX_PARTS; parts++)
            assert_covers_once(true, n, parts);
}

static void ten_items_over_four_parts(void **state)
{
    (void)state;
    static const size_t first[] = {0, 3, 6, 8}, count[] = {3, 3, 2, 2};
    for (size_t p = 0; p < 4; p++) {
        struct partition_share s = partition_share(false, 10, p, 4);
        assert_int_equal(s.first, first[p]);
        assert_int_equal(s.count, count[p]);
    }
    struct partition_share c = partition_share(true, 10, 1, 4);
    assert_int_equal(c.count, 3);
    assert_int_equal(partition_index(&c, 0), 1);
    assert_int_equal(partition_index(&c, 1), 5);
    assert_int_equal(partition_index(&c, 2), 9);
}

static void parts_past_the_items_get_none(void **state)
{
    (void)state;
    for (size_t p = 3; p < 8; p++) {
        assert_int_equal(partition_share(false, 3, p, 8).count, 0);
        assert_int_equal(partition_share(true, 3, p, 8).count, 0);
    }
    assert_int_equal(partition_share(false, 3, 2, 8).count, 1);
    assert_int_equal(partition_share(true, 3, 2, 8).first, 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(block_sizes_differ_by_at_most_one_and_are_contiguous),
        cmocka_unit_test(cyclic_covers_every_index_once),
        cmocka_unit_test(ten_items_over_four_parts),
        cmocka_unit_test(parts_past_the_items_get_none),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
