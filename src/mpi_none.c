/* The MPI interfaces in concur, the program without MPI (see mpi_env.h):
 * one process, rank 0 of 1; whatever needs MPI hands the process over to
 * concur-mpi, so the MPI paths below mpi_env_init are never reached here. */
#include <limits.h>
#include <omp.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cpu_impl.h"
#include "mpi_env.h"
#include "fetch_impl.h"

#define MPI_PROGRAM "concur-mpi"

static char **kept_argv;

void mpi_env_keep_args(int argc, char **argv)
{
    /* A copy: getopt reorders argv as it parses. */
    kept_argv = calloc((size_t)argc + 1, sizeof *kept_argv);
    if (kept_argv)
        memcpy(kept_argv, argv, (size_t)argc * sizeof *argv);
}

/* Where concur-mpi may be, relative to this program's folder: beside it
 * (the build tree) or in ../libexec/concur/ (an installed tree, where only
 * concur is on PATH). */
static const char *const mpi_program_places[] = {"", "../libexec/concur/"};

static bool join(char *path, size_t size, const char *dir, const char *place)
{
    int length = snprintf(path, size, "%s%s" MPI_PROGRAM, dir, place);
    return length >= 0 && (size_t)length < size;
}

/* The first place that has concur-mpi, else the first place (for the
 * message); false when this program's folder is unknown. */
static bool find_mpi_program(char *path, size_t size)
{
    char dir[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", dir, sizeof dir - 1);
    if (n <= 0)
        return false;
    dir[n] = '\0';
    char *slash = strrchr(dir, '/');
    if (!slash)
        return false;
    slash[1] = '\0';
    for (size_t i = 0; i < sizeof mpi_program_places / sizeof mpi_program_places[0]; i++) {
        if (!join(path, size, dir, mpi_program_places[i]))
            return false;
        if (access(path, X_OK) == 0)
            return true;
    }
    return join(path, size, dir, mpi_program_places[0]);
}

/* With OMP_PROC_BIND or OMP_PLACES set, libgomp binds the initial thread to
 * the first place as it loads, and exec keeps that binding: concur-mpi's
 * libgomp would see one place, and a hybrid run one core. Give the process
 * back the CPUs of all its places (those it started with) first. */
static void unbind_initial_thread(void)
{
    int places = omp_get_num_places();
    if (places <= 0)
        return;
    cpu_set_t set;
    CPU_ZERO(&set);
    for (int p = 0; p < places; p++) {
        int n = omp_get_place_num_procs(p);
        int *ids = n > 0 ? malloc((size_t)n * sizeof *ids) : NULL;
        if (!ids)
            return;
        omp_get_place_proc_ids(p, ids);
        for (int i = 0; i < n; i++)
            if (ids[i] >= 0 && ids[i] < CPU_SETSIZE)
                CPU_SET(ids[i], &set);
        free(ids);
    }
    sched_setaffinity(0, sizeof set, &set);
}

enum cc_status mpi_env_hand_over(struct cc_err *err)
{
    char path[PATH_MAX];

    if (!kept_argv)
        return cc_error(err, CC_ESYS, "MPI: the command line was not kept (out of memory)");
    if (!find_mpi_program(path, sizeof path))
        return cc_error(err, CC_ESYS, "MPI: cannot find this program's folder: %m");
    fflush(NULL); /* nothing written so far is lost or doubled */
    unbind_initial_thread();
    execv(path, kept_argv);
    return cc_error(err, CC_ESYS, "MPI needs %s, which cannot be started: %m "
                    "(make builds it beside concur, make install puts it in ../libexec/concur/)", path);
}

const char *mpi_env_library_version(void) { return ""; }

enum cc_status mpi_env_init(bool threaded, struct cc_err *err)
{
    (void)threaded;
    return mpi_env_hand_over(err);
}

bool mpi_env_active(void) { return false; }
int mpi_env_rank(void) { return 0; }
int mpi_env_size(void) { return 1; }
int mpi_env_local_size(void) { return 1; }
enum cc_status mpi_env_agree(enum cc_status local) { return local; }
void mpi_env_finalize(void) {}

/* Unreachable: their callers start with mpi_env_init, which hands over. */
static enum cc_status not_here(struct cc_err *err)
{
    return cc_error(err, CC_ESYS, "internal error: an MPI path ran in concur, not concur-mpi");
}

enum cc_status fetch_mpi_load(const char *path, struct url_list *out, struct cc_err *err)
{
    (void)path;
    (void)out;
    return not_here(err);
}

enum cc_status fetch_mpi_run(const struct fetch_options *o, const struct url_entry *all,
                             size_t n, struct fetch_result *results, double *seconds,
                             struct cc_err *err)
{
    (void)o, (void)all, (void)n, (void)results, (void)seconds;
    return not_here(err);
}

enum cc_status cpu_mpi_run(const struct cpu_plan *plan, const struct workload *w,
                           struct cpu_outcome *out, struct cc_err *err)
{
    (void)plan, (void)w, (void)out;
    return not_here(err);
}
