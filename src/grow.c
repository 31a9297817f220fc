/* Growable arrays (see grow.h). */
#include "grow.h"

#include <stdint.h>
#include <stdlib.h>

void *grow(void *p, size_t *cap, size_t need, size_t size, size_t first)
{
    if (p && need <= *cap)
        return p;
    size_t n = *cap ? *cap : first ? first : 1;
    while (n < need) {
        if (n > SIZE_MAX / 2)
            return NULL;
        n *= 2;
    }
    if (size && n > SIZE_MAX / size)
        return NULL;
    void *q = realloc(p, n * size);
    if (q)
        *cap = n;
    return q;
}
