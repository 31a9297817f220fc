/* classify: is a program CPU-bound, I/O-bound (waiting), mixed, or already
 * fast enough? Runs a command, measures each run, and turns the runs into a
 * verdict with its evidence and the advice of the reference notes. No
 * printing: the command-line layer (cmd_classify.c) writes the results.
 *
 * What one run measures:
 *   wall time                CLOCK_MONOTONIC around spawn .. exit;
 *   user, sys, switches,     wait4's rusage of the child: the child itself
 *   block I/O, max RSS       plus every descendant it reaped (the process
 *                            tree, as far as the command waits for it);
 *   run-queue wait           schedstat of every thread of the process tree,
 *                            sampled while it runs (proctree.h), the main
 *                            thread's last figure read while it is a zombie;
 *   read/write bytes, syscr  /proc/<pid>/io of the direct child (all its
 *                            threads; not its children);
 *   CPU and I/O pressure     /proc/pressure/{cpu,io} "some" totals: stall
 *                            time of the WHOLE SYSTEM during the run, not of
 *                            the command alone.
 * A figure the kernel does not offer is NAN (null in JSON). */
#ifndef CONCUR_CLASSIFY_H
#define CONCUR_CLASSIFY_H

#include <stdbool.h>
#include <stddef.h>

#include "stats.h"
#include "status.h"

/* Thresholds of the verdict (doc/commands.md states them). */
#define CLASSIFY_FAST_WALL_S 0.1 /* below: fast enough, whatever it does */
#define CLASSIFY_CPU_BOUND 0.8   /* (user + sys) / wall at or above: CPU-bound */
#define CLASSIFY_IO_BOUND 0.3    /* at or below, with voluntary switches: I/O-bound */
#define CLASSIFY_PARALLEL 1.2    /* above: more than one core busy on average */
/* Run-queue wait / wall (mean) at or above: the machine was busy, and the
 * verdict says "contended". */
#define CLASSIFY_CONTENDED 0.1
/* Block I/O (or storage bytes) per run from which waiting counts as disk. */
#define CLASSIFY_DISK_BYTES (1024.0 * 1024.0)

struct classify_run {
    double wall_s, user_s, sys_s;
    double voluntary, involuntary; /* context switches */
    double block_in, block_out;    /* 512-byte blocks */
    double max_rss_kib;
    double runq_wait_s;                    /* schedstat; NAN when unavailable */
    double read_bytes, write_bytes, syscr; /* /proc/<pid>/io; NAN */
    double psi_cpu_s, psi_io_s;            /* system-wide "some" stall; NAN */
    int exit_code;                         /* the command's exit status, or 128 + signal */
    int term_signal;                       /* the signal that ended it, 0 when it exited */
};

/* Runs argv (argv[0] looked up in PATH) once and measures it. The command's
 * stdin is /dev/null; its stdout and stderr go to /dev/null unless
 * show_output. CC_EINPUT when the command cannot be started (not found, not
 * executable), CC_ESYS when the system refuses; a command that fails is
 * still CC_OK, with its exit_code set. */
enum cc_status classify_run_once(char *const argv[], bool show_output, struct classify_run *run,
                                 struct cc_err *err);

/* The command runs in a process group of its own. SIGINT or SIGTERM
 * reaching concur while classify_run_once waits (unless concur ignores
 * it) is forwarded to that group; the command is reaped, the run returns
 * CC_EFAIL, and so does every later one. The signal, or 0 when none came. */
int classify_interrupted(void);

enum classify_verdict {
    CLASSIFY_FAST,
    CLASSIFY_CPU,
    CLASSIFY_IO,
    CLASSIFY_MIXED,
};

/* What an I/O-bound program waits on. */
enum classify_wait {
    CLASSIFY_WAIT_NONE,  /* not I/O-bound */
    CLASSIFY_WAIT_DISK,  /* block I/O or storage bytes say disk */
    CLASSIFY_WAIT_OTHER, /* network, timers, pipes, other processes */
};

/* The summary of the runs and the verdict drawn from it. Means over the
 * runs, except utilisation, which has its 95% interval (Student t). */
struct classify_result {
    size_t runs;
    double wall_s, user_s, sys_s;
    double voluntary, involuntary, block_in, block_out, max_rss_kib;
    double runq_wait_s, read_bytes, write_bytes, syscr, psi_cpu_s, psi_io_s;
    struct stats_summary utilisation; /* (user + sys) / wall per run */
    /* Utilisation plus the run-queue wait's share of the wall time: the time
     * the command WANTED a CPU. On a busy machine a CPU-bound program waits
     * for a core, which lowers its utilisation but is no I/O; the CPU-bound
     * threshold reads this figure (equal to utilisation where schedstat is
     * missing), the I/O-bound one reads the utilisation. */
    struct stats_summary demand;
    double off_cpu_share; /* 1 - utilisation (mean), at least 0 */
    double voluntary_per_s;
    size_t failed_runs; /* runs whose command exited non-zero */
    int last_exit_code;
    int last_signal; /* the signal that ended the last run, or 0 */
    enum classify_verdict verdict;
    enum classify_wait wait;
    bool uncertain; /* an interval crosses its threshold (demand 0.8,
                       utilisation 0.3) */
    bool contended; /* the tree waited for a CPU for CLASSIFY_CONTENDED of
                       the wall time or more, or it is CPU-bound by demand
                       and not by utilisation alone: a busy machine */
};

/* Summarizes n >= 1 runs and draws the verdict. */
enum cc_status classify_decide(const struct classify_run runs[], size_t n,
                               struct classify_result *out, struct cc_err *err);

/* True while the interval of the runs so far crosses a threshold (demand
 * 0.8, utilisation 0.3), so that more runs could settle the verdict. */
bool classify_needs_more(const struct classify_result *r);

/* "cpu-bound", "io-bound", "mixed", "fast-enough". */
const char *classify_verdict_name(enum classify_verdict v);
/* "disk", "other" (network, timers, pipes), or NULL when not I/O-bound. */
const char *classify_wait_name(enum classify_wait w);
/* One paragraph of advice for the result (the notes' closing advice). */
const char *classify_advice(const struct classify_result *r);

#endif
