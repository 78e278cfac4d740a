/* test_seccomp.c — unit tests for the syscall groups and the seccomp
 * filter (compiled from hand-built policies, loaded in forked children of
 * the Criterion test process); the supervisor, the cache and measurements
 * are in test_seccomp_supervisor.c.
 *
 * Every refusal is checked against the same call without the filter: a
 * call is first run in a child with no filter (it must work, or fail with
 * something other than the filter's answer — said where the kernel itself
 * refuses), then in a child with the filter.  Most tests set the profile's
 * errno to ENOTRECOVERABLE so that the filter's answer cannot be confused
 * with the kernel's own EPERM. */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/bpf.h>
#include <linux/io_uring.h>
#include <linux/perf_event.h>
#include <linux/userfaultfd.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <sys/mman.h>
#include <sys/mount.h>
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
#include "syscalls/syscalls.h"
#include "base/util.h"

/* lib/launch/spawn.h shadows the system <spawn.h> on this include path. */
extern int posix_spawn(pid_t *pid, const char *path, const void *file_actions, const void *attr,
                       char *const argv[], char *const envp[]);

extern char **environ;

TestSuite(seccomp, .fini = helpers_cleanup);

/* ---- the group table --------------------------------------------------- */

static int count_cb(const char *s, void *ud)
{
        (void)s;
        ++*(int *)ud;
        return 0;
}

Test(seccomp, group_table_golden)
{
        /* Every member of every group is a syscall libseccomp knows on
         * x86_64, or a group. */
        for (size_t i = 0; i < syscall_groups_count; i++) {
                const struct syscall_group *g = &syscall_groups[i];
                cr_assert_eq(g->name[0], '@');
                cr_assert(g->help && *g->help, "%s has no help", g->name);
                cr_assert_eq(syscall_group_find(g->name), g);
                char *m = strdup(g->members), *save = NULL;
                for (char *t = strtok_r(m, " ", &save); t; t = strtok_r(NULL, " ", &save))
                        cr_expect(syscall_name_valid(t), "%s: unknown member '%s'", g->name, t);
                free(m);
                int n = 0;
                cr_assert_eq(syscall_expand_each(g->name, count_cb, &n), 0, "%s", g->name);
                cr_assert_gt(n, 0);
        }
        /* Every syscall libseccomp knows is in some group: a new one shows
         * up here instead of silently getting ENOSYS. */
        for (int nr = 0; nr < 1024; nr++) {
                char *name = seccomp_syscall_resolve_num_arch(SCMP_ARCH_X86_64, nr);
                if (!name)
                        continue;
                bool found = false;
                for (size_t i = 0; i < syscall_groups_count && !found; i++) {
                        char **v = NULL;
                        cr_assert_eq(sbx_syscall_expand(syscall_groups[i].name, &v), 0);
                        for (char **q = v; *q; q++)
                                found = found || strcmp(*q, name) == 0;
                        sbx_strv_free(v);
                }
                cr_expect(found, "syscall %s (%d) is in no group", name, nr);
                free(name);
        }
        /* The always-denied set of the issue is in dangerous groups. */
        static const char *const always[] = {
                "io_uring_setup", "io_uring_enter", "io_uring_register", "bpf", "perf_event_open",
                "userfaultfd", "kexec_load", "kexec_file_load", "init_module", "finit_module",
                "delete_module", "open_by_handle_at", "add_key", "request_key", "keyctl", "ptrace",
                "process_vm_readv", "process_vm_writev", "mount", "umount2", "fsopen", "fsmount",
                "fsconfig", "fspick", "move_mount", "open_tree", "mount_setattr", "pivot_root",
                "chroot", "swapon", "swapoff", "reboot", "settimeofday", "clock_settime",
                "clock_adjtime", "adjtimex",
        };
        for (size_t i = 0; i < ARRAY_SIZE(always); i++)
                cr_expect(syscall_dangerous_group(always[i]) != NULL, "%s not always denied", always[i]);
        /* …and nothing ordinary programs need is. */
        char **def = NULL;
        cr_assert_eq(sbx_syscall_expand("@default", &def), 0);
        for (char **q = def; *q; q++)
                cr_expect(syscall_dangerous_group(*q) == NULL, "@default has dangerous %s", *q);
        sbx_strv_free(def);
}

