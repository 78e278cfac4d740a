/* test_profile.c — the profile language: every key with valid values,
 * every error with its exact FILE:LINE, includes and removal, expansion,
 * and the round trip format → load → equal.  The search path is in
 * test_profile_path.c, the launcher side (`sbx check`, `show`, `list`) in
 * test_profile_cli.c. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"
#include "profile/policy.h"
#include "profile/profile.h"

#define HEX64 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static struct sbx_policy *load_ok(const char *ini)
{
        struct sbx_policy *p = NULL;
        struct sbx_error *e = NULL;
        cr_assert_eq(sbx_policy_new(&p), 0);
        int r = sbx_policy_load_string(p, ini, "t.ini", &e);
        cr_assert_eq(r, 0, "load failed: %s\n--- input:\n%s", e ? sbx_error_message(e) : "?", ini);
        return p;
}

/* Loading must fail at FILE:LINE with a message starting with `msg`. */
static void expect_error_in(struct sbx_policy *p, const char *ini, unsigned line, const char *msg)
{
        struct sbx_error *e = NULL;
        int r = sbx_policy_load_string(p, ini, "t.ini", &e);
        cr_assert_lt(r, 0, "accepted:\n%s", ini);
        cr_assert_not_null(e);
        char want[512];
        snprintf(want, sizeof(want), "t.ini:%u: %s", line, msg);
        cr_assert(strncmp(sbx_error_message(e), want, strlen(want)) == 0, "got  '%s'\nwant '%s…'",
                  sbx_error_message(e), want);
        cr_assert_str_eq(sbx_error_file(e), "t.ini");
        cr_assert_eq(sbx_error_line(e), line);
        cr_assert_eq(sbx_error_kind(e), SBX_ERROR_PROFILE);
        sbx_error_free(e);
}

static void expect_error(const char *ini, unsigned line, const char *msg)
{
        struct sbx_policy *p = NULL;
        cr_assert_eq(sbx_policy_new(&p), 0);
        expect_error_in(p, ini, line, msg);
        sbx_policy_free(p);
}

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

static const struct mount_op *find_mount(const struct sbx_policy *p, enum mount_kind k, const char *dst)
{
        for (size_t i = 0; i < p->mounts.n; i++)
                if (p->mounts.v[i].kind == k && strcmp(p->mounts.v[i].dst, dst) == 0)
                        return &p->mounts.v[i];
        return NULL;
}

static const struct strlist *rule(const struct sbx_policy *p, const char *syscall)
{
        static const struct strlist none;
        for (size_t i = 0; i < p->sc_nargs; i++)
                if (strcmp(p->sc_args[i].syscall, syscall) == 0)
                        return &p->sc_args[i].values;
        cr_assert_fail("no %s rule", syscall);
        return &none;
}

static void round_trip(const struct sbx_policy *p)
{
        char *text = NULL;
        struct sbx_policy *q = NULL;
        struct sbx_error *e = NULL;
        cr_assert_eq(sbx_policy_format(p, &text), 0);
        cr_assert_eq(sbx_policy_new(&q), 0);
        cr_assert_eq(sbx_policy_load_string(q, text, "formatted", &e), 0, "%s\n%s",
                     e ? sbx_error_message(e) : "?", text);
        cr_assert(policy_equal(p, q), "round trip changed the policy:\n%s", text);
        free(text);
        sbx_policy_free(q);
}

/* ---- defaults ---------------------------------------------------------- */

Test(profile, defaults_are_strict)
{
        struct sbx_policy *p = NULL;
        cr_assert_eq(sbx_policy_new(&p), 0);
        cr_assert(p->ns_user && p->ns_mount && p->ns_pid && p->ns_ipc && p->ns_uts && p->ns_cgroup);
        cr_assert_eq(p->uid, -1);
        cr_assert_eq(p->gid, -1);
        cr_assert(!p->keep_root);
        cr_assert_str_eq(p->hostname, "sbx");
        cr_assert_eq(p->mounts.n, 0);
        cr_assert_eq(p->proc, PROC_MASKED);
        cr_assert_eq(p->sys, SYS_NONE);
        cr_assert_eq(p->home, HOME_TMPFS);
        cr_assert_eq(p->args, ARGS_NONE);
        cr_assert_eq(p->cwd_bind, CWD_NONE);
        cr_assert_null(p->cwd);
        cr_assert_eq(p->net, NET_NONE);
        cr_assert_eq(p->tcp_bind.n + p->tcp_connect.n + p->exec_allow.n + p->exec_deny.n, 0);
        cr_assert(!p->writable_exec && !p->memfd_exec);
        cr_assert(p->seccomp);
        cr_assert_eq(p->sc_allow.n, 1);
        cr_assert_str_eq(p->sc_allow.v[0], "@default");
        cr_assert_eq(p->sc_action, DENY_ERRNO);
        cr_assert_eq(p->sc_errno, EPERM);
        cr_assert(!p->sc_nested && !p->sc_userns && !p->sc_wx);
        cr_assert(strlist_contains(rule(p, "socket"), "unix") && rule(p, "socket")->n == 1);
        cr_assert_eq(rule(p, "ioctl")->n, 0);
        cr_assert_eq(p->caps_keep.n, 0);
        for (size_t i = 0; i < SBX_RLIMIT_COUNT; i++) {
                const struct rlimit_rule *l = &p->rlimits[i];
                cr_assert_eq(l->set, l->resource == RLIMIT_CORE);
                if (l->set)
                        cr_assert(l->lim.rlim_cur == 0 && l->lim.rlim_max == 0);
        }
        const char *keep[] = { "TERM", "LANG", "LANGUAGE", "LC_*", "TZ", "COLORTERM", "NO_COLOR" };
        cr_assert_eq(p->env_keep.n, 7);
        for (size_t i = 0; i < 7; i++)
                cr_assert(strlist_contains(&p->env_keep, keep[i]), "%s", keep[i]);
        cr_assert(p->landlock);
        cr_assert_eq(p->landlock_min_abi, 1);
        cr_assert(p->new_session);
        cr_assert_eq(sbx_policy_validate(p, NULL), 0);
        cr_assert_str_eq(sbx_version(), "0.1.0");
        sbx_policy_free(p);
}

/* ---- every key --------------------------------------------------------- */

static const char all_keys[] =
        "[profile]\n"
        "name = all-keys\n"
        "description = Every key, \"once\" ; a comment\n"
        "[namespaces]\n"
        "user = yes\nmount = on\npid = no\nipc = off\nuts = 1\ncgroup = false\n"
        "uid = 1000\ngid = 0\nkeep-root = true\nhostname = box.example-1\n"
        "[filesystem]\n"
        "bind = /tmp:/data:exec\n"
        "bind = -/nonexistent/opt\n"
        "ro-bind = /usr /etc/passwd:/etc/passwd2\n"
        "dev = -/dev/dri/renderD128\n"
        "tmpfs = /run/user:exec /scratch\n"
        "dir = /mnt/empty\n"
        "symlink = usr/bin:/bin /usr/lib:/lib\n"
        "proc = full\nsys = ro\nhome = none\nargs = ro\ncwd-bind = rw\ncwd = /data\n"
        "[network]\n"
        "mode = host\ntcp-bind = 8080 9000-9010 0443\ntcp-connect = any\n"
        "[exec]\n"
        "allow = /usr/bin /usr/lib/*/libexec\n"
        "deny = /usr/bin/python*\n"
        "allow-hash = /usr/bin/true:" HEX64 "\n"
        "writable-exec = yes\nmemfd-exec = on\n"
        "[seccomp]\n"
        "enabled = yes\nallow = @network-io ptrace\ndeny = @obsolete\noverride = @mount\n"
        "action = kill\nerrno = EACCES\nnested = yes\nuser-namespaces = yes\nwx = yes\n"
        "socket = inet inet6\nioctl = TIOCSCTTY 0x5401\n"
        "[capabilities]\n"
        "keep = net_bind_service CAP_SYS_CHROOT\n"
        "[limits]\n"
        "nofile = 1024:4096\nnproc = 100\nas = 4G\ndata = 512M:1G\nstack = 8M\ncore = unlimited\n"
        "fsize = 10k\nmemlock = 64K\ncpu = 60:120\nrss = unlimited\nmsgqueue = 1m\nnice = 10\n"
        "rtprio = 0\nsigpending = 100\nlocks = 10\nrttime = 5:unlimited\n"
        "[environment]\n"
        "keep = PATH XDG_*\n"
        "set = FOO=bar \"GREETING=hello world\" X=\"a \\\"b\\\" c\"\n"
        "[landlock]\n"
        "enabled = no\nmin-abi = 3\noptional = net scope\nread-only = /etc\n"
        "[process]\n"
        "new-session = off\n";

