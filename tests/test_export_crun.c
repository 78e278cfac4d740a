/* test_export_crun.c — `sbx export` checked by real runtimes, and
 * `sbx analyze` / `sbx attack` / `sbx export` on every shipped profile.
 *
 * The seccomp object (`--format oci`): crun (Debian package) runs the
 * static probe in a minimal bundle: rootfs holding only the probe,
 * config.json from `crun spec`, edited with python3 to carry the seccomp
 * object.  The container keeps CAP_SYS_ADMIN so that only the seccomp
 * profile can refuse mount(2): the same bundle without the profile mounts
 * (the probe says OK), with it the probe gets EPERM — the answer it gets
 * under `sbx run`.
 *
 * The whole plan: the `oci-bundle` export runs under crun as root and
 * rootless and is compared with `sbx run` probe command by probe command
 * (export_bundle); the `k8s` export is validated against fixed schemas and
 * run by `podman play kube` (export_k8s); the `systemd` unit goes through
 * `systemd-analyze verify` and `security` (export_systemd).
 *
 * crun 1.8 refuses a hybrid cgroup hierarchy whose v2 mount has
 * controllers ("cgroups in hybrid mode not supported"), as on the
 * development machines: crun runs in a private mount namespace where
 * /sys/fs/cgroup/unified is unmounted (as root it then uses the v1
 * controllers; the seccomp-only tests pass --cgroup-manager=disabled).
 * Podman is run as root only: uid 65534 has no subordinate id range and no
 * home for Podman's storage. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"

static const int whos[] = { AS_ROOT, AS_USER };
#define FOR_EACH_USER for (size_t wi = 0; wi < 2; wi++)
#define WHO whos[wi]
#define WHO_NAME (WHO == AS_ROOT ? "root" : "user")
#define WHO_NAME_OF(w) ((w) == AS_ROOT ? "root" : "65534")
#define ARGS(...) ((const char *const[]){ __VA_ARGS__, NULL })

static void need_crun(void)
{
        struct run_result r;
        if (geteuid() != 0) {
                if (in_ci())
                        cr_assert_fail("the crun tests run as root");
                cr_skip_test("crun tests need root");
        }
        if (run_cmd(AS_ROOT, NULL, 30, &r, ARGS("crun", "--version")) < 0 || r.status != 0) {
                if (in_ci())
                        cr_assert_fail("crun is not installed (apt-get install crun)");
                cr_skip_test("crun is not installed");
        }
        run_result_free(&r);
}

struct bundle {
        char *tmp;     /* removed at the end */
        char dir[256]; /* the bundle: config.json + rootfs/ */
        char seccomp[256];
        unsigned runs;
};

static void sh(const char *cmd)
{
        struct run_result r;
        cr_assert_eq(run_cmd(AS_ROOT, NULL, 60, &r, ARGS("sh", "-c", cmd)), 0);
        cr_assert_eq(r.status, 0, "%s: %s%s", cmd, r.out, r.err);
        run_result_free(&r);
}

/* A bundle with the probe, and the seccomp object of `profile` exported. */
static void bundle_init(struct bundle *b, const char *profile)
{
        char cmd[2048];
        memset(b, 0, sizeof(*b));
        b->tmp = make_tmpdir();
        cr_assert(b->tmp);
        snprintf(b->dir, sizeof(b->dir), "%s/bundle", b->tmp);
        snprintf(b->seccomp, sizeof(b->seccomp), "%s/seccomp.json", b->tmp);
        char *probe_q = shq(probe_bin());
        snprintf(cmd, sizeof(cmd),
                 "mkdir -p '%s/rootfs/tmp' && cp %s '%s/rootfs/probe' && cd '%s' && crun spec",
                 b->dir, probe_q, b->dir, b->dir);
        free(probe_q);
        sh(cmd);
        struct run_result r;
        cr_assert_eq(run_sbx(AS_ROOT, &r, "export", "--format", "oci", "--profile", profile, "--output",
                             b->seccomp, NULL), 0);
        cr_assert_eq(r.status, 0, "sbx export %s: %s", profile, r.err);
        run_result_free(&r);
}

static void bundle_done(struct bundle *b)
{
        char cmd[512];
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", b->tmp);
        sh(cmd);
        free(b->tmp);
}

/* Run the probe with `args` in the bundle, with or without the exported
 * profile, as root in the container (with CAP_SYS_ADMIN added); with
 * `tty`, under script(1) so that its stdin is a terminal. */
static void crun_probe_in(struct bundle *b, bool with_seccomp, bool tty, struct run_result *r,
                          const char *const *args)
{
        static const char edit[] =
                "import json, sys\n"
                "cfg, sec = sys.argv[1], sys.argv[2]\n"
                "c = json.load(open(cfg))\n"
                "c['process']['args'] = ['/probe'] + sys.argv[3:]\n"
                "c['process']['terminal'] = False\n"
                "for caps in c['process']['capabilities'].values():\n"
                "    if 'CAP_SYS_ADMIN' not in caps:\n"
                "        caps.append('CAP_SYS_ADMIN')\n"
                "c['root']['readonly'] = True\n"
                "c['linux'].pop('seccomp', None)\n"
                "if sec:\n"
                "    c['linux']['seccomp'] = json.load(open(sec))\n"
                "json.dump(c, open(cfg, 'w'), indent=1)\n";
        const char *argv[32];
        size_t n = 0;
        char cfg[300];
        snprintf(cfg, sizeof(cfg), "%s/config.json", b->dir);
        argv[n++] = "python3";
        argv[n++] = "-c";
        argv[n++] = edit;
        argv[n++] = cfg;
        argv[n++] = with_seccomp ? b->seccomp : "";
        for (size_t i = 0; args[i] && n < 31; i++)
                argv[n++] = args[i];
        argv[n] = NULL;
        struct run_result e;
        cr_assert_eq(run_cmd(AS_ROOT, NULL, 60, &e, argv), 0);
        cr_assert_eq(e.status, 0, "editing config.json: %s", e.err);
        run_result_free(&e);

        char state[300], id[64];
        snprintf(state, sizeof(state), "%s/state", b->tmp);
        snprintf(id, sizeof(id), "sbx-test-%d-%u", getpid(), b->runs++);
#define CRUN_SH "umount /sys/fs/cgroup/unified 2>/dev/null; " \
                "exec crun --root \"$1\" --cgroup-manager=disabled run --bundle \"$2\" \"$3\""
        const char *run[] = {
                "unshare", "-m", "--propagation", "private", "sh", "-c", CRUN_SH, "sh", state, b->dir, id, NULL,
        };
        if (!tty) {
                cr_assert_eq(run_cmd(AS_ROOT, NULL, 60, r, run), 0, "crun did not finish");
                return;
        }
        char cmd[2048];
        snprintf(cmd, sizeof(cmd), "unshare -m --propagation private sh -c '%s' sh '%s' '%s' '%s'", CRUN_SH,
                 state, b->dir, id);
        cr_assert_eq(run_cmd(AS_ROOT, NULL, 60, r, ARGS("script", "-qec", cmd, "/dev/null")), 0,
                     "crun did not finish");
}

