/* test_layers.c — each layer holds alone (issue 17).  The attacks in
 * tests/layers/attacks.ini run inside `sbx run --profile default` with all
 * layers on, then with each layer switched off in turn; every attack that a
 * layer still on claims to stop must be stopped.  Each attack also runs
 * without sbx and must work there, so that no row can pass by being
 * impossible.  With SBX_WRITE_LAYERS_DOC=PATH the matrix test writes the
 * table of docs/layers.md from the catalogue and what it observed; the
 * claims test checks that the committed table still says what the
 * catalogue says.
 *
 * The mount namespace cannot be switched off for these attacks: `mount =
 * no` conflicts with every [filesystem] entry and leaves no bind through
 * which the launcher finds the program (lib/plan.c, resolve_program), so
 * no program starts.  The view stays on in every configuration. */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <ini.h>
#include <netinet/in.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"

static const int whos[] = { AS_ROOT, AS_USER };
#define FOR_EACH_USER for (size_t wi = 0; wi < 2; wi++)
#define WHO whos[wi]
#define WHO_NAME (WHO == AS_ROOT ? "root" : "user")

/* ---- layers and configurations ---- */

static const char *const layer_names[] = { "view", "landlock", "seccomp", "caps",
                                           "exec", "netns",    "pidns",   "session" };
#define NLAYERS (sizeof(layer_names) / sizeof(layer_names[0]))
#define L(name) (1u << layer_index(name))

static int layer_index(const char *name)
{
        for (size_t i = 0; i < NLAYERS; i++)
                if (strcmp(layer_names[i], name) == 0)
                        return (int)i;
        return -1;
}

struct config {
        const char *name;
        const char *title;
        const char *off; /* the layer switched off, or NULL */
        const char *set[3];
};

static const struct config configs[] = {
        { "all", "all layers", NULL, { NULL } },
        { "no-landlock", "no Landlock", "landlock", { "landlock.enabled=no", NULL } },
        { "no-seccomp", "no seccomp", "seccomp", { "seccomp.enabled=no", NULL } },
        { "no-netns", "host network", "netns", { "network.mode=host", NULL } },
        /* A new proc needs a pid namespace of its own: without one, no /proc. */
        { "no-pidns", "no pid namespace (and no /proc)", "pidns",
          { "namespaces.pid=no", "filesystem.proc=none", NULL } },
};
#define NCONFIGS (sizeof(configs) / sizeof(configs[0]))

static int config_index(const char *name)
{
        for (size_t i = 0; i < NCONFIGS; i++)
                if (strcmp(configs[i].name, name) == 0)
                        return (int)i;
        return -1;
}

/* ---- the catalogue ---- */

#define MAX_ATTACKS 64

struct attack {
        char *name, *what, *technique, *probe, *sbx, *note;
        unsigned stops;  /* bit per layer */
        unsigned gaps;   /* bit per configuration */
        bool bare_root_only;
        bool tty;
};

struct catalogue {
        struct attack a[MAX_ATTACKS];
        size_t n;
        char error[256];
};

static bool set_words(struct catalogue *c, const char *section, const char *key, const char *value,
                      unsigned *bits, int (*index)(const char *))
{
        char buf[512];
        snprintf(buf, sizeof(buf), "%s", value);
        for (char *save = NULL, *w = strtok_r(buf, " \t", &save); w; w = strtok_r(NULL, " \t", &save)) {
                int i = index(w);
                if (i < 0) {
                        snprintf(c->error, sizeof(c->error), "[%s] %s: unknown word '%s'", section, key, w);
                        return false;
                }
                *bits |= 1u << i;
        }
        return true;
}

