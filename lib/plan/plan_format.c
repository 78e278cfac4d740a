/* plan_format.c — a launch plan as text, for `sbx run --dry-run`: the same
 * steps in the same order that the child replays.  Pure. */
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

#include "syscalls/init_filter.h"
#include "plan/x11.h"
#include "plan/net.h"
#include "plan/plan.h"
#include "base/strbuf.h"
#include "base/util.h"

static const char *kind_name(enum plan_mount_kind k)
{
        switch (k) {
        case PM_BIND: return "bind";
        case PM_TMPFS: return "tmpfs";
        case PM_DIR: return "dir";
        case PM_SYMLINK: return "symlink";
        case PM_PROC: return "proc";
        case PM_DEVPTS: return "devpts";
        case PM_MASK: return "mask";
        case PM_REBIND: return "rebind";
        }
        return "?";
}

static void opts(struct sbuf *f, const struct plan_mount *m)
{
        if (m->kind == PM_SYMLINK || m->kind == PM_DIR)
                return;
        sbuf_printf(f, " [%s,nosuid%s%s%s%s]", m->readonly || m->kind == PM_MASK ? "ro" : "rw",
                m->dev ? "" : ",nodev", m->noexec ? ",noexec" : "", m->optional ? ",optional" : "",
                m->pinned ? ",pinned" : "");
}

