/* test_embed.c — libsbx as an outside program uses it: install the library
 * into a temporary --destdir, build examples/ against that copy with
 * pkg-config (tests/embed/build-examples.sh), run them with LD_LIBRARY_PATH
 * pointing into the destdir, as root and as uid 65534.
 *
 *   confined-server: normal requests are served after sbx_confine(); each
 *   "malicious handler" attack (exec, /etc/shadow, a file outside the data
 *   directory, path traversal, writing the data directory, connecting out)
 *   is refused; the same attacks succeed against the same binary run with
 *   --no-confine, so every check here can fail.
 *   convert-pool: real pdftotext conversions in concurrent sandboxes, text
 *   back over pipes, exit statuses checked, bad input reported. */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"
#include "sbx.h"

static const int whos[] = { AS_ROOT, AS_USER };
#define FOR_EACH_USER for (size_t wi = 0; wi < 2; wi++)
#define WHO whos[wi]
#define WHO_NAME (WHO == AS_ROOT ? "root" : "user")

struct embed {
        char *dir;    /* temporary directory for everything */
        char *libdir; /* installed libsbx inside the destdir */
        char server[512], pool[512];
};

static void rm_rf(const char *dir)
{
        if (!dir)
                return;
        struct run_result r;
        if (run_cmd(AS_ROOT, NULL, 60, &r, (const char *const[]){ "rm", "-rf", dir, NULL }) == 0)
                run_result_free(&r);
}

/* Install and build once per test (each Criterion test is its own process;
 * this takes about a second). */
static void embed_build(struct embed *e)
{
        memset(e, 0, sizeof(*e));
        e->dir = make_tmpdir();
        cr_assert(e->dir);
        char script[512];
        snprintf(script, sizeof(script), "%s/tests/embed/build-examples.sh", source_dir());
        struct run_result r;
        cr_assert_eq(run_cmd(AS_ROOT, NULL, 240, &r,
                             (const char *const[]){ "sh", script, build_dir(), source_dir(), e->dir,
                                                    NULL }),
                     0, "build-examples.sh did not finish");
        cr_assert_eq(r.status, 0, "build-examples.sh failed (%d):\n%s\n%s", r.status, r.out, r.err);
        /* The last line of stdout is the installed libdir. */
        char *out = r.out;
        size_t n = strlen(out);
        while (n > 0 && out[n - 1] == '\n')
                out[--n] = 0;
        char *last = strrchr(out, '\n');
        e->libdir = strdup(last ? last + 1 : out);
        cr_assert(strncmp(e->libdir, e->dir, strlen(e->dir)) == 0,
                  "libdir %s is not inside the destdir %s", e->libdir, e->dir);
        /* Compiled against the installed copy only: every -I and -L that
         * pkg-config gave points into the destdir. */
        size_t nflags = 0;
        for (const char *f = r.err; (f = strstr(f, " -")); f++) {
                if (f[2] != 'I' && f[2] != 'L')
                        continue;
                nflags++;
                cr_assert(strncmp(f + 3, e->dir, strlen(e->dir)) == 0,
                          "pkg-config flag outside the destdir %s:\n%s", e->dir, r.err);
        }
        cr_assert_geq(nflags, 2, "no -I/-L flags from pkg-config:\n%s", r.err);
        run_result_free(&r);
        snprintf(e->server, sizeof(e->server), "%s/bin/confined-server", e->dir);
        snprintf(e->pool, sizeof(e->pool), "%s/bin/convert-pool", e->dir);
        cr_assert(access(e->server, X_OK) == 0 && access(e->pool, X_OK) == 0);
        setenv("LD_LIBRARY_PATH", e->libdir, 1);
}

static void embed_done(struct embed *e)
{
        rm_rf(e->dir);
        free(e->dir);
        free(e->libdir);
}

