/* Private to the CPU runners (src/cpu*.c) and their unit
 * tests. Layers, each calling only those below it:
 *   cpu.c        cpu_run: the dispatch by mode
 *   cpu_mpi.c    the MPI distribution over ranks (concur-mpi only)
 *   cpu_tasks.c  the shared-memory sum of a list of tasks */
#ifndef CONCUR_CPU_IMPL_H
#define CONCUR_CPU_IMPL_H

#include "cpu.h"

/* The sum of the given tasks (tasks[indices[i]] for i < n; indices NULL:
 * tasks[0..n)) with the plan's threads and schedule. */
u128 cpu_sum_tasks(const struct cpu_plan *plan, const struct task *tasks,
                   const size_t *indices, size_t n);

/* The MPI half of cpu_run (cpu_mpi.c; in concur, mpi_none.c hands over). */
enum cc_status cpu_mpi_run(const struct cpu_plan *plan, const struct workload *w,
                           struct cpu_outcome *out, struct cc_err *err);

#endif
