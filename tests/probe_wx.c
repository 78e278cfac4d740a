/* probe_wx.c — probe commands for W^X and resource limits (see probe.h).
 *
 * The wx-* commands each write a few bytes of x86_64 machine code
 * (`mov eax, 42; ret`) into memory by one route and call it: OK means the
 * code ran and returned 42, i.e. writable memory became executable.  Run
 * bare, every one prints OK on the development kernel.
 *
 * The limit commands try to exhaust one resource and report where they
 * stopped: fill (a directory's file system), forks (processes), hog and
 * mem (memory, of one kind each), inotify (the per-user count of inotify
 * instances).  Each prints OK when it reached its target, DENIED with the
 * errno at which it was stopped otherwise (a hog killed by the OOM killer
 * prints nothing: the test reads the exit status). */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdbool.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "probe.h"

#ifndef MFD_NOEXEC_SEAL
#define MFD_NOEXEC_SEAL 0x0008U
#endif
#ifndef SHM_EXEC
#define SHM_EXEC 0100000
#endif
#ifndef PR_GET_MDWE
#define PR_GET_MDWE 66
#endif

#if defined(__x86_64__)
static const unsigned char code42[] = { 0xb8, 0x2a, 0x00, 0x00, 0x00, 0xc3 }; /* mov eax,42; ret */
#else
#error "probe_wx.c: machine code for this architecture is missing"
#endif

static sigjmp_buf fault_jmp;

static void on_fault(int sig)
{
        siglongjmp(fault_jmp, sig);
}

/* Call the code at p; 0 when it returned 42, -EFAULT when it faulted. */
static int call_code(const void *p)
{
        struct sigaction sa = { .sa_handler = on_fault }, old_segv, old_bus;
        sigaction(SIGSEGV, &sa, &old_segv);
        sigaction(SIGBUS, &sa, &old_bus);
        int r;
        if (sigsetjmp(fault_jmp, 1) == 0) {
                int (*fn)(void) = (int (*)(void))(uintptr_t)p;
                r = fn() == 42 ? 0 : -EINVAL;
        } else {
                r = -EFAULT;
        }
        sigaction(SIGSEGV, &old_segv, NULL);
        sigaction(SIGBUS, &old_bus, NULL);
        return r;
}

static int fail(const char *what, int e)
{
        return probe_report(-e, "%s", what);
}

/* RW page, written, then mprotect to RX (never both at once). */
static int p_wx_mprotect(int argc, char **argv)
{
        (void)argc, (void)argv;
        void *m = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (m == MAP_FAILED)
                return fail("mmap RW", errno);
        memcpy(m, code42, sizeof(code42));
        if (mprotect(m, 4096, PROT_READ | PROT_EXEC) < 0)
                return fail("mprotect RW->RX", errno);
        return probe_report(call_code(m), "mprotect RW->RX, code ran");
}

static int p_wx_pkey(int argc, char **argv)
{
        (void)argc, (void)argv;
        void *m = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (m == MAP_FAILED)
                return fail("mmap RW", errno);
        memcpy(m, code42, sizeof(code42));
        if (syscall(SYS_pkey_mprotect, m, 4096, PROT_READ | PROT_EXEC, -1) < 0)
                return fail("pkey_mprotect RW->RX", errno);
        return probe_report(call_code(m), "pkey_mprotect RW->RX, code ran");
}

/* mmap of anonymous memory writable and executable at once. */
static int p_wx_mmap(int argc, char **argv)
{
        (void)argc, (void)argv;
        void *m = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (m == MAP_FAILED)
                return fail("mmap RWX", errno);
        memcpy(m, code42, sizeof(code42));
        return probe_report(call_code(m), "mmap RWX, code ran");
}

/* SysV shared memory: "twice" writes through a writable attach and runs
 * through a second, executable read-only one; "wx" uses one attach that is
 * writable and executable at once. */
static int p_wx_shm(int argc, char **argv)
{
        bool twice = argc > 1 && strcmp(argv[1], "twice") == 0;
        int id = shmget(IPC_PRIVATE, 4096, IPC_CREAT | 0700);
        if (id < 0)
                return fail("shmget", errno);
        void *w = shmat(id, NULL, twice ? 0 : SHM_EXEC);
        int e = errno;
        shmctl(id, IPC_RMID, NULL);
        if (w == (void *)-1)
                return fail(twice ? "shmat writable" : "shmat SHM_EXEC writable", e);
        memcpy(w, code42, sizeof(code42));
        void *x = w;
        if (twice) {
                x = shmat(id, NULL, SHM_EXEC | SHM_RDONLY);
                if (x == (void *)-1)
                        return fail("shmat SHM_EXEC|SHM_RDONLY", errno);
        }
        return probe_report(call_code(x), twice ? "SysV shm written, attached SHM_EXEC, code ran"
                                                : "SysV shm attached writable+SHM_EXEC, code ran");
}

