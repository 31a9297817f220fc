#include "report.h"

#include <stdlib.h>
#include <string.h>

#include "grow.h"
#include "json.h"

#define MAX_META 128  /* --workers auto adds one line per probed count */

struct report {
    FILE *out;
    enum report_format format;
    const struct report_column *columns;
    size_t ncolumns;
    char *meta_key[MAX_META];
    char *meta_value[MAX_META];
    size_t nmeta;
    char *end_key[MAX_META];  /* report_trailer's, written after the rows */
    char *end_value[MAX_META];
    size_t nend;
    char **cells;   /* table only: every row's values, row-major */
    size_t nrows;
    size_t capacity;
    bool started;   /* header (CSV) or opening (JSON) written */
};

enum cc_status report_parse_format(const char *text, unsigned accepted, enum report_format *out,
                                   struct cc_err *err)
{
    /* The canonical names first (in the order messages list them), then
     * the aliases that older releases used for the table. */
    static const struct {
        const char *name;
        enum report_format format;
    } names[] = {
        {"table", REPORT_TABLE}, {"csv", REPORT_CSV}, {"json", REPORT_JSON},
        {"md", REPORT_TABLE},    {"text", REPORT_TABLE},
    };
    char list[64] = "";
    size_t nlisted = 0, naccepted = 0;

    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        if (!strcmp(text, names[i].name) && (accepted & REPORT_FORMAT_BIT(names[i].format))) {
            *out = names[i].format;
            return CC_OK;
        }
    }
    for (int f = 0; f < 3; f++)
        naccepted += (accepted & REPORT_FORMAT_BIT(names[f].format)) != 0;
    for (int f = 0; f < 3; f++) {
        if (!(accepted & REPORT_FORMAT_BIT(names[f].format)))
            continue;
        size_t len = strlen(list);
        snprintf(list + len, sizeof list - len, "%s%s",
                 nlisted == 0 ? "" : nlisted + 1 == naccepted ? " or " : ", ", names[f].name);
        nlisted++;
    }
    return cc_error(err, CC_EINPUT, "--format: unknown format '%s' (%s)", text, list);
}

struct report *report_open(FILE *out, enum report_format format,
                           const struct report_column *columns, size_t ncolumns)
{
    struct report *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    r->out = out;
    r->format = format;
    r->columns = columns;
    r->ncolumns = ncolumns;
    return r;
}

/* Keeps copies of key and value as pair n of keys/values (at most
 * MAX_META; beyond, or out of memory, the pair is dropped). */
static void keep_pair(char *keys[], char *values[], size_t *n, const char *key, const char *value)
{
    if (*n == MAX_META)
        return;
    /* Copies of both: callers may build keys in a buffer they reuse. */
    char *k = strdup(key), *v = strdup(value ? value : "");
    if (!k || !v) {
        free(k);
        free(v);
        return;
    }
    keys[*n] = k;
    values[*n] = v;
    ++*n;
}

void report_meta(struct report *r, const char *key, const char *value)
{
    if (!r->started)
        keep_pair(r->meta_key, r->meta_value, &r->nmeta, key, value);
}

void report_trailer(struct report *r, const char *key, const char *value)
{
    keep_pair(r->end_key, r->end_value, &r->nend, key, value);
}

void report_csv_field(FILE *out, const char *text)
{
    if (!strpbrk(text, ",\"\r\n")) {
        fputs(text, out);
        return;
    }
    fputc('"', out);
    for (const char *p = text; *p; p++) {
        if (*p == '"')
            fputc('"', out);
        fputc(*p, out);
    }
    fputc('"', out);
}

/* {"key": "value", ...} */
static void json_pairs(FILE *out, char *const keys[], char *const values[], size_t n)
{
    fputc('{', out);
    for (size_t m = 0; m < n; m++) {
        fputs(m ? ", " : "", out);
        json_string(out, keys[m]);
        fputs(": ", out);
        json_string(out, values[m]);
    }
    fputc('}', out);
}

static void start(struct report *r)
{
    if (r->started)
        return;
    r->started = true;
    if (r->format == REPORT_CSV) {
        for (size_t c = 0; c < r->ncolumns; c++) {
            if (c) fputc(',', r->out);
            report_csv_field(r->out, r->columns[c].name);
        }
        fputc('\n', r->out);
    } else if (r->format == REPORT_JSON) {
        fputs("{\"meta\": ", r->out);
        json_pairs(r->out, r->meta_key, r->meta_value, r->nmeta);
        fputs(",\n \"runs\": [", r->out);
    }
}

