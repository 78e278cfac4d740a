/* enter.c — `sbx enter`: running one more command inside a sandbox that is
 * already running, with exactly the sandbox's confinement.
 *
 * Nothing is rebuilt from outside.  A process that joined the namespaces
 * and then re-applied Landlock and seccomp from a profile (or, worse, from
 * a file in the sandbox: firejail's --join read its filter list back from
 * a file the sandbox could rewrite, netblue30/firejail#2718) could hold
 * more than the sandbox.  Instead the sandbox's own program, once it is
 * fully confined and just before its execve, clones the "door"
 * (CLONE_PARENT: a child of init, not of the program).  The door holds the
 * very Landlock domain and seccomp filter the program runs under (the same
 * kernel objects, so its denials reach the same listener), the same
 * credentials, capability sets, bounding set, securebits, no_new_privs,
 * MDWE, rlimits, namespaces, root and cgroup.  It never execs: it stays
 * non-dumpable with its memory owned by the caller's user namespace, like
 * init, so the program can neither ptrace it nor open its fds through
 * /proc.
 *
 * The door waits on one end of a SOCK_SEQPACKET socketpair whose other
 * end only the caller of sbx_spawn() holds (sbx_process_enter_fd).  One
 * request is one message: the command's argv and, as SCM_RIGHTS, a reply
 * socket and the command's stdin, stdout and stderr.  For each, the door
 * forks a waiter, which forks the command (its own session, the three fds,
 * the sandbox's environment, PATH searched in it) and then reports over
 * the reply socket: the command's pid in the sandbox (or why it could not
 * be executed), then its wait status; a signal number sent back is
 * delivered to the command; a hang-up of the reply socket kills it.
 *
 * Door side: runs in a fork of a clone of the caller — async-signal-safe
 * only (static buffers, plain system calls, no malloc or stdio).
 * Caller side (sbx_enter and friends): ordinary library code. */
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "launch/enter.h"
#include "plan/plan.h"
#include "base/util.h"

#ifndef CLONE_PIDFD
#define CLONE_PIDFD 0x00001000
#endif
#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

#define ENTER_MAGIC 0x73627865u /* "sbxe" */
#define ENTER_MAX_MSG (64 * 1024)
#define ENTER_MAX_ARGS 1024
#define ENTER_NFDS 4 /* reply socket, stdin, stdout, stderr */

enum { REPLY_STARTED = 1, REPLY_FAILED, REPLY_EXITED, REQ_SIGNAL };

struct enter_req_hdr {
        uint32_t magic;
        uint32_t argc;
        /* argc NUL-terminated strings follow */
};

struct enter_msg {
        uint32_t type;
        int32_t value; /* STARTED: pid in the sandbox; FAILED: errno; EXITED: wait
                        * status; SIGNAL: signal number */
};

/* ---- door side (async-signal-safe) ------------------------------------- */

static char door_buf[ENTER_MAX_MSG + 1];
static char *door_argv[ENTER_MAX_ARGS + 1];
static char door_path[4096];

static bool send_msg(int fd, uint32_t type, int32_t value)
{
        struct enter_msg m = { .type = type, .value = value };
        return send(fd, &m, sizeof(m), MSG_NOSIGNAL) == (ssize_t)sizeof(m);
}

/* The value of NAME= in the sandbox's environment, or NULL. */
static const char *env_get(char *const *envp, const char *name, size_t n)
{
        for (; envp && *envp; envp++)
                if (strncmp(*envp, name, n) == 0 && (*envp)[n] == '=')
                        return *envp + n + 1;
        return NULL;
}

/* execve argv[0], searched in the sandbox's PATH when it holds no '/'.
 * Returns the errno that best explains the failure. */
static int exec_command(char *const *argv, char *const *envp)
{
        const char *file = argv[0];
        if (strchr(file, '/')) {
                execve(file, argv, envp);
                return errno;
        }
        const char *path = env_get(envp, "PATH", 4);
        if (!path)
                path = "/usr/local/bin:/usr/bin:/bin";
        size_t flen = strlen(file);
        int best = ENOENT;
        for (const char *p = path;; p++) {
                const char *e = strchr(p, ':');
                size_t dlen = e ? (size_t)(e - p) : strlen(p);
                if (dlen + 1 + flen + 1 <= sizeof(door_path) && dlen > 0) {
                        memcpy(door_path, p, dlen);
                        door_path[dlen] = '/';
                        memcpy(door_path + dlen + 1, file, flen + 1);
                        execve(door_path, argv, envp);
                        /* As execvp: a file found but refused is the answer
                         * unless a later directory has a runnable one. */
                        if (errno == EACCES || errno == EPERM)
                                best = errno;
                }
                if (!e)
                        break;
                p = e;
        }
        return best;
}

