/* The shared-memory sum below every CPU runner: a list of tasks summed on
 * the plan's OpenMP threads (static or dynamic schedule, threads pinned),
 * with progress; serial, omp, each MPI rank and sumsq all run it. */
#include "cpu_impl.h"

#include <omp.h>
#include <sched.h>
#include <stdlib.h>

#include "kernel.h"

/* The CPUs the process may use, read once before any thread is pinned. */
static cpu_set_t process_cpus;
static int process_cpu_count = -1;

static void read_process_cpus(void)
{
    if (process_cpu_count >= 0)
        return;
    if (sched_getaffinity(0, sizeof process_cpus, &process_cpus) == 0)
        process_cpu_count = CPU_COUNT(&process_cpus);
    else
        process_cpu_count = 0;
}

/* Binds the calling OpenMP thread to one CPU of the process's mask,
 * spreading the team over distinct CPUs. Unbound teams migrate, and some
 * 2-thread runs were 2-3 times slower than bound ones. */
static void pin_this_thread(void)
{
    if (process_cpu_count <= 1)
        return;
    int want = omp_get_thread_num() % process_cpu_count;
    for (int cpu = 0, seen = 0; cpu < CPU_SETSIZE; cpu++) {
        if (!CPU_ISSET(cpu, &process_cpus))
            continue;
        if (seen++ == want) {
            cpu_set_t mine;
            CPU_ZERO(&mine);
            CPU_SET(cpu, &mine);
            sched_setaffinity(0, sizeof mine, &mine);
            return;
        }
    }
}

/* The task a loop index stands for: indices map a rank's share, or NULL for
 * all tasks in order. */
static inline const struct task *task_at(const struct task *tasks,
                                         const size_t *indices, size_t i)
{
    return &tasks[indices ? indices[i] : i];
}

#define PROGRESS_STEP (UINT64_C(1) << 26)

/* Piece `piece` of `pieces` equal pieces of a task's range. */
static u128 sum_piece(const struct cpu_plan *plan, const struct task *t, uint64_t piece,
                      uint64_t pieces)
{
    uint64_t len = t->hi - t->lo;
    uint64_t lo = t->lo + (uint64_t)((u128)len * piece / pieces);
    uint64_t hi = t->lo + (uint64_t)((u128)len * (piece + 1) / pieces);
    if (!plan->progress)
        return kernel_sumsq_range(lo, hi);
    /* counted in steps of about 10 ms, whatever the piece */
    u128 sum = 0;
    for (uint64_t at = lo; at < hi;) {
        uint64_t end = hi - at > PROGRESS_STEP ? at + PROGRESS_STEP : hi;
        sum += kernel_sumsq_range(at, end);
        progress_add(plan->progress, end - at);
        at = end;
    }
    return sum;
}

u128 cpu_sum_tasks(const struct cpu_plan *plan, const struct task *tasks,
                   const size_t *indices, size_t n)
{
    u128 total = 0;

    if (plan->threads <= 1) {
        for (size_t i = 0; i < n; i++)
            total += sum_piece(plan, task_at(tasks, indices, i), 0, 1);
        return total;
    }
    /* Fewer tasks than threads (a dynamic manager's single task, say):
     * split each task so that every thread has work. */
    uint64_t pieces = n >= (size_t)plan->threads ? 1 : (uint64_t)plan->threads;
    uint64_t iterations = n * pieces;

    if (plan->pin_threads)
        read_process_cpus();
    /* schedule(runtime) takes the kind set here: dynamic hands out one piece
     * at a time, static gives each thread one contiguous block. */
    if (plan->schedule == SCHED_DYNAMIC)
        omp_set_schedule(omp_sched_dynamic, 1);
    else
        omp_set_schedule(omp_sched_static, 0);
#pragma omp parallel num_threads(plan->threads)
    {
        u128 mine = 0;
        if (plan->pin_threads)
            pin_this_thread();
#pragma omp for schedule(runtime) nowait
        for (uint64_t k = 0; k < iterations; k++)
            mine += sum_piece(plan, task_at(tasks, indices, k / pieces), k % pieces, pieces);
        /* OpenMP has no 128-bit reduction: fold each thread's sum once. */
#pragma omp critical(concur_cpu_total)
        total += mine;
    }
    return total;
}

/* Pieces short enough for an even finish (about 10 ms each), long enough
 * that handing them out costs nothing. */
#define SUMSQ_PIECE (UINT64_C(1) << 26)

u128 cpu_sumsq(uint64_t n, int threads, struct progress *progress)
{
    uint64_t count = n / SUMSQ_PIECE + 1;
    struct task *tasks = malloc(count * sizeof *tasks);
    struct cpu_plan plan = {
        .mode = CPU_OMP, .schedule = SCHED_DYNAMIC, .threads = threads,
        .pin_threads = getenv("OMP_PROC_BIND") == NULL, .progress = progress,
    };
    if (!tasks) { /* one task, which cpu_sum_tasks splits over the threads */
        struct task all = {0, n};
        return cpu_sum_tasks(&plan, &all, NULL, 1);
    }
    for (uint64_t k = 0; k < count; k++) {
        tasks[k].lo = k * SUMSQ_PIECE;
        tasks[k].hi = k + 1 < count ? (k + 1) * SUMSQ_PIECE : n;
    }
    u128 total = cpu_sum_tasks(&plan, tasks, NULL, count);
    free(tasks);
    return total;
}