static rlim_t lim(const struct sbx_policy *p, int resource, bool hard)
{
        for (size_t i = 0; i < SBX_RLIMIT_COUNT; i++)
                if (p->rlimits[i].resource == resource) {
                        cr_assert(p->rlimits[i].set, "limit %d not set", resource);
                        return hard ? p->rlimits[i].lim.rlim_max : p->rlimits[i].lim.rlim_cur;
                }
        cr_assert_fail("no limit %d", resource);
        return 0;
}

Test(profile, every_key_accepted)
{
        struct sbx_policy *p = load_ok(all_keys);
        cr_assert_str_eq(p->name, "all-keys");
        cr_assert_str_eq(p->description, "Every key, once");
        cr_assert(p->ns_user && p->ns_mount && !p->ns_pid && !p->ns_ipc && p->ns_uts && !p->ns_cgroup);
        cr_assert_eq(p->uid, 1000);
        cr_assert_eq(p->gid, 0);
        cr_assert(p->keep_root);
        cr_assert_str_eq(p->hostname, "box.example-1");

        const struct mount_op *m = find_mount(p, MOUNT_BIND, "/data");
        cr_assert(m && strcmp(m->src, "/tmp") == 0 && m->flags == MOUNT_F_EXEC);
        m = find_mount(p, MOUNT_BIND, "/nonexistent/opt");
        cr_assert(m && m->flags == MOUNT_F_OPTIONAL);
        cr_assert_not_null(find_mount(p, MOUNT_RO_BIND, "/usr"));
        m = find_mount(p, MOUNT_RO_BIND, "/etc/passwd2");
        cr_assert(m && strcmp(m->src, "/etc/passwd") == 0);
        m = find_mount(p, MOUNT_DEV, "/dev/dri/renderD128");
        cr_assert(m && m->flags == MOUNT_F_OPTIONAL);
        m = find_mount(p, MOUNT_TMPFS, "/run/user");
        cr_assert(m && m->flags == MOUNT_F_EXEC && !m->src);
        cr_assert_not_null(find_mount(p, MOUNT_TMPFS, "/scratch"));
        cr_assert_not_null(find_mount(p, MOUNT_DIR, "/mnt/empty"));
        m = find_mount(p, MOUNT_SYMLINK, "/bin");
        cr_assert(m && strcmp(m->src, "usr/bin") == 0);
        m = find_mount(p, MOUNT_SYMLINK, "/lib");
        cr_assert(m && strcmp(m->src, "/usr/lib") == 0);
        cr_assert_eq(p->mounts.n, 10);
        cr_assert_eq(m->loc.line, 22);
        cr_assert_str_eq(m->loc.file, "t.ini");
        cr_assert(p->proc == PROC_FULL && p->sys == SYS_RO && p->home == HOME_NONE);
        cr_assert(p->args == ARGS_RO && p->cwd_bind == CWD_RW);
        cr_assert_str_eq(p->cwd, "/data");

        cr_assert_eq(p->net, NET_HOST);
        cr_assert_eq(p->tcp_bind.n, 3);
        cr_assert(strlist_contains(&p->tcp_bind, "8080") && strlist_contains(&p->tcp_bind, "9000-9010") &&
                  strlist_contains(&p->tcp_bind, "443"));
        cr_assert(p->tcp_connect.n == 1 && strcmp(p->tcp_connect.v[0], "any") == 0);

        cr_assert(strlist_contains(&p->exec_allow, "/usr/bin") &&
                  strlist_contains(&p->exec_allow, "/usr/lib/*/libexec"));
        cr_assert(strlist_contains(&p->exec_deny, "/usr/bin/python*"));
        cr_assert_eq(p->exec_hashes.n, 1);
        cr_assert_str_eq(p->exec_hashes.v[0].path, "/usr/bin/true");
        cr_assert_str_eq(p->exec_hashes.v[0].hex, HEX64);
        cr_assert(p->writable_exec && p->memfd_exec);

        cr_assert(p->seccomp);
        cr_assert_eq(p->sc_allow.n, 3);
        cr_assert(strlist_contains(&p->sc_allow, "@default") && strlist_contains(&p->sc_allow, "@network-io") &&
                  strlist_contains(&p->sc_allow, "ptrace"));
        cr_assert(strlist_contains(&p->sc_deny, "@obsolete"));
        cr_assert(strlist_contains(&p->sc_override, "@mount"));
        cr_assert_eq(p->sc_action, DENY_KILL);
        cr_assert_eq(p->sc_errno, EACCES);
        cr_assert(p->sc_nested && p->sc_userns && p->sc_wx);
        const struct strlist *s = rule(p, "socket");
        cr_assert(s->n == 3 && strlist_contains(s, "unix") && strlist_contains(s, "inet") &&
                  strlist_contains(s, "inet6"));
        s = rule(p, "ioctl");
        cr_assert(s->n == 2 && strlist_contains(s, "TIOCSCTTY") && strlist_contains(s, "TCGETS"));

        cr_assert(p->caps_keep.n == 2 && strlist_contains(&p->caps_keep, "net_bind_service") &&
                  strlist_contains(&p->caps_keep, "sys_chroot"));

        cr_assert(lim(p, RLIMIT_NOFILE, false) == 1024 && lim(p, RLIMIT_NOFILE, true) == 4096);
        cr_assert(lim(p, RLIMIT_NPROC, false) == 100 && lim(p, RLIMIT_NPROC, true) == 100);
        cr_assert_eq(lim(p, RLIMIT_AS, true), 4ULL << 30);
        cr_assert(lim(p, RLIMIT_DATA, false) == 512ULL << 20 && lim(p, RLIMIT_DATA, true) == 1ULL << 30);
        cr_assert_eq(lim(p, RLIMIT_STACK, false), 8ULL << 20);
        cr_assert_eq(lim(p, RLIMIT_CORE, false), RLIM_INFINITY);
        cr_assert_eq(lim(p, RLIMIT_FSIZE, false), 10240);
        cr_assert_eq(lim(p, RLIMIT_MEMLOCK, false), 65536);
        cr_assert(lim(p, RLIMIT_CPU, false) == 60 && lim(p, RLIMIT_CPU, true) == 120);
        cr_assert_eq(lim(p, RLIMIT_RSS, true), RLIM_INFINITY);
        cr_assert_eq(lim(p, RLIMIT_MSGQUEUE, false), 1ULL << 20);
        cr_assert_eq(lim(p, RLIMIT_NICE, false), 10);
        cr_assert_eq(lim(p, RLIMIT_RTPRIO, false), 0);
        cr_assert_eq(lim(p, RLIMIT_SIGPENDING, false), 100);
        cr_assert_eq(lim(p, RLIMIT_LOCKS, false), 10);
        cr_assert(lim(p, RLIMIT_RTTIME, false) == 5 && lim(p, RLIMIT_RTTIME, true) == RLIM_INFINITY);

        cr_assert(strlist_contains(&p->env_keep, "PATH") && strlist_contains(&p->env_keep, "XDG_*") &&
                  strlist_contains(&p->env_keep, "TERM"));
        cr_assert_eq(p->env_set.n, 3);
        cr_assert(strlist_contains(&p->env_set, "FOO=bar"));
        cr_assert(strlist_contains(&p->env_set, "GREETING=hello world"));
        cr_assert(strlist_contains(&p->env_set, "X=a \"b\" c"));

        cr_assert(!p->landlock);
        cr_assert_eq(p->landlock_min_abi, 3);
        cr_assert(strlist_contains(&p->landlock_optional, "net") && strlist_contains(&p->landlock_optional, "scope"));
        cr_assert(strlist_contains(&p->ll_readonly, "/etc"));
        cr_assert(!p->new_session);
        cr_assert_eq(p->scalar_loc[K_HOSTNAME].line, 14);
        round_trip(p);
        sbx_policy_free(p);
}

