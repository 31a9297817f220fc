#include "status.h"

#include <stdarg.h>
#include <stdio.h>

enum cc_status cc_error(struct cc_err *err, enum cc_status status,
                        const char *fmt, ...)
{
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->msg, sizeof err->msg, fmt, ap);
        va_end(ap);
    }
    return status;
}

int cc_exit_code(enum cc_status status)
{
    switch (status) {
    case CC_OK: return 0;
    case CC_EINPUT: return 2;
    case CC_EFAIL:
    case CC_ESYS: return 1;
    }
    return 1;
}

const char *cc_status_name(enum cc_status status)
{
    switch (status) {
    case CC_OK: return "ok";
    case CC_EFAIL: return "failed";
    case CC_EINPUT: return "bad input";
    case CC_ESYS: return "system error";
    }
    return "unknown status";
}
