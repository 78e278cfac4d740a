/* seccomp.c — the policy's [seccomp] section turned into one BPF program,
 * and loading it.
 *
 * Owns: the decision per syscall number (allowed, not allowed, denied,
 * unknown), the argument rules (clone/unshare namespace flags, socket
 * families, memfd_create flags, W^X, ioctl/prctl/personality), the choice
 * of actions, and the pre-rendered denial reasons the supervisor prints.
 * Parent side except seccomp_load(), which runs in the child between clone
 * and execve and only makes one syscall.
 *
 * The program has two parts.  A short hand-written prefix handles what
 * libseccomp's rule model cannot express without enumerating complements:
 * numbers unknown to sbx's tables get ENOSYS (so that libc falls back, as
 * for clone3 — Docker's EPERM default broke glibc there), and the "deny
 * these few argument values, allow the rest" rules of ioctl, prctl and
 * personality.  libseccomp rules with each argument compared once per rule
 * and no overlapping conditions of different actions cannot say "any cmd
 * but TIOCSTI".  The libseccomp part follows: the arch check (i386 and x32
 * numbers are killed there), the allow-list, and the argument rules that
 * partition cleanly (clone flags, socket families, memfd flags, W^X).
 * Unconditionally allowed syscalls never load an argument in either part,
 * so the kernel's action cache answers them without running the program.
 */
#include <errno.h>
#include <linux/audit.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <scmp.h> /* libseccomp */
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/shm.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "profile.h"
#include "seccomp.h"
#include "sha256.h"
#include "syscalls.h"
#include "util.h"


#define NR_BOUND 1024 /* native numbers above this are never in the tables */
#define X32_BIT 0x40000000U

struct build {
        const struct sbx_policy *p;
        unsigned flags;
        struct seccomp_prog *prog;
        scmp_filter_ctx ctx;
        uint32_t act_default; /* not in `allow` */
        uint32_t act_deny;    /* denied explicitly or by a fixed rule */
        bool *allow;          /* per nr, NR_BOUND */
        bool *override;
        const struct syscall_group **danger; /* per nr: dangerous group, or NULL */
        const struct sbx_loc **deny_loc;
        const char **deny_word;
        const struct sbx_loc *allow_loc; /* the line blamed for "not allowed" */
        const struct sbx_loc *socket_loc, *ioctl_loc;
        int cur_nr_max;
        struct sbx_error **err;
};

static char *own(struct seccomp_prog *prog, char *s)
{
        if (!s)
                return NULL;
        if (prog->nowned == prog->owned_cap) {
                size_t cap = prog->owned_cap ? prog->owned_cap * 2 : 64;
                char **v = realloc(prog->owned, cap * sizeof(*v));
                if (!v) {
                        free(s);
                        return NULL;
                }
                prog->owned = v;
                prog->owned_cap = cap;
        }
        prog->owned[prog->nowned++] = s;
        return s;
}

static char *ownf(struct seccomp_prog *prog, const char *fmt, ...) _printf_(2, 3);
static char *ownf(struct seccomp_prog *prog, const char *fmt, ...)
{
        char *s = NULL;
        va_list ap;
        va_start(ap, fmt);
        int r = vasprintf(&s, fmt, ap);
        va_end(ap);
        if (r < 0)
                return NULL;
        return own(prog, s);
}

static const char *loc_text(struct seccomp_prog *prog, const struct sbx_loc *l)
{
        if (!l || !l->file)
                return "the built-in defaults";
        if (!l->line)
                return l->file;
        return ownf(prog, "%s:%u", l->file, l->line);
}

