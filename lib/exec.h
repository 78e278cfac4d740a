/* exec.h — execution prevention (M1038) in the plan: the allow-list, the
 * deny-list (denied programs are hidden from the view so that neither
 * execve nor the dynamic loader can use them), SHA-256 pinning (the file
 * hashed is the file bound into the view). Parent side only. */
#pragma once

#include "plan.h"

/* Check the program against [exec] allow/deny, verify pinned hashes, add
 * the mask and pinned-file mounts to the plan. */
int exec_prepare(const struct sbx_policy *p, struct plan *plan, struct sbx_error **err);
/* The inside paths that get Landlock EXECUTE (allow-list expanded). */
int exec_allowed_paths(const struct sbx_policy *p, const struct plan *plan, char ***ret);
