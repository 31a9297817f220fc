#include "cli.h"

#include <stdio.h>

int cli_report(const char *command, enum cc_status status, const struct cc_err *err)
{
    if (status != CC_OK)
        fprintf(stderr, "concur %s: %s\n", command, err->msg);
    return cc_exit_code(status);
}

int cli_usage_error(const char *command)
{
    fprintf(stderr, "concur %s: see 'concur %s --help'\n", command, command);
    return 2;
}
