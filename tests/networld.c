/* networld.c — a small network of its own for the network tests and
 * bench/net, built the same way as root and as an unprivileged user:
 *
 *   networld [--http FILE] [--loopback-resolver] -- CMD ARGS…
 *
 * runs CMD in a fresh network namespace "host" (H) with its own mount
 * namespace, linked by a veth pair to a second namespace standing in for
 * the internet (I):
 *
 *   H  10.203.0.1/24  fd53:6278::1/64   default routes via I
 *      127.0.0.1:8081 and [::1]:8081 greet "host-loopback"
 *      0.0.0.0:8082 greets "host-any"
 *      abstract unix socket @sbx-networld greets "host-abstract"
 *      /etc/resolv.conf: nameserver 10.203.0.2; with --loopback-resolver
 *      nameserver 127.0.0.53, a resolver on H's loopback (as
 *      systemd-resolved is) answering every A query with 10.203.0.3
 *   I  10.203.0.2/24  fd53:6278::2/64
 *      :8080 (IPv4 and IPv6) and :8081 greet "internet" (8081 is also
 *      the host's loopback port: a stack that maps the gateway address to
 *      the host's loopback shows "host-loopback" there)
 *      :8090 sends as many bytes as the 8-byte big-endian number it reads
 *      :8091 echoes every byte
 *      UDP :53 answers every A query with 10.203.0.2
 *      with --http FILE: :80 answers every HTTP request with FILE
 *      (text/html; /favicon… gets a 404), for the real browsers
 *
 * As root the namespaces belong to the initial user namespace.  Anyone else
 * first gets a user namespace of their own in which their uid maps to
 * itself; the capabilities it brings are kept as ambient ones for the `ip`
 * commands that build the network and dropped before CMD runs, so CMD (sbx)
 * runs as the same unprivileged user it would be outside.  Nothing here
 * reaches any address but these.
 *
 * networld is the subreaper of everything CMD starts: a process CMD leaves
 * behind (pasta outliving sbx) is reparented to it, and once CMD has ended
 * networld waits up to 3 s for such processes to go, then names them on
 * stderr and exits 124.  Exit status otherwise: CMD's; 125 when the world
 * could not be built (with the reason on stderr). */
#include <dirent.h>
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

enum kind { GREET, DOWNLOAD, ECHO, DNS, HTTP };

static char *page; /* --http */
static size_t page_len;

struct listener {
        int fd;
        enum kind kind;
        const char *greeting; /* GREET; DNS: the answer's last octet (10.203.0.N), as text */
};

static _Noreturn void die(const char *fmt, ...)
{
        va_list ap;
        va_start(ap, fmt);
        fprintf(stderr, "networld: ");
        vfprintf(stderr, fmt, ap);
        fprintf(stderr, ": %s\n", strerror(errno));
        va_end(ap);
        exit(125);
}

static void write_file(const char *path, const char *text)
{
        int fd = open(path, O_WRONLY | O_CLOEXEC);
        if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text))
                die("writing %s", path);
        close(fd);
}

/* Runs an `ip` command (with the ambient capabilities) and requires
 * success. */
static void ip(const char *fmt, ...)
{
        char line[256];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(line, sizeof(line), fmt, ap);
        va_end(ap);
        char ipname[] = "ip";
        char *argv[24];
        int n = 0;
        argv[n++] = ipname;
        for (char *s = strtok(line, " "); s && n < 23; s = strtok(NULL, " "))
                argv[n++] = s;
        argv[n] = NULL;
        pid_t pid = fork();
        if (pid < 0)
                die("fork");
        if (pid == 0) {
                execv("/usr/sbin/ip", argv);
                execv("/sbin/ip", argv);
                _exit(127);
        }
        int st;
        while (waitpid(pid, &st, 0) < 0)
                if (errno != EINTR)
                        die("waitpid");
        if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
                errno = EIO;
                die("ip %s (exit %d; is iproute2 installed?)", line + 0, WIFEXITED(st) ? WEXITSTATUS(st) : -1);
        }
}

/* The capabilities of a fresh user namespace, made ambient so that the
 * `ip` commands get them. */
static void ambient_caps(void)
{
        struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
        struct __user_cap_data_struct d[2];
        if (syscall(SYS_capget, &h, d) < 0)
                die("capget");
        d[0].inheritable = d[0].permitted;
        d[1].inheritable = d[1].permitted;
        if (syscall(SYS_capset, &h, d) < 0)
                die("capset");
        static const int caps[] = { CAP_NET_ADMIN, CAP_SYS_ADMIN, CAP_NET_BIND_SERVICE, CAP_NET_RAW };
        for (size_t i = 0; i < sizeof(caps) / sizeof(caps[0]); i++)
                if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, caps[i], 0, 0) < 0)
                        die("PR_CAP_AMBIENT_RAISE");
}

