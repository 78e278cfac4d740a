/* test_seccomp_model.c — sbx's own BPF program (lib/plan/seccomp.c, step 2)
 * against the same rules written as C (supervisor_decide(), which the
 * supervisor answers notified calls with).
 *
 * For a spread of policies (every action, each argument rule on and off,
 * supervised or not, the shipped profiles), every syscall number below the
 * tables and past them, each with argument values that sit on each side
 * of every rule's boundary (the denied ioctl requests with and without
 * high bits, each prctl option, every address family, every memfd flag
 * combination, every PROT/MAP combination) and random mixes of them, runs
 * through a classic BPF interpreter and must give exactly the model's
 * return value.  Foreign architectures and x32 numbers must be killed; -1
 * (no syscall) gets ENOSYS, as from the kernel.
 *
 * Before this program, libseccomp's answered -1 with the default action
 * (EPERM, or a notification); a differential run of both programs over
 * every shipped profile and ~1000 variants (6.9 G inputs) found that the
 * only difference, and this one is deliberate. */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/shm.h>
#include <sys/socket.h>
#include <fcntl.h>
#include <sys/syscall.h>

#include "seccomp_helpers.h" /* first: libseccomp before seccomp.h */

#include "config.h"
#include "sbx.h"
#include "launch/supervisor.h"
#include "syscalls/syscalls.h"
#include "base/util.h"

TestSuite(seccomp_model, .fini = helpers_cleanup);

/* What the filter must return, from the model's verdict. */
static uint32_t expected(const struct seccomp_prog *prog, uint32_t arch, uint32_t nr, const uint64_t args[6])
{
        if (arch != AUDIT_ARCH_X86_64 || (nr >= 0x40000000U && nr != 0xffffffffU))
                return SECCOMP_RET_KILL_PROCESS;
        struct seccomp_data d = { .nr = (int)nr, .arch = arch };
        memcpy(d.args, args, sizeof(d.args));
        const char *why;
        uint32_t err = SECCOMP_RET_ERRNO | (uint32_t)prog->deny_errno;
        uint32_t deny = prog->report ? SECCOMP_RET_USER_NOTIF
                        : prog->action == DENY_KILL ? SECCOMP_RET_KILL_PROCESS
                                                    : err;
        uint32_t not_allowed = prog->report ? SECCOMP_RET_USER_NOTIF
                               : prog->action == DENY_LOG ? SECCOMP_RET_LOG
                                                          : deny;
        switch (supervisor_decide(prog, &d, &why)) {
        case SV_DENY: return deny;
        case SV_NOT_ALLOWED: return not_allowed;
        case SV_MEMFD: return SECCOMP_RET_USER_NOTIF;
        case SV_OBSERVE: return SECCOMP_RET_USER_NOTIF;
        case SV_ENOSYS: return SECCOMP_RET_ERRNO | ENOSYS;
        case SV_ALLOWED:
                /* sbx learn: path, exec and network calls are recorded. */
                return seccomp_learn_notified(prog, (int)nr, args) ? SECCOMP_RET_USER_NOTIF : SECCOMP_RET_ALLOW;
        }
        cr_assert_fail("unknown verdict");
        return 0;
}

/* Values on both sides of every rule's boundary, with and without bits in
 * the high word (the kernel truncates these arguments to 32 bits). */
static uint64_t values[256];
static size_t nvalues;

static void value(uint64_t v)
{
        for (size_t i = 0; i < nvalues; i++)
                if (values[i] == v)
                        return;
        cr_assert_lt(nvalues + 2, ARRAY_SIZE(values));
        values[nvalues++] = v;
        values[nvalues++] = v | (1ULL << 32);
}

