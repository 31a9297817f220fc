/* The embedded HTTP latency server (see server.h).
 *
 * Two threads serve everything: libmicrohttpd's one internal thread, which
 * polls every connection through epoll and calls the handlers below (so no
 * handler may block), and the timer thread. A response that must wait (the
 * latency, /delay, the pauses of /drip) is not given a thread: its
 * connection is suspended and its deadline goes into a min-heap that the
 * timer thread watches; at the deadline the timer resumes the connection
 * and libmicrohttpd calls us again to answer. /fault/hang
 * parks its connection the same way, without a deadline, until the client
 * hangs up (the timer polls those sockets for a peer shutdown). */
#include "clock.h"
#include "grow.h"
#include "server.h"
#include "server_heap.h"

#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

/* How often the timer looks whether a hung request's client has left. */
#define HANG_POLL_SECONDS 0.1
/* The shortest pause of a drip, whatever rounding says. */
#define DRIP_MIN_WAIT_SECONDS 0.001
/* Preferred size of a body block handed to libmicrohttpd. */
#define BODY_BLOCK_SIZE 32768
/* Idle keep-alive connections are closed after this long. */
#define IDLE_TIMEOUT_SECONDS 120
#define LISTEN_BACKLOG 4096
/* Connections beyond this are refused even if file descriptors allow more. */
#define CONNECTION_LIMIT_MAX 65536

/* ------------------------------------------------------------------------ */
/* The timer: suspended connections and the deadlines that resume them.     */

struct parked {
    struct MHD_Connection *conn;
    int fd;
};

struct timer {
    pthread_mutex_t lock;
    pthread_cond_t wake;
    pthread_t thread;
    bool running;
    bool stopping;         /* no connection may be suspended any more */
    struct server_heap heap; /* suspended until their deadline */
    struct parked *parked; /* /fault/hang: suspended until the client leaves */
    size_t nparked, capparked;
    struct pollfd *pollfds;
    size_t cappollfds;
    struct head_watch *watches; /* every connection, for its request deadline */
    double request_timeout;
    double next_scan;           /* when the deadlines are looked at next */
};

/* A connection and the deadline of the request it is receiving: armed when
 * the connection starts and when a response on it completes, disarmed once
 * a request has arrived whole. Lives from libmicrohttpd's "connection
 * started" notification to its "closed" one. */
struct head_watch {
    struct head_watch *prev, *next;
    int fd;
    double deadline; /* INFINITY: not armed */
};

static struct timespec to_timespec(double seconds)
{
    struct timespec ts;
    ts.tv_sec = (time_t)seconds;
    ts.tv_nsec = (long)((seconds - (double)ts.tv_sec) * 1e9);
    if (ts.tv_nsec >= 1000000000L) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000L;
    }
    return ts;
}

/* Suspends conn until deadline. Called from libmicrohttpd's thread, in the
 * access handler or a content reader (the only places suspending is safe).
 * False when the server is stopping or memory ran out: the caller then ends
 * the request instead. */
static bool timer_suspend_until(struct timer *t, struct MHD_Connection *conn, double deadline)
{
    bool ok = false;

    pthread_mutex_lock(&t->lock);
    /* Suspend under the lock: the timer can never resume a connection that
     * is not suspended yet, and stopping cannot miss one. */
    if (!t->stopping && server_heap_reserve(&t->heap)) {
        MHD_suspend_connection(conn);
        server_heap_push(&t->heap, (struct waiter){deadline, conn});
        if (t->heap.items[0].conn == conn)
            pthread_cond_signal(&t->wake); /* a new earliest deadline */
        ok = true;
    }
    pthread_mutex_unlock(&t->lock);
    return ok;
}

/* Room for one more parked connection and its pollfd. */
static bool room_to_park(struct timer *t)
{
    struct parked *parked = grow(t->parked, &t->capparked, t->nparked + 1, sizeof *parked, 64);
    if (!parked)
        return false;
    t->parked = parked;
    struct pollfd *pollfds = grow(t->pollfds, &t->cappollfds, t->nparked + 1, sizeof *pollfds, 64);
    if (!pollfds)
        return false;
    t->pollfds = pollfds;
    return true;
}

