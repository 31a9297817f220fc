#include "runs.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "grow.h"
#include "num.h"

/* Workers above this are surely a typo; it also keeps workers exact in a
 * double for the statistics. */
#define RUNS_MAX_WORKERS UINT64_C(1000000000)

static const char *const required[] = {"experiment", "variant", "workers", "run", "seconds"};
enum { COL_EXPERIMENT, COL_VARIANT, COL_WORKERS, COL_RUN, COL_SECONDS, N_REQUIRED };

/* ------------------------------------------------------------------------
 * RFC 4180 records. Fields are kept NUL-terminated, one after another, in
 * one growing buffer; line counts physical lines so that a record with a
 * quoted line break still reports where it starts. */

struct csv {
    FILE *in;
    const char *name;
    unsigned long line;     /* physical line of the next character */
    char *buf;
    size_t len, cap;
    size_t *start;          /* offset of each field in buf */
    size_t nfields, fcap;
};

static int push_byte(struct csv *c, char ch)
{
    char *buf = grow(c->buf, &c->cap, c->len + 1, 1, 256);
    if (!buf)
        return -1;
    c->buf = buf;
    c->buf[c->len++] = ch;
    return 0;
}

static int start_field(struct csv *c)
{
    size_t *start = grow(c->start, &c->fcap, c->nfields + 1, sizeof *start, 16);
    if (!start)
        return -1;
    c->start = start;
    c->start[c->nfields++] = c->len;
    return 0;
}

static const char *field(const struct csv *c, size_t i)
{
    return c->buf + c->start[i];
}

/* ------------------------------------------------------------------------
 * The records kept (runs_keep_records). Each file's records are copied as
 * they are read, their fields NUL-terminated one after another as struct
 * csv holds them (a field never holds a NUL: the reader refuses it), so
 * that runs_regroup replays them through the same header and row checks
 * instead of reading the input again: standard input cannot be read twice.
 * The sets made from one input share these records, freed with the last. */

struct kept_record {
    unsigned long line;
    size_t offset;          /* of its first field in the file's text */
    size_t nfields;
};

struct kept_file {
    char *name;
    char *text;             /* every record's fields, in order */
    size_t len, cap;
    struct kept_record *records;  /* the header first, then the rows */
    size_t nrecords, rcap;
};

struct runs_kept {
    size_t refs;            /* the sets that share these records */
    struct kept_file *files;
    size_t nfiles, cap;
};

static void kept_file_free(struct kept_file *f)
{
    free(f->name);
    free(f->text);
    free(f->records);
}

static void kept_release(struct runs_kept *k)
{
    if (!k || --k->refs)
        return;
    for (size_t i = 0; i < k->nfiles; i++)
        kept_file_free(&k->files[i]);
    free(k->files);
    free(k);
}

/* Copies the record c holds, read at line, to the end of f. */
static int keep_record(struct kept_file *f, const struct csv *c, unsigned long line)
{
    char *text = grow(f->text, &f->cap, f->len + c->len, 1, 16);
    if (text)
        f->text = text;
    struct kept_record *records = grow(f->records, &f->rcap, f->nrecords + 1, sizeof *records, 16);
    if (records)
        f->records = records;
    if (!text || !records)
        return -1;
    memcpy(f->text + f->len, c->buf, c->len);
    f->records[f->nrecords++] = (struct kept_record){.line = line, .offset = f->len,
                                                     .nfields = c->nfields};
    f->len += c->len;
    return 0;
}

/* A kept record as the reader would hold it, in view (its fields stay in
 * the file's text; view's start array is the caller's to free). */
static int kept_view(const struct kept_file *f, const struct kept_record *rec, struct csv *view)
{
    size_t *start = grow(view->start, &view->fcap, rec->nfields, sizeof *start, 16);
    if (!start)
        return -1;
    view->start = start;
    view->name = f->name;
    view->buf = f->text;
    view->nfields = rec->nfields;
    for (size_t i = 0, at = rec->offset; i < rec->nfields; i++) {
        start[i] = at;
        at += strlen(f->text + at) + 1;
    }
    return 0;
}

