/* The command-line side of --workers auto, shared by `concur io` and
 * `concur cpu`: parsing "auto" and --tolerance, and reporting the curve the
 * search saw (autotune.h does the search itself).
 *
 * What a run with --workers auto writes:
 *   rows     every timed run of every probed count, as the usual runs rows
 *            (workers = the probed count), plus a column `chosen`: 1 on the
 *            chosen count's rows, 0 on the others. `concur stats` reads them
 *            as a worker sweep, so the curve can be recomputed from the CSV.
 *   meta     (table: "# " lines; json: the "meta" object) auto_choice,
 *            auto_runs and one auto_curve_W line per probed count:
 *            "mean S s, 95% CI [L, H], N runs".
 *   stderr   one line per probed count and the choice (unless --quiet). */
#ifndef CONCUR_CLI_AUTOTUNE_H
#define CONCUR_CLI_AUTOTUNE_H

#include <stdbool.h>
#include <stdio.h>

#include "autotune.h"
#include "report.h"
#include "status.h"

/* "--tolerance PCT": a percentage, "5" or "5%", 0 to 100. Stored as a
 * fraction (0.05). */
enum cc_status cli_parse_tolerance(const char *text, double *out, struct cc_err *err);

/* One row of the report: the run-th timed run (from 1) at workers, chosen
 * "1" on the chosen count's rows and "0" elsewhere. */
typedef enum cc_status (*cli_autotune_row_fn)(void *ctx, unsigned workers, size_t run,
                                              double seconds, const char *chosen,
                                              struct cc_err *err);

/* The meta lines described above, then row() for every timed run of every probed count in
 * the order the search probed them; stops at the first row that fails. */
enum cc_status cli_autotune_write(struct report *r, const struct autotune_result *a,
                                  double tolerance, cli_autotune_row_fn row, void *ctx,
                                  struct cc_err *err);

/* The curve and the choice, for people, on out. */
void cli_autotune_print(FILE *out, const char *command, const struct autotune_result *a,
                        double tolerance);

#endif
