/* cgroup.c — a cgroup per sandbox (see cgroup.h).
 *
 * Where one may be created, in order:
 *   cgroup v2, root caller: /sys/fs/cgroup/sbx.slice/sbx-PID-N, with the
 *     controllers enabled in sbx.slice (created on first use);
 *   cgroup v2, other callers: under the nearest ancestor of the caller's own
 *     cgroup that the caller may write and that hands the controller down
 *     (cgroup.subtree_control), i.e. a subtree delegated to it, such as
 *     systemd's user@UID.service.  Moving a process needs write access to
 *     cgroup.procs of the common ancestor, which this is;
 *   cgroup v1: the caller's own cgroup in the controller's hierarchy, when
 *     it may write there (root, in practice).
 * Nothing here asks systemd for a scope over D-Bus (what `systemd-run
 * --user --scope` does): a caller whose shell runs outside its user
 * manager's tree (an ssh session) gets no v2 cgroup and falls back to
 * rlimits (limit.c).
 *
 * Runs in the parent only, before the sandbox's init is woken: everything
 * the sandbox does is accounted from its first instruction on.  The
 * cgroup is removed when the sandbox is reaped; one left by an sbx that
 * was killed first (SIGKILL) is removed by the next process that creates
 * a sandbox cgroup under the same base, once it is empty. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "plan/cgroup.h"
#include "base/util.h"

static const char *const ctrl_names[CG_NCTRL] = { "memory", "pids", "cpu" };

const char *cgroup_ctrl_name(enum cg_ctrl c)
{
        return c < CG_NCTRL ? ctrl_names[c] : "?";
}

/* Is `word` one of the comma-separated items of `list`? */
static bool in_list(const char *list, const char *word, char sep)
{
        size_t n = strlen(word);
        for (const char *p = list; p && *p;) {
                const char *e = strchr(p, sep);
                size_t len = e ? (size_t)(e - p) : strlen(p);
                while (len && (p[len - 1] == '\n' || p[len - 1] == ' '))
                        len--;
                if (len == n && strncmp(p, word, n) == 0)
                        return true;
                p = e ? e + 1 : NULL;
        }
        return false;
}

static int read_text(const char *path, char *buf, size_t size)
{
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        ssize_t n = read(fd, buf, size - 1);
        int e = errno;
        close(fd);
        if (n < 0)
                return -e;
        buf[n] = 0;
        return (int)n;
}

static int write_text(const char *dir, const char *file, const char *text)
{
        char path[1024];
        if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, file) >= sizeof(path))
                return -ENAMETOOLONG;
        int fd = open(path, O_WRONLY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        size_t len = strlen(text);
        ssize_t n = write(fd, text, len);
        int e = errno;
        close(fd);
        if (n < 0)
                return -e;
        return (size_t)n == len ? 0 : -EIO;
}

/* The number after `key ` in a "key value" file, or a plain number. */
static bool read_u64(const char *dir, const char *file, const char *key, uint64_t *ret)
{
        char path[1024], buf[4096];
        snprintf(path, sizeof(path), "%s/%s", dir, file);
        if (read_text(path, buf, sizeof(buf)) < 0)
                return false;
        const char *p = buf;
        if (key) {
                size_t n = strlen(key);
                for (p = buf; p && !(strncmp(p, key, n) == 0 && p[n] == ' ');) {
                        p = strchr(p, '\n');
                        if (p)
                                p++;
                }
                if (!p)
                        return false;
                p += n + 1;
        }
        char *end;
        errno = 0;
        unsigned long long v = strtoull(p, &end, 10);
        if (errno || end == p)
                return false;
        *ret = v;
        return true;
}

/* A whole procfs file, NUL-terminated (malloc'd), or NULL. */
static char *read_proc(const char *path)
{
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return NULL;
        size_t cap = 8192, n = 0;
        char *buf = malloc(cap);
        while (buf) {
                if (n + 1 >= cap) {
                        char *nb = cap < (16u << 20) ? realloc(buf, cap * 2) : NULL;
                        if (!nb) {
                                free(buf);
                                buf = NULL;
                                break;
                        }
                        buf = nb;
                        cap *= 2;
                }
                ssize_t k = read(fd, buf + n, cap - n - 1);
                if (k < 0 && errno == EINTR)
                        continue;
                if (k < 0) {
                        free(buf);
                        buf = NULL;
                        break;
                }
                if (k == 0) {
                        buf[n] = 0;
                        break;
                }
                n += (size_t)k;
        }
        close(fd);
        return buf;
}

