/* test_refusals.c — every refusal is explained (lib/launch/refusal.c,
 * lib/plan/caveats.c, the summary of `sbx run`), and [network] listen
 * (lib/plan/listen.c).
 *
 * For each kind of refusal, as root and as uid 65534: the refused action
 * is run bare and must work there (the test can fail); in the sandbox it
 * is refused and sbx prints its line at exit; the override printed on
 * that line is then added to the same command line, and the action must
 * succeed.  A run without refusals prints nothing on stderr.  The listen
 * test serves a port below 1024 from an unprivileged caller, in a network
 * namespace the test makes, and reaches it from outside the sandbox. */
#include <criterion/criterion.h>
#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <stddef.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "harness.h"

#define FOR_EACH_USER for (size_t wi = 0; wi < 2; wi++)
#define WHO (wi == 0 ? AS_ROOT : AS_USER)
#define WHO_NAME (WHO == AS_ROOT ? "root" : "user")

static char *dir; /* a fresh working directory, usable by uid 65534 */

static void setup(void)
{
        dir = make_tmpdir();
        cr_assert(dir);
}

static void teardown(void)
{
        char cmd[PATH_MAX + 16];
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
        (void)!system(cmd);
        free(dir);
}

TestSuite(refusals, .init = setup, .fini = teardown, .timeout = 120);

static bool have(const char *prog)
{
        char cmd[256];
        snprintf(cmd, sizeof(cmd), "command -v %s >/dev/null 2>&1", prog);
        if (system(cmd) == 0)
                return true;
        if (in_ci())
                cr_assert_fail("%s is missing (scripts/deps --test installs it)", prog);
        return false;
}

/* `sh -c "cd DIR && CMD"` as who; CMD is printf-formatted, %SBX% is the
 * launcher.  Paths in these commands are the test's own (no quotes). */
static void sh_in(int who, struct run_result *r, const char *fmt, ...)
{
        char cmd[8192], body[6144];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(body, sizeof(body), fmt, ap);
        va_end(ap);
        char *sbx = shq(sbx_bin());
        /* The launcher's path may hold spaces (scripts/test runs from such
         * a copy): it goes in an exported variable, and SBX becomes
         * "$SBX_SH_BIN", which also works inside a nested sh -c '...'. */
        char *out = cmd;
        size_t room = sizeof(cmd);
        /* Debian's programs, not a developer's shims in $PATH. */
        int n = snprintf(out, room, "export PATH=/usr/sbin:/usr/bin:/sbin:/bin SBX_SH_BIN=%s; cd %s && ", sbx,
                         dir);
        out += n, room -= (size_t)n;
        for (const char *s = body; *s && room > 1;) {
                if (strncmp(s, "SBX", 3) == 0 && strncmp(s, "SBX_", 4) != 0) {
                        n = snprintf(out, room, "\"$SBX_SH_BIN\"");
                        s += 3;
                } else {
                        n = snprintf(out, room, "%c", *s);
                        s++;
                }
                out += n, room -= (size_t)n;
        }
        free(sbx);
        const char *argv[] = { "sh", "-c", cmd, NULL };
        cr_assert_eq(run_cmd(who, NULL, 90, r, argv), 0, "%s", cmd);
}

/* The override on the summary line that holds `title`, or NULL. */
static char *override_of(const char *err, const char *title)
{
        const char *l = strstr(err, title);
        if (!l)
                return NULL;
        const char *end = strchr(l, '\n');
        size_t len = end ? (size_t)(end - l) : strlen(l);
        char *line = strndup(l, len);
        char *o = strstr(line, "to allow: ");
        char *k = strstr(line, "to keep them: ");
        char *v = o ? strdup(o + strlen("to allow: ")) : k ? strdup(k + strlen("to keep them: ")) : NULL;
        free(line);
        return v;
}

