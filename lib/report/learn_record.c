/* learn_record.c — sbx learn's records (the "sbx-learn" lines of
 * launch/supervisor.c) gathered per host path, address and call, and the
 * learner's life cycle (docs/learn.md).
 *
 * A recorded path is absolute inside the recording view, whose layout is
 * the host's: it is cleaned, taken to the host (realpath; a missing one by
 * its existing parent when it was created, else dropped as a probe) and
 * counted with what it was used for; every symlink on the way is counted
 * too, since the view must show it.  The records come from the program's
 * memory: they are evidence for a profile, and learn_profile.c bounds what
 * any of them can make it allow.  Parent side; looks at the host (lstat,
 * realpath). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/path.h"
#include "base/strbuf.h"
#include "base/util.h"
#include "plan/plan.h"
#include "plan/protect.h"
#include "profile/policy.h"
#include "report/learn.h"

/* ---- small helpers -------------------------------------------------------- */

int learn_strv_add(char ***v, size_t *n, size_t *cap, char *s)
{
        return s ? strv_add(v, n, cap, s) : -ENOMEM;
}

int learn_note(struct sbx_learn *l, const char *fmt, ...)
{
        char *s = NULL;
        va_list ap;
        va_start(ap, fmt);
        int r = vasprintf(&s, fmt, ap);
        va_end(ap);
        if (r < 0) {
                l->err = l->err ? l->err : -ENOMEM;
                return -ENOMEM;
        }
        if (strv_contains(l->notes, s)) {
                free(s);
                return 0;
        }
        r = strv_add(&l->notes, &l->nnotes, &l->notes_cap, s);
        if (r < 0 && !l->err)
                l->err = r;
        return r;
}

static size_t hash_str(const char *s)
{
        size_t h = 1469598103934665603ULL;
        for (; *s; s++)
                h = (h ^ (unsigned char)*s) * 1099511628211ULL;
        return h;
}

static int rehash(struct sbx_learn *l)
{
        size_t cap = l->hash_cap ? l->hash_cap * 2 : 1024;
        size_t *h = calloc(cap, sizeof(*h));
        if (!h)
                return -ENOMEM;
        for (size_t i = 0; i < l->nitems; i++) {
                size_t k = hash_str(l->items[i].path) & (cap - 1);
                while (h[k])
                        k = (k + 1) & (cap - 1);
                h[k] = i + 1;
        }
        free(l->hash);
        l->hash = h;
        l->hash_cap = cap;
        return 0;
}

static struct item *item_get(struct sbx_learn *l, const char *path)
{
        if ((l->nitems + 1) * 2 > l->hash_cap && rehash(l) < 0)
                return NULL;
        size_t k = hash_str(path) & (l->hash_cap - 1);
        while (l->hash[k]) {
                struct item *it = &l->items[l->hash[k] - 1];
                if (strcmp(it->path, path) == 0)
                        return it;
                k = (k + 1) & (l->hash_cap - 1);
        }
        if (l->nitems == l->cap) {
                size_t nc = l->cap ? l->cap * 2 : 256;
                struct item *nv = realloc(l->items, nc * sizeof(*nv));
                if (!nv)
                        return NULL;
                l->items = nv;
                l->cap = nc;
        }
        struct stat st;
        struct item *it = &l->items[l->nitems];
        *it = (struct item){ .path = strdup(path) };
        if (!it->path)
                return NULL;
        it->exists = lstat(path, &st) == 0;
        l->hash[k] = ++l->nitems;
        return it;
}

/* "\xNN" escapes of supervisor.c undone, in place. */
static void unescape(char *s)
{
        char *o = s;
        for (; *s; s++) {
                if (s[0] == '\\' && s[1] == 'x' && s[2] && s[3]) {
                        char hex[3] = { s[2], s[3], 0 };
                        *o++ = (char)strtoul(hex, NULL, 16);
                        s += 3;
                } else {
                        *o++ = *s;
                }
        }
        *o = 0;
}

/* Lexically clean an absolute path: no "//", ".", ".."; false if it is
 * not absolute.  ".." is resolved against the names, which is what the
 * kernel did where no symlink was on the way; realpath() settles the rest. */
static bool clean_path(const char *in, char *out, size_t size)
{
        if (in[0] != '/' || strlen(in) >= size)
                return false;
        size_t n = 0;
        out[n++] = '/';
        for (const char *s = in; *s;) {
                while (*s == '/')
                        s++;
                const char *e = strchrnul(s, '/');
                size_t len = (size_t)(e - s);
                if (len == 0 || (len == 1 && s[0] == '.')) {
                } else if (len == 2 && s[0] == '.' && s[1] == '.') {
                        while (n > 1 && out[n - 1] != '/')
                                n--;
                        if (n > 1)
                                n--;
                } else {
                        if (n > 1)
                                out[n++] = '/';
                        memcpy(out + n, s, len);
                        n += len;
                }
                s = e;
        }
        out[n] = 0;
        return true;
}

