/* supervisor.c — answers the seccomp user notifications of a sandbox.
 *
 * Runs in the sandbox's pid 1 (under init_filter.c's allow-list, no
 * capabilities, not dumpable, same uid as the program, /proc is the
 * sandbox's), child side: only async-signal-safe calls, no allocation,
 * fixed buffers on the stack.  Reports go to a pipe only init can write
 * (spawn.c relays it to the caller's log_fd), never to an fd the program
 * shares.  Everything it needs
 * (names, reasons, the argument rule tables) was prepared by seccomp.c.
 *
 * Two jobs:
 *  - denials in log/notify mode (or with --log-denials): one line per call
 *    on plan->log_fd, text or JSON, naming the syscall, its decoded
 *    arguments, the program and the profile line; then the answer the
 *    profile's action gives (errno, kill, or for `log` letting a call that
 *    is merely not allowed continue).  The decision is re-derived from the
 *    syscall's arguments exactly as the filter made it; CONTINUE is only
 *    ever answered for calls outside the allow-list in log mode, never for
 *    a call an always-deny rule matched.
 *  - memfd_create without MFD_NOEXEC_SEAL: the memfd is created here with
 *    MFD_NOEXEC_SEAL added and installed in the program as the call's
 *    result (SECCOMP_ADDFD_FLAG_SEND), so it can never become executable:
 *    no fileless execution through memfd + fexecve, while programs that
 *    need shared-memory memfds keep working.
 * Strings read from the program (paths, memfd names) are for reports only
 * and are checked with SECCOMP_IOCTL_NOTIF_ID_VALID after reading; no
 * security decision depends on the program's memory.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "launch/supervisor.h"
#include "syscalls/syscalls.h"
#include "base/util.h"

#define MFD_NAME_MAX 249 /* the kernel's limit, without "memfd:" */
#define PATH_MAX_LEARN 1024 /* sbx learn: longer paths are not recorded (docs/learn.md) */

enum sv_verdict supervisor_decide(const struct seccomp_prog *prog, const struct seccomp_data *d,
                                  const char **reason)
{
        *reason = NULL;
        if (d->arch != AUDIT_ARCH_X86_64) {
                *reason = "not the native architecture";
                return SV_DENY;
        }
        if (d->nr < 0 || (size_t)d->nr >= prog->nr_max)
                return SV_ENOSYS;
        switch (prog->kind[d->nr]) {
        case SC_K_UNKNOWN:
        case SC_K_ENOSYS:
                return SV_ENOSYS;
        case SC_K_DENY:
                *reason = prog->deny_reason[d->nr];
                return SV_DENY;
        case SC_K_NOT_ALLOWED:
                *reason = prog->deny_reason[d->nr];
                return SV_NOT_ALLOWED;
        default:
                break;
        }
        /* Allowed by number: the argument rules, in the filter's terms
         * (32-bit arguments compared as the kernel truncates them). */
        uint32_t a0 = (uint32_t)d->args[0], a1 = (uint32_t)d->args[1];
        switch (d->nr) {
        case __NR_ioctl:
                for (unsigned i = 0; i < prog->n_ioctl_deny; i++)
                        if (prog->ioctl_deny[i] == a1) {
                                *reason = prog->arg_reason[prog->ioctl_always[i] ? SC_R_IOCTL_ALWAYS
                                                                                  : SC_R_IOCTL_PROFILE];
                                return SV_DENY;
                        }
                break;
        case __NR_prctl:
                for (unsigned i = 0; i < prog->n_prctl_deny; i++)
                        if (prog->prctl_deny[i] == a0) {
                                *reason = prog->arg_reason[a0 == PR_SET_SECCOMP ? SC_R_PRCTL_SECCOMP
                                                                                : SC_R_PRCTL];
                                return SV_DENY;
                        }
                break;
        case __NR_personality:
                if (a0 != 0 && a0 != 0xffffffffU) {
                        *reason = prog->arg_reason[SC_R_PERSONALITY];
                        return SV_DENY;
                }
                break;
        case __NR_clone:
        case __NR_unshare:
                if (!prog->userns && (d->args[0] & CLONE_NEWUSER)) {
                        *reason = prog->arg_reason[SC_R_USERNS];
                        return SV_DENY;
                }
                break;
        case __NR_socket:
        case __NR_socketpair:
                if (a0 >= 64 || !(prog->af_allowed & (1ULL << a0))) {
                        *reason = prog->arg_reason[SC_R_SOCKET];
                        return SV_NOT_ALLOWED;
                }
                break;
        case __NR_memfd_create:
                if (prog->memfd_exec)
                        break;
                if (a1 & MFD_EXEC) {
                        *reason = prog->arg_reason[SC_R_MEMFD_EXEC];
                        return SV_DENY;
                }
                if (!(a1 & MFD_NOEXEC_SEAL)) {
                        if (prog->supervised)
                                return SV_MEMFD;
                        *reason = prog->arg_reason[SC_R_MEMFD_NOSEAL];
                        return SV_DENY;
                }
                break;
        case __NR_mmap:
        case __NR_mprotect:
        case __NR_pkey_mprotect:
        case __NR_shmat:
                if (prog->wx && seccomp_wx_denied((int)d->nr, (const uint64_t *)d->args)) {
                        *reason = prog->arg_reason[SC_R_WX];
                        return SV_DENY;
                }
                break;
        }
        if (seccomp_observed(prog, d->nr, (const uint64_t *)d->args))
                return SV_OBSERVE;
        return SV_ALLOWED;
}

