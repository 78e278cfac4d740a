/* spawn.c — starting a program in a sandbox: the parent side (clone, maps,
 * errors back from the child, waiting) and the child side, which replays the
 * plan in the documented order:
 *
 *   init (pid 1 of the new pid namespace):
 *     die with parent → wait for the maps → hostname → filesystem view →
 *     loopback → fork the program → drop its own privileges → reap, forward
 *     signals, supervise seccomp notifications → report the status
 *   program (child of init):
 *     session → fds → rlimits → cwd → identity + capabilities →
 *     no_new_privs → Landlock → seccomp (last) → execve
 *
 * Everything between clone() and execve() is async-signal-safe: the plan was
 * built (and allocated) in the parent, the capability sets computed there
 * (caps_prepare), and the child makes raw syscalls only — no malloc, no
 * stdio, no libcap-ng, no glibc setxid wrappers — because a lock another
 * thread of the caller held at clone time stays locked in the child
 * forever.  The caller's signal handlers must not run in the child either:
 * signals are blocked around clone() and every disposition is reset before
 * they are unblocked.  The child first closes every fd that is not its own
 * (another thread's concurrent spawn has pipes open too).  A failure in the
 * child travels back over a close-on-exec pipe as {step, errno, detail} and
 * becomes an sbx_error in the parent. */
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "caps.h"
#include "dbus.h"
#include "limit.h"
#include "mount.h"
#include "ns.h"
#include "plan.h"
#include "spawn.h"
#include "supervisor.h"
#include "util.h"
#include "wx.h"

#ifndef CLONE_PIDFD
#define CLONE_PIDFD 0x00001000
#endif
#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

enum step {
        STEP_SYNC = 1, STEP_HOSTNAME, STEP_MOUNT, STEP_LOOPBACK, STEP_FORK, STEP_SESSION,
        STEP_FDS, STEP_RLIMIT, STEP_CWD, STEP_CAPS, STEP_NNP, STEP_LANDLOCK, STEP_SECCOMP,
        STEP_EXEC, STEP_INIT, STEP_WX,
};

static const char *const step_names[] = {
        [STEP_SYNC] = "namespaces", [STEP_HOSTNAME] = "hostname", [STEP_MOUNT] = "mount",
        [STEP_LOOPBACK] = "loopback", [STEP_FORK] = "fork", [STEP_SESSION] = "session",
        [STEP_FDS] = "fds", [STEP_RLIMIT] = "rlimit", [STEP_CWD] = "cwd",
        [STEP_CAPS] = "capabilities", [STEP_NNP] = "no_new_privs", [STEP_LANDLOCK] = "landlock",
        [STEP_SECCOMP] = "seccomp", [STEP_EXEC] = "exec", [STEP_INIT] = "init", [STEP_WX] = "wx",
};

struct child_msg {
        int32_t step;
        int32_t err;
        char detail[480];
};

/* What the parent prepares for one child, besides the plan. */
struct child_args {
        const struct plan *plan;
        struct caps_state init_caps;  /* init: nothing kept */
        struct caps_state prog_caps;  /* the program: plan->caps_keep */
        const int *fds;               /* every fd the child may keep, sorted */
        size_t nfds;
};

struct sbx_process {
        pid_t pid;       /* init, in the caller's pid namespace */
        int pidfd;
        int status_fd;   /* init writes the program's wait status here */
        bool reaped;
        int status;
        struct cgroup_sandbox *cg; /* limit.c; removed once reaped */
        struct sbx_process_stats stats; /* filled when reaped */
        struct dbus_proxy *dbus; /* [dbus]: stopped once reaped */
};

static void copy_str(char *dst, size_t n, const char *src)
{
        size_t i = 0;
        for (; src && src[i] && i + 1 < n; i++)
                dst[i] = src[i];
        dst[i] = 0;
}

static _Noreturn void child_fail(int fd, enum step step, int err, const char *detail)
{
        struct child_msg m = { .step = step, .err = err < 0 ? -err : err };
        copy_str(m.detail, sizeof(m.detail), detail);
        (void)!write(fd, &m, sizeof(m));
        _exit(SBX_EXIT_SETUP);
}

