/* a11y_proxy.c — starting the accessibility bus's proxy for a planned
 * [display] a11y sandbox (plan/a11y.c decided its socket).
 *
 * Where the bus is: the session bus's org.a11y.Bus answers GetAddress (and
 * D-Bus starts at-spi-bus-launcher for it when needed), asked here with a
 * minimal D-Bus client (EXTERNAL authentication, Hello, one call, the
 * reply's string), as the caller, with a deadline.  The proxy is then
 * xdg-dbus-proxy, started like [dbus]'s (dbus_proxy.c) with Flatpak's
 * accessibility rules (plan/a11y.c says why). */
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "base/strbuf.h"
#include "base/util.h"
#include "launch/a11y_proxy.h"
#include "launch/dbus_proxy.h"
#include "plan/a11y.h"
#include "plan/dbus.h"

#define ASK_TIMEOUT_MS 5000
#define MSG_MAX 65536

static const char *const a11y_rules[] = {
        "--filter",
        "--sloppy-names",
        "--call=org.a11y.atspi.Registry=org.a11y.atspi.Socket.Embed@/org/a11y/atspi/accessible/root",
        "--call=org.a11y.atspi.Registry=org.a11y.atspi.Socket.Unembed@/org/a11y/atspi/accessible/root",
        "--call=org.a11y.atspi.Registry=org.a11y.atspi.Registry.GetRegisteredEvents@/org/a11y/atspi/registry",
        "--call=org.a11y.atspi.Registry=org.a11y.atspi.DeviceEventController.GetKeystrokeListeners@"
        "/org/a11y/atspi/registry/deviceeventcontroller",
        "--call=org.a11y.atspi.Registry=org.a11y.atspi.DeviceEventController.GetDeviceEventListeners@"
        "/org/a11y/atspi/registry/deviceeventcontroller",
        "--call=org.a11y.atspi.Registry=org.a11y.atspi.DeviceEventController.NotifyListenersSync@"
        "/org/a11y/atspi/registry/deviceeventcontroller",
        "--call=org.a11y.atspi.Registry=org.a11y.atspi.DeviceEventController.NotifyListenersAsync@"
        "/org/a11y/atspi/registry/deviceeventcontroller",
};

struct conn {
        int fd;
        struct timespec deadline;
};

static int remaining_ms(const struct conn *c)
{
        struct timespec now;
        clock_gettime(CLOCK_MONOTONIC, &now);
        long ms = (c->deadline.tv_sec - now.tv_sec) * 1000 + (c->deadline.tv_nsec - now.tv_nsec) / 1000000;
        return ms > 0 ? (int)ms : 0;
}

static int read_full(struct conn *c, void *buf, size_t n)
{
        char *p = buf;
        while (n > 0) {
                struct pollfd pfd = { .fd = c->fd, .events = POLLIN };
                int pr = poll(&pfd, 1, remaining_ms(c));
                if (pr < 0 && errno == EINTR)
                        continue;
                if (pr <= 0)
                        return pr == 0 ? -ETIMEDOUT : -errno;
                ssize_t k = read(c->fd, p, n);
                if (k < 0 && errno == EINTR)
                        continue;
                if (k <= 0)
                        return k < 0 ? -errno : -ECONNRESET;
                p += k;
                n -= (size_t)k;
        }
        return 0;
}

static int write_full(struct conn *c, const void *buf, size_t n)
{
        const char *p = buf;
        while (n > 0) {
                ssize_t k = send(c->fd, p, n, MSG_NOSIGNAL);
                if (k < 0 && errno == EINTR)
                        continue;
                if (k < 0)
                        return -errno;
                p += k;
                n -= (size_t)k;
        }
        return 0;
}

/* ---- the few bytes of D-Bus marshalling needed (little-endian) ----------- */

struct msg {
        unsigned char b[1024];
        size_t n;
};

static void pad(struct msg *m, size_t a)
{
        while (m->n % a && m->n < sizeof(m->b))
                m->b[m->n++] = 0;
}

