/* test_layers.c — each layer holds alone.
 *
 * The catalogue tests/layers/attacks.ini names the attacks, the probe
 * command of each, and the layers that claim to stop it.  Here every
 * attack runs in a sandbox of the default profile with all layers on, and
 * then with each layer that can be switched off switched off in turn, and
 * with all of them off at once (fixed-only): an attack that a remaining
 * layer claims must still be stopped.  All attacks
 * of one configuration run in one launch (`probe batch`), under `script`
 * so that the caller has a terminal to inject into.  The same batch runs
 * bare (no sbx) and every attack must work there, so that the test can
 * fail.  Rows marked `gap` expect the truth (the attack gets through);
 * claims of a layer named in `pending` are reported, not enforced.
 *
 * With SBX_LAYERS_OBSERVED=FILE each result is appended to FILE as
 * "ATTACK CONFIG WHO RESULT"; tests/layers/gen-table makes docs/layers.md
 * from the catalogue and that file. */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"

static const int whos[] = { AS_ROOT, AS_USER };
#define FOR_EACH_USER for (size_t wi = 0; wi < 2; wi++)
#define WHO whos[wi]
#define WHO_NAME (WHO == AS_ROOT ? "root" : "user")

/* ---- the catalogue ------------------------------------------------------ */

#define MAX_ITEMS 64
#define MAX_WORDS 16

struct words {
        char *w[MAX_WORDS];
        size_t n;
};

struct layer {
        char *id;
        struct words off; /* empty: cannot be switched off */
        bool root_only;
};

struct attack {
        char *id;
        struct words probe;
        struct words stops;
        struct words gap;
        struct words pending; /* layers whose claim another change delivers */
        bool bare_root_only;
};

static struct words sandbox_args;
static struct layer layers[MAX_ITEMS];
static size_t nlayers;
static struct attack attacks[MAX_ITEMS];
static size_t nattacks;

static void split(const char *file, int line, const char *v, struct words *w)
{
        char *s = strdup(v), *save = NULL;
        cr_assert(s);
        for (char *t = strtok_r(s, " \t", &save); t; t = strtok_r(NULL, " \t", &save)) {
                cr_assert_lt(w->n, MAX_WORDS, "%s:%d: more than %d words", file, line, MAX_WORDS);
                w->w[w->n++] = t;
        }
}

static bool has(const struct words *w, const char *s)
{
        for (size_t i = 0; i < w->n; i++)
                if (strcmp(w->w[i], s) == 0)
                        return true;
        return false;
}

static struct layer *find_layer(const char *id)
{
        for (size_t i = 0; i < nlayers; i++)
                if (strcmp(layers[i].id, id) == 0)
                        return &layers[i];
        return NULL;
}

static char *trim(char *s)
{
        while (*s == ' ' || *s == '\t')
                s++;
        size_t n = strlen(s);
        while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\n'))
                s[--n] = 0;
        return s;
}

/* A reader for the small subset attacks.ini uses; every mistake is an
 * assertion naming file:line. */
