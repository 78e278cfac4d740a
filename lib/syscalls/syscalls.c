/* syscalls.c — the named syscall groups sbx profiles are written with, as
 * data, and their expansion into syscall names.
 *
 * Owns: the group table (what each group means is documented by its help
 * line, which `sbx syscalls` prints) and name resolution with
 * libseccomp's x86_64 table, copied into syscall-table.h at build time.  Pure: no OS access, no policy decisions;
 * seccomp.c decides what is allowed.  Groups may include other groups.
 *
 * A group marked dangerous is denied whatever `allow` says unless each of
 * its syscalls is named in the profile's `override`: these are the calls
 * that reach kernel attack surface or host-wide state a confined program
 * never needs (see the help lines for the reason per group).
 *
 * @default was compared with Docker's default profile and systemd's
 * @system-service: what either refuses is either outside @default or has
 * its reason in syscall_default_notes below. */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <linux/fs.h>
#include <linux/sched.h>

#include "syscalls/syscalls.h"
#include "base/strbuf.h"
#include "base/util.h"

struct syscall_entry {
        const char *name;
        int nr;
};
#include "syscall-table.h"

const char syscall_table_source[] = SYSCALL_TABLE_LIBSECCOMP;

int syscall_nr(const char *name)
{
        size_t lo = 0, hi = ARRAY_SIZE(syscall_table);
        while (name && lo < hi) {
                size_t mid = lo + (hi - lo) / 2;
                int c = strcmp(name, syscall_table[mid].name);
                if (c == 0)
                        return syscall_table[mid].nr;
                if (c < 0)
                        hi = mid;
                else
                        lo = mid + 1;
        }
        return -1;
}

const char *syscall_name(int nr)
{
        return nr >= 0 && (size_t)nr < ARRAY_SIZE(syscall_by_nr) ? syscall_by_nr[nr] : NULL;
}

