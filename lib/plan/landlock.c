/* landlock.c — Landlock as the kernel-enforced second layer under the mount
 * view: filesystem rules that mirror the view (read where it is read-only,
 * write where it is writable, EXECUTE only on what [exec] allows), the
 * [landlock] read-only paths carved out of writable mounts, TCP port rules,
 * and scoping of abstract unix sockets and signals.
 *
 * landlock_prepare() runs in the parent: negotiates the ABI, decides which
 * rights are handled, refuses to start when a needed feature is missing
 * and not marked optional, and builds the rule list.  landlock_apply() runs
 * in the child between clone and execve: syscalls only, no allocation.
 * Nothing here prints; missing optional features become warnings. */
#include <fcntl.h>
#include <limits.h>
#include <linux/landlock.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "base/path.h"
#include "plan/exec.h"
#include "plan/landlock.h"
#include "plan/plan.h"
#include "base/strbuf.h"
#include "base/util.h"

/* Newer than the uapi header Debian 12 ships (ABI 2). */
#ifndef LANDLOCK_ACCESS_FS_TRUNCATE
#define LANDLOCK_ACCESS_FS_TRUNCATE (1ULL << 14)
#endif
#ifndef LANDLOCK_ACCESS_FS_IOCTL_DEV
#define LANDLOCK_ACCESS_FS_IOCTL_DEV (1ULL << 15)
#endif
#define LL_RULE_NET_PORT 2

/* The uapi structs as of ABI 6; the header's ruleset_attr lacks the net
 * and scope fields. */
struct ll_ruleset_attr {
        uint64_t handled_access_fs;
        uint64_t handled_access_net;
        uint64_t scoped;
};
struct ll_path_beneath_attr {
        uint64_t allowed_access;
        int32_t parent_fd;
} __attribute__((packed));
struct ll_net_port_attr {
        uint64_t allowed_access;
        uint64_t port;
};

#define FS_EXEC LANDLOCK_ACCESS_FS_EXECUTE
#define FS_READ (LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_READ_DIR)
#define FS_WRITE_FILE (LANDLOCK_ACCESS_FS_WRITE_FILE | LANDLOCK_ACCESS_FS_TRUNCATE)
/* Everything a writable directory needs; device nodes can never be made
 * (nodev mounts, no CAP_MKNOD), so MAKE_CHAR/MAKE_BLOCK are not granted. */
#define FS_WRITE                                                                                   \
        (FS_WRITE_FILE | LANDLOCK_ACCESS_FS_REMOVE_DIR | LANDLOCK_ACCESS_FS_REMOVE_FILE |         \
         LANDLOCK_ACCESS_FS_MAKE_DIR | LANDLOCK_ACCESS_FS_MAKE_REG | LANDLOCK_ACCESS_FS_MAKE_SOCK | \
         LANDLOCK_ACCESS_FS_MAKE_FIFO | LANDLOCK_ACCESS_FS_MAKE_SYM | LANDLOCK_ACCESS_FS_REFER)
/* Rights that apply to a non-directory; others make add_rule fail. */
#define FS_FILE_RIGHTS                                                                             \
        (LANDLOCK_ACCESS_FS_EXECUTE | LANDLOCK_ACCESS_FS_WRITE_FILE | LANDLOCK_ACCESS_FS_READ_FILE | \
         LANDLOCK_ACCESS_FS_TRUNCATE | LANDLOCK_ACCESS_FS_IOCTL_DEV)

/* Beyond this a view is not what Landlock (or a person) can review. */
#define MAX_RULES 16384

bool landlock_scopes_abstract(const struct landlock_plan *lp)
{
        return lp->enabled && (lp->scoped & LL_SCOPE_ABSTRACT_UNIX_SOCKET);
}

int landlock_abi(void)
{
        long v = syscall(SYS_landlock_create_ruleset, NULL, 0, LANDLOCK_CREATE_RULESET_VERSION);
        return v < 0 ? 0 : (int)v;
}