static bool virtual_path(const char *p)
{
        return path_under(p, "/proc") || path_under(p, "/dev") || path_under(p, "/sys");
}

/* ---- records ------------------------------------------------------------- */

/* Every symlink on the way to `clean` needs its directory shown. */
static int note_links(struct sbx_learn *l, const char *clean)
{
        char buf[PATH_MAX];
        snprintf(buf, sizeof(buf), "%s", clean);
        for (char *s = buf + 1;; s++) {
                if (*s != '/' && *s)
                        continue;
                char c = *s;
                *s = 0;
                struct stat st;
                if (lstat(buf, &st) == 0 && S_ISLNK(st.st_mode)) {
                        /* The link where the host has it: its directory
                         * canonical, its own name kept. */
                        char *slash = strrchr(buf, '/'), dir[PATH_MAX], canon[PATH_MAX + NAME_MAX + 2];
                        *slash = 0;
                        bool ok = realpath(buf[0] ? buf : "/", dir) != NULL;
                        *slash = '/';
                        if (!ok) {
                                *s = c;
                                break;
                        }
                        snprintf(canon, sizeof(canon), "%s%s", strcmp(dir, "/") == 0 ? "" : dir, slash);
                        struct item *it = item_get(l, canon);
                        if (!it)
                                return -ENOMEM;
                        it->need |= N_LINK;
                        it->count++;
                }
                *s = c;
                if (!c)
                        break;
        }
        return 0;
}

/* The host path a recorded path names: realpath when it exists, else its
 * existing parent's realpath and the last name (NULL: neither exists). */
static char *host_of(const char *clean, bool *exists)
{
        char real[PATH_MAX];
        *exists = false;
        if (realpath(clean, real)) {
                *exists = true;
                return strdup(real);
        }
        const char *slash = strrchr(clean, '/');
        char parent[PATH_MAX];
        size_t n = (size_t)(slash - clean);
        if (n == 0)
                return NULL;
        memcpy(parent, clean, n);
        parent[n] = 0;
        if (!realpath(parent, real))
                return NULL;
        char *out = NULL;
        if (asprintf(&out, "%s/%s", strcmp(real, "/") == 0 ? "" : real, slash + 1) < 0)
                return NULL;
        return out;
}

static int written_add(struct sbx_learn *l, const char *path)
{
        for (size_t i = 0; i < l->nwritten; i++)
                if (strcmp(l->written[i], path) == 0)
                        return 0;
        return learn_strv_add(&l->written, &l->nwritten, &l->written_cap, strdup(path));
}

void learn_written_drop(struct sbx_learn *l, const char *path)
{
        for (size_t i = 0; i < l->nwritten; i++)
                if (strcmp(l->written[i], path) == 0) {
                        free(l->written[i]);
                        l->written[i] = l->written[--l->nwritten];
                        l->written[l->nwritten] = NULL;
                        return;
                }
}

/* One path use. */
int learn_use_path(struct sbx_learn *l, const char *raw, unsigned need, bool removes)
{
        char clean[PATH_MAX];
        if (!clean_path(raw, clean, sizeof(clean)))
                return 0;
        if (virtual_path(clean)) {
                /* wx = yes makes /proc read-only: a learned wx = yes must
                 * not take away what the run wrote there (uid_map of a
                 * nested user namespace, /proc/self/mem). */
                if (path_under(clean, "/proc") && (need & (N_WRITE | N_CREATE)))
                        l->proc_writes++;
                return 0;
        }
        bool exists;
        _cleanup_free_ char *host = host_of(clean, &exists);
        if (!host)
                return 0; /* a probe of something that is not there */
        /* A program the run built and then ran is not on the host yet. */
        bool built = !exists && (need & N_EXEC) && strv_contains(l->written, host);
        if (virtual_path(host) || (!exists && !(need & N_CREATE) && !built))
                return 0;
        int r = note_links(l, clean);
        if (r < 0)
                return r;
        if (need & N_CREATE) {
                /* The entry changes its directory; the entry itself is
                 * what the run wrote. */
                char *slash = strrchr(host, '/');
                _cleanup_free_ char *dir = strndup(host, slash == host ? 1 : (size_t)(slash - host));
                if (!dir)
                        return -ENOMEM;
                struct item *it = item_get(l, dir);
                if (!it)
                        return -ENOMEM;
                it->need |= N_CREATE;
                it->count++;
                if (!it->example && !(it->example = strdup(slash + 1)))
                        return -ENOMEM;
                /* Directories, links and nodes are not "files written": a
                 * rerun finds them made already, or under another name. */
                if (removes)
                        learn_written_drop(l, host);
                else if (!(need & N_NOFILE) && (r = written_add(l, host)) < 0)
                        return r;
                need &= ~(unsigned)N_NOFILE;
                need &= ~(unsigned)N_CREATE;
                if (!need)
                        return 0;
        }
        if (!exists && !built)
                return 0;
        struct item *it = item_get(l, host);
        if (!it)
                return -ENOMEM;
        it->need |= need;
        it->count++;
        if (need & N_EXEC)
                it->execs++;
        if (need & N_WRITE)
                r = written_add(l, host);
        return r;
}

