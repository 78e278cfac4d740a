/* test_init.c — the sandbox's own pid 1 and sbx's channels (issue 17):
 * init is not dumpable, has no terminal, no caller fds and a filter of its
 * own; the status cannot be forged; denial reports are not lost silently
 * and cannot be forged into --log-file; --fd refuses what is not open.
 * Each attack also runs against a dumpable same-uid process outside sbx
 * (the probe's "child" target) and must work there. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stddef.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"
#include "sbx.h"

static const int whos[] = { AS_ROOT, AS_USER };
#define FOR_EACH_USER for (size_t wi = 0; wi < 2; wi++)
#define WHO whos[wi]
#define WHO_NAME (WHO == AS_ROOT ? "root" : "user")
#define ARGS(...) ((const char *const[]){ __VA_ARGS__, NULL })

/* sbx run --profile default --ro-bind PROBE EXTRA… -- PROBE ARGS… */
static void sbx_probe(int who, struct run_result *r, const char *const *extra, const char *const *args)
{
        const char *argv[64];
        size_t n = 0;
        argv[n++] = sbx_bin();
        argv[n++] = "run";
        argv[n++] = "--profile";
        argv[n++] = "default";
        argv[n++] = "--ro-bind";
        argv[n++] = probe_bin();
        for (size_t i = 0; extra && extra[i]; i++)
                argv[n++] = extra[i];
        argv[n++] = "--";
        argv[n++] = probe_bin();
        for (size_t i = 0; args && args[i]; i++)
                argv[n++] = args[i];
        argv[n] = NULL;
        cr_assert_eq(run_cmd(who, NULL, 60, r, argv), 0, "sbx did not finish");
}

/* The attack against a plain dumpable process of the same user works. */
static void attack_works_bare(int who, const char *cmd)
{
        struct run_result r;
        const char *argv[] = { probe_bin(), cmd, "child", NULL };
        cr_assert_eq(run_cmd(who, NULL, 30, &r, argv), 0);
        cr_assert(strncmp(r.out, "OK", 2) == 0, "probe %s cannot fail: denied even against a plain "
                  "process: %s %s", cmd, r.out, r.err);
        run_result_free(&r);
}

/* Only init's hardening in the way: Landlock (its ptrace scoping) and, where
 * given, seccomp switched off. */
#define NO_LANDLOCK "--set", "landlock.enabled=no"
#define NO_SECCOMP "--set", "seccomp.enabled=no"

Test(init, status_cannot_be_forged)
{
        struct run_result r;
        FOR_EACH_USER {
                sbx_probe(WHO, &r, ARGS(NO_LANDLOCK), ARGS("proc-fd-write", "1", "9"));
                cr_assert_eq(r.status, 9, "[%s] forged status: sbx exit %d, want 9\nstdout: %s\nstderr: %s",
                             WHO_NAME, r.status, r.out, r.err);
                cr_assert(strncmp(r.out, "DENIED", 6) == 0, "[%s] %s", WHO_NAME, r.out);
                run_result_free(&r);
                attack_works_bare(WHO, "proc-fd-write");
        }
}

Test(init, memory_and_ptrace_unreachable)
{
        struct run_result r;
        static const char *const cmds[] = { "proc-mem", "ptrace-attach" };
        FOR_EACH_USER {
                for (size_t i = 0; i < 2; i++) {
                        sbx_probe(WHO, &r, ARGS(NO_LANDLOCK, NO_SECCOMP), ARGS(cmds[i], "1"));
                        cr_assert_eq(r.status, 0, "[%s] %s: exit %d: %s", WHO_NAME, cmds[i], r.status, r.err);
                        cr_assert(strncmp(r.out, "DENIED", 6) == 0, "[%s] ESCAPE: %s", WHO_NAME, r.out);
                        run_result_free(&r);
                        attack_works_bare(WHO, cmds[i]);
                }
        }
}

/* Field `n` (1-based) of /proc/PID/stat text (after the comm's ')'). */
static long stat_field(const char *stat, int n)
{
        const char *p = strrchr(stat, ')');
        cr_assert(p, "bad stat: %s", stat);
        p += 2; /* field 3 */
        for (int f = 3; f < n; f++) {
                p = strchr(p, ' ');
                cr_assert(p);
                p++;
        }
        return strtol(p, NULL, 10);
}