Test(seccomp, public_group_api)
{
        cr_assert_eq(sbx_syscall_group_count(), syscall_groups_count);
        cr_assert_str_eq(sbx_syscall_group_name(0), "@default");
        cr_assert_null(sbx_syscall_group_name(syscall_groups_count));
        cr_assert_not_null(sbx_syscall_group_help(1));
        char **v = NULL;
        cr_assert_eq(sbx_syscall_expand("ptrace", &v), 0);
        cr_assert_str_eq(v[0], "ptrace");
        cr_assert_null(v[1]);
        sbx_strv_free(v);
        cr_assert_eq(sbx_syscall_expand("@nonexistent", &v), -ENOENT);
        cr_assert_eq(sbx_syscall_expand("socketcall", &v), -ENOENT, "i386-only name accepted");
        cr_assert_eq(sbx_syscall_expand("no_such_call", &v), -ENOENT);
        cr_assert(syscall_name_valid("@debug"));
        cr_assert(!syscall_name_valid("@"));
        cr_assert(!syscall_name_valid(""));
        /* Expansion is recursive and without duplicates. */
        cr_assert_eq(sbx_syscall_expand("@default", &v), 0);
        size_t n = 0;
        bool read_seen = false;
        for (char **q = v; *q; q++, n++) {
                read_seen = read_seen || strcmp(*q, "read") == 0;
                for (char **r = q + 1; *r; r++)
                        cr_assert_str_neq(*q, *r);
        }
        cr_assert(read_seen);
        cr_assert_gt(n, 200);
        sbx_strv_free(v);
}

Test(seccomp, unknown_names_are_profile_errors)
{
        struct sbx_policy *p = policy_default(EPERM);
        sl_add(&p->sc_allow, "no_such_call", "bad.ini", 7);
        struct seccomp_prog prog;
        struct sbx_error *e = NULL;
        cr_assert_lt(seccomp_compile(p, 0, &prog, &e), 0);
        cr_assert_not_null(e);
        cr_assert_str_eq(sbx_error_file(e), "bad.ini");
        cr_assert_eq(sbx_error_line(e), 7);
        cr_assert(strstr(sbx_error_message(e), "no_such_call"), "%s", sbx_error_message(e));
        sbx_error_free(e);

        struct sbx_policy *q = policy_default(EPERM);
        arg_rule(q, "socket", "unix no_such_family");
        e = NULL;
        cr_assert_lt(seccomp_compile(q, 0, &prog, &e), 0);
        cr_assert(strstr(sbx_error_message(e), "no_such_family"), "%s", sbx_error_message(e));
        sbx_error_free(e);
}

/* ---- the exported program ---------------------------------------------- */

Test(seccomp, bpf_rejects_other_abis)
{
        struct sbx_policy *p = policy_default(EPERM);
        struct seccomp_prog prog;
        compile(p, 0, &prog);
        const uint64_t none[6] = { 0 };
        /* Native getpid is allowed. */
        cr_assert_eq(bpf_run(&prog, AUDIT_ARCH_X86_64, __NR_getpid, none), SECCOMP_RET_ALLOW);
        /* x32: the same arch token, nr | 0x40000000 — every number killed,
         * including x32's own getpid (39) and ptrace (521). */
        for (uint32_t nr = 0; nr < 600; nr++)
                cr_assert_eq(bpf_run(&prog, AUDIT_ARCH_X86_64, (int)(0x40000000U | nr), none),
                             SECCOMP_RET_KILL_PROCESS, "x32 nr %u not killed", nr);
        cr_assert_eq(bpf_run(&prog, AUDIT_ARCH_X86_64, 0x7fffffff, none), SECCOMP_RET_KILL_PROCESS);
        /* i386 (int 0x80): killed, whatever the number. */
        for (int nr = 0; nr < 460; nr++)
                cr_assert_eq(bpf_run(&prog, AUDIT_ARCH_I386, nr, none), SECCOMP_RET_KILL_PROCESS);
        /* Unknown native numbers: ENOSYS; a known denied one: the errno. */
        cr_assert_eq(bpf_run(&prog, AUDIT_ARCH_X86_64, 470, none), SECCOMP_RET_ERRNO | ENOSYS);
        cr_assert_eq(bpf_run(&prog, AUDIT_ARCH_X86_64, 400, none), SECCOMP_RET_ERRNO | ENOSYS);
        cr_assert_eq(bpf_run(&prog, AUDIT_ARCH_X86_64, __NR_clone3, none), SECCOMP_RET_ERRNO | ENOSYS);
        cr_assert_eq(bpf_run(&prog, AUDIT_ARCH_X86_64, __NR_ptrace, none), SECCOMP_RET_ERRNO | EPERM);
        /* TIOCSTI with high bits set in cmd is still TIOCSTI. */
        const uint64_t sti[6] = { 0, 0x100005412ULL };
        const uint64_t tcgets[6] = { 0, TCGETS };
        cr_assert_eq(bpf_run(&prog, AUDIT_ARCH_X86_64, __NR_ioctl, sti), SECCOMP_RET_ERRNO | EPERM);
        cr_assert_eq(bpf_run(&prog, AUDIT_ARCH_X86_64, __NR_ioctl, tcgets), SECCOMP_RET_ALLOW);
        cr_log_info("default filter: %u instructions, built in %.2f ms", prog.len, prog.build_ns / 1e6);
        seccomp_prog_done(&prog);
}

