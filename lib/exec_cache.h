/* exec_cache.h — results of the exec computation (exec.c) kept on disk,
 * with the fingerprint of the filesystem state they were computed from
 * (exec_cache.c).  Parent side. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "plan.h"

struct exec_fs;

/* Which computation, and everything its result depends on besides the
 * filesystem. */
struct exec_cache_key {
        uint8_t key[32];
        char name[96]; /* the file: one per kind and pattern list */
};

/* The key for `kind` ("deny", "allow") over `patterns` in the view of
 * `plan`: the sbx build, the caller's identity (uid, gids, capabilities:
 * what it may look at), the mount table, the patterns and the plan's
 * mounts.  -ECANCELED when SBX_NO_EXEC_CACHE is set, -errno when a part
 * cannot be known (then nothing is cached). */
int exec_cache_key(struct exec_cache_key *k, const char *kind, const struct strlist *patterns,
                   const struct plan *plan);

/* A result as bytes: what exec.c puts in, it takes out in the same order.
 * A get past the end or a malformed string sets `bad`; a failed put sets
 * `bad` too (the buffer is then not stored). */
struct exec_cache_buf {
        unsigned char *p;
        size_t n, cap, at;
        bool bad;
};
void exec_cache_buf_done(struct exec_cache_buf *b);
void exec_cache_put_u64(struct exec_cache_buf *b, uint64_t v);
void exec_cache_put_str(struct exec_cache_buf *b, const char *s);
uint64_t exec_cache_get_u64(struct exec_cache_buf *b);
const char *exec_cache_get_str(struct exec_cache_buf *b); /* points into b */

/* The result stored under k, when it is there, trustworthy, intact, for
 * this key, and every fingerprint in it still matches the filesystem.
 * Returns 0 and fills *payload, else -errno (absent, stale, corrupt). */
int exec_cache_load(const struct exec_cache_key *k, struct exec_cache_buf *payload);
/* Store a result with the record of `fs`, unless that record cannot vouch
 * for it (exec_fs_record_usable).  Failing to store is never an error for
 * the caller. */
int exec_cache_store(const struct exec_cache_key *k, const struct exec_fs *fs,
                     const struct exec_cache_buf *payload);