static void crun_probe(struct bundle *b, bool with_seccomp, struct run_result *r, const char *const *args)
{
        crun_probe_in(b, with_seccomp, false, r, args);
}

/* sbx run --profile PROFILE with the probe bound in. */
static void sbx_probe(int who, const char *profile, struct run_result *r, const char *const *args)
{
        const char *argv[32];
        size_t n = 0;
        argv[n++] = sbx_bin();
        argv[n++] = "run";
        argv[n++] = "--profile";
        argv[n++] = profile;
        argv[n++] = "--ro-bind";
        argv[n++] = probe_bin();
        argv[n++] = "--";
        argv[n++] = probe_bin();
        for (size_t i = 0; args[i] && n < 31; i++)
                argv[n++] = args[i];
        argv[n] = NULL;
        cr_assert_eq(run_cmd(who, NULL, 60, r, argv), 0);
}

/* Does the probe know this command (it lists them when run bare)? */
static bool probe_has(const char *cmd)
{
        struct run_result r;
        char pat[64];
        cr_assert_eq(run_cmd(AS_ROOT, NULL, 30, &r, ARGS(probe_bin())), 0);
        snprintf(pat, sizeof(pat), "\n  %s ", cmd);
        bool has = strstr(r.err, pat) != NULL;
        run_result_free(&r);
        return has;
}

/* First line of s up to the first space-separated `words` words. */
static char *head_words(const char *s, int words)
{
        size_t n = 0;
        for (int w = 0; s[n] && s[n] != '\n'; n++)
                if (s[n] == ' ' && ++w == words)
                        break;
        return strndup(s, n);
}

Test(export_crun, allowed_program_runs)
{
        need_crun();
        struct bundle b;
        struct run_result r;
        bundle_init(&b, "default");
        crun_probe(&b, true, &r, ARGS("id"));
        cr_assert_eq(r.status, 0, "crun with the exported profile: exit %d\n%s%s", r.status, r.out, r.err);
        cr_assert(strncmp(r.out, "OK uid=0", 8) == 0, "%s %s", r.out, r.err);
        run_result_free(&r);
        bundle_done(&b);
}

/* mount(2): the bundle's root has CAP_SYS_ADMIN, so only seccomp stops it. */
Test(export_crun, mount_refused_as_under_sbx)
{
        need_crun();
        struct bundle b;
        struct run_result r;
        bundle_init(&b, "default");

        crun_probe(&b, false, &r, ARGS("mount", "/tmp"));
        cr_assert(strncmp(r.out, "OK", 2) == 0, "without the profile the probe cannot mount, so this "
                                                "test could not fail: %s %s", r.out, r.err);
        run_result_free(&r);

        crun_probe(&b, true, &r, ARGS("mount", "/tmp"));
        cr_assert_eq(r.status, 0, "%s %s", r.out, r.err);
        cr_assert(strncmp(r.out, "DENIED EPERM", 12) == 0, "ESCAPE under crun with the export: %s %s",
                  r.out, r.err);
        char *crun_says = head_words(r.out, 2);
        run_result_free(&r);

        FOR_EACH_USER {
                sbx_probe(WHO, "default", &r, ARGS("mount", "/tmp"));
                char *sbx_says = head_words(r.out, 2);
                cr_assert_str_eq(sbx_says, crun_says, "[%s] sbx: %s, crun: %s", WHO_NAME, r.out, crun_says);
                free(sbx_says);
                run_result_free(&r);
        }
        free(crun_says);
        bundle_done(&b);
}

/* Fileless execution: sbx seals memfds through its supervisor, the export
 * refuses memfd_create without MFD_NOEXEC_SEAL; either way fexecve fails. */
Test(export_crun, memfd_exec_refused)
{
        need_crun();
        if (!probe_has("memfd-fexec"))
                cr_skip_test("the probe has no memfd-fexec command");
        struct bundle b;
        struct run_result r;
        bundle_init(&b, "default");
        crun_probe(&b, false, &r, ARGS("memfd-fexec"));
        cr_assert(strncmp(r.out, "OK", 2) == 0, "bare crun: %s %s", r.out, r.err);
        run_result_free(&r);
        crun_probe(&b, true, &r, ARGS("memfd-fexec"));
        cr_assert(strncmp(r.out, "DENIED", 6) == 0, "ESCAPE under crun with the export: %s %s", r.out,
                  r.err);
        run_result_free(&r);
        bundle_done(&b);
}

/* TIOCSTI in a real terminal: root in the bundle (CAP_SYS_ADMIN) may push
 * input into any tty, so only the exported ioctl rule stops it. */
