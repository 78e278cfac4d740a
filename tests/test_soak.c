/* test_soak.c — libsbx under load, from one process: thousands of
 * sequential sbx_spawn()+wait of /bin/true, ~200 sandboxes alive at once
 * collected through a poll loop over their pidfds, 200 more spawned from 8
 * threads at once, and sandboxes freed while still running.  Afterwards the
 * parent must be exactly as before: same fd count, bounded heap and RSS
 * growth, same mount table, no children or sandboxed processes left, every
 * exit status collected and 0.  As root and as uid 65534.
 *
 * Each soak runs in a forked child (dropped to 65534 for the user case)
 * that measures itself and sends a struct soak back; the Criterion test
 * process only judges it.  Bounded: SOAK_SEQ spawns or SOAK_SEQ_SECONDS,
 * whichever comes first.  Every time limit here is a deadline for a hang,
 * not a speed requirement. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <malloc.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"
#include "sbx.h"

#define SOAK_SEQ 2000
#define SOAK_SEQ_SECONDS 40
#define SOAK_CONCURRENT 200
#define SOAK_THREADS 8
#define SOAK_PER_THREAD 25
#define SOAK_KILLED 20
#define WARMUP 20

/* Limits the parent's growth must stay under. */
#define MAX_HEAP_GROWTH (256 * 1024) /* bytes in use (mallinfo2) */
#define MAX_RSS_GROWTH_KB (8 * 1024)

struct soak {
        char error[1024];  /* first failure, "" when none */
        unsigned failures;
        unsigned seq, concurrent, threaded, killed;
        double seq_s, concurrent_s, threaded_s;
        double max_concurrent_alive;
        long fd_before, fd_after;
        long rss_before_kb, rss_after_kb;
        long heap_before, heap_after;
        long mounts_before, mounts_after;
        int children_left;
        int marked_left;
        char phase[32];    /* the phase running at the last checkpoint */
        bool done;
};

static struct soak *S;
static pthread_mutex_t S_lock = PTHREAD_MUTEX_INITIALIZER;
static char marker[64];
static int report_fd = -1;

/* Send the current state to the parent (one atomic pipe write), so that a
 * phase that hangs still leaves the numbers of the ones before it. */
static void checkpoint(const char *phase)
{
        pthread_mutex_lock(&S_lock);
        snprintf(S->phase, sizeof(S->phase), "%s", phase);
        (void)!write(report_fd, S, sizeof(*S));
        pthread_mutex_unlock(&S_lock);
}

static void fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void fail(const char *fmt, ...)
{
        pthread_mutex_lock(&S_lock);
        if (S->failures++ == 0) {
                va_list ap;
                va_start(ap, fmt);
                vsnprintf(S->error, sizeof(S->error), fmt, ap);
                va_end(ap);
        }
        pthread_mutex_unlock(&S_lock);
}