Test(profile, booleans_and_words)
{
        const char *yes[] = { "yes", "true", "on", "1" }, *no[] = { "no", "false", "off", "0" };
        char ini[128];
        for (size_t i = 0; i < 4; i++) {
                snprintf(ini, sizeof(ini), "[process]\nnew-session = %s\n[exec]\nmemfd-exec = %s\n", no[i], yes[i]);
                struct sbx_policy *p = load_ok(ini);
                cr_assert(!p->new_session && p->memfd_exec, "%s/%s", no[i], yes[i]);
                sbx_policy_free(p);
        }
        const char *ok[] = {
                "[filesystem]\nproc = none\nsys = none\nhome = tmpfs\nargs = rw\ncwd-bind = none\n",
                "[seccomp]\naction = log\nerrno = 13\n",
                "[seccomp]\naction = notify\nerrno = eperm\n",
                "[seccomp]\naction = errno\n",
                "[namespaces]\nuid = caller\ngid = 65534\n",
                "[network]\nmode = none\n",
                "[landlock]\noptional = fs refer truncate net ioctl-dev scope all\n",
                "[filesystem]\ncwd =\n",
        };
        for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
                sbx_policy_free(load_ok(ok[i]));
}

/* ---- every error, with its line ---------------------------------------- */

Test(profile, errors_sections_keys_syntax)
{
        expect_error("[profile]\nname = x\n[bogus]\n", 3, "unknown section [bogus]");
        expect_error("[profile]\n[Profile]\n", 2, "unknown section [Profile]");
        expect_error("[exec]\nallowed = /x\n", 2, "unknown key 'allowed' in [exec]");
        expect_error("[exec]\nAllow = /x\n", 2, "unknown key 'Allow' in [exec]");
        expect_error("[profile]\n\njunk\n", 3, "expected 'key = value' or '[section]'");
        expect_error("[profile]\nname: x\n", 2, "expected 'key = value' or '[section]'");
        expect_error("[profile\n", 1, "expected ']'");
        expect_error("[profile] trailing\n", 1, "unexpected text after [section]");
        expect_error("name = x\n[profile]\n", 1, "'name' is outside a section");
        expect_error("[profile]\n= x\n", 2, "expected a key before '='");
        expect_error("[profile]\ndescription = \"abc\n", 2, "[profile] description: unterminated quote");
        expect_error("[profile]\ndescription = \"a\\nb\"\n", 2, "[profile] description: inside quotes only");
        expect_error("[exec]\nallow = ! /x\n", 2, "[exec] allow: '!' needs a value");
        expect_error("[exec]\nallow =\n", 2, "[exec] allow: no value");
        expect_error("[namespaces]\nhostname = a b\n", 2, "[namespaces] hostname: expected one value, got 2");
        expect_error("[namespaces]\nhostname =\n", 2, "[namespaces] hostname: no value");
        expect_error("", 1, "empty profile");
        expect_error("; only a comment\n\n   \n# another\n", 1, "empty profile");
        sbx_policy_free(load_ok("[profile]\n"));
        sbx_policy_free(load_ok("\xef\xbb\xbf[profile]\r\nname = crlf\r\n"));
}

Test(profile, errors_values)
{
        expect_error("[namespaces]\n\nuser = maybe\n", 3, "[namespaces] user: expected yes, no");
        expect_error("[namespaces]\nuid = 65535\n", 2, "[namespaces] uid: expected caller or a number 0-65534");
        expect_error("[namespaces]\ngid = -1\n", 2, "[namespaces] gid: expected caller");
        expect_error("[namespaces]\nhostname = a_b\n", 2, "[namespaces] hostname: 'a_b' is not 1-64");
        expect_error("[namespaces]\nhostname = " "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n", 2,
                     "[namespaces] hostname:");
        expect_error("[profile]\nname = a/b\n", 2, "[profile] name: 'a/b' is not a name");
        expect_error("[filesystem]\nproc = yes\n", 2, "[filesystem] proc: expected masked, full, none, not 'yes'");
        expect_error("[filesystem]\nsys = rw\n", 2, "[filesystem] sys: expected none, ro");
        expect_error("[filesystem]\nhome = real\n", 2, "[filesystem] home: expected tmpfs, none");
        expect_error("[filesystem]\nargs = all\n", 2, "[filesystem] args: expected none, ro, rw");
        expect_error("[filesystem]\ncwd-bind = yes\n", 2, "[filesystem] cwd-bind: expected none, ro, rw");
        expect_error("[network]\nmode = slirp\n", 2, "[network] mode: expected none, host, pasta, not 'slirp'");
        expect_error("[network]\nfallback = maybe\n", 2, "[network] fallback: expected refuse, none, host, not 'maybe'");
        expect_error("[network]\ntcp-bind = 0\n", 2, "[network] tcp-bind: expected a port 1-65535");
        expect_error("[network]\ntcp-bind = 65536\n", 2, "[network] tcp-bind: expected a port");
        expect_error("[network]\ntcp-connect = 90-80\n", 2, "[network] tcp-connect: expected a port");
        expect_error("[network]\ntcp-connect = http\n", 2, "[network] tcp-connect: expected a port");
        expect_error("[exec]\nallow-hash = /usr/bin/true\n", 2, "[exec] allow-hash: expected PATH:SHA256");
        expect_error("[exec]\nallow-hash = /usr/bin/true:abc\n", 2, "[exec] allow-hash: expected 64 lowercase hex");
        expect_error("[exec]\nallow-hash = /usr/bin/true:" "0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef\n", 2,
                     "[exec] allow-hash: expected 64 lowercase hex");
        expect_error("[exec]\nallow-hash = /usr/bin/*:" HEX64 "\n", 2, "[exec] allow-hash: a pinned executable cannot be a glob");
        expect_error("[exec]\nwritable-exec = sometimes\n", 2, "[exec] writable-exec: expected yes");
        expect_error("[seccomp]\nallow = @nosuchgroup\n", 2, "[seccomp] allow: unknown syscall group '@nosuchgroup'");
        expect_error("[seccomp]\ndeny = nosuchcall\n", 2, "[seccomp] deny: unknown syscall 'nosuchcall'");
        expect_error("[seccomp]\noverride = read nosuch\n", 2, "[seccomp] override: unknown syscall 'nosuch'");
        expect_error("[seccomp]\naction = trap\n", 2, "[seccomp] action: expected errno, kill, log, notify");
        expect_error("[seccomp]\nerrno = EWHAT\n", 2, "[seccomp] errno: expected an errno name");
        expect_error("[seccomp]\nerrno = 4096\n", 2, "[seccomp] errno: expected an errno name");
        expect_error("[seccomp]\nsocket = carrier-pigeon\n", 2, "[seccomp] socket: unknown address family 'carrier-pigeon'");
        expect_error("[seccomp]\nioctl = TIOCNOSUCH\n", 2, "[seccomp] ioctl: unknown ioctl request 'TIOCNOSUCH'");
        expect_error("[capabilities]\nkeep = cap_fly\n", 2, "[capabilities] keep: unknown capability 'cap_fly'");
        expect_error("[limits]\nnofile = 1K\n", 2, "[limits] nofile: expected N, SOFT:HARD or unlimited");
        expect_error("[limits]\nas = 1T\n", 2, "[limits] as: expected N (K, M or G suffix allowed)");
        expect_error("[limits]\nnofile = 10:5\n", 2, "[limits] nofile: the soft limit is above the hard limit");
        expect_error("[limits]\nnofile = 1:2:3\n", 2, "[limits] nofile: expected N, SOFT:HARD");
        expect_error("[limits]\nnice = 41\n", 2, "[limits] nice: '41' is out of range");
        expect_error("[limits]\nas = 99999999999999999999G\n", 2, "[limits] as:");
        expect_error("[limits]\nas = 17179869184G\n", 2, "[limits] as: '17179869184G' is too large");
        expect_error("[environment]\nkeep = A-B\n", 2, "[environment] keep: 'A-B' is not a variable name or glob");
        expect_error("[environment]\nset = 1X=2\n", 2, "[environment] set: expected NAME=VALUE");
        expect_error("[environment]\nset = NOVALUE\n", 2, "[environment] set: expected NAME=VALUE");
        expect_error("[landlock]\noptional = everything\n", 2, "[landlock] optional: unknown Landlock feature 'everything'");
        expect_error("[landlock]\nmin-abi = 0\n", 2, "[landlock] min-abi: expected a Landlock ABI version 1-99");
        expect_error("[landlock]\nenabled = maybe\n", 2, "[landlock] enabled: expected yes");
        expect_error("[process]\nnew-session = 2\n", 2, "[process] new-session: expected yes");
        expect_error("[profile]\ninclude = \"a b\"\n", 2, "[profile] include: 'a b' is not a profile name");
        expect_error("[profile]\ninclude = !x\n", 2, "[profile] include: an include cannot be removed");
}

