/* listen.c — [network] listen: low ports without capabilities.
 *
 * A program in a sandbox has no capability in the host's network
 * namespace (a capability kept in the sandbox's user namespace means
 * nothing there), and Landlock's port rules restrict what it may bind.
 * So sbx binds the listed ports itself, as the caller, before the sandbox
 * exists — root, or a caller the system lets bind them (CAP_NET_BIND_SERVICE
 * in its ambient set, net.ipv4.ip_unprivileged_port_start) — and hands the
 * listening sockets over at fds 3, 4, … with LISTEN_FDS, LISTEN_PID and
 * LISTEN_FDNAMES (systemd's socket activation convention), so that servers
 * that support it use them unchanged.  A socket keeps the namespace it was
 * made in: the program may itself have no network at all ([network] mode
 * = none) and still accept connections on the host's port.
 *
 * Parent side, except listen_set_pid() (child, no allocation).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "plan/listen.h"
#include "base/util.h"

/* Room for any pid; the program writes its own (it is not known before
 * it is forked, and in a pid namespace it is the pid it sees). */
#define PID_ENV "LISTEN_PID="
#define PID_ROOM 12

static int parse(const char *v, struct sockaddr_storage *ss, socklen_t *len)
{
        const char *colon = strrchr(v, ':');
        unsigned long port = strtoul(colon ? colon + 1 : v, NULL, 10);
        memset(ss, 0, sizeof(*ss));
        if (!colon || v[0] == '[') {
                struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;
                a->sin6_family = AF_INET6;
                a->sin6_port = htons((uint16_t)port);
                a->sin6_addr = in6addr_any;
                if (colon) {
                        char addr[64];
                        snprintf(addr, sizeof(addr), "%.*s", (int)(colon - v - 2), v + 1);
                        if (inet_pton(AF_INET6, addr, &a->sin6_addr) != 1)
                                return -EINVAL;
                }
                *len = sizeof(*a);
                return 0;
        }
        struct sockaddr_in *a = (struct sockaddr_in *)ss;
        char addr[64];
        snprintf(addr, sizeof(addr), "%.*s", (int)(colon - v), v);
        a->sin_family = AF_INET;
        a->sin_port = htons((uint16_t)port);
        if (inet_pton(AF_INET, addr, &a->sin_addr) != 1)
                return -EINVAL;
        *len = sizeof(*a);
        return 0;
}

/* One listening socket; a bare port listens on every address, IPv4 too
 * (dual stack), or on IPv4 only where the kernel has no IPv6. */
static int open_one(const char *v, const char **step)
{
        struct sockaddr_storage ss;
        socklen_t len;
        if (parse(v, &ss, &len) < 0) {
                *step = "address";
                return -EINVAL;
        }
        int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0 && errno == EAFNOSUPPORT && !strchr(v, ':')) {
                struct sockaddr_in *a = (struct sockaddr_in *)&ss;
                uint16_t port = ((struct sockaddr_in6 *)&ss)->sin6_port;
                memset(&ss, 0, sizeof(ss));
                a->sin_family = AF_INET;
                a->sin_port = port;
                a->sin_addr.s_addr = htonl(INADDR_ANY);
                len = sizeof(*a);
                fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        }
        if (fd < 0) {
                *step = "socket";
                return -errno;
        }
        int one = 1, zero = 0;
        if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
            (ss.ss_family == AF_INET6 && !strchr(v, ':') &&
             setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero)) < 0)) {
                *step = "setsockopt";
                goto fail;
        }
        if (bind(fd, (struct sockaddr *)&ss, len) < 0) {
                *step = "bind";
                goto fail;
        }
        if (listen(fd, SOMAXCONN) < 0) {
                *step = "listen";
                goto fail;
        }
        return fd;
fail:;
        int e = -errno;
        close(fd);
        return e;
}

/* Drop the caller's LISTEN_* from envp (they describe the caller's own
 * sockets) and append ours; envp is a malloc'd strv. */
