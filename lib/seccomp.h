/* seccomp.h — turning a policy into a BPF program (parent side, may
 * allocate) and loading it (child side, async-signal-safe). */
#pragma once

#include <linux/filter.h>
#include <stdbool.h>

#include "policy.h"

struct seccomp_prog {
        struct sock_filter *insns; /* malloc'd */
        unsigned short len;
        bool needs_listener;       /* some action is SECCOMP_RET_USER_NOTIF */
        /* For the supervisor: why each syscall number is denied, pre-rendered
         * in the parent so that the child never allocates.  Indexed by
         * native syscall number; NULL entries are allowed syscalls. */
        const char **deny_reason;
        const char **names;
        size_t nr_max;
};

enum {
        SC_LOG_DENIALS = 1 << 0, /* denials become user notifications the
                                  * supervisor reports (and answers as the
                                  * profile's action would) */
        SC_SUPERVISED = 1 << 1,  /* a supervisor (the sandbox's pid 1) reads
                                  * the listener: memfd_create can be
                                  * rewritten to a non-executable memfd */
        SC_SELF = 1 << 2,        /* for sbx_confine(): the calling process */
};

/* Build (or fetch from the cache) the filter for p. */
int seccomp_compile(const struct sbx_policy *p, unsigned flags, struct seccomp_prog *ret,
                    struct sbx_error **err);
void seccomp_prog_done(struct seccomp_prog *prog);

/* Child side.  Loads the program with seccomp(2).  Returns the listener fd
 * (>= 0) when prog->needs_listener, 0 otherwise, or -errno.  `tsync`
 * synchronises all threads (sbx_confine). */
int seccomp_load(const struct seccomp_prog *prog, bool tsync);
