/* One status type for all of concur, and the one-line reason that goes with it.
 *
 * Library errors (curl, MPI, GSL, the C library) are converted into a status
 * and a message where they enter; only the command-line layer turns a status
 * into an exit code and prints the message. */
#ifndef CONCUR_STATUS_H
#define CONCUR_STATUS_H

#include <stddef.h>

enum cc_status {
    CC_OK = 0,
    CC_EFAIL,   /* the work ran, but a result is wrong or a transfer failed */
    CC_EINPUT,  /* bad usage or bad input: the user can fix it */
    CC_ESYS,    /* the system or a library refused (memory, files, sockets) */
};

/* The reason for a status, one line, naming the offending value. */
struct cc_err {
    char msg[512];
};

/* Formats the reason into err (when err is not NULL) and returns status. */
enum cc_status cc_error(struct cc_err *err, enum cc_status status,
                        const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* The documented exit code of a status: 0 success, 1 failure, 2 bad input. */
int cc_exit_code(enum cc_status status);

const char *cc_status_name(enum cc_status status);

#endif
