/* concur serve: the embedded HTTP latency server, until SIGINT or SIGTERM.
 *
 * The URL goes to stdout as the first line; --pid-file and --port-file are
 * written (atomically) after it, the port file last, so a script that sees
 * the port file can rely on everything else. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <microhttpd.h>

#include "atomic_file.h"
#include "cli.h"
#include "num.h"
#include "server.h"
#include "server_tls.h"

static const char usage[] =
    "Usage: concur serve [options]\n"
    "\n"
    "An HTTP/1.1 server (keep-alive) that emulates remote sites on loopback.\n"
    "Prints the URL it listens on as its first line, then serves until SIGINT\n"
    "or SIGTERM (exit status 0).\n"
    "\n"
    "  --bind ADDR       IPv4 or IPv6 address to listen on (default 127.0.0.1)\n"
    "  --port P          port, 0 for a free one (default 0)\n"
    "  --latency DUR     wait before every response: 100ms, 0.25s (default 0,\n"
    "                    at most 60s)\n"
    "  --request-timeout DUR  a request must arrive whole within DUR of the\n"
    "                    connection's start or of the previous response on it\n"
    "                    (default 5s, at most 1h); slow senders are cut off\n"
    "  --port-file FILE  write the port there (atomically), removed at exit\n"
    "  --pid-file FILE   write the process id there (atomically), removed at exit\n"
    "  -v, --verbose     an access log on stderr, one line per response\n"
    "  --tls             HTTPS (TLS 1.2/1.3, GnuTLS) instead of HTTP, every route\n"
    "                    and fault the same; without --cert a fresh self-signed\n"
    "                    certificate for 127.0.0.1, ::1 and localhost (ECDSA\n"
    "                    P-256, 30 days) is made at start\n"
    "  --cert FILE       --tls: the PEM certificate (chain) to serve, with --key\n"
    "  --key FILE        --tls: its PEM private key\n"
    "  --cert-out FILE   --tls: write the certificate served there (atomically,\n"
    "                    before the port file), for clients to trust: --cacert\n"
    "  -h, --help        this help\n"
    "\n"
    "Routes (query strings are ignored: /bytes/10?i=7 is /bytes/10):\n"
    "  /                              this list, as text\n"
    "  /bytes/N                       N bytes (at most 1 GiB), deterministic\n"
    "  /delay/SECONDS                 SECONDS more before the answer (at most 60)\n"
    "  /status/CODE                   that status, 200 to 599\n"
    "  /drip?numbytes=N&duration=S    N bytes spread over S seconds (10, 2s)\n"
    "  /fault/reset                   16 KiB of 64 KiB, then a connection reset\n"
    "  /fault/hang                    never answered, until the client gives up\n"
    "  /fault/redirect-loop           302 to itself, forever\n"
    "  /fault/huge                    a 1 TiB body, generated as it is sent\n"
    "  /flaky/KEY/N[?retry-after=S]   503 (with Retry-After: S if given) for the\n"
    "                                 first N requests with KEY, then 200 \"ok\";\n"
    "                                 KEY: 1-64 of [A-Za-z0-9._-]; the last 1024\n"
    "                                 keys used are remembered, older ones start over\n"
    "Anything else is 404; a bad value in a route (/bytes/abc) is 400.\n"
    "Methods: GET and HEAD; other HTTP methods 405, unknown ones 501; a\n"
    "malformed request (a method that is not a token, HTTP/1.1 without Host,\n"
    "a NUL byte in the target) 400.\n";

struct serve_options {
    struct server_config server;
    const char *port_file;
    const char *pid_file;
    bool tls;
    const char *cert, *key, *cert_out;
};

/* --request-timeout: a duration of at least 1 ms. */
static enum cc_status parse_request_timeout(const char *text, double *out, struct cc_err *err)
{
    enum cc_status status = num_parse_duration("--request-timeout", text,
                                               SERVER_REQUEST_TIMEOUT_MAX, out, err);
    if (status == CC_OK && *out < 0.001)
        return cc_error(err, CC_EINPUT, "--request-timeout: '%s' must be at least 1ms", text);
    return status;
}

/* --cert, --key and --cert-out belong to --tls; --cert and --key go together. */
static enum cc_status check_tls_options(const struct serve_options *opts, struct cc_err *err)
{
    const char *named = opts->cert ? "--cert" : opts->key ? "--key" : opts->cert_out ? "--cert-out" : NULL;

    if (named && !opts->tls)
        return cc_error(err, CC_EINPUT, "%s: only with --tls", named);
    if (opts->cert && !opts->key)
        return cc_error(err, CC_EINPUT, "--cert %s: needs --key FILE too", opts->cert);
    if (opts->key && !opts->cert)
        return cc_error(err, CC_EINPUT, "--key %s: needs --cert FILE too", opts->key);
    return CC_OK;
}