Test(init, no_terminal_filtered_no_privileges)
{
        struct run_result r;
        FOR_EACH_USER {
                for (int keep = 0; keep < 2; keep++) {
                        const char *argv[] = { sbx_bin(), "run", "--profile", "default",
                                               keep ? "--keep-session" : "--verbose", "--",
                                               "/bin/cat", "/proc/1/status", "/proc/1/stat", NULL };
                        cr_assert_eq(run_cmd(WHO, NULL, 60, &r, argv), 0);
                        cr_assert_eq(r.status, 0, "[%s] exit %d: %s", WHO_NAME, r.status, r.err);
                        cr_assert(strstr(r.out, "Seccomp:\t2"), "[%s] init unfiltered: %s", WHO_NAME, r.out);
                        cr_assert(strstr(r.out, "NoNewPrivs:\t1"), "[%s] %s", WHO_NAME, r.out);
                        for (const char *c = strstr(r.out, "Cap"); c; c = strstr(c + 1, "\nCap"))
                                cr_assert(strstr(c, "0000000000000000") == strchr(c, '\t') + 1,
                                          "[%s] init has capabilities: %s", WHO_NAME, r.out);
                        const char *stat = strstr(r.out, "1 (");
                        cr_assert(stat, "[%s] %s", WHO_NAME, r.out);
                        /* session (6) is init's own, tty_nr (7) none. */
                        cr_assert_eq(stat_field(stat, 6), 1, "[%s] init keeps the caller's session: %s",
                                     WHO_NAME, stat);
                        cr_assert_eq(stat_field(stat, 7), 0, "[%s] init has a terminal: %s", WHO_NAME, stat);
                        run_result_free(&r);
                }
        }
}

/* Host pid of the only child of `parent`, waiting up to 10 s. */
static pid_t child_of(pid_t parent)
{
        char path[64], buf[64];
        snprintf(path, sizeof(path), "/proc/%d/task/%d/children", (int)parent, (int)parent);
        for (int i = 0; i < 200; i++) {
                FILE *f = fopen(path, "r");
                long c = 0;
                if (f && fgets(buf, sizeof(buf), f))
                        c = strtol(buf, NULL, 10);
                if (f)
                        fclose(f);
                if (c > 0)
                        return (pid_t)c;
                usleep(50000);
        }
        return -1;
}

static pid_t spawn_sbx(int who, int err_fd, const char *const *args)
{
        const char *argv[64];
        size_t n = 0;
        if (who == AS_USER) {
                argv[n++] = "setpriv";
                argv[n++] = "--reuid=65534";
                argv[n++] = "--regid=65534";
                argv[n++] = "--clear-groups";
        }
        argv[n++] = sbx_bin();
        for (size_t i = 0; args[i]; i++)
                argv[n++] = args[i];
        argv[n] = NULL;
        pid_t pid = fork();
        cr_assert(pid >= 0);
        if (pid == 0) {
                int null = open("/dev/null", O_RDWR);
                dup2(null, 0);
                dup2(null, 1);
                dup2(err_fd, 2);
                execvp(argv[0], (char **)argv);
                _exit(127);
        }
        return pid;
}

static int wait_exit(pid_t pid, int timeout_s)
{
        int st;
        for (int i = 0; i < timeout_s * 20; i++) {
                pid_t w = waitpid(pid, &st, WNOHANG);
                if (w == pid)
                        return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
                usleep(50000);
        }
        kill(pid, SIGKILL);
        waitpid(pid, &st, 0);
        return -1;
}

/* Seen from outside (the test runs as root): init holds none of the
 * caller's fds, not its stderr; and inside, /proc/1/fd opens nothing. */