const struct syscall_group syscall_groups[] = {
        /* ---- allowed by default (through @default) ---- */
        { "@default",
          "what ordinary programs need: the groups below marked (default)",
          "@base @file-system @io-event @process @signal @timer @memory @ipc @network-io @landlock",
          false },
        { "@base",
          "(default) process basics every program uses: exit, memory break, plain I/O on "
          "open fds, ids, clocks, futexes, rseq; ioctl and prctl with argument rules",
          "exit exit_group rt_sigreturn restart_syscall brk arch_prctl set_tid_address "
          "set_robust_list get_robust_list rseq set_thread_area get_thread_area "
          "read write readv writev pread64 pwrite64 preadv pwritev preadv2 pwritev2 "
          "close close_range dup dup2 dup3 fcntl fstat newfstatat statx lseek ioctl prctl "
          "pipe pipe2 poll ppoll select pselect6 "
          "getpid gettid getppid getuid geteuid getgid getegid getresuid getresgid getgroups "
          "futex futex_waitv futex_wake futex_wait futex_requeue membarrier "
          "sched_yield sched_getaffinity getcpu getrandom uname sysinfo "
          "getrlimit setrlimit prlimit64 "
          "clock_gettime clock_getres gettimeofday time nanosleep clock_nanosleep",
          false },
        { "@file-system",
          "(default) files and directories: open, stat, create, rename, link, "
          "permissions, extended attributes, inotify, sync",
          "open openat openat2 creat stat lstat statfs fstatfs access faccessat faccessat2 "
          "readlink readlinkat getcwd chdir fchdir getdents getdents64 "
          "mkdir mkdirat rmdir unlink unlinkat rename renameat renameat2 "
          "link linkat symlink symlinkat mknod mknodat "
          "chmod fchmod fchmodat fchmodat2 chown fchown lchown fchownat umask "
          "truncate ftruncate fallocate fsync fdatasync sync syncfs sync_file_range "
          "flock utime utimes utimensat futimesat readahead fadvise64 "
          "sendfile copy_file_range splice tee vmsplice name_to_handle_at "
          "getxattr lgetxattr fgetxattr listxattr llistxattr flistxattr "
          "setxattr lsetxattr fsetxattr removexattr lremovexattr fremovexattr "
          "inotify_init inotify_init1 inotify_add_watch inotify_rm_watch",
          false },
        { "@io-event",
          "(default) event loops: epoll, eventfd",
          "epoll_create epoll_create1 epoll_ctl epoll_wait epoll_pwait epoll_pwait2 "
          "eventfd eventfd2",
          false },
        { "@process",
          "(default) processes and threads: fork, exec, wait, kill, sessions, "
          "scheduling; clone/unshare flags, clone3 and personality have argument rules",
          "clone clone3 fork vfork execve execveat wait4 waitid kill tkill tgkill "
          "getpgid getpgrp setpgid getsid setsid getpriority setpriority "
          "sched_setparam sched_getparam sched_setscheduler sched_getscheduler "
          "sched_get_priority_max sched_get_priority_min sched_rr_get_interval "
          "sched_setaffinity sched_setattr sched_getattr ioprio_get ioprio_set "
          "getrusage times capget capset unshare personality "
          "pidfd_open pidfd_send_signal process_mrelease",
          false },
        { "@signal",
          "(default) signal handling",
          "rt_sigaction rt_sigprocmask rt_sigpending rt_sigtimedwait rt_sigqueueinfo "
          "rt_tgsigqueueinfo rt_sigsuspend sigaltstack pause signalfd signalfd4",
          false },
        { "@timer",
          "(default) timers and alarms",
          "alarm getitimer setitimer timer_create timer_settime timer_gettime "
          "timer_getoverrun timer_delete timerfd_create timerfd_settime timerfd_gettime",
          false },
        { "@memory",
          "(default) mappings of the process itself; memfd_create has a flag rule",
          "mmap munmap mprotect mremap madvise msync mlock mlock2 munlock "
          "mlockall munlockall remap_file_pages pkey_mprotect pkey_alloc pkey_free "
          "map_shadow_stack memfd_create",
          false },
        { "@ipc",
          "(default) System V and POSIX IPC (the sandbox has its own IPC namespace)",
          "shmget shmat shmctl shmdt semget semop semctl semtimedop "
          "msgget msgsnd msgrcv msgctl "
          "mq_open mq_unlink mq_timedsend mq_timedreceive mq_notify mq_getsetattr",
          false },
        { "@network-io",
          "(default) sockets; socket and socketpair are limited to the profile's address "
          "families (default: unix)",
          "socket socketpair connect accept accept4 bind listen shutdown "
          "getsockname getpeername getsockopt setsockopt "
          "sendto recvfrom sendmsg recvmsg sendmmsg recvmmsg",
          false },
        { "@landlock",
          "(default) Landlock: a program may restrict itself further",
          "landlock_create_ruleset landlock_add_rule landlock_restrict_self",
          false },

        /* ---- not in @default, not dangerous ---- */
        { "@aio",
          "legacy asynchronous I/O (io_submit …; io_uring is @io-uring)",
          "io_setup io_destroy io_getevents io_pgetevents io_submit io_cancel",
          false },
        { "@setuid",
          "changing user and group ids (only within the sandbox's own id map)",
          "setuid setgid setreuid setregid setresuid setresgid setfsuid setfsgid setgroups",
          false },
        { "@namespaces",
          "joining and creating namespaces (CLONE_NEWUSER still needs user-namespaces = yes)",
          "unshare setns",
          false },
        { "@numa",
          "NUMA memory policy and moving pages between nodes (Docker's default profile "
          "refuses all of them without CAP_SYS_NICE)",
          "mbind get_mempolicy set_mempolicy set_mempolicy_home_node migrate_pages move_pages",
          false },
        { "@page-cache",
          "which pages of a file are in the page cache: a side channel on what other "
          "processes read (systemd left mincore out of @system-service for it)",
          "mincore cachestat",
          false },
        { "@memfd-secret",
          "memory hidden from the kernel's direct map",
          "memfd_secret",
          false },
        { "@seccomp",
          "installing one's own seccomp filter (also needs nested = yes)",
          "seccomp",
          false },

        /* ---- dangerous: denied unless each call is in `override` ---- */
        { "@io-uring",
          "(dangerous) io_uring: its operations run without passing through seccomp",
          "io_uring_setup io_uring_enter io_uring_register",
          true },
        { "@bpf",
          "(dangerous) loading BPF programs into the kernel",
          "bpf",
          true },
        { "@perf",
          "(dangerous) performance counters: a kernel attack surface and side channel",
          "perf_event_open",
          true },
        { "@debug",
          "(dangerous) tracing and reading other processes: ptrace, process_vm_*, "
          "pidfd_getfd, kcmp, process_madvise",
          "ptrace process_vm_readv process_vm_writev pidfd_getfd kcmp process_madvise",
          true },
        { "@keyring",
          "(dangerous) the kernel keyring (shared across the user's sessions)",
          "add_key request_key keyctl",
          true },
        { "@mount",
          "(dangerous) mounting, the new mount API, pivot_root and chroot",
          "mount umount2 pivot_root chroot fsopen fsconfig fsmount fspick move_mount "
          "open_tree mount_setattr",
          true },
        { "@module",
          "(dangerous) loading and unloading kernel modules",
          "init_module finit_module delete_module create_module query_module get_kernel_syms",
          true },
        { "@reboot",
          "(dangerous) rebooting and loading a new kernel",
          "reboot kexec_load kexec_file_load",
          true },
        { "@swap",
          "(dangerous) enabling and disabling swap",
          "swapon swapoff",
          true },
        { "@clock",
          "(dangerous) setting the system clock",
          "settimeofday clock_settime clock_adjtime adjtimex",
          true },
        { "@raw-io",
          "(dangerous) direct I/O port access",
          "ioperm iopl",
          true },
        { "@cpu-emulation",
          "(dangerous) custom segment descriptors (LDT)",
          "modify_ldt",
          true },
        { "@privileged",
          "(dangerous) calls that need host privileges or expose kernel internals: "
          "open_by_handle_at, userfaultfd, quotas, accounting, hostname, syslog, fanotify",
          "open_by_handle_at userfaultfd acct quotactl quotactl_fd sethostname setdomainname "
          "syslog vhangup fanotify_init fanotify_mark",
          true },
        { "@obsolete",
          "(dangerous) removed or unimplemented calls kept only for old binaries",
          "_sysctl afs_syscall getpmsg putpmsg security tuxcall vserver uselib ustat sysfs "
          "lookup_dcookie nfsservctl epoll_ctl_old epoll_wait_old create_module query_module "
          "get_kernel_syms",
          true },
};

