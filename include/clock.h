/* The one clock concur times with: monotonic seconds, for durations,
 * deadlines and rate limits (never for dates). */
#ifndef CONCUR_CLOCK_H
#define CONCUR_CLOCK_H

/* Seconds on CLOCK_MONOTONIC since an arbitrary start: only differences
 * mean anything. Not moved by changes of the wall-clock time. */
double clock_now(void);

#endif
