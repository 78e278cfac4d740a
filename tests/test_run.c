/* test_run.c — `sbx run` end to end: real sandboxes on this kernel, as
 * root and as an unprivileged user, with the static probe inside.  Every
 * containment test also runs the same probe without the sandbox and
 * expects it to report the escape, so that a test that cannot fail shows up
 * as a failure here. */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/shm.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"

static const int whos[] = { AS_ROOT, AS_USER };
#define FOR_EACH_USER for (size_t wi = 0; wi < 2; wi++)
#define WHO whos[wi]
#define WHO_NAME (WHO == AS_ROOT ? "root" : "user")

/* sbx run --profile default --ro-bind PROBE [EXTRA…] -- PROBE ARGS…
 * `extra` and `args` are NULL-terminated. */
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

static void bare_probe(int who, struct run_result *r, const char *const *args)
{
        const char *argv[32];
        size_t n = 0;
        argv[n++] = probe_bin();
        for (size_t i = 0; args && args[i]; i++)
                argv[n++] = args[i];
        argv[n] = NULL;
        cr_assert_eq(run_cmd(who, NULL, 30, r, argv), 0);
}

#define ARGS(...) ((const char *const[]){ __VA_ARGS__, NULL })

/* The probe inside must say DENIED (and the same probe outside OK). */
static void expect_contained(const char *const *extra, const char *const *args, bool bare_as_root_only)
{
        struct run_result r;
        FOR_EACH_USER {
                sbx_probe(WHO, &r, extra, args);
                cr_assert_eq(r.status, 0, "[%s] %s: sbx exit %d\nstdout: %s\nstderr: %s", WHO_NAME,
                             args[0], r.status, r.out, r.err);
                cr_assert(strncmp(r.out, "DENIED", 6) == 0, "[%s] ESCAPE inside sbx: %s (stderr %s)",
                          WHO_NAME, r.out, r.err);
                run_result_free(&r);
                if (bare_as_root_only && WHO != AS_ROOT)
                        continue;
                bare_probe(WHO, &r, args);
                cr_assert(strncmp(r.out, "OK", 2) == 0,
                          "[%s] probe '%s' cannot fail: it is denied even without sbx: %s", WHO_NAME,
                          args[0], r.out);
                run_result_free(&r);
        }
}

Test(run, smoke_default_profile)
{
        struct run_result r;
        FOR_EACH_USER {
                const char *argv[] = { sbx_bin(), "run", "--profile", "default", "--", "/bin/sh", "-c",
                                       "id; ls /; cat /proc/self/status", NULL };
                cr_assert_eq(run_cmd(WHO, NULL, 60, &r, argv), 0);
                cr_assert_eq(r.status, 0, "[%s] exit %d: %s", WHO_NAME, r.status, r.err);
                cr_assert(strstr(r.out, "NoNewPrivs:\t1"), "[%s] %s", WHO_NAME, r.out);
                cr_assert(strstr(r.out, "Seccomp:\t2"), "[%s] %s", WHO_NAME, r.out);
                cr_assert(strstr(r.out, "CapEff:\t0000000000000000"), "[%s] %s", WHO_NAME, r.out);
                cr_assert(strstr(r.out, "CapBnd:\t0000000000000000"), "[%s] %s", WHO_NAME, r.out);
                if (WHO == AS_ROOT)
                        cr_assert(strstr(r.out, "uid=65534"), "root must run as nobody: %s", r.out);
                cr_assert(strstr(r.out, "usr"), "%s", r.out);
                run_result_free(&r);
        }
}

Test(containment, capabilities_all_zero) { expect_contained(NULL, ARGS("caps"), true); }

/* A kept capability is in all five sets, and nothing else is: the sets
 * are read back by the kernel's own report, not by sbx's verification. */
