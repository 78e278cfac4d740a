/* x11.c — [display] x11: the X server of $DISPLAY, reached only through a
 * proxy sbx starts per sandbox (the plan's part; launch/x11_proxy.c starts
 * it, helper/sbx-x11-proxy.c is the proxy).
 *
 * The sandbox never sees the real server's socket nor any cookie.  The
 * proxy listens on a socket in a fresh private directory, which is bound
 * at /tmp/.X11-unix/X<M> inside, and DISPLAY becomes :M.  The proxy
 * replaces the authorization of every client with its own: with
 * `untrusted` one the X server's SECURITY extension made for it (the
 * server then keeps the sandbox's clients away from other clients'
 * windows and input), with `trusted` the caller's cookie.
 *
 * Why M may differ from the caller's N: libxcb (1.15, Debian 12) connects
 * to the abstract socket @/tmp/.X11-unix/X<M> before the path socket and
 * falls back only on ENOENT or ECONNREFUSED.  In the host's network
 * namespace the real server's abstract socket answers (stock Xorg, Xvfb
 * and Xwayland listen there), and Landlock's abstract-socket scope turns
 * that into EPERM, which ends the connection.  A number no abstract socket
 * of the sandbox's network namespace has gives ECONNREFUSED, and libxcb
 * goes on to the path socket, the proxy's.  libxcb 1.15 does not accept a
 * socket path in DISPLAY.  A sandbox with a network namespace of its own
 * keeps N.
 *
 * What a number no one listens on leaves: a host process may take that
 * abstract name later; with Landlock's scope the sandbox then gets EPERM
 * (no display), without it (and with the host's network) the sandbox's
 * clients would connect there; x11_plan_check() refuses untrusted X11 in
 * that configuration anyway, since the server's own abstract socket would
 * be reachable past the proxy. */
#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "config.h"
#include "base/strbuf.h"
#include "base/util.h"
#include "plan/plan.h"
#include "plan/x11.h"
#include "profile/profile.h"

#define XAUTH_MAX_SIZE (1 << 20)
#define FAMILY_LOCAL 256
#define FAMILY_WILD 65535

bool x11_wanted(const struct sbx_policy *p)
{
        return p->x11 != X11_NONE;
}

/* SBX_X11_PROXY (an absolute path) overrides the installed program; an
 * sbx started from its build directory (`build/launcher/sbx`, as the
 * README's first command does) runs the proxy built beside it. */
static const char *proxy_path(void)
{
        const char *e = getenv("SBX_X11_PROXY");
        if (e && e[0] == '/')
                return access(e, X_OK) == 0 ? e : NULL;
        char exe[PATH_MAX];
        ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
        size_t root = strlen(SBX_BUILD_ROOT);
        if (n > 0 && (size_t)n > root && strncmp(exe, SBX_BUILD_ROOT, root) == 0 && exe[root] == '/' &&
            access(SBX_BUILD_ROOT "/helper/sbx-x11-proxy", X_OK) == 0)
                return SBX_BUILD_ROOT "/helper/sbx-x11-proxy";
        return access(SBX_X11_PROXY_PATH, X_OK) == 0 ? SBX_X11_PROXY_PATH : NULL;
}

/* ":N", ":N.S", "unix:N…": *n and the ".S" suffix (possibly ""). */
static bool parse_display(const char *d, int *n, const char **screen)
{
        if (strncmp(d, "unix:", 5) == 0)
                d += 4;
        if (d[0] != ':' || d[1] < '0' || d[1] > '9')
                return false;
        char *end;
        errno = 0;
        long v = strtol(d + 1, &end, 10);
        if (errno || v < 0 || v > 65535)
                return false;
        if (*end == '.') {
                const char *s = end + 1;
                if (!*s || strspn(s, "0123456789") != strlen(s))
                        return false;
        } else if (*end) {
                return false;
        }
        *n = (int)v;
        *screen = end;
        return true;
}