/* One kind of refusal, end to end: bare works, sandboxed is refused and
 * explained, the printed override makes it work.  `action` is a command
 * line (the sandbox's program and its arguments, shell words); `undo`
 * removes what the bare run left (so that the sandbox meets the same
 * state), or NULL. */
static void refused_then_allowed(int who, const char *profile, const char *action, const char *undo,
                                 const char *title, const char *want_override)
{
        /* Writes are observed with --log-denials only (docs/sbx.1). */
        bool logged = strstr(title, "write(s)") || strstr(title, "persistence");
        const char *name = who == AS_ROOT ? "root" : "user";
        struct run_result r;
        sh_in(who, &r, "%s", action);
        cr_assert_eq(r.status, 0, "[%s] bare: %s: %s", name, action, r.err);
        run_result_free(&r);
        if (undo)
                cr_assert_eq(system(undo), 0, "%s", undo);

        sh_in(who, &r, "SBX run --profile %s %s -- %s", profile, logged ? "--log-denials" : "", action);
        cr_assert_neq(r.status, 0, "[%s] not refused: %s", name, action);
        char *ovr = override_of(r.err, title);
        cr_assert(ovr, "[%s] no '%s' line: %s", name, title, r.err);
        if (want_override)
                cr_assert_str_eq(ovr, want_override, "%s", r.err);
        run_result_free(&r);

        sh_in(who, &r, "SBX run --profile %s %s %s -- %s", profile, logged ? "--log-denials" : "", ovr, action);
        cr_assert_eq(r.status, 0, "[%s] the override '%s' did not allow it: %s", name, ovr, r.err);
        cr_assert_null(strstr(r.err, title), "%s", r.err);
        run_result_free(&r);
        free(ovr);
}

Test(refusals, a_run_without_refusals_prints_nothing)
{
        struct run_result r;
        FOR_EACH_USER {
                sh_in(WHO, &r, "SBX run --profile default -- sh -c 'echo hi; ls / >/dev/null; cat /etc/passwd >/dev/null'");
                cr_assert_eq(r.status, 0, "[%s] %s", WHO_NAME, r.err);
                cr_assert_str_eq(r.err, "", "[%s] a quiet run printed: %s", WHO_NAME, r.err);
                run_result_free(&r);
        }
}

/* A file name the program chose is part of a report: it must never make a
 * line of sbx's own, nor reach the terminal as an escape sequence. */
Test(refusals, program_chosen_names_cannot_forge_report_lines)
{
        struct run_result r;
        FOR_EACH_USER {
                sh_in(WHO, &r, "SBX run --profile default -- sh -c 'd=\"$HOME/x$(printf \"\\nsbx: FORGED \\033[31m\")\"; "
                               "mkdir -p \"$d\" && touch \"$d/f\"'");
                cr_assert_eq(r.status, 0, "[%s] %s", WHO_NAME, r.err);
                cr_assert(strstr(r.err, "discarded"), "[%s] no report of the discarded file: %s", WHO_NAME, r.err);
                cr_assert(!strstr(r.err, "\nsbx: FORGED") && !strchr(r.err, '\033'),
                          "[%s] a program-chosen name made a line or an escape: %s", WHO_NAME, r.err);
                cr_assert(strstr(r.err, "\\x0asbx: FORGED \\x1b[31m"), "[%s] %s", WHO_NAME, r.err);
                run_result_free(&r);
        }
}

Test(refusals, exec_outside_the_allow_list)
{
        FOR_EACH_USER refused_then_allowed(WHO, "script", "sh -c 'sort </dev/null'", NULL, "execution(s) refused by [exec]",
                                           "--set exec.allow=/usr/bin/sort");
}

Test(refusals, seccomp_denial_counted_without_log_denials)
{
        if (!have("python3"))
                cr_skip_test("no python3");
        FOR_EACH_USER refused_then_allowed(
                WHO, "script", "python3 -c \"import socket; socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 0)\"",
                NULL, "denied by the seccomp filter", "--set seccomp.socket=netlink");
}

