/* mount.c — building the sandbox's filesystem view from the plan.  Child
 * side (runs in the new user+mount namespace before pivot_root): no
 * allocation, every call checked, the first failure ends the setup.
 *
 * The view is built with the new mount API:
 *   1. every bind source is cloned into a detached tree (open_tree with
 *      OPEN_TREE_CLONE) while the host tree is still the root, and only
 *      if it is still the object the parent opened and checked (plan.c,
 *      resolve.c): a name swapped for a symlink in between fails the launch;
 *   2. nosuid/nodev/ro/noexec are set on each detached tree recursively
 *      (mount_setattr), so a read-only bind is read-only all the way down,
 *      unlike a classic MS_BIND|MS_REMOUNT which touches one mount only;
 *   3. a tmpfs becomes the new root; trees are attached into it with
 *      move_mount, mount points created with *at() calls that never follow
 *      symlinks, so a profile cannot be tricked into mounting outside;
 *   4. the root is made read-only, pivot_root(".", ".") and the old root is
 *      detached.  Nothing of the host remains reachable but the binds. */
#include <fcntl.h>
#include <limits.h>
#include <linux/mount.h>
#include <sched.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "launch/mount.h"
#include "base/util.h"

#ifndef MOVE_MOUNT_F_EMPTY_PATH
#define MOVE_MOUNT_F_EMPTY_PATH 0x00000004
#define MOVE_MOUNT_T_EMPTY_PATH 0x00000040
#endif
#ifndef AT_RECURSIVE
#define AT_RECURSIVE 0x8000
#endif

static int sys_open_tree(int dfd, const char *path, unsigned flags)
{
        return (int)syscall(SYS_open_tree, dfd, path, flags);
}
static int sys_move_mount(int from_dfd, const char *from, int to_dfd, const char *to, unsigned flags)
{
        return (int)syscall(SYS_move_mount, from_dfd, from, to_dfd, to, flags);
}
static int sys_mount_setattr(int dfd, const char *path, unsigned flags, struct mount_attr *a)
{
        return (int)syscall(SYS_mount_setattr, dfd, path, flags, a, sizeof(*a));
}
static int sys_fsopen(const char *fs, unsigned flags) { return (int)syscall(SYS_fsopen, fs, flags); }
static int sys_fsconfig(int fd, unsigned cmd, const char *key, const void *val, int aux)
{
        return (int)syscall(SYS_fsconfig, fd, cmd, key, val, aux);
}
static int sys_fsmount(int fd, unsigned flags, unsigned attr)
{
        return (int)syscall(SYS_fsmount, fd, flags, attr);
}
static int sys_pivot_root(const char *n, const char *o) { return (int)syscall(SYS_pivot_root, n, o); }

static unsigned attrs(const struct plan_mount *m)
{
        unsigned a = MOUNT_ATTR_NOSUID;
        if (!m->dev)
                a |= MOUNT_ATTR_NODEV;
        if (m->readonly)
                a |= MOUNT_ATTR_RDONLY;
        if (m->noexec)
                a |= MOUNT_ATTR_NOEXEC;
        return a;
}

/* Where the view is built: the new root, and the directory the last mount
 * point was looked up in.  Mounts come parents first, so consecutive ones
 * often share a parent (/proc's masks, /dev's nodes, /etc's files): that
 * parent is walked to once and kept.  A kept directory stays the right one
 * until something is mounted or created at it or above it, which
 * view_changed() checks before each step. */
struct view {
        int rootfd;
        int fd;                 /* the kept parent, or -1 */
        char parent[PATH_MAX];  /* its path below the root, no leading '/' */
};

static void view_forget(struct view *v)
{
        if (v->fd >= 0)
                close(v->fd);
        v->fd = -1;
        v->parent[0] = 0;
}

/* Before acting at dst: a mount or a link at the kept parent or above it
 * would leave the kept fd pointing at what is now covered. */
static void view_changed(struct view *v, const char *dst)
{
        while (*dst == '/')
                dst++;
        size_t n = strlen(dst);
        if (v->fd >= 0 && (n == 0 || (strncmp(v->parent, dst, n) == 0 &&
                                       (v->parent[n] == 0 || v->parent[n] == '/'))))
                view_forget(v);
}

/* The directory holding the last component of `path` (absolute,
 * normalised) below the root, never following a symlink; directories on
 * the way are created when `create` (only where missing: a lookup first).
 * Returns an fd the view owns (the root, or the kept parent: the caller
 * never closes it) and the last component in name[]. */