/* The next line of *text into line (NUL-terminated, cut at `size`), or
 * false at the end. */
static bool next_line(const char **text, char *line, size_t size)
{
        const char *s = *text;
        if (!s || !*s)
                return false;
        size_t len = strcspn(s, "\n");
        *text = s + len + (s[len] == '\n');
        if (len >= size)
                len = size - 1;
        memcpy(line, s, len);
        line[len] = 0;
        return true;
}

/* The caller's cgroup path in the hierarchy with `ctrl` (v1), or the v2
 * one (ctrl NULL), from /proc/self/cgroup's text. */
static bool own_path(const char *text, const char *ctrl, char *ret, size_t size)
{
        char line[4096];
        while (next_line(&text, line, sizeof(line))) {
                char *a = strchr(line, ':'), *b = a ? strchr(a + 1, ':') : NULL;
                if (!b)
                        continue;
                *b = 0;
                const char *ctrls = a + 1, *path = b + 1;
                if (ctrl ? in_list(ctrls, ctrl, ',') : (strncmp(line, "0", 1) == 0 && a == line + 1 && !*ctrls)) {
                        if (strlen(path) >= size)
                                return false;
                        strcpy(ret, path);
                        return true;
                }
        }
        return false;
}

/* Mount point of the v2 hierarchy (ctrl NULL) or of the v1 hierarchy
 * holding `ctrl`, from /proc/self/mountinfo's text; only mounts of the
 * hierarchy's root are used. */
static bool mount_point(const char *text, const char *ctrl, char *ret, size_t size)
{
        char line[4096];
        while (next_line(&text, line, sizeof(line))) {
                char *sep = strstr(line, " - ");
                if (!sep)
                        continue;
                *sep = 0;
                char fstype[32], source[256], opts[1024];
                if (sscanf(sep + 3, "%31s %255s %1023s", fstype, source, opts) != 3)
                        continue;
                char root[512], mnt[512];
                if (sscanf(line, "%*s %*s %*s %511s %511s", root, mnt) != 2 || strcmp(root, "/") != 0)
                        continue;
                if (ctrl ? strcmp(fstype, "cgroup") == 0 && in_list(opts, ctrl, ',')
                         : strcmp(fstype, "cgroup2") == 0) {
                        if (strlen(mnt) >= size)
                                return false;
                        strcpy(ret, mnt);
                        return true;
                }
        }
        return false;
}

static bool file_has(const char *dir, const char *file, const char *word)
{
        char path[1024], buf[1024];
        snprintf(path, sizeof(path), "%s/%s", dir, file);
        return read_text(path, buf, sizeof(buf)) >= 0 && in_list(buf, word, ' ');
}

static bool writable_dir(const char *dir)
{
        char procs[1024];
        snprintf(procs, sizeof(procs), "%s/cgroup.procs", dir);
        return access(dir, W_OK) == 0 && access(procs, W_OK) == 0;
}

/* What root needs of the cgroup2 root, read once per probe: the
 * controllers it hands down, and whether it can be written. */
struct v2_root {
        bool usable;
        char subtree[1024];
};

/* mnt, own: the cgroup2 mount point and our own v2 cgroup, looked up once
 * per probe by the caller (NULL: none); root: for root, the mount point's
 * state, NULL otherwise. */
