/* cmd_run.c — `sbx run`: parse the command line into a policy (profile +
 * overrides) and spawn options, then hand both to libsbx.  Forwards
 * signals to the sandbox and returns the program's exit status.  Gives the
 * sandbox a name in the registry (registry.c) for `sbx ps/stop/enter`. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "commands.h"
#include "registry.h"

const char cmd_run_usage[] =
        "Usage: sbx run [--profile NAME|PATH] [OPTIONS] [--] PROGRAM [ARGS...]\n"
        "\n"
        "Run PROGRAM confined by a profile (default: \"default\").\n"
        "\n"
        "Overrides (merged into the profile with the same validation):\n"
        "  --bind SRC[:DST][:exec] bind a host path read-write (noexec unless :exec);\n"
        "                          a relative SRC is taken from the working directory\n"
        "  --ro-bind SRC[:DST]     bind a host path read-only\n"
        "                          (paths are taken as typed; write a ':' that is\n"
        "                          part of a path as \\: and a backslash as \\\\)\n"
        "  --net none|host         network mode\n"
        "  --env NAME=VALUE        set a variable; --env NAME passes the caller's\n"
        "  --cwd PATH              working directory inside\n"
        "  --set SECTION.KEY=VALUE any profile key, e.g. --set seccomp.allow=@network-io\n"
        "  --fd N                  pass the caller's fd N (repeatable; it must be open,\n"
        "                          and 3 or above: 0-2 are always passed)\n"
        "\n"
        "Other options:\n"
        "  --name NAME             name the sandbox for sbx ps, enter and stop\n"
        "                          (default: PROFILE-PROGRAM, then -2, -3...)\n"
        "  --dry-run               print the setup plan and exit\n"
        "  --stats                 report peak memory and processes on exit\n"
        "  --log-denials           report each refusal on stderr as it happens (and\n"
        "                          observe writes and paths outside the view too);\n"
        "                          without it, refusals are summed up at exit\n"
        "  --log-json              the same, as JSON lines\n"
        "  --log-file PATH         send sbx's reports (denials, warnings, lost\n"
        "                          reports) to PATH, appended, instead of stderr;\n"
        "                          the program never gets this file; refused when\n"
        "                          PATH is a symlink, a hard link or not yours\n"
        "  --keep-session          stay in the caller's session (job control;\n"
        "                          TIOCSTI stays blocked by seccomp)\n"
        "  -v, --verbose           also print notes that need no action (an optional\n"
        "                          bind whose source is absent); warnings always print\n"
        "\n"
        "Exit status: the program's (128+N for signal N); 2 bad usage or profile;\n"
        "125 sandbox setup failed; 126 program could not be executed; 127 not found.\n";

static pid_t sandbox_pid = -1;
static struct sbx_process *sandbox;
static volatile sig_atomic_t same_session;

static void forward(int sig)
{
        int saved = errno;
        /* Keys typed at the terminal already reach a program that shares the
         * caller's session. */
        if (!(same_session && (sig == SIGINT || sig == SIGQUIT || sig == SIGWINCH)) && sandbox_pid > 0)
                kill(sandbox_pid, sig);
        errno = saved;
}

int set_override(struct sbx_policy *p, const char *section, const char *key, const char *value)
{
        struct sbx_error *e = NULL;
        if (sbx_policy_set(p, section, key, value, "command line", &e) < 0)
                return report_error(e);
        return 0;
}

/* A relative bind source (`--bind .`, `--ro-bind src`) taken from the
 * working directory, with "." and ".." removed by name, as a shell user
 * reads it (libsbx then opens it without following a symlink it could not
 * check). */
static int absolute_path(const char *rel, char **ret)
{
        char cwd[PATH_MAX];
        if (!getcwd(cwd, sizeof(cwd))) {
                fprintf(stderr, "sbx run: the working directory: %s\n", strerror(errno));
                return SBX_EXIT_USAGE;
        }
        size_t cap = strlen(cwd) + strlen(rel) + 2;
        char *out = malloc(cap);
        if (!out) {
                fprintf(stderr, "sbx: out of memory\n");
                return SBX_EXIT_SETUP;
        }
        strcpy(out, strcmp(cwd, "/") == 0 ? "" : cwd);
        size_t n = strlen(out);
        for (const char *s = rel; *s;) {
                const char *e = strchr(s, '/');
                size_t k = e ? (size_t)(e - s) : strlen(s);
                if (k == 2 && s[0] == '.' && s[1] == '.') {
                        while (n > 0 && out[n - 1] != '/')
                                n--;
                        if (n > 0)
                                n--;
                } else if (k > 0 && !(k == 1 && s[0] == '.')) {
                        out[n++] = '/';
                        memcpy(out + n, s, k);
                        n += k;
                }
                out[n] = 0;
                s += k;
                while (*s == '/')
                        s++;
        }
        if (n == 0)
                strcpy(out, "/");
        *ret = out;
        return 0;
}