static bool path_covers(const char *dir, const char *path)
{
        size_t n = strlen(dir);
        while (n > 1 && dir[n - 1] == '/')
                n--;
        return strncmp(dir, path, n) == 0 && (path[n] == 0 || path[n] == '/' || n == 1);
}

/* Whether a socket in this network namespace listens on the abstract name
 * @/tmp/.X11-unix/X<n> (read from /proc/net/unix).  On a read error: yes,
 * so that the caller moves on to another number. */
static bool abstract_listened(int n)
{
        char want[48];
        int wl = snprintf(want, sizeof(want), " @/tmp/.X11-unix/X%d\n", n);
        FILE *f = fopen("/proc/net/unix", "re");
        if (!f)
                return true;
        char line[512];
        bool found = false;
        while (!found && fgets(line, sizeof(line), f)) {
                size_t l = strlen(line);
                found = l >= (size_t)wl && strcmp(line + l - wl, want) == 0;
        }
        fclose(f);
        return found;
}

static int get16be(const unsigned char *p, size_t len, size_t *off, const unsigned char **s)
{
        if (*off + 2 > len)
                return -1;
        int n = p[*off] << 8 | p[*off + 1];
        *off += 2;
        if (s) {
                if (*off + (size_t)n > len)
                        return -1;
                *s = p + *off;
                *off += (size_t)n;
        }
        return n;
}

/* The caller's MIT-MAGIC-COOKIE-1 for display n from $XAUTHORITY or
 * ~/.Xauthority, as "NAME HEX\n"; "\n" when there is none (the server may
 * admit the caller without one).  The file is the caller's own: a symlink,
 * or one owned by someone else, is not read (a note says so). */
static int read_cookie(struct plan *plan, int n, char **ret)
{
        const char *path = getenv("XAUTHORITY");
        _cleanup_free_ char *dflt = NULL;
        if (!path || !*path) {
                const char *home = getenv("HOME");
                if (!home || home[0] != '/' || asprintf(&dflt, "%s/.Xauthority", home) < 0)
                        return (*ret = strdup("\n")) ? 0 : -ENOMEM;
                path = dflt;
        }
        _cleanup_close_ int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
        struct stat st;
        if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_uid != getuid() ||
            st.st_size > XAUTH_MAX_SIZE) {
                int r = 0;
                if (fd >= 0 || errno != ENOENT)
                        r = plan_note(plan, "[display] x11: %s is not a regular file of the caller's "
                                            "(or unreadable): no cookie read from it", path);
                if (r < 0)
                        return r;
                return (*ret = strdup("\n")) ? 0 : -ENOMEM;
        }
        _cleanup_free_ unsigned char *buf = malloc((size_t)st.st_size + 1);
        if (!buf)
                return -ENOMEM;
        size_t len = 0;
        while (len < (size_t)st.st_size) {
                ssize_t k = read(fd, buf + len, (size_t)st.st_size - len);
                if (k < 0 && errno == EINTR)
                        continue;
                if (k <= 0)
                        break;
                len += (size_t)k;
        }
        struct utsname u;
        if (uname(&u) < 0)
                u.nodename[0] = 0;
        char num[8];
        snprintf(num, sizeof(num), "%d", n);
        /* libXau's choice: the first entry of family Local with this
         * host's name, or Wild, whose number is n (or empty). */
        for (size_t off = 0; off < len;) {
                const unsigned char *addr = NULL, *number = NULL, *name = NULL, *data = NULL;
                int family = get16be(buf, len, &off, NULL);
                int al = get16be(buf, len, &off, &addr), nl = get16be(buf, len, &off, &number),
                    ml = get16be(buf, len, &off, &name), dl = get16be(buf, len, &off, &data);
                if (family < 0 || al < 0 || nl < 0 || ml < 0 || dl < 0)
                        break;
                bool host = family == FAMILY_WILD ||
                            (family == FAMILY_LOCAL && (size_t)al == strlen(u.nodename) &&
                             memcmp(addr, u.nodename, (size_t)al) == 0);
                bool disp = nl == 0 || ((size_t)nl == strlen(num) && memcmp(number, num, (size_t)nl) == 0);
                if (!host || !disp || ml != 18 || memcmp(name, "MIT-MAGIC-COOKIE-1", 18) != 0 || dl == 0 ||
                    dl > 256)
                        continue;
                struct sbuf b = { 0 };
                sbuf_puts(&b, "MIT-MAGIC-COOKIE-1 ");
                for (int i = 0; i < dl; i++)
                        sbuf_printf(&b, "%02x", data[i]);
                sbuf_puts(&b, "\n");
                return sbuf_take(&b, ret);
        }
        return (*ret = strdup("\n")) ? 0 : -ENOMEM;
}

