/* probe_exec.c — probe commands for execution prevention and Landlock (see
 * probe.h).  Programs are started in a child with stdout/stderr on
 * /dev/null; "OK" means the attempt executed (for `run`: and exited 0).
 * A DIR argument may be HOME or CWD for $HOME or the working directory.
 * Preparing an attempt (writing the copy it executes) must work, or the
 * probe exits 3 with "SETUP …": a test that could not even try proves
 * nothing. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "probe.h"

extern char **environ;

static const char *dir_arg(const char *d)
{
        static char cwd[PATH_MAX];
        if (strcmp(d, "HOME") == 0) {
                const char *h = getenv("HOME");
                return h && *h ? h : "/";
        }
        if (strcmp(d, "CWD") == 0)
                return getcwd(cwd, sizeof(cwd)) ? cwd : ".";
        return d;
}

static int setup_fail(const char *what, int e)
{
        printf("SETUP %s: %s\n", what, strerror(e));
        fflush(stdout);
        return 3;
}

/* Copy src to dst (mode 0755); 0 or -errno. */
static int copy(const char *src, const char *dst)
{
        int in = open(src, O_RDONLY | O_CLOEXEC);
        if (in < 0)
                return -errno;
        unlink(dst); /* a previous run may have left it, owned by someone else */
        int out = open(dst, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0755);
        if (out < 0) {
                int e = errno;
                close(in);
                return -e;
        }
        char buf[65536];
        ssize_t n;
        int r = 0;
        while ((n = read(in, buf, sizeof(buf))) > 0)
                if (write(out, buf, (size_t)n) != n) {
                        r = -EIO;
                        break;
                }
        if (n < 0)
                r = -errno;
        close(in);
        if (close(out) < 0 && r == 0)
                r = -errno;
        return r;
}

/* Start argv (via execveat(dirfd, path, flags) when dirfd >= -100, i.e.
 * always: AT_FDCWD for plain paths) in a child.  Returns 0 when it ran and
 * exited 0, -errno when the exec failed, 1000+status when it ran and
 * failed. */
