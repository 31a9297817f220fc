/* The AVX2 block: 4 independent accumulators of 4 lanes, 3 vector operations
 * (multiply, add, index step) per 4 squares. Compiled for AVX2 through the
 * target attribute so the rest of the program stays baseline x86-64. */
#include "kernel.h"

#if defined(__x86_64__)
#include <immintrin.h>

__attribute__((target("avx2")))
u128 kernel_block_avx2(uint64_t start, uint64_t count)
{
    const __m256i step = _mm256_set1_epi64x(16);
    __m256i i0 = _mm256_setr_epi64x((long long)start, (long long)start + 1,
                                    (long long)start + 2, (long long)start + 3);
    __m256i i1 = _mm256_add_epi64(i0, _mm256_set1_epi64x(4));
    __m256i i2 = _mm256_add_epi64(i0, _mm256_set1_epi64x(8));
    __m256i i3 = _mm256_add_epi64(i0, _mm256_set1_epi64x(12));
    __m256i s0 = _mm256_setzero_si256(), s1 = s0, s2 = s0, s3 = s0;
    uint64_t groups = count / 16;

    for (uint64_t g = 0; g < groups; g++) {
        s0 = _mm256_add_epi64(s0, _mm256_mul_epu32(i0, i0));
        s1 = _mm256_add_epi64(s1, _mm256_mul_epu32(i1, i1));
        s2 = _mm256_add_epi64(s2, _mm256_mul_epu32(i2, i2));
        s3 = _mm256_add_epi64(s3, _mm256_mul_epu32(i3, i3));
        i0 = _mm256_add_epi64(i0, step);
        i1 = _mm256_add_epi64(i1, step);
        i2 = _mm256_add_epi64(i2, step);
        i3 = _mm256_add_epi64(i3, step);
    }

    uint64_t lane[16];
    _mm256_storeu_si256((__m256i *)&lane[0], s0);
    _mm256_storeu_si256((__m256i *)&lane[4], s1);
    _mm256_storeu_si256((__m256i *)&lane[8], s2);
    _mm256_storeu_si256((__m256i *)&lane[12], s3);
    u128 total = 0;
    for (unsigned k = 0; k < 16; k++)
        total += lane[k];
    for (uint64_t i = start + groups * 16; i < start + count; i++)
        total += (u128)i * i;
    return total;
}
#else
u128 kernel_block_avx2(uint64_t start, uint64_t count)
{
    return kernel_block_generic(start, count);
}
#endif
