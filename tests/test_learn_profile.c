/* test_learn_profile.c — sbx learn's generator (lib/report/learn_*.c) fed
 * with records by hand, no sandbox: what becomes a bind and how it
 * collapses, what is never bound (/, a top-level directory, the home,
 * persistence points), programs, network, syscall groups, W^X, malformed
 * records, and that the result is a profile sbx loads.  Runs in the unit
 * suite, so under ASan and UBSan too. */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sbx.h"
#include "harness.h"

static char *dir, *home;
static struct sbx_policy *base;
static struct sbx_learn *l;

static void mk(const char *rel, bool is_dir)
{
        char p[4096];
        snprintf(p, sizeof(p), "%s/%s", dir, rel);
        if (is_dir)
                cr_assert_eq(mkdir(p, 0755), 0, "%s", p);
        else
                cr_assert_eq(write_file(p, "x\n", 0644), 0, "%s", p);
}

static void rec(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void rec(const char *fmt, ...)
{
        char line[8192];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(line, sizeof(line), fmt, ap);
        va_end(ap);
        cr_assert_eq(sbx_learn_record(l, line), 1, "not taken: %s", line);
}

static void setup(void)
{
        dir = make_tmpdir();
        cr_assert(dir);
        mk("data", true);
        mk("data/a", false);
        mk("data/b", false);
        mk("data/c", false);
        mk("one", true);
        mk("one/conf", false);
        mk("out", true);
        mk("home", true);
        mk("home/.ssh", true);
        mk("home/.ssh/id", false);
        mk("cwd", true);
        cr_assert(asprintf(&home, "%s/home", dir) > 0);
        setenv("HOME", home, 1);
        /* The default base shows the working directory: one of its own. */
        char cwd[4200];
        snprintf(cwd, sizeof(cwd), "%s/cwd", dir);
        cr_assert_eq(chdir(cwd), 0);
        struct sbx_error *e = NULL;
        cr_assert_eq(sbx_policy_new(&base), 0);
        cr_assert_eq(sbx_policy_load(base, "default", &e), 0, "%s", e ? sbx_error_message(e) : "");
        static const char *const argv[] = { "true", NULL };
        struct sbx_spawn_options o = { .size = sizeof(o), .file = "/bin/true", .argv = argv, .log_fd = -1 };
        cr_assert_eq(sbx_learn_new(base, "default", &o, &l, &e), 0, "%s", e ? sbx_error_message(e) : "");
}

static void teardown(void)
{
        sbx_learn_free(l);
        sbx_policy_free(base);
        cr_assert_eq(chdir("/"), 0);
        char cmd[4200];
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
        (void)!system(cmd);
        free(dir);
        free(home);
}

TestSuite(learn_profile, .init = setup, .fini = teardown);

static char *profile(void)
{
        char *text = NULL;
        struct sbx_error *e = NULL;
        cr_assert_eq(sbx_learn_profile(l, &text, &e), 0);
        /* What sbx learn writes, sbx reads. */
        struct sbx_policy *q = NULL;
        cr_assert_eq(sbx_policy_new(&q), 0);
        cr_assert_eq(sbx_policy_load_string(q, text, "learned", &e), 0, "%s\n%s", e ? sbx_error_message(e) : "",
                     text);
        sbx_policy_free(q);
        return text;
}

static bool has_line(const char *text, const char *start)
{
        for (const char *s = text; s; s = strchr(s, '\n')) {
                if (*s == '\n')
                        s++;
                if (strncmp(s, start, strlen(start)) == 0)
                        return true;
        }
        return false;
}

Test(learn_profile, files_collapse_and_writes)
{
        rec("sbx-learn openat 3 0x80000 %s/data/a", dir);
        rec("sbx-learn openat 3 0x0 %s/data/b", dir);
        rec("sbx-learn newfstatat 3 %s/data/c", dir);
        rec("sbx-learn openat 3 0x0 %s/one/conf", dir);
        rec("sbx-learn openat 3 0x241 %s/out/new.txt", dir);
        rec("sbx-learn openat 3 0x0 %s/one/missing", dir);       /* a probe */
        rec("sbx-learn openat 3 0x80000 /usr/lib/os-release");    /* the base shows /usr */
        char *t = profile();
        char want[4200];
        snprintf(want, sizeof(want), "ro-bind = %s/data  ;", dir);
        cr_assert(has_line(t, want), "three files of one directory: the directory\n%s", t);
        snprintf(want, sizeof(want), "ro-bind = %s/one/conf  ;", dir);
        cr_assert(has_line(t, want), "one file alone\n%s", t);
        snprintf(want, sizeof(want), "bind = %s/out  ;", dir);
        cr_assert(has_line(t, want), "created in: writable\n%s", t);
        cr_assert(!strstr(t, "missing") && !strstr(t, "os-release"), "%s", t);
        const char *const *w = sbx_learn_written(l);
        cr_assert(w[0] && strstr(w[0], "/out/new.txt") && !w[1], "written: %s", w[0] ? w[0] : "none");
        free(t);
}

Test(learn_profile, never_root_top_level_home_or_persistence)
{
        rec("sbx-learn openat 3 0x0 %s/.ssh/id", home);
        rec("sbx-learn openat 3 0x241 %s/in-home.txt", home);   /* created in the home itself */
        rec("sbx-learn openat 3 0x241 /created-at-root");
        rec("sbx-learn openat 3 0x80000 /");
        char *t = profile();
        for (const char *s = strstr(t, "\n["); s; s = strchr(s + 1, '\n'))
                cr_assert(s[1] == ';' || s[1] == '[' || (!strstr(s + 1, ".ssh") && strncmp(s + 1, "bind = / ", 9) != 0),
                          "%s", t);
        cr_assert(!has_line(t, "bind = /  ") && !has_line(t, "ro-bind = /  "), "%s", t);
        char want[4200];
        snprintf(want, sizeof(want), "bind = %s  ", home);
        cr_assert(!has_line(t, want), "binds the home\n%s", t);
        bool said_ssh = false, said_home = false;
        for (const char *const *n = sbx_learn_notes(l); *n; n++) {
                said_ssh |= strstr(*n, ".ssh") != NULL;
                said_home |= strstr(*n, home) != NULL && strstr(*n, "too much") != NULL;
        }
        cr_assert(said_ssh && said_home, "what was not learned is said");
        free(t);
}

Test(learn_profile, programs_network_syscalls_wx)
{
        rec("sbx-learn execve 4 /usr/bin/sort");
        rec("sbx-learn connect 4 2 443 0a000001");
        rec("sbx-learn bind 4 2 8080 7f000001");
        rec("sbx-learn syscall setresuid 4");
        rec("sbx-learn syscall setresuid 4");
        rec("sbx-learn syscall setresgid 4");
        rec("sbx-learn refused ptrace 4");
        char *t = profile();
        cr_assert(has_line(t, "allow = /usr/bin/sort  ;"), "%s", t);
        cr_assert(has_line(t, "allow = !/usr/bin  ;"), "the base's directory goes\n%s", t);
        cr_assert(has_line(t, "mode = host  ;"), "%s", t);
        cr_assert(has_line(t, "tcp-connect = 443  ;") && has_line(t, "tcp-bind = 8080  ;"), "%s", t);
        cr_assert(has_line(t, "allow = @setuid  ; setresuid (2 calls) setresgid (1 call)"), "%s", t);
        /* The default base allows W+X memory; this run never needed it. */
        cr_assert(has_line(t, "wx = yes  ;"), "%s", t);
        cr_assert(!strstr(t, "ptrace") || strstr(t, "ptrace") > strstr(t, "\n["), "%s", t);
        bool said = false;
        for (const char *const *n = sbx_learn_notes(l); *n; n++)
                said |= strstr(*n, "ptrace") != NULL;
        cr_assert(said, "an always-denied call is said, not learned");
        free(t);
}

Test(learn_profile, wx_needed_and_malformed_records)
{
        rec("sbx-learn wx mprotect 4");
        cr_assert_eq(sbx_learn_record(l, "some warning from sbx\n"), 0);
        /* Malformed or hostile records: taken, never trusted. */
        rec("sbx-learn openat");
        rec("sbx-learn openat 3");
        rec("sbx-learn openat 3 0x0 relative/path");
        rec("sbx-learn openat 3 0x0 /\\xzz\\x");
        rec("sbx-learn connect 3 2");
        rec("sbx-learn connect 3 10 99999 zz");
        rec("sbx-learn family socket 3 999");
        rec("sbx-learn execve 3 /../../../etc/../usr/bin/sort");
        char *t = profile();
        cr_assert(!has_line(t, "wx = "), "the default base already allows it\n%s", t);
        cr_assert(has_line(t, "allow = /usr/bin/sort  ;"), "%s", t);
        free(t);
}
