/* seccomp_cache.c — compiled seccomp programs kept on disk, so that a launch
 * loads a ready BPF program (≈ 0.1 ms) instead of running libseccomp
 * (≈ 1.5–2 ms).
 *
 * Owns: the cache directory ($XDG_CACHE_HOME/sbx/seccomp, else
 * ~/.cache/sbx/seccomp) and the file format.  A program loaded from here
 * becomes the sandbox's filter, so a file is used only when nobody but the
 * caller can have written it: the directory must be owned by the caller
 * and not group/other writable, the file is opened with O_NOFOLLOW and must
 * be a regular file with the same owner and mode rules.  Each file carries
 * its key (the SHA-256 of everything the program depends on, see
 * seccomp.c), its length and a SHA-256 of the instructions; anything that
 * does not verify is treated as absent and rebuilt.  Failing to write is
 * never an error.  Parent side. */
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "seccomp.h"
#include "sha256.h"
#include "util.h"

#define CACHE_MAGIC "SBXBPF01"

struct cache_header {
        char magic[8];
        uint8_t key[32];
        uint32_t len; /* instructions */
        uint32_t reserved;
        uint8_t sum[32]; /* SHA-256 of the instructions */
};

int seccomp_cache_dir(char **ret)
{
        const char *x = secure_getenv("XDG_CACHE_HOME");
        const char *home = secure_getenv("HOME");
        char *s = NULL;
        int r;
        if (x && x[0] == '/')
                r = asprintf(&s, "%s/sbx/seccomp", x);
        else if (home && home[0] == '/')
                r = asprintf(&s, "%s/.cache/sbx/seccomp", home);
        else
                return -ENOENT;
        if (r < 0)
                return -ENOMEM;
        *ret = s;
        return 0;
}

static bool trusted(const struct stat *st)
{
        return st->st_uid == geteuid() && !(st->st_mode & (S_IWGRP | S_IWOTH));
}

/* Open the cache directory, creating what is missing (0700).  Returns a
 * directory fd or -errno; -EPERM when it exists but is not trustworthy. */
static int open_dir(bool create)
{
        _cleanup_free_ char *path = NULL;
        int r = seccomp_cache_dir(&path);
        if (r < 0)
                return r;
        if (create) {
                /* mkdir -p: each missing component 0700. */
                for (char *s = path + 1; *s; s++) {
                        if (*s != '/')
                                continue;
                        *s = '\0';
                        if (mkdir(path, 0700) < 0 && errno != EEXIST) {
                                r = -errno;
                                *s = '/';
                                return r;
                        }
                        *s = '/';
                }
                if (mkdir(path, 0700) < 0 && errno != EEXIST)
                        return -errno;
        }
        int fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        struct stat st;
        if (fstat(fd, &st) < 0 || !S_ISDIR(st.st_mode) || !trusted(&st)) {
                close(fd);
                return -EPERM;
        }
        return fd;
}

static void file_name(const uint8_t key[32], char out[70])
{
        char hex[65];
        sha256_hex(key, hex);
        snprintf(out, 70, "%s.bpf", hex);
}

static int read_full(int fd, void *buf, size_t n)
{
        size_t got = 0;
        while (got < n) {
                ssize_t k = read(fd, (char *)buf + got, n - got);
                if (k < 0 && errno == EINTR)
                        continue;
                if (k < 0)
                        return -errno;
                if (k == 0)
                        return -EIO;
                got += (size_t)k;
        }
        return 0;
}

int seccomp_cache_lookup(const uint8_t key[32], struct sock_filter **ret, unsigned short *ret_len)
{
        _cleanup_close_ int dfd = open_dir(false);
        _cleanup_close_ int fd = -1;
        _cleanup_free_ struct sock_filter *insns = NULL;
        struct cache_header h;
        struct stat st;
        char name[70];
        uint8_t sum[32];
        int r;

        if (dfd < 0)
                return dfd;
        file_name(key, name);
        /* O_NONBLOCK: a FIFO planted under this name must not hang us. */
        fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
        if (fd < 0)
                return -errno;
        if (fstat(fd, &st) < 0)
                return -errno;
        if (!S_ISREG(st.st_mode) || !trusted(&st))
                return -EPERM;
        if (st.st_size < (off_t)sizeof(h))
                return -EBADMSG;
        if ((r = read_full(fd, &h, sizeof(h))) < 0)
                return r;
        if (memcmp(h.magic, CACHE_MAGIC, sizeof(h.magic)) != 0 || memcmp(h.key, key, 32) != 0 ||
            h.len == 0 || h.len > BPF_MAXINSNS ||
            st.st_size != (off_t)(sizeof(h) + h.len * sizeof(struct sock_filter)))
                return -EBADMSG;
        if (!(insns = malloc(h.len * sizeof(struct sock_filter))))
                return -ENOMEM;
        if ((r = read_full(fd, insns, h.len * sizeof(struct sock_filter))) < 0)
                return r;
        sha256(insns, h.len * sizeof(struct sock_filter), sum);
        if (memcmp(sum, h.sum, sizeof(sum)) != 0)
                return -EBADMSG;
        *ret = TAKE_PTR(insns);
        *ret_len = (unsigned short)h.len;
        return 0;
}

static int write_full(int fd, const void *buf, size_t n)
{
        size_t done = 0;
        while (done < n) {
                ssize_t k = write(fd, (const char *)buf + done, n - done);
                if (k < 0 && errno == EINTR)
                        continue;
                if (k <= 0)
                        return k < 0 ? -errno : -EIO;
                done += (size_t)k;
        }
        return 0;
}

int seccomp_cache_store(const uint8_t key[32], const struct sock_filter *insns, unsigned short len)
{
        _cleanup_close_ int dfd = open_dir(true);
        struct cache_header h = { .len = len };
        char name[70], tmp[96];
        int r;

        if (dfd < 0)
                return dfd;
        if (!len)
                return -EINVAL;
        memcpy(h.magic, CACHE_MAGIC, sizeof(h.magic));
        memcpy(h.key, key, 32);
        sha256(insns, len * sizeof(struct sock_filter), h.sum);
        file_name(key, name);
        /* Per thread: sbx_spawn() may run in several threads at once. */
        snprintf(tmp, sizeof(tmp), ".tmp-%d-%.16s", (int)gettid(), name);

        /* Written aside and renamed into place, so that a reader never sees
         * half a file (concurrent launches of the same profile). */
        int fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (fd < 0)
                return -errno; /* not ours to remove */
        r = write_full(fd, &h, sizeof(h));
        if (r >= 0)
                r = write_full(fd, insns, len * sizeof(struct sock_filter));
        if (close(fd) < 0 && r >= 0)
                r = -errno;
        if (r >= 0 && renameat(dfd, tmp, dfd, name) < 0)
                r = -errno;
        if (r < 0)
                (void)unlinkat(dfd, tmp, 0);
        return r;
}
