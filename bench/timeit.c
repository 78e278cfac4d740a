/* timeit.c — wall time and peak RSS of launching commands, interleaved.
 *
 * Owns the launch-latency measurement of bench/run: every round runs each
 * command once, in the order given (A B C … A B C …), after a warm-up, so
 * that drift (frequency scaling, page cache, another job on the machine)
 * hits every command alike.  Time is CLOCK_MONOTONIC around vfork + execve
 * + wait4 in this process: no shell, no fork of a large parent.  Peak RSS is
 * wait4's ru_maxrss: the largest resident set of the launcher's process or
 * any descendant it waited for (what `/usr/bin/time -f %M` reports).  CPU
 * is user + system time of every process of the launch: this process is a
 * child subreaper, so a descendant that outlives its parent (bwrap's
 * launcher returns before the sandbox's pid 1 is gone) is reparented here
 * and reaped before the next launch starts; the difference of
 * RUSAGE_CHILDREN around the launch counts them all.  Wall time stops when
 * the launcher itself returns.
 *
 * Usage:
 *   timeit [-r ROUNDS] [-w WARMUP] [-l LOG] [-o RAW] [-p A/B]... CMD...
 *   CMD:  @NAME [+FD=PATH]... [%VAR=VALUE]... [^UID] ARGV...
 *     +FD=PATH    open PATH read-only at FD in the child (fresh every run:
 *                 bwrap --seccomp FD reads the fd to its end)
 *     %VAR=VALUE  set VAR for this command only
 *     ^UID        run as UID/GID UID with no supplementary groups
 *   -p A/B        also report the median of the per-round ratios A/B
 *   -l LOG        children's stderr (default /dev/null); stdout is /dev/null
 *   -o RAW        every sample as TSV: round name ns maxrss_kb status cpu_ns
 *
 * Output, one line per command and per ratio (times in microseconds):
 *   cmd NAME median p10 p90 min mean rss_median_kb failures cpu_median cpu_p10 cpu_p90
 *   ratio A B median p10 p90
 *   cpuratio A B median p10 p90      (the same for CPU user + sys)
 * Exit status 1 when any run of any command did not exit 0. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

#define MAX_CMDS 16
#define MAX_FDS 4
#define MAX_ENV 8
#define MAX_PAIRS 16

struct cmd {
        const char *name;
        char **argv;
        int fd[MAX_FDS];
        const char *fd_path[MAX_FDS];
        int nfd;
        char **envp;
        long uid; /* -1: unchanged */
        double *ns;
        double *rss;
        double *cpu;
        int failures;
        int first_status;
};

static struct cmd cmds[MAX_CMDS];
static int ncmds;

static double now_ns(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
        double x = *(const double *)a, y = *(const double *)b;
        return x < y ? -1 : x > y;
}

/* Linear interpolation between order statistics; v is sorted in place. */
static double quantile(double *v, int n, double q)
{
        if (n <= 0)
                return 0;
        qsort(v, (size_t)n, sizeof(*v), cmp_double);
        double pos = q * (n - 1);
        int i = (int)pos;
        if (i + 1 >= n)
                return v[n - 1];
        return v[i] + (pos - i) * (v[i + 1] - v[i]);
}

static char **make_env(char **extra, int nextra)
{
        size_t n = 0;
        while (environ[n])
                n++;
        char **e = calloc(n + (size_t)nextra + 1, sizeof(*e));
        if (!e)
                return NULL;
        size_t k = 0;
        for (size_t i = 0; i < n; i++) {
                int shadowed = 0;
                for (int j = 0; j < nextra; j++) {
                        size_t len = strcspn(extra[j], "=") + 1;
                        if (strncmp(environ[i], extra[j], len) == 0)
                                shadowed = 1;
                }
                if (!shadowed)
                        e[k++] = environ[i];
        }
        for (int j = 0; j < nextra; j++)
                e[k++] = extra[j];
        return e;
}

/* One launch.  vfork: the parent is suspended until execve, so the child
 * may only make syscalls on data prepared here. */
