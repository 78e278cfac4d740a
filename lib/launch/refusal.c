/* refusal.c — telling what the sandbox refused, for the layers that refuse
 * without a word to anyone but the refused program: Landlock (EXECUTE,
 * TCP ports, write rights), read-only mounts, file permissions; and what
 * the program cannot see at all (files left in the private home or /tmp,
 * discarded at exit).
 *
 * Runs in the sandbox's init (supervisor.c calls it for a call the filter
 * handed over to be observed, SV_OBSERVE): child side, so fixed buffers
 * only, no allocation, no stdio.  Nothing here decides anything: init
 * answers every observed call with CONTINUE and the kernel refuses or not.
 * This file predicts the kernel's answer from the same facts (the view as
 * init sees it — it shares the program's mount namespace and root — and
 * the plan's rules) so that the user learns which rule refused and the
 * command-line option that would allow it.  What the program passed
 * (paths, addresses) is read from its memory and is only ever used for
 * these reports; init opens paths O_PATH (no content is read), reads
 * their stat and mount flags, and returns.
 */
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
#include "base/util.h"

#ifndef ST_RDONLY
#define ST_RDONLY 1
#endif

static const struct {
        const char *name, *title;
} kinds[RF_COUNT] = {
        [RF_SECCOMP] = { "seccomp", "system call(s) denied by the seccomp filter" },
        [RF_WX] = { "wx", "mapping(s) both writable and executable refused (W^X)" },
        [RF_EXEC] = { "exec", "execution(s) refused by [exec]" },
        [RF_TCP_BIND] = { "tcp-bind", "TCP bind(s) refused by the port rules" },
        [RF_TCP_CONNECT] = { "tcp-connect", "TCP connect(s) refused by the port rules" },
        [RF_ABSTRACT] = { "abstract-socket", "connect(s) to abstract unix sockets outside the sandbox refused" },
        [RF_READONLY] = { "read-only", "write(s) refused on a read-only mount" },
        [RF_PROTECT] = { "protect", "write(s) refused by the persistence protection" },
        [RF_LL_READONLY] = { "landlock-read-only", "write(s) refused by [landlock] read-only" },
        [RF_PERMISSION] = { "permission", "write(s) refused by file permissions" },
        [RF_DISCARDED] = { "discarded", "file(s) left in the private home or /tmp, discarded at exit" },
        [RF_HIDDEN] = { "hidden", "path(s) that exist on the host but are outside the view" },
};

const char *refusal_kind_name(enum refusal_kind k)
{
        return k < RF_COUNT ? kinds[k].name : "?";
}

const char *refusal_kind_title(enum refusal_kind k)
{
        return k < RF_COUNT ? kinds[k].title : "?";
}

size_t rf_cat(char *buf, size_t size, size_t at, const char *s)
{
        if (!size)
                return 0;
        if (at >= size)
                at = size - 1;
        while (s && *s && at + 1 < size)
                buf[at++] = *s++;
        buf[at] = '\0';
        return at;
}

size_t rf_cat_u(char *buf, size_t size, size_t at, uint64_t v)
{
        char t[24];
        size_t i = sizeof(t) - 1;
        t[i] = '\0';
        do
                t[--i] = (char)('0' + v % 10);
        while ((v /= 10) && i);
        return rf_cat(buf, size, at, t + i);
}

/* Program text in a report: control bytes are shown, never passed on. */
static size_t cat_esc(char *buf, size_t size, size_t at, const char *s)
{
        static const char hex[] = "0123456789abcdef";
        for (; s && *s; s++) {
                unsigned char c = (unsigned char)*s;
                if (c < 0x20 || c == 0x7f) {
                        char e[5] = { '\\', 'x', hex[c >> 4], hex[c & 15], 0 };
                        at = rf_cat(buf, size, at, e);
                } else {
                        char e[2] = { (char)c, 0 };
                        at = rf_cat(buf, size, at, e);
                }
        }
        return at;
}

void refusal_tally_add(struct refusal_tally *t, const struct refusal_event *ev)
{
        if (!t || ev->kind >= RF_COUNT)
                return;
        struct refusal_entry *e = &t->e[ev->kind];
        if (e->count++ == 0) {
                rf_cat(e->example, sizeof(e->example), 0, ev->example);
                rf_cat(e->rule, sizeof(e->rule), 0, ev->rule);
                rf_cat(e->override, sizeof(e->override), 0, ev->override);
        }
}

