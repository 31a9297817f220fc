/* MPI set-up shared by every MPI path (cpu mpi/hybrid, io mpi).
 *
 * concur initialises MPI only when a command needs it, so `concur sumsq` or
 * `concur cpu --mode serial` never pay MPI's start-up. Under mpirun/srun
 * every rank parses the same arguments; errors are agreed on collectively so
 * all ranks exit together and none is left waiting in a collective. Without
 * a launcher, MPI runs as a singleton (one rank). */
#ifndef CONCUR_MPI_ENV_H
#define CONCUR_MPI_ENV_H

#include <stdbool.h>

#include "status.h"

/* True when started by a launcher (mpirun, mpiexec, srun). */
bool mpi_env_launched(void);

/* Initialises MPI once; threaded asks for MPI_THREAD_FUNNELED (OpenMP
 * threads inside a rank, MPI calls from the main thread only). */
enum cc_status mpi_env_init(bool threaded, struct cc_err *err);

bool mpi_env_active(void);
int mpi_env_rank(void);  /* 0 without MPI */
int mpi_env_size(void);  /* 1 without MPI */
int mpi_env_local_size(void); /* ranks on this rank's node; 1 without MPI */

/* The worst status over all ranks (CC_OK only if every rank is OK); each
 * rank returns the same value. Without MPI, local itself. */
enum cc_status mpi_env_agree(enum cc_status local);

/* Processor name of this rank (host), for provenance. */
const char *mpi_env_host(void);

void mpi_env_finalize(void);

#endif
