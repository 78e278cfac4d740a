/* convert-pool.c — convert untrusted PDFs to text with a pool of sandboxed
 * `pdftotext` workers, through libsbx's sbx_spawn().
 *
 * Each document gets its own sandbox built from the document-converter
 * profile (or `default` when that profile is not installed) plus one
 * read-only bind of that document: a converter exploited by a crafted file
 * sees only the system directories and its own input, has no network, no
 * writable home, no capabilities and a default-deny syscall filter.  The
 * text comes back over a pipe (stdout_fd); stderr over another, both
 * capped in size, and each conversion has a time limit.
 *
 * N worker threads run conversions concurrently.  libsbx's rules for
 * threads, which this program follows:
 *   - sbx_spawn() may be called from several threads at once;
 *   - a sandbox is killed when the *thread* that spawned it exits
 *     (PR_SET_PDEATHSIG), so each worker waits for its own sandboxes;
 *   - nothing else in the process may reap children with waitpid(-1) or
 *     set SIGCHLD to SIG_IGN; libsbx installs no signal handler.
 *
 * Usage: convert-pool [-j N] [-p PROFILE] [-t SECONDS] [-o OUTDIR] FILE...
 * Prints one line per input: "ok FILE BYTES" or "fail FILE: reason", and
 * writes OUTDIR/BASENAME.txt when -o is given (else the text goes to stdout
 * after the summary line).  Exit status: 0 when every file converted.
 *
 * Build: cc convert-pool.c $(pkg-config --cflags --libs libsbx) -pthread */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <sbx.h>

#define MAX_TEXT (64u << 20)  /* a converter may not make us hold more */
#define MAX_ERR (16u << 10)

struct buf {
        char *p;
        size_t n, cap, max;
        bool truncated;
};

static int buf_read(struct buf *b, int fd)
{
        char tmp[65536];
        ssize_t k = read(fd, tmp, sizeof(tmp));
        if (k < 0)
                return errno == EINTR || errno == EAGAIN ? 1 : -errno;
        if (k == 0)
                return 0;
        size_t take = (size_t)k;
        if (b->n + take > b->max) {
                take = b->max - b->n;
                b->truncated = true;
        }
        if (b->n + take + 1 > b->cap) {
                size_t cap = b->cap ? b->cap : 65536;
                while (cap < b->n + take + 1)
                        cap *= 2;
                char *np = realloc(b->p, cap);
                if (!np)
                        return -ENOMEM;
                b->p = np;
                b->cap = cap;
        }
        memcpy(b->p + b->n, tmp, take);
        b->n += take;
        b->p[b->n] = 0;
        return 1;
}

struct job {
        const char *arg;   /* as given */
        char *path;        /* absolute */
        struct buf out, err;
        int status;        /* waitpid-style status of pdftotext */
        bool timed_out;
        char *failure;     /* setup error, malloc'd */
};

struct pool {
        struct job *jobs;
        size_t njobs;
        atomic_size_t next;
        const struct sbx_policy *base;
        int timeout_s;
};

static char *xstrdup_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *xstrdup_printf(const char *fmt, ...)
{
        char *s = NULL;
        va_list ap;
        va_start(ap, fmt);
        int r = vasprintf(&s, fmt, ap);
        va_end(ap);
        return r < 0 ? NULL : s;
}