Test(seccomp, hot_syscalls_skip_the_program)
{
        struct sbx_policy *p = policy_default(EPERM);
        struct seccomp_prog prog;
        compile(p, SC_SUPERVISED, &prog);
        static const int hot[] = { __NR_read, __NR_write, __NR_futex, __NR_getpid, __NR_close,
                                   __NR_mmap, __NR_openat, __NR_epoll_wait, __NR_recvmsg, __NR_clock_gettime };
        for (size_t i = 0; i < ARRAY_SIZE(hot); i++)
                cr_expect(!loads_args(&prog, hot[i]), "nr %d loads an argument", hot[i]);
        cr_expect(loads_args(&prog, __NR_ioctl));
        cr_expect(loads_args(&prog, __NR_socket));
        cr_expect(loads_args(&prog, __NR_clone));
        seccomp_prog_done(&prog);
}

/* ---- other ABIs at run time -------------------------------------------- */

static int int80_getpid(void *arg)
{
        (void)arg;
        long r;
        /* i386 getpid is 20.  Running it is harmless; the filter must kill. */
        __asm__ volatile("int $0x80" : "=a"(r) : "a"(20L) : "memory");
        return r == getpid() ? 0 : 1;
}

static int int80_ptrace(void *arg)
{
        (void)arg;
        long r;
        /* i386 ptrace is 26; PTRACE_TRACEME. */
        __asm__ volatile("int $0x80" : "=a"(r) : "a"(26L), "b"(0L), "c"(0L), "d"(0L) : "memory");
        return r == 0 ? 0 : (int)-r;
}

Test(seccomp, i386_int80_killed)
{
        struct sbx_policy *p = policy_default(MARK);
        struct seccomp_prog prog;
        compile(p, 0, &prog);
        /* Bare: the i386 entry works on this kernel (IA32_EMULATION=y). */
        int bare = child_run(NULL, int80_getpid, NULL);
        /* A kernel without IA32 emulation faults even bare: nothing to
         * escape through; bpf_rejects_other_abis checks the filter. */
        if (bare != 0)
                cr_skip_test("int 0x80 does not work bare on this kernel (no IA32 emulation; child "
                             "result %d); the filter's i386 check is tested on its BPF instead", bare);
        cr_assert_eq(child_run(NULL, int80_ptrace, NULL), 0, "bare i386 ptrace(TRACEME) failed");
        cr_assert_eq(child_run(&prog, int80_getpid, NULL), SIG(SIGSYS));
        cr_assert_eq(child_run(&prog, int80_ptrace, NULL), SIG(SIGSYS));
        seccomp_prog_done(&prog);
}

/* ---- dangerous groups ---------------------------------------------------- */

static int io_uring_probe(void *arg)
{
        (void)arg;
        struct io_uring_params params;
        memset(&params, 0, sizeof(params));
        long fd = syscall(__NR_io_uring_setup, 4, &params);
        return fd < 0 ? errno : 0;
}

Test(seccomp, io_uring_refused)
{
        struct sbx_policy *p = policy_default(MARK);
        sl_add(&p->sc_allow, "@io-uring", "test.ini", 4); /* allow alone is not enough */
        struct seccomp_prog prog;
        compile(p, 0, &prog);
        cr_assert_eq(child_run(NULL, io_uring_probe, NULL), 0, "io_uring_setup fails bare");
        cr_assert_eq(child_run(&prog, io_uring_probe, NULL), MARK);
        cr_assert_eq(call_with(&prog, __NR_io_uring_enter, (unsigned long)-1, 0, 0), MARK);
        cr_assert_eq(call_with(&prog, __NR_io_uring_register, (unsigned long)-1, 0, 0), MARK);
        seccomp_prog_done(&prog);

        /* override lets it through. */
        sl_add(&p->sc_override, "@io-uring", "test.ini", 5);
        compile(p, 0, &prog);
        cr_assert_eq(child_run(&prog, io_uring_probe, NULL), 0);
        seccomp_prog_done(&prog);
}

static int sweep_child(void *arg)
{
        (void)arg;
        /* In case the filter let something through: own namespaces, no
         * controlling terminal, so nothing here can touch the host. */
        if (geteuid() != 0 && unshare(CLONE_NEWUSER) < 0)
                return 1;
        if (unshare(CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC) < 0)
                return 2;
        setsid();
        return 0;
}

Test(seccomp, every_dangerous_syscall_refused)
{
        struct sbx_policy *p = policy_default(MARK);
        /* Even listed in allow, a dangerous group stays denied. */
        for (size_t i = 0; i < syscall_groups_count; i++)
                if (syscall_groups[i].dangerous)
                        sl_add(&p->sc_allow, syscall_groups[i].name, "test.ini", 4);
        struct seccomp_prog prog;
        compile(p, 0, &prog);
        int pipefd[2];
        cr_assert_eq(pipe(pipefd), 0);
        fflush(NULL);
        pid_t pid = fork();
        if (pid == 0) {
                close(pipefd[0]);
                if (sweep_child(NULL) != 0)
                        _exit(3);
                if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 || seccomp_prog_load(&prog, false) < 0)
                        _exit(4);
                for (size_t nr = 0; nr < prog.nr_max; nr++) {
                        if (!prog.names[nr] || !syscall_dangerous_group(prog.names[nr]))
                                continue;
                        /* All-zero arguments: NULL pointers, fd 0, flag 0. */
                        long r = syscall((long)nr, 0, 0, 0, 0, 0, 0);
                        int e = errno;
                        if (r != -1 || e != MARK) {
                                char line[96];
                                int n = snprintf(line, sizeof(line), "%s=%ld/%d ", prog.names[nr], r, e);
                                (void)!write(pipefd[1], line, (size_t)n);
                        }
                }
                _exit(0);
        }
        close(pipefd[1]);
        char out[4096] = "";
        ssize_t n = read(pipefd[0], out, sizeof(out) - 1);
        if (n > 0)
                out[n] = 0;
        int st;
        waitpid(pid, &st, 0);
        cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "sweep child failed: %#x", st);
        cr_assert_str_empty(out, "not refused with the profile's errno: %s", out);
        seccomp_prog_done(&prog);
}

