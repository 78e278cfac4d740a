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
        { "wx-shm", "wx" }, { "wx-procmem" }, { "wx-twice", "memfd" }, { "wx-dual" }, { "wx-twice", "private" },
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
                        /* Without memory = unlimited, a memory limit held by
                         * rlimits (uid 65534 here) refuses memfds and SysV
                         * segments itself (see the limits tests). */
                        run_probe(WHO, "default", ARGS("--set", "limits.memory=unlimited"), wx_routes[i], &r);
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

/* Issue 27 item 5: a memfd mapped MAP_SHARED writable and MAP_PRIVATE
 * executable ran code written after the executable view existed, while
 * sbx analyze called "mapped twice" closed.  Under wx = yes memfd_create is
 * now refused (no filter can tell a memfd's fd from a library's); a
 * profile that lets memfds through gets the route back, and analyze says
 * so.  Bare and without wx it works (every_route_runs_code_bare_...). */
Test(wx, memfd_routes_closed_under_wx_and_reported)
{
        struct run_result r;
        char *dir = make_tmpdir(), *prof = NULL;
        cr_assert(dir);
        cr_assert_geq(asprintf(&prof, "%s/memfd-yes.ini", dir), 0);
        cr_assert_eq(write_file(prof, "[profile]\ninclude = document-converter\n[seccomp]\nmemfd = yes\n"
                                      "[limits]\noptional = memory\n", 0644), 0);
        FOR_EACH_USER {
                char what[64];
                snprintf(what, sizeof(what), "[%s] dual view under wx", WHO_NAME);
                run_probe(WHO, "document-converter", NONE, ARGS("wx-dual"), &r);
                expect_out(&r, what, "DENIED ENOSYS memfd_create");
                run_result_free(&r);
                snprintf(what, sizeof(what), "[%s] dual view, memfd = yes", WHO_NAME);
                run_probe(WHO, prof, NONE, ARGS("wx-dual"), &r);
                expect_out(&r, what, "OK");
                run_result_free(&r);
        }
        cr_assert_eq(run_sbx(AS_USER, &r, "analyze", "document-converter", NULL), 0);
        cr_assert(strstr(r.out, "a memfd mapped MAP_SHARED RW and MAP_PRIVATE RX (code rewritten while executable): "
                                "closed (memfd_create refused)"), "%s", r.out);
        cr_assert(strstr(r.out, "memfd written, then mapped MAP_PRIVATE|PROT_EXEC: closed"), "%s", r.out);
        cr_assert(strstr(r.out, "mprotect/pkey_mprotect RW -> RX: closed (MDWE and seccomp)"), "%s", r.out);
        cr_assert(strstr(r.out, "/proc/self/mem written (FOLL_FORCE ignores page protections): closed"), "%s", r.out);
        run_result_free(&r);
        cr_assert_eq(run_sbx(AS_USER, &r, "analyze", prof, NULL), 0);
        cr_assert(strstr(r.out, "(code rewritten while executable): OPEN: [seccomp] memfd = yes"), "%s", r.out);
        run_result_free(&r);
        unlink(prof);
        rmdir(dir);
        free(prof);
        free(dir);
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
                        /* rlimit as: malloc fails */
                        cr_assert_eq(r.status, 0, "[%s] hog: exit %d err %s", WHO_NAME, r.status, r.err);
                        expect_out(&r, "hog under rlimit as", "DENIED ENOMEM");
                }
                run_result_free(&r);
        }
}

/* Issue 27 item 4: with memory = 64M and no memory cgroup (uid 65534
 * here), a program held 300 MB of MAP_SHARED anonymous memory, of a memfd
 * or of SysV segments: the rlimit then used (data) counts private memory
 * only.  Every kind must now stay under the limit, or the launch refuse.
 * Bare, each kind reaches 300 MB; with a cgroup (root here) the OOM killer
 * ends the sandbox; with rlimits alone, mappings fail (rlimit as) and
 * memfd_create and shmget are refused. */
static const char *const mem_kinds[] = { "private", "shared", "memfd", "memfd-map", "shm" };

Test(limits, no_kind_of_memory_passes_the_limit, .timeout = 240)
{
        struct run_result r;
        FOR_EACH_USER {
                bool cg = WHO == AS_ROOT && root_has_v1("memory");
                for (size_t i = 0; i < sizeof(mem_kinds) / sizeof(mem_kinds[0]); i++) {
                        run_bare(WHO, ARGS("mem", mem_kinds[i], "300"), &r);
                        cr_assert(strncmp(r.out, "OK", 2) == 0, "[%s] bare %s: %s %s", WHO_NAME, mem_kinds[i], r.out,
                                  r.err);
                        run_result_free(&r);
                        run_probe(WHO, "default", ARGS("--set", "limits.memory=64M"), ARGS("mem", mem_kinds[i], "300"),
                                  &r);
                        cr_assert(!strstr(r.out, "OK"), "[%s] %s: 300 MB held under memory = 64M: %s %s", WHO_NAME,
                                  mem_kinds[i], r.out, r.err);
                        if (cg) {
                                cr_assert_eq(r.status, 137, "[root] %s: exit %d, out %s, err %s", mem_kinds[i],
                                             r.status, r.out, r.err);
                                cr_assert(strstr(r.err, "reached its memory limit"), "[root] %s", r.err);
                        } else {
                                cr_assert_eq(r.status, 0, "[%s] %s: exit %d err %s", WHO_NAME, mem_kinds[i], r.status,
                                             r.err);
                                expect_out(&r, mem_kinds[i], "DENIED");
                        }
                        run_result_free(&r);
                }
                /* tmpfs pages belong to no process: each tmpfs sbx mounts is
                 * no larger than the limit when rlimits hold it. */
                if (!cg) {
                        run_probe(WHO, "default", ARGS("--set", "limits.memory=64M"), ARGS("fill", "/tmp", "100"), &r);
                        expect_out(&r, "tmpfs under memory = 64M", "DENIED ENOSPC wrote 64 MiB");
                        run_result_free(&r);
                }
        }
}

