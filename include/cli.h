/* The command-line layer: one function per subcommand, each parsing its own
 * options into a struct and returning the process exit code (0 success,
 * 1 the work ran but something failed, 2 bad usage or input). Only this
 * layer prints errors and decides exit codes. */
#ifndef CONCUR_CLI_H
#define CONCUR_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "status.h"

int cmd_sumsq(int argc, char **argv);
int cmd_cpu(int argc, char **argv);
int cmd_io(int argc, char **argv);
int cmd_serve(int argc, char **argv);
int cmd_stats(int argc, char **argv);
int cmd_compare(int argc, char **argv);
int cmd_predict(int argc, char **argv);
int cmd_classify(int argc, char **argv);
int cmd_sweep(int argc, char **argv);
int cmd_merge(int argc, char **argv);

/* The exit status of a command that ends with status (0, 1 or 2, as
 * cc_exit_code); an error is said once, "concur <command>: <reason>" on
 * stderr. Every command ends through it: the one error reporter. */
int cli_exit_status(const char *command, enum cc_status status, const struct cc_err *err);

/* The contract of every command's option parsing:
 *
 *   static enum cc_status parse_options(int argc, char **argv,
 *                                       struct X_options *o, bool *help,
 *                                       struct cc_err *err);
 *
 * getopt_long with a ':' first in the optstring (after any '+'), '?' and
 * ':' turned into cli_option_error's message, operands and combinations
 * checked there too, so that bad usage fails before any work. It returns
 * CC_OK (with *help set for --help) or the error in err; it prints nothing.
 * cli_options_done then ends the command where it must.
 *
 * Its shape: defaults into *o; the getopt_long loop, each option parsed and
 * checked on its own as it comes (--help and getopt's complaints return at
 * once); after the loop the first error is returned; then, where operands
 * or options that depend on each other need checking, the command ends with
 *
 *   return finish_options(o, argc - optind, argv + optind, err);
 *
 * a static function of its own that checks the operands, the combinations
 * the options alone cannot express (in that order, returning at the first
 * error) and fills the defaults that depend on them (cpu, io, sweep); a
 * command whose only check is its operands does that inline. */

/* True when the command is done after parsing: --help (usage printed on
 * stdout, *rc 0) or an error (reported once by cli_exit_status, *rc its exit
 * code). False: go on with the work. */
bool cli_options_done(const char *command, enum cc_status status, bool help, const char *usage,
                      const struct cc_err *err, int *rc);

struct option;

/* getopt_long's own complaint as concur's one line: call it when getopt_long
 * returns '?' or ':' (main sets opterr = 0, so getopt prints nothing; a ':'
 * first in the optstring, after any '+', tells a missing value apart).
 * Fills err with "unknown option '--bogus' (see 'concur CMD --help')" or
 * "option '--count' needs a value" and returns CC_EINPUT. */
enum cc_status cli_option_error(const char *command, int opt, char *const argv[],
                                const struct option *options, struct cc_err *err);

/* A file that option will create at path: CC_EINPUT naming the path unless
 * its directory exists and may be written and the path is no directory.
 * Called while parsing, so a typo fails before any work or output. */
enum cc_status cli_check_output_file(const char *option, const char *path, struct cc_err *err);

struct runs;

/* "concur COMMAND: warning: N runs with ok=0 left out of the statistics
 * (first at FILE:LINE)HINT" on stderr when r holds failed runs (stats,
 * compare). hint (may be "") follows the parenthesis. */
void cli_warn_failed_runs(const char *command, const struct runs *r, const char *hint);

/* Numbers in the statistics tables: a finite value exactly (the shortest
 * decimal that reads back as the same double) in CSV; an undefined one (NAN,
 * infinite) as an empty field in CSV and "-" in Markdown (with digits
 * significant digits), never as "nan" text. JSON's numbers: json_number. */
void cli_csv_number(FILE *out, double v);
const char *cli_md_number(char *buf, size_t size, int digits, double v);

/* --by COLUMN of stats and compare: any column but the grouping key's own. */
enum cc_status cli_parse_by_column(const char *text, const char **out, struct cc_err *err);

/* The key of a group as the first cells of a Markdown row, "| a | b |"
 * (plus the --by value when by is not NULL), with '|' escaped and line
 * breaks flattened so that a value cannot break the table. */
void cli_md_key(FILE *out, const char *experiment, const char *variant, const char *by);

#endif
