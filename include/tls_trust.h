/* The certificates the download engine trusts, loaded once per process and
 * shared by every TLS connection of every mode.
 *
 * Why: libcurl 7.88 with OpenSSL 3 builds a fresh X509_STORE for every new
 * connection and parses the whole CA bundle into it (about 145 PEM
 * certificates, ~25 ms of CPU each time). Its own cache
 * (CURLOPT_CA_CACHE_TIMEOUT) lives in a multi handle, so the threads mode
 * (one handle per thread, each with its own hidden multi) and every MPI rank
 * would still parse the bundle once per thread. Here the store is parsed
 * once (a plain bundle only indexed, its certificates decoded when first
 * needed: tls_bundle.h), kept, and each new connection's SSL_CTX gets a reference to it
 * (X509_STORE_up_ref; OpenSSL's store is locked internally, so threads may
 * share it), while libcurl's own loading is switched off for those handles
 * (CURLOPT_CAINFO and CURLOPT_CAPATH set to NULL). Verification of the peer
 * and of the host name stay libcurl's and stay on.
 *
 * When libcurl does not use OpenSSL (another TLS back end), the same trust is
 * handed to libcurl as CURLOPT_CAINFO / CURLOPT_CAPATH instead. */
#ifndef CONCUR_TLS_TRUST_H
#define CONCUR_TLS_TRUST_H

#include <curl/curl.h>

#include "status.h"

struct tls_trust;

/* The trust of one run. cafile and capath (either may be NULL) replace the
 * system store, like curl's --cacert and --capath; with neither, the system
 * store (libcurl's built-in bundle and directory) is used. Given files are
 * checked and loaded now: a missing or unreadable path, or a file without a
 * certificate, is CC_EINPUT naming it. The system store is loaded on the
 * first TLS connection, so plain-HTTP runs never pay for it. */
enum cc_status tls_trust_new(const char *cafile, const char *capath,
                             struct tls_trust **out, struct cc_err *err);

/* Sets easy up to use trust (NULL: the process's system-store trust) for
 * every connection it makes. trust must outlive the handle's transfers. */
CURLcode tls_trust_attach(struct tls_trust *trust, CURL *easy);

/* How many times a store was loaded from disk in this process (tests). */
unsigned tls_trust_loads(void);

/* NULL is allowed. */
void tls_trust_free(struct tls_trust *trust);

#endif
