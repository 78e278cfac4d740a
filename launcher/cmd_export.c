/* cmd_export.c — `sbx export`: a profile's seccomp policy for OCI
 * runtimes and Kubernetes (sbx_export).  Parses options, prints the
 * profile and, on stderr, what the format cannot express. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"

const char cmd_export_usage[] =
        "Usage: sbx export --format oci|k8s [--profile NAME|PATH] [--output FILE]\n"
        "\n"
        "Write the seccomp policy of a profile (default: \"default\") for other\n"
        "runtimes, from the same decisions as the filter `sbx run` loads:\n"
        "  oci  the OCI runtime-spec linux.seccomp object (defaultAction,\n"
        "       architectures, syscalls with argument rules): put it into a\n"
        "       bundle's config.json, or use it as a Docker/Podman --security-opt\n"
        "       seccomp=FILE or a Kubernetes Localhost seccomp profile;\n"
        "  k8s  a container securityContext (runAsNonRoot, allowPrivilegeEscalation\n"
        "       false, capabilities drop ALL, readOnlyRootFilesystem, a Localhost\n"
        "       seccompProfile), then \"---\" and the seccomp profile to install on\n"
        "       the nodes.\n"
        "What the format cannot express (Landlock, the exec allow-list, the memfd\n"
        "supervisor, namespaces and the filesystem view) is listed on stderr.\n"
        "Only x86_64 is listed in architectures: the runtime then kills calls\n"
        "through the i386 and x32 tables, as sbx does.\n"
        "\n"
        "Options:\n"
        "  -F, --format oci|k8s     output format (required)\n"
        "  -p, --profile NAME|PATH  the profile to export\n"
        "  -o, --output FILE        write to FILE instead of stdout\n"
        "  -q, --quiet              do not print the warnings\n"
        "  -h, --help               this text\n"
        "\n"
        "Exit status: 0; 2 bad usage or profile; 125 the export failed.\n";

int cmd_export(int argc, char **argv)
{
        static const struct option opts[] = {
                { "format", required_argument, NULL, 'F' },
                { "profile", required_argument, NULL, 'p' },
                { "output", required_argument, NULL, 'o' },
                { "quiet", no_argument, NULL, 'q' },
                { "help", no_argument, NULL, 'h' },
                {},
        };
        const char *profile = NULL, *output = NULL;
        int format = -1;
        bool quiet = false;
        int c;

        optind = 1;
        while ((c = getopt_long(argc, argv, "+F:p:o:qh", opts, NULL)) != -1) {
                switch (c) {
                case 'F':
                        if (strcmp(optarg, "oci") == 0)
                                format = SBX_FORMAT_OCI;
                        else if (strcmp(optarg, "k8s") == 0 || strcmp(optarg, "kubernetes") == 0)
                                format = SBX_FORMAT_K8S;
                        else
                                return usage_error("export", "--format: '%s' is not oci or k8s", optarg);
                        break;
                case 'p':
                        if (profile)
                                return usage_error("export", "only one profile");
                        profile = optarg;
                        break;
                case 'o':
                        output = optarg;
                        break;
                case 'q':
                        quiet = true;
                        break;
                case 'h':
                        fputs(cmd_export_usage, stdout);
                        return SBX_EXIT_OK;
                default:
                        return usage_error("export", "bad option");
                }
        }
        if (optind < argc) {
                if (profile || optind + 1 < argc)
                        return usage_error("export", "only one profile");
                profile = argv[optind];
        }
        if (format < 0)
                return usage_error("export", "--format oci or --format k8s is required");
        if (!profile)
                profile = "default";

        struct sbx_policy *p = NULL;
        struct sbx_error *e = NULL;
        if (sbx_policy_new(&p) < 0) {
                fprintf(stderr, "sbx export: out of memory\n");
                return SBX_EXIT_SETUP;
        }
        if (sbx_policy_load(p, profile, &e) < 0) {
                sbx_policy_free(p);
                return report_error(e);
        }
        char *out = NULL;
        char **warnings = NULL;
        int r = sbx_export(p, (enum sbx_format)format, &out, &warnings, &e);
        sbx_policy_free(p);
        if (r < 0) {
                if (e)
                        return report_error(e);
                fprintf(stderr, "sbx export: %s\n", strerror(-r));
                return SBX_EXIT_SETUP;
        }
        for (char **w = warnings; !quiet && w && *w; w++)
                fprintf(stderr, "sbx export: warning: %s\n", *w);
        sbx_strv_free(warnings);

        FILE *f = output ? fopen(output, "we") : stdout;
        if (!f) {
                fprintf(stderr, "sbx export: %s: %m\n", output);
                free(out);
                return SBX_EXIT_SETUP;
        }
        fputs(out, f);
        free(out);
        if ((f == stdout ? fflush(f) : fclose(f)) != 0) {
                fprintf(stderr, "sbx export: writing %s: %m\n", output ? output : "the profile");
                return SBX_EXIT_SETUP;
        }
        return SBX_EXIT_OK;
}
