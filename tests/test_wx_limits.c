/* test_wx_limits.c — W^X and the sandbox's resource limits through the
 * real `sbx run`, as root and as an unprivileged user, with the static
 * probe inside (probe_wx.c).
 *
 * W^X: each route from writable to executable memory runs code bare and
 * under a profile without wx (default), and is refused under one with it
 * (document-converter).  Limits: each exhaustion goes past the limit bare
 * and stops at it inside; on this CI machine root gets cgroup v1 and the
 * unprivileged user rlimits, and the tests check the mechanism each gets. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"

static const int whos[] = { AS_ROOT, AS_USER };
#define FOR_EACH_USER for (size_t wi = 0; wi < 2; wi++)
#define WHO whos[wi]
#define WHO_NAME (WHO == AS_ROOT ? "root" : "user")
#define ARGS(...) ((const char *const[]){ __VA_ARGS__, NULL })
#define NONE ((const char *const[]){ NULL })

/* sbx run [FLAGS…] --profile NAME --ro-bind PROBE --set exec.allow=PROBE -- PROBE ARGS… */
static void run_probe(int who, const char *profile, const char *const *flags, const char *const *args,
                      struct run_result *r)
{
        const char *argv[64];
        size_t n = 0;
        char *allow = NULL;
        char *w = profile_word(probe_bin());
        cr_assert_geq(asprintf(&allow, "exec.allow=%s", w), 0);
        free(w);
        argv[n++] = sbx_bin();
        argv[n++] = "run";
        for (size_t i = 0; flags[i]; i++)
                argv[n++] = flags[i];
        argv[n++] = "--profile";
        argv[n++] = profile;
        argv[n++] = "--ro-bind";
        argv[n++] = probe_bin();
        argv[n++] = "--set";
        argv[n++] = allow;
        argv[n++] = "--";
        argv[n++] = probe_bin();
        for (size_t i = 0; args[i]; i++)
                argv[n++] = args[i];
        argv[n] = NULL;
        cr_assert_eq(run_cmd(who, NULL, 60, r, argv), 0, "sbx did not finish");
        free(allow);
}

static void run_bare(int who, const char *const *args, struct run_result *r)
{
        const char *argv[32];
        size_t n = 0;
        argv[n++] = probe_bin();
        for (size_t i = 0; args[i]; i++)
                argv[n++] = args[i];
        argv[n] = NULL;
        cr_assert_eq(run_cmd(who, NULL, 60, r, argv), 0);
}

static void expect_out(const struct run_result *r, const char *what, const char *expect)
{
        cr_assert(strncmp(r->out, expect, strlen(expect)) == 0, "%s: expected '%s', got '%s' (exit %d, stderr %s)",
                  what, expect, r->out, r->status, r->err);
}

/* ---- W^X ------------------------------------------------------------------ */

static const char *const wx_routes[][3] = {
        { "wx-mprotect" }, { "wx-pkey" },     { "wx-mmap" },           { "wx-shm", "twice" },
        { "wx-shm", "wx" }, { "wx-procmem" }, { "wx-twice", "memfd" },
};

Test(wx, every_route_runs_code_bare_and_without_wx)
{
        struct run_result r;
        FOR_EACH_USER {
                for (size_t i = 0; i < sizeof(wx_routes) / sizeof(wx_routes[0]); i++) {
                        char what[128];
                        snprintf(what, sizeof(what), "[%s] bare %s", WHO_NAME, wx_routes[i][0]);
                        run_bare(WHO, wx_routes[i], &r);
                        expect_out(&r, what, "OK");
                        run_result_free(&r);
                        snprintf(what, sizeof(what), "[%s] default %s", WHO_NAME, wx_routes[i][0]);
                        run_probe(WHO, "default", NONE, wx_routes[i], &r);
                        expect_out(&r, what, "OK");
                        run_result_free(&r);
                }
        }
}

Test(wx, every_route_refused_under_wx)
{
        struct run_result r;
        FOR_EACH_USER {
                for (size_t i = 0; i < sizeof(wx_routes) / sizeof(wx_routes[0]); i++) {
                        char what[128];
                        snprintf(what, sizeof(what), "[%s] document-converter %s %s", WHO_NAME, wx_routes[i][0],
                                 wx_routes[i][1] ? wx_routes[i][1] : "");
                        run_probe(WHO, "document-converter", NONE, wx_routes[i], &r);
                        expect_out(&r, what, "DENIED");
                        run_result_free(&r);
                }
                run_probe(WHO, "document-converter", NONE, ARGS("mdwe"), &r);
                expect_out(&r, "MDWE on under wx", "OK mdwe 1");
                run_result_free(&r);
        }
}