Test(containment, capabilities_kept_exactly)
{
        struct run_result r;
        FOR_EACH_USER {
                cr_assert_eq(run_sbx(WHO, &r, "run", "--profile", "default", "--set",
                                     "capabilities.keep=CAP_NET_BIND_SERVICE", "--", "/bin/grep", "^Cap",
                                     "/proc/self/status", NULL), 0);
                cr_assert_eq(r.status, 0, "[%s] %s", WHO_NAME, r.err);
                const char *sets[] = { "CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb" };
                for (size_t i = 0; i < 5; i++) {
                        char want[64];
                        snprintf(want, sizeof(want), "%s:\t0000000000000400\n", sets[i]);
                        cr_expect(strstr(r.out, want), "[%s] %s not exactly CAP_NET_BIND_SERVICE: %s", WHO_NAME,
                                  sets[i], r.out);
                }
                run_result_free(&r);
        }
}
Test(containment, no_new_privs_set) { expect_contained(NULL, ARGS("nnp"), false); }

Test(containment, host_processes_invisible)
{
        char pid[16];
        snprintf(pid, sizeof(pid), "%d", getpid());
        expect_contained(NULL, ARGS("see", pid), false);
}

Test(containment, host_processes_unsignalable)
{
        char pid[16];
        snprintf(pid, sizeof(pid), "%d", getpid());
        expect_contained(NULL, ARGS("kill", pid, "0"), true);
}

Test(containment, secret_outside_view_unreadable)
{
        char *d = make_tmpdir();
        char path[256];
        snprintf(path, sizeof(path), "%s/secret", d);
        cr_assert_eq(write_file(path, "s3cret\n", 0644), 0);
        expect_contained(NULL, ARGS("read", path), false);
        unlink(path);
        rmdir(d);
        free(d);
}

Test(containment, cannot_write_outside_writable_binds)
{
        char *d = make_tmpdir();
        char path[256];
        snprintf(path, sizeof(path), "%s/out", d);
        /* The directory is visible but bound read-only.  The file exists and
         * is writable by everyone, so that the bare run of each user (root's
         * first) shows the write really works outside sbx. */
        cr_assert_eq(write_file(path, "", 0666), 0);
        cr_assert_eq(chmod(path, 0666), 0);
        expect_contained(ARGS("--ro-bind", d), ARGS("write", path), false);
        unlink(path);
        struct run_result r;
        FOR_EACH_USER {
                sbx_probe(WHO, &r, NULL, ARGS("write", "/usr/sbx-pwned"));
                cr_assert(strncmp(r.out, "DENIED", 6) == 0, "[%s] %s", WHO_NAME, r.out);
                run_result_free(&r);
                /* a writable bind does work */
                sbx_probe(WHO, &r, ARGS("--bind", d), ARGS("write", path));
                cr_assert(strncmp(r.out, "OK", 2) == 0, "[%s] %s %s", WHO_NAME, r.out, r.err);
                run_result_free(&r);
                unlink(path);
        }
        rmdir(d);
        free(d);
}

static int listen_tcp(int *port)
{
        int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
        socklen_t l = sizeof(a);
        cr_assert(s >= 0);
        cr_assert_eq(bind(s, (struct sockaddr *)&a, sizeof(a)), 0);
        cr_assert_eq(listen(s, 16), 0);
        cr_assert_eq(getsockname(s, (struct sockaddr *)&a, &l), 0);
        *port = ntohs(a.sin_port);
        return s;
}

Test(containment, host_loopback_unreachable_with_net_none)
{
        int port;
        int s = listen_tcp(&port);
        char p[16];
        snprintf(p, sizeof(p), "%d", port);
        expect_contained(NULL, ARGS("connect", "127.0.0.1", p), false);
        close(s);
}

Test(containment, host_ipc_objects_invisible)
{
        key_t key = (key_t)(0x5b000000 | (getpid() & 0xffffff));
        int id = shmget(key, 4096, IPC_CREAT | IPC_EXCL | 0666);
        cr_assert_geq(id, 0, "shmget: %s", strerror(errno));
        char k[32];
        snprintf(k, sizeof(k), "%d", (int)key);
        expect_contained(NULL, ARGS("shm", k), false);
        shmctl(id, IPC_RMID, NULL);
}

