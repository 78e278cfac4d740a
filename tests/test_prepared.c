/* test_prepared.c — sbx_prepare()/sbx_spawn_prepared(): workers spawned from
 * one prepared sandbox are each as isolated as a fresh sbx_spawn(), share
 * nothing with each other, and may be spawned from several threads.
 *
 * Each case runs in a forked child (dropped to uid 65534 for the user case)
 * that reports a failure line on a pipe. */
#include <criterion/criterion.h>
#include <errno.h>
#include <grp.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"
#include "sbx.h"

static int report_fd = -1;

static void fail(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void fail(const char *fmt, ...)
{
        char buf[2048];
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(buf, sizeof(buf), fmt, ap);
        va_end(ap);
        (void)!write(report_fd, buf, n > 0 && (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf) - 1);
        _exit(1);
}

static void run_as(int who, void (*body)(void))
{
        int p[2];
        cr_assert_eq(pipe(p), 0);
        pid_t pid = fork();
        cr_assert_geq(pid, 0);
        if (pid == 0) {
                close(p[0]);
                report_fd = p[1];
                if (who == AS_USER && geteuid() == 0 &&
                    (setgroups(0, NULL) < 0 || setresgid(65534, 65534, 65534) < 0 ||
                     setresuid(65534, 65534, 65534) < 0))
                        fail("dropping to 65534: %s", strerror(errno));
                /* A uid change clears "dumpable", which would leave the
                 * sandbox's /proc/PID/uid_map owned by root. */
                if (prctl(PR_SET_DUMPABLE, 1, 0, 0, 0) < 0)
                        fail("PR_SET_DUMPABLE");
                if (chdir("/") < 0)
                        fail("chdir /");
                body();
                _exit(0);
        }
        close(p[1]);
        char buf[2048] = "";
        ssize_t n = read(p[0], buf, sizeof(buf) - 1);
        buf[n > 0 ? n : 0] = 0;
        close(p[0]);
        int st;
        cr_assert_eq(waitpid(pid, &st, 0), pid);
        cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "[%s] %s", who == AS_ROOT ? "root" : "user",
                  buf[0] ? buf : "child died");
}

static struct sbx_policy *load_default(void)
{
        struct sbx_policy *p = NULL;
        struct sbx_error *e = NULL;
        if (sbx_policy_new(&p) < 0 || sbx_policy_load(p, "default", &e) < 0)
                fail("policy: %s", e ? sbx_error_message(e) : "out of memory");
        return p;
}

/* Run `script` in a worker of pp (or a fresh sandbox of p when pp is NULL);
 * its stdout into out. */
static int worker(struct sbx_prepared *pp, struct sbx_policy *p, const char *script, char *out,
                  size_t n)
{
        int fds[2];
        if (pipe(fds) < 0)
                return -errno;
        const char *argv[] = { "/bin/sh", "-c", script, NULL };
        struct sbx_spawn_options o = { .size = sizeof(o), .file = "/bin/sh", .argv = argv,
                                       .stdin_fd = -1, .stdout_fd = fds[1], .stderr_fd = 2,
                                       .log_fd = -1 };
        struct sbx_process *proc = NULL;
        struct sbx_error *e = NULL;
        int r = pp ? sbx_spawn_prepared(pp, &o, &proc, &e) : sbx_spawn(p, &o, &proc, &e);
        close(fds[1]);
        if (r < 0) {
                close(fds[0]);
                fail("spawn: %s", e ? sbx_error_message(e) : strerror(-r));
        }
        size_t got = 0;
        ssize_t k;
        while (got + 1 < n && (k = read(fds[0], out + got, n - 1 - got)) > 0)
                got += (size_t)k;
        out[got] = 0;
        close(fds[0]);
        int st = 0;
        sbx_process_wait(proc, &st);
        sbx_process_free(proc);
        return sbx_exit_code(st);
}

static const char probe_script[] =
        "echo pid=$$; "
        "test -e /tmp/left-by-first && echo tmp=shared || echo tmp=own; "
        "test -e $HOME/left-by-first && echo home=shared || echo home=own; "
        "ipcs -m | grep -q '^0x' && echo ipc=shared || echo ipc=own; "
        "grep -E '^(NoNewPrivs|Seccomp|CapEff|CapBnd)' /proc/self/status | tr -d '\\t' | tr '\\n' ' '; echo; "
        "touch /tmp/left-by-first $HOME/left-by-first; ipcmk -M 4096 >/dev/null; "
        "cat /usr/bin/python3 >/dev/null 2>&1 && echo python=readable || echo python=masked";

