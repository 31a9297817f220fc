/* Internal to the kernel (kernel*.c) and its unit tests: the block
 * functions of each instruction set, how the range driver cuts [lo, hi)
 * into blocks for them, and the scalar models of the AVX-512 and IFMA lanes.
 *
 * Every path has two block functions:
 *
 *   narrow  i < narrow_limit: the square of i in one multiply per lane
 *           (vpmuludq: 32x32->64 bits; vpmadd52luq: 52x52->low 52 bits),
 *           added into 64-bit lane sums. A block is as long as the largest
 *           square in it allows without a lane overflowing.
 *   wide    narrow_limit <= i <= KERNEL_MAX_N (< 2^44), exact to the limit.
 *           A wide block never crosses a multiple of wide_span:
 *           - split (AVX2, AVX-512): i = H*2^22 + l with l < 2^22, and H
 *             the same for the whole block (so wide_span = 2^22), hence
 *             i^2 = H^2*2^44 + 2*H*l*2^22 + l^2. Per lane two vpmuludq, l*l
 *             and H*l (each < 2^44, so 2^20 of them fit a 64-bit lane),
 *             in two accumulators; the constant H^2*2^44 is added once per
 *             block for the squares it covers.
 *           - IFMA: the 104-bit product of i < 2^52 as its low 52 bits
 *             (vpmadd52luq) and high 52 bits (vpmadd52huq) in two
 *             accumulators; a lane takes 2^12 low halves before it could
 *             overflow, so wide_span = 2^12 x the lanes.
 *           - generic: the exact 64x64->128-bit scalar loop.
 *
 * Each block function returns the exact sum of its squares (it folds its
 * lanes into 128 bits and does the remainder that does not fill a vector
 * round with the scalar loop). */
#ifndef CONCUR_KERNEL_IMPL_H
#define CONCUR_KERNEL_IMPL_H

#include "kernel.h"

typedef u128 kernel_block_fn(uint64_t start, uint64_t count);

struct kernel_impl {
    kernel_block_fn *narrow;
    uint64_t narrow_lanes;  /* 64-bit lane accumulators the narrow block uses */
    uint64_t narrow_limit;  /* the wide block from here on */
    kernel_block_fn *wide;
    uint64_t wide_span;     /* a wide block stays inside [k*span, (k+1)*span) */
};

#define KERNEL_LANES_GENERIC 16

/* The split of the wide AVX2/AVX-512 blocks: i = H*2^SPLIT_BITS + l. */
#define KERNEL_SPLIT_BITS 22

/* The IFMA blocks' accumulator vectors of 8 lanes: enough independent
 * chains to cover vpmadd52luq's latency (4 cycles) at two per cycle. */
#define KERNEL_IFMA_NARROW_VECTORS 12
#define KERNEL_IFMA_WIDE_VECTORS 8
#define KERNEL_IFMA_NARROW_LIMIT (UINT64_C(1) << 26) /* i*i fits 52 bits */

/* The sum over [lo, hi) with the given implementation (kernel_sumsq_range
 * uses the selected path's). */
u128 kernel_range_with(const struct kernel_impl *impl, uint64_t lo, uint64_t hi);

/* The exact scalar loop, for remainders. */
u128 kernel_exact_scalar(uint64_t lo, uint64_t hi);

u128 kernel_block_generic(uint64_t start, uint64_t count);
u128 kernel_block_avx2(uint64_t start, uint64_t count);
u128 kernel_wide_avx2(uint64_t start, uint64_t count);
u128 kernel_block_avx512(uint64_t start, uint64_t count);
u128 kernel_wide_avx512(uint64_t start, uint64_t count);
u128 kernel_block_ifma(uint64_t start, uint64_t count);
u128 kernel_wide_ifma(uint64_t start, uint64_t count);

extern const struct kernel_impl kernel_impl_generic, kernel_impl_avx2,
    kernel_impl_avx512, kernel_impl_ifma;

/* The scalar model of the IFMA blocks (kernel_model.c): the same lanes,
 * accumulators, block lengths, remainders and folding, with vpmadd52luq and
 * vpmadd52huq emulated in portable C, so that the algorithm is tested on
 * CPUs without IFMA. kernel_impl_ifma_model is kernel_impl_ifma with these
 * in place of the vector functions. */
uint64_t kernel_model_madd52lo(uint64_t acc, uint64_t a, uint64_t b);
uint64_t kernel_model_madd52hi(uint64_t acc, uint64_t a, uint64_t b);
u128 kernel_model_block_ifma(uint64_t start, uint64_t count);
u128 kernel_model_wide_ifma(uint64_t start, uint64_t count);
extern const struct kernel_impl kernel_impl_ifma_model;

/* The same for the AVX-512F blocks (vpmuludq emulated): the narrow block
 * and the integer split, with the driver settings of kernel_impl_avx512. */
u128 kernel_model_block_avx512(uint64_t start, uint64_t count);
u128 kernel_model_wide_avx512(uint64_t start, uint64_t count);
extern const struct kernel_impl kernel_impl_avx512_model;

#endif
