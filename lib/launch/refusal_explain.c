/* refusal_explain.c — which layer will refuse an observed call, for
 * executions (execve after sbx's own: [exec] through Landlock, deny masks,
 * noexec mounts) and the network (TCP binds and connects under Landlock's
 * port rules, connects to abstract unix sockets outside the sandbox), and
 * the entry point that hands the other calls to refusal_files.c.  Child
 * side, in init: fixed buffers, no allocation (see refusal.c). */
#include <dirent.h>
#include <stddef.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <unistd.h>

#include "base/path.h"
#include "plan/exec.h"
#include "plan/plan.h"
#include "launch/refusal.h"
#include "launch/refusal_files.h"
#include "base/util.h"

/* ---- exec ---------------------------------------------------------------- */

static int explain_exec(const struct plan *plan, const struct seccomp_notif *n, struct refusal_event *ev,
                        const char *comm)
{
        char path[4096], canon[4096];
        bool at = n->data.nr == __NR_execveat;
        int dirfd = at ? (int)n->data.args[0] : AT_FDCWD;
        int pid = (int)n->pid;
        int fd;

        if (at && (n->data.args[4] & AT_EMPTY_PATH)) {
                char p[64];
                rf_proc_path(p, sizeof(p), pid, "/fd/", dirfd);
                fd = open(p, O_PATH | O_CLOEXEC);
        } else {
                if (rf_read_path(pid, n->data.args[at ? 1 : 0], path, sizeof(path)) < 0)
                        return 0;
                int base = rf_start_dir(pid, dirfd, path);
                if (base < 0)
                        return 0;
                fd = openat(base, path[0] == '/' ? path + 1 : path, O_PATH | O_CLOEXEC);
                if (fd < 0 && path[0] == '/' && !path[1])
                        fd = -1;
                close(base);
        }
        if (fd < 0)
                return 0; /* missing: ENOENT, not a refusal */
        struct stat st;
        int ok = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 0111) && rf_fd_canon(fd, canon, sizeof(canon)) == 0;
        close(fd);
        if (!ok || !exec_explain(plan, canon, ev->rule, sizeof(ev->rule), ev->override, sizeof(ev->override)))
                return 0;
        ev->kind = RF_EXEC;
        rf_example_tail(ev, rf_cat_esc(ev->example, sizeof(ev->example), 0, canon), comm, pid);
        return 1;
}

/* ---- TCP ports ----------------------------------------------------------- */

/* The socket's protocol, from a copy of the program's fd (init may take
 * it: same uid, and the program is dumpable after its execve). */
static int socket_protocol(int pid, int fd)
{
        int pfd = (int)syscall(SYS_pidfd_open, (pid_t)pid, 0);
        if (pfd < 0)
                return -1;
        int s = (int)syscall(SYS_pidfd_getfd, pfd, fd, 0);
        close(pfd);
        if (s < 0)
                return -1;
        int proto = -1;
        socklen_t len = sizeof(proto);
        if (getsockopt(s, SOL_SOCKET, SO_PROTOCOL, &proto, &len) < 0)
                proto = -1;
        close(s);
        return proto;
}

static bool port_listed(const uint16_t *v, size_t n, unsigned port)
{
        for (size_t i = 0; i < n; i++)
                if (v[i] == port)
                        return true;
        return false;
}

/* Is there a listening abstract unix socket @name in init's network
 * namespace (the host's, with [network] mode = host)?  /proc/net/unix
 * ends each line with the path, '@' for an abstract one. */