Test(export_crun, tiocsti_refused_as_under_sbx)
{
        need_crun();
        struct bundle b;
        struct run_result r;
        char cmd[4096];
        bundle_init(&b, "default");
        crun_probe_in(&b, false, true, &r, ARGS("tiocsti", "x"));
        cr_assert(strstr(r.out, "OK TIOCSTI"), "bare crun: the probe cannot inject, so this test could "
                                              "not fail: %s %s", r.out, r.err);
        run_result_free(&r);
        crun_probe_in(&b, true, true, &r, ARGS("tiocsti", "x"));
        cr_assert(strstr(r.out, "DENIED EPERM TIOCSTI"), "ESCAPE under crun with the export: %s %s", r.out,
                  r.err);
        run_result_free(&r);
        char *sbx_q = shq(sbx_bin()), *probe_q = shq(probe_bin());
        snprintf(cmd, sizeof(cmd), "%s run --profile default --ro-bind %s -- %s tiocsti x", sbx_q,
                 probe_q, probe_q);
        free(sbx_q);
        free(probe_q);
        cr_assert_eq(run_cmd(AS_ROOT, NULL, 60, &r, ARGS("script", "-qec", cmd, "/dev/null")), 0);
        cr_assert(strstr(r.out, "DENIED EPERM TIOCSTI"), "sbx: %s %s", r.out, r.err);
        run_result_free(&r);
        bundle_done(&b);
}

/* Probe commands the seccomp tests add (ptrace, int80 …) compared between
 * sbx and crun when the probe has them. */
Test(export_crun, seccomp_probes_agree_with_sbx)
{
        need_crun();
        static const char *const cmds[][3] = {
                { "ptrace", NULL }, { "bpf", NULL }, { "keyctl", NULL }, { "io_uring", NULL },
                { "perf", NULL },   { "userns", NULL }, { "int80", "20" }, { "socket", "inet" },
                { "clone3", NULL },
        };
        struct bundle b;
        struct run_result r, s;
        size_t tried = 0;
        bundle_init(&b, "default");
        for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
                if (!probe_has(cmds[i][0]))
                        continue;
                tried++;
                const char *const args[] = { cmds[i][0], cmds[i][1], NULL };
                crun_probe(&b, true, &r, args);
                sbx_probe(AS_ROOT, "default", &s, args);
                cr_assert_eq(r.status, s.status, "%s: crun exit %d (%s), sbx exit %d (%s)", cmds[i][0],
                             r.status, r.out, s.status, s.out);
                if (r.status == 0) {
                        char *a = head_words(r.out, 2), *c = head_words(s.out, 2);
                        cr_assert(strncmp(a, "DENIED", 6) == 0, "%s: ESCAPE under crun: %s", cmds[i][0], r.out);
                        cr_assert_str_eq(a, c, "%s: crun %s, sbx %s", cmds[i][0], r.out, s.out);
                        free(a);
                        free(c);
                }
                run_result_free(&r);
                run_result_free(&s);
        }
        bundle_done(&b);
        if (!tried)
                cr_skip_test("the probe has none of the seccomp commands yet");
}

/* ---- every shipped profile ------------------------------------------------ */

static size_t shipped_profiles(char names[][64], size_t max)
{
        char dir[512];
        snprintf(dir, sizeof(dir), "%s/profiles", source_dir());
        DIR *d = opendir(dir);
        cr_assert(d, "%s", dir);
        size_t n = 0;
        struct dirent *e;
        while ((e = readdir(d)) && n < max) {
                size_t l = strlen(e->d_name);
                if (l < 5 || strcmp(e->d_name + l - 4, ".ini") != 0 || strstr(e->d_name, ".inc.") ||
                    l - 4 >= 64)
                        continue;
                memcpy(names[n], e->d_name, l - 4);
                names[n++][l - 4] = 0;
        }
        closedir(d);
        cr_assert_gt(n, 0);
        return n;
}

static void python_ok(const char *script, const char *input, const char *what)
{
        struct run_result r;
        cr_assert_eq(run_cmd(AS_ROOT, input, 60, &r, ARGS("python3", "-c", script)), 0);
        cr_assert_eq(r.status, 0, "%s: %s", what, r.err);
        run_result_free(&r);
}

Test(cli, analyze_attack_export_every_shipped_profile)
{
        char names[64][64];
        size_t n = shipped_profiles(names, 64);
        struct run_result r;
        FOR_EACH_USER {
                for (size_t i = 0; i < n; i++) {
                        const char *p = names[i];
                        cr_assert_eq(run_sbx(WHO, &r, "analyze", "--profile", p, NULL), 0);
                        cr_assert_eq(r.status, 0, "[%s] analyze %s: %s", WHO_NAME, p, r.err);
                        cr_assert(strstr(r.out, "Exposure:") && strstr(r.out, "Techniques of M1038"), "%s", r.out);
                        run_result_free(&r);

                        cr_assert_eq(run_sbx(WHO, &r, "analyze", "--json", "--profile", p, NULL), 0);
                        cr_assert_eq(r.status, 0, "[%s] analyze --json %s: %s", WHO_NAME, p, r.err);
                        python_ok("import json,sys; d = json.load(sys.stdin); assert 0 <= d['score'] <= 10",
                                  r.out, p);
                        run_result_free(&r);

                        cr_assert_eq(run_sbx(WHO, &r, "attack", "--profile", p, NULL), 0);
                        cr_assert_eq(r.status, 0, "[%s] attack %s: %s", WHO_NAME, p, r.err);
                        python_ok("import json,sys; d = json.load(sys.stdin); assert d['techniques']", r.out, p);
                        run_result_free(&r);

                        static const char *const fmts[] = { "oci", "k8s-securitycontext" };
                        for (size_t f = 0; f < 2; f++) {
                                cr_assert_eq(run_sbx(WHO, &r, "export", "--format", fmts[f], "--profile", p, NULL), 0);
                                cr_assert_eq(r.status, 0, "[%s] export %s %s: %s", WHO_NAME, fmts[f], p, r.err);
                                cr_assert(strstr(r.err, "cannot express:"), "export %s: no warnings", p);
                                const char *json = f ? strstr(r.out, "\n---\n") : r.out;
                                cr_assert(json, "%s", r.out);
                                python_ok("import json,sys; d = json.load(sys.stdin); assert d['syscalls']",
                                          f ? json + 5 : json, p);
                                run_result_free(&r);
                        }
                }
        }
}

/* crun accepts every shipped profile's export (libseccomp refuses
 * conflicting or redundant rules) and the probe still starts under it. */
