/* cli_profiles.c — profiles-real, part 2: the command-line profiles with
 * their real programs (document-converter, archive, network-service,
 * build, shell), bare and under `sbx run`, as root and as uid 65534, and
 * what each forbids shown to fail inside and to work bare.  Part 1 (check,
 * browser, viewer) is tests/test_profiles_real.c. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "realutil.h"

/* One workload, bare then in PROFILE, in directory CWD: it must exit 0
 * and leave OUT (a file, or NULL: stdout) containing EXPECT.  CLEAN (a
 * NULL-terminated list of paths) is removed before each run. */
struct workload {
        const char *profile, *what, *cwd;
        const char *const *env;
        const char *const *extra;
        const char *const *prog;
        const char *out, *expect;
        const char *const *clean;
        bool png; /* OUT must be a PNG */
};

static void clean_paths(const char *const *v)
{
        for (size_t i = 0; v && v[i]; i++)
                if (unlink(v[i]) < 0)
                        rmdir(v[i]);
}

static void check_result(const struct workload *w, int who, bool sandboxed, struct run_result *r)
{
        const char *how = sandboxed ? "in sbx" : "bare";
        const char *name = who == AS_ROOT ? "root" : "user";
        cr_assert_eq(r->status, 0, "[%s] %s %s: exit %d\nstdout: %s\nstderr: %s", name, w->what, how,
                     r->status, r->out, r->err);
        if (w->png) {
                unsigned wd, ht;
                cr_assert_eq(png_size(w->out, &wd, &ht), 0, "[%s] %s %s: %s is not a PNG (%s)", name,
                             w->what, how, w->out, r->err);
                cr_assert(wd > 50 && ht > 50, "[%s] %s %s: %ux%u", name, w->what, how, wd, ht);
                return;
        }
        char *text = w->out ? read_text(w->out) : strdup(r->out);
        cr_assert(text, "[%s] %s %s: no %s\nstderr: %s", name, w->what, how, w->out, r->err);
        cr_assert(!w->expect || strstr(text, w->expect), "[%s] %s %s: '%s' not in output: %s",
                  name, w->what, how, w->expect, text);
        free(text);
}

/* Short workloads run this often each way; the median is reported. */
#define REPEAT 5

static void run_workload(const struct workload *w)
{
        cr_assert_eq(chdir(w->cwd), 0, "chdir %s", w->cwd);
        FOR_EACH_USER {
                double t[2][REPEAT];
                /* Interleaved, so that a burst of load on the machine hits
                 * both columns alike. */
                for (int k = 0; k < REPEAT; k++)
                        for (int sandboxed = 0; sandboxed < 2; sandboxed++) {
                                struct run_result r;
                                clean_paths(w->clean);
                                t[sandboxed][k] = run_timed(WHO, w->env,
                                                            sandboxed ? w->profile : NULL, w->extra,
                                                            w->prog, NULL, 120, &r);
                                check_result(w, WHO, sandboxed, &r);
                                run_result_free(&r);
                        }
                report_time(w->profile, w->what, WHO, median(t[0], REPEAT), median(t[1], REPEAT));
        }
        clean_paths(w->clean);
}

/* ---- document-converter ------------------------------------------------ */

/* DIR/in holds the inputs (read-only to the program), DIR/out is the
 * working and output directory. */
struct conv {
        char *dir, *in, *out, *pdf, *png, *xml;
};

static void conv_setup(struct conv *c)
{
        c->dir = make_tmpdir();
        c->in = path_join(c->dir, "in");
        cr_assert_eq(mkdir(c->in, 0755), 0);
        c->out = mkdir_open(c->dir, "out");
        c->pdf = fixture(c->in, "sample.pdf", NULL);
        c->png = fixture(c->in, "sample.png", NULL);
        c->xml = fixture(c->in, "sample.xml", NULL);
}

static void conv_done(struct conv *c)
{
        cr_assert_eq(chdir("/"), 0);
        free(c->in);
        free(c->out);
        free(c->pdf);
        free(c->png);
        free(c->xml);
        rm_rf(c->dir);
}

Test(profiles_real, converter_pdftotext)
{
        need("/usr/bin/pdftotext", "poppler-utils");
        struct conv c;
        conv_setup(&c);
        char *txt = path_join(c.out, "sample.txt");
        struct workload w = { .profile = "document-converter", .what = "pdftotext", .cwd = c.out,
                              .prog = ARGS("/usr/bin/pdftotext", c.pdf, "sample.txt"),
                              .out = txt, .expect = "sbx profile test", .clean = ARGS(txt) };
        run_workload(&w);
        free(txt);
        conv_done(&c);
}