static void put32(unsigned char *p, uint32_t v)
{
        memcpy(p, &v, 4); /* x86 and every little-endian host: 'l' below */
}

static void field(struct msg *m, unsigned char code, char sig, const char *value)
{
        size_t len = strlen(value);
        pad(m, 8);
        if (m->n + 12 + len >= sizeof(m->b))
                return;
        m->b[m->n++] = code;
        m->b[m->n++] = 1;
        m->b[m->n++] = (unsigned char)sig;
        m->b[m->n++] = 0;
        pad(m, 4);
        put32(m->b + m->n, (uint32_t)len);
        m->n += 4;
        memcpy(m->b + m->n, value, len + 1);
        m->n += len + 1;
}

static int call(struct conn *c, uint32_t serial, const char *path, const char *iface, const char *member,
                const char *dest)
{
        struct msg m = { .n = 16 };
        memset(m.b, 0, 16);
        m.b[0] = 'l';
        m.b[1] = 1; /* method call */
        m.b[3] = 1; /* protocol version */
        put32(m.b + 8, serial);
        field(&m, 1, 'o', path);
        field(&m, 2, 's', iface);
        field(&m, 3, 's', member);
        field(&m, 6, 's', dest);
        put32(m.b + 12, (uint32_t)(m.n - 16));
        pad(&m, 8);
        if (m.n >= sizeof(m.b) - 8)
                return -E2BIG;
        return write_full(c, m.b, m.n);
}

