/* Launcher detection, shared by concur and concur-mpi (see mpi_env.h). */
#include "mpi_env.h"

#include <stdlib.h>

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
