/* a11y.h — [display] a11y: the accessibility bus (AT-SPI) through a
 * filtering proxy: what a plan needs for it (a11y.c); launch/a11y_proxy.c
 * starts the proxy. */
#pragma once

#include <stdbool.h>

#include "profile/policy.h"

struct plan;
struct sbx_error;

struct a11y_plan {
        char *session;  /* the session bus socket (host path), asked for the a11y bus */
        char *exe;      /* xdg-dbus-proxy */
        char *dir;      /* private directory (0700) for the proxy's socket */
        char *sock;     /* dir + "/bus": bound at the inside path */
};

bool a11y_wanted(const struct sbx_policy *p);
/* For a policy with [display] a11y = yes: plan the proxy's socket, bind it
 * inside and point AT_SPI_BUS_ADDRESS at it.  No session bus, or a sandbox
 * uid the bus would refuse: NO_AT_BRIDGE=1 instead (toolkits then do not
 * look for the bus), with a note. */
int a11y_plan(const struct sbx_policy *p, struct plan *plan, struct sbx_error **err);
/* No accessibility bus after all (none answers on the session bus): the
 * sandbox gets NO_AT_BRIDGE=1 and the optional bind finds nothing. */
void a11y_plan_drop(struct plan *plan);
void a11y_plan_done(struct a11y_plan *a);