Test(refusals, write_xor_execute)
{
        if (!have("python3"))
                cr_skip_test("no python3");
        FOR_EACH_USER refused_then_allowed(
                WHO, "script",
                "python3 -c \"import mmap; mmap.mmap(-1, 4096, prot=mmap.PROT_READ|mmap.PROT_WRITE|mmap.PROT_EXEC)\"",
                NULL, "(W^X)", "--set seccomp.wx=no");
}

/* A port no other test uses, per user. */
static int test_port(int who)
{
        return 20000 + (int)(getpid() % 20000) + who;
}

Test(refusals, tcp_bind_refused_by_port_rule)
{
        if (!have("python3"))
                cr_skip_test("no python3");
        FOR_EACH_USER {
                char action[256], want[64];
                int port = test_port(WHO);
                snprintf(action, sizeof(action),
                         "python3 -c \"import socket; s=socket.socket(); s.bind(('127.0.0.1', %d)); s.listen()\"",
                         port);
                snprintf(want, sizeof(want), "--set network.tcp-bind=%d", port);
                refused_then_allowed(WHO, "network-service", action, NULL, "TCP bind(s) refused by the port rules", want);
        }
}

Test(refusals, tcp_connect_refused_by_port_rule)
{
        if (!have("python3"))
                cr_skip_test("no python3");
        FOR_EACH_USER {
                int l = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
                struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
                cr_assert_eq(bind(l, (struct sockaddr *)&sa, sizeof(sa)), 0);
                cr_assert_eq(listen(l, 16), 0);
                socklen_t len = sizeof(sa);
                cr_assert_eq(getsockname(l, (struct sockaddr *)&sa, &len), 0);
                char action[256], want[64];
                snprintf(action, sizeof(action),
                         "python3 -c \"import socket; socket.create_connection(('127.0.0.1', %d))\"",
                         ntohs(sa.sin_port));
                snprintf(want, sizeof(want), "--set network.tcp-connect=%d", ntohs(sa.sin_port));
                refused_then_allowed(WHO, "network-service", action, NULL, "TCP connect(s) refused by the port rules", want);
                close(l);
        }
}

Test(refusals, abstract_socket_outside_the_sandbox)
{
        if (!have("python3"))
                cr_skip_test("no python3");
        char name[64], script[PATH_MAX], action[PATH_MAX + 32];
        snprintf(name, sizeof(name), "sbx-refusals-%d", (int)getpid());
        int l = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        memcpy(sa.sun_path + 1, name, strlen(name));
        socklen_t len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + strlen(name));
        cr_assert_eq(bind(l, (struct sockaddr *)&sa, len), 0);
        cr_assert_eq(listen(l, 16), 0);
        snprintf(script, sizeof(script), "%s/ab.py", dir);
        char body[256];
        snprintf(body, sizeof(body), "import socket\nsocket.socket(socket.AF_UNIX).connect('\\0%s')\n", name);
        cr_assert_eq(write_file(script, body, 0644), 0);
        snprintf(action, sizeof(action), "python3 %s", script);
        FOR_EACH_USER {
                struct run_result r;
                sh_in(WHO, &r, "%s", action);
                cr_assert_eq(r.status, 0, "[%s] bare: %s", WHO_NAME, r.err);
                run_result_free(&r);
                sh_in(WHO, &r, "SBX run --profile script --net host -- %s", action);
                cr_assert_neq(r.status, 0);
                cr_assert(strstr(r.err, "abstract unix sockets outside the sandbox refused") && strstr(r.err, name),
                          "[%s] %s", WHO_NAME, r.err);
                run_result_free(&r);
                /* What the line names as the only way round. */
                sh_in(WHO, &r, "SBX run --profile script --net host --set landlock.enabled=no -- %s", action);
                cr_assert_eq(r.status, 0, "[%s] %s", WHO_NAME, r.err);
                run_result_free(&r);
        }
        close(l);
}

