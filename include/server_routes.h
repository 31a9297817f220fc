/* The latency server's pure parts: routes in the manner of httpbin and
 * their parameters, the /flaky memory, drip pacing, body content and listen
 * addresses. server.c serves them; the unit tests call them directly. */
#ifndef CONCUR_SERVER_ROUTES_H
#define CONCUR_SERVER_ROUTES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "status.h"

/* Limits that keep one request from tying the server up for long. */
#define SERVER_BYTES_MAX (UINT64_C(1) << 30)   /* /bytes/N and drip numbytes: 1 GiB */
#define SERVER_DELAY_MAX 60.0                  /* /delay/S and drip duration, seconds */
#define SERVER_LATENCY_MAX 60.0                /* --latency, seconds */
/* /fault/huge advertises this many bytes (1 TiB), generated as they are sent. */
#define SERVER_HUGE_BYTES (UINT64_C(1) << 40)
/* /fault/reset advertises this many bytes, sends the first part, then resets. */
#define SERVER_RESET_BYTES 65536
#define SERVER_RESET_AFTER 16384
/* /flaky/KEY/N: a key is 1 to SERVER_FLAKY_KEY_MAX characters from
 * [A-Za-z0-9._-]; N at most SERVER_FLAKY_FAILURES_MAX; the server remembers
 * at most SERVER_FLAKY_KEYS keys (the least recently used is forgotten and
 * starts over); retry-after at most SERVER_FLAKY_RETRY_AFTER_MAX seconds. */
#define SERVER_FLAKY_KEY_MAX 64
#define SERVER_FLAKY_FAILURES_MAX 1000000
#define SERVER_FLAKY_KEYS 1024
#define SERVER_FLAKY_RETRY_AFTER_MAX 3600
/* drip defaults, as httpbin's */
#define SERVER_DRIP_BYTES 10
#define SERVER_DRIP_SECONDS 2.0

enum server_route_kind {
    ROUTE_NOT_FOUND = 0,
    ROUTE_INDEX,
    ROUTE_BYTES,        /* bytes: body length */
    ROUTE_DELAY,        /* delay: extra seconds before the response */
    ROUTE_STATUS,       /* status: the HTTP status to answer */
    ROUTE_DRIP,         /* parameters come from the query string */
    ROUTE_FAULT_RESET,
    ROUTE_FAULT_HANG,
    ROUTE_FAULT_REDIRECT_LOOP,
    ROUTE_FAULT_HUGE,
    ROUTE_FLAKY,        /* flaky: key, failures */
};

struct server_route {
    enum server_route_kind kind;
    uint64_t bytes;
    double delay;
    unsigned status;
    uint64_t failures;                    /* flaky: 503s before the first 200 */
    char key[SERVER_FLAKY_KEY_MAX + 1];   /* flaky: whose requests are counted */
};

/* Maps a request path to its route. A query string ("?i=7") is ignored.
 * Unknown paths are ROUTE_NOT_FOUND with CC_OK; a known route with a bad
 * value (/bytes/abc, /bytes/ above the limit, /status/99) fails with
 * CC_EINPUT and the reason, which the server answers as 400. */
enum cc_status server_route_parse(const char *path, struct server_route *out,
                                  struct cc_err *err);

/* The Retry-After of a /flaky 503, from the query value retry-after (NULL
 * when absent: *seconds is -1, no header): whole seconds, at most
 * SERVER_FLAKY_RETRY_AFTER_MAX. */
enum cc_status server_flaky_retry_after(const char *text, long *seconds, struct cc_err *err);

/* The memory behind /flaky: how many requests each key has had. Bounded:
 * at capacity a new key takes the place of the least recently used one.
 * Safe to call from any thread (a mutex inside). */
struct server_flaky_table;

struct server_flaky_table *server_flaky_new(size_t capacity);
void server_flaky_free(struct server_flaky_table *table);

/* Counts one request with key and returns how many came before it
 * (0 for the first), saturating rather than wrapping. */
uint64_t server_flaky_hit(struct server_flaky_table *table, const char *key);

/* A slow body: bytes spread evenly over seconds. */
struct server_drip {
    uint64_t bytes;
    double seconds;
};

/* The drip parameters from the query values numbytes and duration (each NULL
 * when absent: the defaults). duration is a duration as for --latency
 * ("2", "0.5s", "500ms"). */
enum cc_status server_drip_parse(const char *numbytes, const char *duration,
                                 struct server_drip *out, struct cc_err *err);

/* How many bytes of a drip are due elapsed seconds after it started. */
uint64_t server_drip_due(const struct server_drip *drip, double elapsed);

/* A drip sends in steps of at least SERVER_DRIP_STEP seconds' worth of bytes
 * (one byte at the least), so a large drip does not wake once per byte. */
#define SERVER_DRIP_STEP 0.01

/* What a drip that has sent pos bytes does elapsed seconds after its start:
 * send this many bytes now, or (send == 0) wait until wake_at seconds after
 * the start. */
struct server_drip_step {
    uint64_t send;
    double wake_at;
};
struct server_drip_step server_drip_next(const struct server_drip *drip, uint64_t pos,
                                         double elapsed);

/* How the server answers a request method: 0 when it is served (GET,
 * HEAD), 405 for another method of HTTP (no route allows it), 501 for a
 * token that names no method the server knows, 400 for anything that is
 * not a token (RFC 9110's tchar), such as an empty method or a control
 * character. */
unsigned server_method_status(const char *method);

/* The deterministic body content: bytes offset .. offset+len-1 of the one
 * endless stream every body is cut from (printable, not periodic at short
 * range), so that the same request always gives the same bytes. */
void server_fill_bytes(uint64_t offset, char *buf, size_t len);

/* A listen address: an IPv4 or IPv6 literal, or "localhost" (127.0.0.1). */
enum cc_status server_parse_bind(const char *text, uint16_t port,
                                 struct sockaddr_storage *out, socklen_t *outlen,
                                 struct cc_err *err);

#endif
