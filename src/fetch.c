/* The download engine's entry points: options, libcurl's global state and
 * the dispatch to the modes (fetch_sync.c, fetch_threads.c, fetch_multi.c,
 * fetch_mpi.c), which run their transfers through fetch_transfer.c. */
#include "clock.h"
#include "fetch_impl.h"
#include "runs.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

void fetch_options_default(struct fetch_options *o)
{
    *o = (struct fetch_options){
        .workers = 1,
        .connect_timeout = FETCH_DEFAULT_CONNECT_TIMEOUT,
        .timeout = FETCH_DEFAULT_TIMEOUT,
        .max_size = FETCH_DEFAULT_MAX_SIZE,
        .max_redirs = FETCH_DEFAULT_MAX_REDIRS,
        .protocols = FETCH_DEFAULT_PROTOCOLS,
        .save_dirfd = -1,
    };
}

enum cc_status fetch_global_init(struct cc_err *err)
{
    CURLcode code = curl_global_init(CURL_GLOBAL_DEFAULT);
    if (code != CURLE_OK)
        return cc_error(err, CC_ESYS, "libcurl initialisation failed: %s", curl_easy_strerror(code));
    return CC_OK;
}

void fetch_global_cleanup(void)
{
    curl_global_cleanup();
}

/* Built from curl_version_info, not curl_version(): the latter asks
 * libldap for its version, which initialises LDAP, resolves the host name
 * and loads every SASL plugin: 2.6 ms of a 9.8 ms one-URL run. */
const char *fetch_library_version(void)
{
    static char line[160];
    const curl_version_info_data *info = curl_version_info(CURLVERSION_NOW);
    snprintf(line, sizeof line, "libcurl/%s%s%s", info->version,
             info->ssl_version ? " " : "", info->ssl_version ? info->ssl_version : "");
    return line;
}

/* Indexed by enum fetch_mode; sync is runs.h's RUNS_VARIANT_SYNC, the
 * baseline stats recognises. */
static const char *const mode_names[] = {RUNS_VARIANT_SYNC, "threads", "multi", "mpi"};

enum cc_status fetch_parse_mode(const char *text, enum fetch_mode *out, struct cc_err *err)
{
    for (size_t m = 0; m < sizeof mode_names / sizeof mode_names[0]; m++) {
        if (!strcmp(text, mode_names[m])) {
            *out = (enum fetch_mode)m;
            return CC_OK;
        }
    }
    return cc_error(err, CC_EINPUT, "--mode: unknown mode '%s' (" FETCH_MODE_CHOICES ")", text);
}

const char *fetch_mode_name(enum fetch_mode mode)
{
    return mode_names[mode];
}

enum cc_status fetch_check_options(const struct fetch_options *o, struct cc_err *err)
{
    CURL *probe = curl_easy_init();
    if (!probe)
        return cc_error(err, CC_ESYS, "libcurl: cannot create a handle");
    CURLcode code = curl_easy_setopt(probe, CURLOPT_PROTOCOLS_STR, o->protocols);
    curl_easy_cleanup(probe);
    if (code != CURLE_OK)
        return cc_error(err, CC_EINPUT, "--protocols: '%s' rejected by libcurl: %s",
                        o->protocols, curl_easy_strerror(code));
    return CC_OK;
}

enum cc_status fetch_load_urls(enum fetch_mode mode, const char *path,
                               struct url_list *out, struct cc_err *err)
{
    if (mode == FETCH_MPI)
        return fetch_mpi_load(path, out, err);
    return urllist_load(path, out, err);
}

static enum cc_status run_mode(enum fetch_mode mode, const struct fetch_options *o,
                               const struct url_entry *entries, size_t n,
                               struct fetch_result *results, struct cc_err *err)
{
    switch (mode) {
    case FETCH_SYNC:
        return fetch_run_sync(o, entries, n, results, err);
    case FETCH_THREADS:
        return fetch_run_threads(o, entries, n, results, err);
    case FETCH_MULTI:
        return fetch_run_multi(o, entries, n, results, err);
    case FETCH_MPI:
        break;
    }
    return cc_error(err, CC_ESYS, "fetch_run: unknown mode %d", (int)mode);
}

enum cc_status fetch_run(enum fetch_mode mode, const struct fetch_options *o,
                         const struct url_entry *entries, size_t n,
                         struct fetch_result *results, double *seconds,
                         struct cc_err *err)
{
    double ignored, *time = seconds ? seconds : &ignored;

    memset(results, 0, n * sizeof *results);
    if (mode == FETCH_MPI)
        return fetch_mpi_run(o, entries, n, results, time, err);
    double start = clock_now();
    enum cc_status status = run_mode(mode, o, entries, n, results, err);
    *time = clock_now() - start;
    return status;
}
