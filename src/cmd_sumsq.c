/* concur sumsq N [N...]: one exact sum of squares per line. All arguments
 * are checked before anything is printed, so bad input leaves stdout empty.
 * Each sum runs on all the CPUs the process may use (OpenMP); long work
 * says its estimate up front and shows progress on a terminal. */
#include <getopt.h>
#include <omp.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "cpu.h"
#include "kernel.h"
#include "progress.h"

static const char usage[] =
    "Usage: concur sumsq [--kernel PATH] [--workers W] N [N...]\n"
    "\n"
    "Prints sum(i*i for i in range(N)) for each N, exactly (unsigned 128-bit),\n"
    "one per line. N is decimal digits, '_' allowed between digits (1_000_000),\n"
    "at most 10069012961345, the largest N whose sum fits in 128 bits.\n"
    "\n"
    "  --kernel PATH  auto (default), generic, avx2, avx512 or avx512ifma\n"
    "  --workers W    OpenMP threads (default: the CPUs this process may use,\n"
    "                 or OMP_NUM_THREADS)\n"
    "  -h, --help     this help\n"
    "\n"
    "Work that takes longer than about 10 s says its estimate on stderr first;\n"
    "on a terminal, stderr shows progress after a second or two.\n";

/* Estimates from this many seconds on are said up front. */
#define ESTIMATE_FROM 10.0

/* Very long work says so before it starts: the rate of a short sample at
 * the top of the largest N (the slowest squares there are), on every
 * thread. */
static void say_estimate(const uint64_t *n, size_t count, int threads, uint64_t squares)
{
    uint64_t top = 0, sample = UINT64_C(1) << 24;
    for (size_t i = 0; i < count; i++)
        top = n[i] > top ? n[i] : top;
    if (squares < UINT64_C(10000000000)) /* well under a second on any path */
        return;
    if (sample > top)
        sample = top;
    double start = omp_get_wtime();
    kernel_sumsq_range(top - sample, top);
    double seconds = (omp_get_wtime() - start) / (double)sample * (double)squares / threads;
    if (seconds < ESTIMATE_FROM)
        return;
    char text[32], total[32];
    progress_format_duration(seconds, text, sizeof text);
    progress_format_count((double)squares, total, sizeof total);
    fprintf(stderr, "concur sumsq: %s squares on %d thread%s, kernel %s: about %s (estimate)\n",
            total, threads, threads == 1 ? "" : "s", kernel_path_name(kernel_current()), text);
}

struct sumsq_options {
    int threads;
};

/* --kernel selects the kernel as it is parsed. */
static enum cc_status parse_options(int argc, char **argv, struct sumsq_options *o, bool *help,
                                    struct cc_err *err)
{
    static const struct option options[] = {
        {"kernel", required_argument, NULL, 'k'},
        {"workers", required_argument, NULL, 'w'},
        {"help", no_argument, NULL, 'h'},
        {0},
    };
    enum cc_status status = CC_OK;
    int opt;
    uint64_t workers;

    o->threads = getenv("OMP_NUM_THREADS") ? omp_get_max_threads() : cpu_cpus_available();
    /* '+': stop at the first operand; operands are numbers, never options. */
    while (status == CC_OK && (opt = getopt_long(argc, argv, "+:h", options, NULL)) != -1) {
        switch (opt) {
        case 'k': status = kernel_select(optarg, err); break;
        case 'w':
            status = num_parse_u64("--workers", optarg, 4096, &workers, err);
            if (status == CC_OK && workers == 0)
                status = cc_error(err, CC_EINPUT, "--workers: '0' must be at least 1");
            if (status == CC_OK)
                o->threads = (int)workers;
            break;
        case 'h': *help = true; return CC_OK;
        default: return cli_option_error("sumsq", opt, argv, options, err);
        }
    }
    if (status != CC_OK)
        return status;
    if (o->threads > 4096) /* OMP_NUM_THREADS: the same bound as --workers */
        return cc_error(err, CC_EINPUT, "OMP_NUM_THREADS: '%d' exceeds 4096 threads", o->threads);
    if (optind >= argc)
        return cc_error(err, CC_EINPUT, "no N given (usage: concur sumsq N [N...])");
    return CC_OK;
}

int cmd_sumsq(int argc, char **argv)
{
    struct sumsq_options o;
    struct cc_err err;
    bool help = false;

    enum cc_status status = parse_options(argc, argv, &o, &help, &err);
    int rc;
    if (cli_options_done("sumsq", status, help, usage, &err, &rc))
        return rc;
    int threads = o.threads;

    size_t count = (size_t)(argc - optind);
    uint64_t *n = calloc(count, sizeof *n);
    if (!n)
        return cli_exit_status("sumsq", cc_error(&err, CC_ESYS, "out of memory"), &err);
    for (size_t i = 0; i < count; i++) {
        status = num_parse_u64("N", argv[optind + (int)i], KERNEL_MAX_N, &n[i], &err);
        if (status != CC_OK) {
            free(n);
            return cli_exit_status("sumsq", status, &err);
        }
    }

    uint64_t squares = 0;
    for (size_t i = 0; i < count; i++)
        squares = squares + n[i] < squares ? UINT64_MAX : squares + n[i];
    say_estimate(n, count, threads, squares);
    struct progress *progress = progress_start("sumsq", "squares", squares);

    rc = 0;
    for (size_t i = 0; i < count; i++) {
        char text[NUM_U128_BUFSIZE];
        u128 sum = cpu_sumsq(n[i], threads, progress);
        if (sum != kernel_sumsq_closed(n[i])) {
            fprintf(stderr, "concur sumsq: kernel and closed form disagree for N=%llu\n",
                    (unsigned long long)n[i]);
            rc = 1;
        }
        progress_clear(progress);
        puts(num_format_u128(sum, text));
        fflush(stdout);
    }
    progress_stop(progress);
    free(n);
    return rc;
}
