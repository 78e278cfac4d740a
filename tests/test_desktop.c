/* test_desktop.c — desktop sessions: the sockets a GUI program reaches
 * (Wayland compositor), run against the real Debian servers, a viewer on
 * that display, and the `script` profile, as root and as an unprivileged
 * user.  Each access a fragment grants is shown to work
 * inside, each one it does not grant to fail inside and work bare.
 *
 * Servers run as uid 65534 in a private $XDG_RUNTIME_DIR, as a desktop
 * user's would; a root caller's sandbox runs as uid 65534 too. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"
#include "real/realutil.h"

/* A private runtime directory owned by uid 65534, mode 0700. */
static char *runtime_dir(const char *parent)
{
        char *d = path_join(parent, "run");
        cr_assert(mkdir(d, 0700) == 0, "mkdir %s: %s", d, strerror(errno));
        if (geteuid() == 0)
                cr_assert(chown(d, 65534, 65534) == 0);
        return d;
}

static void wait_for(const char *path, const char *log)
{
        for (int i = 0; i < 200 && !exists(path); i++)
                usleep(50 * 1000);
        char *out = exists(path) ? NULL : read_text(log);
        cr_assert(exists(path), "%s never appeared:\n%s", path, out ? out : "");
}

static size_t count(const char *s, const char *needle)
{
        size_t n = 0;
        for (const char *p = s; p && (p = strstr(p, needle)); p += strlen(needle))
                n++;
        return n;
}

/* ---- Wayland ------------------------------------------------------------ */

struct weston {
        char *dir, *run, *sock, *log;
        pid_t pid;
        char xenv[4200];
};

/* pixman: a renderer whose output weston-screenshooter can read (--debug
 * lets that client ask for it). */
static void weston_start_full(struct weston *w, bool render, bool xwayland);
static void weston_start_opts(struct weston *w, bool render)
{
        weston_start_full(w, render, false);
}

/* xwayland: weston starts Xwayland (on the first free display number) for
 * the first X client, as GNOME does. */
static void weston_start_full(struct weston *w, bool render, bool xwayland)
{
        need("/usr/bin/weston", "weston");
        need("/usr/bin/weston-simple-shm", "weston");
        w->dir = make_tmpdir();
        w->run = runtime_dir(w->dir);
        w->sock = path_join(w->run, "wl-sbx");
        w->log = path_join(w->dir, "weston.log");
        snprintf(w->xenv, sizeof(w->xenv), "XDG_RUNTIME_DIR=%s", w->run);
        w->pid = spawn_bg(AS_USER,
                          xwayland ? ARGS("env", w->xenv, "weston", "--backend=headless-backend.so", "--xwayland",
                                          "--socket=wl-sbx", "--idle-time=0", "--width=640", "--height=480")
                          : render ? ARGS("env", w->xenv, "weston", "--backend=headless-backend.so",
                                          "--use-pixman", "--debug", "--socket=wl-sbx", "--idle-time=0",
                                          "--width=800", "--height=600")
                                   : ARGS("env", w->xenv, "weston", "--backend=headless-backend.so",
                                          "--socket=wl-sbx", "--idle-time=0", "--width=640", "--height=480"),
                          w->log);
        wait_for(w->sock, w->log);
}

static void weston_start(struct weston *w)
{
        weston_start_opts(w, false);
}

static void weston_stop(struct weston *w)
{
        stop_bg(w->pid);
        free(w->sock);
        free(w->log);
        free(w->run);
        rm_rf(w->dir);
}

/* weston-simple-shm for 3 s with the protocol logged: the frames the
 * compositor presented (a frame callback is answered after the client's
 * buffer was attached, committed and repainted). */
static size_t frames(int who, const struct weston *w, const char *profile, const char *const *extra,
                     struct run_result *r)
{
        struct cmd c;
        c.n = 0;
        add(&c, ARGS("env", w->xenv, "WAYLAND_DISPLAY=wl-sbx", "WAYLAND_DEBUG=client", "timeout", "-s",
                     "TERM", "3"));
        if (profile) {
                add(&c, ARGS(sbx_bin(), "run", "--profile", profile, "--env", "WAYLAND_DEBUG", "--set",
                             "exec.allow=/usr/bin/weston-simple-shm"));
                add(&c, extra);
                add(&c, ARGS("--"));
        }
        add(&c, ARGS("/usr/bin/weston-simple-shm"));
        cr_assert_eq(run_cmd(who, NULL, 30, r, c.v), 0);
        return count(r->err, "wl_buffer@") && count(r->err, ".done(") ? count(r->err, "wl_callback@") : 0;
}

