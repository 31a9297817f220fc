/* The MPI mode of the download engine (the notes' multiprocessing pool):
 * the URL list split across ranks, each rank with its own easy handle (or
 * its own multi handle with W transfers in flight), per-URL results
 * gathered on rank 0. Works under mpirun and as a singleton. Every function
 * needs mpi_env_init first. */
#ifndef CONCUR_FETCH_MPI_H
#define CONCUR_FETCH_MPI_H

#include "fetch.h"
#include "urllist.h"

enum mpi_split { MPI_SPLIT_BLOCK, MPI_SPLIT_CYCLIC };

/* Rank 0 reads path (under mpirun only rank 0 has standard input) and
 * sends the text to every rank, which parses it. Every rank returns the same
 * status; the message is meaningful on rank 0. */
enum cc_status fetch_mpi_load(const char *path, struct url_list *out, struct cc_err *err);

/* One timed run over list: between a barrier and the gather's end, timed
 * with MPI_Wtime (*seconds, on every rank). per_rank_multi: each rank runs
 * curl multi with o->workers in flight, else one blocking handle. results
 * (list->count of them) are complete on rank 0 only. Every rank returns
 * the same status. */
enum cc_status fetch_mpi_run(const struct fetch_options *o, bool per_rank_multi,
                             enum mpi_split split, const struct url_list *list,
                             struct fetch_result *results, double *seconds,
                             struct cc_err *err);

#endif