Test(profiles_real, converter_pdftoppm)
{
        need("/usr/bin/pdftoppm", "poppler-utils");
        struct conv c;
        conv_setup(&c);
        char *png = path_join(c.out, "page-1.png");
        struct workload w = { .profile = "document-converter", .what = "pdftoppm -png",
                              .cwd = c.out,
                              .prog = ARGS("/usr/bin/pdftoppm", "-png", "-r", "50", c.pdf, "page"),
                              .out = png, .png = true, .clean = ARGS(png) };
        run_workload(&w);
        free(png);
        conv_done(&c);
}

Test(profiles_real, converter_mutool)
{
        need("/usr/bin/mutool", "mupdf-tools");
        struct conv c;
        conv_setup(&c);
        char *png = path_join(c.out, "page.png");
        struct workload w = { .profile = "document-converter", .what = "mutool draw",
                              .cwd = c.out,
                              .prog = ARGS("/usr/bin/mutool", "draw", "-r", "50", "-o", "page.png",
                                           c.pdf),
                              .out = png, .png = true, .clean = ARGS(png) };
        run_workload(&w);
        free(png);
        conv_done(&c);
}

Test(profiles_real, converter_imagemagick)
{
        need("/usr/bin/convert", "imagemagick");
        struct conv c;
        conv_setup(&c);
        char *jpg = path_join(c.out, "small.jpg");
        struct workload w = { .profile = "document-converter", .what = "convert png->jpg",
                              .cwd = c.out,
                              .prog = ARGS("/usr/bin/convert", c.png, "-resize", "50%", "small.jpg"),
                              .out = jpg, .expect = "JFIF", .clean = ARGS(jpg) };
        run_workload(&w);
        free(jpg);
        conv_done(&c);
}

/* file(1) installs its own seccomp filter: the profile must let it stack. */
Test(profiles_real, converter_file)
{
        need("/usr/bin/file", "file");
        struct conv c;
        conv_setup(&c);
        struct workload w = { .profile = "document-converter", .what = "file", .cwd = c.out,
                              .prog = ARGS("/usr/bin/file", c.pdf, c.png),
                              .expect = "PDF document" };
        run_workload(&w);
        conv_done(&c);
}

Test(profiles_real, converter_xmllint)
{
        need("/usr/bin/xmllint", "libxml2-utils");
        struct conv c;
        conv_setup(&c);
        struct workload w = { .profile = "document-converter", .what = "xmllint --xpath",
                              .cwd = c.out,
                              .prog = ARGS("/usr/bin/xmllint", "--xpath", "string(//profile)", c.xml),
                              .expect = "xmllint ran" };
        run_workload(&w);
        conv_done(&c);
}

/* A crafted document asking for ~/.ssh/id_rsa (an XML external entity)
 * gets it bare and not in the profile; a converter told to write outside
 * its output directory cannot. */
