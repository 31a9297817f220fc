/* Runs CSV in: the files that `concur cpu` and `concur io` write, read by
 * header name and grouped for the statistics.
 *
 * A runs CSV is RFC 4180 text (fields separated by ',', quoted with '"' where
 * they hold ',', '"' or a line break, '""' for a quote inside quotes; LF or
 * CRLF line ends). The header names the columns; the required ones are
 * experiment, variant, workers, run and seconds, in any order; any other
 * column is allowed and ignored, except:
 *   ok     (optional) 1 or 0. A run with ok=0 failed: its time is not a
 *          measurement of the work, so it is left out of the statistics and
 *          counted in its group's `failed` (never silently dropped).
 *   --by   a column named by the caller extends the grouping key.
 *   oversubscribed (optional) 1 or 0: the run had more workers than CPUs.
 *          A group with any such run is marked; the fits leave it out.
 *   baseline_workers (optional) the worker count of the sweep's baseline
 *          (`concur sweep` writes it on every row): runs_baseline's default
 *          when an experiment has no serial or sync group.
 *
 * A run number that appears twice in one group of one file is counted
 * (duplicate_runs): a file given twice or rows pasted twice would otherwise
 * double the weight of those runs silently.
 *
 * Several files may be read into one set; their runs are pooled by group
 * (experiment, variant, workers[, by]). Every problem is reported as
 * "FILE:LINE: reason" naming the offending value, with status CC_EINPUT. */
#ifndef CONCUR_RUNS_H
#define CONCUR_RUNS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "status.h"

/* The names in a runs CSV that carry meaning, defined once: the I/O
 * experiment (`concur io`; predict fits it with the rounds model), and the
 * variants that are an experiment's own serial baseline (cpu's serial mode,
 * io's sync mode). */
#define RUNS_EXPERIMENT_IO "io"
#define RUNS_VARIANT_SERIAL "serial"
#define RUNS_VARIANT_SYNC "sync"

/* Whether variant is a serial baseline: serial or sync. */
bool runs_serial_variant(const char *variant);

/* "FILE:LINE" of a run, for messages. */
#define RUNS_WHERE_SIZE 288

struct runs_group {
    char *experiment;
    char *variant;
    char *by;            /* value of the --by column, NULL without --by */
    uint64_t workers;
    double *seconds;     /* the successful runs' times, in file order */
    size_t n;
    size_t capacity;
    size_t failed;       /* runs with ok=0, left out of seconds */
    size_t sweep;        /* index of its (experiment, variant, by) sweep, in
                            order of first appearance */
    bool oversubscribed; /* a run of it had oversubscribed=1 */
    uint64_t baseline_workers; /* smallest baseline_workers of its rows; 0
                                  when no row had that column */
    struct runs_id *ids; /* run numbers of the file being read, for the
                            duplicate check (internal) */
    size_t nids, idcap;
};

/* A run number and where it was read (internal to runs.c). */
struct runs_id {
    uint64_t run;
    unsigned long line;
};

struct runs_kept;  /* runs.c's copy of the records read */

struct runs {
    struct runs_group *groups;
    size_t ngroups;
    size_t capacity;
    size_t nsweeps;
    size_t rows;                      /* every data row read, failed included */
    size_t failed;                    /* rows with ok=0 */
    char first_failed[RUNS_WHERE_SIZE]; /* "FILE:LINE" of the first of them */
    size_t duplicate_runs;            /* rows whose run number repeats an
                                         earlier one of their group and file */
    char first_duplicate[2 * RUNS_WHERE_SIZE]; /* "FILE:LINE (run N, also at
                                         line M)" of the first of them */
    char *by_column;                  /* NULL: group by the SPEC key only */
    size_t last;                      /* the group of the previous row: runs
                                         come in long stretches of one group */
    bool keep;                        /* keep the records read (runs_keep_records) */
    struct runs_kept *kept;           /* the records read, for runs_regroup
                                         (internal; shared by the sets
                                         regrouped from one input) */
};

/* An empty set; by_column (may be NULL) names an extra grouping column that
 * every file must then have. NULL when out of memory. */