/* Suspends conn with no deadline: until its client hangs up. */
static bool timer_park(struct timer *t, struct MHD_Connection *conn, int fd)
{
    bool ok = false;

    pthread_mutex_lock(&t->lock);
    if (!t->stopping && fd >= 0 &&
        room_to_park(t)) {
        MHD_suspend_connection(conn);
        t->parked[t->nparked++] = (struct parked){conn, fd};
        pthread_cond_signal(&t->wake); /* start watching it */
        ok = true;
    }
    pthread_mutex_unlock(&t->lock);
    return ok;
}

/* Resumes the parked connections whose client has gone (libmicrohttpd does
 * not watch a suspended socket). Only looks: never reads the socket. */
static void resume_departed(struct timer *t)
{
    for (size_t i = 0; i < t->nparked; i++)
        t->pollfds[i] = (struct pollfd){.fd = t->parked[i].fd, .events = POLLRDHUP};
    if (poll(t->pollfds, t->nparked, 0) <= 0)
        return;
    size_t kept = 0;
    for (size_t i = 0; i < t->nparked; i++) {
        if (t->pollfds[i].revents & (POLLRDHUP | POLLHUP | POLLERR | POLLNVAL))
            MHD_resume_connection(t->parked[i].conn);
        else
            t->parked[kept++] = t->parked[i];
    }
    t->nparked = kept;
}

static void resume_all(struct timer *t)
{
    while (t->heap.n > 0)
        MHD_resume_connection(server_heap_pop(&t->heap).conn);
    for (size_t i = 0; i < t->nparked; i++)
        MHD_resume_connection(t->parked[i].conn);
    t->nparked = 0;
}

/* How often the request deadlines are looked at: a tenth of the timeout,
 * between 10 ms and 1 s, so a deadline is kept to within about 10%. */
static double scan_interval(const struct timer *t)
{
    double every = t->request_timeout / 10;
    return every < 0.01 ? 0.01 : every > 1.0 ? 1.0 : every;
}

/* Closes the connections whose request is late. Only shuts the socket
 * down: libmicrohttpd then reads the end of the stream and closes the
 * connection itself (its "closed" notification removes the watch under
 * this lock, before the descriptor is closed, so it cannot be reused
 * under us). */
static void expire_requests(struct timer *t, double now)
{
    if (!t->watches || now < t->next_scan)
        return;
    for (struct head_watch *w = t->watches; w; w = w->next) {
        if (w->deadline <= now && w->fd >= 0) {
            shutdown(w->fd, SHUT_RDWR);
            w->deadline = INFINITY;
        }
    }
    t->next_scan = now + scan_interval(t);
}

static void *timer_run(void *arg)
{
    struct timer *t = arg;

    pthread_mutex_lock(&t->lock);
    while (!t->stopping) {
        double now = clock_now();
        while (t->heap.n > 0 && t->heap.items[0].deadline <= now)
            MHD_resume_connection(server_heap_pop(&t->heap).conn);
        if (t->nparked > 0)
            resume_departed(t);
        expire_requests(t, now);

        double until = t->heap.n > 0 ? t->heap.items[0].deadline : INFINITY;
        if (t->nparked > 0 && until > now + HANG_POLL_SECONDS)
            until = now + HANG_POLL_SECONDS;
        if (t->watches && until > t->next_scan)
            until = t->next_scan;
        if (isinf(until)) {
            pthread_cond_wait(&t->wake, &t->lock);
        } else {
            struct timespec ts = to_timespec(until);
            pthread_cond_timedwait(&t->wake, &t->lock, &ts);
        }
    }
    /* libmicrohttpd must not be stopped with suspended connections. */
    resume_all(t);
    pthread_mutex_unlock(&t->lock);
    return NULL;
}

static enum cc_status timer_start(struct timer *t, struct cc_err *err)
{
    pthread_condattr_t attr;
    int rc;

    double request_timeout = t->request_timeout;
    memset(t, 0, sizeof *t);
    t->request_timeout = request_timeout;
    pthread_mutex_init(&t->lock, NULL);
    /* deadlines are monotonic: a clock change must not stall a response */
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&t->wake, &attr);
    pthread_condattr_destroy(&attr);
    if ((rc = pthread_create(&t->thread, NULL, timer_run, t)) != 0)
        return cc_error(err, CC_ESYS, "cannot start the timer thread: %s", strerror(rc));
    t->running = true;
    return CC_OK;
}