/* ---- formatting without stdio ----------------------------------------- */

struct out {
        char *buf;
        size_t size, n;
        bool json;
};

static void put_raw(struct out *o, const char *s, size_t len)
{
        for (size_t i = 0; i < len && o->n + 1 < o->size; i++)
                o->buf[o->n++] = s[i];
}

static void put(struct out *o, const char *s)
{
        put_raw(o, s, strlen(s));
}

static void put_u(struct out *o, uint64_t v)
{
        char t[24];
        size_t i = sizeof(t);
        do
                t[--i] = (char)('0' + v % 10);
        while ((v /= 10) && i);
        put_raw(o, t + i, sizeof(t) - i);
}

static void put_d(struct out *o, int64_t v)
{
        if (v < 0) {
                put(o, "-");
                put_u(o, (uint64_t)0 - (uint64_t)v);
        } else {
                put_u(o, (uint64_t)v);
        }
}

static void put_x(struct out *o, uint64_t v)
{
        static const char hex[] = "0123456789abcdef";
        char t[18];
        size_t i = sizeof(t);
        do
                t[--i] = hex[v & 15];
        while ((v >>= 4) && i > 2);
        t[--i] = 'x';
        t[--i] = '0';
        put_raw(o, t + i, sizeof(t) - i);
}

/* Text that came from the program (names, paths) must not forge lines or
 * break JSON: control bytes, quotes and non-ASCII are escaped. */
static void put_esc(struct out *o, const char *s, size_t len)
{
        static const char hex[] = "0123456789abcdef";
        for (size_t i = 0; i < len; i++) {
                unsigned char c = (unsigned char)s[i];
                if (c == '\\' || (o->json && c == '"')) {
                        char e[2] = { '\\', (char)c };
                        put_raw(o, e, 2);
                } else if (c < 0x20 || c >= 0x7f) {
                        char e[6] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 15] };
                        if (o->json)
                                put_raw(o, e, 6);
                        else {
                                char t[4] = { '\\', 'x', hex[c >> 4], hex[c & 15] };
                                put_raw(o, t, 4);
                        }
                } else {
                        put_raw(o, (const char *)&c, 1);
                }
        }
}

/* Up to size-1 bytes of a NUL-terminated string in process pid.  Returns
 * its length, or -1 when unreadable; *trunc when no NUL was found. */
static ssize_t read_string(int pid, uint64_t addr, char *buf, size_t size, bool *trunc)
{
        *trunc = false;
        if (pid <= 0 || !addr || size < 2)
                return -1;
        struct iovec local = { buf, size - 1 };
        struct iovec remote = { (void *)(uintptr_t)addr, size - 1 };
        /* A partial read (string near the end of a mapping) is fine. */
        ssize_t n = process_vm_readv(pid, &local, 1, &remote, 1, 0);
        if (n <= 0)
                return -1;
        buf[n] = '\0';
        size_t len = strnlen(buf, (size_t)n);
        *trunc = len == (size_t)n;
        return (ssize_t)len;
}

static void put_str_arg(struct out *o, int pid, uint64_t addr)
{
        char s[256];
        bool trunc;
        ssize_t n = read_string(pid, addr, s, sizeof(s), &trunc);
        if (n < 0) {
                put_x(o, addr);
                return;
        }
        put(o, o->json ? "\\\"" : "\"");
        put_esc(o, s, (size_t)n);
        put(o, o->json ? "\\\"" : "\"");
        if (trunc)
                put(o, "...");
}

static void put_flags(struct out *o, const struct syscall_const *t, uint64_t v)
{
        bool any = false;
        for (; t->name; t++) {
                if (!t->value || (v & t->value) != t->value)
                        continue;
                if (any)
                        put(o, "|");
                put(o, t->name);
                v &= ~(uint64_t)t->value;
                any = true;
        }
        if (v || !any) {
                if (any)
                        put(o, "|");
                put_x(o, v);
        }
}

static void put_named(struct out *o, const struct syscall_const *t, uint64_t v)
{
        const char *n = syscall_const_name(t, v);
        if (n)
                put(o, n);
        else
                put_d(o, (int64_t)v);
}

static const struct syscall_const prot_flags[] = {
        { "PROT_READ", PROT_READ }, { "PROT_WRITE", PROT_WRITE }, { "PROT_EXEC", PROT_EXEC }, { NULL, 0 },
};
static const struct syscall_const memfd_flags[] = {
        { "MFD_CLOEXEC", 0x1 }, { "MFD_ALLOW_SEALING", 0x2 }, { "MFD_HUGETLB", 0x4 },
        { "MFD_NOEXEC_SEAL", MFD_NOEXEC_SEAL }, { "MFD_EXEC", MFD_EXEC }, { NULL, 0 },
};

/* How to show the arguments of the calls worth decoding:
 * d int, x hex, s string, f dirfd, R ptrace request, A address family,
 * I ioctl request, C clone flags, P prctl option, M prot, F memfd flags. */