/* Every handler the caller installed back to SIG_DFL (SIG_IGN too: an
 * ignored signal would stay ignored across execve).  sigaction() is a plain
 * system call; glibc refuses its own internal signals with EINVAL. */
static void reset_signals(void)
{
        struct sigaction dfl = { .sa_handler = SIG_DFL };
        for (int s = 1; s < NSIG; s++)
                if (s != SIGKILL && s != SIGSTOP)
                        (void)sigaction(s, &dfl, NULL);
}

/* What init forwards to the program (through a signalfd), plus SIGCHLD. */
static void forwarded_signals(sigset_t *set)
{
        static const int fwd[] = { SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGUSR1, SIGUSR2,
                                   SIGWINCH, SIGCONT, SIGALRM, SIGPIPE };
        sigemptyset(set);
        for (size_t i = 0; i < ARRAY_SIZE(fwd); i++)
                sigaddset(set, fwd[i]);
        sigaddset(set, SIGCHLD);
}

/* Close every fd except the sorted, distinct list `keep`. */
static int close_all_except(const int *keep, size_t n)
{
        unsigned from = 0;
        for (size_t i = 0; i <= n; i++) {
                unsigned to = i < n ? (unsigned)keep[i] : ~0U;
                if (to > from && syscall(SYS_close_range, from, to - 1, 0) < 0)
                        return -errno;
                from = to + 1;
        }
        return 0;
}

static void sort_ints(int *v, size_t n)
{
        for (size_t i = 1; i < n; i++)
                for (size_t j = i; j > 0 && v[j - 1] > v[j]; j--) {
                        int t = v[j];
                        v[j] = v[j - 1];
                        v[j - 1] = t;
                }
}

/* Put the caller's chosen fds at 0, 1, 2 and keep_fds; mark everything else
 * close-on-exec (the error pipe and the listener socket must survive until
 * execve itself). */
static int setup_fds(const struct plan *plan)
{
        int tmp[3];
        /* Move the stdio sources out of the way first so that dup2 order
         * cannot clobber one with another. */
        for (int i = 0; i < 3; i++) {
                int src = plan->stdio[i];
                if (src < 0) {
                        tmp[i] = open("/dev/null", O_RDWR | O_CLOEXEC);
                        if (tmp[i] < 0)
                                return -errno;
                } else {
                        tmp[i] = fcntl(src, F_DUPFD_CLOEXEC, 10);
                        if (tmp[i] < 0)
                                return -errno;
                }
        }
        for (int i = 0; i < 3; i++) {
                if (dup2(tmp[i], i) < 0)
                        return -errno;
                close(tmp[i]);
        }
        if (syscall(SYS_close_range, 3, ~0U, CLOSE_RANGE_CLOEXEC) < 0)
                return -errno;
        for (size_t i = 0; i < plan->nkeep; i++) {
                int fd = plan->keep_fds[i];
                if (fd < 3)
                        continue;
                int fl = fcntl(fd, F_GETFD);
                if (fl < 0 || fcntl(fd, F_SETFD, fl & ~FD_CLOEXEC) < 0)
                        return -errno;
        }
        return 0;
}

static int send_fd(int sock, int fd)
{
        char dummy = 'L';
        struct iovec iov = { .iov_base = &dummy, .iov_len = 1 };
        union {
                struct cmsghdr h;
                char buf[CMSG_SPACE(sizeof(int))];
        } u;
        memset(&u, 0, sizeof(u));
        struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf,
                              .msg_controllen = sizeof(u.buf) };
        struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int));
        memcpy(CMSG_DATA(c), &fd, sizeof(int));
        return sendmsg(sock, &msg, MSG_NOSIGNAL) < 0 ? -errno : 0;
}

