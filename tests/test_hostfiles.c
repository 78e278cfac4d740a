/* test_hostfiles.c — what sbx opens and shows of the host on the user's
 * behalf (issue 27): the --log-file and what helpers print into it
 * (lib/launch/userfile.c, lib/launch/helper_out.c), the working
 * directory's own persistence points (lib/plan/project.c), the points
 * under $XDG_CONFIG_HOME/$XDG_DATA_HOME (lib/plan/secrets.c, protect.c),
 * and the credential stores and history files of a home shown by a bind
 * (profiles/credentials.inc.ini, persistence.inc.ini).
 *
 * Every tree is owned by uid 65534, the sandboxed program's uid whether sbx
 * is started by root or by that user, so that each attack works without a
 * sandbox (run as 65534, or by the same command sbx would have run) and the
 * test shows it can fail. */
#include <criterion/criterion.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"

#define FOR_EACH_USER for (size_t wi = 0; wi < 2; wi++)
#define WHO (wi == 0 ? AS_ROOT : AS_USER)
#define WHO_NAME (WHO == AS_ROOT ? "root" : "user")

static char *dir; /* a fresh directory per test, owned by 65534 */

static void setup(void)
{
        char tmpl[] = "/var/tmp/sbx-hostfiles-XXXXXX";
        cr_assert(mkdtemp(tmpl));
        dir = strdup(tmpl);
        char cmd[PATH_MAX + 64];
        snprintf(cmd, sizeof(cmd), "chown 65534:65534 '%s' && chmod 0755 '%s'", dir, dir);
        cr_assert_eq(system(cmd), 0);
}

static void teardown(void)
{
        char cmd[PATH_MAX + 16];
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
        (void)!system(cmd);
        free(dir);
        dir = NULL;
}

TestSuite(hostfiles, .init = setup, .fini = teardown, .timeout = 240);

static void need(const char *path, const char *package)
{
        if (access(path, X_OK) == 0)
                return;
        if (in_ci())
                cr_assert_fail("%s is not installed (Debian package %s); CI must install it", path, package);
        cr_skip_test("%s is not installed: apt-get install %s", path, package);
}

/* `script` run by /bin/sh as `who`, with D (the test's directory), SBX and
 * PROBE set; stdout and stderr in r. */
static void shell(int who, struct run_result *r, const char *script)
{
        char *qd = shq(dir), *qs = shq(sbx_bin()), *qp = shq(probe_bin());
        size_t n = strlen(script) + 3 * PATH_MAX + 128;
        char *full = malloc(n);
        cr_assert(full);
        snprintf(full, n, "D=%s; SBX=%s; PROBE=%s; cd \"$D\" || exit 99\n%s", qd, qs, qp, script);
        free(qd);
        free(qs);
        free(qp);
        const char *argv[] = { "/bin/sh", "-c", full, NULL };
        cr_assert_eq(run_cmd(who, NULL, 120, r, argv), 0);
        free(full);
}

/* Empty the test's directory between users. */
static void clean(void)
{
        char cmd[PATH_MAX + 32];
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'/* '%s'/.[!.]*", dir, dir);
        (void)!system(cmd);
}

static bool has_line(const char *text, const char *prefix)
{
        size_t n = strlen(prefix);
        for (const char *s = text; s && *s;) {
                if (strncmp(s, prefix, n) == 0)
                        return true;
                s = strchr(s, '\n');
                if (s)
                        s++;
        }
        return false;
}

/* ---- the log file ------------------------------------------------------ */

/* A client's method name becomes a whole line in xdg-dbus-proxy's output:
 * bare (the proxy's stderr to a file, as sbx used to give it the log fd)
 * the forged report is there; through sbx it arrives escaped and prefixed,
 * never at the start of a line. */
