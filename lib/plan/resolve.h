/* resolve.h — opening a host path that a sandbox could have prepared.
 *
 * A sandbox with a writable bind can leave symlinks behind (an extracted
 * archive, a swapped directory) that a later launch would follow if it
 * resolved the same name again.  resolve_open() walks a path once and
 * returns an O_PATH fd on what it names, its canonical path (from the fd,
 * not from the name) and its stat; every later decision uses the path and
 * the mount uses the fd (mount.c verifies dev/ino in the child).
 *
 * A symlink met on the way is PLANTABLE when a sandbox could have made it:
 *   - it is owned by any user other than root (the caller's sandboxes run
 *     as the caller, or as 65534 for a root caller; another user's link is
 *     not the caller's to trust either), or
 *   - the caller is root and the link lies under an area users can write:
 *     the caller's $HOME, /tmp, /var/tmp, /dev/shm, /run/user (a root
 *     sandbox with keep-root = yes makes root-owned links there).
 * Root-owned links elsewhere (/lib -> usr/lib, /etc/alternatives/...) are
 * followed.  A plantable link is followed only when the object the whole
 * path finally names lies at or under one of ctx->allowed (canonical host
 * paths); otherwise the walk fails with -ELOOP and *why says which link. */
#pragma once

#include <stdbool.h>
#include <sys/stat.h>
#include <sys/types.h>

struct resolve_ctx {
        bool caller_is_root;
        const char *home;            /* the caller's $HOME on the host, or NULL */
        const char *const *allowed;  /* NULL-terminated canonical places, or NULL */
        size_t nallowed;
};

enum {
        RSV_NOFOLLOW_LAST = 1 << 0, /* a symlink as last component is returned as such */
        RSV_NO_DOTDOT = 1 << 1,     /* a `..` component in `path` fails with -EXDEV */
        RSV_NO_PLANTABLE = 1 << 2,  /* no plantable link at all, whatever ctx->allowed */
};

struct resolved {
        int fd;        /* O_PATH|O_CLOEXEC; the caller owns it */
        char *path;    /* canonical host path of fd; malloc'd, the caller frees it */
        struct stat st;
};

/* Open `path` (relative paths from dirfd).  Returns 0, or a negative errno:
 * -ENOENT/-EACCES/... from the lookup, -ELOOP for a refused plantable link
 * or too many links, -EXDEV for `..` under RSV_NO_DOTDOT.  On -ELOOP
 * from a plantable link, *why (malloc'd) reads "X is a symlink to Y in a
 * place sandboxes can write". */
int resolve_open(const struct resolve_ctx *ctx, int dirfd, const char *path, unsigned flags,
                 struct resolved *ret, char **why);
/* Could a sandbox have made the object ret names (a link returned under
 * RSV_NOFOLLOW_LAST), by the rule above? */
int resolve_is_plantable(const struct resolve_ctx *ctx, const struct resolved *res, bool *ret);
/* The canonical path of an open fd (readlink of /proc/self/fd/N). */
int resolve_fd_path(int fd, char **ret);
/* Does `path` have a `..` component? */
bool resolve_has_dotdot(const char *path);
void resolved_done(struct resolved *r);
