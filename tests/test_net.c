/* test_net.c — [network] mode = pasta, against a network of the test's
 * own (tests/networld.c): a "host" namespace with servers on its loopback
 * (IPv4, IPv6), on all its addresses and on an abstract unix socket, and
 * an "internet" namespace behind a veth with a TCP server (IPv4, IPv6) and
 * a DNS server.  The shipped browser profile (mode = pasta) must reach the
 * internet and resolve names, and reach nothing of the host, with Landlock
 * on and off; the same attempts work bare and with mode = host (so every
 * check can fail); pasta never outlives sbx (networld reports what is left
 * behind), also when sbx is killed; without pasta sbx refuses to start
 * unless the profile names a fallback; a pasta that fails is quoted
 * escaped; the helper itself runs confined.  As root and as uid 65534. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "harness.h"

#define FOR_EACH_USER for (size_t wi = 0; wi < 2; wi++)
#define WHO (wi == 0 ? AS_ROOT : AS_USER)
#define WHO_NAME (WHO == AS_ROOT ? "root" : "uid 65534")

/* One attempt each, in one sandbox launch (probe batch), with what each
 * prints when it gets through. */
static const struct attempt {
        const char *args;
        const char *reached;
        bool internet; /* should work under mode = pasta */
} attempts[] = {
        { "connect 10.203.0.2 8080", "OK connect 10.203.0.2:8080 internet", true },
        /* The gateway, on the port the host's loopback serves: pasta's
         * default (--map-gw) would lead there. */
        { "connect 10.203.0.2 8081", "OK connect 10.203.0.2:8081 internet", true },
        { "connect6 fd53:6278::2 8080", "OK connect [fd53:6278::2]:8080 internet", true },
        { "resolve internet.test", "OK resolve internet.test 10.203.0.2", true },
        { "connect 127.0.0.1 8081", "OK connect 127.0.0.1:8081 host-loopback", false },
        { "connect6 ::1 8081", "OK connect [::1]:8081 host-loopback", false },
        { "connect 10.203.0.1 8082", "OK connect 10.203.0.1:8082 host-any", false },
        { "abstract sbx-networld", "OK connect @sbx-networld", false },
};
#define NATTEMPTS (sizeof(attempts) / sizeof(attempts[0]))

static const char *networld(void)
{
        const char *p = getenv("SBX_NETWORLD");
        cr_assert(p && *p, "SBX_NETWORLD is not set (run through meson test)");
        return p;
}

static void need(int who)
{
        if (access("/usr/bin/pasta", X_OK) < 0) {
                if (in_ci())
                        cr_assert_fail("pasta is not installed (Debian package passt); CI must install it");
                cr_skip_test("pasta is not installed: apt-get install passt");
        }
        if (access("/usr/sbin/ip", X_OK) < 0 && access("/sbin/ip", X_OK) < 0) {
                if (in_ci())
                        cr_assert_fail("ip is not installed (Debian package iproute2); CI must install it");
                cr_skip_test("ip is not installed: apt-get install iproute2");
        }
        /* Not a package: a machine whose /dev/net/tun only root may open
         * (no udev; Debian's rules make it 0666) cannot give an
         * unprivileged user pasta, and sbx refuses (tested below). */
        struct stat st;
        if (who == AS_USER && (stat("/dev/net/tun", &st) < 0 || (st.st_mode & 0006) != 0006))
                cr_skip_test("/dev/net/tun is not readable and writable by uid 65534 here (mode %04o; "
                             "Debian's udev rules make it 0666), so pasta cannot run unprivileged",
                             (unsigned)(st.st_mode & 07777));
}

/* networld -- [sbx run --profile browser --ro-bind PROBE SETS… --] PROBE
 * batch ATTEMPTS…; `sets` NULL: bare.  Returns stdout (malloc'd). */
