/* protect.c — what no sandbox may change, whatever a profile binds: sbx's
 * own state (every directory of the profile search path, its config and
 * cache directories, the registry of running sandboxes, its binary and
 * library) and the user's persistence
 * points ([filesystem] protect: shell rc files, autostart, ssh keys…).
 *
 * For each writable bind of the plan, every protected host path it shows is
 *   - re-bound read-only onto itself when it exists (a mount point: it can
 *     be neither written, renamed, unlinked nor replaced);
 *   - carved out of Landlock's write rights when it is missing or is a
 *     symlink, so that it cannot be created or replaced: its parent
 *     directory keeps its existing entries writable but gets no new entry;
 * and every directory between the bind and the protected path is re-bound
 * onto itself (writable, as it was) so that renaming a parent cannot carry
 * the protection away (`mv ~/.config ~/.c2 && mkdir -p ~/.config/autostart`
 * gets EBUSY).  A bind whose source lies inside sbx's state is refused; one
 * inside a persistence point is made read-only.  Without Landlock, a
 * missing protected path under a writable bind cannot be guarded and the
 * launch is refused (fail closed).
 *
 * Parent side: looks at the host (lstat, realpath), adds to the plan. */
#include <dlfcn.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/path.h"
#include "plan/exec.h"
#include "plan/exec_fs.h"
#include "profile/profile.h"
#include "config.h"
#include "plan/project.h"
#include "plan/protect.h"
#include "plan/secrets.h"
#include "base/util.h"

struct target {
        char *path;               /* host path, parent canonical, last component literal */
        const struct sbx_loc *loc; /* NULL: sbx's own state */
        const char *why;          /* for messages */
        bool dir;                 /* made (empty, 0700) when missing */
};

struct targets {
        struct target *v;
        size_t n, cap;
        struct exec_fs *fs; /* host lookups, memoised for the plan build */
        bool adding_dirs;   /* protect-dir entries */
        const struct sbx_policy *policy;
};

static void targets_done(struct targets *t)
{
        for (size_t i = 0; i < t->n; i++)
                free(t->v[i].path);
        free(t->v);
}

/* `path` with its parent directory made canonical (the longest existing
 * ancestor through realpath, the rest literal) and the last component
 * kept as it is, so that a symlink there is protected as a link. */
static char *canonical_parent(struct exec_fs *fs, const char *path)
{
        char buf[PATH_MAX], real[PATH_MAX];
        if (strlen(path) >= sizeof(buf) || path[0] != '/')
                return NULL;
        strcpy(buf, path);
        size_t len = strlen(buf);
        while (len > 1 && buf[len - 1] == '/')
                buf[--len] = 0;
        char *slash = strrchr(buf, '/');
        if (!slash || slash == buf)
                return strdup(buf);
        /* Find the longest existing ancestor. */
        char *cut = slash;
        for (;;) {
                *cut = 0;
                if (exec_fs_realpath(fs, buf[0] ? buf : "/", 0, real) >= 0)
                        break;
                char *prev = strrchr(buf, '/');
                *cut = '/';
                if (!prev || prev == buf) {
                        strcpy(real, "/");
                        cut = prev ? prev : buf;
                        break;
                }
                cut = prev;
        }
        *cut = '/';
        char *out = NULL;
        if (asprintf(&out, "%s%s", strcmp(real, "/") == 0 ? "" : real, cut) < 0)
                return NULL;
        return out;
}

static int add_target_dir(struct targets *t, const char *path, const struct sbx_loc *loc,
                          const char *why, bool dir);
static int add_target(struct targets *t, const char *path, const struct sbx_loc *loc,
                      const char *why)
{
        return add_target_dir(t, path, loc, why, false);
}

static int add_target_dir(struct targets *t, const char *path, const struct sbx_loc *loc,
                          const char *why, bool dir)
{
        if (!path || path[0] != '/')
                return 0;
        char *c = canonical_parent(t->fs, path);
        if (!c)
                return -ENOMEM;
        for (size_t i = 0; i < t->n; i++)
                if (strcmp(t->v[i].path, c) == 0) {
                        free(c);
                        return 0;
                }
        if (t->n + 1 > t->cap) {
                size_t nc = t->cap ? t->cap * 2 : 32;
                struct target *nv = realloc(t->v, nc * sizeof(*nv));
                if (!nv) {
                        free(c);
                        return -ENOMEM;
                }
                t->v = nv;
                t->cap = nc;
        }
        t->v[t->n++] = (struct target){ .path = c, .loc = loc, .why = why, .dir = dir };
        return 0;
}