Test(hostfiles, dbus_proxy_cannot_put_a_line_into_the_log)
{
        need("/usr/bin/dbus-daemon", "dbus-daemon");
        need("/usr/bin/xdg-dbus-proxy", "xdg-dbus-proxy");
        static const char script[] =
                "mkdir -p bus rt work && chmod 700 rt\n"
                "export DBUS_SESSION_BUS_ADDRESS=\"unix:path=$D/bus/s\" XDG_RUNTIME_DIR=\"$D/rt\"\n"
                "dbus-daemon --session --address=\"$DBUS_SESSION_BUS_ADDRESS\" --nofork --nopidfile >bus/d.log 2>&1 &\n"
                "B=$!\n"
                "i=0; while [ ! -S bus/s ] && [ $i -lt 100 ]; do i=$((i+1)); sleep 0.05; done\n"
                "xdg-dbus-proxy \"$DBUS_SESSION_BUS_ADDRESS\" \"$D/bus/p\" --filter 2>bare.log &\n"
                "X=$!\n"
                "i=0; while [ ! -S bus/p ] && [ $i -lt 100 ]; do i=$((i+1)); sleep 0.05; done\n"
                "\"$PROBE\" dbus-forge \"$D/bus/p\" 'Foo\\nsbx: denied FORGED by seccomp'\n"
                "i=0; while ! grep -q FORGED bare.log && [ $i -lt 100 ]; do i=$((i+1)); sleep 0.05; done; kill $X\n"
                "cd work\n"
                "\"$SBX\" run --ro-bind \"$PROBE\" $ROOT --profile ../p.ini --log-file ../sbx.log -- \"$PROBE\" dbus-forge - "
                "  'Foo\\nsbx: denied FORGED by seccomp'\n"
                "echo status=$?\n"
                "\"$SBX\" run --ro-bind \"$PROBE\" $ROOT --profile ../p.ini -- \"$PROBE\" dbus-forge - 'Foo\\nsbx: denied FORGED by seccomp' "
                "  2>../stderr.log\n"
                "kill $B\n"
                "echo ===bare; cat ../bare.log; echo ===log; cat ../sbx.log; echo ===stderr; cat ../stderr.log\n";
        FOR_EACH_USER {
                char p[PATH_MAX + 8];
                snprintf(p, sizeof(p), "%s/p.ini", dir);
                cr_assert_eq(write_file(p, "[profile]\ninclude = default\n[dbus]\nsee = org.freedesktop.DBus\n", 0644), 0);
                char full[4096];
                /* root's sandbox must run as uid 0 for the bus to take it */
                snprintf(full, sizeof(full), "rm -rf bus rt work *.log; ROOT='%s'\n%s",
                         WHO == AS_ROOT ? "--set namespaces.keep-root=yes --set namespaces.uid=0" : "", script);
                struct run_result r;
                shell(WHO, &r, full);
                cr_log_info("[%s] %s%s", WHO_NAME, r.out, r.err);
                const char *bare = strstr(r.out, "===bare"), *log = strstr(r.out, "===log"),
                           *err = strstr(r.out, "===stderr");
                cr_assert(bare && log && err, "[%s] %s %s", WHO_NAME, r.out, r.err);
                cr_assert(strstr(r.out, "status=0"), "[%s] the sandbox failed: %s %s", WHO_NAME, r.out, r.err);
                cr_assert(has_line(bare, "sbx: denied FORGED"),
                          "[%s] cannot fail: the proxy did not print the forged line bare:\n%s", WHO_NAME, bare);
                char *logpart = strndup(log, (size_t)(err - log));
                cr_assert(!has_line(logpart, "sbx: denied FORGED") && !has_line(err, "sbx: denied FORGED"),
                          "[%s] ESCAPE: a forged report line in sbx's log:\n%s", WHO_NAME, log);
                cr_assert(strstr(logpart, "sbx: helper xdg-dbus-proxy: \"sbx: denied FORGED by seccomp\""),
                          "[%s] the proxy's output is not relayed escaped:\n%s", WHO_NAME, logpart);
                free(logpart);
                run_result_free(&r);
                clean();
        }
}

/* Links and foreign files a sandbox could have prepared where the user
 * later names the log file. */
