/* Progress of long work, on a terminal: one line on stderr, rewritten in
 * place ("concur sumsq: 42% of 1.0e13 squares, about 1 min 12 s left"),
 * shown only once the work has run for a while and erased when it ends.
 *
 * The workers count what they finish with progress_add (one atomic add,
 * from any thread); a ticker thread prints. Every function accepts NULL,
 * which is what progress_start returns when stderr is not a terminal, so
 * callers need no test of their own. */
#ifndef CONCUR_PROGRESS_H
#define CONCUR_PROGRESS_H

#include <stdint.h>

struct progress;

/* Starts counting towards total units of `what` ("squares") for command
 * ("sumsq"); NULL when stderr is not a terminal or the ticker cannot start.
 * The line appears after PROGRESS_DELAY seconds (CONCUR_PROGRESS_DELAY in
 * the environment overrides it, for tests). */
#define PROGRESS_DELAY 1.5
struct progress *progress_start(const char *command, const char *what, uint64_t total);

void progress_add(struct progress *p, uint64_t amount);

/* Erases the line now, before other output goes to the same terminal; the
 * ticker writes it again at its next tick. */
void progress_clear(struct progress *p);

/* Stops the ticker, erases the line and frees p. */
void progress_stop(struct progress *p);

/* "2 h 5 min", "3 min 20 s", "12 s", "0.4 s": a duration for people. */
void progress_format_duration(double seconds, char *buf, int size);

/* "3.0e9" (or the integer below a million): a count for people. */
void progress_format_count(double x, char *buf, int size);

#endif
