/* a11y_proxy.h — starting a planned sandbox's accessibility-bus proxy
 * (a11y_proxy.c). */
#pragma once

#include "plan/plan.h"

/* Asks the session bus for the accessibility bus (org.a11y.Bus.GetAddress,
 * which starts it when needed) and starts xdg-dbus-proxy for it with the
 * accessibility filter, in a sandbox of its own.  *ret and *ret_fd as for
 * dbus_proxy_start().  Returns 1, with no proxy, when there is no
 * accessibility bus to reach (nothing answers, or it is not a unix:path=
 * address): the caller then drops it (a11y_plan_drop). */
struct helper_out;
int a11y_proxy_start(const struct plan *plan, struct helper_out *out, struct sbx_process **ret, int *ret_fd,
                     struct sbx_error **err);