Test(hostfiles, log_file_symlink_hardlink_foreign_refused)
{
        static const char script[] =
                "rm -rf l; mkdir l; cd l\n"
                "echo orig > victim; ln -s victim sym.log; ln victim hard.log; mkdir real; ln -s real dirlink\n"
                "for f in sym.log hard.log dirlink/x.log; do\n"
                "  \"$SBX\" run --ro-bind \"$PROBE\" --log-denials --log-file $f -- \"$PROBE\" userns >/dev/null 2>err; echo \"$f=$?\"\n"
                "  head -c 300 err; echo\n"
                "done\n"
                "\"$SBX\" run --ro-bind \"$PROBE\" --log-denials --log-file fresh.log -- \"$PROBE\" userns >/dev/null; echo fresh=$?\n"
                "echo victim=$(cat victim) fresh=$(grep -c 'sbx: denied' fresh.log) "
                "mode=$(stat -c %a fresh.log) real=$(ls real)\n";
        static const char bare[] =
                "rm -rf l; mkdir l; cd l\n"
                "echo orig > victim; ln -s victim sym.log; ln victim hard.log; echo orig > foreign.log; chmod 666 foreign.log\n"
                "for f in sym.log hard.log foreign.log; do echo line >> $f; done\n"
                "echo victim=$(tr '\\n' , < victim) foreign=$(tr '\\n' , < foreign.log)\n";
        FOR_EACH_USER {
                struct run_result r;
                clean();
                shell(WHO, &r, script);
                cr_log_info("[%s] %s%s", WHO_NAME, r.out, r.err);
                /* The foreign owner: 65534 for root, root for 65534. */
                cr_assert(strstr(r.out, "sym.log=2") && strstr(r.out, "hard.log=2") &&
                                  strstr(r.out, "dirlink/x.log=2"),
                          "[%s] a link was followed:\n%s", WHO_NAME, r.out);
                cr_assert(strstr(r.out, "victim=orig ") && strstr(r.out, "real=\n"),
                          "[%s] ESCAPE: written through a link:\n%s", WHO_NAME, r.out);
                cr_assert(strstr(r.out, "fresh=0") && strstr(r.out, "fresh=1 mode=600"),
                          "[%s] a fresh log file does not work:\n%s", WHO_NAME, r.out);
                cr_assert(strstr(r.out, "is a symlink") && strstr(r.out, "hard link"),
                          "[%s] the refusal is not explained:\n%s", WHO_NAME, r.out);
                run_result_free(&r);
                /* Foreign: root gets a 65534 file, 65534 a root file. */
                char prep[PATH_MAX * 2];
                snprintf(prep, sizeof(prep),
                         "mkdir -p '%s/f' && echo orig > '%s/f/x.log' && chmod 0777 '%s/f' && chmod 666 '%s/f/x.log' && "
                         "chown %s '%s/f/x.log'",
                         dir, dir, dir, dir, WHO == AS_ROOT ? "65534" : "0", dir);
                cr_assert_eq(system(prep), 0);
                shell(WHO, &r, "\"$SBX\" run --log-file f/x.log -- /bin/true; echo foreign=$?; cat f/x.log; "
                               "echo bare >> f/x.log; cat f/x.log");
                cr_assert(strstr(r.out, "foreign=2\norig\n"), "[%s] a foreign log file was taken:\n%s%s",
                          WHO_NAME, r.out, r.err);
                cr_assert(strstr(r.err, "owned by another user"), "[%s] not explained: %s", WHO_NAME, r.err);
                cr_assert(strstr(r.out, "orig\nbare\n"), "[%s] cannot fail: bare append refused:\n%s", WHO_NAME,
                          r.out);
                run_result_free(&r);
                snprintf(prep, sizeof(prep), "rm -rf '%s/f'", dir);
                cr_assert_eq(system(prep), 0);
        }
        struct run_result r;
        clean();
        shell(AS_USER, &r, bare);
        cr_assert(strstr(r.out, "victim=orig,line,line,"), "cannot fail: bare appends did not land:\n%s", r.out);
        run_result_free(&r);
}

/* ---- the working directory's git repository ----------------------------- */

/* What a sandbox run in a repository plants for the user's next git
 * command: core.fsmonitor (run by every `git status`, which prompts and
 * editors start on their own), a pre-commit hook, info/attributes, and a
 * submodule checkout's .git file pointed at a planted repository. */
static const char git_attack[] =
        "cp -r .git evil && git --git-dir=evil config core.fsmonitor \"touch $D/PLANTED-commondir; false\"\n"
        "git config core.fsmonitor \"touch $D/PLANTED-fsmonitor; false\"\n"
        "printf '#!/bin/sh\\ntouch %s/PLANTED-hook\\n' \"$D\" > .git/hooks/pre-commit; chmod +x .git/hooks/pre-commit\n"
        "(echo '* filter=x' > .git/info/attributes)\n"
        "(mv .git/hooks .git/h2 && mkdir .git/hooks && cp .git/h2/* .git/hooks/)\n"
        "(echo 'gitdir: ../evil' > sub/.git)\n"
        "echo mine > a\n"
        "[ -n \"$NO_COMMONDIR\" ] || (echo ../evil > .git/commondir)\n"
        "exit 0\n";

