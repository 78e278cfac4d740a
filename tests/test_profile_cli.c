/* test_profile_cli.c — `sbx check`, `sbx show` and `sbx list`: exit codes
 * and messages, run as root and as an unprivileged user through the real
 * launcher (harness.h run_sbx). */
#include <criterion/criterion.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "harness.h"

static const int whos[] = { AS_ROOT, AS_USER };
#define WHO_NAME (whos[wi] == AS_ROOT ? "root" : "user")

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *f)
{
        (void)st, (void)flag, (void)f;
        return remove(path);
}

static char *dir;

static char *in_dir(const char *name)
{
        char *s = NULL;
        cr_assert(asprintf(&s, "%s/%s", dir, name) > 0);
        return s;
}

static void put(const char *name, const char *content)
{
        char *p = in_dir(name);
        cr_assert_eq(write_file(p, content, 0644), 0);
        free(p);
}

static void setup(void)
{
        dir = make_tmpdir();
        cr_assert_not_null(dir);
        char *xdg = in_dir("xdg");
        mkdir(xdg, 0755);
        setenv("XDG_CONFIG_HOME", xdg, 1);
        free(xdg);
        put("good.ini", "[profile]\ndescription = A good one\n[namespaces]\nhostname = good\n"
                        "[filesystem]\nro-bind = /usr\n");
        put("bad.ini", "[profile]\nname = bad\n[exec]\nallowed = /usr/bin\n");
        put("many.ini", "[profile]\ninclude = default\n[filesytem]\nro-bind = /x\n[exec]\nallowed = /usr/bin\n"
                        "deny = relative\n[network]\nallow = /usr\n[landlock]\nenabld = yes\nnothing-like-it = 1\n");
        put("warn.ini", "[exec]\nallow = /usr/bin /nonexistent/bin\n");
}

static void teardown(void)
{
        nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
        free(dir);
}

TestSuite(profile_cli, .init = setup, .fini = teardown);

Test(profile_cli, check)
{
        char *good = in_dir("good.ini"), *bad = in_dir("bad.ini"), *warn = in_dir("warn.ini"), *want = NULL;
        for (size_t wi = 0; wi < 2; wi++) {
                struct run_result r;
                cr_assert_eq(run_sbx(whos[wi], &r, "check", good, NULL), 0);
                cr_assert_eq(r.status, 0, "[%s] %s", WHO_NAME, r.err);
                cr_assert(strstr(r.out, ": ok"), "[%s] %s", WHO_NAME, r.out);
                cr_assert_str_eq(r.err, "");
                run_result_free(&r);

                cr_assert_eq(run_sbx(whos[wi], &r, "check", bad, NULL), 0);
                cr_assert_eq(r.status, 2, "[%s] %d", WHO_NAME, r.status);
                cr_assert(asprintf(&want, "%s:4: unknown key 'allowed' in [exec] (did you mean 'allow'?)\n", bad) > 0);
                cr_assert_str_eq(r.err, want, "[%s]", WHO_NAME);
                free(want);
                run_result_free(&r);

                /* Every error of a file at once, in line order, each with
                 * its line; a misspelt section or key gets a suggestion. */
                char *many = in_dir("many.ini");
                cr_assert_eq(run_sbx(whos[wi], &r, "check", many, NULL), 0);
                cr_assert_eq(r.status, 2, "[%s] %d", WHO_NAME, r.status);
                cr_assert(asprintf(&want,
                                   "%s:3: unknown section [filesytem] (did you mean [filesystem]?)\n"
                                   "%s:6: unknown key 'allowed' in [exec] (did you mean 'allow'?)\n"
                                   "%s:7: [exec] deny: path must be absolute: 'relative'\n"
                                   "%s:9: unknown key 'allow' in [network] (it is a key of [exec])\n"
                                   "%s:11: unknown key 'enabld' in [landlock] (did you mean 'enabled'?)\n"
                                   "%s:12: unknown key 'nothing-like-it' in [landlock]\n",
                                   many, many, many, many, many, many) > 0);
                cr_assert_str_eq(r.err, want, "[%s]", WHO_NAME);
                free(want);
                free(many);
                run_result_free(&r);

                cr_assert_eq(run_sbx(whos[wi], &r, "check", good, bad, "default", NULL), 0);
                cr_assert_eq(r.status, 2, "[%s] one bad profile fails the check", WHO_NAME);
                cr_assert(strstr(r.out, "default: ok"), "[%s] %s", WHO_NAME, r.out);
                run_result_free(&r);

                cr_assert_eq(run_sbx(whos[wi], &r, "check", "-q", warn, NULL), 0);
                cr_assert_eq(r.status, 0, "[%s] warnings do not fail: %s", WHO_NAME, r.err);
                cr_assert_str_eq(r.out, "");
                cr_assert(asprintf(&want, "note: %s:2: allow-list entry /nonexistent/bin does not exist on this machine\n",
                                   warn) > 0);
                cr_assert_str_eq(r.err, want, "[%s]", WHO_NAME);
                free(want);
                run_result_free(&r);

                cr_assert_eq(run_sbx(whos[wi], &r, "check", "nosuchprofile", NULL), 0);
                cr_assert_eq(r.status, 2);
                cr_assert(strstr(r.err, "nosuchprofile: no such profile in the search path"), "%s", r.err);
                run_result_free(&r);

                cr_assert_eq(run_sbx(whos[wi], &r, "check", NULL), 0);
                cr_assert_eq(r.status, 2);
                run_result_free(&r);
        }
        free(good);
        free(bad);
        free(warn);
}

