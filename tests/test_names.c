/* test_names.c — named sandboxes: `sbx run --name`, `sbx ps`, `sbx stop`,
 * `sbx enter`, and the registry's checks against the live processes, as
 * root and as uid 65534. */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"

static const int whos[] = { AS_ROOT, AS_USER };
#define FOR_EACH_USER for (size_t wi = 0; wi < 2; wi++)
#define WHO whos[wi]
#define WHO_NAME(w) ((w) == AS_ROOT ? "root" : "user")
#define ARGS(...) ((const char *const[]){ __VA_ARGS__, NULL })

static char *tmp;

/* A private registry for `who`: XDG_RUNTIME_DIR, owned by it, 0700. */
static void use_registry(int who)
{
        char path[4096];
        snprintf(path, sizeof(path), "%s/run-%d", tmp, who);
        mkdir(path, 0700);
        cr_assert_eq(chown(path, who == AS_USER ? 65534 : 0, who == AS_USER ? 65534 : 0), 0);
        setenv("XDG_RUNTIME_DIR", path, 1);
}

static void setup(void)
{
        tmp = make_tmpdir();
        cr_assert(tmp);
}

static void teardown(void)
{
        char cmd[4200];
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
        (void)!system(cmd);
        free(tmp);
}

/* Start argv in the background as `who` (stdio to /dev/null); returns its pid. */
static pid_t start_bg(int who, const char *const *argv)
{
        pid_t pid = fork();
        cr_assert(pid >= 0);
        if (pid == 0) {
                int null = open("/dev/null", O_RDWR);
                dup2(null, 0);
                dup2(null, 1);
                dup2(null, 2);
                setpgid(0, 0);
                const char *args[64];
                size_t k = 0;
                if (who == AS_USER) {
                        args[k++] = "setpriv";
                        args[k++] = "--reuid=65534";
                        args[k++] = "--regid=65534";
                        args[k++] = "--clear-groups";
                        args[k++] = "--";
                }
                for (size_t i = 0; argv[i]; i++)
                        args[k++] = argv[i];
                args[k] = NULL;
                execvp(args[0], (char *const *)args);
                _exit(127);
        }
        return pid;
}

/* `sbx run --name NAME [extra…] -- sh -c SCRIPT` in the background, and
 * wait until `sbx ps` shows it. */
static pid_t start_named(int who, const char *name, const char *const *extra, const char *script)
{
        const char *argv[32];
        size_t n = 0;
        argv[n++] = sbx_bin();
        argv[n++] = "run";
        argv[n++] = "--name";
        argv[n++] = name;
        for (size_t i = 0; extra && extra[i]; i++)
                argv[n++] = extra[i];
        argv[n++] = "--";
        argv[n++] = "/bin/sh";
        argv[n++] = "-c";
        argv[n++] = script;
        argv[n] = NULL;
        pid_t pid = start_bg(who, argv);
        for (int i = 0; i < 200; i++) {
                struct run_result r;
                cr_assert_eq(run_sbx(who, &r, "ps", NULL), 0);
                bool up = false;
                for (char *l = strtok(r.out, "\n"); l; l = strtok(NULL, "\n"))
                        if (strncmp(l, name, strlen(name)) == 0 && l[strlen(name)] == ' ')
                                up = true;
                run_result_free(&r);
                if (up)
                        return pid;
                int st;
                cr_assert_eq(waitpid(pid, &st, WNOHANG), 0, "[%s] sbx run --name %s ended early", WHO_NAME(who),
                             name);
                usleep(50000);
        }
        cr_assert_fail("sandbox %s never showed in sbx ps", name);
        return -1;
}

static int wait_exit(pid_t pid, int timeout_s)
{
        for (int i = 0; i < timeout_s * 20; i++) {
                int st;
                pid_t w = waitpid(pid, &st, WNOHANG);
                if (w == pid)
                        return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
                usleep(50000);
        }
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
        return -1;
}

static void stop_bg(int who, const char *name, pid_t pid)
{
        struct run_result r;
        cr_assert_eq(run_sbx(who, &r, "stop", "--timeout", "2", name, NULL), 0);
        run_result_free(&r);
        wait_exit(pid, 15);
}