/* DISPLAY and XAUTHORITY of the sandbox: the proxy's display, no cookie file. */
static int set_env(struct plan *plan, int inside, const char *screen)
{
        char *d = NULL;
        if (asprintf(&d, "DISPLAY=:%d%s", inside, screen) < 0)
                return -ENOMEM;
        int r = plan_setenv(plan, d);
        if (r >= 0)
                plan_unsetenv(plan, "XAUTHORITY");
        return r;
}

int x11_plan(const struct sbx_policy *p, struct plan *plan, struct sbx_error **err)
{
        const struct sbx_loc *where = &p->scalar_loc[K_X11];
        if (!p->ns_mount || plan->self)
                return sbx_err_at(err, -EINVAL, where->file, where->line,
                                  "[display] x11 needs a sandbox with its own mount namespace (the proxy's "
                                  "socket is bound as the display's): not with [namespaces] mount = no, "
                                  "nor sbx_confine()");
        plan_unsetenv(plan, "DISPLAY");
        plan_unsetenv(plan, "XAUTHORITY");
        const char *display = getenv("DISPLAY");
        if (!display || !*display)
                return plan_note(plan, "[display] x11: DISPLAY is not set; the sandbox gets no X display");
        int n;
        const char *screen;
        if (!parse_display(display, &n, &screen))
                return plan_warn(plan, "[display] x11: DISPLAY=%s is not a local X server (:N); the "
                                       "sandbox gets no X display (a remote or forwarded display is not "
                                       "proxied)", display);
        _cleanup_free_ char *server = NULL;
        if (asprintf(&server, "/tmp/.X11-unix/X%d", n) < 0)
                return -ENOMEM;
        struct stat st;
        if (stat(server, &st) < 0 || !S_ISSOCK(st.st_mode))
                return plan_warn(plan, "[display] x11: DISPLAY=%s has no socket %s; the sandbox gets no "
                                       "X display", display, server);

        /* The profile must not show the real socket beside the proxy's. */
        for (size_t i = 0; i < plan->nmounts; i++) {
                const struct plan_mount *m = &plan->mounts[i];
                if (m->kind != PM_BIND || !m->src || !path_covers(m->src, server))
                        continue;
                const struct sbx_loc *l = m->loc;
                if (!l)
                        return sbx_err_at(err, -EINVAL, where->file, where->line,
                                          "[display] x11: the working directory or a file argument %s "
                                          "contains the X server's socket %s, which would be reachable "
                                          "past sbx's proxy; run from another directory",
                                          m->src, server);
                return sbx_err_at(err, -EINVAL, l->file, l->line,
                                  "binding %s shows the X server's socket %s, which [display] x11 reaches "
                                  "only through sbx's proxy; bind something narrower", m->src, server);
        }
        const char *exe = proxy_path();
        if (!exe)
                return sbx_err_at(err, -ENOENT, where->file, where->line,
                                  "[display] x11 needs sbx's X11 proxy %s, which is not installed "
                                  "(SBX_X11_PROXY names another)", SBX_X11_PROXY_PATH);

        struct x11_plan *x = calloc(1, sizeof(*x));
        if (!x)
                return -ENOMEM;
        plan->x11 = x;
        x->untrusted = p->x11 == X11_UNTRUSTED;
        x->display = n;
        x->server = TAKE_PTR(server);
        if (!(x->exe = strdup(exe)))
                return -ENOMEM;
        int r = read_cookie(plan, n, &x->auth_line);
        if (r < 0)
                return r;

        /* See the top of this file. */
        x->inside = n;
        if (!(plan->clone_flags & CLONE_NEWNET))
                while (x->inside < 65535 && abstract_listened(x->inside))
                        x->inside++;

        const char *base = getenv("XDG_RUNTIME_DIR");
        if (!base || base[0] != '/' || stat(base, &st) < 0 || !S_ISDIR(st.st_mode) || access(base, W_OK) < 0)
                base = "/tmp";
        if (asprintf(&x->dir, "%s/sbx-x11-XXXXXX", base) < 0) {
                x->dir = NULL;
                return -ENOMEM;
        }
        if (!mkdtemp(x->dir)) {
                r = -errno;
                free(TAKE_PTR(x->dir));
                return sbx_err_setup(err, r, "x11", "making a directory under %s", base);
        }
        if (asprintf(&x->sock, "%s/X", x->dir) < 0) {
                x->sock = NULL;
                return -ENOMEM;
        }
        char *inside = NULL;
        if (asprintf(&inside, "/tmp/.X11-unix/X%d", x->inside) < 0 || !plan_own(plan, inside))
                return -ENOMEM;
        if ((r = set_env(plan, x->inside, screen)) < 0)
                return r;
        /* Wayland beside X (wayland.inc bound the compositor's socket). */
        const char *rt = getenv("XDG_RUNTIME_DIR"), *wl = getenv("WAYLAND_DISPLAY");
        _cleanup_free_ char *wsock = NULL;
        if (rt && rt[0] == '/' && wl && *wl && !strchr(wl, '/') && asprintf(&wsock, "%s/%s", rt, wl) > 0) {
                const struct plan_mount *wm = plan_mount_covering(plan, wsock);
                x->wayland = wm && wm->kind == PM_BIND && wm->src && strcmp(wm->src, wsock) == 0;
        }
        /* Optional: when the proxy does not start (x11_plan_drop) there is
         * no socket, and nothing is bound. */
        struct plan_mount m = { .kind = PM_BIND, .src = x->sock, .src_fd = -1, .dst = inside,
                                .readonly = true, .noexec = true, .optional = true, .loc = where };
        return plan_add_mount(plan, &m);
}