static int on_entry(void *user, const char *section, const char *key, const char *value)
{
        struct catalogue *c = user;
        if (c->n == 0 || strcmp(c->a[c->n - 1].name, section) != 0) {
                if (c->n == MAX_ATTACKS) {
                        snprintf(c->error, sizeof(c->error), "more than %d attacks", MAX_ATTACKS);
                        return 0;
                }
                c->a[c->n++].name = strdup(section);
        }
        struct attack *a = &c->a[c->n - 1];
        char **text = strcmp(key, "what") == 0        ? &a->what
                      : strcmp(key, "technique") == 0 ? &a->technique
                      : strcmp(key, "probe") == 0     ? &a->probe
                      : strcmp(key, "sbx") == 0       ? &a->sbx
                      : strcmp(key, "note") == 0      ? &a->note
                                                      : NULL;
        if (text) {
                *text = strdup(value);
                return 1;
        }
        if (strcmp(key, "stops") == 0)
                return set_words(c, section, key, value, &a->stops, layer_index);
        if (strcmp(key, "gap") == 0)
                return set_words(c, section, key, value, &a->gaps, config_index);
        if (strcmp(key, "bare") == 0 && (strcmp(value, "all") == 0 || strcmp(value, "root") == 0)) {
                a->bare_root_only = strcmp(value, "root") == 0;
                return 1;
        }
        if (strcmp(key, "tty") == 0 && (strcmp(value, "yes") == 0 || strcmp(value, "no") == 0)) {
                a->tty = strcmp(value, "yes") == 0;
                return 1;
        }
        snprintf(c->error, sizeof(c->error), "[%s] %s = %s: unknown key or value", section, key, value);
        return 0;
}

static const char *catalogue_path(void)
{
        static char path[4096];
        snprintf(path, sizeof(path), "%s/tests/layers/attacks.ini", source_dir());
        return path;
}

static void load_catalogue(struct catalogue *c)
{
        memset(c, 0, sizeof(*c));
        int r = ini_parse(catalogue_path(), on_entry, c);
        cr_assert_eq(r, 0, "%s: %s%s (ini_parse %d)", catalogue_path(), r > 0 ? "line " : "", c->error, r);
        cr_assert_geq(c->n, 15, "%s: only %zu attacks", catalogue_path(), c->n);
        for (size_t i = 0; i < c->n; i++) {
                struct attack *a = &c->a[i];
                cr_assert(a->what && a->probe && a->stops, "%s: [%s] needs what, probe and stops",
                          catalogue_path(), a->name);
                for (size_t k = 0; k < NCONFIGS; k++)
                        if (a->gaps & (1u << k))
                                cr_assert(configs[k].off && (a->stops & ~L(configs[k].off)),
                                          "%s: [%s] gap %s: no remaining layer claims it, so it is "
                                          "no gap", catalogue_path(), a->name, configs[k].name);
        }
}

/* ---- the world outside the sandbox ---- */

struct world {
        char *dir;
        char home[512], sock[512], abs[64], port[16], pid[16];
        int tcp_fd, unix_fd, abs_fd;
        pid_t target;
};

static int listen_unix(const char *path, bool abstract)
{
        int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        struct sockaddr_un a = { .sun_family = AF_UNIX };
        cr_assert(s >= 0);
        size_t n = strlen(path);
        cr_assert_lt(n + 1, sizeof(a.sun_path));
        memcpy(a.sun_path + abstract, path, n);
        cr_assert_eq(bind(s, (struct sockaddr *)&a, (socklen_t)(offsetof(struct sockaddr_un, sun_path) + abstract + n)),
                     0, "bind %s: %s", path, strerror(errno));
        cr_assert_eq(listen(s, 16), 0);
        return s;
}

static void copy_file(const char *src, const char *dst, mode_t mode)
{
        int in = open(src, O_RDONLY | O_CLOEXEC);
        int out = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0700);
        cr_assert(in >= 0 && out >= 0, "copy %s to %s: %s", src, dst, strerror(errno));
        char buf[65536];
        ssize_t k;
        while ((k = read(in, buf, sizeof(buf))) > 0)
                cr_assert_eq(write(out, buf, (size_t)k), k);
        cr_assert_eq(k, 0);
        /* chmod after chown: chown clears the set-user-ID bit. */
        cr_assert_eq(fchown(out, 0, 0), 0);
        cr_assert_eq(fchmod(out, mode), 0);
        close(in);
        close(out);
}

