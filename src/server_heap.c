/* The latency server's min-heap of deadlines (include/server_heap.h). */
#include "server_heap.h"

#include <stdlib.h>

#include "grow.h"

bool server_heap_reserve(struct server_heap *h)
{
    struct waiter *items = grow(h->items, &h->cap, h->n + 1, sizeof *items, 64);
    if (!items)
        return false;
    h->items = items;
    return true;
}

void server_heap_push(struct server_heap *h, struct waiter w)
{
    size_t i = h->n++;
    while (i > 0) {
        size_t parent = (i - 1) / 2;
        if (h->items[parent].deadline <= w.deadline)
            break;
        h->items[i] = h->items[parent];
        i = parent;
    }
    h->items[i] = w;
}

struct waiter server_heap_pop(struct server_heap *h)
{
    struct waiter top = h->items[0];
    struct waiter last = h->items[--h->n];
    size_t i = 0;

    for (;;) {
        size_t child = 2 * i + 1;
        if (child >= h->n)
            break;
        if (child + 1 < h->n && h->items[child + 1].deadline < h->items[child].deadline)
            child++;
        if (last.deadline <= h->items[child].deadline)
            break;
        h->items[i] = h->items[child];
        i = child;
    }
    if (h->n > 0)
        h->items[i] = last;
    return top;
}

void server_heap_free(struct server_heap *h)
{
    free(h->items);
    *h = (struct server_heap){0};
}