/* --bind/--ro-bind SRC[:DST][:exec]: the paths go to libsbx as they are,
 * byte for byte (spaces, quotes, newlines, any encoding), never through
 * the profile syntax.  Only an unescaped ':' separates; "\:" is a colon
 * and "\\" a backslash inside a path. */
int bind_override(struct sbx_policy *p, const char *arg, bool ro)
{
        size_t n = strlen(arg);
        char *buf = malloc(n + 1), *part[3] = { buf, NULL, NULL };
        size_t np = 1, k = 0;
        if (!buf) {
                fprintf(stderr, "sbx: out of memory\n");
                return SBX_EXIT_SETUP;
        }
        for (size_t i = 0; i < n; i++) {
                if (arg[i] == '\\' && (arg[i + 1] == ':' || arg[i + 1] == '\\')) {
                        buf[k++] = arg[++i];
                } else if (arg[i] == ':') {
                        if (np == 3) {
                                free(buf);
                                return usage_error("run", "--%s: too many ':' in '%s' (write \\: for a colon in a path)",
                                                   ro ? "ro-bind" : "bind", arg);
                        }
                        buf[k++] = 0;
                        part[np++] = buf + k;
                } else {
                        buf[k++] = arg[i];
                }
        }
        buf[k] = 0;
        unsigned flags = ro ? SBX_BIND_RO : 0;
        /* "-/path": optional, as in a profile (a path never starts with '-'). */
        if (part[0][0] == '-' && part[0][1] == '/') {
                flags |= SBX_BIND_OPTIONAL;
                part[0]++;
        }
        if (np >= 2 && strcmp(part[np - 1], "exec") == 0 && !ro) {
                flags |= SBX_BIND_EXEC;
                part[--np] = NULL;
        }
        if (np > 2) {
                free(buf);
                return usage_error("run", "--%s: expected SRC[:DST]%s, not '%s'", ro ? "ro-bind" : "bind",
                                   ro ? "" : "[:exec]", arg);
        }
        struct sbx_error *e = NULL;
        int code = 0;
        char *src = NULL;
        if (part[0][0] != '/' && (code = absolute_path(part[0], &src)) != 0) {
                free(buf);
                return code;
        }
        if (sbx_policy_add_bind_from(p, src ? src : part[0], part[1], flags, "command line", &e) < 0)
                code = report_error(e);
        free(src);
        free(buf);
        return code;
}

/* What the sandbox's limits did, and with --stats what it used. */
static void report_limits(const struct sbx_process *proc, bool stats)
{
        struct sbx_process_stats st = { .size = sizeof(st) };
        if (sbx_process_stats(proc, &st) < 0)
                return;
        if (st.oom_kills)
                fprintf(stderr, "sbx: the sandbox reached its memory limit ([limits] memory): "
                        "%llu process(es) killed\n", (unsigned long long)st.oom_kills);
        if (st.fork_refusals)
                fprintf(stderr, "sbx: the sandbox reached its process limit ([limits] processes): "
                        "%llu fork(s) refused\n", (unsigned long long)st.fork_refusals);
        if (!stats)
                return;
        fprintf(stderr, "sbx: stats: denial reports lost %llu\n", (unsigned long long)st.reports_lost);
        if (st.flags & SBX_STATS_MEMORY)
                fprintf(stderr, "sbx: stats: peak memory %llu KiB (whole sandbox)\n",
                        (unsigned long long)(st.memory_peak >> 10));
        else if (st.flags & SBX_STATS_MEMORY_MAXRSS)
                fprintf(stderr, "sbx: stats: peak memory %llu KiB (largest process's resident set; "
                        "no cgroup measured the sandbox)\n", (unsigned long long)(st.memory_peak >> 10));
        if (st.flags & SBX_STATS_PROCESSES)
                fprintf(stderr, "sbx: stats: peak processes %llu\n", (unsigned long long)st.processes_peak);
        else
                fputs("sbx: stats: peak processes unknown (no pids cgroup)\n", stderr);
}

