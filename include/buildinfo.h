/* How this concur was built and what it runs on: compiler and flags, the
 * versions of the libraries it links, the kernel path this CPU gets. For
 * provenance.json, so that a results folder says what produced it. */
#ifndef CONCUR_BUILDINFO_H
#define CONCUR_BUILDINFO_H

#include <stdio.h>

/* Writes one JSON object (no trailing newline). */
void buildinfo_write_json(FILE *out);

/* The value of one of its fields (version, compiler, flags, openmp, mpi,
 * libcurl, gsl, libmicrohttpd, kernel), or NULL for another key: for
 * scripts, which then need no JSON reader (concur --build-info kernel). */
const char *buildinfo_value(const char *key);

#endif