Test(profile, errors_duplicates)
{
        expect_error("[namespaces]\nuser = yes\npid = yes\nuser = no\n", 4,
                     "[namespaces] user: duplicate key, first set at line 2");
        expect_error("[namespaces]\nuser = yes\n[exec]\nallow = /usr/bin\n[namespaces]\nuser = no\n", 6,
                     "[namespaces] user: duplicate key, first set at line 2");
        expect_error("[limits]\ncore = 0\ncore = 1\n", 3, "[limits] core: duplicate key, first set at line 2");
        expect_error("[profile]\nname = a\nname = a\n", 3, "[profile] name: duplicate key, first set at line 2");
        /* Lists repeat; a scalar set again after an error-free earlier
         * load (another file) overrides. */
        struct sbx_policy *p = load_ok("[exec]\nallow = /usr/bin\nallow = /bin\n[namespaces]\nhostname = a\n");
        cr_assert_eq(p->exec_allow.n, 2);
        struct sbx_error *e = NULL;
        cr_assert_eq(sbx_policy_load_string(p, "[namespaces]\nhostname = b\n", "u.ini", &e), 0);
        cr_assert_str_eq(p->hostname, "b");
        sbx_policy_free(p);
}

Test(profile, errors_paths_and_variables)
{
        unsetenv("SBX_TEST_UNSET");
        setenv("SBX_TEST_EMPTY", "", 1);
        setenv("SBX_TEST_CTRL", "/a\nb", 1);
        expect_error("[filesystem]\nbind = tmp\n", 2, "[filesystem] bind: path must be absolute: 'tmp'");
        expect_error("[filesystem]\nro-bind = /usr:usr\n", 2, "[filesystem] ro-bind: path must be absolute: 'usr'");
        expect_error("[exec]\nallow = bin/*\n", 2, "[exec] allow: path must be absolute");
        expect_error("[filesystem]\ncwd = ./x\n", 2, "[filesystem] cwd: path must be absolute");
        expect_error("[landlock]\nread-only = etc\n", 2, "[landlock] read-only: path must be absolute");
        expect_error("[filesystem]\nbind = ${SBX_TEST_UNSET}/x\n", 2, "[filesystem] bind: ${SBX_TEST_UNSET} is not set");
        expect_error("[filesystem]\n\n\nbind = ${SBX_TEST_EMPTY}/x\n", 4,
                     "[filesystem] bind: ${SBX_TEST_EMPTY} is empty");
        expect_error("[environment]\nset = A=${SBX_TEST_UNSET}\n", 2, "[environment] set: ${SBX_TEST_UNSET} is not set");
        /* A variable in a path is taken byte for byte (test_paths.c: a
         * directory named with a newline, through ${PWD}); other values
         * must be text. */
        expect_error("[environment]\nset = A=${SBX_TEST_CTRL}\n", 2, "[environment] set: ${SBX_TEST_CTRL}: control character");
        expect_error("[filesystem]\nbind = ${1X}\n", 2, "[filesystem] bind: bad variable reference");
        expect_error("[filesystem]\nbind = ${HOME\n", 2, "[filesystem] bind: bad variable reference");
        expect_error("[filesystem]\nbind = ~root/x\n", 2, "[filesystem] bind: ~user is not supported");
        expect_error("[exec]\nallow = /usr/../etc\n", 2, "[exec] allow: '..' is not allowed in paths");
        expect_error("[filesystem]\nbind = /home/x/..\n", 2, "[filesystem] bind: '..' is not allowed");
        expect_error("[profile]\ninclude = ../x.ini\n", 2, "[profile] include: '..' is not allowed");
        expect_error("[filesystem]\nbind = /a:/b:/c\n", 2, "[filesystem] bind: /a:/b:/c: expected");
        expect_error("[filesystem]\nro-bind = /a:exec\n", 2, "[filesystem] ro-bind: ':exec' only applies to bind and tmpfs");
        expect_error("[filesystem]\ndev = /dev/null:exec\n", 2, "[filesystem] dev: ':exec' only applies");
        expect_error("[filesystem]\nsymlink = /x\n", 2, "[filesystem] symlink: /x: expected");
        expect_error("[filesystem]\ndir = /x:exec\n", 2, "[filesystem] dir: ':exec' only applies");
        expect_error("[filesystem]\nbind = !/a:/b\n", 2, "[filesystem] bind: '!' takes one path");
        /* The value was split at its colons before expansion: a ':' (or a
         * newline) a variable brings is part of the path. */
        setenv("SBX_TEST_COLON", "/a:b", 1);
        struct sbx_policy *p = NULL;
        struct sbx_error *e = NULL;
        cr_assert_eq(sbx_policy_new(&p), 0);
        cr_assert_eq(sbx_policy_load_string(p, "[filesystem]\nbind = ${SBX_TEST_COLON}:/x ${SBX_TEST_CTRL}\n",
                                            "t.ini", &e), 0, "%s", e ? sbx_error_message(e) : "");
        const struct mount_op *m = find_mount(p, MOUNT_BIND, "/x");
        cr_assert(m && strcmp(m->src, "/a:b") == 0);
        m = find_mount(p, MOUNT_BIND, "/a\nb");
        cr_assert(m && strcmp(m->src, "/a\nb") == 0);
        sbx_policy_free(p);
        char *big = NULL;
        cr_assert(asprintf(&big, "[exec]\nallow = /%01100d\n", 0) > 0);
        expect_error(big, 2, "[exec] allow: path too long");
        free(big);
}

Test(profile, errors_text)
{
        expect_error("[profile]\ndescription = caf\xe9\n", 2, "not UTF-8 (byte 0xe9 at column 18)");
        expect_error("[profile]\ndescription = \xc0\xaf overlong\n", 2, "not UTF-8");
        expect_error("[profile]\ndescription = \xed\xa0\x80 surrogate\n", 2, "not UTF-8");
        expect_error("[profile]\n; comment \xff\n", 2, "not UTF-8");
        expect_error("[profile]\ndescription = a\x01z\n", 2, "control character 0x01 at column 16");
        expect_error("[profile]\ndescription = a\x1b[2Jz\n", 2, "control character 0x1b");
        expect_error("[profile]\ndescription = a\xc2\x9b" "2J\n", 2, "control character U+009B");
        expect_error("[profile]\ndescription = tab\tis fine\rbut not CR\n", 2, "control character 0x0d");
        sbx_policy_free(load_ok("[profile]\ndescription = caf\xc3\xa9 \xe2\x9c\x93 \xf0\x9f\x94\x92\n"));

        /* Lines: 4095 bytes are fine, one more is not. */
        size_t n = 4095;
        char *ini = malloc(n + 64);
        strcpy(ini, "[profile]\n;");
        memset(ini + 11, 'x', n - 1);
        strcpy(ini + 10 + n, "\nname = ok\n");
        sbx_policy_free(load_ok(ini));
        strcpy(ini, "[profile]\nname = x\n;");
        memset(ini + 20, 'x', n);
        strcpy(ini + 20 + n, "\n");
        expect_error(ini, 3, "line too long (more than 4095 bytes)");
        free(ini);
}

