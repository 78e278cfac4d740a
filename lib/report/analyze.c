/* analyze.c — what a policy leaves open.
 *
 * Owns: the evaluation of each control of the ATT&CK map (attack.h)
 * against a policy — on, partial or off, and the exposures it leaves
 * ("host network shared", "python3 executable", "ptrace allowed") — the
 * exposure score, and sbx_analyze() (text table or JSON).
 *
 * The score, like `systemd-analyze security`: each control c has a weight
 * w_c (data/attack-map.ini) and leaves open a share o_c in [0, 1] (0: fully
 * on, 1: off; partial controls sum their exposures' shares, capped at 1):
 *
 *     score = 10 * sum(w_c * o_c) / sum(w_c)      rounded to one decimal
 *
 * 0 means every control on, 10 none.  A technique counts as covered when a
 * control that maps it is on or partial and no exposure of the policy
 * defeats it (an executable python3 defeats T1059.006 whatever else is on).
 *
 * Reads the policy and, to tell directories from files in the exec
 * allow-list, stat()s host paths; changes nothing. */
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "base/path.h"
#include "report/attack.h"
#include "profile/env.h"
#include "report/filter_model.h"
#include "syscalls/syscalls.h"
#include "plan/limit.h"
#include "profile/profile.h"
#include "base/util.h"
#include "plan/wx.h"

struct ctx {
        const struct sbx_policy *p;
        struct sc_model sc;
        const char *home; /* the caller's $HOME, or NULL */
        bool sc_on;       /* a filter is loaded */
};

const char *attack_state_name(enum attack_state s)
{
        switch (s) {
        case ATTACK_ON: return "on";
        case ATTACK_PARTIAL: return "partial";
        case ATTACK_OFF: return "off";
        }
        return "?";
}

static int expose(struct attack_result *r, unsigned pm, const char *technique, const char *fmt, ...)
        __attribute__((format(printf, 4, 5)));
static int expose(struct attack_result *r, unsigned pm, const char *technique, const char *fmt, ...)
{
        char *s = NULL;
        va_list ap;
        va_start(ap, fmt);
        int n = vasprintf(&s, fmt, ap);
        va_end(ap);
        if (n < 0)
                return -ENOMEM;
        struct attack_exposure *nv = realloc(r->exposures, (r->nexposures + 1) * sizeof(*nv));
        if (!nv) {
                free(s);
                return -ENOMEM;
        }
        r->exposures = nv;
        nv[r->nexposures++] = (struct attack_exposure){ .what = s, .open_pm = pm, .technique = technique };
        r->open_pm = r->open_pm + pm > 1000 ? 1000 : r->open_pm + pm;
        return 0;
}

/* The whole control is off for a reason that has its own exposure
 * elsewhere (seccomp off, no mount namespace…). */
static int moot(struct attack_result *r, const char *note)
{
        r->open_pm = 1000;
        r->note = note;
        return 0;
}

/* ---- namespaces ------------------------------------------------------ */

static int c_ns_user(struct ctx *c, struct attack_result *r)
{
        if (!c->p->ns_user)
                return expose(r, 1000, NULL, "no user namespace: the caller's host uid and privileges");
        if (c->p->keep_root)
                return expose(r, 500, NULL, "a root caller keeps host uid 0 (keep-root = yes)");
        return 0;
}

static int c_ns_mount(struct ctx *c, struct attack_result *r)
{
        return c->p->ns_mount ? 0 : expose(r, 1000, NULL, "host filesystem visible (no mount namespace)");
}

static int c_ns_pid(struct ctx *c, struct attack_result *r)
{
        return c->p->ns_pid ? 0 : expose(r, 1000, NULL, "host processes visible and signallable");
}

/* What each [network] mode leaves open (plan/net.c on pasta's). */
static int c_ns_net(struct ctx *c, struct attack_result *r)
{
        int e = 0;
        switch (c->p->net) {
        case NET_NONE:
                return 0;
        case NET_HOST:
                e = expose(r, 1000, NULL, "host network shared: every service on the host's loopback%s",
                           c->p->landlock ? "" : " and every abstract unix socket");
                break;
        case NET_PASTA:
                e = expose(r, 250, "T1210", "outbound connections to any address through pasta (the host's "
                                            "loopback and abstract sockets stay unreachable)");
                if (e >= 0)
                        e = expose(r, 50, NULL, "the host's DNS resolver (UDP port 53), through pasta's "
                                                "forwarder, also when it listens on the host's loopback");
                if (e >= 0)
                        e = expose(r, 100, "T1210", "services on the host's other addresses (a second "
                                                    "interface, a bridge) as the network sees them");
                break;
        }
        /* fallback = none only loses the network; host loses the rest. */
        if (e >= 0 && c->p->net == NET_PASTA && c->p->net_fallback == NET_FALLBACK_HOST)
                e = expose(r, 500, NULL, "where pasta is missing, the host's network ([network] fallback = host)");
        return e;
}

static int c_ns_ipc(struct ctx *c, struct attack_result *r)
{
        return c->p->ns_ipc ? 0 : expose(r, 1000, NULL, "host System V and POSIX IPC shared");
}

static int c_ns_uts(struct ctx *c, struct attack_result *r)
{
        return c->p->ns_uts ? 0 : expose(r, 1000, NULL, "host hostname shared");
}

static int c_ns_cgroup(struct ctx *c, struct attack_result *r)
{
        return c->p->ns_cgroup ? 0 : expose(r, 1000, NULL, "host cgroup tree visible");
}

/* ---- filesystem view ---------------------------------------------------- */

static int c_fs_dev(struct ctx *c, struct attack_result *r)
{
        int e = 0;
        if (!c->p->ns_mount)
                return moot(r, "no mount namespace: the host's /dev");
        for (size_t i = 0; e >= 0 && i < c->p->mounts.n; i++)
                if (c->p->mounts.v[i].kind == MOUNT_DEV)
                        e = expose(r, 250, NULL, "device %s exposed", c->p->mounts.v[i].dst);
        return e;
}

