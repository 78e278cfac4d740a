/* plan.c — from a validated policy to the concrete launch plan, built in
 * one place and in this order, each step adding data to the plan that the
 * later ones read (none calls back into an earlier one):
 *   identity and namespaces → the fixed mounts (/dev, /proc, home) → the
 *   policy's mounts → the working directory and file arguments → protected
 *   paths (protect.c) → execution prevention: program checks, pins, masks
 *   (exec.c) → the paths that get EXECUTE (exec.c) → Landlock rules from the
 *   finished view and those paths (landlock.c) → the seccomp program.
 * Parent side: may allocate, touches the OS only to look (stat, realpath,
 * getenv) and to open pinned files.  The child replays the plan (spawn.c).
 * Also renders a plan as text for `sbx run --dry-run` (plan_format.c). */
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include <cap-ng.h>

#include "bindsrc.h"
#include "env.h"
#include "exec.h"
#include "exec_fs.h"
#include "plan.h"
#include "protect.h"
#include "util.h"
#include "wx.h"

char *plan_own(struct plan *plan, char *s)
{
        if (!s)
                return NULL;
        if (plan->nowned + 1 > plan->owned_cap) {
                size_t nc = plan->owned_cap ? plan->owned_cap * 2 : 64;
                char **nv = realloc(plan->owned, nc * sizeof(char *));
                if (!nv) {
                        free(s);
                        return NULL;
                }
                plan->owned = nv;
                plan->owned_cap = nc;
        }
        plan->owned[plan->nowned++] = s;
        return s;
}

static int plan_push(char ***v, size_t *n, size_t *cap, const char *fmt, va_list ap)
{
        char *s = NULL;
        if (vasprintf(&s, fmt, ap) < 0)
                return -ENOMEM;
        if (*n + 2 > *cap) {
                size_t nc = *cap ? *cap * 2 : 8;
                char **nv = realloc(*v, nc * sizeof(char *));
                if (!nv) {
                        free(s);
                        return -ENOMEM;
                }
                *v = nv;
                *cap = nc;
        }
        (*v)[(*n)++] = s;
        (*v)[*n] = NULL;
        return 0;
}

int plan_warn(struct plan *plan, const char *fmt, ...)
{
        va_list ap;
        va_start(ap, fmt);
        int r = plan_push(&plan->warnings, &plan->nwarnings, &plan->warnings_cap, fmt, ap);
        va_end(ap);
        return r;
}

int plan_note(struct plan *plan, const char *fmt, ...)
{
        va_list ap;
        va_start(ap, fmt);
        int r = plan_push(&plan->notes, &plan->nnotes, &plan->notes_cap, fmt, ap);
        va_end(ap);
        return r;
}

int plan_add_mount(struct plan *plan, const struct plan_mount *m)
{
        if (plan->nmounts + 1 > plan->cap) {
                size_t nc = plan->cap ? plan->cap * 2 : 32;
                struct plan_mount *nv = realloc(plan->mounts, nc * sizeof(*nv));
                if (!nv)
                        return -ENOMEM;
                plan->mounts = nv;
                plan->cap = nc;
        }
        plan->mounts[plan->nmounts++] = *m;
        return 0;
}

/* Does `path` lie at or beneath `dir` (both normalised, absolute)? */
static const char *path_under(const char *path, const char *dir)
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

const struct plan_mount *plan_mount_covering(const struct plan *plan, const char *inside)
{
        const struct plan_mount *best = NULL;
        size_t best_len = 0;
        for (size_t i = 0; i < plan->nmounts; i++) {
                const struct plan_mount *m = &plan->mounts[i];
                /* A re-bind shows what lies beneath it. */
                if (m->kind == PM_SYMLINK || m->kind == PM_DIR || m->kind == PM_REBIND)
                        continue;
                if (!path_under(inside, m->dst))
                        continue;
                size_t l = strlen(m->dst);
                if (!best || l >= best_len) {
                        best = m;
                        best_len = l;
                }
        }
        return best;
}

int plan_host_path(const struct plan *plan, const char *inside, char **ret)
{
        const struct plan_mount *m = plan_mount_covering(plan, inside);
        if (!m || m->kind != PM_BIND || !m->src)
                return -ENOENT;
        const char *rest = path_under(inside, m->dst);
        char *s = NULL;
        if (asprintf(&s, "%s%s", strcmp(m->src, "/") == 0 && *rest ? "" : m->src, rest) < 0)
                return -ENOMEM;
        *ret = s;
        return 0;
}