/* A protected path reached through symlinks is protected at every link on
 * the way too (replacing ~/.config, a link into a dotfiles repository,
 * redirects whatever is read through it) and at the link's target. */
static int add_with_links(struct targets *t, const char *path, const struct sbx_loc *loc,
                          const char *why, unsigned depth)
{
        int r = add_target_dir(t, path, loc, why, t->adding_dirs && depth == 0);
        if (r < 0 || depth > 8)
                return r;
        char buf[PATH_MAX], real[PATH_MAX];
        if (strlen(path) >= sizeof(buf))
                return 0;
        strcpy(buf, path);
        for (char *s = buf + 1;; s++) {
                bool end = *s == 0;
                if (*s != '/' && !end)
                        continue;
                char saved = *s;
                *s = 0;
                mode_t type;
                if (exec_fs_lstat(t->fs, buf, &type) == 0 && S_ISLNK(type)) {
                        if ((r = add_target(t, buf, loc, why)) < 0)
                                return r;
                        if (exec_fs_realpath(t->fs, buf, 0, real) >= 0 &&
                            (r = add_with_links(t, real, loc, why, depth + 1)) < 0)
                                return r;
                }
                *s = saved;
                if (end)
                        break;
        }
        return 0;
}

/* mkdir -p, each missing component 0700 and owned by the caller. */
static void make_dirs(const char *path)
{
        char buf[PATH_MAX];
        if (strlen(path) >= sizeof(buf))
                return;
        strcpy(buf, path);
        for (char *s = buf + 1;; s++) {
                if (*s != '/' && *s)
                        continue;
                char c = *s;
                *s = 0;
                (void)mkdir(buf, 0700);
                *s = c;
                if (!c)
                        break;
        }
}

/* A protected path and, when an XDG variable moves its directory, the
 * same point there. */
static int add_point(struct targets *t, const char *path, const struct sbx_loc *loc, const char *why)
{
        int r = add_with_links(t, path, loc, why, 0);
        for (size_t i = 0; r >= 0 && i < SECRETS_XDG_DIRS; i++) {
                _cleanup_free_ char *v = NULL;
                if ((r = secrets_xdg_variant(path, i, &v)) >= 0 && v)
                        r = add_with_links(t, v, loc, why, 0);
        }
        return r;
}