Test(desktop, wayland_client_draws_through_wayland_inc, .timeout = 120)
{
        struct weston w;
        weston_start(&w);
        FOR_EACH_USER {
                struct run_result r;
                size_t n = frames(WHO, &w, NULL, NULL, &r);
                cr_assert(n >= 6, "[%s] bare weston-simple-shm drew %zu frames:\n%s", WHO_NAME, n, r.err);
                run_result_free(&r);
                /* document-viewer and browser include gui.inc, which includes
                 * wayland.inc. */
                n = frames(WHO, &w, "document-viewer", NULL, &r);
                cr_assert(n >= 6, "[%s] weston-simple-shm in document-viewer drew %zu frames:\n%s",
                          WHO_NAME, n, r.err);
                run_result_free(&r);
                /* Without the fragment the compositor is out of reach. */
                n = frames(WHO, &w, "default", NULL, &r);
                cr_assert(n == 0 && r.status != 0,
                          "[%s] default profile reached the compositor (%zu frames):\n%s", WHO_NAME, n, r.err);
                run_result_free(&r);
        }
        weston_stop(&w);
}

/* Only the one socket: the rest of $XDG_RUNTIME_DIR stays out of view. */
Test(desktop, wayland_inc_binds_only_the_socket, .timeout = 120)
{
        struct weston w;
        weston_start(&w);
        char *other = path_join(w.run, "bus");
        cr_assert_eq(write_file(other, "session secret\n", 0644), 0);
        if (geteuid() == 0)
                cr_assert(chown(other, 65534, 65534) == 0);
        char wenv[64], henv[4200];
        char *home = mkdir_open(w.dir, "home");
        snprintf(wenv, sizeof(wenv), "WAYLAND_DISPLAY=wl-sbx");
        snprintf(henv, sizeof(henv), "HOME=%s", home);
        free(home);
        FOR_EACH_USER
                /* browser: it has gui.inc and no `args = ro` (which would
                 * bind the probe's file argument). */
                expect_forbidden(WHO, ARGS(w.xenv, wenv, henv), "browser", ARGS("read", other),
                                 "reading another file of $XDG_RUNTIME_DIR");
        free(other);
        weston_stop(&w);
}

/* Outside a Wayland session the fragment adds nothing and says nothing. */
Test(desktop, wayland_inc_silent_without_wayland)
{
        struct run_result r;
        FOR_EACH_USER {
                const char *argv[] = { "env", "-u", "WAYLAND_DISPLAY", "-u", "XDG_RUNTIME_DIR", sbx_bin(),
                                       "run", "--profile", "document-viewer", "--set",
                                       "exec.allow=/usr/bin/true", "--", "/usr/bin/true", NULL };
                cr_assert_eq(run_cmd(WHO, NULL, 30, &r, argv), 0);
                cr_assert_eq(r.status, 0, "[%s] %s", WHO_NAME, r.err);
                cr_assert_str_eq(r.err, "", "[%s] printed: %s", WHO_NAME, r.err);
                run_result_free(&r);
        }
}

/* ---- document viewers on Wayland ---------------------------------------- */

/* Pixels of colour HEX on the compositor's screen now. */
static long screen_colour(const struct weston *w, const char *hex)
{
        char *shots = path_join(w->dir, "shots");
        char *cmd = NULL;
        cr_assert(mkdir(shots, 0777) == 0 || errno == EEXIST);
        chmod(shots, 0777);
        struct run_result r;
        cr_assert_eq(run_cmd(AS_USER, NULL, 20, &r,
                             ARGS("env", "-C", shots, w->xenv, "WAYLAND_DISPLAY=wl-sbx", "sh", "-c",
                                  "rm -f *.png; weston-screenshooter && ls *.png")),
                     0);
        cr_assert_eq(r.status, 0, "weston-screenshooter: %s %s", r.out, r.err);
        r.out[strcspn(r.out, "\n")] = 0;
        cr_assert(asprintf(&cmd, "%s/%s", shots, r.out) > 0);
        long n = count_colour(cmd, false, hex);
        run_result_free(&r);
        free(cmd);
        free(shots);
        return n;
}

