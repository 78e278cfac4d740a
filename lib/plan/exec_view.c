/* exec_view.c — the sandbox's filesystem view as the program will see it,
 * computed in the parent from the plan: resolving inside paths (the plan's
 * symlinks, and host symlinks inside binds, whose absolute targets resolve
 * against the sandbox root), listing inside directories, and expanding the
 * [exec] globs.  Looks at the host only through exec_fs (lstat, readlink,
 * listings), so that a computation's lookups are memoised and, for the exec
 * cache, recorded.  Also the small string-list helpers the exec module
 * shares.  Parent side only. */
#include <fnmatch.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/path.h"
#include "plan/exec.h"
#include "plan/exec_fs.h"
#include "base/strbuf.h"
#include "base/util.h"

/* Symlinks followed while resolving one path, as the kernel's limit. */
#define MAX_LINKS 40
/* Matches of one glob; a pattern matching more is an error in the profile. */
#define MAX_MATCHES 8192

void exec_strv_done(struct exec_strv *s)
{
        for (size_t i = 0; i < s->n; i++)
                free(s->v[i]);
        free(s->v);
        memset(s, 0, sizeof(*s));
}

bool exec_strv_has(const struct exec_strv *s, const char *x)
{
        for (size_t i = 0; i < s->n; i++)
                if (strcmp(s->v[i], x) == 0)
                        return true;
        return false;
}

/* Takes ownership of x (freed on failure). */
int exec_strv_take(struct exec_strv *s, char *x)
{
        return strv_add(&s->v, &s->n, &s->cap, x);
}

int exec_strv_add(struct exec_strv *s, const char *x)
{
        return exec_strv_has(s, x) ? 0 : exec_strv_take(s, strdup(x));
}

bool exec_view_is_private(const struct plan *plan) { return plan->clone_flags & CLONE_NEWNS; }

/* ---- the view ---------------------------------------------------------- */

static const struct plan_mount *symlink_at(const struct plan *plan, const char *inside)
{
        for (size_t i = 0; i < plan->nmounts; i++)
                if (plan->mounts[i].kind == PM_SYMLINK && strcmp(plan->mounts[i].dst, inside) == 0)
                        return &plan->mounts[i];
        return NULL;
}

/* Is `dir` a directory the mount code creates on the way to some mount
 * point (so that it exists even in an otherwise empty tmpfs)? */
static bool on_mount_path(const struct plan *plan, const char *dir)
{
        for (size_t i = 0; i < plan->nmounts; i++) {
                const char *rest = path_under(plan->mounts[i].dst, dir);
                if (rest && *rest)
                        return true;
        }
        return false;
}

/* `base` + "/" + `rel` into out (base "" or "/" means the root). */
int exec_path_join(char *out, size_t n, const char *base, const char *rel)
{
        int k = snprintf(out, n, "%s/%s", strcmp(base, "/") == 0 ? "" : base, rel);
        return k < 0 || (size_t)k >= n ? -ENAMETOOLONG : 0;
}

static int resolve_host(const char *inside, bool follow, char **canon, char **host)
{
        char buf[PATH_MAX];
        if (follow) {
                if (!realpath(inside, buf))
                        return -errno;
        } else {
                /* The last component stays as it is; its directory resolves. */
                char dir[PATH_MAX];
                const char *slash = strrchr(inside, '/');
                if (!slash || (size_t)(slash - inside) >= sizeof(dir))
                        return -EINVAL;
                memcpy(dir, inside, (size_t)(slash - inside));
                dir[slash - inside] = 0;
                if (!realpath(*dir ? dir : "/", buf))
                        return -errno;
                char full[PATH_MAX];
                int r = exec_path_join(full, sizeof(full), buf, slash + 1);
                if (r < 0)
                        return r;
                struct stat st;
                if (lstat(full, &st) < 0)
                        return -errno;
                memcpy(buf, full, sizeof(buf));
        }
        *canon = strdup(buf);
        if (host)
                *host = strdup(buf);
        if (!*canon || (host && !*host)) {
                free(*canon);
                if (host)
                        free(*host);
                return -ENOMEM;
        }
        return 0;
}

struct exec_fs *exec_view_fs(const struct plan *plan, struct exec_fs **own)
{
        *own = NULL;
        if (plan->exec_fs)
                return plan->exec_fs;
        return exec_fs_new(own) < 0 ? NULL : *own;
}

int exec_view_resolve(const struct plan *plan, const char *inside, bool follow, char **canon,
                      char **host)
{
        _cleanup_(exec_fs_freep) struct exec_fs *own = NULL;
        struct exec_fs *fs = exec_view_fs(plan, &own);
        return fs ? exec_view_resolve_fs(plan, fs, inside, follow, canon, host) : -ENOMEM;
}

