/* limit.c — [limits] memory, processes and cpu-share for the whole
 * sandbox, and the size of each tmpfs sbx creates (see limit.h).
 *
 * Mechanism per limit, best first:
 *   cgroup (v2 memory.max/pids.max/cpu.max, v1 memory.limit_in_bytes and
 *     memsw, pids.max, cfs quota): one budget for every process of the
 *     sandbox, page cache and tmpfs pages included; the kernel kills at the
 *     memory limit (OOM inside the cgroup) and refuses fork at the process
 *     limit (EAGAIN);
 *   rlimit: memory → RLIMIT_DATA (heap and private writable mappings, per
 *     process: a sandbox of N processes may use N times it; RLIMIT_AS would
 *     also count the reservations JITs and sanitizers make and break them);
 *     processes → RLIMIT_NPROC, which since Linux 5.14 counts the
 *     processes of one uid per user namespace, i.e. this sandbox's (not
 *     when the inside uid is host root: the kernel exempts it);
 *   none for cpu-share (RLIMIT_CPU bounds total seconds, not a share).
 * A limit without a mechanism fails the launch unless [limits] optional
 * names it. */
#include <errno.h>
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
                else if (c == CG_MEMORY || (c == CG_PIDS && nproc_counts_sandbox(userns, map_uid)))
                        l->mech[c] = LIM_RLIMIT;
                else
                        l->mech[c] = LIM_UNENFORCED;
        }
        l->cg.memory = l->mech[CG_MEMORY] == LIM_CGROUP ? l->value[CG_MEMORY] : 0;
        l->cg.processes = l->mech[CG_PIDS] == LIM_CGROUP ? l->value[CG_PIDS] : 0;
        l->cg.cpu = l->mech[CG_CPU] == LIM_CGROUP ? l->value[CG_CPU] : 0;
}

/* size= and nr_inodes= on every tmpfs the plan mounts that has none yet. */
static int size_tmpfs(struct plan *plan, const struct sbx_policy *p)
{
        for (size_t i = 0; i < plan->nmounts; i++) {
                struct plan_mount *m = &plan->mounts[i];
                if (m->kind != PM_TMPFS || (m->data && strstr(m->data, "size=")))
                        continue;
                char *data = NULL;
                char size[40] = "", inodes[40] = "";
                if (p->limits.tmpfs_size)
                        snprintf(size, sizeof(size), ",size=%llu", (unsigned long long)p->limits.tmpfs_size);
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

int limits_plan_build(struct plan *plan, const struct sbx_policy *p, struct sbx_error **err)
{
        struct limits_plan *l = &plan->limits;
        int r;
        *l = (struct limits_plan){ 0 };
        if ((r = size_tmpfs(plan, p)) < 0)
                return r;
        decide(l, p, plan->self ? false : (plan->clone_flags & CLONE_NEWUSER) != 0, plan->map_uid);
        for (int c = 0; c < CG_NCTRL; c++) {
                if (l->mech[c] == LIM_RLIMIT)
                        cap_rlimit(plan->rlimits, c == CG_MEMORY ? RLIMIT_DATA : RLIMIT_NPROC, l->value[c]);
                if (l->mech[c] != LIM_UNENFORCED)
                        continue;
                struct sbx_loc loc = p->scalar_loc[limit_key_ids[c]];
                const char *why = c == CG_CPU ? "no rlimit can bound a CPU share"
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
                        sbuf_printf(f, "%s: %s\n", v,
                                c == CG_MEMORY ? "rlimit data, per process (no writable memory cgroup)"
                                               : "rlimit nproc, counted in the sandbox's user namespace "
                                                 "(no writable pids cgroup)");
                        break;
                default:
                        sbuf_printf(f, "%s: NOT enforced (optional; no writable %s cgroup)\n", v, cgroup_ctrl_name(c));
                        break;
                }
        }
}

int limits_describe(const struct sbx_policy *p, struct sbuf *f, const char *indent)
{
        struct limits_plan l = { 0 };
        /* A launch gives the sandbox its own user namespace when the
         * policy asks; root maps its inside uid to 65534 unless keep-root. */
        uid_t map_uid = geteuid() == 0 && p->keep_root ? 0 : 65534;
        decide(&l, p, p->ns_user, map_uid);
        limits_format(f, &l, indent);
        char a[32], b[32];
        value_text(CG_MEMORY, p->limits.tmpfs_size, a, sizeof(a));
        snprintf(b, sizeof(b), "%llu", (unsigned long long)p->limits.tmpfs_inodes);
        sbuf_printf(f, "%stmpfs %s, %s files each: size= and nr_inodes= of every tmpfs sbx mounts\n", indent,
                p->limits.tmpfs_size ? a : "unlimited (half the RAM)", p->limits.tmpfs_inodes ? b : "unlimited");
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
