/* A child process's end, read once for the two commands that run other
 * programs (classify, sweep): reaped with wait4, its CPU times and peak
 * memory, and its exit status as a shell reports it. */
#ifndef CONCUR_CHILD_H
#define CONCUR_CHILD_H

#include <sys/resource.h>
#include <sys/types.h>

#include "status.h"

struct child_end {
    struct rusage usage;  /* of the child and the descendants it waited for */
    double user_s, sys_s; /* its CPU times, in seconds */
    double max_rss_kib;   /* its peak resident set (Linux: kilobytes) */
    int exit_status;      /* the exit code, or 128 + the signal that ended it */
    int term_signal;      /* that signal, 0 when it exited */
};

/* Waits for child pid (again when a signal interrupts the wait) and reads
 * how it ended; CC_ESYS with "wait4: reason" when it cannot. */
enum cc_status child_reap(pid_t pid, struct child_end *out, struct cc_err *err);

#endif