Test(profiles_real, converter_forbidden)
{
        need("/usr/bin/xmllint", "libxml2-utils");
        need("/usr/bin/pdftotext", "poppler-utils");
        struct conv c;
        conv_setup(&c);
        char *home = mkdir_open(c.dir, "home");
        char *ssh = path_join(home, ".ssh");
        cr_assert_eq(mkdir(ssh, 0755), 0);
        char *key = path_join(ssh, "id_rsa");
        /* Readable by uid 65534 so that the bare run shows the leak. */
        cr_assert_eq(write_file(key, "-----BEGIN OPENSSH PRIVATE KEY-----\nsbx-fake-key\n", 0644), 0);
        char *xxe = path_join(c.in, "xxe.xml");
        char *doc = NULL;
        cr_assert(asprintf(&doc, "<?xml version=\"1.0\"?>\n<!DOCTYPE r [<!ENTITY k SYSTEM "
                                 "\"file://%s\">]>\n<r>&k;</r>\n", key) > 0);
        cr_assert_eq(write_file(xxe, doc, 0644), 0);
        char henv[4200];
        snprintf(henv, sizeof(henv), "HOME=%s", home);
        char *elsewhere = mkdir_open(c.dir, "elsewhere");
        char *stray = path_join(elsewhere, "stray.txt");
        cr_assert_eq(chdir(c.out), 0);
        FOR_EACH_USER {
                struct run_result r;
                run_timed(WHO, ARGS(henv), NULL, NULL, ARGS("/usr/bin/xmllint", "--noent", xxe), NULL,
                          30, &r);
                cr_assert(strstr(r.out, "sbx-fake-key"), "[%s] bare xmllint did not read the key: %s %s",
                          WHO_NAME, r.out, r.err);
                run_result_free(&r);
                run_timed(WHO, ARGS(henv), "document-converter", NULL,
                          ARGS("/usr/bin/xmllint", "--noent", xxe), NULL, 60, &r);
                cr_assert(!strstr(r.out, "sbx-fake-key") && !strstr(r.err, "sbx-fake-key"),
                          "[%s] ESCAPE: xmllint read ~/.ssh/id_rsa inside the profile: %s", WHO_NAME,
                          r.out);
                cr_assert(strstr(r.err, "id_rsa"), "[%s] xmllint should report the entity it could "
                          "not load: %s", WHO_NAME, r.err);
                run_result_free(&r);

                unlink(stray);
                run_timed(WHO, NULL, NULL, NULL, ARGS("/usr/bin/pdftotext", c.pdf, stray), NULL, 30, &r);
                cr_assert(r.status == 0 && exists(stray), "[%s] bare pdftotext: %s", WHO_NAME, r.err);
                run_result_free(&r);
                unlink(stray);
                run_timed(WHO, NULL, "document-converter", NULL,
                          ARGS("/usr/bin/pdftotext", c.pdf, stray), NULL, 60, &r);
                cr_assert(r.status != 0 && !exists(stray),
                          "[%s] ESCAPE: pdftotext wrote outside its output directory", WHO_NAME);
                run_result_free(&r);
        }
        conv_done(&c);
        free(home);
        free(ssh);
        free(key);
        free(xxe);
        free(doc);
        free(elsewhere);
        free(stray);
}

/* ---- archive ----------------------------------------------------------- */

struct arch {
        char *dir, *in, *out, *a, *b, *sub;
};

static void arch_setup(struct arch *x)
{
        x->dir = make_tmpdir();
        x->in = path_join(x->dir, "in");
        cr_assert_eq(mkdir(x->in, 0755), 0);
        x->out = mkdir_open(x->dir, "out");
        x->a = path_join(x->out, "a.txt");
        x->sub = path_join(x->out, "sub");
        x->b = path_join(x->sub, "b.txt");
}

static void arch_done(struct arch *x)
{
        cr_assert_eq(chdir("/"), 0);
        free(x->in);
        free(x->out);
        free(x->a);
        free(x->b);
        free(x->sub);
        rm_rf(x->dir);
}

static void extract(struct arch *x, const char *what, const char *const *prog)
{
        struct workload w = { .profile = "archive", .what = what, .cwd = x->out, .prog = prog,
                              .out = x->b, .expect = "bravo", .clean = ARGS(x->a, x->b, x->sub) };
        run_workload(&w);
}

Test(profiles_real, archive_tar)
{
        need("/usr/bin/tar", "tar");
        need("/usr/bin/gzip", "gzip");
        struct arch x;
        arch_setup(&x);
        char *tarf = fixture(x.in, "good.tar", NULL);
        extract(&x, "tar -xf", ARGS("/usr/bin/tar", "-xf", tarf));
        /* tar runs gzip itself: the profile must let it. */
        char *tgz = path_join(x.in, "good.tar.gz");
        char *sh = NULL;
        cr_assert(asprintf(&sh, "gzip -c '%s' > '%s' && chmod 644 '%s'", tarf, tgz, tgz) > 0);
        struct run_result r;
        cr_assert_eq(run_cmd(AS_ROOT, NULL, 30, &r, ARGS("sh", "-c", sh)), 0);
        run_result_free(&r);
        extract(&x, "tar -xzf (runs gzip)", ARGS("/usr/bin/tar", "-xzf", tgz));
        free(sh);
        free(tgz);
        free(tarf);
        arch_done(&x);
}

Test(profiles_real, archive_unzip)
{
        need("/usr/bin/unzip", "unzip");
        struct arch x;
        arch_setup(&x);
        char *zip = fixture(x.in, "good.zip", NULL);
        extract(&x, "unzip", ARGS("/usr/bin/unzip", "-o", "-q", zip));
        free(zip);
        arch_done(&x);
}

