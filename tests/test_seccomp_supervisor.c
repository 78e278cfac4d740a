/* test_seccomp_supervisor.c — unit tests for the seccomp supervisor
 * (denial reports, log/kill answers, memfd rewriting, agreement with the
 * filter), the on-disk cache, and the measurements: ns per syscall and
 * the filter's build time. */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "seccomp_helpers.h" /* first: libseccomp before seccomp.h */

#include "harness.h"
#include "plan/plan.h"
#include "launch/supervisor.h"
#include "base/util.h"

extern char **environ;

/* ---- the supervisor ------------------------------------------------------ */

static int send_fd(int sock, int fd)
{
        char c = 0;
        struct iovec iov = { &c, 1 };
        union {
                struct cmsghdr h;
                char buf[CMSG_SPACE(sizeof(int))];
        } u;
        struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf, .msg_controllen = sizeof(u.buf) };
        struct cmsghdr *h = CMSG_FIRSTHDR(&m);
        h->cmsg_level = SOL_SOCKET;
        h->cmsg_type = SCM_RIGHTS;
        h->cmsg_len = CMSG_LEN(sizeof(int));
        memcpy(CMSG_DATA(h), &fd, sizeof(int));
        return sendmsg(sock, &m, 0) < 0 ? -errno : 0;
}

static int recv_fd(int sock)
{
        char c;
        struct iovec iov = { &c, 1 };
        union {
                struct cmsghdr h;
                char buf[CMSG_SPACE(sizeof(int))];
        } u;
        struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf, .msg_controllen = sizeof(u.buf) };
        if (recvmsg(sock, &m, 0) <= 0)
                return -1;
        struct cmsghdr *h = CMSG_FIRSTHDR(&m);
        if (!h || h->cmsg_type != SCM_RIGHTS)
                return -1;
        int fd;
        memcpy(&fd, CMSG_DATA(h), sizeof(int));
        return fd;
}

struct supervised {
        int status;     /* as child_run */
        char log[8192]; /* what the supervisor wrote */
};

/* Like child_run, but the filter has a listener that this process serves
 * with supervisor_handle(), as the sandbox's pid 1 would. */
static void supervised_run(const struct seccomp_prog *prog, unsigned spawn_flags, probe_fn fn, void *arg,
                           struct supervised *out)
{
        int sv[2], logp[2];
        cr_assert_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
        cr_assert_eq(pipe2(logp, O_CLOEXEC | O_NONBLOCK), 0);
        fflush(NULL);
        pid_t pid = fork();
        cr_assert_geq(pid, 0);
        if (pid == 0) {
                close(sv[0]);
                if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
                        _exit(250);
                int l = seccomp_prog_load(prog, false);
                if (l < 0)
                        _exit(251);
                if (send_fd(sv[1], l) < 0)
                        _exit(252);
                close(l);
                int r = fn(arg);
                _exit(r > 249 ? 249 : r);
        }
        close(sv[1]);
        int listener = recv_fd(sv[0]);
        cr_assert_geq(listener, 0, "no listener from the child");
        struct plan plan;
        memset(&plan, 0, sizeof(plan));
        plan.seccomp = *prog;
        plan.log_fd = logp[1];
        plan.spawn_flags = spawn_flags;
        struct sv_report rep = { .fd = logp[1], .live = true };
        int st = 0;
        for (;;) {
                struct pollfd pf = { listener, POLLIN, 0 };
                int k = poll(&pf, 1, 100);
                if (k > 0 && (pf.revents & POLLIN))
                        cr_assert_geq(supervisor_handle(listener, &plan, &rep), 0);
                if (waitpid(pid, &st, WNOHANG) == pid)
                        break;
        }
        cr_assert_eq(rep.lost, 0, "%u reports lost", rep.lost);
        close(listener);
        close(sv[0]);
        close(logp[1]);
        ssize_t n = read(logp[0], out->log, sizeof(out->log) - 1);
        out->log[n > 0 ? n : 0] = 0;
        close(logp[0]);
        out->status = WIFSIGNALED(st) ? SIG(WTERMSIG(st)) : WEXITSTATUS(st);
        cr_assert(out->status < 250 || out->status >= SIG(0), "child setup failed: %d", out->status);
}

static int ptrace_attach(void *arg)
{
        (void)arg;
        return ptrace(PTRACE_ATTACH, 1234, 0, 0) < 0 ? errno : 0;
}

static int openat_denied_path(void *arg)
{
        (void)arg;
        /* creat is not in the test profile below. */
        return syscall(__NR_creat, "/tmp/evil\nsbx: forged line", 0600) < 0 ? errno : 0;
}

