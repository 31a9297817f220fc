/* concur predict's plot as a gnuplot script (plot.h). */
#include <inttypes.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "num.h"
#include "plot.h"

/* Points of a curve: every count up to 1024 (the io model is a staircase),
 * geometric steps beyond. */
static uint64_t next_count(uint64_t w)
{
    return w < 1024 ? w + 1 : w + w / 32;
}

static uint64_t largest(const uint64_t v[], size_t n, uint64_t at_least)
{
    for (size_t i = 0; i < n; i++)
        if (v[i] > at_least)
            at_least = v[i];
    return at_least;
}

static double or_point(double bound, double point)
{
    return isnan(bound) ? point : bound;
}

/* Speedup against cores for the first cpu sweep: measured points with their
 * Fieller intervals, Amdahl's curve with the band of f's interval. */
static bool cpu_plot_data(FILE *f, const struct predict_result *p)
{
    const struct scaling_fit *fit = NULL;
    for (size_t i = 0; p->scaling && i < p->scaling->nfits && !fit; i++)
        if (strcmp(p->scaling->fits[i].sweep->experiment, RUNS_EXPERIMENT_IO))
            fit = &p->scaling->fits[i];
    if (!fit)
        return false;
    double base = (double)fit->baseline->group->workers;
    uint64_t most = largest(p->request.cores, p->request.ncores, 1);
    fputs("$measured << EOD\n", f);
    for (size_t i = 0; i < p->scaling->nrows; i++) {
        const struct scaling_row *row = &p->scaling->rows[i];
        if (row->group->sweep != fit->sweep->sweep)
            continue;
        double s = row->speedup.ratio;
        fprintf(f, "%.9g %.9g %.9g %.9g\n", (double)row->group->workers / base, s,
                or_point(row->speedup.low, s), or_point(row->speedup.high, s));
        if (row->group->workers > most)
            most = row->group->workers;
    }
    fputs("EOD\n$curve << EOD\n", f);
    for (uint64_t w = 1; w <= most; w = next_count(w)) {
        double pw = (double)w / base;
        double s = stats_amdahl_speedup(fit->amdahl.f, pw);
        double lo = isnan(fit->amdahl.high) ? s : stats_amdahl_speedup(fit->amdahl.high < 0 ? 0 : fit->amdahl.high > 1 ? 1 : fit->amdahl.high, pw);
        double hi = isnan(fit->amdahl.low) ? s : stats_amdahl_speedup(fit->amdahl.low < 0 ? 0 : fit->amdahl.low > 1 ? 1 : fit->amdahl.low, pw);
        fprintf(f, "%.9g %.9g %.9g %.9g\n", pw, s, lo, hi);
    }
    fputs("EOD\n", f);
    /* Names stay out of gnuplot code: they could hold quotes. */
    fprintf(f, "set title 'speedup against cores: Amdahl f = %.4g (95%% band)'\n"
               "set ylabel 'speedup'\nset xlabel 'cores (relative to the baseline)'\n",
            fit->amdahl.f);
    fputs("plot x with lines dt 2 lc rgb '#888888' title 'ideal', "
          "$curve using 1:3:4 with filledcurves fs transparent solid 0.25 lc rgb '#1f77b4' title 'predicted 95%', "
          "$curve using 1:2 with lines lw 2 lc rgb '#1f77b4' title 'Amdahl', "
          "$measured using 1:2:3:4 with yerrorbars pt 7 lc rgb '#d62728' title 'measured (95% CI)'\n", f);
    return true;
}

