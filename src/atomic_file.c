#include "atomic_file.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum cc_status atomic_file_open(struct atomic_file *a, const char *what, const char *path,
                                struct cc_err *err)
{
    size_t len = strlen(path) + sizeof ".tmp.XXXXXX";

    *a = (struct atomic_file){.path = path, .what = what, .tmp = malloc(len)};
    if (!a->tmp)
        return cc_error(err, CC_ESYS, "%s: out of memory", what);
    snprintf(a->tmp, len, "%s.tmp.XXXXXX", path);
    int fd = mkstemp(a->tmp);
    if (fd < 0 || !(a->out = fdopen(fd, "w"))) {
        /* a folder that is not there or not ours: the user can fix that */
        bool input = errno == ENOENT || errno == ENOTDIR || errno == EACCES || errno == EROFS;
        enum cc_status status = cc_error(err, input ? CC_EINPUT : CC_ESYS, "%s: cannot create '%s': %s",
                                         what, a->tmp, strerror(errno));
        if (fd >= 0) {
            close(fd);
            unlink(a->tmp);
        }
        free(a->tmp);
        a->tmp = NULL;
        return status;
    }
    /* mkstemp's 0600 is not what a plain file gets */
    mode_t mask = umask(0);
    umask(mask);
    fchmod(fd, 0666 & ~mask);
    return CC_OK;
}

enum cc_status atomic_file_commit(struct atomic_file *a, struct cc_err *err)
{
    bool ok = fflush(a->out) == 0 && !ferror(a->out) && fsync(fileno(a->out)) == 0;
    int saved = errno;
    if (fclose(a->out) != 0 && ok) {
        ok = false;
        saved = errno;
    }
    if (ok && rename(a->tmp, a->path) != 0) {
        ok = false;
        saved = errno;
    }
    enum cc_status status = ok ? CC_OK : cc_error(err, CC_ESYS, "%s: cannot write '%s': %s",
                                                  a->what, a->path, strerror(saved));
    if (!ok)
        unlink(a->tmp);
    free(a->tmp);
    *a = (struct atomic_file){0};
    return status;
}

void atomic_file_abort(struct atomic_file *a)
{
    if (a->out)
        fclose(a->out);
    if (a->tmp) {
        unlink(a->tmp);
        free(a->tmp);
    }
    *a = (struct atomic_file){0};
}

enum cc_status atomic_file_write(const char *what, const char *path, const char *text,
                                 struct cc_err *err)
{
    struct atomic_file a;
    enum cc_status status = atomic_file_open(&a, what, path, err);
    if (status != CC_OK)
        return status;
    fputs(text, a.out);
    return atomic_file_commit(&a, err);
}
