/* limit.c — [limits] memory, processes and cpu-share for the whole
 * sandbox, and the size of each tmpfs sbx creates (see limit.h).
 *
 * Mechanism per limit, best first:
 *   cgroup (v2 memory.max/pids.max/cpu.max, v1 memory.limit_in_bytes and
 *     memsw, pids.max, cfs quota): one budget for every process of the
 *     sandbox, page cache and tmpfs pages included; the kernel kills at the
 *     memory limit (OOM inside the cgroup) and refuses fork at the process
 *     limit (EAGAIN);
 *   rlimits: memory → what bounds each kind of memory, per process (a
 *     sandbox of N processes may use N times it): RLIMIT_AS for every
 *     mapping (anonymous private or MAP_SHARED, files, memfds, SysV
 *     segments: none can be touched unmapped); memfd_create and shmget
 *     refused by the filter (a memfd is written with write(2), a SysV
 *     segment keeps its pages once detached, both beyond any rlimit; the
 *     segment limits of the sandbox's IPC namespace, kernel.shm*, are
 *     writable only by that namespace's uid 0, which sbx never maps); every
 *     tmpfs sbx mounts no larger than the limit.  RLIMIT_AS also counts the
 *     reservations JITs and sanitizers make and may break them: such
 *     programs need a cgroup, or memory in [limits] optional, which then
 *     means RLIMIT_DATA (private memory only) where the full set cannot
 *     hold ([seccomp] memfd = yes).  With seccomp off nothing refuses
 *     memfds and segments: like every control only the filter enforces,
 *     that is said at each launch (plan_build.c) rather than refused;
 *     processes → RLIMIT_NPROC, which since Linux 5.14 counts the
 *     processes of one uid per user namespace, i.e. this sandbox's (not
 *     when the inside uid is host root: the kernel exempts it);
 *   none for cpu-share (RLIMIT_CPU bounds total seconds, not a share).
 * A limit without a mechanism fails the launch unless [limits] optional
 * names it.
 *
 * user-counts: the kernel counts inotify instances and watches, fanotify
 * groups and marks and namespaces per user, and charges a sandbox's to its
 * caller (the creator of its user namespace) at every level up: a sandbox
 * could take them all and leave its caller's session without (a desktop's
 * file monitors need inotify).  Each user namespace has limits of its own
 * in /proc/sys/user, which start unlimited and which the namespace's
 * capabilities may set: init writes the sandbox's share of the caller's
 * limits there before it drops them.  The rlimits counted the same way
 * (pending signals, POSIX message queue bytes, locked memory, processes)
 * are lowered to the same share of the caller's. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "plan/limit.h"
#include "plan/plan.h"
#include "profile/profile.h"
#include "base/strbuf.h"
#include "base/util.h"

static const char *const limit_keys[CG_NCTRL] = { "memory", "processes", "cpu-share" };
static const enum key_id limit_key_ids[CG_NCTRL] = { K_LIM_MEMORY, K_LIM_PROCESSES, K_LIM_CPU };

static bool optional(const struct sbx_policy *p, int c)
{
        return strlist_contains(&p->limits_optional, limit_keys[c]) ||
               strlist_contains(&p->limits_optional, "all");
}

static struct rlimit_rule *rlimit_slot(struct rlimit_rule *v, int resource)
{
        for (size_t i = 0; i < SBX_RLIMIT_COUNT; i++)
                if (v[i].resource == resource)
                        return &v[i];
        return NULL;
}

/* Lower (never raise) an rlimit of the plan to `value`. */
static void cap_rlimit(struct rlimit_rule *v, int resource, uint64_t value)
{
        struct rlimit_rule *l = rlimit_slot(v, resource);
        if (!l)
                return;
        rlim_t x = (rlim_t)value;
        if (!l->set) {
                l->set = true;
                l->lim.rlim_cur = l->lim.rlim_max = x;
                return;
        }
        if (l->lim.rlim_max > x)
                l->lim.rlim_max = x;
        if (l->lim.rlim_cur > l->lim.rlim_max)
                l->lim.rlim_cur = l->lim.rlim_max;
}

/* Whether RLIMIT_NPROC counts this sandbox's processes alone: its own
 * user namespace, and an inside uid that is not host root. */
static bool nproc_counts_sandbox(bool userns, uid_t map_uid)
{
        return userns && map_uid != 0;
}

/* Why the rlimit set cannot hold the memory limit for every kind of
 * memory under p, or NULL when it can. */
