#include "workload.h"

#include <stdlib.h>

#include "kernel.h"

static enum cc_status check_total(struct workload *w, struct cc_err *err)
{
    char limit[NUM_U128_BUFSIZE];
    uint64_t last = w->base + w->count - 1;

    if (w->base > KERNEL_MAX_N || last > KERNEL_MAX_N || last < w->base)
        return cc_error(err, CC_EINPUT,
                        "--base %llu with --count %llu reaches past %s, the largest n whose sum of squares fits in 128 bits",
                        (unsigned long long)w->base, (unsigned long long)w->count,
                        num_format_u128(KERNEL_MAX_N, limit));
    w->expected = 0;
    w->squares = 0;
    for (uint64_t n = w->base; n <= last; n++) {
        u128 sum = kernel_sumsq_closed(n);
        if (w->expected + sum < w->expected)
            return cc_error(err, CC_EINPUT,
                            "the total of --count %llu numbers from --base %llu exceeds 128 bits",
                            (unsigned long long)w->count, (unsigned long long)w->base);
        w->expected += sum;
        w->squares += n;
    }
    return CC_OK;
}

enum cc_status workload_init(struct workload *w, uint64_t base, uint64_t count,
                             enum decomposition decomp, uint64_t parts,
                             struct cc_err *err)
{
    enum cc_status status;

    *w = (struct workload){.base = base, .count = count};
    if (count == 0 || count > WORKLOAD_MAX_COUNT)
        return cc_error(err, CC_EINPUT, "--count: '%llu' must be between 1 and %llu",
                        (unsigned long long)count, (unsigned long long)WORKLOAD_MAX_COUNT);
    if ((status = check_total(w, err)) != CC_OK)
        return status;

    if (decomp == DECOMP_NUMBERS || parts == 0)
        parts = 1;
    w->tasks = calloc(count * parts, sizeof *w->tasks);
    if (!w->tasks)
        return cc_error(err, CC_ESYS, "out of memory for %llu tasks",
                        (unsigned long long)(count * parts));
    for (uint64_t i = 0; i < count; i++) {
        uint64_t n = base + i;
        /* Equal parts of [0, n): part p is [p*n/parts, (p+1)*n/parts). */
        for (uint64_t p = 0; p < parts; p++) {
            struct task *t = &w->tasks[w->ntasks++];
            t->lo = (uint64_t)((u128)n * p / parts);
            t->hi = (uint64_t)((u128)n * (p + 1) / parts);
        }
    }
    return CC_OK;
}

void workload_free(struct workload *w)
{
    free(w->tasks);
    w->tasks = NULL;
    w->ntasks = 0;
}

const char *const decomposition_names[NDECOMPOSITIONS] = {"numbers", "range"};

const char *decomposition_name(enum decomposition d)
{
    return decomposition_names[d];
}
