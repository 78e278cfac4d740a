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
        "Usage: sbx list [--names]\n"
        "\n"
        "List the profiles in the search path, in search order: name,\n"
        "description and file.  When two directories hold the same name, the\n"
        "first one wins; the other is marked \"shadowed by\" the winner.\n"
        "\n"
        "Search path: each directory of $SBX_PROFILE_PATH, then\n"
        "$XDG_CONFIG_HOME/sbx/profiles (~/.config/sbx/profiles), /etc/sbx/profiles,\n"
        "and the installed profiles.  See sbx.profile(5).\n"
        "\n"
        "  --names   only the names that load, one per line (shell completion)\n";

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

#define DESC_MAX 60

/* Terminal columns of a UTF-8 string (one per character). */
static int columns_n(const char *s, size_t n)
{
        int c = 0;
        for (size_t i = 0; i < n && s[i]; i++)
                c += ((unsigned char)s[i] & 0xc0) != 0x80;
        return c;
}

static int columns(const char *s) { return columns_n(s, strlen(s)); }

/* How many bytes of s fit in `width` columns, cut after a word when one
 * ends there (else at a character boundary). */
static size_t cut(const char *s, int width)
{
        size_t n = strlen(s);
        if (columns(s) <= width)
                return n;
        size_t end = 0, space = 0;
        for (size_t i = 0; i < n; i++) {
                if (((unsigned char)s[i] & 0xc0) == 0x80)
                        continue;
                if (columns_n(s, i + 1) > width)
                        break;
                end = i + 1;
                while (end < n && ((unsigned char)s[end] & 0xc0) == 0x80)
                        end++;
                if (s[i] == ' ')
                        space = i;
        }
        return space ? space : end;
}

int cmd_list(int argc, char **argv)
{
        static const struct option opts[] = {
                { "help", no_argument, NULL, 'h' },
                { "names", no_argument, NULL, 'n' },
                {},
        };
        int c;
        bool names = false;

        optind = 1;
        while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
                if (c == 'h') {
                        fputs(cmd_list_usage, stdout);
                        return 0;
                }
                if (c == 'n') {
                        names = true;
                        continue;
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
        } else if (names) {
                for (size_t i = 0; i < t.n; i++)
                        /* fragments (NAME.inc) are for include, not --profile */
                        if (!t.v[i].winner && !(strlen(t.v[i].name) > 4 &&
                                                strcmp(t.v[i].name + strlen(t.v[i].name) - 4, ".inc") == 0))
                                puts(t.v[i].name);
                r = fflush(stdout) == 0 ? 0 : SBX_EXIT_SETUP;
        } else {
                int wn = 4, wd = 11;
                for (size_t i = 0; i < t.n; i++) {
                        int n = (int)strlen(t.v[i].name), d = columns(t.v[i].description);
                        wn = n > wn ? n : wn;
                        wd = d > wd ? d : wd;
                }
                wd = wd > DESC_MAX ? DESC_MAX : wd;
                printf("%-*s  %-*s  %s\n", wn, "NAME", wd, "DESCRIPTION", "PATH");
                for (size_t i = 0; i < t.n; i++) {
                        const struct entry *e = &t.v[i];
                        /* A long description is cut to its column (with
                         * "..."), so that PATH stays aligned and each
                         * profile stays one line for scripts; sbx show
                         * prints it whole. */
                        const char *d = *e->description ? e->description : "-";
                        size_t len = cut(d, wd);
                        bool cut_short = d[len] != 0;
                        if (cut_short)
                                len = cut(d, wd - 3);
                        printf("%-*s  ", wn, e->name);
                        fwrite(d, 1, len, stdout);
                        if (cut_short)
                                fputs("...", stdout);
                        for (int col = columns_n(d, len) + (cut_short ? 3 : 0); col < wd; col++)
                                putchar(' ');
                        printf("  %s", e->path);
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