/* Resumes every suspended connection and ends the timer thread. */
static void timer_stop(struct timer *t)
{
    pthread_mutex_lock(&t->lock);
    t->stopping = true;
    pthread_cond_signal(&t->wake);
    pthread_mutex_unlock(&t->lock);
    if (t->running)
        pthread_join(t->thread, NULL);
    t->running = false;
}

static void timer_free(struct timer *t)
{
    pthread_cond_destroy(&t->wake);
    pthread_mutex_destroy(&t->lock);
    server_heap_free(&t->heap);
    free(t->parked);
    free(t->pollfds);
}

static void watch_arm(struct timer *t, struct head_watch *w)
{
    if (!w)
        return;
    pthread_mutex_lock(&t->lock);
    w->deadline = clock_now() + t->request_timeout;
    pthread_mutex_unlock(&t->lock);
}

static void watch_disarm(struct timer *t, struct head_watch *w)
{
    if (!w)
        return;
    pthread_mutex_lock(&t->lock);
    w->deadline = INFINITY;
    pthread_mutex_unlock(&t->lock);
}

/* libmicrohttpd's connection notifications: the watch of each connection. */
static void on_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
                          enum MHD_ConnectionNotificationCode code)
{
    struct timer *t = cls;
    struct head_watch *w = *socket_context;

    if (code == MHD_CONNECTION_NOTIFY_STARTED) {
        if (!(w = calloc(1, sizeof *w)))
            return; /* no deadline for this one: the idle timeout still holds */
        const union MHD_ConnectionInfo *info =
            MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
        w->fd = info ? info->connect_fd : -1;
        pthread_mutex_lock(&t->lock);
        w->deadline = clock_now() + t->request_timeout;
        w->next = t->watches;
        if (t->watches)
            t->watches->prev = w;
        else
            pthread_cond_signal(&t->wake); /* the first: schedule the scans */
        t->watches = w;
        pthread_mutex_unlock(&t->lock);
        *socket_context = w;
    } else if (code == MHD_CONNECTION_NOTIFY_CLOSED && w) {
        pthread_mutex_lock(&t->lock);
        if (w->prev)
            w->prev->next = w->next;
        else
            t->watches = w->next;
        if (w->next)
            w->next->prev = w->prev;
        pthread_mutex_unlock(&t->lock);
        free(w);
        *socket_context = NULL;
    }
}

static struct head_watch *watch_of(struct MHD_Connection *conn)
{
    const union MHD_ConnectionInfo *info =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    return info ? info->socket_context : NULL;
}

/* ------------------------------------------------------------------------ */
/* Requests and responses.                                                  */

struct server {
    struct MHD_Daemon *daemon;
    int listen_fd;
    uint16_t port;
    char url[80];
    double latency;
    FILE *access_log;
    struct timer timer;
    struct server_flaky_table *flaky;
};

enum request_stage {
    STAGE_NEW,     /* headers read; nothing decided yet */
    STAGE_READY,   /* waited what it had to: answer on the next call */
    STAGE_PARKED,  /* /fault/hang: a call means the client left or we stop */
};

struct request {
    struct server_route route;
    bool route_bad; /* answer 400 with route_err */
    struct cc_err route_err;
    enum request_stage stage;
    int fd;
    bool known;          /* set up from its headers (request_new) */
    unsigned reject;     /* 400, 405, 501: a malformed request; 0: none */
    const char *reject_text;
    uintptr_t uri_at;    /* the raw URI in libmicrohttpd's buffer (on_uri) */
    size_t uri_length;   /* its length as a C string: shorter if it holds a NUL */
};

/* A /drip body: owned by its response, freed with it. */
struct drip_body {
    struct timer *timer;
    struct MHD_Connection *conn;
    struct server_drip drip;
    double started; /* < 0 until the first byte is asked for */
};

static ssize_t read_stream(void *cls, uint64_t pos, char *buf, size_t max)
{
    (void)cls;
    /* libmicrohttpd never asks beyond the advertised size */
    server_fill_bytes(pos, buf, max);
    return (ssize_t)max;
}

/* /fault/reset: the first SERVER_RESET_AFTER bytes, then a reset while the
 * client still expects more. SO_LINGER 0 alone is not enough: libmicrohttpd
 * shuts the socket down for writing before it closes it, so a FIN would
 * reach the client first and it would see a short body, not a reset.
 * connect(AF_UNSPEC) disconnects at once, and on Linux that sends the RST. */
