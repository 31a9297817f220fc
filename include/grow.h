/* The one way concur makes room in a growable array.
 *
 * p (NULL for none yet) holds *cap elements of size bytes. grow returns
 * storage for at least need elements: p itself when it has room, else p
 * reallocated with the capacity doubled, from first, until need fits, so
 * that appending n elements one at a time reallocates O(log n) times. On
 * failure (out of memory, or a size that does not fit in size_t) it
 * returns NULL and p, still the caller's, is unchanged, as is *cap. */
#ifndef CONCUR_GROW_H
#define CONCUR_GROW_H

#include <stddef.h>

void *grow(void *p, size_t *cap, size_t need, size_t size, size_t first);

#endif
