/* export.c — a policy's seccomp part as an OCI runtime-spec
 * `linux.seccomp` object, and as a Kubernetes securityContext with the same
 * profile as a `Localhost` seccomp profile.
 *
 * Renders the rule model (filter_model.c, built from seccomp.c's own
 * tables); whatever the OCI format cannot say becomes a warning for the
 * user.
 *
 * The format, and what crun 1.8 does with it (checked by
 * tests/test_export_crun.c):
 *   - libseccomp drops a conditional rule when the same syscall also has an
 *     unconditional one, so "ioctl allowed except TIOCSTI" is written as
 *     a denial with a condition plus an allowance with an always-true
 *     condition (argument 0 >= 0);
 *   - a rule whose action equals defaultAction is refused by libseccomp
 *     (EACCES), so it is left out;
 *   - `architectures` lists only SCMP_ARCH_X86_64: the runtime's libseccomp
 *     then treats the i386 (`int 0x80`) and x32 tables as a bad architecture
 *     and kills the caller, as sbx does.  Listing SCMP_ARCH_X86/X32 (as
 *     Docker's default profile does) would open the i386 table. */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/shm.h>
#include <sys/socket.h>
#include <sys/syscall.h>


#include "report/attack.h"
#include "report/export.h"
#include "report/filter_model.h"
#include "plan/seccomp.h"
#include "syscalls/syscalls.h"
#include "base/util.h"

/* ---- rendering ------------------------------------------------------------ */

static const char *const op_names[] = {
        [SC_OP_NE] = "SCMP_CMP_NE", [SC_OP_LT] = "SCMP_CMP_LT", [SC_OP_LE] = "SCMP_CMP_LE",
        [SC_OP_EQ] = "SCMP_CMP_EQ", [SC_OP_GE] = "SCMP_CMP_GE", [SC_OP_GT] = "SCMP_CMP_GT",
        [SC_OP_MASKED_EQ] = "SCMP_CMP_MASKED_EQ",
};

/* The OCI action of an outcome, and its errnoRet (0: none), as seccomp.c's
 * set_actions() chooses them.  Notify has no listener here: errno. */
static const char *oci_action(const struct sc_model *m, enum sc_act act, int *err)
{
        *err = 0;
        switch (act) {
        case SC_ACT_ALLOW:
                return "SCMP_ACT_ALLOW";
        case SC_ACT_ENOSYS:
                *err = ENOSYS;
                return "SCMP_ACT_ERRNO";
        case SC_ACT_NOT_ALLOWED:
                if (m->action == DENY_LOG)
                        return "SCMP_ACT_LOG";
                break;
        case SC_ACT_DENY:
                break;
        }
        if (m->action == DENY_KILL)
                return "SCMP_ACT_KILL_PROCESS";
        *err = m->err;
        return "SCMP_ACT_ERRNO";
}

static bool is_errno(const struct sc_model *m, enum sc_act act, int e)
{
        int err;
        return strcmp(oci_action(m, act, &err), "SCMP_ACT_ERRNO") == 0 && err == e;
}

/* seccomp.c answers syscalls its tables do not know with ENOSYS, so that
 * libc falls back; that is the export's default too.  Its denials must
 * differ from the default (libseccomp refuses a rule with the default
 * action, and dropping the conditional ones would let "ioctl except
 * TIOCSTI" become "any ioctl"): when the profile's own errno is ENOSYS,
 * the default becomes EPERM. */
int sc_model_default_errno(const struct sc_model *m)
{
        return is_errno(m, SC_ACT_DENY, ENOSYS) || is_errno(m, SC_ACT_NOT_ALLOWED, ENOSYS) ? EPERM : ENOSYS;
}

/* How a seccomp object is written: the OCI spec's, or the Security
 * Profiles Operator's (errnoRet is a string, and there is no
 * defaultErrnoRet: the default is SCMP_ACT_TRACE, which answers ENOSYS
 * when no tracer is attached, as sbx answers syscalls unknown to its
 * tables, and which no rule repeats, so none has to be left out). */
struct sc_style {
        const char *indent;
        int default_errno; /* 0: the default is not an errno */
        bool spo;
};

static bool same_as_default(const struct sc_model *m, enum sc_act act, const struct sc_style *st)
{
        return is_errno(m, act, st->default_errno);
}

static void errno_ret(struct sbuf *b, int err, const struct sc_style *st)
{
        if (st->spo)
                sbuf_printf(b, "\"errnoRet\": \"%d\"", err);
        else
                sbuf_printf(b, "\"errnoRet\": %d", err);
}

