/* start.c — sbx_spawn(): the public way to start a sandbox.  Builds the
 * plan, prints its warnings, starts the helpers the plan asks for (the
 * D-Bus proxy, the X11 proxy, the accessibility bus's proxy) and hands them to the sandbox that spawn_plan() starts,
 * which ends them when it is reaped.  This is the only file that starts
 * both helpers and sandboxes, so a helper (itself started through
 * spawn_helper()) never reaches back here. */
#include <stdio.h>

#include "base/util.h"
#include "launch/dbus_proxy.h"
#include "launch/helper_out.h"
#include "launch/spawn.h"
#include "launch/x11_proxy.h"
#include "plan/x11.h"
#include "plan/a11y.h"
#include "launch/a11y_proxy.h"
#include "plan/plan.h"

SBX_EXPORT int sbx_spawn(const struct sbx_policy *p, const struct sbx_spawn_options *o,
                         struct sbx_process **ret, struct sbx_error **err)
{
        struct plan plan;
        int r = plan_build(p, o, &plan, err);
        if (r >= 0 && o->log_fd >= 0) {
                for (char **w = plan.warnings; w && *w; w++)
                        dprintf(o->log_fd, "sbx: warning: %s\n", *w);
                for (char **w = plan.notes; (o->flags & SBX_SPAWN_VERBOSE) && w && *w; w++)
                        dprintf(o->log_fd, "sbx: note: %s\n", *w);
        }
        struct sbx_process *dbus = NULL;
        int dbus_fd = -1;
        /* What the proxy prints reaches the caller only through the
         * sandbox's relay (so only with a log fd), escaped. */
        struct helper_out dbus_out = { .fd = -1 };
        if (r >= 0 && plan.dbus)
                r = dbus_proxy_start(&plan, o->log_fd >= 0 ? &dbus_out : NULL, &dbus, &dbus_fd, err);
        struct sbx_process *x11 = NULL;
        int x11_fd = -1;
        struct helper_out x11_out = { .fd = -1 };
        if (r >= 0 && plan.x11 &&
            (r = x11_proxy_start(&plan, o->log_fd >= 0 ? &x11_out : NULL, &x11, &x11_fd, err)) == 1) {
                /* Wayland is there: the program gets that and no X. */
                x11_plan_drop(&plan);
                if (o->log_fd >= 0)
                        dprintf(o->log_fd, "sbx: warning: [display] x11: the X server of DISPLAY=:%d has no "
                                           "SECURITY extension (Debian 12's Xwayland): the sandbox gets Wayland "
                                           "only; for X11 with full access to other windows: --set "
                                           "display.x11=trusted\n", plan.x11->display);
                r = 0;
        }
        struct sbx_process *a11y = NULL;
        int a11y_fd = -1;
        struct helper_out a11y_out = { .fd = -1 };
        /* No accessibility bus answers: toolkits are told not to look. */
        if (r >= 0 && plan.a11y &&
            (r = a11y_proxy_start(&plan, o->log_fd >= 0 ? &a11y_out : NULL, &a11y, &a11y_fd, err)) == 1) {
                a11y_plan_drop(&plan);
                r = 0;
        }
        struct sbx_process *proc = NULL;
        if (r >= 0)
                r = spawn_plan(&plan, &proc, err);
        if (r >= 0 && dbus && (r = spawn_adopt_helper(proc, dbus, dbus_fd)) >= 0) {
                dbus = NULL;
                dbus_fd = -1;
        }
        if (r >= 0 && dbus_out.fd >= 0 && (r = spawn_adopt_output(proc, &dbus_out)) < 0)
                sbx_err_setup(err, r, "dbus", "relaying xdg-dbus-proxy's output");
        if (r >= 0 && x11 && (r = spawn_adopt_helper(proc, x11, x11_fd)) >= 0) {
                x11 = NULL;
                x11_fd = -1;
        }
        if (r >= 0 && a11y && (r = spawn_adopt_helper(proc, a11y, a11y_fd)) >= 0) {
                a11y = NULL;
                a11y_fd = -1;
        }
        if (r >= 0 && x11_out.fd >= 0 && (r = spawn_adopt_output(proc, &x11_out)) < 0)
                sbx_err_setup(err, r, "x11", "relaying sbx-x11-proxy's output");
        if (r >= 0 && a11y_out.fd >= 0 && (r = spawn_adopt_output(proc, &a11y_out)) < 0)
                sbx_err_setup(err, r, "a11y", "relaying the accessibility bus proxy's output");
        if (r >= 0)
                *ret = TAKE_PTR(proc);
        sbx_process_free(proc);
        spawn_helper_end(dbus, dbus_fd);
        spawn_helper_end(x11, x11_fd);
        spawn_helper_end(a11y, a11y_fd);
        helper_out_close(&dbus_out);
        helper_out_close(&x11_out);
        helper_out_close(&a11y_out);
        plan_done(&plan);
        return r;
}
