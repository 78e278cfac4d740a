/* secrets.c — [filesystem] secret: the user's credential stores (ssh and
 * gpg keys, .netrc, cloud and cluster credentials, password stores,
 * keyrings, browsers' profiles) masked wherever a bind shows them from
 * above: `cd ~ && sbx run …` binds the home, read-only or not, and a
 * program must not find ~/.ssh/id_rsa there.  The list is data
 * (profiles/credentials.inc.ini).
 *
 * A bind whose source is a secret, or lies inside one, is the profile (or
 * the user, for the working directory and file arguments) naming it: it is
 * shown, with a note, and `sbx analyze` lists it.  A masked directory is an
 * empty read-only tmpfs of mode 0000, a masked file a device node on a
 * nodev mount (both PM_MASK, mount.c): opening either fails, and neither
 * can be written, removed or renamed.
 *
 * Also the XDG base directories: a path under ~/.config, ~/.local/share,
 * ~/.local/state or ~/.cache names the same point under $XDG_CONFIG_HOME,
 * … when those are set elsewhere (secrets_xdg_variant, also used by
 * protect.c for the persistence points).
 *
 * Parent side: looks at the host (lstat, realpath), adds to the plan. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/path.h"
#include "plan/exec.h"
#include "plan/exec_fs.h"
#include "plan/secrets.h"
#include "base/util.h"

static const struct {
        const char *under_home, *var;
} xdg_dirs[] = {
        { "/.config", "XDG_CONFIG_HOME" },
        { "/.local/share", "XDG_DATA_HOME" },
        { "/.local/state", "XDG_STATE_HOME" },
        { "/.cache", "XDG_CACHE_HOME" },
};

int secrets_xdg_variant(const char *path, size_t i, char **ret)
{
        *ret = NULL;
        if (i >= ARRAY_SIZE(xdg_dirs))
                return -ENOENT;
        const char *home = getenv("HOME"), *x = getenv(xdg_dirs[i].var);
        /* Only absolute values count (the XDG base directory spec). */
        if (!home || home[0] != '/' || strcmp(home, "/") == 0 || !x || x[0] != '/')
                return 0;
        char def[PATH_MAX];
        int n = snprintf(def, sizeof(def), "%s%s", home, xdg_dirs[i].under_home);
        if (n < 0 || (size_t)n >= sizeof(def) || strcmp(def, x) == 0)
                return 0;
        const char *rest = path_under(path, def);
        if (!rest)
                return 0;
        return asprintf(ret, "%s%s", x, rest) < 0 ? -ENOMEM : 0;
}

static bool masked_at(const struct plan *plan, const char *inside)
{
        for (size_t i = 0; i < plan->nmounts; i++)
                if (plan->mounts[i].kind == PM_MASK && strcmp(plan->mounts[i].dst, inside) == 0)
                        return true;
        return false;
}

/* One secret (host path as listed) against every bind of the plan. */
static int mask_one(struct plan *plan, size_t nbinds, char **src, const char *path, const struct sbx_loc *loc)
{
        char real[PATH_MAX];
        struct stat st;
        /* Missing: nothing to hide.  A link is hidden where it leads. */
        if (exec_fs_realpath(plan->exec_fs, path, 0, real) < 0 || stat(real, &st) < 0)
                return 0;
        int r = 0;
        for (size_t i = 0; r >= 0 && i < nbinds; i++) {
                const struct plan_mount *m = &plan->mounts[i];
                if (!src[i])
                        continue;
                if (path_under(src[i], real)) {
                        /* The bind is the secret or lies inside it: named. */
                        if (!m->loc)
                                r = plan_warn(plan, "%s lies in the credential store %s ([filesystem] secret "
                                                    "at %s:%u), and the working directory or a file argument "
                                                    "shows it",
                                              src[i], path, loc->file, loc->line);
                        else
                                r = plan_note(plan, "%s:%u binds %s, which [filesystem] secret (%s:%u) lists: "
                                                    "shown as the profile names it",
                                              m->loc->file, m->loc->line, src[i], loc->file, loc->line);
                        continue;
                }
                const char *rest = path_under(real, src[i]);
                if (!rest)
                        continue;
                char inside[PATH_MAX];
                int n = snprintf(inside, sizeof(inside), "%s%s", strcmp(m->dst, "/") == 0 ? "" : m->dst, rest);
                if (n < 0 || (size_t)n >= sizeof(inside))
                        return -ENAMETOOLONG;
                /* Shown there only when no deeper mount covers it (a bind
                 * there gets its own turn). */
                if (plan_mount_covering(plan, inside) != m || masked_at(plan, inside))
                        continue;
                char *dst = plan_own(plan, strdup(inside));
                if (!dst)
                        return -ENOMEM;
                struct plan_mount mask = { .kind = PM_MASK, .src_fd = -1, .dst = dst,
                                           .src_is_dir = S_ISDIR(st.st_mode), .readonly = true,
                                           .noexec = true, .optional = true, .loc = loc };
                r = plan_add_mount(plan, &mask);
        }
        return r;
}

int secrets_plan(const struct sbx_policy *p, struct plan *plan, struct sbx_error **err)
{
        (void)err;
        if (p->secret.n == 0)
                return 0;
        size_t nbinds = plan->nmounts;
        if (!plan->exec_fs && exec_fs_new(&plan->exec_fs) < 0)
                return -ENOMEM;
        char **src = calloc(nbinds + 1, sizeof(char *));
        if (!src)
                return -ENOMEM;
        int r = 0;
        for (size_t i = 0; r >= 0 && i < nbinds; i++) {
                const struct plan_mount *m = &plan->mounts[i];
                char buf[PATH_MAX];
                if (m->kind != PM_BIND || !m->src || m->pinned || m->dev)
                        continue;
                /* A source the parent opened carries its canonical path
                 * (resolve.c); others are looked up once. */
                if (m->src_fd >= 0)
                        src[i] = strdup(m->src);
                else if (exec_fs_realpath(plan->exec_fs, m->src, 0, buf) >= 0)
                        src[i] = strdup(buf);
                else
                        continue;
                if (!src[i])
                        r = -ENOMEM;
        }
        for (size_t k = 0; r >= 0 && k < p->secret.n; k++) {
                r = mask_one(plan, nbinds, src, p->secret.v[k], &p->secret.loc[k]);
                for (size_t i = 0; r >= 0 && i < ARRAY_SIZE(xdg_dirs); i++) {
                        _cleanup_free_ char *v = NULL;
                        if ((r = secrets_xdg_variant(p->secret.v[k], i, &v)) >= 0 && v)
                                r = mask_one(plan, nbinds, src, v, &p->secret.loc[k]);
                }
        }
        for (size_t i = 0; i < nbinds; i++)
                free(src[i]);
        free(src);
        return r;
}
