/* cache.c — sbx's per-user cache directories ($XDG_CACHE_HOME/sbx/<what>,
 * else ~/.cache/sbx/<what>) and the rules for trusting what is in them.
 *
 * What a cache holds becomes part of a sandbox (a seccomp filter, the files
 * a sandbox may execute and those it must not see), so a file is used only
 * when nobody but the caller can have written it: the directory must be
 * owned by the caller and not group/other writable, and the file is opened
 * with O_NOFOLLOW and must be a regular file with the same owner and mode
 * rules.  Files are written aside and renamed into place.  What a file says
 * is for its user (seccomp_cache.c, exec_cache.c) to verify.  Parent side. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "cache.h"
#include "util.h"

int sbx_cache_dir(const char *what, char **ret)
{
        const char *x = secure_getenv("XDG_CACHE_HOME");
        const char *home = secure_getenv("HOME");
        char *s = NULL;
        int r;
        if (x && x[0] == '/')
                r = asprintf(&s, "%s/sbx/%s", x, what);
        else if (home && home[0] == '/')
                r = asprintf(&s, "%s/.cache/sbx/%s", home, what);
        else
                return -ENOENT;
        if (r < 0)
                return -ENOMEM;
        *ret = s;
        return 0;
}

static bool trusted(const struct stat *st)
{
        return st->st_uid == geteuid() && !(st->st_mode & (S_IWGRP | S_IWOTH));
}

int sbx_cache_open_dir(const char *what, bool create)
{
        _cleanup_free_ char *path = NULL;
        int r = sbx_cache_dir(what, &path);
        if (r < 0)
                return r;
        if (create) {
                /* mkdir -p: each missing component 0700. */
                for (char *s = path + 1; *s; s++) {
                        if (*s != '/')
                                continue;
                        *s = '\0';
                        if (mkdir(path, 0700) < 0 && errno != EEXIST) {
                                r = -errno;
                                *s = '/';
                                return r;
                        }
                        *s = '/';
                }
                if (mkdir(path, 0700) < 0 && errno != EEXIST)
                        return -errno;
        }
        int fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        struct stat st;
        if (fstat(fd, &st) < 0 || !S_ISDIR(st.st_mode) || !trusted(&st)) {
                close(fd);
                return -EPERM;
        }
        return fd;
}

static int read_full(int fd, void *buf, size_t n)
{
        size_t got = 0;
        while (got < n) {
                ssize_t k = read(fd, (char *)buf + got, n - got);
                if (k < 0 && errno == EINTR)
                        continue;
                if (k < 0)
                        return -errno;
                if (k == 0)
                        return -EIO;
                got += (size_t)k;
        }
        return 0;
}

int sbx_cache_read(int dfd, const char *name, size_t max, void **ret, size_t *len)
{
        /* O_NONBLOCK: a FIFO planted under this name must not hang us. */
        _cleanup_close_ int fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
        struct stat st;
        int r;
        if (fd < 0)
                return -errno;
        if (fstat(fd, &st) < 0)
                return -errno;
        if (!S_ISREG(st.st_mode) || !trusted(&st))
                return -EPERM;
        if (st.st_size < 0 || (size_t)st.st_size > max)
                return -EFBIG;
        size_t n = (size_t)st.st_size;
        _cleanup_free_ void *buf = malloc(n ? n : 1);
        if (!buf)
                return -ENOMEM;
        if ((r = read_full(fd, buf, n)) < 0)
                return r;
        *ret = TAKE_PTR(buf);
        *len = n;
        return 0;
}

static int write_full(int fd, const void *buf, size_t n)
{
        size_t done = 0;
        while (done < n) {
                ssize_t k = write(fd, (const char *)buf + done, n - done);
                if (k < 0 && errno == EINTR)
                        continue;
                if (k <= 0)
                        return k < 0 ? -errno : -EIO;
                done += (size_t)k;
        }
        return 0;
}

int sbx_cache_write(int dfd, const char *name, const void *buf, size_t len)
{
        char tmp[128];
        int r;
        /* Per thread: sbx_spawn() may run in several threads at once. */
        int k = snprintf(tmp, sizeof(tmp), ".tmp-%d-%.16s", (int)gettid(), name);
        if (k < 0 || (size_t)k >= sizeof(tmp))
                return -ENAMETOOLONG;
        int fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (fd < 0)
                return -errno; /* not ours to remove */
        r = write_full(fd, buf, len);
        if (close(fd) < 0 && r >= 0)
                r = -errno;
        if (r >= 0 && renameat(dfd, tmp, dfd, name) < 0)
                r = -errno;
        if (r < 0)
                (void)unlinkat(dfd, tmp, 0);
        return r;
}
