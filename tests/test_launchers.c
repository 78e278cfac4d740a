/* test_launchers.c — `sbx desktop install|remove|list`: a launcher for
 * firefox-esr that desktop-file-validate accepts, whose Exec line (run as
 * the desktop runs it) starts firefox in the browser profile, and that
 * remove takes away without a trace; foreign files are never replaced, and
 * only the system's (root-owned) entries are wrapped.  As root and as uid
 * 65534. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "real/realutil.h"

#define FIREFOX_DESKTOP "/usr/share/applications/firefox-esr.desktop"

static char *tmp;

static void setup(void) { tmp = make_tmpdir(); }
static void teardown(void) { rm_rf(tmp); }

TestSuite(launchers, .init = setup, .fini = teardown, .timeout = 300);

/* A home for `who` (its own, as a desktop user's is). */
static char *home_for(int who, const char *name)
{
        char *h = path_join(tmp, name);
        cr_assert_eq(mkdir(h, 0755), 0);
        cr_assert_eq(chown(h, who == AS_USER ? 65534 : 0, who == AS_USER ? 65534 : 0), 0);
        setenv("HOME", h, 1);
        unsetenv("XDG_DATA_HOME");
        unsetenv("XDG_DATA_DIRS");
        return h;
}

static char *tree(const char *dir)
{
        char cmd[4200];
        snprintf(cmd, sizeof(cmd), "cd '%s' && find . | sort", dir);
        FILE *p = popen(cmd, "r");
        cr_assert(p);
        char *out = calloc(1, 65536);
        size_t n = fread(out, 1, 65535, p);
        out[n] = 0;
        pclose(p);
        return out;
}

