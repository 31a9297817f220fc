/* A small strict JSON checker for the fuzz targets (RFC 8259, nothing
 * more): whole document, valid UTF-8 in strings, no raw control characters,
 * escapes as the grammar allows, numbers in its grammar, nesting bounded.
 * Header-only: each target includes it once. */
#ifndef CONCUR_FUZZ_JSON_CHECK_H
#define CONCUR_FUZZ_JSON_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "json.h"

struct jc {
    const char *p, *end;
    int depth;
};

static void jc_space(struct jc *c)
{
    while (c->p < c->end && (*c->p == ' ' || *c->p == '\t' || *c->p == '\n' || *c->p == '\r'))
        c->p++;
}

static bool jc_hex4(struct jc *c)
{
    for (int i = 0; i < 4; i++, c->p++)
        if (c->p >= c->end || !strchr("0123456789abcdefABCDEF", *c->p) || !*c->p)
            return false;
    return true;
}

static bool jc_string(struct jc *c)
{
    if (c->p >= c->end || *c->p != '"')
        return false;
    const char *start = ++c->p;
    while (c->p < c->end && *c->p != '"') {
        unsigned char ch = (unsigned char)*c->p;
        if (ch < 0x20)
            return false;
        if (ch == '\\') {
            if (++c->p >= c->end)
                return false;
            if (*c->p == 'u') {
                c->p++;
                if (!jc_hex4(c))
                    return false;
                continue;
            }
            if (!*c->p || !strchr("\"\\/bfnrt", *c->p))
                return false;
        }
        c->p++;
    }
    if (c->p >= c->end)
        return false;
    size_t len = (size_t)(c->p - start);
    c->p++;
    return json_utf8_valid(start, len, NULL);
}

static bool jc_digits(struct jc *c)
{
    const char *s = c->p;
    while (c->p < c->end && *c->p >= '0' && *c->p <= '9')
        c->p++;
    return c->p > s;
}

static bool jc_number(struct jc *c)
{
    if (c->p < c->end && *c->p == '-')
        c->p++;
    if (c->p < c->end && *c->p == '0')
        c->p++;
    else if (c->p >= c->end || *c->p < '1' || *c->p > '9' || !jc_digits(c))
        return false;
    if (c->p < c->end && *c->p == '.') {
        c->p++;
        if (!jc_digits(c))
            return false;
    }
    if (c->p < c->end && (*c->p == 'e' || *c->p == 'E')) {
        c->p++;
        if (c->p < c->end && (*c->p == '+' || *c->p == '-'))
            c->p++;
        if (!jc_digits(c))
            return false;
    }
    return true;
}

static bool jc_word(struct jc *c, const char *w)
{
    size_t n = strlen(w);
    if ((size_t)(c->end - c->p) < n || memcmp(c->p, w, n) != 0)
        return false;
    c->p += n;
    return true;
}

static bool jc_value(struct jc *c);

/* Members of an object (keyed) or elements of an array, after the bracket. */
static bool jc_list(struct jc *c, char close, bool keyed)
{
    jc_space(c);
    if (c->p < c->end && *c->p == close) {
        c->p++;
        return true;
    }
    for (;;) {
        jc_space(c);
        if (keyed) {
            if (!jc_string(c))
                return false;
            jc_space(c);
            if (c->p >= c->end || *c->p++ != ':')
                return false;
        }
        if (!jc_value(c))
            return false;
        jc_space(c);
        if (c->p >= c->end)
            return false;
        if (*c->p == close) {
            c->p++;
            return true;
        }
        if (*c->p++ != ',')
            return false;
    }
}

static bool jc_value(struct jc *c)
{
    jc_space(c);
    if (c->p >= c->end || c->depth > 64)
        return false;
    bool ok;
    switch (*c->p) {
    case '{': c->p++; c->depth++; ok = jc_list(c, '}', true); c->depth--; return ok;
    case '[': c->p++; c->depth++; ok = jc_list(c, ']', false); c->depth--; return ok;
    case '"': return jc_string(c);
    case 't': return jc_word(c, "true");
    case 'f': return jc_word(c, "false");
    case 'n': return jc_word(c, "null");
    default: return jc_number(c);
    }
}

/* True when text[0..len) is exactly one JSON value (whitespace around). */
static bool json_check(const char *text, size_t len)
{
    struct jc c = {text, text + len, 0};
    if (!jc_value(&c))
        return false;
    jc_space(&c);
    return c.p == c.end;
}

#endif
