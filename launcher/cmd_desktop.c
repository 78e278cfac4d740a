/* cmd_desktop.c — `sbx desktop install|remove|list`: per-user desktop
 * launchers that start an application through sbx.
 *
 * install copies the application's own .desktop file from the system's
 * data directories (a root-owned file no user or sandbox can have written)
 * into $XDG_DATA_HOME/applications under the same desktop ID, so that it
 * takes the system entry's place in menus and MIME associations, keeping
 * its names, icons, MIME types and actions; each Exec line (the entry's
 * and every action's) becomes `sbx run --profile P -- PROGRAM ARGS`, with
 * PROGRAM resolved to its absolute system path.  D-Bus activation is
 * dropped (it would start the program without sbx).  --wrapper also
 * writes a script of that name in ~/.local/bin.  Files are written only in
 * the user's own directories, created without following symlinks, and a
 * file sbx did not write is never replaced.  Nothing read back here
 * decides how a sandbox is built: list and remove only look for sbx's
 * marker line. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "commands.h"

const char cmd_desktop_usage[] =
        "Usage: sbx desktop install APP [--profile NAME|PATH] [--wrapper] [--force]\n"
        "       sbx desktop remove APP\n"
        "       sbx desktop list\n"
        "\n"
        "install: a launcher for APP (a desktop ID such as firefox-esr, from\n"
        "/usr/share/applications) in ~/.local/share/applications that starts it\n"
        "through sbx run --profile NAME, keeping its icons, MIME types and actions;\n"
        "it takes the place of the system entry in menus and \"open with\".\n"
        "Default profile: browser for browsers, document-viewer for document\n"
        "viewers; otherwise give --profile.  --wrapper also writes ~/.local/bin/APP\n"
        "(put ~/.local/bin first in PATH to get the sandbox from a shell too).\n"
        "--force replaces a launcher of that name that sbx did not write.\n"
        "remove: delete what install wrote.  list: the launchers sbx wrote.\n";

#define MARK "X-Sbx-Profile"
#define WRAP_MARK "# sbx desktop wrapper for "

static const struct {
        const char *app, *profile;
} known[] = {
        { "firefox-esr", "browser" }, { "firefox", "browser" }, { "chromium", "browser" },
        { "org.gnome.Evince", "document-viewer" }, { "evince", "document-viewer" },
        { "atril", "document-viewer" }, { "org.pwmt.zathura", "document-viewer" },
        { "zathura", "document-viewer" }, { "mupdf", "document-viewer" },
        { "okularApplication_pdf", "document-viewer" }, { "org.kde.okular", "document-viewer" },
};

static bool app_valid(const char *s)
{
        size_t n = strlen(s);
        if (n == 0 || n > 200 || s[0] == '.' || s[0] == '-')
                return false;
        for (size_t i = 0; i < n; i++)
                if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9') ||
                      strchr("._-+", s[i])))
                        return false;
        return true;
}

/* $XDG_DATA_HOME (or ~/.local/share) + sub, made when missing; the
 * directory must be the caller's. */
static int user_dir(const char *xdg, const char *fallback, char *out, size_t n)
{
        const char *x = getenv(xdg), *home = getenv("HOME");
        int k = x && x[0] == '/' ? snprintf(out, n, "%s", x)
                : home && home[0] == '/' ? snprintf(out, n, "%s/%s", home, fallback)
                : -1;
        if (k < 0 || (size_t)k >= n)
                return -ENOENT;
        return 0;
}

/* The directories install made, for remove to take away again when they
 * are empty (recorded in the launcher as X-Sbx-Created). */
static struct {
        char path[8][PATH_MAX];
        int n;
} made;

static int open_user_dir(const char *path)
{
        char part[PATH_MAX];
        for (size_t i = 1; path[i - 1]; i++)
                if (path[i] == '/' || path[i] == 0) {
                        memcpy(part, path, i);
                        part[i] = 0;
                        if (mkdir(part, 0755) == 0) {
                                if (made.n < 8 && !strchr(part, ';'))
                                        snprintf(made.path[made.n++], PATH_MAX, "%s", part);
                        } else if (errno != EEXIST) {
                                return -errno;
                        }
                }
        int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        struct stat st;
        if (fstat(fd, &st) < 0 || st.st_uid != geteuid() || (st.st_mode & 022)) {
                close(fd);
                return -EPERM;
        }
        return fd;
}

