/* seccomp_helpers.c — see seccomp_helpers.h. */
#include <criterion/criterion.h>
#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "seccomp_helpers.h"
#include "base/util.h"

/* ---- hand-built policies (independent of the profile parser) ---------- */

void sl_add(struct strlist *l, const char *s, const char *file, unsigned line)
{
        l->v = realloc(l->v, (l->n + 2) * sizeof(*l->v));
        l->loc = realloc(l->loc, (l->n + 1) * sizeof(*l->loc));
        cr_assert(l->v && l->loc);
        l->v[l->n] = strdup(s);
        l->loc[l->n] = (struct sbx_loc){ file, line };
        l->n++;
        l->v[l->n] = NULL;
}

void arg_rule(struct sbx_policy *p, const char *syscall, const char *words)
{
        p->sc_args = realloc(p->sc_args, (p->sc_nargs + 1) * sizeof(*p->sc_args));
        struct arg_rule *a = &p->sc_args[p->sc_nargs++];
        memset(a, 0, sizeof(*a));
        a->syscall = strdup(syscall);
        a->loc = (struct sbx_loc){ "test.ini", 9 };
        char *w = strdup(words), *save = NULL;
        for (char *t = strtok_r(w, " ", &save); t; t = strtok_r(NULL, " ", &save))
                sl_add(&a->values, t, "test.ini", 9);
        free(w);
}

/* Every policy made here, freed by helpers_cleanup() after each test. */
static struct sbx_policy *made[32];
static size_t nmade;

static void sl_free(struct strlist *l)
{
        for (size_t i = 0; i < l->n; i++)
                free(l->v[i]);
        free(l->v);
        free(l->loc);
}

void helpers_cleanup(void)
{
        for (size_t i = 0; i < nmade; i++) {
                struct sbx_policy *p = made[i];
                sl_free(&p->sc_allow);
                sl_free(&p->sc_deny);
                sl_free(&p->sc_override);
                for (size_t j = 0; j < p->sc_nargs; j++) {
                        free(p->sc_args[j].syscall);
                        sl_free(&p->sc_args[j].values);
                }
                free(p->sc_args);
                free(p);
        }
        nmade = 0;
}

struct sbx_policy *policy_empty(int errno_value)
{
        struct sbx_policy *p = calloc(1, sizeof(*p));
        cr_assert(p && nmade < ARRAY_SIZE(made));
        made[nmade++] = p;
        p->seccomp = true;
        p->sc_action = DENY_ERRNO;
        p->sc_errno = errno_value;
        return p;
}

struct sbx_policy *policy_default(int errno_value)
{
        struct sbx_policy *p = policy_empty(errno_value);
        sl_add(&p->sc_allow, "@default", "test.ini", 3);
        return p;
}

void compile(const struct sbx_policy *p, unsigned flags, struct seccomp_prog *prog)
{
        struct sbx_error *e = NULL;
        int r = seccomp_compile(p, flags, prog, &e);
        cr_assert_geq(r, 0, "seccomp_compile: %s", e ? sbx_error_message(e) : strerror(-r));
}

/* ---- running a call with and without the filter ----------------------- */

/* fn in a forked child, under prog when non-NULL.  Returns fn's result,
 * or SIG(n) when the child was killed by signal n. */
int child_run(const struct seccomp_prog *prog, probe_fn fn, void *arg)
{
        fflush(NULL);
        pid_t pid = fork();
        cr_assert_geq(pid, 0);
        if (pid == 0) {
                if (prog) {
                        if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
                                _exit(250);
                        if (seccomp_prog_load(prog, false) < 0)
                                _exit(251);
                }
                int r = fn(arg);
                _exit(r > 249 ? 249 : r);
        }
        int st;
        cr_assert_eq(waitpid(pid, &st, 0), pid);
        if (WIFSIGNALED(st))
                return SIG(WTERMSIG(st));
        cr_assert_lt(WEXITSTATUS(st), 250, "child could not load the filter (%d)", WEXITSTATUS(st));
        return WEXITSTATUS(st);
}

int do_call(void *arg)
{
        const struct call *c = arg;
        long r = syscall(c->nr, c->a[0], c->a[1], c->a[2], c->a[3], c->a[4], c->a[5]);
        return r < 0 ? errno : 0;
}

int call_with(const struct seccomp_prog *prog, long nr, unsigned long a0, unsigned long a1,
                     unsigned long a2)
{
        struct call c = { nr, { a0, a1, a2, 0, 0, 0 } };
        return child_run(prog, do_call, &c);
}

/* ---- a classic BPF interpreter, to inspect the exported program -------- */