static int recv_fd(int sock)
{
        char dummy;
        struct iovec iov = { .iov_base = &dummy, .iov_len = 1 };
        union {
                struct cmsghdr h;
                char buf[CMSG_SPACE(sizeof(int))];
        } u;
        struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf,
                              .msg_controllen = sizeof(u.buf) };
        ssize_t n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
        if (n <= 0)
                return n == 0 ? -ENODATA : -errno;
        struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
        if (!c || c->cmsg_type != SCM_RIGHTS)
                return -EBADMSG;
        int fd;
        memcpy(&fd, CMSG_DATA(c), sizeof(int));
        return fd;
}

/* The program: everything after fork() in init, up to execve. */
static _Noreturn void run_program(const struct child_args *a, int errfd, int sock)
{
        const struct plan *plan = a->plan;
        const char *failed = NULL;
        int r;

        if (plan->new_session && setsid() < 0)
                child_fail(errfd, STEP_SESSION, errno, "setsid");
        if ((r = setup_fds(plan)) < 0)
                child_fail(errfd, STEP_FDS, r, "passing file descriptors");
        for (size_t i = 0; i < SBX_RLIMIT_COUNT; i++) {
                const struct rlimit_rule *l = &plan->rlimits[i];
                if (l->set && setrlimit(l->resource, &l->lim) < 0)
                        child_fail(errfd, STEP_RLIMIT, errno, "setrlimit");
        }
        if (plan->cwd && chdir(plan->cwd) < 0 && chdir(plan->home) < 0 && chdir("/") < 0)
                child_fail(errfd, STEP_CWD, errno, plan->cwd);
        if ((r = caps_enter(plan, &a->prog_caps, &failed)) < 0)
                child_fail(errfd, STEP_CAPS, r, failed);
        if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
                child_fail(errfd, STEP_NNP, errno, "prctl");
        if (plan->mdwe && (r = wx_apply()) < 0)
                child_fail(errfd, STEP_WX, r, "PR_SET_MDWE");
        if (plan->landlock.enabled && (r = landlock_apply(&plan->landlock, &failed)) < 0)
                child_fail(errfd, STEP_LANDLOCK, r, failed ? failed : "restrict_self");
        if (plan->policy->seccomp) {
                r = seccomp_load(&plan->seccomp, false);
                if (r < 0)
                        child_fail(errfd, STEP_SECCOMP, r, "loading the filter");
                if (plan->seccomp.needs_listener) {
                        if (send_fd(sock, r) < 0)
                                child_fail(errfd, STEP_SECCOMP, errno, "passing the listener");
                        close(r);
                }
        }
        close(sock);
        execve(plan->exec_path, plan->argv, plan->envp);
        child_fail(errfd, STEP_EXEC, errno, plan->exec_path);
}