/* A directory of the system's: root's, writable by nobody else, and not
 * in the caller's home (root's own files there are no system entries). */
static bool system_dir(const char *path)
{
        struct stat st;
        const char *home = getenv("HOME");
        size_t hl = home && home[0] == '/' ? strlen(home) : 0;
        if (hl > 1 && strncmp(path, home, hl) == 0 && (path[hl] == '/' || path[hl] == 0))
                return false;
        return stat(path, &st) == 0 && S_ISDIR(st.st_mode) && st.st_uid == 0 && !(st.st_mode & 022);
}

/* The system's .desktop file for app: root's, writable by nobody else,
 * in a directory of the system's. */
static FILE *open_system_desktop(const char *app, char *path, size_t n)
{
        const char *dirs = getenv("XDG_DATA_DIRS");
        if (!dirs || !*dirs)
                dirs = "/usr/local/share:/usr/share";
        for (const char *d = dirs; *d;) {
                const char *e = strchr(d, ':');
                size_t len = e ? (size_t)(e - d) : strlen(d);
                char adir[PATH_MAX];
                if (len && d[0] == '/' && (size_t)snprintf(adir, sizeof(adir), "%.*s/applications", (int)len, d) < sizeof(adir) &&
                    system_dir(adir) && (size_t)snprintf(path, n, "%s/%s.desktop", adir, app) < n) {
                        int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
                        struct stat st;
                        if (fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_uid == 0 &&
                            !(st.st_mode & 022) && st.st_size < (1 << 20)) {
                                FILE *f = fdopen(fd, "r");
                                if (f)
                                        return f;
                        }
                        if (fd >= 0)
                                close(fd);
                }
                d += len;
                if (*d == ':')
                        d++;
        }
        return NULL;
}

/* An Exec argument as the desktop entry spec quotes it (inside the key's
 * own escaping, where a backslash is written twice). */
static void put_exec_arg(FILE *f, const char *s)
{
        if (!strpbrk(s, " \t\n\"'\\><~|&;$*?#()`=%")) {
                fputs(s, f);
                return;
        }
        fputc('"', f);
        for (; *s; s++) {
                if (*s == '"' || *s == '`' || *s == '$')
                        fputs("\\\\", f);
                else if (*s == '\\')
                        fputs("\\\\\\", f);
                if (*s == '%')
                        fputc('%', f);
                fputc(*s, f);
        }
        fputc('"', f);
}

/* First word of an Exec value (unquoted or "quoted"), and where the rest
 * starts. */
static int exec_program(const char *v, char *prog, size_t n, const char **rest)
{
        size_t k = 0;
        if (*v == '"') {
                for (v++; *v && *v != '"'; v++) {
                        if (*v == '\\' && v[1] == '\\' && v[2])
                                v += 2;
                        if (k + 1 < n)
                                prog[k++] = *v;
                }
                if (*v != '"')
                        return -EINVAL;
                v++;
        } else {
                for (; *v && *v != ' ' && *v != '\t'; v++)
                        if (k + 1 < n)
                                prog[k++] = *v;
        }
        prog[k] = 0;
        *rest = v;
        return k ? 0 : -EINVAL;
}

/* PROGRAM as an absolute path outside the user's home (so that a wrapper
 * of the same name in ~/.local/bin is never what runs). */
static int resolve_program(const char *prog, char *out, size_t n)
{
        const char *home = getenv("HOME");
        if (prog[0] == '/') {
                snprintf(out, n, "%s", prog);
                return access(out, X_OK) == 0 ? 0 : -errno;
        }
        const char *path = "/usr/local/bin:/usr/bin:/bin:/usr/local/sbin:/usr/sbin:/sbin:/usr/games";
        for (const char *d = path; *d;) {
                const char *e = strchr(d, ':');
                size_t len = e ? (size_t)(e - d) : strlen(d);
                if ((size_t)snprintf(out, n, "%.*s/%s", (int)len, d, prog) < n && access(out, X_OK) == 0 &&
                    !(home && home[0] == '/' && strncmp(out, home, strlen(home)) == 0))
                        return 0;
                d += len;
                if (*d == ':')
                        d++;
        }
        return -ENOENT;
}

