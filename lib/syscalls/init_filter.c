/* init_filter.c — the seccomp filter that confines the sandbox's pid 1.
 *
 * init (lib/launch/spawn.c) runs no code of the program's, but it holds what the
 * program must not: the status pipe, the seccomp listener that answers the
 * program's denied calls, the report pipe.  After forking the program it
 * installs this filter, so that code running in init through a bug (a
 * memory error in the supervisor, or an injection we did not foresee) can
 * do no more than init's own loop does: read and write the fds it has,
 * poll, reap, forward signals, answer notifications, read the program's
 * strings and /proc/PID/comm, create sealed memfds.
 *
 * A classic BPF program written by hand, not libseccomp: it is installed
 * between clone() and _exit(), where only raw syscalls are allowed (no
 * malloc), and it is small enough to read.  A foreign architecture or an
 * x32 number kills init (init never makes one; only injected code could);
 * any other call outside the list fails with EPERM, because every call of
 * init's loop checks its result and degrades (a report lost, a call
 * refused) where a kill would end the user's program with it.  The list
 * is what strace shows init doing after its fork, in log, notify, kill and
 * memfd-rewrite modes.  x86-64 only, like the rest of the seccomp code. */
#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "syscalls/init_filter.h"
#include "base/util.h"

#ifndef SECCOMP_IOCTL_NOTIF_SET_FLAGS /* Linux 6.6: SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP */
#define SECCOMP_IOCTL_NOTIF_SET_FLAGS SECCOMP_IOW(4, __u64)
#endif
#ifndef SECCOMP_IOCTL_NOTIF_ADDFD
#error "linux/seccomp.h too old: SECCOMP_IOCTL_NOTIF_ADDFD (Linux 5.9) is needed"
#endif

#define X32_BIT 0x40000000U
#define ARG_LO(i) (offsetof(struct seccomp_data, args) + 8 * (i)) /* little endian */
#define RET_ALLOW BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW)
#define RET_DENY BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM)
#define RET_KILL BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS)
/* A syscall allowed whatever its arguments: two instructions. */
#define ALLOW(nr) BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (nr), 0, 1), RET_ALLOW

static const struct sock_filter init_prog[] = {
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
        RET_KILL,
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
        BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, X32_BIT, 0, 1),
        RET_KILL,

        ALLOW(__NR_read),
        ALLOW(__NR_write),
        ALLOW(__NR_close),
        ALLOW(__NR_poll),
        ALLOW(__NR_ppoll),
        ALLOW(__NR_recvmsg),           /* the listener, from the program */
        ALLOW(__NR_wait4),
        ALLOW(__NR_waitid),
        ALLOW(__NR_kill),              /* forwarding; kill mode */
        ALLOW(__NR_pidfd_open),        /* kill mode */
        ALLOW(__NR_pidfd_send_signal),
        ALLOW(__NR_process_vm_readv),  /* strings for reports, memfd names */
        ALLOW(__NR_rt_sigreturn),
        ALLOW(__NR_restart_syscall),
        ALLOW(__NR_exit),
        ALLOW(__NR_exit_group),
        /* Explaining refusals (refusal.c) and sbx learn's records:
         * looking at the view the program names (no content read;
         * /proc/PID/cwd and fd/N), the type of one of its sockets, the
         * files left in the private home and /tmp. */
        ALLOW(__NR_readlink),
        ALLOW(__NR_fstat),
        ALLOW(__NR_newfstatat),
        ALLOW(__NR_fstatfs),
        ALLOW(__NR_getdents64),
        ALLOW(__NR_faccessat2),
        ALLOW(__NR_pidfd_getfd),
        ALLOW(__NR_getsockopt),

        /* ioctl: the four seccomp notification requests only (the kernel
         * takes the request as 32 bits). */
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_ioctl, 0, 8),
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, ARG_LO(1)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (uint32_t)SECCOMP_IOCTL_NOTIF_RECV, 5, 0),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (uint32_t)SECCOMP_IOCTL_NOTIF_SEND, 4, 0),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (uint32_t)SECCOMP_IOCTL_NOTIF_ID_VALID, 3, 0),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (uint32_t)SECCOMP_IOCTL_NOTIF_ADDFD, 2, 0),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (uint32_t)SECCOMP_IOCTL_NOTIF_SET_FLAGS, 1, 0),
        RET_DENY,
        RET_ALLOW,

        /* openat: close-on-exec, never for writing (/proc/PID/comm for
         * reports, O_PATH lookups and directory listings to explain). */
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_openat, 0, 5),
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, ARG_LO(2)),
        BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, O_WRONLY | O_RDWR | O_CREAT | O_TRUNC | O_APPEND, 2, 0),
        BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, O_CLOEXEC, 0, 1),
        RET_ALLOW,
        RET_DENY,

        /* memfd_create: only sealed against exec (the supervisor's rewrite). */
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_memfd_create, 0, 5),
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, ARG_LO(1)),
        BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, MFD_EXEC, 2, 0),
        BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, MFD_NOEXEC_SEAL, 0, 1),
        RET_ALLOW,
        RET_DENY,

        RET_DENY,
};

const char *const init_filter_allowed[] = {
        "read", "write", "close", "poll", "ppoll", "recvmsg", "wait4", "waitid", "kill",
        "pidfd_open", "pidfd_send_signal", "process_vm_readv", "rt_sigreturn",
        "restart_syscall", "exit", "exit_group", "readlink", "fstat", "newfstatat", "fstatfs",
        "getdents64", "faccessat2", "pidfd_getfd", "getsockopt", "ioctl(SECCOMP_IOCTL_NOTIF_*)",
        "openat(O_CLOEXEC, not for writing)", "memfd_create(MFD_NOEXEC_SEAL)", NULL,
};

int init_filter_install(void)
{
        struct sock_fprog fprog = { .len = ARRAY_SIZE(init_prog), .filter = (struct sock_filter *)init_prog };
        if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &fprog) < 0)
                return -errno;
        return 0;
}
