/* The CPU-bound kernel: exact sums of squares in unsigned 128-bit arithmetic.
 *
 * sumsq(n) = sum of i*i for 0 <= i < n, exactly what Python's
 * sum(i * i for i in range(n)) computes. Pure computation: no I/O, no
 * threads; the cpu runners split the work and call kernel_sumsq_range.
 *
 * Speed comes from vector paths (AVX2, AVX-512, AVX-512 IFMA) chosen at run
 * time from the CPU's features: a multiply per lane, 64-bit lane sums over
 * blocks short enough never to overflow, folded into 128 bits per block, up
 * to the 128-bit limit (include/kernel_impl.h has the schemes). */
#ifndef CONCUR_KERNEL_H
#define CONCUR_KERNEL_H

#include <stdbool.h>
#include <stdint.h>

#include "num.h"
#include "status.h"

/* The largest n whose sum of squares fits in 128 bits. */
#define KERNEL_MAX_N UINT64_C(10069012961345)

enum kernel_path {
    KERNEL_AUTO = 0,  /* the fastest path this CPU supports */
    KERNEL_GENERIC,   /* portable C, any CPU */
    KERNEL_AVX2,
    KERNEL_AVX512,
    KERNEL_AVX512IFMA,
};

/* The exact closed form n(n-1)(2n-1)/6, for n <= KERNEL_MAX_N. */
u128 kernel_sumsq_closed(uint64_t n);

/* The sum of i*i for lo <= i < hi (hi <= KERNEL_MAX_N), computed with the
 * selected path: really n multiply-adds, never the closed form. */
u128 kernel_sumsq_range(uint64_t lo, uint64_t hi);

static inline u128 kernel_sumsq(uint64_t n)
{
    return kernel_sumsq_range(0, n);
}

/* Chooses the path ("auto", "generic", "avx2", "avx512", "avx512ifma");
 * fails with CC_EINPUT for an unknown name or a path this CPU cannot run.
 * The choice is process-wide: make it before any thread calls the kernel.
 * Without a call the best path is chosen once at start-up (before main), so
 * kernel_current() only reads. */
enum cc_status kernel_select(const char *name, struct cc_err *err);

enum kernel_path kernel_current(void);
const char *kernel_path_name(enum kernel_path path);
bool kernel_path_supported(enum kernel_path path);

#endif
