/* net.h — [network] mode = pasta: the plan's part (net.c); the helper is
 * started by launch/netstack.c. */
#pragma once

#include "plan/plan.h"

/* The address the sandbox's /etc/resolv.conf names: pasta forwards UDP
 * queries sent there to the host's resolver (--dns-forward). */
#define NET_DNS_FORWARDER "169.254.1.1"

/* What one launch needs for its pasta, decided while the plan is built. */
struct net_plan {
        char *dir;    /* private directory (0711) holding resolv.conf */
        char *resolv; /* dir + "/resolv.conf": bound at /etc/resolv.conf */
        char **argv;  /* pasta's command line; fds 3, 4, 5 as netstack.c sets them */
};

/* The network the launch gets: the policy's mode, or for mode = pasta on
 * a machine where pasta cannot run, the profile's fallback (with a
 * warning) or a refusal that names the package and the override.  Sets
 * plan->net.  Call before the namespaces are decided. */
int net_decide(const struct sbx_policy *p, struct plan *plan, struct sbx_error **err);
/* For plan->net == NET_PASTA: the private resolv.conf bound read-only at
 * /etc/resolv.conf (in place of any bind the profile has there) and
 * pasta's command line (plan->pasta). */
int net_plan(const struct sbx_policy *p, struct plan *plan, struct sbx_error **err);
/* Removes resolv.conf and its directory (a running sandbox keeps its bind). */
void net_plan_done(struct net_plan *n);
