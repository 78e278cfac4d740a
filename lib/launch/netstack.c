/* netstack.c — pasta for a sandbox with [network] mode = pasta: started by
 * spawn_plan() once the sandbox's namespaces exist, waited for before the
 * program runs, ended when the sandbox is reaped (plan/net.c decides the
 * command line and says what it leaves open).
 *
 * Why pasta is not in a sandbox of sbx's: to reach the sandbox's network
 * namespace it must hold CAP_SYS_ADMIN in the user namespace that owns it,
 * which only a process in that namespace or its parent has; a sandbox of
 * its own would be a sibling.  It confines itself once set up (it joins
 * the sandbox's user namespace, so it keeps no capability of the host's,
 * then an empty mount namespace of its own, its own seccomp filter,
 * no_new_privs, not dumpable), and sbx starts it with: an empty
 * environment, /dev/null as stdin and stdout, stderr into a pipe read only
 * if it fails to start (escaped, so its words cannot forge sbx's output),
 * no fd but the three it is given, no_new_privs, a Landlock domain where
 * the kernel has one for it (no TCP port bound, abstract unix sockets and
 * signals scoped), and PR_SET_PDEATHSIG, so that it dies with the thread
 * that started it, as the sandbox does (pasta does not leave when the
 * namespace goes).
 *
 * The namespaces are opened here right after clone(): once init has its
 * identity it makes itself non-dumpable, and from then on /proc/PID/ns is
 * closed to an unprivileged caller. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/util.h"
#include "launch/netstack.h"
#include "plan/landlock.h"
#include "plan/net.h"

/* pasta is ready in about 0.1 s (its socket pools, its own isolation); a
 * busy machine may take many times that. */
#define NETSTACK_START_TIMEOUT_MS 20000
/* What of pasta's stderr a failure message quotes. */
#define NETSTACK_ERR_MAX 400

#ifndef CLONE_PIDFD
#define CLONE_PIDFD 0x00001000
#endif
#ifndef CLONE_CLEAR_SIGHAND
#define CLONE_CLEAR_SIGHAND 0x100000000ULL
#endif

struct netstack {
        pid_t pid;
        int pidfd;
        int ready_fd; /* pasta writes its pid here when the interface is up */
        int err_fd;   /* pasta's stderr */
        bool reaped;
};

struct clone_args3 {
        uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls;
};

/* The child, between clone and execve: raw system calls only (the caller
 * may be multi-threaded).  fds: 0, 1 /dev/null; 2 stderr pipe; 3 user ns;
 * 4 net ns; 5 readiness pipe (the numbers plan/net.c wrote into argv). */
static _Noreturn void run_child(const struct plan *plan, pid_t parent, const int src[6], int ruleset,
                                bool handlers_cleared)
{
        static char *const empty_env[] = { NULL };
        if (!handlers_cleared) {
                struct sigaction dfl = { .sa_handler = SIG_DFL };
                for (int s = 1; s < NSIG; s++)
                        if (s != SIGKILL && s != SIGSTOP)
                                (void)sigaction(s, &dfl, NULL);
        }
        sigset_t none;
        sigemptyset(&none);
        if (sigprocmask(SIG_SETMASK, &none, NULL) < 0)
                _exit(127);
        /* Out of the way of the targets first, then into place; the
         * Landlock ruleset (6) is closed once applied. */
        int tmp[7], n = ruleset >= 0 ? 7 : 6;
        for (int i = 0; i < n; i++)
                if ((tmp[i] = fcntl(i < 6 ? src[i] : ruleset, F_DUPFD_CLOEXEC, 16)) < 0)
                        _exit(127);
        for (int i = 0; i < n; i++)
                if (dup2(tmp[i], i) < 0)
                        _exit(127);
        int rs = ruleset >= 0 ? 6 : -1;
        if (syscall(SYS_close_range, n, ~0U, 0) < 0)
                _exit(127);
        if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0 || getppid() != parent)
                _exit(127);
        if (chdir("/") < 0 || prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
                _exit(127);
        if (rs >= 0 && (syscall(SYS_landlock_restrict_self, rs, 0) < 0 || close(rs) < 0))
                _exit(127);
        execve(plan->pasta->argv[0], plan->pasta->argv, empty_env);
        _exit(127);
}

static int open_ns(pid_t pid, const char *which, int *ret, struct sbx_error **err)
{
        char path[64];
        snprintf(path, sizeof(path), "/proc/%d/ns/%s", (int)pid, which);
        *ret = open(path, O_RDONLY | O_CLOEXEC);
        return *ret < 0 ? sbx_err_setup(err, -errno, "network", "opening %s for pasta", path) : 0;
}