static __attribute__((noinline, aligned(64))) int victim(void)
{
        __asm__ volatile("" ::: "memory");
        return 7;
}

/* pwrite into our own read-only text through /proc/self/mem. */
static int p_wx_procmem(int argc, char **argv)
{
        (void)argc, (void)argv;
        int fd = open("/proc/self/mem", O_RDWR | O_CLOEXEC);
        if (fd < 0)
                return fail("open /proc/self/mem O_RDWR", errno);
        ssize_t n = pwrite(fd, code42, sizeof(code42), (off_t)(uintptr_t)&victim);
        int e = errno;
        close(fd);
        if (n != (ssize_t)sizeof(code42))
                return fail("pwrite /proc/self/mem", n < 0 ? e : EIO);
        int (*volatile fn)(void) = victim;
        return probe_report(fn() == 42 ? 0 : -EINVAL, "/proc/self/mem wrote own text, code ran");
}

/* A memfd mapped MAP_SHARED writable and MAP_PRIVATE executable (the
 * private view shares the page cache until written): code written through
 * the first after the second existed, and rewritten after it ran once,
 * runs through the second.  OK when the rewritten code ran. */
static int p_wx_dual(int argc, char **argv)
{
        (void)argc, (void)argv;
        int fd = (int)syscall(SYS_memfd_create, "probe-dual", MFD_CLOEXEC | MFD_NOEXEC_SEAL);
        if (fd < 0 && errno == EINVAL)
                fd = (int)syscall(SYS_memfd_create, "probe-dual", MFD_CLOEXEC);
        if (fd < 0)
                return fail("memfd_create", errno);
        if (ftruncate(fd, 4096) < 0)
                return fail("ftruncate", errno);
        unsigned char *w = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
        if (w == MAP_FAILED)
                return fail("mmap RW shared", errno);
        void *x = mmap(NULL, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE, fd, 0);
        if (x == MAP_FAILED)
                return fail("mmap RX private", errno);
        memcpy(w, code42, sizeof(code42));
        w[1] = 41; /* mov eax, 41: runs, returns 41 */
        if (call_code(x) != -EINVAL)
                return fail("first code through the RX view", EFAULT);
        w[1] = 42;
        return probe_report(call_code(x), "memfd RW shared + RX private: code rewritten after it ran, ran");
}

/* One file mapped twice: a writable shared view and an executable view.
 * "memfd" (default) uses memfd_create; "private" writes the memfd with
 * write(2) and maps it once MAP_PRIVATE|PROT_EXEC; a directory argument
 * uses a file there instead. */
static int p_wx_twice(int argc, char **argv)
{
        const char *how = argc > 1 ? argv[1] : "memfd";
        bool priv = strcmp(how, "private") == 0;
        int fd;
        if (strcmp(how, "memfd") == 0 || priv) {
                fd = (int)syscall(SYS_memfd_create, "probe-wx", MFD_CLOEXEC | MFD_NOEXEC_SEAL);
                if (fd < 0 && errno == EINVAL)
                        fd = (int)syscall(SYS_memfd_create, "probe-wx", MFD_CLOEXEC);
                if (fd < 0)
                        return fail("memfd_create", errno);
        } else {
                char path[4096];
                snprintf(path, sizeof(path), "%s/probe-wx.XXXXXX", how);
                fd = mkostemp(path, O_CLOEXEC);
                if (fd < 0)
                        return fail("mkostemp", errno);
                unlink(path);
        }
        if (ftruncate(fd, 4096) < 0)
                return fail("ftruncate", errno);
        if (priv) {
                if (pwrite(fd, code42, sizeof(code42), 0) != (ssize_t)sizeof(code42))
                        return fail("write", errno);
                void *x = mmap(NULL, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE, fd, 0);
                if (x == MAP_FAILED)
                        return fail("mmap RX private", errno);
                return probe_report(call_code(x), "memfd written, mapped RX private, code ran");
        }
        void *w = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
        if (w == MAP_FAILED)
                return fail("mmap RW shared", errno);
        void *x = mmap(NULL, 4096, PROT_READ | PROT_EXEC, MAP_SHARED, fd, 0);
        if (x == MAP_FAILED)
                return fail("mmap RX shared", errno);
        memcpy(w, code42, sizeof(code42));
        return probe_report(call_code(x), "file mapped twice (RW + RX), code ran");
}

