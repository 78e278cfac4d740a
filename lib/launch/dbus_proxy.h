/* dbus_proxy.h — starting a planned sandbox's D-Bus proxy (dbus_proxy.c). */
#pragma once

#include "plan/plan.h"

/* Starts xdg-dbus-proxy in a sandbox of its own, as the caller, and returns
 * once it listens: *ret is the proxy's sandbox, *ret_fd our end of its
 * --fd (closing it ends the proxy).  Hand both to spawn_adopt_helper(), or
 * end them with spawn_helper_end(). */
int dbus_proxy_start(const struct plan *plan, struct sbx_process **ret, int *ret_fd,
                     struct sbx_error **err);
/* The same for another planned proxy of the launch (the accessibility
 * bus's, plan/a11y.c): d's bus, socket, directory and command line. */
struct dbus_plan;
int dbus_proxy_start_for(const struct plan *plan, const struct dbus_plan *d, struct sbx_process **ret,
                         int *ret_fd, struct sbx_error **err);