static uint64_t now_ns(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* ---- step 1: names and decisions per syscall number ------------------- */

static int resolve(const char *name)
{
        int nr = seccomp_syscall_resolve_name_arch(SCMP_ARCH_X86_64, name);
        return nr >= 0 && nr < NR_BOUND ? nr : -1;
}

static int add_name(const char *name, void *userdata)
{
        struct build *b = userdata;
        int nr = resolve(name);
        if (nr < 0 || b->prog->names[nr])
                return 0;
        if (!(b->prog->names[nr] = own(b->prog, strdup(name))))
                return -ENOMEM;
        if (nr + 1 > b->cur_nr_max)
                b->cur_nr_max = nr + 1;
        return 0;
}

struct danger_ctx {
        struct build *b;
        const struct syscall_group *g;
};

static int mark_danger(const char *name, void *userdata)
{
        struct danger_ctx *d = userdata;
        int nr = resolve(name);
        if (nr >= 0 && !d->b->danger[nr])
                d->b->danger[nr] = d->g;
        return 0;
}

static int mark_allow(const char *name, void *userdata)
{
        struct build *b = userdata;
        int nr = resolve(name);
        if (nr >= 0)
                b->allow[nr] = true;
        return 0;
}

static int mark_override(const char *name, void *userdata)
{
        struct build *b = userdata;
        int nr = resolve(name);
        if (nr >= 0)
                b->override[nr] = b->allow[nr] = true;
        return 0;
}

struct deny_ctx {
        struct build *b;
        const struct sbx_loc *loc;
        const char *word;
};

static int mark_deny(const char *name, void *userdata)
{
        struct deny_ctx *d = userdata;
        int nr = resolve(name);
        if (nr >= 0 && !d->b->deny_loc[nr]) {
                d->b->deny_loc[nr] = d->loc;
                d->b->deny_word[nr] = d->word;
        }
        return 0;
}

static int expand_list(struct build *b, const struct strlist *l, int (*cb)(const char *, void *),
                       bool deny)
{
        for (size_t i = 0; i < l->n; i++) {
                struct deny_ctx d = { b, &l->loc[i], l->v[i] };
                int r = syscall_expand_each(l->v[i], cb, deny ? (void *)&d : (void *)b);
                if (r == -ENOENT)
                        return sbx_err_at(b->err, -EINVAL, l->loc[i].file, l->loc[i].line,
                                          "[seccomp]: unknown syscall or group '%s'", l->v[i]);
                if (r < 0)
                        return r;
        }
        return 0;
}

static const char *action_text(struct seccomp_prog *prog)
{
        switch (prog->action) {
        case DENY_KILL:
                return "kill";
        case DENY_LOG:
                return "log: allowed and reported";
        case DENY_NOTIFY:
                return ownf(prog, "notify: %s", prog->errno_name);
        case DENY_ERRNO:
        default:
                return ownf(prog, "errno %s", prog->errno_name);
        }
}

static int decide(struct build *b)
{
        const struct sbx_policy *p = b->p;
        struct seccomp_prog *prog = b->prog;
        int r;

        for (size_t i = 0; i < syscall_groups_count; i++) {
                struct danger_ctx d = { b, &syscall_groups[i] };
                if ((r = syscall_expand_each(syscall_groups[i].name, add_name, b)) < 0 ||
                    (syscall_groups[i].dangerous &&
                     (r = syscall_expand_each(syscall_groups[i].name, mark_danger, &d)) < 0))
                        return r;
        }
        prog->nr_max = (size_t)b->cur_nr_max;

        if ((r = expand_list(b, &p->sc_allow, mark_allow, false)) < 0 ||
            (r = expand_list(b, &p->sc_override, mark_override, false)) < 0 ||
            (r = expand_list(b, &p->sc_deny, mark_deny, true)) < 0)
                return r;
        /* Blame the last allow line a profile wrote; when every entry is a
         * built-in default, the line that chose the action. */
        for (size_t i = p->sc_allow.n; i-- > 0 && !b->allow_loc;)
                if (p->sc_allow.loc[i].file)
                        b->allow_loc = &p->sc_allow.loc[i];
        if (!b->allow_loc && p->scalar_loc[K_SC_ACTION].file)
                b->allow_loc = &p->scalar_loc[K_SC_ACTION];

        const char *act = action_text(prog);
        const char *not_allowed = ownf(prog, "not allowed by %s [seccomp] (default %s)",
                                       loc_text(prog, b->allow_loc), act);
        const char *nested = ownf(prog, "installing seccomp filters needs nested = yes in [seccomp]");
        if (!act || !not_allowed || !nested)
                return -ENOMEM;

        /* sbx itself needs these between loading the filter and the
         * program's first instruction. */
        static const char *const forced[] = { "execve", "exit", "exit_group", "close", "write" };

        for (size_t nr = 0; nr < prog->nr_max; nr++) {
                const char *name = prog->names[nr];
                if (!name) {
                        prog->kind[nr] = SC_K_UNKNOWN;
                        continue;
                }
                if (strcmp(name, "clone3") == 0) {
                        prog->kind[nr] = SC_K_ENOSYS;
                        prog->deny_reason[nr] = "clone3 is answered with ENOSYS so that libc falls "
                                                "back to clone, whose flags the filter can check";
                        continue;
                }
                const struct syscall_group *g = b->danger[nr];
                if (b->deny_loc[nr]) {
                        prog->kind[nr] = SC_K_DENY;
                        prog->deny_reason[nr] = ownf(prog, "denied by %s [seccomp] deny = %s",
                                                     loc_text(prog, b->deny_loc[nr]), b->deny_word[nr]);
                } else if (strcmp(name, "seccomp") == 0 && !p->sc_nested) {
                        prog->kind[nr] = SC_K_DENY;
                        prog->deny_reason[nr] = nested;
                } else if (strcmp(name, "seccomp") == 0) {
                        prog->kind[nr] = SC_K_ALLOW;
                } else if (g && !b->override[nr]) {
                        prog->kind[nr] = SC_K_DENY;
                        prog->deny_reason[nr] = ownf(prog, "always denied (%s); only `override = %s` "
                                                     "in [seccomp] lets it through", g->name, name);
                } else if (b->allow[nr]) {
                        prog->kind[nr] = SC_K_ALLOW;
                } else {
                        prog->kind[nr] = SC_K_NOT_ALLOWED;
                        prog->deny_reason[nr] = not_allowed;
                }
                if (!(b->flags & SC_SELF)) {
                        /* sendmsg hands the listener to the supervisor. */
                        bool force = strcmp(name, "sendmsg") == 0 && prog->supervised;
                        for (size_t i = 0; i < ARRAY_SIZE(forced); i++)
                                force = force || strcmp(name, forced[i]) == 0;
                        if (force) {
                                prog->kind[nr] = SC_K_ALLOW;
                                prog->deny_reason[nr] = NULL;
                        }
                }
                if (prog->kind[nr] != SC_K_ALLOW && !prog->deny_reason[nr])
                        return -ENOMEM;
        }
        return 0;
}

/* ---- argument rule words ---------------------------------------------- */

static int parse_arg_rules(struct build *b)
{
        const struct sbx_policy *p = b->p;
        struct seccomp_prog *prog = b->prog;
        bool socket_seen = false;

        prog->ioctl_deny[0] = TIOCSTI;
        prog->ioctl_deny[1] = TIOCLINUX;
        prog->ioctl_always[0] = prog->ioctl_always[1] = true;
        prog->n_ioctl_deny = 2;

        for (size_t i = 0; i < p->sc_nargs; i++) {
                const struct arg_rule *a = &p->sc_args[i];
                bool is_socket = strcmp(a->syscall, "socket") == 0;
                if (!is_socket && strcmp(a->syscall, "ioctl") != 0)
                        return sbx_err_at(b->err, -EINVAL, a->loc.file, a->loc.line,
                                          "[seccomp]: no argument rule for '%s' (socket and ioctl have one)",
                                          a->syscall);
                if (is_socket) {
                        socket_seen = true;
                        b->socket_loc = &a->loc;
                } else {
                        b->ioctl_loc = &a->loc;
                }
                for (size_t j = 0; j < a->values.n; j++) {
                        const char *w = a->values.v[j];
                        const struct sbx_loc *l = &a->values.loc[j];
                        unsigned long v;
                        char *end = NULL;
                        if (is_socket && strcmp(w, "none") == 0)
                                continue;
                        if (syscall_const_value(is_socket ? syscall_af_names : syscall_ioctl_names, w, &v) < 0) {
                                errno = 0;
                                v = strtoul(w, &end, 0);
                                if (!*w || *end || errno || v > (is_socket ? 63UL : 0xffffffffUL))
                                        return sbx_err_at(b->err, -EINVAL, l->file ? l->file : a->loc.file,
                                                          l->file ? l->line : a->loc.line,
                                                          "[seccomp] %s: unknown %s '%s'", a->syscall,
                                                          is_socket ? "address family" : "ioctl request", w);
                        }
                        if (is_socket) {
                                prog->af_allowed |= 1ULL << v;
                                continue;
                        }
                        bool dup = false;
                        for (unsigned k = 0; k < prog->n_ioctl_deny; k++)
                                dup = dup || prog->ioctl_deny[k] == (uint32_t)v;
                        if (dup)
                                continue;
                        if (prog->n_ioctl_deny == SC_MAX_IOCTL_DENY)
                                return sbx_err_at(b->err, -E2BIG, a->loc.file, a->loc.line,
                                                  "[seccomp] ioctl: more than %d requests", SC_MAX_IOCTL_DENY - 2);
                        prog->ioctl_deny[prog->n_ioctl_deny++] = (uint32_t)v;
                }
        }
        if (!socket_seen)
                prog->af_allowed = 1ULL << AF_UNIX;

        prog->prctl_deny[prog->n_prctl_deny++] = PR_SET_MM;
        prog->prctl_deny[prog->n_prctl_deny++] = PR_SET_PTRACER;
        if (!p->sc_nested)
                prog->prctl_deny[prog->n_prctl_deny++] = PR_SET_SECCOMP;

        char fams[256] = "";
        size_t off = 0;
        for (unsigned f = 0; f < 64; f++) {
                if (!(prog->af_allowed & (1ULL << f)))
                        continue;
                const char *n = syscall_const_name(syscall_af_names, f);
                int k = n ? snprintf(fams + off, sizeof(fams) - off, " %s", n)
                          : snprintf(fams + off, sizeof(fams) - off, " %u", f);
                if (k > 0 && (size_t)k < sizeof(fams) - off)
                        off += (size_t)k;
        }
        prog->arg_reason[SC_R_IOCTL_ALWAYS] = "TIOCSTI and TIOCLINUX are always denied (terminal input injection)";
        prog->arg_reason[SC_R_IOCTL_PROFILE] = ownf(prog, "denied by %s [seccomp] ioctl",
                                                    loc_text(prog, b->ioctl_loc));
        prog->arg_reason[SC_R_SOCKET] = ownf(prog, "address family not in %s [seccomp] socket =%s",
                                             loc_text(prog, b->socket_loc), off ? fams : " none");
        prog->arg_reason[SC_R_USERNS] = "new user namespaces need user-namespaces = yes in [seccomp]";
        prog->arg_reason[SC_R_MEMFD_EXEC] = "executable memfds (MFD_EXEC) need memfd-exec = yes in [exec]";
        prog->arg_reason[SC_R_MEMFD_NOSEAL] = "memfd_create without MFD_NOEXEC_SEAL needs memfd-exec = yes "
                                              "in [exec] when there is no supervisor (sbx_confine)";
        prog->arg_reason[SC_R_PERSONALITY] = "only the PER_LINUX persona and the query (0xffffffff) are allowed";
        prog->arg_reason[SC_R_PRCTL_SECCOMP] = "installing seccomp filters needs nested = yes in [seccomp]";
        prog->arg_reason[SC_R_PRCTL] = "PR_SET_MM and PR_SET_PTRACER are always denied";
        prog->arg_reason[SC_R_WX] = "memory made executable that is or was writable (mmap W+X or shared+X, "
                                    "mprotect +X, shmat SHM_EXEC): refused by wx = yes in [seccomp]";
        for (size_t i = 0; i < SC_R_COUNT; i++)
                if (!prog->arg_reason[i])
                        return -ENOMEM;
        return 0;
}

/* ---- step 2: libseccomp rules ----------------------------------------- */

static struct scmp_arg_cmp masked(unsigned arg, uint64_t mask, uint64_t value)
{
        return (struct scmp_arg_cmp){ .arg = arg, .op = SCMP_CMP_MASKED_EQ, .datum_a = mask,
                                      .datum_b = value };
}

/* A rule whose action is the default is left out: it falls through to the
 * default anyway, and libseccomp refuses such rules. */
static int rule(struct build *b, uint32_t act, int nr, unsigned n, const struct scmp_arg_cmp *c)
{
        if (act == b->act_default)
                return 0;
        return seccomp_rule_add_exact_array(b->ctx, act, nr, n, c);
}

bool seccomp_wx_denied(int nr, const uint64_t args[6])
{
        const uint64_t wx = PROT_WRITE | PROT_EXEC;
        switch (nr) {
        case __NR_shmat: return args[2] & SHM_EXEC;
        case __NR_mprotect:
        case __NR_pkey_mprotect: return args[2] & PROT_EXEC;
        case __NR_mmap: return (args[2] & wx) == wx || ((args[2] & PROT_EXEC) && (args[3] & MAP_SHARED));
        default: return false;
        }
}

static bool wx_syscall(int nr)
{
        return nr == __NR_mmap || nr == __NR_mprotect || nr == __NR_pkey_mprotect || nr == __NR_shmat;
}

/* wx = yes, the part MDWE (wx.c) leaves to seccomp or that must hold
 * without it: no mapping writable and executable at once, no mprotect
 * that adds PROT_EXEC (the RW -> RX route), no shared executable mapping
 * of a file (a memfd or a shared file mapped a second time, writable), no
 * SysV segment attached SHM_EXEC (written through another attach). */
static int add_wx(struct build *b, int nr)
{
        const uint64_t wx = PROT_WRITE | PROT_EXEC;
        int r;
        if (nr == __NR_shmat) {
                struct scmp_arg_cmp c = masked(2, SHM_EXEC, 0);
                if ((r = rule(b, SCMP_ACT_ALLOW, nr, 1, &c)) < 0)
                        return r;
                c = masked(2, SHM_EXEC, SHM_EXEC);
                return rule(b, b->act_deny, nr, 1, &c);
        }
        struct scmp_arg_cmp c = masked(2, PROT_EXEC, 0);
        if ((r = rule(b, SCMP_ACT_ALLOW, nr, 1, &c)) < 0)
                return r;
        if (nr != __NR_mmap) {
                c = masked(2, PROT_EXEC, PROT_EXEC);
                return rule(b, b->act_deny, nr, 1, &c);
        }
        /* MAP_SHARED_VALIDATE (3) has the MAP_SHARED bit too. */
        struct scmp_arg_cmp two[2] = { masked(2, wx, PROT_EXEC), masked(3, MAP_SHARED, 0) };
        if ((r = rule(b, SCMP_ACT_ALLOW, nr, 2, two)) < 0)
                return r;
        two[1] = masked(3, MAP_SHARED, MAP_SHARED);
        if ((r = rule(b, b->act_deny, nr, 2, two)) < 0)
                return r;
        c = masked(2, wx, wx);
        return rule(b, b->act_deny, nr, 1, &c);
}

static int add_allowed(struct build *b, int nr)
{
        const struct seccomp_prog *prog = b->prog;
        struct scmp_arg_cmp c;
        int r;

        if ((nr == __NR_clone || nr == __NR_unshare) && !prog->userns) {
                /* Other namespace flags need CAP_SYS_ADMIN in the owning user
                 * namespace, which the program only gets through a new user
                 * namespace: refusing CLONE_NEWUSER is enough. */
                c = masked(0, CLONE_NEWUSER, 0);
                if ((r = rule(b, SCMP_ACT_ALLOW, nr, 1, &c)) < 0)
                        return r;
                c = masked(0, CLONE_NEWUSER, CLONE_NEWUSER);
                return rule(b, b->act_deny, nr, 1, &c);
        }
        if (nr == __NR_socket || nr == __NR_socketpair) {
                /* The kernel reads `family` as an int: compare 32 bits. */
                for (unsigned f = 0; f < 64; f++) {
                        if (!(prog->af_allowed & (1ULL << f)))
                                continue;
                        c = masked(0, 0xffffffffULL, f);
                        if ((r = rule(b, SCMP_ACT_ALLOW, nr, 1, &c)) < 0)
                                return r;
                }
                return 0;
        }
        if (nr == __NR_memfd_create && !prog->memfd_exec) {
                c = masked(1, MFD_EXEC, MFD_EXEC);
                if ((r = rule(b, b->act_deny, nr, 1, &c)) < 0)
                        return r;
                c = masked(1, MFD_EXEC | MFD_NOEXEC_SEAL, MFD_NOEXEC_SEAL);
                if ((r = rule(b, SCMP_ACT_ALLOW, nr, 1, &c)) < 0)
                        return r;
                /* Neither flag: the supervisor creates the memfd sealed
                 * non-executable and hands it over; without one, refuse. */
                c = masked(1, MFD_EXEC | MFD_NOEXEC_SEAL, 0);
                return rule(b, prog->supervised ? SCMP_ACT_NOTIFY : b->act_deny, nr, 1, &c);
        }
        if (prog->wx && wx_syscall(nr))
                return add_wx(b, nr);
        return rule(b, SCMP_ACT_ALLOW, nr, 0, NULL);
}

static int build_ctx(struct build *b)
{
        int r;
        if (!(b->ctx = seccomp_init(b->act_default)))
                return -ENOMEM;
        /* i386 (int 0x80) and, through libseccomp's own check on x86_64,
         * x32 numbers (nr >= 0x40000000) end here. */
        if ((r = seccomp_attr_set(b->ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS)) < 0 ||
            (r = seccomp_attr_set(b->ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2)) < 0)
                return r;
        for (size_t nr = 0; nr < b->prog->nr_max; nr++) {
                switch (b->prog->kind[nr]) {
                case SC_K_ALLOW:
                        r = add_allowed(b, (int)nr);
                        break;
                case SC_K_DENY:
                        r = rule(b, b->act_deny, (int)nr, 0, NULL);
                        break;
                case SC_K_ENOSYS:
                        r = rule(b, SCMP_ACT_ERRNO(ENOSYS), (int)nr, 0, NULL);
                        break;
                default:
                        r = 0;
                }
                if (r < 0)
                        return r;
        }
        return 0;
}

/* ---- step 3: sbx's prefix ---------------------------------------------- */

enum { L_SKIP, L_NOSYS, L_DENY, L_IOCTL, L_PRCTL, L_PERS, L_COUNT, NEXT = -1, OVER1 = -2 };

struct pfx {
        struct sock_filter v[192];
        int jt[192], jf[192];
        unsigned n;
        int pos[L_COUNT];
        bool overflow;
};

static void emit(struct pfx *a, uint16_t code, uint32_t k, int jt, int jf)
{
        if (a->n == ARRAY_SIZE(a->v)) {
                a->overflow = true;
                return;
        }
        a->v[a->n] = (struct sock_filter){ .code = code, .k = k };
        a->jt[a->n] = jt;
        a->jf[a->n] = jf;
        a->n++;
}

static void label(struct pfx *a, int l)
{
        a->pos[l] = (int)a->n;
}

#define LD_ABS (BPF_LD | BPF_W | BPF_ABS)
#define ARG_LO(i) ((uint32_t)(offsetof(struct seccomp_data, args) + 8 * (i))) /* little endian */

static int resolve_jump(const struct pfx *a, unsigned i, int l, uint8_t *ret)
{
        int off = l == NEXT ? 0 : l == OVER1 ? 1 : a->pos[l] - (int)i - 1;
        if (off < 0 || off > 255)
                return -E2BIG;
        *ret = (uint8_t)off;
        return 0;
}

static int build_prefix(const struct build *b, struct pfx *a)
{
        const struct seccomp_prog *prog = b->prog;
        memset(a, 0, sizeof(*a));

        emit(a, LD_ABS, offsetof(struct seccomp_data, arch), NEXT, NEXT);
        emit(a, BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, NEXT, L_SKIP);
        emit(a, LD_ABS, offsetof(struct seccomp_data, nr), NEXT, NEXT);
        /* x32 numbers (and -1 from a tracer) are libseccomp's to judge. */
        emit(a, BPF_JMP | BPF_JGE | BPF_K, X32_BIT, L_SKIP, NEXT);
        emit(a, BPF_JMP | BPF_JGT | BPF_K, (uint32_t)prog->nr_max - 1, L_NOSYS, NEXT);
        for (size_t nr = 0; nr < prog->nr_max;) {
                if (prog->kind[nr] != SC_K_UNKNOWN) {
                        nr++;
                        continue;
                }
                size_t lo = nr;
                while (nr < prog->nr_max && prog->kind[nr] == SC_K_UNKNOWN)
                        nr++;
                emit(a, BPF_JMP | BPF_JGE | BPF_K, (uint32_t)lo, NEXT, OVER1);
                emit(a, BPF_JMP | BPF_JGT | BPF_K, (uint32_t)nr - 1, NEXT, L_NOSYS);
        }
        bool ioctl = prog->kind[__NR_ioctl] == SC_K_ALLOW;
        bool prctl = prog->kind[__NR_prctl] == SC_K_ALLOW;
        bool pers = prog->kind[__NR_personality] == SC_K_ALLOW;
        if (ioctl)
                emit(a, BPF_JMP | BPF_JEQ | BPF_K, __NR_ioctl, L_IOCTL, NEXT);
        if (prctl)
                emit(a, BPF_JMP | BPF_JEQ | BPF_K, __NR_prctl, L_PRCTL, NEXT);
        if (pers)
                emit(a, BPF_JMP | BPF_JEQ | BPF_K, __NR_personality, L_PERS, NEXT);
        emit(a, BPF_JMP | BPF_JA, 0, L_SKIP, NEXT);
        if (ioctl) {
                /* The kernel truncates `cmd` to unsigned int, so only the low
                 * word counts: 0x100005412 is TIOCSTI. */
                label(a, L_IOCTL);
                emit(a, LD_ABS, ARG_LO(1), NEXT, NEXT);
                for (unsigned i = 0; i < prog->n_ioctl_deny; i++)
                        emit(a, BPF_JMP | BPF_JEQ | BPF_K, prog->ioctl_deny[i], L_DENY, NEXT);
                emit(a, BPF_JMP | BPF_JA, 0, L_SKIP, NEXT);
        }
        if (prctl) {
                label(a, L_PRCTL);
                emit(a, LD_ABS, ARG_LO(0), NEXT, NEXT);
                for (unsigned i = 0; i < prog->n_prctl_deny; i++)
                        emit(a, BPF_JMP | BPF_JEQ | BPF_K, prog->prctl_deny[i], L_DENY, NEXT);
                emit(a, BPF_JMP | BPF_JA, 0, L_SKIP, NEXT);
        }
        if (pers) {
                label(a, L_PERS);
                emit(a, LD_ABS, ARG_LO(0), NEXT, NEXT);
                emit(a, BPF_JMP | BPF_JEQ | BPF_K, 0 /* PER_LINUX */, L_SKIP, NEXT);
                emit(a, BPF_JMP | BPF_JEQ | BPF_K, 0xffffffffU, L_SKIP, L_DENY);
        }
        label(a, L_NOSYS);
        emit(a, BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS, NEXT, NEXT);
        label(a, L_DENY);
        emit(a, BPF_RET | BPF_K, b->act_deny, NEXT, NEXT);
        label(a, L_SKIP);
        if (a->overflow)
                return -E2BIG;

        for (unsigned i = 0; i < a->n; i++) {
                struct sock_filter *f = &a->v[i];
                int r;
                if (f->code == (BPF_JMP | BPF_JA)) {
                        uint8_t off;
                        if ((r = resolve_jump(a, i, a->jt[i], &off)) < 0)
                                return r;
                        f->k = off;
                } else if (BPF_CLASS(f->code) == BPF_JMP) {
                        if ((r = resolve_jump(a, i, a->jt[i], &f->jt)) < 0 ||
                            (r = resolve_jump(a, i, a->jf[i], &f->jf)) < 0)
                                return r;
                }
        }
        return 0;
}

/* ---- step 4: export, compile -------------------------------- */

static int read_all(int fd, char **ret, size_t *ret_len)
{
        off_t end = lseek(fd, 0, SEEK_END);
        if (end < 0)
                return -errno;
        if (end > (1 << 20))
                return -EFBIG;
        char *buf = malloc((size_t)end + 1);
        if (!buf)
                return -ENOMEM;
        size_t got = 0;
        while (got < (size_t)end) {
                ssize_t n = pread(fd, buf + got, (size_t)end - got, (off_t)got);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0) {
                        int e = n < 0 ? -errno : -EIO;
                        free(buf);
                        return e;
                }
                got += (size_t)n;
        }
        buf[got] = '\0';
        *ret = buf;
        *ret_len = got;
        return 0;
}