static const char *rlimit_memory_gap(const struct sbx_policy *p)
{
        if (p->sc_memfd == MEMFD_YES)
                return "[seccomp] memfd = yes lets memfds through, whose memory no rlimit counts";
        return NULL;
}

static void decide(struct limits_plan *l, const struct sbx_policy *p, bool userns, uid_t map_uid)
{
        l->value[CG_MEMORY] = p->limits.memory;
        l->value[CG_PIDS] = p->limits.processes;
        l->value[CG_CPU] = p->limits.cpu;
        if (!l->value[CG_MEMORY] && !l->value[CG_PIDS] && !l->value[CG_CPU])
                return;
        cgroup_probe(l->where);
        for (int c = 0; c < CG_NCTRL; c++) {
                if (!l->value[c])
                        continue;
                if (l->where[c].version != CG_NONE)
                        l->mech[c] = LIM_CGROUP;
                else if (c == CG_MEMORY && rlimit_memory_gap(p))
                        l->mech[c] = optional(p, c) ? LIM_PARTIAL : LIM_UNENFORCED;
                else if (c == CG_MEMORY || (c == CG_PIDS && nproc_counts_sandbox(userns, map_uid)))
                        l->mech[c] = LIM_RLIMIT;
                else
                        l->mech[c] = LIM_UNENFORCED;
        }
        l->mem_unrefused = l->mech[CG_MEMORY] == LIM_RLIMIT && !p->seccomp;
        l->cg.memory = l->mech[CG_MEMORY] == LIM_CGROUP ? l->value[CG_MEMORY] : 0;
        l->cg.processes = l->mech[CG_PIDS] == LIM_CGROUP ? l->value[CG_PIDS] : 0;
        l->cg.cpu = l->mech[CG_CPU] == LIM_CGROUP ? l->value[CG_CPU] : 0;
}

/* The size of each tmpfs sbx mounts: tmpfs-size, and no more than a
 * memory limit held by rlimits (tmpfs pages are no process's memory). */
static uint64_t tmpfs_size(const struct limits_plan *l, const struct sbx_policy *p)
{
        uint64_t s = p->limits.tmpfs_size;
        if (l->mech[CG_MEMORY] == LIM_RLIMIT && (!s || s > l->value[CG_MEMORY]))
                s = l->value[CG_MEMORY];
        return s;
}

/* size= and nr_inodes= on every tmpfs the plan mounts that has none yet. */
static int size_tmpfs(struct plan *plan, const struct sbx_policy *p)
{
        uint64_t tsize = tmpfs_size(&plan->limits, p);
        for (size_t i = 0; i < plan->nmounts; i++) {
                struct plan_mount *m = &plan->mounts[i];
                if (m->kind != PM_TMPFS || (m->data && strstr(m->data, "size=")))
                        continue;
                char *data = NULL;
                char size[40] = "", inodes[40] = "";
                if (tsize)
                        snprintf(size, sizeof(size), ",size=%llu", (unsigned long long)tsize);
                if (p->limits.tmpfs_inodes)
                        snprintf(inodes, sizeof(inodes), ",nr_inodes=%llu",
                                 (unsigned long long)p->limits.tmpfs_inodes);
                if (!*size && !*inodes)
                        continue;
                const char *old = m->data ? m->data : "";
                if (asprintf(&data, "%s%s%s", old, size, inodes) < 0)
                        return -ENOMEM;
                if (!plan_own(plan, data))
                        return -ENOMEM;
                m->data = *old ? data : data + 1;
        }
        return 0;
}

static const char *const user_count_files[LIM_USER_COUNTS] = {
        "/proc/sys/user/max_inotify_instances", "/proc/sys/user/max_inotify_watches",
        "/proc/sys/user/max_fanotify_groups",   "/proc/sys/user/max_fanotify_marks",
        "/proc/sys/user/max_user_namespaces",   "/proc/sys/user/max_mnt_namespaces",
        "/proc/sys/user/max_pid_namespaces",    "/proc/sys/user/max_net_namespaces",
        "/proc/sys/user/max_ipc_namespaces",    "/proc/sys/user/max_uts_namespaces",
        "/proc/sys/user/max_cgroup_namespaces", "/proc/sys/user/max_time_namespaces",
};
static const int user_count_rlimits[] = { RLIMIT_SIGPENDING, RLIMIT_MSGQUEUE, RLIMIT_MEMLOCK, RLIMIT_NPROC };

