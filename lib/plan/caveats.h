/* caveats.h — refusals the program cannot see as such, said before the
 * launch as plan warnings: a root caller's sandbox that cannot write what
 * is bound writable, capabilities kept that cannot work in namespaces
 * shared with the host.  Parent side. */
#pragma once

#include "plan/plan.h"

/* Add the warnings (after the view and the identity are planned). */
int caveats_plan(const struct sbx_policy *p, struct plan *plan);