/* A file of ours in dirfd: NAME exists and holds `mark` in its first KiB. */
static int marked(int dirfd, const char *name, const char *mark)
{
        int fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
        if (fd < 0)
                return errno == ENOENT ? 0 : -errno;
        char buf[16384];
        ssize_t k = read(fd, buf, sizeof(buf) - 1);
        close(fd);
        if (k < 0)
                return -EIO;
        buf[k] = 0;
        return strstr(buf, mark) ? 1 : -EEXIST;
}

/* Write `text` as dirfd/name (mode), atomically, never through a link. */
static int write_at(int dirfd, const char *name, const char *text, mode_t mode)
{
        char tmp[300];
        snprintf(tmp, sizeof(tmp), ".%s.sbx-%d", name, (int)getpid());
        (void)unlinkat(dirfd, tmp, 0);
        int fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
        if (fd < 0)
                return -errno;
        size_t n = strlen(text);
        ssize_t w = write(fd, text, n);
        int r = w == (ssize_t)n && fchmod(fd, mode) == 0 && close(fd) == 0 ? 0 : -EIO;
        if (r == 0 && renameat(dirfd, tmp, dirfd, name) < 0)
                r = -errno;
        if (r < 0)
                (void)unlinkat(dirfd, tmp, 0);
        return r;
}

static char *self_path(void)
{
        char buf[PATH_MAX];
        ssize_t k = readlink("/proc/self/exe", buf, sizeof(buf) - 1);
        if (k <= 0)
                return NULL;
        buf[k] = 0;
        return strdup(buf);
}

static int write_launchers(const char *app, const char *profile, const char *sbx, const char *program,
                           const char *text, const char *dir, int dfd, const char *bin, int bfd, bool force);

static void put_marks(FILE *out, const char *profile, const char *src)
{
        fprintf(out, "%s=%s\nX-Sbx-Source=%s\n", MARK, profile, src);
        if (made.n) {
                fputs("X-Sbx-Created=", out);
                for (int i = 0; i < made.n; i++)
                        fprintf(out, "%s;", made.path[i]);
                fputc('\n', out);
        }
}