int exec_view_resolve_fs(const struct plan *plan, struct exec_fs *fs, const char *inside, bool follow,
                         char **canon, char **host)
{
        char done[PATH_MAX] = "/", todo[PATH_MAX], next[PATH_MAX], tmp[PATH_MAX];
        int links = 0, r;

        *canon = NULL;
        if (host)
                *host = NULL;
        if (inside[0] != '/')
                return -EINVAL;
        if (!exec_view_is_private(plan))
                return resolve_host(inside, follow, canon, host);
        if (strlen(inside) >= sizeof(todo))
                return -ENAMETOOLONG;
        strcpy(todo, inside);

        const char *s = todo;
        for (;;) {
                while (*s == '/')
                        s++;
                if (!*s)
                        break;
                size_t n = strcspn(s, "/");
                const char *rest = s + n;
                bool last = rest[strspn(rest, "/")] == 0;
                char comp[NAME_MAX + 1];
                if (n > NAME_MAX)
                        return -ENAMETOOLONG;
                memcpy(comp, s, n);
                comp[n] = 0;
                s = rest;
                if (strcmp(comp, ".") == 0)
                        continue;
                if (strcmp(comp, "..") == 0) {
                        char *slash = strrchr(done, '/');
                        if (slash && slash != done)
                                *slash = 0;
                        else
                                strcpy(done, "/");
                        continue;
                }
                if ((r = exec_path_join(next, sizeof(next), done, comp)) < 0)
                        return r;

                const char *target = NULL;
                char linkbuf[PATH_MAX];
                const struct plan_mount *sl = symlink_at(plan, next);
                const struct plan_mount *m = sl ? NULL : plan_mount_covering(plan, next);
                if (sl) {
                        target = sl->src;
                } else if (m && m->kind == PM_BIND && m->src) {
                        if (strcmp(next, m->dst) != 0) {
                                _cleanup_free_ char *h = NULL;
                                mode_t t;
                                if ((r = plan_host_path(plan, next, &h)) < 0 ||
                                    (r = exec_fs_lstat(fs, h, &t)) < 0)
                                        return r;
                                if (S_ISLNK(t)) {
                                        if ((r = exec_fs_readlink(fs, h, linkbuf, sizeof(linkbuf))) < 0)
                                                return r;
                                        target = linkbuf;
                                } else if (!S_ISDIR(t) && !last)
                                        return -ENOTDIR;
                        }
                } else if (m && m->kind == PM_MASK) {
                        if (strcmp(next, m->dst) != 0)
                                return -ENOENT; /* a masked directory is empty */
                } else if (m && (m->kind == PM_PROC || m->kind == PM_REBIND)) {
                        /* procfs: exists or not at run time; take it as given */
                } else if (!(m && strcmp(next, m->dst) == 0) && !on_mount_path(plan, next)) {
                        return -ENOENT;
                }

                if (target && (!last || follow)) {
                        if (++links > MAX_LINKS)
                                return -ELOOP;
                        int k = snprintf(tmp, sizeof(tmp), "%s/%s", target, s);
                        if (k < 0 || (size_t)k >= sizeof(tmp))
                                return -ENAMETOOLONG;
                        memcpy(todo, tmp, sizeof(todo));
                        s = todo;
                        if (target[0] == '/')
                                strcpy(done, "/");
                        continue;
                }
                memcpy(done, next, sizeof(done));
        }

        *canon = strdup(done);
        if (!*canon)
                return -ENOMEM;
        if (host) {
                const struct plan_mount *m = plan_mount_covering(plan, done);
                if (m && m->kind == PM_BIND && m->src && (r = plan_host_path(plan, done, host)) < 0) {
                        free(*canon);
                        *canon = NULL;
                        return r;
                }
        }
        return 0;
}

/* The names in the inside directory `dir` (canonical): the host directory's
 * entries when a bind backs it (held by fs), then the mount points the plan
 * creates there that are not among them (in extra). */
struct view_dir {
        const struct exec_fs_ent *ents;
        size_t nents;
        struct exec_strv extra;
};

static size_t view_dir_count(const struct view_dir *vd) { return vd->nents + vd->extra.n; }

static const char *view_dir_name(const struct view_dir *vd, size_t i)
{
        return i < vd->nents ? vd->ents[i].name : vd->extra.v[i - vd->nents];
}

static bool view_dir_has(const struct view_dir *vd, const char *name)
{
        for (size_t i = 0; i < view_dir_count(vd); i++)
                if (strcmp(view_dir_name(vd, i), name) == 0)
                        return true;
        return false;
}

static int view_dir_open(const struct plan *plan, struct exec_fs *fs, const char *dir,
                         struct view_dir *vd)
{
        _cleanup_free_ char *host = NULL;
        int r = 0;

