#include "num.h"

#include <ctype.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define U128_MAX (~(u128)0)

static const char *label(const char *what)
{
    return what ? what : "value";
}

/* Why text is not a plain grouped decimal, for the most helpful message. */
static enum cc_status explain_bad_syntax(const char *what, const char *text,
                                         struct cc_err *err)
{
    const char *w = label(what);

    if (text[0] == '-' && isdigit((unsigned char)text[1]))
        return cc_error(err, CC_EINPUT, "%s: '%s' is negative; expected a whole number >= 0", w, text);
    if (text[0] == '+' || text[0] == '-')
        return cc_error(err, CC_EINPUT, "%s: '%s' has a sign; write the digits only", w, text);
    if (text[0] == '0' && (text[1] == 'x' || text[1] == 'X'))
        return cc_error(err, CC_EINPUT, "%s: '%s' is hexadecimal; write decimal digits", w, text);
    if (isdigit((unsigned char)text[0]) && strpbrk(text, "eE"))
        return cc_error(err, CC_EINPUT, "%s: '%s' is an exponent form; write all the digits", w, text);
    if (isdigit((unsigned char)text[0]) && strchr(text, '.'))
        return cc_error(err, CC_EINPUT, "%s: '%s' is not a whole number", w, text);
    if (strchr(text, '_'))
        return cc_error(err, CC_EINPUT, "%s: '%s' misplaces '_' (only single '_' between digits, as in 1_000_000)", w, text);
    return cc_error(err, CC_EINPUT, "%s: '%s' is not a number (decimal digits only)", w, text);
}

static bool is_grouped_decimal(const char *text)
{
    if (!isdigit((unsigned char)text[0]))
        return false;
    for (const char *p = text; *p; p++) {
        if (isdigit((unsigned char)*p))
            continue;
        if (*p == '_' && isdigit((unsigned char)p[1]))
            continue;
        return false;
    }
    return true;
}

enum cc_status num_parse_u128(const char *what, const char *text, u128 max,
                              u128 *out, struct cc_err *err)
{
    char limit[NUM_U128_BUFSIZE];
    u128 value = 0;

    if (!text || !*text)
        return cc_error(err, CC_EINPUT, "%s: empty value; expected a whole number", label(what));
    if (!is_grouped_decimal(text))
        return explain_bad_syntax(what, text, err);
    for (const char *p = text; *p; p++) {
        if (*p == '_')
            continue;
        unsigned digit = (unsigned)(*p - '0');
        if (value > (U128_MAX - digit) / 10)
            return cc_error(err, CC_EINPUT, "%s: '%s' is too large (above the 128-bit maximum %s)",
                            label(what), text, num_format_u128(U128_MAX, limit));
        value = value * 10 + digit;
    }
    if (value > max)
        return cc_error(err, CC_EINPUT, "%s: '%s' exceeds the limit %s", label(what), text,
                        num_format_u128(max, limit));
    *out = value;
    return CC_OK;
}

enum cc_status num_parse_u64(const char *what, const char *text, uint64_t max,
                             uint64_t *out, struct cc_err *err)
{
    u128 value;
    enum cc_status status = num_parse_u128(what, text, U128_MAX, &value, err);

    if (status != CC_OK)
        return status;
    if (value > UINT64_MAX)
        return cc_error(err, CC_EINPUT, "%s: '%s' does not fit in 64 bits (maximum %llu)",
                        label(what), text, (unsigned long long)UINT64_MAX);
    if (value > max)
        return cc_error(err, CC_EINPUT, "%s: '%s' exceeds the limit %llu", label(what), text,
                        (unsigned long long)max);
    *out = (uint64_t)value;
    return CC_OK;
}

char *num_format_u128(u128 v, char *buf)
{
    char digits[NUM_U128_BUFSIZE];
    size_t n = 0;

    do {
        digits[n++] = (char)('0' + (unsigned)(v % 10));
        v /= 10;
    } while (v);
    for (size_t i = 0; i < n; i++)
        buf[i] = digits[n - 1 - i];
    buf[n] = '\0';
    return buf;
}

char *num_format_double(double v, char *buf)
{
    /* Fewer digits first: the first that reads back is the shortest. */
    for (int digits = 1; digits <= 17; digits++) {
        snprintf(buf, NUM_DOUBLE_BUFSIZE, "%.*g", digits, v);
        if (strtod(buf, NULL) == v)
            break;
    }
    return buf;
}

static const struct {
    const char *suffix;
    double seconds;
} duration_units[] = {
    {"ns", 1e-9}, {"us", 1e-6}, {"ms", 1e-3}, {"s", 1.0}, {"m", 60.0}, {"", 1.0},
};

enum cc_status num_parse_duration(const char *what, const char *text,
                                  double max_seconds, double *out,
                                  struct cc_err *err)
{
    const char *p = text;
    size_t digits = 0;

