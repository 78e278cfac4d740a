/* probe_sc.c — probe commands for the seccomp filter (see probe.h).  Each
 * tries one syscall (or one argument form of it) and reports OK or DENIED
 * with the errno; run bare, every command reports OK on the development
 * kernel (KERNEL-NOTES.md), except where its usage line says otherwise.
 * Names that probe_ns.c already uses (tiocsti, mount, setuid) carry an
 * "sc-" prefix here; fileless execution is probe_exec.c's memfd-fexec. */
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <linux/io_uring.h>
#include <linux/perf_event.h>
#include <linux/seccomp.h>
#include <linux/filter.h>
#include <linux/userfaultfd.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "probe.h"

#ifndef MFD_NOEXEC_SEAL
#define MFD_NOEXEC_SEAL 0x0008U
#endif
#ifndef MFD_EXEC
#define MFD_EXEC 0x0010U
#endif
#ifndef F_SEAL_EXEC
#define F_SEAL_EXEC 0x0020
#endif

#define ERR(x) ((x) < 0 ? -errno : 0)

static unsigned long num(const char *s)
{
        return strtoul(s, NULL, 0);
}

static int p_ptrace(int argc, char **argv)
{
        if (argc > 1 && strcmp(argv[1], "attach") == 0) {
                pid_t pid = argc > 2 ? (pid_t)num(argv[2]) : getppid();
                long r = ptrace(PTRACE_ATTACH, pid, 0, 0);
                if (r == 0)
                        ptrace(PTRACE_DETACH, pid, 0, 0);
                return probe_report(ERR(r), "ptrace(PTRACE_ATTACH, %d)", (int)pid);
        }
        return probe_report(ERR(ptrace(PTRACE_TRACEME, 0, 0, 0)), "ptrace(PTRACE_TRACEME)");
}

/* Attach to a process of its own (a child that waits): what a program
 * could do to any process of the sandbox it can address. */
static int p_ptrace_child(int argc, char **argv)
{
        pid_t c = fork();
        if (c < 0)
                return probe_report(-errno, "fork");
        if (c == 0) {
                pause();
                _exit(0);
        }
        long r = ptrace(PTRACE_ATTACH, c, 0, 0);
        int e = errno;
        if (r == 0)
                ptrace(PTRACE_DETACH, c, 0, 0);
        kill(c, SIGKILL);
        waitpid(c, NULL, 0);
        return probe_report(r == 0 ? 0 : -e, "ptrace(PTRACE_ATTACH, child %d)", (int)c);
}

static int p_vm_readv(int argc, char **argv)
{
        char src[8] = "secret", dst[8];
        struct iovec l = { dst, sizeof(dst) }, r = { src, sizeof(src) };
        return probe_report(ERR(process_vm_readv(getpid(), &l, 1, &r, 1, 0)), "process_vm_readv(self)");
}

static int p_io_uring(int argc, char **argv)
{
        struct io_uring_params params;
        memset(&params, 0, sizeof(params));
        long fd = syscall(__NR_io_uring_setup, 4, &params);
        return probe_report(ERR(fd), "io_uring_setup");
}

static int p_bpf(int argc, char **argv)
{
        union bpf_attr a;
        memset(&a, 0, sizeof(a));
        a.map_type = BPF_MAP_TYPE_ARRAY;
        a.key_size = a.value_size = 4;
        a.max_entries = 1;
        return probe_report(ERR(syscall(__NR_bpf, BPF_MAP_CREATE, &a, sizeof(a))),
                            "bpf(BPF_MAP_CREATE) (bare: root only)");
}

static int p_perf(int argc, char **argv)
{
        struct perf_event_attr a;
        memset(&a, 0, sizeof(a));
        a.size = sizeof(a);
        a.type = PERF_TYPE_SOFTWARE;
        a.config = PERF_COUNT_SW_TASK_CLOCK;
        a.exclude_kernel = a.exclude_hv = 1;
        return probe_report(ERR(syscall(__NR_perf_event_open, &a, 0, -1, -1, 0)), "perf_event_open(self)");
}

static int p_keyctl(int argc, char **argv)
{
        long r = syscall(__NR_add_key, "user", "sbx-probe", "x", 1, -2 /* process keyring */);
        return probe_report(ERR(r), "add_key(user)");
}

static int p_userfaultfd(int argc, char **argv)
{
        return probe_report(ERR(syscall(__NR_userfaultfd, O_CLOEXEC | UFFD_USER_MODE_ONLY)), "userfaultfd");
}

static int p_mount(int argc, char **argv)
{
        /* Bare this needs a user namespace first: `probe mount userns`. */
        if (argc > 1 && strcmp(argv[1], "userns") == 0 && unshare(CLONE_NEWUSER | CLONE_NEWNS) < 0)
                return probe_report(-errno, "unshare before mount");
        return probe_report(ERR(mount("none", "/tmp", "tmpfs", 0, NULL)), "mount(tmpfs, /tmp)");
}

static int p_chroot(int argc, char **argv)
{
        return probe_report(ERR(chroot("/")), "chroot(/) (bare: root only)");
}

