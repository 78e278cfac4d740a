/* learn_view.c — the filesystem view of the recording sandbox of
 * `sbx learn` (docs/learn.md).
 *
 * The program must find what it looks for, so that the recording shows
 * what it needs, yet nothing it does may last or reach sbx's state: every
 * directory at the top of the host's tree is shown at its own path under
 * an overlay whose upper layer is a tmpfs of this sandbox (writes succeed
 * and are thrown away at exit; where the kernel cannot stack an overlay,
 * a directory with mounts beneath it, read-only instead), and the working
 * directory under one of its own; the top-level symlinks as symlinks, and every path protect.c guards (sbx's own state,
 * the persistence points) hidden.  /dev, /proc and /sys are the fixed ones
 * of plan.c.  Parent side: reads the host's root directory, adds to the
 * plan; mount.c builds the overlays in the child. */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "plan/plan.h"
#include "plan/protect.h"
#include "base/util.h"

/* Made by plan.c (add_fixed), or nothing a program needs. */
static const char *const skipped[] = { "dev", "proc", "sys", "lost+found" };

static int add_top(struct plan *plan, const char *name)
{
        char *path = NULL;
        struct stat st;
        if (asprintf(&path, "/%s", name) < 0 || !plan_own(plan, path))
                return -ENOMEM;
        if (lstat(path, &st) < 0)
                return 0; /* gone meanwhile */
        if (S_ISLNK(st.st_mode)) {
                char target[PATH_MAX];
                ssize_t n = readlink(path, target, sizeof(target) - 1);
                if (n <= 0)
                        return 0;
                target[n] = '\0';
                char *t = plan_own(plan, strdup(target));
                if (!t)
                        return -ENOMEM;
                struct plan_mount m = { .kind = PM_SYMLINK, .src = t, .src_fd = -1, .dst = path };
                return plan_add_mount(plan, &m);
        }
        if (!S_ISDIR(st.st_mode))
                return 0;
        struct plan_mount m = {
                .kind = PM_BIND, .src = path, .src_fd = -1, .dst = path, .src_is_dir = true,
                .overlay = true, .optional = true,
        };
        return plan_add_mount(plan, &m);
}

int learn_view(const struct sbx_policy *p, struct plan *plan)
{
        DIR *d = opendir("/");
        if (!d)
                return -errno;
        int r = 0;
        struct dirent *e;
        while (r >= 0 && (e = readdir(d))) {
                if (e->d_name[0] == '.')
                        continue;
                bool skip = false;
                for (size_t i = 0; i < ARRAY_SIZE(skipped); i++)
                        skip = skip || strcmp(e->d_name, skipped[i]) == 0;
                if (!skip)
                        r = add_top(plan, e->d_name);
        }
        closedir(d);
        if (r < 0)
                return r;

        /* The working directory under an overlay of its own as well: an
         * overlay copies every directory above a written file up into its
         * upper layer, with its owner, which the sandbox's user namespace
         * may not map (EOVERFLOW: /var/tmp or /home, owned by root, for a
         * build in /var/tmp/x), and the working directory is where most
         * programs write. */
        struct stat cst;
        if (plan->cwd && plan->cwd[0] == '/' && strchr(plan->cwd + 1, '/') && stat(plan->cwd, &cst) == 0 &&
            S_ISDIR(cst.st_mode)) {
                struct plan_mount m = {
                        .kind = PM_BIND, .src = plan->cwd, .src_fd = -1, .dst = plan->cwd, .src_is_dir = true,
                        .overlay = true, .optional = true,
                };
                if ((r = plan_add_mount(plan, &m)) < 0)
                        return r;
        }

        /* Out of reach, not only read-only: what the recording shows of
         * these would become binds of a profile. */
        char **prot = NULL;
        if ((r = protect_paths(p, &prot)) < 0)
                return r;
        for (size_t i = 0; r >= 0 && prot[i]; i++) {
                struct stat st;
                if (lstat(prot[i], &st) < 0 || S_ISLNK(st.st_mode))
                        continue; /* a link's target is in the list too */
                char *dst = plan_own(plan, strdup(prot[i]));
                if (!dst) {
                        r = -ENOMEM;
                        break;
                }
                struct plan_mount m = { .kind = PM_MASK, .src_fd = -1, .dst = dst,
                                        .src_is_dir = S_ISDIR(st.st_mode), .readonly = true,
                                        .noexec = true, .optional = true };
                r = plan_add_mount(plan, &m);
        }
        sbx_strv_free(prot);
        return r;
}
