/* MPI set-up shared by every MPI path (cpu mpi/hybrid, io mpi).
 *
 * concur initialises MPI only when a command needs it, so `concur sumsq` or
 * `concur cpu --mode serial` never pay MPI's start-up. Under mpirun/srun
 * every rank parses the same arguments; errors are agreed on collectively so
 * all ranks exit together and none is left waiting in a collective. Without
 * a launcher, MPI runs as a singleton (one rank).
 *
 * Two programs are built from the same sources: concur-mpi links MPI
 * (mpi_env.c and each concern's MPI half, *_mpi.c: cpu_mpi.c, fetch_mpi.c);
 * concur does not (mpi_none.c), because Open MPI's libraries cost about a
 * millisecond of every start, which a one-URL download or a short run would
 * pay for nothing. In concur, whatever
 * needs MPI continues in concur-mpi (beside it, or in ../libexec/concur/ once
 * installed) by exec: same process, arguments, environment and streams, so
 * mpirun and srun see no difference. (git does the same with libcurl and
 * git-remote-https.) */
#ifndef CONCUR_MPI_ENV_H
#define CONCUR_MPI_ENV_H

#include <stdbool.h>

#include "status.h"

/* True when started by a launcher (mpirun, mpiexec, srun). */
bool mpi_env_launched(void);

/* Remembers the command line, for the hand-over; main calls it first. */
void mpi_env_keep_args(int argc, char **argv);

/* Makes sure this process is the one with MPI: in concur-mpi returns CC_OK
 * at once; in concur execs concur-mpi and returns only when that failed. */
enum cc_status mpi_env_hand_over(struct cc_err *err);

/* The MPI library's version line ("" in concur, which has none). */
const char *mpi_env_library_version(void);

/* Initialises MPI once (concur hands over first); threaded asks for
 * MPI_THREAD_FUNNELED (OpenMP threads inside a rank, MPI calls from the
 * main thread only). */
enum cc_status mpi_env_init(bool threaded, struct cc_err *err);

bool mpi_env_active(void);
int mpi_env_rank(void);  /* 0 without MPI */
int mpi_env_size(void);  /* 1 without MPI */
int mpi_env_local_size(void); /* ranks on this rank's node; 1 without MPI */

/* The worst status over all ranks (CC_OK only if every rank is OK); each
 * rank returns the same value. Without MPI, local itself. */
enum cc_status mpi_env_agree(enum cc_status local);

void mpi_env_finalize(void);

#endif