Test(init, holds_no_caller_fds)
{
        if (geteuid() != 0)
                cr_skip_test("needs root to look into another user's /proc/PID/fd");
        FOR_EACH_USER {
                int p[2];
                cr_assert_eq(pipe(p), 0);
                struct stat want;
                cr_assert_eq(fstat(p[1], &want), 0);
                pid_t sbx = spawn_sbx(WHO, p[1], ARGS("run", "--profile", "default", "--log-denials", "--",
                                                      "/bin/sleep", "3"));
                close(p[1]);
                pid_t init = child_of(sbx);
                cr_assert_gt(init, 0, "[%s] no init found", WHO_NAME);
                usleep(300000); /* past its setup */
                char dir[64], path[320], link[256];
                snprintf(dir, sizeof(dir), "/proc/%d/fd", (int)init);
                DIR *d = opendir(dir);
                cr_assert(d, "[%s] %s: %s", WHO_NAME, dir, strerror(errno));
                int n = 0;
                for (struct dirent *e; (e = readdir(d));) {
                        if (e->d_name[0] == '.')
                                continue;
                        snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
                        ssize_t k = readlink(path, link, sizeof(link) - 1);
                        link[k > 0 ? k : 0] = 0;
                        struct stat st;
                        cr_assert_eq(stat(path, &st), 0);
                        cr_assert(!(st.st_dev == want.st_dev && st.st_ino == want.st_ino),
                                  "[%s] init holds the caller's stderr as fd %s", WHO_NAME, e->d_name);
                        cr_assert(strncmp(link, "/dev/", 5) != 0 && link[0] != '/',
                                  "[%s] init holds a file: fd %s -> %s", WHO_NAME, e->d_name, link);
                        n++;
                }
                closedir(d);
                cr_assert_leq(n, 5, "[%s] init holds %d fds", WHO_NAME, n);
                cr_assert_eq(wait_exit(sbx, 30), 0, "[%s]", WHO_NAME);
                close(p[0]);
        }
}

/* SigIgn of the process that printed /proc/self/status. */
static unsigned long long sig_ignored(const char *status)
{
        const char *p = strstr(status, "\nSigIgn:\t");
        cr_assert(p, "no SigIgn line in: %s", status);
        return strtoull(p + strlen("\nSigIgn:\t"), NULL, 16);
}

/* What the caller ignores (SIG_IGN survives execve) is not the program's:
 * init resets it, whether clone3 cleared the handlers or not.  The same
 * status read without the sandbox shows the signals ignored, so the
 * check can fail. */
Test(init, caller_ignored_signals_reset)
{
        const int sigs[] = { SIGHUP, SIGINT, SIGPIPE, SIGTERM, SIGUSR1, SIGRTMIN + 2 };
        struct sigaction ign = { .sa_handler = SIG_IGN };
        for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
                cr_assert_eq(sigaction(sigs[i], &ign, NULL), 0);
        struct run_result r;
        const char *const bare[] = { "/bin/cat", "/proc/self/status", NULL };
        cr_assert_eq(run_cmd(AS_ROOT, NULL, 30, &r, bare), 0);
        unsigned long long want = 0;
        for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
                want |= 1ULL << (sigs[i] - 1);
        cr_assert_eq(sig_ignored(r.out) & want, want, "bare: SigIgn %llx", sig_ignored(r.out));
        run_result_free(&r);
        FOR_EACH_USER {
                cr_assert_eq(run_sbx(WHO, &r, "run", "--profile", "default", "--", "/bin/cat",
                                     "/proc/self/status", NULL), 0);
                cr_assert_eq(r.status, 0, "[%s] %s", WHO_NAME, r.err);
                cr_assert_eq(sig_ignored(r.out), 0, "[%s] the program ignores %llx", WHO_NAME,
                             sig_ignored(r.out));
                run_result_free(&r);
        }
}

static unsigned count(const char *s, const char *what)
{
        unsigned n = 0;
        for (const char *p = s; (p = strstr(p, what)); p += strlen(what))
                n++;
        return n;
}

static unsigned lost_in(const char *s)
{
        const char *p = strstr(s, "sbx: ");
        unsigned long v = 0;
        for (; p; p = strstr(p + 1, "sbx: ")) {
                char *end;
                unsigned long k = strtoul(p + 5, &end, 10);
                if (end != p + 5 && strncmp(end, " denial report", 14) == 0)
                        v = k;
        }
        return (unsigned)v;
}

