/* project.c — the persistence points a writable directory holds of its
 * own ([filesystem] protect-project): what tools run there later read and
 * execute without being asked.  The user's next `git status` (a shell
 * prompt or an editor runs one on its own) runs core.fsmonitor from
 * .git/config, the next commit runs .git/hooks/pre-commit; so a sandbox
 * that can write the working directory must not write those.
 *
 * For one writable bind source this finds the git repository it is in or
 * holds (walking up for `.git`, following a `.git` file's `gitdir:`, and a
 * linked worktree's `commondir`), and the repositories a few levels inside
 * it (`cd ~` binds every project below), and names, by protect-project
 * entry:
 *   git-config  config, config.worktree, commondir of the repository, of
 *               every submodule's repository (.git/modules/…) and every
 *               worktree (.git/worktrees/…); a missing commondir of a
 *               repository in the bind is made (".": itself), see below
 *   git-hooks   hooks/ of each (made when missing), and core.hooksPath of
 *               the repository and of the user's global git config
 *   git-info    info/ of each (made when missing)
 *   git-link    `.git` files: the work tree's own, the submodule
 *               checkouts' (.gitmodules), the linked worktrees'
 *   envrc, vscode, idea, hg   .envrc, .vscode, .idea, .hg/hgrc at the bind
 * Existing files only: a missing config would have to be carved out of
 * Landlock's rights, which takes new entries away from all of .git (and
 * git inside the sandbox needs index.lock there).  protect.c then keeps
 * each one read-only like a home persistence point.
 *
 * Parent side: looks at the host (lstat, reads small files), no writes. */
#include <ctype.h>
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/path.h"
#include "plan/project.h"
#include "base/util.h"

#define MAX_DEPTH 4       /* submodules within submodules, commondir hops */
#define MAX_ENTRIES 256   /* modules or worktrees looked at per repository */

struct walk {
        const struct sbx_policy *p;
        const char *src; /* the writable bind's source */
        project_add_fn add;
        void *ctx;
        int r;
};

static bool wanted(const struct sbx_policy *p, const char *name)
{
        for (size_t i = 0; i < p->protect_project.n; i++)
                if (strcmp(p->protect_project.v[i], name) == 0)
                        return true;
        return false;
}

static void point(struct walk *w, const char *name, bool dir, const char *fmt, ...) _printf_(4, 5);
static void point(struct walk *w, const char *name, bool dir, const char *fmt, ...)
{
        if (w->r < 0 || !wanted(w->p, name))
                return;
        char path[PATH_MAX];
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(path, sizeof(path), fmt, ap);
        va_end(ap);
        if (n < 0 || (size_t)n >= sizeof(path))
                return;
        struct stat st;
        /* Files only when they exist (see the top); directories are made. */
        if (!dir && lstat(path, &st) < 0)
                return;
        w->r = w->add(w->ctx, path, dir, name);
}

/* The first line of a small file, without its newline. */
/* A regular file only, never through a symlink, never blocking: a FIFO a
 * sandbox left in a project must not hang the next launch. */
static FILE *open_small(const char *path)
{
        int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC);
        struct stat st;
        if (fd < 0)
                return NULL;
        if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
                close(fd);
                return NULL;
        }
        FILE *f = fdopen(fd, "re");
        if (!f)
                close(fd);
        return f;
}

static bool read_line(const char *path, char *buf, size_t n)
{
        FILE *f = open_small(path);
        if (!f)
                return false;
        bool ok = fgets(buf, (int)n, f) != NULL;
        fclose(f);
        if (ok)
                buf[strcspn(buf, "\r\n")] = 0;
        return ok && buf[0];
}

/* `rel` relative to `base` (absolute stays), made canonical. */
static bool join_real(const char *base, const char *rel, char out[PATH_MAX])
{
        char tmp[PATH_MAX * 2];
        if (rel[0] == '/')
                snprintf(tmp, sizeof(tmp), "%s", rel);
        else
                snprintf(tmp, sizeof(tmp), "%s/%s", base, rel);
        return realpath(tmp, out) != NULL;
}

