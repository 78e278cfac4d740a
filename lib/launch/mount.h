/* mount.h — the filesystem view.  Child side. */
#pragma once

#include "plan/plan.h"

/* Build the view described by plan->mounts and pivot into it.  On failure
 * *failed names the path or step.  The detached trees it opened
 * (plan->tree_fds) stay open, close-on-exec: the caller closes them. */
int mount_build_view(const struct plan *plan, const char **failed);