static int walk_parent(struct view *v, const char *path, bool create, char name[256])
{
        const char *s = path;
        while (*s == '/')
                s++;
        if (!*s) {
                strcpy(name, ".");
                return v->rootfd;
        }
        const char *start = s, *last = strrchr(s, '/');
        if (v->fd >= 0 && last && last[1] && strlen(last + 1) < 256 &&
            (size_t)(last - s) < sizeof(v->parent) && strncmp(v->parent, s, (size_t)(last - s)) == 0 &&
            v->parent[last - s] == 0) {
                strcpy(name, last + 1);
                return v->fd;
        }
        int fd = v->rootfd;
        for (;;) {
                const char *e = strchr(s, '/');
                size_t n = e ? (size_t)(e - s) : strlen(s);
                if (n == 0 || n >= 256) {
                        if (fd != v->rootfd)
                                close(fd);
                        return -ENAMETOOLONG;
                }
                memcpy(name, s, n);
                name[n] = 0;
                if (!e || !e[1]) {
                        if (fd == v->rootfd)
                                return fd;
                        /* Keep it: s - start is the parent's length plus
                         * its trailing '/'. */
                        size_t len = (size_t)(s - start) - 1;
                        view_forget(v);
                        if (len >= sizeof(v->parent)) {
                                close(fd);
                                return -ENAMETOOLONG;
                        }
                        memcpy(v->parent, start, len);
                        v->parent[len] = 0;
                        v->fd = fd;
                        return fd;
                }
                int next = openat(fd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC | O_DIRECTORY);
                if (next < 0 && errno == ENOENT && create) {
                        if (mkdirat(fd, name, 0755) < 0 && errno != EEXIST)
                                next = -1;
                        else
                                next = openat(fd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC | O_DIRECTORY);
                }
                int saved = errno;
                if (fd != v->rootfd)
                        close(fd);
                if (next < 0)
                        return saved == ENOTDIR || saved == ELOOP ? -ELOOP : -saved;
                fd = next;
                s = e + 1;
        }
}

/* Create the mount point `name` in pfd (a directory or an empty file),
 * unless it exists. */