static void load_catalogue(void)
{
        char file[4096], buf[1024];
        snprintf(file, sizeof(file), "%s/tests/layers/attacks.ini", source_dir());
        FILE *f = fopen(file, "re");
        cr_assert(f, "%s: %s", file, strerror(errno));
        struct layer *l = NULL;
        struct attack *a = NULL;
        bool in_sandbox = false;
        int line = 0;
        while (fgets(buf, sizeof(buf), f)) {
                line++;
                char *s = trim(buf);
                if (!*s || *s == ';')
                        continue;
                if (strcmp(s, "[sandbox]") == 0) {
                        l = NULL;
                        a = NULL;
                        in_sandbox = true;
                        continue;
                }
                if (*s == '[') {
                        char kind[16], id[64];
                        in_sandbox = false;
                        cr_assert_eq(sscanf(s, "[%15s %63[^]]]", kind, id), 2, "%s:%d: bad section", file, line);
                        l = NULL;
                        a = NULL;
                        if (strcmp(kind, "layer") == 0) {
                                cr_assert_lt(nlayers, MAX_ITEMS);
                                l = &layers[nlayers++];
                                l->id = strdup(id);
                        } else if (strcmp(kind, "attack") == 0) {
                                cr_assert_lt(nattacks, MAX_ITEMS);
                                a = &attacks[nattacks++];
                                a->id = strdup(id);
                        } else {
                                cr_assert_fail("%s:%d: unknown section kind '%s'", file, line, kind);
                        }
                        continue;
                }
                char *eq = strchr(s, '=');
                cr_assert(eq && (l || a || in_sandbox), "%s:%d: expected KEY = VALUE in a section", file, line);
                *eq = 0;
                char *k = trim(s), *v = trim(eq + 1);
                if (in_sandbox && strcmp(k, "args") == 0)
                        split(file, line, v, &sandbox_args);
                else if (in_sandbox)
                        cr_assert_fail("%s:%d: unknown key '%s'", file, line, k);
                else if (l && strcmp(k, "off") == 0)
                        split(file, line, v, &l->off);
                else if (l && strcmp(k, "root-only") == 0)
                        l->root_only = strcmp(v, "yes") == 0;
                else if (l && (strcmp(k, "what") == 0 || strcmp(k, "why-on") == 0 || strcmp(k, "note") == 0))
                        ;
                else if (a && strcmp(k, "probe") == 0)
                        split(file, line, v, &a->probe);
                else if (a && strcmp(k, "stops") == 0)
                        split(file, line, v, &a->stops);
                else if (a && strcmp(k, "gap") == 0)
                        split(file, line, v, &a->gap);
                else if (a && strcmp(k, "pending") == 0)
                        split(file, line, v, &a->pending);
                else if (a && strcmp(k, "bare") == 0) {
                        cr_assert(strcmp(v, "all") == 0 || strcmp(v, "root") == 0, "%s:%d: bare = all|root",
                                  file, line);
                        a->bare_root_only = strcmp(v, "root") == 0;
                } else if (a && (strcmp(k, "what") == 0 || strcmp(k, "note") == 0))
                        ;
                else
                        cr_assert_fail("%s:%d: unknown key '%s'", file, line, k);
        }
        fclose(f);
        cr_assert_gt(nattacks, 0);
        for (size_t i = 0; i < nattacks; i++) {
                cr_assert(attacks[i].probe.n && attacks[i].stops.n, "%s: attack %s needs probe and stops", file,
                          attacks[i].id);
                for (size_t j = 0; j < attacks[i].stops.n; j++)
                        cr_assert(find_layer(attacks[i].stops.w[j]), "%s: attack %s: unknown layer %s", file,
                                  attacks[i].id, attacks[i].stops.w[j]);
                for (size_t j = 0; j < attacks[i].gap.n; j++)
                        cr_assert(strcmp(attacks[i].gap.w[j], "all") == 0 || strcmp(attacks[i].gap.w[j], "fixed-only") == 0 ||
                                          find_layer(attacks[i].gap.w[j]),
                                  "%s: attack %s: gap: unknown layer %s", file, attacks[i].id, attacks[i].gap.w[j]);
                for (size_t j = 0; j < attacks[i].pending.n; j++)
                        cr_assert(has(&attacks[i].stops, attacks[i].pending.w[j]),
                                  "%s: attack %s: pending %s is not in stops", file, attacks[i].id,
                                  attacks[i].pending.w[j]);
        }
}

/* ---- the fixture: what the attacks aim at ------------------------------ */

static char *tmp;
static char home[512], out_dir[512], llro_dir[512], sock_path[512], suid_dir[512], suid_path[1024], abs_name[64];
static char port_s[16], pid_s[16];
static int tcp_fd = -1, unix_fd = -1, abs_fd = -1;
static pid_t target = -1;

static void mkdir_mode(const char *p, mode_t m)
{
        cr_assert(mkdir(p, m) == 0 || errno == EEXIST, "mkdir %s: %s", p, strerror(errno));
        cr_assert_eq(chmod(p, m), 0, "chmod %s: %s", p, strerror(errno));
}

