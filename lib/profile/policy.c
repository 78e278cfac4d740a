/* policy.c — the policy value: strict defaults, lists, copying, comparing,
 * whole-policy validation (conflicts between entries, with both origins)
 * and the notes about this machine that `sbx check` prints.  Parsing lives
 * in profile*.c, printing in format.c.  Nothing here prints; only the
 * warnings look at the filesystem (stat). */
#include <fnmatch.h>
#include <pthread.h>
#include <stdint.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "base/path.h"
#include "config.h"
#include "profile/env.h"
#include "profile/profile.h"
#include "syscalls/syscalls.h"
#include "base/util.h"

/* ---- lists ------------------------------------------------------------- */

static int grow(void **v, size_t *cap, size_t need, size_t size)
{
        if (need <= *cap)
                return 0;
        size_t nc = *cap ? *cap * 2 : 8;
        while (nc < need)
                nc *= 2;
        void *nv = reallocarray(*v, nc, size);
        if (!nv)
                return -ENOMEM;
        *v = nv;
        *cap = nc;
        return 0;
}

int strlist_add(struct strlist *l, const char *s, struct sbx_loc loc)
{
        if (!s)
                return -EINVAL;
        if (strlist_contains(l, s))
                return 0;
        size_t cap = l->cap;
        if (grow((void **)&l->v, &cap, l->n + 1, sizeof(char *)) < 0)
                return -ENOMEM;
        if (grow((void **)&l->loc, &l->cap, l->n + 1, sizeof(struct sbx_loc)) < 0)
                return -ENOMEM;
        /* Both arrays now hold at least l->cap entries. */
        char *d = strdup(s);
        if (!d)
                return -ENOMEM;
        l->v[l->n] = d;
        l->loc[l->n] = loc;
        l->n++;
        return 0;
}

void strlist_remove(struct strlist *l, const char *s)
{
        size_t k = 0;
        for (size_t i = 0; i < l->n; i++) {
                if (strcmp(l->v[i], s) == 0) {
                        free(l->v[i]);
                        continue;
                }
                l->v[k] = l->v[i];
                l->loc[k] = l->loc[i];
                k++;
        }
        l->n = k;
}

bool strlist_contains(const struct strlist *l, const char *s)
{
        for (size_t i = 0; i < l->n; i++)
                if (strcmp(l->v[i], s) == 0)
                        return true;
        return false;
}

void strlist_free(struct strlist *l)
{
        for (size_t i = 0; i < l->n; i++)
                free(l->v[i]);
        free(l->v);
        free(l->loc);
        *l = (struct strlist){ 0 };
}

const char *policy_intern_file(struct sbx_policy *p, const char *file)
{
        if (!file)
                return NULL;
        for (size_t i = 0; i < p->nfiles; i++)
                if (strcmp(p->files[i], file) == 0)
                        return p->files[i];
        char **nv = reallocarray(p->files, p->nfiles + 1, sizeof(char *));
        if (!nv)
                return NULL;
        p->files = nv;
        char *d = strdup(file);
        if (!d)
                return NULL;
        p->files[p->nfiles++] = d;
        return d;
}

int policy_set_string(char **field, const char *value)
{
        char *d = NULL;
        if (value && !(d = strdup(value)))
                return -ENOMEM;
        free(*field);
        *field = d;
        return 0;
}

static void mount_op_free(struct mount_op *m)
{
        free(m->src);
        free(m->dst);
}

static bool str_eq(const char *a, const char *b)
{
        if (!a || !b)
                return a == b;
        return strcmp(a, b) == 0;
}

static bool mount_same(const struct mount_op *a, const struct mount_op *b)
{
        return a->kind == b->kind && a->flags == b->flags && str_eq(a->src, b->src) &&
               str_eq(a->dst, b->dst);
}

int policy_add_mount(struct sbx_policy *p, const struct mount_op *m)
{
        for (size_t i = 0; i < p->mounts.n; i++)
                if (mount_same(&p->mounts.v[i], m))
                        return 0;
        if (grow((void **)&p->mounts.v, &p->mounts.cap, p->mounts.n + 1, sizeof(struct mount_op)) < 0)
                return -ENOMEM;
        struct mount_op c = *m;
        c.src = m->src ? strdup(m->src) : NULL;
        c.dst = m->dst ? strdup(m->dst) : NULL;
        if ((m->src && !c.src) || (m->dst && !c.dst)) {
                mount_op_free(&c);
                return -ENOMEM;
        }
        p->mounts.v[p->mounts.n++] = c;
        return 0;
}