static ssize_t read_then_reset(void *cls, uint64_t pos, char *buf, size_t max)
{
    if (pos >= SERVER_RESET_AFTER) {
        int fd = (int)(intptr_t)cls;
        struct linger abort_on_close = {.l_onoff = 1, .l_linger = 0};
        struct sockaddr unspec = {.sa_family = AF_UNSPEC};
        setsockopt(fd, SOL_SOCKET, SO_LINGER, &abort_on_close, sizeof abort_on_close);
        connect(fd, &unspec, sizeof unspec);
        return MHD_CONTENT_READER_END_WITH_ERROR;
    }
    size_t n = SERVER_RESET_AFTER - pos < max ? (size_t)(SERVER_RESET_AFTER - pos) : max;
    server_fill_bytes(pos, buf, n);
    return (ssize_t)n;
}

/* /drip: what is due by now; otherwise suspend until the next byte is. */
static ssize_t read_drip(void *cls, uint64_t pos, char *buf, size_t max)
{
    struct drip_body *d = cls;
    double now = clock_now();

    if (d->started < 0)
        d->started = now;
    struct server_drip_step step = server_drip_next(&d->drip, pos, now - d->started);
    if (step.send > 0) {
        size_t n = step.send < max ? (size_t)step.send : max;
        server_fill_bytes(pos, buf, n);
        return (ssize_t)n;
    }
    double next = d->started + step.wake_at;
    /* rounding must never make this a busy loop */
    if (next < now + DRIP_MIN_WAIT_SECONDS)
        next = now + DRIP_MIN_WAIT_SECONDS;
    if (!timer_suspend_until(d->timer, d->conn, next))
        return MHD_CONTENT_READER_END_WITH_ERROR;
    return 0; /* suspended: called again once resumed */
}

static struct MHD_Response *text_response(const char *text)
{
    return MHD_create_response_from_buffer(strlen(text), (void *)text, MHD_RESPMEM_MUST_COPY);
}

static const char index_text[] =
    "concur serve: an HTTP latency server for benchmarks\n"
    "\n"
    "/bytes/N                       N bytes of deterministic content\n"
    "/delay/SECONDS                 extra delay before the response\n"
    "/status/CODE                   that status (200-599)\n"
    "/drip?numbytes=N&duration=S    N bytes spread over S seconds\n"
    "/fault/reset                   part of the body, then a connection reset\n"
    "/fault/hang                    never answered\n"
    "/fault/redirect-loop           302 to itself, forever\n"
    "/fault/huge                    a 1 TiB body\n"
    "/flaky/KEY/N?retry-after=S     503 for the first N requests of KEY, then 200 ok\n";

/* The response for a drip request, or a 400 when its parameters are bad. */
static struct MHD_Response *drip_response(struct server *server, struct MHD_Connection *conn,
                                          unsigned *code)
{
    struct server_drip drip;
    struct cc_err err;
    const char *numbytes = MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "numbytes");
    const char *duration = MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "duration");

    if (server_drip_parse(numbytes, duration, &drip, &err) != CC_OK) {
        *code = MHD_HTTP_BAD_REQUEST;
        strncat(err.msg, "\n", sizeof err.msg - strlen(err.msg) - 1);
        return text_response(err.msg);
    }
    struct drip_body *d = malloc(sizeof *d);
    if (!d)
        return NULL;
    *d = (struct drip_body){&server->timer, conn, drip, -1.0};
    struct MHD_Response *r = MHD_create_response_from_callback(drip.bytes, BODY_BLOCK_SIZE,
                                                               read_drip, d, free);
    if (!r)
        free(d);
    return r;
}

/* /flaky/KEY/N: 503 (with Retry-After when asked) for the first N requests
 * of KEY, 200 "ok" after; a bad retry-after is a 400 and is not counted. */
