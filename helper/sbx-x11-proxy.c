/* sbx-x11-proxy.c — the X11 proxy sbx starts for a sandbox whose profile
 * says [display] x11 = untrusted or trusted (lib/plan/x11.c plans it,
 * lib/launch/x11_proxy.c starts it in a sandbox of its own).
 *
 *   sbx-x11-proxy --fd=N --listen=PATH --server=PATH --trust=untrusted|trusted
 *
 * It listens on PATH, which sbx binds into the sandbox as the display's
 * socket, and for every client connects to the real X server's path socket
 * SERVER.  The client's connection-setup request is rewritten: whatever
 * authorization the client sends is dropped and the proxy's own is put in
 * its place; everything after it is relayed unchanged.  So the sandbox
 * never holds a cookie, and it cannot present a better one than the proxy
 * does, whatever the X server's host-based access list admits (GNOME adds
 * SI:localuser for the session's uid, which a client without a cookie
 * would otherwise get in by).
 *
 * untrusted: at start the proxy connects with the caller's cookie and asks
 * the SECURITY extension for an untrusted authorization
 * (SecurityGenerateAuthorization); clients then come in under that one.
 * The X server keeps untrusted clients from the trusted ones' windows and
 * input: no reading their keystrokes or contents, no XTEST, no RECORD, no
 * XInput, and of the extensions only BIG-REQUESTS and XC-MISC.  The
 * authorization lives while a client uses it; the proxy holds one such
 * connection itself, so it lasts as long as the proxy, and expires
 * TIMEOUT seconds after the proxy is gone, however it ended.
 * trusted: the caller's cookie is used as is (the sandbox can do what any
 * X client can); file descriptors passed along the connection (DRI3,
 * MIT-SHM fd passing) are relayed.
 *
 * Control protocol on fd N (a socketpair with sbx): sbx writes one line,
 * "NAME HEXDATA\n" (the caller's authorization) or "\n" (none); the proxy
 * answers "ok\n" once it listens, "nosecurity\n" (untrusted, and the server
 * has no SECURITY extension) or "error: WHY\n", and then exits.  It exits
 * when sbx closes its end.  Each client is served by a child process.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#define AUTH_MAX 256            /* longest authorization name or data we handle */
#define SECURITY_TIMEOUT 60     /* seconds an unused untrusted authorization lives */
#define XSECURITY_TRUST_LEVEL (1u << 1)
#define XSECURITY_TIMEOUT (1u << 0)
#define XSECURITY_UNTRUSTED 1u

struct auth {
        char name[AUTH_MAX];
        unsigned char data[AUTH_MAX];
        size_t name_len, data_len;
};

static int ctl_fd = -1;

