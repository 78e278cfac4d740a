/* export_k8s.c — the plan as a Kubernetes Pod (volumes for the view,
 * securityContext, resources, a Localhost seccomp profile at the path the
 * Security Profiles Operator installs) and that operator's SeccompProfile
 * of the same filter; what a Pod cannot carry becomes a warning. */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "report/export.h"
#include "report/export_plan.h"

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
        if (export_under(m->dst, "/proc") || export_under(m->dst, "/dev") || strcmp(m->dst, "/dev") == 0)
                return false; /* the runtime's /proc and /dev */
        return m->kind == PM_BIND || m->kind == PM_TMPFS || m->kind == PM_MASK ||
               (m->kind == PM_REBIND && m->readonly);
}

int export_render_pod(struct ex *x, struct sbuf *b, const char *image, const char *ns)
{
        const struct plan *plan = x->plan;
        char name[64];
        int r = 0;
        snprintf(name, sizeof(name), "sbx-%.50s", x->label);
        bool root = plan->inside_uid == 0;

        sbuf_printf(b, "# sbx export --format k8s (profile %s)\n", x->label);
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
                char n[64];
                bool first = true;
                for (unsigned c = 0; c < 64; c++) {
                        if (!export_cap_name(plan, c, n, sizeof(n)))
                                continue;
                        sbuf_puts(b, first ? "" : ", ");
                        sbuf_json_str(b, n + 4); /* Kubernetes names them without CAP_ */
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
                export_label(m->dst, v, 40);
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
                export_label(m->dst, v, 40);
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
                                r = export_warn(x, "tmpfs %s: an emptyDir cannot be noexec: files written there "
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
                                r = export_warn(x, "writable bind %s: a hostPath volume cannot be noexec (sbx "
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
                if ((m->kind == PM_MASK || m->kind == PM_REBIND) && export_under(m->dst, "/proc") &&
                    !runtime_masks(m->dst))
                        r = export_warn(x, "%s: the runtime's default /proc masks do not include it and a Pod "
                                    "cannot mount over /proc (sbx %s it)", m->dst,
                                    m->kind == PM_MASK ? "masks" : "makes read-only");
                else if (m->kind == PM_SYMLINK && !export_under(m->dst, "/dev"))
                        r = export_warn(x, "symlink %s -> %s: must be in the image (the bundle's rootfs has it)",
                                    m->dst, m->src);
        }
        if (r >= 0 && l->value[CG_PIDS])
                r = export_warn(x, "[limits] processes = %llu: a Pod has no per-Pod process limit "
                               "(the kubelet's podPidsLimit is node-wide); the runtime enforces none",
                            (unsigned long long)l->value[CG_PIDS]);
        if (r >= 0 && (plan->clone_flags & CLONE_NEWUSER))
                r = export_warn(x, "user namespace (uid %u inside -> %u outside): a Pod gets one only with "
                               "spec.hostUsers: false (Kubernetes 1.25+, beta), with its own id range; "
                               "add it where the cluster supports it", plan->inside_uid, plan->map_uid);
        if (r >= 0 && (plan->clone_flags & CLONE_NEWNET))
                r = export_warn(x, "[network] mode = none: the Pod has its own network namespace but the "
                               "cluster network; add a NetworkPolicy denying all ingress and egress");
        for (size_t i = 0; r >= 0 && i < SBX_RLIMIT_COUNT; i++)
                if (plan->rlimits[i].set && export_rlimit_name(plan->rlimits[i].resource))
                        r = export_warn(x, "rlimit %s: a Pod cannot set rlimits (the runtime's defaults apply)",
                                    export_rlimit_name(plan->rlimits[i].resource));
        return r;
}