/* The fields of name's line in `sbx ps`: NAME PID INIT PROFILE PROGRAM UPTIME MEM PROCS */
struct ps_line {
        char name[80], profile[80], program[256], up[32], mem[32];
        int pid, init;
        unsigned procs;
        bool found;
};

static struct ps_line ps_of(int who, const char *name)
{
        struct ps_line p = { 0 };
        struct run_result r;
        cr_assert_eq(run_sbx(who, &r, "ps", NULL), 0);
        cr_assert_eq(r.status, 0, "sbx ps: %s", r.err);
        for (char *l = strtok(r.out, "\n"); l; l = strtok(NULL, "\n")) {
                struct ps_line q = { 0 };
                if (sscanf(l, "%79s %d %d %79s %255s %31s %31s %u", q.name, &q.pid, &q.init, q.profile,
                           q.program, q.up, q.mem, &q.procs) == 8 &&
                    strcmp(q.name, name) == 0) {
                        p = q;
                        p.found = true;
                }
        }
        run_result_free(&r);
        return p;
}

static pid_t ppid_of(pid_t pid)
{
        char path[64], buf[1024];
        snprintf(path, sizeof(path), "/proc/%d/stat", pid);
        FILE *f = fopen(path, "r");
        if (!f)
                return -1;
        size_t n = fread(buf, 1, sizeof(buf) - 1, f);
        fclose(f);
        buf[n] = 0;
        char *s = strrchr(buf, ')');
        int ppid = -1;
        if (s)
                sscanf(s + 2, "%*c %d", &ppid);
        return ppid;
}

TestSuite(names, .init = setup, .fini = teardown, .timeout = 180);

Test(names, two_named_sandboxes_listed)
{
        FOR_EACH_USER {
                use_registry(WHO);
                pid_t a = start_named(WHO, "alpha", ARGS("--profile", "default"), "exec sleep 300");
                pid_t b = start_named(WHO, "beta-2", ARGS("--profile", "shell"), "sleep 300 & sleep 301; wait");
                struct ps_line pa = ps_of(WHO, "alpha"), pb = ps_of(WHO, "beta-2");
                cr_assert(pa.found && pb.found, "[%s] both listed", WHO_NAME(WHO));
                cr_assert_eq(pa.pid, a, "[%s] PID is sbx run's (%d, not %d)", WHO_NAME(WHO), a, pa.pid);
                cr_assert_eq(pb.pid, b);
                cr_assert_str_eq(pa.profile, "default");
                cr_assert_str_eq(pb.profile, "shell");
                cr_assert_str_eq(pa.program, "/bin/sh");
                cr_assert_eq(ppid_of(pa.init), a, "[%s] INIT %d is sbx run's child", WHO_NAME(WHO), pa.init);
                cr_assert_eq(ppid_of(pb.init), b);
                /* init, the program (sleep after exec) and the door; beta
                 * has sh and two sleeps. */
                cr_assert_geq(pa.procs, 3, "[%s] alpha PROCS %u", WHO_NAME(WHO), pa.procs);
                cr_assert_geq(pb.procs, pa.procs + 2, "[%s] beta PROCS %u", WHO_NAME(WHO), pb.procs);
                cr_assert_neq(strcmp(pa.mem, "0K"), 0);
                stop_bg(WHO, "alpha", a);
                stop_bg(WHO, "beta-2", b);
                cr_assert(!ps_of(WHO, "alpha").found && !ps_of(WHO, "beta-2").found, "[%s] gone after stop",
                          WHO_NAME(WHO));
        }
}

