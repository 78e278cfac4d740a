/* test_paths.c — paths with any byte but NUL, through every route that
 * carries one into a sandbox: `sbx run --bind/--ro-bind` (source and
 * destination), a profile (quoted literal paths, ${PWD}), the caller's
 * working directory (cwd-bind), the program's file arguments ([filesystem]
 * args), and the library (sbx_policy_add_bind).  Names: a space, both
 * quotes, ':', '=', a newline, bytes that are not UTF-8, a leading '-'.
 * Each route must make exactly that directory visible: a file in it is
 * read inside, and is not there when the route is left out (so the read
 * cannot come from something else).  Real sandboxes, as root and as uid
 * 65534. */
#include <criterion/criterion.h>
#include <criterion/logging.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <signal.h>
#include <time.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"
#include "sbx.h"

static const int whos[] = { AS_ROOT, AS_USER };
#define FOR_EACH_USER for (size_t wi = 0; wi < 2; wi++)
#define WHO whos[wi]
#define WHO_NAME (WHO == AS_ROOT ? "root" : "user")

static const char *const names[] = {
        "dir with space", "q'uo\"te", "co:lon", "eq=ual", "new\nline", "\xff\xfe-latin1", "-dash",
};
#define NNAMES (sizeof(names) / sizeof(names[0]))

static char *root;            /* the test's directory, readable by 65534 */
static char *dirs[NNAMES];    /* root/NAME, each holding "f" = "hi NAME" */
static char *profiles;        /* root/profiles */

static char *join(const char *a, const char *b)
{
        char *s = NULL;
        cr_assert_geq(asprintf(&s, "%s/%s", a, b), 0);
        return s;
}

static void setup(void)
{
        root = make_tmpdir();
        cr_assert(root);
        chmod(root, 0755);
        for (size_t i = 0; i < NNAMES; i++) {
                dirs[i] = join(root, names[i]);
                cr_assert_eq(mkdir(dirs[i], 0755), 0, "mkdir %s", dirs[i]);
                char *f = join(dirs[i], "f"), *text = NULL;
                cr_assert_geq(asprintf(&text, "hi %zu\n", i), 0);
                cr_assert_eq(write_file(f, text, 0644), 0);
                free(f);
                free(text);
        }
        profiles = join(root, "profiles");
        cr_assert_eq(mkdir(profiles, 0755), 0);
}

static void teardown(void)
{
        struct run_result r;
        if (root && run_cmd(AS_ROOT, NULL, 30, &r, (const char *const[]){ "rm", "-rf", root, NULL }) == 0)
                run_result_free(&r);
        for (size_t i = 0; i < NNAMES; i++)
                free(dirs[i]);
        free(profiles);
        free(root);
}

TestSuite(paths, .init = setup, .fini = teardown);

static void expect_hi(const struct run_result *r, size_t i, const char *route, const char *who)
{
        char want[32];
        snprintf(want, sizeof(want), "hi %zu\n", i);
        cr_assert_eq(r->status, 0, "[%s] %s, name %zu: exit %d\nstdout: %s\nstderr: %s", who, route, i,
                     r->status, r->out, r->err);
        cr_assert_str_eq(r->out, want, "[%s] %s, name %zu", who, route, i);
}

/* `sh -c 'cd "$1" && shift && exec "$@"'` : run argv with the cwd `dir`. */
static void run_in(int who, const char *dir, const char *const *argv, struct run_result *r)
{
        const char *v[32] = { "sh", "-c", "cd \"$1\" && shift && exec \"$@\"", "sh", dir };
        size_t n = 5;
        for (size_t i = 0; argv[i]; i++)
                v[n++] = argv[i];
        v[n] = NULL;
        cr_assert_eq(run_cmd(who, NULL, 60, r, v), 0);
}

