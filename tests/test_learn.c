/* test_learn.c — `sbx learn` on real Debian programs sbx ships no profile
 * for (sqlite3 writing a database in the working directory, python3 and
 * node running a script that runs a subprocess, a `make` build), as root
 * and as uid 65534: the base profile alone refuses the run (so the learned
 * additions are needed), the learned profile makes it succeed (sbx learn's
 * own rerun and a separate `sbx run`), binds neither `/`, a top-level
 * directory, the home nor a persistence point, and `sbx analyze` scores it
 * no worse than the closest shipped profile.  And the recording sandbox is
 * still a sandbox: what it writes is thrown away, the persistence points
 * and sbx's profiles stay out of its reach (each shown to work bare). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "real/realutil.h"

struct learn_case {
        const char *what;
        const char *base, *closest;
        const char *const *prog;
        const char *const *files; /* NAME, CONTENT pairs written into the directory */
        const char *out;          /* a file the run writes */
        const char *expect;       /* in stdout */
        bool var_tmp;             /* work in /var/tmp (a directory below a top-level one) */
};

/* A fresh working directory owned by uid 65534: the program runs as 65534
 * for both callers, and the recording's overlay copies a directory up only
 * when its owner is mapped in the sandbox's user namespace. */
static char *workdir(const struct learn_case *c)
{
        char tmpl[] = "/var/tmp/sbx-test-XXXXXX";
        char *d = c->var_tmp ? (mkdtemp(tmpl) ? strdup(tmpl) : NULL) : make_tmpdir();
        cr_assert(d);
        for (size_t i = 0; c->files && c->files[i]; i += 2) {
                char *p = path_join(d, c->files[i]);
                cr_assert_eq(write_file(p, c->files[i + 1], 0644), 0, "%s", p);
                cr_assert_eq(chown(p, 65534, 65534), 0);
                free(p);
        }
        cr_assert_eq(chown(d, 65534, 65534), 0);
        return d;
}

/* The exposure score of `sbx analyze PROFILE`, times ten. */
static int exposure(const char *profile)
{
        struct run_result r;
        cr_assert_eq(run_sbx(AS_ROOT, &r, "analyze", profile, NULL), 0);
        cr_assert_eq(r.status, 0, "sbx analyze %s: %s", profile, r.err);
        const char *e = strstr(r.out, "Exposure: ");
        cr_assert(e, "no score in: %s", r.out);
        unsigned whole = 0, tenth = 0;
        cr_assert_eq(sscanf(e, "Exposure: %u.%u", &whole, &tenth), 2);
        run_result_free(&r);
        return (int)(whole * 10 + tenth);
}

/* Every bind the profile writes: not `/`, not a top-level directory, not
 * the home or one of its parents, nothing of a home at all (these runs use
 * none) and no persistence point. */
static void check_binds(const char *profile_text, const char *home)
{
        char *copy = strdup(profile_text);
        for (char *line = strtok(copy, "\n"); line; line = strtok(NULL, "\n")) {
                const char *v = NULL;
                if (strncmp(line, "bind = ", 7) == 0)
                        v = line + 7;
                else if (strncmp(line, "ro-bind = ", 10) == 0)
                        v = line + 10;
                if (!v)
                        continue;
                char path[4096];
                cr_assert_eq(sscanf(v, "%4095[^: ]", path), 1, "%s", line);
                cr_assert(path[0] == '/' && strchr(path + 1, '/'), "too broad: %s", line);
                size_t hl = strlen(home);
                cr_assert(strncmp(path, home, hl) != 0 && strncmp(home, path, strlen(path)) != 0,
                          "binds the home (%s): %s", home, line);
                static const char *const points[] = { "/.ssh", "/.bashrc", "/.profile", "/.config/autostart",
                                                      "/.config/systemd", "/.local/bin", "/.config/sbx",
                                                      "/.gnupg", NULL };
                for (size_t i = 0; points[i]; i++)
                        cr_assert(!strstr(path, points[i]), "binds a persistence point: %s", line);
                cr_assert(strcmp(path, "/etc") != 0 && strcmp(path, "/usr") != 0, "too broad: %s", line);
        }
        free(copy);
}

