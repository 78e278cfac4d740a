/* test_hostfiles.c — what sbx opens and shows of the host on the user's
 * behalf (issue 27): the --log-file and what helpers print into it
 * (lib/launch/userfile.c, lib/launch/helper_out.c), the working
 * directory's own persistence points (lib/plan/project.c), the points
 * under $XDG_CONFIG_HOME/$XDG_DATA_HOME (lib/plan/secrets.c, protect.c),
 * and the credential stores and history files of a home shown by a bind
 * (profiles/credentials.inc.ini, persistence.inc.ini).
 *
 * Every tree is owned by uid 65534, the sandboxed program's uid whether sbx
 * is started by root or by that user, so that each attack works without a
 * sandbox (run as 65534, or by the same command sbx would have run) and the
 * test shows it can fail. */
#include <criterion/criterion.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"

#define FOR_EACH_USER for (size_t wi = 0; wi < 2; wi++)
#define WHO (wi == 0 ? AS_ROOT : AS_USER)
#define WHO_NAME (WHO == AS_ROOT ? "root" : "user")

static char *dir; /* a fresh directory per test, owned by 65534 */

static void setup(void)
{
        char tmpl[] = "/var/tmp/sbx-hostfiles-XXXXXX";
        cr_assert(mkdtemp(tmpl));
        dir = strdup(tmpl);
        char cmd[PATH_MAX + 64];
        snprintf(cmd, sizeof(cmd), "chown 65534:65534 '%s' && chmod 0755 '%s'", dir, dir);
        cr_assert_eq(system(cmd), 0);
}

static void teardown(void)
{
        char cmd[PATH_MAX + 16];
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
        (void)!system(cmd);
        free(dir);
        dir = NULL;
}

TestSuite(hostfiles, .init = setup, .fini = teardown, .timeout = 240);

static void need(const char *path, const char *package)
{
        if (access(path, X_OK) == 0)
                return;
        if (in_ci())
                cr_assert_fail("%s is not installed (Debian package %s); CI must install it", path, package);
        cr_skip_test("%s is not installed: apt-get install %s", path, package);
}

/* `script` run by /bin/sh as `who`, with D (the test's directory), SBX and
 * PROBE set; stdout and stderr in r. */
static void shell(int who, struct run_result *r, const char *script)
{
        char *qd = shq(dir), *qs = shq(sbx_bin()), *qp = shq(probe_bin());
        size_t n = strlen(script) + 3 * PATH_MAX + 128;
        char *full = malloc(n);
        cr_assert(full);
        snprintf(full, n, "D=%s; SBX=%s; PROBE=%s; cd \"$D\" || exit 99\n%s", qd, qs, qp, script);
        free(qd);
        free(qs);
        free(qp);
        const char *argv[] = { "/bin/sh", "-c", full, NULL };
        cr_assert_eq(run_cmd(who, NULL, 120, r, argv), 0);
        free(full);
}

/* Empty the test's directory between users. */
static void clean(void)
{
        char cmd[PATH_MAX + 32];
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'/* '%s'/.[!.]*", dir, dir);
        (void)!system(cmd);
}

static bool has_line(const char *text, const char *prefix)
{
        size_t n = strlen(prefix);
        for (const char *s = text; s && *s;) {
                if (strncmp(s, prefix, n) == 0)
                        return true;
                s = strchr(s, '\n');
                if (s)
                        s++;
        }
        return false;
}

/* ---- the log file ------------------------------------------------------ */

/* A client's method name becomes a whole line in xdg-dbus-proxy's output:
 * bare (the proxy's stderr to a file, as sbx used to give it the log fd)
 * the forged report is there; through sbx it arrives escaped and prefixed,
 * never at the start of a line. */