static int install(const char *app, const char *profile, bool wrapper, bool force)
{
        if (!profile)
                for (size_t i = 0; i < sizeof(known) / sizeof(known[0]) && !profile; i++)
                        if (strcmp(known[i].app, app) == 0)
                                profile = known[i].profile;
        if (!profile)
                return usage_error("desktop", "no profile known for '%s': give --profile", app);
        /* The profile must load now, not when the menu item is clicked. */
        struct sbx_policy *p = NULL;
        struct sbx_error *e = NULL;
        if (sbx_policy_new(&p) < 0)
                return SBX_EXIT_SETUP;
        if (sbx_policy_load(p, profile, &e) < 0) {
                sbx_policy_free(p);
                return report_error(e);
        }
        sbx_policy_free(p);
        /* A profile given as a path is written into the launcher whole:
         * the menu starts it from another directory. */
        char profile_abs[PATH_MAX];
        if (strchr(profile, '/') || (strlen(profile) > 4 && !strcmp(profile + strlen(profile) - 4, ".ini"))) {
                if (!realpath(profile, profile_abs)) {
                        fprintf(stderr, "sbx desktop: --profile %s: %s\n", profile, strerror(errno));
                        return 1;
                }
                profile = profile_abs;
        }

        /* The user's directories first: the launcher records which of
         * them it made. */
        char dir[PATH_MAX], bin[PATH_MAX];
        int dfd = -1, bfd = -1;
        if (user_dir("XDG_DATA_HOME", ".local/share", dir, sizeof(dir) - 16) < 0 ||
            (wrapper && user_dir("HOME", "", bin, sizeof(bin) - 16) < 0)) {
                fprintf(stderr, "sbx desktop: HOME is not set\n");
                return 1;
        }
        strcat(dir, "/applications");
        strcat(bin, "/.local/bin");
        char src[PATH_MAX];
        FILE *in = open_system_desktop(app, src, sizeof(src));
        if (in && ((dfd = open_user_dir(dir)) < 0 || (wrapper && (bfd = open_user_dir(bin)) < 0))) {
                fprintf(stderr, "sbx desktop: %s: %s\n", dfd < 0 ? dir : bin, strerror(-(dfd < 0 ? dfd : bfd)));
                fclose(in);
                if (dfd >= 0)
                        close(dfd);
                return 1;
        }
        if (!in) {
                fprintf(stderr, "sbx desktop: %s.desktop: not found in $XDG_DATA_DIRS/applications as a "
                        "root-owned file (only the system's entries are wrapped)\n", app);
                return 1;
        }
        char *sbx = self_path();
        char *text = NULL;
        size_t tlen = 0;
        FILE *out = open_memstream(&text, &tlen);
        if (!sbx || !out) {
                fclose(in);
                if (out)
                        fclose(out);
                free(text);
                free(sbx);
                return SBX_EXIT_SETUP;
        }
        char line[8192], program[PATH_MAX] = "";
        bool in_entry = false, had_exec = false, bad = false;
        while (fgets(line, sizeof(line), in)) {
                line[strcspn(line, "\n")] = 0;
                if (line[0] == '[') {
                        if (in_entry)
                                put_marks(out, profile, src);
                        in_entry = strcmp(line, "[Desktop Entry]") == 0;
                        fprintf(out, "%s\n", line);
                        continue;
                }
                if (strncmp(line, "DBusActivatable=", 16) == 0 || strncmp(line, "X-Sbx-", 6) == 0)
                        continue;
                if (strncmp(line, "Exec=", 5) != 0) {
                        fprintf(out, "%s\n", line);
                        continue;
                }
                char prog[PATH_MAX], abs[PATH_MAX];
                const char *rest;
                if (exec_program(line + 5, prog, sizeof(prog), &rest) < 0 ||
                    resolve_program(prog, abs, sizeof(abs)) < 0) {
                        fprintf(stderr, "sbx desktop: %s: cannot find the program of '%s'\n", src, line);
                        bad = true;
                        break;
                }
                if (!program[0])
                        snprintf(program, sizeof(program), "%s", abs);
                fputs("Exec=", out);
                put_exec_arg(out, sbx);
                fputs(" run --profile ", out);
                put_exec_arg(out, profile);
                fputs(" -- ", out);
                put_exec_arg(out, abs);
                fprintf(out, "%s\n", rest);
                had_exec = true;
        }
        if (in_entry)
                put_marks(out, profile, src);
        fclose(in);
        if (fclose(out) != 0 || bad || !had_exec) {
                if (!bad)
                        fprintf(stderr, "sbx desktop: %s: no Exec line to wrap\n", src);
                free(text);
                free(sbx);
                return 1;
        }
        int code = write_launchers(app, profile, sbx, program, text, dir, dfd, bin, bfd, force);
        free(text);
        free(sbx);
        close(dfd);
        if (bfd >= 0)
                close(bfd);
        return code;
}

