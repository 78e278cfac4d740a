/* caveats.c — what would be refused without the program ever learning why,
 * said before the launch (plan warnings, printed on every run):
 *
 *  - a root caller's program runs as uid 65534 on the host (unless
 *    keep-root): a directory bound writable that 65534 may not write
 *    (root's own, typically the working directory) fails every write with
 *    EACCES, and programs such as gs or firefox then exit 0 without their
 *    output;
 *  - a capability kept in the sandbox's user namespace acts only on what
 *    that namespace owns: in the host's network namespace ([network] mode
 *    = host) the net_* capabilities do nothing, and some capabilities are
 *    only ever checked in the initial user namespace (the clock, modules,
 *    raw I/O, mlock, nice, ...).
 *
 * Parent side: stat()s what the plan binds, allocates warnings.
 */
#include <cap-ng.h>
#include <linux/capability.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "plan/caveats.h"
#include "base/util.h"

/* Would uid/gid be let write st by its mode bits (no capability)? */
static bool may_write(const struct stat *st, uid_t uid, gid_t gid)
{
        if (st->st_uid == uid)
                return st->st_mode & S_IWUSR;
        if (st->st_gid == gid)
                return st->st_mode & S_IWGRP;
        return st->st_mode & S_IWOTH;
}

static int warn_unwritable(const struct sbx_policy *p, struct plan *plan)
{
        if (!plan->caller_is_root || plan->map_uid == 0 || !(plan->clone_flags & CLONE_NEWNS))
                return 0;
        for (size_t i = 0; i < plan->nmounts; i++) {
                const struct plan_mount *m = &plan->mounts[i];
                struct stat st;
                if (m->kind != PM_BIND || m->readonly || m->dev || !m->src)
                        continue;
                if (m->src_fd >= 0 ? fstat(m->src_fd, &st) < 0 : stat(m->src, &st) < 0)
                        continue;
                if ((!S_ISDIR(st.st_mode) && !S_ISREG(st.st_mode)) || may_write(&st, plan->map_uid, plan->map_gid))
                        continue;
                bool cwd = plan->cwd && strcmp(m->dst, plan->cwd) == 0 && p->cwd_bind == CWD_RW;
                char where[300];
                if (cwd)
                        snprintf(where, sizeof(where), "[filesystem] cwd-bind = rw");
                else if (m->loc && m->loc->file && m->loc->line)
                        snprintf(where, sizeof(where), "%s:%u", m->loc->file, m->loc->line);
                else if (m->loc && m->loc->file)
                        snprintf(where, sizeof(where), "%s", m->loc->file);
                else
                        snprintf(where, sizeof(where), "the command line");
                int r = plan_warn(plan,
                                  "%s is bound writable (%s), but a root caller's program runs as uid %u on "
                                  "the host, which may not write it (owner uid %u, mode %04o): writes there "
                                  "fail with EACCES; --set namespaces.keep-root=yes runs it as root without "
                                  "capabilities, or give the %s to uid %u",
                                  m->src, where, plan->map_uid, st.st_uid, st.st_mode & 07777,
                                  S_ISDIR(st.st_mode) ? "directory" : "file", plan->map_uid);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* Capabilities the kernel checks only in the initial user namespace
 * (capable(), not ns_capable()): useless in any sandbox with its own user
 * namespace. */
static const struct {
        int cap;
        const char *what;
} host_only[] = {
        { CAP_SYS_TIME, "setting the clock" },
        { CAP_SYS_MODULE, "loading modules" },
        { CAP_SYS_RAWIO, "raw I/O" },
        { CAP_SYSLOG, "the kernel log" },
        { CAP_SYS_PACCT, "process accounting" },
        { CAP_SYS_TTY_CONFIG, "vhangup" },
        { CAP_IPC_LOCK, "locking memory beyond RLIMIT_MEMLOCK" },
        { CAP_SYS_NICE, "raising priorities" },
        { CAP_SYS_RESOURCE, "overriding resource limits" },
        { CAP_LINUX_IMMUTABLE, "the immutable and append-only flags" },
        { CAP_MAC_ADMIN, "LSM configuration" },
        { CAP_MAC_OVERRIDE, "overriding LSMs" },
        { CAP_AUDIT_CONTROL, "audit rules" },
        { CAP_AUDIT_READ, "reading the audit log" },
        { CAP_AUDIT_WRITE, "writing audit records" },
        { CAP_WAKE_ALARM, "wake alarms" },
        { CAP_BLOCK_SUSPEND, "blocking suspend" },
        { CAP_PERFMON, "performance monitoring" },
        { CAP_BPF, "BPF" },
        { CAP_SYS_BOOT, "rebooting the host" },
};

static int warn_caps(const struct sbx_policy *p, struct plan *plan)
{
        if (!plan->caps_keep || !p->ns_user)
                return 0;
        for (size_t i = 0; i < p->caps_keep.n; i++) {
                const char *n = p->caps_keep.v[i];
                if (strncasecmp(n, "cap_", 4) == 0)
                        n += 4;
                int c = capng_name_to_capability(n);
                const struct sbx_loc *l = &p->caps_keep.loc[i];
                char file[300];
                if (l->file && l->line)
                        snprintf(file, sizeof(file), "%s:%u: ", l->file, l->line);
                else
                        snprintf(file, sizeof(file), "%s: ", l->file ? l->file : "command line");
                int r = 0;
                if (c < 0)
                        continue;
                bool net = c == CAP_NET_BIND_SERVICE || c == CAP_NET_ADMIN || c == CAP_NET_RAW ||
                           c == CAP_NET_BROADCAST;
                if (net && p->net == NET_HOST)
                        r = plan_warn(plan, "%scapabilities.keep = %s cannot work: the sandbox shares the "
                                      "host's network namespace ([network] mode = host), which belongs to the "
                                      "host's user namespace, where the sandbox has no capability%s",
                                      file, p->caps_keep.v[i],
                                      c == CAP_NET_BIND_SERVICE ? "; to serve a port below 1024, let sbx bind it "
                                                                  "([network] listen = PORT)"
                                                                : "");
                for (size_t k = 0; k < ARRAY_SIZE(host_only) && r >= 0; k++)
                        if (host_only[k].cap == c)
                                r = plan_warn(plan, "%scapabilities.keep = %s cannot work: the kernel checks "
                                              "it for %s only in the host's user namespace, and the sandbox has "
                                              "a user namespace of its own",
                                              file, p->caps_keep.v[i], host_only[k].what);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* The persistence protection keeps a missing protected point from being
 * created by giving its directory no new entry at all (protect.c): when
 * that directory is the working directory (a shell started in ~), every
 * file the program creates there fails with EACCES. */
static int warn_uncreatable_cwd(struct plan *plan)
{
        if (!plan->cwd)
                return 0;
        size_t n = 0;
        const char *first = NULL;
        for (size_t i = 0; i < plan->nprotect_ll; i++) {
                const char *pt = plan->protect_ll[i], *slash = strrchr(pt, '/');
                size_t len = slash ? (size_t)(slash - pt) : 0;
                if (slash && (len ? strlen(plan->cwd) == len && strncmp(pt, plan->cwd, len) == 0
                                  : strcmp(plan->cwd, "/") == 0)) {
                        n++;
                        first = first ? first : pt;
                }
        }
        if (!n)
                return 0;
        return plan_warn(plan, "no new file can be made directly in the working directory %s: %zu "
                         "persistence point(s) there (%s%s) do not exist, and no sandbox may create them "
                         "([filesystem] protect); work in a subdirectory, or create them on the host",
                         plan->cwd, n, first, n > 1 ? ", ..." : "");
}

int caveats_plan(const struct sbx_policy *p, struct plan *plan)
{
        int r = warn_unwritable(p, plan);
        if (r >= 0)
                r = warn_uncreatable_cwd(plan);
        return r < 0 ? r : warn_caps(p, plan);
}