Test(profile, errors_nul_and_files)
{
        char *dir = make_tmpdir();
        char *path = path_in(dir, "nul.ini");
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        static const char text[] = "[profile]\nname = a\0b\n";
        cr_assert_eq(write(fd, text, sizeof(text) - 1), (ssize_t)sizeof(text) - 1);
        close(fd);
        struct sbx_policy *p = NULL;
        struct sbx_error *e = NULL;
        cr_assert_eq(sbx_policy_new(&p), 0);
        cr_assert_lt(sbx_policy_load(p, path, &e), 0);
        char want[512];
        snprintf(want, sizeof(want), "%s:2: NUL byte at column 9", path);
        cr_assert_str_eq(sbx_error_message(e), want);
        sbx_error_free(e);
        e = NULL;

        put(dir, "empty.ini", "");
        free(path);
        path = path_in(dir, "empty.ini");
        cr_assert_lt(sbx_policy_load(p, path, &e), 0);
        snprintf(want, sizeof(want), "%s:1: empty profile", path);
        cr_assert(strncmp(sbx_error_message(e), want, strlen(want)) == 0, "%s", sbx_error_message(e));
        sbx_error_free(e);
        e = NULL;

        cr_assert_eq(sbx_policy_load(p, "/nonexistent/x.ini", &e), -ENOENT);
        cr_assert_str_eq(sbx_error_message(e), "/nonexistent/x.ini: No such file or directory");
        cr_assert_eq(sbx_error_kind(e), SBX_ERROR_PROFILE);
        sbx_error_free(e);
        e = NULL;
        cr_assert_lt(sbx_policy_load(p, dir, &e), 0);
        sbx_error_free(e);
        e = NULL;
        cr_assert_lt(sbx_policy_load(p, "/dev/null", &e), 0);
        cr_assert(strstr(sbx_error_message(e), "not a regular file"), "%s", sbx_error_message(e));
        sbx_error_free(e);
        e = NULL;
        free(path);
        path = path_in(dir, "fifo.ini");
        cr_assert_eq(mkfifo(path, 0644), 0);
        cr_assert_lt(sbx_policy_load(p, path, &e), 0, "a FIFO must not hang the loader");
        sbx_error_free(e);
        e = NULL;
        cr_assert_lt(sbx_policy_load(p, "no such name!", &e), 0);
        sbx_error_free(e);
        sbx_policy_free(p);
        free(path);
        rm_rf(dir);
}

Test(profile, conflicts_name_both_lines)
{
        expect_error("[filesystem]\nbind = /tmp:/x\nro-bind = /usr:/x\n", 3,
                     "[filesystem] ro-bind: destination /x is already used by bind at t.ini:2");
        expect_error("[filesystem]\ntmpfs = /x\n\nsymlink = usr:/x\n", 4,
                     "[filesystem] symlink: destination /x is already used by tmpfs at t.ini:2");
        expect_error("[filesystem]\ntmpfs = /\n", 2, "[filesystem] tmpfs: the destination cannot be /");
        expect_error("[filesystem]\nbind = /tmp:/\n", 2, "[filesystem] bind: the destination cannot be /");
        expect_error("[filesystem]\nbind = /\n", 2, "[filesystem] bind: the destination cannot be /");
        expect_error("[filesystem]\ndev = /etc/passwd\n", 2, "[filesystem] dev: /etc/passwd is not under /dev");
        expect_error("[namespaces]\nuser = no\n[network]\nmode = pasta\n", 4,
                     "[network] mode = pasta needs [namespaces] user = yes: pasta joins the sandbox's user namespace");
        expect_error("[network]\nmode = pasta\n[namespaces]\nmount = no\n", 2,
                     "[network] mode = pasta needs [namespaces] mount = yes: the sandbox's /etc/resolv.conf");
        expect_error("[namespaces]\nmount = no\n[filesystem]\nbind = /tmp\n", 2,
                     "[namespaces] mount = no conflicts with [filesystem] bind = /tmp at t.ini:4");
        expect_error("[exec]\nallow-hash = /usr/bin/true:" HEX64 "\ndeny = /usr/bin\n", 2,
                     "[exec] allow-hash: /usr/bin/true is also denied by deny = /usr/bin at t.ini:3");
        expect_error("[exec]\ndeny = /usr/bin/t*\nallow-hash = /usr/bin/true:" HEX64 "\n", 3,
                     "[exec] allow-hash: /usr/bin/true is also denied by deny = /usr/bin/t* at t.ini:2");
        expect_error("[exec]\nallow-hash = /bin/x:" HEX64 "\nallow-hash = /bin/x:" "1123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n", 3,
                     "[exec] allow-hash: /bin/x already has another hash at t.ini:2");
        /* The same entry twice is one entry, not a conflict. */
        struct sbx_policy *p = load_ok("[filesystem]\nro-bind = /usr\nro-bind = /usr\n[namespaces]\nmount = yes\n");
        cr_assert_eq(p->mounts.n, 1);
        /* A conflict across files names the other file. */
        struct sbx_error *e = NULL;
        cr_assert_lt(sbx_policy_load_string(p, "[filesystem]\nbind = /usr\n", "u.ini", &e), 0);
        cr_assert_str_eq(sbx_error_message(e), "u.ini:2: [filesystem] bind: destination /usr is already used by ro-bind at t.ini:2");
        sbx_error_free(e);
        sbx_policy_free(p);
}

/* ---- lists, removal, expansion ------------------------------------------ */

Test(profile, lists_add_and_remove)
{
        setenv("HOME", "/home/tester", 1);
        struct sbx_policy *p = load_ok(
                "[seccomp]\nallow = !@default @base\nallow = ptrace\nallow = !ptrace\nsocket = !unix netlink\n"
                "ioctl = TIOCSCTTY\nioctl = !0x540e\n"
                "[environment]\nkeep = !TERM !LC_*\nset = A=1 B=2\nset = A=3 !B\n"
                "[filesystem]\nbind = ~/work ~/x:/y\nbind = !/home/tester/work\nbind = !/y\n"
                "tmpfs = /t\ntmpfs = !/t\n"
                "[exec]\nallow-hash = /bin/a:" HEX64 "\nallow-hash = !/bin/a\n"
                "[network]\ntcp-bind = 80 443\ntcp-bind = !080\n"
                "[capabilities]\nkeep = CAP_CHOWN\nkeep = !chown\n");
        cr_assert(p->sc_allow.n == 1 && strcmp(p->sc_allow.v[0], "@base") == 0);
        const struct strlist *s = rule(p, "socket");
        cr_assert(s->n == 1 && strcmp(s->v[0], "netlink") == 0);
        cr_assert_eq(rule(p, "ioctl")->n, 0, "TIOCSCTTY is 0x540e");
        cr_assert(!strlist_contains(&p->env_keep, "TERM") && !strlist_contains(&p->env_keep, "LC_*"));
        cr_assert(p->env_set.n == 1 && strcmp(p->env_set.v[0], "A=3") == 0);
        cr_assert_eq(p->mounts.n, 0);
        cr_assert_eq(p->exec_hashes.n, 0);
        cr_assert(p->tcp_bind.n == 1 && strcmp(p->tcp_bind.v[0], "443") == 0);
        cr_assert_eq(p->caps_keep.n, 0);
        round_trip(p);
        sbx_policy_free(p);
}

Test(profile, expansion_and_normalisation)
{
        setenv("HOME", "/home/tester", 1);
        setenv("SBX_TEST_DIR", "/srv/data dir", 1);
        struct sbx_policy *p = load_ok(
                "[filesystem]\nbind = ~ \"${SBX_TEST_DIR}/a\":/mnt//b/./c/\nro-bind = //usr///lib/\n"
                "symlink = ../lib:/lib64\ncwd = ~/\n"
                "[environment]\nset = \"P=$$HOME ${SBX_TEST_DIR} ~\" Q=\"q ; not a comment\" ; a comment\n"
                "[exec]\nallow = /opt/$$weird\n");
        cr_assert_not_null(find_mount(p, MOUNT_BIND, "/home/tester"));
        const struct mount_op *m = find_mount(p, MOUNT_BIND, "/mnt/b/c");
        cr_assert(m && strcmp(m->src, "/srv/data dir/a") == 0, "%s", m ? m->src : "none");
        cr_assert_not_null(find_mount(p, MOUNT_RO_BIND, "/usr/lib"));
        m = find_mount(p, MOUNT_SYMLINK, "/lib64");
        cr_assert(m && strcmp(m->src, "../lib") == 0);
        cr_assert_str_eq(p->cwd, "/home/tester");
        cr_assert(strlist_contains(&p->env_set, "P=$HOME /srv/data dir ~"));
        cr_assert(strlist_contains(&p->env_set, "Q=q ; not a comment"));
        cr_assert(strlist_contains(&p->exec_allow, "/opt/$weird"));
        round_trip(p);
        sbx_policy_free(p);

        unsetenv("HOME");
        expect_error("[filesystem]\nbind = ~/x\n", 2, "[filesystem] bind: ${HOME} is not set");
}

/* ${?NAME}: a bind, ro-bind or dev entry that applies only when NAME is
 * set; left out (with a note, never an error) when it is not. */
