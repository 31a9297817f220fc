/* The number parser (src/num.c) on any text: no crash and no undefined
 * behaviour; what it accepts is within the caller's limit, a parsed whole
 * number formats back to its digits, a duration is finite and in range, a
 * size a whole multiple of its unit; what it refuses has a reason. The first
 * byte picks the limit (so that the limit checks run too). */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "num.h"

static const uint64_t limits[] = {0, 1, 100, 4096, UINT32_MAX, (UINT64_C(1) << 40), UINT64_MAX};

/* The digits of text without '_' and leading zeros ("0" for none). */
static void plain_digits(const char *text, char *out)
{
    size_t n = 0;
    for (const char *p = text; *p; p++)
        if (*p != '_' && !(n == 0 && *p == '0'))
            out[n++] = *p;
    if (n == 0)
        out[n++] = '0';
    out[n] = '\0';
}

static void check_whole(const char *text, uint64_t limit)
{
    struct cc_err err = {{0}};
    u128 v128 = 0;
    uint64_t v64 = 0;
    char buf[NUM_U128_BUFSIZE];

    if (num_parse_u128("N", text, limit, &v128, &err) == CC_OK) {
        CHECK(v128 <= limit);
        char *want = malloc(strlen(text) + 2);
        plain_digits(text, want);
        CHECK(strcmp(num_format_u128(v128, buf), want) == 0);
        free(want);
    } else
        CHECK(err.msg[0] != '\0');
    if (num_parse_u64("N", text, limit, &v64, &err) == CC_OK)
        CHECK(v64 <= limit && v64 == (uint64_t)v128);
}

static void check_duration(const char *text, double max)
{
    struct cc_err err = {{0}};
    double seconds = -1;
    if (num_parse_duration("--latency", text, max, &seconds, &err) == CC_OK)
        CHECK(isfinite(seconds) && seconds >= 0 && seconds <= max);
    else
        CHECK(err.msg[0] != '\0');
}

static void check_bytes(const char *text, uint64_t limit)
{
    struct cc_err err = {{0}};
    uint64_t bytes = 0;
    if (num_parse_bytes("--max-size", text, limit, &bytes, &err) == CC_OK)
        CHECK(bytes <= limit);
    else
        CHECK(err.msg[0] != '\0');
}

static void check_double(const uint8_t *data, size_t size)
{
    double v;
    char buf[NUM_DOUBLE_BUFSIZE];
    if (size < sizeof v)
        return;
    memcpy(&v, data, sizeof v);
    if (!isfinite(v))
        return;
    num_format_double(v, buf);
    CHECK(strlen(buf) < sizeof buf && strtod(buf, NULL) == v);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    uint64_t limit = limits[data[0] % (sizeof limits / sizeof limits[0])];
    char *text = malloc(size);
    memcpy(text, data + 1, size - 1);
    text[size - 1] = '\0';

    check_whole(text, limit);
    check_duration(text, data[0] & 0x80 ? 60.0 : INFINITY);
    check_bytes(text, limit);
    check_double(data + 1, size - 1);
    free(text);
    return 0;
}
