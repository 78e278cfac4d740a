/* dir_index.c — listings of system directories kept by root for later
 * launches.
 *
 * A profile's [exec] deny globs (/usr/bin/python*, …) are matched against
 * a listing of the directory on every launch; on ext4 that listing costs
 * about a millisecond for /usr/bin's 1500 entries, more than anything else
 * the plan does, and it grows with /usr.  A listing is only a function of
 * the directory's state, so real root keeps one per directory here, and
 * every later launch (any user) that finds the directory in exactly the
 * recorded state uses it instead of reading the directory.
 *
 * Why it can be trusted (nothing a sandbox could have written decides what
 * a later sandbox masks):
 *   - only directories only root may change (root's, writable by nobody
 *     else: the system's) are indexed;
 *   - only real root outside any user namespace writes it, and only for a
 *     directory unchanged for DIR_INDEX_SETTLE_S seconds;
 *   - a reader accepts an entry only if the file and every directory from
 *     / down to it are owned by root and writable by nobody else, the file
 *     is a regular file with one link, and it names the same path;
 *   - the entry is used only if the directory's device, inode, mtime and
 *     ctime are exactly those recorded.  Adding, removing or renaming an
 *     entry changes mtime and ctime; ctime cannot be set from user space,
 *     and the settle time keeps a change in the same clock tick as the
 *     listing from looking unchanged;
 *   - SBX_INDEX_DIR is sbx's state: protect.c keeps it out of every
 *     sandbox's reach (read-only, or hidden), whatever a profile binds.
 * Anything else (absent, stale, foreign owner, malformed) is a miss and
 * the directory is listed as before; the index can only save time. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "plan/dir_index.h"
#include "base/sha256.h"
#include "base/util.h"

#define MAGIC "sbx-dir-index 1\n"
#define MAX_FILE (4u << 20)

void dir_index_file(const char *path, char *out, size_t size)
{
        uint8_t d[32];
        char hex[65];
        sha256(path, strlen(path), d);
        sha256_hex(d, hex);
        snprintf(out, size, "%s/dir-%s", SBX_INDEX_DIR, hex);
}

static bool trusted(const struct stat *st)
{
        return st->st_uid == 0 && !(st->st_mode & (S_IWGRP | S_IWOTH));
}

/* An O_PATH fd of SBX_INDEX_DIR, reached without following a symlink and
 * through root-owned directories nobody else may write; -ENOENT otherwise. */