Test(names, name_in_use_refused_and_default_name_given)
{
        FOR_EACH_USER {
                use_registry(WHO);
                pid_t a = start_named(WHO, "same", NULL, "exec sleep 300");
                struct run_result r;
                cr_assert_eq(run_sbx(WHO, &r, "run", "--name", "same", "--", "/bin/true", NULL), 0);
                cr_assert_neq(r.status, 0, "[%s] a second 'same' started", WHO_NAME(WHO));
                cr_assert(strstr(r.err, "same"), "%s", r.err);
                run_result_free(&r);
                cr_assert_eq(run_sbx(WHO, &r, "run", "--name", "../x", "--", "/bin/true", NULL), 0);
                cr_assert_eq(r.status, 2, "[%s] bad name: %s", WHO_NAME(WHO), r.err);
                run_result_free(&r);
                stop_bg(WHO, "same", a);
                /* No --name: profile and program. */
                const char *argv[] = { sbx_bin(), "run", "--", "/bin/sleep", "300", NULL };
                pid_t d = start_bg(WHO, argv);
                bool seen = false;
                for (int i = 0; i < 200 && !seen; i++, usleep(50000))
                        seen = ps_of(WHO, "default-sleep").found;
                cr_assert(seen, "[%s] default name default-sleep", WHO_NAME(WHO));
                /* Two more at once: each claims its own name. */
                pid_t d2 = start_bg(WHO, argv), d3 = start_bg(WHO, argv);
                seen = false;
                for (int i = 0; i < 200 && !seen; i++, usleep(50000))
                        seen = ps_of(WHO, "default-sleep-2").found && ps_of(WHO, "default-sleep-3").found;
                cr_assert(seen, "[%s] default-sleep-2 and -3", WHO_NAME(WHO));
                stop_bg(WHO, "default-sleep", d);
                stop_bg(WHO, "default-sleep-2", d2);
                stop_bg(WHO, "default-sleep-3", d3);
        }
}

/* What the sandbox's program saw of itself (written to its private /tmp)
 * and what an entered command sees of itself must be the same; bare, the
 * test's own values differ. */
#define SELF_REPORT "{ " \
        "grep -E '^(NoNewPrivs|Seccomp|Seccomp_filters|CapInh|CapPrm|CapEff|CapBnd|CapAmb|Uid|Gid):' " \
        "/proc/self/status; readlink /proc/self/ns/mnt /proc/self/ns/pid /proc/self/ns/user "         \
        "/proc/self/ns/net /proc/self/ns/ipc /proc/self/ns/uts /proc/self/ns/cgroup /proc/self/root; " \
        "cat /proc/self/mountinfo | cut -d' ' -f1-5 | sort; env | sort; }"

