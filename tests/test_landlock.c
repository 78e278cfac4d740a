/* test_landlock.c — Landlock rulesets applied for real (in a forked child
 * of the Criterion test process, as root and as uid 65534), the feature
 * negotiation, and the parent-side exec checks of exec.c on hand-made
 * plans.  Every "denied" check first runs the same attempt without the
 * ruleset and expects it to work, so a check that cannot fail shows up. */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "plan/exec.h"
#include "harness.h"
#include "plan/landlock.h"
#include "plan/plan.h"
#include "base/sha256.h"
#include "base/util.h"

#define RD (LANDLOCK_ACCESS_FS_READ_FILE_ | LANDLOCK_ACCESS_FS_READ_DIR_)
#define LANDLOCK_ACCESS_FS_EXECUTE_ (1ULL << 0)
#define LANDLOCK_ACCESS_FS_WRITE_FILE_ (1ULL << 1)
#define LANDLOCK_ACCESS_FS_READ_FILE_ (1ULL << 2)
#define LANDLOCK_ACCESS_FS_READ_DIR_ (1ULL << 3)
#define LANDLOCK_ACCESS_FS_MAKE_REG_ (1ULL << 8)
#define LANDLOCK_ACCESS_FS_TRUNCATE_ (1ULL << 14)
#define WR (LANDLOCK_ACCESS_FS_WRITE_FILE_ | LANDLOCK_ACCESS_FS_MAKE_REG_ | LANDLOCK_ACCESS_FS_TRUNCATE_)
#define EX (LANDLOCK_ACCESS_FS_EXECUTE_ | LANDLOCK_ACCESS_FS_READ_FILE_)

static int abi;
static int devnull = -1; /* opened before the ruleset applies */

static void need_landlock(int min)
{
        abi = landlock_abi();
        if (abi >= min)
                return;
        /* A kernel precondition: skipped, also in CI (see harness.h). */
        cr_skip_test("Landlock ABI %d < %d on this kernel", abi, min);
}

static uint64_t all_fs(void)
{
        uint64_t r = (1ULL << 13) - 1;
        if (abi >= 2)
                r |= 1ULL << 13;
        if (abi >= 3)
                r |= 1ULL << 14;
        if (abi >= 5)
                r |= 1ULL << 15;
        return r;
}

static void become_user(void)
{
        if (getuid() != 0)
                return;
        if (setgroups(0, NULL) < 0 || setresgid(65534, 65534, 65534) < 0 ||
            setresuid(65534, 65534, 65534) < 0)
                _exit(200);
}

/* Run `fn` in a child (as root or as 65534), under `lp` when non-NULL.
 * Returns fn's result: 0 or -errno; 1000+ for a setup failure. */
static int sandboxed(int who, const struct landlock_plan *lp, int (*fn)(const void *), const void *arg)
{
        int p[2];
        cr_assert_eq(pipe2(p, O_CLOEXEC), 0);
        pid_t pid = fork();
        cr_assert_geq(pid, 0);
        if (pid == 0) {
                int r;
                close(p[0]);
                devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
                if (who == AS_USER)
                        become_user();
                const char *failed = NULL;
                if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
                        r = 1001;
                else if (lp && landlock_apply(lp, false, &failed) < 0)
                        r = 1002;
                else
                        r = fn(arg);
                (void)!write(p[1], &r, sizeof(r));
                _exit(0);
        }
        close(p[1]);
        int r = 1003;
        (void)!read(p[0], &r, sizeof(r));
        close(p[0]);
        waitpid(pid, NULL, 0);
        return r;
}

#define WHO_NAME(w) ((w) == AS_ROOT ? "root" : "user")
#define FOR_EACH_USER for (int who = AS_ROOT; who <= AS_USER; who++)

static int do_read(const void *path)
{
        char c;
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        int r = read(fd, &c, 1) < 0 ? -errno : 0;
        close(fd);
        return r;
}

static int do_write(const void *path)
{
        int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0666);
        if (fd < 0)
                return -errno;
        int r = write(fd, "x", 1) < 0 ? -errno : 0;
        close(fd);
        return r;
}

static int do_truncate(const void *path) { return truncate(path, 0) < 0 ? -errno : 0; }

/* execv the NULL-terminated argv; 0 when it ran and exited 0, -errno when
 * execve failed, -ENOEXEC-like 1000+status otherwise. */
static int do_exec(const void *arg)
{
        char *const *argv = (char *const *)arg;
        int p[2];
        if (pipe2(p, O_CLOEXEC) < 0)
                return -errno;
        pid_t pid = fork();
        if (pid == 0) {
                if (devnull >= 0) {
                        dup2(devnull, 1);
                        dup2(devnull, 2);
                }
                execv(argv[0], argv);
                int e = errno;
                (void)!write(p[1], &e, sizeof(e));
                _exit(127);
        }
        close(p[1]);
        int e = 0;
        ssize_t n = read(p[0], &e, sizeof(e));
        close(p[0]);
        int st = 0;
        waitpid(pid, &st, 0);
        if (n == sizeof(e))
                return -e;
        return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : 2000 + (WIFEXITED(st) ? WEXITSTATUS(st) : 128);
}