Test(paths, command_line_bind_source_and_destination)
{
        FOR_EACH_USER {
                for (size_t i = 0; i < NNAMES; i++) {
                        struct run_result r;
                        char *f = join(dirs[i], "f");
                        /* Without the bind the file is not there. */
                        cr_assert_eq(run_cmd(WHO, NULL, 60, &r, (const char *const[]){
                                sbx_bin(), "run", "--", "/bin/cat", f, NULL }), 0);
                        cr_assert_neq(r.status, 0, "[%s] %s visible without a bind", WHO_NAME, f);
                        run_result_free(&r);
                        /* A ':' that is part of a path is written \: on the
                         * command line; everything else as it is. */
                        char *arg = NULL;
                        if (strchr(names[i], ':'))
                                cr_assert_geq(asprintf(&arg, "%s/co\\:lon", root), 0);
                        else
                                arg = strdup(dirs[i]);
                        cr_assert_eq(run_cmd(WHO, NULL, 60, &r, (const char *const[]){
                                sbx_bin(), "run", "--ro-bind", arg, "--", "/bin/cat", f, NULL }), 0);
                        expect_hi(&r, i, "--ro-bind SRC", WHO_NAME);
                        run_result_free(&r);
                        /* The name as a destination too, and --bind. */
                        char *two = NULL, *inside = NULL;
                        cr_assert_geq(asprintf(&two, "%s:/in/%s%s", arg,
                                               strchr(names[i], ':') ? "co\\:lon" : names[i], ":exec"), 0);
                        cr_assert_geq(asprintf(&inside, "/in/%s/f", names[i]), 0);
                        cr_assert_eq(run_cmd(WHO, NULL, 60, &r, (const char *const[]){
                                sbx_bin(), "run", "--bind", two, "--", "/bin/cat", inside, NULL }), 0);
                        expect_hi(&r, i, "--bind SRC:DST:exec", WHO_NAME);
                        run_result_free(&r);
                        free(two);
                        free(inside);
                        free(arg);
                        free(f);
                }
        }
}

/* In a profile file: names that are text are written literally (quoted);
 * any name reaches a profile through ${PWD}. */
Test(paths, profile_literal_and_pwd)
{
        char *lit = join(profiles, "literal.ini"), *pwd = join(profiles, "pwd.ini");
        char text[4096];
        int n = snprintf(text, sizeof(text), "[profile]\ninclude = default\n[filesystem]\nro-bind =");
        for (size_t i = 0; i < NNAMES; i++) {
                if (strchr(names[i], ':') || strchr(names[i], '\n') || (unsigned char)names[i][0] == 0xff)
                        continue;
                n += snprintf(text + n, sizeof(text) - (size_t)n, " \"");
                for (const char *c = dirs[i]; *c; c++) {
                        if (*c == '"' || *c == '\\')
                                text[n++] = '\\';
                        text[n++] = *c;
                }
                n += snprintf(text + n, sizeof(text) - (size_t)n, "\"");
        }
        snprintf(text + n, sizeof(text) - (size_t)n, "\n");
        cr_assert_eq(write_file(lit, text, 0644), 0);
        cr_assert_eq(write_file(pwd, "[profile]\ninclude = default\n[filesystem]\nro-bind = ${PWD}:/pwd\n", 0644), 0);
        FOR_EACH_USER {
                for (size_t i = 0; i < NNAMES; i++) {
                        struct run_result r;
                        char *f = join(dirs[i], "f");
                        if (!(strchr(names[i], ':') || strchr(names[i], '\n') || (unsigned char)names[i][0] == 0xff)) {
                                cr_assert_eq(run_cmd(WHO, NULL, 60, &r, (const char *const[]){
                                        sbx_bin(), "run", "--profile", lit, "--", "/bin/cat", f, NULL }), 0);
                                expect_hi(&r, i, "profile literal", WHO_NAME);
                                run_result_free(&r);
                        }
                        run_in(WHO, dirs[i], (const char *const[]){ sbx_bin(), "run", "--profile", pwd, "--",
                                                                     "/bin/cat", "/pwd/f", NULL }, &r);
                        expect_hi(&r, i, "profile ${PWD}", WHO_NAME);
                        run_result_free(&r);
                        free(f);
                }
        }
        free(lit);
        free(pwd);
}

/* The caller's working directory (the default profile's cwd-bind) and the
 * program's file arguments ([filesystem] args = ro). */