Test(embed, installed_library)
{
        struct embed e;
        embed_build(&e);
        struct run_result r;
        char so[600];
        snprintf(so, sizeof(so), "%s/libsbx.so.0", e.libdir);

        /* Only versioned sbx_* symbols are exported. */
        cr_assert_eq(run_cmd(AS_ROOT, NULL, 30, &r,
                             (const char *const[]){ "nm", "-D", "--defined-only", so, NULL }),
                     0);
        cr_assert_eq(r.status, 0, "nm: %s", r.err);
        size_t nsym = 0;
        for (char *line = strtok(r.out, "\n"); line; line = strtok(NULL, "\n")) {
                const char *name = strrchr(line, ' ');
                name = name ? name + 1 : line;
                if (strcmp(name, "SBX_0.1") == 0 || strcmp(name, "SBX_0.2") == 0 ||
                    strcmp(name, "SBX_0.3") == 0 || strcmp(name, "SBX_0.4") == 0)
                        continue;
                /* Which version each later symbol came with (lib/libsbx.map);
                 * everything else is 0.1. */
                static const struct {
                        const char *name, *version;
                } later[] = {
                        { "sbx_process_stats", "@@SBX_0.2" },  { "sbx_process_report_fd", "@@SBX_0.3" },
                        { "sbx_export_plan", "@@SBX_0.4" },    { "sbx_log_open", "@@SBX_0.4" },    { "sbx_output_open", "@@SBX_0.4" },
                        { "sbx_learn_new", "@@SBX_0.4" },      { "sbx_learn_record", "@@SBX_0.4" },
                        { "sbx_learn_profile", "@@SBX_0.4" },  { "sbx_learn_written", "@@SBX_0.4" },
                        { "sbx_learn_notes", "@@SBX_0.4" },    { "sbx_learn_check_output", "@@SBX_0.4" },
                        { "sbx_learn_free", "@@SBX_0.4" },     { "sbx_process_refusals", "@@SBX_0.4" },
                        { "sbx_process_enter_fd", "@@SBX_0.4" }, { "sbx_enter", "@@SBX_0.4" },
                        { "sbx_entered_pid", "@@SBX_0.4" },    { "sbx_entered_fd", "@@SBX_0.4" },
                        { "sbx_entered_signal", "@@SBX_0.4" }, { "sbx_entered_wait", "@@SBX_0.4" },
                        { "sbx_entered_free", "@@SBX_0.4" },
                };
                const char *version = "@@SBX_0.1";
                for (size_t k = 0; k < sizeof(later) / sizeof(later[0]); k++) {
                        size_t n = strlen(later[k].name);
                        if (strncmp(name, later[k].name, n) == 0 && strncmp(name + n, "@@", 2) == 0)
                                version = later[k].version;
                }
                cr_expect(strncmp(name, "sbx_", 4) == 0 && strstr(name, version),
                          "exported symbol outside the versioned sbx_* API: %s", line);
                nsym++;
        }
        cr_assert_gt(nsym, 30, "only %zu symbols exported", nsym);
        run_result_free(&r);

        /* The examples resolve libsbx from the destdir, not from anywhere
         * else on the machine. */
        cr_assert_eq(run_cmd(AS_ROOT, NULL, 30, &r, (const char *const[]){ "ldd", e.server, NULL }),
                     0);
        char want[700];
        snprintf(want, sizeof(want), "libsbx.so.0 => %s/libsbx.so.0", e.libdir);
        cr_assert(strstr(r.out, want), "ldd: %s", r.out);
        run_result_free(&r);
        embed_done(&e);
}

/* ---- confined-server ---------------------------------------------------- */

struct server {
        pid_t pid;
        int port;
};

enum mode { BARE, CONFINED, LANDLOCK_ONLY };
static const char *const mode_names[] = { "unconfined", "confined", "landlock-only" };

