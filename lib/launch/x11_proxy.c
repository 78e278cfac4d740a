/* x11_proxy.c — starting sbx-x11-proxy for a planned [display] x11 sandbox
 * (plan/x11.c decided its socket, the server and the cookie; the proxy is
 * helper/sbx-x11-proxy.c).
 *
 * The proxy runs in a sandbox of its own, started through spawn_helper():
 * /usr, its own program, the X server's socket and its socket directory,
 * no network (it uses the server's path socket), nothing else executable;
 * as the caller, whose display it is.
 *
 * Lifetime as the D-Bus proxy's (dbus_proxy.c): the proxy gets one end of
 * a socketpair as --fd, reads the caller's cookie from it, answers "ok" or
 * "error: …", and exits when the other end closes, which the sandbox's
 * struct sbx_process does when it is reaped or freed, and the kernel does
 * if sbx dies. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "base/util.h"
#include "launch/helper_out.h"
#include "launch/spawn.h"
#include "launch/x11_proxy.h"
#include "plan/x11.h"
#include "profile/profile.h"

/* Starting includes a round trip to the X server (and SECURITY's). */
#define PROXY_START_TIMEOUT_MS 10000

static int proxy_policy(const struct plan *plan, struct sbx_policy **ret, struct sbx_error **err)
{
        const struct x11_plan *x = plan->x11;
        static const char ini[] = "[filesystem]\n"
                                  "ro-bind = /usr\n"
                                  "symlink = usr/bin:/bin usr/lib:/lib usr/lib64:/lib64\n"
                                  "ro-bind = -/etc/ld.so.cache -/etc/ld.so.conf -/etc/ld.so.conf.d\n"
                                  "[network]\nmode = none\n"
                                  "[seccomp]\nallow = @default\nwx = yes\n"
                                  "[limits]\nprocesses = 512\nmemory = 256M\n";
        return spawn_helper_policy(plan, "sbx-x11-proxy's sandbox", ini, x->exe, x->server, x->dir, ret, err);
}

/* One line from the proxy, within the start timeout. */
static int read_answer(int fd, char *buf, size_t size)
{
        size_t n = 0;
        while (n + 1 < size) {
                struct pollfd pfd = { .fd = fd, .events = POLLIN };
                int pr = poll(&pfd, 1, PROXY_START_TIMEOUT_MS);
                if (pr < 0 && errno == EINTR)
                        continue;
                if (pr <= 0)
                        return pr == 0 ? -ETIMEDOUT : -errno;
                ssize_t k = read(fd, buf + n, 1);
                if (k < 0 && errno == EINTR)
                        continue;
                if (k <= 0)
                        return k < 0 ? -errno : -EPROTO;
                if (buf[n] == '\n')
                        break;
                n++;
        }
        buf[n] = 0;
        return 0;
}

int x11_proxy_start(const struct plan *plan, struct helper_out *out, struct sbx_process **ret, int *ret_fd,
                    struct sbx_error **err)
{
        const struct x11_plan *x = plan->x11;
        int sv[2];
        if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
                return sbx_err_setup(err, -errno, "x11", "socketpair");
        _cleanup_close_ int mine = sv[0], theirs = sv[1];
        (void)unlink(x->sock);

        char fdarg[32];
        _cleanup_free_ char *listen = NULL, *server = NULL;
        snprintf(fdarg, sizeof(fdarg), "--fd=%d", theirs);
        if (asprintf(&listen, "--listen=%s", x->sock) < 0 || asprintf(&server, "--server=%s", x->server) < 0)
                return -ENOMEM;
        const char *argv[] = { x->exe, fdarg, listen, server,
                               x->untrusted ? "--trust=untrusted" : "--trust=trusted", NULL };

        /* What it prints is relayed escaped, like every helper's
         * (helper_out.h), or dropped without a log. */
        _cleanup_close_ int out_w = -1;
        int r;
        if (out && (r = helper_out_open(out, "sbx-x11-proxy", &out_w)) < 0)
                return sbx_err_setup(err, r, "x11", "pipe");
        struct sbx_policy *p = NULL;
        r = proxy_policy(plan, &p, err);
        if (r < 0)
                return r;
        struct sbx_spawn_options o = {
                .size = sizeof(o), .file = x->exe, .argv = argv,
                .stdin_fd = -1, .stdout_fd = out_w, .stderr_fd = out_w,
                .keep_fds = &theirs, .n_keep_fds = 1, .cwd = "/", .log_fd = -1,
        };
        struct sbx_process *px = NULL;
        r = spawn_helper(p, &o, &px, err);
        sbx_policy_free(p);
        if (r < 0)
                return r;
        close(TAKE_FD(theirs));

        char answer[512];
        size_t len = strlen(x->auth_line);
        ssize_t w;
        while ((w = write(mine, x->auth_line, len)) < 0 && errno == EINTR)
                ;
        r = w == (ssize_t)len ? read_answer(mine, answer, sizeof(answer)) : -EPIPE;
        if (r >= 0 && strcmp(answer, "nosecurity") == 0) {
                spawn_helper_end(px, TAKE_FD(mine));
                if (x->wayland)
                        return 1;
                return sbx_err_kind(err, SBX_ERROR_SETUP, -EINVAL, "x11",
                                    "display :%d: the X server has no SECURITY extension, so sbx cannot keep "
                                    "the sandbox's X clients from other windows (an untrusted authorization); "
                                    "use Wayland, or a nested X server (Xephyr) as DISPLAY, or --set "
                                    "display.x11=trusted to give the program full X11 access", x->display);
        }
        if (r < 0 || strcmp(answer, "ok") != 0) {
                spawn_helper_end(px, TAKE_FD(mine));
                if (r < 0)
                        return sbx_err_setup(err, r, "x11", "sbx-x11-proxy did not start (for display :%d)",
                                             x->display);
                /* -EINVAL: the proxy's sentence is the whole reason (no strerror). */
                return sbx_err_kind(err, SBX_ERROR_SETUP, -EINVAL, "x11", "display :%d: %s",
                                    x->display, strncmp(answer, "error: ", 7) == 0 ? answer + 7 : answer);
        }
        /* A root caller's sandbox runs as another uid, which makes the
         * bind: the directory becomes that uid's (0700, so still nobody
         * else's) once the proxy, running as root, has made its socket. */
        if (plan->map_uid != plan->host_uid && chown(x->dir, plan->map_uid, plan->map_gid) < 0) {
                r = -errno;
                spawn_helper_end(px, TAKE_FD(mine));
                return sbx_err_setup(err, r, "x11", "chown %s", x->dir);
        }
        *ret = px;
        *ret_fd = TAKE_FD(mine);
        return 0;
}
