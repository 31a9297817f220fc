/* The CPU runners: one timed execution of a workload's tasks, per variant.
 *
 *   serial  one core, the tasks in order (the notes' synchronous version)
 *   omp     OpenMP threads over the tasks, static or dynamic schedule
 *   mpi     MPI ranks: block, cyclic or dynamic (manager/worker) distribution,
 *           the 128-bit partial sums reduced exactly on rank 0
 *   hybrid  MPI ranks, each running OpenMP threads over its share
 *
 * Each runner returns the total and the kernel time in seconds; only the
 * command-line layer decides what to print. */
#ifndef CONCUR_CPU_H
#define CONCUR_CPU_H

#include <stdbool.h>

#include "progress.h"
#include "workload.h"

/* The most OpenMP threads a rank runs (--workers, OMP_NUM_THREADS): libgomp
 * allocates per-thread start data on the caller's stack, and 100,000
 * threads overflow the 8 MiB main stack (a segfault inside GOMP_parallel). */
#define CPU_MAX_THREADS 4096

enum cpu_mode { CPU_SERIAL, CPU_OMP, CPU_MPI, CPU_HYBRID };
enum cpu_schedule { SCHED_STATIC, SCHED_DYNAMIC };
enum cpu_distribution { DIST_BLOCK, DIST_CYCLIC, DIST_DYNAMIC };

struct cpu_plan {
    enum cpu_mode mode;
    enum cpu_schedule schedule;     /* omp, hybrid: how threads take tasks */
    enum cpu_distribution dist;     /* mpi, hybrid: how ranks take tasks */
    int threads;                    /* OpenMP threads per rank (1 for serial, mpi) */
    bool pin_threads;               /* concur binds its threads (OMP_PROC_BIND unset) */
    struct progress *progress;      /* counts each finished piece's squares, or NULL */
};

struct cpu_outcome {
    u128 total;      /* on rank 0: the sum over all ranks */
    double seconds;  /* kernel time: the slowest rank, between barriers */
};

/* Runs the tasks once in the plan's way. MPI modes need mpi_env_init first;
 * every rank must call cpu_run with the same plan and workload. */
enum cc_status cpu_run(const struct cpu_plan *plan, const struct workload *w,
                       struct cpu_outcome *out, struct cc_err *err);

/* The sum of squares below n on `threads` OpenMP threads (cpu_tasks.c): [0, n) in
 * pieces of about 2^26 squares handed out one at a time, each counted in
 * progress when it is done (NULL: none). */
u128 cpu_sumsq(uint64_t n, int threads, struct progress *progress);

/* The CPUs this process may use, counted once (concur pins its threads
 * later, after which the process mask would show only one CPU). With
 * OMP_PROC_BIND set, libgomp has already bound the initial thread to its
 * first place: then the CPUs of all places. */
int cpu_cpus_available(void);

/* The names, indexed by the enums, defined here once: the values of --mode,
 * --schedule and --dist, and what the runs record (the mode is their
 * variant; serial is runs.h's RUNS_VARIANT_SERIAL, the baseline stats
 * recognises). */
#define CPU_NMODES 4
#define CPU_NSCHEDULES 2
#define CPU_NDISTRIBUTIONS 3
extern const char *const cpu_mode_names[CPU_NMODES];
extern const char *const cpu_schedule_names[CPU_NSCHEDULES];
extern const char *const cpu_distribution_names[CPU_NDISTRIBUTIONS];

const char *cpu_mode_name(enum cpu_mode m);
const char *cpu_schedule_name(enum cpu_schedule s);
const char *cpu_distribution_name(enum cpu_distribution d);

#endif