/* init: pid 1 of the sandbox. */
static _Noreturn void run_init(const struct child_args *a, int errfd, int syncfd, int statusfd)
{
        const struct plan *plan = a->plan;
        const char *failed = NULL;
        int r;
        char c;

        /* Nothing of the caller's may act in here: its signal handlers go
         * (signals are still blocked from the parent's side of clone), and
         * so does every fd that is not this sandbox's — other threads may
         * be spawning too, and their pipes are open in our copy of the fd
         * table until closed (close-on-exec is not enough: their parent
         * waits for EOF, and init never execs). */
        reset_signals();
        sigset_t fwd;
        forwarded_signals(&fwd);
        if (sigprocmask(SIG_SETMASK, &fwd, NULL) < 0)
                child_fail(errfd, STEP_INIT, errno, "sigprocmask");
        if ((r = close_all_except(a->fds, a->nfds)) < 0)
                child_fail(errfd, STEP_INIT, r, "closing inherited file descriptors");
        /* 0-2 stay occupied (by /dev/null where the caller's went), so that
         * no channel opened from here on lands where the program's stdio
         * will be put. */
        for (int fd = 0; fd < 3; fd++)
                if (fcntl(fd, F_GETFD) < 0 && open("/dev/null", O_RDWR | O_CLOEXEC) < 0)
                        child_fail(errfd, STEP_INIT, errno, "/dev/null");

        /* The sandbox dies with the thread that spawned it.  The kernel
         * clears the parent-death signal whenever the effective uid or gid
         * changes (root's caller becoming nobody does), so it is armed only
         * after the identity is final.  The parent holds the sync pipe open
         * until the program runs: EOF before the wake-up byte, or a hang-up
         * seen after arming, means it died and the sandbox must not go on. */
        if (read(syncfd, &c, 1) != 1)
                _exit(SBX_EXIT_SETUP);
        if ((r = caps_lock_identity(plan, &a->prog_caps, &failed)) < 0)
                child_fail(errfd, STEP_CAPS, r, failed);
        if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0)
                child_fail(errfd, STEP_INIT, errno, "PR_SET_PDEATHSIG");
        struct pollfd alive = { .fd = syncfd, .events = POLLIN };
        if (poll(&alive, 1, 0) != 0)
                _exit(SBX_EXIT_SETUP);
        close(syncfd);

        if (plan->hostname && sethostname(plan->hostname, strlen(plan->hostname)) < 0)
                child_fail(errfd, STEP_HOSTNAME, errno, plan->hostname);
        if ((plan->clone_flags & CLONE_NEWNS) && (r = mount_build_view(plan, &failed)) < 0)
                child_fail(errfd, STEP_MOUNT, r, failed);
        if (plan->loopback && (r = ns_loopback_up()) < 0)
                child_fail(errfd, STEP_LOOPBACK, r, "lo");

        int sv[2];
        if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
                child_fail(errfd, STEP_INIT, errno, "socketpair");

        /* Signals to forward arrive through a signalfd; they stay blocked
         * (since the top of run_init) so that none is lost, and are
         * unblocked in the program. */
        sigset_t set;
        forwarded_signals(&set);

        /* _Fork, not fork: init is the raw clone() child of a possibly
         * multi-threaded caller, so a lock another thread held at that
         * moment (malloc's, stdio's) stays locked here forever, and fork()
         * takes those locks for its atfork handling.  _Fork takes none. */
        pid_t child = _Fork();
        if (child < 0)
                child_fail(errfd, STEP_FORK, errno, "fork");
        if (child == 0) {
                close(sv[0]);
                close(statusfd);
                sigset_t none;
                sigemptyset(&none);
                reset_signals();
                sigprocmask(SIG_SETMASK, &none, NULL);
                run_program(a, errfd, sv[1]);
        }
        close(sv[1]);

        int sfd = signalfd(-1, &set, SFD_CLOEXEC);
        if (sfd < 0)
                child_fail(errfd, STEP_INIT, errno, "signalfd");
        /* init keeps nothing it does not need: the caller's fds stay with
         * the program only. */
        int keep[4] = { statusfd, sfd, sv[0], plan->log_fd };
        size_t nkeep = plan->log_fd >= 0 ? 4 : 3;
        sort_ints(keep, nkeep);
        if ((r = caps_enter(plan, &a->init_caps, &failed)) < 0)
                child_fail(errfd, STEP_INIT, r, failed);
        if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
                child_fail(errfd, STEP_INIT, errno, "no_new_privs");
        /* The error pipe closes here; the parent then waits for the program's
         * exec (its copy closes on exec) or its failure message. */
        close(errfd);
        close_all_except(keep, nkeep);

        int listener = -1;
        if (plan->policy->seccomp && plan->seccomp.needs_listener) {
                struct pollfd p = { .fd = sv[0], .events = POLLIN };
                /* The program sends the listener just before execve, or dies. */
                while (listener < 0) {
                        int k = poll(&p, 1, -1);
                        if (k < 0 && errno == EINTR)
                                continue;
                        listener = recv_fd(sv[0]);
                        if (listener < 0)
                                break;
                }
        }
        close(sv[0]);

        for (;;) {
                struct pollfd p[2] = { { .fd = sfd, .events = POLLIN },
                                       { .fd = listener, .events = POLLIN } };
                int k = poll(p, listener >= 0 ? 2 : 1, -1);
                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        _exit(SBX_EXIT_SETUP);
                }
                if (listener >= 0 && (p[1].revents & (POLLHUP | POLLERR | POLLNVAL))) {
                        close(listener);
                        listener = -1;
                } else if (listener >= 0 && (p[1].revents & POLLIN)) {
                        if (supervisor_handle(listener, plan) < 0) {
                                close(listener);
                                listener = -1;
                        }
                }
                if (!(p[0].revents & POLLIN))
                        continue;
                struct signalfd_siginfo si;
                if (read(sfd, &si, sizeof(si)) != sizeof(si))
                        continue;
                if (si.ssi_signo != SIGCHLD) {
                        kill(child, (int)si.ssi_signo);
                        continue;
                }
                int st;
                pid_t w;
                while ((w = waitpid(-1, &st, WNOHANG)) > 0) {
                        if (w == child) {
                                int32_t s = st;
                                (void)!write(statusfd, &s, sizeof(s));
                                /* Leaving takes every other process of the
                                 * sandbox with us (pid namespace teardown). */
                                _exit(0);
                        }
                }
        }
}

