/* Reporting --workers auto (cli_autotune.h). */
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli_autotune.h"
#include "num.h"

enum cc_status cli_parse_tolerance(const char *text, double *out, struct cc_err *err)
{
    return num_parse_percent("--tolerance", text, 100, out, err);
}

static void choice_text(char *buf, size_t size, const struct autotune_result *a, double tolerance)
{
    const struct autotune_point *best = autotune_find(a, a->best);
    snprintf(buf, size, "%u workers, the fewest within %g%% of the best mean (%.6g s at %u)%s",
             a->chosen, tolerance * 100, best ? best->s.mean : NAN, a->best,
             a->contended ? ", contended (the machine was busy)" : "");
}

/* The CPU pressure of the search; false when the kernel has none. */
static bool pressure_text(char *buf, size_t size, const struct autotune_result *a)
{
    if (!isfinite(a->cpu_pressure))
        return false;
    snprintf(buf, size, "some task waited for a CPU %.0f%% of the search (system-wide PSI)%s",
             100 * a->cpu_pressure,
             a->contended ? "; the times are bent by the load, the choice may be a step off" : "");
    return true;
}

static void runs_text(char *buf, size_t size, const struct autotune_result *a)
{
    snprintf(buf, size, "%zu timed runs at %zu counts; a full sweep would take %zu",
             a->runs, a->npoints, a->full_sweep_runs);
}

static void point_text(char *buf, size_t size, const struct autotune_point *p)
{
    if (p->n >= 2 && isfinite(p->s.ci_low) && isfinite(p->s.ci_high))
        snprintf(buf, size, "mean %.6g s, 95%% CI [%.6g, %.6g], %zu runs", p->s.mean,
                 p->s.ci_low, p->s.ci_high, p->n);
    else
        snprintf(buf, size, "mean %.6g s, 95%% CI [-, -], %zu run%s", p->s.mean, p->n,
                 p->n == 1 ? "" : "s");
}

static void autotune_meta(struct report *r, const struct autotune_result *a, double tolerance)
{
    char text[256], key[48];

    choice_text(text, sizeof text, a, tolerance);
    report_meta(r, "auto_choice", text);
    runs_text(text, sizeof text, a);
    report_meta(r, "auto_runs", text);
    if (pressure_text(text, sizeof text, a))
        report_meta(r, "auto_cpu_pressure", text);
    for (size_t i = 0; i < a->npoints; i++) {
        snprintf(key, sizeof key, "auto_curve_%u", a->points[i].workers);
        point_text(text, sizeof text, &a->points[i]);
        report_meta(r, key, text);  /* copies key and value */
    }
}

enum cc_status cli_autotune_write(struct report *r, const struct autotune_result *a,
                                  double tolerance, cli_autotune_row_fn row, void *ctx,
                                  struct cc_err *err)
{
    enum cc_status status = CC_OK;
    autotune_meta(r, a, tolerance);
    for (size_t i = 0; i < a->npoints && status == CC_OK; i++) {
        const struct autotune_point *p = &a->points[i];
        for (size_t k = 0; k < p->n && status == CC_OK; k++)
            status = row(ctx, p->workers, k + 1, p->seconds[k], p->workers == a->chosen ? "1" : "0",
                         err);
    }
    return status;
}

void cli_autotune_print(FILE *out, const char *command, const struct autotune_result *a,
                        double tolerance)
{
    char text[256];
    for (size_t i = 0; i < a->npoints; i++) {
        point_text(text, sizeof text, &a->points[i]);
        fprintf(out, "concur %s: auto: %5u workers: %s\n", command, a->points[i].workers, text);
    }
    choice_text(text, sizeof text, a, tolerance);
    fprintf(out, "concur %s: auto: chose %s\n", command, text);
    runs_text(text, sizeof text, a);
    fprintf(out, "concur %s: auto: %s\n", command, text);
    if (pressure_text(text, sizeof text, a))
        fprintf(out, "concur %s: auto: %s\n", command, text);
}
