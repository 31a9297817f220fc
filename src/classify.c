#include "classify.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "child.h"
#include "clock.h"
#include "pressure.h"
#include "proctree.h"

extern char **environ;

/* ------------------------------------------------------------------------
 * Reading the kernel's figures. Each reader returns NAN when the file is
 * missing or unreadable (older kernels, PSI disabled, hidepid), so that a
 * missing figure degrades to null and never stops the classification. */

/* The second field of /proc/<pid>/schedstat: nanoseconds spent runnable but
 * waiting for a CPU (run-queue wait). */
static double schedstat_wait_s(pid_t pid)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%ld/schedstat", (long)pid);
    FILE *f = fopen(path, "r");
    if (!f)
        return NAN;
    unsigned long long run_ns, wait_ns;
    int got = fscanf(f, "%llu %llu", &run_ns, &wait_ns);
    fclose(f);
    return got == 2 ? (double)wait_ns * 1e-9 : NAN;
}

struct proc_io {
    double read_bytes, write_bytes, syscr;
};

static void proc_io_read(pid_t pid, struct proc_io *io)
{
    char path[64], line[128];
    io->read_bytes = io->write_bytes = io->syscr = NAN;
    snprintf(path, sizeof path, "/proc/%ld/io", (long)pid);
    FILE *f = fopen(path, "r");
    if (!f)
        return;
    while (fgets(line, sizeof line, f)) {
        char *colon = strchr(line, ':'), *end;
        if (!colon)
            continue;
        *colon = '\0';
        errno = 0;
        unsigned long long v = strtoull(colon + 1, &end, 10);
        if (errno || end == colon + 1)
            continue;
        if (!strcmp(line, "read_bytes"))
            io->read_bytes = (double)v;
        else if (!strcmp(line, "write_bytes"))
            io->write_bytes = (double)v;
        else if (!strcmp(line, "syscr"))
            io->syscr = (double)v;
    }
    fclose(f);
}

/* ------------------------------------------------------------------------
 * Signals: the command runs in a process group of its own (so that a
 * pipeline's processes can be reached together); SIGINT and SIGTERM that
 * reach concur while it waits are passed on to that group, the command is
 * reaped, and the run ends as interrupted. Without this, concur died and
 * left the command running under PID 1. */

static volatile sig_atomic_t interrupted;  /* the signal, 0 when none */
static volatile pid_t child_group;         /* 0 while no command runs */

static void forward_signal(int sig)
{
    interrupted = sig;
    if (child_group > 0)
        kill(-child_group, sig);
}

static const int forwarded[] = {SIGINT, SIGTERM};
#define NFORWARDED (sizeof forwarded / sizeof forwarded[0])

/* What a run changes about concur's signals, to put back afterwards. */
struct saved_signals {
    struct sigaction forwarded[NFORWARDED];
    struct sigaction chld;
    sigset_t mask;
};

/* Installs forward_signal for the signals concur does not ignore (a
 * background job keeps ignoring SIGINT, as the shell arranged); no
 * SA_RESTART, so the wait sees EINTR and carries on. SIGCHLD gets its
 * default action (an inherited SIG_IGN would reap the command before its
 * figures are read) and is blocked, for sigtimedwait; the forwarded
 * signals are blocked too, until the command's group is known, so that
 * one arriving during the spawn is forwarded on unblocking. */
static void catch_signals(struct saved_signals *saved)
{
    struct sigaction sa = {.sa_handler = forward_signal}, dfl = {.sa_handler = SIG_DFL};
    sigset_t block;
    sigemptyset(&sa.sa_mask);
    sigemptyset(&dfl.sa_mask);
    sigemptyset(&block);
    sigaddset(&block, SIGCHLD);
    for (size_t i = 0; i < NFORWARDED; i++) {
        sigaction(forwarded[i], NULL, &saved->forwarded[i]);
        if (saved->forwarded[i].sa_handler != SIG_IGN)
            sigaction(forwarded[i], &sa, NULL);
        sigaddset(&block, forwarded[i]);
    }
    sigaction(SIGCHLD, &dfl, &saved->chld);
    sigprocmask(SIG_BLOCK, &block, &saved->mask);
}

/* Once the command's group is known: the forwarded signals may come. */
static void forward_from_now(const struct saved_signals *saved)
{
    sigset_t mask = saved->mask;
    sigaddset(&mask, SIGCHLD);
    sigprocmask(SIG_SETMASK, &mask, NULL);
}

