/* test_exec_run.c — execution prevention (M1038) and Landlock through the
 * real `sbx run`, as root and as uid 65534, with the static probe inside
 * (tests/probe_exec.c).  Each escape attempt also runs without the sandbox
 * and must work there, so a test that cannot fail shows up as a failure.
 * Where two layers stop the same attempt, a test turns one off to show the
 * other holds on its own (docs/exec-prevention.md lists the layers). */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"
#include "base/sha256.h"

static const int whos[] = { AS_ROOT, AS_USER };
#define FOR_EACH_USER for (size_t wi = 0; wi < 2; wi++)
#define WHO whos[wi]
#define WHO_NAME (WHO == AS_ROOT ? "root" : "user")
#define ARGS(...) ((const char *const[]){ __VA_ARGS__, NULL })
#define NONE ((const char *const *)NULL)

static char profile_buf[2][PATH_MAX];

static const char *profile(const char *name)
{
        static int k;
        if (name[0] == '/')
                return name;
        char *b = profile_buf[k++ % 2];
        snprintf(b, PATH_MAX, "%s/tests/profiles/%s.ini", source_dir(), name);
        return b;
}

/* sbx run --profile P --ro-bind PROBE EXTRA… -- PROGRAM ARGS… where PROGRAM
 * is the probe unless `program` is given. */
static void sbx(int who, struct run_result *r, const char *prof, const char *const *extra,
                const char *program, const char *const *args)
{
        const char *argv[96];
        size_t n = 0;
        argv[n++] = sbx_bin();
        argv[n++] = "run";
        argv[n++] = "--profile";
        argv[n++] = profile(prof);
        argv[n++] = "--ro-bind";
        argv[n++] = probe_bin();
        for (size_t i = 0; extra && extra[i]; i++)
                argv[n++] = extra[i];
        argv[n++] = "--";
        argv[n++] = program ? program : probe_bin();
        for (size_t i = 0; args && args[i] && n < 95; i++)
                argv[n++] = args[i];
        argv[n] = NULL;
        cr_assert_eq(run_cmd(who, NULL, 60, r, argv), 0, "sbx did not finish");
}

static void bare(int who, struct run_result *r, const char *const *args)
{
        const char *argv[32];
        size_t n = 0;
        argv[n++] = probe_bin();
        for (size_t i = 0; args && args[i]; i++)
                argv[n++] = args[i];
        argv[n] = NULL;
        cr_assert_eq(run_cmd(who, NULL, 30, r, argv), 0);
}

static char *join_args(const char *const *args)
{
        static char buf[1024];
        buf[0] = 0;
        for (size_t i = 0; args && args[i]; i++) {
                strncat(buf, args[i], sizeof(buf) - strlen(buf) - 2);
                strcat(buf, " ");
        }
        return buf;
}

/* Inside: the probe reports DENIED (with `want`, e.g. "DENIED EACCES", when
 * given); bare (same user): OK. */
static bool bare_root_only; /* the bare attempt needs root (e.g. protected_hardlinks) */

static void expect_stopped(const char *prof, const char *const *extra, const char *const *args,
                           const char *const *bare_args, const char *want)
{
        struct run_result r;
        FOR_EACH_USER {
                sbx(WHO, &r, prof, extra, NULL, args);
                cr_assert_eq(r.status, 0, "[%s] %s: sbx exit %d\nstdout: %s\nstderr: %s", WHO_NAME,
                             join_args(args), r.status, r.out, r.err);
                cr_assert(strncmp(r.out, want ? want : "DENIED", strlen(want ? want : "DENIED")) == 0,
                          "[%s] ESCAPE (or wrong layer) inside sbx: %s: %s (want %s; stderr %s)",
                          WHO_NAME, join_args(args), r.out, want ? want : "DENIED", r.err);
                run_result_free(&r);
                if (bare_root_only && WHO != AS_ROOT)
                        continue;
                bare(WHO, &r, bare_args ? bare_args : args);
                cr_assert(strncmp(r.out, "OK", 2) == 0,
                          "[%s] '%s' cannot fail: it is refused even without sbx: %s", WHO_NAME,
                          join_args(bare_args ? bare_args : args), r.out);
                run_result_free(&r);
        }
}

