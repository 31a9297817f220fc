/* The CPU runners' entry point: names, the CPUs available, and the
 * dispatch of cpu_run to the shared-memory sum (cpu_tasks.c) or the MPI
 * distribution (cpu_mpi.c), which uses the same sum on each rank. */
#include "cpu_impl.h"

#include <omp.h>
#include <sched.h>
#include <stdlib.h>
#include <unistd.h>

#include "runs.h"

const char *const cpu_mode_names[CPU_NMODES] = {RUNS_VARIANT_SERIAL, "omp", "mpi", "hybrid"};
const char *const cpu_schedule_names[CPU_NSCHEDULES] = {"static", "dynamic"};
const char *const cpu_distribution_names[CPU_NDISTRIBUTIONS] = {"block", "cyclic", "dynamic"};

const char *cpu_mode_name(enum cpu_mode m)
{
    return cpu_mode_names[m];
}

const char *cpu_schedule_name(enum cpu_schedule s)
{
    return cpu_schedule_names[s];
}

const char *cpu_distribution_name(enum cpu_distribution d)
{
    return cpu_distribution_names[d];
}

static int cpus_available_now(void)
{
    cpu_set_t set;
    if (getenv("OMP_PROC_BIND") && omp_get_num_places() > 0) {
        int total = 0;
        for (int p = 0; p < omp_get_num_places(); p++)
            total += omp_get_place_num_procs(p);
        return total;
    }
    if (sched_getaffinity(0, sizeof set, &set) == 0)
        return CPU_COUNT(&set);
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (int)n : 1;
}

int cpu_cpus_available(void)
{
    static int cpus;
    if (cpus == 0)
        cpus = cpus_available_now();
    return cpus;
}

enum cc_status cpu_run(const struct cpu_plan *plan, const struct workload *w,
                       struct cpu_outcome *out, struct cc_err *err)
{
    if (plan->mode == CPU_MPI || plan->mode == CPU_HYBRID)
        return cpu_mpi_run(plan, w, out, err);

    double start = omp_get_wtime();
    out->total = cpu_sum_tasks(plan, w->tasks, NULL, w->ntasks);
    out->seconds = omp_get_wtime() - start;
    return CC_OK;
}
