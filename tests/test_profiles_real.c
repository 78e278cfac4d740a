/* test_profiles_real.c — the shipped profiles with the real Debian programs
 * they are written for, doing their real work inside `sbx run`, as root and
 * as an unprivileged user; and what each profile forbids, tried in that
 * profile and shown to work without the sandbox (so that a check that
 * cannot fail shows up as a failure).
 *
 * Every workload also runs bare, and both wall times go to stderr as
 *   profiles-real: PROFILE  WORKLOAD  WHO  bare N ms  sbx N ms
 * (the numbers the profiles' README quotes).  A program that is not
 * installed skips its test with the Debian package to install, and fails
 * when CI=true.  Fixtures live in tests/real/ (see make-fixtures.py) and are
 * copied into a directory uid 65534 can use.
 *
 * This file: every profile passes `sbx check`; browser; document-viewer.
 * tests/real/cli_profiles.c: document-converter, archive, network-service,
 * build, shell.  Helpers: tests/real/realutil.c. */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"
#include "real/realutil.h"

/* ---- every shipped profile is valid ------------------------------------ */

static const char *const shipped[] = {
        "default", "browser", "document-viewer", "document-converter", "archive",
        "network-service", "build", "shell", "script", NULL,
};

Test(profiles_real, sbx_check_every_profile)
{
        /* build.ini names the build directory as ${PWD}. */
        char cwd[4096];
        cr_assert(getcwd(cwd, sizeof(cwd)));
        setenv("PWD", cwd, 1);
        for (size_t i = 0; shipped[i]; i++) {
                struct run_result r;
                cr_assert_eq(run_sbx(AS_ROOT, &r, "check", shipped[i], NULL), 0);
                cr_assert_eq(r.status, 0, "sbx check %s: exit %d\n%s%s", shipped[i], r.status, r.out,
                             r.err);
                run_result_free(&r);
                cr_assert_eq(run_sbx(AS_ROOT, &r, "show", "--profile", shipped[i], NULL), 0);
                cr_assert_eq(r.status, 0, "sbx show %s: %s", shipped[i], r.err);
                run_result_free(&r);
                /* What each leaves open, for the record. */
                cr_assert_eq(run_sbx(AS_ROOT, &r, "analyze", shipped[i], NULL), 0);
                cr_assert_eq(r.status, 0, "sbx analyze %s: exit %d: %s", shipped[i], r.status, r.err);
                const char *score = strstr(r.out, "Exposure:");
                cr_assert(score, "sbx analyze %s: no score: %s", shipped[i], r.out);
                fprintf(stderr, "profiles-real: %-18s %.*s\n", shipped[i],
                        (int)strcspn(score, "(\n"), score);
                run_result_free(&r);
        }
}

/* ---- browser ------------------------------------------------------------ */

/* The page comes from the "internet" of tests/networld (10.203.0.2:80),
 * where the shipped profile's network (mode = pasta) reaches, bare and
 * sandboxed alike; the host's 127.0.0.1 is not the sandbox's. */
struct page {
        char *dir;
        char *file;
        const char *world;
        char url[64];
};

static void page_start(struct page *pg)
{
        pg->dir = make_tmpdir();
        cr_assert(pg->dir);
        pg->file = path_join(source_dir(), "tests/real/index.html");
        cr_assert(access(pg->file, R_OK) == 0, "%s missing", pg->file);
        pg->world = getenv("SBX_NETWORLD");
        cr_assert(pg->world && *pg->world, "SBX_NETWORLD is not set (run through meson test)");
        snprintf(pg->url, sizeof(pg->url), "http://10.203.0.2/");
}

static void page_stop(struct page *pg)
{
        free(pg->file);
        rm_rf(pg->dir);
}

/* The screenshot must be the page: 800x600, mostly its background. */
static void check_screenshot(const char *png, const char *who, const char *how, const char *err)
{
        unsigned w = 0, h = 0;
        cr_assert_eq(png_size(png, &w, &h), 0, "[%s] %s: no PNG screenshot at %s\nstderr: %s", who,
                     how, png, err);
        cr_assert(w == 800 && h == 600, "[%s] %s: screenshot is %ux%u, not 800x600", who, how, w, h);
        long blue = count_colour(png, false, "#3366CC");
        cr_assert(blue > 800 * 600 / 2, "[%s] %s: screenshot does not show the page (%ld page pixels)",
                  who, how, blue);
}

