/* export_plan.c — the whole launch plan of `sbx run` in the vocabulary of
 * other runtimes: an OCI bundle (config.json and a rootfs of empty mount
 * points), a Kubernetes Pod with the Security Profiles Operator's
 * SeccompProfile, and a systemd service unit.
 *
 * Owns: the translation of a built `struct plan` (plan_build(), exactly as
 * `sbx run` and `--dry-run` build it: the same view, identity, limits,
 * environment and seccomp program) into each format, and the list of what
 * a format cannot say, each with what the runtime does instead.  Must not
 * read the profile a second time: every decision comes from the plan (the
 * seccomp part from the plan's compiled program through export.c's rule
 * model).  Writes only the bundle directory it is given, never following a
 * link there. */
#include <cap-ng.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/strbuf.h"
#include "base/util.h"
#include "plan/plan.h"
#include "report/export.h"

struct ex {
        const struct plan *plan;
        const struct sbx_policy *p;
        struct sc_model m;
        char label[64];      /* the profile's name as a file/object name */
        char **warn;
        size_t nwarn, capwarn;
};

static int ex_warn(struct ex *x, const char *fmt, ...) _printf_(2, 3);
static int ex_warn(struct ex *x, const char *fmt, ...)
{
        va_list ap;
        va_start(ap, fmt);
        int r = strv_vaddf(&x->warn, &x->nwarn, &x->capwarn, fmt, ap);
        va_end(ap);
        return r;
}

/* A name Kubernetes and systemd accept: lower case, [a-z0-9-], starting
 * and ending with a letter or digit. */
static void dns_label(const char *s, char *buf, size_t size)
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

static const char *rlimit_name(int r)
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

static bool is_under(const char *path, const char *dir)
{
        size_t n = strlen(dir);
        if (n == 1 && dir[0] == '/')
                return true;
        return strncmp(path, dir, n) == 0 && (path[n] == 0 || path[n] == '/');
}

/* The mount (other than a symlink, directory or re-bind) that holds
 * `path` itself, excluding mounts exactly at `path`; NULL: the root. */
static const struct plan_mount *parent_mount(const struct plan *plan, const char *path)
{
        const struct plan_mount *best = NULL;
        for (size_t i = 0; i < plan->nmounts; i++) {
                const struct plan_mount *m = &plan->mounts[i];
                if (m->kind == PM_SYMLINK || m->kind == PM_DIR || m->kind == PM_REBIND || m->kind == PM_MASK)
                        continue;
                if (strcmp(m->dst, path) == 0 || !is_under(path, m->dst))
                        continue;
                if (!best || strlen(m->dst) > strlen(best->dst))
                        best = m;
        }
        return best;
}

/* The runtime builds /dev itself (the nodes sbx binds, devpts, /dev/shm
 * and the /proc/self/fd links are the spec's defaults); entries there are
 * expressed as the runtime's, not as mounts. */
static bool runtime_dev(const struct plan_mount *m)
{
        static const char *const nodes[] = { "/dev/null", "/dev/zero", "/dev/full", "/dev/random",
                                             "/dev/urandom", "/dev/tty" };
        if (m->kind == PM_SYMLINK)
                return is_under(m->dst, "/dev");
        for (size_t i = 0; m->kind == PM_BIND && i < ARRAY_SIZE(nodes); i++)
                if (strcmp(m->dst, nodes[i]) == 0)
                        return true;
        return false;
}

static bool cap_set(const struct plan *plan, unsigned c)
{
        return c < 64 && (plan->caps_keep & (UINT64_C(1) << c));
}

static void caps_json(struct sbuf *b, const struct plan *plan)
{
        sbuf_puts(b, "[");
        bool first = true;
        for (unsigned c = 0; c < 64; c++) {
                if (!cap_set(plan, c))
                        continue;
                const char *n = capng_capability_to_name(c);
                if (!n)
                        continue;
                sbuf_printf(b, "%s\"CAP_", first ? "" : ", ");
                for (; *n; n++)
                        sbuf_printf(b, "%c", *n >= 'a' && *n <= 'z' ? *n - 32 : *n);
                sbuf_puts(b, "\"");
                first = false;
        }
        sbuf_puts(b, "]");
}

/* tmpfs/proc options ("mode=0755,size=64k") as separate strings. */
static void data_opts(struct sbuf *b, const char *data)
{
        while (data && *data) {
                size_t n = strcspn(data, ",");
                if (n) {
                        char *s = strndup(data, n);
                        if (!s) {
                                b->err = -ENOMEM;
                                return;
                        }
                        sbuf_puts(b, ", ");
                        sbuf_json_str(b, s);
                        free(s);
                }
                data += n + (data[n] == ',');
        }
}

static void mount_flags(struct sbuf *b, const struct plan_mount *m)
{
        sbuf_puts(b, "\"nosuid\"");
        if (!m->dev)
                sbuf_puts(b, ", \"nodev\"");
        if (m->noexec)
                sbuf_puts(b, ", \"noexec\"");
        if (m->readonly)
                sbuf_puts(b, ", \"ro\"");
}

/* ---- OCI bundle ------------------------------------------------------ */

static int oci_mounts(struct ex *x, struct sbuf *b)
{
        const struct plan *plan = x->plan;
        bool first = true;
        int r = 0;
        for (size_t i = 0; i < plan->nmounts && r >= 0; i++) {
                const struct plan_mount *m = &plan->mounts[i];
                const char *sep = first ? "\n    " : ",\n    ";
                switch (m->kind) {
                case PM_TMPFS:
                        sbuf_printf(b, "%s{\"destination\": ", sep);
                        sbuf_json_str(b, m->dst);
                        sbuf_puts(b, ", \"type\": \"tmpfs\", \"source\": \"tmpfs\", \"options\": [");
                        mount_flags(b, m);
                        data_opts(b, m->data);
                        sbuf_puts(b, "]}");
                        break;
                case PM_BIND:
                        if (runtime_dev(m))
                                continue;
                        sbuf_printf(b, "%s{\"destination\": ", sep);
                        sbuf_json_str(b, m->dst);
                        sbuf_puts(b, ", \"type\": \"bind\", \"source\": ");
                        sbuf_json_str(b, m->src);
                        /* rro: read-only all the way down, as sbx's
                         * recursive read-only binds (runtime-spec 1.1);
                         * crun 1.8 opens its target as a directory. */
                        sbuf_printf(b, ", \"options\": [\"rbind\", %s",
                                    m->readonly && m->src_is_dir ? "\"rro\", " : "");
                        mount_flags(b, m);
                        sbuf_puts(b, "]}");
                        if (m->pinned)
                                r = ex_warn(x, "%s is pinned by SHA-256 ([exec] allow-hash): sbx binds the "
                                            "file it hashed; the runtime binds whatever the path names when "
                                            "it starts (no hash check)", m->dst);
                        break;
                case PM_PROC:
                        sbuf_printf(b, "%s{\"destination\": \"/proc\", \"type\": \"proc\", \"source\": \"proc\", "
                                       "\"options\": [", sep);
                        mount_flags(b, m);
                        sbuf_puts(b, "]}");
                        break;
                case PM_DEVPTS:
                        sbuf_printf(b, "%s{\"destination\": ", sep);
                        sbuf_json_str(b, m->dst);
                        sbuf_puts(b, ", \"type\": \"devpts\", \"source\": \"devpts\", \"options\": [\"nosuid\", "
                                     "\"noexec\", \"newinstance\", \"ptmxmode=0666\", \"mode=0620\"]}");
                        break;
                case PM_REBIND: {
                        if (m->readonly)
                                continue; /* readonlyPaths */
                        /* A writable mount point that cannot be renamed away
                         * (protect.c): a bind of what the view shows there. */
                        _cleanup_free_ char *host = NULL;
                        if (plan_host_path(plan, m->dst, &host) < 0)
                                continue;
                        sbuf_printf(b, "%s{\"destination\": ", sep);
                        sbuf_json_str(b, m->dst);
                        sbuf_puts(b, ", \"type\": \"bind\", \"source\": ");
                        sbuf_json_str(b, host);
                        sbuf_puts(b, ", \"options\": [\"rbind\", ");
                        mount_flags(b, m);
                        sbuf_puts(b, "]}");
                        break;
                }
                case PM_SYMLINK:
                case PM_DIR:
                case PM_MASK:
                        continue; /* rootfs/ or maskedPaths */
                }
                first = false;
        }
        return r;
}

