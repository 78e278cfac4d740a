/* test_protect.c — no sandbox can change what a later sandbox enforces, nor
 * plant what runs outside it (lib/plan/protect.c, profiles/persistence.inc.ini).
 *
 * Each test builds a fake home owned by uid 65534 (the sandboxed program's
 * uid whether sbx is started by root or by that user), runs an attack
 * script inside a real sandbox whose writable mount covers the home, and
 * checks the host afterwards.  Every attack is also run where the
 * protection is absent (the same sandbox with the protect entries removed,
 * or no sandbox for sbx's own state, which no profile can unprotect) and
 * must succeed there, so that a test that cannot fail shows up. */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "harness.h"

#define FOR_EACH_USER for (size_t wi = 0; wi < 2; wi++)
#define WHO (wi == 0 ? AS_ROOT : AS_USER)
#define WHO_NAME (WHO == AS_ROOT ? "root" : "user")

static char *home, *aside; /* the fake home; a directory for profiles */

static char *at(const char *rel)
{
        static char buf[8][PATH_MAX];
        static int k;
        char *b = buf[k++ % 8];
        snprintf(b, sizeof(buf[0]), "%s/%s", home, rel);
        return b;
}

/* Run a shell command with $D set to `dir`. */
static void sh(const char *cmd, const char *dir)
{
        cr_assert_eq(setenv("D", dir, 1), 0);
        cr_assert_eq(system(cmd), 0, "%s (D=%s)", cmd, dir);
}

/* A fresh home: rc files, ~/.config, ~/.ssh, a project directory. */
static void fresh_home(void)
{
        if (home)
                sh("rm -rf \"$D\"", home);
        char tmpl[] = "/var/tmp/sbx-home-XXXXXX";
        cr_assert(mkdtemp(tmpl));
        free(home);
        home = strdup(tmpl);
        cr_assert_eq(write_file(at(".bashrc"), "orig\n", 0644), 0);
        cr_assert_eq(write_file(at(".profile"), "orig\n", 0644), 0);
        cr_assert_eq(mkdir(at(".config"), 0755), 0);
        cr_assert_eq(mkdir(at(".ssh"), 0700), 0);
        cr_assert_eq(mkdir(at("proj"), 0755), 0);
        cr_assert_eq(write_file(at("proj/a.txt"), "orig\n", 0644), 0);
        /* An older sbx's cache directory. */
        cr_assert_eq(mkdir(at(".cache"), 0755), 0);
        cr_assert_eq(mkdir(at(".cache/sbx"), 0700), 0);
        sh("chown -R 65534:65534 \"$D\" && chmod 0755 \"$D\"", home);
}

static void setup(void)
{
        aside = make_tmpdir();
        cr_assert(aside);
        fresh_home();
}

static void teardown(void)
{
        if (home)
                sh("rm -rf \"$D\"", home);
        if (aside)
                sh("rm -rf \"$D\"", aside);
        free(home);
        free(aside);
        home = aside = NULL;
}

TestSuite(protect, .init = setup, .fini = teardown, .timeout = 240);

static bool exists(const char *rel)
{
        struct stat st;
        return lstat(at(rel), &st) == 0;
}

static bool content_is(const char *rel, const char *want)
{
        char buf[256] = "";
        FILE *f = fopen(at(rel), "r");
        if (!f)
                return false;
        size_t n = fread(buf, 1, sizeof(buf) - 1, f);
        fclose(f);
        buf[n] = 0;
        return strcmp(buf, want) == 0;
}

/* `sbx run ARGS… -- /bin/sh -c SCRIPT` with HOME set to the fake home and
 * the working directory `cwd`; $H in the script is the home. */
