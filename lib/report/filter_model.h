/* filter_model.h — the seccomp part of a policy as rules in the vocabulary
 * of the OCI runtime spec (syscall names, actions, argument comparisons).
 *
 * Built from seccomp.c's own decisions, not a second reading of the
 * policy: sc_model_build() runs seccomp_compile() and translates its
 * per-syscall table (allowed, not allowed, denied, unknown, ENOSYS) and its
 * argument tables (socket families, ioctl and prctl denials, personality,
 * clone/unshare, memfd, W^X), in filter_model.c.  export.c renders the
 * model as OCI/Kubernetes JSON; analyze.c asks it what gets through.
 * Parent side; allocates. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "profile/policy.h"

/* What happens to a matching call. */
enum sc_act {
        SC_ACT_ALLOW,
        SC_ACT_NOT_ALLOWED, /* not in `allow`: the filter's default action */
        SC_ACT_DENY,        /* denied explicitly or by a fixed rule */
        SC_ACT_ENOSYS,      /* unknown to sbx's tables, or clone3 */
};

/* libseccomp's comparison operators, as the OCI spec names them. */
enum sc_op { SC_OP_NE, SC_OP_LT, SC_OP_LE, SC_OP_EQ, SC_OP_GE, SC_OP_GT, SC_OP_MASKED_EQ };

struct sc_cond {
        unsigned index;  /* argument 0…5 */
        enum sc_op op;
        uint64_t value;  /* MASKED_EQ: the mask */
        uint64_t value2; /* MASKED_EQ: the value after masking */
};

#define SC_MAX_COND 2

/* One syscall under argument conditions (all must hold). */
struct sc_rule {
        const char *name; /* owned by the model (points into `allowed`'s pool) */
        enum sc_act act;
        struct sc_cond cond[SC_MAX_COND];
        unsigned ncond;
};

struct sc_model {
        bool enabled;
        enum deny_action action;
        int err;             /* errno of errno-type denials */
        uint64_t af_allowed; /* socket families, bit per AF_* */
        /* sorted, NULL-terminated name lists, one per outcome */
        char **allowed, **not_allowed, **denied, **enosys;
        struct sc_rule *rules; /* in filter order: denials before allowances */
        size_t nrules, rules_cap;
        char **pool;           /* names the rules point to */
        char **notes;          /* what the OCI format cannot say */
        size_t nnotes;
};

/* *err (may be NULL) gets seccomp.c's error when the policy does not
 * compile. */
int sc_model_build(const struct sbx_policy *p, struct sc_model *ret, struct sbx_error **err);
/* The same model from a program seccomp_compile() already built (a
 * plan's: its supervisor flags change no decision the model records). */
struct seccomp_prog;
int sc_model_from_prog(const struct seccomp_prog *prog, struct sc_model *ret);
void sc_model_done(struct sc_model *m);
/* Can `name` succeed: allowed outright or by some argument rule (every
 * call can when seccomp is off or only logs). */
bool sc_model_allows(const struct sc_model *m, const char *name);