/* Pixels of the sample page's blue box on the compositor's screen now. */
static long screen_blue(const struct weston *w)
{
        return screen_colour(w, "#3366CC");
}

/* The viewer opens the sample PDF on the Wayland display; the page must
 * show on the screen within 30 s.  Returns the time it took. */
static double wayland_view(int who, struct weston *w, const char *profile, const char *bin, const char *pdf,
                           const char *home)
{
        char henv[4200];
        snprintf(henv, sizeof(henv), "HOME=%s", home);
        for (int i = 0; i < 50 && screen_blue(w) > 100; i++)
                usleep(100 * 1000);
        struct cmd c;
        build_cmd(&c, ARGS(w->xenv, "WAYLAND_DISPLAY=wl-sbx", henv), profile, NULL, ARGS(bin, pdf));
        char *log = path_join(w->dir, "viewer.log");
        double t0 = now_ms(), t = -1;
        pid_t pid = spawn_bg(who, c.v, log);
        while (now_ms() - t0 < 30000) {
                if (screen_blue(w) > 3000) {
                        t = now_ms() - t0;
                        break;
                }
                if (waitpid(pid, NULL, WNOHANG) == pid) {
                        pid = -1;
                        break;
                }
                usleep(200 * 1000);
        }
        if (pid > 0)
                stop_bg(pid);
        char *out = read_text(log);
        cr_assert(t >= 0, "[%s] %s %s: the page never showed on the screen\n%s",
                  who == AS_ROOT ? "root" : "user", profile ? profile : "bare", bin, out);
        free(out);
        free(log);
        return t;
}

static void wayland_viewer(const char *what, const char *bin, const char *package)
{
        need(bin, package);
        need("/usr/bin/weston-screenshooter", "weston");
        need("/usr/bin/convert", "imagemagick");
        struct weston w;
        weston_start_opts(&w, true);
        char *pdf = fixture(w.dir, "sample.pdf", NULL);
        char *home = mkdir_open(w.dir, "home");
        FOR_EACH_USER {
                double bare = wayland_view(WHO, &w, NULL, bin, pdf, home);
                double sbx = wayland_view(WHO, &w, "document-viewer", bin, pdf, home);
                report_time("document-viewer", what, WHO, bare, sbx);
        }
        free(pdf);
        free(home);
        weston_stop(&w);
}

Test(desktop, viewer_evince_on_wayland, .timeout = 300)
{
        wayland_viewer("evince PDF on weston", "/usr/bin/evince", "evince");
}

/* ---- Xwayland ------------------------------------------------------------ */

/* The display number weston's Xwayland took (from its log), or -1. */
static int xwayland_display(const struct weston *w)
{
        for (int i = 0; i < 100; i++) {
                char *log = read_text(w->log);
                const char *p = log ? strstr(log, "xserver listening on display :") : NULL;
                int n = p ? atoi(p + strlen("xserver listening on display :")) : -1;
                free(log);
                if (n >= 0)
                        return n;
                usleep(50 * 1000);
        }
        return -1;
}

/* A Wayland session with Xwayland, as Debian 12's GNOME: Xwayland has no
 * SECURITY extension, so gui.inc's untrusted X11 cannot be had; the
 * sandbox gets Wayland only, with a warning, rather than failing or
 * getting a trusted X connection.  x11 = trusted reaches Xwayland. */