Test(profile, optional_variables)
{
        unsetenv("SBX_TEST_UNSET");
        setenv("SBX_TEST_EMPTY", "", 1);
        setenv("SBX_TEST_DIR", "/run/user/1000", 1);
        setenv("SBX_TEST_SOCK", "wayland-1", 1);
        struct sbx_policy *p = load_ok(
                "[filesystem]\nro-bind = -${?SBX_TEST_DIR}/${?SBX_TEST_SOCK}\n"
                "bind = ${?SBX_TEST_UNSET}/x\n"
                "dev = ${?SBX_TEST_EMPTY}/dev/null\n"
                "ro-bind = /etc/hostname:${?SBX_TEST_UNSET}\n");
        const struct mount_op *m = find_mount(p, MOUNT_RO_BIND, "/run/user/1000/wayland-1");
        cr_assert(m && (m->flags & MOUNT_F_OPTIONAL) && strcmp(m->src, "/run/user/1000/wayland-1") == 0);
        cr_assert_eq(p->mounts.n, 1, "the entries with an unset variable must be left out");
        cr_assert_eq(p->skipped.n, 3);
        cr_assert_eq(p->skipped.loc[0].line, 3);
        cr_assert_str_eq(p->skipped.v[0], "[filesystem] bind = ${?SBX_TEST_UNSET}/x: left out, "
                                          "${SBX_TEST_UNSET} is not set");
        cr_assert(strstr(p->skipped.v[1], "${SBX_TEST_EMPTY} is empty"), "%s", p->skipped.v[1]);
        bool noted = false;
        for (const char *const *w = sbx_policy_warnings(p); *w; w++)
                noted = noted || strstr(*w, "t.ini:3: [filesystem] bind = ${?SBX_TEST_UNSET}/x: left out");
        cr_assert(noted, "sbx show / check must say what was left out");
        round_trip(p);
        sbx_policy_free(p);

        /* Malformed, or where an entry cannot be left out. */
        expect_error("[filesystem]\nro-bind = ${?}\n", 2, "[filesystem] ro-bind: bad variable reference: write ${?NAME}");
        expect_error("[filesystem]\nro-bind = ${?1A}\n", 2, "[filesystem] ro-bind: bad variable reference");
        expect_error("[filesystem]\nro-bind = ${?A\n", 2, "[filesystem] ro-bind: bad variable reference");
        expect_error("[filesystem]\nro-bind = ${??A}\n", 2, "[filesystem] ro-bind: bad variable reference");
        expect_error("[filesystem]\n\ntmpfs = ${?SBX_TEST_DIR}\n", 3,
                     "[filesystem] tmpfs: ${?SBX_TEST_DIR} is only allowed in the paths of [filesystem] bind");
        expect_error("[filesystem]\nsymlink = ${?SBX_TEST_DIR}:/x\n", 2, "[filesystem] symlink: ${?SBX_TEST_DIR} is only allowed");
        expect_error("[filesystem]\nro-bind = !${?SBX_TEST_DIR}\n", 2, "[filesystem] ro-bind: '!' removes by path");
        expect_error("[exec]\nallow = ${?SBX_TEST_DIR}/bin\n", 2, "[exec] allow: ${?SBX_TEST_DIR} is only allowed");
        expect_error("[environment]\nset = A=${?SBX_TEST_DIR}\n", 2, "[environment] set: ${?SBX_TEST_DIR} is only allowed");
        expect_error("[profile]\ninclude = ${?SBX_TEST_DIR}/x.ini\n", 2, "[profile] include: ${?SBX_TEST_DIR} is only allowed");
        /* The rest of a left-out entry is still checked. */
        expect_error("[filesystem]\nro-bind = ${?SBX_TEST_UNSET}:${SBX_TEST_UNSET}\n", 2,
                     "[filesystem] ro-bind: ${SBX_TEST_UNSET} is not set");
        expect_error("[filesystem]\nro-bind = ${?SBX_TEST_UNSET}/a/../b\n", 2, "[filesystem] ro-bind: '..' is not allowed");
}

Test(profile, tokenizer)
{
        struct token *t = NULL;
        size_t n = 0;
        const char *why = NULL;
        cr_assert_eq(profile_tokenize("a \"b c\" !d \"!e\" x\"y z\"w ;rest", true, &t, &n, &why), 0);
        cr_assert_eq(n, 5);
        cr_assert(strcmp(t[0].text, "a") == 0 && !t[0].remove);
        cr_assert(strcmp(t[1].text, "b c") == 0 && !t[1].remove);
        cr_assert(strcmp(t[2].text, "d") == 0 && t[2].remove);
        cr_assert(strcmp(t[3].text, "!e") == 0 && !t[3].remove);
        cr_assert_str_eq(t[4].text, "xy zw");
        profile_tokens_free(t, n);
        cr_assert_eq(profile_tokenize("a;b #c \"\\\\\\\"\"", false, &t, &n, &why), 0);
        cr_assert(n == 1 && strcmp(t[0].text, "a;b") == 0);
        profile_tokens_free(t, n);
        cr_assert_eq(profile_tokenize("\"\\\\\\\"\" # c", false, &t, &n, &why), 0);
        cr_assert(n == 1 && strcmp(t[0].text, "\\\"") == 0);
        profile_tokens_free(t, n);
        cr_assert_eq(profile_tokenize("\"open", false, &t, &n, &why), -EINVAL);
}

/* ---- includes ----------------------------------------------------------- */

Test(profile, include_merging)
{
        char *dir = make_tmpdir();
        put(dir, "base.ini",
            "[profile]\nname = base\ndescription = the base\n"
            "[namespaces]\nhostname = base\npid = no\n"
            "[filesystem]\nro-bind = /usr\ntmpfs = /tmp\n"
            "[exec]\nallow = /usr/bin /bin\n[seccomp]\nallow = @network-io\n");
        char *sub = path_in(dir, "sub");
        cr_assert_eq(mkdir(sub, 0755), 0);
        free(sub);
        put(dir, "sub/extra.ini", "[environment]\nset = FROM=extra\n[namespaces]\nhostname = extra\n");
        put(dir, "top.ini",
            "; top\n[profile]\ninclude = base sub/extra.ini\n"
            "[namespaces]\nhostname = top\n"
            "[filesystem]\nro-bind = !/usr\nbind = /usr\n"
            "[exec]\nallow = !/bin\n");
        char *top = path_in(dir, "top.ini");
        setenv("SBX_PROFILE_PATH", "/nonexistent", 1);
        struct sbx_policy *p = NULL;
        struct sbx_error *e = NULL;
        cr_assert_eq(sbx_policy_new(&p), 0);
        cr_assert_eq(sbx_policy_load(p, top, &e), 0, "%s", e ? sbx_error_message(e) : "");
        cr_assert_str_eq(p->name, "top");
        cr_assert_str_eq(sbx_policy_description(p), "", "a description is not inherited");
        cr_assert_str_eq(p->hostname, "top");
        cr_assert(!p->ns_pid, "scalars from includes stay unless overridden");
        cr_assert_eq(p->mounts.n, 2);
        const struct mount_op *m = find_mount(p, MOUNT_BIND, "/usr");
        cr_assert(m && m->loc.line == 8 && strcmp(m->loc.file, top) == 0);
        cr_assert_not_null(find_mount(p, MOUNT_TMPFS, "/tmp"));
        cr_assert(p->exec_allow.n == 1 && strcmp(p->exec_allow.v[0], "/usr/bin") == 0);
        cr_assert(strlist_contains(&p->sc_allow, "@network-io") && strlist_contains(&p->sc_allow, "@default"));
        cr_assert(strlist_contains(&p->env_set, "FROM=extra"));
        cr_assert_eq(p->includes.n, 2);
        cr_assert(strstr(p->includes.v[1], "sub/extra.ini"));
        cr_assert_eq(p->scalar_loc[K_HOSTNAME].line, 5);
        round_trip(p);

        /* Includes by name through the search path. */
        setenv("SBX_PROFILE_PATH", dir, 1);
        struct sbx_policy *q = NULL;
        cr_assert_eq(sbx_policy_new(&q), 0);
        cr_assert_eq(sbx_policy_load(q, "top", &e), 0, "%s", e ? sbx_error_message(e) : "");
        cr_assert(policy_equal(p, q));
        sbx_policy_free(q);
        cr_assert_eq(sbx_policy_new(&q), 0);
        cr_assert_eq(sbx_policy_load_string(q, "[profile]\ninclude = base\n", "s", &e), 0);
        cr_assert_str_eq(q->hostname, "base");
        cr_assert_null(q->name, "text in memory without a name stays unnamed");
        cr_assert_eq(sbx_policy_set(q, "profile", "include", "sub/extra.ini", "cli", &e), -ENOENT,
                     "relative to the working directory");
        sbx_error_free(e);
        e = NULL;
        cr_assert_eq(sbx_policy_set(q, "profile", "include", "top", "cli", &e), 0, "%s",
                     e ? sbx_error_message(e) : "");
        cr_assert_str_eq(q->hostname, "top");
        sbx_policy_free(q);
        sbx_policy_free(p);
        free(top);
        rm_rf(dir);
}