static uint64_t share_of(uint64_t v, uint64_t pct)
{
        uint64_t s = v / 100 * pct + v % 100 * pct / 100;
        return s ? s : (v ? 1 : 0);
}

/* The caller's limits (those of its own user namespace, as this process
 * reads them), and the share of each the sandbox gets. */
static int plan_user_counts(struct plan *plan, const struct sbx_policy *p)
{
        struct limits_plan *l = &plan->limits;
        uint64_t pct = p->limits.user_share;
        if (!pct || pct >= 100)
                return 0;
        if (plan->self || !(plan->clone_flags & CLONE_NEWUSER)) {
                l->counts_shared = true;
                return 0;
        }
        /* Namespaces need capabilities in the owning user namespace, which
         * the program only gets through a new one: when the filter refuses
         * CLONE_NEWUSER and no capability is kept, their counts cannot
         * move (and eight files fewer are written at each launch). */
        bool ns_counts = p->sc_userns || !p->seccomp || p->sc_action == DENY_LOG || p->caps_keep.n > 0;
        for (size_t i = 0; i < (ns_counts ? LIM_USER_COUNTS : 4); i++) {
                char buf[32];
                int fd = open(user_count_files[i], O_RDONLY | O_CLOEXEC);
                if (fd < 0 && errno == ENOENT)
                        continue; /* an older kernel without this count */
                if (fd < 0)
                        return -errno;
                ssize_t n = read(fd, buf, sizeof(buf) - 1);
                int e = errno;
                close(fd);
                if (n <= 0)
                        return n < 0 ? -e : -EIO;
                buf[n] = 0;
                char *end;
                errno = 0;
                unsigned long long v = strtoull(buf, &end, 10);
                if (errno || end == buf)
                        return -EIO;
                struct user_count *c = &l->counts[l->ncounts++];
                c->path = user_count_files[i];
                snprintf(c->value, sizeof(c->value), "%llu", (unsigned long long)share_of(v, pct));
        }
        for (size_t i = 0; i < ARRAY_SIZE(user_count_rlimits); i++) {
                struct rlimit cur;
                if (getrlimit(user_count_rlimits[i], &cur) < 0)
                        return -errno;
                if (cur.rlim_cur != RLIM_INFINITY)
                        cap_rlimit(plan->rlimits, user_count_rlimits[i], share_of(cur.rlim_cur, pct));
        }
        return 0;
}

int limits_apply_user_counts(const struct limits_plan *l, const char **failed)
{
        for (size_t i = 0; i < l->ncounts; i++) {
                const struct user_count *c = &l->counts[i];
                size_t len = strlen(c->value);
                int fd = open(c->path, O_WRONLY | O_CLOEXEC);
                ssize_t n = fd < 0 ? -1 : write(fd, c->value, len);
                int e = errno;
                if (fd >= 0)
                        close(fd);
                if (n != (ssize_t)len) {
                        *failed = c->path;
                        return n < 0 ? -e : -EIO;
                }
        }
        return 0;
}

int limits_plan_build(struct plan *plan, const struct sbx_policy *p, struct sbx_error **err)
{
        struct limits_plan *l = &plan->limits;
        int r;
        *l = (struct limits_plan){ 0 };
        decide(l, p, plan->self ? false : (plan->clone_flags & CLONE_NEWUSER) != 0, plan->map_uid);
        if ((r = size_tmpfs(plan, p)) < 0)
                return r;
        if ((r = plan_user_counts(plan, p)) < 0)
                return sbx_err_setup(err, r, "limits", "reading the caller's limits in /proc/sys/user");
        if (l->counts_shared) {
                struct sbx_loc loc = p->scalar_loc[K_LIM_USER_COUNTS];
                if (loc.file && !strlist_contains(&p->limits_optional, "user-counts") &&
                    !strlist_contains(&p->limits_optional, "all"))
                        return sbx_err_setup(err, -EOPNOTSUPP, "limits",
                                             "%s:%u: user-counts: the sandbox has no user namespace of its own, "
                                             "so it shares every per-user kernel count with its caller; add "
                                             "user-counts to [limits] optional to run without it",
                                             loc.file, loc.line);
        }
        for (int c = 0; c < CG_NCTRL; c++) {
                if (l->mech[c] == LIM_RLIMIT)
                        cap_rlimit(plan->rlimits, c == CG_MEMORY ? RLIMIT_AS : RLIMIT_NPROC, l->value[c]);
                if (l->mech[c] == LIM_PARTIAL) {
                        cap_rlimit(plan->rlimits, RLIMIT_DATA, l->value[c]);
                        if ((r = plan_warn(plan, "[limits] memory is not enforced for all memory (optional): "
                                           "no writable memory cgroup, and %s; rlimit data bounds each "
                                           "process's private memory, MAP_SHARED, memfd, SysV shm and "
                                           "tmpfs memory are unbounded", rlimit_memory_gap(p))) < 0)
                                return r;
                }
                if (l->mech[c] != LIM_UNENFORCED)
                        continue;
                struct sbx_loc loc = p->scalar_loc[limit_key_ids[c]];
                const char *why = c == CG_CPU ? "no rlimit can bound a CPU share"
                                : c == CG_MEMORY ? rlimit_memory_gap(p)
                                              : "RLIMIT_NPROC would not count this sandbox alone "
                                                "(no user namespace, or the inside uid is host root)";
                if (!optional(p, c))
                        return sbx_err_setup(err, -EOPNOTSUPP, "limits",
                                             "%s:%u: %s: no cgroup with the %s controller is writable "
                                             "by this caller (cgroup v2 delegation, or v1 as root) and %s; "
                                             "add it to [limits] optional to run without it",
                                             loc.file ? loc.file : "(built-in)", loc.line, limit_keys[c],
                                             cgroup_ctrl_name(c), why);
                if ((r = plan_warn(plan, "[limits] %s is not enforced: no writable cgroup with the %s "
                                   "controller, and %s (optional)",
                                   limit_keys[c], cgroup_ctrl_name(c), why)) < 0)
                        return r;
        }
        return 0;
}