static void world_up(struct world *w)
{
        if (geteuid() != 0) {
                cr_assert(!in_ci(), "the layer matrix needs root (it runs as root and as 65534)");
                cr_skip_test("the layer matrix needs root (it runs as root and as 65534)");
        }
        memset(w, 0, sizeof(*w));
        w->dir = make_tmpdir();
        cr_assert(w->dir);
        char p[600];
        snprintf(w->home, sizeof(w->home), "%s/home", w->dir);
        snprintf(p, sizeof(p), "%s/.ssh", w->home);
        cr_assert_eq(mkdir(w->home, 0755), 0);
        cr_assert_eq(mkdir(p, 0755), 0);
        snprintf(p, sizeof(p), "%s/.ssh/id_rsa", w->home);
        cr_assert_eq(write_file(p, "-----BEGIN OPENSSH PRIVATE KEY-----\n", 0644), 0);
        snprintf(p, sizeof(p), "%s/out", w->dir);
        cr_assert_eq(write_file(p, "", 0666), 0);
        cr_assert_eq(chmod(p, 0666), 0);
        snprintf(p, sizeof(p), "%s/mnt", w->dir);
        cr_assert_eq(mkdir(p, 0755), 0);
        snprintf(p, sizeof(p), "%s/bin", w->dir);
        cr_assert_eq(mkdir(p, 0755), 0);
        snprintf(p, sizeof(p), "%s/bin/probe-suid", w->dir);
        copy_file(probe_bin(), p, 04755);
        cr_assert_eq(setenv("HOME", w->home, 1), 0);

        w->tcp_fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
        socklen_t l = sizeof(a);
        cr_assert(w->tcp_fd >= 0);
        cr_assert_eq(bind(w->tcp_fd, (struct sockaddr *)&a, sizeof(a)), 0);
        cr_assert_eq(listen(w->tcp_fd, 64), 0);
        cr_assert_eq(getsockname(w->tcp_fd, (struct sockaddr *)&a, &l), 0);
        snprintf(w->port, sizeof(w->port), "%d", ntohs(a.sin_port));

        snprintf(w->sock, sizeof(w->sock), "%s/sock", w->dir);
        w->unix_fd = listen_unix(w->sock, false);
        cr_assert_eq(chmod(w->sock, 0777), 0);
        snprintf(w->abs, sizeof(w->abs), "sbx-layers-%d", getpid());
        w->abs_fd = listen_unix(w->abs, true);

        /* The target runs as 65534, the uid every sandbox here has on the
         * host, so that nothing but sbx's layers stands in the way; sleep
         * is exec'd after the uid change so that it is dumpable again. */
        w->target = fork();
        cr_assert(w->target >= 0);
        if (w->target == 0) {
                if (setgroups(0, NULL) < 0 || setresgid(65534, 65534, 65534) < 0 ||
                    setresuid(65534, 65534, 65534) < 0)
                        _exit(126);
                execl("/bin/sleep", "sleep", "600", (char *)NULL);
                _exit(127);
        }
        snprintf(w->pid, sizeof(w->pid), "%d", (int)w->target);
        /* Until the exec, /proc/PID/environ is root's and not dumpable. */
        char exe[64], link[64];
        snprintf(exe, sizeof(exe), "/proc/%d/exe", (int)w->target);
        for (int i = 0; i < 200; i++) {
                ssize_t k = readlink(exe, link, sizeof(link) - 1);
                if (k > 0 && (link[k] = 0, strstr(link, "sleep")))
                        break;
                usleep(10000);
        }
}

static void world_down(struct world *w)
{
        kill(w->target, SIGKILL);
        waitpid(w->target, NULL, 0);
        close(w->tcp_fd);
        close(w->unix_fd);
        close(w->abs_fd);
        char mnt[600];
        snprintf(mnt, sizeof(mnt), "%s/mnt", w->dir);
        /* The bare mount attack, as root, did mount there. */
        while (umount2(mnt, MNT_DETACH) == 0)
                ;
        char cmd[600];
        char *q = shq(w->dir);
        snprintf(cmd, sizeof(cmd), "rm -rf -- %s", q);
        free(q);
        cr_expect_eq(system(cmd), 0);
        free(w->dir);
}

/* `s` with the placeholders filled in, split at spaces into argv[*n…]. */
static void expand(const struct world *w, const char *s, char *buf, size_t size, const char **argv, size_t *n)
{
        static const char *const keys[] = { "@DIR@", "@HOME@", "@PORT@", "@SOCK@", "@ABS@", "@PID@" };
        const char *vals[] = { w->dir, w->home, w->port, w->sock, w->abs, w->pid };
        size_t o = 0;
        while (*s) {
                size_t k = 0;
                while (k < 6 && strncmp(s, keys[k], strlen(keys[k])) != 0)
                        k++;
                const char *add = k < 6 ? vals[k] : s;
                size_t len = k < 6 ? strlen(vals[k]) : 1;
                cr_assert_lt(o + len, size - 1);
                memcpy(buf + o, add, len);
                o += len;
                s += k < 6 ? strlen(keys[k]) : 1;
        }
        buf[o] = 0;
        for (char *save = NULL, *t = strtok_r(buf, " ", &save); t; t = strtok_r(NULL, " ", &save))
                argv[(*n)++] = t;
}

