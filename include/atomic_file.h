/* A file that readers see whole or not at all: written to a temporary file
 * beside its name (same directory, so the rename is atomic), synced, then
 * renamed over it. Until then an earlier file of that name stays as it was;
 * on any failure the temporary is removed.
 *
 *   struct atomic_file a;
 *   if (atomic_file_open(&a, "--out", path, &err) == CC_OK) {
 *       fputs(..., a.out);
 *       status = atomic_file_commit(&a, &err);
 *   }
 */
#ifndef CONCUR_ATOMIC_FILE_H
#define CONCUR_ATOMIC_FILE_H

#include <stdio.h>

#include "status.h"

struct atomic_file {
    FILE *out;        /* write here */
    char *tmp;        /* the temporary's name */
    const char *path; /* the final name */
    const char *what; /* the option or role, for messages ("--out") */
};

/* Creates the temporary (mode 0666 less the umask, as a plain file gets). */
enum cc_status atomic_file_open(struct atomic_file *a, const char *what, const char *path,
                                struct cc_err *err);

/* Flushes, syncs and renames over path; removes the temporary on failure.
 * Either way a is finished. */
enum cc_status atomic_file_commit(struct atomic_file *a, struct cc_err *err);

/* Gives up: the temporary is removed and path left as it was. */
void atomic_file_abort(struct atomic_file *a);

/* The whole of text into path, atomically. */
enum cc_status atomic_file_write(const char *what, const char *path, const char *text,
                                 struct cc_err *err);

#endif