static void server_start(int who, const struct embed *e, enum mode mode, const char *datadir,
                         const char *log, struct server *s)
{
        int p[2];
        cr_assert_eq(pipe2(p, O_CLOEXEC), 0);
        pid_t pid = fork();
        cr_assert_geq(pid, 0);
        if (pid == 0) {
                setpgid(0, 0);
                int lfd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
                if (lfd < 0 || dup2(p[1], 1) < 0 || dup2(lfd, 2) < 0)
                        _exit(126);
                const char *argv[16];
                size_t n = 0;
                /* If the test dies half-way, the server must not outlive it
                 * by much: timeout(1) kills it after two minutes, and passes
                 * SIGTERM and the exit status through. */
                argv[n++] = "timeout";
                argv[n++] = "-s";
                argv[n++] = "KILL";
                argv[n++] = "120";
                if (who == AS_USER) {
                        argv[n++] = "setpriv";
                        argv[n++] = "--reuid=65534";
                        argv[n++] = "--regid=65534";
                        argv[n++] = "--clear-groups";
                        argv[n++] = "--";
                }
                argv[n++] = e->server;
                if (mode == BARE)
                        argv[n++] = "--no-confine";
                if (mode == LANDLOCK_ONLY)
                        argv[n++] = "--landlock-only";
                argv[n++] = "0";
                argv[n++] = datadir;
                argv[n] = NULL;
                execvp(argv[0], (char *const *)argv);
                _exit(127);
        }
        close(p[1]);
        s->pid = pid;
        s->port = 0;
        char line[128] = "";
        size_t len = 0;
        struct pollfd pf = { .fd = p[0], .events = POLLIN };
        time_t deadline = time(NULL) + 30;
        while (!strchr(line, '\n') && len < sizeof(line) - 1 && time(NULL) < deadline) {
                if (poll(&pf, 1, 1000) <= 0)
                        continue;
                ssize_t k = read(p[0], line + len, sizeof(line) - 1 - len);
                if (k <= 0)
                        break;
                len += (size_t)k;
                line[len] = 0;
        }
        close(p[0]);
        char got[32] = "";
        int ok = sscanf(line, "ready %d %31s", &s->port, got);
        if (ok != 2) {
                char logbuf[4096] = "";
                int fd = open(log, O_RDONLY | O_CLOEXEC);
                if (fd >= 0) {
                        ssize_t k = read(fd, logbuf, sizeof(logbuf) - 1);
                        logbuf[k > 0 ? k : 0] = 0;
                        close(fd);
                }
                kill(-pid, SIGKILL);
                waitpid(pid, NULL, 0);
                cr_assert_fail("server did not start: '%s'\nlog:\n%s", line, logbuf);
        }
        cr_assert_str_eq(got, mode == BARE ? "unconfined" : "confined");
}

/* SIGTERM, and the server must exit 0 within 10 s. */
static int server_stop(struct server *s)
{
        int pidfd = (int)syscall(SYS_pidfd_open, s->pid, 0);
        kill(s->pid, SIGTERM);
        struct pollfd pf = { .fd = pidfd, .events = POLLIN };
        if (pidfd < 0 || poll(&pf, 1, 10000) <= 0)
                kill(-s->pid, SIGKILL);
        if (pidfd >= 0)
                close(pidfd);
        int st = 0;
        while (waitpid(s->pid, &st, 0) < 0 && errno == EINTR)
                ;
        return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* GET path; returns the HTTP status code, body in buf. */
static int http_get(int port, const char *path, char *buf, size_t size)
{
        int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        cr_assert_geq(s, 0);
        struct timeval tv = { .tv_sec = 15 };
        setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
        struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port),
                                 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
        cr_assert_eq(connect(s, (struct sockaddr *)&a, sizeof(a)), 0, "connect: %s",
                     strerror(errno));
        char req[512];
        int n = snprintf(req, sizeof(req), "GET %s HTTP/1.0\r\nHost: localhost\r\n\r\n", path);
        cr_assert_eq(write(s, req, (size_t)n), n);
        char resp[65536];
        size_t len = 0;
        ssize_t k;
        while (len < sizeof(resp) - 1 && (k = read(s, resp + len, sizeof(resp) - 1 - len)) > 0)
                len += (size_t)k;
        resp[len] = 0;
        close(s);
        int code = 0;
        sscanf(resp, "HTTP/1.0 %d", &code);
        const char *body = strstr(resp, "\r\n\r\n");
        snprintf(buf, size, "%s", body ? body + 4 : "");
        return code;
}