void policy_remove_mounts(struct sbx_policy *p, enum mount_kind kind, const char *path)
{
        size_t k = 0;
        for (size_t i = 0; i < p->mounts.n; i++) {
                struct mount_op *m = &p->mounts.v[i];
                if (m->kind == kind && (str_eq(m->src, path) || str_eq(m->dst, path))) {
                        mount_op_free(m);
                        continue;
                }
                p->mounts.v[k++] = *m;
        }
        p->mounts.n = k;
}

struct arg_rule *policy_arg_rule(struct sbx_policy *p, const char *syscall)
{
        for (size_t i = 0; i < p->sc_nargs; i++)
                if (strcmp(p->sc_args[i].syscall, syscall) == 0)
                        return &p->sc_args[i];
        if (grow((void **)&p->sc_args, &p->sc_args_cap, p->sc_nargs + 1, sizeof(struct arg_rule)) < 0)
                return NULL;
        struct arg_rule *a = &p->sc_args[p->sc_nargs];
        *a = (struct arg_rule){ .syscall = strdup(syscall) };
        if (!a->syscall)
                return NULL;
        p->sc_nargs++;
        return a;
}

/* ---- defaults ---------------------------------------------------------- */

static const char *const default_env_keep[] = {
        "TERM", "LANG", "LANGUAGE", "LC_*", "TZ", "COLORTERM", "NO_COLOR",
};

/* The rlimits a profile can set ([limits] KEY), in the order of
 * SBX_RLIMIT_COUNT; `bytes` values take K/M/G suffixes. */
const struct limit_def profile_limits[SBX_RLIMIT_COUNT] = {
        { "nofile", RLIMIT_NOFILE, false },     { "nproc", RLIMIT_NPROC, false },
        { "as", RLIMIT_AS, true },              { "data", RLIMIT_DATA, true },
        { "stack", RLIMIT_STACK, true },        { "core", RLIMIT_CORE, true },
        { "fsize", RLIMIT_FSIZE, true },        { "memlock", RLIMIT_MEMLOCK, true },
        { "cpu", RLIMIT_CPU, false },           { "rss", RLIMIT_RSS, true },
        { "msgqueue", RLIMIT_MSGQUEUE, true },  { "nice", RLIMIT_NICE, false },
        { "rtprio", RLIMIT_RTPRIO, false },     { "sigpending", RLIMIT_SIGPENDING, false },
        { "locks", RLIMIT_LOCKS, false },       { "rttime", RLIMIT_RTTIME, false },
};

int policy_init(struct sbx_policy *p)
{
        static const struct sbx_loc builtin = { NULL, 0 };
        int r = 0;

        *p = (struct sbx_policy){ 0 };
        p->ns_user = p->ns_mount = p->ns_pid = p->ns_ipc = p->ns_uts = p->ns_cgroup = true;
        p->uid = p->gid = -1;
        p->hostname = strdup("sbx");
        if (!p->hostname)
                r = -ENOMEM;
        p->proc = PROC_MASKED;
        p->sys = SYS_NONE;
        p->home = HOME_TMPFS;
        p->args = ARGS_NONE;
        p->cwd_bind = CWD_NONE;
        p->net = NET_NONE;
        p->net_fallback = NET_FALLBACK_REFUSE;
        p->seccomp = true;
        if (strlist_add(&p->sc_allow, "@default", builtin) < 0)
                r = -ENOMEM;
        p->sc_action = DENY_ERRNO;
        p->sc_errno = EPERM;
        struct arg_rule *a = policy_arg_rule(p, "socket");
        if (!a || strlist_add(&a->values, "unix", builtin) < 0)
                r = -ENOMEM;
        if (!policy_arg_rule(p, "ioctl"))
                r = -ENOMEM;
        for (size_t i = 0; i < SBX_RLIMIT_COUNT; i++)
                p->rlimits[i].resource = profile_limits[i].resource;
        for (size_t i = 0; i < SBX_RLIMIT_COUNT; i++)
                if (profile_limits[i].resource == RLIMIT_CORE) {
                        p->rlimits[i].set = true;
                        p->rlimits[i].lim = (struct rlimit){ 0, 0 };
                }
        for (size_t i = 0; i < ARRAY_SIZE(default_env_keep); i++)
                if (strlist_add(&p->env_keep, default_env_keep[i], builtin) < 0)
                        r = -ENOMEM;
        p->landlock = true;
        p->landlock_min_abi = 1;
        p->new_session = true;
        p->limits.tmpfs_size = SBX_DEFAULT_TMPFS_SIZE;
        p->limits.tmpfs_inodes = SBX_DEFAULT_TMPFS_INODES;
        p->limits.user_share = SBX_DEFAULT_USER_SHARE;
        return r;
}