static uint64_t fs_rights(int abi)
{
        uint64_t r = 0;
        if (abi >= 1)
                r = (LANDLOCK_ACCESS_FS_MAKE_SYM << 1) - 1;
        if (abi >= 2)
                r |= LANDLOCK_ACCESS_FS_REFER;
        if (abi >= 3)
                r |= LANDLOCK_ACCESS_FS_TRUNCATE;
        if (abi >= 5)
                r |= LANDLOCK_ACCESS_FS_IOCTL_DEV;
        return r;
}

/* The features a profile may mark optional, the ABI that brings each, and
 * what is lost without it. */
static const struct feature {
        const char *name;
        int abi;
        const char *lost;
} features[] = {
        { "fs", 1, "filesystem, exec and port rules are not enforced by Landlock; only the mount view "
                   "and the deny-list masks confine the program" },
        { "refer", 2, "files cannot be renamed or linked between directories at all" },
        { "truncate", 3, "truncate() is not restricted beneath read-only paths" },
        { "net", 4, "TCP bind and connect ports are not restricted" },
        { "ioctl-dev", 5, "ioctl() on device files is not restricted" },
        { "scope", 6, "abstract unix sockets and signals outside the sandbox are not blocked" },
};

static bool is_optional(const struct sbx_policy *p, const char *name)
{
        for (size_t i = 0; i < p->landlock_optional.n; i++)
                if (strcmp(p->landlock_optional.v[i], name) == 0 ||
                    strcmp(p->landlock_optional.v[i], "all") == 0)
                        return true;
        return false;
}

static int warn(struct landlock_plan *lp, const char *fmt, ...) _printf_(2, 3);
static int warn(struct landlock_plan *lp, const char *fmt, ...)
{
        size_t cap = lp->warnings ? lp->nwarnings + 1 : 0; /* n strings and the NULL */
        va_list ap;
        va_start(ap, fmt);
        int r = strv_vaddf(&lp->warnings, &lp->nwarnings, &cap, fmt, ap);
        va_end(ap);
        return r;
}

int landlock_plan_add(struct landlock_plan *lp, const char *path, uint64_t access, bool optional,
                      bool nofollow)
{
        for (size_t i = 0; i < lp->nrules; i++)
                if (strcmp(lp->rules[i].path, path) == 0) {
                        lp->rules[i].access |= access;
                        lp->rules[i].optional = lp->rules[i].optional && optional;
                        lp->rules[i].nofollow = lp->rules[i].nofollow && nofollow;
                        return 0;
                }
        if (lp->nrules >= MAX_RULES)
                return -E2BIG;
        if (lp->nrules + 1 > lp->rules_cap) {
                size_t nc = lp->rules_cap ? lp->rules_cap * 2 : 32;
                struct landlock_rule *nv = realloc(lp->rules, nc * sizeof(*nv));
                if (!nv)
                        return -ENOMEM;
                lp->rules = nv;
                lp->rules_cap = nc;
        }
        char *s = strdup(path);
        if (!s)
                return -ENOMEM;
        lp->rules[lp->nrules++] = (struct landlock_rule){ .path = s, .access = access,
                                                          .optional = optional,
                                                          .nofollow = nofollow };
        return 0;
}

void landlock_plan_done(struct landlock_plan *lp)
{
        if (!lp)
                return;
        for (size_t i = 0; i < lp->nrules; i++)
                free(lp->rules[i].path);
        free(lp->rules);
        free(lp->bind_ports);
        free(lp->connect_ports);
        for (size_t i = 0; i < lp->nwarnings; i++)
                free(lp->warnings[i]);
        free(lp->warnings);
        memset(lp, 0, sizeof(*lp));
}

/* ---- building the rules ------------------------------------------------ */

struct builder {
        const struct sbx_policy *p;
        const struct plan *plan;
        struct landlock_plan *lp;
        char **ro; /* [landlock] read-only, canonical */
        size_t nro;
};

