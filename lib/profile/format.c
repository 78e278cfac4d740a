/* format.c — sbx_policy_format(): the effective policy as canonical INI.
 * Every section and key appears with its effective value (lists one value
 * per line, includes already merged), quoted and escaped so that loading
 * the text into a new policy gives an equal one.  Comments name the line
 * each value came from.  Pure. */
#include <stdio.h>
#include <string.h>

#include "profile/env.h"
#include "profile/profile.h"
#include "syscalls/syscalls.h"
#include "base/strbuf.h"
#include "base/util.h"

struct out {
        struct sbuf *f;
        const struct key_def *k;
};

/* One value as a token the tokenizer reads back unchanged: '$' doubled
 * where values are expanded, quotes where whitespace, quotes, a leading
 * '!' or a comment character would change its meaning. */
static char *token(const char *s, bool expands)
{
        size_t n = strlen(s);
        char *t = malloc(2 * n + 3), *o = t;
        if (!t)
                return NULL;
        bool quote = n == 0 || s[0] == '!' || s[0] == ';' || s[0] == '#' || strpbrk(s, " \t\"\\\n") != NULL;
        if (quote)
                *o++ = '"';
        for (const char *c = s; *c; c++) {
                if (*c == '\n') {
                        *o++ = '\\';
                        *o++ = 'n';
                        continue;
                }
                if (quote && (*c == '"' || *c == '\\'))
                        *o++ = '\\';
                if (expands && *c == '$')
                        *o++ = '$';
                *o++ = *c;
        }
        if (quote)
                *o++ = '"';
        *o = 0;
        return t;
}

/* Comments must stay one line of ASCII whatever the file names hold. */
static void put_loc(struct sbuf *f, struct sbx_loc l, size_t used)
{
        if (!l.file)
                return;
        char buf[512];
        size_t n = 0;
        for (const char *c = l.file; *c && n < sizeof(buf) - 1; c++)
                buf[n++] = (*c < 0x20 || *c > 0x7e) ? '?' : *c;
        buf[n] = 0;
        if (used + n + 20 > PROFILE_MAX_LINE)
                return;
        if (l.line)
                sbuf_printf(f, "  ; %s:%u", buf, l.line);
        else
                sbuf_printf(f, "  ; %s", buf);
}

static void line(struct out *o, const char *prefix, const char *value, bool raw, struct sbx_loc l)
{
        char *t = raw ? NULL : token(value, profile_key_expands(o->k->id));
        const char *v = raw ? value : t;
        if (!v) {
                sbuf_puts(o->f, "; (out of memory)\n");
                return;
        }
        sbuf_printf(o->f, "%s = %s%s", o->k->name, prefix, v);
        put_loc(o->f, l, strlen(o->k->name) + strlen(prefix) + strlen(v) + 3);
        sbuf_putn(o->f, &(char){ '\n' }, 1);
        free(t);
}

static const char *mount_spec(const struct mount_op *m, char **buf)
{
        const char *src = m->src, *dst = m->dst;
        bool exec = m->flags & MOUNT_F_EXEC;
        int n;
        switch (m->kind) {
        case MOUNT_TMPFS:
        case MOUNT_DIR:
                n = asprintf(buf, "%s%s", dst, exec ? ":exec" : "");
                break;
        case MOUNT_SYMLINK:
                n = asprintf(buf, "%s:%s", src, dst);
                break;
        default:
                n = asprintf(buf, "%s%s%s%s%s", m->flags & MOUNT_F_OPTIONAL ? "-" : "", src,
                             strcmp(src, dst) ? ":" : "", strcmp(src, dst) ? dst : "", exec ? ":exec" : "");
                break;
        }
        return n < 0 ? NULL : *buf;
}

/* A mount whose paths hold a ':' or a newline: one quoted word where
 * those are \: and \n and only the separators are plain colons. */
static char *mount_token_literal(const struct mount_op *m)
{
        const char *src = m->src ? m->src : "", *dst = m->dst ? m->dst : "";
        bool two = m->kind == MOUNT_SYMLINK || (m->kind != MOUNT_TMPFS && m->kind != MOUNT_DIR && strcmp(src, dst));
        const char *parts[2] = { m->kind == MOUNT_TMPFS || m->kind == MOUNT_DIR ? dst : src, dst };
        size_t n = strlen(src) + strlen(dst);
        char *t = malloc(3 * n + 16), *o = t;
        if (!t)
                return NULL;
        *o++ = '"';
        if ((m->flags & MOUNT_F_OPTIONAL) && m->kind != MOUNT_SYMLINK)
                *o++ = '-';
        for (int i = 0; i < (two ? 2 : 1); i++) {
                if (i)
                        *o++ = ':';
                for (const char *c = parts[i]; *c; c++) {
                        if (*c == ':' || *c == '\n' || *c == '"' || *c == '\\')
                                *o++ = '\\';
                        /* mount values expand: '$' is written "$$" */
                        if (*c == '$')
                                *o++ = '$';
                        *o++ = *c == '\n' ? 'n' : *c;
                }
        }
        if (m->flags & MOUNT_F_EXEC)
                o += sprintf(o, ":exec");
        *o++ = '"';
        *o = 0;
        return t;
}