/* After the attack, as the user: the next status and commit. */
static const char git_after[] =
        "git status >/dev/null 2>&1; git commit -qam after >/dev/null 2>&1\n"
        "echo fsmonitor=$(test -e $D/PLANTED-fsmonitor && echo RAN) hook=$(test -e $D/PLANTED-hook && echo RAN) "
        "commondir=$(test -e $D/PLANTED-commondir && echo RAN) "
        "config=$(git config core.fsmonitor) info=$(cat .git/info/attributes 2>/dev/null) "
        "sub=$(cat sub/.git) a=$(cat a)\n";

static const char git_setup[] =
        "export GIT_AUTHOR_NAME=t GIT_AUTHOR_EMAIL=t@t GIT_COMMITTER_NAME=t GIT_COMMITTER_EMAIL=t@t HOME=$D/home\n"
        "mkdir -p home repo && cd repo && git init -q . && echo orig > a && mkdir sub && "
        "echo 'gitdir: ../.git/modules/sub' > sub/.git && "
        "printf '[submodule \"sub\"]\\n\\tpath = sub\\n\\turl = ../x\\n' > .gitmodules && git add a && git commit -qm init\n";

Test(hostfiles, git_work_tree_points)
{
        need("/usr/bin/git", "git");
        /* In the repository, and in the directory above it (the
         * repository is then one of those inside the bind). */
        static const char *const profiles[] = { "shell", "build", "shell" };
        static const char *const cwds[] = { "repo", "repo", "." };
        for (size_t k = 0; k < 3; k++) {
                FOR_EACH_USER {
                        clean();
                        char script[8192], attack[PATH_MAX + 8];
                        snprintf(attack, sizeof(attack), "%s/attack", dir);
                        cr_assert_eq(write_file(attack, git_attack, 0644), 0);
                        struct run_result r;
                        /* The repository is 65534's (the sandbox's uid for
                         * either caller); git runs as its owner. */
                        shell(AS_USER, &r, git_setup);
                        cr_assert_eq(r.status, 0, "%s%s", r.out, r.err);
                        run_result_free(&r);
                        snprintf(script, sizeof(script),
                                 "cd %s && \"$SBX\" run --ro-bind \"$D/attack\" --profile %s -- /bin/sh -c "
                                 "'cd \"$2\" && D=\"$1\" && . \"$1/attack\"' sh \"$D\" %s; echo status=$?\n",
                                 cwds[k], profiles[k], strcmp(cwds[k], ".") == 0 ? "repo" : ".");
                        shell(WHO, &r, script);
                        cr_assert(strstr(r.out, "status=0"), "[%s/%s] sbx failed: %s %s", WHO_NAME,
                                  profiles[k], r.out, r.err);
                        run_result_free(&r);
                        snprintf(script, sizeof(script), "export GIT_AUTHOR_NAME=t GIT_AUTHOR_EMAIL=t@t "
                                 "GIT_COMMITTER_NAME=t GIT_COMMITTER_EMAIL=t@t HOME=$D/home; cd repo\n%s", git_after);
                        shell(AS_USER, &r, script);
                        cr_log_info("[%s/%s] %s%s", WHO_NAME, profiles[k], r.out, r.err);
                        cr_assert(strstr(r.out, "fsmonitor= hook= commondir= config= info= sub=gitdir: ../.git/modules/sub a=mine"),
                                  "[%s/%s] ESCAPE: planted for the next git command (or the work tree not "
                                  "writable):\n%s",
                                  WHO_NAME, profiles[k], r.out);
                        run_result_free(&r);
                }
        }
        /* Bare, as the repository's owner: every point changes and runs. */
        clean();
        char attack[PATH_MAX + 8];
        snprintf(attack, sizeof(attack), "%s/attack", dir);
        cr_assert_eq(write_file(attack, git_attack, 0644), 0);
        char script[8192];
        /* The planted commondir sends git elsewhere for its config and
         * hooks: tried alone, after the others. */
        snprintf(script, sizeof(script), "%s(NO_COMMONDIR=1; . \"$D/attack\")\n%s", git_setup, git_after);
        struct run_result r;
        shell(AS_USER, &r, script);
        cr_assert(strstr(r.out, "fsmonitor=RAN hook=RAN commondir= config=touch") && strstr(r.out, "info=* filter=x") &&
                          strstr(r.out, "sub=gitdir: ../evil"),
                  "cannot fail: the attack did not work bare:\n%s%s", r.out, r.err);
        run_result_free(&r);
        clean();
        cr_assert_eq(write_file(attack, git_attack, 0644), 0);
        snprintf(script, sizeof(script), "%s(. \"$D/attack\")\n%s", git_setup, git_after);
        shell(AS_USER, &r, script);
        cr_assert(strstr(r.out, "commondir=RAN"), "cannot fail: the planted commondir did not work bare:\n%s%s",
                  r.out, r.err);
        run_result_free(&r);
}