static void render_names(struct sbuf *b, char *const *names, const char *indent)
{
        size_t col = 0;
        for (size_t i = 0; names[i]; i++) {
                if (col == 0)
                        sbuf_puts(b, indent);
                sbuf_json_str(b, names[i]);
                if (names[i + 1])
                        sbuf_puts(b, ",");
                col++;
                if (col == 6 || !names[i + 1]) {
                        sbuf_puts(b, "\n");
                        col = 0;
                } else
                        sbuf_puts(b, " ");
        }
}

static void render_list(struct sbuf *b, const struct sc_model *m, char *const *names, enum sc_act act,
                        const struct sc_style *st, bool *first)
{
        int err;
        const char *indent = st->indent;
        if (!names || !names[0] || same_as_default(m, act, st))
                return;
        const char *a = oci_action(m, act, &err);
        char in[64];
        snprintf(in, sizeof(in), "%s        ", indent);
        sbuf_printf(b, "%s\n%s    {\n%s      \"names\": [\n", *first ? "" : ",", indent, indent);
        render_names(b, names, in);
        sbuf_printf(b, "%s      ],\n%s      \"action\": \"%s\"", indent, indent, a);
        if (err) {
                sbuf_printf(b, ",\n%s      ", indent);
                errno_ret(b, err, st);
        }
        sbuf_printf(b, "\n%s    }", indent);
        *first = false;
}

static void render_seccomp(struct sbuf *b, const struct sc_model *m, const struct sc_style *st)
{
        int err;
        bool first = true;
        const char *indent = st->indent;
        if (!m->enabled) {
                sbuf_printf(b, "{\n%s  \"defaultAction\": \"SCMP_ACT_ALLOW\",\n%s  \"architectures\": "
                               "[\"SCMP_ARCH_X86_64\"],\n%s  \"syscalls\": []\n%s}",
                            indent, indent, indent, indent);
                return;
        }
        sbuf_printf(b, "{\n%s  \"defaultAction\": \"%s\",\n", indent,
                    st->spo ? "SCMP_ACT_TRACE" : "SCMP_ACT_ERRNO");
        if (!st->spo)
                sbuf_printf(b, "%s  \"defaultErrnoRet\": %d,\n", indent, st->default_errno);
        sbuf_printf(b, "%s  \"architectures\": [\"SCMP_ARCH_X86_64\"],\n", indent);
        sbuf_printf(b, "%s  \"flags\": [],\n", indent);
        sbuf_printf(b, "%s  \"syscalls\": [", indent);
        render_list(b, m, m->allowed, SC_ACT_ALLOW, st, &first);
        render_list(b, m, m->not_allowed, SC_ACT_NOT_ALLOWED, st, &first);
        render_list(b, m, m->denied, SC_ACT_DENY, st, &first);
        render_list(b, m, m->enosys, SC_ACT_ENOSYS, st, &first);
        for (size_t i = 0; i < m->nrules; i++) {
                const struct sc_rule *r = &m->rules[i];
                if (same_as_default(m, r->act, st))
                        continue;
                const char *a = oci_action(m, r->act, &err);
                sbuf_printf(b, "%s\n%s    {\"names\": [\"%s\"], \"action\": \"%s\"", first ? "" : ",",
                            indent, r->name, a);
                if (err) {
                        sbuf_puts(b, ", ");
                        errno_ret(b, err, st);
                }
                sbuf_puts(b, ", \"args\": [");
                for (unsigned c = 0; c < r->ncond; c++)
                        sbuf_printf(b, "%s{\"index\": %u, \"value\": %llu, \"valueTwo\": %llu, \"op\": \"%s\"}",
                                    c ? ", " : "", r->cond[c].index, (unsigned long long)r->cond[c].value,
                                    (unsigned long long)r->cond[c].value2, op_names[r->cond[c].op]);
                sbuf_puts(b, "]}");
                first = false;
        }
        sbuf_printf(b, "\n%s  ]\n%s}", indent, indent);
}

static void render_oci(struct sbuf *b, const struct sc_model *m, const char *indent)
{
        struct sc_style st = { .indent = indent, .default_errno = sc_model_default_errno(m) };
        render_seccomp(b, m, &st);
}

void export_render_seccomp(struct sbuf *b, const struct sc_model *m, const char *indent, bool spo)
{
        struct sc_style st = { .indent = indent, .spo = spo,
                               .default_errno = spo ? 0 : sc_model_default_errno(m) };
        render_seccomp(b, m, &st);
}

