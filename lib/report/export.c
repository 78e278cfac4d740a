/* export.c — a policy's seccomp part as an OCI runtime-spec
 * `linux.seccomp` object, and as a Kubernetes securityContext with the same
 * profile as a `Localhost` seccomp profile.
 *
 * Owns: the rule model (export.h) — which syscalls the policy allows
 * outright, which it denies, and the argument rules — built from the same
 * inputs as seccomp.c's filter: the group table (syscalls.c), the
 * always-denied dangerous groups and `override`, and the argument rules
 * (ioctl, socket families, clone/unshare namespace flags, clone3, memfd,
 * personality, nested seccomp, W^X).  Must not decide policy of its own:
 * when seccomp.c changes what it builds, this file follows, and whatever
 * the OCI format cannot say becomes a warning for the user.
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
#include "plan/seccomp.h"
#include "syscalls/syscalls.h"
#include "base/util.h"

/* Native x86_64 syscall numbers stay well below this. */
#define SC_NR_MAX 1024

#define MFD_NOEXEC_SEAL_FLAG 0x0008ULL /* not in Debian 12's headers yet */
#define MFD_EXEC_FLAG 0x0010ULL
#define PROT_WX ((uint64_t)(PROT_WRITE | PROT_EXEC))

static char *pooled(struct sc_model *m, size_t *npool, const char *name)
{
        for (size_t i = 0; i < *npool; i++)
                if (strcmp(m->pool[i], name) == 0)
                        return m->pool[i];
        char **nv = realloc(m->pool, (*npool + 2) * sizeof(char *));
        if (!nv)
                return NULL;
        m->pool = nv;
        if (!(nv[*npool] = strdup(name)))
                return NULL;
        nv[++*npool] = NULL;
        return nv[*npool - 1];
}

static int add_rule(struct sc_model *m, size_t *npool, const char *name, enum sc_act act,
                    unsigned ncond, const struct sc_cond *cond)
{
        if (m->nrules + 1 > m->rules_cap) {
                size_t cap = m->rules_cap ? m->rules_cap * 2 : 32;
                struct sc_rule *nv = realloc(m->rules, cap * sizeof(*nv));
                if (!nv)
                        return -ENOMEM;
                m->rules = nv;
                m->rules_cap = cap;
        }
        struct sc_rule *r = &m->rules[m->nrules];
        memset(r, 0, sizeof(*r));
        if (!(r->name = pooled(m, npool, name)))
                return -ENOMEM;
        r->act = act;
        r->ncond = ncond;
        for (unsigned i = 0; i < ncond && i < SC_MAX_COND; i++)
                r->cond[i] = cond[i];
        m->nrules++;
        return 0;
}

#define MASKED(i, mask, v) ((struct sc_cond){ .index = (i), .op = SC_OP_MASKED_EQ, .value = (mask), .value2 = (v) })
/* libseccomp drops the conditional rules of a syscall that also has an
 * unconditional one: "allow the rest" needs a condition that always holds. */
#define ALWAYS ((struct sc_cond){ .index = 0, .op = SC_OP_GE, .value = 0 })
#define RULE1(name, act, c) add_rule(m, npool, name, act, 1, (struct sc_cond[]){ c })

