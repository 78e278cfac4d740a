/* plan_build.c — from a validated policy to the concrete launch plan, built
 * in one place and in this order, each step adding data to the plan that the
 * later ones read (none calls back into an earlier one):
 *   identity and namespaces → the fixed mounts (/dev, /proc, home) → the
 *   policy's mounts → the working directory and file arguments → masked
 *   credential stores (secrets.c) → protected
 *   paths (protect.c) → execution prevention: program checks, pins, masks
 *   (exec.c) → the paths that get EXECUTE (exec.c) → Landlock rules from the
 *   finished view and those paths (landlock.c) → the seccomp program.
 * The builder depends on every stage; the stages depend only on the plan's
 * data (plan.c), never on this file.
 * Parent side: may allocate, touches the OS only to look (stat, realpath,
 * getenv) and to open bind sources (resolve.c) and pinned files.  The
 * child replays the plan (launch/spawn.c). */
#include <fcntl.h>
#include <sched.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include <cap-ng.h>

#include "plan/caveats.h"
#include "plan/dbus.h"
#include "plan/x11.h"
#include "plan/a11y.h"
#include "profile/env.h"
#include "plan/exec.h"
#include "plan/exec_fs.h"
#include "plan/net.h"
#include "plan/listen.h"
#include "plan/plan.h"
#include "plan/protect.h"
#include "plan/resolve.h"
#include "plan/secrets.h"
#include "base/util.h"
#include "plan/wx.h"

static struct resolve_ctx caller_ctx(const struct plan *plan)
{
        const char *home = getenv("HOME");
        return (struct resolve_ctx){ .caller_is_root = plan->caller_is_root,
                                     .home = home && home[0] == '/' ? home : NULL };
}

/* A bind of the object `res` (ownership of its fd and path passes to the
 * plan): what is mounted is that object, whatever happens to its name. */
static int add_opened(struct plan *plan, struct plan_mount *m, struct resolved *res)
{
        m->kind = PM_BIND;
        m->src = plan_own(plan, TAKE_PTR(res->path));
        if (!m->src)
                return -ENOMEM;
        m->src_is_dir = S_ISDIR(res->st.st_mode);
        m->src_fd = res->fd;
        m->src_dev = res->st.st_dev;
        m->src_ino = res->st.st_ino;
        int r = plan_add_mount(plan, m);
        if (r >= 0)
                res->fd = -1;
        return r;
}