static void sbx_sh(int who, struct run_result *r, const char *cwd, const char *const *args,
                   const char *script)
{
        char wrapped[8192];
        snprintf(wrapped, sizeof(wrapped), "H='%s'; %s", home, script);
        const char *argv[64];
        size_t k = 0;
        argv[k++] = "env";
        argv[k++] = "-u";
        argv[k++] = "XDG_CONFIG_HOME";
        argv[k++] = "-u";
        argv[k++] = "XDG_CACHE_HOME";
        static char homevar[PATH_MAX + 8];
        snprintf(homevar, sizeof(homevar), "HOME=%s", home);
        argv[k++] = homevar;
        argv[k++] = "sh";
        argv[k++] = "-c";
        argv[k++] = "cd \"$0\" && shift && exec \"$@\"";
        argv[k++] = cwd;
        argv[k++] = "--";
        argv[k++] = sbx_bin();
        argv[k++] = "run";
        for (size_t i = 0; args && args[i] && k < 50; i++)
                argv[k++] = args[i];
        argv[k++] = "--";
        argv[k++] = "/bin/sh";
        argv[k++] = "-c";
        argv[k++] = wrapped;
        argv[k] = NULL;
        cr_assert_eq(run_cmd(who, NULL, 60, r, argv), 0);
}

/* The same script without any sandbox, as uid 65534. */
static void bare_sh(struct run_result *r, const char *script)
{
        char wrapped[8192];
        snprintf(wrapped, sizeof(wrapped), "H='%s'; %s", home, script);
        const char *argv[] = { "/bin/sh", "-c", wrapped, NULL };
        cr_assert_eq(run_cmd(AS_USER, NULL, 60, r, argv), 0);
}

/* ---- persistence points ------------------------------------------------ */

static const char persist_attack[] =
        "echo evil >> $H/.bashrc; "
        "echo evil > $H/.bash_profile; "
        "mkdir -p $H/.config/autostart && echo '[Desktop Entry]' > $H/.config/autostart/x.desktop; "
        "echo ssh-ed25519 AAAA > $H/.ssh/authorized_keys; "
        "mkdir -p $H/.local/bin && echo '#!/bin/sh' > $H/.local/bin/ls; "
        "echo '[core]' > $H/.gitconfig; "
        "echo mine > $H/proj/a.txt; "
        "exit 0";

/* `base` as shipped, but including a copy of system.inc without the
 * persistence list. */
static const char *unprotected(const char *base)
{
        static char path[PATH_MAX];
        char cmd[4 * PATH_MAX];
        snprintf(cmd, sizeof(cmd),
                 "cd '%s' && grep -v '^include = persistence.inc' '%s/profiles/system.inc.ini' > system-np.inc.ini && "
                 "sed 's/^include = system.inc$/include = system-np.inc/' '%s/profiles/%s.ini' > np-%s.ini",
                 aside, source_dir(), source_dir(), base, base);
        cr_assert_eq(system(cmd), 0, "%s", cmd);
        snprintf(path, sizeof(path), "%s/np-%s.ini", aside, base);
        return path;
}

static void assert_persist_refused(const char *who, const char *how, struct run_result *r)
{
        cr_assert_eq(r->status, 0, "[%s] %s: sbx failed: %s", who, how, r->err);
        cr_assert(content_is(".bashrc", "orig\n"), "[%s] %s: ESCAPE: ~/.bashrc changed", who, how);
        cr_assert(!exists(".bash_profile"), "[%s] %s: ESCAPE: ~/.bash_profile created", who, how);
        cr_assert(!exists(".config/autostart"), "[%s] %s: ESCAPE: autostart created", who, how);
        cr_assert(!exists(".ssh/authorized_keys"), "[%s] %s: ESCAPE: authorized_keys", who, how);
        cr_assert(!exists(".local/bin"), "[%s] %s: ESCAPE: ~/.local/bin created", who, how);
        cr_assert(!exists(".gitconfig"), "[%s] %s: ESCAPE: ~/.gitconfig created", who, how);
        /* The user's own files stay writable where the profile says. */
        cr_assert(content_is("proj/a.txt", "mine\n"), "[%s] %s: ~/proj/a.txt not writable: %s", who,
                  how, r->err);
}

static void assert_persist_escaped(const char *who, const char *how)
{
        cr_assert(content_is(".bashrc", "orig\nevil\n") && exists(".bash_profile") &&
                          exists(".config/autostart/x.desktop") && exists(".ssh/authorized_keys") &&
                          exists(".local/bin/ls") && exists(".gitconfig"),
                  "[%s] %s: cannot fail: the attack did not work without the protection", who, how);
}

