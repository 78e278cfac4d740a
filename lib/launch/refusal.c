/* refusal.c — telling what the sandbox refused, for the layers that refuse
 * without a word to anyone but the refused program: Landlock (EXECUTE,
 * TCP ports, write rights), read-only mounts, file permissions; and what
 * the program cannot see at all (files left in the private home or /tmp,
 * discarded at exit).
 *
 * Runs in the sandbox's init (supervisor.c calls it for a call the filter
 * handed over to be observed, SV_OBSERVE): child side, so fixed buffers
 * only, no allocation, no stdio.  Nothing here decides anything: init
 * answers every observed call with CONTINUE and the kernel refuses or not.
 * This file predicts the kernel's answer from the same facts (the view as
 * init sees it — it shares the program's mount namespace and root — and
 * the plan's rules) so that the user learns which rule refused and the
 * command-line option that would allow it.  What the program passed
 * (paths, addresses) is read from its memory and is only ever used for
 * these reports; init opens paths O_PATH (no content is read), reads
 * their stat and mount flags, and returns.
 *
 * This file: the kinds, the tally, and the helpers that read the call
 * and the view; refusal_explain.c explains executions and the network,
 * refusal_files.c writes, paths outside the view and files left behind.
 */
#include <dirent.h>
#include <stddef.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <unistd.h>

#include "base/path.h"
#include "plan/exec.h"
#include "plan/plan.h"
#include "launch/refusal.h"
#include "base/util.h"


static const struct {
        const char *name, *title;
} kinds[RF_COUNT] = {
        [RF_SECCOMP] = { "seccomp", "system call(s) denied by the seccomp filter" },
        [RF_WX] = { "wx", "mapping(s) both writable and executable refused (W^X)" },
        [RF_EXEC] = { "exec", "execution(s) refused by [exec]" },
        [RF_TCP_BIND] = { "tcp-bind", "TCP bind(s) refused by the port rules" },
        [RF_TCP_CONNECT] = { "tcp-connect", "TCP connect(s) refused by the port rules" },
        [RF_ABSTRACT] = { "abstract-socket", "connect(s) to abstract unix sockets outside the sandbox refused" },
        [RF_READONLY] = { "read-only", "write(s) refused on a read-only mount" },
        [RF_PROTECT] = { "protect", "write(s) refused by the persistence protection" },
        [RF_LL_READONLY] = { "landlock-read-only", "write(s) refused by [landlock] read-only" },
        [RF_PERMISSION] = { "permission", "write(s) refused by file permissions" },
        [RF_DISCARDED] = { "discarded", "file(s) left in the private home or /tmp, discarded at exit" },
        [RF_HIDDEN] = { "hidden", "path(s) that exist on the host but are outside the view" },
};

const char *refusal_kind_name(enum refusal_kind k)
{
        return k < RF_COUNT ? kinds[k].name : "?";
}

const char *refusal_kind_title(enum refusal_kind k)
{
        return k < RF_COUNT ? kinds[k].title : "?";
}

size_t rf_cat(char *buf, size_t size, size_t at, const char *s)
{
        if (!size)
                return 0;
        if (at >= size)
                at = size - 1;
        while (s && *s && at + 1 < size)
                buf[at++] = *s++;
        buf[at] = '\0';
        return at;
}

size_t rf_cat_u(char *buf, size_t size, size_t at, uint64_t v)
{
        char t[24];
        size_t i = sizeof(t) - 1;
        t[i] = '\0';
        do
                t[--i] = (char)('0' + v % 10);
        while ((v /= 10) && i);
        return rf_cat(buf, size, at, t + i);
}

/* Program text in a report: control bytes are shown, never passed on. */
size_t rf_cat_esc(char *buf, size_t size, size_t at, const char *s)
{
        static const char hex[] = "0123456789abcdef";
        for (; s && *s; s++) {
                unsigned char c = (unsigned char)*s;
                if (c < 0x20 || c == 0x7f) {
                        char e[5] = { '\\', 'x', hex[c >> 4], hex[c & 15], 0 };
                        at = rf_cat(buf, size, at, e);
                } else {
                        char e[2] = { (char)c, 0 };
                        at = rf_cat(buf, size, at, e);
                }
        }
        return at;
}

static void sanitize(char *s, size_t size)
{
        char tmp[RF_TEXT];
        if (!strpbrk(s, "\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f\x10\x11\x12\x13"
                        "\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f\x7f"))
                return;
        rf_cat_esc(tmp, sizeof(tmp), 0, s);
        rf_cat(s, size, 0, tmp);
}

void refusal_event_sanitize(struct refusal_event *ev)
{
        sanitize(ev->example, sizeof(ev->example));
        sanitize(ev->rule, sizeof(ev->rule));
        sanitize(ev->override, sizeof(ev->override));
}

void refusal_tally_add(struct refusal_tally *t, const struct refusal_event *in)
{
        if (!t || in->kind >= RF_COUNT)
                return;
        struct refusal_event copy = *in, *ev = &copy;
        refusal_event_sanitize(ev);
        struct refusal_entry *e = &t->e[ev->kind];
        if (e->count++ == 0) {
                rf_cat(e->example, sizeof(e->example), 0, ev->example);
                rf_cat(e->rule, sizeof(e->rule), 0, ev->rule);
                rf_cat(e->override, sizeof(e->override), 0, ev->override);
        }
}