Test(names, enter_gets_exactly_the_programs_confinement)
{
        char ro[4200], secret[4200];
        snprintf(ro, sizeof(ro), "%s/ro", tmp);
        snprintf(secret, sizeof(secret), "%s/secret", tmp);
        mkdir(ro, 0777);
        chmod(ro, 0777);
        cr_assert_eq(write_file(secret, "s3cret\n", 0644), 0);
        char *word = profile_word(ro);
        char set[4300];
        snprintf(set, sizeof(set), "landlock.read-only=%s", word);
        free(word);
        FOR_EACH_USER {
                use_registry(WHO);
                pid_t a = start_named(WHO, "conf", ARGS("--bind", ro, "--set", set),
                                      SELF_REPORT " > \"$HOME/program-self\"; touch \"$HOME/ready\"; exec sleep 300");
                struct run_result prog, ent, r;
                for (int i = 0; i < 100; i++, usleep(50000)) {
                        cr_assert_eq(run_sbx(WHO, &r, "enter", "conf", "--", "/bin/sh", "-c",
                                             "test -e \"$HOME/ready\"", NULL), 0);
                        int st = r.status;
                        run_result_free(&r);
                        if (st == 0)
                                break;
                }
                cr_assert_eq(run_sbx(WHO, &prog, "enter", "conf", "--", "/bin/sh", "-c", "cat \"$HOME/program-self\"", NULL), 0);
                cr_assert_eq(prog.status, 0, "[%s] %s", WHO_NAME(WHO), prog.err);
                cr_assert_eq(run_sbx(WHO, &ent, "enter", "conf", "--", "/bin/sh", "-c", SELF_REPORT, NULL), 0);
                cr_assert_eq(ent.status, 0, "[%s] %s", WHO_NAME(WHO), ent.err);
                cr_assert(strstr(prog.out, "NoNewPrivs:\t1") && strstr(prog.out, "Seccomp:\t2") &&
                          strstr(prog.out, "CapEff:\t0000000000000000"),
                          "[%s] the program is confined: %s", WHO_NAME(WHO), prog.out);
                cr_assert_str_eq(ent.out, prog.out, "[%s] entered:\n%s\nprogram:\n%s", WHO_NAME(WHO), ent.out,
                                 prog.out);
                /* Bare, the same report differs (this test is not confined). */
                cr_assert_eq(run_cmd(WHO, NULL, 30, &r, ARGS("/bin/sh", "-c", SELF_REPORT)), 0);
                cr_assert_str_neq(r.out, prog.out);
                run_result_free(&r);

                /* A path outside the view: unreachable entered, readable bare. */
                cr_assert_eq(run_sbx(WHO, &r, "enter", "conf", "--", "cat", secret, NULL), 0);
                cr_assert_neq(r.status, 0, "[%s] ESCAPE: read %s", WHO_NAME(WHO), secret);
                run_result_free(&r);
                cr_assert_eq(run_cmd(WHO, NULL, 30, &r, ARGS("cat", secret)), 0);
                cr_assert_eq(r.status, 0, "[%s] bare cat cannot fail: %s", WHO_NAME(WHO), r.err);
                run_result_free(&r);
                /* Landlock alone: the bind is writable, Landlock read-only. */
                char file[4300];
                snprintf(file, sizeof(file), "%s/x-%s", ro, WHO_NAME(WHO));
                char script[4400];
                snprintf(script, sizeof(script), "echo x > '%s'", file);
                cr_assert_eq(run_sbx(WHO, &r, "enter", "conf", "--", "/bin/sh", "-c", script, NULL), 0);
                cr_assert_neq(r.status, 0, "[%s] ESCAPE: wrote into a Landlock read-only dir", WHO_NAME(WHO));
                run_result_free(&r);
                cr_assert(access(file, F_OK) < 0);
                /* The same write in the same sandbox without the Landlock
                 * rule works: only Landlock stopped it. */
                const char *argv[] = { sbx_bin(), "run", "--bind", ro, "--", "/bin/sh", "-c", script, NULL };
                cr_assert_eq(run_cmd(WHO, NULL, 60, &r, argv), 0);
                cr_assert_eq(r.status, 0, "[%s] without landlock.read-only the write works: %s", WHO_NAME(WHO),
                             r.err);
                run_result_free(&r);
                cr_assert_eq(unlink(file), 0);
                /* A signal to sbx enter reaches the command. */
                const char *sleeper[] = { sbx_bin(), "enter", "conf", "--", "sleep", "300", NULL };
                pid_t en = start_bg(WHO, sleeper);
                bool sleeping = false;
                for (int i = 0; i < 200 && !sleeping; i++, usleep(50000)) {
                        cr_assert_eq(run_sbx(WHO, &r, "enter", "conf", "--", "/bin/sh", "-c",
                                             "ps -e -o comm= | grep -qx sleep && "
                                             "[ $(ps -e -o comm= | grep -cx sleep) -ge 2 ]", NULL), 0);
                        sleeping = r.status == 0;
                        run_result_free(&r);
                }
                cr_assert(sleeping, "[%s] the entered sleep never ran", WHO_NAME(WHO));
                cr_assert_eq(kill(en, SIGTERM), 0);
                cr_assert_eq(wait_exit(en, 10), 128 + SIGTERM, "[%s] sbx enter passes SIGTERM on", WHO_NAME(WHO));
                /* Exit status, and a command missing inside. */
                cr_assert_eq(run_sbx(WHO, &r, "enter", "conf", "--", "/bin/sh", "-c", "exit 7", NULL), 0);
                cr_assert_eq(r.status, 7);
                run_result_free(&r);
                cr_assert_eq(run_sbx(WHO, &r, "enter", "conf", "--", "no-such-command-here", NULL), 0);
                cr_assert_eq(r.status, 127, "[%s] %d %s", WHO_NAME(WHO), r.status, r.err);
                run_result_free(&r);
                run_result_free(&prog);
                run_result_free(&ent);
                stop_bg(WHO, "conf", a);
        }
}

/* Start time (field 22) of pid. */
static unsigned long long start_of(pid_t pid)
{
        char path[64], buf[1024];
        snprintf(path, sizeof(path), "/proc/%d/stat", pid);
        FILE *f = fopen(path, "r");
        cr_assert(f);
        size_t n = fread(buf, 1, sizeof(buf) - 1, f);
        fclose(f);
        buf[n] = 0;
        char *s = strrchr(buf, ')') + 2;
        for (int i = 3; i < 22; i++)
                s = strchr(s, ' ') + 1;
        return strtoull(s, NULL, 10);
}

