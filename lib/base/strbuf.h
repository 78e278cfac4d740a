/* strbuf.h — the one string buffer and the one string vector of libsbx.
 * Pure: memory only. */
#pragma once

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

/* A growable string.  The first failure sticks in `err`; later calls do
 * nothing, so callers check once at the end (sbuf_take). */
struct sbuf {
        char *s;
        size_t len, cap;
        int err;
};

void sbuf_putn(struct sbuf *b, const char *s, size_t n);
void sbuf_puts(struct sbuf *b, const char *s);
void sbuf_printf(struct sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sbuf_vprintf(struct sbuf *b, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
/* s as a JSON string literal, quotes included (NULL: `null`). */
void sbuf_json_str(struct sbuf *b, const char *s);
/* Hand the text out (never NULL on success: "" for an empty buffer): *ret
 * owns it.  Returns b->err when something failed (and frees the text). */
int sbuf_take(struct sbuf *b, char **ret);
void sbuf_done(struct sbuf *b);

/* A NULL-terminated vector of malloc'd strings, grown in place: *v, its
 * length *n and its capacity *cap (all zero to start).  On failure the
 * vector is unchanged and `s` is freed. */
int strv_add(char ***v, size_t *n, size_t *cap, char *s);
/* strv_add of a formatted string. */
int strv_addf(char ***v, size_t *n, size_t *cap, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
int strv_vaddf(char ***v, size_t *n, size_t *cap, const char *fmt, va_list ap)
        __attribute__((format(printf, 4, 0)));
bool strv_contains(char *const *v, const char *s);
/* Frees every string and the vector (sbx_strv_free is this). NULL-safe. */
void strv_free(char **v);