/* The program makes its stderr non-blocking and fills it (nobody reads it
 * for 2 s), then makes N denied calls: every report is delivered or
 * counted in "N denial reports were lost". */
Test(init, denial_flood_not_silently_dropped)
{
        enum { N = 1500 };
        char *d = make_tmpdir();
        char *qd = shq(d), *qs = shq(sbx_bin()), *qp = shq(probe_bin());
        char cmd[4096];
        snprintf(cmd, sizeof(cmd),
                 "%s run --profile default --log-denials --ro-bind %s -- %s flood %d 2>&1 >%s/out-$(id -u) "
                 "| { sleep 2; cat; }", qs, qp, qp, N, qd);
        FOR_EACH_USER {
                struct run_result r;
                cr_assert_eq(run_cmd(WHO, NULL, 120, &r, ARGS("/bin/sh", "-c", cmd)), 0);
                char path[512], out[512] = "";
                snprintf(path, sizeof(path), "%s/out-%d", d, WHO == AS_ROOT ? 0 : 65534);
                FILE *f = fopen(path, "r");
                cr_assert(f);
                cr_assert(fgets(out, sizeof(out), f));
                fclose(f);
                /* The attack works: stderr was full when the denials came. */
                cr_assert(strncmp(out, "OK", 2) == 0, "[%s] stderr was never full: %s", WHO_NAME, out);
                unsigned got = count(r.out, "sbx: denied ptrace("), lost = lost_in(r.out);
                cr_assert_eq(got + lost, N, "[%s] %u delivered + %u counted lost != %d", WHO_NAME, got,
                             lost, N);
                run_result_free(&r);
        }
        /* With --log-file: only sbx's own lines there, all of them or
         * counted, while the program's stderr is full and unread. */
        FOR_EACH_USER {
                char log[512];
                snprintf(log, sizeof(log), "%s/log-%s", d, WHO_NAME);
                char *ql = shq(log);
                snprintf(cmd, sizeof(cmd),
                         "%s run --profile default --log-denials --log-file %s --ro-bind %s -- %s flood %d "
                         "2>&1 >%s/out-$(id -u) | { sleep 2; cat >/dev/null; }", qs, ql, qp, qp, N, qd);
                free(ql);
                struct run_result r;
                cr_assert_eq(run_cmd(WHO, NULL, 120, &r, ARGS("/bin/sh", "-c", cmd)), 0);
                cr_assert_eq(r.status, 0, "[%s] %s", WHO_NAME, r.err);
                run_result_free(&r);
                FILE *f = fopen(log, "r");
                cr_assert(f, "[%s] no log file", WHO_NAME);
                static char text[1 << 20];
                size_t n = fread(text, 1, sizeof(text) - 1, f);
                text[n] = 0;
                fclose(f);
                cr_assert(!strstr(text, "forged"), "[%s] the program's line is in sbx's log", WHO_NAME);
                cr_assert(!strstr(text, "xxxx"), "[%s] the program's output is in sbx's log", WHO_NAME);
                unsigned got = count(text, "sbx: denied ptrace("), lost = lost_in(text);
                cr_assert_eq(got + lost, N, "[%s] log: %u + %u lost != %d", WHO_NAME, got, lost, N);
                struct stat st;
                cr_assert_eq(stat(log, &st), 0);
                cr_assert_eq(st.st_mode & 0777, 0600);
                unlink(log);
        }
        char path[512];
        snprintf(path, sizeof(path), "%s/out-0", d);
        unlink(path);
        snprintf(path, sizeof(path), "%s/out-65534", d);
        unlink(path);
        rmdir(d);
        free(d);
        free(qd);
        free(qs);
        free(qp);
}

Test(init, denial_reported_on_stderr_by_default)
{
        struct run_result r;
        FOR_EACH_USER {
                sbx_probe(WHO, &r, ARGS("--log-denials"), ARGS("ptrace"));
                cr_assert_eq(r.status, 0, "[%s] %s", WHO_NAME, r.err);
                cr_assert(strstr(r.err, "sbx: denied ptrace("), "[%s] no report: %s", WHO_NAME, r.err);
                cr_assert(!strstr(r.err, "lost"), "[%s] %s", WHO_NAME, r.err);
                run_result_free(&r);
        }
}