/* A JSON string: quotes, backslashes and control bytes escaped. */
static void json_str(FILE *f, const char *s)
{
        fputc('"', f);
        for (; *s; s++) {
                unsigned char c = (unsigned char)*s;
                if (c == '"' || c == '\\')
                        fprintf(f, "\\%c", c);
                else if (c < 0x20)
                        fprintf(f, "\\u%04x", c);
                else
                        fputc(c, f);
        }
        fputc('"', f);
}

/* What the sandbox refused, one line per kind, to where sbx's reports go
 * (stderr or --log-file; JSON lines with --log-json); a run without
 * refusals prints nothing. */
static void report_refusals(const struct sbx_process *proc, int status, int fd, bool json)
{
        const struct sbx_refusal *r;
        size_t n;
        char *text = NULL;
        size_t len = 0;
        if (fd < 0 || sbx_process_refusals(proc, &r, &n) < 0)
                return;
        FILE *f = open_memstream(&text, &len);
        if (!f)
                return;
        /* [seccomp] action = kill leaves the kernel's SIGSYS, uncounted. */
        if (WIFSIGNALED(status) && WTERMSIG(status) == SIGSYS)
                fputs(json ? "{\"event\":\"summary\",\"kind\":\"sigsys\"}\n"
                           : "sbx: the program was killed by SIGSYS, which the seccomp filter sends for a "
                             "refused call with [seccomp] action = kill; --log-denials names the call\n",
                      f);
        for (size_t i = 0; i < n; i++) {
                if (json) {
                        fprintf(f, "{\"event\":\"summary\",\"kind\":");
                        json_str(f, r[i].kind);
                        fprintf(f, ",\"count\":%llu,\"example\":", (unsigned long long)r[i].count);
                        json_str(f, r[i].example);
                        fputs(",\"rule\":", f);
                        json_str(f, r[i].rule);
                        fputs(",\"override\":", f);
                        json_str(f, r[i].override);
                        fputs("}\n", f);
                        continue;
                }
                fprintf(f, "sbx: %llu %s, e.g. %s: %s; %s%s\n", (unsigned long long)r[i].count, r[i].title,
                        r[i].example, r[i].rule,
                        !r[i].override[0]                    ? "no command-line override"
                        : strcmp(r[i].kind, "discarded") == 0 ? "to keep them: "
                                                              : "to allow: ",
                        r[i].override);
        }
        if (fclose(f) == 0 && len)
                (void)!write(fd, text, len);
        free(text);
}

/* A sandbox name from its profile and program: "default-sleep". */
static void default_name(const char *profile, const char *program, char *out, size_t n)
{
        const char *p = strrchr(profile, '/'), *g = strrchr(program, '/');
        p = p ? p + 1 : profile;
        g = g ? g + 1 : program;
        size_t pl = strlen(p);
        if (pl > 4 && strcmp(p + pl - 4, ".ini") == 0)
                pl -= 4;
        snprintf(out, n, "%.*s-%s", (int)pl, p, g);
        for (char *c = out; *c; c++)
                if (!(*c >= 'a' && *c <= 'z') && !(*c >= 'A' && *c <= 'Z') && !(*c >= '0' && *c <= '9') &&
                    !strchr("._-", *c))
                        *c = '_';
        if (out[0] == '.' || out[0] == '-')
                out[0] = '_';
        out[REGISTRY_NAME_MAX - 4] = 0; /* room for "-99" */
}

/* Open the registry and claim the name (registry_add is atomic, so two
 * launches never get the same one): an explicit one must be free; a
 * default one gets -2, -3... until one is.  Without a registry directory,
 * an explicit name is an error and a default one is dropped. */