static void path_list(struct sbuf *b, const struct plan *plan, enum plan_mount_kind kind)
{
        bool first = true;
        for (size_t i = 0; i < plan->nmounts; i++) {
                const struct plan_mount *m = &plan->mounts[i];
                if (m->kind != kind || (kind == PM_REBIND && !m->readonly))
                        continue;
                sbuf_puts(b, first ? "\n      " : ",\n      ");
                sbuf_json_str(b, m->dst);
                first = false;
        }
        sbuf_puts(b, first ? "]" : "\n    ]");
}

static void str_array(struct sbuf *b, char *const *v, const char *first_override)
{
        sbuf_puts(b, "[");
        for (size_t i = 0; v && v[i]; i++) {
                if (i)
                        sbuf_puts(b, ", ");
                sbuf_json_str(b, i == 0 && first_override ? first_override : v[i]);
        }
        sbuf_puts(b, "]");
}

static int render_config(struct ex *x, struct sbuf *b)
{
        const struct plan *plan = x->plan;
        unsigned long f = plan->clone_flags;
        int r;
        sbuf_puts(b, "{\n  \"ociVersion\": \"1.1.0\",\n  \"process\": {\n    \"terminal\": false,\n");
        sbuf_printf(b, "    \"user\": {\"uid\": %u, \"gid\": %u},\n", plan->inside_uid, plan->inside_gid);
        /* The spec executes args[0]: the program's path inside. */
        sbuf_puts(b, "    \"args\": ");
        str_array(b, plan->argv, plan->exec_path);
        sbuf_puts(b, ",\n    \"env\": ");
        str_array(b, plan->envp, NULL);
        sbuf_puts(b, ",\n    \"cwd\": ");
        sbuf_json_str(b, plan->cwd ? plan->cwd : "/");
        sbuf_puts(b, ",\n    \"capabilities\": {");
        static const char *const sets[] = { "bounding", "effective", "inheritable", "permitted", "ambient" };
        for (size_t i = 0; i < ARRAY_SIZE(sets); i++) {
                sbuf_printf(b, "%s\"%s\": ", i ? ", " : "", sets[i]);
                caps_json(b, plan);
        }
        sbuf_puts(b, "},\n    \"rlimits\": [");
        bool first = true;
        for (size_t i = 0; i < SBX_RLIMIT_COUNT; i++) {
                const struct rlimit_rule *l = &plan->rlimits[i];
                const char *n = rlimit_name(l->resource);
                if (!l->set || !n)
                        continue;
                sbuf_printf(b, "%s\n      {\"type\": \"RLIMIT_%s\", \"soft\": %llu, \"hard\": %llu}",
                            first ? "" : ",", n, (unsigned long long)l->lim.rlim_cur,
                            (unsigned long long)l->lim.rlim_max);
                first = false;
        }
        sbuf_puts(b, first ? "],\n" : "\n    ],\n");
        sbuf_puts(b, "    \"noNewPrivileges\": true\n  },\n");
        sbuf_puts(b, "  \"root\": {\"path\": \"rootfs\", \"readonly\": true},\n");
        if (plan->hostname && (f & CLONE_NEWUTS)) {
                sbuf_puts(b, "  \"hostname\": ");
                sbuf_json_str(b, plan->hostname);
                sbuf_puts(b, ",\n");
        }
        sbuf_puts(b, "  \"mounts\": [");
        if ((r = oci_mounts(x, b)) < 0)
                return r;
        sbuf_puts(b, "\n  ],\n  \"linux\": {\n");
        if (f & CLONE_NEWUSER) {
                sbuf_printf(b, "    \"uidMappings\": [{\"containerID\": %u, \"hostID\": %u, \"size\": 1}],\n",
                            plan->inside_uid, plan->map_uid);
                sbuf_printf(b, "    \"gidMappings\": [{\"containerID\": %u, \"hostID\": %u, \"size\": 1}],\n",
                            plan->inside_gid, plan->map_gid);
        }
        static const struct { unsigned long flag; const char *name; } ns[] = {
                { CLONE_NEWUSER, "user" }, { CLONE_NEWNS, "mount" }, { CLONE_NEWPID, "pid" },
                { CLONE_NEWNET, "network" }, { CLONE_NEWIPC, "ipc" }, { CLONE_NEWUTS, "uts" },
                { CLONE_NEWCGROUP, "cgroup" },
        };
        sbuf_puts(b, "    \"namespaces\": [");
        first = true;
        for (size_t i = 0; i < ARRAY_SIZE(ns); i++) {
                if (!(f & ns[i].flag))
                        continue;
                sbuf_printf(b, "%s{\"type\": \"%s\"}", first ? "" : ", ", ns[i].name);
                first = false;
        }
        sbuf_puts(b, "],\n");
        const struct limits_plan *l = &plan->limits;
        sbuf_puts(b, "    \"resources\": {");
        first = true;
        if (l->value[CG_MEMORY]) {
                /* swap = memory: no swap beyond the limit (sbx sets memsw
                 * or swap.max 0 the same way). */
                sbuf_printf(b, "\"memory\": {\"limit\": %llu, \"swap\": %llu}",
                            (unsigned long long)l->value[CG_MEMORY], (unsigned long long)l->value[CG_MEMORY]);
                first = false;
        }
        if (l->value[CG_PIDS]) {
                sbuf_printf(b, "%s\"pids\": {\"limit\": %llu}", first ? "" : ", ",
                            (unsigned long long)l->value[CG_PIDS]);
                first = false;
        }
        if (l->value[CG_CPU]) {
                sbuf_printf(b, "%s\"cpu\": {\"quota\": %llu, \"period\": 100000}", first ? "" : ", ",
                            (unsigned long long)l->value[CG_CPU] * 1000);
                first = false;
        }
        sbuf_puts(b, "},\n    \"maskedPaths\": [");
        path_list(b, plan, PM_MASK);
        sbuf_puts(b, ",\n    \"readonlyPaths\": [");
        path_list(b, plan, PM_REBIND);
        sbuf_puts(b, ",\n    \"seccomp\": ");
        export_render_seccomp(b, &x->m, "    ", false);
        sbuf_puts(b, "\n  }\n}\n");
        return 0;
}

