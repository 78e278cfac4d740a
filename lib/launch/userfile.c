/* userfile.c — files sbx opens on the user's behalf (the --log-file), where
 * a sandbox with a writable directory may have left something for it.
 *
 * A sandbox can leave `sbx.log -> ~/.ssh/authorized_keys` (or a hard link
 * to it) in the working directory; a later `sbx run --log-file sbx.log`
 * that appended through it would write lines the sandbox chose into a file
 * every sandbox is kept from.  So the directory is reached without a link
 * a sandbox could have planted (resolve.c's rule), the last component is
 * never followed, and what is opened must be what a log is: a regular file
 * owned by the caller with no other name.  A FIFO cannot block the open
 * (O_NONBLOCK until it has been refused).  Parent side; never prints. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <stdbool.h>

#include "plan/resolve.h"
#include "launch/userfile.h"
#include "base/util.h"

int user_file_open(const char *path, bool truncate, char **why)
{
        *why = NULL;
        if (!path || !*path)
                return -ENOENT;
        size_t n = strlen(path);
        if (path[n - 1] == '/')
                return -EISDIR;
        _cleanup_free_ char *dir = strdup(path), *base = strdup(path);
        if (!dir || !base)
                return -ENOMEM;
        const char *d = dirname(dir), *b = basename(base);
        if (strcmp(b, ".") == 0 || strcmp(b, "..") == 0 || strcmp(b, "/") == 0)
                return -EISDIR;

        struct resolve_ctx ctx = { .caller_is_root = geteuid() == 0, .home = getenv("HOME") };
        struct resolved dirres = { .fd = -1 };
        char *linkwhy = NULL;
        int r = resolve_open(&ctx, AT_FDCWD, d, RSV_NO_PLANTABLE, &dirres, &linkwhy);
        if (r < 0) {
                /* resolve.c words it for binds; a log path is simply given
                 * without the link. */
                char *cut = linkwhy ? strstr(linkwhy, "; bind ") : NULL;
                if (cut) {
                        *cut = 0;
                        if (asprintf(why, "%s; give the directory's own path, or remove the link",
                                     linkwhy) < 0)
                                *why = NULL;
                        free(linkwhy);
                } else
                        *why = linkwhy;
                return r;
        }
        int fd = openat(dirres.fd, b, O_WRONLY | (truncate ? 0 : O_APPEND) | O_CREAT | O_NOFOLLOW | O_NONBLOCK |
                                              O_CLOEXEC | O_NOCTTY, 0600);
        r = fd < 0 ? -errno : 0;
        resolved_done(&dirres);
        if (r == -ENXIO) {
                /* A FIFO nobody reads (O_NONBLOCK): not a file either. */
                if (asprintf(why, "%s is not a regular file", path) < 0)
                        *why = NULL;
                return r;
        }
        if (r == -ELOOP) {
                if (asprintf(why, "%s is a symlink; sbx does not follow one here (a sandbox could have "
                                  "left it): remove it or name the file it points to",
                             path) < 0)
                        *why = NULL;
                return r;
        }
        if (r < 0)
                return r;
        struct stat st;
        const char *bad = NULL;
        if (fstat(fd, &st) < 0)
                r = -errno;
        else if (!S_ISREG(st.st_mode))
                bad = "is not a regular file", r = -EINVAL;
        else if (st.st_uid != geteuid())
                bad = "is owned by another user", r = -EPERM;
        else if (st.st_nlink != 1)
                bad = "has another name (a hard link)", r = -EMLINK;
        if (r >= 0 && fcntl(fd, F_SETFL, truncate ? 0 : O_APPEND) < 0)
                r = -errno;
        /* Emptied only once it is known to be the caller's own file. */
        if (r >= 0 && truncate && ftruncate(fd, 0) < 0)
                r = -errno;
        if (r < 0) {
                close(fd);
                if (bad && asprintf(why, "%s %s; sbx writes only a regular file of yours with one "
                                         "name (a sandbox could have prepared this one)",
                                    path, bad) < 0)
                        *why = NULL;
                return r;
        }
        return fd;
}

static int open_for_user(const char *path, bool truncate, int *ret_fd, struct sbx_error **err)
{
        char *why = NULL;
        int fd = user_file_open(path, truncate, &why);
        if (fd < 0) {
                int r = why ? sbx_err_kind(err, SBX_ERROR_SETUP, fd, NULL, "%s", why)
                            : sbx_err_kind(err, SBX_ERROR_SETUP, fd, NULL, "%s: %s", path, strerror(-fd));
                free(why);
                return r;
        }
        *ret_fd = fd;
        return 0;
}

SBX_EXPORT int sbx_log_open(const char *path, int *ret_fd, struct sbx_error **err)
{
        return open_for_user(path, false, ret_fd, err);
}

SBX_EXPORT int sbx_output_open(const char *path, int *ret_fd, struct sbx_error **err)
{
        return open_for_user(path, true, ret_fd, err);
}
