/* bindsrc.h — opening a bind source once, in the parent, so that what the
 * sandbox's setup mounts is the object that was checked (bindsrc.c). */
#pragma once

#include <limits.h>
#include <stdbool.h>
#include <sys/stat.h>

enum bindsrc_flags {
        /* The last component must not be a symlink (file arguments). */
        BINDSRC_NOFOLLOW_LAST = 1 << 0,
        /* Stop at a plantable symlink instead of following it. */
        BINDSRC_REFUSE_PLANTED = 1 << 1,
};

enum bindsrc_refusal {
        BINDSRC_OK,
        BINDSRC_LAST_LINK, /* the last component is a symlink */
        BINDSRC_PLANTED,   /* a plantable symlink on the way: `link` */
};

struct bindsrc {
        int fd;                /* O_PATH|O_CLOEXEC; the caller owns it */
        struct stat st;        /* of fd */
        char path[PATH_MAX];   /* fd's canonical path, from /proc/self/fd */
        /* the first plantable symlink passed (followed, or where the walk
         * stopped with BINDSRC_REFUSE_PLANTED); "" when none */
        char link[PATH_MAX];
        uid_t link_uid;
        enum bindsrc_refusal refusal; /* why -ELOOP was returned */
};

/* Could a sandbox have made this symlink?  Sandboxes run as the caller's
 * uid, or as 65534 when root starts them, never as host root: only a link
 * owned by root (system links such as /lib -> usr/lib) cannot be planted. */
bool bindsrc_plantable(const struct stat *link);

/* Open `path` (relative: from the working directory) with O_PATH, one
 * component at a time, never following a symlink without looking at it
 * first.  0 and ret filled (ret->fd open), or -errno: the walk's own
 * errors (ENOENT, ENOTDIR, EACCES...), or -ELOOP with ret->refusal saying
 * why.  A path that names no symlink costs one open and one readlink. */
int bindsrc_open(const char *path, unsigned flags, struct bindsrc *ret);
/* The working directory itself (not a path that could now lead elsewhere). */
int bindsrc_open_cwd(struct bindsrc *ret);
/* Close ret->fd if still open (for _cleanup_). */
void bindsrc_done(struct bindsrc *b);
