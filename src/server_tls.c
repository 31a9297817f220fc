/* Certificates for `concur serve --tls` (see server_tls.h). */
#include "server_tls.h"

#include <arpa/inet.h>
#include <errno.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The key: ECDSA P-256, as many large sites use. Its signature (one per
 * handshake) costs the server a small fraction of an RSA-2048 one: the emulator
 * shares the machine with the clients it measures, and 1,000 handshakes
 * at once must not starve them. */
#define KEY_CURVE GNUTLS_ECC_CURVE_SECP256R1

static enum cc_status tls_fail(struct cc_err *err, const char *what, int rc)
{
    return cc_error(err, CC_ESYS, "TLS: %s: %s", what, gnutls_strerror(rc));
}

/* A GnuTLS datum's bytes as a C string (PEM is text); the datum is freed. */
static char *take_text(gnutls_datum_t *d)
{
    char *text = malloc((size_t)d->size + 1);
    if (text) {
        memcpy(text, d->data, d->size);
        text[d->size] = '\0';
    }
    gnutls_free(d->data);
    d->data = NULL;
    return text;
}

/* The subject alternative names clients check the host against. */
static int add_names(gnutls_x509_crt_t crt)
{
    unsigned char v4[4], v6[16];
    int rc = 0;

    inet_pton(AF_INET, "127.0.0.1", v4);
    inet_pton(AF_INET6, "::1", v6);
    rc |= gnutls_x509_crt_set_subject_alt_name(crt, GNUTLS_SAN_IPADDRESS, v4, sizeof v4, GNUTLS_FSAN_APPEND);
    rc |= gnutls_x509_crt_set_subject_alt_name(crt, GNUTLS_SAN_IPADDRESS, v6, sizeof v6, GNUTLS_FSAN_APPEND);
    rc |= gnutls_x509_crt_set_subject_alt_name(crt, GNUTLS_SAN_DNSNAME, "localhost", 9, GNUTLS_FSAN_APPEND);
    return rc;
}

/* Everything but the signature: a leaf certificate for a server. */
static int fill_certificate(gnutls_x509_crt_t crt, gnutls_x509_privkey_t key)
{
    unsigned char serial[16], key_id[64];
    size_t key_id_size = sizeof key_id;
    time_t now = time(NULL);
    int rc;

    if ((rc = gnutls_rnd(GNUTLS_RND_NONCE, serial, sizeof serial)) < 0)
        return rc;
    serial[0] &= 0x7f; /* a positive serial number */
    if ((rc = gnutls_x509_crt_set_version(crt, 3)) < 0 ||
        (rc = gnutls_x509_crt_set_serial(crt, serial, sizeof serial)) < 0 ||
        (rc = gnutls_x509_crt_set_activation_time(crt, now - 3600)) < 0 ||
        (rc = gnutls_x509_crt_set_expiration_time(crt, now + SERVER_TLS_DAYS * 86400L)) < 0 ||
        (rc = gnutls_x509_crt_set_dn_by_oid(crt, GNUTLS_OID_X520_COMMON_NAME, 0, "127.0.0.1", 9)) < 0 ||
        (rc = gnutls_x509_crt_set_dn_by_oid(crt, GNUTLS_OID_X520_ORGANIZATION_NAME, 0,
                                            "concur serve", 12)) < 0 ||
        (rc = gnutls_x509_crt_set_key(crt, key)) < 0 ||
        (rc = add_names(crt)) < 0 ||
        (rc = gnutls_x509_crt_set_basic_constraints(crt, 0, -1)) < 0 ||
        (rc = gnutls_x509_crt_set_key_usage(crt, GNUTLS_KEY_DIGITAL_SIGNATURE)) < 0 ||
        (rc = gnutls_x509_crt_set_key_purpose_oid(crt, GNUTLS_KP_TLS_WWW_SERVER, 0)) < 0 ||
        (rc = gnutls_x509_crt_get_key_id(crt, 0, key_id, &key_id_size)) < 0 ||
        (rc = gnutls_x509_crt_set_subject_key_id(crt, key_id, key_id_size)) < 0)
        return rc;
    return 0;
}

enum cc_status server_tls_generate(struct server_tls *out, struct cc_err *err)
{
    gnutls_x509_privkey_t key = NULL;
    gnutls_x509_crt_t crt = NULL;
    gnutls_datum_t pem = {NULL, 0};
    enum cc_status status = CC_OK;
    int rc;

