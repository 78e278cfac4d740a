/* exec_fs.h — the host filesystem as the exec module looks at it: lstat,
 * readlink, stat, directory listings, file opens and realpath, memoised for
 * one plan build, and the record of what a result depended on (for the exec
 * cache).  Parent side only.  See exec_fs.c for what is recorded and why
 * that is enough. */
#pragma once

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

struct exec_fs;

/* A directory entry as readdir reported it; "." and ".." are left out. */
struct exec_fs_ent {
        const char *name;
        unsigned char type; /* DT_* */
};

int exec_fs_new(struct exec_fs **ret);
void exec_fs_free(struct exec_fs *fs);
static inline void exec_fs_freep(struct exec_fs **fs) { exec_fs_free(*fs); }

/* Every function below returns 0 or -errno, as the syscall it stands for
 * (-ENOMEM when the memo cannot grow: never taken as "absent").  Paths are
 * absolute. */

/* lstat(path): *type gets the S_IFMT bits. */
int exec_fs_lstat(struct exec_fs *fs, const char *path, mode_t *type);
/* readlink(path) into buf, NUL-terminated; -ENAMETOOLONG when it does not
 * fit. */
int exec_fs_readlink(struct exec_fs *fs, const char *path, char *buf, size_t n);
/* stat(path), following links. */
int exec_fs_stat(struct exec_fs *fs, const char *path, struct stat *st);
/* The entries of the directory `dir`; valid as long as fs. */
int exec_fs_list(struct exec_fs *fs, const char *dir, const struct exec_fs_ent **ents, size_t *n);
/* open(path, flags) for reading its content; *st (may be NULL) its fstat.
 * Returns the fd. */
int exec_fs_open(struct exec_fs *fs, const char *path, int flags, struct stat *st);

/* realpath(3), walked one component at a time through the memo.  With
 * EXEC_FS_NO_PROC_LINKS a symlink on procfs is refused with -ELOOP, the way
 * openat2(RESOLVE_NO_MAGICLINKS) refuses /proc/PID/exe and the like (a
 * procfs link that is not magic leads only to other procfs files). */
#define EXEC_FS_NO_PROC_LINKS 1u
int exec_fs_realpath(struct exec_fs *fs, const char *path, unsigned flags, char out[PATH_MAX]);

/* ---- what a result depended on ------------------------------------------ */

/* on: start a new record (the last one is dropped): from now on every call
 * above also notes what its answer depends on, memo hits included.  off:
 * stop noting. */
void exec_fs_record(struct exec_fs *fs, bool on);
/* The record: stat() of each path as it was when first looked at. */
size_t exec_fs_ndeps(const struct exec_fs *fs);
void exec_fs_dep(const struct exec_fs *fs, size_t i, const char **path, const struct stat **st);
/* Can the record vouch for the result?  False when a fingerprint could not
 * be taken, a path changed while it was being looked at, or a fingerprint
 * is too recent to tell a later change from this state (a timestamp within
 * `margin_ns` before fs was made, which is before any fingerprint was
 * taken: file times advance in coarse ticks, so a change right after the
 * fingerprint could leave it as it was). */
bool exec_fs_record_usable(const struct exec_fs *fs, int64_t margin_ns);

/* The fingerprint comparison the cache validates with: same dev, ino,
 * type and mode, size, mtime and ctime. */
bool exec_fs_same(const struct stat *a, const struct stat *b);
