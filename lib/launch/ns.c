/* ns.c — namespaces: the user namespace's identity maps (written by the
 * parent, the only process allowed to map the caller's ids), loopback in a
 * new network namespace, and switching to the inside identity. */
#include <fcntl.h>
#include <grp.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "launch/ns.h"
#include "base/util.h"

static int write_proc(pid_t pid, const char *file, const char *data)
{
        char path[64];
        snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, file);
        int fd = open(path, O_WRONLY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        size_t n = strlen(data);
        ssize_t w = write(fd, data, n);
        int e = errno;
        close(fd);
        if (w < 0)
                return -e;
        return (size_t)w == n ? 0 : -EIO;
}

int ns_write_maps(const struct plan *plan, pid_t pid, const char **failed)
{
        char buf[64];
        int r;
        /* An unprivileged caller must give up setgroups() before it may map
         * a gid (CVE-2014-8989: dropping groups could bypass negative group
         * permissions).  Root keeps it so that the child can clear root's
         * supplementary groups itself. */
        if (!plan->caller_is_root && (r = write_proc(pid, "setgroups", "deny")) < 0) {
                *failed = "setgroups";
                return r;
        }
        snprintf(buf, sizeof(buf), "%u %u 1\n", plan->inside_uid, plan->map_uid);
        if ((r = write_proc(pid, "uid_map", buf)) < 0) {
                *failed = "uid_map";
                return r;
        }
        snprintf(buf, sizeof(buf), "%u %u 1\n", plan->inside_gid, plan->map_gid);
        if ((r = write_proc(pid, "gid_map", buf)) < 0) {
                *failed = "gid_map";
                return r;
        }
        return 0;
}

int ns_loopback_up(void)
{
        int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (s < 0)
                return -errno;
        struct ifreq ifr;
        memset(&ifr, 0, sizeof(ifr));
        memcpy(ifr.ifr_name, "lo", 3);
        int r = 0;
        if (ioctl(s, SIOCGIFFLAGS, &ifr) < 0)
                r = -errno;
        else {
                ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
                if (ioctl(s, SIOCSIFFLAGS, &ifr) < 0)
                        r = -errno;
        }
        close(s);
        return r;
}

int ns_set_identity(const struct plan *plan)
{
        /* A spawned sandbox's init uses raw syscalls: glibc's wrappers apply
         * an id change to every thread of the process it believes it has,
         * and a clone() child of a multi-threaded caller inherits that
         * belief and waits forever for threads that do not exist there (the
         * child is single-threaded, so the per-thread call is the whole
         * process).  sbx_confine() on the caller itself needs exactly the
         * wrappers' all-threads behaviour. */
        if (plan->caller_is_root || !(plan->clone_flags & CLONE_NEWUSER)) {
                /* Root's supplementary groups (gid 0 among them) must not
                 * follow the program in. */
                if ((plan->self ? setgroups(0, NULL) : syscall(SYS_setgroups, 0, NULL)) < 0)
                        return -errno;
        }
        gid_t g = plan->inside_gid;
        uid_t u = plan->inside_uid;
        if ((plan->self ? setresgid(g, g, g) : syscall(SYS_setresgid, g, g, g)) < 0)
                return -errno;
        if ((plan->self ? setresuid(u, u, u) : syscall(SYS_setresuid, u, u, u)) < 0)
                return -errno;
        return 0;
}