static int listen_unix(const char *path, const char *abstract)
{
        int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        cr_assert(s >= 0);
        struct sockaddr_un a = { .sun_family = AF_UNIX };
        socklen_t len = sizeof(a);
        if (path) {
                snprintf(a.sun_path, sizeof(a.sun_path), "%s", path);
        } else {
                memcpy(a.sun_path + 1, abstract, strlen(abstract));
                len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + strlen(abstract));
        }
        cr_assert_eq(bind(s, (struct sockaddr *)&a, len), 0, "bind: %s", strerror(errno));
        cr_assert_eq(listen(s, 128), 0);
        if (path)
                cr_assert_eq(chmod(path, 0777), 0);
        return s;
}

static void copy_file(const char *from, const char *to, mode_t mode)
{
        char buf[65536];
        int in = open(from, O_RDONLY | O_CLOEXEC);
        cr_assert(in >= 0, "%s: %s", from, strerror(errno));
        int o = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0700);
        cr_assert(o >= 0, "%s: %s", to, strerror(errno));
        ssize_t n;
        while ((n = read(in, buf, sizeof(buf))) > 0)
                cr_assert_eq(write(o, buf, (size_t)n), n);
        cr_assert_eq(n, 0);
        close(in);
        cr_assert_eq(close(o), 0);
        cr_assert_eq(chmod(to, mode), 0);
}

static void setup(void)
{
        if (geteuid() != 0) {
                if (in_ci())
                        cr_assert_fail("the layer matrix needs root (a set-user-ID file, uid 65534)");
                cr_skip_test("the layer matrix needs root (a set-user-ID file, uid 65534)");
        }
        /* The exec attacks aim at a denied interpreter through the loader. */
        static const char *const needed[] = { "/usr/bin/python3", "/lib64/ld-linux-x86-64.so.2" };
        for (size_t i = 0; i < sizeof(needed) / sizeof(needed[0]); i++)
                if (access(needed[i], X_OK) != 0) {
                        if (in_ci())
                                cr_assert_fail("CI needs %s for the layer matrix", needed[i]);
                        cr_skip_test("no %s here", needed[i]);
                }
        load_catalogue();
        tmp = make_tmpdir();
        cr_assert(tmp);
        char p[1024];

        snprintf(home, sizeof(home), "%s/home", tmp);
        mkdir_mode(home, 0755);
        snprintf(p, sizeof(p), "%s/.ssh", home);
        mkdir_mode(p, 0755);
        snprintf(p, sizeof(p), "%s/.ssh/id_rsa", home);
        cr_assert_eq(write_file(p, "-----BEGIN OPENSSH PRIVATE KEY----- sbx-layers\n", 0644), 0);
        cr_assert_eq(setenv("HOME", home, 1), 0);

        snprintf(out_dir, sizeof(out_dir), "%s/out", tmp);
        mkdir_mode(out_dir, 0777);
        snprintf(llro_dir, sizeof(llro_dir), "%s/llro", tmp);
        mkdir_mode(llro_dir, 0777);

        snprintf(p, sizeof(p), "%s/sock", tmp);
        mkdir_mode(p, 0755);
        snprintf(sock_path, sizeof(sock_path), "%s/sock/s", tmp);
        unix_fd = listen_unix(sock_path, NULL);
        snprintf(abs_name, sizeof(abs_name), "sbx-layers-%d", (int)getpid());
        abs_fd = listen_unix(NULL, abs_name);

        tcp_fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        struct sockaddr_in in = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
        socklen_t l = sizeof(in);
        cr_assert(tcp_fd >= 0);
        cr_assert_eq(bind(tcp_fd, (struct sockaddr *)&in, sizeof(in)), 0);
        cr_assert_eq(listen(tcp_fd, 128), 0);
        cr_assert_eq(getsockname(tcp_fd, (struct sockaddr *)&in, &l), 0);
        snprintf(port_s, sizeof(port_s), "%d", ntohs(in.sin_port));

        /* A set-user-ID-root copy of the probe, in a directory bound into
         * the sandbox and allowed to execute. */
        snprintf(suid_dir, sizeof(suid_dir), "%s/suid", tmp);
        mkdir_mode(suid_dir, 0755);
        struct statvfs vfs;
        cr_assert_eq(statvfs(suid_dir, &vfs), 0);
        cr_assert(!(vfs.f_flag & ST_NOSUID),
                  "%s is mounted nosuid: the bare run of attack setuid-binary cannot work here", suid_dir);
        snprintf(suid_path, sizeof(suid_path), "%s/suid-probe", suid_dir);
        copy_file(probe_bin(), suid_path, 04755);

        /* A process outside of uid 65534, the host uid of every sandbox
         * here (a root caller is mapped to it), dumpable like any process
         * of that user that did not change ids. */
        target = fork();
        cr_assert(target >= 0);
        if (target == 0) {
                if (setresgid(65534, 65534, 65534) < 0 || setresuid(65534, 65534, 65534) < 0 ||
                    prctl(PR_SET_DUMPABLE, 1) < 0)
                        _exit(1);
                for (;;)
                        pause();
        }
        snprintf(pid_s, sizeof(pid_s), "%d", (int)target);
}

