/* test_default_filter.c — pins the review of @default against Docker's
 * default seccomp profile and systemd's @system-service (issue 12,
 * docs/default-filter.md): every syscall either of them refuses or
 * restricts is outside @default, or has its reason in lib/syscalls/syscalls.c
 * (syscall_default_notes).  Adding a syscall to @default that one of them
 * refuses, without a reason, fails here.
 *
 * The reference lists are facts copied as names only, restricted to names
 * libseccomp knows on x86_64:
 *   docker_allows: what moby/profiles seccomp/default.json (commit cd3bed80,
 *     2026-06-30) allows a container without added capabilities and without
 *     an argument rule: its unconditional rule, the amd64 arch rules
 *     (arch_prctl, modify_ldt) and the kernel >= 4.8 rule (ptrace,
 *     process_vm_readv, process_vm_writev).  Calls behind a capability (CAP_SYS_ADMIN,
 *     CAP_SYS_NICE, …) or an argument rule (socket, personality, clone) are
 *     not in it.
 *   systemd_allows: systemd 252 (Debian 12) @system-service, expanded by
 *     `systemd-analyze syscall-filter`. */
#include <criterion/criterion.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "sbx.h"
#include <seccomp.h> /* libseccomp (sbx's own is plan/seccomp.h) */
#include "syscalls/syscalls.h"
#include "base/util.h"

static const char docker_allows[] =
        "accept accept4 access adjtimex alarm arch_prctl bind brk cachestat capget capset "
        "chdir chmod chown clock_adjtime clock_getres clock_gettime clock_nanosleep close "
        "close_range connect copy_file_range creat dup dup2 dup3 epoll_create epoll_create1 "
        "epoll_ctl epoll_ctl_old epoll_pwait epoll_pwait2 epoll_wait epoll_wait_old eventfd "
        "eventfd2 execve execveat exit exit_group faccessat faccessat2 fadvise64 fallocate "
        "fanotify_mark fchdir fchmod fchmodat fchmodat2 fchown fchownat fcntl fdatasync "
        "fgetxattr flistxattr flock fork fremovexattr fsetxattr fstat fstatfs fsync ftruncate "
        "futex futex_requeue futex_wait futex_waitv futex_wake futimesat get_robust_list "
        "get_thread_area getcpu getcwd getdents getdents64 getegid geteuid getgid getgroups "
        "getitimer getpeername getpgid getpgrp getpid getppid getpriority getrandom getresgid "
        "getresuid getrlimit getrusage getsid getsockname getsockopt gettid gettimeofday "
        "getuid getxattr inotify_add_watch inotify_init inotify_init1 inotify_rm_watch "
        "io_cancel io_destroy io_getevents io_pgetevents io_setup io_submit ioctl ioprio_get "
        "ioprio_set kill landlock_add_rule landlock_create_ruleset landlock_restrict_self "
        "lchown lgetxattr link linkat listen listxattr llistxattr lremovexattr lseek "
        "lsetxattr lstat madvise map_shadow_stack membarrier memfd_create memfd_secret "
        "mincore mkdir mkdirat mknod mknodat mlock mlock2 mlockall mmap modify_ldt mprotect "
        "mq_getsetattr mq_notify mq_open mq_timedreceive mq_timedsend mq_unlink mremap msgctl "
        "msgget msgrcv msgsnd msync munlock munlockall munmap name_to_handle_at nanosleep "
        "newfstatat open openat openat2 pause pidfd_open pidfd_send_signal pipe pipe2 "
        "pkey_alloc pkey_free pkey_mprotect poll ppoll prctl pread64 preadv preadv2 prlimit64 "
        "process_mrelease process_vm_readv process_vm_writev pselect6 ptrace pwrite64 pwritev "
        "pwritev2 read readahead readlink readlinkat readv recvfrom recvmmsg recvmsg "
        "remap_file_pages removexattr rename renameat renameat2 restart_syscall rmdir rseq "
        "rt_sigaction rt_sigpending rt_sigprocmask rt_sigqueueinfo rt_sigreturn rt_sigsuspend "
        "rt_sigtimedwait rt_tgsigqueueinfo sched_get_priority_max sched_get_priority_min "
        "sched_getaffinity sched_getattr sched_getparam sched_getscheduler "
        "sched_rr_get_interval sched_setaffinity sched_setattr sched_setparam "
        "sched_setscheduler sched_yield seccomp select semctl semget semop semtimedop "
        "sendfile sendmmsg sendmsg sendto set_robust_list set_thread_area set_tid_address "
        "setfsgid setfsuid setgid setgroups setitimer setpgid setpriority setregid setresgid "
        "setresuid setreuid setrlimit setsid setsockopt setuid setxattr shmat shmctl shmdt "
        "shmget shutdown sigaltstack signalfd signalfd4 socketpair splice stat statfs statx "
        "symlink symlinkat sync sync_file_range syncfs sysinfo tee tgkill time timer_create "
        "timer_delete timer_getoverrun timer_gettime timer_settime timerfd_create "
        "timerfd_gettime timerfd_settime times tkill truncate umask uname unlink unlinkat "
        "utime utimensat utimes vfork vmsplice wait4 waitid write writev";

