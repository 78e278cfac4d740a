/* cmd_attack.c — `sbx attack`: an ATT&CK Navigator layer for one or more
 * profiles (sbx_attack_layer).  Parses options, loads the profiles,
 * writes the layer. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"

const char cmd_attack_usage[] =
        "Usage: sbx attack [--profile NAME|PATH]... [--output FILE] [PROFILE...]\n"
        "\n"
        "Write an ATT&CK Navigator layer (JSON, layer format 4.5, ATT&CK v19) with\n"
        "the techniques of mitigations M1048 and M1038 that the profiles mitigate\n"
        "(default profile: \"default\").  Each technique's comment names the sbx\n"
        "controls that cover it and the tests that demonstrate them.  With one\n"
        "profile, blue marks a technique demonstrated by a test, yellow one that is\n"
        "claimed, not demonstrated; with several, the score is how many of the\n"
        "profiles cover the technique.  Load the file in the ATT&CK Navigator with\n"
        "\"Open Existing Layer\".\n"
        "\n"
        "Options:\n"
        "  -p, --profile NAME|PATH  a profile (repeat to compare several)\n"
        "  -o, --output FILE        write the layer to FILE instead of stdout\n"
        "  -h, --help               this text\n"
        "\n"
        "Exit status: 0; 2 bad usage or profile; 125 the layer could not be built\n"
        "or written.\n";

#define MAX_PROFILES 32

int cmd_attack(int argc, char **argv)
{
        static const struct option opts[] = {
                { "profile", required_argument, NULL, 'p' },
                { "output", required_argument, NULL, 'o' },
                { "help", no_argument, NULL, 'h' },
                {},
        };
        const char *names[MAX_PROFILES];
        size_t n = 0;
        const char *output = NULL;
        int c;

        optind = 1;
        while ((c = getopt_long(argc, argv, "+p:o:h", opts, NULL)) != -1) {
                switch (c) {
                case 'p':
                        if (n == MAX_PROFILES)
                                return usage_error("attack", "at most %d profiles", MAX_PROFILES);
                        names[n++] = optarg;
                        break;
                case 'o':
                        output = optarg;
                        break;
                case 'h':
                        fputs(cmd_attack_usage, stdout);
                        return SBX_EXIT_OK;
                default:
                        return usage_error("attack", "bad option");
                }
        }
        for (; optind < argc; optind++) {
                if (n == MAX_PROFILES)
                        return usage_error("attack", "at most %d profiles", MAX_PROFILES);
                names[n++] = argv[optind];
        }
        if (n == 0)
                names[n++] = "default";

        struct sbx_policy *policies[MAX_PROFILES] = { NULL };
        struct sbx_error *e = NULL;
        int code = SBX_EXIT_OK;
        char *layer = NULL;
        for (size_t i = 0; i < n && code == SBX_EXIT_OK; i++) {
                if (sbx_policy_new(&policies[i]) < 0) {
                        fprintf(stderr, "sbx attack: out of memory\n");
                        code = SBX_EXIT_SETUP;
                } else if (sbx_policy_load(policies[i], names[i], &e) < 0)
                        code = report_error(e);
        }
        if (code == SBX_EXIT_OK) {
                int r = sbx_attack_layer((const struct sbx_policy *const *)policies, n, &layer, &e);
                if (r < 0) {
                        if (e)
                                code = report_error(e);
                        else {
                                fprintf(stderr, "sbx attack: %s\n", strerror(-r));
                                code = SBX_EXIT_SETUP;
                        }
                }
        }
        for (size_t i = 0; i < n; i++)
                sbx_policy_free(policies[i]);
        if (code != SBX_EXIT_OK)
                return code;

        FILE *f = output ? fopen(output, "we") : stdout;
        if (!f) {
                fprintf(stderr, "sbx attack: %s: %m\n", output);
                free(layer);
                return SBX_EXIT_SETUP;
        }
        fputs(layer, f);
        free(layer);
        if ((f == stdout ? fflush(f) : fclose(f)) != 0) {
                fprintf(stderr, "sbx attack: writing %s: %m\n", output ? output : "the layer");
                return SBX_EXIT_SETUP;
        }
        return SBX_EXIT_OK;
}
