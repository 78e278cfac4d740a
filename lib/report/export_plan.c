/* export_plan.c — sbx_export_plan(): the whole launch plan of `sbx run`
 * in the vocabulary of other runtimes: an OCI bundle (export_oci.c), a
 * Kubernetes Pod with the Security Profiles Operator's SeccompProfile
 * (export_k8s.c), a systemd service unit (export_systemd.c).
 *
 * Owns: building the plan exactly as `sbx run` and `--dry-run` do
 * (plan_build(): the same view, identity, limits, environment and seccomp
 * program), the rule model of that compiled program, and the list of what
 * no format can say, each with what the runtime does instead.  Must not
 * read the profile a second time: every decision comes from the plan. */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "report/export.h"
#include "report/export_plan.h"

/* ---- the public entry point ---------------------------------------------- */

/* What no format here can express, with what the runtime does instead. */
static int plan_warnings(struct ex *x, enum sbx_format f)
{
        const struct plan *plan = x->plan;
        const char *rt = f == SBX_FORMAT_SYSTEMD ? "systemd" : "the runtime";
        int r = 0;
        if (plan->landlock.enabled)
                r = export_warn(x, "Landlock (filesystem rights matching the view, EXECUTE only on [exec] allow, "
                               "TCP port rules, abstract-socket and signal scoping): not expressible; %s "
                               "relies on the view's read-only and noexec mounts and on its LSM "
                               "(AppArmor/SELinux) where it has one", rt);
        if (r >= 0 && (x->p->exec_allow.n || x->p->exec_deny.n))
                r = export_warn(x, "[exec] allow-list by path: not expressible; denied programs are masked "
                               "(%s), but any other executable file of the view can run",
                            f == SBX_FORMAT_SYSTEMD ? "InaccessiblePaths=" :
                            f == SBX_FORMAT_K8S ? "/dev/null volumes" : "maskedPaths");
        if (r >= 0 && x->p->exec_hashes.n)
                r = export_warn(x, "[exec] allow-hash (SHA-256 pinning): not expressible; %s runs whatever file "
                               "the path names", rt);
        if (r >= 0 && x->m.enabled && !x->p->memfd_exec && f != SBX_FORMAT_SYSTEMD)
                r = export_warn(x, "memfd supervisor: sbx answers memfd_create without MFD_NOEXEC_SEAL with a "
                               "sealed non-executable memfd; %s has no supervisor, so the filter refuses "
                               "such calls", rt);
        if (r >= 0 && x->m.enabled && f == SBX_FORMAT_SYSTEMD)
                r = export_warn(x, "seccomp argument rules: SystemCallFilter= names whole syscalls, so ioctl "
                               "(TIOCSTI, TIOCLINUX), prctl, mmap/mprotect (W^X: MemoryDenyWriteExecute= "
                               "where the profile sets wx), memfd_create (executable memfds%s) are allowed "
                               "with any argument; socket families are RestrictAddressFamilies=, namespace "
                               "flags RestrictNamespaces=, personality LockPersonality=",
                            x->p->memfd_exec ? "" : ", which sbx refuses");
        if (r >= 0 && plan->mdwe && f != SBX_FORMAT_SYSTEMD)
                r = export_warn(x, "MDWE (PR_SET_MDWE, [seccomp] wx): not expressible; the filter's mmap, "
                               "mprotect and shmat argument rules still refuse writable+executable memory");
        if (r >= 0 && plan->mdwe && f == SBX_FORMAT_SYSTEMD)
                r = export_warn(x, "MDWE (PR_SET_MDWE, [seccomp] wx): MemoryDenyWriteExecute= is systemd's "
                               "filter-based equivalent");
        if (r >= 0 && plan->nprotect_ll)
                r = export_warn(x, "persistence protection of writable binds: the paths that exist are "
                               "mounted read-only, but the %zu missing ones (e.g. %s) are kept from being "
                               "created only by Landlock under sbx; %s cannot stop a program creating them",
                            plan->nprotect_ll, plan->protect_ll[0], rt);
        if (r >= 0 && plan->dbus)
                r = export_warn(x, "[dbus]: sbx's filtering proxy is not part of the export; the session bus "
                               "is not reachable under %s", rt);
        if (r >= 0 && plan->new_session)
                r = export_warn(x, "new session (setsid): %s", f == SBX_FORMAT_SYSTEMD
                                    ? "a service has no terminal (StandardInput=null)"
                                    : "the runtime gives the program no terminal (process.terminal false); "
                                      "TIOCSTI is refused by the filter too");
        if (r >= 0)
                r = export_warn(x, "sbx's pid 1 (zombie reaping, signal forwarding, dying with sbx): %s",
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
        /* A bind at / (the working directory / under cwd-bind) has no
         * place in these formats: a bundle's root is its rootfs/, a Pod's
         * its image, a unit's the empty TemporaryFileSystem=/. */
        for (size_t i = 0; i < plan.nmounts; i++)
                if (plan.mounts[i].kind == PM_BIND && strcmp(plan.mounts[i].dst, "/") == 0) {
                        plan_done(&plan);
                        return sbx_err_kind(err, SBX_ERROR_PROFILE, -EINVAL, "export",
                                            "the view binds the host's / at / (the working directory is / "
                                            "and the profile binds it); export from the directory the "
                                            "program uses");
                }
        export_label(p->name && *p->name ? p->name : "profile", x.label, sizeof(x.label));
        if (plan.policy->seccomp)
                r = sc_model_from_prog(&plan.seccomp, &x.m);
        struct sbuf b = { 0 };
        if (r >= 0) {
                switch (f) {
                case SBX_FORMAT_OCI_BUNDLE:
                        if ((r = export_render_bundle(&x, &b)) >= 0)
                                r = export_bundle_warnings(&x);
                        break;
                case SBX_FORMAT_K8S:
                        r = export_render_pod(&x, &b, eo && eo->k8s_image ? eo->k8s_image : "localhost/sbx-rootfs:latest",
                                       eo && eo->k8s_namespace ? eo->k8s_namespace : "default");
                        if (r >= 0 && x.m.enabled)
                                r = export_warn(&x, "the SeccompProfile's default action is SCMP_ACT_TRACE (the "
                                                "operator's spec has no defaultErrnoRet): syscalls unknown to "
                                                "this machine's tables get ENOSYS, as under sbx, unless a "
                                                "tracer is attached to the container");
                        break;
                default:
                        r = export_render_unit(&x, &b);
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
                r = export_write_bundle(&x, eo->bundle_dir, text, err);
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