static char *tmp;
static char path_a[PATH_MAX], path_b[PATH_MAX], file_a[PATH_MAX], file_b[PATH_MAX];

static void fs_setup(void)
{
        tmp = make_tmpdir();
        cr_assert(tmp);
        snprintf(path_a, sizeof(path_a), "%s/a", tmp);
        snprintf(path_b, sizeof(path_b), "%s/b", tmp);
        snprintf(file_a, sizeof(file_a), "%s/a/f", tmp);
        snprintf(file_b, sizeof(file_b), "%s/b/f", tmp);
        cr_assert_eq(mkdir(path_a, 0777), 0);
        cr_assert_eq(mkdir(path_b, 0777), 0);
        chmod(path_a, 0777);
        chmod(path_b, 0777);
        cr_assert_eq(write_file(file_a, "a", 0666), 0);
        cr_assert_eq(write_file(file_b, "b", 0666), 0);
}

static void fs_teardown(void)
{
        if (tmp) {
                char cmd[PATH_MAX + 16];
                snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
                (void)!system(cmd);
                free(tmp);
                tmp = NULL;
        }
}

static void ll_init(struct landlock_plan *lp, uint64_t fs)
{
        memset(lp, 0, sizeof(*lp));
        lp->enabled = true;
        lp->abi = abi;
        lp->handled_fs = fs;
}

TestSuite(landlock, .init = fs_setup, .fini = fs_teardown);

Test(landlock, read_outside_rules_fails)
{
        need_landlock(1);
        struct landlock_plan lp;
        ll_init(&lp, all_fs());
        cr_assert_eq(landlock_plan_add(&lp, path_a, RD, false, false), 0);
        FOR_EACH_USER {
                cr_assert_eq(sandboxed(who, NULL, do_read, file_b), 0, "[%s] bare read fails",
                             WHO_NAME(who));
                cr_assert_eq(sandboxed(who, &lp, do_read, file_a), 0, "[%s]", WHO_NAME(who));
                cr_assert_eq(sandboxed(who, &lp, do_read, file_b), -EACCES,
                             "[%s] ESCAPE: read outside the rules", WHO_NAME(who));
        }
        landlock_plan_done(&lp);
}

Test(landlock, write_under_readonly_rule_fails)
{
        need_landlock(3);
        struct landlock_plan lp;
        ll_init(&lp, all_fs());
        cr_assert_eq(landlock_plan_add(&lp, tmp, RD, false, false), 0);
        cr_assert_eq(landlock_plan_add(&lp, path_b, RD | WR, false, false), 0);
        char newf[PATH_MAX + 8];
        snprintf(newf, sizeof(newf), "%s/new", path_a);
        FOR_EACH_USER {
                /* The filesystem allows all of these (mode 0777/0666). */
                cr_assert_eq(sandboxed(who, NULL, do_write, file_a), 0, "[%s]", WHO_NAME(who));
                cr_assert_eq(sandboxed(who, NULL, do_truncate, file_a), 0, "[%s]", WHO_NAME(who));
                cr_assert_eq(sandboxed(who, &lp, do_write, file_a), -EACCES,
                             "[%s] ESCAPE: write under a read-only rule", WHO_NAME(who));
                cr_assert_eq(sandboxed(who, &lp, do_write, newf), -EACCES,
                             "[%s] ESCAPE: create under a read-only rule", WHO_NAME(who));
                cr_assert_eq(sandboxed(who, &lp, do_truncate, file_a), -EACCES,
                             "[%s] ESCAPE: truncate under a read-only rule", WHO_NAME(who));
                cr_assert_eq(sandboxed(who, &lp, do_write, file_b), 0, "[%s]", WHO_NAME(who));
                unlink(newf);
        }
        landlock_plan_done(&lp);
}

static const char *loader(void)
{
        static char buf[PATH_MAX];
        int fd = open("/usr/bin/true", O_RDONLY | O_CLOEXEC);
        cr_assert_geq(fd, 0);
        cr_assert_eq(exec_elf_interp(fd, buf, sizeof(buf)), 1);
        close(fd);
        return buf;
}

