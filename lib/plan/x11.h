/* x11.h — [display] x11: the X server of $DISPLAY through sbx's proxy: what
 * a plan needs for it (x11.c); launch/x11_proxy.c starts the proxy. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "profile/policy.h"

struct plan;
struct sbx_error;

/* What one launch needs for its proxy, decided while the plan is built. */
struct x11_plan {
        bool untrusted;
        char *exe;         /* the proxy program (sbx-x11-proxy) */
        char *server;      /* the real server's path socket, /tmp/.X11-unix/XN */
        char *dir;         /* private directory (0700) for the proxy's socket */
        char *sock;        /* dir + "/X": bound at /tmp/.X11-unix/X<inside> */
        char *auth_line;   /* "NAME HEX\n" of the caller's cookie, or "\n" */
        int display;       /* N of the caller's DISPLAY */
        int inside;        /* the display number the sandbox sees */
        bool wayland;      /* the sandbox has a Wayland display too (wayland.inc) */
};

bool x11_wanted(const struct sbx_policy *p);
/* For a policy with [display] x11: find the caller's local X display and
 * its cookie, pick the display number the sandbox sees, make the socket
 * directory, bind the socket-to-be inside and set DISPLAY (XAUTHORITY is
 * dropped: the proxy authenticates).  No DISPLAY, or one that is not a
 * local server: a warning, and the sandbox gets no X display.  Fails when
 * a bind would show the real socket, or the proxy program is missing. */
int x11_plan(const struct sbx_policy *p, struct plan *plan, struct sbx_error **err);
/* After Landlock is planned: an untrusted display in the host's network
 * namespace needs Landlock's abstract-socket scope, or the sandbox could
 * connect to the server's abstract socket past the proxy. */
int x11_plan_check(const struct sbx_policy *p, const struct plan *plan, struct sbx_error **err);
/* The X display taken out again (DISPLAY unset; the socket's bind is
 * optional and finds nothing): for an untrusted display whose server has
 * no SECURITY extension when the sandbox has Wayland. */
void x11_plan_drop(struct plan *plan);
/* Removes the socket and its directory (a running sandbox keeps its bind). */
void x11_plan_done(struct x11_plan *x);