Test(cli, crun_accepts_every_shipped_export)
{
        need_crun();
        char names[64][64];
        size_t n = shipped_profiles(names, 64);
        for (size_t i = 0; i < n; i++) {
                struct bundle b;
                struct run_result r;
                bundle_init(&b, names[i]);
                crun_probe(&b, true, &r, ARGS("id"));
                cr_assert_eq(r.status, 0, "%s: crun exit %d: %s %s", names[i], r.status, r.out, r.err);
                cr_assert(strncmp(r.out, "OK", 2) == 0, "%s: %s %s", names[i], r.out, r.err);
                run_result_free(&r);
                bundle_done(&b);
        }
}

Test(cli, fail_above_and_usage_exit_codes)
{
        struct run_result r;
        cr_assert_eq(run_sbx(AS_ROOT, &r, "analyze", "--profile", "default", "--fail-above", "0", NULL), 0);
        cr_assert_eq(r.status, 1, "%d %s", r.status, r.err);
        cr_assert(strstr(r.err, "above 0.0"), "%s", r.err);
        run_result_free(&r);
        cr_assert_eq(run_sbx(AS_ROOT, &r, "analyze", "--profile", "default", "--fail-above", "10", NULL), 0);
        cr_assert_eq(r.status, 0, "%d %s", r.status, r.err);
        run_result_free(&r);
        cr_assert_eq(run_sbx(AS_ROOT, &r, "analyze", "--fail-above", "11", NULL), 0);
        cr_assert_eq(r.status, 2, "%d", r.status);
        run_result_free(&r);
        cr_assert_eq(run_sbx(AS_ROOT, &r, "analyze", "--profile", "/nonexistent.ini", NULL), 0);
        cr_assert_eq(r.status, 2, "%d %s", r.status, r.err);
        run_result_free(&r);
        cr_assert_eq(run_sbx(AS_ROOT, &r, "export", "--profile", "default", NULL), 0);
        cr_assert_eq(r.status, 2, "export without --format: %d", r.status);
        run_result_free(&r);
        cr_assert_eq(run_sbx(AS_ROOT, &r, "export", "--format", "pfc", NULL), 0);
        cr_assert_eq(r.status, 2, "%d", r.status);
        run_result_free(&r);
        /* Several profiles: score = how many cover a technique. */
        cr_assert_eq(run_sbx(AS_ROOT, &r, "attack", "--profile", "default", "--profile", "default", NULL), 0);
        cr_assert_eq(r.status, 0, "%s", r.err);
        python_ok("import json,sys; d = json.load(sys.stdin); assert max(t['score'] for t in d['techniques']) == 2",
                  r.out, "attack x2");
        run_result_free(&r);
}

/* ---- the whole plan as an OCI bundle, under crun ---------------------------
 *
 * `sbx export --format oci-bundle` for the probe, run by crun as root (the
 * root caller's plan: uid 65534 in a user namespace, cgroupfs limits) and
 * rootless (exported and run as uid 65534; crun without cgroups, the plan's
 * rlimit stand-ins), and the same probe command under `sbx run` as the same
 * user from the same directory: every property the spec expresses must
 * read the same (namespaces, uid map, hostname, mounts and their flags,
 * masked paths, capabilities, NoNewPrivs, Seccomp mode, refused syscalls,
 * rlimits, the process limit).  Each bundle is exported for its one
 * command, as a user would. */

struct cmp {
        int who;
        const char *profile;
        char *tmp;          /* removed at the end */
        char wd[300];       /* the caller's directory (cwd-bind) */
        char state[300];    /* crun --root */
        unsigned n;
        char *ro_only;      /* maskedPaths + readonlyPaths of the bundle, space-separated */
        const char *const *extra; /* more options for both sbx run and sbx export, or NULL */
};

/* argv run as c->who from c->wd. */
static void in_wd(struct cmp *c, struct run_result *r, const char *const *args)
{
        const char *argv[64];
        size_t n = 0;
        argv[n++] = "sh";
        argv[n++] = "-c";
        argv[n++] = "cd \"$0\" && exec \"$@\"";
        argv[n++] = c->wd;
        for (size_t i = 0; args[i] && n < 63; i++)
                argv[n++] = args[i];
        argv[n] = NULL;
        cr_assert_eq(run_cmd(c->who, NULL, 120, r, argv), 0);
}

static void cmp_init(struct cmp *c, int who, const char *profile)
{
        memset(c, 0, sizeof(*c));
        c->who = who;
        c->profile = profile;
        c->tmp = make_tmpdir();
        cr_assert(c->tmp);
        snprintf(c->wd, sizeof(c->wd), "%s/wd", c->tmp);
        snprintf(c->state, sizeof(c->state), "%s/state", c->tmp);
        cr_assert_eq(mkdir(c->wd, 0777), 0);
        cr_assert_eq(mkdir(c->state, 0777), 0);
        chmod(c->wd, 0777);
        chmod(c->state, 0777);
}

static void cmp_done(struct cmp *c)
{
        char cmd[512];
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", c->tmp);
        sh(cmd);
        free(c->tmp);
        free(c->ro_only);
}

/* Export a bundle for `probe ARGS` and run it with crun; *r: crun's result. */
static void crun_export_run(struct cmp *c, const char *const *args, struct run_result *r, char *bundle,
                            size_t size)
{
        const char *argv[64];
        size_t n = 0;
        snprintf(bundle, size, "%s/b%u", c->tmp, c->n++);
        argv[n++] = sbx_bin();
        argv[n++] = "export";
        argv[n++] = "-q";
        argv[n++] = "--format";
        argv[n++] = "oci-bundle";
        argv[n++] = bundle;
        argv[n++] = "--profile";
        argv[n++] = c->profile;
        for (size_t i = 0; c->extra && c->extra[i] && n < 50; i++)
                argv[n++] = c->extra[i];
        argv[n++] = "--ro-bind";
        argv[n++] = probe_bin();
        argv[n++] = "--";
        argv[n++] = probe_bin();
        for (size_t i = 0; args[i] && n < 63; i++)
                argv[n++] = args[i];
        argv[n] = NULL;
        struct run_result e;
        in_wd(c, &e, argv);
        cr_assert_eq(e.status, 0, "[%s] sbx export --format oci-bundle %s: %s", c->profile,
                     c->who == AS_ROOT ? "as root" : "as 65534", e.err);
        run_result_free(&e);

        char id[64];
        snprintf(id, sizeof(id), "sbx-exp-%d-%u", getpid(), c->n);
        /* crun 1.8 refuses this machine's hybrid cgroup hierarchy while the
         * v2 part is mounted: a private mount namespace without it.  As
         * root, crun then uses the v1 controllers (cgroupfs); rootless, it
         * is the unprivileged user (no capability left) without cgroups. */
        static const char root_sh[] =
                "umount /sys/fs/cgroup/unified 2>/dev/null; exec crun --root \"$1\" run --bundle \"$2\" \"$3\"";
        static const char user_sh[] =
                "umount /sys/fs/cgroup/unified 2>/dev/null; exec setpriv --reuid=65534 --regid=65534 "
                "--clear-groups --inh-caps=-all --bounding-set=-all crun --root \"$1\" "
                "--cgroup-manager=disabled run --bundle \"$2\" \"$3\"";
        const char *run[] = { "unshare", "-m", "--propagation", "private", "sh", "-c",
                              c->who == AS_ROOT ? root_sh : user_sh, "sh", c->state, bundle, id, NULL };
        cr_assert_eq(run_cmd(AS_ROOT, NULL, 120, r, run), 0, "crun did not finish");
}