Test(desktop, xwayland_gives_wayland_only, .timeout = 120)
{
        need("/usr/bin/Xwayland", "xwayland");
        need("/usr/bin/xdpyinfo", "x11-utils");
        struct weston w;
        weston_start_full(&w, false, true);
        int n = xwayland_display(&w);
        char *log = read_text(w.log);
        cr_assert(n >= 0, "weston did not start Xwayland:\n%s", log);
        free(log);
        char denv[32], henv[4200];
        char *home = mkdir_open(w.dir, "home");
        snprintf(denv, sizeof(denv), "DISPLAY=:%d", n);
        snprintf(henv, sizeof(henv), "HOME=%s", home);
        free(home);
        struct run_result r;
        /* Xwayland's socket is its owner's (uid 65534, mode 0755): the user's display. */
        cr_assert_eq(run_cmd(AS_USER, NULL, 30, &r,
                             ARGS("env", "-u", "XAUTHORITY", denv, henv, w.xenv, "WAYLAND_DISPLAY=wl-sbx",
                                  "xdpyinfo", "-queryExtensions")),
                     0);
        cr_assert(r.status == 0 && !strstr(r.out, "SECURITY"), "bare xdpyinfo on Xwayland: %d %s %s", r.status,
                  r.out, r.err);
        run_result_free(&r);
        cr_assert_eq(run_cmd(AS_USER, NULL, 30, &r,
                             ARGS("env", "-u", "XAUTHORITY", denv, henv, w.xenv, "WAYLAND_DISPLAY=wl-sbx",
                                  sbx_bin(), "run", "--profile", "document-viewer", "--set",
                                  "exec.allow=/usr/bin/printenv", "--", "/usr/bin/printenv", "DISPLAY",
                                  "WAYLAND_DISPLAY")),
                     0);
        cr_assert(strcmp(r.out, "wl-sbx\n") == 0 && strstr(r.err, "Wayland only"),
                  "document-viewer on Xwayland: %d [%s] %s", r.status, r.out, r.err);
        run_result_free(&r);
        cr_assert_eq(run_cmd(AS_USER, NULL, 30, &r,
                             ARGS("env", "-u", "XAUTHORITY", denv, henv, w.xenv, "WAYLAND_DISPLAY=wl-sbx",
                                  sbx_bin(), "run", "--profile", "document-viewer", "--set", "display.x11=trusted",
                                  "--set", "exec.allow=/usr/bin/xdpyinfo", "--", "/usr/bin/xdpyinfo")),
                     0);
        cr_assert(r.status == 0 && strstr(r.out, "name of display"), "x11 = trusted on Xwayland: %d %s %s",
                  r.status, r.out, r.err);
        run_result_free(&r);
        weston_stop(&w);
}

/* ---- browsers on Wayland ------------------------------------------------- */

/* A lime box of 400x300 on magenta: 120000 pixels of #00FF00. */
static const char lime_page[] = "<html><body style=\"background:#ff00ff;margin:0\">"
                                "<div style=\"background:#00ff00;width:400px;height:300px\"></div></body></html>";

/* The browser, started under `browser` with no X display, shows the page
 * on the compositor's screen (a screenshot with the page's lime box) within
 * 60 s.  The page comes from the "internet" of tests/networld
 * (http://10.203.0.2/), which the profile's network (mode = pasta)
 * reaches; the host's 127.0.0.1 is not the sandbox's. */
static void wayland_browser(int who, struct weston *w, const char *what, const char *const *env,
                            const char *const *prog, const char *home, const char *page)
{
        char henv[4200];
        snprintf(henv, sizeof(henv), "HOME=%s", home);
        for (int i = 0; i < 50 && screen_colour(w, "#00FF00") > 100; i++)
                usleep(100 * 1000);
        struct cmd c;
        c.n = 0;
        const char *world = getenv("SBX_NETWORLD");
        cr_assert(world && *world, "SBX_NETWORLD is not set (run through meson test)");
        add(&c, ARGS(world, "--http", page, "--"));
        add(&c, ARGS("env", "-u", "DISPLAY", w->xenv, "WAYLAND_DISPLAY=wl-sbx", henv));
        add(&c, env);
        add(&c, ARGS(sbx_bin(), "run", "--profile", "browser", "--"));
        add(&c, prog);
        char *log = path_join(w->dir, "browser.log");
        double t0 = now_ms(), t = -1;
        pid_t pid = spawn_bg(who, c.v, log);
        while (now_ms() - t0 < 60000) {
                if (screen_colour(w, "#00FF00") > 100000) {
                        t = now_ms() - t0;
                        break;
                }
                if (waitpid(pid, NULL, WNOHANG) == pid) {
                        pid = -1;
                        break;
                }
                usleep(300 * 1000);
        }
        if (pid > 0)
                stop_bg(pid);
        char *out = read_text(log);
        cr_assert(t >= 0, "[%s] %s under browser on Wayland: the page never showed on the screen\n%s",
                  who == AS_ROOT ? "root" : "user", what, out);
        fprintf(stderr, "desktop: browser %s on Wayland %s: on screen after %.0f ms\n", what,
                who == AS_ROOT ? "root" : "user", t);
        free(out);
        free(log);
}

