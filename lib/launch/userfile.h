/* userfile.h — files sbx opens on the user's behalf (userfile.c). */
#pragma once

#include <stdbool.h>

/* Open `path` for writing, appended to or (truncate) emptied once checked
 * (made 0600 when missing): no symlink a sandbox could have planted on the
 * way, none as the last component, and only a regular file owned by the
 * caller with a single link.  Returns the fd (close-on-exec, blocking) or
 * a negative errno; *why (malloc'd, or NULL) then says what was refused
 * and why. */
int user_file_open(const char *path, bool truncate, char **why);