const size_t syscall_groups_count = ARRAY_SIZE(syscall_groups);

/* Why @default keeps each syscall that Docker's default seccomp profile
 * (without added capabilities) or systemd's @system-service refuses or
 * restricts.  A syscall from those lists that has no line here must not be
 * in @default: tests/test_default_filter.c holds the lists and checks it,
 * docs/default-filter.md has the comparison table.  `sbx syscalls --why`
 * prints these lines. */
const struct syscall_note syscall_default_notes[] = {
        { "clone",
          "Docker refuses namespace flags without CAP_SYS_ADMIN; here an argument rule "
          "refuses CLONE_NEWUSER (unless user-namespaces = yes) and the kernel refuses the "
          "other namespace flags, which need CAP_SYS_ADMIN that the program does not have" },
        { "clone3",
          "listed only to be answered ENOSYS (its flags are in memory the filter cannot "
          "read), so that libc falls back to clone; Docker does the same" },
        { "unshare",
          "the clone rule applies (CLONE_NEWUSER refused, other namespaces need "
          "CAP_SYS_ADMIN); without namespace flags it only unshares the caller's own "
          "fd table, fs root/cwd or SysV undo list.  Docker refuses it without CAP_SYS_ADMIN" },
        { "personality",
          "an argument rule allows only PER_LINUX and the query 0xffffffff: stricter than "
          "Docker, which also allows PER_LINUX32 and UNAME26" },
        { "socket",
          "an argument rule allows only the families in [seccomp] socket = (default unix); "
          "Docker refuses AF_ALG and AF_VSOCK, which here need a profile to name alg or vsock" },
        { "futex_wait", "the futex2 form (Linux 6.7) of futex, which both allow; Docker allows "
                        "it, systemd 252 predates it" },
        { "futex_wake", "the futex2 form (Linux 6.7) of futex, which both allow; Docker allows "
                        "it, systemd 252 predates it" },
        { "futex_requeue", "the futex2 form (Linux 6.7) of futex, which both allow; Docker "
                           "allows it, systemd 252 predates it" },
        { "map_shadow_stack",
          "allocates a CET shadow stack for the process itself (glibc does when shadow "
          "stacks are on); Docker allows it, systemd 252 predates it (Linux 6.6)" },
        { "landlock_create_ruleset", "Landlock only takes rights away: a program may sandbox "
                                     "itself further; Docker allows it, systemd has it in @sandbox" },
        { "landlock_add_rule", "Landlock only takes rights away: a program may sandbox itself "
                               "further; Docker allows it, systemd has it in @sandbox" },
        { "landlock_restrict_self", "Landlock only takes rights away: a program may sandbox "
                                    "itself further; Docker allows it, systemd has it in @sandbox" },
        { "pkey_alloc", "memory protection keys on the process's own mappings (V8 guards JIT "
                        "code with them); Docker allows it, systemd has it in @pkey" },
        { "pkey_free", "memory protection keys on the process's own mappings; Docker allows "
                       "it, systemd has it in @pkey" },
        { "pkey_mprotect", "mprotect with a protection key, under the same W^X rule as "
                           "mprotect; Docker allows it, systemd has it in @pkey" },
        { "process_mrelease",
          "only frees sooner the memory of a process that is already dying from SIGKILL; it "
          "can neither kill, stop nor read anything.  Docker allows it; systemd 252 has it in "
          "no group" },
        { "name_to_handle_at",
          "only reads a file handle; opening one needs open_by_handle_at, which is in "
          "@privileged.  Docker allows it since 2023 (CAP_SYS_ADMIN before), systemd's "
          "@system-service allows it" },
};