static int c_fs_proc(struct ctx *c, struct attack_result *r)
{
        const struct sbx_policy *p = c->p;
        int e = 0;
        if (!p->ns_mount)
                return moot(r, "no mount namespace: the host's /proc and /sys");
        if (p->proc == PROC_FULL)
                e = expose(r, 600, NULL, "/proc not masked (kallsyms, kcore, sysrq-trigger, sysctls)");
        if (e >= 0 && p->proc != PROC_NONE && !p->ns_pid)
                e = expose(r, 300, NULL, "/proc shows the host's processes");
        if (e >= 0 && p->sys == SYS_RO)
                e = expose(r, 400, NULL, "/sys readable");
        return e;
}

static bool is_home_path(const struct ctx *c, const char *path)
{
        return (c->home && strcmp(c->home, "/") != 0 && path_under(path, c->home)) ||
               path_under(path, "/home") || path_under(path, "/root");
}

/* Does a mount at dst cover the home directory itself? */
static bool covers_home(const struct ctx *c, const char *dst)
{
        if (c->home && strcmp(c->home, "/") != 0 && path_under(c->home, dst))
                return true;
        return strcmp(dst, "/") == 0 || strcmp(dst, "/home") == 0 || strcmp(dst, "/root") == 0;
}

/* Does anything of this policy show (part of) the home: the working
 * directory, file arguments, a bind at or above it or inside it? */
static bool home_shown(const struct ctx *c)
{
        const struct sbx_policy *p = c->p;
        if (!p->ns_mount || p->cwd_bind != CWD_NONE || p->args != ARGS_NONE)
                return true;
        for (size_t i = 0; i < p->mounts.n; i++) {
                const struct mount_op *o = &p->mounts.v[i];
                if ((o->kind == MOUNT_BIND || o->kind == MOUNT_RO_BIND) && o->src &&
                    (covers_home(c, o->src) || is_home_path(c, o->src)))
                        return true;
        }
        return false;
}

/* [filesystem] secret against the shipped credentials.inc: each store the
 * profile took off the list is readable wherever the home is shown; each
 * bind of a store (or of something in it) shows that one by name. */
static int secrets_exposures(struct ctx *c, struct attack_result *r)
{
        const struct sbx_policy *p = c->p;
        int e = 0;
        for (size_t i = 0; e >= 0 && i < p->mounts.n; i++) {
                const struct mount_op *o = &p->mounts.v[i];
                if ((o->kind != MOUNT_BIND && o->kind != MOUNT_RO_BIND) || !o->src)
                        continue;
                for (size_t j = 0; e >= 0 && j < p->secret.n; j++)
                        if (path_under(o->src, p->secret.v[j]))
                                e = expose(r, 100, "T1552.001", "%s:%u binds the credential store %s by name",
                                           o->loc.file ? o->loc.file : "command line", o->loc.line,
                                           p->secret.v[j]);
        }
        if (e < 0 || !home_shown(c))
                return e;
        struct sbx_policy *ref = NULL;
        if ((e = sbx_policy_new(&ref)) < 0)
                return e;
        if (sbx_policy_load(ref, "credentials.inc", NULL) < 0) {
                sbx_policy_free(ref);
                return expose(r, 300, NULL, "the reference list credentials.inc is not in the profile path");
        }
        size_t open = 0;
        for (size_t i = 0; e >= 0 && i < ref->secret.n; i++)
                if (!strlist_contains(&p->secret, ref->secret.v[i]))
                        e = expose(r, open++ < 8 ? 100 : 10, "T1552.001",
                                   "credential store %s readable where the home is shown ([filesystem] secret "
                                   "does not list it)",
                                   ref->secret.v[i]);
        sbx_policy_free(ref);
        return e;
}

static int c_fs_home(struct ctx *c, struct attack_result *r)
{
        const struct sbx_policy *p = c->p;
        int e = 0;
        if (!p->ns_mount)
                return expose(r, 1000, NULL, "home directory visible with the caller's permissions");
        for (size_t i = 0; e >= 0 && i < p->mounts.n; i++) {
                const struct mount_op *o = &p->mounts.v[i];
                bool rw = o->kind == MOUNT_BIND;
                if (o->kind != MOUNT_BIND && o->kind != MOUNT_RO_BIND)
                        continue;
                if (covers_home(c, o->dst))
                        e = expose(r, rw ? 1000 : 500, NULL, "home directory %s (%s)",
                                   rw ? "writable" : "readable", o->dst);
                else if (is_home_path(c, o->dst))
                        e = expose(r, rw ? 300 : 100, NULL, "%s %s", o->dst, rw ? "writable" : "readable");
        }
        if (e >= 0 && p->cwd_bind >= CWD_RW)
                e = expose(r, 300, NULL, "working directory writable");
        else if (e >= 0 && p->cwd_bind == CWD_RO)
                e = expose(r, 100, NULL, "working directory readable");
        if (e >= 0 && p->args == ARGS_RW)
                e = expose(r, 300, NULL, "file arguments writable");
        if (e >= 0)
                e = secrets_exposures(c, r);
        return e;
}

/* The technique a persistence point serves, for the exposure line. */
static const char *persist_technique(const char *path)
{
        static const struct { const char *part, *technique; } map[] = {
                { "/.config/autostart", "T1547.013" }, { "/.xsession", "T1547.013" },
                { "/.xinitrc", "T1547.013" },          { "/.xprofile", "T1547.013" },
                { "/systemd", "T1543.002" },           { "/.ssh", "T1098.004" },
                { "/bin", "T1574.007" },               { "/.local/lib", "T1574" },
                { "sh_", "T1546.004" },                { "shrc", "T1546.004" },
                { "/.profile", "T1546.004" },          { "/.zsh", "T1546.004" },
                { "environment", "T1546.004" },        { "history", "T1070.003" },
                { "hst", "T1070.003" },                { "/.viminfo", "T1070.003" },
                { "/nvim/shada", "T1070.003" },
        };
        for (size_t i = 0; i < ARRAY_SIZE(map); i++)
                if (strstr(path, map[i].part))
                        return map[i].technique;
        return "T1574";
}

