/* policy.h — the policy model: what a sandbox may see and do.
 *
 * A struct sbx_policy is a plain value: profile.c fills it from INI text,
 * the sbx_policy_* setters adjust it, policy.c merges, validates and prints
 * it.  Nothing here touches the OS.  spawn.c turns a validated policy into a
 * plan and replays it in the child.
 *
 * Every list entry remembers where it came from (file and line) so that a
 * denial or a validation error can name the profile line responsible.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/resource.h>

#include "sbx.h"

/* Where a setting came from.  `file` points into the policy's interned file
 * names (policy->files) and lives as long as the policy. */
struct sbx_loc {
        const char *file;
        unsigned line;
};

/* A list of words or paths with their origins. */
struct strlist {
        char **v;
        struct sbx_loc *loc;
        size_t n, cap;
};

enum mount_kind {
        MOUNT_BIND,    /* read-write bind of a host path (noexec unless `exec`) */
        MOUNT_RO_BIND, /* read-only bind of a host path */
        MOUNT_TMPFS,   /* empty writable tmpfs (noexec unless `exec`) */
        MOUNT_DIR,     /* an empty directory in the (read-only) root */
        MOUNT_SYMLINK, /* src = link target, dst = link path */
        MOUNT_DEV,     /* bind of a host device node (/dev/dri/…) */
};

enum {
        MOUNT_F_OPTIONAL = 1 << 0, /* a missing source is skipped, with a note */
        MOUNT_F_EXEC = 1 << 1,     /* a writable mount that may hold executables */
};

struct mount_op {
        enum mount_kind kind;
        char *src; /* host path, already expanded; NULL for tmpfs/dir */
        char *dst; /* absolute path inside the sandbox, expanded */
        unsigned flags;
        struct sbx_loc loc;
};

struct mount_list {
        struct mount_op *v;
        size_t n, cap;
};

enum proc_mode { PROC_MASKED, PROC_FULL, PROC_NONE };
enum sys_mode { SYS_NONE, SYS_RO };
enum home_mode { HOME_TMPFS, HOME_NONE };
enum args_mode { ARGS_NONE, ARGS_RO, ARGS_RW };
enum cwd_bind { CWD_NONE, CWD_RO, CWD_RW, CWD_EXEC /* read-write and executable */ };
/* NET_PASTA: own namespace, outbound through pasta (lib/plan/net.c). */
enum net_mode { NET_NONE, NET_HOST, NET_PASTA };
/* What mode = pasta becomes where pasta is not installed. */
enum net_fallback { NET_FALLBACK_REFUSE, NET_FALLBACK_NONE, NET_FALLBACK_HOST };
/* [display] x11: how the sandbox reaches the X server of $DISPLAY (plan/x11.c) */
enum x11_mode { X11_NONE, X11_UNTRUSTED, X11_TRUSTED };
enum tristate { TRI_UNSET = -1, TRI_NO = 0, TRI_YES = 1 };

/* What seccomp does with a syscall the filter does not allow. */
enum deny_action {
        DENY_ERRNO, /* fail with `deny_errno` (EPERM by default) */
        DENY_KILL,  /* kill the process */
        DENY_LOG,   /* allow, but report it (learning) */
        DENY_NOTIFY /* fail with `deny_errno` and report it (supervisor) */
};

/* An argument rule: `ioctl = allow TCGETS TIOCGWINSZ`, `socket = unix inet`…
 * kept as words here; seccomp.c knows what each word means. */
struct arg_rule {
        char *syscall;
        struct strlist values;
        struct sbx_loc loc;
};

struct rlimit_rule {
        int resource; /* RLIMIT_* */
        struct rlimit lim;
        bool set;
        struct sbx_loc loc;
};

#define SBX_RLIMIT_COUNT 16

/* Limits on the whole sandbox (not one process): 0 means none.  The
 * kernel mechanism that enforces each is chosen when a sandbox starts
 * (limit.c: cgroup v2, cgroup v1, or an rlimit). */
#define SBX_DEFAULT_TMPFS_SIZE (256ULL << 20)
#define SBX_DEFAULT_TMPFS_INODES 65536ULL
#define SBX_DEFAULT_USER_SHARE 50ULL
/* [seccomp] memfd: whether memfd_create is let through. */
enum memfd_mode { MEMFD_AUTO, MEMFD_YES, MEMFD_NO };

struct sandbox_limits {
        uint64_t memory;       /* bytes of memory (anonymous, page cache, tmpfs) */
        uint64_t processes;    /* processes and threads at once, init included */
        uint64_t cpu;          /* percent of one CPU (200: two CPUs) */
        uint64_t tmpfs_size;   /* bytes, each tmpfs sbx creates */
        uint64_t tmpfs_inodes; /* files, each tmpfs sbx creates */
        uint64_t user_share;   /* percent of each per-user kernel count of the
                                * caller (/proc/sys/user/max_*) the sandbox's
                                * user namespace may take; 100: all of it */
};

/* A pinned executable: path plus its expected SHA-256 (hex, 64 chars). */
struct exec_hash {
        char *path;
        char hex[65];
        struct sbx_loc loc;
};

struct hash_list {
        struct exec_hash *v;
        size_t n, cap;
};

/* Scalar settings carry the location of the line that last set them. */
struct sbx_policy {
        /* [profile] */
        char *name;
        char *description;
        struct strlist includes; /* as written, for `sbx show` */

