/* path.h — questions about normalised absolute paths (no "//", no "/./",
 * no trailing "/" except "/" itself).  Pure. */
#pragma once

#include <stdbool.h>

/* The rest of `path` below `dir` ("" when equal, else "/…"), or NULL when
 * `path` is not `dir` or beneath it.  Every path is beneath "/". */
const char *path_under(const char *path, const char *dir);
/* Does a pattern hold a glob character (*, ? or [)? */
bool path_has_glob(const char *s);