static int run_once(struct cmd *c, int devnull, int logfd, double *ns, double *rss_kb,
                    double *cpu_ns)
{
        int status = 0;
        struct rusage ru, before, after;
        if (getrusage(RUSAGE_CHILDREN, &before) < 0)
                return -errno;
        double t0 = now_ns();
        pid_t pid = vfork();
        if (pid < 0)
                return -errno;
        if (pid == 0) {
                if (dup2(devnull, 0) < 0 || dup2(devnull, 1) < 0 || dup2(logfd, 2) < 0)
                        _exit(120);
                for (int i = 0; i < c->nfd; i++) {
                        int fd = open(c->fd_path[i], O_RDONLY);
                        if (fd < 0)
                                _exit(121);
                        if (fd != c->fd[i] && (dup2(fd, c->fd[i]) < 0 || close(fd) < 0))
                                _exit(121);
                }
                if (c->uid >= 0) {
                        gid_t g = (gid_t)c->uid;
                        if (setgroups(0, NULL) < 0 || setresgid(g, g, g) < 0 ||
                            setresuid((uid_t)c->uid, (uid_t)c->uid, (uid_t)c->uid) < 0)
                                _exit(122);
                }
                execve(c->argv[0], c->argv, c->envp);
                _exit(127);
        }
        if (wait4(pid, &status, 0, &ru) < 0)
                return -errno;
        *ns = now_ns() - t0;
        *rss_kb = (double)ru.ru_maxrss;
        /* Orphaned descendants of this launch, reparented to us. */
        while (waitpid(-1, NULL, 0) > 0 || errno == EINTR)
                ;
        if (errno != ECHILD || getrusage(RUSAGE_CHILDREN, &after) < 0)
                return -errno;
        *cpu_ns = ((double)(after.ru_utime.tv_sec - before.ru_utime.tv_sec) +
                   (double)(after.ru_stime.tv_sec - before.ru_stime.tv_sec)) * 1e9 +
                  ((double)(after.ru_utime.tv_usec - before.ru_utime.tv_usec) +
                   (double)(after.ru_stime.tv_usec - before.ru_stime.tv_usec)) * 1e3;
        return status;
}

static int parse_cmds(int argc, char **argv, int first)
{
        int i = first;
        while (i < argc) {
                if (argv[i][0] != '@' || ncmds >= MAX_CMDS)
                        return -1;
                struct cmd *c = &cmds[ncmds++];
                char *extra[MAX_ENV];
                int nextra = 0;
                c->name = argv[i++] + 1;
                c->uid = -1;
                for (; i < argc; i++) {
                        char *a = argv[i];
                        if (a[0] == '+' && c->nfd < MAX_FDS && strchr(a, '=')) {
                                c->fd[c->nfd] = atoi(a + 1);
                                c->fd_path[c->nfd++] = strchr(a, '=') + 1;
                        } else if (a[0] == '%' && nextra < MAX_ENV && strchr(a, '='))
                                extra[nextra++] = a + 1;
                        else if (a[0] == '^')
                                c->uid = atol(a + 1);
                        else
                                break;
                }
                int start = i;
                while (i < argc && argv[i][0] != '@')
                        i++;
                if (i == start)
                        return -1;
                c->argv = calloc((size_t)(i - start + 1), sizeof(char *));
                if (!c->argv)
                        return -1;
                memcpy(c->argv, argv + start, (size_t)(i - start) * sizeof(char *));
                if (c->argv[0][0] != '/') {
                        fprintf(stderr, "timeit: %s: give an absolute path\n", c->argv[0]);
                        return -1;
                }
                if (!(c->envp = make_env(extra, nextra)))
                        return -1;
        }
        return ncmds > 0 ? 0 : -1;
}

static struct cmd *find(const char *name, size_t len)
{
        for (int i = 0; i < ncmds; i++)
                if (strlen(cmds[i].name) == len && strncmp(cmds[i].name, name, len) == 0)
                        return &cmds[i];
        return NULL;
}