static int rule(struct builder *b, const char *path, uint64_t access, bool optional, bool nofollow)
{
        access &= b->lp->handled_fs;
        if (!access)
                return 0;
        return landlock_plan_add(b->lp, path, access, optional, nofollow);
}

/* A mount of its own at `path`, not a re-bind of what lies beneath (those
 * belong to the tree they re-bind). */
static bool is_mount_point(const struct plan *plan, const char *path)
{
        for (size_t i = 0; i < plan->nmounts; i++)
                if (strcmp(plan->mounts[i].dst, path) == 0 && plan->mounts[i].kind != PM_REBIND)
                        return true;
        return false;
}

/* A writable place: read+write beneath `path`, except beneath the
 * [landlock] read-only paths.  Landlock rights only add up along a path, so
 * a read-only path inside a writable tree is carved out by granting write
 * on each sibling along the way instead of on the tree: the directories on
 * the way keep their existing entries writable, but no new entry can be
 * created directly in them. */
static int writable(struct builder *b, const char *path, uint64_t rd, uint64_t wr, bool optional,
                    bool nofollow, unsigned depth)
{
        bool contains = false;
        for (size_t i = 0; i < b->nro; i++) {
                const char *rest = path_under(b->ro[i], path);
                if (path_under(path, b->ro[i]))
                        return rule(b, path, rd, optional, nofollow);
                if (rest && *rest)
                        contains = true;
        }
        if (!contains)
                return rule(b, path, rd | wr, optional, nofollow);
        if (depth > 32)
                return -ELOOP;

        int r = rule(b, path, rd, optional, nofollow);
        char **names = NULL;
        if (r < 0 || (r = exec_view_list(b->plan, path, &names)) < 0)
                return r;
        for (size_t i = 0; r >= 0 && names[i]; i++) {
                char child[PATH_MAX];
                int n = snprintf(child, sizeof(child), "%s/%s", strcmp(path, "/") == 0 ? "" : path,
                                 names[i]);
                if (n < 0 || (size_t)n >= sizeof(child))
                        continue;
                /* Mounts get rules of their own; symlinks are not followed
                 * (a link would carry the write right to its target). */
                if (exec_view_is_private(b->plan) && is_mount_point(b->plan, child))
                        continue;
                _cleanup_free_ char *canon = NULL, *host = NULL;
                if (exec_view_resolve(b->plan, child, false, &canon, &host) < 0)
                        continue;
                struct stat st;
                if (host ? lstat(host, &st) < 0 : true)
                        continue;
                if (S_ISLNK(st.st_mode))
                        continue;
                r = S_ISDIR(st.st_mode) ? writable(b, child, rd, wr, true, true, depth + 1)
                                        : writable(b, child, rd, wr & FS_FILE_RIGHTS, true, true,
                                                   depth + 1);
        }
        sbx_strv_free(names);
        return r;
}

static bool plain_dev(const char *path)
{
        static const char *const nodes[] = { "/dev/null", "/dev/zero", "/dev/full", "/dev/random",
                                             "/dev/urandom" };
        for (size_t i = 0; i < ARRAY_SIZE(nodes); i++)
                if (strcmp(path, nodes[i]) == 0)
                        return true;
        return false;
}

