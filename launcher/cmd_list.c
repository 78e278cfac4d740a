/* cmd_list.c — `sbx list`: the profiles of the search path in search
 * order, with their descriptions and paths; a name found twice is
 * marked with the file that wins. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"

const char cmd_list_usage[] =
        "Usage: sbx list\n"
        "\n"
        "List the profiles in the search path, in search order: name,\n"
        "description and file.  When two directories hold the same name, the\n"
        "first one wins; the other is marked \"shadowed by\" the winner.\n"
        "\n"
        "Search path: each directory of $SBX_PROFILE_PATH, then\n"
        "$XDG_CONFIG_HOME/sbx/profiles (~/.config/sbx/profiles), /etc/sbx/profiles,\n"
        "and the installed profiles.  See sbx.profile(5).\n";

struct entry {
        char *name, *description, *path;
        const char *winner; /* path of the entry that wins, when shadowed */
};

struct table {
        struct entry *v;
        size_t n;
};

static int collect(const struct sbx_profile_info *info, void *userdata)
{
        struct table *t = userdata;
        struct entry *nv = realloc(t->v, (t->n + 1) * sizeof(*nv));
        if (!nv)
                return -ENOMEM;
        t->v = nv;
        struct entry *e = &t->v[t->n];
        *e = (struct entry){ strdup(info->name), strdup(info->description), strdup(info->path), NULL };
        if (!e->name || !e->description || !e->path) {
                free(e->name);
                free(e->description);
                free(e->path);
                return -ENOMEM;
        }
        if (info->shadowed)
                for (size_t i = 0; i < t->n && !e->winner; i++)
                        if (strcmp(t->v[i].name, e->name) == 0)
                                e->winner = t->v[i].path;
        t->n++;
        return 0;
}

int cmd_list(int argc, char **argv)
{
        static const struct option opts[] = {
                { "help", no_argument, NULL, 'h' },
                {},
        };
        int c;

        optind = 1;
        while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
                if (c == 'h') {
                        fputs(cmd_list_usage, stdout);
                        return 0;
                }
                return usage_error("list", "bad option");
        }
        if (optind < argc)
                return usage_error("list", "no arguments expected");

        struct table t = { 0 };
        int r = sbx_profile_list(collect, &t);
        if (r < 0) {
                fprintf(stderr, "sbx list: %s\n", strerror(-r));
                r = SBX_EXIT_SETUP;
        } else {
                int wn = 4, wd = 11;
                for (size_t i = 0; i < t.n; i++) {
                        int n = (int)strlen(t.v[i].name), d = (int)strlen(t.v[i].description);
                        wn = n > wn ? n : wn;
                        wd = d > wd ? d : wd;
                }
                wd = wd > 60 ? 60 : wd;
                printf("%-*s  %-*s  %s\n", wn, "NAME", wd, "DESCRIPTION", "PATH");
                for (size_t i = 0; i < t.n; i++) {
                        const struct entry *e = &t.v[i];
                        printf("%-*s  %-*s  %s", wn, e->name, wd, *e->description ? e->description : "-",
                               e->path);
                        if (e->winner)
                                printf(" (shadowed by %s)", e->winner);
                        putchar('\n');
                }
                r = fflush(stdout) == 0 ? 0 : SBX_EXIT_SETUP;
        }
        for (size_t i = 0; i < t.n; i++) {
                free(t.v[i].name);
                free(t.v[i].description);
                free(t.v[i].path);
        }
        free(t.v);
        return r;
}