Test(seccomp, supervisor_reports_denials)
{
        struct sbx_policy *p = policy_default(EPERM);
        struct seccomp_prog prog;
        compile(p, SC_SUPERVISED | SC_LOG_DENIALS, &prog);
        cr_assert(prog.needs_listener);
        struct supervised s;
        supervised_run(&prog, 0, ptrace_attach, NULL, &s);
        cr_assert_eq(s.status, EPERM, "the program sees the profile's errno");
        cr_assert(strstr(s.log, "sbx: denied ptrace(PTRACE_ATTACH, 1234) in test-seccomp"), "%s", s.log);
        cr_assert(strstr(s.log, "always denied (@debug)"), "%s", s.log);
        cr_assert(strstr(s.log, "override = ptrace"), "%s", s.log);

        /* JSON lines, with a path argument read from the program, escaped. */
        seccomp_prog_done(&prog);
        struct sbx_policy *q = policy_default(EPERM);
        sl_add(&q->sc_deny, "creat", "test.ini", 12);
        compile(q, SC_SUPERVISED | SC_LOG_DENIALS, &prog);
        supervised_run(&prog, SBX_SPAWN_LOG_JSON, openat_denied_path, NULL, &s);
        cr_assert_eq(s.status, EPERM);
        cr_assert(strstr(s.log, "{\"event\":\"seccomp\",\"verdict\":\"denied\",\"syscall\":\"creat\""), "%s", s.log);
        cr_assert(strstr(s.log, "\"args\":\"\\\"/tmp/evil\\u000asbx: forged line\\\", 0x180\""), "%s", s.log);
        cr_assert(strstr(s.log, "\"reason\":\"denied by test.ini:12 [seccomp] deny = creat\""), "%s", s.log);
        cr_assert_eq(strchr(s.log, '\n'), s.log + strlen(s.log) - 1, "one line: %s", s.log);
        seccomp_prog_done(&prog);

        /* Text mode escapes the newline too. */
        compile(q, SC_SUPERVISED | SC_LOG_DENIALS, &prog);
        supervised_run(&prog, 0, openat_denied_path, NULL, &s);
        cr_assert(strstr(s.log, "creat(\"/tmp/evil\\x0asbx: forged line\", 0x180)"), "%s", s.log);
        seccomp_prog_done(&prog);
}

static int setuid_then_ptrace(void *arg)
{
        (void)arg;
        if (setuid(getuid()) < 0)
                return 100 + errno;
        int fds[2];
        if (pipe(fds) < 0)
                return 150;
        char c = 'x';
        if (ioctl(fds[0], TIOCSTI, &c) == 0)
                return 151;
        return ptrace(PTRACE_TRACEME, 0, 0, 0) < 0 ? errno : 0;
}

Test(seccomp, supervisor_log_mode)
{
        /* log: a call outside the allow-list runs and is reported; an
         * always-denied one and an argument rule are still refused. */
        struct sbx_policy *p = policy_default(EPERM);
        p->sc_action = DENY_LOG;
        struct seccomp_prog prog;
        compile(p, SC_SUPERVISED, &prog);
        struct supervised s;
        supervised_run(&prog, 0, setuid_then_ptrace, NULL, &s);
        cr_assert_eq(s.status, EPERM, "%s", s.log);
        cr_assert(strstr(s.log, "sbx: logged setuid("), "%s", s.log);
        cr_assert(strstr(s.log, "sbx: denied ioctl(") && strstr(s.log, "TIOCSTI"), "%s", s.log);
        cr_assert(strstr(s.log, "sbx: denied ptrace(PTRACE_TRACEME"), "%s", s.log);
        seccomp_prog_done(&prog);

        /* kill + --log-denials: reported, then killed. */
        p->sc_action = DENY_KILL;
        compile(p, SC_SUPERVISED | SC_LOG_DENIALS, &prog);
        supervised_run(&prog, 0, ptrace_attach, NULL, &s);
        cr_assert_eq(s.status, SIG(SIGKILL));
        cr_assert(strstr(s.log, "sbx: killed ptrace(PTRACE_ATTACH, 1234)"), "%s", s.log);
        seccomp_prog_done(&prog);
}

static const unsigned char *true_image(size_t *len)
{
        static unsigned char buf[1 << 20];
        int fd = open("/bin/true", O_RDONLY | O_CLOEXEC);
        ssize_t n = fd >= 0 ? read(fd, buf, sizeof(buf)) : -1;
        if (fd >= 0)
                close(fd);
        *len = n > 0 ? (size_t)n : 0;
        return buf;
}