static void free_warnings(struct sbx_policy *p)
{
        for (size_t i = 0; i < p->nwarnings; i++)
                free(p->warnings[i]);
        free(p->warnings);
        p->warnings = NULL;
        p->nwarnings = 0;
        p->warnings_done = false;
}

void policy_done(struct sbx_policy *p)
{
        free(p->name);
        free(p->description);
        strlist_free(&p->includes);
        free(p->hostname);
        for (size_t i = 0; i < p->mounts.n; i++)
                mount_op_free(&p->mounts.v[i]);
        free(p->mounts.v);
        free(p->cwd);
        strlist_free(&p->tcp_bind);
        strlist_free(&p->tcp_connect);
        strlist_free(&p->listen);
        strlist_free(&p->exec_allow);
        strlist_free(&p->exec_deny);
        for (size_t i = 0; i < p->exec_hashes.n; i++)
                free(p->exec_hashes.v[i].path);
        free(p->exec_hashes.v);
        strlist_free(&p->sc_allow);
        strlist_free(&p->sc_deny);
        strlist_free(&p->sc_override);
        for (size_t i = 0; i < p->sc_nargs; i++) {
                free(p->sc_args[i].syscall);
                strlist_free(&p->sc_args[i].values);
        }
        free(p->sc_args);
        strlist_free(&p->caps_keep);
        strlist_free(&p->env_keep);
        strlist_free(&p->env_set);
        strlist_free(&p->landlock_optional);
        strlist_free(&p->ll_readonly);
        strlist_free(&p->limits_optional);
        strlist_free(&p->skipped);
        strlist_free(&p->protect);
        strlist_free(&p->protect_dir);
        strlist_free(&p->secret);
        strlist_free(&p->protect_project);
        strlist_free(&p->dbus_talk);
        strlist_free(&p->dbus_own);
        strlist_free(&p->dbus_see);
        strlist_free(&p->dbus_call);
        strlist_free(&p->dbus_broadcast);
        strlist_free(&p->dbus_required_by);
        for (size_t i = 0; i < p->nfiles; i++)
                free(p->files[i]);
        free(p->files);
        free_warnings(p);
        *p = (struct sbx_policy){ 0 };
}

void policy_swap(struct sbx_policy *a, struct sbx_policy *b)
{
        struct sbx_policy t = *a;
        *a = *b;
        *b = t;
}

/* ---- copying ----------------------------------------------------------- */

/* Locations point into the source policy's interned names; a copy points
 * into its own.  Pointers not interned (NULL, static) stay. */
static struct sbx_loc remap(const struct sbx_policy *from, const struct sbx_policy *to,
                            struct sbx_loc l)
{
        for (size_t i = 0; l.file && i < from->nfiles; i++)
                if (from->files[i] == l.file)
                        return (struct sbx_loc){ to->files[i], l.line };
        return l;
}

static int copy_strlist(const struct sbx_policy *from, const struct sbx_policy *to,
                        const struct strlist *s, struct strlist *d)
{
        *d = (struct strlist){ 0 };
        for (size_t i = 0; i < s->n; i++)
                if (strlist_add(d, s->v[i], remap(from, to, s->loc[i])) < 0)
                        return -ENOMEM;
        return 0;
}

static int copy_str(const char *s, char **d)
{
        *d = NULL;
        if (s && !(*d = strdup(s)))
                return -ENOMEM;
        return 0;
}