/* /usr/bin/7z is Debian's sh wrapper around /usr/lib/p7zip/7z. */
Test(profiles_real, archive_7z)
{
        need("/usr/lib/p7zip/7z", "p7zip-full");
        struct arch x;
        arch_setup(&x);
        char *tarf = fixture(x.in, "good.tar", NULL);
        char *sz = path_join(x.in, "good.7z");
        char *sh = NULL;
        cr_assert(asprintf(&sh, "set -e; d=$(mktemp -d); cd $d; tar -xf '%s'; "
                                "/usr/lib/p7zip/7z a -bd '%s' a.txt sub >/dev/null; chmod 644 '%s'; "
                                "rm -rf $d", tarf, sz, sz) > 0);
        struct run_result r;
        cr_assert_eq(run_cmd(AS_ROOT, NULL, 60, &r, ARGS("sh", "-c", sh)), 0);
        cr_assert_eq(r.status, 0, "making good.7z: %s", r.err);
        run_result_free(&r);
        extract(&x, "7z x (sh wrapper)", ARGS("/usr/bin/7z", "x", "-y", "-bd", sz));
        free(sh);
        free(sz);
        free(tarf);
        arch_done(&x);
}

/* A crafted archive with a ../ member, extracted with the extractor's own
 * check turned off (tar -P, unzip -:): bare it writes next to the output
 * directory; in the profile it cannot. */
static void traversal(const char *fixture_name, const char *const *prog_tail)
{
        char *d = make_tmpdir();
        char *in = path_join(d, "in");
        cr_assert_eq(mkdir(in, 0755), 0);
        char *evil = fixture(in, fixture_name, NULL);
        FOR_EACH_USER {
                for (int sandboxed = 0; sandboxed < 2; sandboxed++) {
                        char name[32];
                        snprintf(name, sizeof(name), "%s-%s", WHO_NAME, sandboxed ? "sbx" : "bare");
                        char *top = mkdir_open(d, name);
                        char *out = mkdir_open(top, "out");
                        char *escaped = path_join(top, "sbx-escaped.txt");
                        char *a = path_join(out, "a.txt");
                        struct cmd c = { 0 };
                        add(&c, prog_tail);
                        c.v[c.n++] = evil;
                        c.v[c.n] = NULL;
                        cr_assert_eq(chdir(out), 0);
                        struct run_result r;
                        run_timed(WHO, NULL, sandboxed ? "archive" : NULL, NULL, c.v, NULL, 60, &r);
                        cr_assert(exists(a), "[%s] %s %s: a.txt not extracted: %s", WHO_NAME,
                                  prog_tail[0], sandboxed ? "in sbx" : "bare", r.err);
                        if (sandboxed)
                                cr_assert(!exists(escaped), "[%s] ESCAPE: %s wrote %s from inside "
                                          "the archive profile", WHO_NAME, prog_tail[0], escaped);
                        else
                                cr_assert(exists(escaped), "[%s] bare %s did not follow ../ (the "
                                          "check cannot fail): %s", WHO_NAME, prog_tail[0], r.err);
                        run_result_free(&r);
                        cr_assert_eq(chdir("/"), 0);
                        free(top);
                        free(out);
                        free(escaped);
                        free(a);
                }
        }
        free(in);
        free(evil);
        rm_rf(d);
}

Test(profiles_real, archive_traversal_tar)
{
        need("/usr/bin/tar", "tar");
        traversal("evil.tar", ARGS("/usr/bin/tar", "-xPf"));
}

Test(profiles_real, archive_traversal_unzip)
{
        need("/usr/bin/unzip", "unzip");
        traversal("evil.zip", ARGS("/usr/bin/unzip", "-o", "-:"));
}

/* ---- network-service --------------------------------------------------- */

struct svc {
        char *dir, *data, *state, *cgi, *index;
};

static void svc_setup(struct svc *s)
{
        s->dir = make_tmpdir();
        s->data = mkdir_open(s->dir, "data");
        s->state = mkdir_open(s->dir, "state");
        s->index = fixture(s->data, "index.html", NULL);
        char *cgidir = path_join(s->data, "cgi-bin");
        cr_assert_eq(mkdir(cgidir, 0755), 0);
        s->cgi = path_join(cgidir, "hello");
        cr_assert_eq(write_file(s->cgi, "#!/bin/sh\necho 'Content-Type: text/plain'\necho\n"
                                        "echo cgi-ran\n", 0755), 0);
        free(cgidir);
}

static void svc_done(struct svc *s)
{
        cr_assert_eq(chdir("/"), 0);
        free(s->data);
        free(s->state);
        free(s->cgi);
        free(s->index);
        rm_rf(s->dir);
}

/* Start the server (bare or in the profile, told PORT), time until it
 * answers, check the page; CGI (when asked) must run only bare. */