/* The command: its own session, the caller's three fds as 0-2, nothing
 * else across execve. */
static _Noreturn void run_command(const struct plan *plan, const int *fds, int errpipe)
{
        int tmp[3];
        pid_t waiter = getppid();
        if (setsid() < 0)
                goto fail;
        /* The caller's terminal must not outlive its `sbx enter`: if the
         * waiter is killed (the program can find it), so is the command. */
        if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != waiter)
                goto fail;
        for (int i = 0; i < 3; i++)
                if ((tmp[i] = fcntl(fds[i + 1], F_DUPFD_CLOEXEC, 10)) < 0)
                        goto fail;
        for (int i = 0; i < 3; i++)
                if (dup2(tmp[i], i) < 0)
                        goto fail;
        if (syscall(SYS_close_range, 3, ~0U, CLOSE_RANGE_CLOEXEC) < 0)
                goto fail;
        {
                int e = exec_command(door_argv, plan->envp);
                (void)!write(errpipe, &e, sizeof(e));
                _exit(e == ENOENT ? 127 : 126);
        }
fail:;
        int e = errno;
        (void)!write(errpipe, &e, sizeof(e));
        _exit(126);
}

/* One request: argv in door_buf[0..n), fds[0] the reply socket. */
static _Noreturn void run_waiter(const struct plan *plan, size_t n, const int *fds)
{
        int reply = fds[0], err_pipe[2], pidfd = -1;
        struct sigaction dfl = { .sa_handler = SIG_DFL };
        /* The door ignores SIGCHLD (its waiters reap themselves); this
         * waiter must see its command's status. */
        if (sigaction(SIGCHLD, &dfl, NULL) < 0)
                goto fail;
        struct enter_req_hdr h;
        if (n < sizeof(h))
                goto bad;
        memcpy(&h, door_buf, sizeof(h));
        if (h.magic != ENTER_MAGIC || h.argc == 0 || h.argc > ENTER_MAX_ARGS)
                goto bad;
        door_buf[n] = 0;
        size_t off = sizeof(h);
        for (uint32_t i = 0; i < h.argc; i++) {
                if (off >= n)
                        goto bad;
                door_argv[i] = door_buf + off;
                size_t len = strnlen(door_buf + off, n - off);
                if (off + len >= n)
                        goto bad; /* no NUL inside the message */
                off += len + 1;
        }
        if (off != n)
                goto bad;
        door_argv[h.argc] = NULL;

        if (pipe2(err_pipe, O_CLOEXEC) < 0)
                goto fail;
        long pid = syscall(SYS_clone, CLONE_PIDFD | SIGCHLD, NULL, &pidfd, NULL, 0);
        if (pid < 0)
                goto fail;
        if (pid == 0) {
                close(err_pipe[0]);
                close(reply);
                run_command(plan, fds, err_pipe[1]);
        }
        close(err_pipe[1]);
        for (int i = 1; i < 4; i++)
                close(fds[i]);
        int e = 0;
        ssize_t k;
        while ((k = read(err_pipe[0], &e, sizeof(e))) < 0 && errno == EINTR)
                ;
        close(err_pipe[0]);
        if (k == (ssize_t)sizeof(e)) {
                int st;
                while (waitpid((pid_t)pid, &st, 0) < 0 && errno == EINTR)
                        ;
                send_msg(reply, REPLY_FAILED, e ? e : EIO);
                _exit(0);
        }
        if (!send_msg(reply, REPLY_STARTED, (int32_t)pid)) {
                /* Nobody is waiting for it: the caller went away. */
                kill((pid_t)pid, SIGKILL);
        }
        for (;;) {
                struct pollfd p[2] = { { .fd = pidfd, .events = POLLIN }, { .fd = reply, .events = POLLIN } };
                int r = poll(p, 2, -1);
                if (r < 0 && errno == EINTR)
                        continue;
                if (r < 0)
                        break;
                if (p[0].revents) {
                        int st;
                        if (waitpid((pid_t)pid, &st, 0) == pid) {
                                /* What it left in its session (its process
                                 * group) holds the caller's fds too. */
                                kill(-(pid_t)pid, SIGKILL);
                                send_msg(reply, REPLY_EXITED, st);
                                _exit(0);
                        }
                        if (errno != EINTR)
                                break;
                        continue;
                }
                struct enter_msg m;
                ssize_t got = p[1].revents ? recv(reply, &m, sizeof(m), MSG_DONTWAIT) : -1;
                if (got < 0 && (errno == EAGAIN || errno == EINTR))
                        continue;
                if (got == (ssize_t)sizeof(m) && m.type == REQ_SIGNAL && m.value > 0 && m.value < 65) {
                        kill((pid_t)pid, m.value);
                        continue;
                }
                if (got > 0)
                        continue; /* not a message of ours: ignored */
                /* The caller hung up: its command goes with it, and what
                 * the command started in its process group. */
                kill(-(pid_t)pid, SIGKILL);
                kill((pid_t)pid, SIGKILL);
                int st;
                while (waitpid((pid_t)pid, &st, 0) < 0 && errno == EINTR)
                        ;
                _exit(0);
        }
        kill((pid_t)pid, SIGKILL);
        _exit(1);
bad:
        errno = EBADMSG;
fail:
        send_msg(reply, REPLY_FAILED, errno ? errno : EIO);
        _exit(1);
}