/* ---- reading the call --------------------------------------------------- */

ssize_t rf_read_mem(int pid, uint64_t addr, void *buf, size_t size)
{
        if (pid <= 0 || !addr)
                return -1;
        struct iovec local = { buf, size }, remote = { (void *)(uintptr_t)addr, size };
        return process_vm_readv(pid, &local, 1, &remote, 1, 0);
}

/* A whole NUL-terminated path (PATH_MAX at most); -1 when unreadable or
 * longer than buf. */
ssize_t rf_read_path(int pid, uint64_t addr, char *buf, size_t size)
{
        ssize_t n = rf_read_mem(pid, addr, buf, size - 1);
        if (n <= 0)
                return -1;
        buf[n] = '\0';
        size_t len = strnlen(buf, (size_t)n);
        return len == (size_t)n || len == 0 ? -1 : (ssize_t)len;
}

size_t rf_proc_path(char *buf, size_t size, int pid, const char *what, int fd)
{
        size_t at = rf_cat(buf, size, 0, "/proc/");
        at = pid ? rf_cat_u(buf, size, at, (uint64_t)pid) : rf_cat(buf, size, at, "self");
        at = rf_cat(buf, size, at, what);
        if (fd >= 0)
                at = rf_cat_u(buf, size, at, (uint64_t)fd);
        return at;
}

/* Where the program's `path` starts from: its root for an absolute path
 * (init shares it), its cwd or the directory fd it passed otherwise.
 * Needs the sandbox's /proc for a relative path. */
int rf_start_dir(int pid, int dirfd, const char *path)
{
        char p[64];
        if (path[0] == '/')
                return open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (dirfd == AT_FDCWD)
                rf_proc_path(p, sizeof(p), pid, "/cwd", -1);
        else if (dirfd >= 0)
                rf_proc_path(p, sizeof(p), pid, "/fd/", dirfd);
        else
                return -1;
        return open(p, O_PATH | O_DIRECTORY | O_CLOEXEC);
}

/* The canonical path of an O_PATH fd, as the sandbox sees it. */
int rf_fd_canon(int fd, char *buf, size_t size)
{
        char p[64];
        rf_proc_path(p, sizeof(p), 0, "/fd/", fd);
        ssize_t n = readlink(p, buf, size - 1);
        if (n <= 0 || (size_t)n >= size - 1)
                return -1;
        buf[n] = '\0';
        return buf[0] == '/' ? 0 : -1;
}

/* Split path into its directory (copied into dir, "." when none) and its
 * last component (a pointer into path); -1 for "/" or a trailing "..". */
int rf_split_path(const char *path, char *dir, size_t size, const char **name)
{
        size_t len = strlen(path);
        while (len > 1 && path[len - 1] == '/')
                len--;
        size_t slash = len;
        while (slash > 0 && path[slash - 1] != '/')
                slash--;
        if (slash == len)
                return -1;
        *name = path + slash;
        if (slash == 0)
                rf_cat(dir, size, 0, ".");
        else {
                size_t k = slash > 1 ? slash - 1 : 1;
                if (k >= size)
                        return -1;
                memcpy(dir, path, k);
                dir[k] = '\0';
        }
        /* The name is used up to the first trailing slash. */
        return 0;
}

/* " (COMM, pid N)"; the name is read only now, for a refusal found. */
void rf_example_tail(struct refusal_event *ev, size_t at, const char *comm, int pid)
{
        char c[32];
        if (!comm) {
                refusal_read_comm(pid, c, sizeof(c));
                comm = c;
        }
        at = rf_cat(ev->example, sizeof(ev->example), at, " (");
        at = rf_cat_esc(ev->example, sizeof(ev->example), at, comm);
        at = rf_cat(ev->example, sizeof(ev->example), at, ", pid ");
        at = rf_cat_u(ev->example, sizeof(ev->example), at, (uint64_t)pid);
        rf_cat(ev->example, sizeof(ev->example), at, ")");
}

void refusal_read_comm(int pid, char *buf, size_t size)
{
        char p[64];
        rf_proc_path(p, sizeof(p), pid, "/comm", -1);
        buf[0] = '\0';
        int fd = open(p, O_RDONLY | O_CLOEXEC);
        if (fd >= 0) {
                ssize_t n = read(fd, buf, size - 1);
                close(fd);
                if (n > 0) {
                        buf[n] = '\0';
                        buf[strcspn(buf, "\n")] = '\0';
                }
        }
        if (!buf[0])
                rf_cat(buf, size, 0, "?");
}

size_t rf_cat_loc(char *buf, size_t size, size_t at, const struct sbx_loc *l)
{
        if (!l || !l->file)
                return rf_cat(buf, size, at, "the built-in defaults");
        at = rf_cat(buf, size, at, l->file);
        if (l->line) {
                at = rf_cat(buf, size, at, ":");
                at = rf_cat_u(buf, size, at, l->line);
        }
        return at;
}
