/* mkfilter.c — the seccomp program bubblewrap is given in bench/run, so that
 * it is compared with sbx at equal strictness.
 *
 * Writes a default-deny (EPERM) allow-list of ordinary syscalls with the
 * same kinds of argument rules sbx's default profile has (ioctl TIOCSTI,
 * socket families, clone namespace flags, memfd_create MFD_EXEC, clone3 →
 * ENOSYS), built with libseccomp and exported as raw BPF for
 * `bwrap --seccomp FD`.  Other architectures are killed (libseccomp's bad-arch
 * action), as sbx does for i386 and x32.  The list is this benchmark's own:
 * close to sbx's @default in size, not a copy of it.
 *
 * Usage: mkfilter OUT.bpf [EXTRA_SYSCALL...]
 * Prints "rules N insns M" on stdout. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef MFD_EXEC
#define MFD_EXEC 0x0010U
#endif

static const char allowed[] =
        /* process basics */
        "exit exit_group rt_sigreturn restart_syscall brk arch_prctl set_tid_address "
        "set_robust_list get_robust_list rseq set_thread_area get_thread_area "
        "read write readv writev pread64 pwrite64 preadv pwritev preadv2 pwritev2 "
        "close close_range dup dup2 dup3 fcntl fstat newfstatat statx lseek prctl "
        "pipe pipe2 poll ppoll select pselect6 getpid gettid getppid getuid geteuid "
        "getgid getegid getresuid getresgid getgroups futex futex_waitv futex_wake "
        "futex_wait futex_requeue membarrier sched_yield sched_getaffinity getcpu "
        "getrandom uname sysinfo getrlimit setrlimit prlimit64 clock_gettime "
        "clock_getres gettimeofday time nanosleep clock_nanosleep "
        /* files */
        "open openat openat2 creat stat lstat statfs fstatfs access faccessat faccessat2 "
        "readlink readlinkat getcwd chdir fchdir getdents getdents64 mkdir mkdirat rmdir "
        "unlink unlinkat rename renameat renameat2 link linkat symlink symlinkat mknod "
        "mknodat chmod fchmod fchmodat fchmodat2 chown fchown lchown fchownat umask "
        "truncate ftruncate fallocate fsync fdatasync sync syncfs sync_file_range flock "
        "utime utimes utimensat futimesat readahead fadvise64 sendfile copy_file_range "
        "splice tee vmsplice cachestat name_to_handle_at getxattr lgetxattr fgetxattr "
        "listxattr llistxattr flistxattr setxattr lsetxattr fsetxattr removexattr "
        "lremovexattr fremovexattr inotify_init inotify_init1 inotify_add_watch "
        "inotify_rm_watch "
        /* events, processes, signals, timers */
        "epoll_create epoll_create1 epoll_ctl epoll_wait epoll_pwait epoll_pwait2 "
        "eventfd eventfd2 fork vfork execve execveat wait4 waitid kill tkill tgkill "
        "getpgid getpgrp setpgid getsid setsid getpriority setpriority sched_setparam "
        "sched_getparam sched_setscheduler sched_getscheduler sched_get_priority_max "
        "sched_get_priority_min sched_rr_get_interval sched_setaffinity sched_setattr "
        "sched_getattr ioprio_get ioprio_set getrusage times capget capset personality "
        "pidfd_open pidfd_send_signal process_mrelease rt_sigaction rt_sigprocmask "
        "rt_sigpending rt_sigtimedwait rt_sigqueueinfo rt_tgsigqueueinfo rt_sigsuspend "
        "sigaltstack pause signalfd signalfd4 alarm getitimer setitimer timer_create "
        "timer_settime timer_gettime timer_getoverrun timer_delete timerfd_create "
        "timerfd_settime timerfd_gettime "
        /* memory, IPC, sockets, Landlock */
        "mmap munmap mprotect mremap madvise msync mincore mlock mlock2 munlock mlockall "
        "munlockall remap_file_pages pkey_mprotect pkey_alloc pkey_free mbind "
        "get_mempolicy set_mempolicy set_mempolicy_home_node map_shadow_stack "
        "shmget shmat shmctl shmdt semget semop semctl semtimedop msgget msgsnd msgrcv "
        "msgctl mq_open mq_unlink mq_timedsend mq_timedreceive mq_notify mq_getsetattr "
        "connect accept accept4 bind listen shutdown getsockname getpeername getsockopt "
        "setsockopt sendto recvfrom sendmsg recvmsg sendmmsg recvmmsg "
        "landlock_create_ruleset landlock_add_rule landlock_restrict_self";

