/* The event-loop mode (the notes' asyncio): one thread, one curl multi
 * handle, at most W transfers in flight, refilled as they finish.
 *
 * W easy handles are made once and reused (their connections stay in the
 * multi handle's cache). A transfer that will be retried gives its handle
 * back and waits in a list with its deadline; it is started again once the
 * deadline has passed and a handle is free, and the poll never sleeps past
 * the nearest deadline, so one URL's backoff never holds up the others. */
#include "fetch_impl.h"
#include "clock.h"

#include <math.h>
#include <stdlib.h>

struct waiting {
    size_t index;
    double due;     /* monotonic time of the next attempt */
};

struct loop {
    const struct fetch_options *opts;
    const struct url_entry *entries;
    struct fetch_result *results;
    size_t n;
    CURLM *multi;
    struct transfer *pool;
    struct transfer **idle;     /* handles not in flight */
    size_t nidle;
    size_t next;                /* the next fresh URL */
    size_t done;                /* URLs with a final result */
    struct waiting *waiting;    /* retries not yet due */
    size_t nwaiting;
};

static void finished(struct loop *l)
{
    l->done++;
    if (l->opts->progress)
        l->opts->progress(l->opts->progress_ctx, l->done, l->n);
}

/* A waiting retry that is due, in *index (false: none is); it leaves the
 * list. */
static bool take_due(struct loop *l, double now, size_t *index)
{
    for (size_t w = 0; w < l->nwaiting; w++) {
        if (l->waiting[w].due <= now) {
            *index = l->waiting[w].index;
            l->waiting[w] = l->waiting[--l->nwaiting];
            return true;
        }
    }
    return false;
}

/* Puts idle handles to work: due retries first, then fresh URLs. */
static enum cc_status refill(struct loop *l, struct cc_err *err)
{
    double now = clock_now();
    size_t index;

    while (l->nidle > 0) {
        if (!take_due(l, now, &index)) {
            if (l->next == l->n)
                break;
            index = l->next++;
        }
        struct transfer *t = l->idle[l->nidle - 1];
        if (!transfer_begin(t, &l->entries[index], &l->results[index], index)) {
            finished(l);
            continue;
        }
        CURLMcode code = curl_multi_add_handle(l->multi, t->easy);
        if (code != CURLM_OK)
            return cc_error(err, CC_ESYS, "libcurl multi: %s", curl_multi_strerror(code));
        l->nidle--;
    }
    return CC_OK;
}

/* Collects the transfers that ended; returns how many. */
static size_t collect(struct loop *l)
{
    CURLMsg *msg;
    int left;
    size_t count = 0;

    while ((msg = curl_multi_info_read(l->multi, &left))) {
        if (msg->msg != CURLMSG_DONE)
            continue;
        struct transfer *t;
        CURLcode code = msg->data.result; /* msg is invalid after remove */
        curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&t);
        curl_multi_remove_handle(l->multi, t->easy);
        double wait = transfer_end(t, code);
        if (wait >= 0)
            l->waiting[l->nwaiting++] = (struct waiting){t->index, clock_now() + wait};
        else
            finished(l);
        l->idle[l->nidle++] = t;
        count++;
    }
    return count;
}

/* How long the poll may sleep: until the nearest retry is due when a handle
 * could take it, else a second (curl's own timers shorten it further). */
static int poll_timeout_ms(const struct loop *l)
{
    double nearest = INFINITY, now = clock_now();

    if (l->nidle == 0)
        return 1000;
    for (size_t w = 0; w < l->nwaiting; w++)
        if (l->waiting[w].due < nearest)
            nearest = l->waiting[w].due;
    if (nearest == INFINITY)
        return 1000;
    double ms = ceil((nearest - now) * 1000.0);
    return ms <= 0 ? 0 : ms >= 1000 ? 1000 : (int)ms;
}

static enum cc_status run_loop(struct loop *l, struct cc_err *err)
{
    enum cc_status status;
    int running;

    while (l->done < l->n) {
        if ((status = refill(l, err)) != CC_OK)
            return status;
        CURLMcode code = curl_multi_perform(l->multi, &running);
        if (code != CURLM_OK)
            return cc_error(err, CC_ESYS, "libcurl multi: %s", curl_multi_strerror(code));
        if (collect(l) > 0)
            continue; /* refill at once */
        if (l->done == l->n)
            break;
        code = curl_multi_poll(l->multi, NULL, 0, poll_timeout_ms(l), NULL);
        if (code != CURLM_OK)
            return cc_error(err, CC_ESYS, "libcurl multi: %s", curl_multi_strerror(code));
    }
    return CC_OK;
}

static enum cc_status make_pool(struct loop *l, size_t count, struct cc_err *err)
{
    l->pool = calloc(count, sizeof *l->pool);
    l->idle = calloc(count, sizeof *l->idle);
    l->waiting = calloc(l->n, sizeof *l->waiting);
    if (!l->pool || !l->idle || !l->waiting)
        return cc_error(err, CC_ESYS, "out of memory for %zu transfers", count);
    for (size_t i = 0; i < count; i++) {
        enum cc_status status = transfer_init(&l->pool[i], l->opts, NULL, err);
        if (status != CC_OK)
            return status;
        l->idle[l->nidle++] = &l->pool[i];
    }
    return CC_OK;
}

enum cc_status fetch_run_multi(const struct fetch_options *o, const struct url_entry *entries,
                               size_t n, struct fetch_result *results, struct cc_err *err)
{
    size_t count = o->workers < n ? o->workers : n;
    struct loop l = {.opts = o, .entries = entries, .results = results, .n = n};
    enum cc_status status;

    if (n == 0)
        return CC_OK;
    l.multi = curl_multi_init();
    if (!l.multi)
        return cc_error(err, CC_ESYS, "libcurl: cannot create a multi handle");
    /* Every connection may be reused: keep as many as transfers in flight. */
    curl_multi_setopt(l.multi, CURLMOPT_MAXCONNECTS, (long)count);
    status = make_pool(&l, count, err);
    if (status == CC_OK)
        status = run_loop(&l, err);
    for (size_t i = 0; l.pool && i < count; i++) {
        if (l.pool[i].easy)
            curl_multi_remove_handle(l.multi, l.pool[i].easy); /* after an error */
        transfer_cleanup(&l.pool[i]);
    }
    curl_multi_cleanup(l.multi);
    free(l.pool);
    free(l.idle);
    free(l.waiting);
    return status;
}