    if (!text || !*text)
        return cc_error(err, CC_EINPUT, "%s: empty duration; expected e.g. 100ms or 0.25s", label(what));
    /* digits, optionally one '.' and more digits: no signs, no exponents */
    while (isdigit((unsigned char)*p)) p++, digits++;
    if (*p == '.')
        for (p++; isdigit((unsigned char)*p); p++) digits++;
    if (digits == 0)
        return cc_error(err, CC_EINPUT, "%s: '%s' is not a duration (expected e.g. 100ms, 0.25s, 2s)", label(what), text);
    for (size_t u = 0; u < sizeof duration_units / sizeof duration_units[0]; u++) {
        if (strcmp(p, duration_units[u].suffix) != 0)
            continue;
        double seconds = strtod(text, NULL) * duration_units[u].seconds;
        if (!isfinite(seconds) || seconds > max_seconds)
            return cc_error(err, CC_EINPUT, "%s: '%s' exceeds the limit of %g seconds", label(what), text, max_seconds);
        *out = seconds;
        return CC_OK;
    }
    return cc_error(err, CC_EINPUT, "%s: '%s' has an unknown unit '%s' (use ns, us, ms, s or m)", label(what), text, p);
}

static const struct {
    const char *suffix;
    unsigned shift;
} byte_units[] = {
    {"", 0}, {"B", 0}, {"K", 10}, {"KiB", 10}, {"M", 20}, {"MiB", 20},
    {"G", 30}, {"GiB", 30}, {"T", 40}, {"TiB", 40},
};

enum cc_status num_parse_bytes(const char *what, const char *text, uint64_t max,
                               uint64_t *out, struct cc_err *err)
{
    char digits[32];
    size_t length = 0;
    uint64_t value;

    if (!text || !*text)
        return cc_error(err, CC_EINPUT, "%s: empty size; expected e.g. 100MiB or 4096", label(what));
    while (isdigit((unsigned char)text[length]) || text[length] == '_')
        length++;
    if (length == 0 || length >= sizeof digits)
        return cc_error(err, CC_EINPUT, "%s: '%s' is not a size (expected e.g. 100MiB, 64KiB, 4096)", label(what), text);
    memcpy(digits, text, length);
    digits[length] = '\0';
    for (size_t u = 0; u < sizeof byte_units / sizeof byte_units[0]; u++) {
        if (strcmp(text + length, byte_units[u].suffix) != 0)
            continue;
        enum cc_status status = num_parse_u64(what, digits, UINT64_MAX, &value, err);
        if (status != CC_OK)
            return cc_error(err, status, "%s: '%s' is not a size (expected e.g. 100MiB, 64KiB, 4096)", label(what), text);
        if (value > (max >> byte_units[u].shift))
            return cc_error(err, CC_EINPUT, "%s: '%s' exceeds the limit of %llu bytes", label(what), text,
                            (unsigned long long)max);
        *out = value << byte_units[u].shift;
        return CC_OK;
    }
    return cc_error(err, CC_EINPUT, "%s: '%s' has an unknown unit '%s' (use B, KiB, MiB, GiB or TiB)",
                    label(what), text, text + length);
}

enum cc_status num_parse_percent(const char *what, const char *text, double max_percent,
                                 double *out, struct cc_err *err)
{
    const char *w = label(what);
    size_t len = strlen(text);
    size_t digits = len - (len > 0 && text[len - 1] == '%');
    const char *dot = memchr(text, '.', digits);
    char *end;

    /* Digits with at most one '.', then an optional '%': no sign, no
     * exponent, no blanks, which strtod alone would let through. */
    bool ok = digits > 0 && strspn(text, "0123456789.") == digits
              && (!dot || !memchr(dot + 1, '.', digits - (size_t)(dot + 1 - text)))
              && !(digits == 1 && text[0] == '.');
    double v = ok ? strtod(text, &end) : NAN;
    if (!ok || end != text + digits || !isfinite(v) || v > max_percent) {
        if (isfinite(max_percent))
            return cc_error(err, CC_EINPUT, "%s: '%s' is not a percentage from 0 to %g", w, text,
                            max_percent);
        return cc_error(err, CC_EINPUT, "%s: '%s' is not a percentage (e.g. 5%%)", w, text);
    }
    *out = v / 100;
    return CC_OK;
}

enum cc_status num_parse_list(const char *what, const char *text, uint64_t max, uint64_t *out,
                              size_t capacity, size_t *n, struct cc_err *err)
{
    const char *w = label(what);
    const char *p = text;

    *n = 0;
    for (;;) {
        size_t len = strcspn(p, ",");
        char item[32];
        if (*n == capacity)
            return cc_error(err, CC_EINPUT, "%s: more than %zu values", w, capacity);
        if (len >= sizeof item)
            return cc_error(err, CC_EINPUT, "%s: '%.*s' is too long", w, (int)len, p);
        memcpy(item, p, len);
        item[len] = '\0';
        enum cc_status status = num_parse_u64(what, item, max, &out[*n], err);
        if (status != CC_OK)
            return status;
        if (out[*n] == 0)
            return cc_error(err, CC_EINPUT, "%s: '0'; each value must be at least 1", w);
        ++*n;
        if (!p[len])
            return CC_OK;
        p += len + 1;
    }
}