/* Representatives that really work without the filter here. */
static int ptrace_traceme(void *arg)
{
        (void)arg;
        return ptrace(PTRACE_TRACEME, 0, 0, 0) < 0 ? errno : 0;
}

static int vm_readv_self(void *arg)
{
        (void)arg;
        char src[8] = "secret", dst[8];
        struct iovec l = { dst, sizeof(dst) }, r = { src, sizeof(src) };
        return process_vm_readv(getpid(), &l, 1, &r, 1, 0) < 0 ? errno : 0;
}

static int perf_self(void *arg)
{
        (void)arg;
        struct perf_event_attr a;
        memset(&a, 0, sizeof(a));
        a.size = sizeof(a);
        a.type = PERF_TYPE_SOFTWARE;
        a.config = PERF_COUNT_SW_TASK_CLOCK;
        a.exclude_kernel = 1;
        a.exclude_hv = 1;
        return syscall(__NR_perf_event_open, &a, 0, -1, -1, 0) < 0 ? errno : 0;
}

static int keyring_add(void *arg)
{
        (void)arg;
        /* KEY_SPEC_PROCESS_KEYRING: gone with the process. */
        return syscall(__NR_add_key, "user", "sbx-test", "x", 1, -2) < 0 ? errno : 0;
}

static int uffd_user(void *arg)
{
        (void)arg;
        return syscall(__NR_userfaultfd, O_CLOEXEC | UFFD_USER_MODE_ONLY) < 0 ? errno : 0;
}

static int mount_in_userns(void *arg)
{
        const struct seccomp_prog *prog = arg;
        if (unshare(CLONE_NEWUSER | CLONE_NEWNS) < 0)
                return 200;
        if (prog && (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 || seccomp_prog_load(prog, false) < 0))
                return 201;
        if (mount("none", "/tmp", "tmpfs", 0, NULL) < 0)
                return errno;
        return chroot("/tmp") < 0 ? errno : 0;
}

static int bpf_map(void *arg)
{
        (void)arg;
        union bpf_attr a;
        memset(&a, 0, sizeof(a));
        a.map_type = BPF_MAP_TYPE_ARRAY;
        a.key_size = 4;
        a.value_size = 4;
        a.max_entries = 1;
        return syscall(__NR_bpf, BPF_MAP_CREATE, &a, sizeof(a)) < 0 ? errno : 0;
}

Test(seccomp, dangerous_representatives_work_bare)
{
        struct sbx_policy *p = policy_default(MARK);
        struct seccomp_prog prog;
        compile(p, 0, &prog);
        struct { const char *what; probe_fn fn; } reps[] = {
                { "ptrace", ptrace_traceme },   { "process_vm_readv", vm_readv_self },
                { "perf_event_open", perf_self }, { "add_key", keyring_add },
                { "userfaultfd", uffd_user },    { "io_uring_setup", io_uring_probe },
        };
        for (size_t i = 0; i < ARRAY_SIZE(reps); i++) {
                cr_expect_eq(child_run(NULL, reps[i].fn, NULL), 0, "%s fails without the filter", reps[i].what);
                cr_expect_eq(child_run(&prog, reps[i].fn, NULL), MARK, "%s not refused", reps[i].what);
        }
        /* mount + chroot: bare inside a new user namespace; the filter is
         * loaded after unshare so only it can refuse. */
        cr_expect_eq(child_run(NULL, mount_in_userns, NULL), 0);
        cr_expect_eq(child_run(NULL, mount_in_userns, &prog), MARK);
        /* bpf: works bare only for root (unprivileged_bpf_disabled = 2). */
        int b = child_run(NULL, bpf_map, NULL);
        cr_expect(geteuid() == 0 ? b == 0 : b == EPERM, "bare bpf: %d", b);
        cr_expect_eq(child_run(&prog, bpf_map, NULL), MARK);
        /* Modules and kexec are not built into this kernel (ENOSYS bare). */
        cr_expect_eq(call_with(&prog, __NR_finit_module, (unsigned long)-1, 0, 0), MARK);
        seccomp_prog_done(&prog);

        /* override = ptrace lets exactly that through. */
        sl_add(&p->sc_override, "ptrace", "test.ini", 6);
        compile(p, 0, &prog);
        cr_expect_eq(child_run(&prog, ptrace_traceme, NULL), 0);
        cr_expect_eq(child_run(&prog, vm_readv_self, NULL), MARK);
        seccomp_prog_done(&prog);
}