Test(landlock, execute_outside_allow_list_fails)
{
        need_landlock(1);
        struct landlock_plan lp;
        ll_init(&lp, all_fs());
        cr_assert_eq(landlock_plan_add(&lp, "/", RD, false, false), 0);
        cr_assert_eq(landlock_plan_add(&lp, "/usr/bin/true", EX, false, false), 0);
        cr_assert_eq(landlock_plan_add(&lp, loader(), EX, false, false), 0);
        const char *const t[] = { "/usr/bin/true", NULL };
        const char *const id[] = { "/usr/bin/id", NULL };
        FOR_EACH_USER {
                cr_assert_eq(sandboxed(who, NULL, do_exec, id), 0, "[%s]", WHO_NAME(who));
                cr_assert_eq(sandboxed(who, &lp, do_exec, t), 0, "[%s] allowed program refused",
                             WHO_NAME(who));
                cr_assert_eq(sandboxed(who, &lp, do_exec, id), -EACCES,
                             "[%s] ESCAPE: exec outside the allow-list", WHO_NAME(who));
        }
        landlock_plan_done(&lp);
}

/* Why exec.c masks denied files: Landlock checks EXECUTE on execve (and on
 * the interpreter the kernel opens) but not on the loader's mmap, so an
 * allowed ld.so runs any readable program.  If this starts failing, a
 * kernel closed the gap; the masks stay useful either way. */
Test(landlock, loader_trick_passes_landlock_alone)
{
        need_landlock(1);
        struct landlock_plan lp;
        ll_init(&lp, all_fs());
        cr_assert_eq(landlock_plan_add(&lp, "/", RD, false, false), 0);
        cr_assert_eq(landlock_plan_add(&lp, loader(), EX, false, false), 0);
        const char *const id[] = { loader(), "/usr/bin/id", NULL };
        cr_assert_eq(sandboxed(AS_USER, &lp, do_exec, id), 0);
        landlock_plan_done(&lp);
}

static int listen_tcp(uint16_t *port)
{
        int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        cr_assert_geq(s, 0);
        struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
        socklen_t len = sizeof(a);
        cr_assert_eq(bind(s, (struct sockaddr *)&a, sizeof(a)), 0);
        cr_assert_eq(listen(s, 16), 0);
        cr_assert_eq(getsockname(s, (struct sockaddr *)&a, &len), 0);
        *port = ntohs(a.sin_port);
        return s;
}

static int do_connect(const void *arg)
{
        uint16_t port = *(const uint16_t *)arg;
        int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (s < 0)
                return -errno;
        struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port),
                                 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
        int r = connect(s, (struct sockaddr *)&a, sizeof(a)) < 0 ? -errno : 0;
        close(s);
        return r;
}

static int do_bind(const void *arg)
{
        uint16_t port = *(const uint16_t *)arg;
        int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (s < 0)
                return -errno;
        int one = 1;
        setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
        struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port),
                                 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
        int r = bind(s, (struct sockaddr *)&a, sizeof(a)) < 0 ? -errno : 0;
        close(s);
        return r;
}

Test(landlock, tcp_connect_to_port_not_allowed_fails)
{
        need_landlock(4);
        uint16_t port, other;
        int s = listen_tcp(&port);
        other = port == 65535 ? 1 : port + 1;
        uint16_t allowed[] = { other };
        struct landlock_plan lp;
        ll_init(&lp, 0);
        lp.handled_net = 1ULL << 1;
        lp.connect_ports = allowed;
        lp.nconnect = 1;
        FOR_EACH_USER {
                cr_assert_eq(sandboxed(who, NULL, do_connect, &port), 0, "[%s]", WHO_NAME(who));
                cr_assert_eq(sandboxed(who, &lp, do_connect, &port), -EACCES,
                             "[%s] ESCAPE: connect to a port not allowed", WHO_NAME(who));
        }
        allowed[0] = port;
        FOR_EACH_USER
                cr_assert_eq(sandboxed(who, &lp, do_connect, &port), 0, "[%s] allowed port refused",
                             WHO_NAME(who));
        close(s);
}

Test(landlock, tcp_bind_to_port_not_allowed_fails)
{
        need_landlock(4);
        uint16_t port;
        int s = listen_tcp(&port);
        close(s); /* a free, unprivileged port */
        uint16_t allowed[] = { port == 65535 ? 1024 : port + 1 };
        struct landlock_plan lp;
        ll_init(&lp, 0);
        lp.handled_net = 1ULL << 0;
        lp.bind_ports = allowed;
        lp.nbind = 1;
        FOR_EACH_USER {
                cr_assert_eq(sandboxed(who, NULL, do_bind, &port), 0, "[%s]", WHO_NAME(who));
                cr_assert_eq(sandboxed(who, &lp, do_bind, &port), -EACCES,
                             "[%s] ESCAPE: bind to a port not allowed", WHO_NAME(who));
        }
}

