/* The MPI mode of the download engine (the notes' multiprocessing pool):
 * the URL list split across ranks, each rank with its own easy handle (or
 * its own multi handle with W transfers in flight), per-URL results
 * gathered on rank 0. */
#include "fetch_impl.h"

#include <limits.h>
#include <mpi.h>
#include <stdlib.h>
#include <string.h>

#include "mpi_env.h"
#include "partition.h"

/* The worst status of all ranks; a rank that was fine itself learns why. */
static enum cc_status agree(enum cc_status local, struct cc_err *err)
{
    enum cc_status status = mpi_env_agree(local);
    if (status != CC_OK && local == CC_OK)
        cc_error(err, status, "another MPI rank failed");
    return status;
}

enum cc_status fetch_mpi_load(const char *path, struct url_list *out, struct cc_err *err)
{
    char *text = NULL;
    size_t length = 0;
    enum cc_status status = CC_OK;

    if (mpi_env_rank() == 0) {
        status = urllist_slurp(path, &text, &length, err);
        if (status == CC_OK && length > (size_t)INT_MAX - 1)
            status = cc_error(err, CC_EINPUT, "--urls %s: too large for the MPI mode (2 GiB)", path);
    }
    status = mpi_env_agree(status);
    if (status != CC_OK) {
        free(text);
        if (mpi_env_rank() != 0)
            cc_error(err, status, "rank 0 could not read the URL list");
        return status;
    }
    unsigned long long size = length;
    MPI_Bcast(&size, 1, MPI_UNSIGNED_LONG_LONG, 0, MPI_COMM_WORLD);
    if (mpi_env_rank() != 0) {
        length = (size_t)size;
        text = malloc(length + 1);
        status = text ? CC_OK : cc_error(err, CC_ESYS, "out of memory for the URL list");
    }
    if ((status = agree(status, err)) != CC_OK) {
        free(text);
        return status;
    }
    MPI_Bcast(text, (int)length + 1, MPI_CHAR, 0, MPI_COMM_WORLD);
    /* Every rank parses the same text: the same entries, the same verdict. */
    return urllist_parse(text, length, strcmp(path, "-") ? path : "- (standard input)", out, err);
}

/* The URLs rank r handles, in order: a contiguous block, or every size-th. */
static struct partition_share share_of(enum mpi_split split, size_t n, int rank, int size)
{
    return partition_share(split == MPI_SPLIT_CYCLIC, n, (size_t)rank, (size_t)size);
}

/* Rank 0 puts every rank's results (arrived in rank order) in URL order. */
static void place(enum mpi_split split, size_t n, int size, const struct fetch_result *gathered,
                  struct fetch_result *results)
{
    size_t at = 0;
    for (int r = 0; r < size; r++) {
        struct partition_share share = share_of(split, n, r, size);
        for (size_t k = 0; k < share.count; k++)
            results[partition_index(&share, k)] = gathered[at++];
    }
}

static enum cc_status gather(enum mpi_split split, size_t n, const struct fetch_result *mine,
                             size_t count, struct fetch_result *results, struct cc_err *err)
{
    int size = mpi_env_size(), rank = mpi_env_rank();
    int *counts = NULL, *displs = NULL;
    struct fetch_result *gathered = NULL;
    enum cc_status status = CC_OK;

    if (rank == 0) {
        counts = calloc((size_t)size, sizeof *counts);
        displs = calloc((size_t)size, sizeof *displs);
        gathered = calloc(n ? n : 1, sizeof *gathered);
        if (!counts || !displs || !gathered)
            status = cc_error(err, CC_ESYS, "out of memory gathering %zu results", n);
        for (int r = 0; status == CC_OK && r < size; r++) {
            counts[r] = (int)(share_of(split, n, r, size).count * sizeof *gathered);
            displs[r] = r ? displs[r - 1] + counts[r - 1] : 0;
        }
    }
    if ((status = agree(status, err)) == CC_OK) {
        /* Results are plain bytes (no pointers), the same layout on every
         * rank of one program. */
        MPI_Gatherv(mine, (int)(count * sizeof *mine), MPI_BYTE, gathered, counts, displs,
                    MPI_BYTE, 0, MPI_COMM_WORLD);
        if (rank == 0)
            place(split, n, size, gathered, results);
    }
    free(counts);
    free(displs);
    free(gathered);
    return status;
}

enum cc_status fetch_mpi_run(const struct fetch_options *o, const struct url_entry *all,
                             size_t n, struct fetch_result *results, double *seconds,
                             struct cc_err *err)
{
    int size = mpi_env_size(), rank = mpi_env_rank();
    enum mpi_split split = o->split;
    struct partition_share share = share_of(split, n, rank, size);
    size_t count = share.count;
    enum cc_status status = CC_OK;

    if (n * sizeof *results > (size_t)INT_MAX)
        return cc_error(err, CC_EINPUT, "the MPI mode gathers at most %zu URLs",
                        (size_t)INT_MAX / sizeof *results);
    struct url_entry *entries = calloc(count ? count : 1, sizeof *entries);
    struct fetch_result *mine = calloc(count ? count : 1, sizeof *mine);
    if (!entries || !mine)
        status = cc_error(err, CC_ESYS, "out of memory for %zu URLs", count);
    for (size_t k = 0; status == CC_OK && k < count; k++)
        entries[k] = all[partition_index(&share, k)];

    MPI_Barrier(MPI_COMM_WORLD);
    double start = MPI_Wtime();
    if (status == CC_OK && count > 0)
        status = fetch_process_mode(FETCH_MPI, o) == FETCH_MULTI
                     ? fetch_run_multi(o, entries, count, mine, err)
                     : fetch_run_sync(o, entries, count, mine, err);
    status = agree(status, err);
    if (status == CC_OK)
        status = gather(split, n, mine, count, results, err);
    *seconds = MPI_Wtime() - start;
    free(entries);
    free(mine);
    return status;
}