/* ---- reading the call --------------------------------------------------- */

static ssize_t read_mem(int pid, uint64_t addr, void *buf, size_t size)
{
        if (pid <= 0 || !addr)
                return -1;
        struct iovec local = { buf, size }, remote = { (void *)(uintptr_t)addr, size };
        return process_vm_readv(pid, &local, 1, &remote, 1, 0);
}

/* A whole NUL-terminated path (PATH_MAX at most); -1 when unreadable or
 * longer than buf. */
static ssize_t read_path(int pid, uint64_t addr, char *buf, size_t size)
{
        ssize_t n = read_mem(pid, addr, buf, size - 1);
        if (n <= 0)
                return -1;
        buf[n] = '\0';
        size_t len = strnlen(buf, (size_t)n);
        return len == (size_t)n || len == 0 ? -1 : (ssize_t)len;
}

static size_t proc_path(char *buf, size_t size, int pid, const char *what, int fd)
{
        size_t at = rf_cat(buf, size, 0, "/proc/");
        at = pid ? rf_cat_u(buf, size, at, (uint64_t)pid) : rf_cat(buf, size, at, "self");
        at = rf_cat(buf, size, at, what);
        if (fd >= 0)
                at = rf_cat_u(buf, size, at, (uint64_t)fd);
        return at;
}

/* Where the program's `path` starts from: its root for an absolute path
 * (init shares it), its cwd or the directory fd it passed otherwise.
 * Needs the sandbox's /proc for a relative path. */
static int start_dir(int pid, int dirfd, const char *path)
{
        char p[64];
        if (path[0] == '/')
                return open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (dirfd == AT_FDCWD)
                proc_path(p, sizeof(p), pid, "/cwd", -1);
        else if (dirfd >= 0)
                proc_path(p, sizeof(p), pid, "/fd/", dirfd);
        else
                return -1;
        return open(p, O_PATH | O_DIRECTORY | O_CLOEXEC);
}

/* The canonical path of an O_PATH fd, as the sandbox sees it. */
static int fd_canon(int fd, char *buf, size_t size)
{
        char p[64];
        proc_path(p, sizeof(p), 0, "/fd/", fd);
        ssize_t n = readlink(p, buf, size - 1);
        if (n <= 0 || (size_t)n >= size - 1)
                return -1;
        buf[n] = '\0';
        return buf[0] == '/' ? 0 : -1;
}

/* Split path into its directory (copied into dir, "." when none) and its
 * last component (a pointer into path); -1 for "/" or a trailing "..". */
static int split_path(const char *path, char *dir, size_t size, const char **name)
{
        size_t len = strlen(path);
        while (len > 1 && path[len - 1] == '/')
                len--;
        size_t slash = len;
        while (slash > 0 && path[slash - 1] != '/')
                slash--;
        if (slash == len)
                return -1;
        *name = path + slash;
        if (slash == 0)
                rf_cat(dir, size, 0, ".");
        else {
                size_t k = slash > 1 ? slash - 1 : 1;
                if (k >= size)
                        return -1;
                memcpy(dir, path, k);
                dir[k] = '\0';
        }
        /* The name is used up to the first trailing slash. */
        return 0;
}

/* " (COMM, pid N)"; the name is read only now, for a refusal found. */
static void example_tail(struct refusal_event *ev, size_t at, const char *comm, int pid)
{
        char c[32];
        if (!comm) {
                refusal_read_comm(pid, c, sizeof(c));
                comm = c;
        }
        at = rf_cat(ev->example, sizeof(ev->example), at, " (");
        at = cat_esc(ev->example, sizeof(ev->example), at, comm);
        at = rf_cat(ev->example, sizeof(ev->example), at, ", pid ");
        at = rf_cat_u(ev->example, sizeof(ev->example), at, (uint64_t)pid);
        rf_cat(ev->example, sizeof(ev->example), at, ")");
}

void refusal_read_comm(int pid, char *buf, size_t size)
{
        char p[64];
        proc_path(p, sizeof(p), pid, "/comm", -1);
        buf[0] = '\0';
        int fd = open(p, O_RDONLY | O_CLOEXEC);
        if (fd >= 0) {
                ssize_t n = read(fd, buf, size - 1);
                close(fd);
                if (n > 0) {
                        buf[n] = '\0';
                        buf[strcspn(buf, "\n")] = '\0';
                }
        }
        if (!buf[0])
                rf_cat(buf, size, 0, "?");
}