static int tcp_listener(int family, const char *addr, int port)
{
        int s = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1;
        if (s < 0)
                die("socket");
        (void)setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
        int r;
        if (family == AF_INET) {
                struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
                inet_pton(AF_INET, addr, &a.sin_addr);
                r = bind(s, (struct sockaddr *)&a, sizeof(a));
        } else {
                (void)setsockopt(s, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
                struct sockaddr_in6 a = { .sin6_family = AF_INET6, .sin6_port = htons((uint16_t)port) };
                inet_pton(AF_INET6, addr, &a.sin6_addr);
                r = bind(s, (struct sockaddr *)&a, sizeof(a));
        }
        if (r < 0 || listen(s, 64) < 0)
                die("listening on %s port %d", addr, port);
        return s;
}

static int abstract_listener(const char *name)
{
        int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        struct sockaddr_un a = { .sun_family = AF_UNIX };
        size_t n = strlen(name);
        memcpy(a.sun_path + 1, name, n);
        if (s < 0 || bind(s, (struct sockaddr *)&a, (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + n)) < 0 ||
            listen(s, 64) < 0)
                die("listening on @%s", name);
        return s;
}

static int udp_listener(const char *addr, int port)
{
        int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
        inet_pton(AF_INET, addr, &a.sin_addr);
        if (s < 0 || bind(s, (struct sockaddr *)&a, sizeof(a)) < 0)
                die("listening on UDP %s port %d", addr, port);
        return s;
}

static void write_all(int fd, const void *p, size_t n)
{
        while (n) {
                ssize_t w = write(fd, p, n);
                if (w <= 0)
                        return;
                p = (const char *)p + w;
                n -= (size_t)w;
        }
}

static void handle(int c, const struct listener *l)
{
        if (l->kind == GREET) {
                write_all(c, l->greeting, strlen(l->greeting));
        } else if (l->kind == HTTP) {
                char req[4096] = "", head[256];
                size_t got = 0;
                ssize_t k;
                while (got < sizeof(req) - 1 && (k = read(c, req + got, sizeof(req) - 1 - got)) > 0) {
                        got += (size_t)k;
                        req[got] = 0;
                        if (strstr(req, "\r\n\r\n"))
                                break;
                }
                bool favicon = strstr(req, "GET /favicon") != NULL;
                int n = snprintf(head, sizeof(head),
                                 "HTTP/1.0 %s\r\nContent-Type: text/html\r\nContent-Length: %zu\r\n"
                                 "Connection: close\r\n\r\n",
                                 favicon ? "404 Not Found" : "200 OK", favicon ? 0 : page_len);
                write_all(c, head, (size_t)n);
                if (!favicon)
                        write_all(c, page, page_len);
                shutdown(c, SHUT_WR);
                while (read(c, req, sizeof(req)) > 0)
                        ;
        } else if (l->kind == DOWNLOAD) {
                unsigned char req[8];
                size_t got = 0;
                ssize_t k;
                while (got < 8 && (k = read(c, req + got, 8 - got)) > 0)
                        got += (size_t)k;
                uint64_t want = 0;
                for (int i = 0; i < 8 && got == 8; i++)
                        want = want << 8 | req[i];
                static char buf[1 << 17];
                memset(buf, 'x', sizeof(buf));
                while (want) {
                        size_t n = want < sizeof(buf) ? (size_t)want : sizeof(buf);
                        ssize_t w = write(c, buf, n);
                        if (w <= 0)
                                break;
                        want -= (uint64_t)w;
                }
        } else {
                char b[4096];
                ssize_t k;
                while ((k = read(c, b, sizeof(b))) > 0)
                        write_all(c, b, (size_t)k);
        }
}

/* One DNS answer: the question echoed and one A record, 10.203.0.N. */
static void dns_answer(int s, int n_last)
{
        unsigned char q[512], a[600];
        struct sockaddr_storage from;
        socklen_t fl = sizeof(from);
        ssize_t n = recvfrom(s, q, sizeof(q), 0, (struct sockaddr *)&from, &fl);
        if (n < 17)
                return;
        size_t end = 12;
        while (end < (size_t)n && q[end])
                end += q[end] + 1u;
        end += 5;
        if (end > (size_t)n)
                return;
        memcpy(a, q, end);
        a[2] = 0x81, a[3] = 0x80, a[6] = 0, a[7] = 1, a[8] = a[9] = a[10] = a[11] = 0;
        const unsigned char rr[16] = { 0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 10, 203, 0, (unsigned char)n_last };
        memcpy(a + end, rr, sizeof(rr));
        (void)sendto(s, a, end + sizeof(rr), 0, (struct sockaddr *)&from, fl);
}

/* Serves the listeners until killed; each connection in a child. */
static _Noreturn void serve(const struct listener *l, size_t n)
{
        struct sigaction sa = { .sa_handler = SIG_IGN, .sa_flags = SA_NOCLDWAIT };
        sigaction(SIGCHLD, &sa, NULL);
        struct pollfd p[16];
        for (size_t i = 0; i < n; i++)
                p[i] = (struct pollfd){ .fd = l[i].fd, .events = POLLIN };
        for (;;) {
                if (poll(p, n, -1) < 0) {
                        if (errno == EINTR)
                                continue;
                        _exit(1);
                }
                for (size_t i = 0; i < n; i++) {
                        if (!(p[i].revents & POLLIN))
                                continue;
                        if (l[i].kind == DNS) {
                                dns_answer(l[i].fd, atoi(l[i].greeting));
                                continue;
                        }
                        int c = accept4(l[i].fd, NULL, NULL, SOCK_CLOEXEC);
                        if (c < 0)
                                continue;
                        pid_t pid = fork();
                        if (pid == 0) {
                                handle(c, &l[i]);
                                _exit(0);
                        }
                        close(c);
                }
        }
}

/* Live children of ours that are not networld's own servers (which share
 * its name): " NAME(PID)" each, appended to out. */
static void orphans(char *out, size_t n)
{
        DIR *d = opendir("/proc");
        if (!d)
                return;
        struct dirent *e;
        while ((e = readdir(d))) {
                char path[300], buf[512];
                if (e->d_name[0] < '0' || e->d_name[0] > '9')
                        continue;
                snprintf(path, sizeof(path), "/proc/%s/stat", e->d_name);
                int fd = open(path, O_RDONLY | O_CLOEXEC);
                if (fd < 0)
                        continue;
                ssize_t k = read(fd, buf, sizeof(buf) - 1);
                close(fd);
                if (k <= 0)
                        continue;
                buf[k] = 0;
                char *open_p = strchr(buf, '('), *close_p = strrchr(buf, ')');
                char state;
                int ppid;
                if (!open_p || !close_p || sscanf(close_p + 1, " %c %d", &state, &ppid) != 2)
                        continue;
                *close_p = 0;
                if (ppid != getpid() || state == 'Z' || strcmp(open_p + 1, "networld") == 0)
                        continue;
                size_t used = strlen(out);
                snprintf(out + used, n - used, " %s(%s)", open_p + 1, e->d_name);
        }
        closedir(d);
}

static void wait_byte(int fd, char want)
{
        char c;
        if (read(fd, &c, 1) != 1 || c != want) {
                errno = EPIPE;
                die("the other namespace did not get ready");
        }
}

int main(int argc, char **argv)
{
        int a = 1;
        if (a + 1 < argc && strcmp(argv[a], "--http") == 0) {
                FILE *f = fopen(argv[a + 1], "re");
                if (!f || fseek(f, 0, SEEK_END) < 0 || (page_len = (size_t)ftell(f)) > (1u << 24) ||
                    fseek(f, 0, SEEK_SET) < 0 || !(page = malloc(page_len + 1)) ||
                    fread(page, 1, page_len, f) != page_len)
                        die("reading %s", argv[a + 1]);
                fclose(f);
                a += 2;
        }
        bool lo_resolver = false;
        if (a < argc && strcmp(argv[a], "--loopback-resolver") == 0) {
                lo_resolver = true;
                a++;
        }
        if (a < argc && strcmp(argv[a], "--") == 0)
                a++;
        if (a >= argc) {
                fprintf(stderr, "usage: networld [--http FILE] [--loopback-resolver] -- CMD ARGS…\n");
                return 2;
        }
        uid_t uid = getuid();
        gid_t gid = getgid();
        if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0)
                die("PR_SET_CHILD_SUBREAPER");
        if (uid != 0) {
                if (unshare(CLONE_NEWUSER | CLONE_NEWNET | CLONE_NEWNS) < 0)
                        die("unshare(CLONE_NEWUSER|CLONE_NEWNET|CLONE_NEWNS)");
                char map[64];
                write_file("/proc/self/setgroups", "deny");
                snprintf(map, sizeof(map), "%u %u 1", (unsigned)uid, (unsigned)uid);
                write_file("/proc/self/uid_map", map);
                snprintf(map, sizeof(map), "%u %u 1", (unsigned)gid, (unsigned)gid);
                write_file("/proc/self/gid_map", map);
                ambient_caps();
        } else if (unshare(CLONE_NEWNET | CLONE_NEWNS) < 0) {
                die("unshare(CLONE_NEWNET|CLONE_NEWNS)");
        }
        if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
                die("making / private");
        char resolv[] = "/tmp/networld-resolv-XXXXXX";
        int rfd = mkstemp(resolv);
        if (rfd < 0 || fchmod(rfd, 0644) < 0)
                die("mkstemp");
        const char *ns = lo_resolver ? "nameserver 127.0.0.53\n" : "nameserver 10.203.0.2\n";
        write_all(rfd, ns, strlen(ns));
        close(rfd);
        /* Kept until the end: a bind of an unlinked file cannot be bound
         * again (sbx binds /etc/resolv.conf into a mode = host sandbox). */
        if (mount(resolv, "/etc/resolv.conf", NULL, MS_BIND, NULL) < 0) {
                int e = errno;
                (void)unlink(resolv);
                errno = e;
                die("binding %s on /etc/resolv.conf", resolv);
        }
        ip("link set lo up");

        int up[2], down[2];
        if (pipe2(up, O_CLOEXEC) < 0 || pipe2(down, O_CLOEXEC) < 0)
                die("pipe");
        pid_t inet = fork();
        if (inet < 0)
                die("fork");
        if (inet == 0) {
                prctl(PR_SET_PDEATHSIG, SIGKILL);
                if (unshare(CLONE_NEWNET) < 0)
                        die("unshare(CLONE_NEWNET)");
                ip("link set lo up");
                write_all(up[1], "r", 1);
                wait_byte(down[0], 'g');
                ip("addr add 10.203.0.2/24 dev v1");
                ip("-6 addr add fd53:6278::2/64 dev v1 nodad");
                ip("link set v1 up");
                struct listener l[] = {
                        { tcp_listener(AF_INET, "0.0.0.0", 8080), GREET, "internet\n" },
                        { tcp_listener(AF_INET6, "::", 8080), GREET, "internet\n" },
                        { tcp_listener(AF_INET, "0.0.0.0", 8081), GREET, "internet\n" },
                        { tcp_listener(AF_INET, "0.0.0.0", 8090), DOWNLOAD, NULL },
                        { tcp_listener(AF_INET6, "::", 8090), DOWNLOAD, NULL },
                        { tcp_listener(AF_INET, "0.0.0.0", 8091), ECHO, NULL },
                        { udp_listener("0.0.0.0", 53), DNS, "2" },
                        { page ? tcp_listener(AF_INET, "0.0.0.0", 80) : -1, HTTP, NULL },
                };
                write_all(up[1], "c", 1);
                serve(l, sizeof(l) / sizeof(l[0]) - (page ? 0 : 1));
        }
        wait_byte(up[0], 'r');
        ip("link add v0 type veth peer name v1 netns %d", (int)inet);
        ip("addr add 10.203.0.1/24 dev v0");
        ip("-6 addr add fd53:6278::1/64 dev v0 nodad");
        ip("link set v0 up");
        write_all(down[1], "g", 1);
        wait_byte(up[0], 'c');
        ip("route add default via 10.203.0.2");
        ip("-6 route add default via fd53:6278::2");

        struct listener hl[] = {
                { tcp_listener(AF_INET, "127.0.0.1", 8081), GREET, "host-loopback\n" },
                { tcp_listener(AF_INET6, "::1", 8081), GREET, "host-loopback\n" },
                { tcp_listener(AF_INET, "0.0.0.0", 8082), GREET, "host-any\n" },
                { abstract_listener("sbx-networld"), GREET, "host-abstract\n" },
                { lo_resolver ? udp_listener("127.0.0.53", 53) : -1, DNS, "3" },
        };
        size_t nhl = sizeof(hl) / sizeof(hl[0]) - (lo_resolver ? 0 : 1);
        pid_t host = fork();
        if (host < 0)
                die("fork");
        if (host == 0) {
                prctl(PR_SET_PDEATHSIG, SIGKILL);
                serve(hl, nhl);
        }
        for (size_t i = 0; i < nhl; i++)
                close(hl[i].fd);

        /* CMD runs without the capabilities the world was built with. */
        if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0)
                die("PR_CAP_AMBIENT_CLEAR_ALL");
        pid_t cmd = fork();
        if (cmd < 0)
                die("fork");
        if (cmd == 0) {
                execvp(argv[a], argv + a);
                fprintf(stderr, "networld: %s: %s\n", argv[a], strerror(errno));
                _exit(127);
        }
        int st = 0;
        while (waitpid(cmd, &st, 0) < 0)
                if (errno != EINTR)
                        die("waitpid");
        kill(inet, SIGKILL);
        kill(host, SIGKILL);
        char left[512] = "";
        for (int tries = 0; tries < 30; tries++) {
                while (waitpid(-1, NULL, WNOHANG) > 0)
                        ;
                left[0] = 0;
                orphans(left, sizeof(left));
                if (!left[0])
                        break;
                usleep(100 * 1000);
        }
        (void)unlink(resolv);
        if (left[0]) {
                fprintf(stderr, "networld: left behind after the command ended:%s\n", left);
                return 124;
        }
        return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}
