/* cmd_syscalls.c — `sbx syscalls`: the syscall groups profiles are written
 * with, and what a group or a name resolves to.  Reads the library's
 * table only (sbx_syscall_*); decides nothing. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"

const char cmd_syscalls_usage[] =
        "Usage: sbx syscalls [NAME...]\n"
        "\n"
        "Without NAME: list the syscall groups a profile's [seccomp] allow, deny\n"
        "and override keys accept, with their members.  Groups marked (dangerous)\n"
        "are denied whatever `allow` says; only naming each call in `override`\n"
        "lets it through.  (default) marks the groups @default includes.\n"
        "\n"
        "With NAME (a @group or a syscall): print the syscalls it expands to, one\n"
        "per line, and for a syscall the groups that contain it.\n"
        "\n"
        "Options:\n"
        "  -h, --help    this text\n"
        "\n"
        "Exit status: 0; 2 when a NAME is neither a group nor a syscall.\n";

static void print_wrapped(const char *words, const char *indent, size_t width)
{
        size_t col = 0;
        const char *p = words;
        while (*p) {
                p += strspn(p, " ");
                size_t n = strcspn(p, " ");
                if (!n)
                        break;
                if (col && col + 1 + n > width) {
                        putchar('\n');
                        col = 0;
                }
                if (!col) {
                        fputs(indent, stdout);
                        col = strlen(indent);
                } else {
                        putchar(' ');
                        col++;
                }
                fwrite(p, 1, n, stdout);
                col += n;
                p += n;
        }
        if (col)
                putchar('\n');
}

static void list_groups(void)
{
        for (size_t i = 0; i < sbx_syscall_group_count(); i++) {
                printf("%s\n", sbx_syscall_group_name(i));
                print_wrapped(sbx_syscall_group_help(i), "    # ", 78);
                print_wrapped(sbx_syscall_group_members(i), "    ", 78);
                putchar('\n');
        }
}

static bool contains(char **v, const char *s)
{
        for (; v && *v; v++)
                if (strcmp(*v, s) == 0)
                        return true;
        return false;
}

static int resolve(const char *name)
{
        char **v = NULL;
        if (sbx_syscall_expand(name, &v) < 0) {
                fprintf(stderr, "sbx syscalls: '%s' is neither a syscall group nor a syscall "
                                "known on this architecture\n", name);
                return SBX_EXIT_USAGE;
        }
        for (char **p = v; *p; p++)
                printf("%s\n", *p);
        if (name[0] != '@') {
                for (size_t i = 0; i < sbx_syscall_group_count(); i++) {
                        const char *g = sbx_syscall_group_name(i);
                        char **m = NULL;
                        if (sbx_syscall_expand(g, &m) < 0)
                                continue;
                        if (contains(m, name))
                                printf("# in %s: %s\n", g, sbx_syscall_group_help(i));
                        sbx_strv_free(m);
                }
        }
        sbx_strv_free(v);
        return 0;
}

int cmd_syscalls(int argc, char **argv)
{
        static const struct option opts[] = {
                { "help", no_argument, NULL, 'h' },
                { NULL, 0, NULL, 0 },
        };
        int c;
        while ((c = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
                switch (c) {
                case 'h':
                        fputs(cmd_syscalls_usage, stdout);
                        return 0;
                default:
                        return usage_error("syscalls", "unknown option");
                }
        }
        if (optind == argc) {
                list_groups();
                return 0;
        }
        int ret = 0;
        for (int i = optind; i < argc; i++) {
                int r = resolve(argv[i]);
                if (r)
                        ret = r;
        }
        return ret;
}