static int export_to_mem(scmp_filter_ctx ctx, bool pfc, char **ret, size_t *ret_len)
{
        _cleanup_close_ int fd = memfd_create("sbx-seccomp", MFD_CLOEXEC);
        if (fd < 0)
                return -errno;
        int r = pfc ? seccomp_export_pfc(ctx, fd) : seccomp_export_bpf(ctx, fd);
        if (r < 0)
                return r;
        return read_all(fd, ret, ret_len);
}

static int set_actions(struct build *b, struct sbx_error **err)
{
        struct seccomp_prog *prog = b->prog;
        const struct sbx_policy *p = b->p;
        int e = p->sc_errno ? p->sc_errno : EPERM;

        if (e < 1 || e > 4095)
                return sbx_err_setup(err, -EINVAL, "seccomp", "errno %d out of range", e);
        prog->deny_errno = e;
        prog->errno_name = strerrorname_np(e);
        if (!prog->errno_name && !(prog->errno_name = ownf(prog, "%d", e)))
                return -ENOMEM;
        prog->action = p->sc_action;
        prog->supervised = (b->flags & SC_SUPERVISED) && !(b->flags & SC_SELF);
        prog->userns = p->sc_userns;
        prog->nested = p->sc_nested;
        prog->wx = p->sc_wx;
        prog->memfd_exec = p->memfd_exec;
        if (p->sc_action == DENY_NOTIFY && !prog->supervised)
                return sbx_err_kind(err, SBX_ERROR_SETUP, -EOPNOTSUPP, "seccomp",
                                    "action = notify needs the supervisor of `sbx run`; a process "
                                    "confining itself has none");
        prog->report = prog->supervised &&
                       ((b->flags & SC_LOG_DENIALS) || p->sc_action == DENY_NOTIFY || p->sc_action == DENY_LOG);

        uint32_t act_errno = SCMP_ACT_ERRNO((uint32_t)e);
        if (prog->report) {
                /* The supervisor answers: errno, kill, or (log, for calls
                 * that are merely not allowed) let it run. */
                b->act_default = b->act_deny = SCMP_ACT_NOTIFY;
        } else if (p->sc_action == DENY_KILL) {
                b->act_default = b->act_deny = SCMP_ACT_KILL_PROCESS;
        } else if (p->sc_action == DENY_LOG) {
                b->act_default = SCMP_ACT_LOG;
                b->act_deny = act_errno;
        } else {
                b->act_default = b->act_deny = act_errno;
        }
        return 0;
}