static int pick_name(const char *name, const char *profile, const char *program, int *ret_dir,
                     struct reg_entry *e, bool verbose)
{
        const char *why = NULL;
        int dir = -1;
        int r = registry_open(&dir, NULL, 0, &why);
        if (r >= 0 && (r = proc_start_time(getpid(), &e->start, NULL)) < 0)
                why = "reading this process's start time";
        if (r < 0) {
                if (dir >= 0)
                        close(dir);
                if (name) {
                        fprintf(stderr, "sbx run: --name: %s: %s\n", why, strerror(-r));
                        return SBX_EXIT_SETUP;
                }
                /* No registry here (no runtime directory, no home): the
                 * sandbox runs unnamed, as it would have before names. */
                (void)verbose;
                return 0;
        }
        e->pid = getpid();
        e->init = 0;
        e->started = (int64_t)time(NULL);
        snprintf(e->profile, sizeof(e->profile), "%s", profile);
        snprintf(e->program, sizeof(e->program), "%s", program);
        char base[REGISTRY_NAME_MAX + 1];
        if (name)
                snprintf(base, sizeof(base), "%s", name);
        else
                default_name(profile, program, base, sizeof(base));
        snprintf(e->name, sizeof(e->name), "%s", base);
        for (int i = 2; (r = registry_add(dir, e)) == -EEXIST && !name && i < 100; i++)
                snprintf(e->name, sizeof(e->name), "%.60s-%d", base, i);
        if (r < 0) {
                close(dir);
                e->pid = 0;
                if (r == -EEXIST && name) {
                        fprintf(stderr, "sbx run: --name: a running sandbox is already called '%s' (sbx ps)\n",
                                name);
                        return SBX_EXIT_USAGE;
                }
                if (name) {
                        fprintf(stderr, "sbx run: registering '%s': %s\n", e->name, strerror(-r));
                        return SBX_EXIT_SETUP;
                }
                /* A default name is a convenience: without one (99 of
                 * that name run already, or the registry failed) the
                 * sandbox still starts, only without a name. */
                return 0;
        }
        *ret_dir = dir;
        return 0;
}

/* The entry once the sandbox runs: init and its start time, the door's fd
 * and inode (what sbx stop and enter check). */
static int register_sandbox(int dir, struct reg_entry *e, const struct sbx_process *proc)
{
        struct stat st;
        e->init = sbx_process_pid(proc);
        e->door_fd = sbx_process_enter_fd(proc);
        int r = proc_start_time(e->init, &e->init_start, NULL);
        if (r >= 0 && e->door_fd >= 0)
                r = fstat(e->door_fd, &st) < 0 ? -errno : 0;
        if (r >= 0) {
                e->door_ino = (uint64_t)st.st_ino;
                r = registry_update(dir, e);
        }
        if (r < 0) {
                fprintf(stderr, "sbx: warning: the sandbox has no name: registering '%s': %s\n", e->name,
                        strerror(-r));
                return SBX_EXIT_SETUP;
        }
        return 0;
}

int apply_override(struct sbx_policy *p, const char *cmd, enum override kind, const char *a)
{
        switch (kind) {
        case OVR_BIND:
        case OVR_RO_BIND:
                return bind_override(p, a, kind == OVR_RO_BIND);
        case OVR_NET:
                return set_override(p, "network", "mode", a);
        case OVR_ENV:
                return set_override(p, "environment", strchr(a, '=') ? "set" : "keep", a);
        case OVR_SET:
                break;
        }
        const char *dot = strchr(a, '.'), *eq = strchr(a, '=');
        char section[64], key[64];
        if (!dot || !eq || dot > eq)
                return usage_error(cmd, "--set wants SECTION.KEY=VALUE, not '%s'", a);
        if ((size_t)(dot - a) >= sizeof(section) || (size_t)(eq - dot - 1) >= sizeof(key))
                return usage_error(cmd, "--set: name too long");
        snprintf(section, sizeof(section), "%.*s", (int)(dot - a), a);
        snprintf(key, sizeof(key), "%.*s", (int)(eq - dot - 1), dot + 1);
        return set_override(p, section, key, eq + 1);
}

