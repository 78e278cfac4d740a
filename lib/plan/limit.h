/* limit.h — the sandbox-wide limits of [limits] (memory, processes,
 * cpu-share) and the size of every tmpfs sbx creates, turned into kernel
 * mechanisms: a cgroup (cgroup.c) where this caller can create one, else an
 * rlimit where one can stand in, else an error (or a note, for a limit the
 * profile marks optional).  Decided when the plan is built, so that
 * `--dry-run` and `sbx analyze` name the mechanism that will be used. */
#pragma once

#include <stdio.h>

#include "plan/cgroup.h"

struct plan;
struct sbx_policy;
struct sbx_error;

enum lim_mech {
        LIM_UNSET = 0,   /* the profile sets no such limit */
        LIM_CGROUP,      /* where[c] says which version */
        LIM_RLIMIT,      /* rlimit data (memory) or nproc (processes) */
        LIM_UNENFORCED,  /* optional, and nothing here can enforce it */
        LIM_PARTIAL,     /* memory, optional: rlimit data only (private memory) */
};

/* The per-user kernel counts a user namespace keeps its own limit of
 * (/proc/sys/user/max_*), and the rlimits counted per user the same way
 * (ucounts: each level of user namespace charges the namespace's creator,
 * so a sandbox spends its caller's quota). */
#define LIM_USER_COUNTS 12
struct user_count {
        const char *path;   /* /proc/sys/user/max_... */
        char value[24];     /* the sandbox's share, as written */
};

struct limits_plan {
        struct cg_where where[CG_NCTRL];
        struct cg_limits cg;          /* the limits handed to cgroups */
        enum lim_mech mech[CG_NCTRL];
        uint64_t value[CG_NCTRL];     /* as the profile asked */
        struct user_count counts[LIM_USER_COUNTS]; /* written by init */
        size_t ncounts;
        bool counts_shared;           /* no user namespace: the caller's counts */
        bool mem_unrefused;           /* rlimits, but no filter refuses memfd/shmget */
};

/* Decide the mechanisms, add the rlimits that stand in for a missing
 * cgroup, size the plan's tmpfs mounts.  Fails when a limit the profile
 * did not mark optional has no mechanism. */
int limits_plan_build(struct plan *plan, const struct sbx_policy *p, struct sbx_error **err);

/* The memory limit is held by the rlimit set: the filter must refuse
 * memfd_create and shmget (seccomp SC_MEM_RLIMIT). */
bool limits_memory_by_rlimits(const struct limits_plan *l);

/* Child (init, async-signal-safe), while it holds its capabilities in its
 * own user namespace: lower that namespace's /proc/sys/user limits to the
 * sandbox's share.  0, or -errno with *failed the file. */
int limits_apply_user_counts(const struct limits_plan *l, const char **failed);

/* Parent, after clone and before the sandbox is woken: create its cgroup
 * and move init into it.  *ret stays NULL when no cgroup is used. */
int limits_attach(const struct plan *plan, pid_t pid, struct cgroup_sandbox **ret,
                  struct sbx_error **err);

/* Parent, once the sandbox is reaped: what its cgroup measured (or, with
 * no cgroup, the largest process's maxrss from wait4). */
struct rusage;
struct sbx_process_stats;
void limits_collect(const struct cgroup_sandbox *cg, const struct rusage *ru, struct sbx_process_stats *ret);

/* One line per limit: value and mechanism ("memory 512M: cgroup v1 memory
 * (memory.limit_in_bytes, memsw)"); for --dry-run and sbx analyze. */
struct sbuf;
void limits_format(struct sbuf *f, const struct limits_plan *l, const char *indent);
/* Same, from a policy alone (probes this machine the way a launch would
 * for the calling user). */
int limits_describe(const struct sbx_policy *p, struct sbuf *f, const char *indent);
