/* One transfer's life, below every mode of the download engine: the easy
 * handle's set-up, body accounting (--max-size, --save), the attempt's
 * outcome and error text, and the retry decision with its backoff. */
#include "clock.h"
#include "fetch_impl.h"
#include "tls_trust.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

void fetch_sleep(double seconds)
{
    struct timespec ts = {.tv_sec = (time_t)seconds};
    ts.tv_nsec = (long)((seconds - (double)ts.tv_sec) * 1e9);
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

/* libcurl's write callback: counts the body, enforces --max-size even when
 * no Content-Length announced it, and feeds --save. Returning less than
 * asked makes libcurl stop the transfer with CURLE_WRITE_ERROR. */
static size_t on_body(char *data, size_t size, size_t nmemb, void *userdata)
{
    struct transfer *t = userdata;
    size_t n = size * nmemb;

    if (n > t->opts->max_size - t->received) {
        t->too_big = true;
        return 0;
    }
    t->received += n;
    if (t->save_fd >= 0 && !save_write(t, data, n))
        return 0;
    return n;
}

static long to_ms(double seconds)
{
    return (long)ceil(seconds * 1000.0);
}

enum cc_status transfer_init(struct transfer *t, const struct fetch_options *o,
                             CURLSH *share, struct cc_err *err)
{
    *t = (struct transfer){.opts = o, .save_fd = -1};
    t->easy = curl_easy_init();
    if (!t->easy)
        return cc_error(err, CC_ESYS, "libcurl: cannot create a handle");

    CURL *h = t->easy;
    /* The codes are or-ed: only "all succeeded" matters here, and a failure
     * means a libcurl too old for one of these options. */
    CURLcode code = CURLE_OK;
    /* Threads: no signals (libcurl's DNS timeouts would use SIGALRM). */
    code |= curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    code |= curl_easy_setopt(h, CURLOPT_PRIVATE, t);
    code |= curl_easy_setopt(h, CURLOPT_ERRORBUFFER, t->errbuf);
    code |= curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
    code |= curl_easy_setopt(h, CURLOPT_WRITEDATA, t);
    code |= curl_easy_setopt(h, CURLOPT_USERAGENT, "concur/" CONCUR_VERSION);
    /* The safe defaults; --protocols, --max-redirs ... change them. */
    code |= curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, o->protocols);
    code |= curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, o->protocols);
    code |= curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 1L);
    code |= curl_easy_setopt(h, CURLOPT_MAXREDIRS, o->max_redirs);
    code |= curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, to_ms(o->connect_timeout));
    code |= curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, to_ms(o->timeout));
    code |= curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)o->max_size);
    code |= curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
    code |= curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
    code |= tls_trust_attach(o->trust, h);
    if (share)
        code |= curl_easy_setopt(h, CURLOPT_SHARE, share);
    if (code != CURLE_OK) {
        transfer_cleanup(t);
        return cc_error(err, CC_ESYS, "libcurl refused an option (is it older than 7.85?)");
    }
    return CC_OK;
}

void transfer_cleanup(struct transfer *t)
{
    if (t->easy) /* else never initialised (a zeroed pool entry) */
        save_finish(t, false); /* a temporary file of an attempt cut short */
    if (t->easy)
        curl_easy_cleanup(t->easy);
    t->easy = NULL;
}

