/* concur stats and compare end to end with --format json on any runs CSV:
 * whatever the file holds (bytes that are not UTF-8, control characters,
 * quoted line breaks, extreme times, one run per group), the command either
 * refuses it (exit 2, nothing on stdout) or writes one valid JSON value in
 * valid UTF-8 (tests/fuzz/json_check.h), also when it exits 1. The first
 * byte adds --by result, --drop-outliers or --predict; the rest is the file. */
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "cli.h"
#include "fuzz.h"
#include "json.h"
#include "json_check.h"

static char path[64];
static FILE *devnull;

/* Runs one command with stdout captured; checks the JSON it wrote. */
static void run_json(int (*cmd)(int, char **), char **argv)
{
    int argc = 0;
    while (argv[argc])
        argc++;
    char *text = NULL;
    size_t len = 0;
    FILE *saved_out = stdout, *saved_err = stderr;
    stdout = open_memstream(&text, &len);
    stderr = devnull;   /* the command's own messages; sanitizers write to fd 2 */
    optind = 0;         /* glibc: a full getopt restart */
    int rc = cmd(argc, argv);
    fclose(stdout);
    stdout = saved_out;
    stderr = saved_err;
    CHECK(rc == 0 || rc == 1 || rc == 2);
    if (rc == 2)
        CHECK(len == 0);
    else if (rc == 0 || len > 0) {
        if (!json_check(text, len)) {
            fprintf(stderr, "invalid JSON from %s:\n%.*s\n", argv[0], (int)len, text);
            abort();
        }
    }
    free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    if (!devnull) {
        int fd = memfd_create("runs.csv", 0);
        CHECK(fd >= 0);
        snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
        devnull = fopen("/dev/null", "w");
        CHECK(devnull);
    }
    FILE *f = fopen(path, "w");
    CHECK(f);
    fwrite(data + 1, 1, size - 1, f);
    fclose(f);

    char *stats[8] = {"stats", "--format", "json", path, NULL};
    switch (data[0] % 4) {
    case 1: stats[4] = "--by", stats[5] = "result"; break;
    case 2: stats[4] = "--drop-outliers"; break;
    case 3: stats[4] = "--predict", stats[5] = "64"; break;
    }
    run_json(cmd_stats, stats);
    char *compare[] = {"compare", "--format", "json", path, path, NULL};
    run_json(cmd_compare, compare);
    return 0;
}