/* What the bundle cannot carry, with what the runtime does instead. */
static int oci_warnings(struct ex *x)
{
        const struct plan *plan = x->plan;
        int r = ex_warn(x, "the root is the bundle's rootfs/ directory (empty but for mount points and the "
                           "view's symlinks), bound read-only by the runtime; the spec gives \"/\" no "
                           "nosuid/nodev flags (sbx's root is a read-only tmpfs)");
        bool rw_bind = false;
        for (size_t i = 0; i < plan->nmounts; i++)
                rw_bind = rw_bind || (plan->mounts[i].kind == PM_BIND && !plan->mounts[i].readonly &&
                                      !plan->mounts[i].dev);
        if (r >= 0 && rw_bind)
                r = ex_warn(x, "writable binds ask for nosuid,nodev,noexec; crun 1.8 (Debian 12) does not "
                               "apply them to writable bind mounts (only read-only ones get their flags), "
                               "so files written there can be executed under it");
        for (size_t i = 0; r >= 0 && i < plan->nmounts; i++) {
                const struct plan_mount *m = &plan->mounts[i];
                const struct plan_mount *in = parent_mount(plan, m->dst);
                if ((m->kind == PM_SYMLINK || m->kind == PM_DIR) && in && in->kind == PM_TMPFS &&
                    !is_under(m->dst, "/dev"))
                        r = ex_warn(x, "%s %s lies in the tmpfs %s, which the runtime mounts empty: it is "
                                    "missing from the bundle (create it from the program)",
                                    m->kind == PM_SYMLINK ? "symlink" : "directory", m->dst, in->dst);
        }
        return r;
}

/* Create `path` (relative to the rootfs fd) and its parents, never
 * following a link: directories, or the last component as an empty file
 * or a symlink to `target`. */
