/* profile_path.c — where profile names resolve: the search path
 * ($SBX_PROFILE_PATH, $XDG_CONFIG_HOME/sbx/profiles, /etc/sbx/profiles,
 * the installed data directory, and the source tree's profiles/ for a
 * program running from its build tree) and sbx_profile_find().  Reads
 * directories; changes nothing.  (Listing them: profile_list.c.) */
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "config.h"
#include "profile/profile.h"
#include "base/util.h"

struct dirs {
        char **v;
        size_t n;
};

static int add_dir(struct dirs *d, char *dir)
{
        if (!dir)
                return -ENOMEM;
        for (size_t i = 0; i < d->n; i++)
                if (strcmp(d->v[i], dir) == 0) {
                        free(dir);
                        return 0;
                }
        char **nv = reallocarray(d->v, d->n + 2, sizeof(char *));
        if (!nv) {
                free(dir);
                return -ENOMEM;
        }
        d->v = nv;
        d->v[d->n++] = dir;
        d->v[d->n] = NULL;
        return 0;
}

static char *join(const char *a, const char *b)
{
        char *s = NULL;
        return asprintf(&s, "%s%s", a, b) < 0 ? NULL : s;
}

/* A program started from the build tree (tests, `./build/launcher/sbx`)
 * also finds the profiles of the source tree it was built from: build
 * directories live inside the source tree. */
static bool running_from_build_tree_uncached(void)
{
        char exe[PATH_MAX];
        ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
        if (n <= 0)
                return false;
        exe[n] = 0;
        const char *src = SBX_SOURCE_PROFILE_DIR;
        const char *slash = strrchr(src, '/');
        if (!slash || slash == src)
                return false;
        size_t root = (size_t)(slash - src);
        return strncmp(exe, src, root) == 0 && exe[root] == '/';
}

/* The answer cannot change while the process runs (/proc/self/exe is the
 * executable it started from), and a load asks once per profile file. */
static bool running_from_build_tree(void)
{
        static int known; /* 0 unknown, 1 no, 2 yes; racing threads agree */
        int k = __atomic_load_n(&known, __ATOMIC_RELAXED);
        if (!k) {
                k = running_from_build_tree_uncached() ? 2 : 1;
                __atomic_store_n(&known, k, __ATOMIC_RELAXED);
        }
        return k == 2;
}

int profile_search_dirs(char ***ret)
{
        struct dirs d = { 0 };
        int r = 0;

        const char *env = getenv("SBX_PROFILE_PATH");
        for (const char *s = env; r >= 0 && s && *s;) {
                size_t n = strcspn(s, ":");
                if (n > 0 && s[0] == '/')
                        r = add_dir(&d, strndup(s, n));
                s += n + (s[n] == ':');
        }
        const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
        if (r >= 0 && xdg && xdg[0] == '/')
                r = add_dir(&d, join(xdg, "/sbx/profiles"));
        else if (r >= 0 && home && home[0] == '/')
                r = add_dir(&d, join(home, "/.config/sbx/profiles"));
        if (r >= 0)
                r = add_dir(&d, strdup(SBX_SYSCONF_PROFILE_DIR));
        if (r >= 0)
                r = add_dir(&d, strdup(SBX_PROFILE_DIR));
        if (r >= 0 && running_from_build_tree())
                r = add_dir(&d, strdup(SBX_SOURCE_PROFILE_DIR));
        if (r >= 0 && !d.v && !(d.v = calloc(1, sizeof(char *))))
                r = -ENOMEM;
        if (r < 0) {
                sbx_strv_free(d.v);
                return r;
        }
        *ret = d.v;
        return 0;
}

bool profile_regular_file(const char *path)
{
        struct stat st;
        return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

SBX_EXPORT int sbx_profile_find(const char *name, char **ret)
{
        char **dirs = NULL;
        int r;

        if (!ret || !profile_name_valid(name))
                return -EINVAL;
        if ((r = profile_search_dirs(&dirs)) < 0)
                return r;
        r = -ENOENT;
        for (char **d = dirs; *d && r == -ENOENT; d++) {
                char *path = NULL;
                if (asprintf(&path, "%s/%s.ini", *d, name) < 0) {
                        r = -ENOMEM;
                        break;
                }
                if (profile_regular_file(path)) {
                        *ret = path;
                        r = 0;
                } else {
                        free(path);
                }
        }
        sbx_strv_free(dirs);
        return r;
}