/* Can a writable mount of this policy show the caller's home? */
static bool home_writable(const struct ctx *c)
{
        const struct sbx_policy *p = c->p;
        if (!p->ns_mount || p->cwd_bind >= CWD_RW || p->args == ARGS_RW)
                return true;
        for (size_t i = 0; i < p->mounts.n; i++) {
                const struct mount_op *o = &p->mounts.v[i];
                if (o->kind == MOUNT_BIND && o->src && (covers_home(c, o->src) || is_home_path(c, o->src)))
                        return true;
        }
        return false;
}

/* [filesystem] protect-project against the shipped list: a name taken
 * off leaves that point of a writable working directory (or bind)
 * writable, for the tool that runs it there later. */
static int project_exposures(struct ctx *c, struct attack_result *r)
{
        const struct sbx_policy *p = c->p;
        bool writable = p->cwd_bind == CWD_RW || p->args == ARGS_RW;
        for (size_t i = 0; i < p->mounts.n && !writable; i++)
                writable = p->mounts.v[i].kind == MOUNT_BIND;
        if (!writable)
                return 0;
        int e = 0;
        for (size_t i = 0; e >= 0 && profile_project_points[i].name; i++)
                if (!strlist_contains(&p->protect_project, profile_project_points[i].name))
                        e = expose(r, 150, strncmp(profile_project_points[i].name, "git", 3) == 0 ? "T1546" : "T1204",
                                   "%s of a writable directory left writable (protect-project lacks %s): %s",
                                   profile_project_points[i].name, profile_project_points[i].name,
                                   profile_project_points[i].help);
        return e;
}

static int c_fs_persist(struct ctx *c, struct attack_result *r)
{
        int pe = project_exposures(c, r);
        if (pe < 0 || !home_writable(c))
                return pe;
        if (!c->p->ns_mount)
                return expose(r, 1000, "T1546.004", "no mount namespace: persistence points writable");
        struct sbx_policy *ref = NULL;
        int e = sbx_policy_new(&ref);
        if (e < 0)
                return e;
        if (sbx_policy_load(ref, "persistence.inc", NULL) < 0) {
                sbx_policy_free(ref);
                return expose(r, 500, NULL, "the reference list persistence.inc is not in the profile path");
        }
        size_t open = 0;
        const struct strlist *refs[] = { &ref->protect, &ref->protect_dir };
        const struct strlist *mine[] = { &c->p->protect, &c->p->protect_dir };
        for (size_t k = 0; k < 2; k++)
                for (size_t i = 0; e >= 0 && i < refs[k]->n; i++) {
                        bool have = false;
                        for (size_t j = 0; j < mine[k]->n && !have; j++)
                                have = strcmp(mine[k]->v[j], refs[k]->v[i]) == 0;
                        if (!have) {
                                const char *t = persist_technique(refs[k]->v[i]);
                                e = expose(r, open++ < 8 ? 120 : 10, t,
                                           "%s writable in a writable mount (%s)", refs[k]->v[i], t);
                        }
                }
        sbx_policy_free(ref);
        return e;
}

static int c_fs_system_ro(struct ctx *c, struct attack_result *r)
{
        int e = 0;
        if (!c->p->ns_mount)
                return expose(r, 1000, NULL, "system directories as on the host, with the caller's permissions");
        for (size_t i = 0; e >= 0 && i < c->p->mounts.n; i++) {
                const struct mount_op *o = &c->p->mounts.v[i];
                if (o->kind == MOUNT_BIND && attack_system_path(o->dst))
                        e = expose(r, strcmp(o->dst, "/") == 0 ? 1000 : 500, "T1609", "%s writable", o->dst);
        }
        return e;
}

static int c_fs_wx(struct ctx *c, struct attack_result *r)
{
        int e = 0;
        if (!c->p->ns_mount)
                return expose(r, 1000, "T1204.002", "writable host directories keep exec (no private view)");
        if (c->p->writable_exec)
                return expose(r, 1000, "T1204.002", "every writable mount executable (writable-exec = yes)");
        for (size_t i = 0; e >= 0 && i < c->p->mounts.n; i++) {
                const struct mount_op *o = &c->p->mounts.v[i];
                if ((o->kind == MOUNT_BIND || o->kind == MOUNT_TMPFS) && (o->flags & MOUNT_F_EXEC))
                        e = expose(r, 500, "T1204.002", "writable %s executable", o->dst);
        }
        return e;
}

/* ---- execution prevention ------------------------------------------------ */

static bool list_matches(const struct strlist *l, const char *path)
{
        for (size_t i = 0; i < l->n; i++) {
                const char *e = l->v[i];
                if (path_under(path, e) || fnmatch(e, path, FNM_PATHNAME) == 0)
                        return true;
        }
        return false;
}

static bool visible(const struct sbx_policy *p, const char *path)
{
        if (!p->ns_mount)
                return true;
        for (size_t i = 0; i < p->mounts.n; i++) {
                const struct mount_op *o = &p->mounts.v[i];
                if ((o->kind == MOUNT_BIND || o->kind == MOUNT_RO_BIND) && path_under(path, o->dst))
                        return true;
        }
        return false;
}

/* Could the program run `path`?  Without Landlock, anything visible and
 * not masked; with it, only the allow-list (empty: the program itself,
 * which an analysis does not know).  The deny-list masks by mount, so it
 * needs the mount namespace. */
static bool executable(const struct sbx_policy *p, const char *path)
{
        if (!visible(p, path))
                return false;
        if (p->ns_mount && list_matches(&p->exec_deny, path))
                return false;
        if (!p->landlock)
                return true;
        if (list_matches(&p->exec_allow, path))
                return true;
        for (size_t i = 0; i < p->exec_hashes.n; i++)
                if (strcmp(p->exec_hashes.v[i].path, path) == 0)
                        return true;
        return false;
}

static const struct interpreter {
        const char *label;
        const char *paths[4];
        const char *technique;
} interpreters[] = {
        { "sh", { "/usr/bin/sh", "/usr/bin/bash", "/usr/bin/dash" }, "T1059.004" },
        { "busybox", { "/usr/bin/busybox" }, "T1059.004" },
        { "python3", { "/usr/bin/python3", "/usr/bin/python" }, "T1059.006" },
        { "node", { "/usr/bin/node", "/usr/bin/nodejs" }, "T1059.007" },
        { "lua", { "/usr/bin/lua", "/usr/bin/lua5.4", "/usr/bin/luajit" }, "T1059.011" },
        { "perl", { "/usr/bin/perl" }, "T1059" },
        { "ruby", { "/usr/bin/ruby" }, "T1059" },
        { "php", { "/usr/bin/php" }, "T1059" },
        { "tclsh", { "/usr/bin/tclsh" }, "T1059" },
};