static double now(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static long count_fds(void)
{
        DIR *d = opendir("/proc/self/fd");
        if (!d)
                return -1;
        long n = 0;
        struct dirent *e;
        while ((e = readdir(d)))
                if (e->d_name[0] != '.')
                        n++;
        closedir(d);
        return n - 1; /* the directory's own fd */
}

static long status_kb(const char *key)
{
        FILE *f = fopen("/proc/self/status", "re");
        if (!f)
                return -1;
        char line[256];
        long v = -1;
        size_t kl = strlen(key);
        while (fgets(line, sizeof(line), f))
                if (strncmp(line, key, kl) == 0 && line[kl] == ':')
                        v = strtol(line + kl + 1, NULL, 10);
        fclose(f);
        return v;
}

static long count_lines(const char *path)
{
        FILE *f = fopen(path, "re");
        if (!f)
                return -1;
        long n = 0;
        int c;
        while ((c = getc(f)) != EOF)
                if (c == '\n')
                        n++;
        fclose(f);
        return n;
}

/* Processes anywhere on the machine still carrying this soak's argv[0]. */
static int count_marked(void)
{
        DIR *d = opendir("/proc");
        if (!d)
                return -1;
        int n = 0;
        struct dirent *e;
        while ((e = readdir(d))) {
                if (e->d_name[0] < '1' || e->d_name[0] > '9')
                        continue;
                char path[300], buf[256];
                snprintf(path, sizeof(path), "/proc/%s/cmdline", e->d_name);
                int fd = open(path, O_RDONLY | O_CLOEXEC);
                if (fd < 0)
                        continue;
                ssize_t k = read(fd, buf, sizeof(buf) - 1);
                close(fd);
                if (k <= 0)
                        continue;
                buf[k] = 0;
                if (strcmp(buf, marker) == 0)
                        n++;
        }
        closedir(d);
        return n;
}

static int count_children(void)
{
        char path[64];
        snprintf(path, sizeof(path), "/proc/self/task/%d/children", getpid());
        FILE *f = fopen(path, "re");
        if (!f)
                return -1;
        int n = 0, c, prev = ' ';
        while ((c = getc(f)) != EOF) {
                if (c != ' ' && prev == ' ')
                        n++;
                prev = c;
        }
        fclose(f);
        return n;
}

static int spawn_one(const struct sbx_policy *p, const char *file, int stdin_fd,
                     struct sbx_process **ret)
{
        const char *const argv[] = { marker, NULL };
        struct sbx_spawn_options o = {
                .size = sizeof(o),
                .file = file,
                .argv = argv,
                .stdin_fd = stdin_fd,
                .stdout_fd = -1,
                .stderr_fd = -1,
                .log_fd = -1,
        };
        struct sbx_error *err = NULL;
        int r = sbx_spawn(p, &o, ret, &err);
        if (r < 0) {
                fail("sbx_spawn %s: %s", file, err ? sbx_error_message(err) : strerror(-r));
                sbx_error_free(err);
        }
        return r;
}

static void wait_one(struct sbx_process *proc, const char *what)
{
        int st = -1;
        int r = sbx_process_wait(proc, &st);
        if (r < 0)
                fail("%s: sbx_process_wait: %s", what, strerror(-r));
        else if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
                fail("%s: status %#x (exit code %d)", what, st, sbx_exit_code(st));
        sbx_process_free(proc);
}

static void phase_sequential(const struct sbx_policy *p)
{
        double t0 = now();
        for (unsigned i = 0; i < SOAK_SEQ && now() - t0 < SOAK_SEQ_SECONDS; i++) {
                struct sbx_process *proc = NULL;
                if (spawn_one(p, "/bin/true", -1, &proc) < 0)
                        return;
                wait_one(proc, "sequential /bin/true");
                S->seq++;
        }
        S->seq_s = now() - t0;
}

/* SOAK_CONCURRENT sandboxes running `cat` on one pipe we hold: all alive at
 * once; closing the pipe ends them all; a poll loop over their pidfds
 * collects each as it exits. */
static void phase_concurrent(const struct sbx_policy *p)
{
        struct sbx_process *procs[SOAK_CONCURRENT] = { 0 };
        struct pollfd pf[SOAK_CONCURRENT];
        int pipefd[2];
        if (pipe2(pipefd, O_CLOEXEC) < 0) {
                fail("pipe: %s", strerror(errno));
                return;
        }
        double t0 = now();
        size_t n = 0;
        for (; n < SOAK_CONCURRENT; n++)
                if (spawn_one(p, "/bin/cat", pipefd[0], &procs[n]) < 0)
                        break;
        close(pipefd[0]);
        /* Every one must still be running: none has seen EOF yet. */
        size_t alive = 0;
        for (size_t i = 0; i < n; i++) {
                pf[i] = (struct pollfd){ .fd = sbx_process_pidfd(procs[i]), .events = POLLIN };
                if (pf[i].fd < 0)
                        fail("sbx_process_pidfd returned %d", pf[i].fd);
        }
        if (poll(pf, (nfds_t)n, 0) >= 0)
                for (size_t i = 0; i < n; i++)
                        alive += !(pf[i].revents & POLLIN);
        S->max_concurrent_alive = (double)alive;
        if (alive != n)
                fail("only %zu of %zu concurrent sandboxes were alive together", alive, n);
        close(pipefd[1]);

        size_t left = n;
        while (left > 0 && now() - t0 < 120) {
                int k = poll(pf, (nfds_t)n, 1000);
                if (k < 0 && errno != EINTR) {
                        fail("poll: %s", strerror(errno));
                        break;
                }
                for (size_t i = 0; i < n && k > 0; i++) {
                        if (!procs[i] || !(pf[i].revents & POLLIN))
                                continue;
                        wait_one(procs[i], "concurrent /bin/cat");
                        procs[i] = NULL;
                        pf[i].fd = -1; /* closed by the wait; poll ignores it */
                        left--;
                        S->concurrent++;
                }
        }
        if (left)
                fail("%zu concurrent sandboxes did not exit", left);
        for (size_t i = 0; i < n; i++)
                sbx_process_free(procs[i]);
        S->concurrent_s = now() - t0;
}

static void *thread_main(void *arg)
{
        const struct sbx_policy *p = arg;
        for (int i = 0; i < SOAK_PER_THREAD; i++) {
                struct sbx_process *proc = NULL;
                if (spawn_one(p, "/bin/true", -1, &proc) < 0)
                        break;
                wait_one(proc, "threaded /bin/true");
                pthread_mutex_lock(&S_lock);
                S->threaded++;
                pthread_mutex_unlock(&S_lock);
        }
        return NULL;
}

static void phase_threads(const struct sbx_policy *p)
{
        pthread_t th[SOAK_THREADS];
        int started = 0;
        double t0 = now();
        for (; started < SOAK_THREADS; started++) {
                int e = pthread_create(&th[started], NULL, thread_main, (void *)p);
                if (e) {
                        fail("pthread_create: %s", strerror(e));
                        break;
                }
        }
        for (int i = 0; i < started; i++)
                pthread_join(th[i], NULL);
        S->threaded_s = now() - t0;
}

/* sbx_process_free() on a running sandbox kills and reaps it. */
static void phase_killed(const struct sbx_policy *p)
{
        int pipefd[2];
        if (pipe2(pipefd, O_CLOEXEC) < 0) {
                fail("pipe: %s", strerror(errno));
                return;
        }
        for (int i = 0; i < SOAK_KILLED; i++) {
                struct sbx_process *proc = NULL;
                if (spawn_one(p, "/bin/cat", pipefd[0], &proc) < 0)
                        break;
                sbx_process_free(proc);
                S->killed++;
        }
        close(pipefd[0]);
        close(pipefd[1]);
}

static void soak_body(void)
{
        struct sbx_policy *p = NULL;
        struct sbx_error *err = NULL;
        int r = sbx_policy_new(&p);
        if (r >= 0)
                r = sbx_policy_load(p, "default", &err);
        if (r < 0) {
                fail("loading the default profile: %s",
                     err ? sbx_error_message(err) : strerror(-r));
                sbx_error_free(err);
                sbx_policy_free(p);
                return;
        }
        for (int i = 0; i < WARMUP && !S->failures; i++) {
                struct sbx_process *proc = NULL;
                if (spawn_one(p, "/bin/true", -1, &proc) >= 0)
                        wait_one(proc, "warm-up");
        }
        if (S->failures)
                goto out;
        malloc_trim(0);
        S->fd_before = count_fds();
        S->rss_before_kb = status_kb("VmRSS");
        S->heap_before = (long)mallinfo2().uordblks;
        S->mounts_before = count_lines("/proc/self/mountinfo");

        checkpoint("sequential");
        phase_sequential(p);
        checkpoint("concurrent (poll loop)");
        phase_concurrent(p);
        checkpoint("threads");
        phase_threads(p);
        checkpoint("freed while running");
        phase_killed(p);
        checkpoint("final checks");

        malloc_trim(0);
        S->fd_after = count_fds();
        S->rss_after_kb = status_kb("VmRSS");
        S->heap_after = (long)mallinfo2().uordblks;
        S->mounts_after = count_lines("/proc/self/mountinfo");
out:
        sbx_policy_free(p);
        /* Nothing may be left to reap, and nothing of any sandbox running. */
        S->children_left = count_children();
        errno = 0;
        if (waitpid(-1, NULL, WNOHANG) != -1 || errno != ECHILD)
                S->children_left++;
        S->marked_left = count_marked();
        for (int i = 0; i < 20 && S->marked_left > 0; i++) {
                usleep(100000);
                S->marked_left = count_marked();
        }
}

#define SOAK_DEADLINE_S 170

/* Fork, become `who`, run `body`, send the struct soak back.  The child
 * leads its own process group so that a hang (a deadlocked sandbox init is
 * in that group too) can be cleaned up whole. */
static void run_child(int who, void (*body)(void), struct soak *ret)
{
        char *home = make_tmpdir();
        cr_assert(home);
        int p[2];
        cr_assert_eq(pipe2(p, O_CLOEXEC), 0);
        pid_t pid = fork();
        cr_assert_geq(pid, 0);
        if (pid == 0) {
                static struct soak s;
                S = &s;
                close(p[0]);
                setpgid(0, 0);
                snprintf(marker, sizeof(marker), "sbx-soak-%d", getpid());
                if (who == AS_USER && geteuid() == 0) {
                        if (setgroups(0, NULL) < 0 || setresgid(65534, 65534, 65534) < 0 ||
                            setresuid(65534, 65534, 65534) < 0)
                                fail("dropping to 65534: %s", strerror(errno));
                        /* The uid change made us non-dumpable, so our
                         * children's /proc files belong to root and
                         * sbx_spawn could not write their uid maps (see
                         * libsbx(3)); a process that exec'd would be
                         * dumpable again, which is what `setpriv` users
                         * get. */
                        if (prctl(PR_SET_DUMPABLE, 1, 0, 0, 0) < 0)
                                fail("PR_SET_DUMPABLE: %s", strerror(errno));
                }
                /* A home and cwd of our own: the default profile binds the
                 * cwd read-only, and the seccomp cache lives under $HOME. */
                setenv("HOME", home, 1);
                unsetenv("XDG_CACHE_HOME");
                if (chdir(home) < 0)
                        fail("chdir: %s", strerror(errno));
                report_fd = p[1];
                if (!s.failures)
                        body();
                s.done = true;
                checkpoint("done");
                _exit(0);
        }
        close(p[1]);
        setpgid(pid, pid);
        memset(ret, 0, sizeof(*ret));
        struct pollfd pf = { .fd = p[0], .events = POLLIN };
        struct soak last;
        double deadline = now() + SOAK_DEADLINE_S;
        bool hung = false;
        while (!ret->done) {
                int left = (int)((deadline - now()) * 1000);
                if (left <= 0 || poll(&pf, 1, left) <= 0) {
                        hung = true;
                        kill(-pid, SIGKILL);
                        break;
                }
                if (read(p[0], &last, sizeof(last)) != (ssize_t)sizeof(last))
                        break; /* EOF: the child died */
                *ret = last;
        }
        close(p[0]);
        int st;
        waitpid(pid, &st, 0);
        struct run_result r;
        if (run_cmd(AS_ROOT, NULL, 30, &r, (const char *const[]){ "rm", "-rf", home, NULL }) == 0)
                run_result_free(&r);
        free(home);
        if (hung)
                fprintf(stderr, "soak: hung in phase '%s' after %u sequential, %u concurrent, "
                        "%u threaded spawns\n", ret->phase, ret->seq, ret->concurrent,
                        ret->threaded);
        cr_assert(!hung, "soak child hung for %d s in phase '%s' (a deadlocked sbx_spawn?); "
                  "killed", SOAK_DEADLINE_S, ret->phase);
        cr_assert(ret->done, "soak child died in phase '%s' (status %#x)", ret->phase, st);
}

static void judge(const char *who, const struct soak *s)
{
        cr_log_info("[%s] sequential: %u spawns in %.1f s = %.0f spawns/s (%.2f ms each)", who,
                    s->seq, s->seq_s, s->seq / s->seq_s, 1e3 * s->seq_s / s->seq);
        cr_log_info("[%s] concurrent: %u alive at once, all collected in %.2f s", who,
                    s->concurrent, s->concurrent_s);
        cr_log_info("[%s] threads: %u spawns from %d threads in %.2f s; %u freed while running",
                    who, s->threaded, SOAK_THREADS, s->threaded_s, s->killed);
        cr_log_info("[%s] fds %ld -> %ld, RSS %ld -> %ld KiB, heap in use %ld -> %ld B, "
                    "mountinfo lines %ld -> %ld",
                    who, s->fd_before, s->fd_after, s->rss_before_kb, s->rss_after_kb,
                    s->heap_before, s->heap_after, s->mounts_before, s->mounts_after);
        fprintf(stderr,
                "soak [%s]: %u sequential in %.1f s (%.0f/s), %u concurrent in %.2f s, %u threaded "
                "in %.2f s, %u killed; fds %ld->%ld, RSS %ld->%ld KiB, heap %ld->%ld B, mounts "
                "%ld->%ld\n",
                who, s->seq, s->seq_s, s->seq / s->seq_s, s->concurrent, s->concurrent_s,
                s->threaded, s->threaded_s, s->killed, s->fd_before, s->fd_after,
                s->rss_before_kb, s->rss_after_kb, s->heap_before, s->heap_after,
                s->mounts_before, s->mounts_after);

        cr_assert_eq(s->failures, 0, "[%s] %u failures, first: %s", who, s->failures, s->error);
        /* SOAK_SEQ_SECONDS bounds the phase; how many fit is the machine's
         * speed (a busy 2-core machine does ~12/s), not a requirement.
         * Enough must run for the leak checks below to mean something. */
        cr_expect_geq(s->seq, 100, "[%s] only %u sequential spawns in %d s", who, s->seq,
                      SOAK_SEQ_SECONDS);
        cr_expect_eq(s->concurrent, SOAK_CONCURRENT, "[%s]", who);
        cr_expect_eq(s->threaded, SOAK_THREADS * SOAK_PER_THREAD, "[%s]", who);
        cr_expect_eq(s->killed, SOAK_KILLED, "[%s]", who);
        cr_expect_eq(s->fd_after, s->fd_before, "[%s] fd count changed: %ld -> %ld", who,
                     s->fd_before, s->fd_after);
        cr_expect_lt(s->heap_after - s->heap_before, MAX_HEAP_GROWTH,
                     "[%s] heap in use grew by %ld bytes", who, s->heap_after - s->heap_before);
        cr_expect_lt(s->rss_after_kb - s->rss_before_kb, MAX_RSS_GROWTH_KB,
                     "[%s] RSS grew by %ld KiB", who, s->rss_after_kb - s->rss_before_kb);
        cr_expect_eq(s->mounts_after, s->mounts_before, "[%s] mount table changed", who);
        cr_expect_eq(s->children_left, 0, "[%s] %d children left", who, s->children_left);
        cr_expect_eq(s->marked_left, 0, "[%s] %d sandboxed processes left running", who,
                     s->marked_left);
}

Test(soak, as_root)
{
        struct soak s;
        run_child(AS_ROOT, soak_body, &s);
        judge("root", &s);
}

Test(soak, as_user)
{
        struct soak s;
        run_child(AS_USER, soak_body, &s);
        judge("user", &s);
}

/* ---- die with the spawning thread ---------------------------------------
 * sbx.h promises that a sandbox dies when the thread that spawned it exits.
 * A thread spawns a sandbox that would run forever, dups its pidfd, and
 * exits without waiting; the pidfd must turn readable (init gone) soon. */
static int orphan_pidfd = -1;
static struct sbx_process *orphan;

static void *spawn_and_leave(void *arg)
{
        const struct sbx_policy *p = arg;
        int pipefd[2];
        if (pipe2(pipefd, O_CLOEXEC) < 0) {
                fail("pipe: %s", strerror(errno));
                return NULL;
        }
        if (spawn_one(p, "/bin/cat", pipefd[0], &orphan) >= 0)
                orphan_pidfd = fcntl(sbx_process_pidfd(orphan), F_DUPFD_CLOEXEC, 0);
        close(pipefd[0]);
        /* The write end stays open in this process: cat never sees EOF. */
        return NULL;
}

static void pdeathsig_body(void)
{
        struct sbx_policy *p = NULL;
        struct sbx_error *err = NULL;
        int r = sbx_policy_new(&p);
        if (r >= 0)
                r = sbx_policy_load(p, "default", &err);
        if (r < 0) {
                fail("loading the default profile: %s",
                     err ? sbx_error_message(err) : strerror(-r));
                sbx_error_free(err);
                sbx_policy_free(p);
                return;
        }
        pthread_t th;
        if (pthread_create(&th, NULL, spawn_and_leave, p) != 0) {
                fail("pthread_create");
                sbx_policy_free(p);
                return;
        }
        pthread_join(th, NULL);
        if (orphan_pidfd < 0) {
                if (!S->failures)
                        fail("no pidfd");
                sbx_policy_free(p);
                return;
        }
        struct pollfd pf = { .fd = orphan_pidfd, .events = POLLIN };
        if (poll(&pf, 1, 5000) != 1) {
                fail("the sandbox outlived the thread that spawned it by 5 s");
        } else {
                int st = 0;
                r = sbx_process_wait(orphan, &st);
                if (r < 0)
                        fail("sbx_process_wait: %s", strerror(-r));
                else if (!WIFSIGNALED(st) || WTERMSIG(st) != SIGKILL)
                        fail("sandbox status %#x, expected killed by SIGKILL", st);
        }
        sbx_process_free(orphan);
        close(orphan_pidfd);
        sbx_policy_free(p);
        S->marked_left = count_marked();
}

Test(soak, dies_with_spawning_thread)
{
        static const int whos[] = { AS_ROOT, AS_USER };
        for (size_t i = 0; i < 2; i++) {
                const char *who = whos[i] == AS_ROOT ? "root" : "user";
                struct soak s;
                run_child(whos[i], pdeathsig_body, &s);
                cr_expect_eq(s.failures, 0, "[%s] %s", who, s.error);
                cr_expect_eq(s.marked_left, 0, "[%s] %d sandboxed processes left", who,
                             s.marked_left);
        }
}

/* ---- a busy caller -------------------------------------------------------
 * sbx.h promises that sbx_spawn() is safe from several threads at once, in
 * a process whose other threads do anything.  16 threads spawn /bin/true
 * while 4 more keep glibc's locks and the signal table busy: malloc/free,
 * printf to a stream, fopen/fgets/fclose (the list lock a sandbox once hung
 * on, in libcap-ng's fopen, because another thread held it at clone time),
 * setenv/getenv, and sigaction flipping a SIGUSR1 handler that a fifth
 * thread keeps firing (a child that ran the caller's handler, or kept it
 * across execve, would be wrong).  Every spawn must finish and exit 0
 * before the soak deadline, which is a deadline for a hang, not a speed
 * requirement. */
#define BUSY_SPAWNERS 16
#define BUSY_PER_SPAWNER 12
#define BUSY_LOOPERS 4

static atomic_bool busy_stop;
static atomic_ulong busy_loops, busy_handled;

static void busy_handler(int sig) { (void)sig; atomic_fetch_add(&busy_handled, 1); }

static void *busy_loop(void *arg)
{
        long kind = (long)arg;
        FILE *out = fopen("/dev/null", "we");
        while (!atomic_load(&busy_stop)) {
                switch (kind) {
                case 0: {
                        void *v[32];
                        for (size_t i = 0; i < 32; i++)
                                v[i] = malloc(16 + 997 * i);
                        for (size_t i = 0; i < 32; i++)
                                free(v[i]);
                        break;
                }
                case 1: {
                        if (out) {
                                fprintf(out, "busy %lu %s\n", atomic_load(&busy_loops), marker);
                                fflush(out);
                        }
                        printf("%s", ""); /* stdout's lock */
                        FILE *f = fopen("/proc/self/status", "re");
                        char line[256];
                        if (f) {
                                while (fgets(line, sizeof(line), f))
                                        ;
                                fclose(f);
                        }
                        break;
                }
                case 2: {
                        struct sigaction sa = { .sa_handler = busy_handler };
                        sigemptyset(&sa.sa_mask);
                        sigaction(SIGUSR1, &sa, NULL);
                        sa.sa_handler = SIG_IGN;
                        sigaction(SIGUSR1, &sa, NULL);
                        sa.sa_handler = busy_handler;
                        sigaction(SIGUSR1, &sa, NULL);
                        setenv("SBX_SOAK_BUSY", "1", 1);
                        if (!getenv("SBX_SOAK_BUSY"))
                                fail("setenv did not stick");
                        break;
                }
                default:
                        kill(getpid(), SIGUSR1);
                        usleep(200);
                        break;
                }
                atomic_fetch_add(&busy_loops, 1);
        }
        if (out)
                fclose(out);
        return NULL;
}

static void *busy_spawner(void *arg)
{
        const struct sbx_policy *p = arg;
        for (int i = 0; i < BUSY_PER_SPAWNER; i++) {
                struct sbx_process *proc = NULL;
                if (spawn_one(p, "/bin/true", -1, &proc) < 0)
                        break;
                wait_one(proc, "busy-caller /bin/true");
                pthread_mutex_lock(&S_lock);
                S->threaded++;
                pthread_mutex_unlock(&S_lock);
        }
        return NULL;
}

static void busy_body(void)
{
        struct sbx_policy *p = NULL;
        struct sbx_error *err = NULL;
        int r = sbx_policy_new(&p);
        if (r >= 0)
                r = sbx_policy_load(p, "default", &err);
        if (r < 0) {
                fail("loading the default profile: %s",
                     err ? sbx_error_message(err) : strerror(-r));
                sbx_error_free(err);
                sbx_policy_free(p);
                return;
        }
        /* The handler is in place before anything fires. */
        struct sigaction sa = { .sa_handler = busy_handler };
        sigemptyset(&sa.sa_mask);
        sigaction(SIGUSR1, &sa, NULL);
        if (!freopen("/dev/null", "w", stdout))
                fail("freopen: %s", strerror(errno));
        S->fd_before = count_fds();
        checkpoint("busy caller");
        double t0 = now();
        pthread_t loopers[BUSY_LOOPERS], spawners[BUSY_SPAWNERS];
        int nl = 0, ns = 0;
        for (; nl < BUSY_LOOPERS; nl++)
                if (pthread_create(&loopers[nl], NULL, busy_loop, (void *)(long)nl) != 0) {
                        fail("pthread_create");
                        break;
                }
        for (; ns < BUSY_SPAWNERS && !S->failures; ns++)
                if (pthread_create(&spawners[ns], NULL, busy_spawner, p) != 0) {
                        fail("pthread_create");
                        break;
                }
        for (int i = 0; i < ns; i++)
                pthread_join(spawners[i], NULL);
        atomic_store(&busy_stop, true);
        for (int i = 0; i < nl; i++)
                pthread_join(loopers[i], NULL);
        S->threaded_s = now() - t0;
        S->fd_after = count_fds();
        if (atomic_load(&busy_loops) == 0 || atomic_load(&busy_handled) == 0)
                fail("the busy threads did not run (%lu loops, %lu signals handled)",
                     atomic_load(&busy_loops), atomic_load(&busy_handled));
        sbx_policy_free(p);
        S->children_left = count_children();
        S->marked_left = count_marked();
        for (int i = 0; i < 20 && S->marked_left > 0; i++) {
                usleep(100000);
                S->marked_left = count_marked();
        }
}

Test(soak, spawn_from_16_threads_of_a_busy_caller)
{
        static const int whos[] = { AS_ROOT, AS_USER };
        for (size_t i = 0; i < 2; i++) {
                const char *who = whos[i] == AS_ROOT ? "root" : "user";
                struct soak s;
                run_child(whos[i], busy_body, &s);
                fprintf(stderr, "soak busy caller [%s]: %u spawns from %d threads in %.1f s\n", who,
                        s.threaded, BUSY_SPAWNERS, s.threaded_s);
                cr_expect_eq(s.failures, 0, "[%s] %u failures, first: %s", who, s.failures, s.error);
                cr_expect_eq(s.threaded, BUSY_SPAWNERS * BUSY_PER_SPAWNER, "[%s]", who);
                cr_expect_eq(s.fd_after, s.fd_before, "[%s] fd count %ld -> %ld", who, s.fd_before,
                             s.fd_after);
                cr_expect_eq(s.children_left, 0, "[%s] %d children left", who, s.children_left);
                cr_expect_eq(s.marked_left, 0, "[%s] %d sandboxed processes left", who,
                             s.marked_left);
        }
}
