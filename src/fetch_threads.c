/* The threads mode: W threads, each with its own easy handle (like the
 * notes' thread-local session), taking URLs through an atomic index. */
#include "fetch_impl.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* --share: one DNS and connection cache for all threads. libcurl calls
 * these around every access; one mutex per kind of shared data. */
struct share_locks {
    pthread_mutex_t mutex[CURL_LOCK_DATA_LAST];
};

static void share_lock(CURL *handle, curl_lock_data data, curl_lock_access access, void *userptr)
{
    (void)handle;
    (void)access;
    struct share_locks *locks = userptr;
    pthread_mutex_lock(&locks->mutex[data]);
}

static void share_unlock(CURL *handle, curl_lock_data data, void *userptr)
{
    (void)handle;
    struct share_locks *locks = userptr;
    pthread_mutex_unlock(&locks->mutex[data]);
}

static CURLSH *share_create(struct share_locks *locks)
{
    CURLSH *share = curl_share_init();
    if (!share)
        return NULL;
    for (int d = 0; d < CURL_LOCK_DATA_LAST; d++)
        pthread_mutex_init(&locks->mutex[d], NULL);
    CURLSHcode code = CURLSHE_OK;
    code |= curl_share_setopt(share, CURLSHOPT_LOCKFUNC, share_lock);
    code |= curl_share_setopt(share, CURLSHOPT_UNLOCKFUNC, share_unlock);
    code |= curl_share_setopt(share, CURLSHOPT_USERDATA, locks);
    code |= curl_share_setopt(share, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
    code |= curl_share_setopt(share, CURLSHOPT_SHARE, CURL_LOCK_DATA_CONNECT);
    if (code != CURLSHE_OK) {
        curl_share_cleanup(share);
        return NULL;
    }
    return share;
}

static void share_destroy(CURLSH *share, struct share_locks *locks)
{
    if (!share)
        return;
    curl_share_cleanup(share);
    for (int d = 0; d < CURL_LOCK_DATA_LAST; d++)
        pthread_mutex_destroy(&locks->mutex[d]);
}

struct pool {
    const struct url_entry *entries;
    struct fetch_result *results;
    size_t n;
    atomic_size_t next;      /* the next URL to hand out */
    atomic_size_t done;      /* URLs with a final result */
    atomic_size_t running;   /* workers still working */
    /* Only the last worker to finish takes this lock: it wakes the caller. */
    pthread_mutex_t lock;
    pthread_cond_t finished_cond;
    bool finished;
};

struct worker {
    struct pool *pool;
    struct transfer transfer;
    pthread_t thread;
};

/* The last worker to stop wakes the caller. */
static void worker_gone(struct pool *p, size_t count)
{
    if (atomic_fetch_sub(&p->running, count) == count) {
        pthread_mutex_lock(&p->lock);
        p->finished = true;
        pthread_cond_signal(&p->finished_cond);
        pthread_mutex_unlock(&p->lock);
    }
}

static void *worker_main(void *arg)
{
    struct worker *w = arg;
    struct pool *p = w->pool;

    for (;;) {
        size_t i = atomic_fetch_add(&p->next, 1);
        if (i >= p->n)
            break;
        transfer_fetch_blocking(&w->transfer, &p->entries[i], &p->results[i], i);
        atomic_fetch_add(&p->done, 1);
    }
    worker_gone(p, 1);
    return NULL;
}

/* Waits for the workers, reporting progress every 100 ms meanwhile. */
static void wait_for_workers(struct pool *p, const struct fetch_options *o)
{
    pthread_mutex_lock(&p->lock);
    while (!p->finished) {
        struct timespec deadline;
        clock_gettime(CLOCK_REALTIME, &deadline);
        deadline.tv_nsec += 100 * 1000 * 1000;
        if (deadline.tv_nsec >= 1000000000L) {
            deadline.tv_sec++;
            deadline.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&p->finished_cond, &p->lock, &deadline);
        if (o->progress && !p->finished)
            o->progress(o->progress_ctx, atomic_load(&p->done), p->n);
    }
    pthread_mutex_unlock(&p->lock);
    if (o->progress)
        o->progress(o->progress_ctx, p->n, p->n);
}

/* Starts up to count workers; returns how many run. */
static size_t start_workers(struct worker *workers, size_t count, struct pool *p,
                            CURLSH *share, const struct fetch_options *o,
                            enum cc_status *status, struct cc_err *err)
{
    size_t started = 0;
    for (; started < count; started++) {
        struct worker *w = &workers[started];
        w->pool = p;
        *status = transfer_init(&w->transfer, o, share, err);
        if (*status != CC_OK)
            break;
        if (pthread_create(&w->thread, NULL, worker_main, w) != 0) {
            transfer_cleanup(&w->transfer);
            *status = cc_error(err, CC_ESYS, "cannot start worker thread %zu of %zu", started + 1, count);
            break;
        }
    }
    return started;
}

enum cc_status fetch_run_threads(const struct fetch_options *o, const struct url_entry *entries,
                                 size_t n, struct fetch_result *results, struct cc_err *err)
{
    size_t count = o->workers < n ? o->workers : n;
    struct share_locks locks;
    CURLSH *share = NULL;
    struct pool pool = {.entries = entries, .results = results, .n = n};
    enum cc_status status = CC_OK;

    struct worker *workers = calloc(count ? count : 1, sizeof *workers);
    if (!workers)
        return cc_error(err, CC_ESYS, "out of memory for %zu workers", count);
    if (o->share && !(share = share_create(&locks))) {
        free(workers);
        return cc_error(err, CC_ESYS, "libcurl: cannot create the shared cache");
    }
    pthread_mutex_init(&pool.lock, NULL);
    pthread_cond_init(&pool.finished_cond, NULL);

    /* Workers already started finish the whole list even if a later one
     * failed to start; the failure is still reported. */
    atomic_store(&pool.running, count);
    size_t started = start_workers(workers, count, &pool, share, o, &status, err);
    if (started < count && started > 0)
        worker_gone(&pool, count - started); /* those never ran */
    if (started > 0)
        wait_for_workers(&pool, o);
    for (size_t w = 0; w < started; w++) {
        pthread_join(workers[w].thread, NULL);
        transfer_cleanup(&workers[w].transfer);
    }
    share_destroy(share, &locks);
    pthread_cond_destroy(&pool.finished_cond);
    pthread_mutex_destroy(&pool.lock);
    free(workers);
    return status;
}
