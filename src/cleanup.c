/* Temporary files removed when a signal ends the process (see cleanup.h). */
#include "cleanup.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const int stop_signals[] = {SIGINT, SIGTERM, SIGHUP};

static int signal_pipe[2] = {-1, -1};
static void (*hooks[CLEANUP_HOOKS_MAX])(void);
static size_t nhooks;
static _Atomic(const char *) temp_path;
static double grace_seconds;

/* Only what is async-signal-safe: the number into the pipe. */
static void on_signal(int sig)
{
    int saved = errno;
    unsigned char byte = (unsigned char)sig;
    ssize_t ignored = write(signal_pipe[1], &byte, 1);
    (void)ignored;
    errno = saved;
}

/* Removes what the process was writing, then dies of the same signal. */
static void *cleanup_main(void *arg)
{
    (void)arg;
    unsigned char byte;
    ssize_t n;

    while ((n = read(signal_pipe[0], &byte, 1)) < 0 && errno == EINTR)
        ;
    int sig = n == 1 ? byte : SIGTERM;
    for (size_t i = 0; i < nhooks; i++)
        hooks[i]();
    const char *path = atomic_load(&temp_path);
    if (path)
        unlink(path);
    if (grace_seconds > 0) {
        struct timespec ts = {.tv_sec = (time_t)grace_seconds,
                              .tv_nsec = (long)((grace_seconds - (double)(time_t)grace_seconds) * 1e9)};
        while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
            ;
    }
    signal(sig, SIG_DFL);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, sig);
    pthread_sigmask(SIG_UNBLOCK, &set, NULL);
    raise(sig);
    _exit(128 + sig); /* not reached: the default action ends the process */
}

enum cc_status cleanup_on_signal(struct cc_err *err)
{
    pthread_t thread;
    pthread_attr_t attr;
    sigset_t all;

    if (signal_pipe[0] >= 0)
        return CC_OK;
    if (pipe2(signal_pipe, O_CLOEXEC) != 0)
        return cc_error(err, CC_ESYS, "cannot create a pipe: %s", strerror(errno));
    /* The thread itself takes no signal: the handler must never run in it
     * while it removes files (it would only write to the pipe, but keep it
     * simple to reason about). */
    sigfillset(&all);
    sigset_t old;
    pthread_sigmask(SIG_BLOCK, &all, &old);
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    pthread_attr_setstacksize(&attr, 64 * 1024);
    int rc = pthread_create(&thread, &attr, cleanup_main, NULL);
    pthread_attr_destroy(&attr);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (rc != 0)
        return cc_error(err, CC_ESYS, "cannot start the signal thread: %s", strerror(rc));
    struct sigaction sa = {.sa_handler = on_signal, .sa_flags = SA_RESTART};
    sigemptyset(&sa.sa_mask);
    for (size_t i = 0; i < sizeof stop_signals / sizeof stop_signals[0]; i++) {
        /* a signal ignored by whoever started us (a background job's
         * SIGINT) stays ignored */
        struct sigaction before;
        if (sigaction(stop_signals[i], NULL, &before) == 0 && before.sa_handler == SIG_IGN)
            continue;
        sigaction(stop_signals[i], &sa, NULL);
    }
    return CC_OK;
}

void cleanup_add_hook(void (*hook)(void))
{
    for (size_t i = 0; i < nhooks; i++)
        if (hooks[i] == hook)
            return;
    if (nhooks < CLEANUP_HOOKS_MAX)
        hooks[nhooks++] = hook;
}

void cleanup_set_path(const char *path)
{
    atomic_store(&temp_path, path);
}

void cleanup_set_grace(double seconds)
{
    grace_seconds = seconds;
}