struct runs *runs_alloc(const char *by_column);
void runs_free(struct runs *r);

/* True for the columns every runs CSV must have (experiment, variant,
 * workers, run, seconds): a --by column must be another one. */
bool runs_required_column(const char *name);

/* Reads one runs CSV ("-": standard input) into r. On error r keeps the
 * rows of earlier files and of no row of this one is guaranteed. */
enum cc_status runs_read_file(struct runs *r, const char *path, struct cc_err *err);

/* The same from an open stream; name is used in messages. */
enum cc_status runs_read_stream(struct runs *r, FILE *in, const char *name,
                                struct cc_err *err);

/* From now on r keeps a copy of the records it reads (about the input's
 * size again), so that runs_regroup can group them again. Off by default:
 * stats and compare group once and need no copy. */
void runs_keep_records(struct runs *r);

/* A new set (by_column as in runs_alloc, NULL for the SPEC key only) with
 * the runs of r grouped again, from the records r kept as they were read
 * (r must keep them from its first read; CC_ESYS otherwise):
 * the input is not read a second time, so standard input serves as well as
 * a file. The same checks as reading, with the same "FILE:LINE" messages
 * (a by_column a file lacks is CC_EINPUT naming its header line); sorted as
 * by runs_load. The new set shares r's records: either may be freed first,
 * but neither may then be read into with runs_read_*. */
enum cc_status runs_regroup(const struct runs *r, const char *by_column, struct runs **out,
                            struct cc_err *err);

/* Orders the groups by sweep (first appearance) and then by workers, the
 * order of the tables. */
void runs_sort(struct runs *r);

/* The input of stats, compare and predict: a new set (by_column as in
 * runs_alloc) with every file of paths read in order, then sorted. On error
 * *out is NULL and err names the file (and line). */
enum cc_status runs_load(const char *by_column, char *const paths[], size_t npaths,
                         struct runs **out, struct cc_err *err);

/* runs_load with the records kept (runs_keep_records), for runs_regroup:
 * concur predict groups the same runs a second time by items. */
enum cc_status runs_load_kept(const char *by_column, char *const paths[], size_t npaths,
                              struct runs **out, struct cc_err *err);

/* The group with exactly this key (by may be NULL), or NULL. */
const struct runs_group *runs_find(const struct runs *r, const char *experiment,
                                   const char *variant, const char *by,
                                   uint64_t workers);

/* True when a and b have the same key (experiment, variant, by, workers). */
bool runs_same_group(const struct runs_group *a, const struct runs_group *b);

/* The baseline of an experiment: the group of the given variant with the
 * given workers, or with the fewest workers when workers is 0. Without a
 * variant (NULL), the SPEC default: a `serial` or `sync` group with the
 * fewest workers (serial first on a tie). Among equal candidates that differ
 * only in the --by value, the first in table order. NULL when none. */
const struct runs_group *runs_baseline(const struct runs *r, const char *experiment,
                                       const char *variant, uint64_t workers);

/* The default baseline of g's sweep (same experiment, variant and --by
 * value) when its experiment has no serial or sync group: the group whose
 * workers equal the sweep's baseline_workers column (the smallest value
 * when pooled files disagree), else the sweep's group with the fewest
 * workers. NULL when baseline_workers names a count the sweep lacks. */
const struct runs_group *runs_sweep_baseline(const struct runs *r, const struct runs_group *g);

/* The RFC 4180 record reader of runs_read_*, for modules that copy rows as
 * they are (concur merge). A leading UTF-8 byte order mark is skipped.
 * runs_csv_next reads one record (blank lines skipped; *got false at the
 * end; *line where it starts); its fields stay valid until the next call. */
struct runs_csv;
struct runs_csv *runs_csv_open(FILE *in, const char *name);
void runs_csv_close(struct runs_csv *r);
enum cc_status runs_csv_next(struct runs_csv *r, bool *got, unsigned long *line, struct cc_err *err);
size_t runs_csv_nfields(const struct runs_csv *r);
const char *runs_csv_field(const struct runs_csv *r, size_t i);

#endif
