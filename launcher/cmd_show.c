/* cmd_show.c — `sbx show [--profile] PROFILE`: print the effective policy
 * (defaults, includes and overrides merged) as canonical INI that loads
 * back to the same policy. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"

const char cmd_show_usage[] =
        "Usage: sbx show [--profile NAME|PATH] [--set SECTION.KEY=VALUE]... [PROFILE]\n"
        "\n"
        "Print the effective policy of a profile (default: \"default\"): every\n"
        "section and key with its value, includes merged, as INI that\n"
        "`sbx check` and `sbx run --profile` accept.  Comments name the profile\n"
        "line each value came from.\n"
        "\n"
        "  -p, --profile NAME|PATH      the profile (or give it as the argument)\n"
        "  --set SECTION.KEY=VALUE      apply an override first, as `sbx run --set`\n"
        "\n"
        "Exit status: 0; 2 the profile is invalid or bad usage.\n";

int cmd_show(int argc, char **argv)
{
        enum { OPT_SET = 256 };
        static const struct option opts[] = {
                { "profile", required_argument, NULL, 'p' },
                { "set", required_argument, NULL, OPT_SET },
                { "help", no_argument, NULL, 'h' },
                {},
        };
        const char *profile = NULL, *sets[64];
        size_t nsets = 0;
        int c;

        optind = 1;
        while ((c = getopt_long(argc, argv, "p:h", opts, NULL)) != -1) {
                switch (c) {
                case 'p':
                        profile = optarg;
                        break;
                case OPT_SET:
                        if (nsets >= 64)
                                return usage_error("show", "too many --set");
                        sets[nsets++] = optarg;
                        break;
                case 'h':
                        fputs(cmd_show_usage, stdout);
                        return 0;
                default:
                        return usage_error("show", "bad option");
                }
        }
        if (optind < argc) {
                if (profile || optind + 1 < argc)
                        return usage_error("show", "one profile only");
                profile = argv[optind];
        }
        if (!profile)
                profile = "default";

        struct sbx_policy *p = NULL;
        struct sbx_error *e = NULL;
        char *text = NULL;
        int r = sbx_policy_new(&p);
        if (r < 0) {
                fprintf(stderr, "sbx show: %s\n", strerror(-r));
                return SBX_EXIT_SETUP;
        }
        if (sbx_policy_load(p, profile, &e) < 0) {
                sbx_policy_free(p);
                return report_error(e);
        }
        for (size_t i = 0; i < nsets; i++) {
                const char *a = sets[i], *dot = strchr(a, '.'), *eq = strchr(a, '=');
                char section[64], key[64];
                if (!dot || !eq || dot > eq || (size_t)(dot - a) >= sizeof(section) ||
                    (size_t)(eq - dot - 1) >= sizeof(key)) {
                        sbx_policy_free(p);
                        return usage_error("show", "--set wants SECTION.KEY=VALUE, not '%s'", a);
                }
                snprintf(section, sizeof(section), "%.*s", (int)(dot - a), a);
                snprintf(key, sizeof(key), "%.*s", (int)(eq - dot - 1), dot + 1);
                if (sbx_policy_set(p, section, key, eq + 1, "command line", &e) < 0) {
                        sbx_policy_free(p);
                        return report_error(e);
                }
        }
        for (const char *const *w = sbx_policy_warnings(p); *w; w++)
                fprintf(stderr, "warning: %s\n", *w);
        r = sbx_policy_format(p, &text);
        sbx_policy_free(p);
        if (r < 0) {
                fprintf(stderr, "sbx show: %s\n", strerror(-r));
                return SBX_EXIT_SETUP;
        }
        fputs(text, stdout);
        free(text);
        return fflush(stdout) == 0 ? 0 : SBX_EXIT_SETUP;
}
