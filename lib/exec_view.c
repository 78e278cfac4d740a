/* exec_view.c — the sandbox's filesystem view as the program will see it,
 * computed in the parent from the plan: resolving inside paths (the plan's
 * symlinks, and host symlinks inside binds, whose absolute targets resolve
 * against the sandbox root), listing inside directories, and expanding the
 * [exec] globs.  Looks at the host only through stat/readlink/readdir.  Also
 * the small string-list helpers the exec module shares.  Parent side only. */
#include <dirent.h>
#include <fnmatch.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "exec.h"
#include "util.h"

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
        if (!x)
                return -ENOMEM;
        if (s->n + 2 > s->cap) {
                size_t nc = s->cap ? s->cap * 2 : 16;
                char **nv = realloc(s->v, nc * sizeof(char *));
                if (!nv) {
                        free(x);
                        return -ENOMEM;
                }
                s->v = nv;
                s->cap = nc;
        }
        s->v[s->n++] = x;
        s->v[s->n] = NULL;
        return 0;
}

int exec_strv_add(struct exec_strv *s, const char *x)
{
        return exec_strv_has(s, x) ? 0 : exec_strv_take(s, strdup(x));
}

/* The rest of `path` below `dir` ("" or "/…"), or NULL when not beneath. */
const char *exec_path_under(const char *path, const char *dir)
{
        size_t n = strlen(dir);
        if (n == 1 && dir[0] == '/')
                return path;
        if (strncmp(path, dir, n) != 0)
                return NULL;
        if (path[n] == 0 || path[n] == '/')
                return path + n;
        return NULL;
}

bool exec_has_glob(const char *s) { return strpbrk(s, "*?[") != NULL; }

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
                const char *rest = exec_path_under(plan->mounts[i].dst, dir);
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

/* Canonical inside directories already seen to be directories (not
 * symlinks) in host-backed mounts: resolving the ~500 links of /usr/bin
 * otherwise lstat()s the same prefixes thousands of times. */
struct dir_cache {
        char dir[8][PATH_MAX];
        unsigned next;
};

static bool cache_has(const struct dir_cache *c, const char *dir)
{
        for (size_t i = 0; c && i < ARRAY_SIZE(c->dir); i++)
                if (c->dir[i][0] && strcmp(c->dir[i], dir) == 0)
                        return true;
        return false;
}

static void cache_add(struct dir_cache *c, const char *dir)
{
        if (!c || cache_has(c, dir) || strlen(dir) >= PATH_MAX)
                return;
        strcpy(c->dir[c->next], dir);
        c->next = (c->next + 1) % ARRAY_SIZE(c->dir);
}

static int resolve(const struct plan *plan, const char *inside, bool follow, char **canon,
                   char **host, struct dir_cache *cache);

int exec_view_resolve(const struct plan *plan, const char *inside, bool follow, char **canon,
                      char **host)
{
        return resolve(plan, inside, follow, canon, host, NULL);
}