/* A listener the "malicious handler" tries to reach: connect() succeeds as
 * soon as it is in the backlog, no accept needed. */
static int target_listener(int *port)
{
        int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
        socklen_t l = sizeof(a);
        cr_assert(s >= 0 && bind(s, (struct sockaddr *)&a, sizeof(a)) == 0 && listen(s, 64) == 0 &&
                  getsockname(s, (struct sockaddr *)&a, &l) == 0);
        *port = ntohs(a.sin_port);
        return s;
}

struct attack {
        const char *path;
        bool escape_as_user; /* can succeed for uid 65534 without confinement */
        bool landlock;       /* Landlock alone refuses it (EACCES) */
};

static void check_server(int who, const struct embed *e, enum mode mode)
{
        bool confine = mode != BARE;
        const char *name = who == AS_ROOT ? "root" : "user";
        char dir[600], data[700], log[700], secret[700], buf[65536];
        snprintf(dir, sizeof(dir), "%s/srv-%s-%d", e->dir, name, (int)mode);
        snprintf(data, sizeof(data), "%s/data", dir);
        snprintf(log, sizeof(log), "%s/server.log", dir);
        snprintf(secret, sizeof(secret), "%s/secret.txt", dir);
        cr_assert_eq(mkdir(dir, 0777), 0);
        chmod(dir, 0777);
        cr_assert_eq(mkdir(data, 0777), 0);
        chmod(data, 0777); /* writable: so that the write attack can succeed bare */
        char f[800];
        snprintf(f, sizeof(f), "%s/hello.txt", data);
        cr_assert_eq(write_file(f, "hello from the data dir\n", 0644), 0);
        snprintf(f, sizeof(f), "%s/index.html", data);
        cr_assert_eq(write_file(f, "<h1>index</h1>\n", 0644), 0);
        cr_assert_eq(write_file(secret, "top secret\n", 0644), 0);

        int tport;
        int tsock = target_listener(&tport);
        struct server s;
        server_start(who, e, mode, data, log, &s);

        cr_assert_eq(http_get(s.port, "/hello.txt", buf, sizeof(buf)), 200, "[%s] %s", name, buf);
        cr_assert_str_eq(buf, "hello from the data dir\n");
        cr_assert_eq(http_get(s.port, "/", buf, sizeof(buf)), 200);
        cr_assert_str_eq(buf, "<h1>index</h1>\n");
        cr_assert_eq(http_get(s.port, "/missing", buf, sizeof(buf)), 404);
        cr_assert_eq(http_get(s.port, "/../secret.txt", buf, sizeof(buf)), 403);

        char openp[900], connectp[64];
        snprintf(openp, sizeof(openp), "/evil/open%s", secret);
        snprintf(connectp, sizeof(connectp), "/evil/connect/%d", tport);
        const struct attack attacks[] = {
                { "/evil/exec", true, true },
                { "/evil/shadow", false, true }, /* 0640 root:shadow: refused to 65534 anyway */
                { openp, true, true },
                { "/evil/traverse/secret.txt", true, true },
                { "/evil/write", true, true },
                { connectp, true, true },
        };
        for (size_t i = 0; i < sizeof(attacks) / sizeof(attacks[0]); i++) {
                const struct attack *a = &attacks[i];
                cr_assert_eq(http_get(s.port, a->path, buf, sizeof(buf)), 200, "[%s] %s: %s", name,
                             a->path, buf);
                if (mode == CONFINED) {
                        cr_expect(strncmp(buf, "DENIED ", 7) == 0,
                                  "[%s] ESCAPE from the confined server: %s -> %s", name, a->path,
                                  buf);
                } else if (mode == LANDLOCK_ONLY && a->landlock) {
                        cr_expect(strncmp(buf, "DENIED EACCES ", 14) == 0,
                                  "[%s] Landlock alone did not refuse %s: %s", name, a->path, buf);
                } else if (who == AS_ROOT || a->escape_as_user) {
                        cr_expect(strncmp(buf, "OK ", 3) == 0,
                                  "[%s] attack %s cannot succeed even unconfined, so its check "
                                  "proves nothing: %s",
                                  name, a->path, buf);
                }
                cr_log_info("[%s %s] %s -> %s", name, mode_names[mode], a->path, buf);
        }
        /* Still serving after every attack. */
        cr_assert_eq(http_get(s.port, "/hello.txt", buf, sizeof(buf)), 200);
        cr_assert_str_eq(buf, "hello from the data dir\n");

        snprintf(f, sizeof(f), "%s/pwned", data);
        cr_expect_eq(access(f, F_OK) == 0, !confine, "[%s] data/pwned %s", name,
                     confine ? "was created by the confined server" : "missing");
        cr_expect_eq(server_stop(&s), 0, "[%s] server did not exit cleanly", name);
        close(tsock);
}

