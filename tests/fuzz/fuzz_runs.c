/* The runs CSV reader (src/runs.c) on any file content: no crash, no
 * undefined behaviour; a refused file names FILE:LINE; what it keeps is
 * consistent (every row counted once, times finite and not negative,
 * workers 1..1e9, keys non-empty); the table order and the baseline and
 * group look-ups hold; the keys make valid JSON. The first byte picks the
 * --by column; the input is read twice into one set (pooling). The records
 * kept regroup (runs_regroup) into the same counts, and by another column
 * without a crash. */
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "json.h"
#include "json_check.h"
#include "runs.h"

static bool read_once(struct runs *r, const uint8_t *data, size_t size)
{
    bool ok = true;
    struct cc_err err = {{0}};
    FILE *in = fmemopen((void *)data, size ? size : 1, "rb");
    CHECK(in);
    if (size == 0)
        fgetc(in);   /* fmemopen refuses size 0: an empty stream instead */
    if (runs_read_stream(r, in, "fuzz.csv", &err) != CC_OK) {
        CHECK(strncmp(err.msg, "fuzz.csv:", 9) == 0 || strcmp(err.msg, "out of memory") == 0);
        ok = false;
    }
    fclose(in);
    return ok;
}

/* Regrouped from the kept records: by the same column, what was read
 * (when every read succeeded: a failed one keeps no records); by another,
 * a set or a FILE:LINE reason. */
static void check_regroup(const struct runs *r, bool all_read, const char *other)
{
    struct runs *g = NULL;
    struct cc_err err = {{0}};
    if (all_read) {
        CHECK(runs_regroup(r, r->by_column, &g, &err) == CC_OK);
        CHECK(g->rows == r->rows && g->failed == r->failed && g->ngroups == r->ngroups
              && g->nsweeps == r->nsweeps && g->duplicate_runs == r->duplicate_runs);
        for (size_t i = 0; i < g->ngroups; i++)
            CHECK(runs_same_group(&g->groups[i], &r->groups[i]) && g->groups[i].n == r->groups[i].n);
        runs_free(g);
    }
    if (runs_regroup(r, other, &g, &err) == CC_OK)
        runs_free(g);
    else
        CHECK(strncmp(err.msg, "fuzz.csv:", 9) == 0 || strcmp(err.msg, "out of memory") == 0);
}

static void check_keys_json(const struct runs *r)
{
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    fputc('[', out);
    for (size_t i = 0; i < r->ngroups; i++) {
        const struct runs_group *g = &r->groups[i];
        fputs(i ? ",{" : "{", out);
        json_key(out, "experiment");
        json_string(out, g->experiment);
        fputc(',', out);
        json_key(out, "variant");
        json_string(out, g->variant);
        fputc(',', out);
        json_key(out, "by");
        json_string(out, g->by);
        fputc(',', out);
        json_key(out, "seconds");
        fputc('[', out);
        for (size_t k = 0; k < g->n; k++) {
            fputs(k ? "," : "", out);
            json_number(out, g->seconds[k]);
        }
        fputs("]}", out);
    }
    fputc(']', out);
    fclose(out);
    CHECK(json_check(text, len));
    free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const by[] = {NULL, "result", "oversubscribed", "ok"};
    if (size == 0)
        return 0;
    struct runs *r = runs_alloc(by[data[0] % 4]);
    CHECK(r);
    runs_keep_records(r);
    bool all_read = read_once(r, data + 1, size - 1);
    all_read &= read_once(r, data + 1, size - 1);

    size_t rows = 0, failed = 0;
    for (size_t i = 0; i < r->ngroups; i++) {
        const struct runs_group *g = &r->groups[i];
        CHECK(g->experiment[0] && g->variant[0]);
        CHECK((g->by != NULL) == (r->by_column != NULL));
        CHECK(g->workers >= 1 && g->workers <= 1000000000);
        CHECK(g->n <= g->capacity && g->sweep < r->nsweeps);
        for (size_t k = 0; k < g->n; k++)
            CHECK(isfinite(g->seconds[k]) && g->seconds[k] >= 0);
        rows += g->n + g->failed;
        failed += g->failed;
        CHECK(runs_find(r, g->experiment, g->variant, g->by, g->workers) == g);
    }
    CHECK(rows == r->rows && failed == r->failed);

    runs_sort(r);
    for (size_t i = 1; i < r->ngroups; i++) {
        const struct runs_group *a = &r->groups[i - 1], *b = &r->groups[i];
        CHECK(a->sweep < b->sweep || (a->sweep == b->sweep && a->workers < b->workers)
              || (a->sweep == b->sweep && a->workers == b->workers && !runs_same_group(a, b)));
    }
    for (size_t i = 0; i < r->ngroups; i++) {
        const struct runs_group *g = &r->groups[i];
        const struct runs_group *base = runs_baseline(r, g->experiment, NULL, 0);
        if (base)
            CHECK(!strcmp(base->experiment, g->experiment)
                  && (!strcmp(base->variant, "serial") || !strcmp(base->variant, "sync")));
        base = runs_baseline(r, g->experiment, g->variant, 0);
        CHECK(base && base->workers <= g->workers);
    }
    check_keys_json(r);
    check_regroup(r, all_read, by[(data[0] + 1) % 4]);
    runs_free(r);
    return 0;
}