static void serve_once(int who, const struct svc *s, const char *what, bool sandboxed,
                       const char *const *(*argv_for)(const struct svc *s, int port), bool cgi,
                       double *t)
{
        int port = free_port();
        char bindset[64];
        snprintf(bindset, sizeof(bindset), "network.tcp-bind=%d", port);
        struct cmd c;
        build_cmd(&c, NULL, sandboxed ? "network-service" : NULL,
                  ARGS("--bind", s->state, "--set", bindset), argv_for(s, port));
        char *log = path_join(s->dir, "server.log");
        cr_assert_eq(chdir(s->data), 0);
        double t0 = now_ms();
        pid_t pid = spawn_bg(who, c.v, log);
        char *resp = NULL;
        *t = wait_http(port, "/index.html", t0, 30000, &resp);
        char *logtext = read_text(log);
        cr_assert(*t >= 0 && resp, "[%s] %s %s never answered\n%s", who == AS_ROOT ? "root" : "user",
                  what, sandboxed ? "in sbx" : "bare", logtext);
        cr_assert(strstr(resp, "200") && strstr(resp, "sbx profile test page"), "%s: %s", what, resp);
        free(resp);
        if (cgi) {
                resp = http_get(port, "/cgi-bin/hello");
                bool ran = resp && strstr(resp, "cgi-ran");
                if (sandboxed)
                        cr_assert(!ran, "[%s] ESCAPE: the server ran a CGI script in the profile",
                                  who == AS_ROOT ? "root" : "user");
                else
                        cr_assert(ran, "[%s] bare CGI did not run (the check cannot fail): %s",
                                  who == AS_ROOT ? "root" : "user", resp ? resp : "(no answer)");
                free(resp);
        }
        stop_bg(pid);
        free(logtext);
        free(log);
}

static const char *const *busybox_argv(const struct svc *s, int port)
{
        static char p[32];
        static const char *v[8];
        snprintf(p, sizeof(p), "127.0.0.1:%d", port);
        v[0] = "/usr/bin/busybox";
        v[1] = "httpd";
        v[2] = "-f";
        v[3] = "-p";
        v[4] = p;
        v[5] = "-h";
        v[6] = s->data;
        v[7] = NULL;
        return v;
}

static const char *const *python_argv(const struct svc *s, int port)
{
        static char p[16];
        static const char *v[10];
        snprintf(p, sizeof(p), "%d", port);
        v[0] = "/usr/bin/python3";
        v[1] = "-m";
        v[2] = "http.server";
        v[3] = p;
        v[4] = "--bind";
        v[5] = "127.0.0.1";
        v[6] = "--directory";
        v[7] = s->data;
        v[8] = NULL;
        return v;
}

Test(profiles_real, service_busybox_httpd)
{
        need("/usr/bin/busybox", "busybox-static");
        struct svc s;
        svc_setup(&s);
        FOR_EACH_USER {
                double t[2][3];
                for (int k = 0; k < 3; k++)
                        for (int sandboxed = 0; sandboxed < 2; sandboxed++)
                                serve_once(WHO, &s, "busybox httpd", sandboxed, busybox_argv, k == 0,
                                           &t[sandboxed][k]);
                report_time("network-service", "busybox httpd first reply", WHO, median(t[0], 3),
                            median(t[1], 3));
        }
        svc_done(&s);
}

Test(profiles_real, service_python_http_server)
{
        need("/usr/bin/python3", "python3");
        struct svc s;
        svc_setup(&s);
        FOR_EACH_USER {
                double t[2][3];
                for (int k = 0; k < 3; k++)
                        for (int sandboxed = 0; sandboxed < 2; sandboxed++)
                                serve_once(WHO, &s, "python3 http.server", sandboxed, python_argv,
                                           false, &t[sandboxed][k]);
                report_time("network-service", "python3 http.server reply", WHO, median(t[0], 3),
                            median(t[1], 3));
        }
        svc_done(&s);
}

/* Only the named port: binding another fails; no outgoing TCP; the data
 * directory is read-only. */
