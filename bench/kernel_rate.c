/* The kernel's rate on every path, each beside a bare loop of the same
 * instructions built here, measured interleaved in the same run on one core
 * (part of `make bench`; scripts/bench prints the table this writes).
 *
 * A bare loop is the instruction set's ceiling for this kernel: one
 * multiply, one add into a lane sum and the index step per vector of
 * squares, several independent accumulators, nothing else (no folding into
 * 128 bits, so its sum is wrong once lanes overflow: it only measures). The
 * ratio path/bare says how close concur's kernel comes to it. Rates are
 * squares per nanosecond of the thread's CPU time.
 *
 * Usage: kernel-rate [SQUARES [ROUNDS]]  (defaults 400000000 and 7) */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "kernel_impl.h"

#if defined(__x86_64__)
#include <immintrin.h>

__attribute__((target("avx2"), noinline))
static uint64_t bare_avx2(uint64_t start, uint64_t count)
{
    const __m256i step = _mm256_set1_epi64x(16);
    __m256i i0 = _mm256_setr_epi64x((long long)start, (long long)start + 1,
                                    (long long)start + 2, (long long)start + 3);
    __m256i i1 = _mm256_add_epi64(i0, _mm256_set1_epi64x(4));
    __m256i i2 = _mm256_add_epi64(i0, _mm256_set1_epi64x(8));
    __m256i i3 = _mm256_add_epi64(i0, _mm256_set1_epi64x(12));
    __m256i s0 = _mm256_setzero_si256(), s1 = s0, s2 = s0, s3 = s0;
    for (uint64_t g = 0; g < count / 16; g++) {
        s0 = _mm256_add_epi64(s0, _mm256_mul_epu32(i0, i0));
        s1 = _mm256_add_epi64(s1, _mm256_mul_epu32(i1, i1));
        s2 = _mm256_add_epi64(s2, _mm256_mul_epu32(i2, i2));
        s3 = _mm256_add_epi64(s3, _mm256_mul_epu32(i3, i3));
        i0 = _mm256_add_epi64(i0, step);
        i1 = _mm256_add_epi64(i1, step);
        i2 = _mm256_add_epi64(i2, step);
        i3 = _mm256_add_epi64(i3, step);
    }
    __m256i s = _mm256_add_epi64(_mm256_add_epi64(s0, s1), _mm256_add_epi64(s2, s3));
    uint64_t lane[4];
    _mm256_storeu_si256((__m256i *)lane, s);
    return lane[0] + lane[1] + lane[2] + lane[3];
}

#define BARE512 8
__attribute__((target("avx512f"), noinline))
static uint64_t bare_avx512(uint64_t start, uint64_t count)
{
    const __m512i step = _mm512_set1_epi64(8 * BARE512);
    __m512i index[BARE512], sum[BARE512];
#pragma GCC unroll 16
    for (unsigned k = 0; k < BARE512; k++) {
        index[k] = _mm512_add_epi64(_mm512_set1_epi64((long long)(start + 8 * k)),
                                    _mm512_setr_epi64(0, 1, 2, 3, 4, 5, 6, 7));
        sum[k] = _mm512_setzero_si512();
    }
    for (uint64_t g = 0; g < count / (8 * BARE512); g++) {
#pragma GCC unroll 16
        for (unsigned k = 0; k < BARE512; k++) {
            sum[k] = _mm512_add_epi64(sum[k], _mm512_mul_epu32(index[k], index[k]));
            index[k] = _mm512_add_epi64(index[k], step);
        }
    }
    for (unsigned k = 1; k < BARE512; k++)
        sum[0] = _mm512_add_epi64(sum[0], sum[k]);
    return (uint64_t)_mm512_reduce_add_epi64(sum[0]);
}

#define BAREIFMA 12
__attribute__((target("avx512f,avx512ifma"), noinline))
static uint64_t bare_ifma(uint64_t start, uint64_t count)
{
    const __m512i step = _mm512_set1_epi64(8 * BAREIFMA);
    __m512i index[BAREIFMA], sum[BAREIFMA];
#pragma GCC unroll 16
    for (unsigned k = 0; k < BAREIFMA; k++) {
        index[k] = _mm512_add_epi64(_mm512_set1_epi64((long long)(start + 8 * k)),
                                    _mm512_setr_epi64(0, 1, 2, 3, 4, 5, 6, 7));
        sum[k] = _mm512_setzero_si512();
    }
    for (uint64_t g = 0; g < count / (8 * BAREIFMA); g++) {
#pragma GCC unroll 16
        for (unsigned k = 0; k < BAREIFMA; k++) {
            sum[k] = _mm512_madd52lo_epu64(sum[k], index[k], index[k]);
            index[k] = _mm512_add_epi64(index[k], step);
        }
    }
    for (unsigned k = 1; k < BAREIFMA; k++)
        sum[0] = _mm512_add_epi64(sum[0], sum[k]);
    return (uint64_t)_mm512_reduce_add_epi64(sum[0]);
}
#endif

typedef uint64_t bare_fn(uint64_t start, uint64_t count);

struct bare {
    const char *name;
    bare_fn *run;
    enum kernel_path needs;
};

