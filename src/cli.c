#include "cli.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runs.h"

int cli_report(const char *command, enum cc_status status, const struct cc_err *err)
{
    if (status != CC_OK)
        fprintf(stderr, "concur %s: %s\n", command, err->msg);
    return cc_exit_code(status);
}

int cli_usage_error(const char *command)
{
    fprintf(stderr, "concur %s: see 'concur %s --help'\n", command, command);
    return 2;
}

/* The shortest of %.15g, %.16g, %.17g that reads back as v: exact for
 * programs that read the output, without the noise digits of a blanket
 * %.17g (0.55 rather than 0.55000000000000004). */
static void exact_number(FILE *out, double v)
{
    char buf[32];
    for (int digits = 15; digits < 17; digits++) {
        snprintf(buf, sizeof buf, "%.*g", digits, v);
        if (strtod(buf, NULL) == v)
            break;
    }
    if (strtod(buf, NULL) != v)
        snprintf(buf, sizeof buf, "%.17g", v);
    fputs(buf, out);
}

void cli_json_number(FILE *out, double v)
{
    if (isfinite(v))
        exact_number(out, v);
    else
        fputs("null", out);
}

void cli_csv_number(FILE *out, double v)
{
    if (isfinite(v))
        exact_number(out, v);
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

void cli_json_key_number(FILE *out, const char *key, double v)
{
    fprintf(out, ", \"%s\": ", key);
    cli_json_number(out, v);
}

enum cc_status cli_parse_by_column(const char *text, const char **out, struct cc_err *err)
{
    if (runs_required_column(text))
        return cc_error(err, CC_EINPUT, "--by: '%s' is already part of the grouping key", text);
    *out = text;
    return CC_OK;
}

enum cc_status cli_parse_table_format(const char *text, enum cli_table_format *out,
                                      struct cc_err *err)
{
    static const char *const names[] = {"md", "csv", "json"};
    for (int f = 0; f < 3; f++) {
        if (!strcmp(text, names[f])) {
            *out = (enum cli_table_format)f;
            return CC_OK;
        }
    }
    return cc_error(err, CC_EINPUT, "--format: unknown format '%s' (md, csv or json)", text);
}