bool limits_memory_by_rlimits(const struct limits_plan *l)
{
        return l->mech[CG_MEMORY] == LIM_RLIMIT;
}

int limits_attach(const struct plan *plan, pid_t pid, struct cgroup_sandbox **ret, struct sbx_error **err)
{
        const struct limits_plan *l = &plan->limits;
        *ret = NULL;
        if (!l->cg.memory && !l->cg.processes && !l->cg.cpu)
                return 0;
        const char *what = NULL;
        int r = cgroup_create(l->where, &l->cg, pid, ret, &what);
        if (r < 0)
                return sbx_err_setup(err, r, "limits", "creating the sandbox's cgroup (%s)", what);
        return 0;
}

static void value_text(int c, uint64_t v, char *buf, size_t size)
{
        if (c == CG_CPU)
                snprintf(buf, size, "%llu%%", (unsigned long long)v);
        else if (c == CG_MEMORY && v % (1ULL << 20) == 0)
                snprintf(buf, size, "%lluM", (unsigned long long)(v >> 20));
        else
                snprintf(buf, size, "%llu", (unsigned long long)v);
}

static void user_counts_format(struct sbuf *f, const struct limits_plan *l, const char *indent)
{
        if (l->counts_shared) {
                sbuf_printf(f, "%suser-counts: SHARED with the caller (no user namespace of its own): the sandbox "
                        "may take every inotify instance and watch the caller has\n", indent);
                return;
        }
        if (!l->ncounts) {
                sbuf_printf(f, "%suser-counts 100%%: the sandbox may take all of the caller's inotify, fanotify "
                        "and namespace counts\n", indent);
                return;
        }
        sbuf_printf(f, "%suser-counts: its user namespace's limits (/proc/sys/user), the rest stays the caller's:",
                indent);
        for (size_t i = 0; i < l->ncounts; i++)
                sbuf_printf(f, " %s %s", l->counts[i].path + strlen("/proc/sys/user/max_"), l->counts[i].value);
        sbuf_puts(f, "; rlimits sigpending, msgqueue, memlock, nproc at the same share of the caller's\n");
}

