#include "mpi_env.h"

#include <mpi.h>
#include <string.h>

static bool active;
static int rank, size = 1, local_size = 1;

/* This is concur-mpi: nothing to remember, nowhere to hand over to. */
void mpi_env_keep_args(int argc, char **argv)
{
    (void)argc;
    (void)argv;
}

enum cc_status mpi_env_hand_over(struct cc_err *err)
{
    (void)err;
    return CC_OK;
}

const char *mpi_env_library_version(void)
{
    static char version[MPI_MAX_LIBRARY_VERSION_STRING];
    int length = 0;

    /* One of the few MPI calls allowed before MPI_Init; its first line. */
    MPI_Get_library_version(version, &length);
    version[strcspn(version, "\n,")] = '\0';
    return version;
}

enum cc_status mpi_env_init(bool threaded, struct cc_err *err)
{
    int provided;

    if (active)
        return CC_OK;
    int required = threaded ? MPI_THREAD_FUNNELED : MPI_THREAD_SINGLE;
    if (MPI_Init_thread(NULL, NULL, required, &provided) != MPI_SUCCESS)
        return cc_error(err, CC_ESYS, "MPI_Init_thread failed");
    active = true;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
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