/* Time against workers for the first io variant at the first --urls N. */
static bool io_plot_data(FILE *f, const struct predict_result *p)
{
    if (p->nmodels == 0)
        return false;
    const struct predict_io_model *m = &p->models[0];
    uint64_t n = p->request.urls[0], most = largest(p->request.workers, p->request.nworkers, 1);
    fputs("$measured << EOD\n", f);
    for (size_t i = 0; i < p->io_runs->ngroups; i++) {
        const struct runs_group *g = &p->io_runs->groups[i];
        uint64_t items;
        struct stats_summary s;
        struct cc_err ignored;
        if (strcmp(g->experiment, RUNS_EXPERIMENT_IO) || (strcmp(g->variant, m->variant) && strcmp(g->variant, RUNS_VARIANT_SYNC))
            || num_parse_u64(NULL, g->by, UINT64_MAX, &items, &ignored) != CC_OK || items != n
            || stats_summarize(g->seconds, g->n, &s, &ignored) != CC_OK)
            continue;
        fprintf(f, "%" PRIu64 " %.9g %.9g %.9g\n", g->workers, s.mean, or_point(s.ci_low, s.mean),
                or_point(s.ci_high, s.mean));
        if (g->workers > most)
            most = g->workers;
    }
    fputs("EOD\n$curve << EOD\n", f);
    for (uint64_t w = 1; w <= most; w = next_count(w)) {
        double t, lo, hi;
        predict_io_time(m, n, w, &t, &lo, &hi);
        fprintf(f, "%" PRIu64 " %.9g %.9g %.9g\n", w, t, lo, hi);
    }
    fputs("EOD\n", f);
    fprintf(f, "set title 'io: %" PRIu64 " URLs, %.3g s per round, %.3g s per request, %.3g s per worker'\n",
            n, m->coef[IO_LATENCY], m->coef[IO_COST], m->coef[IO_SETUP]);
    fputs("set ylabel 'seconds'\nset xlabel 'workers'\nset logscale y\n", f);
    fputs("plot $curve using 1:3:4 with filledcurves fs transparent solid 0.25 lc rgb '#1f77b4' title 'predicted 95%', "
          "$curve using 1:2 with lines lw 2 lc rgb '#1f77b4' title 'rounds model', "
          "$measured using 1:2:3:4 with yerrorbars pt 7 lc rgb '#d62728' title 'measured (95% CI)'\n", f);
    return true;
}

/* Writes a gnuplot script (data inline) and runs `gnuplot -c SCRIPT FILE`:
 * the output path arrives as ARG1, never spliced into gnuplot code. */
enum cc_status plot_prediction(const struct predict_result *p, const char *png, struct cc_err *err)
{
    char script[] = "/tmp/concur-predict-XXXXXX";
    int fd = mkstemp(script);
    if (fd < 0)
        return cc_error(err, CC_ESYS, "--plot: cannot create a temporary script: %m");
    FILE *f = fdopen(fd, "w");
    if (!f) {
        close(fd);
        unlink(script);
        return cc_error(err, CC_ESYS, "--plot: %m");
    }
    fputs("set terminal pngcairo size 900,600 enhanced font 'Sans,11'\nset output ARG1\n"
          "set key top left box opaque\nset grid\nset logscale x 2\n", f);
    bool io = p->request.nurls > 0;
    bool any = io ? io_plot_data(f, p) : cpu_plot_data(f, p);
    bool written = fclose(f) == 0;
    enum cc_status status = CC_OK;
    if (!any)
        status = cc_error(err, CC_EINPUT, "--plot: no %s prediction to draw", io ? RUNS_EXPERIMENT_IO : "cpu");
    else if (!written)
        status = cc_error(err, CC_ESYS, "--plot: cannot write the script");
    if (status == CC_OK) {
        pid_t pid = fork();
        if (pid == 0) {
            execlp("gnuplot", "gnuplot", "-c", script, png, (char *)NULL);
            _exit(127);
        }
        int ws = 0;
        if (pid < 0 || waitpid(pid, &ws, 0) < 0)
            status = cc_error(err, CC_ESYS, "--plot: cannot run gnuplot: %m");
        else if (!WIFEXITED(ws) || WEXITSTATUS(ws) != 0)
            status = cc_error(err, CC_ESYS, "--plot %s: gnuplot failed%s", png,
                              WIFEXITED(ws) && WEXITSTATUS(ws) == 127 ? " (is gnuplot installed?)" : "");
    }
    unlink(script);
    return status;
}
