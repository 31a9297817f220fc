# Time and speedup against workers for one experiment, from the files that
# analysis/plotdata.py prepares out of `concur stats --format csv`.
#
# gnuplot -c analysis/speedup.gp DATA PARAMS OUT_PREFIX TITLE
# Writes OUT_PREFIX-time.png and OUT_PREFIX-speedup.png. DATA holds one
# block per variant, then the optional blocks of oversubscribed points and
# clipped interval ends; the first line of each block names its columns,
# which are found by name (set datafile columnheaders), and ends with the
# block's name (a variant's is its title in the key). PARAMS holds only
# numbers (ranges, tics, block indexes). Names arrive as data or as ARG4,
# never spliced into gnuplot code, so any name or path is safe.
#
# Arguments: DATA and PARAMS as analysis/plotdata.py writes them (N.dat,
# N.gp), OUT_PREFIX the path before -time.png / -speedup.png, TITLE the
# plots' title.
#
# Both axes are logarithmic (base 2): the ideal speedup, workers divided by
# the baseline's workers, is then a straight line, and so is perfect
# scaling of the time. x tics sit at the measured worker counts. The y range
# comes from the points, not from the intervals; an interval end beyond it
# is drawn to the border and marked with a triangle. Oversubscribed points
# (more workers than CPUs, left out of the fits) are circled and labelled.

if (ARG1 eq "--help" || ARG1 eq "-h") {
    set print "-"
    print "usage: gnuplot -c analysis/speedup.gp DATA PARAMS OUT_PREFIX TITLE"
    print "Writes OUT_PREFIX-time.png and OUT_PREFIX-speedup.png from the files"
    print "that analysis/plotdata.py prepares (DATA: one block per variant;"
    print "PARAMS: ranges, tics, block indexes). analysis/analyze runs it."
    exit
}
data = ARG1; out_prefix = ARG3; title_text = ARG4
load ARG2

set terminal pngcairo size 1000,600 enhanced font 'Sans,11'
set key outside right top Left reverse noenhanced
set grid
set logscale x 2
set logscale y 2
set xrange [xmin:xmax]
set xlabel 'workers'
set style line 100 lc rgb '#888888' dt 2 lw 1.5
set style line 101 lc rgb '#d62728' pt 6 ps 3 lw 2
set style line 102 lc rgb '#000000' pt 9 ps 1.2

# The columns, by the names in each block's first line:
#   a variant's: workers, speedup, speedup_low, speedup_high, mean, mean_low,
#                mean_high, then its name (the 8th header field, no data);
#   the oversubscribed block's: workers, speedup, mean;
#   a clipped block's: workers, border (where the interval was cut).
set datafile columnheaders
title_column = 8

set output out_prefix.'-time.png'
set title title_text.': time against workers (mean, 95% CI)' noenhanced
set ylabel 'seconds'
set yrange [t_ymin:t_ymax]
set format y '%g'
plot for [i=0:nv-1] data index i using "workers":"mean":"mean_low":"mean_high" with yerrorlines lw 2 pt 7 \
         title columnheader(title_column), \
     for [k=1:has_over] data index i_over using "workers":"mean" with points ls 101 title 'oversubscribed (not fitted)', \
     for [k=1:has_over] data index i_over using "workers":"mean":('oversubscribed') with labels offset 0,1.6 \
         tc rgb '#d62728' notitle, \
     for [k=1:has_tclip] data index i_tclip using "workers":"border" with points ls 102 \
         title 'interval clipped at the border'

set output out_prefix.'-speedup.png'
set title title_text.': speedup against workers (95% CI), ideal dashed' noenhanced
set ylabel 'speedup'
set yrange [s_ymin:s_ymax]
plot for [k=1:nb] x / bases[k] with lines ls 100 title (k == 1 ? 'ideal' : ''), \
     for [i=0:nv-1] data index i using "workers":"speedup":"speedup_low":"speedup_high" with yerrorlines lw 2 pt 7 \
         title columnheader(title_column), \
     for [k=1:has_over] data index i_over using "workers":"speedup" with points ls 101 title 'oversubscribed (not fitted)', \
     for [k=1:has_over] data index i_over using "workers":"speedup":('oversubscribed') with labels offset 0,1.6 \
         tc rgb '#d62728' notitle, \
     for [k=1:has_sclip] data index i_sclip using "workers":"border" with points ls 102 \
         title 'interval clipped at the border'