Test(containment, proc_kernel_files_masked_and_sysctls_read_only)
{
        /* (This kernel has no /proc/kcore.)  timer_list is root-only outside;
         * kallsyms readable by all; rewriting a sysctl
         * with its own value is harmless outside and must fail inside. */
        expect_contained(NULL, ARGS("read", "/proc/kallsyms"), false);
        expect_contained(NULL, ARGS("read", "/proc/timer_list"), true);
        expect_contained(NULL, ARGS("rewrite", "/proc/sys/kernel/domainname"), true);
        expect_contained(NULL, ARGS("read", "/sys/kernel/notes"), false);
}

Test(containment, callers_home_not_visible)
{
        char *d = make_tmpdir();
        char path[256];
        snprintf(path, sizeof(path), "%s/.ssh-key", d);
        cr_assert_eq(write_file(path, "PRIVATE KEY\n", 0644), 0);
        cr_assert_eq(setenv("HOME", d, 1), 0);
        expect_contained(NULL, ARGS("read", path), false);
        unlink(path);
        rmdir(d);
        free(d);
}

Test(containment, host_abstract_socket_unreachable)
{
        char name[64];
        snprintf(name, sizeof(name), "sbx-test-%d", getpid());
        int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        struct sockaddr_un a = { .sun_family = AF_UNIX };
        memcpy(a.sun_path + 1, name, strlen(name));
        cr_assert_eq(bind(s, (struct sockaddr *)&a,
                          (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + strlen(name))), 0);
        cr_assert_eq(listen(s, 4), 0);
        expect_contained(NULL, ARGS("abstract", name), false);
        close(s);
}

Test(containment, callers_fds_not_inherited)
{
        /* fd 50, open and inheritable in the caller, must not reach the
         * program unless passed with --fd. */
        int fd = open("/etc/hostname", O_RDONLY);
        cr_assert(fd >= 0);
        cr_assert_eq(dup2(fd, 50), 50);
        close(fd);
        expect_contained(NULL, ARGS("fd", "50"), false);
        struct run_result r;
        FOR_EACH_USER {
                sbx_probe(WHO, &r, ARGS("--fd", "50"), ARGS("fd", "50"));
                cr_assert(strncmp(r.out, "OK", 2) == 0, "[%s] --fd 50 not passed: %s %s", WHO_NAME,
                          r.out, r.err);
                run_result_free(&r);
        }
        close(50);
}

Test(containment, cannot_remount_readonly_bind)
{
        struct run_result r;
        FOR_EACH_USER {
                sbx_probe(WHO, &r, NULL, ARGS("remount", "/usr"));
                cr_assert(strncmp(r.out, "DENIED", 6) == 0, "[%s] %s", WHO_NAME, r.out);
                run_result_free(&r);
        }
}

Test(containment, cannot_mount)
{
        char *d = make_tmpdir();
        struct run_result r;
        FOR_EACH_USER {
                sbx_probe(WHO, &r, NULL, ARGS("mount", "/tmp"));
                cr_assert(strncmp(r.out, "DENIED", 6) == 0, "[%s] %s", WHO_NAME, r.out);
                run_result_free(&r);
        }
        /* Outside, root can mount: the probe works. */
        bare_probe(AS_ROOT, &r, ARGS("mount", d));
        cr_assert(strncmp(r.out, "OK", 2) == 0, "%s", r.out);
        run_result_free(&r);
        umount2(d, MNT_DETACH);
        rmdir(d);
        free(d);
}

Test(containment, cannot_mknod_usable_device)
{
        char *d = make_tmpdir();
        char path[256];
        snprintf(path, sizeof(path), "%s/null", d);
        expect_contained(NULL, ARGS("mknod", "/tmp/null"), true);
        struct run_result r;
        bare_probe(AS_ROOT, &r, ARGS("mknod", path));
        cr_assert(strncmp(r.out, "OK", 2) == 0, "%s", r.out);
        run_result_free(&r);
        rmdir(d);
        free(d);
}

