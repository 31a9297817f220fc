/* Run records out: CSV (the runs CSV that stats reads), JSON, or a readable
 * table. Callers describe the columns once and add one row per timed run;
 * values arrive as text, already formatted by the caller.
 *
 * CSV and JSON rows are written (and flushed) as they arrive, so an
 * interrupted run leaves every finished row readable; the table needs all
 * rows for its widths and is written at report_close. */
#ifndef CONCUR_REPORT_H
#define CONCUR_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "status.h"

enum report_format { REPORT_CSV, REPORT_JSON, REPORT_TABLE };

struct report_column {
    const char *name;
    bool numeric; /* JSON: a number (or null for "" / nan), not a string */
};

struct report;

/* A set of formats, for the commands that do not write all three. */
#define REPORT_FORMAT_BIT(f) (1u << (f))
#define REPORT_FORMATS_ALL \
    (REPORT_FORMAT_BIT(REPORT_CSV) | REPORT_FORMAT_BIT(REPORT_JSON) | REPORT_FORMAT_BIT(REPORT_TABLE))

/* --format: the one vocabulary of every command. "table", "csv" or "json";
 * "md" (the name stats, compare and predict used) and "text" (classify's)
 * are aliases of "table". A name whose format is not in accepted is refused
 * with a message that lists the ones that are. */
enum cc_status report_parse_format(const char *text, unsigned accepted, enum report_format *out,
                                   struct cc_err *err);

struct report *report_open(FILE *out, enum report_format format,
                           const struct report_column *columns, size_t ncolumns);

/* Metadata (kernel path, threads seen, ...): a "# key: value" line above a
 * table, a "meta" object in JSON, nothing in CSV (which stays plain).
 * Only before the first row. */
void report_meta(struct report *r, const char *key, const char *value);

/* Metadata known only at the end (an interruption): "# key: value" lines
 * below a table, an "end" object after the rows in JSON, nothing in CSV.
 * Any time before report_close. */
void report_trailer(struct report *r, const char *key, const char *value);

/* One row: exactly ncolumns values. */
enum cc_status report_row(struct report *r, const char *const values[]);

/* Writes what is buffered, frees r; returns CC_ESYS if writing failed. */
enum cc_status report_close(struct report *r);

/* Writes text as one CSV field, quoted where it must be. */
void report_csv_field(FILE *out, const char *text);

#endif
