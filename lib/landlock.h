/* landlock.h — the Landlock ruleset matching the sandbox view.  Prepared in
 * the parent (allocates), applied in the child (async-signal-safe). */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "policy.h"

struct landlock_rule {
        const char *path; /* inside the sandbox (after pivot_root) */
        uint64_t access;  /* LANDLOCK_ACCESS_FS_* */
        bool optional;    /* skip when absent */
};

struct landlock_plan {
        bool enabled;
        int abi;                 /* negotiated in the parent */
        uint64_t handled_fs;
        uint64_t handled_net;
        uint64_t scoped;
        struct landlock_rule *rules;
        size_t nrules;
        uint16_t *bind_ports, *connect_ports; /* when handled */
        size_t nbind, nconnect;
};

struct plan;
int landlock_prepare(const struct sbx_policy *p, const struct plan *plan,
                     struct landlock_plan *ret, struct sbx_error **err);
void landlock_plan_done(struct landlock_plan *lp);
/* Child side: returns 0 or -errno; on failure *failed names the rule path. */
int landlock_apply(const struct landlock_plan *lp, const char **failed);
/* The ABI version the kernel offers (0 when Landlock is absent). */
int landlock_abi(void);