static void collect_values(const struct seccomp_prog *prog)
{
        nvalues = 0;
        for (uint64_t v = 0; v < 72; v++) /* address families, small flags */
                value(v);
        for (unsigned i = 0; i < prog->n_ioctl_deny; i++)
                value(prog->ioctl_deny[i]), value(prog->ioctl_deny[i] + 1);
        for (unsigned i = 0; i < prog->n_prctl_deny; i++)
                value(prog->prctl_deny[i]);
        static const uint64_t more[] = {
                TCGETS, FIONREAD, TIOCSTI, TIOCLINUX, PR_SET_SECCOMP, PR_GET_DUMPABLE, 0xffffffffU,
                0x0400000 /* READ_IMPLIES_EXEC */, CLONE_NEWUSER, CLONE_NEWUSER | CLONE_NEWNS,
                CLONE_NEWNS | CLONE_NEWPID, CLONE_VM | CLONE_THREAD, MFD_CLOEXEC | MFD_EXEC,
                MFD_CLOEXEC | MFD_NOEXEC_SEAL, MFD_EXEC | MFD_NOEXEC_SEAL, SHM_EXEC, SHM_EXEC | SHM_RDONLY,
                MAP_SHARED_VALIDATE, MAP_PRIVATE | MAP_ANONYMOUS, MAP_SHARED | MAP_ANONYMOUS,
                PROT_READ | PROT_WRITE | PROT_EXEC, 0x80000000U, AT_EMPTY_PATH, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW,
        };
        for (size_t i = 0; i < ARRAY_SIZE(more); i++)
                value(more[i]);
}

static unsigned long checked;

static void check_one(const struct seccomp_prog *prog, const char *what, uint32_t arch, uint32_t nr,
                      const uint64_t args[6])
{
        uint32_t want = expected(prog, arch, nr, args);
        uint32_t got = bpf_run(prog, arch, (int)nr, args);
        checked++;
        if (got != want)
                cr_assert_fail("%s: arch %#x nr %u (%s) args %#llx %#llx %#llx %#llx: filter %#x, model %#x", what,
                               arch, nr, nr < prog->nr_max && prog->names[nr] ? prog->names[nr] : "?",
                               (unsigned long long)args[0], (unsigned long long)args[1],
                               (unsigned long long)args[2], (unsigned long long)args[3], got, want);
}

static void check_prog(const struct seccomp_prog *prog, const char *what)
{
        collect_values(prog);
        uint64_t args[6] = { 0 };
        unsigned seed = 1;
        for (uint32_t nr = 0; nr < prog->nr_max + 40; nr++) {
                memset(args, 0, sizeof(args));
                check_one(prog, what, AUDIT_ARCH_X86_64, nr, args);
                /* Each of the first four arguments alone... */
                for (int i = 0; i < 4; i++) {
                        for (size_t v = 0; v < nvalues; v++) {
                                memset(args, 0, sizeof(args));
                                args[i] = values[v];
                                check_one(prog, what, AUDIT_ARCH_X86_64, nr, args);
                        }
                }
                /* ...then mixed (mmap's prot with its flags, …). */
                for (int k = 0; k < 200; k++) {
                        for (int i = 0; i < 6; i++)
                                args[i] = values[rand_r(&seed) % nvalues];
                        check_one(prog, what, AUDIT_ARCH_X86_64, nr, args);
                }
        }
        memset(args, 0, sizeof(args));
        static const uint32_t far[] = { 1023, 1024, 4096, 0x3fffffff, 0x40000000, 0x40000027, 0x7fffffff,
                                        0x80000000, 0xffffffff };
        for (size_t i = 0; i < ARRAY_SIZE(far); i++)
                check_one(prog, what, AUDIT_ARCH_X86_64, far[i], args);
        for (uint32_t nr = 0; nr < 460; nr += 7) {
                check_one(prog, what, AUDIT_ARCH_I386, nr, args);
                check_one(prog, what, 0xc000003e ^ 1, nr, args);
        }
}

static void check(const struct sbx_policy *p, unsigned flags, const char *what)
{
        struct seccomp_prog prog;
        compile(p, flags, &prog);
        check_prog(&prog, what);
        seccomp_prog_done(&prog);
}

Test(seccomp_model, actions_and_flags)
{
        static const unsigned flags[] = { 0, SC_SUPERVISED, SC_SUPERVISED | SC_LOG_DENIALS, SC_SELF,
                                          SC_SUPERVISED | SC_LEARN };
        static const enum deny_action actions[] = { DENY_ERRNO, DENY_KILL, DENY_LOG, DENY_NOTIFY };
        for (size_t a = 0; a < ARRAY_SIZE(actions); a++)
                for (size_t f = 0; f < ARRAY_SIZE(flags); f++) {
                        if (actions[a] == DENY_NOTIFY && !(flags[f] & SC_SUPERVISED))
                                continue; /* refused: no supervisor */
                        struct sbx_policy *p = policy_default(MARK);
                        p->sc_action = actions[a];
                        char what[64];
                        snprintf(what, sizeof(what), "action %d flags %#x", (int)actions[a], flags[f]);
                        check(p, flags[f], what);
                }
        cr_log_info("%lu calls checked", checked);
}

