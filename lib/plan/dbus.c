/* dbus.c — [dbus]: the session bus, filtered (the plan's part; the proxy
 * is started by launch/dbus_proxy.c).  A sandbox with [dbus] names
 * never sees the real bus socket: sbx starts xdg-dbus-proxy (as the caller,
 * outside the sandbox) listening on a socket in a fresh private directory,
 * with --filter and the profile's names, and binds that socket where the
 * program looks for the bus.  Everything not named is invisible.
 *
 * The proxy runs in a sandbox of its own (launch/dbus_proxy.c): /usr,
 * the real bus socket and its socket directory, no network, no other
 * program; as the caller, whose bus it is.
 *
 * Lifetime: the proxy gets one end of a socketpair as --fd; it writes a
 * byte there when it listens, and exits when the other end closes.  sbx
 * keeps that end (close-on-exec) in the sandbox's struct sbx_process and
 * closes it when the sandbox is reaped or freed; if sbx itself dies (even
 * by SIGKILL) the kernel closes it, so the proxy never outlives its caller
 * (PR_SET_PDEATHSIG alone would not do: it fires when the forking *thread*
 * ends).  The socket file and its directory are removed as soon as the
 * sandbox has bound the socket (the bind keeps the inode reachable). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "plan/dbus.h"
#include "plan/plan.h"
#include "base/strbuf.h"
#include "base/util.h"

static const char *const proxy_paths[] = { "/usr/bin/xdg-dbus-proxy", "/usr/libexec/xdg-dbus-proxy",
                                           "/usr/local/bin/xdg-dbus-proxy" };

bool dbus_wanted(const struct sbx_policy *p)
{
        return p->dbus_talk.n + p->dbus_own.n + p->dbus_see.n + p->dbus_call.n + p->dbus_broadcast.n > 0;
}

/* SBX_DBUS_PROXY (an absolute path) overrides the search; for tests and
 * unusual installations. */
const char *dbus_proxy_exe(void)
{
        const char *e = getenv("SBX_DBUS_PROXY");
        if (e && e[0] == '/')
                return access(e, X_OK) == 0 ? e : NULL;
        for (size_t i = 0; i < ARRAY_SIZE(proxy_paths); i++)
                if (access(proxy_paths[i], X_OK) == 0)
                        return proxy_paths[i];
        return NULL;
}

/* The host path of the session bus: the first unix:path= address of
 * $DBUS_SESSION_BUS_ADDRESS, else $XDG_RUNTIME_DIR/bus.  NULL: no bus;
 * *unsupported set when the variable names only other transports. */
char *dbus_session_bus(const char **unsupported)
{
        const char *a = getenv("DBUS_SESSION_BUS_ADDRESS");
        *unsupported = NULL;
        if (a && *a) {
                for (const char *s = a; s && *s;) {
                        const char *end = strchr(s, ';');
                        size_t len = end ? (size_t)(end - s) : strlen(s);
                        if (len > 10 && strncmp(s, "unix:path=", 10) == 0) {
                                const char *v = s + 10;
                                size_t vlen = len - 10;
                                const char *comma = memchr(v, ',', vlen);
                                if (comma)
                                        vlen = (size_t)(comma - v);
                                /* An escaped path (%xx) is rare; refuse rather than guess. */
                                if (memchr(v, '%', vlen) || vlen == 0 || v[0] != '/')
                                        break;
                                return strndup(v, vlen);
                        }
                        s = end ? end + 1 : NULL;
                }
                *unsupported = a;
                return NULL;
        }
        const char *x = getenv("XDG_RUNTIME_DIR");
        char *p = NULL;
        if (!x || x[0] != '/' || asprintf(&p, "%s/bus", x) < 0)
                return NULL;
        struct stat st;
        if (stat(p, &st) < 0 || !S_ISSOCK(st.st_mode)) {
                free(p);
                return NULL;
        }
        return p;
}

static bool path_covers(const char *dir, const char *path)
{
        size_t n = strlen(dir);
        while (n > 1 && dir[n - 1] == '/')
                n--;
        return strncmp(dir, path, n) == 0 && (path[n] == 0 || path[n] == '/' || n == 1);
}