Test(profile, include_errors)
{
        char *dir = make_tmpdir();
        setenv("SBX_PROFILE_PATH", dir, 1);
        put(dir, "a.ini", "[profile]\ninclude = b\n");
        put(dir, "b.ini", "[profile]\n\ninclude = c\n");
        put(dir, "c.ini", "[profile]\ninclude = a\n");
        put(dir, "self.ini", "[profile]\ninclude = self\n");
        put(dir, "missing.ini", "[profile]\nname = m\n\ninclude = nosuch\n");
        put(dir, "missingpath.ini", "[profile]\ninclude = nosuch/x.ini\n");
        put(dir, "badinner.ini", "[exec]\nallow = /usr/bin\n");
        put(dir, "bad.ini", "[exec]\nallow = relative\n");
        put(dir, "outer.ini", "[profile]\ninclude = bad\n");
        put(dir, "first.ini", "[profile]\ninclude = bad\n[exec]\nallow = also-relative\n");
        for (int i = 0; i <= 9; i++) {
                char name[32], text[64];
                snprintf(name, sizeof(name), "d%d.ini", i);
                snprintf(text, sizeof(text), "[profile]\ninclude = d%d\n", i + 1);
                put(dir, name, i < 9 ? text : "[profile]\nname = deepest\n");
        }
        put(dir, "e1.ini", "[profile]\ninclude = d2\n");
        struct {
                const char *profile, *file;
                unsigned line;
                const char *msg;
        } cases[] = {
                { "a", "c.ini", 2, "include cycle: a -> b -> c -> a" },
                { "self", "self.ini", 2, "include cycle: self -> self" },
                { "missing", "missing.ini", 4, "include nosuch: no such profile in the search path" },
                { "missingpath", "missingpath.ini", 2, "include " },
                { "outer", "bad.ini", 2, "[exec] allow: path must be absolute" },
                { "first", "first.ini", 4, "[exec] allow: path must be absolute" },
                { "d0", "d8.ini", 2, "includes nested deeper than 8: d0 -> d1 -> d2 -> d3 -> d4 -> d5 -> d6 -> d7 -> d8 -> d9" },
        };
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                struct sbx_policy *p = NULL;
                struct sbx_error *e = NULL;
                char want[512];
                cr_assert_eq(sbx_policy_new(&p), 0);
                cr_assert_lt(sbx_policy_load(p, cases[i].profile, &e), 0, "%s loaded", cases[i].profile);
                snprintf(want, sizeof(want), "%s/%s:%u: %s", dir, cases[i].file, cases[i].line, cases[i].msg);
                cr_assert(strncmp(sbx_error_message(e), want, strlen(want)) == 0, "got  %s\nwant %s",
                          sbx_error_message(e), want);
                sbx_error_free(e);
                sbx_policy_free(p);
        }
        /* Eight levels below the top are fine. */
        struct sbx_policy *p = NULL;
        struct sbx_error *e = NULL;
        cr_assert_eq(sbx_policy_new(&p), 0);
        cr_assert_eq(sbx_policy_load(p, "e1", &e), 0, "%s", e ? sbx_error_message(e) : "");
        cr_assert_str_eq(p->name, "e1");
        cr_assert_eq(p->includes.n, 8);
        sbx_policy_free(p);
        rm_rf(dir);
}

Test(profile, include_next_to_file)
{
        char *dir = make_tmpdir();
        setenv("SBX_PROFILE_PATH", "/nonexistent", 1);
        setenv("XDG_CONFIG_HOME", "/nonexistent", 1);
        put(dir, "frag.inc.ini", "[namespaces]\nhostname = frag\n");
        put(dir, "main.ini", "[profile]\ninclude = frag.inc\n");
        char *path = path_in(dir, "main.ini");
        struct sbx_policy *p = NULL;
        struct sbx_error *e = NULL;
        cr_assert_eq(sbx_policy_new(&p), 0);
        cr_assert_eq(sbx_policy_load(p, path, &e), 0, "%s", e ? sbx_error_message(e) : "");
        cr_assert_str_eq(p->hostname, "frag");
        sbx_policy_free(p);
        free(path);
        rm_rf(dir);
}

/* ---- whole-policy behaviour --------------------------------------------- */

Test(profile, failed_load_changes_nothing)
{
        struct sbx_policy *p = load_ok(all_keys), *before = NULL;
        struct sbx_error *e = NULL;
        cr_assert_eq(sbx_policy_dup(p, &before), 0);
        cr_assert(policy_equal(p, before));
        cr_assert_lt(sbx_policy_load_string(p, "[namespaces]\nhostname = changed\n[filesystem]\nbind = /tmp:/tmp2\n"
                                                "tmpfs = /tmp2\n", "bad.ini", &e), 0);
        sbx_error_free(e);
        e = NULL;
        cr_assert(policy_equal(p, before));
        cr_assert_str_eq(p->hostname, "box.example-1");
        cr_assert_lt(sbx_policy_set(p, "seccomp", "allow", "read nosuch", "cli", &e), 0);
        cr_assert_str_eq(sbx_error_message(e), "cli: [seccomp] allow: unknown syscall 'nosuch'");
        sbx_error_free(e);
        cr_assert(policy_equal(p, before));
        cr_assert(!strlist_contains(&p->sc_allow, "read"));
        sbx_policy_free(before);
        sbx_policy_free(p);
}

Test(profile, set_and_typed_setters)
{
        struct sbx_policy *p = NULL;
        struct sbx_error *e = NULL;
        cr_assert_eq(sbx_policy_new(&p), 0);
        cr_assert_eq(sbx_policy_set(p, "filesystem", "bind", "/tmp", "command line", &e), 0);
        cr_assert_eq(sbx_policy_set(p, "filesystem", "bind", "/tmp", "command line", &e), 0);
        cr_assert_eq(p->mounts.n, 1);
        cr_assert_str_eq(p->mounts.v[0].loc.file, "command line");
        cr_assert_eq(p->mounts.v[0].loc.line, 0);
        cr_assert_eq(sbx_policy_set(p, "network", "mode", "host", "command line", &e), 0);
        cr_assert_eq(sbx_policy_set(p, "network", "mode", "none", "command line", &e), 0, "set may repeat a scalar");
        cr_assert_lt(sbx_policy_set(p, "filesystem", "ro-bind", "/usr:/tmp", "command line", &e), 0);
        cr_assert_str_eq(sbx_error_message(e),
                         "command line: [filesystem] ro-bind: destination /tmp is already used by bind at command line");
        sbx_error_free(e);
        e = NULL;
        cr_assert_lt(sbx_policy_set(p, "exec", "allow", "rel", "command line", &e), 0);
        cr_assert_str_eq(sbx_error_message(e), "command line: [exec] allow: path must be absolute: 'rel'");
        sbx_error_free(e);
        e = NULL;
        cr_assert_lt(sbx_policy_set(p, "nosection", "x", "1", "command line", &e), 0);
        cr_assert_str_eq(sbx_error_message(e), "command line: unknown section [nosection]");
        sbx_error_free(e);
        e = NULL;
        cr_assert_lt(sbx_policy_set(p, "exec", "x", "1", "command line", &e), 0);
        cr_assert_str_eq(sbx_error_message(e), "command line: unknown key 'x' in [exec]");
        sbx_error_free(e);
        e = NULL;
        cr_assert_lt(sbx_policy_set(p, "profile", "description", "a\nb", "command line", &e), 0);
        cr_assert(strstr(sbx_error_message(e), "control character 0x0a"), "%s", sbx_error_message(e));
        sbx_error_free(e);
        e = NULL;

        cr_assert_eq(sbx_policy_add_bind(p, "/srv/my $dir", "/data", SBX_BIND_RO | SBX_BIND_OPTIONAL, &e), 0,
                     "%s", e ? sbx_error_message(e) : "");
        const struct mount_op *m = find_mount(p, MOUNT_RO_BIND, "/data");
        cr_assert(m && strcmp(m->src, "/srv/my $dir") == 0 && m->flags == MOUNT_F_OPTIONAL);
        cr_assert_eq(sbx_policy_add_bind(p, "/var/tmp", NULL, SBX_BIND_EXEC, &e), 0);
        m = find_mount(p, MOUNT_BIND, "/var/tmp");
        cr_assert(m && m->flags == MOUNT_F_EXEC);
        cr_assert_lt(sbx_policy_add_bind(p, "relative", NULL, 0, &e), 0);
        sbx_error_free(e);
        e = NULL;
        cr_assert_eq(sbx_policy_allow_syscalls(p, "@network-io ptrace", &e), 0);
        cr_assert(strlist_contains(&p->sc_allow, "ptrace"));
        cr_assert_eq(sbx_policy_set_network(p, SBX_NET_HOST, &e), 0);
        cr_assert_eq(p->net, NET_HOST);
        cr_assert_lt(sbx_policy_set_network(p, (enum sbx_net)7, &e), 0);
        sbx_error_free(e);
        round_trip(p);
        sbx_policy_free(p);
}