Test(refusals, write_on_a_read_only_bind)
{
        FOR_EACH_USER {
                char p[PATH_MAX], undo[PATH_MAX + 16];
                snprintf(p, sizeof(p), "%s/out.txt", dir);
                snprintf(undo, sizeof(undo), "rm %s", p);
                refused_then_allowed(WHO, "script", "sh -c 'echo x > out.txt'", undo,
                                     "write(s) refused on a read-only mount", "--set filesystem.cwd-bind=rw");
                cr_assert_eq(unlink(p), 0, "the override's write did not land");
        }
}

Test(refusals, write_under_landlock_read_only)
{
        FOR_EACH_USER {
                char profile[PATH_MAX * 3], want[PATH_MAX + 64], undo[PATH_MAX + 16];
                /* The profile argument carries the options that set it up. */
                snprintf(profile, sizeof(profile), "default --bind %s --set landlock.read-only=%s", dir, dir);
                snprintf(want, sizeof(want), "--set landlock.read-only=!%s", dir);
                snprintf(undo, sizeof(undo), "rm %s/f", dir);
                refused_then_allowed(WHO, profile, "sh -c 'echo x > f'", undo, "write(s) refused by [landlock] read-only",
                                     want);
        }
}

Test(refusals, persistence_protection_names_the_point)
{
        FOR_EACH_USER {
                char rc[PATH_MAX], cmd[PATH_MAX * 2], want[PATH_MAX + 64];
                snprintf(rc, sizeof(rc), "%s/.bashrc", dir);
                cr_assert_eq(write_file(rc, "orig\n", 0644), 0);
                snprintf(cmd, sizeof(cmd), "chown -R 65534:65534 %s", dir);
                cr_assert_eq(system(cmd), 0);
                snprintf(want, sizeof(want), "--set filesystem.protect=!%s", rc);
                /* The persistence points are under $HOME (this test runs
                 * in a process of its own). */
                setenv("HOME", dir, 1);
                refused_then_allowed(WHO, "shell", "sh -c 'echo x >> .bashrc'", NULL, "refused by the persistence protection", want);

                /* A new entry where protected points are missing: said
                 * before the launch, and with --log-denials at exit. */
                struct run_result r;
                sh_in(WHO, &r, "HOME=%s SBX run --profile shell -- sh -c 'touch newfile'", dir);
                cr_assert_neq(r.status, 0);
                cr_assert(strstr(r.err, "sbx: warning: no new file can be made directly in the working directory"),
                          "[%s] %s", WHO_NAME, r.err);
                run_result_free(&r);
                sh_in(WHO, &r, "HOME=%s SBX run --profile shell --log-denials -- sh -c 'touch newfile'", dir);
                cr_assert_neq(r.status, 0);
                cr_assert(strstr(r.err, "refused by the persistence protection") && strstr(r.err, "no new entry in"),
                          "[%s] %s", WHO_NAME, r.err);
                run_result_free(&r);
        }
}