static void build_free(struct build *b)
{
        if (b->ctx)
                seccomp_release(b->ctx);
        free(b->allow);
        free(b->override);
        free(b->danger);
        free(b->deny_loc);
        free(b->deny_word);
}

static int build_prepare(const struct sbx_policy *p, unsigned flags, struct seccomp_prog *prog,
                         struct build *b, struct sbx_error **err)
{
        int r;
        memset(prog, 0, sizeof(*prog));
        *b = (struct build){ .p = p, .flags = flags, .prog = prog, .err = err };
        prog->names = calloc(NR_BOUND, sizeof(*prog->names));
        prog->deny_reason = calloc(NR_BOUND, sizeof(*prog->deny_reason));
        prog->kind = calloc(NR_BOUND, sizeof(*prog->kind));
        b->allow = calloc(NR_BOUND, sizeof(*b->allow));
        b->override = calloc(NR_BOUND, sizeof(*b->override));
        b->danger = calloc(NR_BOUND, sizeof(*b->danger));
        b->deny_loc = calloc(NR_BOUND, sizeof(*b->deny_loc));
        b->deny_word = calloc(NR_BOUND, sizeof(*b->deny_word));
        if (!prog->names || !prog->deny_reason || !prog->kind || !b->allow || !b->override || !b->danger ||
            !b->deny_loc || !b->deny_word)
                return -ENOMEM;
        if ((r = set_actions(b, err)) < 0 || (r = parse_arg_rules(b)) < 0 || (r = decide(b)) < 0)
                return r;
        if (prog->nr_max <= __NR_personality || prog->nr_max <= __NR_memfd_create)
                return sbx_err_kind(err, SBX_ERROR_INTERNAL, -EINVAL, "seccomp", "syscall table too small");
        prog->needs_listener = prog->supervised &&
                               (prog->report || (prog->kind[__NR_memfd_create] == SC_K_ALLOW && !prog->memfd_exec));
        return 0;
}

