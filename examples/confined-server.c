/* confined-server.c — a small HTTP/1.0 file server that confines itself
 * with libsbx after start-up.
 *
 * It binds its loopback listener and opens its data directory while it still
 * may, then calls sbx_confine() with a policy built in code: host network
 * (the listener keeps working) but no new sockets (seccomp denies socket and
 * socketpair, Landlock denies TCP bind/connect), Landlock read-only on the
 * data directory and nothing else, no exec (seccomp denies execve, Landlock
 * grants EXECUTE nowhere).  Then it keeps serving files.
 *
 * Requests under /evil/ play a compromised request handler and report what
 * the attempt did, one line in the style of the sbx test probe:
 *   "OK <what>" (the attack worked) or "DENIED <ERRNO> <what>".
 *     /evil/exec               fork + execve("/bin/sh")
 *     /evil/shadow             open("/etc/shadow")
 *     /evil/open/ABS/PATH      open an arbitrary absolute path
 *     /evil/traverse/NAME      openat(datadir, "../NAME")
 *     /evil/write              create a file in the data directory
 *     /evil/connect/PORT       socket() + connect() to 127.0.0.1:PORT
 *
 * Usage: confined-server [--no-confine | --landlock-only] PORT DATADIR
 * PORT 0 picks a free port.  --landlock-only confines without the seccomp
 * deny lines, to show the Landlock layer on its own.  When ready it prints "ready PORT confined"
 * (or "unconfined") on stdout.  SIGTERM stops it.
 *
 * Build: cc confined-server.c $(pkg-config --cflags --libs libsbx) */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sbx.h>

/* The static part of the policy.  The data directory is added with
 * sbx_policy_add_bind(), which needs no INI quoting of a run-time path. */
static const char policy_ini[] =
        "[profile]\n"
        "name = confined-server\n"
        "description = loopback file server, confined after binding its listener\n"
        "\n"
        "[network]\n"
        "; the listener was bound on the host's loopback before confining\n"
        "mode = host\n"
        "; empty lists: Landlock refuses every TCP bind and connect\n"
        "\n"
        "[exec]\n"
        "writable-exec = no\n"
        "memfd-exec = no\n"
        "\n"
        "[seccomp]\n"
        "allow = @default\n"
        "action = errno\n"
        "\n"
        "[landlock]\n"
        "enabled = yes\n";

/* The seccomp half of "no new sockets, no exec".  --landlock-only replaces
 * it with a filter that lets inet sockets be created, to show that Landlock
 * alone still refuses exec and connect. */
static const char seccomp_deny_ini[] =
        "[seccomp]\n"
        "; no new sockets of any family: accept() on the listener is all it needs\n"
        "deny = socket socketpair\n"
        "; no exec, also not of files Landlock would let it read\n"
        "deny = execve execveat\n";
static const char seccomp_open_ini[] =
        "[seccomp]\n"
        "socket = unix inet inet6\n";

static int confine(const char *datadir, bool landlock_only)
{
        struct sbx_policy *p = NULL;
        struct sbx_error *err = NULL;
        int r = sbx_policy_new(&p);
        if (r < 0) {
                fprintf(stderr, "sbx_policy_new: %s\n", strerror(-r));
                return r;
        }
        r = sbx_policy_load_string(p, policy_ini, "confined-server policy", &err);
        if (r >= 0)
                r = sbx_policy_load_string(p, landlock_only ? seccomp_open_ini : seccomp_deny_ini,
                                           "confined-server seccomp", &err);
        if (r >= 0)
                r = sbx_policy_add_bind(p, datadir, datadir, SBX_BIND_RO, &err);
        /* Keep the host network namespace: the listener lives there. */
        if (r >= 0)
                r = sbx_confine(p, SBX_CONFINE_NO_NETNS, &err);
        if (r < 0)
                fprintf(stderr, "confining: %s\n", err ? sbx_error_message(err) : strerror(-r));
        sbx_error_free(err);
        sbx_policy_free(p);
        return r;
}

static int write_all(int fd, const void *buf, size_t len)
{
        const char *p = buf;
        while (len > 0) {
                ssize_t n = write(fd, p, len);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0)
                        return -1;
                p += n;
                len -= (size_t)n;
        }
        return 0;
}