static void probe_v2(const char *ctrl, struct cg_where *w, const char *mnt, const char *own,
                     const struct v2_root *root)
{
        char dir[512];
        if (!mnt || !own)
                return;
        if (root) {
                if (root->usable && in_list(root->subtree, ctrl, ' ')) {
                        w->version = CG_V2;
                        snprintf(w->base, sizeof(w->base), "%s/sbx.slice", mnt);
                }
                return;
        }
        /* Walk up from the parent of our own cgroup (ours holds processes,
         * so it cannot hand controllers down: no internal processes). */
        snprintf(dir, sizeof(dir), "%s%s", mnt, strcmp(own, "/") == 0 ? "" : own);
        size_t root_len = strlen(mnt);
        for (;;) {
                char *slash = strrchr(dir, '/');
                if (!slash || (size_t)(slash - dir) < root_len)
                        return;
                *slash = 0;
                if (file_has(dir, "cgroup.subtree_control", ctrl) && writable_dir(dir)) {
                        w->version = CG_V2;
                        snprintf(w->base, sizeof(w->base), "%s", dir);
                        return;
                }
                if (strlen(dir) == root_len)
                        return;
        }
}

static void probe_v1(const char *mountinfo, const char *cgroups, const char *ctrl, struct cg_where *w)
{
        char mnt[256], own[256], dir[512];
        if (!mount_point(mountinfo, ctrl, mnt, sizeof(mnt)) || !own_path(cgroups, ctrl, own, sizeof(own)))
                return;
        snprintf(dir, sizeof(dir), "%s%s", mnt, strcmp(own, "/") == 0 ? "" : own);
        if (writable_dir(dir)) {
                w->version = CG_V1;
                snprintf(w->base, sizeof(w->base), "%s", dir);
        }
}

void cgroup_probe(struct cg_where ret[CG_NCTRL])
{
        int first_v2 = -1;
        char mnt[256], own[256];
        /* Each file read once: procfs makes mountinfo anew at every read. */
        char *mountinfo = read_proc("/proc/self/mountinfo"), *cgroups = read_proc("/proc/self/cgroup");
        bool v2 = mount_point(mountinfo, NULL, mnt, sizeof(mnt)) && own_path(cgroups, NULL, own, sizeof(own));
        struct v2_root root = { 0 };
        bool is_root = geteuid() == 0;
        if (v2 && is_root) {
                char path[1024];
                snprintf(path, sizeof(path), "%s/cgroup.subtree_control", mnt);
                root.usable = read_text(path, root.subtree, sizeof(root.subtree)) >= 0 && writable_dir(mnt);
        }
        for (int c = 0; c < CG_NCTRL; c++) {
                ret[c] = (struct cg_where){ CG_NONE, "" };
                probe_v2(ctrl_names[c], &ret[c], v2 ? mnt : NULL, v2 ? own : NULL, is_root ? &root : NULL);
                /* A process sits in one v2 cgroup: every v2 controller must
                 * come from the same place. */
                if (ret[c].version == CG_V2) {
                        if (first_v2 < 0)
                                first_v2 = c;
                        else if (strcmp(ret[first_v2].base, ret[c].base) != 0)
                                ret[c] = (struct cg_where){ CG_NONE, "" };
                }
                if (ret[c].version == CG_NONE)
                        probe_v1(mountinfo, cgroups, ctrl_names[c], &ret[c]);
        }
        free(mountinfo);
        free(cgroups);
}

/* ---- one sandbox's cgroups -------------------------------------------- */

static unsigned long next_id(void)
{
        static unsigned long counter;
        return __atomic_add_fetch(&counter, 1, __ATOMIC_RELAXED);
}

/* root's sbx.slice: created once, with the controllers handed down. */
static int v2_slice(const char *base, const char *ctrl)
{
        if (mkdir(base, 0755) < 0 && errno != EEXIST)
                return -errno;
        char add[32];
        snprintf(add, sizeof(add), "+%s", ctrl);
        return file_has(base, "cgroup.subtree_control", ctrl) ? 0
                                                               : write_text(base, "cgroup.subtree_control", add);
}

