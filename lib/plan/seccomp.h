/* seccomp.h — turning a policy into a BPF program (parent side, may
 * allocate) and loading it (child side, async-signal-safe). */
#pragma once

#include <linux/filter.h>
#include <stdbool.h>
#include <stdint.h>

#include "profile/policy.h"

/* What the filter does with one native syscall number (prog->kind[nr]).
 * The supervisor re-derives argument-dependent decisions from the same
 * tables, so that it answers exactly as the filter decided. */
enum sc_kind {
        SC_K_UNKNOWN = 0, /* not in sbx's tables: ENOSYS, so libc falls back */
        SC_K_ALLOW,       /* allowed, possibly subject to argument rules */
        SC_K_NOT_ALLOWED, /* not in `allow`: the profile's action */
        SC_K_DENY,        /* denied explicitly, always denied, or nested = no */
        SC_K_ENOSYS,      /* clone3: ENOSYS so that libc uses clone() */
};

/* Why an argument rule refused a call (prog->arg_reason[]). */
enum sc_arg_reason {
        SC_R_IOCTL_ALWAYS,
        SC_R_IOCTL_PROFILE,
        SC_R_SOCKET,
        SC_R_USERNS,
        SC_R_MEMFD_EXEC,
        SC_R_MEMFD_NOSEAL,
        SC_R_PERSONALITY,
        SC_R_PRCTL_SECCOMP,
        SC_R_PRCTL,
        SC_R_WX,
        SC_R_COUNT,
};

#define SC_MAX_IOCTL_DENY 64
#define SC_MAX_PRCTL_DENY 8

struct seccomp_prog {
        struct sock_filter *insns; /* malloc'd */
        unsigned short len;
        bool needs_listener;       /* some action is SECCOMP_RET_USER_NOTIF */
        /* For the supervisor: why each syscall number is denied, pre-rendered
         * in the parent so that the child never allocates.  Indexed by
         * native syscall number; NULL entries are allowed syscalls. */
        const char **deny_reason;
        const char **names;
        size_t nr_max;             /* size of the per-nr tables */

        /* ---- what the supervisor needs to answer like the filter ---- */
        uint8_t *kind;             /* enum sc_kind, per nr */
        const char *arg_reason[SC_R_COUNT];
        enum deny_action action;   /* the profile's action */
        int deny_errno;            /* errno for denials (positive) */
        const char *errno_name;    /* "EPERM" */
        bool supervised;           /* memfd_create is rewritten by the supervisor */
        /* SC_OBS_*: allowed calls the filter still hands to the supervisor,
         * which lets them run and tells what another layer will refuse
         * (refusal.c); own_exec: the path pointer of sbx's own execve of
         * the program, which is not handed over. */
        unsigned observe;
        uint64_t own_exec;
        /* The command-line override that allows a denied call, per nr and
         * per argument reason; NULL or "" where none exists. */
        const char **override;
        const char *arg_override[SC_R_COUNT];
        bool report;               /* denials arrive as notifications to report */
        bool userns, nested, wx, memfd_exec;
        bool learn;                /* sbx learn: path, exec and network calls
                                    * are notified, recorded and continued */
        uint64_t af_allowed;       /* bit per socket address family */
        uint32_t ioctl_deny[SC_MAX_IOCTL_DENY];
        bool ioctl_always[SC_MAX_IOCTL_DENY]; /* TIOCSTI/TIOCLINUX vs profile */
        unsigned n_ioctl_deny;
        uint32_t prctl_deny[SC_MAX_PRCTL_DENY];
        unsigned n_prctl_deny;
        /* SECCOMP_GET_NOTIF_SIZES, read in the parent */
        unsigned short notif_size, resp_size;

        /* ---- measurements ---- */
        uint64_t build_ns;         /* time seccomp_compile() took */

        /* every string the tables point to */
        char **owned;
        size_t nowned, owned_cap;
};

enum {
        SC_LOG_DENIALS = 1 << 0, /* denials become user notifications the
                                  * supervisor reports (and answers as the
                                  * profile's action would) */
        SC_SUPERVISED = 1 << 1,  /* a supervisor (the sandbox's pid 1) reads
                                  * the listener: memfd_create can be
                                  * rewritten to a non-executable memfd */
        SC_SELF = 1 << 2,        /* for sbx_confine(): the calling process */
        SC_MEM_RLIMIT = 1 << 3,  /* [limits] memory is held by rlimits alone
                                  * (limit.c): memory no rlimit bounds is
                                  * refused (memfd_create, shmget) */
        SC_LEARN = 1 << 4,       /* sbx learn: the calls learn.c needs to see
                                  * become notifications the supervisor
                                  * records and lets continue; everything
                                  * merely not allowed is recorded and let
                                  * through (action log) */
};

/* Whether sbx learn records calls of this number (paths, exec, network). */
bool seccomp_learn_syscall(int nr);
/* Whether the filter notifies this allowed call for sbx learn to record
 * (the filter's learn rules in C, for the model test). */
struct seccomp_prog;
bool seccomp_learn_notified(const struct seccomp_prog *prog, int nr, const uint64_t args[6]);
/* What a supervised filter hands to the supervisor besides denials, so
 * that refusals by Landlock and the mounts (which no process but the
 * refused one sees) can be told: rare calls only, never plain reads. */
enum {
        SC_OBS_EXEC = 1 << 0,  /* execve, execveat */
        SC_OBS_NET = 1 << 1,   /* bind, connect */
        SC_OBS_WRITE = 1 << 2, /* opens for writing or creating, mkdir, unlink, rename, ... */
        SC_OBS_READ = 1 << 3,  /* every open, stat and access of a path (not of an fd) */
};
struct seccomp_observe {
        unsigned what;     /* SC_OBS_* */
        uint64_t own_exec; /* sbx's execve path pointer (not observed) */
};

/* Is this allowed call handed to the supervisor to be observed?  The
 * filter's rule in C (the supervisor and the model test use it). */
bool seccomp_observed(const struct seccomp_prog *prog, int nr, const uint64_t args[6]);

/* What wx = yes refuses of mmap, mprotect, pkey_mprotect and shmat with
 * these arguments (the filter's rules, for the supervisor's reasons). */
bool seccomp_wx_denied(int nr, const uint64_t args[6]);

/* Build the filter for p.  Always from the policy: no compiled filter is
 * ever read back from disk (a sandbox could have written it). */
int seccomp_compile(const struct sbx_policy *p, unsigned flags, struct seccomp_prog *ret,
                    struct sbx_error **err);
/* The same, with calls to observe (only when supervised). */
int seccomp_compile_observing(const struct sbx_policy *p, unsigned flags, const struct seccomp_observe *obs,
                              struct seccomp_prog *ret, struct sbx_error **err);
void seccomp_prog_done(struct seccomp_prog *prog);

/* Child side.  Loads the program with seccomp(2).  Returns the listener fd
 * (>= 0) when prog->needs_listener, 0 otherwise, or -errno.  `tsync`
 * synchronises all threads (sbx_confine).
 * libseccomp exports a seccomp_load() of its own, so the symbol is
 * seccomp_prog_load.  The old name stays usable as a macro in files that do
 * not include libseccomp (<seccomp.h>); files that do must include it first
 * and call seccomp_prog_load. */
int seccomp_prog_load(const struct seccomp_prog *prog, bool tsync);
#ifndef _SECCOMP_H /* libseccomp's include guard */
#define seccomp_load seccomp_prog_load
#endif

