/* export_oci.c — the plan as an OCI runtime bundle: config.json (process,
 * root, mounts with their flags, namespaces and the uid map, resources,
 * masked and read-only paths, the seccomp object) and a rootfs/ holding
 * only the view's mount points and symlinks, made under the bundle
 * directory by file descriptor without following a link.
 *
 * What crun 1.8 does with it (tests/test_export_crun.c compares it with
 * `sbx run` probe by probe): mount points must exist in rootfs/ (crun,
 * running as the mapped uid, cannot create them in a root-owned rootfs);
 * "rro" works on directories only; writable binds do not get their
 * nosuid/nodev/noexec; masks are /dev/null binds without them. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/util.h"
#include "report/export.h"
#include "report/export_plan.h"

static void caps_json(struct sbuf *b, const struct plan *plan)
{
        char n[64];
        bool first = true;
        sbuf_puts(b, "[");
        for (unsigned c = 0; c < 64; c++) {
                if (!export_cap_name(plan, c, n, sizeof(n)))
                        continue;
                sbuf_puts(b, first ? "" : ", ");
                sbuf_json_str(b, n);
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

/* RLIMIT_NPROC standing in for [limits] processes (no pids cgroup for
 * this caller).  sbx sets it inside the sandbox's user namespace, where it
 * counts the sandbox's processes; a runtime sets it before it creates the
 * namespace, whose limit on the caller's uid is then taken from it: the
 * container fails to fork once the caller's uid has that many processes
 * anywhere on the host.  It is left out (with a warning). */
static bool nproc_standin(const struct ex *x, const struct rlimit_rule *l)
{
        if (l->resource != RLIMIT_NPROC || x->plan->limits.mech[CG_PIDS] != LIM_RLIMIT)
                return false;
        for (size_t i = 0; i < SBX_RLIMIT_COUNT; i++)
                if (x->p->rlimits[i].resource == RLIMIT_NPROC && x->p->rlimits[i].set)
                        return false; /* the profile's own nproc */
        return true;
}

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
                        if (export_runtime_dev(m))
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
                                r = export_warn(x, "%s is pinned by SHA-256 ([exec] allow-hash): sbx binds the "
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

int export_render_bundle(struct ex *x, struct sbuf *b)
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
                if (nproc_standin(x, l))
                        continue;
                const char *n = export_rlimit_name(l->resource);
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
int export_bundle_warnings(struct ex *x)
{
        const struct plan *plan = x->plan;
        int r = export_warn(x, "the root is the bundle's rootfs/ directory (empty but for mount points and the "
                           "view's symlinks), bound read-only by the runtime; the spec gives \"/\" no "
                           "nosuid/nodev flags (sbx's root is a read-only tmpfs)");
        for (size_t i = 0; r >= 0 && i < SBX_RLIMIT_COUNT; i++)
                if (nproc_standin(x, &plan->rlimits[i]))
                        r = export_warn(x, "[limits] processes = %llu: this caller has no pids cgroup, so "
                                           "sbx would count the sandbox's processes with RLIMIT_NPROC in "
                                           "its user namespace; a runtime sets rlimits before it makes the "
                                           "namespace, which would cap every process of uid %u on the host, "
                                           "so the bundle has only linux.resources.pids, which a rootless "
                                           "runtime without cgroup delegation does not enforce",
                                        (unsigned long long)plan->limits.value[CG_PIDS], plan->map_uid);
        bool rw_bind = false;
        for (size_t i = 0; i < plan->nmounts; i++)
                rw_bind = rw_bind || (plan->mounts[i].kind == PM_BIND && !plan->mounts[i].readonly &&
                                      !plan->mounts[i].dev);
        if (r >= 0 && rw_bind)
                r = export_warn(x, "writable binds ask for nosuid,nodev,noexec; crun 1.8 (Debian 12) does not "
                               "apply them to writable bind mounts (only read-only ones get their flags), "
                               "so files written there can be executed under it");
        for (size_t i = 0; r >= 0 && i < plan->nmounts; i++) {
                const struct plan_mount *m = &plan->mounts[i];
                const struct plan_mount *in = export_parent_mount(plan, m->dst);
                if (m->kind == PM_BIND && m->dev && !export_runtime_dev(m))
                        r = export_warn(x, "device %s is bound from the host; a runtime that keeps a device "
                                           "cgroup (crun or runc as root) also needs it allowed in "
                                           "linux.resources.devices, which the bundle leaves to you", m->dst);
                else if ((m->kind == PM_SYMLINK || m->kind == PM_DIR) && in && in->kind == PM_TMPFS &&
                         !export_under(m->dst, "/dev"))
                        r = export_warn(x, "%s %s lies in the tmpfs %s, which the runtime mounts empty: it is "
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
                if (export_parent_mount(plan, m->dst))
                        continue; /* inside another mount: the runtime makes it */
                switch (m->kind) {
                case PM_SYMLINK:
                        r = skel_make(rootfd, m->dst, SK_LINK, m->src);
                        break;
                case PM_BIND:
                        if (export_runtime_dev(m))
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
        if (plan->cwd && !export_parent_mount(plan, plan->cwd) && (r = skel_make(rootfd, plan->cwd, SK_DIR, NULL)) < 0)
                return sbx_err_setup(err, r, "export", "rootfs%s", plan->cwd);
        return 0;
}

int export_write_bundle(struct ex *x, const char *dir, const char *config, struct sbx_error **err)
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