static int model_note(struct sc_model *m, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int model_note(struct sc_model *m, const char *fmt, ...)
{
        char *s = NULL;
        va_list ap;
        va_start(ap, fmt);
        int n = vasprintf(&s, fmt, ap);
        va_end(ap);
        if (n < 0)
                return -ENOMEM;
        char **nv = realloc(m->notes, (m->nnotes + 2) * sizeof(char *));
        if (!nv) {
                free(s);
                return -ENOMEM;
        }
        m->notes = nv;
        nv[m->nnotes++] = s;
        nv[m->nnotes] = NULL;
        return 0;
}

/* The argument rules of one allowed syscall, as seccomp.c applies them
 * (its libseccomp rules, and its hand-written prefix for ioctl, prctl and
 * personality).  Returns 1 when the syscall has rules, 0 when it is
 * allowed outright. */
static int arg_rules(struct sc_model *m, size_t *npool, const struct seccomp_prog *prog, int nr,
                     const char *name)
{
        int r;
        const uint64_t lo32 = 0xffffffffULL;
        if ((nr == __NR_clone || nr == __NR_unshare) && !prog->userns) {
                if ((r = RULE1(name, SC_ACT_ALLOW, MASKED(0, CLONE_NEWUSER, 0))) < 0 ||
                    (r = RULE1(name, SC_ACT_DENY, MASKED(0, CLONE_NEWUSER, CLONE_NEWUSER))) < 0)
                        return r;
                return 1;
        }
        if (nr == __NR_socket || nr == __NR_socketpair) {
                /* Other families get seccomp.c's default action.  The
                 * export's default is ENOSYS (see render_oci), so they are
                 * listed; families the kernel does not have (>= AF_MAX) get
                 * ENOSYS instead of the profile's errno — refused all the
                 * same. */
                for (unsigned f = 0; f < 64; f++)
                        if ((prog->af_allowed & (1ULL << f)) &&
                            (r = RULE1(name, SC_ACT_ALLOW, MASKED(0, lo32, f))) < 0)
                                return r;
                for (unsigned f = 0; f < AF_MAX && f < 64; f++)
                        if (!(prog->af_allowed & (1ULL << f)) &&
                            (r = RULE1(name, SC_ACT_NOT_ALLOWED, MASKED(0, lo32, f))) < 0)
                                return r;
                return 1;
        }
        if (nr == __NR_memfd_create && !prog->memfd_exec) {
                const uint64_t both = MFD_EXEC_FLAG | MFD_NOEXEC_SEAL_FLAG;
                if ((r = RULE1(name, SC_ACT_DENY, MASKED(1, MFD_EXEC_FLAG, MFD_EXEC_FLAG))) < 0 ||
                    (r = RULE1(name, SC_ACT_ALLOW, MASKED(1, both, MFD_NOEXEC_SEAL_FLAG))) < 0 ||
                    (r = RULE1(name, SC_ACT_DENY, MASKED(1, both, 0))) < 0)
                        return r;
                if ((r = model_note(m, "memfd_create without MFD_NOEXEC_SEAL: under sbx the supervisor "
                                       "answers it with a sealed, non-executable memfd; the export "
                                       "refuses it (programs that share memory through memfds need "
                                       "[exec] memfd-exec = yes to run under the exported profile)")) < 0)
                        return r;
                return 1;
        }
        if ((nr == __NR_mmap || nr == __NR_mprotect || nr == __NR_pkey_mprotect) && prog->wx) {
                /* As seccomp.c's add_wx: nothing gains PROT_EXEC, no W+X,
                 * no shared executable mapping. */
                if ((r = RULE1(name, SC_ACT_ALLOW, MASKED(2, PROT_EXEC, 0))) < 0)
                        return r;
                if (nr != __NR_mmap)
                        return (r = RULE1(name, SC_ACT_DENY, MASKED(2, PROT_EXEC, PROT_EXEC))) < 0 ? r : 1;
                if ((r = add_rule(m, npool, name, SC_ACT_ALLOW, 2,
                                  (struct sc_cond[]){ MASKED(2, PROT_WX, PROT_EXEC), MASKED(3, MAP_SHARED, 0) })) < 0 ||
                    (r = add_rule(m, npool, name, SC_ACT_DENY, 2,
                                  (struct sc_cond[]){ MASKED(2, PROT_WX, PROT_EXEC),
                                                      MASKED(3, MAP_SHARED, MAP_SHARED) })) < 0 ||
                    (r = RULE1(name, SC_ACT_DENY, MASKED(2, PROT_WX, PROT_WX))) < 0)
                        return r;
                return 1;
        }
        if (nr == __NR_shmat && prog->wx) {
                if ((r = RULE1(name, SC_ACT_ALLOW, MASKED(2, SHM_EXEC, 0))) < 0 ||
                    (r = RULE1(name, SC_ACT_DENY, MASKED(2, SHM_EXEC, SHM_EXEC))) < 0)
                        return r;
                return 1;
        }
        /* seccomp.c's prefix compares the low 32 bits only: the kernel
         * truncates these arguments to int (0x100005412 is TIOCSTI). */
        if (nr == __NR_ioctl || nr == __NR_prctl) {
                bool io = nr == __NR_ioctl;
                unsigned n = io ? prog->n_ioctl_deny : prog->n_prctl_deny;
                for (unsigned i = 0; i < n; i++)
                        if ((r = RULE1(name, SC_ACT_DENY,
                                       MASKED(io ? 1 : 0, lo32, io ? prog->ioctl_deny[i] : prog->prctl_deny[i]))) < 0)
                                return r;
                if ((r = RULE1(name, SC_ACT_ALLOW, ALWAYS)) < 0)
                        return r;
                return 1;
        }
        if (nr == __NR_personality) {
                /* PER_LINUX and the query.  seccomp.c denies every other
                 * value; a rule cannot name "every other value", so the
                 * export leaves them to its default action. */
                if ((r = RULE1(name, SC_ACT_ALLOW, MASKED(0, lo32, 0))) < 0 ||
                    (r = RULE1(name, SC_ACT_ALLOW, MASKED(0, lo32, lo32))) < 0)
                        return r;
                if ((r = model_note(m, "personality: personas other than PER_LINUX get the export's "
                                       "default action (ENOSYS) instead of the profile's denial; "
                                       "refused either way")) < 0)
                        return r;
                return 1;
        }
        return 0;
}

struct strvb {
        char **v;
        size_t n;
};

static int strvb_add(struct strvb *s, char *name)
{
        char **nv = realloc(s->v, (s->n + 2) * sizeof(char *));
        if (!nv) {
                free(name);
                return -ENOMEM;
        }
        s->v = nv;
        nv[s->n++] = name;
        nv[s->n] = NULL;
        return 0;
}

static int cmp_str(const void *a, const void *b)
{
        return strcmp(*(char *const *)a, *(char *const *)b);
}

static int strvb_finish(struct strvb *s, char ***ret)
{
        if (!s->v && !(s->v = calloc(1, sizeof(char *))))
                return -ENOMEM;
        qsort(s->v, s->n, sizeof(char *), cmp_str);
        *ret = s->v;
        s->v = NULL;
        return 0;
}

void sc_model_done(struct sc_model *m)
{
        if (!m)
                return;
        sbx_strv_free(m->allowed);
        sbx_strv_free(m->not_allowed);
        sbx_strv_free(m->denied);
        sbx_strv_free(m->enosys);
        free(m->rules);
        sbx_strv_free(m->pool);
        sbx_strv_free(m->notes);
        memset(m, 0, sizeof(*m));
}

static int translate(struct sc_model *m, const struct seccomp_prog *prog)
{
        struct strvb out[4] = { 0 }; /* allowed, not allowed, denied, enosys */
        size_t npool = 0;
        int r = 0;
        for (int nr = 0; nr < SC_NR_MAX && r >= 0; nr++) {
                enum sc_kind k = (size_t)nr < prog->nr_max ? (enum sc_kind)prog->kind[nr] : SC_K_UNKNOWN;
                /* Names sbx's tables lack still have one in libseccomp's:
                 * the export can only address a syscall by name. */
                char *name = (size_t)nr < prog->nr_max && prog->names[nr]
                                     ? strdup(prog->names[nr])
                                     : (syscall_name(nr) ? strdup(syscall_name(nr)) : NULL);
                if (!name)
                        continue;
                switch (k) {
                case SC_K_ALLOW:
                        r = arg_rules(m, &npool, prog, nr, name);
                        if (r == 0)
                                r = strvb_add(&out[0], TAKE_PTR(name));
                        break;
                case SC_K_NOT_ALLOWED:
                        r = strvb_add(&out[1], TAKE_PTR(name));
                        break;
                case SC_K_DENY:
                        r = strvb_add(&out[2], TAKE_PTR(name));
                        break;
                case SC_K_UNKNOWN:
                case SC_K_ENOSYS:
                default:
                        r = strvb_add(&out[3], TAKE_PTR(name));
                        break;
                }
                free(name);
        }
        if (r >= 0)
                r = strvb_finish(&out[0], &m->allowed);
        if (r >= 0)
                r = strvb_finish(&out[1], &m->not_allowed);
        if (r >= 0)
                r = strvb_finish(&out[2], &m->denied);
        if (r >= 0)
                r = strvb_finish(&out[3], &m->enosys);
        for (int i = 0; i < 4; i++)
                sbx_strv_free(out[i].v);
        return r < 0 ? r : 0;
}

int sc_model_build(const struct sbx_policy *p, struct sc_model *ret, struct sbx_error **err)
{
        struct sc_model m = { .enabled = p->seccomp, .action = p->sc_action, .err = EPERM };
        int r = 0;
        if (p->seccomp) {
                /* The decisions `sbx run` makes, without its supervisor:
                 * that only changes who answers (the kinds are the same),
                 * and asking the kernel for notification sizes would tie
                 * an export to the machine.  Notify answers with errno in
                 * the export anyway.  The on-disk cache is left alone. */
                const struct sbx_policy *q = p;
                struct sbx_policy *copy = NULL;
                struct seccomp_prog prog;
                if (p->sc_action == DENY_NOTIFY) {
                        if ((r = sbx_policy_dup(p, &copy)) < 0) {
                                sc_model_done(&m);
                                return r;
                        }
                        copy->sc_action = DENY_ERRNO;
                        q = copy;
                }
                r = seccomp_compile(q, 0, &prog, err);
                sbx_policy_free(copy);
                if (r >= 0) {
                        m.err = prog.deny_errno;
                        m.af_allowed = prog.af_allowed;
                        r = translate(&m, &prog);
                        seccomp_prog_done(&prog);
                }
        }
        if (r < 0) {
                sc_model_done(&m);
                return r;
        }
        *ret = m;
        return 0;
}

static bool in_sorted(char *const *v, const char *s)
{
        size_t n = 0;
        while (v && v[n])
                n++;
        return n && bsearch(&s, v, n, sizeof(char *), cmp_str) != NULL;
}

bool sc_model_allows(const struct sc_model *m, const char *name)
{
        if (!m->enabled || in_sorted(m->allowed, name))
                return true;
        if (m->action == DENY_LOG && in_sorted(m->not_allowed, name))
                return true;
        for (size_t i = 0; i < m->nrules; i++)
                if (m->rules[i].act == SC_ACT_ALLOW && strcmp(m->rules[i].name, name) == 0)
                        return true;
        return false;
}

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

static bool same_as_default(const struct sc_model *m, enum sc_act act)
{
        return is_errno(m, act, sc_model_default_errno(m));
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
                        const char *indent, bool *first)
{
        int err;
        if (!names || !names[0] || same_as_default(m, act))
                return;
        const char *a = oci_action(m, act, &err);
        char in[64];
        snprintf(in, sizeof(in), "%s        ", indent);
        sbuf_printf(b, "%s\n%s    {\n%s      \"names\": [\n", *first ? "" : ",", indent, indent);
        render_names(b, names, in);
        sbuf_printf(b, "%s      ],\n%s      \"action\": \"%s\"", indent, indent, a);
        if (err)
                sbuf_printf(b, ",\n%s      \"errnoRet\": %d", indent, err);
        sbuf_printf(b, "\n%s    }", indent);
        *first = false;
}

static void render_oci(struct sbuf *b, const struct sc_model *m, const char *indent)
{
        int err;
        bool first = true;
        if (!m->enabled) {
                sbuf_printf(b, "{\n%s  \"defaultAction\": \"SCMP_ACT_ALLOW\",\n%s  \"architectures\": "
                               "[\"SCMP_ARCH_X86_64\"],\n%s  \"syscalls\": []\n%s}",
                            indent, indent, indent, indent);
                return;
        }
        sbuf_printf(b, "{\n%s  \"defaultAction\": \"SCMP_ACT_ERRNO\",\n", indent);
        sbuf_printf(b, "%s  \"defaultErrnoRet\": %d,\n", indent, sc_model_default_errno(m));
        sbuf_printf(b, "%s  \"architectures\": [\"SCMP_ARCH_X86_64\"],\n", indent);
        sbuf_printf(b, "%s  \"flags\": [],\n", indent);
        sbuf_printf(b, "%s  \"syscalls\": [", indent);
        render_list(b, m, m->allowed, SC_ACT_ALLOW, indent, &first);
        render_list(b, m, m->not_allowed, SC_ACT_NOT_ALLOWED, indent, &first);
        render_list(b, m, m->denied, SC_ACT_DENY, indent, &first);
        render_list(b, m, m->enosys, SC_ACT_ENOSYS, indent, &first);
        for (size_t i = 0; i < m->nrules; i++) {
                const struct sc_rule *r = &m->rules[i];
                if (same_as_default(m, r->act))
                        continue;
                const char *a = oci_action(m, r->act, &err);
                sbuf_printf(b, "%s\n%s    {\"names\": [\"%s\"], \"action\": \"%s\"", first ? "" : ",",
                            indent, r->name, a);
                if (err)
                        sbuf_printf(b, ", \"errnoRet\": %d", err);
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

static int warn(char ***w, size_t *n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int warn(char ***w, size_t *n, const char *fmt, ...)
{
        char *s = NULL;
        va_list ap;
        va_start(ap, fmt);
        int k = vasprintf(&s, fmt, ap);
        va_end(ap);
        if (k < 0)
                return -ENOMEM;
        char **nv = realloc(*w, (*n + 2) * sizeof(char *));
        if (!nv) {
                free(s);
                return -ENOMEM;
        }
        *w = nv;
        nv[(*n)++] = s;
        nv[*n] = NULL;
        return 0;
}

/* What a seccomp profile cannot carry, whatever the format. */
static int common_warnings(const struct sbx_policy *p, const struct sc_model *m, char ***w, size_t *n)
{
        int r = 0;
        if (!p->seccomp)
                return warn(w, n, "[seccomp] enabled = no: the exported profile allows every syscall");
        if (p->landlock)
                r = warn(w, n, "Landlock (filesystem access rules, the exec allow-list as EXECUTE rights, "
                               "TCP port rules, abstract-socket and signal scoping) cannot be expressed "
                               "in a seccomp profile; the runtime's LSM (AppArmor, SELinux) or sbx "
                               "inside the container has to provide it");
        if (r >= 0 && (p->exec_allow.n || p->exec_deny.n || p->exec_hashes.n))
                r = warn(w, n, "[exec] allow/deny/allow-hash (execution prevention, masked interpreters, "
                               "SHA-256 pinning) are not expressible: build a minimal, read-only image "
                               "without the denied programs instead");
        if (r >= 0 && p->sc_action == DENY_NOTIFY)
                r = warn(w, n, "[seccomp] action = notify: sbx's supervisor reports each denial; the "
                               "export answers with errno %d instead (no listener)", m->err);
        if (r >= 0 && p->sc_action == DENY_LOG)
                r = warn(w, n, "[seccomp] action = log: syscalls outside the allow-list are only logged "
                               "(SCMP_ACT_LOG); explicitly and always-denied ones still fail");
        if (r >= 0 && sc_model_default_errno(m) != ENOSYS)
                r = warn(w, n, "the profile denies with ENOSYS, so the export's default action (for "
                               "syscalls unknown to sbx's tables) is EPERM instead of ENOSYS");
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
                r = common_warnings(p, &m, &w, &nw);
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