Test(containment, cannot_become_root_again)
{
        expect_contained(NULL, ARGS("setuid", "0"), true);
}

/* TIOCSTI in a real pty: `script` gives the command a terminal. */
Test(containment, no_terminal_injection)
{
        char cmd[4096];
        struct run_result r;
        char *sbx_q = shq(sbx_bin()), *probe_q = shq(probe_bin());
        FOR_EACH_USER {
                for (int keep = 0; keep < 2; keep++) {
                        snprintf(cmd, sizeof(cmd),
                                 "%s run --profile default --ro-bind %s %s -- %s tiocsti 'true\n'",
                                 sbx_q, probe_q, keep ? "--keep-session" : "", probe_q);
                        const char *argv[] = { "script", "-qec", cmd, "/dev/null", NULL };
                        cr_assert_eq(run_cmd(WHO, NULL, 60, &r, argv), 0);
                        cr_assert(strstr(r.out, "DENIED"), "[%s keep=%d] ESCAPE: %s %s", WHO_NAME, keep,
                                  r.out, r.err);
                        run_result_free(&r);
                }
                snprintf(cmd, sizeof(cmd), "%s tiocsti 'true\n'", probe_q);
                const char *bare[] = { "script", "-qec", cmd, "/dev/null", NULL };
                cr_assert_eq(run_cmd(WHO, NULL, 60, &r, bare), 0);
                cr_assert(strstr(r.out, "OK TIOCSTI"), "[%s] probe cannot fail: %s", WHO_NAME, r.out);
                run_result_free(&r);
        }
        free(sbx_q);
        free(probe_q);
}

Test(behaviour, exit_codes)
{
        struct run_result r;
        FOR_EACH_USER {
                sbx_probe(WHO, &r, NULL, ARGS("exit", "7"));
                cr_assert_eq(r.status, 7, "[%s] %d %s", WHO_NAME, r.status, r.err);
                run_result_free(&r);
                sbx_probe(WHO, &r, NULL, ARGS("raise", "15"));
                cr_assert_eq(r.status, 128 + 15, "[%s] %d %s", WHO_NAME, r.status, r.err);
                run_result_free(&r);
                cr_assert_eq(run_sbx(WHO, &r, "run", "--", "/nonexistent/program", NULL), 0);
                cr_assert_eq(r.status, 127, "[%s] %d %s", WHO_NAME, r.status, r.err);
                run_result_free(&r);
                cr_assert_eq(run_sbx(WHO, &r, "run", "--profile", "/nonexistent.ini", "--", "/bin/true", NULL), 0);
                cr_assert_eq(r.status, 2, "[%s] %d %s", WHO_NAME, r.status, r.err);
                run_result_free(&r);
                cr_assert_eq(run_sbx(WHO, &r, "run", "--bind", "relative/path", "--", "/bin/true", NULL), 0);
                cr_assert_eq(r.status, 2, "[%s] %d %s", WHO_NAME, r.status, r.err);
                run_result_free(&r);
                /* visible but not executable: /etc/passwd */
                cr_assert_eq(run_sbx(WHO, &r, "run", "--", "/etc/passwd", NULL), 0);
                cr_assert_eq(r.status, 126, "[%s] %d %s", WHO_NAME, r.status, r.err);
                run_result_free(&r);
        }
}

Test(behaviour, stdio_passes_through)
{
        struct run_result r;
        FOR_EACH_USER {
                const char *argv[] = { sbx_bin(), "run", "--ro-bind", probe_bin(), "--", probe_bin(), "cat", NULL };
                cr_assert_eq(run_cmd(WHO, "hello sandbox\n", 60, &r, argv), 0);
                cr_assert_str_eq(r.out, "hello sandbox\n", "[%s] %s", WHO_NAME, r.err);
                run_result_free(&r);
        }
}