static int do_abstract(const void *name)
{
        int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (s < 0)
                return -errno;
        struct sockaddr_un a = { .sun_family = AF_UNIX };
        size_t n = strlen(name);
        memcpy(a.sun_path + 1, name, n);
        int r = connect(s, (struct sockaddr *)&a, (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + n)) < 0
                        ? -errno
                        : 0;
        close(s);
        return r;
}

static int do_signal_parent(const void *arg)
{
        pid_t target = *(const pid_t *)arg;
        return kill(target, 0) < 0 ? -errno : 0;
}

Test(landlock, scope_blocks_abstract_sockets_and_signals)
{
        need_landlock(6);
        char name[64];
        snprintf(name, sizeof(name), "sbx-test-landlock-%d", getpid());
        int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        struct sockaddr_un a = { .sun_family = AF_UNIX };
        memcpy(a.sun_path + 1, name, strlen(name));
        cr_assert_eq(bind(s, (struct sockaddr *)&a,
                          (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + strlen(name))),
                     0);
        cr_assert_eq(listen(s, 16), 0);
        pid_t me = getpid();
        struct landlock_plan lp;
        ll_init(&lp, 0);
        lp.scoped = 3;
        /* As root the kernel lets a signal through to any process; run the
         * signal check as the same user on both sides. */
        cr_assert_eq(sandboxed(AS_ROOT, NULL, do_abstract, name), 0);
        cr_assert_eq(sandboxed(AS_ROOT, NULL, do_signal_parent, &me), 0);
        cr_assert_eq(sandboxed(AS_ROOT, &lp, do_abstract, name), -EPERM,
                     "ESCAPE: abstract socket outside the domain reachable");
        cr_assert_eq(sandboxed(AS_ROOT, &lp, do_signal_parent, &me), -EPERM,
                     "ESCAPE: signal to a process outside the domain");
        close(s);
}

/* ---- landlock_prepare: negotiation and the view ------------------------- */

static struct sbx_loc loc_at(unsigned line) { return (struct sbx_loc){ .file = "test.ini", .line = line }; }

static void sl_set(struct strlist *l, const char *const *vals)
{
        size_t n = 0;
        while (vals[n])
                n++;
        l->v = calloc(n + 1, sizeof(char *));
        l->loc = calloc(n + 1, sizeof(struct sbx_loc));
        for (size_t i = 0; i < n; i++) {
                l->v[i] = strdup(vals[i]);
                l->loc[i] = loc_at((unsigned)(10 + i));
        }
        l->n = l->cap = n;
}

static void sl_free(struct strlist *l)
{
        for (size_t i = 0; i < l->n; i++)
                free(l->v[i]);
        free(l->v);
        free(l->loc);
        memset(l, 0, sizeof(*l));
}

#define SL(l, ...) sl_set(&(l), (const char *const[]){ __VA_ARGS__, NULL })

static void policy_setup(struct sbx_policy *p)
{
        memset(p, 0, sizeof(*p));
        p->landlock = true;
        p->landlock_min_abi = 1;
        p->proc = PROC_MASKED;
        SL(p->tcp_bind, "any");
        SL(p->tcp_connect, "any");
}

static void plan_setup(struct plan *plan, bool private_view)
{
        memset(plan, 0, sizeof(*plan));
        plan->log_fd = -1;
        if (private_view)
                plan->clone_flags = CLONE_NEWNS;
}

static void add_mount(struct plan *plan, enum plan_mount_kind kind, const char *src, const char *dst,
                      bool ro)
{
        struct plan_mount m = { .kind = kind, .src = src, .dst = dst, .src_fd = -1, .readonly = ro,
                                .noexec = !ro };
        struct stat st;
        if (kind == PM_BIND && src && stat(src, &st) == 0)
                m.src_is_dir = S_ISDIR(st.st_mode);
        cr_assert_eq(plan_add_mount(plan, &m), 0);
}

Test(landlock, min_abi_above_kernel_refused)
{
        need_landlock(1);
        struct sbx_policy p;
        struct plan plan;
        struct landlock_plan lp;
        struct sbx_error *e = NULL;
        policy_setup(&p);
        plan_setup(&plan, false);
        p.landlock_min_abi = 99;
        cr_assert_lt(landlock_prepare(&p, &plan, &lp, &e), 0);
        cr_assert(e);
        char want[64];
        snprintf(want, sizeof(want), "Landlock ABI %d", abi);
        cr_assert(strstr(sbx_error_message(e), "ABI 99") && strstr(sbx_error_message(e), want),
                  "%s", sbx_error_message(e));
        cr_assert_eq(sbx_error_kind(e), SBX_ERROR_SETUP);
        sbx_error_free(e);
        policy_done(&p);
}

