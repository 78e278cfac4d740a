/* probe.c — dispatch for the probe program (see probe.h). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "probe.h"

static const struct probe_cmd *const tables[] = { probe_ns_cmds, probe_sc_cmds, probe_exec_cmds, probe_wx_cmds,
                                                  probe_init_cmds, probe_view_cmds, probe_net_cmds };

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

static const struct probe_cmd *find(const char *name)
{
        for (size_t t = 0; t < sizeof(tables) / sizeof(tables[0]); t++)
                for (const struct probe_cmd *c = tables[t]; c->name; c++)
                        if (strcmp(c->name, name) == 0)
                                return c;
        return NULL;
}

/* batch CMD ARGS… ,, CMD ARGS… — each command in a child of its own, in
 * order, one line each (tests/test_layers.c runs many attacks per
 * sandbox launch).  A command that dies (a seccomp kill) or prints
 * nothing gets a DENIED line of its own, so lines and commands pair up. */
static int batch(int argc, char **argv)
{
        int i = 1;
        while (i < argc) {
                int j = i;
                while (j < argc && strcmp(argv[j], ",,") != 0)
                        j++;
                argv[j < argc ? j : argc] = NULL;
                const struct probe_cmd *c = find(argv[i]);
                if (!c) {
                        printf("USAGE %s\n", argv[i]);
                } else {
                        int p[2];
                        char buf[1024];
                        fflush(stdout);
                        if (pipe(p) < 0)
                                return 2;
                        pid_t pid = fork();
                        if (pid < 0)
                                return 2;
                        if (pid == 0) {
                                close(p[0]);
                                if (dup2(p[1], 1) < 0)
                                        _exit(2);
                                close(p[1]);
                                int rc = c->fn(j - i, argv + i);
                                fflush(stdout);
                                _exit(rc);
                        }
                        close(p[1]);
                        size_t n = 0;
                        ssize_t k;
                        while (n < sizeof(buf) - 1 && (k = read(p[0], buf + n, sizeof(buf) - 1 - n)) != 0) {
                                if (k < 0 && errno != EINTR)
                                        break;
                                if (k > 0)
                                        n += (size_t)k;
                        }
                        close(p[0]);
                        buf[n] = 0;
                        char *nl = strchr(buf, '\n');
                        if (nl)
                                *nl = 0;
                        int st = 0;
                        while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
                                ;
                        if (buf[0])
                                printf("%s\n", buf);
                        else if (WIFSIGNALED(st))
                                printf("DENIED SIG%d %s killed\n", WTERMSIG(st), argv[i]);
                        else
                                printf("DENIED EXIT%d %s printed nothing\n", WEXITSTATUS(st), argv[i]);
                }
                fflush(stdout);
                i = j + 1;
        }
        return 0;
}

int main(int argc, char **argv)
{
        if (argc >= 2 && strcmp(argv[1], "batch") == 0)
                return batch(argc - 1, argv + 1);
        const struct probe_cmd *cmd = argc >= 2 ? find(argv[1]) : NULL;
        if (cmd)
                return cmd->fn(argc - 1, argv + 1);
        fprintf(stderr, "usage: probe COMMAND [ARGS]\n");
        for (size_t t = 0; t < sizeof(tables) / sizeof(tables[0]); t++)
                for (const struct probe_cmd *c = tables[t]; c->name; c++)
                        fprintf(stderr, "  %s %s\n", c->name, c->usage);
        return 2;
}