static void teardown(void)
{
        if (target > 0) {
                kill(target, SIGKILL);
                waitpid(target, NULL, 0);
        }
        if (tcp_fd >= 0)
                close(tcp_fd);
        if (unix_fd >= 0)
                close(unix_fd);
        if (abs_fd >= 0)
                close(abs_fd);
        unlink("/usr/sbx-layers-planted");
        if (tmp) {
                char *q = shq(tmp), cmd[4096];
                snprintf(cmd, sizeof(cmd), "rm -rf %s", q);
                (void)!system(cmd);
                free(q);
                free(tmp);
        }
}

TestSuite(layers, .init = setup, .fini = teardown, .timeout = 300);

/* ---- running a batch ---------------------------------------------------- */

/* @INIT@ is pid 1 inside a sandbox (sbx's init) and, bare, the process
 * of the same user outside that stands in for it. */
static const char *subst(const char *w, bool bare)
{
        const struct {
                const char *name;
                const char *value;
        } vars[] = {
                { "@HOME@", home }, { "@OUT@", out_dir }, { "@SOCK@", sock_path }, { "@SUID@", suid_path },
                { "@ABS@", abs_name }, { "@PORT@", port_s }, { "@PID@", pid_s },
                { "@INIT@", bare ? pid_s : "1" }, { "@LLRO@", llro_dir },
        };
        static char buf[8][1024];
        static int k;
        const char *at = strchr(w, '@');
        if (!at)
                return w;
        for (size_t i = 0; i < sizeof(vars) / sizeof(vars[0]); i++) {
                size_t n = strlen(vars[i].name);
                if (strncmp(at, vars[i].name, n) == 0) {
                        char *b = buf[k++ % 8];
                        snprintf(b, sizeof(buf[0]), "%.*s%s%s", (int)(at - w), w, vars[i].value, at + n);
                        return b;
                }
        }
        cr_assert_fail("unknown placeholder in probe word '%s'", w);
        return w;
}

/* Append a shell-quoted word to cmd. */
static void add(char *cmd, size_t size, const char *w)
{
        char *q = shq(w);
        size_t n = strlen(cmd);
        cr_assert_lt(n + strlen(q) + 2, size, "command too long");
        snprintf(cmd + n, size - n, "%s%s", n ? " " : "", q);
        free(q);
}

static void record(const char *attack, const char *config, const char *who, const char *result)
{
        const char *path = getenv("SBX_LAYERS_OBSERVED");
        if (!path || !*path)
                return;
        char line[512];
        int n = snprintf(line, sizeof(line), "%s %s %s %s\n", attack, config, who, result);
        int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
        cr_assert(fd >= 0, "%s: %s", path, strerror(errno));
        cr_assert_eq(write(fd, line, (size_t)n), n); /* one write: lines of parallel tests do not mix */
        close(fd);
}

/* Run every attack in one launch (sbx when `off` is not NULL: the
 * arguments that switch a layer off, possibly none) as `who`, under a
 * terminal.  results[i] gets attack i's line (malloc'd). */
