/* test_helper_out.c — a helper's output, relayed safely
 * (lib/launch/helper_out.c): every byte a helper prints ends up inside one
 * quoted, escaped field of a line that starts with sbx's own prefix, so no
 * text a sandboxed client makes a helper print can start a line of sbx's
 * log or reach the terminal as a control sequence.  No sandbox. */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "launch/helper_out.h"

Test(helper_out, text_line_is_prefixed_quoted_and_escaped)
{
        char out[256];
        const char in[] = "a\"b\\c\x1b[2J\xff\r";
        size_t n = helper_line_format(out, sizeof(out), "proxy", in, sizeof(in) - 1, false);
        cr_assert_str_eq(out, "sbx: helper proxy: \"a\\\"b\\\\c\\x1b[2J\\xff\\r\"\n");
        cr_assert_eq(n, strlen(out));
}

Test(helper_out, json_line_is_one_object)
{
        char out[256];
        const char in[] = "x\n\"y\x01";
        helper_line_format(out, sizeof(out), "proxy", in, sizeof(in) - 1, true);
        cr_assert_str_eq(out, "{\"event\":\"helper-output\",\"helper\":\"proxy\",\"text\":\"x\\n\\\"y\\u0001\"}\n");
}

Test(helper_out, long_text_is_cut_but_still_closed)
{
        char out[80], in[400];
        memset(in, '\n', sizeof(in));
        size_t n = helper_line_format(out, sizeof(out), "p", in, sizeof(in), false);
        cr_assert_lt(n, sizeof(out));
        cr_assert_eq(out[n - 1], '\n');
        cr_assert_eq(out[n - 2], '"');
        cr_assert_eq(strchr(out, '\n'), out + n - 1, "one line only: %s", out);
}

struct sink {
        char buf[8192];
        size_t n;
        unsigned lines;
};

static void collect(void *ctx, const char *line, size_t n)
{
        struct sink *s = ctx;
        cr_assert_lt(s->n + n, sizeof(s->buf));
        memcpy(s->buf + s->n, line, n);
        s->n += n;
        s->buf[s->n] = 0;
        s->lines++;
}

/* What the proxy prints for a member name with a newline in it: two lines
 * in its output, each relayed as a helper line, none a report. */
Test(helper_out, pump_relays_whole_lines_and_the_rest_at_eof)
{
        struct helper_out h;
        int w = -1;
        cr_assert_eq(helper_out_open(&h, "xdg-dbus-proxy", &w), 0);
        const char text[] = "\n** WARNING **: Unknown bus method Foo\nsbx: denied FORGED\nno newline";
        cr_assert_eq(write(w, text, sizeof(text) - 1), (ssize_t)sizeof(text) - 1);
        struct sink s = { .n = 0 };
        helper_out_pump(&h, false, false, collect, &s);
        cr_assert_eq(s.lines, 2, "%s", s.buf);
        close(w);
        helper_out_pump(&h, false, true, collect, &s);
        cr_assert_eq(h.fd, -1);
        cr_assert_str_eq(s.buf, "sbx: helper xdg-dbus-proxy: \"** WARNING **: Unknown bus method Foo\"\n"
                                "sbx: helper xdg-dbus-proxy: \"sbx: denied FORGED\"\n"
                                "sbx: helper xdg-dbus-proxy: \"no newline\"\n");
}

Test(helper_out, a_flood_is_bounded_and_counted)
{
        struct helper_out h;
        int w = -1;
        cr_assert_eq(helper_out_open(&h, "p", &w), 0);
        struct sink s = { .n = 0 };
        for (int i = 0; i < HELPER_OUT_MAX_LINES + 50; i++) {
                cr_assert_eq(write(w, "x\n", 2), 2);
                if (i % 100 == 0) {
                        s.n = 0;
                        helper_out_pump(&h, false, false, collect, &s);
                }
        }
        close(w);
        s.n = 0;
        helper_out_pump(&h, false, true, collect, &s);
        cr_assert(strstr(s.buf, "sbx: helper p: 50 further line(s) not shown\n"), "%s", s.buf);
        cr_assert_eq(h.lines, HELPER_OUT_MAX_LINES);
}