static uint32_t get32(const unsigned char *p, bool big)
{
        return big ? (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]
                   : (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

/* Reads messages until the reply to `serial`; its first argument, when a
 * string, in *ret (malloc'd). */
static int reply_string(struct conn *c, uint32_t serial, char **ret)
{
        for (;;) {
                unsigned char h[16];
                int r = read_full(c, h, 16);
                if (r < 0)
                        return r;
                bool big = h[0] == 'B';
                if ((h[0] != 'l' && !big) || h[3] != 1)
                        return -EPROTO;
                uint32_t body = get32(h + 4, big), flen = get32(h + 12, big);
                if (body > MSG_MAX || flen > MSG_MAX)
                        return -EMSGSIZE;
                size_t hlen = (16 + flen + 7) & ~(size_t)7;
                _cleanup_free_ unsigned char *m = malloc(hlen + body + 1);
                if (!m)
                        return -ENOMEM;
                memcpy(m, h, 16);
                if ((r = read_full(c, m + 16, hlen - 16 + body)) < 0)
                        return r;
                /* header fields: (code, signature, value), each 8-aligned */
                uint32_t reply_to = 0;
                bool have = false;
                char sigbuf[2] = { 0 };
                for (size_t o = 16; o + 4 <= 16 + flen;) {
                        unsigned char code = m[o], sl = m[o + 1];
                        if (sl != 1 || o + 4 > 16 + flen)
                                break;
                        char sig = (char)m[o + 2];
                        o += 4;
                        if (sig == 'u') {
                                o = (o + 3) & ~(size_t)3;
                                if (o + 4 > 16 + flen)
                                        break;
                                if (code == 5) {
                                        reply_to = get32(m + o, big);
                                        have = true;
                                }
                                o += 4;
                        } else if (sig == 's' || sig == 'o') {
                                o = (o + 3) & ~(size_t)3;
                                if (o + 4 > 16 + flen)
                                        break;
                                o += 4 + get32(m + o, big) + 1;
                        } else if (sig == 'g') {
                                if (code == 8 && o < 16 + flen)
                                        sigbuf[0] = (char)(m[o] >= 1 ? m[o + 1] : 0);
                                o += 1 + (size_t)m[o] + 1;
                        } else {
                                break;
                        }
                        o = (o + 7) & ~(size_t)7;
                }
                if (!have || reply_to != serial)
                        continue; /* NameAcquired, the Hello reply, signals */
                if (m[1] != 2)
                        return -ENOENT; /* an error: no such name, not activatable */
                if (sigbuf[0] != 's' || body < 5)
                        return -EPROTO;
                uint32_t len = get32(m + hlen, big);
                if (len > body - 5)
                        return -EPROTO;
                *ret = strndup((char *)m + hlen + 4, len);
                return *ret ? 0 : -ENOMEM;
        }
}

/* org.a11y.Bus.GetAddress on the session bus at `bus`. */
static int ask_address(const char *bus, char **ret)
{
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        if (strlen(bus) >= sizeof(sa.sun_path))
                return -ENAMETOOLONG;
        strcpy(sa.sun_path, bus);
        _cleanup_close_ int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
                return -errno;
        struct conn c = { .fd = fd };
        clock_gettime(CLOCK_MONOTONIC, &c.deadline);
        c.deadline.tv_sec += ASK_TIMEOUT_MS / 1000;
        char uid[16], hex[40], line[128];
        snprintf(uid, sizeof(uid), "%u", (unsigned)geteuid());
        for (size_t i = 0; uid[i]; i++)
                snprintf(hex + 2 * i, 3, "%02x", (unsigned char)uid[i]);
        int n = snprintf(line, sizeof(line), "%cAUTH EXTERNAL %s\r\n", 0, hex);
        int r = write_full(&c, line, (size_t)n);
        /* "OK <guid>\r\n" */
        size_t got = 0;
        while (r >= 0 && got < sizeof(line) - 1) {
                if ((r = read_full(&c, line + got, 1)) < 0)
                        break;
                if (line[got++] == '\n')
                        break;
        }
        line[got] = 0;
        if (r < 0)
                return r;
        if (strncmp(line, "OK ", 3) != 0)
                return -EACCES;
        if ((r = write_full(&c, "BEGIN\r\n", 7)) < 0 ||
            (r = call(&c, 1, "/org/freedesktop/DBus", "org.freedesktop.DBus", "Hello", "org.freedesktop.DBus")) < 0 ||
            (r = call(&c, 2, "/org/a11y/bus", "org.a11y.Bus", "GetAddress", "org.a11y.Bus")) < 0)
                return r;
        return reply_string(&c, 2, ret);
}

int a11y_proxy_start(const struct plan *plan, struct helper_out *out, struct sbx_process **ret, int *ret_fd,
                     struct sbx_error **err)
{
        const struct a11y_plan *a = plan->a11y;
        _cleanup_free_ char *address = NULL;
        if (ask_address(a->session, &address) < 0)
                return 1;
        /* "unix:path=/run/user/1000/at-spi/bus_0,guid=…" */
        if (strncmp(address, "unix:path=", 10) != 0)
                return 1;
        _cleanup_free_ char *path = strndup(address + 10, strcspn(address + 10, ",;"));
        if (!path)
                return -ENOMEM;
        if (path[0] != '/' || strchr(path, '%'))
                return 1;
        struct dbus_plan d = { .bus = path, .dir = a->dir, .sock = a->sock };
        size_t nv = 0, cap = 0;
        _cleanup_free_ char *addr = NULL;
        if (asprintf(&addr, "unix:path=%s", path) < 0)
                return -ENOMEM;
        d.address = addr;
        int r = strv_addf(&d.argv, &nv, &cap, "%s", a->exe);
        if (r >= 0)
                r = strv_addf(&d.argv, &nv, &cap, "--fd=3");
        if (r >= 0)
                r = strv_addf(&d.argv, &nv, &cap, "%s", addr);
        if (r >= 0)
                r = strv_addf(&d.argv, &nv, &cap, "%s", a->sock);
        for (size_t i = 0; r >= 0 && i < ARRAY_SIZE(a11y_rules); i++)
                r = strv_addf(&d.argv, &nv, &cap, "%s", a11y_rules[i]);
        if (r >= 0)
                r = dbus_proxy_start_for(plan, &d, out, ret, ret_fd, err);
        strv_free(d.argv);
        return r < 0 ? r : 0;
}
