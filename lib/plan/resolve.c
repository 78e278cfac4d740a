/* resolve.c — open a host path once, refusing symlinks a sandbox could
 * have planted (see resolve.h for the rule).  Parent side, looks only.
 *
 * Cost: one openat2(RESOLVE_NO_SYMLINKS) for a path without symlinks (the
 * common case), else one openat + fstat per component; plus one fstat and
 * one readlink of /proc/self/fd for the result. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "base/path.h"
#include "plan/exec.h"
#include "plan/resolve.h"
#include "base/util.h"

#define MAX_LINKS 40

int resolve_fd_path(int fd, char **ret)
{
        char proc[64], buf[PATH_MAX];
        snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
        ssize_t n = readlink(proc, buf, sizeof(buf) - 1);
        if (n < 0)
                return -errno;
        if (n == 0 || buf[0] != '/')
                return -ENOENT; /* not reachable from our root */
        buf[n] = 0;
        *ret = strdup(buf);
        return *ret ? 0 : -ENOMEM;
}

bool resolve_has_dotdot(const char *path)
{
        for (const char *s = path; (s = strstr(s, "..")); s += 2)
                if ((s == path || s[-1] == '/') && (s[2] == 0 || s[2] == '/'))
                        return true;
        return false;
}

void resolved_done(struct resolved *r)
{
        if (r->fd >= 0)
                close(r->fd);
        free(r->path);
        r->fd = -1;
        r->path = NULL;
}

static bool under_user_area(const struct resolve_ctx *ctx, const char *dir)
{
        static const char *const areas[] = { "/tmp", "/var/tmp", "/dev/shm", "/run/user" };
        for (size_t i = 0; i < ARRAY_SIZE(areas); i++)
                if (path_under(dir, areas[i]))
                        return true;
        return ctx->home && strcmp(ctx->home, "/") != 0 && path_under(dir, ctx->home);
}

/* Could a sandbox have made this link (the fd of its directory: dirfd)? */
static int plantable(const struct resolve_ctx *ctx, const struct stat *st, int dirfd, bool *ret)
{
        if (st->st_uid != 0) {
                *ret = true;
                return 0;
        }
        if (!ctx->caller_is_root) {
                *ret = false;
                return 0;
        }
        _cleanup_free_ char *dir = NULL;
        int r = resolve_fd_path(dirfd, &dir);
        if (r < 0)
                return r;
        *ret = under_user_area(ctx, dir);
        return 0;
}

int resolve_is_plantable(const struct resolve_ctx *ctx, const struct resolved *res, bool *ret)
{
        if (res->st.st_uid != 0 || !ctx->caller_is_root) {
                *ret = res->st.st_uid != 0;
                return 0;
        }
        _cleanup_free_ char *dir = strdup(res->path);
        if (!dir)
                return -ENOMEM;
        char *slash = strrchr(dir, '/');
        if (slash)
                slash[slash == dir ? 1 : 0] = 0;
        *ret = under_user_area(ctx, dir);
        return 0;
}

/* Absolute and normal: no empty, `.` or `..` component, no trailing
 * slash.  Opened without following a link, such a name is the canonical
 * path of what it opened, with no need to read it back. */
static bool normal_absolute(const char *p)
{
        if (p[0] != '/')
                return false;
        if (p[1] == 0)
                return true;
        for (const char *s = p; *s; s++)
                if (s[0] == '/' && (s[1] == '/' || s[1] == 0 ||
                                    (s[1] == '.' && (s[2] == '/' || s[2] == 0 ||
                                                     (s[2] == '.' && (s[3] == '/' || s[3] == 0))))))
                        return false;
        return true;
}

static int finish(int fd, const char *name, struct resolved *ret)
{
        struct stat st;
        if (fstat(fd, &st) < 0) {
                int e = -errno;
                close(fd);
                return e;
        }
        char *path = NULL;
        int r = 0;
        if (name) {
                path = strdup(name);
                r = path ? 0 : -ENOMEM;
        } else
                r = resolve_fd_path(fd, &path);
        if (r < 0) {
                close(fd);
                return r;
        }
        ret->fd = fd;
        ret->path = path;
        ret->st = st;
        return 0;
}

/* The component walk: `rest` holds what is left of the path, links
 * spliced in front of it as they are met. */
static int walk(const struct resolve_ctx *ctx, int dirfd, const char *path, unsigned flags,
                struct resolved *ret, char **why)
{
        char rest[PATH_MAX * 2];
        char first_link[PATH_MAX + 256] = "";
        char first_target[PATH_MAX] = "";
        int links = 0;