/* After '\r': a following '\n' belongs to the same line end. */
static void eat_lf(struct csv *c)
{
    int ch = getc(c->in);
    if (ch != '\n' && ch != EOF)
        ungetc(ch, c->in);
}

/* Reads one quoted field's contents (the opening quote already read); on
 * return the closing quote has been read. */
static enum cc_status read_quoted(struct csv *c, unsigned long record_line, struct cc_err *err)
{
    for (;;) {
        int ch = getc(c->in);
        if (ch == EOF)
            return cc_error(err, CC_EINPUT, "%s:%lu: unterminated quoted field", c->name, record_line);
        if (ch == '"') {
            int next = getc(c->in);
            if (next != '"') {
                if (next != EOF)
                    ungetc(next, c->in);
                return CC_OK;
            }
        } else if (ch == '\n') {
            c->line++;
        } else if (ch == '\r') {
            eat_lf(c);
            c->line++;
            ch = '\n';
        } else if (ch == '\0') {
            return cc_error(err, CC_EINPUT, "%s:%lu: NUL byte in a field", c->name, c->line);
        }
        if (push_byte(c, (char)ch))
            return cc_error(err, CC_ESYS, "out of memory");
    }
}

/* Reads the next record. *got is false at the end of the input. Blank lines
 * hold no record and are passed over. */
static enum cc_status csv_next(struct csv *c, bool *got, unsigned long *record_line,
                               struct cc_err *err)
{
    int ch;
    enum cc_status status;

    for (;;) {
        c->len = 0;
        c->nfields = 0;
        *record_line = c->line;
        ch = getc(c->in);
        if (ch == EOF) {
            *got = false;
            return ferror(c->in)
                ? cc_error(err, CC_EINPUT, "%s:%lu: read error: %s", c->name, c->line, strerror(errno))
                : CC_OK;
        }
        if (ch == '\r') {
            eat_lf(c);
            ch = '\n';
        }
        if (ch != '\n')
            break;
        c->line++;
    }

    for (;;) {  /* one field per pass; ch is its first character */
        if (start_field(c))
            return cc_error(err, CC_ESYS, "out of memory");
        if (ch == '"') {
            if ((status = read_quoted(c, *record_line, err)) != CC_OK)
                return status;
            ch = getc(c->in);
            if (ch != ',' && ch != '\n' && ch != '\r' && ch != EOF)
                return cc_error(err, CC_EINPUT, "%s:%lu: text after a closing quote in field %zu",
                                c->name, c->line, c->nfields);
        } else {
            while (ch != ',' && ch != '\n' && ch != '\r' && ch != EOF) {
                if (ch == '"')
                    return cc_error(err, CC_EINPUT,
                                    "%s:%lu: quote inside unquoted field %zu (quote the whole field)",
                                    c->name, c->line, c->nfields);
                if (ch == '\0')
                    return cc_error(err, CC_EINPUT, "%s:%lu: NUL byte in a field", c->name, c->line);
                if (push_byte(c, (char)ch))
                    return cc_error(err, CC_ESYS, "out of memory");
                ch = getc(c->in);
            }
        }
        if (push_byte(c, '\0'))
            return cc_error(err, CC_ESYS, "out of memory");
        if (ch == ',') {
            ch = getc(c->in);
            continue;
        }
        if (ch == '\r')
            eat_lf(c);
        if (ch != EOF)
            c->line++;
        *got = true;
        return CC_OK;
    }
}

/* ------------------------------------------------------------------------
 * Groups. */

bool runs_serial_variant(const char *variant)
{
    return !strcmp(variant, RUNS_VARIANT_SERIAL) || !strcmp(variant, RUNS_VARIANT_SYNC);
}

static enum cc_status load(const char *by_column, bool keep, char *const paths[], size_t npaths,
                           struct runs **out, struct cc_err *err)
{
    struct runs *r = runs_alloc(by_column);
    *out = NULL;
    if (!r)
        return cc_error(err, CC_ESYS, "out of memory");
    r->keep = keep;
    for (size_t i = 0; i < npaths; i++) {
        enum cc_status status = runs_read_file(r, paths[i], err);
        if (status != CC_OK) {
            runs_free(r);
            return status;
        }
    }
    runs_sort(r);
    *out = r;
    return CC_OK;
}