uint32_t bpf_run(const struct seccomp_prog *prog, uint32_t arch, int nr, const uint64_t args[6])
{
        struct seccomp_data d = { .nr = nr, .arch = arch };
        uint32_t A = 0, X = 0, M[BPF_MEMWORDS] = { 0 };
        if (args)
                memcpy(d.args, args, sizeof(d.args));
        for (unsigned pc = 0; pc < prog->len; pc++) {
                const struct sock_filter *f = &prog->insns[pc];
                uint32_t k = f->k;
                switch (f->code) {
                case BPF_LD | BPF_W | BPF_ABS:
                        cr_assert(k + 4 <= sizeof(d) && k % 4 == 0);
                        memcpy(&A, (char *)&d + k, 4);
                        break;
                case BPF_LD | BPF_MEM: A = M[k]; break;
                case BPF_LDX | BPF_MEM: X = M[k]; break;
                case BPF_LD | BPF_IMM: A = k; break;
                case BPF_LDX | BPF_IMM: X = k; break;
                case BPF_ST: M[k] = A; break;
                case BPF_STX: M[k] = X; break;
                case BPF_ALU | BPF_AND | BPF_K: A &= k; break;
                case BPF_ALU | BPF_OR | BPF_K: A |= k; break;
                case BPF_ALU | BPF_AND | BPF_X: A &= X; break;
                case BPF_MISC | BPF_TAX: X = A; break;
                case BPF_MISC | BPF_TXA: A = X; break;
                case BPF_JMP | BPF_JA: pc += k; break;
                case BPF_JMP | BPF_JEQ | BPF_K: pc += A == k ? f->jt : f->jf; break;
                case BPF_JMP | BPF_JGT | BPF_K: pc += A > k ? f->jt : f->jf; break;
                case BPF_JMP | BPF_JGE | BPF_K: pc += A >= k ? f->jt : f->jf; break;
                case BPF_JMP | BPF_JSET | BPF_K: pc += (A & k) ? f->jt : f->jf; break;
                case BPF_JMP | BPF_JEQ | BPF_X: pc += A == X ? f->jt : f->jf; break;
                case BPF_JMP | BPF_JGT | BPF_X: pc += A > X ? f->jt : f->jf; break;
                case BPF_JMP | BPF_JGE | BPF_X: pc += A >= X ? f->jt : f->jf; break;
                case BPF_RET | BPF_K: return k;
                case BPF_RET | BPF_A: return A;
                default:
                        cr_assert_fail("unexpected BPF opcode %#x at %u", f->code, pc);
                }
        }
        cr_assert_fail("fell off the end of the program");
        return 0;
}


/* The kernel's action cache skips the program for syscalls whose answer
 * cannot depend on the arguments.  Check that the hot ones qualify: in
 * the program, the path for their number must never load an argument. */
bool loads_args(const struct seccomp_prog *prog, int nr)
{
        /* Walk every path for this nr: arguments unknown, so both branches
         * of a test on A after an argument load are followed. */
        struct { unsigned pc; bool arg; } stack[4096];
        size_t sp = 0;
        stack[sp++] = (typeof(stack[0])){ 0, false };
        while (sp) {
                unsigned pc = stack[--sp].pc;
                bool arg = stack[sp].arg;
                for (;;) {
                        const struct sock_filter *f = &prog->insns[pc];
                        if (f->code == (BPF_LD | BPF_W | BPF_ABS)) {
                                if (f->k >= offsetof(struct seccomp_data, args))
                                        return true;
                                arg = false;
                                pc++;
                                continue;
                        }
                        if (BPF_CLASS(f->code) == BPF_RET)
                                break;
                        if (f->code == (BPF_JMP | BPF_JA)) {
                                pc += f->k + 1;
                                continue;
                        }
                        if (BPF_CLASS(f->code) == BPF_JMP && BPF_SRC(f->code) == BPF_K && !arg) {
                                /* A holds arch or nr: decide as the kernel's emulator does. */
                                uint32_t a = pc < 2 ? AUDIT_ARCH_X86_64 : (uint32_t)nr;
                                const struct sock_filter *ld = NULL;
                                for (int b = (int)pc; b >= 0; b--)
                                        if (prog->insns[b].code == (BPF_LD | BPF_W | BPF_ABS)) {
                                                ld = &prog->insns[b];
                                                break;
                                        }
                                a = ld && ld->k == offsetof(struct seccomp_data, arch) ? AUDIT_ARCH_X86_64
                                                                                        : (uint32_t)nr;
                                bool t;
                                switch (BPF_OP(f->code)) {
                                case BPF_JEQ: t = a == f->k; break;
                                case BPF_JGT: t = a > f->k; break;
                                case BPF_JGE: t = a >= f->k; break;
                                default: t = a & f->k; break;
                                }
                                pc += 1 + (t ? f->jt : f->jf);
                                continue;
                        }
                        /* Anything else depends on data: follow both. */
                        if (BPF_CLASS(f->code) == BPF_JMP) {
                                cr_assert_lt(sp, ARRAY_SIZE(stack));
                                stack[sp++] = (typeof(stack[0])){ pc + 1 + f->jt, arg };
                                pc += 1 + f->jf;
                                continue;
                        }
                        return true; /* ALU on an argument */
                }
        }
        return false;
}


int memfd_probe(void *arg)
{
        unsigned flags = *(unsigned *)arg;
        int fd = memfd_create("sbx-test", flags);
        return fd < 0 ? errno : 0;
}