Test(behaviour, tty_works)
{
        char cmd[4096];
        struct run_result r;
        char *sbx_q = shq(sbx_bin()), *probe_q = shq(probe_bin());
        snprintf(cmd, sizeof(cmd), "%s run --ro-bind %s -- %s isatty", sbx_q, probe_q, probe_q);
        free(sbx_q);
        free(probe_q);
        const char *argv[] = { "script", "-qec", cmd, "/dev/null", NULL };
        FOR_EACH_USER {
                cr_assert_eq(run_cmd(WHO, NULL, 60, &r, argv), 0);
                cr_assert(strstr(r.out, "OK isatty"), "[%s] %s", WHO_NAME, r.out);
                run_result_free(&r);
        }
}

Test(behaviour, zombies_reaped)
{
        struct run_result r;
        FOR_EACH_USER {
                sbx_probe(WHO, &r, NULL, ARGS("zombies"));
                cr_assert(strncmp(r.out, "DENIED", 6) == 0, "[%s] zombies left: %s", WHO_NAME, r.out);
                run_result_free(&r);
        }
}

/* Start sbx with the probe, wait for its first line, return the pid. */
static pid_t start_sbx(int who, const char *const *args, int *out_fd)
{
        int p[2];
        cr_assert_eq(pipe(p), 0);
        pid_t pid = fork();
        if (pid == 0) {
                dup2(p[1], 1);
                close(p[0]);
                const char *argv[32];
                size_t n = 0;
                if (who == AS_USER) {
                        argv[n++] = "setpriv";
                        argv[n++] = "--reuid=65534";
                        argv[n++] = "--regid=65534";
                        argv[n++] = "--clear-groups";
                }
                argv[n++] = sbx_bin();
                argv[n++] = "run";
                argv[n++] = "--ro-bind";
                argv[n++] = probe_bin();
                argv[n++] = "--";
                argv[n++] = probe_bin();
                for (size_t i = 0; args[i]; i++)
                        argv[n++] = args[i];
                argv[n] = NULL;
                execvp(argv[0], (char *const *)argv);
                _exit(127);
        }
        close(p[1]);
        *out_fd = p[0];
        char buf[64];
        ssize_t k = read(p[0], buf, sizeof(buf) - 1);
        cr_assert(k > 0, "no READY from the probe");
        buf[k] = 0;
        cr_assert(strstr(buf, "READY"), "%s", buf);
        return pid;
}

Test(behaviour, sigterm_reaches_program)
{
        FOR_EACH_USER {
                int fd;
                pid_t pid = start_sbx(WHO, ARGS("wait-term"), &fd);
                /* setpriv execs sbx, so pid is sbx itself */
                usleep(100000);
                kill(pid, SIGTERM);
                int st;
                cr_assert_eq(waitpid(pid, &st, 0), pid);
                cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 42, "[%s] status %x", WHO_NAME, st);
                char buf[64] = "";
                ssize_t k = read(fd, buf, sizeof(buf) - 1);
                buf[k > 0 ? k : 0] = 0;
                cr_assert(strstr(buf, "GOT SIGTERM"), "[%s] %s", WHO_NAME, buf);
                close(fd);
        }
}

static bool marker_running(const char *marker)
{
        DIR *d = opendir("/proc");
        struct dirent *e;
        bool found = false;
        while (d && (e = readdir(d)) && !found) {
                char path[300], buf[512];
                snprintf(path, sizeof(path), "/proc/%s/cmdline", e->d_name);
                int fd = open(path, O_RDONLY | O_CLOEXEC);
                if (fd < 0)
                        continue;
                ssize_t n = read(fd, buf, sizeof(buf) - 1);
                close(fd);
                for (ssize_t i = 0; i < n; i++)
                        if (buf[i] == 0)
                                buf[i] = ' ';
                buf[n > 0 ? n : 0] = 0;
                if (strstr(buf, marker) && strstr(buf, "sleep"))
                        found = true;
        }
        if (d)
                closedir(d);
        return found;
}

