/* learn_profile.c — `sbx learn`: what learn_record.c gathered from one
 * recording run turned into a profile that includes the base and
 * adds only what the run used beyond it (docs/learn.md).
 *
 * Each record names a path (made absolute inside the recording view,
 * whose layout is the host's), a program, an address or a call.  Paths
 * are taken to the host (realpath; a missing one by its parent, or
 * dropped as a probe), compared with the base profile's own view
 * (plan_build_view: a path it already shows with enough rights needs
 * nothing), and what is left becomes binds: read-only unless written, a
 * file alone unless three or more of one directory were used, never `/`,
 * a directory at the top of the tree, the home or one of its parents, and
 * never anything that is or holds a path protect.c guards (what needs one
 * is said instead).  Programs become [exec] allow lines, addresses the
 * network mode and ports, calls outside the allow-list the smallest
 * group that holds them, W^X refusals `wx = no`.  Every line carries its
 * evidence as a comment.  Parent side; pure apart from looking at the host
 * (lstat, realpath, reading the first bytes of executed files). */
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <glob.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/path.h"
#include "base/strbuf.h"
#include "base/util.h"
#include "plan/exec.h"
#include "plan/plan.h"
#include "profile/policy.h"
#include "report/learn.h"
#include "syscalls/syscalls.h"

/* ---- what the base already gives ----------------------------------------- */

static bool protected_at_or_under(const struct sbx_learn *l, const char *path)
{
        for (size_t i = 0; l->protect && l->protect[i]; i++)
                if (path_under(path, l->protect[i]))
                        return true;
        return false;
}

static bool holds_protected(const struct sbx_learn *l, const char *path)
{
        for (size_t i = 0; l->protect && l->protect[i]; i++)
                if (path_under(l->protect[i], path))
                        return true;
        return false;
}

/* `/`, a directory at the top, the home and its parents: never a bind. */
static bool too_broad(const struct sbx_learn *l, const char *path)
{
        if (strcmp(path, "/") == 0 || !strchr(path + 1, '/'))
                return true;
        return l->home && path_under(l->home, path);
}

/* protect.c takes from a writable bind the right to make new entries in
 * the directory of a protected path that is missing (so that it cannot be
 * created): a run that made entries there cannot get that right back. */
static const char *blocks_new_entries(const struct sbx_learn *l, const char *dir)
{
        for (size_t i = 0; l->protect && l->protect[i]; i++) {
                const char *p = l->protect[i], *slash = strrchr(p, '/');
                struct stat st;
                size_t n = slash ? (size_t)(slash - p) : 0;
                if (n && strlen(dir) == n && strncmp(p, dir, n) == 0 && lstat(p, &st) < 0)
                        return p;
        }
        return NULL;
}

static bool covered(const struct sbx_learn *l, const struct item *it)
{
        const struct plan_mount *m = plan_mount_covering(&l->view, it->path);
        if (it->need & N_LINK) {
                /* A symlink the base view makes itself (/bin, /lib…), or
                 * shows by binding what it leads to at its place
                 * (/etc/localtime). */
                for (size_t i = 0; i < l->view.nmounts; i++)
                        if ((l->view.mounts[i].kind == PM_SYMLINK || l->view.mounts[i].kind == PM_BIND) &&
                            strcmp(l->view.mounts[i].dst, it->path) == 0)
                                return true;
        }
        bool write = it->need & (N_WRITE | N_CREATE);
        /* A directory the view makes to hold its mounts exists there. */
        struct stat st;
        if (!write && !(it->need & N_LINK) && it->exists && stat(it->path, &st) == 0 && S_ISDIR(st.st_mode))
                for (size_t i = 0; i < l->view.nmounts; i++)
                        if (path_under(l->view.mounts[i].dst, it->path))
                                return true;
        if (!m)
                return false;
        switch (m->kind) {
        case PM_BIND: {
                if (!m->src)
                        return false;
                _cleanup_free_ char *host = NULL;
                if (plan_host_path(&l->view, it->path, &host) < 0 || strcmp(host, it->path) != 0)
                        return false;
                return !(write && m->readonly);
        }
        case PM_TMPFS:
                /* A private tmpfs shows none of the host: only itself and
                 * what the program made there. */
                return !it->exists || strcmp(it->path, m->dst) == 0;
        case PM_PROC:
        case PM_DEVPTS:
                return true;
        default:
                return false;
        }
}