static void learn_one(const struct learn_case *c)
{
        FOR_EACH_USER {
                char *d = workdir(c);
                char *pdir = make_tmpdir();
                char *profile = path_join(pdir, "learned.ini");
                char *out = path_join(d, c->out);
                cr_assert_eq(chdir(d), 0);
                const char *home = WHO == AS_ROOT ? "/root" : "/nonexistent";

                /* Bare, the program works. */
                struct run_result r;
                cr_assert_eq(run_cmd(WHO, NULL, 60, &r, c->prog), 0);
                cr_assert_eq(r.status, 0, "[%s] %s bare: %s", WHO_NAME, c->what, r.err);
                run_result_free(&r);
                unlink(out);

                /* The base profile alone refuses it. */
                struct cmd base = { 0 };
                build_cmd(&base, NULL, c->base, NULL, c->prog);
                cr_assert_eq(run_cmd(WHO, NULL, 60, &r, base.v), 0);
                cr_assert(r.status != 0 || !exists(out), "[%s] %s: the base profile %s already allows it",
                          WHO_NAME, c->what, c->base);
                run_result_free(&r);
                unlink(out);

                /* Learned: the rerun matches. */
                struct cmd learn = { 0 };
                add(&learn, ARGS(sbx_bin(), "learn", "--profile", c->base, "-o", profile, "--"));
                add(&learn, c->prog);
                cr_assert_eq(run_cmd(WHO, NULL, 120, &r, learn.v), 0);
                cr_assert_eq(r.status, 0, "[%s] %s: sbx learn exit %d\n%s", WHO_NAME, c->what, r.status, r.err);
                cr_assert(strstr(r.err, "rerun matched"), "[%s] %s: %s", WHO_NAME, c->what, r.err);
                cr_assert(strstr(r.err, "Exposure:"), "[%s] %s: no analysis: %s", WHO_NAME, c->what, r.err);
                cr_assert(!c->expect || strstr(r.out, c->expect), "[%s] %s: %s", WHO_NAME, c->what, r.out);
                run_result_free(&r);

                /* And a plain `sbx run` of it, separately. */
                unlink(out);
                struct cmd again = { 0 };
                build_cmd(&again, NULL, profile, NULL, c->prog);
                cr_assert_eq(run_cmd(WHO, NULL, 60, &r, again.v), 0);
                cr_assert_eq(r.status, 0, "[%s] %s under the learned profile: %s", WHO_NAME, c->what, r.err);
                cr_assert(exists(out), "[%s] %s: no %s", WHO_NAME, c->what, c->out);
                run_result_free(&r);

                char *text = read_text(profile);
                cr_assert(text);
                check_binds(text, home);
                free(text);
                int learned = exposure(profile), closest = exposure(c->closest);
                cr_assert(learned <= closest, "[%s] %s: learned profile exposure %d.%d, %s %d.%d", WHO_NAME,
                          c->what, learned / 10, learned % 10, c->closest, closest / 10, closest % 10);
                cr_assert_eq(chdir("/"), 0);
                free(out);
                free(profile);
                rm_rf(pdir);
                rm_rf(d);
        }
}

Test(learn, sqlite3_database_in_cwd, .timeout = 120)
{
        need("/usr/bin/sqlite3", "sqlite3");
        struct learn_case c = {
                .what = "sqlite3", .base = "default", .closest = "default",
                .prog = ARGS("sqlite3", "test.db", "create table t(a); insert into t values(42); select a from t;"),
                .out = "test.db", .expect = "42",
        };
        learn_one(&c);
}

static const char job_py[] = "import subprocess\n"
                             "out = subprocess.run(['sort'], input=b'b\\na\\n', capture_output=True,\n"
                             "                     check=True).stdout\n"
                             "open('out.txt', 'wb').write(out)\n"
                             "print(','.join(out.decode().split()))\n";

Test(learn, python3_script_with_subprocess, .timeout = 120)
{
        need("/usr/bin/python3", "python3-minimal");
        struct learn_case c = {
                .what = "python3", .base = "script", .closest = "script",
                .prog = ARGS("/usr/bin/python3", "job.py"), .files = ARGS("job.py", job_py),
                .out = "out.txt", .expect = "a,b",
        };
        learn_one(&c);
}