static void write_entry(int who, const char *name, pid_t pid, unsigned long long start, pid_t init,
                        unsigned long long init_start, int door_fd, unsigned long long ino)
{
        char path[4300], text[1024];
        snprintf(path, sizeof(path), "%s/sbx", getenv("XDG_RUNTIME_DIR"));
        mkdir(path, 0700);
        cr_assert_eq(chown(path, who == AS_USER ? 65534 : 0, who == AS_USER ? 65534 : 0), 0);
        snprintf(path, sizeof(path), "%s/sbx/%s", getenv("XDG_RUNTIME_DIR"), name);
        snprintf(text, sizeof(text),
                 "version=1\npid=%d\nstart=%llu\ninit=%d\ninit_start=%llu\ndoor_fd=%d\ndoor_ino=%llu\n"
                 "started=%lld\nprofile=default\nprogram=/bin/sh\n",
                 pid, start, init, init_start, door_fd, ino, (long long)time(NULL));
        unlink(path);
        cr_assert_eq(write_file(path, text, 0600), 0);
        cr_assert_eq(chown(path, who == AS_USER ? 65534 : 0, who == AS_USER ? 65534 : 0), 0);
}

static bool alive(pid_t pid)
{
        int st;
        return waitpid(pid, &st, WNOHANG) == 0;
}

/* Every way an entry can lie: enter and stop refuse, and the process it
 * names (which the user can signal bare) lives on. */
Test(names, forged_and_stale_entries_refused)
{
        FOR_EACH_USER {
                use_registry(WHO);
                /* The victim: a shell with a child, as sbx run has init. */
                pid_t v = start_bg(WHO, ARGS("/bin/sh", "-c", "sleep 300 & wait"));
                pid_t child = -1;
                for (int i = 0; i < 100 && child < 0; i++, usleep(20000)) {
                        char path[64], buf[256];
                        snprintf(path, sizeof(path), "/proc/%d/task/%d/children", v, v);
                        FILE *f = fopen(path, "r");
                        if (f && fgets(buf, sizeof(buf), f))
                                child = atoi(buf);
                        if (f)
                                fclose(f);
                }
                cr_assert_gt(child, 0);
                unsigned long long vs = start_of(v), cs = start_of(child);
                /* A real sandbox, to borrow its door's numbers from. */
                pid_t real = start_named(WHO, "real", NULL, "exec sleep 300");
                char path[4300];
                snprintf(path, sizeof(path), "%s/sbx/real", getenv("XDG_RUNTIME_DIR"));
                FILE *f = fopen(path, "r");
                cr_assert(f);
                int door_fd = -1;
                unsigned long long ino = 0;
                char line[512];
                while (fgets(line, sizeof(line), f)) {
                        sscanf(line, "door_fd=%d", &door_fd);
                        sscanf(line, "door_ino=%llu", &ino);
                }
                fclose(f);
                struct {
                        const char *what;
                        pid_t pid, init;
                        unsigned long long start, init_start;
                        int fd;
                        unsigned long long ino;
                } lies[] = {
                        { "stale (pid reused: other start time)", v, child, vs + 1, cs, door_fd, ino },
                        { "stale init", v, child, vs, cs + 1, door_fd, ino },
                        { "forged: right times, no door there", v, child, vs, cs, door_fd, ino },
                        { "forged: right times, another socket", v, child, vs, cs, 0, ino },
                        { "forged: real sbx, wrong inode", real, child, start_of(real), cs, door_fd, ino + 1 },
                };
                for (size_t i = 0; i < sizeof(lies) / sizeof(lies[0]); i++) {
                        write_entry(WHO, "fake", lies[i].pid, lies[i].start, lies[i].init, lies[i].init_start,
                                    lies[i].fd, lies[i].ino);
                        struct run_result r;
                        cr_assert_eq(run_sbx(WHO, &r, "enter", "fake", "--", "/bin/true", NULL), 0);
                        cr_assert_eq(r.status, 1, "[%s] %s: enter %d %s", WHO_NAME(WHO), lies[i].what, r.status,
                                     r.err);
                        run_result_free(&r);
                        write_entry(WHO, "fake", lies[i].pid, lies[i].start, lies[i].init, lies[i].init_start,
                                    lies[i].fd, lies[i].ino);
                        cr_assert_eq(run_sbx(WHO, &r, "stop", "--timeout", "1", "fake", NULL), 0);
                        cr_assert_eq(r.status, 1, "[%s] %s: stop %d", WHO_NAME(WHO), lies[i].what, r.status);
                        run_result_free(&r);
                        cr_assert(!ps_of(WHO, "fake").found, "[%s] %s listed", WHO_NAME(WHO), lies[i].what);
                        cr_assert(alive(v), "[%s] %s: the victim was killed", WHO_NAME(WHO), lies[i].what);
                        cr_assert(alive(real), "[%s] %s: the real sandbox was stopped", WHO_NAME(WHO),
                                  lies[i].what);
                }
                /* An entry that is a symlink to the real one, or writable
                 * by others: refused as a file. */
                char fake[4300];
                snprintf(fake, sizeof(fake), "%s/sbx/fake", getenv("XDG_RUNTIME_DIR"));
                unlink(fake);
                cr_assert_eq(symlink("real", fake), 0);
                struct run_result r;
                cr_assert_eq(run_sbx(WHO, &r, "stop", "fake", NULL), 0);
                cr_assert_eq(r.status, 1);
                run_result_free(&r);
                cr_assert(alive(real));
                unlink(fake);
                /* Bare, the user can signal the victim: only the checks
                 * kept it alive. */
                cr_assert_eq(kill(v, SIGKILL), 0);
                waitpid(v, NULL, 0);
                kill(child, SIGKILL);
                stop_bg(WHO, "real", real);
        }
}