/* A sandbox that can write a directory can add directories until a real
 * repository lies past sbx's search for repositories: the next launch
 * there is refused (fail closed), not run with the repository's hooks
 * writable.  A narrower directory still works. */
Test(hostfiles, repository_search_exhausted_refuses)
{
        need("/usr/bin/git", "git");
        FOR_EACH_USER {
                clean();
                struct run_result r;
                shell(AS_USER, &r, "mkdir -p big && cd big && for i in $(seq 2200); do mkdir -p a/d$i; done && "
                                   "git init -q zz-repo");
                cr_assert_eq(r.status, 0, "%s%s", r.out, r.err);
                run_result_free(&r);
                shell(WHO, &r, "cd big && \"$SBX\" run --profile shell -- /bin/true; echo status=$?");
                cr_assert(strstr(r.out, "status=125") && strstr(r.err, "cannot find every git repository"),
                          "[%s] a launch with an incomplete search ran: %s %s", WHO_NAME, r.out, r.err);
                run_result_free(&r);
                shell(WHO, &r, "cd big/zz-repo && \"$SBX\" run --profile shell -- /bin/true; echo status=$?");
                cr_assert(strstr(r.out, "status=0"), "[%s] %s %s", WHO_NAME, r.out, r.err);
                run_result_free(&r);
        }
}

/* ---- XDG base directories elsewhere ---------------------------------------- */

static const char xdg_attack[] =
        "mkdir -p cfg/git && printf '[core]\\n\\tfsmonitor = touch %s/PLANTED-xdg\\n' \"$D\" > cfg/git/config\n"
        "mkdir -p cfg/autostart && echo '[Desktop Entry]' > cfg/autostart/x.desktop\n"
        "mkdir -p cfg/systemd/user && echo '[Service]' > cfg/systemd/user/x.service\n"
        "mkdir -p data/applications && echo '[Desktop Entry]' > data/applications/x.desktop\n"
        "exit 0\n";

static const char xdg_after[] =
        "export HOME=$D/home XDG_CONFIG_HOME=$D/work/cfg; git init -q r2 && cd r2 && git status >/dev/null 2>&1; cd ..\n"
        "echo ran=$(test -e PLANTED-xdg && echo RAN) files=$(cd work && find cfg data -type f | sort | tr '\\n' ,)\n";

Test(hostfiles, points_follow_xdg_config_home)
{
        need("/usr/bin/git", "git");
        char attack[PATH_MAX + 8], script[8192];
        FOR_EACH_USER {
                clean();
                snprintf(attack, sizeof(attack), "%s/attack", dir);
                cr_assert_eq(write_file(attack, xdg_attack, 0644), 0);
                struct run_result r;
                /* 65534's directories, whoever starts sbx. */
                shell(AS_USER, &r, "mkdir -p home work/cfg work/data");
                run_result_free(&r);
                snprintf(script, sizeof(script),
                         "cd work && export HOME=$D/home XDG_CONFIG_HOME=$D/work/cfg XDG_DATA_HOME=$D/work/data\n"
                         "\"$SBX\" run --ro-bind \"$D/attack\" --profile shell -- /bin/sh -c "
                         "'D=\"$1\"; . \"$1/attack\"' sh \"$D\"; echo status=$?\n");
                shell(WHO, &r, script);
                cr_assert(strstr(r.out, "status=0"), "[%s] sbx failed: %s %s", WHO_NAME, r.out, r.err);
                run_result_free(&r);
                shell(AS_USER, &r, xdg_after);
                cr_assert(strstr(r.out, "ran= files=\n"), "[%s] ESCAPE: written under $XDG_CONFIG_HOME or "
                          "$XDG_DATA_HOME:\n%s", WHO_NAME, r.out);
                run_result_free(&r);
        }
        clean();
        cr_assert_eq(write_file(attack, xdg_attack, 0644), 0);
        snprintf(script, sizeof(script), "mkdir -p home work/cfg work/data && (cd work && . \"$D/attack\")\n%s",
                 xdg_after);
        struct run_result r;
        shell(AS_USER, &r, script);
        cr_assert(strstr(r.out, "ran=RAN files=cfg/autostart/x.desktop,cfg/git/config,cfg/systemd/user/x.service,"
                                "data/applications/x.desktop,"),
                  "cannot fail: the attack did not work bare:\n%s%s", r.out, r.err);
        run_result_free(&r);
}

