/* netstack.h — pasta for a sandbox with [network] mode = pasta (netstack.c). */
#pragma once

#include <sys/types.h>

#include "plan/plan.h"

/* A running pasta, owned by the sandbox's struct sbx_process. */
struct netstack;

/* Starts pasta for the sandbox whose init is `init` (our child, still
 * dumpable: its namespaces are opened here, before it locks itself), and
 * returns without waiting for it. */
int netstack_start(const struct plan *plan, pid_t init, struct netstack **ret, struct sbx_error **err);
/* Waits until pasta has configured the sandbox's interface (or failed:
 * then the error carries pasta's own words, escaped). */
int netstack_wait(struct netstack *ns, struct sbx_error **err);
/* Kills and reaps pasta.  NULL-safe. */
void netstack_stop(struct netstack *ns);
