/* syscost.c — what a syscall costs under whatever seccomp filter the process
 * runs with (none, an allow-all filter, a given program, or sbx's filter
 * when started inside `sbx run`).  Built static so that it runs unchanged
 * in any sandbox.
 *
 * Four calls, chosen to take the paths through a filter:
 *   allowed   getppid()                 allowed without argument checks: the
 *                                       kernel's action cache answers it
 *                                       without running the BPF program
 *   ioctl     ioctl(pipe, FIONREAD)     allowed after an argument check (sbx
 *                                       denies a few ioctl commands); a pipe,
 *                                       not a device, so that Landlock's
 *                                       IOCTL_DEV right does not refuse it
 *   prctl     prctl(PR_GET_DUMPABLE)    allowed after an argument check
 *   denied    reboot(0, 0, 0, 0)        denied by sbx's default profile; with
 *                                       no filter the kernel refuses it
 *                                       (EPERM without CAP_SYS_BOOT, else
 *                                       EINVAL for the bad magic): harmless
 *
 * Usage: syscost [--allow-all | --load FILE.bpf] [-n CALLS] [-r REPS]
 * Output, one line per call: NAME median_ns p10_ns p90_ns errno_name
 * Every call is made through syscall(2) so that libc cannot cache it. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

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

static double quantile(double *v, int n, double q)
{
        qsort(v, (size_t)n, sizeof(*v), cmp_double);
        double pos = q * (n - 1);
        int i = (int)pos;
        if (i + 1 >= n)
                return v[n - 1];
        return v[i] + (pos - i) * (v[i + 1] - v[i]);
}

static int load_prog(struct sock_filter *insns, unsigned short len)
{
        struct sock_fprog f = { .len = len, .filter = insns };
        if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
                return -errno;
        if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &f) < 0)
                return -errno;
        return 0;
}

static int load_file(const char *path)
{
        struct stat st;
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0 || fstat(fd, &st) < 0)
                return -errno;
        if (st.st_size <= 0 || st.st_size % 8 || st.st_size / 8 > BPF_MAXINSNS) {
                close(fd);
                return -EINVAL;
        }
        struct sock_filter *insns = malloc((size_t)st.st_size);
        if (!insns || read(fd, insns, (size_t)st.st_size) != st.st_size) {
                close(fd);
                return -EIO;
        }
        close(fd);
        return load_prog(insns, (unsigned short)(st.st_size / 8));
}

enum { ALLOWED, IOCTL, PRCTL, DENIED, NCALLS };
static const char *const call_names[NCALLS] = { "allowed", "ioctl", "prctl", "denied" };
static int pipe_r = -1;

static long one(int which)
{
        int n;
        switch (which) {
        case ALLOWED:
                return syscall(SYS_getppid);
        case IOCTL:
                return syscall(SYS_ioctl, pipe_r, FIONREAD, &n);
        case PRCTL:
                return syscall(SYS_prctl, PR_GET_DUMPABLE, 0, 0, 0, 0);
        default:
                return syscall(SYS_reboot, 0, 0, 0, 0);
        }
}

int main(int argc, char **argv)
{
        long calls = 200000;
        int reps = 21;
        for (int i = 1; i < argc; i++) {
                int r = 0;
                if (strcmp(argv[i], "--allow-all") == 0) {
                        struct sock_filter allow = BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
                        r = load_prog(&allow, 1);
                } else if (strcmp(argv[i], "--load") == 0 && i + 1 < argc)
                        r = load_file(argv[++i]);
                else if (strcmp(argv[i], "-n") == 0 && i + 1 < argc)
                        calls = atol(argv[++i]);
                else if (strcmp(argv[i], "-r") == 0 && i + 1 < argc)
                        reps = atoi(argv[++i]);
                else {
                        fprintf(stderr, "usage: syscost [--allow-all | --load FILE.bpf] [-n CALLS] [-r REPS]\n");
                        return 2;
                }
                if (r < 0) {
                        fprintf(stderr, "syscost: loading the filter: %s\n", strerror(-r));
                        return 1;
                }
        }
        if (calls < 1 || reps < 1 || reps > 1000)
                return 2;
        int p[2];
        if (pipe2(p, O_CLOEXEC) < 0) {
                perror("syscost: pipe");
                return 1;
        }
        pipe_r = p[0];
        double samples[NCALLS][1000];
        int err[NCALLS];
        for (int w = 0; w < NCALLS; w++) {
                errno = 0;
                err[w] = one(w) < 0 ? errno : 0;
        }
        /* Interleave the calls across repetitions so that drift hits
         * each alike. */
        for (int r = 0; r < reps; r++)
                for (int w = 0; w < NCALLS; w++) {
                        double t0 = now_ns();
                        for (long i = 0; i < calls; i++)
                                one(w);
                        samples[w][r] = (now_ns() - t0) / (double)calls;
                }
        for (int w = 0; w < NCALLS; w++)
                printf("%s %.1f %.1f %.1f %s\n", call_names[w], quantile(samples[w], reps, 0.5),
                       quantile(samples[w], reps, 0.1), quantile(samples[w], reps, 0.9),
                       err[w] ? strerrorname_np(err[w]) : "ok");
        return 0;
}
