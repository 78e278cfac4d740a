/* caps.h — identity and capabilities of the sandboxed processes.  The sets
 * are computed in the parent (caps_prepare, libcap-ng); everything else
 * runs in the child between clone and execve and uses raw syscalls only. */
#pragma once

#include <stdint.h>

#include "plan/plan.h"

/* Every set, as one bit per capability number, plus the securebits the
 * child locks.  Plain data: the child reads it without allocating. */
struct caps_state {
        uint64_t effective, permitted, inheritable, bounding, ambient;
        unsigned long securebits;
        int last_cap;  /* the kernel's CAP_LAST_CAP */
};

/* Parent side: the sets that keep exactly `keep` (bit per capability) in
 * all five, computed with libcap-ng (the calling thread's libcap-ng state
 * is restored afterwards).  Returns 0 or -errno. */
int caps_prepare(uint64_t keep, struct caps_state *ret);

/* Child side.  caps_lock_identity: lock the securebits so that no uid
 * change or execve can give capabilities back, then become the inside
 * uid/gid, capabilities kept (init does this before building the view, so
 * that files it creates belong to a uid mapped in the namespace).
 * caps_apply: make the five sets exactly `cs` and verify with capget and
 * prctl.  caps_enter: both.  `held` is the bounding set the process may
 * still hold (CAPS_ALL when unknown): capabilities outside it were dropped
 * already, by a successful PR_CAPBSET_DROP of this process or of the one it
 * was forked from, and cost no call.  caps_drop_bounding: only the
 * bounding set (sbx's init, before it forks the program, for both).
 * Returns 0 or -errno; *failed names the step. */
#define CAPS_ALL (~(uint64_t)0)
int caps_lock_identity(const struct plan *plan, const struct caps_state *cs, const char **failed);
int caps_drop_bounding(const struct caps_state *cs, uint64_t held, const char **failed);
int caps_apply(const struct caps_state *cs, uint64_t held, const char **failed);
int caps_enter(const struct plan *plan, const struct caps_state *cs, uint64_t held, const char **failed);

/* For sbx_confine(): caps_enter() when the caller holds CAP_SETPCAP;
 * otherwise empties the four sets it can and checks that no_new_privs is
 * set and the uid is not 0, which makes the bounding set and securebits
 * moot (see caps.c). */
int caps_drop_self(const struct plan *plan, uint64_t keep, const char **failed);