Test(behaviour, sigkill_to_sbx_kills_sandbox)
{
        FOR_EACH_USER {
                char marker[32];
                snprintf(marker, sizeof(marker), "%d", 30000 + getpid() % 1000 + (int)wi);
                int fd;
                pid_t pid = start_sbx(WHO, ARGS("sleep", marker), &fd);
                cr_assert(marker_running(marker), "[%s] the probe should be running", WHO_NAME);
                kill(pid, SIGKILL);
                waitpid(pid, NULL, 0);
                bool gone = false;
                for (int i = 0; i < 50 && !gone; i++) {
                        usleep(100000);
                        gone = !marker_running(marker);
                }
                cr_assert(gone, "[%s] sandbox survived SIGKILL of sbx", WHO_NAME);
                close(fd);
        }
}

Test(behaviour, environment_allow_list)
{
        struct run_result r;
        setenv("LD_LIBRARY_PATH", "/tmp/evil", 1);
        setenv("SBX_TEST_VAR", "visible", 1);
        FOR_EACH_USER {
                sbx_probe(WHO, &r, ARGS("--set", "environment.keep=LD_* SBX_*"), ARGS("env", "LD_LIBRARY_PATH"));
                cr_assert(strncmp(r.out, "DENIED", 6) == 0, "[%s] glob let LD_ through: %s %s", WHO_NAME, r.out, r.err);
                run_result_free(&r);
                sbx_probe(WHO, &r, ARGS("--set", "environment.keep=LD_* SBX_*"), ARGS("env", "SBX_TEST_VAR"));
                cr_assert(strncmp(r.out, "OK", 2) == 0, "[%s] %s %s", WHO_NAME, r.out, r.err);
                run_result_free(&r);
                sbx_probe(WHO, &r, ARGS("--env", "LD_LIBRARY_PATH"), ARGS("env", "LD_LIBRARY_PATH"));
                cr_assert(strncmp(r.out, "OK", 2) == 0, "[%s] exact name must pass: %s %s", WHO_NAME, r.out, r.err);
                run_result_free(&r);
        }
        unsetenv("LD_LIBRARY_PATH");
}

/* Interpreter and tool hooks name code to run: a glob in keep never passes
 * them (only their exact name does).  Outside the sandbox the same
 * environment reaches env(1), so the test sees each one there first. */
