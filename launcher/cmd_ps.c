/* cmd_ps.c — `sbx ps`: the caller's running sandboxes, from the registry,
 * each entry checked against the live processes first (registry.c); stale
 * or forged entries are not shown.  Memory and process counts come from
 * the sandbox's cgroup when it has one of its own, else from /proc (the
 * processes below its init). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "commands.h"
#include "registry.h"

const char cmd_ps_usage[] =
        "Usage: sbx ps [--names]\n"
        "\n"
        "List your running sandboxes: NAME (sbx run --name), PID of its sbx\n"
        "process, INIT (the sandbox's pid 1, as seen from here), PROFILE, PROGRAM,\n"
        "UPTIME, MEM (resident memory of all its processes) and PROCS (how many).\n"
        "Entries whose sandbox has ended are not shown.\n"
        "\n"
        "  --names   only the names, one per line (shell completion)\n";

static int read_small(const char *path, char *buf, size_t n)
{
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        ssize_t k = read(fd, buf, n - 1);
        close(fd);
        if (k < 0)
                return -errno;
        buf[k] = 0;
        return (int)k;
}

/* The cgroup path of pid for a v1 controller ("N:memory:/path"), or for
 * v2 with controller "" ("0::/path"); "" when none. */
static void cgroup_of(pid_t pid, const char *controller, char *out, size_t n)
{
        char path[64], buf[4096], *save = NULL;
        out[0] = 0;
        snprintf(path, sizeof(path), "/proc/%d/cgroup", (int)pid);
        if (read_small(path, buf, sizeof(buf)) <= 0)
                return;
        for (char *l = strtok_r(buf, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
                char *c = strchr(l, ':'), *p = c ? strchr(c + 1, ':') : NULL;
                if (!p)
                        continue;
                *p = 0;
                /* v1 lines list controllers separated by commas */
                bool match = !*controller ? strcmp(l, "0") == 0 && c[1] == 0 : false;
                for (char *w = c + 1; *controller && w && *w; w = strchr(w, ',') ? strchr(w, ',') + 1 : NULL)
                        if (strncmp(w, controller, strlen(controller)) == 0 &&
                            (w[strlen(controller)] == ',' || w[strlen(controller)] == 0))
                                match = true;
                if (match)
                        snprintf(out, n, "%s", p + 1);
        }
}

/* One number from the sandbox's own cgroup (not sbx's): v2, else the v1
 * hierarchy of that controller. */
static bool cgroup_value(pid_t init, const char *controller, const char *v2_file, const char *v1_file,
                         unsigned long long *ret)
{
        char mine[1024], theirs[1024], path[2200], buf[64];
        const char *ctl[2] = { "", controller };
        for (int i = 0; i < 2; i++) {
                cgroup_of(getpid(), ctl[i], mine, sizeof(mine));
                cgroup_of(init, ctl[i], theirs, sizeof(theirs));
                if (!theirs[0] || strcmp(mine, theirs) == 0)
                        continue;
                if (i == 0)
                        snprintf(path, sizeof(path), "/sys/fs/cgroup%s/%s", theirs, v2_file);
                else
                        snprintf(path, sizeof(path), "/sys/fs/cgroup/%s%s/%s", controller, theirs, v1_file);
                if (read_small(path, buf, sizeof(buf)) > 0) {
                        *ret = strtoull(buf, NULL, 10);
                        return true;
                }
        }
        return false;
}

static bool cgroup_usage(pid_t init, unsigned long long *mem, unsigned long long *procs)
{
        return cgroup_value(init, "memory", "memory.current", "memory.usage_in_bytes", mem) &&
               cgroup_value(init, "pids", "pids.current", "pids.current", procs);
}

/* Every process below init, from /proc: how many and their resident set. */
static void proc_usage(pid_t init, unsigned long long *mem, unsigned long long *procs)
{
        struct node {
                pid_t pid, ppid;
        } *v = NULL;
        size_t n = 0, cap = 0;
        *mem = *procs = 0;
        DIR *d = opendir("/proc");
        if (!d)
                return;
        struct dirent *de;
        while ((de = readdir(d))) {
                char *end;
                long pid = strtol(de->d_name, &end, 10);
                pid_t ppid;
                if (*end || pid <= 0 || proc_start_time((pid_t)pid, NULL, &ppid) < 0)
                        continue;
                if (n == cap) {
                        cap = cap ? cap * 2 : 256;
                        struct node *nv = realloc(v, cap * sizeof(*nv));
                        if (!nv)
                                break;
                        v = nv;
                }
                v[n++] = (struct node){ (pid_t)pid, ppid };
        }
        closedir(d);
        /* Mark the tree below init: repeat until nothing changes (a parent
         * may be listed after its child). */
        bool *in = calloc(n ? n : 1, sizeof(bool));
        if (!in) {
                free(v);
                return;
        }
        for (bool changed = true; changed;) {
                changed = false;
                for (size_t i = 0; i < n; i++) {
                        if (in[i])
                                continue;
                        bool below = v[i].pid == init;
                        for (size_t j = 0; j < n && !below; j++)
                                below = in[j] && v[j].pid == v[i].ppid;
                        if (below)
                                in[i] = changed = true;
                }
        }
        long page = sysconf(_SC_PAGESIZE);
        for (size_t i = 0; i < n; i++) {
                if (!in[i])
                        continue;
                (*procs)++;
                char path[64], buf[256];
                unsigned long long size, rss;
                snprintf(path, sizeof(path), "/proc/%d/statm", (int)v[i].pid);
                if (read_small(path, buf, sizeof(buf)) > 0 && sscanf(buf, "%llu %llu", &size, &rss) == 2)
                        *mem += rss * (unsigned long long)page;
        }
        free(in);
        free(v);
}

static void human_time(long long s, char *out, size_t n)
{
        if (s < 60)
                snprintf(out, n, "%llds", s);
        else if (s < 3600)
                snprintf(out, n, "%lldm%02llds", s / 60, s % 60);
        else if (s < 86400)
                snprintf(out, n, "%lldh%02lldm", s / 3600, s / 60 % 60);
        else
                snprintf(out, n, "%lldd%02lldh", s / 86400, s / 3600 % 24);
}

/* A profile or program as one cell: control characters (a newline in a
 * path) shown as '?', so that each sandbox stays one line. */
static void printable(const char *s, char *out, size_t n)
{
        size_t k = 0;
        for (; *s && k + 1 < n; s++)
                out[k++] = (unsigned char)*s < 0x20 || *s == 0x7f ? '?' : *s;
        out[k] = 0;
}

static int by_name(const void *a, const void *b)
{
        return strcmp(((const struct reg_entry *)a)->name, ((const struct reg_entry *)b)->name);
}

int cmd_ps(int argc, char **argv)
{
        static const struct option opts[] = {
                { "help", no_argument, NULL, 'h' },
                { "names", no_argument, NULL, 'n' },
                {},
        };
        int c;
        bool names = false;
        optind = 1;
        while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
                if (c == 'h') {
                        fputs(cmd_ps_usage, stdout);
                        return 0;
                }
                if (c == 'n') {
                        names = true;
                        continue;
                }
                return usage_error("ps", "bad option");
        }
        if (optind < argc)
                return usage_error("ps", "no arguments expected");
        int dirfd;
        const char *why = NULL;
        int r = registry_open(&dirfd, NULL, 0, &why);
        if (r < 0) {
                fprintf(stderr, "sbx ps: %s: %s\n", why, strerror(-r));
                return SBX_EXIT_SETUP;
        }
        int dfd = dup(dirfd);
        DIR *d = dfd >= 0 ? fdopendir(dfd) : NULL;
        if (!d) {
                fprintf(stderr, "sbx ps: reading the registry: %s\n", strerror(errno));
                close(dirfd);
                return SBX_EXIT_SETUP;
        }
        struct reg_entry *v = NULL;
        size_t n = 0;
        struct dirent *de;
        while ((de = readdir(d))) {
                struct reg_entry e;
                struct reg_live live;
                if (!registry_name_valid(de->d_name) || registry_read(dirfd, de->d_name, &e) < 0 ||
                    registry_verify(&e, false, &live, &why) < 0)
                        continue;
                registry_live_close(&live);
                struct reg_entry *nv = realloc(v, (n + 1) * sizeof(*nv));
                if (!nv)
                        break;
                v = nv;
                v[n++] = e;
        }
        closedir(d);
        close(dirfd);
        qsort(v, n, sizeof(*v), by_name);
        if (names) {
                for (size_t i = 0; i < n; i++)
                        puts(v[i].name);
                free(v);
                return fflush(stdout) == 0 ? 0 : SBX_EXIT_SETUP;
        }
        int wn = 4, wp = 7, wg = 7;
        for (size_t i = 0; i < n; i++) {
                int a = (int)strlen(v[i].name), b = (int)strlen(v[i].profile), g = (int)strlen(v[i].program);
                wn = a > wn ? a : wn;
                wp = b > wp ? b : wp;
                wg = g > wg ? g : wg;
        }
        wg = wg > 40 ? 40 : wg;
        printf("%-*s  %7s  %7s  %-*s  %-*s  %7s  %9s  %5s\n", wn, "NAME", "PID", "INIT", wp, "PROFILE", wg,
               "PROGRAM", "UPTIME", "MEM", "PROCS");
        time_t now = time(NULL);
        for (size_t i = 0; i < n; i++) {
                unsigned long long mem = 0, procs = 0;
                if (!cgroup_usage(v[i].init, &mem, &procs))
                        proc_usage(v[i].init, &mem, &procs);
                char up[32], m[32];
                human_time(now - v[i].started, up, sizeof(up));
                snprintf(m, sizeof(m), "%lluK", mem >> 10);
                /* A program path longer than the column keeps its end. */
                const char *prog = v[i].program;
                size_t pl = strlen(prog);
                char pbuf[64];
                if ((int)pl > wg) {
                        snprintf(pbuf, sizeof(pbuf), "...%s", prog + pl - (size_t)(wg - 3));
                        prog = pbuf;
                }
                char pclean[64], fclean[256];
                printable(prog, pclean, sizeof(pclean));
                printable(v[i].profile, fclean, sizeof(fclean));
                printf("%-*s  %7d  %7d  %-*s  %-*s  %7s  %9s  %5llu\n", wn, v[i].name, (int)v[i].pid,
                       (int)v[i].init, wp, fclean, wg, pclean, up, m, procs);
        }
        free(v);
        return fflush(stdout) == 0 ? 0 : SBX_EXIT_SETUP;
}