/* The three ways a writable mount comes to cover the home: the working
 * directory of a profile that binds it read-write (shell, build), and an
 * explicit --bind of the home. */
static void persistence_case(const char *base, bool bind_home)
{
        struct run_result r;
        char bind[PATH_MAX + 16];
        FOR_EACH_USER {
                fresh_home();
                snprintf(bind, sizeof(bind), "%s", home);
                const char *cwd = bind_home ? aside : home;
                const char *on[] = { "--profile", base, bind_home ? "--bind" : NULL, bind, NULL };
                sbx_sh(WHO, &r, cwd, on, persist_attack);
                assert_persist_refused(WHO_NAME, base, &r);
                run_result_free(&r);

                fresh_home();
                snprintf(bind, sizeof(bind), "%s", home);
                const char *off[] = { "--profile", unprotected(base),
                                      bind_home ? "--bind" : NULL, bind, NULL };
                sbx_sh(WHO, &r, cwd, off, persist_attack);
                cr_assert_eq(r.status, 0, "[%s] %s", WHO_NAME, r.err);
                assert_persist_escaped(WHO_NAME, base);
                run_result_free(&r);
        }
}

Test(protect, persistence_points_from_shell_in_home) { persistence_case("shell", false); }
Test(protect, persistence_points_from_build_in_home) { persistence_case("build", false); }
Test(protect, persistence_points_with_bind_home) { persistence_case("default", true); }

/* Renaming a parent would carry a protection away with it; so would
 * replacing a symlinked parent. */
Test(protect, renamed_or_replaced_parent_does_not_carry_protection_away)
{
        static const char attack[] =
                "mv $H/.config $H/.c2; mkdir -p $H/.config/autostart && echo x > $H/.config/autostart/x.desktop; "
                "rm -f $H/.profile; echo evil > $H/.profile; "
                "mv $H/dot $H/dot2; mkdir -p $H/dot/zsh && echo evil > $H/dot/zsh/.zshrc; "
                "rm -f $H/.zshrc; echo evil > $H/.zshrc; exit 0";
        struct run_result r;
        FOR_EACH_USER {
                fresh_home();
                /* ~/.zshrc is a link into a dotfiles directory. */
                sh("mkdir -p \"$D/dot/zsh\" && echo orig > \"$D/dot/zsh/.zshrc\" && "
                   "ln -s dot/zsh/.zshrc \"$D/.zshrc\" && chown -hR 65534:65534 \"$D\"", home);
                const char *on[] = { "--profile", "shell", NULL };
                sbx_sh(WHO, &r, home, on, attack);
                cr_assert_eq(r.status, 0, "[%s] %s", WHO_NAME, r.err);
                cr_assert(exists(".config") && !exists(".c2") && !exists(".config/autostart"),
                          "[%s] ESCAPE: ~/.config renamed and replaced", WHO_NAME);
                cr_assert(content_is(".profile", "orig\n"), "[%s] ESCAPE: ~/.profile replaced", WHO_NAME);
                cr_assert(content_is("dot/zsh/.zshrc", "orig\n") && !exists("dot2"),
                          "[%s] ESCAPE: the link target was replaced", WHO_NAME);
                cr_assert(content_is(".zshrc", "orig\n"), "[%s] ESCAPE: ~/.zshrc replaced", WHO_NAME);
                run_result_free(&r);
        }
        /* Without a sandbox the same script does all of it. */
        bare_sh(&r, attack);
        cr_assert(exists(".c2") && exists(".config/autostart") && content_is(".profile", "evil\n") &&
                          content_is(".zshrc", "evil\n"),
                  "cannot fail: %s", r.err);
        run_result_free(&r);
}

/* ---- sbx's own state ---------------------------------------------------- */

/* A profile planted in the per-user profile directory would shadow the
 * system's `default` for every later sandbox; the profile directory may be
 * missing, present, or reached through a renamed parent. */
