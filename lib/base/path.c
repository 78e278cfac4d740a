/* path.c — the one test of "is this path at or beneath that directory",
 * and of "is this a glob", for every layer.  Pure. */
#include <string.h>

#include "base/path.h"

const char *path_under(const char *path, const char *dir)
{
        size_t n = strlen(dir);
        if (n == 1 && dir[0] == '/')
                return path;
        if (strncmp(path, dir, n) != 0)
                return NULL;
        return path[n] == 0 || path[n] == '/' ? path + n : NULL;
}

bool path_has_glob(const char *s)
{
        return strpbrk(s, "*?[") != NULL;
}