static int write_limits(enum cg_version v, enum cg_ctrl c, const char *dir, const struct cg_limits *lim,
                        const char **what)
{
        char num[64];
        int r = 0;
        switch (c) {
        case CG_MEMORY:
                snprintf(num, sizeof(num), "%llu", (unsigned long long)lim->memory);
                if (v == CG_V2) {
                        *what = "memory.max";
                        if ((r = write_text(dir, "memory.max", num)) < 0)
                                return r;
                        /* Swap would let the sandbox go past memory.max. */
                        r = write_text(dir, "memory.swap.max", "0");
                        return r == -ENOENT ? 0 : r;
                }
                *what = "memory.limit_in_bytes";
                if ((r = write_text(dir, "memory.limit_in_bytes", num)) < 0)
                        return r;
                *what = "memory.memsw.limit_in_bytes";
                r = write_text(dir, "memory.memsw.limit_in_bytes", num);
                return r == -ENOENT ? 0 : r;
        case CG_PIDS:
                *what = "pids.max";
                snprintf(num, sizeof(num), "%llu", (unsigned long long)lim->processes);
                return write_text(dir, "pids.max", num);
        case CG_CPU:
                if (v == CG_V2) {
                        *what = "cpu.max";
                        snprintf(num, sizeof(num), "%llu 100000", (unsigned long long)lim->cpu * 1000);
                        return write_text(dir, "cpu.max", num);
                }
                *what = "cpu.cfs_period_us";
                if ((r = write_text(dir, "cpu.cfs_period_us", "100000")) < 0)
                        return r;
                *what = "cpu.cfs_quota_us";
                snprintf(num, sizeof(num), "%llu", (unsigned long long)lim->cpu * 1000);
                return write_text(dir, "cpu.cfs_quota_us", num);
        default:
                return -EINVAL;
        }
}

/* Empty sbx-PID-N cgroups whose sbx is gone: a caller killed before it
 * could reap its sandbox (SIGKILL) leaves one behind.  rmdir refuses a
 * cgroup that still holds processes, so only empty ones go. */
static void sweep_stale(const char *base)
{
        DIR *d = opendir(base);
        if (!d)
                return;
        struct dirent *e;
        while ((e = readdir(d))) {
                int pid = 0;
                unsigned long n;
                if (sscanf(e->d_name, "sbx-%d-%lu", &pid, &n) != 2 || pid <= 0 || pid == getpid())
                        continue;
                if (kill(pid, 0) < 0 && errno == ESRCH) {
                        char path[1024];
                        if ((size_t)snprintf(path, sizeof(path), "%s/%s", base, e->d_name) < sizeof(path))
                                (void)rmdir(path);
                }
        }
        closedir(d);
}

static uint64_t limit_of(const struct cg_limits *lim, enum cg_ctrl c)
{
        return c == CG_MEMORY ? lim->memory : c == CG_PIDS ? lim->processes : lim->cpu;
}

int cgroup_create(const struct cg_where where[CG_NCTRL], const struct cg_limits *lim, pid_t pid,
                  struct cgroup_sandbox **ret, const char **what)
{
        struct cgroup_sandbox *cg = calloc(1, sizeof(*cg));
        if (!cg)
                return -ENOMEM;
        unsigned long id = next_id();
        int r = 0;
        *what = "cgroup";
        for (int c = 0; r >= 0 && c < CG_NCTRL; c++) {
                if (!limit_of(lim, c) || where[c].version == CG_NONE)
                        continue;
                cg->version[c] = where[c].version;
                /* Controllers sharing a hierarchy share the directory. */
                for (int o = 0; o < c && !cg->dir[c]; o++)
                        if (cg->dir[o] && where[o].version == where[c].version &&
                            strcmp(where[o].base, where[c].base) == 0 && !(cg->dir[c] = strdup(cg->dir[o])))
                                r = -ENOMEM;
                if (r < 0)
                        break;
                if (!cg->dir[c]) {
                        if (where[c].version == CG_V2 && geteuid() == 0 &&
                            (r = v2_slice(where[c].base, ctrl_names[c])) < 0) {
                                *what = "sbx.slice";
                                break;
                        }
                        if (id == 1)
                                sweep_stale(where[c].base);
                        if (asprintf(&cg->dir[c], "%s/sbx-%d-%lu", where[c].base, (int)getpid(), id) < 0) {
                                cg->dir[c] = NULL;
                                r = -ENOMEM;
                                break;
                        }
                        if (mkdir(cg->dir[c], 0755) < 0 && errno != EEXIST) {
                                r = -errno;
                                *what = cg->dir[c];
                                free(cg->dir[c]);
                                cg->dir[c] = NULL;
                                break;
                        }
                } else if (where[c].version == CG_V2 && geteuid() == 0 &&
                           (r = v2_slice(where[c].base, ctrl_names[c])) < 0) {
                        *what = "sbx.slice";
                        break;
                }
                r = write_limits(where[c].version, c, cg->dir[c], lim, what);
        }
        char num[32];
        snprintf(num, sizeof(num), "%d", (int)pid);
        for (int c = 0; r >= 0 && c < CG_NCTRL; c++) {
                bool dup = false;
                for (int o = 0; o < c; o++)
                        dup = dup || (cg->dir[o] && cg->dir[c] && strcmp(cg->dir[o], cg->dir[c]) == 0);
                if (cg->dir[c] && !dup && (r = write_text(cg->dir[c], "cgroup.procs", num)) < 0)
                        *what = "cgroup.procs";
        }
        if (r < 0) {
                cgroup_remove(cg);
                return r;
        }
        *ret = cg;
        return 0;
}