/* Inside: OK (a sanity check that the denial above is specific). */
static void expect_works(const char *prof, const char *const *extra, const char *const *args)
{
        struct run_result r;
        FOR_EACH_USER {
                sbx(WHO, &r, prof, extra, NULL, args);
                cr_assert(r.status == 0 && strncmp(r.out, "OK", 2) == 0,
                          "[%s] %s refused inside sbx: exit %d: %s (stderr %s)", WHO_NAME,
                          join_args(args), r.status, r.out, r.err);
                run_result_free(&r);
        }
}

/* `sbx run … -- PROGRAM ARGS` refused before anything starts. */
static void expect_refused(const char *const *extra, const char *program, const char *const *args,
                           int status, const char *msg)
{
        struct run_result r;
        FOR_EACH_USER {
                sbx(WHO, &r, "exec-base", extra, program, args);
                cr_assert_eq(r.status, status, "[%s] %s: exit %d, want %d\nstdout: %s\nstderr: %s",
                             WHO_NAME, program, r.status, status, r.out, r.err);
                cr_assert(strstr(r.err, msg), "[%s] %s: stderr lacks '%s': %s", WHO_NAME, program,
                          msg, r.err);
                run_result_free(&r);
        }
}

static void need_python(void)
{
        if (access("/usr/bin/python3", X_OK) != 0) {
                if (in_ci())
                        cr_assert_fail("CI needs /usr/bin/python3 for the interpreter tests");
                cr_skip_test("no /usr/bin/python3 here");
        }
}

static char *tmp;
static char *quiet; /* see deny_glob_profile() */

static void tmp_setup(void)
{
        tmp = make_tmpdir();
        cr_assert(tmp);
}

static void remove_tree(char **dir)
{
        if (*dir) {
                char cmd[PATH_MAX + 16];
                snprintf(cmd, sizeof(cmd), "rm -rf '%s'", *dir);
                (void)!system(cmd);
                free(*dir);
                *dir = NULL;
        }
}

static void tmp_teardown(void)
{
        remove_tree(&tmp);
        remove_tree(&quiet);
}

static const char *in_tmp(const char *name)
{
        static char buf[4][PATH_MAX + 64];
        static int k;
        char *b = buf[k++ % 4];
        snprintf(b, sizeof(buf[0]), "%s/%s", tmp, name);
        return b;
}

TestSuite(exec_run, .init = tmp_setup, .fini = tmp_teardown, .timeout = 300);

/* ---- the allow-list ---------------------------------------------------- */

Test(exec_run, allowed_binary_runs)
{
        struct run_result r;
        FOR_EACH_USER {
                sbx(WHO, &r, "exec-base", NONE, "/usr/bin/true", NONE);
                cr_assert_eq(r.status, 0, "[%s] /usr/bin/true: %d %s", WHO_NAME, r.status, r.err);
                run_result_free(&r);
                sbx(WHO, &r, "exec-base", NONE, "/bin/sh",
                    ARGS("-c", "ls / >/dev/null && cat /etc/passwd >/dev/null && echo fine"));
                cr_assert(r.status == 0 && strstr(r.out, "fine"), "[%s] sh: %d %s %s", WHO_NAME,
                          r.status, r.out, r.err);
                run_result_free(&r);
        }
        expect_works("exec-base", NONE, ARGS("run", "/usr/bin/true"));
}

Test(exec_run, binary_outside_allow_list_refused)
{
        /* Visible and readable, not allowed: Landlock refuses EXECUTE. */
        expect_stopped("exec-base", NONE, ARGS("run", "/usr/bin/id"), NULL, "DENIED EACCES");
        /* The program's own error tells the user. */
        struct run_result r;
        sbx(AS_USER, &r, "exec-base", NONE, "/bin/sh", ARGS("-c", "/usr/bin/id"));
        cr_assert_neq(r.status, 0);
        cr_assert(strstr(r.err, "Permission denied"), "%s", r.err);
        run_result_free(&r);
}

static void sha256_of(const char *path, char hex[65])
{
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        cr_assert_geq(fd, 0);
        uint8_t d[32];
        cr_assert_eq(sha256_fd(fd, d), 0);
        close(fd);
        sha256_hex(d, hex);
}

Test(exec_run, pinned_hash_matches_and_runs)
{
        char hex[65], set[PATH_MAX + 128];
        sha256_of("/usr/bin/true", hex);
        snprintf(set, sizeof(set), "exec.allow-hash=/usr/bin/true:%s", hex);
        struct run_result r;
        FOR_EACH_USER {
                sbx(WHO, &r, "exec-base", ARGS("--set", set), "/usr/bin/true", NONE);
                cr_assert_eq(r.status, 0, "[%s] %d %s", WHO_NAME, r.status, r.err);
                run_result_free(&r);
        }
}

