#include "cli.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "num.h"
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

void cli_json_number(FILE *out, double v)
{
    json_number(out, v);
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

void cli_json_key_number(FILE *out, const char *key, double v)
{
    fputs(", ", out);
    json_key(out, key);
    json_number(out, v);
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
