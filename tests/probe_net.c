/* probe_net.c — probe commands for the network (see probe.h): IPv6 TCP,
 * a DNS lookup through /etc/resolv.conf without libc's resolver (the
 * probe is static), and the download and round-trip measurements
 * bench/net makes against tests/networld's servers. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "probe.h"

/* A connected TCP socket to ADDR (IPv4 or IPv6) PORT, or -errno. */
static int dial(const char *addr, const char *port)
{
        struct sockaddr_storage ss = { 0 };
        socklen_t len;
        struct sockaddr_in *a4 = (struct sockaddr_in *)&ss;
        struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)&ss;
        uint16_t p = htons((uint16_t)atoi(port));
        if (inet_pton(AF_INET, addr, &a4->sin_addr) == 1) {
                a4->sin_family = AF_INET;
                a4->sin_port = p;
                len = sizeof(*a4);
        } else if (inet_pton(AF_INET6, addr, &a6->sin6_addr) == 1) {
                a6->sin6_family = AF_INET6;
                a6->sin6_port = p;
                len = sizeof(*a6);
        } else {
                return -EINVAL;
        }
        int s = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (s < 0)
                return -errno;
        /* A connection that nobody answers must not hang the probe. */
        struct timeval tv = { .tv_sec = 5 };
        (void)setsockopt(s, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
        (void)setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
        if (connect(s, (struct sockaddr *)&ss, len) < 0) {
                int e = -errno;
                close(s);
                return e;
        }
        return s;
}

/* connect6 ADDR PORT: like connect, over IPv6; prints the greeting. */
static int p_connect6(int argc, char **argv)
{
        if (argc < 3)
                return 2;
        int s = dial(argv[1], argv[2]);
        char buf[64] = "";
        if (s >= 0) {
                ssize_t n = read(s, buf, sizeof(buf) - 1);
                buf[n > 0 ? n : 0] = 0;
                buf[strcspn(buf, "\n")] = 0;
                close(s);
        }
        return probe_report(s < 0 ? s : 0, "connect [%s]:%s %s", argv[1], argv[2], buf);
}

/* The first nameserver of /etc/resolv.conf (IPv4). */
static int nameserver(struct sockaddr_in *a)
{
        FILE *f = fopen("/etc/resolv.conf", "re");
        if (!f)
                return -errno;
        char line[256], addr[64];
        int r = -ENOENT;
        while (r < 0 && fgets(line, sizeof(line), f))
                if (sscanf(line, " nameserver %63s", addr) == 1 && inet_pton(AF_INET, addr, &a->sin_addr) == 1)
                        r = 0;
        fclose(f);
        a->sin_family = AF_INET;
        a->sin_port = htons(53);
        return r;
}

/* resolve NAME: an A query over UDP to the first nameserver of
 * /etc/resolv.conf; prints the first address of the answer. */
static int p_resolve(int argc, char **argv)
{
        if (argc < 2 || strlen(argv[1]) > 200)
                return 2;
        struct sockaddr_in ns = { 0 };
        int r = nameserver(&ns);
        if (r < 0)
                return probe_report(r, "resolve %s: no nameserver", argv[1]);
        unsigned char q[512], a[512];
        size_t n = 0;
        const unsigned char head[12] = { 0x53, 0x42, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0 };
        memcpy(q, head, sizeof(head));
        n = sizeof(head);
        for (const char *s = argv[1]; *s;) {
                size_t l = strcspn(s, ".");
                if (l == 0 || l > 63)
                        return 2;
                q[n++] = (unsigned char)l;
                memcpy(q + n, s, l);
                n += l;
                s += l + (s[l] == '.');
        }
        q[n++] = 0;
        const unsigned char tail[4] = { 0, 1, 0, 1 }; /* type A, class IN */
        memcpy(q + n, tail, 4);
        n += 4;
        int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (s < 0)
                return probe_report(-errno, "resolve %s: socket", argv[1]);
        struct timeval tv = { .tv_sec = 3 };
        (void)setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
        ssize_t k = -1;
        for (int attempt = 0; attempt < 2 && k < 0; attempt++) {
                if (sendto(s, q, n, 0, (struct sockaddr *)&ns, sizeof(ns)) < 0)
                        break;
                k = recv(s, a, sizeof(a), 0);
        }
        int e = k < 0 ? -errno : 0;
        close(s);
        if (k < 0)
                return probe_report(e, "resolve %s", argv[1]);
        /* The answer: header, the question echoed, then records; the first
         * A record's 4 bytes. */
        if (k < (ssize_t)n || a[0] != q[0] || a[1] != q[1] || (a[3] & 0x0f) != 0 || (a[6] | a[7]) == 0)
                return probe_report(-EBADMSG, "resolve %s: no answer", argv[1]);
        size_t i = n;
        while (i + 12 <= (size_t)k) {
                i += (a[i] & 0xc0) == 0xc0 ? 2 : 0;
                uint16_t type = (uint16_t)(a[i] << 8 | a[i + 1]);
                uint16_t len = (uint16_t)(a[i + 8] << 8 | a[i + 9]);
                i += 10;
                if (type == 1 && len == 4 && i + 4 <= (size_t)k) {
                        char out[INET_ADDRSTRLEN];
                        inet_ntop(AF_INET, a + i, out, sizeof(out));
                        return probe_report(0, "resolve %s %s", argv[1], out);
                }
                i += len;
        }
        return probe_report(-EBADMSG, "resolve %s: no A record", argv[1]);
}

