# Time and speedup against workers for one experiment, from the group table
# of `concur stats --format csv` (columns found by name).
#
# gnuplot -c analysis/speedup.gp STATS_CSV EXPERIMENT "VARIANT..." OUT_PREFIX TITLE
# Writes OUT_PREFIX-time.png and OUT_PREFIX-speedup.png. Arguments arrive as
# ARG1..ARG5, never spliced into gnuplot code, so any path is safe.

stats_csv = ARG1; experiment = ARG2; variants = ARG3; out_prefix = ARG4; title_text = ARG5

set datafile separator ','
set datafile missing ''
set terminal pngcairo size 900,600 enhanced font 'Sans,11'
set key top left box opaque
set grid
set logscale x 2
set xlabel 'workers'
set style line 100 lc rgb '#888888' dt 2 lw 1.5

# Column numbers by header name.
# Column numbers by header name (the table's columns may grow).
colnum(name) = int(system(sprintf("head -1 \"$STATS_CSV\" | tr ',' '\\n' | grep -nx '%s' | cut -d: -f1", name)))
c_exp = colnum('experiment'); c_var = colnum('variant'); c_w = colnum('workers')
c_mean = colnum('mean'); c_lo = colnum('ci95_low'); c_hi = colnum('ci95_high')
c_s = colnum('speedup'); c_slo = colnum('speedup_ci95_low'); c_shi = colnum('speedup_ci95_high')

# A row's value when it belongs to (experiment, variant), else NaN (skipped).
# An interval that is undefined (a single run) shrinks to its point.
mine(v) = strcol(c_exp) eq experiment && strcol(c_var) eq v
pick(v, c) = mine(v) ? column(c) : NaN
bound(v, c, point) = !mine(v) ? NaN : (strcol(c) eq '' ? column(point) : column(c))
stats stats_csv every ::1 using (strcol(c_exp) eq experiment ? column(c_w) : NaN) nooutput prefix 'W'
maxw = W_max
set xrange [0.8:maxw * 1.25]

set output out_prefix.'-time.png'
set title title_text.': time against workers (mean, 95% CI)'
set ylabel 'seconds'
set logscale y
plot for [v in variants] stats_csv every ::1 \
     using (pick(v, c_w)):(pick(v, c_mean)):(bound(v, c_lo, c_mean)):(bound(v, c_hi, c_mean)) \
     with yerrorlines lw 2 pt 7 title v
unset logscale y

set output out_prefix.'-speedup.png'
set title title_text.': speedup against workers (95% CI), ideal dashed'
set ylabel 'speedup'
set yrange [0:*]
plot x with lines ls 100 title 'ideal', \
     for [v in variants] stats_csv every ::1 \
     using (pick(v, c_w)):(pick(v, c_s)):(bound(v, c_slo, c_s)):(bound(v, c_shi, c_s)) \
     with yerrorlines lw 2 pt 7 title v