Test(seccomp, explicit_deny_wins)
{
        struct sbx_policy *p = policy_default(MARK);
        sl_add(&p->sc_deny, "getppid", "test.ini", 8);
        sl_add(&p->sc_override, "getppid", "test.ini", 9);
        struct seccomp_prog prog;
        compile(p, 0, &prog);
        cr_assert_eq(call_with(NULL, __NR_getppid, 0, 0, 0), 0);
        cr_assert_eq(call_with(&prog, __NR_getppid, 0, 0, 0), MARK);
        cr_assert_str_eq(prog.deny_reason[__NR_getppid], "denied by test.ini:8 [seccomp] deny = getppid");
        /* Not in allow at all: the default action names the allow line. */
        cr_assert_eq(call_with(&prog, __NR_setuid, (unsigned long)getuid(), 0, 0), MARK);
        cr_assert(strstr(prog.deny_reason[__NR_setuid], "not allowed by test.ini:3 [seccomp]"),
                  "%s", prog.deny_reason[__NR_setuid]);
        cr_assert_eq(call_with(NULL, __NR_setuid, (unsigned long)getuid(), 0, 0), 0);
        seccomp_prog_done(&prog);
}

/* ---- argument rules ------------------------------------------------------ */

struct pty {
        int master, slave;
};

static int open_pty(struct pty *t)
{
        t->master = posix_openpt(O_RDWR | O_NOCTTY);
        if (t->master < 0 || grantpt(t->master) < 0 || unlockpt(t->master) < 0)
                return -1;
        return 0;
}

static int tiocsti_probe(void *arg)
{
        const unsigned long *cmd = arg;
        struct pty t;
        if (open_pty(&t) < 0)
                return 200;
        /* TIOCSTI needs the tty to be the caller's controlling terminal
         * (or CAP_SYS_ADMIN): a new session, then open the slave. */
        if (setsid() < 0)
                return 201;
        int s = open(ptsname(t.master), O_RDWR);
        if (s < 0)
                return 202;
        char c = 'x';
        struct termios tio;
        if (*cmd == TCGETS)
                return syscall(__NR_ioctl, s, TCGETS, &tio) < 0 ? errno : 0;
        if (syscall(__NR_ioctl, s, *cmd, &c) < 0)
                return errno;
        return 0;
}

Test(seccomp, tiocsti_refused)
{
        struct sbx_policy *p = policy_default(MARK);
        struct seccomp_prog prog;
        compile(p, 0, &prog);
        unsigned long plain = TIOCSTI, high = 0x100005412UL, linux_cmd = TIOCLINUX;
        /* dev.tty.legacy_tiocsti = 1: injection works bare, even with high
         * bits in cmd (the kernel truncates it to 32 bits). */
        cr_assert_eq(child_run(NULL, tiocsti_probe, &plain), 0);
        cr_assert_eq(child_run(NULL, tiocsti_probe, &high), 0);
        cr_assert_eq(child_run(&prog, tiocsti_probe, &plain), MARK);
        cr_assert_eq(child_run(&prog, tiocsti_probe, &high), MARK);
        cr_assert_eq(child_run(&prog, tiocsti_probe, &linux_cmd), MARK);
        /* Ordinary terminal ioctls still work. */
        unsigned long tcgets = TCGETS;
        cr_assert_eq(child_run(&prog, tiocsti_probe, &tcgets), 0);
        seccomp_prog_done(&prog);

        /* A profile's extra ioctl: FIONREAD by name. */
        arg_rule(p, "ioctl", "FIONREAD");
        compile(p, 0, &prog);
        int fds[2];
        cr_assert_eq(pipe(fds), 0);
        int avail;
        cr_assert_eq(call_with(NULL, __NR_ioctl, (unsigned long)fds[0], FIONREAD, (unsigned long)&avail), 0);
        cr_assert_eq(call_with(&prog, __NR_ioctl, (unsigned long)fds[0], FIONREAD, (unsigned long)&avail), MARK);
        seccomp_prog_done(&prog);
}

static int userns_probe(void *arg)
{
        (void)arg;
        return unshare(CLONE_NEWUSER) < 0 ? errno : 0;
}

static int clone_userns_probe(void *arg)
{
        (void)arg;
        long pid = syscall(__NR_clone, CLONE_NEWUSER | SIGCHLD, 0, 0, 0, 0);
        if (pid < 0)
                return errno;
        if (pid == 0)
                _exit(0);
        waitpid((pid_t)pid, NULL, 0);
        return 0;
}