static const struct {
        int nr;
        const char *fmt;
} decoders[] = {
        { __NR_ptrace, "Rd" },         { __NR_socket, "Axd" },      { __NR_socketpair, "Axd" },
        { __NR_ioctl, "dI" },          { __NR_clone, "C" },         { __NR_unshare, "C" },
        { __NR_prctl, "Px" },          { __NR_personality, "x" },   { __NR_memfd_create, "sF" },
        { __NR_mmap, "xdMx" },         { __NR_mprotect, "xdM" },    { __NR_pkey_mprotect, "xdMd" },
        { __NR_kill, "dd" },           { __NR_tkill, "dd" },        { __NR_tgkill, "ddd" },
        { __NR_open, "sx" },           { __NR_openat, "fsx" },      { __NR_openat2, "fs" },
        { __NR_creat, "sx" },          { __NR_execve, "s" },        { __NR_execveat, "fsxxx" },
        { __NR_mount, "sssx" },        { __NR_umount2, "sx" },      { __NR_chroot, "s" },
        { __NR_pivot_root, "ss" },     { __NR_mkdir, "sx" },        { __NR_mkdirat, "fsx" },
        { __NR_unlink, "s" },          { __NR_unlinkat, "fsx" },    { __NR_rmdir, "s" },
        { __NR_chdir, "s" },           { __NR_access, "sx" },       { __NR_faccessat, "fsx" },
        { __NR_stat, "s" },            { __NR_lstat, "s" },         { __NR_newfstatat, "fs" },
        { __NR_readlink, "s" },        { __NR_rename, "ss" },       { __NR_link, "ss" },
        { __NR_symlink, "ss" },        { __NR_mknod, "sxx" },       { __NR_chmod, "sx" },
        { __NR_chown, "sdd" },         { __NR_truncate, "sd" },     { __NR_swapon, "sx" },
        { __NR_swapoff, "s" },         { __NR_acct, "s" },          { __NR_open_tree, "fsx" },
        { __NR_move_mount, "fsfsx" },  { __NR_fsopen, "sx" },       { __NR_setns, "dC" },
        { __NR_bpf, "dxd" },           { __NR_keyctl, "dxx" },      { __NR_add_key, "ss" },
        { __NR_request_key, "ss" },    { __NR_seccomp, "dx" },      { __NR_process_vm_readv, "d" },
        { __NR_process_vm_writev, "d" }, { __NR_pidfd_getfd, "ddx" }, { __NR_io_uring_setup, "dx" },
        { __NR_init_module, "xds" },   { __NR_finit_module, "dsx" }, { __NR_delete_module, "sx" },
        { __NR_reboot, "xxx" },        { __NR_kexec_load, "xdx" },  { __NR_userfaultfd, "x" },
        { __NR_perf_event_open, "xddd" }, { __NR_open_by_handle_at, "dxx" },
        { __NR_getppid, "" },          { __NR_getpgrp, "" },        { __NR_setsid, "" },
        { __NR_vhangup, "" },          { __NR_sync, "" },           { __NR_setuid, "d" },          { __NR_setgid, "d" },        { __NR_setresuid, "ddd" },
        { __NR_setresgid, "ddd" },     { __NR_setgroups, "dx" },    { __NR_settimeofday, "xx" },   { __NR_clock_settime, "dx" }, { __NR_sethostname, "sd" },
};

static void put_args(struct out *o, const struct seccomp_data *d, int pid)
{
        const char *fmt = NULL;
        for (size_t i = 0; i < ARRAY_SIZE(decoders); i++)
                if (decoders[i].nr == d->nr)
                        fmt = decoders[i].fmt;
        if (!fmt)
                fmt = "xxx";
        for (unsigned i = 0; fmt[i] && i < 6; i++) {
                uint64_t v = d->args[i];
                if (i)
                        put(o, ", ");
                switch (fmt[i]) {
                case 'd':
                        put_d(o, (int32_t)v);
                        break;
                case 's':
                        put_str_arg(o, pid, v);
                        break;
                case 'f':
                        if ((int32_t)v == AT_FDCWD)
                                put(o, "AT_FDCWD");
                        else
                                put_d(o, (int32_t)v);
                        break;
                case 'R':
                        put_named(o, syscall_ptrace_names, v);
                        break;
                case 'A': {
                        const char *n = syscall_const_name(syscall_af_names, (uint32_t)v);
                        if (n)
                                put(o, n);
                        else
                                put_d(o, (int32_t)v);
                        break;
                }
                case 'I': {
                        const char *n = syscall_const_name(syscall_ioctl_names, (uint32_t)v);
                        if (n)
                                put(o, n);
                        if (!n || v > 0xffffffffULL) {
                                if (n)
                                        put(o, " ");
                                put_x(o, v);
                        }
                        break;
                }
                case 'C':
                        put_flags(o, syscall_clone_flags, v);
                        break;
                case 'P':
                        put_named(o, syscall_prctl_names, (uint32_t)v);
                        break;
                case 'M':
                        put_flags(o, prot_flags, v);
                        break;
                case 'F':
                        put_flags(o, memfd_flags, (uint32_t)v);
                        break;
                default:
                        put_x(o, v);
                }
        }
}