static unsigned open_need(unsigned flags, const char *raw, bool *create)
{
        *create = false;
        unsigned acc = flags & O_ACCMODE;
        if (flags & O_CREAT) {
                struct stat st;
                char clean[PATH_MAX];
                /* O_CREAT of a file that exists on the host: a write to it. */
                if (clean_path(raw, clean, sizeof(clean)) && stat(clean, &st) < 0)
                        *create = true;
        }
        if (acc == O_WRONLY || acc == O_RDWR || (flags & O_TRUNC))
                return N_WRITE | (*create ? N_CREATE : 0);
        return N_READ | (*create ? N_CREATE : 0);
}

static int add_port(struct port **v, size_t *n, unsigned port, bool loopback)
{
        for (size_t i = 0; i < *n; i++)
                if ((*v)[i].port == port) {
                        (*v)[i].count++;
                        (*v)[i].loopback_only &= loopback;
                        return 0;
                }
        struct port *nv = realloc(*v, (*n + 1) * sizeof(**v));
        if (!nv)
                return -ENOMEM;
        *v = nv;
        nv[(*n)++] = (struct port){ port, 1, loopback };
        return 0;
}

static bool loopback_hex(unsigned family, const char *hex)
{
        if (family == 2)
                return strncmp(hex, "7f", 2) == 0;
        return strcmp(hex, "00000000000000000000000000000001") == 0 ||
               (strncmp(hex, "00000000000000000000ffff7f", 26) == 0);
}

static int net_record(struct sbx_learn *l, const char *call, char **f, size_t nf)
{
        /* family [port addrhex | 0 path] */
        if (nf < 1)
                return 0;
        unsigned family = (unsigned)strtoul(f[0], NULL, 10);
        if (family == 1 && nf >= 3 && f[2][0] == '/')
                return learn_use_path(l, f[2], N_READ, false);
        /* An abstract socket is reached through the network namespace. */
        if (family == 1 && nf >= 3 && f[2][0] == '@')
                l->abstract++;
        if ((family != 2 && family != 10) || nf < 3)
                return 0;
        unsigned long port = strtoul(f[1], NULL, 10);
        if (port > 65535)
                return 0; /* not from a sockaddr */
        bool lo = loopback_hex(family, f[2]);
        /* Landlock's port rules are TCP's: a datagram socket's ports
         * (a resolver's random source ports) are not learned. */
        bool stream = nf < 4 || strtoul(f[3], NULL, 10) == 1 /* SOCK_STREAM */ || strcmp(f[3], "0") == 0;
        if (!stream) {
                if (strcmp(call, "bind") == 0 || lo || l->net_outside)
                        return 0;
                l->net_outside = true;
                free(l->net_example);
                if (asprintf(&l->net_example, "%s to port %lu of a non-loopback address (datagram)", call, port) < 0)
                        return -ENOMEM;
                return 0;
        }
        if (strcmp(call, "bind") == 0)
                return port ? add_port(&l->binds, &l->nbinds, (unsigned)port, lo) : 0;
        if (!lo && !l->net_outside) {
                l->net_outside = true;
                free(l->net_example);
                if (asprintf(&l->net_example, "%s to port %lu of a non-loopback address", call, port) < 0)
                        return -ENOMEM;
        }
        return port ? add_port(&l->connects, &l->nconnects, (unsigned)port, lo) : 0;
}

static int name_count(char **v, unsigned *count, size_t *n, size_t max, const char *name)
{
        for (size_t i = 0; i < *n; i++)
                if (strcmp(v[i], name) == 0) {
                        if (count)
                                count[i]++;
                        return 0;
                }
        if (*n >= max)
                return 0;
        if (!(v[*n] = strdup(name)))
                return -ENOMEM;
        if (count)
                count[*n] = 1;
        (*n)++;
        return 0;
}