        if (strlen(path) >= sizeof(rest))
                return -ENAMETOOLONG;
        strcpy(rest, path);
        int cur = open(path[0] == '/' ? "/" : ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (path[0] != '/' && dirfd != AT_FDCWD) {
                if (cur >= 0)
                        close(cur);
                cur = fcntl(dirfd, F_DUPFD_CLOEXEC, 3);
        }
        if (cur < 0)
                return -errno;

        char *s = rest;
        for (;;) {
                while (*s == '/')
                        s++;
                if (!*s)
                        break;
                char *e = strchr(s, '/');
                size_t n = e ? (size_t)(e - s) : strlen(s);
                char name[256];
                if (n >= sizeof(name)) {
                        close(cur);
                        return -ENAMETOOLONG;
                }
                memcpy(name, s, n);
                name[n] = 0;
                s += n;
                bool last = true;
                for (const char *q = s; *q; q++)
                        if (*q != '/') {
                                last = false;
                                break;
                        }
                int next = openat(cur, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
                if (next < 0) {
                        int e2 = -errno;
                        close(cur);
                        return e2;
                }
                struct stat st;
                if (fstat(next, &st) < 0) {
                        int e2 = -errno;
                        close(next);
                        close(cur);
                        return e2;
                }
                if (!S_ISLNK(st.st_mode) || (last && (flags & RSV_NOFOLLOW_LAST))) {
                        close(cur);
                        cur = next;
                        continue;
                }
                char target[PATH_MAX];
                ssize_t tl = readlinkat(next, "", target, sizeof(target) - 1);
                int e2 = -errno;
                close(next);
                if (tl < 0 || ++links > MAX_LINKS) {
                        close(cur);
                        return tl < 0 ? e2 : -ELOOP;
                }
                target[tl] = 0;
                bool planted = false;
                int r = plantable(ctx, &st, cur, &planted);
                if (r < 0) {
                        close(cur);
                        return r;
                }
                if (planted && !first_link[0]) {
                        _cleanup_free_ char *dir = NULL;
                        (void)resolve_fd_path(cur, &dir);
                        snprintf(first_link, sizeof(first_link), "%s/%s",
                                 dir && strcmp(dir, "/") != 0 ? dir : "", name);
                        snprintf(first_target, sizeof(first_target), "%s", target);
                        if (flags & RSV_NO_PLANTABLE)
                                break;
                }
                /* Splice the target in front of what is left. */
                char tmp[PATH_MAX * 2];
                if ((size_t)snprintf(tmp, sizeof(tmp), "%s%s", target, s) >= sizeof(tmp)) {
                        close(cur);
                        return -ENAMETOOLONG;
                }
                strcpy(rest, tmp);
                s = rest;
                if (target[0] == '/') {
                        close(cur);
                        if ((cur = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0)
                                return -errno;
                }
        }

        struct resolved res = { .fd = -1 };
        int r = 0;
        if (!first_link[0] || !(flags & RSV_NO_PLANTABLE))
                r = finish(cur, NULL, &res);
        else
                close(cur);
        if (r < 0)
                return r;
        if (first_link[0]) {
                bool ok = false;
                for (size_t i = 0; res.path && i < ctx->nallowed && !ok; i++)
                        ok = path_under(res.path, ctx->allowed[i]) != NULL;
                if (!ok) {
                        resolved_done(&res);
                        if (why && asprintf(why, "%s is a symlink to %s in a place sandboxes can "
                                                 "write; bind %s by its own name, or remove the link",
                                         first_link, first_target, first_target) < 0)
                                *why = NULL;
                        return -ELOOP;
                }
        }
        *ret = res;
        return 0;
}

int resolve_open(const struct resolve_ctx *ctx, int dirfd, const char *path, unsigned flags,
                 struct resolved *ret, char **why)
{
        ret->fd = -1;
        ret->path = NULL;
        if (why)
                *why = NULL;
        if (!*path)
                return -ENOENT;
        if ((flags & RSV_NO_DOTDOT) && resolve_has_dotdot(path))
                return -EXDEV;
        /* Most paths hold no symlink at all: one call. */
        struct open_how how = { .flags = O_PATH | O_CLOEXEC |
                                         ((flags & RSV_NOFOLLOW_LAST) ? O_NOFOLLOW : 0),
                                .resolve = RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS };
        int fd = (int)syscall(SYS_openat2, dirfd, path, &how, sizeof(how));
        if (fd >= 0)
                return finish(fd, normal_absolute(path) ? path : NULL, ret);
        if (errno != ELOOP && errno != ENOSYS && errno != E2BIG && errno != EINVAL &&
            errno != EPERM)
                return -errno;
        return walk(ctx, dirfd, path, flags, ret, why);
}
