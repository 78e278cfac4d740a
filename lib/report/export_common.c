/* export_common.c — what the whole-plan exports share (export_plan.h):
 * their warning list, names Kubernetes and systemd accept, rlimit and
 * capability names, and questions about the plan's view (which mount
 * holds a path; which /dev entries every runtime provides itself).  Pure:
 * reads the plan, touches nothing. */
#include <cap-ng.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "base/util.h"
#include "report/export_plan.h"

int export_warn(struct ex *x, const char *fmt, ...)
{
        va_list ap;
        va_start(ap, fmt);
        int r = strv_vaddf(&x->warn, &x->nwarn, &x->capwarn, fmt, ap);
        va_end(ap);
        return r;
}

/* A name Kubernetes and systemd accept: lower case, [a-z0-9-], starting
 * and ending with a letter or digit. */
void export_label(const char *s, char *buf, size_t size)
{
        size_t n = 0;
        for (; *s && n + 1 < size; s++) {
                char c = *s;
                if (c >= 'A' && c <= 'Z')
                        c = (char)(c - 'A' + 'a');
                if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')))
                        c = '-';
                if (c == '-' && (n == 0 || buf[n - 1] == '-'))
                        continue;
                buf[n++] = c;
        }
        while (n > 0 && buf[n - 1] == '-')
                n--;
        buf[n] = 0;
        if (!n)
                snprintf(buf, size, "profile");
}

const char *export_rlimit_name(int r)
{
        static const char *const names[RLIM_NLIMITS] = {
                [RLIMIT_CPU] = "CPU",         [RLIMIT_FSIZE] = "FSIZE",       [RLIMIT_DATA] = "DATA",
                [RLIMIT_STACK] = "STACK",     [RLIMIT_CORE] = "CORE",         [RLIMIT_RSS] = "RSS",
                [RLIMIT_NPROC] = "NPROC",     [RLIMIT_NOFILE] = "NOFILE",     [RLIMIT_MEMLOCK] = "MEMLOCK",
                [RLIMIT_AS] = "AS",           [RLIMIT_LOCKS] = "LOCKS",       [RLIMIT_SIGPENDING] = "SIGPENDING",
                [RLIMIT_MSGQUEUE] = "MSGQUEUE", [RLIMIT_NICE] = "NICE",       [RLIMIT_RTPRIO] = "RTPRIO",
                [RLIMIT_RTTIME] = "RTTIME",
        };
        return r >= 0 && r < RLIM_NLIMITS ? names[r] : NULL;
}

bool export_under(const char *path, const char *dir)
{
        size_t n = strlen(dir);
        if (n == 1 && dir[0] == '/')
                return true;
        return strncmp(path, dir, n) == 0 && (path[n] == 0 || path[n] == '/');
}

/* The mount (other than a symlink, directory or re-bind) that holds
 * `path` itself, excluding mounts exactly at `path`; NULL: the root. */
const struct plan_mount *export_parent_mount(const struct plan *plan, const char *path)
{
        const struct plan_mount *best = NULL;
        for (size_t i = 0; i < plan->nmounts; i++) {
                const struct plan_mount *m = &plan->mounts[i];
                if (m->kind == PM_SYMLINK || m->kind == PM_DIR || m->kind == PM_REBIND || m->kind == PM_MASK)
                        continue;
                if (strcmp(m->dst, path) == 0 || !export_under(path, m->dst))
                        continue;
                if (!best || strlen(m->dst) > strlen(best->dst))
                        best = m;
        }
        return best;
}

/* The runtime builds /dev itself (the nodes sbx binds, devpts, /dev/shm
 * and the /proc/self/fd links are the spec's defaults); entries there are
 * expressed as the runtime's, not as mounts. */
bool export_runtime_dev(const struct plan_mount *m)
{
        static const char *const nodes[] = { "/dev/null", "/dev/zero", "/dev/full", "/dev/random",
                                             "/dev/urandom", "/dev/tty" };
        if (m->kind == PM_SYMLINK)
                return export_under(m->dst, "/dev");
        for (size_t i = 0; m->kind == PM_BIND && i < ARRAY_SIZE(nodes); i++)
                if (strcmp(m->dst, nodes[i]) == 0)
                        return true;
        return false;
}

const char *export_cap_name(const struct plan *plan, unsigned c, char *buf, size_t size)
{
        const char *n = c < 64 && (plan->caps_keep & (UINT64_C(1) << c)) ? capng_capability_to_name(c) : NULL;
        if (!n || size < 5)
                return NULL;
        size_t k = (size_t)snprintf(buf, size, "CAP_");
        for (; *n && k + 1 < size; n++)
                buf[k++] = *n >= 'a' && *n <= 'z' ? (char)(*n - 32) : *n;
        buf[k] = 0;
        return buf;
}