static char *world_run(int who, bool sandboxed, const char *const *sets, int *status)
{
        const char *argv[96];
        size_t n = 0;
        argv[n++] = networld();
        argv[n++] = "--";
        if (sandboxed) {
                argv[n++] = sbx_bin();
                argv[n++] = "run";
                argv[n++] = "--profile";
                argv[n++] = "browser";
                argv[n++] = "--ro-bind";
                argv[n++] = probe_bin();
                for (size_t i = 0; sets && sets[i]; i++) {
                        argv[n++] = "--set";
                        argv[n++] = sets[i];
                }
                argv[n++] = "--";
        }
        argv[n++] = probe_bin();
        argv[n++] = "batch";
        char words[NATTEMPTS][64];
        for (size_t i = 0; i < NATTEMPTS; i++) {
                if (i)
                        argv[n++] = ",,";
                snprintf(words[i], sizeof(words[i]), "%s", attempts[i].args);
                for (char *s = strtok(words[i], " "); s; s = strtok(NULL, " "))
                        argv[n++] = s;
        }
        argv[n] = NULL;
        struct run_result r;
        cr_assert_eq(run_cmd(who, NULL, 120, &r, argv), 0, "networld did not finish");
        cr_log_info("[%s] %s\n%s", who == AS_ROOT ? "root" : "user", r.out, r.err);
        cr_assert(!strstr(r.err, "left behind"), "[%s] a process outlived sbx: %s", who == AS_ROOT ? "root" : "user",
                  r.err);
        *status = r.status;
        char *out = strdup(r.out);
        if (r.status != 0)
                cr_log_error("stderr: %s", r.err);
        run_result_free(&r);
        return out;
}

static bool internet_only(const struct attempt *a);

/* Each attempt's line: reached (the expected greeting) or not. */
static void expect(const char *out, const char *what, int who, bool (*should_reach)(const struct attempt *))
{
        for (size_t i = 0; i < NATTEMPTS; i++) {
                bool want = should_reach(&attempts[i]);
                bool got = strstr(out, attempts[i].reached) != NULL;
                cr_expect(got == want, "[%s] %s: %s should %s, output:\n%s", who == AS_ROOT ? "root" : "user", what,
                          attempts[i].args, want ? "get through" : "be refused", out);
        }
        /* No attempt may meet a host server, by whatever address. */
        if (should_reach == internet_only)
                cr_expect(!strstr(out, " host-"), "[%s] %s: the host answered:\n%s", who == AS_ROOT ? "root" : "user",
                          what, out);
}

static bool everything(const struct attempt *a) { (void)a; return true; }
static bool internet_only(const struct attempt *a) { return a->internet; }
static bool all_but_abstract(const struct attempt *a) { return strncmp(a->args, "abstract", 8) != 0; }

/* Every attempt, as root and as 65534, in the world: sandboxed or bare,
 * with the --set overrides `sets`; each must get through or not as
 * should_reach says. */
static void check(bool sandboxed, const char *const *sets, const char *what,
                  bool (*should_reach)(const struct attempt *))
{
        FOR_EACH_USER {
                need(WHO);
                int st;
                char *out = world_run(WHO, sandboxed, sets, &st);
                cr_assert_eq(st, 0, "[%s] %s: exit %d", WHO_NAME, what, st);
                expect(out, what, WHO, should_reach);
                free(out);
        }
}

/* The attempts themselves work: bare in the world, every one gets through. */
Test(net, bare_reaches_everything)
{
        check(false, NULL, "bare", everything);
}

/* The shipped browser profile (mode = pasta): the internet and DNS, none
 * of the host's loopback, addresses or abstract sockets. */
Test(net, browser_reaches_internet_not_host)
{
        check(true, NULL, "browser (pasta, Landlock on)", internet_only);
}

Test(net, browser_without_landlock_still_not_host)
{
        check(true, (const char *[]){ "landlock.enabled=no", NULL }, "browser (pasta, Landlock off)",
              internet_only);
}

/* mode = host: the host's loopback is reachable (what pasta takes away);
 * with Landlock on only its abstract-socket scope stops @sbx-networld. */
Test(net, host_mode_reaches_host)
{
        check(true, (const char *[]){ "network.mode=host", "landlock.enabled=no", NULL },
              "browser, mode = host, Landlock off", everything);
        check(true, (const char *[]){ "network.mode=host", NULL }, "browser, mode = host, Landlock on",
              all_but_abstract);
}

/* pasta dies with sbx, also when sbx is killed: networld is the subreaper
 * of what the command leaves and fails when anything is left. */