Test(fd, unopened_fd_refused)
{
        struct run_result r;
        FOR_EACH_USER {
                /* Not open here, so not in sbx either (which would give
                 * one of its own channels that number). */
                close(900);
                const char *argv[] = { sbx_bin(), "run", "--fd", "900", "--", "/bin/true", NULL };
                cr_assert_eq(run_cmd(WHO, NULL, 60, &r, argv), 0);
                cr_assert_eq(r.status, 2, "[%s] exit %d: %s", WHO_NAME, r.status, r.err);
                cr_assert(strstr(r.err, "--fd 900: not open"), "[%s] %s", WHO_NAME, r.err);
                run_result_free(&r);
                const char *argv2[] = { sbx_bin(), "run", "--fd", "2", "--", "/bin/true", NULL };
                cr_assert_eq(run_cmd(WHO, NULL, 60, &r, argv2), 0);
                cr_assert_eq(r.status, 2, "[%s] --fd 2: exit %d: %s", WHO_NAME, r.status, r.err);
                run_result_free(&r);
        }
}

/* The program holds no channel of sbx's (not the error pipe): a SIGTERM to
 * sbx reaches the program at once, also while reports are relayed. */
Test(fd, sigterm_forwarded_while_relaying)
{
        FOR_EACH_USER {
                int p[2];
                cr_assert_eq(pipe(p), 0);
                pid_t sbx = spawn_sbx(WHO, p[1], ARGS("run", "--profile", "default", "--log-denials", "--",
                                                      "/bin/sleep", "60"));
                close(p[1]);
                cr_assert_gt(child_of(sbx), 0);
                usleep(500000);
                struct timespec t0, t1;
                clock_gettime(CLOCK_MONOTONIC, &t0);
                kill(sbx, SIGTERM);
                int code = wait_exit(sbx, 20);
                clock_gettime(CLOCK_MONOTONIC, &t1);
                cr_assert_eq(code, 128 + SIGTERM, "[%s] sbx exit %d after SIGTERM", WHO_NAME, code);
                cr_assert_lt(t1.tv_sec - t0.tv_sec, 5, "[%s] SIGTERM took too long", WHO_NAME);
                close(p[0]);
        }
}

/* The library refuses keep_fds that are not open, or that are stdio, before
 * it creates a channel; the report pipe carries a denial to log_fd and the
 * stats count what was lost (none here), for old and new struct sizes. */