static int mount_rules(struct builder *b)
{
        const struct plan *plan = b->plan;
        bool view = exec_view_is_private(plan);
        int r = 0;

        /* Directories may be listed anywhere in the sandbox's own root; the
         * root tmpfs holds only mount points and symlinks. */
        if (view && (r = rule(b, "/", LANDLOCK_ACCESS_FS_READ_DIR, false, false)) < 0)
                return r;
        for (size_t i = 0; r >= 0 && i < plan->nmounts; i++) {
                const struct plan_mount *m = &plan->mounts[i];
                uint64_t x = m->noexec ? 0 : FS_EXEC;
                /* A source the parent opened is known to be a file or not:
                 * a file gets file rights only, which the kernel would
                 * refuse otherwise (and the child would have to look). */
                uint64_t kind = m->src_fd >= 0 && !m->src_is_dir ? FS_FILE_RIGHTS : ~0ULL;
                switch (m->kind) {
                case PM_BIND:
                        if (m->dev) {
                                uint64_t io = plain_dev(m->dst) ? 0 : LANDLOCK_ACCESS_FS_IOCTL_DEV;
                                r = m->readonly ? rule(b, m->dst, (FS_READ | io) & kind, m->optional, false)
                                                : writable(b, m->dst, (FS_READ | io) & kind,
                                                           FS_WRITE_FILE & kind, m->optional, false, 0);
                        } else if (m->readonly) {
                                /* EXECUTE comes from the [exec] allow-list only. */
                                r = rule(b, m->dst, FS_READ & kind, m->optional, false);
                        } else {
                                r = writable(b, m->dst, (FS_READ | x) & kind, FS_WRITE & kind, m->optional,
                                             false, 0);
                        }
                        break;
                case PM_TMPFS:
                        if (strcmp(m->dst, "/dev") == 0)
                                r = rule(b, m->dst, FS_READ, false, false);
                        else
                                r = writable(b, m->dst, FS_READ | x, FS_WRITE, false, false, 0);
                        break;
                case PM_PROC:
                        /* /proc/sys & co. are read-only mounts; what stays
                         * writable is the program's own /proc/self. */
                        r = rule(b, m->dst, FS_READ | (m->readonly ? 0 : FS_WRITE_FILE), false, false);
                        break;
                case PM_DEVPTS:
                        r = rule(b, m->dst, FS_READ | FS_WRITE_FILE | LANDLOCK_ACCESS_FS_IOCTL_DEV,
                                 false, false);
                        break;
                case PM_MASK:
                case PM_REBIND:
                case PM_DIR:
                case PM_SYMLINK:
                        break;
                }
        }
        if (r < 0 || view)
                return r;

        /* sbx_confine(): the process keeps the host tree; give it the usual
         * devices and its /proc, where they exist. */
        static const char *const devs[] = { "/dev/null", "/dev/zero", "/dev/full", "/dev/random",
                                            "/dev/urandom" };
        for (size_t i = 0; r >= 0 && i < ARRAY_SIZE(devs); i++)
                r = rule(b, devs[i], FS_READ | FS_WRITE_FILE, true, false);
        if (r >= 0)
                r = rule(b, "/dev/tty", FS_READ | FS_WRITE_FILE | LANDLOCK_ACCESS_FS_IOCTL_DEV, true,
                         false);
        if (r >= 0)
                r = rule(b, "/dev/pts", FS_READ | FS_WRITE_FILE | LANDLOCK_ACCESS_FS_IOCTL_DEV, true,
                         false);
        /* wx: no writing /proc/self/mem (FOLL_FORCE) */
        if (r >= 0 && b->p->proc != PROC_NONE)
                r = rule(b, "/proc", FS_READ | (b->p->sc_wx ? 0 : FS_WRITE_FILE), true, false);
        return r;
}

/* EXECUTE where the plan's exec step said (plan->exec_paths). */
static int exec_rules(struct builder *b)
{
        int r = 0;
        for (size_t i = 0; r >= 0 && b->plan->exec_paths && b->plan->exec_paths[i]; i++)
                r = rule(b, b->plan->exec_paths[i], FS_EXEC | LANDLOCK_ACCESS_FS_READ_FILE, true, false);
        return r;
}

/* Ports of [network] tcp-bind / tcp-connect: numbers, ranges A-B, or
 * `any` (the right is then not handled at all). */