Test(landlock, missing_feature_refused_unless_optional)
{
        struct sbx_policy p;
        struct plan plan;
        struct landlock_plan lp;
        struct sbx_error *e = NULL;
        policy_setup(&p);
        plan_setup(&plan, false);
        cr_assert_lt(landlock_prepare_abi(&p, &plan, 2, &lp, &e), 0);
        cr_assert(strstr(sbx_error_message(e), "'truncate'"), "%s", sbx_error_message(e));
        sbx_error_free(e);
        e = NULL;

        SL(p.landlock_optional, "truncate", "ioctl-dev", "scope");
        cr_assert_eq(landlock_prepare_abi(&p, &plan, 2, &lp, &e), 0, "%s", e ? sbx_error_message(e) : "");
        cr_assert(lp.enabled);
        cr_assert_eq(lp.nwarnings, 3);
        cr_assert(strstr(lp.warnings[0], "truncate"), "%s", lp.warnings[0]);
        cr_assert(strstr(lp.warnings[2], "scope"), "%s", lp.warnings[2]);
        cr_assert_eq(lp.handled_net, 0);
        cr_assert_eq(lp.scoped, 0);
        landlock_plan_done(&lp);

        /* Ports asked for on a kernel without network rules. */
        sl_free(&p.tcp_connect);
        SL(p.tcp_connect, "443");
        cr_assert_lt(landlock_prepare_abi(&p, &plan, 3, &lp, &e), 0);
        cr_assert(strstr(sbx_error_message(e), "'net'"), "%s", sbx_error_message(e));
        sbx_error_free(e);
        policy_done(&p);
}

Test(landlock, no_landlock_runs_only_when_optional)
{
        struct sbx_policy p;
        struct plan plan;
        struct landlock_plan lp;
        struct sbx_error *e = NULL;
        policy_setup(&p);
        plan_setup(&plan, false);
        cr_assert_lt(landlock_prepare_abi(&p, &plan, 0, &lp, &e), 0);
        cr_assert(strstr(sbx_error_message(e), "no Landlock"), "%s", sbx_error_message(e));
        sbx_error_free(e);
        SL(p.landlock_optional, "fs");
        cr_assert_eq(landlock_prepare_abi(&p, &plan, 0, &lp, NULL), 0);
        cr_assert_not(lp.enabled);
        cr_assert_eq(lp.nwarnings, 1);
        cr_assert(strstr(lp.warnings[0], "not enforced"), "%s", lp.warnings[0]);
        landlock_plan_done(&lp);
        policy_done(&p);
}

Test(landlock, bad_port_is_a_profile_error)
{
        struct sbx_policy p;
        struct plan plan;
        struct landlock_plan lp;
        struct sbx_error *e = NULL;
        policy_setup(&p);
        plan_setup(&plan, false);
        sl_free(&p.tcp_bind);
        SL(p.tcp_bind, "80", "9000-8000");
        cr_assert_lt(landlock_prepare_abi(&p, &plan, 7, &lp, &e), 0);
        cr_assert_str_eq(sbx_error_message(e),
                         "test.ini:11: [network] tcp-bind: bad port '9000-8000' (1-65535, A-B or any)");
        sbx_error_free(e);
        policy_done(&p);
}

/* [landlock] read-only inside a writable bind, through landlock_prepare on
 * a host view (sbx_confine's shape), applied for real. */
Test(landlock, readonly_path_carved_out_of_writable_bind)
{
        need_landlock(3);
        struct sbx_policy p;
        struct plan plan;
        struct landlock_plan lp;
        struct sbx_error *e = NULL;
        policy_setup(&p);
        plan_setup(&plan, false);
        add_mount(&plan, PM_BIND, tmp, tmp, false);
        add_mount(&plan, PM_BIND, "/usr", "/usr", true);
        char ro[PATH_MAX + 16], ro_new[PATH_MAX + 16], rw_new[PATH_MAX + 16], top_new[PATH_MAX + 16];
        snprintf(ro, sizeof(ro), "%s/a", tmp);
        snprintf(ro_new, sizeof(ro_new), "%s/a/new", tmp);
        snprintf(rw_new, sizeof(rw_new), "%s/b/new", tmp);
        snprintf(top_new, sizeof(top_new), "%s/new", tmp);
        const char *ros[] = { ro, NULL };
        sl_set(&p.ll_readonly, ros);
        cr_assert_eq(landlock_prepare(&p, &plan, &lp, &e), 0, "%s", e ? sbx_error_message(e) : "");
        FOR_EACH_USER {
                cr_assert_eq(sandboxed(who, NULL, do_write, ro_new), 0);
                unlink(ro_new);
                cr_assert_eq(sandboxed(who, &lp, do_write, file_a), -EACCES,
                             "[%s] ESCAPE: write to a read-only path", WHO_NAME(who));
                cr_assert_eq(sandboxed(who, &lp, do_write, ro_new), -EACCES,
                             "[%s] ESCAPE: create under a read-only path", WHO_NAME(who));
                cr_assert_eq(sandboxed(who, &lp, do_read, file_a), 0, "[%s]", WHO_NAME(who));
                cr_assert_eq(sandboxed(who, &lp, do_write, file_b), 0, "[%s]", WHO_NAME(who));
                cr_assert_eq(sandboxed(who, &lp, do_write, rw_new), 0, "[%s]", WHO_NAME(who));
                /* The documented cost: nothing new directly in the
                 * directories on the way to a read-only path. */
                cr_assert_eq(sandboxed(who, &lp, do_write, top_new), -EACCES, "[%s]", WHO_NAME(who));
                unlink(rw_new);
        }
        landlock_plan_done(&lp);
        plan_done(&plan);
        policy_done(&p);
}