static void run_batch(int who, const struct words *off, char **results)
{
        char cmd[16384] = "";
        if (!off && who == AS_ROOT) {
                /* The bare mount attack succeeds as root: in a mount
                 * namespace of its own, it hides nothing of the host. */
                add(cmd, sizeof(cmd), "unshare");
                add(cmd, sizeof(cmd), "--mount");
                add(cmd, sizeof(cmd), "--propagation");
                add(cmd, sizeof(cmd), "private");
        }
        if (off) {
                add(cmd, sizeof(cmd), sbx_bin());
                add(cmd, sizeof(cmd), "run");
                add(cmd, sizeof(cmd), "--profile");
                add(cmd, sizeof(cmd), "default");
                add(cmd, sizeof(cmd), "--ro-bind");
                add(cmd, sizeof(cmd), probe_bin());
                add(cmd, sizeof(cmd), "--ro-bind");
                add(cmd, sizeof(cmd), suid_dir);
                /* The test's working directory (the build tree) would be
                 * bound over the probe's; and nothing of the fixture may
                 * be in the view by accident. */
                add(cmd, sizeof(cmd), "--set");
                add(cmd, sizeof(cmd), "filesystem.cwd-bind=none");
                add(cmd, sizeof(cmd), "--set");
                char *w = profile_word(suid_path), set[1200];
                snprintf(set, sizeof(set), "exec.allow=%s", w);
                free(w);
                add(cmd, sizeof(cmd), set);
                for (size_t i = 0; i < sandbox_args.n; i++)
                        add(cmd, sizeof(cmd), subst(sandbox_args.w[i], false));
                for (size_t i = 0; i < off->n; i++)
                        add(cmd, sizeof(cmd), off->w[i]);
                add(cmd, sizeof(cmd), "--");
        }
        add(cmd, sizeof(cmd), probe_bin());
        add(cmd, sizeof(cmd), "batch");
        for (size_t i = 0; i < nattacks; i++) {
                if (i)
                        add(cmd, sizeof(cmd), ",,");
                for (size_t j = 0; j < attacks[i].probe.n; j++)
                        add(cmd, sizeof(cmd), subst(attacks[i].probe.w[j], !off));
        }
        const char *argv[] = { "script", "-qec", cmd, "/dev/null", NULL };
        struct run_result r;
        cr_assert_eq(run_cmd(who, NULL, 120, &r, argv), 0, "script did not finish");
        cr_assert_eq(r.status, 0, "[%s] exit %d\n$ %s\nstdout: %s\nstderr: %s", who == AS_ROOT ? "root" : "user",
                     r.status, cmd, r.out, r.err);
        /* Lines of the probe begin with OK, DENIED, or SETUP (the attack
         * could not be staged: no /proc without a pid namespace);
         * anything else is the terminal echoing injected input. */
        size_t k = 0;
        char *save = NULL;
        for (char *t = strtok_r(r.out, "\r\n", &save); t; t = strtok_r(NULL, "\r\n", &save)) {
                if (strncmp(t, "OK", 2) != 0 && strncmp(t, "DENIED", 6) != 0 && strncmp(t, "SETUP", 5) != 0)
                        continue;
                cr_assert_lt(k, nattacks, "more result lines than attacks: %s", t);
                results[k++] = strdup(t);
        }
        cr_assert_eq(k, nattacks, "%zu result lines for %zu attacks\n$ %s\nstdout: %s\nstderr: %s", k, nattacks,
                     cmd, r.out, r.err);
        run_result_free(&r);
        /* What a successful write attack left, so that the next user's
         * bare run can create it again. */
        char planted[1024];
        snprintf(planted, sizeof(planted), "%s/planted", out_dir);
        unlink(planted);
        snprintf(planted, sizeof(planted), "%s/planted", llro_dir);
        unlink(planted);
        unlink("/usr/sbx-layers-planted");
}

static const char *verdict(const char *line)
{
        return strncmp(line, "OK", 2) == 0 ? "OK" : strncmp(line, "SETUP", 5) == 0 ? "SETUP" : "DENIED";
}

/* ---- the tests ------------------------------------------------------------ */

Test(layers, attacks_work_bare)
{
        char *res[MAX_ITEMS];
        FOR_EACH_USER {
                run_batch(WHO, NULL, res);
                for (size_t i = 0; i < nattacks; i++) {
                        record(attacks[i].id, "bare", WHO_NAME, verdict(res[i]));
                        if (!(attacks[i].bare_root_only && WHO != AS_ROOT))
                                cr_expect(strncmp(res[i], "OK", 2) == 0,
                                          "[%s] attack %s cannot fail: denied even without sbx: %s", WHO_NAME,
                                          attacks[i].id, res[i]);
                        free(res[i]);
                }
        }
}

