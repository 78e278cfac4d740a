/* ns.h — namespaces: identity maps (parent side) and the network bits of a
 * new namespace (child side). */
#pragma once

#include <sys/types.h>

#include "plan/plan.h"

/* Parent side: write setgroups/uid_map/gid_map for pid. */
int ns_write_maps(const struct plan *plan, pid_t pid, const char **failed);
/* Child side: bring up loopback in a new network namespace. */
int ns_loopback_up(void);
/* Child side: become the inside uid/gid (and drop supplementary groups). */
int ns_set_identity(const struct plan *plan);