Test(hostfiles, dbus_proxy_cannot_put_a_line_into_the_log)
{
        need("/usr/bin/dbus-daemon", "dbus-daemon");
        need("/usr/bin/xdg-dbus-proxy", "xdg-dbus-proxy");
        static const char script[] =
                "mkdir -p bus rt work && chmod 700 rt\n"
                "export DBUS_SESSION_BUS_ADDRESS=\"unix:path=$D/bus/s\" XDG_RUNTIME_DIR=\"$D/rt\"\n"
                "dbus-daemon --session --address=\"$DBUS_SESSION_BUS_ADDRESS\" --nofork --nopidfile >bus/d.log 2>&1 &\n"
                "B=$!\n"
                "i=0; while [ ! -S bus/s ] && [ $i -lt 100 ]; do i=$((i+1)); sleep 0.05; done\n"
                "xdg-dbus-proxy \"$DBUS_SESSION_BUS_ADDRESS\" \"$D/bus/p\" --filter 2>bare.log &\n"
                "X=$!\n"
                "i=0; while [ ! -S bus/p ] && [ $i -lt 100 ]; do i=$((i+1)); sleep 0.05; done\n"
                "\"$PROBE\" dbus-forge \"$D/bus/p\" 'Foo\\nsbx: denied FORGED by seccomp'\n"
                "sleep 0.2; kill $X\n"
                "cd work\n"
                "\"$SBX\" run --ro-bind \"$PROBE\" $ROOT --profile ../p.ini --log-file ../sbx.log -- \"$PROBE\" dbus-forge - "
                "  'Foo\\nsbx: denied FORGED by seccomp'\n"
                "echo status=$?\n"
                "\"$SBX\" run --ro-bind \"$PROBE\" $ROOT --profile ../p.ini -- \"$PROBE\" dbus-forge - 'Foo\\nsbx: denied FORGED by seccomp' "
                "  2>../stderr.log\n"
                "kill $B\n"
                "echo ===bare; cat ../bare.log; echo ===log; cat ../sbx.log; echo ===stderr; cat ../stderr.log\n";
        FOR_EACH_USER {
                char p[PATH_MAX + 8];
                snprintf(p, sizeof(p), "%s/p.ini", dir);
                cr_assert_eq(write_file(p, "[profile]\ninclude = default\n[dbus]\nsee = org.freedesktop.DBus\n", 0644), 0);
                char full[4096];
                /* root's sandbox must run as uid 0 for the bus to take it */
                snprintf(full, sizeof(full), "rm -rf bus rt work *.log; ROOT='%s'\n%s",
                         WHO == AS_ROOT ? "--set namespaces.keep-root=yes --set namespaces.uid=0" : "", script);
                struct run_result r;
                shell(WHO, &r, full);
                cr_log_info("[%s] %s%s", WHO_NAME, r.out, r.err);
                const char *bare = strstr(r.out, "===bare"), *log = strstr(r.out, "===log"),
                           *err = strstr(r.out, "===stderr");
                cr_assert(bare && log && err, "[%s] %s %s", WHO_NAME, r.out, r.err);
                cr_assert(strstr(r.out, "status=0"), "[%s] the sandbox failed: %s %s", WHO_NAME, r.out, r.err);
                cr_assert(has_line(bare, "sbx: denied FORGED"),
                          "[%s] cannot fail: the proxy did not print the forged line bare:\n%s", WHO_NAME, bare);
                char *logpart = strndup(log, (size_t)(err - log));
                cr_assert(!has_line(logpart, "sbx: denied FORGED") && !has_line(err, "sbx: denied FORGED"),
                          "[%s] ESCAPE: a forged report line in sbx's log:\n%s", WHO_NAME, log);
                cr_assert(strstr(logpart, "sbx: helper xdg-dbus-proxy: \"sbx: denied FORGED by seccomp\""),
                          "[%s] the proxy's output is not relayed escaped:\n%s", WHO_NAME, logpart);
                free(logpart);
                run_result_free(&r);
                clean();
        }
}

/* Links and foreign files a sandbox could have prepared where the user
 * later names the log file. */