/* Observed calls (execve but sbx's own, bind/connect, write intents):
 * notified with every action, the own execve pointer compared in both
 * halves, open/openat by their flags. */
Test(seccomp_model, observed_calls)
{
        static const uint64_t own[] = { 0x5, 0x7fff12345678ULL, 0x100000005ULL };
        static const enum deny_action actions[] = { DENY_ERRNO, DENY_KILL, DENY_LOG };
        for (size_t a = 0; a < ARRAY_SIZE(actions); a++)
                for (size_t o = 0; o < ARRAY_SIZE(own); o++) {
                        struct sbx_policy *p = policy_default(EPERM);
                        p->sc_action = actions[a];
                        p->sc_wx = a == 0;
                        struct seccomp_observe obs = { SC_OBS_EXEC | SC_OBS_NET | SC_OBS_WRITE |
                                                               (o % 2 ? SC_OBS_READ : 0), own[o] };
                        struct seccomp_prog prog;
                        struct sbx_error *e = NULL;
                        cr_assert_eq(seccomp_compile_observing(p, SC_SUPERVISED, &obs, &prog, &e), 0);
                        cr_assert(prog.needs_listener);
                        collect_values(&prog);
                        value(own[o]);
                        value(own[o] & 0xffffffffULL);
                        value(own[o] ^ (1ULL << 40));
                        value(O_WRONLY), value(O_RDWR), value(O_CREAT), value(O_TRUNC), value(O_RDONLY | O_CLOEXEC);
                        value(AT_EMPTY_PATH), value(AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW);
                        static const int nrs[] = { __NR_execve, __NR_execveat, __NR_bind, __NR_connect, __NR_open,
                                                   __NR_openat, __NR_openat2, __NR_creat, __NR_mkdir, __NR_unlinkat,
                                                   __NR_renameat2, __NR_symlink, __NR_truncate, __NR_read,
                                                   __NR_stat, __NR_newfstatat, __NR_statx, __NR_faccessat2,
                                                   __NR_access };
                        for (size_t n = 0; n < ARRAY_SIZE(nrs); n++)
                                for (int i = 0; i < 3; i++)
                                        for (size_t v = 0; v < nvalues; v++) {
                                                uint64_t args[6] = { 0 };
                                                args[i] = values[v];
                                                args[3] = i == 0 ? values[(v * 7) % nvalues] : 0;
                                                check_one(&prog, "observed", AUDIT_ARCH_X86_64, (uint32_t)nrs[n], args);
                                        }
                        uint64_t args[6] = { own[o] };
                        cr_assert_eq(bpf_run(&prog, AUDIT_ARCH_X86_64, __NR_execve, args), SECCOMP_RET_ALLOW,
                                     "sbx's own execve is not observed");
                        args[0] = own[o] + 4096;
                        cr_assert_eq(bpf_run(&prog, AUDIT_ARCH_X86_64, __NR_execve, args), SECCOMP_RET_USER_NOTIF);
                        uint64_t ro[6] = { AT_FDCWD, 0, O_RDONLY | O_CLOEXEC };
                        cr_assert_eq(bpf_run(&prog, AUDIT_ARCH_X86_64, __NR_openat, ro),
                                     o % 2 ? SECCOMP_RET_USER_NOTIF : SECCOMP_RET_ALLOW,
                                     "reads are observed only with SC_OBS_READ (--log-denials)");
                        uint64_t fst[6] = { 3, 0, 0, AT_EMPTY_PATH };
                        cr_assert_eq(bpf_run(&prog, AUDIT_ARCH_X86_64, __NR_newfstatat, fst), SECCOMP_RET_ALLOW,
                                     "fstat (AT_EMPTY_PATH) has no path");
                        ro[2] = O_WRONLY | O_CREAT;
                        cr_assert_eq(bpf_run(&prog, AUDIT_ARCH_X86_64, __NR_openat, ro), SECCOMP_RET_USER_NOTIF);
                        seccomp_prog_done(&prog);
                }
}

