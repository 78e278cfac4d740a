/* cmd_learn.c — `sbx learn`: run a program once in libsbx's recording
 * sandbox, have libsbx turn the records into a profile, write it, run the
 * program again under it and say whether that run matched, then print
 * `sbx analyze` of it.  The recording, the profile and the comparison of
 * views are the library's (sbx_learn_*); this file runs, reads and
 * prints. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "commands.h"

const char cmd_learn_usage[] =
        "Usage: sbx learn [--profile BASE] [-o FILE] [--no-rerun] [--] PROGRAM [ARGS...]\n"
        "\n"
        "Run PROGRAM once in a recording sandbox and write a profile that lets the\n"
        "same run succeed and allows no more than it used beyond BASE (default:\n"
        "\"default\"); then run PROGRAM again under that profile, report whether the\n"
        "run matched (exit status and files written) and print `sbx analyze` of it.\n"
        "\n"
        "The recording sandbox is still a sandbox: it sees the host's directories\n"
        "through throw-away overlays (nothing it writes is kept), never sbx's own\n"
        "state or the persistence points, and the always-denied syscalls stay\n"
        "denied.  What it uses beyond BASE is recorded and let through.  The\n"
        "learned profile includes BASE; each line says why it is there.  See\n"
        "docs/learn.md for how it works and its limits.\n"
        "\n"
        "Options:\n"
        "  -p, --profile BASE   the profile to start from and include\n"
        "  -o, --output FILE    write the profile to FILE (refused where a sandbox of\n"
        "                       it could change it); default: standard output\n"
        "  --no-rerun           write the profile only\n"
        "  -h, --help           this text\n"
        "\n"
        "Exit status: 0 the rerun matched; 1 it did not (the profile is written);\n"
        "2 bad usage or profile; 125 a sandbox could not be set up.\n";

static pid_t running = -1;

static void forward(int sig)
{
        int saved = errno;
        if (running > 0)
                kill(running, sig);
        errno = saved;
}

static const int forwarded[] = { SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGUSR1, SIGUSR2, SIGWINCH, SIGCONT, SIGALRM };

/* Run one sandbox to its end; its exit code, or -1 with *code set. */
static int run_once(const struct sbx_policy *p, const struct sbx_spawn_options *o, uint64_t *lost, int *code)
{
        struct sbx_process *proc = NULL;
        struct sbx_error *e = NULL;
        sigset_t block, old;
        sigemptyset(&block);
        for (size_t i = 0; i < sizeof(forwarded) / sizeof(forwarded[0]); i++)
                sigaddset(&block, forwarded[i]);
        sigprocmask(SIG_BLOCK, &block, &old);
        if (sbx_spawn(p, o, &proc, &e) < 0) {
                sigprocmask(SIG_SETMASK, &old, NULL);
                *code = report_error(e);
                return -1;
        }
        running = sbx_process_pid(proc);
        struct sigaction sa = { .sa_handler = forward, .sa_flags = SA_RESTART };
        sigemptyset(&sa.sa_mask);
        for (size_t i = 0; i < sizeof(forwarded) / sizeof(forwarded[0]); i++)
                sigaction(forwarded[i], &sa, NULL);
        sigprocmask(SIG_SETMASK, &old, NULL);
        int status = 0;
        int r = sbx_process_wait(proc, &status);
        running = -1;
        struct sbx_process_stats st = { .size = sizeof(st) };
        *lost = sbx_process_stats(proc, &st) == 0 ? st.reports_lost : 0;
        sbx_process_free(proc);
        if (r < 0) {
                fprintf(stderr, "sbx learn: waiting for the sandbox: %s\n", strerror(-r));
                *code = SBX_EXIT_SETUP;
                return -1;
        }
        return sbx_exit_code(status);
}

/* Feed the recording's lines to the learner; other lines (warnings) go
 * on to stderr. */