Test(net, pasta_dies_with_sbx)
{
        FOR_EACH_USER {
                need(WHO);
                char script[4096];
                char *sbx = shq(sbx_bin()), *probe = shq(probe_bin());
                snprintf(script, sizeof(script),
                         "%s run --profile browser --ro-bind %s -- %s sleep 60 & pid=$!; sleep 3; "
                         "kill -0 $pid && kill -9 $pid; wait $pid; echo status=$?",
                         sbx, probe, probe);
                free(sbx);
                free(probe);
                const char *argv[] = { networld(), "--", "/bin/sh", "-c", script, NULL };
                struct run_result r;
                cr_assert_eq(run_cmd(WHO, NULL, 120, &r, argv), 0);
                cr_log_info("[%s] %s%s", WHO_NAME, r.out, r.err);
                cr_expect(strstr(r.out, "status=137"), "[%s] sbx was not killed: %s %s", WHO_NAME, r.out, r.err);
                cr_expect(!strstr(r.err, "left behind") && r.status == 0, "[%s] left behind: %s", WHO_NAME, r.err);
                run_result_free(&r);
        }
}

/* No pasta: refused with the package and the override named; with
 * fallback = none the sandbox starts without a network (and says so). */
Test(net, missing_pasta_refuses)
{
        FOR_EACH_USER {
                const char *argv[] = { "/usr/bin/env", "SBX_PASTA=/nonexistent/pasta", sbx_bin(), "run",
                                       "--profile", "browser", "--ro-bind", probe_bin(), "--", probe_bin(),
                                       "id", NULL };
                struct run_result r;
                cr_assert_eq(run_cmd(WHO, NULL, 60, &r, argv), 0);
                cr_expect_eq(r.status, 2, "[%s] started without pasta: %d %s", WHO_NAME, r.status, r.err);
                cr_expect(strstr(r.err, "browser.ini:") && strstr(r.err, "Debian package passt") &&
                                  strstr(r.err, "--set network.mode=host"),
                          "[%s] the refusal does not say where, which package and how: %s", WHO_NAME, r.err);
                run_result_free(&r);

                const char *fb[] = { "/usr/bin/env", "SBX_PASTA=/nonexistent/pasta", sbx_bin(), "run",
                                     "--profile", "browser", "--set", "network.fallback=none", "--ro-bind",
                                     probe_bin(), "--", probe_bin(), "connect", "127.0.0.1", "1", NULL };
                cr_assert_eq(run_cmd(WHO, NULL, 60, &r, fb), 0);
                cr_expect_eq(r.status, 0, "[%s] fallback = none did not start: %s", WHO_NAME, r.err);
                cr_expect(strstr(r.err, "warning: [network] mode = pasta: pasta (Debian package passt) is not "
                                        "installed; the sandbox has no network"),
                          "[%s] no warning: %s", WHO_NAME, r.err);
                cr_expect(strstr(r.out, "DENIED ECONNREFUSED"), "[%s] %s", WHO_NAME, r.out);
                run_result_free(&r);
        }
}

/* pasta's own words reach the user only escaped: a helper that fails
 * writing a terminal escape and a second line. */
Test(net, pasta_failure_is_reported_escaped)
{
        char *dir = make_tmpdir(), path[4096];
        snprintf(path, sizeof(path), "%s/pasta", dir);
        cr_assert_eq(write_file(path, "#!/bin/sh\nprintf 'cannot \\033[31mred\\nsecond line\\n' >&2\nexit 1\n", 0755),
                     0);
        char env[4200];
        snprintf(env, sizeof(env), "SBX_PASTA=%s", path);
        FOR_EACH_USER {
                const char *argv[] = { "/usr/bin/env", env, sbx_bin(), "run", "--profile", "default", "--set",
                                       "network.mode=pasta", "--", "/bin/true", NULL };
                struct run_result r;
                cr_assert_eq(run_cmd(WHO, NULL, 60, &r, argv), 0);
                cr_expect_eq(r.status, 125, "[%s] exit %d: %s", WHO_NAME, r.status, r.err);
                cr_expect(strstr(r.err, "pasta did not start: cannot \\x1b[31mred; second line"),
                          "[%s] pasta's words not reported (escaped): %s", WHO_NAME, r.err);
                cr_expect(!strchr(r.err, '\033'), "[%s] a raw escape reached stderr: %s", WHO_NAME, r.err);
                run_result_free(&r);
        }
        char cmd[4200];
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
        (void)!system(cmd);
        free(dir);
}

/* A host whose resolver listens on its loopback (127.0.0.53, as
 * systemd-resolved does): DNS still works through pasta's forwarder, and
 * that is the only loopback service the sandbox reaches. */