static int compile_fresh(struct build *b, struct sbx_error **err)
{
        struct seccomp_prog *prog = b->prog;
        _cleanup_free_ char *bpf = NULL;
        size_t len = 0;
        struct pfx *a = NULL;
        int r;

        if ((r = build_ctx(b)) < 0)
                return sbx_err_setup(err, r, "seccomp", "building the filter with libseccomp");
        if ((r = export_to_mem(b->ctx, false, &bpf, &len)) < 0)
                return sbx_err_setup(err, r, "seccomp", "exporting the filter");
        if (len % sizeof(struct sock_filter) || !len)
                return sbx_err_kind(err, SBX_ERROR_INTERNAL, -EINVAL, "seccomp", "odd BPF size %zu", len);
        if (!(a = malloc(sizeof(*a))))
                return -ENOMEM;
        if ((r = build_prefix(b, a)) < 0) {
                free(a);
                return sbx_err_setup(err, r, "seccomp", "argument rules too long");
        }
        size_t n = a->n + len / sizeof(struct sock_filter);
        if (n > BPF_MAXINSNS) {
                free(a);
                return sbx_err_setup(err, -E2BIG, "seccomp", "filter of %zu instructions", n);
        }
        prog->insns = malloc(n * sizeof(struct sock_filter));
        if (!prog->insns) {
                free(a);
                return -ENOMEM;
        }
        memcpy(prog->insns, a->v, a->n * sizeof(struct sock_filter));
        memcpy(prog->insns + a->n, bpf, len);
        prog->len = (unsigned short)n;
        free(a);
        return 0;
}