enum cc_status runs_load(const char *by_column, char *const paths[], size_t npaths,
                         struct runs **out, struct cc_err *err)
{
    return load(by_column, false, paths, npaths, out, err);
}

enum cc_status runs_load_kept(const char *by_column, char *const paths[], size_t npaths,
                              struct runs **out, struct cc_err *err)
{
    return load(by_column, true, paths, npaths, out, err);
}

struct runs *runs_alloc(const char *by_column)
{
    struct runs *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    if (by_column && !(r->by_column = strdup(by_column))) {
        free(r);
        return NULL;
    }
    return r;
}

void runs_free(struct runs *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->ngroups; i++) {
        free(r->groups[i].experiment);
        free(r->groups[i].variant);
        free(r->groups[i].by);
        free(r->groups[i].seconds);
        free(r->groups[i].ids);
    }
    free(r->groups);
    free(r->by_column);
    kept_release(r->kept);
    free(r);
}

static bool same_text(const char *a, const char *b)
{
    if (!a || !b)
        return a == b;
    return !strcmp(a, b);
}

static bool same_sweep(const struct runs_group *g, const char *experiment,
                       const char *variant, const char *by)
{
    return !strcmp(g->experiment, experiment) && !strcmp(g->variant, variant)
        && same_text(g->by, by);
}

bool runs_same_group(const struct runs_group *a, const struct runs_group *b)
{
    return a->workers == b->workers && same_sweep(a, b->experiment, b->variant, b->by);
}

const struct runs_group *runs_find(const struct runs *r, const char *experiment,
                                   const char *variant, const char *by, uint64_t workers)
{
    for (size_t i = 0; i < r->ngroups; i++) {
        const struct runs_group *g = &r->groups[i];
        if (g->workers == workers && same_sweep(g, experiment, variant, by))
            return g;
    }
    return NULL;
}

static struct runs_group *new_group(struct runs *r, const char *experiment,
                                    const char *variant, const char *by, uint64_t workers)
{
    struct runs_group *groups = grow(r->groups, &r->capacity, r->ngroups + 1, sizeof *groups, 16);
    if (!groups)
        return NULL;
    r->groups = groups;
    struct runs_group *g = &r->groups[r->ngroups];
    memset(g, 0, sizeof *g);
    g->workers = workers;
    g->experiment = strdup(experiment);
    g->variant = strdup(variant);
    g->by = by ? strdup(by) : NULL;
    if (!g->experiment || !g->variant || (by && !g->by)) {
        free(g->experiment);
        free(g->variant);
        free(g->by);
        return NULL;
    }
    g->sweep = r->nsweeps;
    for (size_t i = 0; i < r->ngroups; i++) {
        if (same_sweep(&r->groups[i], experiment, variant, by)) {
            g->sweep = r->groups[i].sweep;
            break;
        }
    }
    if (g->sweep == r->nsweeps)
        r->nsweeps++;
    r->ngroups++;
    return g;
}

static int add_time(struct runs_group *g, double seconds)
{
    double *s = grow(g->seconds, &g->capacity, g->n + 1, sizeof *s, 8);
    if (!s)
        return -1;
    g->seconds = s;
    g->seconds[g->n++] = seconds;
    return 0;
}

static int add_id(struct runs_group *g, uint64_t run, unsigned long line)
{
    struct runs_id *ids = grow(g->ids, &g->idcap, g->nids + 1, sizeof *ids, 8);
    if (!ids)
        return -1;
    g->ids = ids;
    g->ids[g->nids++] = (struct runs_id){.run = run, .line = line};
    return 0;
}

static int by_run_then_line(const void *pa, const void *pb)
{
    const struct runs_id *a = pa, *b = pb;
    if (a->run != b->run)
        return a->run < b->run ? -1 : 1;
    return (a->line > b->line) - (a->line < b->line);
}

/* Counts the run numbers that repeat within a group of the file just read
 * (sorted, so a group of any size costs n log n), then forgets them: runs
 * pooled from several files may reuse numbers, each job counting from 1. */