SBX_EXPORT int sbx_learn_record(struct sbx_learn *l, const char *line)
{
        if (!l || !line || strncmp(line, "sbx-learn ", 10) != 0)
                return 0;
        _cleanup_free_ char *buf = strdup(line + 10);
        if (!buf)
                return -ENOMEM;
        buf[strcspn(buf, "\n")] = 0;
        char *f[8];
        size_t nf = 0;
        for (char *s = strtok(buf, " "); s && nf < 8; s = strtok(NULL, " "))
                f[nf++] = s;
        l->records++;
        if (nf < 2) {
                l->bad++;
                return 1;
        }
        for (size_t i = 2; i < nf; i++)
                unescape(f[i]);
        const char *call = f[0];
        char **a = f + 2; /* after the pid */
        size_t na = nf - 2;
        int r = 0;

        if (strcmp(call, "syscall") == 0 && na == 0)
                return r; /* not reached: "syscall NAME PID" */
        if (strcmp(f[0], "syscall") == 0 || strcmp(f[0], "family") == 0 || strcmp(f[0], "wx") == 0 ||
            strcmp(f[0], "refused") == 0) {
                /* KIND NAME PID [family] */
                if (nf < 3) {
                        l->bad++;
                        return 1;
                }
                const char *name = f[1];
                if (strcmp(f[0], "syscall") == 0)
                        r = name_count(l->sys, l->sys_count, &l->nsys, ARRAY_SIZE(l->sys), name);
                else if (strcmp(f[0], "refused") == 0)
                        r = name_count(l->refused, NULL, &l->nrefused, ARRAY_SIZE(l->refused), name);
                else if (strcmp(f[0], "wx") == 0) {
                        l->wx++;
                        if (!l->wx_call && !(l->wx_call = strdup(name)))
                                r = -ENOMEM;
                } else if (nf >= 4) {
                        unsigned fam = (unsigned)strtoul(f[3], NULL, 10);
                        if (fam < 64)
                                l->families |= 1ULL << fam;
                }
                return r < 0 ? r : 1;
        }

        if (strcmp(call, "open") == 0 || strcmp(call, "openat") == 0 || strcmp(call, "openat2") == 0 ||
            strcmp(call, "creat") == 0) {
                if (na < 2) {
                        l->bad++;
                        return 1;
                }
                bool create;
                unsigned flags = (unsigned)strtoul(a[0], NULL, 16);
                unsigned need = open_need(flags, a[1], &create);
                r = learn_use_path(l, a[1], need, false);
        } else if (strcmp(call, "execve") == 0 || strcmp(call, "execveat") == 0) {
                if (na >= 1)
                        r = learn_use_path(l, a[0], N_READ | N_EXEC, false);
        } else if (strcmp(call, "mkdir") == 0 || strcmp(call, "mkdirat") == 0 || strcmp(call, "mknod") == 0 ||
                   strcmp(call, "mknodat") == 0 || strcmp(call, "symlink") == 0 ||
                   strcmp(call, "symlinkat") == 0) {
                if (na >= 1)
                        r = learn_use_path(l, a[0], N_CREATE | N_NOFILE, false);
        } else if (strcmp(call, "unlink") == 0 || strcmp(call, "unlinkat") == 0 || strcmp(call, "rmdir") == 0) {
                if (na >= 1)
                        r = learn_use_path(l, a[0], N_CREATE, true);
        } else if (strcmp(call, "rename") == 0 || strcmp(call, "renameat") == 0 ||
                   strcmp(call, "renameat2") == 0 || strcmp(call, "link") == 0 || strcmp(call, "linkat") == 0) {
                bool is_rename = call[0] == 'r';
                if (na >= 2 && (r = learn_use_path(l, a[0], is_rename ? N_CREATE : N_READ, is_rename)) >= 0)
                        r = learn_use_path(l, a[1], N_CREATE, false);
        } else if (strcmp(call, "truncate") == 0 || strcmp(call, "chmod") == 0 || strcmp(call, "fchmodat") == 0 ||
                   strcmp(call, "chown") == 0 || strcmp(call, "lchown") == 0 || strcmp(call, "fchownat") == 0 ||
                   strcmp(call, "utimes") == 0 || strcmp(call, "utime") == 0 || strcmp(call, "utimensat") == 0 ||
                   strcmp(call, "futimesat") == 0 || strcmp(call, "setxattr") == 0 ||
                   strcmp(call, "lsetxattr") == 0) {
                if (na >= 1)
                        r = learn_use_path(l, a[0], N_WRITE, false);
        } else if (strcmp(call, "connect") == 0 || strcmp(call, "bind") == 0 || strcmp(call, "sendto") == 0) {
                r = net_record(l, call, a, na);
        } else if (na >= 1 && a[na - 1][0] == '/') {
                /* stat, access, readlink, chdir, statfs, getxattr,
                 * inotify_add_watch: the path is looked at. */
                r = learn_use_path(l, a[na - 1], N_LOOK, false);
        } else {
                l->bad++;
        }
        return r < 0 ? r : 1;
}