const size_t syscall_default_notes_count = ARRAY_SIZE(syscall_default_notes);

const char *syscall_default_note(const char *name)
{
        for (size_t i = 0; name && i < syscall_default_notes_count; i++)
                if (strcmp(syscall_default_notes[i].name, name) == 0)
                        return syscall_default_notes[i].reason;
        return NULL;
}

const struct syscall_group *syscall_group_find(const char *name)
{
        if (!name || name[0] != '@')
                return NULL;
        for (size_t i = 0; i < syscall_groups_count; i++)
                if (strcmp(syscall_groups[i].name, name) == 0)
                        return &syscall_groups[i];
        return NULL;
}

bool syscall_name_valid(const char *name)
{
        if (!name || !*name)
                return false;
        if (name[0] == '@')
                return syscall_group_find(name) != NULL;
        /* Names that exist on another architecture only (socketcall, …)
         * are not in the x86_64 table. */
        return syscall_nr(name) >= 0;
}

SBX_EXPORT size_t sbx_syscall_group_count(void)
{
        return syscall_groups_count;
}

SBX_EXPORT const char *sbx_syscall_group_name(size_t i)
{
        return i < syscall_groups_count ? syscall_groups[i].name : NULL;
}

SBX_EXPORT const char *sbx_syscall_group_help(size_t i)
{
        return i < syscall_groups_count ? syscall_groups[i].help : NULL;
}