/* ---- credentials and history under a home shown by a bind -------------- */

static const char home_setup[] =
        "mkdir -p h/.ssh h/.aws h/.mozilla/firefox/p.default h/.password-store h/.config/gh h/.gnupg "
        "h/.local/share/keyrings\n"
        "cd h\n"
        "echo SECRET > .netrc; echo SECRET > .ssh/id_rsa; echo SECRET > .aws/credentials\n"
        "echo SECRET > .mozilla/firefox/p.default/logins.json; echo SECRET > .password-store/mail.gpg\n"
        "echo SECRET > .config/gh/hosts.yml; echo SECRET > .git-credentials; echo SECRET > .gnupg/k.key\n"
        "echo SECRET > .local/share/keyrings/login.keyring\n"
        "chmod 600 .netrc .ssh/id_rsa .aws/credentials .git-credentials\n"
        "echo 'ls -l' > .bash_history; echo 'print(1)' > .python_history; echo notes > notes.txt\n";

static const char home_attack[] =
        "for f in .netrc .ssh/id_rsa .aws/credentials .mozilla/firefox/p.default/logins.json "
        ".password-store/mail.gpg .config/gh/hosts.yml .git-credentials .gnupg/k.key "
        ".local/share/keyrings/login.keyring; do cat $f 2>/dev/null; done\n"
        "(grep -rh SECRET . 2>/dev/null)\n"
        "(: > .bash_history) 2>/dev/null; truncate -s0 .python_history 2>/dev/null; rm -f .bash_history 2>/dev/null\n"
        "echo read=$(cat notes.txt); (echo more >> notes.txt) 2>/dev/null\n"
        "exit 0\n";

/* A root caller's own home is 0700: its sandbox (uid 65534) cannot reach
 * the stores there, and must not fail trying to mask them. */
Test(hostfiles, root_home_masks_do_not_fail)
{
        struct run_result r;
        shell(AS_ROOT, &r, "mkdir -m 0700 rh && mkdir rh/.ssh && echo SECRET > rh/.netrc && cd rh && "
                           "HOME=$D/rh \"$SBX\" run --profile default -- /bin/true; echo status=$?");
        cr_assert(strstr(r.out, "status=0"), "a root caller's 0700 home broke the launch: %s%s", r.out, r.err);
        run_result_free(&r);
}

Test(hostfiles, credentials_and_history_under_a_bound_home)
{
        static const char *const profiles[] = { "default", "shell", "build" };
        char attack[PATH_MAX + 8], script[8192];
        snprintf(attack, sizeof(attack), "%s/attack", dir);
        for (size_t k = 0; k < 3; k++) {
                FOR_EACH_USER {
                        clean();
                        cr_assert_eq(write_file(attack, home_attack, 0644), 0);
                        struct run_result r;
                        /* The home is 65534's: build it as 65534, run sbx as WHO. */
                        char prep[8192];
                        snprintf(prep, sizeof(prep), "%s", home_setup);
                        shell(AS_USER, &r, prep);
                        run_result_free(&r);
                        snprintf(script, sizeof(script),
                                 "export HOME=$D/h; cd h\n"
                                 "\"$SBX\" run --ro-bind \"$D/attack\" --profile %s -- /bin/sh -c '. \"$1\"' sh "
                                 "\"$D/attack\"; echo status=$?\n"
                                 "echo history=$(cat .bash_history .python_history | tr '\\n' ,) notes=$(tr '\\n' , "
                                 "< notes.txt)\n",
                                 profiles[k]);
                        shell(WHO, &r, script);
                        cr_log_info("[%s/%s] %s%s", WHO_NAME, profiles[k], r.out, r.err);
                        cr_assert(strstr(r.out, "status=0"), "[%s/%s] sbx failed: %s", WHO_NAME, profiles[k], r.err);
                        cr_assert(!strstr(r.out, "SECRET"), "[%s/%s] ESCAPE: a credential was read:\n%s", WHO_NAME,
                                  profiles[k], r.out);
                        cr_assert(strstr(r.out, "history=ls -l,print(1),"), "[%s/%s] ESCAPE: a history file "
                                  "changed:\n%s", WHO_NAME, profiles[k], r.out);
                        /* The user's ordinary files stay as the profile grants. */
                        cr_assert(strstr(r.out, "read=notes"), "[%s/%s] notes.txt not readable:\n%s", WHO_NAME,
                                  profiles[k], r.out);
                        cr_assert(strstr(r.out, k == 0 ? "notes=notes,\n" : "notes=notes,more,\n"),
                                  "[%s/%s] notes.txt not as the profile grants:\n%s", WHO_NAME, profiles[k], r.out);
                        run_result_free(&r);
                }
        }
        clean();
        cr_assert_eq(write_file(attack, home_attack, 0644), 0);
        snprintf(script, sizeof(script), "%s(. \"$D/attack\"); echo history=$(cat .bash_history .python_history "
                 "2>/dev/null | tr '\\n' ,)\n", home_setup);
        struct run_result r;
        shell(AS_USER, &r, script);
        size_t n = 0;
        for (const char *s = r.out; (s = strstr(s, "SECRET")); s++)
                n++;
        cr_assert(n >= 18 && strstr(r.out, "history=\n"),
                  "cannot fail: bare, the credentials were not all read (%zu) or history not wiped:\n%s", n, r.out);
        run_result_free(&r);
}