Test(profiles_real, service_forbidden)
{
        need("/usr/bin/busybox", "busybox-static");
        struct svc s;
        svc_setup(&s);
        chmod(s.data, 0777);
        char *stray = path_join(s.data, "stray.txt");
        int bport;
        pid_t banner = serve(&bport, NULL, false);
        char bp[16];
        snprintf(bp, sizeof(bp), "%d", bport);
        cr_assert_eq(chdir(s.data), 0);
        FOR_EACH_USER {
                expect_forbidden(WHO, NULL, "network-service", ARGS("connect", "127.0.0.1", bp),
                                 "an outgoing TCP connection");
                unlink(stray);
                expect_forbidden(WHO, NULL, "network-service", ARGS("write", stray),
                                 "writing the data directory");
                unlink(stray);

                /* httpd on a port the profile does not name (8080 is the
                 * profile's own): it must fail to listen. */
                int port = free_port();
                char p[32];
                snprintf(p, sizeof(p), "127.0.0.1:%d", port);
                struct run_result r;
                run_timed(WHO, NULL, "network-service", NULL,
                          ARGS("/usr/bin/busybox", "httpd", "-f", "-p", p, "-h", s.data), NULL, 30, &r);
                cr_assert(r.status != 0, "[%s] ESCAPE: httpd listened on %d in the profile", WHO_NAME,
                          port);
                cr_assert(strstr(r.err, "bind"), "[%s] httpd failed, but not at bind: %s", WHO_NAME,
                          r.err);
                run_result_free(&r);
                char *log = path_join(s.dir, "bare.log");
                pid_t pid = spawn_bg(WHO, ARGS("/usr/bin/busybox", "httpd", "-f", "-p", p, "-h", s.data),
                                     log);
                char *resp = NULL;
                double t = wait_http(port, "/index.html", now_ms(), 10000, &resp);
                stop_bg(pid);
                cr_assert(t >= 0, "[%s] bare httpd could not listen on %d either", WHO_NAME, port);
                free(resp);
                free(log);
        }
        stop_server(banner);
        free(stray);
        svc_done(&s);
}

/* ---- build ------------------------------------------------------------- */

struct proj {
        char *dir, *src, *home, *other;
        char pwd[4200], henv[4200];
};

static void proj_setup(struct proj *p)
{
        p->dir = make_tmpdir();
        p->src = mkdir_open(p->dir, "src");
        p->home = mkdir_open(p->dir, "home");
        p->other = mkdir_open(p->dir, "other");
        free(fixture(p->src, "hello.c", NULL));
        free(fixture(p->src, "hello.mk", "Makefile"));
        /* The profile names the build directory through $PWD. */
        snprintf(p->pwd, sizeof(p->pwd), "PWD=%s", p->src);
        snprintf(p->henv, sizeof(p->henv), "HOME=%s", p->home);
        cr_assert_eq(chdir(p->src), 0);
}

static void proj_done(struct proj *p)
{
        cr_assert_eq(chdir("/"), 0);
        free(p->src);
        free(p->home);
        free(p->other);
        rm_rf(p->dir);
}

Test(profiles_real, build_make_cc_run)
{
        need("/usr/bin/make", "make");
        need("/usr/bin/cc", "gcc");
        struct proj p;
        proj_setup(&p);
        char *bin = path_join(p.src, "hello"), *obj = path_join(p.src, "hello.o");
        struct workload w = { .profile = "build", .what = "make (cc) && ./hello", .cwd = p.src,
                              .env = ARGS(p.pwd, p.henv),
                              .prog = ARGS("/bin/sh", "-c", "make -s && ./hello"),
                              .expect = "hello from sbx build", .clean = ARGS(bin, obj) };
        run_workload(&w);
        free(bin);
        free(obj);
        proj_done(&p);
}

/* The W^X exception is the build directory only: a built binary copied
 * to /tmp does not run; nothing outside it is writable; interpreters
 * stay out; no network. */