/* The .desktop text and, with --wrapper, the script, in the user's dirs. */
static int write_launchers(const char *app, const char *profile, const char *sbx, const char *program,
                           const char *text, const char *dir, int dfd, const char *bin, int bfd, bool force)
{
        char name[300];
        snprintf(name, sizeof(name), "%s.desktop", app);
        if (marked(dfd, name, "\n" MARK "=") == -EEXIST && !force) {
                fprintf(stderr, "sbx desktop: %s/%s exists and was not written by sbx (--force replaces it)\n",
                        dir, name);
                return 1;
        }
        if (bfd >= 0 && marked(bfd, app, WRAP_MARK) == -EEXIST && !force) {
                fprintf(stderr, "sbx desktop: %s/%s exists and was not written by sbx (--force replaces it)\n",
                        bin, app);
                return 1;
        }
        int r = write_at(dfd, name, text, 0644);
        if (r < 0) {
                fprintf(stderr, "sbx desktop: writing %s/%s: %s\n", dir, name, strerror(-r));
                return 1;
        }
        printf("%s/%s\n", dir, name);
        if (bfd < 0)
                return 0;
        /* Single quotes: nothing inside is special to sh but the quote. */
        char *script = NULL;
        size_t slen = 0;
        FILE *s = open_memstream(&script, &slen);
        if (!s)
                return SBX_EXIT_SETUP;
        fprintf(s, "#!/bin/sh\n%s%s (sbx desktop remove %s takes it away)\nexec ", WRAP_MARK, app, app);
        const char *words[] = { sbx, "run", "--profile", profile, "--", program };
        for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
                fputc('\'', s);
                for (const char *c = words[i]; *c; c++)
                        if (*c == '\'')
                                fputs("'\\''", s);
                        else
                                fputc(*c, s);
                fputs("' ", s);
        }
        fputs("\"$@\"\n", s);
        fclose(s);
        r = script ? write_at(bfd, app, script, 0755) : -ENOMEM;
        free(script);
        if (r < 0) {
                fprintf(stderr, "sbx desktop: writing %s/%s: %s\n", bin, app, strerror(-r));
                return 1;
        }
        printf("%s/%s\n", bin, app);
        return 0;
}

/* The directories a launcher says install made (X-Sbx-Created), under
 * HOME only, deepest first; each removed if empty. */
static void remove_made(const char *list)
{
        const char *home = getenv("HOME");
        char v[8][PATH_MAX];
        int n = 0;
        for (const char *p = list; *p && n < 8;) {
                const char *e = strchr(p, ';');
                size_t k = e ? (size_t)(e - p) : strcspn(p, "\n");
                if (k && k < PATH_MAX)
                        snprintf(v[n++], PATH_MAX, "%.*s", (int)k, p);
                if (!e)
                        break;
                p = e + 1;
        }
        size_t hl = home ? strlen(home) : 0;
        for (int i = n - 1; i >= 0; i--)
                if (hl > 1 && strncmp(v[i], home, hl) == 0 && v[i][hl] == '/' && !strstr(v[i], "/..") &&
                    rmdir(v[i]) == 0)
                        printf("removed %s/\n", v[i]);
}

