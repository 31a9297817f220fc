/* cpu: the shared-memory path (cpu_tasks.c) and cpu_run's serial and omp
 * modes give the exact total for every thread count, schedule and
 * decomposition, a task list given by indices, fewer tasks than threads,
 * and sumsq across its pieces. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "cpu_impl.h"
#include "kernel.h"

static void assert_u128_equal(u128 a, u128 b)
{
    assert_int_equal((uint64_t)(a >> 64), (uint64_t)(b >> 64));
    assert_int_equal((uint64_t)a, (uint64_t)b);
}

static void every_thread_count_schedule_and_decomposition_is_exact(void **state)
{
    (void)state;
    static const enum cpu_schedule schedules[] = {SCHED_STATIC, SCHED_DYNAMIC};
    static const enum decomposition decomps[] = {DECOMP_NUMBERS, DECOMP_RANGE};
    static const int threads[] = {1, 2, 3, 5};

    for (size_t d = 0; d < 2; d++) {
        for (size_t t = 0; t < sizeof threads / sizeof threads[0]; t++) {
            struct workload w;
            struct cc_err err;
            assert_int_equal(workload_init(&w, 100000, 7, decomps[d], (uint64_t)threads[t], &err),
                             CC_OK);
            for (size_t s = 0; s < 2; s++) {
                for (int pin = 0; pin < 2; pin++) {
                    struct cpu_plan plan = {
                        .mode = threads[t] == 1 ? CPU_SERIAL : CPU_OMP, .schedule = schedules[s],
                        .threads = threads[t], .pin_threads = pin,
                    };
                    struct cpu_outcome out = {0};
                    assert_int_equal(cpu_run(&plan, &w, &out, &err), CC_OK);
                    assert_u128_equal(out.total, w.expected);
                    assert_true(out.seconds >= 0);
                }
            }
            workload_free(&w);
        }
    }
}

/* Only the tasks named by the indices count (an MPI rank's share). */
static void indices_select_the_tasks(void **state)
{
    (void)state;
    struct task tasks[10];
    for (uint64_t i = 0; i < 10; i++)
        tasks[i] = (struct task){0, 1000 * (i + 1)};
    static const size_t picked[] = {7, 2, 5};
    u128 expected = kernel_sumsq_closed(8000) + kernel_sumsq_closed(3000) + kernel_sumsq_closed(6000);

    for (int threads = 1; threads <= 4; threads++) {
        struct cpu_plan plan = {.mode = CPU_OMP, .schedule = SCHED_DYNAMIC, .threads = threads};
        assert_u128_equal(cpu_sum_tasks(&plan, tasks, picked, 3), expected);
    }
}

/* One task over several threads is split into pieces: none lost, none twice. */
static void fewer_tasks_than_threads_are_split(void **state)
{
    (void)state;
    struct task one = {12345, 987654};
    u128 expected = kernel_sumsq_closed(987654) - kernel_sumsq_closed(12345);

    for (int threads = 2; threads <= 7; threads++) {
        struct cpu_plan plan = {.mode = CPU_OMP, .schedule = SCHED_STATIC, .threads = threads};
        assert_u128_equal(cpu_sum_tasks(&plan, &one, NULL, 1), expected);
    }
}

/* sumsq's pieces are 2^26 squares: n just past one piece needs two. */
static void sumsq_across_pieces(void **state)
{
    (void)state;
    uint64_t n = (UINT64_C(1) << 26) + 4321;
    assert_u128_equal(cpu_sumsq(n, 2, NULL), kernel_sumsq_closed(n));
    assert_u128_equal(cpu_sumsq(n, 1, NULL), kernel_sumsq_closed(n));
    assert_u128_equal(cpu_sumsq(0, 2, NULL), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_thread_count_schedule_and_decomposition_is_exact),
        cmocka_unit_test(indices_select_the_tasks),
        cmocka_unit_test(fewer_tasks_than_threads_are_split),
        cmocka_unit_test(sumsq_across_pieces),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