/* In a git config line (leading blanks skipped) "KEY = value": the value,
 * or NULL for another key.  Names are case-insensitive. */
static char *key_value(char *s, const char *key)
{
        size_t n = strlen(key);
        if (strncasecmp(s, key, n) != 0)
                return NULL;
        s += n;
        while (*s == ' ' || *s == '\t')
                s++;
        if (*s++ != '=')
                return NULL;
        while (*s == ' ' || *s == '\t')
                s++;
        return s;
}

/* core.KEY of a git config file, or false.  Enough of git's syntax for
 * one key: [core] sections, case-insensitive names, "quoted" values, ; and
 * # comments, ~/ at the start. */
static bool core_value(const char *config, const char *key, char out[PATH_MAX])
{
        FILE *f = open_small(config);
        if (!f)
                return false;
        char line[4096];
        bool core = false, found = false;
        while (fgets(line, sizeof(line), f)) {
                char *s = line;
                while (isspace((unsigned char)*s))
                        s++;
                if (*s == '[') {
                        char *e = strpbrk(s, " \t\"]");
                        core = e && (size_t)(e - s - 1) == 4 && strncasecmp(s + 1, "core", 4) == 0 && *e == ']';
                        continue;
                }
                if (!core || !(s = key_value(s, key)))
                        continue;
                char val[PATH_MAX];
                size_t k = 0;
                bool q = false;
                for (; *s && *s != '\n' && k + 1 < sizeof(val); s++) {
                        if (*s == '"') {
                                q = !q;
                                continue;
                        }
                        if (!q && (*s == ';' || *s == '#'))
                                break;
                        if (*s == '\\' && s[1])
                                s++;
                        val[k++] = *s;
                }
                while (k && (val[k - 1] == ' ' || val[k - 1] == '\t'))
                        k--;
                val[k] = 0;
                const char *home = getenv("HOME");
                if (strncmp(val, "~/", 2) == 0 && home && home[0] == '/')
                        found = snprintf(out, PATH_MAX, "%s%s", home, val + 1) < PATH_MAX;
                else if (k)
                        found = snprintf(out, PATH_MAX, "%s", val) < PATH_MAX;
        }
        fclose(f);
        return found;
}

static bool hooks_path(const char *config, char out[PATH_MAX])
{
        return core_value(config, "hookspath", out);
}

/* `path` (G/commondir, missing) made with "." in it: the repository is its
 * own common directory, as without the file.  Owned like G (a root
 * caller's sandbox may work in another user's repository). */
static void make_commondir(const char *path, struct stat *st)
{
        char dir[PATH_MAX];
        if (snprintf(dir, sizeof(dir), "%s", path) >= (int)sizeof(dir))
                return;
        char *slash = strrchr(dir, '/');
        if (!slash)
                return;
        *slash = 0;
        struct stat gst;
        if (lstat(dir, &gst) < 0 || !S_ISDIR(gst.st_mode))
                return;
        int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
        if (fd < 0)
                return; /* there already, or not ours to make: left as it is */
        bool ok = write(fd, ".\n", 2) == 2;
        if (ok && geteuid() == 0 && gst.st_uid != 0)
                ok = fchown(fd, gst.st_uid, gst.st_gid) == 0;
        close(fd);
        /* A half-made file would stop git: none rather than that. */
        if (!ok || fstatat(AT_FDCWD, path, st, AT_SYMLINK_NOFOLLOW) < 0)
                (void)unlink(path);
}

static void gitdir_points(struct walk *w, const char *g, const char *worktree, unsigned depth);

/* A work tree's `.git` file: the link itself, and the repository it
 * names. */
static void gitfile_points(struct walk *w, const char *wt, unsigned depth)
{
        char line[PATH_MAX + 16], g[PATH_MAX], file[PATH_MAX];
        if (snprintf(file, sizeof(file), "%s/.git", wt) >= (int)sizeof(file))
                return;
        point(w, "git-link", false, "%s", file);
        if (read_line(file, line, sizeof(line)) && strncmp(line, "gitdir: ", 8) == 0 &&
            join_real(wt, line + 8, g))
                gitdir_points(w, g, wt, depth + 1);
}

