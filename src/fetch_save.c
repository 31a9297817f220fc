/* --save DIR: bodies written atomically under names derived from URLs.
 *
 * Each attempt writes into its own temporary file in DIR (opened relative
 * to DIR with O_EXCL | O_NOFOLLOW, so a planted link is never followed) and
 * renames it to its final name only when the transfer succeeded: no partial
 * body ever carries a final name. Final names never contain '/' and never
 * start with '.', so they cannot leave DIR, and they end in a hash of the
 * whole URL, so two URLs never overwrite each other's file. */
#include "fetch_impl.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* The part of a name taken from the URL; the hash follows it. */
#define STEM_MAX 64

static uint64_t fnv1a64(const char *text)
{
    uint64_t hash = UINT64_C(14695981039346656037);
    for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
        hash ^= *p;
        hash *= UINT64_C(1099511628211);
    }
    return hash;
}

static bool name_char(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
           c == '.' || c == '_' || c == '-';
}

/* The last non-empty path segment, else the host: where the URL's "name" is. */
static void stem_source(const char *url, const char **start, size_t *length)
{
    const char *p = strstr(url, "://");
    const char *host = p ? p + 3 : url;
    const char *end = host + strcspn(host, "?#");
    const char *slash = memchr(host, '/', (size_t)(end - host));

    while (end > host && end[-1] == '/')
        end--;
    const char *segment = end;
    while (segment > host && segment[-1] != '/')
        segment--;
    if (!slash || segment <= slash) { /* no path: the host (without a port) */
        segment = host;
        end = host + strcspn(host, ":/?#");
    }
    *start = segment;
    *length = (size_t)(end - segment);
}

void fetch_save_name(const char *url, char *out, size_t size)
{
    const char *source;
    size_t length, used = 0;
    char stem[STEM_MAX + 1];

    stem_source(url, &source, &length);
    for (size_t i = 0; i < length && used < STEM_MAX; i++) {
        char c = name_char(source[i]) ? source[i] : '_';
        if (used == 0 && c == '.') /* no hidden files, no "." or ".." */
            continue;
        stem[used++] = c;
    }
    stem[used] = '\0';
    snprintf(out, size, "%s-%016llx", used ? stem : "index",
             (unsigned long long)fnv1a64(url));
}

/* The temporary files being written, so that a signal that ends the
 * process can remove them (fetch_save_abandon). A file is listed from
 * before it exists (the lock is held across its creation) until after it
 * was renamed or removed. */
static pthread_mutex_t open_lock = PTHREAD_MUTEX_INITIALIZER;
static struct transfer *open_files;
static bool abandoned;  /* no temporary file may be created any more */

static void list_add(struct transfer *t)
{
    t->save_prev = NULL;
    t->save_next = open_files;
    if (open_files)
        open_files->save_prev = t;
    open_files = t;
}

static void list_remove(struct transfer *t)
{
    pthread_mutex_lock(&open_lock);
    if (t->save_prev)
        t->save_prev->save_next = t->save_next;
    else if (open_files == t)
        open_files = t->save_next;
    if (t->save_next)
        t->save_next->save_prev = t->save_prev;
    t->save_prev = t->save_next = NULL;
    pthread_mutex_unlock(&open_lock);
}

void fetch_save_abandon(void)
{
    pthread_mutex_lock(&open_lock);
    abandoned = true;
    for (struct transfer *t = open_files; t; t = t->save_next)
        unlinkat(t->opts->save_dirfd, t->temp_name, 0); /* ENOENT if renamed */
    pthread_mutex_unlock(&open_lock);
}

/* Opens this attempt's temporary file; false with save_errno set if not. */
bool save_open_temp(struct transfer *t)
{
    static atomic_uint_least64_t counter;
    unsigned long long serial = (unsigned long long)atomic_fetch_add(&counter, 1);

    if (t->save_fd >= 0) /* an attempt that never ended */
        save_finish(t, false);
    pthread_mutex_lock(&open_lock);
    snprintf(t->temp_name, sizeof t->temp_name, ".concur-%ld-%llu.part",
             (long)getpid(), serial);
    if (abandoned) {
        pthread_mutex_unlock(&open_lock);
        t->save_errno = ECANCELED;
        return false;
    }
    t->save_fd = openat(t->opts->save_dirfd, t->temp_name,
                        O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (t->save_fd >= 0)
        list_add(t);
    else
        t->save_errno = errno;
    pthread_mutex_unlock(&open_lock);
    return t->save_fd >= 0;
}

/* Body bytes to the temporary file; false with save_errno set if not. */
bool save_write(struct transfer *t, const char *data, size_t n)
{
    while (n > 0) {
        ssize_t written = write(t->save_fd, data, n);
        if (written < 0) {
            if (errno == EINTR)
                continue;
            t->save_errno = errno;
            return false;
        }
        data += written;
        n -= (size_t)written;
    }
    return true;
}

/* Ends the attempt's file: renamed to its final name when keep is true and
 * everything was written, removed otherwise. Returns false (save_errno set)
 * when a kept body could not be completed. */
bool save_finish(struct transfer *t, bool keep)
{
    char name[FETCH_SAVE_NAME_SIZE];
    bool ok = true;

    if (t->save_fd < 0)
        return true;
    /* On disk before the rename: after a crash the final name holds the
     * whole body or does not exist. */
    if (keep && !t->save_errno && fsync(t->save_fd) != 0)
        t->save_errno = errno;
    if (close(t->save_fd) != 0 && keep && !t->save_errno)
        t->save_errno = errno;
    t->save_fd = -1;
    if (keep && !t->save_errno) {
        fetch_save_name(t->url, name, sizeof name);
        if (renameat(t->opts->save_dirfd, t->temp_name, t->opts->save_dirfd, name) == 0) {
            list_remove(t);
            return true;
        }
        t->save_errno = errno;
    }
    if (keep)
        ok = false;
    unlinkat(t->opts->save_dirfd, t->temp_name, 0);
    list_remove(t);
    return ok;
}
