/* helper_out.h — a helper's output, relayed safely (helper_out.c).
 *
 * Programs sbx starts beside a sandbox (xdg-dbus-proxy; network or display
 * helpers) print what a sandboxed client makes them print: xdg-dbus-proxy
 * warns "Unknown bus method %s" with the member name a client sent,
 * newlines included.  Their output never goes to the caller's log fd
 * directly: without a log fd it goes to /dev/null; with one, through a pipe
 * that sbx reads, each line escaped and prefixed so that it can never start
 * a line of sbx's own:
 *
 *     sbx: helper xdg-dbus-proxy: "** WARNING **: Unknown bus method Foo"
 *     {"event":"helper-output","helper":"xdg-dbus-proxy","text":"…"}
 *
 * Use: helper_out_open() before starting the helper, pass *ret_write as its
 * stdout and stderr, close that end once it runs; poll h->fd and call
 * helper_out_pump() when readable (drain = true once the helper is gone);
 * helper_out_close() at the end. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HELPER_OUT_PIECE 512     /* longest piece of a line relayed as one */
#define HELPER_OUT_MAX_LINES 200 /* per helper and sandbox; the rest is counted */

struct helper_out {
        char name[32];   /* the helper's name as it appears in the log */
        int fd;          /* the pipe's reading end (non-blocking), -1 when closed */
        uint64_t lines;  /* lines relayed */
        uint64_t dropped; /* lines over HELPER_OUT_MAX_LINES */
        size_t npartial;
        char partial[HELPER_OUT_PIECE];
};

/* One relayed line: formats `text` (n bytes, no newline needed) as above
 * into out (cap bytes, NUL-terminated, ends with '\n').  Returns the length
 * written; a line too long for out is cut, still escaped and terminated. */
size_t helper_line_format(char *out, size_t cap, const char *helper, const char *text, size_t n, bool json);

/* Makes the pipe; *ret_write (close-on-exec) is the helper's end. */
int helper_out_open(struct helper_out *h, const char *name, int *ret_write);
/* Reads what the helper wrote and hands each formatted line to emit(); at
 * EOF (or with drain, once nothing more can come) the last cut line too,
 * and the count of dropped lines.  Closes h->fd at EOF. */
void helper_out_pump(struct helper_out *h, bool json, bool drain,
                     void (*emit)(void *ctx, const char *line, size_t n), void *ctx);
void helper_out_close(struct helper_out *h);
