#include "pressure.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The kernel counts microseconds. */
double pressure_some_s(const char *resource)
{
    char path[64], line[256];
    snprintf(path, sizeof path, "/proc/pressure/%s", resource);
    FILE *f = fopen(path, "r");
    if (!f)
        return NAN;
    double total = NAN;
    while (fgets(line, sizeof line, f)) {
        const char *p = strstr(line, "total=");
        if (strncmp(line, "some ", 5) || !p)
            continue;
        char *end;
        errno = 0;
        unsigned long long us = strtoull(p + 6, &end, 10);
        if (!errno && end != p + 6)
            total = (double)us * 1e-6;
        break;
    }
    fclose(f);
    return total;
}