static int state_targets(struct targets *t)
{
        const char *xc = getenv("XDG_CONFIG_HOME"), *xk = getenv("XDG_CACHE_HOME");
        const char *home = getenv("HOME");
        char conf[PATH_MAX], cache[PATH_MAX];
        int nc = -1, nk = -1;
        if (xc && xc[0] == '/')
                nc = snprintf(conf, sizeof(conf), "%s/sbx", xc);
        else if (home && home[0] == '/')
                nc = snprintf(conf, sizeof(conf), "%s/.config/sbx", home);
        if (xk && xk[0] == '/')
                nk = snprintf(cache, sizeof(cache), "%s/sbx", xk);
        else if (home && home[0] == '/')
                nk = snprintf(cache, sizeof(cache), "%s/.cache/sbx", home);
        bool have_conf = nc > 0 && (size_t)nc < sizeof(conf) - 16;
        /* sbx's own profile directory is made before a writable bind can
         * show its place: an existing directory is protected by a read-only
         * mount, a missing one only by taking the right to create entries
         * in its parent away from the sandbox. */
        if (have_conf) {
                char prof[PATH_MAX + 16];
                snprintf(prof, sizeof(prof), "%s/profiles", conf);
                make_dirs(prof);
        }

        char **dirs = NULL;
        int r = profile_search_dirs(&dirs);
        for (size_t i = 0; r >= 0 && dirs && dirs[i]; i++)
                r = add_with_links(t, dirs[i], NULL, "a profile directory", 0);
        sbx_strv_free(dirs);
        if (r >= 0 && have_conf)
                r = add_with_links(t, conf, NULL, "sbx's configuration", 0);
        /* The other of ~/.config/sbx and $XDG_CONFIG_HOME/sbx too: a later
         * login without (or with) the variable reads that one. */
        char other[PATH_MAX];
        if (r >= 0 && xc && xc[0] == '/' && home && home[0] == '/' &&
            snprintf(other, sizeof(other), "%s/.config/sbx", home) < (int)sizeof(other))
                r = add_with_links(t, other, NULL, "sbx's configuration", 0);
        /* The registry's place when there is no runtime directory, as
         * long as it exists (the sbx command makes it before a launch; one
         * a sandbox made is only ever trusted entry by entry, each checked
         * against the live processes). */
        if (r >= 0 && have_conf) {
                char run[PATH_MAX + 16];
                struct stat rst;
                snprintf(run, sizeof(run), "%s/running", conf);
                if (lstat(run, &rst) == 0)
                        r = add_with_links(t, run, NULL, "sbx's registry of running sandboxes", 0);
        }
        /* No cache is written any more; one an older sbx left is protected
         * as long as it exists, at either place. */
        struct stat st;
        if (r >= 0 && nk > 0 && (size_t)nk < sizeof(cache) && lstat(cache, &st) == 0)
                r = add_with_links(t, cache, NULL, "sbx's cache", 0);
        if (r >= 0 && xk && xk[0] == '/' && home && home[0] == '/' &&
            snprintf(other, sizeof(other), "%s/.cache/sbx", home) < (int)sizeof(other) && lstat(other, &st) == 0)
                r = add_with_links(t, other, NULL, "sbx's cache", 0);
        /* Root's directory listings (dir_index.c) decide what later
         * sandboxes mask: no sandbox may write them.  A root caller makes
         * the directory first, so that it is protected by a read-only
         * mount; where it is still missing (/var/cache absent), it is a
         * missing point like any other, so that a sandbox whose root is the
         * host's (keep-root) cannot create it with entries of its own. */
        if (geteuid() == 0)
                (void)mkdir(SBX_INDEX_DIR, 0755);
        if (r >= 0)
                r = add_with_links(t, SBX_INDEX_DIR, NULL, "sbx's directory index", 0);
        /* The registry of running sandboxes (sbx ps, stop, enter): its
         * entries say which process `sbx stop` signals and whose door `sbx
         * enter` uses.  Both places the sbx command may keep it are
         * protected whichever it chose; its last fallback lies inside sbx's
         * configuration, protected above. */
        const char *xr = getenv("XDG_RUNTIME_DIR");
        char reg[PATH_MAX];
        if (r >= 0 && xr && xr[0] == '/' && (size_t)snprintf(reg, sizeof(reg), "%s/sbx", xr) < sizeof(reg))
                r = add_with_links(t, reg, NULL, "sbx's registry of running sandboxes", 0);
        snprintf(reg, sizeof(reg), "/run/user/%u/sbx", (unsigned)geteuid());
        if (r >= 0)
                r = add_with_links(t, reg, NULL, "sbx's registry of running sandboxes", 0);
        char exe[PATH_MAX];
        if (r >= 0 && realpath("/proc/self/exe", exe))
                r = add_target(t, exe, NULL, "the running program");
        Dl_info info;
        if (r >= 0 && dladdr((void *)protect_plan, &info) && info.dli_fname &&
            realpath(info.dli_fname, exe))
                r = add_target(t, exe, NULL, "libsbx");
        return r;
}

/* A point of a writable directory (project.c), protected like the home's
 * points under the profile line that names its kind. */
static int add_project_point(void *ctx, const char *path, bool dir, const char *name)
{
        struct targets *t = ctx;
        const struct sbx_policy *p = t->policy;
        const struct sbx_loc *loc = NULL;
        for (size_t i = 0; i < p->protect_project.n && !loc; i++)
                if (strcmp(p->protect_project.v[i], name) == 0)
                        loc = &p->protect_project.loc[i];
        bool was = t->adding_dirs;
        t->adding_dirs = dir;
        int r = add_with_links(t, path, loc, name, 0);
        t->adding_dirs = was;
        return r;
}

static bool has_mount_at(const struct plan *plan, const char *dst)
{
        for (size_t i = 0; i < plan->nmounts; i++)
                if (strcmp(plan->mounts[i].dst, dst) == 0)
                        return true;
        return false;
}

static int add_rebind(struct plan *plan, const char *inside, bool dir, bool ro, bool noexec)
{
        /* A re-bind made earlier on the way to a protected child (writable
         * then) becomes read-only when the path itself is protected: the
         * order of the protected list must not decide. */
        for (size_t i = 0; i < plan->nmounts; i++)
                if (plan->mounts[i].kind == PM_REBIND && strcmp(plan->mounts[i].dst, inside) == 0) {
                        plan->mounts[i].readonly |= ro;
                        plan->mounts[i].noexec |= noexec;
                        return 0;
                }
        if (has_mount_at(plan, inside))
                return 0;
        char *dst = plan_own(plan, strdup(inside));
        if (!dst)
                return -ENOMEM;
        struct plan_mount m = { .kind = PM_REBIND, .src_fd = -1, .dst = dst, .src_is_dir = dir,
                                .readonly = ro, .noexec = noexec };
        return plan_add_mount(plan, &m);
}