static void sbx_run_probe(struct cmp *c, const char *const *args, struct run_result *r)
{
        const char *argv[64];
        size_t n = 0;
        argv[n++] = sbx_bin();
        argv[n++] = "run";
        argv[n++] = "--profile";
        argv[n++] = c->profile;
        for (size_t i = 0; c->extra && c->extra[i] && n < 50; i++)
                argv[n++] = c->extra[i];
        argv[n++] = "--ro-bind";
        argv[n++] = probe_bin();
        argv[n++] = "--";
        argv[n++] = probe_bin();
        for (size_t i = 0; args[i] && n < 63; i++)
                argv[n++] = args[i];
        argv[n] = NULL;
        in_wd(c, r, argv);
}

/* The first line of s, malloc'd. */
static char *first_line(const char *s)
{
        return strndup(s, strcspn(s, "\n"));
}

/* Mount tokens PATH:FLAGS of the paths the runtime masks or makes
 * read-only itself keep only ro/rw: crun bind-mounts /dev/null (or a
 * read-only tmpfs) and remounts without nosuid/nodev/noexec there, where
 * sbx mounts an empty file; either way nothing there can be written,
 * executed or used as a device.  So do writable binds: crun 1.8 does not
 * apply nosuid/nodev/noexec to them (bundle_lists() checks that the bundle
 * asks for them; the export says so on stderr). */
static char *norm_mounts(const char *line, const char *ro_only)
{
        char *out = calloc(1, strlen(line) + 1), *copy = strdup(line), *save = NULL;
        cr_assert(out && copy);
        for (char *t = strtok_r(copy, " ", &save); t; t = strtok_r(NULL, " ", &save)) {
                char *colon = strrchr(t, ':');
                if (colon) {
                        char pat[4200];
                        snprintf(pat, sizeof(pat), " %.*s ", (int)(colon - t), t);
                        if (strstr(ro_only, pat)) /* either line */
                                colon[3] = 0; /* ":ro" or ":rw" */
                }
                if (*out)
                        strcat(out, " ");
                strcat(out, t);
        }
        free(copy);
        return out;
}

/* maskedPaths and readonlyPaths of a bundle, then its writable binds, as
 * " P1 P2 … " lines; fails unless every writable bind asks for nosuid and
 * nodev as sbx mounts it, and the bundle has a pids limit (the three
 * profiles compared all set [limits] processes). */
static char *bundle_lists(const char *bundle)
{
        char cfg[512];
        struct run_result r;
        snprintf(cfg, sizeof(cfg), "%s/config.json", bundle);
        cr_assert_eq(run_cmd(AS_ROOT, NULL, 30, &r,
                             ARGS("python3", "-c",
                                  "import json, sys\n"
                                  "c = json.load(open(sys.argv[1]))\n"
                                  "l = c['linux']\n"
                                  "rw = [m for m in c['mounts'] if m['type'] == 'bind' and 'ro' not in m['options']"
                                  " and not m['destination'].startswith('/dev/')]\n"
                                  "for m in rw:\n"
                                  "    assert {'nosuid', 'nodev'} <= set(m['options']), m\n"
                                  "assert l['resources']['pids']['limit'] > 0, l['resources']\n"
                                  "print(' ' + ' '.join(l.get('maskedPaths', []) + l.get('readonlyPaths', [])) + ' ')\n"
                                  "print(' ' + ' '.join(m['destination'] for m in rw) + ' ')",
                                  cfg)), 0);
        cr_assert_eq(r.status, 0, "%s", r.err);
        char *s = strdup(r.out);
        cr_assert(s);
        run_result_free(&r);
        return s;
}

enum { SAME_LINE, SAME_WORDS1, SAME_WORDS2, SAME_MOUNTS, SAME_BUT_NPROC };

/* line without its " nproc=…" token. */
static char *drop_nproc(char *line)
{
        char *t = strstr(line, " nproc=");
        if (t) {
                char *end = strchr(t + 1, ' ');
                memmove(t, end ? end : t + strlen(t), strlen(end ? end : t + strlen(t)) + 1);
        }
        return line;
}