/* Hold MIB mebibytes of one kind of memory, touched: private or shared
 * (anonymous mappings), memfd (written with write(2), never mapped),
 * memfd-map (a memfd mapped shared), shm (SysV segments of 16 MiB, each
 * detached once touched, so that no mapping holds them).  OK when all of
 * it was held; DENIED with the errno and how far it got otherwise (a
 * process killed by the OOM killer prints nothing). */
static int p_mem(int argc, char **argv)
{
        if (argc < 3)
                return 2;
        const char *kind = argv[1];
        long mib = strtol(argv[2], NULL, 10), done = 0;
        size_t size = (size_t)mib << 20;
        int e = 0;
        if (strcmp(kind, "private") == 0 || strcmp(kind, "shared") == 0) {
                int flags = MAP_ANONYMOUS | (kind[0] == 'p' ? MAP_PRIVATE : MAP_SHARED);
                char *m = mmap(NULL, size, PROT_READ | PROT_WRITE, flags, -1, 0);
                if (m == MAP_FAILED)
                        e = errno;
                for (; !e && done < mib; done++)
                        memset(m + ((size_t)done << 20), 1, 1 << 20);
        } else if (strcmp(kind, "memfd") == 0 || strcmp(kind, "memfd-map") == 0) {
                int fd = (int)syscall(SYS_memfd_create, "probe-mem", MFD_CLOEXEC);
                if (fd < 0)
                        return fail("memfd_create", errno);
                if (kind[5] == '-') {
                        char *m = MAP_FAILED;
                        if (ftruncate(fd, (off_t)size) < 0 ||
                            (m = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0)) == MAP_FAILED)
                                e = errno;
                        for (; !e && done < mib; done++)
                                memset(m + ((size_t)done << 20), 1, 1 << 20);
                } else {
                        static char buf[1 << 20];
                        memset(buf, 1, sizeof(buf));
                        for (; done < mib; done++)
                                if (write(fd, buf, sizeof(buf)) != (ssize_t)sizeof(buf)) {
                                        e = errno ? errno : ENOSPC;
                                        break;
                                }
                }
        } else if (strcmp(kind, "shm") == 0) {
                int ids[256], n = 0;
                for (; done < mib && n < 256; done += 16) {
                        int id = shmget(IPC_PRIVATE, 16 << 20, IPC_CREAT | 0600);
                        char *m = id < 0 ? (void *)-1 : shmat(id, NULL, 0);
                        if (m == (void *)-1) {
                                e = errno;
                                if (id >= 0)
                                        shmctl(id, IPC_RMID, NULL);
                                break;
                        }
                        ids[n++] = id;
                        memset(m, 1, 16 << 20);
                        shmdt(m);
                }
                /* Gone with the sandbox's IPC namespace anyway; bare, they
                 * would outlive the probe in the caller's. */
                for (int i = 0; i < n; i++)
                        shmctl(ids[i], IPC_RMID, NULL);
        } else {
                return 2;
        }
        return probe_report(e ? -e : 0, "%s: %ld MiB held", kind, done);
}

/* Create inotify instances until refused (at most N), print how many,
 * and hold them for SECONDS. */
static int p_inotify(int argc, char **argv)
{
        if (argc < 3)
                return 2;
        long max = strtol(argv[1], NULL, 10), n = 0;
        int e = 0;
        for (; n < max; n++)
                if (inotify_init1(IN_CLOEXEC) < 0) {
                        e = errno;
                        break;
                }
        probe_report(e ? -e : 0, "%ld inotify instances", n);
        sleep((unsigned)strtoul(argv[2], NULL, 10));
        return 0;
}

/* The device and inode of the file this process runs (/proc/self/exe). */
static int p_exe_id(int argc, char **argv)
{
        (void)argc, (void)argv;
        struct stat st;
        if (stat("/proc/self/exe", &st) < 0)
                return fail("stat /proc/self/exe", errno);
        return probe_report(0, "exe %lu", (unsigned long)st.st_ino);
}

static int p_mdwe(int argc, char **argv)
{
        (void)argc, (void)argv;
        int r = prctl(PR_GET_MDWE, 0, 0, 0, 0);
        if (r < 0)
                return fail("PR_GET_MDWE", errno);
        printf("OK mdwe %d\n", r);
        return 0;
}