Test(exec_run, wrong_pinned_hash_refused_before_start)
{
        char real[PATH_MAX], hex[65], set[PATH_MAX + 128], bind[PATH_MAX + 16], script[PATH_MAX + 64];
        cr_assert(realpath("/bin/sh", real));
        sha256_of(real, hex);
        snprintf(set, sizeof(set), "exec.allow-hash=%s:%064d", real, 0);
        snprintf(bind, sizeof(bind), "%s", tmp);
        snprintf(script, sizeof(script), "echo started > %s/marker", tmp);
        struct run_result r;
        FOR_EACH_USER {
                sbx(WHO, &r, "exec-base", ARGS("--set", set, "--bind", bind), "/bin/sh",
                    ARGS("-c", script));
                cr_assert_eq(r.status, 126, "[%s] exit %d: %s", WHO_NAME, r.status, r.err);
                cr_assert(strstr(r.err, "SHA-256 mismatch") && strstr(r.err, hex) &&
                                  strstr(r.err, "expected 0000000000"),
                          "[%s] %s", WHO_NAME, r.err);
                cr_assert_neq(access(in_tmp("marker"), F_OK), 0, "[%s] the program ran", WHO_NAME);
                run_result_free(&r);
        }
}

/* ---- the deny-list: path, symlink, hard link, copy, loader ------------- */

Test(exec_run, denied_interpreter_refused_by_path)
{
        need_python();
        expect_refused(NONE, "/usr/bin/python3", ARGS("-c", "pass"), 126, "is denied by");
        expect_refused(NONE, "/usr/bin/python3", ARGS("-c", "pass"), 126, "exec-base.ini:");
        expect_stopped("exec-base", NONE, ARGS("run", "/usr/bin/python3", "-c", "pass"), NULL,
                       "DENIED EACCES");
        /* Reading it (to copy it elsewhere) fails too: it is masked. */
        expect_stopped("exec-base", NONE, ARGS("copy-file", "/usr/bin/python3", "/tmp/py"),
                       ARGS("copy-file", "/usr/bin/python3", in_tmp("py")), "DENIED");
}

Test(exec_run, denied_interpreter_refused_through_symlink)
{
        need_python();
        expect_stopped("exec-base", NONE, ARGS("symlink-run", "/usr/bin/python3", "/tmp", "-c", "pass"),
                       ARGS("symlink-run", "/usr/bin/python3", tmp, "-c", "pass"), "DENIED EACCES");
        /* A host symlink named on the command line. */
        cr_assert_eq(symlink("/usr/bin/python3", in_tmp("py")), 0);
        char bind[PATH_MAX + 16];
        snprintf(bind, sizeof(bind), "%s", tmp);
        expect_refused(ARGS("--ro-bind", bind), in_tmp("py"), ARGS("-c", "pass"), 126, "is denied by");
}

Test(exec_run, denied_interpreter_refused_as_hard_link_in_writable_dir)
{
        need_python();
        char real[PATH_MAX], bind[PATH_MAX + 16];
        cr_assert(realpath("/usr/bin/python3", real));
        if (link(real, in_tmp("py")) < 0)
                cr_skip_test("cannot hard-link %s into %s (%s): other filesystem", real, tmp,
                             strerror(errno));
        chmod(tmp, 0777);
        snprintf(bind, sizeof(bind), "%s", tmp);
        const char *py = in_tmp("py");
        /* execve: noexec mount + no Landlock EXECUTE there. */
        expect_stopped("exec-base", ARGS("--bind", bind), ARGS("run", py, "-c", "pass"), NULL,
                       "DENIED EACCES");
        /* the loader: mmap(PROT_EXEC) from a noexec mount fails. */
        expect_stopped("exec-base", ARGS("--bind", bind),
                       ARGS("run", "/lib64/ld-linux-x86-64.so.2", py, "-c", "pass"), NULL,
                       "DENIED EXIT127");
        /* on the command line: the same inode as a denied file. */
        expect_refused(ARGS("--bind", bind), py, ARGS("-c", "pass"), 126, "is denied by");
        /* Making the link inside the sandbox fails (bare, only root may link
         * a file it does not own: fs.protected_hardlinks). */
        bare_root_only = true;
        expect_stopped("exec-base", ARGS("--bind", bind),
                       ARGS("hardlink", real, in_tmp("py2")), NULL, "DENIED");
        bare_root_only = false;
}

