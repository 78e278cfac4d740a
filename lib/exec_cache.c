/* exec_cache.c — results of the exec computation kept on disk, so that a
 * launch checks a few hundred stat()s (≈ 0.2 ms) instead of listing and
 * resolving /usr/bin and friends again (≈ 3–7 ms).
 *
 * Owns: the key, the file format in the cache directory "exec" (cache.c says
 * where it is and when a file in it is trusted), and the validation.  A
 * file holds one result of one computation (exec.c: the deny set, or the
 * paths granted EXECUTE for the allow-list) with
 *   - its key: the SHA-256 of everything besides the filesystem that the
 *     result depends on (exec_cache_key);
 *   - the record of the filesystem state it was computed from (exec_fs.c:
 *     stat() of every directory a name was looked up in or listed, and of
 *     every file that was stat()ed or read);
 *   - a checksum of the rest, against a damaged file (the ownership rules,
 *     not the checksum, keep others from writing it).
 * A result is used only when the key matches and every recorded stat()
 * still gives the same dev, ino, mode, links, owner, size, mtime and ctime;
 * anything else is a miss, the result is computed afresh and the file
 * replaced.  So a stale file costs time, never a denied file going unmasked.
 * One file per kind and pattern list: launches from another directory (a
 * different cwd bind, so a different key) replace it rather than pile up.
 * Failing to read or write is never an error.  Parent side. */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <link.h>
#include <linux/capability.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cache.h"
#include "config.h"
#include "exec.h"
#include "exec_cache.h"
#include "exec_fs.h"
#include "sha256.h"
#include "util.h"

#define FILE_MAGIC "SBXEXE01"
#define MAX_FILE (16u << 20)
/* File times advance in coarse ticks (a jiffy on ext4 and tmpfs, a second
 * on ext3, two on FAT): a result whose record holds a time this close to the
 * start of the computation is not stored, since a change in the same tick
 * could leave the fingerprint as it was.  Any later change gets a time at
 * least one tick after that start, so it differs from every recorded one. */
#define RACY_NS 2000000000LL

struct file_header {
        char magic[8];
        uint8_t key[32];
        uint64_t ndeps;
        uint64_t deps_len;
        uint64_t payload_len;
        uint64_t sum; /* checksum() of everything after the header */
};

/* ---- the byte buffer ---------------------------------------------------- */

void exec_cache_buf_done(struct exec_cache_buf *b)
{
        free(b->p);
        memset(b, 0, sizeof(*b));
}

static void put(struct exec_cache_buf *b, const void *v, size_t n)
{
        if (b->bad || n == 0)
                return;
        if (b->n + n > b->cap) {
                size_t nc = b->cap ? b->cap * 2 : 4096;
                while (nc < b->n + n)
                        nc *= 2;
                unsigned char *np = realloc(b->p, nc);
                if (!np) {
                        b->bad = true;
                        return;
                }
                b->p = np;
                b->cap = nc;
        }
        memcpy(b->p + b->n, v, n);
        b->n += n;
}

void exec_cache_put_u64(struct exec_cache_buf *b, uint64_t v) { put(b, &v, sizeof(v)); }

void exec_cache_put_str(struct exec_cache_buf *b, const char *s)
{
        size_t l = strlen(s);
        exec_cache_put_u64(b, l);
        put(b, s, l + 1);
}

uint64_t exec_cache_get_u64(struct exec_cache_buf *b)
{
        uint64_t v = 0;
        if (b->bad || b->n - b->at < sizeof(v)) {
                b->bad = true;
                return 0;
        }
        memcpy(&v, b->p + b->at, sizeof(v));
        b->at += sizeof(v);
        return v;
}

const char *exec_cache_get_str(struct exec_cache_buf *b)
{
        uint64_t l = exec_cache_get_u64(b);
        if (b->bad || l >= b->n - b->at || b->p[b->at + l] != 0 ||
            memchr(b->p + b->at, 0, l) != NULL) {
                b->bad = true;
                return "";
        }
        const char *s = (const char *)b->p + b->at;
        b->at += l + 1;
        return s;
}

