/* exec_fs.h — the host filesystem as the exec module looks at it: lstat,
 * readlink, stat, directory listings, file opens and realpath, memoised for
 * one plan build.  Parent side only. */
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
/* Whether dir's listing came from root's index (dir_index.c); for tests. */
bool exec_fs_from_index(struct exec_fs *fs, const char *dir);
/* open(path, flags) for reading its content; *st (may be NULL) its fstat.
 * Returns the fd. */
int exec_fs_open(struct exec_fs *fs, const char *path, int flags, struct stat *st);

/* realpath(3), walked one component at a time through the memo.  With
 * EXEC_FS_NO_PROC_LINKS a symlink on procfs is refused with -ELOOP, the way
 * openat2(RESOLVE_NO_MAGICLINKS) refuses /proc/PID/exe and the like (a
 * procfs link that is not magic leads only to other procfs files). */
#define EXEC_FS_NO_PROC_LINKS 1u
int exec_fs_realpath(struct exec_fs *fs, const char *path, unsigned flags, char out[PATH_MAX]);