/* Each layer holds alone: with the filter off, the kernel's MDWE refuses
 * what it covers (EACCES, where seccomp answers EPERM) and the read-only
 * /proc still stops /proc/self/mem. */
Test(wx, mdwe_and_proc_hold_without_seccomp)
{
        struct run_result r;
        FOR_EACH_USER {
                static const char *const mdwe_routes[][3] = { { "wx-mprotect" }, { "wx-pkey" }, { "wx-mmap" },
                                                              { "wx-shm", "wx" } };
                for (size_t i = 0; i < 4; i++) {
                        run_probe(WHO, "document-converter", ARGS("--set", "seccomp.enabled=no"), mdwe_routes[i], &r);
                        expect_out(&r, mdwe_routes[i][0], "DENIED EACCES");
                        run_result_free(&r);
                }
                run_probe(WHO, "document-converter", ARGS("--set", "seccomp.enabled=no", "--set", "landlock.enabled=no"),
                          ARGS("wx-procmem"), &r);
                expect_out(&r, "/proc/self/mem without seccomp and Landlock", "DENIED EROFS");
                run_result_free(&r);
        }
}

/* Known and reported by sbx analyze: a memfd written with write(2) and
 * mapped once, privately, executable.  Seccomp cannot tell its fd from a
 * library's.  This test pins the gap so that closing it shows up. */
Test(wx, memfd_private_mapping_stays_open_and_is_reported)
{
        struct run_result r;
        run_probe(AS_USER, "document-converter", NONE, ARGS("wx-twice", "private"), &r);
        expect_out(&r, "memfd private exec mapping", "OK");
        run_result_free(&r);
        cr_assert_eq(run_sbx(AS_USER, &r, "analyze", "document-converter", NULL), 0);
        cr_assert(strstr(r.out, "memfd written, then mapped MAP_PRIVATE|PROT_EXEC: OPEN"), "%s", r.out);
        cr_assert(strstr(r.out, "mprotect/pkey_mprotect RW -> RX: closed (MDWE and seccomp)"), "%s", r.out);
        cr_assert(strstr(r.out, "/proc/self/mem written (FOLL_FORCE ignores page protections): closed"), "%s", r.out);
        run_result_free(&r);
}

/* ---- limits ---------------------------------------------------------------- */

static bool root_has_v1(const char *ctrl)
{
        char path[128];
        snprintf(path, sizeof(path), "/sys/fs/cgroup/%s/cgroup.procs", ctrl);
        return access(path, W_OK) == 0;
}

Test(limits, memory_hog_stops_at_the_limit)
{
        struct run_result r;
        FOR_EACH_USER {
                run_bare(WHO, ARGS("hog", "96"), &r);
                expect_out(&r, "bare hog", "OK");
                run_result_free(&r);
                run_probe(WHO, "default", ARGS("--set", "limits.memory=32M"), ARGS("hog", "96"), &r);
                if (WHO == AS_ROOT && root_has_v1("memory")) {
                        /* cgroup: the OOM killer inside the sandbox's cgroup */
                        cr_assert_eq(r.status, 137, "[root] hog: exit %d, out %s, err %s", r.status, r.out, r.err);
                        cr_assert(strstr(r.err, "reached its memory limit"), "[root] %s", r.err);
                } else {
                        /* rlimit data: malloc fails */
                        cr_assert_eq(r.status, 0, "[%s] hog: exit %d err %s", WHO_NAME, r.status, r.err);
                        expect_out(&r, "hog under rlimit data", "DENIED ENOMEM");
                }
                run_result_free(&r);
        }
}

Test(limits, fork_bomb_bounded)
{
        struct run_result r;
        FOR_EACH_USER {
                run_bare(WHO, ARGS("forks", "60"), &r);
                expect_out(&r, "bare forks", "OK");
                run_result_free(&r);
                /* A registry of running sandboxes for this user, so that
                 * sbx run names the sandbox and starts its door. */
                char *rt = make_tmpdir();
                cr_assert(rt && chmod(rt, 0700) == 0 &&
                          chown(rt, WHO == AS_USER ? 65534 : 0, WHO == AS_USER ? 65534 : 0) == 0);
                setenv("XDG_RUNTIME_DIR", rt, 1);
                run_probe(WHO, "default", ARGS("--set", "limits.processes=16"), ARGS("forks", "60"), &r);
                unsetenv("XDG_RUNTIME_DIR");
                char rm[4200];
                snprintf(rm, sizeof(rm), "rm -rf '%s'", rt);
                cr_assert_eq(system(rm), 0);
                free(rt);
                cr_assert_eq(r.status, 0, "[%s] forks: exit %d err %s", WHO_NAME, r.status, r.err);
                /* 16 processes: init, the door of sbx enter (a named
                 * sandbox has one), the probe and 13 children. */
                expect_out(&r, "forks", "DENIED EAGAIN 13 processes forked");
                if (WHO == AS_ROOT && root_has_v1("pids"))
                        cr_assert(strstr(r.err, "reached its process limit"), "[root] %s", r.err);
                run_result_free(&r);
        }
}