static void check_duplicates(struct runs *r, const char *name)
{
    for (size_t i = 0; i < r->ngroups; i++) {
        struct runs_group *g = &r->groups[i];
        if (g->nids > 1)
            qsort(g->ids, g->nids, sizeof *g->ids, by_run_then_line);
        for (size_t k = 1; k < g->nids; k++) {
            if (g->ids[k].run != g->ids[k - 1].run)
                continue;
            if (!r->duplicate_runs++)
                snprintf(r->first_duplicate, sizeof r->first_duplicate,
                         "%s:%lu: run %llu, also at line %lu", name, g->ids[k].line,
                         (unsigned long long)g->ids[k].run, g->ids[k - 1].line);
        }
        g->nids = 0;
    }
}

static int by_table_order(const void *pa, const void *pb)
{
    const struct runs_group *a = pa, *b = pb;
    if (a->sweep != b->sweep)
        return a->sweep < b->sweep ? -1 : 1;
    return (a->workers > b->workers) - (a->workers < b->workers);
}

void runs_sort(struct runs *r)
{
    if (r->ngroups > 1)
        qsort(r->groups, r->ngroups, sizeof *r->groups, by_table_order);
}

static bool better_baseline(const struct runs_group *cand, const struct runs_group *best)
{
    if (!best)
        return true;
    if (cand->workers != best->workers)
        return cand->workers < best->workers;
    /* serial before sync, then the earlier sweep */
    int c = strcmp(cand->variant, best->variant);
    if (c)
        return c < 0;
    return cand->sweep < best->sweep;
}

const struct runs_group *runs_sweep_baseline(const struct runs *r, const struct runs_group *g)
{
    uint64_t named = 0;   /* the smallest baseline_workers of the sweep */
    for (size_t i = 0; i < r->ngroups; i++) {
        const struct runs_group *h = &r->groups[i];
        if (h->sweep == g->sweep && h->baseline_workers
            && (!named || h->baseline_workers < named))
            named = h->baseline_workers;
    }
    const struct runs_group *best = NULL;
    for (size_t i = 0; i < r->ngroups; i++) {
        const struct runs_group *h = &r->groups[i];
        if (h->sweep != g->sweep)
            continue;
        if (named ? h->workers == named : !best || h->workers < best->workers)
            best = h;
    }
    return best;
}

const struct runs_group *runs_baseline(const struct runs *r, const char *experiment,
                                       const char *variant, uint64_t workers)
{
    const struct runs_group *best = NULL;
    for (size_t i = 0; i < r->ngroups; i++) {
        const struct runs_group *g = &r->groups[i];
        if (strcmp(g->experiment, experiment))
            continue;
        if (variant) {
            if (strcmp(g->variant, variant) || (workers && g->workers != workers))
                continue;
        } else if (!runs_serial_variant(g->variant)) {
            continue;
        }
        if (better_baseline(g, best))
            best = g;
    }
    return best;
}

/* ------------------------------------------------------------------------
 * Rows. */

bool runs_required_column(const char *name)
{
    for (size_t k = 0; k < N_REQUIRED; k++)
        if (!strcmp(name, required[k]))
            return true;
    return false;
}

/* A time in seconds: a plain decimal number (exponent allowed), finite and
 * not negative. strtod alone would also take "nan", "inf", hex and leading
 * spaces, none of which a runs CSV should hold. */
static enum cc_status parse_seconds(const char *where, const char *text, double *out,
                                    struct cc_err *err)
{
    if (!*text)
        return cc_error(err, CC_EINPUT, "%s: seconds: empty value", where);
    if (strspn(text, "0123456789.eE+-") != strlen(text) || !strpbrk(text, "0123456789"))
        return cc_error(err, CC_EINPUT, "%s: seconds: '%s' is not a number", where, text);
    char *end;
    errno = 0;
    double v = strtod(text, &end);
    if (*end || end == text)
        return cc_error(err, CC_EINPUT, "%s: seconds: '%s' is not a number", where, text);
    if (errno == ERANGE || !isfinite(v))
        return cc_error(err, CC_EINPUT, "%s: seconds: '%s' is out of range", where, text);
    if (v < 0 || text[0] == '-')
        return cc_error(err, CC_EINPUT, "%s: seconds: '%s' is negative", where, text);
    *out = v;
    return CC_OK;
}

