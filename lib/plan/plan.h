/* plan.h — a validated policy turned into the concrete steps one sandbox
 * launch performs.  Built in the parent (plan.c: expands paths, resolves
 * the program, opens pinned files, compiles seccomp, prepares Landlock);
 * replayed in the child by spawn.c without allocating. */
#pragma once

#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "plan/landlock.h"
#include "plan/limit.h"
#include "profile/policy.h"
#include "plan/seccomp.h"

struct dbus_plan;
struct x11_plan;
struct a11y_plan;
struct net_plan;

enum plan_mount_kind {
        PM_BIND,      /* bind src (or src_fd) at dst */
        PM_TMPFS,     /* fresh tmpfs */
        PM_DIR,       /* mkdir in the root */
        PM_SYMLINK,   /* symlink src -> at dst */
        PM_PROC,      /* fresh procfs */
        PM_DEVPTS,    /* private devpts instance */
        PM_MASK,      /* hide dst: an empty read-only file or directory over it */
        PM_REBIND,    /* re-bind what the view shows at dst onto itself (read-only
                       * when `readonly`): a mount point that cannot be renamed */
};

struct plan_mount {
        enum plan_mount_kind kind;
        const char *src;   /* host path for binds, link target for symlinks */
        int src_fd;        /* >= 0: bind exactly this object (resolve.c; src is its
                            * canonical path, mount.c verifies dev/ino in the child) */
        dev_t src_dev;     /* src_fd's identity, read in the parent */
        ino_t src_ino;
        bool pinned;       /* src_fd is a file checked by hash ([exec] pin) */
        const char *dst;   /* absolute, normalised, inside the sandbox */
        bool src_is_dir;   /* decided in the parent with stat() */
        bool readonly;
        bool noexec;
        bool dev;          /* device nodes usable (no nodev): /dev binds */
        const char *data;  /* tmpfs/proc options (mode=, size=, uid=) */
        bool optional;     /* skip if the source vanished */
        bool overlay;      /* PM_BIND in sbx learn: src under a writable overlay
                            * whose writes are thrown away (read-only when the
                            * kernel cannot stack one there) */
        const struct sbx_loc *loc;
};

struct plan {
        const struct sbx_policy *policy;

        /* namespaces and identity */
        unsigned long clone_flags;
        uid_t host_uid, inside_uid;
        gid_t host_gid, inside_gid;
        uid_t map_uid;          /* host uid the inside uid maps to */
        gid_t map_gid;
        bool caller_is_root;
        bool self;         /* sbx_confine(): the caller itself, possibly multi-threaded */
        const char *hostname;

        /* filesystem view, sorted so parents come before children */
        struct plan_mount *mounts;
        size_t nmounts, cap;
        const char *home;       /* inside */
        const char *cwd;        /* inside */

        /* the program */
        const char *exec_path;  /* inside the sandbox */
        const char *host_exec_path; /* canonical */
        struct stat host_exec_st;   /* its stat() when resolved */
        bool exec_verify;           /* the child runs the program only if its name
                                     * in the view is still that object (not in
                                     * sbx learn's view, whose overlays show it
                                     * under another device) */
        char **argv;
        char **envp;

        /* fds: targets 0..2 come from stdio[], keep_fds pass through */
        int stdio[3];
        int *keep_fds;
        size_t nkeep;
        /* [network] listen (listen.c): sockets sbx bound, handed over at
         * fds 3.. ; the LISTEN_PID string in envp the program completes */
        int *listen_fds;
        size_t nlisten;
        char *listen_pid_env;

        /* process */
        bool new_session;
        enum net_mode net;      /* the network this launch gets (net.c: a fallback may apply) */
        bool loopback;
        struct rlimit_rule rlimits[SBX_RLIMIT_COUNT];
        struct limits_plan limits; /* sandbox-wide limits and their mechanisms */
        bool mdwe;              /* wx: PR_SET_MDWE in the program */
        uint64_t caps_keep;     /* bit per capability number */

        struct landlock_plan landlock;
        struct seccomp_prog seccomp;
        bool log_denials;
        int log_fd;
        unsigned spawn_flags;

        /* child scratch: one detached mount tree fd per mount entry */
        int *tree_fds;
        /* parent: host lookups memoised while the plan is built (exec.c);
         * NULL once it is */
        struct exec_fs *exec_fs;
        /* inside paths Landlock grants EXECUTE on (exec.c), NULL-terminated */
        char **exec_paths;
        /* inside paths no sandbox may create (protect.c): missing or
         * symlinked protected paths under writable binds; Landlock keeps
         * them from being created.  NULL-terminated, strings owned. */
        char **protect_ll;
        size_t nprotect_ll;
        /* for the user, NULL-terminated: warnings need action (printed on
         * every run); notes need none (optional sources skipped: printed
         * only when asked, SBX_SPAWN_VERBOSE, and by --dry-run) */
        char **warnings;
        size_t nwarnings, warnings_cap;
        char **notes;
        size_t nnotes, notes_cap;

        /* [dbus]: the proxy this launch starts (dbus.c), or NULL */
        struct dbus_plan *dbus;
        /* [display] x11: the proxy this launch starts (x11.c), or NULL */
        struct x11_plan *x11;
        /* [display] a11y: the accessibility bus's proxy (a11y.c), or NULL */
        struct a11y_plan *a11y;
        /* [network] mode = pasta: resolv.conf and pasta's command line
         * (net.c), or NULL */
        struct net_plan *pasta;

        /* every string above that the plan allocated */
        char **owned;
        size_t nowned, owned_cap;
};

int plan_build(const struct sbx_policy *p, const struct sbx_spawn_options *o,
               struct plan *ret, struct sbx_error **err);
/* The view alone (mounts, home, cwd) as plan_build() makes it, never the
 * recording one of SBX_SPAWN_LEARN, and the program's host path
 * (host_exec_path, visible or not): what sbx learn compares a recording
 * with.  Free with plan_done(). */
int plan_build_view(const struct sbx_policy *p, const struct sbx_spawn_options *o, struct plan *plan,
                    struct sbx_error **err);
/* For sbx_confine(): the calling process's own identity, its policy binds
 * as host paths (for Landlock), capabilities and the seccomp program. */
int plan_build_self(const struct sbx_policy *p, struct plan *plan, struct sbx_error **err);
void plan_done(struct plan *plan);

/* sbx learn's view (learn_view.c): the host's top-level directories as
 * throw-away overlays, sbx's state and the persistence points hidden. */
int learn_view(const struct sbx_policy *p, struct plan *plan);

/* Helpers for the modules that add to a plan (exec.c, landlock.c). */
int plan_add_mount(struct plan *plan, const struct plan_mount *m);
int plan_warn(struct plan *plan, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int plan_note(struct plan *plan, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Set NAME=VALUE in the program's environment (replacing NAME's value);
 * takes the malloc'd assignment, also on failure. */
int plan_setenv(struct plan *plan, char *assignment);
/* Remove NAME from the program's environment. */
void plan_unsetenv(struct plan *plan, const char *name);
/* Keep a malloc'd string alive as long as the plan; returns it. */
char *plan_own(struct plan *plan, char *s);
/* The host path visible at `inside` through the plan's binds, or NULL when
 * nothing host-backed is there.  *ret malloc'd. */
int plan_host_path(const struct plan *plan, const char *inside, char **ret);
/* The mount that covers `inside` (deepest match), or NULL. */
const struct plan_mount *plan_mount_covering(const struct plan *plan, const char *inside);