/* "NAME(ARGS) in COMM (pid N)": the call as reports show it. */
static void put_call(struct out *o, const struct seccomp_prog *prog, const struct seccomp_data *d, int pid,
                     const char *comm)
{
        const char *name = d->nr >= 0 && (size_t)d->nr < prog->nr_max ? prog->names[d->nr] : NULL;
        if (name)
                put(o, name);
        else {
                put(o, "syscall ");
                put_d(o, d->nr);
        }
        put(o, "(");
        put_args(o, d, pid);
        put(o, ") in ");
        put_esc(o, comm, strlen(comm));
        put(o, " (pid ");
        put_d(o, pid);
        put(o, ")");
}

size_t supervisor_format(const struct seccomp_prog *prog, const struct seccomp_data *d, int pid,
                         const char *comm, const char *verdict_word, const char *reason, bool json,
                         char *buf, size_t size)
{
        struct out o = { buf, size, 0, json };
        const char *name = d->nr >= 0 && (size_t)d->nr < prog->nr_max ? prog->names[d->nr] : NULL;
        if (!size)
                return 0;
        if (!reason)
                reason = "denied";
        if (!json) {
                put(&o, "sbx: ");
                put(&o, verdict_word);
                put(&o, " ");
                put_call(&o, prog, d, pid, comm);
                put(&o, ": ");
                put(&o, reason);
        } else {
                put(&o, "{\"event\":\"seccomp\",\"verdict\":\"");
                put(&o, verdict_word);
                put(&o, "\",\"syscall\":\"");
                put(&o, name ? name : "?");
                put(&o, "\",\"nr\":");
                put_d(&o, d->nr);
                put(&o, ",\"args\":\"");
                put_args(&o, d, pid);
                put(&o, "\",\"raw\":[");
                for (unsigned i = 0; i < 6; i++) {
                        put(&o, i ? ",\"" : "\"");
                        put_x(&o, d->args[i]);
                        put(&o, "\"");
                }
                put(&o, "],\"pid\":");
                put_d(&o, pid);
                put(&o, ",\"comm\":\"");
                put_esc(&o, comm, strlen(comm));
                put(&o, "\",\"action\":\"");
                put(&o, prog->action == DENY_KILL ? "kill" : prog->action == DENY_LOG ? "log"
                        : prog->action == DENY_NOTIFY ? "notify" : "errno");
                put(&o, "\",\"errno\":\"");
                put(&o, prog->errno_name ? prog->errno_name : "");
                put(&o, "\",\"reason\":\"");
                put_esc(&o, reason, strlen(reason));
                put(&o, "\"}");
        }
        /* Always end with a newline, even when the buffer is full. */
        if (o.n + 1 >= o.size)
                o.n = o.size - 2;
        o.buf[o.n++] = '\n';
        o.buf[o.n] = '\0';
        return o.n;
}

/* ---- answering ----------------------------------------------------------- */

static bool id_valid(int listener, uint64_t id)
{
        return ioctl(listener, SECCOMP_IOCTL_NOTIF_ID_VALID, &id) == 0;
}

static int respond(int listener, const struct seccomp_prog *prog, uint64_t id, int error, bool cont)
{
        union {
                struct seccomp_notif_resp r;
                char pad[256];
        } resp;
        memset(&resp, 0, sizeof(resp));
        resp.r.id = id;
        resp.r.error = cont ? 0 : -error;
        resp.r.flags = cont ? SECCOMP_USER_NOTIF_FLAG_CONTINUE : 0;
        (void)prog;
        if (ioctl(listener, SECCOMP_IOCTL_NOTIF_SEND, &resp) < 0) {
                /* The caller died or was interrupted meanwhile: not our problem. */
                if (errno == ENOENT)
                        return 0;
                return -errno;
        }
        return 0;
}

/* One line into the report pipe.  The pipe is non-blocking (init must
 * never stall on a reader that does not read) and a line is shorter than
 * PIPE_BUF, so it is written whole or not at all: then it is counted. */
static void report_line(struct sv_report *rep, const char *s, size_t n)
{
        ssize_t k;
        do
                k = write(rep->fd, s, n);
        while (k < 0 && errno == EINTR);
        if (k != (ssize_t)n)
                rep->lost++;
}

static int rewrite_memfd(int listener, const struct seccomp_prog *prog, const struct seccomp_notif *n)
{
        char name[MFD_NAME_MAX + 2];
        bool trunc;
        ssize_t len = read_string((int)n->pid, n->data.args[0], name, sizeof(name), &trunc);
        if (!id_valid(listener, n->id))
                return 0;
        if (len < 0)
                return respond(listener, prog, n->id, EFAULT, false);
        if (trunc || len > MFD_NAME_MAX)
                return respond(listener, prog, n->id, EINVAL, false);

        unsigned flags = (uint32_t)n->data.args[1];
        int fd = memfd_create(name, flags | MFD_NOEXEC_SEAL);
        if (fd < 0)
                return respond(listener, prog, n->id, errno, false);
        struct seccomp_notif_addfd add = {
                .id = n->id,
                .flags = SECCOMP_ADDFD_FLAG_SEND,
                .srcfd = (uint32_t)fd,
                .newfd_flags = (flags & MFD_CLOEXEC) ? O_CLOEXEC : 0,
        };
        int r = ioctl(listener, SECCOMP_IOCTL_NOTIF_ADDFD, &add);
        int e = errno;
        close(fd);
        if (r >= 0 || e == ENOENT)
                return 0;
        /* e.g. EMFILE in the program: that is the call's answer. */
        return respond(listener, prog, n->id, e, false);
}