Test(profiles_real, build_forbidden)
{
        need("/usr/bin/make", "make");
        need("/usr/bin/cc", "gcc");
        need("/usr/bin/python3", "python3");
        struct proj p;
        proj_setup(&p);
        char *pwned = path_join(p.other, "pwned");
        char *bin = path_join(p.src, "hello"), *obj = path_join(p.src, "hello.o");
        const char *const built[] = { bin, obj, NULL };
        char tmpcopy[128], script[4600], wscript[4600];
        snprintf(tmpcopy, sizeof(tmpcopy), "/tmp/sbx-build-copy-%d", getpid());
        /* Built and run in place (allowed), then copied to /tmp and run
         * from there (not allowed): "hello" once inside, twice bare. */
        snprintf(script, sizeof(script), "make -s && ./hello && cp hello %s && echo COPIED && %s",
                 tmpcopy, tmpcopy);
        snprintf(wscript, sizeof(wscript), "echo x > %s", pwned);
        int port;
        pid_t banner = serve(&port, NULL, false);
        char bp[16];
        snprintf(bp, sizeof(bp), "%d", port);
        FOR_EACH_USER {
                struct run_result r;
                const char *const *env = ARGS(p.pwd, p.henv);
                const char *hi = "hello from sbx build", *again;
                run_timed(WHO, env, NULL, NULL, ARGS("/bin/sh", "-c", script), NULL, 60, &r);
                again = strstr(r.out, hi);
                cr_assert(again && strstr(again + 1, hi), "[%s] bare copy did not run: %s %s",
                          WHO_NAME, r.out, r.err);
                run_result_free(&r);
                unlink(tmpcopy);
                clean_paths(built);
                run_timed(WHO, env, "build", NULL, ARGS("/bin/sh", "-c", script), NULL, 60, &r);
                again = strstr(r.out, hi);
                cr_assert(again && strstr(r.out, "COPIED"),
                          "[%s] the build itself failed in the profile: %s %s", WHO_NAME, r.out, r.err);
                cr_assert(!strstr(again + 1, hi),
                          "[%s] ESCAPE: a binary copied to /tmp ran in the build profile", WHO_NAME);
                cr_assert(strstr(r.err, "Permission denied"), "[%s] %s", WHO_NAME, r.err);
                run_result_free(&r);
                clean_paths(built);

                run_timed(WHO, env, NULL, NULL, ARGS("/bin/sh", "-c", wscript), NULL, 30, &r);
                cr_assert(exists(pwned), "[%s] bare write failed: %s", WHO_NAME, r.err);
                run_result_free(&r);
                unlink(pwned);
                run_timed(WHO, env, "build", NULL, ARGS("/bin/sh", "-c", wscript), NULL, 60, &r);
                cr_assert(!exists(pwned), "[%s] ESCAPE: wrote outside the build directory", WHO_NAME);
                run_result_free(&r);

                run_timed(WHO, env, "build", NULL,
                          ARGS("/bin/sh", "-c", "python3 -c 'print(\"py\" + \"ran\")'"), NULL, 60, &r);
                cr_assert(!strstr(r.out, "pyran"), "[%s] ESCAPE: python3 ran in the build profile",
                          WHO_NAME);
                cr_assert(strstr(r.err, "python3"), "[%s] python3 failed for another reason: %s",
                          WHO_NAME, r.err);
                run_result_free(&r);

                expect_forbidden(WHO, env, "build", ARGS("connect", "127.0.0.1", bp),
                                 "a TCP connection");
        }
        stop_server(banner);
        free(pwned);
        free(bin);
        free(obj);
        proj_done(&p);
}

/* git refuses a repository owned by another uid: the caller's own
 * repository must still work in the build profile (the caller keeps its
 * uid inside; a root caller runs as 65534, which also owns what it made). */
Test(profiles_real, build_git_own_repository)
{
        need("/usr/bin/git", "git");
        struct proj p;
        proj_setup(&p);
        FOR_EACH_USER {
                char *repo = NULL;
                cr_assert(asprintf(&repo, "%s/repo-%s", p.dir, WHO_NAME) > 0);
                struct run_result r;
                /* Created by the caller itself, as a user would. */
                cr_assert_eq(run_cmd(WHO, NULL, 30, &r,
                                     ARGS("env", p.henv, "sh", "-c",
                                          "set -e; git init -q \"$0\"; cd \"$0\"; echo hi > f; "
                                          "git add f; git -c user.name=t -c user.email=t@e "
                                          "commit -q -m sbx-commit",
                                          repo)), 0);
                cr_assert_eq(r.status, 0, "[%s] git init: %s", WHO_NAME, r.err);
                run_result_free(&r);
                cr_assert_eq(chdir(repo), 0);
                char pwd[4200];
                snprintf(pwd, sizeof(pwd), "PWD=%s", repo);
                struct workload w = { .profile = "build", .what = "git log (own repository)",
                                      .cwd = repo, .env = ARGS(pwd, p.henv),
                                      .prog = ARGS("/usr/bin/git", "log", "--oneline"),
                                      .expect = "sbx-commit" };
                double t[2][REPEAT];
                for (int k = 0; k < REPEAT; k++)
                        for (int sandboxed = 0; sandboxed < 2; sandboxed++) {
                                t[sandboxed][k] = run_timed(WHO, w.env, sandboxed ? w.profile : NULL,
                                                            NULL, w.prog, NULL, 60, &r);
                                check_result(&w, WHO, sandboxed, &r);
                                run_result_free(&r);
                        }
                report_time(w.profile, w.what, WHO, median(t[0], REPEAT), median(t[1], REPEAT));
                cr_assert_eq(chdir("/"), 0);
                free(repo);
        }
        proj_done(&p);
}