Test(paths, cwd_and_file_arguments)
{
        char *args = join(profiles, "args.ini"), *nocwd = join(profiles, "nocwd.ini");
        cr_assert_eq(write_file(args, "[profile]\ninclude = default\n[filesystem]\nargs = ro\ncwd-bind = none\n", 0644), 0);
        cr_assert_eq(write_file(nocwd, "[profile]\ninclude = default\n[filesystem]\ncwd-bind = none\n", 0644), 0);
        FOR_EACH_USER {
                for (size_t i = 0; i < NNAMES; i++) {
                        struct run_result r;
                        char *f = join(dirs[i], "f");
                        run_in(WHO, dirs[i], (const char *const[]){ sbx_bin(), "run", "--", "/bin/cat", "f", NULL }, &r);
                        expect_hi(&r, i, "cwd-bind", WHO_NAME);
                        run_result_free(&r);
                        run_in(WHO, dirs[i], (const char *const[]){ sbx_bin(), "run", "--profile", nocwd, "--",
                                                                     "/bin/cat", f, NULL }, &r);
                        cr_assert_neq(r.status, 0, "[%s] %s visible without cwd-bind", WHO_NAME, f);
                        run_result_free(&r);
                        cr_assert_eq(run_cmd(WHO, NULL, 60, &r, (const char *const[]){
                                sbx_bin(), "run", "--profile", args, "--", "/bin/cat", f, NULL }), 0);
                        expect_hi(&r, i, "file argument", WHO_NAME);
                        run_result_free(&r);
                        free(f);
                }
        }
        free(args);
        free(nocwd);
}

/* sbx_policy_add_bind() from this process (root), every name as source
 * and destination. */
Test(paths, library_add_bind)
{
        for (size_t i = 0; i < NNAMES; i++) {
                struct sbx_policy *p = NULL;
                struct sbx_error *e = NULL;
                cr_assert_eq(sbx_policy_new(&p), 0);
                cr_assert_eq(sbx_policy_load(p, "default", &e), 0, "%s", e ? sbx_error_message(e) : "");
                char *inside = NULL, *f = NULL;
                cr_assert_geq(asprintf(&inside, "/in/%s", names[i]), 0);
                cr_assert_geq(asprintf(&f, "%s/f", inside), 0);
                for (int with = 0; with < 2; with++) {
                        if (with)
                                cr_assert_eq(sbx_policy_add_bind(p, dirs[i], inside, SBX_BIND_RO, &e), 0,
                                             "name %zu: %s", i, e ? sbx_error_message(e) : "");
                        int out[2];
                        cr_assert_eq(pipe(out), 0);
                        const char *const argv[] = { "cat", f, NULL };
                        struct sbx_spawn_options o = { .size = sizeof(o), .file = "/bin/cat", .argv = argv,
                                                       .stdin_fd = -1, .stdout_fd = out[1], .stderr_fd = -1,
                                                       .log_fd = -1 };
                        struct sbx_process *proc = NULL;
                        cr_assert_eq(sbx_spawn(p, &o, &proc, &e), 0, "%s", e ? sbx_error_message(e) : "");
                        close(out[1]);
                        char buf[64] = { 0 };
                        ssize_t k = read(out[0], buf, sizeof(buf) - 1);
                        close(out[0]);
                        int st = -1;
                        cr_assert_eq(sbx_process_wait(proc, &st), 0);
                        sbx_process_free(proc);
                        if (!with) {
                                cr_assert(!WIFEXITED(st) || WEXITSTATUS(st) != 0, "name %zu visible unbound", i);
                                continue;
                        }
                        char want[32];
                        snprintf(want, sizeof(want), "hi %zu\n", i);
                        cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "name %zu: status %#x", i, st);
                        cr_assert(k > 0 && strcmp(buf, want) == 0, "name %zu: read '%s'", i, buf);
                }
                free(inside);
                free(f);
                sbx_policy_free(p);
        }
}

/* ---- nothing a sandbox could have prepared is followed (issue 17) ----
 * A sandbox with a writable directory leaves a symlink there (an archive
 * member the `archive` profile extracted, say); the next sbx must not
 * follow it into the caller's home.  Links are made as uid 65534: what a
 * sandbox of either caller runs as on the host. */

#define SECRET "SECRET-KEY-4f1d"

static char *sub_dir(const char *name, unsigned mode)
{
        char *d = join(root, name);
        cr_assert_eq(mkdir(d, mode), 0, "mkdir %s", d);
        cr_assert_eq(chown(d, 65534, 65534), 0);
        cr_assert_eq(chmod(d, mode), 0);
        return d;
}