static void reply(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void reply(const char *fmt, ...)
{
        char buf[512];
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(buf, sizeof(buf), fmt, ap);
        va_end(ap);
        if (n < 0)
                return;
        if ((size_t)n >= sizeof(buf))
                n = sizeof(buf) - 1;
        buf[n] = '\n';
        ssize_t w;
        while ((w = write(ctl_fd, buf, (size_t)n + 1)) < 0 && errno == EINTR)
                ;
}

static void fail(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void fail(const char *fmt, ...)
{
        char buf[480];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(buf, sizeof(buf), fmt, ap);
        va_end(ap);
        reply("error: %s", buf);
        _exit(1);
}

static size_t pad4(size_t n)
{
        return (n + 3) & ~(size_t)3;
}

static int write_all(int fd, const void *buf, size_t n)
{
        const char *p = buf;
        while (n > 0) {
                ssize_t w = write(fd, p, n);
                if (w < 0 && errno == EINTR)
                        continue;
                if (w <= 0)
                        return -1;
                p += w;
                n -= (size_t)w;
        }
        return 0;
}

static int read_all(int fd, void *buf, size_t n)
{
        char *p = buf;
        while (n > 0) {
                ssize_t r = read(fd, p, n);
                if (r < 0 && errno == EINTR)
                        continue;
                if (r <= 0)
                        return -1;
                p += r;
                n -= (size_t)r;
        }
        return 0;
}

static void put16(unsigned char *p, bool msb, uint16_t v)
{
        p[msb ? 0 : 1] = (unsigned char)(v >> 8);
        p[msb ? 1 : 0] = (unsigned char)v;
}

static uint16_t get16(const unsigned char *p, bool msb)
{
        return msb ? (uint16_t)(p[0] << 8 | p[1]) : (uint16_t)(p[1] << 8 | p[0]);
}

static uint32_t get32le(const unsigned char *p)
{
        return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void put32le(unsigned char *p, uint32_t v)
{
        p[0] = (unsigned char)v;
        p[1] = (unsigned char)(v >> 8);
        p[2] = (unsigned char)(v >> 16);
        p[3] = (unsigned char)(v >> 24);
}

static int connect_server(const char *path)
{
        struct sockaddr_un a = { .sun_family = AF_UNIX };
        if (strlen(path) >= sizeof(a.sun_path)) {
                errno = ENAMETOOLONG;
                return -1;
        }
        strcpy(a.sun_path, path);
        int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return -1;
        if (connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
                int e = errno;
                close(fd);
                errno = e;
                return -1;
        }
        return fd;
}

/* The 12-byte setup prefix followed by the authorization, in the byte
 * order the client chose ('B' or 'l'); returns its length. */
static size_t setup_request(unsigned char *buf, unsigned char order, uint16_t major, uint16_t minor,
                            const struct auth *a)
{
        bool msb = order == 'B';
        memset(buf, 0, 12 + pad4(a->name_len) + pad4(a->data_len));
        buf[0] = order;
        put16(buf + 2, msb, major);
        put16(buf + 4, msb, minor);
        put16(buf + 6, msb, (uint16_t)a->name_len);
        put16(buf + 8, msb, (uint16_t)a->data_len);
        memcpy(buf + 12, a->name, a->name_len);
        memcpy(buf + 12 + pad4(a->name_len), a->data, a->data_len);
        return 12 + pad4(a->name_len) + pad4(a->data_len);
}

/* Our own connection (little-endian); dies with a message when refused. */
static int open_own(const char *server, const struct auth *a, const char *what)
{
        int fd = connect_server(server);
        if (fd < 0)
                fail("connecting to the X server's socket %s: %s", server, strerror(errno));
        unsigned char req[12 + 2 * AUTH_MAX], head[8];
        size_t n = setup_request(req, 'l', 11, 0, a);
        if (write_all(fd, req, n) < 0 || read_all(fd, head, 8) < 0)
                fail("the X server at %s closed the connection (%s)", server, what);
        size_t extra = (size_t)get16(head + 6, false) * 4;
        char *rest = malloc(extra + 1);
        if (!rest || read_all(fd, rest, extra) < 0)
                fail("the X server at %s closed the connection (%s)", server, what);
        if (head[0] != 1) {
                size_t rl = head[1] <= extra ? head[1] : extra;
                rest[rl] = 0;
                while (rl > 0 && (rest[rl - 1] == '\n' || rest[rl - 1] == ' '))
                        rest[--rl] = 0;
                fail("the X server refused %s: %s", what, rl ? rest : "no reason given");
        }
        free(rest);
        return fd;
}

/* The next reply on our own connection (events skipped); its bytes past
 * the first 32 are read into *extra (malloc'd).  Dies on an X error. */
static void own_reply(int fd, unsigned char r[32], unsigned char **extra, const char *what)
{
        for (;;) {
                if (read_all(fd, r, 32) < 0)
                        fail("the X server closed the connection during %s", what);
                if (r[0] == 0)
                        fail("the X server answered %s with error %u", what, r[1]);
                if (r[0] != 1)
                        continue; /* an event */
                size_t len = (size_t)get32le(r + 4) * 4;
                if (len > 1 << 20)
                        fail("the X server's reply to %s is too long", what);
                *extra = malloc(len + 1);
                if (!*extra || read_all(fd, *extra, len) < 0)
                        fail("the X server closed the connection during %s", what);
                return;
        }
}

/* SECURITY's major opcode, or dies saying the server has none. */
static unsigned security_opcode(int fd)
{
        static const char name[] = "SECURITY";
        unsigned char req[8 + 8] = { 98, 0 };
        req[2] = 4; /* length in words: 8-byte header + "SECURITY" */
        req[4] = sizeof(name) - 1;
        memcpy(req + 8, name, sizeof(name) - 1);
        unsigned char r[32], *extra = NULL;
        if (write_all(fd, req, sizeof(req)) < 0)
                fail("the X server closed the connection");
        own_reply(fd, r, &extra, "QueryExtension");
        free(extra);
        if (!r[8]) {
                reply("nosecurity");
                _exit(1);
        }
        return r[9];
}

static void generate_untrusted(int fd, unsigned opcode, struct auth *out)
{
        static const char proto[] = "MIT-MAGIC-COOKIE-1";
        size_t plen = sizeof(proto) - 1;
        unsigned char req[12 + 20 + 8] = { 0 };
        req[0] = (unsigned char)opcode;
        req[1] = 1; /* X_SecurityGenerateAuthorization */
        req[2] = sizeof(req) / 4;
        req[4] = (unsigned char)plen;
        put32le(req + 8, XSECURITY_TIMEOUT | XSECURITY_TRUST_LEVEL);
        memcpy(req + 12, proto, plen);
        /* values in mask-bit order: timeout, trust level */
        put32le(req + 12 + pad4(plen), SECURITY_TIMEOUT);
        put32le(req + 12 + pad4(plen) + 4, XSECURITY_UNTRUSTED);
        unsigned char r[32], *extra = NULL;
        if (write_all(fd, req, sizeof(req)) < 0)
                fail("the X server closed the connection");
        own_reply(fd, r, &extra, "SecurityGenerateAuthorization");
        size_t dlen = get16(r + 12, false);
        if (dlen == 0 || dlen > AUTH_MAX || dlen > (size_t)get32le(r + 4) * 4)
                fail("the X server's untrusted authorization is malformed");
        memcpy(out->name, proto, plen);
        out->name_len = plen;
        memcpy(out->data, extra, dlen);
        out->data_len = dlen;
        free(extra);
}

static int hexval(int c)
{
        return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
             : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* "NAME HEX\n" or "\n" from sbx. */
static void read_caller_auth(struct auth *a)
{
        char line[2 * AUTH_MAX + AUTH_MAX + 4];
        size_t n = 0;
        for (;;) {
                if (n + 1 >= sizeof(line))
                        fail("authorization line too long");
                ssize_t r = read(ctl_fd, line + n, 1);
                if (r < 0 && errno == EINTR)
                        continue;
                if (r <= 0)
                        _exit(1);
                if (line[n] == '\n')
                        break;
                n++;
        }
        line[n] = 0;
        memset(a, 0, sizeof(*a));
        if (n == 0)
                return;
        char *sp = strchr(line, ' ');
        if (!sp || (size_t)(sp - line) >= AUTH_MAX)
                fail("malformed authorization line");
        a->name_len = (size_t)(sp - line);
        memcpy(a->name, line, a->name_len);
        const char *h = sp + 1;
        size_t hl = strlen(h);
        if (hl % 2 || hl / 2 > AUTH_MAX)
                fail("malformed authorization data");
        for (size_t i = 0; i < hl / 2; i++) {
                int hi = hexval(h[2 * i]), lo = hexval(h[2 * i + 1]);
                if (hi < 0 || lo < 0)
                        fail("malformed authorization data");
                a->data[i] = (unsigned char)(hi << 4 | lo);
        }
        a->data_len = hl / 2;
}

/* Copies what one side sent to the other; file descriptors only when
 * pass_fds.  0: go on, -1: that side is done. */
static int relay_once(int from, int to, bool pass_fds)
{
        static char buf[65536];
        union {
                char b[CMSG_SPACE(16 * sizeof(int))];
                struct cmsghdr align;
        } cbuf;
        struct iovec iov = { buf, sizeof(buf) };
        struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1 };
        if (pass_fds) {
                m.msg_control = cbuf.b;
                m.msg_controllen = sizeof(cbuf.b);
        }
        ssize_t n;
        while ((n = recvmsg(from, &m, MSG_CMSG_CLOEXEC)) < 0 && errno == EINTR)
                ;
        if (n <= 0)
                return -1;
        if (pass_fds && m.msg_controllen > 0 && !(m.msg_flags & MSG_CTRUNC)) {
                struct iovec out = { buf, (size_t)n };
                struct msghdr o = { .msg_iov = &out, .msg_iovlen = 1, .msg_control = m.msg_control,
                                    .msg_controllen = m.msg_controllen };
                ssize_t w;
                while ((w = sendmsg(to, &o, MSG_NOSIGNAL)) < 0 && errno == EINTR)
                        ;
                for (struct cmsghdr *c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c))
                        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS)
                                for (size_t i = 0; i < (c->cmsg_len - CMSG_LEN(0)) / sizeof(int); i++)
                                        close(((int *)CMSG_DATA(c))[i]);
                if (w < 0)
                        return -1;
                return write_all(to, buf + w, (size_t)(n - w));
        }
        if (m.msg_flags & MSG_CTRUNC)
                return -1; /* more descriptors than a request carries: refuse */
        return write_all(to, buf, (size_t)n);
}

static void serve(int client, const char *server, const struct auth *a, bool pass_fds)
{
        unsigned char head[12];
        if (read_all(client, head, 12) < 0)
                _exit(0);
        if (head[0] != 'B' && head[0] != 'l')
                _exit(0);
        bool msb = head[0] == 'B';
        size_t skip = pad4(get16(head + 6, msb)) + pad4(get16(head + 8, msb));
        unsigned char junk[512];
        while (skip > 0) {
                size_t k = skip < sizeof(junk) ? skip : sizeof(junk);
                if (read_all(client, junk, k) < 0)
                        _exit(0);
                skip -= k;
        }
        int fd = connect_server(server);
        if (fd < 0)
                _exit(0);
        unsigned char req[12 + 2 * AUTH_MAX];
        size_t n = setup_request(req, head[0], get16(head + 2, msb), get16(head + 4, msb), a);
        if (write_all(fd, req, n) < 0)
                _exit(0);
        struct pollfd p[2] = { { .fd = client, .events = POLLIN }, { .fd = fd, .events = POLLIN } };
        for (;;) {
                if (poll(p, 2, -1) < 0) {
                        if (errno == EINTR)
                                continue;
                        _exit(1);
                }
                if (p[0].revents && relay_once(client, fd, pass_fds) < 0)
                        _exit(0);
                if (p[1].revents && relay_once(fd, client, pass_fds) < 0)
                        _exit(0);
        }
}

static const char *arg(int argc, char **argv, const char *name)
{
        size_t n = strlen(name);
        for (int i = 1; i < argc; i++)
                if (strncmp(argv[i], name, n) == 0 && argv[i][n] == '=')
                        return argv[i] + n + 1;
        return NULL;
}

int main(int argc, char **argv)
{
        const char *fdarg = arg(argc, argv, "--fd"), *listen_path = arg(argc, argv, "--listen"),
                   *server = arg(argc, argv, "--server"), *trust = arg(argc, argv, "--trust");
        if (!fdarg || !listen_path || !server || !trust ||
            (strcmp(trust, "untrusted") != 0 && strcmp(trust, "trusted") != 0)) {
                fprintf(stderr, "usage: sbx-x11-proxy --fd=N --listen=PATH --server=PATH "
                                "--trust=untrusted|trusted (started by sbx)\n");
                return 2;
        }
        ctl_fd = atoi(fdarg);
        if (ctl_fd < 3 || fcntl(ctl_fd, F_GETFD) < 0) {
                fprintf(stderr, "sbx-x11-proxy: --fd=%s is not an open descriptor\n", fdarg);
                return 2;
        }
        (void)fcntl(ctl_fd, F_SETFD, FD_CLOEXEC);
        signal(SIGPIPE, SIG_IGN);
        bool untrusted = strcmp(trust, "untrusted") == 0;

        struct auth caller, clients;
        read_caller_auth(&caller);
        int keep = -1;
        if (untrusted) {
                int own = open_own(server, &caller, "sbx's connection with the caller's authorization");
                generate_untrusted(own, security_opcode(own), &clients);
                close(own);
                /* Held while the proxy lives: the authorization expires
                 * SECURITY_TIMEOUT s after its last client leaves. */
                keep = open_own(server, &clients, "the untrusted authorization it had just made");
        } else {
                clients = caller;
                close(open_own(server, &caller, "sbx's connection with the caller's authorization"));
        }

        int l = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        struct sockaddr_un a = { .sun_family = AF_UNIX };
        if (l < 0 || strlen(listen_path) >= sizeof(a.sun_path))
                fail("socket for %s: %s", listen_path, strerror(l < 0 ? errno : ENAMETOOLONG));
        strcpy(a.sun_path, listen_path);
        (void)unlink(listen_path);
        /* The sandbox may run as another uid (a root caller's runs as
         * 65534); the directory (0700, the caller's) keeps others out. */
        mode_t old = umask(0);
        int b = bind(l, (struct sockaddr *)&a, sizeof(a));
        umask(old);
        if (b < 0 || listen(l, 64) < 0)
                fail("listening on %s: %s", listen_path, strerror(errno));
        signal(SIGCHLD, SIG_IGN); /* children reaped by the kernel */
        reply("ok");

        struct pollfd p[3] = { { .fd = l, .events = POLLIN }, { .fd = ctl_fd, .events = POLLIN },
                               { .fd = keep, .events = POLLIN } };
        for (;;) {
                if (poll(p, keep >= 0 ? 3 : 2, -1) < 0) {
                        if (errno == EINTR)
                                continue;
                        return 1;
                }
                if (p[1].revents)
                        return 0; /* sbx closed its end (or wrote, which it never does) */
                if (keep >= 0 && p[2].revents) {
                        /* Events every client gets (MappingNotify); EOF: the server is gone. */
                        unsigned char junk[4096];
                        ssize_t r = read(keep, junk, sizeof(junk));
                        if (r == 0 || (r < 0 && errno != EINTR && errno != EAGAIN))
                                return 0;
                }
                if (p[0].revents) {
                        int c = accept4(l, NULL, NULL, SOCK_CLOEXEC);
                        if (c < 0)
                                continue;
                        pid_t pid = fork();
                        if (pid == 0) {
                                close(l);
                                close(ctl_fd);
                                if (keep >= 0)
                                        close(keep);
                                serve(c, server, &clients, !untrusted);
                        }
                        close(c);
                }
        }
}