static int c_exec_deny(struct ctx *c, struct attack_result *r)
{
        int e = 0;
        unsigned share = 1000 / ARRAY_SIZE(interpreters) + 1;
        for (size_t i = 0; e >= 0 && i < ARRAY_SIZE(interpreters); i++) {
                const struct interpreter *in = &interpreters[i];
                for (size_t j = 0; j < ARRAY_SIZE(in->paths) && in->paths[j]; j++)
                        if (executable(c->p, in->paths[j])) {
                                e = expose(r, share, in->technique, "%s executable (%s)", in->label,
                                           in->paths[j]);
                                break;
                        }
        }
        return e;
}

static int c_exec_allow(struct ctx *c, struct attack_result *r)
{
        int e = 0;
        if (!c->p->landlock)
                return expose(r, 1000, "T1204.002", "any visible executable file runs (no Landlock EXECUTE rules)");
        for (size_t i = 0; e >= 0 && i < c->p->exec_allow.n; i++) {
                const char *a = c->p->exec_allow.v[i];
                struct stat st;
                if (strpbrk(a, "*?["))
                        e = expose(r, 100, NULL, "every program matching %s may run", a);
                else if (stat(a, &st) == 0 && S_ISDIR(st.st_mode))
                        e = expose(r, strcmp(a, "/") == 0 || strcmp(a, "/usr") == 0 ? 1000 : 150, NULL,
                                   "every program under %s may run", a);
        }
        return e;
}

static int c_exec_hash(struct ctx *c, struct attack_result *r)
{
        return c->p->exec_hashes.n ? 0 : expose(r, 1000, NULL, "no executable pinned by hash");
}

static int c_exec_memfd(struct ctx *c, struct attack_result *r)
{
        if (c->p->memfd_exec)
                return expose(r, 1000, NULL, "executable memfds allowed (fileless execution, memfd-exec = yes)");
        if (!c->sc_on)
                return moot(r, "seccomp is off");
        return 0;
}

/* ---- privileges ------------------------------------------------------------- */

static const struct {
        const char *cap;
        unsigned pm;
        const char *technique;
} risky_caps[] = {
        { "sys_admin", 1000, "T1611" }, { "sys_module", 1000, "T1547.006" },
        { "sys_ptrace", 500, NULL },    { "sys_rawio", 500, NULL },
        { "dac_read_search", 500, "T1611" }, { "dac_override", 300, NULL },
        { "net_admin", 500, NULL },     { "bpf", 500, NULL },
        { "sys_boot", 500, NULL },      { "setfcap", 300, NULL },
        { "setuid", 250, NULL },        { "setgid", 250, NULL },
        { "net_raw", 250, NULL },       { "perfmon", 250, NULL },
        { "mknod", 250, NULL },         { "sys_chroot", 250, NULL },
        { "fowner", 250, NULL },        { "chown", 200, NULL },
};

static int c_caps(struct ctx *c, struct attack_result *r)
{
        int e = 0;
        for (size_t i = 0; e >= 0 && i < c->p->caps_keep.n; i++) {
                const char *n = c->p->caps_keep.v[i];
                if (strncasecmp(n, "cap_", 4) == 0)
                        n += 4;
                unsigned pm = 150;
                const char *t = NULL;
                for (size_t j = 0; j < ARRAY_SIZE(risky_caps); j++)
                        if (strcasecmp(risky_caps[j].cap, n) == 0) {
                                pm = risky_caps[j].pm;
                                t = risky_caps[j].technique;
                        }
                e = expose(r, pm, t, "capability %s kept", n);
        }
        return e;
}

static int c_always(struct ctx *c, struct attack_result *r)
{
        return 0;
}

static int c_new_session(struct ctx *c, struct attack_result *r)
{
        return c->p->new_session ? 0 : expose(r, 1000, NULL, "shares the caller's terminal session");
}

/* An X client the server trusts can read every other client's keystrokes
 * and windows and inject input (tests/test_x11.c shows each bare). */
static int c_x11(struct ctx *c, struct attack_result *r)
{
        if (c->p->x11 == X11_TRUSTED)
                return expose(r, 1000, "T1674", "[display] x11 = trusted: other windows' keystrokes and "
                              "contents, and input injection (XTEST)");
        for (size_t i = 0; i < c->p->mounts.n; i++) {
                const struct mount_op *o = &c->p->mounts.v[i];
                if ((o->kind == MOUNT_BIND || o->kind == MOUNT_RO_BIND) && o->src &&
                    (path_under("/tmp/.X11-unix", o->src) || path_under(o->src, "/tmp/.X11-unix")))
                        return expose(r, 1000, "T1674", "binds %s: the X server's sockets without sbx's proxy "
                                      "(a trusted client where the server admits the user without a cookie)",
                                      o->src);
        }
        return 0;
}

static int c_env(struct ctx *c, struct attack_result *r)
{
        int e = 0;
        for (size_t i = 0; e >= 0 && i < c->p->env_keep.n; i++) {
                const char *n = c->p->env_keep.v[i];
                /* Globs never pass these names (env.c); exact names do. */
                if (!strpbrk(n, "*?[") && env_name_dangerous(n))
                        e = expose(r, 500, strncmp(n, "LD_", 3) == 0 ? "T1574.006" : NULL,
                                   "%s passed from the caller", n);
        }
        for (size_t i = 0; e >= 0 && i < c->p->env_set.n; i++) {
                const char *s = c->p->env_set.v[i];
                size_t len = strcspn(s, "=");
                char name[128];
                if (len >= sizeof(name))
                        continue;
                memcpy(name, s, len);
                name[len] = 0;
                if (env_name_dangerous(name))
                        e = expose(r, 250, NULL, "%s set by the profile", name);
        }
        return e;
}

