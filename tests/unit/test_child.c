/* child: a child's end as a shell reports it, and the resources it used. */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "child.h"

static pid_t start(int code, int sig)
{
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        if (sig)
            raise(sig);
        _exit(code);
    }
    return pid;
}

static void exit_code(void **state)
{
    (void)state;
    struct child_end end;
    struct cc_err err;
    assert_int_equal(child_reap(start(3, 0), &end, &err), CC_OK);
    assert_int_equal(end.exit_status, 3);
    assert_int_equal(end.term_signal, 0);
    assert_true(end.user_s >= 0 && end.sys_s >= 0);
    assert_true(end.max_rss_kib > 0);
}

static void ended_by_a_signal(void **state)
{
    (void)state;
    struct child_end end;
    struct cc_err err;
    assert_int_equal(child_reap(start(0, SIGKILL), &end, &err), CC_OK);
    assert_int_equal(end.term_signal, SIGKILL);
    assert_int_equal(end.exit_status, 128 + SIGKILL);
}

static void no_such_child(void **state)
{
    (void)state;
    struct child_end end;
    struct cc_err err;
    assert_int_equal(child_reap(getpid(), &end, &err), CC_ESYS);
    assert_non_null(strstr(err.msg, "wait4: "));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(exit_code),
        cmocka_unit_test(ended_by_a_signal),
        cmocka_unit_test(no_such_child),
    };
    return cmocka_run_group_tests_name("child", tests, NULL, NULL);
}
