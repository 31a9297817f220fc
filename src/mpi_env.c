#include "mpi_env.h"

#include <mpi.h>
#include <stdlib.h>
#include <unistd.h>

static bool active;
static int rank, size = 1, local_size = 1;
static char host[MPI_MAX_PROCESSOR_NAME];

bool mpi_env_launched(void)
{
    static const char *const markers[] = {
        "OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_RANK", "PMI_SIZE", "MPI_LOCALNRANKS",
    };
    for (size_t i = 0; i < sizeof markers / sizeof markers[0]; i++)
        if (getenv(markers[i]))
            return true;
    return false;
}

enum cc_status mpi_env_init(bool threaded, struct cc_err *err)
{
    int provided, length;

    if (active)
        return CC_OK;
    int required = threaded ? MPI_THREAD_FUNNELED : MPI_THREAD_SINGLE;
    if (MPI_Init_thread(NULL, NULL, required, &provided) != MPI_SUCCESS)
        return cc_error(err, CC_ESYS, "MPI_Init_thread failed");
    active = true;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    MPI_Get_processor_name(host, &length);
    /* The ranks that share this node's memory: its ranks per node. */
    MPI_Comm node;
    MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, rank, MPI_INFO_NULL, &node);
    MPI_Comm_size(node, &local_size);
    MPI_Comm_free(&node);
    if (provided < required) {
        return cc_error(err, CC_ESYS, "this MPI library gives thread level %d, hybrid mode needs %d",
                        provided, required);
    }
    return CC_OK;
}

bool mpi_env_active(void) { return active; }
int mpi_env_rank(void) { return rank; }
int mpi_env_size(void) { return size; }
int mpi_env_local_size(void) { return local_size; }

const char *mpi_env_host(void)
{
    if (!host[0])
        gethostname(host, sizeof host - 1);
    return host;
}

enum cc_status mpi_env_agree(enum cc_status local)
{
    int mine = (int)local, worst = mine;
    if (active)
        MPI_Allreduce(&mine, &worst, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
    return (enum cc_status)worst;
}

void mpi_env_finalize(void)
{
    if (active) {
        MPI_Finalize();
        active = false;
    }
}