Test(seccomp, nested_user_namespace_refused)
{
        struct sbx_policy *p = policy_default(MARK);
        struct seccomp_prog prog;
        compile(p, 0, &prog);
        cr_assert_eq(child_run(NULL, userns_probe, NULL), 0);
        cr_assert_eq(child_run(NULL, clone_userns_probe, NULL), 0);
        cr_assert_eq(child_run(&prog, userns_probe, NULL), MARK);
        cr_assert_eq(child_run(&prog, clone_userns_probe, NULL), MARK);
        /* Bits above 32 do not hide the flag (clone flags are 64-bit). */
        cr_assert_eq(call_with(&prog, __NR_unshare, CLONE_NEWUSER | (1UL << 40), 0, 0), MARK);
        seccomp_prog_done(&prog);

        p->sc_userns = true;
        compile(p, 0, &prog);
        cr_assert_eq(child_run(&prog, userns_probe, NULL), 0);
        seccomp_prog_done(&prog);
}

static void *thread_fn(void *arg)
{
        return arg;
}

static int clone3_and_friends(void *arg)
{
        (void)arg;
        struct clone_args { uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls; } ca;
        memset(&ca, 0, sizeof(ca));
        ca.exit_signal = SIGCHLD;
        long r = syscall(__NR_clone3, &ca, sizeof(ca));
        if (r == 0)
                _exit(0);
        if (r > 0)
                return 100; /* clone3 worked */
        if (errno != ENOSYS)
                return 101;
        pid_t pid = fork();
        if (pid == 0)
                _exit(7);
        int st;
        if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st) != 7)
                return 102;
        pthread_t t;
        void *ret = NULL;
        if (pthread_create(&t, NULL, thread_fn, (void *)0x5) != 0 || pthread_join(t, &ret) != 0 || ret != (void *)0x5)
                return 103;
        char *const argv[] = { (char *)"true", NULL };
        if (posix_spawn(&pid, "/bin/true", NULL, NULL, argv, environ) != 0)
                return 104;
        if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
                return 105;
        return 0;
}

Test(seccomp, clone3_enosys_and_fallbacks_work)
{
        struct sbx_policy *p = policy_default(MARK);
        struct seccomp_prog prog;
        compile(p, 0, &prog);
        /* Bare, clone3 works (so the probe reports 100). */
        cr_assert_eq(child_run(NULL, clone3_and_friends, NULL), 100);
        cr_assert_eq(child_run(&prog, clone3_and_friends, NULL), 0);
        seccomp_prog_done(&prog);
        /* clone3 is ENOSYS even in kill mode. */
        p->sc_action = DENY_KILL;
        compile(p, 0, &prog);
        cr_assert_eq(child_run(&prog, clone3_and_friends, NULL), 0);
        seccomp_prog_done(&prog);
}

Test(seccomp, memfd_exec_refused)
{
        struct sbx_policy *p = policy_default(MARK);
        struct seccomp_prog prog;
        compile(p, SC_SELF, &prog); /* no supervisor */
        unsigned exec = MFD_EXEC, seal = MFD_NOEXEC_SEAL | MFD_CLOEXEC, plain = MFD_CLOEXEC;
        cr_assert_eq(child_run(NULL, memfd_probe, &exec), 0, "kernel without MFD_EXEC (< 6.3)?");
        cr_assert_eq(child_run(NULL, memfd_probe, &plain), 0);
        cr_assert_eq(child_run(&prog, memfd_probe, &exec), MARK);
        cr_assert_eq(child_run(&prog, memfd_probe, &seal), 0);
        /* Without a supervisor a plain memfd cannot be made safe: refused. */
        cr_assert_eq(child_run(&prog, memfd_probe, &plain), MARK);
        seccomp_prog_done(&prog);

        p->memfd_exec = true;
        compile(p, SC_SELF, &prog);
        cr_assert_eq(child_run(&prog, memfd_probe, &exec), 0);
        cr_assert_eq(child_run(&prog, memfd_probe, &plain), 0);
        seccomp_prog_done(&prog);
}