        /* [namespaces] */
        bool ns_user, ns_mount, ns_pid, ns_ipc, ns_uts, ns_cgroup;
        long uid, gid; /* inside ids; -1: the caller's (65534 when root) */
        bool keep_root;  /* root caller keeps host uid 0 (caps still dropped) */
        char *hostname;

        /* [filesystem] */
        struct mount_list mounts;
        enum proc_mode proc;
        enum sys_mode sys;
        enum home_mode home;
        enum args_mode args;   /* file arguments of the program made visible */
        bool args_dirs;        /* ... and directories named as arguments */
        enum cwd_bind cwd_bind;
        char *cwd;             /* NULL: the caller's cwd if visible, else "/" */

        /* [network] */
        enum net_mode net;
        enum net_fallback net_fallback;
        struct strlist tcp_bind;    /* port numbers or ranges, or "any"; empty: none */
        struct strlist tcp_connect; /* idem */
        struct strlist listen;      /* PORT, IPV4:PORT or [IPV6]:PORT bound by sbx (LISTEN_FDS) */

        /* [exec] */
        struct strlist exec_allow; /* paths, directories, globs */
        struct strlist exec_deny;
        struct hash_list exec_hashes;
        bool writable_exec;
        bool memfd_exec;

        /* [seccomp] */
        bool seccomp;              /* may only be turned off explicitly */
        struct strlist sc_allow;   /* groups (@name) and syscall names */
        struct strlist sc_deny;    /* wins over allow */
        struct strlist sc_override; /* always-denied syscalls explicitly let through */
        enum deny_action sc_action;
        int sc_errno;
        bool sc_nested;  /* program may install its own filters */
        bool sc_userns;  /* program may create user namespaces */
        bool sc_wx;      /* refuse mappings both writable and executable */
        enum memfd_mode sc_memfd; /* memfd_create: auto (refused under wx and
                                   * under a memory limit held by rlimits), yes, no */
        struct arg_rule *sc_args;
        size_t sc_nargs, sc_args_cap;

        /* [capabilities] */
        struct strlist caps_keep; /* names without CAP_, lower case */

        /* [limits] */
        struct rlimit_rule rlimits[SBX_RLIMIT_COUNT];
        struct sandbox_limits limits; /* per sandbox; limit.c picks the mechanism */
        struct strlist limits_optional; /* names of `limits` that may go unenforced */

        /* [environment] */
        struct strlist env_keep; /* names or globs passed from the caller */
        struct strlist env_set;  /* NAME=VALUE */

        /* [landlock] */
        bool landlock;           /* on by default */
        int landlock_min_abi;    /* refuse to start below this ABI */
        struct strlist landlock_optional; /* features allowed to be missing */
        struct strlist ll_readonly; /* Landlock grants only read beneath these,
                                     * even where the mount is writable */
        /* [filesystem] protect: host paths kept read-only and uncreatable
         * wherever a writable mount shows them (protect.c) */
        struct strlist protect;
        struct strlist protect_dir; /* the same, directories made when missing */
        /* [filesystem] secret: host paths (credential stores) masked
         * wherever a bind shows them from above (secrets.c) */
        struct strlist secret;
        /* [filesystem] protect-project: names of the points a writable
         * directory holds for tools run there later (.git/config, hooks…;
         * project.c) */
        struct strlist protect_project;

        /* [process] */
        bool new_session;

        /* [dbus]: names of the session bus the sandbox may reach through a
         * filtering proxy (dbus.c); all three empty: no bus at all */
        struct strlist dbus_talk; /* call and receive signals */
        struct strlist dbus_own;  /* own (and talk to) */
        struct strlist dbus_see;  /* listed, nothing more */
        struct strlist dbus_call;      /* NAME=RULE: these calls only */
        struct strlist dbus_broadcast; /* NAME=RULE: these signals only */
        struct strlist dbus_required_by; /* programs that need a bus: refused without one */

        /* [display] */
        enum x11_mode x11;
        bool a11y;

        /* Mount entries left out at load time because a ${?NAME} they use
         * is unset or empty: one line each, for `sbx show` and --verbose.
         * Not part of the policy's value (sbx show's INI has no entry). */
        struct strlist skipped;

        /* Origins of scalar keys, indexed by key id (enum key_id in
         * profile.h); used for error messages and `sbx show` comments.
         * file NULL: the built-in default. */
        struct sbx_loc scalar_loc[64];

        /* Interned file names referenced by every sbx_loc. */
        char **files;
        size_t nfiles;

        /* Notes for the user about the effective policy on this machine
         * (sbx_policy_warnings): NULL-terminated, or NULL.  Computed when
         * first asked for (they look at the host: `sbx run` never asks),
         * under a lock; any change to the policy drops them. */
        char **warnings;
        size_t nwarnings;
        bool warnings_done;
};

/* policy.c */
/* The strict defaults.  -ENOMEM leaves p initialised but incomplete:
 * call policy_done() either way. */
int policy_init(struct sbx_policy *p);
void policy_done(struct sbx_policy *p);
/* A copy of `file` that lives as long as p (NULL on ENOMEM). */
const char *policy_intern_file(struct sbx_policy *p, const char *file);
/* Same settings (list order ignored; origins, includes and warnings
 * ignored): what format → load must preserve. */
bool policy_equal(const struct sbx_policy *a, const struct sbx_policy *b);

/* Lists are sets: adding a value already present keeps the first one. */
int strlist_add(struct strlist *l, const char *s, struct sbx_loc loc);
void strlist_remove(struct strlist *l, const char *s);
bool strlist_contains(const struct strlist *l, const char *s);
/* Frees the values and leaves an empty, usable list. */
void strlist_free(struct strlist *l);