/* A fake home with .ssh/id_rsa, owned by 65534 so that both callers can read it. */
static char *fake_home(const char *name)
{
        char *h = sub_dir(name, 0755), *ssh = join(h, ".ssh"), *key = join(ssh, "id_rsa");
        cr_assert_eq(mkdir(ssh, 0755), 0);
        cr_assert_eq(write_file(key, SECRET "\n", 0644), 0);
        cr_assert_eq(chown(ssh, 65534, 65534), 0);
        cr_assert_eq(chown(key, 65534, 65534), 0);
        free(ssh);
        free(key);
        return h;
}

static void plant(const char *target, const char *link)
{
        struct run_result r;
        cr_assert_eq(run_cmd(AS_USER, NULL, 30, &r, (const char *const[]){ "ln", "-s", target, link, NULL }), 0);
        cr_assert_eq(r.status, 0, "ln -s %s %s: %s", target, link, r.err);
        run_result_free(&r);
}

/* The issue's attack: `zz -> ~` planted in the output directory, then
 * `xmllint --noent *` on a document whose external entity reads
 * zz/.ssh/id_rsa, in document-converter (args = ro, cwd-bind = rw). */
Test(paths, argument_symlink_to_home)
{
        char *home = fake_home("home"), *w = sub_dir("w", 0777), *doc = join(w, "doc.xml");
        char *zz = join(w, "zz"), *env = NULL;
        cr_assert_eq(write_file(doc, "<?xml version=\"1.0\"?>\n<!DOCTYPE d [<!ENTITY x SYSTEM \"zz/.ssh/id_rsa\">]>\n"
                                     "<d>&x;</d>\n", 0644), 0);
        plant(home, zz);
        cr_assert_geq(asprintf(&env, "HOME=%s", home), 0);
        FOR_EACH_USER {
                struct run_result r;
                /* Without sbx the document reads the key. */
                run_in(WHO, w, (const char *const[]){ "xmllint", "--noent", "doc.xml", NULL }, &r);
                cr_assert(strstr(r.out, SECRET), "[%s] the attack does not work unconfined: %s%s", WHO_NAME,
                          r.out, r.err);
                run_result_free(&r);
                /* The link as an argument: refused, nothing runs. */
                run_in(WHO, w, (const char *const[]){ "env", env, sbx_bin(), "run", "--profile", "document-converter",
                                                      "--", "xmllint", "--noent", "doc.xml", "zz", NULL }, &r);
                cr_assert_eq(r.status, 2, "[%s] exit %d: %s", WHO_NAME, r.status, r.err);
                cr_assert(strstr(r.err, "argument zz: is a symlink; name the file itself"), "[%s] %s", WHO_NAME, r.err);
                cr_assert(!strstr(r.out, SECRET) && !strstr(r.err, SECRET), "[%s] the key leaked", WHO_NAME);
                run_result_free(&r);
                /* Naming a file through the link: refused too. */
                run_in(WHO, w, (const char *const[]){ "env", env, sbx_bin(), "run", "--profile", "document-converter",
                                                      "--", "xmllint", "zz/.ssh/id_rsa", NULL }, &r);
                cr_assert_eq(r.status, 2, "[%s] exit %d: %s", WHO_NAME, r.status, r.err);
                cr_assert(strstr(r.err, "argument zz/.ssh/id_rsa: goes through the symlink") &&
                                  strstr(r.err, "which a sandbox could have made"),
                          "[%s] %s", WHO_NAME, r.err);
                cr_assert(!strstr(r.out, SECRET), "[%s] the key leaked", WHO_NAME);
                run_result_free(&r);
                /* The document alone runs; the link leads nowhere inside. */
                run_in(WHO, w, (const char *const[]){ "env", env, sbx_bin(), "run", "--profile", "document-converter",
                                                      "--", "xmllint", "--noent", "doc.xml", NULL }, &r);
                cr_assert(!strstr(r.out, SECRET) && !strstr(r.err, SECRET), "[%s] the key leaked", WHO_NAME);
                cr_assert(!strstr(r.err, "sbx:"), "[%s] %s", WHO_NAME, r.err);
                run_result_free(&r);
        }
        free(env);
        free(zz);
        free(doc);
        free(w);
        free(home);
}