static const char *env_get(char **envp, const char *name)
{
        size_t n = strlen(name);
        for (; envp && *envp; envp++)
                if (strncmp(*envp, name, n) == 0 && (*envp)[n] == '=')
                        return *envp + n + 1;
        return NULL;
}

/* Appends prefix + s. */
static int argv_add(char ***v, size_t *n, size_t *cap, const char *prefix, const char *s)
{
        return strv_addf(v, n, cap, "%s%s", prefix, s);
}

static int build_argv(const struct sbx_policy *p, const char *exe, struct dbus_plan *d)
{
        size_t n = 0, cap = 0;
        int r = 0;
        const struct {
                const struct strlist *l;
                const char *prefix;
        } rules[] = { { &p->dbus_see, "--see=" },   { &p->dbus_talk, "--talk=" },
                      { &p->dbus_own, "--own=" },   { &p->dbus_call, "--call=" },
                      { &p->dbus_broadcast, "--broadcast=" } };
        /* The sync fd is always 3 in the proxy (dbus_proxy_start). */
        if ((r = argv_add(&d->argv, &n, &cap, "", exe)) < 0 || (r = argv_add(&d->argv, &n, &cap, "", "--fd=3")) < 0 ||
            (r = argv_add(&d->argv, &n, &cap, "", d->address)) < 0 || (r = argv_add(&d->argv, &n, &cap, "", d->sock)) < 0 ||
            (r = argv_add(&d->argv, &n, &cap, "", "--filter")) < 0)
                return r;
        for (size_t i = 0; i < ARRAY_SIZE(rules); i++)
                for (size_t j = 0; j < rules[i].l->n; j++)
                        if ((r = argv_add(&d->argv, &n, &cap, rules[i].prefix, rules[i].l->v[j])) < 0)
                                return r;
        return 0;
}

/* [dbus] required-by: the program does not run without a bus, and the
 * sandbox gets none: refuse, saying why, rather than let it exit silently
 * (atril exits 0 at once). */
static int required(const struct sbx_policy *p, const struct plan *plan, const char *why, struct sbx_error **err)
{
        for (size_t i = 0; i < p->dbus_required_by.n; i++) {
                if (!plan->host_exec_path || strcmp(plan->host_exec_path, p->dbus_required_by.v[i]) != 0)
                        continue;
                const struct sbx_loc *l = &p->dbus_required_by.loc[i];
                return sbx_err_at(err, -ENOENT, l->file, l->line,
                                  "%s does not run without a D-Bus session bus ([dbus] required-by), and the "
                                  "sandbox gets none: %s", plan->host_exec_path, why);
        }
        return 0;
}