int main(int argc, char **argv)
{
        int rounds = 30, warmup = 3, npairs = 0, opt;
        const char *log = "/dev/null", *raw = NULL;
        const char *pairs[MAX_PAIRS];

        while ((opt = getopt(argc, argv, "+r:w:l:o:p:")) != -1) {
                switch (opt) {
                case 'r':
                        rounds = atoi(optarg);
                        break;
                case 'w':
                        warmup = atoi(optarg);
                        break;
                case 'l':
                        log = optarg;
                        break;
                case 'o':
                        raw = optarg;
                        break;
                case 'p':
                        if (npairs < MAX_PAIRS && strchr(optarg, '/'))
                                pairs[npairs++] = optarg;
                        break;
                default:
                        return 2;
                }
        }
        if (rounds < 1 || warmup < 0 || parse_cmds(argc, argv, optind) < 0) {
                fprintf(stderr, "usage: timeit [-r N] [-w N] [-l LOG] [-o RAW] [-p A/B] "
                                "@NAME [+FD=PATH] [%%VAR=VAL] [^UID] ARGV... ...\n");
                return 2;
        }
        if (prctl(PR_SET_CHILD_SUBREAPER, 1) < 0) {
                perror("timeit: PR_SET_CHILD_SUBREAPER");
                return 2;
        }
        int devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
        int logfd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
        FILE *rawf = raw ? fopen(raw, "we") : NULL;
        if (devnull < 0 || logfd < 0 || (raw && !rawf)) {
                perror("timeit: open");
                return 2;
        }
        for (int i = 0; i < ncmds; i++) {
                cmds[i].ns = calloc((size_t)rounds, sizeof(double));
                cmds[i].rss = calloc((size_t)rounds, sizeof(double));
                cmds[i].cpu = calloc((size_t)rounds, sizeof(double));
                if (!cmds[i].ns || !cmds[i].rss || !cmds[i].cpu)
                        return 2;
        }

        for (int r = -warmup; r < rounds; r++) {
                for (int i = 0; i < ncmds; i++) {
                        struct cmd *c = &cmds[i];
                        double ns = 0, rss = 0, cpu = 0;
                        int st = run_once(c, devnull, logfd, &ns, &rss, &cpu);
                        if (st < 0) {
                                fprintf(stderr, "timeit: %s: %s\n", c->name, strerror(-st));
                                return 2;
                        }
                        if (rawf && r >= 0)
                                fprintf(rawf, "%d\t%s\t%.0f\t%.0f\t%d\t%.0f\n", r, c->name, ns, rss,
                                        st, cpu);
                        if (st != 0) {
                                if (!c->failures++)
                                        c->first_status = st;
                        }
                        if (r >= 0) {
                                c->ns[r] = ns;
                                c->rss[r] = rss;
                                c->cpu[r] = cpu;
                        }
                }
        }

        int bad = 0;
        for (int p = 0; p < npairs; p++) {
                const char *slash = strchr(pairs[p], '/');
                struct cmd *a = find(pairs[p], (size_t)(slash - pairs[p]));
                struct cmd *b = find(slash + 1, strlen(slash + 1));
                if (!a || !b) {
                        fprintf(stderr, "timeit: -p %s: unknown command\n", pairs[p]);
                        return 2;
                }
                double *ratio = calloc((size_t)rounds, sizeof(double));
                if (!ratio)
                        return 2;
                for (int r = 0; r < rounds; r++)
                        ratio[r] = a->ns[r] / b->ns[r];
                double m = quantile(ratio, rounds, 0.5);
                printf("ratio %s %s %.4f %.4f %.4f\n", a->name, b->name, m,
                       quantile(ratio, rounds, 0.1), quantile(ratio, rounds, 0.9));
                /* CPU time comes in ticks of the scheduler's accounting;
                 * a zero would make the ratio meaningless, so skip it. */
                int nc = 0;
                for (int r = 0; r < rounds; r++)
                        if (b->cpu[r] > 0)
                                ratio[nc++] = a->cpu[r] / b->cpu[r];
                if (nc)
                        printf("cpuratio %s %s %.4f %.4f %.4f\n", a->name, b->name,
                               quantile(ratio, nc, 0.5), quantile(ratio, nc, 0.1),
                               quantile(ratio, nc, 0.9));
                free(ratio);
        }
        for (int i = 0; i < ncmds; i++) {
                struct cmd *c = &cmds[i];
                double sum = 0;
                for (int r = 0; r < rounds; r++)
                        sum += c->ns[r];
                double med = quantile(c->ns, rounds, 0.5);
                double first = c->ns[0]; /* c->ns is sorted: the minimum */
                printf("cmd %s %.1f %.1f %.1f %.1f %.1f %.0f %d %.1f %.1f %.1f\n", c->name,
                       med / 1e3, quantile(c->ns, rounds, 0.1) / 1e3,
                       quantile(c->ns, rounds, 0.9) / 1e3, first / 1e3, sum / rounds / 1e3,
                       quantile(c->rss, rounds, 0.5), c->failures,
                       quantile(c->cpu, rounds, 0.5) / 1e3, quantile(c->cpu, rounds, 0.1) / 1e3,
                       quantile(c->cpu, rounds, 0.9) / 1e3);
                if (c->failures) {
                        bad = 1;
                        int st = c->first_status;
                        fprintf(stderr, "timeit: %s failed %d of %d runs (first: %s %d)\n", c->name,
                                c->failures, rounds + warmup,
                                WIFEXITED(st) ? "exit" : "signal",
                                WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st));
                }
        }
        if (rawf)
                fclose(rawf);
        return bad;
}