static int add_carve_out(struct plan *plan, const char *inside)
{
        for (size_t i = 0; i < plan->nprotect_ll; i++)
                if (strcmp(plan->protect_ll[i], inside) == 0)
                        return 0;
        char **nv = realloc(plan->protect_ll, (plan->nprotect_ll + 2) * sizeof(char *));
        if (!nv)
                return -ENOMEM;
        plan->protect_ll = nv;
        char *s = plan_own(plan, strdup(inside));
        if (!s)
                return -ENOMEM;
        plan->protect_ll[plan->nprotect_ll++] = s;
        plan->protect_ll[plan->nprotect_ll] = NULL;
        return 0;
}

/* The target `host` lies beneath the writable bind m (host source `src`). */
static int guard(struct plan *plan, size_t mi, const char *src, const char *host, bool dir)
{
        const char *rest = path_under(host, src);
        char inside[PATH_MAX], hostpart[PATH_MAX];
        const char *dst = plan->mounts[mi].dst;
        bool noexec = plan->mounts[mi].noexec;
        int n = snprintf(inside, sizeof(inside), "%s%s", strcmp(dst, "/") == 0 ? "" : dst, rest);
        if (n < 0 || (size_t)n >= sizeof(inside))
                return -ENAMETOOLONG;
        /* Shown there only when no deeper mount covers it (that one, if
         * writable, gets its own turn).  A secret's mask (secrets.c) at
         * the point itself still needs the parents on the way pinned, so
         * that renaming one cannot make room for a new point. */
        const struct plan_mount *cov = plan_mount_covering(plan, inside);
        if (cov != &plan->mounts[mi] && !(cov && cov->kind == PM_MASK && strcmp(cov->dst, inside) == 0))
                return 0;
        /* Walk down from the bind: directories on the way become mount
         * points; the first missing or symlinked component is carved out. */
        size_t dl = strlen(dst) == 1 ? 0 : strlen(dst), sl = strlen(src) == 1 ? 0 : strlen(src);
        const char *s = rest;
        while (*s == '/')
                s++;
        for (;;) {
                const char *e = strchr(s, '/');
                size_t k = e ? (size_t)(e - s) : strlen(s);
                size_t ipos = dl + (size_t)(s - rest) + k, hpos = sl + (size_t)(s - rest) + k;
                memcpy(hostpart, host, hpos);
                hostpart[hpos] = 0;
                char cur[PATH_MAX];
                memcpy(cur, inside, ipos);
                cur[ipos] = 0;
                struct stat st;
                bool last = !e;
                /* A missing protected directory is made, empty: a read-only
                 * mount then covers it, and its parent keeps the right to
                 * get new entries (a browser's own profile directory). */
                if (last && dir && lstat(hostpart, &st) < 0 && errno == ENOENT &&
                    mkdir(hostpart, 0700) == 0 && geteuid() == 0) {
                        /* Made by a root caller in someone else's tree (a
                         * repository's hooks/): it stays theirs. */
                        char parent[PATH_MAX];
                        struct stat pst;
                        snprintf(parent, sizeof(parent), "%s", hostpart);
                        char *slash = strrchr(parent, '/');
                        if (slash && slash != parent) {
                                *slash = 0;
                                if (lstat(parent, &pst) == 0 && pst.st_uid != 0)
                                        (void)!lchown(hostpart, pst.st_uid, pst.st_gid); /* else root's: still protected */
                        }
                }
                if (lstat(hostpart, &st) < 0 || S_ISLNK(st.st_mode))
                        return add_carve_out(plan, cur);
                if (last)
                        return add_rebind(plan, cur, S_ISDIR(st.st_mode), true, noexec);
                if (!S_ISDIR(st.st_mode))
                        return 0; /* cannot lead to the target */
                int r = add_rebind(plan, cur, true, false, noexec);
                if (r < 0)
                        return r;
                s = e + 1;
                while (*s == '/')
                        s++;
                if (!*s)
                        return 0;
        }
}

