/* Block and cyclic partitions of n items over parts (the MPI ranks of cpu
 * and io): the one splitter both use.
 *
 *   block   part p takes a contiguous run; the first n % parts parts take
 *           one item more, so sizes differ by at most one
 *   cyclic  part p takes items p, p + parts, p + 2 parts, ...
 *
 * With more parts than items, the parts past the items get none. */
#ifndef CONCUR_PARTITION_H
#define CONCUR_PARTITION_H

#include <stdbool.h>
#include <stddef.h>

/* Part p's items: first + k * stride for k < count, in increasing order. */
struct partition_share {
    size_t first;
    size_t count;
    size_t stride;
};

/* Part `part` (< parts) of n items; parts >= 1. */
struct partition_share partition_share(bool cyclic, size_t n, size_t part, size_t parts);

static inline size_t partition_index(const struct partition_share *s, size_t k)
{
    return s->first + k * s->stride;
}

#endif