void x11_plan_drop(struct plan *plan)
{
        plan_unsetenv(plan, "DISPLAY");
        /* Gone, so that the optional bind finds nothing (ENOENT), whoever
         * the sandbox runs as. */
        (void)unlink(plan->x11->sock);
        (void)rmdir(plan->x11->dir);
}

int x11_plan_check(const struct sbx_policy *p, const struct plan *plan, struct sbx_error **err)
{
        const struct x11_plan *x = plan->x11;
        if (!x || !x->untrusted || (plan->clone_flags & CLONE_NEWNET) || landlock_scopes_abstract(&plan->landlock))
                return 0;
        const struct sbx_loc *where = &p->scalar_loc[K_X11];
        return sbx_err_at(err, -EOPNOTSUPP, where->file, where->line,
                          "[display] x11 = untrusted with the host's network needs Landlock's abstract-socket "
                          "scope (Linux 6.12, [landlock] enabled = yes), or the sandbox could connect to the X "
                          "server's abstract socket @%s past sbx's proxy; use [network] mode = none, or "
                          "x11 = trusted (what any X client can do)", x->server);
}

void x11_plan_done(struct x11_plan *x)
{
        if (!x)
                return;
        if (x->sock)
                (void)unlink(x->sock);
        if (x->dir)
                (void)rmdir(x->dir);
        free(x->exe);
        free(x->server);
        free(x->dir);
        free(x->sock);
        free(x->auth_line);
        free(x);
}
