/* test_planted.c — nothing a sandbox could have prepared is followed
 * (issue 17, items 2 and 3).  A sandbox with a writable directory can leave
 * symlinks there, or swap a directory for one while the user starts the
 * next sandbox in it.  Each attack is first shown to work (without sbx, or
 * with the bind the old code made), then to fail with sbx.  Real
 * sandboxes, as root and as uid 65534; the attacker's links are made by
 * the same user (for root, under /tmp: a place sandboxes can write). */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"

static const int whos[] = { AS_ROOT, AS_USER };
#define FOR_EACH_USER for (size_t wi = 0; wi < 2; wi++)
#define WHO whos[wi]
#define WHO_NAME (WHO == AS_ROOT ? "root" : "user")

static char *base; /* make_tmpdir(): under /tmp, usable by 65534 */

static char *join(const char *a, const char *b)
{
        char *s = NULL;
        cr_assert_geq(asprintf(&s, "%s/%s", a, b), 0);
        return s;
}

static void setup(void)
{
        base = make_tmpdir();
        cr_assert(base);
}

static void teardown(void)
{
        struct run_result r;
        if (base && run_cmd(AS_ROOT, NULL, 30, &r, (const char *const[]){ "rm", "-rf", base, NULL }) == 0)
                run_result_free(&r);
        free(base);
}

TestSuite(planted, .init = setup, .fini = teardown);

/* `sh -c 'cd "$1" && shift && exec "$@"'` as `who`. */
static void run_in(int who, const char *dir, const char *const *argv, struct run_result *r)
{
        const char *v[40] = { "sh", "-c", "cd \"$1\" && shift && exec \"$@\"", "sh", dir };
        size_t n = 5;
        for (size_t i = 0; argv[i]; i++)
                v[n++] = argv[i];
        v[n] = NULL;
        cr_assert_eq(run_cmd(who, NULL, 60, r, v), 0);
}

/* What the sandbox left behind: a symlink made by `who`. */
static void plant(int who, const char *target, const char *link)
{
        struct run_result r;
        cr_assert_eq(run_cmd(who, NULL, 10, &r, (const char *const[]){ "ln", "-sfn", target, link, NULL }), 0);
        cr_assert_eq(r.status, 0, "ln: %s", r.err);
        run_result_free(&r);
}

static void mkdir_mode(const char *d, mode_t m)
{
        cr_assert_eq(mkdir(d, m), 0, "mkdir %s", d);
        chmod(d, m);
}

/* A fake home holding a fake key, readable by the sandbox user (so that
 * only the view can keep it out). */
static char *fake_home(const char *name, mode_t mode)
{
        char *home = join(base, name);
        mkdir_mode(home, mode);
        char *ssh = join(home, ".ssh"), *key = join(home, ".ssh/id_rsa");
        mkdir_mode(ssh, 0755);
        cr_assert_eq(write_file(key, "SECRET-KEY-17\n", 0644), 0);
        free(ssh);
        free(key);
        return home;
}

/* `xmllint --noent *` in a directory where an archive left `zz -> ~`: the
 * old args = ro bound realpath(zz), the whole home, and an external entity
 * then read ~/.ssh/id_rsa inside document-converter. */