void cgroup_stats(const struct cgroup_sandbox *cg, struct cg_stats *ret)
{
        *ret = (struct cg_stats){ 0 };
        if (!cg)
                return;
        /* The memory and pids directories are measured even when only
         * the other one carries a limit: v2 shares one directory. */
        for (int c = 0; c < CG_NCTRL; c++) {
                const char *d = cg->dir[c];
                if (!d)
                        continue;
                if (cg->version[c] == CG_V2) {
                        ret->have_memory |= read_u64(d, "memory.peak", NULL, &ret->memory_peak);
                        read_u64(d, "memory.events", "oom_kill", &ret->oom_kills);
                        ret->have_processes |= read_u64(d, "pids.peak", NULL, &ret->processes_peak);
                        read_u64(d, "pids.events", "max", &ret->fork_refusals);
                } else if (c == CG_MEMORY) {
                        ret->have_memory |= read_u64(d, "memory.max_usage_in_bytes", NULL, &ret->memory_peak);
                        read_u64(d, "memory.oom_control", "oom_kill", &ret->oom_kills);
                } else if (c == CG_PIDS) {
                        ret->have_processes |= read_u64(d, "pids.peak", NULL, &ret->processes_peak);
                        read_u64(d, "pids.events", "max", &ret->fork_refusals);
                }
        }
}

static void kill_inside(enum cg_version v, const char *dir)
{
        if (v == CG_V2 && write_text(dir, "cgroup.kill", "1") == 0)
                return;
        char path[1024], buf[4096];
        snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
        for (int round = 0; round < 10; round++) {
                if (read_text(path, buf, sizeof(buf)) <= 0)
                        return;
                for (char *p = buf; *p;) {
                        char *end;
                        long pid = strtol(p, &end, 10);
                        if (end == p)
                                break;
                        if (pid > 0)
                                kill((pid_t)pid, SIGKILL);
                        p = end + (*end == '\n');
                }
        }
}

void cgroup_remove(struct cgroup_sandbox *cg)
{
        if (!cg)
                return;
        for (int c = 0; c < CG_NCTRL; c++) {
                if (!cg->dir[c])
                        continue;
                bool dup = false;
                for (int o = c + 1; o < CG_NCTRL; o++)
                        dup = dup || (cg->dir[o] && strcmp(cg->dir[o], cg->dir[c]) == 0);
                /* Usually the sandbox is over and the cgroup empty: only
                 * one that still holds processes has them killed first. */
                if (!dup && rmdir(cg->dir[c]) < 0 && errno == EBUSY) {
                        kill_inside(cg->version[c], cg->dir[c]);
                        /* Killed tasks leave the cgroup asynchronously. */
                        for (int i = 0; i < 200 && rmdir(cg->dir[c]) < 0 && errno == EBUSY; i++)
                                nanosleep(&(struct timespec){ 0, 5 * 1000 * 1000 }, NULL);
                }
                free(cg->dir[c]);
        }
        free(cg);
}
