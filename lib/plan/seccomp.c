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
 * The program is sbx's own (step 2), not libseccomp's: libseccomp's rule
 * model cannot say "any ioctl cmd but TIOCSTI" (each argument compared
 * once per rule, no overlapping conditions of different actions), and
 * building a filter with it cost more than the rest of a launch's policy
 * work (2.5 ms of a cold start, for ~470 name lookups and its optimiser).
 * The syscall names are libseccomp's table, copied at build time
 * (syscalls.c); tests/test_seccomp_model.c checks every number and
 * argument class of the program against supervisor_decide(), the same
 * rules written as C.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/seccomp.h>
#include <sched.h>
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
#include "profile/profile.h"
#include "plan/seccomp.h"
#include "base/sha256.h"
#include "syscalls/syscalls.h"
#include "base/util.h"


#define NR_BOUND 1024 /* native numbers above this are never in the tables */
#define X32_BIT 0x40000000U

struct build {
        const struct sbx_policy *p;
        unsigned flags;
        struct seccomp_prog *prog;
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

enum list_kind { L_ALLOW, L_OVERRIDE, L_DENY };

/* Each entry of an [seccomp] list (a syscall or @group) into the per-nr
 * tables; an unknown one is the profile's error, at its line. */
static int expand_list(struct build *b, const struct strlist *l, enum list_kind kind)
{
        for (size_t i = 0; i < l->n; i++) {
                struct syscall_set set = { 0 };
                int r = syscall_set_add(&set, l->v[i]);
                if (r == -ENOENT)
                        return sbx_err_at(b->err, -EINVAL, l->loc[i].file, l->loc[i].line,
                                          "[seccomp]: unknown syscall or group '%s'", l->v[i]);
                if (r < 0)
                        return r;
                for (int nr = 0; nr < NR_BOUND; nr++) {
                        if (!syscall_set_has(&set, nr))
                                continue;
                        if (kind == L_OVERRIDE)
                                b->override[nr] = b->allow[nr] = true;
                        else if (kind == L_ALLOW)
                                b->allow[nr] = true;
                        else if (!b->deny_loc[nr]) {
                                b->deny_loc[nr] = &l->loc[i];
                                b->deny_word[nr] = l->v[i];
                        }
                }
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

        /* Known to sbx: in some group.  Dangerous: in a dangerous one (the
         * first such group is named in the reason). */
        for (size_t i = 0; i < syscall_groups_count; i++) {
                const struct syscall_group *g = &syscall_groups[i];
                const struct syscall_set *gs = syscall_group_set(g);
                if (!gs)
                        return -ENOMEM;
                for (int nr = 0; nr < NR_BOUND; nr++) {
                        if (!syscall_set_has(gs, nr))
                                continue;
                        if (!prog->names[nr]) {
                                prog->names[nr] = syscall_name(nr);
                                if (nr + 1 > b->cur_nr_max)
                                        b->cur_nr_max = nr + 1;
                        }
                        if (g->dangerous && !b->danger[nr])
                                b->danger[nr] = g;
                }
        }
        prog->nr_max = (size_t)b->cur_nr_max;

        if ((r = expand_list(b, &p->sc_allow, L_ALLOW)) < 0 ||
            (r = expand_list(b, &p->sc_override, L_OVERRIDE)) < 0 ||
            (r = expand_list(b, &p->sc_deny, L_DENY)) < 0)
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

        const char *memfd_why = NULL;
        if (p->sc_memfd == MEMFD_NO)
                memfd_why = ownf(prog, "memfd_create refused by %s [seccomp] memfd = no",
                                 loc_text(prog, &p->scalar_loc[K_SC_MEMFD]));
        else if (p->sc_memfd == MEMFD_AUTO && p->sc_wx)
                memfd_why = ownf(prog, "memfd_create refused under wx = yes (%s): a memfd mapped writable "
                                 "and again executable runs code written after it was mapped; "
                                 "memfd = yes in [seccomp] lets it through and leaves that open",
                                 loc_text(prog, &p->scalar_loc[K_SC_WX]));
        else if (p->sc_memfd == MEMFD_AUTO && (b->flags & SC_MEM_RLIMIT))
                memfd_why = ownf(prog, "memfd_create refused: [limits] memory (%s) is held by rlimits here "
                                 "(no writable memory cgroup), and a memfd holds memory no rlimit "
                                 "counts; memfd = yes in [seccomp] and memory in [limits] optional let "
                                 "it through", loc_text(prog, &p->scalar_loc[K_LIM_MEMORY]));
        const char *shm_why = !(b->flags & SC_MEM_RLIMIT) ? NULL
                : ownf(prog, "shmget refused: [limits] memory (%s) is held by rlimits here (no writable "
                       "memory cgroup), and a SysV segment keeps its memory after every mapping of it "
                       "is gone; memory in [limits] optional lets it through",
                       loc_text(prog, &p->scalar_loc[K_LIM_MEMORY]));
        bool refuse_memfd = p->sc_memfd == MEMFD_NO ||
                            (p->sc_memfd == MEMFD_AUTO && (p->sc_wx || (b->flags & SC_MEM_RLIMIT)));
        if ((refuse_memfd && !memfd_why) || ((b->flags & SC_MEM_RLIMIT) && !shm_why))
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
                /* The override is the command line that lifts exactly the
                 * rule that decided (a word of `deny` removed, the call
                 * added to `allow` or `override`). */
                if (b->deny_loc[nr]) {
                        prog->kind[nr] = SC_K_DENY;
                        prog->deny_reason[nr] = ownf(prog, "denied by %s [seccomp] deny = %s",
                                                     loc_text(prog, b->deny_loc[nr]), b->deny_word[nr]);
                        prog->override[nr] = ownf(prog, "--set seccomp.deny=!%s", b->deny_word[nr]);
                } else if (strcmp(name, "seccomp") == 0 && !p->sc_nested) {
                        prog->kind[nr] = SC_K_DENY;
                        prog->deny_reason[nr] = nested;
                        prog->override[nr] = "--set seccomp.nested=yes";
                } else if (strcmp(name, "seccomp") == 0) {
                        prog->kind[nr] = SC_K_ALLOW;
                } else if (g && !b->override[nr]) {
                        prog->kind[nr] = SC_K_DENY;
                        prog->deny_reason[nr] = ownf(prog, "always denied (%s); only `override = %s` "
                                                     "in [seccomp] lets it through", g->name, name);
                        prog->override[nr] = ownf(prog, "--set seccomp.override=%s", name);
                } else if (b->allow[nr] && refuse_memfd && strcmp(name, "memfd_create") == 0) {
                        /* As a kernel without memfds would answer: toolkits
                         * (GTK's Wayland buffers) then fall back to shm_open
                         * on the sandbox's /dev/shm, a noexec tmpfs sized by
                         * tmpfs-size (and by memory without a cgroup), where
                         * neither W^X nor the limit is lost. */
                        prog->kind[nr] = SC_K_ENOSYS;
                        prog->deny_reason[nr] = memfd_why;
                } else if (b->allow[nr] && shm_why && strcmp(name, "shmget") == 0) {
                        prog->kind[nr] = SC_K_DENY;
                        prog->deny_reason[nr] = shm_why;
                        prog->override[nr] = ownf(prog, "--set limits.optional=memory");
                } else if (b->allow[nr]) {
                        prog->kind[nr] = SC_K_ALLOW;
                } else {
                        prog->kind[nr] = SC_K_NOT_ALLOWED;
                        prog->deny_reason[nr] = not_allowed;
                        prog->override[nr] = ownf(prog, "--set seccomp.allow=%s", name);
                }
                if (!(b->flags & SC_SELF)) {
                        /* sendmsg hands the listener to the supervisor. */
                        bool force = strcmp(name, "sendmsg") == 0 && prog->supervised;
                        for (size_t i = 0; i < ARRAY_SIZE(forced); i++)
                                force = force || strcmp(name, forced[i]) == 0;
                        if (force) {
                                prog->kind[nr] = SC_K_ALLOW;
                                prog->deny_reason[nr] = NULL;
                                prog->override[nr] = NULL;
                        }
                }
                if (prog->kind[nr] != SC_K_ALLOW && !prog->deny_reason[nr])
                        return -ENOMEM;
                if ((prog->kind[nr] == SC_K_DENY || prog->kind[nr] == SC_K_NOT_ALLOWED) && !prog->override[nr])
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
        /* "" where sbx offers no way round (the terminal, PR_SET_MM);
         * the socket and ioctl overrides are completed with the value. */
        prog->arg_override[SC_R_IOCTL_ALWAYS] = "";
        prog->arg_override[SC_R_IOCTL_PROFILE] = "--set seccomp.ioctl=!";
        prog->arg_override[SC_R_SOCKET] = "--set seccomp.socket=";
        prog->arg_override[SC_R_USERNS] = "--set seccomp.user-namespaces=yes";
        prog->arg_override[SC_R_MEMFD_EXEC] = "--set exec.memfd-exec=yes";
        prog->arg_override[SC_R_MEMFD_NOSEAL] = "--set exec.memfd-exec=yes";
        prog->arg_override[SC_R_PERSONALITY] = "";
        prog->arg_override[SC_R_PRCTL_SECCOMP] = "--set seccomp.nested=yes";
        prog->arg_override[SC_R_PRCTL] = "";
        prog->arg_override[SC_R_WX] = "--set seccomp.wx=no";
        for (size_t i = 0; i < SC_R_COUNT; i++)
                if (!prog->arg_reason[i])
                        return -ENOMEM;
        return 0;
}

/* ---- step 2: the BPF program ------------------------------------------- */

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

/* The calls whose path, program or address sbx learn needs: every way to
 * name a file (open, look at, change, create, remove, execute), and to
 * reach an address (connect, bind, sendto).  Calls on an fd alone are
 * not needed: the fd was named by one of these first. */
static const int learn_syscalls[] = {
        __NR_open, __NR_openat, __NR_openat2, __NR_creat, __NR_execve, __NR_execveat,
        __NR_stat, __NR_lstat, __NR_newfstatat, __NR_statx, __NR_access, __NR_faccessat,
        __NR_faccessat2, __NR_readlink, __NR_readlinkat, __NR_mkdir, __NR_mkdirat, __NR_unlink,
        __NR_unlinkat, __NR_rmdir, __NR_rename, __NR_renameat, __NR_renameat2, __NR_link,
        __NR_linkat, __NR_symlink, __NR_symlinkat, __NR_truncate, __NR_chdir, __NR_chmod,
        __NR_fchmodat, __NR_chown, __NR_lchown, __NR_fchownat, __NR_utimes, __NR_utimensat,
        __NR_futimesat, __NR_utime, __NR_mknod, __NR_mknodat, __NR_statfs, __NR_getxattr,
        __NR_lgetxattr, __NR_listxattr, __NR_llistxattr, __NR_setxattr, __NR_lsetxattr,
        __NR_inotify_add_watch, __NR_connect, __NR_bind, __NR_sendto,
};

bool seccomp_learn_syscall(int nr)
{
        for (size_t i = 0; i < ARRAY_SIZE(learn_syscalls); i++)
                if (learn_syscalls[i] == nr)
                        return true;
        return false;
}

bool seccomp_learn_notified(const struct seccomp_prog *prog, int nr, const uint64_t args[6])
{
        if (!prog->learn || nr < 0 || (size_t)nr >= prog->nr_max || prog->kind[nr] != SC_K_ALLOW)
                return false;
        if (nr == __NR_newfstatat)
                return !((uint32_t)args[3] & AT_EMPTY_PATH);
        if (nr == __NR_statx)
                return !((uint32_t)args[2] & AT_EMPTY_PATH);
        return seccomp_learn_syscall(nr);
}

static bool wx_syscall(int nr)
{
        return nr == __NR_mmap || nr == __NR_mprotect || nr == __NR_pkey_mprotect || nr == __NR_shmat;
}

/* A small assembler: instructions whose jumps name labels, resolved once
 * the program is complete.  Conditional jumps only ever skip a few
 * instructions (an offset over 255 is an error, never a wrap); distances
 * of any size go through BPF_JA, whose offset is 32 bits. */
enum { NEXT = -1, SKIP1 = -2 };

struct bpf_asm {
        struct sock_filter *v;
        int *jt, *jf;       /* label, NEXT or SKIP1; jt is BPF_JA's target */
        size_t n, cap;
        int *pos;           /* per label: its instruction, -1 until placed */
        size_t nlabels, label_cap;
        bool nomem;
};

static void asm_emit(struct bpf_asm *a, uint16_t code, uint32_t k, int jt, int jf)
{
        if (a->n == a->cap) {
                size_t cap = a->cap ? a->cap * 2 : 256;
                struct sock_filter *v = realloc(a->v, cap * sizeof(*v));
                if (v)
                        a->v = v;
                int *t = v ? realloc(a->jt, cap * sizeof(int)) : NULL;
                if (t)
                        a->jt = t;
                int *f = t ? realloc(a->jf, cap * sizeof(int)) : NULL;
                if (f)
                        a->jf = f;
                if (!f) {
                        a->nomem = true;
                        return;
                }
                a->cap = cap;
        }
        a->v[a->n] = (struct sock_filter){ .code = code, .k = k };
        a->jt[a->n] = jt;
        a->jf[a->n] = jf;
        a->n++;
}

static int asm_label(struct bpf_asm *a)
{
        if (a->nlabels == a->label_cap) {
                size_t cap = a->label_cap ? a->label_cap * 2 : 64;
                int *p = realloc(a->pos, cap * sizeof(int));
                if (!p) {
                        a->nomem = true;
                        return NEXT;
                }
                a->pos = p;
                a->label_cap = cap;
        }
        a->pos[a->nlabels] = -1;
        return (int)a->nlabels++;
}

static void asm_place(struct bpf_asm *a, int label)
{
        if (label >= 0)
                a->pos[label] = (int)a->n;
}

static int asm_offset(const struct bpf_asm *a, size_t i, int target, uint32_t max, uint32_t *ret)
{
        long off;
        if (target == NEXT)
                off = 0;
        else if (target == SKIP1)
                off = 1;
        else if (target >= 0 && (size_t)target < a->nlabels && a->pos[target] >= 0)
                off = (long)a->pos[target] - (long)i - 1;
        else
                return -EINVAL;
        if (off < 0 || (unsigned long)off > max || i + 1 + (size_t)off >= a->n)
                return -E2BIG;
        *ret = (uint32_t)off;
        return 0;
}

static int asm_resolve(struct bpf_asm *a)
{
        if (a->nomem)
                return -ENOMEM;
        for (size_t i = 0; i < a->n; i++) {
                struct sock_filter *f = &a->v[i];
                uint32_t t, e;
                int r;
                if (BPF_CLASS(f->code) != BPF_JMP)
                        continue;
                if (BPF_OP(f->code) == BPF_JA) {
                        if ((r = asm_offset(a, i, a->jt[i], UINT32_MAX, &f->k)) < 0)
                                return r;
                        continue;
                }
                if ((r = asm_offset(a, i, a->jt[i], 255, &t)) < 0 || (r = asm_offset(a, i, a->jf[i], 255, &e)) < 0)
                        return r;
                f->jt = (uint8_t)t;
                f->jf = (uint8_t)e;
        }
        return 0;
}

static void asm_free(struct bpf_asm *a)
{
        free(a->v);
        free(a->jt);
        free(a->jf);
        free(a->pos);
}

#define LD_ABS (BPF_LD | BPF_W | BPF_ABS)
#define JEQ (BPF_JMP | BPF_JEQ | BPF_K)
#define JGE (BPF_JMP | BPF_JGE | BPF_K)
#define JSET (BPF_JMP | BPF_JSET | BPF_K)
#define RET (BPF_RET | BPF_K)
/* The low word of an argument (little endian).  Every rule compares 32
 * bits: the kernel truncates ioctl's cmd, prctl's option, personality,
 * socket's family and the flags words to int, and CLONE_NEWUSER is in the
 * low word of clone's 64-bit flags. */
#define ARG_LO(i) ((uint32_t)(offsetof(struct seccomp_data, args) + 8 * (i)))
#define ARG_HI(i) (ARG_LO(i) + 4)

/* What the program does with one syscall number: return a fixed action,
 * or run the argument rules of that syscall. */
enum leaf_kind { LEAF_RET, LEAF_IOCTL, LEAF_PRCTL, LEAF_PERSONALITY, LEAF_CLONE, LEAF_SOCKET, LEAF_MEMFD, LEAF_WX,
                 LEAF_LEARN_AT, LEAF_EXEC, LEAF_OPEN_WRITE, LEAF_PATH };

/* The flags that make an open a write (O_TMPFILE needs O_WRONLY or O_RDWR). */
#define OPEN_WRITE_FLAGS (O_WRONLY | O_RDWR | O_CREAT | O_TRUNC)

/* Calls observed by number alone (their arguments are read by the
 * supervisor); open and openat are observed by their flags, execve unless
 * it is sbx's own. */
static bool observed_by_nr(unsigned observe, int nr)
{
        switch (nr) {
        case __NR_execveat:
                return observe & SC_OBS_EXEC;
        case __NR_bind:
        case __NR_connect:
                return observe & SC_OBS_NET;
        case __NR_creat:
        case __NR_openat2:
        case __NR_mkdir:
        case __NR_mkdirat:
        case __NR_mknod:
        case __NR_mknodat:
        case __NR_unlink:
        case __NR_unlinkat:
        case __NR_rmdir:
        case __NR_rename:
        case __NR_renameat:
        case __NR_renameat2:
        case __NR_link:
        case __NR_linkat:
        case __NR_symlink:
        case __NR_symlinkat:
        case __NR_truncate:
                return observe & SC_OBS_WRITE;
        default:
                return false;
        }
}

/* The argument whose AT_EMPTY_PATH makes a stat call an fstat (not
 * observed: no path), or -1. */
static int empty_path_arg(int nr)
{
        return nr == __NR_newfstatat ? 3 : nr == __NR_statx ? 2 : nr == __NR_faccessat2 ? 3 : -1;
}

static bool read_observed(int nr)
{
        switch (nr) {
        case __NR_open:
        case __NR_openat:
        case __NR_openat2:
        case __NR_stat:
        case __NR_lstat:
        case __NR_newfstatat:
        case __NR_statx:
        case __NR_access:
        case __NR_faccessat:
        case __NR_faccessat2:
                return true;
        default:
                return false;
        }
}

bool seccomp_observed(const struct seccomp_prog *prog, int nr, const uint64_t args[6])
{
        if (!prog->supervised || !prog->observe)
                return false;
        if (nr == __NR_execve)
                return (prog->observe & SC_OBS_EXEC) && args[0] != prog->own_exec;
        if ((prog->observe & SC_OBS_READ) && read_observed(nr)) {
                int e = empty_path_arg(nr);
                return e < 0 || !((uint32_t)args[e] & AT_EMPTY_PATH);
        }
        if (nr == __NR_open && (prog->observe & SC_OBS_WRITE))
                return (uint32_t)args[1] & OPEN_WRITE_FLAGS;
        if (nr == __NR_openat && (prog->observe & SC_OBS_WRITE))
                return (uint32_t)args[2] & OPEN_WRITE_FLAGS;
        return observed_by_nr(prog->observe, nr);
}

struct leaf {
        enum leaf_kind kind;
        uint32_t ret; /* LEAF_RET */
};

static struct leaf leaf_of(const struct build *b, size_t nr)
{
        const struct seccomp_prog *prog = b->prog;
        switch (nr < prog->nr_max ? prog->kind[nr] : SC_K_UNKNOWN) {
        case SC_K_UNKNOWN:
        case SC_K_ENOSYS:
                return (struct leaf){ LEAF_RET, SECCOMP_RET_ERRNO | ENOSYS };
        case SC_K_DENY:
                return (struct leaf){ LEAF_RET, b->act_deny };
        case SC_K_NOT_ALLOWED:
                return (struct leaf){ LEAF_RET, b->act_default };
        case SC_K_ALLOW:
                break;
        }
        switch (nr) {
        case __NR_ioctl: return (struct leaf){ LEAF_IOCTL, 0 };
        case __NR_prctl: return (struct leaf){ LEAF_PRCTL, 0 };
        case __NR_personality: return (struct leaf){ LEAF_PERSONALITY, 0 };
        case __NR_socket:
        case __NR_socketpair: return (struct leaf){ LEAF_SOCKET, 0 };
        case __NR_clone:
        case __NR_unshare:
                /* Other namespace flags need CAP_SYS_ADMIN in the owning user
                 * namespace, which the program only gets through a new user
                 * namespace: refusing CLONE_NEWUSER is enough. */
                if (!prog->userns)
                        return (struct leaf){ LEAF_CLONE, 0 };
                break;
        case __NR_memfd_create:
                if (!prog->memfd_exec)
                        return (struct leaf){ LEAF_MEMFD, 0 };
                break;
        case __NR_newfstatat:
        case __NR_statx:
                /* fstat() is newfstatat(fd, "", AT_EMPTY_PATH): no path. */
                if (prog->learn)
                        return (struct leaf){ LEAF_LEARN_AT, 0 };
                break;
        default:
                if (prog->learn && seccomp_learn_syscall((int)nr))
                        return (struct leaf){ LEAF_RET, SECCOMP_RET_USER_NOTIF };
                if (prog->wx && wx_syscall((int)nr))
                        return (struct leaf){ LEAF_WX, 0 };
        }
        if (prog->supervised && prog->observe) {
                if (nr == __NR_execve && (prog->observe & SC_OBS_EXEC))
                        return (struct leaf){ LEAF_EXEC, 0 };
                if ((prog->observe & SC_OBS_READ) && read_observed((int)nr))
                        return empty_path_arg((int)nr) >= 0 ? (struct leaf){ LEAF_PATH, 0 }
                                                            : (struct leaf){ LEAF_RET, SECCOMP_RET_USER_NOTIF };
                if ((nr == __NR_open || nr == __NR_openat) && (prog->observe & SC_OBS_WRITE))
                        return (struct leaf){ LEAF_OPEN_WRITE, 0 };
                if (observed_by_nr(prog->observe, (int)nr))
                        return (struct leaf){ LEAF_RET, SECCOMP_RET_USER_NOTIF };
        }
        return (struct leaf){ LEAF_RET, SECCOMP_RET_ALLOW };
}

/* "Deny these values of one argument, allow the rest" (ioctl, prctl). */
static void emit_deny_values(struct bpf_asm *a, const struct build *b, unsigned arg, const uint32_t *v,
                             unsigned n)
{
        int deny = asm_label(a);
        asm_emit(a, LD_ABS, ARG_LO(arg), NEXT, NEXT);
        for (unsigned i = 0; i < n; i++)
                asm_emit(a, JEQ, v[i], deny, NEXT);
        asm_emit(a, RET, SECCOMP_RET_ALLOW, NEXT, NEXT);
        asm_place(a, deny);
        asm_emit(a, RET, b->act_deny, NEXT, NEXT);
}

/* The argument rules of syscall nr; every path ends in a return. */
static void emit_leaf(struct bpf_asm *a, const struct build *b, size_t nr, struct leaf l)
{
        const struct seccomp_prog *prog = b->prog;
        int allow;
        switch (l.kind) {
        case LEAF_RET:
                asm_emit(a, RET, l.ret, NEXT, NEXT);
                return;
        case LEAF_IOCTL:
                /* 0x100005412 is TIOCSTI too: cmd is an unsigned int. */
                emit_deny_values(a, b, 1, prog->ioctl_deny, prog->n_ioctl_deny);
                return;
        case LEAF_PRCTL:
                emit_deny_values(a, b, 0, prog->prctl_deny, prog->n_prctl_deny);
                return;
        case LEAF_PERSONALITY:
                /* PER_LINUX, and 0xffffffff, the query. */
                allow = asm_label(a);
                asm_emit(a, LD_ABS, ARG_LO(0), NEXT, NEXT);
                asm_emit(a, JEQ, 0, allow, NEXT);
                asm_emit(a, JEQ, 0xffffffffU, allow, NEXT);
                asm_emit(a, RET, b->act_deny, NEXT, NEXT);
                asm_place(a, allow);
                asm_emit(a, RET, SECCOMP_RET_ALLOW, NEXT, NEXT);
                return;
        case LEAF_CLONE:
                asm_emit(a, LD_ABS, ARG_LO(0), NEXT, NEXT);
                asm_emit(a, JSET, CLONE_NEWUSER, NEXT, SKIP1);
                asm_emit(a, RET, b->act_deny, NEXT, NEXT);
                asm_emit(a, RET, SECCOMP_RET_ALLOW, NEXT, NEXT);
                return;
        case LEAF_SOCKET:
                /* A family not listed is "not allowed", like a syscall
                 * outside `allow` (logged and let through by action = log). */
                allow = asm_label(a);
                asm_emit(a, LD_ABS, ARG_LO(0), NEXT, NEXT);
                for (unsigned f = 0; f < 64; f++)
                        if (prog->af_allowed & (1ULL << f))
                                asm_emit(a, JEQ, f, allow, NEXT);
                asm_emit(a, RET, b->act_default, NEXT, NEXT);
                asm_place(a, allow);
                asm_emit(a, RET, SECCOMP_RET_ALLOW, NEXT, NEXT);
                return;
        case LEAF_MEMFD:
                /* MFD_EXEC: refused.  MFD_NOEXEC_SEAL: allowed.  Neither:
                 * the supervisor creates the memfd sealed non-executable
                 * and hands it over; without one, refused. */
                asm_emit(a, LD_ABS, ARG_LO(1), NEXT, NEXT);
                asm_emit(a, JSET, MFD_EXEC, NEXT, SKIP1);
                asm_emit(a, RET, b->act_deny, NEXT, NEXT);
                asm_emit(a, JSET, MFD_NOEXEC_SEAL, NEXT, SKIP1);
                asm_emit(a, RET, SECCOMP_RET_ALLOW, NEXT, NEXT);
                asm_emit(a, RET, prog->supervised ? SECCOMP_RET_USER_NOTIF : b->act_deny, NEXT, NEXT);
                return;
        case LEAF_WX:
                /* wx = yes, the part MDWE (wx.c) leaves to seccomp or that
                 * must hold without it: no mapping writable and executable
                 * at once, no mprotect that adds PROT_EXEC (the RW -> RX
                 * route), no shared executable mapping (a memfd or a shared
                 * file mapped a second time, writable; MAP_SHARED_VALIDATE
                 * has the MAP_SHARED bit too), no SysV segment attached
                 * SHM_EXEC.  seccomp_wx_denied() says the same in C. */
                asm_emit(a, LD_ABS, ARG_LO(2), NEXT, NEXT);
                if (nr == __NR_shmat) {
                        asm_emit(a, JSET, SHM_EXEC, NEXT, SKIP1);
                } else if (nr != __NR_mmap) {
                        asm_emit(a, JSET, PROT_EXEC, NEXT, SKIP1);
                } else {
                        asm_emit(a, JSET, PROT_EXEC, SKIP1, NEXT);
                        asm_emit(a, RET, SECCOMP_RET_ALLOW, NEXT, NEXT);
                        asm_emit(a, JSET, PROT_WRITE, NEXT, SKIP1);
                        asm_emit(a, RET, b->act_deny, NEXT, NEXT);
                        asm_emit(a, LD_ABS, ARG_LO(3), NEXT, NEXT);
                        asm_emit(a, JSET, MAP_SHARED, NEXT, SKIP1);
                }
                asm_emit(a, RET, b->act_deny, NEXT, NEXT);
                asm_emit(a, RET, SECCOMP_RET_ALLOW, NEXT, NEXT);
                return;
        case LEAF_EXEC: {
                /* sbx's own execve of the program passes a pointer known
                 * here: not observed, so a launch costs no round trip to
                 * init.  (Another execve passing the same address is only
                 * not explained; Landlock decides either way.) */
                int notify = asm_label(a);
                asm_emit(a, LD_ABS, ARG_LO(0), NEXT, NEXT);
                asm_emit(a, JEQ, (uint32_t)prog->own_exec, NEXT, notify);
                asm_emit(a, LD_ABS, ARG_HI(0), NEXT, NEXT);
                asm_emit(a, JEQ, (uint32_t)(prog->own_exec >> 32), SKIP1, NEXT);
                asm_place(a, notify);
                asm_emit(a, RET, SECCOMP_RET_USER_NOTIF, NEXT, NEXT);
                asm_emit(a, RET, SECCOMP_RET_ALLOW, NEXT, NEXT);
                return;
        }
        case LEAF_LEARN_AT: /* newfstatat and statx, for sbx learn */
        case LEAF_PATH:
                /* A stat of an fd (AT_EMPTY_PATH: glibc's fstat) has no
                 * path to explain. */
                asm_emit(a, LD_ABS, ARG_LO(empty_path_arg((int)nr)), NEXT, NEXT);
                asm_emit(a, JSET, AT_EMPTY_PATH, NEXT, SKIP1);
                asm_emit(a, RET, SECCOMP_RET_ALLOW, NEXT, NEXT);
                asm_emit(a, RET, SECCOMP_RET_USER_NOTIF, NEXT, NEXT);
                return;
        case LEAF_OPEN_WRITE:
                asm_emit(a, LD_ABS, ARG_LO(nr == __NR_open ? 1 : 2), NEXT, NEXT);
                asm_emit(a, JSET, OPEN_WRITE_FLAGS, NEXT, SKIP1);
                asm_emit(a, RET, SECCOMP_RET_USER_NOTIF, NEXT, NEXT);
                asm_emit(a, RET, SECCOMP_RET_ALLOW, NEXT, NEXT);
                return;
        }
}

/* Runs of numbers with one outcome: [first, next run's first). */
struct run {
        uint32_t first;
        size_t nr; /* the syscall, for argument rules */
        struct leaf leaf;
};

static void emit_tree(struct bpf_asm *a, const struct build *b, const struct run *v, size_t n)
{
        if (n == 1) {
                emit_leaf(a, b, v[0].nr, v[0].leaf);
                return;
        }
        /* nr >= the middle run's first: the upper half, else the lower. */
        size_t mid = n / 2;
        int upper = asm_label(a);
        asm_emit(a, JGE, v[mid].first, NEXT, SKIP1);
        asm_emit(a, BPF_JMP | BPF_JA, 0, upper, NEXT);
        emit_tree(a, b, v, mid);
        asm_place(a, upper);
        emit_tree(a, b, v + mid, n - mid);
}

/* The whole program: the architecture (i386 and x32 calls are killed,
 * whatever their number means there), then a binary search on the number
 * down to a return or to that syscall's argument rules.  A syscall
 * allowed without argument rules never loads an argument, so the kernel's
 * action cache answers it without running the program.  Numbers unknown
 * to sbx's tables get ENOSYS, so that libc falls back (clone3: Docker's
 * EPERM default broke glibc there). */
static int emit_program(const struct build *b, struct seccomp_prog *prog)
{
        struct run *runs = calloc(prog->nr_max + 1, sizeof(*runs));
        if (!runs)
                return -ENOMEM;
        size_t n = 0;
        for (size_t nr = 0; nr <= prog->nr_max; nr++) {
                /* nr_max stands for every number above the tables. */
                struct leaf l = leaf_of(b, nr);
                if (n > 0 && l.kind == LEAF_RET && runs[n - 1].leaf.kind == LEAF_RET &&
                    runs[n - 1].leaf.ret == l.ret)
                        continue;
                runs[n++] = (struct run){ (uint32_t)nr, nr, l };
        }

        struct bpf_asm a = { 0 };
        asm_emit(&a, LD_ABS, offsetof(struct seccomp_data, arch), NEXT, NEXT);
        asm_emit(&a, JEQ, AUDIT_ARCH_X86_64, SKIP1, NEXT);
        asm_emit(&a, RET, SECCOMP_RET_KILL_PROCESS, NEXT, NEXT);
        asm_emit(&a, LD_ABS, offsetof(struct seccomp_data, nr), NEXT, NEXT);
        /* -1 is no syscall (a tracer's "skip it", or syscall(-1)): ENOSYS,
         * as the kernel answers it.  Every other number with the x32 bit
         * is an x32 call: killed. */
        asm_emit(&a, JEQ, 0xffffffffU, NEXT, SKIP1);
        asm_emit(&a, RET, SECCOMP_RET_ERRNO | ENOSYS, NEXT, NEXT);
        asm_emit(&a, JGE, X32_BIT, NEXT, SKIP1);
        asm_emit(&a, RET, SECCOMP_RET_KILL_PROCESS, NEXT, NEXT);
        emit_tree(&a, b, runs, n);
        free(runs);

        int r = asm_resolve(&a);
        if (r >= 0 && a.n > BPF_MAXINSNS)
                r = -E2BIG;
        if (r < 0) {
                asm_free(&a);
                return r;
        }
        prog->insns = a.v;
        prog->len = (unsigned short)a.n;
        a.v = NULL;
        asm_free(&a);
        return 0;
}

/* ---- step 3: actions, compile -------------------------------------------- */

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
        prog->learn = (b->flags & SC_LEARN) && (b->flags & SC_SUPERVISED) && !(b->flags & SC_SELF);
        /* Learning records what is not allowed and lets it run. */
        if (prog->learn)
                prog->action = DENY_LOG;
        prog->supervised = (b->flags & SC_SUPERVISED) && !(b->flags & SC_SELF);
        prog->userns = p->sc_userns;
        prog->nested = p->sc_nested;
        prog->wx = p->sc_wx;
        prog->memfd_exec = p->memfd_exec;
        if (p->sc_action == DENY_NOTIFY && !prog->supervised)
                return sbx_err_kind(err, SBX_ERROR_SETUP, -EOPNOTSUPP, "seccomp",
                                    "action = notify needs the supervisor of `sbx run`; a process "
                                    "confining itself has none");
        /* Supervised, every denial reaches init: it answers as the action
         * says, counts it for the summary at exit, and reports it live
         * with --log-denials.  Denials are rare, so this costs nothing
         * on a run that has none.  action = kill keeps the kernel's
         * SIGSYS unless the denials are logged (the process is gone
         * anyway, and its status says why). */
        prog->report = prog->supervised &&
                       (p->sc_action != DENY_KILL || (b->flags & SC_LOG_DENIALS) || prog->learn);

        uint32_t act_errno = SECCOMP_RET_ERRNO | (uint32_t)e;
        if (prog->report) {
                /* The supervisor answers: errno, kill, or (log, for calls
                 * that are merely not allowed) let it run. */
                b->act_default = b->act_deny = SECCOMP_RET_USER_NOTIF;
        } else if (prog->action == DENY_KILL) {
                b->act_default = b->act_deny = SECCOMP_RET_KILL_PROCESS;
        } else if (p->sc_action == DENY_LOG) {
                b->act_default = SECCOMP_RET_LOG;
                b->act_deny = act_errno;
        } else {
                b->act_default = b->act_deny = act_errno;
        }
        return 0;
}

static void build_free(struct build *b)
{
        free(b->allow);
        free(b->override);
        free(b->danger);
        free(b->deny_loc);
        free(b->deny_word);
}

static int build_prepare(const struct sbx_policy *p, unsigned flags, const struct seccomp_observe *obs,
                         struct seccomp_prog *prog, struct build *b, struct sbx_error **err)
{
        int r;
        memset(prog, 0, sizeof(*prog));
        *b = (struct build){ .p = p, .flags = flags, .prog = prog, .err = err };
        if (obs) {
                prog->observe = obs->what;
                prog->own_exec = obs->own_exec;
        }
        prog->names = calloc(NR_BOUND, sizeof(*prog->names));
        prog->deny_reason = calloc(NR_BOUND, sizeof(*prog->deny_reason));
        prog->kind = calloc(NR_BOUND, sizeof(*prog->kind));
        prog->override = calloc(NR_BOUND, sizeof(*prog->override));
        b->allow = calloc(NR_BOUND, sizeof(*b->allow));
        b->override = calloc(NR_BOUND, sizeof(*b->override));
        b->danger = calloc(NR_BOUND, sizeof(*b->danger));
        b->deny_loc = calloc(NR_BOUND, sizeof(*b->deny_loc));
        b->deny_word = calloc(NR_BOUND, sizeof(*b->deny_word));
        if (!prog->names || !prog->deny_reason || !prog->kind || !prog->override || !b->allow || !b->override || !b->danger ||
            !b->deny_loc || !b->deny_word)
                return -ENOMEM;
        if ((r = set_actions(b, err)) < 0 || (r = parse_arg_rules(b)) < 0 || (r = decide(b)) < 0)
                return r;
        if (prog->nr_max <= __NR_personality || prog->nr_max <= __NR_memfd_create)
                return sbx_err_kind(err, SBX_ERROR_INTERNAL, -EINVAL, "seccomp", "syscall table too small");
        if (!prog->supervised)
                prog->observe = 0;
        prog->needs_listener = prog->supervised &&
                               (prog->report || prog->observe || (prog->kind[__NR_memfd_create] == SC_K_ALLOW && !prog->memfd_exec));
        return 0;
}

int seccomp_compile(const struct sbx_policy *p, unsigned flags, struct seccomp_prog *ret,
                    struct sbx_error **err)
{
        return seccomp_compile_observing(p, flags, NULL, ret, err);
}

int seccomp_compile_observing(const struct sbx_policy *p, unsigned flags, const struct seccomp_observe *obs,
                              struct seccomp_prog *ret, struct sbx_error **err)
{
        uint64_t t0 = now_ns();
        struct build b;
        int r;

        r = build_prepare(p, flags, obs, ret, &b, err);
        if (r >= 0 && ret->needs_listener) {
                struct seccomp_notif_sizes sz;
                if (syscall(SYS_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &sz) < 0)
                        r = sbx_err_setup(err, -errno, "seccomp", "SECCOMP_GET_NOTIF_SIZES");
                else {
                        ret->notif_size = sz.seccomp_notif;
                        ret->resp_size = sz.seccomp_notif_resp;
                }
        }
        if (r >= 0 && (r = emit_program(&b, ret)) < 0)
                sbx_err_setup(err, r, "seccomp", "building the filter");
        build_free(&b);
        if (r < 0) {
                seccomp_prog_done(ret);
                return r;
        }
        ret->build_ns = now_ns() - t0;
        return 0;
}

void seccomp_prog_done(struct seccomp_prog *prog)
{
        if (!prog)
                return;
        free(prog->insns);
        free(prog->names);
        free(prog->deny_reason);
        free(prog->override);
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