/* One probe command under sbx run and under crun: the same answer. */
static void compare(struct cmp *c, const char *const *args, int how)
{
        struct run_result s, k;
        char bundle[400];
        sbx_run_probe(c, args, &s);
        crun_export_run(c, args, &k, bundle, sizeof(bundle));
        cr_assert_eq(k.status, s.status, "[%s %s] %s: crun exit %d (%s %s), sbx exit %d (%s %s)", c->profile,
                     WHO_NAME_OF(c->who), args[0], k.status, k.out, k.err, s.status, s.out, s.err);
        if (s.status > 128 && !s.out[0] && !k.out[0]) {
                /* Killed the same way under both (the memory cgroup's OOM). */
                run_result_free(&s);
                run_result_free(&k);
                return;
        }
        int words = how == SAME_WORDS1 ? 1 : how == SAME_WORDS2 ? 2 : 0;
        char *a = words ? head_words(s.out, words) : first_line(s.out);
        char *b = words ? head_words(k.out, words) : first_line(k.out);
        if (how == SAME_BUT_NPROC) {
                drop_nproc(a);
                drop_nproc(b);
        }
        if (how == SAME_MOUNTS) {
                if (!c->ro_only)
                        c->ro_only = bundle_lists(bundle);
                char *na = norm_mounts(a, c->ro_only), *nb = norm_mounts(b, c->ro_only);
                free(a);
                free(b);
                a = na;
                b = nb;
        }
        cr_assert(strncmp(a, "OK", 2) == 0 || strncmp(a, "DENIED", 6) == 0, "[%s] %s under sbx: %s %s",
                  c->profile, args[0], s.out, s.err);
        if (strcmp(a, b) != 0) {
                /* Name the first word that differs: mount lines are long. */
                size_t i = 0, w = 0;
                while (a[i] && a[i] == b[i])
                        if (a[i++] == ' ')
                                w = i;
                cr_assert_fail("[%s %s] %s differs from word %zu:\n  sbx run: %.200s\n  crun:    %.200s",
                               c->profile, WHO_NAME_OF(c->who), args[0], w, a + w, b + w);
        }
        free(a);
        free(b);
        run_result_free(&s);
        run_result_free(&k);
}

/* The probe outside any sandbox must answer differently, or the
 * comparison could not fail. */
static void differs_bare(struct cmp *c, const char *const *args)
{
        struct run_result s, bare;
        const char *argv[32];
        size_t n = 0;
        argv[n++] = probe_bin();
        for (size_t i = 0; args[i] && n < 31; i++)
                argv[n++] = args[i];
        argv[n] = NULL;
        sbx_run_probe(c, args, &s);
        in_wd(c, &bare, argv);
        char *a = first_line(s.out), *b = first_line(bare.out);
        cr_assert_str_neq(a, b, "[%s] %s: the same bare as sandboxed (%s), so the comparison could not fail",
                          c->profile, args[0], a);
        free(a);
        free(b);
        run_result_free(&s);
        run_result_free(&bare);
}

static void compare_profile(const char *profile, int who)
{
        need_crun();
        struct cmp c;
        cmp_init(&c, who, profile);

        /* The caller's namespaces, for `probe ns`. */
        static const char *const nss[] = { "user", "mnt", "pid", "net", "ipc", "uts", "cgroup" };
        char nsarg[7][128];
        const char *ns_args[9] = { "ns" };
        for (size_t i = 0; i < 7; i++) {
                char path[64], link[100];
                snprintf(path, sizeof(path), "/proc/self/ns/%s", nss[i]);
                ssize_t l = readlink(path, link, sizeof(link) - 1);
                cr_assert_gt(l, 0);
                link[l] = 0;
                snprintf(nsarg[i], sizeof(nsarg[i]), "%s:%s", nss[i], link);
                ns_args[i + 1] = nsarg[i];
        }
        ns_args[8] = NULL;

        compare(&c, ARGS("identity"), SAME_LINE);
        compare(&c, ns_args, SAME_LINE);
        /* Rootless, sbx's RLIMIT_NPROC stand-in for [limits] processes is
         * not in the bundle (set by a runtime before it makes the user
         * namespace, it would cap the uid's processes host-wide; the
         * export says so), and crun without cgroups enforces no pids
         * limit: nproc and the process limit are compared as root only,
         * and bundle_lists() checks that the bundle has linux.resources.pids. */
        compare(&c, ARGS("rlimits"), who == AS_ROOT ? SAME_LINE : SAME_BUT_NPROC);
        compare(&c, ARGS("mounts"), SAME_MOUNTS);

        /* Masked paths (every one the bundle lists) and a file that stays. */
        const char *hidden[64] = { "hidden" };
        char words[64][256];
        size_t nh = 1;
        char *list = first_line(c.ro_only), *save = NULL;
        for (char *t = strtok_r(list, " ", &save); t && nh < 62; t = strtok_r(NULL, " ", &save))
                if (strncmp(t, "/proc/sys", 9) && strncmp(t, "/proc/bus", 9) && strncmp(t, "/proc/fs", 8) &&
                    strncmp(t, "/proc/irq", 9)) {
                        snprintf(words[nh], sizeof(words[nh]), "=%s", t);
                        hidden[nh] = words[nh];
                        nh++;
                }
        hidden[nh++] = "=/etc/passwd";
        hidden[nh] = NULL;
        compare(&c, hidden, SAME_LINE);

        /* Refused syscalls (each works bare for this user on this kernel,
         * see differs_bare), socket families, W^X, the process limit. */
        static const char *const sc[][3] = {
                { "keyctl", NULL }, { "userns", NULL }, { "io_uring", NULL }, { "perf", NULL },
                { "ptrace", NULL }, { "socket", "inet" }, { "socket", "netlink" }, { "wx", NULL },
                { "clone3", NULL },
        };
        for (size_t i = 0; i < sizeof(sc) / sizeof(sc[0]); i++)
                compare(&c, (const char *const[]){ sc[i][0], sc[i][1], NULL }, SAME_WORDS2);
        /* Refused either way; the export answers ENOSYS where sbx says
         * EPERM (a rule cannot name "every other persona"; a warning of
         * the export says so). */
        compare(&c, ARGS("personality"), SAME_WORDS1);
        if (who == AS_ROOT)
                compare(&c, ARGS("forks", "300"), SAME_WORDS2);
        /* [limits] memory, made small: the cgroup's OOM kill as root, the
         * RLIMIT_DATA stand-in (ENOMEM) rootless, under both. */
        c.extra = ARGS("--set", "limits.memory=64M");
        compare(&c, ARGS("hog", "100"), SAME_WORDS2);
        differs_bare(&c, ARGS("hog", "100"));
        c.extra = NULL;

        differs_bare(&c, ARGS("identity"));
        differs_bare(&c, ARGS("mounts"));
        differs_bare(&c, ARGS("keyctl"));
        differs_bare(&c, ARGS("userns"));
        if (who == AS_ROOT)
                differs_bare(&c, ARGS("forks", "300"));
        free(list);
        cmp_done(&c);
}