static const char job_js[] = "const { execFileSync } = require('child_process');\n"
                             "const out = execFileSync('sort', { input: 'b\\na\\n' }).toString();\n"
                             "require('fs').writeFileSync('out.txt', out);\n"
                             "console.log(out.trim().split('\\n').join(','));\n";

Test(learn, node_script_with_subprocess, .timeout = 120)
{
        need("/usr/bin/node", "nodejs");
        struct learn_case c = {
                .what = "node", .base = "script", .closest = "script",
                .prog = ARGS("/usr/bin/node", "job.js"), .files = ARGS("job.js", job_js),
                .out = "out.txt", .expect = "a,b",
        };
        learn_one(&c);
}

static const char makefile[] = "all: hello\n\t./hello > out.txt\n\tcat out.txt\n"
                               "hello: hello.c\n\tcc -o hello hello.c\n";

Test(learn, make_build, .timeout = 120)
{
        need("/usr/bin/make", "make");
        need("/usr/bin/cc", "gcc");
        /* From `default` (cwd read-only, no compiler internals executable),
         * compared with the shipped `build` profile. */
        struct learn_case c = {
                .what = "make", .base = "default", .closest = "build",
                .prog = ARGS("make", "-s"),
                .files = ARGS("Makefile", makefile, "hello.c",
                              "#include <stdio.h>\nint main(void) { puts(\"hello\"); return 0; }\n"),
                .out = "out.txt", .expect = "hello", .var_tmp = true,
        };
        learn_one(&c);
}

/* The recording sandbox keeps nothing and reaches neither the persistence
 * points nor sbx's profiles; the same commands bare do both. */
