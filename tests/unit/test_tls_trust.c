/* The trust store is parsed once per process, whatever the mode: every
 * call that parses a CA file (OpenSSL's X509_STORE_load_file, which libcurl
 * calls for each new connection when it loads the trust itself) is counted
 * here by interposing it, against an in-process `concur serve --tls`. */
#include <dlfcn.h>
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

/* --cacert: parsed once when the trust is made, never per connection. */
static void a_given_bundle_is_parsed_once_in_every_mode(void **state)
{
    struct fixture *f = *state;
    struct tls_trust *trust;
    struct cc_err err;

    unsigned before = atomic_load(&file_loads);
    assert_int_equal(tls_trust_new(f->cert_path, NULL, &trust, &err), CC_OK);
    assert_int_equal(atomic_load(&file_loads), before + 1);
    fetch_every_mode(f, trust, true);
    /* 1 + 8 + 8 connections, and not one more parse */
    assert_int_equal(atomic_load(&file_loads), before + 1);
    tls_trust_free(trust);
}

/* The system store: loaded on the first TLS connection, once for all the
 * threads; it does not trust the self-signed certificate, so every URL
 * fails verification (verification is on). */
static void the_system_store_is_loaded_once_and_verifies(void **state)
{
    unsigned before = atomic_load(&file_loads);
    fetch_every_mode(*state, NULL, false);
    assert_in_range(atomic_load(&file_loads), before, before + 1);
    assert_in_range(tls_trust_loads(), 1, 2); /* this test's and the one above */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_given_bundle_is_parsed_once_in_every_mode),
        cmocka_unit_test(the_system_store_is_loaded_once_and_verifies),
    };
    struct cc_err err;
    if (fetch_global_init(&err) != CC_OK)
        return 1;
    int failed = cmocka_run_group_tests(tests, start, stop);
    fetch_global_cleanup();
    return failed;
}