SBX_EXPORT const char *sbx_syscall_group_members(size_t i)
{
        return i < syscall_groups_count ? syscall_groups[i].members : NULL;
}

SBX_EXPORT size_t sbx_syscall_note_count(void)
{
        return syscall_default_notes_count;
}

SBX_EXPORT const char *sbx_syscall_note_name(size_t i)
{
        return i < syscall_default_notes_count ? syscall_default_notes[i].name : NULL;
}

SBX_EXPORT const char *sbx_syscall_why(const char *name)
{
        return syscall_default_note(name);
}

/* Groups nest only a few levels; the depth bound stops a table typo from
 * recursing forever. */
static int expand_each(const char *name, size_t len, unsigned depth,
                       int (*cb)(const char *syscall, void *userdata), void *userdata)
{
        char buf[64];
        if (depth > 8)
                return -ELOOP;
        if (!len || len >= sizeof(buf))
                return -ENOENT;
        memcpy(buf, name, len);
        buf[len] = '\0';
        if (buf[0] != '@') {
                if (!syscall_name_valid(buf))
                        return -ENOENT;
                return cb(buf, userdata);
        }
        const struct syscall_group *g = syscall_group_find(buf);
        if (!g)
                return -ENOENT;
        for (const char *p = g->members; *p;) {
                p += strspn(p, " ");
                size_t n = strcspn(p, " ");
                if (n) {
                        int r = expand_each(p, n, depth + 1, cb, userdata);
                        if (r != 0)
                                return r;
                }
                p += n;
        }
        return 0;
}

int syscall_expand_each(const char *name, int (*cb)(const char *syscall, void *userdata),
                        void *userdata)
{
        if (!name)
                return -ENOENT;
        return expand_each(name, strlen(name), 0, cb, userdata);
}

/* ---- sets of numbers ----------------------------------------------------- */

static struct syscall_set *group_sets; /* per syscall_groups[] entry */
static pthread_once_t group_sets_once = PTHREAD_ONCE_INIT;

static int set_bit(const char *syscall, void *userdata)
{
        int nr = syscall_nr(syscall);
        struct syscall_set *s = userdata;
        if (nr >= 0 && nr < SYSCALL_NR_BOUND)
                s->w[nr / 64] |= UINT64_C(1) << (nr % 64);
        return 0;
}

static void compute_group_sets(void)
{
        struct syscall_set *v = calloc(syscall_groups_count, sizeof(*v));
        for (size_t i = 0; v && i < syscall_groups_count; i++)
                if (syscall_expand_each(syscall_groups[i].name, set_bit, &v[i]) < 0) {
                        free(v);
                        v = NULL;
                }
        group_sets = v;
}

const struct syscall_set *syscall_group_set(const struct syscall_group *g)
{
        pthread_once(&group_sets_once, compute_group_sets);
        if (!group_sets || g < syscall_groups || g >= syscall_groups + syscall_groups_count)
                return NULL;
        return &group_sets[g - syscall_groups];
}

int syscall_set_add(struct syscall_set *s, const char *name)
{
        if (!name)
                return -ENOENT;
        if (name[0] != '@') {
                int nr = syscall_nr(name);
                if (nr < 0)
                        return -ENOENT;
                return set_bit(name, s);
        }
        const struct syscall_group *g = syscall_group_find(name);
        if (!g)
                return -ENOENT;
        const struct syscall_set *gs = syscall_group_set(g);
        if (!gs)
                return -ENOMEM;
        for (size_t i = 0; i < ARRAY_SIZE(s->w); i++)
                s->w[i] |= gs->w[i];
        return 0;
}

