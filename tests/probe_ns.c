/* probe_ns.c — probe commands for namespaces, the filesystem view, fds,
 * identity, capabilities and process behaviour (see probe.h). */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/shm.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "probe.h"

#define ERR(x) ((x) < 0 ? -errno : 0)

static int status_field(const char *name, char *out, size_t n)
{
        FILE *f = fopen("/proc/self/status", "re");
        if (!f)
                return -errno;
        char line[256];
        size_t len = strlen(name);
        int r = -ENOENT;
        while (fgets(line, sizeof(line), f))
                if (strncmp(line, name, len) == 0 && line[len] == ':') {
                        char *v = line + len + 1;
                        while (*v == ' ' || *v == '\t')
                                v++;
                        v[strcspn(v, "\n")] = 0;
                        snprintf(out, n, "%s", v);
                        r = 0;
                        break;
                }
        fclose(f);
        return r;
}

/* OK when any capability is present in any set. */
static int p_caps(int argc, char **argv)
{
        static const char *const sets[] = { "CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb" };
        char all[256] = "", v[64];
        bool any = false;
        for (size_t i = 0; i < 5; i++) {
                if (status_field(sets[i], v, sizeof(v)) < 0)
                        return probe_report(-EIO, "no /proc/self/status");
                if (strtoull(v, NULL, 16) != 0)
                        any = true;
                size_t l = strlen(all);
                snprintf(all + l, sizeof(all) - l, "%s=%s ", sets[i], v);
        }
        return probe_report(any ? 0 : -EPERM, "%s", all);
}

/* OK when no_new_privs is off. */
static int p_nnp(int argc, char **argv)
{
        char v[32];
        if (status_field("NoNewPrivs", v, sizeof(v)) < 0)
                return probe_report(-EIO, "no NoNewPrivs");
        return probe_report(strcmp(v, "1") == 0 ? -EPERM : 0, "NoNewPrivs=%s", v);
}

static int p_id(int argc, char **argv)
{
        gid_t g[64];
        int n = getgroups(64, g);
        printf("OK uid=%u euid=%u gid=%u egid=%u ngroups=%d", getuid(), geteuid(), getgid(),
               getegid(), n);
        for (int i = 0; i < n; i++)
                printf(" %u", g[i]);
        putchar('\n');
        return 0;
}

static int p_read(int argc, char **argv)
{
        if (argc < 2)
                return 2;
        int fd = open(argv[1], O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return probe_report(-errno, "open %s", argv[1]);
        char buf[256];
        ssize_t n = read(fd, buf, sizeof(buf) - 1);
        int e = errno;
        close(fd);
        if (n < 0)
                return probe_report(-e, "read %s", argv[1]);
        buf[n] = 0;
        buf[strcspn(buf, "\n")] = 0;
        return probe_report(0, "read %s: %s", argv[1], buf);
}

static int p_write(int argc, char **argv)
{
        if (argc < 2)
                return 2;
        int fd = open(argv[1], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd < 0)
                return probe_report(-errno, "open %s", argv[1]);
        ssize_t n = write(fd, "pwned\n", 6);
        int e = errno;
        close(fd);
        return probe_report(n == 6 ? 0 : -e, "write %s", argv[1]);
}

/* A System V shared memory segment by key: only visible in the IPC
 * namespace that created it. */
static int p_shm(int argc, char **argv)
{
        if (argc < 2)
                return 2;
        int id = shmget((key_t)strtol(argv[1], NULL, 0), 0, 0);
        return probe_report(id < 0 ? -errno : 0, "shmget %s", argv[1]);
}

/* Write a file's current content back to it: harmless where it works (a
 * sysctl keeps its value), so the bare run can show that it does. */
static int p_rewrite(int argc, char **argv)
{
        if (argc < 2)
                return 2;
        char buf[512];
        int fd = open(argv[1], O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return probe_report(-errno, "open %s", argv[1]);
        ssize_t n = read(fd, buf, sizeof(buf));
        int e = errno;
        close(fd);
        if (n < 0)
                return probe_report(-e, "read %s", argv[1]);
        fd = open(argv[1], O_WRONLY | O_CLOEXEC);
        if (fd < 0)
                return probe_report(-errno, "open %s for writing", argv[1]);
        ssize_t w = write(fd, buf, (size_t)n);
        e = errno;
        close(fd);
        return probe_report(w == n ? 0 : -e, "rewrite %s", argv[1]);
}

static int p_connect(int argc, char **argv)
{
        if (argc < 3)
                return 2;
        int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (s < 0)
                return probe_report(-errno, "socket");
        struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(argv[2])) };
        inet_pton(AF_INET, argv[1], &a.sin_addr);
        int r = ERR(connect(s, (struct sockaddr *)&a, sizeof(a)));
        char buf[64] = "";
        /* A greeting is read if the listener sends one, but a silent
         * listener must not hang the probe. */
        struct timeval tv = { .tv_sec = 2 };
        if (r == 0 && setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) == 0) {
                ssize_t n = read(s, buf, sizeof(buf) - 1);
                buf[n > 0 ? n : 0] = 0;
                buf[strcspn(buf, "\n")] = 0;
        }
        close(s);
        return probe_report(r, "connect %s:%s %s", argv[1], argv[2], buf);
}