Test(desktop, browsers_on_wayland, .timeout = 400)
{
        need("/usr/bin/firefox-esr", "firefox-esr");
        need("/usr/bin/chromium", "chromium");
        need("/usr/bin/weston-screenshooter", "weston");
        need("/usr/bin/convert", "imagemagick");
        struct weston w;
        weston_start_opts(&w, true);
        char *home = mkdir_open(w.dir, "home");
        char *page = path_join(w.dir, "page.html");
        cr_assert_eq(write_file(page, lime_page, 0644), 0);
        const char *url = "http://10.203.0.2/";
        FOR_EACH_USER {
                /* No DISPLAY: firefox-esr 115 picks Wayland by itself
                 * (MOZ_ENABLE_WAYLAND is not passed by the profile). */
                wayland_browser(WHO, &w, "firefox-esr", NULL,
                                ARGS("firefox-esr", "--no-remote", url), home, page);
                wayland_browser(WHO, &w, "chromium", NULL,
                                ARGS("chromium", "--ozone-platform=wayland", "--no-first-run", url), home, page);
        }
        free(page);
        free(home);
        weston_stop(&w);
}

/* ---- script: an untrusted script in its interpreter --------------------- */

struct scriptenv {
        char *dir, *home, *secret, *out, *attack, *mp;
        char henv[4200];
};

static void script_setup(struct scriptenv *e)
{
        need("/usr/bin/python3", "python3");
        e->dir = make_tmpdir();
        e->home = mkdir_open(e->dir, "home");
        char *ssh = mkdir_open(e->home, ".ssh");
        e->secret = path_join(ssh, "id_ed25519");
        cr_assert_eq(write_file(e->secret, "ssh-secret\n", 0644), 0);
        free(ssh);
        e->out = mkdir_open(e->dir, "out");
        e->attack = fixture(e->dir, "attack.py", NULL);
        e->mp = fixture(e->dir, "multiproc.py", NULL);
        snprintf(e->henv, sizeof(e->henv), "HOME=%s", e->home);
}

static void script_done(struct scriptenv *e)
{
        free(e->home);
        free(e->secret);
        free(e->out);
        free(e->attack);
        free(e->mp);
        rm_rf(e->dir);
}

/* python3 attack.py ARGS inside `script` (with EXTRA) and bare: the first
 * word of each output. */
static void attack(int who, const struct scriptenv *e, const char *const *extra, const char *const *args,
                   bool want_inside_ok, const char *what)
{
        struct cmd prog = { 0 };
        add(&prog, ARGS("/usr/bin/python3", e->attack));
        add(&prog, args);
        struct run_result r;
        run_timed(who, ARGS(e->henv), "script", extra, prog.v, NULL, 60, &r);
        bool ok = strncmp(r.out, "OK", 2) == 0;
        cr_assert(r.status == 0 && (ok || strncmp(r.out, "DENIED", 6) == 0),
                  "[%s] script: %s: exit %d: %s %s", who == AS_ROOT ? "root" : "user", what, r.status, r.out,
                  r.err);
        cr_assert(ok == want_inside_ok, "[%s] script: %s: %s inside: %s %s", who == AS_ROOT ? "root" : "user",
                  what, want_inside_ok ? "refused" : "ESCAPE", r.out, r.err);
        run_result_free(&r);
        if (want_inside_ok)
                return;
        run_timed(who, ARGS(e->henv), NULL, NULL, prog.v, NULL, 60, &r);
        cr_assert(strncmp(r.out, "OK", 2) == 0, "[%s] script: %s fails even bare, the check cannot fail: %s %s",
                  who == AS_ROOT ? "root" : "user", what, r.out, r.err);
        run_result_free(&r);
}