static int read_records(int fd, struct sbx_learn *l)
{
        if (lseek(fd, 0, SEEK_SET) < 0)
                return -errno;
        FILE *f = fdopen(dup(fd), "r");
        if (!f)
                return -errno;
        char *line = NULL;
        size_t cap = 0;
        int r = 0;
        while (getline(&line, &cap, f) > 0) {
                int k = sbx_learn_record(l, line);
                if (k < 0) {
                        r = k;
                        break;
                }
                if (k == 0)
                        fputs(line, stderr);
        }
        free(line);
        fclose(f);
        return r;
}

/* The file as sbx_output_open() accepts it: not a link or another user's
 * file a sandbox prepared under that name. */
static int write_profile(const char *path, const char *text, struct sbx_error **err)
{
        int fd, r = sbx_output_open(path, &fd, err);
        if (r < 0)
                return r;
        size_t n = strlen(text), off = 0;
        while (off < n) {
                ssize_t k = write(fd, text + off, n - off);
                if (k < 0 && errno == EINTR)
                        continue;
                if (k < 0) {
                        int e = errno;
                        close(fd);
                        return -e;
                }
                off += (size_t)k;
        }
        return close(fd) < 0 ? -errno : 0;
}

int cmd_learn(int argc, char **argv)
{
        enum { OPT_NO_RERUN = 256 };
        static const struct option opts[] = {
                { "profile", required_argument, NULL, 'p' },
                { "output", required_argument, NULL, 'o' },
                { "no-rerun", no_argument, NULL, OPT_NO_RERUN },
                { "help", no_argument, NULL, 'h' },
                {},
        };
        const char *base = "default", *out = NULL;
        bool rerun = true;
        int c;
        optind = 1;
        while ((c = getopt_long(argc, argv, "+p:o:h", opts, NULL)) != -1) {
                switch (c) {
                case 'p':
                        base = optarg;
                        break;
                case 'o':
                        out = optarg;
                        break;
                case OPT_NO_RERUN:
                        rerun = false;
                        break;
                case 'h':
                        fputs(cmd_learn_usage, stdout);
                        return SBX_EXIT_OK;
                default:
                        return usage_error("learn", "bad option");
                }
        }
        if (optind >= argc)
                return usage_error("learn", "no program given");

        struct sbx_policy *p = NULL, *q = NULL;
        struct sbx_learn *l = NULL;
        struct sbx_error *e = NULL;
        char *text = NULL;
        int code = SBX_EXIT_SETUP, rec = -1;
        if (sbx_policy_new(&p) < 0 || sbx_policy_new(&q) < 0) {
                fprintf(stderr, "sbx learn: out of memory\n");
                goto done;
        }
        if (sbx_policy_load(p, base, &e) < 0) {
                code = report_error(e);
                goto done;
        }
        /* The records never pass through a file a sandbox could reach:
         * an anonymous file of this process only. */
        rec = memfd_create("sbx-learn", MFD_CLOEXEC);
        if (rec < 0) {
                fprintf(stderr, "sbx learn: memfd_create: %s\n", strerror(errno));
                goto done;
        }
        struct sbx_spawn_options o = {
                .size = sizeof(o),
                .file = argv[optind],
                .argv = (const char *const *)argv + optind,
                .stdin_fd = 0, .stdout_fd = 1, .stderr_fd = 2,
                .flags = SBX_SPAWN_LEARN, .log_fd = rec,
        };
        if (sbx_learn_new(p, base, &o, &l, &e) < 0) {
                code = e ? report_error(e) : SBX_EXIT_SETUP;
                goto done;
        }
        if (out && sbx_learn_check_output(l, out) == -EPERM) {
                code = usage_error("learn", "-o %s: a sandbox of the base profile could change a profile "
                                            "there; write it elsewhere (e.g. ~/.config/sbx/profiles)", out);
                goto done;
        }

        fprintf(stderr, "sbx learn: recording %s (base profile %s)\n", argv[optind], base);
        uint64_t lost = 0;
        int first = run_once(p, &o, &lost, &code);
        if (first < 0)
                goto done;
        int r = read_records(rec, l);
        if (r < 0) {
                fprintf(stderr, "sbx learn: reading the records: %s\n", strerror(-r));
                goto done;
        }
        if (lost) {
                fprintf(stderr, "sbx learn: %llu record(s) were lost; no profile is written from an incomplete "
                        "recording\n", (unsigned long long)lost);
                goto done;
        }
        if (sbx_learn_profile(l, &text, &e) < 0) {
                code = e ? report_error(e) : SBX_EXIT_SETUP;
                goto done;
        }
        for (const char *const *n = sbx_learn_notes(l); *n; n++)
                fprintf(stderr, "sbx learn: %s\n", *n);
        if (first != 0)
                fprintf(stderr, "sbx learn: note: the recording run itself exited %d; the profile holds what that "
                        "run did, which may not be what a successful run needs\n", first);
        /* Checked again now that the learned binds are known. */
        if (out && sbx_learn_check_output(l, out) == -EPERM) {
                code = usage_error("learn", "-o %s: a sandbox of the learned profile could change a profile "
                                            "there; write it elsewhere (e.g. ~/.config/sbx/profiles)", out);
                goto done;
        }
        if (out) {
                struct sbx_error *werr = NULL;
                if ((r = write_profile(out, text, &werr)) < 0) {
                        if (werr) {
                                fprintf(stderr, "sbx learn: -o %s\n", sbx_error_message(werr));
                                sbx_error_free(werr);
                        } else
                                fprintf(stderr, "sbx learn: -o %s: %s\n", out, strerror(-r));
                        goto done;
                }
                fprintf(stderr, "sbx learn: wrote %s (recording run exited %d)\n", out, first);
        } else {
                fputs(text, stdout);
                fflush(stdout);
        }
        /* The rerun uses the text in memory: the file may already have
         * been changed by anyone who can write where it lies. */
        if (sbx_policy_load_string(q, text, out ? out : "learned profile", &e) < 0) {
                fprintf(stderr, "sbx learn: the learned profile does not load (a bug; please report it):\n");
                code = report_error(e);
                goto done;
        }
        code = SBX_EXIT_OK;
        if (rerun) {
                fprintf(stderr, "sbx learn: running %s again under the learned profile\n", argv[optind]);
                o.flags = 0;
                o.log_fd = 2;
                struct timespec t0;
                clock_gettime(CLOCK_REALTIME, &t0);
                int second = run_once(q, &o, &lost, &code);
                if (second < 0)
                        goto done;
                size_t nw = 0, ok = 0;
                for (const char *const *w = sbx_learn_written(l); *w; w++) {
                        struct stat st;
                        nw++;
                        if (stat(*w, &st) == 0 && (st.st_mtim.tv_sec > t0.tv_sec ||
                                                   (st.st_mtim.tv_sec == t0.tv_sec && st.st_mtim.tv_nsec >= t0.tv_nsec)))
                                ok++;
                        else
                                fprintf(stderr, "sbx learn: the rerun did not write %s\n", *w);
                }
                bool match = second == first && ok == nw;
                fprintf(stderr, "sbx learn: rerun %s: exit status %d (recording: %d), files written %zu of %zu\n",
                        match ? "matched" : "did NOT match", second, first, ok, nw);
                code = match ? SBX_EXIT_OK : 1;
        }
        char *analysis = NULL;
        int score = 0;
        if (sbx_analyze(q, SBX_FORMAT_TEXT, &analysis, &score, &e) < 0) {
                code = e ? report_error(e) : SBX_EXIT_SETUP;
                goto done;
        }
        fprintf(stderr, "sbx learn: sbx analyze of the learned profile:\n%s", analysis);
        free(analysis);
done:
        free(text);
        sbx_learn_free(l);
        sbx_policy_free(p);
        sbx_policy_free(q);
        if (rec >= 0)
                close(rec);
        return code;
}