Test(names, stop_ends_the_sandbox_and_all_its_processes)
{
        FOR_EACH_USER {
                use_registry(WHO);
                /* Ignores SIGTERM, with children that ignore it too. */
                pid_t a = start_named(WHO, "stubborn", NULL,
                                      "trap '' TERM; sleep 300 & sleep 301 & sleep 302; wait");
                struct ps_line p = ps_of(WHO, "stubborn");
                cr_assert(p.found);
                cr_assert_geq(p.procs, 5);
                int init_fd = (int)syscall(SYS_pidfd_open, p.init, 0);
                cr_assert_geq(init_fd, 0);
                struct run_result r;
                time_t t0 = time(NULL);
                cr_assert_eq(run_sbx(WHO, &r, "stop", "--timeout", "1", "stubborn", NULL), 0);
                cr_assert_eq(r.status, 0, "[%s] stop: %s", WHO_NAME(WHO), r.err);
                run_result_free(&r);
                cr_assert_leq(time(NULL) - t0, 10);
                struct pollfd pf = { .fd = init_fd, .events = POLLIN };
                cr_assert_eq(poll(&pf, 1, 0), 1, "[%s] init (and with it the pid namespace) is gone",
                             WHO_NAME(WHO));
                close(init_fd);
                cr_assert_neq(wait_exit(a, 10), -1, "[%s] sbx run ended", WHO_NAME(WHO));
                cr_assert(!ps_of(WHO, "stubborn").found);

                /* A program that takes SIGTERM: sbx run ends as on SIGTERM. */
                pid_t b = start_named(WHO, "polite", NULL, "exec sleep 300");
                cr_assert_eq(run_sbx(WHO, &r, "stop", "polite", NULL), 0);
                cr_assert_eq(r.status, 0);
                run_result_free(&r);
                cr_assert_eq(wait_exit(b, 10), 128 + SIGTERM);
                /* Not running any more. */
                cr_assert_eq(run_sbx(WHO, &r, "stop", "polite", NULL), 0);
                cr_assert_eq(r.status, 1);
                run_result_free(&r);
        }
}

/* A sandbox that binds the runtime directory writable can neither change,
 * add nor rename registry entries (libsbx protects the registry as sbx's
 * own state); bare, the same writes work. */