static int p_tiocsti(int argc, char **argv)
{
        /* Injection into a terminal of our own: a new pty made our
         * controlling terminal (TIOCSTI needs that, or CAP_SYS_ADMIN). */
        unsigned long cmd = TIOCSTI;
        if (argc > 1 && strcmp(argv[1], "high") == 0)
                cmd |= 1UL << 32;
        else if (argc > 1 && strcmp(argv[1], "linux") == 0)
                cmd = TIOCLINUX;
        int m = posix_openpt(O_RDWR | O_NOCTTY);
        if (m < 0 || grantpt(m) < 0 || unlockpt(m) < 0)
                return probe_report(-errno, "no pty");
        pid_t pid = fork();
        if (pid == 0) {
                setsid();
                int s = open(ptsname(m), O_RDWR);
                if (s < 0)
                        _exit(200);
                char c = 'x';
                long r = syscall(__NR_ioctl, s, cmd, &c);
                _exit(r < 0 ? errno : 0);
        }
        int st;
        if (pid < 0 || waitpid(pid, &st, 0) != pid)
                return probe_report(-ECHILD, "fork");
        if (!WIFEXITED(st) || WEXITSTATUS(st) == 200)
                return probe_report(-EIO, "pty child failed (%#x)", st);
        return probe_report(-WEXITSTATUS(st), "ioctl(tty, %#lx) injection", cmd);
}

static int p_userns(int argc, char **argv)
{
        if (argc > 1 && strcmp(argv[1], "clone") == 0) {
                long pid = syscall(__NR_clone, CLONE_NEWUSER | SIGCHLD, 0, 0, 0, 0);
                if (pid == 0)
                        _exit(0);
                if (pid > 0)
                        waitpid((pid_t)pid, NULL, 0);
                return probe_report(ERR(pid), "clone(CLONE_NEWUSER)");
        }
        return probe_report(ERR(unshare(CLONE_NEWUSER)), "unshare(CLONE_NEWUSER)");
}

struct clone_args_v0 {
        uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls;
};

static int p_clone3(int argc, char **argv)
{
        struct clone_args_v0 ca;
        memset(&ca, 0, sizeof(ca));
        ca.exit_signal = SIGCHLD;
        long r = syscall(__NR_clone3, &ca, sizeof(ca));
        if (r == 0)
                _exit(0);
        if (r > 0)
                waitpid((pid_t)r, NULL, 0);
        return probe_report(ERR(r), "clone3");
}

static int p_fork(int argc, char **argv)
{
        pid_t pid = fork();
        if (pid == 0)
                _exit(7);
        int st = 0;
        if (pid > 0)
                waitpid(pid, &st, 0);
        return probe_report(pid < 0 ? -errno : WEXITSTATUS(st) == 7 ? 0 : -ECHILD, "fork");
}

static int p_int80(int argc, char **argv)
{
        if (argc < 2)
                return 2;
        long nr = (long)num(argv[1]), r;
        /* On the i386 ABI: e.g. 20 getpid, 26 ptrace.  Killed under sbx. */
        __asm__ volatile("int $0x80" : "=a"(r) : "a"(nr), "b"(0L), "c"(0L), "d"(0L) : "memory");
        return probe_report(r < 0 && r > -4096 ? (int)r : 0, "int 0x80 nr %ld = %ld", nr, r);
}

static int p_x32(int argc, char **argv)
{
        long nr = 0x40000000L | (argc > 1 ? (long)num(argv[1]) : 39 /* getpid */);
        long r = syscall(nr);
        /* This kernel has no x32: ENOSYS bare.  Under sbx the process is killed. */
        return probe_report(ERR(r), "x32 syscall %#lx", nr);
}

static int p_syscall(int argc, char **argv)
{
        if (argc < 2)
                return 2;
        unsigned long a[6] = { 0 };
        for (int i = 2; i < argc && i < 8; i++)
                a[i - 2] = num(argv[i]);
        long r = syscall((long)num(argv[1]), a[0], a[1], a[2], a[3], a[4], a[5]);
        return probe_report(ERR(r), "syscall %s = %ld", argv[1], r);
}

/* cachestat(2) (Linux 6.5) on a file of its own: the kernel answers only
 * for files the caller owns or may write.  glibc 2.36 has no wrapper and
 * Debian 12's headers no number. */
