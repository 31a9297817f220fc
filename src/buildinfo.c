#include "buildinfo.h"

#include <string.h>

#include <gsl/gsl_version.h>
#include <microhttpd.h>

#include "fetch.h"
#include "json.h"
#include "kernel.h"
#include "mpi_env.h"

#if defined(__clang__)
#define COMPILER "clang " __clang_version__
#elif defined(__GNUC__)
#define COMPILER "gcc " __VERSION__
#else
#define COMPILER "unknown"
#endif

#ifndef CONCUR_BUILD_FLAGS
#define CONCUR_BUILD_FLAGS "unknown"
#endif

static void field(FILE *out, const char *key, const char *value, const char *sep)
{
    json_key(out, key);
    json_string(out, value);
    fputs(sep, out);
}

void buildinfo_write_json(FILE *out)
{
    char openmp[16];

    snprintf(openmp, sizeof openmp, "%d", _OPENMP);

    fputs("{", out);
    field(out, "version", CONCUR_VERSION, ", ");
    field(out, "compiler", COMPILER, ", ");
    field(out, "flags", CONCUR_BUILD_FLAGS, ", ");
    field(out, "openmp", openmp, ", ");
    field(out, "mpi", mpi_env_library_version(), ", ");
    field(out, "libcurl", fetch_library_version(), ", ");
    field(out, "gsl", GSL_VERSION, ", ");
    field(out, "libmicrohttpd", MHD_get_version(), ", ");
    field(out, "kernel", kernel_path_name(kernel_current()), "");
    fputs("}", out);
}

const char *buildinfo_value(const char *key)
{
    static char openmp[16];
    snprintf(openmp, sizeof openmp, "%d", _OPENMP);
    const char *const fields[][2] = {
        {"version", CONCUR_VERSION},
        {"compiler", COMPILER},
        {"flags", CONCUR_BUILD_FLAGS},
        {"openmp", openmp},
        {"mpi", mpi_env_library_version()},
        {"libcurl", fetch_library_version()},
        {"gsl", GSL_VERSION},
        {"libmicrohttpd", MHD_get_version()},
        {"kernel", kernel_path_name(kernel_current())},
    };
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
        if (!strcmp(key, fields[i][0]))
            return fields[i][1];
    return NULL;
}