/* ---- candidates ------------------------------------------------------------- */

static int cand_cmp(const void *a, const void *b)
{
        return strcmp(((const struct cand *)a)->path, ((const struct cand *)b)->path);
}

static const char *why_of(unsigned need)
{
        if (need & N_CREATE)
                return "created or removed entries";
        if (need & N_WRITE)
                return "wrote";
        if (need & N_EXEC)
                return "executed";
        if (need & N_LINK)
                return "followed a symlink";
        if (!(need & N_READ))
                return "looked at";
        return "read";
}

/* Drop candidates that one above them already gives. */
static void fold_nested(struct cand *c, size_t n)
{
        for (size_t i = 0; i < n; i++) {
                if (c[i].gone || !c[i].dir || c[i].look)
                        continue;
                for (size_t j = 0; j < n; j++) {
                        if (j == i || c[j].gone || !path_under(c[j].path, c[i].path) || strcmp(c[j].path, c[i].path) == 0)
                                continue;
                        if (c[j].rw && !c[i].rw)
                                continue;
                        c[i].files += c[j].files;
                        c[i].exec |= c[j].exec;
                        c[j].gone = true;
                }
        }
        /* Equal paths: keep one with the union of rights. */
        for (size_t i = 0; i < n; i++)
                for (size_t j = i + 1; j < n && !c[i].gone; j++)
                        if (!c[j].gone && strcmp(c[i].path, c[j].path) == 0) {
                                c[i].rw |= c[j].rw;
                                c[i].exec |= c[j].exec;
                                c[i].files += c[j].files;
                                c[j].gone = true;
                        }
}

/* Three or more read-only uses in one directory: the directory instead,
 * when it may be bound. */
#define COLLAPSE_AT 3
/* More distinct bound ports than this are random ones. */
#define MAX_PORTS 8

static int collapse(struct sbx_learn *l, struct cand **cv, size_t *n, size_t *cap)
{
        for (bool changed = true; changed;) {
                changed = false;
                fold_nested(*cv, *n);
                for (size_t i = 0; i < *n && !changed; i++) {
                        struct cand *c = &(*cv)[i];
                        if (c->gone || c->rw || c->look)
                                continue;
                        char *slash = strrchr(c->path, '/');
                        if (!slash || slash == c->path)
                                continue;
                        _cleanup_free_ char *dir = strndup(c->path, (size_t)(slash - c->path));
                        if (!dir)
                                return -ENOMEM;
                        if (too_broad(l, dir) || protected_at_or_under(l, dir) || holds_protected(l, dir))
                                continue;
                        size_t siblings = 0;
                        for (size_t j = 0; j < *n; j++)
                                if (!(*cv)[j].gone && !(*cv)[j].rw && !(*cv)[j].look && path_under((*cv)[j].path, dir))
                                        siblings++;
                        if (siblings < COLLAPSE_AT)
                                continue;
                        if (*n == *cap) {
                                size_t nc = *cap * 2;
                                struct cand *nv = realloc(*cv, nc * sizeof(*nv));
                                if (!nv)
                                        return -ENOMEM;
                                *cv = nv;
                                *cap = nc;
                                c = &(*cv)[i];
                        }
                        (*cv)[(*n)++] = (struct cand){ .path = TAKE_PTR(dir), .dir = true, .why = "read",
                                                       .example = c->example ? strdup(c->example)
                                                                             : strdup(c->path) };
                        changed = true;
                }
        }
        return 0;
}

/* ---- output --------------------------------------------------------------- */