Test(fd, library_checks_keep_fds_and_relays)
{
        if (geteuid() != 0)
                cr_skip_test("spawns in-process: needs root");
        struct sbx_policy *p = NULL;
        struct sbx_error *e = NULL;
        cr_assert_eq(sbx_policy_new(&p), 0);
        cr_assert_geq(sbx_policy_load(p, "default", &e), 0, "%s", e ? sbx_error_message(e) : "");
        cr_assert_geq(sbx_policy_add_bind_from(p, probe_bin(), NULL, SBX_BIND_RO, "test", &e), 0);
        const char *argv[] = { probe_bin(), "ptrace", NULL };
        int logp[2], outp[2];
        cr_assert_eq(pipe(logp), 0);
        cr_assert_eq(pipe(outp), 0);
        close(900);
        struct sbx_spawn_options o = { .size = sizeof(o), .file = probe_bin(), .argv = argv,
                                       .stdin_fd = -1, .stdout_fd = outp[1], .stderr_fd = -1,
                                       .keep_fds = (const int[]){ 900 }, .n_keep_fds = 1,
                                       .flags = SBX_SPAWN_LOG_DENIALS, .log_fd = logp[1] };
        struct sbx_process *proc = NULL;
        cr_assert_eq(sbx_spawn(p, &o, &proc, &e), -EBADF);
        cr_assert(e && strstr(sbx_error_message(e), "fd 900 is not open"), "%s",
                  e ? sbx_error_message(e) : "");
        sbx_error_free(e);
        e = NULL;
        o.keep_fds = (const int[]){ 1 };
        cr_assert_eq(sbx_spawn(p, &o, &proc, &e), -EINVAL);
        sbx_error_free(e);
        e = NULL;

        o.n_keep_fds = 0;
        cr_assert_eq(sbx_spawn(p, &o, &proc, &e), 0, "%s", e ? sbx_error_message(e) : "");
        close(outp[1]);
        cr_assert_geq(sbx_process_report_fd(proc), 0);
        int status;
        cr_assert_eq(sbx_process_wait(proc, &status), 0);
        cr_assert_eq(sbx_process_report_fd(proc), -1);
        cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
        close(logp[1]);
        char buf[4096];
        ssize_t n = read(logp[0], buf, sizeof(buf) - 1);
        buf[n > 0 ? n : 0] = 0;
        cr_assert(strstr(buf, "sbx: denied ptrace("), "no report on log_fd: %s", buf);
        n = read(outp[0], buf, sizeof(buf) - 1);
        buf[n > 0 ? n : 0] = 0;
        cr_assert(strncmp(buf, "DENIED", 6) == 0, "%s", buf);
        struct sbx_process_stats st = { .size = sizeof(st), .reports_lost = 77 };
        cr_assert_eq(sbx_process_stats(proc, &st), 0);
        cr_assert_eq(st.reports_lost, 0);
        /* A caller built against SBX_0.2 knows no reports_lost: left alone. */
        struct sbx_process_stats old = { .size = offsetof(struct sbx_process_stats, reports_lost),
                                         .reports_lost = 77 };
        cr_assert_eq(sbx_process_stats(proc, &old), 0);
        cr_assert_eq(old.reports_lost, 77);
        sbx_process_free(proc);
        close(logp[0]);
        close(outp[0]);

        /* log_fd's reader went away: the report is counted lost, and the
         * caller gets no SIGPIPE (default action: it would die). */
        cr_assert_eq(pipe(logp), 0);
        close(logp[0]);
        o.log_fd = logp[1];
        o.stdout_fd = -1;
        cr_assert_eq(sbx_spawn(p, &o, &proc, &e), 0, "%s", e ? sbx_error_message(e) : "");
        cr_assert_eq(sbx_process_wait(proc, &status), 0);
        cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
        cr_assert_eq(sbx_process_stats(proc, &st), 0);
        cr_assert_eq(st.reports_lost, 1, "%llu lost", (unsigned long long)st.reports_lost);
        sigset_t pending;
        cr_assert_eq(sigpending(&pending), 0);
        cr_assert(!sigismember(&pending, SIGPIPE));
        sbx_process_free(proc);
        close(logp[1]);
        sbx_policy_free(p);
}

/* After the fix no program holds a channel of sbx's: with --fd 5 the
 * program has 0, 1, 2, 5 and nothing else (ls adds its own directory fd). */
Test(fd, program_holds_only_its_fds)
{
        char cmd[1024];
        char *qs = shq(sbx_bin());
        snprintf(cmd, sizeof(cmd), "exec 5</dev/null; exec %s run --profile default --log-denials --fd 5 -- "
                 "/bin/ls -l /proc/self/fd", qs);
        free(qs);
        FOR_EACH_USER {
                struct run_result r;
                cr_assert_eq(run_cmd(WHO, NULL, 60, &r, ARGS("/bin/sh", "-c", cmd)), 0);
                cr_assert_eq(r.status, 0, "[%s] %s", WHO_NAME, r.err);
                unsigned n = 0;
                for (char *l = strtok(r.out, "\n"); l; l = strtok(NULL, "\n")) {
                        const char *arrow = strstr(l, " -> ");
                        if (!arrow)
                                continue;
                        const char *sp = arrow;
                        while (sp > l && sp[-1] != ' ')
                                sp--;
                        int fd = atoi(sp);
                        n++;
                        cr_assert(fd <= 2 || fd == 5 || strstr(arrow, "/proc/"),
                                  "[%s] the program holds fd %d: %s", WHO_NAME, fd, l);
                        if (fd == 5)
                                cr_assert(strstr(arrow, "/dev/null"), "[%s] %s", WHO_NAME, l);
                }
                cr_assert_eq(n, 5, "[%s] %s", WHO_NAME, r.out);
                run_result_free(&r);
        }
}
