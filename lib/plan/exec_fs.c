/* exec_fs.c — the host filesystem as the exec module looks at it, memoised
 * for one plan build: the deny-list and the allow-list resolve the same
 * names (the links of /usr/bin, the merged-/usr symlinks) again and again,
 * and one lstat(), readlink() or listing per name is enough.  Nothing
 * outlives the plan build, except listings real root offers to its index
 * (dir_index.c, trusted only in exactly the recorded directory state).
 * Parent side only. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "plan/dir_index.h"
#include "plan/exec_fs.h"
#include "base/util.h"

/* Symlinks followed while resolving one path, as the kernel's limit. */
#define MAX_LINKS 40

struct node {
        char *path;
        uint32_t hash;
        /* lstat() */
        bool looked;
        int err;
        mode_t type;
        /* readlink() */
        bool link_read;
        int link_err;
        char *link;
        /* stat() */
        bool statted;
        int stat_err;
        struct stat *st;
        /* the listing */
        bool listed, from_index;
        int list_err;
        struct exec_fs_ent *ents;
        size_t nents;
        char *names;
        /* statfs(): 1 procfs, -1 not, 0 not asked */
        signed char procfs;
};

struct exec_fs {
        struct node **tab;
        size_t cap, n;
};

int exec_fs_new(struct exec_fs **ret)
{
        struct exec_fs *fs = calloc(1, sizeof(*fs));
        if (!fs)
                return -ENOMEM;
        *ret = fs;
        return 0;
}

void exec_fs_free(struct exec_fs *fs)
{
        if (!fs)
                return;
        for (size_t i = 0; i < fs->cap; i++) {
                struct node *x = fs->tab[i];
                if (!x)
                        continue;
                free(x->path);
                free(x->link);
                free(x->st);
                free(x->ents);
                free(x->names);
                free(x);
        }
        free(fs->tab);
        free(fs);
}

/* ---- the memo ---------------------------------------------------------- */

static uint32_t hash_n(const char *s, size_t n)
{
        uint32_t h = 2166136261u; /* FNV-1a */
        for (size_t i = 0; i < n; i++) {
                h ^= (unsigned char)s[i];
                h *= 16777619u;
        }
        return h;
}

static int grow(struct exec_fs *fs)
{
        size_t nc = fs->cap ? fs->cap * 2 : 512;
        struct node **nt = calloc(nc, sizeof(*nt));
        if (!nt)
                return -ENOMEM;
        for (size_t i = 0; i < fs->cap; i++) {
                struct node *x = fs->tab[i];
                if (!x)
                        continue;
                size_t j = x->hash & (nc - 1);
                while (nt[j])
                        j = (j + 1) & (nc - 1);
                nt[j] = x;
        }
        free(fs->tab);
        fs->tab = nt;
        fs->cap = nc;
        return 0;
}

/* The node of the first `len` bytes of `path`, made when missing. */
static struct node *node_n(struct exec_fs *fs, const char *path, size_t len)
{
        if ((fs->n + 1) * 4 > fs->cap * 3 && grow(fs) < 0)
                return NULL;
        uint32_t h = hash_n(path, len);
        size_t j = h & (fs->cap - 1);
        for (struct node *x; (x = fs->tab[j]); j = (j + 1) & (fs->cap - 1))
                if (x->hash == h && strncmp(x->path, path, len) == 0 && x->path[len] == 0)
                        return x;
        struct node *x = calloc(1, sizeof(*x));
        if (!x || !(x->path = strndup(path, len))) {
                free(x);
                return NULL;
        }
        x->hash = h;
        fs->tab[j] = x;
        fs->n++;
        return x;
}

static struct node *node(struct exec_fs *fs, const char *path) { return node_n(fs, path, strlen(path)); }

static int fingerprint(struct node *x)
{
        struct stat st;
        if (x->statted)
                return x->stat_err;
        if (stat(x->path, &st) < 0) {
                int e = -errno;
                if (e != -ENOMEM) {
                        x->statted = true;
                        x->stat_err = e;
                }
                return e;
        }
        if (!(x->st = malloc(sizeof(st))))
                return -ENOMEM;
        *x->st = st;
        x->statted = true;
        return 0;
}

/* ---- lookups ----------------------------------------------------------- */