static void restore_signals(const struct saved_signals *saved)
{
    sigprocmask(SIG_SETMASK, &saved->mask, NULL);
    sigaction(SIGCHLD, &saved->chld, NULL);
    for (size_t i = 0; i < NFORWARDED; i++)
        sigaction(forwarded[i], &saved->forwarded[i], NULL);
}

int classify_interrupted(void)
{
    return interrupted;
}

/* ------------------------------------------------------------------------
 * One run. */

/* The child starts in a new process group with the signal mask concur had
 * before it blocked the forwarded signals around the spawn. */
static enum cc_status spawn(char *const argv[], bool show_output, const sigset_t *mask,
                            pid_t *pid, struct cc_err *err)
{
    posix_spawn_file_actions_t fa;
    posix_spawnattr_t attr;
    int rc = posix_spawn_file_actions_init(&fa);
    if (rc)
        return cc_error(err, CC_ESYS, "posix_spawn: %s", strerror(rc));
    if ((rc = posix_spawnattr_init(&attr)) != 0) {
        posix_spawn_file_actions_destroy(&fa);
        return cc_error(err, CC_ESYS, "posix_spawn: %s", strerror(rc));
    }
    rc = posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK);
    if (!rc)
        rc = posix_spawnattr_setpgroup(&attr, 0);
    if (!rc)
        rc = posix_spawnattr_setsigmask(&attr, mask);
    /* stdin from /dev/null: repeated runs cannot share one input stream. */
    if (!rc)
        rc = posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    if (!rc && !show_output)
        rc = posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    if (!rc && !show_output)
        rc = posix_spawn_file_actions_adddup2(&fa, 1, 2);
    if (!rc)
        rc = posix_spawnp(pid, argv[0], &fa, &attr, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&attr);
    if (!rc)
        return CC_OK;
    /* glibc's posix_spawnp reports a failed exec here (and reaps the
     * child): the user named something that cannot run. */
    if (rc == ENOENT || rc == EACCES || rc == ENOEXEC || rc == ENOTDIR || rc == EISDIR)
        return cc_error(err, CC_EINPUT, "cannot run '%s': %s", argv[0], strerror(rc));
    return cc_error(err, CC_ESYS, "cannot start '%s': %s", argv[0], strerror(rc));
}

/* Sampling the tree costs concur CPU time that the command may want: the
 * interval grows with the cost of a sample, to keep that under 5%. */
#define SAMPLE_MIN_S 0.02
#define SAMPLE_MAX_S 1.0
#define SAMPLE_COST_SHARE 0.05

/* Waits until the command has exited, leaving it a zombie (WNOWAIT) so that
 * its /proc entry can still be read and its process group stays reserved
 * for forwarding; samples the tree's run-queue wait meanwhile. SIGCHLD is
 * blocked: sigtimedwait returns as soon as the command ends. */
static enum cc_status wait_sampling(pid_t pid, struct proctree *tree, struct cc_err *err)
{
    sigset_t chld;
    sigemptyset(&chld);
    sigaddset(&chld, SIGCHLD);
    double interval = SAMPLE_MIN_S;
    for (;;) {
        siginfo_t info;
        memset(&info, 0, sizeof info);
        if (waitid(P_PID, (id_t)pid, &info, WEXITED | WNOWAIT | WNOHANG) == -1) {
            if (errno == EINTR)
                continue;
            return cc_error(err, CC_ESYS, "waitid: %s", strerror(errno));
        }
        if (info.si_pid == pid)
            return CC_OK;
        if (tree) {
            double start = clock_now();
            proctree_sample(tree);
            interval = fmin(SAMPLE_MAX_S, fmax(SAMPLE_MIN_S, (clock_now() - start) / SAMPLE_COST_SHARE));
        }
        struct timespec ts = {.tv_sec = (time_t)interval,
                              .tv_nsec = (long)((interval - floor(interval)) * 1e9)};
        sigtimedwait(&chld, NULL, &ts); /* the command ended, a timeout or EINTR */
    }
}

enum cc_status classify_run_once(char *const argv[], bool show_output, struct classify_run *run,
                                 struct cc_err *err)
{
    memset(run, 0, sizeof *run);
    if (interrupted)
        return cc_error(err, CC_EFAIL, "interrupted by signal %d", (int)interrupted);
    double psi_cpu0 = pressure_some_s("cpu"), psi_io0 = pressure_some_s("io");
    double t0 = clock_now();
    pid_t pid;
    struct saved_signals saved;
    catch_signals(&saved);
    enum cc_status status = spawn(argv, show_output, &saved.mask, &pid, err);
    if (status != CC_OK) {
        restore_signals(&saved);
        return status;
    }
    child_group = pid;
    forward_from_now(&saved);