static int parse_ports(const struct strlist *l, const char *key, bool *any, uint16_t **ret,
                       size_t *n, struct sbx_error **err)
{
        *any = false;
        for (size_t i = 0; i < l->n; i++)
                if (strcmp(l->v[i], "any") == 0)
                        *any = true;
        if (*any)
                return 0;
        if (l->n == 0) {
                *ret = NULL;
                *n = 0;
                return 0;
        }
        _cleanup_free_ bool *seen = calloc(65536, sizeof(bool));
        size_t count = 0;
        if (!seen)
                return -ENOMEM;
        for (size_t i = 0; i < l->n; i++) {
                unsigned long a, b;
                char *end;
                errno = 0;
                a = strtoul(l->v[i], &end, 10);
                b = a;
                if (*end == '-')
                        b = strtoul(end + 1, &end, 10);
                if (errno || *end || a < 1 || b > 65535 || a > b || l->v[i][0] == '-')
                        return sbx_err_at(err, -EINVAL, l->loc[i].file, l->loc[i].line,
                                          "[network] %s: bad port '%s' (1-65535, A-B or any)", key,
                                          l->v[i]);
                for (unsigned long p = a; p <= b; p++)
                        if (!seen[p]) {
                                seen[p] = true;
                                count++;
                        }
        }
        uint16_t *v = count ? malloc(count * sizeof(uint16_t)) : NULL;
        if (count && !v)
                return -ENOMEM;
        size_t k = 0;
        for (unsigned p = 1; p < 65536; p++)
                if (seen[p])
                        v[k++] = (uint16_t)p;
        *ret = v;
        *n = count;
        return 0;
}

static int readonly_paths(struct builder *b)
{
        b->ro = calloc(b->p->ll_readonly.n + b->plan->nprotect_ll + 1, sizeof(char *));
        if (!b->ro)
                return -ENOMEM;
        for (size_t i = 0; i < b->p->ll_readonly.n; i++) {
                const char *path = b->p->ll_readonly.v[i];
                char *canon = NULL;
                /* A path that does not exist yet stays as written: it must
                 * not become creatable either. */
                if (exec_view_resolve(b->plan, path, true, &canon, NULL) < 0)
                        canon = strdup(path);
                if (!canon)
                        return -ENOMEM;
                b->ro[b->nro++] = canon;
        }
        for (size_t i = 0; i < b->plan->nprotect_ll; i++)
                if (!(b->ro[b->nro++] = strdup(b->plan->protect_ll[i])))
                        return -ENOMEM;
        return 0;
}

int landlock_prepare_abi(const struct sbx_policy *p, const struct plan *plan, int abi,
                         struct landlock_plan *lp, struct sbx_error **err)
{
        int r;

        memset(lp, 0, sizeof(*lp));
        if (!p->landlock)
                return 0;
        char offers[64];
        if (abi > 0)
                snprintf(offers, sizeof(offers), "Landlock ABI %d", abi);
        else
                snprintf(offers, sizeof(offers), "no Landlock at all");
        /* Without Landlock at all, a profile that marks it optional runs
         * unless it explicitly asked for a higher ABI. */
        if (p->landlock_min_abi > abi && !(abi == 0 && p->landlock_min_abi <= 1 && is_optional(p, "fs")))
                return sbx_err_kind(err, SBX_ERROR_SETUP, -EOPNOTSUPP, "landlock",
                                    "the profile requires Landlock ABI %d ([landlock] min-abi) but "
                                    "this kernel offers %s; sbx will not start without it",
                                    p->landlock_min_abi, offers);

