#include "urllist.h"

#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "grow.h"

/* A list larger than this is almost surely the wrong file. */
#define URLLIST_MAX_BYTES ((size_t)1 << 30)

static enum cc_status read_stream(FILE *in, const char *name, char **text,
                                  size_t *length, struct cc_err *err)
{
    size_t capacity = 4096, used = 0;
    char *buf = malloc(capacity);

    if (!buf)
        return cc_error(err, CC_ESYS, "out of memory reading %s", name);
    for (;;) {
        if (capacity - used < 2) {
            char *bigger = capacity < URLLIST_MAX_BYTES ? realloc(buf, 2 * capacity) : NULL;
            if (!bigger) {
                free(buf);
                return cc_error(err, CC_EINPUT, "--urls %s: too large (limit 1 GiB) or out of memory", name);
            }
            buf = bigger;
            capacity *= 2;
        }
        size_t got = fread(buf + used, 1, capacity - used - 1, in);
        used += got;
        if (got == 0)
            break;
    }
    if (ferror(in)) {
        int saved = errno;
        free(buf);
        return cc_error(err, CC_EINPUT, "--urls %s: cannot read: %s", name, strerror(saved));
    }
    buf[used] = '\0';
    *text = buf;
    *length = used;
    return CC_OK;
}

enum cc_status urllist_slurp(const char *path, char **text, size_t *length,
                             struct cc_err *err)
{
    if (!strcmp(path, "-"))
        return read_stream(stdin, "- (standard input)", text, length, err);
    FILE *in = fopen(path, "r");
    if (!in)
        return cc_error(err, CC_EINPUT, "--urls %s: cannot open: %s", path, strerror(errno));
    enum cc_status status = read_stream(in, path, text, length, err);
    fclose(in);
    return status;
}

const char *urllist_check(const char *text)
{
    const char *p = text;

    /* RFC 3986 scheme: a letter, then letters, digits, '+', '-', '.' */
    if (!isalpha((unsigned char)*p))
        return "not a URL: no scheme (expected e.g. http://host/path)";
    while (isalnum((unsigned char)*p) || *p == '+' || *p == '-' || *p == '.')
        p++;
    if (strncmp(p, "://", 3) != 0)
        return "not a URL: no scheme (expected e.g. http://host/path)";
    /* Only file:/// may leave the host out (curl reads it as localhost). */
    bool file_scheme = p - text == 4 && strncasecmp(text, "file", 4) == 0;
    if (p[3] == '\0' || (p[3] == '/' && !file_scheme))
        return "not a URL: no host after the scheme";
    for (const unsigned char *c = (const unsigned char *)text; *c; c++)
        if (isspace(*c) || iscntrl(*c))
            return "not a URL: whitespace or a control character inside";
    return NULL;
}

static char *trim(char *start, char *end)
{
    while (start < end && isspace((unsigned char)*start))
        start++;
    while (end > start && isspace((unsigned char)end[-1]))
        end--;
    *end = '\0';
    return start;
}

/* Splits text into lines in place and keeps the URL lines. */
static enum cc_status collect(struct url_list *list, char *text, size_t length,
                              struct cc_err *err)
{
    size_t capacity = 0, number = 0;
    char *line = text, *limit = text + length;

    while (line < limit) {
        char *newline = memchr(line, '\n', (size_t)(limit - line));
        char *end = newline ? newline : limit;
        char *next = newline ? newline + 1 : limit;
        char *url = trim(line, end);
        number++;
        line = next;
        if (*url == '\0' || *url == '#')
            continue;
        struct url_entry *entries = grow(list->entries, &capacity, list->count + 1, sizeof *entries, 64);
        if (!entries)
            return cc_error(err, CC_ESYS, "out of memory reading the URL list");
        list->entries = entries;
        list->entries[list->count++] = (struct url_entry){
            .url = url, .invalid = urllist_check(url), .line = number,
        };
    }
    return CC_OK;
}

enum cc_status urllist_parse(char *text, size_t length, const char *name,
                             struct url_list *out, struct cc_err *err)
{
    *out = (struct url_list){.text = text};
    /* A NUL inside would silently cut a line short. */
    if (memchr(text, '\0', length)) {
        urllist_free(out);
        return cc_error(err, CC_EINPUT, "--urls %s: contains a NUL byte (not a text file)", name);
    }
    /* A UTF-8 byte order mark (some Windows editors write one) is not part
     * of the first URL. */
    size_t skip = length >= 3 && !memcmp(text, "\xEF\xBB\xBF", 3) ? 3 : 0;
    enum cc_status status = collect(out, text + skip, length - skip, err);
    if (status == CC_OK && out->count == 0)
        status = cc_error(err, CC_EINPUT, "--urls %s: no URLs (only blank lines and comments)", name);
    if (status != CC_OK)
        urllist_free(out);
    return status;
}

enum cc_status urllist_load(const char *path, struct url_list *out, struct cc_err *err)
{
    char *text;
    size_t length;
    enum cc_status status = urllist_slurp(path, &text, &length, err);

    if (status != CC_OK)
        return status;
    return urllist_parse(text, length, strcmp(path, "-") ? path : "- (standard input)", out, err);
}

void urllist_free(struct url_list *list)
{
    free(list->entries);
    free(list->text);
    *list = (struct url_list){0};
}
