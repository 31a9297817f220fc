/* The server's pure parts (see server_routes.h): no sockets, no
 * libmicrohttpd, so the unit tests call them directly. */
#include "server_routes.h"

#include <arpa/inet.h>
#include <math.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "num.h"

/* The value after prefix in path, or NULL if path does not start with it. */
static const char *after_prefix(const char *path, const char *prefix)
{
    size_t n = strlen(prefix);
    return strncmp(path, prefix, n) == 0 ? path + n : NULL;
}

/* A /flaky key names a counter, so it is kept to characters that need no
 * escaping in a URL, a log line or a message. */
static bool flaky_key_char(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
           c == '.' || c == '_' || c == '-';
}

/* "KEY/N", what follows /flaky/. */
static enum cc_status parse_flaky(const char *arg, struct server_route *out, struct cc_err *err)
{
    const char *slash = strchr(arg, '/');
    size_t keylen = slash ? (size_t)(slash - arg) : strlen(arg);

    if (!slash)
        return cc_error(err, CC_EINPUT, "/flaky/KEY/N: '%s' lacks the /N", arg);
    if (keylen == 0 || keylen > SERVER_FLAKY_KEY_MAX)
        return cc_error(err, CC_EINPUT, "/flaky/KEY/N: the key must have 1 to %d characters",
                        SERVER_FLAKY_KEY_MAX);
    for (size_t i = 0; i < keylen; i++) {
        if (!flaky_key_char(arg[i]))
            return cc_error(err, CC_EINPUT,
                            "/flaky/KEY/N: the key '%.*s' may hold only letters, digits, '.', '_' and '-'",
                            (int)keylen, arg);
    }
    memcpy(out->key, arg, keylen);
    out->key[keylen] = '\0';
    return num_parse_u64("/flaky/KEY/N", slash + 1, SERVER_FLAKY_FAILURES_MAX, &out->failures, err);
}

static const struct {
    const char *path;
    enum server_route_kind kind;
} fixed_routes[] = {
    {"/", ROUTE_INDEX},
    {"/drip", ROUTE_DRIP},
    {"/fault/reset", ROUTE_FAULT_RESET},
    {"/fault/hang", ROUTE_FAULT_HANG},
    {"/fault/redirect-loop", ROUTE_FAULT_REDIRECT_LOOP},
    {"/fault/huge", ROUTE_FAULT_HUGE},
};

enum cc_status server_route_parse(const char *path, struct server_route *out,
                                  struct cc_err *err)
{
    /* Peers make URLs unique with "?i=N": routing looks at the path only. */
    char p[512];
    size_t len = strcspn(path, "?#");
    const char *arg;

    memset(out, 0, sizeof *out);
    out->kind = ROUTE_NOT_FOUND;
    if (len >= sizeof p)
        return CC_OK; /* no route is that long */
    memcpy(p, path, len);
    p[len] = '\0';

    for (size_t i = 0; i < sizeof fixed_routes / sizeof fixed_routes[0]; i++) {
        if (strcmp(p, fixed_routes[i].path) == 0) {
            out->kind = fixed_routes[i].kind;
            return CC_OK;
        }
    }
    if ((arg = after_prefix(p, "/bytes/"))) {
        out->kind = ROUTE_BYTES;
        return num_parse_u64("/bytes/N", arg, SERVER_BYTES_MAX, &out->bytes, err);
    }
    if ((arg = after_prefix(p, "/delay/"))) {
        out->kind = ROUTE_DELAY;
        return num_parse_duration("/delay/SECONDS", arg, SERVER_DELAY_MAX, &out->delay, err);
    }
    if ((arg = after_prefix(p, "/flaky/"))) {
        out->kind = ROUTE_FLAKY;
        return parse_flaky(arg, out, err);
    }
    if ((arg = after_prefix(p, "/status/"))) {
        uint64_t code;
        enum cc_status status = num_parse_u64("/status/CODE", arg, 599, &code, err);
        out->kind = ROUTE_STATUS;
        if (status != CC_OK)
            return status;
        /* 1xx are interim answers, not a response a client can end with */
        if (code < 200)
            return cc_error(err, CC_EINPUT, "/status/CODE: '%s' is not a status from 200 to 599", arg);
        out->status = (unsigned)code;
        return CC_OK;
    }
    return CC_OK;
}