static int set_env(struct plan *plan, char *add[3])
{
        size_t n = 0, k = 0;
        while (plan->envp && plan->envp[n])
                n++;
        char **v = realloc(plan->envp, (n + 4) * sizeof(char *));
        if (!v)
                return -ENOMEM;
        plan->envp = v;
        for (size_t i = 0; i < n; i++) {
                if (strncmp(v[i], "LISTEN_FDS=", 11) == 0 || strncmp(v[i], "LISTEN_PID=", 11) == 0 ||
                    strncmp(v[i], "LISTEN_FDNAMES=", 15) == 0)
                        free(v[i]);
                else
                        v[k++] = v[i];
        }
        for (int i = 0; i < 3; i++)
                v[k++] = add[i];
        v[k] = NULL;
        return 0;
}

int listen_plan(const struct sbx_policy *p, struct plan *plan, struct sbx_error **err)
{
        const struct strlist *l = &p->listen;
        if (!l->n)
                return 0;
        for (size_t i = 0; i < plan->nkeep; i++)
                if (plan->keep_fds[i] >= 3 && (size_t)plan->keep_fds[i] < 3 + l->n)
                        return sbx_err_kind(err, SBX_ERROR_SETUP, -EBUSY, "listen",
                                            "fd %d is passed to the program, but [network] listen puts its "
                                            "%zu socket(s) at fds 3-%zu (LISTEN_FDS): pass another fd number",
                                            plan->keep_fds[i], l->n, l->n + 2);
        plan->listen_fds = malloc(l->n * sizeof(int));
        if (!plan->listen_fds)
                return -ENOMEM;
        for (size_t i = 0; i < l->n; i++) {
                const char *step = NULL;
                int fd = open_one(l->v[i], &step);
                if (fd < 0) {
                        const struct sbx_loc *loc = &l->loc[i];
                        const char *hint = fd == -EACCES
                                                   ? " (a port below net.ipv4.ip_unprivileged_port_start needs root "
                                                     "or CAP_NET_BIND_SERVICE in the caller's ambient set)"
                                                   : "";
                        if (loc->file)
                                return sbx_err_at(err, fd, loc->file, loc->line, "[network] listen = %s: %s: %s%s",
                                                  l->v[i], step, strerror(-fd), hint);
                        return sbx_err_kind(err, SBX_ERROR_SETUP, fd, "listen", "[network] listen = %s: %s: %s%s",
                                            l->v[i], step, strerror(-fd), hint);
                }
                plan->listen_fds[plan->nlisten++] = fd;
        }

        /* LISTEN_FDNAMES: the entries as written, ':' being its separator
         * (an address's own colons become '_'). */
        size_t len = strlen("LISTEN_FDNAMES=") + 1;
        for (size_t i = 0; i < l->n; i++)
                len += strlen(l->v[i]) + 1;
        char *names = malloc(len), *add[3] = { NULL, NULL, NULL };
        if (!names)
                return -ENOMEM;
        size_t at = (size_t)snprintf(names, len, "LISTEN_FDNAMES=");
        for (size_t i = 0; i < l->n; i++) {
                for (const char *c = l->v[i]; *c; c++)
                        names[at++] = *c == ':' ? '_' : *c;
                if (i + 1 < l->n)
                        names[at++] = ':';
        }
        names[at] = 0;
        add[0] = names;
        if (asprintf(&add[1], "LISTEN_FDS=%zu", l->n) < 0)
                add[1] = NULL;
        add[2] = malloc(strlen(PID_ENV) + PID_ROOM);
        if (!add[1] || !add[2]) {
                free(add[0]);
                free(add[1]);
                free(add[2]);
                return -ENOMEM;
        }
        snprintf(add[2], strlen(PID_ENV) + PID_ROOM, "%s0", PID_ENV);
        int r = set_env(plan, add);
        if (r < 0) {
                for (int i = 0; i < 3; i++)
                        free(add[i]);
                return r;
        }
        plan->listen_pid_env = add[2];
        return 0;
}

void listen_set_pid(const struct plan *plan, pid_t pid)
{
        char *s = plan->listen_pid_env;
        if (!s)
                return;
        /* The program's own copy of the plan (after fork): writing is safe. */
        char d[PID_ROOM];
        size_t k = sizeof(d);
        unsigned v = (unsigned)pid;
        d[--k] = 0;
        do
                d[--k] = (char)('0' + v % 10);
        while ((v /= 10) && k > 0);
        memcpy(s + strlen(PID_ENV), d + k, sizeof(d) - k);
}
