/* dbus_proxy.c — starting xdg-dbus-proxy for a planned [dbus] sandbox
 * (plan/dbus.c decided its command line, socket and directory).
 *
 * The proxy runs in a sandbox of its own, started through spawn_helper(),
 * the one way a helper of a sandbox is itself sandboxed: /usr, the real bus
 * socket and its socket directory, no network, no other program; as the
 * caller, whose bus it is.
 *
 * Lifetime: the proxy gets one end of a socketpair as --fd; it writes a
 * byte there when it listens, and exits when the other end closes.  The
 * sandbox's struct sbx_process adopts that end and the proxy's process
 * (spawn_adopt_helper) and ends both when it is reaped or freed; if sbx
 * itself dies (even by SIGKILL) the kernel closes the end, so the proxy
 * never outlives its caller. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include "base/util.h"
#include "launch/helper_out.h"
#include "launch/dbus_proxy.h"
#include "launch/spawn.h"
#include "plan/dbus.h"
#include "profile/profile.h"

#define PROXY_START_TIMEOUT_MS 10000

/* The proxy's own sandbox: the system's libraries, the real bus socket,
 * its socket directory, nothing else; no network, its one executable. */
static int proxy_policy(const struct plan *plan, const struct dbus_plan *d, struct sbx_policy **ret,
                        struct sbx_error **err)
{
        static const char ini[] = "[filesystem]\n"
                                  "ro-bind = /usr\n"
                                  "symlink = usr/bin:/bin usr/lib:/lib usr/lib64:/lib64\n"
                                  "ro-bind = -/etc/ld.so.cache -/etc/ld.so.conf -/etc/ld.so.conf.d\n"
                                  "ro-bind = -/etc/passwd -/etc/group -/etc/nsswitch.conf\n"
                                  "[network]\nmode = none\n"
                                  "[seccomp]\nallow = @default\n"
                                  "[limits]\nprocesses = 64\nmemory = 256M\n";
        return spawn_helper_policy(plan, "xdg-dbus-proxy's sandbox", ini, d->argv[0], d->bus, d->dir, ret, err);
}

int dbus_proxy_start(const struct plan *plan, struct helper_out *out, struct sbx_process **ret, int *ret_fd,
                     struct sbx_error **err)
{
        return dbus_proxy_start_for(plan, plan->dbus, out, ret, ret_fd, err);
}

int dbus_proxy_start_for(const struct plan *plan, const struct dbus_plan *d, struct helper_out *out,
                         struct sbx_process **ret, int *ret_fd, struct sbx_error **err)
{
        int sv[2];
        if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
                return sbx_err_setup(err, -errno, "dbus", "socketpair");
        _cleanup_close_ int mine = sv[0], theirs = sv[1];
        /* A previous launch from the same plan may have left its socket. */
        (void)unlink(d->sock);

        size_t argc = 0;
        while (d->argv[argc])
                argc++;
        _cleanup_free_ const char **argv = calloc(argc + 1, sizeof(char *));
        char fdarg[32];
        if (!argv)
                return -ENOMEM;
        snprintf(fdarg, sizeof(fdarg), "--fd=%d", theirs);
        for (size_t i = 0; i < argc; i++)
                argv[i] = i == 1 ? fdarg : d->argv[i];

        /* The proxy prints member names a client chose ("Unknown bus
         * method %s", newlines included): relayed escaped, or dropped. */
        _cleanup_close_ int out_w = -1;
        int r;
        if (out && (r = helper_out_open(out, "xdg-dbus-proxy", &out_w)) < 0)
                return sbx_err_setup(err, r, "dbus", "pipe");
        struct sbx_policy *p = NULL;
        r = proxy_policy(plan, d, &p, err);
        if (r < 0)
                return r;
        struct sbx_spawn_options o = {
                .size = sizeof(o), .file = d->argv[0], .argv = argv,
                .stdin_fd = -1, .stdout_fd = out_w, .stderr_fd = out_w,
                .keep_fds = &theirs, .n_keep_fds = 1, .cwd = "/", .log_fd = -1,
        };
        struct sbx_process *px = NULL;
        r = spawn_helper(p, &o, &px, err);
        sbx_policy_free(p);
        if (r < 0)
                return r;
        close(TAKE_FD(theirs));
        /* It listens within milliseconds (it connects to the bus only for
         * each client); a proxy stuck before that must not hang sbx. */
        struct pollfd pfd = { .fd = mine, .events = POLLIN };
        char c;
        ssize_t n = -1;
        int pr;
        while ((pr = poll(&pfd, 1, PROXY_START_TIMEOUT_MS)) < 0 && errno == EINTR)
                ;
        if (pr == 0)
                errno = ETIMEDOUT;
        else if (pr > 0)
                while ((n = read(mine, &c, 1)) < 0 && errno == EINTR)
                        ;
        if (n != 1) {
                int e = n < 0 ? -errno : -EPROTO;
                spawn_helper_end(px, TAKE_FD(mine));
                return sbx_err_setup(err, e, "dbus", "xdg-dbus-proxy did not start (for %s)", d->address);
        }
        *ret = px;
        *ret_fd = TAKE_FD(mine);
        return 0;
}