Test(refusals, path_outside_the_view_with_log_denials)
{
        if (!have("python3"))
                cr_skip_test("no python3");
        /* A directory the script profile's view does not have. */
        char tmpl[] = "/var/tmp/sbx-hidden-XXXXXX", p[PATH_MAX], action[PATH_MAX + 128], want[PATH_MAX + 16];
        cr_assert(mkdtemp(tmpl));
        chmod(tmpl, 0755);
        snprintf(p, sizeof(p), "%s/data.txt", tmpl);
        cr_assert_eq(write_file(p, "x\n", 0644), 0);
        snprintf(action, sizeof(action), "python3 -c \"open('%s').read()\"", p);
        snprintf(want, sizeof(want), "--ro-bind %s", tmpl);
        FOR_EACH_USER {
                struct run_result r;
                sh_in(WHO, &r, "%s", action);
                cr_assert_eq(r.status, 0, "[%s] bare: %s", WHO_NAME, r.err);
                run_result_free(&r);
                /* Not observed without --log-denials (every open would
                 * cost a round trip): the run fails with ENOENT alone. */
                sh_in(WHO, &r, "SBX run --profile script -- %s", action);
                cr_assert_neq(r.status, 0);
                cr_assert_null(strstr(r.err, "outside the view"), "%s", r.err);
                run_result_free(&r);
                sh_in(WHO, &r, "SBX run --profile script --log-denials -- %s", action);
                cr_assert_neq(r.status, 0);
                /* The live line of this path (the summary's example is
                 * the first such path, which may be another). */
                char live[PATH_MAX + 32];
                snprintf(live, sizeof(live), "sbx: refused %s", p);
                char *ovr = override_of(r.err, live);
                cr_assert(ovr, "[%s] %s", WHO_NAME, r.err);
                cr_assert_str_eq(ovr, want, "%s", r.err);
                cr_assert(strstr(r.err, "path(s) that exist on the host but are outside the view"), "[%s] %s",
                          WHO_NAME, r.err);
                run_result_free(&r);
                sh_in(WHO, &r, "SBX run --profile script %s -- %s", ovr, action);
                cr_assert_eq(r.status, 0, "[%s] %s", WHO_NAME, r.err);
                run_result_free(&r);
                free(ovr);
        }
        unlink(p);
        rmdir(tmpl);
}

Test(refusals, root_caller_cannot_write_its_directory)
{
        if (geteuid() != 0)
                cr_skip_test("needs root");
        char cmd[PATH_MAX + 64];
        snprintf(cmd, sizeof(cmd), "chown 0:0 %s && chmod 0755 %s", dir, dir);
        cr_assert_eq(system(cmd), 0);
        struct run_result r;
        sh_in(AS_ROOT, &r, "SBX run --profile default --log-denials --bind %s -- sh -c 'echo x > out.txt'", dir);
        cr_assert_neq(r.status, 0);
        /* Said before the launch, and at exit with the override. */
        cr_assert(strstr(r.err, "sbx: warning: ") && strstr(r.err, "may not write it"), "%s", r.err);
        char *ovr = override_of(r.err, "refused by file permissions");
        cr_assert(ovr, "%s", r.err);
        cr_assert_str_eq(ovr, "--set namespaces.keep-root=yes");
        run_result_free(&r);
        sh_in(AS_ROOT, &r, "SBX run --profile default --bind %s %s -- sh -c 'echo x > out.txt'", dir, ovr);
        cr_assert_eq(r.status, 0, "%s", r.err);
        cr_assert_str_eq(r.err, "");
        free(ovr);
        run_result_free(&r);
}

Test(refusals, files_discarded_from_the_private_home)
{
        FOR_EACH_USER {
                struct run_result r;
                sh_in(WHO, &r, "SBX run --profile default -- sh -c 'echo x > ~/shot.png'");
                cr_assert_eq(r.status, 0, "%s", r.err);
                char *ovr = override_of(r.err, "discarded at exit");
                cr_assert(ovr && strncmp(ovr, "--bind DIR:", 11) == 0, "[%s] %s", WHO_NAME, r.err);
                cr_assert(strstr(r.err, "shot.png"), "%s", r.err);
                run_result_free(&r);
                /* DIR is the user's choice: here the test's directory. */
                sh_in(WHO, &r, "SBX run --profile default --bind %s:%s -- sh -c 'echo x > ~/shot.png'", dir, ovr + 11);
                cr_assert_eq(r.status, 0, "%s", r.err);
                cr_assert_null(strstr(r.err, "discarded"), "%s", r.err);
                char p[PATH_MAX];
                snprintf(p, sizeof(p), "%s/shot.png", dir);
                cr_assert_eq(unlink(p), 0, "[%s] the file was not kept", WHO_NAME);
                free(ovr);
                run_result_free(&r);
                /* A cache alone is not worth a line. */
                sh_in(WHO, &r, "SBX run --profile default -- sh -c 'mkdir ~/.cache && echo x > ~/.cache/c'");
                cr_assert_eq(r.status, 0, "%s", r.err);
                cr_assert_str_eq(r.err, "", "[%s] %s", WHO_NAME, r.err);
                run_result_free(&r);
        }
}

