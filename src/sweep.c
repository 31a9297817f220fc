#include "sweep.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "num.h"

/* ------------------------------------------------------------------------
 * LIST. */

/* One worker count of an item, 1..SWEEP_MAX_WORKERS; item names the whole
 * item in messages. */
static enum cc_status parse_count(const char *text, const char *item, uint64_t *out,
                                  struct cc_err *err)
{
    struct cc_err inner;
    if (num_parse_u64("--workers", text, SWEEP_MAX_WORKERS, out, &inner) != CC_OK) {
        if (!strcmp(text, item))
            return cc_error(err, CC_EINPUT, "%s", inner.msg);
        return cc_error(err, CC_EINPUT, "--workers: in '%s': %s", item,
                        strncmp(inner.msg, "--workers: ", 11) ? inner.msg : inner.msg + 11);
    }
    if (*out == 0)
        return cc_error(err, CC_EINPUT, "--workers: '%s' is 0; worker counts start at 1", item);
    return CC_OK;
}

static enum cc_status push(uint64_t **list, size_t *n, uint64_t w, const char *item,
                           struct cc_err *err)
{
    for (size_t i = 0; i < *n; i++)
        if ((*list)[i] == w)
            return cc_error(err, CC_EINPUT, "--workers: %llu is listed twice ('%s')",
                            (unsigned long long)w, item);
    if (*n == SWEEP_MAX_POINTS)
        return cc_error(err, CC_EINPUT, "--workers: more than %d points", SWEEP_MAX_POINTS);
    uint64_t *grown = realloc(*list, (*n + 1) * sizeof *grown);
    if (!grown)
        return cc_error(err, CC_ESYS, "out of memory");
    grown[(*n)++] = w;
    *list = grown;
    return CC_OK;
}

/* One item: N, A-B or A-B:S. item is a writable copy. */
static enum cc_status parse_item(char *item, uint64_t **list, size_t *n, struct cc_err *err)
{
    char whole[128];
    snprintf(whole, sizeof whole, "%s", item);
    if (!*item)
        return cc_error(err, CC_EINPUT, "--workers: empty item in the list");
    char *dash = strchr(item, '-');
    uint64_t first, last, step = 1;
    enum cc_status status;
    if (!dash) {
        if (strchr(item, ':'))
            return cc_error(err, CC_EINPUT, "--workers: '%s': a step needs a range (A-B:S)", whole);
        if ((status = parse_count(item, whole, &first, err)) != CC_OK)
            return status;
        return push(list, n, first, whole, err);
    }
    *dash = '\0';
    char *colon = strchr(dash + 1, ':');
    if (colon)
        *colon = '\0';
    if (dash == item)
        return cc_error(err, CC_EINPUT, "--workers: '%s' is not a count or range (N, A-B, A-B:S)", whole);
    if ((status = parse_count(item, whole, &first, err)) != CC_OK ||
        (status = parse_count(dash + 1, whole, &last, err)) != CC_OK)
        return status;
    if (colon && (status = parse_count(colon + 1, whole, &step, err)) != CC_OK)
        return status;
    if (last < first)
        return cc_error(err, CC_EINPUT, "--workers: range '%s' runs backwards", whole);
    for (uint64_t w = first; w <= last; w += step)
        if ((status = push(list, n, w, whole, err)) != CC_OK)
            return status;
    return CC_OK;
}

enum cc_status sweep_parse_list(const char *text, uint64_t **out, size_t *n, struct cc_err *err)
{
    if (!text || !*text)
        return cc_error(err, CC_EINPUT, "--workers: empty list; expected e.g. 1,2,4 or 1-8");
    char *copy = strdup(text);
    if (!copy)
        return cc_error(err, CC_ESYS, "out of memory");
    uint64_t *list = NULL;
    size_t count = 0;
    enum cc_status status = CC_OK;
    char *p = copy;
    for (;;) {
        char *comma = strchr(p, ',');
        if (comma)
            *comma = '\0';
        if ((status = parse_item(p, &list, &count, err)) != CC_OK)
            break;
        if (!comma)
            break;
        p = comma + 1;
    }
    free(copy);
    if (status != CC_OK) {
        free(list);
        return status;
    }
    *out = list;
    *n = count;
    return CC_OK;
}

/* ------------------------------------------------------------------------
 * Order. */

static const char *const order_names[] = {"interleaved", "blocked", "random"};

enum cc_status sweep_parse_order(const char *text, enum sweep_order *out, struct cc_err *err)
{
    for (size_t o = 0; o < sizeof order_names / sizeof order_names[0]; o++) {
        if (!strcmp(text, order_names[o])) {
            *out = (enum sweep_order)o;
            return CC_OK;
        }
    }
    return cc_error(err, CC_EINPUT, "--order: unknown order '%s' (interleaved, blocked or random)", text);
}

const char *sweep_order_name(enum sweep_order order)
{
    return order_names[order];
}

/* splitmix64: a small generator whose sequence is fixed by its seed on every
 * platform, unlike rand(). */
static uint64_t splitmix64(uint64_t *state)
{
    uint64_t z = (*state += UINT64_C(0x9E3779B97F4A7C15));
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}

