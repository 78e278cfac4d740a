/* cache.h — sbx's per-user cache directories and the rules for trusting a
 * file in them (cache.c).  Used by the seccomp cache and the exec cache.
 * Parent side. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/* $XDG_CACHE_HOME/sbx/<what>, else $HOME/.cache/sbx/<what>; malloc'd. */
int sbx_cache_dir(const char *what, char **ret);
/* Open that directory (creating what is missing, 0700, when `create`).
 * Returns an fd, or -errno; -EPERM when it is not owned by the caller or is
 * group/other writable. */
int sbx_cache_open_dir(const char *what, bool create);
/* The whole of `name` in dfd: opened with O_NOFOLLOW, a regular file owned
 * by the caller and not group/other writable (else -EPERM), at most `max`
 * bytes (else -EFBIG).  *ret malloc'd. */
int sbx_cache_read(int dfd, const char *name, size_t max, void **ret, size_t *len);
/* Write `name` in dfd (0600) as a whole: aside first, then renamed into
 * place, so that a reader never sees half a file. */
int sbx_cache_write(int dfd, const char *name, const void *buf, size_t len);