static const struct rlimit_rule *rlimit_of(const struct sbx_policy *p, int resource)
{
        for (size_t i = 0; i < SBX_RLIMIT_COUNT; i++)
                if (p->rlimits[i].set && p->rlimits[i].resource == resource)
                        return &p->rlimits[i];
        return NULL;
}

static int c_rlimits(struct ctx *c, struct attack_result *r)
{
        int e = 0;
        const struct rlimit_rule *l = rlimit_of(c->p, RLIMIT_NPROC);
        if (!c->p->limits.processes && (!l || l->lim.rlim_max == RLIM_INFINITY))
                e = expose(r, 600, NULL, "no process limit (nproc): a fork bomb reaches the host's limits");
        l = rlimit_of(c->p, RLIMIT_CORE);
        if (e >= 0 && (!l || l->lim.rlim_max != 0))
                e = expose(r, 400, NULL, "core dumps allowed");
        if (e >= 0 && c->p->limits.user_share >= 100)
                e = expose(r, 200, NULL, "user-counts = 100%%: the sandbox may take every inotify instance and "
                           "watch its caller has");
        return e;
}

/* ---- seccomp ------------------------------------------------------------------ */

static int c_seccomp(struct ctx *c, struct attack_result *r)
{
        if (!c->p->seccomp)
                return expose(r, 1000, NULL, "no seccomp filter: every syscall reaches the kernel");
        if (c->p->sc_action == DENY_LOG)
                return expose(r, 1000, NULL, "seccomp action = log: syscalls outside the allow-list run (logged)");
        return 0;
}

static int c_sc_abi(struct ctx *c, struct attack_result *r)
{
        return c->sc_on ? 0 : moot(r, "seccomp is off");
}

/* A dangerous group: the share of its (native) members that get through. */
static int sc_group(struct ctx *c, struct attack_result *r, const char *group, const char *label)
{
        if (!c->sc_on)
                return moot(r, "seccomp is off");
        char **v = NULL;
        int e = sbx_syscall_expand(group, &v);
        if (e < 0)
                return e;
        struct sbuf open = { 0 };
        size_t total = 0, n = 0;
        for (char **s = v; *s; s++) {
                total++;
                if (!sc_model_allows(&c->sc, *s))
                        continue;
                sbuf_printf(&open, "%s%s", n ? ", " : "", *s);
                n++;
        }
        sbx_strv_free(v);
        char *names = NULL;
        if ((e = sbuf_take(&open, &names)) < 0)
                return e;
        if (n)
                e = label ? expose(r, (unsigned)(1000 * n / total), NULL, "%s allowed (%s)", label, names)
                          : expose(r, (unsigned)(1000 * n / total), NULL, "%s allowed", names);
        free(names);
        return e;
}

#define SC_GROUP(fn, group, label)                              \
        static int fn(struct ctx *c, struct attack_result *r) \
        {                                                     \
                return sc_group(c, r, group, label);          \
        }
SC_GROUP(c_sc_mount, "@mount", NULL)
SC_GROUP(c_sc_module, "@module", NULL)
SC_GROUP(c_sc_debug, "@debug", NULL)
SC_GROUP(c_sc_bpf, "@bpf", NULL)
SC_GROUP(c_sc_perf, "@perf", NULL)
SC_GROUP(c_sc_io_uring, "@io-uring", "io_uring")
SC_GROUP(c_sc_keyring, "@keyring", NULL)
SC_GROUP(c_sc_reboot, "@reboot", NULL)
SC_GROUP(c_sc_swap, "@swap", NULL)
SC_GROUP(c_sc_raw_io, "@raw-io", NULL)
SC_GROUP(c_sc_clock, "@clock", NULL)
SC_GROUP(c_sc_obsolete, "@obsolete", NULL)
SC_GROUP(c_sc_cpu_emulation, "@cpu-emulation", NULL)
SC_GROUP(c_sc_privileged, "@privileged", NULL)

static int c_sc_userns(struct ctx *c, struct attack_result *r)
{
        if (!c->sc_on)
                return moot(r, "seccomp is off");
        if (!c->p->sc_userns)
                return 0;
        if (!sc_model_allows(&c->sc, "unshare") && !sc_model_allows(&c->sc, "clone"))
                return 0;
        return expose(r, 1000, NULL, "nested user namespaces allowed (user-namespaces = yes)");
}

static int c_sc_tiocsti(struct ctx *c, struct attack_result *r)
{
        if (c->sc_on)
                return 0;
        if (c->p->new_session)
                return expose(r, 250, NULL, "TIOCLINUX not filtered (seccomp off; the new session stops TIOCSTI)");
        return expose(r, 1000, "T1674", "TIOCSTI allowed: the program can type into the caller's terminal");
}

static int c_sc_socket(struct ctx *c, struct attack_result *r)
{
        if (!c->sc_on)
                return moot(r, "seccomp is off");
        if (!sc_model_allows(&c->sc, "socket") && !sc_model_allows(&c->sc, "socketpair"))
                return 0;
        int e = 0;
        for (unsigned f = 0; e >= 0 && f < 64; f++) {
                if (!(c->sc.af_allowed & (1ULL << f)) || f == AF_UNIX)
                        continue;
                const char *n = syscall_const_name(syscall_af_names, f);
                char num[16];
                if (!n) {
                        snprintf(num, sizeof(num), "family %u", f);
                        n = num;
                }
                if (f == AF_INET || f == AF_INET6) {
                        if (c->p->net == NET_HOST)
                                e = expose(r, 250, "T1210", "%s sockets on the host network", n);
                        else if (c->p->net == NET_PASTA)
                                e = expose(r, 100, "T1210", "%s sockets, outbound through pasta", n);
                } else if (f == AF_NETLINK || f == AF_PACKET)
                        e = expose(r, 500, NULL, "%s sockets allowed (kernel attack surface)", n);
                else
                        e = expose(r, 250, NULL, "%s sockets allowed", n);
        }
        return e;
}

static int c_sc_wx(struct ctx *c, struct attack_result *r)
{
        if (!c->sc_on)
                return moot(r, "seccomp is off");
        if (!c->p->sc_wx)
                return expose(r, 1000, NULL, "memory both writable and executable allowed (wx = no)");
        if (c->p->sc_memfd == MEMFD_YES)
                return expose(r, 300, NULL, "memfds let through (memfd = yes): one mapped MAP_SHARED writable and "
                              "MAP_PRIVATE executable runs code written after it was mapped");
        return 0;
}