static void browser_shot(const char *what, const char *const *(*argv_for)(const char *dir,
                                                                        const char *url, bool bare))
{
        struct page pg;
        page_start(&pg);
        FOR_EACH_USER {
                double t[2];
                for (int sandboxed = 0; sandboxed < 2; sandboxed++) {
                        char sub[32];
                        snprintf(sub, sizeof(sub), "%s-%s", WHO_NAME, sandboxed ? "sbx" : "bare");
                        char *d = mkdir_open(pg.dir, sub);
                        /* The home beside the bound directory, not in it:
                         * a writable bind that shows the home keeps the
                         * missing persistence points of persistence.inc
                         * from being created (Landlock then gives no right
                         * to create entries in the directories holding
                         * them, up to the writable mount above: here the
                         * sandbox's /tmp).  A home as a desktop user has it:
                         * the browser's directories exist. */
                        char hsub[48];
                        snprintf(hsub, sizeof(hsub), "%s-home", sub);
                        char *home = mkdir_open(pg.dir, hsub);
                        free(mkdir_open(home, ".config"));
                        free(mkdir_open(home, ".cache"));
                        char *cfg = path_join(home, ".config");
                        free(mkdir_open(cfg, "chromium"));
                        free(cfg);
                        free(mkdir_open(home, ".mozilla"));
                        char *png = path_join(d, "shot.png");
                        char henv[4200];
                        snprintf(henv, sizeof(henv), "HOME=%s", home);
                        /* The screenshot and the browser profile live in one
                         * directory bound read-write. */
                        struct run_result r;
                        /* env HOME=… networld --http PAGE -- env [sbx run …] BROWSER */
                        t[sandboxed] = run_timed(WHO, ARGS(henv, pg.world, "--http", pg.file, "--", "env"),
                                                 sandboxed ? "browser" : NULL,
                                                 ARGS("--bind", d),
                                                 argv_for(d, pg.url, !sandboxed), NULL, 120, &r);
                        cr_assert_eq(r.status, 0, "[%s] %s %s: exit %d\n%s", WHO_NAME, what,
                                     sandboxed ? "in sbx" : "bare", r.status, r.err);
                        check_screenshot(png, WHO_NAME, sandboxed ? "in sbx" : "bare", r.err);
                        /* A launcher script's helper refused by the profile
                         * shows as the shell's "PROG: Permission denied". */
                        cr_assert(!strstr(r.err, ": Permission denied"),
                                  "[%s] %s: a helper was refused:\n%s", WHO_NAME, what, r.err);
                        run_result_free(&r);
                        free(png);
                        free(home);
                        free(d);
                }
                report_time("browser", what, WHO, t[0], t[1]);
        }
        page_stop(&pg);
}

static const char *const *firefox_argv(const char *dir, const char *url, bool bare)
{
        static char prof[4200], shot[4200];
        static const char *v[16];
        (void)bare;
        snprintf(prof, sizeof(prof), "%s/ff-profile", dir);
        snprintf(shot, sizeof(shot), "%s/shot.png", dir);
        cr_assert(mkdir(prof, 0777) == 0 || errno == EEXIST);
        chmod(prof, 0777);
        size_t n = 0;
        v[n++] = "/usr/bin/firefox-esr";
        v[n++] = "-headless";
        v[n++] = "-no-remote";
        v[n++] = "-profile";
        v[n++] = prof;
        v[n++] = "--window-size=800,600";
        v[n++] = "-screenshot";
        v[n++] = shot;
        v[n++] = url;
        v[n] = NULL;
        return v;
}