static _Noreturn void run_door(const struct plan *plan, int chan)
{
        /* Out of the program's session and process group: the program's
         * kill(0, …) or a terminal's hang-up do not reach the door. */
        (void)setsid();
        if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0 || prctl(PR_GET_DUMPABLE, 0, 0, 0, 0) != 0)
                _exit(1);
        /* Named for ps inside the sandbox; a filter that refuses the
         * rename costs nothing. */
        (void)prctl(PR_SET_NAME, "sbx-door", 0, 0, 0);
        if ((chan > 0 && syscall(SYS_close_range, 0, chan - 1, 0) < 0) ||
            syscall(SYS_close_range, chan + 1, ~0U, 0) < 0)
                _exit(1);
        struct sigaction ign = { .sa_handler = SIG_IGN };
        if (sigaction(SIGCHLD, &ign, NULL) < 0)
                _exit(1);
        for (;;) {
                union {
                        struct cmsghdr h;
                        char buf[CMSG_SPACE(ENTER_NFDS * sizeof(int))];
                } u;
                struct iovec iov = { .iov_base = door_buf, .iov_len = ENTER_MAX_MSG };
                struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf,
                                      .msg_controllen = sizeof(u.buf) };
                ssize_t n = recvmsg(chan, &msg, MSG_CMSG_CLOEXEC);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0)
                        _exit(0); /* the holder of the other end is gone */
                int fds[ENTER_NFDS], nfds = 0;
                for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
                        if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
                                continue;
                        size_t k = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
                        for (size_t i = 0; i < k; i++) {
                                int fd;
                                memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
                                if (nfds < ENTER_NFDS)
                                        fds[nfds++] = fd;
                                else
                                        close(fd);
                        }
                }
                if (nfds == ENTER_NFDS && !(msg.msg_flags & (MSG_TRUNC | MSG_CTRUNC))) {
                        long pid = syscall(SYS_clone, SIGCHLD, NULL, NULL, NULL, 0);
                        if (pid == 0) {
                                close(chan);
                                run_waiter(plan, (size_t)n, fds);
                        }
                        if (pid < 0)
                                send_msg(fds[0], REPLY_FAILED, errno);
                } else if (nfds > 0) {
                        send_msg(fds[0], REPLY_FAILED, EBADMSG);
                }
                for (int i = 0; i < nfds; i++)
                        close(fds[i]);
        }
}

int enter_start_door(const struct plan *plan, int chan)
{
        /* CLONE_PARENT: the door is init's child, so the program neither
         * gets its SIGCHLD nor can wait for it.  The program is not pid 1,
         * for which the kernel refuses CLONE_PARENT. */
        long pid = syscall(SYS_clone, CLONE_PARENT | SIGCHLD, NULL, NULL, NULL, 0);
        if (pid < 0)
                return -errno;
        if (pid == 0)
                run_door(plan, chan);
        return 0;
}

/* ---- caller side ------------------------------------------------------ */

struct sbx_entered {
        int sock;
        pid_t pid;
        bool done;
        int status;
};