static bool needs_literal(const char *s) { return s && strpbrk(s, ":\n"); }

static enum mount_kind kind_of(enum key_id id)
{
        switch (id) {
        case K_BIND: return MOUNT_BIND;
        case K_RO_BIND: return MOUNT_RO_BIND;
        case K_DEV: return MOUNT_DEV;
        case K_TMPFS: return MOUNT_TMPFS;
        case K_DIR: return MOUNT_DIR;
        default: return MOUNT_SYMLINK;
        }
}

static const struct strlist *list_of(const struct sbx_policy *p, enum key_id id)
{
        const struct arg_rule *a;
        switch (id) {
        case K_TCP_BIND: return &p->tcp_bind;
        case K_NET_LISTEN: return &p->listen;
        case K_TCP_CONNECT: return &p->tcp_connect;
        case K_EXEC_ALLOW: return &p->exec_allow;
        case K_EXEC_DENY: return &p->exec_deny;
        case K_SC_ALLOW: return &p->sc_allow;
        case K_SC_DENY: return &p->sc_deny;
        case K_SC_OVERRIDE: return &p->sc_override;
        case K_CAPS_KEEP: return &p->caps_keep;
        case K_ENV_KEEP: return &p->env_keep;
        case K_ENV_SET: return &p->env_set;
        case K_LL_OPTIONAL: return &p->landlock_optional;
        case K_LL_READONLY: return &p->ll_readonly;
        case K_LIM_OPTIONAL: return &p->limits_optional;
        case K_PROTECT: return &p->protect;
        case K_PROTECT_DIR: return &p->protect_dir;
        case K_SECRET: return &p->secret;
        case K_PROTECT_PROJECT: return &p->protect_project;
        case K_DBUS_TALK: return &p->dbus_talk;
        case K_DBUS_OWN: return &p->dbus_own;
        case K_DBUS_SEE: return &p->dbus_see;
        case K_DBUS_CALL: return &p->dbus_call;
        case K_DBUS_BROADCAST: return &p->dbus_broadcast;
        case K_DBUS_REQUIRED_BY: return &p->dbus_required_by;
        case K_SC_SOCKET:
        case K_SC_IOCTL:
                for (size_t i = 0; i < p->sc_nargs; i++) {
                        a = &p->sc_args[i];
                        if (strcmp(a->syscall, id == K_SC_SOCKET ? "socket" : "ioctl") == 0)
                                return &a->values;
                }
                return NULL;
        default:
                return NULL;
        }
}

/* The names a glob in keep never lets through (env.c), as a comment. */
static void never_passed(struct sbuf *f)
{
        size_t n, col = 0;
        const char *const *v = env_never_passed(&n);
        sbuf_puts(f, "; never passed unless kept by their exact name:");
        col = 48;
        for (size_t i = 0; i < n; i++) {
                size_t w = strlen(v[i]) + 1;
                if (col + w > 78) {
                        sbuf_puts(f, "\n;  ");
                        col = 3;
                }
                sbuf_printf(f, " %s", v[i]);
                col += w;
        }
        sbuf_putn(f, &(char){ '\n' }, 1);
}

static void list(struct out *o, const struct sbx_policy *p, const struct sbx_policy *defaults)
{
        enum key_id id = o->k->id;
        bool any = false;

        if (id == K_INCLUDE) {
                sbuf_puts(o->f, "; include: merged above\n");
                return;
        }
        if (id >= K_BIND && id <= K_SYMLINK) {
                for (size_t i = 0; i < p->mounts.n; i++) {
                        const struct mount_op *m = &p->mounts.v[i];
                        if (m->kind != kind_of(id))
                                continue;
                        _cleanup_free_ char *buf = NULL;
                        if (needs_literal(m->src) || needs_literal(m->dst)) {
                                buf = mount_token_literal(m);
                                line(o, "", buf ? buf : "?", true, m->loc);
                        } else {
                                const char *spec = mount_spec(m, &buf);
                                line(o, "", spec ? spec : "?", false, m->loc);
                        }
                        any = true;
                }
        } else if (id == K_EXEC_ALLOW_HASH) {
                for (size_t i = 0; i < p->exec_hashes.n; i++) {
                        _cleanup_free_ char *buf = NULL;
                        const struct exec_hash *h = &p->exec_hashes.v[i];
                        if (asprintf(&buf, "%s:%s", h->path, h->hex) < 0)
                                buf = NULL;
                        line(o, "", buf ? buf : "?", false, h->loc);
                        any = true;
                }
        } else {
                const struct strlist *l = list_of(p, id), *d = list_of(defaults, id);
                /* A built-in value that is gone is written as its removal,
                 * so that the text read into the defaults gives this list. */
                for (size_t i = 0; d && i < d->n; i++)
                        if (!l || !strlist_contains(l, d->v[i])) {
                                line(o, "!", d->v[i], false, (struct sbx_loc){ NULL, 0 });
                                any = true;
                        }
                for (size_t i = 0; l && i < l->n; i++) {
                        line(o, "", l->v[i], false, l->loc[i]);
                        any = true;
                }
        }
        if (!any)
                sbuf_printf(o->f, "; %s: none\n", o->k->name);
        if (id == K_ENV_KEEP)
                never_passed(o->f);
}