int exec_fs_lstat(struct exec_fs *fs, const char *path, mode_t *type)
{
        struct node *x = node(fs, path);
        if (!x)
                return -ENOMEM;
        if (!x->looked) {
                struct stat st;
                if (lstat(path, &st) < 0) {
                        x->err = -errno;
                        if (x->err == -ENOMEM)
                                return -ENOMEM;
                } else {
                        x->err = 0;
                        x->type = st.st_mode & S_IFMT;
                        /* Not a link: stat() would say the same. */
                        if (!S_ISLNK(st.st_mode) && !x->statted && (x->st = malloc(sizeof(st)))) {
                                *x->st = st;
                                x->statted = true;
                                x->stat_err = 0;
                        }
                }
                x->looked = true;
        }
        if (x->err < 0)
                return x->err;
        *type = x->type;
        return 0;
}

int exec_fs_readlink(struct exec_fs *fs, const char *path, char *buf, size_t n)
{
        struct node *x = node(fs, path);
        if (!x)
                return -ENOMEM;
        if (!x->link_read) {
                char tmp[PATH_MAX];
                ssize_t k = readlink(path, tmp, sizeof(tmp));
                if (k < 0) {
                        x->link_err = -errno;
                        if (x->link_err == -ENOMEM)
                                return -ENOMEM;
                } else if ((size_t)k >= sizeof(tmp)) {
                        x->link_err = -ENAMETOOLONG;
                } else {
                        tmp[k] = 0;
                        if (!(x->link = strdup(tmp)))
                                return -ENOMEM;
                        x->link_err = 0;
                        /* What lstat() would say (mounts are crossed alike). */
                        x->looked = true;
                        x->err = 0;
                        x->type = S_IFLNK;
                }
                x->link_read = true;
        }
        if (x->link_err < 0)
                return x->link_err;
        size_t l = strlen(x->link);
        if (l >= n)
                return -ENAMETOOLONG;
        memcpy(buf, x->link, l + 1);
        return 0;
}

int exec_fs_stat(struct exec_fs *fs, const char *path, struct stat *st)
{
        struct node *x = node(fs, path);
        if (!x)
                return -ENOMEM;
        int r = fingerprint(x);
        if (r < 0)
                return r;
        *st = *x->st;
        return 0;
}

/* readdir() of fd (taken) into records of a type byte and a name. */
static int read_dir(int fd, struct dir_listing *ret)
{
        DIR *d = fdopendir(fd);
        if (!d) {
                int e = -errno;
                close(fd);
                return e;
        }
        char *blob = NULL;
        size_t used = 0, cap = 0, n = 0;
        int r = 0;
        for (;;) {
                errno = 0;
                struct dirent *de = readdir(d);
                if (!de) {
                        r = -errno;
                        break;
                }
                if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
                        continue;
                size_t l = strlen(de->d_name) + 1;
                if (used + 1 + l > cap) {
                        size_t nc = cap ? cap * 2 : 16384;
                        while (nc < used + 1 + l)
                                nc *= 2;
                        char *nb = realloc(blob, nc);
                        if (!nb) {
                                r = -ENOMEM;
                                break;
                        }
                        blob = nb;
                        cap = nc;
                }
                blob[used] = (char)de->d_type;
                memcpy(blob + used + 1, de->d_name, l);
                used += 1 + l;
                n++;
        }
        closedir(d);
        if (r < 0) {
                free(blob);
                return r;
        }
        *ret = (struct dir_listing){ .blob = blob, .size = used, .n = n };
        return 0;
}

/* The listing of x: from root's index when it holds this very directory
 * state (dir_index.c), else read here (and offered to the index). */
static int list_dir(struct exec_fs *fs, struct node *x)
{
        (void)fs;
        int fd = open(x->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NONBLOCK);
        if (fd < 0)
                return -errno;
        struct stat st;
        if (fstat(fd, &st) < 0) {
                int e = -errno;
                close(fd);
                return e;
        }
        struct dir_listing l = { 0 };
        int r = dir_index_read(x->path, &st, &l);
        if (r == 0) {
                close(fd);
                x->from_index = true;
        } else if (r == -ENOMEM) {
                close(fd);
                return r;
        } else if ((r = read_dir(fd, &l)) < 0) {
                return r;
        } else {
                dir_index_write(x->path, &st, &l);
        }
        struct exec_fs_ent *ents = malloc((l.n + 1) * sizeof(*ents));
        if (!ents) {
                free(l.blob);
                return -ENOMEM;
        }
        size_t i = 0;
        for (size_t off = 0; off < l.size && i < l.n; i++) {
                ents[i] = (struct exec_fs_ent){ .name = l.blob + off + 1, .type = (unsigned char)l.blob[off] };
                off += 1 + strlen(l.blob + off + 1) + 1;
        }
        x->ents = ents;
        x->names = l.blob;
        x->nents = i;
        return 0;
}

