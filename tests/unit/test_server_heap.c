/* server_heap: the timer's deadlines come out earliest first, whatever the
 * order they went in, through growth and interleaved pushes and pops. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "server_heap.h"

/* A connection stands for itself by its address; the heap never uses it. */
static struct MHD_Connection *conn_of(size_t i)
{
    return (struct MHD_Connection *)(uintptr_t)(i + 1);
}

static void push(struct server_heap *h, double deadline, size_t i)
{
    assert_true(server_heap_reserve(h));
    server_heap_push(h, (struct waiter){deadline, conn_of(i)});
}

static void pops_in_deadline_order_through_growth(void **state)
{
    (void)state;
    struct server_heap h = {0};
    size_t n = 1000; /* past the first allocation of 64 */
    uint64_t x = 88172645463325252u;

    for (size_t i = 0; i < n; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17; /* xorshift: fixed, no seed */
        push(&h, (double)(x % 500) / 10.0, i); /* many equal deadlines */
    }
    assert_int_equal(h.n, n);
    double previous = -1;
    for (size_t i = 0; i < n; i++) {
        struct waiter w = server_heap_pop(&h);
        assert_true(w.deadline >= previous);
        assert_non_null(w.conn);
        previous = w.deadline;
    }
    assert_int_equal(h.n, 0);
    server_heap_free(&h);
    assert_null(h.items);
}

/* A waiter keeps its connection; a new earliest deadline is on top at once
 * (the timer thread is woken for it), a later one is not. */
static void the_earliest_is_on_top(void **state)
{
    (void)state;
    struct server_heap h = {0};
    push(&h, 5.0, 0);
    push(&h, 9.0, 1);
    assert_ptr_equal(h.items[0].conn, conn_of(0));
    push(&h, 1.0, 2);
    assert_ptr_equal(h.items[0].conn, conn_of(2));
    struct waiter w = server_heap_pop(&h);
    assert_ptr_equal(w.conn, conn_of(2));
    assert_true(w.deadline == 1.0);
    push(&h, 7.0, 3);
    assert_ptr_equal(server_heap_pop(&h).conn, conn_of(0));
    assert_ptr_equal(server_heap_pop(&h).conn, conn_of(3));
    assert_ptr_equal(server_heap_pop(&h).conn, conn_of(1));
    assert_int_equal(h.n, 0);
    server_heap_free(&h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(pops_in_deadline_order_through_growth),
        cmocka_unit_test(the_earliest_is_on_top),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