enum cc_status server_flaky_retry_after(const char *text, long *seconds, struct cc_err *err)
{
    uint64_t value;

    *seconds = -1;
    if (!text)
        return CC_OK;
    /* delta-seconds only: an HTTP date would make a test depend on clocks */
    enum cc_status status = num_parse_u64("retry-after", text, SERVER_FLAKY_RETRY_AFTER_MAX,
                                          &value, err);
    if (status == CC_OK)
        *seconds = (long)value;
    return status;
}

/* ------------------------------------------------------------------------ */
/* The /flaky table.                                                        */

struct flaky_entry {
    char key[SERVER_FLAKY_KEY_MAX + 1];
    uint64_t seen; /* requests so far */
    uint64_t used; /* the table's clock at the last request: LRU order */
};

struct server_flaky_table {
    pthread_mutex_t lock;
    size_t capacity, n;
    uint64_t clock;
    struct flaky_entry entries[];
};

struct server_flaky_table *server_flaky_new(size_t capacity)
{
    if (capacity == 0)
        capacity = 1;
    struct server_flaky_table *t = calloc(1, sizeof *t + capacity * sizeof t->entries[0]);
    if (!t)
        return NULL;
    if (pthread_mutex_init(&t->lock, NULL) != 0) {
        free(t);
        return NULL;
    }
    t->capacity = capacity;
    return t;
}

void server_flaky_free(struct server_flaky_table *table)
{
    if (!table)
        return;
    pthread_mutex_destroy(&table->lock);
    free(table);
}

/* The entry for key, made (or taken from the least recently used key) if
 * there is none. A linear search: the table is small and a /flaky request
 * is a test's, never a benchmark's, so simplicity wins over a hash. */
static struct flaky_entry *flaky_find(struct server_flaky_table *t, const char *key)
{
    struct flaky_entry *oldest = NULL;

    for (size_t i = 0; i < t->n; i++) {
        struct flaky_entry *e = &t->entries[i];
        if (strcmp(e->key, key) == 0)
            return e;
        if (!oldest || e->used < oldest->used)
            oldest = e;
    }
    struct flaky_entry *e = t->n < t->capacity ? &t->entries[t->n++] : oldest;
    snprintf(e->key, sizeof e->key, "%s", key);
    e->seen = 0;
    return e;
}

uint64_t server_flaky_hit(struct server_flaky_table *table, const char *key)
{
    pthread_mutex_lock(&table->lock);
    struct flaky_entry *e = flaky_find(table, key);
    uint64_t before = e->seen;
    if (e->seen < UINT64_MAX)
        e->seen++;
    e->used = ++table->clock;
    pthread_mutex_unlock(&table->lock);
    return before;
}

enum cc_status server_drip_parse(const char *numbytes, const char *duration,
                                 struct server_drip *out, struct cc_err *err)
{
    enum cc_status status;

    out->bytes = SERVER_DRIP_BYTES;
    out->seconds = SERVER_DRIP_SECONDS;
    if (numbytes) {
        status = num_parse_u64("numbytes", numbytes, SERVER_BYTES_MAX, &out->bytes, err);
        if (status != CC_OK)
            return status;
    }
    if (duration)
        return num_parse_duration("duration", duration, SERVER_DELAY_MAX, &out->seconds, err);
    return CC_OK;
}

/* A duration that cannot pace (not a positive finite number of seconds,
 * which the parser never gives but a caller might) sends everything at once. */
static bool drip_paced(const struct server_drip *drip)
{
    return drip->seconds > 0 && isfinite(drip->seconds);
}

uint64_t server_drip_due(const struct server_drip *drip, double elapsed)
{
    if (!drip_paced(drip) || elapsed >= drip->seconds)
        return drip->bytes;
    if (!(elapsed > 0)) /* NaN too */
        return 0;
    /* bytes <= 2^30: double is exact enough; the epsilon makes a byte due
     * at the very time server_drip_next computed for it */
    double share = elapsed / drip->seconds; /* in (0, 1): the product cannot overflow */
    double due = floor((double)drip->bytes * share + 1e-9);
    return due < (double)drip->bytes ? (uint64_t)due : drip->bytes;
}