Test(limits, tmpfs_full_and_out_of_inodes)
{
        struct run_result r;
        FOR_EACH_USER {
                char *dir = make_tmpdir();
                run_bare(WHO, ARGS("fill", dir, "24"), &r);
                expect_out(&r, "bare fill", "OK");
                run_result_free(&r);
                free(dir);
                run_probe(WHO, "default", ARGS("--set", "limits.tmpfs-size=8M"), ARGS("fill", "/dev/shm", "24"), &r);
                expect_out(&r, "fill /dev/shm", "DENIED ENOSPC wrote 8 MiB");
                run_result_free(&r);
                run_probe(WHO, "default", ARGS("--set", "limits.tmpfs-size=8M", "--set", "filesystem.tmpfs=/tmp"),
                          ARGS("fill", "/tmp", "24"), &r);
                expect_out(&r, "fill /tmp", "DENIED ENOSPC wrote 8 MiB");
                run_result_free(&r);
                run_probe(WHO, "default", ARGS("--set", "limits.tmpfs-inodes=100"), ARGS("inodes", "/dev/shm", "500"), &r);
                expect_out(&r, "inodes /dev/shm", "DENIED ENOSPC");
                run_result_free(&r);
        }
}

Test(limits, mechanism_reported_and_stats)
{
        struct run_result r;
        FOR_EACH_USER {
                cr_assert_eq(run_sbx(WHO, &r, "run", "--dry-run", "--profile", "default", "--set", "limits.processes=50",
                                     "--", "/bin/true", NULL), 0);
                const char *want = WHO == AS_ROOT && root_has_v1("pids") ? "processes 50: cgroup v1 pids.max"
                                                                          : "processes 50: rlimit nproc";
                cr_assert(strstr(r.out, want), "[%s] want '%s' in %s", WHO_NAME, want, r.out);
                run_result_free(&r);
                cr_assert_eq(run_sbx(WHO, &r, "run", "--stats", "--profile", "default", "--", "/bin/true", NULL), 0);
                cr_assert_eq(r.status, 0, "%s", r.err);
                cr_assert(strstr(r.err, "sbx: stats: peak memory"), "[%s] %s", WHO_NAME, r.err);
                if (WHO == AS_ROOT && root_has_v1("pids"))
                        cr_assert(strstr(r.err, "peak processes 3"), "[root] init, the door, the program: %s",
                                  r.err);
                run_result_free(&r);
        }
}

/* No cgroup outlives its sandbox, even when a process of it does (no pid
 * namespace: nothing kills the program's background child but sbx). */
Test(limits, cgroups_removed)
{
        if (!root_has_v1("pids"))
                cr_skip_test("no writable cgroup v1 pids hierarchy for root here");
        struct run_result r;
        cr_assert_eq(run_sbx(AS_ROOT, &r, "run", "--profile", "default", "--set", "namespaces.pid=no", "--set",
                             "filesystem.proc=none", "--set", "limits.processes=20", "--", "/bin/sh", "-c",
                             "sleep 30 & echo $!; exit 0", NULL), 0);
        cr_assert_eq(r.status, 0, "%s", r.err);
        int pid = atoi(r.out);
        cr_assert_gt(pid, 0, "%s", r.out);
        run_result_free(&r);
        /* The host pid of the straggler is the same (no pid namespace). */
        char path[64];
        snprintf(path, sizeof(path), "/proc/%d/cgroup", pid);
        FILE *f = fopen(path, "re");
        char line[512];
        bool in_sbx = false;
        while (f && fgets(line, sizeof(line), f))
                in_sbx = in_sbx || strstr(line, "/sbx-");
        if (f)
                fclose(f);
        cr_assert(!in_sbx, "process %d still alive in a sandbox cgroup", pid);

        /* A cgroup left by an sbx that was SIGKILLed goes with the next
         * sandbox started under the same base. */
        pid_t dead = fork();
        if (dead == 0)
                _exit(0);
        cr_assert_gt(dead, 0);
        waitpid(dead, NULL, 0);
        char stale[128];
        snprintf(stale, sizeof(stale), "/sys/fs/cgroup/pids/sbx-%d-1", (int)dead);
        cr_assert_eq(mkdir(stale, 0755), 0, "%s: %m", stale);
        cr_assert_eq(run_sbx(AS_ROOT, &r, "run", "--profile", "default", "--", "/bin/true", NULL), 0);
        cr_assert_eq(r.status, 0, "%s", r.err);
        run_result_free(&r);
        bool left = access(stale, F_OK) == 0;
        if (left)
                rmdir(stale);
        cr_assert(!left, "%s left behind", stale);
}