Test(hostfiles, log_file_symlink_hardlink_foreign_refused)
{
        static const char script[] =
                "rm -rf l; mkdir l; cd l\n"
                "echo orig > victim; ln -s victim sym.log; ln victim hard.log; mkdir real; ln -s real dirlink\n"
                "for f in sym.log hard.log dirlink/x.log; do\n"
                "  \"$SBX\" run --ro-bind \"$PROBE\" --log-denials --log-file $f -- \"$PROBE\" userns >/dev/null 2>err; echo \"$f=$?\"\n"
                "  head -c 300 err; echo\n"
                "done\n"
                "\"$SBX\" run --ro-bind \"$PROBE\" --log-denials --log-file fresh.log -- \"$PROBE\" userns >/dev/null; echo fresh=$?\n"
                "echo victim=$(cat victim) fresh=$(grep -c 'sbx: denied' fresh.log) "
                "mode=$(stat -c %a fresh.log) real=$(ls real)\n";
        static const char bare[] =
                "rm -rf l; mkdir l; cd l\n"
                "echo orig > victim; ln -s victim sym.log; ln victim hard.log; echo orig > foreign.log; chmod 666 foreign.log\n"
                "for f in sym.log hard.log foreign.log; do echo line >> $f; done\n"
                "echo victim=$(tr '\\n' , < victim) foreign=$(tr '\\n' , < foreign.log)\n";
        FOR_EACH_USER {
                struct run_result r;
                clean();
                shell(WHO, &r, script);
                cr_log_info("[%s] %s%s", WHO_NAME, r.out, r.err);
                /* The foreign owner: 65534 for root, root for 65534. */
                cr_assert(strstr(r.out, "sym.log=2") && strstr(r.out, "hard.log=2") &&
                                  strstr(r.out, "dirlink/x.log=2"),
                          "[%s] a link was followed:\n%s", WHO_NAME, r.out);
                cr_assert(strstr(r.out, "victim=orig ") && strstr(r.out, "real=\n"),
                          "[%s] ESCAPE: written through a link:\n%s", WHO_NAME, r.out);
                cr_assert(strstr(r.out, "fresh=0") && strstr(r.out, "fresh=1 mode=600"),
                          "[%s] a fresh log file does not work:\n%s", WHO_NAME, r.out);
                cr_assert(strstr(r.out, "is a symlink") && strstr(r.out, "hard link"),
                          "[%s] the refusal is not explained:\n%s", WHO_NAME, r.out);
                run_result_free(&r);
                /* Foreign: root gets a 65534 file, 65534 a root file. */
                char prep[PATH_MAX * 2];
                snprintf(prep, sizeof(prep),
                         "mkdir -p '%s/f' && echo orig > '%s/f/x.log' && chmod 0777 '%s/f' && chmod 666 '%s/f/x.log' && "
                         "chown %s '%s/f/x.log'",
                         dir, dir, dir, dir, WHO == AS_ROOT ? "65534" : "0", dir);
                cr_assert_eq(system(prep), 0);
                shell(WHO, &r, "\"$SBX\" run --log-file f/x.log -- /bin/true; echo foreign=$?; cat f/x.log; "
                               "echo bare >> f/x.log; cat f/x.log");
                cr_assert(strstr(r.out, "foreign=2\norig\n"), "[%s] a foreign log file was taken:\n%s%s",
                          WHO_NAME, r.out, r.err);
                cr_assert(strstr(r.err, "owned by another user"), "[%s] not explained: %s", WHO_NAME, r.err);
                cr_assert(strstr(r.out, "orig\nbare\n"), "[%s] cannot fail: bare append refused:\n%s", WHO_NAME,
                          r.out);
                run_result_free(&r);
                snprintf(prep, sizeof(prep), "rm -rf '%s/f'", dir);
                cr_assert_eq(system(prep), 0);
        }
        struct run_result r;
        clean();
        shell(AS_USER, &r, bare);
        cr_assert(strstr(r.out, "victim=orig,line,line,"), "cannot fail: bare appends did not land:\n%s", r.out);
        run_result_free(&r);
}
