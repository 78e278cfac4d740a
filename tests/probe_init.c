/* probe_init.c — probe commands against the sandbox's own pid 1 (see
 * probe.h and lib/launch/spawn.c).  TARGET is "1" (init, inside a sandbox) or
 * "child": a dumpable process of the same uid that the probe forks itself,
 * holding a pipe, so that the same attack run bare reports OK. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "probe.h"

struct target {
        pid_t pid;
        pid_t child;  /* to kill and reap at the end, or 0 */
        int check_fd; /* the child's pipe, read end here; -1 */
};

static int target_open(const char *arg, struct target *t)
{
        t->child = 0;
        t->check_fd = -1;
        if (strcmp(arg, "child") != 0) {
                t->pid = (pid_t)atoi(arg);
                return t->pid > 0 ? 0 : -EINVAL;
        }
        int p[2];
        if (pipe(p) < 0)
                return -errno;
        pid_t c = fork();
        if (c < 0)
                return -errno;
        if (c == 0) {
                /* Only the pipe below: not the caller's stdio. */
                int null = open("/dev/null", O_RDWR);
                for (int fd = 0; fd < 3 && null >= 0; fd++)
                        dup2(null, fd);
                close(p[0]);
                if (write(p[1], "r", 1) != 1)
                        _exit(1);
                for (;;)
                        pause();
        }
        close(p[1]);
        char ready;
        if (read(p[0], &ready, 1) != 1)
                return -EIO;
        t->pid = t->child = c;
        t->check_fd = p[0];
        return 0;
}

static void target_close(struct target *t)
{
        if (t->child > 0) {
                kill(t->child, SIGKILL);
                waitpid(t->child, NULL, 0);
        }
        if (t->check_fd >= 0)
                close(t->check_fd);
}

/* Write 8 zero bytes (a forged status message) into every pipe the target
 * holds, through /proc/PID/fd.  Optional EXIT: exit with that status. */
static int p_proc_fd_write(int argc, char **argv)
{
        struct target t;
        if (argc < 2 || target_open(argv[1], &t) < 0)
                return 2;
        char dir[64], path[320], link[128];
        snprintf(dir, sizeof(dir), "/proc/%d/fd", (int)t.pid);
        int r = -EACCES, wrote = 0;
        DIR *d = opendir(dir);
        if (!d)
                r = -errno;
        for (struct dirent *e; d && (e = readdir(d));) {
                if (e->d_name[0] == '.')
                        continue;
                snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
                ssize_t n = readlink(path, link, sizeof(link) - 1);
                if (n < 0) {
                        r = -errno;
                        continue;
                }
                link[n] = 0;
                if (strncmp(link, "pipe:", 5) != 0)
                        continue;
                int fd = open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
                if (fd < 0) {
                        r = -errno;
                        continue;
                }
                static const char zero[8];
                if (write(fd, zero, sizeof(zero)) == (ssize_t)sizeof(zero))
                        wrote++;
                close(fd);
        }
        if (d)
                closedir(d);
        char got[8];
        bool arrived = t.check_fd < 0 || read(t.check_fd, got, sizeof(got)) == (ssize_t)sizeof(got);
        target_close(&t);
        probe_report(wrote && arrived ? 0 : r, "wrote into %d pipe(s) of %s", wrote, dir);
        fflush(stdout);
        return argc > 2 ? atoi(argv[2]) : 0;
}

static int p_proc_mem(int argc, char **argv)
{
        struct target t;
        if (argc < 2 || target_open(argv[1], &t) < 0)
                return 2;
        char path[64];
        snprintf(path, sizeof(path), "/proc/%d/mem", (int)t.pid);
        int fd = open(path, O_RDWR | O_CLOEXEC);
        int r = fd < 0 ? -errno : 0;
        if (fd >= 0)
                close(fd);
        target_close(&t);
        return probe_report(r, "open(%s, O_RDWR)", path);
}

static int p_ptrace_attach(int argc, char **argv)
{
        struct target t;
        if (argc < 2 || target_open(argv[1], &t) < 0)
                return 2;
        long k = ptrace(PTRACE_SEIZE, t.pid, NULL, NULL);
        int r = k < 0 ? -errno : 0;
        if (k == 0)
                ptrace(PTRACE_DETACH, t.pid, NULL, NULL);
        target_close(&t);
        return probe_report(r, "PTRACE_SEIZE %d", (int)t.pid);
}

/* The denial-report flood: a forged report line on stderr, then stderr
 * made non-blocking and filled until it refuses, then N calls that the
 * default filter denies and reports (ptrace).  OK says stderr was full. */
static int p_flood(int argc, char **argv)
{
        if (argc < 2)
                return 2;
        int n = atoi(argv[1]);
        dprintf(2, "sbx: denied forged(0) in probe (pid 2): forged by the program\n");
        int fl = fcntl(2, F_GETFL);
        if (fl < 0 || fcntl(2, F_SETFL, fl | O_NONBLOCK) < 0)
                return probe_report(-errno, "O_NONBLOCK on stderr");
        char junk[4096];
        memset(junk, 'x', sizeof(junk));
        long filled = 0;
        int e = 0;
        /* 4 MiB at most: more than any pipe holds (fs.pipe-max-size). */
        for (int i = 0; i < 1024; i++) {
                ssize_t k = write(2, junk, sizeof(junk));
                if (k < 0) {
                        e = errno;
                        break;
                }
                filled += k;
        }
        for (int i = 0; i < n; i++)
                (void)ptrace(PTRACE_TRACEME, 0, NULL, NULL);
        return probe_report(e == EAGAIN ? 0 : -EIO, "stderr filled with %ld bytes, then %d denied calls",
                            filled, n);
}

const struct probe_cmd probe_init_cmds[] = {
        { "proc-fd-write", "TARGET [EXIT]  write a forged status into TARGET's pipes via /proc",
          p_proc_fd_write },
        { "proc-mem", "TARGET  open /proc/TARGET/mem for writing", p_proc_mem },
        { "ptrace-attach", "TARGET  PTRACE_SEIZE the target", p_ptrace_attach },
        { "flood", "N  fill stderr (non-blocking), then N reported denials", p_flood },
        { NULL, NULL, NULL },
};
