/* The embedded HTTP latency server behind `concur serve` (libmicrohttpd).
 *
 * It emulates remote sites on loopback: every response waits a configurable
 * latency first, and routes in the manner of httpbin give bodies of any size,
 * extra delays, chosen statuses, slow bodies and faults. Waiting costs no
 * thread: a waiting connection is suspended in libmicrohttpd and a single
 * timer thread resumes it at its deadline, so thousands of delayed responses
 * are in flight at once.
 *
 * The module never prints errors and never exits; its pure parts (routes,
 * parameters, body content) are in server_routes.h. */
#ifndef CONCUR_SERVER_H
#define CONCUR_SERVER_H

#include <stdint.h>
#include <stdio.h>

#include "server_routes.h"
#include "status.h"

struct server_config {
    const char *bind;   /* NULL: 127.0.0.1 */
    uint16_t port;      /* 0: a free port */
    double latency;     /* seconds before every response */
    FILE *access_log;   /* one line per response, or NULL */
    double request_timeout; /* seconds for a request to arrive whole; 0: the default */
    /* HTTPS with this PEM certificate (chain) and key (server_tls.h);
     * NULL: plain HTTP. Both must live until server_stop. */
    const char *tls_cert_pem;
    const char *tls_key_pem;
};

/* A request (line, headers and body) must arrive whole within this many
 * seconds of the connection's start or of the end of the previous response
 * on it; else the connection is closed, so that clients that trickle their
 * headers (slowloris) cannot keep the connection slots from others. */
#define SERVER_REQUEST_TIMEOUT_DEFAULT 5.0
#define SERVER_REQUEST_TIMEOUT_MAX 3600.0

struct server;

/* Binds, listens and starts serving in background threads. A port already in
 * use is CC_ESYS with a message that says so. */
enum cc_status server_start(const struct server_config *config,
                            struct server **out, struct cc_err *err);

/* The port actually bound (the free one chosen for port 0). */
uint16_t server_port(const struct server *server);

/* "http://127.0.0.1:PORT/" (https with TLS; IPv6 addresses in brackets). */
const char *server_url(const struct server *server);

/* Answers what is pending (hung and waiting requests are closed), stops the
 * threads, closes the socket and frees server. NULL is allowed. */
void server_stop(struct server *server);

#endif
