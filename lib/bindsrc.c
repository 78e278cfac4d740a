/* bindsrc.c — bind sources opened once, in the parent, with O_PATH.
 *
 * A path that the launcher resolves and the sandbox's setup opens again
 * later can lead somewhere else the second time: a sandbox that can write
 * a directory on the way swaps it for a symlink (issue 17).  So every bind
 * source is opened here exactly once; the checks (protect.c, exec.c) read
 * the fd's canonical path, and the child (mount.c) clones that path again
 * and binds it only if it is the same inode (dev/ino), else the launch
 * fails with ESTALE.  The fd stays open until then so that the inode
 * number cannot be reused.
 *
 * The walk looks at every symlink before following it: a link that a
 * sandbox could have planted (bindsrc_plantable) is refused or reported,
 * so the caller can decide.  Parent side: no output, no exit. */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "bindsrc.h"
#include "util.h"

#define MAX_LINKS 40

bool bindsrc_plantable(const struct stat *link)
{
        return link->st_uid != 0;
}

static int fd_path(int fd, char out[PATH_MAX])
{
        char proc[32];
        snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
        ssize_t n = readlink(proc, out, PATH_MAX - 1);
        if (n < 0)
                return -errno;
        if (n >= PATH_MAX - 1)
                return -ENAMETOOLONG;
        out[n] = 0;
        /* An unlinked object, or one outside our root: nothing to bind by path. */
        if (out[0] != '/')
                return -ENOENT;
        return 0;
}

static int finish(int fd, struct bindsrc *ret)
{
        int r = fd_path(fd, ret->path);
        if (r >= 0 && fstat(fd, &ret->st) < 0)
                r = -errno;
        if (r < 0) {
                close(fd);
                return r;
        }
        ret->fd = fd;
        return 0;
}

/* The path of `name` in the directory dfd, for messages. */
static void link_path(int dfd, const char *name, char out[PATH_MAX])
{
        char dir[PATH_MAX];
        size_t n = 0;
        if (fd_path(dfd, dir) >= 0 && strcmp(dir, "/") != 0)
                n = strlen(dir);
        if (n + strlen(name) + 2 > PATH_MAX) {
                snprintf(out, PATH_MAX, "%s", name);
                return;
        }
        memcpy(out, dir, n);
        out[n] = '/';
        strcpy(out + n + 1, name);
}

static int walk(const char *path, unsigned flags, struct bindsrc *ret)
{
        char rest[PATH_MAX], name[NAME_MAX + 1];
        unsigned links = 0;
        if (strlen(path) >= sizeof(rest))
                return -ENAMETOOLONG;
        strcpy(rest, path);
        int dfd = open(rest[0] == '/' ? "/" : ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (dfd < 0)
                return -errno;
        const char *s = rest;
        for (;;) {
                while (*s == '/')
                        s++;
                if (!*s)
                        return finish(dfd, ret);
                size_t n = strcspn(s, "/");
                if (n > NAME_MAX) {
                        close(dfd);
                        return -ENAMETOOLONG;
                }
                memcpy(name, s, n);
                name[n] = 0;
                s += n;
                const char *after = s + strspn(s, "/");
                bool last = !*after;
                if (strcmp(name, ".") == 0)
                        continue;
                /* A directory on the way costs one openat. */
                int fd = -1;
                if (!last) {
                        fd = openat(dfd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC | O_DIRECTORY);
                        if (fd >= 0) {
                                close(dfd);
                                dfd = fd;
                                continue;
                        }
                        if (errno != ENOTDIR && errno != ELOOP) {
                                int e = -errno;
                                close(dfd);
                                return e;
                        }
                }
                fd = openat(dfd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
                struct stat st;
                if (fd < 0 || fstat(fd, &st) < 0) {
                        int e = -errno;
                        if (fd >= 0)
                                close(fd);
                        close(dfd);
                        return e;
                }
                if (!S_ISLNK(st.st_mode)) {
                        close(dfd);
                        if (!last) {
                                close(fd);
                                return -ENOTDIR;
                        }
                        return finish(fd, ret);
                }
                int e = 0;
                char target[PATH_MAX], next[PATH_MAX];
                bool planted = bindsrc_plantable(&st);
                if (planted && !ret->link[0]) {
                        link_path(dfd, name, ret->link);
                        ret->link_uid = st.st_uid;
                }
                ssize_t k = readlinkat(fd, "", target, sizeof(target) - 1);
                if (k < 0)
                        e = -errno;
                close(fd);
                if (last && (flags & BINDSRC_NOFOLLOW_LAST)) {
                        link_path(dfd, name, ret->link);
                        ret->link_uid = st.st_uid;
                        ret->refusal = BINDSRC_LAST_LINK;
                        e = -ELOOP;
                } else if (planted && (flags & BINDSRC_REFUSE_PLANTED)) {
                        ret->refusal = BINDSRC_PLANTED;
                        e = -ELOOP;
                } else if (e >= 0 && ++links > MAX_LINKS) {
                        e = -ELOOP;
                } else if (e >= 0) {
                        target[k] = 0;
                        int m = snprintf(next, sizeof(next), "%s/%s", target, after);
                        if (m < 0 || (size_t)m >= sizeof(next))
                                e = -ENAMETOOLONG;
                }
                if (e >= 0 && target[0] == '/') {
                        close(dfd);
                        dfd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
                        if (dfd < 0)
                                return -errno;
                }
                if (e < 0) {
                        close(dfd);
                        return e;
                }
                strcpy(rest, next);
                s = rest;
        }
}

int bindsrc_open(const char *path, unsigned flags, struct bindsrc *ret)
{
        memset(ret, 0, sizeof(*ret));
        ret->fd = -1;
        if (!(flags & (BINDSRC_NOFOLLOW_LAST | BINDSRC_REFUSE_PLANTED)) && path[0] == '/') {
                /* The common case: a path with no symlink on it is its own
                 * canonical path.  Anything else takes the walk. */
                int fd = open(path, O_PATH | O_CLOEXEC);
                if (fd < 0)
                        return -errno;
                int r = fd_path(fd, ret->path);
                if (r >= 0 && strcmp(ret->path, path) == 0) {
                        if (fstat(fd, &ret->st) < 0) {
                                r = -errno;
                                close(fd);
                                return r;
                        }
                        ret->fd = fd;
                        return 0;
                }
                close(fd);
                if (r < 0 && r != -ENOENT)
                        return r;
        }
        return walk(path, flags, ret);
}

int bindsrc_open_cwd(struct bindsrc *ret)
{
        memset(ret, 0, sizeof(*ret));
        ret->fd = -1;
        int fd = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        return finish(fd, ret);
}

void bindsrc_done(struct bindsrc *b)
{
        if (b->fd >= 0)
                close(TAKE_FD(b->fd));
}
