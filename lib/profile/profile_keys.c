/* profile_keys.c — the vocabulary of the profile language: the table of
 * sections and keys (with the help text the man page quotes), and how one
 * `key = value` line changes a policy: the per-key value checks, removal
 * with '!', and where each value goes in struct sbx_policy.  Words, quotes
 * and ${VAR} are profile_text.c's.  Pure apart from getenv(); conflicts
 * between entries are checked later over the whole policy
 * (sbx_policy_validate). */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <cap-ng.h>

#include "profile/profile.h"
#include "syscalls/syscalls.h"
#include "base/util.h"

const char *const profile_sections[] = {
        "profile", "namespaces", "filesystem", "network", "exec", "seccomp",
        "capabilities", "limits", "environment", "landlock", "process", "dbus", "display", NULL,
};

#define LIMIT(i, n, d) { "limits", n, K_LIMIT_FIRST + i, "limit", d, "rlimit " n ": N, SOFT:HARD or unlimited" }

const struct key_def profile_keys[] = {
        { "profile", "name", K_NAME, "name", "the file name without .ini", "the profile's name" },
        { "profile", "description", K_DESCRIPTION, "text", "empty", "one line on what the profile is for" },
        { "profile", "include", K_INCLUDE, "list of names or paths", "none",
          "profiles loaded first, in order; this file's keys apply on top" },

        { "namespaces", "user", K_NS_USER, "bool", "yes", "new user namespace" },
        { "namespaces", "mount", K_NS_MOUNT, "bool", "yes", "new mount namespace (needed by any [filesystem] entry)" },
        { "namespaces", "pid", K_NS_PID, "bool", "yes", "new pid namespace" },
        { "namespaces", "ipc", K_NS_IPC, "bool", "yes", "new IPC namespace" },
        { "namespaces", "uts", K_NS_UTS, "bool", "yes", "new UTS namespace (own hostname)" },
        { "namespaces", "cgroup", K_NS_CGROUP, "bool", "yes", "new cgroup namespace" },
        { "namespaces", "uid", K_UID, "caller or 0-65534", "caller", "user id inside" },
        { "namespaces", "gid", K_GID, "caller or 0-65534", "caller", "group id inside" },
        { "namespaces", "keep-root", K_KEEP_ROOT, "bool", "no", "a root caller stays uid 0 on the host side (capabilities still dropped)" },
        { "namespaces", "hostname", K_HOSTNAME, "1-64 of [A-Za-z0-9.-]", "sbx", "hostname inside" },

        { "filesystem", "bind", K_BIND, "list of [-]SRC[:DST][:exec]", "none", "host paths bound read-write, noexec unless :exec" },
        { "filesystem", "ro-bind", K_RO_BIND, "list of [-]SRC[:DST]", "none", "host paths bound read-only" },
        { "filesystem", "dev", K_DEV, "list of [-]SRC[:DST]", "none", "host device nodes under /dev" },
        { "filesystem", "tmpfs", K_TMPFS, "list of DST[:exec]", "none", "empty writable tmpfs mounts, noexec unless :exec" },
        { "filesystem", "dir", K_DIR, "list of DST", "none", "empty directories in the read-only root" },
        { "filesystem", "symlink", K_SYMLINK, "list of TARGET:LINKPATH", "none", "symbolic links (TARGET may be relative)" },
        { "filesystem", "proc", K_PROC, "masked, full or none", "masked", "/proc with the kernel's sensitive files hidden, all of it, or none" },
        { "filesystem", "sys", K_SYS, "none or ro", "none", "/sys" },
        { "filesystem", "home", K_HOME, "tmpfs or none", "tmpfs", "an empty private home directory" },
        { "filesystem", "args", K_ARGS, "none, ro or rw", "none", "make the program's existing regular-file arguments visible (exactly the file named: see sbx.profile(5))" },
        { "filesystem", "args-dirs", K_ARGS_DIRS, "bool", "no", "file arguments may also name directories (bound whole, with args' mode)" },
        { "filesystem", "cwd-bind", K_CWD_BIND, "none, ro, rw or exec", "none", "make the caller's working directory visible (exec: read-write and executable)" },
        { "filesystem", "protect", K_PROTECT, "list of paths", "none", "kept read-only (and not creatable) wherever a writable mount shows them: persistence points such as ~/.bashrc" },
        { "filesystem", "protect-dir", K_PROTECT_DIR, "list of paths", "none", "as protect, for directories: a missing one is made (empty, mode 0700) so that a read-only mount can cover it" },
        { "filesystem", "secret", K_SECRET, "list of paths", "none", "credential stores masked (empty, unreadable) wherever a bind shows them from above; a bind of the path itself or of something inside it shows it" },
        { "filesystem", "protect-project", K_PROTECT_PROJECT, "list of git-config git-hooks git-info git-link envrc vscode idea hg", "none", "points a writable directory holds for tools run there later, kept read-only: the git repository's config, hooks, info (also of submodules and worktrees), .git files, .envrc, .vscode, .idea, .hg/hgrc" },
        { "filesystem", "cwd", K_CWD, "path", "unset", "working directory inside (unset: the caller's if visible, else /)" },

        { "network", "mode", K_NET_MODE, "none, host or pasta", "none", "none: own namespace with loopback only; host: the host's network; pasta: own namespace, outbound connections through pasta (nothing of the host's loopback or abstract sockets)" },
        { "network", "fallback", K_NET_FALLBACK, "refuse, none or host", "refuse", "what mode = pasta becomes where pasta is not installed (with a warning); refuse: sbx does not start" },
        { "network", "tcp-bind", K_TCP_BIND, "list of PORT, A-B or any", "none", "TCP ports the program may bind (Landlock)" },
        { "network", "tcp-connect", K_TCP_CONNECT, "list of PORT, A-B or any", "none", "TCP ports the program may connect to (Landlock)" },
        { "network", "listen", K_NET_LISTEN, "list of PORT, IPV4:PORT or [IPV6]:PORT", "none", "TCP sockets sbx binds and listens on as the caller before the launch, handed to the program at fds 3… (LISTEN_FDS)" },

        { "exec", "allow", K_EXEC_ALLOW, "list of paths, directories, globs", "none (only the program)", "what may be executed" },
        { "exec", "deny", K_EXEC_DENY, "list of paths, directories, globs", "none", "never executable; wins over allow" },
        { "exec", "allow-hash", K_EXEC_ALLOW_HASH, "list of PATH:SHA256", "none", "executables pinned to a SHA-256 (implies allow)" },
        { "exec", "writable-exec", K_WRITABLE_EXEC, "bool", "no", "writable mounts may hold executables" },
        { "exec", "memfd-exec", K_MEMFD_EXEC, "bool", "no", "executable memfds (fileless execution)" },

        { "seccomp", "enabled", K_SC_ENABLED, "bool", "yes", "load the syscall filter" },
        { "seccomp", "allow", K_SC_ALLOW, "list of syscalls and @groups", "@default", "syscalls allowed" },
        { "seccomp", "deny", K_SC_DENY, "list of syscalls and @groups", "none", "syscalls denied; wins over allow" },
        { "seccomp", "override", K_SC_OVERRIDE, "list of syscalls and @groups", "none", "always-denied syscalls this profile lets through" },
        { "seccomp", "action", K_SC_ACTION, "errno, kill, log or notify", "errno", "what happens to a denied syscall" },
        { "seccomp", "errno", K_SC_ERRNO, "errno name or 1-4095", "EPERM", "the error a denied syscall returns" },
        { "seccomp", "nested", K_SC_NESTED, "bool", "no", "the program may install its own seccomp filters" },
        { "seccomp", "user-namespaces", K_SC_USERNS, "bool", "no", "the program may create user namespaces" },
        { "seccomp", "wx", K_SC_WX, "bool", "no", "refuse memory mappings both writable and executable" },
        { "seccomp", "memfd", K_SC_MEMFD, "auto, yes or no", "auto", "let memfd_create through (auto: refused under wx = yes, whose W^X a memfd mapped twice defeats, and under a memory limit held by rlimits, which memfd memory escapes)" },
        { "seccomp", "socket", K_SC_SOCKET, "list of address families", "unix", "socket() families allowed" },
        { "seccomp", "ioctl", K_SC_IOCTL, "list of ioctl names or numbers", "none", "ioctl requests denied besides TIOCSTI and TIOCLINUX" },

        { "capabilities", "keep", K_CAPS_KEEP, "list of capability names", "none", "capabilities kept (all others dropped)" },

        LIMIT(0, "nofile", "unset"), LIMIT(1, "nproc", "unset"), LIMIT(2, "as", "unset"),
        LIMIT(3, "data", "unset"), LIMIT(4, "stack", "unset"), LIMIT(5, "core", "0"),
        LIMIT(6, "fsize", "unset"), LIMIT(7, "memlock", "unset"), LIMIT(8, "cpu", "unset"),
        LIMIT(9, "rss", "unset"), LIMIT(10, "msgqueue", "unset"), LIMIT(11, "nice", "unset"),
        LIMIT(12, "rtprio", "unset"), LIMIT(13, "sigpending", "unset"), LIMIT(14, "locks", "unset"),
        LIMIT(15, "rttime", "unset"),
        { "limits", "memory", K_LIM_MEMORY, "SIZE (K, M, G) or unlimited", "unlimited", "memory of the whole sandbox (cgroup memory.max; else rlimit as per process with memfd_create and shmget refused and each tmpfs no larger)" },
        { "limits", "processes", K_LIM_PROCESSES, "N or unlimited", "unlimited", "processes and threads of the whole sandbox, init included (cgroup pids.max; else rlimit nproc in its user namespace)" },
        { "limits", "cpu-share", K_LIM_CPU, "PERCENT% or unlimited", "unlimited", "CPU time of the whole sandbox, 100% = one CPU (cgroup cpu.max; no rlimit can do it)" },
        { "limits", "tmpfs-size", K_LIM_TMPFS_SIZE, "SIZE (K, M, G) or unlimited", "256M", "size of each tmpfs sbx creates (/tmp, /dev/shm, the private home…)" },
        { "limits", "tmpfs-inodes", K_LIM_TMPFS_INODES, "N or unlimited", "65536", "files in each tmpfs sbx creates" },
        { "limits", "user-counts", K_LIM_USER_COUNTS, "PERCENT%", "50%", "share of each per-user kernel count of the caller (inotify instances and watches, fanotify, namespaces: /proc/sys/user) the sandbox may take; the rest stays the caller's" },
        { "limits", "optional", K_LIM_OPTIONAL, "list of memory processes cpu-share user-counts all", "none", "sandbox limits that may go unenforced where no mechanism exists (with a note)" },

        { "environment", "keep", K_ENV_KEEP, "list of names or globs", "TERM LANG LANGUAGE LC_* TZ COLORTERM NO_COLOR", "variables passed from the caller" },
        { "environment", "set", K_ENV_SET, "list of NAME=VALUE", "none", "variables set (VALUE may use ${VAR})" },

        { "landlock", "enabled", K_LL_ENABLED, "bool", "yes", "apply a Landlock ruleset" },
        { "landlock", "min-abi", K_LL_MIN_ABI, "1-99", "1", "refuse to start on a kernel with a lower Landlock ABI" },
        { "landlock", "optional", K_LL_OPTIONAL, "list of fs refer truncate net ioctl-dev scope all", "none", "Landlock features that may be missing" },
        { "landlock", "read-only", K_LL_READONLY, "list of paths", "none", "only read access beneath these, even on writable mounts" },

        { "process", "new-session", K_NEW_SESSION, "bool", "yes", "start the program in a new session (no controlling terminal)" },

        { "dbus", "talk", K_DBUS_TALK, "list of bus names or PREFIX.*", "none",
          "session bus names the program may call and hear signals from, through a filtering proxy" },
        { "dbus", "own", K_DBUS_OWN, "list of bus names or PREFIX.*", "none",
          "session bus names the program may own (and talk to)" },
        { "dbus", "see", K_DBUS_SEE, "list of bus names or PREFIX.*", "none",
          "session bus names the program may see listed, but not call" },
        { "dbus", "call", K_DBUS_CALL, "list of NAME=[METHOD][@PATH]", "none",
          "calls the program may make to NAME (which it sees): METHOD is *, an interface (with .* for all "
          "below it) or interface.method; PATH an object path (with /* for all below it)" },
        { "dbus", "broadcast", K_DBUS_BROADCAST, "list of NAME=[METHOD][@PATH]", "none",
          "signals the program may receive from NAME, matched like call" },
        { "dbus", "required-by", K_DBUS_REQUIRED_BY, "list of paths", "none",
          "programs that do not run without a session bus: started without one (none, or a uid the bus "
          "refuses), sbx refuses with the reason instead of letting them exit silently" },

        { "display", "x11", K_X11, "none, untrusted or trusted", "none",
          "the X server of $DISPLAY through sbx's proxy: untrusted (SECURITY extension: no access to other "
          "clients' windows, input or XTEST), trusted (what any X client can do), none (no X display)" },
        { "display", "a11y", K_A11Y, "bool", "no",
          "the accessibility bus (AT-SPI) through a filtering proxy: the program's own interface is "
          "readable by screen readers, other applications' are not readable by it" },
};
const size_t profile_nkeys = ARRAY_SIZE(profile_keys);