static int add(struct plan *plan, enum plan_mount_kind kind, const char *src, const char *dst,
               bool ro, bool noexec, const char *data, const struct sbx_loc *loc)
{
        struct plan_mount m = {
                .kind = kind, .src = src, .src_fd = -1, .dst = dst, .readonly = ro,
                .noexec = noexec, .data = data, .loc = loc,
        };
        if (kind == PM_BIND && src) {
                struct stat st;
                if (stat(src, &st) < 0)
                        return -errno;
                m.src_is_dir = S_ISDIR(st.st_mode);
        }
        return plan_add_mount(plan, &m);
}

/* The fixed parts of every view: /dev, /proc, home, and the masks that
 * keep the kernel's sensitive /proc files out of reach. */
static const char *const proc_masked_files[] = {
        "/proc/kcore", "/proc/kmsg", "/proc/sysrq-trigger", "/proc/timer_list",
        "/proc/keys", "/proc/key-users", "/proc/latency_stats", "/proc/sched_debug",
        "/proc/kallsyms", "/proc/kpagecount", "/proc/kpageflags", "/proc/kpagecgroup",
        "/proc/config.gz", "/proc/vmallocinfo", "/proc/slabinfo",
};
static const char *const proc_masked_dirs[] = {
        "/proc/acpi", "/proc/scsi", "/proc/driver",
};
/* Read, but never written: sysctls and device/irq settings. */
static const char *const proc_readonly[] = {
        "/proc/sys", "/proc/bus", "/proc/fs", "/proc/irq",
};
static const char *const dev_nodes[] = {
        "/dev/null", "/dev/zero", "/dev/full", "/dev/random", "/dev/urandom", "/dev/tty",
};

