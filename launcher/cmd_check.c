/* cmd_check.c — `sbx check PROFILE…`: load each profile (name or path)
 * with its includes and validate it, as `sbx run` would, without running
 * anything.  Errors are printed as FILE:LINE: message; notes about this
 * machine (a missing allow-list entry…) are printed but do not fail. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "commands.h"

const char cmd_check_usage[] =
        "Usage: sbx check [-q] PROFILE...\n"
        "\n"
        "Load each PROFILE (a name from the search path, or a path to an .ini\n"
        "file) with its includes and validate it.  Errors are printed as\n"
        "FILE:LINE: message.  Notes about this machine (an allow-list entry or\n"
        "optional bind source that does not exist here) go to stderr as\n"
        "\"note: ...\", as sbx run -v prints them, and do not fail.\n"
        "\n"
        "  -q, --quiet   print nothing for valid profiles\n"
        "\n"
        "Exit status: 0 all profiles are valid; 2 a profile is invalid or bad usage.\n"
        "See sbx.profile(5).\n";

static int check_one(const char *profile, bool quiet)
{
        struct sbx_policy *p = NULL;
        struct sbx_error *e = NULL;
        int r = sbx_policy_new(&p);
        if (r < 0) {
                fprintf(stderr, "sbx check: %s\n", strerror(-r));
                return SBX_EXIT_SETUP;
        }
        r = sbx_policy_load(p, profile, &e);
        if (r >= 0)
                r = sbx_policy_validate(p, &e);
        if (r < 0) {
                if (e)
                        fprintf(stderr, "%s\n", sbx_error_message(e));
                else
                        fprintf(stderr, "%s: %s\n", profile, strerror(-r));
                sbx_error_free(e);
                sbx_policy_free(p);
                return SBX_EXIT_USAGE;
        }
        for (const char *const *w = sbx_policy_warnings(p); *w; w++)
                /* Notes, not warnings: nothing needs doing (sbx run -v
                 * words them the same way). */
                fprintf(stderr, "note: %s\n", *w);
        if (!quiet)
                printf("%s: ok\n", profile);
        sbx_policy_free(p);
        return 0;
}

int cmd_check(int argc, char **argv)
{
        static const struct option opts[] = {
                { "quiet", no_argument, NULL, 'q' },
                { "help", no_argument, NULL, 'h' },
                {},
        };
        bool quiet = false;
        int c;

        optind = 1;
        while ((c = getopt_long(argc, argv, "qh", opts, NULL)) != -1) {
                switch (c) {
                case 'q':
                        quiet = true;
                        break;
                case 'h':
                        fputs(cmd_check_usage, stdout);
                        return 0;
                default:
                        return usage_error("check", "bad option");
                }
        }
        if (optind >= argc)
                return usage_error("check", "no profile given");
        int code = 0;
        for (int i = optind; i < argc; i++) {
                int r = check_one(argv[i], quiet);
                if (r > code)
                        code = r;
        }
        fflush(stdout);
        return code;
}
