/* refusal_files.c — refusals about files: writes, creations and removals
 * refused by a read-only mount, the persistence protection, [landlock]
 * read-only or the file's permissions (observed with --log-denials); paths
 * missing in the view (candidates for the parent to check on the host);
 * files the program left in the private home and /tmp, which end with the
 * sandbox.  Child side, in init: fixed buffers, no allocation (see
 * refusal.c). */
#include <dirent.h>
#include <stddef.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <unistd.h>

#include "base/path.h"
#include "plan/exec.h"
#include "plan/plan.h"
#include "launch/refusal.h"
#include "launch/refusal_files.h"
#include "base/util.h"

#ifndef ST_RDONLY
#define ST_RDONLY 1
#endif

/* ---- writes -------------------------------------------------------------- */

enum wop { W_NONE, W_WRITE, W_CREATE, W_REMOVE };

struct wcall {
        enum wop op;
        int dirfd;
        uint64_t path;
        bool follow; /* open follows a final symlink */
};

static struct wcall write_call(const struct seccomp_notif *n)
{
        const uint64_t *a = (const uint64_t *)n->data.args;
        struct wcall w = { W_NONE, AT_FDCWD, 0, false };
        uint64_t flags = 0;
        switch (n->data.nr) {
        case __NR_open:
                w.path = a[0];
                flags = (uint32_t)a[1];
                break;
        case __NR_openat:
                w = (struct wcall){ W_NONE, (int)a[0], a[1], false };
                flags = (uint32_t)a[2];
                break;
        case __NR_openat2: {
                struct open_how how;
                if (rf_read_mem((int)n->pid, a[2], &how, sizeof(how)) != (ssize_t)sizeof(how))
                        return w;
                w = (struct wcall){ W_NONE, (int)a[0], a[1], false };
                flags = how.flags;
                break;
        }
        case __NR_creat:
                w.path = a[0];
                flags = O_CREAT | O_WRONLY | O_TRUNC;
                break;
        case __NR_truncate:
                return (struct wcall){ W_WRITE, AT_FDCWD, a[0], true };
        case __NR_mkdir:
        case __NR_mknod:
                return (struct wcall){ W_CREATE, AT_FDCWD, a[0], false };
        case __NR_mkdirat:
        case __NR_mknodat:
                return (struct wcall){ W_CREATE, (int)a[0], a[1], false };
        case __NR_unlink:
        case __NR_rmdir:
                return (struct wcall){ W_REMOVE, AT_FDCWD, a[0], false };
        case __NR_unlinkat:
                return (struct wcall){ W_REMOVE, (int)a[0], a[1], false };
        case __NR_rename:
        case __NR_link:
        case __NR_symlink:
                return (struct wcall){ W_CREATE, AT_FDCWD, a[1], false };
        case __NR_renameat:
        case __NR_renameat2:
        case __NR_linkat:
                return (struct wcall){ W_CREATE, (int)a[2], a[3], false };
        case __NR_symlinkat:
                return (struct wcall){ W_CREATE, (int)a[1], a[2], false };
        default:
                return w;
        }
        if (!(flags & (O_WRONLY | O_RDWR | O_CREAT | O_TRUNC)))
                return w;
        w.op = (flags & O_CREAT) ? W_CREATE : W_WRITE;
        w.follow = !(flags & O_NOFOLLOW);
        return w;
}

/* Is `path` beneath (or equal to) `dir`? */
static bool under(const char *path, const char *dir)
{
        return path_under(path, dir) != NULL;
}

/* The host path behind an inside path, through the mount covering it. */
static bool host_of(const struct plan_mount *m, const char *canon, char *buf, size_t size)
{
        if (!m || m->kind != PM_BIND || !m->src)
                return false;
        const char *rest = path_under(canon, m->dst);
        if (!rest)
                return false;
        size_t at = rf_cat(buf, size, 0, strcmp(m->src, "/") == 0 && *rest ? "" : m->src);
        at = rf_cat(buf, size, at, rest);
        return at + 1 < size;
}