/* [filesystem] protect-project: what each name covers (project.c does it). */
const struct project_point profile_project_points[] = {
        { "git-config", "the repository's config (and config.worktree, commondir: made as \".\" when missing, git reads it in any repository), also of its submodules and worktrees: core.fsmonitor, core.hooksPath, aliases run code" },
        { "git-hooks", "hooks/ of the repository, its submodules and worktrees (made when missing), and core.hooksPath when it lies in a writable bind" },
        { "git-info", "info/ of the repository and its submodules (made when missing)" },
        { "git-link", "a .git file (linked worktree, submodule checkout): its gitdir: line names the repository git opens" },
        { "envrc", "an existing .envrc (direnv; it also checks its own allow list, which persistence.inc protects)" },
        { "vscode", "an existing .vscode (tasks run on folder open, settings naming programs)" },
        { "idea", "an existing .idea (JetBrains run configurations and tools)" },
        { "hg", "an existing .hg/hgrc (Mercurial hooks)" },
        { NULL, NULL },
};

const struct key_def *profile_key_find(const char *section, const char *name)
{
        for (size_t i = 0; i < profile_nkeys; i++)
                if (strcmp(profile_keys[i].section, section) == 0 && strcmp(profile_keys[i].name, name) == 0)
                        return &profile_keys[i];
        return NULL;
}

const struct key_def *profile_key_by_id(enum key_id id)
{
        for (size_t i = 0; i < profile_nkeys; i++)
                if (profile_keys[i].id == id)
                        return &profile_keys[i];
        return NULL;
}

bool profile_section_valid(const char *section)
{
        for (size_t i = 0; profile_sections[i]; i++)
                if (strcmp(profile_sections[i], section) == 0)
                        return true;
        return false;
}

/* Optimal string alignment distance (edits, swaps of neighbours count
 * one), capped: names are short. */