static enum cc_status parse_options(int argc, char **argv, struct serve_options *opts,
                                    bool *help, struct cc_err *err)
{
    static const struct option options[] = {
        {"bind", required_argument, NULL, 'b'},
        {"port", required_argument, NULL, 'p'},
        {"latency", required_argument, NULL, 'l'},
        {"port-file", required_argument, NULL, 'P'},
        {"pid-file", required_argument, NULL, 'i'},
        {"request-timeout", required_argument, NULL, 'R'},
        {"verbose", no_argument, NULL, 'v'},
        {"tls", no_argument, NULL, 'T'},
        {"cert", required_argument, NULL, 'C'},
        {"key", required_argument, NULL, 'K'},
        {"cert-out", required_argument, NULL, 'O'},
        {"help", no_argument, NULL, 'h'},
        {0},
    };
    enum cc_status status = CC_OK;
    uint64_t port;
    int opt;

    *help = false;
    while (status == CC_OK && (opt = getopt_long(argc, argv, ":vh", options, NULL)) != -1) {
        switch (opt) {
        case 'b': {
            /* checked now, so a bad address is bad usage before anything starts */
            struct sockaddr_storage addr;
            socklen_t len;
            status = server_parse_bind(optarg, 0, &addr, &len, err);
            opts->server.bind = optarg;
            break;
        }
        case 'p':
            status = num_parse_u64("--port", optarg, 65535, &port, err);
            opts->server.port = (uint16_t)port;
            break;
        case 'l':
            status = num_parse_duration("--latency", optarg, SERVER_LATENCY_MAX,
                                        &opts->server.latency, err);
            break;
        case 'R':
            status = parse_request_timeout(optarg, &opts->server.request_timeout, err);
            break;
        case 'P':
            opts->port_file = optarg;
            break;
        case 'i':
            opts->pid_file = optarg;
            break;
        case 'v':
            opts->server.access_log = stderr;
            break;
        case 'T':
            opts->tls = true;
            break;
        case 'C':
            opts->cert = optarg;
            break;
        case 'K':
            opts->key = optarg;
            break;
        case 'O':
            opts->cert_out = optarg;
            break;
        case 'h':
            *help = true;
            return CC_OK;
        default:
            return cli_option_error("serve", opt, argv, options, err);
        }
    }
    if (status == CC_OK && optind < argc)
        status = cc_error(err, CC_EINPUT, "unexpected argument '%s' (see 'concur serve --help')",
                          argv[optind]);
    if (status == CC_OK)
        status = check_tls_options(opts, err);
    if (status == CC_OK && opts->port_file)
        status = cli_check_output_file("--port-file", opts->port_file, err);
    if (status == CC_OK && opts->pid_file)
        status = cli_check_output_file("--pid-file", opts->pid_file, err);
    if (status == CC_OK && opts->cert_out)
        status = cli_check_output_file("--cert-out", opts->cert_out, err);
    return status;
}

/* Removes path only if it still holds what we wrote: a file that another
 * process has taken over since is left alone. */
static void remove_if_ours(const char *path, const char *text)
{
    char now[64];
    int fd = open(path, O_RDONLY | O_CLOEXEC);

    if (fd < 0)
        return;
    ssize_t n = read(fd, now, sizeof now - 1);
    close(fd);
    if (n >= 0) {
        now[n] = '\0';
        if (strcmp(now, text) == 0)
            unlink(path);
    }
}

static enum cc_status write_script_files(const struct serve_options *opts,
                                         const char *pid_text, const char *port_text,
                                         struct cc_err *err)
{
    enum cc_status status = CC_OK;

    if (opts->pid_file)
        status = atomic_file_write("--pid-file", opts->pid_file, pid_text, err);
    if (status == CC_OK && opts->cert_out)
        status = atomic_file_write("--cert-out", opts->cert_out, opts->server.tls_cert_pem, err);
    if (status == CC_OK && opts->port_file)
        status = atomic_file_write("--port-file", opts->port_file, port_text, err);
    return status;
}

static void remove_script_files(const struct serve_options *opts,
                                const char *pid_text, const char *port_text)
{
    if (opts->port_file)
        remove_if_ours(opts->port_file, port_text);
    if (opts->pid_file)
        remove_if_ours(opts->pid_file, pid_text);
}

/* --tls: the user's certificate and key, or a fresh self-signed pair. */
static enum cc_status prepare_tls(struct serve_options *opts, struct server_tls *tls,
                                  struct cc_err *err)
{
    enum cc_status status;

    if (!MHD_is_feature_supported(MHD_FEATURE_TLS))
        return cc_error(err, CC_ESYS, "--tls: this libmicrohttpd was built without TLS");
    status = opts->cert ? server_tls_load(opts->cert, opts->key, tls, err) : server_tls_generate(tls, err);
    opts->server.tls_cert_pem = tls->cert_pem;
    opts->server.tls_key_pem = tls->key_pem;
    return status;
}

int cmd_serve(int argc, char **argv)
{
    struct serve_options opts = {0};
    struct server *server;
    struct cc_err err;
    enum cc_status status;
    bool help;

    int rc;
    status = parse_options(argc, argv, &opts, &help, &err);
    if (cli_options_done("serve", status, help, usage, &err, &rc))
        return rc;

    /* Blocked before any thread starts, so every thread inherits the mask and
     * the signals reach sigwait below, not a handler in some server thread. */
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGINT);
    sigaddset(&stop_signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop_signals, NULL);
    signal(SIGPIPE, SIG_IGN); /* a client that leaves must not end the server */

    struct server_tls tls = {0};
    if (opts.tls && (status = prepare_tls(&opts, &tls, &err)) != CC_OK)
        return cli_exit_status("serve", status, &err);
    if ((status = server_start(&opts.server, &server, &err)) != CC_OK) {
        server_tls_free(&tls);
        return cli_exit_status("serve", status, &err);
    }

    char pid_text[32], port_text[16];
    snprintf(pid_text, sizeof pid_text, "%ld\n", (long)getpid());
    snprintf(port_text, sizeof port_text, "%u\n", (unsigned)server_port(server));
    /* The files first: a failure leaves nothing on stdout. */
    if ((status = write_script_files(&opts, pid_text, port_text, &err)) != CC_OK) {
        server_stop(server);
        server_tls_free(&tls);
        remove_script_files(&opts, pid_text, port_text);
        return cli_exit_status("serve", status, &err);
    }
    printf("%s\n", server_url(server));
    fflush(stdout);

    int sig;
    while (sigwait(&stop_signals, &sig) != 0)
        ;
    server_stop(server);
    server_tls_free(&tls);
    remove_script_files(&opts, pid_text, port_text);
    return 0;
}