static int read_child_error(int fd, struct sbx_error **err)
{
        struct child_msg m;
        ssize_t n;
        do
                n = read(fd, &m, sizeof(m));
        while (n < 0 && errno == EINTR);
        if (n == 0)
                return 0;
        if (n != (ssize_t)sizeof(m))
                return sbx_err_setup(err, -EIO, "spawn", "short message from the sandbox");
        m.detail[sizeof(m.detail) - 1] = 0;
        const char *step = m.step > 0 && (size_t)m.step < ARRAY_SIZE(step_names) && step_names[m.step]
                                   ? step_names[m.step]
                                   : "setup";
        int r = -(m.err ? m.err : EIO);
        if (m.step == STEP_EXEC)
                return sbx_err_kind(err, m.err == ENOENT ? SBX_ERROR_NOT_FOUND : SBX_ERROR_EXEC, r,
                                    "exec", "%s: %s", m.detail, strerror(m.err));
        if (m.step == STEP_SYNC || (m.step == STEP_MOUNT && m.err == EPERM))
                return sbx_err_setup(err, r, step, "%s (are unprivileged user namespaces allowed? "
                                     "see kernel.unprivileged_userns_clone, user.max_user_namespaces, "
                                     "AppArmor's restrict_unprivileged_userns)", m.detail);
        return sbx_err_setup(err, r, step, "%s", m.detail);
}

static int userns_hint(struct sbx_error **err, int r)
{
        return sbx_err_setup(err, r, "namespaces",
                             "clone() refused to create the namespaces; check "
                             "user.max_user_namespaces, kernel.unprivileged_userns_clone and "
                             "AppArmor's kernel.apparmor_restrict_unprivileged_userns "
                             "(sbx never falls back to running unconfined)");
}

/* Every fd the child may hold (sorted, distinct, malloc'd): its three
 * channels and what the plan hands it.  A new fd in the plan that the
 * child uses must be listed here, or init closes it first thing. */
static int child_fds(const struct plan *plan, const int *own, size_t nown, int **ret, size_t *ret_n)
{
        size_t n = 0, max = nown + 4 + plan->nkeep + plan->nmounts;
        int *v = malloc(max * sizeof(int));
        if (!v)
                return -ENOMEM;
        for (size_t i = 0; i < nown; i++)
                v[n++] = own[i];
        for (int i = 0; i < 3; i++)
                if (plan->stdio[i] >= 0)
                        v[n++] = plan->stdio[i];
        if (plan->log_fd >= 0)
                v[n++] = plan->log_fd;
        for (size_t i = 0; i < plan->nkeep; i++)
                if (plan->keep_fds[i] >= 0)
                        v[n++] = plan->keep_fds[i];
        for (size_t i = 0; i < plan->nmounts; i++)
                if (plan->mounts[i].src_fd >= 0)
                        v[n++] = plan->mounts[i].src_fd;
        sort_ints(v, n);
        size_t k = 0;
        for (size_t i = 0; i < n; i++)
                if (k == 0 || v[k - 1] != v[i])
                        v[k++] = v[i];
        *ret = v;
        *ret_n = k;
        return 0;
}

