/* The scalar model of the IFMA blocks (kernel_ifma.c): the same lanes,
 * accumulators, index steps, remainders and folding, with the two IFMA
 * instructions emulated per lane as Intel's pseudo-code defines them. The
 * unit tests check it against the closed form where it matters (2^26, 2^31,
 * 2^32, the 128-bit limit), so the algorithm is verified on CPUs that
 * cannot run the instructions; the vector code is checked against the
 * closed form itself wherever the CPU has IFMA. */
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

u128 kernel_model_block_ifma(uint64_t start, uint64_t count)
{
    uint64_t index[NARROW_LANES], sum[NARROW_LANES] = {0};
    uint64_t groups = count / NARROW_LANES;

    for (unsigned j = 0; j < NARROW_LANES; j++)
        index[j] = start + j;
    for (uint64_t g = 0; g < groups; g++)
        for (unsigned j = 0; j < NARROW_LANES; j++) {
            sum[j] = kernel_model_madd52lo(sum[j], index[j], index[j]);
            index[j] += NARROW_LANES;
        }
    return lanes_sum(sum, NARROW_LANES) +
           kernel_exact_scalar(start + groups * NARROW_LANES, start + count);
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