static double now_us(void)
{
        struct timespec t;
        clock_gettime(CLOCK_MONOTONIC, &t);
        return (double)t.tv_sec * 1e6 + (double)t.tv_nsec / 1e3;
}

static int cmp_double(const void *a, const void *b)
{
        double x = *(const double *)a, y = *(const double *)b;
        return x < y ? -1 : x > y;
}

/* One download of `want` bytes on a new connection: its time in µs, or
 * -errno. */
static double fetch_once(const char *addr, const char *port, unsigned long long want)
{
        unsigned long long got = 0;
        double t0 = now_us();
        int s = dial(addr, port);
        if (s < 0)
                return s;
        unsigned char req[8];
        for (int i = 0; i < 8; i++)
                req[i] = (unsigned char)(want >> (56 - 8 * i));
        if (write(s, req, 8) != 8) {
                int e = -errno;
                close(s);
                return e;
        }
        static char buf[1 << 17];
        ssize_t k;
        while (got < want && (k = read(s, buf, sizeof(buf))) > 0)
                got += (unsigned long long)k;
        double us = now_us() - t0;
        close(s);
        return got == want ? us : -EIO;
}

/* fetch ADDR PORT BYTES [COUNT]: asks networld's download server for
 * BYTES bytes (sent as 8 bytes, big-endian) and reads them, COUNT times on
 * a new connection each; prints the median and 90th percentile time (µs,
 * connect to last byte) and the median throughput (MB/s). */
static int p_fetch(int argc, char **argv)
{
        if (argc < 4)
                return 2;
        unsigned long long want = strtoull(argv[3], NULL, 10);
        int count = argc > 4 ? atoi(argv[4]) : 1;
        if (count < 1 || count > 100000)
                return 2;
        double *t = calloc((size_t)count, sizeof(double));
        if (!t)
                return 2;
        for (int i = 0; i < count; i++) {
                t[i] = fetch_once(argv[1], argv[2], want);
                if (t[i] < 0) {
                        int e = (int)t[i];
                        free(t);
                        return probe_report(e, "fetch %s:%s", argv[1], argv[2]);
                }
        }
        qsort(t, (size_t)count, sizeof(double), cmp_double);
        double med = t[count / 2], p90 = t[(count * 9) / 10];
        free(t);
        return probe_report(0, "fetch %llu bytes x %d: median %.0f us p90 %.0f us %.1f MB/s", want, count, med,
                            p90, (double)want / med);
}

/* rtt ADDR PORT N: N one-byte round trips through networld's echo server
 * on one connection; prints the median and the 90th percentile in µs. */
static int p_rtt(int argc, char **argv)
{
        if (argc < 4)
                return 2;
        int n = atoi(argv[3]);
        if (n < 1 || n > 100000)
                return 2;
        int s = dial(argv[1], argv[2]);
        if (s < 0)
                return probe_report(s, "rtt %s:%s", argv[1], argv[2]);
        int one = 1;
        (void)setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
        double *t = calloc((size_t)n, sizeof(double));
        if (!t)
                return 2;
        int r = 0;
        for (int i = 0; i < n && r == 0; i++) {
                char c = 'x';
                double t0 = now_us();
                if (write(s, &c, 1) != 1 || read(s, &c, 1) != 1)
                        r = errno ? -errno : -EIO;
                t[i] = now_us() - t0;
        }
        close(s);
        if (r < 0) {
                free(t);
                return probe_report(r, "rtt %s:%s", argv[1], argv[2]);
        }
        qsort(t, (size_t)n, sizeof(double), cmp_double);
        double med = t[n / 2], p90 = t[(n * 9) / 10];
        free(t);
        return probe_report(0, "rtt median %.1f us p90 %.1f us (%d round trips)", med, p90, n);
}

const struct probe_cmd probe_net_cmds[] = {
        { "connect6", "IPV6 PORT", p_connect6 },
        { "resolve", "NAME: an A query to the first nameserver of /etc/resolv.conf", p_resolve },
        { "fetch", "ADDR PORT BYTES [COUNT]: download from tests/networld", p_fetch },
        { "rtt", "ADDR PORT N: N one-byte round trips to tests/networld's echo server", p_rtt },
        { NULL, NULL, NULL },
};
