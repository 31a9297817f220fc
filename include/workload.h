/* The CPU experiment's workload: the numbers base, base+1, ..., base+count-1
 * (the notes' [5_000_000 + x for x in range(20)]), the exact total of their
 * sums of squares, and the list of tasks the runners hand out.
 *
 * Two decompositions, as in the lesson:
 *   numbers  one task per number (like multiprocessing.Pool.map)
 *   range    each number's range split into `parts` pieces (a reduction) */
#ifndef CONCUR_WORKLOAD_H
#define CONCUR_WORKLOAD_H

#include <stddef.h>
#include <stdint.h>

#include "num.h"
#include "status.h"

enum decomposition { DECOMP_NUMBERS, DECOMP_RANGE };

/* Sums of squares over [lo, hi): the unit of work a worker takes. */
struct task {
    uint64_t lo, hi;
};

struct workload {
    uint64_t base, count;
    u128 expected;       /* the closed form, summed over all numbers */
    uint64_t squares;    /* multiply-adds in the whole workload */
    struct task *tasks;
    size_t ntasks;
};

/* The largest count accepted: the task list must stay small. */
#define WORKLOAD_MAX_COUNT UINT64_C(1000000)

/* Builds the workload and its tasks; parts (>= 1) applies to DECOMP_RANGE.
 * Fails with CC_EINPUT when a number or the total exceeds 128 bits. */
enum cc_status workload_init(struct workload *w, uint64_t base, uint64_t count,
                             enum decomposition decomp, uint64_t parts,
                             struct cc_err *err);
void workload_free(struct workload *w);

/* Work of one task (hi - lo squares). */
static inline uint64_t task_squares(const struct task *t)
{
    return t->hi - t->lo;
}

/* The names, indexed by the enum: --decomp's values and the
 * decomposition column. */
#define NDECOMPOSITIONS 2
extern const char *const decomposition_names[NDECOMPOSITIONS];
const char *decomposition_name(enum decomposition d);

#endif