enum { SK_DIR, SK_FILE, SK_LINK };
static int skel_make(int rootfd, const char *path, int what, const char *target)
{
        _cleanup_free_ char *copy = strdup(path);
        if (!copy)
                return -ENOMEM;
        int dfd = dup(rootfd);
        if (dfd < 0)
                return -errno;
        char *save = NULL, *c = strtok_r(copy, "/", &save);
        int r = 0;
        while (c && r >= 0) {
                char *next = strtok_r(NULL, "/", &save);
                bool last = next == NULL;
                if (!last || what == SK_DIR) {
                        if (mkdirat(dfd, c, 0755) < 0 && errno != EEXIST) {
                                r = -errno;
                                break;
                        }
                        int nfd = openat(dfd, c, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                        if (nfd < 0) {
                                r = -errno; /* a symlink of the view on the way: ENOTDIR/ELOOP */
                                break;
                        }
                        close(dfd);
                        dfd = nfd;
                } else if (what == SK_FILE) {
                        int fd = openat(dfd, c, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644);
                        if (fd < 0)
                                r = -errno;
                        else
                                close(fd);
                } else if (symlinkat(target, dfd, c) < 0 && errno != EEXIST) {
                        r = -errno;
                }
                c = next;
        }
        close(dfd);
        return r;
}

static int write_skeleton(struct ex *x, int rootfd, struct sbx_error **err)
{
        const struct plan *plan = x->plan;
        int r = 0;
        for (size_t i = 0; i < plan->nmounts && r >= 0; i++) {
                const struct plan_mount *m = &plan->mounts[i];
                if (parent_mount(plan, m->dst))
                        continue; /* inside another mount: the runtime makes it */
                switch (m->kind) {
                case PM_SYMLINK:
                        r = skel_make(rootfd, m->dst, SK_LINK, m->src);
                        break;
                case PM_BIND:
                        if (runtime_dev(m))
                                continue;
                        r = skel_make(rootfd, m->dst, m->src_is_dir ? SK_DIR : SK_FILE, NULL);
                        break;
                case PM_REBIND:
                case PM_MASK:
                        continue;
                default:
                        r = skel_make(rootfd, m->dst, SK_DIR, NULL);
                        break;
                }
                if (r < 0)
                        return sbx_err_setup(err, r, "export", "rootfs%s", m->dst);
        }
        if (plan->cwd && !parent_mount(plan, plan->cwd) && (r = skel_make(rootfd, plan->cwd, SK_DIR, NULL)) < 0)
                return sbx_err_setup(err, r, "export", "rootfs%s", plan->cwd);
        return 0;
}

static int write_bundle(struct ex *x, const char *dir, const char *config, struct sbx_error **err)
{
        if (mkdir(dir, 0755) < 0 && errno != EEXIST)
                return sbx_err_setup(err, -errno, "export", "%s", dir);
        _cleanup_close_ int dfd = open(dir, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (dfd < 0)
                return sbx_err_setup(err, -errno, "export", "%s", dir);
        /* A new rootfs only: whatever an earlier bundle (or anyone else)
         * left there is not the view. */
        if (mkdirat(dfd, "rootfs", 0755) < 0)
                return errno == EEXIST
                               ? sbx_err_kind(err, SBX_ERROR_PROFILE, -EEXIST, "export",
                                              "%s/rootfs already exists: export into a new directory", dir)
                               : sbx_err_setup(err, -errno, "export", "%s/rootfs", dir);
        _cleanup_close_ int rootfd = openat(dfd, "rootfs", O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (rootfd < 0)
                return sbx_err_setup(err, -errno, "export", "%s/rootfs", dir);
        /* mkdir's mode is cut by the umask; the mapped uid must traverse. */
        if (fchmodat(dfd, "rootfs", 0755, 0) < 0)
                return sbx_err_setup(err, -errno, "export", "%s/rootfs", dir);
        int r = write_skeleton(x, rootfd, err);
        if (r < 0)
                return r;
        int fd = openat(dfd, "config.json", O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
        if (fd < 0)
                return sbx_err_setup(err, -errno, "export", "%s/config.json", dir);
        size_t len = strlen(config), off = 0;
        while (off < len) {
                ssize_t n = write(fd, config + off, len - off);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0) {
                        r = n < 0 ? -errno : -EIO;
                        close(fd);
                        return sbx_err_setup(err, r, "export", "%s/config.json", dir);
                }
                off += (size_t)n;
        }
        if (close(fd) < 0)
                return sbx_err_setup(err, -errno, "export", "%s/config.json", dir);
        return 0;
}

/* ---- Kubernetes ---------------------------------------------------------- */

/* /proc entries the runtime masks or makes read-only by itself under
 * procMount: Default (containerd's and CRI-O's lists, which Kubernetes
 * documents as the default proc mount). */
static bool runtime_masks(const char *path)
{
        static const char *const v[] = {
                "/proc/acpi", "/proc/kcore", "/proc/keys", "/proc/latency_stats", "/proc/timer_list",
                "/proc/sched_debug", "/proc/scsi", "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys",
                "/proc/sysrq-trigger",
        };
        for (size_t i = 0; i < ARRAY_SIZE(v); i++)
                if (strcmp(path, v[i]) == 0)
                        return true;
        return false;
}

/* A Kubernetes quantity for a byte count. */
static void quantity(struct sbuf *b, uint64_t v)
{
        static const char *const units[] = { "Ki", "Mi", "Gi", "Ti" };
        int u = -1;
        while (u < 3 && v && v % 1024 == 0) {
                v /= 1024;
                u++;
        }
        sbuf_printf(b, "\"%llu%s\"", (unsigned long long)v, u >= 0 ? units[u] : "");
}

static uint64_t tmpfs_size(const char *data)
{
        const char *s = data ? strstr(data, "size=") : NULL;
        if (!s || (s != data && s[-1] != ','))
                return 0;
        char *end;
        uint64_t v = strtoull(s + 5, &end, 10);
        switch (*end) {
        case 'k': case 'K': return v << 10;
        case 'm': case 'M': return v << 20;
        case 'g': case 'G': return v << 30;
        default: return v;
        }
}

/* Which plan mounts become volumes of the Pod. */
static bool pod_volume(const struct plan_mount *m)
{
        if (is_under(m->dst, "/proc") || is_under(m->dst, "/dev") || strcmp(m->dst, "/dev") == 0)
                return false; /* the runtime's /proc and /dev */
        return m->kind == PM_BIND || m->kind == PM_TMPFS || m->kind == PM_MASK ||
               (m->kind == PM_REBIND && m->readonly);
}

static int render_pod(struct ex *x, struct sbuf *b, const char *image, const char *ns)
{
        const struct plan *plan = x->plan;
        char name[64];
        int r = 0;
        snprintf(name, sizeof(name), "sbx-%.50s", x->label);
        bool root = plan->inside_uid == 0;

        sbuf_printf(b, "# sbx export --format k8s (profile %s)\n", x->p->name ? x->p->name : x->label);
        sbuf_puts(b, "# Two objects: the Pod, and the Security Profiles Operator's SeccompProfile\n"
                     "# that installs its seccomp profile on every node (kubectl apply -f this file).\n"
                     "# Without the operator, save spec of the second object, as an OCI seccomp\n"
                     "# profile (`sbx export --format oci`), as <kubelet root>/seccomp/");
        sbuf_printf(b, "operator/%s/%s.json.\n", ns, name);
        sbuf_puts(b, "# The image holds only the view's mount points and symlinks: build it from\n"
                     "# the OCI bundle (`sbx export --format oci-bundle DIR`), e.g.\n"
                     "#   tar -C DIR/rootfs -c . | podman import - ");
        sbuf_printf(b, "%s\n", image);
        sbuf_puts(b, "apiVersion: v1\nkind: Pod\nmetadata:\n  name: ");
        sbuf_json_str(b, name);
        sbuf_puts(b, "\n  namespace: ");
        sbuf_json_str(b, ns);
        sbuf_puts(b, "\nspec:\n  restartPolicy: Never\n  automountServiceAccountToken: false\n"
                     "  enableServiceLinks: false\n");
        sbuf_printf(b, "  hostNetwork: %s\n  hostPID: false\n  hostIPC: false\n",
                    plan->clone_flags & CLONE_NEWNET ? "false" : "true");
        if (plan->hostname && (plan->clone_flags & CLONE_NEWUTS)) {
                sbuf_puts(b, "  hostname: ");
                sbuf_json_str(b, plan->hostname);
                sbuf_puts(b, "\n");
        }
        sbuf_printf(b, "  securityContext:\n    runAsUser: %u\n    runAsGroup: %u\n    runAsNonRoot: %s\n",
                    plan->inside_uid, plan->inside_gid, root ? "false" : "true");
        if (x->m.enabled)
                sbuf_printf(b, "    seccompProfile:\n      type: Localhost\n      localhostProfile: "
                               "\"operator/%s/%s.json\"\n", ns, name);
        else
                sbuf_puts(b, "    seccompProfile:\n      type: Unconfined\n");
        sbuf_puts(b, "  containers:\n  - name: ");
        sbuf_json_str(b, x->label);
        sbuf_puts(b, "\n    image: ");
        sbuf_json_str(b, image);
        sbuf_puts(b, "\n    imagePullPolicy: IfNotPresent\n    command: [");
        sbuf_json_str(b, plan->exec_path);
        sbuf_puts(b, "]\n    args: [");
        for (size_t i = 1; plan->argv && plan->argv[0] && plan->argv[i]; i++) {
                sbuf_puts(b, i > 1 ? ", " : "");
                sbuf_json_str(b, plan->argv[i]);
        }
        sbuf_puts(b, "]\n    workingDir: ");
        sbuf_json_str(b, plan->cwd ? plan->cwd : "/");
        sbuf_puts(b, "\n    env:\n");
        for (char **e = plan->envp; e && *e; e++) {
                const char *eq = strchr(*e, '=');
                if (!eq)
                        continue;
                _cleanup_free_ char *k = strndup(*e, (size_t)(eq - *e));
                if (!k)
                        return -ENOMEM;
                sbuf_puts(b, "    - name: ");
                sbuf_json_str(b, k);
                sbuf_puts(b, "\n      value: ");
                sbuf_json_str(b, eq + 1);
                sbuf_puts(b, "\n");
        }
        const struct limits_plan *l = &plan->limits;
        if (l->value[CG_MEMORY] || l->value[CG_CPU]) {
                sbuf_puts(b, "    resources:\n      limits:\n");
                if (l->value[CG_MEMORY]) {
                        sbuf_puts(b, "        memory: ");
                        quantity(b, l->value[CG_MEMORY]);
                        sbuf_puts(b, "\n");
                }
                if (l->value[CG_CPU])
                        sbuf_printf(b, "        cpu: \"%llum\"\n", (unsigned long long)l->value[CG_CPU] * 10);
        }
        sbuf_puts(b, "    securityContext:\n      privileged: false\n      allowPrivilegeEscalation: false\n"
                     "      readOnlyRootFilesystem: true\n      procMount: Default\n"
                     "      capabilities:\n        drop: [\"ALL\"]\n");
        if (plan->caps_keep) {
                sbuf_puts(b, "        add: [");
                bool first = true;
                for (unsigned c = 0; c < 64; c++) {
                        const char *n = cap_set(plan, c) ? capng_capability_to_name(c) : NULL;
                        if (!n)
                                continue;
                        sbuf_puts(b, first ? "\"" : ", \"");
                        for (; *n; n++)
                                sbuf_printf(b, "%c", *n >= 'a' && *n <= 'z' ? *n - 32 : *n);
                        sbuf_puts(b, "\"");
                        first = false;
                }
                sbuf_puts(b, "]\n");
        }
        sbuf_puts(b, "    volumeMounts:\n");
        size_t nvol = 0;
        for (size_t i = 0; i < plan->nmounts; i++) {
                const struct plan_mount *m = &plan->mounts[i];
                if (!pod_volume(m))
                        continue;
                char v[64];
                dns_label(m->dst, v, 40);
                sbuf_printf(b, "    - name: \"v%zu-%s\"\n      mountPath: ", nvol++, v);
                sbuf_json_str(b, m->dst);
                sbuf_printf(b, "\n      readOnly: %s\n", m->readonly || m->kind == PM_MASK ? "true" : "false");
        }
        sbuf_puts(b, nvol ? "  volumes:\n" : "  volumes: []\n");
        nvol = 0;
        for (size_t i = 0; i < plan->nmounts && r >= 0; i++) {
                const struct plan_mount *m = &plan->mounts[i];
                if (!pod_volume(m))
                        continue;
                char v[64];
                dns_label(m->dst, v, 40);
                sbuf_printf(b, "  - name: \"v%zu-%s\"\n", nvol++, v);
                _cleanup_free_ char *host = NULL;
                const char *src = m->src;
                switch (m->kind) {
                case PM_TMPFS:
                        sbuf_puts(b, "    emptyDir:\n      medium: Memory\n");
                        if (tmpfs_size(m->data)) {
                                sbuf_puts(b, "      sizeLimit: ");
                                quantity(b, tmpfs_size(m->data));
                                sbuf_puts(b, "\n");
                        }
                        if (m->noexec)
                                r = ex_warn(x, "tmpfs %s: an emptyDir cannot be noexec: files written there "
                                            "can be executed in the Pod (sbx mounts it noexec)", m->dst);
                        continue;
                case PM_MASK:
                        /* What runtimes mask with: /dev/null over a file, an
                         * empty read-only directory over a directory. */
                        if (m->src_is_dir) {
                                sbuf_puts(b, "    emptyDir:\n      medium: Memory\n      sizeLimit: \"1Ki\"\n");
                                continue;
                        }
                        src = "/dev/null";
                        break;
                case PM_REBIND:
                        if (plan_host_path(plan, m->dst, &host) < 0)
                                return -ENOENT;
                        src = host;
                        break;
                default:
                        if (!m->readonly && m->noexec)
                                r = ex_warn(x, "writable bind %s: a hostPath volume cannot be noexec (sbx "
                                            "mounts it noexec)", m->dst);
                        break;
                }
                sbuf_puts(b, "    hostPath:\n      path: ");
                sbuf_json_str(b, src);
                /* No type for /dev/null: a CharDevice volume is a device
                 * to Podman, not a mount over the masked file. */
                if (m->kind == PM_MASK)
                        sbuf_puts(b, "\n");
                else
                        sbuf_printf(b, "\n      type: %s\n", m->src_is_dir ? "Directory" : "File");
        }
        sbuf_puts(b, "---\napiVersion: security-profiles-operator.x-k8s.io/v1beta1\nkind: SeccompProfile\n"
                     "metadata:\n  name: ");
        sbuf_json_str(b, name);
        sbuf_puts(b, "\n  namespace: ");
        sbuf_json_str(b, ns);
        sbuf_puts(b, "\nspec: ");
        export_render_seccomp(b, &x->m, "", true);
        sbuf_puts(b, "\n");
        if (r < 0)
                return r;

        /* What a Pod cannot say. */
        for (size_t i = 0; r >= 0 && i < plan->nmounts; i++) {
                const struct plan_mount *m = &plan->mounts[i];
                if ((m->kind == PM_MASK || m->kind == PM_REBIND) && is_under(m->dst, "/proc") &&
                    !runtime_masks(m->dst))
                        r = ex_warn(x, "%s: the runtime's default /proc masks do not include it and a Pod "
                                    "cannot mount over /proc (sbx %s it)", m->dst,
                                    m->kind == PM_MASK ? "masks" : "makes read-only");
                else if (m->kind == PM_SYMLINK && !is_under(m->dst, "/dev"))
                        r = ex_warn(x, "symlink %s -> %s: must be in the image (the bundle's rootfs has it)",
                                    m->dst, m->src);
        }
        if (r >= 0 && l->value[CG_PIDS])
                r = ex_warn(x, "[limits] processes = %llu: a Pod has no per-Pod process limit "
                               "(the kubelet's podPidsLimit is node-wide); the runtime enforces none",
                            (unsigned long long)l->value[CG_PIDS]);
        if (r >= 0 && (plan->clone_flags & CLONE_NEWUSER))
                r = ex_warn(x, "user namespace (uid %u inside -> %u outside): a Pod gets one only with "
                               "spec.hostUsers: false (Kubernetes 1.25+, beta), with its own id range; "
                               "add it where the cluster supports it", plan->inside_uid, plan->map_uid);
        if (r >= 0 && (plan->clone_flags & CLONE_NEWNET))
                r = ex_warn(x, "[network] mode = none: the Pod has its own network namespace but the "
                               "cluster network; add a NetworkPolicy denying all ingress and egress");
        for (size_t i = 0; r >= 0 && i < SBX_RLIMIT_COUNT; i++)
                if (plan->rlimits[i].set && rlimit_name(plan->rlimits[i].resource))
                        r = ex_warn(x, "rlimit %s: a Pod cannot set rlimits (the runtime's defaults apply)",
                                    rlimit_name(plan->rlimits[i].resource));
        return r;
}

/* ---- systemd ------------------------------------------------------------- */

/* A word for a unit file: specifiers (%) doubled, and quoted C-style when
 * it holds a space, quote, backslash or control character. */
static void sd_word(struct sbuf *b, const char *s, bool dollar)
{
        bool quote = !*s;
        for (const char *c = s; *c; c++)
                if (*c <= ' ' || *c == '"' || *c == '\'' || *c == '\\' || *c == 0x7f)
                        quote = true;
        if (quote)
                sbuf_puts(b, "\"");
        for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
                if (*c == '%')
                        sbuf_puts(b, "%%");
                else if (*c == '$' && dollar)
                        sbuf_puts(b, "$$");
                else if (*c == '"' || *c == '\\')
                        sbuf_printf(b, "\\%c", *c);
                else if (*c < ' ' || *c == 0x7f)
                        sbuf_printf(b, "\\x%02x", *c);
                else
                        sbuf_printf(b, "%c", *c);
        }
        if (quote)
                sbuf_puts(b, "\"");
}

/* A path for Bind*Paths=, TemporaryFileSystem= …: ':' separates source and
 * destination there, so it is escaped too. */
static void sd_path(struct sbuf *b, const char *s)
{
        struct sbuf t = { 0 };
        for (const char *c = s; *c; c++)
                if (*c == ':')
                        sbuf_puts(&t, "\\:");
                else
                        sbuf_printf(&t, "%c", *c);
        char *p = NULL;
        if (sbuf_take(&t, &p) < 0) {
                b->err = -ENOMEM;
                return;
        }
        sd_word(b, p, false);
        free(p);
}

static const char *sd_af(unsigned f)
{
        static const char *const v[] = {
                [AF_UNIX] = "AF_UNIX", [AF_INET] = "AF_INET", [AF_INET6] = "AF_INET6",
                [AF_NETLINK] = "AF_NETLINK", [AF_PACKET] = "AF_PACKET", [AF_ALG] = "AF_ALG",
                [AF_VSOCK] = "AF_VSOCK", [AF_BLUETOOTH] = "AF_BLUETOOTH", [AF_CAN] = "AF_CAN",
                [AF_KEY] = "AF_KEY", [AF_TIPC] = "AF_TIPC", [AF_XDP] = "AF_XDP",
        };
        return f < ARRAY_SIZE(v) ? v[f] : NULL;
}

/* `key` followed by the names, twelve a line, then the syscalls some
 * argument rule allows (the name only: a unit has no argument rules). */
static void sd_names(struct sbuf *b, const char *key, char *const *names, const struct sc_rule *rules,
                     size_t nrules)
{
        size_t col = 0;
        for (size_t i = 0; names && names[i]; i++) {
                sbuf_printf(b, "%s%s", col ? " " : key, names[i]);
                if (++col == 12) {
                        sbuf_puts(b, "\n");
                        col = 0;
                }
        }
        for (size_t i = 0; i < nrules; i++) {
                bool seen = rules[i].act != SC_ACT_ALLOW;
                for (size_t j = 0; j < i && !seen; j++)
                        seen = rules[j].act == SC_ACT_ALLOW && strcmp(rules[j].name, rules[i].name) == 0;
                if (seen)
                        continue;
                sbuf_printf(b, "%s%s", col ? " " : key, rules[i].name);
                if (++col == 12) {
                        sbuf_puts(b, "\n");
                        col = 0;
                }
        }
        if (col)
                sbuf_puts(b, "\n");
}

static int render_unit(struct ex *x, struct sbuf *b)
{
        const struct plan *plan = x->plan;
        unsigned long f = plan->clone_flags;
        int r = 0;
        sbuf_printf(b, "# sbx export --format systemd (profile %s): the same policy as systemd\n",
                    x->p->name ? x->p->name : x->label);
        sbuf_puts(b, "# hardening.  Install as /etc/systemd/system/NAME.service (or take the\n"
                     "# [Service] lines as a drop-in for an existing unit).\n");
        sbuf_puts(b, "[Unit]\nDescription=");
        sd_word(b, plan->exec_path, false);
        sbuf_printf(b, " under the sbx profile %s\n\n[Service]\nType=exec\nExecStart=", x->label);
        /* argv[0] as sbx passes it, the program by its path. */
        sd_word(b, plan->exec_path, true);
        for (size_t i = 1; plan->argv && plan->argv[0] && plan->argv[i]; i++) {
                sbuf_puts(b, " ");
                sd_word(b, plan->argv[i], true);
        }
        sbuf_puts(b, "\nWorkingDirectory=");
        sd_word(b, plan->cwd ? plan->cwd : "/", false);
        sbuf_puts(b, "\n");
        for (char **e = plan->envp; e && *e; e++) {
                sbuf_puts(b, "Environment=");
                sd_word(b, *e, false);
                sbuf_puts(b, "\n");
        }
        /* Identity: the host uid sbx maps the program to.  Not
         * DynamicUser=, which implies ProtectSystem=strict (below). */
        sbuf_printf(b, "User=%u\nGroup=%u\n", plan->map_uid, plan->map_gid);
        if (f & CLONE_NEWUSER)
                sbuf_puts(b, "PrivateUsers=yes\n");

        /* The view: an empty read-only root with only what the plan binds.
         * systemd keeps one mount per path and prefers a read-only one to
         * a tmpfs: ProtectSystem=strict (a read-only "/") would replace the
         * empty root with the host's, so it is not set; ProtectHome= only
         * touches paths that are not in the view. */
        sbuf_puts(b, "TemporaryFileSystem=/:ro\n");
        bool in_home = false;
        for (size_t i = 0; i < plan->nmounts; i++)
                if (is_under(plan->mounts[i].dst, "/home") || is_under(plan->mounts[i].dst, "/root") ||
                    is_under(plan->mounts[i].dst, "/run/user"))
                        in_home = true;
        sbuf_printf(b, "ProtectHome=%s\n", in_home ? "tmpfs" : "yes");
        bool tmp_private = false, devices = false, rw_exec = false;
        for (size_t i = 0; i < plan->nmounts; i++)
                if (plan->mounts[i].kind == PM_TMPFS && strcmp(plan->mounts[i].dst, "/tmp") == 0)
                        tmp_private = true;
        for (size_t i = 0; i < plan->nmounts && r >= 0; i++) {
                const struct plan_mount *m = &plan->mounts[i];
                if (is_under(m->dst, "/proc") || is_under(m->dst, "/dev")) {
                        if (m->kind == PM_MASK || (m->kind == PM_REBIND && m->readonly)) {
                                sbuf_puts(b, m->kind == PM_MASK ? "InaccessiblePaths=-" : "ReadOnlyPaths=-");
                                sd_path(b, m->dst);
                                sbuf_puts(b, "\n");
                        } else if (m->kind == PM_BIND && m->dev && !runtime_dev(m)) {
                                devices = true;
                                sbuf_puts(b, "BindPaths=");
                                sd_path(b, m->src);
                                sbuf_puts(b, ":");
                                sd_path(b, m->dst);
                                sbuf_puts(b, "\nDeviceAllow=");
                                sd_path(b, m->dst);
                                sbuf_puts(b, " rw\n");
                        }
                        continue;
                }
                switch (m->kind) {
                case PM_BIND:
                        sbuf_puts(b, m->readonly ? "BindReadOnlyPaths=" : "BindPaths=");
                        sd_path(b, m->src);
                        sbuf_puts(b, ":");
                        sd_path(b, m->dst);
                        sbuf_puts(b, ":rbind\n");
                        /* NoExecPaths= on the same path is dropped in favour
                         * of the bind (one mount per path). */
                        rw_exec = rw_exec || m->noexec;
                        break;
                case PM_TMPFS:
                        if (strcmp(m->dst, "/tmp") == 0) {
                                /* PrivateTmp= wins over a tmpfs on /tmp. */
                                sbuf_puts(b, "NoExecPaths=/tmp\n");
                                r = ex_warn(x, "tmpfs /tmp: PrivateTmp= gives a private directory of the "
                                               "host's /tmp, without the size limit of sbx's tmpfs (%s)",
                                            m->data ? m->data : "no size");
                                continue;
                        }
                        if (plan->home && strcmp(m->dst, plan->home) == 0 && is_under(m->dst, "/home"))
                                continue; /* ProtectHome=tmpfs */
                        sbuf_puts(b, "TemporaryFileSystem=");
                        sd_path(b, m->dst);
                        sbuf_printf(b, ":nosuid,nodev%s%s%s\n", m->noexec ? ",noexec" : "", m->data ? "," : "",
                                    m->data ? m->data : "");
                        break;
                case PM_SYMLINK: {
                        /* systemd makes no symlinks: the directory it names,
                         * bound read-only at the link's path. */
                        _cleanup_free_ char *t = NULL;
                        if (m->src[0] == '/')
                                t = strdup(m->src);
                        else {
                                const char *slash = strrchr(m->dst, '/');
                                if (asprintf(&t, "%.*s/%s", (int)(slash - m->dst), m->dst, m->src) < 0)
                                        t = NULL;
                        }
                        if (!t)
                                return -ENOMEM;
                        _cleanup_free_ char *host = NULL;
                        if (plan_host_path(plan, t, &host) < 0) {
                                r = ex_warn(x, "symlink %s -> %s: nothing of the host is shown at its "
                                            "target; left out of the unit", m->dst, m->src);
                                break;
                        }
                        sbuf_puts(b, "BindReadOnlyPaths=");
                        sd_path(b, host);
                        sbuf_puts(b, ":");
                        sd_path(b, m->dst);
                        sbuf_puts(b, ":rbind\n");
                        break;
                }
                case PM_MASK:
                        sbuf_puts(b, "InaccessiblePaths=-");
                        sd_path(b, m->dst);
                        sbuf_puts(b, "\n");
                        break;
                case PM_REBIND:
                        if (m->readonly) {
                                sbuf_puts(b, "ReadOnlyPaths=-");
                                sd_path(b, m->dst);
                                sbuf_puts(b, "\n");
                        }
                        break;
                case PM_DIR:
                        sbuf_puts(b, "TemporaryFileSystem=");
                        sd_path(b, m->dst);
                        sbuf_puts(b, ":ro,nosuid,nodev,noexec,size=4k\n");
                        break;
                default:
                        break;
                }
        }
        if (tmp_private)
                sbuf_puts(b, "PrivateTmp=yes\n");
        sbuf_printf(b, "PrivateDevices=%s\n", devices ? "no\nDevicePolicy=closed" : "yes");
        if (x->p->sys == SYS_NONE)
                sbuf_puts(b, "InaccessiblePaths=-/sys\n");
        if (rw_exec)
                r = ex_warn(x, "writable binds are not noexec in the unit: systemd keeps one mount per "
                               "path and drops NoExecPaths= for a path that BindPaths= mounts");
        sbuf_puts(b, "ProtectKernelTunables=yes\nProtectKernelModules=yes\nProtectKernelLogs=yes\n"
                     "ProtectControlGroups=yes\nProtectClock=yes\nProtectProc=invisible\n");
        if (f & CLONE_NEWUTS)
                sbuf_puts(b, "ProtectHostname=yes\n");
        if (f & CLONE_NEWIPC)
                sbuf_puts(b, "PrivateIPC=yes\nRemoveIPC=yes\n");
        if (f & CLONE_NEWNS)
                sbuf_puts(b, "PrivateMounts=yes\n");
        if (f & CLONE_NEWNET)
                sbuf_puts(b, "PrivateNetwork=yes\nIPAddressDeny=any\n");
        if (x->m.enabled) {
                sbuf_puts(b, "RestrictAddressFamilies=");
                bool any = false;
                for (unsigned a = 1; a < 64; a++)
                        if ((x->m.af_allowed & (UINT64_C(1) << a)) && sd_af(a)) {
                                sbuf_printf(b, "%s%s", any ? " " : "", sd_af(a));
                                any = true;
                        }
                sbuf_puts(b, any ? "\n" : "none\n");
        }
        sbuf_printf(b, "RestrictNamespaces=%s\n", x->m.enabled && !x->plan->seccomp.userns ? "yes" : "no");
        sbuf_puts(b, "NoNewPrivileges=yes\nRestrictSUIDSGID=yes\nRestrictRealtime=yes\nLockPersonality=yes\n"
                     "KeyringMode=private\n");
        if (x->p->sc_wx)
                sbuf_puts(b, "MemoryDenyWriteExecute=yes\n");
        sbuf_puts(b, "CapabilityBoundingSet=");
        bool first = true;
        for (unsigned c = 0; c < 64; c++) {
                const char *n = cap_set(plan, c) ? capng_capability_to_name(c) : NULL;
                if (!n)
                        continue;
                sbuf_printf(b, "%sCAP_", first ? "" : " ");
                for (; *n; n++)
                        sbuf_printf(b, "%c", *n >= 'a' && *n <= 'z' ? *n - 32 : *n);
                first = false;
        }
        sbuf_puts(b, "\nAmbientCapabilities=\n");
        if (x->m.enabled) {
                sbuf_puts(b, "SystemCallArchitectures=native\n");
                if (x->m.action == DENY_LOG) {
                        /* sbx only logs what is not allowed: the denied
                         * still fail, the rest runs and is logged. */
                        sd_names(b, "SystemCallFilter=~", x->m.denied, NULL, 0);
                        sd_names(b, "SystemCallLog=~", x->m.allowed, x->m.rules, x->m.nrules);
                } else {
                        /* The allow-list, syscall by syscall: systemd's
                         * groups are not sbx's, so the names are what both
                         * agree on.  Without an errno, systemd kills with
                         * SIGSYS, as [seccomp] action = kill. */
                        sd_names(b, "SystemCallFilter=", x->m.allowed, x->m.rules, x->m.nrules);
                        if (x->m.action != DENY_KILL)
                                sbuf_printf(b, "SystemCallErrorNumber=%s\n",
                                            strerrorname_np(x->m.err) ? strerrorname_np(x->m.err) : "EPERM");
                }
        }
        const struct limits_plan *l = &plan->limits;
        if (l->value[CG_MEMORY])
                sbuf_printf(b, "MemoryMax=%llu\nMemorySwapMax=0\n", (unsigned long long)l->value[CG_MEMORY]);
        if (l->value[CG_PIDS])
                sbuf_printf(b, "TasksMax=%llu\n", (unsigned long long)l->value[CG_PIDS]);
        if (l->value[CG_CPU])
                sbuf_printf(b, "CPUQuota=%llu%%\n", (unsigned long long)l->value[CG_CPU]);
        for (size_t i = 0; i < SBX_RLIMIT_COUNT; i++) {
                const struct rlimit_rule *rl = &plan->rlimits[i];
                const char *n = rlimit_name(rl->resource);
                if (!rl->set || !n)
                        continue;
                sbuf_printf(b, "Limit%s=", n);
                if (rl->lim.rlim_cur == RLIM_INFINITY)
                        sbuf_puts(b, "infinity");
                else
                        sbuf_printf(b, "%llu", (unsigned long long)rl->lim.rlim_cur);
                if (rl->lim.rlim_max == RLIM_INFINITY)
                        sbuf_puts(b, ":infinity\n");
                else
                        sbuf_printf(b, ":%llu\n", (unsigned long long)rl->lim.rlim_max);
        }
        if (plan->new_session)
                sbuf_puts(b, "StandardInput=null\n");
        sbuf_puts(b, "\n[Install]\nWantedBy=multi-user.target\n");
        return r;
}

/* ---- the public entry point ---------------------------------------------- */

/* What no format here can express, with what the runtime does instead. */
static int plan_warnings(struct ex *x, enum sbx_format f)
{
        const struct plan *plan = x->plan;
        const char *rt = f == SBX_FORMAT_SYSTEMD ? "systemd" : "the runtime";
        int r = 0;
        if (plan->landlock.enabled)
                r = ex_warn(x, "Landlock (filesystem rights matching the view, EXECUTE only on [exec] allow, "
                               "TCP port rules, abstract-socket and signal scoping): not expressible; %s "
                               "relies on the view's read-only and noexec mounts and on its LSM "
                               "(AppArmor/SELinux) where it has one", rt);
        if (r >= 0 && (x->p->exec_allow.n || x->p->exec_deny.n))
                r = ex_warn(x, "[exec] allow-list by path: not expressible; denied programs are masked "
                               "(%s), but any other executable file of the view can run",
                            f == SBX_FORMAT_SYSTEMD ? "InaccessiblePaths=" :
                            f == SBX_FORMAT_K8S ? "/dev/null volumes" : "maskedPaths");
        if (r >= 0 && x->p->exec_hashes.n)
                r = ex_warn(x, "[exec] allow-hash (SHA-256 pinning): not expressible; %s runs whatever file "
                               "the path names", rt);
        if (r >= 0 && x->m.enabled && !x->p->memfd_exec && f != SBX_FORMAT_SYSTEMD)
                r = ex_warn(x, "memfd supervisor: sbx answers memfd_create without MFD_NOEXEC_SEAL with a "
                               "sealed non-executable memfd; %s has no supervisor, so the filter refuses "
                               "such calls", rt);
        if (r >= 0 && x->m.enabled && f == SBX_FORMAT_SYSTEMD)
                r = ex_warn(x, "seccomp argument rules: SystemCallFilter= names whole syscalls, so ioctl "
                               "(TIOCSTI, TIOCLINUX), prctl, mmap/mprotect (W^X: MemoryDenyWriteExecute= "
                               "where the profile sets wx), memfd_create (executable memfds%s) are allowed "
                               "with any argument; socket families are RestrictAddressFamilies=, namespace "
                               "flags RestrictNamespaces=, personality LockPersonality=",
                            x->p->memfd_exec ? "" : ", which sbx refuses");
        if (r >= 0 && plan->mdwe && f != SBX_FORMAT_SYSTEMD)
                r = ex_warn(x, "MDWE (PR_SET_MDWE, [seccomp] wx): not expressible; the filter's mmap, "
                               "mprotect and shmat argument rules still refuse writable+executable memory");
        if (r >= 0 && plan->mdwe && f == SBX_FORMAT_SYSTEMD)
                r = ex_warn(x, "MDWE (PR_SET_MDWE, [seccomp] wx): MemoryDenyWriteExecute= is systemd's "
                               "filter-based equivalent");
        if (r >= 0 && plan->nprotect_ll)
                r = ex_warn(x, "persistence protection of writable binds: the paths that exist are "
                               "mounted read-only, but the %zu missing ones (e.g. %s) are kept from being "
                               "created only by Landlock under sbx; %s cannot stop a program creating them",
                            plan->nprotect_ll, plan->protect_ll[0], rt);
        if (r >= 0 && plan->dbus)
                r = ex_warn(x, "[dbus]: sbx's filtering proxy is not part of the export; the session bus "
                               "is not reachable under %s", rt);
        if (r >= 0 && plan->new_session)
                r = ex_warn(x, "new session (setsid): %s", f == SBX_FORMAT_SYSTEMD
                                    ? "a service has no terminal (StandardInput=null)"
                                    : "the runtime gives the program no terminal (process.terminal false); "
                                      "TIOCSTI is refused by the filter too");
        if (r >= 0)
                r = ex_warn(x, "sbx's pid 1 (zombie reaping, signal forwarding, dying with sbx): %s",
                            f == SBX_FORMAT_SYSTEMD ? "systemd supervises the service itself"
                                                    : "the runtime's own init or none");
        return r;
}

SBX_EXPORT int sbx_export_plan(const struct sbx_policy *p, const struct sbx_spawn_options *o,
                               enum sbx_format f, const struct sbx_export_options *eo, char **ret,
                               char ***warnings, struct sbx_error **err)
{
        if (!p || !o || !ret)
                return -EINVAL;
        if (f != SBX_FORMAT_OCI_BUNDLE && f != SBX_FORMAT_K8S && f != SBX_FORMAT_SYSTEMD)
                return -EOPNOTSUPP;
        if (eo && eo->size < offsetof(struct sbx_export_options, k8s_namespace) + sizeof(char *))
                return sbx_err_kind(err, SBX_ERROR_INTERNAL, -EINVAL, "export", "bad export options");

        struct plan plan;
        struct ex x = { .p = p, .plan = &plan };
        int r = plan_build(p, o, &plan, err);
        if (r < 0) {
                plan_done(&plan);
                return r;
        }
        dns_label(p->name && *p->name ? p->name : "profile", x.label, sizeof(x.label));
        if (plan.policy->seccomp)
                r = sc_model_from_prog(&plan.seccomp, &x.m);
        struct sbuf b = { 0 };
        if (r >= 0) {
                switch (f) {
                case SBX_FORMAT_OCI_BUNDLE:
                        if ((r = render_config(&x, &b)) >= 0)
                                r = oci_warnings(&x);
                        break;
                case SBX_FORMAT_K8S:
                        r = render_pod(&x, &b, eo && eo->k8s_image ? eo->k8s_image : "localhost/sbx-rootfs:latest",
                                       eo && eo->k8s_namespace ? eo->k8s_namespace : "default");
                        if (r >= 0 && x.m.enabled)
                                r = ex_warn(&x, "the SeccompProfile's default action is SCMP_ACT_TRACE (the "
                                                "operator's spec has no defaultErrnoRet): syscalls unknown to "
                                                "this machine's tables get ENOSYS, as under sbx, unless a "
                                                "tracer is attached to the container");
                        break;
                default:
                        r = render_unit(&x, &b);
                        break;
                }
        }
        if (r >= 0)
                r = plan_warnings(&x, f);
        if (r >= 0 && f != SBX_FORMAT_SYSTEMD) {
                /* export_common_warnings() appends to a vector of n + 1 slots;
                 * it speaks of a seccomp profile, which a unit has not. */
                size_t n = x.nwarn;
                r = export_common_warnings(p, &x.m, false, &x.warn, &n);
                x.nwarn = n;
        }
        if (r >= 0 && !x.warn && !(x.warn = calloc(1, sizeof(char *))))
                r = -ENOMEM;
        char *text = NULL;
        if (r >= 0)
                r = sbuf_take(&b, &text);
        else
                sbuf_done(&b);
        if (r >= 0 && f == SBX_FORMAT_OCI_BUNDLE && eo && eo->bundle_dir)
                r = write_bundle(&x, eo->bundle_dir, text, err);
        sc_model_done(&x.m);
        plan_done(&plan);
        if (r < 0) {
                free(text);
                strv_free(x.warn);
                return r;
        }
        *ret = text;
        if (warnings)
                *warnings = x.warn;
        else
                strv_free(x.warn);
        return 0;
}
