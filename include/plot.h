/* Plots: the one place in concur's C code that writes gnuplot.
 *
 * A plot is a gnuplot script written to a temporary file, its data inline
 * (datablocks), run as `gnuplot -c SCRIPT OUT.png`: the output path arrives
 * as ARG1 and names from the runs (experiments, variants) never enter the
 * script, so neither can inject gnuplot code. PNG by pngcairo.
 *
 * Not shared with analysis/speedup.gp, the other gnuplot in the tree: that
 * script is run by analysis/analyze (bash) on the files analysis/plotdata.py
 * prepares from `concur stats --format csv`, and finds their columns by
 * name (gnuplot's columnheaders); it is gnuplot code, so no C module can
 * hold it. Both follow the same rules: names as data or ARGn, never
 * spliced into code; points with their 95% intervals as error bars. */
#ifndef CONCUR_PLOT_H
#define CONCUR_PLOT_H

#include "predict.h"
#include "status.h"

/* concur predict --plot: with list sizes in the request, time against
 * workers of the first io model at the first N (log y), the measured io
 * runs at that N (95% CI) and the model's curve with its band; otherwise
 * the speedup against cores (relative to the baseline) of the first cpu
 * sweep, the measured speedups (Fieller 95% CI), Amdahl's curve with the
 * band of f's interval and the ideal line. x is log base 2 in both.
 * CC_EINPUT when there is no such prediction to draw, CC_ESYS when the
 * script cannot be written or gnuplot fails or is missing; png is then
 * left as gnuplot left it. */
enum cc_status plot_prediction(const struct predict_result *p, const char *png, struct cc_err *err);

#endif