Test(export_bundle, default_as_root) { compare_profile("default", AS_ROOT); }
Test(export_bundle, default_rootless) { compare_profile("default", AS_USER); }
Test(export_bundle, document_converter_as_root) { compare_profile("document-converter", AS_ROOT); }
Test(export_bundle, document_converter_rootless) { compare_profile("document-converter", AS_USER); }
Test(export_bundle, network_service_as_root) { compare_profile("network-service", AS_ROOT); }
Test(export_bundle, network_service_rootless) { compare_profile("network-service", AS_USER); }

/* ---- Kubernetes: schemas, and the Pod under `podman play kube` ----------- */

static bool have_program(const char *const *argv)
{
        struct run_result r;
        bool ok = run_cmd(AS_ROOT, NULL, 30, &r, argv) == 0 && r.status == 0;
        if (ok || r.out)
                run_result_free(&r);
        return ok;
}

static void need(const char *what, const char *const *probe_argv)
{
        if (have_program(probe_argv))
                return;
        if (in_ci())
                cr_assert_fail("%s is missing (scripts/deps --test installs it)", what);
        cr_skip_test("%s is missing", what);
}

/* The k8s export of every shipped profile: one Pod and one SeccompProfile,
 * valid under the fixed schemas of tests/fixtures/k8s, the Pod naming the
 * operator's path of that profile; the schemas refuse broken copies. */
Test(export_k8s, every_shipped_profile_validates)
{
        need("python3-jsonschema and python3-yaml",
             ARGS("/usr/bin/python3", "-c", "import jsonschema, yaml"));
        char names[64][64], fixtures[512], script[512];
        size_t n = shipped_profiles(names, 64);
        snprintf(fixtures, sizeof(fixtures), "%s/tests/fixtures/k8s", source_dir());
        snprintf(script, sizeof(script), "%s/tests/k8s-validate.py", source_dir());
        struct cmp c;
        cmp_init(&c, AS_ROOT, "default");
        const char *argv[80] = { "/usr/bin/python3", script, fixtures, "--selftest" };
        size_t na = 4;
        char *files[80] = { NULL };
        FOR_EACH_USER {
                c.who = WHO;
                for (size_t i = 0; i < n && na < 78; i++) {
                        if (WHO == AS_USER && strcmp(names[i], "default") != 0)
                                continue; /* the same shape; one is enough */
                        struct run_result r;
                        in_wd(&c, &r, ARGS(sbx_bin(), "export", "--format", "k8s", "--profile", names[i], "--ro-bind",
                                           probe_bin(), "--", probe_bin(), "id"));
                        cr_assert_eq(r.status, 0, "[%s] export --format k8s %s: %s", WHO_NAME, names[i], r.err);
                        cr_assert(strstr(r.err, "cannot express:"), "%s: nothing said about what a Pod lacks",
                                  names[i]);
                        cr_assert_geq(asprintf(&files[na], "%s/%s-%s.yaml", c.tmp, names[i], WHO_NAME), 0);
                        cr_assert_eq(write_file(files[na], r.out, 0644), 0);
                        argv[na] = files[na];
                        na++;
                        run_result_free(&r);
                }
        }
        argv[na] = NULL;
        struct run_result v;
        cr_assert_eq(run_cmd(AS_ROOT, NULL, 120, &v, argv), 0);
        cr_assert_eq(v.status, 0, "%s%s", v.out, v.err);
        run_result_free(&v);
        for (size_t i = 0; i < na; i++)
                free(files[i]);
        cmp_done(&c);
}

/* `podman play kube` of the k8s export (tests/podman-kube.sh: the bundle's
 * rootfs as the image, the SeccompProfile's spec as the node's profile):
 * the probe sees what it sees under `sbx run` for what a Pod expresses
 * (identity but the user namespace, which a Pod only gets with
 * hostUsers: false, masked programs, refused syscalls). */
static void podman_matches(const char *profile)
{
        need_crun();
        need("podman", ARGS("podman", "--version"));
        need("catatonit (Podman's pod init)", ARGS("sh", "-c", "command -v catatonit || test -x /usr/libexec/podman/catatonit"));
        need("python3-yaml", ARGS("/usr/bin/python3", "-c", "import yaml"));
        char script[512];
        snprintf(script, sizeof(script), "%s/tests/podman-kube.sh", source_dir());
        struct cmp c;
        cmp_init(&c, AS_ROOT, profile);
        /* One Pod (and one sandbox) for all: `probe batch`, a line each. */
        static const char *const cmds[] = {
                "batch", "identity", ",,", "keyctl", ",,", "userns", ",,", "socket", "inet", ",,", "io_uring",
                ",,", "hidden", "=/usr/bin/perl", "=/etc/passwd", NULL,
        };
        const char *argv[40] = { "unshare", "-m", "--propagation", "private", "sh", "-c",
                                 "umount /sys/fs/cgroup/unified 2>/dev/null; exec \"$@\"", "sh",
                                 script, sbx_bin(), profile, c.wd, probe_bin() };
        size_t n = 13;
        for (size_t j = 0; cmds[j]; j++)
                argv[n++] = cmds[j];
        argv[n] = NULL;
        struct run_result p, s;
        cr_assert_eq(run_cmd(AS_ROOT, NULL, 180, &p, argv), 0);
        cr_assert_eq(p.status, 0, "[%s] podman play kube: exit %d\n%s%s", profile, p.status, p.out, p.err);
        sbx_run_probe(&c, cmds, &s);
        char *sp = NULL, *pp = NULL;
        char *a = strtok_r(s.out, "\n", &sp), *b = strtok_r(p.out, "\n", &pp);
        for (size_t line = 0; a || b; line++) {
                cr_assert(a && b, "[%s] line %zu: sbx run %s, podman %s", profile, line, a ? a : "(none)",
                          b ? b : "(none)");
                if (line == 0) {
                        /* No user namespace in the Pod: compare from hostname on. */
                        char *ha = strstr(a, "hostname="), *hb = strstr(b, "hostname=");
                        cr_assert(ha && hb, "%s | %s", a, b);
                        cr_assert_str_eq(hb, ha, "[%s] identity:\n  sbx run: %s\n  podman:  %s", profile, a, b);
                } else {
                        cr_assert_str_eq(b, a, "[%s] line %zu:\n  sbx run: %s\n  podman:  %s", profile, line, a, b);
                }
                a = strtok_r(NULL, "\n", &sp);
                b = strtok_r(NULL, "\n", &pp);
        }
        run_result_free(&p);
        run_result_free(&s);
        cmp_done(&c);
}