static const char systemd_allows[] =
        "accept accept4 access add_key alarm arch_prctl bind brk capget capset chdir chmod "
        "chown clock_getres clock_gettime clock_nanosleep clone clone3 close close_range "
        "connect copy_file_range creat dup dup2 dup3 epoll_create epoll_create1 epoll_ctl "
        "epoll_ctl_old epoll_pwait epoll_pwait2 epoll_wait epoll_wait_old eventfd eventfd2 "
        "execve execveat exit exit_group faccessat faccessat2 fadvise64 fallocate fchdir "
        "fchmod fchmodat fchmodat2 fchown fchownat fcntl fdatasync fgetxattr flistxattr flock "
        "fork fremovexattr fsetxattr fstat fstatfs fsync ftruncate futex futex_waitv "
        "futimesat get_mempolicy get_robust_list get_thread_area getcpu getcwd getdents "
        "getdents64 getegid geteuid getgid getgroups getitimer getpeername getpgid getpgrp "
        "getpid getppid getpriority getrandom getresgid getresuid getrlimit getrusage getsid "
        "getsockname getsockopt gettid gettimeofday getuid getxattr inotify_add_watch "
        "inotify_init inotify_init1 inotify_rm_watch io_cancel io_destroy io_getevents "
        "io_pgetevents io_setup io_submit io_uring_enter io_uring_register io_uring_setup "
        "ioctl ioprio_get ioprio_set kcmp keyctl kill lchown lgetxattr link linkat listen "
        "listxattr llistxattr lremovexattr lseek lsetxattr lstat madvise mbind membarrier "
        "memfd_create migrate_pages mkdir mkdirat mknod mknodat mlock mlock2 mlockall mmap "
        "move_pages mprotect mq_getsetattr mq_notify mq_open mq_timedreceive mq_timedsend "
        "mq_unlink mremap msgctl msgget msgrcv msgsnd msync munlock munlockall munmap "
        "name_to_handle_at nanosleep newfstatat open openat openat2 pause personality "
        "pidfd_open pidfd_send_signal pipe pipe2 poll ppoll prctl pread64 preadv preadv2 "
        "prlimit64 process_madvise process_vm_readv process_vm_writev pselect6 pwrite64 "
        "pwritev pwritev2 read readahead readlink readlinkat readv recvfrom recvmmsg recvmsg "
        "remap_file_pages removexattr rename renameat renameat2 request_key restart_syscall "
        "rmdir rseq rt_sigaction rt_sigpending rt_sigprocmask rt_sigqueueinfo rt_sigreturn "
        "rt_sigsuspend rt_sigtimedwait rt_tgsigqueueinfo sched_get_priority_max "
        "sched_get_priority_min sched_getaffinity sched_getattr sched_getparam "
        "sched_getscheduler sched_rr_get_interval sched_setaffinity sched_setattr "
        "sched_setparam sched_setscheduler sched_yield select semctl semget semop semtimedop "
        "sendfile sendmmsg sendmsg sendto set_mempolicy set_mempolicy_home_node "
        "set_robust_list set_thread_area set_tid_address setfsgid setfsuid setgid setgroups "
        "setitimer setns setpgid setpriority setregid setresgid setresuid setreuid setrlimit "
        "setsid setsockopt setuid setxattr shmat shmctl shmdt shmget shutdown sigaltstack "
        "signalfd signalfd4 socket socketpair splice stat statfs statx symlink symlinkat sync "
        "sync_file_range syncfs sysinfo tee tgkill time timer_create timer_delete "
        "timer_getoverrun timer_gettime timer_settime timerfd_create timerfd_gettime "
        "timerfd_settime times tkill truncate umask uname unlink unlinkat unshare userfaultfd "
        "utime utimensat utimes vfork vmsplice wait4 waitid write writev";

/* What the review took out of @default; a profile that needs one names it
 * (or its group) explicitly. */
static const char *const moved_out[] = {
        "mincore", "cachestat",                                          /* @page-cache */
        "mbind", "get_mempolicy", "set_mempolicy", "set_mempolicy_home_node", /* @numa */
};