static struct MHD_Response *flaky_response(struct server *server, struct MHD_Connection *conn,
                                           const struct server_route *route, unsigned *code)
{
    struct cc_err err;
    long retry_after;
    const char *text = MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "retry-after");

    if (server_flaky_retry_after(text, &retry_after, &err) != CC_OK) {
        *code = MHD_HTTP_BAD_REQUEST;
        strncat(err.msg, "\n", sizeof err.msg - strlen(err.msg) - 1);
        return text_response(err.msg);
    }
    uint64_t before = server_flaky_hit(server->flaky, route->key);
    if (before >= route->failures)
        return text_response("ok");

    char body[SERVER_FLAKY_KEY_MAX + 96], header[32];
    snprintf(body, sizeof body, "503 Service Unavailable (flaky %s: failure %llu of %llu)\n",
             route->key, (unsigned long long)before + 1, (unsigned long long)route->failures);
    *code = MHD_HTTP_SERVICE_UNAVAILABLE;
    struct MHD_Response *r = text_response(body);
    if (r && retry_after >= 0) {
        snprintf(header, sizeof header, "%ld", retry_after);
        if (MHD_add_response_header(r, MHD_HTTP_HEADER_RETRY_AFTER, header) != MHD_YES) {
            MHD_destroy_response(r);
            r = NULL;
        }
    }
    return r;
}

static struct MHD_Response *status_response(unsigned code)
{
    /* these statuses never carry a body */
    if (code == MHD_HTTP_NO_CONTENT || code == MHD_HTTP_NOT_MODIFIED)
        return text_response("");
    char text[128];
    const char *phrase = MHD_get_reason_phrase_for(code);
    /* libmicrohttpd names the registered codes only (not 418, not 599) */
    if (strcmp(phrase, "Unknown") == 0)
        phrase = "";
    snprintf(text, sizeof text, "%u %s\n", code, phrase);
    return text_response(text);
}

/* A malformed request's answer. A 400 closes the connection: where a
 * request was malformed, the next one cannot be trusted to start where
 * this one ends. */
static struct MHD_Response *reject_response(const struct request *req, unsigned *code)
{
    struct MHD_Response *r = text_response(req->reject_text);
    enum MHD_Result ok = MHD_YES;

    *code = req->reject;
    if (r && req->reject == MHD_HTTP_METHOD_NOT_ALLOWED)
        ok = MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
    if (r && ok == MHD_YES && req->reject == MHD_HTTP_BAD_REQUEST)
        ok = MHD_add_response_header(r, MHD_HTTP_HEADER_CONNECTION, "close");
    if (r && ok != MHD_YES) {
        MHD_destroy_response(r);
        r = NULL;
    }
    return r;
}

/* Builds the response for req's route and sets *code to its status. */
static struct MHD_Response *make_response(struct server *server, struct MHD_Connection *conn,
                                          struct request *req, unsigned *code)
{
    struct MHD_Response *r = NULL;

    *code = MHD_HTTP_OK;
    if (req->reject)
        return reject_response(req, code);
    if (req->route_bad) {
        *code = MHD_HTTP_BAD_REQUEST;
        strncat(req->route_err.msg, "\n", sizeof req->route_err.msg - strlen(req->route_err.msg) - 1);
        return text_response(req->route_err.msg);
    }
    switch (req->route.kind) {
    case ROUTE_INDEX:
        return text_response(index_text);
    case ROUTE_BYTES:
        return MHD_create_response_from_callback(req->route.bytes, BODY_BLOCK_SIZE,
                                                 read_stream, NULL, NULL);
    case ROUTE_DELAY:
        return text_response("delayed\n");
    case ROUTE_STATUS:
        *code = req->route.status;
        return status_response(req->route.status);
    case ROUTE_DRIP:
        return drip_response(server, conn, code);
    case ROUTE_FAULT_RESET:
        return MHD_create_response_from_callback(SERVER_RESET_BYTES, BODY_BLOCK_SIZE,
                                                 read_then_reset, (void *)(intptr_t)req->fd, NULL);
    case ROUTE_FAULT_REDIRECT_LOOP:
        *code = MHD_HTTP_FOUND;
        r = text_response("redirecting to myself\n");
        if (r && MHD_add_response_header(r, MHD_HTTP_HEADER_LOCATION, "/fault/redirect-loop") != MHD_YES) {
            MHD_destroy_response(r);
            r = NULL;
        }
        return r;
    case ROUTE_FAULT_HUGE:
        return MHD_create_response_from_callback(SERVER_HUGE_BYTES, BODY_BLOCK_SIZE,
                                                 read_stream, NULL, NULL);
    case ROUTE_FLAKY:
        return flaky_response(server, conn, &req->route, code);
    case ROUTE_FAULT_HANG: /* never answered: handled before */
    case ROUTE_NOT_FOUND:
        break;
    }
    *code = MHD_HTTP_NOT_FOUND;
    return text_response("not found (see /)\n");
}