const struct syscall_group *syscall_dangerous_group(const char *syscall)
{
        int nr = syscall_nr(syscall);
        for (size_t i = 0; nr >= 0 && i < syscall_groups_count; i++) {
                const struct syscall_set *gs;
                if (syscall_groups[i].dangerous && (gs = syscall_group_set(&syscall_groups[i])) &&
                    syscall_set_has(gs, nr))
                        return &syscall_groups[i];
        }
        return NULL;
}

struct strv {
        char **v;
        size_t n, cap;
};

static int strv_add_unique(const char *w, void *userdata)
{
        struct strv *s = userdata;
        for (size_t i = 0; i < s->n; i++)
                if (strcmp(s->v[i], w) == 0)
                        return 0;
        return strv_add(&s->v, &s->n, &s->cap, strdup(w));
}

SBX_EXPORT int sbx_syscall_expand(const char *name, char ***ret)
{
        struct strv s = { 0 };
        if (!name || !ret)
                return -EINVAL;
        int r = syscall_expand_each(name, strv_add_unique, &s);
        if (r >= 0 && !s.v) {
                s.v = calloc(1, sizeof(char *));
                if (!s.v)
                        r = -ENOMEM;
        }
        if (r < 0) {
                for (size_t i = 0; i < s.n; i++)
                        free(s.v[i]);
                free(s.v);
                return r;
        }
        *ret = s.v;
        return 0;
}

/* ---- words for argument rules and decoding ---- */

const struct syscall_const syscall_af_names[] = {
        { "unix", AF_UNIX },         { "local", AF_UNIX },       { "inet", AF_INET },
        { "ax25", AF_AX25 },         { "ipx", AF_IPX },          { "appletalk", AF_APPLETALK },
        { "x25", AF_X25 },           { "inet6", AF_INET6 },      { "key", AF_KEY },
        { "netlink", AF_NETLINK },   { "packet", AF_PACKET },    { "rds", AF_RDS },
        { "llc", AF_LLC },           { "ib", AF_IB },            { "mpls", AF_MPLS },
        { "can", AF_CAN },           { "tipc", AF_TIPC },        { "bluetooth", AF_BLUETOOTH },
        { "isdn", AF_ISDN },         { "phonet", AF_PHONET },    { "ieee802154", AF_IEEE802154 },
        { "caif", AF_CAIF },         { "alg", AF_ALG },          { "nfc", AF_NFC },
        { "vsock", AF_VSOCK },       { "kcm", AF_KCM },          { "qipcrtr", AF_QIPCRTR },
        { "smc", AF_SMC },           { "xdp", AF_XDP },          { "mctp", 45 },
        { NULL, 0 },
};

#define C(x) { #x, x }
const struct syscall_const syscall_ioctl_names[] = {
        C(TIOCSTI),    C(TIOCLINUX),   C(TIOCCONS),   C(TIOCSETD),    C(TIOCGETD),
        C(TIOCSCTTY),  C(TIOCNOTTY),   C(TIOCGPGRP),  C(TIOCSPGRP),   C(TIOCGSID),
        C(TIOCOUTQ),   C(TIOCGWINSZ),  C(TIOCSWINSZ), C(TIOCMGET),    C(TIOCMSET),
        C(TIOCEXCL),   C(TIOCNXCL),    C(TIOCPKT),    C(TIOCGPTN),    C(TIOCSPTLCK),
        C(TIOCGPTPEER), C(TIOCSIG),    C(TIOCVHANGUP), C(TIOCGSERIAL), C(TIOCSSERIAL),
        C(TIOCGDEV),   C(TCGETS),      C(TCSETS),     C(TCSETSW),     C(TCSETSF),
        C(TCGETA),
        C(TCSETA),     C(TCSETAW),     C(TCSETAF),    C(TCSBRK),      C(TCXONC),
        C(TCFLSH),     C(FIONREAD),    C(FIONBIO),    C(FIOCLEX),     C(FIONCLEX),
        C(FIOASYNC),   C(FICLONE),     C(FICLONERANGE), C(FIDEDUPERANGE), C(FS_IOC_GETFLAGS),
        C(FS_IOC_SETFLAGS), C(FIFREEZE), C(FITHAW),   C(FIBMAP),      C(FIGETBSZ),
        { NULL, 0 },
};

