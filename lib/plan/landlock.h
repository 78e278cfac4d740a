/* landlock.h — the Landlock ruleset matching the sandbox view.  Prepared in
 * the parent (allocates), applied in the child (async-signal-safe). */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "profile/policy.h"

/* handled_net bits (the kernel's LANDLOCK_ACCESS_NET_*, for Linux headers
 * that predate them). */
#define LL_NET_BIND_TCP (1ULL << 0)
#define LL_NET_CONNECT_TCP (1ULL << 1)
/* scoped bits (LANDLOCK_SCOPE_*) */
#define LL_SCOPE_ABSTRACT_UNIX_SOCKET (1ULL << 0)
#define LL_SCOPE_SIGNAL (1ULL << 1)

struct landlock_rule {
        char *path;       /* inside the sandbox (after pivot_root); owned */
        uint64_t access;  /* LANDLOCK_ACCESS_FS_* */
        bool optional;    /* skip when absent or unreachable */
        bool nofollow;    /* a symlink at path is skipped, never followed */
};

struct landlock_plan {
        bool enabled;
        int abi;                 /* negotiated in the parent */
        uint64_t handled_fs;
        uint64_t handled_net;
        uint64_t scoped;
        struct landlock_rule *rules;
        size_t nrules, rules_cap;
        uint16_t *bind_ports, *connect_ports; /* when handled */
        size_t nbind, nconnect;
        /* Protections missing on this kernel that the profile marked
         * optional, for the launcher to print.  NULL-terminated or NULL. */
        char **warnings;
        size_t nwarnings;
};

struct plan;
int landlock_prepare(const struct sbx_policy *p, const struct plan *plan,
                     struct landlock_plan *ret, struct sbx_error **err);
/* The same against a given ABI version instead of the kernel's: the tests
 * use it to check what sbx does on kernels that lack a feature. */
int landlock_prepare_abi(const struct sbx_policy *p, const struct plan *plan, int abi,
                         struct landlock_plan *ret, struct sbx_error **err);
void landlock_plan_done(struct landlock_plan *lp);
/* A ruleset for a helper that runs outside any sandbox (pasta): no TCP
 * port may be bound, no abstract unix socket or signal reaches outside its
 * domain; the filesystem is not restricted (the helper mounts its own empty
 * root, which a filesystem ruleset forbids).  Only what the kernel's ABI
 * has (TCP from 4, scoping from 6).  Returns the ruleset fd for
 * landlock_restrict_self() in the helper's child, -EOPNOTSUPP on a kernel
 * without either, or -errno. */
int landlock_helper_ruleset(void);
/* Add a rule (path copied); merges with an existing rule for the path. */
int landlock_plan_add(struct landlock_plan *lp, const char *path, uint64_t access, bool optional,
                      bool nofollow);
/* Child side: returns 0 or -errno; on failure *failed names the rule path
 * (or the step).  exec_follows: an execve comes next, and the fds opened
 * here (close-on-exec) are left for it to close. */
/* Whether the plan's ruleset keeps abstract unix sockets to the sandbox's
 * own domain (ABI 6): what lets sbx learn record in the host's network. */
bool landlock_scopes_abstract_unix(const struct landlock_plan *lp);
int landlock_apply(const struct landlock_plan *lp, bool exec_follows, const char **failed);
/* Whether the ruleset scopes abstract unix sockets (ABI 6): the sandbox
 * cannot connect to one made outside it. */
bool landlock_scopes_abstract(const struct landlock_plan *lp);
/* The ABI version the kernel offers (0 when Landlock is absent). */
int landlock_abi(void);
