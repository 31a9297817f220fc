/* concur sumsq N [N...]: one exact sum of squares per line. All arguments
 * are checked before anything is printed, so bad input leaves stdout empty. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "kernel.h"

static const char usage[] =
    "usage: concur sumsq [--kernel PATH] N [N...]\n"
    "\n"
    "Prints sum(i*i for i in range(N)) for each N, exactly (unsigned 128-bit),\n"
    "one per line. N is decimal digits, '_' allowed between digits (1_000_000),\n"
    "at most 10069012961345, the largest N whose sum fits in 128 bits.\n"
    "\n"
    "  --kernel PATH  auto (default), generic, avx2 or avx512\n"
    "  -h, --help     this help\n";

int cmd_sumsq(int argc, char **argv)
{
    static const struct option options[] = {
        {"kernel", required_argument, NULL, 'k'},
        {"help", no_argument, NULL, 'h'},
        {0},
    };
    struct cc_err err;
    enum cc_status status;
    int opt;

    /* '+': stop at the first operand; operands are numbers, never options. */
    while ((opt = getopt_long(argc, argv, "+:h", options, NULL)) != -1) {
        switch (opt) {
        case 'k':
            if ((status = kernel_select(optarg, &err)) != CC_OK)
                return cli_report("sumsq", status, &err);
            break;
        case 'h':
            fputs(usage, stdout);
            return 0;
        default:
            return cli_report("sumsq", cli_option_error("sumsq", opt, argv, options, &err), &err);
        }
    }
    if (optind >= argc) {
        fputs("concur sumsq: no N given (usage: concur sumsq N [N...])\n", stderr);
        return 2;
    }

    size_t count = (size_t)(argc - optind);
    uint64_t *n = calloc(count, sizeof *n);
    if (!n)
        return cli_report("sumsq", cc_error(&err, CC_ESYS, "out of memory"), &err);
    for (size_t i = 0; i < count; i++) {
        status = num_parse_u64("N", argv[optind + (int)i], KERNEL_MAX_N, &n[i], &err);
        if (status != CC_OK) {
            free(n);
            return cli_report("sumsq", status, &err);
        }
    }

    int rc = 0;
    for (size_t i = 0; i < count; i++) {
        char text[NUM_U128_BUFSIZE];
        u128 sum = kernel_sumsq(n[i]);
        if (sum != kernel_sumsq_closed(n[i])) {
            fprintf(stderr, "concur sumsq: kernel and closed form disagree for N=%llu\n",
                    (unsigned long long)n[i]);
            rc = 1;
        }
        puts(num_format_u128(sum, text));
    }
    free(n);
    return rc;
}