int protect_plan(const struct sbx_policy *p, struct plan *plan, struct sbx_error **err)
{
        size_t nbinds = plan->nmounts;
        bool any = false;
        for (size_t i = 0; i < nbinds && !any; i++) {
                const struct plan_mount *m = &plan->mounts[i];
                any = m->kind == PM_BIND && !m->readonly && !m->dev && m->src && !m->pinned;
        }
        if (!any)
                return 0; /* nothing writable shows anything of the host */

        if (!plan->exec_fs && exec_fs_new(&plan->exec_fs) < 0)
                return -ENOMEM;
        struct targets t = { .fs = plan->exec_fs, .policy = p };
        int r = state_targets(&t);
        size_t nstate = t.n;
        for (size_t i = 0; r >= 0 && i < p->protect.n; i++)
                r = add_point(&t, p->protect.v[i], &p->protect.loc[i], "a protected path");
        t.adding_dirs = true;
        for (size_t i = 0; r >= 0 && i < p->protect_dir.n; i++)
                r = add_point(&t, p->protect_dir.v[i], &p->protect_dir.loc[i], "a protected path");
        t.adding_dirs = false;
        /* The working directory's (and every writable bind's) own points. */
        for (size_t i = 0; r >= 0 && i < nbinds; i++) {
                const struct plan_mount *m = &plan->mounts[i];
                bool incomplete = false;
                if (m->kind == PM_BIND && !m->readonly && !m->dev && m->src && !m->pinned)
                        r = project_points(p, m->src, add_project_point, &t, &incomplete);
                /* Fail closed: a sandbox that can write here can add
                 * directories until a real repository lies past the search,
                 * and the next launch would leave its hooks writable. */
                if (r >= 0 && incomplete)
                        r = sbx_err_kind(err, SBX_ERROR_SETUP, -E2BIG, "protect",
                                         "%s is bound writable and holds more than %u directories near its top: "
                                         "sbx cannot find every git repository in it to keep its config and hooks "
                                         "read-only ([filesystem] protect-project), and a sandbox could have "
                                         "planted the directories to hide one; run from (or bind) a narrower "
                                         "directory, or drop the names with --set "
                                         "'filesystem.protect-project=!NAME' (sbx.profile(5))",
                                         m->src, (unsigned)PROJECT_NESTED_BUDGET);
        }
        for (size_t i = 0; r >= 0 && i < nbinds; i++) {
                struct plan_mount *m = &plan->mounts[i];
                if (m->kind != PM_BIND || m->readonly || m->dev || !m->src || m->pinned)
                        continue;
                /* The canonical path of the object that gets mounted
                 * (plan.c opened it through resolve.c; mount.c checks in the
                 * child that it is still that object), not a new lookup. */
                const char *src = m->src;
                for (size_t j = 0; r >= 0 && j < t.n; j++) {
                        const struct target *x = &t.v[j];
                        if (path_under(src, x->path)) {
                                /* The bind itself lies inside the protected path. */
                                if (j < nstate) {
                                        const char *f = m->loc && m->loc->file ? m->loc->file
                                                                               : "cwd-bind = rw";
                                        r = sbx_err_at(err, -EPERM, f, m->loc ? m->loc->line : 0,
                                                       "refusing to bind %s writable: it lies in "
                                                       "%s (%s), which no sandbox may change",
                                                       m->src, x->path, x->why);
                                        break;
                                }
                                m->readonly = true;
                                r = plan_warn(plan, "%s is bound read-only: it lies in %s, protected at %s:%u",
                                              m->src, x->path, x->loc->file, x->loc->line);
                                break;
                        }
                        if (path_under(x->path, src))
                                r = guard(plan, i, src, x->path, x->dir);
                }
        }
        targets_done(&t);
        if (r < 0)
                return r;
        if (plan->nprotect_ll > 0 && !p->landlock)
                return sbx_err_kind(err, SBX_ERROR_PROFILE, -EPERM, NULL,
                                    "%s does not exist (or is a symlink) under a writable bind, and "
                                    "only Landlock can stop a sandbox creating it; enable [landlock] "
                                    "or bind a narrower directory",
                                    plan->protect_ll[0]);
        return 0;
}

int protect_paths(const struct sbx_policy *p, char ***ret)
{
        struct exec_fs *fs = NULL;
        if (exec_fs_new(&fs) < 0)
                return -ENOMEM;
        struct targets t = { .fs = fs };
        int r = state_targets(&t);
        for (size_t i = 0; r >= 0 && i < p->protect.n; i++)
                r = add_with_links(&t, p->protect.v[i], &p->protect.loc[i], "a protected path", 0);
        for (size_t i = 0; r >= 0 && i < p->protect_dir.n; i++)
                r = add_with_links(&t, p->protect_dir.v[i], &p->protect_dir.loc[i], "a protected path", 0);
        char **v = r >= 0 ? calloc(t.n + 1, sizeof(*v)) : NULL;
        if (r >= 0 && !v)
                r = -ENOMEM;
        for (size_t i = 0; r >= 0 && i < t.n; i++)
                v[i] = TAKE_PTR(t.v[i].path);
        targets_done(&t);
        exec_fs_free(fs);
        if (r < 0) {
                sbx_strv_free(v);
                return r;
        }
        *ret = v;
        return 0;
}