static void isolation_body(void)
{
        struct sbx_policy *p = load_default();
        const char *argv[] = { "/bin/sh", NULL };
        struct sbx_spawn_options o = { .size = sizeof(o), .file = "/bin/sh", .argv = argv,
                                       .stdin_fd = -1, .stdout_fd = -1, .stderr_fd = 2,
                                       .log_fd = -1 };
        struct sbx_prepared *pp = NULL;
        struct sbx_error *e = NULL;
        if (sbx_prepare(p, &o, &pp, &e) < 0)
                fail("sbx_prepare: %s", e ? sbx_error_message(e) : "?");
        /* The caller may free its policy: the prepared sandbox has a copy. */
        char fresh[2048], first[2048], second[2048];
        if (worker(NULL, p, probe_script, fresh, sizeof(fresh)) != 0)
                fail("fresh sandbox failed: %s", fresh);
        sbx_policy_free(p);
        if (worker(pp, NULL, probe_script, first, sizeof(first)) != 0 ||
            worker(pp, NULL, probe_script, second, sizeof(second)) != 0)
                fail("prepared worker failed: %s / %s", first, second);
        /* Each worker exactly as confined as a fresh sandbox... */
        if (strcmp(fresh, first) != 0)
                fail("a prepared worker differs from a fresh sandbox:\nfresh:\n%s\nprepared:\n%s", fresh,
                     first);
        /* ...and nothing the first left is seen by the second. */
        if (strcmp(first, second) != 0)
                fail("the second worker saw the first one's state:\nfirst:\n%s\nsecond:\n%s", first,
                     second);
        if (!strstr(first, "pid=2\n") || !strstr(first, "tmp=own") || !strstr(first, "home=own") ||
            !strstr(first, "ipc=own") || !strstr(first, "NoNewPrivs:1") || !strstr(first, "Seccomp:2") ||
            !strstr(first, "CapEff:0000000000000000") || !strstr(first, "python=masked"))
                fail("a prepared worker is not confined as expected:\n%s", first);
        sbx_prepared_free(pp);
}

Test(prepared, workers_isolated_like_fresh_sandboxes_as_root) { run_as(AS_ROOT, isolation_body); }
Test(prepared, workers_isolated_like_fresh_sandboxes_as_user) { run_as(AS_USER, isolation_body); }

/* Shown to fail: two processes that do share /tmp (no sandbox) see each
 * other's file, so the script's "shared" answers are reachable. */
Test(prepared, probe_script_sees_sharing_without_sandbox)
{
        char dir[] = "/tmp/sbx-prep-XXXXXX";
        cr_assert(mkdtemp(dir));
        char script[4096];
        snprintf(script, sizeof(script), "HOME=%s; export HOME; cd %s; %s", dir, dir, probe_script);
        struct run_result a, b;
        const char *argv[] = { "/bin/sh", "-c", script, NULL };
        cr_assert_eq(run_cmd(AS_ROOT, NULL, 30, &a, argv), 0);
        cr_assert_eq(run_cmd(AS_ROOT, NULL, 30, &b, argv), 0);
        cr_assert(strstr(b.out, "home=shared"), "cannot fail: %s", b.out);
        run_result_free(&a);
        run_result_free(&b);
        char cmd[256];
        snprintf(cmd, sizeof(cmd), "rm -rf %s; ipcrm -a shm 2>/dev/null; true", dir);
        (void)!system(cmd);
}

static struct sbx_prepared *shared_pp;

static void *spawn_many(void *arg)
{
        long *bad = arg;
        for (int i = 0; i < 15; i++) {
                char out[256];
                if (worker(shared_pp, NULL, "echo ok", out, sizeof(out)) != 0 || strcmp(out, "ok\n") != 0)
                        (*bad)++;
        }
        return NULL;
}

static void threads_body(void)
{
        struct sbx_policy *p = load_default();
        const char *argv[] = { "/bin/sh", NULL };
        struct sbx_spawn_options o = { .size = sizeof(o), .file = "/bin/sh", .argv = argv,
                                       .stdin_fd = -1, .stdout_fd = -1, .stderr_fd = 2,
                                       .log_fd = -1 };
        struct sbx_error *e = NULL;
        if (sbx_prepare(p, &o, &shared_pp, &e) < 0)
                fail("sbx_prepare: %s", e ? sbx_error_message(e) : "?");
        pthread_t t[4];
        long bad[4] = { 0 };
        for (int i = 0; i < 4; i++)
                if (pthread_create(&t[i], NULL, spawn_many, &bad[i]) != 0)
                        fail("pthread_create");
        for (int i = 0; i < 4; i++)
                pthread_join(t[i], NULL);
        for (int i = 0; i < 4; i++)
                if (bad[i])
                        fail("thread %d: %ld workers failed", i, bad[i]);
        sbx_prepared_free(shared_pp);
        sbx_policy_free(p);
}

Test(prepared, spawn_from_four_threads, .timeout = 300)
{
        run_as(AS_ROOT, threads_body);
        run_as(AS_USER, threads_body);
}
