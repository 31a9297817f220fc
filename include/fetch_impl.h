/* Private to the download engine (src/fetch*.c) and its unit tests; not
 * for the command-line layer. Layers, each calling only those below it:
 *   fetch.c                 entry points, dispatch to the modes
 *   fetch_sync.c, fetch_threads.c, fetch_multi.c, fetch_mpi.c
 *                           the modes, a file per --mode value
 *   fetch_transfer.c        one transfer (an easy handle and the state of
 *                           its current attempt), shared by every mode
 *   fetch_save.c            --save's files, for the transfer
 * (fetch_limits.c, the descriptor limits, stands apart.) */
#ifndef CONCUR_FETCH_IMPL_H
#define CONCUR_FETCH_IMPL_H

#include <curl/curl.h>

#include "fetch.h"

struct transfer {
    CURL *easy;
    const struct fetch_options *opts;
    size_t index;              /* of the URL in the caller's arrays */
    const char *url;
    struct fetch_result *result;
    uint64_t received;         /* body bytes of this attempt */
    bool too_big;              /* the write callback stopped the body */
    int save_fd;               /* temporary file of this attempt, or -1 */
    int save_errno;            /* why writing the body failed, or 0 */
    char temp_name[64];
    struct transfer *save_prev, *save_next; /* in the list of open temporary files */
    char errbuf[CURL_ERROR_SIZE];
};

/* Creates the easy handle with every option that stays the same between
 * URLs; share may be NULL. */
enum cc_status transfer_init(struct transfer *t, const struct fetch_options *o,
                             CURLSH *share, struct cc_err *err);
void transfer_cleanup(struct transfer *t);

/* Prepares the next attempt for entry index. Returns false when there is
 * nothing to perform (a malformed line, no temporary file): the result is
 * then final. */
bool transfer_begin(struct transfer *t, const struct url_entry *entry,
                    struct fetch_result *result, size_t index);

/* Records the attempt that ended with code. Returns the seconds to wait
 * before retrying, or a negative number when the result is final. */
double transfer_end(struct transfer *t, CURLcode code);

/* One URL to its final result with this transfer, retries included:
 * the blocking path of the sync and threads modes. */
void transfer_fetch_blocking(struct transfer *t, const struct url_entry *entry,
                             struct fetch_result *result, size_t index);

void fetch_sleep(double seconds);

/* The modes that run in one process (fetch_sync.c, fetch_threads.c,
 * fetch_multi.c), for fetch_run and for each rank of the MPI mode;
 * results start zeroed. */
enum cc_status fetch_run_sync(const struct fetch_options *o, const struct url_entry *entries,
                              size_t n, struct fetch_result *results, struct cc_err *err);
enum cc_status fetch_run_threads(const struct fetch_options *o, const struct url_entry *entries,
                                 size_t n, struct fetch_result *results, struct cc_err *err);
enum cc_status fetch_run_multi(const struct fetch_options *o, const struct url_entry *entries,
                               size_t n, struct fetch_result *results, struct cc_err *err);

/* The MPI mode (fetch_mpi.c in concur-mpi; in concur, mpi_none.c hands the
 * process over to concur-mpi): the list split across ranks by o->split,
 * each rank running multi (o->rank_multi) or sync over its share, per-URL
 * results gathered on rank 0. Works under mpirun and as a singleton; needs
 * mpi_env_init first. fetch.h's fetch_load_urls and fetch_run say the rest. */
enum cc_status fetch_mpi_load(const char *path, struct url_list *out, struct cc_err *err);
enum cc_status fetch_mpi_run(const struct fetch_options *o, const struct url_entry *entries,
                             size_t n, struct fetch_result *results, double *seconds,
                             struct cc_err *err);

/* --save (fetch_save.c). */
bool save_open_temp(struct transfer *t);
bool save_write(struct transfer *t, const char *data, size_t n);
bool save_finish(struct transfer *t, bool keep);

#endif