Test(learn, recording_is_still_a_sandbox, .timeout = 120)
{
        FOR_EACH_USER {
                char *d = make_tmpdir();
                cr_assert_eq(chown(d, 65534, 65534), 0);
                char *home = path_join(d, "home");
                char *ssh = path_join(home, ".ssh");
                char *key = path_join(ssh, "id_test");
                cr_assert_eq(mkdir(home, 0755), 0);
                cr_assert_eq(mkdir(ssh, 0700), 0);
                cr_assert_eq(write_file(key, "SECRET-KEY\n", 0600), 0);
                cr_assert_eq(chown(home, 65534, 65534) | chown(ssh, 65534, 65534) | chown(key, 65534, 65534), 0);
                char *kept = path_join(d, "kept");
                char *profiles = path_join(source_dir(), "profiles");
                char *pdir = make_tmpdir();
                char *out = path_join(pdir, "learned.ini");
                /* The checkout's path may hold spaces (scripts/test). */
                char *qkept = shq(kept), *qkey = shq(key), *qdef = NULL, *qplant = NULL, *script = NULL;
                char *def = path_join(profiles, "default.ini"), *plant = path_join(profiles, "planted.ini");
                qdef = shq(def);
                qplant = shq(plant);
                cr_assert(asprintf(&script, "echo x > %s; cat %s; cat %s | head -1; echo y > %s; exit 0", qkept,
                                   qkey, qdef, qplant) > 0);
                free(qkept);
                free(qkey);
                free(qdef);
                free(qplant);
                free(def);
                free(plant);
                char *henv = NULL;
                cr_assert(asprintf(&henv, "HOME=%s", home) > 0);
                cr_assert_eq(chdir(d), 0);

                struct run_result r;
                if (WHO == AS_USER) {
                        /* Bare (as the same user): all of it works but the
                         * profile directory, which 65534 cannot write anyway. */
                        cr_assert_eq(run_cmd(WHO, NULL, 30, &r, ARGS("env", henv, "sh", "-c", script)), 0);
                        cr_assert(strstr(r.out, "SECRET-KEY") && exists(kept), "bare: %s %s", r.out, r.err);
                        cr_assert(strstr(r.out, "default.ini"), "bare: %s", r.out);
                        run_result_free(&r);
                        unlink(kept);
                }
                cr_assert_eq(run_cmd(WHO, NULL, 60, &r,
                                     ARGS("env", henv, sbx_bin(), "learn", "--no-rerun", "-o", out, "--", "sh",
                                          "-c", script)),
                             0);
                cr_assert_eq(r.status, 0, "[%s] %s", WHO_NAME, r.err);
                cr_assert(!strstr(r.out, "SECRET-KEY"), "[%s] the recording read ~/.ssh: %s", WHO_NAME, r.out);
                cr_assert(!strstr(r.out, "default.ini"), "[%s] the recording read sbx's profiles: %s", WHO_NAME,
                          r.out);
                cr_assert(!exists(kept), "[%s] the recording's write was kept", WHO_NAME);
                char *planted = path_join(profiles, "planted.ini");
                cr_assert(!exists(planted), "[%s] a profile was planted", WHO_NAME);
                unlink(planted);
                free(planted);
                /* The recording shares the host's network: the host's
                 * abstract sockets (X11, D-Bus) stay out of reach. */
                char aname[64];
                snprintf(aname, sizeof(aname), "sbx-learn-test-%d", getpid());
                int as = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
                struct sockaddr_un sa = { .sun_family = AF_UNIX };
                memcpy(sa.sun_path + 1, aname, strlen(aname));
                cr_assert_eq(bind(as, (struct sockaddr *)&sa,
                                  (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + strlen(aname))), 0);
                cr_assert_eq(listen(as, 4), 0);
                struct run_result ra;
                cr_assert_eq(run_cmd(WHO, NULL, 60, &ra, ARGS(probe_bin(), "abstract", aname)), 0);
                cr_assert(strncmp(ra.out, "OK", 2) == 0, "[%s] bare: %s", WHO_NAME, ra.out);
                run_result_free(&ra);
                char *aout = path_join(pdir, "abstract.ini");
                cr_assert_eq(run_cmd(WHO, NULL, 60, &ra,
                                     ARGS(sbx_bin(), "learn", "--no-rerun", "-o", aout, "--", probe_bin(),
                                          "abstract", aname)),
                             0);
                cr_assert(strncmp(ra.out, "DENIED", 6) == 0, "[%s] the recording reached a host abstract socket: %s %s",
                          WHO_NAME, ra.out, ra.err);
                run_result_free(&ra);
                close(as);
                free(aout);
                /* No recording without the filter: refused, not run bare. */
                char *nosc = path_join(pdir, "noseccomp.ini");
                cr_assert_eq(write_file(nosc, "[profile]\ninclude = default\n[seccomp]\nenabled = no\n", 0644), 0);
                struct run_result r2;
                cr_assert_eq(run_cmd(WHO, NULL, 60, &r2, ARGS(sbx_bin(), "learn", "-p", nosc, "--", "true")), 0);
                cr_assert(r2.status == 2 && strstr(r2.err, "[seccomp] enabled"), "[%s] %d %s", WHO_NAME, r2.status,
                          r2.err);
                run_result_free(&r2);
                free(nosc);
                char *text = read_text(out);
                cr_assert(text);
                for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n"))
                        cr_assert(line[0] == ';' || !strstr(line, ".ssh"),
                                  "[%s] the learned profile binds ~/.ssh: %s", WHO_NAME, line);
                free(text);
                run_result_free(&r);
                cr_assert_eq(chdir("/"), 0);
                free(script);
                free(henv);
                free(kept);
                free(key);
                free(ssh);
                free(home);
                free(profiles);
                free(out);
                rm_rf(pdir);
                rm_rf(d);
        }
}

/* A multi-process program learned whole: Debian's /usr/bin/chromium is a
 * shell script that runs uname, grep, expr… and then the browser, which
 * starts its zygote, renderers and crash handler.  The page is outside
 * what the base `browser` profile shows. */
