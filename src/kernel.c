#include "kernel.h"

#include <string.h>

/* Vector paths multiply the low 32 bits of each lane, and a lane must hold
 * at least a few squares before it folds: above 2^31 the exact scalar path
 * (64x64->128-bit multiply) takes over. */
#define VECTOR_LIMIT (UINT64_C(1) << 31)

/* Longest block between folds: long enough that folding costs nothing. */
#define BLOCK_MAX (UINT64_C(1) << 22)

static enum kernel_path selected = KERNEL_AUTO;

u128 kernel_sumsq_closed(uint64_t n)
{
    if (n == 0)
        return 0;
    /* n(n-1)(2n-1)/6: divide the factors first so nothing overflows. */
    u128 a = n, b = n - 1, c = 2 * (u128)n - 1;
    if (a % 2 == 0) a /= 2; else b /= 2;
    if (a % 3 == 0) a /= 3; else if (b % 3 == 0) b /= 3; else c /= 3;
    return a * b * c;
}

static u128 exact_scalar(uint64_t lo, uint64_t hi)
{
    u128 total = 0;
    for (uint64_t i = lo; i < hi; i++)
        total += (u128)i * i;
    return total;
}

typedef u128 block_fn(uint64_t start, uint64_t count);

struct block_kernel {
    block_fn *sum;
    uint64_t lanes; /* 64-bit lane accumulators the block spreads over */
};

static struct block_kernel block_kernel(enum kernel_path path)
{
    switch (path) {
    case KERNEL_AVX512: return (struct block_kernel){kernel_block_avx512, 32};
    case KERNEL_AVX2: return (struct block_kernel){kernel_block_avx2, 16};
    default: return (struct block_kernel){kernel_block_generic, KERNEL_LANES};
    }
}

/* The longest block from start (at most left squares) in which no lane
 * accumulator can overflow: each lane gets count/lanes squares (plus one),
 * each at most (start + count - 1)^2. */
static uint64_t safe_block(uint64_t start, uint64_t left, uint64_t lanes)
{
    uint64_t count = left < BLOCK_MAX ? left : BLOCK_MAX;
    for (;;) {
        uint64_t top = start + count - 1;
        uint64_t per_lane = count / lanes + 1;
        if (top == 0 || per_lane <= UINT64_MAX / (top * top))
            return count;
        count = (UINT64_MAX / (top * top) - 1) * lanes;
        if (count == 0)
            return 0;
    }
}

u128 kernel_sumsq_range(uint64_t lo, uint64_t hi)
{
    struct block_kernel block = block_kernel(kernel_current());
    u128 total = 0;
    uint64_t i = lo;

    while (i < hi && i < VECTOR_LIMIT) {
        uint64_t end = hi < VECTOR_LIMIT ? hi : VECTOR_LIMIT;
        uint64_t count = safe_block(i, end - i, block.lanes);
        if (count == 0)
            break;
        total += block.sum(i, count);
        i += count;
    }
    if (i < hi)
        total += exact_scalar(i, hi);
    return total;
}

/* Portable C: lane sums the compiler may vectorise with the base ISA. */
u128 kernel_block_generic(uint64_t start, uint64_t count)
{
    uint64_t lane[KERNEL_LANES] = {0};
    uint64_t groups = count / KERNEL_LANES;
    uint64_t i = start;
    u128 total = 0;

    for (uint64_t g = 0; g < groups; g++, i += KERNEL_LANES)
        for (unsigned k = 0; k < KERNEL_LANES; k++)
            lane[k] += (i + k) * (i + k);
    for (unsigned k = 0; k < KERNEL_LANES; k++)
        total += lane[k];
    return total + exact_scalar(i, start + count);
}

static const char *const path_names[] = {
    [KERNEL_AUTO] = "auto",
    [KERNEL_GENERIC] = "generic",
    [KERNEL_AVX2] = "avx2",
    [KERNEL_AVX512] = "avx512",
};

const char *kernel_path_name(enum kernel_path path)
{
    return path_names[path];
}

bool kernel_path_supported(enum kernel_path path)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_cpu_init();
    switch (path) {
    case KERNEL_AVX512: return __builtin_cpu_supports("avx512f");
    case KERNEL_AVX2: return __builtin_cpu_supports("avx2");
    default: return true;
    }
#else
    return path == KERNEL_GENERIC || path == KERNEL_AUTO;
#endif
}

static enum kernel_path best_path(void)
{
    if (kernel_path_supported(KERNEL_AVX512)) return KERNEL_AVX512;
    if (kernel_path_supported(KERNEL_AVX2)) return KERNEL_AVX2;
    return KERNEL_GENERIC;
}

enum kernel_path kernel_current(void)
{
    if (selected == KERNEL_AUTO)
        selected = best_path();
    return selected;
}

enum cc_status kernel_select(const char *name, struct cc_err *err)
{
    for (unsigned p = 0; p < sizeof path_names / sizeof path_names[0]; p++) {
        if (strcmp(name, path_names[p]) != 0)
            continue;
        if (!kernel_path_supported((enum kernel_path)p))
            return cc_error(err, CC_EINPUT, "kernel '%s' is not supported by this CPU", name);
        selected = p == KERNEL_AUTO ? best_path() : (enum kernel_path)p;
        return CC_OK;
    }
    return cc_error(err, CC_EINPUT, "kernel: unknown path '%s' (auto, generic, avx2, avx512)", name);
}