        memset(vd, 0, sizeof(*vd));
        if (!exec_view_is_private(plan)) {
                host = strdup(dir);
                if (!host)
                        return -ENOMEM;
        } else {
                const struct plan_mount *m = plan_mount_covering(plan, dir);
                if (m && m->kind == PM_BIND && m->src && m->src_is_dir &&
                    (r = plan_host_path(plan, dir, &host)) < 0)
                        return r;
        }
        /* A host directory that cannot be read lists nothing (the sandbox
         * cannot read it either). */
        if (host && (r = exec_fs_list(fs, host, &vd->ents, &vd->nents)) < 0) {
                if (r == -ENOMEM)
                        return r;
                vd->ents = NULL;
                vd->nents = 0;
        }
        if (!exec_view_is_private(plan))
                return 0;
        for (size_t i = 0; i < plan->nmounts; i++) {
                const char *rest = path_under(plan->mounts[i].dst, dir);
                if (!rest || !*rest)
                        continue;
                rest++;
                char name[NAME_MAX + 1];
                size_t n = strcspn(rest, "/");
                if (n == 0 || n > NAME_MAX)
                        continue;
                memcpy(name, rest, n);
                name[n] = 0;
                if (!view_dir_has(vd, name) && (r = exec_strv_take(&vd->extra, strdup(name))) < 0) {
                        exec_strv_done(&vd->extra);
                        return r;
                }
        }
        return 0;
}

int exec_view_list(const struct plan *plan, const char *dir, char ***ret)
{
        _cleanup_(exec_fs_freep) struct exec_fs *own = NULL;
        struct exec_fs *fs = exec_view_fs(plan, &own);
        struct view_dir vd;
        struct exec_strv out = { 0 };
        int r;

        *ret = NULL;
        if (!fs)
                return -ENOMEM;
        if ((r = view_dir_open(plan, fs, dir, &vd)) < 0)
                return r;
        for (size_t i = 0; r >= 0 && i < view_dir_count(&vd); i++)
                r = exec_strv_take(&out, strdup(view_dir_name(&vd, i)));
        exec_strv_done(&vd.extra);
        if (r < 0) {
                exec_strv_done(&out);
                return r;
        }
        if (!out.v && !(out.v = calloc(1, sizeof(char *))))
                return -ENOMEM;
        *ret = out.v;
        return 0;
}

/* 1: the path exists in the view, 0: not, or -ENOMEM. */
static int exists_in_view(const struct plan *plan, struct exec_fs *fs, const char *inside)
{
        _cleanup_free_ char *c = NULL;
        int r = exec_view_resolve_fs(plan, fs, inside, false, &c, NULL);
        return r == -ENOMEM ? r : r >= 0;
}

/* Expand an inside glob (or plain path) into the inside paths, as written
 * (not canonicalised), that exist in the view. */
static int expand_rec(const struct plan *plan, struct exec_fs *fs, const char *prefix,
                      const char *rest, struct exec_strv *out)
{
        char next[PATH_MAX];
        int r;

        while (*rest == '/')
                rest++;
        if (!*rest) {
                const char *p = *prefix ? prefix : "/";
                r = exists_in_view(plan, fs, p);
                return r > 0 ? exec_strv_add(out, p) : r;
        }
        size_t n = strcspn(rest, "/");
        char comp[NAME_MAX + 1];
        if (n > NAME_MAX)
                return -ENAMETOOLONG;
        memcpy(comp, rest, n);
        comp[n] = 0;
        rest += n;
        if (!path_has_glob(comp)) {
                if ((r = exec_path_join(next, sizeof(next), *prefix ? prefix : "/", comp)) < 0)
                        return r;
                return expand_rec(plan, fs, next, rest, out);
        }

        _cleanup_free_ char *dir = NULL;
        struct view_dir vd;
        r = exec_view_resolve_fs(plan, fs, *prefix ? prefix : "/", true, &dir, NULL);
        if (r < 0)
                return r == -ENOMEM ? r : 0;
        if ((r = view_dir_open(plan, fs, dir, &vd)) < 0)
                return r;
        /* The literal head of the pattern rules out most names of a big
         * directory (/usr/bin) before fnmatch is asked. */
        size_t lit = strcspn(comp, "*?[\\");
        for (size_t i = 0; r >= 0 && i < view_dir_count(&vd); i++) {
                const char *name = view_dir_name(&vd, i);
                if (strncmp(name, comp, lit) != 0 || fnmatch(comp, name, FNM_PERIOD) != 0)
                        continue;
                if (out->n >= MAX_MATCHES) {
                        r = -E2BIG;
                        break;
                }
                if ((r = exec_path_join(next, sizeof(next), *prefix ? prefix : "/", name)) >= 0)
                        r = expand_rec(plan, fs, next, rest, out);
        }
        exec_strv_done(&vd.extra);
        return r;
}

int exec_view_expand(const struct plan *plan, struct exec_fs *fs, const char *pattern,
                     struct exec_strv *out)
{
        if (pattern[0] != '/')
                return -EINVAL;
        return expand_rec(plan, fs, "", pattern, out);
}