static bool in_words(const char *words, const char *name)
{
        size_t n = strlen(name);
        for (const char *p = words; (p = strstr(p, name)); p += n)
                if ((p == words || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\0'))
                        return true;
        return false;
}

static bool in_strv(char **v, const char *name)
{
        for (; v && *v; v++)
                if (strcmp(*v, name) == 0)
                        return true;
        return false;
}

static char **default_set(void)
{
        char **v = NULL;
        cr_assert_eq(sbx_syscall_expand("@default", &v), 0);
        return v;
}

Test(default_filter, reference_lists_are_sane)
{
        const char *const lists[] = { docker_allows, systemd_allows };
        for (size_t l = 0; l < ARRAY_SIZE(lists); l++) {
                char *m = strdup(lists[l]), *save = NULL;
                for (char *t = strtok_r(m, " ", &save); t; t = strtok_r(NULL, " ", &save))
                        cr_expect(seccomp_syscall_resolve_name_arch(SCMP_ARCH_X86_64, t) >= 0,
                                  "'%s' is not an x86_64 syscall", t);
                free(m);
        }
        cr_assert(in_words(docker_allows, "read") && in_words(docker_allows, "name_to_handle_at"));
        cr_assert(!in_words(docker_allows, "mount") && !in_words(docker_allows, "unshare") &&
                  !in_words(docker_allows, "mbind") && !in_words(docker_allows, "socket") &&
                  !in_words(docker_allows, "personality") && !in_words(docker_allows, "clone"));
        cr_assert(in_words(systemd_allows, "read") && in_words(systemd_allows, "setuid"));
        cr_assert(!in_words(systemd_allows, "mincore") && !in_words(systemd_allows, "mount"));
        cr_assert(!in_words("futex_waitv", "futex_wait"), "in_words matches whole words only");
}

/* The rule itself, over every syscall libseccomp knows on x86_64: refused
 * or restricted by either reference and in @default means a reason. */
Test(default_filter, refused_elsewhere_means_denied_or_a_reason)
{
        char **def = default_set();
        unsigned checked = 0;
        for (int nr = 0; nr < 1024; nr++) {
                char *name = seccomp_syscall_resolve_num_arch(SCMP_ARCH_X86_64, nr);
                if (!name)
                        continue;
                bool docker = in_words(docker_allows, name), systemd = in_words(systemd_allows, name);
                if ((!docker || !systemd) && in_strv(def, name)) {
                        const char *why = syscall_default_note(name);
                        cr_expect(why && *why,
                                  "%s is in @default but %s%s%s refuses or restricts it: take it out of "
                                  "@default or write the reason in syscall_default_notes (lib/syscalls/syscalls.c)",
                                  name, docker ? "" : "Docker", !docker && !systemd ? " and " : "",
                                  systemd ? "" : "systemd @system-service");
                        checked++;
                }
                free(name);
        }
        cr_assert_gt(checked, 0);
        sbx_strv_free(def);
}

/* Every reason belongs to a syscall that is in @default (a stale note
 * would explain a decision nobody makes any more), once. */
Test(default_filter, notes_are_current)
{
        char **def = default_set();
        cr_assert_gt(syscall_default_notes_count, 0);
        for (size_t i = 0; i < syscall_default_notes_count; i++) {
                const struct syscall_note *n = &syscall_default_notes[i];
                cr_expect(in_strv(def, n->name), "note for %s, which is not in @default", n->name);
                cr_expect(n->reason && strlen(n->reason) > 20, "%s: no real reason", n->name);
                for (size_t k = i + 1; k < syscall_default_notes_count; k++)
                        cr_expect_str_neq(n->name, syscall_default_notes[k].name);
        }
        sbx_strv_free(def);
        /* The public face `sbx syscalls --why` uses. */
        cr_assert_eq(sbx_syscall_note_count(), syscall_default_notes_count);
        cr_assert_str_eq(sbx_syscall_note_name(0), syscall_default_notes[0].name);
        cr_assert_null(sbx_syscall_note_name(syscall_default_notes_count));
        cr_assert_not_null(sbx_syscall_why("unshare"));
        cr_assert_null(sbx_syscall_why("read"));
        cr_assert_null(sbx_syscall_why(NULL));
}

/* The decisions of the review: out of @default, still in a group a profile
 * can name, not in a dangerous one. */
Test(default_filter, moved_out_stay_out)
{
        char **def = default_set();
        for (size_t i = 0; i < ARRAY_SIZE(moved_out); i++) {
                cr_expect(!in_strv(def, moved_out[i]), "%s is back in @default", moved_out[i]);
                cr_expect_null(syscall_default_note(moved_out[i]));
                cr_expect_null(syscall_dangerous_group(moved_out[i]), "%s", moved_out[i]);
        }
        sbx_strv_free(def);
        char **v = NULL;
        cr_assert_eq(sbx_syscall_expand("@page-cache", &v), 0);
        cr_assert(in_strv(v, "mincore") && in_strv(v, "cachestat"));
        sbx_strv_free(v);
        cr_assert_eq(sbx_syscall_expand("@numa", &v), 0);
        cr_assert(in_strv(v, "mbind") && in_strv(v, "set_mempolicy") && in_strv(v, "get_mempolicy"));
        sbx_strv_free(v);
}
