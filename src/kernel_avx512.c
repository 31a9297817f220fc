/* The AVX-512 block: 4 independent accumulators of 8 lanes, 3 vector operations
 * (multiply, add, index step) per 8 squares. Compiled for AVX-512 through the
 * target attribute so the rest of the program stays baseline x86-64. */
#include "kernel.h"

#if defined(__x86_64__)
#include <immintrin.h>

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

    uint64_t lane[32];
    _mm512_storeu_si512(&lane[0], s0);
    _mm512_storeu_si512(&lane[8], s1);
    _mm512_storeu_si512(&lane[16], s2);
    _mm512_storeu_si512(&lane[24], s3);
    u128 total = 0;
    for (unsigned k = 0; k < 32; k++)
        total += lane[k];
    for (uint64_t i = start + groups * 32; i < start + count; i++)
        total += (u128)i * i;
    return total;
}
#else
u128 kernel_block_avx512(uint64_t start, uint64_t count)
{
    return kernel_block_generic(start, count);
}
#endif