Test(names, registry_unwritable_from_a_sandbox)
{
        FOR_EACH_USER {
                use_registry(WHO);
                pid_t a = start_named(WHO, "kept", NULL, "exec sleep 300");
                const char *rt = getenv("XDG_RUNTIME_DIR");
                char script[8192];
                snprintf(script, sizeof(script),
                         "cd '%s' && { echo pid=1 >> sbx/kept || exit 3; } && { echo x > sbx/planted || exit 4; } "
                         "&& { mv sbx s2 || exit 5; } && mv s2 sbx",
                         rt);
                struct run_result r;
                /* root's sandbox stays root (keep-root), so that only sbx's
                 * protection, not the directory's mode, is in the way. */
                const char *argv[] = { sbx_bin(), "run", "--set", "namespaces.keep-root=yes", "--bind", rt, "--",
                                       "/bin/sh", "-c", script, NULL };
                cr_assert_eq(run_cmd(WHO, NULL, 60, &r, argv), 0);
                cr_assert_eq(r.status, 3, "[%s] ESCAPE: the registry was writable: %d %s", WHO_NAME(WHO), r.status,
                             r.err);
                run_result_free(&r);
                /* Each step alone, too. */
                const char *steps[] = { "echo x > sbx/planted", "mv sbx s2" };
                for (size_t i = 0; i < 2; i++) {
                        snprintf(script, sizeof(script), "cd '%s' && %s", rt, steps[i]);
                        cr_assert_eq(run_cmd(WHO, NULL, 60, &r, argv), 0);
                        cr_assert_neq(r.status, 0, "[%s] ESCAPE: %s", WHO_NAME(WHO), steps[i]);
                        run_result_free(&r);
                }
                cr_assert(ps_of(WHO, "kept").found, "[%s] the entry still checks out", WHO_NAME(WHO));
                /* Bare, the user can write there: only sbx stopped it. */
                snprintf(script, sizeof(script), "cd '%s' && echo x > sbx/planted && rm sbx/planted", rt);
                cr_assert_eq(run_cmd(WHO, NULL, 30, &r, ARGS("/bin/sh", "-c", script)), 0);
                cr_assert_eq(r.status, 0, "[%s] bare write cannot fail: %s", WHO_NAME(WHO), r.err);
                run_result_free(&r);
                stop_bg(WHO, "kept", a);

                /* Without a runtime directory the registry lives in
                 * ~/.config/sbx/running: protected the same way. */
                char home[4200];
                snprintf(home, sizeof(home), "%s/home-%d", tmp, WHO);
                mkdir(home, 0700);
                cr_assert_eq(chown(home, WHO == AS_USER ? 65534 : 0, WHO == AS_USER ? 65534 : 0), 0);
                unsetenv("XDG_RUNTIME_DIR");
                char *old_home = getenv("HOME") ? strdup(getenv("HOME")) : NULL;
                setenv("HOME", home, 1);
                pid_t b = start_named(WHO, "kept2", NULL, "exec sleep 300");
                snprintf(script, sizeof(script),
                         "cd '%s/.config/sbx' && { echo pid=1 >> running/kept2 || exit 3; } && "
                         "{ echo x > running/planted || exit 4; } && { rm -rf running || exit 5; }",
                         home);
                const char *argv2[] = { sbx_bin(), "run", "--set", "namespaces.keep-root=yes", "--bind", home, "--",
                                        "/bin/sh", "-c", script, NULL };
                cr_assert_eq(run_cmd(WHO, NULL, 60, &r, argv2), 0);
                cr_assert_eq(r.status, 3, "[%s] ESCAPE: ~/.config/sbx/running was writable: %d %s", WHO_NAME(WHO),
                             r.status, r.err);
                run_result_free(&r);
                cr_assert(ps_of(WHO, "kept2").found, "[%s] the entry still checks out", WHO_NAME(WHO));
                stop_bg(WHO, "kept2", b);
                if (old_home)
                        setenv("HOME", old_home, 1);
                free(old_home);
        }
}

/* Papercuts of issue 29 around sbx run. */

/* `--bind .` and other relative sources are taken from the working
 * directory. */
Test(names, relative_bind_source_resolved)
{
        char dir[4200], f[4300], script[9000];
        snprintf(dir, sizeof(dir), "%s/work dir", tmp);
        mkdir(dir, 0777);
        chmod(dir, 0777);
        snprintf(f, sizeof(f), "%s/f", dir);
        cr_assert_eq(write_file(f, "relative\n", 0644), 0);
        FOR_EACH_USER {
                struct run_result r;
                char *q = shq(dir), *sb = shq(sbx_bin());
                snprintf(script, sizeof(script),
                         "cd %s && %s run --ro-bind . -- cat \"$PWD/f\" && "
                         "%s run --ro-bind ./../'work dir'/:/data -- cat /data/f",
                         q, sb, sb);
                free(q);
                free(sb);
                cr_assert_eq(run_cmd(WHO, NULL, 60, &r, ARGS("/bin/sh", "-c", script)), 0);
                cr_assert_eq(r.status, 0, "[%s] %s", WHO_NAME(WHO), r.err);
                cr_assert_str_eq(r.out, "relative\nrelative\n");
                run_result_free(&r);
        }
}