static size_t edit_distance(const char *a, const char *b)
{
        size_t n = strlen(a), m = strlen(b);
        if (n > 31 || m > 31)
                return SIZE_MAX;
        size_t d[32][32];
        for (size_t i = 0; i <= n; i++)
                d[i][0] = i;
        for (size_t j = 0; j <= m; j++)
                d[0][j] = j;
        for (size_t i = 1; i <= n; i++)
                for (size_t j = 1; j <= m; j++) {
                        size_t cost = a[i - 1] != b[j - 1], v = d[i - 1][j] + 1;
                        if (d[i][j - 1] + 1 < v)
                                v = d[i][j - 1] + 1;
                        if (d[i - 1][j - 1] + cost < v)
                                v = d[i - 1][j - 1] + cost;
                        if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] && d[i - 2][j - 2] + 1 < v)
                                v = d[i - 2][j - 2] + 1;
                        d[i][j] = v;
                }
        return d[n][m];
}

/* Close enough to be a typo: at most two edits, and fewer than half the
 * name (so that "ro" does not suggest "rw"). */
static bool close_enough(const char *typed, const char *known, size_t d)
{
        size_t n = strlen(typed);
        return d <= 2 && d * 2 < (n > strlen(known) ? n : strlen(known));
}

const char *profile_section_suggest(const char *name)
{
        const char *best = NULL;
        size_t bd = SIZE_MAX;
        for (size_t i = 0; profile_sections[i]; i++) {
                size_t d = edit_distance(name, profile_sections[i]);
                if (d < bd && close_enough(name, profile_sections[i], d)) {
                        bd = d;
                        best = profile_sections[i];
                }
        }
        return best;
}

const struct key_def *profile_key_suggest(const char *section, const char *name)
{
        const struct key_def *best = NULL;
        size_t bd = SIZE_MAX;
        for (size_t i = 0; i < profile_nkeys; i++) {
                if (strcmp(profile_keys[i].section, section) != 0)
                        continue;
                size_t d = edit_distance(name, profile_keys[i].name);
                if (d < bd && close_enough(name, profile_keys[i].name, d)) {
                        bd = d;
                        best = &profile_keys[i];
                }
        }
        if (best)
                return best;
        /* The right key in the wrong section. */
        for (size_t i = 0; i < profile_nkeys; i++)
                if (strcmp(profile_keys[i].name, name) == 0)
                        return &profile_keys[i];
        return NULL;
}

/* A well-known bus name as the D-Bus specification defines it, or one
 * followed by ".*" (xdg-dbus-proxy's prefix match).  Unique names (":1.42")
 * are refused: they change with every connection. */
static bool dbus_name_valid(const char *s)
{
        size_t len = strlen(s);
        if (len >= 2 && strcmp(s + len - 2, ".*") == 0)
                len -= 2;
        if (len == 0 || len > 255)
                return false;
        size_t elements = 0, elen = 0;
        for (size_t i = 0; i <= len; i++) {
                char c = i < len ? s[i] : '.';
                if (c == '.') {
                        if (elen == 0)
                                return false;
                        elements++;
                        elen = 0;
                } else if (isalnum((unsigned char)c) || c == '_' || c == '-') {
                        if (elen == 0 && isdigit((unsigned char)c))
                                return false;
                        elen++;
                } else {
                        return false;
                }
        }
        return elements >= 2 || (elements == 1 && len < strlen(s));
}

/* xdg-dbus-proxy's call and broadcast rules, NAME=[METHOD][@PATH]: METHOD
 * is "*" or dot-separated elements of [A-Za-z0-9_] (an interface, a
 * method, PREFIX.*), PATH an object path, either may end in "*". */
static bool dbus_rule_valid(const char *s)
{
        const char *eq = strchr(s, '='), *at;
        char name[256];
        if (!eq || (size_t)(eq - s) >= sizeof(name))
                return false;
        memcpy(name, s, (size_t)(eq - s));
        name[eq - s] = 0;
        if (!dbus_name_valid(name))
                return false;
        const char *m = eq + 1;
        at = strchr(m, '@');
        size_t mlen = at ? (size_t)(at - m) : strlen(m);
        if (mlen == 0 && !at)
                return false;
        if (mlen > 255)
                return false;
        if (mlen > 1 || (mlen == 1 && m[0] != '*')) {
                if (mlen >= 2 && m[mlen - 2] == '.' && m[mlen - 1] == '*')
                        mlen -= 2;
                size_t elen = 0, elements = 0;
                for (size_t i = 0; i <= mlen; i++) {
                        char c = i < mlen ? m[i] : '.';
                        if (c == '.') {
                                if (elen == 0)
                                        return false;
                                elements++;
                                elen = 0;
                        } else if ((isalnum((unsigned char)c) && (elen || !isdigit((unsigned char)c))) ||
                                   c == '_') {
                                elen++;
                        } else {
                                return false;
                        }
                }
                if (elements < 2)
                        return false;
        }
        if (!at)
                return true;
        const char *path = at + 1;
        size_t plen = strlen(path);
        if (path[0] != '/')
                return false;
        if (plen >= 2 && strcmp(path + plen - 2, "/*") == 0)
                plen -= 2;
        if (plen <= 1)
                return true; /* "/" or "/" followed by "*" */
        for (size_t i = 1; i < plen; i++)
                if (!(isalnum((unsigned char)path[i]) || path[i] == '_' ||
                      (path[i] == '/' && path[i - 1] != '/' && i + 1 < plen)))
                        return false;
        return true;
}

bool profile_key_expands(enum key_id id)
{
        switch (id) {
        case K_CWD: case K_INCLUDE: case K_BIND: case K_RO_BIND: case K_DEV: case K_TMPFS:
        case K_DIR: case K_SYMLINK: case K_EXEC_ALLOW: case K_EXEC_DENY: case K_EXEC_ALLOW_HASH:
        case K_ENV_SET: case K_LL_READONLY: case K_PROTECT: case K_PROTECT_DIR: case K_SECRET:
                return true;
        default:
                return false;
        }
}

/* ---- reporting --------------------------------------------------------- */

static int kerr(struct sbx_error **err, const struct key_def *k, struct sbx_loc loc, const char *fmt,
                ...) _printf_(4, 5);
static int kerr(struct sbx_error **err, const struct key_def *k, struct sbx_loc loc, const char *fmt, ...)
{
        char *body = NULL;
        va_list ap;
        va_start(ap, fmt);
        int n = vasprintf(&body, fmt, ap);
        va_end(ap);
        if (n < 0)
                return -ENOMEM;
        sbx_err_at(err, -EINVAL, loc.file, loc.line, "[%s] %s: %s", k->section, k->name, body);
        free(body);
        return -EINVAL;
}

/* Expand and normalise one path; errors already reported.  With `unset`
 * non-NULL, ${?NAME} is accepted: when NAME is unset or empty, returns 0
 * with *ret NULL and *unset saying which variable (malloc'd). */
static int path_value_opt(const char *raw, bool relative_ok, const struct key_def *k, struct sbx_loc loc,
                          char **ret, char **unset, struct sbx_error **err)
{
        _cleanup_free_ char *x = NULL;
        char *msg = NULL;
        const char *why = NULL;
        int r = profile_expand_opt(raw, true, unset != NULL, &x, &msg);
        if (r == -ENODATA && unset) {
                /* Left out; what remains must still be a valid path. */
                _cleanup_free_ char *abs = NULL, *norm = NULL;
                *ret = NULL;
                *unset = msg;
                if (asprintf(&abs, "/%s", x) < 0)
                        return -ENOMEM;
                r = profile_normalize_path(abs, &norm, &why);
                if (r == -EINVAL)
                        return kerr(err, k, loc, "%s: '%s'", why, raw);
                return r;
        }
        if (r == -EINVAL) {
                r = kerr(err, k, loc, "%s", msg ? msg : "bad value");
                free(msg);
                return r;
        }
        if (r < 0)
                return r;
        if (relative_ok && x[0] != '/') {
                if (!*x)
                        return kerr(err, k, loc, "empty path");
                if (strlen(x) > PROFILE_MAX_PATH)
                        return kerr(err, k, loc, "path too long (more than %d bytes)", PROFILE_MAX_PATH);
                *ret = TAKE_PTR(x);
                return 0;
        }
        r = profile_normalize_path(x, ret, &why);
        if (r == -EINVAL)
                return kerr(err, k, loc, "%s: '%s'", why, x);
        return r;
}

