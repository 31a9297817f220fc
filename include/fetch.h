/* The download engine (libcurl): fetches a list of URLs in one of the modes
 * of the I/O experiment and fills one result per URL. It never prints and
 * never exits; the command-line layer reports.
 *
 * Modes:
 *   sync     one easy handle reused for every URL, one after another
 *   threads  W threads, each with its own reused easy handle, URLs handed
 *            out through an atomic index (no lock per URL); optionally a
 *            shared DNS + connection cache (curl share interface)
 *   multi    one thread, curl multi, at most W transfers in flight
 *   mpi      the list split across MPI ranks, each running sync or multi
 *            over its share (concur-mpi; in concur the call hands the
 *            process over to it, see mpi_env.h)
 *
 * Safe defaults: http and https only (also after redirects), connect and
 * total timeouts, a maximum body size (checked against Content-Length and
 * while the body arrives), at most 10 redirects, TLS verification on.
 * Transient failures (connection errors, timeouts, HTTP 408, 429, 5xx) are
 * retried when asked, with exponential backoff that honours Retry-After. */
#ifndef CONCUR_FETCH_H
#define CONCUR_FETCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "status.h"
#include "urllist.h"

struct tls_trust; /* tls_trust.h */

enum fetch_mode { FETCH_SYNC, FETCH_THREADS, FETCH_MULTI, FETCH_MPI };

/* mpi: how the list is split across ranks (partition.h). */
enum mpi_split { MPI_SPLIT_BLOCK, MPI_SPLIT_CYCLIC };

#define FETCH_DEFAULT_CONNECT_TIMEOUT 10.0
#define FETCH_DEFAULT_TIMEOUT 60.0
#define FETCH_DEFAULT_MAX_SIZE (UINT64_C(100) << 20)
#define FETCH_DEFAULT_MAX_REDIRS 10L
#define FETCH_DEFAULT_PROTOCOLS "http,https"
/* Backoff before retry k (1-based): 0.1 s * 2^(k-1), at most 10 s; a longer
 * Retry-After is honoured up to 60 s, so that no server can stall a run. */
#define FETCH_BACKOFF_FIRST 0.1
#define FETCH_BACKOFF_MAX 10.0
#define FETCH_RETRY_AFTER_MAX 60.0

#define FETCH_ERROR_SIZE 320

struct fetch_options {
    unsigned workers;        /* threads or transfers in flight; sync: 1 */
    unsigned retries;        /* extra attempts for transient failures */
    double connect_timeout;  /* seconds */
    double timeout;          /* seconds, whole transfer */
    uint64_t max_size;       /* body bytes */
    long max_redirs;
    const char *protocols;   /* curl's list, e.g. "http,https" */
    bool share;              /* threads: shared DNS + connection cache */
    enum mpi_split split;    /* mpi: how the list is split across ranks */
    bool rank_multi;         /* mpi: each rank runs multi with `workers` in
                              * flight; false: one blocking handle a rank */
    struct tls_trust *trust; /* the CAs trusted; NULL: the system store
                              * (either way loaded once per process) */
    int save_dirfd;          /* bodies saved under this directory; -1: discarded */
    /* Called from the thread that called fetch_run only, after URLs finish
     * (in threads mode at most every 100 ms); may be NULL. */
    void (*progress)(void *ctx, size_t done, size_t total);
    void *progress_ctx;
};

struct fetch_result {
    long status;            /* HTTP status of the last attempt; 0 if none */
    uint64_t bytes;         /* body bytes received in the last attempt */
    double seconds;         /* first attempt's start to the end, waits included */
    unsigned attempts;      /* 0 for a line that is not a URL */
    bool ok;
    char error[FETCH_ERROR_SIZE]; /* why it failed; "" when ok */
    double started;         /* engine's own: when the first attempt began */
};

void fetch_options_default(struct fetch_options *o);

/* Once per process, before any thread starts. */
enum cc_status fetch_global_init(struct cc_err *err);
void fetch_global_cleanup(void);

/* libcurl's version line, for provenance. */
const char *fetch_library_version(void);

/* Checks what libcurl alone can judge (the protocol list); CC_EINPUT
 * naming the value otherwise. */
enum cc_status fetch_check_options(const struct fetch_options *o, struct cc_err *err);

/* The URL list of a run of mode from path ("-": standard input). mpi:
 * rank 0 reads it (under mpirun only rank 0 has standard input) and sends
 * the text to every rank, which parses it; every rank returns the same
 * status, the message meaningful on rank 0. Needs mpi_env_init first. */
enum cc_status fetch_load_urls(enum fetch_mode mode, const char *path,
                               struct url_list *out, struct cc_err *err);

/* The mode each process runs: mode itself, or for mpi the one each rank
 * runs over its share of the list (multi with o->workers transfers in
 * flight when o->rank_multi, else sync). The one decision, for the MPI
 * mode's ranks and for the descriptors they need. */
static inline enum fetch_mode fetch_process_mode(enum fetch_mode mode, const struct fetch_options *o)
{
    if (mode != FETCH_MPI)
        return mode;
    return o->rank_multi ? FETCH_MULTI : FETCH_SYNC;
}

/* Fetches entries[0..n) in mode and fills results[0..n). Per-URL failures
 * land in the results; a non-OK status means the engine itself could not
 * run (memory, threads, libcurl set-up). *seconds (may be NULL): the run's
 * time, monotonic; mpi: from a barrier to the gather's end, on every rank.
 * mpi: every rank calls with the same list (fetch_load_urls), results are
 * complete on rank 0 only, every rank returns the same status; needs
 * mpi_env_init first. */
enum cc_status fetch_run(enum fetch_mode mode, const struct fetch_options *o,
                         const struct url_entry *entries, size_t n,
                         struct fetch_result *results, double *seconds,
                         struct cc_err *err);

/* File descriptors (fetch_limits.c). A worker of mode holds this many at
 * once (a transfer in flight in multi mode; a thread, or sync's one handle,
 * in the blocking modes); save: with --save. */
unsigned fetch_descriptors_per_worker(enum fetch_mode mode, bool save);

/* Makes the descriptor limit fit workers of mode: raises the soft limit to
 * the hard one when it is too low. CC_EINPUT naming the need and the limit
 * when even the hard limit is too low. *fit (may be NULL): how many
 * workers the limit allows, at most workers. */
enum cc_status fetch_fit_descriptors(enum fetch_mode mode, bool save, unsigned workers,
                                     unsigned *fit, struct cc_err *err);

/* The names of the modes (fetch.c holds them, indexed by enum fetch_mode):
 * --mode's values and the variant of the runs; FETCH_MODE_CHOICES lists them
 * for messages. */
#define FETCH_MODE_CHOICES "sync, threads, multi or mpi"
enum cc_status fetch_parse_mode(const char *text, enum fetch_mode *out, struct cc_err *err);
const char *fetch_mode_name(enum fetch_mode mode);

/* The file name a URL's body is saved under: the last path segment (or the
 * host) reduced to [A-Za-z0-9._-], never starting with '.', then '-' and a
 * 64-bit hash of the whole URL in hex, so distinct URLs get distinct names
 * and no name can leave the directory. size >= FETCH_SAVE_NAME_SIZE. */
#define FETCH_SAVE_NAME_SIZE 96
void fetch_save_name(const char *url, char *out, size_t size);

/* For a process that a signal is about to end (cleanup.h's hook): removes
 * every --save temporary file being written, and no new one is created
 * after it. Safe from any thread, not from a signal handler. */
void fetch_save_abandon(void);

#endif
