/* cmd_analyze.c — `sbx analyze`: what a profile leaves open, scored, with
 * the ATT&CK techniques it covers.  The analysis is the library's
 * (sbx_analyze); this file parses options and maps the score to an exit
 * status for CI pipelines. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"

const char cmd_analyze_usage[] =
        "Usage: sbx analyze [--profile NAME|PATH] [--json] [--fail-above SCORE]\n"
        "       sbx analyze [OPTIONS] PROFILE\n"
        "\n"
        "Evaluate every control sbx knows (namespaces, the filesystem view, exec\n"
        "prevention, capabilities, seccomp groups, Landlock, …) against the\n"
        "effective policy of a profile (default: \"default\"): on, partial or off,\n"
        "what it leaves open (\"host network shared\", \"python3 executable\",\n"
        "\"ptrace allowed\"), the test that demonstrates it or \"claimed, not\n"
        "demonstrated\", and the techniques of ATT&CK mitigations M1048 and M1038\n"
        "covered and not covered.\n"
        "\n"
        "Exposure score, 0 (every control on) to 10 (none):\n"
        "  10 * sum(weight * open) / sum(weight)\n"
        "with each control's weight from the ATT&CK map and open its share left\n"
        "open (0 on, 1 off, in between when partial).  See sbx(1).\n"
        "\n"
        "Options:\n"
        "  -p, --profile NAME|PATH  the profile to analyze\n"
        "  -j, --json               machine-readable output\n"
        "  -f, --fail-above SCORE   exit 1 when the score is above SCORE (0-10,\n"
        "                           one decimal)\n"
        "  -h, --help               this text\n"
        "\n"
        "Exit status: 0; 1 the score is above --fail-above; 2 bad usage or profile;\n"
        "125 the analysis failed.\n";

/* "7", "2.5", "10.0" → 70, 25, 100; -1 when malformed or out of range. */
static int parse_score(const char *s)
{
        char *end;
        errno = 0;
        long whole = strtol(s, &end, 10);
        if (errno || end == s || whole < 0 || whole > 10)
                return -1;
        int tenths = 0;
        if (*end == '.') {
                if (end[1] < '0' || end[1] > '9' || end[2])
                        return -1;
                tenths = end[1] - '0';
        } else if (*end)
                return -1;
        int v = (int)whole * 10 + tenths;
        return v > 100 ? -1 : v;
}

int cmd_analyze(int argc, char **argv)
{
        static const struct option opts[] = {
                { "profile", required_argument, NULL, 'p' },
                { "json", no_argument, NULL, 'j' },
                { "fail-above", required_argument, NULL, 'f' },
                { "help", no_argument, NULL, 'h' },
                {},
        };
        const char *profile = NULL;
        bool json = false;
        int fail_above = -1;
        int c;

        optind = 1;
        while ((c = getopt_long(argc, argv, "+p:jf:h", opts, NULL)) != -1) {
                switch (c) {
                case 'p':
                        if (profile)
                                return usage_error("analyze", "only one profile");
                        profile = optarg;
                        break;
                case 'j':
                        json = true;
                        break;
                case 'f':
                        if ((fail_above = parse_score(optarg)) < 0)
                                return usage_error("analyze", "--fail-above: '%s' is not a score "
                                                              "from 0 to 10", optarg);
                        break;
                case 'h':
                        fputs(cmd_analyze_usage, stdout);
                        return SBX_EXIT_OK;
                default:
                        return usage_error("analyze", "bad option");
                }
        }
        if (optind < argc) {
                if (profile || optind + 1 < argc)
                        return usage_error("analyze", "only one profile");
                profile = argv[optind];
        }
        if (!profile)
                profile = "default";

        struct sbx_policy *p = NULL;
        struct sbx_error *e = NULL;
        if (sbx_policy_new(&p) < 0) {
                fprintf(stderr, "sbx analyze: out of memory\n");
                return SBX_EXIT_SETUP;
        }
        if (sbx_policy_load(p, profile, &e) < 0) {
                sbx_policy_free(p);
                return report_error(e);
        }
        char *out = NULL;
        int score = 0;
        int r = sbx_analyze(p, json ? SBX_FORMAT_JSON : SBX_FORMAT_TEXT, &out, &score, &e);
        sbx_policy_free(p);
        if (r < 0) {
                if (e)
                        return report_error(e);
                fprintf(stderr, "sbx analyze: %s\n", strerror(-r));
                return SBX_EXIT_SETUP;
        }
        fputs(out, stdout);
        free(out);
        if (fflush(stdout) != 0) {
                fprintf(stderr, "sbx analyze: writing the output: %m\n");
                return SBX_EXIT_SETUP;
        }
        if (fail_above >= 0 && score > fail_above) {
                fprintf(stderr, "sbx analyze: exposure %d.%d is above %d.%d\n", score / 10, score % 10,
                        fail_above / 10, fail_above % 10);
                return 1;
        }
        return SBX_EXIT_OK;
}