static int spawn(int dirfd, const char *path, int flags, char *const *argv)
{
        int p[2];
        if (pipe2(p, O_CLOEXEC) < 0)
                return -errno;
        pid_t pid = fork();
        if (pid < 0)
                return -errno;
        if (pid == 0) {
                int dn = open("/dev/null", O_RDWR | O_CLOEXEC);
                if (dn >= 0) {
                        dup2(dn, 1);
                        dup2(dn, 2);
                }
                syscall(SYS_execveat, dirfd, path, argv, environ, flags);
                int e = errno;
                (void)!write(p[1], &e, sizeof(e));
                _exit(127);
        }
        close(p[1]);
        int e = 0;
        ssize_t n = read(p[0], &e, sizeof(e));
        close(p[0]);
        int st = 0;
        while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
                ;
        if (n == (ssize_t)sizeof(e))
                return -e;
        if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
                return 0;
        return 1000 + (WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
}

static int report_spawn(int r, const char *what)
{
        if (r >= 1000) {
                printf("DENIED EXIT%d %s ran but failed\n", r - 1000, what);
                fflush(stdout);
                return 0;
        }
        return probe_report(r, "%s", what);
}

static int p_run(int argc, char **argv)
{
        if (argc < 2)
                return 2;
        return report_spawn(spawn(AT_FDCWD, argv[1], 0, argv + 1), argv[1]);
}

/* Write a copy of this (static) probe into DIR; path into buf. */
static int write_copy(const char *dir, char *buf, size_t n)
{
        snprintf(buf, n, "%s/sbx-probe-copy-%d", dir_arg(dir), getpid());
        return copy("/proc/self/exe", buf);
}

static char arg0[] = "probe-copy", arg1[] = "exit", arg2[] = "0";
static char *copy_argv[] = { arg0, arg1, arg2, NULL };

static int p_copy_exec(int argc, char **argv)
{
        char path[PATH_MAX];
        int r;
        if (argc < 2)
                return 2;
        if ((r = write_copy(argv[1], path, sizeof(path))) < 0)
                return setup_fail(path, -r);
        r = spawn(AT_FDCWD, path, 0, copy_argv);
        unlink(path);
        return report_spawn(r, "execve of an ELF written at run time");
}

static int p_copy_mmap(int argc, char **argv)
{
        char path[PATH_MAX];
        int r;
        if (argc < 2)
                return 2;
        if ((r = write_copy(argv[1], path, sizeof(path))) < 0)
                return setup_fail(path, -r);
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        unlink(path);
        if (fd < 0)
                return setup_fail("reopen", errno);
        void *m = mmap(NULL, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE, fd, 0);
        r = m == MAP_FAILED ? -errno : 0;
        close(fd);
        return probe_report(r, "mmap(PROT_EXEC) of a file written at run time");
}

static int p_mmap_exec(int argc, char **argv)
{
        if (argc < 2)
                return 2;
        int fd = open(argv[1], O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return probe_report(-errno, "open %s", argv[1]);
        void *m = mmap(NULL, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE, fd, 0);
        int r = m == MAP_FAILED ? -errno : 0;
        close(fd);
        return probe_report(r, "mmap(PROT_EXEC) of %s", argv[1]);
}

/* execve("/proc/self/fd/N") of a file written at run time. */
static int p_fd_exec(int argc, char **argv)
{
        char path[PATH_MAX], proc[64];
        int r;
        if (argc < 2)
                return 2;
        if ((r = write_copy(argv[1], path, sizeof(path))) < 0)
                return setup_fail(path, -r);
        int fd = open(path, O_RDONLY);
        unlink(path);
        if (fd < 0)
                return setup_fail("reopen", errno);
        snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
        r = spawn(AT_FDCWD, proc, 0, copy_argv);
        close(fd);
        return report_spawn(r, "execve of /proc/self/fd/N (deleted file)");
}

/* Fileless: memfd_create, write an ELF, fexecve. */
static int p_memfd_fexec(int argc, char **argv)
{
        (void)argc;
        (void)argv;
        int fd = (int)syscall(SYS_memfd_create, "sbx-probe", 0U);
        if (fd < 0)
                return probe_report(-errno, "memfd_create");
        int in = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
        /* Without /proc (a sandbox with proc = none): the path it was run as. */
        if (in < 0 && errno == ENOENT)
                in = open((const char *)getauxval(AT_EXECFN), O_RDONLY | O_CLOEXEC);
        if (in < 0)
                return setup_fail("/proc/self/exe", errno);
        char buf[65536];
        ssize_t n;
        while ((n = read(in, buf, sizeof(buf))) > 0)
                if (write(fd, buf, (size_t)n) != n)
                        return setup_fail("write memfd", errno);
        close(in);
        int r = spawn(fd, "", AT_EMPTY_PATH, copy_argv);
        close(fd);
        return report_spawn(r, "fexecve of a memfd");
}

static int p_copy_file(int argc, char **argv)
{
        if (argc < 3)
                return 2;
        return probe_report(copy(argv[1], argv[2]), "copy %s to %s", argv[1], argv[2]);
}

static int p_hardlink(int argc, char **argv)
{
        if (argc < 3)
                return 2;
        return probe_report(link(argv[1], argv[2]) < 0 ? -errno : 0, "link %s %s", argv[1], argv[2]);
}

/* A symlink in DIR to TARGET, then run it with ARGS. */
static int p_symlink_run(int argc, char **argv)
{
        char path[PATH_MAX];
        if (argc < 3)
                return 2;
        snprintf(path, sizeof(path), "%s/sbx-probe-link-%d", dir_arg(argv[2]), getpid());
        if (symlink(argv[1], path) < 0)
                return setup_fail(path, errno);
        argv[2] = path;
        int r = spawn(AT_FDCWD, path, 0, argv + 2);
        unlink(path);
        return report_spawn(r, "exec through a symlink");
}

const struct probe_cmd probe_exec_cmds[] = {
        { "run", "PATH [ARGS…]: execute, OK when it exits 0", p_run },
        { "copy-exec", "DIR: write an ELF into DIR and execute it", p_copy_exec },
        { "copy-mmap", "DIR: write an ELF into DIR and mmap it PROT_EXEC", p_copy_mmap },
        { "mmap-exec", "PATH: mmap PATH PROT_EXEC", p_mmap_exec },
        { "fd-exec", "DIR: write an ELF into DIR, execute /proc/self/fd/N", p_fd_exec },
        { "memfd-fexec", ": memfd_create + fexecve", p_memfd_fexec },
        { "copy-file", "SRC DST: copy a file", p_copy_file },
        { "hardlink", "SRC DST: link(2)", p_hardlink },
        { "symlink-run", "TARGET DIR [ARGS…]: run TARGET through a symlink in DIR", p_symlink_run },
        { NULL, NULL, NULL },
};