Test(exec_run, copy_of_denied_interpreter_refused_on_command_line)
{
        need_python();
        char cmd[2 * PATH_MAX], bind[PATH_MAX + 16];
        snprintf(cmd, sizeof(cmd), "cp /usr/bin/python3 '%s'", in_tmp("mytool"));
        cr_assert_eq(system(cmd), 0);
        snprintf(bind, sizeof(bind), "%s", tmp);
        expect_refused(ARGS("--ro-bind", bind), in_tmp("mytool"), ARGS("-c", "pass"), 126,
                       "is a copy of");
}

Test(exec_run, loader_trick_on_denied_interpreter_fails)
{
        need_python();
        expect_stopped("exec-base", NONE,
                       ARGS("run", "/lib64/ld-linux-x86-64.so.2", "/usr/bin/python3", "-c", "pass"),
                       NULL, "DENIED EXIT127");
}

/* Layer 4 on its own: with Landlock off, the masks still stop the
 * interpreter and the loader trick. */
Test(exec_run, masks_hold_without_landlock)
{
        need_python();
        const char *const off[] = { "--set", "landlock.enabled=no", NULL };
        expect_stopped("exec-base", off, ARGS("run", "/usr/bin/python3", "-c", "pass"), NULL,
                       "DENIED EACCES");
        expect_stopped("exec-base", off,
                       ARGS("run", "/lib64/ld-linux-x86-64.so.2", "/usr/bin/python3", "-c", "pass"),
                       NULL, "DENIED EXIT127");
}

/* ---- every launch decides from the filesystem as it is now ------------- */

/* A directory of its own for the tests below (outside /tmp, which other
 * tests change). */
static const char *in_quiet(const char *name)
{
        static char buf[4][PATH_MAX + 64];
        static int k;
        char *b = buf[k++ % 4];
        snprintf(b, sizeof(buf[0]), "%s/%s", quiet, name);
        return b;
}

/* The system view and a stand-in for /usr/bin at QUIET/bin, allowed, with a
 * deny glob over it; a file, a link to it and an early python3 in it. */
static const char *deny_glob_profile(void)
{
        static char path[PATH_MAX + 64];
        char text[4 * PATH_MAX], cmd[2 * PATH_MAX], tmpl[] = "/var/tmp/sbx-test-XXXXXX";
        cr_assert(mkdtemp(tmpl));
        quiet = strdup(tmpl);
        cr_assert(quiet);
        chmod(quiet, 0755);
        const char *bin = in_quiet("bin");
        cr_assert_eq(mkdir(bin, 0755), 0);
        chmod(bin, 0755);
        snprintf(cmd, sizeof(cmd), "cp /usr/bin/true '%s/tool'", bin);
        cr_assert_eq(system(cmd), 0);
        cr_assert_eq(symlink("tool", in_quiet("bin/rel")), 0);
        cr_assert_eq(write_file(in_quiet("bin/python3"), "", 0755), 0);
        snprintf(text, sizeof(text),
                 "[profile]\nname = exec-glob\ninclude = system.inc\n"
                 "[filesystem]\nro-bind = %s\n[network]\nmode = none\n"
                 "[exec]\nallow = %s\ndeny = %s/python*\n"
                 "[seccomp]\nallow = @default\n[landlock]\nenabled = yes\n",
                 bin, bin, bin);
        snprintf(path, sizeof(path), "%s", in_quiet("exec-glob.ini"));
        cr_assert_eq(write_file(path, text, 0644), 0);
        return path;
}

/* A file matching a deny glob that appears between two launches is masked
 * and refused by the next one, and sbx keeps no state of its own between
 * launches (an empty XDG_CACHE_HOME stays empty). */
