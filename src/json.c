#include "json.h"

#include <ctype.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "num.h"

/* The length of the valid UTF-8 sequence at p (n bytes left), or 0 with
 * *skip set to the length of the maximal invalid subsequence there (the
 * bytes one replacement character stands for, as Unicode 15 §3.9 and the
 * WHATWG decoder do). */
static size_t utf8_sequence(const unsigned char *p, size_t n, size_t *skip)
{
    unsigned char lead = p[0];
    size_t need;
    unsigned char lo = 0x80, hi = 0xBF;   /* the second byte's valid range */

    *skip = 1;
    if (lead < 0x80)
        return 1;
    if (lead >= 0xC2 && lead <= 0xDF)
        need = 2;
    else if (lead >= 0xE0 && lead <= 0xEF) {
        need = 3;
        if (lead == 0xE0) lo = 0xA0;        /* overlong */
        if (lead == 0xED) hi = 0x9F;        /* surrogates */
    } else if (lead >= 0xF0 && lead <= 0xF4) {
        need = 4;
        if (lead == 0xF0) lo = 0x90;        /* overlong */
        if (lead == 0xF4) hi = 0x8F;        /* above U+10FFFF */
    } else
        return 0;                           /* 80..C1, F5..FF: never valid */
    for (size_t i = 1; i < need; i++) {
        unsigned char min = i == 1 ? lo : 0x80, max = i == 1 ? hi : 0xBF;
        if (i >= n || p[i] < min || p[i] > max) {
            *skip = i;
            return 0;
        }
    }
    return need;
}

bool json_utf8_valid(const char *text, size_t len, size_t *bad)
{
    const unsigned char *p = (const unsigned char *)text;
    size_t i = 0, skip;

    while (i < len) {
        size_t k = utf8_sequence(p + i, len - i, &skip);
        if (k == 0) {
            if (bad)
                *bad = i;
            return false;
        }
        i += k;
    }
    return true;
}

static void escape_byte(FILE *out, unsigned char c)
{
    switch (c) {
    case '"': fputs("\\\"", out); break;
    case '\\': fputs("\\\\", out); break;
    case '\b': fputs("\\b", out); break;
    case '\f': fputs("\\f", out); break;
    case '\n': fputs("\\n", out); break;
    case '\r': fputs("\\r", out); break;
    case '\t': fputs("\\t", out); break;
    default:
        if (c < 0x20 || c == 0x7F)
            fprintf(out, "\\u%04x", c);
        else
            fputc(c, out);
    }
}

void json_string_n(FILE *out, const char *text, size_t len)
{
    const unsigned char *p = (const unsigned char *)text;
    size_t i = 0, skip;

    fputc('"', out);
    while (i < len) {
        size_t k = utf8_sequence(p + i, len - i, &skip);
        if (k == 1)
            escape_byte(out, p[i]);
        else if (k > 1)
            fwrite(p + i, 1, k, out);
        else
            fputs("\\ufffd", out);
        i += k ? k : skip;
    }
    fputc('"', out);
}

void json_string(FILE *out, const char *text)
{
    json_string_n(out, text ? text : "", text ? strlen(text) : 0);
}

void json_key(FILE *out, const char *key)
{
    json_string(out, key);
    fputs(": ", out);
}

void json_key_number(FILE *out, const char *key, double v)
{
    fputs(", ", out);
    json_key(out, key);
    json_number(out, v);
}

void json_number(FILE *out, double v)
{
    char buf[NUM_DOUBLE_BUFSIZE];

    if (isfinite(v))
        fputs(num_format_double(v, buf), out);
    else
        fputs("null", out);
}

/* RFC 8259's number: -? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)? */
static bool is_json_number(const char *s)
{
    if (*s == '-')
        s++;
    if (*s == '0')
        s++;
    else if (*s >= '1' && *s <= '9')
        while (isdigit((unsigned char)*s)) s++;
    else
        return false;
    if (*s == '.') {
        if (!isdigit((unsigned char)*++s))
            return false;
        while (isdigit((unsigned char)*s)) s++;
    }
    if (*s == 'e' || *s == 'E') {
        s++;
        if (*s == '+' || *s == '-')
            s++;
        if (!isdigit((unsigned char)*s))
            return false;
        while (isdigit((unsigned char)*s)) s++;
    }
    return *s == '\0';
}

void json_number_text(FILE *out, const char *text)
{
    char *end;
    double v = strtod(text, &end);

    if (!*text || *end != '\0' || !isfinite(v))
        fputs("null", out);
    else if (is_json_number(text))
        fputs(text, out);
    else
        json_number(out, v);
}