/* All layers on except those named in `off_ids` (space-separated; NULL:
 * all on).  `key` names the configuration in `gap` lists: "all", the one
 * layer switched off, or "fixed-only"; results are recorded as "all",
 * "no-LAYER" or "fixed-only". */
static void check_config(const char *key, const char *off_ids)
{
        struct words ids = { 0 }, args = { 0 };
        bool root_only = false;
        if (off_ids)
                split("check_config", 0, off_ids, &ids);
        for (size_t i = 0; i < ids.n; i++) {
                const struct layer *l = find_layer(ids.w[i]);
                cr_assert(l, "no layer %s in the catalogue", ids.w[i]);
                cr_assert(l->off.n, "layer %s cannot be switched off", ids.w[i]);
                root_only |= l->root_only;
                for (size_t j = 0; j < l->off.n; j++) {
                        cr_assert_lt(args.n, MAX_WORDS);
                        args.w[args.n++] = l->off.w[j];
                }
        }
        char config[64];
        snprintf(config, sizeof(config), "%s%s", ids.n == 1 ? "no-" : "", key);
        char *res[MAX_ITEMS];
        FOR_EACH_USER {
                if (root_only && WHO != AS_ROOT)
                        continue;
                run_batch(WHO, &args, res);
                for (size_t i = 0; i < nattacks; i++) {
                        const struct attack *a = &attacks[i];
                        bool claimed = false;
                        for (size_t j = 0; j < a->stops.n; j++)
                                claimed |= !has(&ids, a->stops.w[j]) && !has(&a->pending, a->stops.w[j]);
                        bool gap = has(&a->gap, key);
                        record(a->id, config, WHO_NAME, verdict(res[i]));
                        if (!claimed) {
                                cr_log_info("[%s %s] %s: %s (not claimed here)", WHO_NAME, config, a->id, res[i]);
                        } else if (gap) {
                                cr_expect(strncmp(res[i], "OK", 2) == 0,
                                          "[%s %s] %s is marked gap but was stopped: %s (remove the mark)",
                                          WHO_NAME, config, a->id, res[i]);
                        } else {
                                cr_expect(strncmp(res[i], "OK", 2) != 0,
                                          "[%s %s] ESCAPE: %s got through although a remaining layer claims "
                                          "it: %s",
                                          WHO_NAME, config, a->id, res[i]);
                        }
                        free(res[i]);
                }
        }
}

Test(layers, all_on) { check_config("all", NULL); }
Test(layers, without_landlock) { check_config("landlock", "landlock"); }
Test(layers, without_seccomp) { check_config("seccomp", "seccomp"); }
Test(layers, without_netns) { check_config("netns", "netns"); }
Test(layers, without_pidns) { check_config("pidns", "pidns"); }
Test(layers, without_userns) { check_config("userns", "userns"); }
Test(layers, without_session) { check_config("session", "session"); }
/* Every layer off that both callers can switch off (all but the root-only
 * ones): what the fixed layers
 * (view, privs, and the user namespace) claim holds without the others,
 * and what only the others claim gets through (the claims are complete). */
Test(layers, fixed_only)
{
        char ids[512] = "";
        for (size_t i = 0; i < nlayers; i++)
                if (layers[i].off.n && !layers[i].root_only)
                        snprintf(ids + strlen(ids), sizeof(ids) - strlen(ids), " %s", layers[i].id);
        check_config("fixed-only", ids);
}

/* Every switchable layer of the catalogue has its Test above. */
Test(layers, every_switchable_layer_tested)
{
        static const char *const tested[] = { "landlock", "seccomp", "netns", "pidns", "userns", "session" };
        /* fixed_only switches off all of them but the root-only ones. */
        for (size_t i = 0; i < nlayers; i++) {
                bool found = false;
                for (size_t j = 0; j < sizeof(tested) / sizeof(tested[0]); j++)
                        found |= strcmp(layers[i].id, tested[j]) == 0;
                cr_expect(found || !layers[i].off.n, "layer %s can be switched off but has no Test here",
                          layers[i].id);
        }
}