static int policy_copy(const struct sbx_policy *s, struct sbx_policy *d)
{
        /* Scalars by value first; every pointer is replaced below. */
        *d = *s;
        d->name = d->description = d->hostname = d->cwd = NULL;
        d->includes = d->tcp_bind = d->tcp_connect = d->listen = d->exec_allow = d->exec_deny =
                d->sc_allow = d->sc_deny = d->sc_override = d->caps_keep = d->env_keep =
                        d->env_set = d->landlock_optional = d->ll_readonly = d->protect = d->protect_dir = d->secret = d->protect_project =
                                d->dbus_talk = d->dbus_own = d->dbus_see = d->dbus_call = d->dbus_broadcast =
                                d->dbus_required_by =
                                d->limits_optional = d->skipped = (struct strlist){ 0 };
        d->mounts = (struct mount_list){ 0 };
        d->exec_hashes = (struct hash_list){ 0 };
        d->sc_args = NULL;
        d->sc_nargs = d->sc_args_cap = 0;
        d->files = NULL;
        d->nfiles = 0;
        d->warnings = NULL;
        d->nwarnings = 0;
        d->warnings_done = false;

        if (s->nfiles) {
                if (!(d->files = calloc(s->nfiles, sizeof(char *))))
                        return -ENOMEM;
                for (size_t i = 0; i < s->nfiles; i++) {
                        if (!(d->files[i] = strdup(s->files[i])))
                                return -ENOMEM;
                        d->nfiles++;
                }
        }
        for (size_t i = 0; i < K_SCALAR_COUNT; i++)
                d->scalar_loc[i] = remap(s, d, s->scalar_loc[i]);
        for (size_t i = 0; i < SBX_RLIMIT_COUNT; i++)
                d->rlimits[i].loc = remap(s, d, s->rlimits[i].loc);

        if (copy_str(s->name, &d->name) < 0 || copy_str(s->description, &d->description) < 0 ||
            copy_str(s->hostname, &d->hostname) < 0 || copy_str(s->cwd, &d->cwd) < 0)
                return -ENOMEM;
        const struct { const struct strlist *s; struct strlist *d; } lists[] = {
                { &s->includes, &d->includes },       { &s->tcp_bind, &d->tcp_bind },
                { &s->tcp_connect, &d->tcp_connect }, { &s->exec_allow, &d->exec_allow },
                { &s->listen, &d->listen },
                { &s->exec_deny, &d->exec_deny },     { &s->sc_allow, &d->sc_allow },
                { &s->sc_deny, &d->sc_deny },         { &s->sc_override, &d->sc_override },
                { &s->caps_keep, &d->caps_keep },     { &s->env_keep, &d->env_keep },
                { &s->env_set, &d->env_set },         { &s->landlock_optional, &d->landlock_optional },
                { &s->ll_readonly, &d->ll_readonly },       { &s->protect, &d->protect },
                { &s->protect_dir, &d->protect_dir },
                { &s->secret, &d->secret },           { &s->protect_project, &d->protect_project },
                { &s->dbus_talk, &d->dbus_talk },     { &s->dbus_own, &d->dbus_own },
                { &s->dbus_see, &d->dbus_see },       { &s->dbus_call, &d->dbus_call },
                { &s->dbus_broadcast, &d->dbus_broadcast },
                { &s->dbus_required_by, &d->dbus_required_by },
                { &s->limits_optional, &d->limits_optional },
                { &s->skipped, &d->skipped },
        };
        for (size_t i = 0; i < ARRAY_SIZE(lists); i++)
                if (copy_strlist(s, d, lists[i].s, lists[i].d) < 0)
                        return -ENOMEM;
        for (size_t i = 0; i < s->mounts.n; i++) {
                struct mount_op m = s->mounts.v[i];
                m.loc = remap(s, d, m.loc);
                if (policy_add_mount(d, &m) < 0)
                        return -ENOMEM;
        }
        if (s->exec_hashes.n) {
                if (!(d->exec_hashes.v = calloc(s->exec_hashes.n, sizeof(struct exec_hash))))
                        return -ENOMEM;
                d->exec_hashes.cap = s->exec_hashes.n;
                for (size_t i = 0; i < s->exec_hashes.n; i++) {
                        struct exec_hash h = s->exec_hashes.v[i];
                        h.loc = remap(s, d, h.loc);
                        if (!(h.path = strdup(h.path)))
                                return -ENOMEM;
                        d->exec_hashes.v[d->exec_hashes.n++] = h;
                }
        }
        for (size_t i = 0; i < s->sc_nargs; i++) {
                struct arg_rule *a = policy_arg_rule(d, s->sc_args[i].syscall);
                if (!a)
                        return -ENOMEM;
                a->loc = remap(s, d, s->sc_args[i].loc);
                if (copy_strlist(s, d, &s->sc_args[i].values, &a->values) < 0)
                        return -ENOMEM;
        }
        /* The copy computes its own warnings when asked. */
        return 0;
}

/* ---- comparing --------------------------------------------------------- */

static bool strlist_same(const struct strlist *a, const struct strlist *b)
{
        if (a->n != b->n)
                return false;
        for (size_t i = 0; i < a->n; i++)
                if (!strlist_contains(b, a->v[i]))
                        return false;
        return true;
}

static const struct arg_rule *find_rule(const struct sbx_policy *p, const char *syscall)
{
        for (size_t i = 0; i < p->sc_nargs; i++)
                if (strcmp(p->sc_args[i].syscall, syscall) == 0)
                        return &p->sc_args[i];
        return NULL;
}