static int format(const struct plan *plan, struct sbuf *f)
{
        static const struct { unsigned long flag; const char *name; } ns[] = {
                { CLONE_NEWUSER, "user" }, { CLONE_NEWNS, "mount" }, { CLONE_NEWPID, "pid" },
                { CLONE_NEWNET, "net" },   { CLONE_NEWIPC, "ipc" },  { CLONE_NEWUTS, "uts" },
                { CLONE_NEWCGROUP, "cgroup" },
        };
        const struct sbx_policy *p = plan->policy;
        sbuf_printf(f, "# sbx run plan (nothing was started)\n");
        sbuf_printf(f, "profile: %s\n", p->name ? p->name : "(unnamed)");
        sbuf_printf(f, "1. namespaces:");
        for (size_t i = 0; i < ARRAY_SIZE(ns); i++)
                if (plan->clone_flags & ns[i].flag)
                        sbuf_printf(f, " %s", ns[i].name);
        sbuf_printf(f, "\n2. identity: uid %u -> host %u, gid %u -> host %u%s\n", plan->inside_uid,
                plan->map_uid, plan->inside_gid, plan->map_gid,
                plan->caller_is_root ? (p->keep_root ? " (root kept)" : " (root caller dropped to nobody)")
                                     : "");
        if (plan->hostname)
                sbuf_printf(f, "3. hostname: %s\n", plan->hostname);
        sbuf_printf(f, "4. filesystem (new tmpfs root, read-only; then pivot_root, old root detached):\n");
        for (size_t i = 0; i < plan->nmounts; i++) {
                const struct plan_mount *m = &plan->mounts[i];
                sbuf_printf(f, "   %-7s %s", kind_name(m->kind), m->dst);
                if (m->kind == PM_BIND && m->src && strcmp(m->src, m->dst) != 0)
                        sbuf_printf(f, " <- %s", m->src);
                if (m->kind == PM_SYMLINK)
                        sbuf_printf(f, " -> %s", m->src);
                opts(f, m);
                if (m->loc && m->loc->file)
                        sbuf_printf(f, "  (%s:%u)", m->loc->file, m->loc->line);
                sbuf_putn(f, &(char){ '\n' }, 1);
        }
        if (plan->pasta) {
                sbuf_puts(f, "5. network: pasta (own namespace, outbound through pasta, started as the caller "
                             "once the namespaces exist):");
                for (char **a = plan->pasta->argv; a && *a; a++)
                        sbuf_printf(f, " %s", *a);
                sbuf_putn(f, &(char){ '\n' }, 1);
        } else {
                sbuf_printf(f, "5. network: %s\n", plan->loopback ? "none (own namespace, loopback up)" : "host");
        }
        if (plan->x11)
                sbuf_printf(f, "   X11: :%d as %s client through %s, seen inside as :%d\n", plan->x11->display,
                            plan->x11->untrusted ? "an untrusted" : "a trusted", plan->x11->exe,
                            plan->x11->inside);
        sbuf_printf(f, "6. session: %s\n", plan->new_session ? "new (setsid)" : "caller's (TIOCSTI filtered)");
        sbuf_printf(f, "7. fds: 0 1 2");
        for (size_t i = 0; i < plan->nkeep; i++)
                sbuf_printf(f, " %d", plan->keep_fds[i]);
        for (size_t i = 0; i < plan->nlisten; i++)
                sbuf_printf(f, " %zu=listen %s", 3 + i, plan->policy->listen.v[i]);
        sbuf_printf(f, " (all others closed)%s\n8. limits:",
                    plan->nlisten ? "; the listening sockets bound by sbx as the caller (LISTEN_FDS)" : "");
        bool any = false;
        for (size_t i = 0; i < SBX_RLIMIT_COUNT; i++) {
                const struct rlimit_rule *l = &plan->rlimits[i];
                if (!l->set)
                        continue;
                any = true;
                static const char *const names[RLIM_NLIMITS] = {
                        [RLIMIT_CPU] = "cpu", [RLIMIT_FSIZE] = "fsize", [RLIMIT_DATA] = "data",
                        [RLIMIT_STACK] = "stack", [RLIMIT_CORE] = "core", [RLIMIT_NOFILE] = "nofile",
                        [RLIMIT_AS] = "as", [RLIMIT_NPROC] = "nproc", [RLIMIT_MEMLOCK] = "memlock",
                        [RLIMIT_MSGQUEUE] = "msgqueue",
                };
                const char *rn = l->resource >= 0 && l->resource < RLIM_NLIMITS ? names[l->resource] : NULL;
                if (rn)
                        sbuf_printf(f, " %s=", rn);
                else
                        sbuf_printf(f, " %d=", l->resource);
                if (l->lim.rlim_cur == RLIM_INFINITY)
                        sbuf_puts(f, "unlimited");
                else
                        sbuf_printf(f, "%llu", (unsigned long long)l->lim.rlim_cur);
                if (l->lim.rlim_max == RLIM_INFINITY)
                        sbuf_puts(f, ":unlimited");
                else
                        sbuf_printf(f, ":%llu", (unsigned long long)l->lim.rlim_max);
        }
        sbuf_printf(f, "%s\n", any ? "" : " (inherited)");
        limits_format(f, &plan->limits, "   ");
        sbuf_printf(f, "9. cwd: %s\n", plan->cwd ? plan->cwd : "/");
        sbuf_printf(f, "10. environment:\n");
        for (char **e = plan->envp; e && *e; e++)
                sbuf_printf(f, "   %s\n", *e);
        sbuf_printf(f, "11. capabilities: all dropped%s, securebits locked\n",
                plan->caps_keep ? " except those kept by [capabilities]" : "");
        sbuf_printf(f, "12. no_new_privs: yes\n");
        if (plan->landlock.enabled) {
                sbuf_printf(f, "13. landlock: ABI %d, %zu path rules\n", plan->landlock.abi,
                        plan->landlock.nrules);
                for (size_t i = 0; i < plan->landlock.nrules; i++)
                        sbuf_printf(f, "   %s 0x%llx%s\n", plan->landlock.rules[i].path,
                                (unsigned long long)plan->landlock.rules[i].access,
                                plan->landlock.rules[i].optional ? " (optional)" : "");
        } else
                sbuf_printf(f, "13. landlock: off\n");
        if (p->seccomp)
                sbuf_printf(f, "14. seccomp: %u BPF instructions%s\n", plan->seccomp.len,
                        plan->seccomp.needs_listener ? ", supervised by init" : "");
        else
                sbuf_printf(f, "14. seccomp: OFF ([seccomp] enabled = no)\n");
        sbuf_printf(f, "15. execve: %s", plan->exec_path);
        for (char **a = plan->argv; a && *a; a++)
                sbuf_printf(f, " %s", *a);
        sbuf_putn(f, &(char){ '\n' }, 1);
        sbuf_printf(f, "init (pid 1): not dumpable, own session (no terminal), no caller fds; "
                "denial reports through its own pipe; seccomp allow-list:");
        for (const char *const *n = init_filter_allowed; *n; n++)
                sbuf_printf(f, " %s", *n);
        sbuf_putn(f, &(char){ '\n' }, 1);
        for (char **w = plan->warnings; w && *w; w++)
                sbuf_printf(f, "warning: %s\n", *w);
        for (char **w = plan->notes; w && *w; w++)
                sbuf_printf(f, "note: %s\n", *w);
        return 0;
}

SBX_EXPORT int sbx_plan_format(const struct sbx_policy *p, const struct sbx_spawn_options *o,
                               char **ret, struct sbx_error **err)
{
        struct plan plan;
        int r = plan_build(p, o, &plan, err);
        if (r >= 0) {
                struct sbuf text = { 0 };
                format(&plan, &text);
                r = sbuf_take(&text, ret);
        }
        plan_done(&plan);
        return r;
}
