#include "kernel.h"

#include <string.h>

#include "kernel_impl.h"

/* Longest narrow block between folds: long enough that folding costs
 * nothing. */
#define BLOCK_MAX (UINT64_C(1) << 22)

/* The narrow vector blocks square the low 32 bits of a lane, and a lane
 * must hold a good number of squares before it folds: near 2^31 only a few
 * dozen squares fit a block. The split (wide) block is faster from about
 * 2^29 on (measured with the bench on Zen 3), whatever the width. */
#define SPLIT_FROM (UINT64_C(1) << 29)
#define SPLIT_SPAN (UINT64_C(1) << KERNEL_SPLIT_BITS)

/* Chosen once: by kernel_select, else at start-up (see choose_at_start). */
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

u128 kernel_exact_scalar(uint64_t lo, uint64_t hi)
{
    u128 total = 0;
    for (uint64_t i = lo; i < hi; i++)
        total += (u128)i * i;
    return total;
}

static u128 wide_generic(uint64_t start, uint64_t count)
{
    return kernel_exact_scalar(start, start + count);
}

const struct kernel_impl kernel_impl_generic = {
    kernel_block_generic, KERNEL_LANES_GENERIC, UINT64_C(1) << 31, wide_generic, SPLIT_SPAN,
};
const struct kernel_impl kernel_impl_avx2 = {
    kernel_block_avx2, 16, SPLIT_FROM, kernel_wide_avx2, SPLIT_SPAN,
};
const struct kernel_impl kernel_impl_avx512 = {
    kernel_block_avx512, 32, SPLIT_FROM, kernel_wide_avx512, SPLIT_SPAN,
};
const struct kernel_impl kernel_impl_avx512_model = {
    kernel_model_block_avx512, 32, SPLIT_FROM, kernel_model_wide_avx512, SPLIT_SPAN,
};
const struct kernel_impl kernel_impl_ifma = {
    kernel_block_ifma, 8 * KERNEL_IFMA_NARROW_VECTORS, KERNEL_IFMA_NARROW_LIMIT,
    kernel_wide_ifma, UINT64_C(4096) * 8 * KERNEL_IFMA_WIDE_VECTORS,
};

static const struct kernel_impl *impl_of(enum kernel_path path)
{
    switch (path) {
    case KERNEL_AVX512IFMA: return &kernel_impl_ifma;
    case KERNEL_AVX512: return &kernel_impl_avx512;
    case KERNEL_AVX2: return &kernel_impl_avx2;
    default: return &kernel_impl_generic;
    }
}

/* The longest block from start (at most left squares) in which no lane
 * accumulator can overflow: each lane gets count/lanes squares (plus one),
 * each at most (start + count - 1)^2 (below 2^62: start < 2^31). */
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

u128 kernel_range_with(const struct kernel_impl *impl, uint64_t lo, uint64_t hi)
{
    u128 total = 0;
    uint64_t i = lo;

    while (i < hi && i < impl->narrow_limit) {
        uint64_t end = hi < impl->narrow_limit ? hi : impl->narrow_limit;
        uint64_t count = safe_block(i, end - i, impl->narrow_lanes);
        if (count == 0)
            break; /* the wide block takes over */
        total += impl->narrow(i, count);
        i += count;
    }
    while (i < hi) {
        uint64_t span_end = (i / impl->wide_span + 1) * impl->wide_span;
        uint64_t end = hi < span_end ? hi : span_end;
        total += impl->wide(i, end - i);
        i = end;
    }
    return total;
}

u128 kernel_sumsq_range(uint64_t lo, uint64_t hi)
{
    return kernel_range_with(impl_of(kernel_current()), lo, hi);
}

/* Portable C: lane sums the compiler may vectorise with the base ISA. */
u128 kernel_block_generic(uint64_t start, uint64_t count)
{
    uint64_t lane[KERNEL_LANES_GENERIC] = {0};
    uint64_t groups = count / KERNEL_LANES_GENERIC;
    uint64_t i = start;
    u128 total = 0;

    for (uint64_t g = 0; g < groups; g++, i += KERNEL_LANES_GENERIC)
        for (unsigned k = 0; k < KERNEL_LANES_GENERIC; k++)
            lane[k] += (i + k) * (i + k);
    for (unsigned k = 0; k < KERNEL_LANES_GENERIC; k++)
        total += lane[k];
    return total + kernel_exact_scalar(i, start + count);
}

static const char *const path_names[] = {
    [KERNEL_AUTO] = "auto",
    [KERNEL_GENERIC] = "generic",
    [KERNEL_AVX2] = "avx2",
    [KERNEL_AVX512] = "avx512",
    [KERNEL_AVX512IFMA] = "avx512ifma",
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
    case KERNEL_AVX512IFMA:
        return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512ifma");
    case KERNEL_AVX512: return __builtin_cpu_supports("avx512f");
    /* the wide AVX2 block multiplies with FMA (every AVX2 CPU to date has it) */
    case KERNEL_AVX2: return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    default: return true;
    }
#else
    return path == KERNEL_GENERIC || path == KERNEL_AUTO;
#endif
}

static enum kernel_path best_path(void)
{
    if (kernel_path_supported(KERNEL_AVX512IFMA)) return KERNEL_AVX512IFMA;
    if (kernel_path_supported(KERNEL_AVX512)) return KERNEL_AVX512;
    if (kernel_path_supported(KERNEL_AVX2)) return KERNEL_AVX2;
    return KERNEL_GENERIC;
}

/* Up front, before main and any thread: a lazy choice inside
 * kernel_current() wrote this global from every OpenMP thread of a hybrid
 * rank at once. */
__attribute__((constructor)) static void choose_at_start(void)
{
    if (selected == KERNEL_AUTO)
        selected = best_path();
}

enum kernel_path kernel_current(void)
{
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
    return cc_error(err, CC_EINPUT, "kernel: unknown path '%s' (auto, generic, avx2, avx512, avx512ifma)", name);
}