static bool hashes_same(const struct hash_list *a, const struct hash_list *b)
{
        if (a->n != b->n)
                return false;
        for (size_t i = 0; i < a->n; i++) {
                bool found = false;
                for (size_t j = 0; j < b->n && !found; j++)
                        found = strcmp(a->v[i].path, b->v[j].path) == 0 &&
                                strcmp(a->v[i].hex, b->v[j].hex) == 0;
                if (!found)
                        return false;
        }
        return true;
}

bool policy_equal(const struct sbx_policy *a, const struct sbx_policy *b)
{
        const char *da = a->description ? a->description : "";
        const char *db = b->description ? b->description : "";
        if (!str_eq(a->name, b->name) || strcmp(da, db) != 0)
                return false;
        if (a->ns_user != b->ns_user || a->ns_mount != b->ns_mount || a->ns_pid != b->ns_pid ||
            a->ns_ipc != b->ns_ipc || a->ns_uts != b->ns_uts || a->ns_cgroup != b->ns_cgroup ||
            a->uid != b->uid || a->gid != b->gid || a->keep_root != b->keep_root ||
            !str_eq(a->hostname, b->hostname))
                return false;
        if (a->mounts.n != b->mounts.n)
                return false;
        /* Mount order carries no meaning: destinations are unique and the
         * plan sorts parents before children. */
        for (size_t i = 0; i < a->mounts.n; i++) {
                bool found = false;
                for (size_t j = 0; j < b->mounts.n && !found; j++)
                        found = mount_same(&a->mounts.v[i], &b->mounts.v[j]);
                if (!found)
                        return false;
        }
        if (a->proc != b->proc || a->sys != b->sys || a->home != b->home || a->args != b->args ||
            a->args_dirs != b->args_dirs ||
            a->cwd_bind != b->cwd_bind || !str_eq(a->cwd, b->cwd))
                return false;
        if (a->net != b->net || a->net_fallback != b->net_fallback || !strlist_same(&a->tcp_bind, &b->tcp_bind) ||
            !strlist_same(&a->tcp_connect, &b->tcp_connect) || !strlist_same(&a->listen, &b->listen))
                return false;
        if (!strlist_same(&a->exec_allow, &b->exec_allow) ||
            !strlist_same(&a->exec_deny, &b->exec_deny) ||
            !hashes_same(&a->exec_hashes, &b->exec_hashes) ||
            a->writable_exec != b->writable_exec || a->memfd_exec != b->memfd_exec)
                return false;
        if (a->seccomp != b->seccomp || !strlist_same(&a->sc_allow, &b->sc_allow) ||
            !strlist_same(&a->sc_deny, &b->sc_deny) ||
            !strlist_same(&a->sc_override, &b->sc_override) || a->sc_action != b->sc_action ||
            a->sc_errno != b->sc_errno || a->sc_nested != b->sc_nested ||
            a->sc_userns != b->sc_userns || a->sc_wx != b->sc_wx || a->sc_memfd != b->sc_memfd)
                return false;
        /* An absent rule and an empty one mean different things for
         * socket (absent: unix only), so compare presence too. */
        for (size_t i = 0; i < a->sc_nargs; i++) {
                const struct arg_rule *o = find_rule(b, a->sc_args[i].syscall);
                if (!o || !strlist_same(&a->sc_args[i].values, &o->values))
                        return false;
        }
        for (size_t i = 0; i < b->sc_nargs; i++)
                if (!find_rule(a, b->sc_args[i].syscall))
                        return false;
        if (!strlist_same(&a->caps_keep, &b->caps_keep))
                return false;
        for (size_t i = 0; i < SBX_RLIMIT_COUNT; i++) {
                const struct rlimit_rule *x = &a->rlimits[i], *y = &b->rlimits[i];
                if (x->resource != y->resource || x->set != y->set)
                        return false;
                if (x->set && (x->lim.rlim_cur != y->lim.rlim_cur || x->lim.rlim_max != y->lim.rlim_max))
                        return false;
        }
        if (memcmp(&a->limits, &b->limits, sizeof(a->limits)) != 0 ||
            !strlist_same(&a->limits_optional, &b->limits_optional))
                return false;
        if (!strlist_same(&a->env_keep, &b->env_keep) || !strlist_same(&a->env_set, &b->env_set))
                return false;
        if (a->landlock != b->landlock || a->landlock_min_abi != b->landlock_min_abi ||
            !strlist_same(&a->landlock_optional, &b->landlock_optional) ||
            !strlist_same(&a->ll_readonly, &b->ll_readonly) || !strlist_same(&a->protect, &b->protect) ||
            !strlist_same(&a->protect_dir, &b->protect_dir) || !strlist_same(&a->secret, &b->secret) ||
            !strlist_same(&a->protect_project, &b->protect_project))
                return false;
        if (!strlist_same(&a->dbus_talk, &b->dbus_talk) || !strlist_same(&a->dbus_own, &b->dbus_own) ||
            !strlist_same(&a->dbus_see, &b->dbus_see) || !strlist_same(&a->dbus_call, &b->dbus_call) ||
            !strlist_same(&a->dbus_broadcast, &b->dbus_broadcast) ||
            !strlist_same(&a->dbus_required_by, &b->dbus_required_by))
                return false;
        return a->new_session == b->new_session && a->x11 == b->x11 &&
               a->a11y == b->a11y;
}

