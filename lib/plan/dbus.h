/* dbus.h — [dbus]: the session bus through a filtering proxy: what a plan
 * needs for it (dbus.c); launch/dbus_proxy.c starts the proxy. */
#pragma once

#include <sys/types.h>

#include "profile/policy.h"

struct plan;
struct sbx_error;

/* What one launch needs for its proxy, decided while the plan is built. */
struct dbus_plan {
        char *bus;     /* the real bus socket (host path) */
        char *address; /* "unix:path=" + bus */
        char *dir;     /* private directory (0700) for the proxy's socket */
        char *sock;    /* dir + "/bus": bound inside in place of the bus */
        char **argv;   /* xdg-dbus-proxy's command line, NULL-terminated */
};

bool dbus_wanted(const struct sbx_policy *p);
/* The host path of the session bus: the first unix:path= address of
 * $DBUS_SESSION_BUS_ADDRESS, else $XDG_RUNTIME_DIR/bus; NULL when there is
 * none (*unsupported set when the variable names only other transports).
 * Malloc'd. */
char *dbus_session_bus(const char **unsupported);
/* xdg-dbus-proxy's path ($SBX_DBUS_PROXY, else the usual places), or NULL. */
const char *dbus_proxy_exe(void);
/* For a policy with [dbus] names: find the real bus, make the socket
 * directory, bind the socket-to-be inside and point
 * DBUS_SESSION_BUS_ADDRESS at it (plan->dbus).  Fails when xdg-dbus-proxy
 * is missing or the profile binds the real bus.  No session bus, or one
 * that would refuse the sandbox's uid: a note, and the sandbox gets none. */
int dbus_plan(const struct sbx_policy *p, struct plan *plan, struct sbx_error **err);
/* Removes the socket and its directory (a running sandbox keeps its bind). */
void dbus_plan_done(struct dbus_plan *d);