static enum cc_status parse_whole(const char *where, const char *what, const char *text,
                                  uint64_t max, uint64_t *out, struct cc_err *err)
{
    struct cc_err inner;
    if (num_parse_u64(what, text, max, out, &inner) != CC_OK)
        return cc_error(err, CC_EINPUT, "%s: %s", where, inner.msg);
    return CC_OK;
}

/* Column positions of one file. */
struct layout {
    size_t col[N_REQUIRED];
    size_t ok;      /* SIZE_MAX: no ok column */
    size_t oversubscribed, baseline_workers;  /* SIZE_MAX: absent */
    size_t by;      /* SIZE_MAX: no --by */
    size_t nfields;
};

static enum cc_status read_header(const struct runs *r, struct csv *c, unsigned long line,
                                  struct layout *lay, struct cc_err *err)
{
    lay->nfields = c->nfields;
    lay->ok = SIZE_MAX;
    lay->oversubscribed = lay->baseline_workers = SIZE_MAX;
    lay->by = SIZE_MAX;
    for (size_t k = 0; k < N_REQUIRED; k++)
        lay->col[k] = SIZE_MAX;

    for (size_t i = 0; i < c->nfields; i++) {
        const char *name = field(c, i);
        for (size_t j = 0; j < i; j++)
            if (!strcmp(name, field(c, j)))
                return cc_error(err, CC_EINPUT, "%s:%lu: column '%s' appears twice in the header",
                                c->name, line, name);
        for (size_t k = 0; k < N_REQUIRED; k++)
            if (!strcmp(name, required[k]))
                lay->col[k] = i;
        if (!strcmp(name, "ok"))
            lay->ok = i;
        if (!strcmp(name, "oversubscribed"))
            lay->oversubscribed = i;
        if (!strcmp(name, "baseline_workers"))
            lay->baseline_workers = i;
        if (r->by_column && !strcmp(name, r->by_column))
            lay->by = i;
    }
    for (size_t k = 0; k < N_REQUIRED; k++)
        if (lay->col[k] == SIZE_MAX)
            return cc_error(err, CC_EINPUT,
                            "%s:%lu: missing required column '%s' (need experiment, variant, workers, run, seconds)",
                            c->name, line, required[k]);
    if (r->by_column && lay->by == SIZE_MAX)
        return cc_error(err, CC_EINPUT, "%s:%lu: missing column '%s' named by --by",
                        c->name, line, r->by_column);
    return CC_OK;
}