        bool any_bind, any_connect;
        if ((r = parse_ports(&p->tcp_bind, "tcp-bind", &any_bind, &lp->bind_ports, &lp->nbind,
                             err)) < 0 ||
            (r = parse_ports(&p->tcp_connect, "tcp-connect", &any_connect, &lp->connect_ports,
                             &lp->nconnect, err)) < 0) {
                landlock_plan_done(lp);
                return r;
        }
        for (size_t i = 0; i < ARRAY_SIZE(features); i++) {
                const struct feature *f = &features[i];
                if (abi >= f->abi)
                        continue;
                if (strcmp(f->name, "net") == 0 && any_bind && any_connect)
                        continue; /* not asked for */
                if (!is_optional(p, f->name)) {
                        landlock_plan_done(lp);
                        return sbx_err_kind(err, SBX_ERROR_SETUP, -EOPNOTSUPP, "landlock",
                                            "this kernel offers %s, without '%s' (ABI %d): %s; "
                                            "sbx will not start unless [landlock] optional lists "
                                            "'%s'",
                                            offers, f->name, f->abi, f->lost, f->name);
                }
                if ((r = warn(lp, "Landlock %s missing on this kernel (ABI %d): %s", f->name, abi,
                              f->lost)) < 0) {
                        landlock_plan_done(lp);
                        return r;
                }
                if (abi < 1)
                        break;
        }
        if (abi < 1) {
                /* Optional and absent: the warnings say what is lost. */
                char **w = TAKE_PTR(lp->warnings);
                size_t nw = lp->nwarnings;
                lp->nwarnings = 0;
                landlock_plan_done(lp);
                lp->warnings = w;
                lp->nwarnings = nw;
                return 0;
        }

        lp->abi = abi;
        lp->handled_fs = fs_rights(abi);
        if (abi >= 4)
                lp->handled_net = (any_bind ? 0 : LL_NET_BIND_TCP) | (any_connect ? 0 : LL_NET_CONNECT_TCP);
        if (!(lp->handled_net & LL_NET_BIND_TCP)) {
                free(TAKE_PTR(lp->bind_ports));
                lp->nbind = 0;
        }
        if (!(lp->handled_net & LL_NET_CONNECT_TCP)) {
                free(TAKE_PTR(lp->connect_ports));
                lp->nconnect = 0;
        }
        if (abi >= 6)
                lp->scoped = LL_SCOPE_ABSTRACT_UNIX_SOCKET | LL_SCOPE_SIGNAL;

        struct builder b = { .p = p, .plan = plan, .lp = lp };
        r = readonly_paths(&b);
        if (r >= 0)
                r = mount_rules(&b);
        if (r >= 0)
                r = exec_rules(&b);
        for (size_t i = 0; i < b.nro; i++)
                free(b.ro[i]);
        free(b.ro);
        if (r < 0) {
                landlock_plan_done(lp);
                if (r == -E2BIG)
                        return sbx_err_setup(err, r, "landlock", "the view needs more than %d rules",
                                             MAX_RULES);
                return sbx_err_setup(err, r, "landlock", "building the rules");
        }
        lp->enabled = true;
        return 0;
}

int landlock_prepare(const struct sbx_policy *p, const struct plan *plan, struct landlock_plan *lp,
                     struct sbx_error **err)
{
        return landlock_prepare_abi(p, plan, p->landlock ? landlock_abi() : 0, lp, err);
}

/* ---- child side -------------------------------------------------------- */

/* One path rule.  A rule that follows links names a file or a directory,
 * and most name directories or carry file rights only, so the rule is
 * tried as it is and the object is looked at only when the kernel refuses
 * directory rights on a file (EINVAL); a nofollow rule may name a link,
 * which gets no rule at all, so that one is looked at first. */
static int add_path_rule(int rs, const struct landlock_plan *lp, const struct landlock_rule *ru, int fd)
{
        uint64_t access = ru->access & lp->handled_fs;
        struct ll_path_beneath_attr pb = { .allowed_access = access, .parent_fd = fd };
        if (!access)
                return 0;
        if (!ru->nofollow) {
                if (syscall(SYS_landlock_add_rule, rs, LANDLOCK_RULE_PATH_BENEATH, &pb, 0) == 0)
                        return 0;
                if (errno != EINVAL || !(access & ~FS_FILE_RIGHTS))
                        return -errno;
        }
        struct stat st;
        if (fstat(fd, &st) < 0)
                return -errno;
        if (S_ISLNK(st.st_mode))
                access = 0;
        else if (!S_ISDIR(st.st_mode))
                access &= FS_FILE_RIGHTS;
        pb.allowed_access = access;
        if (access && syscall(SYS_landlock_add_rule, rs, LANDLOCK_RULE_PATH_BENEATH, &pb, 0) < 0)
                return -errno;
        return 0;
}