const struct syscall_const syscall_ptrace_names[] = {
        C(PTRACE_TRACEME), C(PTRACE_PEEKTEXT), C(PTRACE_PEEKDATA), C(PTRACE_PEEKUSER),
        C(PTRACE_POKETEXT), C(PTRACE_POKEDATA), C(PTRACE_POKEUSER), C(PTRACE_CONT),
        C(PTRACE_KILL), C(PTRACE_SINGLESTEP), C(PTRACE_GETREGS), C(PTRACE_SETREGS),
        C(PTRACE_ATTACH), C(PTRACE_DETACH), C(PTRACE_SYSCALL), C(PTRACE_SETOPTIONS),
        C(PTRACE_GETEVENTMSG), C(PTRACE_GETSIGINFO), C(PTRACE_SETSIGINFO),
        C(PTRACE_GETREGSET), C(PTRACE_SETREGSET), C(PTRACE_SEIZE), C(PTRACE_INTERRUPT),
        C(PTRACE_LISTEN),
        { NULL, 0 },
};

const struct syscall_const syscall_prctl_names[] = {
        C(PR_SET_SECCOMP), C(PR_GET_SECCOMP), C(PR_SET_MM), C(PR_SET_PTRACER),
        C(PR_SET_NO_NEW_PRIVS), C(PR_GET_NO_NEW_PRIVS), C(PR_SET_NAME), C(PR_GET_NAME),
        C(PR_SET_DUMPABLE), C(PR_GET_DUMPABLE), C(PR_SET_PDEATHSIG), C(PR_GET_PDEATHSIG),
        C(PR_SET_CHILD_SUBREAPER), C(PR_CAPBSET_READ), C(PR_CAPBSET_DROP), C(PR_CAP_AMBIENT),
        C(PR_SET_KEEPCAPS), C(PR_SET_SECUREBITS), C(PR_SET_VMA), C(PR_SET_THP_DISABLE),
        C(PR_SET_TIMERSLACK), C(PR_SET_IO_FLUSHER), C(PR_SET_SYSCALL_USER_DISPATCH),
        C(PR_SET_SPECULATION_CTRL), C(PR_SET_TSC),
        { NULL, 0 },
};

const struct syscall_const syscall_clone_flags[] = {
        C(CLONE_NEWUSER), C(CLONE_NEWNS), C(CLONE_NEWPID), C(CLONE_NEWNET), C(CLONE_NEWIPC),
        C(CLONE_NEWUTS), C(CLONE_NEWCGROUP), C(CLONE_NEWTIME), C(CLONE_VM), C(CLONE_FS),
        C(CLONE_FILES), C(CLONE_SIGHAND), C(CLONE_PIDFD), C(CLONE_PTRACE), C(CLONE_VFORK),
        C(CLONE_PARENT), C(CLONE_THREAD), C(CLONE_SYSVSEM), C(CLONE_SETTLS),
        C(CLONE_PARENT_SETTID), C(CLONE_CHILD_CLEARTID), C(CLONE_UNTRACED),
        C(CLONE_CHILD_SETTID), C(CLONE_IO),
        { NULL, 0 },
};
#undef C

int syscall_const_value(const struct syscall_const *t, const char *name, unsigned long *ret)
{
        for (; t->name; t++)
                if (strcasecmp(t->name, name) == 0) {
                        *ret = t->value;
                        return 0;
                }
        return -ENOENT;
}

const char *syscall_const_name(const struct syscall_const *t, unsigned long value)
{
        for (; t->name; t++)
                if (t->value == value)
                        return t->name;
        return NULL;
}