static int p_unix(int argc, char **argv)
{
        if (argc < 2)
                return 2;
        int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (s < 0)
                return probe_report(-errno, "socket");
        struct sockaddr_un a = { .sun_family = AF_UNIX };
        if (strlen(argv[1]) >= sizeof(a.sun_path))
                return probe_report(-ENAMETOOLONG, "connect %s", argv[1]);
        strcpy(a.sun_path, argv[1] + (argv[1][0] == '='));
        int r = ERR(connect(s, (struct sockaddr *)&a, sizeof(a)));
        close(s);
        return probe_report(r, "connect %s", argv[1]);
}

static int p_abstract(int argc, char **argv)
{
        if (argc < 2)
                return 2;
        int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (s < 0)
                return probe_report(-errno, "socket");
        struct sockaddr_un a = { .sun_family = AF_UNIX };
        size_t n = strlen(argv[1]);
        if (n + 1 > sizeof(a.sun_path))
                return 2;
        memcpy(a.sun_path + 1, argv[1], n);
        int r = ERR(connect(s, (struct sockaddr *)&a, (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + n)));
        close(s);
        return probe_report(r, "connect @%s", argv[1]);
}

/* Exit 0 when the effective uid is 0: run through a set-user-ID copy
 * (`run SUID-COPY euid-root`), it tells whether exec gained root. */
static int p_euid_root(int argc, char **argv)
{
        return geteuid() == 0 ? 0 : 1;
}

static int p_kill(int argc, char **argv)
{
        if (argc < 2)
                return 2;
        int sig = argc > 2 ? atoi(argv[2]) : 0;
        return probe_report(ERR(kill(atoi(argv[1]), sig)), "kill(%s, %d)", argv[1], sig);
}

/* OK when /proc/PID exists (a host process visible). */
static int p_see(int argc, char **argv)
{
        if (argc < 2)
                return 2;
        char path[64];
        struct stat st;
        snprintf(path, sizeof(path), "/proc/%s", argv[1]);
        return probe_report(ERR(stat(path, &st)), "%s", path);
}

static int p_fd(int argc, char **argv)
{
        if (argc < 2)
                return 2;
        int fd = atoi(argv[1]);
        return probe_report(ERR(fcntl(fd, F_GETFD)), "fd %d", fd);
}

static int p_fds(int argc, char **argv)
{
        /* List open fds above 2. */
        printf("OK fds:");
        for (int fd = 3; fd < 1024; fd++)
                if (fcntl(fd, F_GETFD) >= 0)
                        printf(" %d", fd);
        putchar('\n');
        return 0;
}

