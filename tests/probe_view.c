/* probe_view.c — probe commands that describe what a process sees, in one
 * line that two runtimes can be compared on (test_export_crun.c runs them
 * under `sbx run` and under crun with the exported bundle): its mounts
 * and their flags, its namespaces, uid map, hostname, rlimits, seccomp
 * mode and whether paths are hidden.  They print OK unless reading fails:
 * they report, they do not attack. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "probe.h"

static int cmp_str(const void *a, const void *b)
{
        return strcmp(*(char *const *)a, *(char *const *)b);
}

/* "mounts [SKIP...]": every mount point but "/" and those named, sorted,
 * as PATH:ro|rw[,nosuid][,nodev][,noexec] (the per-mount flags of
 * mountinfo's fifth field; the filesystem type is left out: a runtime may
 * mask with a bind of /dev/null where sbx mounts an empty file). */
static int p_mounts(int argc, char **argv)
{
        FILE *f = fopen("/proc/self/mountinfo", "re");
        if (!f)
                return probe_report(-errno, "/proc/self/mountinfo");
        char *line = NULL, **v = NULL;
        size_t cap = 0, n = 0;
        while (getline(&line, &cap, f) > 0) {
                char mp[4096], opts[512];
                if (sscanf(line, "%*s %*s %*s %*s %4095s %511s", mp, opts) != 2 || strcmp(mp, "/") == 0)
                        continue;
                bool skip = false;
                for (int i = 1; i < argc; i++)
                        skip = skip || strcmp(argv[i], mp) == 0;
                if (skip)
                        continue;
                char *e = NULL;
                if (asprintf(&e, "%s:%s%s%s%s", mp, strncmp(opts, "ro", 2) == 0 ? "ro" : "rw",
                             strstr(opts, "nosuid") ? ",nosuid" : "", strstr(opts, "nodev") ? ",nodev" : "",
                             strstr(opts, "noexec") ? ",noexec" : "") < 0)
                        break;
                char **nv = realloc(v, (n + 1) * sizeof(char *));
                if (!nv)
                        break;
                v = nv;
                /* A path mounted twice (a re-bind over a bind) counts once. */
                bool dup = false;
                for (size_t i = 0; i < n; i++)
                        if (strncmp(v[i], mp, strlen(mp)) == 0 && v[i][strlen(mp)] == ':') {
                                free(v[i]);
                                v[i] = e;
                                dup = true;
                        }
                if (!dup)
                        v[n++] = e;
        }
        free(line);
        fclose(f);
        qsort(v, n, sizeof(char *), cmp_str);
        fputs("OK", stdout);
        for (size_t i = 0; i < n; i++) {
                printf(" %s", v[i]);
                free(v[i]);
        }
        free(v);
        putchar('\n');
        return 0;
}

/* "ns NAME:LINK...": for each namespace, "new" when /proc/self/ns/NAME is
 * not the LINK given (the caller's, read outside), else "host". */
static int p_ns(int argc, char **argv)
{
        char out[1024] = "";
        for (int i = 1; i < argc; i++) {
                char *colon = strchr(argv[i], ':');
                if (!colon)
                        return 2;
                char path[64], link[128];
                snprintf(path, sizeof(path), "/proc/self/ns/%.*s", (int)(colon - argv[i]), argv[i]);
                ssize_t l = readlink(path, link, sizeof(link) - 1);
                if (l < 0)
                        return probe_report(-errno, "%s", path);
                link[l] = 0;
                size_t o = strlen(out);
                snprintf(out + o, sizeof(out) - o, "%s%.*s=%s", o ? " " : "", (int)(colon - argv[i]), argv[i],
                         strcmp(link, colon + 1) == 0 ? "host" : "new");
        }
        return probe_report(0, "%s", out);
}

static void file_line(const char *path, char *buf, size_t size)
{
        buf[0] = 0;
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
                snprintf(buf, size, "(%s)", probe_errno_name(errno));
                return;
        }
        ssize_t n = read(fd, buf, size - 1);
        close(fd);
        buf[n > 0 ? n : 0] = 0;
        /* One line, spaces squeezed. */
        char *w = buf;
        bool space = false;
        for (char *r = buf; *r; r++) {
                if (*r == ' ' || *r == '\n' || *r == '\t') {
                        space = w != buf;
                        continue;
                }
                if (space)
                        *w++ = ',';
                space = false;
                *w++ = *r;
        }
        *w = 0;
}