static int add_rules(scmp_filter_ctx ctx, int argc, char **argv, int *nrules)
{
        char *list = strdup(allowed);
        int r = 0;
        if (!list)
                return -ENOMEM;
        for (char *save = NULL, *name = strtok_r(list, " ", &save); name;
             name = strtok_r(NULL, " ", &save)) {
                int nr = seccomp_syscall_resolve_name(name);
                if (nr == __NR_SCMP_ERROR)
                        continue; /* unknown to this libseccomp */
                if ((r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 0)) < 0)
                        goto out;
                (*nrules)++;
        }
        for (int i = 0; i < argc; i++) {
                int nr = seccomp_syscall_resolve_name(argv[i]);
                if (nr == __NR_SCMP_ERROR || (r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 0)) < 0)
                        goto out;
                (*nrules)++;
        }
        /* The argument rules, as in sbx's default profile. */
        struct { int nr; struct scmp_arg_cmp cmp; } conditional[] = {
                { SCMP_SYS(socket), SCMP_A0(SCMP_CMP_EQ, AF_UNIX) },
                { SCMP_SYS(socketpair), SCMP_A0(SCMP_CMP_EQ, AF_UNIX) },
                { SCMP_SYS(clone), SCMP_A0(SCMP_CMP_MASKED_EQ, CLONE_NEWUSER, 0) },
                { SCMP_SYS(unshare), SCMP_A0(SCMP_CMP_MASKED_EQ, CLONE_NEWUSER, 0) },
                { SCMP_SYS(memfd_create), SCMP_A1(SCMP_CMP_MASKED_EQ, MFD_EXEC, 0) },
        };
        for (size_t i = 0; i < sizeof(conditional) / sizeof(conditional[0]); i++) {
                if ((r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, conditional[i].nr, 1,
                                          conditional[i].cmp)) < 0)
                        goto out;
                (*nrules)++;
        }
        /* Any ioctl but TIOCSTI (terminal input injection). */
        if ((r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(ioctl), 1,
                                  SCMP_A1(SCMP_CMP_NE, TIOCSTI))) < 0)
                goto out;
        if ((r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0)) < 0)
                goto out;
        *nrules += 2;
out:
        free(list);
        return r;
}

int main(int argc, char **argv)
{
        int nrules = 0, r;
        if (argc < 2) {
                fprintf(stderr, "usage: mkfilter OUT.bpf [EXTRA_SYSCALL...]\n");
                return 2;
        }
        scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ERRNO(EPERM));
        if (!ctx) {
                fprintf(stderr, "mkfilter: seccomp_init failed\n");
                return 1;
        }
        if ((r = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS)) < 0 ||
            (r = add_rules(ctx, argc - 2, argv + 2, &nrules)) < 0) {
                fprintf(stderr, "mkfilter: building the filter: %s\n", strerror(-r));
                return 1;
        }
        int fd = open(argv[1], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd < 0) {
                perror(argv[1]);
                return 1;
        }
        if ((r = seccomp_export_bpf(ctx, fd)) < 0) {
                fprintf(stderr, "mkfilter: export: %s\n", strerror(-r));
                return 1;
        }
        struct stat st;
        if (fstat(fd, &st) < 0 || close(fd) < 0) {
                perror(argv[1]);
                return 1;
        }
        printf("rules %d insns %lld\n", nrules, (long long)st.st_size / 8);
        seccomp_release(ctx);
        return 0;
}