static const char *yesno(bool b) { return b ? "yes" : "no"; }

static void scalar(struct out *o, const struct sbx_policy *p)
{
        enum key_id id = o->k->id;
        struct sbx_loc l = p->scalar_loc[id];
        char num[64];
        const char *v = NULL;
        bool raw = true;

        switch (id) {
        case K_NAME:
                if (!p->name) {
                        sbuf_puts(o->f, "; name: not set\n");
                        return;
                }
                v = p->name;
                break;
        case K_DESCRIPTION: v = p->description ? p->description : ""; raw = false; break;
        case K_NS_USER: v = yesno(p->ns_user); break;
        case K_NS_MOUNT: v = yesno(p->ns_mount); break;
        case K_NS_PID: v = yesno(p->ns_pid); break;
        case K_NS_IPC: v = yesno(p->ns_ipc); break;
        case K_NS_UTS: v = yesno(p->ns_uts); break;
        case K_NS_CGROUP: v = yesno(p->ns_cgroup); break;
        case K_UID:
        case K_GID: {
                long x = id == K_UID ? p->uid : p->gid;
                if (x < 0)
                        v = "caller";
                else
                        snprintf(num, sizeof(num), "%ld", x), v = num;
                break;
        }
        case K_KEEP_ROOT: v = yesno(p->keep_root); break;
        case K_HOSTNAME: v = p->hostname ? p->hostname : "sbx"; break;
        case K_PROC: v = p->proc == PROC_FULL ? "full" : p->proc == PROC_NONE ? "none" : "masked"; break;
        case K_SYS: v = p->sys == SYS_RO ? "ro" : "none"; break;
        case K_HOME: v = p->home == HOME_NONE ? "none" : "tmpfs"; break;
        case K_ARGS: v = p->args == ARGS_RO ? "ro" : p->args == ARGS_RW ? "rw" : "none"; break;
        case K_CWD_BIND:
                v = p->cwd_bind == CWD_RO ? "ro" : p->cwd_bind == CWD_RW ? "rw" : p->cwd_bind == CWD_EXEC ? "exec" : "none";
                break;
        case K_CWD:
                if (!p->cwd) {
                        sbuf_puts(o->f, "; cwd: not set (the caller's directory when visible, else /)\n");
                        return;
                }
                v = p->cwd;
                raw = false;
                break;
        case K_NET_MODE: v = p->net == NET_HOST ? "host" : p->net == NET_PASTA ? "pasta" : "none"; break;
        case K_NET_FALLBACK:
                v = p->net_fallback == NET_FALLBACK_HOST ? "host" : p->net_fallback == NET_FALLBACK_NONE ? "none"
                                                                                                    : "refuse";
                break;
        case K_WRITABLE_EXEC: v = yesno(p->writable_exec); break;
        case K_MEMFD_EXEC: v = yesno(p->memfd_exec); break;
        case K_SC_ENABLED: v = yesno(p->seccomp); break;
        case K_SC_ACTION:
                v = p->sc_action == DENY_KILL ? "kill" : p->sc_action == DENY_LOG ? "log"
                  : p->sc_action == DENY_NOTIFY ? "notify" : "errno";
                break;
        case K_SC_ERRNO:
                v = p->sc_errno > 0 ? strerrorname_np(p->sc_errno) : NULL;
                if (!v)
                        snprintf(num, sizeof(num), "%d", p->sc_errno), v = num;
                break;
        case K_SC_NESTED: v = yesno(p->sc_nested); break;
        case K_SC_USERNS: v = yesno(p->sc_userns); break;
        case K_SC_WX: v = yesno(p->sc_wx); break;
        case K_SC_MEMFD: v = p->sc_memfd == MEMFD_YES ? "yes" : p->sc_memfd == MEMFD_NO ? "no" : "auto"; break;
        case K_LIM_USER_COUNTS:
                snprintf(num, sizeof(num), "%llu%%", (unsigned long long)p->limits.user_share);
                v = num;
                break;
        case K_LL_ENABLED: v = yesno(p->landlock); break;
        case K_LL_MIN_ABI: snprintf(num, sizeof(num), "%d", p->landlock_min_abi); v = num; break;
        case K_NEW_SESSION: v = yesno(p->new_session); break;
        case K_A11Y: v = yesno(p->a11y); break;
        case K_X11: v = p->x11 == X11_UNTRUSTED ? "untrusted" : p->x11 == X11_TRUSTED ? "trusted" : "none"; break;
        case K_ARGS_DIRS: v = yesno(p->args_dirs); break;
        case K_LIM_MEMORY: case K_LIM_PROCESSES: case K_LIM_CPU: case K_LIM_TMPFS_SIZE:
        case K_LIM_TMPFS_INODES: {
                uint64_t x = id == K_LIM_MEMORY ? p->limits.memory : id == K_LIM_PROCESSES ? p->limits.processes
                           : id == K_LIM_CPU ? p->limits.cpu : id == K_LIM_TMPFS_SIZE ? p->limits.tmpfs_size
                           : p->limits.tmpfs_inodes;
                if (!x)
                        v = "unlimited";
                else if (id == K_LIM_CPU)
                        snprintf(num, sizeof(num), "%llu%%", (unsigned long long)x), v = num;
                else if ((id == K_LIM_MEMORY || id == K_LIM_TMPFS_SIZE) && x % (1ULL << 20) == 0)
                        snprintf(num, sizeof(num), "%lluM", (unsigned long long)(x >> 20)), v = num;
                else
                        snprintf(num, sizeof(num), "%llu", (unsigned long long)x), v = num;
                break;
        }
        default: {
                size_t i = (size_t)(id - K_LIMIT_FIRST);
                const struct rlimit_rule *r = &p->rlimits[i];
                if (i >= SBX_RLIMIT_COUNT)
                        return;
                if (!r->set) {
                        sbuf_printf(o->f, "; %s: not set (inherited)\n", o->k->name);
                        return;
                }
                char a[32], b[32];
                if (r->lim.rlim_cur == RLIM_INFINITY)
                        snprintf(a, sizeof(a), "unlimited");
                else
                        snprintf(a, sizeof(a), "%llu", (unsigned long long)r->lim.rlim_cur);
                if (r->lim.rlim_max == RLIM_INFINITY)
                        snprintf(b, sizeof(b), "unlimited");
                else
                        snprintf(b, sizeof(b), "%llu", (unsigned long long)r->lim.rlim_max);
                if (strcmp(a, b) == 0)
                        snprintf(num, sizeof(num), "%s", a);
                else
                        snprintf(num, sizeof(num), "%s:%s", a, b);
                v = num;
                l = r->loc;
                break;
        }
        }
        line(o, "", v, raw, l);
}