/* ---- running one attack ---- */

enum verdict { V_NONE, V_STOPPED, V_REACHED };

struct outcome {
        enum verdict v;
        char err[32]; /* errno name when stopped */
};

/* The probe's first "OK " or "DENIED ERRNO" (in a terminal, the text the
 * TIOCSTI probe typed is echoed on the same line before it). */
static struct outcome verdict_of(const char *out)
{
        struct outcome o = { V_NONE, "" };
        const char *ok = strstr(out, "OK "), *no = strstr(out, "DENIED ");
        if (ok && (!no || ok < no))
                o.v = V_REACHED;
        else if (no) {
                o.v = V_STOPPED;
                sscanf(no + 7, "%31[A-Z0-9]", o.err);
        }
        return o;
}

/* Run the attack in configuration `cfg` (NULL: bare, without sbx). */
static struct outcome run_attack(int who, const struct world *w, const struct attack *a, const struct config *cfg,
                                 struct run_result *r)
{
        const char *argv[64];
        char pbuf[1024], sbuf[1024];
        size_t n = 0;
        if (cfg) {
                argv[n++] = sbx_bin();
                argv[n++] = "run";
                argv[n++] = "--profile";
                argv[n++] = "default";
                argv[n++] = "--ro-bind";
                argv[n++] = probe_bin();
                for (size_t i = 0; cfg->set[i]; i++) {
                        argv[n++] = "--set";
                        argv[n++] = cfg->set[i];
                }
                if (a->sbx)
                        expand(w, a->sbx, sbuf, sizeof(sbuf), argv, &n);
                argv[n++] = "--";
        }
        argv[n++] = probe_bin();
        expand(w, a->probe, pbuf, sizeof(pbuf), argv, &n);
        argv[n] = NULL;
        cr_assert_lt(n, 64);
        if (!a->tty) {
                cr_assert_eq(run_cmd(who, NULL, 60, r, argv), 0, "%s did not finish", a->name);
                return verdict_of(r->out);
        }
        /* script(1) runs the line in a new terminal: one shell word each. */
        char line[4096] = "";
        for (size_t i = 0; i < n; i++) {
                char *q = shq(argv[i]);
                size_t l = strlen(line);
                snprintf(line + l, sizeof(line) - l, "%s%s", i ? " " : "", q);
                free(q);
        }
        const char *sargv[] = { "script", "-qec", line, "/dev/null", NULL };
        cr_assert_eq(run_cmd(who, NULL, 60, r, sargv), 0, "%s did not finish", a->name);
        return verdict_of(r->out);
}

/* ---- docs/layers.md ---- */

/* The claim table and notes: a function of the catalogue alone, compared
 * with the committed docs/layers.md by layers::catalogue_and_doc_claims. */
static void render_claims(const struct catalogue *c, FILE *f)
{
        fputs("| attack | what | ATT&CK |", f);
        for (size_t l = 0; l < NLAYERS; l++)
                fprintf(f, " %s |", layer_names[l]);
        fputs("\n|---|---|---|", f);
        for (size_t l = 0; l < NLAYERS; l++)
                fputs("---|", f);
        fputc('\n', f);
        for (size_t i = 0; i < c->n; i++) {
                const struct attack *a = &c->a[i];
                fprintf(f, "| %s | %s | %s |", a->name, a->what, a->technique ? a->technique : "");
                for (size_t l = 0; l < NLAYERS; l++)
                        fputs(a->stops & (1u << l) ? " stops |" : " — |", f);
                fputc('\n', f);
        }
        fputc('\n', f);
        for (size_t i = 0; i < c->n; i++) {
                const struct attack *a = &c->a[i];
                if (a->note || a->gaps) {
                        fprintf(f, "- **%s**:", a->name);
                        for (size_t k = 0; k < NCONFIGS; k++)
                                if (a->gaps & (1u << k))
                                        fprintf(f, " **gap under %s**.", configs[k].name);
                        fprintf(f, " %s\n", a->note ? a->note : "");
                }
        }
}

#define CLAIMS_BEGIN "<!-- claims begin: generated from tests/layers/attacks.ini -->\n"
#define CLAIMS_END "<!-- claims end -->\n"

static char *claims_text(const struct catalogue *c)
{
        char *buf = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&buf, &len);
        cr_assert(f);
        render_claims(c, f);
        cr_assert_eq(fclose(f), 0);
        return buf;
}