    *out = (struct server_tls){0};
    if ((rc = gnutls_x509_privkey_init(&key)) < 0 ||
        (rc = gnutls_x509_privkey_generate(key, GNUTLS_PK_ECDSA,
                                                GNUTLS_CURVE_TO_BITS(KEY_CURVE), 0)) < 0)
        status = tls_fail(err, "cannot generate a key", rc);
    else if ((rc = gnutls_x509_crt_init(&crt)) < 0 || (rc = fill_certificate(crt, key)) < 0 ||
             (rc = gnutls_x509_crt_sign2(crt, crt, key, GNUTLS_DIG_SHA256, 0)) < 0)
        status = tls_fail(err, "cannot make the certificate", rc);
    else if ((rc = gnutls_x509_crt_export2(crt, GNUTLS_X509_FMT_PEM, &pem)) < 0 ||
             !(out->cert_pem = take_text(&pem)) ||
             (rc = gnutls_x509_privkey_export2(key, GNUTLS_X509_FMT_PEM, &pem)) < 0 ||
             !(out->key_pem = take_text(&pem)))
        status = rc < 0 ? tls_fail(err, "cannot export the certificate", rc)
                        : cc_error(err, CC_ESYS, "out of memory");
    if (crt)
        gnutls_x509_crt_deinit(crt);
    if (key)
        gnutls_x509_privkey_deinit(key);
    if (status != CC_OK)
        server_tls_free(out);
    return status;
}

/* The whole file as a string; CC_EINPUT naming it when it cannot be read. */
static enum cc_status read_text(const char *option, const char *path, char **out, struct cc_err *err)
{
    FILE *f = fopen(path, "rb");
    char *text = NULL;
    size_t size = 0;

    *out = NULL;
    if (!f)
        return cc_error(err, CC_EINPUT, "%s %s: cannot open: %s", option, path, strerror(errno));
    FILE *mem = open_memstream(&text, &size);
    char buf[8192];
    size_t n;
    while (mem && (n = fread(buf, 1, sizeof buf, f)) > 0)
        fwrite(buf, 1, n, mem);
    bool bad = ferror(f);
    fclose(f);
    if (!mem || fclose(mem) != 0) {
        free(text);
        return cc_error(err, CC_ESYS, "out of memory reading %s", path);
    }
    if (bad) {
        free(text);
        return cc_error(err, CC_EINPUT, "%s %s: cannot read", option, path);
    }
    *out = text;
    return CC_OK;
}

/* Whether the PEM texts hold a certificate and the key that goes with it,
 * the way the server will use them. */
static enum cc_status check_pair(const struct server_tls *tls, const char *cert_path,
                                 const char *key_path, struct cc_err *err)
{
    gnutls_certificate_credentials_t cred;
    gnutls_datum_t cert = {(unsigned char *)tls->cert_pem, (unsigned)strlen(tls->cert_pem)};
    gnutls_datum_t key = {(unsigned char *)tls->key_pem, (unsigned)strlen(tls->key_pem)};
    gnutls_x509_crt_t crt;
    int rc;

    if ((rc = gnutls_x509_crt_init(&crt)) < 0)
        return tls_fail(err, "cannot check the certificate", rc);
    rc = gnutls_x509_crt_import(crt, &cert, GNUTLS_X509_FMT_PEM);
    gnutls_x509_crt_deinit(crt);
    if (rc < 0)
        return cc_error(err, CC_EINPUT, "--cert %s: not a PEM certificate: %s", cert_path, gnutls_strerror(rc));
    if ((rc = gnutls_certificate_allocate_credentials(&cred)) < 0)
        return tls_fail(err, "cannot check the certificate", rc);
    rc = gnutls_certificate_set_x509_key_mem(cred, &cert, &key, GNUTLS_X509_FMT_PEM);
    gnutls_certificate_free_credentials(cred);
    if (rc == GNUTLS_E_CERTIFICATE_KEY_MISMATCH)
        return cc_error(err, CC_EINPUT, "--key %s: not the key of the certificate %s", key_path, cert_path);
    if (rc < 0)
        return cc_error(err, CC_EINPUT, "--key %s: not a PEM private key: %s", key_path, gnutls_strerror(rc));
    return CC_OK;
}

enum cc_status server_tls_load(const char *cert_path, const char *key_path,
                               struct server_tls *out, struct cc_err *err)
{
    enum cc_status status;

    *out = (struct server_tls){0};
    if ((status = read_text("--cert", cert_path, &out->cert_pem, err)) == CC_OK &&
        (status = read_text("--key", key_path, &out->key_pem, err)) == CC_OK)
        status = check_pair(out, cert_path, key_path, err);
    if (status != CC_OK)
        server_tls_free(out);
    return status;
}

void server_tls_free(struct server_tls *tls)
{
    free(tls->cert_pem);
    if (tls->key_pem) /* the private key does not linger in freed memory */
        explicit_bzero(tls->key_pem, strlen(tls->key_pem));
    free(tls->key_pem);
    *tls = (struct server_tls){0};
}
