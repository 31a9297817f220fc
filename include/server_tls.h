/* The certificate and key of `concur serve --tls` (GnuTLS, the library
 * libmicrohttpd does TLS with): read from the user's PEM files and checked
 * to belong together, or a fresh self-signed certificate made at start for
 * 127.0.0.1, ::1 and localhost, so that a client can trust exactly that
 * certificate (curl --cacert, concur io --cacert). */
#ifndef CONCUR_SERVER_TLS_H
#define CONCUR_SERVER_TLS_H

#include "status.h"

/* NUL-terminated PEM texts, owned. */
struct server_tls {
    char *cert_pem;
    char *key_pem;
};

/* The generated certificate's life: long enough for any benchmark. */
#define SERVER_TLS_DAYS 30

/* Reads and checks cert_path and key_path: a missing file, one that is not
 * PEM, or a key that does not match the certificate is CC_EINPUT naming it. */
enum cc_status server_tls_load(const char *cert_path, const char *key_path,
                               struct server_tls *out, struct cc_err *err);

/* A new ECDSA P-256 key and a self-signed certificate for it (SHA-256; SAN
 * IP:127.0.0.1, IP:::1, DNS:localhost; serverAuth; valid from an hour ago
 * for SERVER_TLS_DAYS). */
enum cc_status server_tls_generate(struct server_tls *out, struct cc_err *err);

void server_tls_free(struct server_tls *tls);

#endif
