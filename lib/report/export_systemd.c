/* export_systemd.c — the plan as a systemd service unit: an empty
 * read-only root with the view's binds, the namespaces as Private*=, the
 * filter's allow-list as SystemCallFilter=, limits as MemoryMax=/TasksMax=
 * /Limit*=.  systemd keeps one mount per path (a read-only mount or a bind
 * wins over a tmpfs there), which decides what a unit can say: no
 * ProtectSystem= over the empty root, no NoExecPaths= on a bind. */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>

#include "base/util.h"
#include "report/export_plan.h"

/* ---- systemd ------------------------------------------------------------- */

/* A word for a unit file: specifiers (%) doubled, and quoted C-style when
 * it holds a space, quote, backslash or control character. */
static void sd_word(struct sbuf *b, const char *s, bool dollar)
{
        bool quote = !*s;
        for (const char *c = s; *c; c++)
                if (*c <= ' ' || *c == '"' || *c == '\'' || *c == '\\' || *c == 0x7f)
                        quote = true;
        if (quote)
                sbuf_puts(b, "\"");
        for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
                if (*c == '%')
                        sbuf_puts(b, "%%");
                else if (*c == '$' && dollar)
                        sbuf_puts(b, "$$");
                else if (*c == '"' || *c == '\\')
                        sbuf_printf(b, "\\%c", *c);
                else if (*c < ' ' || *c == 0x7f)
                        sbuf_printf(b, "\\x%02x", *c);
                else
                        sbuf_printf(b, "%c", *c);
        }
        if (quote)
                sbuf_puts(b, "\"");
}

/* A path for Bind*Paths=, TemporaryFileSystem= …: ':' separates source and
 * destination there, so it is escaped too. */
static void sd_path(struct sbuf *b, const char *s)
{
        struct sbuf t = { 0 };
        for (const char *c = s; *c; c++)
                if (*c == ':')
                        sbuf_puts(&t, "\\:");
                else
                        sbuf_printf(&t, "%c", *c);
        char *p = NULL;
        if (sbuf_take(&t, &p) < 0) {
                b->err = -ENOMEM;
                return;
        }
        sd_word(b, p, false);
        free(p);
}

static const char *sd_af(unsigned f)
{
        static const char *const v[] = {
                [AF_UNIX] = "AF_UNIX", [AF_INET] = "AF_INET", [AF_INET6] = "AF_INET6",
                [AF_NETLINK] = "AF_NETLINK", [AF_PACKET] = "AF_PACKET", [AF_ALG] = "AF_ALG",
                [AF_VSOCK] = "AF_VSOCK", [AF_BLUETOOTH] = "AF_BLUETOOTH", [AF_CAN] = "AF_CAN",
                [AF_KEY] = "AF_KEY", [AF_TIPC] = "AF_TIPC", [AF_XDP] = "AF_XDP",
        };
        return f < ARRAY_SIZE(v) ? v[f] : NULL;
}

/* `key` followed by the names, twelve a line, then the syscalls some
 * argument rule allows (the name only: a unit has no argument rules). */
static void sd_names(struct sbuf *b, const char *key, char *const *names, const struct sc_rule *rules,
                     size_t nrules)
{
        size_t col = 0;
        for (size_t i = 0; names && names[i]; i++) {
                sbuf_printf(b, "%s%s", col ? " " : key, names[i]);
                if (++col == 12) {
                        sbuf_puts(b, "\n");
                        col = 0;
                }
        }
        for (size_t i = 0; i < nrules; i++) {
                bool seen = rules[i].act != SC_ACT_ALLOW;
                for (size_t j = 0; j < i && !seen; j++)
                        seen = rules[j].act == SC_ACT_ALLOW && strcmp(rules[j].name, rules[i].name) == 0;
                if (seen)
                        continue;
                sbuf_printf(b, "%s%s", col ? " " : key, rules[i].name);
                if (++col == 12) {
                        sbuf_puts(b, "\n");
                        col = 0;
                }
        }
        if (col)
                sbuf_puts(b, "\n");
}

