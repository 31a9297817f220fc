/* proctree: the samples reach every process and thread of a tree. */
#include <math.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "proctree.h"

/* A shell with two sleeping children: three processes, found through the
 * children files from the shell down. */
static void finds_the_descendants(void **state)
{
    (void)state;
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        execlp("sh", "sh", "-c", "sleep 5 & sleep 5 & wait", (char *)NULL);
        _exit(127);
    }
    struct proctree *t = proctree_new(pid);
    assert_non_null(t);
    /* Until both children are there (or 5 s have passed). */
    for (int i = 0; i < 500 && proctree_tasks(t) < 3; i++) {
        proctree_sample(t);
        nanosleep(&(struct timespec){.tv_nsec = 10000000}, NULL);
    }
    size_t tasks = proctree_tasks(t);
    double wait = proctree_runq_wait_s(t);
    kill(pid, SIGKILL); /* the sleeps end on their own */
    waitpid(pid, NULL, 0);
    proctree_free(t);
    char path[64];
    snprintf(path, sizeof path, "/proc/%ld/task/%ld/children", (long)getpid(), (long)getpid());
    if (access(path, R_OK) != 0)
        skip(); /* a kernel without the children files sees the root only */
    assert_true(tasks >= 3);
    assert_true(isfinite(wait) && wait >= 0);
}

/* A process that is gone: nothing read, NAN. */
static void nothing_read_is_nan(void **state)
{
    (void)state;
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0)
        _exit(0);
    waitpid(pid, NULL, 0);
    struct proctree *t = proctree_new(pid);
    assert_non_null(t);
    assert_false(proctree_sample(t));
    assert_true(isnan(proctree_runq_wait_s(t)));
    assert_int_equal(proctree_tasks(t), 0);
    proctree_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(finds_the_descendants),
        cmocka_unit_test(nothing_read_is_nan),
    };
    return cmocka_run_group_tests_name("proctree", tests, NULL, NULL);
}
