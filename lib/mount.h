/* mount.h — the filesystem view.  Child side. */
#pragma once

#include "plan.h"

/* Build the view described by plan->mounts and pivot into it.  On failure
 * *failed names the path or step. */
int mount_build_view(const struct plan *plan, const char **failed);