Test(embed, server_confined)
{
        struct embed e;
        embed_build(&e);
        FOR_EACH_USER check_server(WHO, &e, CONFINED);
        embed_done(&e);
}

/* Defence in depth: without the seccomp deny lines (and with inet sockets
 * allowed), Landlock on its own still refuses every attack. */
Test(embed, server_landlock_only)
{
        struct embed e;
        embed_build(&e);
        FOR_EACH_USER check_server(WHO, &e, LANDLOCK_ONLY);
        embed_done(&e);
}

Test(embed, server_unconfined_escapes)
{
        struct embed e;
        embed_build(&e);
        FOR_EACH_USER check_server(WHO, &e, BARE);
        embed_done(&e);
}

/* ---- convert-pool ----------------------------------------------------- */

/* A one-page PDF whose text is `text` (plain ASCII, no parentheses). */
static void write_pdf(const char *path, const char *text)
{
        char content[256];
        int clen = snprintf(content, sizeof(content), "BT /F1 18 Tf 72 700 Td (%s) Tj ET\n", text);
        char objs[5][400];
        snprintf(objs[0], sizeof(objs[0]), "<< /Type /Catalog /Pages 2 0 R >>");
        snprintf(objs[1], sizeof(objs[1]), "<< /Type /Pages /Kids [3 0 R] /Count 1 >>");
        snprintf(objs[2], sizeof(objs[2]),
                 "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
                 "/Resources << /Font << /F1 5 0 R >> >> >>");
        snprintf(objs[3], sizeof(objs[3]), "<< /Length %d >>\nstream\n%sendstream", clen, content);
        snprintf(objs[4], sizeof(objs[4]),
                 "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>");
        char pdf[4096];
        size_t off[5];
        int n = snprintf(pdf, sizeof(pdf), "%%PDF-1.4\n");
        for (int i = 0; i < 5; i++) {
                off[i] = (size_t)n;
                n += snprintf(pdf + n, sizeof(pdf) - (size_t)n, "%d 0 obj\n%s\nendobj\n", i + 1,
                              objs[i]);
        }
        int xref = n;
        n += snprintf(pdf + n, sizeof(pdf) - (size_t)n, "xref\n0 6\n0000000000 65535 f \n");
        for (int i = 0; i < 5; i++)
                n += snprintf(pdf + n, sizeof(pdf) - (size_t)n, "%010zu 00000 n \n", off[i]);
        n += snprintf(pdf + n, sizeof(pdf) - (size_t)n,
                      "trailer\n<< /Size 6 /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", xref);
        cr_assert_lt(n, (int)sizeof(pdf));
        cr_assert_eq(write_file(path, pdf, 0644), 0);
}

static char *read_all(const char *path)
{
        FILE *f = fopen(path, "re");
        if (!f)
                return NULL;
        char *buf = calloc(1, 65536);
        size_t n = fread(buf, 1, 65535, f);
        buf[n] = 0;
        fclose(f);
        return buf;
}

static void need_pdftotext(void)
{
        if (access("/usr/bin/pdftotext", X_OK) == 0)
                return;
        if (in_ci())
                cr_assert_fail("/usr/bin/pdftotext missing (poppler-utils, scripts/deps --test)");
        cr_skip_test("/usr/bin/pdftotext missing: apt-get install poppler-utils");
}

