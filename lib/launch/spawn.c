/* spawn.c — starting a program in a sandbox: the parent side (clone, maps,
 * errors back from the child, waiting) and the child side, which replays the
 * plan in the documented order:
 *
 *   init (pid 1 of the new pid namespace):
 *     die with parent → wait for the maps → per-user count shares →
 *     identity, not dumpable →
 *     hostname → filesystem view → loopback → fork the program → own
 *     session → drop its own privileges → keep only its channels → its own
 *     seccomp filter (init_filter.c) → tell the program it may exec →
 *     reap, forward signals, supervise
 *     seccomp notifications → report the status
 *   program (child of init):
 *     session → fds → rlimits → cwd → identity + capabilities →
 *     no_new_privs → Landlock → [init filtered] → seccomp (last) → [the door of sbx
 *     enter, launch/enter.c] → execve
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
 * becomes an sbx_error in the parent.
 *
 * init is the program's parent and holds what the program must not reach:
 * the status pipe, the seccomp listener, the report pipe.  It never execs,
 * so once made non-dumpable its memory and fds stay owned by the caller's
 * user namespace: the program (no capabilities there) can neither ptrace
 * it nor open /proc/1/mem or the links in /proc/1/fd.  It has no
 * controlling terminal (setsid after the fork: the program keeps the
 * caller's session when asked to), no fd of the caller's, and a seccomp
 * filter of its own.  Denial
 * reports leave init through a pipe only init writes; the parent relays
 * them to the caller's log_fd (sbx_process_wait), so that a program sharing
 * that fd can neither drop, truncate nor interleave them unseen. */
#include <fcntl.h>
#include <linux/seccomp.h>
#include <sys/ioctl.h>
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
#include <sys/stat.h>
#include <sys/statfs.h>
#include <linux/magic.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "launch/helper_out.h"
#include "launch/caps.h"
#include "launch/enter.h"
#include "syscalls/init_filter.h"
#include "plan/limit.h"
#include "launch/mount.h"
#include "launch/netstack.h"
#include "launch/ns.h"
#include "plan/plan.h"
#include "launch/refusal.h"
#include "launch/refusal_files.h"
#include "plan/listen.h"
#include "launch/spawn.h"
#include "launch/supervisor.h"
#include "base/util.h"
#include "plan/wx.h"

#ifndef SECCOMP_IOCTL_NOTIF_SET_FLAGS /* Linux 6.6, newer than Debian 12's headers */
#define SECCOMP_IOCTL_NOTIF_SET_FLAGS SECCOMP_IOW(4, __u64)
#endif
#ifndef SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP
#define SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP (1UL << 0)
#endif
#ifndef CLONE_CLEAR_SIGHAND
#define CLONE_CLEAR_SIGHAND 0x100000000ULL
#endif
/* clone3's argument, as of Linux 5.5 (the fields sbx passes). */
struct sbx_clone_args {
        uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls;
};
#ifndef CLONE_PIDFD
#define CLONE_PIDFD 0x00001000
#endif
#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

enum step {
        STEP_SYNC = 1, STEP_HOSTNAME, STEP_MOUNT, STEP_LOOPBACK, STEP_FORK, STEP_SESSION,
        STEP_FDS, STEP_RLIMIT, STEP_CWD, STEP_CAPS, STEP_NNP, STEP_LANDLOCK, STEP_SECCOMP,
        STEP_EXEC, STEP_INIT, STEP_WX, STEP_LIMITS, STEP_ENTER,
};

static const char *const step_names[] = {
        [STEP_SYNC] = "namespaces", [STEP_HOSTNAME] = "hostname", [STEP_MOUNT] = "mount",
        [STEP_LOOPBACK] = "loopback", [STEP_FORK] = "fork", [STEP_SESSION] = "session",
        [STEP_FDS] = "fds", [STEP_RLIMIT] = "rlimit", [STEP_CWD] = "cwd",
        [STEP_CAPS] = "capabilities", [STEP_NNP] = "no_new_privs", [STEP_LANDLOCK] = "landlock",
        [STEP_SECCOMP] = "seccomp", [STEP_EXEC] = "exec", [STEP_INIT] = "init", [STEP_WX] = "wx",
        [STEP_LIMITS] = "limits", [STEP_ENTER] = "enter",
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
        int report_fd;                /* init's end of the report pipe, or -1 */
        int enter_fd;                 /* the door's end of the enter channel, or -1 */
        bool handlers_cleared;        /* clone3 reset the caller's handlers */
};

/* What init sends when the program has ended: this head, then for each
 * kind of refusal that happened, while there is room, its number (one
 * byte) and its example, rule and override as NUL-terminated strings.
 * The whole message is at most one page, which an empty pipe always
 * holds: init writes it and exits without waiting for a reader (a pipe
 * over the user's pipe-buffer quota still has two pages). */
struct status_head {
        int32_t status;  /* the program's wait status */
        uint32_t lost;   /* denial reports that did not fit in the report pipe */
        uint32_t count[RF_COUNT]; /* refusals per kind */
};
#define STATUS_MAX 4096

/* Child side: the message into buf (STATUS_MAX bytes); its length. */
static size_t status_pack(char *buf, int status, uint32_t lost, const struct refusal_tally *t)
{
        struct status_head h = { .status = status, .lost = lost };
        for (int k = 0; k < RF_COUNT; k++)
                h.count[k] = t->e[k].count;
        memcpy(buf, &h, sizeof(h));
        size_t at = sizeof(h);
        for (int k = 0; k < RF_COUNT; k++) {
                const struct refusal_entry *e = &t->e[k];
                size_t a = strnlen(e->example, RF_TEXT - 1), b = strnlen(e->rule, RF_TEXT - 1),
                       c = strnlen(e->override, RF_TEXT - 1);
                if (!e->count || at + 4 + a + b + c > STATUS_MAX)
                        continue;
                buf[at++] = (char)k;
                memcpy(buf + at, e->example, a), at += a, buf[at++] = '\0';
                memcpy(buf + at, e->rule, b), at += b, buf[at++] = '\0';
                memcpy(buf + at, e->override, c), at += c, buf[at++] = '\0';
        }
        return at;
}

