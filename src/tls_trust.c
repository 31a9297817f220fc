/* The trust store, loaded once per process (see tls_trust.h). */
#include "tls_trust.h"
#include "tls_bundle.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/err.h>
#include <openssl/opensslv.h>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct tls_trust {
    bool system;            /* libcurl's built-in bundle and directory */
    char *cafile, *capath;  /* --cacert, --capath (may be NULL) */
    pthread_mutex_t lock;   /* guards the lazy load of the system store */
    bool tried;             /* a load was attempted (it is not retried) */
    X509_STORE *store;      /* NULL until loaded, or when loading failed */
};

static struct tls_trust system_trust = {.system = true, .lock = PTHREAD_MUTEX_INITIALIZER};
static atomic_uint loads;

unsigned tls_trust_loads(void)
{
    return atomic_load(&loads);
}

static bool ours;

static void decide_backend(void)
{
    const curl_version_info_data *info = curl_version_info(CURLVERSION_NOW);
    char prefix[32];
    snprintf(prefix, sizeof prefix, "OpenSSL/%d.", OPENSSL_VERSION_MAJOR);
    ours = info->ssl_version && !strncmp(info->ssl_version, prefix, strlen(prefix));
    /* For measuring what the shared store saves (make bench): libcurl
     * loads the same trust itself, once per connection. */
    const char *mode = getenv("CONCUR_TLS_TRUST");
    if (mode && !strcmp(mode, "libcurl"))
        ours = false;
}

/* Whether libcurl's TLS back end is the OpenSSL concur links: only then is
 * the SSL_CTX that libcurl hands over an OpenSSL one that our store fits. */
static bool curl_uses_our_openssl(void)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, decide_backend);
    return ours;
}

/* The first error on OpenSSL's queue of this thread, in words; the queue
 * is emptied. */
static const char *openssl_reason(char *buf, size_t size)
{
    unsigned long code = ERR_peek_last_error();
    if (code)
        ERR_error_string_n(code, buf, size);
    else
        snprintf(buf, size, "no certificate found");
    ERR_clear_error();
    return buf;
}

/* Reads file and dir (either may be NULL) into a new store, flagged the
 * way libcurl flags its own: trusted certificates first, and a trusted
 * intermediate or leaf may end a chain. */
static X509_STORE *load_store(const char *file, const char *dir, char *why, size_t size)
{
    char reason[256];
    X509_STORE *store = X509_STORE_new();

    if (!store) {
        snprintf(why, size, "out of memory for the trust store");
        return NULL;
    }
    /* A plain bundle is only indexed; anything else is parsed whole. */
    if (file && !tls_bundle_attach(store, file) && !X509_STORE_load_file(store, file)) {
        snprintf(why, size, "cannot load CA file '%s': %s", file, openssl_reason(reason, sizeof reason));
        X509_STORE_free(store);
        return NULL;
    }
    if (dir && !X509_STORE_load_path(store, dir)) {
        snprintf(why, size, "cannot use CA directory '%s': %s", dir, openssl_reason(reason, sizeof reason));
        X509_STORE_free(store);
        return NULL;
    }
    X509_STORE_set_flags(store, X509_V_FLAG_TRUSTED_FIRST | X509_V_FLAG_PARTIAL_CHAIN);
    atomic_fetch_add(&loads, 1);
    return store;
}

/* The store of trust, loaded on first use (the system store) and kept. */
static X509_STORE *trust_store(struct tls_trust *trust)
{
    pthread_mutex_lock(&trust->lock);
    if (!trust->tried) {
        char why[512];
        const curl_version_info_data *info = curl_version_info(CURLVERSION_NOW);
        trust->tried = true;
        trust->store = load_store(info->cainfo, info->capath, why, sizeof why);
    }
    X509_STORE *store = trust->store;
    pthread_mutex_unlock(&trust->lock);
    return store;
}

/* libcurl's CURLOPT_SSL_CTX_FUNCTION: called for every new TLS connection,
 * after libcurl set the context up and before the handshake. */