Test(planted, argument_symlink_to_home_xxe)
{
        char *home = fake_home("home-xxe", 0755), *work = join(base, "work-xxe");
        mkdir_mode(work, 0777);
        char *doc = join(work, "doc.xml"), *zz = join(work, "zz"), *xml = NULL;
        cr_assert_geq(asprintf(&xml, "<?xml version=\"1.0\"?>\n<!DOCTYPE d [<!ENTITY x SYSTEM "
                                     "\"file://%s/.ssh/id_rsa\">]>\n<d>&x;</d>\n", home), 0);
        cr_assert_eq(write_file(doc, xml, 0644), 0);
        FOR_EACH_USER {
                plant(WHO, home, zz);
                struct run_result r;
                /* The document does what it says without a sandbox... */
                run_in(WHO, work, (const char *const[]){ "xmllint", "--noent", "doc.xml", NULL }, &r);
                cr_assert(strstr(r.out, "SECRET-KEY-17"), "[%s] XXE does not work bare: %s", WHO_NAME, r.err);
                run_result_free(&r);
                /* ...and with the bind the old code made for `zz`. */
                run_in(WHO, work, (const char *const[]){ sbx_bin(), "run", "--profile", "document-converter",
                                                         "--ro-bind", home, "--", "xmllint", "--noent",
                                                         "doc.xml", NULL }, &r);
                cr_assert(strstr(r.out, "SECRET-KEY-17"), "[%s] XXE fails with home bound: %d %s",
                          WHO_NAME, r.status, r.err);
                run_result_free(&r);
                /* Without the planted argument the profile keeps it out. */
                run_in(WHO, work, (const char *const[]){ sbx_bin(), "run", "--profile", "document-converter",
                                                         "--", "xmllint", "--noent", "doc.xml", NULL }, &r);
                cr_assert(!strstr(r.out, "SECRET-KEY-17"), "[%s] key read without zz", WHO_NAME);
                run_result_free(&r);
                /* The attack: refused, with the reason. */
                run_in(WHO, work, (const char *const[]){ sbx_bin(), "run", "--profile", "document-converter",
                                                         "--", "xmllint", "--noent", "doc.xml", "zz", NULL }, &r);
                cr_assert(!strstr(r.out, "SECRET-KEY-17"), "[%s] key read through zz", WHO_NAME);
                cr_assert_eq(r.status, 2, "[%s] exit %d: %s", WHO_NAME, r.status, r.err);
                cr_assert(strstr(r.err, "is a symlink to") && strstr(r.err, "zz"), "[%s] %s", WHO_NAME, r.err);
                run_result_free(&r);
                unlink(zz);
        }
        free(xml);
        free(zz);
        free(doc);
        free(work);
        free(home);
}

static int listen_unix(const char *path)
{
        int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        cr_assert_geq(s, 0);
        struct sockaddr_un a = { .sun_family = AF_UNIX };
        cr_assert_lt(strlen(path), sizeof(a.sun_path));
        strcpy(a.sun_path, path);
        cr_assert_eq(bind(s, (struct sockaddr *)&a, sizeof(a)), 0, "bind %s", path);
        chmod(path, 0777);
        cr_assert_eq(listen(s, 64), 0);
        return s;
}

/* A symlink argument to a directory holding a listening socket: a
 * pathname socket ignores a read-only bind, so binding the directory
 * handed the program the service. */
Test(planted, argument_symlink_to_socket_dir)
{
        char *sockdir = join(base, "sockdir"), *work = join(base, "work-sock");
        mkdir_mode(sockdir, 0755);
        mkdir_mode(work, 0777);
        char *sock = join(sockdir, "s"), *ss = join(work, "ss"), *prof = join(base, "args-dirs.ini");
        int ls = listen_unix(sock);
        cr_assert_eq(write_file(prof, "[profile]\ninclude = default\n[filesystem]\nargs = ro\n"
                                      "args-dirs = yes\ncwd-bind = none\n", 0644), 0);
        char *script = NULL;
        /* "=PATH": the probe's own spelling, which args = ro does not take for
         * a file argument (it names nothing on the host). */
        cr_assert_geq(asprintf(&script, "=%s", sock), 0);
        FOR_EACH_USER {
                plant(WHO, sockdir, ss);
                struct run_result r;
                cr_assert_eq(run_cmd(WHO, NULL, 30, &r, (const char *const[]){ probe_bin(), "unix", sock, NULL }), 0);
                cr_assert_eq(r.status, 0, "[%s] bare connect: %s", WHO_NAME, r.out);
                run_result_free(&r);
                /* The old bind of the link's target, read-only: connect works. */
                run_in(WHO, work, (const char *const[]){ sbx_bin(), "run", "--profile", prof, "--ro-bind",
                                                         probe_bin(), "--ro-bind", sockdir, "--", probe_bin(),
                                                         "unix", script, NULL }, &r);
                cr_assert_eq(r.status, 0, "[%s] connect through a ro bind: %s %s", WHO_NAME, r.out, r.err);
                run_result_free(&r);
                /* The attack: the link is refused even with args-dirs. */
                run_in(WHO, work, (const char *const[]){ sbx_bin(), "run", "--profile", prof, "--ro-bind",
                                                         probe_bin(), "--", probe_bin(), "unix", script, "ss",
                                                         NULL }, &r);
                cr_assert_eq(r.status, 2, "[%s] exit %d: %s %s", WHO_NAME, r.status, r.out, r.err);
                cr_assert(strstr(r.err, "is a symlink to"), "[%s] %s", WHO_NAME, r.err);
                run_result_free(&r);
                /* The socket itself as an argument: never bound. */
                run_in(WHO, work, (const char *const[]){ sbx_bin(), "run", "--profile", prof, "--ro-bind",
                                                         probe_bin(), "--", probe_bin(), "unix", script, sock,
                                                         NULL }, &r);
                cr_assert_eq(r.status, 2, "[%s] exit %d: %s %s", WHO_NAME, r.status, r.out, r.err);
                cr_assert(strstr(r.err, "is a socket"), "[%s] %s", WHO_NAME, r.err);
                run_result_free(&r);
                unlink(ss);
        }
        close(ls);
        free(script);
        free(prof);
        free(ss);
        free(sock);
        free(work);
        free(sockdir);
}