/* memfd + fexecve: 0 when the copy of /bin/true ran. */
static int fileless_exec(void *arg)
{
        (void)arg;
        size_t len;
        const unsigned char *img = true_image(&len);
        if (!len)
                return 200;
        int fd = memfd_create("payload", MFD_CLOEXEC);
        if (fd < 0)
                return 201;
        if (write(fd, img, len) != (ssize_t)len)
                return 202;
        int seals = fcntl(fd, F_GET_SEALS);
        int cloexec = fcntl(fd, F_GETFD);
        if (!(cloexec & FD_CLOEXEC))
                return 203;
        (void)fchmod(fd, 0755);
        pid_t pid = fork();
        if (pid == 0) {
                char *const argv[] = { (char *)"true", NULL };
                syscall(__NR_execveat, fd, "", argv, environ, AT_EMPTY_PATH);
                _exit(errno == EACCES ? 90 : 91);
        }
        int st;
        waitpid(pid, &st, 0);
        if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
                return 0;
        /* Refused: report whether the memfd was sealed non-executable. */
        return (seals >= 0 && (seals & F_SEAL_EXEC)) ? (WEXITSTATUS(st) == 90 ? 60 : 61) : 62;
}

Test(seccomp, memfd_rewritten_noexec)
{
        struct sbx_policy *p = policy_default(EPERM);
        struct seccomp_prog prog;
        compile(p, SC_SUPERVISED, &prog);
        cr_assert(prog.needs_listener);
        /* vm.memfd_noexec = 0 here: fileless execution works bare. */
        cr_assert_eq(child_run(NULL, fileless_exec, NULL), 0);
        struct supervised s;
        supervised_run(&prog, 0, fileless_exec, NULL, &s);
        cr_assert_eq(s.status, 60, "memfd not sealed noexec, or exec not refused with EACCES (%d)", s.status);
        cr_assert_str_empty(s.log, "a rewritten memfd is not a denial: %s", s.log);
        /* MFD_EXEC is refused outright. */
        unsigned exec = MFD_EXEC;
        supervised_run(&prog, 0, memfd_probe, &exec, &s);
        cr_assert_eq(s.status, EPERM);
        seccomp_prog_done(&prog);
}

Test(seccomp, supervisor_decide_matches_filter)
{
        /* For many (nr, args) pairs the supervisor's verdict must agree
         * with what the BPF program returns. */
        struct sbx_policy *p = policy_default(EPERM);
        sl_add(&p->sc_deny, "getppid", "test.ini", 8);
        arg_rule(p, "ioctl", "FIONREAD");
        p->sc_wx = true;
        struct seccomp_prog prog;
        compile(p, SC_SUPERVISED | SC_LOG_DENIALS, &prog);
        static const uint64_t argsets[][6] = {
                { 0 }, { AF_INET }, { AF_UNIX }, { CLONE_NEWUSER }, { 0, TIOCSTI }, { 0, FIONREAD },
                { 0, 0x100005412ULL }, { PR_SET_SECCOMP }, { READ_IMPLIES_EXEC }, { 0xffffffff },
                { 0, MFD_EXEC }, { 0, MFD_NOEXEC_SEAL }, { 0, 0, PROT_WRITE | PROT_EXEC }, { 0, 0, PROT_EXEC },
        };
        for (int nr = 0; nr < 480; nr++)
                for (size_t i = 0; i < ARRAY_SIZE(argsets); i++) {
                        uint32_t ret = bpf_run(&prog, AUDIT_ARCH_X86_64, nr, argsets[i]);
                        struct seccomp_data d = { .nr = nr, .arch = AUDIT_ARCH_X86_64 };
                        memcpy(d.args, argsets[i], sizeof(d.args));
                        const char *why;
                        enum sv_verdict v = supervisor_decide(&prog, &d, &why);
                        if (ret == SECCOMP_RET_ALLOW)
                                cr_assert_eq(v, SV_ALLOWED, "nr %d args %zu: filter allows, supervisor %d", nr, i, v);
                        else if (ret == SECCOMP_RET_USER_NOTIF)
                                cr_assert(v == SV_DENY || v == SV_NOT_ALLOWED || v == SV_MEMFD,
                                          "nr %d args %zu: notified but verdict %d", nr, i, v);
                        else
                                cr_assert_eq(ret, SECCOMP_RET_ERRNO | ENOSYS, "nr %d: %#x", nr, ret);
                        if (v == SV_DENY || v == SV_NOT_ALLOWED)
                                cr_assert(why && *why, "nr %d: no reason", nr);
                }
        seccomp_prog_done(&prog);
}

/* ---- measurements -------------------------------------------------------- */