static const char *const *chromium_argv(const char *dir, const char *url, bool bare)
{
        static char prof[4200], shot[4200];
        static const char *v[16];
        snprintf(prof, sizeof(prof), "--user-data-dir=%s/cr-profile", dir);
        snprintf(shot, sizeof(shot), "--screenshot=%s/shot.png", dir);
        size_t n = 0;
        /* As typed: Debian's launcher script (sh, its helpers, the flags
         * of /etc/chromium.d), which then runs /usr/lib/chromium/chromium. */
        v[n++] = "chromium";
        /* Bare as root chromium refuses to run with its sandbox; inside sbx
         * it runs as uid 65534 with its sandbox on. */
        if (bare && geteuid() == 0)
                v[n++] = "--no-sandbox";
        v[n++] = "--headless";
        v[n++] = "--disable-gpu";
        v[n++] = "--no-first-run";
        v[n++] = "--hide-scrollbars";
        v[n++] = prof;
        v[n++] = "--window-size=800,600";
        v[n++] = shot;
        v[n++] = url;
        v[n] = NULL;
        return v;
}

Test(profiles_real, browser_firefox_screenshot, .timeout = 400)
{
        need("/usr/lib/firefox-esr/firefox-esr", "firefox-esr");
        need("/usr/bin/convert", "imagemagick");
        need("/usr/bin/pasta", "passt");
        need("/usr/sbin/ip", "iproute2");
        browser_shot("firefox-esr screenshot", firefox_argv);
}

Test(profiles_real, browser_chromium_screenshot, .timeout = 400)
{
        need("/usr/lib/chromium/chromium", "chromium");
        need("/usr/bin/convert", "imagemagick");
        need("/usr/bin/pasta", "passt");
        need("/usr/sbin/ip", "iproute2");
        browser_shot("chromium (script) screenshot", chromium_argv);
}

/* The names users type and menus start: /usr/bin/chromium and
 * /usr/bin/firefox are sh scripts; each runs as typed, its helpers
 * allowed (nothing refused on stderr). */
Test(profiles_real, browser_launchers_as_typed, .timeout = 120)
{
        need("/usr/bin/chromium", "chromium");
        need("/usr/bin/firefox-esr", "firefox-esr");
        char *d = make_tmpdir();
        char *home = mkdir_open(d, "home");
        char henv[4200];
        snprintf(henv, sizeof(henv), "HOME=%s", home);
        const char *const progs[][2] = { { "chromium", "Chromium " }, { "firefox", "Mozilla Firefox" },
                                         { "firefox-esr", "Mozilla Firefox" } };
        FOR_EACH_USER {
                for (size_t i = 0; i < sizeof(progs) / sizeof(progs[0]); i++) {
                        if (strcmp(progs[i][0], "firefox") == 0 && access("/usr/bin/firefox", X_OK) != 0)
                                continue;
                        struct run_result r;
                        run_timed(WHO, ARGS(henv), "browser", NULL, ARGS(progs[i][0], "--version"), NULL, 60, &r);
                        cr_assert(r.status == 0 && strstr(r.out, progs[i][1]), "[%s] %s --version: %d %s %s",
                                  WHO_NAME, progs[i][0], r.status, r.out, r.err);
                        cr_assert(!strstr(r.err, "denied") && !strstr(r.err, "not found"),
                                  "[%s] %s: %s", WHO_NAME, progs[i][0], r.err);
                        run_result_free(&r);
                }
        }
        free(home);
        rm_rf(d);
}

/* What the browser profile forbids: the home outside its directories,
 * executing an interpreter; what it allows: ~/Downloads. */