static enum cc_status read_row(struct runs *r, const struct csv *c, unsigned long line,
                               const struct layout *lay, struct cc_err *err)
{
    char where[RUNS_WHERE_SIZE];
    snprintf(where, sizeof where, "%s:%lu", c->name, line);

    if (c->nfields != lay->nfields)
        return cc_error(err, CC_EINPUT, "%s: %zu fields, but the header has %zu", where,
                        c->nfields, lay->nfields);

    const char *experiment = field(c, lay->col[COL_EXPERIMENT]);
    const char *variant = field(c, lay->col[COL_VARIANT]);
    if (!*experiment)
        return cc_error(err, CC_EINPUT, "%s: experiment: empty value", where);
    if (!*variant)
        return cc_error(err, CC_EINPUT, "%s: variant: empty value", where);

    uint64_t workers, run;
    double seconds = 0;
    enum cc_status status;
    if ((status = parse_whole(where, "workers", field(c, lay->col[COL_WORKERS]),
                              RUNS_MAX_WORKERS, &workers, err)) != CC_OK)
        return status;
    if (workers == 0)
        return cc_error(err, CC_EINPUT, "%s: workers: '%s' must be at least 1", where,
                        field(c, lay->col[COL_WORKERS]));
    if ((status = parse_whole(where, "run", field(c, lay->col[COL_RUN]), UINT64_MAX, &run, err)) != CC_OK)
        return status;
    if ((status = parse_seconds(where, field(c, lay->col[COL_SECONDS]), &seconds, err)) != CC_OK)
        return status;

    bool ok = true;
    if (lay->ok != SIZE_MAX) {
        const char *text = field(c, lay->ok);
        if (strcmp(text, "0") && strcmp(text, "1"))
            return cc_error(err, CC_EINPUT, "%s: ok: '%s' must be 1 or 0", where, text);
        ok = text[0] == '1';
    }
    bool oversubscribed = false;
    if (lay->oversubscribed != SIZE_MAX) {
        const char *text = field(c, lay->oversubscribed);
        if (strcmp(text, "0") && strcmp(text, "1"))
            return cc_error(err, CC_EINPUT, "%s: oversubscribed: '%s' must be 1 or 0", where, text);
        oversubscribed = text[0] == '1';
    }
    uint64_t baseline_workers = 0;
    if (lay->baseline_workers != SIZE_MAX) {
        if ((status = parse_whole(where, "baseline_workers", field(c, lay->baseline_workers),
                                  RUNS_MAX_WORKERS, &baseline_workers, err)) != CC_OK)
            return status;
        if (baseline_workers == 0)
            return cc_error(err, CC_EINPUT, "%s: baseline_workers: '0' must be at least 1", where);
    }
    const char *by = lay->by != SIZE_MAX ? field(c, lay->by) : NULL;

    struct runs_group *g = r->last < r->ngroups ? &r->groups[r->last] : NULL;
    if (!g || g->workers != workers || !same_sweep(g, experiment, variant, by)) {
        g = (struct runs_group *)runs_find(r, experiment, variant, by, workers);
        if (!g && !(g = new_group(r, experiment, variant, by, workers)))
            return cc_error(err, CC_ESYS, "out of memory");
        r->last = (size_t)(g - r->groups);
    }
    r->rows++;
    g->oversubscribed |= oversubscribed;
    if (baseline_workers && (!g->baseline_workers || baseline_workers < g->baseline_workers))
        g->baseline_workers = baseline_workers;
    if (add_id(g, run, line))
        return cc_error(err, CC_ESYS, "out of memory");
    if (!ok) {
        if (!r->failed++)
            snprintf(r->first_failed, sizeof r->first_failed, "%s", where);
        g->failed++;
        return CC_OK;
    }
    if (add_time(g, seconds))
        return cc_error(err, CC_ESYS, "out of memory");
    return CC_OK;
}

void runs_keep_records(struct runs *r)
{
    r->keep = true;
}

/* Makes room for one more kept file in r's records (shared by no other
 * set: those that share them would see it too). */
static enum cc_status keep_room(struct runs *r, struct cc_err *err)
{
    if (!r->kept && !(r->kept = calloc(1, sizeof *r->kept)))
        return cc_error(err, CC_ESYS, "out of memory");
    if (!r->kept->refs)
        r->kept->refs = 1;
    if (r->kept->refs > 1)
        return cc_error(err, CC_ESYS, "internal: a regrouped set of runs is read into");
    struct kept_file *files = grow(r->kept->files, &r->kept->cap, r->kept->nfiles + 1, sizeof *files, 16);
    if (!files)
        return cc_error(err, CC_ESYS, "out of memory");
    r->kept->files = files;
    return CC_OK;
}

enum cc_status runs_read_stream(struct runs *r, FILE *in, const char *name, struct cc_err *err)
{
    struct csv c = {.in = in, .name = name, .line = 1};
    struct kept_file kept = {0};
    struct layout lay;
    unsigned long line, header_line = 1;
    bool got;
    size_t rows = 0;
    enum cc_status status;

    if (r->keep && (status = keep_room(r, err)) != CC_OK)
        return status;
    if (r->keep && !(kept.name = strdup(name)))
        return cc_error(err, CC_ESYS, "out of memory");

    /* A UTF-8 byte order mark, as spreadsheets write, is not part of the
     * first column's name. */
    int ch = getc(in);
    if (ch == 0xEF) {
        if (getc(in) != 0xBB || getc(in) != 0xBF) {
            status = cc_error(err, CC_EINPUT, "%s:1: not a text file (bad byte order mark)", name);
            goto out;
        }
    } else if (ch != EOF) {
        ungetc(ch, in);
    }

