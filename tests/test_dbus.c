/* test_dbus.c — [dbus]: the session bus through xdg-dbus-proxy.
 *
 * A private dbus-daemon per test with a service owning org.example.Allowed
 * and org.example.Forbidden (tests/dbus/driver.sh).  Outside a sandbox
 * every name answers and any name can be owned (so each check can fail);
 * inside, with talk = org.example.Allowed and own = org.example.Mine, only
 * those are reachable, ListNames shows nothing else, and the proxy is gone
 * once the sandbox ends, also when sbx is killed by SIGKILL. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"

#define FOR_EACH_USER for (size_t wi = 0; wi < 2; wi++)
#define WHO (wi == 0 ? AS_ROOT : AS_USER)
#define WHO_NAME (WHO == AS_ROOT ? "root" : "user")

static void need(const char *path, const char *package)
{
        if (access(path, X_OK) == 0)
                return;
        if (in_ci())
                cr_assert_fail("%s is not installed (Debian package %s); CI must install it", path, package);
        cr_skip_test("%s is not installed: apt-get install %s", path, package);
}

static void need_all(void)
{
        need("/usr/bin/dbus-daemon", "dbus-daemon");
        need("/usr/bin/dbus-send", "dbus-bin");
        need("/usr/bin/xdg-dbus-proxy", "xdg-dbus-proxy");
        need("/usr/bin/python3", "python3-dbus python3-gi");
        if (system("/usr/bin/python3 -c 'import dbus.mainloop.glib, gi' 2>/dev/null") != 0) {
                if (in_ci())
                        cr_assert_fail("python3-dbus or python3-gi missing; CI must install them");
                cr_skip_test("python3-dbus or python3-gi missing");
        }
}

/* A profile for `who`: root's sandbox must run as uid 0 for the bus to
 * accept it (the proxy passes the client's EXTERNAL uid through). */
static char *setup(int who, const char *extra)
{
        char *dir = make_tmpdir(), path[4096], text[1024];
        snprintf(text, sizeof(text),
                 "[profile]\ninclude = default\n%s"
                 "[exec]\nallow = /usr/bin/dbus-send /usr/bin/sh /usr/bin/dash /usr/bin/grep /usr/bin/sort "
                 "/usr/bin/tr /usr/bin/true /usr/bin/sleep\n"
                 "[dbus]\ntalk = org.example.Allowed\nown = org.example.Mine\n%s",
                 who == AS_ROOT ? "[namespaces]\nkeep-root = yes\nuid = 0\ngid = 0\n" : "", extra ? extra : "");
        snprintf(path, sizeof(path), "%s/p.ini", dir);
        cr_assert_eq(write_file(path, text, 0644), 0);
        return dir;
}

static char *drive(int who, const char *dir, const char *modes)
{
        char src[4096], cmd[8192];
        snprintf(src, sizeof(src), "%s/tests/dbus", source_dir());
        char *qs = shq(src), *qd = shq(dir), *qb = shq(sbx_bin());
        /* root's sandbox must run as uid 0 for the bus (see setup) */
        snprintf(cmd, sizeof(cmd), "SRC=%s SBX=%s BROWSER_SET=%s /bin/sh %s/driver.sh %s %s", qs, qb,
                 who == AS_ROOT ? "'--set namespaces.keep-root=yes --set namespaces.uid=0'" : "''", qs, qd,
                 modes);
        free(qs);
        free(qd);
        free(qb);
        const char *argv[] = { "/bin/sh", "-c", cmd, NULL };
        struct run_result r;
        cr_assert_eq(run_cmd(who, NULL, 120, &r, argv), 0);
        char *out = strdup(r.out);
        cr_log_info("[%s] %s%s", who == AS_ROOT ? "root" : "user", r.out, r.err);
        run_result_free(&r);
        return out;
}

static void done(char *dir)
{
        char cmd[4200];
        char *q = shq(dir);
        snprintf(cmd, sizeof(cmd), "rm -rf %s", q);
        free(q);
        (void)!system(cmd);
        free(dir);
}

Test(dbus, filtered_names)
{
        need_all();
        FOR_EACH_USER {
                char *dir = setup(WHO, NULL);
                char *out = drive(WHO, dir, "outside inside");
                cr_assert(strstr(out, "outside: allowed=yes forbidden=yes own_mine=yes own_other=yes "
                                      "names=org.example.Allowed,org.example.Forbidden,"),
                          "[%s] without the sandbox every name works:\n%s", WHO_NAME, out);
                cr_assert(strstr(out, "inside: allowed=yes forbidden=no own_mine=yes own_other=no "
                                      "names=org.example.Allowed,org.example.Mine,\n") ||
                                  strstr(out, "inside: allowed=yes forbidden=no own_mine=yes own_other=no "
                                              "names=org.example.Allowed,\n"),
                          "[%s] in the sandbox only the listed names:\n%s", WHO_NAME, out);
                free(out);
                done(dir);
        }
}

/* call = NAME=METHOD@PATH: only that method at that path. */
Test(dbus, call_rule)
{
        need_all();
        FOR_EACH_USER {
                char *dir = setup(WHO, "call = org.example.Forbidden=org.freedesktop.DBus.Peer.Ping@/allowed\n");
                char *out = drive(WHO, dir, "rules");
                cr_assert(strstr(out, "rules: outside=yes,yes, inside=yes,no,\n"),
                          "[%s] the call rule is not what the sandbox gets:\n%s", WHO_NAME, out);
                free(out);
                done(dir);
        }
}