Test(profiles_real, browser_forbidden)
{
        need("/usr/bin/python3", "python3");
        char *d = make_tmpdir();
        char *home = mkdir_open(d, "home");
        char *dl = mkdir_open(home, "Downloads");
        char *secret = path_join(home, "secret.txt");
        char *saved = path_join(dl, "saved.txt");
        char *tryexec = build_tryexec(d);
        cr_assert_eq(write_file(secret, "browser-secret\n", 0644), 0);
        char henv[4200];
        snprintf(henv, sizeof(henv), "HOME=%s", home);
        char allow[4200];
        char *tryexec_w = profile_word(tryexec);
        snprintf(allow, sizeof(allow), "exec.allow=%s", tryexec_w);
        free(tryexec_w);
        FOR_EACH_USER {
                expect_forbidden(WHO, ARGS(henv), "browser", ARGS("read", secret),
                                 "reading a file in the home");
                struct run_result r;
                /* ~/Downloads is writable (bound at the caller's home path). */
                run_timed(WHO, ARGS(henv), "browser", probe_extra(), ARGS(probe_bin(), "write", saved),
                          NULL, 60, &r);
                cr_assert(strncmp(r.out, "OK", 2) == 0, "[%s] ~/Downloads not writable: %s %s",
                          WHO_NAME, r.out, r.err);
                run_result_free(&r);
                unlink(saved);
                /* Each interpreter with code that prints "OK ran". */
                const char *const interp[][3] = {
                        { "/usr/bin/python3", "-c", "print(\"OK ran\")" },
                        { "/bin/sh", "-c", "echo OK ran" },
                        { "/usr/bin/perl", "-e", "print \"OK ran\\n\"" },
                };
                for (size_t i = 0; i < sizeof(interp) / sizeof(interp[0]); i++) {
                        if (access(interp[i][0], X_OK) != 0)
                                continue;
                        const char *const p[] = { tryexec, interp[i][0], interp[i][1], interp[i][2],
                                                  NULL };
                        run_timed(WHO, ARGS(henv), "browser", ARGS("--ro-bind", tryexec, "--set", allow),
                                  p, NULL, 60, &r);
                        cr_assert(strncmp(r.out, "DENIED", 6) == 0,
                                  "[%s] browser profile lets %s run: %s %s", WHO_NAME, interp[i][0],
                                  r.out, r.err);
                        run_result_free(&r);
                        run_timed(WHO, NULL, NULL, NULL, p, NULL, 30, &r);
                        cr_assert(strncmp(r.out, "OK ran", 6) == 0, "[%s] bare %s: %s %s", WHO_NAME,
                                  interp[i][0], r.out, r.err);
                        run_result_free(&r);
                }
        }
        free(secret);
        free(saved);
        free(dl);
        free(home);
        free(tryexec);
        rm_rf(d);
}

/* ---- document viewer (X11 under Xvfb) ---------------------------------- */

static pid_t start_xvfb(int *display, const char *dir)
{
        for (int n = 90 + getpid() % 300;; n++) {
                char lock[64], sock[64], name[16];
                snprintf(lock, sizeof(lock), "/tmp/.X%d-lock", n);
                snprintf(sock, sizeof(sock), "/tmp/.X11-unix/X%d", n);
                if (exists(lock) || exists(sock))
                        continue;
                snprintf(name, sizeof(name), ":%d", n);
                char *log = path_join(dir, "xvfb.log");
                pid_t pid = spawn_bg(AS_ROOT,
                                     ARGS("Xvfb", name, "-screen", "0", "800x600x24", "-nolisten", "tcp",
                                          "-noreset"),
                                     log);
                free(log);
                /* Ready when a client gets an answer (the socket exists a
                 * little before the server serves). */
                bool ready = false;
                for (int i = 0; i < 100 && !ready; i++) {
                        struct run_result r;
                        if (exists(sock) &&
                            run_cmd(AS_ROOT, NULL, 10, &r,
                                    ARGS("xwd", "-root", "-silent", "-display", name, "-out",
                                         "/dev/null")) == 0) {
                                ready = r.status == 0;
                                run_result_free(&r);
                        }
                        if (!ready)
                                usleep(50 * 1000);
                }
                cr_assert(ready, "Xvfb %s did not start", name);
                *display = n;
                return pid;
        }
}

/* Start the viewer, wait until the screen shows the page's blue box;
 * the time that took. */
/* An extra NAME=VALUE for the viewer's environment (the session bus of
 * the atril test), or NULL. */
static const char *view_env;

