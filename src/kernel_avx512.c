/* The AVX-512 blocks (include/kernel_impl.h describes both schemes),
 * compiled for AVX-512F through the target attribute so the rest of the
 * program stays baseline x86-64.
 *
 * narrow: 4 independent accumulators of 8 lanes, 3 vector operations
 *         (multiply, add, index step) per 8 squares.
 * wide:   i = H*2^22 + l, 5 vector operations per 8 squares (l*l and H*l,
 *         two adds, the index step) in 8 accumulators: the AVX2 wide block
 *         at twice the width. */
#include "kernel_impl.h"

#if defined(__x86_64__)
#include <immintrin.h>

/* The 64-bit lanes of four vectors added into 128 bits. */
__attribute__((target("avx512f")))
static u128 lanes_sum(__m512i a, __m512i b, __m512i c, __m512i d)
{
    uint64_t lane[32];
    _mm512_storeu_si512(&lane[0], a);
    _mm512_storeu_si512(&lane[8], b);
    _mm512_storeu_si512(&lane[16], c);
    _mm512_storeu_si512(&lane[24], d);
    u128 total = 0;
    for (unsigned k = 0; k < 32; k++)
        total += lane[k];
    return total;
}

__attribute__((target("avx512f")))
u128 kernel_block_avx512(uint64_t start, uint64_t count)
{
    const __m512i step = _mm512_set1_epi64(32);
    __m512i i0 = _mm512_add_epi64(_mm512_set1_epi64((long long)start),
                                   _mm512_setr_epi64(0, 1, 2, 3, 4, 5, 6, 7));
    __m512i i1 = _mm512_add_epi64(i0, _mm512_set1_epi64(8));
    __m512i i2 = _mm512_add_epi64(i0, _mm512_set1_epi64(16));
    __m512i i3 = _mm512_add_epi64(i0, _mm512_set1_epi64(24));
    __m512i s0 = _mm512_setzero_si512(), s1 = s0, s2 = s0, s3 = s0;
    uint64_t groups = count / 32;

    for (uint64_t g = 0; g < groups; g++) {
        s0 = _mm512_add_epi64(s0, _mm512_mul_epu32(i0, i0));
        s1 = _mm512_add_epi64(s1, _mm512_mul_epu32(i1, i1));
        s2 = _mm512_add_epi64(s2, _mm512_mul_epu32(i2, i2));
        s3 = _mm512_add_epi64(s3, _mm512_mul_epu32(i3, i3));
        i0 = _mm512_add_epi64(i0, step);
        i1 = _mm512_add_epi64(i1, step);
        i2 = _mm512_add_epi64(i2, step);
        i3 = _mm512_add_epi64(i3, step);
    }
    return lanes_sum(s0, s1, s2, s3) + kernel_exact_scalar(start + groups * 32, start + count);
}

/* A block inside one [H*2^22, (H+1)*2^22): the caller guarantees it. */
__attribute__((target("avx512f")))
u128 kernel_wide_avx512(uint64_t start, uint64_t count)
{
    const uint64_t mask = (UINT64_C(1) << KERNEL_SPLIT_BITS) - 1;
    const uint64_t high = start >> KERNEL_SPLIT_BITS;
    const __m512i h = _mm512_set1_epi64((long long)high);
    const __m512i step = _mm512_set1_epi64(32);
    __m512i l0 = _mm512_add_epi64(_mm512_set1_epi64((long long)(start & mask)),
                                   _mm512_setr_epi64(0, 1, 2, 3, 4, 5, 6, 7));
    __m512i l1 = _mm512_add_epi64(l0, _mm512_set1_epi64(8));
    __m512i l2 = _mm512_add_epi64(l0, _mm512_set1_epi64(16));
    __m512i l3 = _mm512_add_epi64(l0, _mm512_set1_epi64(24));
    __m512i q0 = _mm512_setzero_si512(), q1 = q0, q2 = q0, q3 = q0; /* l*l */
    __m512i c0 = q0, c1 = q0, c2 = q0, c3 = q0;                     /* H*l */
    uint64_t groups = count / 32;

    for (uint64_t g = 0; g < groups; g++) {
        q0 = _mm512_add_epi64(q0, _mm512_mul_epu32(l0, l0));
        c0 = _mm512_add_epi64(c0, _mm512_mul_epu32(l0, h));
        q1 = _mm512_add_epi64(q1, _mm512_mul_epu32(l1, l1));
        c1 = _mm512_add_epi64(c1, _mm512_mul_epu32(l1, h));
        q2 = _mm512_add_epi64(q2, _mm512_mul_epu32(l2, l2));
        c2 = _mm512_add_epi64(c2, _mm512_mul_epu32(l2, h));
        q3 = _mm512_add_epi64(q3, _mm512_mul_epu32(l3, l3));
        c3 = _mm512_add_epi64(c3, _mm512_mul_epu32(l3, h));
        l0 = _mm512_add_epi64(l0, step);
        l1 = _mm512_add_epi64(l1, step);
        l2 = _mm512_add_epi64(l2, step);
        l3 = _mm512_add_epi64(l3, step);
    }
    u128 squares = (u128)(groups * 32) * (high * high) << (2 * KERNEL_SPLIT_BITS);
    squares += lanes_sum(c0, c1, c2, c3) << (KERNEL_SPLIT_BITS + 1);
    squares += lanes_sum(q0, q1, q2, q3);
    return squares + kernel_exact_scalar(start + groups * 32, start + count);
}
#else
u128 kernel_block_avx512(uint64_t start, uint64_t count)
{
    return kernel_block_generic(start, count);
}

u128 kernel_wide_avx512(uint64_t start, uint64_t count)
{
    return kernel_exact_scalar(start, start + count);
}
#endif