static int remove_app(const char *app)
{
        char dir[PATH_MAX], bin[PATH_MAX], name[300], created[PATH_MAX * 2] = "";
        int removed = 0;
        snprintf(name, sizeof(name), "%s.desktop", app);
        if (user_dir("XDG_DATA_HOME", ".local/share", dir, sizeof(dir) - 16) == 0) {
                strcat(dir, "/applications");
                int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                if (dfd >= 0 && marked(dfd, name, "\n" MARK "=") == 1) {
                        int fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
                        FILE *f = fd >= 0 ? fdopen(fd, "r") : NULL;
                        char line[PATH_MAX * 2];
                        while (f && fgets(line, sizeof(line), f))
                                if (strncmp(line, "X-Sbx-Created=", 14) == 0)
                                        snprintf(created, sizeof(created), "%s", line + 14);
                        if (f)
                                fclose(f);
                        else if (fd >= 0)
                                close(fd);
                        if (unlinkat(dfd, name, 0) == 0) {
                                printf("removed %s/%s\n", dir, name);
                                removed++;
                        }
                }
                if (dfd >= 0)
                        close(dfd);
        }
        if (user_dir("HOME", "", bin, sizeof(bin) - 16) == 0) {
                strcat(bin, "/.local/bin");
                int bfd = open(bin, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                if (bfd >= 0 && marked(bfd, app, WRAP_MARK) == 1 && unlinkat(bfd, app, 0) == 0) {
                        printf("removed %s/%s\n", bin, app);
                        removed++;
                }
                if (bfd >= 0)
                        close(bfd);
        }
        if (!removed) {
                fprintf(stderr, "sbx desktop: no launcher of sbx's for '%s'\n", app);
                return 1;
        }
        remove_made(created);
        return 0;
}

static int list_apps(void)
{
        char dir[PATH_MAX], bin[PATH_MAX];
        if (user_dir("XDG_DATA_HOME", ".local/share", dir, sizeof(dir) - 16) < 0)
                return 0;
        strcat(dir, "/applications");
        bool have_bin = user_dir("HOME", "", bin, sizeof(bin) - 16) == 0;
        if (have_bin)
                strcat(bin, "/.local/bin");
        int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd < 0)
                return 0;
        int bfd = have_bin ? open(bin, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
        DIR *d = fdopendir(dfd);
        if (!d) {
                close(dfd);
                if (bfd >= 0)
                        close(bfd);
                return SBX_EXIT_SETUP;
        }
        struct dirent *de;
        while ((de = readdir(d))) {
                size_t n = strlen(de->d_name);
                if (n <= 8 || strcmp(de->d_name + n - 8, ".desktop") != 0)
                        continue;
                int fd = openat(dirfd(d), de->d_name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
                FILE *f = fd >= 0 ? fdopen(fd, "r") : NULL;
                if (!f) {
                        if (fd >= 0)
                                close(fd);
                        continue;
                }
                char line[1024], profile[256] = "";
                while (fgets(line, sizeof(line), f))
                        if (strncmp(line, MARK "=", strlen(MARK) + 1) == 0) {
                                line[strcspn(line, "\n")] = 0;
                                snprintf(profile, sizeof(profile), "%.255s", line + strlen(MARK) + 1);
                                break;
                        }
                fclose(f);
                if (!profile[0])
                        continue;
                char app[256];
                snprintf(app, sizeof(app), "%.*s", (int)(n - 8), de->d_name);
                printf("%s\t%s\t%s/%s", app, profile, dir, de->d_name);
                if (bfd >= 0 && marked(bfd, app, WRAP_MARK) == 1)
                        printf("\t%s/%s", bin, app);
                putchar('\n');
        }
        closedir(d);
        if (bfd >= 0)
                close(bfd);
        return fflush(stdout) == 0 ? 0 : SBX_EXIT_SETUP;
}

int cmd_desktop(int argc, char **argv)
{
        static const struct option opts[] = {
                { "profile", required_argument, NULL, 'p' },
                { "wrapper", no_argument, NULL, 'w' },
                { "force", no_argument, NULL, 'f' },
                { "help", no_argument, NULL, 'h' },
                {},
        };
        const char *profile = NULL;
        bool wrapper = false, force = false;
        int c;
        optind = 1;
        while ((c = getopt_long(argc, argv, "p:wfh", opts, NULL)) != -1) {
                switch (c) {
                case 'p': profile = optarg; break;
                case 'w': wrapper = true; break;
                case 'f': force = true; break;
                case 'h': fputs(cmd_desktop_usage, stdout); return 0;
                default: return usage_error("desktop", "bad option");
                }
        }
        if (optind >= argc)
                return usage_error("desktop", "install, remove or list?");
        const char *verb = argv[optind++];
        if (strcmp(verb, "list") == 0) {
                if (optind != argc)
                        return usage_error("desktop", "list takes no arguments");
                return list_apps();
        }
        if (strcmp(verb, "install") != 0 && strcmp(verb, "remove") != 0)
                return usage_error("desktop", "unknown action '%s' (install, remove, list)", verb);
        if (optind + 1 != argc)
                return usage_error("desktop", "%s takes one APP", verb);
        char app[256];
        snprintf(app, sizeof(app), "%s", argv[optind]);
        size_t n = strlen(app);
        if (n > 8 && strcmp(app + n - 8, ".desktop") == 0)
                app[n - 8] = 0;
        if (!app_valid(app))
                return usage_error("desktop", "'%s' is not a desktop ID", argv[optind]);
        return strcmp(verb, "install") == 0 ? install(app, profile, wrapper, force) : remove_app(app);
}