Test(learn, chromium_script_and_zygote, .timeout = 240)
{
        need("/usr/bin/chromium", "chromium");
        FOR_EACH_USER {
                char *d = make_tmpdir();
                char *page = path_join(d, "page.html");
                cr_assert_eq(write_file(page, "<html><body><p>hello-learn</p></body></html>\n", 0644), 0);
                /* As uid 65534 the browser's directories in the home are
                 * made first: persistence protection refuses new entries in
                 * ~/.config and ~/.cache (what sbx learn then says). */
                static const char *const dirs[] = { "home", "home/.config", "home/.cache",
                                                    "home/.config/chromium", "home/.cache/chromium",
                                                    "home/.config/chromium-headless",
                                                    "home/.cache/chromium-headless", "home/.cache/dconf", NULL };
                for (size_t i = 0; dirs[i]; i++) {
                        char *p = path_join(d, dirs[i]);
                        cr_assert_eq(mkdir(p, 0755), 0);
                        cr_assert_eq(chown(p, 65534, 65534), 0);
                        free(p);
                }
                cr_assert_eq(chown(d, 65534, 65534) | chown(page, 65534, 65534), 0);
                char *henv = NULL, *url = NULL;
                cr_assert(asprintf(&henv, "HOME=%s/home", d) > 0 && asprintf(&url, "file://%s", page) > 0);
                char *pdir = make_tmpdir();
                char *profile = path_join(pdir, "learned.ini");
                cr_assert_eq(chdir(d), 0);
                const char *const prog[] = { "chromium", "--headless", "--disable-gpu", "--dump-dom", url, NULL };

                /* Bare once, as 65534 (chromium refuses to run as root). */
                struct run_result r;
                if (WHO == AS_USER) {
                        struct cmd c = { 0 };
                        add(&c, ARGS("env", henv));
                        add(&c, prog);
                        cr_assert_eq(run_cmd(AS_USER, NULL, 120, &r, c.v), 0);
                        cr_assert(strstr(r.out, "hello-learn"), "[%s] bare: %s", WHO_NAME, r.err);
                        run_result_free(&r);
                }

                struct cmd b = { 0 };
                add(&b, ARGS("env", henv, sbx_bin(), "run", "--profile", "browser", "--"));
                add(&b, prog);
                cr_assert_eq(run_cmd(WHO, NULL, 120, &r, b.v), 0);
                cr_assert(!strstr(r.out, "hello-learn"), "[%s] the base profile already shows the page", WHO_NAME);
                run_result_free(&r);

                struct cmd lc = { 0 };
                add(&lc, ARGS("env", henv, sbx_bin(), "learn", "--profile", "browser", "-o", profile, "--"));
                add(&lc, prog);
                /* Chromium fails on its own when the uid's inotify
                 * instances run out (a machine busy with other tests as the
                 * same user): then the recording run itself failed, and it
                 * is tried once more. */
                for (int attempt = 0;; attempt++) {
                        cr_assert_eq(run_cmd(WHO, NULL, 180, &r, lc.v), 0);
                        if (attempt == 0 && !strstr(r.out, "hello-learn") &&
                            strstr(r.err, "the recording run itself exited")) {
                                run_result_free(&r);
                                continue;
                        }
                        break;
                }
                cr_assert_eq(r.status, 0, "[%s] sbx learn exit %d\n%s", WHO_NAME, r.status, r.err);
                cr_assert(strstr(r.err, "rerun matched"), "[%s] %s", WHO_NAME, r.err);
                /* Twice: the recording's and the rerun's. */
                const char *h = strstr(r.out, "hello-learn");
                cr_assert(h && strstr(h + 1, "hello-learn"), "[%s] %s\n%s", WHO_NAME, r.out, r.err);
                run_result_free(&r);

                char *text = read_text(profile);
                cr_assert(text);
                /* The script's tools and the browser's own processes. */
                cr_assert(strstr(text, "allow = /usr/bin/expr") && strstr(text, "allow = /usr/lib/chromium/chromium"),
                          "[%s] %s", WHO_NAME, text);
                check_binds(text, WHO == AS_ROOT ? "/root" : "/nonexistent-home-unused");
                free(text);
                cr_assert(exposure(profile) <= exposure("browser"), "[%s] exposure", WHO_NAME);
                cr_assert_eq(chdir("/"), 0);
                free(henv);
                free(url);
                free(page);
                free(profile);
                rm_rf(pdir);
                rm_rf(d);
        }
}

/* Network use is recorded, not refused: a script that fetches from a
 * service of the host (a server on 127.0.0.1 this test starts) under
 * `script` (own network namespace: refused there) gets `mode = host`, the
 * port and the socket family, and nothing else of the network. */
