#include "child.h"

#include <errno.h>
#include <string.h>
#include <sys/wait.h>

static double timeval_s(struct timeval tv)
{
    return (double)tv.tv_sec + (double)tv.tv_usec * 1e-6;
}

enum cc_status child_reap(pid_t pid, struct child_end *out, struct cc_err *err)
{
    int wstatus;

    while (wait4(pid, &wstatus, 0, &out->usage) == -1) {
        if (errno != EINTR)
            return cc_error(err, CC_ESYS, "wait4: %s", strerror(errno));
    }
    out->user_s = timeval_s(out->usage.ru_utime);
    out->sys_s = timeval_s(out->usage.ru_stime);
    out->max_rss_kib = (double)out->usage.ru_maxrss;
    out->term_signal = WIFSIGNALED(wstatus) ? WTERMSIG(wstatus) : 0;
    out->exit_status = out->term_signal ? 128 + out->term_signal : WEXITSTATUS(wstatus);
    return CC_OK;
}