/* ---- validation -------------------------------------------------------- */

static const char *mount_key(enum mount_kind k)
{
        switch (k) {
        case MOUNT_BIND: return "bind";
        case MOUNT_RO_BIND: return "ro-bind";
        case MOUNT_TMPFS: return "tmpfs";
        case MOUNT_DIR: return "dir";
        case MOUNT_SYMLINK: return "symlink";
        case MOUNT_DEV: return "dev";
        }
        return "?";
}

/* "FILE:LINE", "FILE" or "the built-in defaults", for naming the other
 * side of a conflict. */
static const char *loc_text(struct sbx_loc l, char *buf, size_t size)
{
        if (!l.file)
                return "the built-in defaults";
        if (l.line)
                snprintf(buf, size, "%s:%u", l.file, l.line);
        else
                snprintf(buf, size, "%s", l.file);
        return buf;
}

static bool deny_matches(const char *pattern, const char *path)
{
        if (path_has_glob(pattern))
                return fnmatch(pattern, path, FNM_PATHNAME) == 0;
        return path_under(path, pattern);
}

static bool hostname_valid(const char *h)
{
        size_t n = h ? strlen(h) : 0;
        if (n < 1 || n > 64)
                return false;
        return strspn(h, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789.-") == n;
}

SBX_EXPORT int sbx_policy_validate(const struct sbx_policy *p, struct sbx_error **err)
{
        char other[4200];

        if (!p)
                return -EINVAL;
        for (size_t i = 0; i < p->mounts.n; i++) {
                const struct mount_op *m = &p->mounts.v[i];
                const char *key = mount_key(m->kind);
                if (!m->dst || m->dst[0] != '/' || ((m->kind != MOUNT_TMPFS && m->kind != MOUNT_DIR) && !m->src))
                        return sbx_err_at(err, -EINVAL, m->loc.file, m->loc.line,
                                          "[filesystem] %s: incomplete entry", key);
                if (strcmp(m->dst, "/") == 0)
                        return sbx_err_at(err, -EINVAL, m->loc.file, m->loc.line,
                                          "[filesystem] %s: the destination cannot be /", key);
                if (m->kind == MOUNT_DEV && !(strncmp(m->src, "/dev/", 5) == 0 && m->src[5]))
                        return sbx_err_at(err, -EINVAL, m->loc.file, m->loc.line,
                                          "[filesystem] dev: %s is not under /dev", m->src);
                for (size_t j = 0; j < i; j++) {
                        const struct mount_op *o = &p->mounts.v[j];
                        if (strcmp(o->dst, m->dst) != 0)
                                continue;
                        return sbx_err_at(err, -EINVAL, m->loc.file, m->loc.line,
                                          "[filesystem] %s: destination %s is already used by %s at %s",
                                          key, m->dst, mount_key(o->kind),
                                          loc_text(o->loc, other, sizeof(other)));
                }
        }
        if (!p->ns_mount && p->mounts.n) {
                const struct mount_op *m = &p->mounts.v[0];
                struct sbx_loc l = p->scalar_loc[K_NS_MOUNT];
                return sbx_err_at(err, -EINVAL, l.file, l.line,
                                  "[namespaces] mount = no conflicts with [filesystem] %s = %s at %s: "
                                  "mounts need a mount namespace",
                                  mount_key(m->kind), m->kind == MOUNT_TMPFS || m->kind == MOUNT_DIR ? m->dst : m->src,
                                  loc_text(m->loc, other, sizeof(other)));
        }
        for (size_t i = 0; i < p->exec_hashes.n; i++) {
                const struct exec_hash *h = &p->exec_hashes.v[i];
                for (size_t j = 0; j < i; j++)
                        if (strcmp(p->exec_hashes.v[j].path, h->path) == 0)
                                return sbx_err_at(err, -EINVAL, h->loc.file, h->loc.line,
                                                  "[exec] allow-hash: %s already has another hash at %s",
                                                  h->path,
                                                  loc_text(p->exec_hashes.v[j].loc, other, sizeof(other)));
                for (size_t j = 0; j < p->exec_deny.n; j++)
                        if (deny_matches(p->exec_deny.v[j], h->path))
                                return sbx_err_at(err, -EINVAL, h->loc.file, h->loc.line,
                                                  "[exec] allow-hash: %s is also denied by deny = %s at %s",
                                                  h->path, p->exec_deny.v[j],
                                                  loc_text(p->exec_deny.loc[j], other, sizeof(other)));
        }
        const struct { long v; int key; } ids[] = { { p->uid, K_UID }, { p->gid, K_GID } };
        for (size_t i = 0; i < ARRAY_SIZE(ids); i++)
                if (ids[i].v < -1 || ids[i].v > 65534) {
                        struct sbx_loc l = p->scalar_loc[ids[i].key];
                        return sbx_err_at(err, -EINVAL, l.file, l.line, "[namespaces] %s: %ld is out of range",
                                          ids[i].key == K_UID ? "uid" : "gid", ids[i].v);
                }
        if (p->net == NET_PASTA && (!p->ns_user || !p->ns_mount)) {
                struct sbx_loc l = p->scalar_loc[K_NET_MODE];
                return sbx_err_at(err, -EINVAL, l.file, l.line,
                                  "[network] mode = pasta needs [namespaces] %s = yes: %s",
                                  !p->ns_user ? "user" : "mount",
                                  !p->ns_user ? "pasta joins the sandbox's user namespace to reach its network "
                                                "namespace"
                                              : "the sandbox's /etc/resolv.conf names pasta's DNS forwarder");
        }
        if (!hostname_valid(p->hostname)) {
                struct sbx_loc l = p->scalar_loc[K_HOSTNAME];
                return sbx_err_at(err, -EINVAL, l.file, l.line, "[namespaces] hostname: invalid");
        }
        if (p->sc_errno < 1 || p->sc_errno > 4095) {
                struct sbx_loc l = p->scalar_loc[K_SC_ERRNO];
                return sbx_err_at(err, -EINVAL, l.file, l.line, "[seccomp] errno: %d is out of range",
                                  p->sc_errno);
        }
        return 0;
}

/* ---- notes about this machine ------------------------------------------ */

static int warn(struct sbx_policy *p, struct sbx_loc l, const char *fmt, ...) _printf_(3, 4);
static int warn(struct sbx_policy *p, struct sbx_loc l, const char *fmt, ...)
{
        char *body = NULL, *s = NULL;
        va_list ap;
        va_start(ap, fmt);
        int n = vasprintf(&body, fmt, ap);
        va_end(ap);
        if (n < 0)
                return -ENOMEM;
        if (l.file && l.line)
                n = asprintf(&s, "%s:%u: %s", l.file, l.line, body);
        else if (l.file)
                n = asprintf(&s, "%s: %s", l.file, body);
        else
                n = asprintf(&s, "%s", body);
        free(body);
        if (n < 0)
                return -ENOMEM;
        for (size_t i = 0; i < p->nwarnings; i++)
                if (strcmp(p->warnings[i], s) == 0) {
                        free(s);
                        return 0;
                }
        char **nv = reallocarray(p->warnings, p->nwarnings + 2, sizeof(char *));
        if (!nv) {
                free(s);
                return -ENOMEM;
        }
        p->warnings = nv;
        p->warnings[p->nwarnings++] = s;
        p->warnings[p->nwarnings] = NULL;
        return 0;
}

static bool exists(const char *path)
{
        struct stat st;
        return lstat(path, &st) == 0;
}

static int found_name(const char *syscall, void *userdata)
{
        return strcmp(syscall, userdata) == 0 ? -EEXIST : 0;
}

/* Is `name` (a syscall or a group) in the always-denied set?  A negative
 * return is what stops syscall_expand_each() early. */
static bool override_effective(const char *name)
{
        if (name[0] == '@') {
                const struct syscall_group *g = syscall_group_find(name);
                return g && g->dangerous;
        }
        for (size_t i = 0; i < syscall_groups_count; i++)
                if (syscall_groups[i].dangerous &&
                    syscall_expand_each(syscall_groups[i].name, found_name, (void *)(uintptr_t)name) == -EEXIST)
                        return true;
        return false;
}

int policy_compute_warnings(struct sbx_policy *p)
{
        int r = 0;

        free_warnings(p);
        for (size_t i = 0; r >= 0 && i < p->skipped.n; i++)
                r = warn(p, p->skipped.loc[i], "%s", p->skipped.v[i]);
        for (size_t i = 0; r >= 0 && i < p->mounts.n; i++) {
                const struct mount_op *m = &p->mounts.v[i];
                if ((m->kind != MOUNT_BIND && m->kind != MOUNT_RO_BIND && m->kind != MOUNT_DEV) ||
                    exists(m->src))
                        continue;
                if (m->flags & MOUNT_F_OPTIONAL)
                        r = warn(p, m->loc, "optional %s source %s does not exist on this machine; "
                                 "it will be skipped", mount_key(m->kind), m->src);
                else
                        r = warn(p, m->loc, "%s source %s does not exist on this machine; "
                                 "sbx run will refuse to start", mount_key(m->kind), m->src);
        }
        for (size_t i = 0; r >= 0 && i < p->exec_allow.n; i++)
                if (!path_has_glob(p->exec_allow.v[i]) && !exists(p->exec_allow.v[i]))
                        r = warn(p, p->exec_allow.loc[i],
                                 "allow-list entry %s does not exist on this machine", p->exec_allow.v[i]);
        for (size_t i = 0; r >= 0 && i < p->exec_hashes.n; i++)
                if (!exists(p->exec_hashes.v[i].path))
                        r = warn(p, p->exec_hashes.v[i].loc,
                                 "allow-list entry %s does not exist on this machine",
                                 p->exec_hashes.v[i].path);
        for (size_t i = 0; r >= 0 && i < p->sc_override.n; i++)
                if (!override_effective(p->sc_override.v[i]))
                        r = warn(p, p->sc_override.loc[i],
                                 "[seccomp] override = %s has no effect: it is not in the "
                                 "always-denied set", p->sc_override.v[i]);
        for (size_t i = 0; r >= 0 && i < p->env_keep.n; i++)
                if (!path_has_glob(p->env_keep.v[i]) && env_name_dangerous(p->env_keep.v[i]))
                        r = warn(p, p->env_keep.loc[i],
                                 "[environment] keep = %s passes a variable that changes what code "
                                 "the program loads", p->env_keep.v[i]);
        for (size_t i = 0; r >= 0 && i < p->env_set.n; i++) {
                char name[256];
                snprintf(name, sizeof(name), "%.*s", (int)strcspn(p->env_set.v[i], "="), p->env_set.v[i]);
                if (env_name_dangerous(name))
                        r = warn(p, p->env_set.loc[i],
                                 "[environment] set = %s=… sets a variable that changes what code the "
                                 "program loads", name);
        }
        return r;
}

/* ---- public ------------------------------------------------------------ */

SBX_EXPORT const char *sbx_version(void)
{
        return SBX_VERSION;
}

SBX_EXPORT int sbx_policy_new(struct sbx_policy **ret)
{
        if (!ret)
                return -EINVAL;
        struct sbx_policy *p = calloc(1, sizeof(*p));
        if (!p)
                return -ENOMEM;
        int r = policy_init(p);
        if (r < 0) {
                sbx_policy_free(p);
                return r;
        }
        *ret = p;
        return 0;
}

SBX_EXPORT void sbx_policy_free(struct sbx_policy *p)
{
        if (!p)
                return;
        policy_done(p);
        free(p);
}

SBX_EXPORT int sbx_policy_dup(const struct sbx_policy *p, struct sbx_policy **ret)
{
        if (!p || !ret)
                return -EINVAL;
        struct sbx_policy *d = calloc(1, sizeof(*d));
        if (!d)
                return -ENOMEM;
        int r = policy_copy(p, d);
        if (r < 0) {
                sbx_policy_free(d);
                return r;
        }
        *ret = d;
        return 0;
}

SBX_EXPORT const char *sbx_policy_name(const struct sbx_policy *p)
{
        return p && p->name ? p->name : "";
}

SBX_EXPORT const char *sbx_policy_description(const struct sbx_policy *p)
{
        return p && p->description ? p->description : "";
}

/* Threads may share one policy read-only (a pool spawning from it): the
 * first to ask computes the warnings, the others wait for them. */
static pthread_mutex_t warnings_lock = PTHREAD_MUTEX_INITIALIZER;

SBX_EXPORT const char *const *sbx_policy_warnings(const struct sbx_policy *p)
{
        static const char *const none[] = { NULL };
        if (!p)
                return none;
        struct sbx_policy *m = (struct sbx_policy *)p; /* a memo, not a setting */
        pthread_mutex_lock(&warnings_lock);
        if (!m->warnings_done) {
                /* Once: a retry would free the array an earlier caller
                 * holds.  -ENOMEM keeps what was computed so far. */
                (void)policy_compute_warnings(m);
                m->warnings_done = true;
        }
        char **w = m->warnings;
        pthread_mutex_unlock(&warnings_lock);
        return w ? (const char *const *)w : none;
}