SBX_EXPORT int sbx_enter(int door_fd, const struct sbx_enter_options *o, struct sbx_entered **ret,
                         struct sbx_error **err)
{
        if (!o || !ret || o->size < offsetof(struct sbx_enter_options, flags) + sizeof(o->flags) ||
            !o->argv || !o->argv[0] || door_fd < 0)
                return sbx_err_setup(err, -EINVAL, "enter", "bad arguments");
        size_t argc = 0, len = sizeof(struct enter_req_hdr);
        for (; o->argv[argc]; argc++)
                len += strlen(o->argv[argc]) + 1;
        if (argc > ENTER_MAX_ARGS || len > ENTER_MAX_MSG)
                return sbx_err_setup(err, -E2BIG, "enter", "the command line is too long (at most %d "
                                     "arguments, %d bytes)", ENTER_MAX_ARGS, ENTER_MAX_MSG);
        _cleanup_free_ char *buf = malloc(len);
        if (!buf)
                return -ENOMEM;
        struct enter_req_hdr h = { .magic = ENTER_MAGIC, .argc = (uint32_t)argc };
        memcpy(buf, &h, sizeof(h));
        size_t off = sizeof(h);
        for (size_t i = 0; i < argc; i++) {
                size_t l = strlen(o->argv[i]) + 1;
                memcpy(buf + off, o->argv[i], l);
                off += l;
        }
        int sv[2];
        if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
                return sbx_err_setup(err, -errno, "enter", "socketpair");
        _cleanup_close_ int mine = sv[0], theirs = sv[1], devnull = -1;
        int fds[ENTER_NFDS] = { theirs, o->stdin_fd, o->stdout_fd, o->stderr_fd };
        for (int i = 1; i < ENTER_NFDS; i++) {
                if (fds[i] >= 0)
                        continue;
                if (devnull < 0 && (devnull = open("/dev/null", O_RDWR | O_CLOEXEC)) < 0)
                        return sbx_err_setup(err, -errno, "enter", "/dev/null");
                fds[i] = devnull;
        }
        union {
                struct cmsghdr h;
                char buf[CMSG_SPACE(ENTER_NFDS * sizeof(int))];
        } u;
        memset(&u, 0, sizeof(u));
        struct iovec iov = { .iov_base = buf, .iov_len = len };
        struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf,
                              .msg_controllen = sizeof(u.buf) };
        struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(fds));
        memcpy(CMSG_DATA(c), fds, sizeof(fds));
        if (sendmsg(door_fd, &msg, MSG_NOSIGNAL) < 0) {
                int e = errno;
                if (e == EPIPE || e == ECONNRESET || e == ECONNREFUSED)
                        return sbx_err_setup(err, -e, "enter", "the sandbox's door is closed (its "
                                             "program ended, or killed the door)");
                return sbx_err_setup(err, -e, "enter", "sending the request");
        }
        close(TAKE_FD(theirs));
        struct enter_msg m;
        ssize_t n;
        while ((n = recv(mine, &m, sizeof(m), 0)) < 0 && errno == EINTR)
                ;
        if (n < 0)
                return sbx_err_setup(err, -errno, "enter", "reading the door's answer");
        if (n != (ssize_t)sizeof(m))
                return sbx_err_setup(err, -EPIPE, "enter", "the sandbox's door closed without an answer "
                                     "(the sandbox ended, or its filter refused to fork)");
        if (m.type == REPLY_FAILED) {
                int e = m.value > 0 ? m.value : EIO;
                return sbx_err_kind(err, e == ENOENT ? SBX_ERROR_NOT_FOUND : SBX_ERROR_EXEC, -e, "exec",
                                    "%s: %s (inside the sandbox)", o->argv[0], strerror(e));
        }
        if (m.type != REPLY_STARTED)
                return sbx_err_setup(err, -EBADMSG, "enter", "unexpected answer from the door");
        struct sbx_entered *en = calloc(1, sizeof(*en));
        if (!en)
                return -ENOMEM;
        en->sock = TAKE_FD(mine);
        en->pid = (pid_t)m.value;
        *ret = en;
        return 0;
}

SBX_EXPORT pid_t sbx_entered_pid(const struct sbx_entered *en) { return en ? en->pid : -1; }
SBX_EXPORT int sbx_entered_fd(const struct sbx_entered *en) { return en ? en->sock : -1; }

SBX_EXPORT int sbx_entered_signal(struct sbx_entered *en, int sig)
{
        if (!en || sig <= 0 || sig > 64)
                return -EINVAL;
        if (en->done)
                return -ESRCH;
        struct enter_msg m = { .type = REQ_SIGNAL, .value = sig };
        return send(en->sock, &m, sizeof(m), MSG_NOSIGNAL | MSG_DONTWAIT) == (ssize_t)sizeof(m) ? 0 : -errno;
}

SBX_EXPORT int sbx_entered_wait(struct sbx_entered *en, int *ret_status)
{
        if (!en)
                return -EINVAL;
        while (!en->done) {
                struct enter_msg m;
                ssize_t n = recv(en->sock, &m, sizeof(m), 0);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return -errno;
                if (n == 0)
                        return -EPIPE; /* the sandbox ended first: its pid namespace took the command */
                if (n == (ssize_t)sizeof(m) && m.type == REPLY_EXITED) {
                        en->done = true;
                        en->status = m.value;
                }
        }
        if (ret_status)
                *ret_status = en->status;
        return 0;
}

SBX_EXPORT void sbx_entered_free(struct sbx_entered *en)
{
        if (!en)
                return;
        /* Closing the socket is the hang-up that ends a command still running. */
        close(en->sock);
        free(en);
}