SBX_EXPORT int sbx_policy_format(const struct sbx_policy *p, char **ret)
{
        struct sbx_policy defaults;
        struct sbuf text = { 0 }, *f = &text;
        int r;

        if (!p || !ret)
                return -EINVAL;
        if ((r = policy_init(&defaults)) < 0) {
                policy_done(&defaults);
                return r;
        }
        struct out o = { .f = f };
        sbuf_puts(f, "; The effective policy: every key with its value, includes merged.\n"
              "; Comments name the profile line a value came from; values without one\n"
              "; are the built-in defaults.  See sbx.profile(5).\n");
        for (size_t i = 0; i < p->includes.n; i++) {
                sbuf_puts(f, "; included:");
                char tmp[600];
                snprintf(tmp, sizeof(tmp), " %s", p->includes.v[i]);
                for (char *c = tmp; *c; c++)
                        if (*c < 0x20 || *c > 0x7e)
                                *c = '?';
                sbuf_puts(f, tmp);
                put_loc(f, p->includes.loc[i], 0);
                sbuf_putn(f, &(char){ '\n' }, 1);
        }
        const char *section = NULL;
        for (size_t i = 0; i < profile_nkeys; i++) {
                o.k = &profile_keys[i];
                if (!section || strcmp(section, o.k->section) != 0) {
                        section = o.k->section;
                        sbuf_printf(f, "\n[%s]\n", section);
                }
                if (key_is_list(o.k->id))
                        list(&o, p, &defaults);
                else
                        scalar(&o, p);
        }
        policy_done(&defaults);
        return sbuf_take(&text, ret);
}