/* A uniform index below n (rejection sampling: no modulo bias). */
static uint64_t below(uint64_t *state, uint64_t n)
{
    uint64_t limit = UINT64_MAX - UINT64_MAX % n;
    uint64_t r;
    do
        r = splitmix64(state);
    while (r >= limit);
    return r % n;
}

enum cc_status sweep_schedule(size_t npoints, uint64_t repeat, uint64_t warmup,
                              enum sweep_order order, uint64_t seed,
                              struct sweep_step **out, size_t *n, struct cc_err *err)
{
    if (npoints == 0 || repeat == 0)
        return cc_error(err, CC_EINPUT, "a sweep needs at least one point and one run");
    if ((warmup + repeat) > SIZE_MAX / sizeof(struct sweep_step) / npoints)
        return cc_error(err, CC_EINPUT, "--repeat/--warmup: too many runs");
    size_t total = npoints * (size_t)(warmup + repeat), k = 0;
    struct sweep_step *steps = malloc(total * sizeof *steps);
    if (!steps)
        return cc_error(err, CC_ESYS, "out of memory");

    if (order == SWEEP_BLOCKED) {
        for (size_t p = 0; p < npoints; p++) {
            for (uint64_t w = 1; w <= warmup; w++)
                steps[k++] = (struct sweep_step){p, w, true};
            for (uint64_t r = 1; r <= repeat; r++)
                steps[k++] = (struct sweep_step){p, r, false};
        }
    } else {
        for (uint64_t w = 1; w <= warmup; w++)
            for (size_t p = 0; p < npoints; p++)
                steps[k++] = (struct sweep_step){p, w, true};
        size_t timed = k;
        /* Interleaved rounds are serpentine: every second round runs the
         * points backwards (1,2,4,4,2,1,...), so over a pair of rounds
         * every point's mean position is the same and linear drift cancels
         * exactly. Random keeps plain rounds before its shuffle, so a seed
         * gives the order it always gave. */
        for (uint64_t r = 1; r <= repeat; r++) {
            bool backwards = order == SWEEP_INTERLEAVED && r % 2 == 0;
            for (size_t p = 0; p < npoints; p++)
                steps[k++] = (struct sweep_step){backwards ? npoints - 1 - p : p, r, false};
        }
        if (order == SWEEP_RANDOM) {
            /* Fisher-Yates over the timed runs; then number each point's
             * runs in the order they happen, so run 1 is its first. */
            uint64_t state = seed;
            for (size_t i = total - 1; i > timed; i--) {
                size_t j = timed + (size_t)below(&state, i - timed + 1);
                struct sweep_step t = steps[i];
                steps[i] = steps[j];
                steps[j] = t;
            }
            uint64_t *next = calloc(npoints, sizeof *next);
            if (!next) {
                free(steps);
                return cc_error(err, CC_ESYS, "out of memory");
            }
            for (size_t i = timed; i < total; i++)
                steps[i].run = ++next[steps[i].point];
            free(next);
        }
    }
    *out = steps;
    *n = total;
    return CC_OK;
}

/* ------------------------------------------------------------------------
 * The command of a point. */

bool sweep_has_placeholder(const char *text)
{
    return strstr(text, SWEEP_PLACEHOLDER) != NULL;
}

char *sweep_substitute(const char *text, uint64_t workers)
{
    char number[24];
    int nlen = snprintf(number, sizeof number, "%llu", (unsigned long long)workers);
    size_t plen = strlen(SWEEP_PLACEHOLDER), count = 0;
    for (const char *p = text; (p = strstr(p, SWEEP_PLACEHOLDER)); p += plen)
        count++;
    char *out = malloc(strlen(text) + count * (size_t)nlen + 1);
    if (!out)
        return NULL;
    char *o = out;
    for (const char *p = text;;) {
        const char *hit = strstr(p, SWEEP_PLACEHOLDER);
        size_t len = hit ? (size_t)(hit - p) : strlen(p);
        memcpy(o, p, len);
        o += len;
        if (!hit)
            break;
        memcpy(o, number, (size_t)nlen);
        o += nlen;
        p = hit + plen;
    }
    *o = '\0';
    return out;
}

bool sweep_is_launcher(const char *command)
{
    static const char *const launchers[] = {"mpirun", "mpiexec", "orterun", "prterun", "srun"};
    const char *slash = strrchr(command, '/');
    const char *name = slash ? slash + 1 : command;
    for (size_t i = 0; i < sizeof launchers / sizeof launchers[0]; i++)
        if (!strcmp(name, launchers[i]))
            return true;
    return false;
}

uint64_t sweep_cpus_used(const char *command, bool launcher_uses_w, uint64_t workers,
                         const char *omp_num_threads)
{
    if (!sweep_is_launcher(command) || !launcher_uses_w)
        return workers;
    uint64_t threads = 0;
    /* OMP_NUM_THREADS may be a list per nesting level ("4,2"): the first
     * level is the threads of each rank. */
    for (const char *p = omp_num_threads ? omp_num_threads : ""; isdigit((unsigned char)*p); p++) {
        threads = threads * 10 + (uint64_t)(*p - '0');
        if (threads > SWEEP_MAX_WORKERS)
            break;
    }
    return workers * (threads ? threads : 1);
}
