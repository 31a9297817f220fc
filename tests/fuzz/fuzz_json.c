/* The JSON writers (src/json.c, and the runs document of src/report.c) on
 * any bytes: the output is one valid JSON value in valid UTF-8; a string
 * that was valid UTF-8 decodes back to the same bytes; a number reads back
 * as the same double; a numeric cell is a number exactly when strtod reads
 * a finite one from all of it. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "json.h"
#include "json_check.h"
#include "report.h"

/* Decodes the JSON string at s (checked already) into out; returns its length. */
static size_t decode_string(const char *s, size_t len, char *out)
{
    size_t n = 0;
    CHECK(len >= 2 && s[0] == '"' && s[len - 1] == '"');
    for (size_t i = 1; i < len - 1; i++) {
        if (s[i] != '\\') {
            out[n++] = s[i];
            continue;
        }
        char e = s[++i];
        const char *from = "\"\\/bfnrt", *to = "\"\\/\b\f\n\r\t";
        if (e != 'u') {
            out[n++] = to[strchr(from, e) - from];
            continue;
        }
        unsigned cp = (unsigned)strtoul((char[5]){s[i + 1], s[i + 2], s[i + 3], s[i + 4], 0}, NULL, 16);
        i += 4;
        CHECK(cp < 0xD800 || cp > 0xDFFF);   /* the writer never needs surrogates */
        if (cp < 0x80)
            out[n++] = (char)cp;
        else if (cp < 0x800) {
            out[n++] = (char)(0xC0 | cp >> 6);
            out[n++] = (char)(0x80 | (cp & 0x3F));
        } else {
            out[n++] = (char)(0xE0 | cp >> 12);
            out[n++] = (char)(0x80 | ((cp >> 6) & 0x3F));
            out[n++] = (char)(0x80 | (cp & 0x3F));
        }
    }
    return n;
}

static void check_string(const uint8_t *data, size_t size)
{
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    json_string_n(out, (const char *)data, size);
    fclose(out);
    CHECK(json_check(text, len));
    if (json_utf8_valid((const char *)data, size, NULL)) {
        char *back = malloc(len + 1);
        size_t n = decode_string(text, len, back);
        CHECK(n == size && memcmp(back, data, size) == 0);
        free(back);
    }
    free(text);
}

static void check_number(const uint8_t *data, size_t size)
{
    double v;
    if (size < sizeof v)
        return;
    memcpy(&v, data, sizeof v);
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    json_number(out, v);
    fclose(out);
    CHECK(json_check(text, len));
    if (isfinite(v))
        CHECK(strtod(text, NULL) == v || (v != v));
    else
        CHECK(strcmp(text, "null") == 0);
    free(text);
}

static void check_cell(const char *cell)
{
    char *text = NULL, *end;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    json_number_text(out, cell);
    fclose(out);
    CHECK(json_check(text, len));
    double v = strtod(cell, &end);
    if (*cell && *end == '\0' && isfinite(v))
        CHECK(strcmp(text, "null") != 0 && strtod(text, NULL) == v);
    else
        CHECK(strcmp(text, "null") == 0);
    free(text);
}

/* The cells: the input cut at NUL bytes (a C string cannot hold one). */
static void check_report(const char *data, size_t size)
{
    static const struct report_column columns[] = {{"name", false}, {"seconds", true}, {"url", false}};
    const char *cells[64];
    size_t ncells = 0;
    for (size_t i = 0; i < size && ncells < 64; i += strlen(data + i) + 1)
        cells[ncells++] = data + i;

    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    struct report *r = report_open(out, REPORT_JSON, columns, 3);
    CHECK(r);
    if (ncells >= 2)
        report_meta(r, cells[0], cells[1]);
    for (size_t i = 0; i + 3 <= ncells; i += 3)
        CHECK(report_row(r, &cells[i]) == CC_OK);
    CHECK(report_close(r) == CC_OK);
    fclose(out);
    CHECK(json_check(text, len));
    free(text);
    for (size_t i = 0; i < ncells; i++)
        check_cell(cells[i]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    check_string(data, size);
    check_number(data, size);
    /* A NUL-terminated copy for the C-string writers. */
    char *copy = malloc(size + 1);
    memcpy(copy, data, size);
    copy[size] = '\0';
    check_report(copy, size);
    free(copy);
    return 0;
}
