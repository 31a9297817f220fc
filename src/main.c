/* concur: what concurrency buys a program. This file only dispatches to the
 * subcommands; each lives in its own cmd_*.c file. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "buildinfo.h"
#include "cli.h"
#include "mpi_env.h"

struct subcommand {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *purpose;  /* one line in concur --help's list */
};

static const struct subcommand subcommands[] = {
    {"sumsq", cmd_sumsq, "exact sums of squares, one per line"},
    {"cpu", cmd_cpu, "the CPU-bound experiment: serial, omp, mpi, hybrid"},
    {"io", cmd_io, "the I/O-bound experiment: sync, threads, multi, mpi downloads"},
    {"serve", cmd_serve, "the embedded HTTP latency server for the I/O experiment"},
    {"stats", cmd_stats, "statistics of runs CSV: intervals, speedup, Amdahl"},
    {"compare", cmd_compare, "is B faster than A: ratios, Welch tests, verdicts"},
    {"predict", cmd_predict, "predict speedup on more cores, io time for N URLs"},
    {"classify", cmd_classify, "is a program CPU-bound or I/O-bound, and what would help"},
    {"sweep", cmd_sweep, "run a command at several worker counts: the runs CSV"},
    {"merge", cmd_merge, "join runs CSVs (or results folders) into one, the header once"},
};

#define N_SUBCOMMANDS (sizeof subcommands / sizeof subcommands[0])

static void usage(FILE *out)
{
    fputs("Usage: concur <command> [options]\n\ncommands:\n", out);
    for (size_t i = 0; i < N_SUBCOMMANDS; i++)
        fprintf(out, "  %-9s %s\n", subcommands[i].name, subcommands[i].purpose);
    fputs("\n'concur <command> --help' describes each command.\n"
          "Exit status: 0 success, 1 the work ran but failed, 2 bad usage or input.\n"
          "'concur --version' prints the version, 'concur --build-info' how it was built\n"
          "(JSON; 'concur --build-info FIELD' one field, e.g. kernel).\n", out);
}

int main(int argc, char **argv)
{
    mpi_env_keep_args(argc, argv);
    /* getopt prints nothing: each command says what is wrong in its own one
     * line (cli_option_error). */
    opterr = 0;
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        usage(stdout);
        return 0;
    }
    if (!strcmp(argv[1], "--build-info")) {
        /* concur-mpi knows the MPI library's version as well. */
        struct cc_err err;
        if (mpi_env_hand_over(&err) != CC_OK)
            fprintf(stderr, "concur: warning: %s\n", err.msg);
        if (argc > 2) { /* one field's value, for scripts */
            const char *value = buildinfo_value(argv[2]);
            if (!value || argc > 3) {
                fprintf(stderr, "concur: --build-info: unknown field '%s'\n", argv[2]);
                return 2;
            }
            puts(value);
            return 0;
        }
        buildinfo_write_json(stdout);
        putchar('\n');
        return 0;
    }
    if (!strcmp(argv[1], "--version")) {
        puts("concur " CONCUR_VERSION);
        return 0;
    }
    for (size_t i = 0; i < N_SUBCOMMANDS; i++)
        if (!strcmp(argv[1], subcommands[i].name))
            return subcommands[i].run(argc - 1, argv + 1);
    fprintf(stderr, "concur: unknown command '%s' (try 'concur --help')\n", argv[1]);
    return 2;
}