Test(exec_run, newly_installed_denied_file_refused_next_launch)
{
        const char *prof = deny_glob_profile();
        char tool[PATH_MAX + 16], py[PATH_MAX + 16], rel[PATH_MAX + 16];
        char cmd[PATH_MAX + 64], mask_py313[PATH_MAX + 64];
        snprintf(tool, sizeof(tool), "%s/bin/tool", quiet);
        snprintf(rel, sizeof(rel), "%s/bin/rel", quiet);
        snprintf(py, sizeof(py), "%s/bin/python3.13", quiet);
        snprintf(mask_py313, sizeof(mask_py313), "mask    %s ", py);
        cr_assert_eq(mkdir(in_quiet("xdg"), 0777), 0);
        chmod(in_quiet("xdg"), 0777);
        cr_assert_eq(setenv("XDG_CACHE_HOME", in_quiet("xdg"), 1), 0);
        struct run_result r;
        FOR_EACH_USER {
                sbx(WHO, &r, prof, NONE, NULL, ARGS("run", tool));
                cr_assert(r.status == 0 && strncmp(r.out, "OK", 2) == 0,
                          "[%s] allowed tool refused: %d %s %s", WHO_NAME, r.status, r.out, r.err);
                run_result_free(&r);
                sbx(WHO, &r, prof, NONE, NULL, ARGS("run", rel));
                cr_assert(r.status == 0 && strncmp(r.out, "OK", 2) == 0,
                          "[%s] link inside the allowed directory refused: %d %s %s", WHO_NAME,
                          r.status, r.out, r.err);
                run_result_free(&r);
        }
        snprintf(cmd, sizeof(cmd), "cp /usr/bin/true '%s'", py);
        cr_assert_eq(system(cmd), 0);
        FOR_EACH_USER {
                sbx(WHO, &r, prof, NONE, NULL, ARGS("run", py));
                cr_assert(r.status == 0 && strncmp(r.out, "DENIED EACCES", 13) == 0,
                          "[%s] ESCAPE: %s installed after an earlier launch runs: %d %s %s",
                          WHO_NAME, py, r.status, r.out, r.err);
                run_result_free(&r);
                sbx(WHO, &r, prof, NONE, NULL, ARGS("copy-file", py, "/tmp/py"));
                cr_assert(r.status == 0 && strncmp(r.out, "DENIED", 6) == 0,
                          "[%s] %s is not masked: %s %s", WHO_NAME, py, r.out, r.err);
                run_result_free(&r);
                sbx(WHO, &r, prof, ARGS("--dry-run"), NULL, NONE);
                cr_assert(strstr(r.out, mask_py313), "[%s] no '%s' in %s", WHO_NAME, mask_py313, r.out);
                run_result_free(&r);
                bare(WHO, &r, ARGS("run", py));
                cr_assert(strncmp(r.out, "OK", 2) == 0, "[%s] cannot fail: %s", WHO_NAME, r.out);
                run_result_free(&r);
        }
        snprintf(cmd, sizeof(cmd), "test -z \"$(ls -A '%s')\"", in_quiet("xdg"));
        cr_assert_eq(system(cmd), 0, "sbx wrote state under XDG_CACHE_HOME");
        unsetenv("XDG_CACHE_HOME");
}

/* ---- nothing written at run time executes ------------------------------ */

Test(exec_run, elf_written_to_tmp_home_cwd_not_executable)
{
        /* Inside: the sandbox's /tmp, its private $HOME, and the caller's
         * working directory bound read-write.  Bare: a host directory. */
        static const char *const dirs[] = { "/tmp", "HOME", "CWD" };
        cr_assert_eq(chdir(tmp), 0);
        const char *const cwd_rw[] = { "--set", "filesystem.cwd-bind=rw", NULL };
        for (size_t i = 0; i < 3; i++) {
                const char *bare_dir = strcmp(dirs[i], "CWD") == 0 ? dirs[i] : tmp;
                expect_stopped("exec-base", cwd_rw, ARGS("copy-exec", dirs[i]),
                               ARGS("copy-exec", bare_dir), "DENIED EACCES");
                expect_stopped("exec-base", cwd_rw, ARGS("copy-mmap", dirs[i]),
                               ARGS("copy-mmap", bare_dir), "DENIED EPERM");
        }
}

/* Layer 2 on its own: noexec holds with Landlock off. */
Test(exec_run, noexec_holds_without_landlock)
{
        const char *const off[] = { "--set", "landlock.enabled=no", NULL };
        expect_stopped("exec-base", off, ARGS("copy-exec", "/tmp"), ARGS("copy-exec", tmp),
                       "DENIED EACCES");
        expect_stopped("exec-base", off, ARGS("copy-mmap", "/tmp"), ARGS("copy-mmap", tmp),
                       "DENIED EPERM");
}

Test(exec_run, proc_self_fd_exec_fails)
{
        expect_stopped("exec-base", NONE, ARGS("fd-exec", "/tmp"), ARGS("fd-exec", tmp), "DENIED");
}

Test(exec_run, memfd_fexecve_fails)
{
        expect_stopped("exec-base", NONE, ARGS("memfd-fexec"), NULL, "DENIED");
}

/* ---- Landlock: writes and ports ---------------------------------------- */

