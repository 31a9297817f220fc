/* JSON out: the one place where concur turns text and numbers into JSON.
 *
 * Every JSON document concur writes (the runs of cpu and io, stats, compare,
 * predict, classify, --build-info) builds its strings and numbers here, so
 * that the output is valid JSON and valid UTF-8 whatever the input held:
 *
 *   strings  '"' and '\' escaped, control characters (U+0000..U+001F and
 *            DEL) as \n, \t, ... or \u00XX; valid UTF-8 copied as it is;
 *            a byte that is not part of valid UTF-8 (Latin-1 text in a CSV
 *            cell, a truncated sequence, an overlong form, a surrogate) as
 *            \ufffd, the replacement character, one per maximal invalid
 *            subsequence as Unicode recommends. Nothing is refused: a CSV
 *            cell or URL in another encoding still gets its statistics,
 *            and the Markdown and CSV outputs keep the bytes as they came.
 *   numbers  finite: the shortest decimal that reads back as the same
 *            double (num_format_double); NaN and infinities: null.
 *
 * A caller that must refuse instead (exit 2 naming the value) tests the text
 * with json_utf8_valid first. */
#ifndef CONCUR_JSON_H
#define CONCUR_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* text as a JSON string, quotes included. */
void json_string(FILE *out, const char *text);

/* The same for len bytes that may hold NUL (written as \u0000). */
void json_string_n(FILE *out, const char *text, size_t len);

/* v as a JSON number, or null when it is not finite. */
void json_number(FILE *out, double v);

/* A number that arrives as text (a cell of the runs): copied as it is when
 * it is already a finite JSON number (so that 64-bit counts keep every
 * digit), else the number strtod reads from all of it (1., +5, 0x10), else
 * null (empty, nan, words). */
void json_number_text(FILE *out, const char *text);

/* "key": with the key escaped as any string. */
void json_key(FILE *out, const char *key);

/* , "key": number -- one more member of an object that already has one
 * (the statistics and classify objects are mostly such numbers). */
void json_key_number(FILE *out, const char *key, double v);

/* Whether len bytes are valid UTF-8 (no overlong forms, no surrogates,
 * nothing above U+10FFFF); when not, *bad (if not NULL) is the offset of
 * the first byte that is not. */
bool json_utf8_valid(const char *text, size_t len, size_t *bad);

#endif