bool exec_fs_from_index(struct exec_fs *fs, const char *dir)
{
        struct node *x = node(fs, dir);
        return x && x->listed && x->from_index;
}

int exec_fs_list(struct exec_fs *fs, const char *dir, const struct exec_fs_ent **ents, size_t *n)
{
        struct node *x = node(fs, dir);
        if (!x)
                return -ENOMEM;
        if (!x->listed) {
                int r = list_dir(fs, x);
                if (r == -ENOMEM)
                        return r;
                x->list_err = r;
                x->listed = true;
        }
        if (x->list_err < 0)
                return x->list_err;
        *ents = x->ents;
        *n = x->nents;
        return 0;
}

int exec_fs_open(struct exec_fs *fs, const char *path, int flags, struct stat *st)
{
        (void)fs;
        int fd = open(path, flags | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        if (st && fstat(fd, st) < 0) {
                int e = -errno;
                close(fd);
                return e;
        }
        return fd;
}

/* ---- realpath ---------------------------------------------------------- */

/* Is the directory of the first `len` bytes of `done` on procfs? */
static int on_procfs(struct exec_fs *fs, const char *done, size_t len)
{
        struct node *x = node_n(fs, len ? done : "/", len ? len : 1);
        if (!x)
                return -ENOMEM;
        if (!x->procfs) {
                struct statfs sf;
                if (statfs(x->path, &sf) < 0)
                        return -errno;
                x->procfs = sf.f_type == PROC_SUPER_MAGIC ? 1 : -1;
        }
        return x->procfs > 0;
}

int exec_fs_realpath(struct exec_fs *fs, const char *path, unsigned flags, char out[PATH_MAX])
{
        char done[PATH_MAX], todo[PATH_MAX], tmp[PATH_MAX], link[PATH_MAX];
        size_t dl = 0; /* done[0..dl): canonical so far; empty is the root */
        int links = 0, r;

        if (path[0] != '/')
                return -EINVAL;
        if (strlen(path) >= sizeof(todo))
                return -ENAMETOOLONG;
        strcpy(todo, path);
        done[0] = 0;
        const char *s = todo;
        for (;;) {
                while (*s == '/')
                        s++;
                if (!*s)
                        break;
                size_t n = strcspn(s, "/");
                const char *rest = s + n;
                if (n == 1 && s[0] == '.') {
                        s = rest;
                        continue;
                }
                if (n == 2 && s[0] == '.' && s[1] == '.') {
                        char *sl = strrchr(done, '/');
                        if (sl) {
                                *sl = 0;
                                dl = (size_t)(sl - done);
                        }
                        s = rest;
                        continue;
                }
                if (dl + 1 + n >= sizeof(done))
                        return -ENAMETOOLONG;
                done[dl] = '/';
                memcpy(done + dl + 1, s, n);
                done[dl + 1 + n] = 0;
                mode_t t;
                if ((r = exec_fs_lstat(fs, done, &t)) < 0)
                        return r;
                if (S_ISLNK(t)) {
                        if (++links > MAX_LINKS)
                                return -ELOOP;
                        if ((flags & EXEC_FS_NO_PROC_LINKS) && (r = on_procfs(fs, done, dl)) != 0)
                                return r < 0 ? r : -ELOOP;
                        if ((r = exec_fs_readlink(fs, done, link, sizeof(link))) < 0)
                                return r;
                        if (!link[0])
                                return -ENOENT; /* as the kernel treats an empty link */
                        int k = snprintf(tmp, sizeof(tmp), "%s%s", link, rest);
                        if (k < 0 || (size_t)k >= sizeof(tmp))
                                return -ENAMETOOLONG;
                        memcpy(todo, tmp, (size_t)k + 1);
                        s = todo;
                        if (link[0] == '/')
                                dl = 0;
                        done[dl] = 0;
                        continue;
                }
                if (*rest && !S_ISDIR(t))
                        return -ENOTDIR;
                dl += 1 + n;
                s = rest;
        }
        if (dl == 0)
                strcpy(out, "/");
        else
                memcpy(out, done, dl + 1);
        return 0;
}
