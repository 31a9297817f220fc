/* The URL list reader (src/urllist.c) on any file content: no crash, no
 * undefined behaviour, no read outside the buffer; every entry is a
 * trimmed, non-empty, non-comment line inside the text, in line order; an
 * entry without a reason looks like a URL (scheme "://", no whitespace or
 * control character); a list that fails says why. */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "urllist.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct cc_err err = {{0}};
    struct url_list list;
    size_t lines = 1;
    char *text = malloc(size + 1);

    memcpy(text, data, size);
    text[size] = '\0';
    for (size_t i = 0; i < size; i++)
        lines += data[i] == '\n';
    if (urllist_parse(text, size, "fuzz", &list, &err) != CC_OK) {
        CHECK(err.msg[0] != '\0' && list.entries == NULL && list.count == 0);
        return 0;
    }
    CHECK(list.count >= 1);
    size_t previous = 0;
    for (size_t i = 0; i < list.count; i++) {
        const struct url_entry *e = &list.entries[i];
        size_t len = strlen(e->url);
        CHECK(e->url >= list.text && e->url + len <= list.text + size);
        CHECK(len > 0 && e->url[0] != '#');
        CHECK(!isspace((unsigned char)e->url[0]) && !isspace((unsigned char)e->url[len - 1]));
        CHECK(e->line > previous && e->line <= lines);
        previous = e->line;
        CHECK(urllist_check(e->url) == e->invalid);
        if (!e->invalid) {
            CHECK(strstr(e->url, "://") != NULL);
            for (size_t k = 0; k < len; k++)
                CHECK(!isspace((unsigned char)e->url[k]) && !iscntrl((unsigned char)e->url[k]));
        }
    }
    urllist_free(&list);
    return 0;
}