/* ---- Landlock ---------------------------------------------------------------- */

static int c_landlock(struct ctx *c, struct attack_result *r)
{
        int e = 0;
        if (!c->p->landlock)
                return expose(r, 1000, NULL, "no Landlock");
        for (size_t i = 0; e >= 0 && i < c->p->landlock_optional.n; i++)
                e = expose(r, 100, NULL, "Landlock %s optional: skipped on kernels without it",
                           c->p->landlock_optional.v[i]);
        return e;
}

static int c_ll_tcp(struct ctx *c, struct attack_result *r)
{
        int e = 0;
        if (c->p->net == NET_NONE) {
                r->note = "no network: only the sandbox's own loopback";
                return 0;
        }
        if (!c->p->landlock)
                return moot(r, "Landlock off");
        if (strlist_contains(&c->p->tcp_connect, "any"))
                e = expose(r, 500, "T1210", "TCP connect to any port");
        if (e >= 0 && strlist_contains(&c->p->tcp_bind, "any"))
                e = expose(r, 500, NULL, "TCP bind on any port");
        return e;
}

static int c_ll_scope(struct ctx *c, struct attack_result *r)
{
        if (!c->p->landlock)
                return moot(r, "Landlock off");
        if (strlist_contains(&c->p->landlock_optional, "scope"))
                return expose(r, 300, NULL, "scoping skipped on kernels before Landlock ABI 6");
        return 0;
}

static const struct {
        const char *id;
        int (*fn)(struct ctx *c, struct attack_result *r);
} evaluators[] = {
        { "ns-user", c_ns_user },         { "ns-mount", c_ns_mount },
        { "ns-pid", c_ns_pid },           { "ns-net", c_ns_net },
        { "ns-ipc", c_ns_ipc },           { "ns-uts", c_ns_uts },
        { "ns-cgroup", c_ns_cgroup },     { "fs-dev", c_fs_dev },
        { "fs-proc", c_fs_proc },         { "fs-home", c_fs_home },
        { "fs-persist", c_fs_persist },
        { "fs-system-ro", c_fs_system_ro }, { "fs-wx", c_fs_wx },
        { "exec-allow", c_exec_allow },   { "exec-deny", c_exec_deny },
        { "exec-hash", c_exec_hash },     { "exec-memfd", c_exec_memfd },
        { "caps", c_caps },               { "no-new-privs", c_always },
        { "fd-close", c_always },         { "new-session", c_new_session },
        { "x11", c_x11 },
        { "env", c_env },                 { "rlimits", c_rlimits },
        { "seccomp", c_seccomp },         { "sc-abi", c_sc_abi },
        { "sc-mount", c_sc_mount },       { "sc-module", c_sc_module },
        { "sc-debug", c_sc_debug },       { "sc-bpf", c_sc_bpf },
        { "sc-perf", c_sc_perf },         { "sc-io-uring", c_sc_io_uring },
        { "sc-keyring", c_sc_keyring },   { "sc-reboot", c_sc_reboot },
        { "sc-swap", c_sc_swap },         { "sc-raw-io", c_sc_raw_io },
        { "sc-clock", c_sc_clock },       { "sc-obsolete", c_sc_obsolete },
        { "sc-cpu-emulation", c_sc_cpu_emulation }, { "sc-privileged", c_sc_privileged },
        { "sc-userns", c_sc_userns },     { "sc-tiocsti", c_sc_tiocsti },
        { "sc-socket", c_sc_socket },     { "sc-wx", c_sc_wx },
        { "landlock", c_landlock },       { "ll-tcp", c_ll_tcp },
        { "ll-scope", c_ll_scope },
};

size_t attack_evaluator_count(void)
{
        return ARRAY_SIZE(evaluators);
}

const char *attack_evaluator_id(size_t i)
{
        return i < ARRAY_SIZE(evaluators) ? evaluators[i].id : NULL;
}

void attack_analysis_done(struct attack_analysis *a)
{
        if (!a)
                return;
        for (size_t i = 0; i < a->nresults; i++) {
                for (size_t j = 0; j < a->results[i].nexposures; j++)
                        free(a->results[i].exposures[j].what);
                free(a->results[i].exposures);
        }
        free(a->results);
        attack_map_done(&a->map);
        memset(a, 0, sizeof(*a));
}

int attack_analyze(const struct sbx_policy *p, struct attack_analysis *ret, struct sbx_error **err)
{
        struct attack_analysis a = { 0 };
        struct ctx c = { .p = p, .home = getenv("HOME") };
        int r = attack_map_load(&a.map);
        if (r < 0)
                return r;
        if ((r = sc_model_build(p, &c.sc, err)) < 0)
                goto fail;
        /* In log mode only calls outside `allow` pass (logged); explicit
         * and always-denied calls and the argument rules still deny. */
        c.sc_on = p->seccomp;
        if (!(a.results = calloc(a.map.ncontrols, sizeof(*a.results)))) {
                r = -ENOMEM;
                goto fail;
        }
        a.nresults = a.map.ncontrols;
        for (size_t i = 0; i < a.map.ncontrols; i++) {
                struct attack_result *res = &a.results[i];
                res->control = &a.map.controls[i];
                r = -EINVAL; /* a control in the map with no evaluator */
                for (size_t k = 0; k < ARRAY_SIZE(evaluators); k++)
                        if (strcmp(evaluators[k].id, res->control->id) == 0) {
                                r = evaluators[k].fn(&c, res);
                                break;
                        }
                if (r < 0)
                        goto fail;
                res->state = res->open_pm == 0 ? ATTACK_ON : res->open_pm >= 1000 ? ATTACK_OFF : ATTACK_PARTIAL;
                a.weight_total += res->control->weight;
                a.open_total += (unsigned long)res->control->weight * res->open_pm;
        }
        a.memfd_allowed = sc_model_allows(&c.sc, "memfd_create");
        a.score_x10 = a.weight_total ? (int)((a.open_total * 100 + a.weight_total * 500) /
                                             (a.weight_total * 1000))
                                     : 0;
        sc_model_done(&c.sc);
        *ret = a;
        return 0;
fail:
        sc_model_done(&c.sc);
        attack_analysis_done(&a);
        return r;
}