    if ((status = csv_next(&c, &got, &line, err)) != CC_OK)
        goto out;
    if (!got) {
        status = cc_error(err, CC_EINPUT, "%s:1: empty file (expected a header line)", name);
        goto out;
    }
    if ((status = read_header(r, &c, line, &lay, err)) != CC_OK)
        goto out;
    header_line = line;
    if (r->keep && keep_record(&kept, &c, line)) {
        status = cc_error(err, CC_ESYS, "out of memory");
        goto out;
    }
    for (;;) {
        if ((status = csv_next(&c, &got, &line, err)) != CC_OK || !got)
            break;
        if ((status = read_row(r, &c, line, &lay, err)) != CC_OK)
            break;
        if (r->keep && keep_record(&kept, &c, line)) {
            status = cc_error(err, CC_ESYS, "out of memory");
            break;
        }
        rows++;
    }
    if (status == CC_OK && rows == 0)
        status = cc_error(err, CC_EINPUT, "%s:%lu: header only, no runs", name, header_line);
    if (status == CC_OK) {
        check_duplicates(r, name);
        if (r->keep)
            r->kept->files[r->kept->nfiles++] = kept;
    }
out:
    if (status != CC_OK)
        kept_file_free(&kept);
    free(c.buf);
    free(c.start);
    return status;
}

/* Reads one kept file into r again, as runs_read_stream read it. */
static enum cc_status replay(struct runs *r, const struct kept_file *f, struct cc_err *err)
{
    struct layout lay;
    struct csv c = {0};
    enum cc_status status = CC_OK;
    for (size_t i = 0; status == CC_OK && i < f->nrecords; i++) {
        const struct kept_record *rec = &f->records[i];
        if (kept_view(f, rec, &c))
            status = cc_error(err, CC_ESYS, "out of memory");
        else if (i == 0)
            status = read_header(r, &c, rec->line, &lay, err);
        else
            status = read_row(r, &c, rec->line, &lay, err);
    }
    if (status == CC_OK)
        check_duplicates(r, f->name);
    free(c.start);
    return status;
}

enum cc_status runs_regroup(const struct runs *r, const char *by_column, struct runs **out,
                            struct cc_err *err)
{
    *out = NULL;
    if (!r->keep)
        return cc_error(err, CC_ESYS, "internal: runs regrouped that kept no records");
    struct runs *g = runs_alloc(by_column);
    if (!g)
        return cc_error(err, CC_ESYS, "out of memory");
    g->keep = true;
    if ((g->kept = r->kept))
        g->kept->refs++;
    for (size_t i = 0; g->kept && i < g->kept->nfiles; i++) {
        enum cc_status status = replay(g, &g->kept->files[i], err);
        if (status != CC_OK) {
            runs_free(g);
            return status;
        }
    }
    runs_sort(g);
    *out = g;
    return CC_OK;
}

enum cc_status runs_read_file(struct runs *r, const char *path, struct cc_err *err)
{
    if (!strcmp(path, "-"))
        return runs_read_stream(r, stdin, "<stdin>", err);
    FILE *in = fopen(path, "rb");
    if (!in)
        return cc_error(err, CC_EINPUT, "%s: cannot open: %s", path, strerror(errno));
    enum cc_status status = runs_read_stream(r, in, path, err);
    fclose(in);
    return status;
}

/* ------------------------------------------------------------------------
 * The record reader for modules that copy rows as they are (concur merge). */

struct runs_csv {
    struct csv c;
};

struct runs_csv *runs_csv_open(FILE *in, const char *name)
{
    struct runs_csv *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    r->c = (struct csv){.in = in, .name = name, .line = 1};
    /* a UTF-8 byte order mark is not part of the first field */
    int ch = getc(in);
    if (ch == 0xEF && getc(in) == 0xBB && getc(in) == 0xBF)
        return r;
    if (ch != 0xEF && ch != EOF)
        ungetc(ch, in);
    return r;
}

void runs_csv_close(struct runs_csv *r)
{
    if (!r)
        return;
    free(r->c.buf);
    free(r->c.start);
    free(r);
}

enum cc_status runs_csv_next(struct runs_csv *r, bool *got, unsigned long *line, struct cc_err *err)
{
    return csv_next(&r->c, got, line, err);
}

size_t runs_csv_nfields(const struct runs_csv *r)
{
    return r->c.nfields;
}

const char *runs_csv_field(const struct runs_csv *r, size_t i)
{
    return field(&r->c, i);
}