/* `..` as an argument bound the parent; a directory without args-dirs, and
 * `/`, are refused; things that are not there are not paths and pass. */
Test(planted, argument_parent_and_directories)
{
        char *work = join(base, "work-up"), *sub = join(work, "sub"), *secret = join(work, "secret");
        mkdir_mode(work, 0755);
        mkdir_mode(sub, 0755);
        cr_assert_eq(write_file(secret, "PARENT-SECRET\n", 0644), 0);
        char *args = join(base, "args.ini"), *dirs = join(base, "dirs.ini");
        cr_assert_eq(write_file(args, "[profile]\ninclude = default\n[filesystem]\nargs = ro\ncwd-bind = none\n", 0644), 0);
        cr_assert_eq(write_file(dirs, "[profile]\ninclude = default\n[filesystem]\nargs = ro\nargs-dirs = yes\n"
                                      "cwd-bind = none\n", 0644), 0);
        /* The program reads the sibling by its absolute name; the argument
         * is only what makes sbx bind (or not) the parent. */
        char *cat = NULL;
        cr_assert_geq(asprintf(&cat, "cat %s; : \"$0\"", secret), 0);
        FOR_EACH_USER {
                struct run_result r;
                /* What binding the parent gives. */
                run_in(WHO, sub, (const char *const[]){ sbx_bin(), "run", "--profile", args, "--ro-bind", work,
                                                        "--", "/bin/sh", "-c", cat, "x", NULL }, &r);
                cr_assert(strstr(r.out, "PARENT-SECRET"), "[%s] %d %s", WHO_NAME, r.status, r.err);
                run_result_free(&r);
                const char *const ups[] = { "..", "../", "./..", "../sub" };
                for (size_t i = 0; i < 4; i++) {
                        run_in(WHO, sub, (const char *const[]){ sbx_bin(), "run", "--profile", dirs, "--",
                                                                "/bin/sh", "-c", cat, ups[i], NULL }, &r);
                        cr_assert_eq(r.status, 2, "[%s] %s: exit %d %s", WHO_NAME, ups[i], r.status, r.err);
                        cr_assert(!strstr(r.out, "PARENT-SECRET"));
                        cr_assert(strstr(r.err, "`..`"), "[%s] %s", WHO_NAME, r.err);
                        run_result_free(&r);
                }
                /* A directory needs args-dirs; `/` is never bound. */
                run_in(WHO, sub, (const char *const[]){ sbx_bin(), "run", "--profile", args, "--", "/bin/sh",
                                                        "-c", cat, work, NULL }, &r);
                cr_assert_eq(r.status, 2, "[%s] dir without args-dirs: %d %s", WHO_NAME, r.status, r.err);
                cr_assert(strstr(r.err, "is a directory"), "[%s] %s", WHO_NAME, r.err);
                run_result_free(&r);
                run_in(WHO, sub, (const char *const[]){ sbx_bin(), "run", "--profile", dirs, "--", "/bin/sh",
                                                        "-c", cat, work, NULL }, &r);
                cr_assert(strstr(r.out, "PARENT-SECRET"), "[%s] args-dirs: %d %s", WHO_NAME, r.status, r.err);
                run_result_free(&r);
                run_in(WHO, sub, (const char *const[]){ sbx_bin(), "run", "--profile", dirs, "--", "/bin/true",
                                                        "/", NULL }, &r);
                cr_assert_eq(r.status, 2, "[%s] /: %d %s", WHO_NAME, r.status, r.err);
                run_result_free(&r);
                /* Not paths: skipped as before. */
                run_in(WHO, sub, (const char *const[]){ sbx_bin(), "run", "--profile", args, "--", "/bin/true",
                                                        "--page=3", "https://example.org/a/../b", "nothere",
                                                        "../nothere", NULL }, &r);
                cr_assert_eq(r.status, 0, "[%s] non-paths: %d %s", WHO_NAME, r.status, r.err);
                run_result_free(&r);
        }
        free(cat);
        free(args);
        free(dirs);
        free(secret);
        free(sub);
        free(work);
}

