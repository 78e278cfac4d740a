/* cmd_enter.c — `sbx enter NAME [--] [COMMAND ARGS…]`: run a command in a
 * running sandbox through its door (libsbx's sbx_enter), which starts it
 * with exactly the sandbox's confinement.  The door's fd is copied out of
 * the `sbx run` process once the registry entry checks out against the
 * live processes (registry.c).  Signals sbx enter gets are passed on to
 * the command; its exit status is ours. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "registry.h"

const char cmd_enter_usage[] =
        "Usage: sbx enter NAME [--] [COMMAND [ARGS...]]\n"
        "\n"
        "Run COMMAND (default: sh) inside the running sandbox NAME (see sbx ps),\n"
        "with exactly its confinement: the same namespaces and filesystem view,\n"
        "Landlock domain, seccomp filter, capabilities, no_new_privs, limits and\n"
        "environment as its program.  COMMAND is looked up in the sandbox's PATH.\n"
        "It gets your stdin, stdout and stderr and a session of its own; signals\n"
        "sbx enter gets are passed on to it.\n"
        "\n"
        "Exit status: COMMAND's (128+N for signal N); 1 no such sandbox or its\n"
        "entry does not check out; 125 the sandbox could not run it; 126 not\n"
        "executable; 127 not found inside the sandbox.\n";

static struct sbx_entered *entered;

static void forward(int sig)
{
        int saved = errno;
        if (entered)
                (void)sbx_entered_signal(entered, sig);
        errno = saved;
}

int cmd_enter(int argc, char **argv)
{
        static const struct option opts[] = {
                { "help", no_argument, NULL, 'h' },
                {},
        };
        int c;
        optind = 1;
        while ((c = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
                if (c == 'h') {
                        fputs(cmd_enter_usage, stdout);
                        return 0;
                }
                return usage_error("enter", "bad option");
        }
        if (optind >= argc)
                return usage_error("enter", "no sandbox name given");
        const char *name = argv[optind++];
        if (!registry_name_valid(name))
                return usage_error("enter", "'%s' is not a sandbox name", name);
        if (optind < argc && strcmp(argv[optind], "--") == 0)
                optind++;
        static const char *const shell[] = { "sh", NULL };
        const char *const *cmd = optind < argc ? (const char *const *)argv + optind : shell;

        int dirfd;
        const char *why = NULL;
        int r = registry_open(&dirfd, NULL, 0, &why);
        if (r < 0) {
                fprintf(stderr, "sbx enter: %s: %s\n", why, strerror(-r));
                return SBX_EXIT_SETUP;
        }
        struct reg_entry e;
        r = registry_read(dirfd, name, &e);
        close(dirfd);
        if (r < 0) {
                fprintf(stderr, "sbx enter: %s: %s\n", name,
                        r == -ENOENT ? "no sandbox of that name" : r == -EPERM ? "registry entry refused "
                        "(not a private regular file of yours)" : "unreadable registry entry");
                return 1;
        }
        struct reg_live live;
        if (registry_verify(&e, true, &live, &why) < 0) {
                fprintf(stderr, "sbx enter: %s: %s\n", name, why);
                return 1;
        }

        static const int sigs[] = { SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGUSR1, SIGUSR2, SIGWINCH, SIGCONT,
                                    SIGALRM };
        sigset_t block, old;
        sigemptyset(&block);
        for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
                sigaddset(&block, sigs[i]);
        sigprocmask(SIG_BLOCK, &block, &old);
        struct sbx_enter_options o = {
                .size = sizeof(o), .argv = cmd, .stdin_fd = 0, .stdout_fd = 1, .stderr_fd = 2,
        };
        struct sbx_error *err = NULL;
        r = sbx_enter(live.door, &o, &entered, &err);
        registry_live_close(&live);
        if (r < 0) {
                sigprocmask(SIG_SETMASK, &old, NULL);
                return report_error(err);
        }
        struct sigaction sa = { .sa_handler = forward, .sa_flags = SA_RESTART };
        sigemptyset(&sa.sa_mask);
        for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
                sigaction(sigs[i], &sa, NULL);
        sigprocmask(SIG_SETMASK, &old, NULL);
        int status = 0;
        r = sbx_entered_wait(entered, &status);
        sigprocmask(SIG_BLOCK, &block, NULL);
        struct sbx_entered *en = entered;
        entered = NULL;
        sbx_entered_free(en);
        if (r < 0) {
                fprintf(stderr, "sbx enter: %s: %s\n", name,
                        r == -EPIPE ? "the sandbox ended while the command ran" : strerror(-r));
                return 128 + SIGKILL;
        }
        return sbx_exit_code(status);
}
