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
        "       sbx syscalls --why [SYSCALL...]\n"
        "\n"
        "Without NAME: list the syscall groups a profile's [seccomp] allow, deny\n"
        "and override keys accept, with their members.  Groups marked (dangerous)\n"
        "are denied whatever `allow` says; only naming each call in `override`\n"
        "lets it through.  (default) marks the groups @default includes.\n"
        "\n"
        "With NAME (a @group or a syscall): print the syscalls it expands to, one\n"
        "per line, and for a syscall the groups that contain it.\n"
        "\n"
        "--why: why @default allows each syscall that Docker's default seccomp\n"
        "profile or systemd's @system-service refuses or restricts (all of them,\n"
        "or the named ones).\n"
        "\n"
        "Options:\n"
        "  -w, --why     the reasons behind @default\n"
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

static bool contains(char **v, const char *s)
{
        for (; v && *v; v++)
                if (strcmp(*v, s) == 0)
                        return true;
        return false;
}

static void list_groups(void)
{
        for (size_t i = 0; i < sbx_syscall_group_count(); i++) {
                const char *name = sbx_syscall_group_name(i);
                printf("%s\n", name);
                print_wrapped(sbx_syscall_group_help(i), "    # ", 78);
                if (strcmp(name, "@default") == 0) {
                        /* The names kept although Docker or systemd refuse them. */
                        char names[2048] = "";
                        for (size_t k = 0; k < sbx_syscall_note_count(); k++) {
                                strncat(names, " ", sizeof(names) - strlen(names) - 1);
                                strncat(names, sbx_syscall_note_name(k), sizeof(names) - strlen(names) - 1);
                        }
                        fputs("    # allowed although Docker's default profile or systemd's\n"
                              "    # @system-service refuses or restricts them (sbx syscalls --why):\n",
                              stdout);
                        print_wrapped(names, "    #   ", 78);
                }
                print_wrapped(sbx_syscall_group_members(i), "    ", 78);
                putchar('\n');
        }
}

static void print_why(const char *name, const char *why)
{
        printf("%s\n", name);
        print_wrapped(why, "    # ", 78);
}

static int why(int argc, char **argv)
{
        if (argc == 0) {
                for (size_t k = 0; k < sbx_syscall_note_count(); k++) {
                        const char *name = sbx_syscall_note_name(k);
                        print_why(name, sbx_syscall_why(name));
                }
                return 0;
        }
        int ret = 0;
        for (int i = 0; i < argc; i++) {
                char **v = NULL;
                if (argv[i][0] == '@' || sbx_syscall_expand(argv[i], &v) < 0) {
                        fprintf(stderr, "sbx syscalls: '%s' is not a syscall known on this architecture\n",
                                argv[i]);
                        ret = SBX_EXIT_USAGE;
                        continue;
                }
                sbx_strv_free(v);
                const char *w = sbx_syscall_why(argv[i]);
                if (!w) {
                        char **def = NULL;
                        bool in_default = sbx_syscall_expand("@default", &def) == 0 && contains(def, argv[i]);
                        sbx_strv_free(def);
                        w = in_default ? "in @default; neither Docker's default profile nor systemd's "
                                         "@system-service refuses it"
                                       : "not in @default";
                }
                print_why(argv[i], w);
        }
        return ret;
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
                const char *w = sbx_syscall_why(name);
                if (w)
                        printf("# why @default allows it: %s\n", w);
        }
        sbx_strv_free(v);
        return 0;
}

int cmd_syscalls(int argc, char **argv)
{
        static const struct option opts[] = {
                { "help", no_argument, NULL, 'h' },
                { "why", no_argument, NULL, 'w' },
                { NULL, 0, NULL, 0 },
        };
        bool want_why = false;
        int c;
        while ((c = getopt_long(argc, argv, "+hw", opts, NULL)) != -1) {
                switch (c) {
                case 'h':
                        fputs(cmd_syscalls_usage, stdout);
                        return 0;
                case 'w':
                        want_why = true;
                        break;
                default:
                        return usage_error("syscalls", "unknown option");
                }
        }
        if (want_why)
                return why(argc - optind, argv + optind);
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