/* Parent side: the tally back from a message of n bytes. */
static void status_unpack(const char *buf, size_t n, struct refusal_tally *t)
{
        struct status_head h;
        memcpy(&h, buf, sizeof(h));
        memset(t, 0, sizeof(*t));
        for (int k = 0; k < RF_COUNT; k++)
                t->e[k].count = h.count[k];
        size_t at = sizeof(h);
        while (at < n) {
                unsigned k = (unsigned char)buf[at++];
                char *dst[3] = { NULL, NULL, NULL };
                if (k < RF_COUNT)
                        dst[0] = t->e[k].example, dst[1] = t->e[k].rule, dst[2] = t->e[k].override;
                for (int i = 0; i < 3; i++) {
                        const char *end = memchr(buf + at, '\0', n - at);
                        if (!end)
                                return;
                        if (dst[i])
                                rf_cat(dst[i], RF_TEXT, 0, buf + at);
                        at = (size_t)(end - buf) + 1;
                }
        }
}

struct sbx_process {
        pid_t pid;       /* init, in the caller's pid namespace */
        int pidfd;
        int status_fd;   /* init writes the program's wait status here */
        int report_fd;   /* reading end of the report pipe, or -1 */
        int log_fd;      /* the caller's, where reports are relayed; -1: none */
        int enter_fd;    /* our end of the door's channel (SBX_SPAWN_ENTERABLE), or -1 */
        bool json;       /* SBX_SPAWN_LOG_JSON */
        uint64_t relay_lost; /* reports the caller's log_fd did not take */
        size_t npartial;     /* the start of a line the last read cut */
        char partial[4096];  /* (init writes lines shorter than PIPE_BUF) */
        bool reaped;
        int status;
        struct cgroup_sandbox *cg; /* limit.c; removed once reaped */
        struct sbx_process_stats stats; /* filled when reaped */
        /* helpers that live as long as the sandbox (the D-Bus proxy):
         * each a sandbox of its own and our end of a socket whose closing
         * tells it to exit; ended once this one is reaped */
        struct sbx_process *helpers[SPAWN_MAX_HELPERS];
        int helper_fds[SPAWN_MAX_HELPERS];
        size_t nhelpers;
        /* what helpers print, relayed escaped to log_fd (helper_out.h) */
        struct helper_out outputs[SPAWN_MAX_HELPERS];
        size_t noutputs;
        /* [network] mode = pasta: started while the sandbox is set up,
         * ended once it is reaped */
        struct netstack *net;
        struct refusal_tally *tally;         /* from init's status, once reaped */
        struct refusal_entry hidden;         /* RF_HIDDEN, counted here (host side) */
        struct sbx_refusal refusals[RF_COUNT]; /* sbx_process_refusals() */
        size_t nrefusals;
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

/* The signals ignored in this process, from /proc/self/status; false when
 * that cannot be read (no procfs where the caller runs). */
static bool ignored_signals(uint64_t *mask)
{
        int fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return false;
        char buf[4096];
        struct statfs sf;
        ssize_t n = fstatfs(fd, &sf) == 0 && sf.f_type == PROC_SUPER_MAGIC ? read(fd, buf, sizeof(buf) - 1)
                                                                             : -1;
        close(fd);
        if (n <= 0)
                return false;
        buf[n] = 0;
        const char *s = strstr(buf, "\nSigIgn:\t");
        if (!s)
                return false;
        s += strlen("\nSigIgn:\t");
        uint64_t m = 0;
        int digits = 0;
        for (; *s != '\n'; s++, digits++) {
                int d = *s >= '0' && *s <= '9' ? *s - '0' : *s >= 'a' && *s <= 'f' ? *s - 'a' + 10 : -1;
                if (d < 0 || digits == 16)
                        return false;
                m = m << 4 | (uint64_t)d;
        }
        *mask = m;
        return digits == 16;
}

/* Every handler the caller installed back to SIG_DFL, and SIG_IGN too (an
 * ignored signal would stay ignored across execve).  When clone3 cleared
 * the handlers already (CLONE_CLEAR_SIGHAND), only the ignored signals
 * are left to reset; otherwise, or when they cannot be read, every one
 * is.  sigaction() is a plain system call; glibc refuses its own internal
 * signals with EINVAL. */
static void reset_signals(bool handlers_cleared)
{
        struct sigaction dfl = { .sa_handler = SIG_DFL };
        uint64_t ign = ~0ULL;
        if (handlers_cleared && !ignored_signals(&ign))
                ign = ~0ULL;
        for (int s = 1; s < NSIG && s <= 64; s++)
                if (s != SIGKILL && s != SIGSTOP && (ign >> (s - 1) & 1))
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

/* Close every fd from `from` on except the sorted, distinct list `keep`. */
static int close_all_except(unsigned from, const int *keep, size_t n)
{
        for (size_t i = 0; i <= n; i++) {
                unsigned to = i < n ? (unsigned)keep[i] : ~0U;
                if (to < from)
                        continue;
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

/* An fd below `min` moved to the lowest free number from `min` on. */
static int move_above(int *fd, int min)
{
        if (*fd < 0 || *fd >= min)
                return 0;
        int n = fcntl(*fd, F_DUPFD_CLOEXEC, min);
        if (n < 0)
                return -errno;
        close(*fd);
        *fd = n;
        return 0;
}

/* [network] listen: the sockets at 3, 4, … (LISTEN_FDS), inherited; the
 * child's own channels first moved out of that range, and every socket
 * copied above it before any is put in place (one may sit where another
 * goes).  Kept fds are never in the range (plan/listen.c refuses). */
static int setup_listen(const struct plan *plan, int *errfd, int *sock)
{
        int top = 3 + (int)plan->nlisten, tmp[64], r;
        if (!plan->nlisten)
                return 0;
        if (plan->nlisten > ARRAY_SIZE(tmp))
                return -E2BIG;
        if ((r = move_above(errfd, top)) < 0 || (r = move_above(sock, top)) < 0)
                return r;
        for (size_t i = 0; i < plan->nlisten; i++)
                if ((tmp[i] = fcntl(plan->listen_fds[i], F_DUPFD_CLOEXEC, top)) < 0)
                        return -errno;
        for (size_t i = 0; i < plan->nlisten; i++) {
                if (dup2(tmp[i], 3 + (int)i) < 0)
                        return -errno;
                close(tmp[i]);
        }
        listen_set_pid(plan, getpid());
        return 0;
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
        if ((r = setup_listen(plan, &errfd, &sock)) < 0)
                child_fail(errfd, STEP_FDS, r, "passing the [network] listen sockets");
        for (size_t i = 0; i < SBX_RLIMIT_COUNT; i++) {
                const struct rlimit_rule *l = &plan->rlimits[i];
                if (l->set && setrlimit(l->resource, &l->lim) < 0)
                        child_fail(errfd, STEP_RLIMIT, errno, "setrlimit");
        }
        if (plan->cwd && chdir(plan->cwd) < 0 && chdir(plan->home) < 0 && chdir("/") < 0)
                child_fail(errfd, STEP_CWD, errno, plan->cwd);
        /* The program runs from the object the parent resolved and checked
         * (plan_build.c resolve_program), which its name in the view must
         * still be: a file swapped in since fails with ESTALE, and
         * spawn_plan() tries again. */
        int xfd = open(plan->exec_path, O_PATH | O_CLOEXEC);
        struct stat xst;
        if (xfd < 0 || fstat(xfd, &xst) < 0)
                child_fail(errfd, STEP_EXEC, errno, plan->exec_path);
        if (plan->exec_verify &&
            (xst.st_dev != plan->host_exec_st.st_dev || xst.st_ino != plan->host_exec_st.st_ino))
                child_fail(errfd, STEP_EXEC, ESTALE, plan->exec_path);
        /* init dropped the bounding set to the program's before the fork. */
        if ((r = caps_enter(plan, &a->prog_caps, a->prog_caps.bounding, &failed)) < 0)
                child_fail(errfd, STEP_CAPS, r, failed);
        if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
                child_fail(errfd, STEP_NNP, errno, "prctl");
        if (plan->mdwe && (r = wx_apply()) < 0)
                child_fail(errfd, STEP_WX, r, "PR_SET_MDWE");
        if (plan->landlock.enabled && (r = landlock_apply(&plan->landlock, true, &failed)) < 0)
                child_fail(errfd, STEP_LANDLOCK, r, failed ? failed : "restrict_self");
        /* Not a syscall of the program's own before init is filtered: a
         * program that ran first could reach an init still without its
         * filter (init writes one byte once it has it; EOF: init failed
         * and said why). */
        char ready;
        ssize_t rk;
        while ((rk = read(sock, &ready, 1)) < 0 && errno == EINTR)
                ;
        if (rk != 1)
                _exit(SBX_EXIT_SETUP);
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
        /* Last, once everything above holds: the door inherits it all. */
        if (a->enter_fd >= 0 && (r = enter_start_door(plan, a->enter_fd)) < 0)
                child_fail(errfd, STEP_ENTER, r, "starting the door of sbx enter (clone refused?)");
        /* execveat where the filter lets it through (a profile may deny
         * it).  A script fails there with ENOENT (its interpreter could not
         * open a close-on-exec fd): it runs by name, as the kernel hands
         * the name to the interpreter anyway. */
        if (!plan->policy->seccomp || (plan->seccomp.kind && __NR_execveat < plan->seccomp.nr_max &&
                                       plan->seccomp.kind[__NR_execveat] == SC_K_ALLOW)) {
                syscall(SYS_execveat, xfd, "", plan->argv, plan->envp, AT_EMPTY_PATH);
                if (errno != ENOENT)
                        child_fail(errfd, STEP_EXEC, errno, plan->exec_path);
        }
        execve(plan->exec_path, plan->argv, plan->envp);
        child_fail(errfd, STEP_EXEC, errno, plan->exec_path);
}

/* Every credential change resets the dumpable flag to fs.suid_dumpable or
 * to 1; init sets it to 0 after each, and checks. */
static int make_undumpable(void)
{
        if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
                return -errno;
        int r = prctl(PR_GET_DUMPABLE, 0, 0, 0, 0);
        if (r < 0)
                return -errno;
        return r == 0 ? 0 : -EPERM;
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
        reset_signals(a->handlers_cleared);
        sigset_t fwd;
        forwarded_signals(&fwd);
        if (sigprocmask(SIG_SETMASK, &fwd, NULL) < 0)
                child_fail(errfd, STEP_INIT, errno, "sigprocmask");
        if ((r = close_all_except(0, a->fds, a->nfds)) < 0)
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
        /* With the maps written, init holds every capability in its user
         * namespace, CAP_SYS_RESOURCE over that namespace's limits among
         * them; the program never does. */
        if ((r = limits_apply_user_counts(&plan->limits, &failed)) < 0)
                child_fail(errfd, STEP_LIMITS, r, failed);
        if ((r = caps_lock_identity(plan, &a->prog_caps, &failed)) < 0)
                child_fail(errfd, STEP_CAPS, r, failed);
        /* Not before: the parent wrote our uid/gid maps, which needs us
         * dumpable.  From here on nothing of ours is reachable through
         * /proc or ptrace, and the program, forked below, starts
         * non-dumpable too until its execve. */
        if ((r = make_undumpable()) < 0)
                child_fail(errfd, STEP_INIT, r, "PR_SET_DUMPABLE");
        if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0)
                child_fail(errfd, STEP_INIT, errno, "PR_SET_PDEATHSIG");
        /* The second wake-up may be queued already: only a hang-up says
         * the parent is gone. */
        struct pollfd alive = { .fd = syncfd, .events = POLLIN };
        if (poll(&alive, 1, 0) < 0 || (alive.revents & (POLLHUP | POLLERR | POLLNVAL)))
                _exit(SBX_EXIT_SETUP);

        if (plan->hostname && sethostname(plan->hostname, strlen(plan->hostname)) < 0)
                child_fail(errfd, STEP_HOSTNAME, errno, plan->hostname);
        if ((plan->clone_flags & CLONE_NEWNS) && (r = mount_build_view(plan, &failed)) < 0)
                child_fail(errfd, STEP_MOUNT, r, failed);
        /* The detached trees the view was built from go in a few
         * close_range calls rather than one close each (0-2 stay). */
        if ((r = close_all_except(3, a->fds, a->nfds)) < 0)
                child_fail(errfd, STEP_INIT, r, "closing the mount trees");
        if (plan->loopback && (r = ns_loopback_up()) < 0)
                child_fail(errfd, STEP_LOOPBACK, r, "lo");

        /* Nothing is forked before the parent has put init in the
         * sandbox's cgroup (or died: EOF). */
        if (read(syncfd, &c, 1) != 1)
                _exit(SBX_EXIT_SETUP);
        close(syncfd);

        int sv[2];
        if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
                child_fail(errfd, STEP_INIT, errno, "socketpair");
        /* The bounding set goes down to the program's once, here, for
         * both processes: the program inherits it, and init only drops
         * what the program keeps (nothing, unless [capabilities] keeps). */
        if ((r = caps_drop_bounding(&a->prog_caps, CAPS_ALL, &failed)) < 0)
                child_fail(errfd, STEP_CAPS, r, failed);

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
                if (a->report_fd >= 0)
                        close(a->report_fd);
                /* The dispositions are init's, every one SIG_DFL since the
                 * top of run_init (fork keeps them, and init installs no
                 * handler), so only the mask needs resetting. */
                sigset_t none;
                sigemptyset(&none);
                if (sigprocmask(SIG_SETMASK, &none, NULL) < 0)
                        child_fail(errfd, STEP_INIT, errno, "sigprocmask (program)");
                run_program(a, errfd, sv[1]);
        }
        close(sv[1]);
        /* Out of the caller's session, so that no terminal is init's to
         * push input into (TIOCSTI) or to hang up; the program stays in it
         * when the profile keeps the session.  init is not a process group
         * leader (it inherited the caller's group), so this cannot fail
         * for that reason. */
        if (setsid() < 0)
                child_fail(errfd, STEP_INIT, errno, "setsid");

        int sfd = signalfd(-1, &set, SFD_CLOEXEC);
        if (sfd < 0)
                child_fail(errfd, STEP_INIT, errno, "signalfd");
        if ((r = caps_enter(plan, &a->init_caps, a->prog_caps.bounding, &failed)) < 0)
                child_fail(errfd, STEP_INIT, r, failed);
        if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
                child_fail(errfd, STEP_INIT, errno, "no_new_privs");
        if ((r = make_undumpable()) < 0)
                child_fail(errfd, STEP_INIT, r, "PR_SET_DUMPABLE");
        /* init keeps its own channels only: none of the caller's fds (the
         * program has those), not even its stderr. */
        int keep[5] = { statusfd, sfd, sv[0], errfd, a->report_fd };
        size_t nkeep = a->report_fd >= 0 ? 5 : 4;
        sort_ints(keep, nkeep);
        if ((r = close_all_except(0, keep, nkeep)) < 0)
                child_fail(errfd, STEP_INIT, r, "closing the caller's file descriptors");
        if ((r = init_filter_install()) < 0)
                child_fail(errfd, STEP_INIT, r, "init's seccomp filter");
        /* The program waits for this before its own filter and execve. */
        if (write(sv[0], "r", 1) != 1)
                child_fail(errfd, STEP_INIT, errno, "waking the program");
        /* The error pipe closes here; the parent then waits for the program's
         * exec (its copy closes on exec) or its failure message. */
        close(errfd);
        /* Large for the stack of a clone child: static (init is a process
         * of its own, nothing else uses this copy). */
        static struct refusal_tally tally;
        static char status[STATUS_MAX];
        struct sv_report rep = { .fd = a->report_fd, .tally = &tally,
                                 .live = plan->log_denials || plan->seccomp.action == DENY_LOG ||
                                         plan->seccomp.action == DENY_NOTIFY };

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
                /* A notified call waits for init: have the kernel run
                 * init at once on the caller's CPU (Linux 6.6) rather than
                 * wherever it slept.  Older kernels refuse it: no harm. */
                if (listener >= 0)
                        (void)ioctl(listener, SECCOMP_IOCTL_NOTIF_SET_FLAGS, (uint64_t)SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP);
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
                        if (supervisor_handle(listener, plan, &rep) < 0) {
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
                                refusal_scan_discarded(plan, &tally);
                                size_t len = status_pack(status, st, rep.lost, &tally);
                                (void)!write(statusfd, status, len);
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

/* Every fd the child may hold (sorted, distinct, malloc'd): its own
 * channels and what the plan hands it.  A new fd in the plan that the
 * child uses must be listed here, or init closes it first thing.  The
 * caller's log_fd is not: reports reach it through the parent. */
static int child_fds(const struct plan *plan, const int *own, size_t nown, int **ret, size_t *ret_n)
{
        size_t n = 0, max = nown + 3 + plan->nkeep + plan->nlisten;
        int *v = malloc(max * sizeof(int));
        if (!v)
                return -ENOMEM;
        for (size_t i = 0; i < nown; i++)
                v[n++] = own[i];
        for (int i = 0; i < 3; i++)
                if (plan->stdio[i] >= 0)
                        v[n++] = plan->stdio[i];
        for (size_t i = 0; i < plan->nkeep; i++)
                if (plan->keep_fds[i] >= 0)
                        v[n++] = plan->keep_fds[i];
        for (size_t i = 0; i < plan->nlisten; i++)
                v[n++] = plan->listen_fds[i];
        sort_ints(v, n);
        size_t k = 0;
        for (size_t i = 0; i < n; i++)
                if (k == 0 || v[k - 1] != v[i])
                        v[k++] = v[i];
        *ret = v;
        *ret_n = k;
        return 0;
}

/* The fds the caller hands the program must be its own, open ones: an fd
 * number that is not open would be filled by one of sbx's channels created
 * next (the error pipe, say) and handed to the program with it. */
static int check_caller_fds(const struct plan *plan, struct sbx_error **err)
{
        for (int i = 0; i < 3; i++)
                if (plan->stdio[i] >= 0 && fcntl(plan->stdio[i], F_GETFD) < 0)
                        return sbx_err_setup(err, -EBADF, "fds", "%s fd %d is not open",
                                             (const char *[]){ "stdin", "stdout", "stderr" }[i],
                                             plan->stdio[i]);
        for (size_t i = 0; i < plan->nkeep; i++) {
                int fd = plan->keep_fds[i];
                if (fd >= 0 && fd < 3)
                        return sbx_err_setup(err, -EINVAL, "fds",
                                             "keep_fds: fd %d is stdio: pass it as stdin_fd, "
                                             "stdout_fd or stderr_fd", fd);
                if (fd < 0 || fcntl(fd, F_GETFD) < 0)
                        return sbx_err_setup(err, -EBADF, "fds", "keep_fds: fd %d is not open", fd);
        }
        if (plan->log_fd >= 0 && fcntl(plan->log_fd, F_GETFD) < 0)
                return sbx_err_setup(err, -EBADF, "fds", "log_fd %d is not open", plan->log_fd);
        return 0;
}

/* After sbx's channels exist: none of them may be an fd the program is
 * handed (the caller closed one meanwhile, from another thread). */
static int check_no_channel_passed(const struct plan *plan, const int *own, size_t nown,
                                   struct sbx_error **err)
{
        for (size_t j = 0; j < nown; j++) {
                bool hit = own[j] >= 0 && (own[j] == plan->log_fd || own[j] == plan->stdio[0] ||
                                           own[j] == plan->stdio[1] || own[j] == plan->stdio[2]);
                for (size_t i = 0; i < plan->nkeep && !hit; i++)
                        hit = own[j] == plan->keep_fds[i];
                if (hit)
                        return sbx_err_setup(err, -EBADF, "fds",
                                             "fd %d was closed while the sandbox was being set up; "
                                             "it is one of sbx's own channels now", own[j]);
        }
        return 0;
}

static int spawn_once(const struct plan *plan, struct sbx_process **ret, struct sbx_error **err)
{
        _cleanup_close_ int err_r = -1, err_w = -1, sync_r = -1, sync_w = -1, st_r = -1, st_w = -1,
                            rep_r = -1, rep_w = -1, en_r = -1, en_w = -1;
        _cleanup_free_ int *fds = NULL;
        int p[2], r;
        if ((r = check_caller_fds(plan, err)) < 0)
                return r;
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
        if (plan->log_fd >= 0) {
                /* Non-blocking at both ends: init must never stall on a
                 * full pipe (it counts the line lost instead), and the
                 * parent drains it after the sandbox ended. */
                if (pipe2(p, O_CLOEXEC | O_NONBLOCK) < 0)
                        return sbx_err_setup(err, -errno, "spawn", "pipe");
                rep_r = p[0], rep_w = p[1];
                /* Room for a burst of reports; the default 64 KiB is kept
                 * when the user's pipe quota (fs.pipe-user-pages-soft)
                 * says no, which only makes a loss likelier. */
                (void)fcntl(rep_w, F_SETPIPE_SZ, 1 << 18);
        }
        if (plan->spawn_flags & SBX_SPAWN_ENTERABLE) {
                /* Messages, not a stream: each request of sbx enter arrives
                 * whole, with its fds, even from several callers at once. */
                if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, p) < 0)
                        return sbx_err_setup(err, -errno, "spawn", "socketpair");
                en_r = p[0], en_w = p[1];
        }
        int own[5] = { err_w, sync_r, st_w };
        size_t nown = 3;
        if (rep_w >= 0)
                own[nown++] = rep_w;
        if (en_w >= 0)
                own[nown++] = en_w;
        if ((r = check_no_channel_passed(plan, own, nown, err)) < 0)
                return r;

        struct child_args a = { .plan = plan, .report_fd = rep_w, .enter_fd = en_w };
        if ((r = caps_prepare(0, &a.init_caps)) < 0 || (r = caps_prepare(plan->caps_keep, &a.prog_caps)) < 0)
                return sbx_err_setup(err, r, "capabilities", "computing the capability sets");
        size_t nfds;
        if ((r = child_fds(plan, own, nown, &fds, &nfds)) < 0)
                return r;
        a.fds = fds;
        a.nfds = nfds;

        struct sbx_process *proc = calloc(1, sizeof(*proc));
        if (!proc)
                return -ENOMEM;
        proc->pidfd = -1;
        proc->status_fd = -1;
        proc->report_fd = -1;
        proc->enter_fd = -1;
        proc->log_fd = plan->log_fd;
        proc->json = plan->spawn_flags & SBX_SPAWN_LOG_JSON;

        /* No signal may reach the child before it has reset the caller's
         * handlers (they would run there, on a copy of the caller's
         * memory, with its locks possibly held). */
        sigset_t all, old;
        sigfillset(&all);
        pthread_sigmask(SIG_SETMASK, &all, &old);
        int pidfd = -1;
        /* clone3 resets the caller's handlers in the child itself
         * (CLONE_CLEAR_SIGHAND), which saves init a sigaction per signal;
         * clone() where clone3 is refused (seccomp filters such as sbx's
         * own answer it with ENOSYS). */
        struct sbx_clone_args ca = { .flags = plan->clone_flags | CLONE_PIDFD | CLONE_CLEAR_SIGHAND,
                                     .pidfd = (uintptr_t)&pidfd,
                                     .exit_signal = SIGCHLD };
        a.handlers_cleared = true;
        long pid = syscall(SYS_clone3, &ca, sizeof(ca));
        if (pid < 0 && errno == ENOSYS) {
                a.handlers_cleared = false;
                pid = syscall(SYS_clone, plan->clone_flags | CLONE_PIDFD | SIGCHLD, NULL, &pidfd, NULL, 0);
        }
        if (pid == 0) {
                close(err_r);
                close(sync_w);
                close(st_r);
                if (rep_r >= 0)
                        close(rep_r);
                if (en_r >= 0)
                        close(en_r);
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
        if (rep_w >= 0)
                close(TAKE_FD(rep_w));
        if (en_w >= 0)
                close(TAKE_FD(en_w));

        /* Two wake-ups: the first once init has its uid/gid maps, so that
         * it builds the view while the cgroup is made here; the second
         * once init is in its cgroup, before which it forks nothing (the
         * program and everything it starts are inside from their first
         * instruction on). */
        r = 0;
        if (plan->clone_flags & CLONE_NEWUSER) {
                const char *failed = NULL;
                r = ns_write_maps(plan, proc->pid, &failed);
                if (r < 0)
                        sbx_err_setup(err, r, "uid-map", "writing %s", failed);
        }
        /* Before the first wake-up: init is still dumpable, so its
         * namespaces can be opened for pasta. */
        if (r >= 0 && plan->pasta)
                r = netstack_start(plan, proc->pid, &proc->net, err);
        bool woken = false;
        if (r >= 0 && !(woken = send(sync_w, "x", 1, MSG_NOSIGNAL) == 1))
                r = sbx_err_setup(err, -errno, "spawn", "waking the sandbox");
        if (r >= 0)
                r = limits_attach(plan, proc->pid, &proc->cg, err);
        /* The program starts with its network up. */
        if (r >= 0 && proc->net)
                r = netstack_wait(proc->net, err);
        if (r >= 0 && send(sync_w, "y", 1, MSG_NOSIGNAL) != 1)
                r = sbx_err_setup(err, -errno, "spawn", "waking the sandbox");
        if (r >= 0) {
                r = read_child_error(err_r, err);
        } else if (woken) {
                /* init may have failed first (building the view, say), and
                 * that is what failed here (no process to attach, no one
                 * to wake): its report, when there is one, is the cause. */
                kill(proc->pid, SIGKILL);
                int first = read_child_error(err_r, err);
                if (first < 0)
                        r = first;
        }
        close(TAKE_FD(sync_w));
        if (r < 0) {
                kill(proc->pid, SIGKILL);
                while (waitpid(proc->pid, NULL, __WALL) < 0 && errno == EINTR)
                        ;
                cgroup_remove(proc->cg);
                netstack_stop(proc->net);
                if (proc->pidfd >= 0)
                        close(proc->pidfd);
                free(proc);
                return r;
        }
        proc->status_fd = TAKE_FD(st_r);
        proc->report_fd = TAKE_FD(rep_r);
        proc->enter_fd = TAKE_FD(en_r);
        *ret = proc;
        return 0;
}

/* A launch that loses a race (a bind source or the program replaced
 * between the parent's check and the child's use: ESTALE) is tried again
 * from the same plan, a few times: what was checked must be what is
 * there, and a name flipping back and forth is there most of the time. */
#define SPAWN_ATTEMPTS 4

int spawn_plan(const struct plan *plan, struct sbx_process **ret, struct sbx_error **err)
{
        int r = -ESTALE;
        for (int i = 0; i < SPAWN_ATTEMPTS && r == -ESTALE; i++) {
                if (i > 0 && err && *err) {
                        sbx_error_free(*err);
                        *err = NULL;
                }
                r = spawn_once(plan, ret, err);
        }
        return r;
}

SBX_EXPORT pid_t sbx_process_pid(const struct sbx_process *proc) { return proc ? proc->pid : -1; }
SBX_EXPORT int sbx_process_pidfd(const struct sbx_process *proc) { return proc ? proc->pidfd : -1; }
SBX_EXPORT int sbx_process_enter_fd(const struct sbx_process *proc) { return proc ? proc->enter_fd : -1; }

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

SBX_EXPORT int sbx_process_report_fd(const struct sbx_process *proc)
{
        return proc ? proc->report_fd : -1;
}

/* Milliseconds left until `deadline` (CLOCK_MONOTONIC), at least 0. */
static int ms_left(const struct timespec *deadline)
{
        struct timespec now;
        clock_gettime(CLOCK_MONOTONIC, &now);
        long long ms = (deadline->tv_sec - now.tv_sec) * 1000LL + (deadline->tv_nsec - now.tv_nsec) / 1000000;
        return ms < 0 ? 0 : ms > INT32_MAX ? INT32_MAX : (int)ms;
}

/* write(2) without SIGPIPE: log_fd may be a pipe whose reader went away,
 * and a library must not end its caller for that.  A SIGPIPE this write
 * raised is taken back; one that was pending before stays. */
static ssize_t write_nosigpipe(int fd, const char *s, size_t n)
{
        sigset_t pipe_set, old, pending;
        sigemptyset(&pipe_set);
        sigaddset(&pipe_set, SIGPIPE);
        bool was_pending = sigpending(&pending) == 0 && sigismember(&pending, SIGPIPE);
        pthread_sigmask(SIG_BLOCK, &pipe_set, &old);
        ssize_t w = write(fd, s, n);
        int e = errno;
        if (w < 0 && e == EPIPE && !was_pending) {
                const struct timespec zero = { 0, 0 };
                while (sigtimedwait(&pipe_set, NULL, &zero) < 0 && errno == EINTR)
                        ;
        }
        pthread_sigmask(SIG_SETMASK, &old, NULL);
        errno = e;
        return w;
}

/* Write one line to the caller's log_fd, waiting until `deadline` at most
 * for room: the program shares that fd when it is stderr, and may have
 * made it non-blocking and filled it.  (On a blocking fd a write that the
 * program races into a full pipe can still wait for the reader, as any
 * writer to that pipe would.)  Returns false when it was not delivered. */
static bool deliver(int fd, const char *s, size_t n, const struct timespec *deadline)
{
        while (n) {
                struct pollfd p = { .fd = fd, .events = POLLOUT };
                int k = poll(&p, 1, ms_left(deadline));
                if (k < 0 && errno == EINTR)
                        continue;
                if (k <= 0 || (p.revents & (POLLERR | POLLNVAL)))
                        return false;
                ssize_t w = write_nosigpipe(fd, s, n);
                if (w < 0 && (errno == EINTR || errno == EAGAIN))
                        continue;
                if (w <= 0)
                        return false;
                s += w;
                n -= (size_t)w;
        }
        return true;
}

/* Move what the report pipe holds to the caller's log_fd, whole lines at
 * a time: one read's worth, or with `drain` everything up to EOF.  A line
 * that a read cut waits in proc->partial for the rest.  At EOF the pipe is
 * closed.  A line that log_fd did not take within a second is counted
 * lost; so is every further line of the same read. */
/* s inside a JSON string: quotes and backslashes escaped (init already
 * wrote control bytes as \xNN), cut to fit. */
static void json_text(char *out, size_t size, const char *s)
{
        size_t k = 0;
        for (; *s && k + 3 < size; s++) {
                if (*s == '"' || *s == '\\')
                        out[k++] = '\\';
                out[k++] = *s;
        }
        out[k] = '\0';
}

/* A candidate for "exists on the host but is outside the view" (init saw
 * the path missing where the view is sbx's own skeleton, so the host path
 * is the same path): counted and turned into a report line in out when
 * the host has it.  Returns the line's length, 0 when there is none. */
static size_t hidden_line(struct sbx_process *proc, const char *rec, size_t len, char *out, size_t size)
{
        char copy[RF_TEXT * 3 + 8];
        if (len < 2 || len >= sizeof(copy))
                return 0;
        memcpy(copy, rec + 1, len - 1);
        copy[len - 1] = '\0';
        copy[strcspn(copy, "\n")] = '\0';
        char *path = copy, *top = strchr(path, '\t'), *example = top ? strchr(top + 1, '\t') : NULL;
        if (!example || path[0] != '/')
                return 0;
        *top++ = '\0';
        *example++ = '\0';
        struct stat st;
        if (lstat(path, &st) < 0)
                return 0;
        struct refusal_entry *e = &proc->hidden;
        if (e->count++ == 0) {
                rf_cat(e->example, sizeof(e->example), 0, example);
                rf_cat(e->rule, sizeof(e->rule), rf_cat(e->rule, sizeof(e->rule), 0, path),
                       " exists on the host but is not in the view");
                rf_cat(e->override, sizeof(e->override), rf_cat(e->override, sizeof(e->override), 0, "--ro-bind "),
                       top);
        }
        char jex[RF_TEXT * 2], jtop[RF_TEXT * 2];
        json_text(jex, sizeof(jex), example);
        json_text(jtop, sizeof(jtop), top);
        int n = proc->json ? snprintf(out, size,
                                      "{\"event\":\"hidden\",\"verdict\":\"refused\",\"what\":\"%s\","
                                      "\"reason\":\"not in the view\",\"override\":\"--ro-bind %s\"}\n",
                                      jex, jtop)
                           : snprintf(out, size,
                                      "sbx: refused %s: it exists on the host but is not in the view; "
                                      "to allow: --ro-bind %s\n",
                                      example, top);
        return n > 0 && (size_t)n < size ? (size_t)n : 0;
}

static void relay_reports(struct sbx_process *proc, bool drain)
{
        char buf[sizeof(proc->partial) + (1 << 14)];
        if (proc->report_fd < 0)
                return;
        for (;;) {
                memcpy(buf, proc->partial, proc->npartial);
                ssize_t n = read(proc->report_fd, buf + proc->npartial, sizeof(buf) - proc->npartial);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0 && errno == EAGAIN)
                        return;
                if (n <= 0) {
                        /* EOF (or a broken pipe): a cut line left goes as it is. */
                        n = 0;
                        close(proc->report_fd);
                        proc->report_fd = -1;
                }
                size_t total = proc->npartial + (size_t)n, end = total;
                proc->npartial = 0;
                if (proc->report_fd >= 0) {
                        /* Keep a cut line for the next read. */
                        while (end > 0 && buf[end - 1] != '\n')
                                end--;
                        if (total - end >= sizeof(proc->partial))
                                end = total; /* no newline at all: pass it on */
                        proc->npartial = total - end;
                        memcpy(proc->partial, buf + end, proc->npartial);
                }
                struct timespec deadline;
                clock_gettime(CLOCK_MONOTONIC, &deadline);
                deadline.tv_sec += 1;
                bool stalled = proc->log_fd < 0;
                for (size_t i = 0; i < end;) {
                        const char *nl = memchr(buf + i, '\n', end - i);
                        size_t len = nl ? (size_t)(nl - (buf + i)) + 1 : end - i;
                        char line[2048];
                        if (buf[i] == RF_HIDDEN_MARK) {
                                /* A candidate from init, checked on the host. */
                                size_t k = hidden_line(proc, buf + i, len, line, sizeof(line));
                                if (k && !stalled && !deliver(proc->log_fd, line, k, &deadline))
                                        stalled = true;
                                if (k && stalled)
                                        proc->relay_lost++;
                                i += len;
                                continue;
                        }
                        if (!stalled && !deliver(proc->log_fd, buf + i, len, &deadline))
                                stalled = true;
                        if (stalled)
                                proc->relay_lost++;
                        i += len;
                }
                if (!drain || proc->report_fd < 0)
                        return;
        }
}

/* A helper's line (already escaped and prefixed) to the caller's log_fd. */
static void emit_helper_line(void *ctx, const char *line, size_t n)
{
        struct sbx_process *proc = ctx;
        struct timespec deadline;
        clock_gettime(CLOCK_MONOTONIC, &deadline);
        deadline.tv_sec += 1;
        if (proc->log_fd >= 0)
                (void)deliver(proc->log_fd, line, n, &deadline);
}

static void relay_outputs(struct sbx_process *proc, bool drain)
{
        for (size_t i = 0; i < proc->noutputs; i++)
                helper_out_pump(&proc->outputs[i], proc->json, drain, emit_helper_line, proc);
}

/* Until the sandbox has ended: relay reports (and what its helpers print)
 * as they come. */
static int relay_until_exit(struct sbx_process *proc)
{
        if (proc->pidfd < 0)
                return 0;
        for (;;) {
                struct pollfd p[2 + SPAWN_MAX_HELPERS] = { { .fd = proc->pidfd, .events = POLLIN },
                                                           { .fd = proc->report_fd, .events = POLLIN } };
                for (size_t i = 0; i < proc->noutputs; i++)
                        p[2 + i] = (struct pollfd){ .fd = proc->outputs[i].fd, .events = POLLIN };
                int k = poll(p, 2 + proc->noutputs, -1);
                if (k < 0 && errno == EINTR)
                        continue;
                if (k < 0)
                        return -errno;
                if (p[1].revents)
                        relay_reports(proc, false);
                for (size_t i = 0; i < proc->noutputs; i++)
                        if (p[2 + i].revents)
                                helper_out_pump(&proc->outputs[i], proc->json, false, emit_helper_line, proc);
                if (p[0].revents)
                        return 0;
        }
}

static void report_lost(struct sbx_process *proc, uint64_t lost)
{
        char line[128];
        if (proc->log_fd < 0 || !lost)
                return;
        int n = proc->json ? snprintf(line, sizeof(line), "{\"event\":\"reports-lost\",\"count\":%llu}\n",
                                      (unsigned long long)lost)
                           : snprintf(line, sizeof(line), "sbx: %llu denial report%s lost\n",
                                      (unsigned long long)lost, lost == 1 ? " was" : "s were");
        struct timespec deadline;
        clock_gettime(CLOCK_MONOTONIC, &deadline);
        deadline.tv_sec += 1;
        if (n > 0)
                (void)deliver(proc->log_fd, line, (size_t)n, &deadline);
}

/* The tally init sent, as the public list (strings made safe to print:
 * init wrote them from what the program passed, escaped, but the copy
 * is checked for termination here). */
static void collect_refusals(struct sbx_process *proc, struct refusal_tally *t)
{
        proc->nrefusals = 0;
        free(proc->tally);
        proc->tally = NULL;
        bool any = false;
        /* Counted here, not by init. */
        t->e[RF_HIDDEN] = proc->hidden;
        for (int k = 0; k < RF_COUNT; k++)
                any = any || t->e[k].count;
        if (!any || !(proc->tally = malloc(sizeof(*t))))
                return;
        *proc->tally = *t;
        for (int k = 0; k < RF_COUNT; k++) {
                struct refusal_entry *e = &proc->tally->e[k];
                if (!e->count)
                        continue;
                e->example[sizeof(e->example) - 1] = e->rule[sizeof(e->rule) - 1] =
                        e->override[sizeof(e->override) - 1] = '\0';
                proc->refusals[proc->nrefusals++] = (struct sbx_refusal){
                        .kind = refusal_kind_name((enum refusal_kind)k),
                        .title = refusal_kind_title((enum refusal_kind)k),
                        .count = e->count,
                        .example = e->example,
                        .rule = e->rule,
                        .override = e->override,
                };
        }
}

SBX_EXPORT int sbx_process_refusals(const struct sbx_process *proc, const struct sbx_refusal **ret, size_t *n)
{
        if (!proc || !ret || !n)
                return -EINVAL;
        if (!proc->reaped)
                return -EBUSY;
        *ret = proc->refusals;
        *n = proc->nrefusals;
        return 0;
}

SBX_EXPORT int sbx_process_wait(struct sbx_process *proc, int *ret_status)
{
        if (!proc)
                return -EINVAL;
        if (!proc->reaped) {
                int st, r;
                struct rusage ru;
                if (proc->report_fd >= 0 && (r = relay_until_exit(proc)) < 0)
                        return r;
                while (wait4(proc->pid, &st, __WALL, &ru) < 0) {
                        if (errno != EINTR)
                                return -errno;
                }
                limits_collect(proc->cg, &ru, &proc->stats);
                cgroup_remove(TAKE_PTR(proc->cg));
                /* Every writer is gone: the rest of the reports, to EOF. */
                relay_reports(proc, true);
                char *m = malloc(STATUS_MAX);
                struct refusal_tally *t = malloc(sizeof(*t));
                if (!m || !t) {
                        free(m);
                        free(t);
                        return -ENOMEM;
                }
                size_t got_n = 0;
                while (got_n < STATUS_MAX) {
                        ssize_t n = read(proc->status_fd, m + got_n, STATUS_MAX - got_n);
                        if (n < 0 && errno == EINTR)
                                continue;
                        if (n <= 0)
                                break;
                        got_n += (size_t)n;
                }
                /* No status from init: it was killed (SIGKILL to the
                 * sandbox, or its parent died); report its own status. */
                bool got = got_n >= sizeof(struct status_head);
                struct status_head h;
                if (got)
                        memcpy(&h, m, sizeof(h));
                proc->status = got ? h.status : st;
                proc->stats.reports_lost = proc->relay_lost + (got ? h.lost : 0);
                if (got) {
                        status_unpack(m, got_n, t);
                        collect_refusals(proc, t);
                }
                free(t);
                free(m);
                proc->reaped = true;
                report_lost(proc, proc->stats.reports_lost);
                relay_outputs(proc, false);
                for (size_t i = 0; i < proc->nhelpers; i++)
                        spawn_helper_end(TAKE_PTR(proc->helpers[i]), TAKE_FD(proc->helper_fds[i]));
                proc->nhelpers = 0;
                /* The helpers are gone: the rest of what they printed. */
                relay_outputs(proc, true);
                netstack_stop(TAKE_PTR(proc->net));
                close(proc->status_fd);
                proc->status_fd = -1;
                if (proc->report_fd >= 0) {
                        close(proc->report_fd);
                        proc->report_fd = -1;
                }
                if (proc->pidfd >= 0) {
                        close(proc->pidfd);
                        proc->pidfd = -1;
                }
                if (proc->enter_fd >= 0) {
                        close(proc->enter_fd);
                        proc->enter_fd = -1;
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
        for (size_t i = 0; i < proc->noutputs; i++)
                helper_out_close(&proc->outputs[i]);
        free(proc->tally);
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

int spawn_adopt_helper(struct sbx_process *proc, struct sbx_process *helper, int fd)
{
        if (proc->nhelpers >= SPAWN_MAX_HELPERS || proc->reaped)
                return -EBUSY;
        proc->helpers[proc->nhelpers] = helper;
        proc->helper_fds[proc->nhelpers++] = fd;
        return 0;
}

int spawn_adopt_output(struct sbx_process *proc, struct helper_out *out)
{
        if (proc->noutputs >= SPAWN_MAX_HELPERS || proc->reaped || proc->log_fd < 0)
                return -EBUSY;
        proc->outputs[proc->noutputs++] = *out;
        out->fd = -1;
        return 0;
}

void spawn_helper_end(struct sbx_process *helper, int fd)
{
        /* Closing its socket asks it to exit; freeing its sandbox kills
         * what is left and reaps it. */
        if (fd >= 0)
                close(fd);
        sbx_process_free(helper);
}

int spawn_helper_policy(const struct plan *plan, const char *name, const char *ini, const char *exe,
                        const char *server, const char *dir, struct sbx_policy **ret, struct sbx_error **err)
{
        struct sbx_policy *p = NULL;
        int r = sbx_policy_new(&p);
        if (r >= 0)
                r = sbx_policy_load_string(p, ini, name, err);
        /* It acts as the caller (the bus's, the display's user), root
         * included. */
        if (r >= 0 && plan->host_uid == 0) {
                p->keep_root = true;
                p->uid = 0;
                p->gid = 0;
        }
        if (r >= 0)
                r = sbx_policy_add_bind(p, server, server, SBX_BIND_RO, err);
        if (r >= 0)
                r = sbx_policy_add_bind(p, dir, dir, 0, err);
        if (r >= 0 && strncmp(exe, "/usr/", 5) != 0)
                r = sbx_policy_add_bind(p, exe, exe, SBX_BIND_RO, err);
        if (r >= 0)
                r = strlist_add(&p->exec_allow, exe, (struct sbx_loc){ 0 });
        if (r < 0) {
                sbx_policy_free(p);
                return r;
        }
        *ret = p;
        return 0;
}

int spawn_helper(const struct sbx_policy *p, const struct sbx_spawn_options *o, struct sbx_process **ret,
                 struct sbx_error **err)
{
        struct plan plan;
        int r = plan_build(p, o, &plan, err);
        /* A helper's own policy never asks for helpers: no recursion. */
        if (r >= 0 && (plan.dbus || plan.x11 || plan.a11y))
                r = sbx_err_setup(err, -ELOOP, "spawn", "a helper's sandbox cannot have helpers of its own");
        if (r >= 0)
                r = spawn_plan(&plan, ret, err);
        plan_done(&plan);
        return r;
}
