/* A PEM bundle of trusted certificates decoded on demand (see
 * tls_bundle.h). */
#include "tls_bundle.h"

#include <openssl/asn1.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "grow.h"

struct bundle_cert {
    X509_NAME *subject;
    unsigned char *der;
    long len;
    bool trusted_form; /* "TRUSTED CERTIFICATE": with OpenSSL's trust settings */
    bool decoded;      /* in the store already (or found broken) */
};

struct tls_bundle {
    pthread_mutex_t lock; /* guards every cert's decoded flag */
    struct bundle_cert *certs;
    size_t n, cap;
};

static atomic_uint decoded_total;
static int ex_index = -1;

unsigned tls_bundle_decoded(void)
{
    return atomic_load(&decoded_total);
}

static void bundle_free(struct tls_bundle *b)
{
    if (!b)
        return;
    for (size_t i = 0; i < b->n; i++) {
        X509_NAME_free(b->certs[i].subject);
        OPENSSL_free(b->certs[i].der);
    }
    free(b->certs);
    pthread_mutex_destroy(&b->lock);
    free(b);
}

/* The store's ex_data destructor: the bundle lives as long as its store. */
static void on_store_free(void *parent, void *ptr, CRYPTO_EX_DATA *ad, int idx, long argl, void *argp)
{
    (void)parent, (void)ad, (void)idx, (void)argl, (void)argp;
    bundle_free(ptr);
}

static void make_ex_index(void)
{
    ex_index = X509_STORE_get_ex_new_index(0, NULL, NULL, NULL, on_store_free);
}

/* Skips one DER element at *p (not past end); false if it is malformed. */
static bool skip_element(const unsigned char **p, const unsigned char *end)
{
    long len;
    int tag, cls;
    int rc = ASN1_get_object(p, &len, &tag, &cls, end - *p);

    if ((rc & 0x80) || rc == 0x21) /* an error, or indefinite length */
        return false;
    *p += len;
    return true;
}

/* Steps into the SEQUENCE at *p: *p at its first element, *end after its
 * last. */
static bool enter_sequence(const unsigned char **p, const unsigned char **end)
{
    long len;
    int tag, cls;
    int rc = ASN1_get_object(p, &len, &tag, &cls, *end - *p);

    if ((rc & 0x80) || rc != V_ASN1_CONSTRUCTED || tag != V_ASN1_SEQUENCE || cls != V_ASN1_UNIVERSAL)
        return false;
    *end = *p + len;
    return true;
}

/* The subject name of a DER certificate, without decoding the rest (RFC
 * 5280: Certificate = SEQUENCE { tbsCertificate = SEQUENCE { [0] version
 * OPTIONAL, serialNumber, signature, issuer, validity, subject, ... } ...}). */
static X509_NAME *subject_of(const unsigned char *der, long len)
{
    const unsigned char *p = der, *end = der + len;

    if (!enter_sequence(&p, &end) || !enter_sequence(&p, &end) || p >= end)
        return NULL;
    int before_subject = *p == (V_ASN1_CONTEXT_SPECIFIC | V_ASN1_CONSTRUCTED) ? 5 : 4;
    for (int i = 0; i < before_subject; i++)
        if (!skip_element(&p, end))
            return NULL;
    return d2i_X509_NAME(NULL, &p, end - p);
}

static bool is_certificate(const char *pem_name, bool *trusted_form)
{
    *trusted_form = !strcmp(pem_name, PEM_STRING_X509_TRUSTED);
    return *trusted_form || !strcmp(pem_name, PEM_STRING_X509) || !strcmp(pem_name, PEM_STRING_X509_OLD);
}

static bool push(struct tls_bundle *b, struct bundle_cert cert)
{
    struct bundle_cert *certs = grow(b->certs, &b->cap, b->n + 1, sizeof *certs, 64);
    if (!certs)
        return false;
    b->certs = certs;
    b->certs[b->n++] = cert;
    return true;
}