static size_t cat_loc(char *buf, size_t size, size_t at, const struct sbx_loc *l)
{
        if (!l || !l->file)
                return rf_cat(buf, size, at, "the built-in defaults");
        at = rf_cat(buf, size, at, l->file);
        if (l->line) {
                at = rf_cat(buf, size, at, ":");
                at = rf_cat_u(buf, size, at, l->line);
        }
        return at;
}

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
                proc_path(p, sizeof(p), pid, "/fd/", dirfd);
                fd = open(p, O_PATH | O_CLOEXEC);
        } else {
                if (read_path(pid, n->data.args[at ? 1 : 0], path, sizeof(path)) < 0)
                        return 0;
                int base = start_dir(pid, dirfd, path);
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
        int ok = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 0111) && fd_canon(fd, canon, sizeof(canon)) == 0;
        close(fd);
        if (!ok || !exec_explain(plan, canon, ev->rule, sizeof(ev->rule), ev->override, sizeof(ev->override)))
                return 0;
        ev->kind = RF_EXEC;
        example_tail(ev, cat_esc(ev->example, sizeof(ev->example), 0, canon), comm, pid);
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
        if (read_mem((int)n->pid, n->data.args[1], &sa, len) != (ssize_t)len || sa.sun_family != AF_UNIX ||
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
        example_tail(ev, cat_esc(ev->example, sizeof(ev->example), at, name), comm, (int)n->pid);
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
                if (read_mem((int)n->pid, n->data.args[1], &fam, sizeof(fam)) == sizeof(fam) && fam == AF_UNIX)
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
        if (read_mem((int)n->pid, n->data.args[1], &sa, len < sizeof(sa) ? len : sizeof(sa)) <
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
        example_tail(ev, rf_cat_u(ev->example, sizeof(ev->example), at, port), comm, (int)n->pid);
        at = rf_cat(ev->rule, sizeof(ev->rule), 0, "port ");
        at = rf_cat_u(ev->rule, sizeof(ev->rule), at, port);
        at = rf_cat(ev->rule, sizeof(ev->rule), at, " is not in [network] ");
        at = rf_cat(ev->rule, sizeof(ev->rule), at, key);
        if (l->n) {
                at = rf_cat(ev->rule, sizeof(ev->rule), at, " (");
                at = cat_loc(ev->rule, sizeof(ev->rule), at, &l->loc[l->n - 1]);
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

/* ---- writes -------------------------------------------------------------- */

enum wop { W_NONE, W_WRITE, W_CREATE, W_REMOVE };

struct wcall {
        enum wop op;
        int dirfd;
        uint64_t path;
        bool follow; /* open follows a final symlink */
};

static struct wcall write_call(const struct seccomp_notif *n)
{
        const uint64_t *a = (const uint64_t *)n->data.args;
        struct wcall w = { W_NONE, AT_FDCWD, 0, false };
        uint64_t flags = 0;
        switch (n->data.nr) {
        case __NR_open:
                w.path = a[0];
                flags = (uint32_t)a[1];
                break;
        case __NR_openat:
                w = (struct wcall){ W_NONE, (int)a[0], a[1], false };
                flags = (uint32_t)a[2];
                break;
        case __NR_openat2: {
                struct open_how how;
                if (read_mem((int)n->pid, a[2], &how, sizeof(how)) != (ssize_t)sizeof(how))
                        return w;
                w = (struct wcall){ W_NONE, (int)a[0], a[1], false };
                flags = how.flags;
                break;
        }
        case __NR_creat:
                w.path = a[0];
                flags = O_CREAT | O_WRONLY | O_TRUNC;
                break;
        case __NR_truncate:
                return (struct wcall){ W_WRITE, AT_FDCWD, a[0], true };
        case __NR_mkdir:
        case __NR_mknod:
                return (struct wcall){ W_CREATE, AT_FDCWD, a[0], false };
        case __NR_mkdirat:
        case __NR_mknodat:
                return (struct wcall){ W_CREATE, (int)a[0], a[1], false };
        case __NR_unlink:
        case __NR_rmdir:
                return (struct wcall){ W_REMOVE, AT_FDCWD, a[0], false };
        case __NR_unlinkat:
                return (struct wcall){ W_REMOVE, (int)a[0], a[1], false };
        case __NR_rename:
        case __NR_link:
        case __NR_symlink:
                return (struct wcall){ W_CREATE, AT_FDCWD, a[1], false };
        case __NR_renameat:
        case __NR_renameat2:
        case __NR_linkat:
                return (struct wcall){ W_CREATE, (int)a[2], a[3], false };
        case __NR_symlinkat:
                return (struct wcall){ W_CREATE, (int)a[1], a[2], false };
        default:
                return w;
        }
        if (!(flags & (O_WRONLY | O_RDWR | O_CREAT | O_TRUNC)))
                return w;
        w.op = (flags & O_CREAT) ? W_CREATE : W_WRITE;
        w.follow = !(flags & O_NOFOLLOW);
        return w;
}

/* Is `path` beneath (or equal to) `dir`? */
static bool under(const char *path, const char *dir)
{
        return path_under(path, dir) != NULL;
}

/* The host path behind an inside path, through the mount covering it. */
static bool host_of(const struct plan_mount *m, const char *canon, char *buf, size_t size)
{
        if (!m || m->kind != PM_BIND || !m->src)
                return false;
        const char *rest = path_under(canon, m->dst);
        if (!rest)
                return false;
        size_t at = rf_cat(buf, size, 0, strcmp(m->src, "/") == 0 && *rest ? "" : m->src);
        at = rf_cat(buf, size, at, rest);
        return at + 1 < size;
}

static bool access_ok(int pid, int dirfd, const char *path, bool follow)
{
        int base = AT_FDCWD;
        if (path[0] != '/' && (base = start_dir(pid, dirfd, path)) < 0)
                return false;
        int r = (int)syscall(SYS_faccessat2, base, path, W_OK, AT_EACCESS | (follow ? 0 : AT_SYMLINK_NOFOLLOW));
        int e = errno;
        if (base >= 0)
                close(base);
        /* A missing file is not a refusal (ENOENT is the program's). */
        return r == 0 || e == ENOENT || e == ENOTDIR;
}

static bool allowed_fast(int pid, const struct wcall *w, const char *path, const char *dir)
{
        if (w->op == W_WRITE)
                return access_ok(pid, w->dirfd, path, w->follow);
        if (w->op == W_CREATE && w->follow) {
                /* open(O_CREAT) of a file that exists writes it. */
                int base = AT_FDCWD;
                if (path[0] != '/' && (base = start_dir(pid, w->dirfd, path)) < 0)
                        return false;
                int r = (int)syscall(SYS_faccessat2, base, path, W_OK, AT_EACCESS);
                int e = errno;
                if (base >= 0)
                        close(base);
                if (r == 0)
                        return true;
                if (e != ENOENT)
                        return false;
        }
        return access_ok(pid, w->dirfd, dir, true);
}

static const char *op_word(enum wop op)
{
        return op == W_CREATE ? "create " : op == W_REMOVE ? "remove " : "write ";
}

static int explain_write(const struct plan *plan, const struct seccomp_notif *n, struct refusal_event *ev,
                         const char *comm)
{
        struct wcall w = write_call(n);
        char path[4096], dir[4096], pcanon[4096], canon[4096], host[4096];
        const char *name;
        int pid = (int)n->pid;
        if (w.op == W_NONE || read_path(pid, w.path, path, sizeof(path)) < 0 ||
            split_path(path, dir, sizeof(dir), &name) < 0 || strcmp(name, "..") == 0 || strcmp(name, ".") == 0)
                return 0;
        /* Most writes are allowed: when only the mounts and the file
         * permissions can refuse (no Landlock-only write rule in the
         * plan), one faccessat2 from init — same uid, and it answers
         * EROFS for a read-only mount — clears them without resolving
         * anything. */
        if (plan->nprotect_ll == 0 && plan->policy->ll_readonly.n == 0 && allowed_fast(pid, &w, path, dir))
                return 0;
        char base_name[256];
        size_t nl = strcspn(name, "/");
        if (nl >= sizeof(base_name))
                return 0;
        memcpy(base_name, name, nl);
        base_name[nl] = '\0';

        int start = start_dir(pid, w.dirfd, path);
        if (start < 0)
                return 0;
        int parent = openat(start, dir[0] == '/' ? (dir[1] ? dir + 1 : ".") : dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
        close(start);
        if (parent < 0)
                return 0;
        int target = openat(parent, base_name, O_PATH | O_CLOEXEC | (w.follow ? 0 : O_NOFOLLOW));
        int r = 0;
        if (fd_canon(parent, pcanon, sizeof(pcanon)) < 0)
                goto out;
        if (w.op == W_CREATE && target >= 0) {
                /* Opening an existing file with O_CREAT writes it. */
                if (n->data.nr != __NR_open && n->data.nr != __NR_openat && n->data.nr != __NR_openat2 &&
                    n->data.nr != __NR_creat)
                        goto out; /* EEXIST, or a rename onto it: not explained */
                w.op = W_WRITE;
        }
        if (w.op != W_CREATE && target < 0)
                goto out; /* ENOENT */
        if (w.op == W_WRITE) {
                struct stat st;
                if (fstat(target, &st) < 0 || !S_ISREG(st.st_mode) || fd_canon(target, canon, sizeof(canon)) < 0)
                        goto out;
        } else {
                size_t at = rf_cat(canon, sizeof(canon), 0, pcanon);
                if (strcmp(pcanon, "/") != 0)
                        at = rf_cat(canon, sizeof(canon), at, "/");
                if (rf_cat(canon, sizeof(canon), at, base_name) + 1 >= sizeof(canon))
                        goto out;
        }
        int checkfd = w.op == W_WRITE ? target : parent;
        size_t at;

        /* The persistence protection: an existing point is re-bound
         * read-only onto itself; a missing one may not be created, and its
         * directory gets no new entry at all (Landlock). */
        for (size_t i = 0; i < plan->nmounts; i++) {
                const struct plan_mount *m = &plan->mounts[i];
                if (m->kind == PM_REBIND && m->readonly && under(canon, m->dst) && w.op != W_CREATE) {
                        ev->kind = RF_PROTECT;
                        at = rf_cat(ev->rule, sizeof(ev->rule), 0, m->dst);
                        rf_cat(ev->rule, sizeof(ev->rule), at,
                               " is a protected persistence point, read-only in every sandbox ([filesystem] protect)");
                        if (host_of(plan_mount_covering(plan, m->dst), m->dst, host, sizeof(host))) {
                                at = rf_cat(ev->override, sizeof(ev->override), 0, "--set filesystem.protect=!");
                                rf_cat(ev->override, sizeof(ev->override), at, host);
                        }
                        goto found;
                }
        }
        for (size_t i = 0; i < plan->nprotect_ll && w.op == W_CREATE; i++) {
                const char *pt = plan->protect_ll[i];
                bool same = strcmp(pt, canon) == 0;
                const char *rest = path_under(pt, pcanon);
                bool child = rest && rest[0] == '/' && !strchr(rest + 1, '/');
                if (!same && !child)
                        continue;
                ev->kind = RF_PROTECT;
                if (same) {
                        at = rf_cat(ev->rule, sizeof(ev->rule), 0, pt);
                        rf_cat(ev->rule, sizeof(ev->rule), at,
                               " is a persistence point no sandbox may create ([filesystem] protect)");
                        if (host_of(plan_mount_covering(plan, pt), pt, host, sizeof(host))) {
                                at = rf_cat(ev->override, sizeof(ev->override), 0, "--set filesystem.protect=!");
                                rf_cat(ev->override, sizeof(ev->override), at, host);
                        }
                } else {
                        at = rf_cat(ev->rule, sizeof(ev->rule), 0, "no new entry in ");
                        at = rf_cat(ev->rule, sizeof(ev->rule), at, pcanon);
                        at = rf_cat(ev->rule, sizeof(ev->rule), at, ": persistence points there (");
                        at = rf_cat(ev->rule, sizeof(ev->rule), at, pt);
                        /* No single option lifts it; working in a directory
                         * that holds no persistence point does. */
                        rf_cat(ev->rule, sizeof(ev->rule), at,
                               ", ...) do not exist and must not be created ([filesystem] protect); "
                               "work in a subdirectory");
                }
                goto found;
        }

        struct statfs sf;
        if (fstatfs(checkfd, &sf) == 0 && (sf.f_flags & ST_RDONLY)) {
                const struct plan_mount *m = plan_mount_covering(plan, canon);
                ev->kind = RF_READONLY;
                const struct sbx_policy *p = plan->policy;
                if (m && m->kind == PM_BIND && m->src) {
                        at = rf_cat(ev->rule, sizeof(ev->rule), 0, m->dst);
                        at = rf_cat(ev->rule, sizeof(ev->rule), at, " is bound read-only (");
                        at = cat_loc(ev->rule, sizeof(ev->rule), at, m->loc);
                        rf_cat(ev->rule, sizeof(ev->rule), at, ")");
                        if (plan->cwd && strcmp(m->dst, plan->cwd) == 0 && p->cwd_bind == CWD_RO) {
                                rf_cat(ev->override, sizeof(ev->override), 0, "--set filesystem.cwd-bind=rw");
                        } else {
                                at = rf_cat(ev->override, sizeof(ev->override), 0, "--bind ");
                                at = rf_cat(ev->override, sizeof(ev->override), at, m->src);
                                if (strcmp(m->src, m->dst) != 0) {
                                        at = rf_cat(ev->override, sizeof(ev->override), at, ":");
                                        rf_cat(ev->override, sizeof(ev->override), at, m->dst);
                                }
                        }
                } else {
                        at = rf_cat(ev->rule, sizeof(ev->rule), 0, pcanon);
                        rf_cat(ev->rule, sizeof(ev->rule), at,
                               " is in the view's read-only root (only binds and tmpfs mounts are writable)");
                        at = rf_cat(ev->override, sizeof(ev->override), 0, "--set filesystem.tmpfs=");
                        rf_cat(ev->override, sizeof(ev->override), at, pcanon);
                }
                goto found;
        }
        const struct strlist *ro = &plan->policy->ll_readonly;
        for (size_t i = 0; i < ro->n; i++) {
                if (!under(canon, ro->v[i]))
                        continue;
                ev->kind = RF_LL_READONLY;
                at = rf_cat(ev->rule, sizeof(ev->rule), 0, "[landlock] read-only = ");
                at = rf_cat(ev->rule, sizeof(ev->rule), at, ro->v[i]);
                at = rf_cat(ev->rule, sizeof(ev->rule), at, " (");
                at = cat_loc(ev->rule, sizeof(ev->rule), at, &ro->loc[i]);
                rf_cat(ev->rule, sizeof(ev->rule), at, ")");
                at = rf_cat(ev->override, sizeof(ev->override), 0, "--set landlock.read-only=!");
                rf_cat(ev->override, sizeof(ev->override), at, ro->v[i]);
                goto found;
        }
        /* File permissions, with the program's own credentials (init has
         * the same uid and groups, and no capabilities). */
        if (syscall(SYS_faccessat2, checkfd, "", W_OK, AT_EMPTY_PATH | AT_EACCESS) < 0 && errno == EACCES) {
                struct stat st;
                ev->kind = RF_PERMISSION;
                at = rf_cat(ev->rule, sizeof(ev->rule), 0, "the sandbox runs as uid ");
                at = rf_cat_u(ev->rule, sizeof(ev->rule), at, plan->inside_uid);
                at = rf_cat(ev->rule, sizeof(ev->rule), at, ", which may not write ");
                at = rf_cat(ev->rule, sizeof(ev->rule), at, w.op == W_WRITE ? canon : pcanon);
                if (fstat(checkfd, &st) == 0) {
                        /* A host owner the sandbox does not map shows as
                         * the overflow uid: say it is someone else. */
                        bool own = st.st_uid == plan->inside_uid && !(st.st_mode & S_IWUSR);
                        at = rf_cat(ev->rule, sizeof(ev->rule), at, own ? " (its own, mode 0" : " (another user's, mode 0");
                        char mode[8] = { (char)('0' + ((st.st_mode >> 6) & 7)), (char)('0' + ((st.st_mode >> 3) & 7)),
                                         (char)('0' + (st.st_mode & 7)), ')', 0 };
                        rf_cat(ev->rule, sizeof(ev->rule), at, mode);
                }
                if (plan->caller_is_root && !plan->policy->keep_root && plan->inside_uid != 0)
                        rf_cat(ev->override, sizeof(ev->override), 0, "--set namespaces.keep-root=yes");
                goto found;
        }
        goto out;
found:
        at = rf_cat(ev->example, sizeof(ev->example), 0, op_word(w.op));
        example_tail(ev, cat_esc(ev->example, sizeof(ev->example), at, canon), comm, pid);
        r = 1;
out:
        if (target >= 0)
                close(target);
        close(parent);
        return r;
}

/* ---- paths outside the view (with --log-denials) ------------------------- */

/* Where a path-reading call names its path. */
static bool read_path_args(const struct seccomp_notif *n, int *dirfd, uint64_t *path)
{
        const uint64_t *a = (const uint64_t *)n->data.args;
        switch (n->data.nr) {
        case __NR_open:
        case __NR_stat:
        case __NR_lstat:
        case __NR_access:
        case __NR_creat:
        case __NR_mkdir:
                *dirfd = AT_FDCWD, *path = a[0];
                return true;
        case __NR_openat:
        case __NR_openat2:
        case __NR_newfstatat:
        case __NR_statx:
        case __NR_faccessat:
        case __NR_faccessat2:
        case __NR_mkdirat:
                *dirfd = (int)a[0], *path = a[1];
                return true;
        default:
                return false;
        }
}

/* Collapse "//", "." and ".." of an absolute path in place. */
static void normalise(char *p)
{
        char *out = p;
        const char *s = p;
        while (*s) {
                while (*s == '/')
                        s++;
                const char *e = s;
                while (*e && *e != '/')
                        e++;
                size_t len = (size_t)(e - s);
                if (len == 0)
                        break;
                if (len == 1 && s[0] == '.') {
                } else if (len == 2 && s[0] == '.' && s[1] == '.') {
                        while (out > p && *--out != '/')
                                ;
                } else {
                        *out++ = '/';
                        memmove(out, s, len);
                        out += len;
                }
                s = e;
        }
        if (out == p)
                *out++ = '/';
        *out = '\0';
}

/* A path missing in the sandbox, outside every bind (where the view is
 * sbx's own skeleton): a candidate for "exists on the host", which only
 * the parent can check.  The first missing component is what to bind. */
static int explain_hidden(const struct plan *plan, const struct seccomp_notif *n, struct refusal_event *ev)
{
        char path[4096], abs[4096];
        int dirfd, pid = (int)n->pid;
        uint64_t addr;
        if (!read_path_args(n, &dirfd, &addr) || read_path(pid, addr, path, sizeof(path)) < 0)
                return 0;
        int start = start_dir(pid, dirfd, path);
        if (start < 0)
                return 0;
        struct stat st;
        int r = fstatat(start, path[0] == '/' ? (path[1] ? path + 1 : ".") : path, &st, 0);
        int e = errno;
        if (r == 0 || e != ENOENT || (path[0] != '/' && fd_canon(start, abs, sizeof(abs)) < 0)) {
                close(start);
                return 0;
        }
        close(start);
        size_t at = path[0] == '/' ? 0 : strlen(abs);
        if (path[0] != '/')
                at = rf_cat(abs, sizeof(abs), at, "/");
        if (rf_cat(abs, sizeof(abs), at, path) + 1 >= sizeof(abs))
                return 0;
        normalise(abs);
        /* The record to the parent is tab- and line-separated. */
        if (strpbrk(abs, "\t\n\x1e"))
                return 0;
        const struct plan_mount *m = plan_mount_covering(plan, abs);
        if (m)
                return 0; /* within a bind or a private tmpfs: missing there is missing */
        for (size_t i = 0; i < plan->nmounts; i++)
                if (plan->mounts[i].kind == PM_MASK && under(abs, plan->mounts[i].dst))
                        return 0;
        /* The first component missing in the view. */
        char top[4096];
        size_t k = 0;
        rf_cat(top, sizeof(top), 0, abs);
        for (;;) {
                char *slash = strchr(top + k + 1, '/');
                if (slash)
                        *slash = '\0';
                if (fstatat(AT_FDCWD, top, &st, AT_SYMLINK_NOFOLLOW) < 0)
                        break;
                if (!slash)
                        return 0;
                *slash = '/';
                k = (size_t)(slash - top);
        }
        /* A whole top-level directory (/var, /srv) is more than the
         * program asked for: then the directory holding the path. */
        if (!strchr(top + 1, '/') && strcmp(top, abs) != 0) {
                rf_cat(top, sizeof(top), 0, abs);
                *strrchr(top, '/') = '\0';
        }
        ev->kind = RF_HIDDEN;
        rf_cat(ev->rule, sizeof(ev->rule), 0, abs);
        rf_cat(ev->override, sizeof(ev->override), 0, top);
        example_tail(ev, cat_esc(ev->example, sizeof(ev->example), 0, abs), NULL, pid);
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
                if (explain_write(plan, n, ev, comm) > 0)
                        return 1;
                memset(ev, 0, sizeof(*ev));
                return (plan->seccomp.observe & SC_OBS_READ) ? explain_hidden(plan, n, ev) : 0;
        }
}

/* ---- files left behind -------------------------------------------------- */

struct scan {
        dev_t dev;      /* the tmpfs's: bind mounts inside it are not its files */
        unsigned files;
        unsigned budget; /* entries looked at, at most */
        char first[RF_TEXT];
        bool first_visible; /* not under a dot directory */
};

static void scan_dir(int dfd, char *path, size_t len, size_t cap, int depth, bool hidden, struct scan *s)
{
        char buf[4096];
        for (;;) {
                long n = syscall(SYS_getdents64, dfd, buf, sizeof(buf));
                if (n <= 0)
                        return;
                for (long off = 0; off < n;) {
                        struct dirent64 *d = (struct dirent64 *)(buf + off);
                        off += d->d_reclen;
                        if (!strcmp(d->d_name, ".") || !strcmp(d->d_name, ".."))
                                continue;
                        if (s->budget == 0)
                                return;
                        s->budget--;
                        struct stat st;
                        if (fstatat(dfd, d->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 || st.st_dev != s->dev)
                                continue;
                        size_t k = rf_cat(path, cap, len, "/");
                        k = rf_cat(path, cap, k, d->d_name);
                        bool dot = hidden || d->d_name[0] == '.';
                        if (S_ISREG(st.st_mode)) {
                                s->files++;
                                if (!s->first[0] || (!dot && !s->first_visible)) {
                                        rf_cat(s->first, sizeof(s->first), 0, path);
                                        s->first_visible = !dot;
                                }
                        } else if (S_ISDIR(st.st_mode) && depth < 6) {
                                int c = openat(dfd, d->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                                if (c >= 0) {
                                        scan_dir(c, path, k, cap, depth + 1, dot, s);
                                        close(c);
                                }
                        }
                        path[len] = '\0';
                }
        }
}

void refusal_scan_discarded(const struct plan *plan, struct refusal_tally *t)
{
        struct scan s = { .budget = 4096 };
        char path[1024];
        const char *where[2] = { NULL, NULL };
        for (size_t i = 0; i < plan->nmounts; i++) {
                const struct plan_mount *m = &plan->mounts[i];
                /* Only a tmpfs that is what the program sees there (a bind
                 * of the caller's directory may cover it). */
                if (m->kind != PM_TMPFS || plan_mount_covering(plan, m->dst) != m)
                        continue;
                if (plan->home && strcmp(m->dst, plan->home) == 0)
                        where[0] = m->dst;
                else if (strcmp(m->dst, "/tmp") == 0)
                        where[1] = m->dst;
        }
        for (int i = 0; i < 2; i++) {
                if (!where[i])
                        continue;
                int fd = open(where[i], O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                struct stat st;
                if (fd < 0)
                        continue;
                if (fstat(fd, &st) == 0) {
                        s.dev = st.st_dev;
                        rf_cat(path, sizeof(path), 0, strcmp(where[i], "/") ? where[i] : "");
                        scan_dir(fd, path, strlen(path), sizeof(path), 0, false, &s);
                }
                close(fd);
        }
        if (!s.files)
                return;
        struct refusal_event ev = { .kind = RF_DISCARDED };
        size_t at = cat_esc(ev.example, sizeof(ev.example), 0, s.first);
        if (s.files > 1) {
                at = rf_cat(ev.example, sizeof(ev.example), at, " and ");
                at = rf_cat_u(ev.example, sizeof(ev.example), at, s.files - 1);
                rf_cat(ev.example, sizeof(ev.example), at, " more");
        }
        rf_cat(ev.rule, sizeof(ev.rule), 0,
               "the private home ([filesystem] home = tmpfs) and /tmp are discarded when the sandbox ends");
        /* Keeping them means binding a host directory where they were
         * written (DIR is the user's choice). */
        char dir[RF_TEXT];
        rf_cat(dir, sizeof(dir), 0, s.first);
        char *slash = strrchr(dir, '/');
        if (slash && slash != dir)
                *slash = '\0';
        at = rf_cat(ev.override, sizeof(ev.override), 0, "--bind DIR:");
        rf_cat(ev.override, sizeof(ev.override), at, dir);
        refusal_tally_add(t, &ev);
        t->e[RF_DISCARDED].count = s.files;
}