static char *line_of(const char *text, const char *key)
{
        size_t k = strlen(key);
        for (const char *l = text; l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
                if (strncmp(l, key, k) == 0) {
                        size_t n = strcspn(l, "\n");
                        return strndup(l, n);
                }
        return NULL;
}

Test(launchers, firefox_launcher_runs_in_the_browser_profile)
{
        need("/usr/lib/firefox-esr/firefox-esr", "firefox-esr");
        need("/usr/bin/desktop-file-validate", "desktop-file-utils");
        char *src = read_text(FIREFOX_DESKTOP);
        cr_assert(src);
        FOR_EACH_USER {
                char hn[32];
                snprintf(hn, sizeof(hn), "home-%s", WHO_NAME);
                char *home = home_for(WHO, hn);
                char *before = tree(home);
                struct run_result r;
                cr_assert_eq(run_sbx(WHO, &r, "desktop", "install", "firefox-esr", "--wrapper", NULL), 0);
                cr_assert_eq(r.status, 0, "[%s] %s", WHO_NAME, r.err);
                run_result_free(&r);
                char *file = path_join(home, ".local/share/applications/firefox-esr.desktop");
                char *text = read_text(file);
                cr_assert(text, "[%s] no %s", WHO_NAME, file);
                cr_assert_eq(run_cmd(WHO, NULL, 30, &r, ARGS("desktop-file-validate", file)), 0);
                cr_assert_eq(r.status, 0, "[%s] desktop-file-validate: %s%s", WHO_NAME, r.out, r.err);
                cr_assert_str_eq(r.out, "", "[%s] desktop-file-validate: %s", WHO_NAME, r.out);
                run_result_free(&r);
                /* Icons, MIME types, names and categories kept as they are. */
                const char *kept[] = { "Icon=", "MimeType=", "Name=", "Categories=", "StartupWMClass=" };
                for (size_t i = 0; i < sizeof(kept) / sizeof(kept[0]); i++) {
                        char *a = line_of(src, kept[i]), *b = line_of(text, kept[i]);
                        cr_assert(a && b && strcmp(a, b) == 0, "[%s] %s changed: %s vs %s", WHO_NAME, kept[i], a, b);
                        free(a);
                        free(b);
                }
                cr_assert(!strstr(text, "DBusActivatable"));
                char *exec = line_of(text, "Exec=");
                cr_assert(exec && strstr(exec, " run --profile browser -- /usr/lib/firefox-esr/firefox-esr %u"),
                          "[%s] %s", WHO_NAME, exec);

                /* The Exec line as the desktop runs it, its %u replaced by
                 * the arguments.  First a screenshot: firefox works there. */
                char *dl = mkdir_open(home, "Downloads"), *moz = mkdir_open(home, ".mozilla");
                char *prof = mkdir_open(moz, "t");
                char *shot = path_join(dl, "shot.png");
                char *line = exec + strlen("Exec=");
                char *pct = strstr(line, "%u");
                cr_assert(pct);
                char script[16384];
                snprintf(script, sizeof(script),
                         "%.*s -headless -no-remote -profile '%s' --window-size=800,600 -screenshot '%s' "
                         "'data:text/html,<body style=\"background:%%233366CC\">'",
                         (int)(pct - line), line, prof, shot);
                cr_assert_eq(run_cmd(WHO, NULL, 180, &r, ARGS("/bin/sh", "-c", script)), 0);
                cr_assert_eq(r.status, 0, "[%s] %s\n%s", WHO_NAME, script, r.err);
                unsigned w = 0, h = 0;
                cr_assert_eq(png_size(shot, &w, &h), 0, "[%s] firefox wrote no screenshot: %s", WHO_NAME, r.err);
                cr_assert(count_colour(shot, false, "#3366CC") > 800 * 600 / 2, "[%s] the page is not shown",
                          WHO_NAME);
                run_result_free(&r);

                /* Then running: it is the sandbox browser-firefox-esr of
                 * profile browser, and a file in the home outside that
                 * profile's view is unreadable from inside (readable bare). */
                char *rt = mkdir_open(tmp, WHO == AS_ROOT ? "rt-root" : "rt-user");
                cr_assert_eq(chmod(rt, 0700), 0);
                cr_assert_eq(chown(rt, WHO == AS_USER ? 65534 : 0, WHO == AS_USER ? 65534 : 0), 0);
                setenv("XDG_RUNTIME_DIR", rt, 1);
                char *secret = path_join(home, "secret.txt");
                cr_assert_eq(write_file(secret, "secret\n", 0644), 0);
                snprintf(script, sizeof(script), "exec %.*s -headless -no-remote -profile '%s' about:blank",
                         (int)(pct - line), line, prof);
                char *log = path_join(tmp, "ff.log");
                pid_t ff = spawn_bg(WHO, ARGS("/bin/sh", "-c", script), log);
                bool up = false;
                for (int i = 0; i < 600 && !up; i++) {
                        cr_assert_eq(run_sbx(WHO, &r, "ps", NULL), 0);
                        for (char *l = strtok(r.out, "\n"); l && !up; l = strtok(NULL, "\n"))
                                up = strncmp(l, "browser-firefox-esr ", 20) == 0 && strstr(l, " browser ") &&
                                     strstr(l, "/usr/lib/firefox-esr/firefox-esr");
                        run_result_free(&r);
                        if (!up)
                                usleep(50000);
                }
                cr_assert(up, "[%s] the launcher's firefox is not in sbx ps: %s", WHO_NAME, read_text(log));
                cr_assert_eq(run_sbx(WHO, &r, "enter", "browser-firefox-esr", "--", "/usr/bin/cat", secret, NULL), 0);
                cr_assert_neq(r.status, 0, "[%s] ESCAPE: %s read inside the browser sandbox", WHO_NAME, secret);
                run_result_free(&r);
                cr_assert_eq(run_cmd(WHO, NULL, 30, &r, ARGS("/usr/bin/cat", secret)), 0);
                cr_assert_eq(r.status, 0, "[%s] bare cat cannot fail", WHO_NAME);
                run_result_free(&r);
                cr_assert_eq(run_sbx(WHO, &r, "stop", "browser-firefox-esr", NULL), 0);
                cr_assert_eq(r.status, 0, "[%s] %s", WHO_NAME, r.err);
                run_result_free(&r);
                stop_bg(ff);
                unlink(log);
                free(log);
                unlink(secret);
                free(secret);
                free(rt);
                free(shot);
                free(prof);
                free(moz);
                free(dl);

                /* list, then remove: back to the tree from before. */
                cr_assert_eq(run_sbx(WHO, &r, "desktop", "list", NULL), 0);
                cr_assert(strncmp(r.out, "firefox-esr\tbrowser\t", 20) == 0, "[%s] %s", WHO_NAME, r.out);
                cr_assert(strstr(r.out, "/.local/bin/firefox-esr"), "%s", r.out);
                run_result_free(&r);
                cr_assert_eq(run_sbx(WHO, &r, "desktop", "remove", "firefox-esr", NULL), 0);
                cr_assert_eq(r.status, 0, "%s", r.err);
                run_result_free(&r);
                char cmd[4200];
                /* What firefox and sbx run made (the browser's files,
                 * sbx's own profile directory) is not the launcher's. */
                snprintf(cmd, sizeof(cmd), "rm -rf '%s/Downloads' '%s/.mozilla' '%s/.cache' '%s/.config'",
                         home, home, home, home);
                cr_assert_eq(system(cmd), 0);
                char *after = tree(home);
                cr_assert_str_eq(after, before, "[%s] left behind:\n%s\nbefore:\n%s", WHO_NAME, after, before);
                free(after);
                free(before);
                free(exec);
                free(text);
                free(file);
                free(home);
        }
        free(src);
}

Test(launchers, foreign_files_kept_and_only_system_entries_wrapped)
{
        need("/usr/lib/firefox-esr/firefox-esr", "firefox-esr");
        FOR_EACH_USER {
                char hn[32];
                snprintf(hn, sizeof(hn), "home2-%s", WHO_NAME);
                char *home = home_for(WHO, hn);
                struct run_result r;
                /* The user's own launcher of that name is not replaced. */
                char cmd[4200];
                snprintf(cmd, sizeof(cmd), "mkdir -p '%s/.local/share/applications' && echo '[Desktop Entry]' > "
                         "'%s/.local/share/applications/firefox-esr.desktop'", home, home);
                cr_assert_eq(run_cmd(WHO, NULL, 30, &r, ARGS("/bin/sh", "-c", cmd)), 0);
                run_result_free(&r);
                cr_assert_eq(run_sbx(WHO, &r, "desktop", "install", "firefox-esr", NULL), 0);
                cr_assert_eq(r.status, 1, "[%s] %s", WHO_NAME, r.err);
                cr_assert(strstr(r.err, "not written by sbx"), "%s", r.err);
                run_result_free(&r);
                char *f = path_join(home, ".local/share/applications/firefox-esr.desktop");
                char *t = read_text(f);
                cr_assert_str_eq(t, "[Desktop Entry]\n");
                free(t);
                cr_assert_eq(run_sbx(WHO, &r, "desktop", "remove", "firefox-esr", NULL), 0);
                cr_assert_eq(r.status, 1, "[%s] remove took a foreign file", WHO_NAME);
                run_result_free(&r);
                cr_assert(exists(f));
                /* A .desktop file the user (or a sandbox) could have
                 * written is never the source. */
                char *share = path_join(home, "share");
                snprintf(cmd, sizeof(cmd), "mkdir -p '%s/applications' && printf '[Desktop Entry]\\nType=Application\\n"
                         "Name=Evil\\nExec=/bin/true\\n' > '%s/applications/evil.desktop'", share, share);
                cr_assert_eq(run_cmd(WHO, NULL, 30, &r, ARGS("/bin/sh", "-c", cmd)), 0);
                run_result_free(&r);
                setenv("XDG_DATA_DIRS", share, 1);
                cr_assert_eq(run_sbx(WHO, &r, "desktop", "install", "evil", "--profile", "default", NULL), 0);
                cr_assert_eq(r.status, 1, "[%s] wrapped a user-written entry", WHO_NAME);
                run_result_free(&r);
                unsetenv("XDG_DATA_DIRS");
                free(share);
                free(f);
                free(home);
        }
}

/* An entry with actions (Evince's "new-window"): every Exec line is
 * wrapped, and desktop-file-validate says nothing of ours that it does not
 * say of the original. */
Test(launchers, actions_wrapped_too)
{
        need("/usr/bin/evince", "evince");
        need("/usr/bin/desktop-file-validate", "desktop-file-utils");
        const char *src = "/usr/share/applications/org.gnome.Evince.desktop";
        cr_assert(exists(src));
        FOR_EACH_USER {
                char hn[32];
                snprintf(hn, sizeof(hn), "home3-%s", WHO_NAME);
                char *home = home_for(WHO, hn);
                struct run_result r, orig;
                cr_assert_eq(run_sbx(WHO, &r, "desktop", "install", "org.gnome.Evince", NULL), 0);
                cr_assert_eq(r.status, 0, "[%s] %s", WHO_NAME, r.err);
                run_result_free(&r);
                char *file = path_join(home, ".local/share/applications/org.gnome.Evince.desktop");
                char *text = read_text(file);
                cr_assert(text);
                size_t execs = 0, wrapped = 0;
                for (const char *l = text; l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
                        if (strncmp(l, "Exec=", 5) == 0) {
                                execs++;
                                wrapped += strstr(l, " run --profile document-viewer -- /usr/bin/evince") &&
                                           strstr(l, " run --profile document-viewer -- /usr/bin/evince") <
                                                   strchr(l, '\n');
                        }
                cr_assert(execs >= 2 && wrapped == execs, "[%s] %zu Exec lines, %zu wrapped", WHO_NAME, execs,
                          wrapped);
                cr_assert(strstr(text, "[Desktop Action new-window]") && strstr(text, "Actions=new-window;"));
                cr_assert_eq(run_cmd(WHO, NULL, 30, &r, ARGS("desktop-file-validate", file)), 0);
                cr_assert_eq(run_cmd(WHO, NULL, 30, &orig, ARGS("desktop-file-validate", src)), 0);
                cr_assert_eq(r.status, 0, "[%s] %s", WHO_NAME, r.out);
                /* The same remarks, about the same keys. */
                size_t n = 0, m = 0;
                for (const char *c = r.out; (c = strstr(c, ": hint:")) || 0; c++)
                        n++;
                for (const char *c = orig.out; (c = strstr(c, ": hint:")) || 0; c++)
                        m++;
                cr_assert(n <= m && !strstr(r.out, "error:") && !strstr(r.out, "warning:"),
                          "[%s] ours: %s\noriginal: %s", WHO_NAME, r.out, orig.out);
                run_result_free(&r);
                run_result_free(&orig);
                cr_assert_eq(run_sbx(WHO, &r, "desktop", "remove", "org.gnome.Evince", NULL), 0);
                cr_assert_eq(r.status, 0);
                run_result_free(&r);
                cr_assert(!exists(file));
                free(text);
                free(file);
                free(home);
        }
}
