/* net.c — [network] mode = pasta, the plan's part: where pasta is, what
 * happens when it is not, the sandbox's resolv.conf and pasta's command
 * line.  launch/netstack.c starts pasta once the sandbox's namespaces
 * exist and ends it with the sandbox.
 *
 * The sandbox gets its own network namespace (as with mode = none) and
 * pasta (Debian package passt), run by sbx as the caller, joins the
 * sandbox's user namespace and connects that namespace's tap interface to
 * sockets it opens in the host's namespace: outbound connections leave as
 * the caller's.  What pasta would otherwise open is closed by its command
 * line:
 *   --no-map-gw        the gateway address is the real gateway, not the
 *                      host's 127.0.0.1/::1 (pasta's default maps it);
 *   -T none -U none    no forwarding of the sandbox's loopback ports to
 *                      ports bound on the host's loopback (default: auto,
 *                      every one the host has);
 *   -t none -u none    nothing of the sandbox published on the host;
 *   --dns-forward      UDP to NET_DNS_FORWARDER:53 goes to the first
 *                      nameserver of the host's /etc/resolv.conf, even a
 *                      loopback one (127.0.0.53): the one host service the
 *                      sandbox reaches, DNS over UDP only;
 *   --no-dhcp --no-dhcpv6  pasta configures the interface itself
 *                      (--config-net): no DHCP server for the sandbox to
 *                      talk to.
 * Abstract unix sockets are per network namespace: the host's are not in
 * the sandbox's.  pasta copies the host's addresses and routes (IPv6 where
 * the host has a default route for it), so the host's outbound address is
 * local inside the sandbox and reaches only the sandbox itself; services
 * on the host's *other* addresses stay reachable as they are from the
 * network (sbx(1), THREAT MODEL). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/strbuf.h"
#include "base/util.h"
#include "plan/net.h"
#include "plan/plan.h"
#include "profile/profile.h"

static const char *const pasta_paths[] = { "/usr/bin/pasta", "/usr/local/bin/pasta" };

/* SBX_PASTA (an absolute path) overrides the search, for tests and
 * unusual installations; a path that is not executable means "not
 * installed". */
static const char *pasta_path(void)
{
        const char *e = getenv("SBX_PASTA");
        if (e && e[0] == '/')
                return access(e, X_OK) == 0 ? e : NULL;
        for (size_t i = 0; i < ARRAY_SIZE(pasta_paths); i++)
                if (access(pasta_paths[i], X_OK) == 0)
                        return pasta_paths[i];
        return NULL;
}

/* Why pasta cannot run here, or NULL.  pasta opens /dev/net/tun as the
 * caller: root owns it, anyone else needs it world read-write (Debian's
 * udev rules make it 0666; some containers leave it 0600). */
static const char *unusable(char *buf, size_t n)
{
        if (!pasta_path())
                return "pasta (Debian package passt) is not installed";
        if (geteuid() != 0 && access("/dev/net/tun", R_OK | W_OK) < 0) {
                struct stat st;
                if (stat("/dev/net/tun", &st) < 0)
                        return "this machine has no /dev/net/tun (the tun module), which pasta needs";
                snprintf(buf, n, "pasta needs /dev/net/tun readable and writable by uid %u, and it is mode "
                         "%04o here (Debian's udev rules make it 0666: as root, chmod 0666 /dev/net/tun)",
                         (unsigned)geteuid(), (unsigned)(st.st_mode & 07777));
                return buf;
        }
        return NULL;
}

int net_decide(const struct sbx_policy *p, struct plan *plan, struct sbx_error **err)
{
        plan->net = p->net;
        if (p->net != NET_PASTA)
                return 0;
        char buf[256];
        const char *why = unusable(buf, sizeof(buf));
        if (!why)
                return 0;
        struct sbx_loc l = p->scalar_loc[K_NET_MODE];
        switch (p->net_fallback) {
        case NET_FALLBACK_NONE:
                plan->net = NET_NONE;
                return plan_warn(plan, "[network] mode = pasta: %s; the sandbox has no network ([network] "
                                 "fallback = none)", why);
        case NET_FALLBACK_HOST:
                plan->net = NET_HOST;
                return plan_warn(plan, "[network] mode = pasta: %s; the sandbox shares the host's network, "
                                 "its loopback services included ([network] fallback = host)", why);
        case NET_FALLBACK_REFUSE:
                break;
        }
        return sbx_err_at(err, -ENOENT, l.file, l.line,
                          "[network] mode = pasta: %s; refusing to start without it. Install it, or choose "
                          "another network: --set network.mode=host (the host's network, its loopback "
                          "services reachable) or --set network.mode=none (no network)", why);
}

/* The private resolv.conf, in a fresh directory of the caller's
 * (XDG_RUNTIME_DIR when usable: sandboxes rarely see it writable; not
 * when the sandbox's uid cannot pass through it, as a root caller's 0700
 * /run/user/0 is to 65534, which binds the file by its path). */