/* The shipped browser profile: notifications and the portal frontend,
 * nothing else: not the Flatpak portal (Spawn runs host processes), not the
 * document portal (exports files), though the bus has both. */
Test(dbus, browser_profile)
{
        need_all();
        FOR_EACH_USER {
                char *dir = setup(WHO, NULL);
                char *out = drive(WHO, dir, "outside browser");
                cr_assert(strstr(out, "outside: allowed=yes forbidden=yes"), "[%s] outside:\n%s", WHO_NAME, out);
                cr_assert(strstr(out, "browser: org.freedesktop.Notifications,org.freedesktop.portal.Desktop,\n"),
                          "[%s] browser sees other names:\n%s", WHO_NAME, out);
                free(out);
                done(dir);
        }
}

/* The accessibility bus of gui.inc ([display] a11y): reachable through
 * the proxy (AT_SPI_BUS_ADDRESS, no NO_AT_BRIDGE), but another
 * application on it is not (bare both are); without a session bus,
 * NO_AT_BRIDGE=1 and no address. */
Test(dbus, a11y_bus_filtered, .timeout = 120)
{
        need_all();
        need("/usr/libexec/at-spi-bus-launcher", "at-spi2-core");
        FOR_EACH_USER {
                char *dir = setup(WHO, NULL);
                char *out = drive(WHO, dir, "a11y a11ynobus atril");
                char want[4400];
                snprintf(want, sizeof(want), "a11y: bare_bus=yes bare_victim=yes env=unix:path=%s/rt/at-spi/bus, "
                         "bus=yes victim=no\n", dir);
                cr_assert(strstr(out, want), "[%s] the accessibility bus in document-viewer:\n%s\nwanted %s",
                          WHO_NAME, out, want);
                cr_assert(strstr(out, "a11ynobus: 1,\n"), "[%s] no session bus:\n%s", WHO_NAME, out);
                if (access("/usr/bin/atril", X_OK) == 0)
                        cr_assert(strstr(out, "atril: status=2 said=1\n"),
                                  "[%s] atril without a bus is not refused with the reason:\n%s", WHO_NAME, out);
                free(out);
                done(dir);
        }
}

/* The shipped document-viewer profile: a bus (atril needs one) with no
 * names on it. */
Test(dbus, viewer_profile)
{
        need_all();
        FOR_EACH_USER {
                char *dir = setup(WHO, NULL);
                char *out = drive(WHO, dir, "outside viewer");
                cr_assert(strstr(out, "outside: allowed=yes forbidden=yes"), "[%s] outside:\n%s", WHO_NAME, out);
                cr_assert(strstr(out, "viewer: string \"org.freedesktop.DBus\",\n"),
                          "[%s] document-viewer sees other names, or no bus:\n%s", WHO_NAME, out);
                free(out);
                done(dir);
        }
}

Test(dbus, proxy_dies_with_sandbox)
{
        need_all();
        FOR_EACH_USER {
                char *dir = setup(WHO, NULL);
                char *out = drive(WHO, dir, "gone killed");
                cr_assert(strstr(out, "gone: status=0 proxies=[] dirs=[]\n"), "[%s] left behind:\n%s", WHO_NAME, out);
                cr_assert(strstr(out, "killed: before=[") && !strstr(out, "killed: before=[]") &&
                                  strstr(out, "after=[] confined=yes\n"),
                          "[%s] proxy after SIGKILL to sbx:\n%s", WHO_NAME, out);
                free(out);
                done(dir);
        }
}

Test(dbus, fails_closed)
{
        need_all();
        FOR_EACH_USER {
                char *dir = setup(WHO, NULL);
                char *out = drive(WHO, dir, "noproxy realbind cwdbus nobus");
                cr_assert(strstr(out, "needs xdg-dbus-proxy") && !strstr(out, "noproxy: status=0"),
                          "[%s] launched without the proxy:\n%s", WHO_NAME, out);
                cr_assert(strstr(out, "shows the real session bus") && strstr(out, "status=2\n"),
                          "[%s] launched with the real bus bound:\n%s", WHO_NAME, out);
                cr_assert(strstr(out, "contains the real session bus") && !strstr(out, "cwdbus: status=0"),
                          "[%s] launched from the bus's directory:\n%s", WHO_NAME, out);
                cr_assert(strstr(out, "nobus: status=0"), "[%s] no bus and no proxy must still launch:\n%s",
                          WHO_NAME, out);
                free(out);
                done(dir);
        }
}

/* Root's sandbox runs as 65534 unless told otherwise: the bus would refuse
 * it, so the sandbox gets no bus, and --verbose says why. */
Test(dbus, root_without_uid0_no_bus)
{
        need_all();
        char *dir = make_tmpdir(), path[4096];
        snprintf(path, sizeof(path), "%s/p.ini", dir);
        cr_assert_eq(write_file(path, "[profile]\ninclude = default\n[dbus]\ntalk = org.example.A\n", 0644), 0);
        const char *argv[] = { "env", "DBUS_SESSION_BUS_ADDRESS=unix:path=/nonexistent/bus", sbx_bin(), "run",
                               "--verbose", "--profile", path, "--", "/usr/bin/env", NULL };
        struct run_result r;
        cr_assert_eq(run_cmd(AS_ROOT, NULL, 30, &r, argv), 0);
        cr_assert(r.status == 0 && strstr(r.err, "the bus would refuse it") && !strstr(r.out, "DBUS_SESSION"),
                  "%d %s %s", r.status, r.out, r.err);
        run_result_free(&r);
        done(dir);
}