int netstack_start(const struct plan *plan, pid_t init, struct netstack **ret, struct sbx_error **err)
{
        _cleanup_close_ int userns = -1, netns = -1, devnull = -1, ready_r = -1, ready_w = -1, err_r = -1,
                            err_w = -1, ruleset = -1;
        int p[2], r;
        if ((r = open_ns(init, "user", &userns, err)) < 0 || (r = open_ns(init, "net", &netns, err)) < 0)
                return r;
        if ((devnull = open("/dev/null", O_RDWR | O_CLOEXEC)) < 0)
                return sbx_err_setup(err, -errno, "network", "/dev/null");
        if (pipe2(p, O_CLOEXEC) < 0)
                return sbx_err_setup(err, -errno, "network", "pipe");
        ready_r = p[0], ready_w = p[1];
        if (pipe2(p, O_CLOEXEC) < 0)
                return sbx_err_setup(err, -errno, "network", "pipe");
        err_r = p[0], err_w = p[1];
        ruleset = landlock_helper_ruleset();
        if (ruleset < 0 && ruleset != -EOPNOTSUPP)
                return sbx_err_setup(err, ruleset, "network", "Landlock ruleset for pasta");

        struct netstack *ns = calloc(1, sizeof(*ns));
        if (!ns)
                return -ENOMEM;
        ns->pidfd = ns->ready_fd = ns->err_fd = -1;
        const int src[6] = { devnull, devnull, err_w, userns, netns, ready_w };
        pid_t parent = getpid();
        /* No handler of the caller's may run in the child. */
        sigset_t all, old;
        sigfillset(&all);
        pthread_sigmask(SIG_SETMASK, &all, &old);
        int pidfd = -1;
        struct clone_args3 ca = { .flags = CLONE_PIDFD | CLONE_CLEAR_SIGHAND, .pidfd = (uintptr_t)&pidfd,
                                  .exit_signal = SIGCHLD };
        bool cleared = true;
        long pid = syscall(SYS_clone3, &ca, sizeof(ca));
        if (pid < 0 && errno == ENOSYS) {
                cleared = false;
                pid = syscall(SYS_clone, CLONE_PIDFD | SIGCHLD, NULL, &pidfd, NULL, 0);
        }
        if (pid == 0)
                run_child(plan, parent, src, ruleset, cleared);
        int e = errno;
        pthread_sigmask(SIG_SETMASK, &old, NULL);
        if (pid < 0) {
                free(ns);
                return sbx_err_setup(err, -e, "network", "starting pasta");
        }
        ns->pid = (pid_t)pid;
        ns->pidfd = pidfd;
        ns->ready_fd = TAKE_FD(ready_r);
        ns->err_fd = TAKE_FD(err_r);
        *ret = ns;
        return 0;
}

/* pasta's stderr as one line: printable ASCII kept, the rest as \xNN,
 * newlines as "; ", cut at NETSTACK_ERR_MAX. */
static void read_stderr(int fd, char *out, size_t n)
{
        char buf[NETSTACK_ERR_MAX];
        ssize_t got = 0, k;
        (void)fcntl(fd, F_SETFL, O_NONBLOCK);
        while (got < (ssize_t)sizeof(buf) && (k = read(fd, buf + got, sizeof(buf) - (size_t)got)) > 0)
                got += k;
        while (got > 0 && (buf[got - 1] == '\n' || buf[got - 1] == ' '))
                got--;
        size_t o = 0;
        for (ssize_t i = 0; i < got && o + 5 < n; i++) {
                unsigned char c = (unsigned char)buf[i];
                if (c == '\n') {
                        out[o++] = ';';
                        out[o++] = ' ';
                } else if (c >= 0x20 && c < 0x7f && c != '\\') {
                        out[o++] = (char)c;
                } else {
                        o += (size_t)snprintf(out + o, n - o, "\\x%02x", c);
                }
        }
        out[o < n ? o : n - 1] = 0;
}

int netstack_wait(struct netstack *ns, struct sbx_error **err)
{
        struct timespec start, now;
        clock_gettime(CLOCK_MONOTONIC, &start);
        char buf[32];
        ssize_t n = -1;
        for (;;) {
                clock_gettime(CLOCK_MONOTONIC, &now);
                long long left = NETSTACK_START_TIMEOUT_MS - ((now.tv_sec - start.tv_sec) * 1000LL +
                                                             (now.tv_nsec - start.tv_nsec) / 1000000);
                struct pollfd pfd = { .fd = ns->ready_fd, .events = POLLIN };
                int k = left > 0 ? poll(&pfd, 1, (int)left) : 0;
                if (k < 0 && errno == EINTR)
                        continue;
                if (k <= 0) {
                        errno = k == 0 ? ETIMEDOUT : errno;
                        break;
                }
                n = read(ns->ready_fd, buf, sizeof(buf));
                if (n < 0 && errno == EINTR)
                        continue;
                break;
        }
        int e = n < 0 ? errno : 0;
        close(TAKE_FD(ns->ready_fd));
        if (n > 0) {
                /* Nothing more is read from its stderr: pasta ignores
                 * SIGPIPE, and what it writes later goes nowhere. */
                close(TAKE_FD(ns->err_fd));
                return 0;
        }
        /* EOF: pasta exited; a timeout: it hangs and is ended here. */
        if (e == ETIMEDOUT)
                (void)syscall(SYS_pidfd_send_signal, ns->pidfd, SIGKILL, NULL, 0);
        char why[NETSTACK_ERR_MAX * 4 + 8];
        read_stderr(ns->err_fd, why, sizeof(why));
        close(TAKE_FD(ns->err_fd));
        if (e)
                return sbx_err_setup(err, -e, "network", "pasta did not configure the sandbox's network%s%s",
                                     why[0] ? ": pasta: " : "", why);
        return sbx_err_kind(err, SBX_ERROR_SETUP, -ENETDOWN, "network",
                            "pasta did not start: %s", why[0] ? why : "it exited without a word");
}

void netstack_stop(struct netstack *ns)
{
        if (!ns)
                return;
        if (ns->pidfd >= 0) {
                (void)syscall(SYS_pidfd_send_signal, ns->pidfd, SIGKILL, NULL, 0);
        } else if (ns->pid > 0) {
                (void)kill(ns->pid, SIGKILL);
        }
        if (ns->pid > 0)
                while (waitpid(ns->pid, NULL, __WALL) < 0 && errno == EINTR)
                        ;
        if (ns->pidfd >= 0)
                close(ns->pidfd);
        if (ns->ready_fd >= 0)
                close(ns->ready_fd);
        if (ns->err_fd >= 0)
                close(ns->err_fd);
        free(ns);
}