static double ns_per_call(long nr, unsigned long a0, unsigned long a1, unsigned long a2)
{
        enum { N = 200000 };
        double best = 1e18;
        for (int round = 0; round < 5; round++) {
                struct timespec t0, t1;
                clock_gettime(CLOCK_MONOTONIC, &t0);
                for (int i = 0; i < N; i++)
                        syscall(nr, a0, a1, a2);
                clock_gettime(CLOCK_MONOTONIC, &t1);
                double ns = ((t1.tv_sec - t0.tv_sec) * 1e9 + (t1.tv_nsec - t0.tv_nsec)) / N;
                if (ns < best)
                        best = ns;
        }
        return best;
}

struct bench {
        int mode; /* 0 none, 1 allow-all, 2 sbx default */
        const struct seccomp_prog *prog;
        int wfd;
};

static int bench_child(void *arg)
{
        const struct bench *b = arg;
        int fds[2];
        if (pipe(fds) < 0)
                return 1;
        if (b->mode == 1) {
                struct sock_filter allow = BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
                struct sock_fprog fp = { 1, &allow };
                if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 || prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &fp) < 0)
                        return 2;
        } else if (b->mode == 2) {
                if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 || seccomp_prog_load(b->prog, false) < 0)
                        return 3;
        }
        int avail;
        double r[3] = {
                ns_per_call(__NR_getppid, 0, 0, 0),
                ns_per_call(__NR_ioctl, (unsigned long)fds[0], FIONREAD, (unsigned long)&avail),
                /* denied under sbx (deny = getpgrp), allowed bare */
                ns_per_call(__NR_getpgrp, 0, 0, 0),
        };
        (void)!write(b->wfd, r, sizeof(r));
        return 0;
}

Test(seccomp, measure_costs, .timeout = 120)
{
        struct sbx_policy *p = policy_default(MARK);
        sl_add(&p->sc_deny, "getpgrp", "test.ini", 8);
        struct seccomp_prog prog;
        compile(p, 0, &prog);
        static const char *const modes[] = { "no filter", "allow-all filter", "sbx default filter" };
        double res[3][3];
        for (int m = 0; m < 3; m++) {
                int fds[2];
                cr_assert_eq(pipe(fds), 0);
                struct bench b = { m, &prog, fds[1] };
                cr_assert_eq(child_run(NULL, bench_child, &b), 0);
                cr_assert_eq(read(fds[0], res[m], sizeof(res[m])), (ssize_t)sizeof(res[m]));
                close(fds[0]);
                close(fds[1]);
        }
        fprintf(stderr, "seccomp costs (ns/call, best of 5x200k):\n");
        for (int m = 0; m < 3; m++)
                fprintf(stderr, "  %-20s getppid %6.1f  ioctl(FIONREAD) %6.1f  getpgrp (denied) %6.1f\n",
                        modes[m], res[m][0], res[m][1], res[m][2]);

        /* Build time of the whole program (libseccomp and sbx's prefix). */
        double fresh = 1e18;
        for (int i = 0; i < 5; i++) {
                struct seccomp_prog x;
                struct sbx_error *e = NULL;
                cr_assert_eq(seccomp_compile(p, SC_SUPERVISED, &x, &e), 0);
                fresh = x.build_ns / 1e6 < fresh ? x.build_ns / 1e6 : fresh;
                seccomp_prog_done(&x);
        }
        /* Loading the ready program with seccomp(2), in a child each time. */
        double load = 1e18;
        for (int i = 0; i < 5; i++) {
                int fds[2];
                cr_assert_eq(pipe(fds), 0);
                pid_t pid = fork();
                if (pid == 0) {
                        struct timespec t0, t1;
                        prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
                        clock_gettime(CLOCK_MONOTONIC, &t0);
                        int r = seccomp_prog_load(&prog, false);
                        clock_gettime(CLOCK_MONOTONIC, &t1);
                        double ms = ((t1.tv_sec - t0.tv_sec) * 1e9 + (t1.tv_nsec - t0.tv_nsec)) / 1e6;
                        (void)!write(fds[1], &ms, sizeof(ms));
                        _exit(r < 0);
                }
                double ms = 1e18;
                cr_assert_eq(read(fds[0], &ms, sizeof(ms)), (ssize_t)sizeof(ms));
                waitpid(pid, NULL, 0);
                close(fds[0]);
                close(fds[1]);
                load = ms < load ? ms : load;
        }
        fprintf(stderr, "  filter: %u insns; compile %.3f ms, seccomp(2) load %.3f ms (best of 5)\n",
                prog.len, fresh, load);
        seccomp_prog_done(&prog);
}
