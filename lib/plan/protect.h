/* protect.h — sbx's own state and the user's persistence points, kept out
 * of reach of every sandbox (protect.c).  Parent side. */
#pragma once

#include "plan/plan.h"

/* For every writable bind of the plan: re-bind the protected paths it shows
 * read-only (and their parents onto themselves), record the missing ones in
 * plan->protect_ll for Landlock, refuse a bind inside sbx's own state. */
int protect_plan(const struct sbx_policy *p, struct plan *plan, struct sbx_error **err);

/* Every host path protect_plan() guards for p (sbx's own state and the
 * persistence points, with the symlinks that lead to them), canonical
 * parent, NULL-terminated, malloc'd: `sbx learn` hides them from its
 * recording sandbox and never writes a bind that shows or lies in one. */
int protect_paths(const struct sbx_policy *p, char ***ret);