/* Submodule checkouts named by a work tree's .gitmodules ("path = X"). */
static void submodule_checkouts(struct walk *w, const char *wt, unsigned depth)
{
        char gm[PATH_MAX], line[4096];
        if (depth > MAX_DEPTH || snprintf(gm, sizeof(gm), "%s/.gitmodules", wt) >= (int)sizeof(gm))
                return;
        FILE *f = open_small(gm);
        if (!f)
                return;
        unsigned n = 0;
        while (w->r >= 0 && fgets(line, sizeof(line), f) && n++ < MAX_ENTRIES) {
                char *s = line;
                while (isspace((unsigned char)*s))
                        s++;
                if (!(s = key_value(s, "path")))
                        continue;
                s[strcspn(s, "\r\n")] = 0;
                char sub[PATH_MAX * 2], file[PATH_MAX * 2 + 8];
                struct stat st;
                if (!*s || strstr(s, "..") || s[0] == '/')
                        continue;
                snprintf(sub, sizeof(sub), "%s/%s", wt, s);
                snprintf(file, sizeof(file), "%s/.git", sub);
                if (lstat(file, &st) == 0 && S_ISREG(st.st_mode)) {
                        gitfile_points(w, sub, depth);
                        submodule_checkouts(w, sub, depth + 1);
                }
        }
        fclose(f);
}

/* Every repository under G/modules (names may hold '/': a directory with
 * a HEAD is a repository, others are looked into). */
static void module_dirs(struct walk *w, const char *dir, unsigned depth, unsigned *budget)
{
        if (depth > MAX_DEPTH)
                return;
        DIR *d = opendir(dir);
        if (!d)
                return;
        struct dirent *e;
        while (w->r >= 0 && (e = readdir(d)) && (*budget)-- > 0) {
                if (e->d_name[0] == '.' && (!e->d_name[1] || (e->d_name[1] == '.' && !e->d_name[2])))
                        continue;
                char sub[PATH_MAX], head[PATH_MAX + 8];
                struct stat st;
                if (snprintf(sub, sizeof(sub), "%s/%s", dir, e->d_name) >= (int)sizeof(sub) ||
                    lstat(sub, &st) < 0 || !S_ISDIR(st.st_mode))
                        continue;
                snprintf(head, sizeof(head), "%s/HEAD", sub);
                if (lstat(head, &st) == 0) {
                        gitdir_points(w, sub, NULL, depth + 1);
                        /* Its checkout, from the module's own config (inside
                         * the protected .git/modules), not from .gitmodules,
                         * which any sandbox of the work tree can edit. */
                        char cfg[PATH_MAX + 8], wt[PATH_MAX], real[PATH_MAX], file[PATH_MAX + 8];
                        snprintf(cfg, sizeof(cfg), "%s/config", sub);
                        if (core_value(cfg, "worktree", wt) && join_real(sub, wt, real) &&
                            snprintf(file, sizeof(file), "%s/.git", real) < (int)sizeof(file) &&
                            lstat(file, &st) == 0 && S_ISREG(st.st_mode))
                                gitfile_points(w, real, depth + 1);
                } else
                        module_dirs(w, sub, depth + 1, budget);
        }
        closedir(d);
}