/* ---- exec.c on hand-made plans ------------------------------------------ */

/* The program, as plan.c's resolve_program leaves it: canonical host path
 * (the same inside) and its stat(). */
static void set_program(struct plan *plan, const char *path)
{
        plan->exec_path = plan->host_exec_path = path;
        cr_assert_eq(stat(path, &plan->host_exec_st), 0, "%s", path);
}

static void system_view(struct plan *plan)
{
        plan_setup(plan, true);
        add_mount(plan, PM_BIND, "/usr", "/usr", true);
        add_mount(plan, PM_SYMLINK, "usr/bin", "/bin", false);
        add_mount(plan, PM_SYMLINK, "usr/lib", "/lib", false);
        add_mount(plan, PM_SYMLINK, "usr/lib64", "/lib64", false);
        add_mount(plan, PM_TMPFS, NULL, "/tmp", false);
}

Test(exec, elf_interp)
{
        char buf[PATH_MAX];
        int fd = open("/usr/bin/true", O_RDONLY | O_CLOEXEC);
        cr_assert_eq(exec_elf_interp(fd, buf, sizeof(buf)), 1);
        cr_assert_str_eq(buf, "/lib64/ld-linux-x86-64.so.2");
        close(fd);
        fd = open("/sbin/ldconfig", O_RDONLY | O_CLOEXEC); /* static-pie in Debian's libc-bin */
        cr_assert_geq(fd, 0, "/sbin/ldconfig");
        cr_assert_eq(exec_elf_interp(fd, buf, sizeof(buf)), 0);
        close(fd);
        fd = open("/etc/passwd", O_RDONLY | O_CLOEXEC);
        cr_assert_eq(exec_elf_interp(fd, buf, sizeof(buf)), 0);
        close(fd);
}

Test(exec, view_resolves_symlinks_like_the_sandbox)
{
        struct plan plan;
        system_view(&plan);
        char *canon = NULL, *host = NULL;
        char real[PATH_MAX];
        cr_assert(realpath("/lib64/ld-linux-x86-64.so.2", real));
        cr_assert_eq(exec_view_resolve(&plan, "/lib64/ld-linux-x86-64.so.2", true, &canon, &host), 0);
        cr_assert_str_eq(canon, real);
        cr_assert_str_eq(host, real);
        free(canon);
        free(host);
        cr_assert_eq(exec_view_resolve(&plan, "/bin/true", false, &canon, NULL), 0);
        cr_assert_str_eq(canon, "/usr/bin/true");
        free(canon);
        cr_assert_eq(exec_view_resolve(&plan, "/etc/passwd", true, &canon, NULL), -ENOENT);
        cr_assert_eq(exec_view_resolve(&plan, "/tmp/x", true, &canon, NULL), -ENOENT);
        cr_assert_eq(exec_view_resolve(&plan, "/tmp", true, &canon, &host), 0);
        cr_assert_str_eq(canon, "/tmp");
        cr_assert_null(host);
        free(canon);
        plan_done(&plan);
}

static bool has_mask(const struct plan *plan, const char *dst)
{
        for (size_t i = 0; i < plan->nmounts; i++)
                if (plan->mounts[i].kind == PM_MASK && strcmp(plan->mounts[i].dst, dst) == 0)
                        return true;
        return false;
}

static void need_python(void)
{
        if (access("/usr/bin/python3", X_OK) != 0)
                cr_skip_test("no /usr/bin/python3 here");
}

