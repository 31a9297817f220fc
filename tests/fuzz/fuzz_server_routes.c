/* The server's routes and query values (src/server_routes.c) on any text,
 * and drip pacing played out to the end: no crash, no undefined behaviour
 * (a float-to-integer cast out of range included); accepted values within
 * their limits; a drip sends every byte exactly once, never ahead of its
 * schedule, and when it waits, it waits for a later time (no busy loop).
 *
 * The input is up to five lines: a request path, then the drip's numbytes
 * and duration, /flaky's retry-after and a --bind address. An empty line
 * stands for "absent" where a query value may be absent. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "server_routes.h"

static struct server_flaky_table *flaky;

static void check_route(const char *path)
{
    struct server_route route;
    struct cc_err err = {{0}};
    if (server_route_parse(path, &route, &err) != CC_OK) {
        CHECK(err.msg[0] != '\0');
        return;
    }
    switch (route.kind) {
    case ROUTE_BYTES: CHECK(route.bytes <= SERVER_BYTES_MAX); break;
    case ROUTE_DELAY: CHECK(route.delay >= 0 && route.delay <= SERVER_DELAY_MAX); break;
    case ROUTE_STATUS: CHECK(route.status >= 200 && route.status <= 599); break;
    case ROUTE_FLAKY:
        CHECK(route.failures <= SERVER_FLAKY_FAILURES_MAX);
        CHECK(strlen(route.key) >= 1 && strlen(route.key) <= SERVER_FLAKY_KEY_MAX);
        server_flaky_hit(flaky, route.key);
        break;
    default: break;
    }
}

/* The server's loop for one drip: send what is due, else sleep until
 * wake_at (the worst case for rounding: exactly then). */
static void play_drip(const struct server_drip *drip)
{
    uint64_t pos = 0;
    double elapsed = 0;
    for (int steps = 0; pos < drip->bytes; steps++) {
        CHECK(steps < 100000);
        struct server_drip_step step = server_drip_next(drip, pos, elapsed);
        uint64_t due = server_drip_due(drip, elapsed);
        CHECK(due <= drip->bytes);
        if (step.send) {
            CHECK(step.send <= drip->bytes - pos && pos + step.send <= due);
            pos += step.send;
        } else {
            CHECK(isfinite(step.wake_at) && step.wake_at > elapsed);
            CHECK(step.wake_at <= drip->seconds * (1 + 1e-12));
            elapsed = step.wake_at;
        }
    }
    CHECK(server_drip_due(drip, drip->seconds) == drip->bytes);
}

static void check_drip(const char *numbytes, const char *duration)
{
    struct server_drip drip;
    struct cc_err err = {{0}};
    if (server_drip_parse(numbytes, duration, &drip, &err) != CC_OK) {
        CHECK(err.msg[0] != '\0');
        return;
    }
    CHECK(drip.bytes <= SERVER_BYTES_MAX);
    CHECK(drip.seconds >= 0 && drip.seconds <= SERVER_DELAY_MAX);
    /* a cheap bound: a large slow drip plays thousands of steps */
    if (drip.bytes <= 1 << 20)
        play_drip(&drip);
    else
        server_drip_next(&drip, 0, drip.seconds / 2);
}

static void check_retry_after(const char *text)
{
    long seconds;
    struct cc_err err = {{0}};
    if (server_flaky_retry_after(text, &seconds, &err) == CC_OK)
        CHECK(text ? seconds >= 0 && seconds <= SERVER_FLAKY_RETRY_AFTER_MAX : seconds == -1);
    else
        CHECK(err.msg[0] != '\0');
}

static void check_bind(const char *text)
{
    struct sockaddr_storage addr;
    socklen_t len = 0;
    struct cc_err err = {{0}};
    if (server_parse_bind(text, 8080, &addr, &len, &err) == CC_OK)
        CHECK(len > 0 && len <= sizeof addr);
    else
        CHECK(err.msg[0] != '\0');
}

static void check_body(const char *text)
{
    uint64_t offset = 0;
    char buf[64];
    memcpy(&offset, text, strlen(text) < sizeof offset ? strlen(text) : sizeof offset);
    server_fill_bytes(offset, buf, sizeof buf);
    for (size_t i = 0; i < sizeof buf; i++)
        CHECK(buf[i] >= '-' && buf[i] <= 'z');
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!flaky)
        flaky = server_flaky_new(4);   /* small: eviction runs too */
    char *text = malloc(size + 1);
    memcpy(text, data, size);
    text[size] = '\0';

    const char *line[5] = {NULL};
    char *p = text;
    for (int i = 0; i < 5 && p; i++) {
        line[i] = p;
        p = strchr(p, '\n');
        if (p)
            *p++ = '\0';
    }
#define VALUE(i) (line[i] && *line[i] ? line[i] : NULL)
    check_route(line[0]);
    check_drip(VALUE(1), VALUE(2));
    check_retry_after(VALUE(3));
    if (VALUE(4))
        check_bind(line[4]);
    check_body(line[0]);
    free(text);
    return 0;
}