static enum MHD_Result respond(struct server *server, struct MHD_Connection *conn,
                               const char *url, const char *method, struct request *req)
{
    unsigned code;
    struct MHD_Response *r = make_response(server, conn, req, &code);

    if (!r)
        return MHD_NO; /* out of memory: close the connection */
    const char *type = req->route.kind == ROUTE_BYTES || req->route.kind == ROUTE_FAULT_HUGE ||
                               req->route.kind == ROUTE_DRIP || req->route.kind == ROUTE_FAULT_RESET
                           ? "application/octet-stream"
                           : "text/plain; charset=utf-8";
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
    enum MHD_Result result = MHD_queue_response(conn, code, r);
    MHD_destroy_response(r);
    if (server->access_log) /* a malformed method is not printed raw */
        fprintf(server->access_log, "%s %s %u\n",
                server_method_status(method) == 400 ? "-" : method, url, code);
    return result;
}

/* The first decision on a complete request: wait, park, or answer now. */
static enum MHD_Result begin(struct server *server, struct MHD_Connection *conn,
                             const char *url, const char *method, struct request *req)
{
    watch_disarm(&server->timer, watch_of(conn)); /* it arrived whole */
    if (req->reject) { /* answered at once: it asked for nothing */
        req->stage = STAGE_READY;
        return respond(server, conn, url, method, req);
    }
    if (!req->route_bad && req->route.kind == ROUTE_FAULT_HANG) {
        req->stage = STAGE_PARKED;
        return timer_park(&server->timer, conn, req->fd) ? MHD_YES : MHD_NO;
    }
    double wait = server->latency;
    if (!req->route_bad && req->route.kind == ROUTE_DELAY)
        wait += req->route.delay;
    req->stage = STAGE_READY;
    if (wait > 0)
        return timer_suspend_until(&server->timer, conn, clock_now() + wait) ? MHD_YES : MHD_NO;
    return respond(server, conn, url, method, req);
}

/* libmicrohttpd's URI log callback, called once per request as soon as its
 * first line has arrived: the request object starts here, while the raw URI
 * can still be measured (the URL given to on_request is cut at a NUL). */
static void *on_uri(void *cls, const char *uri, struct MHD_Connection *conn)
{
    (void)cls;
    (void)conn;
    struct request *req = calloc(1, sizeof *req);
    if (req && uri) {
        req->uri_at = (uintptr_t)uri;
        req->uri_length = strlen(uri);
    }
    return req; /* NULL: on_request makes one, without the NUL check */
}

/* The raw URI ends where the version begins (libmicrohttpd ends it with a
 * NUL at the space before the version); a C string shorter than that held
 * a NUL byte. */
static bool uri_holds_nul(const struct request *req, const char *version)
{
    uintptr_t end = (uintptr_t)version;
    if (!req->uri_at || !version[0] || end <= req->uri_at || end - req->uri_at > (1u << 20))
        return false;
    return end - 1 - req->uri_at > req->uri_length;
}

/* What makes a request malformed, whatever its route: its method, a
 * missing Host (required in HTTP/1.1), a NUL in its target. */
static void check_request(struct MHD_Connection *conn, const char *method, const char *version,
                          struct request *req)
{
    unsigned status = server_method_status(method);

    if (status == 400) {
        req->reject_text = "400 Bad Request: the method is not a token\n";
    } else if (uri_holds_nul(req, version)) {
        status = 400;
        req->reject_text = "400 Bad Request: a NUL byte in the request target\n";
    } else if (!strcmp(version, MHD_HTTP_VERSION_1_1) &&
               !MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_HOST)) {
        status = 400;
        req->reject_text = "400 Bad Request: HTTP/1.1 requires a Host header\n";
    } else if (status == 405) {
        req->reject_text = "405 Method Not Allowed: GET and HEAD only\n";
    } else if (status == 501) {
        req->reject_text = "501 Not Implemented: unknown method\n";
    }
    req->reject = status;
}

