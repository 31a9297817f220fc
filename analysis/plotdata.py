#!/usr/bin/env python3
"""Prepares the plots of analysis/analyze from a group table.

    analysis/plotdata.py STATS_CSV WORKDIR

Reads the group table that `concur stats --format csv` writes (with
Python's csv module: quoted names are safe) and writes, per experiment, into
WORKDIR:
  N.dat   gnuplot data, one block per variant, then, when there are any,
          a block of the oversubscribed points and blocks of the interval
          ends that were clipped to the plot's y range. Each block's first
          line names its columns (speedup.gp finds them by name, gnuplot's
          columnheaders), and ends with the block's name: the variant (its
          title in the key), "over", "sclip" or "tclip";
  N.gp    numbers only (ranges, tics, block indexes, baseline worker
          counts), loaded by analysis/speedup.gp: no name from the data is
          ever spliced into gnuplot code.
and prints, per experiment, "N<TAB>FILE-SAFE NAME<TAB>EXPERIMENT" on stdout
(names with a tab or line break are made safe first).

The y ranges come from the point estimates (and the ideal line), not from
the intervals: one wide interval (two noisy runs) would otherwise squeeze
every other point into a line. Interval ends beyond the range are drawn to
the border and marked.
"""
import csv
import math
import re
import sys

# Factor of room around the points on the log axes.
MARGIN = 2.0

# The columns of each kind of block, named in its first line.
VARIANT_COLUMNS = "workers speedup speedup_low speedup_high mean mean_low mean_high"
EXTRA_COLUMNS = {"over": "workers speedup mean", "sclip": "workers border",
                 "tclip": "workers border"}


def number(text):
    """A cell as a float; None when empty (undefined)."""
    if text is None or text == "":
        return None
    value = float(text)
    return value if math.isfinite(value) else None


def safe(text):
    """A name usable in a file name and on one line."""
    return re.sub(r"[^A-Za-z0-9._-]", "_", text) or "_"


def title(text):
    """A name for a gnuplot data header: one line, no double quote."""
    return re.sub(r"[\r\n\t]", " ", text).replace('"', "'")


def read_table(path):
    with open(path, newline="", encoding="utf-8", errors="replace") as f:
        rows = list(csv.DictReader(f))
    need = {"experiment", "variant", "workers", "mean", "ci95_low", "ci95_high",
            "speedup", "speedup_ci95_low", "speedup_ci95_high", "baseline"}
    if rows and not need <= set(rows[0]):
        sys.exit("plotdata: %s lacks columns %s" % (path, sorted(need - set(rows[0]))))
    return rows


def clip(value, low, high):
    """value within [low, high]; and whether it was moved."""
    if value < low:
        return low, True
    if value > high:
        return high, True
    return value, False


def log_range(values):
    values = [v for v in values if v is not None and v > 0]
    if not values:
        return 0.5, 2.0
    return min(values) / MARGIN, max(values) * MARGIN


def experiment_files(name, rows, dat, gp):
    variants = []
    for row in rows:
        if row["variant"] not in variants:
            variants.append(row["variant"])
    workers = sorted({int(r["workers"]) for r in rows})
    bases = sorted({int(r["workers"]) for r in rows if r["baseline"] == "1"})
    # speedups run up to the ideal at the most workers of each baseline
    ideal = [workers[-1] / b for b in bases] + [workers[0] / b for b in bases]
    s_lo, s_hi = log_range([number(r["speedup"]) for r in rows] + ideal + [1.0])
    t_lo, t_hi = log_range([number(r["mean"]) for r in rows])

    over, s_clipped, t_clipped = [], [], []
    with open(dat, "w", encoding="utf-8") as out:
        for v in variants:
            out.write('%s "%s"\n' % (VARIANT_COLUMNS, title(v)))
            for r in rows:
                if r["variant"] != v:
                    continue
                w = int(r["workers"])
                s, m = number(r["speedup"]), number(r["mean"])
                cells = []
                for point, lo_text, hi_text, lo, hi, marks in (
                        (s, r["speedup_ci95_low"], r["speedup_ci95_high"], s_lo, s_hi, s_clipped),
                        (m, r["ci95_low"], r["ci95_high"], t_lo, t_hi, t_clipped)):
                    if point is None:
                        cells += ["NaN"] * 3
                        continue
                    # an undefined interval (one run) shrinks to its point
                    a = number(lo_text) if number(lo_text) is not None else point
                    b = number(hi_text) if number(hi_text) is not None else point
                    a, moved_a = clip(a, lo, hi)
                    b, moved_b = clip(b, lo, hi)
                    if moved_a:
                        marks.append((w, a))
                    if moved_b:
                        marks.append((w, b))
                    cells += ["%.9g" % point, "%.9g" % a, "%.9g" % b]
                out.write("%d %s\n" % (w, " ".join(cells)))
                if r.get("oversubscribed") == "1":
                    over.append((w, s, m))
            out.write("\n\n")
        index = len(variants)
        blocks = {}
        for key, points in (("over", over), ("sclip", s_clipped), ("tclip", t_clipped)):
            if not points:
                continue
            out.write('%s "%s"\n' % (EXTRA_COLUMNS[key], key))
            for p in points:
                out.write(" ".join("NaN" if x is None else "%.9g" % x for x in p) + "\n")
            out.write("\n\n")
            blocks[key] = index
            index += 1

    with open(gp, "w", encoding="ascii") as out:
        out.write("nv = %d\n" % len(variants))
        for key in ("over", "sclip", "tclip"):
            out.write("has_%s = %d; i_%s = %d\n" % (key, key in blocks, key, blocks.get(key, 0)))
        out.write("s_ymin = %.9g; s_ymax = %.9g\n" % (s_lo, s_hi))
        out.write("t_ymin = %.9g; t_ymax = %.9g\n" % (t_lo, t_hi))
        out.write("xmin = %.9g; xmax = %.9g\n" % (workers[0] / 1.25, workers[-1] * 1.25))
        out.write("set xtics (%s)\n" % ", ".join('"%d" %d' % (w, w) for w in workers))
        out.write("nb = %d\narray bases[%d]\n" % (len(bases), max(len(bases), 1)))
        for k, b in enumerate(bases, 1):
            out.write("bases[%d] = %d\n" % (k, b))


def main(argv):
    if len(argv) == 2 and argv[1] in ("-h", "--help"):
        sys.stdout.write(__doc__.lstrip("\n"))
        return
    if len(argv) != 3:
        sys.exit("usage: analysis/plotdata.py STATS_CSV WORKDIR")
    rows = read_table(argv[1])
    experiments = []
    for row in rows:
        if row["experiment"] not in experiments:
            experiments.append(row["experiment"])
    for n, e in enumerate(experiments):
        mine = [r for r in rows if r["experiment"] == e]
        experiment_files(e, mine, "%s/%d.dat" % (argv[2], n), "%s/%d.gp" % (argv[2], n))
        print("%d\t%s\t%s" % (n, safe(e), title(e)))


if __name__ == "__main__":
    main(sys.argv)