static void respond(int c, int code, const char *reason, const char *body, size_t len)
{
        char head[256];
        int n = snprintf(head, sizeof(head),
                         "HTTP/1.0 %d %s\r\nContent-Length: %zu\r\nConnection: close\r\n"
                         "Content-Type: text/plain\r\n\r\n",
                         code, reason, len);
        if (write_all(c, head, (size_t)n) == 0)
                write_all(c, body, len);
}

static void report(int c, int r, const char *what)
{
        char body[4400];
        int n;
        if (r >= 0)
                n = snprintf(body, sizeof(body), "OK %s\n", what);
        else
                n = snprintf(body, sizeof(body), "DENIED %s %s\n", strerrorname_np(-r) ?: "E?",
                             what);
        if (n >= (int)sizeof(body))
                n = sizeof(body) - 1;
        respond(c, 200, "OK", body, (size_t)n);
}

static int try_open(int dirfd, const char *path, int flags)
{
        int fd = openat(dirfd, path, flags | O_CLOEXEC, 0644);
        if (fd < 0)
                return -errno;
        char b;
        int r = 0;
        if (!(flags & (O_WRONLY | O_RDWR)) && read(fd, &b, 1) < 0)
                r = -errno;
        close(fd);
        return r;
}

/* fork, then execve in the child; a close-on-exec pipe carries execve's
 * errno back, and its silent closing means execve worked. */
static int try_exec(void)
{
        int p[2];
        if (pipe2(p, O_CLOEXEC) < 0)
                return -errno;
        pid_t pid = fork();
        if (pid < 0) {
                int e = errno;
                close(p[0]);
                close(p[1]);
                return -e;
        }
        if (pid == 0) {
                static const char *const argv[] = { "sh", "-c", "exit 0", NULL };
                static const char *const envp[] = { NULL };
                execve("/bin/sh", (char *const *)argv, (char *const *)envp);
                int e = errno;
                (void)!write(p[1], &e, sizeof(e));
                _exit(127);
        }
        close(p[1]);
        int e = 0;
        ssize_t n;
        do
                n = read(p[0], &e, sizeof(e));
        while (n < 0 && errno == EINTR);
        close(p[0]);
        while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
                ;
        return n == (ssize_t)sizeof(e) ? -e : 0;
}

static int try_connect(const char *port_s, const char **what)
{
        long port = strtol(port_s, NULL, 10);
        if (port <= 0 || port > 65535)
                return -EINVAL;
        *what = "socket";
        int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (s < 0)
                return -errno;
        struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port),
                                 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
        *what = "connect";
        int r = connect(s, (struct sockaddr *)&a, sizeof(a)) < 0 ? -errno : 0;
        close(s);
        return r;
}

static void handle_evil(int c, int datafd, const char *what)
{
        char desc[4300];
        if (strcmp(what, "exec") == 0) {
                report(c, try_exec(), "execve /bin/sh");
        } else if (strcmp(what, "shadow") == 0) {
                report(c, try_open(AT_FDCWD, "/etc/shadow", O_RDONLY), "open /etc/shadow");
        } else if (strncmp(what, "open/", 5) == 0) {
                snprintf(desc, sizeof(desc), "open %s", what + 4);
                report(c, try_open(AT_FDCWD, what + 4, O_RDONLY), desc);
        } else if (strncmp(what, "traverse/", 9) == 0) {
                char path[4100];
                snprintf(path, sizeof(path), "../%s", what + 9);
                snprintf(desc, sizeof(desc), "openat datadir %s", path);
                report(c, try_open(datafd, path, O_RDONLY), desc);
        } else if (strcmp(what, "write") == 0) {
                report(c, try_open(datafd, "pwned", O_WRONLY | O_CREAT | O_TRUNC),
                       "create datadir/pwned");
        } else if (strncmp(what, "connect/", 8) == 0) {
                const char *step = "connect";
                int r = try_connect(what + 8, &step);
                snprintf(desc, sizeof(desc), "%s 127.0.0.1:%s", step, what + 8);
                report(c, r, desc);
        } else {
                respond(c, 404, "Not Found", "no such attack\n", 15);
        }
}