Test(refusals, log_denials_shows_each_as_it_happens)
{
        FOR_EACH_USER {
                struct run_result r;
                sh_in(WHO, &r, "SBX run --profile script --log-denials -- sh -c 'sort </dev/null; echo after >&2'");
                /* A line per refusal (relayed as it comes, so not
                 * ordered with the program's own output), then the summary. */
                cr_assert(strstr(r.err, "sbx: refused /usr/bin/sort (") && strstr(r.err, "after"), "[%s] %s",
                          WHO_NAME, r.err);
                cr_assert(strstr(r.err, "execution(s) refused by [exec]"), "[%s] %s", WHO_NAME, r.err);
                run_result_free(&r);
                sh_in(WHO, &r, "SBX run --profile script --log-json -- sh -c 'sort </dev/null'");
                cr_assert(strstr(r.err, "{\"event\":\"exec\",\"verdict\":\"refused\""), "[%s] %s", WHO_NAME, r.err);
                run_result_free(&r);
        }
}

Test(refusals, summary_goes_to_the_log_file_and_sigsys_is_named)
{
        FOR_EACH_USER {
                char log[PATH_MAX], ini[PATH_MAX];
                snprintf(log, sizeof(log), "%s/sbx-%s.log", dir, WHO_NAME);
                struct run_result r;
                sh_in(WHO, &r, "SBX run --profile script --log-file %s -- sh -c 'sort </dev/null'", log);
                cr_assert_null(strstr(r.err, "refused by [exec]"), "[%s] %s", WHO_NAME, r.err);
                run_result_free(&r);
                const char *argv[] = { "cat", log, NULL };
                cr_assert_eq(run_cmd(AS_ROOT, NULL, 10, &r, argv), 0);
                cr_assert(strstr(r.out, "execution(s) refused by [exec]"), "[%s] %s", WHO_NAME, r.out);
                run_result_free(&r);

                /* action = kill: the kernel's SIGSYS, named at exit. */
                snprintf(ini, sizeof(ini), "%s/kill.ini", dir);
                cr_assert_eq(write_file(ini, "[profile]\ninclude = script\n[seccomp]\naction = kill\n", 0644), 0);
                if (!have("python3"))
                        continue;
                /* ptrace(PTRACE_TRACEME): always denied. */
                sh_in(WHO, &r, "SBX run --profile %s -- python3 -c \"import ctypes; ctypes.CDLL(None).syscall(101, 0, 0, 0)\"",
                      ini);
                cr_assert_eq(r.status, 128 + 31, "[%s] %d %s", WHO_NAME, r.status, r.err);
                cr_assert(strstr(r.err, "killed by SIGSYS"), "[%s] %s", WHO_NAME, r.err);
                run_result_free(&r);
        }
}

Test(refusals, kept_capability_that_cannot_work)
{
        FOR_EACH_USER {
                struct run_result r;
                sh_in(WHO, &r, "SBX run --profile default --net host --set capabilities.keep=net_bind_service -- true");
                cr_assert_eq(r.status, 0, "%s", r.err);
                cr_assert(strstr(r.err, "capabilities.keep = net_bind_service cannot work") &&
                          strstr(r.err, "[network] listen"), "[%s] %s", WHO_NAME, r.err);
                run_result_free(&r);
                /* In its own network namespace the capability works: no warning. */
                sh_in(WHO, &r, "SBX run --profile default --set capabilities.keep=net_bind_service -- true");
                cr_assert_str_eq(r.err, "", "[%s] %s", WHO_NAME, r.err);
                run_result_free(&r);
        }
}

