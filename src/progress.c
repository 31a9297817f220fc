#include "progress.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"

#define TICK_S 0.5

struct progress {
    const char *command, *what;
    uint64_t total;
    _Atomic uint64_t done;
    double start, delay;
    pthread_t ticker;
    pthread_mutex_t lock; /* the line on stderr, and stopping */
    pthread_cond_t wake;
    bool stopping, shown, ever_shown;
};

void progress_format_duration(double s, char *buf, int size)
{
    if (s >= 3600)
        snprintf(buf, (size_t)size, "%d h %d min", (int)(s / 3600), (int)(s / 60) % 60);
    else if (s >= 60)
        snprintf(buf, (size_t)size, "%d min %d s", (int)(s / 60), (int)s % 60);
    else if (s >= 10)
        snprintf(buf, (size_t)size, "%d s", (int)(s + 0.5));
    else
        snprintf(buf, (size_t)size, "%.1f s", s);
}

void progress_format_count(double x, char *buf, int size)
{
    if (x < 1e6) {
        snprintf(buf, (size_t)size, "%.0f", x);
        return;
    }
    int e = (int)floor(log10(x));
    double m = x / pow(10, e);
    if (m >= 9.95) { /* rounds up to the next power */
        m /= 10;
        e++;
    }
    snprintf(buf, (size_t)size, "%.1fe%d", m, e);
}

/* Called with the lock held. */
static void show(struct progress *p)
{
    uint64_t done = atomic_load_explicit(&p->done, memory_order_relaxed);
    double fraction = p->total ? (double)done / (double)p->total : 0;
    double elapsed = clock_now() - p->start;
    char left[48] = "", total[32];

    if (fraction > 1)
        fraction = 1;
    if (fraction > 0.001) {
        char text[24];
        progress_format_duration(elapsed * (1 - fraction) / fraction, text, sizeof text);
        snprintf(left, sizeof left, ", about %s left", text);
    }
    progress_format_count((double)p->total, total, sizeof total);
    fprintf(stderr, "\rconcur %s: %.0f%% of %s %s%s\033[K", p->command, 100 * fraction,
            total, p->what, left);
    fflush(stderr);
    p->shown = p->ever_shown = true;
}

/* Called with the lock held. */
static void erase(struct progress *p)
{
    if (!p->shown)
        return;
    fputs("\r\033[K", stderr);
    fflush(stderr);
    p->shown = false;
}

static void *tick(void *arg)
{
    struct progress *p = arg;

    pthread_mutex_lock(&p->lock);
    while (!p->stopping) {
        double elapsed = clock_now() - p->start;
        double wait = elapsed < p->delay ? p->delay - elapsed : TICK_S;
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        double at = (double)until.tv_sec + (double)until.tv_nsec * 1e-9 + wait;
        until.tv_sec = (time_t)at;
        until.tv_nsec = (long)((at - (double)until.tv_sec) * 1e9);
        int rc = pthread_cond_timedwait(&p->wake, &p->lock, &until);
        if (!p->stopping && rc == ETIMEDOUT && clock_now() - p->start >= p->delay)
            show(p);
    }
    pthread_mutex_unlock(&p->lock);
    return NULL;
}

struct progress *progress_start(const char *command, const char *what, uint64_t total)
{
    if (!isatty(STDERR_FILENO))
        return NULL;
    struct progress *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    const char *delay = getenv("CONCUR_PROGRESS_DELAY");
    *p = (struct progress){.command = command, .what = what, .total = total,
                           .start = clock_now(), .delay = delay ? atof(delay) : PROGRESS_DELAY};
    pthread_mutex_init(&p->lock, NULL);
    pthread_cond_init(&p->wake, NULL);
    if (pthread_create(&p->ticker, NULL, tick, p) != 0) {
        pthread_cond_destroy(&p->wake);
        pthread_mutex_destroy(&p->lock);
        free(p);
        return NULL;
    }
    return p;
}

void progress_add(struct progress *p, uint64_t amount)
{
    if (p)
        atomic_fetch_add_explicit(&p->done, amount, memory_order_relaxed);
}

void progress_clear(struct progress *p)
{
    if (!p)
        return;
    pthread_mutex_lock(&p->lock);
    erase(p);
    pthread_mutex_unlock(&p->lock);
}

void progress_stop(struct progress *p)
{
    if (!p)
        return;
    pthread_mutex_lock(&p->lock);
    p->stopping = true;
    pthread_cond_signal(&p->wake);
    pthread_mutex_unlock(&p->lock);
    pthread_join(p->ticker, NULL);
    /* Work that outlasted the delay is shown at least once, even when the
     * ticker did not get a CPU in time (a busy machine): a line on the
     * terminal's record, and what the tests rely on. */
    if (clock_now() - p->start >= p->delay && !p->ever_shown)
        show(p);
    erase(p);
    pthread_cond_destroy(&p->wake);
    pthread_mutex_destroy(&p->lock);
    free(p);
}