static enum cc_status keep_for_table(struct report *r, const char *const values[])
{
    /* a row is ncolumns cells: the capacity counts rows */
    char **cells = grow(r->cells, &r->capacity, r->nrows + 1, r->ncolumns * sizeof *cells, 16);
    if (!cells)
        return CC_ESYS;
    r->cells = cells;
    for (size_t c = 0; c < r->ncolumns; c++) {
        char *copy = strdup(values[c]);
        if (!copy)
            return CC_ESYS;
        r->cells[r->nrows * r->ncolumns + c] = copy;
    }
    r->nrows++;
    return CC_OK;
}

enum cc_status report_row(struct report *r, const char *const values[])
{
    start(r);
    switch (r->format) {
    case REPORT_CSV:
        for (size_t c = 0; c < r->ncolumns; c++) {
            if (c) fputc(',', r->out);
            report_csv_field(r->out, values[c]);
        }
        fputc('\n', r->out);
        break;
    case REPORT_JSON:
        fputs(r->nrows++ ? ",\n  {" : "\n  {", r->out);
        for (size_t c = 0; c < r->ncolumns; c++) {
            fputs(c ? ", " : "", r->out);
            json_string(r->out, r->columns[c].name);
            fputs(": ", r->out);
            if (r->columns[c].numeric)
                json_number_text(r->out, values[c]);
            else
                json_string(r->out, values[c]);
        }
        fputc('}', r->out);
        break;
    case REPORT_TABLE:
        return keep_for_table(r, values);
    }
    fflush(r->out);
    return CC_OK;
}

static void write_table(struct report *r)
{
    size_t width[64] = {0};
    size_t ncol = r->ncolumns < 64 ? r->ncolumns : 64;

    for (size_t m = 0; m < r->nmeta; m++)
        fprintf(r->out, "# %s: %s\n", r->meta_key[m], r->meta_value[m]);
    for (size_t c = 0; c < ncol; c++) {
        width[c] = strlen(r->columns[c].name);
        for (size_t row = 0; row < r->nrows; row++) {
            size_t w = strlen(r->cells[row * r->ncolumns + c]);
            if (w > width[c])
                width[c] = w;
        }
    }
    /* Numbers right-aligned, text left-aligned, two spaces between. */
    for (size_t c = 0; c < ncol; c++)
        fprintf(r->out, "%s%*s", c ? "  " : "", r->columns[c].numeric ? (int)width[c] : -(int)width[c],
                r->columns[c].name);
    fputc('\n', r->out);
    for (size_t row = 0; row < r->nrows; row++) {
        for (size_t c = 0; c < ncol; c++)
            fprintf(r->out, "%s%*s", c ? "  " : "", r->columns[c].numeric ? (int)width[c] : -(int)width[c],
                    r->cells[row * r->ncolumns + c]);
        fputc('\n', r->out);
    }
}

enum cc_status report_close(struct report *r)
{
    enum cc_status status = CC_OK;
    if (!r)
        return CC_OK;
    start(r);
    if (r->format == REPORT_JSON) {
        fputs(r->nrows ? "\n ]" : "]", r->out);
        if (r->nend) {
            fputs(",\n \"end\": ", r->out);
            json_pairs(r->out, r->end_key, r->end_value, r->nend);
        }
        fputs("}\n", r->out);
    } else if (r->format == REPORT_TABLE) {
        write_table(r);
        for (size_t m = 0; m < r->nend; m++)
            fprintf(r->out, "# %s: %s\n", r->end_key[m], r->end_value[m]);
    }
    if (fflush(r->out) != 0 || ferror(r->out))
        status = CC_ESYS;
    for (size_t m = 0; m < r->nmeta; m++)
        free(r->meta_value[m]);
    for (size_t m = 0; m < r->nmeta; m++)
        free(r->meta_key[m]);
    for (size_t m = 0; m < r->nend; m++) {
        free(r->end_key[m]);
        free(r->end_value[m]);
    }
    if (r->cells)
        for (size_t i = 0; i < r->nrows * r->ncolumns; i++)
            free(r->cells[i]);
    free(r->cells);
    free(r);
    return status;
}