static bool abstract_listener(const char *name, size_t len)
{
        int fd = open("/proc/net/unix", O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return false;
        char buf[8192];
        size_t have = 0;
        bool found = false;
        for (;;) {
                ssize_t k = read(fd, buf + have, sizeof(buf) - 1 - have);
                if (k <= 0)
                        break;
                have += (size_t)k;
                buf[have] = '\0';
                char *line = buf, *nl;
                while ((nl = strchr(line, '\n'))) {
                        *nl = '\0';
                        char *at = strrchr(line, ' ');
                        if (at && at[1] == '@' && strlen(at + 2) == len && memcmp(at + 2, name, len) == 0)
                                found = true;
                        line = nl + 1;
                }
                have = strlen(line);
                memmove(buf, line, have);
                if (have == sizeof(buf) - 1)
                        have = 0; /* a line longer than the buffer: not a name we can match */
        }
        close(fd);
        return found;
}

static int explain_abstract(const struct plan *plan, const struct seccomp_notif *n, struct refusal_event *ev,
                            const char *comm)
{
        if (!(plan->landlock.scoped & LL_SCOPE_ABSTRACT_UNIX_SOCKET) || plan->policy->net != NET_HOST)
                return 0;
        struct sockaddr_un sa;
        size_t len = (size_t)(uint32_t)n->data.args[2];
        size_t off = offsetof(struct sockaddr_un, sun_path);
        if (len <= off + 1 || len > sizeof(sa))
                return 0;
        if (rf_read_mem((int)n->pid, n->data.args[1], &sa, len) != (ssize_t)len || sa.sun_family != AF_UNIX ||
            sa.sun_path[0] != '\0')
                return 0;
        char name[sizeof(sa.sun_path)];
        size_t nlen = len - off - 1;
        memcpy(name, sa.sun_path + 1, nlen);
        name[nlen] = '\0';
        if (memchr(name, '\0', nlen) || !abstract_listener(name, nlen))
                return 0;
        ev->kind = RF_ABSTRACT;
        size_t at = rf_cat(ev->example, sizeof(ev->example), 0, "connect to @");
        rf_example_tail(ev, rf_cat_esc(ev->example, sizeof(ev->example), at, name), comm, (int)n->pid);
        rf_cat(ev->rule, sizeof(ev->rule), 0,
               "Landlock scopes abstract unix sockets to the sandbox, and the one listening is outside it "
               "([network] mode = host shares the host's); no option lifts only this scope "
               "(--set landlock.enabled=no turns off all of Landlock)");
        return 1;
}

static int explain_net(const struct plan *plan, const struct seccomp_notif *n, struct refusal_event *ev,
                       const char *comm)
{
        const struct landlock_plan *lp = &plan->landlock;
        if (n->data.nr == __NR_connect && lp->enabled) {
                sa_family_t fam = 0;
                if (rf_read_mem((int)n->pid, n->data.args[1], &fam, sizeof(fam)) == sizeof(fam) && fam == AF_UNIX)
                        return explain_abstract(plan, n, ev, comm);
        }
        bool bind_call = n->data.nr == __NR_bind;
        uint64_t need = bind_call ? LL_NET_BIND_TCP : LL_NET_CONNECT_TCP;
        if (!lp->enabled || !(lp->handled_net & need))
                return 0;
        struct sockaddr_in6 sa;
        memset(&sa, 0, sizeof(sa));
        size_t len = (size_t)(uint32_t)n->data.args[2];
        if (len < sizeof(sa_family_t) + sizeof(in_port_t))
                return 0;
        if (rf_read_mem((int)n->pid, n->data.args[1], &sa, len < sizeof(sa) ? len : sizeof(sa)) <
            (ssize_t)(sizeof(sa_family_t) + sizeof(in_port_t)))
                return 0;
        if (sa.sin6_family != AF_INET && sa.sin6_family != AF_INET6)
                return 0;
        unsigned port = ntohs(sa.sin6_port); /* same offset in sockaddr_in */
        if (bind_call && port == 0)
                return 0;
        if (bind_call ? port_listed(lp->bind_ports, lp->nbind, port)
                      : port_listed(lp->connect_ports, lp->nconnect, port))
                return 0;
        if (socket_protocol((int)n->pid, (int)n->data.args[0]) != IPPROTO_TCP)
                return 0;

        const char *key = bind_call ? "tcp-bind" : "tcp-connect";
        const struct strlist *l = bind_call ? &plan->policy->tcp_bind : &plan->policy->tcp_connect;
        ev->kind = bind_call ? RF_TCP_BIND : RF_TCP_CONNECT;
        size_t at = rf_cat(ev->example, sizeof(ev->example), 0, bind_call ? "bind to port " : "connect to port ");
        rf_example_tail(ev, rf_cat_u(ev->example, sizeof(ev->example), at, port), comm, (int)n->pid);
        at = rf_cat(ev->rule, sizeof(ev->rule), 0, "port ");
        at = rf_cat_u(ev->rule, sizeof(ev->rule), at, port);
        at = rf_cat(ev->rule, sizeof(ev->rule), at, " is not in [network] ");
        at = rf_cat(ev->rule, sizeof(ev->rule), at, key);
        if (l->n) {
                at = rf_cat(ev->rule, sizeof(ev->rule), at, " (");
                at = rf_cat_loc(ev->rule, sizeof(ev->rule), at, &l->loc[l->n - 1]);
                rf_cat(ev->rule, sizeof(ev->rule), at, ")");
        } else {
                rf_cat(ev->rule, sizeof(ev->rule), at, " (none listed)");
        }
        at = rf_cat(ev->override, sizeof(ev->override), 0, "--set network.");
        at = rf_cat(ev->override, sizeof(ev->override), at, key);
        at = rf_cat(ev->override, sizeof(ev->override), at, "=");
        at = rf_cat_u(ev->override, sizeof(ev->override), at, port);
        /* A port below 1024 also needs a privilege the sandbox never has
         * in the host's network: sbx can bind it before the launch. */
        if (bind_call && port < 1024) {
                at = rf_cat(ev->override, sizeof(ev->override), at,
                            " (below 1024 the kernel also refuses the sandbox: let sbx bind it, --set network.listen=");
                at = rf_cat_u(ev->override, sizeof(ev->override), at, port);
                rf_cat(ev->override, sizeof(ev->override), at, ", for a program that takes LISTEN_FDS)");
        }
        return 1;
}

int refusal_explain_call(const struct plan *plan, const struct seccomp_notif *n, struct refusal_event *ev)
{
        const char *comm = NULL; /* read once a refusal is found */
        memset(ev, 0, sizeof(*ev));
        switch (n->data.nr) {
        case __NR_execve:
        case __NR_execveat:
                return explain_exec(plan, n, ev, comm);
        case __NR_bind:
        case __NR_connect:
                return explain_net(plan, n, ev, comm);
        default:
                if (refusal_explain_write(plan, n, ev, comm) > 0)
                        return 1;
                memset(ev, 0, sizeof(*ev));
                return (plan->seccomp.observe & SC_OBS_READ) ? refusal_explain_hidden(plan, n, ev) : 0;
        }
}