/* Where the rlimit set cannot hold (a profile lets memfds through), the
 * launch is refused unless memory is optional, which runs with a warning
 * naming what is then unbounded. */
Test(limits, memory_refused_where_rlimits_cannot_hold)
{
        struct run_result r;
        FOR_EACH_USER {
                bool cg = WHO == AS_ROOT && root_has_v1("memory");
                run_probe(WHO, "default", ARGS("--set", "limits.memory=64M", "--set", "seccomp.memfd=yes"),
                          ARGS("mem", "memfd", "300"), &r);
                if (cg) {
                        cr_assert_eq(r.status, 137, "[root] memfd with a cgroup: exit %d %s %s", r.status, r.out, r.err);
                } else {
                        cr_assert_eq(r.status, 125, "[%s] exit %d out %s", WHO_NAME, r.status, r.out);
                        cr_assert(strstr(r.err, "memory: no cgroup with the memory controller") &&
                                          strstr(r.err, "[seccomp] memfd = yes") && strstr(r.err, "optional"),
                                  "[%s] %s", WHO_NAME, r.err);
                }
                run_result_free(&r);
                if (cg)
                        continue;
                run_probe(WHO, "default",
                          ARGS("--set", "limits.memory=64M", "--set", "seccomp.memfd=yes", "--set", "limits.optional=memory"),
                          ARGS("mem", "private", "300"), &r);
                cr_assert(strstr(r.err, "sbx: warning: [limits] memory is not enforced for all memory (optional)") &&
                                  strstr(r.err, "memfd, SysV shm and tmpfs memory are unbounded"),
                          "[%s] %s", WHO_NAME, r.err);
                expect_out(&r, "private memory under the optional limit", "DENIED ENOMEM");
                run_result_free(&r);
                cr_assert_eq(run_sbx(WHO, &r, "run", "--dry-run", "--profile", "default", "--set", "limits.memory=64M",
                                     "--", "/bin/true", NULL), 0);
                cr_assert(strstr(r.out, "memory 64M: rlimits, per process") &&
                                  strstr(r.out, "memfd_create and shmget are refused") && strstr(r.out, "still open: "),
                          "[%s] %s", WHO_NAME, r.out);
                run_result_free(&r);
        }
}

/* Issue 27 item 7: a sandbox took every inotify instance its user had, and
 * the user's own programs outside got EMFILE.  The sandbox's user
 * namespace now has its share (user-counts, 50%) as its own limit.  The
 * holder starts first and keeps its instances; then the caller tries. */
static void inotify_race(int who, bool sandboxed, struct run_result *r)
{
        char *probe = shq(probe_bin()), *sbx = shq(sbx_bin()), *w = profile_word(probe_bin());
        char *allow = NULL, *holder = NULL, *script = NULL;
        cr_assert_geq(asprintf(&allow, "exec.allow=%s", w), 0);
        char *aq = shq(allow), *dir = make_tmpdir();
        cr_assert(dir);
        char *dq = shq(dir);
        if (sandboxed)
                cr_assert_geq(asprintf(&holder, "%s run --profile default --ro-bind %s --set %s -- %s", sbx, probe, aq,
                                       probe), 0);
        else
                holder = strdup(probe);
        /* The holder reports once it holds all it could get; only then
         * does the caller try (and report first). */
        cr_assert_geq(asprintf(&script,
                               "%s inotify 100000 3 > %s/held &\n"
                               "i=0; while [ ! -s %s/held ] && [ $i -lt 400 ]; do sleep 0.05; i=$((i+1)); done\n"
                               "%s inotify 100000 0; cat %s/held; wait\n",
                               holder, dq, dq, probe, dq),
                      0);
        cr_assert_eq(run_cmd(who, NULL, 60, r, (const char *const[]){ "sh", "-c", script, NULL }), 0);
        struct run_result x;
        if (run_cmd(AS_ROOT, NULL, 30, &x, (const char *const[]){ "rm", "-rf", dir, NULL }) == 0)
                run_result_free(&x);
        free(probe), free(sbx), free(w), free(allow), free(holder), free(script), free(aq), free(dir), free(dq);
}

Test(limits, inotify_share_leaves_the_caller_some)
{
        struct run_result r;
        FOR_EACH_USER {
                /* Bare: the holder takes them all, the caller gets none. */
                inotify_race(WHO, false, &r);
                cr_assert(strstr(r.out, "DENIED EMFILE 0 inotify instances\n"), "[%s] bare: %s %s", WHO_NAME, r.out,
                          r.err);
                run_result_free(&r);
                inotify_race(WHO, true, &r);
                const char *nl = strchr(r.out, '\n');
                cr_assert(nl && strncmp(nl + 1, "DENIED EMFILE ", 14) == 0, "[%s] the sandbox was not stopped: %s %s",
                          WHO_NAME, r.out, r.err);
                cr_assert(strncmp(r.out, "DENIED EMFILE ", 14) == 0 && strncmp(r.out, "DENIED EMFILE 0 ", 16) != 0,
                          "[%s] the caller got no inotify instance beside the sandbox: %s %s", WHO_NAME, r.out, r.err);
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