static int warn(char ***w, size_t *n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int warn(char ***w, size_t *n, const char *fmt, ...)
{
        size_t cap = *w ? *n + 1 : 0; /* *w holds *n strings and the NULL */
        va_list ap;
        va_start(ap, fmt);
        int r = strv_vaddf(w, n, &cap, fmt, ap);
        va_end(ap);
        return r;
}

/* What a seccomp profile cannot carry, whatever the format. */
int export_common_warnings(const struct sbx_policy *p, const struct sc_model *m, bool seccomp_only,
                           char ***w, size_t *n)
{
        int r = 0;
        if (!p->seccomp)
                return warn(w, n, "[seccomp] enabled = no: the exported profile allows every syscall");
        if (p->landlock && seccomp_only)
                r = warn(w, n, "Landlock (filesystem access rules, the exec allow-list as EXECUTE rights, "
                               "TCP port rules, abstract-socket and signal scoping) cannot be expressed "
                               "in a seccomp profile; the runtime's LSM (AppArmor, SELinux) or sbx "
                               "inside the container has to provide it");
        if (r >= 0 && seccomp_only && (p->exec_allow.n || p->exec_deny.n || p->exec_hashes.n))
                r = warn(w, n, "[exec] allow/deny/allow-hash (execution prevention, masked interpreters, "
                               "SHA-256 pinning) are not expressible: build a minimal, read-only image "
                               "without the denied programs instead");
        if (r >= 0 && p->listen.n)
                r = warn(w, n, "[network] listen: sbx binds these ports and hands them over (LISTEN_FDS); "
                               "the runtime has to provide them (systemd: a .socket unit; a container: "
                               "a published port, the server binding it itself)");
        if (r >= 0 && p->sc_action == DENY_NOTIFY)
                r = warn(w, n, "[seccomp] action = notify: sbx's supervisor reports each denial; the "
                               "export answers with errno %d instead (no listener)", m->err);
        if (r >= 0 && p->sc_action == DENY_LOG)
                r = warn(w, n, "[seccomp] action = log: syscalls outside the allow-list are only logged "
                               "(SCMP_ACT_LOG); explicitly and always-denied ones still fail");
        if (r >= 0 && sc_model_default_errno(m) != ENOSYS)
                r = warn(w, n, "the profile denies with ENOSYS, so the export's default action (for "
                               "syscalls unknown to sbx's tables) is EPERM instead of ENOSYS");
        if (r >= 0 && (p->x11 != X11_NONE || p->a11y))
                r = warn(w, n, "[display] (the X11 proxy with its untrusted authorization, the accessibility "
                               "bus's filter) is started by sbx run and is not exported: give the container "
                               "no X socket, or a nested X server's");
        for (size_t i = 0; r >= 0 && i < m->nnotes; i++)
                r = warn(w, n, "%s", m->notes[i]);
        if (r >= 0)
                r = warn(w, n, "architectures lists only SCMP_ARCH_X86_64: the i386 (int 0x80) and x32 "
                               "syscall tables are a bad architecture for the runtime's filter (crun "
                               "kills the caller, as sbx does); do not add SCMP_ARCH_X86 or "
                               "SCMP_ARCH_X32, that would open the i386 table");
        return r;
}

static int oci_warnings(const struct sbx_policy *p, char ***w, size_t *n)
{
        return warn(w, n, "namespaces, the filesystem view (%zu mount entries), capabilities, "
                          "no_new_privs, rlimits, the environment and fd closing are the runtime's job: "
                          "set them in config.json (linux.namespaces, mounts, process.capabilities, "
                          "process.noNewPrivileges, process.rlimits, process.env)",
                    p->mounts.n);
}

/* The profile name as a file name: [A-Za-z0-9_.-], others become '-'. */
static void file_label(const struct sbx_policy *p, char *buf, size_t size)
{
        const char *n = p->name && *p->name ? p->name : "profile";
        size_t i = 0;
        for (; n[i] && i + 1 < size; i++) {
                char c = n[i];
                bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                          c == '_' || c == '-' || (c == '.' && i > 0);
                buf[i] = ok ? c : '-';
        }
        buf[i] = 0;
}

static int render_k8s(struct sbuf *b, const struct sbx_policy *p, const struct sc_model *m, char ***w,
                      size_t *n)
{
        int r = 0;
        bool root = p->keep_root || p->uid == 0;
        bool ro_root = true;
        for (size_t i = 0; i < p->mounts.n; i++)
                if (p->mounts.v[i].kind == MOUNT_BIND && attack_system_path(p->mounts.v[i].dst))
                        ro_root = false;
        char name[64];
        file_label(p, name, sizeof(name));

        sbuf_printf(b, "# sbx export --format k8s --profile %s\n", name);
        sbuf_puts(b, "# 1. Save the second document (the seccomp profile) on every node as\n");
        sbuf_printf(b, "#    <kubelet root>/seccomp/profiles/sbx-%s.json\n", name);
        sbuf_puts(b, "#    (kubelet root: usually /var/lib/kubelet).\n");
        sbuf_puts(b, "# 2. Use this securityContext in each container of the Pod.\n");
        sbuf_puts(b, "securityContext:\n");
        sbuf_printf(b, "  runAsNonRoot: %s\n", root ? "false" : "true");
        sbuf_puts(b, "  allowPrivilegeEscalation: false\n");
        sbuf_printf(b, "  readOnlyRootFilesystem: %s\n", ro_root ? "true" : "false");
        sbuf_puts(b, "  capabilities:\n    drop: [\"ALL\"]\n");
        if (p->caps_keep.n) {
                sbuf_puts(b, "    add: [");
                for (size_t i = 0; i < p->caps_keep.n; i++) {
                        const char *c = p->caps_keep.v[i];
                        if (strncasecmp(c, "cap_", 4) == 0)
                                c += 4;
                        sbuf_puts(b, i ? ", \"" : "\"");
                        for (; *c; c++)
                                sbuf_printf(b, "%c", (char)(*c >= 'a' && *c <= 'z' ? *c - 32 : *c));
                        sbuf_puts(b, "\"");
                }
                sbuf_puts(b, "]\n");
        }
        sbuf_puts(b, "  seccompProfile:\n");
        if (p->seccomp)
                sbuf_printf(b, "    type: Localhost\n    localhostProfile: profiles/sbx-%s.json\n", name);
        else
                sbuf_puts(b, "    type: Unconfined\n");
        sbuf_puts(b, "---\n");
        render_oci(b, m, "");
        sbuf_puts(b, "\n");

        if (root)
                r = warn(w, n, "the profile runs the program as uid 0 inside: runAsNonRoot is false");
        if (r >= 0 && !ro_root)
                r = warn(w, n, "the profile binds a system directory writable: readOnlyRootFilesystem "
                               "is false");
        for (size_t i = 0; r >= 0 && i < p->mounts.n; i++) {
                const struct mount_op *o = &p->mounts.v[i];
                if (o->kind == MOUNT_TMPFS)
                        r = warn(w, n, "tmpfs %s: mount an emptyDir volume (medium: Memory) there", o->dst);
                else if (o->kind == MOUNT_BIND)
                        r = warn(w, n, "writable bind %s: needs a volume; Kubernetes cannot mark it "
                                       "noexec", o->dst);
        }
        if (r >= 0 && p->net == NET_NONE)
                r = warn(w, n, "[network] mode = none: a Pod has no per-container switch for this; use a "
                               "NetworkPolicy that denies all ingress and egress");
        if (r >= 0)
                r = warn(w, n, "namespaces other than the Pod's, the masked /proc and minimal /dev, "
                               "rlimits and the environment allow-list are not part of a securityContext");
        return r;
}

SBX_EXPORT int sbx_export(const struct sbx_policy *p, enum sbx_format f, char **ret, char ***warnings,
                          struct sbx_error **err)
{
        if (!p || !ret)
                return -EINVAL;
        if (f != SBX_FORMAT_OCI && f != SBX_FORMAT_JSON && f != SBX_FORMAT_K8S)
                return -EOPNOTSUPP;

        struct sc_model m;
        int r = sc_model_build(p, &m, err);
        if (r < 0)
                return r;
        struct sbuf b = { 0 };
        char **w = NULL;
        size_t nw = 0;
        if (f == SBX_FORMAT_K8S)
                r = render_k8s(&b, p, &m, &w, &nw);
        else {
                render_oci(&b, &m, "");
                sbuf_puts(&b, "\n");
                r = oci_warnings(p, &w, &nw);
        }
        if (r >= 0)
                r = export_common_warnings(p, &m, true, &w, &nw);
        if (r >= 0 && !w && !(w = calloc(1, sizeof(char *))))
                r = -ENOMEM;
        sc_model_done(&m);
        if (r < 0) {
                sbuf_done(&b);
                sbx_strv_free(w);
                return r;
        }
        if ((r = sbuf_take(&b, ret)) < 0) {
                sbx_strv_free(w);
                return r;
        }
        if (warnings)
                *warnings = w;
        else
                sbx_strv_free(w);
        return 0;
}