void limits_format(struct sbuf *f, const struct limits_plan *l, const char *indent)
{
        static const char *const v1_files[CG_NCTRL] = { "memory.limit_in_bytes + memsw", "pids.max",
                                                         "cpu.cfs_quota_us" };
        static const char *const v2_files[CG_NCTRL] = { "memory.max, swap.max 0", "pids.max", "cpu.max" };
        for (int c = 0; c < CG_NCTRL; c++) {
                char v[32];
                sbuf_printf(f, "%s%s ", indent, limit_keys[c]);
                if (!l->value[c]) {
                        sbuf_puts(f, "unlimited: not bounded by sbx\n");
                        continue;
                }
                value_text(c, l->value[c], v, sizeof(v));
                switch (l->mech[c]) {
                case LIM_CGROUP:
                        sbuf_printf(f, "%s: cgroup v%d %s under %s (whole sandbox)\n", v, (int)l->where[c].version,
                                l->where[c].version == CG_V2 ? v2_files[c] : v1_files[c], l->where[c].base);
                        break;
                case LIM_RLIMIT:
                        if (c != CG_MEMORY) {
                                sbuf_printf(f, "%s: rlimit nproc, counted in the sandbox's user namespace "
                                        "(no writable pids cgroup)\n", v);
                                break;
                        }
                        sbuf_printf(f, "%s: rlimits, per process (no writable memory cgroup): rlimit as bounds "
                                "every mapping (anonymous, MAP_SHARED, files); memfd_create and shmget %s; "
                                "each tmpfs sbx mounts holds at most %s\n", v,
                                l->mem_unrefused ? "are NOT refused (seccomp off): memfd and SysV shm "
                                                   "memory is unbounded"
                                                 : "are refused", v);
                        if (l->value[CG_PIDS]) {
                                char n[32];
                                value_text(CG_PIDS, l->value[CG_PIDS], n, sizeof(n));
                                sbuf_printf(f, "%s  still open: %s processes x %s each", indent, n, v);
                        } else
                                sbuf_printf(f, "%s  still open: any number of processes x %s each", indent, v);
                        sbuf_puts(f, ", files written into host tmpfs binds (/dev/shm, /run/user), pipe "
                                     "and socket buffers and other kernel memory\n");
                        break;
                case LIM_PARTIAL:
                        sbuf_printf(f, "%s: PARTLY enforced (optional): rlimit data bounds each process's private "
                                "memory; MAP_SHARED, memfd, SysV shm and tmpfs memory are not bounded (no "
                                "writable memory cgroup)\n", v);
                        break;
                default:
                        sbuf_printf(f, "%s: NOT enforced (optional; no writable %s cgroup)\n", v, cgroup_ctrl_name(c));
                        break;
                }
        }
        user_counts_format(f, l, indent);
}

int limits_describe(const struct sbx_policy *p, struct sbuf *f, const char *indent)
{
        struct limits_plan l = { 0 };
        /* A launch gives the sandbox its own user namespace when the
         * policy asks; root maps its inside uid to 65534 unless keep-root. */
        uid_t map_uid = geteuid() == 0 && p->keep_root ? 0 : 65534;
        decide(&l, p, p->ns_user, map_uid);
        /* What a launch would read and write, without touching this
         * process's limits. */
        struct plan scratch = { .clone_flags = p->ns_user ? CLONE_NEWUSER : 0 };
        memcpy(scratch.rlimits, p->rlimits, sizeof(scratch.rlimits));
        if (plan_user_counts(&scratch, p) >= 0) {
                memcpy(l.counts, scratch.limits.counts, sizeof(l.counts));
                l.ncounts = scratch.limits.ncounts;
                l.counts_shared = scratch.limits.counts_shared;
        }
        limits_format(f, &l, indent);
        char a[32], b[32];
        snprintf(b, sizeof(b), "%llu", (unsigned long long)p->limits.tmpfs_inodes);
        uint64_t ts = tmpfs_size(&l, p);
        value_text(CG_MEMORY, ts, a, sizeof(a));
        sbuf_printf(f, "%stmpfs %s, %s files each: size= and nr_inodes= of every tmpfs sbx mounts\n", indent,
                ts ? a : "unlimited (half the RAM)", p->limits.tmpfs_inodes ? b : "unlimited");
        return 0;
}

void limits_collect(const struct cgroup_sandbox *cg, const struct rusage *ru, struct sbx_process_stats *ret)
{
        struct cg_stats st;
        *ret = (struct sbx_process_stats){ .size = sizeof(*ret) };
        cgroup_stats(cg, &st);
        if (st.have_memory) {
                ret->flags |= SBX_STATS_MEMORY;
                ret->memory_peak = st.memory_peak;
        } else if (ru) {
                /* wait4 on init: the largest maxrss of init and everything
                 * it reaped (the program, orphans), in KiB. */
                ret->flags |= SBX_STATS_MEMORY_MAXRSS;
                ret->memory_peak = (uint64_t)ru->ru_maxrss * 1024;
        }
        if (st.have_processes) {
                ret->flags |= SBX_STATS_PROCESSES;
                ret->processes_peak = st.processes_peak;
        }
        if (cg) {
                ret->flags |= SBX_STATS_LIMITS;
                ret->oom_kills = st.oom_kills;
                ret->fork_refusals = st.fork_refusals;
        }
}