int cmd_run(int argc, char **argv)
{
        enum { OPT_BIND = 256, OPT_RO_BIND, OPT_NET, OPT_ENV, OPT_CWD, OPT_FD, OPT_DRY_RUN,
               OPT_LOG, OPT_LOG_JSON, OPT_SET, OPT_KEEP_SESSION, OPT_STATS, OPT_LOG_FILE,
               OPT_NAME };
        static const struct option opts[] = {
                { "profile", required_argument, NULL, 'p' },
                { "bind", required_argument, NULL, OPT_BIND },
                { "ro-bind", required_argument, NULL, OPT_RO_BIND },
                { "net", required_argument, NULL, OPT_NET },
                { "env", required_argument, NULL, OPT_ENV },
                { "cwd", required_argument, NULL, OPT_CWD },
                { "fd", required_argument, NULL, OPT_FD },
                { "set", required_argument, NULL, OPT_SET },
                { "dry-run", no_argument, NULL, OPT_DRY_RUN },
                { "stats", no_argument, NULL, OPT_STATS },
                { "log-denials", no_argument, NULL, OPT_LOG },
                { "log-json", no_argument, NULL, OPT_LOG_JSON },
                { "log-file", required_argument, NULL, OPT_LOG_FILE },
                { "name", required_argument, NULL, OPT_NAME },
                { "keep-session", no_argument, NULL, OPT_KEEP_SESSION },
                { "verbose", no_argument, NULL, 'v' },
                { "help", no_argument, NULL, 'h' },
                {},
        };
        /* Overrides apply after the profile; collect them first. */
        struct { int opt; const char *arg; } ov[256];
        size_t nov = 0;
        const char *profile = "default";
        int fds[64];
        size_t nfds = 0;
        bool dry_run = false, stats = false;
        unsigned flags = 0;
        const char *cwd = NULL, *log_file = NULL, *name = NULL;
        int c, log_fd = 2, reg_dir = -1;
        struct reg_entry entry = { .door_fd = -1 };

        optind = 1;
        while ((c = getopt_long(argc, argv, "+p:hv", opts, NULL)) != -1) {
                switch (c) {
                case 'p':
                        profile = optarg;
                        break;
                case 'h':
                        fputs(cmd_run_usage, stdout);
                        return 0;
                case 'v':
                        flags |= SBX_SPAWN_VERBOSE;
                        break;
                case OPT_FD: {
                        char *end;
                        errno = 0;
                        long fd = strtol(optarg, &end, 10);
                        if (errno || *end || fd < 0 || fd > INT_MAX || nfds >= 64)
                                return usage_error("run", "--fd: bad file descriptor '%s'", optarg);
                        /* Checked before sbx opens anything: a number that
                         * is not open would be taken by one of sbx's own
                         * channels and handed to the program. */
                        if (fd < 3)
                                return usage_error("run", "--fd %ld: stdin, stdout and stderr are always passed",
                                                   fd);
                        if (fcntl((int)fd, F_GETFD) < 0)
                                return usage_error("run", "--fd %ld: not open", fd);
                        fds[nfds++] = (int)fd;
                        break;
                }
                case OPT_CWD:
                        cwd = optarg;
                        if (cwd[0] != '/')
                                return usage_error("run", "--cwd: path must be absolute");
                        break;
                case OPT_DRY_RUN:
                        dry_run = true;
                        break;
                case OPT_STATS:
                        stats = true;
                        break;
                case OPT_LOG:
                        flags |= SBX_SPAWN_LOG_DENIALS;
                        break;
                case OPT_LOG_JSON:
                        flags |= SBX_SPAWN_LOG_DENIALS | SBX_SPAWN_LOG_JSON;
                        break;
                case OPT_LOG_FILE:
                        log_file = optarg;
                        break;
                case OPT_NAME:
                        if (!registry_name_valid(optarg))
                                return usage_error("run", "--name: '%s' is not a name (letters, digits, "
                                                   "'.', '_', '-'; at most %d; not starting with '.' or '-')",
                                                   optarg, REGISTRY_NAME_MAX);
                        name = optarg;
                        break;
                case OPT_KEEP_SESSION:
                        flags |= SBX_SPAWN_NO_NEW_SESSION;
                        break;
                case OPT_BIND:
                case OPT_RO_BIND:
                case OPT_NET:
                case OPT_ENV:
                case OPT_SET:
                        if (nov >= 256)
                                return usage_error("run", "too many overrides");
                        ov[nov].opt = c;
                        ov[nov++].arg = optarg;
                        break;
                default:
                        return usage_error("run", "bad option");
                }
        }
        if (optind >= argc)
                return usage_error("run", "no program given");

        struct sbx_policy *p = NULL;
        struct sbx_error *e = NULL;
        if (sbx_policy_new(&p) < 0) {
                fprintf(stderr, "sbx: out of memory\n");
                return SBX_EXIT_SETUP;
        }
        int code = 0;
        if (sbx_policy_load(p, profile, &e) < 0) {
                code = report_error(e);
                goto out;
        }
        for (size_t i = 0; i < nov && code == 0; i++)
                code = apply_override(p, "run", ov[i].opt == OPT_BIND      ? OVR_BIND
                                                : ov[i].opt == OPT_RO_BIND ? OVR_RO_BIND
                                                : ov[i].opt == OPT_NET     ? OVR_NET
                                                : ov[i].opt == OPT_ENV     ? OVR_ENV
                                                                           : OVR_SET,
                                      ov[i].arg);
        if (code)
                goto out;

        /* Opened here, close-on-exec, and never among the fds passed: the
         * program cannot write, truncate or read sbx's log.  (The --fd
         * numbers were open before, so this cannot take one of them.) */
        if (log_file && !dry_run) {
                /* Never through a symlink or a hard link a sandbox could have
                 * left (sbx_log_open says which). */
                if (sbx_log_open(log_file, &log_fd, &e) < 0) {
                        log_fd = -1;
                        fprintf(stderr, "sbx run: --log-file: %s\n", sbx_error_message(e));
                        sbx_error_free(e);
                        code = SBX_EXIT_USAGE;
                        goto out;
                }
                /* It took the place of a closed 0-2, which the program
                 * would get as its stdio. */
                if (log_fd < 3) {
                        close(log_fd);
                        log_fd = -1;
                        fprintf(stderr, "sbx run: --log-file: standard input, output or error is closed\n");
                        code = SBX_EXIT_USAGE;
                        goto out;
                }
        }

        struct sbx_spawn_options o = {
                .size = sizeof(o),
                .file = argv[optind],
                .argv = (const char *const *)argv + optind,
                .stdin_fd = 0, .stdout_fd = 1, .stderr_fd = 2,
                .keep_fds = fds, .n_keep_fds = nfds,
                .cwd = cwd, .flags = flags, .log_fd = log_fd,
        };
        if (dry_run) {
                char *text = NULL;
                if (sbx_plan_format(p, &o, &text, &e) < 0) {
                        code = report_error(e);
                        goto out;
                }
                fputs(text, stdout);
                free(text);
                goto out;
        }

        /* The registry entry: reserved before the launch (a name in use
         * is refused before anything starts), written once the sandbox
         * runs. */
        if ((code = pick_name(name, profile, argv[optind], &reg_dir, &entry, flags & SBX_SPAWN_VERBOSE)))
                goto out;
        if (reg_dir >= 0)
                o.flags |= SBX_SPAWN_ENTERABLE;

        static const int sigs[] = { SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGUSR1, SIGUSR2, SIGWINCH,
                                    SIGCONT, SIGALRM };
        sigset_t block, old;
        sigemptyset(&block);
        for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
                sigaddset(&block, sigs[i]);
        /* Hold signals while starting so none is lost between spawn and
         * the handler knowing the pid. */
        sigprocmask(SIG_BLOCK, &block, &old);
        same_session = (flags & SBX_SPAWN_NO_NEW_SESSION) != 0;
        if (sbx_spawn(p, &o, &sandbox, &e) < 0) {
                sigprocmask(SIG_SETMASK, &old, NULL);
                code = report_error(e);
                goto out;
        }
        sandbox_pid = sbx_process_pid(sandbox);
        if (reg_dir >= 0 && register_sandbox(reg_dir, &entry, sandbox) != 0) {
                /* The sandbox runs all the same, without a name. */
                registry_remove(reg_dir, entry.name, entry.pid, entry.start);
                entry.pid = 0;
        }
        struct sigaction sa = { .sa_handler = forward, .sa_flags = SA_RESTART };
        sigemptyset(&sa.sa_mask);
        for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
                sigaction(sigs[i], &sa, NULL);
        sigprocmask(SIG_SETMASK, &old, NULL);

        int status = 0;
        int r = sbx_process_wait(sandbox, &status);
        if (r < 0) {
                fprintf(stderr, "sbx: waiting for the sandbox: %s\n", strerror(-r));
                code = SBX_EXIT_SETUP;
        } else {
                code = sbx_exit_code(status);
                report_refusals(sandbox, status, log_fd, flags & SBX_SPAWN_LOG_JSON);
                report_limits(sandbox, stats);
        }
        sbx_process_free(sandbox);
        if (reg_dir >= 0 && entry.pid > 0)
                registry_remove(reg_dir, entry.name, entry.pid, entry.start);
out:
        if (reg_dir >= 0)
                close(reg_dir);
        sbx_policy_free(p);
        if (log_fd > 2)
                close(log_fd);
        return code;
}
