/* main.c — `sbx`: subcommand dispatch, --help, --version.  Holds no
 * sandboxing logic: every command calls the public libsbx API. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "commands.h"

static const struct command commands[] = {
        { "run", cmd_run, "run a program in a sandbox", cmd_run_usage },
        { "check", cmd_check, "validate profiles", cmd_check_usage },
        { "show", cmd_show, "print the effective, merged policy", cmd_show_usage },
        { "list", cmd_list, "list the profiles in the search path", cmd_list_usage },
        { "ps", cmd_ps, "list your running sandboxes", cmd_ps_usage },
        { "enter", cmd_enter, "run a command inside a running sandbox", cmd_enter_usage },
        { "stop", cmd_stop, "stop running sandboxes by name", cmd_stop_usage },
        { "desktop", cmd_desktop, "desktop launchers that start applications through sbx",
          cmd_desktop_usage },
        { "syscalls", cmd_syscalls, "list syscall groups or resolve one", cmd_syscalls_usage },
        { "analyze", cmd_analyze, "what a profile leaves open, scored, with ATT&CK coverage",
          cmd_analyze_usage },
        { "attack", cmd_attack, "ATT&CK Navigator layer of what profiles mitigate", cmd_attack_usage },
        { "learn", cmd_learn, "record one run and write the profile it needs, then check it", cmd_learn_usage },
        { "export", cmd_export, "the policy as an OCI bundle, a Kubernetes Pod or a systemd unit",
          cmd_export_usage },
};

static void print_help(FILE *f)
{
        fprintf(f, "Usage: sbx COMMAND [OPTIONS] [ARGS]\n"
                   "       sbx run [--profile NAME|PATH] [OVERRIDES] [--] PROGRAM [ARGS...]\n\n"
                   "Commands:\n");
        for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
                fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
        fprintf(f, "  %-10s %s\n", "help", "help on one command");
        fprintf(f, "\nOptions:\n  -h, --help     this text\n  -V, --version  print the version\n\n"
                   "Exit codes: the program's own; 2 bad usage or profile; 125 sandbox setup\n"
                   "failed; 126 program could not be executed; 127 program not found.\n"
                   "See sbx(1) and sbx.profile(5).\n");
}

static const struct command *find(const char *name)
{
        for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
                if (strcmp(commands[i].name, name) == 0)
                        return &commands[i];
        return NULL;
}

int report_error(struct sbx_error *e)
{
        fprintf(stderr, "sbx: %s\n", sbx_error_message(e));
        int code;
        switch (sbx_error_kind(e)) {
        case SBX_ERROR_PROFILE: code = SBX_EXIT_USAGE; break;
        case SBX_ERROR_EXEC: code = SBX_EXIT_CANNOT_EXEC; break;
        case SBX_ERROR_NOT_FOUND: code = SBX_EXIT_NOT_FOUND; break;
        default: code = SBX_EXIT_SETUP; break;
        }
        sbx_error_free(e);
        return code;
}

int usage_error(const char *cmd, const char *fmt, ...)
{
        va_list ap;
        fprintf(stderr, "sbx%s%s: ", cmd ? " " : "", cmd ? cmd : "");
        va_start(ap, fmt);
        vfprintf(stderr, fmt, ap);
        va_end(ap);
        fprintf(stderr, "\nTry 'sbx help%s%s'.\n", cmd ? " " : "", cmd ? cmd : "");
        return SBX_EXIT_USAGE;
}

int main(int argc, char **argv)
{
        if (argc < 2) {
                print_help(stderr);
                return SBX_EXIT_USAGE;
        }
        const char *name = argv[1];
        if (!strcmp(name, "-h") || !strcmp(name, "--help")) {
                print_help(stdout);
                return 0;
        }
        if (!strcmp(name, "-V") || !strcmp(name, "--version")) {
                printf("sbx %s\n", sbx_version());
                return 0;
        }
        if (!strcmp(name, "help")) {
                if (argc < 3) {
                        print_help(stdout);
                        return 0;
                }
                const struct command *c = find(argv[2]);
                if (!c)
                        return usage_error(NULL, "unknown command '%s'", argv[2]);
                fputs(c->usage, stdout);
                return 0;
        }
        const struct command *c = find(name);
        if (!c)
                return usage_error(NULL, "unknown command '%s'", name);
        return c->run(argc - 1, argv + 1);
}