SBX_EXPORT int sbx_learn_new(const struct sbx_policy *base, const char *base_name,
                             const struct sbx_spawn_options *o, struct sbx_learn **ret, struct sbx_error **err)
{
        if (!base || !base_name || !o || !o->file || !ret)
                return -EINVAL;
        struct sbx_learn *l = calloc(1, sizeof(*l));
        if (!l)
                return -ENOMEM;
        l->base = base;
        int r = -ENOMEM;
        /* A base named by path is included by its absolute path: the
         * learned profile is read from wherever it is put. */
        char real[PATH_MAX];
        if (!(l->base_name = strdup(strchr(base_name, '/') && realpath(base_name, real) ? real : base_name)))
                goto fail;
        struct sbx_spawn_options v = *o;
        v.flags &= ~(unsigned)SBX_SPAWN_LEARN;
        if ((r = plan_build_view(base, &v, &l->view, err)) < 0)
                goto fail;
        l->have_view = true;
        if ((r = protect_paths(base, &l->protect)) < 0)
                goto fail;
        const char *home = getenv("HOME");
        if (home && home[0] == '/' && (l->home = strdup(realpath(home, real) ? real : home)) == NULL) {
                r = -ENOMEM;
                goto fail;
        }
        size_t argc = 0;
        while (o->argv && o->argv[argc])
                argc++;
        l->argv = calloc(argc + 1, sizeof(char *));
        if (!l->argv)
                goto fail;
        for (size_t i = 0; i < argc; i++)
                if (!(l->argv[i] = strdup(o->argv[i])))
                        goto fail;
        if (l->view.host_exec_path && !(l->program = strdup(l->view.host_exec_path)))
                goto fail;
        *ret = l;
        return 0;
fail:
        sbx_learn_free(l);
        return r;
}

SBX_EXPORT int sbx_learn_check_output(const struct sbx_learn *l, const char *path)
{
        char real[PATH_MAX];
        _cleanup_free_ char *host = NULL;
        bool exists;
        if (!l || !path)
                return -EINVAL;
        if (path[0] != '/') {
                if (!getcwd(real, sizeof(real)))
                        return -errno;
                if (asprintf(&host, "%s/%s", real, path) < 0)
                        return -ENOMEM;
                path = host;
        }
        char clean[PATH_MAX];
        if (!clean_path(path, clean, sizeof(clean)))
                return -EINVAL;
        _cleanup_free_ char *h = host_of(clean, &exists);
        if (!h)
                return -ENOENT;
        for (size_t i = 0; i < l->nrw; i++)
                if (path_under(h, l->rw[i]))
                        return -EPERM;
        const struct plan_mount *m = plan_mount_covering(&l->view, h);
        if (m && m->kind == PM_BIND && !m->readonly && m->src)
                return -EPERM;
        return 0;
}

SBX_EXPORT const char *const *sbx_learn_written(const struct sbx_learn *l)
{
        static const char *const none[] = { NULL };
        return l && l->written ? (const char *const *)l->written : none;
}

SBX_EXPORT const char *const *sbx_learn_notes(const struct sbx_learn *l)
{
        static const char *const none[] = { NULL };
        return l && l->notes ? (const char *const *)l->notes : none;
}

SBX_EXPORT void sbx_learn_free(struct sbx_learn *l)
{
        if (!l)
                return;
        for (size_t i = 0; i < l->nitems; i++) {
                free(l->items[i].path);
                free(l->items[i].example);
        }
        free(l->items);
        free(l->hash);
        free(l->binds);
        free(l->connects);
        free(l->net_example);
        for (size_t i = 0; i < l->nsys; i++)
                free(l->sys[i]);
        for (size_t i = 0; i < l->nrefused; i++)
                free(l->refused[i]);
        free(l->wx_call);
        sbx_strv_free(l->written);
        sbx_strv_free(l->notes);
        sbx_strv_free(l->rw);
        sbx_strv_free(l->protect);
        sbx_strv_free(l->argv);
        if (l->have_view)
                plan_done(&l->view);
        free(l->program);
        free(l->home);
        free(l->base_name);
        free(l);
}

