/* A PEM bundle of trusted certificates read once and decoded on demand.
 *
 * Why: OpenSSL 3.0 decodes every certificate fully when a bundle is loaded
 * (X509_STORE_load_file), and decoding a certificate's public key goes
 * through its provider decoders: about 0.3 ms a certificate here, 40-60 ms
 * for the system store's ~145, of which a run needs one or two. Here the
 * bundle is only read (base64 to DER) and indexed by subject name; a
 * certificate is decoded and added to the X509_STORE the first time
 * verification asks for that subject, as OpenSSL's own hashed-directory
 * lookup (capath) does for files. What is trusted does not change: the
 * same certificates, found by the same name comparison (X509_NAME_cmp).
 *
 * Only plain bundles are taken this way: certificates ("CERTIFICATE",
 * "X509 CERTIFICATE", "TRUSTED CERTIFICATE"), nothing else. A file with
 * anything else in it (a CRL, an encrypted block, one that does not parse)
 * is left to OpenSSL's eager loading, which also says what is wrong. */
#ifndef CONCUR_TLS_BUNDLE_H
#define CONCUR_TLS_BUNDLE_H

#include <openssl/x509_vfy.h>
#include <stdbool.h>

/* Reads file and sets store up to take its certificates on demand. false
 * (store untouched): the file is not a plain bundle with at least one
 * certificate, or cannot be read; load it eagerly instead. */
bool tls_bundle_attach(X509_STORE *store, const char *file);

/* How many certificates of attached bundles were decoded so far in this
 * process (tests). */
unsigned tls_bundle_decoded(void);

#endif