/* ---- limits ------------------------------------------------------------ */

/* Write MiB mebibytes into DIR/fill; OK when all were written. */
static int p_fill(int argc, char **argv)
{
        if (argc < 3)
                return 2;
        long mib = strtol(argv[2], NULL, 10);
        char path[4096];
        snprintf(path, sizeof(path), "%s/probe-fill", argv[1]);
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        if (fd < 0)
                return fail("open", errno);
        static char buf[1 << 20];
        memset(buf, 'x', sizeof(buf));
        long done = 0;
        int e = 0;
        for (; done < mib; done++) {
                size_t off = 0;
                while (off < sizeof(buf)) {
                        ssize_t n = write(fd, buf + off, sizeof(buf) - off);
                        if (n <= 0) {
                                e = n < 0 ? errno : ENOSPC;
                                break;
                        }
                        off += (size_t)n;
                }
                if (e)
                        break;
        }
        close(fd);
        unlink(path);
        return probe_report(e ? -e : 0, "wrote %ld MiB into %s", done, argv[1]);
}

/* Create N files in DIR; OK when all were created. */
static int p_inodes(int argc, char **argv)
{
        if (argc < 3)
                return 2;
        long n = strtol(argv[2], NULL, 10), i = 0;
        char path[4096];
        int e = 0;
        for (; i < n; i++) {
                snprintf(path, sizeof(path), "%s/f%ld", argv[1], i);
                int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
                if (fd < 0) {
                        e = errno;
                        break;
                }
                close(fd);
        }
        return probe_report(e ? -e : 0, "created %ld files in %s", i, argv[1]);
}

/* Keep N processes alive at once (children sleep until we are done). */
static int p_forks(int argc, char **argv)
{
        if (argc < 2)
                return 2;
        long n = strtol(argv[1], NULL, 10), i = 0;
        int pfd[2];
        if (pipe(pfd) < 0)
                return fail("pipe", errno);
        int e = 0;
        for (; i < n; i++) {
                pid_t pid = fork();
                if (pid < 0) {
                        e = errno;
                        break;
                }
                if (pid == 0) {
                        char c;
                        close(pfd[1]);
                        (void)!read(pfd[0], &c, 1);
                        _exit(0);
                }
        }
        close(pfd[1]);
        while (wait(NULL) > 0)
                ;
        return probe_report(e ? -e : 0, "%ld processes forked", i);
}

/* Allocate and touch MiB mebibytes of anonymous memory. */
static int p_hog(int argc, char **argv)
{
        if (argc < 2)
                return 2;
        long mib = strtol(argv[1], NULL, 10), i = 0;
        int e = 0;
        for (; i < mib; i++) {
                char *p = malloc(1 << 20);
                if (!p) {
                        e = ENOMEM;
                        break;
                }
                memset(p, 1, 1 << 20);
        }
        return probe_report(e ? -e : 0, "%ld MiB allocated and touched", i);
}

const struct probe_cmd probe_wx_cmds[] = {
        { "wx-mprotect", ": write code into an RW page, mprotect RX, run it", p_wx_mprotect },
        { "wx-pkey", ": the same with pkey_mprotect", p_wx_pkey },
        { "wx-mmap", ": mmap RWX, write code, run it", p_wx_mmap },
        { "wx-shm", "twice|wx: SysV shm written and run (two attaches, or one W+X attach)", p_wx_shm },
        { "wx-procmem", ": pwrite code over own text through /proc/self/mem, run it", p_wx_procmem },
        { "wx-twice", "[memfd|private|DIR]: one file mapped RW and RX, write, run", p_wx_twice },
        { "wx-dual", ": a memfd mapped MAP_SHARED RW and MAP_PRIVATE RX, rewritten while executable", p_wx_dual },
        { "mem", "private|shared|memfd|memfd-map|shm MIB: hold MIB MiB of that kind of memory", p_mem },
        { "inotify", "N SECONDS: create up to N inotify instances, hold them SECONDS", p_inotify },
        { "exe-id", ": the inode of /proc/self/exe", p_exe_id },
        { "mdwe", ": print PR_GET_MDWE", p_mdwe },
        { "fill", "DIR MIB: write MIB MiB into DIR", p_fill },
        { "inodes", "DIR N: create N empty files in DIR", p_inodes },
        { "forks", "N: keep N processes alive at once", p_forks },
        { "hog", "MIB: allocate and touch MIB MiB", p_hog },
        { NULL, NULL, NULL },
};
