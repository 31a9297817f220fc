/* Strict number parsing and exact 128-bit decimal formatting.
 *
 * Accepted: decimal digits only, optionally grouped with single '_' between
 * digits as in Python literals (1_000_000). Refused, each with its own reason
 * naming the text: empty, signs, spaces, exponent forms (1e6), hex, fractions,
 * anything above the caller's limit. */
#ifndef CONCUR_NUM_H
#define CONCUR_NUM_H

#include <stdint.h>
#include <stddef.h>

#include "status.h"

typedef unsigned __int128 u128;

/* Longest decimal form of a u128 (39 digits) plus the terminating NUL. */
#define NUM_U128_BUFSIZE 40

/* Parses text as an unsigned integer no larger than max. what names the
 * value in messages ("--count", "N"); it may be NULL. */
enum cc_status num_parse_u128(const char *what, const char *text, u128 max,
                              u128 *out, struct cc_err *err);
enum cc_status num_parse_u64(const char *what, const char *text, uint64_t max,
                             uint64_t *out, struct cc_err *err);

/* Writes v in decimal into buf (at least NUM_U128_BUFSIZE bytes); returns buf. */
char *num_format_u128(u128 v, char *buf);

/* Longest form num_format_double writes ("-2.2250738585072014e-308") plus NUL. */
#define NUM_DOUBLE_BUFSIZE 32

/* Writes finite v into buf (at least NUM_DOUBLE_BUFSIZE bytes) as the
 * shortest %g form that reads back as exactly v: 0.55, not the noise digits
 * of a blanket %.17g (0.55000000000000004), yet exact for programs that
 * read it back. Returns buf. */
char *num_format_double(double v, char *buf);

/* Parses a duration: a number with an optional unit (ns, us, ms, s, m), as in
 * 100ms, 0.25s, 2 (seconds). Returns seconds, no larger than max_seconds. */
enum cc_status num_parse_duration(const char *what, const char *text,
                                  double max_seconds, double *out,
                                  struct cc_err *err);

/* Parses a size in bytes: whole digits with an optional binary unit
 * (B, K or KiB, M or MiB, G or GiB, T or TiB), as in 100MiB or 1024. No
 * larger than max. */
enum cc_status num_parse_bytes(const char *what, const char *text, uint64_t max,
                               uint64_t *out, struct cc_err *err);

/* Parses a percentage: digits with an optional fraction and an optional
 * '%' (5, 5%, 2.5%); no sign, exponent or blanks; no more than max_percent
 * (INFINITY: no bound). Returns the fraction: 5% is 0.05. */
enum cc_status num_parse_percent(const char *what, const char *text, double max_percent,
                                 double *out, struct cc_err *err);

/* Parses a comma-separated list of whole numbers, each from 1 to max
 * (4,8,16): at most capacity of them into out, their count into *n. */
enum cc_status num_parse_list(const char *what, const char *text, uint64_t max, uint64_t *out,
                              size_t capacity, size_t *n, struct cc_err *err);

#endif