#define NDOCS 8

Test(embed, convert_pool)
{
        need_pdftotext();
        struct embed e;
        embed_build(&e);
        FOR_EACH_USER {
                char in[600], out[600], path[700];
                snprintf(in, sizeof(in), "%s/in-%s", e.dir, WHO_NAME);
                snprintf(out, sizeof(out), "%s/out-%s", e.dir, WHO_NAME);
                cr_assert_eq(mkdir(in, 0755), 0);
                cr_assert_eq(mkdir(out, 0777), 0);
                chmod(out, 0777);
                const char *argv[NDOCS + 16];
                size_t n = 0;
                argv[n++] = e.pool;
                argv[n++] = "-j";
                argv[n++] = "4";
                argv[n++] = "-o";
                argv[n++] = out;
                char *names[NDOCS];
                for (int i = 0; i < NDOCS; i++) {
                        cr_assert_geq(asprintf(&names[i], "%s/doc%d.pdf", in, i), 0);
                        char text[64];
                        snprintf(text, sizeof(text), "Untrusted document number %d", i);
                        write_pdf(names[i], text);
                        argv[n++] = names[i];
                }
                argv[n] = NULL;
                struct run_result r;
                struct timespec t0, t1;
                clock_gettime(CLOCK_MONOTONIC, &t0);
                cr_assert_eq(run_cmd(WHO, NULL, 120, &r, argv), 0, "[%s] convert-pool hung",
                             WHO_NAME);
                clock_gettime(CLOCK_MONOTONIC, &t1);
                cr_assert_eq(r.status, 0, "[%s] convert-pool exit %d\nstdout:\n%s\nstderr:\n%s",
                             WHO_NAME, r.status, r.out, r.err);
                cr_log_info("[%s] %d documents, 4 workers: %.0f ms", WHO_NAME, NDOCS,
                            (double)(t1.tv_sec - t0.tv_sec) * 1e3 +
                                    (double)(t1.tv_nsec - t0.tv_nsec) / 1e6);
                for (int i = 0; i < NDOCS; i++) {
                        char want[800];
                        snprintf(want, sizeof(want), "ok %s ", names[i]);
                        cr_expect(strstr(r.out, want), "[%s] no '%s' in\n%s", WHO_NAME, want,
                                  r.out);
                        snprintf(path, sizeof(path), "%s/doc%d.pdf.txt", out, i);
                        char *txt = read_all(path);
                        cr_assert(txt, "[%s] %s missing", WHO_NAME, path);
                        snprintf(want, sizeof(want), "Untrusted document number %d", i);
                        cr_expect(strstr(txt, want), "[%s] %s: '%s'", WHO_NAME, path, txt);
                        free(txt);
                        free(names[i]);
                }
                run_result_free(&r);
        }
        embed_done(&e);
}

Test(embed, convert_pool_bad_input)
{
        need_pdftotext();
        struct embed e;
        embed_build(&e);
        FOR_EACH_USER {
                char good[600], bad[600], missing[600];
                snprintf(good, sizeof(good), "%s/good-%s.pdf", e.dir, WHO_NAME);
                snprintf(bad, sizeof(bad), "%s/bad-%s.pdf", e.dir, WHO_NAME);
                snprintf(missing, sizeof(missing), "%s/missing-%s.pdf", e.dir, WHO_NAME);
                write_pdf(good, "fine");
                cr_assert_eq(write_file(bad, "%PDF-1.4\nthis is not a pdf at all\n", 0644), 0);
                struct run_result r;
                cr_assert_eq(run_cmd(WHO, NULL, 120, &r,
                                     (const char *const[]){ e.pool, "-j", "3", good, bad, missing,
                                                            NULL }),
                             0);
                cr_assert_eq(r.status, 1, "[%s] exit %d\n%s\n%s", WHO_NAME, r.status, r.out, r.err);
                char want[700];
                snprintf(want, sizeof(want), "ok %s ", good);
                cr_expect(strstr(r.out, want), "[%s] %s", WHO_NAME, r.out);
                cr_expect(strstr(r.out, "\nfine"), "[%s] text of the good file missing: %s",
                          WHO_NAME, r.out);
                snprintf(want, sizeof(want), "fail %s: pdftotext exit 1", bad);
                cr_expect(strstr(r.out, want), "[%s] %s", WHO_NAME, r.out);
                snprintf(want, sizeof(want), "fail %s: ", missing);
                cr_expect(strstr(r.out, want), "[%s] %s", WHO_NAME, r.out);
                run_result_free(&r);
        }
        embed_done(&e);
}

