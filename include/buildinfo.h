/* How this concur was built and what it runs on: compiler and flags, the
 * versions of the libraries it links, the kernel path this CPU gets. For
 * provenance.json, so that a results folder says what produced it. */
#ifndef CONCUR_BUILDINFO_H
#define CONCUR_BUILDINFO_H

#include <stdio.h>

/* Writes one JSON object (no trailing newline). */
void buildinfo_write_json(FILE *out);

#endif