static void gitdir_points(struct walk *w, const char *g, const char *worktree, unsigned depth)
{
        char path[PATH_MAX + 32], line[PATH_MAX], c[PATH_MAX];
        struct stat st;
        if (depth > MAX_DEPTH || w->r < 0 || lstat(g, &st) < 0 || !S_ISDIR(st.st_mode))
                return;
        point(w, "git-config", false, "%s/config", g);
        point(w, "git-config", false, "%s/config.worktree", g);
        /* A linked worktree's directory: its commondir names the
         * repository whose config, hooks and info apply. */
        snprintf(path, sizeof(path), "%s/commondir", g);
        if (lstat(path, &st) == 0) {
                point(w, "git-config", false, "%s", path);
                if (read_line(path, line, sizeof(line)) && join_real(g, line, c))
                        gitdir_points(w, c, NULL, depth + 1);
                return;
        }
        /* git reads $GIT_DIR/commondir in any repository, not only in a
         * worktree's: a sandbox that creates one ("../../planted") points
         * git at a config of its own, and the next `git status` runs its
         * core.fsmonitor.  A missing one cannot be carved out (git inside
         * needs new entries in .git: index.lock, and a carve-out would
         * also take new entries from every directory on the way to it),
         * so it is made, naming the repository itself ("."), and then
         * kept read-only, like hooks/ and info/ below.  One side effect:
         * `git rev-parse --git-common-dir` then prints an absolute path. */
        if (wanted(w->p, "git-config") && path_under(g, w->src))
                make_commondir(path, &st);
        if (lstat(path, &st) == 0)
                point(w, "git-config", false, "%s", path);
        point(w, "git-hooks", true, "%s/hooks", g);
        point(w, "git-info", true, "%s/info", g);
        snprintf(path, sizeof(path), "%s/config", g);
        char hp[PATH_MAX];
        /* Relative to the work tree (git runs hooks from there), or to the
         * repository itself when bare. */
        if (hooks_path(path, hp))
                point(w, "git-hooks", false, "%s%s%s", hp[0] == '/' ? "" : worktree ? worktree : g,
                      hp[0] == '/' ? "" : "/", hp);
        unsigned budget = MAX_ENTRIES;
        snprintf(path, sizeof(path), "%s/modules", g);
        module_dirs(w, path, depth, &budget);
        /* Linked worktrees: their settings, and the .git file in each
         * checkout (named by the gitdir file). */
        snprintf(path, sizeof(path), "%s/worktrees", g);
        DIR *d = opendir(path);
        struct dirent *e;
        budget = MAX_ENTRIES;
        while (d && w->r >= 0 && (e = readdir(d)) && budget-- > 0) {
                if (e->d_name[0] == '.')
                        continue;
                char wd[PATH_MAX * 2], f[PATH_MAX * 2 + 16];
                snprintf(wd, sizeof(wd), "%s/%s", path, e->d_name);
                point(w, "git-config", false, "%s/config.worktree", wd);
                point(w, "git-config", false, "%s/commondir", wd);
                snprintf(f, sizeof(f), "%s/gitdir", wd);
                if (read_line(f, line, sizeof(line)) && line[0] == '/')
                        point(w, "git-link", false, "%s", line);
        }
        if (d)
                closedir(d);
}

/* The user's own git configuration may set core.hooksPath for every
 * repository. */
static void global_hooks(struct walk *w)
{
        const char *home = getenv("HOME"), *x = getenv("XDG_CONFIG_HOME");
        char f[PATH_MAX], hp[PATH_MAX];
        if (home && home[0] == '/' && snprintf(f, sizeof(f), "%s/.gitconfig", home) < (int)sizeof(f) &&
            hooks_path(f, hp) && hp[0] == '/')
                point(w, "git-hooks", false, "%s", hp);
        if (x && x[0] == '/')
                snprintf(f, sizeof(f), "%s/git/config", x);
        else if (home && home[0] == '/')
                snprintf(f, sizeof(f), "%s/.config/git/config", home);
        else
                return;
        if (hooks_path(f, hp) && hp[0] == '/')
                point(w, "git-hooks", false, "%s", hp);
}

/* A work tree at `wt` (its `.git` lstat()ed into st): its repository's
 * points and its submodule checkouts'. */
static void work_tree_points(struct walk *w, const char *wt, const char *dotgit, const struct stat *st)
{
        if (S_ISREG(st->st_mode))
                gitfile_points(w, wt, 0);
        else if (S_ISDIR(st->st_mode))
                gitdir_points(w, dotgit, wt, 0);
        else if (S_ISLNK(st->st_mode)) {
                char real[PATH_MAX];
                /* The link is a point itself (protect.c keeps links
                 * read-only on the way). */
                point(w, "git-link", false, "%s", dotgit);
                if (realpath(dotgit, real))
                        gitdir_points(w, real, wt, 0);
        }
        submodule_checkouts(w, wt, 0);
}