Test(profile_cli, show)
{
        char *good = in_dir("good.ini"), *bad = in_dir("bad.ini"), *shown = in_dir("shown.ini");
        for (size_t wi = 0; wi < 2; wi++) {
                struct run_result r;
                cr_assert_eq(run_sbx(whos[wi], &r, "show", "--profile", good, NULL), 0);
                cr_assert_eq(r.status, 0, "[%s] %s", WHO_NAME, r.err);
                const char *sections[] = { "[profile]", "[namespaces]", "[filesystem]", "[network]", "[exec]",
                                           "[seccomp]", "[capabilities]", "[limits]", "[environment]",
                                           "[landlock]", "[process]" };
                for (size_t i = 0; i < sizeof(sections) / sizeof(sections[0]); i++)
                        cr_assert(strstr(r.out, sections[i]), "[%s] no %s in\n%s", WHO_NAME, sections[i], r.out);
                cr_assert(strstr(r.out, "\nname = good  ; "), "%s", r.out);
                cr_assert(strstr(r.out, "\nhostname = good  ; "), "%s", r.out);
                cr_assert(strstr(r.out, "\nallow = @default\n"), "%s", r.out);
                cr_assert(strstr(r.out, "\nkeep = TERM\n"), "%s", r.out);
                cr_assert_null(strstr(r.out, "include ="), "includes are merged");
                cr_assert_eq(write_file(shown, r.out, 0644), 0);
                run_result_free(&r);

                /* What show prints is a profile check accepts. */
                cr_assert_eq(run_sbx(whos[wi], &r, "check", shown, NULL), 0);
                cr_assert_eq(r.status, 0, "[%s] %s", WHO_NAME, r.err);
                run_result_free(&r);

                cr_assert_eq(run_sbx(whos[wi], &r, "show", "default", "--set", "network.mode=host", NULL), 0);
                cr_assert_eq(r.status, 0, "[%s] %s", WHO_NAME, r.err);
                cr_assert(strstr(r.out, "\nmode = host  ; command line\n"), "%s", r.out);
                cr_assert(strstr(r.out, "; included: "), "%s", r.out);
                run_result_free(&r);

                cr_assert_eq(run_sbx(whos[wi], &r, "show", bad, NULL), 0);
                cr_assert_eq(r.status, 2);
                cr_assert(strstr(r.err, ":4: unknown key 'allowed' in [exec]"), "%s", r.err);
                run_result_free(&r);

                cr_assert_eq(run_sbx(whos[wi], &r, "show", "default", "--set", "exec.allow=relative", NULL), 0);
                cr_assert_eq(r.status, 2);
                cr_assert(strstr(r.err, "command line: [exec] allow: path must be absolute"), "%s", r.err);
                run_result_free(&r);
        }
        free(good);
        free(bad);
        free(shown);
}