static int p_cachestat(int argc, char **argv)
{
        struct {
                uint64_t off, len;
        } range = { 0, 0 };
        uint64_t cs[5];
        int fd = open("/tmp", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
        if (fd < 0 || write(fd, "x", 1) != 1)
                return probe_report(-errno, "a temporary file in /tmp");
        long r = syscall(451 /* __NR_cachestat */, fd, &range, cs, 0);
        int e = ERR(r);
        close(fd);
        return probe_report(e, "cachestat(own file)");
}

static int p_memfd(int argc, char **argv)
{
        unsigned flags = MFD_CLOEXEC;
        if (argc > 1 && strcmp(argv[1], "exec") == 0)
                flags |= MFD_EXEC;
        else if (argc > 1 && strcmp(argv[1], "noexec") == 0)
                flags |= MFD_NOEXEC_SEAL;
        int fd = memfd_create("sbx-probe", flags);
        if (fd < 0)
                return probe_report(-errno, "memfd_create(%#x)", flags);
        int seals = fcntl(fd, F_GET_SEALS);
        return probe_report(0, "memfd_create(%#x) seals %#x%s", flags, seals,
                            seals >= 0 && (seals & F_SEAL_EXEC) ? " (noexec)" : "");
}

static int p_socket(int argc, char **argv)
{
        static const struct { const char *n; int f; } fams[] = {
                { "unix", AF_UNIX }, { "inet", AF_INET }, { "inet6", AF_INET6 },
                { "netlink", AF_NETLINK }, { "packet", AF_PACKET }, { "alg", AF_ALG },
        };
        int f = -1;
        for (size_t i = 0; argc > 1 && i < sizeof(fams) / sizeof(fams[0]); i++)
                if (strcmp(argv[1], fams[i].n) == 0)
                        f = fams[i].f;
        if (f < 0)
                return 2;
        /* packet needs CAP_NET_RAW: bare OK only for root. */
        int type = f == AF_PACKET ? SOCK_RAW : f == AF_NETLINK || f == AF_UNIX ? SOCK_DGRAM
                 : f == AF_ALG ? SOCK_SEQPACKET : SOCK_STREAM;
        int fd = socket(f, type | SOCK_CLOEXEC, 0);
        if (fd >= 0)
                close(fd);
        return probe_report(ERR(fd), "socket(%s)", argv[1]);
}

static int p_personality(int argc, char **argv)
{
        unsigned long v = argc > 1 ? num(argv[1]) : 0x0400000 /* READ_IMPLIES_EXEC */;
        return probe_report(ERR(syscall(__NR_personality, v)), "personality(%#lx)", v);
}

static int p_nested(int argc, char **argv)
{
        struct sock_filter allow = BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
        struct sock_fprog fp = { 1, &allow };
        if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
                return probe_report(-errno, "no_new_privs");
        return probe_report(ERR(syscall(__NR_seccomp, SECCOMP_SET_MODE_FILTER, 0, &fp)),
                            "seccomp(SET_MODE_FILTER)");
}

static int p_wx(int argc, char **argv)
{
        void *m = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        return probe_report(m == MAP_FAILED ? -errno : 0, "mmap(PROT_WRITE|PROT_EXEC)");
}

static int p_setuid(int argc, char **argv)
{
        /* Harmless (own uid); outside @default, so a log-mode probe. */
        return probe_report(ERR(setuid(getuid())), "setuid(self)");
}

const struct probe_cmd probe_sc_cmds[] = {
        { "ptrace", "[attach [PID]]  PTRACE_TRACEME, or attach to PID (default: parent)", p_ptrace },
        { "ptrace-child", "  attach to a child of its own", p_ptrace_child },
        { "vm-readv", "  process_vm_readv on itself", p_vm_readv },
        { "io_uring", "  io_uring_setup", p_io_uring },
        { "bpf", "  BPF_MAP_CREATE (bare OK as root only)", p_bpf },
        { "perf", "  perf_event_open on itself", p_perf },
        { "keyctl", "  add_key to the process keyring", p_keyctl },
        { "userfaultfd", "  userfaultfd(UFFD_USER_MODE_ONLY)", p_userfaultfd },
        { "sc-mount", "[userns]  mount a tmpfs on /tmp (bare: as root, or after unshare with userns)", p_mount },
        { "chroot", "  chroot(/) (bare OK as root only)", p_chroot },
        { "sc-tiocsti", "[high|linux]  inject input into an own pty (high: cmd | 1<<32; linux: TIOCLINUX, bare ENOTTY-ish)", p_tiocsti },
        { "userns", "[clone]  unshare (or clone) with CLONE_NEWUSER", p_userns },
        { "clone3", "  clone3 (ENOSYS under sbx)", p_clone3 },
        { "fork", "  fork and wait (works under sbx through clone)", p_fork },
        { "int80", "NR  a syscall through the i386 entry (int 0x80)", p_int80 },
        { "x32", "[NR]  an x32-numbered syscall (ENOSYS bare here: no x32)", p_x32 },
        { "syscall", "NR [ARGS]  any raw syscall", p_syscall },
        { "memfd", "[exec|noexec]  memfd_create and show its seals", p_memfd },
        { "cachestat", "  cachestat on a file of its own in /tmp (page-cache residency)", p_cachestat },
        { "socket", "FAMILY  unix inet inet6 netlink packet alg", p_socket },
        { "personality", "[VALUE]  set a persona (default READ_IMPLIES_EXEC)", p_personality },
        { "nested", "  install a nested (allow-all) seccomp filter", p_nested },
        { "wx", "  map memory writable and executable", p_wx },
        { "sc-setuid", "  setuid to its own uid", p_setuid },
        { NULL, NULL, NULL },
};
