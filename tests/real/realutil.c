/* realutil.c — helpers for the profiles-real integration test (see
 * realutil.h): fixtures, timed runs bare and under `sbx run`, background
 * programs, a tiny HTTP server, screenshots' colours, the probe inside a
 * profile. */
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

#include "realutil.h"

double now_ms(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

void report_time(const char *profile, const char *what, int who, double bare, double sbx)
{
        fprintf(stderr, "profiles-real: %-18s %-26s %-4s bare %8.1f ms  sbx %8.1f ms\n", profile,
                what, who == AS_ROOT ? "root" : "user", bare, sbx);
}

double median(double *v, int n)
{
        for (int i = 1; i < n; i++)
                for (int j = i; j > 0 && v[j - 1] > v[j]; j--) {
                        double x = v[j];
                        v[j] = v[j - 1];
                        v[j - 1] = x;
                }
        return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* Skip (or fail under CI) when a program the test needs is missing. */
void need(const char *path, const char *package)
{
        if (access(path, X_OK) == 0)
                return;
        if (in_ci())
                cr_assert_fail("%s is not installed (Debian package %s); CI must install it",
                               path, package);
        cr_skip_test("%s is not installed: apt-get install %s", path, package);
}

char *path_join(const char *a, const char *b)
{
        char *s = NULL;
        cr_assert(asprintf(&s, "%s/%s", a, b) > 0);
        return s;
}

/* A directory anyone may write (the sandboxed program is uid 65534 when
 * the caller is root). */
char *mkdir_open(const char *parent, const char *name)
{
        char *d = path_join(parent, name);
        cr_assert(mkdir(d, 0777) == 0 || errno == EEXIST, "mkdir %s: %s", d, strerror(errno));
        chmod(d, 0777);
        return d;
}

char *read_text(const char *path)
{
        FILE *f = fopen(path, "re");
        if (!f)
                return NULL;
        char *buf = NULL;
        size_t n = 0;
        FILE *m = open_memstream(&buf, &n);
        char tmp[4096];
        size_t k;
        while ((k = fread(tmp, 1, sizeof(tmp), f)) > 0)
                fwrite(tmp, 1, k, m);
        fclose(f);
        fclose(m);
        /* Binary files too: NUL bytes would end the string early. */
        for (size_t i = 0; buf && i < n; i++)
                if (buf[i] == 0)
                        buf[i] = 1;
        return buf;
}

bool exists(const char *path)
{
        struct stat st;
        return lstat(path, &st) == 0;
}

/* Copy tests/real/NAME to DIR/AS (AS: NULL for NAME), readable by all. */
char *fixture(const char *dir, const char *name, const char *as)
{
        char *src = path_join(source_dir(), "tests/real");
        char *from = path_join(src, name);
        char *to = path_join(dir, as ? as : name);
        int in = open(from, O_RDONLY | O_CLOEXEC);
        cr_assert(in >= 0, "fixture %s: %s", from, strerror(errno));
        int out = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        cr_assert(out >= 0, "%s: %s", to, strerror(errno));
        char buf[8192];
        ssize_t k;
        while ((k = read(in, buf, sizeof(buf))) > 0)
                cr_assert_eq(write(out, buf, (size_t)k), k);
        fchmod(out, 0644);
        close(in);
        close(out);
        free(src);
        free(from);
        return to;
}

void add(struct cmd *c, const char *const *list)
{
        for (size_t i = 0; list && list[i]; i++) {
                cr_assert(c->n + 1 < sizeof(c->v) / sizeof(c->v[0]));
                c->v[c->n++] = list[i];
        }
        c->v[c->n] = NULL;
}

/* env ENV... [sbx run --profile PROFILE EXTRA... --] PROG ARGS...
 * (profile NULL: bare). */
void build_cmd(struct cmd *c, const char *const *env, const char *profile,
                      const char *const *extra, const char *const *prog)
{
        c->n = 0;
        add(c, ARGS("env"));
        add(c, env);
        if (profile) {
                add(c, ARGS(sbx_bin(), "run", "--profile", profile));
                add(c, extra);
                add(c, ARGS("--"));
        }
        add(c, prog);
}

/* Run (waiting) and return the wall time in ms. */
double run_timed(int who, const char *const *env, const char *profile, const char *const *extra,
                        const char *const *prog, const char *input, int timeout, struct run_result *r)
{
        struct cmd c;
        build_cmd(&c, env, profile, extra, prog);
        double t0 = now_ms();
        int rc = run_cmd(who, input, timeout, r, c.v);
        double t = now_ms() - t0;
        cr_assert_eq(rc, 0, "%s: %s did not finish in %d s (stderr: %s)",
                     profile ? profile : "bare", prog[0], timeout, r->err ? r->err : "");
        return t;
}

/* Background process groups still running: a failed assertion ends the
 * test process, and exit() then kills what it left (servers, Xvfb,
 * viewers) instead of leaking them past the test. */
static pid_t live[64];

static void kill_live(void)
{
        bool any = false;
        /* SIGTERM first: Xvfb removes its lock file and socket on it. */
        for (size_t i = 0; i < sizeof(live) / sizeof(live[0]); i++)
                if (live[i] > 0) {
                        kill(-live[i], SIGTERM);
                        any = true;
                }
        if (any)
                usleep(300 * 1000);
        for (size_t i = 0; i < sizeof(live) / sizeof(live[0]); i++)
                if (live[i] > 0) {
                        kill(-live[i], SIGKILL);
                        kill(live[i], SIGKILL);
                        live[i] = 0;
                }
}

static void track(pid_t pid)
{
        static bool registered;
        if (!registered) {
                atexit(kill_live);
                registered = true;
        }
        for (size_t i = 0; i < sizeof(live) / sizeof(live[0]); i++)
                if (live[i] == 0) {
                        live[i] = pid;
                        return;
                }
}

static void untrack(pid_t pid)
{
        for (size_t i = 0; i < sizeof(live) / sizeof(live[0]); i++)
                if (live[i] == pid)
                        live[i] = 0;
}

/* Start a command in the background in its own process group, output to
 * LOG.  Returns its pid. */
pid_t spawn_bg(int who, const char *const *argv, const char *log)
{
        pid_t pid = fork();
        cr_assert(pid >= 0);
        if (pid == 0) {
                setpgid(0, 0);
                int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
                int nul = open("/dev/null", O_RDONLY | O_CLOEXEC);
                if (fd < 0 || nul < 0)
                        _exit(127);
                dup2(nul, 0);
                dup2(fd, 1);
                dup2(fd, 2);
                const char *args[200];
                size_t k = 0;
                if (who == AS_USER && geteuid() == 0) {
                        args[k++] = "setpriv";
                        args[k++] = "--reuid=65534";
                        args[k++] = "--regid=65534";
                        args[k++] = "--clear-groups";
                        args[k++] = "--";
                }
                for (size_t i = 0; argv[i] && k < 199; i++)
                        args[k++] = argv[i];
                args[k] = NULL;
                execvp(args[0], (char *const *)args);
                _exit(127);
        }
        setpgid(pid, pid);
        track(pid);
        return pid;
}

/* SIGTERM the group (sbx forwards it into the sandbox), then SIGKILL. */
int stop_bg(pid_t pid)
{
        int st = 0;
        untrack(pid);
        kill(-pid, SIGTERM);
        for (int i = 0; i < 250; i++) {
                pid_t w = waitpid(pid, &st, WNOHANG);
                if (w == pid) {
                        kill(-pid, SIGKILL);
                        return st;
                }
                usleep(20 * 1000);
        }
        kill(-pid, SIGKILL);
        waitpid(pid, &st, 0);
        return st;
}

/* A TCP server on 127.0.0.1 in a child process: HTTP (the page in
 * `body` for every request) or a one-line banner sent on accept. */
pid_t serve(int *port, const char *body, bool http)
{
        int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
        socklen_t l = sizeof(a);
        int one = 1;
        cr_assert(s >= 0);
        setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
        cr_assert_eq(bind(s, (struct sockaddr *)&a, sizeof(a)), 0);
        cr_assert_eq(listen(s, 64), 0);
        cr_assert_eq(getsockname(s, (struct sockaddr *)&a, &l), 0);
        *port = ntohs(a.sin_port);
        pid_t pid = fork();
        cr_assert(pid >= 0);
        if (pid > 0) {
                setpgid(pid, pid);
                track(pid);
                close(s);
                return pid;
        }
        setpgid(0, 0);
        signal(SIGPIPE, SIG_IGN);
        for (;;) {
                int c = accept4(s, NULL, NULL, SOCK_CLOEXEC);
                if (c < 0)
                        continue;
                char req[4096];
                char head[256];
                if (!http) {
                        (void)!write(c, "banner\n", 7);
                        close(c);
                        continue;
                }
                /* Read the request head (browsers send it at once). */
                size_t got = 0;
                while (got < sizeof(req) - 1) {
                        ssize_t k = read(c, req + got, sizeof(req) - 1 - got);
                        if (k <= 0)
                                break;
                        got += (size_t)k;
                        req[got] = 0;
                        if (strstr(req, "\r\n\r\n"))
                                break;
                }
                bool favicon = strstr(req, "GET /favicon") != NULL;
                const char *b = favicon ? "" : body;
                int n = snprintf(head, sizeof(head),
                                 "HTTP/1.0 %s\r\nContent-Type: text/html\r\nContent-Length: %zu\r\n"
                                 "Connection: close\r\n\r\n",
                                 favicon ? "404 Not Found" : "200 OK", strlen(b));
                (void)!write(c, head, (size_t)n);
                (void)!write(c, b, strlen(b));
                shutdown(c, SHUT_WR);
                while (read(c, req, sizeof(req)) > 0)
                        ;
                close(c);
        }
}

void stop_server(pid_t pid)
{
        untrack(pid);
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
}

int free_port(void)
{
        int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
        socklen_t l = sizeof(a);
        cr_assert(bind(s, (struct sockaddr *)&a, sizeof(a)) == 0);
        cr_assert(getsockname(s, (struct sockaddr *)&a, &l) == 0);
        close(s);
        return ntohs(a.sin_port);
}

/* GET PATH from 127.0.0.1:PORT; the whole response, or NULL when nothing
 * answers. */
char *http_get(int port, const char *path)
{
        int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port),
                                 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
        struct timeval tv = { .tv_sec = 5 };
        setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
        if (connect(s, (struct sockaddr *)&a, sizeof(a)) < 0) {
                close(s);
                return NULL;
        }
        char req[512];
        int n = snprintf(req, sizeof(req), "GET %s HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n", path);
        (void)!write(s, req, (size_t)n);
        char *buf = NULL;
        size_t len = 0;
        FILE *m = open_memstream(&buf, &len);
        char tmp[4096];
        ssize_t k;
        while ((k = read(s, tmp, sizeof(tmp))) > 0)
                fwrite(tmp, 1, (size_t)k, m);
        fclose(m);
        close(s);
        if (len == 0) {
                free(buf);
                return NULL;
        }
        return buf;
}

/* Wait until the server on PORT answers PATH; the time it took in ms, or
 * a negative value after `timeout_ms`. */
double wait_http(int port, const char *path, double t0, double timeout_ms, char **resp)
{
        while (now_ms() - t0 < timeout_ms) {
                char *r = http_get(port, path);
                if (r) {
                        *resp = r;
                        return now_ms() - t0;
                }
                usleep(2 * 1000);
        }
        *resp = NULL;
        return -1;
}

/* Width and height from a PNG header, or -1. */
int png_size(const char *path, unsigned *w, unsigned *h)
{
        unsigned char b[24];
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return -1;
        ssize_t k = read(fd, b, sizeof(b));
        close(fd);
        if (k != 24 || memcmp(b, "\x89PNG\r\n\x1a\n", 8) != 0 || memcmp(b + 12, "IHDR", 4) != 0)
                return -1;
        *w = (unsigned)b[16] << 24 | (unsigned)b[17] << 16 | (unsigned)b[18] << 8 | b[19];
        *h = (unsigned)b[20] << 24 | (unsigned)b[21] << 16 | (unsigned)b[22] << 8 | b[23];
        return 0;
}

/* How many pixels of colour HEX ("#3366CC") an image (any format
 * ImageMagick reads, "xwd:-" with `shell` producing it) holds. */
long count_colour(const char *image_or_shell, bool shell, const char *hex)
{
        char cmdline[1024];
        if (shell)
                snprintf(cmdline, sizeof(cmdline),
                         "%s | /usr/bin/convert xwd:- -format %%c histogram:info:-", image_or_shell);
        else
                snprintf(cmdline, sizeof(cmdline),
                         "/usr/bin/convert '%s' -format %%c histogram:info:-", image_or_shell);
        struct run_result r;
        if (run_cmd(AS_ROOT, NULL, 30, &r, ARGS("sh", "-c", cmdline)) < 0)
                return -1;
        long n = 0;
        for (char *line = strtok(r.out, "\n"); line; line = strtok(NULL, "\n"))
                if (strcasestr(line, hex))
                        n += strtol(line, NULL, 10);
        run_result_free(&r);
        return n;
}

/* The probe (static, from the build) allowed into a profile: the profile's
 * own view and rules, with one extra program that tries things. */
const char *const *probe_extra(void)
{
        static char allow[4200];
        char *w = profile_word(probe_bin());
        snprintf(allow, sizeof(allow), "exec.allow=%s", w);
        free(w);
        static const char *v[6];
        v[0] = "--ro-bind";
        v[1] = probe_bin();
        v[2] = "--set";
        v[3] = allow;
        v[4] = NULL;
        return v;
}

/* Run the probe inside PROFILE and bare; expect DENIED inside, OK bare. */
void expect_forbidden(int who, const char *const *env, const char *profile,
                             const char *const *probe_args, const char *what)
{
        struct run_result r;
        struct cmd prog = { 0 };
        add(&prog, ARGS(probe_bin()));
        add(&prog, probe_args);
        run_timed(who, env, profile, probe_extra(), prog.v, NULL, 60, &r);
        cr_assert_eq(r.status, 0, "[%s] %s: %s: probe under sbx exited %d: %s %s",
                     who == AS_ROOT ? "root" : "user", profile, what, r.status, r.out, r.err);
        cr_assert(strncmp(r.out, "DENIED", 6) == 0, "[%s] %s: ESCAPE: %s: %s",
                  who == AS_ROOT ? "root" : "user", profile, what, r.out);
        run_result_free(&r);
        run_timed(who, env, NULL, NULL, prog.v, NULL, 30, &r);
        cr_assert(strncmp(r.out, "OK", 2) == 0,
                  "[%s] %s: %s is refused even without sbx, the check cannot fail: %s",
                  who == AS_ROOT ? "root" : "user", profile, what, r.out);
        run_result_free(&r);
}

/* tests/real/tryexec.c, built static into DIR (for "cannot exec X"). */
char *build_tryexec(const char *dir)
{
        need("/usr/bin/cc", "gcc");
        char *src = path_join(source_dir(), "tests/real/tryexec.c");
        char *out = path_join(dir, "tryexec");
        struct run_result r;
        cr_assert_eq(run_cmd(AS_ROOT, NULL, 60, &r, ARGS("cc", "-static", "-O1", "-o", out, src)), 0);
        cr_assert_eq(r.status, 0, "building tryexec: %s", r.err);
        run_result_free(&r);
        chmod(out, 0755);
        free(src);
        return out;
}

void rm_rf(char *d)
{
        if (!d)
                return;
        struct run_result r;
        if (run_cmd(AS_ROOT, NULL, 30, &r, ARGS("rm", "-rf", d)) == 0)
                run_result_free(&r);
        free(d);
}