/* `cd /tmp/DIR && sbx run --profile build -- …` builds and runs there (the
 * working directory is bound over the private /tmp).  A directory of the
 * test's own: /tmp itself may hold more directories than the repository
 * search takes (the launch is then refused, hostfiles tests that). */
Test(names, build_profile_in_tmp)
{
        FOR_EACH_USER {
                struct run_result r;
                char script[9000], *sb = shq(sbx_bin());
                snprintf(script, sizeof(script),
                         "w=$(mktemp -d /tmp/sbx-cwd.XXXXXX) && chmod 777 \"$w\" && cd \"$w\" && %s run --profile build -- "
                         "/bin/sh -c 'd=$(mktemp -d ./b.XXXXXX) && printf \"int main(void){return 7;}\" > $d/m.c && "
                         "cc -o $d/m $d/m.c && { $d/m; echo \"ran $?\"; }; rm -rf $d'; s=$?; rm -rf \"$w\"; exit $s",
                         sb);
                free(sb);
                cr_assert_eq(run_cmd(WHO, NULL, 120, &r, ARGS("/bin/sh", "-c", script)), 0);
                cr_assert_eq(r.status, 0, "[%s] %s", WHO_NAME(WHO), r.err);
                cr_assert_str_eq(r.out, "ran 7\n", "[%s] %s %s", WHO_NAME(WHO), r.out, r.err);
                run_result_free(&r);
        }
}

/* Value lines of `sbx show` output, comments dropped. */
static char *values_of(const char *text)
{
        char *out = calloc(1, strlen(text) + 1), *o = out;
        cr_assert(out);
        for (const char *l = text; *l;) {
                const char *e = strchr(l, '\n');
                size_t n = e ? (size_t)(e - l) : strlen(l);
                const char *c = memmem(l, n, "  ; ", 4);
                if (c)
                        n = (size_t)(c - l);
                if (n && l[0] != ';') {
                        memcpy(o, l, n);
                        o += n;
                        *o++ = '\n';
                }
                l += e ? n + (size_t)(e - l - n) + 1 : strlen(l);
        }
        return out;
}

/* Paths holding ':' or a newline (reaching a profile through variables)
 * are printed by `sbx show` as INI that loads back to the same policy. */
Test(names, show_round_trips_colon_and_newline_paths)
{
        char prof[4300], shown[4300];
        snprintf(prof, sizeof(prof), "%s/vars.ini", tmp);
        snprintf(shown, sizeof(shown), "%s/shown.ini", tmp);
        cr_assert_eq(write_file(prof, "[profile]\ninclude = default\n[filesystem]\nro-bind = -${D1}\n"
                                      "bind = ${D2}:/in$$side:exec\ntmpfs = ${D3}\n", 0644), 0);
        setenv("D1", "/tmp/a:b", 1);
        setenv("D2", "/tmp/new\nline \"q\" \\", 1);
        setenv("D3", "/t:m\np", 1);
        struct run_result r1, r2;
        cr_assert_eq(run_sbx(AS_ROOT, &r1, "show", prof, NULL), 0);
        cr_assert_eq(r1.status, 0, "%s", r1.err);
        cr_assert(strstr(r1.out, "ro-bind = \"-/tmp/a\\:b\""), "%s", r1.out);
        cr_assert_eq(write_file(shown, r1.out, 0644), 0);
        unsetenv("D1");
        unsetenv("D2");
        unsetenv("D3");
        cr_assert_eq(run_sbx(AS_ROOT, &r2, "show", shown, NULL), 0);
        cr_assert_eq(r2.status, 0, "%s\n%s", r2.err, r1.out);
        char *a = values_of(r1.out), *b = values_of(r2.out);
        cr_assert_str_eq(a, b);
        free(a);
        free(b);
        run_result_free(&r1);
        run_result_free(&r2);
}
