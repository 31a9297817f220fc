/* sweep: the plan of an experiment sweep, with no I/O. Which worker counts
 * (LIST syntax), the order in which runs happen (interleaved, blocked,
 * random), and the command of one point ({W} replaced by its worker count).
 * Running a step is sweep_run.h's; printing is cmd_sweep.c's.
 *
 * Why interleaved is the default: a machine drifts (thermal throttling, a
 * neighbour starting a job, caches filling). Blocked order runs every
 * repetition of a point back to back, so the drift lands on the points run
 * last and biases the speedup; interleaved order runs rounds of every point,
 * every second one backwards (1,2,4,4,2,1,1,2,4,...): over each pair of
 * rounds every point has the same mean position in the sweep, so drift that
 * is linear in time cancels exactly. With an odd repeat the last round is
 * unpaired: the last point lags the first by (points - 1) / repeat steps on
 * average, where plain rounds (1,2,4,1,2,4) lag by points - 1 at any repeat. */
#ifndef CONCUR_SWEEP_H
#define CONCUR_SWEEP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "status.h"

/* Largest worker count a LIST may name, and most points in one LIST. */
#define SWEEP_MAX_WORKERS UINT64_C(1000000)
#define SWEEP_MAX_POINTS 4096

/* The placeholder replaced by the worker count in ARGs and --env values. */
#define SWEEP_PLACEHOLDER "{W}"

enum sweep_order { SWEEP_INTERLEAVED, SWEEP_BLOCKED, SWEEP_RANDOM };

/* One run of the plan: point index into the worker list, its repetition
 * (1-based among the timed runs of that point, or among its warm-ups). */
struct sweep_step {
    size_t point;
    uint64_t run;
    bool warmup;
};

/* Parses LIST: comma-separated items, each a count N, a range A-B (every
 * count from A to B) or a stepped range A-B:S (A, A+S, ... up to B). Counts
 * are whole numbers from 1 to SWEEP_MAX_WORKERS; the points keep the order
 * written, and a count given twice is refused (it would be one point run
 * twice as often). *out is malloc'd. CC_EINPUT naming the item on error. */
enum cc_status sweep_parse_list(const char *text, uint64_t **out, size_t *n, struct cc_err *err);

/* "interleaved", "blocked" or "random". */
enum cc_status sweep_parse_order(const char *text, enum sweep_order *out, struct cc_err *err);
const char *sweep_order_name(enum sweep_order order);

/* Every run of the plan in the order they happen: warmup warm-ups and
 * repeat timed runs of each of npoints points.
 *   interleaved  warm-up rounds (every point once per round), then timed
 *                rounds, every second one backwards: 1,2,4,4,2,1,1,2,4,...
 *   blocked      per point, its warm-ups then its timed runs: 1,1,2,2,4,4
 *   random       the warm-up rounds as interleaved, then every timed run
 *                in an order shuffled by seed (the same seed, the same order
 *                on every machine)
 * *out is malloc'd, *n = npoints * (warmup + repeat). */
enum cc_status sweep_schedule(size_t npoints, uint64_t repeat, uint64_t warmup,
                              enum sweep_order order, uint64_t seed,
                              struct sweep_step **out, size_t *n, struct cc_err *err);

/* True when text holds the placeholder {W}. */
bool sweep_has_placeholder(const char *text);

/* A malloc'd copy of text with every {W} replaced by workers; NULL when out
 * of memory. */
char *sweep_substitute(const char *text, uint64_t workers);

/* The CPUs a point occupies, for the oversubscribed column: workers, times
 * threads when the command is an MPI or Slurm launcher (mpirun, mpiexec,
 * orterun, prterun, srun) whose arguments use {W} (W ranks of threads
 * OpenMP threads each). threads is the OMP_NUM_THREADS value in effect for
 * the point (its first number; 0 or unset counts as 1). */
uint64_t sweep_cpus_used(const char *command, bool launcher_uses_w, uint64_t workers,
                         const char *omp_num_threads);

/* True when command's file name is one of the launchers above. */
bool sweep_is_launcher(const char *command);

#endif
