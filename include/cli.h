/* The command-line layer: one function per subcommand, each parsing its own
 * options into a struct and returning the process exit code (0 success,
 * 1 the work ran but something failed, 2 bad usage or input). Only this
 * layer prints errors and decides exit codes. */
#ifndef CONCUR_CLI_H
#define CONCUR_CLI_H

#include "status.h"

int cmd_sumsq(int argc, char **argv);
int cmd_cpu(int argc, char **argv);
int cmd_serve(int argc, char **argv);

/* Prints "concur <command>: <reason>" on stderr and returns the exit code. */
int cli_report(const char *command, enum cc_status status, const struct cc_err *err);

/* Shared handling of getopt's own complaints: a one-line hint to --help. */
int cli_usage_error(const char *command);

#endif