int spawn_plan(const struct plan *plan, struct sbx_process **ret, struct sbx_error **err)
{
        _cleanup_close_ int err_r = -1, err_w = -1, sync_r = -1, sync_w = -1, st_r = -1, st_w = -1;
        _cleanup_free_ int *fds = NULL;
        int p[2], r;
        if (pipe2(p, O_CLOEXEC) < 0)
                return sbx_err_setup(err, -errno, "spawn", "pipe");
        err_r = p[0], err_w = p[1];
        /* The wake-up goes over a socket, sent with MSG_NOSIGNAL: writing
         * to a pipe whose reader died (a sandbox killed early) would raise
         * SIGPIPE in the caller and, by default, end it. */
        if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, p) < 0)
                return sbx_err_setup(err, -errno, "spawn", "socketpair");
        sync_r = p[0], sync_w = p[1];
        if (pipe2(p, O_CLOEXEC) < 0)
                return sbx_err_setup(err, -errno, "spawn", "pipe");
        st_r = p[0], st_w = p[1];

        struct child_args a = { .plan = plan };
        if ((r = caps_prepare(0, &a.init_caps)) < 0 || (r = caps_prepare(plan->caps_keep, &a.prog_caps)) < 0)
                return sbx_err_setup(err, r, "capabilities", "computing the capability sets");
        size_t nfds;
        if ((r = child_fds(plan, (const int[]){ err_w, sync_r, st_w }, 3, &fds, &nfds)) < 0)
                return r;
        a.fds = fds;
        a.nfds = nfds;

        struct sbx_process *proc = calloc(1, sizeof(*proc));
        if (!proc)
                return -ENOMEM;
        proc->pidfd = -1;
        proc->status_fd = -1;

        /* No signal may reach the child before it has reset the caller's
         * handlers (they would run there, on a copy of the caller's
         * memory, with its locks possibly held). */
        sigset_t all, old;
        sigfillset(&all);
        pthread_sigmask(SIG_SETMASK, &all, &old);
        int pidfd = -1;
        long pid = syscall(SYS_clone, plan->clone_flags | CLONE_PIDFD | SIGCHLD, NULL, &pidfd,
                           NULL, 0);
        if (pid == 0) {
                close(err_r);
                close(sync_w);
                close(st_r);
                run_init(&a, err_w, sync_r, st_w);
        }
        int clone_errno = errno;
        pthread_sigmask(SIG_SETMASK, &old, NULL);
        if (pid < 0) {
                int e = -clone_errno;
                free(proc);
                if (e == -EPERM || e == -ENOSPC || e == -EUSERS)
                        return userns_hint(err, e);
                return sbx_err_setup(err, e, "namespaces", "clone");
        }
        proc->pid = (pid_t)pid;
        proc->pidfd = pidfd;
        close(TAKE_FD(err_w));
        close(TAKE_FD(sync_r));
        close(TAKE_FD(st_w));

        /* Into its cgroup before it runs a single instruction of setup. */
        r = limits_attach(plan, proc->pid, &proc->cg, err);
        if (r >= 0 && (plan->clone_flags & CLONE_NEWUSER)) {
                const char *failed = NULL;
                r = ns_write_maps(plan, proc->pid, &failed);
                if (r < 0)
                        sbx_err_setup(err, r, "uid-map", "writing %s", failed);
        }
        if (r >= 0 && send(sync_w, "x", 1, MSG_NOSIGNAL) != 1)
                r = sbx_err_setup(err, -errno, "spawn", "waking the sandbox");
        if (r >= 0)
                r = read_child_error(err_r, err);
        close(TAKE_FD(sync_w));
        if (r < 0) {
                kill(proc->pid, SIGKILL);
                while (waitpid(proc->pid, NULL, __WALL) < 0 && errno == EINTR)
                        ;
                cgroup_remove(proc->cg);
                if (proc->pidfd >= 0)
                        close(proc->pidfd);
                free(proc);
                return r;
        }
        proc->status_fd = TAKE_FD(st_r);
        *ret = proc;
        return 0;
}

