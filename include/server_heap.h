/* The latency server's deadlines: a min-heap of suspended connections, each
 * with the monotonic time at which the timer thread resumes it (server.c).
 * Pure data, no locking (the timer's lock covers it); unit-tested apart. */
#ifndef CONCUR_SERVER_HEAP_H
#define CONCUR_SERVER_HEAP_H

#include <stdbool.h>
#include <stddef.h>

struct MHD_Connection; /* opaque here: the heap only carries it */

struct waiter {
    double deadline; /* monotonic seconds */
    struct MHD_Connection *conn;
};

struct server_heap {
    struct waiter *items; /* items[0] has the earliest deadline */
    size_t n, cap;
};

/* Makes room for one more waiter; false when memory ran out (the heap is
 * unchanged). Separate from push, so that a caller can refuse before it
 * suspends anything. */
bool server_heap_reserve(struct server_heap *h);

/* Adds w; room must have been reserved. */
void server_heap_push(struct server_heap *h, struct waiter w);

/* Removes and returns the waiter with the earliest deadline; n > 0. Equal
 * deadlines come out in no particular order. */
struct waiter server_heap_pop(struct server_heap *h);

void server_heap_free(struct server_heap *h);

#endif
