/* The AVX2 blocks (include/kernel_impl.h describes both schemes), compiled
 * for AVX2 through the target attribute so the rest of the program stays
 * baseline x86-64.
 *
 * narrow: 4 independent accumulators of 4 lanes, 3 vector operations
 *         (multiply, add, index step) per 4 squares.
 * wide:   i = H*2^22 + l, l*l and H*l by fused multiply-adds in doubles
 *         (exact, see kernel_wide_avx2), 3 vector operations per 4 squares
 *         in 8 accumulators. */
#include "kernel_impl.h"

#if defined(__x86_64__)
#include <immintrin.h>

/* The 64-bit lanes of a vector added into 128 bits. */
__attribute__((target("avx2")))
static u128 lanes_sum(__m256i a, __m256i b, __m256i c, __m256i d)
{
    uint64_t lane[16];
    _mm256_storeu_si256((__m256i *)&lane[0], a);
    _mm256_storeu_si256((__m256i *)&lane[4], b);
    _mm256_storeu_si256((__m256i *)&lane[8], c);
    _mm256_storeu_si256((__m256i *)&lane[12], d);
    u128 total = 0;
    for (unsigned k = 0; k < 16; k++)
        total += lane[k];
    return total;
}

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
    return lanes_sum(s0, s1, s2, s3) + kernel_exact_scalar(start + groups * 16, start + count);
}

/* Doubles hold every integer below 2^53 exactly, and one fused
 * multiply-add rounds once: acc + a*b is exact while the true value is an
 * integer below 2^53. */
#define CHUNK 256 /* FMA rounds per chunk: 256 terms < 2^44 stay below 2^52 */

/* The integer x (0 <= x < 2^52) held in each lane of a double vector, as
 * 64-bit integers: the bits of x + 2^52 are those of 2^52 plus x. */
__attribute__((target("avx2")))
static __m256i to_integers(__m256d x)
{
    const __m256d magic = _mm256_set1_pd(0x1p52);
    return _mm256_sub_epi64(_mm256_castpd_si256(_mm256_add_pd(x, magic)),
                            _mm256_castpd_si256(magic));
}

/* A block inside one [H*2^22, (H+1)*2^22): the caller guarantees it.
 * Zen 3 issues one vpmuludq a cycle (the bare loop runs at that rate), so
 * two of them per square (l*l and H*l) halve the rate; its two FMA pipes
 * square l and multiply H*l in doubles instead, exactly: l < 2^22, both
 * products < 2^44, a lane sums CHUNK of them (< 2^52) before they move into
 * 64-bit integer lanes (2^18 terms < 2^62 per block). */
__attribute__((target("avx2,fma")))
u128 kernel_wide_avx2(uint64_t start, uint64_t count)
{
    const uint64_t mask = (UINT64_C(1) << KERNEL_SPLIT_BITS) - 1;
    const uint64_t high = start >> KERNEL_SPLIT_BITS;
    const double low = (double)(start & mask);
    const __m256d h = _mm256_set1_pd((double)high);
    const __m256d step = _mm256_set1_pd(16);
    __m256d l0 = _mm256_setr_pd(low, low + 1, low + 2, low + 3);
    __m256d l1 = _mm256_add_pd(l0, _mm256_set1_pd(4));
    __m256d l2 = _mm256_add_pd(l0, _mm256_set1_pd(8));
    __m256d l3 = _mm256_add_pd(l0, _mm256_set1_pd(12));
    __m256i squares = _mm256_setzero_si256(), cross = squares; /* l*l, H*l */
    uint64_t groups = count / 16;

    for (uint64_t done = 0; done < groups;) {
        uint64_t chunk = groups - done < CHUNK ? groups - done : CHUNK;
        __m256d q0 = _mm256_setzero_pd(), q1 = q0, q2 = q0, q3 = q0; /* l*l */
        __m256d c0 = q0, c1 = q0, c2 = q0, c3 = q0;                  /* H*l */
        for (uint64_t g = 0; g < chunk; g++) {
            q0 = _mm256_fmadd_pd(l0, l0, q0);
            c0 = _mm256_fmadd_pd(l0, h, c0);
            q1 = _mm256_fmadd_pd(l1, l1, q1);
            c1 = _mm256_fmadd_pd(l1, h, c1);
            q2 = _mm256_fmadd_pd(l2, l2, q2);
            c2 = _mm256_fmadd_pd(l2, h, c2);
            q3 = _mm256_fmadd_pd(l3, l3, q3);
            c3 = _mm256_fmadd_pd(l3, h, c3);
            l0 = _mm256_add_pd(l0, step);
            l1 = _mm256_add_pd(l1, step);
            l2 = _mm256_add_pd(l2, step);
            l3 = _mm256_add_pd(l3, step);
        }
        squares = _mm256_add_epi64(squares, _mm256_add_epi64(
            _mm256_add_epi64(to_integers(q0), to_integers(q1)),
            _mm256_add_epi64(to_integers(q2), to_integers(q3))));
        cross = _mm256_add_epi64(cross, _mm256_add_epi64(
            _mm256_add_epi64(to_integers(c0), to_integers(c1)),
            _mm256_add_epi64(to_integers(c2), to_integers(c3))));
        done += chunk;
    }
    const __m256i zero = _mm256_setzero_si256();
    u128 total = (u128)(groups * 16) * (high * high) << (2 * KERNEL_SPLIT_BITS);
    total += lanes_sum(cross, zero, zero, zero) << (KERNEL_SPLIT_BITS + 1);
    total += lanes_sum(squares, zero, zero, zero);
    return total + kernel_exact_scalar(start + groups * 16, start + count);
}
#else
u128 kernel_block_avx2(uint64_t start, uint64_t count)
{
    return kernel_block_generic(start, count);
}

u128 kernel_wide_avx2(uint64_t start, uint64_t count)
{
    return kernel_exact_scalar(start, start + count);
}
#endif
