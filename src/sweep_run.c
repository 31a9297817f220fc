#include "sweep_run.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "child.h"
#include "clock.h"

/* Captured output above this is cut (a runs CSV of a few thousand rows
 * fits many times over). */
#define CAPTURE_MAX (64u << 20)

static volatile sig_atomic_t stop_signal;
static sigset_t stop_set;     /* SIGINT and SIGTERM */
static sigset_t waiting_mask; /* the mask in effect while waiting: both open */

static void on_stop(int sig)
{
    if (!stop_signal)
        stop_signal = sig;
}

int sweep_stop_signal(void)
{
    return stop_signal;
}

enum cc_status sweep_signals_install(struct cc_err *err)
{
    struct sigaction sa = {0};
    sa.sa_handler = on_stop;
    sigemptyset(&sa.sa_mask);
    sigemptyset(&stop_set);
    sigaddset(&stop_set, SIGINT);
    sigaddset(&stop_set, SIGTERM);
    /* Blocked from here on, opened only inside ppoll: a signal can never
     * fall between "is a stop asked?" and the wait. */
    if (sigprocmask(SIG_BLOCK, &stop_set, &waiting_mask) != 0)
        return cc_error(err, CC_ESYS, "sigprocmask: %s", strerror(errno));
    sigdelset(&waiting_mask, SIGINT);
    sigdelset(&waiting_mask, SIGTERM);
    if (sigaction(SIGINT, &sa, NULL) != 0 || sigaction(SIGTERM, &sa, NULL) != 0)
        return cc_error(err, CC_ESYS, "sigaction: %s", strerror(errno));
    return CC_OK;
}

int sweep_signals_poll(void)
{
    sigset_t pending;
    if (sigpending(&pending) == 0 &&
        (sigismember(&pending, SIGINT) == 1 || sigismember(&pending, SIGTERM) == 1)) {
        sigprocmask(SIG_UNBLOCK, &stop_set, NULL);
        sigprocmask(SIG_BLOCK, &stop_set, NULL);
    }
    return stop_signal;
}

enum cc_status sweep_find_program(const char *name, struct cc_err *err)
{
    struct stat st;
    if (!*name)
        return cc_error(err, CC_EINPUT, "the command is empty");
    if (strchr(name, '/')) {
        if (stat(name, &st) == 0 && S_ISREG(st.st_mode) && access(name, X_OK) == 0)
            return CC_OK;
        return cc_error(err, CC_EINPUT, "cannot run '%s': %s", name,
                        stat(name, &st) != 0 ? strerror(errno)
                        : !S_ISREG(st.st_mode) ? "not a regular file" : "not executable");
    }
    const char *path = getenv("PATH");
    if (!path)
        path = "/bin:/usr/bin";
    for (const char *p = path;; p++) {
        const char *end = strchr(p, ':');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        char full[PATH_MAX];
        /* An empty PATH entry is the current folder, as for execvp. */
        if (snprintf(full, sizeof full, "%.*s%s%s", (int)len, len ? p : ".", "/", name) < (int)sizeof full &&
            stat(full, &st) == 0 && S_ISREG(st.st_mode) && access(full, X_OK) == 0)
            return CC_OK;
        if (!end)
            break;
        p = end;
    }
    return cc_error(err, CC_EINPUT, "cannot run '%s': not found in PATH", name);
}

/* In the child, after fork: only async-signal-safe calls until exec. On
 * failure, errno goes up the status pipe and the child exits 127. */
static void exec_child(const struct sweep_child *c, int out_fd, int status_fd,
                       const sigset_t *original_mask)
{
    setpgid(0, 0);
    /* A sweep that is killed outright (SIGKILL) takes its run along. */
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    int null = open("/dev/null", O_RDWR);
    if (null < 0 || dup2(null, 0) < 0)
        goto fail;
    if (c->out == SWEEP_STDOUT_NULL && dup2(null, 1) < 0)
        goto fail;
    if (c->out == SWEEP_STDOUT_STDERR && dup2(2, 1) < 0)
        goto fail;
    if (c->out == SWEEP_STDOUT_CAPTURE && dup2(out_fd, 1) < 0)
        goto fail;
    for (size_t i = 0; i < c->nenv; i++)
        if (putenv(c->env[i]) != 0)
            goto fail;
    sigprocmask(SIG_SETMASK, original_mask, NULL);
    execvp(c->argv[0], c->argv);
fail:;
    int e = errno;
    (void)!write(status_fd, &e, sizeof e);
    _exit(127);
}

static enum cc_status append(struct sweep_outcome *o, size_t *cap, const char *buf, size_t n,
                             struct cc_err *err)
{
    if (o->output_len + n + 1 > *cap) {
        size_t grown = *cap ? *cap : 4096;
        while (grown < o->output_len + n + 1)
            grown *= 2;
        char *p = realloc(o->output, grown);
        if (!p)
            return cc_error(err, CC_ESYS, "out of memory");
        o->output = p;
        *cap = grown;
    }
    memcpy(o->output + o->output_len, buf, n);
    o->output_len += n;
    o->output[o->output_len] = '\0';
    return CC_OK;
}

/* Reads what the pipe holds now; *open becomes false at its end. */
static enum cc_status drain(int fd, struct sweep_outcome *o, size_t *cap, bool *open,
                            struct cc_err *err)
{
    char buf[65536];
    for (;;) {
        ssize_t got = read(fd, buf, sizeof buf);
        if (got > 0) {
            if (o->output_len + (size_t)got > CAPTURE_MAX)
                continue; /* keep reading so the command never blocks */
            enum cc_status status = append(o, cap, buf, (size_t)got, err);
            if (status != CC_OK)
                return status;
            continue;
        }
        if (got == 0)
            *open = false;
        else if (errno == EINTR)
            continue;
        else if (errno != EAGAIN)
            return cc_error(err, CC_ESYS, "reading the command's output: %s", strerror(errno));
        return CC_OK;
    }
}

