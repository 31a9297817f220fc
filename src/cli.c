#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "num.h"
#include "runs.h"

int cli_exit_status(const char *command, enum cc_status status, const struct cc_err *err)
{
    if (status != CC_OK)
        fprintf(stderr, "concur %s: %s\n", command, err->msg);
    return cc_exit_code(status);
}

bool cli_options_done(const char *command, enum cc_status status, bool help, const char *usage,
                      const struct cc_err *err, int *rc)
{
    if (status != CC_OK) {
        *rc = cli_exit_status(command, status, err);
        return true;
    }
    if (help) {
        fputs(usage, stdout);
        *rc = 0;
        return true;
    }
    return false;
}

/* True when arg ("--name" or "--name=value", perhaps abbreviated) is the
 * long option whose short value is val. */
static bool names_long_option(const char *arg, int val, const struct option *options)
{
    size_t len = strcspn(arg + 2, "=");
    for (const struct option *o = options; o && o->name; o++)
        if (o->val == val && !strncmp(o->name, arg + 2, len))
            return true;
    return false;
}

enum cc_status cli_option_error(const char *command, int opt, char *const argv[],
                                const struct option *options, struct cc_err *err)
{
    /* getopt leaves the option in argv[optind - 1] for long options, and
     * optopt for short ones (0 for an unknown long option); a short option
     * inside a group ("-x5") has no argv element of its own. */
    const char *arg = optind > 0 ? argv[optind - 1] : "";
    char name[64];
    if (!strncmp(arg, "--", 2) && (optopt == 0 || names_long_option(arg, optopt, options)))
        snprintf(name, sizeof name, "%.*s", (int)strcspn(arg, "="), arg);
    else
        snprintf(name, sizeof name, "-%c", optopt);
    if (opt == ':')
        return cc_error(err, CC_EINPUT, "option '%s' needs a value (see 'concur %s --help')", name, command);
    if (!strncmp(arg, "--", 2) && strchr(arg, '=') && optopt != 0)
        return cc_error(err, CC_EINPUT, "option '%s' takes no value (see 'concur %s --help')", name, command);
    return cc_error(err, CC_EINPUT, "unknown option '%s' (see 'concur %s --help')", name, command);
}

enum cc_status cli_check_output_file(const char *option, const char *path, struct cc_err *err)
{
    char dir[4096];
    struct stat st;
    const char *slash = strrchr(path, '/');

    if (!*path)
        return cc_error(err, CC_EINPUT, "%s: empty file name", option);
    if (!slash)
        snprintf(dir, sizeof dir, ".");
    else if ((size_t)(slash - path) >= sizeof dir)
        return cc_error(err, CC_EINPUT, "%s: '%s': path too long", option, path);
    else
        snprintf(dir, sizeof dir, "%.*s", slash == path ? 1 : (int)(slash - path), path);
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
        return cc_error(err, CC_EINPUT, "%s: '%s' is a directory", option, path);
    if (stat(dir, &st) != 0)
        return cc_error(err, CC_EINPUT, "%s: cannot create '%s': directory '%s': %s", option, path,
                        dir, strerror(errno));
    if (!S_ISDIR(st.st_mode))
        return cc_error(err, CC_EINPUT, "%s: cannot create '%s': '%s' is not a directory", option,
                        path, dir);
    if (access(dir, W_OK | X_OK) != 0)
        return cc_error(err, CC_EINPUT, "%s: cannot create '%s': directory '%s': %s", option, path,
                        dir, strerror(errno));
    return CC_OK;
}

void cli_warn_failed_runs(const char *command, const struct runs *r, const char *hint)
{
    if (r->failed)
        fprintf(stderr, "concur %s: warning: %zu run%s with ok=0 left out of the statistics "
                        "(first at %s)%s\n",
                command, r->failed, r->failed == 1 ? "" : "s", r->first_failed, hint);
}

void cli_csv_number(FILE *out, double v)
{
    char buf[NUM_DOUBLE_BUFSIZE];

    if (isfinite(v))
        fputs(num_format_double(v, buf), out);
}

static void md_text(FILE *out, const char *text)
{
    fputc(' ', out);
    for (const char *p = text; *p; p++) {
        if (*p == '|')
            fputs("\\|", out);
        else if (*p == '\n' || *p == '\r')
            fputc(' ', out);
        else
            fputc(*p, out);
    }
    fputs(" |", out);
}

void cli_md_key(FILE *out, const char *experiment, const char *variant, const char *by)
{
    fputc('|', out);
    md_text(out, experiment);
    md_text(out, variant);
    if (by)
        md_text(out, by);
}

const char *cli_md_number(char *buf, size_t size, int digits, double v)
{
    if (!isfinite(v))
        snprintf(buf, size, "-");
    else
        snprintf(buf, size, "%.*g", digits, v);
    return buf;
}

enum cc_status cli_parse_by_column(const char *text, const char **out, struct cc_err *err)
{
    if (runs_required_column(text))
        return cc_error(err, CC_EINPUT, "--by: '%s' is already part of the grouping key", text);
    *out = text;
    return CC_OK;
}