static struct request *request_new(struct MHD_Connection *conn, const char *url,
                                   const char *method, const char *version, struct request *req)
{
    if (!req && !(req = calloc(1, sizeof *req)))
        return NULL;
    req->known = true;
    check_request(conn, method, version, req);
    req->route_bad = server_route_parse(url, &req->route, &req->route_err) != CC_OK;
    req->stage = STAGE_NEW;
    const union MHD_ConnectionInfo *info = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
    req->fd = info ? info->connect_fd : -1;
    return req;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version,
                                  const char *upload_data, size_t *upload_data_size,
                                  void **req_cls)
{
    struct server *server = cls;
    struct request *req = *req_cls;

    (void)upload_data;
    if (!req || !req->known) {
        /* headers only so far; the next call comes with the body, if any */
        if (!(req = request_new(conn, url, method, version, req)))
            return MHD_NO;
        *req_cls = req;
        return MHD_YES;
    }
    if (*upload_data_size > 0) {
        *upload_data_size = 0; /* request bodies are read and ignored */
        return MHD_YES;
    }
    switch (req->stage) {
    case STAGE_NEW:
        return begin(server, conn, url, method, req);
    case STAGE_READY:
        return respond(server, conn, url, method, req);
    case STAGE_PARKED:
        break; /* resumed: the client left, or the server stops */
    }
    return MHD_NO;
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **req_cls,
                         enum MHD_RequestTerminationCode why)
{
    struct server *server = cls;
    (void)why;
    /* the next request on this connection has its own deadline */
    watch_arm(&server->timer, watch_of(conn));
    free(*req_cls);
    *req_cls = NULL;
}

/* ------------------------------------------------------------------------ */
/* Start and stop.                                                          */

/* Every connection is a file descriptor: take all the kernel allows us.
 * Returns the number of connections to admit. */
static unsigned connection_limit(void)
{
    struct rlimit lim;
    rlim_t soft = 1024;

    if (getrlimit(RLIMIT_NOFILE, &lim) == 0) {
        soft = lim.rlim_cur;
        if (lim.rlim_cur < lim.rlim_max) {
            lim.rlim_cur = lim.rlim_max;
            if (setrlimit(RLIMIT_NOFILE, &lim) == 0)
                soft = lim.rlim_cur;
        }
    }
    /* keep some descriptors for everything else the process opens */
    rlim_t usable = soft > 128 ? soft - 64 : soft / 2;
    return usable > CONNECTION_LIMIT_MAX ? CONNECTION_LIMIT_MAX : (unsigned)usable;
}

/* "127.0.0.1:8080" or "[::1]:8080", for URLs and messages. */
static void format_endpoint(const struct sockaddr_storage *addr, char *out, size_t size)
{
    char host[INET6_ADDRSTRLEN] = "?";

    if (addr->ss_family == AF_INET6) {
        const struct sockaddr_in6 *v6 = (const struct sockaddr_in6 *)addr;
        inet_ntop(AF_INET6, &v6->sin6_addr, host, sizeof host);
        snprintf(out, size, "[%s]:%u", host, (unsigned)ntohs(v6->sin6_port));
    } else {
        const struct sockaddr_in *v4 = (const struct sockaddr_in *)addr;
        inet_ntop(AF_INET, &v4->sin_addr, host, sizeof host);
        snprintf(out, size, "%s:%u", host, (unsigned)ntohs(v4->sin_port));
    }
}

/* Our own listen socket, so that a port in use or a foreign address gets a
 * precise message (libmicrohttpd only says that it failed). */
static enum cc_status open_listener(struct sockaddr_storage *addr, socklen_t addrlen,
                                    int *out, struct cc_err *err)
{
    char where[INET6_ADDRSTRLEN + 16];
    int one = 1;
    int fd = socket(addr->ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);

    format_endpoint(addr, where, sizeof where);
    if (fd < 0)
        return cc_error(err, CC_ESYS, "cannot open a socket: %s", strerror(errno));
    /* a restart may reuse a port whose old connections are in TIME_WAIT;
     * it never lets two servers listen on one port */
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(fd, (struct sockaddr *)addr, addrlen) != 0) {
        int e = errno;
        close(fd);
        if (e == EADDRINUSE)
            return cc_error(err, CC_ESYS, "cannot listen on %s: the port is already in use", where);
        if (e == EADDRNOTAVAIL)
            return cc_error(err, CC_EINPUT, "--bind: %s is not an address of this machine", where);
        return cc_error(err, CC_ESYS, "cannot listen on %s: %s", where, strerror(e));
    }
    if (listen(fd, LISTEN_BACKLOG) != 0) {
        int e = errno;
        close(fd);
        return cc_error(err, CC_ESYS, "cannot listen on %s: %s", where, strerror(e));
    }
    socklen_t len = sizeof *addr;
    getsockname(fd, (struct sockaddr *)addr, &len);
    *out = fd;
    return CC_OK;
}