/* The wait: until the command exits, with the deadlines of a timeout and of
 * the grace after a stop. */
static enum cc_status wait_exit(pid_t pid, int pidfd, int out_fd, const struct sweep_child *c,
                                double t0, struct sweep_outcome *o, struct cc_err *err)
{
    double deadline = c->timeout_s > 0 ? t0 + c->timeout_s : 0, kill_at = 0;
    size_t cap = 0;
    bool out_open = out_fd >= 0;
    enum cc_status status;
    for (;;) {
        if (!o->stopped && !o->timed_out && stop_signal) {
            o->stopped = true;
            kill(-pid, SIGTERM);
            kill_at = clock_now() + SWEEP_GRACE_S;
        }
        double now = clock_now();
        if (deadline && !o->timed_out && !o->stopped && now >= deadline) {
            o->timed_out = true;
            kill(-pid, SIGTERM);
            kill_at = now + SWEEP_GRACE_S;
        }
        if (kill_at && now >= kill_at) {
            kill(-pid, SIGKILL);
            kill_at = 0;
        }
        double until = kill_at ? kill_at : (!o->timed_out && !o->stopped) ? deadline : 0;
        struct timespec ts, *timeout = NULL;
        if (until) {
            double left = until > now ? until - now : 0;
            ts.tv_sec = (time_t)left;
            ts.tv_nsec = (long)((left - (double)ts.tv_sec) * 1e9);
            timeout = &ts;
        }
        struct pollfd fds[2] = {{pidfd, POLLIN, 0}, {out_open ? out_fd : -1, POLLIN, 0}};
        int ready = ppoll(fds, 2, timeout, &waiting_mask);
        if (ready < 0 && errno != EINTR)
            return cc_error(err, CC_ESYS, "ppoll: %s", strerror(errno));
        if (ready > 0 && out_open && fds[1].revents &&
            (status = drain(out_fd, o, &cap, &out_open, err)) != CC_OK)
            return status;
        if (ready > 0 && fds[0].revents) {
            o->wall_s = clock_now() - t0;
            break;
        }
    }
    /* A stopped or timed-out command's group goes entirely, stragglers
     * included; the zombie leader keeps the group id ours until wait4. */
    if (o->stopped || o->timed_out)
        kill(-pid, SIGKILL);
    if (out_open && (status = drain(out_fd, o, &cap, &out_open, err)) != CC_OK)
        return status;
    return CC_OK;
}

enum cc_status sweep_run_step(const struct sweep_child *c, struct sweep_outcome *o,
                              struct cc_err *err)
{
    memset(o, 0, sizeof *o);
    int status_pipe[2], out_pipe[2] = {-1, -1};
    if (pipe2(status_pipe, O_CLOEXEC) != 0)
        return cc_error(err, CC_ESYS, "pipe: %s", strerror(errno));
    if (c->out == SWEEP_STDOUT_CAPTURE && pipe2(out_pipe, O_CLOEXEC) != 0) {
        close(status_pipe[0]);
        close(status_pipe[1]);
        return cc_error(err, CC_ESYS, "pipe: %s", strerror(errno));
    }
    sigset_t original = waiting_mask;
    double t0 = clock_now();
    pid_t pid = fork();
    if (pid == 0)
        exec_child(c, out_pipe[1], status_pipe[1], &original);
    int fork_errno = errno;
    close(status_pipe[1]);
    if (out_pipe[1] >= 0)
        close(out_pipe[1]);
    enum cc_status status = CC_OK;
    int pidfd = -1;
    if (pid < 0) {
        status = cc_error(err, CC_ESYS, "fork: %s", strerror(fork_errno));
        goto out;
    }
    setpgid(pid, pid); /* also here: the group must exist before any kill */

    /* The status pipe closes at exec (O_CLOEXEC) or brings exec's errno. */
    int child_errno = 0;
    ssize_t got;
    while ((got = read(status_pipe[0], &child_errno, sizeof child_errno)) < 0 && errno == EINTR)
        ;
    if (got == (ssize_t)sizeof child_errno) {
        waitpid(pid, NULL, 0);
        status = cc_error(err, CC_EINPUT, "cannot run '%s': %s", c->argv[0], strerror(child_errno));
        goto out;
    }
    if ((pidfd = pidfd_open(pid, 0)) < 0) {
        status = cc_error(err, CC_ESYS, "pidfd_open: %s", strerror(errno));
        kill(-pid, SIGKILL);
        waitpid(pid, NULL, 0);
        goto out;
    }
    if (out_pipe[0] >= 0)
        fcntl(out_pipe[0], F_SETFL, fcntl(out_pipe[0], F_GETFL) | O_NONBLOCK);
    status = wait_exit(pid, pidfd, out_pipe[0], c, t0, o, err);

    struct child_end end;
    enum cc_status reaped = child_reap(pid, &end, err);
    if (reaped != CC_OK) {
        status = reaped;
        goto out;
    }
    o->user_s = end.user_s;
    o->sys_s = end.sys_s;
    o->max_rss_kib = end.max_rss_kib;
    o->term_signal = end.term_signal;
    o->exit_status = end.exit_status;
out:
    if (pidfd >= 0)
        close(pidfd);
    close(status_pipe[0]);
    if (out_pipe[0] >= 0)
        close(out_pipe[0]);
    if (status != CC_OK)
        sweep_outcome_free(o);
    return status;
}

void sweep_outcome_free(struct sweep_outcome *o)
{
    free(o->output);
    o->output = NULL;
    o->output_len = 0;
}