static bool access_ok(int pid, int dirfd, const char *path, bool follow)
{
        int base = AT_FDCWD;
        if (path[0] != '/' && (base = rf_start_dir(pid, dirfd, path)) < 0)
                return false;
        int r = (int)syscall(SYS_faccessat2, base, path, W_OK, AT_EACCESS | (follow ? 0 : AT_SYMLINK_NOFOLLOW));
        int e = errno;
        if (base >= 0)
                close(base);
        /* A missing file is not a refusal (ENOENT is the program's). */
        return r == 0 || e == ENOENT || e == ENOTDIR;
}

static bool allowed_fast(int pid, const struct wcall *w, const char *path, const char *dir)
{
        if (w->op == W_WRITE)
                return access_ok(pid, w->dirfd, path, w->follow);
        if (w->op == W_CREATE && w->follow) {
                /* open(O_CREAT) of a file that exists writes it. */
                int base = AT_FDCWD;
                if (path[0] != '/' && (base = rf_start_dir(pid, w->dirfd, path)) < 0)
                        return false;
                int r = (int)syscall(SYS_faccessat2, base, path, W_OK, AT_EACCESS);
                int e = errno;
                if (base >= 0)
                        close(base);
                if (r == 0)
                        return true;
                if (e != ENOENT)
                        return false;
        }
        return access_ok(pid, w->dirfd, dir, true);
}

static const char *op_word(enum wop op)
{
        return op == W_CREATE ? "create " : op == W_REMOVE ? "remove " : "write ";
}