int export_render_unit(struct ex *x, struct sbuf *b)
{
        const struct plan *plan = x->plan;
        unsigned long f = plan->clone_flags;
        int r = 0;
        sbuf_printf(b, "# sbx export --format systemd (profile %s): the same policy as systemd\n", x->label);
        sbuf_puts(b, "# hardening.  Install as /etc/systemd/system/NAME.service (or take the\n"
                     "# [Service] lines as a drop-in for an existing unit).\n");
        sbuf_puts(b, "[Unit]\nDescription=");
        sd_word(b, plan->exec_path, false);
        sbuf_printf(b, " under the sbx profile %s\n\n[Service]\nType=exec\nExecStart=", x->label);
        /* argv[0] as sbx passes it, the program by its path. */
        sd_word(b, plan->exec_path, true);
        for (size_t i = 1; plan->argv && plan->argv[0] && plan->argv[i]; i++) {
                /* A lone ";" separates commands in ExecStart=. */
                sbuf_puts(b, strcmp(plan->argv[i], ";") == 0 ? " \\;" : " ");
                if (strcmp(plan->argv[i], ";") != 0)
                        sd_word(b, plan->argv[i], true);
        }
        /* WorkingDirectory= takes the path as it is: no quotes, specifiers
         * expanded; a control character cannot be written. */
        const char *cwd = plan->cwd ? plan->cwd : "/";
        for (const char *c = cwd; *c; c++)
                if ((unsigned char)*c < ' ' || *c == 0x7f)
                        return -EINVAL;
        sbuf_puts(b, "\nWorkingDirectory=");
        for (const char *c = cwd; *c; c++)
                sbuf_puts(b, *c == '%' ? "%%" : (char[]){ *c, 0 });
        sbuf_puts(b, "\n");
        for (char **e = plan->envp; e && *e; e++) {
                sbuf_puts(b, "Environment=");
                sd_word(b, *e, false);
                sbuf_puts(b, "\n");
        }
        /* Identity: the host uid sbx maps the program to.  Not
         * DynamicUser=, which implies ProtectSystem=strict (below). */
        sbuf_printf(b, "User=%u\nGroup=%u\n", plan->map_uid, plan->map_gid);
        if (f & CLONE_NEWUSER)
                sbuf_puts(b, "PrivateUsers=yes\n");

        /* The view: an empty read-only root with only what the plan binds.
         * systemd keeps one mount per path and prefers a read-only one to
         * a tmpfs: ProtectSystem=strict (a read-only "/") would replace the
         * empty root with the host's, so it is not set; ProtectHome= only
         * touches paths that are not in the view. */
        sbuf_puts(b, "TemporaryFileSystem=/:ro\n");
        bool in_home = false;
        for (size_t i = 0; i < plan->nmounts; i++)
                if (export_under(plan->mounts[i].dst, "/home") || export_under(plan->mounts[i].dst, "/root") ||
                    export_under(plan->mounts[i].dst, "/run/user"))
                        in_home = true;
        sbuf_printf(b, "ProtectHome=%s\n", in_home ? "tmpfs" : "yes");
        bool tmp_private = false, devices = false, rw_exec = false;
        for (size_t i = 0; i < plan->nmounts; i++)
                if (plan->mounts[i].kind == PM_TMPFS && strcmp(plan->mounts[i].dst, "/tmp") == 0)
                        tmp_private = true;
        for (size_t i = 0; i < plan->nmounts && r >= 0; i++) {
                const struct plan_mount *m = &plan->mounts[i];
                if (export_under(m->dst, "/proc") || export_under(m->dst, "/dev")) {
                        if (m->kind == PM_MASK || (m->kind == PM_REBIND && m->readonly)) {
                                sbuf_puts(b, m->kind == PM_MASK ? "InaccessiblePaths=-" : "ReadOnlyPaths=-");
                                sd_path(b, m->dst);
                                sbuf_puts(b, "\n");
                        } else if (m->kind == PM_BIND && m->dev && !export_runtime_dev(m)) {
                                devices = true;
                                sbuf_puts(b, "BindPaths=");
                                sd_path(b, m->src);
                                sbuf_puts(b, ":");
                                sd_path(b, m->dst);
                                sbuf_puts(b, "\nDeviceAllow=");
                                sd_path(b, m->dst);
                                sbuf_puts(b, " rw\n");
                        }
                        continue;
                }
                switch (m->kind) {
                case PM_BIND:
                        sbuf_puts(b, m->readonly ? "BindReadOnlyPaths=" : "BindPaths=");
                        sd_path(b, m->src);
                        sbuf_puts(b, ":");
                        sd_path(b, m->dst);
                        sbuf_puts(b, ":rbind\n");
                        /* NoExecPaths= on the same path is dropped in favour
                         * of the bind (one mount per path). */
                        rw_exec = rw_exec || m->noexec;
                        break;
                case PM_TMPFS:
                        if (strcmp(m->dst, "/tmp") == 0) {
                                /* PrivateTmp= wins over a tmpfs or NoExecPaths=
                                 * on /tmp (one mount per path). */
                                r = export_warn(x, "tmpfs /tmp: PrivateTmp= gives a private directory of the "
                                                   "host's /tmp, without the size limit (%s) and the noexec "
                                                   "of sbx's tmpfs",
                                                m->data ? m->data : "no size");
                                continue;
                        }
                        if (plan->home && strcmp(m->dst, plan->home) == 0 && export_under(m->dst, "/home"))
                                continue; /* ProtectHome=tmpfs */
                        sbuf_puts(b, "TemporaryFileSystem=");
                        sd_path(b, m->dst);
                        sbuf_printf(b, ":nosuid,nodev%s%s%s\n", m->noexec ? ",noexec" : "", m->data ? "," : "",
                                    m->data ? m->data : "");
                        break;
                case PM_SYMLINK: {
                        /* systemd makes no symlinks: the directory it names,
                         * bound read-only at the link's path. */
                        _cleanup_free_ char *t = NULL;
                        if (m->src[0] == '/')
                                t = strdup(m->src);
                        else {
                                const char *slash = strrchr(m->dst, '/');
                                if (asprintf(&t, "%.*s/%s", (int)(slash - m->dst), m->dst, m->src) < 0)
                                        t = NULL;
                        }
                        if (!t)
                                return -ENOMEM;
                        _cleanup_free_ char *host = NULL;
                        if (plan_host_path(plan, t, &host) < 0) {
                                r = export_warn(x, "symlink %s -> %s: nothing of the host is shown at its "
                                            "target; left out of the unit", m->dst, m->src);
                                break;
                        }
                        sbuf_puts(b, "BindReadOnlyPaths=");
                        sd_path(b, host);
                        sbuf_puts(b, ":");
                        sd_path(b, m->dst);
                        sbuf_puts(b, ":rbind\n");
                        break;
                }
                case PM_MASK:
                        sbuf_puts(b, "InaccessiblePaths=-");
                        sd_path(b, m->dst);
                        sbuf_puts(b, "\n");
                        break;
                case PM_REBIND:
                        if (m->readonly) {
                                sbuf_puts(b, "ReadOnlyPaths=-");
                                sd_path(b, m->dst);
                                sbuf_puts(b, "\n");
                        }
                        break;
                case PM_DIR:
                        sbuf_puts(b, "TemporaryFileSystem=");
                        sd_path(b, m->dst);
                        sbuf_puts(b, ":ro,nosuid,nodev,noexec,size=4k\n");
                        break;
                default:
                        break;
                }
        }
        if (tmp_private)
                sbuf_puts(b, "PrivateTmp=yes\n");
        sbuf_printf(b, "PrivateDevices=%s\n", devices ? "no\nDevicePolicy=closed" : "yes");
        if (x->p->sys == SYS_NONE)
                sbuf_puts(b, "InaccessiblePaths=-/sys\n");
        if (rw_exec)
                r = export_warn(x, "writable binds are not noexec in the unit: systemd keeps one mount per "
                               "path and drops NoExecPaths= for a path that BindPaths= mounts");
        sbuf_puts(b, "ProtectKernelTunables=yes\nProtectKernelModules=yes\nProtectKernelLogs=yes\n"
                     "ProtectControlGroups=yes\nProtectClock=yes\nProtectProc=invisible\n");
        if (f & CLONE_NEWUTS)
                sbuf_puts(b, "ProtectHostname=yes\n");
        if (f & CLONE_NEWIPC)
                sbuf_puts(b, "PrivateIPC=yes\nRemoveIPC=yes\n");
        if (f & CLONE_NEWNS)
                sbuf_puts(b, "PrivateMounts=yes\n");
        if (f & CLONE_NEWNET)
                sbuf_puts(b, "PrivateNetwork=yes\nIPAddressDeny=any\n");
        if (x->m.enabled) {
                sbuf_puts(b, "RestrictAddressFamilies=");
                bool any = false;
                for (unsigned a = 1; a < 64; a++)
                        if ((x->m.af_allowed & (UINT64_C(1) << a)) && sd_af(a)) {
                                sbuf_printf(b, "%s%s", any ? " " : "", sd_af(a));
                                any = true;
                        }
                sbuf_puts(b, any ? "\n" : "none\n");
        }
        sbuf_printf(b, "RestrictNamespaces=%s\n", x->m.enabled && !x->plan->seccomp.userns ? "yes" : "no");
        sbuf_puts(b, "NoNewPrivileges=yes\nRestrictSUIDSGID=yes\nRestrictRealtime=yes\nLockPersonality=yes\n"
                     "KeyringMode=private\n");
        if (x->p->sc_wx)
                sbuf_puts(b, "MemoryDenyWriteExecute=yes\n");
        sbuf_puts(b, "CapabilityBoundingSet=");
        char cap[64];
        bool first = true;
        for (unsigned c = 0; c < 64; c++) {
                if (!export_cap_name(plan, c, cap, sizeof(cap)))
                        continue;
                sbuf_printf(b, "%s%s", first ? "" : " ", cap);
                first = false;
        }
        sbuf_puts(b, "\nAmbientCapabilities=\n");
        if (x->m.enabled) {
                sbuf_puts(b, "SystemCallArchitectures=native\n");
                if (x->m.action == DENY_LOG) {
                        /* sbx only logs what is not allowed: the denied
                         * still fail, the rest runs and is logged. */
                        sd_names(b, "SystemCallFilter=~", x->m.denied, NULL, 0);
                        sd_names(b, "SystemCallLog=~", x->m.allowed, x->m.rules, x->m.nrules);
                } else {
                        /* The allow-list, syscall by syscall: systemd's
                         * groups are not sbx's, so the names are what both
                         * agree on.  Without an errno, systemd kills with
                         * SIGSYS, as [seccomp] action = kill. */
                        sd_names(b, "SystemCallFilter=", x->m.allowed, x->m.rules, x->m.nrules);
                        if (x->m.action != DENY_KILL)
                                sbuf_printf(b, "SystemCallErrorNumber=%s\n",
                                            strerrorname_np(x->m.err) ? strerrorname_np(x->m.err) : "EPERM");
                }
        }
        const struct limits_plan *l = &plan->limits;
        if (l->value[CG_MEMORY])
                sbuf_printf(b, "MemoryMax=%llu\nMemorySwapMax=0\n", (unsigned long long)l->value[CG_MEMORY]);
        if (l->value[CG_PIDS])
                sbuf_printf(b, "TasksMax=%llu\n", (unsigned long long)l->value[CG_PIDS]);
        if (l->value[CG_CPU])
                sbuf_printf(b, "CPUQuota=%llu%%\n", (unsigned long long)l->value[CG_CPU]);
        for (size_t i = 0; i < SBX_RLIMIT_COUNT; i++) {
                const struct rlimit_rule *rl = &plan->rlimits[i];
                const char *n = export_rlimit_name(rl->resource);
                if (!rl->set || !n)
                        continue;
                sbuf_printf(b, "Limit%s=", n);
                if (rl->lim.rlim_cur == RLIM_INFINITY)
                        sbuf_puts(b, "infinity");
                else
                        sbuf_printf(b, "%llu", (unsigned long long)rl->lim.rlim_cur);
                if (rl->lim.rlim_max == RLIM_INFINITY)
                        sbuf_puts(b, ":infinity\n");
                else
                        sbuf_printf(b, ":%llu\n", (unsigned long long)rl->lim.rlim_max);
        }
        if (plan->new_session)
                sbuf_puts(b, "StandardInput=null\n");
        sbuf_puts(b, "\n[Install]\nWantedBy=multi-user.target\n");
        return r;
}