/* A listening socket in a directory: a read-only bind does not stop
 * connect() on a pathname socket, so a file argument must never bind the
 * directory a planted link leads to, even where directories are allowed. */
Test(paths, argument_symlink_to_socket_directory)
{
        char *s = sub_dir("sockdir", 0755), *sock = join(s, "sock"), *w = sub_dir("w", 0777);
        char *l = join(w, "l"), *lsock = join(l, "sock"), *opt_sock = NULL;
        char *dirs_ok = join(profiles, "dirs.ini"), *files = join(profiles, "files.ini");
        cr_assert_eq(write_file(dirs_ok, "[profile]\ninclude = default\n[filesystem]\nargs = ro\nargs-dirs = yes\n"
                                         "cwd-bind = none\n", 0644), 0);
        cr_assert_eq(write_file(files, "[profile]\ninclude = default\n[filesystem]\nargs = ro\ncwd-bind = none\n",
                                0644), 0);
        int ls = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        struct sockaddr_un a = { .sun_family = AF_UNIX };
        cr_assert(ls >= 0 && strlen(sock) < sizeof(a.sun_path));
        strcpy(a.sun_path, sock);
        cr_assert_eq(bind(ls, (struct sockaddr *)&a, sizeof(a)), 0);
        cr_assert_eq(chmod(sock, 0777), 0);
        cr_assert_eq(listen(ls, 64), 0);
        plant(s, l);
        cr_assert_geq(asprintf(&opt_sock, "-%s", sock), 0); /* not a file argument */
        FOR_EACH_USER {
                struct run_result r;
                cr_assert_eq(run_cmd(WHO, NULL, 30, &r, (const char *const[]){ probe_bin(), "connect-unix", lsock,
                                                                               NULL }), 0);
                cr_assert(strstr(r.out, "OK connect"), "[%s] unconfined: %s%s", WHO_NAME, r.out, r.err);
                run_result_free(&r);
                /* Bound read-only, the socket still answers: binding the
                 * directory is the hole. */
                cr_assert_eq(run_cmd(WHO, NULL, 30, &r, (const char *const[]){ sbx_bin(), "run", "--profile", "default",
                                "--ro-bind", probe_bin(), "--ro-bind", s, "--", probe_bin(), "connect-unix", sock,
                                NULL }), 0);
                cr_assert(strstr(r.out, "OK connect"), "[%s] through a ro-bind: %s%s", WHO_NAME, r.out, r.err);
                run_result_free(&r);
                for (int opt = 0; opt < 2; opt++) {
                        cr_assert_eq(run_cmd(WHO, NULL, 30, &r, (const char *const[]){ sbx_bin(), "run", "--profile",
                                        opt ? dirs_ok : files, "--ro-bind", probe_bin(), "--", probe_bin(),
                                        "connect-unix", lsock, l, NULL }), 0);
                        cr_assert_eq(r.status, 2, "[%s] exit %d: %s%s", WHO_NAME, r.status, r.out, r.err);
                        cr_assert(strstr(r.err, "goes through the symlink"), "[%s] %s", WHO_NAME, r.err);
                        cr_assert(!strstr(r.out, "OK connect"), "[%s] connected", WHO_NAME);
                        run_result_free(&r);
                        cr_assert_eq(run_cmd(WHO, NULL, 30, &r, (const char *const[]){ sbx_bin(), "run", "--profile",
                                        opt ? dirs_ok : files, "--ro-bind", probe_bin(), "--", probe_bin(),
                                        "connect-unix", opt_sock, l, NULL }), 0);
                        cr_assert_eq(r.status, 2, "[%s] exit %d: %s%s", WHO_NAME, r.status, r.out, r.err);
                        cr_assert(strstr(r.err, "is a symlink; name the file itself"), "[%s] %s", WHO_NAME, r.err);
                        cr_assert(!strstr(r.out, "OK connect"), "[%s] connected", WHO_NAME);
                        run_result_free(&r);
                }
                /* The directory by its own name: only where the profile allows directories. */
                for (int opt = 0; opt < 2; opt++) {
                        cr_assert_eq(run_cmd(WHO, NULL, 30, &r, (const char *const[]){ sbx_bin(), "run", "--profile",
                                        opt ? dirs_ok : files, "--ro-bind", probe_bin(), "--", probe_bin(),
                                        "connect-unix", opt_sock, s, NULL }), 0);
                        if (opt) {
                                cr_assert(strstr(r.out, "OK connect"), "[%s] args-dirs: %s%s", WHO_NAME, r.out, r.err);
                        } else {
                                cr_assert_eq(r.status, 2, "[%s] exit %d: %s", WHO_NAME, r.status, r.err);
                                cr_assert(strstr(r.err, "is a directory"), "[%s] %s", WHO_NAME, r.err);
                        }
                        run_result_free(&r);
                }
                /* The socket itself is no file to bind. */
                cr_assert_eq(run_cmd(WHO, NULL, 30, &r, (const char *const[]){ sbx_bin(), "run", "--profile", dirs_ok,
                                "--ro-bind", probe_bin(), "--", probe_bin(), "connect-unix", sock, NULL }), 0);
                cr_assert_eq(r.status, 2, "[%s] exit %d: %s", WHO_NAME, r.status, r.err);
                cr_assert(strstr(r.err, "is a socket"), "[%s] %s", WHO_NAME, r.err);
                run_result_free(&r);
        }
        close(ls);
        free(opt_sock);
        free(files);
        free(dirs_ok);
        free(lsock);
        free(l);
        free(w);
        free(sock);
        free(s);
}