static const char *cell(const struct outcome *o)
{
        return o->v == V_REACHED ? "reached" : o->v == V_STOPPED ? o->err : "no result";
}

static void write_doc(const char *path, const struct catalogue *c,
                      struct outcome res[2][NCONFIGS][MAX_ATTACKS])
{
        FILE *f = fopen(path, "w");
        cr_assert(f, "%s: %s", path, strerror(errno));
        struct utsname u;
        cr_assert_eq(uname(&u), 0);
        fputs("# Which layer stops which attack\n\n"
              "<!-- Generated by tests/test_layers.c (layers::matrix) from tests/layers/attacks.ini\n"
              "     and a real run; do not edit.  See \"Regenerating\" at the end. -->\n\n"
              "sbx stacks several independent layers.  The suite runs every attack of\n"
              "`tests/layers/attacks.ini` inside `sbx run --profile default` with all layers on,\n"
              "then with each layer switched off in turn, as root and as uid 65534, and fails\n"
              "when an attack gets through while a layer that is still on claims to stop it.\n"
              "Every attack also runs without sbx and must work there.  The probe is\n"
              "`tests/probe.c`; the placeholders (`@DIR@`, `@PID@`, …) are described in the\n"
              "catalogue.\n\n"
              "## Claims\n\n"
              "Layers: **view** the mount namespace (only what is bound; binds read-only and\n"
              "nosuid), **landlock** Landlock (filesystem, TCP, scopes), **seccomp** the filter\n"
              "and its supervisor, **caps** no capabilities + no_new_privs + root not mapped,\n"
              "**exec** exec prevention (deny masks, noexec writable mounts;\n"
              "[exec-prevention.md](exec-prevention.md)), **netns** the network namespace,\n"
              "**pidns** the pid namespace, **session** a new session without a controlling\n"
              "terminal.\n\n",
              f);
        fputs(CLAIMS_BEGIN, f);
        char *claims = claims_text(c);
        fputs(claims, f);
        free(claims);
        fputs(CLAIMS_END, f);
        fputs("\n## Configurations\n\n", f);
        for (size_t k = 0; k < NCONFIGS; k++) {
                fprintf(f, "- **%s** (%s):", configs[k].name, configs[k].title);
                if (!configs[k].set[0])
                        fputs(" `--profile default` as it is", f);
                for (size_t i = 0; configs[k].set[i]; i++)
                        fprintf(f, " `--set %s`", configs[k].set[i]);
                fputc('\n', f);
        }
        fputs("- **no mount namespace**: not run.  `[namespaces] mount = no` conflicts with\n"
              "  every `[filesystem]` entry and then no bind shows the program, so nothing\n"
              "  starts (lib/plan.c); the view is on in every configuration above.\n",
              f);
        fprintf(f, "\n## Observed\n\nOn Linux %s (%s).  A cell is the errno that stopped the attack, or\n"
                   "**reached**; `root/65534` when the two differ.  *claimed*: a layer that is on\n"
                   "claims the attack (the test requires it stopped); **GAP**: claimed but not\n"
                   "stopped (the test expects the escape and says so).\n\n",
                u.release, u.machine);
        fputs("| attack |", f);
        for (size_t k = 0; k < NCONFIGS; k++)
                fprintf(f, " %s |", configs[k].name);
        fputs("\n|---|", f);
        for (size_t k = 0; k < NCONFIGS; k++)
                fputs("---|", f);
        fputc('\n', f);
        for (size_t i = 0; i < c->n; i++) {
                const struct attack *a = &c->a[i];
                fprintf(f, "| %s |", a->name);
                for (size_t k = 0; k < NCONFIGS; k++) {
                        const struct outcome *r = &res[0][k][i], *s = &res[1][k][i];
                        bool claimed = (a->stops & ~(configs[k].off ? L(configs[k].off) : 0u)) != 0;
                        bool gap = a->gaps & (1u << k);
                        bool same = r->v == s->v && strcmp(r->err, s->err) == 0;
                        bool reached = r->v == V_REACHED || s->v == V_REACHED;
                        fputc(' ', f);
                        if (reached)
                                fputs("**", f);
                        if (same)
                                fputs(cell(r), f);
                        else
                                fprintf(f, "%s/%s", cell(r), cell(s));
                        if (reached)
                                fputs("**", f);
                        fputs(gap ? " **GAP**" : claimed ? " *claimed*" : "", f);
                        fputs(" |", f);
                }
                fputc('\n', f);
        }
        fputs("\n## Regenerating\n\n"
              "The claim table must match the catalogue (the test `layers` fails otherwise).\n"
              "After changing the catalogue, or to refresh the observed columns on another\n"
              "kernel, as root:\n\n"
              "    SBX_WRITE_LAYERS_DOC=$PWD/docs/layers.md meson test -C build layers\n",
              f);
        cr_assert_eq(fclose(f), 0, "%s: %s", path, strerror(errno));
}