static int p_remount(int argc, char **argv)
{
        if (argc < 2)
                return 2;
        int r = ERR(mount(NULL, argv[1], NULL, MS_REMOUNT | MS_BIND, NULL));
        if (r == 0) {
                char p[4096];
                snprintf(p, sizeof(p), "%s/.sbx-remount-probe", argv[1]);
                int fd = open(p, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
                r = fd < 0 ? -errno : 0;
                if (fd >= 0) {
                        close(fd);
                        unlink(p);
                }
        }
        return probe_report(r, "remount %s read-write", argv[1]);
}

static int p_mount(int argc, char **argv)
{
        const char *where = argc > 1 ? argv[1] : "/tmp";
        return probe_report(ERR(mount("none", where, "tmpfs", 0, NULL)), "mount tmpfs on %s", where);
}

/* OK when a device node could be created AND opened. */
static int p_mknod(int argc, char **argv)
{
        if (argc < 2)
                return 2;
        unlink(argv[1]);
        int r = ERR(mknod(argv[1], S_IFCHR | 0666, makedev(1, 3)));
        if (r == 0) {
                int fd = open(argv[1], O_RDWR | O_CLOEXEC);
                r = fd < 0 ? -errno : 0;
                if (fd >= 0)
                        close(fd);
                unlink(argv[1]);
        }
        return probe_report(r, "mknod+open %s", argv[1]);
}

/* Push a command into the terminal on fd 0. */
static int p_tiocsti(int argc, char **argv)
{
        const char *s = argc > 1 ? argv[1] : "echo INJECTED\n";
        int r = 0;
        for (const char *c = s; *c && r == 0; c++)
                r = ERR(ioctl(0, TIOCSTI, c));
        return probe_report(r, "TIOCSTI on fd 0");
}

static int p_exit(int argc, char **argv)
{
        exit(argc > 1 ? atoi(argv[1]) : 0);
}

static int p_raise(int argc, char **argv)
{
        int sig = argc > 1 ? atoi(argv[1]) : SIGTERM;
        signal(sig, SIG_DFL);
        raise(sig);
        return 1;
}

static volatile sig_atomic_t got;
static void on_sig(int s) { got = s; }

/* Print READY, wait for SIGTERM, exit 42 when it arrives. */
static int p_wait_term(int argc, char **argv)
{
        signal(SIGTERM, on_sig);
        printf("READY\n");
        fflush(stdout);
        for (int i = 0; i < 300 && !got; i++)
                usleep(100000);
        printf("%s\n", got ? "GOT SIGTERM" : "TIMEOUT");
        return got ? 42 : 1;
}

static int p_sleep(int argc, char **argv)
{
        printf("READY %d\n", getpid());
        fflush(stdout);
        sleep(argc > 1 ? (unsigned)atoi(argv[1]) : 30);
        return 0;
}

/* Leave orphans behind that init must reap; report zombies seen. */
static int p_zombies(int argc, char **argv)
{
        for (int i = 0; i < 5; i++) {
                pid_t p = fork();
                if (p == 0) {
                        if (fork() == 0)
                                _exit(0); /* grandchild: reparented to init */
                        _exit(0);
                }
                if (p > 0)
                        waitpid(p, NULL, 0);
        }
        usleep(300000);
        int zombies = 0;
        for (int pid = 1; pid < 4096; pid++) {
                char path[64], buf[512];
                snprintf(path, sizeof(path), "/proc/%d/stat", pid);
                int fd = open(path, O_RDONLY | O_CLOEXEC);
                if (fd < 0)
                        continue;
                ssize_t n = read(fd, buf, sizeof(buf) - 1);
                close(fd);
                if (n <= 0)
                        continue;
                buf[n] = 0;
                char *rp = strrchr(buf, ')');
                if (rp && rp[1] == ' ' && rp[2] == 'Z')
                        zombies++;
        }
        return probe_report(zombies ? 0 : -ECHILD, "zombies=%d", zombies);
}

static int p_cat(int argc, char **argv)
{
        char buf[4096];
        ssize_t n;
        while ((n = read(0, buf, sizeof(buf))) > 0)
                if (write(1, buf, (size_t)n) != n)
                        return 1;
        return 0;
}

static int p_isatty(int argc, char **argv)
{
        return probe_report(isatty(0) ? 0 : -ENOTTY, "isatty(0)");
}

static int p_env(int argc, char **argv)
{
        if (argc < 2)
                return 2;
        const char *v = getenv(argv[1]);
        return probe_report(v ? 0 : -ENOENT, "%s=%s", argv[1], v ? v : "");
}

static int p_ls(int argc, char **argv)
{
        if (argc < 2)
                return 2;
        struct stat st;
        return probe_report(ERR(lstat(argv[1], &st)), "lstat %s", argv[1]);
}

/* readlink(2) of /proc/PID/fd/N needs ptrace read access to PID: the
 * harmless way to ask whether another process's files are reachable. */
static int p_readlink(int argc, char **argv)
{
        if (argc < 2)
                return 2;
        char buf[256];
        ssize_t n = readlink(argv[1], buf, sizeof(buf) - 1);
        if (n < 0)
                return probe_report(-errno, "readlink %s", argv[1]);
        buf[n] = 0;
        return probe_report(0, "readlink %s: %s", argv[1], buf);
}

static int p_setuid(int argc, char **argv)
{
        uid_t u = argc > 1 ? (uid_t)atoi(argv[1]) : 0;
        return probe_report(ERR(setresuid(u, u, u)), "setresuid(%u)", u);
}

/* ---- D-Bus: a method call with a member name of our choosing -------- */

struct dbuf {
        unsigned char b[4096];
        size_t n;
};

static void dpad(struct dbuf *d, size_t a)
{
        while (d->n % a && d->n < sizeof(d->b))
                d->b[d->n++] = 0;
}

static void dput(struct dbuf *d, const void *p, size_t n)
{
        if (d->n + n <= sizeof(d->b)) {
                memcpy(d->b + d->n, p, n);
                d->n += n;
        }
}

static void dfield(struct dbuf *d, unsigned char code, char sig, const char *val)
{
        unsigned char h[4] = { code, 1, (unsigned char)sig, 0 };
        uint32_t len = (uint32_t)strlen(val);
        dpad(d, 8);
        dput(d, h, 4);
        dput(d, &len, 4);
        dput(d, val, len + 1);
}

/* A method call to the bus driver, little-endian, no body. */
static size_t dmsg(unsigned char *out, uint32_t serial, const char *member)
{
        struct dbuf f = { .n = 0 }, m = { .n = 0 };
        dfield(&f, 1, 'o', "/org/freedesktop/DBus");
        dfield(&f, 2, 's', "org.freedesktop.DBus");
        dfield(&f, 3, 's', member);
        dfield(&f, 6, 's', "org.freedesktop.DBus");
        unsigned char h[4] = { 'l', 1, 0, 1 };
        uint32_t body = 0, flen = (uint32_t)f.n;
        dput(&m, h, 4);
        dput(&m, &body, 4);
        dput(&m, &serial, 4);
        dput(&m, &flen, 4);
        dput(&m, f.b, f.n);
        dpad(&m, 8);
        memcpy(out, m.b, m.n);
        return m.n;
}

/* dbus-forge PATH|- TEXT: say Hello to the bus at PATH (- : the
 * unix:path= of $DBUS_SESSION_BUS_ADDRESS), then call a method named TEXT
 * (\n in TEXT becomes a newline).  A bus refuses such a name; a filtering
 * proxy that prints the names it does not know prints it first. */
static int p_dbus_forge(int argc, char **argv)
{
        if (argc < 3)
                return 2;
        const char *path = argv[1];
        if (strcmp(path, "-") == 0) {
                const char *a = getenv("DBUS_SESSION_BUS_ADDRESS");
                if (!a || strncmp(a, "unix:path=", 10) != 0)
                        return probe_report(-ENOENT, "no unix:path= bus address");
                path = a + 10;
        }
        char member[1024];
        size_t k = 0;
        for (const char *s = argv[2]; *s && k + 1 < sizeof(member); s++)
                if (s[0] == '\\' && s[1] == 'n')
                        member[k++] = '\n', s++;
                else
                        member[k++] = *s;
        member[k] = 0;
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
        int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
                return probe_report(-errno, "connect %s", path);
        char auth[64], reply[512];
        int n = snprintf(auth, sizeof(auth), "%cAUTH EXTERNAL ", 0);
        char uid[16];
        snprintf(uid, sizeof(uid), "%u", (unsigned)geteuid());
        for (char *u = uid; *u; u++)
                n += snprintf(auth + n, sizeof(auth) - (size_t)n, "%02x", (unsigned char)*u);
        n += snprintf(auth + n, sizeof(auth) - (size_t)n, "\r\n");
        struct timeval tv = { .tv_sec = 5 };
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
        if (write(fd, auth, (size_t)n) != n || read(fd, reply, sizeof(reply)) < 2 || strncmp(reply, "OK", 2) != 0) {
                close(fd);
                return probe_report(-EPROTO, "auth");
        }
        unsigned char msg[4096];
        size_t m = 0;
        memcpy(msg, "BEGIN\r\n", 7);
        m = 7;
        m += dmsg(msg + m, 1, "Hello");
        m += dmsg(msg + m, 2, member);
        ssize_t w = write(fd, msg, m);
        int e = w == (ssize_t)m ? 0 : -EIO;
        /* The proxy prints the name as it refuses the call, then answers
         * with an error: once that error is here, the line is written. */
        char answer[8192];
        size_t have = 0;
        while (have < sizeof(answer) - 1) {
                ssize_t got_n = read(fd, answer + have, sizeof(answer) - 1 - have);
                if (got_n <= 0)
                        break;
                have += (size_t)got_n;
                if (memmem(answer, have, "org.freedesktop.DBus.Error", 26))
                        break;
        }
        close(fd);
        return probe_report(e, "dbus method call sent");
}

const struct probe_cmd probe_ns_cmds[] = {
        { "caps", "", p_caps },
        { "nnp", "", p_nnp },
        { "id", "", p_id },
        { "read", "PATH", p_read },
        { "write", "PATH", p_write },
        { "shm", "KEY", p_shm },
        { "rewrite", "PATH", p_rewrite },
        { "connect", "IPV4 PORT", p_connect },
        { "unix", "[=]PATH: connect to a pathname unix socket (a leading = keeps sbx's args from taking PATH for a file argument)", p_unix },
        { "abstract", "NAME", p_abstract },
        { "dbus-forge", "PATH|- TEXT: a D-Bus method call named TEXT (\\n: newline) after Hello", p_dbus_forge },
        { "euid-root", ": exit 0 when euid is 0, 1 otherwise (prints nothing)", p_euid_root },
        { "kill", "PID [SIG]", p_kill },
        { "see", "PID", p_see },
        { "fd", "N", p_fd },
        { "fds", "", p_fds },
        { "remount", "PATH", p_remount },
        { "mount", "[PATH]", p_mount },
        { "mknod", "PATH", p_mknod },
        { "tiocsti", "[TEXT]", p_tiocsti },
        { "exit", "N", p_exit },
        { "raise", "SIG", p_raise },
        { "wait-term", "", p_wait_term },
        { "sleep", "SECONDS", p_sleep },
        { "zombies", "", p_zombies },
        { "cat", "", p_cat },
        { "isatty", "", p_isatty },
        { "env", "NAME", p_env },
        { "ls", "PATH", p_ls },
        { "readlink", "PATH", p_readlink },
        { "setuid", "[UID]", p_setuid },
        { NULL, NULL, NULL },
};