Test(limits, cpu_share_fails_closed_without_a_mechanism)
{
        struct run_result r;
        cr_assert_eq(run_sbx(AS_USER, &r, "run", "--profile", "default", "--set", "limits.cpu-share=50%", "--",
                             "/bin/true", NULL), 0);
        cr_assert_eq(r.status, 125, "exit %d: %s", r.status, r.err);
        cr_assert(strstr(r.err, "cpu-share"), "%s", r.err);
        run_result_free(&r);
        cr_assert_eq(run_sbx(AS_USER, &r, "run", "--profile", "default", "--set", "limits.cpu-share=50%", "--set",
                             "limits.optional=cpu-share", "--", "/bin/true", NULL), 0);
        cr_assert_eq(r.status, 0, "exit %d: %s", r.status, r.err);
        cr_assert(strstr(r.err, "cpu-share is not enforced"), "%s", r.err);
        run_result_free(&r);
        cr_assert_eq(run_sbx(AS_USER, &r, "show", "--set", "limits.memory=lots", NULL), 0);
        cr_assert_eq(r.status, 2, "exit %d: %s", r.status, r.err);
        run_result_free(&r);
}

/* ---- libsbx: a worker pool with limits per worker ---------------------------- */

#include "sbx.h"

/* Two workers of one pool, each spawned with its own [limits] processes:
 * the same fork storm stops at each one's own limit, and
 * sbx_process_stats() gives each its own peak. */
Test(limits, pool_workers_have_their_own_limits)
{
        if (!root_has_v1("pids"))
                cr_skip_test("no writable cgroup v1 pids hierarchy for root here");
        static const char *const limits[2] = { "8", "40" };
        struct sbx_process *w[2] = { NULL, NULL };
        int out[2][2];
        for (int i = 0; i < 2; i++) {
                struct sbx_policy *p = NULL;
                struct sbx_error *e = NULL;
                cr_assert_eq(sbx_policy_new(&p), 0);
                cr_assert_eq(sbx_policy_load(p, "default", &e), 0, "%s", e ? sbx_error_message(e) : "");
                char *allow = profile_word(probe_bin());
                cr_assert_eq(sbx_policy_set(p, "limits", "processes", limits[i], "test", &e), 0);
                cr_assert_eq(sbx_policy_set(p, "exec", "allow", allow, "test", &e), 0);
                cr_assert_eq(sbx_policy_set(p, "filesystem", "ro-bind", allow, "test", &e), 0);
                free(allow);
                cr_assert_eq(pipe(out[i]), 0);
                const char *argv[] = { probe_bin(), "forks", "20", NULL };
                struct sbx_spawn_options o = { .size = sizeof(o), .file = probe_bin(), .argv = argv,
                                               .stdin_fd = -1, .stdout_fd = out[i][1], .stderr_fd = -1,
                                               .log_fd = -1 };
                cr_assert_eq(sbx_spawn(p, &o, &w[i], &e), 0, "%s", e ? sbx_error_message(e) : "");
                close(out[i][1]);
                sbx_policy_free(p);
        }
        for (int i = 0; i < 2; i++) {
                char buf[256] = "";
                ssize_t n = read(out[i][0], buf, sizeof(buf) - 1);
                buf[n > 0 ? n : 0] = 0;
                close(out[i][0]);
                int st;
                cr_assert_eq(sbx_process_wait(w[i], &st), 0);
                struct sbx_process_stats s = { .size = sizeof(s) };
                cr_assert_eq(sbx_process_stats(w[i], &s), 0);
                cr_assert(s.flags & SBX_STATS_PROCESSES);
                if (i == 0) {
                        cr_assert(strncmp(buf, "DENIED EAGAIN 6 processes", 25) == 0, "worker 0: %s", buf);
                        cr_assert_eq(s.processes_peak, 8);
                        cr_assert_geq(s.fork_refusals, 1);
                } else {
                        cr_assert(strncmp(buf, "OK 20 processes", 15) == 0, "worker 1: %s", buf);
                        cr_assert_eq(s.processes_peak, 22);
                        cr_assert_eq(s.fork_refusals, 0);
                }
                sbx_process_free(w[i]);
        }
}