/* ---- the tests ---- */

Test(layers, catalogue_and_doc_claims)
{
        struct catalogue c;
        load_catalogue(&c);
        /* Regenerating the doc rewrites this part too. */
        if (getenv("SBX_WRITE_LAYERS_DOC"))
                return;
        char path[4096];
        snprintf(path, sizeof(path), "%s/docs/layers.md", source_dir());
        FILE *f = fopen(path, "r");
        cr_assert(f, "%s: %s", path, strerror(errno));
        char *doc = NULL;
        size_t cap = 0;
        ssize_t k = getdelim(&doc, &cap, '\0', f);
        fclose(f);
        cr_assert(k > 0, "%s: empty", path);
        char *b = strstr(doc, CLAIMS_BEGIN), *e = b ? strstr(b, CLAIMS_END) : NULL;
        cr_assert(b && e, "%s: no claims block (%s ... %s)", path, CLAIMS_BEGIN, CLAIMS_END);
        b += strlen(CLAIMS_BEGIN);
        *e = 0;
        char *want = claims_text(&c);
        cr_assert_str_eq(b, want, "%s says other claims than tests/layers/attacks.ini: regenerate it "
                         "(docs/layers.md, \"Regenerating\")", path);
        free(want);
        free(doc);
}

Test(layers, matrix, .timeout = 240)
{
        static struct outcome res[2][NCONFIGS][MAX_ATTACKS];
        struct catalogue c;
        struct world w;
        load_catalogue(&c);
        world_up(&w);
        FOR_EACH_USER {
                for (size_t k = 0; k < NCONFIGS; k++) {
                        const struct config *cfg = &configs[k];
                        unsigned on = ~(cfg->off ? L(cfg->off) : 0u);
                        for (size_t i = 0; i < c.n; i++) {
                                const struct attack *a = &c.a[i];
                                struct run_result r;
                                struct outcome o = run_attack(WHO, &w, a, cfg, &r);
                                res[wi][k][i] = o;
                                cr_expect_neq(o.v, V_NONE, "[%s] %s under %s: no verdict (sbx exit %d): %s %s",
                                              WHO_NAME, a->name, cfg->name, r.status, r.out, r.err);
                                if (a->gaps & (1u << k))
                                        /* A known gap (attacks.ini, docs/layers.md): the truth is an
                                         * escape.  When it closes, this fails: remove the gap. */
                                        cr_expect_eq(o.v, V_REACHED, "[%s] %s under %s: marked as a gap but "
                                                     "now stopped (%s): remove the gap from attacks.ini",
                                                     WHO_NAME, a->name, cfg->name, o.err);
                                else if (a->stops & on)
                                        cr_expect_eq(o.v, V_STOPPED, "[%s] ESCAPE: %s under %s, although a "
                                                     "layer still on claims to stop it: %s %s", WHO_NAME,
                                                     a->name, cfg->name, r.out, r.err);
                                run_result_free(&r);
                        }
                }
        }
        world_down(&w);
        const char *doc = getenv("SBX_WRITE_LAYERS_DOC");
        if (doc)
                write_doc(doc, &c, res);
}

Test(layers, every_attack_works_without_sbx)
{
        struct catalogue c;
        struct world w;
        load_catalogue(&c);
        world_up(&w);
        FOR_EACH_USER {
                for (size_t i = 0; i < c.n; i++) {
                        const struct attack *a = &c.a[i];
                        if (WHO != AS_ROOT && a->bare_root_only) {
                                cr_log_info("%s: bare as 65534 not run: the kernel lets only root do it", a->name);
                                continue;
                        }
                        struct run_result r;
                        struct outcome o = run_attack(WHO, &w, a, NULL, &r);
                        cr_expect_eq(o.v, V_REACHED, "[%s] %s cannot fail: without sbx it gives %s%s", WHO_NAME,
                                     a->name, r.out, r.err);
                        run_result_free(&r);
                }
        }
        world_down(&w);
}
