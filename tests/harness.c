/* harness.c — see harness.h. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"

static const char *env_or(const char *name, const char *fallback)
{
        const char *v = getenv(name);
        return v && *v ? v : fallback;
}

const char *sbx_bin(void) { return env_or("SBX_BIN", "./launcher/sbx"); }
const char *probe_bin(void) { return env_or("SBX_PROBE", "./tests/probe"); }
const char *source_dir(void) { return env_or("SBX_SOURCE_DIR", "."); }
const char *build_dir(void) { return env_or("SBX_BUILD_DIR", "."); }
bool in_ci(void)
{
        return strcmp(env_or("CI", ""), "true") == 0 || strcmp(env_or("CI_STRICT", ""), "1") == 0;
}

struct buf {
        char *p;
        size_t n, cap;
};

static void buf_add(struct buf *b, const char *d, size_t n)
{
        if (b->n + n + 1 > b->cap) {
                b->cap = (b->n + n + 1) * 2;
                b->p = realloc(b->p, b->cap);
                if (!b->p)
                        abort();
        }
        memcpy(b->p + b->n, d, n);
        b->n += n;
        b->p[b->n] = 0;
}

int run_cmd(int who, const char *input, int timeout_s, struct run_result *r, const char *const *argv)
{
        int in[2], out[2], err[2];
        memset(r, 0, sizeof(*r));
        if (pipe2(in, O_CLOEXEC) < 0 || pipe2(out, O_CLOEXEC) < 0 || pipe2(err, O_CLOEXEC) < 0)
                return -errno;
        pid_t pid = fork();
        if (pid < 0)
                return -errno;
        if (pid == 0) {
                dup2(in[0], 0);
                dup2(out[1], 1);
                dup2(err[1], 2);
                setpgid(0, 0);
                size_t n = 0;
                while (argv[n])
                        n++;
                const char *args[256];
                if (n > 240)
                        _exit(126);
                size_t k = 0;
                if (who == AS_USER && geteuid() == 0) {
                        args[k++] = "setpriv";
                        args[k++] = "--reuid=65534";
                        args[k++] = "--regid=65534";
                        args[k++] = "--clear-groups";
                        args[k++] = "--";
                }
                for (size_t i = 0; i < n; i++)
                        args[k++] = argv[i];
                args[k] = NULL;
                execvp(args[0], (char *const *)args);
                _exit(127);
        }
        close(in[0]);
        close(out[1]);
        close(err[1]);
        if (input) {
                size_t len = strlen(input);
                (void)!write(in[1], input, len);
        }
        close(in[1]);
        struct buf bo = { 0 }, be = { 0 };
        buf_add(&bo, "", 0);
        buf_add(&be, "", 0);
        struct pollfd pfd[2] = { { out[0], POLLIN, 0 }, { err[0], POLLIN, 0 } };
        time_t deadline = time(NULL) + timeout_s;
        int open_fds = 2;
        bool timed_out = false;
        while (open_fds > 0) {
                int left = (int)(deadline - time(NULL));
                if (left <= 0) {
                        timed_out = true;
                        break;
                }
                int k = poll(pfd, 2, left * 1000);
                if (k < 0 && errno == EINTR)
                        continue;
                if (k <= 0) {
                        timed_out = true;
                        break;
                }
                for (int i = 0; i < 2; i++) {
                        if (pfd[i].fd < 0 || !pfd[i].revents)
                                continue;
                        char tmp[4096];
                        ssize_t m = read(pfd[i].fd, tmp, sizeof(tmp));
                        if (m <= 0) {
                                close(pfd[i].fd);
                                pfd[i].fd = -1;
                                open_fds--;
                        } else
                                buf_add(i == 0 ? &bo : &be, tmp, (size_t)m);
                }
        }
        if (timed_out)
                kill(-pid, SIGKILL);
        for (int i = 0; i < 2; i++)
                if (pfd[i].fd >= 0)
                        close(pfd[i].fd);
        int st = 0;
        while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
                ;
        r->out = bo.p;
        r->err = be.p;
        if (timed_out) {
                r->status = -1;
                return -ETIMEDOUT;
        }
        r->status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
        return 0;
}

int run_sbx(int who, struct run_result *r, ...)
{
        const char *args[256];
        size_t n = 0;
        args[n++] = sbx_bin();
        va_list ap;
        va_start(ap, r);
        const char *a;
        while ((a = va_arg(ap, const char *)) && n < 255)
                args[n++] = a;
        va_end(ap);
        args[n] = NULL;
        return run_cmd(who, NULL, 60, r, args);
}

void run_result_free(struct run_result *r)
{
        free(r->out);
        free(r->err);
        r->out = r->err = NULL;
}

char *shq(const char *s)
{
        size_t n = 3;
        for (const char *c = s; *c; c++)
                n += *c == '\'' ? 4 : 1;
        char *q = malloc(n), *o = q;
        if (!q)
                abort();
        *o++ = '\'';
        for (const char *c = s; *c; c++) {
                if (*c == '\'') {
                        memcpy(o, "'\\''", 4);
                        o += 4;
                } else {
                        *o++ = *c;
                }
        }
        *o++ = '\'';
        *o = 0;
        return q;
}

char *profile_word(const char *s)
{
        char *q = malloc(2 * strlen(s) + 3), *o = q;
        if (!q)
                abort();
        *o++ = '"';
        for (const char *c = s; *c; c++) {
                if (*c == '"' || *c == '\\')
                        *o++ = '\\';
                else if (*c == '$')
                        *o++ = '$';
                *o++ = *c;
        }
        *o++ = '"';
        *o = 0;
        return q;
}

char *make_tmpdir(void)
{
        char tmpl[] = "/tmp/sbx-test-XXXXXX";
        char *d = mkdtemp(tmpl);
        if (!d)
                return NULL;
        chmod(d, 0777);
        return strdup(d);
}

int write_file(const char *path, const char *content, int mode)
{
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
        if (fd < 0)
                return -errno;
        size_t len = strlen(content);
        ssize_t w = write(fd, content, len);
        int e = errno;
        fchmod(fd, (mode_t)mode);
        close(fd);
        return w == (ssize_t)len ? 0 : -(w < 0 ? e : EIO);
}
