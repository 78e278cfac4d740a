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
};

struct limits_plan {
        struct cg_where where[CG_NCTRL];
        struct cg_limits cg;          /* the limits handed to cgroups */
        enum lim_mech mech[CG_NCTRL];
        uint64_t value[CG_NCTRL];     /* as the profile asked */
};

/* Decide the mechanisms, add the rlimits that stand in for a missing
 * cgroup, size the plan's tmpfs mounts.  Fails when a limit the profile
 * did not mark optional has no mechanism. */
int limits_plan_build(struct plan *plan, const struct sbx_policy *p, struct sbx_error **err);

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
