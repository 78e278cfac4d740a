/* confine.c — confining the calling process (sbx_confine, sbx_pledge).
 *
 * A running process keeps its mount view and its pid; what still applies:
 * a fresh, empty network namespace (single-threaded callers only: the
 * kernel refuses unshare(CLONE_NEWUSER) in a multi-threaded process),
 * Landlock over the policy's binds as host paths, capabilities, no_new_privs
 * and seccomp.  seccomp is applied to every thread (TSYNC; it fails with
 * the offending thread's id if it cannot sync).  Landlock restrict_self is
 * per thread, so threads created before the call would keep their old
 * domain: a multi-threaded caller whose policy has Landlock is refused. */
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "launch/caps.h"
#include "plan/landlock.h"
#include "launch/ns.h"
#include "plan/plan.h"
#include "profile/policy.h"
#include "plan/seccomp.h"
#include "syscalls/syscalls.h"
#include "base/util.h"
#include "plan/wx.h"

static int thread_count(void)
{
        int fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        char buf[4096];
        ssize_t n = read(fd, buf, sizeof(buf) - 1);
        close(fd);
        if (n <= 0)
                return -EIO;
        buf[n] = 0;
        const char *t = strstr(buf, "\nThreads:");
        return t ? atoi(t + 9) : -EIO;
}

static int write_self(const char *file, const char *data)
{
        int fd = open(file, O_WRONLY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        ssize_t w = write(fd, data, strlen(data));
        int e = errno;
        close(fd);
        return w < 0 ? -e : 0;
}

static int new_netns(struct sbx_error **err)
{
        if (unshare(CLONE_NEWNET) == 0)
                return ns_loopback_up();
        if (errno != EPERM)
                return sbx_err_setup(err, -errno, "network", "unshare(CLONE_NEWNET)");
        int threads = thread_count();
        if (threads != 1)
                return sbx_err_setup(err, -EINVAL, "network",
                                     "a new network namespace needs a user namespace, which a "
                                     "process with %d threads cannot enter; confine before "
                                     "starting threads or pass SBX_CONFINE_NO_NETNS", threads);
        uid_t uid = geteuid();
        gid_t gid = getegid();
        if (unshare(CLONE_NEWUSER | CLONE_NEWNET) < 0)
                return sbx_err_setup(err, -errno, "network", "unshare(CLONE_NEWUSER|CLONE_NEWNET)");
        char buf[64];
        int r = write_self("/proc/self/setgroups", "deny");
        if (r >= 0) {
                snprintf(buf, sizeof(buf), "%u %u 1\n", uid, uid);
                r = write_self("/proc/self/uid_map", buf);
        }
        if (r >= 0) {
                snprintf(buf, sizeof(buf), "%u %u 1\n", gid, gid);
                r = write_self("/proc/self/gid_map", buf);
        }
        if (r >= 0)
                r = ns_loopback_up();
        if (r < 0)
                return sbx_err_setup(err, r, "network", "setting up the new namespace");
        return 0;
}

SBX_EXPORT int sbx_confine(const struct sbx_policy *p, unsigned flags, struct sbx_error **err)
{
        int r;
        if (!p)
                return -EINVAL;
        struct plan plan;
        r = plan_build_self(p, &plan, err);
        if (r < 0) {
                plan_done(&plan);
                return r;
        }
        /* Landlock's restrict_self() binds the calling thread only (this
         * kernel has no way to apply it to the others), so a thread that
         * already runs would keep the whole filesystem: refuse before any
         * step is applied rather than confine part of the process. */
        if (plan.landlock.enabled) {
                int threads = thread_count();
                if (threads != 1) {
                        r = sbx_err_setup(err, threads < 0 ? threads : -EBUSY, "landlock",
                                          "the process has %d threads and Landlock would bind the "
                                          "calling one only; call sbx_confine() before starting "
                                          "threads, or disable [landlock] in the policy",
                                          threads);
                        goto out;
                }
        }
        if (p->net == NET_NONE && !(flags & SBX_CONFINE_NO_NETNS) && (r = new_netns(err)) < 0)
                goto out;
        if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
                r = sbx_err_setup(err, -errno, "no_new_privs", "prctl");
                goto out;
        }
        if (plan.mdwe && (r = wx_apply()) < 0) {
                sbx_err_setup(err, r, "wx", "PR_SET_MDWE");
                goto out;
        }
        const char *failed = NULL;
        if (plan.landlock.enabled && (r = landlock_apply(&plan.landlock, false, &failed)) < 0) {
                sbx_err_setup(err, r, "landlock", "%s", failed ? failed : "restrict_self");
                goto out;
        }
        if ((r = caps_drop_self(&plan, plan.caps_keep, &failed)) < 0) {
                sbx_err_setup(err, r, "capabilities", "%s", failed);
                goto out;
        }
        if (p->seccomp && (r = seccomp_load(&plan.seccomp, true)) < 0) {
                sbx_err_setup(err, r, "seccomp", "loading the filter (TSYNC)");
                goto out;
        }
        r = 0;
out:
        plan_done(&plan);
        return r;
}

SBX_EXPORT int sbx_pledge(const char *promises, struct sbx_error **err)
{
        struct sbx_policy *p = NULL;
        int r = sbx_policy_new(&p);
        if (r < 0)
                return r;
        strlist_free(&p->sc_allow);
        struct sbx_loc loc = { .file = policy_intern_file(p, "sbx_pledge"), .line = 0 };
        r = strlist_add(&p->sc_allow, "@base", loc);
        const char *s = promises ? promises : "";
        while (r >= 0 && *s) {
                size_t n = strcspn(s, " \t,");
                if (n > 0) {
                        char word[64];
                        if (n >= sizeof(word)) {
                                r = sbx_err_at(err, -EINVAL, "sbx_pledge", 0, "promise too long");
                                break;
                        }
                        memcpy(word, s, n);
                        word[n] = 0;
                        char full[72];
                        /* "stdio" and "@stdio" both name a group when one exists. */
                        snprintf(full, sizeof(full), "@%s", word);
                        const char *name = word[0] != '@' && syscall_name_valid(full) ? full : word;
                        if (!syscall_name_valid(name))
                                r = sbx_err_at(err, -EINVAL, "sbx_pledge", 0,
                                               "unknown promise '%s'", word);
                        else
                                r = strlist_add(&p->sc_allow, name, loc);
                }
                s += n;
                while (*s == ' ' || *s == '\t' || *s == ',')
                        s++;
        }
        if (r >= 0) {
                p->landlock = false;
                p->net = NET_HOST;
                r = sbx_confine(p, SBX_CONFINE_NO_NETNS, err);
        }
        sbx_policy_free(p);
        return r;
}