static int write_resolv(const struct plan *plan, struct net_plan *n, struct sbx_error **err)
{
        const char *base = getenv("XDG_RUNTIME_DIR");
        struct stat st;
        if (!base || base[0] != '/' || stat(base, &st) < 0 || !S_ISDIR(st.st_mode) || access(base, W_OK) < 0 ||
            (st.st_uid != plan->map_uid && !(st.st_mode & S_IXOTH)))
                base = "/tmp";
        if (asprintf(&n->dir, "%s/sbx-net-XXXXXX", base) < 0) {
                n->dir = NULL;
                return -ENOMEM;
        }
        if (!mkdtemp(n->dir)) {
                int e = -errno;
                free(TAKE_PTR(n->dir));
                return sbx_err_setup(err, e, "network", "making a directory under %s", base);
        }
        /* Searchable by the sandbox's uid (65534 for a root caller), which
         * opens the file by this path to bind it; nobody but the caller
         * can list or change it. */
        if (chmod(n->dir, 0711) < 0)
                return sbx_err_setup(err, -errno, "network", "chmod %s", n->dir);
        if (asprintf(&n->resolv, "%s/resolv.conf", n->dir) < 0) {
                n->resolv = NULL;
                return -ENOMEM;
        }
        _cleanup_close_ int fd = open(n->resolv, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
        if (fd < 0)
                return sbx_err_setup(err, -errno, "network", "creating %s", n->resolv);
        static const char text[] = "# sbx: pasta forwards queries sent here to the host's resolver\n"
                                   "nameserver " NET_DNS_FORWARDER "\n";
        if (write(fd, text, sizeof(text) - 1) != (ssize_t)sizeof(text) - 1)
                return sbx_err_setup(err, -EIO, "network", "writing %s", n->resolv);
        return 0;
}

static int build_argv(struct net_plan *n, const char *exe)
{
        static const char *const fixed[] = {
                "--foreground", "--quiet", "--config-net", "--no-map-gw", "-t", "none", "-u", "none",
                "-T", "none", "-U", "none", "--no-dhcp", "--no-dhcpv6", "--no-netns-quit",
                "--dns-forward", NET_DNS_FORWARDER,
                /* fds set by netstack_start(): the sandbox's namespaces
                 * and the pipe pasta writes its pid to once it is ready. */
                "--userns", "/proc/self/fd/3", "--netns", "/proc/self/fd/4", "--pid", "/proc/self/fd/5",
        };
        size_t len = 0, cap = 0;
        int r = strv_add(&n->argv, &len, &cap, strdup(exe));
        for (size_t i = 0; r >= 0 && i < ARRAY_SIZE(fixed); i++)
                r = strv_add(&n->argv, &len, &cap, strdup(fixed[i]));
        /* As root pasta would switch to nobody, who cannot join root's
         * user namespace; it drops every capability of the host's
         * namespace anyway when it joins the sandbox's. */
        if (r >= 0 && geteuid() == 0 && (r = strv_add(&n->argv, &len, &cap, strdup("--runas"))) >= 0)
                r = strv_add(&n->argv, &len, &cap, strdup("0"));
        return r;
}

int net_plan(const struct sbx_policy *p, struct plan *plan, struct sbx_error **err)
{
        if (plan->net != NET_PASTA)
                return 0;
        if (plan->self)
                return sbx_err_at(err, -EINVAL, p->scalar_loc[K_NET_MODE].file, p->scalar_loc[K_NET_MODE].line,
                                  "[network] mode = pasta needs a sandbox of its own: not with sbx_confine()");
        struct net_plan *n = calloc(1, sizeof(*n));
        if (!n)
                return -ENOMEM;
        plan->pasta = n;
        int r;
        if ((r = write_resolv(plan, n, err)) < 0)
                return r;
        if ((r = build_argv(n, pasta_path())) < 0)
                return r;
        /* Bound as the object written here (mount.c checks the inode), not
         * whatever the name holds by then. */
        struct stat st;
        int fd = open(n->resolv, O_PATH | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0 || fstat(fd, &st) < 0) {
                r = -errno;
                if (fd >= 0)
                        close(fd);
                return sbx_err_setup(err, r, "network", "%s", n->resolv);
        }
        struct plan_mount m = { .kind = PM_BIND, .src = n->resolv, .src_fd = fd, .src_dev = st.st_dev,
                                .src_ino = st.st_ino, .dst = "/etc/resolv.conf", .readonly = true,
                                .noexec = true };
        /* The profile's view of the host's resolv.conf (a bind there, with
         * the host's nameservers) gives way to ours. */
        for (size_t i = 0; i < plan->nmounts; i++) {
                struct plan_mount *o = &plan->mounts[i];
                if (strcmp(o->dst, "/etc/resolv.conf") != 0)
                        continue;
                if (o->src_fd >= 0)
                        close(o->src_fd);
                m.loc = o->loc;
                *o = m;
                return 0;
        }
        if ((r = plan_add_mount(plan, &m)) < 0)
                close(fd);
        return r;
}

void net_plan_done(struct net_plan *n)
{
        if (!n)
                return;
        if (n->resolv)
                (void)unlink(n->resolv);
        if (n->dir)
                (void)rmdir(n->dir);
        free(n->resolv);
        free(n->dir);
        strv_free(n->argv);
        free(n);
}