/* ---- a profile names what it needs ------------------------------------- */

/* `protect-project = !git-hooks` lets the hooks be written (and analyze
 * says so); a bind of ~/.ssh shows the keys (and analyze says so); an
 * unknown name is an error with file:line. */
Test(hostfiles, a_profile_allows_points_and_stores_by_name)
{
        need("/usr/bin/git", "git");
        char path[PATH_MAX + 16];
        snprintf(path, sizeof(path), "%s/hooks.ini", dir);
        cr_assert_eq(write_file(path, "[profile]\ninclude = shell\n[filesystem]\nprotect-project = !git-hooks\n", 0644), 0);
        snprintf(path, sizeof(path), "%s/ssh.ini", dir);
        cr_assert_eq(write_file(path, "[profile]\ninclude = default\n[filesystem]\nro-bind = ~/.ssh\n", 0644), 0);
        snprintf(path, sizeof(path), "%s/bad.ini", dir);
        cr_assert_eq(write_file(path, "[profile]\ninclude = default\n[filesystem]\nprotect-project = git-stuff\n", 0644),
                     0);
        FOR_EACH_USER {
                struct run_result r;
                shell(AS_USER, &r, "rm -rf repo h; git init -q repo && mkdir -p h/.ssh && echo KEY > h/.ssh/id_rsa");
                run_result_free(&r);
                shell(WHO, &r,
                      "cd repo && \"$SBX\" run --profile ../hooks.ini -- /bin/sh -c "
                      "'echo x > .git/hooks/pre-commit && echo hooks=written; (git config core.x y) 2>/dev/null || "
                      "echo config=refused'\n"
                      "cd ../h && HOME=$D/h \"$SBX\" run --profile ../ssh.ini -- /bin/cat .ssh/id_rsa\n");
                cr_log_info("[%s] %s%s", WHO_NAME, r.out, r.err);
                cr_assert(strstr(r.out, "hooks=written\nconfig=refused\n"), "[%s] git-hooks not allowed by name, or "
                          "config not kept:\n%s%s", WHO_NAME, r.out, r.err);
                cr_assert(strstr(r.out, "KEY\n"), "[%s] a store bound by name is not shown:\n%s%s", WHO_NAME, r.out,
                          r.err);
                run_result_free(&r);
        }
        struct run_result r;
        shell(AS_USER, &r, "HOME=$D/h \"$SBX\" analyze --profile hooks.ini; HOME=$D/h \"$SBX\" analyze --profile ssh.ini; "
                           "\"$SBX\" check bad.ini; echo check=$?");
        cr_assert(strstr(r.out, "git-hooks of a writable directory left writable"), "analyze:\n%s", r.out);
        cr_assert(strstr(r.out, "binds the credential store"), "analyze:\n%s", r.out);
        cr_assert(strstr(r.out, "check=2") && strstr(r.err, "bad.ini:4:") && strstr(r.err, "git-stuff"),
                  "check:\n%s%s", r.out, r.err);
        run_result_free(&r);
}