/* One PEM object into b; false if it is not a plain certificate. Takes
 * der. */
static bool take_object(struct tls_bundle *b, const char *name, const char *header,
                        unsigned char *der, long len)
{
    struct bundle_cert cert = {.der = der, .len = len};

    if (!is_certificate(name, &cert.trusted_form) || *header
        || !(cert.subject = subject_of(der, len)) || !push(b, cert)) {
        X509_NAME_free(cert.subject);
        OPENSSL_free(der);
        return false;
    }
    return true;
}

/* Every object of file into b; false unless all are certificates and there
 * is at least one. */
static bool read_bundle(struct tls_bundle *b, const char *file)
{
    BIO *bio = BIO_new_file(file, "r");
    bool plain = bio != NULL;
    char *name, *header;
    unsigned char *der;
    long len;

    while (plain && PEM_read_bio(bio, &name, &header, &der, &len)) {
        plain = take_object(b, name, header, der, len);
        OPENSSL_free(name);
        OPENSSL_free(header);
    }
    /* The loop ends at the end of the file (no further start line) or at a
     * block that does not decode. */
    unsigned long last = ERR_peek_last_error();
    if (plain && !(ERR_GET_LIB(last) == ERR_LIB_PEM && ERR_GET_REASON(last) == PEM_R_NO_START_LINE))
        plain = false;
    BIO_free(bio);
    return plain && b->n > 0;
}

/* Decodes the bundle's certificates named name that are not in store yet
 * and adds them to it. */
static void add_by_subject(X509_STORE *store, const X509_NAME *name)
{
    struct tls_bundle *b = X509_STORE_get_ex_data(store, ex_index);

    if (!b || !name)
        return;
    ERR_set_mark(); /* what goes wrong here is not the handshake's error */
    pthread_mutex_lock(&b->lock);
    for (size_t i = 0; i < b->n; i++) {
        struct bundle_cert *c = &b->certs[i];
        if (c->decoded || X509_NAME_cmp(c->subject, name) != 0)
            continue;
        const unsigned char *p = c->der;
        X509 *x = c->trusted_form ? d2i_X509_AUX(NULL, &p, c->len) : d2i_X509(NULL, &p, c->len);
        c->decoded = true; /* a broken one is not tried again: it is not trusted */
        if (x) {
            X509_STORE_add_cert(store, x);
            X509_free(x);
            atomic_fetch_add(&decoded_total, 1);
        }
    }
    pthread_mutex_unlock(&b->lock);
    ERR_pop_to_mark();
}

/* The store's issuer and certificate lookups: OpenSSL's own, after the
 * certificates of that name were taken from the bundle. */
static int get_issuer(X509 **issuer, X509_STORE_CTX *ctx, X509 *x)
{
    add_by_subject(X509_STORE_CTX_get0_store(ctx), X509_get_issuer_name(x));
    return X509_STORE_CTX_get1_issuer(issuer, ctx, x);
}

static STACK_OF(X509) *lookup_certs(X509_STORE_CTX *ctx, const X509_NAME *name)
{
    add_by_subject(X509_STORE_CTX_get0_store(ctx), name);
    return X509_STORE_CTX_get1_certs(ctx, name);
}

bool tls_bundle_attach(X509_STORE *store, const char *file)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    struct tls_bundle *b = calloc(1, sizeof *b);

    pthread_once(&once, make_ex_index);
    if (!b || ex_index < 0) {
        free(b);
        return false;
    }
    pthread_mutex_init(&b->lock, NULL);
    ERR_set_mark();
    bool plain = read_bundle(b, file);
    ERR_pop_to_mark();
    if (!plain || X509_STORE_get_ex_data(store, ex_index) || !X509_STORE_set_ex_data(store, ex_index, b)) {
        bundle_free(b);
        return false;
    }
    X509_STORE_set_get_issuer(store, get_issuer);
    X509_STORE_set_lookup_certs(store, lookup_certs);
    return true;
}