static int add(struct plan *plan, enum plan_mount_kind kind, const char *src, const char *dst,
               bool ro, bool noexec, const char *data, const struct sbx_loc *loc)
{
        struct plan_mount m = {
                .kind = kind, .src = src, .src_fd = -1, .dst = dst, .readonly = ro,
                .noexec = noexec, .data = data, .loc = loc,
        };
        if (kind == PM_BIND && src) {
                /* Fixed system paths: no plantable link is acceptable. */
                struct resolve_ctx c = caller_ctx(plan);
                struct resolved res = { .fd = -1 };
                int r = resolve_open(&c, AT_FDCWD, src, RSV_NO_PLANTABLE, &res, NULL);
                if (r >= 0)
                        r = add_opened(plan, &m, &res);
                resolved_done(&res);
                return r;
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
                r = add(plan, PM_BIND, dev_nodes[i], dev_nodes[i], false, true, NULL, NULL);
                if (r == -ENOENT || r == -EACCES)
                        r = 0; /* not on this host, or not for this user: not offered */
                else if (r >= 0)
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

        /* Learning shows the host's home (overlaid); a private one only
         * where the host has none (a root caller's /nonexistent). */
        struct stat hst;
        bool learn_home = (plan->spawn_flags & SBX_SPAWN_LEARN) && plan->home && lstat(plan->home, &hst) == 0;
        if (p->home == HOME_TMPFS && plan->home && strcmp(plan->home, "/") != 0 && !learn_home) {
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

static bool is_bind(const struct mount_op *o)
{
        return o->kind == MOUNT_BIND || o->kind == MOUNT_RO_BIND || o->kind == MOUNT_DEV;
}

/* Open every bind source of the policy once (resolve.c).  A source reached
 * through a plantable symlink is accepted only when the object it names
 * lies inside what another bind of the same policy opened without one, and
 * that bind is at least as permissive (writable when this one is). */
static int open_policy_sources(struct plan *plan, const struct sbx_policy *p, struct resolved *res,
                               int *rc, char **why)
{
        struct resolve_ctx c = caller_ctx(plan);
        bool retry = false;
        for (size_t i = 0; i < p->mounts.n; i++) {
                if (!is_bind(&p->mounts.v[i]))
                        continue;
                rc[i] = resolve_open(&c, AT_FDCWD, p->mounts.v[i].src, RSV_NO_PLANTABLE, &res[i],
                                     &why[i]);
                retry = retry || rc[i] == -ELOOP;
        }
        if (!retry)
                return 0;
        const char **places = calloc(p->mounts.n + 1, sizeof(char *));
        if (!places)
                return -ENOMEM;
        for (size_t i = 0; i < p->mounts.n; i++) {
                const struct mount_op *o = &p->mounts.v[i];
                if (!is_bind(o) || rc[i] != -ELOOP)
                        continue;
                size_t n = 0;
                for (size_t j = 0; j < p->mounts.n; j++) {
                        const struct mount_op *q = &p->mounts.v[j];
                        if (j != i && is_bind(q) && rc[j] >= 0 && q->kind != MOUNT_DEV &&
                            (o->kind == MOUNT_RO_BIND || q->kind != MOUNT_RO_BIND))
                                places[n++] = res[j].path;
                }
                c.allowed = places;
                c.nallowed = n;
                free(why[i]);
                why[i] = NULL;
                rc[i] = resolve_open(&c, AT_FDCWD, o->src, 0, &res[i], &why[i]);
        }
        free(places);
        return 0;
}

static int add_policy_mounts(struct plan *plan, const struct sbx_policy *p, struct sbx_error **err)
{
        for (size_t i = 0; i < p->skipped.n; i++)
                if (plan_note(plan, "%s:%u: %s", p->skipped.loc[i].file, p->skipped.loc[i].line,
                              p->skipped.v[i]) < 0)
                        return -ENOMEM;
        size_t nm = p->mounts.n;
        struct resolved *res = calloc(nm + 1, sizeof(*res));
        int *rc = calloc(nm + 1, sizeof(int));
        char **why = calloc(nm + 1, sizeof(char *));
        int r = res && rc && why ? 0 : -ENOMEM;
        for (size_t i = 0; res && i < nm; i++)
                res[i].fd = -1;
        if (r >= 0)
                r = open_policy_sources(plan, p, res, rc, why);
        for (size_t i = 0; r >= 0 && i < nm; i++) {
                const struct mount_op *o = &p->mounts.v[i];
                struct plan_mount m = { .src_fd = -1, .src = o->src, .dst = o->dst,
                                        .loc = &o->loc, .optional = o->flags & MOUNT_F_OPTIONAL };
                bool exec_ok = (o->flags & MOUNT_F_EXEC) || p->writable_exec;
                switch (o->kind) {
                case MOUNT_BIND:
                case MOUNT_RO_BIND:
                case MOUNT_DEV: {
                        int e = rc[i];
                        /* An optional source reached through a link a sandbox
                         * could have planted (browser: a symlinked ~/Downloads)
                         * is left out with the reason: the program gets less,
                         * never what another sandbox chose; a required one
                         * stops the launch. */
                        if (e == -ELOOP && why[i] && m.optional) {
                                r = plan_warn(plan, "%s:%u: %s not bound: %s", o->loc.file, o->loc.line, o->src,
                                              why[i]);
                                continue;
                        }
                        if (e == -ELOOP && why[i]) {
                                r = sbx_err_at(err, e, o->loc.file, o->loc.line, "%s: %s", o->src,
                                               why[i]);
                                continue;
                        }
                        if (e < 0) {
                                /* An optional source this uid cannot reach is one the
                                 * program (the same uid) could not reach either. */
                                if (m.optional && (e == -ENOENT || e == -ENOTDIR)) {
                                        r = plan_note(plan, "%s:%u: %s does not exist, not bound",
                                                      o->loc.file, o->loc.line, o->src);
                                        continue;
                                }
                                if (m.optional && e == -EACCES) {
                                        r = plan_note(plan, "%s:%u: %s cannot be reached by this user, not bound",
                                                      o->loc.file, o->loc.line, o->src);
                                        continue;
                                }
                                r = sbx_err_at(err, e, o->loc.file, o->loc.line,
                                               "bind source %s: %s", o->src, strerror(-e));
                                continue;
                        }
                        m.readonly = o->kind == MOUNT_RO_BIND;
                        m.noexec = o->kind != MOUNT_RO_BIND && !exec_ok;
                        m.dev = o->kind == MOUNT_DEV;
                        r = add_opened(plan, &m, &res[i]);
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
                r = plan_add_mount(plan, &m);
        }
        for (size_t i = 0; res && rc && why && i < nm; i++) {
                resolved_done(&res[i]);
                free(why[i]);
        }
        free(res);
        free(rc);
        free(why);
        return r;
}

static const char *file_kind(mode_t m)
{
        return S_ISDIR(m) ? "a directory" : S_ISLNK(m) ? "a symlink" : S_ISSOCK(m) ? "a socket"
             : S_ISFIFO(m) ? "a fifo" : S_ISCHR(m) || S_ISBLK(m) ? "a device" : "not a regular file";
}
/* Is host path `path` visible inside at the same path, as itself (not
 * another file that a bind of another source puts there)? */
static bool shown_as_itself(const struct plan *plan, const char *path)
{
        _cleanup_free_ char *host = NULL;
        return plan_host_path(plan, path, &host) >= 0 && strcmp(host, path) == 0;
}


/* One file argument: bound exactly as named (resolve.c): no plantable
 * link on the way, the last component never followed, no `..`.  An
 * argument that names nothing is not a path (an option value, a URL, a
 * file the program will create): skipped.  One that names something sbx
 * will not bind fails the launch, rather than giving the program less than
 * the user asked for without a word. */
static int add_argument(struct plan *plan, const struct sbx_policy *p, int cwdfd, const char *a,
                        struct sbx_error **err)
{
        struct resolve_ctx c = caller_ctx(plan);
        struct resolved res = { .fd = -1 };
        _cleanup_free_ char *why = NULL;
        struct stat st;
        int r = resolve_open(&c, cwdfd, a, RSV_NOFOLLOW_LAST | RSV_NO_DOTDOT | RSV_NO_PLANTABLE,
                             &res, &why);
        if (r == -EXDEV && fstatat(cwdfd, a, &st, AT_SYMLINK_NOFOLLOW) < 0)
                return 0;
        if (r == -EXDEV)
                return sbx_err_kind(err, SBX_ERROR_PROFILE, r, NULL,
                                    "file argument %s: a `..` component names a parent, which is "
                                    "never bound; name the file by a path without `..`", a);
        if (r == -ELOOP && why)
                return sbx_err_kind(err, SBX_ERROR_PROFILE, r, NULL, "file argument %s: %s", a, why);
        if (r == -ENOENT || r == -ENOTDIR || r == -ENAMETOOLONG)
                return 0;
        if (r < 0)
                return sbx_err_kind(err, SBX_ERROR_PROFILE, r, NULL, "file argument %s: %s", a,
                                    strerror(-r));
        mode_t m = res.st.st_mode;
        bool planted = false;
        if (S_ISLNK(m) && (r = resolve_is_plantable(&c, &res, &planted)) < 0) {
                resolved_done(&res);
                return sbx_err_setup(err, r, "plan", "file argument %s", a);
        }
        /* A root-owned link already in the view (/bin/sh: the same link
         * into the same /usr inside) needs nothing added, so nothing is
         * followed on the host's side; any other link is refused. */
        if (S_ISLNK(m) && (planted || !shown_as_itself(plan, res.path))) {
                char target[PATH_MAX];
                ssize_t tl = readlinkat(res.fd, "", target, sizeof(target) - 1);
                if (tl < 0)
                        tl = snprintf(target, sizeof(target), "(unreadable: %s)", strerror(errno));
                target[tl] = 0;
                r = sbx_err_kind(err, SBX_ERROR_PROFILE, -ELOOP, NULL,
                                 "file argument %s is a symlink to %s; sbx binds exactly the file "
                                 "named and follows no link there: name the file itself", a,
                                 target);
        } else if (strcmp(res.path, "/") == 0) {
                r = sbx_err_kind(err, SBX_ERROR_PROFILE, -EINVAL, NULL,
                                 "file argument %s names /, which is never bound", a);
        } else if (shown_as_itself(plan, res.path)) {
                /* Already in the view (a bind of the profile or the command
                 * line shows it): nothing to add. */
        } else if (!S_ISREG(m) && !(S_ISDIR(m) && p->args_dirs)) {
                r = sbx_err_kind(err, SBX_ERROR_PROFILE, -EINVAL, NULL,
                                 "file argument %s is %s; only regular files%s are bound (%s)", a,
                                 file_kind(m), p->args_dirs ? " and directories" : "",
                                 S_ISDIR(m) ? "set args-dirs = yes to bind directories"
                                            : "bind it with --bind or --ro-bind if it is meant");
        } else {
                const char *dst = plan_own(plan, strdup(res.path));
                struct plan_mount pm = { .dst = dst, .readonly = p->args == ARGS_RO,
                                         .noexec = true };
                r = dst ? add_opened(plan, &pm, &res) : -ENOMEM;
        }
        resolved_done(&res);
        return r;
}

/* Binds that make the working directory and file arguments visible.  The
 * working directory bound is the caller's own cwd object (cwdfd), not a
 * name looked up again. */
static int add_caller_paths(struct plan *plan, const struct sbx_policy *p, int cwdfd,
                            const char *cwd, const char *const *argv, struct sbx_error **err)
{
        int r;
        /* Bound unless a bind shows it already with the rights asked
         * for: a cwd under the private /tmp or home is bound over them
         * (cwd = /tmp itself too), one under a read-only /usr gets its
         * own writable bind with rw or exec. */
        const struct plan_mount *cover = cwd ? plan_mount_covering(plan, cwd) : NULL;
        bool shown = cover && cover->kind == PM_BIND &&
                     (p->cwd_bind == CWD_RO || (!cover->readonly && (p->cwd_bind != CWD_EXEC || !cover->noexec)));
        if (cwd && cwdfd >= 0 && p->cwd_bind != CWD_NONE && !shown) {
                struct resolved res = { .fd = fcntl(cwdfd, F_DUPFD_CLOEXEC, 3) };
                if (res.fd < 0)
                        return sbx_err_setup(err, -errno, "plan", "working directory");
                if (fstat(res.fd, &res.st) < 0 || !(res.path = strdup(cwd))) {
                        r = -errno;
                        resolved_done(&res);
                        return sbx_err_setup(err, r ? r : -ENOMEM, "plan", "working directory");
                }
                struct plan_mount pm = { .dst = plan_own(plan, strdup(cwd)),
                                         .readonly = p->cwd_bind == CWD_RO,
                                         .noexec = !p->writable_exec && p->cwd_bind == CWD_RW };
                /* exec: read-write and executable, as the program asked
                 * to run what it builds there ([exec] allow still decides
                 * what Landlock lets run). */
                r = pm.dst ? add_opened(plan, &pm, &res) : -ENOMEM;
                resolved_done(&res);
                if (r < 0)
                        return sbx_err_setup(err, r, "plan", "working directory");
        }
        if (p->args == ARGS_NONE || !argv)
                return 0;
        for (size_t i = 1; argv[i]; i++) {
                if (argv[i][0] == '-')
                        continue;
                /* A relative argument only means the same thing inside when
                 * the working directory is the same. */
                if ((r = add_argument(plan, p, cwdfd >= 0 ? cwdfd : AT_FDCWD, argv[i], err)) < 0)
                        return r;
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

/* Open one candidate for the program (resolve.c): a symlink a sandbox
 * could have planted is followed only to what a bind of this plan shows
 * anyway.  1 when it is a regular file the caller may execute. */
static int open_program(struct plan *plan, const char *cand, struct resolved *res, char **why)
{
        _cleanup_free_ const char **places = calloc(plan->nmounts + 1, sizeof(char *));
        if (!places)
                return -ENOMEM;
        size_t n = 0;
        for (size_t i = 0; i < plan->nmounts; i++)
                if (plan->mounts[i].kind == PM_BIND && plan->mounts[i].src)
                        places[n++] = plan->mounts[i].src;
        struct resolve_ctx c = caller_ctx(plan);
        c.allowed = places;
        c.nallowed = n;
        int r = resolve_open(&c, AT_FDCWD, cand, 0, res, why);
        if (r < 0)
                return r;
        return S_ISREG(res->st.st_mode) && faccessat(res->fd, "", X_OK, AT_EMPTY_PATH | AT_EACCESS) == 0;
}

/* The program is opened once, here; its stat() is what the child compares
 * the file it runs with (spawn.c), so that what was checked ([exec],
 * hashes, the view) is what runs. */
static int resolve_program(struct plan *plan, const char *file, bool check_visible, struct sbx_error **err)
{
        struct resolved res = { .fd = -1 };
        _cleanup_free_ char *why = NULL;
        int r;
        if (strchr(file, '/')) {
                r = open_program(plan, file, &res, &why);
                if (r == 0) {
                        resolved_done(&res);
                        return sbx_err_kind(err, SBX_ERROR_EXEC, -EACCES, "exec",
                                            "%s: not a regular file the caller may execute", file);
                }
                if (r < 0)
                        return sbx_err_kind(err, r == -ENOENT ? SBX_ERROR_NOT_FOUND : SBX_ERROR_EXEC, r,
                                            "exec", "%s: %s", file, why ? why : strerror(-r));
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
                                free(TAKE_PTR(why));
                                r = open_program(plan, cand, &res, &why);
                                if (r == -ELOOP && why)
                                        return sbx_err_kind(err, SBX_ERROR_EXEC, r, "exec", "%s: %s", cand, why);
                                found = r > 0;
                                if (!found)
                                        resolved_done(&res);
                        }
                        path += n + (path[n] == ':');
                }
                if (!found)
                        return sbx_err_kind(err, SBX_ERROR_NOT_FOUND, -ENOENT, "exec",
                                            "%s: not found in PATH", file);
        }
        /* The name is only for the view and for messages; the object is
         * res.fd's, and its identity travels in host_exec_st. */
        struct stat st = res.st;
        char real[PATH_MAX];
        snprintf(real, sizeof(real), "%s", res.path);
        resolved_done(&res);
        plan->host_exec_st = st;
        plan->host_exec_path = plan_own(plan, strdup(real));
        if (!plan->host_exec_path)
                return -ENOMEM;
        if (!check_visible)
                return 0;
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
        /* pasta connects a namespace of the sandbox's own. */
        if (plan->net == NET_NONE || plan->net == NET_PASTA)
                f |= CLONE_NEWNET;
        plan->clone_flags = f;
        plan->loopback = plan->net == NET_NONE || plan->net == NET_PASTA;
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

/* Everything up to the program: identity, home, working directory and the
 * filesystem view.  `view_only`: for plan_build_view(), no learn view. */
static int build_view(const struct sbx_policy *p, const struct sbx_spawn_options *o, struct plan *plan,
                      bool view_only, struct sbx_error **err)
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

        if ((r = net_decide(p, plan, err)) < 0)
                return r;
        identity(plan, p);
        plan->spawn_flags = view_only ? o->flags & ~(unsigned)SBX_SPAWN_LEARN : o->flags;
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

        /* The caller's working directory: the object, and its name read
         * back from it (one source for both, see add_caller_paths). */
        _cleanup_close_ int cwdfd = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
        _cleanup_free_ char *cwdname = NULL;
        if (cwdfd >= 0 && resolve_fd_path(cwdfd, &cwdname) < 0)
                cwdname = NULL;
        const char *caller_cwd = cwdname;
        if (o->cwd)
                plan->cwd = o->cwd;
        else if (p->cwd)
                plan->cwd = p->cwd;
        else if (caller_cwd)
                plan->cwd = plan_own(plan, strdup(caller_cwd));
        if (plan->home == NULL || (plan->cwd == NULL && caller_cwd))
                return -ENOMEM;

        bool learn = (o->flags & SBX_SPAWN_LEARN) && !view_only;
        if (p->ns_mount && learn) {
                if ((r = add_fixed(plan, p)) < 0 || (r = learn_view(p, plan)) < 0)
                        return sbx_err_setup(err, r, "plan", "the recording view of sbx learn");
                sort_mounts(plan);
        } else if (p->ns_mount) {
                if ((r = add_fixed(plan, p)) < 0)
                        return sbx_err_setup(err, r, "plan", "fixed mounts");
                if ((r = add_policy_mounts(plan, p, err)) < 0)
                        return r;
                if ((r = add_caller_paths(plan, p, cwdfd, caller_cwd, o->argv, err)) < 0)
                        return r;
                sort_mounts(plan);
                /* Masks first: protect.c leaves what they cover alone. */
                if ((r = secrets_plan(p, plan, err)) < 0)
                        return r;
                sort_mounts(plan);
                if ((r = protect_plan(p, plan, err)) < 0)
                        return r;
                sort_mounts(plan);
        }

        return 0;
}

int plan_build_view(const struct sbx_policy *p, const struct sbx_spawn_options *o, struct plan *plan,
                    struct sbx_error **err)
{
        int r = build_view(p, o, plan, true, err);
        /* The program as a launch finds it (sbx learn compares with it),
         * whether or not this view shows it. */
        return r < 0 ? r : resolve_program(plan, o->file, false, err);
}

int plan_build(const struct sbx_policy *p, const struct sbx_spawn_options *o, struct plan *plan,
               struct sbx_error **err)
{
        int r;
        bool learn = o && (o->flags & SBX_SPAWN_LEARN);
        /* The recording is the seccomp filter's and the view's: without
         * them nothing would be recorded, or nothing kept out of reach. */
        if ((r = build_view(p, o, plan, false, err)) < 0)
                return r;
        if (learn && (!p->seccomp || !p->ns_mount || !p->ns_user))
                return sbx_err_kind(err, SBX_ERROR_PROFILE, -EINVAL, NULL,
                                    "sbx learn records through the seccomp filter in a view of its own: the "
                                    "base profile needs [seccomp] enabled and the mount and user namespaces");
        if ((r = resolve_program(plan, o->file, true, err)) < 0)
                return r;
        plan->exec_verify = !learn;

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
        if (dbus_wanted(p) && (r = dbus_plan(p, plan, err)) < 0)
                return r;
        if (x11_wanted(p) && (r = x11_plan(p, plan, err)) < 0)
                return r;
        if (a11y_wanted(p) && (r = a11y_plan(p, plan, err)) < 0)
                return r;
        if ((r = net_plan(p, plan, err)) < 0)
                return r;

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

        if ((r = listen_plan(p, plan, err)) < 0)
                return r;
        if ((r = caveats_plan(p, plan)) < 0)
                return r;
        /* Learning records what is executed instead of refusing it. */
        if (p->ns_mount && !learn && (r = exec_prepare(p, plan, err)) < 0)
                return r;
        if (p->ns_mount)
                sort_mounts(plan);
        if ((r = limits_plan_build(plan, p, err)) < 0 || (r = wx_plan(plan, p, err)) < 0)
                return r;
        if (learn)
                plan->mdwe = false; /* W^X is recorded (seccomp), not enforced */
        if (p->landlock && !learn && (r = exec_allowed_paths(p, plan, &plan->exec_paths)) < 0)
                return sbx_err_setup(err, r, "plan", "[exec] allow");
        r = landlock_prepare(p, plan, &plan->landlock, err);
        if (r >= 0 && learn) {
                /* Only the scopes (abstract sockets, signals) stay: the
                 * file and port rules are what is being learned. */
                plan->landlock.handled_fs = plan->landlock.handled_net = 0;
                if (!plan->landlock.scoped)
                        plan->landlock.enabled = false;
                /* Network use is recorded, not refused: the host's network,
                 * as long as Landlock keeps the host's abstract sockets (X11,
                 * D-Bus) out of reach; else the base's own namespace.
                 * A base with mode = pasta keeps it: the recording then
                 * reaches what the learned profile will. */
                if ((plan->clone_flags & CLONE_NEWNET) && plan->net != NET_PASTA &&
                    landlock_scopes_abstract_unix(&plan->landlock)) {
                        plan->clone_flags &= ~(unsigned long)CLONE_NEWNET;
                        plan->loopback = false;
                }
        }
        exec_fs_free(TAKE_PTR(plan->exec_fs));
        if (r < 0 || (r = x11_plan_check(p, plan, err)) < 0)
                return r;
        if (plan->nprotect_ll > 0 && !plan->landlock.enabled)
                return sbx_err_kind(err, SBX_ERROR_SETUP, -EOPNOTSUPP, "protect",
                                    "%s does not exist (or is a symlink) under a writable bind, and "
                                    "this kernel has no Landlock to stop a sandbox creating it; "
                                    "bind a narrower directory",
                                    plan->protect_ll[0]);
        /* Controls that only the filter enforces are gone with it: say so
         * at every launch rather than run weaker without a word (the layer
         * matrix, docs/layers.md, shows which attacks then get through). */
        if (!p->seccomp &&
            (r = plan_warn(plan, "seccomp is off ([seccomp] enabled = no): %s%s%sthe always-denied "
                           "calls (io_uring, bpf, keyctl, perf_event_open, ptrace, nested user "
                           "namespaces, TIOCSTI without a new session) are not refused",
                           p->memfd_exec ? "" : "[exec] memfd-exec = no, ",
                           p->sc_wx ? "[seccomp] wx, " : "",
                           limits_memory_by_rlimits(&plan->limits)
                                   ? "[limits] memory's refusal of memfd_create and shmget, " : "")) < 0)
                return r;
        if (p->seccomp) {
                unsigned f = SC_SUPERVISED;
                if (limits_memory_by_rlimits(&plan->limits))
                        f |= SC_MEM_RLIMIT;
                if (plan->log_denials)
                        f |= SC_LOG_DENIALS;
                if (learn)
                        f |= SC_LEARN;
                /* What init explains besides seccomp's own denials
                 * (launch/refusal.c): executions after sbx's own, binds
                 * and connects under port rules — rare calls, on every
                 * run — and, with --log-denials, writes in a view (a
                 * round trip to init per file created costs a
                 * write-heavy program up to twice its time: measured with
                 * tar, see docs/sbx.1).  sbx learn's recording observes
                 * none of these: it records and lets through. */
                struct seccomp_observe obs = { .own_exec = (uintptr_t)plan->exec_path };
                if (!learn && (plan->landlock.enabled || (plan->clone_flags & CLONE_NEWNS)))
                        obs.what |= SC_OBS_EXEC;
                if (!learn && plan->landlock.enabled &&
                    (plan->landlock.handled_net ||
                     ((plan->landlock.scoped & LL_SCOPE_ABSTRACT_UNIX_SOCKET) && p->net == NET_HOST)))
                        obs.what |= SC_OBS_NET;
                if (!learn && (plan->clone_flags & CLONE_NEWNS) && plan->log_denials)
                        obs.what |= SC_OBS_WRITE | SC_OBS_READ;
                if ((r = seccomp_compile_observing(p, f, &obs, &plan->seccomp, err)) < 0)
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
        for (size_t i = 0; i < plan->nlisten; i++)
                close(plan->listen_fds[i]);
        free(plan->listen_fds);
        free(plan->tree_fds);
        free(plan->protect_ll);
        dbus_plan_done(plan->dbus);
        x11_plan_done(plan->x11);
        a11y_plan_done(plan->a11y);
        net_plan_done(plan->pasta);
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
        /* Nothing is handed over to a process that confines itself: it
         * binds its own sockets (before confining). */
        if (p->listen.n)
                return sbx_err_kind(err, SBX_ERROR_SETUP, -EOPNOTSUPP, "listen",
                                    "[network] listen is for a sandbox sbx starts; a process confining "
                                    "itself binds its sockets before sbx_confine()");
        /* The caller keeps its identity; only capabilities go. */
        plan->host_uid = plan->map_uid = plan->inside_uid = geteuid();
        plan->host_gid = plan->map_gid = plan->inside_gid = getegid();
        plan->caller_is_root = plan->host_uid == 0;
        plan->self = true;
        plan->net = p->net;
        if ((r = net_plan(p, plan, err)) < 0)
                return r;
        /* The caller's own view keeps the real bus reachable. */
        if (dbus_wanted(p))
                return dbus_plan(p, plan, err);
        if (x11_wanted(p))
                return x11_plan(p, plan, err);
        if (a11y_wanted(p))
                return a11y_plan(p, plan, err);
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