Test(exec, deny_masks_the_real_file_behind_a_symlink)
{
        need_python();
        struct sbx_policy p;
        struct plan plan;
        struct sbx_error *e = NULL;
        char real[PATH_MAX];
        policy_setup(&p);
        system_view(&plan);
        SL(p.exec_deny, "/bin/python3");
        set_program(&plan, "/usr/bin/true");
        cr_assert_eq(exec_prepare(&p, &plan, &e), 0, "%s", e ? sbx_error_message(e) : "");
        cr_assert(realpath("/usr/bin/python3", real));
        cr_assert(has_mask(&plan, real), "no mask over %s", real);
        cr_assert_not(has_mask(&plan, "/usr/bin/python3"), "a symlink cannot be masked");

        char **x = NULL;
        cr_assert_eq(exec_allowed_paths(&p, &plan, &x), 0);
        bool prog = false, ld = false;
        char ldreal[PATH_MAX];
        cr_assert(realpath("/lib64/ld-linux-x86-64.so.2", ldreal));
        for (size_t i = 0; x[i]; i++) {
                prog = prog || strcmp(x[i], "/usr/bin/true") == 0;
                ld = ld || strcmp(x[i], ldreal) == 0;
                cr_assert(strcmp(x[i], real) != 0, "denied file granted EXECUTE");
        }
        cr_assert(prog && ld, "program or loader missing from EXECUTE");
        sbx_strv_free(x);
        plan_done(&plan);
        policy_done(&p);
}

Test(exec, denied_program_refused_with_the_profile_line)
{
        need_python();
        struct sbx_policy p;
        struct plan plan;
        struct sbx_error *e = NULL;
        char real[PATH_MAX];
        cr_assert(realpath("/usr/bin/python3", real));
        policy_setup(&p);
        system_view(&plan);
        SL(p.exec_deny, "/usr/bin/perl", "/usr/bin/python3");
        set_program(&plan, real);
        cr_assert_lt(exec_prepare(&p, &plan, &e), 0);
        char want[PATH_MAX + 64];
        snprintf(want, sizeof(want), "program %s is denied by test.ini:11", real);
        cr_assert_str_eq(sbx_error_message(e), want);
        cr_assert_eq(sbx_error_kind(e), SBX_ERROR_EXEC);
        sbx_error_free(e);
        plan_done(&plan);
        policy_done(&p);
}

Test(exec, copies_and_scripts_of_denied_programs_refused, .init = fs_setup, .fini = fs_teardown)
{
        need_python();
        struct sbx_policy p;
        struct plan plan;
        struct sbx_error *e = NULL;
        char copy[PATH_MAX + 16], script[PATH_MAX + 16], cmd[3 * PATH_MAX];
        snprintf(copy, sizeof(copy), "%s/mytool", tmp);
        snprintf(script, sizeof(script), "%s/run.py", tmp);
        snprintf(cmd, sizeof(cmd), "cp /usr/bin/python3 '%s'", copy);
        cr_assert_eq(system(cmd), 0);
        cr_assert_eq(write_file(script, "#!/usr/bin/python3\nprint(1)\n", 0755), 0);
        policy_setup(&p);
        system_view(&plan);
        add_mount(&plan, PM_BIND, tmp, tmp, true);
        SL(p.exec_deny, "/usr/bin/python3*");

        set_program(&plan, copy);
        cr_assert_lt(exec_prepare(&p, &plan, &e), 0);
        cr_assert(strstr(sbx_error_message(e), "is a copy of /usr/bin/python3"), "%s",
                  sbx_error_message(e));
        sbx_error_free(e);
        e = NULL;

        set_program(&plan, script);
        cr_assert_lt(exec_prepare(&p, &plan, &e), 0);
        cr_assert(strstr(sbx_error_message(e), "is run by /usr/bin/python3, which is denied by test.ini:10"),
                  "%s", sbx_error_message(e));
        sbx_error_free(e);
        plan_done(&plan);
        policy_done(&p);
}

static void hash_of(const char *path, char hex[65])
{
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        uint8_t d[32];
        cr_assert_eq(sha256_fd(fd, d), 0);
        close(fd);
        sha256_hex(d, hex);
}

static void pin(struct sbx_policy *p, const char *path, const char *hex)
{
        p->exec_hashes.v = calloc(1, sizeof(struct exec_hash));
        p->exec_hashes.v[0].path = strdup(path);
        snprintf(p->exec_hashes.v[0].hex, sizeof(p->exec_hashes.v[0].hex), "%s", hex);
        p->exec_hashes.v[0].loc = loc_at(7);
        p->exec_hashes.n = p->exec_hashes.cap = 1;
}

Test(exec, pinned_hash_binds_the_checked_fd)
{
        struct sbx_policy p;
        struct plan plan;
        struct sbx_error *e = NULL;
        char hex[65];
        hash_of("/usr/bin/true", hex);
        policy_setup(&p);
        system_view(&plan);
        pin(&p, "/bin/true", hex);
        set_program(&plan, "/usr/bin/true");
        cr_assert_eq(exec_prepare(&p, &plan, &e), 0, "%s", e ? sbx_error_message(e) : "");
        const struct plan_mount *m = &plan.mounts[plan.nmounts - 1];
        cr_assert_eq(m->kind, PM_BIND);
        cr_assert_str_eq(m->dst, "/usr/bin/true");
        cr_assert_geq(m->src_fd, 0);
        struct stat a, b;
        cr_assert_eq(fstat(m->src_fd, &a), 0);
        cr_assert_eq(stat("/usr/bin/true", &b), 0);
        cr_assert(a.st_ino == b.st_ino && a.st_dev == b.st_dev);
        cr_assert(m->readonly);
        plan_done(&plan);
        policy_done(&p);
}