int refusal_explain_write(const struct plan *plan, const struct seccomp_notif *n, struct refusal_event *ev,
                         const char *comm)
{
        struct wcall w = write_call(n);
        char path[4096], dir[4096], pcanon[4096], canon[4096], host[4096];
        const char *name;
        int pid = (int)n->pid;
        if (w.op == W_NONE || rf_read_path(pid, w.path, path, sizeof(path)) < 0 ||
            rf_split_path(path, dir, sizeof(dir), &name) < 0 || strcmp(name, "..") == 0 || strcmp(name, ".") == 0)
                return 0;
        /* Most writes are allowed: when only the mounts and the file
         * permissions can refuse (no Landlock-only write rule in the
         * plan), one faccessat2 from init — same uid, and it answers
         * EROFS for a read-only mount — clears them without resolving
         * anything. */
        if (plan->nprotect_ll == 0 && plan->policy->ll_readonly.n == 0 && allowed_fast(pid, &w, path, dir))
                return 0;
        char base_name[256];
        size_t nl = strcspn(name, "/");
        if (nl >= sizeof(base_name))
                return 0;
        memcpy(base_name, name, nl);
        base_name[nl] = '\0';

        int start = rf_start_dir(pid, w.dirfd, path);
        if (start < 0)
                return 0;
        int parent = openat(start, dir[0] == '/' ? (dir[1] ? dir + 1 : ".") : dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
        close(start);
        if (parent < 0)
                return 0;
        int target = openat(parent, base_name, O_PATH | O_CLOEXEC | (w.follow ? 0 : O_NOFOLLOW));
        int r = 0;
        if (rf_fd_canon(parent, pcanon, sizeof(pcanon)) < 0)
                goto out;
        if (w.op == W_CREATE && target >= 0) {
                /* Opening an existing file with O_CREAT writes it. */
                if (n->data.nr != __NR_open && n->data.nr != __NR_openat && n->data.nr != __NR_openat2 &&
                    n->data.nr != __NR_creat)
                        goto out; /* EEXIST, or a rename onto it: not explained */
                w.op = W_WRITE;
        }
        if (w.op != W_CREATE && target < 0)
                goto out; /* ENOENT */
        if (w.op == W_WRITE) {
                struct stat st;
                if (fstat(target, &st) < 0 || !S_ISREG(st.st_mode) || rf_fd_canon(target, canon, sizeof(canon)) < 0)
                        goto out;
        } else {
                size_t at = rf_cat(canon, sizeof(canon), 0, pcanon);
                if (strcmp(pcanon, "/") != 0)
                        at = rf_cat(canon, sizeof(canon), at, "/");
                if (rf_cat(canon, sizeof(canon), at, base_name) + 1 >= sizeof(canon))
                        goto out;
        }
        int checkfd = w.op == W_WRITE ? target : parent;
        size_t at;

        /* The persistence protection: an existing point is re-bound
         * read-only onto itself; a missing one may not be created, and its
         * directory gets no new entry at all (Landlock). */
        for (size_t i = 0; i < plan->nmounts; i++) {
                const struct plan_mount *m = &plan->mounts[i];
                if (m->kind == PM_REBIND && m->readonly && under(canon, m->dst) && w.op != W_CREATE) {
                        ev->kind = RF_PROTECT;
                        at = rf_cat(ev->rule, sizeof(ev->rule), 0, m->dst);
                        rf_cat(ev->rule, sizeof(ev->rule), at,
                               " is a protected persistence point, read-only in every sandbox ([filesystem] protect)");
                        if (host_of(plan_mount_covering(plan, m->dst), m->dst, host, sizeof(host))) {
                                at = rf_cat(ev->override, sizeof(ev->override), 0, "--set filesystem.protect=!");
                                rf_cat(ev->override, sizeof(ev->override), at, host);
                        }
                        goto found;
                }
        }
        for (size_t i = 0; i < plan->nprotect_ll && w.op == W_CREATE; i++) {
                const char *pt = plan->protect_ll[i];
                bool same = strcmp(pt, canon) == 0;
                const char *rest = path_under(pt, pcanon);
                bool child = rest && rest[0] == '/' && !strchr(rest + 1, '/');
                if (!same && !child)
                        continue;
                ev->kind = RF_PROTECT;
                if (same) {
                        at = rf_cat(ev->rule, sizeof(ev->rule), 0, pt);
                        rf_cat(ev->rule, sizeof(ev->rule), at,
                               " is a persistence point no sandbox may create ([filesystem] protect)");
                        if (host_of(plan_mount_covering(plan, pt), pt, host, sizeof(host))) {
                                at = rf_cat(ev->override, sizeof(ev->override), 0, "--set filesystem.protect=!");
                                rf_cat(ev->override, sizeof(ev->override), at, host);
                        }
                } else {
                        at = rf_cat(ev->rule, sizeof(ev->rule), 0, "no new entry in ");
                        at = rf_cat(ev->rule, sizeof(ev->rule), at, pcanon);
                        at = rf_cat(ev->rule, sizeof(ev->rule), at, ": persistence points there (");
                        at = rf_cat(ev->rule, sizeof(ev->rule), at, pt);
                        /* No single option lifts it; working in a directory
                         * that holds no persistence point does. */
                        rf_cat(ev->rule, sizeof(ev->rule), at,
                               ", ...) do not exist and must not be created ([filesystem] protect); "
                               "work in a subdirectory");
                }
                goto found;
        }

        struct statfs sf;
        if (fstatfs(checkfd, &sf) == 0 && (sf.f_flags & ST_RDONLY)) {
                const struct plan_mount *m = plan_mount_covering(plan, canon);
                ev->kind = RF_READONLY;
                const struct sbx_policy *p = plan->policy;
                if (m && m->kind == PM_BIND && m->src) {
                        at = rf_cat(ev->rule, sizeof(ev->rule), 0, m->dst);
                        at = rf_cat(ev->rule, sizeof(ev->rule), at, " is bound read-only (");
                        at = rf_cat_loc(ev->rule, sizeof(ev->rule), at, m->loc);
                        rf_cat(ev->rule, sizeof(ev->rule), at, ")");
                        if (plan->cwd && strcmp(m->dst, plan->cwd) == 0 && p->cwd_bind == CWD_RO) {
                                rf_cat(ev->override, sizeof(ev->override), 0, "--set filesystem.cwd-bind=rw");
                        } else {
                                at = rf_cat(ev->override, sizeof(ev->override), 0, "--bind ");
                                at = rf_cat(ev->override, sizeof(ev->override), at, m->src);
                                if (strcmp(m->src, m->dst) != 0) {
                                        at = rf_cat(ev->override, sizeof(ev->override), at, ":");
                                        rf_cat(ev->override, sizeof(ev->override), at, m->dst);
                                }
                        }
                } else {
                        at = rf_cat(ev->rule, sizeof(ev->rule), 0, pcanon);
                        rf_cat(ev->rule, sizeof(ev->rule), at,
                               " is in the view's read-only root (only binds and tmpfs mounts are writable)");
                        at = rf_cat(ev->override, sizeof(ev->override), 0, "--set filesystem.tmpfs=");
                        rf_cat(ev->override, sizeof(ev->override), at, pcanon);
                }
                goto found;
        }
        const struct strlist *ro = &plan->policy->ll_readonly;
        for (size_t i = 0; i < ro->n; i++) {
                if (!under(canon, ro->v[i]))
                        continue;
                ev->kind = RF_LL_READONLY;
                at = rf_cat(ev->rule, sizeof(ev->rule), 0, "[landlock] read-only = ");
                at = rf_cat(ev->rule, sizeof(ev->rule), at, ro->v[i]);
                at = rf_cat(ev->rule, sizeof(ev->rule), at, " (");
                at = rf_cat_loc(ev->rule, sizeof(ev->rule), at, &ro->loc[i]);
                rf_cat(ev->rule, sizeof(ev->rule), at, ")");
                at = rf_cat(ev->override, sizeof(ev->override), 0, "--set landlock.read-only=!");
                rf_cat(ev->override, sizeof(ev->override), at, ro->v[i]);
                goto found;
        }
        /* File permissions, with the program's own credentials (init has
         * the same uid and groups, and no capabilities). */
        if (syscall(SYS_faccessat2, checkfd, "", W_OK, AT_EMPTY_PATH | AT_EACCESS) < 0 && errno == EACCES) {
                struct stat st;
                ev->kind = RF_PERMISSION;
                at = rf_cat(ev->rule, sizeof(ev->rule), 0, "the sandbox runs as uid ");
                at = rf_cat_u(ev->rule, sizeof(ev->rule), at, plan->inside_uid);
                at = rf_cat(ev->rule, sizeof(ev->rule), at, ", which may not write ");
                at = rf_cat(ev->rule, sizeof(ev->rule), at, w.op == W_WRITE ? canon : pcanon);
                if (fstat(checkfd, &st) == 0) {
                        /* A host owner the sandbox does not map shows as
                         * the overflow uid: say it is someone else. */
                        bool own = st.st_uid == plan->inside_uid && !(st.st_mode & S_IWUSR);
                        at = rf_cat(ev->rule, sizeof(ev->rule), at, own ? " (its own, mode 0" : " (another user's, mode 0");
                        char mode[8] = { (char)('0' + ((st.st_mode >> 6) & 7)), (char)('0' + ((st.st_mode >> 3) & 7)),
                                         (char)('0' + (st.st_mode & 7)), ')', 0 };
                        rf_cat(ev->rule, sizeof(ev->rule), at, mode);
                }
                if (plan->caller_is_root && !plan->policy->keep_root && plan->inside_uid != 0)
                        rf_cat(ev->override, sizeof(ev->override), 0, "--set namespaces.keep-root=yes");
                goto found;
        }
        goto out;
found:
        at = rf_cat(ev->example, sizeof(ev->example), 0, op_word(w.op));
        rf_example_tail(ev, rf_cat_esc(ev->example, sizeof(ev->example), at, canon), comm, pid);
        r = 1;
out:
        if (target >= 0)
                close(target);
        close(parent);
        return r;
}

/* ---- paths outside the view (with --log-denials) ------------------------- */

/* Where a path-reading call names its path. */
static bool read_path_args(const struct seccomp_notif *n, int *dirfd, uint64_t *path)
{
        const uint64_t *a = (const uint64_t *)n->data.args;
        switch (n->data.nr) {
        case __NR_open:
        case __NR_stat:
        case __NR_lstat:
        case __NR_access:
        case __NR_creat:
        case __NR_mkdir:
                *dirfd = AT_FDCWD, *path = a[0];
                return true;
        case __NR_openat:
        case __NR_openat2:
        case __NR_newfstatat:
        case __NR_statx:
        case __NR_faccessat:
        case __NR_faccessat2:
        case __NR_mkdirat:
                *dirfd = (int)a[0], *path = a[1];
                return true;
        default:
                return false;
        }
}

/* Collapse "//", "." and ".." of an absolute path in place. */
static void normalise(char *p)
{
        char *out = p;
        const char *s = p;
        while (*s) {
                while (*s == '/')
                        s++;
                const char *e = s;
                while (*e && *e != '/')
                        e++;
                size_t len = (size_t)(e - s);
                if (len == 0)
                        break;
                if (len == 1 && s[0] == '.') {
                } else if (len == 2 && s[0] == '.' && s[1] == '.') {
                        while (out > p && *--out != '/')
                                ;
                } else {
                        *out++ = '/';
                        memmove(out, s, len);
                        out += len;
                }
                s = e;
        }
        if (out == p)
                *out++ = '/';
        *out = '\0';
}

/* A path missing in the sandbox, outside every bind (where the view is
 * sbx's own skeleton): a candidate for "exists on the host", which only
 * the parent can check.  The first missing component is what to bind. */
int refusal_explain_hidden(const struct plan *plan, const struct seccomp_notif *n, struct refusal_event *ev)
{
        char path[4096], abs[4096];
        int dirfd, pid = (int)n->pid;
        uint64_t addr;
        if (!read_path_args(n, &dirfd, &addr) || rf_read_path(pid, addr, path, sizeof(path)) < 0)
                return 0;
        int start = rf_start_dir(pid, dirfd, path);
        if (start < 0)
                return 0;
        struct stat st;
        int r = fstatat(start, path[0] == '/' ? (path[1] ? path + 1 : ".") : path, &st, 0);
        int e = errno;
        if (r == 0 || e != ENOENT || (path[0] != '/' && rf_fd_canon(start, abs, sizeof(abs)) < 0)) {
                close(start);
                return 0;
        }
        close(start);
        size_t at = path[0] == '/' ? 0 : strlen(abs);
        if (path[0] != '/')
                at = rf_cat(abs, sizeof(abs), at, "/");
        if (rf_cat(abs, sizeof(abs), at, path) + 1 >= sizeof(abs))
                return 0;
        normalise(abs);
        /* The record to the parent is tab- and line-separated. */
        if (strpbrk(abs, "\t\n\x1e"))
                return 0;
        const struct plan_mount *m = plan_mount_covering(plan, abs);
        if (m)
                return 0; /* within a bind or a private tmpfs: missing there is missing */
        for (size_t i = 0; i < plan->nmounts; i++)
                if (plan->mounts[i].kind == PM_MASK && under(abs, plan->mounts[i].dst))
                        return 0;
        /* The first component missing in the view. */
        char top[4096];
        size_t k = 0;
        rf_cat(top, sizeof(top), 0, abs);
        for (;;) {
                char *slash = strchr(top + k + 1, '/');
                if (slash)
                        *slash = '\0';
                if (fstatat(AT_FDCWD, top, &st, AT_SYMLINK_NOFOLLOW) < 0)
                        break;
                if (!slash)
                        return 0;
                *slash = '/';
                k = (size_t)(slash - top);
        }
        /* A whole top-level directory (/var, /srv) is more than the
         * program asked for: then the directory holding the path. */
        if (!strchr(top + 1, '/') && strcmp(top, abs) != 0) {
                rf_cat(top, sizeof(top), 0, abs);
                *strrchr(top, '/') = '\0';
        }
        ev->kind = RF_HIDDEN;
        rf_cat(ev->rule, sizeof(ev->rule), 0, abs);
        rf_cat(ev->override, sizeof(ev->override), 0, top);
        rf_example_tail(ev, rf_cat_esc(ev->example, sizeof(ev->example), 0, abs), NULL, pid);
        return 1;
}

/* ---- files left behind -------------------------------------------------- */

struct scan {
        dev_t dev;      /* the tmpfs's: bind mounts inside it are not its files */
        unsigned files;
        unsigned budget; /* entries looked at, at most */
        char first[RF_TEXT];
        bool first_visible; /* not under a dot directory */
};

static void scan_dir(int dfd, char *path, size_t len, size_t cap, int depth, bool hidden, struct scan *s)
{
        char buf[4096];
        for (;;) {
                long n = syscall(SYS_getdents64, dfd, buf, sizeof(buf));
                if (n <= 0)
                        return;
                for (long off = 0; off < n;) {
                        struct dirent64 *d = (struct dirent64 *)(buf + off);
                        off += d->d_reclen;
                        if (!strcmp(d->d_name, ".") || !strcmp(d->d_name, ".."))
                                continue;
                        if (s->budget == 0)
                                return;
                        s->budget--;
                        struct stat st;
                        if (fstatat(dfd, d->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 || st.st_dev != s->dev)
                                continue;
                        size_t k = rf_cat(path, cap, len, "/");
                        k = rf_cat(path, cap, k, d->d_name);
                        bool dot = hidden || d->d_name[0] == '.';
                        if (S_ISREG(st.st_mode)) {
                                s->files++;
                                if (!s->first[0] || (!dot && !s->first_visible)) {
                                        rf_cat(s->first, sizeof(s->first), 0, path);
                                        s->first_visible = !dot;
                                }
                        } else if (S_ISDIR(st.st_mode) && depth < 6) {
                                int c = openat(dfd, d->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                                if (c >= 0) {
                                        scan_dir(c, path, k, cap, depth + 1, dot, s);
                                        close(c);
                                }
                        }
                        path[len] = '\0';
                }
        }
}

void refusal_scan_discarded(const struct plan *plan, struct refusal_tally *t)
{
        struct scan s = { .budget = 4096 };
        char path[1024];
        const char *where[2] = { NULL, NULL };
        for (size_t i = 0; i < plan->nmounts; i++) {
                const struct plan_mount *m = &plan->mounts[i];
                /* Only a tmpfs that is what the program sees there (a bind
                 * of the caller's directory may cover it). */
                if (m->kind != PM_TMPFS || plan_mount_covering(plan, m->dst) != m)
                        continue;
                if (plan->home && strcmp(m->dst, plan->home) == 0)
                        where[0] = m->dst;
                else if (strcmp(m->dst, "/tmp") == 0)
                        where[1] = m->dst;
        }
        for (int i = 0; i < 2; i++) {
                if (!where[i])
                        continue;
                int fd = open(where[i], O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                struct stat st;
                if (fd < 0)
                        continue;
                if (fstat(fd, &st) == 0) {
                        s.dev = st.st_dev;
                        rf_cat(path, sizeof(path), 0, strcmp(where[i], "/") ? where[i] : "");
                        scan_dir(fd, path, strlen(path), sizeof(path), 0, false, &s);
                }
                close(fd);
        }
        /* Only dot-files and files under dot-directories (caches,
         * settings a program keeps for itself): not worth a line on every
         * run of, say, a browser. */
        if (!s.files || !s.first_visible)
                return;
        struct refusal_event ev = { .kind = RF_DISCARDED };
        size_t at = rf_cat_esc(ev.example, sizeof(ev.example), 0, s.first);
        if (s.files > 1) {
                at = rf_cat(ev.example, sizeof(ev.example), at, " and ");
                at = rf_cat_u(ev.example, sizeof(ev.example), at, s.files - 1);
                rf_cat(ev.example, sizeof(ev.example), at, " more");
        }
        rf_cat(ev.rule, sizeof(ev.rule), 0,
               "the private home ([filesystem] home = tmpfs) and /tmp are discarded when the sandbox ends");
        /* Keeping them means binding a host directory where they were
         * written (DIR is the user's choice). */
        char dir[RF_TEXT];
        rf_cat(dir, sizeof(dir), 0, s.first);
        char *slash = strrchr(dir, '/');
        if (slash && slash != dir)
                *slash = '\0';
        at = rf_cat(ev.override, sizeof(ev.override), 0, "--bind DIR:");
        rf_cat(ev.override, sizeof(ev.override), at, dir);
        refusal_tally_add(t, &ev);
        t->e[RF_DISCARDED].count = s.files;
}