Test(profile_cli, list)
{
        char *d1 = in_dir("one"), *d2 = in_dir("two"), *env = NULL, *want = NULL;
        mkdir(d1, 0755);
        mkdir(d2, 0755);
        put("one/same.ini", "[profile]\ndescription = The first\n");
        put("two/same.ini", "[profile]\ndescription = The second\n");
        put("two/other.ini", "[profile]\n");
        put("two/long.ini", "[profile]\ndescription = A description far longer than the column is wide, "
                            "with words — and a dash — that wrap onto lines of their own\n");
        cr_assert(asprintf(&env, "%s:%s", d1, d2) > 0);
        char *old = getenv("SBX_PROFILE_PATH") ? strdup(getenv("SBX_PROFILE_PATH")) : NULL;
        setenv("SBX_PROFILE_PATH", env, 1);
        for (size_t wi = 0; wi < 2; wi++) {
                struct run_result r;
                cr_assert_eq(run_sbx(whos[wi], &r, "list", NULL), 0);
                cr_assert_eq(r.status, 0, "[%s] %s", WHO_NAME, r.err);
                cr_assert(strncmp(r.out, "NAME ", 5) == 0, "%s", r.out);
                char *first = strstr(r.out, "\nsame "), *second = first ? strstr(first + 1, "\nsame ") : NULL;
                cr_assert(first && second, "%s", r.out);
                cr_assert(strstr(first, "The first") < second, "%s", r.out);
                cr_assert(strstr(second, "The second"), "%s", r.out);
                cr_assert(asprintf(&want, "  %s/same.ini (shadowed by %s/same.ini)\n", d2, d1) > 0);
                cr_assert(strstr(second, want), "[%s] want %s in\n%s", WHO_NAME, want, r.out);
                free(want);
                cr_assert(strstr(r.out, "\nother "), "%s", r.out);
                /* PATH starts in the same column on every line, however
                 * long a description is (it is cut). */
                const char *nl = strchr(r.out, '\n');
                cr_assert(nl);
                size_t col = (size_t)(strstr(r.out, "PATH") - r.out);
                cr_assert_lt(col, (size_t)(nl - r.out));
                for (const char *l = nl + 1; *l; l = strchr(l, '\n') + 1) {
                        const char *e = strchr(l, '\n'), *p1 = strstr(l, d1), *p2 = strstr(l, d2);
                        const char *path = p1 && (!p2 || p1 < p2) ? p1 : p2;
                        cr_assert(e);
                        if (path && path < e) {
                                size_t c = 0;
                                for (const char *q = l; q < path; q++)
                                        c += ((unsigned char)*q & 0xc0) != 0x80;
                                cr_assert_eq(c, col, "[%s] misaligned: %.*s", WHO_NAME, (int)(e - l), l);
                        }
                }
                cr_assert(strstr(r.out, "A description far longer") && strstr(r.out, "...") &&
                                  !strstr(r.out, "lines of their own"),
                          "one line per profile, the description cut: %s", r.out);
                run_result_free(&r);

                cr_assert_eq(run_sbx(whos[wi], &r, "list", "extra", NULL), 0);
                cr_assert_eq(r.status, 2);
                run_result_free(&r);
        }
        if (old)
                setenv("SBX_PROFILE_PATH", old, 1);
        free(old);
        free(env);
        free(d1);
        free(d2);
}