/* A profile that binds ~/Downloads by name, after a sandbox replaced it
 * with `Downloads -> ~`: refused, unless the link leads inside a place the
 * profile binds anyway with at least the same rights; an optional bind
 * (`-`, as the browser's) is left out with a warning and the launch goes
 * on without it. */
Test(planted, profile_bind_through_planted_link)
{
        char *home = fake_home("home-dl", 0777), *dl = join(home, "Downloads");
        char *p_dl = join(base, "dl.ini"), *p_home = join(base, "home.ini"), *p_ok = join(base, "ok.ini"),
             *p_rw = join(base, "rw.ini"), *p_opt = join(base, "opt.ini"), *text = NULL;
        cr_assert_geq(asprintf(&text, "[profile]\ninclude = default\n[filesystem]\nbind = -%s:/dl\n", dl), 0);
        cr_assert_eq(write_file(p_opt, text, 0644), 0);
        free(text);
        cr_assert_geq(asprintf(&text, "[profile]\ninclude = default\n[filesystem]\nbind = %s:/dl\n", dl), 0);
        cr_assert_eq(write_file(p_dl, text, 0644), 0);
        free(text);
        cr_assert_geq(asprintf(&text, "[profile]\ninclude = default\n[filesystem]\nbind = %s:/dl\n", home), 0);
        cr_assert_eq(write_file(p_home, text, 0644), 0);
        free(text);
        cr_assert_geq(asprintf(&text, "[profile]\ninclude = default\n[filesystem]\nro-bind = %s:/h\n"
                                      "ro-bind = %s:/dl\n", home, dl), 0);
        cr_assert_eq(write_file(p_ok, text, 0644), 0);
        free(text);
        cr_assert_geq(asprintf(&text, "[profile]\ninclude = default\n[filesystem]\nro-bind = %s:/h\n"
                                      "bind = %s:/dl\n", home, dl), 0);
        cr_assert_eq(write_file(p_rw, text, 0644), 0);
        free(text);
        FOR_EACH_USER {
                plant(WHO, home, dl);
                struct run_result r;
                cr_assert_eq(run_cmd(WHO, NULL, 60, &r, (const char *const[]){ sbx_bin(), "run", "--profile",
                                     p_home, "--", "/bin/cat", "/dl/.ssh/id_rsa", NULL }), 0);
                cr_assert(strstr(r.out, "SECRET-KEY-17"), "[%s] home bind: %d %s", WHO_NAME, r.status, r.err);
                run_result_free(&r);
                cr_assert_eq(run_cmd(WHO, NULL, 60, &r, (const char *const[]){ sbx_bin(), "run", "--profile",
                                     p_dl, "--", "/bin/cat", "/dl/.ssh/id_rsa", NULL }), 0);
                cr_assert_eq(r.status, 2, "[%s] exit %d: %s", WHO_NAME, r.status, r.err);
                cr_assert(!strstr(r.out, "SECRET-KEY-17"));
                cr_assert(strstr(r.err, "dl.ini:4:") && strstr(r.err, "is a symlink to") &&
                          strstr(r.err, "by its own name"), "[%s] %s", WHO_NAME, r.err);
                run_result_free(&r);
                cr_assert_eq(run_cmd(WHO, NULL, 60, &r, (const char *const[]){ sbx_bin(), "run", "--profile",
                                     p_opt, "--", "/bin/cat", "/dl/.ssh/id_rsa", NULL }), 0);
                cr_assert(r.status == 1 && !strstr(r.out, "SECRET-KEY-17") && strstr(r.err, "opt.ini:4:") &&
                                  strstr(r.err, "not bound") && strstr(r.err, "is a symlink to"),
                          "[%s] optional bind through a planted link: %d %s", WHO_NAME, r.status, r.err);
                run_result_free(&r);
                cr_assert_eq(run_cmd(WHO, NULL, 60, &r, (const char *const[]){ sbx_bin(), "run", "--profile",
                                     p_ok, "--", "/bin/cat", "/dl/.ssh/id_rsa", NULL }), 0);
                cr_assert(strstr(r.out, "SECRET-KEY-17"), "[%s] allowed place: %d %s", WHO_NAME, r.status, r.err);
                run_result_free(&r);
                cr_assert_eq(run_cmd(WHO, NULL, 60, &r, (const char *const[]){ sbx_bin(), "run", "--profile",
                                     p_rw, "--", "/bin/true", NULL }), 0);
                cr_assert_eq(r.status, 2, "[%s] rw through a ro place: %d %s", WHO_NAME, r.status, r.err);
                run_result_free(&r);
                unlink(dl);
        }
        free(p_dl);
        free(p_home);
        free(p_ok);
        free(p_rw);
        free(p_opt);
        free(dl);
        free(home);
}

