/* Temporary files removed when SIGINT, SIGTERM or SIGHUP ends the process.
 *
 * A command that writes through temporary files (concur io's --log and
 * --save) calls cleanup_on_signal() once, after any library that installs
 * signal handlers of its own (MPI) has started. A signal then still ends
 * the process as before, with the same signal, but first removes the
 * registered path and runs the registered hooks, which remove what they
 * own (fetch_save_abandon: the bodies being written).
 *
 * The handler itself only writes the signal's number into a pipe (all that
 * is safe in a handler); a thread of this module reads it, does the removal
 * with ordinary locks, and re-raises the signal with its default action. */
#ifndef CONCUR_CLEANUP_H
#define CONCUR_CLEANUP_H

#include "status.h"

#define CLEANUP_HOOKS_MAX 4

/* Installs the handlers and starts the thread; idempotent. */
enum cc_status cleanup_on_signal(struct cc_err *err);

/* Runs hook (once) when a signal ends the process. Before cleanup_on_signal. */
void cleanup_add_hook(void (*hook)(void));

/* The path to remove when a signal ends the process (NULL: none); the
 * caller keeps the string alive while it is set. */
void cleanup_set_path(const char *path);

/* Waits this long after the removal before dying (before cleanup_on_signal).
 * For MPI ranks: mpirun signals every rank at once, but kills the others
 * with SIGKILL as soon as the first one has died, which would cut their
 * removal short; a grace lets all of them finish first. */
void cleanup_set_grace(double seconds);

#endif