/* Against a damaged file only: 8 bytes per step. */
static uint64_t checksum(const unsigned char *p, size_t n)
{
        uint64_t h = 0x9e3779b97f4a7c15ULL ^ n, w;
        size_t i = 0;
        for (; i + 8 <= n; i += 8) {
                memcpy(&w, p + i, 8);
                h = (h ^ w) * 0xff51afd7ed558ccdULL;
                h ^= h >> 32;
        }
        w = 0;
        memcpy(&w, p + i, n - i);
        h = (h ^ w) * 0xc4ceb9fe1a85ec53ULL;
        return h ^ (h >> 29);
}

/* ---- the key ------------------------------------------------------------ */

static void hash_u64(struct sha256_ctx *c, uint64_t v) { sha256_update(c, &v, sizeof(v)); }

static void hash_str(struct sha256_ctx *c, const char *s)
{
        if (!s) {
                hash_u64(c, UINT64_MAX);
                return;
        }
        size_t l = strlen(s);
        hash_u64(c, l);
        sha256_update(c, s, l);
}

struct id_search {
        uintptr_t addr;
        uint8_t id[64];
        size_t n;
};

/* The GNU build ID of the object this code is in: the computation may
 * change with any rebuild, not only with a new version. */
static int find_build_id(struct dl_phdr_info *info, size_t size, void *data)
{
        struct id_search *s = data;
        bool mine = false;
        for (size_t i = 0; i < info->dlpi_phnum && !mine; i++) {
                const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
                uintptr_t a = info->dlpi_addr + ph->p_vaddr;
                mine = ph->p_type == PT_LOAD && s->addr >= a && s->addr - a < ph->p_memsz;
        }
        if (!mine)
                return 0;
        for (size_t i = 0; i < info->dlpi_phnum; i++) {
                const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
                if (ph->p_type != PT_NOTE)
                        continue;
                size_t align = ph->p_align == 8 ? 8 : 4;
                const unsigned char *p = (const unsigned char *)(info->dlpi_addr + ph->p_vaddr);
                size_t at = 0, len = ph->p_filesz;
                while (len - at >= sizeof(ElfW(Nhdr))) {
                        ElfW(Nhdr) nh;
                        memcpy(&nh, p + at, sizeof(nh));
                        size_t name = at + sizeof(nh);
                        size_t desc = name + ((nh.n_namesz + align - 1) & ~(align - 1));
                        size_t next = desc + ((nh.n_descsz + align - 1) & ~(align - 1));
                        if (desc > len || next > len || nh.n_descsz > len - desc)
                                break;
                        if (nh.n_type == NT_GNU_BUILD_ID && nh.n_namesz == 4 &&
                            memcmp(p + name, "GNU", 4) == 0 && nh.n_descsz > 0 &&
                            nh.n_descsz <= sizeof(s->id)) {
                                memcpy(s->id, p + desc, nh.n_descsz);
                                s->n = nh.n_descsz;
                                return 1;
                        }
                        at = next;
                }
        }
        return 1;
}

static int hash_mountinfo(struct sha256_ctx *c)
{
        _cleanup_close_ int fd = open("/proc/self/mountinfo", O_RDONLY | O_CLOEXEC);
        char buf[16384];
        if (fd < 0)
                return -errno;
        for (;;) {
                ssize_t k = read(fd, buf, sizeof(buf));
                if (k < 0 && errno == EINTR)
                        continue;
                if (k < 0)
                        return -errno;
                if (k == 0)
                        return 0;
                sha256_update(c, buf, (size_t)k);
        }
}