bool landlock_scopes_abstract_unix(const struct landlock_plan *lp)
{
        return lp->enabled && (lp->scoped & LL_SCOPE_ABSTRACT_UNIX_SOCKET);
}

int landlock_helper_ruleset(void)
{
        int abi = landlock_abi();
        struct ll_ruleset_attr attr = { .handled_access_net = abi >= 4 ? LL_NET_BIND_TCP : 0,
                                        .scoped = abi >= 6 ? LL_SCOPE_ABSTRACT_UNIX_SOCKET | LL_SCOPE_SIGNAL : 0 };
        if (abi < 4)
                return -EOPNOTSUPP;
        int rs = (int)syscall(SYS_landlock_create_ruleset, &attr,
                              abi >= 6 ? sizeof(attr) : 2 * sizeof(uint64_t), 0);
        return rs < 0 ? -errno : rs;
}

int landlock_apply(const struct landlock_plan *lp, bool exec_follows, const char **failed)
{
        *failed = NULL;
        if (!lp->enabled)
                return 0;
        struct ll_ruleset_attr attr = { .handled_access_fs = lp->handled_fs,
                                        .handled_access_net = lp->handled_net,
                                        .scoped = lp->scoped };
        /* An older kernel rejects a struct larger than it knows unless the
         * extra fields are zero; pass only what this ABI defines. */
        size_t size = lp->abi >= 6 ? sizeof(attr) : lp->abi >= 4 ? 2 * sizeof(uint64_t) : sizeof(uint64_t);
        int rs = (int)syscall(SYS_landlock_create_ruleset, &attr, size, 0);
        if (rs < 0) {
                *failed = "landlock_create_ruleset";
                return -errno;
        }
        int r = 0;
        /* Rules of an access class the ruleset does not handle are refused
         * by the kernel (sbx learn keeps only the scopes). */
        for (size_t i = 0; i < lp->nrules && r >= 0 && lp->handled_fs; i++) {
                const struct landlock_rule *ru = &lp->rules[i];
                int fd = open(ru->path, O_PATH | O_CLOEXEC | (ru->nofollow ? O_NOFOLLOW : 0));
                if (fd < 0) {
                        int e = errno;
                        if (ru->optional && (e == ENOENT || e == EACCES || e == ENOTDIR || e == ELOOP))
                                continue;
                        *failed = ru->path;
                        r = -e;
                        break;
                }
                if ((r = add_path_rule(rs, lp, ru, fd)) < 0)
                        *failed = ru->path;
                /* Before an execve the fds (close-on-exec) are left to it. */
                if (!exec_follows)
                        close(fd);
        }
        for (size_t i = 0; i < lp->nbind && r >= 0 && lp->handled_net; i++) {
                struct ll_net_port_attr np = { .allowed_access = LL_NET_BIND_TCP,
                                               .port = lp->bind_ports[i] };
                if (syscall(SYS_landlock_add_rule, rs, LL_RULE_NET_PORT, &np, 0) < 0) {
                        *failed = "tcp-bind port rule";
                        r = -errno;
                }
        }
        for (size_t i = 0; i < lp->nconnect && r >= 0 && lp->handled_net; i++) {
                struct ll_net_port_attr np = { .allowed_access = LL_NET_CONNECT_TCP,
                                               .port = lp->connect_ports[i] };
                if (syscall(SYS_landlock_add_rule, rs, LL_RULE_NET_PORT, &np, 0) < 0) {
                        *failed = "tcp-connect port rule";
                        r = -errno;
                }
        }
        if (r >= 0 && syscall(SYS_landlock_restrict_self, rs, 0) < 0) {
                *failed = "landlock_restrict_self";
                r = -errno;
        }
        if (!exec_follows)
                close(rs);
        return r;
}
