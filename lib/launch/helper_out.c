/* helper_out.c — a helper's output, relayed safely: read from the helper's
 * pipe, cut into lines, escaped and prefixed (helper_out.h says why).
 * Parent side; writes nothing itself (the caller's emit() does). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "launch/helper_out.h"

/* Appends one byte of the helper's text, escaped; false when it does not
 * fit (room is kept for the closing quote and newline). */
static bool put_escaped(char *out, size_t cap, size_t *len, unsigned char c, bool json)
{
        char tmp[8];
        size_t k;
        if (c == '"' || c == '\\')
                k = (size_t)snprintf(tmp, sizeof(tmp), "\\%c", c);
        else if (c == '\n')
                k = (size_t)snprintf(tmp, sizeof(tmp), "\\n");
        else if (c == '\t')
                k = (size_t)snprintf(tmp, sizeof(tmp), "\\t");
        else if (c == '\r')
                k = (size_t)snprintf(tmp, sizeof(tmp), "\\r");
        else if (c < 0x20 || c >= 0x7f)
                /* Control bytes (ESC: terminal sequences) and anything not
                 * ASCII: JSON has no byte escape, \u00XX names the byte. */
                k = (size_t)snprintf(tmp, sizeof(tmp), json ? "\\u%04x" : "\\x%02x", c);
        else
                tmp[0] = (char)c, k = 1;
        if (*len + k + 4 > cap)
                return false;
        memcpy(out + *len, tmp, k);
        *len += k;
        return true;
}

size_t helper_line_format(char *out, size_t cap, const char *helper, const char *text, size_t n, bool json)
{
        if (cap < 64)
                return 0;
        int k = json ? snprintf(out, cap / 2, "{\"event\":\"helper-output\",\"helper\":\"%s\",\"text\":\"", helper)
                     : snprintf(out, cap / 2, "sbx: helper %s: \"", helper);
        if (k < 0)
                return 0;
        size_t len = (size_t)k < cap / 2 ? (size_t)k : cap / 2 - 1;
        for (size_t i = 0; i < n; i++)
                if (!put_escaped(out, cap, &len, (unsigned char)text[i], json))
                        break;
        memcpy(out + len, json ? "\"}\n" : "\"\n", json ? 4 : 3);
        return len + (json ? 3 : 2);
}

int helper_out_open(struct helper_out *h, const char *name, int *ret_write)
{
        int p[2];
        memset(h, 0, sizeof(*h));
        h->fd = -1;
        snprintf(h->name, sizeof(h->name), "%s", name);
        if (pipe2(p, O_CLOEXEC | O_NONBLOCK) < 0)
                return -errno;
        /* The helper's end blocks (a helper that cannot cope with EAGAIN on
         * stderr would lose its messages); ours never waits. */
        if (fcntl(p[1], F_SETFL, 0) < 0) {
                int e = -errno;
                close(p[0]);
                close(p[1]);
                return e;
        }
        h->fd = p[0];
        *ret_write = p[1];
        return 0;
}

static void emit_line(struct helper_out *h, bool json, const char *s, size_t n,
                      void (*emit)(void *, const char *, size_t), void *ctx)
{
        char line[HELPER_OUT_PIECE * 6 + 128];
        if (n == 0)
                return; /* glib starts its warnings with an empty line */
        if (h->lines >= HELPER_OUT_MAX_LINES) {
                h->dropped++;
                return;
        }
        h->lines++;
        size_t len = helper_line_format(line, sizeof(line), h->name, s, n, json);
        if (len)
                emit(ctx, line, len);
}

void helper_out_pump(struct helper_out *h, bool json, bool drain,
                     void (*emit)(void *ctx, const char *line, size_t n), void *ctx)
{
        char buf[HELPER_OUT_PIECE + 4096];
        bool eof = false;
        while (h->fd >= 0) {
                memcpy(buf, h->partial, h->npartial);
                ssize_t n = read(h->fd, buf + h->npartial, sizeof(buf) - h->npartial);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0 && errno == EAGAIN && !drain)
                        return;
                if (n <= 0) {
                        eof = true;
                        n = 0;
                }
                size_t total = h->npartial + (size_t)n, start = 0;
                h->npartial = 0;
                for (size_t i = 0; i < total; i++)
                        if (buf[i] == '\n') {
                                emit_line(h, json, buf + start, i - start, emit, ctx);
                                start = i + 1;
                        } else if (i + 1 - start == HELPER_OUT_PIECE) {
                                /* No newline in a whole piece: relay it as one. */
                                emit_line(h, json, buf + start, HELPER_OUT_PIECE, emit, ctx);
                                start = i + 1;
                        }
                if (eof) {
                        if (total > start)
                                emit_line(h, json, buf + start, total - start, emit, ctx);
                        break;
                }
                h->npartial = total - start;
                memcpy(h->partial, buf + start, h->npartial);
        }
        if (!eof)
                return;
        if (h->dropped) {
                char line[160];
                int k = json ? snprintf(line, sizeof(line),
                                        "{\"event\":\"helper-output-dropped\",\"helper\":\"%s\",\"count\":%llu}\n",
                                        h->name, (unsigned long long)h->dropped)
                             : snprintf(line, sizeof(line), "sbx: helper %s: %llu further line(s) not shown\n",
                                        h->name, (unsigned long long)h->dropped);
                if (k > 0 && (size_t)k < sizeof(line))
                        emit(ctx, line, (size_t)k);
                h->dropped = 0;
        }
        helper_out_close(h);
}

void helper_out_close(struct helper_out *h)
{
        if (h->fd >= 0)
                close(h->fd);
        h->fd = -1;
        h->npartial = 0;
}