/* `..` names the parent of wherever the walk got to: refused. */
Test(paths, argument_dotdot)
{
        char *w = sub_dir("w", 0755), *in = join(w, "in"), *secret = join(w, "secret");
        char *args = join(profiles, "args.ini");
        cr_assert_eq(mkdir(in, 0755), 0);
        cr_assert_eq(write_file(secret, SECRET "\n", 0644), 0);
        cr_assert_eq(write_file(args, "[profile]\ninclude = default\n[filesystem]\nargs = ro\nargs-dirs = yes\n", 0644), 0);
        FOR_EACH_USER {
                struct run_result r;
                run_in(WHO, in, (const char *const[]){ "cat", "../secret", NULL }, &r);
                cr_assert(strstr(r.out, SECRET), "[%s] unconfined: %s", WHO_NAME, r.err);
                run_result_free(&r);
                const char *const tries[][2] = { { "../secret", "/bin/cat" }, { "..", "/bin/ls" } };
                for (size_t t = 0; t < 2; t++) {
                        run_in(WHO, in, (const char *const[]){ sbx_bin(), "run", "--profile", args, "--",
                                                               tries[t][1], tries[t][0], NULL }, &r);
                        cr_assert_eq(r.status, 2, "[%s] %s: exit %d: %s", WHO_NAME, tries[t][0], r.status, r.err);
                        cr_assert(strstr(r.err, "has a '..' component"), "[%s] %s", WHO_NAME, r.err);
                        cr_assert(!strstr(r.out, SECRET) && !strstr(r.out, "secret"), "[%s] %s", WHO_NAME, r.out);
                        run_result_free(&r);
                }
                /* What does not exist is no file: skipped, as options and URLs are. */
                run_in(WHO, in, (const char *const[]){ sbx_bin(), "run", "--profile", args, "--", "/bin/echo",
                                                       "../nothing", "http://x/../y", NULL }, &r);
                cr_assert_eq(r.status, 0, "[%s] exit %d: %s", WHO_NAME, r.status, r.err);
                run_result_free(&r);
        }
        free(args);
        free(secret);
        free(in);
        free(w);
}

/* The working directory is bound as the object it is, not as whatever
 * its path leads to a moment later.  A sandbox that can write the parent
 * of `sub` swaps `sub` and a symlink to the home (renameat2 EXCHANGE, in a
 * tight loop) while the caller, whose cwd is `sub`, starts `sbx run
 * --profile shell` (cwd-bind = rw) there.  Each launch either binds `sub`
 * or fails (ESTALE); the marker the program writes into its working
 * directory must never land in the home. */

static pid_t start_swapper(const char *a, const char *b)
{
        pid_t pid = fork();
        cr_assert_geq(pid, 0);
        if (pid == 0) {
                if (setgroups(0, NULL) < 0 || setresgid(65534, 65534, 65534) < 0 ||
                    setresuid(65534, 65534, 65534) < 0)
                        _exit(1);
                for (;;)
                        (void)renameat2(AT_FDCWD, a, AT_FDCWD, b, RENAME_EXCHANGE);
        }
        return pid;
}

