/* dbus_proxy.h — starting a planned sandbox's D-Bus proxy (dbus_proxy.c). */
#pragma once

#include "plan/plan.h"

struct helper_out;

/* Starts xdg-dbus-proxy in a sandbox of its own, as the caller, and returns
 * once it listens.  What it prints goes to `out` (helper_out.h; relayed
 * escaped, since a client chooses member names it prints), or to /dev/null
 * when out is NULL, never to the caller's log fd directly: *ret is the
 * proxy's sandbox, *ret_fd our end of its --fd (closing it ends the
 * proxy).  Hand both to spawn_adopt_helper(), or
 * end them with spawn_helper_end(). */
int dbus_proxy_start(const struct plan *plan, struct helper_out *out, struct sbx_process **ret, int *ret_fd,
                     struct sbx_error **err);
/* The same for another planned proxy of the launch (the accessibility
 * bus's, plan/a11y.c): d's bus, socket, directory and command line. */
struct dbus_plan;
int dbus_proxy_start_for(const struct plan *plan, const struct dbus_plan *d, struct helper_out *out,
                         struct sbx_process **ret, int *ret_fd, struct sbx_error **err);
