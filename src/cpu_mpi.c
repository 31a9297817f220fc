/* The MPI half of the CPU runners: distribution of tasks over ranks, the
 * exact 128-bit reduction, and kernel timing between barriers. */
#include <mpi.h>
#include <stdlib.h>

#include "cpu_impl.h"
#include "partition.h"

enum { TAG_REQUEST = 1, TAG_TASK = 2 };

/* A u128 travels as two 64-bit words; MPI has no 128-bit integer type. */
struct wide {
    uint64_t lo, hi;
};

static void add_wide(void *in, void *inout, int *len, MPI_Datatype *type)
{
    (void)type;
    const struct wide *a = in;
    struct wide *b = inout;
    for (int i = 0; i < *len; i++) {
        u128 sum = ((u128)a[i].hi << 64 | a[i].lo) + ((u128)b[i].hi << 64 | b[i].lo);
        b[i].lo = (uint64_t)sum;
        b[i].hi = (uint64_t)(sum >> 64);
    }
}

static u128 reduce_exact(u128 local)
{
    static MPI_Datatype wide_type = MPI_DATATYPE_NULL;
    static MPI_Op wide_sum = MPI_OP_NULL;
    struct wide mine = {(uint64_t)local, (uint64_t)(local >> 64)}, total = {0, 0};

    if (wide_type == MPI_DATATYPE_NULL) {
        MPI_Type_contiguous(2, MPI_UINT64_T, &wide_type);
        MPI_Type_commit(&wide_type);
        MPI_Op_create(add_wide, 1, &wide_sum);
    }
    MPI_Reduce(&mine, &total, 1, wide_type, wide_sum, 0, MPI_COMM_WORLD);
    return (u128)total.hi << 64 | total.lo;
}

/* Block: rank r takes a contiguous share; cyclic: every size-th task. */
static size_t static_share(enum cpu_distribution dist, size_t ntasks, int rank,
                           int size, size_t *indices)
{
    struct partition_share share =
        partition_share(dist == DIST_CYCLIC, ntasks, (size_t)rank, (size_t)size);
    for (size_t k = 0; k < share.count; k++)
        indices[k] = partition_index(&share, k);
    return share.count;
}

/* The manager (rank 0) hands out task indices on request, and works on
 * tasks itself between requests so no core idles. Workers ask for their next
 * task before starting the current one, so a reply is already waiting when
 * they finish (the manager answers between its own tasks). -1 means stop. */
static u128 manager(const struct cpu_plan *plan, const struct workload *w, int size)
{
    long long next = 0, ntasks = (long long)w->ntasks;
    int working = size - 1;
    u128 total = 0;

    while (working > 0 || next < ntasks) {
        int pending = 0;
        MPI_Status st;
        MPI_Iprobe(MPI_ANY_SOURCE, TAG_REQUEST, MPI_COMM_WORLD, &pending, &st);
        if (!pending && next < ntasks) {
            size_t mine = (size_t)next++;
            total += cpu_sum_tasks(plan, w->tasks, &mine, 1);
            continue;
        }
        if (!pending)  /* nothing left to do: wait for the last requests */
            MPI_Probe(MPI_ANY_SOURCE, TAG_REQUEST, MPI_COMM_WORLD, &st);
        MPI_Recv(NULL, 0, MPI_BYTE, st.MPI_SOURCE, TAG_REQUEST, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        long long task = next < ntasks ? next++ : -1;
        MPI_Send(&task, 1, MPI_LONG_LONG, st.MPI_SOURCE, TAG_TASK, MPI_COMM_WORLD);
        if (task < 0)
            working--;
    }
    return total;
}

static u128 worker(const struct cpu_plan *plan, const struct workload *w)
{
    long long task, next;
    MPI_Request reply;
    u128 total = 0;

    MPI_Send(NULL, 0, MPI_BYTE, 0, TAG_REQUEST, MPI_COMM_WORLD);
    MPI_Recv(&task, 1, MPI_LONG_LONG, 0, TAG_TASK, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    while (task >= 0) {
        MPI_Send(NULL, 0, MPI_BYTE, 0, TAG_REQUEST, MPI_COMM_WORLD);
        MPI_Irecv(&next, 1, MPI_LONG_LONG, 0, TAG_TASK, MPI_COMM_WORLD, &reply);
        size_t mine = (size_t)task;
        total += cpu_sum_tasks(plan, w->tasks, &mine, 1);
        MPI_Wait(&reply, MPI_STATUS_IGNORE);
        task = next;
    }
    return total;
}

static enum cc_status local_sum(const struct cpu_plan *plan, const struct workload *w,
                                int rank, int size, u128 *local, struct cc_err *err)
{
    if (plan->dist == DIST_DYNAMIC && size > 1) {
        *local = rank == 0 ? manager(plan, w, size) : worker(plan, w);
        return CC_OK;
    }
    size_t *indices = malloc((w->ntasks ? w->ntasks : 1) * sizeof *indices);
    if (!indices)
        return cc_error(err, CC_ESYS, "out of memory for the task list");
    size_t n = static_share(plan->dist, w->ntasks, rank, size, indices);
    *local = cpu_sum_tasks(plan, w->tasks, indices, n);
    free(indices);
    return CC_OK;
}

enum cc_status cpu_mpi_run(const struct cpu_plan *plan, const struct workload *w,
                           struct cpu_outcome *out, struct cc_err *err)
{
    int rank, size;
    u128 local = 0;
    double mine, slowest;

    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);

    /* Kernel time: from a barrier to the exact total on rank 0, per rank;
     * the slowest rank is the run's time (OSU's way). */
    MPI_Barrier(MPI_COMM_WORLD);
    double start = MPI_Wtime();
    enum cc_status status = local_sum(plan, w, rank, size, &local, err);
    out->total = reduce_exact(local);
    mine = MPI_Wtime() - start;
    MPI_Reduce(&mine, &slowest, 1, MPI_DOUBLE, MPI_MAX, 0, MPI_COMM_WORLD);
    out->seconds = rank == 0 ? slowest : mine;
    return status;
}