int seccomp_compile(const struct sbx_policy *p, unsigned flags, struct seccomp_prog *ret,
                    struct sbx_error **err)
{
        uint64_t t0 = now_ns();
        struct build b;
        int r;

        r = build_prepare(p, flags, ret, &b, err);
        if (r >= 0 && ret->needs_listener) {
                struct seccomp_notif_sizes sz;
                if (syscall(SYS_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &sz) < 0)
                        r = sbx_err_setup(err, -errno, "seccomp", "SECCOMP_GET_NOTIF_SIZES");
                else {
                        ret->notif_size = sz.seccomp_notif;
                        ret->resp_size = sz.seccomp_notif_resp;
                }
        }
        if (r >= 0)
                r = compile_fresh(&b, err);
        build_free(&b);
        if (r < 0) {
                seccomp_prog_done(ret);
                return r;
        }
        ret->build_ns = now_ns() - t0;
        return 0;
}

int seccomp_prog_pfc(const struct sbx_policy *p, unsigned flags, char **ret, struct sbx_error **err)
{
        struct seccomp_prog prog;
        struct build b;
        size_t len;
        int r = build_prepare(p, flags, &prog, &b, err);
        if (r >= 0 && (r = build_ctx(&b)) < 0)
                sbx_err_setup(err, r, "seccomp", "building the filter with libseccomp");
        if (r >= 0 && (r = export_to_mem(b.ctx, true, ret, &len)) < 0)
                sbx_err_setup(err, r, "seccomp", "exporting the filter");
        build_free(&b);
        seccomp_prog_done(&prog);
        return r < 0 ? r : 0;
}