static int path_value(const char *raw, bool relative_ok, const struct key_def *k, struct sbx_loc loc,
                      char **ret, struct sbx_error **err)
{
        return path_value_opt(raw, relative_ok, k, loc, ret, NULL, err);
}

/* ---- scalar values ----------------------------------------------------- */

struct word {
        const char *name;
        int value;
};

static const struct word bools[] = {
        { "yes", 1 }, { "no", 0 }, { "true", 1 }, { "false", 0 }, { "on", 1 }, { "off", 0 },
        { "1", 1 }, { "0", 0 }, { NULL, 0 },
};
static const struct word proc_words[] = { { "masked", PROC_MASKED }, { "full", PROC_FULL }, { "none", PROC_NONE }, { NULL, 0 } };
static const struct word sys_words[] = { { "none", SYS_NONE }, { "ro", SYS_RO }, { NULL, 0 } };
static const struct word home_words[] = { { "tmpfs", HOME_TMPFS }, { "none", HOME_NONE }, { NULL, 0 } };
static const struct word args_words[] = { { "none", ARGS_NONE }, { "ro", ARGS_RO }, { "rw", ARGS_RW }, { NULL, 0 } };
static const struct word cwd_words[] = { { "none", CWD_NONE }, { "ro", CWD_RO }, { "rw", CWD_RW }, { "exec", CWD_EXEC }, { NULL, 0 } };
/* Further network modes (pasta, slirp…) are one more line here. */
static const struct word net_words[] = { { "none", NET_NONE }, { "host", NET_HOST }, { "pasta", NET_PASTA },
                                         { NULL, 0 } };
static const struct word net_fallback_words[] = { { "refuse", NET_FALLBACK_REFUSE }, { "none", NET_FALLBACK_NONE },
                                                  { "host", NET_FALLBACK_HOST }, { NULL, 0 } };
static const struct word x11_words[] = { { "none", X11_NONE }, { "untrusted", X11_UNTRUSTED },
                                         { "trusted", X11_TRUSTED }, { NULL, 0 } };
static const struct word action_words[] = {
        { "errno", DENY_ERRNO }, { "kill", DENY_KILL }, { "log", DENY_LOG }, { "notify", DENY_NOTIFY }, { NULL, 0 },
};
static const struct word memfd_words[] = { { "auto", MEMFD_AUTO }, { "yes", MEMFD_YES }, { "no", MEMFD_NO }, { NULL, 0 } };
static const char *const ll_features[] = { "fs", "refer", "truncate", "net", "ioctl-dev", "scope", "all", NULL };

static int word_value(const struct word *w, const char *s, int *ret)
{
        for (; w->name; w++)
                if (strcmp(w->name, s) == 0) {
                        *ret = w->value;
                        return 0;
                }
        return -ENOENT;
}

static char *word_list(const struct word *w)
{
        char buf[256] = "";
        size_t off = 0;
        for (const struct word *x = w; x->name; x++) {
                int k = snprintf(buf + off, sizeof(buf) - off, "%s%s", off ? ", " : "", x->name);
                if (k > 0 && (size_t)k < sizeof(buf) - off)
                        off += (size_t)k;
        }
        return strdup(buf);
}

static int parse_ulong(const char *s, unsigned long max, unsigned long *ret)
{
        if (!*s || !isdigit((unsigned char)*s))
                return -EINVAL;
        char *end = NULL;
        errno = 0;
        unsigned long v = strtoul(s, &end, 10);
        if (errno || *end || v > max)
                return -EINVAL;
        *ret = v;
        return 0;
}

static int parse_errno(const char *s, int *ret)
{
        unsigned long v;
        if (parse_ulong(s, 4095, &v) == 0 && v >= 1) {
                *ret = (int)v;
                return 0;
        }
        for (int e = 1; e < 4096; e++) {
                const char *n = strerrorname_np(e);
                if (n && strcasecmp(n, s) == 0) {
                        *ret = e;
                        return 0;
                }
        }
        return -EINVAL;
}

static int parse_rlim(const char *s, bool size, rlim_t *ret)
{
        if (strcmp(s, "unlimited") == 0 || strcmp(s, "infinity") == 0) {
                *ret = RLIM_INFINITY;
                return 0;
        }
        if (!isdigit((unsigned char)*s))
                return -EINVAL;
        char *end = NULL;
        errno = 0;
        unsigned long long v = strtoull(s, &end, 10);
        if (errno)
                return -EINVAL;
        unsigned long long mul = 1;
        if (*end && size && !end[1]) {
                switch (*end) {
                case 'K': case 'k': mul = 1ULL << 10; break;
                case 'M': case 'm': mul = 1ULL << 20; break;
                case 'G': case 'g': mul = 1ULL << 30; break;
                default: return -EINVAL;
                }
                end++;
        }
        if (*end)
                return -EINVAL;
        if (v > (unsigned long long)(RLIM_INFINITY - 1) / mul)
                return -ERANGE;
        *ret = (rlim_t)(v * mul);
        return 0;
}

static int apply_limit(struct sbx_policy *p, const struct key_def *k, const char *v, struct sbx_loc loc,
                       struct sbx_error **err)
{
        size_t i = (size_t)(k->id - K_LIMIT_FIRST);
        const struct limit_def *d = &profile_limits[i];
        char soft[64], hard[64];
        const char *colon = strchr(v, ':');
        if (strlen(v) >= sizeof(soft) || (colon && strchr(colon + 1, ':')))
                return kerr(err, k, loc, "expected N, SOFT:HARD or unlimited, not '%s'", v);
        if (colon) {
                snprintf(soft, sizeof(soft), "%.*s", (int)(colon - v), v);
                snprintf(hard, sizeof(hard), "%s", colon + 1);
        } else {
                snprintf(soft, sizeof(soft), "%s", v);
                snprintf(hard, sizeof(hard), "%s", v);
        }
        struct rlimit lim;
        int r1 = parse_rlim(soft, d->size, &lim.rlim_cur), r2 = parse_rlim(hard, d->size, &lim.rlim_max);
        if (r1 == -ERANGE || r2 == -ERANGE)
                return kerr(err, k, loc, "'%s' is too large", v);
        if (r1 < 0 || r2 < 0)
                return kerr(err, k, loc, "expected N%s, SOFT:HARD or unlimited, not '%s'",
                            d->size ? " (K, M or G suffix allowed)" : "", v);
        if (lim.rlim_cur > lim.rlim_max)
                return kerr(err, k, loc, "the soft limit is above the hard limit in '%s'", v);
        rlim_t max = d->resource == RLIMIT_NICE ? 40 : d->resource == RLIMIT_RTPRIO ? 99 : RLIM_INFINITY;
        if (lim.rlim_max != RLIM_INFINITY && lim.rlim_max > max)
                return kerr(err, k, loc, "'%s' is out of range (0-%llu)", v, (unsigned long long)max);
        p->rlimits[i].resource = d->resource;
        p->rlimits[i].lim = lim;
        p->rlimits[i].set = true;
        p->rlimits[i].loc = loc;
        return 0;
}

/* memory, processes, cpu-share, tmpfs-size, tmpfs-inodes: 0 stands for
 * "unlimited" (tmpfs reads size=0 the same way). */
