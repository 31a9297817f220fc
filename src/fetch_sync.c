/* The sync mode: one easy handle for the whole list, one URL after another
 * (like the notes' requests.Session). */
#include "fetch_impl.h"

enum cc_status fetch_run_sync(const struct fetch_options *o, const struct url_entry *entries,
                              size_t n, struct fetch_result *results, struct cc_err *err)
{
    struct transfer t;
    enum cc_status status = transfer_init(&t, o, NULL, err);

    if (status != CC_OK)
        return status;
    for (size_t i = 0; i < n; i++) {
        transfer_fetch_blocking(&t, &entries[i], &results[i], i);
        if (o->progress)
            o->progress(o->progress_ctx, i + 1, n);
    }
    transfer_cleanup(&t);
    return CC_OK;
}