/* Is t defeated by any exposure of the policy? */
static bool defeated(const struct attack_analysis *a, const char *t)
{
        for (size_t i = 0; i < a->nresults; i++)
                for (size_t j = 0; j < a->results[i].nexposures; j++)
                        if (a->results[i].exposures[j].technique &&
                            strcmp(a->results[i].exposures[j].technique, t) == 0)
                                return true;
        return false;
}

bool attack_result_covers(const struct attack_analysis *a, const struct attack_result *r, const char *t)
{
        if (r->state == ATTACK_OFF)
                return false;
        bool linked = false;
        for (size_t i = 0; i < r->control->nlinks && !linked; i++)
                linked = strcmp(r->control->links[i].technique, t) == 0;
        return linked && !defeated(a, t);
}

void attack_technique_status(const struct attack_analysis *a, size_t mitigation, const char *t,
                             bool *covered, bool *demonstrated)
{
        *covered = *demonstrated = false;
        if (defeated(a, t))
                return;
        for (size_t i = 0; i < a->nresults; i++) {
                const struct attack_result *r = &a->results[i];
                if (r->state == ATTACK_OFF)
                        continue;
                for (size_t k = 0; k < r->control->nlinks; k++) {
                        const struct attack_link *l = &r->control->links[k];
                        if (l->mitigation != mitigation || strcmp(l->technique, t) != 0)
                                continue;
                        *covered = true;
                        if (r->control->tests[0])
                                *demonstrated = true;
                }
        }
}

/* ---- rendering ------------------------------------------------------------------ */

static int contribution_x100(const struct attack_analysis *a, const struct attack_result *r)
{
        /* points on the 0–10 scale, times 100 */
        return a->weight_total ? (int)(((unsigned long)r->control->weight * r->open_pm * 1000 +
                                        a->weight_total * 500) /
                                       (a->weight_total * 1000))
                               : 0;
}

enum tstat { T_DEMONSTRATED, T_CLAIMED, T_OPEN, T_NA, T_COUNT };

static enum tstat technique_class(const struct attack_analysis *a, size_t mi, const char *t)
{
        bool cov, dem;
        if (attack_mitigation_not_applicable(&a->map.mitigations[mi], t))
                return T_NA;
        attack_technique_status(a, mi, t, &cov, &dem);
        return dem ? T_DEMONSTRATED : cov ? T_CLAIMED : T_OPEN;
}

static void render_text(struct sbuf *b, const struct sbx_policy *p, const struct attack_analysis *a)
{
        sbuf_printf(b, "Profile:  %s", p->name ? p->name : "(unnamed)");
        if (p->description && *p->description)
                sbuf_printf(b, " — %s", p->description);
        sbuf_printf(b, "\nExposure: %d.%d / 10   (0: every control on, 10: none; see sbx(1), "
                       "EXPOSURE SCORE)\n\n",
                    a->score_x10 / 10, a->score_x10 % 10);
        sbuf_printf(b, "%-8s %6s  %-17s %s\n", "STATE", "POINTS", "CONTROL", "WHAT IT DOES / LEAVES OPEN / EVIDENCE");
        for (size_t i = 0; i < a->nresults; i++) {
                const struct attack_result *r = &a->results[i];
                int pts = contribution_x100(a, r);
                sbuf_printf(b, "%-8s %3d.%02d  %-17s %s\n", attack_state_name(r->state), pts / 100,
                            pts % 100, r->control->id, r->control->description);
                if (r->note)
                        sbuf_printf(b, "%35s (%s)\n", "", r->note);
                for (size_t j = 0; j < r->nexposures; j++)
                        sbuf_printf(b, "%35s open: %s\n", "", r->exposures[j].what);
                if (r->control->tests[0])
                        for (char **t = r->control->tests; *t; t++)
                                sbuf_printf(b, "%35s demonstrated: %s\n", "", *t);
                else
                        sbuf_printf(b, "%35s claimed, not demonstrated\n", "");
        }

        sbuf_puts(b, "\nLeaves open:\n");
        size_t nopen = 0;
        for (size_t i = 0; i < a->nresults; i++)
                for (size_t j = 0; j < a->results[i].nexposures; j++, nopen++)
                        sbuf_printf(b, "  - %s\n", a->results[i].exposures[j].what);
        if (!nopen)
                sbuf_puts(b, "  nothing the map knows of\n");

        sbuf_puts(b, "\nW^X: routes from writable to executable memory\n");
        wx_describe(p, a->memfd_allowed, b, "  ");
        sbuf_puts(b, "\nLimits: what bounds the sandbox here, for this user\n");
        limits_describe(p, b, "  ");

        static const char *const labels[T_COUNT] = {
                [T_DEMONSTRATED] = "covered, demonstrated by a test",
                [T_CLAIMED] = "covered, claimed, not demonstrated",
                [T_OPEN] = "not covered",
                [T_NA] = "not applicable (Windows, macOS or network devices)",
        };
        for (size_t mi = 0; mi < a->map.nmitigations; mi++) {
                const struct attack_mitigation *m = &a->map.mitigations[mi];
                size_t total = 0, count[T_COUNT] = { 0 };
                for (char **t = m->techniques; *t; t++, total++)
                        count[technique_class(a, mi, *t)]++;
                sbuf_printf(b, "\nTechniques of %s %s: %zu of %zu covered (%zu demonstrated by a test)\n",
                            m->id, m->name, count[T_DEMONSTRATED] + count[T_CLAIMED], total,
                            count[T_DEMONSTRATED]);
                for (int k = 0; k < T_COUNT; k++) {
                        if (!count[k])
                                continue;
                        sbuf_printf(b, "  %s (%zu):", labels[k], count[k]);
                        size_t col = 0;
                        for (char **t = m->techniques; *t; t++) {
                                if (technique_class(a, mi, *t) != (enum tstat)k)
                                        continue;
                                if (col++ % 8 == 0)
                                        sbuf_puts(b, "\n   ");
                                sbuf_printf(b, " %s", *t);
                        }
                        sbuf_puts(b, "\n");
                }
        }
}

