/* strbuf.c — the string buffer (analysis, layers, exports, expansion) and
 * the string vector (warnings, notes, environments, command lines) that
 * every part of libsbx builds text with.  Pure: memory only. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/strbuf.h"
#include "base/util.h"

static void sbuf_reserve(struct sbuf *b, size_t more)
{
        if (b->err || b->len + more + 1 <= b->cap)
                return;
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->len + more + 1)
                cap *= 2;
        char *s = realloc(b->s, cap);
        if (!s) {
                b->err = -ENOMEM;
                return;
        }
        b->s = s;
        b->cap = cap;
}

void sbuf_putn(struct sbuf *b, const char *s, size_t n)
{
        sbuf_reserve(b, n);
        if (b->err)
                return;
        memcpy(b->s + b->len, s, n);
        b->len += n;
        b->s[b->len] = '\0';
}

void sbuf_puts(struct sbuf *b, const char *s)
{
        sbuf_putn(b, s, strlen(s));
}

void sbuf_vprintf(struct sbuf *b, const char *fmt, va_list ap)
{
        va_list aq;
        if (b->err)
                return;
        va_copy(aq, ap);
        int n = vsnprintf(NULL, 0, fmt, aq);
        va_end(aq);
        if (n < 0) {
                b->err = -EINVAL;
                return;
        }
        sbuf_reserve(b, (size_t)n);
        if (b->err)
                return;
        vsnprintf(b->s + b->len, b->cap - b->len, fmt, ap);
        b->len += (size_t)n;
}

void sbuf_printf(struct sbuf *b, const char *fmt, ...)
{
        va_list ap;
        va_start(ap, fmt);
        sbuf_vprintf(b, fmt, ap);
        va_end(ap);
}

/* RFC 8259: '"', '\\' and control characters must be escaped; everything
 * else (UTF-8 included) passes as is.  DEL and bytes >= 0x80 are legal. */
void sbuf_json_str(struct sbuf *b, const char *s)
{
        if (!s) {
                sbuf_puts(b, "null");
                return;
        }
        sbuf_puts(b, "\"");
        for (const unsigned char *p = (const unsigned char *)s; *p && !b->err; p++) {
                switch (*p) {
                case '"': sbuf_puts(b, "\\\""); break;
                case '\\': sbuf_puts(b, "\\\\"); break;
                case '\n': sbuf_puts(b, "\\n"); break;
                case '\t': sbuf_puts(b, "\\t"); break;
                case '\r': sbuf_puts(b, "\\r"); break;
                case '\b': sbuf_puts(b, "\\b"); break;
                case '\f': sbuf_puts(b, "\\f"); break;
                default:
                        if (*p < 0x20)
                                sbuf_printf(b, "\\u%04x", *p);
                        else
                                sbuf_putn(b, (const char *)p, 1);
                }
        }
        sbuf_puts(b, "\"");
}

int sbuf_take(struct sbuf *b, char **ret)
{
        if (!b->err && !b->s)
                sbuf_reserve(b, 0);
        if (b->err) {
                int r = b->err;
                sbuf_done(b);
                return r;
        }
        b->s[b->len] = '\0';
        *ret = b->s;
        b->s = NULL;
        b->len = b->cap = 0;
        return 0;
}

void sbuf_done(struct sbuf *b)
{
        free(b->s);
        b->s = NULL;
        b->len = b->cap = 0;
}

int strv_add(char ***v, size_t *n, size_t *cap, char *s)
{
        if (!s)
                return -ENOMEM;
        if (*n + 2 > *cap) {
                size_t nc = *cap ? *cap * 2 : 16;
                while (nc < *n + 2)
                        nc *= 2;
                char **nv = realloc(*v, nc * sizeof(char *));
                if (!nv) {
                        free(s);
                        return -ENOMEM;
                }
                *v = nv;
                *cap = nc;
        }
        (*v)[(*n)++] = s;
        (*v)[*n] = NULL;
        return 0;
}

int strv_vaddf(char ***v, size_t *n, size_t *cap, const char *fmt, va_list ap)
{
        char *s = NULL;
        if (vasprintf(&s, fmt, ap) < 0)
                return -ENOMEM;
        return strv_add(v, n, cap, s);
}

int strv_addf(char ***v, size_t *n, size_t *cap, const char *fmt, ...)
{
        va_list ap;
        va_start(ap, fmt);
        int r = strv_vaddf(v, n, cap, fmt, ap);
        va_end(ap);
        return r;
}

bool strv_contains(char *const *v, const char *s)
{
        for (; v && *v; v++)
                if (strcmp(*v, s) == 0)
                        return true;
        return false;
}

void strv_free(char **v)
{
        if (!v)
                return;
        for (char **p = v; *p; p++)
                free(*p);
        free(v);
}

SBX_EXPORT void sbx_strv_free(char **v)
{
        strv_free(v);
}