/* Repositories inside a bind that is not itself in a work tree (`cd ~ &&
 * sbx run --profile shell` shows ~/src/proj/.git): directories down to NESTED_DEPTH, not hidden ones
 * (.cache, .local: not where work trees live) nor node_modules, at most
 * PROJECT_NESTED_BUDGET of them; *incomplete says when the budget ran out. */
#define NESTED_DEPTH 4

static void nested_repos(struct walk *w, const char *dir, unsigned depth, unsigned *budget, bool *incomplete)
{
        if (depth > NESTED_DEPTH || w->r < 0)
                return;
        if (*budget == 0) {
                *incomplete = true;
                return;
        }
        (*budget)--;
        DIR *d = opendir(dir);
        if (!d)
                return;
        struct dirent *e;
        while (w->r >= 0 && (e = readdir(d))) {
                if (e->d_name[0] == '.' || strcmp(e->d_name, "node_modules") == 0)
                        continue;
                if (e->d_type != DT_DIR && e->d_type != DT_UNKNOWN)
                        continue;
                char sub[PATH_MAX], dotgit[PATH_MAX + 8];
                struct stat st;
                if (snprintf(sub, sizeof(sub), "%s/%s", strcmp(dir, "/") == 0 ? "" : dir, e->d_name) >=
                            (int)sizeof(sub) ||
                    lstat(sub, &st) < 0 || !S_ISDIR(st.st_mode))
                        continue;
                snprintf(dotgit, sizeof(dotgit), "%s/.git", sub);
                if (lstat(dotgit, &st) == 0)
                        work_tree_points(w, sub, dotgit, &st);
                nested_repos(w, sub, depth + 1, budget, incomplete);
        }
        closedir(d);
}

int project_points(const struct sbx_policy *p, const char *src, project_add_fn add, void *ctx, bool *incomplete)
{
        struct walk w = { .p = p, .src = src, .add = add, .ctx = ctx };
        *incomplete = false;
        if (p->protect_project.n == 0)
                return 0;
        point(&w, "envrc", false, "%s/.envrc", src);
        point(&w, "vscode", false, "%s/.vscode", src);
        point(&w, "idea", false, "%s/.idea", src);
        point(&w, "hg", false, "%s/.hg/hgrc", src);

        /* The repository the bind is in, or holds: the nearest `.git` at
         * or above it (git's own discovery). */
        char wt[PATH_MAX], dotgit[PATH_MAX + 8];
        bool in_repo = false;
        if (snprintf(wt, sizeof(wt), "%s", src) >= (int)sizeof(wt))
                return w.r;
        for (;;) {
                struct stat st;
                snprintf(dotgit, sizeof(dotgit), "%s/.git", strcmp(wt, "/") == 0 ? "" : wt);
                if (lstat(dotgit, &st) == 0) {
                        work_tree_points(&w, wt, dotgit, &st);
                        in_repo = true;
                        break;
                }
                char *slash = strrchr(wt, '/');
                if (!slash || strcmp(wt, "/") == 0)
                        break;
                if (slash == wt)
                        strcpy(wt, "/");
                else
                        *slash = 0;
        }
        bool any_git = false;
        for (size_t i = 0; i < p->protect_project.n && !any_git; i++)
                any_git = strncmp(p->protect_project.v[i], "git-", 4) == 0;
        /* Inside a work tree, repositories further in are its submodules
         * (found above through .gitmodules): a large project is not
         * walked on every launch.  Elsewhere (the home, a directory of
         * projects) they are looked for. */
        unsigned budget = PROJECT_NESTED_BUDGET;
        if (any_git && !in_repo)
                nested_repos(&w, src, 1, &budget, incomplete);
        global_hooks(&w);
        return w.r;
}
