/* The trust store is read once per process, whatever the mode: every call
 * that parses a CA file whole (OpenSSL's X509_STORE_load_file, which libcurl
 * calls for each new connection when it loads the trust itself, and concur
 * for a file that is not a plain bundle) is counted here by interposing it,
 * against an in-process `concur serve --tls`; a plain bundle is only read,
 * and only the certificates verification asks for are decoded. */
#include <dlfcn.h>
#include <openssl/pem.h>
#include <openssl/x509_vfy.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "fetch.h"
#include "server.h"
#include "server_tls.h"
#include "tls_bundle.h"
#include "tls_trust.h"

static atomic_uint file_loads;

/* Counts, then does what OpenSSL's own does. */
int X509_STORE_load_file(X509_STORE *store, const char *file)
{
    static int (*real)(X509_STORE *, const char *);
    if (!real)
        *(void **)&real = dlsym(RTLD_NEXT, "X509_STORE_load_file");
    atomic_fetch_add(&file_loads, 1);
    return real(store, file);
}

#define URLS 24

struct fixture {
    struct server_tls tls;
    struct server *server;
    char cert_path[64];
    char bundle_path[64]; /* scratch: a bundle a test writes */
    struct url_entry entries[URLS];
    char urls[URLS][128];
    struct fetch_result results[URLS];
};

static int start(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    struct cc_err err;
    if (!f || server_tls_generate(&f->tls, &err) != CC_OK)
        return -1;
    struct server_config config = {.tls_cert_pem = f->tls.cert_pem, .tls_key_pem = f->tls.key_pem};
    if (server_start(&config, &f->server, &err) != CC_OK)
        return -1;
    snprintf(f->cert_path, sizeof f->cert_path, "/tmp/concur-test-cert-%ld.pem", (long)getpid());
    snprintf(f->bundle_path, sizeof f->bundle_path, "/tmp/concur-test-bundle-%ld.pem", (long)getpid());
    FILE *out = fopen(f->cert_path, "w");
    if (!out || fputs(f->tls.cert_pem, out) < 0 || fclose(out) != 0)
        return -1;
    for (size_t i = 0; i < URLS; i++) {
        snprintf(f->urls[i], sizeof f->urls[i], "%sbytes/%zu", server_url(f->server), 100 + i);
        f->entries[i] = (struct url_entry){.url = f->urls[i], .line = i + 1};
    }
    *state = f;
    return 0;
}

static int stop(void **state)
{
    struct fixture *f = *state;
    server_stop(f->server);
    server_tls_free(&f->tls);
    unlink(f->cert_path);
    unlink(f->bundle_path);
    free(f);
    return 0;
}

/* Every URL in sync, threads (8) and multi (8) with trust; each result
 * must be ok (with its exact size) or, when !trusted, a certificate error. */
static void fetch_every_mode(struct fixture *f, struct tls_trust *trust, bool trusted)
{
    static const enum fetch_mode modes[] = {FETCH_SYNC, FETCH_THREADS, FETCH_MULTI};
    struct fetch_options o;
    struct cc_err err;

    fetch_options_default(&o);
    o.workers = 8;
    o.trust = trust;
    for (size_t m = 0; m < sizeof modes / sizeof modes[0]; m++) {
        assert_int_equal(fetch_run(modes[m], &o, f->entries, URLS, f->results, NULL, &err), CC_OK);
        for (size_t i = 0; i < URLS; i++) {
            assert_int_equal(f->results[i].ok, trusted);
            if (trusted)
                assert_int_equal(f->results[i].bytes, 100 + i);
            else
                assert_non_null(strstr(f->results[i].error, "certificate"));
        }
    }
}

/* --cacert: read once when the trust is made, never per connection, and
 * not by libcurl. */
static void a_given_bundle_is_read_once_in_every_mode(void **state)
{
    struct fixture *f = *state;
    struct tls_trust *trust;
    struct cc_err err;

    unsigned loads = tls_trust_loads(), parses = atomic_load(&file_loads);
    assert_int_equal(tls_trust_new(f->cert_path, NULL, &trust, &err), CC_OK);
    assert_int_equal(tls_trust_loads(), loads + 1);
    fetch_every_mode(f, trust, true);
    /* 1 + 8 + 8 connections, and not one more read or parse */
    assert_int_equal(tls_trust_loads(), loads + 1);
    assert_int_equal(atomic_load(&file_loads), parses);
    tls_trust_free(trust);
}

