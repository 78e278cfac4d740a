/* caps.h — identity and capabilities of the sandboxed processes.  Child
 * side. */
#pragma once

#include <stdint.h>

#include "plan.h"

/* Lock the securebits so that no uid change or execve can give
 * capabilities back, become the inside uid/gid, then drop every capability
 * not in `keep` from all five sets and verify the result.  Returns 0 or
 * -errno; *failed names the step. */
/* Only the first part: securebits locked and the inside identity taken,
 * capabilities kept (init does this before building the view, so that
 * files it creates belong to a uid mapped in the namespace). */
int caps_lock_identity(const struct plan *plan, uint64_t keep, const char **failed);
int caps_enter(const struct plan *plan, uint64_t keep, const char **failed);
/* For sbx_confine(): caps_enter() when the caller holds CAP_SETPCAP;
 * otherwise empties the four sets it can and checks that no_new_privs is
 * set and the uid is not 0, which makes the bounding set and securebits
 * moot (see caps.c). */
int caps_drop_self(const struct plan *plan, uint64_t keep, const char **failed);
