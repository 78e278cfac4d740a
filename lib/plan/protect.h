/* protect.h — sbx's own state and the user's persistence points, kept out
 * of reach of every sandbox (protect.c).  Parent side. */
#pragma once

#include "plan/plan.h"

/* For every writable bind of the plan: re-bind the protected paths it shows
 * read-only (and their parents onto themselves), record the missing ones in
 * plan->protect_ll for Landlock, refuse a bind inside sbx's own state. */
int protect_plan(const struct sbx_policy *p, struct plan *plan, struct sbx_error **err);