static double view_once(int who, int display, const char *profile, const char *const *prog,
                        const char *home, const char *log)
{
        char denv[32], henv[4200], xwd[128];
        snprintf(denv, sizeof(denv), "DISPLAY=:%d", display);
        snprintf(henv, sizeof(henv), "HOME=%s", home);
        snprintf(xwd, sizeof(xwd), "xwd -root -silent -display :%d", display);
        /* The screen must be clear of the previous run first. */
        for (int i = 0; i < 50 && count_colour(xwd, true, "#3366CC") > 100; i++)
                usleep(100 * 1000);
        struct cmd c;
        build_cmd(&c, view_env ? ARGS(denv, henv, view_env) : ARGS(denv, henv), profile, NULL, prog);
        double t0 = now_ms(), t = -1;
        pid_t pid = spawn_bg(who, c.v, log);
        while (now_ms() - t0 < 40000) {
                long n = count_colour(xwd, true, "#3366CC");
                if (n > 3000) {
                        t = now_ms() - t0;
                        break;
                }
                if (waitpid(pid, NULL, WNOHANG) == pid) {
                        pid = -1;
                        break;
                }
                usleep(10 * 1000);
        }
        if (pid > 0)
                stop_bg(pid);
        char *out = read_text(log);
        cr_assert(t >= 0, "[%s] %s %s: the page never showed on the screen\n%s",
                  who == AS_ROOT ? "root" : "user", profile ? profile : "bare", prog[0], out);
        free(out);
        return t;
}

/* opts: options between the program and the PDF (NULL: none).  bus:
 * run a session dbus-daemon for the viewer (as the unprivileged user only:
 * a root caller's sandbox runs as 65534, which the bus, owned by root,
 * refuses). */
static void viewer_run(const char *what, const char *bin, const char *const *opts, const char *package,
                       bool bus)
{
        need(bin, package);
        need("/usr/bin/Xvfb", "xvfb");
        need("/usr/bin/xwd", "x11-apps");
        need("/usr/bin/convert", "imagemagick");
        char *d = make_tmpdir();
        char *pdf = fixture(d, "sample.pdf", NULL);
        char *home = mkdir_open(d, "home");
        char *log = path_join(d, "viewer.log");
        int display;
        pid_t xpid = start_xvfb(&display, d);
        pid_t bpid = -1;
        char benv[4200];
        if (bus) {
                need("/usr/bin/dbus-daemon", "dbus-daemon");
                char *busdir = mkdir_open(d, "bus"), *sock = path_join(busdir, "bus"), *blog = path_join(d, "bus.log");
                chmod(busdir, 0777);
                char addr[4200];
                snprintf(addr, sizeof(addr), "--address=unix:path=%s", sock);
                bpid = spawn_bg(AS_USER, ARGS("dbus-daemon", "--session", "--nofork", addr), blog);
                for (int i = 0; i < 100 && !exists(sock); i++)
                        usleep(50 * 1000);
                cr_assert(exists(sock), "dbus-daemon did not start");
                snprintf(benv, sizeof(benv), "DBUS_SESSION_BUS_ADDRESS=unix:path=%s", sock);
                view_env = benv;
                free(busdir);
                free(sock);
                free(blog);
        }
        FOR_EACH_USER {
                if (bus && WHO == AS_ROOT)
                        continue;
                double bare[3], sbx[3];
                const char *prog[8];
                size_t n = 0;
                prog[n++] = bin;
                for (size_t i = 0; opts && opts[i] && n < 6; i++)
                        prog[n++] = opts[i];
                prog[n++] = pdf;
                prog[n] = NULL;
                for (int k = 0; k < 3; k++) {
                        bare[k] = view_once(WHO, display, NULL, prog, home, log);
                        sbx[k] = view_once(WHO, display, "document-viewer", prog, home, log);
                }
                report_time("document-viewer", what, WHO, median(bare, 3), median(sbx, 3));
        }
        stop_bg(xpid);
        if (bpid > 0)
                stop_bg(bpid);
        view_env = NULL;
        free(pdf);
        free(home);
        free(log);
        rm_rf(d);
}

static void viewer_opts(const char *what, const char *bin, const char *const *opts, const char *package)
{
        viewer_run(what, bin, opts, package, false);
}

static void viewer(const char *what, const char *bin, const char *package)
{
        viewer_opts(what, bin, NULL, package);
}

/* KDE's viewer (Qt, on X11 through xcb).  Presentation mode shows the
 * whole page, whose blue box the check looks for; the sandbox's home is a
 * fresh tmpfs, so no configuration can choose the zoom. */
/* MATE's viewer needs a session bus (without one it exits at once): the
 * profile's [dbus] lets it own its names through a filtering proxy and
 * see nothing else.  Presentation mode shows the whole page. */
Test(profiles_real, viewer_atril_with_session_bus, .timeout = 300)
{
        need("/usr/bin/xdg-dbus-proxy", "xdg-dbus-proxy");
        viewer_run("atril PDF on Xvfb, filtered bus", "/usr/bin/atril", ARGS("--presentation"), "atril", true);
}