static CURLcode on_ssl_ctx(CURL *easy, void *ssl_ctx, void *userptr)
{
    (void)easy;
    X509_STORE *store = trust_store(userptr);
    if (!store)
        return CURLE_SSL_CACERT_BADFILE;
    if (!X509_STORE_up_ref(store))
        return CURLE_OUT_OF_MEMORY;
    SSL_CTX_set_cert_store(ssl_ctx, store); /* frees the empty one libcurl made */
    return CURLE_OK;
}

CURLcode tls_trust_attach(struct tls_trust *trust, CURL *easy)
{
    CURLcode code = CURLE_OK;

    if (!trust)
        trust = &system_trust;
    if (!curl_uses_our_openssl()) {
        if (trust->system)
            return CURLE_OK; /* libcurl's defaults are the system store */
        code |= curl_easy_setopt(easy, CURLOPT_CAINFO, trust->cafile);
        code |= curl_easy_setopt(easy, CURLOPT_CAPATH, trust->capath);
        return code;
    }
    /* No bundle for libcurl to parse: the callback brings the store. */
    code |= curl_easy_setopt(easy, CURLOPT_CAINFO, NULL);
    code |= curl_easy_setopt(easy, CURLOPT_CAPATH, NULL);
    code |= curl_easy_setopt(easy, CURLOPT_SSL_CTX_FUNCTION, on_ssl_ctx);
    code |= curl_easy_setopt(easy, CURLOPT_SSL_CTX_DATA, trust);
    return code;
}

/* A path the user named: must exist, be readable and of the right kind. */
static enum cc_status check_path(const char *option, const char *path, bool directory,
                                 struct cc_err *err)
{
    struct stat st;
    int fd = open(path, O_RDONLY | O_CLOEXEC | (directory ? O_DIRECTORY : 0));

    if (fd < 0)
        return cc_error(err, CC_EINPUT, "%s %s: cannot open: %s", option, path, strerror(errno));
    int rc = fstat(fd, &st);
    close(fd);
    if (rc == 0 && !directory && !S_ISREG(st.st_mode))
        return cc_error(err, CC_EINPUT, "%s %s: not a regular file", option, path);
    return CC_OK;
}

enum cc_status tls_trust_new(const char *cafile, const char *capath,
                             struct tls_trust **out, struct cc_err *err)
{
    enum cc_status status = CC_OK;
    char why[512];

    *out = NULL;
    if (!cafile && !capath)
        return CC_OK; /* the system store, shared by the whole process */
    if (cafile && (status = check_path("--cacert", cafile, false, err)) != CC_OK)
        return status;
    if (capath && (status = check_path("--capath", capath, true, err)) != CC_OK)
        return status;
    struct tls_trust *trust = calloc(1, sizeof *trust);
    if (!trust)
        return cc_error(err, CC_ESYS, "out of memory");
    pthread_mutex_init(&trust->lock, NULL);
    trust->tried = true;
    trust->cafile = cafile ? strdup(cafile) : NULL;
    trust->capath = capath ? strdup(capath) : NULL;
    if ((cafile && !trust->cafile) || (capath && !trust->capath))
        status = cc_error(err, CC_ESYS, "out of memory");
    /* Loaded now, so that a file without certificates is bad input before
     * any transfer starts; only with OpenSSL does concur hold the store. */
    else if (curl_uses_our_openssl() && !(trust->store = load_store(cafile, capath, why, sizeof why)))
        status = cc_error(err, CC_EINPUT, "%s: %s", cafile ? "--cacert" : "--capath", why);
    if (status != CC_OK) {
        tls_trust_free(trust);
        return status;
    }
    *out = trust;
    return CC_OK;
}

void tls_trust_free(struct tls_trust *trust)
{
    if (!trust || trust->system)
        return;
    X509_STORE_free(trust->store);
    pthread_mutex_destroy(&trust->lock);
    free(trust->cafile);
    free(trust->capath);
    free(trust);
}