/* A path as one profile word: quoted when it holds what would split it. */
static bool path_word(const char *p, char *out, size_t size)
{
        bool quote = false;
        for (const char *s = p; *s; s++) {
                unsigned char c = (unsigned char)*s;
                if (c < 0x20 || c == 0x7f || c == '"' || c == '\\')
                        return false; /* not expressible: said as a note */
                if (c == ' ' || c == '\t' || c == ';' || c == '#' || c == '$' || c == '!' || c == ':' ||
                    c == '~')
                        quote = true;
        }
        if (quote && strchr(p, ':'))
                return false; /* bind SRC:DST syntax */
        int k = snprintf(out, size, quote ? "\"%s\"" : "%s", p);
        return k > 0 && (size_t)k < size;
}

static bool base_allows_exec(const struct sbx_learn *l, const char *path, const char **deny)
{
        const struct sbx_policy *p = l->base;
        *deny = NULL;
        if (l->program && strcmp(path, l->program) == 0)
                return true;
        for (size_t i = 0; i < p->exec_deny.n; i++) {
                const char *d = p->exec_deny.v[i];
                if (fnmatch(d, path, FNM_PATHNAME) == 0 || path_under(path, d)) {
                        *deny = d;
                        return false;
                }
        }
        for (size_t i = 0; i < p->exec_allow.n; i++) {
                const char *a = p->exec_allow.v[i];
                if (fnmatch(a, path, FNM_PATHNAME) == 0 || path_under(path, a))
                        return true;
        }
        return false;
}

/* The shebang interpreter of an executed script. */
static int script_interp(const char *path, char *buf, size_t n)
{
        int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
        if (fd < 0)
                return -errno;
        char head[256];
        ssize_t k = read(fd, head, sizeof(head) - 1);
        close(fd);
        if (k < 3 || head[0] != '#' || head[1] != '!')
                return -ENOEXEC;
        head[k] = 0;
        char *s = head + 2;
        s += strspn(s, " \t");
        size_t len = strcspn(s, " \t\n");
        if (len == 0 || len >= n || s[0] != '/')
                return -ENOEXEC;
        memcpy(buf, s, len);
        buf[len] = 0;
        return 0;
}

static const char *family_name(unsigned f)
{
        return syscall_const_name(syscall_af_names, f);
}

/* The smallest group that holds nr and is not always denied. */
static const char *group_of(const char *name)
{
        int nr = syscall_nr(name);
        const struct syscall_group *best = NULL;
        size_t best_n = 0;
        if (nr < 0)
                return NULL;
        for (size_t i = 0; i < syscall_groups_count; i++) {
                const struct syscall_group *g = &syscall_groups[i];
                const struct syscall_set *s = syscall_group_set(g);
                if (g->dangerous || !s || !syscall_set_has(s, nr))
                        continue;
                size_t count = 0;
                for (int k = 0; k < 1024; k++)
                        count += syscall_set_has(s, k);
                if (!best || count < best_n) {
                        best = g;
                        best_n = count;
                }
        }
        return best ? best->name : NULL;
}

static void put_ports(struct sbuf *t, const char *key, const struct port *v, size_t n, const char *what)
{
        if (!n)
                return;
        sbuf_printf(t, "%s =", key);
        for (size_t i = 0; i < n; i++)
                sbuf_printf(t, " %u", v[i].port);
        sbuf_printf(t, "  ; %s:", what);
        for (size_t i = 0; i < n && i < 6; i++)
                sbuf_printf(t, " %u (%u time%s%s)", v[i].port, v[i].count, v[i].count == 1 ? "" : "s",
                    v[i].loopback_only ? ", loopback" : "");
        sbuf_printf(t, "\n");
}