static int apply_sandbox_limit(struct sbx_policy *p, const struct key_def *k, const char *v,
                               struct sbx_loc loc, struct sbx_error **err)
{
        bool size = k->id == K_LIM_MEMORY || k->id == K_LIM_TMPFS_SIZE;
        char buf[64];
        rlim_t x;
        (void)loc;
        if (strlen(v) >= sizeof(buf))
                return kerr(err, k, loc, "'%s' is too long", v);
        snprintf(buf, sizeof(buf), "%s", v);
        if (k->id == K_LIM_CPU && strcmp(buf, "unlimited") != 0) {
                size_t len = strlen(buf);
                if (len < 2 || buf[len - 1] != '%')
                        return kerr(err, k, loc, "expected a percentage of one CPU (50%%, 200%%) or unlimited, "
                                    "not '%s'", v);
                buf[len - 1] = 0;
        }
        int r = parse_rlim(buf, size, &x);
        if (r == -ERANGE)
                return kerr(err, k, loc, "'%s' is too large", v);
        if (r < 0)
                return kerr(err, k, loc, "expected %s, not '%s'", k->type, v);
        uint64_t val = x == RLIM_INFINITY ? 0 : (uint64_t)x;
        if (x != RLIM_INFINITY && x == 0)
                return kerr(err, k, loc, "0 would stop everything; write unlimited for no limit");
        switch (k->id) {
        case K_LIM_MEMORY:
                if (val && val < (1ULL << 20))
                        return kerr(err, k, loc, "'%s' is below 1M: nothing would start", v);
                p->limits.memory = val;
                break;
        case K_LIM_PROCESSES:
                if (val && val < 2)
                        return kerr(err, k, loc, "at least 2 (init and the program), not '%s'", v);
                p->limits.processes = val;
                break;
        case K_LIM_CPU:
                if (val > 100000)
                        return kerr(err, k, loc, "'%s' is out of range (1%%-100000%%)", v);
                p->limits.cpu = val;
                break;
        case K_LIM_TMPFS_SIZE: p->limits.tmpfs_size = val; break;
        default: p->limits.tmpfs_inodes = val; break;
        }
        return 0;
}

static int apply_scalar(struct sbx_policy *p, const struct key_def *k, const struct token *t, size_t n,
                        struct sbx_loc loc, struct sbx_error **err)
{
        const char *v = n ? t[0].text : "";
        int x = 0, r;
        const struct word *words = NULL;

        if (k->id == K_DESCRIPTION) {
                size_t len = 0;
                for (size_t i = 0; i < n; i++)
                        len += strlen(t[i].text) + 1;
                if (len > 1024)
                        return kerr(err, k, loc, "longer than 1024 characters");
                _cleanup_free_ char *d = calloc(1, len + 1);
                if (!d)
                        return -ENOMEM;
                for (size_t i = 0; i < n; i++) {
                        if (i)
                                strcat(d, " ");
                        strcat(d, t[i].text);
                }
                free(p->description);
                p->description = TAKE_PTR(d);
                return 0;
        }
        if (n == 0 && k->id == K_CWD)
                return policy_set_string(&p->cwd, NULL);
        if (n != 1)
                return kerr(err, k, loc, n ? "expected one value, got %zu" : "no value", n);