Test(net, dns_through_a_resolver_on_the_host_loopback)
{
        FOR_EACH_USER {
                need(WHO);
                for (int sandboxed = 0; sandboxed < 2; sandboxed++) {
                        const char *argv[24];
                        size_t n = 0;
                        argv[n++] = networld();
                        argv[n++] = "--loopback-resolver";
                        argv[n++] = "--";
                        if (sandboxed) {
                                const char *pre[] = { sbx_bin(), "run", "--profile", "browser", "--ro-bind",
                                                      probe_bin(), "--" };
                                for (size_t i = 0; i < sizeof(pre) / sizeof(pre[0]); i++)
                                        argv[n++] = pre[i];
                        }
                        const char *post[] = { probe_bin(), "batch", "resolve", "internet.test", ",,", "connect",
                                               "127.0.0.1", "8081", NULL };
                        for (size_t i = 0; post[i]; i++)
                                argv[n++] = post[i];
                        argv[n] = NULL;
                        struct run_result r;
                        cr_assert_eq(run_cmd(WHO, NULL, 120, &r, argv), 0);
                        cr_log_info("[%s] %s%s", WHO_NAME, r.out, r.err);
                        cr_expect(strstr(r.out, "OK resolve internet.test 10.203.0.3"),
                                  "[%s] %s: the host's loopback resolver did not answer: %s %s", WHO_NAME,
                                  sandboxed ? "browser" : "bare", r.out, r.err);
                        cr_expect((strstr(r.out, "OK connect 127.0.0.1:8081 host-loopback") != NULL) == !sandboxed,
                                  "[%s] %s: host loopback service: %s", WHO_NAME, sandboxed ? "browser" : "bare",
                                  r.out);
                        run_result_free(&r);
                }
        }
}

static int landlock_abi(void)
{
        long v = syscall(SYS_landlock_create_ruleset, NULL, 0, 1U /* LANDLOCK_CREATE_RULESET_VERSION */);
        return v < 0 ? 0 : (int)v;
}

/* The helper runs confined too: a stand-in for pasta reports what it can
 * reach from the host's namespace (the abstract socket of networld's
 * host), whether the caller's environment reached it and whether it has
 * no_new_privs, then fails so that sbx quotes it.  Run bare by the same
 * user in the same world, each of those is the other way round. */
Test(net, helper_runs_confined)
{
        if (landlock_abi() < 6)
                cr_skip_test("Landlock ABI %d: abstract-socket scoping needs 6 (Linux 6.12)", landlock_abi());
        char *dir = make_tmpdir(), path[4096], script[8192];
        snprintf(path, sizeof(path), "%s/pasta", dir);
        char *probe = shq(probe_bin());
        snprintf(script, sizeof(script),
                 "#!/bin/sh\n{ %s abstract sbx-networld; echo \"secret=${NET_TEST_SECRET:-unset}\"; %s nnp; } "
                 "| tr '\\n' ' ' >&2\nexit 1\n",
                 probe, probe);
        free(probe);
        cr_assert_eq(write_file(path, script, 0755), 0);
        char env[4200];
        snprintf(env, sizeof(env), "SBX_PASTA=%s", path);
        FOR_EACH_USER {
                need(WHO);
                const char *sandboxed[] = { networld(), "--", "/usr/bin/env", env, "NET_TEST_SECRET=1", sbx_bin(),
                                            "run", "--profile", "browser", "--", "/bin/true", NULL };
                struct run_result r;
                cr_assert_eq(run_cmd(WHO, NULL, 60, &r, sandboxed), 0);
                cr_log_info("[%s] %s", WHO_NAME, r.err);
                cr_expect(strstr(r.err, "pasta did not start: DENIED EPERM connect @sbx-networld secret=unset "
                                        "DENIED EPERM NoNewPrivs=1"),
                          "[%s] the helper is not confined: %s", WHO_NAME, r.err);
                run_result_free(&r);
                const char *bare[] = { networld(), "--", "/usr/bin/env", "NET_TEST_SECRET=1", path, NULL };
                cr_assert_eq(run_cmd(WHO, NULL, 60, &r, bare), 0);
                cr_expect(strstr(r.err, "OK connect @sbx-networld secret=1 OK NoNewPrivs=0"),
                          "[%s] bare, the stand-in should reach all of it: %s", WHO_NAME, r.err);
                run_result_free(&r);
        }
        char cmd[4200];
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
        (void)!system(cmd);
        free(dir);
}