Test(export_k8s, podman_play_kube_default) { podman_matches("default"); }
Test(export_k8s, podman_play_kube_network_service) { podman_matches("network-service"); }

/* ---- systemd: verify, and the exposure score ----------------------------- */

/* systemd-analyze's "Overall exposure level for X: 0.6 SAFE" as 6. */
static int exposure_x10(const char *out)
{
        const char *s = strstr(out, "Overall exposure level for ");
        cr_assert(s, "%s", out);
        s = strstr(s, ": ");
        cr_assert(s);
        unsigned a = 0, b = 0;
        cr_assert_eq(sscanf(s + 2, "%u.%u", &a, &b), 2, "%s", s);
        return (int)(a * 10 + b);
}

/* The unit of every shipped profile passes `systemd-analyze verify` with
 * nothing to say, and `systemd-analyze security --offline=true` scores it;
 * default's score is at most 0.6 (what its policy allows: its syscall
 * allow-list includes members of @privileged and @resources, and it keeps
 * the host's /proc subset and umask), below systemd's own hardened
 * services shipped here (systemd-timesyncd.service, 2.3 with systemd 252),
 * which the test scores too.  An unhardened unit scores high, so the score
 * can fail. */
Test(export_systemd, verify_and_score_every_shipped_profile)
{
        need("systemd-analyze", ARGS("systemd-analyze", "--version"));
        char names[64][64];
        size_t n = shipped_profiles(names, 64);
        struct cmp c;
        cmp_init(&c, AS_ROOT, "default");
        int default_score = -1;
        for (size_t i = 0; i < n; i++) {
                char unit[512];
                struct run_result r, v, s;
                snprintf(unit, sizeof(unit), "%s/sbx-%s.service", c.tmp, names[i]);
                in_wd(&c, &r, ARGS(sbx_bin(), "export", "--format", "systemd", "--profile", names[i], "--output", unit,
                                   "--", "/usr/bin/true"));
                cr_assert_eq(r.status, 0, "export --format systemd %s: %s", names[i], r.err);
                run_result_free(&r);
                cr_assert_eq(run_cmd(AS_ROOT, NULL, 60, &v, ARGS("systemd-analyze", "verify", unit)), 0);
                cr_assert_eq(v.status, 0, "%s: %s%s", names[i], v.out, v.err);
                cr_assert(!strstr(v.err, unit) && !strstr(v.out, unit), "systemd-analyze verify %s:\n%s%s", names[i],
                          v.out, v.err);
                run_result_free(&v);
                cr_assert_eq(run_cmd(AS_ROOT, NULL, 60, &s,
                                     ARGS("systemd-analyze", "security", "--offline=true", unit)), 0);
                int score = exposure_x10(s.out);
                cr_log_info("systemd-analyze security: %s %d.%d", names[i], score / 10, score % 10);
                if (strcmp(names[i], "default") == 0)
                        default_score = score;
                run_result_free(&s);
        }
        cr_assert_geq(default_score, 0, "no default profile");
        cr_assert_leq(default_score, 6, "default's unit scores %d.%d", default_score / 10, default_score % 10);

        /* The same program in a unit without hardening scores high. */
        char bare[512];
        snprintf(bare, sizeof(bare), "%s/bare.service", c.tmp);
        cr_assert_eq(write_file(bare, "[Service]\nExecStart=/usr/bin/true\n", 0644), 0);
        struct run_result s;
        cr_assert_eq(run_cmd(AS_ROOT, NULL, 60, &s, ARGS("systemd-analyze", "security", "--offline=true", bare)), 0);
        cr_assert_gt(exposure_x10(s.out), 80, "an unhardened unit scores %s", s.out);
        run_result_free(&s);
        cmp_done(&c);
}

/* Bad usage of the whole-plan formats is refused with exit 2 and a reason;
 * a second export into the same bundle is refused rather than mixed. */
Test(cli, export_plan_usage_errors)
{
        struct run_result r;
        char *tmp = make_tmpdir();
        char dir[512];
        cr_assert(tmp);
        snprintf(dir, sizeof(dir), "%s/b", tmp);
        cr_assert_eq(run_sbx(AS_ROOT, &r, "export", "--format", "k8s", "--profile", "default", NULL), 0);
        cr_assert_eq(r.status, 2, "k8s without a program: %d %s", r.status, r.err);
        cr_assert(strstr(r.err, "no program given"), "%s", r.err);
        run_result_free(&r);
        cr_assert_eq(run_sbx(AS_ROOT, &r, "export", "--format", "oci-bundle", NULL), 0);
        cr_assert_eq(r.status, 2, "oci-bundle without a directory: %d %s", r.status, r.err);
        run_result_free(&r);
        cr_assert_eq(run_sbx(AS_ROOT, &r, "export", "--format", "oci", "--bind", "/tmp", NULL), 0);
        cr_assert_eq(r.status, 2, "oci takes no run options: %d %s", r.status, r.err);
        run_result_free(&r);
        cr_assert_eq(run_sbx(AS_ROOT, &r, "export", "-q", "--format", "oci-bundle", dir, "--", "/bin/true", NULL), 0);
        cr_assert_eq(r.status, 0, "%s", r.err);
        run_result_free(&r);
        cr_assert_eq(run_sbx(AS_ROOT, &r, "export", "-q", "--format", "oci-bundle", dir, "--", "/bin/true", NULL), 0);
        cr_assert_eq(r.status, 2, "a second export into %s: %d %s", dir, r.status, r.err);
        cr_assert(strstr(r.err, "already exists"), "%s", r.err);
        run_result_free(&r);
        cr_assert_eq(run_sbx(AS_ROOT, &r, "export", "-q", "--format", "systemd", "--", "/nonexistent/prog", NULL), 0);
        cr_assert_eq(r.status, 127, "a missing program: %d %s", r.status, r.err);
        run_result_free(&r);
        char cmd[600];
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
        sh(cmd);
        free(tmp);
}