SBX_EXPORT pid_t sbx_process_pid(const struct sbx_process *proc) { return proc ? proc->pid : -1; }
SBX_EXPORT int sbx_process_pidfd(const struct sbx_process *proc) { return proc ? proc->pidfd : -1; }

SBX_EXPORT int sbx_process_signal(struct sbx_process *proc, int sig)
{
        if (!proc || proc->reaped)
                return -ESRCH;
        if (proc->pidfd >= 0) {
                if (syscall(SYS_pidfd_send_signal, proc->pidfd, sig, NULL, 0) < 0)
                        return -errno;
                return 0;
        }
        return kill(proc->pid, sig) < 0 ? -errno : 0;
}

SBX_EXPORT int sbx_process_wait(struct sbx_process *proc, int *ret_status)
{
        if (!proc)
                return -EINVAL;
        if (!proc->reaped) {
                int st;
                struct rusage ru;
                while (wait4(proc->pid, &st, __WALL, &ru) < 0) {
                        if (errno != EINTR)
                                return -errno;
                }
                limits_collect(proc->cg, &ru, &proc->stats);
                cgroup_remove(TAKE_PTR(proc->cg));
                int32_t s;
                ssize_t n = read(proc->status_fd, &s, sizeof(s));
                /* No status from init: it was killed (SIGKILL to the
                 * sandbox, or its parent died); report its own status. */
                proc->status = n == (ssize_t)sizeof(s) ? s : st;
                proc->reaped = true;
                dbus_proxy_stop(TAKE_PTR(proc->dbus));
                close(proc->status_fd);
                proc->status_fd = -1;
                if (proc->pidfd >= 0) {
                        close(proc->pidfd);
                        proc->pidfd = -1;
                }
        }
        if (ret_status)
                *ret_status = proc->status;
        return 0;
}

SBX_EXPORT int sbx_process_stats(const struct sbx_process *proc, struct sbx_process_stats *ret)
{
        if (!proc || !ret || ret->size < offsetof(struct sbx_process_stats, flags) + sizeof(ret->flags))
                return -EINVAL;
        if (!proc->reaped)
                return -EBUSY;
        size_t n = ret->size < sizeof(proc->stats) ? ret->size : sizeof(proc->stats);
        memcpy((char *)ret + sizeof(size_t), (const char *)&proc->stats + sizeof(size_t), n - sizeof(size_t));
        return 0;
}

SBX_EXPORT void sbx_process_free(struct sbx_process *proc)
{
        if (!proc)
                return;
        if (!proc->reaped) {
                sbx_process_signal(proc, SIGKILL);
                sbx_process_wait(proc, NULL);
        }
        free(proc);
}

SBX_EXPORT int sbx_exit_code(int status)
{
        if (WIFEXITED(status))
                return WEXITSTATUS(status);
        if (WIFSIGNALED(status))
                return 128 + WTERMSIG(status);
        return SBX_EXIT_SETUP;
}

SBX_EXPORT int sbx_spawn(const struct sbx_policy *p, const struct sbx_spawn_options *o,
                         struct sbx_process **ret, struct sbx_error **err)
{
        struct plan plan;
        int r = plan_build(p, o, &plan, err);
        if (r >= 0 && o->log_fd >= 0) {
                for (char **w = plan.warnings; w && *w; w++)
                        dprintf(o->log_fd, "sbx: warning: %s\n", *w);
                for (char **w = plan.notes; (o->flags & SBX_SPAWN_VERBOSE) && w && *w; w++)
                        dprintf(o->log_fd, "sbx: note: %s\n", *w);
        }
        struct dbus_proxy *dbus = NULL;
        if (r >= 0 && plan.dbus)
                r = dbus_proxy_start(&plan, &dbus, err);
        if (r >= 0)
                r = spawn_plan(&plan, ret, err);
        if (r >= 0)
                (*ret)->dbus = TAKE_PTR(dbus);
        dbus_proxy_stop(dbus);
        plan_done(&plan);
        return r;
}
