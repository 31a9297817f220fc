/* URL lists: one URL a line, '#' comments and blank lines ignored,
 * surrounding whitespace trimmed.
 *
 * A malformed line (no scheme, spaces inside) is kept as an entry with its
 * reason, so that it counts as one failed item and the other URLs still run;
 * only an unreadable file or an empty list stops the command. */
#ifndef CONCUR_URLLIST_H
#define CONCUR_URLLIST_H

#include <stddef.h>
#include <stdio.h>

#include "status.h"

struct url_entry {
    const char *url;     /* the trimmed line, inside the list's buffer */
    const char *invalid; /* NULL for a usable URL, else why it is not one */
    size_t line;         /* 1-based line number in the input */
};

struct url_list {
    struct url_entry *entries;
    size_t count;
    char *text;          /* owns every entry's url */
};

/* Reads all of path ("-" for standard input) into *text and *length. */
enum cc_status urllist_slurp(const char *path, char **text, size_t *length,
                             struct cc_err *err);

/* Parses text (length bytes and a NUL after them; taken over by the list,
 * freed by urllist_free, also on failure), splitting its lines in place. name says where it came from, for messages. Fails with
 * CC_EINPUT when the list holds no URL line at all. */
enum cc_status urllist_parse(char *text, size_t length, const char *name,
                             struct url_list *out, struct cc_err *err);

/* urllist_slurp + urllist_parse. */
enum cc_status urllist_load(const char *path, struct url_list *out, struct cc_err *err);

/* NULL when text looks like a URL (scheme "://" rest, no whitespace or
 * control characters), else the reason it does not. */
const char *urllist_check(const char *text);

void urllist_free(struct url_list *list);

#endif