Test(desktop, script_multiprocessing, .timeout = 120)
{
        struct scriptenv e;
        script_setup(&e);
        FOR_EACH_USER {
                const char *const methods[] = { "fork", "spawn", "forkserver" };
                for (size_t i = 0; i < 3; i++) {
                        struct run_result r;
                        double t[2];
                        for (int sb = 0; sb < 2; sb++) {
                                t[sb] = run_timed(WHO, ARGS(e.henv), sb ? "script" : NULL, NULL,
                                                  ARGS("/usr/bin/python3", e.mp, methods[i]), NULL, 60, &r);
                                char want[64];
                                snprintf(want, sizeof(want), "%s 328350 42\n", methods[i]);
                                cr_assert(r.status == 0 && strcmp(r.out, want) == 0, "[%s] %s %s: %d %s %s",
                                          WHO_NAME, sb ? "script" : "bare", methods[i], r.status, r.out, r.err);
                                cr_assert_str_eq(r.err, "", "[%s] %s: stderr %s", WHO_NAME, methods[i], r.err);
                                run_result_free(&r);
                        }
                        char what[64];
                        snprintf(what, sizeof(what), "python3 multiprocessing %s", methods[i]);
                        report_time("script", what, WHO, t[0], t[1]);
                }
        }
        script_done(&e);
}

Test(desktop, script_forbidden, .timeout = 180)
{
        struct scriptenv e;
        script_setup(&e);
        int port;
        pid_t srv = serve(&port, NULL, false);
        char p[16], outfile[4200], outbind[4200], secret[4200], self[4200];
        snprintf(p, sizeof(p), "%d", port);
        snprintf(outfile, sizeof(outfile), "file:%s/result.txt", e.out);
        snprintf(secret, sizeof(secret), "file:%s", e.secret);
        char *victim = fixture(e.dir, "multiproc.py", "victim.py");
        /* Named on the command line: bound read-only (`args = ro`). */
        snprintf(self, sizeof(self), "%s", victim);
        chmod(victim, 0666);
        free(victim);
        snprintf(outbind, sizeof(outbind), "%s", e.out);
        FOR_EACH_USER {
                attack(WHO, &e, NULL, ARGS("read", secret), false, "reading ~/.ssh");
                attack(WHO, &e, NULL, ARGS("connect", "127.0.0.1", p), false, "a TCP connection");
                attack(WHO, &e, NULL, ARGS("write", self), false, "writing a file named on the command line");
                attack(WHO, &e, NULL, ARGS("write", outfile), false, "writing an output dir not named");
                unlink(outfile + 5);
                attack(WHO, &e, NULL, ARGS("exec", "/bin/sh", "-c", "echo ran"), false, "spawning a shell");
                attack(WHO, &e, NULL, ARGS("exec", "/usr/bin/perl", "-e", "print qq(ran\n)"), false,
                       "running another interpreter");
                attack(WHO, &e, NULL, ARGS("exec", "/usr/bin/python3", "-c", "print('ran')"), true,
                       "re-running its own interpreter");
                /* Named with --bind, the output directory is writable. */
                attack(WHO, &e, ARGS("--bind", outbind), ARGS("write", outfile), true, "writing a named output dir");
                unlink(outfile + 5);
        }
        stop_server(srv);
        script_done(&e);
}

/* A crafted document cannot start a shell or another interpreter from a
 * viewer (the exec allow-list holds for any program the viewer could be
 * turned into: tryexec stands in for it). */
Test(desktop, viewer_spawns_no_shell, .timeout = 120)
{
        char *d = make_tmpdir();
        char *tryexec = build_tryexec(d);
        char allow[4200];
        snprintf(allow, sizeof(allow), "exec.allow=%s", tryexec);
        const char *const interp[][3] = {
                { "/bin/sh", "-c", "echo OK ran" },
                { "/usr/bin/python3", "-c", "print('OK ran')" },
        };
        FOR_EACH_USER
                for (size_t i = 0; i < 2; i++) {
                        struct run_result r;
                        const char *const p[] = { tryexec, interp[i][0], interp[i][1], interp[i][2], NULL };
                        run_timed(WHO, NULL, "document-viewer", ARGS("--ro-bind", tryexec, "--set", allow), p,
                                  NULL, 60, &r);
                        cr_assert(strncmp(r.out, "DENIED", 6) == 0, "[%s] document-viewer lets %s run: %s %s",
                                  WHO_NAME, interp[i][0], r.out, r.err);
                        run_result_free(&r);
                        run_timed(WHO, NULL, NULL, NULL, p, NULL, 30, &r);
                        cr_assert(strncmp(r.out, "OK ran", 6) == 0, "[%s] bare %s: %s %s", WHO_NAME,
                                  interp[i][0], r.out, r.err);
                        run_result_free(&r);
                }
        free(tryexec);
        rm_rf(d);
}