static int open_index_dir(void)
{
        const char *p = SBX_INDEX_DIR;
        if (p[0] != '/' || strlen(p) >= PATH_MAX)
                return -ENOENT;
        int fd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        char comp[NAME_MAX + 1];
        for (;;) {
                struct stat st;
                if (fstat(fd, &st) < 0 || !S_ISDIR(st.st_mode) || !trusted(&st)) {
                        close(fd);
                        return -ENOENT;
                }
                while (*p == '/')
                        p++;
                if (!*p)
                        return fd;
                size_t n = strcspn(p, "/");
                if (n > NAME_MAX || (n == 2 && p[0] == '.' && p[1] == '.')) {
                        close(fd);
                        return -ENOENT;
                }
                memcpy(comp, p, n);
                comp[n] = 0;
                p += n;
                int next = openat(fd, comp, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                int e = errno;
                close(fd);
                if (next < 0)
                        return e == ENOMEM ? -ENOMEM : -ENOENT;
                fd = next;
        }
}

static void state_line(const char *path, const struct stat *st, size_t n, size_t size, char *out,
                       size_t outsize)
{
        snprintf(out, outsize, MAGIC "%s\n%" PRIu64 " %" PRIu64 " %" PRId64 " %ld %" PRId64 " %ld %zu %zu\n", path,
                 (uint64_t)st->st_dev, (uint64_t)st->st_ino, (int64_t)st->st_mtim.tv_sec, st->st_mtim.tv_nsec,
                 (int64_t)st->st_ctim.tv_sec, st->st_ctim.tv_nsec, n, size);
}

/* Every record: a type byte, then a non-empty name without '/' that is not
 * "." or "..", NUL-terminated; exactly n of them filling size bytes. */
static bool valid_blob(const char *b, size_t size, size_t n)
{
        size_t off = 0, k = 0;
        while (off < size) {
                if (size - off < 3)
                        return false;
                const char *name = b + off + 1;
                const char *end = memchr(name, 0, size - off - 1);
                if (!end || end == name || memchr(name, '/', (size_t)(end - name)) || strcmp(name, ".") == 0 ||
                    strcmp(name, "..") == 0)
                        return false;
                off = (size_t)(end - b) + 1;
                k++;
        }
        return k == n;
}

int dir_index_read(const char *path, const struct stat *st, struct dir_listing *ret)
{
        char file[PATH_MAX];
        if (!trusted(st))
                return -ENOENT;
        dir_index_file(path, file, sizeof(file));
        _cleanup_close_ int dfd = open_index_dir();
        if (dfd < 0)
                return dfd == -ENOMEM ? -ENOMEM : -ENOENT;
        _cleanup_close_ int fd = openat(dfd, strrchr(file, '/') + 1, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
        struct stat fst;
        if (fd < 0 || fstat(fd, &fst) < 0 || !S_ISREG(fst.st_mode) || !trusted(&fst) || fst.st_nlink != 1 ||
            fst.st_size <= 0 || (uint64_t)fst.st_size > MAX_FILE)
                return -ENOENT;
        size_t len = (size_t)fst.st_size;
        char *buf = malloc(len + 1);
        if (!buf)
                return -ENOMEM;
        size_t got = 0;
        while (got < len) {
                ssize_t k = pread(fd, buf + got, len - got, (off_t)got);
                if (k < 0 && errno == EINTR)
                        continue;
                if (k <= 0)
                        break;
                got += (size_t)k;
        }
        buf[got] = 0;
        /* The header must be exactly what this directory's state gives;
         * the sizes are read back from it. */
        const char *nl = got == len ? strchr(buf, '\n') : NULL;
        nl = nl ? strchr(nl + 1, '\n') : NULL;
        nl = nl ? strchr(nl + 1, '\n') : NULL;
        size_t n = 0, size = 0;
        if (nl) {
                const char *sizes = nl;
                while (sizes > buf && sizes[-1] != ' ')
                        sizes--;
                while (sizes > buf && sizes[-1] == ' ')
                        sizes--;
                while (sizes > buf && sizes[-1] != ' ')
                        sizes--;
                if (sscanf(sizes, "%zu %zu", &n, &size) != 2)
                        nl = NULL;
        }
        char want[PATH_MAX + 256];
        size_t hlen = nl ? (size_t)(nl - buf) + 1 : 0;
        if (nl)
                state_line(path, st, n, size, want, sizeof(want));
        if (!nl || strlen(want) != hlen || memcmp(want, buf, hlen) != 0 || len - hlen != size ||
            !valid_blob(buf + hlen, size, n)) {
                free(buf);
                return -ENOENT;
        }
        memmove(buf, buf + hlen, size);
        ret->blob = buf;
        ret->size = size;
        ret->n = n;
        return 0;
}

static bool initial_user_namespace(void)
{
        char buf[128];
        _cleanup_close_ int fd = open("/proc/self/uid_map", O_RDONLY | O_CLOEXEC);
        ssize_t k = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);
        if (k <= 0)
                return false;
        buf[k] = 0;
        unsigned long a, b, c;
        return sscanf(buf, "%lu %lu %lu", &a, &b, &c) == 3 && a == 0 && b == 0 && c == 4294967295UL &&
               !strchr(strchr(buf, '\n') ? strchr(buf, '\n') + 1 : "", ' ');
}

void dir_index_write(const char *path, const struct stat *st, const struct dir_listing *l)
{
        if (geteuid() != 0 || getuid() != 0 || !trusted(st) || strlen(path) >= PATH_MAX || strchr(path, '\n'))
                return;
        struct timespec now;
        if (clock_gettime(CLOCK_REALTIME, &now) < 0 || now.tv_sec - st->st_mtim.tv_sec < DIR_INDEX_SETTLE_S ||
            now.tv_sec - st->st_ctim.tv_sec < DIR_INDEX_SETTLE_S || !initial_user_namespace())
                return;
        if (mkdir(SBX_INDEX_DIR, 0755) < 0 && errno != EEXIST)
                return;
        _cleanup_close_ int dfd = open_index_dir();
        if (dfd < 0)
                return;
        /* O_PATH cannot create: the directory itself, checked again. */
        _cleanup_close_ int wd = openat(dfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        struct stat dst;
        if (wd < 0 || fstat(wd, &dst) < 0 || !trusted(&dst))
                return;
        char file[PATH_MAX], tmp[64], head[PATH_MAX + 256];
        dir_index_file(path, file, sizeof(file));
        snprintf(tmp, sizeof(tmp), ".tmp-%d-%ld", (int)getpid(), (long)now.tv_nsec);
        int fd = openat(wd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
        if (fd < 0)
                return;
        state_line(path, st, l->n, l->size, head, sizeof(head));
        bool ok = fchmod(fd, 0644) == 0 && write(fd, head, strlen(head)) == (ssize_t)strlen(head) &&
                  write(fd, l->blob, l->size) == (ssize_t)l->size;
        ok = close(fd) == 0 && ok;
        if (!ok || renameat(wd, tmp, wd, strrchr(file, '/') + 1) < 0)
                (void)unlinkat(wd, tmp, 0);
}