static void serve_file(int c, int datafd, const char *name)
{
        if (!*name)
                name = "index.html";
        /* The path check a careful handler does; Landlock is what holds when
         * a handler forgets it (see /evil/traverse). */
        if (strstr(name, "..") || name[0] == '/') {
                respond(c, 403, "Forbidden", "forbidden\n", 10);
                return;
        }
        int fd = openat(datafd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
        if (fd < 0) {
                int e = errno;
                if (e == ENOENT)
                        respond(c, 404, "Not Found", "not found\n", 10);
                else
                        respond(c, 403, "Forbidden", strerror(e), strlen(strerror(e)));
                return;
        }
        struct stat st;
        if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
                close(fd);
                respond(c, 403, "Forbidden", "not a file\n", 11);
                return;
        }
        char head[160];
        int n = snprintf(head, sizeof(head),
                         "HTTP/1.0 200 OK\r\nContent-Length: %lld\r\nConnection: close\r\n\r\n",
                         (long long)st.st_size);
        if (write_all(c, head, (size_t)n) == 0) {
                char buf[16384];
                ssize_t k;
                while ((k = read(fd, buf, sizeof(buf))) > 0)
                        if (write_all(c, buf, (size_t)k) < 0)
                                break;
        }
        close(fd);
}

static void handle(int c, int datafd)
{
        char req[4096];
        size_t len = 0;
        /* Read up to the end of the request line. */
        while (len < sizeof(req) - 1) {
                ssize_t n = read(c, req + len, sizeof(req) - 1 - len);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0)
                        break;
                len += (size_t)n;
                req[len] = 0;
                if (strstr(req, "\r\n\r\n") || strstr(req, "\n\n"))
                        break;
        }
        req[len] = 0;
        char *eol = strpbrk(req, "\r\n");
        if (eol)
                *eol = 0;
        if (strncmp(req, "GET /", 5) != 0) {
                respond(c, 400, "Bad Request", "bad request\n", 12);
                return;
        }
        char *path = req + 5;
        char *sp = strchr(path, ' ');
        if (sp)
                *sp = 0;
        fprintf(stderr, "confined-server: GET /%s\n", path);
        if (strncmp(path, "evil/", 5) == 0)
                handle_evil(c, datafd, path + 5);
        else
                serve_file(c, datafd, path);
}

static volatile sig_atomic_t stop;
static void on_term(int sig) { stop = sig; }

int main(int argc, char **argv)
{
        bool do_confine = true, landlock_only = false;
        int a = 1;
        for (; a < argc && argv[a][0] == '-' && argv[a][1] == '-'; a++) {
                if (strcmp(argv[a], "--no-confine") == 0)
                        do_confine = false;
                else if (strcmp(argv[a], "--landlock-only") == 0)
                        landlock_only = true;
                else
                        break;
        }
        if (argc - a != 2) {
                fprintf(stderr, "usage: %s [--no-confine|--landlock-only] PORT DATADIR\n",
                        argv[0]);
                return 2;
        }
        long port = strtol(argv[a], NULL, 10);
        const char *datadir = argv[a + 1];
        if (port < 0 || port > 65535 || datadir[0] != '/') {
                fprintf(stderr, "%s: PORT 0..65535 and an absolute DATADIR\n", argv[0]);
                return 2;
        }

        /* Everything that needs authority the confined server will not have:
         * the listener and the data directory. */
        int ls = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (ls < 0) {
                perror("socket");
                return 1;
        }
        int one = 1;
        setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
        struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port),
                                  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
        socklen_t salen = sizeof(sa);
        if (bind(ls, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(ls, 64) < 0 ||
            getsockname(ls, (struct sockaddr *)&sa, &salen) < 0) {
                perror("bind/listen");
                return 1;
        }
        int datafd = open(datadir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (datafd < 0) {
                perror(datadir);
                return 1;
        }
        /* No SA_RESTART: SIGTERM must interrupt accept(). */
        struct sigaction act = { .sa_handler = on_term };
        sigaction(SIGTERM, &act, NULL);
        sigaction(SIGINT, &act, NULL);
        signal(SIGPIPE, SIG_IGN);

        if (do_confine && confine(datadir, landlock_only) < 0)
                return 1;

        printf("ready %u %s\n", ntohs(sa.sin_port), do_confine ? "confined" : "unconfined");
        fflush(stdout);

        while (!stop) {
                int c = accept4(ls, NULL, NULL, SOCK_CLOEXEC);
                if (c < 0) {
                        if (errno == EINTR || errno == ECONNABORTED)
                                continue;
                        perror("accept");
                        return 1;
                }
                handle(c, datafd);
                close(c);
        }
        close(ls);
        close(datafd);
        return 0;
}
