/* cmd_export.c — `sbx export`: a profile for other runtimes.  --format
 * oci/k8s-securitycontext write its seccomp policy (sbx_export); --format
 * oci-bundle/k8s/systemd the whole launch plan of `sbx run` for a program
 * (sbx_export_plan).  Parses options, prints the result and, on stderr,
 * what the format cannot express. */
#include <getopt.h>
#include <stdio.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"

const char cmd_export_usage[] =
        "Usage: sbx export --format oci-bundle|k8s|systemd|oci|k8s-securitycontext ...\n"
        "       sbx export --format oci-bundle DIR [OPTIONS] -- PROGRAM [ARGS...]\n"
        "       sbx export --format k8s [OPTIONS] -- PROGRAM [ARGS...]\n"
        "       sbx export --format systemd [OPTIONS] -- PROGRAM [ARGS...]\n"
        "       sbx export --format oci [--profile P]\n"
        "       sbx export --format k8s-securitycontext [--profile P]\n"
        "\n"
        "Write what `sbx run [OPTIONS] -- PROGRAM ARGS` would do, for other runtimes,\n"
        "from the same plan (`sbx run --dry-run` shows it):\n"
        "  oci-bundle DIR  an OCI runtime bundle: DIR/config.json (namespaces with\n"
        "                  the same uid mapping, the view as mounts with their\n"
        "                  flags and tmpfs sizes, /proc and /dev as sbx builds them,\n"
        "                  maskedPaths and readonlyPaths, no capabilities,\n"
        "                  noNewPrivileges, rlimits, cgroup resources from [limits],\n"
        "                  the seccomp filter with its argument rules, hostname,\n"
        "                  environment, cwd, args) and DIR/rootfs/ holding only the\n"
        "                  mount points and symlinks of the view.  Run it with\n"
        "                  `crun run --bundle DIR NAME`.\n"
        "  k8s             a Pod (hostPath and emptyDir volumes, securityContext,\n"
        "                  resources, a Localhost seccomp profile) and the Security\n"
        "                  Profiles Operator SeccompProfile with the same filter.\n"
        "  systemd         a service unit with the equivalent hardening\n"
        "                  (TemporaryFileSystem=/ and Bind*Paths=, PrivateTmp,\n"
        "                  PrivateNetwork/RestrictAddressFamilies, RestrictNamespaces,\n"
        "                  SystemCallFilter, MemoryDenyWriteExecute, no capabilities,\n"
        "                  NoNewPrivileges, MemoryMax, TasksMax, Limit*).\n"
        "Only the seccomp policy, no program needed:\n"
        "  oci             the OCI runtime-spec linux.seccomp object (also a\n"
        "                  Docker/Podman --security-opt seccomp=FILE).\n"
        "  k8s-securitycontext  a container securityContext, \"---\", and that object.\n"
        "\n"
        "What no format can express is listed on stderr, each with what the\n"
        "runtime does instead: Landlock (the runtime relies on the view's\n"
        "read-only and noexec mounts and its LSM), the exec allow-list by path\n"
        "(denied programs are masked; other files of the view can run) and by\n"
        "SHA-256 (the runtime runs whatever the path names), the memfd\n"
        "supervisor (the filter refuses memfd_create without MFD_NOEXEC_SEAL),\n"
        "MDWE (the filter's mmap/mprotect rules still refuse W+X; systemd has\n"
        "MemoryDenyWriteExecute=), and the protection of missing persistence\n"
        "paths under writable binds (existing ones are mounted read-only).\n"
        "Only x86_64 is listed in the seccomp architectures: the runtime then\n"
        "kills calls through the i386 and x32 tables, as sbx does.\n"
        "\n"
        "Options:\n"
        "  -F, --format FORMAT      oci-bundle, k8s, systemd, oci or k8s-securitycontext\n"
        "  -p, --profile NAME|PATH  the profile (default: \"default\")\n"
        "  --bind, --ro-bind, --net, --env, --set, --cwd  as for `sbx run`\n"
        "  --image NAME             k8s: the container image\n"
        "                           (default localhost/sbx-rootfs:latest)\n"
        "  --namespace NAME         k8s: the namespace (default \"default\")\n"
        "  -o, --output FILE        write to FILE instead of stdout\n"
        "                           (oci-bundle: DIR/config.json is always written)\n"
        "  -q, --quiet              do not print the warnings\n"
        "  -h, --help               this text\n"
        "\n"
        "Exit status: 0; 2 bad usage or profile; 125 the export failed; 126, 127 as\n"
        "for `sbx run` (the program cannot be executed or does not exist).\n";

