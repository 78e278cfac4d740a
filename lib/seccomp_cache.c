/* seccomp_cache.c — compiled seccomp programs kept on disk, so that a launch
 * loads a ready BPF program (≈ 0.1 ms) instead of running libseccomp
 * (≈ 1.5–2 ms).
 *
 * Owns: the file format in the cache directory "seccomp" (cache.c says
 * where that is and when a file in it is trusted).  Each file carries its
 * key (the SHA-256 of everything the program depends on, see seccomp.c), its
 * length and a SHA-256 of the instructions; anything that does not verify
 * is treated as absent and rebuilt.  Failing to write is never an error.
 * Parent side. */
#include <errno.h>
#include <linux/filter.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cache.h"
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

int seccomp_cache_dir(char **ret) { return sbx_cache_dir("seccomp", ret); }

static void file_name(const uint8_t key[32], char out[70])
{
        char hex[65];
        sha256_hex(key, hex);
        snprintf(out, 70, "%s.bpf", hex);
}

int seccomp_cache_lookup(const uint8_t key[32], struct sock_filter **ret, unsigned short *ret_len)
{
        _cleanup_close_ int dfd = sbx_cache_open_dir("seccomp", false);
        _cleanup_free_ void *buf = NULL;
        struct cache_header h;
        size_t n;
        char name[70];
        uint8_t sum[32];
        int r;

        if (dfd < 0)
                return dfd;
        file_name(key, name);
        if ((r = sbx_cache_read(dfd, name, sizeof(h) + BPF_MAXINSNS * sizeof(struct sock_filter), &buf,
                                &n)) < 0)
                return r;
        if (n < sizeof(h))
                return -EBADMSG;
        memcpy(&h, buf, sizeof(h));
        if (memcmp(h.magic, CACHE_MAGIC, sizeof(h.magic)) != 0 || memcmp(h.key, key, 32) != 0 ||
            h.len == 0 || h.len > BPF_MAXINSNS || n != sizeof(h) + h.len * sizeof(struct sock_filter))
                return -EBADMSG;
        struct sock_filter *insns = malloc(h.len * sizeof(struct sock_filter));
        if (!insns)
                return -ENOMEM;
        memcpy(insns, (const char *)buf + sizeof(h), h.len * sizeof(struct sock_filter));
        sha256(insns, h.len * sizeof(struct sock_filter), sum);
        if (memcmp(sum, h.sum, sizeof(sum)) != 0) {
                free(insns);
                return -EBADMSG;
        }
        *ret = insns;
        *ret_len = (unsigned short)h.len;
        return 0;
}

int seccomp_cache_store(const uint8_t key[32], const struct sock_filter *insns, unsigned short len)
{
        _cleanup_close_ int dfd = sbx_cache_open_dir("seccomp", true);
        struct cache_header h = { .len = len };
        char name[70];

        if (dfd < 0)
                return dfd;
        if (!len)
                return -EINVAL;
        memcpy(h.magic, CACHE_MAGIC, sizeof(h.magic));
        memcpy(h.key, key, 32);
        sha256(insns, len * sizeof(struct sock_filter), h.sum);
        file_name(key, name);
        size_t n = sizeof(h) + len * sizeof(struct sock_filter);
        _cleanup_free_ char *buf = malloc(n);
        if (!buf)
                return -ENOMEM;
        memcpy(buf, &h, sizeof(h));
        memcpy(buf + sizeof(h), insns, len * sizeof(struct sock_filter));
        return sbx_cache_write(dfd, name, buf, n);
}