/* ---- the cwd race ----------------------------------------------------- */

/* A process standing in for a sandbox (same user, write access to the
 * directory): exchanges `sub` (a real directory) and `alt` (a symlink to
 * the home) as fast as it can. */
static pid_t start_swapper(int who, const char *dir)
{
        pid_t pid = fork();
        cr_assert_geq(pid, 0);
        if (pid == 0) {
                if (who == AS_USER && (setgroups(0, NULL) < 0 || setresgid(65534, 65534, 65534) < 0 ||
                                       setresuid(65534, 65534, 65534) < 0))
                        _exit(1);
                /* Dies with the test even when an assertion ends it before
                 * kill() (the uid change above cleared the signal), and
                 * gives up after a minute in any case. */
                if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() == 1)
                        _exit(1);
                time_t end = time(NULL) + 60;
                int d = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
                for (unsigned long n = 0;; n++) {
                        if (renameat2(d, "sub", d, "alt", RENAME_EXCHANGE) < 0)
                                _exit(1);
                        if ((n & 1023) == 0 && time(NULL) > end)
                                _exit(0);
                }
        }
        return pid;
}

/* `sbx run` as `who`, its working directory the object dirfd (the user
 * typed `cd sub` before the sandbox started swapping). */
static int sbx_in_dirfd(int who, int dirfd, const char *profile)
{
        pid_t pid = fork();
        cr_assert_geq(pid, 0);
        if (pid == 0) {
                int null = open("/dev/null", O_RDWR | O_CLOEXEC);
                if (null < 0 || dup2(null, 0) < 0 || dup2(null, 1) < 0 || dup2(null, 2) < 0 ||
                    fchdir(dirfd) < 0)
                        _exit(126);
                if (who == AS_USER && (setgroups(0, NULL) < 0 || setresgid(65534, 65534, 65534) < 0 ||
                                       setresuid(65534, 65534, 65534) < 0))
                        _exit(126);
                execl(sbx_bin(), "sbx", "run", "--profile", profile, "--", "/bin/sh", "-c",
                      "echo x > marker", (char *)NULL);
                _exit(127);
        }
        int st;
        cr_assert_eq(waitpid(pid, &st, 0), pid);
        return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* Issue 17 item 3: a sandbox with a writable cwd swaps `sub` for a symlink
 * to $HOME while the user starts the next sandbox in `sub`.  The old code
 * took the cwd's name (getcwd) in the parent and opened it again by name
 * in the child (open_tree follows symlinks): that sequence is replayed
 * here first, name then lookup, and must land in the home at least once
 * (the race is real on this machine).  sbx now binds the cwd object itself
 * (open("."), dev/ino verified when it is mounted): over the bounded
 * rounds it must never write into the home — a launch that loses the
 * race fails (ESTALE) instead — and must succeed at least once. */
Test(planted, cwd_swapped_for_home_link, .timeout = 240)
{
        char *race = join(base, "race"), *home = join(base, "race-home"), *sub = join(race, "sub");
        char *alt = join(race, "alt"), *marker = join(home, "marker"), *prof = join(base, "cwd-rw.ini");
        mkdir_mode(race, 0777);
        mkdir_mode(home, 0777);
        cr_assert_eq(write_file(prof, "[profile]\ninclude = default\n[filesystem]\ncwd-bind = rw\n", 0644), 0);
        struct stat hst;
        cr_assert_eq(stat(home, &hst), 0);
        FOR_EACH_USER {
                mkdir_mode(sub, 0777);
                plant(WHO, home, alt);
                int real = open(sub, O_PATH | O_DIRECTORY | O_CLOEXEC);
                cr_assert_geq(real, 0);
                pid_t sw = start_swapper(WHO, race);

                /* The old sequence: the name, then a lookup by that name. */
                unsigned old_wins = 0;
                for (int i = 0; i < 20000 && !old_wins; i++) {
                        char name[4096];
                        struct stat st;
                        cr_assert_eq(fchdir(real), 0);
                        if (getcwd(name, sizeof(name)) && stat(name, &st) == 0 &&
                            st.st_dev == hst.st_dev && st.st_ino == hst.st_ino)
                                old_wins++;
                }
                cr_assert_eq(chdir("/"), 0);
                cr_assert_gt(old_wins, 0, "[%s] the name-then-lookup race never won: no evidence", WHO_NAME);

                unsigned ok = 0, failed = 0;
                time_t end = time(NULL) + 40;
                for (int round = 0; round < 200 && time(NULL) < end; round++) {
                        int s = sbx_in_dirfd(WHO, real, prof);
                        cr_assert(access(marker, F_OK) < 0,
                                  "[%s] round %d: the sandbox wrote into the home (exit %d)", WHO_NAME, round, s);
                        if (s == 0 && unlinkat(real, "marker", 0) == 0)
                                ok++;
                        else
                                failed++;
                }
                kill(sw, SIGKILL);
                waitpid(sw, NULL, 0);
                cr_log_info("[%s] cwd race: %u launches in the real directory, %u refused, 0 in the home",
                            WHO_NAME, ok, failed);
                cr_assert_gt(ok, 0, "[%s] no launch succeeded at all", WHO_NAME);
                close(real);
                /* Whichever name each has now. */
                unlink(alt);
                unlink(sub);
                rmdir(sub);
                rmdir(alt);
        }
        free(prof);
        free(marker);
        free(alt);
        free(sub);
        free(home);
        free(race);
}

/* `path exe-id` run directly: the inode it printed, or 0. */
static unsigned long exe_id_of(const char *path)
{
        int p[2];
        cr_assert_eq(pipe(p), 0);
        pid_t pid = fork();
        cr_assert_geq(pid, 0);
        if (pid == 0) {
                dup2(p[1], 1);
                execl(path, path, "exe-id", (char *)NULL);
                _exit(127);
        }
        close(p[1]);
        char buf[128] = "";
        ssize_t n = read(p[0], buf, sizeof(buf) - 1);
        close(p[0]);
        waitpid(pid, NULL, 0);
        unsigned long ino = 0;
        if (n > 0)
                sscanf(buf, "OK exe %lu", &ino);
        return ino;
}

static void copy_probe(const char *to, bool mark)
{
        struct run_result r;
        cr_assert_eq(run_cmd(AS_ROOT, NULL, 30, &r, (const char *const[]){ "cp", probe_bin(), to, NULL }), 0);
        cr_assert_eq(r.status, 0, "cp: %s", r.err);
        run_result_free(&r);
        if (mark) {
                /* a byte after the ELF: another file, the same program */
                int fd = open(to, O_WRONLY | O_APPEND | O_CLOEXEC);
                cr_assert(fd >= 0 && write(fd, "x", 1) == 1);
                close(fd);
        }
        cr_assert_eq(chmod(to, 0755), 0);
}

/* Issue 27, "what is checked is what is used": sbx took the program's name
 * with realpath, checked it ([exec] allow and deny, hashes) and had the
 * child run it by that name.  Here D/sub is a copy of the probe and D/alt
 * another copy, denied through a third name, D/denied (a hard link; [exec]
 * deny names what the view shows); the sandbox's user exchanges sub and alt
 * without pause.  The old sequence (look at
 * the name, then run the name) is replayed first and must run the denied
 * file at least once.  sbx now runs the object it checked (the child opens
 * the name in its view, compares device and inode, execveat()s that fd):
 * the denied copy never runs, a launch either runs D/sub's checked object
 * or is refused, and some launches succeed. */
Test(planted, program_swapped_after_the_check, .timeout = 240)
{
        char *race = join(base, "prog"), *sub = join(race, "sub"), *alt = join(race, "alt");
        char *denied = join(race, "denied"), *allow = NULL, *deny = NULL;
        mkdir_mode(race, 0777);
        copy_probe(sub, true);
        copy_probe(alt, false);
        cr_assert_eq(link(alt, denied), 0);
        struct stat good, bad;
        cr_assert_eq(stat(sub, &good), 0);
        cr_assert_eq(stat(alt, &bad), 0);
        char *wr = profile_word(race), *wd = profile_word(denied);
        cr_assert_geq(asprintf(&allow, "exec.allow=%s", wr), 0);
        cr_assert_geq(asprintf(&deny, "exec.deny=%s", wd), 0);
        FOR_EACH_USER {
                pid_t sw = start_swapper(WHO, race);
                /* The swapper shares two busy CPUs with everything else: a
                 * win can take a while. */
                unsigned old_wins = 0;
                time_t give_up = time(NULL) + 30;
                for (int i = 0; !old_wins && time(NULL) < give_up; i++) {
                        struct stat st;
                        if (stat(sub, &st) == 0 && st.st_ino == good.st_ino && exe_id_of(sub) == bad.st_ino)
                                old_wins++;
                }
                cr_assert_gt(old_wins, 0, "[%s] check-then-run-by-name never ran the other file: no evidence",
                             WHO_NAME);

                unsigned ok = 0, refused = 0;
                time_t end = time(NULL) + 40;
                for (int round = 0; round < 40 && time(NULL) < end; round++) {
                        struct run_result r;
                        cr_assert_eq(run_sbx(WHO, &r, "run", "--profile", "default", "--ro-bind", race, "--set",
                                             allow, "--set", deny, "--", sub, "exe-id", NULL),
                                     0);
                        unsigned long ino = 0;
                        sscanf(r.out, "OK exe %lu", &ino);
                        cr_assert(ino != bad.st_ino, "[%s] round %d: the denied file ran in the sandbox: %s %s",
                                  WHO_NAME, round, r.out, r.err);
                        if (r.status == 0 && ino == good.st_ino)
                                ok++;
                        else
                                refused++;
                        run_result_free(&r);
                }
                kill(sw, SIGKILL);
                waitpid(sw, NULL, 0);
                cr_log_info("[%s] program race: %u launches ran the checked file, %u refused, 0 the other",
                            WHO_NAME, ok, refused);
                cr_assert_gt(ok, 0, "[%s] no launch succeeded at all", WHO_NAME);
                /* Back to the first names for the next user. */
                struct stat st;
                if (stat(sub, &st) == 0 && st.st_ino != good.st_ino)
                        cr_assert_eq(renameat2(AT_FDCWD, sub, AT_FDCWD, alt, RENAME_EXCHANGE), 0);
        }
        unlink(denied);
        free(wr), free(wd), free(allow), free(deny), free(denied), free(alt), free(sub), free(race);
}