enum { F_OCI, F_K8S_SC, F_BUNDLE, F_K8S, F_SYSTEMD };

static int write_out(const char *output, const char *text)
{
        FILE *f = stdout;
        if (output) {
                /* A sandbox with a writable directory may have left the
                 * name there as a link to ~/.bashrc: sbx_output_open refuses
                 * what is not the caller's own file. */
                struct sbx_error *e = NULL;
                int fd;
                if (sbx_output_open(output, &fd, &e) < 0)
                        return report_error(e);
                if (!(f = fdopen(fd, "w"))) {
                        close(fd);
                        fprintf(stderr, "sbx export: %s: %m\n", output);
                        return SBX_EXIT_SETUP;
                }
        }
        fputs(text, f);
        if ((f == stdout ? fflush(f) : fclose(f)) != 0) {
                fprintf(stderr, "sbx export: writing %s: %m\n", output ? output : "the export");
                return SBX_EXIT_SETUP;
        }
        return SBX_EXIT_OK;
}

int cmd_export(int argc, char **argv)
{
        enum { OPT_BIND = 256, OPT_RO_BIND, OPT_NET, OPT_ENV, OPT_SET, OPT_CWD, OPT_IMAGE, OPT_NS };
        static const struct option opts[] = {
                { "format", required_argument, NULL, 'F' },
                { "profile", required_argument, NULL, 'p' },
                { "output", required_argument, NULL, 'o' },
                { "quiet", no_argument, NULL, 'q' },
                { "help", no_argument, NULL, 'h' },
                { "bind", required_argument, NULL, OPT_BIND },
                { "ro-bind", required_argument, NULL, OPT_RO_BIND },
                { "net", required_argument, NULL, OPT_NET },
                { "env", required_argument, NULL, OPT_ENV },
                { "set", required_argument, NULL, OPT_SET },
                { "cwd", required_argument, NULL, OPT_CWD },
                { "image", required_argument, NULL, OPT_IMAGE },
                { "namespace", required_argument, NULL, OPT_NS },
                {},
        };
        struct { int opt; const char *arg; } ov[256];
        size_t nov = 0;
        const char *profile = NULL, *output = NULL, *dir = NULL, *cwd = NULL, *image = NULL, *ns = NULL;
        int format = -1;
        bool quiet = false;
        int c;

        optind = 1;
        while ((c = getopt_long(argc, argv, "+F:p:o:qh", opts, NULL)) != -1) {
                switch (c) {
                case 'F':
                        if (strcmp(optarg, "oci") == 0)
                                format = F_OCI;
                        else if (strcmp(optarg, "k8s-securitycontext") == 0)
                                format = F_K8S_SC;
                        else if (strcmp(optarg, "oci-bundle") == 0) {
                                format = F_BUNDLE;
                                /* The bundle directory follows the format. */
                                if (optind >= argc || argv[optind][0] == '-')
                                        return usage_error("export", "--format oci-bundle needs a directory");
                                dir = argv[optind++];
                        } else if (strcmp(optarg, "k8s") == 0 || strcmp(optarg, "kubernetes") == 0)
                                format = F_K8S;
                        else if (strcmp(optarg, "systemd") == 0)
                                format = F_SYSTEMD;
                        else
                                return usage_error("export", "--format: '%s' is not oci-bundle, k8s, systemd, "
                                                   "oci or k8s-securitycontext", optarg);
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
                case OPT_CWD:
                        if (optarg[0] != '/')
                                return usage_error("export", "--cwd: path must be absolute");
                        cwd = optarg;
                        break;
                case OPT_IMAGE:
                        image = optarg;
                        break;
                case OPT_NS:
                        ns = optarg;
                        break;
                case OPT_BIND:
                case OPT_RO_BIND:
                case OPT_NET:
                case OPT_ENV:
                case OPT_SET:
                        if (nov >= 256)
                                return usage_error("export", "too many overrides");
                        ov[nov].opt = c;
                        ov[nov++].arg = optarg;
                        break;
                default:
                        return usage_error("export", "bad option");
                }
        }
        if (format < 0)
                return usage_error("export", "--format is required (oci-bundle DIR, k8s, systemd, oci or "
                                   "k8s-securitycontext)");
        bool whole = format >= F_BUNDLE;
        if (!whole) {
                /* The seccomp-only formats take the profile as a word too. */
                if (optind < argc) {
                        if (profile || optind + 1 < argc)
                                return usage_error("export", "only one profile");
                        profile = argv[optind];
                }
                if (nov || cwd || image || ns)
                        return usage_error("export", "--format oci and k8s-securitycontext take only --profile");
        } else if (optind >= argc) {
                return usage_error("export", "no program given: sbx export --format FORMAT [OPTIONS] -- "
                                   "PROGRAM [ARGS...]");
        }
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
        int code = 0;
        for (size_t i = 0; i < nov && code == 0; i++)
                code = apply_override(p, "export", ov[i].opt == OPT_BIND      ? OVR_BIND
                                                   : ov[i].opt == OPT_RO_BIND ? OVR_RO_BIND
                                                   : ov[i].opt == OPT_NET     ? OVR_NET
                                                   : ov[i].opt == OPT_ENV     ? OVR_ENV
                                                                              : OVR_SET,
                                      ov[i].arg);
        if (code) {
                sbx_policy_free(p);
                return code;
        }

        char *out = NULL;
        char **warnings = NULL;
        int r;
        if (!whole) {
                r = sbx_export(p, format == F_OCI ? SBX_FORMAT_OCI : SBX_FORMAT_K8S, &out, &warnings, &e);
        } else {
                struct sbx_spawn_options o = {
                        .size = sizeof(o), .file = argv[optind], .argv = (const char *const *)argv + optind,
                        .stdin_fd = -1, .stdout_fd = -1, .stderr_fd = -1, .cwd = cwd, .log_fd = -1,
                };
                struct sbx_export_options eo = {
                        .size = sizeof(eo), .bundle_dir = dir, .k8s_image = image, .k8s_namespace = ns,
                };
                static const enum sbx_format fmts[] = { [F_BUNDLE] = SBX_FORMAT_OCI_BUNDLE,
                                                        [F_K8S] = SBX_FORMAT_K8S,
                                                        [F_SYSTEMD] = SBX_FORMAT_SYSTEMD };
                r = sbx_export_plan(p, &o, fmts[format], &eo, &out, &warnings, &e);
        }
        sbx_policy_free(p);
        if (r < 0) {
                if (e)
                        return report_error(e);
                fprintf(stderr, "sbx export: %s\n", strerror(-r));
                return SBX_EXIT_SETUP;
        }
        for (char **w = warnings; !quiet && w && *w; w++)
                fprintf(stderr, "sbx export: cannot express: %s\n", *w);
        sbx_strv_free(warnings);
        /* The bundle's config.json is written into DIR; stdout only when
         * asked for with -o. */
        code = format == F_BUNDLE && !output ? SBX_EXIT_OK : write_out(output, out);
        free(out);
        return code;
}