static int add_fixed(struct plan *plan, const struct sbx_policy *p)
{
        int r;
        char *data;

        /* /dev: a private tmpfs with the harmless nodes bound from the host
         * (a user namespace cannot mknod), a private devpts, a noexec shm. */
        r = add(plan, PM_TMPFS, NULL, "/dev", false, true, "mode=0755,size=64k", NULL);
        for (size_t i = 0; r >= 0 && i < ARRAY_SIZE(dev_nodes); i++) {
                struct stat st;
                if (stat(dev_nodes[i], &st) < 0)
                        continue;
                r = add(plan, PM_BIND, dev_nodes[i], dev_nodes[i], false, true, NULL, NULL);
                if (r >= 0)
                        plan->mounts[plan->nmounts - 1].dev = true;
        }
        if (r >= 0)
                r = add(plan, PM_DEVPTS, NULL, "/dev/pts", false, true, NULL, NULL);
        if (r >= 0)
                r = add(plan, PM_SYMLINK, "pts/ptmx", "/dev/ptmx", false, false, NULL, NULL);
        if (r >= 0)
                r = add(plan, PM_TMPFS, NULL, "/dev/shm", false, !p->writable_exec, "mode=1777",
                        NULL);
        if (r >= 0)
                r = add(plan, PM_SYMLINK, "/proc/self/fd", "/dev/fd", false, false, NULL, NULL);
        if (r >= 0)
                r = add(plan, PM_SYMLINK, "/proc/self/fd/0", "/dev/stdin", false, false, NULL, NULL);
        if (r >= 0)
                r = add(plan, PM_SYMLINK, "/proc/self/fd/1", "/dev/stdout", false, false, NULL, NULL);
        if (r >= 0)
                r = add(plan, PM_SYMLINK, "/proc/self/fd/2", "/dev/stderr", false, false, NULL, NULL);
        if (r < 0)
                return r;

        if (p->proc != PROC_NONE) {
                /* wx: /proc/PID/mem writes ignore page protections (FOLL_FORCE). */
                r = add(plan, PM_PROC, NULL, "/proc", p->sc_wx, true, NULL, NULL);
                if (r < 0)
                        return r;
                if (p->proc == PROC_MASKED) {
                        for (size_t i = 0; i < ARRAY_SIZE(proc_masked_files); i++) {
                                struct plan_mount m = { .kind = PM_MASK, .src_fd = -1,
                                                        .dst = proc_masked_files[i],
                                                        .readonly = true, .noexec = true,
                                                        .optional = true };
                                if ((r = plan_add_mount(plan, &m)) < 0)
                                        return r;
                        }
                        for (size_t i = 0; i < ARRAY_SIZE(proc_masked_dirs); i++) {
                                struct plan_mount m = { .kind = PM_MASK, .src_fd = -1,
                                                        .dst = proc_masked_dirs[i],
                                                        .src_is_dir = true, .readonly = true,
                                                        .noexec = true, .optional = true };
                                if ((r = plan_add_mount(plan, &m)) < 0)
                                        return r;
                        }
                        for (size_t i = 0; i < ARRAY_SIZE(proc_readonly); i++) {
                                struct plan_mount m = { .kind = PM_REBIND, .src_fd = -1,
                                                        .dst = proc_readonly[i], .src_is_dir = true,
                                                        .readonly = true, .noexec = true,
                                                        .optional = true };
                                if ((r = plan_add_mount(plan, &m)) < 0)
                                        return r;
                        }
                }
        }
        if (p->sys == SYS_RO && (r = add(plan, PM_BIND, "/sys", "/sys", true, true, NULL, NULL)) < 0)
                return r;

        if (p->home == HOME_TMPFS && plan->home && strcmp(plan->home, "/") != 0) {
                if (asprintf(&data, "mode=0700,uid=%u,gid=%u", plan->inside_uid,
                             plan->inside_gid) < 0)
                        return -ENOMEM;
                if (!plan_own(plan, data))
                        return -ENOMEM;
                r = add(plan, PM_TMPFS, NULL, plan->home, false, !p->writable_exec, data, NULL);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* Add the bind m of the source b opened once; the plan owns b's fd from
 * here on (closed by plan_done()), or it is closed on failure. */
static int add_opened(struct plan *plan, struct plan_mount *m, struct bindsrc *b)
{
        _cleanup_close_ int fd = TAKE_FD(b->fd);
        m->kind = PM_BIND;
        m->src = plan_own(plan, strdup(b->path));
        if (!m->src)
                return -ENOMEM;
        m->src_dev = b->st.st_dev;
        m->src_ino = b->st.st_ino;
        m->src_is_dir = S_ISDIR(b->st.st_mode);
        m->src_fd = fd;
        int r = plan_add_mount(plan, m);
        if (r >= 0)
                TAKE_FD(fd);
        return r;
}

/* A bind whose source was reached through a symlink a sandbox could have
 * planted (`~/Downloads -> ~`) shows what the link's owner chose.  That is
 * only harmless when the target is shown anyway: inside another bind of
 * the profile that reaches no such link and is writable if this one is. */
struct planted {
        size_t mount;
        const char *typed; /* the source as the profile names it */
        char *link;
        uid_t uid;
};

static int check_planted(const struct plan *plan, size_t first, const struct planted *v, size_t n,
                         size_t k, struct sbx_error **err)
{
        const struct plan_mount *m = &plan->mounts[v[k].mount];
        for (size_t j = first; j < plan->nmounts; j++) {
                const struct plan_mount *o = &plan->mounts[j];
                bool via_link = false;
                for (size_t q = 0; q < n && !via_link; q++)
                        via_link = v[q].mount == j;
                if (via_link || o->kind != PM_BIND || (o->readonly && !m->readonly))
                        continue;
                if (path_under(m->src, o->src))
                        return 0;
        }
        return sbx_err_at(err, -ELOOP, m->loc->file, m->loc->line,
                          "bind source %s goes through the symlink %s (owned by uid %u), which a "
                          "sandbox could have made, to %s; bind the target by its own name if "
                          "that is meant, or remove the link",
                          v[k].typed, v[k].link, (unsigned)v[k].uid, m->src);
}

static int add_policy_mounts(struct plan *plan, const struct sbx_policy *p, struct sbx_error **err)
{
        size_t first = plan->nmounts;
        struct planted *planted = NULL;
        size_t nplanted = 0;
        int r = 0;

        for (size_t i = 0; i < p->skipped.n; i++)
                if (plan_note(plan, "%s:%u: %s", p->skipped.loc[i].file, p->skipped.loc[i].line,
                              p->skipped.v[i]) < 0)
                        return -ENOMEM;
        for (size_t i = 0; r >= 0 && i < p->mounts.n; i++) {
                const struct mount_op *o = &p->mounts.v[i];
                struct plan_mount m = { .src_fd = -1, .src = o->src, .dst = o->dst,
                                        .loc = &o->loc, .optional = o->flags & MOUNT_F_OPTIONAL };
                bool exec_ok = (o->flags & MOUNT_F_EXEC) || p->writable_exec;
                switch (o->kind) {
                case MOUNT_BIND:
                case MOUNT_RO_BIND:
                case MOUNT_DEV: {
                        struct bindsrc b;
                        r = bindsrc_open(o->src, 0, &b);
                        if (r < 0 && m.optional && (r == -ENOENT || r == -ENOTDIR)) {
                                r = plan_note(plan, "%s:%u: %s does not exist, not bound",
                                              o->loc.file, o->loc.line, o->src);
                                continue;
                        }
                        if (r < 0) {
                                r = sbx_err_at(err, r, o->loc.file, o->loc.line, "bind source %s: %s",
                                               o->src, strerror(-r));
                                break;
                        }
                        m.readonly = o->kind == MOUNT_RO_BIND;
                        m.noexec = o->kind != MOUNT_RO_BIND && !exec_ok;
                        m.dev = o->kind == MOUNT_DEV;
                        if (b.link[0]) {
                                struct planted *nv = realloc(planted, (nplanted + 1) * sizeof(*nv));
                                char *l = strdup(b.link);
                                if (!nv || !l) {
                                        free(l);
                                        free(nv ? nv : planted);
                                        planted = NULL;
                                        nplanted = 0;
                                        close(b.fd);
                                        r = -ENOMEM;
                                        break;
                                }
                                planted = nv;
                                planted[nplanted++] = (struct planted){ plan->nmounts, o->src, l, b.link_uid };
                        }
                        r = add_opened(plan, &m, &b);
                        continue;
                }
                case MOUNT_TMPFS:
                        m.kind = PM_TMPFS;
                        m.src = NULL;
                        m.noexec = !exec_ok;
                        m.data = "mode=1777";
                        break;
                case MOUNT_DIR:
                        m.kind = PM_DIR;
                        m.src = NULL;
                        break;
                case MOUNT_SYMLINK:
                        m.kind = PM_SYMLINK;
                        break;
                }
                if (r >= 0)
                        r = plan_add_mount(plan, &m);
        }
        for (size_t k = 0; k < nplanted; k++) {
                if (r >= 0)
                        r = check_planted(plan, first, planted, nplanted, k, err);
                free(planted[k].link);
        }
        free(planted);
        return r;
}

static bool path_visible(const struct plan *plan, const char *inside)
{
        const struct plan_mount *m = plan_mount_covering(plan, inside);
        return m && m->kind == PM_BIND;
}

/* Shown inside at its own path, as this very host path? */
static bool shown_as_itself(const struct plan *plan, const char *path)
{
        _cleanup_free_ char *host = NULL;
        return plan_host_path(plan, path, &host) >= 0 && strcmp(host, path) == 0;
}

static const char *type_name(mode_t mode)
{
        return S_ISDIR(mode) ? "a directory" : S_ISSOCK(mode) ? "a socket" : S_ISFIFO(mode) ? "a fifo"
               : S_ISCHR(mode) || S_ISBLK(mode) ? "a device" : "not a regular file";
}

static bool has_dotdot(const char *path)
{
        for (const char *s = path; (s = strstr(s, "..")); s += 2)
                if ((s == path || s[-1] == '/') && (s[2] == 0 || s[2] == '/'))
                        return true;
        return false;
}

/* One file argument: exactly the file named (issue 17).  0 with *ret
 * filled and open, 1 when the argument names nothing to bind (it does not
 * exist: an option value, a URL, an output file), or an error for an
 * existing argument that is refused. */
static int open_argument(const struct sbx_policy *p, const char *a, struct bindsrc *ret,
                         struct sbx_error **err)
{
        struct stat st;
        if (has_dotdot(a)) {
                /* Lexically: what a '..' leads to depends on which links
                 * on the way were followed. */
                if (fstatat(AT_FDCWD, a, &st, AT_SYMLINK_NOFOLLOW) < 0)
                        return 1;
                return sbx_err_kind(err, SBX_ERROR_PROFILE, -EPERM, NULL,
                                    "argument %s: has a '..' component; name the file itself", a);
        }
        int r = bindsrc_open(a, BINDSRC_NOFOLLOW_LAST | BINDSRC_REFUSE_PLANTED, ret);
        if (r == -ENOENT || r == -ENOTDIR || r == -EACCES || r == -ENAMETOOLONG)
                return 1;
        if (r == -ELOOP && ret->refusal == BINDSRC_LAST_LINK)
                return sbx_err_kind(err, SBX_ERROR_PROFILE, r, NULL,
                                    "argument %s: is a symlink; name the file itself", a);
        if (r == -ELOOP && ret->refusal == BINDSRC_PLANTED)
                return sbx_err_kind(err, SBX_ERROR_PROFILE, r, NULL,
                                    "argument %s: goes through the symlink %s (owned by uid %u), "
                                    "which a sandbox could have made; name the file by its real path",
                                    a, ret->link, (unsigned)ret->link_uid);
        if (r < 0)
                return sbx_err_kind(err, SBX_ERROR_PROFILE, r, NULL, "argument %s: %s", a, strerror(-r));
        const char *why = NULL;
        if (S_ISDIR(ret->st.st_mode) && !p->args_dirs)
                why = "is a directory; only files are bound (args-dirs = yes allows directories)";
        else if (S_ISDIR(ret->st.st_mode) && strcmp(ret->path, "/") == 0)
                why = "is the root directory";
        else if (!S_ISDIR(ret->st.st_mode) && !S_ISREG(ret->st.st_mode))
                why = type_name(ret->st.st_mode);
        if (why) {
                close(TAKE_FD(ret->fd));
                return sbx_err_kind(err, SBX_ERROR_PROFILE, -EPERM, NULL, "argument %s: %s%s", a,
                                    S_ISDIR(ret->st.st_mode) || S_ISREG(ret->st.st_mode) ? "" : "is ",
                                    why);
        }
        return 0;
}

/* Binds that make the working directory and file arguments visible.  cwd:
 * the caller's working directory, opened (fd -1 when not bound). */
static int add_caller_paths(struct plan *plan, const struct sbx_policy *p, struct bindsrc *cwd,
                            const char *const *argv, struct sbx_error **err)
{
        int r;
        if (cwd->fd >= 0 && !path_visible(plan, cwd->path)) {
                struct plan_mount m = { .dst = plan_own(plan, strdup(cwd->path)),
                                        .readonly = p->cwd_bind == CWD_RO,
                                        .noexec = !p->writable_exec && p->cwd_bind == CWD_RW };
                if (!m.dst || (r = add_opened(plan, &m, cwd)) < 0)
                        return sbx_err_setup(err, -ENOMEM, "plan", "working directory");
        }
        if (p->args == ARGS_NONE || !argv)
                return 0;
        for (size_t i = 1; argv[i]; i++) {
                const char *a = argv[i];
                if (a[0] == '-')
                        continue;
                struct bindsrc b;
                if ((r = open_argument(p, a, &b, err)) < 0)
                        return r;
                if (r > 0 || shown_as_itself(plan, b.path)) {
                        if (r == 0)
                                close(b.fd);
                        continue;
                }
                struct plan_mount m = { .dst = plan_own(plan, strdup(b.path)),
                                        .readonly = p->args == ARGS_RO, .noexec = true };
                if (!m.dst || (r = add_opened(plan, &m, &b)) < 0) {
                        if (b.fd >= 0)
                                close(b.fd);
                        return sbx_err_setup(err, -ENOMEM, "plan", "file arguments");
                }
                /* A relative argument only means the same thing inside when
                 * the working directory is the same. */
        }
        return 0;
}

static size_t depth(const char *path)
{
        size_t d = 0;
        for (const char *s = path; *s; s++)
                if (*s == '/' && s[1])
                        d++;
        return d;
}

/* Parents before children; among equals, keep the order given (later
 * profile lines were validated to have distinct destinations). */
static void sort_mounts(struct plan *plan)
{
        for (size_t i = 1; i < plan->nmounts; i++) {
                struct plan_mount m = plan->mounts[i];
                size_t d = depth(m.dst), j = i;
                while (j > 0 && depth(plan->mounts[j - 1].dst) > d) {
                        plan->mounts[j] = plan->mounts[j - 1];
                        j--;
                }
                plan->mounts[j] = m;
        }
}

static int resolve_program(struct plan *plan, const char *file, struct sbx_error **err)
{
        char real[PATH_MAX];
        if (strchr(file, '/')) {
                if (!realpath(file, real))
                        return sbx_err_kind(err, errno == ENOENT ? SBX_ERROR_NOT_FOUND : SBX_ERROR_EXEC,
                                            -errno, "exec", "%s: %s", file, strerror(errno));
        } else {
                const char *path = getenv("PATH");
                if (!path || !*path)
                        path = "/usr/local/bin:/usr/bin:/bin";
                bool found = false;
                while (*path && !found) {
                        size_t n = strcspn(path, ":");
                        char cand[PATH_MAX];
                        if (n > 0 && n + strlen(file) + 2 < sizeof(cand)) {
                                snprintf(cand, sizeof(cand), "%.*s/%s", (int)n, path, file);
                                if (access(cand, X_OK) == 0 && realpath(cand, real))
                                        found = true;
                        }
                        path += n + (path[n] == ':');
                }
                if (!found)
                        return sbx_err_kind(err, SBX_ERROR_NOT_FOUND, -ENOENT, "exec",
                                            "%s: not found in PATH", file);
        }
        struct stat st;
        if (stat(real, &st) < 0 || !S_ISREG(st.st_mode))
                return sbx_err_kind(err, SBX_ERROR_EXEC, -EACCES, "exec", "%s: not a regular file",
                                    real);
        plan->host_exec_path = plan_own(plan, strdup(real));
        if (!plan->host_exec_path)
                return -ENOMEM;
        /* The program runs at the same path inside; it must be visible there
         * through a bind of the same host file. */
        _cleanup_free_ char *host = NULL;
        if (plan_host_path(plan, real, &host) < 0 || strcmp(host, real) != 0)
                return sbx_err_kind(err, SBX_ERROR_EXEC, -ENOENT, "exec",
                                    "%s is not visible inside the sandbox (add a ro-bind for it "
                                    "to the profile, or --ro-bind)", real);
        plan->exec_path = plan->host_exec_path;
        return 0;
}

static int identity(struct plan *plan, const struct sbx_policy *p)
{
        plan->host_uid = getuid();
        plan->host_gid = getgid();
        plan->caller_is_root = plan->host_uid == 0;
        if (plan->caller_is_root && !p->keep_root) {
                /* Root's authority stays outside: the program runs as the
                 * overflow user on the host side. */
                plan->map_uid = 65534;
                plan->map_gid = 65534;
                plan->inside_uid = p->uid >= 0 ? (uid_t)p->uid : 65534;
                plan->inside_gid = p->gid >= 0 ? (gid_t)p->gid : 65534;
        } else {
                plan->map_uid = plan->host_uid;
                plan->map_gid = plan->host_gid;
                plan->inside_uid = p->uid >= 0 ? (uid_t)p->uid : plan->host_uid;
                plan->inside_gid = p->gid >= 0 ? (gid_t)p->gid : plan->host_gid;
        }
        if (!p->ns_user && plan->inside_uid != plan->map_uid)
                plan->inside_uid = plan->map_uid, plan->inside_gid = plan->map_gid;

        unsigned long f = 0;
        if (p->ns_user)
                f |= CLONE_NEWUSER;
        if (p->ns_mount)
                f |= CLONE_NEWNS;
        if (p->ns_pid)
                f |= CLONE_NEWPID;
        if (p->ns_ipc)
                f |= CLONE_NEWIPC;
        if (p->ns_uts)
                f |= CLONE_NEWUTS;
        if (p->ns_cgroup)
                f |= CLONE_NEWCGROUP;
        if (p->net == NET_NONE)
                f |= CLONE_NEWNET;
        plan->clone_flags = f;
        plan->loopback = p->net == NET_NONE;
        plan->hostname = p->ns_uts ? (p->hostname ? p->hostname : "sbx") : NULL;
        return 0;
}

static int caps_mask(const struct sbx_policy *p, uint64_t *ret, struct sbx_error **err)
{
        uint64_t m = 0;
        for (size_t i = 0; i < p->caps_keep.n; i++) {
                const char *n = p->caps_keep.v[i];
                if (strncasecmp(n, "cap_", 4) == 0)
                        n += 4;
                int c = capng_name_to_capability(n);
                if (c < 0 || c >= 64)
                        return sbx_err_at(err, -EINVAL, p->caps_keep.loc[i].file,
                                          p->caps_keep.loc[i].line, "unknown capability %s",
                                          p->caps_keep.v[i]);
                m |= UINT64_C(1) << c;
        }
        *ret = m;
        return 0;
}

int plan_build(const struct sbx_policy *p, const struct sbx_spawn_options *o, struct plan *plan,
               struct sbx_error **err)
{
        int r;
        memset(plan, 0, sizeof(*plan));
        plan->policy = p;
        plan->log_fd = -1;
        plan->stdio[0] = plan->stdio[1] = plan->stdio[2] = -1;

        if (!o || o->size < offsetof(struct sbx_spawn_options, log_fd) + sizeof(int) || !o->file)
                return sbx_err_kind(err, SBX_ERROR_INTERNAL, -EINVAL, "spawn", "bad spawn options");
        if ((r = sbx_policy_validate(p, err)) < 0)
                return r;
        if (!p->ns_mount && p->mounts.n > 0)
                return sbx_err_kind(err, SBX_ERROR_PROFILE, -EINVAL, NULL,
                                    "[namespaces] mount = no leaves no filesystem view to build");
        if (!p->ns_user && !plan->caller_is_root && getuid() != 0)
                return sbx_err_kind(err, SBX_ERROR_SETUP, -EPERM, "namespaces",
                                    "[namespaces] user = no needs root");

        identity(plan, p);
        plan->spawn_flags = o->flags;
        plan->log_fd = o->log_fd;
        plan->log_denials = o->flags & SBX_SPAWN_LOG_DENIALS;
        plan->new_session = p->new_session && !(o->flags & SBX_SPAWN_NO_NEW_SESSION);
        memcpy(plan->rlimits, p->rlimits, sizeof(plan->rlimits));
        if ((r = caps_mask(p, &plan->caps_keep, err)) < 0)
                return r;

        const char *home = getenv("HOME");
        if (plan->caller_is_root && !p->keep_root)
                home = "/nonexistent";
        if (!home || home[0] != '/')
                home = "/";
        plan->home = home;

        /* The working directory bound is the caller's own (open(".")), not
         * whatever its path leads to by the time the sandbox is set up. */
        _cleanup_(bindsrc_done) struct bindsrc cwd = { .fd = -1 };
        char cwdbuf[PATH_MAX];
        const char *caller_cwd = NULL;
        if (p->ns_mount && p->cwd_bind != CWD_NONE) {
                if (bindsrc_open_cwd(&cwd) >= 0)
                        caller_cwd = cwd.path;
        } else if (getcwd(cwdbuf, sizeof(cwdbuf)))
                caller_cwd = cwdbuf;
        if (o->cwd)
                plan->cwd = o->cwd;
        else if (p->cwd)
                plan->cwd = p->cwd;
        else if (caller_cwd)
                plan->cwd = plan_own(plan, strdup(caller_cwd));
        if (plan->home == NULL || (plan->cwd == NULL && caller_cwd))
                return -ENOMEM;

        if (p->ns_mount) {
                if ((r = add_fixed(plan, p)) < 0)
                        return sbx_err_setup(err, r, "plan", "fixed mounts");
                if ((r = add_policy_mounts(plan, p, err)) < 0)
                        return r;
                if ((r = add_caller_paths(plan, p, &cwd, o->argv, err)) < 0)
                        return r;
                sort_mounts(plan);
                if ((r = protect_plan(p, plan, err)) < 0)
                        return r;
                sort_mounts(plan);
        }

        if ((r = resolve_program(plan, o->file, err)) < 0)
                return r;

        /* argv: given, or { file }. */
        size_t argc = 0;
        if (o->argv)
                while (o->argv[argc])
                        argc++;
        plan->argv = calloc(argc + 2, sizeof(char *));
        if (!plan->argv)
                return -ENOMEM;
        if (argc == 0)
                plan->argv[0] = plan_own(plan, strdup(o->file));
        for (size_t i = 0; i < argc; i++)
                plan->argv[i] = plan_own(plan, strdup(o->argv[i]));

        if ((r = env_build(p, plan->home, plan->inside_uid, &plan->envp)) < 0)
                return sbx_err_setup(err, r, "environment", "building the environment");

        plan->stdio[0] = o->stdin_fd;
        plan->stdio[1] = o->stdout_fd;
        plan->stdio[2] = o->stderr_fd;
        if (o->n_keep_fds) {
                plan->keep_fds = calloc(o->n_keep_fds, sizeof(int));
                if (!plan->keep_fds)
                        return -ENOMEM;
                memcpy(plan->keep_fds, o->keep_fds, o->n_keep_fds * sizeof(int));
                plan->nkeep = o->n_keep_fds;
        }

        if (p->ns_mount && (r = exec_prepare(p, plan, err)) < 0)
                return r;
        if (p->ns_mount)
                sort_mounts(plan);
        if ((r = limits_plan_build(plan, p, err)) < 0 || (r = wx_plan(plan, p, err)) < 0)
                return r;
        if (p->landlock && (r = exec_allowed_paths(p, plan, &plan->exec_paths)) < 0)
                return sbx_err_setup(err, r, "plan", "[exec] allow");
        r = landlock_prepare(p, plan, &plan->landlock, err);
        exec_fs_free(TAKE_PTR(plan->exec_fs));
        if (r < 0)
                return r;
        if (plan->nprotect_ll > 0 && !plan->landlock.enabled)
                return sbx_err_kind(err, SBX_ERROR_SETUP, -EOPNOTSUPP, "protect",
                                    "%s does not exist (or is a symlink) under a writable bind, and "
                                    "this kernel has no Landlock to stop a sandbox creating it; "
                                    "bind a narrower directory",
                                    plan->protect_ll[0]);
        if (p->seccomp) {
                unsigned f = SC_SUPERVISED;
                if (plan->log_denials)
                        f |= SC_LOG_DENIALS;
                if ((r = seccomp_compile(p, f, &plan->seccomp, err)) < 0)
                        return r;
        }
        plan->tree_fds = malloc((plan->nmounts + 1) * sizeof(int));
        if (!plan->tree_fds)
                return -ENOMEM;
        for (size_t i = 0; i < plan->nmounts; i++)
                plan->tree_fds[i] = -1;
        return 0;
}

void plan_done(struct plan *plan)
{
        if (!plan)
                return;
        for (size_t i = 0; i < plan->nmounts; i++)
                if (plan->mounts[i].src_fd >= 0)
                        close(plan->mounts[i].src_fd);
        free(plan->mounts);
        free(plan->argv);
        sbx_strv_free(plan->envp);
        free(plan->keep_fds);
        free(plan->tree_fds);
        free(plan->protect_ll);
        sbx_strv_free(plan->exec_paths);
        exec_fs_free(plan->exec_fs);
        landlock_plan_done(&plan->landlock);
        seccomp_prog_done(&plan->seccomp);
        for (size_t i = 0; i < plan->nwarnings; i++)
                free(plan->warnings[i]);
        free(plan->warnings);
        for (size_t i = 0; i < plan->nnotes; i++)
                free(plan->notes[i]);
        free(plan->notes);
        for (size_t i = 0; i < plan->nowned; i++)
                free(plan->owned[i]);
        free(plan->owned);
        memset(plan, 0, sizeof(*plan));
}

int plan_build_self(const struct sbx_policy *p, struct plan *plan, struct sbx_error **err)
{
        int r;
        memset(plan, 0, sizeof(*plan));
        plan->policy = p;
        plan->log_fd = -1;
        plan->stdio[0] = plan->stdio[1] = plan->stdio[2] = -1;
        if ((r = sbx_policy_validate(p, err)) < 0)
                return r;
        /* The caller keeps its identity; only capabilities go. */
        plan->host_uid = plan->map_uid = plan->inside_uid = geteuid();
        plan->host_gid = plan->map_gid = plan->inside_gid = getegid();
        plan->caller_is_root = plan->host_uid == 0;
        plan->self = true;
        if ((r = caps_mask(p, &plan->caps_keep, err)) < 0)
                return r;
        /* The process sees the host tree: a bind's Landlock rule applies to
         * its source path. */
        for (size_t i = 0; i < p->mounts.n; i++) {
                const struct mount_op *o = &p->mounts.v[i];
                if (o->kind != MOUNT_BIND && o->kind != MOUNT_RO_BIND && o->kind != MOUNT_DEV)
                        continue;
                struct stat st;
                if (stat(o->src, &st) < 0) {
                        if (o->flags & MOUNT_F_OPTIONAL)
                                continue;
                        return sbx_err_at(err, -errno, o->loc.file, o->loc.line, "%s: %s", o->src,
                                          strerror(errno));
                }
                struct plan_mount m = { .kind = PM_BIND, .src = o->src, .dst = o->src, .src_fd = -1,
                                        .src_is_dir = S_ISDIR(st.st_mode),
                                        .readonly = o->kind == MOUNT_RO_BIND,
                                        .noexec = o->kind != MOUNT_RO_BIND && !(o->flags & MOUNT_F_EXEC),
                                        .loc = &o->loc };
                if ((r = plan_add_mount(plan, &m)) < 0)
                        return r;
        }
        if (p->landlock && (r = exec_allowed_paths(p, plan, &plan->exec_paths)) < 0)
                return sbx_err_setup(err, r, "plan", "[exec] allow");
        if ((r = landlock_prepare(p, plan, &plan->landlock, err)) < 0)
                return r;
        if (p->seccomp && (r = seccomp_compile(p, SC_SELF, &plan->seccomp, err)) < 0)
                return r;
        return wx_plan(plan, p, err);
}