Test(profiles_real, viewer_okular, .timeout = 300)
{
        viewer_opts("okular PDF on Xvfb", "/usr/bin/okular", ARGS("--presentation"), "okular");
}

/* GNOME's viewer on X11: it used to stop with a MIT-SHM BadAccess now
 * and then, until gui.inc denied shmget. */
Test(profiles_real, viewer_evince_x11, .timeout = 300)
{
        viewer("evince PDF on Xvfb", "/usr/bin/evince", "evince");
}

Test(profiles_real, viewer_zathura, .timeout = 300)
{
        viewer("zathura PDF on Xvfb", "/usr/bin/zathura", "zathura zathura-pdf-poppler");
}

Test(profiles_real, viewer_mupdf, .timeout = 300)
{
        viewer("mupdf-x11 PDF on Xvfb", "/usr/lib/mupdf/mupdf-x11", "mupdf");
}

/* Debian's /usr/bin/mupdf is a shell script: its interpreter is let run
 * because it is the program's, and it starts mupdf-x11. */
Test(profiles_real, viewer_mupdf_wrapper_script, .timeout = 300)
{
        viewer("mupdf (sh wrapper) on Xvfb", "/usr/bin/mupdf", "mupdf");
}

/* gui.inc denies shmget: a SysV segment id made in the sandbox's IPC
 * namespace means another segment to the X server (MIT-SHM), so toolkits
 * must not get one.  The same launch with the deny taken out creates one
 * (in the private namespace, gone with it), so the check can fail. */
Test(profiles_real, gui_profiles_get_no_sysv_shm)
{
        /* shmget(IPC_PRIVATE, 4096, IPC_CREAT | 0600) */
        const char *const call[] = { probe_bin(), "syscall", "29", "0", "4096", "01600", NULL };
        const char *const profiles[] = { "document-viewer" }; /* gui.inc's other users need a home */
        FOR_EACH_USER {
                for (size_t i = 0; i < sizeof(profiles) / sizeof(profiles[0]); i++) {
                        struct run_result r;
                        run_timed(WHO, NULL, profiles[i], probe_extra(), call, NULL, 60, &r);
                        cr_assert(strncmp(r.out, "DENIED EPERM", 12) == 0, "[%s] %s: shmget: %s %s",
                                  WHO_NAME, profiles[i], r.out, r.err);
                        run_result_free(&r);
                        struct cmd extra = { 0 };
                        add(&extra, probe_extra());
                        /* and without a memory limit, which without a cgroup
                         * (uid 65534 here) refuses shmget too */
                        add(&extra, ARGS("--set", "seccomp.deny=!shmget", "--set", "limits.memory=unlimited"));
                        run_timed(WHO, NULL, profiles[i], extra.v, call, NULL, 60, &r);
                        cr_assert(strncmp(r.out, "OK", 2) == 0, "[%s] %s without the deny: %s %s", WHO_NAME,
                                  profiles[i], r.out, r.err);
                        run_result_free(&r);
                }
        }
}

Test(profiles_real, viewer_forbidden)
{
        char *d = make_tmpdir();
        char *doc = path_join(d, "doc.pdf");
        char *out = path_join(d, "out.txt");
        cr_assert_eq(write_file(doc, "%PDF-1.4\n", 0666), 0);
        int port;
        pid_t srv = serve(&port, NULL, false);
        char p[16];
        snprintf(p, sizeof(p), "%d", port);
        FOR_EACH_USER {
                expect_forbidden(WHO, NULL, "document-viewer", ARGS("connect", "127.0.0.1", p),
                                 "a TCP connection");
                expect_forbidden(WHO, NULL, "document-viewer", ARGS("write", doc),
                                 "writing the opened document");
                unlink(out);
                expect_forbidden(WHO, NULL, "document-viewer", ARGS("write", out),
                                 "writing outside the private tmpfs");
                unlink(out);
                cr_assert_eq(write_file(doc, "%PDF-1.4\n", 0666), 0);
        }
        stop_server(srv);
        free(doc);
        free(out);
        rm_rf(d);
}