/* ---- sbx_confine() in a process that already has threads ------------------
 * Landlock and capset() act on the calling thread only.  Whatever
 * sbx_confine() does about threads that already exist, it must not report
 * success while one of them can still open what the policy forbids: either
 * it fails (closed) or every thread is confined. */
static sem_t thr_go, thr_done;
static const char *thr_path;
static int thr_errno;

static void *old_thread(void *arg)
{
        sem_wait(&thr_go);
        int fd = open(thr_path, O_RDONLY | O_CLOEXEC);
        thr_errno = fd >= 0 ? 0 : errno;
        if (fd >= 0)
                close(fd);
        sem_post(&thr_done);
        return NULL;
}

struct thr_result {
        int r, self_errno, thr_errno;
        char msg[512];
};

/* Child side: start a thread, confine, let both threads try. */
static void thr_child(struct thr_result *res)
{
        sem_init(&thr_go, 0, 0);
        sem_init(&thr_done, 0, 0);
        pthread_t t;
        if (pthread_create(&t, NULL, old_thread, NULL) != 0) {
                res->r = -EAGAIN;
                return;
        }
        struct sbx_policy *p = NULL;
        struct sbx_error *err = NULL;
        res->r = sbx_policy_new(&p);
        if (res->r >= 0)
                res->r = sbx_policy_load_string(p, "[network]\nmode = host\n", "test", &err);
        if (res->r >= 0)
                res->r = sbx_confine(p, 0, &err);
        snprintf(res->msg, sizeof(res->msg), "%s", err ? sbx_error_message(err) : "");
        int fd = open(thr_path, O_RDONLY | O_CLOEXEC);
        res->self_errno = fd < 0 ? errno : 0;
        if (fd >= 0)
                close(fd);
        sem_post(&thr_go);
        sem_wait(&thr_done);
        pthread_join(t, NULL);
        res->thr_errno = thr_errno;
        sbx_error_free(err);
        sbx_policy_free(p);
}

Test(embed, confine_threads_no_silent_gap)
{
        char *dir = make_tmpdir();
        char path[600];
        snprintf(path, sizeof(path), "%s/outside.txt", dir);
        cr_assert_eq(write_file(path, "not for the confined process\n", 0644), 0);
        thr_path = path;
        /* The probe works unconfined. */
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        cr_assert_geq(fd, 0);
        close(fd);

        int pp[2];
        cr_assert_eq(pipe2(pp, O_CLOEXEC), 0);
        pid_t pid = fork();
        cr_assert_geq(pid, 0);
        if (pid == 0) {
                struct thr_result res = { 0 };
                thr_child(&res);
                (void)!write(pp[1], &res, sizeof(res));
                _exit(0);
        }
        close(pp[1]);
        struct thr_result res;
        ssize_t n = read(pp[0], &res, sizeof(res));
        close(pp[0]);
        waitpid(pid, NULL, 0);
        rm_rf(dir);
        free(dir);
        cr_assert_eq(n, (ssize_t)sizeof(res), "child died");
        if (res.r < 0) {
                cr_log_info("sbx_confine refused a multi-threaded caller: %s", res.msg);
                return;
        }
        cr_expect_eq(res.self_errno, EACCES, "calling thread: %s", strerror(res.self_errno));
        cr_expect_eq(res.thr_errno, EACCES,
                     "sbx_confine() returned success, but a thread that existed before the "
                     "call still opens a file outside the policy (%s): Landlock was applied to "
                     "the calling thread only",
                     res.thr_errno ? strerror(res.thr_errno) : "opened");
}