Test(profile, warnings_about_this_machine)
{
        struct sbx_policy *p = load_ok("[exec]\nallow = /usr/bin /nonexistent/bin/foo /usr/bin/*\n"
                                       "[filesystem]\nro-bind = -/nonexistent/opt\nbind = /nonexistent/data\n"
                                       "[seccomp]\noverride = read @mount\n[environment]\nkeep = LD_PRELOAD\n"
                                       "set = LD_LIBRARY_PATH=/x OK=1\n");
        const char *const *w = sbx_policy_warnings(p);
        const char *want[] = {
                "t.ini:4: optional ro-bind source /nonexistent/opt does not exist on this machine; it will be skipped",
                "t.ini:5: bind source /nonexistent/data does not exist on this machine; sbx run will refuse to start",
                "t.ini:2: allow-list entry /nonexistent/bin/foo does not exist on this machine",
                "t.ini:7: [seccomp] override = read has no effect: it is not in the always-denied set",
                "t.ini:9: [environment] keep = LD_PRELOAD passes a variable",
                "t.ini:10: [environment] set = LD_LIBRARY_PATH=… sets a variable",
        };
        size_t n = 0;
        while (w[n])
                n++;
        cr_assert_eq(n, 6, "warnings: %zu", n);
        for (size_t i = 0; i < 6; i++)
                cr_assert(strncmp(w[i], want[i], strlen(want[i])) == 0, "got %s\nwant %s", w[i], want[i]);
        sbx_policy_free(p);
        struct sbx_policy *q = NULL;
        cr_assert_eq(sbx_policy_new(&q), 0);
        cr_assert_null(sbx_policy_warnings(q)[0]);
        sbx_policy_free(q);
}

Test(profile, round_trip_shipped_profiles)
{
        char *dir = NULL;
        cr_assert(asprintf(&dir, "%s/profiles", source_dir()) > 0);
        setenv("SBX_PROFILE_PATH", dir, 1);
        struct dirent **ents = NULL;
        int n = scandir(dir, &ents, NULL, alphasort);
        cr_assert_gt(n, 0);
        int checked = 0;
        for (int i = 0; i < n; i++) {
                size_t len = strlen(ents[i]->d_name);
                if (len > 4 && strcmp(ents[i]->d_name + len - 4, ".ini") == 0) {
                        char *path = path_in(dir, ents[i]->d_name);
                        struct sbx_policy *p = NULL;
                        struct sbx_error *e = NULL;
                        cr_assert_eq(sbx_policy_new(&p), 0);
                        cr_assert_eq(sbx_policy_load(p, path, &e), 0, "%s", e ? sbx_error_message(e) : "");
                        round_trip(p);
                        sbx_policy_free(p);
                        free(path);
                        checked++;
                }
                free(ents[i]);
        }
        free(ents);
        cr_assert_gt(checked, 0);
        struct sbx_policy *p = NULL;
        cr_assert_eq(sbx_policy_new(&p), 0);
        round_trip(p);
        sbx_policy_free(p);
        free(dir);
}

Test(profile, round_trip_awkward_values)
{
        setenv("SBX_TEST_Q", "has \"quotes\" and \\ and $ and ;", 1);
        struct sbx_policy *p = load_ok(
                "[profile]\ndescription = \"!starts with bang;  two  spaces # and $x\"\n"
                "[filesystem]\nbind = \"/srv/with space\":/in\\side\nsymlink = \"rel target\":/l\n"
                "cwd = \"/a b/$$c\"\n"
                "[environment]\nset = \"Q=${SBX_TEST_Q}\" EMPTYISH=\"\"\" \"\nkeep = !TERM\n"
                "[seccomp]\nallow = !@default read\nsocket = !unix\n"
                "[limits]\nnofile = 0:unlimited\n");
        cr_assert_str_eq(p->description, "!starts with bang;  two  spaces # and $x");
        cr_assert(strlist_contains(&p->env_set, "Q=has \"quotes\" and \\ and $ and ;"));
        cr_assert(strlist_contains(&p->env_set, "EMPTYISH= "));
        cr_assert_str_eq(p->cwd, "/a b/$c");
        cr_assert_eq(rule(p, "socket")->n, 0);
        round_trip(p);
        sbx_policy_free(p);
}

/* [dbus]: well-known names (or PREFIX.*) only, kept as written, with `!` removal. */
Test(profile, dbus_names)
{
        struct sbx_policy *p = load_ok("[dbus]\ntalk = org.freedesktop.portal.* org.freedesktop.Notifications\n"
                                       "own = org.example.App_1 org.example.App-2\nsee = org.*\n"
                                       "talk = !org.freedesktop.Notifications\n");
        cr_assert_eq(p->dbus_talk.n, 1);
        cr_assert_str_eq(p->dbus_talk.v[0], "org.freedesktop.portal.*");
        cr_assert_eq(p->dbus_own.n, 2);
        cr_assert_eq(p->dbus_see.n, 1);
        sbx_policy_free(p);
        const char *bad[] = { "org", ":1.42", "org..x", ".org.x", "org.x.", "org.1x", "org.x*", "org.*.x",
                              "a.b/c", "org.*.*", "*" };
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                char text[128];
                snprintf(text, sizeof(text), "[dbus]\n\ntalk = %s\n", bad[i]);
                expect_error(text, 3, "[dbus] talk: '");
        }
        char text[400];
        snprintf(text, sizeof(text), "[dbus]\nown = org.%0256d\n", 0);
        expect_error(text, 2, "[dbus] own: 'org.");
}

/* [dbus] call and broadcast: NAME=[METHOD][@PATH], as xdg-dbus-proxy takes them. */
Test(profile, dbus_rules)
{
        struct sbx_policy *p = load_ok("[dbus]\ncall = org.a.B=* org.a.B=org.a.I org.a.B=org.a.I.M@/o/p "
                                       "org.a.*=org.a.*@/o/* org.a.B=@/ org.a.B=*@/*\n"
                                       "broadcast = org.a.B=org.a.I.Changed@/o\ncall = !org.a.B=*\n");
        cr_assert_eq(p->dbus_call.n, 5);
        cr_assert_str_eq(p->dbus_call.v[0], "org.a.B=org.a.I");
        cr_assert_eq(p->dbus_broadcast.n, 1);
        sbx_policy_free(p);
        const char *bad[] = { "org.a.B", "org.a.B=", "org=*", "org.a.B=I", "org.a.B=org..I", "org.a.B=org.1.I",
                              "org.a.B=org.I-x", "org.a.B=*x", "org.a.B=@", "org.a.B=@o", "org.a.B=@/o/",
                              "org.a.B=@//o", "org.a.B=@/o-p", "org.a.B=org.*.I", ":1.2=*" };
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                char text[128];
                snprintf(text, sizeof(text), "[dbus]\n\ncall = %s\n", bad[i]);
                expect_error(text, 3, "[dbus] call: '");
                snprintf(text, sizeof(text), "[dbus]\nbroadcast = %s\n", bad[i]);
                expect_error(text, 2, "[dbus] broadcast: '");
        }
}