/* ---- sbx learn: records ---------------------------------------------------
 *
 * One line per call: "sbx-learn <what> <pid> <fields...>", paths made
 * absolute against the caller's cwd or dirfd as /proc shows them, escaped
 * so that a line is one line and a path one word (learn.c parses them).
 * What the program's memory says is only evidence for a profile the user
 * reads; no decision of this sandbox depends on it (every such call is let
 * continue as it would have run without the recording). */

static void put_path_esc(struct out *o, const char *s, size_t len)
{
        static const char hex[] = "0123456789abcdef";
        for (size_t i = 0; i < len; i++) {
                unsigned char c = (unsigned char)s[i];
                if (c <= 0x20 || c >= 0x7f || c == '\\') {
                        char t[4] = { '\\', 'x', hex[c >> 4], hex[c & 15] };
                        put_raw(o, t, 4);
                } else {
                        put_raw(o, (const char *)&c, 1);
                }
        }
}

/* /proc/PID/cwd or /proc/PID/fd/N as the sandbox sees it. */
static ssize_t read_base(int pid, int dirfd, char *buf, size_t size)
{
        char path[64];
        struct out o = { path, sizeof(path), 0, false };
        put(&o, "/proc/");
        put_d(&o, pid);
        if (dirfd == AT_FDCWD)
                put(&o, "/cwd");
        else {
                put(&o, "/fd/");
                put_d(&o, dirfd);
        }
        path[o.n] = '\0';
        ssize_t n = readlink(path, buf, size - 1);
        if (n <= 0 || buf[0] != '/')
                return -1;
        buf[n] = '\0';
        return n;
}

/* Append the path argument at addr (relative to dirfd) as one word. */
static bool put_learn_path(struct out *o, int pid, int dirfd, uint64_t addr)
{
        char s[PATH_MAX_LEARN], base[PATH_MAX_LEARN];
        bool trunc;
        ssize_t n = read_string(pid, addr, s, sizeof(s), &trunc);
        if (n < 0 || trunc)
                return false;
        put(o, " ");
        if (s[0] != '/') {
                ssize_t b = read_base(pid, dirfd, base, sizeof(base));
                if (b < 0)
                        return false;
                put_path_esc(o, base, (size_t)b);
                put(o, "/");
        }
        put_path_esc(o, s, (size_t)n);
        return true;
}

/* connect/bind/sendto: the family, address and port of a sockaddr. */
/* The type of the caller's socket fd (SOCK_STREAM, SOCK_DGRAM…), 0 when
 * it cannot be told: Landlock's port rules are for TCP only. */
static int socket_type(int pid, int fd)
{
        int type = 0;
        socklen_t len = sizeof(type);
        int pfd = (int)syscall(__NR_pidfd_open, (pid_t)pid, 0);
        if (pfd < 0)
                return 0;
        int s = (int)syscall(__NR_pidfd_getfd, pfd, fd, 0);
        close(pfd);
        if (s < 0)
                return 0;
        if (getsockopt(s, SOL_SOCKET, SO_TYPE, &type, &len) < 0)
                type = 0;
        close(s);
        return type;
}

static bool put_learn_addr(struct out *o, int pid, int fd, uint64_t addr, uint64_t len)
{
        unsigned char sa[128];
        if (!addr || len < 2)
                return false;
        if (len > sizeof(sa))
                len = sizeof(sa);
        struct iovec local = { sa, (size_t)len }, remote = { (void *)(uintptr_t)addr, (size_t)len };
        ssize_t n = process_vm_readv(pid, &local, 1, &remote, 1, 0);
        if (n < 2)
                return false;
        unsigned family = sa[0] | (unsigned)sa[1] << 8;
        put(o, " ");
        put_u(o, family);
        if ((family == AF_INET && n >= 8) || (family == AF_INET6 && n >= 24)) {
                unsigned port = (unsigned)sa[2] << 8 | sa[3];
                static const char hex[] = "0123456789abcdef";
                put(o, " ");
                put_u(o, port);
                put(o, " ");
                const unsigned char *a = family == AF_INET ? sa + 4 : sa + 8;
                for (int i = 0; i < (family == AF_INET ? 4 : 16); i++) {
                        char t[2] = { hex[a[i] >> 4], hex[a[i] & 15] };
                        put_raw(o, t, 2);
                }
                put(o, " ");
                put_u(o, (unsigned)socket_type(pid, fd));
        } else if (family == AF_UNIX && n > 2) {
                /* A pathname socket (an abstract one starts with NUL). */
                size_t l = strnlen((const char *)sa + 2, (size_t)n - 2);
                put(o, " 0 ");
                if (sa[2] == 0)
                        put(o, "@");
                else
                        put_path_esc(o, (const char *)sa + 2, l);
        }
        return true;
}