        switch (k->id) {
        case K_NAME:
                if (!profile_name_valid(v) || strlen(v) > 64)
                        return kerr(err, k, loc, "'%s' is not a name (1-64 of [A-Za-z0-9_.-])", v);
                return policy_set_string(&p->name, v);
        case K_NS_USER: case K_NS_MOUNT: case K_NS_PID: case K_NS_IPC: case K_NS_UTS: case K_NS_CGROUP:
        case K_KEEP_ROOT: case K_WRITABLE_EXEC: case K_MEMFD_EXEC: case K_SC_ENABLED: case K_SC_NESTED:
        case K_SC_USERNS: case K_SC_WX: case K_LL_ENABLED: case K_NEW_SESSION: case K_ARGS_DIRS: case K_A11Y: {
                if (word_value(bools, v, &x) < 0)
                        return kerr(err, k, loc, "expected yes, no, true, false, on, off, 1 or 0, not '%s'", v);
                bool *f = k->id == K_NS_USER ? &p->ns_user : k->id == K_NS_MOUNT ? &p->ns_mount
                        : k->id == K_NS_PID ? &p->ns_pid : k->id == K_NS_IPC ? &p->ns_ipc
                        : k->id == K_NS_UTS ? &p->ns_uts : k->id == K_NS_CGROUP ? &p->ns_cgroup
                        : k->id == K_KEEP_ROOT ? &p->keep_root : k->id == K_WRITABLE_EXEC ? &p->writable_exec
                        : k->id == K_MEMFD_EXEC ? &p->memfd_exec : k->id == K_SC_ENABLED ? &p->seccomp
                        : k->id == K_SC_NESTED ? &p->sc_nested : k->id == K_SC_USERNS ? &p->sc_userns
                        : k->id == K_SC_WX ? &p->sc_wx : k->id == K_LL_ENABLED ? &p->landlock
                        : k->id == K_ARGS_DIRS ? &p->args_dirs : k->id == K_A11Y ? &p->a11y : &p->new_session;
                *f = x;
                return 0;
        }
        case K_UID: case K_GID: {
                unsigned long id;
                long val;
                if (strcmp(v, "caller") == 0)
                        val = -1;
                else if (parse_ulong(v, 65534, &id) == 0)
                        val = (long)id;
                else
                        return kerr(err, k, loc, "expected caller or a number 0-65534, not '%s'", v);
                *(k->id == K_UID ? &p->uid : &p->gid) = val;
                return 0;
        }
        case K_HOSTNAME: {
                size_t len = strlen(v);
                if (len < 1 || len > 64 ||
                    strspn(v, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789.-") != len)
                        return kerr(err, k, loc, "'%s' is not 1-64 characters of [A-Za-z0-9.-]", v);
                return policy_set_string(&p->hostname, v);
        }
        case K_PROC: words = proc_words; break;
        case K_SYS: words = sys_words; break;
        case K_HOME: words = home_words; break;
        case K_ARGS: words = args_words; break;
        case K_CWD_BIND: words = cwd_words; break;
        case K_NET_MODE: words = net_words; break;
        case K_X11: words = x11_words; break;
        case K_NET_FALLBACK: words = net_fallback_words; break;
        case K_SC_ACTION: words = action_words; break;
        case K_SC_MEMFD: words = memfd_words; break;
        case K_LIM_USER_COUNTS: {
                unsigned long pct;
                size_t len = strlen(v);
                char buf[16];
                if (len < 2 || len >= sizeof(buf) || v[len - 1] != '%')
                        return kerr(err, k, loc, "expected a percentage (1%%-100%%), not '%s'", v);
                memcpy(buf, v, len - 1);
                buf[len - 1] = 0;
                if (parse_ulong(buf, 100, &pct) < 0 || pct < 1)
                        return kerr(err, k, loc, "expected a percentage (1%%-100%%), not '%s'", v);
                p->limits.user_share = pct;
                return 0;
        }
        case K_CWD: {
                _cleanup_free_ char *path = NULL;
                if ((r = path_value(v, false, k, loc, &path, err)) < 0)
                        return r;
                free(p->cwd);
                p->cwd = TAKE_PTR(path);
                return 0;
        }
        case K_SC_ERRNO:
                if (parse_errno(v, &x) < 0)
                        return kerr(err, k, loc, "expected an errno name (EPERM…) or 1-4095, not '%s'", v);
                p->sc_errno = x;
                return 0;
        case K_LL_MIN_ABI: {
                unsigned long abi;
                if (parse_ulong(v, 99, &abi) < 0 || abi < 1)
                        return kerr(err, k, loc, "expected a Landlock ABI version 1-99, not '%s'", v);
                p->landlock_min_abi = (int)abi;
                return 0;
        }
        case K_LIM_MEMORY: case K_LIM_PROCESSES: case K_LIM_CPU: case K_LIM_TMPFS_SIZE:
        case K_LIM_TMPFS_INODES:
                return apply_sandbox_limit(p, k, v, loc, err);
        default:
                if (k->id >= K_LIMIT_FIRST && k->id < K_LIMIT_FIRST + SBX_RLIMIT_COUNT)
                        return apply_limit(p, k, v, loc, err);
                return kerr(err, k, loc, "internal error: unhandled key");
        }
        if (word_value(words, v, &x) < 0) {
                _cleanup_free_ char *all = word_list(words);
                return kerr(err, k, loc, "expected %s, not '%s'", all ? all : "a known word", v);
        }
        switch (k->id) {
        case K_PROC: p->proc = (enum proc_mode)x; break;
        case K_SYS: p->sys = (enum sys_mode)x; break;
        case K_HOME: p->home = (enum home_mode)x; break;
        case K_ARGS: p->args = (enum args_mode)x; break;
        case K_CWD_BIND: p->cwd_bind = (enum cwd_bind)x; break;
        case K_NET_MODE: p->net = (enum net_mode)x; break;
        case K_SC_MEMFD: p->sc_memfd = (enum memfd_mode)x; break;
        case K_X11: p->x11 = (enum x11_mode)x; break;
        case K_NET_FALLBACK: p->net_fallback = (enum net_fallback)x; break;
        default: p->sc_action = (enum deny_action)x; break;
        }
        return 0;
}

/* ---- list values ------------------------------------------------------- */

static enum mount_kind mount_kind_of(enum key_id id)
{
        switch (id) {
        case K_BIND: return MOUNT_BIND;
        case K_RO_BIND: return MOUNT_RO_BIND;
        case K_DEV: return MOUNT_DEV;
        case K_TMPFS: return MOUNT_TMPFS;
        case K_DIR: return MOUNT_DIR;
        default: return MOUNT_SYMLINK;
        }
}

/* Split "a:b:c" into at most 4 parts (the fourth flags "too many"). */
static size_t split_colons(char *s, char *parts[4])
{
        size_t n = 0;
        parts[n++] = s;
        for (char *c = s; *c && n < 4; c++)
                if (*c == ':') {
                        *c = 0;
                        parts[n++] = c + 1;
                }
        return n;
}

/* raw was split at its colons already: a ':' in the result came from a
 * variable (${PWD} in a directory named "a:b") and is part of the path. */
static int mount_path_opt(const char *raw, const struct key_def *k, struct sbx_loc loc, char **ret,
                          char **unset, struct sbx_error **err)
{
        return path_value_opt(raw, false, k, loc, ret, unset, err);
}

static int mount_path(const char *raw, const struct key_def *k, struct sbx_loc loc, char **ret,
                      struct sbx_error **err)
{
        return mount_path_opt(raw, k, loc, ret, NULL, err);
}

static int apply_mount(struct sbx_policy *p, const struct key_def *k, const struct token *t,
                       struct sbx_loc loc, struct sbx_error **err)
{
        enum mount_kind kind = mount_kind_of(k->id);
        /* Split at the colons written as such, not at a quoted \: */
        _cleanup_free_ char *copy = strdup(t->split ? t->split : t->text), *a = NULL, *b = NULL;
        char *parts[4];
        int r;

        if (!copy)
                return -ENOMEM;
        if (!*copy)
                return kerr(err, k, loc, "empty value");
        if (t->remove) {
                if (strchr(copy, ':'))
                        return kerr(err, k, loc, "'!' takes one path (a source or a destination), not '%s'", copy);
                profile_token_literal(copy);
                if (strstr(copy, "${?"))
                        return kerr(err, k, loc, "'!' removes by path: ${?NAME} is not allowed there");
                if ((r = mount_path(copy, k, loc, &a, err)) < 0)
                        return r;
                policy_remove_mounts(p, kind, a);
                return 0;
        }
        struct mount_op m = { .kind = kind, .loc = loc };
        char *s = copy;
        if ((kind == MOUNT_BIND || kind == MOUNT_RO_BIND || kind == MOUNT_DEV) && *s == '-') {
                m.flags |= MOUNT_F_OPTIONAL;
                s++;
        }
        size_t n = split_colons(s, parts);
        for (size_t i = 0; i < n; i++)
                profile_token_literal(parts[i]);
        bool exec = false;
        if (n >= 2 && strcmp(parts[n - 1], "exec") == 0 && kind != MOUNT_SYMLINK) {
                exec = true;
                n--;
        }
        size_t want_max = kind == MOUNT_SYMLINK ? 2 : kind == MOUNT_TMPFS || kind == MOUNT_DIR ? 1 : 2;
        if (n > want_max || (kind == MOUNT_SYMLINK && n != 2))
                return kerr(err, k, loc, "%s: expected %s (':' inside paths is not supported)", t->text,
                            strncmp(k->type, "list of ", 8) == 0 ? k->type + 8 : k->type);
        if (exec && kind != MOUNT_BIND && kind != MOUNT_TMPFS)
                return kerr(err, k, loc, "':exec' only applies to bind and tmpfs");
        if (exec)
                m.flags |= MOUNT_F_EXEC;
        switch (kind) {
        case MOUNT_TMPFS:
        case MOUNT_DIR:
                if ((r = mount_path(parts[0], k, loc, &b, err)) < 0)
                        return r;
                break;
        case MOUNT_SYMLINK:
                if ((r = path_value(parts[0], true, k, loc, &a, err)) < 0 ||
                    (r = mount_path(parts[1], k, loc, &b, err)) < 0)
                        return r;
                if (strchr(a, ':'))
                        return kerr(err, k, loc, "':' inside paths is not supported ('%s')", parts[0]);
                break;
        default: {
                /* bind, ro-bind, dev: ${?NAME} leaves the entry out when
                 * NAME is unset (after checking the rest of it). */
                _cleanup_free_ char *unset_a = NULL, *unset_b = NULL;
                if ((r = mount_path_opt(parts[0], k, loc, &a, &unset_a, err)) < 0)
                        return r;
                if (n == 2 && (r = mount_path_opt(parts[1], k, loc, &b, &unset_b, err)) < 0)
                        return r;
                if (unset_a || unset_b) {
                        _cleanup_free_ char *note = NULL;
                        if (asprintf(&note, "[%s] %s = %s: left out, %s", k->section, k->name, t->text,
                                     unset_a ? unset_a : unset_b) < 0)
                                return -ENOMEM;
                        return strlist_add(&p->skipped, note, loc);
                }
                if (!b && !(b = strdup(a)))
                        return -ENOMEM;
                break;
        }
        }
        if (strcmp(b, "/") == 0)
                return kerr(err, k, loc, "the destination cannot be /");
        if (kind == MOUNT_DEV && !(strncmp(a, "/dev/", 5) == 0))
                return kerr(err, k, loc, "%s is not under /dev", a);
        m.src = a;
        m.dst = b;
        return policy_add_mount(p, &m);
}

static int apply_port(struct strlist *l, const struct key_def *k, const struct token *t, struct sbx_loc loc,
                      struct sbx_error **err)
{
        char canon[32];
        const char *v = t->text;
        if (strcmp(v, "any") == 0) {
                snprintf(canon, sizeof(canon), "any");
        } else {
                char lo[16], hi[16];
                const char *dash = strchr(v, '-');
                unsigned long a, b;
                if (strlen(v) >= sizeof(lo) || (dash && (size_t)(dash - v) >= sizeof(lo)))
                        goto bad;
                snprintf(lo, sizeof(lo), "%.*s", dash ? (int)(dash - v) : (int)strlen(v), v);
                snprintf(hi, sizeof(hi), "%s", dash ? dash + 1 : lo);
                if (parse_ulong(lo, 65535, &a) < 0 || parse_ulong(hi, 65535, &b) < 0 || a < 1 || a > b)
                        goto bad;
                if (a == b)
                        snprintf(canon, sizeof(canon), "%lu", a);
                else
                        snprintf(canon, sizeof(canon), "%lu-%lu", a, b);
        }
        if (t->remove) {
                strlist_remove(l, canon);
                return 0;
        }
        return strlist_add(l, canon, loc);
bad:
        return kerr(err, k, loc, "expected a port 1-65535, a range A-B or any, not '%s'", v);
}

/* [network] listen: PORT (every address), IPV4:PORT or [IPV6]:PORT, kept
 * as written; plan/listen.c binds it. */
static int apply_listen(struct sbx_policy *p, const struct key_def *k, const struct token *t,
                        struct sbx_loc loc, struct sbx_error **err)
{
        const char *v = t->text, *colon = strrchr(v, ':');
        char addr[64] = "";
        unsigned long port;
        if (colon) {
                const char *a = v, *e = colon;
                if (*a == '[') {
                        if (e[-1] != ']')
                                goto bad;
                        a++, e--;
                }
                if ((size_t)(e - a) >= sizeof(addr) || e == a)
                        goto bad;
                memcpy(addr, a, (size_t)(e - a));
                addr[e - a] = 0;
                unsigned char buf[16];
                if (inet_pton(v[0] == '[' ? AF_INET6 : AF_INET, addr, buf) != 1)
                        goto bad;
        }
        if (parse_ulong(colon ? colon + 1 : v, 65535, &port) < 0 || port < 1)
                goto bad;
        if (t->remove) {
                strlist_remove(&p->listen, v);
                return 0;
        }
        if (strlist_contains(&p->listen, v))
                return 0;
        if (p->listen.n >= 64)
                return kerr(err, k, loc, "more than 64 sockets");
        return strlist_add(&p->listen, v, loc);
bad:
        return kerr(err, k, loc, "expected PORT (1-65535), IPV4:PORT or [IPV6]:PORT, not '%s'", v);
}

static int apply_hash(struct sbx_policy *p, const struct key_def *k, const struct token *t,
                      struct sbx_loc loc, struct sbx_error **err)
{
        _cleanup_free_ char *copy = strdup(t->text), *path = NULL;
        int r;
        if (!copy)
                return -ENOMEM;
        char *colon = strrchr(copy, ':');
        if (t->remove) {
                if (colon)
                        *colon = 0;
                if ((r = path_value(copy, false, k, loc, &path, err)) < 0)
                        return r;
                size_t j = 0;
                for (size_t i = 0; i < p->exec_hashes.n; i++) {
                        if (strcmp(p->exec_hashes.v[i].path, path) == 0) {
                                free(p->exec_hashes.v[i].path);
                                continue;
                        }
                        p->exec_hashes.v[j++] = p->exec_hashes.v[i];
                }
                p->exec_hashes.n = j;
                return 0;
        }
        if (!colon)
                return kerr(err, k, loc, "expected PATH:SHA256, not '%s'", t->text);
        *colon = 0;
        const char *hex = colon + 1;
        if (strlen(hex) != 64 || strspn(hex, "0123456789abcdef") != 64)
                return kerr(err, k, loc, "expected 64 lowercase hex digits after ':' in '%s'", t->text);
        if ((r = path_value(copy, false, k, loc, &path, err)) < 0)
                return r;
        if (strpbrk(path, "*?["))
                return kerr(err, k, loc, "a pinned executable cannot be a glob: '%s'", path);
        if (strchr(path, ':'))
                return kerr(err, k, loc, "':' inside paths is not supported");
        for (size_t i = 0; i < p->exec_hashes.n; i++)
                if (strcmp(p->exec_hashes.v[i].path, path) == 0 && strcmp(p->exec_hashes.v[i].hex, hex) == 0)
                        return 0;
        struct exec_hash *nv = reallocarray(p->exec_hashes.v, p->exec_hashes.n + 1, sizeof(*nv));
        if (!nv)
                return -ENOMEM;
        p->exec_hashes.v = nv;
        p->exec_hashes.cap = p->exec_hashes.n + 1;
        struct exec_hash *h = &nv[p->exec_hashes.n++];
        *h = (struct exec_hash){ .path = TAKE_PTR(path), .loc = loc };
        memcpy(h->hex, hex, 65);
        return 0;
}

static int apply_arg_word(struct sbx_policy *p, const struct key_def *k, const struct token *t,
                          struct sbx_loc loc, struct sbx_error **err)
{
        bool sock = k->id == K_SC_SOCKET;
        const struct syscall_const *table = sock ? syscall_af_names : syscall_ioctl_names;
        unsigned long v;
        char canon[32];
        const char *name;

        if (syscall_const_value(table, t->text, &v) < 0) {
                char *end = NULL;
                errno = 0;
                v = strtoul(t->text, &end, 0);
                if (!*t->text || !isdigit((unsigned char)t->text[0]) || *end || errno ||
                    v > (sock ? 63UL : 0xffffffffUL))
                        return kerr(err, k, loc, "unknown %s '%s'", sock ? "address family" : "ioctl request",
                                    t->text);
        }
        if ((name = syscall_const_name(table, v)))
                snprintf(canon, sizeof(canon), "%s", name);
        else
                snprintf(canon, sizeof(canon), sock ? "%lu" : "0x%lx", v);
        struct arg_rule *a = policy_arg_rule(p, sock ? "socket" : "ioctl");
        if (!a)
                return -ENOMEM;
        a->loc = loc;
        if (t->remove) {
                strlist_remove(&a->values, canon);
                return 0;
        }
        return strlist_add(&a->values, canon, loc);
}

static int apply_env_set(struct sbx_policy *p, const struct key_def *k, const struct token *t,
                         struct sbx_loc loc, struct sbx_error **err)
{
        const char *v = t->text;
        size_t n = strcspn(v, "=");
        if (n == 0 || (!isalpha((unsigned char)v[0]) && v[0] != '_') ||
            strspn(v, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_") != n)
                return kerr(err, k, loc, "expected NAME=VALUE with NAME of [A-Za-z0-9_], not '%s'", v);
        if (!t->remove && !v[n])
                return kerr(err, k, loc, "expected NAME=VALUE, not '%s'", v);
        /* Drop every earlier assignment of NAME. */
        size_t j = 0;
        for (size_t i = 0; i < p->env_set.n; i++) {
                if (strncmp(p->env_set.v[i], v, n) == 0 && p->env_set.v[i][n] == '=') {
                        free(p->env_set.v[i]);
                        continue;
                }
                p->env_set.v[j] = p->env_set.v[i];
                p->env_set.loc[j++] = p->env_set.loc[i];
        }
        p->env_set.n = j;
        if (t->remove)
                return 0;
        _cleanup_free_ char *x = NULL;
        char *msg = NULL;
        int r = profile_expand(v, false, &x, &msg);
        if (r == -EINVAL) {
                r = kerr(err, k, loc, "%s", msg ? msg : "bad value");
                free(msg);
        }
        if (r < 0)
                return r;
        if (strlen(x) > PROFILE_MAX_VALUE)
                return kerr(err, k, loc, "longer than %d bytes after expansion", PROFILE_MAX_VALUE);
        return strlist_add(&p->env_set, x, loc);
}

static int apply_list_value(struct sbx_policy *p, const struct key_def *k, const struct token *t,
                            struct sbx_loc loc, struct sbx_error **err)
{
        _cleanup_free_ char *val = NULL;
        struct strlist *l = NULL;
        int r;

        if (!*t->text && k->id != K_INCLUDE)
                return kerr(err, k, loc, "empty value");
        switch (k->id) {
        case K_INCLUDE: {
                char *msg = NULL;
                bool is_path;
                if (t->remove)
                        return kerr(err, k, loc, "an include cannot be removed");
                r = profile_include_spec(t->text, &val, &is_path, &msg);
                if (r == -EINVAL) {
                        r = kerr(err, k, loc, "%s", msg ? msg : "bad value");
                        free(msg);
                }
                return r;
        }
        case K_BIND: case K_RO_BIND: case K_DEV: case K_TMPFS: case K_DIR: case K_SYMLINK:
                return apply_mount(p, k, t, loc, err);
        case K_TCP_BIND:
        case K_TCP_CONNECT:
                return apply_port(k->id == K_TCP_BIND ? &p->tcp_bind : &p->tcp_connect, k, t, loc, err);
        case K_NET_LISTEN:
                return apply_listen(p, k, t, loc, err);
        case K_EXEC_ALLOW:
        case K_EXEC_DENY:
        case K_LL_READONLY:
        case K_PROTECT:
        case K_PROTECT_DIR:
        case K_SECRET:
        case K_DBUS_REQUIRED_BY:
                if ((r = path_value(t->text, false, k, loc, &val, err)) < 0)
                        return r;
                l = k->id == K_DBUS_REQUIRED_BY ? &p->dbus_required_by
                    : k->id == K_EXEC_ALLOW  ? &p->exec_allow
                    : k->id == K_EXEC_DENY ? &p->exec_deny
                    : k->id == K_PROTECT   ? &p->protect
                    : k->id == K_PROTECT_DIR ? &p->protect_dir
                    : k->id == K_SECRET    ? &p->secret
                                           : &p->ll_readonly;
                break;
        case K_PROTECT_PROJECT: {
                bool ok = false;
                for (size_t i = 0; profile_project_points[i].name && !ok; i++)
                        ok = strcmp(profile_project_points[i].name, t->text) == 0;
                if (!ok)
                        return kerr(err, k, loc, "unknown project point '%s' (git-config, git-hooks, git-info, "
                                    "git-link, envrc, vscode, idea or hg)", t->text);
                if (!(val = strdup(t->text)))
                        return -ENOMEM;
                l = &p->protect_project;
                break;
        }
        case K_EXEC_ALLOW_HASH:
                return apply_hash(p, k, t, loc, err);
        case K_SC_ALLOW: case K_SC_DENY: case K_SC_OVERRIDE:
                if (!syscall_name_valid(t->text))
                        return kerr(err, k, loc, "unknown %s '%s'", t->text[0] == '@' ? "syscall group" : "syscall",
                                    t->text);
                l = k->id == K_SC_ALLOW ? &p->sc_allow : k->id == K_SC_DENY ? &p->sc_deny : &p->sc_override;
                if (!(val = strdup(t->text)))
                        return -ENOMEM;
                break;
        case K_SC_SOCKET:
        case K_SC_IOCTL:
                return apply_arg_word(p, k, t, loc, err);
        case K_CAPS_KEEP: {
                const char *n = t->text;
                if (strncasecmp(n, "cap_", 4) == 0)
                        n += 4;
                if (!(val = strdup(n)))
                        return -ENOMEM;
                for (char *c = val; *c; c++)
                        *c = (char)tolower((unsigned char)*c);
                if (!*val || capng_name_to_capability(val) < 0)
                        return kerr(err, k, loc, "unknown capability '%s'", t->text);
                l = &p->caps_keep;
                break;
        }
        case K_ENV_KEEP: {
                size_t len = strlen(t->text);
                if (strspn(t->text, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_*?[]") != len)
                        return kerr(err, k, loc, "'%s' is not a variable name or glob", t->text);
                if (!(val = strdup(t->text)))
                        return -ENOMEM;
                l = &p->env_keep;
                break;
        }
        case K_ENV_SET:
                return apply_env_set(p, k, t, loc, err);
        case K_DBUS_TALK:
        case K_DBUS_OWN:
        case K_DBUS_SEE:
                if (!dbus_name_valid(t->text))
                        return kerr(err, k, loc, "'%s' is not a D-Bus well-known name (two or more "
                                    "dot-separated elements of [A-Za-z0-9_-], none starting with a digit, "
                                    "at most 255 characters) or such a name followed by .*", t->text);
                if (!(val = strdup(t->text)))
                        return -ENOMEM;
                l = k->id == K_DBUS_TALK ? &p->dbus_talk : k->id == K_DBUS_OWN ? &p->dbus_own : &p->dbus_see;
                break;
        case K_DBUS_CALL:
        case K_DBUS_BROADCAST:
                if (!dbus_rule_valid(t->text))
                        return kerr(err, k, loc, "'%s' is not NAME=[METHOD][@PATH] (a D-Bus well-known name "
                                    "or NAME.*; METHOD *, an interface, interface.method or PREFIX.*; PATH an "
                                    "object path, /* for all below it)", t->text);
                if (!(val = strdup(t->text)))
                        return -ENOMEM;
                l = k->id == K_DBUS_CALL ? &p->dbus_call : &p->dbus_broadcast;
                break;
        case K_LIM_OPTIONAL: {
                static const char *const names[] = { "memory", "processes", "cpu-share", "user-counts", "all", NULL };
                bool ok = false;
                for (size_t i = 0; names[i] && !ok; i++)
                        ok = strcmp(names[i], t->text) == 0;
                if (!ok)
                        return kerr(err, k, loc, "unknown limit '%s' (memory, processes, cpu-share, user-counts or all)",
                                    t->text);
                if (!(val = strdup(t->text)))
                        return -ENOMEM;
                l = &p->limits_optional;
                break;
        }
        case K_LL_OPTIONAL: {
                bool ok = false;
                for (size_t i = 0; ll_features[i] && !ok; i++)
                        ok = strcmp(ll_features[i], t->text) == 0;
                if (!ok)
                        return kerr(err, k, loc, "unknown Landlock feature '%s' (fs, refer, truncate, net, "
                                    "ioctl-dev, scope or all)", t->text);
                if (!(val = strdup(t->text)))
                        return -ENOMEM;
                l = &p->landlock_optional;
                break;
        }
        default:
                return kerr(err, k, loc, "internal error: unhandled key");
        }
        if (t->remove) {
                strlist_remove(l, val);
                return 0;
        }
        return strlist_add(l, val, loc);
}

int profile_apply(struct sbx_policy *p, const struct key_def *k, const char *value, struct sbx_loc loc,
                  struct apply_state *st, struct sbx_error **err)
{
        struct token *t = NULL;
        size_t n = 0;
        const char *why = NULL;
        char *msg = NULL;
        int r;

        if (!profile_text_valid(value, strlen(value), &msg)) {
                r = msg ? kerr(err, k, loc, "%s", msg) : -ENOMEM;
                free(msg);
                return r;
        }
        if (!key_is_list(k->id) && st && st->first_line[k->id])
                return sbx_err_at(err, -EINVAL, loc.file, loc.line,
                                  "[%s] %s: duplicate key, first set at line %u", k->section, k->name,
                                  st->first_line[k->id]);
        r = profile_tokenize(value, key_is_list(k->id), &t, &n, &why);
        if (r == -EINVAL)
                return kerr(err, k, loc, "%s", why);
        if (r < 0)
                return r;
        bool mount = k->id == K_BIND || k->id == K_RO_BIND || k->id == K_DEV || k->id == K_TMPFS ||
                     k->id == K_DIR || k->id == K_SYMLINK;
        for (size_t i = 0; !mount && i < n; i++)
                if (t[i].split) {
                        profile_tokens_free(t, n);
                        return kerr(err, k, loc, "inside quotes only \\\" and \\\\ are escapes here (\\: and "
                                    "\\n are for the paths of [filesystem] mount entries)");
                }
        if (key_is_list(k->id)) {
                if (n == 0)
                        r = kerr(err, k, loc, "no value");
                for (size_t i = 0; r >= 0 && i < n; i++)
                        r = apply_list_value(p, k, &t[i], loc, err);
        } else {
                r = apply_scalar(p, k, t, n, loc, err);
                if (r >= 0) {
                        p->scalar_loc[k->id] = loc;
                        if (st)
                                st->first_line[k->id] = loc.line ? loc.line : 1;
                }
        }
        profile_tokens_free(t, n);
        return r;
}