/* Who looks: permissions decide what a lookup finds. */
static int hash_identity(struct sha256_ctx *c)
{
        struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
        struct __user_cap_data_struct d[2];
        if (syscall(SYS_capget, &h, d) < 0)
                return -errno;
        int n = getgroups(0, NULL);
        if (n < 0)
                return -errno;
        _cleanup_free_ gid_t *g = calloc((size_t)n + 1, sizeof(gid_t));
        if (!g)
                return -ENOMEM;
        if ((n = getgroups(n, g)) < 0)
                return -errno;
        hash_u64(c, geteuid());
        hash_u64(c, getegid());
        hash_u64(c, (uint64_t)n);
        for (int i = 0; i < n; i++)
                hash_u64(c, g[i]);
        hash_u64(c, d[0].effective);
        hash_u64(c, d[1].effective);
        return 0;
}

static void hash_patterns(struct sha256_ctx *c, const char *kind, const struct strlist *patterns)
{
        hash_str(c, kind);
        hash_u64(c, patterns->n);
        for (size_t i = 0; i < patterns->n; i++)
                hash_str(c, patterns->v[i]);
}

int exec_cache_key(struct exec_cache_key *k, const char *kind, const struct strlist *patterns,
                   const struct plan *plan)
{
        struct id_search ids = { .addr = (uintptr_t)&exec_cache_key };
        struct sha256_ctx c;
        uint8_t slot[32];
        char hex[65];
        int r;

        if (secure_getenv("SBX_NO_EXEC_CACHE"))
                return -ECANCELED;
        dl_iterate_phdr(find_build_id, &ids);
        if (ids.n == 0)
                return -ENOENT;

        sha256_init(&c);
        hash_str(&c, "sbx-exec-cache 1");
        hash_str(&c, SBX_VERSION);
        sha256_update(&c, ids.id, ids.n);
        if ((r = hash_mountinfo(&c)) < 0 || (r = hash_identity(&c)) < 0)
                return r;
        hash_u64(&c, exec_view_is_private(plan));
        hash_patterns(&c, kind, patterns);
        hash_u64(&c, plan->nmounts);
        for (size_t i = 0; i < plan->nmounts; i++) {
                const struct plan_mount *m = &plan->mounts[i];
                hash_u64(&c, m->kind);
                hash_str(&c, m->src);
                hash_str(&c, m->dst);
                hash_str(&c, m->data);
                hash_u64(&c, (m->src_fd >= 0) | m->src_is_dir << 1 | m->readonly << 2 |
                                     m->noexec << 3 | m->dev << 4 | m->optional << 5);
        }
        sha256_final(&c, k->key);

        sha256_init(&c);
        hash_str(&c, "sbx-exec-cache slot 1");
        hash_u64(&c, geteuid());
        hash_patterns(&c, kind, patterns);
        sha256_final(&c, slot);
        sha256_hex(slot, hex);
        snprintf(k->name, sizeof(k->name), "%s-%.32s", kind, hex);
        return 0;
}

/* ---- the file ----------------------------------------------------------- */

static void put_stat(struct exec_cache_buf *b, const struct stat *st)
{
        const uint64_t v[] = { st->st_dev, st->st_ino, st->st_mode, st->st_nlink, st->st_uid,
                               st->st_gid, (uint64_t)st->st_size, (uint64_t)st->st_mtim.tv_sec,
                               (uint64_t)st->st_mtim.tv_nsec, (uint64_t)st->st_ctim.tv_sec,
                               (uint64_t)st->st_ctim.tv_nsec };
        for (size_t i = 0; i < ARRAY_SIZE(v); i++)
                exec_cache_put_u64(b, v[i]);
}

static void get_stat(struct exec_cache_buf *b, struct stat *st)
{
        memset(st, 0, sizeof(*st));
        st->st_dev = exec_cache_get_u64(b);
        st->st_ino = exec_cache_get_u64(b);
        st->st_mode = (mode_t)exec_cache_get_u64(b);
        st->st_nlink = exec_cache_get_u64(b);
        st->st_uid = (uid_t)exec_cache_get_u64(b);
        st->st_gid = (gid_t)exec_cache_get_u64(b);
        st->st_size = (off_t)exec_cache_get_u64(b);
        st->st_mtim.tv_sec = (time_t)exec_cache_get_u64(b);
        st->st_mtim.tv_nsec = (long)exec_cache_get_u64(b);
        st->st_ctim.tv_sec = (time_t)exec_cache_get_u64(b);
        st->st_ctim.tv_nsec = (long)exec_cache_get_u64(b);
}

