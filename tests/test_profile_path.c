/* test_profile_path.c — the profile search path (sbx_profile_find,
 * sbx_profile_list, shadowing) and parsing from several threads while
 * inih's process-global settings are borrowed. */
#include <criterion/criterion.h>
#include <errno.h>
#include <ftw.h>
#include <ini.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"
#include "profile/policy.h"
#include "profile/profile.h"

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *f)
{
        (void)st, (void)flag, (void)f;
        return remove(path);
}

static void rm_rf(char *dir)
{
        if (dir)
                nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
        free(dir);
}

static char *path_in(const char *dir, const char *name)
{
        char *s = NULL;
        cr_assert(asprintf(&s, "%s/%s", dir, name) > 0);
        return s;
}

static void put(const char *dir, const char *name, const char *content)
{
        char *p = path_in(dir, name);
        cr_assert_eq(write_file(p, content, 0644), 0, "%s", p);
        free(p);
}

static const char good_text[] =
        "[profile]\nname = threads\n[namespaces]\nhostname = box.example-1\n"
        "[filesystem]\nro-bind = /usr\nbind = ~/x:/x\n[seccomp]\nallow = @network-io\n"
        "[environment]\nset = \"A=b c\"\n";

/* ---- search path -------------------------------------------------------- */

struct seen {
        const char *dirs[2]; /* only profiles from these count */
        char names[16][64], paths[16][512];
        bool shadowed[16];
        size_t n;
};

/* Only the test's own directories: the installed and source-tree profiles
 * are listed too, and the source tree may live anywhere (under /tmp too). */
static bool in_dir(const char *path, const char *dir)
{
        size_t n = strlen(dir);
        return strncmp(path, dir, n) == 0 && path[n] == '/';
}

static int collect(const struct sbx_profile_info *info, void *userdata)
{
        struct seen *s = userdata;
        if (s->n < 16 && (in_dir(info->path, s->dirs[0]) || in_dir(info->path, s->dirs[1]))) {
                snprintf(s->names[s->n], 64, "%s|%s", info->name, info->description);
                snprintf(s->paths[s->n], 512, "%s", info->path);
                s->shadowed[s->n++] = info->shadowed;
        }
        return 0;
}

Test(profile, search_path_find_and_list)
{
        char *d1 = make_tmpdir(), *d2 = make_tmpdir(), *xdg = make_tmpdir(), *env = NULL;
        cr_assert(asprintf(&env, "%s:relative/ignored::%s", d1, d2) > 0);
        setenv("SBX_PROFILE_PATH", env, 1);
        setenv("XDG_CONFIG_HOME", xdg, 1);
        put(d1, "same.ini", "[profile]\ndescription = first one\n");
        put(d2, "same.ini", "[profile]\ndescription = \"second one\"\n");
        put(d2, "only2.ini", "[profile]\n");
        put(d2, "broken.ini", "[nosuch]\n");
        put(d2, "bad name.ini", "[profile]\n");
        put(d2, "notini.txt", "[profile]\n");
        char *path = NULL;
        cr_assert_eq(sbx_profile_find("same", &path), 0);
        char *want = path_in(d1, "same.ini");
        cr_assert_str_eq(path, want);
        free(path);
        free(want);
        cr_assert_eq(sbx_profile_find("nosuch", &path), -ENOENT);
        cr_assert_eq(sbx_profile_find("../etc/passwd", &path), -EINVAL);
        cr_assert_eq(sbx_profile_find("..", &path), -EINVAL);

        struct seen s = { .dirs = { d1, d2 } };
        cr_assert_eq(sbx_profile_list(collect, &s), 0);
        cr_assert_eq(s.n, 4, "listed %zu", s.n);
        cr_assert_str_eq(s.names[0], "same|first one");
        cr_assert(!s.shadowed[0]);
        cr_assert_str_eq(s.names[1], "broken|");
        cr_assert_str_eq(s.names[2], "only2|");
        cr_assert_str_eq(s.names[3], "same|second one");
        cr_assert(s.shadowed[3]);

        /* XDG comes after SBX_PROFILE_PATH. */
        char *xdir = path_in(xdg, "sbx");
        mkdir(xdir, 0755);
        free(xdir);
        xdir = path_in(xdg, "sbx/profiles");
        mkdir(xdir, 0755);
        put(xdir, "mine.ini", "[profile]\n");
        cr_assert_eq(sbx_profile_find("mine", &path), 0);
        cr_assert(strncmp(path, xdir, strlen(xdir)) == 0);
        free(path);
        char **dirs = NULL;
        cr_assert_eq(profile_search_dirs(&dirs), 0);
        cr_assert_str_eq(dirs[0], d1);
        cr_assert_str_eq(dirs[1], d2);
        cr_assert_str_eq(dirs[2], xdir);
        cr_assert_str_eq(dirs[3], "/etc/sbx/profiles");
        sbx_strv_free(dirs);
        free(xdir);
        free(env);
        rm_rf(d1);
        rm_rf(d2);
        rm_rf(xdg);
}

/* ---- inih's process-global settings ------------------------------------ */

static void *loader_thread(void *arg)
{
        long bad = (long)arg;
        for (int i = 0; i < 200; i++) {
                struct sbx_policy *p = NULL;
                struct sbx_error *e = NULL;
                if (sbx_policy_new(&p) < 0)
                        return (void *)1;
                int r = sbx_policy_load_string(p, bad ? "[profile]\nname: x\n" : good_text, "t.ini", &e);
                bool ok = bad ? r < 0 && sbx_error_line(e) == 2 : r == 0 && strcmp(p->hostname, "box.example-1") == 0;
                sbx_error_free(e);
                sbx_policy_free(p);
                if (!ok)
                        return (void *)1;
        }
        return NULL;
}

Test(profile, parsing_from_threads_restores_inih_settings)
{
        int max = ini_max_line;
        bool multi = ini_allow_multiline, inl = ini_allow_inline_comments;
        pthread_t t[4];
        for (long i = 0; i < 4; i++)
                cr_assert_eq(pthread_create(&t[i], NULL, loader_thread, (void *)(i % 2)), 0);
        for (int i = 0; i < 4; i++) {
                void *ret = NULL;
                pthread_join(t[i], &ret);
                cr_assert_null(ret, "thread %d saw a wrong result", i);
        }
        cr_assert_eq(ini_max_line, max);
        cr_assert_eq(ini_allow_multiline, multi);
        cr_assert_eq(ini_allow_inline_comments, inl);
}