int dbus_plan(const struct sbx_policy *p, struct plan *plan, struct sbx_error **err)
{
        const struct strlist *keys[] = { &p->dbus_talk, &p->dbus_own, &p->dbus_see, &p->dbus_call,
                                          &p->dbus_broadcast };
        const struct sbx_loc *where = NULL;
        for (size_t i = 0; i < ARRAY_SIZE(keys) && !where; i++)
                if (keys[i]->n)
                        where = &keys[i]->loc[0];
        if (!p->ns_mount || plan->self)
                return sbx_err_at(err, -EINVAL, where->file, where->line,
                                  "[dbus] needs a sandbox with its own mount namespace (the proxy's socket is "
                                  "bound in place of the bus): not with [namespaces] mount = no, nor sbx_confine()");
        const char *unsupported;
        _cleanup_free_ char *bus = dbus_session_bus(&unsupported);
        if (!bus && unsupported)
                return sbx_err_at(err, -EINVAL, where->file, where->line,
                                  "[dbus]: DBUS_SESSION_BUS_ADDRESS=%s has no plain unix:path= address",
                                  unsupported);
        int r;
        if (!bus && (r = required(p, plan, "there is no session bus (DBUS_SESSION_BUS_ADDRESS unset, no "
                                           "$XDG_RUNTIME_DIR/bus)", err)) < 0)
                return r;
        if (!bus)
                return plan_note(plan, "[dbus]: no session bus (DBUS_SESSION_BUS_ADDRESS unset, no "
                                       "$XDG_RUNTIME_DIR/bus); the sandbox gets none");
        /* With a bus to reach, never without the filter; with none there
         * is nothing to filter, and nothing is needed. */
        const char *exe = dbus_proxy_exe();
        if (!exe)
                return sbx_err_at(err, -ENOENT, where->file, where->line,
                                  "[dbus] needs xdg-dbus-proxy (Debian package xdg-dbus-proxy), which is not "
                                  "installed; refusing to start without the filter");

        /* The profile must not show the real bus next to the filtered one. */
        for (size_t i = 0; i < plan->nmounts; i++) {
                const struct plan_mount *m = &plan->mounts[i];
                if (m->kind == PM_BIND && m->src && path_covers(m->src, bus)) {
                        const struct sbx_loc *l = m->loc;
                        /* No profile line: the working directory or a file argument. */
                        if (!l)
                                return sbx_err_at(err, -EINVAL, where->file, where->line,
                                                  "[dbus]: the working directory or a file argument %s "
                                                  "contains the real session bus %s, which would be "
                                                  "shown unfiltered; run from another directory",
                                                  m->src, bus);
                        return sbx_err_at(err, -EINVAL, l->file, l->line,
                                          "binding %s shows the real session bus %s, which [dbus] filters; "
                                          "bind something narrower", m->src, bus);
                }
        }

        /* The proxy passes the client's authentication through: a client
         * claims its own uid (EXTERNAL), and the bus compares that with
         * the proxy's, the caller's. */
        if ((plan->inside_uid != plan->host_uid || plan->map_uid != plan->host_uid) &&
            (r = required(p, plan, "it runs as another uid than the bus's user (a root caller's sandbox runs "
                                   "as 65534 unless [namespaces] keep-root = yes and uid = 0)", err)) < 0)
                return r;
        if (plan->inside_uid != plan->host_uid || plan->map_uid != plan->host_uid)
                return plan_note(plan, "[dbus]: the sandbox runs as uid %u (host uid %u), the bus's "
                                       "user is %u: the bus would refuse it, so the sandbox gets none "
                                       "(as root: keep-root = yes and uid = 0)",
                                 (unsigned)plan->inside_uid, (unsigned)plan->map_uid,
                                 (unsigned)plan->host_uid);
        struct dbus_plan *d = calloc(1, sizeof(*d));
        if (!d)
                return -ENOMEM;
        plan->dbus = d;
        d->bus = TAKE_PTR(bus);
        if (asprintf(&d->address, "unix:path=%s", d->bus) < 0)
                return -ENOMEM;

        const char *base = getenv("XDG_RUNTIME_DIR");
        struct stat st;
        if (!base || base[0] != '/' || stat(base, &st) < 0 || !S_ISDIR(st.st_mode) || access(base, W_OK) < 0)
                base = "/tmp";
        char *dir = NULL;
        if (asprintf(&dir, "%s/sbx-dbus-XXXXXX", base) < 0)
                return -ENOMEM;
        if (!mkdtemp(dir)) {
                r = -errno;
                free(dir);
                return sbx_err_setup(err, r, "dbus", "making a directory under %s", base);
        }
        d->dir = dir;
        if (asprintf(&d->sock, "%s/bus", dir) < 0)
                return -ENOMEM;
        if ((r = build_argv(p, exe, d)) < 0)
                return r;

        const char *rt = env_get(plan->envp, "XDG_RUNTIME_DIR");
        char *inside = NULL, *addr = NULL;
        if (rt && rt[0] == '/')
                r = asprintf(&inside, "%s/bus", rt);
        else
                r = asprintf(&inside, "/run/user/%u/bus", (unsigned)plan->inside_uid);
        if (r < 0 || !plan_own(plan, inside))
                return -ENOMEM;
        if (asprintf(&addr, "DBUS_SESSION_BUS_ADDRESS=unix:path=%s", inside) < 0)
                return -ENOMEM;
        if ((r = plan_setenv(plan, addr)) < 0)
                return r;
        struct plan_mount m = { .kind = PM_BIND, .src = d->sock, .src_fd = -1, .dst = inside,
                                .readonly = true, .noexec = true, .loc = where };
        return plan_add_mount(plan, &m);
}

void dbus_plan_done(struct dbus_plan *d)
{
        if (!d)
                return;
        if (d->sock)
                (void)unlink(d->sock);
        if (d->dir)
                (void)rmdir(d->dir);
        free(d->bus);
        free(d->address);
        free(d->dir);
        free(d->sock);
        sbx_strv_free(d->argv);
        free(d);
}