int exec_cache_load(const struct exec_cache_key *k, struct exec_cache_buf *payload)
{
        _cleanup_close_ int dfd = sbx_cache_open_dir("exec", false);
        _cleanup_free_ void *file = NULL;
        struct file_header h;
        size_t n;
        int r;

        memset(payload, 0, sizeof(*payload));
        if (dfd < 0)
                return dfd;
        if ((r = sbx_cache_read(dfd, k->name, MAX_FILE, &file, &n)) < 0)
                return r;
        if (n < sizeof(h))
                return -EBADMSG;
        memcpy(&h, file, sizeof(h));
        const unsigned char *body = (const unsigned char *)file + sizeof(h);
        size_t blen = n - sizeof(h);
        if (memcmp(h.magic, FILE_MAGIC, sizeof(h.magic)) != 0)
                return -EBADMSG;
        if (memcmp(h.key, k->key, sizeof(h.key)) != 0)
                return -ESTALE; /* another view or build: recomputed and replaced */
        if (h.deps_len > blen || h.payload_len != blen - h.deps_len || h.sum != checksum(body, blen))
                return -EBADMSG;

        /* The record: each stat() as it was. */
        struct exec_cache_buf d = { .p = (unsigned char *)body, .n = h.deps_len };
        for (uint64_t i = 0; i < h.ndeps; i++) {
                const char *path = exec_cache_get_str(&d);
                struct stat then, now;
                get_stat(&d, &then);
                if (d.bad || path[0] != '/')
                        return -EBADMSG;
                if (stat(path, &now) < 0 || !exec_fs_same(&then, &now))
                        return -ESTALE;
        }
        if (d.at != d.n)
                return -EBADMSG;

        if (!(payload->p = malloc(h.payload_len ? h.payload_len : 1)))
                return -ENOMEM;
        memcpy(payload->p, body + h.deps_len, h.payload_len);
        payload->n = payload->cap = h.payload_len;
        return 0;
}

int exec_cache_store(const struct exec_cache_key *k, const struct exec_fs *fs,
                     const struct exec_cache_buf *payload)
{
        struct exec_cache_buf b = { 0 };
        struct file_header h = { .ndeps = exec_fs_ndeps(fs) };
        int r;

        if (payload->bad)
                return -ENOMEM;
        if (!exec_fs_record_usable(fs, RACY_NS))
                return -EAGAIN;
        put(&b, &h, sizeof(h)); /* filled in below */
        for (size_t i = 0; i < h.ndeps; i++) {
                const char *path;
                const struct stat *st;
                exec_fs_dep(fs, i, &path, &st);
                exec_cache_put_str(&b, path);
                put_stat(&b, st);
        }
        h.deps_len = b.n - sizeof(h);
        put(&b, payload->p, payload->n);
        if (b.bad) {
                exec_cache_buf_done(&b);
                return -ENOMEM;
        }
        h.payload_len = payload->n;
        memcpy(h.magic, FILE_MAGIC, sizeof(h.magic));
        memcpy(h.key, k->key, sizeof(h.key));
        h.sum = checksum(b.p + sizeof(h), b.n - sizeof(h));
        memcpy(b.p, &h, sizeof(h));

        int dfd = sbx_cache_open_dir("exec", true);
        if (dfd < 0) {
                exec_cache_buf_done(&b);
                return dfd;
        }
        r = sbx_cache_write(dfd, k->name, b.p, b.n);
        close(dfd);
        exec_cache_buf_done(&b);
        return r;
}