Test(seccomp_model, argument_rules)
{
        struct sbx_policy *p = policy_default(EPERM);
        p->sc_wx = true;
        arg_rule(p, "socket", "unix inet inet6 netlink");
        arg_rule(p, "ioctl", "TIOCSETD FIONREAD 0x5401");
        check(p, SC_SUPERVISED, "wx, socket, ioctl");
        check(p, SC_SELF, "wx, socket, ioctl, self");

        p = policy_default(EPERM);
        p->memfd_exec = true;
        p->sc_userns = true;
        p->sc_nested = true;
        arg_rule(p, "socket", "none");
        check(p, SC_SUPERVISED, "memfd-exec, userns, nested, no sockets");
        p->sc_action = DENY_LOG;
        check(p, 0, "the same, action log");

        /* Almost nothing allowed; explicit denials and an override. */
        p = policy_empty(MARK);
        sl_add(&p->sc_allow, "read", "test.ini", 3);
        sl_add(&p->sc_allow, "ioctl", "test.ini", 3);
        sl_add(&p->sc_allow, "mmap", "test.ini", 3);
        sl_add(&p->sc_deny, "write", "test.ini", 4);
        sl_add(&p->sc_override, "ptrace", "test.ini", 5);
        check(p, SC_SUPERVISED, "nearly empty");
        check(p, SC_SELF, "nearly empty, self");
}

Test(seccomp_model, shipped_profiles)
{
        static const char *const names[] = { "default", "browser", "document-viewer", "document-converter",
                                             "network-service", "build", "archive", "script", "shell" };
        for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
                char path[512];
                snprintf(path, sizeof(path), "%s/%s.ini", SBX_SOURCE_PROFILE_DIR, names[i]);
                struct sbx_policy *p = NULL;
                struct sbx_error *e = NULL;
                cr_assert_eq(sbx_policy_new(&p), 0);
                cr_assert_geq(sbx_policy_load(p, path, &e), 0, "%s: %s", path, e ? sbx_error_message(e) : "");
                check(p, SC_SUPERVISED, names[i]);
                check(p, SC_SUPERVISED | SC_LOG_DENIALS, names[i]);
                sbx_policy_free(p);
        }
}

/* The generated name table is libseccomp's, number for number. */
Test(seccomp_model, name_table)
{
        size_t n = 0;
        for (int nr = 0; nr < 1024; nr++) {
                char *name = seccomp_syscall_resolve_num_arch(SCMP_ARCH_X86_64, nr);
                cr_expect_str_eq(syscall_name(nr) ? syscall_name(nr) : "(none)", name ? name : "(none)",
                                 "nr %d", nr);
                if (name) {
                        cr_expect_eq(syscall_nr(name), nr, "%s", name);
                        n++;
                }
                free(name);
        }
        cr_expect_gt(n, 300);
        cr_expect_eq(syscall_nr("socketcall"), -1, "an i386-only name has no x86_64 number");
        cr_expect_eq(syscall_nr("no_such_call"), -1);
        cr_expect_eq(syscall_nr(""), -1);
}

/* sbx learn's notifications exist only in the recording filter: a plain
 * run's path calls stay allowed by number (the kernel's action cache
 * answers them without running the program), the recording's are
 * notified, fstat() is not. */
Test(seccomp_model, learn_only_in_the_recording_filter)
{
        struct sbx_policy *p = policy_default(MARK);
        struct seccomp_prog plain, rec;
        compile(p, SC_SUPERVISED, &plain);
        compile(p, SC_SUPERVISED | SC_LEARN, &rec);
        uint64_t args[6] = { (uint64_t)AT_FDCWD, 0, 0, 0, 0, 0 };
        static const int calls[] = { __NR_openat, __NR_execve, __NR_stat, __NR_newfstatat, __NR_connect,
                                     __NR_mkdirat, __NR_renameat2 };
        for (size_t i = 0; i < ARRAY_SIZE(calls); i++) {
                cr_assert_eq(bpf_run(&plain, AUDIT_ARCH_X86_64, calls[i], args), SECCOMP_RET_ALLOW, "%d", calls[i]);
                cr_assert(!loads_args(&plain, calls[i]) || calls[i] == __NR_connect, "%d", calls[i]);
                cr_assert_eq(bpf_run(&rec, AUDIT_ARCH_X86_64, calls[i], args), SECCOMP_RET_USER_NOTIF, "%d",
                             calls[i]);
        }
        args[3] = AT_EMPTY_PATH;
        cr_assert_eq(bpf_run(&rec, AUDIT_ARCH_X86_64, __NR_newfstatat, args), SECCOMP_RET_ALLOW);
        cr_assert_eq(bpf_run(&rec, AUDIT_ARCH_X86_64, __NR_read, args), SECCOMP_RET_ALLOW);
        seccomp_prog_done(&plain);
        seccomp_prog_done(&rec);
}