/* Writes the concatenation of the NULL-ended texts to path. */
static void write_bundle(const char *path, const char *const *texts)
{
    FILE *out = fopen(path, "w");
    assert_non_null(out);
    for (size_t i = 0; texts[i]; i++)
        assert_true(fputs(texts[i], out) >= 0);
    assert_int_equal(fclose(out), 0);
}

static char *read_text(const char *path)
{
    FILE *in = fopen(path, "r");
    static char text[1 << 20];
    assert_non_null(in);
    size_t n = fread(text, 1, sizeof text - 1, in);
    assert_true(n < sizeof text - 1);
    text[n] = '\0';
    fclose(in);
    return text;
}

/* The system store with the server's certificate last (what make bench and
 * make run trust): of its ~145 certificates only the server's is decoded,
 * once for all connections of all modes. */
static void a_large_bundle_decodes_only_what_verification_needs(void **state)
{
    struct fixture *f = *state;
    const curl_version_info_data *info = curl_version_info(CURLVERSION_NOW);
    struct tls_trust *trust;
    struct cc_err err;

    if (!info->cainfo || access(info->cainfo, R_OK) != 0)
        skip();
    write_bundle(f->bundle_path, (const char *const[]){read_text(info->cainfo), f->tls.cert_pem, NULL});
    unsigned decoded = tls_bundle_decoded(), parses = atomic_load(&file_loads);
    assert_int_equal(tls_trust_new(f->bundle_path, NULL, &trust, &err), CC_OK);
    fetch_every_mode(f, trust, true);
    assert_int_equal(tls_bundle_decoded(), decoded + 1);
    assert_int_equal(atomic_load(&file_loads), parses);
    tls_trust_free(trust);
}

/* OpenSSL's "TRUSTED CERTIFICATE" form is a certificate too. */
static void a_trusted_certificate_block_is_trusted(void **state)
{
    struct fixture *f = *state;
    struct tls_trust *trust;
    struct cc_err err;

    BIO *in = BIO_new_mem_buf(f->tls.cert_pem, -1);
    X509 *cert = PEM_read_bio_X509(in, NULL, NULL, NULL);
    BIO *out = BIO_new_file(f->bundle_path, "w");
    assert_non_null(cert);
    assert_non_null(out);
    assert_int_equal(PEM_write_bio_X509_AUX(out, cert), 1);
    BIO_free(out);
    BIO_free(in);
    X509_free(cert);
    assert_non_null(strstr(read_text(f->bundle_path), "BEGIN TRUSTED CERTIFICATE"));
    unsigned decoded = tls_bundle_decoded();
    assert_int_equal(tls_trust_new(f->bundle_path, NULL, &trust, &err), CC_OK);
    fetch_every_mode(f, trust, true);
    assert_int_equal(tls_bundle_decoded(), decoded + 1);
    tls_trust_free(trust);
}

/* A file with more than certificates in it (here the private key too) is
 * parsed whole by OpenSSL, once, and trusts the same. */
static void a_bundle_with_other_objects_is_parsed_whole_once(void **state)
{
    struct fixture *f = *state;
    struct tls_trust *trust;
    struct cc_err err;

    write_bundle(f->bundle_path, (const char *const[]){f->tls.cert_pem, f->tls.key_pem, NULL});
    unsigned parses = atomic_load(&file_loads);
    assert_int_equal(tls_trust_new(f->bundle_path, NULL, &trust, &err), CC_OK);
    assert_int_equal(atomic_load(&file_loads), parses + 1);
    fetch_every_mode(f, trust, true);
    assert_int_equal(atomic_load(&file_loads), parses + 1);
    tls_trust_free(trust);
}

/* The system store: loaded on the first TLS connection, once for all the
 * threads; it does not trust the self-signed certificate, so every URL
 * fails verification (verification is on). */
static void the_system_store_is_loaded_once_and_verifies(void **state)
{
    unsigned loads = tls_trust_loads(), parses = atomic_load(&file_loads);
    fetch_every_mode(*state, NULL, false);
    assert_in_range(tls_trust_loads(), loads, loads + 1);
    assert_in_range(atomic_load(&file_loads), parses, parses + 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_given_bundle_is_read_once_in_every_mode),
        cmocka_unit_test(a_large_bundle_decodes_only_what_verification_needs),
        cmocka_unit_test(a_trusted_certificate_block_is_trusted),
        cmocka_unit_test(a_bundle_with_other_objects_is_parsed_whole_once),
        cmocka_unit_test(the_system_store_is_loaded_once_and_verifies),
    };
    struct cc_err err;
    if (fetch_global_init(&err) != CC_OK)
        return 1;
    int failed = cmocka_run_group_tests(tests, start, stop);
    fetch_global_cleanup();
    return failed;
}