#if defined(__x86_64__)
static const struct bare bare_loops[] = {
    {"bare vpmuludq loop (AVX2, 4 accumulators)", bare_avx2, KERNEL_AVX2},
    {"bare vpmuludq loop (AVX-512, 8 accumulators)", bare_avx512, KERNEL_AVX512},
    {"bare vpmadd52luq loop (IFMA, 12 accumulators)", bare_ifma, KERNEL_AVX512IFMA},
};
#endif

struct row {
    enum kernel_path path;
    const char *region;
    uint64_t lo, hi; /* the range, summed as many times as SQUARES needs */
    int bare;        /* index in bare_loops, or -1 */
};

#define TWO(k) (UINT64_C(1) << (k))

static const struct row rows[] = {
    {KERNEL_GENERIC, "below 2^31", 100000000, 100000000 + TWO(28), -1},
    {KERNEL_GENERIC, "beyond 2^31", TWO(40), TWO(40) + TWO(24), -1},
    {KERNEL_AVX2, "below 2^31", 100000000, 100000000 + TWO(28), 0},
    {KERNEL_AVX2, "beyond 2^31 (2^40)", TWO(40), TWO(40) + TWO(28), 0},
    {KERNEL_AVX2, "at the limit", KERNEL_MAX_N - TWO(28), KERNEL_MAX_N, 0},
    {KERNEL_AVX512, "below 2^31", 100000000, 100000000 + TWO(28), 1},
    {KERNEL_AVX512, "beyond 2^31 (2^40)", TWO(40), TWO(40) + TWO(28), 1},
    {KERNEL_AVX512IFMA, "below 2^26", TWO(25), TWO(26), 2},
    {KERNEL_AVX512IFMA, "beyond 2^31 (2^40)", TWO(40), TWO(40) + TWO(28), 2},
    {KERNEL_AVX512IFMA, "at the limit", KERNEL_MAX_N - TWO(28), KERNEL_MAX_N, 2},
};

/* The thread's CPU time: on a shared machine the time slices other
 * processes take do not count (this kernel lives in registers, so little
 * else of theirs reaches it). */
static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static volatile uint64_t sink;

/* Squares per nanosecond of the kernel over the row's range, repeated to
 * about `squares`; exits if a sum is wrong (a wrong kernel has no rate). */
static double kernel_rate(const struct row *r, uint64_t squares)
{
    uint64_t len = r->hi - r->lo, reps = squares / len ? squares / len : 1;
    u128 expected = kernel_sumsq_closed(r->hi) - kernel_sumsq_closed(r->lo);
    double start = now();
    for (uint64_t k = 0; k < reps; k++) {
        if (kernel_sumsq_range(r->lo, r->hi) != expected) {
            fprintf(stderr, "kernel-rate: path %s wrong over [%llu, %llu)\n",
                    kernel_path_name(r->path), (unsigned long long)r->lo,
                    (unsigned long long)r->hi);
            exit(1);
        }
    }
    return (double)(reps * len) / (now() - start) / 1e9;
}

#if defined(__x86_64__)
static double bare_rate(const struct bare *b, const struct row *r, uint64_t squares)
{
    uint64_t len = r->hi - r->lo, reps = squares / len ? squares / len : 1;
    double start = now();
    for (uint64_t k = 0; k < reps; k++)
        sink += b->run(r->lo, len);
    return (double)(reps * len) / (now() - start) / 1e9;
}
#endif

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, by_value);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

int main(int argc, char **argv)
{
    uint64_t squares = argc > 1 ? strtoull(argv[1], NULL, 10) : 400000000;
    int rounds = argc > 2 ? atoi(argv[2]) : 7;
    if (squares == 0 || rounds < 1 || rounds > 99) {
        fputs("usage: kernel-rate [SQUARES [ROUNDS]]\n", stderr);
        return 2;
    }

    printf("| path | squares | squares/ns (CPU time) | bare loop of its instructions | bare squares/ns | ratio |\n");
    printf("|---|---|---:|---|---:|---:|\n");
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        const struct row *r = &rows[i];
        const char *name = kernel_path_name(r->path);
        if (!kernel_path_supported(r->path)) {
            printf("| %s | %s | skipped: this CPU lacks it | | | |\n", name, r->region);
            continue;
        }
        kernel_select(name, NULL);
        double path[99], bare[99], ratio[99];
        for (int k = 0; k < rounds; k++) { /* interleaved: A, B, A, B, ... */
            path[k] = kernel_rate(r, squares);
#if defined(__x86_64__)
            if (r->bare >= 0) {
                bare[k] = bare_rate(&bare_loops[r->bare], r, squares);
                ratio[k] = path[k] / bare[k];
            }
#endif
        }
        if (r->bare < 0) {
            printf("| %s | %s | %.2f | | | |\n", name, r->region, median(path, rounds));
            continue;
        }
#if defined(__x86_64__)
        printf("| %s | %s | %.2f | %s | %.2f | %.2f |\n", name, r->region, median(path, rounds),
               bare_loops[r->bare].name, median(bare, rounds), median(ratio, rounds));
#endif
        fflush(stdout);
    }
    return 0;
}
