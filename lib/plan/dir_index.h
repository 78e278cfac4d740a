/* dir_index.h — listings of system directories kept by root for later
 * launches (the [exec] deny globs list /usr/bin on every launch otherwise).
 * Parent side only. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>

/* A listing: `n` records of one type byte (DT_*) and a NUL-terminated
 * name, back to back in `blob` (`size` bytes). */
struct dir_listing {
        char *blob;
        size_t size, n;
};

/* The listing of the directory `path` whose fstat() is `st`, when an index
 * entry for exactly that directory in exactly that state exists and can be
 * trusted.  0 and *ret (blob malloc'd) or -ENOENT (absent, stale,
 * untrusted or unreadable: the caller lists the directory itself) or
 * -ENOMEM. */
int dir_index_read(const char *path, const struct stat *st, struct dir_listing *ret);

/* Keep `l` for later launches, if this process may: real root outside any
 * user namespace, and a directory not changed for DIR_INDEX_SETTLE_S
 * seconds (timestamps are coarse: a change within the same tick as the
 * listing must not go unseen).  Failures are ignored: the index only saves
 * time. */
#define DIR_INDEX_SETTLE_S 2
void dir_index_write(const char *path, const struct stat *st, const struct dir_listing *l);

/* Where the index lives (SBX_INDEX_DIR), and its file for `path`:
 * "DIR/dir-<sha256 of path>".  out must hold PATH_MAX bytes. */
void dir_index_file(const char *path, char *out, size_t size);
