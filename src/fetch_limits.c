/* The file descriptors a download needs, and making the process's limit
 * fit them (see fetch.h). Measured with libcurl 7.88 on loopback: a
 * transfer of the multi mode holds its socket; a worker of the blocking
 * modes also holds the wake-up socket pair of the multi handle that
 * curl_easy_perform makes for its easy handle; --save adds the body's
 * temporary file. Name resolution in libcurl's resolver thread takes two
 * more for a while; that is headroom, not counted. */
#include "fetch.h"

#include <dirent.h>
#include <errno.h>
#include <string.h>
#include <sys/resource.h>

/* For the rest of the process: standard streams, the log, the --save
 * directory, libcurl's and the C library's own. */
#define DESCRIPTORS_RESERVE 32

unsigned fetch_descriptors_per_worker(enum fetch_mode mode, bool save)
{
    unsigned per = mode == FETCH_MULTI ? 1 : 3;
    return per + (save ? 1 : 0);
}

/* Descriptors open now (MPI has opened its own by the time we ask). */
static unsigned long open_now(void)
{
    unsigned long count = 0;
    DIR *dir = opendir("/proc/self/fd");
    if (!dir)
        return 16;
    while (readdir(dir))
        count++;
    closedir(dir);
    return count > 2 ? count - 2 : count; /* "." and ".." */
}

enum cc_status fetch_fit_descriptors(enum fetch_mode mode, bool save, unsigned workers,
                                     unsigned *fit, struct cc_err *err)
{
    struct rlimit lim;
    unsigned per = fetch_descriptors_per_worker(mode, save);
    unsigned long long base = open_now() + DESCRIPTORS_RESERVE;
    unsigned long long need = base + (unsigned long long)workers * per;

    if (getrlimit(RLIMIT_NOFILE, &lim) != 0)
        return cc_error(err, CC_ESYS, "cannot read the descriptor limit: %s", strerror(errno));
    if (lim.rlim_cur != RLIM_INFINITY && lim.rlim_cur < need && lim.rlim_cur < lim.rlim_max) {
        rlim_t soft = lim.rlim_cur;
        lim.rlim_cur = lim.rlim_max; /* the soft limit may rise to the hard one */
        if (setrlimit(RLIMIT_NOFILE, &lim) != 0)
            lim.rlim_cur = soft;
    }
    unsigned long long have = lim.rlim_cur == RLIM_INFINITY ? need : (unsigned long long)lim.rlim_cur;
    unsigned long long allowed = have > base ? (have - base) / per : 0;
    if (fit)
        *fit = allowed < workers ? (unsigned)allowed : workers;
    if (have >= need)
        return CC_OK;
    return cc_error(err, CC_EINPUT,
                    "--workers %u: %s mode needs about %llu file descriptors (%u per worker%s), "
                    "but the limit is %llu (ulimit -n, hard limit included); use at most %llu workers%s",
                    workers, fetch_mode_name(mode), need, per, save ? " with --save" : "",
                    have, allowed, mode == FETCH_MULTI ? "" : ", or --mode multi (1 per worker)");
}