static const char *status_value(const char *name, char *buf, size_t size)
{
        FILE *f = fopen("/proc/self/status", "re");
        char line[256];
        snprintf(buf, size, "?");
        while (f && fgets(line, sizeof(line), f))
                if (strncmp(line, name, strlen(name)) == 0 && line[strlen(name)] == ':') {
                        char *v = line + strlen(name) + 1;
                        v += strspn(v, " \t");
                        v[strcspn(v, "\n")] = 0;
                        snprintf(buf, size, "%s", v);
                }
        if (f)
                fclose(f);
        return buf;
}

/* "identity": uid/gid maps, hostname, NoNewPrivs, Seccomp mode, the
 * capability sets. */
static int p_identity(int argc, char **argv)
{
        char um[128], gm[128], nnp[16], sc[16], ce[32], cp[32], ci[32], cb[32], ca[32];
        struct utsname u;
        file_line("/proc/self/uid_map", um, sizeof(um));
        file_line("/proc/self/gid_map", gm, sizeof(gm));
        if (uname(&u) < 0)
                return probe_report(-errno, "uname");
        return probe_report(0, "uid_map=%s gid_map=%s hostname=%s NoNewPrivs=%s Seccomp=%s CapEff=%s "
                               "CapPrm=%s CapInh=%s CapBnd=%s CapAmb=%s",
                            um, gm, u.nodename, status_value("NoNewPrivs", nnp, sizeof(nnp)),
                            status_value("Seccomp", sc, sizeof(sc)), status_value("CapEff", ce, sizeof(ce)),
                            status_value("CapPrm", cp, sizeof(cp)), status_value("CapInh", ci, sizeof(ci)),
                            status_value("CapBnd", cb, sizeof(cb)), status_value("CapAmb", ca, sizeof(ca)));
}

/* "rlimits": soft:hard of the limits a profile can set. */
static int p_rlimits(int argc, char **argv)
{
        static const struct { int r; const char *n; } v[] = {
                { RLIMIT_CORE, "core" },   { RLIMIT_DATA, "data" },       { RLIMIT_NPROC, "nproc" },
                { RLIMIT_FSIZE, "fsize" }, { RLIMIT_STACK, "stack" },     { RLIMIT_AS, "as" },
                { RLIMIT_CPU, "cpu" },     { RLIMIT_MEMLOCK, "memlock" },
        };
        char out[512] = "";
        for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
                struct rlimit l;
                if (getrlimit(v[i].r, &l) < 0)
                        return probe_report(-errno, "getrlimit %s", v[i].n);
                size_t o = strlen(out);
                char a[24], b[24];
                snprintf(a, sizeof(a), l.rlim_cur == RLIM_INFINITY ? "inf" : "%llu", (unsigned long long)l.rlim_cur);
                snprintf(b, sizeof(b), l.rlim_max == RLIM_INFINITY ? "inf" : "%llu", (unsigned long long)l.rlim_max);
                snprintf(out + o, sizeof(out) - o, "%s%s=%s:%s", o ? " " : "", v[i].n, a, b);
        }
        return probe_report(0, "%s", out);
}

/* "hidden [=]PATH...": for each path, "hidden" when it cannot be opened, or
 * reads as empty (a file) or lists nothing (a directory); else "shown".  A
 * leading '=' keeps a profile's `args` from binding PATH as a file argument. */
static int p_hidden(int argc, char **argv)
{
        char out[4096] = "";
        for (int i = 1; i < argc; i++) {
                bool hidden = true;
                struct stat st;
                const char *path = argv[i] + (argv[i][0] == '=');
                int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
                if (fd >= 0 && fstat(fd, &st) == 0) {
                        if (S_ISDIR(st.st_mode)) {
                                DIR *d = fdopendir(fd);
                                struct dirent *e;
                                while (d && (e = readdir(d)))
                                        if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
                                                hidden = false;
                                if (d)
                                        closedir(d);
                                fd = -1;
                        } else {
                                char c;
                                hidden = read(fd, &c, 1) <= 0;
                        }
                }
                if (fd >= 0)
                        close(fd);
                size_t o = strlen(out);
                snprintf(out + o, sizeof(out) - o, "%s%s=%s", o ? " " : "", path, hidden ? "hidden" : "shown");
        }
        return probe_report(0, "%s", out);
}

const struct probe_cmd probe_view_cmds[] = {
        { "mounts", "[SKIP...]  mount points and flags (not / and SKIP)", p_mounts },
        { "ns", "NAME:LINK...  each namespace new or the caller's", p_ns },
        { "identity", "  uid/gid map, hostname, NoNewPrivs, Seccomp, capabilities", p_identity },
        { "rlimits", "  soft:hard of core data nproc fsize stack as cpu memlock", p_rlimits },
        { "hidden", "[=]PATH...  each path hidden (unreadable or empty) or shown", p_hidden },
        { NULL },
};