    /* Without memory for the tree, the main thread's figure alone (below). */
    struct proctree *tree = proctree_new(pid);
    status = wait_sampling(pid, tree, err);
    child_group = 0;
    restore_signals(&saved);
    if (status != CC_OK) {
        proctree_free(tree);
        return status;
    }
    run->wall_s = clock_now() - t0;
    run->psi_cpu_s = pressure_some_s("cpu") - psi_cpu0;
    run->psi_io_s = pressure_some_s("io") - psi_io0;
    /* The last sample: the zombie's main thread, exact. */
    if (tree)
        proctree_sample(tree);
    run->runq_wait_s = tree ? proctree_runq_wait_s(tree) : NAN;
    if (isnan(run->runq_wait_s))
        run->runq_wait_s = schedstat_wait_s(pid);
    proctree_free(tree);
    struct proc_io io;
    proc_io_read(pid, &io);
    run->read_bytes = io.read_bytes;
    run->write_bytes = io.write_bytes;
    run->syscr = io.syscr;

    struct child_end end;
    status = child_reap(pid, &end, err);
    if (status != CC_OK)
        return status;
    run->user_s = end.user_s;
    run->sys_s = end.sys_s;
    run->voluntary = (double)end.usage.ru_nvcsw;
    run->involuntary = (double)end.usage.ru_nivcsw;
    run->block_in = (double)end.usage.ru_inblock;
    run->block_out = (double)end.usage.ru_oublock;
    run->max_rss_kib = end.max_rss_kib;
    run->term_signal = end.term_signal;
    run->exit_code = end.exit_status;
    if (interrupted)
        return cc_error(err, CC_EFAIL, "interrupted by signal %d", (int)interrupted);
    return CC_OK;
}

/* ------------------------------------------------------------------------
 * The verdict. */

/* The mean of one field over the runs; NAN when any run lacks it. */
static double field_mean(const struct classify_run runs[], size_t n, size_t offset)
{
    double sum = 0;
    for (size_t i = 0; i < n; i++) {
        double v;
        memcpy(&v, (const char *)&runs[i] + offset, sizeof v);
        sum += v;
    }
    return sum / (double)n;
}

#define MEAN(field) field_mean(runs, n, offsetof(struct classify_run, field))

static bool crosses(const struct stats_summary *s, double threshold)
{
    return s->ci_low < threshold && threshold < s->ci_high;
}

bool classify_needs_more(const struct classify_result *r)
{
    return r->verdict != CLASSIFY_FAST && r->uncertain;
}

/* Disk when the block layer (or the storage bytes of /proc/<pid>/io) moved
 * at least CLASSIFY_DISK_BYTES a run: reads served from the page cache do
 * not wait on the disk and do not count. */
static enum classify_wait wait_kind(const struct classify_result *r)
{
    double blocks = (r->block_in + r->block_out) * 512.0;
    double storage = r->read_bytes + r->write_bytes; /* NAN when unknown */
    if (blocks >= CLASSIFY_DISK_BYTES || storage >= CLASSIFY_DISK_BYTES)
        return CLASSIFY_WAIT_DISK;
    return CLASSIFY_WAIT_OTHER;
}

static enum classify_verdict verdict_of(const struct classify_result *r)
{
    if (r->wall_s < CLASSIFY_FAST_WALL_S)
        return CLASSIFY_FAST;
    /* CPU-bound by demand: time in the run queue was wanted on a CPU. */
    if (r->demand.mean >= CLASSIFY_CPU_BOUND)
        return CLASSIFY_CPU;
    /* I/O-bound by utilisation: a program that blocks thousands of times
     * gathers run-queue wait from wake-up latency alone (a direct-I/O disk
     * reader: 0.24 utilisation, 0.31 demand), which is no computing to win
     * back. Off the CPU without ever blocking means preempted, not
     * waiting: that is not I/O. */
    if (r->utilisation.mean <= CLASSIFY_IO_BOUND && r->voluntary >= 1)
        return CLASSIFY_IO;
    return CLASSIFY_MIXED;
}

enum cc_status classify_decide(const struct classify_run runs[], size_t n,
                               struct classify_result *out, struct cc_err *err)
{
    memset(out, 0, sizeof *out);
    if (n == 0)
        return cc_error(err, CC_EINPUT, "no runs to classify");
    double *util = malloc(2 * n * sizeof *util);
    if (!util)
        return cc_error(err, CC_ESYS, "out of memory");
    double *demand = util + n;
    for (size_t i = 0; i < n; i++) {
        /* A run too short for the clock counts as fully on the CPU: 0/0
         * must not poison the mean. */
        double cpu = runs[i].user_s + runs[i].sys_s, wall = runs[i].wall_s;
        double runq = isfinite(runs[i].runq_wait_s) ? runs[i].runq_wait_s : 0;
        util[i] = wall > 0 ? cpu / wall : 1.0;
        demand[i] = wall > 0 ? (cpu + runq) / wall : 1.0;
        if (runs[i].exit_code != 0)
            out->failed_runs++;
    }
    enum cc_status status = stats_summarize(util, n, &out->utilisation, err);
    if (status == CC_OK)
        status = stats_summarize(demand, n, &out->demand, err);
    free(util);
    if (status != CC_OK)
        return status;

