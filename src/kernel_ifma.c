/* The AVX-512 IFMA blocks (include/kernel_impl.h describes both schemes),
 * compiled for AVX-512F + IFMA through the target attribute so the rest of
 * the program stays baseline x86-64. kernel_model.c is the same algorithm
 * in portable C (the unit tests run it on CPUs without IFMA).
 *
 * narrow (i < 2^26, i*i < 2^52): one vpmadd52luq squares and accumulates
 *         8 lanes; with the index step, 2 vector operations per 8 squares,
 *         in 12 independent accumulators (latency 4, up to 2 a cycle).
 * wide:   vpmadd52luq + vpmadd52huq add the low and the high 52 bits of the
 *         104-bit square into two accumulators; 3 operations per 8 squares,
 *         8 index vectors, 16 accumulators. Exact for i < 2^52, far beyond
 *         the 128-bit limit (< 2^44). */
#include "kernel_impl.h"

#if defined(__x86_64__)
#include <immintrin.h>

#define NARROW KERNEL_IFMA_NARROW_VECTORS
#define WIDE KERNEL_IFMA_WIDE_VECTORS

/* The 64-bit lanes of n vectors added into 128 bits. */
__attribute__((target("avx512f")))
static u128 lanes_sum(const __m512i *v, unsigned n)
{
    u128 total = 0;
    for (unsigned k = 0; k < n; k++) {
        uint64_t lane[8];
        _mm512_storeu_si512(lane, v[k]);
        for (unsigned j = 0; j < 8; j++)
            total += lane[j];
    }
    return total;
}

/* Index vectors start, start+1, ... : vector k holds start + 8k + 0..7. */
__attribute__((target("avx512f")))
static void first_indices(__m512i *index, unsigned n, uint64_t start)
{
    const __m512i lanes = _mm512_setr_epi64(0, 1, 2, 3, 4, 5, 6, 7);
    for (unsigned k = 0; k < n; k++)
        index[k] = _mm512_add_epi64(_mm512_set1_epi64((long long)(start + 8 * k)), lanes);
}

__attribute__((target("avx512f,avx512ifma")))
u128 kernel_block_ifma(uint64_t start, uint64_t count)
{
    const __m512i step = _mm512_set1_epi64(8 * NARROW);
    __m512i index[NARROW], sum[NARROW];
    uint64_t groups = count / (8 * NARROW);

    first_indices(index, NARROW, start);
#pragma GCC unroll 16
    for (unsigned k = 0; k < NARROW; k++)
        sum[k] = _mm512_setzero_si512();
    for (uint64_t g = 0; g < groups; g++) {
#pragma GCC unroll 16
        for (unsigned k = 0; k < NARROW; k++) {
            sum[k] = _mm512_madd52lo_epu64(sum[k], index[k], index[k]);
            index[k] = _mm512_add_epi64(index[k], step);
        }
    }
    return lanes_sum(sum, NARROW) +
           kernel_exact_scalar(start + groups * 8 * NARROW, start + count);
}

__attribute__((target("avx512f,avx512ifma")))
u128 kernel_wide_ifma(uint64_t start, uint64_t count)
{
    const __m512i step = _mm512_set1_epi64(8 * WIDE);
    __m512i index[WIDE], low[WIDE], high[WIDE];
    uint64_t groups = count / (8 * WIDE);

    first_indices(index, WIDE, start);
#pragma GCC unroll 16
    for (unsigned k = 0; k < WIDE; k++)
        low[k] = high[k] = _mm512_setzero_si512();
    for (uint64_t g = 0; g < groups; g++) {
#pragma GCC unroll 16
        for (unsigned k = 0; k < WIDE; k++) {
            low[k] = _mm512_madd52lo_epu64(low[k], index[k], index[k]);
            high[k] = _mm512_madd52hi_epu64(high[k], index[k], index[k]);
            index[k] = _mm512_add_epi64(index[k], step);
        }
    }
    return lanes_sum(low, WIDE) + (lanes_sum(high, WIDE) << 52) +
           kernel_exact_scalar(start + groups * 8 * WIDE, start + count);
}
#else
u128 kernel_block_ifma(uint64_t start, uint64_t count)
{
    return kernel_block_generic(start, count);
}

u128 kernel_wide_ifma(uint64_t start, uint64_t count)
{
    return kernel_exact_scalar(start, start + count);
}
#endif