static int socket_probe(void *arg)
{
        int fam = *(int *)arg;
        int fd = socket(fam, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        return fd < 0 ? errno : 0;
}

static int socketpair_probe(void *arg)
{
        int fam = *(int *)arg, sv[2];
        return socketpair(fam, SOCK_STREAM, 0, sv) < 0 ? errno : 0;
}

Test(seccomp, socket_families)
{
        struct sbx_policy *p = policy_default(MARK);
        struct seccomp_prog prog;
        compile(p, 0, &prog); /* default: unix only */
        int un = AF_UNIX, in = AF_INET, in6 = AF_INET6, nl = AF_NETLINK;
        cr_assert_eq(child_run(NULL, socket_probe, &in), 0);
        cr_assert_eq(child_run(NULL, socket_probe, &nl), 0);
        cr_assert_eq(child_run(&prog, socket_probe, &un), 0);
        cr_assert_eq(child_run(&prog, socketpair_probe, &un), 0);
        cr_assert_eq(child_run(&prog, socket_probe, &in), MARK);
        cr_assert_eq(child_run(&prog, socket_probe, &nl), MARK);
        /* socketpair(AF_INET) fails bare too (EOPNOTSUPP); the filter's
         * answer is the profile errno. */
        cr_assert_eq(child_run(&prog, socketpair_probe, &in), MARK);
        /* The kernel reads family as int: high bits do not matter. */
        cr_assert_eq(call_with(&prog, __NR_socket, (1UL << 32) | AF_UNIX, SOCK_DGRAM, 0), 0);
        cr_assert_eq(call_with(&prog, __NR_socket, (1UL << 32) | AF_INET, SOCK_DGRAM, 0), MARK);
        seccomp_prog_done(&prog);

        arg_rule(p, "socket", "unix inet inet6");
        compile(p, 0, &prog);
        cr_assert_eq(child_run(&prog, socket_probe, &in), 0);
        cr_assert_eq(child_run(&prog, socket_probe, &in6), 0);
        cr_assert_eq(child_run(&prog, socket_probe, &nl), MARK);
        seccomp_prog_done(&prog);
}

Test(seccomp, personality_and_prctl)
{
        struct sbx_policy *p = policy_default(MARK);
        struct seccomp_prog prog;
        compile(p, 0, &prog);
        cr_assert_eq(call_with(NULL, __NR_personality, READ_IMPLIES_EXEC, 0, 0), 0);
        cr_assert_eq(call_with(NULL, __NR_personality, ADDR_NO_RANDOMIZE, 0, 0), 0);
        cr_assert_eq(call_with(&prog, __NR_personality, READ_IMPLIES_EXEC, 0, 0), MARK);
        cr_assert_eq(call_with(&prog, __NR_personality, ADDR_NO_RANDOMIZE, 0, 0), MARK);
        cr_assert_eq(call_with(&prog, __NR_personality, PER_LINUX, 0, 0), 0);
        cr_assert_eq(call_with(&prog, __NR_personality, 0xffffffffUL, 0, 0), 0);

        /* Nested filters: refused unless nested = yes. */
        struct sock_filter allow = BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
        struct sock_fprog fp = { 1, &allow };
        cr_assert_eq(call_with(NULL, __NR_prctl, PR_SET_NAME, (unsigned long)"x", 0), 0);
        cr_assert_eq(call_with(&prog, __NR_prctl, PR_SET_NAME, (unsigned long)"x", 0), 0);
        cr_assert_eq(call_with(&prog, __NR_prctl, PR_SET_SECCOMP, SECCOMP_MODE_FILTER, (unsigned long)&fp), MARK);
        cr_assert_eq(call_with(&prog, __NR_seccomp, SECCOMP_SET_MODE_FILTER, 0, (unsigned long)&fp), MARK);
        cr_assert_eq(call_with(&prog, __NR_prctl, PR_SET_MM, PR_SET_MM_START_CODE, 0), MARK);
        cr_assert_eq(call_with(&prog, __NR_prctl, PR_SET_PTRACER, 0, 0), MARK);
        seccomp_prog_done(&prog);

        p->sc_nested = true;
        compile(p, 0, &prog);
        /* (no_new_privs is set by child_run, so stacking is allowed.) */
        cr_assert_eq(call_with(&prog, __NR_seccomp, SECCOMP_SET_MODE_FILTER, 0, (unsigned long)&fp), 0);
        cr_assert_eq(call_with(&prog, __NR_prctl, PR_SET_SECCOMP, SECCOMP_MODE_FILTER, (unsigned long)&fp), 0);
        seccomp_prog_done(&prog);
}

static int wx_probe(void *arg)
{
        int prot = *(int *)arg;
        void *m = mmap(NULL, 4096, prot, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (m == MAP_FAILED)
                return errno;
        void *n = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (n == MAP_FAILED)
                return 200;
        return mprotect(n, 4096, prot) < 0 ? errno : 0;
}

Test(seccomp, write_xor_execute)
{
        struct sbx_policy *p = policy_default(MARK);
        p->sc_wx = true;
        struct seccomp_prog prog;
        compile(p, 0, &prog);
        int rwx = PROT_READ | PROT_WRITE | PROT_EXEC, rx = PROT_READ | PROT_EXEC, rw = PROT_READ | PROT_WRITE;
        cr_assert_eq(child_run(NULL, wx_probe, &rwx), 0);
        cr_assert_eq(child_run(&prog, wx_probe, &rwx), MARK);
        /* mmap RX (private) passes; the mprotect that adds PROT_EXEC to
         * the second mapping does not. */
        cr_assert_eq(child_run(NULL, wx_probe, &rx), 0);
        cr_assert_eq(child_run(&prog, wx_probe, &rx), MARK);
        cr_assert_eq(child_run(&prog, wx_probe, &rw), 0);
        seccomp_prog_done(&prog);
        /* Without wx, mmap has no argument check at all. */
        p->sc_wx = false;
        compile(p, 0, &prog);
        cr_assert_eq(child_run(&prog, wx_probe, &rwx), 0);
        cr_assert(!loads_args(&prog, __NR_mmap));
        seccomp_prog_done(&prog);
}

/* ---- actions ------------------------------------------------------------- */

Test(seccomp, actions)
{
        struct sbx_policy *p = policy_default(EPERM);
        struct seccomp_prog prog;

        p->sc_action = DENY_KILL;
        compile(p, 0, &prog);
        cr_assert_eq(call_with(&prog, __NR_getpid, 0, 0, 0), 0);
        cr_assert_eq(call_with(&prog, __NR_ptrace, PTRACE_TRACEME, 0, 0), SIG(SIGSYS));
        cr_assert_eq(call_with(&prog, __NR_setuid, (unsigned long)getuid(), 0, 0), SIG(SIGSYS));
        cr_assert_eq(call_with(&prog, 470, 0, 0, 0), ENOSYS, "unknown numbers are ENOSYS in kill mode too");
        seccomp_prog_done(&prog);

        /* log without a supervisor (sbx_confine): the kernel logs, the call
         * runs; always-denied calls are still refused. */
        p->sc_action = DENY_LOG;
        compile(p, SC_SELF, &prog);
        cr_assert_eq(call_with(&prog, __NR_setuid, (unsigned long)getuid(), 0, 0), 0);
        cr_assert_eq(call_with(&prog, __NR_ptrace, PTRACE_TRACEME, 0, 0), EPERM);
        seccomp_prog_done(&prog);

        /* notify needs a supervisor. */
        p->sc_action = DENY_NOTIFY;
        struct sbx_error *e = NULL;
        cr_assert_eq(seccomp_compile(p, SC_SELF, &prog, &e), -EOPNOTSUPP);
        sbx_error_free(e);
}

/* ---- sbx_confine: every thread ------------------------------------------ */

struct tsync_ctx {
        int go[2];
        int result;
};

static void *tsync_thread(void *arg)
{
        struct tsync_ctx *c = arg;
        char b;
        if (read(c->go[0], &b, 1) != 1)
                c->result = 200;
        else
                c->result = syscall(__NR_getppid) < 0 ? errno : 0;
        return NULL;
}

struct tsync_arg {
        const struct seccomp_prog *prog;
        bool tsync;
};

static int tsync_probe(void *arg)
{
        const struct tsync_arg *a = arg;
        struct tsync_ctx c = { .result = -1 };
        pthread_t t;
        if (pipe(c.go) < 0 || pthread_create(&t, NULL, tsync_thread, &c) != 0)
                return 201;
        /* The thread exists before the filter: only TSYNC reaches it. */
        if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 || seccomp_prog_load(a->prog, a->tsync) < 0)
                return 202;
        if (write(c.go[1], "x", 1) != 1 || pthread_join(t, NULL) != 0)
                return 203;
        return c.result;
}

Test(seccomp, tsync_filters_every_thread)
{
        struct sbx_policy *p = policy_default(MARK);
        sl_add(&p->sc_deny, "getppid", "test.ini", 8);
        struct seccomp_prog prog;
        compile(p, SC_SELF, &prog);
        struct tsync_arg without = { &prog, false }, with = { &prog, true };
        cr_assert_eq(child_run(NULL, tsync_probe, &without), 0, "without TSYNC the older thread is unfiltered");
        cr_assert_eq(child_run(NULL, tsync_probe, &with), MARK);
        seccomp_prog_done(&prog);
}

Test(seccomp, launch_needs_survive_any_profile)
{
        /* A profile that allows almost nothing still lets sbx hand over the
         * listener and exec the program. */
        struct sbx_policy *p = policy_empty(EPERM);
        sl_add(&p->sc_allow, "read", "test.ini", 3);
        sl_add(&p->sc_deny, "sendmsg", "test.ini", 4);
        struct seccomp_prog prog;
        compile(p, SC_SUPERVISED | SC_LOG_DENIALS, &prog);
        static const int needed[] = { __NR_execve, __NR_exit, __NR_exit_group, __NR_close, __NR_write, __NR_sendmsg };
        for (size_t i = 0; i < ARRAY_SIZE(needed); i++)
                cr_expect_eq(bpf_run(&prog, AUDIT_ARCH_X86_64, needed[i], NULL), SECCOMP_RET_ALLOW, "nr %d", needed[i]);
        cr_expect_eq(bpf_run(&prog, AUDIT_ARCH_X86_64, __NR_getpid, NULL), SECCOMP_RET_USER_NOTIF);
        seccomp_prog_done(&prog);
        /* sbx_confine has no such needs. */
        compile(p, SC_SELF, &prog);
        cr_expect_eq(bpf_run(&prog, AUDIT_ARCH_X86_64, __NR_sendmsg, NULL), SECCOMP_RET_ERRNO | EPERM);
        cr_expect_eq(bpf_run(&prog, AUDIT_ARCH_X86_64, __NR_write, NULL), SECCOMP_RET_ERRNO | EPERM);
        seccomp_prog_done(&prog);
}