/* ---- shell ------------------------------------------------------------- */

/* sqlite in WAL mode needs its directory writable (the -wal and -shm
 * files) and a shared mapping of the -shm file. */
Test(profiles_real, shell_sqlite_wal)
{
        need("/usr/bin/sqlite3", "sqlite3");
        char *d = make_tmpdir();
        char *work = mkdir_open(d, "work");
        char *db = path_join(work, "t.db"), *wal = path_join(work, "t.db-wal"),
             *shm = path_join(work, "t.db-shm");
        char pwd[4200];
        snprintf(pwd, sizeof(pwd), "PWD=%s", work);
        struct workload w = { .profile = "shell", .what = "sqlite3 WAL in cwd", .cwd = work,
                              .env = ARGS(pwd),
                              .prog = ARGS("/usr/bin/sqlite3", "t.db",
                                           "PRAGMA journal_mode=WAL; CREATE TABLE t(x); "
                                           "INSERT INTO t VALUES (6*7); SELECT 'answer', x FROM t;"),
                              .expect = "answer|42", .clean = ARGS(db, wal, shm) };
        run_workload(&w);
        cr_assert_eq(chdir("/"), 0);
        free(db);
        free(wal);
        free(shm);
        free(work);
        rm_rf(d);
}


Test(profiles_real, shell_confined_to_cwd)
{
        char *d = make_tmpdir();
        char *work = mkdir_open(d, "work");
        char *sibling = mkdir_open(d, "sibling");
        char *secret = path_join(d, "secret.txt");
        char *pwned = path_join(sibling, "pwned");
        cr_assert_eq(write_file(secret, "top-secret\n", 0644), 0);
        char *script = NULL;
        cr_assert(asprintf(&script,
                           "echo hello > note.txt && cat note.txt\n"
                           "cat %s 2>/dev/null || echo NO-SECRET\n"
                           "(echo x > %s) 2>/dev/null || echo NO-WRITE\n"
                           "cp /bin/true ./t && echo COPIED\n"
                           "./t 2>/dev/null && echo RAN-LOCAL || echo NO-EXEC\n"
                           "ls /usr/bin/ls >/dev/null && echo SYSTEM-OK\n"
                           "exit 0\n",
                           secret, pwned) > 0);
        char pwd[4200];
        snprintf(pwd, sizeof(pwd), "PWD=%s", work);
        cr_assert_eq(chdir(work), 0);
        FOR_EACH_USER {
                struct run_result r;
                char *note = path_join(work, "note.txt"), *t = path_join(work, "t");
                double bare = run_timed(WHO, ARGS(pwd), NULL, NULL, ARGS("/bin/sh"), script, 30, &r);
                cr_assert(strstr(r.out, "top-secret") && strstr(r.out, "RAN-LOCAL") && exists(pwned),
                          "[%s] bare shell (the checks cannot fail): %s %s", WHO_NAME, r.out, r.err);
                run_result_free(&r);
                unlink(pwned);
                unlink(note);
                unlink(t);
                double sbx = run_timed(WHO, ARGS(pwd), "shell", ARGS("--keep-session"),
                                       ARGS("/bin/sh", "-i"), script, 60, &r);
                cr_assert_eq(r.status, 0, "[%s] shell: exit %d: %s", WHO_NAME, r.status, r.err);
                cr_assert(strstr(r.out, "hello") && strstr(r.out, "SYSTEM-OK") &&
                                  strstr(r.out, "COPIED"),
                          "[%s] the shell could not work in its directory: %s %s", WHO_NAME, r.out,
                          r.err);
                cr_assert(strstr(r.out, "NO-SECRET") && !strstr(r.out, "top-secret"),
                          "[%s] ESCAPE: the shell read outside its directory: %s", WHO_NAME, r.out);
                cr_assert(strstr(r.out, "NO-WRITE") && !exists(pwned),
                          "[%s] ESCAPE: the shell wrote outside its directory: %s", WHO_NAME, r.out);
                cr_assert(strstr(r.out, "NO-EXEC"),
                          "[%s] ESCAPE: a program copied into the directory ran: %s", WHO_NAME, r.out);
                run_result_free(&r);
                report_time("shell", "sh script in cwd", WHO, bare, sbx);
                unlink(note);
                unlink(t);
                free(note);
                free(t);
        }
        cr_assert_eq(chdir("/"), 0);
        free(work);
        free(sibling);
        free(secret);
        free(pwned);
        free(script);
        rm_rf(d);
}
