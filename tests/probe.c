/* probe.c — dispatch for the probe program (see probe.h). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "probe.h"

static const struct probe_cmd *const tables[] = { probe_ns_cmds, probe_sc_cmds, probe_exec_cmds, probe_wx_cmds,
                                                  probe_init_cmds };

const char *probe_errno_name(int e)
{
        static char buf[16];
        const char *n = strerrorname_np(e);
        if (n)
                return n;
        snprintf(buf, sizeof(buf), "E%d", e);
        return buf;
}

int probe_report(int r, const char *fmt, ...)
{
        va_list ap;
        if (r >= 0)
                fputs("OK ", stdout);
        else
                printf("DENIED %s ", probe_errno_name(-r));
        va_start(ap, fmt);
        vprintf(fmt, ap);
        va_end(ap);
        putchar('\n');
        fflush(stdout);
        return 0;
}

int main(int argc, char **argv)
{
        if (argc >= 2)
                for (size_t t = 0; t < sizeof(tables) / sizeof(tables[0]); t++)
                        for (const struct probe_cmd *c = tables[t]; c->name; c++)
                                if (strcmp(c->name, argv[1]) == 0)
                                        return c->fn(argc - 1, argv + 1);
        fprintf(stderr, "usage: probe COMMAND [ARGS]\n");
        for (size_t t = 0; t < sizeof(tables) / sizeof(tables[0]); t++)
                for (const struct probe_cmd *c = tables[t]; c->name; c++)
                        fprintf(stderr, "  %s %s\n", c->name, c->usage);
        return 2;
}