/* One record for a learn-notified call; false when there is nothing to
 * say (an fd-only form, an unreadable string). */
static bool learn_record(const struct seccomp_prog *prog, const struct seccomp_notif *n, struct out *o)
{
        const struct seccomp_data *d = &n->data;
        int pid = (int)n->pid;
        const uint64_t *a = (const uint64_t *)d->args;
        const char *name = d->nr >= 0 && (size_t)d->nr < prog->nr_max ? prog->names[d->nr] : NULL;
        put(o, "sbx-learn ");
        put(o, name ? name : "?");
        put(o, " ");
        put_d(o, pid);
        switch (d->nr) {
        /* (path, flags) */
        case __NR_open:
                put(o, " ");
                put_x(o, (uint32_t)a[1]);
                return put_learn_path(o, pid, AT_FDCWD, a[0]);
        case __NR_creat:
                put(o, " ");
                put_x(o, O_CREAT | O_WRONLY | O_TRUNC);
                return put_learn_path(o, pid, AT_FDCWD, a[0]);
        case __NR_openat:
                put(o, " ");
                put_x(o, (uint32_t)a[2]);
                return put_learn_path(o, pid, (int)a[0], a[1]);
        case __NR_openat2: {
                uint64_t how = 0;
                struct iovec local = { &how, sizeof(how) }, remote = { (void *)(uintptr_t)a[2], sizeof(how) };
                if (process_vm_readv(pid, &local, 1, &remote, 1, 0) != sizeof(how))
                        return false;
                put(o, " ");
                put_x(o, (uint32_t)how);
                return put_learn_path(o, pid, (int)a[0], a[1]);
        }
        /* one path, no dirfd */
        case __NR_execve: case __NR_stat: case __NR_lstat: case __NR_access: case __NR_readlink:
        case __NR_mkdir: case __NR_unlink: case __NR_rmdir: case __NR_truncate: case __NR_chdir:
        case __NR_chmod: case __NR_chown: case __NR_lchown: case __NR_utimes: case __NR_utime:
        case __NR_mknod: case __NR_statfs: case __NR_getxattr: case __NR_lgetxattr:
        case __NR_listxattr: case __NR_llistxattr: case __NR_setxattr: case __NR_lsetxattr:
        case __NR_inotify_add_watch:
                return put_learn_path(o, pid, AT_FDCWD, d->nr == __NR_inotify_add_watch ? a[1] : a[0]);
        /* (dirfd, path) */
        case __NR_execveat: case __NR_newfstatat: case __NR_statx: case __NR_faccessat:
        case __NR_faccessat2: case __NR_readlinkat: case __NR_mkdirat: case __NR_unlinkat:
        case __NR_fchmodat: case __NR_fchownat: case __NR_utimensat: case __NR_futimesat:
        case __NR_mknodat:
                /* utimensat(fd, NULL) and execveat(fd, "", AT_EMPTY_PATH) name no path. */
                return a[1] && put_learn_path(o, pid, (int)a[0], a[1]);
        /* two paths, both touched */
        case __NR_rename: case __NR_link:
                return put_learn_path(o, pid, AT_FDCWD, a[0]) && put_learn_path(o, pid, AT_FDCWD, a[1]);
        case __NR_renameat: case __NR_renameat2: case __NR_linkat:
                return put_learn_path(o, pid, (int)a[0], a[1]) && put_learn_path(o, pid, (int)a[2], a[3]);
        /* symlink: the target is text, only the link is created */
        case __NR_symlink:
                return put_learn_path(o, pid, AT_FDCWD, a[1]);
        case __NR_symlinkat:
                return put_learn_path(o, pid, (int)a[1], a[2]);
        case __NR_connect: case __NR_bind:
                return put_learn_addr(o, pid, (int)a[0], a[1], a[2]);
        case __NR_sendto:
                return a[4] && put_learn_addr(o, pid, (int)a[0], a[4], a[5]);
        }
        return false;
}

/* In learn mode a record must not be lost (the profile would miss what it
 * says): wait for room in the pipe.  The program is held in its
 * notification meanwhile, which only slows the recording run. */
static void learn_line(struct sv_report *rep, const char *s, size_t n)
{
        for (;;) {
                ssize_t k = write(rep->fd, s, n);
                if (k == (ssize_t)n)
                        return;
                /* A line longer than PIPE_BUF may go in parts; only init
                 * writes this pipe, so the parts stay in order. */
                if (k > 0) {
                        s += k;
                        n -= (size_t)k;
                        continue;
                }
                if (k < 0 && errno == EINTR)
                        continue;
                if (k < 0 && errno == EAGAIN) {
                        struct pollfd p = { .fd = rep->fd, .events = POLLOUT };
                        if (poll(&p, 1, 1000) >= 0 && !(p.revents & (POLLERR | POLLHUP)))
                                continue;
                }
                rep->lost++;
                return;
        }
}