static long long now_ms(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void convert(const struct pool *pool, struct job *j)
{
        struct sbx_policy *p = NULL;
        struct sbx_error *err = NULL;
        struct sbx_process *proc = NULL;
        int out[2] = { -1, -1 }, errp[2] = { -1, -1 };
        int r;

        j->out.max = MAX_TEXT;
        j->err.max = MAX_ERR;
        /* One policy per document: the shared base plus this input only. */
        r = sbx_policy_dup(pool->base, &p);
        if (r >= 0)
                r = sbx_policy_add_bind(p, j->path, j->path, SBX_BIND_RO, &err);
        if (r < 0)
                goto fail;
        if (pipe2(out, O_CLOEXEC) < 0 || pipe2(errp, O_CLOEXEC) < 0) {
                r = -errno;
                goto fail;
        }
        const char *const argv[] = { "pdftotext", "-enc", "UTF-8", j->path, "-", NULL };
        struct sbx_spawn_options o = {
                .size = sizeof(o),
                .file = "/usr/bin/pdftotext",
                .argv = argv,
                .stdin_fd = -1,
                .stdout_fd = out[1],
                .stderr_fd = errp[1],
                .cwd = "/",
                .log_fd = -1,
        };
        r = sbx_spawn(p, &o, &proc, &err);
        /* The sandbox has its own copies; ours must go for EOF to come. */
        close(out[1]);
        close(errp[1]);
        out[1] = errp[1] = -1;
        if (r < 0)
                goto fail;

        long long deadline = now_ms() + (long long)pool->timeout_s * 1000;
        struct pollfd pf[2] = { { .fd = out[0], .events = POLLIN },
                                { .fd = errp[0], .events = POLLIN } };
        while (pf[0].fd >= 0 || pf[1].fd >= 0) {
                long long left = deadline - now_ms();
                if (left <= 0) {
                        j->timed_out = true;
                        sbx_process_signal(proc, SIGKILL);
                        break;
                }
                int k = poll(pf, 2, (int)left);
                if (k < 0 && errno != EINTR) {
                        r = -errno;
                        goto fail;
                }
                for (int i = 0; i < 2 && k > 0; i++) {
                        if (pf[i].fd < 0 || !pf[i].revents)
                                continue;
                        int rr = buf_read(i == 0 ? &j->out : &j->err, pf[i].fd);
                        if (rr < 0) {
                                r = rr;
                                goto fail;
                        }
                        if (rr == 0)
                                pf[i].fd = -1;
                }
        }
        r = sbx_process_wait(proc, &j->status);
        if (r < 0)
                goto fail;
        goto done;

fail:
        j->failure = xstrdup_printf("%s", err ? sbx_error_message(err) : strerrordesc_np(-r));
done:
        sbx_process_free(proc); /* kills and reaps if still running */
        for (int i = 0; i < 2; i++) {
                if (out[i] >= 0)
                        close(out[i]);
                if (errp[i] >= 0)
                        close(errp[i]);
        }
        sbx_error_free(err);
        sbx_policy_free(p);
}

static void *worker(void *arg)
{
        struct pool *pool = arg;
        for (;;) {
                size_t i = atomic_fetch_add(&pool->next, 1);
                if (i >= pool->njobs)
                        return NULL;
                /* Inputs that could not be resolved already carry a failure. */
                if (!pool->jobs[i].failure)
                        convert(pool, &pool->jobs[i]);
        }
}

static int load_policy(const char *profile, bool explicit, struct sbx_policy **ret)
{
        struct sbx_policy *p = NULL;
        struct sbx_error *err = NULL;
        int r = sbx_policy_new(&p);
        if (r < 0)
                return r;
        r = sbx_policy_load(p, profile, &err);
        if (r == -ENOENT && !explicit) {
                fprintf(stderr, "convert-pool: profile %s not found, using default\n", profile);
                sbx_error_free(err);
                err = NULL;
                r = sbx_policy_load(p, "default", &err);
        }
        /* Results come back over pipes: no directory of ours needs to be
         * visible, let alone writable (document-converter binds the
         * caller's working directory read-write as its output directory). */
        if (r >= 0)
                r = sbx_policy_set(p, "filesystem", "cwd-bind", "none", "convert-pool", &err);
        if (r < 0) {
                fprintf(stderr, "convert-pool: %s\n",
                        err ? sbx_error_message(err) : strerrordesc_np(-r));
                sbx_error_free(err);
                sbx_policy_free(p);
                return r;
        }
        for (const char *const *w = sbx_policy_warnings(p); w && *w; w++)
                fprintf(stderr, "convert-pool: note: %s\n", *w);
        *ret = p;
        return 0;
}

static int write_text(const char *outdir, const struct job *j)
{
        const char *base = strrchr(j->path, '/');
        base = base ? base + 1 : j->path;
        char path[PATH_MAX];
        if (snprintf(path, sizeof(path), "%s/%s.txt", outdir, base) >= (int)sizeof(path))
                return -ENAMETOOLONG;
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
        if (fd < 0)
                return -errno;
        size_t off = 0;
        while (off < j->out.n) {
                ssize_t k = write(fd, j->out.p + off, j->out.n - off);
                if (k < 0 && errno == EINTR)
                        continue;
                if (k <= 0) {
                        int e = k < 0 ? errno : EIO;
                        close(fd);
                        return -e;
                }
                off += (size_t)k;
        }
        return close(fd) < 0 ? -errno : 0;
}

int main(int argc, char **argv)
{
        int nworkers = 4, timeout_s = 30;
        const char *profile = "document-converter", *outdir = NULL;
        bool explicit_profile = false;
        int c;
        while ((c = getopt(argc, argv, "j:p:t:o:")) != -1) {
                switch (c) {
                case 'j': nworkers = atoi(optarg); break;
                case 'p': profile = optarg; explicit_profile = true; break;
                case 't': timeout_s = atoi(optarg); break;
                case 'o': outdir = optarg; break;
                default: goto usage;
                }
        }
        if (optind >= argc || nworkers < 1 || nworkers > 256 || timeout_s < 1)
                goto usage;

        struct pool pool = { .njobs = (size_t)(argc - optind), .timeout_s = timeout_s };
        struct sbx_policy *base = NULL;
        if (load_policy(profile, explicit_profile, &base) < 0)
                return 1;
        pool.base = base;
        pool.jobs = calloc(pool.njobs, sizeof(*pool.jobs));
        if (!pool.jobs)
                return 1;
        for (size_t i = 0; i < pool.njobs; i++) {
                struct job *j = &pool.jobs[i];
                j->arg = argv[optind + (int)i];
                j->path = realpath(j->arg, NULL);
                if (!j->path)
                        j->failure = xstrdup_printf("%s: %s", j->arg, strerror(errno));
        }
        atomic_init(&pool.next, 0);
        if ((size_t)nworkers > pool.njobs)
                nworkers = (int)pool.njobs;
        pthread_t th[256];
        int started = 0;
        for (int i = 0; i < nworkers; i++) {
                int e = pthread_create(&th[i], NULL, worker, &pool);
                if (e) {
                        fprintf(stderr, "convert-pool: pthread_create: %s\n", strerror(e));
                        break;
                }
                started++;
        }
        if (started == 0)
                worker(&pool);
        for (int i = 0; i < started; i++)
                pthread_join(th[i], NULL);

        int failures = 0;
        for (size_t i = 0; i < pool.njobs; i++) {
                struct job *j = &pool.jobs[i];
                char *nl;
                if (!j->failure && j->timed_out) {
                        j->failure = xstrdup_printf("timed out after %d s", timeout_s);
                } else if (!j->failure && !(WIFEXITED(j->status) && WEXITSTATUS(j->status) == 0)) {
                        if (j->err.p && (nl = strchr(j->err.p, '\n')))
                                *nl = 0;
                        j->failure = xstrdup_printf("pdftotext exit %d: %s",
                                                    sbx_exit_code(j->status),
                                                    j->err.p ? j->err.p : "");
                } else if (!j->failure && j->out.truncated)
                        j->failure = xstrdup_printf("output larger than %u MiB", MAX_TEXT >> 20);
                else if (!j->failure && outdir) {
                        int r = write_text(outdir, j);
                        if (r < 0)
                                j->failure = xstrdup_printf("writing the text: %s", strerror(-r));
                }
                if (j->failure) {
                        failures++;
                        printf("fail %s: %s\n", j->arg, j->failure);
                } else {
                        printf("ok %s %zu\n", j->arg, j->out.n);
                        if (!outdir && j->out.n)
                                fwrite(j->out.p, 1, j->out.n, stdout);
                }
                free(j->failure);
                free(j->path);
                free(j->out.p);
                free(j->err.p);
        }
        free(pool.jobs);
        sbx_policy_free(base);
        return failures ? 1 : 0;

usage:
        fprintf(stderr, "usage: %s [-j N] [-p PROFILE] [-t SECONDS] [-o OUTDIR] FILE...\n",
                argv[0]);
        return 2;
}
