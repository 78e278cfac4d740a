/* a11y.c — [display] a11y: the accessibility bus (AT-SPI: what screen
 * readers use) through a filtering proxy (the plan's part;
 * launch/a11y_proxy.c asks the session bus where the accessibility bus is
 * and starts xdg-dbus-proxy for it).
 *
 * Every application of the desktop exports its whole user interface on the
 * accessibility bus (the text of every widget, what is typed), and every
 * client of that bus can read every other's.  The sandbox reaches it only
 * through xdg-dbus-proxy with the rules Flatpak uses: the program may
 * register its own interface with the registry (Socket.Embed, Unembed)
 * and ask which events and key listeners exist; every other call, to
 * another application or to the registry's tree, is refused.  Screen
 * readers outside still call into the sandbox's application.  Without it
 * a GUI sandbox would need NO_AT_BRIDGE=1 (toolkits otherwise wait for a
 * bus they cannot see), and a screen reader could not read the program.
 *
 * The proxy's socket is bound at $XDG_RUNTIME_DIR/at-spi/bus inside and
 * AT_SPI_BUS_ADDRESS names it (libatspi looks there first). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/util.h"
#include "plan/a11y.h"
#include "plan/dbus.h"
#include "plan/plan.h"
#include "profile/profile.h"

bool a11y_wanted(const struct sbx_policy *p)
{
        return p->a11y;
}

static int no_bridge(struct plan *plan)
{
        char *s = strdup("NO_AT_BRIDGE=1");
        if (!s)
                return -ENOMEM;
        plan_unsetenv(plan, "AT_SPI_BUS_ADDRESS");
        return plan_setenv(plan, s);
}

static const char *env_value(char **envp, const char *name)
{
        size_t n = strlen(name);
        for (; envp && *envp; envp++)
                if (strncmp(*envp, name, n) == 0 && (*envp)[n] == '=')
                        return *envp + n + 1;
        return NULL;
}

int a11y_plan(const struct sbx_policy *p, struct plan *plan, struct sbx_error **err)
{
        const struct sbx_loc *where = &p->scalar_loc[K_A11Y];
        if (!p->ns_mount || plan->self)
                return sbx_err_at(err, -EINVAL, where->file, where->line,
                                  "[display] a11y needs a sandbox with its own mount namespace (the proxy's "
                                  "socket is bound inside): not with [namespaces] mount = no, nor sbx_confine()");
        plan_unsetenv(plan, "AT_SPI_BUS_ADDRESS");
        const char *unsupported;
        _cleanup_free_ char *session = dbus_session_bus(&unsupported);
        int r;
        if (!session) {
                if ((r = no_bridge(plan)) < 0)
                        return r;
                return plan_note(plan, "[display] a11y: no session bus to find the accessibility bus on; "
                                       "the sandbox gets none (NO_AT_BRIDGE=1)");
        }
        /* The proxy passes the client's uid through (as for [dbus]). */
        if (plan->inside_uid != plan->host_uid || plan->map_uid != plan->host_uid) {
                if ((r = no_bridge(plan)) < 0)
                        return r;
                return plan_note(plan, "[display] a11y: the sandbox runs as uid %u, the accessibility bus's "
                                       "user is %u: the sandbox gets none (NO_AT_BRIDGE=1)",
                                 (unsigned)plan->inside_uid, (unsigned)plan->host_uid);
        }
        const char *exe = dbus_proxy_exe();
        if (!exe)
                return sbx_err_at(err, -ENOENT, where->file, where->line,
                                  "[display] a11y needs xdg-dbus-proxy (Debian package xdg-dbus-proxy), which is "
                                  "not installed; refusing to start without the filter");
        struct a11y_plan *a = calloc(1, sizeof(*a));
        if (!a)
                return -ENOMEM;
        plan->a11y = a;
        a->session = TAKE_PTR(session);
        if (!(a->exe = strdup(exe)))
                return -ENOMEM;
        const char *base = getenv("XDG_RUNTIME_DIR");
        struct stat st;
        if (!base || base[0] != '/' || stat(base, &st) < 0 || !S_ISDIR(st.st_mode) || access(base, W_OK) < 0)
                base = "/tmp";
        if (asprintf(&a->dir, "%s/sbx-a11y-XXXXXX", base) < 0) {
                a->dir = NULL;
                return -ENOMEM;
        }
        if (!mkdtemp(a->dir)) {
                r = -errno;
                free(TAKE_PTR(a->dir));
                return sbx_err_setup(err, r, "a11y", "making a directory under %s", base);
        }
        if (asprintf(&a->sock, "%s/bus", a->dir) < 0) {
                a->sock = NULL;
                return -ENOMEM;
        }
        const char *rt = env_value(plan->envp, "XDG_RUNTIME_DIR");
        char *inside = NULL, *addr = NULL;
        if (rt && rt[0] == '/')
                r = asprintf(&inside, "%s/at-spi/bus", rt);
        else
                r = asprintf(&inside, "/run/user/%u/at-spi/bus", (unsigned)plan->inside_uid);
        if (r < 0 || !plan_own(plan, inside))
                return -ENOMEM;
        if (asprintf(&addr, "AT_SPI_BUS_ADDRESS=unix:path=%s", inside) < 0)
                return -ENOMEM;
        if ((r = plan_setenv(plan, addr)) < 0)
                return r;
        plan_unsetenv(plan, "NO_AT_BRIDGE");
        /* Optional: no accessibility bus at launch (a11y_plan_drop), no socket. */
        struct plan_mount m = { .kind = PM_BIND, .src = a->sock, .src_fd = -1, .dst = inside,
                                .readonly = true, .noexec = true, .optional = true, .loc = where };
        return plan_add_mount(plan, &m);
}

void a11y_plan_drop(struct plan *plan)
{
        (void)no_bridge(plan);
        (void)unlink(plan->a11y->sock);
        (void)rmdir(plan->a11y->dir);
}

void a11y_plan_done(struct a11y_plan *a)
{
        if (!a)
                return;
        if (a->sock)
                (void)unlink(a->sock);
        if (a->dir)
                (void)rmdir(a->dir);
        free(a->session);
        free(a->exe);
        free(a->dir);
        free(a->sock);
        free(a);
}
