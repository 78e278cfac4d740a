/* filter_model.c — the rule model of a policy's seccomp filter (filter_model.h):
 * which syscalls the policy allows outright, which it denies, and the
 * argument rules, translated from seccomp.c's own compiled tables: the
 * group table (syscalls.c), the always-denied dangerous groups and
 * `override`, and the argument rules (ioctl, socket families,
 * clone/unshare namespace flags, clone3, memfd, personality, nested
 * seccomp, W^X).  Must not decide policy of its own: when seccomp.c
 * changes what it builds, this file follows.  export.c renders the model;
 * analyze.c asks it what gets through.  Parent side; allocates. */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/shm.h>
#include <sys/socket.h>
#include <sys/syscall.h>


#include "base/strbuf.h"
#include "report/filter_model.h"
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
        size_t cap = m->notes ? m->nnotes + 1 : 0; /* n strings and the NULL */
        va_list ap;
        va_start(ap, fmt);
        int r = strv_vaddf(&m->notes, &m->nnotes, &cap, fmt, ap);
        va_end(ap);
        return r;
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
        size_t n, cap;
};

static int strvb_add(struct strvb *s, char *name)
{
        return strv_add(&s->v, &s->n, &s->cap, name);
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

int sc_model_from_prog(const struct seccomp_prog *prog, struct sc_model *ret)
{
        /* Notify only changes who answers: the export answers with errno. */
        struct sc_model m = { .enabled = true, .err = prog->deny_errno, .af_allowed = prog->af_allowed,
                              .action = prog->action == DENY_NOTIFY ? DENY_ERRNO : prog->action };
        int r = translate(&m, prog);
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