/* ---- sound: audio.inc against a real PulseAudio with a null sink -------- */

Test(desktop, audio_inc_reaches_the_sound_server, .timeout = 120)
{
        need("/usr/bin/pulseaudio", "pulseaudio");
        need("/usr/bin/pactl", "pulseaudio-utils");
        char *d = make_tmpdir();
        char *run = runtime_dir(d);
        char *home = mkdir_open(d, "home");
        char *sock = path_join(run, "pulse/native");
        char *log = path_join(d, "pulse.log");
        char *wav = path_join(d, "beep.wav");
        char xenv[4200], henv[4200], gen[4200];
        snprintf(xenv, sizeof(xenv), "XDG_RUNTIME_DIR=%s", run);
        snprintf(henv, sizeof(henv), "HOME=%s", home);
        /* A quarter second of a tone, 8 kHz mono. */
        snprintf(gen, sizeof(gen),
                 "import wave, math, struct\n"
                 "w = wave.open('%s', 'wb'); w.setnchannels(1); w.setsampwidth(2); w.setframerate(8000)\n"
                 "w.writeframes(b''.join(struct.pack('<h', int(8000 * math.sin(i / 5))) for i in range(2000)))\n"
                 "w.close()\n", wav);
        struct run_result r;
        cr_assert_eq(run_cmd(AS_ROOT, NULL, 30, &r, ARGS("/usr/bin/python3", "-c", gen)), 0);
        cr_assert_eq(r.status, 0, "%s", r.err);
        run_result_free(&r);
        chmod(wav, 0644);
        pid_t pid = spawn_bg(AS_USER,
                             ARGS("env", xenv, henv, "pulseaudio", "--daemonize=no", "--exit-idle-time=-1", "-n",
                                  "--use-pid-file=no", "--load=module-native-protocol-unix",
                                  "--load=module-null-sink"),
                             log);
        wait_for(sock, log);
        FOR_EACH_USER {
                /* browser includes audio.inc.  Bare, only the server's own
                 * user may connect (root is refused by the client library). */
                for (int sb = 0; sb < 2; sb++) {
                        const char *profile = sb ? "browser" : NULL;
                        int who = sb ? WHO : AS_USER;
                        run_timed(who, ARGS(xenv, henv), profile, ARGS("--set", "exec.allow=/usr/bin/pactl"),
                                  ARGS("/usr/bin/pactl", "info"), NULL, 30, &r);
                        cr_assert(r.status == 0 && strstr(r.out, "Default Sink: null"),
                                  "[%s] %s pactl info: %d %s %s", WHO_NAME, sb ? "browser" : "bare", r.status,
                                  r.out, r.err);
                        run_result_free(&r);
                        run_timed(who, ARGS(xenv, henv), profile,
                                  ARGS("--ro-bind", wav, "--set", "exec.allow=/usr/bin/paplay"),
                                  ARGS("/usr/bin/paplay", "-v", wav), NULL, 30, &r);
                        cr_assert(r.status == 0 && strstr(r.err, "Playback stream drained"),
                                  "[%s] %s paplay: %d %s %s", WHO_NAME, sb ? "browser" : "bare", r.status, r.out,
                                  r.err);
                        run_result_free(&r);
                }
                /* A profile without the fragment does not reach it. */
                run_timed(WHO, ARGS(xenv, henv), "default", ARGS("--set", "exec.allow=/usr/bin/pactl"),
                          ARGS("/usr/bin/pactl", "info"), NULL, 30, &r);
                cr_assert(r.status != 0 && !strstr(r.out, "Server String"),
                          "[%s] default profile reached the sound server: %s %s", WHO_NAME, r.out, r.err);
                run_result_free(&r);
        }
        stop_bg(pid);
        free(sock);
        free(log);
        free(wav);
        free(home);
        free(run);
        rm_rf(d);
}