void seccomp_prog_done(struct seccomp_prog *prog)
{
        if (!prog)
                return;
        free(prog->insns);
        free(prog->names);
        free(prog->deny_reason);
        free(prog->kind);
        for (size_t i = 0; i < prog->nowned; i++)
                free(prog->owned[i]);
        free(prog->owned);
        memset(prog, 0, sizeof(*prog));
}

/* ---- child side --------------------------------------------------------- */

int seccomp_prog_load(const struct seccomp_prog *prog, bool tsync)
{
        struct sock_fprog f = { .len = prog->len, .filter = prog->insns };
        unsigned long flags = 0;

        if (!prog->insns || !prog->len)
                return -EINVAL;
        if (prog->needs_listener)
                flags |= SECCOMP_FILTER_FLAG_NEW_LISTENER;
        if (tsync) {
                flags |= SECCOMP_FILTER_FLAG_TSYNC;
                /* With a listener the return value is the fd, so a thread
                 * that cannot be synchronised must be reported as ESRCH. */
                if (prog->needs_listener)
                        flags |= SECCOMP_FILTER_FLAG_TSYNC_ESRCH;
        }
        long r = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &f);
        if (r < 0)
                return -errno;
        if (prog->needs_listener)
                return (int)r;
        /* TSYNC without a listener: a positive value is a thread that could
         * not be synchronised; the filter was not installed. */
        return r > 0 ? -ESRCH : 0;
}