enum cc_status server_start(const struct server_config *config,
                            struct server **out, struct cc_err *err)
{
    struct sockaddr_storage addr;
    socklen_t addrlen;
    enum cc_status status;

    *out = NULL;
    status = server_parse_bind(config->bind ? config->bind : "127.0.0.1", config->port,
                               &addr, &addrlen, err);
    if (status != CC_OK)
        return status;

    struct server *server = calloc(1, sizeof *server);
    if (!server)
        return cc_error(err, CC_ESYS, "out of memory");
    server->listen_fd = -1;
    server->latency = config->latency;
    server->access_log = config->access_log;
    unsigned limit = connection_limit();
    server->timer.request_timeout = config->request_timeout > 0 ? config->request_timeout
                                                                : SERVER_REQUEST_TIMEOUT_DEFAULT;

    if ((status = open_listener(&addr, addrlen, &server->listen_fd, err)) != CC_OK) {
        free(server);
        return status;
    }
    char endpoint[INET6_ADDRSTRLEN + 16];
    format_endpoint(&addr, endpoint, sizeof endpoint);
    snprintf(server->url, sizeof server->url, "%s://%s/", config->tls_cert_pem ? "https" : "http", endpoint);
    server->port = addr.ss_family == AF_INET6 ? ntohs(((struct sockaddr_in6 *)&addr)->sin6_port)
                                              : ntohs(((struct sockaddr_in *)&addr)->sin_port);

    if (!(server->flaky = server_flaky_new(SERVER_FLAKY_KEYS))) {
        close(server->listen_fd);
        free(server);
        return cc_error(err, CC_ESYS, "out of memory");
    }
    if ((status = timer_start(&server->timer, err)) != CC_OK) {
        close(server->listen_fd);
        timer_free(&server->timer);
        server_flaky_free(server->flaky);
        free(server);
        return status;
    }

    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME;
    if (addr.ss_family == AF_INET6)
        flags |= MHD_USE_IPv6;
    if (config->access_log)
        flags |= MHD_USE_ERROR_LOG;
    /* --tls: libmicrohttpd's GnuTLS; every route and fault works the same */
    struct MHD_OptionItem tls[] = {
        {MHD_OPTION_HTTPS_MEM_KEY, 0, (void *)config->tls_key_pem},
        {MHD_OPTION_HTTPS_MEM_CERT, 0, (void *)config->tls_cert_pem},
        {MHD_OPTION_END, 0, NULL},
    };
    if (config->tls_cert_pem)
        flags |= MHD_USE_TLS;
    server->daemon = MHD_start_daemon(flags, 0, NULL, NULL, on_request, server,
                                      MHD_OPTION_LISTEN_SOCKET, (MHD_socket)server->listen_fd,
                                      MHD_OPTION_CONNECTION_LIMIT, limit,
                                      MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)IDLE_TIMEOUT_SECONDS,
                                      MHD_OPTION_NOTIFY_COMPLETED, on_completed, server,
                                      MHD_OPTION_NOTIFY_CONNECTION, on_connection, &server->timer,
                                      MHD_OPTION_URI_LOG_CALLBACK, on_uri, server,
                                      MHD_OPTION_ARRAY, config->tls_cert_pem ? tls : tls + 2,
                                      MHD_OPTION_END);
    if (!server->daemon) {
        server_stop(server);
        return cc_error(err, CC_ESYS, "cannot start the HTTP server (libmicrohttpd) on %s", endpoint);
    }
    *out = server;
    return CC_OK;
}

uint16_t server_port(const struct server *server)
{
    return server->port;
}

const char *server_url(const struct server *server)
{
    return server->url;
}

void server_stop(struct server *server)
{
    if (!server)
        return;
    /* resume every suspended connection first: libmicrohttpd requires it */
    timer_stop(&server->timer);
    if (server->daemon)
        MHD_stop_daemon(server->daemon); /* closes the listen socket too */
    else if (server->listen_fd >= 0)
        close(server->listen_fd);
    timer_free(&server->timer);
    server_flaky_free(server->flaky);
    free(server);
}