static const char fetch_py[] = "import socket, sys\n"
                               "s = socket.create_connection(('127.0.0.1', int(sys.argv[1])))\n"
                               "s.sendall(b'GET / HTTP/1.0\\r\\n\\r\\n')\n"
                               "data = b''\n"
                               "while True:\n"
                               "    b = s.recv(4096)\n"
                               "    if not b: break\n"
                               "    data += b\n"
                               "print(data.decode().split('\\r\\n\\r\\n', 1)[1])\n";

Test(learn, network_service_of_the_host, .timeout = 120)
{
        need("/usr/bin/python3", "python3-minimal");
        int port = 0;
        pid_t srv = serve(&port, "served-to-learn", true);
        char portstr[16];
        snprintf(portstr, sizeof(portstr), "%d", port);
        FOR_EACH_USER {
                struct learn_case c = { .files = ARGS("fetch.py", fetch_py) };
                char *d = workdir(&c);
                char *pdir = make_tmpdir();
                char *profile = path_join(pdir, "learned.ini");
                cr_assert_eq(chdir(d), 0);
                const char *const prog[] = { "/usr/bin/python3", "fetch.py", portstr, NULL };
                struct run_result r;
                cr_assert_eq(run_cmd(WHO, NULL, 60, &r, prog), 0);
                cr_assert(strstr(r.out, "served-to-learn"), "[%s] bare: %s", WHO_NAME, r.err);
                run_result_free(&r);

                struct cmd base = { 0 };
                build_cmd(&base, NULL, "script", NULL, prog);
                cr_assert_eq(run_cmd(WHO, NULL, 60, &r, base.v), 0);
                cr_assert(r.status != 0 && !strstr(r.out, "served-to-learn"), "[%s] script reached the host",
                          WHO_NAME);
                run_result_free(&r);

                struct cmd lc = { 0 };
                add(&lc, ARGS(sbx_bin(), "learn", "--profile", "script", "-o", profile, "--"));
                add(&lc, prog);
                cr_assert_eq(run_cmd(WHO, NULL, 120, &r, lc.v), 0);
                cr_assert_eq(r.status, 0, "[%s] sbx learn exit %d\n%s", WHO_NAME, r.status, r.err);
                cr_assert(strstr(r.err, "rerun matched"), "[%s] %s", WHO_NAME, r.err);
                run_result_free(&r);
                char *text = read_text(profile);
                char want[64];
                snprintf(want, sizeof(want), "tcp-connect = %d  ;", port);
                cr_assert(text && strstr(text, "\nmode = host  ;") && strstr(text, want) &&
                                  strstr(text, "\nsocket = inet"),
                          "[%s] %s", WHO_NAME, text);
                cr_assert(!strstr(text, "tcp-bind"), "[%s] %s", WHO_NAME, text);
                free(text);
                cr_assert_eq(chdir("/"), 0);
                free(profile);
                rm_rf(pdir);
                rm_rf(d);
        }
        stop_server(srv);
}

/* A static binary is recorded like any other (no LD_PRELOAD, no loader):
 * the static probe reads a file outside the base's view, and the learned
 * profile binds that file and the probe, and nothing more of the host. */
Test(learn, static_binary, .timeout = 60)
{
        FOR_EACH_USER {
                char *d = make_tmpdir();
                char *f = path_join(d, "data.txt");
                cr_assert_eq(write_file(f, "static-learn\n", 0644), 0);
                char *pdir = make_tmpdir();
                char *profile = path_join(pdir, "learned.ini");
                struct run_result r;
                cr_assert_eq(run_cmd(WHO, NULL, 60, &r,
                                     ARGS(sbx_bin(), "learn", "-o", profile, "--", probe_bin(), "read", f)),
                             0);
                cr_assert_eq(r.status, 0, "[%s] %s\n%s", WHO_NAME, r.out, r.err);
                cr_assert(strstr(r.err, "rerun matched"), "[%s] %s", WHO_NAME, r.err);
                run_result_free(&r);
                char *text = read_text(profile);
                char want[4200];
                snprintf(want, sizeof(want), "\nro-bind = %s  ;", f);
                cr_assert(text && strstr(text, want), "[%s] %s", WHO_NAME, text);
                check_binds(text, WHO == AS_ROOT ? "/root" : "/nonexistent");
                free(text);
                free(profile);
                free(f);
                rm_rf(pdir);
                rm_rf(d);
        }
}