static void fail(struct fetch_result *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void fail(struct fetch_result *r, const char *fmt, ...)
{
    va_list ap;
    r->ok = false;
    va_start(ap, fmt);
    vsnprintf(r->error, sizeof r->error, fmt, ap);
    va_end(ap);
}

bool transfer_begin(struct transfer *t, const struct url_entry *entry,
                    struct fetch_result *result, size_t index)
{
    t->index = index;
    t->url = entry->url;
    t->result = result;
    t->received = 0;
    t->too_big = false;
    t->save_errno = 0;
    t->errbuf[0] = '\0';
    if (result->attempts++ == 0)
        result->started = clock_now();
    if (entry->invalid) {
        result->attempts = 0;
        fail(result, "line %zu: %s", entry->line, entry->invalid);
        return false;
    }
    if (t->opts->save_dirfd >= 0 && !save_open_temp(t)) {
        fail(result, "--save: cannot create a temporary file: %s", strerror(t->save_errno));
        result->seconds = clock_now() - result->started;
        return false;
    }
    curl_easy_setopt(t->easy, CURLOPT_URL, entry->url);
    return true;
}

static bool transient_curl(CURLcode code)
{
    switch (code) {
    case CURLE_COULDNT_CONNECT:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
        return true;
    default:
        return false;
    }
}

static bool transient_http(long status)
{
    return status == 408 || status == 429 || (status >= 500 && status <= 599);
}

/* The scheme that libcurl refused: quoted in its message ('Protocol "file"
 * not supported ...', also after a redirect), else the URL's own. */
static void refused_scheme(const struct transfer *t, char *out, size_t size)
{
    const char *open = strchr(t->errbuf, '"');
    const char *close = open ? strchr(open + 1, '"') : NULL;
    const char *start = t->url, *end = strstr(t->url, "://");

    if (close) {
        start = open + 1;
        end = close;
    }
    if (!end || (size_t)(end - start) >= size)
        end = start;
    snprintf(out, size, "%.*s", (int)(end - start), start);
}

static bool libcurl_supports(const char *scheme)
{
    const curl_version_info_data *info = curl_version_info(CURLVERSION_NOW);
    for (const char *const *p = info->protocols; p && *p; p++)
        if (!strcasecmp(*p, scheme))
            return true;
    return false;
}

/* libcurl writes only the first error of a transfer into its buffer: after
 * it silently retried a reused connection that had died ("Recv failure:
 * Connection reset by peer"), the buffer still holds that message whatever
 * ended the retry. Such a message belongs to a send or receive error only. */
static bool stale_message(const char *message, CURLcode code)
{
    bool io_message = !strncmp(message, "Recv failure", 12) || !strncmp(message, "Send failure", 12);
    return io_message && code != CURLE_RECV_ERROR && code != CURLE_SEND_ERROR;
}

/* A libcurl error in words: its code, the details of its error buffer, and
 * concur's own words where libcurl's mislead. */
static void describe_curl_failure(struct transfer *t, CURLcode code, long status)
{
    struct fetch_result *r = t->result;
    const char *what = curl_easy_strerror(code);
    char scheme[32];

    if (code == CURLE_UNSUPPORTED_PROTOCOL) {
        refused_scheme(t, scheme, sizeof scheme);
        if (scheme[0] && libcurl_supports(scheme)) {
            fail(r, "protocol '%s' not allowed by --protocols %s", scheme, t->opts->protocols);
            return;
        }
    }
    /* libcurl's header buffer is capped; overflowing it reads "Out of
     * memory", without details, once a status line has arrived */
    if (code == CURLE_OUT_OF_MEMORY && !t->errbuf[0] && status > 0) {
        fail(r, "response header too large (libcurl accepts at most %d KiB)",
             CURL_MAX_HTTP_HEADER / 1024);
        return;
    }
    if (t->errbuf[0] && !stale_message(t->errbuf, code))
        fail(r, "%s: %s", what, t->errbuf);
    else
        fail(r, "%s", what);
}

/* Writes why the attempt failed into the result: curl's code in words,
 * with the details of its error buffer. */
static void describe_failure(struct transfer *t, CURLcode code, long status)
{
    struct fetch_result *r = t->result;

    if (t->too_big || code == CURLE_FILESIZE_EXCEEDED)
        fail(r, "body larger than the maximum size (%llu bytes)",
             (unsigned long long)t->opts->max_size);
    else if (t->save_errno)
        fail(r, "--save: cannot write the body: %s", strerror(t->save_errno));
    else if (code != CURLE_OK)
        describe_curl_failure(t, code, status);
    else
        fail(r, "HTTP status %ld", status);
}

/* Exponential backoff, or the server's Retry-After when that is longer. */
static double retry_wait(struct transfer *t)
{
    double wait = FETCH_BACKOFF_FIRST * ldexp(1.0, (int)t->result->attempts - 1);
    curl_off_t retry_after = 0;

    if (wait > FETCH_BACKOFF_MAX)
        wait = FETCH_BACKOFF_MAX;
    if (curl_easy_getinfo(t->easy, CURLINFO_RETRY_AFTER, &retry_after) == CURLE_OK &&
        (double)retry_after > wait)
        wait = (double)retry_after < FETCH_RETRY_AFTER_MAX ? (double)retry_after : FETCH_RETRY_AFTER_MAX;
    return wait;
}

/* Body bytes that arrived in this attempt: those concur accepted, or more
 * when the write callback refused a block (the block was still read from
 * the network). A body refused by its announced length counts 0. */
static uint64_t body_bytes_received(const struct transfer *t)
{
    curl_off_t downloaded = 0;
    if (curl_easy_getinfo(t->easy, CURLINFO_SIZE_DOWNLOAD_T, &downloaded) == CURLE_OK &&
        downloaded > 0 && (uint64_t)downloaded > t->received)
        return (uint64_t)downloaded;
    return t->received;
}

double transfer_end(struct transfer *t, CURLcode code)
{
    struct fetch_result *r = t->result;
    long status = 0;

    curl_easy_getinfo(t->easy, CURLINFO_RESPONSE_CODE, &status);
    r->status = status;
    r->bytes = body_bytes_received(t);
    bool success = code == CURLE_OK && status < 400;
    if (success && save_finish(t, true)) {
        r->ok = true;
        r->error[0] = '\0';
    } else {
        save_finish(t, false);
        describe_failure(t, code, status);
    }
    r->seconds = clock_now() - r->started;
    bool transient = success ? false : (code == CURLE_OK ? transient_http(status) : transient_curl(code));
    if (transient && !t->too_big && r->attempts <= t->opts->retries)
        return retry_wait(t);
    return -1.0;
}

void transfer_fetch_blocking(struct transfer *t, const struct url_entry *entry,
                             struct fetch_result *result, size_t index)
{
    while (transfer_begin(t, entry, result, index)) {
        double wait = transfer_end(t, curl_easy_perform(t->easy));
        if (wait < 0)
            break;
        fetch_sleep(wait);
    }
}
