/* proctree: the run-queue wait of a whole process tree (every thread of a
 * process and of its descendants), for classify.
 *
 * The kernel keeps a task's run-queue wait (the second field of
 * /proc/<pid>/task/<tid>/schedstat) only while the task exists: a thread or
 * a child that has ended takes its figure with it, and the zombie of the
 * command shows only its main thread. So the tree is sampled while it runs
 * (proctree_sample from the waiting loop), remembering each task's latest
 * figure; the sum is exact for tasks alive at the last sample and a lower
 * bound otherwise (a task loses what it waited after its last sample; one
 * that lived less than a sampling interval may be missed).
 *
 * Descendants are found through /proc/<pid>/task/<tid>/children; where the
 * kernel lacks that file, only the root's threads are counted. */
#ifndef CONCUR_PROCTREE_H
#define CONCUR_PROCTREE_H

#include <stdbool.h>
#include <sys/types.h>

struct proctree;

/* NULL when out of memory. */
struct proctree *proctree_new(pid_t root);
void proctree_free(struct proctree *t);

/* Reads the schedstat of every task in the tree now. False when not even
 * the root's figure could be read (no schedstat on this kernel). */
bool proctree_sample(struct proctree *t);

/* The run-queue wait summed over every task seen, in seconds: NAN when no
 * sample could read a figure. */
double proctree_runq_wait_s(const struct proctree *t);

/* How many distinct tasks (threads and processes) the samples saw. */
size_t proctree_tasks(const struct proctree *t);

#endif