struct server_drip_step server_drip_next(const struct server_drip *drip, uint64_t pos,
                                         double elapsed)
{
    struct server_drip_step step = {0, 0.0};
    uint64_t due = server_drip_due(drip, elapsed);
    if (pos >= drip->bytes)
        return step;

    double per_step = drip_paced(drip) ? (double)drip->bytes * SERVER_DRIP_STEP / drip->seconds : 0;
    /* a tiny duration makes per_step huge (1e34 for 1e-36 s): compare
     * before converting, a double beyond uint64_t's range is UB to cast */
    uint64_t chunk = per_step >= (double)drip->bytes ? drip->bytes
                     : per_step > 1                  ? (uint64_t)ceil(per_step)
                                                     : 1;
    uint64_t target = drip->bytes - pos < chunk ? drip->bytes : pos + chunk;

    if (due >= target || due == drip->bytes) {
        step.send = due - pos;
        return step;
    }
    step.wake_at = drip->seconds * ((double)target / (double)drip->bytes); /* no overflow */
    return step;
}

/* RFC 9110, 5.6.2: tchar = "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" /
 * "-" / "." / "^" / "_" / "`" / "|" / "~" / DIGIT / ALPHA */
static bool token_char(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
           (c != 0 && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

unsigned server_method_status(const char *method)
{
    static const char *const served[] = {"GET", "HEAD"};
    static const char *const others[] = {"POST", "PUT", "DELETE", "CONNECT", "OPTIONS",
                                         "TRACE", "PATCH"};

    if (!method || !*method)
        return 400;
    for (const unsigned char *p = (const unsigned char *)method; *p; p++)
        if (!token_char(*p))
            return 400;
    /* methods are case-sensitive: "get" is not GET */
    for (size_t i = 0; i < sizeof served / sizeof served[0]; i++)
        if (!strcmp(method, served[i]))
            return 0;
    for (size_t i = 0; i < sizeof others / sizeof others[0]; i++)
        if (!strcmp(method, others[i]))
            return 405;
    return 501;
}

/* splitmix64's finaliser: a cheap, well-mixed function of the block index. */
static uint64_t mix64(uint64_t x)
{
    x += UINT64_C(0x9e3779b97f4a7c15);
    x = (x ^ (x >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    x = (x ^ (x >> 27)) * UINT64_C(0x94d049bb133111eb);
    return x ^ (x >> 31);
}

void server_fill_bytes(uint64_t offset, char *buf, size_t len)
{
    /* Printable, so a body on a terminal does no harm; 6 bits per byte, 8
     * bytes from each 64-bit word of the stream. */
    static const char alphabet[64] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    size_t i = 0;

    while (i < len) {
        uint64_t at = offset + i;
        uint64_t word = mix64(at / 8);
        for (unsigned lane = (unsigned)(at % 8); lane < 8 && i < len; lane++, i++)
            buf[i] = alphabet[(word >> (6 * lane)) & 63];
    }
}

enum cc_status server_parse_bind(const char *text, uint16_t port,
                                 struct sockaddr_storage *out, socklen_t *outlen,
                                 struct cc_err *err)
{
    const char *address = strcmp(text, "localhost") == 0 ? "127.0.0.1" : text;
    struct sockaddr_in *v4 = (struct sockaddr_in *)out;
    struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)out;

    memset(out, 0, sizeof *out);
    if (inet_pton(AF_INET, address, &v4->sin_addr) == 1) {
        v4->sin_family = AF_INET;
        v4->sin_port = htons(port);
        *outlen = sizeof *v4;
        return CC_OK;
    }
    if (inet_pton(AF_INET6, address, &v6->sin6_addr) == 1) {
        v6->sin6_family = AF_INET6;
        v6->sin6_port = htons(port);
        *outlen = sizeof *v6;
        return CC_OK;
    }
    /* Names are not resolved: a lookup could wait on a DNS server that is
     * not there, and a benchmark should say exactly where it listens. */
    return cc_error(err, CC_EINPUT,
                    "--bind: '%s' is not an IPv4 or IPv6 address (e.g. 127.0.0.1, ::1, 0.0.0.0)",
                    text);
}
