/* Scalar models of the blocks that need AVX-512 (kernel_ifma.c,
 * kernel_avx512.c): the same lanes, accumulators, index steps, remainders
 * and folding, with the instructions emulated per lane as Intel's
 * pseudo-code defines them. The unit tests check them against the closed
 * form where it matters (2^26, 2^29, 2^31, 2^32, the 128-bit limit), so the
 * algorithms are verified on CPUs that cannot run the instructions; the
 * vector code is checked against the closed form itself wherever the CPU
 * has them. */
#include "kernel_impl.h"

#define LOW52 ((UINT64_C(1) << 52) - 1)
#define NARROW_LANES (8 * KERNEL_IFMA_NARROW_VECTORS)
#define WIDE_LANES (8 * KERNEL_IFMA_WIDE_VECTORS)

/* vpmadd52luq, one lane: acc + the low 52 bits of the 104-bit product of
 * the low 52 bits of a and b, modulo 2^64. */
uint64_t kernel_model_madd52lo(uint64_t acc, uint64_t a, uint64_t b)
{
    u128 product = (u128)(a & LOW52) * (b & LOW52);
    return acc + ((uint64_t)product & LOW52);
}

/* vpmadd52huq, one lane: acc + bits 52..103 of that product. */
uint64_t kernel_model_madd52hi(uint64_t acc, uint64_t a, uint64_t b)
{
    u128 product = (u128)(a & LOW52) * (b & LOW52);
    return acc + ((uint64_t)(product >> 52) & LOW52);
}

static u128 lanes_sum(const uint64_t *lane, unsigned n)
{
    u128 total = 0;
    for (unsigned j = 0; j < n; j++)
        total += lane[j];
    return total;
}

#define AVX512_LANES 32 /* 4 accumulators of 8 lanes */
#define MAX_BLOCK_LANES NARROW_LANES
_Static_assert(AVX512_LANES <= MAX_BLOCK_LANES, "a block's lanes fit its arrays");

/* The narrow blocks of both paths: lane j squares start + j and every
 * lanes-th number after it into one accumulator with madd (the
 * instruction emulated, acc + a * b in its own way); the numbers past the
 * last whole group are summed exactly. */
static u128 model_block(uint64_t start, uint64_t count, unsigned lanes,
                        uint64_t (*madd)(uint64_t acc, uint64_t a, uint64_t b))
{
    uint64_t index[MAX_BLOCK_LANES], sum[MAX_BLOCK_LANES] = {0};
    uint64_t groups = count / lanes;

    for (unsigned j = 0; j < lanes; j++)
        index[j] = start + j;
    for (uint64_t g = 0; g < groups; g++)
        for (unsigned j = 0; j < lanes; j++) {
            sum[j] = madd(sum[j], index[j], index[j]);
            index[j] += lanes;
        }
    return lanes_sum(sum, lanes) + kernel_exact_scalar(start + groups * lanes, start + count);
}

u128 kernel_model_block_ifma(uint64_t start, uint64_t count)
{
    return model_block(start, count, NARROW_LANES, kernel_model_madd52lo);
}

u128 kernel_model_wide_ifma(uint64_t start, uint64_t count)
{
    uint64_t index[WIDE_LANES], low[WIDE_LANES] = {0}, high[WIDE_LANES] = {0};
    uint64_t groups = count / WIDE_LANES;

    for (unsigned j = 0; j < WIDE_LANES; j++)
        index[j] = start + j;
    for (uint64_t g = 0; g < groups; g++)
        for (unsigned j = 0; j < WIDE_LANES; j++) {
            low[j] = kernel_model_madd52lo(low[j], index[j], index[j]);
            high[j] = kernel_model_madd52hi(high[j], index[j], index[j]);
            index[j] += WIDE_LANES;
        }
    return lanes_sum(low, WIDE_LANES) + (lanes_sum(high, WIDE_LANES) << 52) +
           kernel_exact_scalar(start + groups * WIDE_LANES, start + count);
}

const struct kernel_impl kernel_impl_ifma_model = {
    kernel_model_block_ifma, NARROW_LANES, KERNEL_IFMA_NARROW_LIMIT,
    kernel_model_wide_ifma, UINT64_C(4096) * WIDE_LANES,
};

/* vpmuludq, one lane: the low 32 bits of a times those of b, 64 bits. */
static uint64_t mul_epu32(uint64_t a, uint64_t b)
{
    return (a & UINT32_MAX) * (b & UINT32_MAX);
}

/* vpmuludq then vpaddq, one lane. */
static uint64_t madd_epu32(uint64_t acc, uint64_t a, uint64_t b)
{
    return acc + mul_epu32(a, b);
}

u128 kernel_model_block_avx512(uint64_t start, uint64_t count)
{
    return model_block(start, count, AVX512_LANES, madd_epu32);
}

u128 kernel_model_wide_avx512(uint64_t start, uint64_t count)
{
    const uint64_t high = start >> KERNEL_SPLIT_BITS;
    uint64_t low[AVX512_LANES], square[AVX512_LANES] = {0}, cross[AVX512_LANES] = {0};
    uint64_t groups = count / AVX512_LANES;

    for (unsigned j = 0; j < AVX512_LANES; j++)
        low[j] = (start & ((UINT64_C(1) << KERNEL_SPLIT_BITS) - 1)) + j;
    for (uint64_t g = 0; g < groups; g++)
        for (unsigned j = 0; j < AVX512_LANES; j++) {
            square[j] += mul_epu32(low[j], low[j]);
            cross[j] += mul_epu32(low[j], high);
            low[j] += AVX512_LANES;
        }
    u128 total = (u128)(groups * AVX512_LANES) * (high * high) << (2 * KERNEL_SPLIT_BITS);
    total += lanes_sum(cross, AVX512_LANES) << (KERNEL_SPLIT_BITS + 1);
    total += lanes_sum(square, AVX512_LANES);
    return total + kernel_exact_scalar(start + groups * AVX512_LANES, start + count);
}