static int make_point(int pfd, const char *name, bool dir)
{
        if (dir)
                return mkdirat(pfd, name, 0755) < 0 && errno != EEXIST ? -errno : 0;
        /* mknod, not open(O_CREAT): an existing file is left alone, never
         * opened (for writing a running binary gives ETXTBSY, and a host
         * file seen through a bind must not be touched), a symlink is not
         * followed, and there is no fd to close. */
        if (mknodat(pfd, name, S_IFREG | 0644, 0) == 0)
                return 0;
        if (errno == EEXIST) {
                /* Never a mount on a link (O_NOFOLLOW used to say ELOOP). */
                struct stat st;
                if (fstatat(pfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
                        return -errno;
                return S_ISLNK(st.st_mode) ? -ELOOP : 0;
        }
        return errno == EISDIR || errno == EACCES || errno == EROFS ? 0 : -errno;
}

/* Attach the detached tree at dst.  move_mount() without
 * MOVE_MOUNT_T_SYMLINKS does not follow a symlink in the last component. */
static int attach(int tree, struct view *v, const char *dst, bool dir)
{
        char name[256];
        int pfd = walk_parent(v, dst, true, name);
        if (pfd < 0)
                return pfd;
        int r = make_point(pfd, name, dir);
        if (r >= 0 && sys_move_mount(tree, "", pfd, name, MOVE_MOUNT_F_EMPTY_PATH) < 0)
                r = -errno;
        return r;
}

static int new_fs(const char *type, const char *data, unsigned attr)
{
        int fs = sys_fsopen(type, FSOPEN_CLOEXEC);
        if (fs < 0)
                return -errno;
        /* data: comma-separated key=value options */
        char opt[256];
        const char *s = data;
        while (s && *s) {
                size_t n = strcspn(s, ",");
                if (n >= sizeof(opt)) {
                        close(fs);
                        return -EINVAL;
                }
                memcpy(opt, s, n);
                opt[n] = 0;
                char *eq = strchr(opt, '=');
                int r;
                if (eq) {
                        *eq = 0;
                        r = sys_fsconfig(fs, FSCONFIG_SET_STRING, opt, eq + 1, 0);
                } else
                        r = sys_fsconfig(fs, FSCONFIG_SET_FLAG, opt, NULL, 0);
                if (r < 0) {
                        int e = -errno;
                        close(fs);
                        return e;
                }
                s += n + (s[n] == ',');
        }
        if (sys_fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0) {
                int e = -errno;
                close(fs);
                return e;
        }
        /* The context fd stays open with the mount's (the caller closes
         * every fd of the build at once). */
        int m = sys_fsmount(fs, FSMOUNT_CLOEXEC, attr);
        return m < 0 ? -errno : m;
}

/* A source the parent opened (src_fd: a checked directory or file, or a
 * pinned file that was hashed).  That fd belongs to the caller's mount
 * namespace, and open_tree() refuses to clone a mount of another namespace
 * (EINVAL), so the source is cloned again by its canonical path in this
 * namespace (a copy of the caller's) and must be the very inode that was
 * opened: a rename, a symlink or a bind over the path between the check
 * and here fails the launch with ESTALE.  The parent refused to pin any
 * file that a non-root user can modify, so a pinned inode's content is the
 * content that was checked. */
static int clone_opened(const struct plan_mount *m)
{
        struct stat got;
        int t = sys_open_tree(AT_FDCWD, m->src,
                              OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_SYMLINK_NOFOLLOW |
                                      (m->src_is_dir ? AT_RECURSIVE : 0));
        if (t < 0)
                return -1;
        if (fstat(t, &got) < 0 || got.st_dev != m->src_dev || got.st_ino != m->src_ino) {
                close(t);
                errno = ESTALE;
                return -1;
        }
        return t;
}

/* sbx learn: src under an overlay whose upper layer is a directory of
 * `upper` (one tmpfs for all of them, gone with the sandbox), so that the
 * program's writes succeed and are thrown away.  Layers are passed as fds
 * (Linux 6.13's fsconfig FSCONFIG_SET_FD for overlayfs); an older kernel,
 * or a source with mounts beneath it (overlayfs cannot stack over a tree
 * whose mounts the user namespace may not take apart), gets the source
 * read-only instead: writes there fail, and are still recorded. */
static int overlay_of(const struct plan_mount *m, size_t i, int upper)
{
        char u[24], w[24], digits[21];
        size_t nd = 0;
        do
                digits[nd++] = (char)('0' + i % 10);
        while ((i /= 10) && nd < sizeof(digits));
        u[0] = 'u';
        w[0] = 'w';
        for (size_t k = 0; k < nd; k++)
                u[k + 1] = w[k + 1] = digits[nd - 1 - k];
        u[nd + 1] = w[nd + 1] = '\0';
        int lo = -1, up = -1, wk = -1, fs = -1, t = -1;
        if (upper >= 0 && mkdirat(upper, u, 0755) == 0 && mkdirat(upper, w, 0755) == 0 &&
            (lo = open(m->src, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) >= 0 &&
            (up = openat(upper, u, O_PATH | O_DIRECTORY | O_CLOEXEC)) >= 0 &&
            (wk = openat(upper, w, O_PATH | O_DIRECTORY | O_CLOEXEC)) >= 0 &&
            (fs = sys_fsopen("overlay", FSOPEN_CLOEXEC)) >= 0 &&
            sys_fsconfig(fs, FSCONFIG_SET_FD, "lowerdir+", NULL, lo) == 0 &&
            sys_fsconfig(fs, FSCONFIG_SET_FD, "upperdir", NULL, up) == 0 &&
            sys_fsconfig(fs, FSCONFIG_SET_FD, "workdir", NULL, wk) == 0 &&
            sys_fsconfig(fs, FSCONFIG_SET_FLAG, "userxattr", NULL, 0) == 0 &&
            sys_fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) == 0)
                t = sys_fsmount(fs, FSMOUNT_CLOEXEC, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV);
        if (lo >= 0)
                close(lo);
        if (up >= 0)
                close(up);
        if (wk >= 0)
                close(wk);
        if (fs >= 0)
                close(fs);
        if (t >= 0)
                return t;
        t = sys_open_tree(AT_FDCWD, m->src, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE);
        if (t < 0)
                return -1;
        struct mount_attr a = { .attr_set = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV,
                                .propagation = MS_PRIVATE };
        if (sys_mount_setattr(t, "", AT_EMPTY_PATH | AT_RECURSIVE, &a) < 0) {
                int e = errno;
                close(t);
                errno = e;
                return -1;
        }
        return t;
}

/* Step 1: clone every host-backed source while the host tree is visible. */
static int clone_sources(const struct plan *plan, const char **failed)
{
        int mask = -1; /* the first mask's tree, copied for the others */
        int upper = -1; /* sbx learn: the tmpfs under the overlays */
        for (size_t i = 0; i < plan->nmounts; i++) {
                const struct plan_mount *m = &plan->mounts[i];
                int t;
                if (m->kind == PM_BIND && m->overlay) {
                        if (upper < 0)
                                upper = new_fs("tmpfs", "mode=0755", MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV);
                        t = overlay_of(m, i, upper);
                        if (t < 0) {
                                if (errno == ENOENT)
                                        continue;
                                *failed = m->src;
                                return -errno;
                        }
                        plan->tree_fds[i] = t;
                        continue;
                }
                if (m->kind == PM_BIND) {
                        if (m->src_fd >= 0)
                                t = clone_opened(m);
                        else
                                t = sys_open_tree(AT_FDCWD, m->src,
                                                  OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE);
                        if (t < 0) {
                                int e = -errno;
                                if (m->optional && e == -ENOENT)
                                        continue;
                                *failed = m->src;
                                return e;
                        }
                } else if (m->kind == PM_MASK && !m->src_is_dir && mask >= 0) {
                        /* Every further mask is a copy of the first, which
                         * carries its attributes already. */
                        t = sys_open_tree(mask, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH);
                        if (t < 0) {
                                *failed = "/dev/null (copy)";
                                return -errno;
                        }
                        plan->tree_fds[i] = t;
                        continue;
                } else if (m->kind == PM_MASK && !m->src_is_dir) {
                        /* An unusable device node: nodev makes every open fail. */
                        t = sys_open_tree(AT_FDCWD, "/dev/null", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
                        if (t < 0) {
                                *failed = "/dev/null";
                                return -errno;
                        }
                } else
                        continue;
                struct mount_attr a = { .attr_set = attrs(m) | (m->kind == PM_MASK ? MOUNT_ATTR_NODEV : 0),
                                        .propagation = MS_PRIVATE };
                if (m->kind == PM_MASK)
                        a.attr_set |= MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOEXEC;
                if (sys_mount_setattr(t, "", AT_EMPTY_PATH | AT_RECURSIVE, &a) < 0) {
                        int e = -errno;
                        close(t);
                        *failed = m->src ? m->src : m->dst;
                        return e;
                }
                plan->tree_fds[i] = t;
                if (m->kind == PM_MASK)
                        mask = t;
        }
        return 0;
}

static int apply_one(const struct plan *plan, size_t i, struct view *v)
{
        const struct plan_mount *m = &plan->mounts[i];
        int r = 0, t, pfd;
        char name[256];

        switch (m->kind) {
        case PM_BIND:
                if (plan->tree_fds[i] < 0)
                        return 0; /* optional and absent */
                r = attach(plan->tree_fds[i], v, m->dst, m->src_is_dir);
                break;
        case PM_MASK: {
                /* Only hide what exists. */
                pfd = walk_parent(v, m->dst, false, name);
                if (pfd < 0)
                        return m->optional ? 0 : pfd;
                /* A file mask goes straight on: the attach itself says
                 * whether there is something to hide (ENOENT) and whether it
                 * is a file (a directory refuses a file mount, EINVAL), and
                 * only then is the name looked at. */
                if (!m->src_is_dir && plan->tree_fds[i] >= 0) {
                        if (sys_move_mount(plan->tree_fds[i], "", pfd, name, MOVE_MOUNT_F_EMPTY_PATH) == 0)
                                return 0;
                        if (errno == ENOENT)
                                return m->optional ? 0 : -ENOENT;
                        /* What this namespace's uid cannot reach (a root
                         * caller's 0700 home seen by uid 65534, sbx learn's
                         * masks of a host home), the program (the same uid,
                         * fewer capabilities) cannot either. */
                        if (errno == EACCES && m->optional)
                                return 0;
                        if (errno != EINVAL && errno != ENOTDIR && errno != EISDIR)
                                return -errno;
                }
                struct stat st;
                if (fstatat(pfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
                        r = m->optional ? 0 : -errno;
                } else if (m->src_is_dir || S_ISDIR(st.st_mode)) {
                        if (!S_ISDIR(st.st_mode))
                                r = m->optional ? 0 : -ENOTDIR;
                        else if ((t = new_fs("tmpfs", "mode=0000,size=4k",
                                             MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV |
                                                     MOUNT_ATTR_NOEXEC)) < 0)
                                r = t;
                        else if (sys_move_mount(t, "", pfd, name, MOVE_MOUNT_F_EMPTY_PATH) < 0)
                                r = errno == EACCES && m->optional ? 0 : -errno;
                } else if (plan->tree_fds[i] < 0) {
                        r = -EBADF;
                } else if (sys_move_mount(plan->tree_fds[i], "", pfd, name, MOVE_MOUNT_F_EMPTY_PATH) < 0) {
                        r = -errno;
                }
                break;
        }
        case PM_REBIND: {
                /* Nothing on the way is created or followed: the directories
                 * were checked in the parent, and a missing one now means
                 * the tree changed under us (fail). */
                pfd = walk_parent(v, m->dst, false, name);
                /* What this namespace's uid cannot reach, the program (the
                 * same uid, no capabilities) cannot reach either. */
                if (pfd == -EACCES || (m->optional && pfd == -ENOENT))
                        return 0;
                if (pfd < 0)
                        return pfd;
                struct mount_attr a = { .attr_set = attrs(m) };
                t = sys_open_tree(pfd, name,
                                  OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE | AT_SYMLINK_NOFOLLOW);
                if (t < 0) {
                        r = errno == EACCES || (m->optional && errno == ENOENT) ? 0 : -errno;
                } else if (sys_mount_setattr(t, "", AT_EMPTY_PATH | AT_RECURSIVE, &a) < 0 ||
                           sys_move_mount(t, "", pfd, name, MOVE_MOUNT_F_EMPTY_PATH) < 0) {
                        r = -errno;
                }
                break;
        }
        case PM_TMPFS:
        case PM_PROC:
        case PM_DEVPTS:
                if (m->kind == PM_TMPFS)
                        t = new_fs("tmpfs", m->data, attrs(m));
                else if (m->kind == PM_PROC)
                        /* read-only under wx: /proc/PID/mem (FOLL_FORCE) */
                        t = new_fs("proc", NULL, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC |
                                                         (m->readonly ? MOUNT_ATTR_RDONLY : 0));
                else
                        t = new_fs("devpts", "newinstance,ptmxmode=0666,mode=0620",
                                   MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC);
                if (t < 0)
                        return t;
                r = attach(t, v, m->dst, true);
                break;
        case PM_DIR:
        case PM_SYMLINK:
                pfd = walk_parent(v, m->dst, true, name);
                if (pfd < 0)
                        return pfd;
                if (m->kind == PM_DIR)
                        r = make_point(pfd, name, true);
                else if (symlinkat(m->src, pfd, name) < 0 && errno != EEXIST)
                        r = -errno;
                break;
        }
        return r;
}

int mount_build_view(const struct plan *plan, const char **failed)
{
        int r;
        *failed = NULL;

        /* Nothing we do may propagate back to the host. */
        if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) {
                *failed = "make / private";
                return -errno;
        }
        /* The parent's fds on the sources (src_fd) never reach this
         * process: they reach the host objects through the caller's
         * mounts, writable, with their parents a `..` away, and init
         * closed them first thing. */
        r = clone_sources(plan, failed);
        if (r < 0)
                return r;

        int root = new_fs("tmpfs", "mode=0755,size=1m", MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV);
        if (root < 0) {
                *failed = "new root tmpfs";
                return root;
        }
        /* Give the detached root a place in the tree so that the attaches
         * below land in this namespace and pivot_root can use it. */
        int staging = open("/tmp", O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (staging < 0) {
                close(root);
                *failed = "/tmp (staging)";
                return -errno;
        }
        r = sys_move_mount(root, "", staging, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH);
        int e = -errno;
        close(root);
        close(staging);
        if (r < 0) {
                *failed = "attach new root";
                return e;
        }
        int rootfd = open("/tmp", O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (rootfd < 0) {
                *failed = "open new root";
                return -errno;
        }

        struct view v = { .rootfd = rootfd, .fd = -1 };
        for (size_t i = 0; i < plan->nmounts; i++) {
                view_changed(&v, plan->mounts[i].dst);
                r = apply_one(plan, i, &v);
                if (r < 0) {
                        *failed = plan->mounts[i].dst;
                        view_forget(&v);
                        close(rootfd);
                        return r;
                }
        }
        view_forget(&v);

        /* The root itself holds only mount points and symlinks: read-only. */
        struct mount_attr ro = { .attr_set = MOUNT_ATTR_RDONLY };
        if (sys_mount_setattr(rootfd, "", AT_EMPTY_PATH, &ro) < 0) {
                *failed = "read-only root";
                close(rootfd);
                return -errno;
        }
        if (fchdir(rootfd) < 0) {
                *failed = "chdir new root";
                close(rootfd);
                return -errno;
        }
        close(rootfd);
        /* pivot_root(".", ".") stacks the old root on top of the new one;
         * detaching it leaves only the new root. */
        if (sys_pivot_root(".", ".") < 0) {
                *failed = "pivot_root";
                return -errno;
        }
        if (umount2(".", MNT_DETACH) < 0) {
                *failed = "detach old root";
                return -errno;
        }
        if (chdir("/") < 0) {
                *failed = "chdir /";
                return -errno;
        }
        return 0;
}