Test(protect, profile_directory_cannot_be_planted)
{
        static const char attack[] =
                "rm -rf $H/.config/sbx; mkdir -p $H/.config/sbx/profiles && "
                "echo '[profile]' > $H/.config/sbx/profiles/default.ini; "
                "echo '[profile]' > $H/.cache/sbx/x.bpf; mv $H/.cache $H/.k2; mkdir -p $H/.cache/sbx; "
                "mv $H/.config $H/.c2; mkdir -p $H/.config/sbx/profiles && "
                "echo '[profile]' > $H/.config/sbx/profiles/default.ini; exit 0";
        struct run_result r;
        for (int present = 0; present < 2; present++)
                FOR_EACH_USER {
                        fresh_home();
                        /* sbx makes its own profile directory; one removed
                         * by hand is protected by Landlock alone. */
                        if (present)
                                sh("mkdir -p \"$D/.config/sbx/profiles\" && chown -R 65534:65534 \"$D\"",
                                   home);
                        const char *on[] = { "--profile", "shell", NULL };
                        sbx_sh(WHO, &r, home, on, attack);
                        cr_assert_eq(r.status, 0, "[%s] %s", WHO_NAME, r.err);
                        cr_assert(!exists(".config/sbx/profiles/default.ini") && !exists(".c2") &&
                                          !exists(".cache/sbx/x.bpf") && !exists(".k2"),
                                  "[%s] ESCAPE: a profile was planted (directory %s)", WHO_NAME,
                                  present ? "present" : "missing");
                        run_result_free(&r);
                }
        bare_sh(&r, attack);
        cr_assert(exists(".config/sbx/profiles/default.ini"), "cannot fail: %s", r.err);
        run_result_free(&r);
}

/* Every directory of the search path, not only the per-user one: here the
 * one named by SBX_PROFILE_PATH, made the working directory of a shell. */
Test(protect, search_path_directory_is_never_writable)
{
        char dir[PATH_MAX], env[PATH_MAX + 32], cmd[3 * PATH_MAX];
        snprintf(dir, sizeof(dir), "%s/profiles", aside);
        cr_assert_eq(mkdir(dir, 0755), 0);
        snprintf(cmd, sizeof(cmd), "cp '%s'/profiles/*.ini '%s' && chown -R 65534:65534 '%s'",
                 source_dir(), dir, dir);
        cr_assert_eq(system(cmd), 0);
        snprintf(env, sizeof(env), "SBX_PROFILE_PATH=%s", dir);
        struct run_result r;
        FOR_EACH_USER {
                const char *argv[] = { "env", env, "sh", "-c", "cd \"$0\" && shift && exec \"$@\"", dir,
                                       "--", sbx_bin(), "run", "--profile", "shell", "--", "/bin/sh", "-c",
                                       "echo '[profile]' > default.ini", NULL };
                cr_assert_eq(run_cmd(WHO, NULL, 60, &r, argv), 0);
                cr_assert_eq(r.status, 2, "[%s] ESCAPE: a shell ran with the profile directory as its "
                             "writable cwd: %d %s", WHO_NAME, r.status, r.err);
                cr_assert(strstr(r.err, "no sandbox may change"), "[%s] %s", WHO_NAME, r.err);
                run_result_free(&r);
                const char *bind[] = { "env", env, sbx_bin(), "run", "--profile", "default", "--bind",
                                       dir, "--", "/bin/true", NULL };
                cr_assert_eq(run_cmd(WHO, NULL, 60, &r, bind), 0);
                cr_assert_eq(r.status, 2, "[%s] --bind of a profile directory: %d %s", WHO_NAME,
                             r.status, r.err);
                run_result_free(&r);
        }
}

/* The same for the cache and configuration directories, and --bind of a
 * directory inside them; a persistence point bound by name becomes
 * read-only instead. */
