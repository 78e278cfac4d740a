/* x11_proxy.h — starting a planned sandbox's X11 proxy (x11_proxy.c). */
#pragma once

#include "plan/plan.h"

/* Starts sbx-x11-proxy in a sandbox of its own, as the caller, hands it
 * the caller's cookie and returns once it listens (having, for an untrusted
 * display, obtained its authorization from the X server): *ret is the
 * proxy's sandbox, *ret_fd our end of its --fd (closing it ends the proxy).
 * Hand both to spawn_adopt_helper(), or end them with spawn_helper_end().
 * The proxy's refusal (no SECURITY extension, a rejected cookie) is the
 * error's message.  Returns 1, with no proxy, when the display is untrusted,
 * the server has no SECURITY extension and the sandbox has Wayland (Debian
 * 12's Xwayland has no SECURITY): the caller then drops the X display. */
struct helper_out;
int x11_proxy_start(const struct plan *plan, struct helper_out *out, struct sbx_process **ret, int *ret_fd,
                    struct sbx_error **err);