/* The server: accepts once on fd 3 and says what it was given. */
static const char server[] =
        "import os, socket\n"
        "assert os.environ['LISTEN_PID'] == str(os.getpid())\n"
        "s = socket.socket(fileno=3)\n"
        "c, _ = s.accept()\n"
        "c.sendall(('served %s %s\\n' % (os.environ['LISTEN_FDS'], os.environ['LISTEN_FDNAMES'])).encode())\n";
static const char client[] =
        "import socket, sys, time\n"
        "for i in range(200):\n"
        "    try:\n"
        "        s = socket.create_connection(('127.0.0.1', 80), timeout=10); break\n"
        "    except OSError: time.sleep(0.05)\n"
        "else: sys.exit(1)\n"
        "print(s.recv(100).decode().strip())\n";

Test(refusals, low_port_served_by_an_unprivileged_caller)
{
        if (geteuid() != 0)
                cr_skip_test("needs root (to make a network namespace for port 80)");
        if (!have("python3") || !have("unshare") || !have("ip"))
                cr_skip_test("no python3, unshare or ip");
        char srv[PATH_MAX], cli[PATH_MAX];
        snprintf(srv, sizeof(srv), "%s/server.py", dir);
        snprintf(cli, sizeof(cli), "%s/client.py", dir);
        cr_assert_eq(write_file(srv, server, 0644), 0);
        cr_assert_eq(write_file(cli, client, 0644), 0);
        /* In a network namespace of the test's own, where uid 65534 may
         * bind port 80 (the sysctl is per namespace): the caller binds it,
         * the sandbox (its own network namespace, no capability) serves. */
        for (int user = 0; user < 2; user++) {
                const char *as = user ? "setpriv --reuid=65534 --regid=65534 --clear-groups" : "";
                struct run_result r;
                sh_in(AS_ROOT, &r,
                      "unshare -n sh -c 'ip link set lo up && sysctl -qw net.ipv4.ip_unprivileged_port_start=80 && "
                      "{ %s SBX run --profile script --set network.listen=80 -- python3 server.py & "
                      "timeout 20 python3 client.py; c=$?; wait; exit $c; }'", as);
                cr_assert_eq(r.status, 0, "[%s] %s", user ? "user" : "root", r.err);
                cr_assert_str_eq(r.out, "served 1 80\n", "%s", r.err);
                run_result_free(&r);
                /* Without it the program has no socket and cannot bind
                 * the port itself: the test can fail. */
                sh_in(AS_ROOT, &r,
                      "unshare -n sh -c 'sysctl -qw net.ipv4.ip_unprivileged_port_start=80 && "
                      "%s SBX run --profile script --net host -- python3 -c \"import socket; "
                      "socket.socket().bind((\\\"0.0.0.0\\\", 80))\"'", as);
                cr_assert_neq(r.status, 0, "[%s] bound port 80 itself: %s", user ? "user" : "root", r.err);
                run_result_free(&r);
        }
        /* An fd passed at a number the sockets take is refused. */
        {
                struct run_result r;
                sh_in(AS_ROOT, &r, "exec 3</dev/null; SBX run --profile script --fd 3 --set network.listen=127.0.0.1:%d -- true",
                      test_port(AS_ROOT));
                cr_assert_neq(r.status, 0);
                cr_assert(strstr(r.err, "fd 3 is passed to the program, but [network] listen puts"), "%s", r.err);
                run_result_free(&r);
        }
        /* Where the caller may not bind the port, sbx refuses to start. */
        struct run_result r;
        sh_in(AS_ROOT, &r,
              "unshare -n setpriv --reuid=65534 --regid=65534 --clear-groups SBX run --profile script "
              "--set network.listen=80 -- true");
        cr_assert_eq(r.status, 2, "%s", r.err);
        cr_assert(strstr(r.err, "[network] listen = 80: bind: Permission denied"), "%s", r.err);
        run_result_free(&r);
}
