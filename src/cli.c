#include "cli.h"

#include <math.h>
#include <stdio.h>

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
    if (isfinite(v))
        fprintf(out, "%.10g", v);
    else
        fputs("null", out);
}

void cli_csv_number(FILE *out, double v)
{
    if (isfinite(v))
        fprintf(out, "%.10g", v);
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