static bool has_var(const char *env_out, const char *name)
{
        size_t n = strlen(name);
        for (const char *l = env_out; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
                if (strncmp(l, name, n) == 0 && l[n] == '=')
                        return true;
        return false;
}

Test(behaviour, interpreter_and_tool_hooks_never_pass_a_glob)
{
        static const char *const hooks[] = {
                "PYTHONHOME", "PYTHONSTARTUP", "PERL5LIB", "PERLLIB", "PERL5OPT", "RUBYOPT",
                "NODE_OPTIONS", "JAVA_TOOL_OPTIONS", "LUA_INIT", "LESSOPEN", "BASH_ENV", "ENV",
                "GCONV_PATH", "GIT_SSH_COMMAND", "GIT_EXEC_PATH", "GIT_CONFIG_GLOBAL",
                "BASH_FUNC_ls%%", "GTK_MODULES",
        };
        for (size_t i = 0; i < (sizeof(hooks) / sizeof(hooks[0])); i++)
                cr_assert_eq(setenv(hooks[i], "/tmp/evil", 1), 0);
        setenv("SBX_TEST_VAR", "visible", 1);
        struct run_result r;
        cr_assert_eq(run_cmd(0, NULL, 30, &r, (const char *const[]){ "/usr/bin/env", NULL }), 0);
        for (size_t i = 0; i < (sizeof(hooks) / sizeof(hooks[0])); i++)
                cr_assert(has_var(r.out, hooks[i]), "%s not in the bare environment", hooks[i]);
        run_result_free(&r);
        FOR_EACH_USER {
                cr_assert_eq(run_sbx(WHO, &r, "run", "--profile", "default", "--set", "environment.keep=*",
                                     "--", "/usr/bin/env", NULL), 0);
                cr_assert_eq(r.status, 0, "[%s] %s", WHO_NAME, r.err);
                cr_assert(strstr(r.out, "SBX_TEST_VAR=visible"), "[%s] keep=* passed nothing: %s", WHO_NAME, r.out);
                for (size_t i = 0; i < (sizeof(hooks) / sizeof(hooks[0])); i++)
                        cr_expect(!has_var(r.out, hooks[i]), "[%s] %s passed through a glob", WHO_NAME, hooks[i]);
                run_result_free(&r);
        }
        for (size_t i = 0; i < (sizeof(hooks) / sizeof(hooks[0])); i++)
                unsetenv(hooks[i]);
}

/* Switching the filter off loses controls that only it enforces; the
 * launch says which, every time (not only with --verbose). */
Test(behaviour, seccomp_off_warns_what_is_lost)
{
        struct run_result r;
        FOR_EACH_USER {
                cr_assert_eq(run_sbx(WHO, &r, "run", "--profile", "default", "--set", "seccomp.enabled=no", "--",
                                     "/bin/true", NULL), 0);
                cr_assert_eq(r.status, 0, "[%s] %s", WHO_NAME, r.err);
                cr_assert(strstr(r.err, "sbx: warning: seccomp is off") && strstr(r.err, "memfd-exec = no") &&
                                  strstr(r.err, "io_uring"),
                          "[%s] no warning: %s", WHO_NAME, r.err);
                run_result_free(&r);
                cr_assert_eq(run_sbx(WHO, &r, "run", "--profile", "default", "--", "/bin/true", NULL), 0);
                cr_assert(!strstr(r.err, "seccomp is off"), "[%s] %s", WHO_NAME, r.err);
                run_result_free(&r);
        }
}

Test(behaviour, dry_run_prints_plan)
{
        struct run_result r;
        FOR_EACH_USER {
                cr_assert_eq(run_sbx(WHO, &r, "run", "--dry-run", "--", "/bin/true", NULL), 0);
                cr_assert_eq(r.status, 0, "%s", r.err);
                cr_assert(strstr(r.out, "pivot_root"), "%s", r.out);
                cr_assert(strstr(r.out, "bind    /usr"), "%s", r.out);
                cr_assert(strstr(r.out, "seccomp"), "%s", r.out);
                run_result_free(&r);
        }
}

/* A normal launch prints nothing on stderr: an optional bind whose source
 * is absent is a note, shown with --verbose and --dry-run only. */
Test(behaviour, quiet_by_default_notes_with_verbose)
{
        struct run_result r;
        FOR_EACH_USER {
                cr_assert_eq(run_sbx(WHO, &r, "run", "--ro-bind", "-/nonexistent/sbx-note", "--", "/bin/true",
                                     NULL), 0);
                cr_assert_eq(r.status, 0, "[%s] %s", WHO_NAME, r.err);
                cr_assert_str_eq(r.err, "", "[%s] a normal launch printed: %s", WHO_NAME, r.err);
                run_result_free(&r);
                cr_assert_eq(run_sbx(WHO, &r, "run", "--verbose", "--ro-bind", "-/nonexistent/sbx-note", "--",
                                     "/bin/true", NULL), 0);
                cr_assert_eq(r.status, 0, "[%s] %s", WHO_NAME, r.err);
                cr_assert(strstr(r.err, "sbx: note: ") && strstr(r.err, "/nonexistent/sbx-note does not exist"),
                          "[%s] --verbose: %s", WHO_NAME, r.err);
                run_result_free(&r);
                cr_assert_eq(run_sbx(WHO, &r, "run", "--dry-run", "--ro-bind", "-/nonexistent/sbx-note", "--",
                                     "/bin/true", NULL), 0);
                cr_assert(strstr(r.out, "note: ") && strstr(r.out, "/nonexistent/sbx-note does not exist"),
                          "[%s] --dry-run: %s", WHO_NAME, r.out);
                run_result_free(&r);
        }
}