    out->runs = n;
    out->wall_s = MEAN(wall_s);
    out->user_s = MEAN(user_s);
    out->sys_s = MEAN(sys_s);
    out->voluntary = MEAN(voluntary);
    out->involuntary = MEAN(involuntary);
    out->block_in = MEAN(block_in);
    out->block_out = MEAN(block_out);
    out->max_rss_kib = MEAN(max_rss_kib);
    out->runq_wait_s = MEAN(runq_wait_s);
    out->read_bytes = MEAN(read_bytes);
    out->write_bytes = MEAN(write_bytes);
    out->syscr = MEAN(syscr);
    out->psi_cpu_s = MEAN(psi_cpu_s);
    out->psi_io_s = MEAN(psi_io_s);
    out->last_exit_code = runs[n - 1].exit_code;
    out->last_signal = runs[n - 1].term_signal;
    out->off_cpu_share = fmax(0.0, 1.0 - out->utilisation.mean);
    out->voluntary_per_s = out->wall_s > 0 ? out->voluntary / out->wall_s : NAN;

    out->verdict = verdict_of(out);
    out->wait = out->verdict == CLASSIFY_IO ? wait_kind(out) : CLASSIFY_WAIT_NONE;
    /* A fast program is fast whatever its utilisation: no doubt to report. */
    out->uncertain =
        out->verdict != CLASSIFY_FAST && (crosses(&out->demand, CLASSIFY_CPU_BOUND) ||
                                          crosses(&out->utilisation, CLASSIFY_IO_BOUND));
    out->contended = (out->verdict == CLASSIFY_CPU && out->utilisation.mean < CLASSIFY_CPU_BOUND) ||
                     (out->wall_s > 0 && out->runq_wait_s / out->wall_s >= CLASSIFY_CONTENDED);
    return CC_OK;
}

const char *classify_verdict_name(enum classify_verdict v)
{
    switch (v) {
    case CLASSIFY_FAST:
        return "fast-enough";
    case CLASSIFY_CPU:
        return "cpu-bound";
    case CLASSIFY_IO:
        return "io-bound";
    case CLASSIFY_MIXED:
        return "mixed";
    }
    return "mixed";
}

const char *classify_wait_name(enum classify_wait w)
{
    switch (w) {
    case CLASSIFY_WAIT_DISK:
        return "disk";
    case CLASSIFY_WAIT_OTHER:
        return "other";
    case CLASSIFY_WAIT_NONE:
        break;
    }
    return NULL;
}

const char *classify_advice(const struct classify_result *r)
{
    switch (r->verdict) {
    case CLASSIFY_FAST:
        return "Fast enough: concurrency would add complexity for little. "
               "You can stop here.";
    case CLASSIFY_CPU:
        if (r->utilisation.mean > CLASSIFY_PARALLEL)
            return "CPU-bound and already parallel (more than one core busy on "
                   "average). Only more cores help: more OpenMP threads or MPI "
                   "ranks, up to the cores you have; an event loop would not.";
        return "CPU-bound: the time goes into computing, so only more cores "
               "help. Run the work in parallel: processes (MPI ranks, like "
               "multiprocessing) or OpenMP threads; in C threads run on all "
               "cores (there is no GIL). An event loop would not help.";
    case CLASSIFY_IO:
        if (r->wait == CLASSIFY_WAIT_DISK)
            return "I/O-bound, waiting on the disk: overlap the reads and writes "
                   "(threads when the libraries block, or asynchronous I/O); "
                   "more cores will not help.";
        return "I/O-bound: it waits most of the time (network, timers, other "
               "processes). Overlap the waits: an event loop (curl multi, "
               "asyncio) when you can, threads when the libraries block; more "
               "cores will not help.";
    case CLASSIFY_MIXED:
        break;
    }
    return "Mixed: neither computing nor waiting dominates. Measure the parts "
           "apart: overlap the waiting part (event loop or threads) and "
           "parallelise the computing part (OpenMP or MPI); in C threads can "
           "help with both.";
}
