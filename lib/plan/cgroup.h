/* cgroup.h — a cgroup per sandbox, in the parent: finding where the caller
 * may create one (cgroup v2 under a delegated subtree or root's sbx.slice;
 * cgroup v1 memory/pids/cpu hierarchies), creating it with the sandbox's
 * limits, moving the sandbox's init into it, reading what it measured, and
 * removing it when the sandbox has ended.  Never touched in the child. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

enum cg_ctrl { CG_MEMORY, CG_PIDS, CG_CPU, CG_NCTRL };

enum cg_version { CG_NONE = 0, CG_V1 = 1, CG_V2 = 2 };

/* Where a controller can be used by this caller: the version and the
 * directory a sandbox cgroup is created under. */
struct cg_where {
        enum cg_version version;
        char base[512];
};

/* Look for each controller once per call (reads /proc/self/cgroup and
 * /proc/self/mountinfo, checks write access).  Never creates anything. */
void cgroup_probe(struct cg_where ret[CG_NCTRL]);

/* One sandbox's cgroups: a directory per distinct hierarchy used. */
struct cgroup_sandbox {
        enum cg_version version[CG_NCTRL];
        char *dir[CG_NCTRL]; /* v2: the same directory for every controller */
};

struct cg_limits {
        uint64_t memory;    /* bytes; 0: no limit */
        uint64_t processes; /* 0: no limit */
        uint64_t cpu;       /* percent of one CPU; 0: no limit */
};

/* Create the sandbox's cgroups under `where` for each limit set in `lim`,
 * write the limits, and move `pid` into them.  On failure nothing is left
 * behind; *what names the file that failed.  ret is freed with
 * cgroup_remove(). */
int cgroup_create(const struct cg_where where[CG_NCTRL], const struct cg_limits *lim, pid_t pid,
                  struct cgroup_sandbox **ret, const char **what);

struct cg_stats {
        uint64_t memory_peak;    /* bytes; 0: unknown */
        uint64_t processes_peak; /* 0: unknown */
        uint64_t oom_kills;      /* processes the memory limit killed */
        uint64_t fork_refusals;  /* forks refused at the process limit */
        bool have_memory, have_processes;
};

void cgroup_stats(const struct cgroup_sandbox *cg, struct cg_stats *ret);

/* Kill whatever is still inside (a sandbox without a pid namespace can
 * leave processes behind), remove the directories, free.  NULL-safe. */
void cgroup_remove(struct cgroup_sandbox *cg);

const char *cgroup_ctrl_name(enum cg_ctrl c);