static int learn_handle(int listener, const struct plan *plan, struct sv_report *rep,
                        const struct seccomp_notif *n, enum sv_verdict v, const char *reason)
{
        const struct seccomp_prog *prog = &plan->seccomp;
        /* Two paths, each a directory and a name, every byte escaped
         * (\xNN) at worst: nothing is ever cut. */
        char line[2 * 2 * PATH_MAX_LEARN * 4 + 256];
        struct out o = { line, sizeof(line), 0, false };
        const char *name = n->data.nr >= 0 && (size_t)n->data.nr < prog->nr_max ? prog->names[n->data.nr] : NULL;
        bool cont = true, have = false;

        switch (v) {
        case SV_NOT_ALLOWED:
                /* A syscall outside the allow-list, or a socket family. */
                put(&o, n->data.nr == __NR_socket || n->data.nr == __NR_socketpair ? "sbx-learn family "
                                                                                     : "sbx-learn syscall ");
                put(&o, name ? name : "?");
                put(&o, " ");
                put_d(&o, (int)n->pid);
                if (n->data.nr == __NR_socket || n->data.nr == __NR_socketpair) {
                        put(&o, " ");
                        put_u(&o, (uint32_t)n->data.args[0]);
                }
                have = true;
                break;
        case SV_DENY:
                /* W^X is learnable (wx = no); the always-denied rules are
                 * not: they stay refused, and are reported as such. */
                cont = reason == prog->arg_reason[SC_R_WX];
                put(&o, cont ? "sbx-learn wx " : "sbx-learn refused ");
                put(&o, name ? name : "?");
                put(&o, " ");
                put_d(&o, (int)n->pid);
                have = true;
                break;
        default:
                /* Allowed by the tables (SV_ALLOWED, or a call notified
                 * only to be looked at): only the calls the learn rules
                 * notify run on; any other means the filter and these
                 * tables disagree, and is refused as outside learning. */
                if (!seccomp_learn_notified(prog, n->data.nr, (const uint64_t *)n->data.args)) {
                        cont = false;
                        break;
                }
                have = learn_record(prog, n, &o);
                break;
        }
        if (have && o.n + 1 < o.size && rep && rep->fd >= 0 && id_valid(listener, n->id)) {
                o.buf[o.n++] = '\n';
                learn_line(rep, line, o.n);
        }
        return respond(listener, prog, n->id, cont ? 0 : prog->deny_errno, cont);
}

/* A denied call into the tally: the call as the live report shows it,
 * the reason, and the option that lifts the rule (the family or request
 * named for socket and ioctl). */
static void tally_denial(int listener, const struct seccomp_prog *prog, const struct seccomp_notif *n,
                         const char *reason, struct refusal_tally *t)
{
        struct refusal_event ev = { .kind = reason && reason == prog->arg_reason[SC_R_WX] ? RF_WX : RF_SECCOMP };
        /* Only the first of a kind is kept: later ones are only counted. */
        if (t->e[ev.kind].count) {
                t->e[ev.kind].count++;
                return;
        }
        char comm[32];
        refusal_read_comm((int)n->pid, comm, sizeof(comm));
        const struct seccomp_data *d = &n->data;
        struct out o = { ev.example, sizeof(ev.example), 0, false };
        put_call(&o, prog, d, (int)n->pid, comm);
        o.buf[o.n < o.size ? o.n : o.size - 1] = '\0';
        rf_cat(ev.rule, sizeof(ev.rule), 0, reason ? reason : "denied");

        const char *ovr = NULL;
        for (unsigned i = 0; i < SC_R_COUNT && !ovr; i++)
                if (reason && reason == prog->arg_reason[i])
                        ovr = prog->arg_override[i];
        if (!ovr && d->nr >= 0 && (size_t)d->nr < prog->nr_max && prog->override)
                ovr = prog->override[d->nr];
        size_t at = rf_cat(ev.override, sizeof(ev.override), 0, ovr ? ovr : "");
        if (reason && reason == prog->arg_reason[SC_R_SOCKET]) {
                const char *f = syscall_const_name(syscall_af_names, (uint32_t)d->args[0]);
                if (f)
                        rf_cat(ev.override, sizeof(ev.override), at, f);
                else
                        rf_cat_u(ev.override, sizeof(ev.override), at, (uint32_t)d->args[0]);
        } else if (reason && reason == prog->arg_reason[SC_R_IOCTL_PROFILE]) {
                const char *r = syscall_const_name(syscall_ioctl_names, (uint32_t)d->args[1]);
                if (r)
                        rf_cat(ev.override, sizeof(ev.override), at, r);
                else
                        rf_cat_u(ev.override, sizeof(ev.override), at, (uint32_t)d->args[1]);
        }
        /* The pid and the memory read belonged to the call only if it is
         * still pending; otherwise count it without an example. */
        if (!id_valid(listener, n->id)) {
                t->e[ev.kind].count++;
                return;
        }
        refusal_tally_add(t, &ev);
}

/* An allowed call handed over to be explained: what will the kernel's
 * other layers say?  Counted, and reported live when asked. */
