/* sweep_run: runs one step of a sweep and measures it; stops it on a
 * timeout or when the sweep is asked to stop (SIGINT, SIGTERM).
 *
 * The command runs in a process group of its own (so that a timeout or a
 * stop reaches mpirun's ranks and a shell's children too), with stdin from
 * /dev/null. Measured: the wall time on the monotonic clock from fork to the
 * exit of the command's process (a pidfd tells it at once), and wait4's
 * rusage: user and system CPU time and peak RSS of the command and of every
 * descendant it waited for (the process tree, as far as it reaps it).
 *
 * Stopping: kill(-pgid, SIGTERM), up to SWEEP_GRACE_S for the command to
 * end, then SIGKILL to the whole group. */
#ifndef CONCUR_SWEEP_RUN_H
#define CONCUR_SWEEP_RUN_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>

#include "status.h"

#define SWEEP_GRACE_S 0.3

/* How the command's standard output is treated. */
enum sweep_stdout {
    SWEEP_STDOUT_NULL,    /* to /dev/null */
    SWEEP_STDOUT_STDERR,  /* to the sweep's stderr (--show-output) */
    SWEEP_STDOUT_CAPTURE, /* into sweep_outcome.output (--time reported) */
};

struct sweep_child {
    char *const *argv;   /* NULL-terminated; argv[0] looked up in PATH */
    char *const *env;    /* "NAME=VALUE" set in the command's environment */
    size_t nenv;
    double timeout_s;    /* 0: none */
    enum sweep_stdout out;
};

struct sweep_outcome {
    double wall_s, user_s, sys_s, max_rss_kib;
    int exit_status;   /* exit code, or 128 + the signal that ended it */
    int term_signal;   /* that signal, 0 when it exited */
    bool timed_out;    /* stopped by the timeout */
    bool stopped;      /* stopped because the sweep was asked to stop */
    char *output;      /* captured stdout (NUL-terminated), malloc'd; or NULL */
    size_t output_len;
};

/* The signal (SIGINT or SIGTERM) that asked the sweep to stop, 0 if none. */
int sweep_stop_signal(void);

/* Installs the SIGINT/SIGTERM handlers that ask the sweep to stop and keeps
 * the two signals blocked outside the waits of sweep_run_step (which takes
 * them at once). Call once before the first run. */
enum cc_status sweep_signals_install(struct cc_err *err);

/* Lets a signal that arrived between runs be taken; returns
 * sweep_stop_signal(). */
int sweep_signals_poll(void);

/* Looks name up as execvp would (PATH when it has no '/'): CC_EINPUT with a
 * message naming it when no executable file is found. */
enum cc_status sweep_find_program(const char *name, struct cc_err *err);

/* Runs the command once. A command that fails, times out or is stopped is
 * still CC_OK (the outcome says how it ended); CC_EINPUT when it cannot be
 * executed, CC_ESYS when the system refuses. */
enum cc_status sweep_run_step(const struct sweep_child *c, struct sweep_outcome *o,
                              struct cc_err *err);

void sweep_outcome_free(struct sweep_outcome *o);

#endif