Test(protect, binding_state_refused_persistence_point_read_only)
{
        sh("mkdir -p \"$D/.config/sbx\" \"$D/.cache/sbx\" && chown -R 65534:65534 \"$D\"", home);
        struct run_result r;
        FOR_EACH_USER {
                const char *args[] = { "--profile", "default", "--bind", at(".cache/sbx"), NULL };
                sbx_sh(WHO, &r, aside, args, "true");
                cr_assert_eq(r.status, 2, "[%s] --bind ~/.cache/sbx: %d %s", WHO_NAME, r.status, r.err);
                run_result_free(&r);
                const char *args2[] = { "--profile", "default", "--bind", at(".ssh"), NULL };
                sbx_sh(WHO, &r, aside, args2, "echo k > $H/.ssh/authorized_keys; exit 0");
                cr_assert_eq(r.status, 0, "[%s] %s", WHO_NAME, r.err);
                cr_assert(!exists(".ssh/authorized_keys"), "[%s] ESCAPE: ~/.ssh bound writable",
                          WHO_NAME);
                run_result_free(&r);
        }
}

/* Without Landlock nothing can keep a missing persistence point from being
 * created: the launch is refused rather than weakened. */
Test(protect, missing_point_without_landlock_refused)
{
        struct run_result r;
        FOR_EACH_USER {
                const char *args[] = { "--profile", "shell", "--set", "landlock.enabled=no", NULL };
                sbx_sh(WHO, &r, home, args, "echo evil > $H/.bash_profile");
                cr_assert_eq(r.status, 2, "[%s] %d %s", WHO_NAME, r.status, r.err);
                cr_assert(!exists(".bash_profile"), "[%s] ESCAPE", WHO_NAME);
                cr_assert(strstr(r.err, "Landlock"), "[%s] %s", WHO_NAME, r.err);
                run_result_free(&r);
        }
}

/* Existing points hold by the mounts alone: with Landlock off and every
 * protected path present, neither writing nor renaming gets through. */
Test(protect, existing_points_hold_without_landlock)
{
        static const char attack[] =
                "echo evil >> $H/.bashrc; mv $H/.config $H/.c2; mv $H/.bashrc $H/x; "
                "rm -f $H/.bashrc; echo mine > $H/proj/a.txt; exit 0";
        struct run_result r;
        FOR_EACH_USER {
                fresh_home();
                /* A profile of its own that protects only paths that exist,
                 * so that no Landlock carve-out is needed. */
                char text[2048], path[PATH_MAX];
                snprintf(text, sizeof(text),
                         "[filesystem]\nro-bind = /usr\nsymlink = usr/bin:/bin\nsymlink = usr/lib:/lib\n"
                         "symlink = usr/lib64:/lib64\ntmpfs = /tmp\ncwd-bind = rw\n"
                         "protect = ~/.bashrc ~/.config/autostart-x\n"
                         "[exec]\nallow = /usr/bin\n[landlock]\nenabled = no\n");
                snprintf(path, sizeof(path), "%s/bare-protect.ini", aside);
                sh("mkdir -p \"$D/.config/autostart-x\" && chown -R 65534:65534 \"$D\"", home);
                cr_assert_eq(write_file(path, text, 0644), 0);
                const char *args[] = { "--profile", path, NULL };
                sbx_sh(WHO, &r, home, args, attack);
                cr_assert_eq(r.status, 0, "[%s] %s", WHO_NAME, r.err);
                cr_assert(content_is(".bashrc", "orig\n") && !exists("x"),
                          "[%s] ESCAPE: ~/.bashrc changed without Landlock", WHO_NAME);
                cr_assert(exists(".config/autostart-x") && !exists(".c2"),
                          "[%s] ESCAPE: the parent of a protected path was renamed", WHO_NAME);
                cr_assert(content_is("proj/a.txt", "mine\n"), "[%s] own file not writable", WHO_NAME);
                run_result_free(&r);
        }
}