static void stop(pid_t pid)
{
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
}

/* One launch with the working directory subfd; exit status. */
static int launch_in(int who, int subfd, const char *home)
{
        pid_t pid = fork();
        cr_assert_geq(pid, 0);
        if (pid == 0) {
                int null = open("/dev/null", O_RDWR | O_CLOEXEC);
                if (null < 0 || dup2(null, 1) < 0 || dup2(null, 2) < 0)
                        _exit(120);
                if (who == AS_USER && (setgroups(0, NULL) < 0 || setresgid(65534, 65534, 65534) < 0 ||
                                       setresuid(65534, 65534, 65534) < 0))
                        _exit(121);
                if (fchdir(subfd) < 0 || setenv("HOME", home, 1) < 0)
                        _exit(122);
                execl(sbx_bin(), "sbx", "run", "--profile", "shell", "--", "/bin/sh", "-c", "echo x > marker",
                      (char *)NULL);
                _exit(127);
        }
        int st;
        cr_assert_eq(waitpid(pid, &st, 0), pid);
        return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

Test(paths, cwd_swap_race, .timeout = 120)
{
        FOR_EACH_USER {
                char name[32];
                snprintf(name, sizeof(name), "race-%s", WHO_NAME);
                char *base = sub_dir(name, 0755), *sub = join(base, "sub"), *lnk = join(base, "lnk");
                char *home = join(base, "home"), *caller_home = join(base, "caller");
                char *in_home = join(home, "marker"), *in_sub = join(sub, "marker");
                cr_assert_eq(mkdir(sub, 0755), 0);
                cr_assert_eq(mkdir(home, 0755), 0);
                cr_assert_eq(mkdir(caller_home, 0755), 0);
                cr_assert_eq(chown(sub, 65534, 65534), 0);
                cr_assert_eq(chown(home, 65534, 65534), 0);
                cr_assert_eq(chown(caller_home, 65534, 65534), 0);
                plant(home, lnk);
                int subfd = open(sub, O_PATH | O_DIRECTORY | O_CLOEXEC);
                cr_assert_geq(subfd, 0);
                struct stat want_home;
                cr_assert_eq(stat(home, &want_home), 0);

                /* Without the swapper the program writes into sub. */
                int st = launch_in(WHO, subfd, caller_home);
                cr_assert_eq(st, 0, "[%s] plain launch: exit %d", WHO_NAME, st);
                cr_assert_eq(unlink(in_sub), 0, "[%s] no marker in sub", WHO_NAME);

                pid_t swapper = start_swapper(sub, lnk);
                /* The race is real: the old sequence (the cwd's path, then
                 * the path opened again, following symlinks, as open_tree
                 * did in the child) reaches the home.  getcwd() names the
                 * directory itself, wherever it is at that moment; a moment
                 * later that name is the symlink. */
                unsigned won = 0;
                cr_assert_eq(fchdir(subfd), 0);
                for (unsigned i = 0; i < 200000 && won < 3; i++) {
                        char cwd[PATH_MAX];
                        struct stat got;
                        if (getcwd(cwd, sizeof(cwd)) && stat(cwd, &got) == 0 &&
                            got.st_dev == want_home.st_dev && got.st_ino == want_home.st_ino)
                                won++;
                }
                cr_assert_eq(chdir("/"), 0);
                cr_assert_geq(won, 1, "[%s] the path-based sequence never lost the race: the test proves nothing",
                              WHO_NAME);

                /* sbx: never the home. */
                unsigned ok = 0, failed = 0, rounds = 0;
                time_t end = time(NULL) + 8;
                for (; rounds < 300 && time(NULL) < end; rounds++) {
                        st = launch_in(WHO, subfd, caller_home);
                        cr_assert(access(in_home, F_OK) < 0, "[%s] round %u: the sandbox wrote into the home",
                                  WHO_NAME, rounds);
                        if (st == 0)
                                ok++;
                        else
                                failed++;
                        char *m = NULL;
                        /* sub's marker, under whichever name sub has now */
                        cr_assert_geq(asprintf(&m, "/proc/self/fd/%d/marker", subfd), 0);
                        (void)unlink(m);
                        free(m);
                }
                stop(swapper);
                cr_assert_gt(ok, 0, "[%s] no launch succeeded during the race", WHO_NAME);
                cr_log_info("[%s] %u rounds: %u launched in sub, %u refused; the path-based sequence won %u times",
                            WHO_NAME, rounds, ok, failed, won);
                close(subfd);
                free(base);
                free(sub);
                free(lnk);
                free(home);
                free(caller_home);
                free(in_home);
                free(in_sub);
        }
}

/* A profile bind by name (`~/Downloads`) that a sandbox replaced with a
 * link to the home: refused, unless the target is shown anyway by another
 * bind of the profile (as writable, if this one is writable). */
Test(paths, profile_bind_through_planted_link)
{
        char *home = fake_home("home"), *dl = join(home, "Downloads"), *key = join(dl, ".ssh/id_rsa");
        char *data = join(home, "data"), *dl2 = join(home, "Music"), *f2 = join(dl2, "f");
        char *f = join(data, "f");
        cr_assert_eq(mkdir(data, 0755), 0);
        cr_assert_eq(write_file(f, "data\n", 0644), 0);
        plant(home, dl);
        plant(data, dl2);
        /* data_key: how home/data is bound (NULL: not); link_key: the link */
        const struct { const char *name, *data_key, *link_key, *link; bool ok; } cases[] = {
                { "dl.ini", NULL, "bind = ", dl, false },
                { "dl-ro.ini", NULL, "ro-bind = ", dl, false },
                { "dl-opt.ini", NULL, "bind = -", dl, false },
                { "music.ini", NULL, "ro-bind = ", dl2, false },
                { "music-data.ini", "ro-bind", "ro-bind = ", dl2, true },
                { "music-data-rw.ini", "ro-bind", "bind = ", dl2, false },
                { "music-data-rw-rw.ini", "bind", "bind = ", dl2, true },
        };
        FOR_EACH_USER {
                struct run_result r;
                cr_assert_eq(run_cmd(WHO, NULL, 30, &r, (const char *const[]){ "cat", key, NULL }), 0);
                cr_assert(strstr(r.out, SECRET), "[%s] unconfined: %s", WHO_NAME, r.err);
                run_result_free(&r);
                for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
                        char *prof = join(profiles, cases[c].name), *text = NULL, *body = NULL;
                        if (cases[c].data_key)
                                cr_assert_geq(asprintf(&body, "%s = %s\n", cases[c].data_key, data), 0);
                        cr_assert_geq(asprintf(&text, "[profile]\ninclude = default\n[filesystem]\n%s%s%s\n",
                                               body ? body : "", cases[c].link_key, cases[c].link), 0);
                        cr_assert_eq(write_file(prof, text, 0644), 0);
                        cr_assert_eq(run_cmd(WHO, NULL, 30, &r, (const char *const[]){ sbx_bin(), "run", "--profile",
                                                                                      prof, "--", "/bin/cat",
                                                                                      cases[c].link == dl ? key : f2,
                                                                                      NULL }), 0);
                        if (cases[c].ok) {
                                cr_assert_eq(r.status, 0, "[%s] %s: exit %d: %s", WHO_NAME, cases[c].name, r.status,
                                             r.err);
                                cr_assert_str_eq(r.out, "data\n", "[%s] %s", WHO_NAME, cases[c].name);
                        } else {
                                cr_assert_eq(r.status, 2, "[%s] %s: exit %d: %s", WHO_NAME, cases[c].name, r.status,
                                             r.err);
                                cr_assert(strstr(r.err, "goes through the symlink") &&
                                                  strstr(r.err, "which a sandbox could have made"),
                                          "[%s] %s: %s", WHO_NAME, cases[c].name, r.err);
                                cr_assert(!strstr(r.out, SECRET), "[%s] %s: the key leaked", WHO_NAME, cases[c].name);
                        }
                        run_result_free(&r);
                        free(prof);
                        free(text);
                        free(body);
                }
        }
        free(f);
        free(f2);
        free(dl2);
        free(data);
        free(key);
        free(dl);
        free(home);
}