static int resolve(const struct plan *plan, const char *inside, bool follow, char **canon,
                   char **host, struct dir_cache *cache)
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
                        if (strcmp(next, m->dst) != 0 && !cache_has(cache, next)) {
                                _cleanup_free_ char *h = NULL;
                                if ((r = plan_host_path(plan, next, &h)) < 0)
                                        return r;
                                struct stat st;
                                if (lstat(h, &st) < 0)
                                        return -errno;
                                if (S_ISLNK(st.st_mode)) {
                                        ssize_t k = readlink(h, linkbuf, sizeof(linkbuf) - 1);
                                        if (k < 0)
                                                return -errno;
                                        linkbuf[k] = 0;
                                        target = linkbuf;
                                } else if (S_ISDIR(st.st_mode))
                                        cache_add(cache, next);
                                else if (!last)
                                        return -ENOTDIR;
                        }
                } else if (m && m->kind == PM_MASK) {
                        if (strcmp(next, m->dst) != 0)
                                return -ENOENT; /* a masked directory is empty */
                } else if (m && (m->kind == PM_PROC || m->kind == PM_READONLY)) {
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

int exec_view_list(const struct plan *plan, const char *dir, char ***ret)
{
        struct exec_strv out = { 0 };
        _cleanup_free_ char *host = NULL;
        int r = 0;

        *ret = NULL;
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
        if (host) {
                DIR *d = opendir(host);
                if (d) {
                        struct dirent *de;
                        while (r >= 0 && (de = readdir(d)))
                                if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
                                        r = exec_strv_take(&out, strdup(de->d_name));
                        closedir(d);
                }
        }
        if (exec_view_is_private(plan))
                for (size_t i = 0; r >= 0 && i < plan->nmounts; i++) {
                        const char *rest = exec_path_under(plan->mounts[i].dst, dir);
                        if (!rest || !*rest)
                                continue;
                        rest++;
                        char name[NAME_MAX + 1];
                        size_t n = strcspn(rest, "/");
                        if (n == 0 || n > NAME_MAX)
                                continue;
                        memcpy(name, rest, n);
                        name[n] = 0;
                        r = exec_strv_add(&out, name);
                }
        if (r < 0) {
                exec_strv_done(&out);
                return r;
        }
        if (!out.v && !(out.v = calloc(1, sizeof(char *))))
                return -ENOMEM;
        *ret = out.v;
        return 0;
}

static bool exists_in_view(const struct plan *plan, const char *inside)
{
        _cleanup_free_ char *c = NULL;
        return exec_view_resolve(plan, inside, false, &c, NULL) >= 0;
}

/* The last directory listed: the deny-list usually holds several globs
 * over /usr/bin, and reading a directory of ~1500 entries costs more than
 * everything else here. */
struct list_cache {
        char *dir;
        char **names;
};

static void list_cache_done(struct list_cache *lc)
{
        free(lc->dir);
        sbx_strv_free(lc->names);
        memset(lc, 0, sizeof(*lc));
}

static int list_cached(const struct plan *plan, const char *dir, struct list_cache *lc, char ***ret)
{
        if (!lc->dir || strcmp(lc->dir, dir) != 0) {
                char **names = NULL;
                int r = exec_view_list(plan, dir, &names);
                if (r < 0)
                        return r;
                char *d = strdup(dir);
                if (!d) {
                        sbx_strv_free(names);
                        return -ENOMEM;
                }
                list_cache_done(lc);
                lc->dir = d;
                lc->names = names;
        }
        *ret = lc->names;
        return 0;
}

struct exec_view_cache {
        struct dir_cache dirs;
        struct list_cache list;
};

/* Expand an inside glob (or plain path) into the inside paths, as written
 * (not canonicalised), that exist in the view. */
static int expand_rec(const struct plan *plan, const char *prefix, const char *rest, struct exec_strv *out,
                      struct list_cache *lc)
{
        char next[PATH_MAX];
        int r;

        while (*rest == '/')
                rest++;
        if (!*rest) {
                const char *p = *prefix ? prefix : "/";
                return exists_in_view(plan, p) ? exec_strv_add(out, p) : 0;
        }
        size_t n = strcspn(rest, "/");
        char comp[NAME_MAX + 1];
        if (n > NAME_MAX)
                return -ENAMETOOLONG;
        memcpy(comp, rest, n);
        comp[n] = 0;
        rest += n;
        if (!exec_has_glob(comp)) {
                if ((r = exec_path_join(next, sizeof(next), *prefix ? prefix : "/", comp)) < 0)
                        return r;
                return expand_rec(plan, next, rest, out, lc);
        }

        _cleanup_free_ char *dir = NULL;
        char **names = NULL;
        if (exec_view_resolve(plan, *prefix ? prefix : "/", true, &dir, NULL) < 0)
                return 0;
        if ((r = list_cached(plan, dir, lc, &names)) < 0)
                return r;
        /* Recursion below may list other directories and replace the cache
         * entry; keep this listing alive until the loop ends. */
        char **own = NULL;
        if (exec_has_glob(rest)) {
                own = TAKE_PTR(lc->names);
                list_cache_done(lc);
        }
        for (size_t i = 0; r >= 0 && names[i]; i++) {
                if (fnmatch(comp, names[i], FNM_PERIOD) != 0)
                        continue;
                if (out->n >= MAX_MATCHES) {
                        r = -E2BIG;
                        break;
                }
                if ((r = exec_path_join(next, sizeof(next), *prefix ? prefix : "/", names[i])) >= 0)
                        r = expand_rec(plan, next, rest, out, lc);
        }
        sbx_strv_free(own);
        return r;
}

int exec_view_expand(const struct plan *plan, const char *pattern, struct exec_view_cache *c,
                     struct exec_strv *out)
{
        if (pattern[0] != '/')
                return -EINVAL;
        return expand_rec(plan, "", pattern, out, &c->list);
}

int exec_view_cache_new(struct exec_view_cache **ret)
{
        *ret = calloc(1, sizeof(**ret));
        return *ret ? 0 : -ENOMEM;
}

void exec_view_cache_free(struct exec_view_cache *c)
{
        if (!c)
                return;
        list_cache_done(&c->list);
        free(c);
}

int exec_view_resolve_cached(const struct plan *plan, const char *inside, bool follow, char **canon,
                             char **host, struct exec_view_cache *c)
{
        return resolve(plan, inside, follow, canon, host, c ? &c->dirs : NULL);
}