Test(exec_run, landlock_denies_writes_outside_writable_set)
{
        char bind[PATH_MAX + 16], ro[PATH_MAX + 64];
        cr_assert_eq(mkdir(in_tmp("ro"), 0777), 0);
        cr_assert_eq(mkdir(in_tmp("rw"), 0777), 0);
        chmod(in_tmp("ro"), 0777);
        chmod(in_tmp("rw"), 0777);
        snprintf(bind, sizeof(bind), "%s", tmp);
        snprintf(ro, sizeof(ro), "landlock.read-only=%s", in_tmp("ro"));
        const char *const extra[] = { "--bind", bind, "--set", ro, NULL };
        struct run_result r;
        FOR_EACH_USER {
                /* Each user its own files: the probe creates them 0644. */
                char f_ro[PATH_MAX + 64], f_rw[PATH_MAX + 64];
                snprintf(f_ro, sizeof(f_ro), "%s/ro/%s", tmp, WHO_NAME);
                snprintf(f_rw, sizeof(f_rw), "%s/rw/%s", tmp, WHO_NAME);
                /* The mount is writable; only Landlock says no. */
                sbx(WHO, &r, "exec-base", extra, NULL, ARGS("write", f_ro));
                cr_assert(r.status == 0 && strncmp(r.out, "DENIED EACCES", 13) == 0,
                          "[%s] ESCAPE: write under a read-only path: %d %s %s", WHO_NAME, r.status,
                          r.out, r.err);
                run_result_free(&r);
                sbx(WHO, &r, "exec-base", extra, NULL, ARGS("write", f_rw));
                cr_assert(r.status == 0 && strncmp(r.out, "OK", 2) == 0, "[%s] %d %s %s", WHO_NAME,
                          r.status, r.out, r.err);
                run_result_free(&r);
                bare(WHO, &r, ARGS("write", f_ro));
                cr_assert(strncmp(r.out, "OK", 2) == 0, "[%s] cannot fail: %s", WHO_NAME, r.out);
                run_result_free(&r);
        }
}

static int listen_tcp(uint16_t *port);

/* A TCP server on 127.0.0.1 that greets and closes each connection (the
 * probe's `connect` reads a line); in a child, killed by the caller. */
static pid_t serve_tcp(uint16_t *port)
{
        int s = listen_tcp(port);
        pid_t pid = fork();
        cr_assert_geq(pid, 0);
        if (pid == 0) {
                /* A failed assertion ends the test without killing us. */
                prctl(PR_SET_PDEATHSIG, SIGKILL);
                for (;;) {
                        int c = accept(s, NULL, NULL);
                        if (c < 0)
                                continue;
                        (void)!write(c, "hello\n", 6);
                        close(c);
                }
        }
        close(s);
        return pid;
}

static int listen_tcp(uint16_t *port)
{
        int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        cr_assert_geq(s, 0);
        struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
        socklen_t len = sizeof(a);
        cr_assert_eq(bind(s, (struct sockaddr *)&a, sizeof(a)), 0);
        cr_assert_eq(listen(s, 64), 0);
        cr_assert_eq(getsockname(s, (struct sockaddr *)&a, &len), 0);
        *port = ntohs(a.sin_port);
        return s;
}

Test(exec_run, tcp_connect_to_port_not_allowed_fails)
{
        uint16_t port;
        pid_t server = serve_tcp(&port);
        char p[16], set[64];
        snprintf(p, sizeof(p), "%u", port);
        snprintf(set, sizeof(set), "network.tcp-connect=%u", port);
        /* EACCES is Landlock's answer; seccomp would say EPERM. */
        expect_stopped("exec-net", NONE, ARGS("connect", "127.0.0.1", p), NULL, "DENIED EACCES");
        expect_works("exec-net", ARGS("--set", set), ARGS("connect", "127.0.0.1", p));
        kill(server, SIGKILL);
        waitpid(server, NULL, 0);
}

Test(exec_run, landlock_abi_above_kernel_refused)
{
        struct run_result r;
        FOR_EACH_USER {
                sbx(WHO, &r, "exec-base", ARGS("--set", "landlock.min-abi=99"), "/usr/bin/true", NONE);
                cr_assert_eq(r.status, 125, "[%s] exit %d: %s", WHO_NAME, r.status, r.err);
                cr_assert(strstr(r.err, "Landlock ABI 99") || strstr(r.err, "ABI 99"), "[%s] %s",
                          WHO_NAME, r.err);
                run_result_free(&r);
        }
}