SBX_EXPORT int sbx_learn_profile(struct sbx_learn *l, char **ret, struct sbx_error **err)
{
        struct sbuf t = { 0 };
        char w[PATH_MAX + 8];
        int r = 0;
        *ret = NULL;
        if (!l)
                return -EINVAL;

        /* Executed files: their interpreters too (the kernel opens those
         * itself, no syscall names them). */
        size_t nbefore = l->nitems;
        for (size_t i = 0; i < nbefore; i++) {
                if (!(l->items[i].need & N_EXEC))
                        continue;
                char interp[PATH_MAX];
                int fd = open(l->items[i].path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
                bool got = false;
                if (fd >= 0) {
                        got = exec_elf_interp(fd, interp, sizeof(interp)) > 0;
                        close(fd);
                }
                if (got && (r = learn_use_path(l, interp, N_READ, false)) < 0)
                        return r;
                if (script_interp(l->items[i].path, interp, sizeof(interp)) == 0 &&
                    (r = learn_use_path(l, interp, N_READ | N_EXEC, false)) < 0)
                        return r;
        }

        /* Candidates: what the base does not give. */
        size_t cap = l->nitems + 16, n = 0;
        struct cand *cv = calloc(cap, sizeof(*cv));
        if (!cv)
                return -ENOMEM;
        for (size_t i = 0; i < l->nitems; i++) {
                struct item *it = &l->items[i];
                if (covered(l, it))
                        continue;
                struct cand c = { .why = why_of(it->need), .files = 1 };
                struct stat st;
                bool isdir = it->exists && stat(it->path, &st) == 0 && S_ISDIR(st.st_mode);
                if (it->need & N_LINK && !(it->need & ~(unsigned)N_LINK)) {
                        /* The link's directory shows it (read-only). */
                        char *slash = strrchr(it->path, '/');
                        c.path = strndup(it->path, slash == it->path ? 1 : (size_t)(slash - it->path));
                        c.dir = true;
                        c.example = strdup(it->path);
                } else if (it->need & N_CREATE) {
                        /* A directory the run made itself is no bind source:
                         * the nearest one the host has gets the rights. */
                        c.path = strdup(it->path);
                        struct stat ast;
                        while (c.path && strcmp(c.path, "/") != 0 && lstat(c.path, &ast) < 0) {
                                char *slash = strrchr(c.path, '/');
                                if (slash == c.path)
                                        slash[1] = 0;
                                else
                                        *slash = 0;
                        }
                        c.dir = c.rw = true;
                        if (it->example && asprintf(&c.example, "%s/%s", it->path, it->example) < 0)
                                c.example = NULL;
                } else {
                        if (!it->exists)
                                continue;
                        c.path = strdup(it->path);
                        c.dir = isdir;
                        c.rw = it->need & N_WRITE;
                        c.look = isdir && !(it->need & ~(unsigned)N_LOOK);
                        c.example = strdup(it->path);
                }
                if (!c.path) {
                        r = -ENOMEM;
                        break;
                }
                /* The dynamic loader needs the program's file mapped
                 * executable: a writable bind is noexec unless it says so. */
                c.exec = it->need & N_EXEC;
                const char *guard = c.rw && (it->need & N_CREATE) && !too_broad(l, c.path)
                                            ? blocks_new_entries(l, c.path)
                                            : NULL;
                if (guard) {
                        learn_note(l, "not learned: %s (e.g. %s) in %s, where no sandbox may make new entries "
                                   "(%s is protected and missing); make what the program needs there first "
                                   "(mkdir -p) and learn again",
                                   c.why, c.example ? c.example : c.path, c.path, guard);
                        free(c.path);
                        free(c.example);
                        continue;
                }
                if (protected_at_or_under(l, c.path)) {
                        learn_note(l, "not learned: %s %s, which sbx protects (a persistence point or sbx's own state); "
                             "no learned profile binds it", c.why, c.path);
                        free(c.path);
                        free(c.example);
                        continue;
                }
                if (too_broad(l, c.path)) {
                        learn_note(l, "not learned: %s %s (e.g. %s): a bind of %s would show too much (/, a top-level "
                             "directory or the home); bind a narrower directory on the command line, or run "
                             "the program from one",
                             c.why, c.path, c.example ? c.example : c.path, c.path);
                        free(c.path);
                        free(c.example);
                        continue;
                }
                cv[n++] = c;
        }
        /* A directory only looked at exists anyway where something below
         * it is shown. */
        for (size_t i = 0; i < n; i++)
                for (size_t j = 0; j < n && cv[i].look && !cv[i].gone; j++)
                        if (j != i && !cv[j].look && path_under(cv[j].path, cv[i].path))
                                cv[i].gone = true;
        if (r >= 0)
                r = collapse(l, &cv, &n, &cap);
        if (r < 0)
                goto out;
        /* A writable bind holding something executed must say :exec (a
         * writable mount is noexec otherwise); a program the run built
         * there is allowed by its directory, as the build profile does. */
        for (size_t i = 0; i < l->nitems; i++) {
                struct item *it = &l->items[i];
                if (!(it->need & N_EXEC))
                        continue;
                bool found = false;
                for (size_t k = 0; k < n; k++)
                        if (!cv[k].gone && cv[k].rw && path_under(it->path, cv[k].path)) {
                                cv[k].exec = found = true;
                                if (!it->exists)
                                        cv[k].exec_dir = true;
                        }
                const struct plan_mount *m = found || it->exists ? NULL : plan_mount_covering(&l->view, it->path);
                bool base_exec = m && m->kind == PM_BIND && !m->readonly && !m->noexec;
                if (!found && !it->exists && !base_exec)
                        learn_note(l, "not learned: executed %s, which the run wrote where the base profile "
                                   "keeps it noexec (a private tmpfs, or a bind without :exec)", it->path);
        }
        qsort(cv, n, sizeof(*cv), cand_cmp);

        /* ---- header ---- */
        time_t now = time(NULL);
        struct tm tm;
        char when[32] = "";
        if (gmtime_r(&now, &tm))
                strftime(when, sizeof(when), "%Y-%m-%d %H:%M UTC", &tm);
        const char *prog = l->program ? strrchr(l->program, '/') + 1 : "program";
        sbuf_printf(&t, "; Learned by `sbx learn` on %s from one run of:\n;  ", when);
        for (size_t i = 0; l->argv && l->argv[i] && i < 16; i++) {
                char wd[PATH_MAX + 8];
                sbuf_printf(&t, " %s", path_word(l->argv[i], wd, sizeof(wd)) ? wd : "(...)");
        }
        sbuf_printf(&t, "\n; on top of the profile '%s'.  It allows what that run used beyond the base\n"
                "; and no more: review it, and learn again after the program changes.\n",
            l->base_name);
        sbuf_printf(&t, "; %zu record(s)%s.\n", l->records, l->bad ? " (some unreadable, see sbx learn's output)" : "");
        sbuf_printf(&t, "[profile]\nname = learned-%s\ndescription = learned from one run of %s (sbx learn)\n",
            prog, prog);
        if (path_word(l->base_name, w, sizeof(w)))
                sbuf_printf(&t, "include = %s\n", w);

        /* ---- filesystem ---- */
        bool fs = false;
        for (size_t i = 0; i < n; i++) {
                struct cand *c = &cv[i];
                if (c->gone)
                        continue;
                if (!path_word(c->path, w, sizeof(w))) {
                        learn_note(l, "not learned: %s: this path cannot be written in a profile", c->path);
                        continue;
                }
                if (!fs) {
                        sbuf_printf(&t, "\n[filesystem]\n");
                        fs = true;
                }
                char ex[PATH_MAX + 8] = "";
                if (c->example && strcmp(c->example, c->path) != 0)
                        snprintf(ex, sizeof(ex), ", e.g. %s", c->example);
                if (c->rw && (r = learn_strv_add(&l->rw, &l->nrw, &l->rw_cap, strdup(c->path))) < 0)
                        goto out;
                if (c->look) {
                        sbuf_printf(&t, "dir = %s  ; looked at, nothing in it opened (an empty directory)\n", w);
                        continue;
                }
                if (c->rw)
                        sbuf_printf(&t, "bind = %s%s  ; %s (%u path%s%s)\n", w, c->exec ? ":exec" : "", c->why, c->files,
                            c->files == 1 ? "" : "s", ex);
                else
                        sbuf_printf(&t, "ro-bind = %s  ; %s (%u path%s%s)\n", w, c->why, c->files,
                            c->files == 1 ? "" : "s", ex);
        }

        /* ---- exec ---- */
        bool ex_sec = false;
        /* The allow-list becomes the programs the run executed: the
         * base's directories and patterns are taken out (the program named
         * on the command line is always executable). */
        for (size_t i = 0; i < l->base->exec_allow.n; i++) {
                const char *a = l->base->exec_allow.v[i];
                struct stat st;
                bool broad = path_has_glob(a) || (stat(a, &st) == 0 && S_ISDIR(st.st_mode));
                /* Kept where the run ran a program it built: its name is
                 * new on the host, only the directory can allow it. */
                for (size_t k = 0; k < l->nitems && broad; k++)
                        broad = !((l->items[k].need & N_EXEC) && !l->items[k].exists &&
                                  path_under(l->items[k].path, a));
                if (!broad || !path_word(a, w, sizeof(w)))
                        continue;
                if (!ex_sec) {
                        sbuf_printf(&t, "\n[exec]\n");
                        ex_sec = true;
                }
                sbuf_printf(&t, "allow = !%s  ; from the base; the run executed only what is listed here\n", w);
        }
        for (size_t k = 0; k < n; k++) {
                if (cv[k].gone || !cv[k].exec_dir || !path_word(cv[k].path, w, sizeof(w)))
                        continue;
                if (!ex_sec) {
                        sbuf_printf(&t, "\n[exec]\n");
                        ex_sec = true;
                }
                sbuf_printf(&t, "allow = %s  ; ran programs it built there\n", w);
        }
        for (size_t i = 0; i < l->nitems; i++) {
                struct item *it = &l->items[i];
                const char *deny;
                bool allowed = base_allows_exec(l, it->path, &deny);
                if (!(it->need & N_EXEC) || !it->exists || (allowed && l->program && strcmp(it->path, l->program) == 0))
                        continue;
                if (!path_word(it->path, w, sizeof(w)))
                        continue;
                if (!ex_sec) {
                        sbuf_printf(&t, "\n[exec]\n");
                        ex_sec = true;
                }
                sbuf_printf(&t, "allow = %s  ; executed %u time%s\n", w, it->execs, it->execs == 1 ? "" : "s");
                if (deny) {
                        /* Lift the base's pattern for this file only: the
                         * other files it matches stay denied. */
                        sbuf_printf(&t, "deny = !%s  ; the base's deny pattern matched %s\n", deny, it->path);
                        glob_t g;
                        if (glob(deny, 0, NULL, &g) == 0) {
                                for (size_t k = 0; k < g.gl_pathc; k++) {
                                        char real[PATH_MAX];
                                        if (!realpath(g.gl_pathv[k], real) || strcmp(real, it->path) == 0 ||
                                            strcmp(g.gl_pathv[k], it->path) == 0)
                                                continue;
                                        if (path_word(g.gl_pathv[k], w, sizeof(w)))
                                                sbuf_printf(&t, "deny = %s  ; still denied (was %s)\n", w, deny);
                                }
                                globfree(&g);
                        }
                }
        }

        /* ---- network ---- */
        bool outside = l->net_outside;
        /* A loopback connect to a port nobody in the sandbox bound is to
         * a service of the host; a bound port is served to the host. */
        for (size_t i = 0; i < l->nconnects && !outside; i++) {
                bool ours = false;
                for (size_t j = 0; j < l->nbinds; j++)
                        ours |= l->connects[i].port == l->binds[j].port;
                outside = !ours;
        }
        bool serves = false;
        for (size_t j = 0; j < l->nbinds; j++) {
                bool self = false;
                for (size_t i = 0; i < l->nconnects; i++)
                        self |= l->connects[i].port == l->binds[j].port;
                serves |= !self;
        }
        if (l->base->net == NET_HOST && !l->nbinds && !l->nconnects && !l->net_outside && !l->abstract) {
                sbuf_printf(&t, "\n[network]\nmode = none  ; no network address and no abstract socket was used "
                                "(the base shared the host's network)\n");
        } else if (l->nbinds || l->nconnects) {
                sbuf_printf(&t, "\n[network]\n");
                if (l->base->net == NET_NONE && (outside || serves))
                        sbuf_printf(&t, "mode = host  ; %s\n",
                            outside ? (l->net_example ? l->net_example : "connected to a service of the host")
                                    : "bound a port that nothing in the sandbox connected to (a server)");
                if (l->nbinds > MAX_PORTS)
                        learn_note(l, "not learned: %zu different ports bound (e.g. %u): random ports, such as a "
                                   "resolver's source ports, are new on every run; if they are TCP ports the "
                                   "program needs, `tcp-bind = any` allows them", l->nbinds, l->binds[0].port);
                else
                        put_ports(&t, "tcp-bind", l->binds, l->nbinds, "bound");
                put_ports(&t, "tcp-connect", l->connects, l->nconnects, "connected to");
        }

        /* ---- seccomp ---- */
        bool sc = false;
        /* One line per group, with every call that needed it. */
        for (size_t i = 0; i < l->nsys; i++) {
                const char *g = group_of(l->sys[i]);
                bool done = false;
                for (size_t k = 0; k < i && !done; k++)
                        done = g && group_of(l->sys[k]) == g;
                if (done)
                        continue;
                if (!sc) {
                        sbuf_printf(&t, "\n[seccomp]\n");
                        sc = true;
                }
                sbuf_printf(&t, "allow = %s  ;", g ? g : l->sys[i]);
                for (size_t k = i; k < l->nsys; k++)
                        if (k == i || (g && group_of(l->sys[k]) == g))
                                sbuf_printf(&t, " %s (%u call%s)", l->sys[k], l->sys_count[k],
                                            l->sys_count[k] == 1 ? "" : "s");
                sbuf_printf(&t, "\n");
        }
        if (l->families) {
                if (!sc) {
                        sbuf_printf(&t, "\n[seccomp]\n");
                        sc = true;
                }
                sbuf_printf(&t, "socket =");
                for (unsigned f = 0; f < 64; f++) {
                        const char *nm = family_name(f);
                        if (l->families & (1ULL << f))
                                sbuf_printf(&t, " %s", nm ? nm : "?");
                }
                sbuf_printf(&t, "  ; socket() of these families\n");
        }
        if (!l->wx && !l->base->sc_wx && !l->proc_writes) {
                if (!sc)
                        sbuf_printf(&t, "\n[seccomp]\n");
                sc = true;
                sbuf_printf(&t, "wx = yes  ; no memory was made both writable and executable (the base allowed it)\n");
        }
        if (l->wx && l->base->sc_wx) {
                if (!sc)
                        sbuf_printf(&t, "\n[seccomp]\n");
                sbuf_printf(&t, "wx = no  ; memory made writable and executable (%s, %u time%s): a JIT\n",
                    l->wx_call ? l->wx_call : "?", l->wx, l->wx == 1 ? "" : "s");
        }
        for (size_t i = 0; i < l->nrefused; i++) {
                const struct syscall_group *g = syscall_dangerous_group(l->refused[i]);
                if (g)
                        learn_note(l, "not learned: %s is always refused (%s); sbx learn never lifts that (a "
                                   "profile can, with `override = %s` in [seccomp], at its own risk)",
                                   l->refused[i], g->name, l->refused[i]);
                else
                        learn_note(l, "not learned: %s was refused by a deny rule of the base profile or by one "
                                   "of sbx's fixed argument rules; sbx learn never lifts those (`sbx run "
                                   "--log-denials` names the rule)", l->refused[i]);
        }
        if (t.err || l->err) {
                r = t.err ? t.err : l->err;
                goto out;
        }

        /* What the rerun keeps: files written below a writable bind of the
         * learned or the base profile that shows the host. */
        for (size_t i = 0; i < l->nwritten;) {
                bool kept = false;
                for (size_t k = 0; k < n && !kept; k++)
                        kept = !cv[k].gone && cv[k].rw && path_under(l->written[i], cv[k].path);
                const struct plan_mount *m = plan_mount_covering(&l->view, l->written[i]);
                kept = kept || (m && m->kind == PM_BIND && !m->readonly && m->src);
                if (!kept)
                        learn_written_drop(l, l->written[i]);
                else
                        i++;
        }
        r = sbuf_take(&t, ret);
out:
        for (size_t i = 0; i < n; i++) {
                free(cv[i].path);
                free(cv[i].example);
        }
        free(cv);
        sbuf_done(&t);
        if (r < 0 && r != -ENOMEM)
                sbx_err_setup(err, r, "learn", "writing the profile");
        return r;
}