static void observe(int listener, const struct plan *plan, const struct seccomp_notif *n, struct sv_report *rep)
{
        struct refusal_event ev;
        if (!rep || refusal_explain_call(plan, n, &ev) <= 0 || !id_valid(listener, n->id))
                return;
        refusal_event_sanitize(&ev);
        if (ev.kind == RF_HIDDEN) {
                /* Only the parent can look at the host: a record for it. */
                char rec[RF_TEXT * 3 + 8];
                size_t at = rf_cat(rec, sizeof(rec), 0, (char[]){ RF_HIDDEN_MARK, 0 });
                at = rf_cat(rec, sizeof(rec), at, ev.rule);
                at = rf_cat(rec, sizeof(rec), at, "\t");
                at = rf_cat(rec, sizeof(rec), at, ev.override);
                at = rf_cat(rec, sizeof(rec), at, "\t");
                at = rf_cat(rec, sizeof(rec), at, ev.example);
                at = rf_cat(rec, sizeof(rec), at, "\n");
                if (rep->fd >= 0 && at + 1 < sizeof(rec))
                        report_line(rep, rec, at);
                return;
        }
        refusal_tally_add(rep->tally, &ev);
        if (rep->fd < 0 || !rep->live)
                return;
        char line[1024];
        struct out o = { line, sizeof(line), 0, plan->spawn_flags & SBX_SPAWN_LOG_JSON };
        if (!o.json) {
                put(&o, "sbx: refused ");
                put(&o, ev.example);
                put(&o, ": ");
                put(&o, ev.rule);
                if (ev.override[0]) {
                        put(&o, "; to allow: ");
                        put(&o, ev.override);
                }
        } else {
                put(&o, "{\"event\":\"");
                put(&o, refusal_kind_name(ev.kind));
                put(&o, "\",\"verdict\":\"refused\",\"what\":\"");
                put_esc(&o, ev.example, strlen(ev.example));
                put(&o, "\",\"reason\":\"");
                put_esc(&o, ev.rule, strlen(ev.rule));
                put(&o, "\",\"override\":\"");
                put_esc(&o, ev.override, strlen(ev.override));
                put(&o, "\"}");
        }
        if (o.n + 1 >= o.size)
                o.n = o.size - 2;
        line[o.n++] = '\n';
        report_line(rep, line, o.n);
}

int supervisor_handle(int listener, const struct plan *plan, struct sv_report *rep)
{
        const struct seccomp_prog *prog = &plan->seccomp;
        union {
                struct seccomp_notif n;
                char pad[1024];
        } req;
        char line[4096];
        char comm[32];
        const char *reason;

        /* The kernel writes notif_size bytes (it grows with new kernels):
         * the parent checked the size, refuse rather than overflow. */
        if (prog->notif_size > sizeof(req))
                return -ENOSPC;
        memset(&req, 0, sizeof(req));
        if (ioctl(listener, SECCOMP_IOCTL_NOTIF_RECV, &req) < 0) {
                if (errno == EINTR || errno == ENOENT)
                        return 0;
                return -errno;
        }
        const struct seccomp_notif *n = &req.n;
        enum sv_verdict v = supervisor_decide(prog, &n->data, &reason);
        if (prog->learn && v != SV_MEMFD && v != SV_ENOSYS)
                return learn_handle(listener, plan, rep, n, v, reason);

        switch (v) {
        case SV_MEMFD:
                return rewrite_memfd(listener, prog, n);
        case SV_OBSERVE:
                observe(listener, plan, n, rep);
                return respond(listener, prog, n->id, 0, true);
        case SV_ENOSYS:
                return respond(listener, prog, n->id, ENOSYS, false);
        case SV_ALLOWED:
                /* The filter notified a call these tables allow: they
                 * disagree, so refuse it. */
                reason = "internal: the filter and the supervisor disagree";
                v = SV_DENY;
                break;
        default:
                break;
        }

        bool kill_it = prog->action == DENY_KILL;
        bool cont = v == SV_NOT_ALLOWED && prog->action == DENY_LOG;
        if (rep && rep->tally)
                tally_denial(listener, prog, n, reason, rep->tally);
        if (rep && rep->fd >= 0 && rep->live) {
                refusal_read_comm((int)n->pid, comm, sizeof(comm));
                size_t len = supervisor_format(prog, &n->data, (int)n->pid, comm,
                                               kill_it ? "killed" : cont ? "logged" : "denied", reason,
                                               plan->spawn_flags & SBX_SPAWN_LOG_JSON, line, sizeof(line));
                /* Only report a call that is still pending: after the check
                 * the pid and the memory read above belonged to it. */
                if (id_valid(listener, n->id))
                        report_line(rep, line, len);
        }
        if (kill_it) {
                /* The task sleeps in the notification until answered, so
                 * after the check the pid is its own; a pidfd taken before
                 * the check keeps it so (a thread that is not the leader
                 * has no pidfd before Linux 6.9: then kill() by pid).
                 * SIGKILL ends the process before the answer. */
                int pfd = (int)syscall(__NR_pidfd_open, (pid_t)n->pid, 0);
                if (id_valid(listener, n->id)) {
                        if (pfd < 0 || syscall(__NR_pidfd_send_signal, pfd, SIGKILL, NULL, 0) < 0)
                                kill((pid_t)n->pid, SIGKILL);
                }
                if (pfd >= 0)
                        close(pfd);
        }
        return respond(listener, prog, n->id, prog->deny_errno, cont);
}