static void json_strv(struct sbuf *b, char *const *v)
{
        sbuf_puts(b, "[");
        for (size_t i = 0; v && v[i]; i++) {
                if (i)
                        sbuf_puts(b, ", ");
                sbuf_json_str(b, v[i]);
        }
        sbuf_puts(b, "]");
}

static void render_json(struct sbuf *b, const struct sbx_policy *p, const struct attack_analysis *a)
{
        sbuf_puts(b, "{\n  \"profile\": ");
        sbuf_json_str(b, p->name);
        sbuf_puts(b, ",\n  \"description\": ");
        sbuf_json_str(b, p->description);
        sbuf_printf(b, ",\n  \"score\": %d.%d,\n", a->score_x10 / 10, a->score_x10 % 10);
        sbuf_puts(b, "  \"score_formula\": \"10 * sum(weight * open) / sum(weight), open in [0, 1] per control\",\n");
        sbuf_printf(b, "  \"weight_total\": %lu,\n  \"controls\": [", a->weight_total);
        for (size_t i = 0; i < a->nresults; i++) {
                const struct attack_result *r = &a->results[i];
                const struct attack_control *c = r->control;
                int pts = contribution_x100(a, r);
                sbuf_printf(b, "%s\n    {\"id\": ", i ? "," : "");
                sbuf_json_str(b, c->id);
                sbuf_puts(b, ", \"description\": ");
                sbuf_json_str(b, c->description);
                sbuf_puts(b, ", \"on_when\": ");
                sbuf_json_str(b, c->on_when);
                sbuf_printf(b, ", \"state\": \"%s\", \"weight\": %u, \"open\": %u.%03u, \"points\": %d.%02d",
                            attack_state_name(r->state), c->weight, r->open_pm / 1000, r->open_pm % 1000,
                            pts / 100, pts % 100);
                sbuf_puts(b, ", \"note\": ");
                sbuf_json_str(b, r->note);
                sbuf_puts(b, ", \"exposures\": [");
                for (size_t j = 0; j < r->nexposures; j++) {
                        sbuf_puts(b, j ? ", {\"what\": " : "{\"what\": ");
                        sbuf_json_str(b, r->exposures[j].what);
                        sbuf_puts(b, ", \"defeats\": ");
                        sbuf_json_str(b, r->exposures[j].technique);
                        sbuf_puts(b, "}");
                }
                sbuf_puts(b, "], \"tests\": ");
                json_strv(b, c->tests);
                sbuf_printf(b, ", \"evidence\": \"%s\", \"techniques\": {",
                            c->tests[0] ? "demonstrated" : "claimed, not demonstrated");
                bool first = true;
                for (size_t mi = 0; mi < a->map.nmitigations; mi++) {
                        bool any = false;
                        for (size_t k = 0; k < c->nlinks; k++) {
                                if (c->links[k].mitigation != mi)
                                        continue;
                                if (!any)
                                        sbuf_printf(b, "%s\"%s\": [", first ? "" : ", ",
                                                    a->map.mitigations[mi].id);
                                else
                                        sbuf_puts(b, ", ");
                                sbuf_json_str(b, c->links[k].technique);
                                any = true;
                                first = false;
                        }
                        if (any)
                                sbuf_puts(b, "]");
                }
                sbuf_puts(b, "}}");
        }
        sbuf_puts(b, "\n  ],\n  \"exposures\": [");
        bool first = true;
        for (size_t i = 0; i < a->nresults; i++)
                for (size_t j = 0; j < a->results[i].nexposures; j++) {
                        sbuf_puts(b, first ? "\n    " : ",\n    ");
                        sbuf_json_str(b, a->results[i].exposures[j].what);
                        first = false;
                }
        sbuf_puts(b, first ? "],\n  \"mitigations\": [" : "\n  ],\n  \"mitigations\": [");
        static const char *const keys[T_COUNT] = {
                [T_DEMONSTRATED] = "demonstrated", [T_CLAIMED] = "claimed",
                [T_OPEN] = "not_covered", [T_NA] = "not_applicable",
        };
        for (size_t mi = 0; mi < a->map.nmitigations; mi++) {
                const struct attack_mitigation *m = &a->map.mitigations[mi];
                size_t total = 0, count[T_COUNT] = { 0 };
                for (char **t = m->techniques; *t; t++, total++)
                        count[technique_class(a, mi, *t)]++;
                sbuf_printf(b, "%s\n    {\"id\": \"%s\", \"name\": ", mi ? "," : "", m->id);
                sbuf_json_str(b, m->name);
                sbuf_printf(b, ", \"techniques\": %zu, \"covered\": %zu", total,
                            count[T_DEMONSTRATED] + count[T_CLAIMED]);
                for (int k = 0; k < T_COUNT; k++) {
                        sbuf_printf(b, ", \"%s\": [", keys[k]);
                        bool f = true;
                        for (char **t = m->techniques; *t; t++)
                                if (technique_class(a, mi, *t) == (enum tstat)k) {
                                        sbuf_puts(b, f ? "" : ", ");
                                        sbuf_json_str(b, *t);
                                        f = false;
                                }
                        sbuf_puts(b, "]");
                }
                sbuf_puts(b, "}");
        }
        sbuf_puts(b, "\n  ]\n}\n");
}

SBX_EXPORT int sbx_analyze(const struct sbx_policy *p, enum sbx_format f, char **ret, int *score_x10,
                           struct sbx_error **err)
{
        if (!p || (!ret && !score_x10))
                return -EINVAL;
        if (f != SBX_FORMAT_TEXT && f != SBX_FORMAT_JSON)
                return -EOPNOTSUPP;
        struct attack_analysis a;
        int r = attack_analyze(p, &a, err);
        if (r < 0)
                return r;
        if (ret) {
                struct sbuf b = { 0 };
                if (f == SBX_FORMAT_JSON)
                        render_json(&b, p, &a);
                else
                        render_text(&b, p, &a);
                r = sbuf_take(&b, ret);
        }
        if (r >= 0 && score_x10)
                *score_x10 = a.score_x10;
        attack_analysis_done(&a);
        return r;
}