/* The home and ~/.config bound under other names are protected there too. */
Test(protect, directory_bound_under_another_name)
{
        static const char attack[] =
                "echo evil >> /mnt/h/.bashrc; mkdir -p /mnt/c/autostart; "
                "echo '[profile]' > /mnt/c/sbx/profiles/default.ini; echo mine > /mnt/h/proj/a.txt; exit 0";
        struct run_result r;
        char b1[PATH_MAX + 16], b2[PATH_MAX + 16];
        FOR_EACH_USER {
                fresh_home();
                snprintf(b1, sizeof(b1), "%s:/mnt/h", home);
                snprintf(b2, sizeof(b2), "%s/.config:/mnt/c", home);
                const char *args[] = { "--profile", "default", "--bind", b1, "--bind", b2, NULL };
                sbx_sh(WHO, &r, aside, args, attack);
                cr_assert_eq(r.status, 0, "[%s] %s", WHO_NAME, r.err);
                cr_assert(content_is(".bashrc", "orig\n"), "[%s] ESCAPE: ~/.bashrc through /mnt/h", WHO_NAME);
                cr_assert(!exists(".config/autostart") && !exists(".config/sbx/profiles/default.ini"),
                          "[%s] ESCAPE: through /mnt/c", WHO_NAME);
                cr_assert(content_is("proj/a.txt", "mine\n"), "[%s] own file not writable", WHO_NAME);
                run_result_free(&r);
        }
}

/* Root's directory index (lib/plan/dir_index.c) decides what later sandboxes
 * mask: a sandbox whose root is the host's root (keep-root) with /var/cache
 * bound writable can neither write an entry nor move the directory away,
 * Landlock on or off, and binding the directory itself is refused.  The
 * same sandbox writes into a sibling directory (the attack works where
 * nothing protects). */
Test(protect, directory_index_is_never_writable)
{
        cr_assert_eq(mkdir(SBX_INDEX_DIR, 0755) == 0 || errno == EEXIST, true);
        char sibling[] = "/var/cache/sbx-test-XXXXXX";
        cr_assert(mkdtemp(sibling));
        char script[1024];
        snprintf(script, sizeof(script),
                 "echo forged > %s/dir-planted; a=$?; mv %s %s.moved; b=$?; echo forged > %s/x; "
                 "echo \"$a $b $?\"",
                 SBX_INDEX_DIR, SBX_INDEX_DIR, SBX_INDEX_DIR, sibling);
        static const char *const landlock[] = { "landlock.enabled=yes", "landlock.enabled=no" };
        for (size_t i = 0; i < 2; i++) {
                struct run_result r;
                cr_assert_eq(run_sbx(AS_ROOT, &r, "run", "--profile", "default", "--set", "namespaces.keep-root=yes",
                                     "--set", landlock[i], "--bind", "/var/cache", "--", "/bin/sh", "-c", script,
                                     NULL),
                             0);
                cr_assert_eq(r.status, 0, "[%s] %d %s", landlock[i], r.status, r.err);
                int a = -1, b = -1, c = -1;
                cr_assert_eq(sscanf(r.out, "%d %d %d", &a, &b, &c), 3, "%s", r.out);
                cr_assert_eq(c, 0, "[%s] control: the sandbox could not write a sibling of the index: %s",
                             landlock[i], r.err);
                cr_assert_neq(a, 0, "[%s] ESCAPE: a sandbox wrote into sbx's directory index", landlock[i]);
                cr_assert_neq(b, 0, "[%s] ESCAPE: a sandbox moved sbx's directory index away", landlock[i]);
                run_result_free(&r);
        }
        char planted[PATH_MAX];
        snprintf(planted, sizeof(planted), "%s/dir-planted", SBX_INDEX_DIR);
        cr_assert_neq(access(planted, F_OK), 0);
        struct stat st;
        cr_assert_eq(stat(SBX_INDEX_DIR, &st), 0, "the index directory is gone");
        FOR_EACH_USER {
                struct run_result r;
                cr_assert_eq(run_sbx(WHO, &r, "run", "--profile", "default", "--bind", SBX_INDEX_DIR, "--",
                                     "/bin/true", NULL),
                             0);
                cr_assert_eq(r.status, 2, "[%s] --bind %s: %d %s", WHO_NAME, SBX_INDEX_DIR, r.status, r.err);
                run_result_free(&r);
        }
        char cmd[PATH_MAX + 16];
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", sibling);
        cr_expect_eq(system(cmd), 0);
}