Test(exec, pinned_hash_mismatch_refused)
{
        struct sbx_policy p;
        struct plan plan;
        struct sbx_error *e = NULL;
        char hex[65], bad[65];
        hash_of("/usr/bin/true", hex);
        memset(bad, '0', 64);
        bad[64] = 0;
        policy_setup(&p);
        system_view(&plan);
        pin(&p, "/usr/bin/true", bad);
        set_program(&plan, "/usr/bin/true");
        cr_assert_lt(exec_prepare(&p, &plan, &e), 0);
        char want[512];
        snprintf(want, sizeof(want),
                 "SHA-256 mismatch for /usr/bin/true (pinned at test.ini:7): expected %s, actual %s; "
                 "refusing to start",
                 bad, hex);
        cr_assert_str_eq(sbx_error_message(e), want);
        cr_assert_eq(sbx_error_kind(e), SBX_ERROR_EXEC);
        sbx_error_free(e);
        plan_done(&plan);
        policy_done(&p);
}

Test(exec, pinning_a_user_writable_file_refused, .init = fs_setup, .fini = fs_teardown)
{
        if (getuid() != 0)
                cr_skip_test("needs root to chown");
        struct sbx_policy p;
        struct plan plan;
        struct sbx_error *e = NULL;
        char hex[65];
        cr_assert_eq(chown(file_a, 65534, 65534), 0);
        hash_of(file_a, hex);
        policy_setup(&p);
        system_view(&plan);
        add_mount(&plan, PM_BIND, tmp, tmp, true);
        pin(&p, file_a, hex);
        set_program(&plan, "/usr/bin/true");
        cr_assert_lt(exec_prepare(&p, &plan, &e), 0);
        cr_assert(strstr(sbx_error_message(e), "refusing to pin") &&
                          strstr(sbx_error_message(e), "non-root user"),
                  "%s", sbx_error_message(e));
        sbx_error_free(e);
        plan_done(&plan);
        policy_done(&p);
}

Test(exec, explain_names_the_rule_that_refuses)
{
        need_python();
        struct sbx_policy p;
        struct plan plan;
        struct sbx_error *e = NULL;
        char real[PATH_MAX], buf[256], want[PATH_MAX + 64];
        cr_assert(realpath("/usr/bin/python3", real));
        policy_setup(&p);
        system_view(&plan);
        plan.policy = &p;
        SL(p.exec_allow, "/usr/bin/true");
        SL(p.exec_deny, "/usr/bin/python3");
        set_program(&plan, "/usr/bin/true");
        cr_assert_eq(exec_prepare(&p, &plan, &e), 0, "%s", e ? sbx_error_message(e) : "");
        cr_assert_eq(exec_allowed_paths(&p, &plan, &plan.exec_paths), 0);
        cr_assert_eq(landlock_prepare_abi(&p, &plan, 7, &plan.landlock, &e), 0, "%s",
                     e ? sbx_error_message(e) : "");
        char ovr[256];
        cr_assert_eq(exec_explain(&plan, real, buf, sizeof(buf), ovr, sizeof(ovr)), 1);
        snprintf(want, sizeof(want), "%s is denied by test.ini:10", real);
        cr_assert_str_eq(buf, want);
        cr_assert_str_eq(ovr, "--set exec.deny=!/usr/bin/python3");
        cr_assert_eq(exec_explain(&plan, "/tmp/a.out", buf, sizeof(buf), ovr, sizeof(ovr)), 1);
        cr_assert_str_eq(buf, "/tmp/a.out is on a writable (noexec) mount: [exec] writable-exec = no");
        cr_assert_str_eq(ovr, "--set exec.writable-exec=yes");
        cr_assert_eq(exec_explain(&plan, "/usr/bin/id", buf, sizeof(buf), ovr, sizeof(ovr)), 1);
        cr_assert_str_eq(buf, "/usr/bin/id is not in [exec] allow (test.ini:10)");
        cr_assert_str_eq(ovr, "--set exec.allow=/usr/bin/id");
        cr_assert_eq(exec_explain(&plan, "/usr/bin/true", buf, sizeof(buf), ovr, sizeof(ovr)), 0);
        /* A short buffer is cut, never overrun. */
        cr_assert_eq(exec_explain(&plan, "/usr/bin/id", buf, 8, ovr, 8), 1);
        cr_assert_str_eq(buf, "/usr/bi");
        cr_assert_str_eq(ovr, "--set e");
        plan_done(&plan);
        policy_done(&p);
}
